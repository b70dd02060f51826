-- Source: spec/populations-of-focus.md "I/DD": F70-F79, F84.x, F88, F89, Q90.x (value set IDD) in the last
-- 12 months, or program REGIONAL_CENTER (a span overlapping the last 12 months); seed 004 VI.A.5.g.
SELECT person_id, nullif(array_to_string(list_sort(list(evidence)), ';'), '') AS evidence
FROM (
    SELECT person_id, 'claim:' || last_claim_id AS evidence FROM def_condition WHERE value_set = 'IDD'
    UNION ALL
    SELECT person_id, evidence FROM def_program WHERE program = 'REGIONAL_CENTER' AND in_12m
) t
GROUP BY person_id
