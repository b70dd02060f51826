-- Source: seed 004 VI.A.5.e; spec/populations-of-focus.md "CHILD_CCS": under 21, CCS or CCS_WCM covering D and a
-- complex social factor.
SELECT p.person_id, 'CHILD_CCS' AS population, 'CCS_PROGRAM;COMPLEX_SOCIAL_FACTOR' AS criteria,
       concat_ws(';', min(c.evidence), min(s.evidence)) AS evidence
FROM def_person p
JOIN def_program c ON c.person_id = p.person_id AND c.program IN ('CCS', 'CCS_WCM') AND c.covers_d
JOIN def_complex_social_factor s ON s.person_id = p.person_id
WHERE p.age < 21
GROUP BY p.person_id
