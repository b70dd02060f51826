-- Source: seed 004 VI.A.4.a (through 2023-06-30: adults 21+ "and their families") and VI.A.4.b (from 2023-07-01:
-- adults "without dependent children/youth living with them"); spec/populations-of-focus.md "ADULT_HOMELESS":
-- homeless (adult list) and complex need.
SELECT p.person_id, 'ADULT_HOMELESS' AS population,
       concat_ws(';', h.adult_criteria, 'COMPLEX_NEED') AS criteria,
       concat_ws(';', h.adult_evidence, n.evidence) AS evidence
FROM def_person p
JOIN def_homeless h ON h.person_id = p.person_id AND h.adult_list
JOIN def_complex_need n ON n.person_id = p.person_id
WHERE p.age >= 21
  AND ($as_of < DATE '2023-07-01' OR NOT h.household_with_minors)
