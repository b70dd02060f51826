-- Source: seed 004 VI.A.5.g; spec/populations-of-focus.md "CHILD_IDD": under 21, I/DD and meets any other
-- population (live in the member's county, birth equity included).
-- met_base is already live; the birth-equity populations (which also stand on another population) are not yet, so
-- they count here only where live too.
WITH birth_equity AS (
    SELECT person_id, population FROM pop_child_birth_equity
    UNION ALL SELECT person_id, population FROM pop_adult_birth_equity
),
other AS (
    SELECT person_id FROM met_base
    UNION
    SELECT b.person_id
    FROM birth_equity b
    JOIN def_person p ON p.person_id = b.person_id
    JOIN def_population_live l ON l.county_key = p.county_key AND l.population = b.population
    WHERE l.live_from <= $as_of
)
SELECT p.person_id, 'CHILD_IDD' AS population, 'IDD;OTHER_POPULATION' AS criteria, i.evidence
FROM def_person p
JOIN def_idd i ON i.person_id = p.person_id
WHERE p.age < 21 AND p.person_id IN (SELECT person_id FROM other)
