-- Source: spec/populations-of-focus.md "Shared definitions" (ED visit, unplanned stay, crisis, delivery procedure);
-- input-layout "medical_claim". One row per claim of a considered person with an ED, stay (bill type 011x/021x),
-- crisis or delivery-procedure line touching the longest look-back window (D - 12 months, D] (stg_event_line:
-- those lines only; sources.py stages them from one scan or from the warehouse's stored claim events).
-- Header fields are the same on every line of a claim; line flags are OR-ed; dx_1 is the principal diagnosis.
-- A warehouse stores the claims whose lines share start date, window date and claim type already aggregated
-- the same way, one row each (stg_event_claim; sources._CLAIM_COLLAPSE, to keep in step with the aggregates
-- below); only the lines of the others are grouped here.
WITH line AS (
    SELECT m.*,
           (m.claim_type = 'institutional' AND m.ed_revenue)
             OR (m.claim_type = 'professional' AND (m.ed_pos OR m.ed_hcpcs)) AS ed
    FROM (SELECT *, true AS whole FROM stg_event_claim
          UNION ALL SELECT *, false AS whole FROM stg_event_line) m
    WHERE (m.ed_revenue OR m.ed_pos OR m.ed_hcpcs OR m.crisis OR m.delivery_procedure OR m.stay_bill)
      AND m.person_id IN (SELECT person_id FROM def_person)
)
SELECT person_id, claim_id, claim_type, claim_start_date AS start_date, claim_end_date AS end_date,
       admission_date, discharge_date, bill_type, admit_type, ed AS is_ed, crisis AS is_crisis,
       delivery_procedure AS is_delivery_procedure, dx_1
FROM line
WHERE whole
UNION ALL
SELECT person_id, claim_id,
       max(claim_type) AS claim_type,
       min(claim_start_date) AS start_date,
       max(claim_end_date) AS end_date,
       min(admission_date) AS admission_date,
       max(discharge_date) AS discharge_date,
       max(bill_type) AS bill_type,
       max(admit_type) AS admit_type,
       bool_or(ed) AS is_ed,
       bool_or(crisis) AS is_crisis,
       bool_or(delivery_procedure) AS is_delivery_procedure,
       max(dx_1) AS dx_1
FROM line
WHERE NOT whole
GROUP BY person_id, claim_id
