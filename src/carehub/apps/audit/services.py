"""Writing to the audit log. Every read or write of member data calls `record` in the same transaction."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import transaction

from carehub.apps.audit.chain import event_digest
from carehub.apps.audit.models import Action, AuditEvent, AuditHead, AuditSubject


@dataclass(frozen=True)
class JobActor:
    """A non-person actor, e.g. the `carehub load` command."""

    label: str


def _actor_fields(actor: Any) -> tuple[int | None, str]:
    if isinstance(actor, JobActor):
        return None, f"job:{actor.label}"
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None, "anonymous"
    return actor.pk, actor.get_username()


def record(*, actor: Any, action: Action | str, object_type: str = "", object_id: str = "", person_id: str = "",
           route: str = "", purpose: str = "", detail: dict[str, Any] | None = None,
           people: Iterable[str] = ()) -> AuditEvent:
    """Append one event to the chain. Runs inside the caller's transaction (or its own), so the event and the
    action it records commit together. `people`: the members whose data a list or a file showed, so a search by
    member finds the event (kept in detail["people"] and indexed in AuditSubject)."""
    actor_id, actor_label = _actor_fields(actor)
    detail = detail or {}
    # Lists record the ids they show as detail["person_ids"] (or "people"); either way they are the event's subjects.
    listed = [*people, *(p for key in ("person_ids", "people") if isinstance(detail.get(key), list | tuple)
                         for p in detail[key])]
    subjects = sorted({str(p) for p in listed if p} - {person_id})
    if subjects:
        detail = {**detail, "people": subjects}
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
        seq = head.seq + 1
        at = datetime.now(UTC)
        fields = dict(seq=seq, at=at, actor_id=actor_id, actor_label=actor_label, action=str(action),
                      object_type=object_type, object_id=str(object_id), person_id=person_id,
                      route=route[:300], purpose=purpose[:200], detail=detail)
        digest = event_digest(head.hash, **fields)
        event = AuditEvent.objects.create(prev_hash=head.hash, hash=digest, **fields)
        AuditHead.objects.filter(pk=1).update(seq=seq, hash=digest)
        AuditSubject.objects.bulk_create([AuditSubject(event=event, person_id=p) for p in subjects], batch_size=2000)
    return event


@dataclass(frozen=True)
class VerifyResult:
    checked: int
    first_bad_seq: int | None
    problem: str

    @property
    def ok(self) -> bool:
        return self.first_bad_seq is None


def verify_chain(batch_size: int = 5000) -> VerifyResult:
    """Recompute every link in order. Reports the first event whose content, order or link does not match."""
    prev_hash = "0" * 64
    expected_seq = 1
    checked = 0
    qs = AuditEvent.objects.order_by("seq").values(
        "seq", "at", "actor_id", "actor_label", "action", "object_type", "object_id", "person_id", "route",
        "purpose", "detail", "prev_hash", "hash")
    for row in qs.iterator(chunk_size=batch_size):
        if row["seq"] != expected_seq:
            return VerifyResult(checked, expected_seq, f"event {expected_seq} is missing (next found: {row['seq']})")
        if row["prev_hash"] != prev_hash:
            return VerifyResult(checked, row["seq"], f"event {row['seq']} does not link to event {row['seq'] - 1}")
        stored_hash = row.pop("hash")
        row.pop("prev_hash")
        at = row["at"].astimezone(UTC)
        digest = event_digest(prev_hash, **{**row, "at": at})
        if digest != stored_hash:
            return VerifyResult(checked, row["seq"], f"event {row['seq']} was altered after it was written")
        prev_hash = stored_hash
        expected_seq += 1
        checked += 1
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and head.seq != checked:
        return VerifyResult(checked, checked + 1, f"the log ends at event {checked} but {head.seq} were written")
    return VerifyResult(checked, None, "")
