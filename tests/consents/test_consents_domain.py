"""carehub.domain.consent and part2: pure rules."""

from __future__ import annotations

from datetime import date

from carehub.domain import consent as c
from carehub.domain.part2 import is_part2_claim_line, is_sud_service

D = date(2026, 3, 1)


def test_in_force_window():
    terms = c.Terms(kind=c.PART2, effective_on=D, expires_on=date(2026, 3, 31), revoked_on=None)
    assert not c.in_force(terms, date(2026, 2, 28))
    assert c.in_force(terms, D) and c.in_force(terms, date(2026, 3, 31))
    assert not c.in_force(terms, date(2026, 4, 1))
    revoked = c.Terms(kind=c.PART2, effective_on=D, revoked_on=date(2026, 3, 10))
    assert c.in_force(revoked, date(2026, 3, 9)) and not c.in_force(revoked, date(2026, 3, 10))


def test_what_answers_what():
    roi = c.Terms(kind=c.DATA_SHARING, effective_on=D, categories=frozenset({c.CATEGORY_GENERAL}))
    roi_sud = c.Terms(kind=c.DATA_SHARING, effective_on=D, categories=frozenset({c.CATEGORY_PART2_SUD}))
    part2 = c.Terms(kind=c.PART2, effective_on=D)
    assert not c.satisfies(roi, c.PART2) and c.satisfies(roi_sud, c.PART2) and c.satisfies(part2, c.PART2)
    assert c.satisfies(part2, c.DATA_SHARING) and not c.satisfies(part2, c.TELEHEALTH)


def test_recipients():
    named = c.Terms(kind=c.PART2, effective_on=D, recipient_npis=frozenset({"1234567893"}))
    team = c.Terms(kind=c.PART2, effective_on=D, recipient_class=c.CLASS_CARE_TEAM)
    assert c.names_recipient(named, ["1234567893"], treating=False)
    assert not c.names_recipient(named, ["1245319599"], treating=True)
    assert c.names_recipient(team, ["1245319599"], treating=True)
    assert not c.names_recipient(team, ["1245319599"], treating=False)


def test_part2_elements_and_revocation():
    missing = c.part2_missing_elements(recipients=False, purpose="", categories=[], signer_name="",
                                       signer_relation="", signer_is_member=False, signed_on=None, expires_on=None,
                                       expiration_event="")
    assert len(missing) == 7
    assert c.part2_missing_elements(recipients=True, purpose="TPO", categories=[c.CATEGORY_PART2_SUD],
                                    signer_name="A", signer_relation="", signer_is_member=True, signed_on=D,
                                    expires_on=None, expiration_event="end of ECM") == []
    assert not c.revocation_accepted(c.PART2, "ORAL") and c.revocation_accepted(c.PART2, "WRITTEN")
    assert not c.revocation_accepted(c.DATA_SHARING, "ORAL", [c.CATEGORY_PART2_SUD])
    assert c.revocation_accepted(c.TELEHEALTH, "ORAL")


def test_sud_claim_lines():
    assert is_part2_claim_line({"diagnosis_code_1": "F10.20"})
    assert is_part2_claim_line({"diagnosis_code_1": "I10", "diagnosis_code_3": "F1520"})
    assert is_part2_claim_line({"diagnosis_code_1": "Z00.00", "hcpcs_code": "H0020"})
    assert is_part2_claim_line({"diagnosis_code_1": "Z00.00", "revenue_center_code": "944"})
    assert not is_part2_claim_line({"diagnosis_code_1": "F32.9", "hcpcs_code": "H0031"})
    assert is_sud_service("G2067") and not is_sud_service("99213", "0450")
