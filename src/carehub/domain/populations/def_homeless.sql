-- Source: seed 004 VI.A.4.a.2 / VI.A.4.b.2 (HHS 42 USC 11302) and VI.A.5.a (children, youth and families: also
-- doubled up, motels, campgrounds); spec/populations-of-focus.md "homeless": a housing_status episode covering D
-- with a status of the list (value set homeless_statuses.csv: `adult` and `children_youth` columns), or a
-- diagnosis Z59.0x (value set HOMELESS) in the last 6 months. `household_with_minors` comes from the covering
-- episodes; a diagnosis alone says nothing about the household and counts as false.
WITH statuses AS (
    SELECT upper(trim(status)) AS status,
           coalesce(TRY_CAST(lower(trim(adult)) AS BOOLEAN), false) AS adult,
           coalesce(TRY_CAST(lower(trim(children_youth)) AS BOOLEAN), false) AS children_youth
    FROM vs_homeless_statuses
),
episode AS (
    SELECT h.person_id, s.adult, s.children_youth, coalesce(h.household_with_minors, false) AS with_minors,
           'housing:' || h.status || ':' || CAST(h.start_date AS VARCHAR) AS evidence
    FROM stg_housing_status h
    JOIN statuses s ON s.status = h.status
    WHERE h.start_date <= $as_of AND (h.end_date IS NULL OR h.end_date >= $as_of)
),
diagnosis AS (
    SELECT person_id, 'claim:' || arg_max(claim_id, CAST(dx_date AS VARCHAR) || claim_id) AS evidence
    FROM def_diagnosis
    WHERE value_set = 'HOMELESS' AND dx_date > $as_of - INTERVAL 6 MONTH AND dx_date <= $as_of
    GROUP BY person_id
),
facts AS (
    SELECT person_id, adult, children_youth, with_minors, 'HOMELESS_HOUSING_STATUS' AS criterion, evidence
    FROM episode
    UNION ALL
    SELECT person_id, true, true, false, 'HOMELESS_DX_Z59_0_6M', evidence FROM diagnosis
)
SELECT f.person_id,
       bool_or(f.adult) AS adult_list,
       bool_or(f.children_youth) AS children_youth_list,
       bool_or(f.with_minors) AS household_with_minors,
       string_agg(DISTINCT CASE WHEN f.adult THEN f.criterion END, ';'
                  ORDER BY CASE WHEN f.adult THEN f.criterion END) AS adult_criteria,
       string_agg(CASE WHEN f.adult THEN f.evidence END, ';' ORDER BY CASE WHEN f.adult THEN f.evidence END)
         AS adult_evidence,
       string_agg(DISTINCT CASE WHEN f.children_youth THEN f.criterion END, ';'
                  ORDER BY CASE WHEN f.children_youth THEN f.criterion END) AS children_youth_criteria,
       string_agg(CASE WHEN f.children_youth THEN f.evidence END, ';'
                  ORDER BY CASE WHEN f.children_youth THEN f.evidence END) AS children_youth_evidence
FROM facts f
WHERE f.person_id IN (SELECT person_id FROM def_person)
GROUP BY f.person_id
