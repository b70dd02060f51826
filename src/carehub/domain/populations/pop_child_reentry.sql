-- Source: seed 004 VI.A.5.d; spec/populations-of-focus.md "CHILD_REENTRY": under 21, released from a YOUTH
-- facility in the last 12 months.
SELECT p.person_id, 'CHILD_REENTRY' AS population, 'YOUTH_RELEASED_12M' AS criteria, r.evidence
FROM def_person p
JOIN def_release r ON r.person_id = p.person_id AND r.facility_type = 'YOUTH' AND r.criterion = 'RELEASED_12M'
WHERE p.age < 21
