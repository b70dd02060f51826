-- Source: seed 004 VI.D / seed 000 II.d (proactively identify and hand the most urgent first); spec input-layout
-- "priority". Score = sum over factors of weight x min(value, cap) (valuesets/priority_weights.csv); rank 1 = most
-- immediate need, one rank per person: people not excluded first, then by score, then by person_id.
WITH person AS (
    SELECT person_id, count(*) AS populations FROM met_population GROUP BY person_id
),
factor AS (
    SELECT person_id, 'RECENT_DISCHARGE_30D' AS factor, 1 AS value FROM def_stay
    WHERE discharged AND discharge_date > $as_of - INTERVAL 30 DAY AND discharge_date <= $as_of
    UNION ALL
    SELECT person_id, 'RECENT_RELEASE_90D', 1 FROM def_release
    WHERE criterion = 'PRE_RELEASE_90D' OR event_date > $as_of - INTERVAL 90 DAY
    UNION ALL
    SELECT person_id, 'UNSHELTERED_NOW', 1 FROM stg_housing_status
    WHERE status = 'UNSHELTERED' AND start_date <= $as_of AND (end_date IS NULL OR end_date >= $as_of)
    UNION ALL
    SELECT person_id, 'ADDITIONAL_POPULATIONS', populations - 1 FROM person
    UNION ALL
    -- counted only for the people identified (the rest are dropped below anyway)
    SELECT person_id, 'ED_VISITS_6M', count(*) FROM def_ed_visit
    WHERE visit_date > $as_of - INTERVAL 6 MONTH AND visit_date <= $as_of
      AND person_id IN (SELECT person_id FROM person)
    GROUP BY person_id
    UNION ALL
    SELECT person_id, 'UNPLANNED_STAYS_6M', count(*) FROM def_unplanned_stay
    WHERE admission_date > $as_of - INTERVAL 6 MONTH AND admission_date <= $as_of
      AND person_id IN (SELECT person_id FROM person)
    GROUP BY person_id
),
factor_by_person AS (
    SELECT f.person_id, f.factor, max(f.value) AS value
    FROM factor f WHERE f.person_id IN (SELECT person_id FROM person) AND f.value > 0
    GROUP BY f.person_id, f.factor
),
score AS (
    SELECT p.person_id,
           coalesce(sum(CAST(w.weight AS DOUBLE) * least(f.value, CAST(w.cap AS DOUBLE))), 0) AS score,
           -- sorted as whole 'factor=value' texts: the factor order, since no factor name begins another
           nullif(array_to_string(list_sort(list(f.factor || '=' || CAST(f.value AS VARCHAR))), ';'), '') AS factors
    FROM person p
    LEFT JOIN factor_by_person f ON f.person_id = p.person_id
    LEFT JOIN vs_priority_weights w ON upper(trim(w.factor)) = f.factor
    GROUP BY p.person_id
)
SELECT s.person_id, s.score, s.factors, x.person_id IS NOT NULL AS excluded,
       row_number() OVER (ORDER BY x.person_id IS NOT NULL, s.score DESC, d.person_ref) AS priority
FROM score s
JOIN def_person d ON d.person_id = s.person_id
LEFT JOIN exclusion x ON x.person_id = s.person_id
