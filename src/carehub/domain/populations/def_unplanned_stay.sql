-- Source: spec/populations-of-focus.md "unplanned stay": inpatient (011x) or short-term skilled nursing (021x,
-- stay <= 100 days) with admit type 1 (emergency) or 2 (urgent), or admitted through the ED (an ED revenue line on
-- the stay, or an ED claim on the admission date or the day before); one stay per admission date. The ED claims of
-- people whose visits a warehouse stores are not in def_claim but in stg_ed_visit_fact (same window: sources.py).
-- def_stay keeps an inpatient and a skilled nursing stay admitted the same day apart (their tests differ: 100 days);
-- those that qualify are one stay here, avoidable when either is, cited by the claim that makes it so.
WITH qualifying AS (
    SELECT s.*
    FROM def_stay s
    WHERE (s.stay_kind = 'INPATIENT'
           OR date_diff('day', s.admission_date, CASE WHEN s.discharged THEN s.discharge_date ELSE $as_of END) <= 100)
      AND (s.emergency_or_urgent OR s.has_ed_revenue
           OR EXISTS (SELECT 1 FROM def_claim c
                      WHERE c.is_ed AND c.person_id = s.person_id
                        AND c.start_date >= s.admission_date - INTERVAL 1 DAY AND c.start_date <= s.admission_date)
           OR EXISTS (SELECT 1 FROM stg_ed_visit_fact f
                      WHERE f.person_id = s.person_id
                        AND f.visit_date >= s.admission_date - INTERVAL 1 DAY AND f.visit_date <= s.admission_date))
)
SELECT person_id, admission_date, bool_or(acsc) AS acsc,
       coalesce(min(CASE WHEN acsc THEN claim_id END), min(claim_id)) AS claim_id
FROM qualifying
GROUP BY person_id, admission_date
