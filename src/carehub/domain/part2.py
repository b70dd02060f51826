"""42 CFR Part 2: what counts as substance use disorder (SUD) information that needs the member's consent before a
provider may see it.

Sources: DESIGN.md "Access and audit" (Part 2 information only with consent); spec/input-layout.md
"program_enrollment" (DMC, DMC_ODS are Drug Medi-Cal programs); ICD-10-CM chapter 5 block F10-F19 "Mental and
behavioural disorders due to psychoactive substance use".
"""

from __future__ import annotations

PART2_PROGRAMS: frozenset[str] = frozenset({"DMC", "DMC_ODS"})
SUD_DIAGNOSIS_PREFIXES: frozenset[str] = frozenset(f"F{n}" for n in range(10, 20))


def is_part2_program(program: str) -> bool:
    """A Drug Medi-Cal (or DMC Organized Delivery System) program row."""
    return program.strip().upper() in PART2_PROGRAMS


def is_sud_diagnosis(code: str | None) -> bool:
    """An ICD-10-CM code in F10-F19, written with or without the dot (F10.20, F1020)."""
    if not code:
        return False
    return code.replace(".", "").strip().upper()[:3] in SUD_DIAGNOSIS_PREFIXES
