-- Source: seed 004 VI.A.5.g; spec/populations-of-focus.md "CHILD_IDD": under 21, I/DD and meets any other
-- population (live in the member's county, birth equity included).
WITH other AS (
    SELECT person_id FROM met_base
    UNION SELECT person_id FROM pop_child_birth_equity
    UNION SELECT person_id FROM pop_adult_birth_equity
)
SELECT p.person_id, 'CHILD_IDD' AS population, 'IDD;OTHER_POPULATION' AS criteria, i.evidence
FROM def_person p
JOIN def_idd i ON i.person_id = p.person_id
WHERE p.age < 21 AND p.person_id IN (SELECT person_id FROM other)
