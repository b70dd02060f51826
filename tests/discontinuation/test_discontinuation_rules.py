"""The reasons of seed 004 VI.F.1 as data: every reason present once with its source, which need a Notice of
Action and evidence, the evidence file checks, and the 30-day transition clock (VI.F.1.j.1)."""

from __future__ import annotations

from datetime import date

import pytest

from carehub.domain import discontinuation as policy
from carehub.domain.discontinuation import Reason, TransitionState

EXPECTED = {  # reason: (needs_notice, needs_evidence, plans_transition, section of seed 004 VI.F.1)
    Reason.GRADUATED: (True, True, True, "VI.F.1.a"),
    Reason.MEMBER_WISH: (True, False, False, "VI.F.1.b"),
    Reason.NOT_ENGAGING: (True, True, False, "VI.F.1.c"),
    Reason.NO_LONGER_RESPONDING: (True, True, False, "VI.F.1.d"),
    Reason.DECEASED: (True, True, False, "VI.F.1.e"),
    Reason.LOST_ELIGIBILITY: (True, True, False, "VI.F.1.f"),
    Reason.MOVED_OUT_OF_AREA: (True, True, False, "VI.F.1.g"),
    Reason.INCARCERATED: (True, True, False, "VI.F.1.h"),
    Reason.PROVIDER_CANNOT_CONTINUE: (True, True, False, "VI.F.1.i"),
    Reason.TRANSITIONED: (True, True, True, "VI.F.1.j"),
}


@pytest.mark.parametrize("reason", list(Reason))
def test_each_reason_rule(reason):
    rule = policy.default_reasons()[reason]
    notice, evidence, transition, section = EXPECTED[reason]
    assert (rule.needs_notice, rule.needs_evidence, rule.plans_transition) == (notice, evidence, transition)
    assert rule.source.startswith(f"seed 004 {section}")
    assert rule.label and rule.label_es
    if evidence:
        assert policy.evidence_problem(reason, "   ", False) is not None
        assert policy.evidence_problem(reason, "Outreach log attached.", False) is None
    else:
        assert policy.evidence_problem(reason, "", False) is None


def test_reasons_file_must_hold_every_reason_once(tmp_path):
    text = policy.DEFAULT_REASONS_FILE.read_text(encoding="utf-8")
    header, *rows = text.strip().splitlines()
    (tmp_path / "missing.csv").write_text("\n".join([header, *rows[1:]]), encoding="utf-8")
    with pytest.raises(policy.ReasonFileError, match="missing reasons: GRADUATED"):
        policy.load_reasons(tmp_path / "missing.csv")
    (tmp_path / "twice.csv").write_text("\n".join([header, *rows, rows[0]]), encoding="utf-8")
    with pytest.raises(policy.ReasonFileError, match="appears twice"):
        policy.load_reasons(tmp_path / "twice.csv")
    # A plan may require evidence for the member's wish too.
    (tmp_path / "plan.csv").write_text("\n".join([header, *[r.replace(",yes,no,no,", ",yes,yes,no,")
                                                            if r.startswith("MEMBER_WISH") else r for r in rows]]),
                                       encoding="utf-8")
    assert policy.load_reasons(tmp_path / "plan.csv")[Reason.MEMBER_WISH].needs_evidence is True


def test_transition_clock_is_30_calendar_days_and_tunable():
    assert policy.transition_due(date(2026, 1, 15)) == date(2026, 2, 14)
    assert policy.transition_due(date(2026, 1, 15), days=14) == date(2026, 1, 29)
    due = date(2026, 2, 14)
    assert policy.transition_state(due, date(2026, 2, 14), None) == TransitionState.DUE
    assert policy.transition_state(due, date(2026, 2, 15), None) == TransitionState.OVERDUE
    assert policy.transition_state(due, date(2026, 3, 1), date(2026, 2, 20)) == TransitionState.DONE
    with pytest.raises(ValueError):
        policy.transition_due(date(2026, 1, 15), days=0)


@pytest.mark.parametrize(("content_type", "head", "size", "problem"), [
    ("application/pdf", b"%PDF-1.7", 1000, None),
    ("image/png", b"\x89PNG\r\n\x1a\n", 1000, None),
    ("image/jpeg", b"\xff\xd8\xff\xe0", 1000, None),
    ("application/pdf", b"MZ\x90\x00", 1000, "the file's content is not the type it claims"),
    ("text/html", b"<html>", 10, "attach a PDF, PNG or JPEG file"),
    ("application/pdf", b"%PDF-", policy.EVIDENCE_MAX_BYTES + 1, "the file is larger than 5 MB"),
    ("application/pdf", b"", 0, "the file is empty"),
])
def test_evidence_file_checks(content_type, head, size, problem):
    assert policy.file_problem(content_type, head, size) == problem


def test_unmet_goals_ignores_domains_without_a_need():
    domains = {"PHYSICAL": {"goals": "See my doctor", "status": "MET"},
               "MENTAL": {"goals": "Sleep better", "status": "IN_PROGRESS"},
               "ORAL": {"goals": "", "no_need": "Saw a dentist last month"},
               "SUD": {"goals": "x", "no_need": "No current need"},
               "LTSS": {"goals": "Help at home"}}
    assert policy.unmet_goals(domains) == ["MENTAL", "LTSS"]


def test_an_rtf_reason_is_the_plans_dhcs_code_mapping_else_the_reason_named_in_the_row(tmp_path):
    text = policy.DEFAULT_REASONS_FILE.read_text(encoding="utf-8")
    header, *rows = text.strip().splitlines()
    assert policy.reason_for_return_file(3, "") is None  # no DHCS code ships mapped (labels not found)
    assert policy.reason_for_return_file(None, "  member IS deceased ") == Reason.DECEASED  # the label
    assert policy.reason_for_return_file(7, "GRADUATED") == Reason.GRADUATED  # the code
    assert policy.reason_for_return_file(None, "moved away") is None
    mapped = tmp_path / "mapped.csv"
    mapped.write_text("\n".join([header, *[r + "5" if r.startswith("DECEASED,") else r for r in rows]]),
                      encoding="utf-8")
    assert policy.reason_for_return_file(5, "Other", policy.load_reasons(mapped)) == Reason.DECEASED
    twice = tmp_path / "twice.csv"
    twice.write_text("\n".join([header, *[r + "5" if r.startswith(("DECEASED,", "GRADUATED,")) else r
                                          for r in rows]]), encoding="utf-8")
    with pytest.raises(policy.ReasonFileError, match="a dhcs_code maps to two reasons"):
        policy.load_reasons(twice)
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("\n".join([header, *[r + "16" if r.startswith("DECEASED,") else r for r in rows]]),
                     encoding="utf-8")
    with pytest.raises(policy.ReasonFileError, match="row 6: dhcs_code must be a DHCS discontinuation reason code"):
        policy.load_reasons(wrong)


def test_after_an_upheld_appeal_ecm_goes_on_for_the_days_to_ask_for_a_hearing():
    assert policy.end_after_upheld_appeal(date(2026, 3, 20)) == date(2026, 3, 30)  # 42 CFR 438.420(c)(2)
