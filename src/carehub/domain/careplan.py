"""Individualized Care Plan policy: the domains a plan must cover, the person-centered planning elements for
members with LTSS needs, what makes a plan complete, the differences between two versions, and when the member's
reassessment falls due.

Sources:
- seed 004 (PHC MCCP2032) VI.D.5.c.3: the ICP "shall contain at minimum, needs, strategies, and patient
  prioritized goals" for the ten domains below; VI.D.5.c.4: a copy to the member on enrollment and on request.
- seed 004 VI.D.5.b.3 a)-g): for members with long-term services and supports (LTSS) needs, care plans follow
  42 CFR 438.208(c) (person-centered planning); h)-i): the plan's Health Risk Assessment results are shared with
  the ECM provider and used for the ICP.
- seed 000 I.c and II.c (HHP/WPC members authorized automatically are reassessed within six months); seed 004
  VI.G.1.e (ECM authorized for up to six months, then reassessed). Other members are reassessed on the plan's own
  cycle (seed 000 II.j question 4 "frequency of reassessment" is the plan's choice; CareHub ships 12 months).

Pure Python: no Django (import-linter contract)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from carehub.domain import deadlines
from carehub.domain.deadlines import add_months, last_day_of_months

SOURCE_DOMAINS = "seed 004 (PHC MCCP2032) VI.D.5.c.3"
SOURCE_LTSS = "seed 004 (PHC MCCP2032) VI.D.5.b.3"
SOURCE_REASSESSMENT = "seed 000 I.c and II.c (reassess within 6 months); seed 004 VI.G.1.e; plan cycle: seed 000 II.j.4"


@dataclass(frozen=True)
class CarePlanDomain:
    code: str
    label: str
    label_es: str
    source: str


# The minimum domains of the ICP, in the order of the policy (seed 004 VI.D.5.c.3 a)-j)).
DOMAINS: tuple[CarePlanDomain, ...] = (
    CarePlanDomain("PHYSICAL", "Physical health", "Salud física", f"{SOURCE_DOMAINS} a)"),
    CarePlanDomain("MENTAL", "Mental health", "Salud mental", f"{SOURCE_DOMAINS} b)"),
    CarePlanDomain("DEVELOPMENTAL", "Developmental health", "Salud del desarrollo", f"{SOURCE_DOMAINS} c)"),
    CarePlanDomain("SUD", "Substance use disorder (SUD)", "Trastorno por consumo de sustancias",
                   f"{SOURCE_DOMAINS} d)"),
    CarePlanDomain("LTSS", "Long-term services and supports (LTSS)", "Servicios y apoyos a largo plazo",
                   f"{SOURCE_DOMAINS} e)"),
    CarePlanDomain("ORAL", "Oral health", "Salud dental", f"{SOURCE_DOMAINS} f)"),
    CarePlanDomain("COMMUNITY", "Community-based and social services", "Servicios comunitarios y sociales",
                   f"{SOURCE_DOMAINS} g)"),
    CarePlanDomain("HEALTH_PROMOTION", "Health promotion", "Promoción de la salud", f"{SOURCE_DOMAINS} h)"),
    CarePlanDomain("TRANSITIONAL", "Transitional care needs", "Cuidado de transición", f"{SOURCE_DOMAINS} i)"),
    CarePlanDomain("SUPPORTS", "Member and family supports", "Apoyos para el miembro y su familia",
                   f"{SOURCE_DOMAINS} j)"),
)
DOMAIN_CODES: tuple[str, ...] = tuple(d.code for d in DOMAINS)
DOMAIN_BY_CODE: dict[str, CarePlanDomain] = {d.code: d for d in DOMAINS}


class GoalStatus(StrEnum):
    """Where a domain's goal stands."""

    NOT_STARTED = "NOT_STARTED"
    IN_PROGRESS = "IN_PROGRESS"
    MET = "MET"
    DEFERRED = "DEFERRED"


GOAL_STATUS_LABELS = {"en": {"NOT_STARTED": "Not started", "IN_PROGRESS": "In progress", "MET": "Met",
                             "DEFERRED": "Deferred"},
                      "es": {"NOT_STARTED": "Sin empezar", "IN_PROGRESS": "En curso", "MET": "Cumplido",
                             "DEFERRED": "Aplazado"}}

# Fields of one domain entry. A domain is addressed either with a need, the member's goal, strategies, who is
# responsible and a due date, or with a written reason why there is no current need (the policy's "at minimum").
ENTRY_FIELDS = ("goals", "needs", "strategies", "responsible", "due_date", "status", "no_need")
REQUIRED_ENTRY_FIELDS = ("goals", "needs", "strategies", "responsible", "due_date")
ENTRY_LABELS = {"goals": "the member's goals (in their words)", "needs": "needs",
                "strategies": "strategies and interventions", "responsible": "responsible team members",
                "due_date": "due date", "status": "status", "no_need": "reason there is no current need"}


@dataclass(frozen=True)
class PlanningElement:
    code: str
    label: str
    label_es: str
    source: str


# Person-centered planning elements required for members with LTSS needs (seed 004 VI.D.5.b.3 a)-g)). Each is a
# required written field of the plan; h) and i) (HRA shared and used) are met by showing the HRA on the assessment.
LTSS_ELEMENTS: tuple[PlanningElement, ...] = (
    PlanningElement("PARTICIPANTS", "People the member chose to take part in care planning",
                    "Personas que usted eligió para participar en su plan", f"{SOURCE_LTSS} a); 42 CFR 438.208(c)"),
    PlanningElement("MEMBER_DIRECTED", "Information and support given so the member directs the process and "
                    "makes informed choices", "Información y apoyo para que usted dirija el plan y tome "
                    "decisiones informadas", f"{SOURCE_LTSS} b); 42 CFR 438.208(c)"),
    PlanningElement("CULTURE_ACCESS", "Cultural considerations; plain language, disability access and language "
                    "assistance provided", "Consideraciones culturales; lenguaje sencillo, accesibilidad y ayuda "
                    "con el idioma", f"{SOURCE_LTSS} c); 42 CFR 438.208(c)"),
    PlanningElement("CONFLICT", "Strategies for resolving conflict or disagreement, and the conflict-of-interest "
                    "guidelines for planning participants", "Cómo resolver desacuerdos y reglas sobre conflictos "
                    "de interés", f"{SOURCE_LTSS} d); 42 CFR 438.208(c)"),
    PlanningElement("CHOICES", "Choices offered about services and supports and who provides them",
                    "Opciones de servicios y apoyos, y de quién los presta", f"{SOURCE_LTSS} e); 42 CFR 438.208(c)"),
    PlanningElement("UPDATE_METHOD", "How the member can ask for updates to the plan",
                    "Cómo pedir cambios a su plan", f"{SOURCE_LTSS} f); 42 CFR 438.208(c)"),
    PlanningElement("HCBS_SETTINGS", "Alternative home and community-based settings considered with the member",
                    "Otros lugares en el hogar o la comunidad que se consideraron",
                    f"{SOURCE_LTSS} g); 42 CFR 438.208(c)"),
)
LTSS_ELEMENT_CODES: tuple[str, ...] = tuple(e.code for e in LTSS_ELEMENTS)


def empty_content() -> dict[str, Any]:
    """A blank plan: one entry per domain, every LTSS element empty."""
    return {"domains": {code: {field: "" for field in ENTRY_FIELDS} for code in DOMAIN_CODES},
            "ltss": {code: "" for code in LTSS_ELEMENT_CODES}}


def _filled(value: Any) -> bool:
    return bool(str(value or "").strip())


def missing_items(content: Mapping[str, Any], *, ltss_needs: bool) -> list[str]:
    """What keeps a plan from being finalized, as sentences naming the domain and field (empty = complete).

    Every domain of DOMAINS must be addressed: either all of REQUIRED_ENTRY_FIELDS, or a reason there is no
    current need. With LTSS needs, every LTSS element must be written and the LTSS domain cannot be waved off."""
    problems: list[str] = []
    domains = content.get("domains") or {}
    for domain in DOMAINS:
        entry = domains.get(domain.code) or {}
        if _filled(entry.get("no_need")) and not (ltss_needs and domain.code == "LTSS"):
            continue
        absent = [ENTRY_LABELS[f] for f in REQUIRED_ENTRY_FIELDS if not _filled(entry.get(f))]
        if absent:
            problems.append(f"{domain.label}: missing {', '.join(absent)}")
    if ltss_needs:
        ltss = content.get("ltss") or {}
        for element in LTSS_ELEMENTS:
            if not _filled(ltss.get(element.code)):
                problems.append(f"LTSS person-centered planning ({element.source}): missing {element.label}")
    return problems


@dataclass(frozen=True)
class Change:
    """One difference between two versions: where (domain or LTSS element), which field, before and after."""

    where: str
    field: str
    before: str
    after: str


def diff_content(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[Change]:
    """Field-by-field differences between two plan contents, in domain then element order."""
    changes: list[Change] = []
    before_domains, after_domains = before.get("domains") or {}, after.get("domains") or {}
    for domain in DOMAINS:
        old, new = before_domains.get(domain.code) or {}, after_domains.get(domain.code) or {}
        for field in ENTRY_FIELDS:
            a, b = str(old.get(field) or ""), str(new.get(field) or "")
            if a != b:
                changes.append(Change(domain.label, ENTRY_LABELS[field], a, b))
    before_ltss, after_ltss = before.get("ltss") or {}, after.get("ltss") or {}
    for element in LTSS_ELEMENTS:
        a, b = str(before_ltss.get(element.code) or ""), str(after_ltss.get(element.code) or "")
        if a != b:
            changes.append(Change("LTSS person-centered planning", element.label, a, b))
    return changes


# ---- reassessment ---------------------------------------------------------------------------------------------

# Automatic authorizations (continuity of WPC/HHP/prior ECM, presumptive) are reassessed within six months: the
# "reassessment" clock of deadlines.py, the one place that rule lives.
AUTOMATIC_REASSESSMENT_MONTHS = deadlines.rule("reassessment").amount
# Everyone else on the plan's cycle; plans override it in settings CAREHUB_CAREPLAN["reassessment_cycle_months"].
DEFAULT_REASSESSMENT_CYCLE_MONTHS = 12
# Worklists show a reassessment this many days before it falls due.
DEFAULT_DUE_SOON_DAYS = 30


def reassessment_due(*, authorized_on: date | None, automatic: bool, last_assessed_on: date | None,
                     cycle_months: int = DEFAULT_REASSESSMENT_CYCLE_MONTHS,
                     automatic_months: int = AUTOMATIC_REASSESSMENT_MONTHS) -> date | None:
    """When the member's next assessment is due (source: SOURCE_REASSESSMENT).

    - Authorized automatically and not yet assessed since the authorization started: the last day of the six
      months from the authorization start (the transition reassessment of seed 000 I.c; seed 004 VI.G.3.e).
    - Otherwise: the last completed assessment plus the plan's cycle; with no assessment yet, the authorization
      start plus the cycle. None when there is neither."""
    if cycle_months <= 0 or automatic_months <= 0:
        raise ValueError("reassessment periods must be positive numbers of months")
    if automatic and authorized_on is not None and (last_assessed_on is None or last_assessed_on < authorized_on):
        # within the automatic authorization: by its last day, not the day after
        return last_day_of_months(authorized_on, automatic_months)
    if last_assessed_on is not None:
        return add_months(last_assessed_on, cycle_months)
    if authorized_on is not None:
        return add_months(authorized_on, cycle_months)
    return None


class DueState(StrEnum):
    OVERDUE = "OVERDUE"
    DUE_SOON = "DUE_SOON"
    LATER = "LATER"


def due_state(due: date, today: date, *, soon_days: int = DEFAULT_DUE_SOON_DAYS) -> DueState:
    """OVERDUE after the due day; DUE_SOON from `soon_days` before it through the due day itself."""
    if today > due:
        return DueState.OVERDUE
    if (due - today).days <= soon_days:
        return DueState.DUE_SOON
    return DueState.LATER


def order_due(items: Iterable[tuple[str, date]]) -> list[tuple[str, date]]:
    """Earliest due first (overdue before due soon), ties by key, so worklists are stable."""
    return sorted(items, key=lambda item: (item[1], item[0]))
