-- Source: spec/populations-of-focus.md "unplanned stay": inpatient (011x) or short-term skilled nursing (021x,
-- stay <= 100 days) with admit type 1 (emergency) or 2 (urgent), or admitted through the ED (an ED revenue line on
-- the stay, or an ED claim on the admission date or the day before); one stay per admission date. The ED claims of
-- people whose visits a warehouse stores are not in def_claim but in stg_ed_visit_fact (same window: sources.py).
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
