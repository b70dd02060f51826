-- Source: seed 004 VI.A.5.f; spec/populations-of-focus.md "CHILD_WELFARE": FOSTER_CARE covering D or ended in the
-- last 12 months (under 21); or foster care that ended at 18 or later and the person is now 21-25 (aged out, up to
-- 26); or under 18 with ADOPTION_ASSISTANCE covering D; or under 18 with FAMILY_MAINTENANCE in the last 12 months.
WITH facts AS (
    SELECT p.person_id, 'FOSTER_CARE_12M' AS criterion, f.evidence
    FROM def_person p JOIN def_program f ON f.person_id = p.person_id AND f.program = 'FOSTER_CARE' AND f.in_12m
    WHERE p.age < 21
    UNION ALL
    SELECT p.person_id, 'AGED_OUT_FOSTER_CARE', f.evidence
    FROM def_person p JOIN def_program f ON f.person_id = p.person_id AND f.program = 'FOSTER_CARE'
    WHERE p.age BETWEEN 21 AND 25 AND f.start_date <= $as_of
      AND coalesce(f.end_date, $as_of) >= p.birth_date + INTERVAL 18 YEAR
    UNION ALL
    SELECT p.person_id, 'ADOPTION_ASSISTANCE', a.evidence
    FROM def_person p JOIN def_program a ON a.person_id = p.person_id AND a.program = 'ADOPTION_ASSISTANCE'
                                         AND a.covers_d
    WHERE p.age < 18
    UNION ALL
    SELECT p.person_id, 'FAMILY_MAINTENANCE_12M', m.evidence
    FROM def_person p JOIN def_program m ON m.person_id = p.person_id AND m.program = 'FAMILY_MAINTENANCE'
                                         AND m.in_12m
    WHERE p.age < 18
)
SELECT person_id, 'CHILD_WELFARE' AS population,
       nullif(array_to_string(list_sort(list(DISTINCT criterion)), ';'), '') AS criteria,
       nullif(array_to_string(list_sort(list(evidence)), ';'), '') AS evidence
FROM facts
GROUP BY person_id
