-- Source: seed 004 VI.A.5.h; spec/populations-of-focus.md "CHILD_BIRTH_EQUITY": under 21 (def_birth_equity).
SELECT person_id, 'CHILD_BIRTH_EQUITY' AS population, criteria, evidence
FROM def_birth_equity
WHERE age < 21
