-- Source: seed 004 VI.A.4.d.3, VI.A.4.f.2, VI.A.5.e ("at least one complex social factor influencing their
-- health"); spec/populations-of-focus.md "complex social factor", in the last 12 months: a housing status other
-- than HOUSED; an SDOH diagnosis Z55-Z65; a release from incarceration; ACES_SCORE >= 4; LAW_ENFORCEMENT_CONTACT
-- or MH_CRISIS_CONTACT.
-- Everyone's rows, considered on D or not (def_person.sql says why).
SELECT person_id, nullif(array_to_string(list_sort(list(DISTINCT evidence)), ';'), '') AS evidence
FROM (
    SELECT h.person_id, 'housing:' || h.status || ':' || CAST(h.start_date AS VARCHAR) AS evidence
    FROM stg_housing_status h
    WHERE h.status <> 'HOUSED' AND h.start_date <= $as_of
      AND (h.end_date IS NULL OR h.end_date > $as_of - INTERVAL 12 MONTH)
    UNION ALL
    SELECT person_id, 'claim:' || last_claim_id FROM def_condition WHERE value_set = 'SDOH'
    UNION ALL
    SELECT person_id, 'incarceration:' || i.facility_type || ':' || CAST(i.release_date AS VARCHAR)
    FROM stg_incarceration i
    WHERE i.release_date > $as_of - INTERVAL 12 MONTH AND i.release_date <= $as_of
    UNION ALL
    SELECT person_id, evidence FROM def_assessment
    WHERE positive AND kind IN ('ACES_SCORE', 'LAW_ENFORCEMENT_CONTACT', 'MH_CRISIS_CONTACT')
) t
GROUP BY person_id
