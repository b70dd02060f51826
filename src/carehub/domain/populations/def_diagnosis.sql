-- Source: spec/populations-of-focus.md "Shared definitions". Every diagnosis in a value set on a claim of a
-- considered person in (D - 12 months, D]: one row per claim and value set, `principal` when it is
-- diagnosis_code_1. Dated by the claim's start date.
SELECT d.person_id, d.claim_id, min(d.claim_start_date) AS dx_date, k.value_set, bool_or(d.position = 1) AS principal
FROM stg_line_diagnosis d
JOIN def_dx_class k ON k.raw_code = d.raw_code
WHERE d.claim_start_date > $as_of - INTERVAL 12 MONTH AND d.claim_start_date <= $as_of
  AND k.value_set NOT IN ('AVOIDABLE_ED', 'ACSC')
  AND d.person_id IN (SELECT person_id FROM def_person)
GROUP BY d.person_id, d.claim_id, k.value_set
