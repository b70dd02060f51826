-- Source: seed 004 VI.A.4.h and VI.A.5.h; spec/populations-of-focus.md "ADULT_BIRTH_EQUITY" and
-- "CHILD_BIRTH_EQUITY": pregnant or postpartum and (meets another adult or child/youth population, or,
-- from 2024-01-01, in a disparity group). Shared by both birth-equity populations, which split it by age.
WITH pregnancy AS (
    SELECT person_id, nullif(array_to_string(list_sort(list(DISTINCT criterion)), ';'), '') AS criteria,
           nullif(array_to_string(list_sort(list(evidence)), ';'), '') AS evidence
    FROM def_pregnancy GROUP BY person_id
),
other AS (
    SELECT person_id, 'OTHER_POPULATION' AS criterion, string_agg(DISTINCT population, ';') AS evidence
    FROM met_base WHERE person_id IN (SELECT person_id FROM pregnancy) GROUP BY person_id
    UNION ALL
    SELECT person_id, 'DISPARITY_GROUP', evidence FROM def_disparity_group WHERE $as_of >= DATE '2024-01-01'
),
other_by_person AS (
    SELECT person_id, nullif(array_to_string(list_sort(list(criterion)), ';'), '') AS criteria,
           string_agg(CASE WHEN criterion = 'DISPARITY_GROUP' THEN evidence END, ';') AS evidence
    FROM other GROUP BY person_id
)
SELECT p.person_id, p.age,
       concat_ws(';', g.criteria, o.criteria) AS criteria,
       concat_ws(';', g.evidence, o.evidence) AS evidence
FROM def_person p
JOIN pregnancy g ON g.person_id = p.person_id
JOIN other_by_person o ON o.person_id = p.person_id
