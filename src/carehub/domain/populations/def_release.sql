-- Source: seed 004 VI.A.4.e.1 ("transitioning from a correctional facility or transitioned ... within the last
-- 12 months"), VI.B (pre-release: expected release within 90 days), VI.A.5.d; spec/populations-of-focus.md
-- ADULT_REENTRY, CHILD_REENTRY. One row per person, facility type and criterion, with the latest date.
-- Everyone's rows, considered on D or not (def_person.sql says why).
SELECT i.person_id, i.facility_type, 'RELEASED_12M' AS criterion, max(i.release_date) AS event_date,
       'incarceration:' || i.facility_type || ':' || CAST(max(i.release_date) AS VARCHAR) AS evidence
FROM stg_incarceration i
WHERE i.release_date > $as_of - INTERVAL 12 MONTH AND i.release_date <= $as_of
GROUP BY i.person_id, i.facility_type
UNION ALL
SELECT i.person_id, i.facility_type, 'PRE_RELEASE_90D', min(i.expected_release_date),
       'incarceration:' || i.facility_type || ':' || CAST(min(i.expected_release_date) AS VARCHAR)
FROM stg_incarceration i
WHERE (i.admission_date IS NULL OR i.admission_date <= $as_of)
  AND (i.release_date IS NULL OR i.release_date > $as_of)
  AND i.expected_release_date >= $as_of AND i.expected_release_date <= $as_of + INTERVAL 90 DAY
GROUP BY i.person_id, i.facility_type
