-- Source: seed 004 VI.A.5.c; spec/populations-of-focus.md "CHILD_SMH_SUD": under 21 and meets SMHS or
-- DMC-ODS/DMC criteria (as for adults; no further criteria).
SELECT p.person_id, 'CHILD_SMH_SUD' AS population, m.criteria, m.evidence
FROM def_person p
JOIN def_smh_sud_criteria m ON m.person_id = p.person_id
WHERE p.age < 21
