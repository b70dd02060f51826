-- Source: spec/populations-of-focus.md "Shared definitions" (a diagnosis "in the last 12 months").
-- Every diagnosis in a value set on a claim in (D - 12 months, D] (one row per claim and value set, `principal`
-- when it is diagnosis_code_1, dated by the claim's start date), then per person and value set: the latest
-- diagnosis, any position and principal only, with the claim that proves it (latest date; ties by the greatest
-- claim id, so evidence is stable). Shorter windows (6 months homeless, 9 months pregnancy) read
-- this table with last_date > D - window: the latest claim of 12 months is the latest of any shorter window.
-- The claims come two ways (sources.py): diagnosis lines, grouped here (a scan of a plan folder; in a warehouse,
-- the people with a claim whose lines carry several start dates), and stored facts for everyone else: per person,
-- value set and claim in (date, claim id) order, the next claim's date (`until_date`) and the latest principal
-- claim so far, so the latest claim in the window is the one row dated in it whose next claim is after D.
-- Everyone's rows, considered on D or not (def_person.sql says why).
WITH diagnosis AS (
    SELECT d.person_id, d.claim_id, min(d.claim_start_date) AS dx_date, k.value_set,
           bool_or(d.position = 1) AS principal
    FROM stg_line_diagnosis d
    JOIN def_dx_class k ON k.raw_code = d.raw_code
    WHERE d.claim_start_date > $as_of - INTERVAL 12 MONTH AND d.claim_start_date <= $as_of
      AND k.value_set NOT IN ('AVOIDABLE_ED', 'ACSC')
    GROUP BY d.person_id, d.claim_id, k.value_set
)
SELECT person_id, value_set,
       max(dx_date) AS last_date,
       arg_max(claim_id, strftime(dx_date, '%Y-%m-%d') || claim_id) AS last_claim_id,
       max(CASE WHEN principal THEN dx_date END) AS last_principal_date,
       arg_max(CASE WHEN principal THEN claim_id END,
               CASE WHEN principal THEN strftime(dx_date, '%Y-%m-%d') || claim_id END) AS last_principal_claim_id
FROM diagnosis
WHERE dx_date > $as_of - INTERVAL 12 MONTH AND dx_date <= $as_of
GROUP BY person_id, value_set
UNION ALL
SELECT person_id, value_set, dx_date, claim_id,
       CASE WHEN principal_date > $as_of - INTERVAL 12 MONTH THEN principal_date END,
       CASE WHEN principal_date > $as_of - INTERVAL 12 MONTH THEN principal_claim_id END
FROM stg_condition_fact
WHERE dx_date > $as_of - INTERVAL 12 MONTH AND dx_date <= $as_of AND until_date > $as_of
