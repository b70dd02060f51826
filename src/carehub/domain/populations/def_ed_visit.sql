-- Source: spec/populations-of-focus.md "ED visit": a distinct date with an institutional line with revenue code
-- 0450-0459 or 0981, or a professional line with place of service 23 or HCPCS 99281-99285 (value set vs_codes);
-- a visit followed by an inpatient admission on the same or next day counts as that admission, not as an ED visit.
-- `avoidable` / `smi_sud`: the principal diagnosis of one of the visit's claims is in that value set.
-- Only visits dated in (D - 12 months, D], the longest window any reader counts. A warehouse stores most people's
-- visits already grouped (stg_ed_visit_fact, sources._stored_parts "ed_visit_fact"; their ED claims are not in
-- def_claim; sources._stored_parts groups them as `visit` below does: keep the two in step); the claims of the
-- others are grouped here. The admission test runs on both.
WITH ed_claim AS (
    SELECT c.person_id, c.start_date AS visit_date, c.claim_id,
           coalesce(c.dx_1 IN (SELECT raw_code FROM def_dx_class WHERE value_set = 'AVOIDABLE_ED'), false) AS avoidable,
           coalesce(c.dx_1 IN (SELECT raw_code FROM def_dx_class WHERE value_set IN ('SMI', 'SUD')), false) AS smi_sud
    FROM def_claim c
    WHERE c.is_ed AND c.start_date > $as_of - INTERVAL 12 MONTH AND c.start_date <= $as_of
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
    UNION ALL
    SELECT person_id, visit_date, claim_id, avoidable, avoidable_claim_id, smi_sud, smi_sud_claim_id
    FROM stg_ed_visit_fact
    WHERE visit_date > $as_of - INTERVAL 12 MONTH
),
-- the days whose ED visit is an inpatient admission (on the admission date or the day before): an equality join,
-- which runs as one hash anti-join where the range test (admission in [visit, visit + 1 day]) needed a grouping
admission_day AS (
    SELECT person_id, admission_date AS visit_date FROM def_stay WHERE stay_kind = 'INPATIENT'
    UNION
    SELECT person_id, CAST(admission_date - INTERVAL 1 DAY AS DATE) FROM def_stay WHERE stay_kind = 'INPATIENT'
)
SELECT v.* FROM visit v
WHERE NOT EXISTS (SELECT 1 FROM admission_day a WHERE a.person_id = v.person_id AND a.visit_date = v.visit_date)
