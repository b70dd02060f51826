-- Source: spec/populations-of-focus.md (preamble): a person is considered only when an eligibility span covers D
-- and there is no death_date on or before D; age is age on D. Seed 004 VI.A.1 (member assigned to the plan).
-- Where several spans cover D, the latest-starting one (then the lowest member_id) gives the member's details.
-- county_key joins the go-live schedule: a county not in vs_county_phases gets '' (unknown county). person_id is
-- the key the rules join on; person_ref the id as the plan wrote it (the same text unless keyed: sources.py).
-- stg_person_span marks the spans that share no day with another of the person's (`alone`): when one of them
-- covers D it is the only one, so only the others are ranked (sources.PERSON_SPAN_COLUMNS).
-- (The covering test is written twice, once per kind of span, so each reads the spans once.)
-- Only the populations (and met_base / met_population, which join this table) restrict to these people: the
-- shared rules over conditions, programs, releases, housing and assessments keep everyone's rows, so they do
-- not wait for this table nor pay a semi-join (tests: people not considered meet no population by any route).
WITH ranked AS (
    SELECT e.person_id, e.person_ref, e.member_id, e.birth_date, e.county, e.race, e.ethnicity,
           row_number() OVER (PARTITION BY e.person_id ORDER BY e.enrollment_start_date DESC, e.member_id) AS rn
    FROM stg_person_span e
    WHERE NOT e.alone
      AND e.enrollment_start_date <= $as_of AND (e.enrollment_end_date IS NULL OR e.enrollment_end_date >= $as_of)
      AND (e.death_on IS NULL OR e.death_on > $as_of)
),
chosen AS (
    SELECT e.person_id, e.person_ref, e.member_id, e.birth_date, e.county, e.race, e.ethnicity
    FROM stg_person_span e
    WHERE e.alone
      AND e.enrollment_start_date <= $as_of AND (e.enrollment_end_date IS NULL OR e.enrollment_end_date >= $as_of)
      AND (e.death_on IS NULL OR e.death_on > $as_of)
    UNION ALL
    SELECT person_id, person_ref, member_id, birth_date, county, race, ethnicity FROM ranked WHERE rn = 1
)
SELECT c.person_id, c.person_ref, c.member_id, c.birth_date, c.county, c.race, c.ethnicity,
       coalesce(k.county_key, '') AS county_key,
       year($as_of) - year(c.birth_date)
         - CASE WHEN month($as_of) * 100 + day($as_of) < month(c.birth_date) * 100 + day(c.birth_date)
                THEN 1 ELSE 0 END AS age
FROM chosen c
LEFT JOIN (SELECT DISTINCT lower(trim(county)) AS county_key FROM vs_county_phases) k
       ON k.county_key = lower(c.county)
