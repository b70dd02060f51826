-- Source: seed 004 VI.A.4.c.1 / VI.A.5.b.1 (ED visits "that could have been avoided with appropriate outpatient
-- care"); spec/populations-of-focus.md "avoidable ED visit": principal diagnosis in value set AVOIDABLE_ED
-- (NYU ED algorithm classes non-emergent, primary-care treatable, preventable; shipped default in diagnoses.csv).
SELECT person_id, visit_date, avoidable_claim_id AS claim_id
FROM def_ed_visit
WHERE avoidable
