-- Source: seed 004 VI.A.4.a.2 / VI.A.4.b.2 (HHS 42 USC 11302) and VI.A.5.a (children, youth and families: also
-- doubled up, motels, campgrounds); spec/populations-of-focus.md "homeless": a housing_status episode covering D
-- with a status of the list (value set homeless_statuses.csv: `adult` and `children_youth` columns), or a
-- diagnosis Z59.0x (value set HOMELESS) in the last 6 months. `household_with_minors` comes from the covering
-- episodes; a diagnosis alone says nothing about the household. An unknown household counts as false for the
-- populations that split on it (an adult is then ADULT_HOMELESS), and `household_unknown` says it was unknown, so
-- a child is not called unaccompanied on no evidence (pop_child_homeless.sql).
-- Everyone's rows, considered on D or not (def_person.sql says why).
WITH statuses AS (
    SELECT upper(trim(status)) AS status,
           coalesce(TRY_CAST(lower(trim(adult)) AS BOOLEAN), false) AS adult,
           coalesce(TRY_CAST(lower(trim(children_youth)) AS BOOLEAN), false) AS children_youth
    FROM vs_homeless_statuses
),
episode AS (
    SELECT h.person_id, s.adult, s.children_youth, h.household_with_minors AS with_minors,
           'housing:' || h.status || ':' || CAST(h.start_date AS VARCHAR) AS evidence
    FROM stg_housing_status h
    JOIN statuses s ON s.status = h.status
    WHERE h.start_date <= $as_of AND (h.end_date IS NULL OR h.end_date >= $as_of)
),
diagnosis AS (
    -- the latest HOMELESS claim of 12 months (def_condition), when it is within 6 months
    SELECT person_id, 'claim:' || last_claim_id AS evidence
    FROM def_condition
    WHERE value_set = 'HOMELESS' AND last_date > $as_of - INTERVAL 6 MONTH
),
facts AS (
    SELECT person_id, adult, children_youth, with_minors, 'HOMELESS_HOUSING_STATUS' AS criterion, evidence
    FROM episode
    UNION ALL
    SELECT person_id, true, true, CAST(NULL AS BOOLEAN), 'HOMELESS_DX_Z59_0_6M', evidence FROM diagnosis
),
listed AS (
    SELECT person_id, 'ADULT' AS list_kind, criterion, evidence FROM facts WHERE adult
    UNION ALL
    SELECT person_id, 'CHILDREN_YOUTH', criterion, evidence FROM facts WHERE children_youth
),
by_list AS (
    SELECT person_id, list_kind, nullif(array_to_string(list_sort(list(DISTINCT criterion)), ';'), '') AS criteria,
           nullif(array_to_string(list_sort(list(evidence)), ';'), '') AS evidence
    FROM listed GROUP BY person_id, list_kind
)
SELECT f.person_id,
       bool_or(f.adult) AS adult_list,
       bool_or(f.children_youth) AS children_youth_list,
       coalesce(bool_or(f.with_minors), false) AS household_with_minors,
       bool_or(f.with_minors) IS NULL AS household_unknown,
       max(a.criteria) AS adult_criteria, max(a.evidence) AS adult_evidence,
       max(c.criteria) AS children_youth_criteria, max(c.evidence) AS children_youth_evidence
FROM facts f
LEFT JOIN by_list a ON a.person_id = f.person_id AND a.list_kind = 'ADULT'
LEFT JOIN by_list c ON c.person_id = f.person_id AND c.list_kind = 'CHILDREN_YOUTH'
GROUP BY f.person_id
