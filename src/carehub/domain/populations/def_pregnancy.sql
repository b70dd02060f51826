-- Source: seed 004 VI.A.4.d.4.d, VI.A.4.h.1, VI.A.5.h (pregnant, or postpartum through 12 months after delivery);
-- spec/populations-of-focus.md "pregnant": a diagnosis O00-O9A (not a delivery code), Z33.1 or Z34.x (value set
-- PREGNANCY) in the last 9 months with no delivery on or after it; "postpartum": a delivery (O80, O82, Z37.x, value
-- set DELIVERY, or a delivery procedure) in the last 12 months. One row per person and criterion.
WITH pregnancy AS (
    -- the latest PREGNANCY claim of 12 months (def_condition), when it is within 9 months
    SELECT person_id, last_date, last_claim_id AS claim_id
    FROM def_condition
    WHERE value_set = 'PREGNANCY' AND last_date > $as_of - INTERVAL 9 MONTH
),
delivery AS (
    SELECT person_id, max(d) AS last_date, arg_max(claim_id, CAST(d AS VARCHAR) || claim_id) AS claim_id
    FROM (SELECT person_id, last_claim_id AS claim_id, last_date AS d FROM def_condition WHERE value_set = 'DELIVERY'
          UNION ALL
          SELECT person_id, claim_id, start_date FROM def_claim WHERE is_delivery_procedure) t
    WHERE d > $as_of - INTERVAL 12 MONTH AND d <= $as_of
    GROUP BY person_id
)
SELECT p.person_id, 'PREGNANT' AS criterion, 'claim:' || p.claim_id AS evidence
FROM pregnancy p LEFT JOIN delivery d ON d.person_id = p.person_id
WHERE d.last_date IS NULL OR d.last_date < p.last_date
UNION ALL
SELECT person_id, 'POSTPARTUM', 'claim:' || claim_id FROM delivery
