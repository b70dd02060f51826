-- Source: spec/populations-of-focus.md "Shared definitions" (SMI, SUD, mental illness, I/DD, chronic, SDOH,
-- homeless Z59.0x, pregnancy, delivery, avoidable ED, ACSC); value set vs_diagnoses (valuesets/diagnoses.csv).
-- Each distinct diagnosis code seen, with every value set it belongs to: a code belongs when an included prefix
-- matches and no excluded prefix of the same value set does. Prefixes are written with or without the dot.
WITH codes AS (
    SELECT DISTINCT code
    FROM (UNPIVOT (SELECT dx_1, dx_2, dx_3, dx_4, dx_5, dx_6, dx_7, dx_8, dx_9, dx_10, dx_11, dx_12, dx_13,
                          dx_14, dx_15, dx_16, dx_17, dx_18, dx_19, dx_20, dx_21, dx_22, dx_23, dx_24, dx_25
                   FROM def_claim)
          ON dx_1, dx_2, dx_3, dx_4, dx_5, dx_6, dx_7, dx_8, dx_9, dx_10, dx_11, dx_12, dx_13,
             dx_14, dx_15, dx_16, dx_17, dx_18, dx_19, dx_20, dx_21, dx_22, dx_23, dx_24, dx_25
          INTO NAME position VALUE code)
),
prefixes AS (
    SELECT upper(trim(value_set)) AS value_set, upper(replace(trim(code_prefix), '.', '')) AS prefix,
           coalesce(TRY_CAST(lower(trim(exclude)) AS BOOLEAN), false) AS exclude
    FROM vs_diagnoses
)
SELECT DISTINCT c.code, i.value_set
FROM codes c
JOIN prefixes i ON NOT i.exclude AND starts_with(c.code, i.prefix)
WHERE NOT EXISTS (SELECT 1 FROM prefixes x
                  WHERE x.exclude AND x.value_set = i.value_set AND starts_with(c.code, x.prefix))
