"""Consents and data-sharing authorizations: when one is in force, whom it covers, and what a valid 42 CFR Part 2
consent must say. Pure functions over plain values (the consents app maps its rows onto `Terms`).

Sources:
- seed 003 1.d.vi and 10.a: consent to receive ECM is not required, and member authorization of data sharing is
  not required before ECM starts "except where required by federal law" (42 CFR Part 2 is that federal law).
- seed 003 1.c: ECM by telehealth only "with the Member's consent" (recorded as its own consent).
- 42 CFR 2.31 (2024 final rule, 89 FR 12472): the elements of a written Part 2 consent (who may disclose, the
  recipients by name or as a class, the purpose, the kind and amount of information, the right to revoke in
  writing, an expiration date, event or condition, the signature and date, and who signed for the patient); a
  single consent may cover all future uses and disclosures for treatment, payment and health care operations.
- 42 CFR 2.31(a)(6)/(a)(8) and 2.4 of the 2024 rule: revocation of a Part 2 consent is made in writing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

# Kinds (mirrors carehub.apps.consents.models.ConsentKind).
DATA_SHARING = "DATA_SHARING"
PART2 = "PART2"
ELECTRONIC_COMMUNICATION = "ELECTRONIC_COMMUNICATION"
TELEHEALTH = "TELEHEALTH"

# Categories of information a data-sharing authorization may cover.
CATEGORY_GENERAL = "GENERAL"
CATEGORY_MENTAL_HEALTH = "MENTAL_HEALTH"
CATEGORY_HIV = "HIV"
CATEGORY_PART2_SUD = "PART2_SUD"

# Recipient class: every provider organization with a current treating relationship with the member (ECM, PCP,
# program providers): "my care team" / "my treating providers" (42 CFR 2.31(a)(4)(i), 2024 rule).
CLASS_CARE_TEAM = "CARE_TEAM"

# Ways a revocation reached the plan or provider; only the written ones end a Part 2 consent.
WRITTEN_REVOCATION_METHODS: frozenset[str] = frozenset({"WRITTEN", "ELECTRONIC"})


@dataclass(frozen=True)
class Terms:
    """What a recorded consent says, in plain values."""

    kind: str
    effective_on: date
    expires_on: date | None = None
    revoked_on: date | None = None
    categories: frozenset[str] = field(default_factory=frozenset)
    recipient_npis: frozenset[str] = field(default_factory=frozenset)
    recipient_class: str = ""


# An expiration event CareHub acts on itself: when the plan confirms the end of the member's ECM, consents that say
# they expire then get that day as their expiration date (42 CFR 2.31(a)(6) allows an "event or condition"; seed
# 003 1.d: the authorization covers ECM data sharing). Other events stay text for staff to apply.
END_OF_ECM_EVENT = "End of ECM enrollment"
_END_OF_ECM_WORDS = ("end of ecm", "ecm ends", "ecm enrollment ends", "leaves ecm", "ecm discontinu",
                     "end of enhanced care")


def ends_with_ecm(expiration_event: str) -> bool:
    """The consent's expiration event is the end of the member's ECM (the shipped wording or a close variant)."""
    text = " ".join(expiration_event.lower().split())
    return any(words in text for words in _END_OF_ECM_WORDS)


def in_force(terms: Terms, on: date) -> bool:
    """Effective on `on`, not yet expired (the expiration day itself still counts) and not revoked (a revocation
    takes effect on the day it is received)."""
    if terms.effective_on > on:
        return False
    if terms.expires_on is not None and on > terms.expires_on:
        return False
    return terms.revoked_on is None or on < terms.revoked_on


def covers_part2(terms: Terms) -> bool:
    """A Part 2 consent, or a data-sharing authorization whose categories include Part 2 SUD records."""
    return terms.kind == PART2 or (terms.kind == DATA_SHARING and CATEGORY_PART2_SUD in terms.categories)


def satisfies(terms: Terms, kind: str) -> bool:
    """Whether a consent of `terms.kind` answers a question about `kind` (a Part 2 question is answered by any
    consent covering Part 2 records; a data-sharing question by a data-sharing or Part 2 consent)."""
    if kind == PART2:
        return covers_part2(terms)
    if kind == DATA_SHARING:
        return terms.kind in (DATA_SHARING, PART2)
    return terms.kind == kind


def names_recipient(terms: Terms, npis: Iterable[str], *, treating: bool) -> bool:
    """Whether the consent's recipients include an organization acting under one of `npis`: named by NPI, or
    part of the care-team class while it has a current treating relationship (`treating`)."""
    if terms.recipient_npis & set(npis):
        return True
    return terms.recipient_class == CLASS_CARE_TEAM and treating


def applies_to(terms: Terms, npis: Iterable[str], *, treating: bool) -> bool:
    """Whether the consent covers a provider acting under one of `npis`. Consents to communicate electronically
    or to telehealth that name nobody apply to every provider of the member (seed 003 1.c names no recipient);
    when they name providers, and always for data sharing, the provider must be named (names_recipient)."""
    unnamed = not terms.recipient_npis and not terms.recipient_class
    if terms.kind in (ELECTRONIC_COMMUNICATION, TELEHEALTH) and unnamed:
        return True
    return names_recipient(terms, npis, treating=treating)


def part2_missing_elements(*, recipients: bool, purpose: str, categories: Iterable[str], signer_name: str,
                           signer_relation: str, signer_is_member: bool, signed_on: date | None,
                           expires_on: date | None, expiration_event: str) -> list[str]:
    """The 42 CFR 2.31 elements a Part 2 consent record lacks (empty when complete)."""
    missing = []
    if not recipients:
        missing.append("recipients (by name, NPI or class)")
    if not purpose.strip():
        missing.append("purpose")
    if CATEGORY_PART2_SUD not in set(categories):
        missing.append("the kind of information (Part 2 SUD records)")
    if not signer_name.strip():
        missing.append("who signed")
    if not signer_is_member and not signer_relation.strip():
        missing.append("the signer's authority to act for the member")
    if signed_on is None:
        missing.append("signature date")
    if expires_on is None and not expiration_event.strip():
        missing.append("expiration date, event or condition")
    return missing


def revocation_accepted(kind: str, method: str, categories: Iterable[str] = ()) -> bool:
    """Part 2 consents are revoked in writing (paper or electronic); other consents by any recorded means."""
    terms = Terms(kind=kind, effective_on=date.min, categories=frozenset(categories))
    return method in WRITTEN_REVOCATION_METHODS if covers_part2(terms) else bool(method)
