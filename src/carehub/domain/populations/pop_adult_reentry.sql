-- Source: seed 004 VI.A.4.e and VI.B; spec/populations-of-focus.md "ADULT_REENTRY": released from PRISON or JAIL
-- in the last 12 months (or expected release within 90 days) and any of: mental illness, SUD, chronic condition,
-- I/DD, traumatic brain injury, HIV, pregnant or postpartum.
WITH release AS (
    SELECT person_id, nullif(array_to_string(list_sort(list(DISTINCT criterion)), ';'), '') AS criteria,
           nullif(array_to_string(list_sort(list(evidence)), ';'), '') AS evidence
    FROM def_release WHERE facility_type IN ('PRISON', 'JAIL')
    GROUP BY person_id
),
condition AS (
    SELECT person_id, CASE value_set WHEN 'CHRONIC' THEN 'CHRONIC_CONDITION' ELSE value_set END AS criterion,
           'claim:' || last_claim_id AS evidence
    FROM def_condition WHERE value_set IN ('MENTAL_ILLNESS', 'SUD', 'CHRONIC', 'TBI', 'HIV')
    UNION ALL
    SELECT person_id, 'IDD', evidence FROM def_idd
    UNION ALL
    SELECT person_id, criterion, evidence FROM def_pregnancy
),
condition_by_person AS (
    SELECT person_id, nullif(array_to_string(list_sort(list(DISTINCT criterion)), ';'), '') AS criteria,
           nullif(array_to_string(list_sort(list(evidence)), ';'), '') AS evidence
    FROM condition
    WHERE person_id IN (SELECT person_id FROM release)  -- only people who meet the release criterion matter
    GROUP BY person_id
)
SELECT p.person_id, 'ADULT_REENTRY' AS population,
       concat_ws(';', r.criteria, c.criteria) AS criteria,
       concat_ws(';', r.evidence, c.evidence) AS evidence
FROM def_person p
JOIN release r ON r.person_id = p.person_id
JOIN condition_by_person c ON c.person_id = p.person_id
WHERE p.age >= 21
