-- Source: seed 004 VI.A.4.h.2.b (from 2024-01-01: "subject to racial and ethnic disparities as defined by
-- California public health data on maternal morbidity and mortality"); spec/populations-of-focus.md "disparity
-- group"; value set disparity_groups.csv (field race or ethnicity, value in Tuva terminology).
SELECT p.person_id, min('eligibility:' || g.field || ':' || g.value) AS evidence
FROM def_person p
JOIN (SELECT lower(trim(field)) AS field, lower(trim(value)) AS value FROM vs_disparity_groups) g
  ON (g.field = 'race' AND g.value = p.race) OR (g.field = 'ethnicity' AND g.value = p.ethnicity)
-- computed only for pregnant or postpartum people: def_birth_equity is its only reader
WHERE p.person_id IN (SELECT person_id FROM def_pregnancy)
GROUP BY p.person_id
