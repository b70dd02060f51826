-- Source: spec/populations-of-focus.md "ED visit": a distinct date with an institutional line with revenue code
-- 0450-0459 or 0981, or a professional line with place of service 23 or HCPCS 99281-99285 (value set vs_codes);
-- a visit followed by an inpatient admission on the same or next day counts as that admission, not as an ED visit.
-- `avoidable` / `smi_sud`: the principal diagnosis of one of the visit's claims is in that value set.
WITH ed_claim AS (
    SELECT c.person_id, c.start_date AS visit_date, c.claim_id,
           coalesce(c.dx_1 IN (SELECT raw_code FROM def_dx_class WHERE value_set = 'AVOIDABLE_ED'), false) AS avoidable,
           coalesce(c.dx_1 IN (SELECT raw_code FROM def_dx_class WHERE value_set IN ('SMI', 'SUD')), false) AS smi_sud
    FROM def_claim c
    WHERE c.is_ed
),
visit AS (
    SELECT e.person_id, e.visit_date,
           min(e.claim_id) AS claim_id,
           bool_or(e.avoidable) AS avoidable,
           min(CASE WHEN e.avoidable THEN e.claim_id END) AS avoidable_claim_id,
           bool_or(e.smi_sud) AS smi_sud,
           min(CASE WHEN e.smi_sud THEN e.claim_id END) AS smi_sud_claim_id
    FROM ed_claim e
    GROUP BY e.person_id, e.visit_date
)
-- the admission test is on the visit (person and date), so it runs once per visit, not per claim
SELECT v.* FROM visit v
WHERE NOT EXISTS (SELECT 1 FROM def_stay s
                  WHERE s.person_id = v.person_id AND s.stay_kind = 'INPATIENT'
                    AND s.admission_date >= v.visit_date AND s.admission_date <= v.visit_date + INTERVAL 1 DAY)
