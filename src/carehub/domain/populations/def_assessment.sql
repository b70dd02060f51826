-- Source: spec/input-layout.md "assessment"; spec/populations-of-focus.md (assessment-based criteria and
-- exclusions, "in the last 12 months"). Per person and kind, the latest finding in (D - 12 months, D]: a newer
-- finding supersedes an older one. `positive` is true for `true` or, for ACES_SCORE, a score of 4 or more.
-- Everyone's rows, considered on D or not (def_person.sql says why).
SELECT a.person_id, a.kind,
       max(a.assessed_on) AS assessed_on,
       arg_max(a.value, CAST(a.assessed_on AS VARCHAR) || coalesce(a.value, '')) AS value,
       CASE WHEN a.kind = 'ACES_SCORE'
            THEN TRY_CAST(arg_max(a.value, CAST(a.assessed_on AS VARCHAR) || coalesce(a.value, '')) AS INTEGER) >= 4
            ELSE arg_max(a.value, CAST(a.assessed_on AS VARCHAR) || coalesce(a.value, '')) = 'true' END AS positive,
       'assessment:' || a.kind || ':' || CAST(max(a.assessed_on) AS VARCHAR) AS evidence
FROM stg_assessment a
WHERE a.assessed_on > $as_of - INTERVAL 12 MONTH AND a.assessed_on <= $as_of
GROUP BY a.person_id, a.kind
