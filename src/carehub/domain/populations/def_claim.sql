-- Source: spec/populations-of-focus.md "Shared definitions" (ED visit, unplanned stay, crisis, delivery procedure);
-- input-layout "medical_claim". One row per claim with an ED, stay (bill type 011x/021x), crisis or
-- delivery-procedure line touching the longest look-back window (D - 12 months, D] (stg_event_line: those lines
-- only; sources.py stages them from one scan or from the warehouse's stored claim events). Claims of people not
-- considered on D are kept: every population joins def_person, so they never reach the output.
-- Header fields are the same on every line of a claim; line flags are OR-ed; dx_1 is the principal diagnosis.
-- An ED line: institutional with an ED revenue code, or professional with ED place of service or HCPCS (written
-- once per source below). A warehouse stores the claims whose lines share start date, window date and claim type
-- already aggregated the same way, one row each (stg_event_claim; sources._CLAIM_COLLAPSE, to keep in step with
-- the aggregates below); only the lines of the others are grouped here. It leaves out the ED-only claims of people
-- whose ED visits it stores already grouped (stg_ed_visit_fact, read by def_ed_visit and def_unplanned_stay).
SELECT person_id, claim_id, claim_type, claim_start_date AS start_date, claim_end_date AS end_date,
       admission_date, discharge_date, bill_type, admit_type,
       (claim_type = 'institutional' AND ed_revenue)
         OR (claim_type = 'professional' AND (ed_pos OR ed_hcpcs)) AS is_ed,
       crisis AS is_crisis, delivery_procedure AS is_delivery_procedure, dx_1
FROM stg_event_claim
WHERE ed_revenue OR ed_pos OR ed_hcpcs OR crisis OR delivery_procedure OR stay_bill
UNION ALL
SELECT person_id, claim_id,
       max(claim_type) AS claim_type,
       min(claim_start_date) AS start_date,
       max(claim_end_date) AS end_date,
       min(admission_date) AS admission_date,
       max(discharge_date) AS discharge_date,
       max(bill_type) AS bill_type,
       max(admit_type) AS admit_type,
       bool_or((claim_type = 'institutional' AND ed_revenue)
               OR (claim_type = 'professional' AND (ed_pos OR ed_hcpcs))) AS is_ed,
       bool_or(crisis) AS is_crisis,
       bool_or(delivery_procedure) AS is_delivery_procedure,
       max(dx_1) AS dx_1
FROM stg_event_line
WHERE ed_revenue OR ed_pos OR ed_hcpcs OR crisis OR delivery_procedure OR stay_bill
GROUP BY person_id, claim_id
