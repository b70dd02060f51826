"""Discontinuation of ECM: the reasons a member leaves ECM, which of them need a Notice of Action and evidence,
and the 30-day clock to transition a member to a lower level of care.

Sources:
- seed 004 (Partnership MCCP2032) VI.F.1.a-j: the reasons (examples of discontinuation) the ECM provider reports;
  VI.F.1.a.1-3 the graduation criteria; VI.F.1.j.1 "transfer a Member's care needs within 30 days to an
  alternative care management or care coordination provider"; VI.F.1.j.2 transition to a lower level of care
  when appropriate; VI.F.2.a-b on discontinuation the plan notifies the ECM provider and issues a Notice of
  Action (NOA) to the member with their appeal rights.
- seed 000 (DHCS Model of Care template) II.i: members may decline or stop ECM at any time; plans transition
  members to lower levels of care when appropriate; members and providers are informed in line with the NOA
  process.

Which reasons need evidence, and the transition clock, are plan-tunable: the shipped defaults are the rows of
`discontinuation_reasons.csv` next to this file and `TRANSITION_DAYS`; a plan passes its own CSV to
`load_reasons` and its own number of days to `transition_due`.

Every reason issues a Notice of Action, death included: seed 004 VI.F.2.b asks for a NOA upon every
discontinuation (it goes to the member's authorized representative when there is one; 42 CFR 431.213(a) lets the
notice go out no later than the date of action when the death is confirmed). A plan that decides otherwise sets
needs_notice to no for DECEASED in its own CSV.

When ECM ends: a discontinuation ends a service already authorized, so the Notice of Action goes out at least
10 days before the date of action (42 CFR 438.404(c)(1) with 431.211) and ECM continues until then; the
exceptions of 431.213, where the notice may go out on the date of action, are the `advance_notice` column (death,
431.213(a); the member's own written request, 431.213(b); incarceration, 431.213(c); and loss of plan
eligibility, where there is no plan coverage left to continue). `ends_on` is that rule; a plan may give more days
(`ADVANCE_NOTICE_DAYS` is the federal minimum), never fewer. An appeal received by the date of action keeps ECM
going while it is open (42 CFR 438.420(a)-(b)): `end_held_by_appeal`.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path

from carehub.domain.digits import ascii_digits

DEFAULT_REASONS_FILE = Path(__file__).with_name("discontinuation_reasons.csv")

# seed 004 VI.F.1.j.1: the care needs move to the next program within 30 (calendar) days. Plan-tunable.
TRANSITION_DAYS = 30
TRANSITION_SOURCE = "seed 004 VI.F.1.j.1-2"

# 42 CFR 431.211: the notice is mailed "at least 10 days before the date of action" (calendar days). A plan may
# give more notice, never less.
ADVANCE_NOTICE_DAYS = 10
ADVANCE_NOTICE_SOURCE = "42 CFR 438.404(c)(1), 431.211, 431.213"


class Reason(StrEnum):
    """The reasons of seed 004 VI.F.1 (a-j), in the order the policy lists them."""

    GRADUATED = "GRADUATED"
    MEMBER_WISH = "MEMBER_WISH"
    NOT_ENGAGING = "NOT_ENGAGING"
    NO_LONGER_RESPONDING = "NO_LONGER_RESPONDING"
    DECEASED = "DECEASED"
    LOST_ELIGIBILITY = "LOST_ELIGIBILITY"
    MOVED_OUT_OF_AREA = "MOVED_OUT_OF_AREA"
    INCARCERATED = "INCARCERATED"
    PROVIDER_CANNOT_CONTINUE = "PROVIDER_CANNOT_CONTINUE"
    TRANSITIONED = "TRANSITIONED"


class AdvanceNotice(StrEnum):
    """Whether the Notice of Action must precede the end of ECM by the advance-notice days (42 CFR 431.211)."""

    YES = "yes"
    NO = "no"  # an exception of 42 CFR 431.213: ECM ends the day the notice goes out
    UNLESS_WRITTEN = "unless_written"  # 431.213(b): none when the member's request to stop is in writing


@dataclass(frozen=True)
class ReasonRule:
    """One reason: its labels (English, Spanish), the section it comes from, and what it requires."""

    reason: Reason
    label: str
    label_es: str
    source: str
    needs_notice: bool
    needs_evidence: bool
    plans_transition: bool
    evidence_hint: str
    advance_notice: AdvanceNotice = AdvanceNotice.YES
    advance_notice_source: str = "42 CFR 431.211"
    dhcs_code: int | None = None  # the RTF's "Discontinuation Reason Code" (DHCS 1-15) the plan maps to this reason


class ReasonFileError(ValueError):
    """A reasons file that cannot be used; the message names the row."""


def _flag(value: str, row: int, column: str) -> bool:
    text = value.strip().lower()
    if text in {"yes", "true", "1"}:
        return True
    if text in {"no", "false", "0"}:
        return False
    raise ReasonFileError(f"row {row}: {column} must be yes or no")


def _advance_notice(value: str | None, row: int) -> AdvanceNotice:
    """A missing column (a plan's file from before it existed) means advance notice, the federal default."""
    text = (value or "").strip().lower() or AdvanceNotice.YES.value
    try:
        return AdvanceNotice(text)
    except ValueError:
        raise ReasonFileError(f"row {row}: advance_notice must be yes, no or unless_written") from None


def _dhcs_code(value: str | None, row: int) -> int | None:
    text = (value or "").strip()
    if not text:
        return None
    if not (ascii_digits(text) and 1 <= int(text) <= 15):
        raise ReasonFileError(f"row {row}: dhcs_code must be a DHCS discontinuation reason code from 1 to 15")
    return int(text)


def load_reasons(path: Path | None = None) -> dict[Reason, ReasonRule]:
    """The reasons from a CSV (the shipped defaults when no path is given). Every reason of VI.F.1 must be there,
    once."""
    rules: dict[Reason, ReasonRule] = {}
    with (path or DEFAULT_REASONS_FILE).open(newline="", encoding="utf-8") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            try:
                reason = Reason(row["reason"].strip())
            except ValueError as exc:
                raise ReasonFileError(f"row {number}: unknown reason") from exc
            if reason in rules:
                raise ReasonFileError(f"row {number}: {reason} appears twice")
            rules[reason] = ReasonRule(
                reason=reason, label=row["label"].strip(), label_es=row["label_es"].strip(),
                source=row["source"].strip(), needs_notice=_flag(row["needs_notice"], number, "needs_notice"),
                needs_evidence=_flag(row["needs_evidence"], number, "needs_evidence"),
                plans_transition=_flag(row["plans_transition"], number, "plans_transition"),
                evidence_hint=row["evidence_hint"].strip(),
                advance_notice=_advance_notice(row.get("advance_notice"), number),
                advance_notice_source=(row.get("advance_notice_source") or "").strip() or "42 CFR 431.211",
                dhcs_code=_dhcs_code(row.get("dhcs_code"), number))
    codes = [rule.dhcs_code for rule in rules.values() if rule.dhcs_code is not None]
    if len(codes) != len(set(codes)):
        raise ReasonFileError("a dhcs_code maps to two reasons")
    missing = [r.value for r in Reason if r not in rules]
    if missing:
        raise ReasonFileError("missing reasons: " + ", ".join(missing))
    return {r: rules[r] for r in Reason}


_DEFAULTS: dict[Reason, ReasonRule] | None = None


def default_reasons() -> Mapping[Reason, ReasonRule]:
    """The shipped reasons, read once."""
    global _DEFAULTS
    if _DEFAULTS is None:
        _DEFAULTS = load_reasons()
    return _DEFAULTS


def rule_for(reason: str, rules: Mapping[Reason, ReasonRule] | None = None) -> ReasonRule:
    """The rule of a reason code; ValueError for a code that is not a reason."""
    return (rules or default_reasons())[Reason(reason)]


def reason_for_return_file(code: int | None, text: str,
                           rules: Mapping[Reason, ReasonRule] | None = None) -> Reason | None:
    """The reason of seed 004 VI.F.1 an RTF row's discontinuation stands for: the plan's mapping of the DHCS code
    (the `dhcs_code` column; DHCS's code labels were not found, spec/dhcs-interchange.md, so none ships), else the
    row's reason text when it names a reason by its code or label; None when neither does."""
    rules = rules or default_reasons()
    if code is not None:
        for reason, rule in rules.items():
            if rule.dhcs_code == code:
                return reason
    wanted = " ".join(text.split()).casefold()
    for reason, rule in rules.items():
        if wanted and wanted in (reason.value.casefold(), rule.label.casefold()):
            return reason
    return None


def evidence_problem(reason: str, evidence: str, has_file: bool,
                     rules: Mapping[Reason, ReasonRule] | None = None) -> str | None:
    """Why the evidence given is not enough for this reason, or None when it is. A reason that needs evidence
    needs a written account (a file alone does not say what it shows)."""
    rule = rule_for(reason, rules)
    if rule.needs_evidence and not evidence.strip():
        return f"describe the evidence ({rule.evidence_hint})" if rule.evidence_hint else "describe the evidence"
    del has_file  # a file is optional for every reason; it supports the written account
    return None


def transition_due(confirmed_on: date, days: int = TRANSITION_DAYS) -> date:
    """The day by which the member's care needs must have moved to the lower level of care or the alternative
    program: `days` calendar days after the plan confirmed the discontinuation (seed 004 VI.F.1.j.1)."""
    if days < 1:
        raise ValueError("the transition clock needs at least one day")
    return confirmed_on + timedelta(days=days)


def ends_on(notice_day: date, rule: ReasonRule, *, written_request: bool = False,
            days: int = ADVANCE_NOTICE_DAYS) -> date:
    """The date of action: the day ECM ends for a discontinuation whose Notice of Action goes out on
    `notice_day`. `days` after it (42 CFR 431.211), or that same day under an exception of 431.213 (the reason's
    `advance_notice`; for `unless_written`, when the member's request is in writing, e.g. made in the portal)."""
    if days < ADVANCE_NOTICE_DAYS:
        raise ValueError(f"the advance notice is at least {ADVANCE_NOTICE_DAYS} days (42 CFR 431.211)")
    exempt = (rule.advance_notice == AdvanceNotice.NO
              or (rule.advance_notice == AdvanceNotice.UNLESS_WRITTEN and written_request))
    return notice_day if exempt else notice_day + timedelta(days=days)


def end_held_by_appeal(appeal_received_on: date, notice_day: date, date_of_action: date) -> bool:
    """Whether an appeal received on `appeal_received_on` keeps ECM going while it is open: filed after the
    notice and on or before the date of action (42 CFR 438.420(a)-(b): timely, i.e. within 10 days of the notice
    or by the intended effective date, whichever is later)."""
    last_day = max(date_of_action, notice_day + timedelta(days=ADVANCE_NOTICE_DAYS))
    return notice_day <= appeal_received_on <= last_day


# 42 CFR 438.420(c)(2): after an appeal resolved against the member, ECM goes on for the days they have to ask
# for a State Fair Hearing with continued benefits.
HEARING_CONTINUATION_DAYS = 10


def end_after_upheld_appeal(resolved_on: date, days: int = HEARING_CONTINUATION_DAYS) -> date:
    """The day ECM ends when a timely appeal held it and was decided against the member (upheld)."""
    return resolved_on + timedelta(days=days)


class TransitionState(StrEnum):
    DONE = "DONE"
    DUE = "DUE"
    OVERDUE = "OVERDUE"


def transition_state(due_on: date, today: date, completed_on: date | None) -> TransitionState:
    """Done once completed; due up to and including the due day; overdue after it."""
    if completed_on is not None:
        return TransitionState.DONE
    return TransitionState.OVERDUE if today > due_on else TransitionState.DUE


# Evidence files the provider may attach (a scanned letter, a death record, a photo of a notice).
EVIDENCE_MAX_BYTES = 5 * 1024 * 1024
EVIDENCE_TYPES: Mapping[str, bytes] = {
    "application/pdf": b"%PDF-",
    "image/png": b"\x89PNG\r\n\x1a\n",
    "image/jpeg": b"\xff\xd8\xff",
}


def file_problem(content_type: str, head: bytes, size: int, max_bytes: int = EVIDENCE_MAX_BYTES) -> str | None:
    """Why an evidence file is refused (type, size, content not matching its type), or None."""
    if size <= 0:
        return "the file is empty"
    if size > max_bytes:
        return f"the file is larger than {max_bytes // (1024 * 1024)} MB"
    magic = EVIDENCE_TYPES.get(content_type)
    if magic is None:
        return "attach a PDF, PNG or JPEG file"
    if not head.startswith(magic):
        return "the file's content is not the type it claims"
    return None


# seed 004 VI.F.1.a.1: graduation when "the Member has met all identified goals on their ICP". A care plan entry
# (carehub.domain.careplan) has goals, a status (MET when reached) and, instead, a reason there is no current need.
GOAL_MET = "MET"


def unmet_goals(domains: Mapping[str, Mapping[str, str]]) -> list[str]:
    """The care plan domains (codes, in the plan's order) whose goal is written and not marked met; a domain
    waved off as having no current need is not a goal."""
    return [code for code, entry in domains.items()
            if (entry.get("goals") or "").strip() and not (entry.get("no_need") or "").strip()
            and (entry.get("status") or "") != GOAL_MET]
