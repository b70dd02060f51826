-- Source: spec/populations-of-focus.md ADULT_SMH_SUD ("no primary care office visit (99202-99215) in the last
-- 12 months"; value set PRIMARY_CARE_HCPCS). One row per person with an office-visit line in (D - 12 months, D],
-- with the latest visit date; only for people meeting the SMHS/DMC criteria (def_smh_sud_criteria, considered
-- people only), the only ones pop_adult_smh_sud asks about.
-- A warehouse stores, per person, each visit date with the next one (stg_primary_care_fact): the latest visit on
-- or before D is the one row with visit_date <= D < until_date. Visit days of the people not stored so (and every
-- day on a scan) are grouped (stg_primary_care_day); a person is in one source or the other.
SELECT person_id, max(claim_start_date) AS last_visit_date
FROM stg_primary_care_day
WHERE claim_start_date > $as_of - INTERVAL 12 MONTH AND claim_start_date <= $as_of
  AND person_id IN (SELECT person_id FROM def_smh_sud_criteria)
GROUP BY person_id
UNION ALL
SELECT person_id, visit_date
FROM stg_primary_care_fact
WHERE visit_date > $as_of - INTERVAL 12 MONTH AND visit_date <= $as_of AND until_date > $as_of
  AND person_id IN (SELECT person_id FROM def_smh_sud_criteria)
