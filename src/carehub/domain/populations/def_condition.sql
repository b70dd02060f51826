-- Source: spec/populations-of-focus.md "Shared definitions" (a diagnosis "in the last 12 months").
-- Per person and value set: the latest diagnosis in (D - 12 months, D], any position and principal only, with the
-- claim that proves it (latest date; ties by the greatest claim id, so evidence is stable).
SELECT person_id, value_set,
       max(dx_date) AS last_date,
       arg_max(claim_id, strftime(dx_date, '%Y-%m-%d') || claim_id) AS last_claim_id,
       max(CASE WHEN principal THEN dx_date END) AS last_principal_date,
       arg_max(CASE WHEN principal THEN claim_id END,
               CASE WHEN principal THEN strftime(dx_date, '%Y-%m-%d') || claim_id END) AS last_principal_claim_id
FROM def_diagnosis
WHERE dx_date > $as_of - INTERVAL 12 MONTH AND dx_date <= $as_of
GROUP BY person_id, value_set
