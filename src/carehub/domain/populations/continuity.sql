-- Source: seed 000 I.c, seed 004 VI.G; spec/populations-of-focus.md "Continuity": members in WPC or HHP (a span
-- covering D: enrolled or enrolling) who belong to a population, and members who received ECM elsewhere in the
-- last 6 months, are flagged for automatic authorization.
SELECT person_id, nullif(array_to_string(list_sort(list(evidence)), ';'), '') AS evidence
FROM def_program
WHERE ((program IN ('WPC', 'HHP') AND covers_d) OR (program = 'ECM' AND in_6m))
  AND person_id IN (SELECT person_id FROM met_population)
GROUP BY person_id
