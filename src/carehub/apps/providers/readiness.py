"""ECM provider readiness (seed 002 slides 5-6): the application with one self-assessment row per program area
(a response and the effort the provider expects: no, low, medium, high 1, high 2), evidence files, the plan's
internal 'compliant' mark per area, its verdict (approved, approved with conditions, not ready) with reasons, and
dated check-in notes (every two weeks by default).

The provider's own staff answer and upload; plan network staff do too (they often fill it in on a call), and only
they mark compliance, decide and note check-ins. Each write is one transaction with an audit record.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db import transaction
from django.utils import timezone

from carehub.apps.accounts.models import Organization, OrganizationKind
from carehub.apps.audit.models import Action
from carehub.apps.audit.services import record
from carehub.apps.notifications.services import notify_after_commit
from carehub.apps.providers.models import (
    ProviderOrganization,
    ReadinessAnswer,
    ReadinessApplication,
    ReadinessCheckIn,
    ReadinessEvidence,
)
from carehub.apps.providers.services import NetworkError, manages_network, speaks_for
from carehub.domain.network import (
    DEFAULT_CHECK_IN_DAYS,
    DEFAULT_EVIDENCE_MAX_BYTES,
    EFFORT_LEVELS,
    EVIDENCE_TYPES,
    READINESS_VERDICTS,
    VERDICTS_WITHOUT_REASONS,
    evidence_problem,
    readiness_areas,
)
from carehub.paths import data_dir


def evidence_storage() -> FileSystemStorage:
    """Evidence files live under the data directory (readiness/), never in the database or the static files."""
    return FileSystemStorage(location=data_dir() / "readiness")


def evidence_max_bytes() -> int:
    return int(getattr(settings, "CAREHUB_EVIDENCE_MAX_BYTES", DEFAULT_EVIDENCE_MAX_BYTES))


def check_in_days() -> int:
    return int(getattr(settings, "CAREHUB_READINESS_CHECK_IN_DAYS", DEFAULT_CHECK_IN_DAYS))


def _require_speaker(actor: Any, provider: ProviderOrganization) -> None:
    if not speaks_for(actor, provider):
        raise NetworkError("only the provider's own staff or the plan's provider relations work on this application")


def _require_plan(actor: Any) -> None:
    if not manages_network(actor):
        raise NetworkError("only the plan's provider relations staff review readiness")


@transaction.atomic
def start_application(provider: ProviderOrganization, *, actor: Any,
                      now: datetime | None = None) -> ReadinessApplication:
    """The provider's readiness application, created with an empty row per program area when it has none; rows
    for areas added to the area file since are added too."""
    _require_speaker(actor, provider)
    app, created = ReadinessApplication.objects.get_or_create(provider=provider,
                                                              defaults={"created_at": now or timezone.now()})
    have = set(app.answers.values_list("area", flat=True))
    missing = [ReadinessAnswer(application=app, area=a.code) for a in readiness_areas() if a.code not in have]
    ReadinessAnswer.objects.bulk_create(missing)
    if created:
        record(actor=actor, action=Action.CREATE, object_type="ReadinessApplication", object_id=str(app.pk),
               purpose="ECM provider readiness", detail={"provider_npi": provider.npi})
    return app


@transaction.atomic
def save_answers(app: ReadinessApplication, answers: Mapping[str, tuple[str, str]], *, actor: Any,
                 now: datetime | None = None) -> int:
    """Save responses and efforts: area code -> (response, effort). Returns the rows changed. Unknown areas and
    efforts are refused before anything is written."""
    _require_speaker(actor, app.provider)
    codes = {a.code for a in readiness_areas()}
    for area, (_response, effort) in answers.items():
        if area not in codes:
            raise NetworkError(f"unknown program area {area}")
        if effort and effort not in EFFORT_LEVELS:
            raise NetworkError("choose an effort level: no, low, medium, high 1 or high 2")
    now = now or timezone.now()
    rows = {r.area: r for r in ReadinessAnswer.objects.select_for_update().filter(application=app)}
    changed = []
    for area, (response, effort) in answers.items():
        row = rows.get(area) or ReadinessAnswer(application=app, area=area)
        response = response.strip()[:8000]
        if row.pk and (row.response, row.effort) == (response, effort):
            continue
        row.response, row.effort, row.updated_at = response, effort, now
        row.save()
        changed.append(area)
    record(actor=actor, action=Action.UPDATE, object_type="ReadinessApplication", object_id=str(app.pk),
           purpose="readiness self-assessment", detail={"areas": changed})
    return len(changed)


@transaction.atomic
def submit_application(app: ReadinessApplication, *, actor: Any, now: datetime | None = None) -> ReadinessApplication:
    """The provider submits (or, found not ready, submits again): every program area needs an effort level."""
    _require_speaker(actor, app.provider)
    blank = list(app.answers.filter(effort="").values_list("area", flat=True))
    if blank:
        raise NetworkError(f"give an effort level for every program area ({len(blank)} left)")
    app.submitted_at = now or timezone.now()
    fields = ["submitted_at"]
    if app.verdict == "NOT_READY":  # a provider found not ready applies again: the plan reviews it afresh
        app.verdict = "PENDING"
        fields.append("verdict")
    app.save(update_fields=fields)
    record(actor=actor, action=Action.UPDATE, object_type="ReadinessApplication", object_id=str(app.pk),
           purpose="readiness application submitted", detail={"verdict": app.verdict})
    plan = Organization.objects.filter(kind=OrganizationKind.PLAN).order_by("pk").first()
    if plan is not None:
        notify_after_commit(actor=actor, kind="readiness-submitted", organization=plan,
                            subject=f"{app.provider.name} submitted its ECM readiness application",
                            body="Review the self-assessment and evidence, then record the verdict.",
                            link=f"/providers/{app.provider.npi}/readiness/",
                            dedupe_key=f"readiness-{app.pk}-submitted-{app.submitted_at.isoformat()}")
    return app


def upload_evidence(app: ReadinessApplication, *, filename: str, content: bytes, area: str = "", actor: Any,
                    now: datetime | None = None) -> ReadinessEvidence:
    """Store an evidence file (type, signature and size checked; domain.network.evidence_problem) under the data
    directory and record it. The file is written before the row; a failed transaction leaves an orphan file, never
    a row without its file."""
    _require_speaker(actor, app.provider)
    filename = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()[:200]
    problem = evidence_problem(filename, content[:16], len(content), evidence_max_bytes())
    if problem:
        raise NetworkError(problem)
    if area and area not in {a.code for a in readiness_areas()}:
        raise NetworkError(f"unknown program area {area}")
    digest = hashlib.sha256(content).hexdigest()
    ext = filename.rsplit(".", 1)[-1].lower()
    stored = evidence_storage().save(f"{app.provider.npi}/{digest[:16]}.{ext}", ContentFile(content))
    with transaction.atomic():
        evidence = ReadinessEvidence.objects.create(
            application=app, area=area, file=stored, filename=filename, content_type=EVIDENCE_TYPES[ext][0],
            size=len(content), sha256=digest, uploaded_by=actor if getattr(actor, "pk", None) else None,
            uploaded_at=now or timezone.now())
        record(actor=actor, action=Action.CREATE, object_type="ReadinessEvidence", object_id=str(evidence.pk),
               purpose="readiness evidence", detail={"area": area, "size": len(content), "sha256": digest})
    return evidence


@transaction.atomic
def remove_evidence(evidence: ReadinessEvidence, *, actor: Any) -> None:
    """Take back a file uploaded by mistake, while the application is not yet submitted (afterwards the evidence
    is part of the record the plan reviewed). The file goes once the removal commits."""
    app = evidence.application
    _require_speaker(actor, app.provider)
    if app.submitted_at is not None:
        raise NetworkError("evidence of a submitted application stays with it; upload a corrected file instead")
    name = evidence.file
    record(actor=actor, action=Action.DELETE, object_type="ReadinessEvidence", object_id=str(evidence.pk),
           purpose="readiness evidence removed", detail={"sha256": evidence.sha256})
    evidence.delete()
    if not ReadinessEvidence.objects.filter(file=name).exists():
        transaction.on_commit(lambda: evidence_storage().delete(name))


def open_evidence(evidence: ReadinessEvidence, *, actor: Any):
    """The stored file, opened for reading (its readers are recorded)."""
    _require_speaker(actor, evidence.application.provider)
    record(actor=actor, action=Action.READ, object_type="ReadinessEvidence", object_id=str(evidence.pk),
           purpose="readiness evidence download")
    return evidence_storage().open(evidence.file, "rb")


@transaction.atomic
def mark_compliant(app: ReadinessApplication, area: str, compliant: bool | None, *, actor: Any) -> ReadinessAnswer:
    """The plan's internal mark for one area (seed 002: 'Compliant (for internal use only)')."""
    _require_plan(actor)
    row = ReadinessAnswer.objects.select_for_update().filter(application=app, area=area).first()
    if row is None:
        raise NetworkError(f"unknown program area {area}")
    row.compliant = compliant
    row.save(update_fields=["compliant"])
    record(actor=actor, action=Action.UPDATE, object_type="ReadinessAnswer", object_id=str(row.pk),
           purpose="readiness compliance", detail={"area": area, "compliant": compliant})
    return row


@transaction.atomic
def decide(app: ReadinessApplication, verdict: str, reasons: str = "", *, actor: Any,
           now: datetime | None = None) -> ReadinessApplication:
    """The plan's compliance verdict. 'Approved with conditions' and 'not ready' need the reasons in writing."""
    _require_plan(actor)
    if verdict not in READINESS_VERDICTS:
        raise NetworkError("choose a verdict")
    reasons = reasons.strip()
    if verdict not in VERDICTS_WITHOUT_REASONS and not reasons:
        raise NetworkError("give the reasons (the conditions, or what is not ready)")
    app = ReadinessApplication.objects.select_for_update().get(pk=app.pk)
    if app.submitted_at is None and verdict != "PENDING":
        raise NetworkError("the provider has not submitted the application yet")
    app.verdict, app.verdict_reasons = verdict, reasons[:4000]
    app.verdict_at, app.verdict_by = now or timezone.now(), actor if getattr(actor, "pk", None) else None
    app.save(update_fields=["verdict", "verdict_reasons", "verdict_at", "verdict_by"])
    record(actor=actor, action=Action.UPDATE, object_type="ReadinessApplication", object_id=str(app.pk),
           purpose="readiness verdict", detail={"verdict": verdict, "reasons": app.verdict_reasons})
    if verdict != "PENDING":  # the verdict and its reasons go to the provider; per-area marks stay internal
        notify_after_commit(actor=actor, kind="readiness-verdict", npi=app.provider.npi,
                            recipient_label=app.provider.name,
                            subject=f"ECM readiness: {READINESS_VERDICTS[verdict]}",
                            body=app.verdict_reasons or "The plan approved your ECM readiness application.",
                            link="/providers/readiness/",
                            dedupe_key=f"readiness-{app.pk}-verdict-{app.verdict_at.isoformat()}")
    return app


@transaction.atomic
def add_check_in(app: ReadinessApplication, note: str, *, actor: Any, on: date | None = None,
                 now: datetime | None = None) -> ReadinessCheckIn:
    """A dated note of a check-in with the provider."""
    _require_plan(actor)
    note = note.strip()
    if not note:
        raise NetworkError("write what was discussed")
    now = now or timezone.now()
    on = on or timezone.localdate(now)
    if on > timezone.localdate(now):
        raise NetworkError("a check-in cannot be in the future")
    check_in = ReadinessCheckIn.objects.create(application=app, on=on, note=note[:4000],
                                               by=actor if getattr(actor, "pk", None) else None, created_at=now)
    record(actor=actor, action=Action.CREATE, object_type="ReadinessCheckIn", object_id=str(check_in.pk),
           purpose="readiness check-in", detail={"on": on.isoformat()})
    return check_in


def next_check_in(app: ReadinessApplication, last: date | None) -> date | None:
    """When the next check-in is due: the configured interval after the last one (or after submission)."""
    start = last or (timezone.localdate(app.submitted_at) if app.submitted_at else None)
    return start + timedelta(days=check_in_days()) if start else None
