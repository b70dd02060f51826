-- Source: spec/populations-of-focus.md (preamble): a person is considered only when an eligibility span covers D
-- and there is no death_date on or before D; age is age on D. Seed 004 VI.A.1 (member assigned to the plan).
-- county_key joins the go-live schedule: a county not in vs_county_phases gets '' (unknown county). person_id is
-- the key the rules join on; person_ref the id as the plan wrote it (the same text unless keyed: sources.py).
WITH covering AS (
    SELECT e.*,
           row_number() OVER (PARTITION BY e.person_id
                              ORDER BY e.enrollment_start_date DESC, e.member_id) AS rn
    FROM stg_eligibility e
    WHERE e.enrollment_start_date <= $as_of
      AND (e.enrollment_end_date IS NULL OR e.enrollment_end_date >= $as_of)
)
SELECT c.person_id, c.person_ref, c.member_id, c.birth_date, c.county, c.race, c.ethnicity,
       coalesce(k.county_key, '') AS county_key,
       year($as_of) - year(c.birth_date)
         - CASE WHEN month($as_of) * 100 + day($as_of) < month(c.birth_date) * 100 + day(c.birth_date)
                THEN 1 ELSE 0 END AS age
FROM covering c
LEFT JOIN (SELECT DISTINCT lower(trim(county)) AS county_key FROM vs_county_phases) k
       ON k.county_key = lower(c.county)
WHERE c.rn = 1
  AND NOT EXISTS (SELECT 1 FROM stg_eligibility d
                  WHERE d.person_id = c.person_id AND d.death_date <= $as_of)
