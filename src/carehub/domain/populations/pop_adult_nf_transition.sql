-- Source: seed 004 VI.A.4.g; spec/populations-of-focus.md "ADULT_NF_TRANSITION": a current NURSING_FACILITY span
-- with detail WANTS_TO_TRANSITION and CAN_RESIDE_IN_COMMUNITY true.
SELECT p.person_id, 'ADULT_NF_TRANSITION' AS population,
       'NF_WANTS_TO_TRANSITION;CAN_RESIDE_IN_COMMUNITY' AS criteria,
       concat_ws(';', min(n.evidence), min(c.evidence)) AS evidence
FROM def_person p
JOIN def_program n ON n.person_id = p.person_id AND n.program = 'NURSING_FACILITY' AND n.covers_d
                  AND n.detail = 'WANTS_TO_TRANSITION'
JOIN def_assessment c ON c.person_id = p.person_id AND c.kind = 'CAN_RESIDE_IN_COMMUNITY' AND c.positive
WHERE p.age >= 21
GROUP BY p.person_id
