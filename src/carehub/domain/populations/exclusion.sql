-- Source: seed 004 VI.C.1.a-i; spec/populations-of-focus.md "Exclusions": one reason per person, the first in the
-- order of the spec's table. Programs and their reasons: value set exclusion_programs.csv. County TCM does not
-- exclude while D is in 2024-07-01..2025-06-30 when its detail is COMMUNICABLE_DISEASE or HOME_VISITING (VI.C.1.c).
-- UNRESPONSIVE (VI.C.1.d): an ECM provider recorded the member unreachable or declining after outreach within
-- the plan's look-back (value set outreach_outcomes.csv), from the operational database (stg_outreach_outcome,
-- empty on a run over plan data alone).
WITH reason AS (
    SELECT person_id, 'SELF_MANAGED' AS exclusion_reason, evidence FROM def_assessment
    WHERE kind = 'SELF_MANAGES_WELL' AND positive
    UNION ALL
    SELECT pe.person_id, upper(trim(x.exclusion_reason)), pe.evidence
    FROM def_program pe
    JOIN vs_exclusion_programs x ON upper(trim(x.program)) = pe.program
    WHERE pe.covers_d
      AND NOT (pe.program = 'TCM' AND coalesce(pe.detail, '') IN ('COMMUNICABLE_DISEASE', 'HOME_VISITING')
               AND $as_of BETWEEN DATE '2024-07-01' AND DATE '2025-06-30')
    UNION ALL
    SELECT person_id, 'UNSAFE', evidence FROM def_assessment
    WHERE kind IN ('UNSAFE_BEHAVIOR', 'UNSAFE_ENVIRONMENT') AND positive
    UNION ALL
    SELECT o.person_id, 'UNRESPONSIVE', 'outreach:' || o.outcome || ':' || CAST(o.outcome_date AS VARCHAR)
    FROM stg_outreach_outcome o
    JOIN vs_outreach_outcomes v ON upper(trim(v.outcome)) = o.outcome
    WHERE o.outcome_date <= $as_of
      AND date_diff('day', o.outcome_date, $as_of) < CAST(trim(v.lookback_days) AS INTEGER)
),
ranked AS (
    SELECT r.*, CASE r.exclusion_reason WHEN 'SELF_MANAGED' THEN 1 WHEN 'HOSPICE_OR_PALLIATIVE' THEN 2
                    WHEN 'COUNTY_TCM' THEN 3 WHEN 'UNSAFE' THEN 4 WHEN 'CHW_BENEFIT' THEN 5
                    WHEN 'DUPLICATIVE_PROGRAM' THEN 6 WHEN 'PLAN_CASE_MANAGEMENT' THEN 7 WHEN 'UNRESPONSIVE' THEN 8
                    ELSE 9 END AS rank
    FROM reason r
)
SELECT person_id,
       arg_min(exclusion_reason, CAST(rank AS VARCHAR) || evidence) AS exclusion_reason,
       arg_min(evidence, CAST(rank AS VARCHAR) || evidence) AS evidence
FROM ranked
WHERE person_id IN (SELECT person_id FROM met_population)
GROUP BY person_id
