-- Source: spec/populations-of-focus.md "Go-live by county"; every population met and live in the member's county
-- on D, one row per person and population.
WITH derived AS (
    SELECT * FROM pop_adult_birth_equity
    UNION ALL SELECT * FROM pop_child_birth_equity
    UNION ALL SELECT * FROM pop_child_idd
)
SELECT * FROM met_base
UNION ALL
SELECT d.person_id, d.population, d.criteria, d.evidence
FROM derived d
JOIN def_person p ON p.person_id = d.person_id
JOIN def_population_live l ON l.county_key = p.county_key AND l.population = d.population
WHERE l.live_from <= $as_of
