-- Source: spec/populations-of-focus.md "Shared definitions" (SMI, SUD, mental illness, I/DD, chronic, SDOH,
-- homeless Z59.0x, pregnancy, delivery, avoidable ED, ACSC); value set vs_diagnoses (valuesets/diagnoses.csv).
-- Each distinct diagnosis code of the claims (raw spelling, and normalised: no dot, upper case), with every value
-- set it belongs to: a code belongs when an included prefix matches and no excluded prefix of the same value set
-- does. Prefixes may be written with a dot. Classifying distinct codes once spares cleaning every claim line.
WITH prefixes AS (
    SELECT upper(trim(value_set)) AS value_set, upper(replace(trim(code_prefix), '.', '')) AS prefix,
           coalesce(TRY_CAST(lower(trim(exclude)) AS BOOLEAN), false) AS exclude
    FROM vs_diagnoses
)
SELECT DISTINCT c.raw_code, c.code, i.value_set
FROM stg_dx_code c
JOIN prefixes i ON NOT i.exclude AND starts_with(c.code, i.prefix)
WHERE NOT EXISTS (SELECT 1 FROM prefixes x
                  WHERE x.exclude AND x.value_set = i.value_set AND starts_with(c.code, x.prefix))
