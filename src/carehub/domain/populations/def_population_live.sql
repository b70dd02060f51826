-- Source: spec/populations-of-focus.md "Go-live by county"; seed 000 Appendix A (Phase 1 counties with WPC/HHP
-- from 2022-01-01, Phase 2 from 2022-07-01); value sets county_phases.csv and go_live.csv. For every county key
-- (lower-case county, '' for a county the schedule does not know, which is treated as Phase 2) and population:
-- the date it goes live. A county row beats a phase row, which beats a `*` row.
WITH counties AS (
    SELECT lower(trim(county)) AS county_key, trim(phase) AS phase FROM vs_county_phases
    UNION ALL SELECT '', '2'
),
schedule AS (
    SELECT upper(trim(population)) AS population, trim(phase) AS phase, lower(trim(county)) AS county_key,
           CAST(live_from AS DATE) AS live_from
    FROM vs_go_live
)
SELECT c.county_key, s.population,
       coalesce(min(CASE WHEN s.county_key = c.county_key THEN s.live_from END),
                min(CASE WHEN coalesce(s.county_key, '') = '' AND s.phase = c.phase THEN s.live_from END),
                min(CASE WHEN coalesce(s.county_key, '') = '' AND s.phase = '*' THEN s.live_from END)) AS live_from
FROM counties c CROSS JOIN schedule s
GROUP BY c.county_key, s.population
