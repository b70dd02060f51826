-- Source: seed 004 VI.A.4.h; spec/populations-of-focus.md "ADULT_BIRTH_EQUITY": adults 21+ (def_birth_equity).
SELECT person_id, 'ADULT_BIRTH_EQUITY' AS population, criteria, evidence
FROM def_birth_equity
WHERE age >= 21
