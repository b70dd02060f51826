"""Well-formedness of the code systems in the input layout (spec/input-layout.md). Pure functions, no Django.

These check the shape of a code, not that it exists in a code set version: a plan's history spans code set
years, and the identification rules compare against their own value sets.
"""

from __future__ import annotations

import re

# ICD-10-CM (CMS ICD-10-CM Official Guidelines, code structure): a letter (U is reserved for emergency use), a
# digit, an alphanumeric, then up to four more characters after an optional dot.
ICD10_CM = r"[A-TV-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?"
# HCPCS Level II (a letter and four digits) and CPT (five digits, or four digits and F/T/U for categories II/III).
HCPCS = r"[A-Z][0-9]{4}|[0-9]{4}[0-9FTU]"
REVENUE = r"[0-9]{4}"  # UB-04 revenue codes, with the leading zero
BILL_TYPE = r"0?[0-9]{3}"  # UB-04 type of bill: facility, care type, frequency (leading zero optional)
POS = r"[0-9]{2}"  # CMS Place of Service code set
NDC = r"[0-9]{11}|[0-9]{10}|[0-9]{4,5}-[0-9]{3,4}-[0-9]{1,2}"  # NDC as 11 digits, 10 digits or hyphenated
NPI = r"[0-9]{10}"

PATTERNS: dict[str, str] = {
    "icd10": ICD10_CM, "hcpcs": HCPCS, "revenue": REVENUE, "bill_type": BILL_TYPE, "pos": POS, "ndc": NDC,
    "npi": NPI,
}
DESCRIPTIONS: dict[str, str] = {
    "icd10": "is not a well-formed ICD-10-CM code",
    "hcpcs": "is not a HCPCS/CPT code (5 characters)",
    "revenue": "is not a revenue code (4 digits)",
    "bill_type": "is not a type of bill (3 digits, optional leading 0)",
    "pos": "is not a place of service code (2 digits)",
    "ndc": "is not an NDC (11 digits, 10 digits or 5-4-2)",
    "npi": "is not a valid NPI (10 digits with a Luhn check digit)",
}
_COMPILED = {k: re.compile(v) for k, v in PATTERNS.items()}


def npi_is_valid(npi: str) -> bool:
    """NPI check digit: Luhn over the 9 leading digits prefixed with 80840 (CMS NPI standard, check digit)."""
    if not re.fullmatch(NPI, npi):
        return False
    total = 0
    for i, ch in enumerate(reversed("80840" + npi[:9])):
        d = int(ch)
        if i % 2 == 0:  # doubled: the rightmost payload digit, next to the check digit
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return (10 - total % 10) % 10 == int(npi[9])


def is_well_formed(check: str, value: str) -> bool:
    """True when `value` (already trimmed) has the shape of code system `check`."""
    if check == "npi":
        return npi_is_valid(value)
    pattern = _COMPILED[check]
    return bool(pattern.fullmatch(value.upper() if check in ("icd10", "hcpcs") else value))
