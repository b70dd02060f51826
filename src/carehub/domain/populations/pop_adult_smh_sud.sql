-- Source: seed 004 VI.A.4.d; spec/populations-of-focus.md "ADULT_SMH_SUD": meets SMHS or DMC-ODS/DMC criteria,
-- and a complex social factor, and at least one of: a high-risk assessment (institutionalization, overdose,
-- suicide); crisis, ED or inpatient care with no primary care office visit (value set PRIMARY_CARE_HCPCS) in the
-- last 12 months; >= 2 ED visits or >= 2 stays with an SMI/SUD principal diagnosis in the last 12 months;
-- pregnant or postpartum. Crisis care is a crisis service claim (CRISIS_HCPCS) or a recorded mental health crisis
-- contact (assessment MH_CRISIS_CONTACT: seed VI.A.4.d.4.b "use crisis services"); the same contact is also a
-- complex social factor (spec "complex social factor"), as the seed lists the two apart and one event may meet both.
WITH acute AS (
    SELECT person_id, 'CRISIS_ED_OR_INPATIENT' AS kind, 'claim:' || claim_id AS evidence
    FROM def_claim
    WHERE is_crisis AND start_date > $as_of - INTERVAL 12 MONTH
    UNION ALL
    SELECT person_id, 'CRISIS_ED_OR_INPATIENT', 'claim:' || claim_id FROM def_ed_visit
    WHERE visit_date > $as_of - INTERVAL 12 MONTH AND visit_date <= $as_of
    UNION ALL
    SELECT person_id, 'CRISIS_ED_OR_INPATIENT', 'claim:' || claim_id FROM def_stay
    WHERE stay_kind = 'INPATIENT' AND admission_date > $as_of - INTERVAL 12 MONTH AND admission_date <= $as_of
    UNION ALL
    SELECT person_id, 'CRISIS_ED_OR_INPATIENT', evidence FROM def_assessment
    WHERE kind = 'MH_CRISIS_CONTACT' AND positive
),
primary_care AS (
    SELECT person_id FROM def_primary_care
),
acuity AS (
    SELECT person_id, 'HIGH_RISK_ASSESSMENT' AS criterion, evidence FROM def_assessment
    WHERE positive AND kind IN ('HIGH_RISK_INSTITUTIONALIZATION', 'HIGH_RISK_OVERDOSE', 'HIGH_RISK_SUICIDE')
    UNION ALL
    SELECT person_id, 'CRISIS_ED_INPATIENT_NO_PRIMARY_CARE_12M', evidence FROM acute
    WHERE person_id NOT IN (SELECT person_id FROM primary_care)
    UNION ALL
    SELECT person_id, 'SMH_SUD_ED_2_IN_12M', 'claim:' || smi_sud_claim_id FROM def_ed_visit
    WHERE smi_sud AND visit_date > $as_of - INTERVAL 12 MONTH AND visit_date <= $as_of
      AND person_id IN (SELECT person_id FROM def_ed_visit
                        WHERE smi_sud AND visit_date > $as_of - INTERVAL 12 MONTH AND visit_date <= $as_of
                        GROUP BY person_id HAVING count(*) >= 2)
    UNION ALL
    SELECT person_id, 'SMH_SUD_STAYS_2_IN_12M', 'claim:' || claim_id FROM def_stay
    WHERE smi_sud AND admission_date > $as_of - INTERVAL 12 MONTH AND admission_date <= $as_of
      AND person_id IN (SELECT person_id FROM def_stay
                        WHERE smi_sud AND admission_date > $as_of - INTERVAL 12 MONTH AND admission_date <= $as_of
                        GROUP BY person_id HAVING count(DISTINCT admission_date) >= 2)
    UNION ALL
    SELECT person_id, 'PREGNANT_OR_POSTPARTUM', evidence FROM def_pregnancy
),
acuity_by_person AS (
    SELECT person_id, nullif(array_to_string(list_sort(list(DISTINCT criterion)), ';'), '') AS criteria,
           nullif(array_to_string(list_sort(list(evidence)), ';'), '') AS evidence
    FROM acuity
    WHERE person_id IN (SELECT person_id FROM def_smh_sud_criteria)  -- only people meeting SMHS/DMC criteria matter
    GROUP BY person_id
)
SELECT p.person_id, 'ADULT_SMH_SUD' AS population,
       concat_ws(';', m.criteria, 'COMPLEX_SOCIAL_FACTOR', a.criteria) AS criteria,
       concat_ws(';', m.evidence, s.evidence, a.evidence) AS evidence
FROM def_person p
JOIN def_smh_sud_criteria m ON m.person_id = p.person_id
JOIN def_complex_social_factor s ON s.person_id = p.person_id
JOIN acuity_by_person a ON a.person_id = p.person_id
WHERE p.age >= 21
