-- Source: seed 004 VI.A.4.f; spec/populations-of-focus.md "ADULT_LTC_RISK": SNF_LEVEL_OF_CARE true, not a current
-- nursing facility resident, a complex social factor, and CAN_RESIDE_IN_COMMUNITY true (latest findings in the
-- last 12 months).
SELECT p.person_id, 'ADULT_LTC_RISK' AS population,
       'SNF_LEVEL_OF_CARE;COMPLEX_SOCIAL_FACTOR;CAN_RESIDE_IN_COMMUNITY' AS criteria,
       concat_ws(';', l.evidence, s.evidence, c.evidence) AS evidence
FROM def_person p
JOIN def_assessment l ON l.person_id = p.person_id AND l.kind = 'SNF_LEVEL_OF_CARE' AND l.positive
JOIN def_assessment c ON c.person_id = p.person_id AND c.kind = 'CAN_RESIDE_IN_COMMUNITY' AND c.positive
JOIN def_complex_social_factor s ON s.person_id = p.person_id
WHERE p.age >= 21
  AND p.person_id NOT IN (SELECT person_id FROM def_program WHERE program = 'NURSING_FACILITY' AND covers_d)
