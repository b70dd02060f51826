-- Source: seed 004 VI.A.4.d.1 and VI.A.5.c (meets the criteria for SMHS, DMC-ODS or DMC); spec
-- populations-of-focus.md ADULT_SMH_SUD: program SMHS, DMC_ODS or DMC in the last 12 months, or an SMI or SUD
-- principal diagnosis in the last 12 months.
SELECT person_id,
       nullif(array_to_string(list_sort(list(DISTINCT criterion)), ';'), '') AS criteria,
       nullif(array_to_string(list_sort(list(evidence)), ';'), '') AS evidence
FROM (
    SELECT person_id, 'SMHS_DMC_PROGRAM_12M' AS criterion, evidence
    FROM def_program WHERE program IN ('SMHS', 'DMC_ODS', 'DMC') AND in_12m
    UNION ALL
    SELECT person_id, 'SMI_SUD_PRINCIPAL_DX_12M', 'claim:' || last_principal_claim_id
    FROM def_condition WHERE value_set IN ('SMI', 'SUD') AND last_principal_claim_id IS NOT NULL
) t
GROUP BY person_id
