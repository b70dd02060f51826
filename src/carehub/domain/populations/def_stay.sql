-- Source: spec/populations-of-focus.md "unplanned stay"; seed 004 VI.A.4.c.2 (hospital and short-term skilled
-- nursing stays). Every inpatient (bill type 011x) or skilled nursing (021x) stay: one per person, kind and
-- admission date, whatever the number of (interim) claims; with the principal diagnoses' value sets.
WITH stay_claim AS (
    SELECT c.*, coalesce(c.admission_date, c.start_date) AS admitted,
           CASE WHEN c.bill_type LIKE '11%' THEN 'INPATIENT' ELSE 'SNF' END AS stay_kind,
           EXISTS (SELECT 1 FROM def_dx_class k WHERE k.raw_code = c.dx_1 AND k.value_set = 'ACSC') AS acsc,
           EXISTS (SELECT 1 FROM def_dx_class k WHERE k.raw_code = c.dx_1 AND k.value_set IN ('SMI', 'SUD')) AS smi_sud
    FROM def_claim c
    WHERE c.claim_type = 'institutional' AND (c.bill_type LIKE '11%' OR c.bill_type LIKE '21%')
)
SELECT s.person_id, s.stay_kind, s.admitted AS admission_date,
       max(coalesce(s.discharge_date, s.end_date)) AS discharge_date,
       bool_or(s.discharge_date IS NOT NULL) AS discharged,
       min(s.claim_id) AS claim_id,
       bool_or(s.admit_type IN ('1', '2')) AS emergency_or_urgent,
       bool_or(s.is_ed) AS has_ed_revenue,
       bool_or(s.acsc) AS acsc,
       bool_or(s.smi_sud) AS smi_sud
FROM stay_claim s
GROUP BY s.person_id, s.stay_kind, s.admitted
