-- Source: spec/input-layout.md "program_enrollment". Every program span that overlaps the last 12 months, flagged
-- `covers_d` (start <= D and no end or end >= D), `in_12m` (overlaps (D - 12 months, D]) and `in_6m`; `evidence`
-- is the reference `program:<PROGRAM>:<start date>`.
-- Everyone's rows, considered on D or not (def_person.sql says why).
SELECT p.person_id, p.program, p.detail, p.start_date, p.end_date,
       p.end_date IS NULL OR p.end_date >= $as_of AS covers_d,
       p.end_date IS NULL OR p.end_date > $as_of - INTERVAL 12 MONTH AS in_12m,
       p.end_date IS NULL OR p.end_date > $as_of - INTERVAL 6 MONTH AS in_6m,
       'program:' || p.program || ':' || coalesce(CAST(p.start_date AS VARCHAR), '') AS evidence
FROM stg_program_enrollment p
WHERE p.start_date <= $as_of
