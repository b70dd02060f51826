-- Source: seed 004 VI.A.5.a (effective 2023-07-01, "homeless families"), DHCS quarterly report "Families
-- Experiencing Homelessness"; spec/populations-of-focus.md "FAMILY_HOMELESS": from 2023-07-01, any member homeless
-- (children/youth list) in a family household with dependent children or youth (household_with_minors true).
SELECT p.person_id, 'FAMILY_HOMELESS' AS population,
       concat_ws(';', h.children_youth_criteria, 'HOUSEHOLD_WITH_MINORS') AS criteria,
       h.children_youth_evidence AS evidence
FROM def_person p
JOIN def_homeless h ON h.person_id = p.person_id AND h.children_youth_list
WHERE h.household_with_minors AND $as_of >= DATE '2023-07-01'
