"""The member's copy of their care plan: one finalized version as a PDF in the member's language (English or
Spanish; seed 004 VI.D.5.c.4 "make available to the Member a copy of the ICP"). Rendered with the notices
app's letter machinery, so the same version gives the same bytes (the PDF dates are the finalization time)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone

from carehub.apps.careplans.models import CarePlanVersion
from carehub.apps.notices.letters import RenderedLetter, letter_language, long_date, render_letter
from carehub.domain import careplan as policy

TITLES = {"en": "Your Individualized Care Plan", "es": "Su Plan de Cuidado Individualizado"}


def _due(value: str, language: str) -> str:
    try:
        return long_date(date.fromisoformat(value), language)
    except ValueError:
        return value


def version_context(version: CarePlanVersion, language: str) -> dict[str, Any]:
    """What the letter shows: each domain in the member's language, then the LTSS planning elements."""
    statuses = policy.GOAL_STATUS_LABELS.get(language, policy.GOAL_STATUS_LABELS["en"])
    domains = []
    for domain in policy.DOMAINS:
        entry = version.content["domains"].get(domain.code) or {}
        domains.append({"label": domain.label_es if language == "es" else domain.label, "entry": entry,
                        "due": _due(entry.get("due_date") or "", language),
                        "status": statuses.get(entry.get("status") or "", "")})
    ltss = [{"label": e.label_es if language == "es" else e.label, "text": version.content["ltss"].get(e.code, "")}
            for e in policy.LTSS_ELEMENTS] if version.ltss_needs else []
    member = version.care_plan.member
    return {"lang": language, "member": member, "version": version, "domains": domains, "ltss": ltss,
            "title": TITLES[language], "reference": f"ICP {version.care_plan_id}-{version.number}",
            "issued": long_date(timezone.localtime(version.finalized_at).date(), language)}


def render_version(version: CarePlanVersion, language: str | None = None) -> RenderedLetter:
    """The PDF of one version in `language` (default: the member's preferred language)."""
    language = language or letter_language(version.care_plan.member.preferred_language)
    context = version_context(version, language)
    return render_letter(f"careplans/pdf/{language}/care_plan.html", context, issued_at=version.finalized_at,
                         title=context["title"])


def filename(version: CarePlanVersion, language: str) -> str:
    return f"care-plan-{version.care_plan_id}-v{version.number}-{language}.pdf"
