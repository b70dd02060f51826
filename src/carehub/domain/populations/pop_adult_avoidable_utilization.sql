-- Source: seed 004 VI.A.4.c; spec/populations-of-focus.md "ADULT_AVOIDABLE_UTILIZATION": adults 21+ with >= 5
-- avoidable ED visits in the last 6 months, or >= 3 avoidable unplanned stays in the last 6 months.
WITH ed AS (
    SELECT person_id, count(*) AS n, nullif(array_to_string(list_sort(list('claim:' || claim_id)), ';'), '') AS evidence
    FROM def_avoidable_ed_visit
    WHERE visit_date > $as_of - INTERVAL 6 MONTH AND visit_date <= $as_of
    GROUP BY person_id
),
stay AS (
    SELECT person_id, count(*) AS n, nullif(array_to_string(list_sort(list('claim:' || claim_id)), ';'), '') AS evidence
    FROM def_avoidable_stay
    WHERE admission_date > $as_of - INTERVAL 6 MONTH AND admission_date <= $as_of
    GROUP BY person_id
)
SELECT p.person_id, 'ADULT_AVOIDABLE_UTILIZATION' AS population,
       concat_ws(';', CASE WHEN ed.n >= 5 THEN 'AVOIDABLE_ED_5_IN_6M' END,
                      CASE WHEN stay.n >= 3 THEN 'AVOIDABLE_STAYS_3_IN_6M' END) AS criteria,
       concat_ws(';', CASE WHEN ed.n >= 5 THEN ed.evidence END,
                      CASE WHEN stay.n >= 3 THEN stay.evidence END) AS evidence
FROM def_person p
LEFT JOIN ed ON ed.person_id = p.person_id
LEFT JOIN stay ON stay.person_id = p.person_id
WHERE p.age >= 21 AND (ed.n >= 5 OR stay.n >= 3)
