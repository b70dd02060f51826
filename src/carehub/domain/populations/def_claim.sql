-- Source: spec/populations-of-focus.md "Shared definitions" (ED visit, unplanned stay, crisis, delivery procedure);
-- input-layout "medical_claim". One row per claim of a considered person with an ED, stay (bill type 011x/021x),
-- crisis or delivery-procedure line touching the longest look-back window (D - 12 months, D] (stg_event_line:
-- those lines only; sources.py stages them from one scan or from the warehouse's stored claim events).
-- Header fields are the same on every line of a claim; line flags are OR-ed; dx_1 is the principal diagnosis.
SELECT m.person_id, m.claim_id,
       max(m.claim_type) AS claim_type,
       min(m.claim_start_date) AS start_date,
       max(m.claim_end_date) AS end_date,
       min(m.admission_date) AS admission_date,
       max(m.discharge_date) AS discharge_date,
       max(m.bill_type) AS bill_type,
       max(m.admit_type) AS admit_type,
       bool_or((m.claim_type = 'institutional' AND m.ed_revenue)
               OR (m.claim_type = 'professional' AND (m.ed_pos OR m.ed_hcpcs))) AS is_ed,
       bool_or(m.crisis) AS is_crisis,
       bool_or(m.delivery_procedure) AS is_delivery_procedure,
       max(m.dx_1) AS dx_1
FROM stg_event_line m
WHERE (m.ed_revenue OR m.ed_pos OR m.ed_hcpcs OR m.crisis OR m.delivery_procedure OR m.stay_bill)
  AND m.person_id IN (SELECT person_id FROM def_person)
GROUP BY m.person_id, m.claim_id
