-- Source: spec/populations-of-focus.md "Shared definitions". Every diagnosis of a considered person's claim in a
-- value set: one row per claim and value set, `principal` when it is diagnosis_code_1. Dated by claim start.
WITH dx AS (
    SELECT person_id, claim_id, start_date, position, code
    FROM (UNPIVOT (SELECT person_id, claim_id, start_date, dx_1, dx_2, dx_3, dx_4, dx_5, dx_6, dx_7, dx_8, dx_9,
                          dx_10, dx_11, dx_12, dx_13, dx_14, dx_15, dx_16, dx_17, dx_18, dx_19, dx_20, dx_21,
                          dx_22, dx_23, dx_24, dx_25
                   FROM def_claim)
          ON dx_1, dx_2, dx_3, dx_4, dx_5, dx_6, dx_7, dx_8, dx_9, dx_10, dx_11, dx_12, dx_13,
             dx_14, dx_15, dx_16, dx_17, dx_18, dx_19, dx_20, dx_21, dx_22, dx_23, dx_24, dx_25
          INTO NAME position VALUE code)
)
SELECT dx.person_id, dx.claim_id, dx.start_date AS dx_date, k.value_set, bool_or(dx.position = 'dx_1') AS principal
FROM dx
JOIN def_dx_class k ON k.code = dx.code
GROUP BY dx.person_id, dx.claim_id, dx.start_date, k.value_set
