-- Source: seed 004 VI.A.5.b; spec/populations-of-focus.md "CHILD_AVOIDABLE_UTILIZATION": under 21 with >= 3
-- avoidable ED visits in the last 12 months, or >= 2 avoidable unplanned stays in the last 12 months.
WITH ed AS (
    SELECT person_id, count(*) AS n, nullif(array_to_string(list_sort(list('claim:' || claim_id)), ';'), '') AS evidence
    FROM def_avoidable_ed_visit
    WHERE visit_date > $as_of - INTERVAL 12 MONTH AND visit_date <= $as_of
    GROUP BY person_id
),
stay AS (
    SELECT person_id, count(*) AS n, nullif(array_to_string(list_sort(list('claim:' || claim_id)), ';'), '') AS evidence
    FROM def_avoidable_stay
    WHERE admission_date > $as_of - INTERVAL 12 MONTH AND admission_date <= $as_of
    GROUP BY person_id
)
SELECT p.person_id, 'CHILD_AVOIDABLE_UTILIZATION' AS population,
       concat_ws(';', CASE WHEN ed.n >= 3 THEN 'AVOIDABLE_ED_3_IN_12M' END,
                      CASE WHEN stay.n >= 2 THEN 'AVOIDABLE_STAYS_2_IN_12M' END) AS criteria,
       concat_ws(';', CASE WHEN ed.n >= 3 THEN ed.evidence END,
                      CASE WHEN stay.n >= 2 THEN stay.evidence END) AS evidence
FROM def_person p
LEFT JOIN ed ON ed.person_id = p.person_id
LEFT JOIN stay ON stay.person_id = p.person_id
WHERE p.age < 21 AND (ed.n >= 3 OR stay.n >= 2)
