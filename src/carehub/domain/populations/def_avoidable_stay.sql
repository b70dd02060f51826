-- Source: seed 004 VI.A.4.c.2 / VI.A.5.b.2; spec/populations-of-focus.md "avoidable stay": an unplanned stay whose
-- principal diagnosis is an ambulatory-care-sensitive condition (AHRQ PQI; value set ACSC in diagnoses.csv).
SELECT person_id, admission_date, claim_id
FROM def_unplanned_stay
WHERE acsc
