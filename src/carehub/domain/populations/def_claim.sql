-- Source: spec/populations-of-focus.md "Shared definitions" (ED visit, unplanned stay, diagnoses); input-layout
-- "medical_claim". One row per claim of a considered person touching the longest look-back window (D - 12 months, D]
-- (no rule looks further back). Header fields are the same on every line of a claim; line flags are OR-ed.
SELECT m.person_id, m.claim_id,
       max(m.claim_type) AS claim_type,
       min(m.claim_start_date) AS start_date,
       max(coalesce(m.claim_end_date, m.claim_start_date)) AS end_date,
       min(m.admission_date) AS admission_date,
       max(m.discharge_date) AS discharge_date,
       max(m.bill_type_code) AS bill_type,
       max(m.admit_type_code) AS admit_type,
       max(m.admit_source_code) AS admit_source,
       bool_or((m.claim_type = 'institutional'
                AND m.revenue_center_code IN (SELECT code FROM vs_codes WHERE value_set = 'ED_REVENUE'))
               OR (m.claim_type = 'professional'
                   AND (m.place_of_service_code IN (SELECT code FROM vs_codes WHERE value_set = 'ED_PLACE_OF_SERVICE')
                        OR m.hcpcs_code IN (SELECT code FROM vs_codes WHERE value_set = 'ED_HCPCS')))) AS is_ed,
       bool_or(m.hcpcs_code IN (SELECT code FROM vs_codes WHERE value_set = 'PRIMARY_CARE_HCPCS')) AS is_primary_care,
       bool_or(m.hcpcs_code IN (SELECT code FROM vs_codes WHERE value_set = 'CRISIS_HCPCS')) AS is_crisis,
       bool_or(m.hcpcs_code IN (SELECT code FROM vs_codes WHERE value_set = 'DELIVERY_PROCEDURE')
               OR m.procedure_code_1 IN (SELECT code FROM vs_codes WHERE value_set = 'DELIVERY_PROCEDURE'))
         AS is_delivery_procedure,
       max(m.diagnosis_code_1) AS dx_1, max(m.diagnosis_code_2) AS dx_2, max(m.diagnosis_code_3) AS dx_3,
       max(m.diagnosis_code_4) AS dx_4, max(m.diagnosis_code_5) AS dx_5, max(m.diagnosis_code_6) AS dx_6,
       max(m.diagnosis_code_7) AS dx_7, max(m.diagnosis_code_8) AS dx_8, max(m.diagnosis_code_9) AS dx_9,
       max(m.diagnosis_code_10) AS dx_10, max(m.diagnosis_code_11) AS dx_11, max(m.diagnosis_code_12) AS dx_12,
       max(m.diagnosis_code_13) AS dx_13, max(m.diagnosis_code_14) AS dx_14, max(m.diagnosis_code_15) AS dx_15,
       max(m.diagnosis_code_16) AS dx_16, max(m.diagnosis_code_17) AS dx_17, max(m.diagnosis_code_18) AS dx_18,
       max(m.diagnosis_code_19) AS dx_19, max(m.diagnosis_code_20) AS dx_20, max(m.diagnosis_code_21) AS dx_21,
       max(m.diagnosis_code_22) AS dx_22, max(m.diagnosis_code_23) AS dx_23, max(m.diagnosis_code_24) AS dx_24,
       max(m.diagnosis_code_25) AS dx_25
FROM stg_medical_claim m
WHERE m.claim_start_date <= $as_of
  AND coalesce(m.discharge_date, m.claim_end_date, m.claim_start_date) > $as_of - INTERVAL 12 MONTH
  AND m.person_id IN (SELECT person_id FROM def_person)
GROUP BY m.person_id, m.claim_id
