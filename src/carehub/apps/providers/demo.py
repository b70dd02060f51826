"""Demo network data for `./run demo`: the demo ECM provider's network record, readiness application and Lead Care
Manager roster (the `lcm` login among them), and one contracting exception, so provider relations pages have
something to show. Idempotent: running it again changes nothing it already made."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from carehub.apps.accounts.models import User
from carehub.apps.providers.models import (
    CapacityLine,
    CareManager,
    ContractingException,
    NetworkRecord,
    ProviderOrganization,
    ReadinessAnswer,
    ReadinessApplication,
    ReadinessCheckIn,
)
from carehub.domain.network import readiness_areas

ROSTER = (  # name, role, languages, max caseload
    ("Rosa Diaz", "SOCIAL_WORKER", ["English", "Spanish"], 25),
    ("Jordan Kim", "CHW", ["English", "Korean"], 35),
    ("Maya Patel", "HOUSING_NAVIGATOR", ["English", "Gujarati"], 30),
    ("Tomas Reyes", "CARE_NAVIGATOR", ["Spanish", "English"], 35),
)


def _roster(provider: ProviderOrganization, lcm: User | None) -> int:
    populations = list(provider.populations or [])[:3]
    made = 0
    if lcm is not None:
        _, created = CareManager.objects.get_or_create(user=lcm, defaults={
            "provider": provider, "name": f"{lcm.first_name} {lcm.last_name}".strip() or lcm.username,
            "role": "NURSE", "languages": ["English", "Spanish"], "populations": populations, "max_caseload": 30})
        made += created
    for name, role, languages, cap in ROSTER:
        _, created = CareManager.objects.get_or_create(provider=provider, name=name, defaults={
            "role": role, "languages": languages, "populations": populations, "max_caseload": cap})
        made += created
    return made


def _readiness(provider: ProviderOrganization, reviewer: User | None) -> None:
    now = timezone.now()
    app, created = ReadinessApplication.objects.get_or_create(provider=provider, defaults={
        "created_at": now - timedelta(days=60), "submitted_at": now - timedelta(days=45),
        "verdict": "APPROVED_WITH_CONDITIONS", "verdict_at": now - timedelta(days=30), "verdict_by": reviewer,
        "verdict_reasons": "Start encounter submission testing within 60 days."})
    if not created:
        return
    efforts = {"OUTREACH": "LOW", "DATA_SYSTEMS": "HIGH_1", "BILLING": "MEDIUM"}
    ReadinessAnswer.objects.bulk_create([
        ReadinessAnswer(application=app, area=a.code, effort=efforts.get(a.code, "LOW"),
                        response=f"Our approach to {a.label.lower()} is in the attached policy.",
                        compliant=a.code != "DATA_SYSTEMS", updated_at=now) for a in readiness_areas()])
    ReadinessCheckIn.objects.create(application=app, on=timezone.localdate() - timedelta(days=14), by=reviewer,
                                    note="Reviewed the encounter testing plan; next call in two weeks.",
                                    created_at=now)


@transaction.atomic
def seed_network_demo(*, ecm_npi: str, lcm: User | None = None, reviewer: User | None = None) -> str:
    """Network demo data for the demo ECM provider (by NPI). Returns a one-line summary."""
    provider = ProviderOrganization.objects.filter(npi=ecm_npi).first()
    if provider is None:
        return "no demo ECM provider in the network (load a plan first)"
    NetworkRecord.objects.get_or_create(provider=provider, defaults={
        "contract_status": "ACTIVE", "contract_start": date(2022, 1, 1), "enrollment_status": "MEDI_CAL_ENROLLED",
        "enrollment_checked_on": date(2025, 1, 15), "community_experience": True, "population_experience": True})
    for county in list(provider.counties or [])[:1]:
        for population in list(provider.populations or [])[:2]:
            # Capacity lines limit assignment in their cell: the demo states the whole capacity (no new limit).
            CapacityLine.objects.get_or_create(provider=provider, county=county, population=population,
                                               defaults={"capacity": provider.capacity or 40,
                                                         "expected": max((provider.capacity or 40) // 2, 1)})
    made = _roster(provider, lcm)
    _readiness(provider, reviewer)
    if not ContractingException.objects.filter(kind="WPC_LEAD_ENTITY", entity_name="County WPC Lead Entity").exists():
        ContractingException.objects.create(
            kind="WPC_LEAD_ENTITY", entity_name="County WPC Lead Entity", county=(provider.counties or [""])[0],
            reason="RATES", explanation="Three rate proposals since March were declined; members keep their care "
                                        "with in-network ECM providers.", created_at=timezone.now(),
            created_by=reviewer)
    return f"network demo: {provider.name}, {made} roster entries added"
