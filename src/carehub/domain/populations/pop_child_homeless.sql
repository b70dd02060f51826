-- Source: seed 004 VI.A.5.a; spec/populations-of-focus.md "CHILD_HOMELESS": under 21, homeless (children/youth
-- list) and unaccompanied (household_with_minors false: not living with a parent or guardian). Where no record
-- says who the child lives with (a Z59.0x diagnosis alone, a blank household), the child is still reported here, as
-- VI.A.5.a covers homeless children with their families and unaccompanied alike, with HOUSEHOLD_UNKNOWN instead of
-- UNACCOMPANIED: reported, not silently dropped, and not called unaccompanied on no evidence.
SELECT p.person_id, 'CHILD_HOMELESS' AS population,
       concat_ws(';', h.children_youth_criteria,
                 CASE WHEN h.household_unknown THEN 'HOUSEHOLD_UNKNOWN' ELSE 'UNACCOMPANIED' END) AS criteria,
       h.children_youth_evidence AS evidence
FROM def_person p
JOIN def_homeless h ON h.person_id = p.person_id AND h.children_youth_list
WHERE p.age < 21 AND NOT h.household_with_minors
