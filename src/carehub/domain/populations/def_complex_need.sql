-- Source: seed 004 VI.A.4.a.1 / VI.A.4.b.1 ("at least one complex physical, behavioral, or developmental health
-- need with an inability to successfully self-manage"); spec/populations-of-focus.md "complex need": a chronic
-- condition, mental illness, SUD or I/DD in the last 12 months, or any ED visit or unplanned stay in the last
-- 12 months, and no SELF_MANAGES_WELL assessment (latest finding in the last 12 months).
-- Computed only for people on the adult homeless list (pop_adult_homeless is its only reader), who are picked
-- before the per-person work.
WITH listed AS (SELECT person_id FROM def_homeless WHERE adult_list)
SELECT person_id, nullif(array_to_string(list_sort(list(evidence)), ';'), '') AS evidence
FROM (
    SELECT person_id, 'claim:' || last_claim_id AS evidence
    FROM def_condition WHERE value_set IN ('CHRONIC', 'MENTAL_ILLNESS', 'SUD')
      AND person_id IN (SELECT person_id FROM listed)
    UNION ALL
    SELECT person_id, evidence FROM def_idd WHERE person_id IN (SELECT person_id FROM listed)
    UNION ALL
    SELECT person_id, 'claim:' || arg_max(claim_id, CAST(visit_date AS VARCHAR) || claim_id)
    FROM def_ed_visit WHERE visit_date > $as_of - INTERVAL 12 MONTH AND visit_date <= $as_of
      AND person_id IN (SELECT person_id FROM listed)
    GROUP BY person_id
    UNION ALL
    SELECT person_id, 'claim:' || arg_max(claim_id, CAST(admission_date AS VARCHAR) || claim_id)
    FROM def_unplanned_stay WHERE admission_date > $as_of - INTERVAL 12 MONTH AND admission_date <= $as_of
      AND person_id IN (SELECT person_id FROM listed)
    GROUP BY person_id
) t
WHERE person_id NOT IN (SELECT person_id FROM def_assessment WHERE kind = 'SELF_MANAGES_WELL' AND positive)
GROUP BY person_id
