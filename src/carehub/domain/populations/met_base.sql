-- Source: spec/populations-of-focus.md "Go-live by county" and "A person may meet several populations: report
-- each". The populations that stand on their own (not the ones defined by "meets another population"), kept only
-- where live in the member's county on D.
WITH met AS (
    SELECT * FROM pop_adult_homeless
    UNION ALL SELECT * FROM pop_adult_avoidable_utilization
    UNION ALL SELECT * FROM pop_adult_smh_sud
    UNION ALL SELECT * FROM pop_adult_reentry
    UNION ALL SELECT * FROM pop_adult_ltc_risk
    UNION ALL SELECT * FROM pop_adult_nf_transition
    UNION ALL SELECT * FROM pop_child_homeless
    UNION ALL SELECT * FROM pop_family_homeless
    UNION ALL SELECT * FROM pop_child_avoidable_utilization
    UNION ALL SELECT * FROM pop_child_smh_sud
    UNION ALL SELECT * FROM pop_child_reentry
    UNION ALL SELECT * FROM pop_child_ccs
    UNION ALL SELECT * FROM pop_child_welfare
)
SELECT m.person_id, m.population, m.criteria, m.evidence
FROM met m
JOIN def_person p ON p.person_id = m.person_id
JOIN def_population_live l ON l.county_key = p.county_key AND l.population = m.population
WHERE l.live_from <= $as_of
