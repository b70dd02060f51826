-- Source: spec/input-layout.md "Output of identification (contract)": one row per person and population met;
-- evidence references de-duplicated and sorted; exclusions reported, never dropped. County, score, factors and
-- the exclusion's evidence are kept beside the contract's columns for the operational store (the CSV leaves them
-- out).
SELECT p.person_ref AS person_id, p.member_id, m.population, m.criteria,
       array_to_string(list_sort(list_distinct(string_split(m.evidence, ';'))), ';') AS evidence,
       x.exclusion_reason IS NOT NULL AS excluded,
       x.exclusion_reason,
       c.person_id IS NOT NULL AS continuity,
       r.priority,
       p.county, r.score, r.factors, x.evidence AS exclusion_evidence
FROM met_population m
JOIN def_person p ON p.person_id = m.person_id
JOIN priority r ON r.person_id = m.person_id
LEFT JOIN exclusion x ON x.person_id = m.person_id
LEFT JOIN continuity c ON c.person_id = m.person_id
