-- Source: spec/populations-of-focus.md "Shared definitions" (ED visit, unplanned stay, diagnoses); input-layout
-- "medical_claim". One row per claim of a considered person touching the longest look-back window (D - 12 months, D]
-- (no rule looks further back). Header fields are the same on every line of a claim; line flags are OR-ed; dx_1 is the principal
-- diagnosis (all diagnoses are in stg_diagnosis).
WITH code AS (SELECT DISTINCT upper(trim(value_set)) AS value_set, upper(trim(code)) AS code FROM vs_codes),
line AS (
    SELECT m.*, r.code IS NOT NULL AS ed_revenue, s.code IS NOT NULL AS ed_pos, h.value_set AS hcpcs_set,
           p.code IS NOT NULL AS delivery_procedure
    FROM stg_medical_claim m
    LEFT JOIN code r ON r.value_set = 'ED_REVENUE' AND r.code = m.revenue_center_code
    LEFT JOIN code s ON s.value_set = 'ED_PLACE_OF_SERVICE' AND s.code = m.place_of_service_code
    LEFT JOIN code h ON h.value_set IN ('ED_HCPCS', 'PRIMARY_CARE_HCPCS', 'CRISIS_HCPCS', 'DELIVERY_PROCEDURE')
                    AND h.code = m.hcpcs_code
    LEFT JOIN code p ON p.value_set = 'DELIVERY_PROCEDURE' AND p.code = m.procedure_code_1
    WHERE m.claim_start_date <= $as_of
      AND coalesce(m.discharge_date, m.claim_end_date, m.claim_start_date) > $as_of - INTERVAL 12 MONTH
      AND m.person_id IN (SELECT person_id FROM def_person)
)
SELECT m.person_id, m.claim_id,
       max(m.claim_type) AS claim_type,
       min(m.claim_start_date) AS start_date,
       max(coalesce(m.claim_end_date, m.claim_start_date)) AS end_date,
       min(m.admission_date) AS admission_date,
       max(m.discharge_date) AS discharge_date,
       max(m.bill_type_code) AS bill_type,
       max(m.admit_type_code) AS admit_type,
       bool_or((m.claim_type = 'institutional' AND m.ed_revenue)
               OR (m.claim_type = 'professional' AND (m.ed_pos OR m.hcpcs_set = 'ED_HCPCS'))) AS is_ed,
       bool_or(m.hcpcs_set = 'PRIMARY_CARE_HCPCS') AS is_primary_care,
       bool_or(m.hcpcs_set = 'CRISIS_HCPCS') AS is_crisis,
       bool_or(m.hcpcs_set = 'DELIVERY_PROCEDURE' OR m.delivery_procedure) AS is_delivery_procedure,
       max(m.diagnosis_code_1) AS dx_1
FROM line m
GROUP BY m.person_id, m.claim_id
