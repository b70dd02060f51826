"""`carehub import referrals FILE.csv`: a batch of referrals, all or nothing.

Every row is validated first; any error rejects the whole file with file/line/field messages. The file's
`external_id` column (the sender's own referral id) makes a re-import change nothing."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from carehub.apps.audit.services import JobActor
from carehub.apps.referrals.models import Channel
from carehub.apps.referrals.services import FIELDS, submit_referral, validate

REQUIRED_COLUMNS = ("external_id", "source", "referrer_name", "first_name", "last_name", "birth_date")
MAX_ROWS = 50_000


@dataclass
class BatchResult:
    path: Path
    errors: list[str] = field(default_factory=list)
    created: int = 0
    already_received: int = 0
    linked: int = 0
    review: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        if self.errors:
            shown = "\n".join(self.errors[:200])
            more = f"\n... and {len(self.errors) - 200} more" if len(self.errors) > 200 else ""
            return f"{self.path.name}: rejected, nothing imported ({len(self.errors)} errors)\n{shown}{more}"
        return (f"{self.path.name}: {self.created} referrals created ({self.linked} linked to an open referral, "
                f"{self.review} waiting for member review), {self.already_received} already received")


def import_referrals(path: Path) -> BatchResult:
    """Validate the whole file, then store every row in one transaction (see module docstring)."""
    result = BatchResult(path)
    name = path.name
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as problem:
        result.errors.append(f"{name}: cannot be read ({problem.strerror})")
        return result
    with handle:
        reader = csv.DictReader(handle)
        columns = [c.strip() for c in reader.fieldnames or []]
        missing = [c for c in REQUIRED_COLUMNS if c not in columns]
        unknown = [c for c in columns if c not in FIELDS]
        if missing:
            result.errors.append(f"{name}:1: missing column(s): {', '.join(missing)}")
        if unknown:
            result.errors.append(f"{name}:1: unknown column(s): {', '.join(unknown)[:200]}")
        if result.errors:
            return result
        rows = []
        seen: dict[str, int] = {}
        for line, row in enumerate(reader, start=2):
            if line - 1 > MAX_ROWS:
                result.errors.append(f"{name}: more than {MAX_ROWS} rows; split the file")
                return result
            row = {k.strip(): v for k, v in row.items() if k}
            _, errors = validate(row)
            result.errors += [f"{name}:{line}: {e.field}: {e.message}" for e in errors]
            external_id = (row.get("external_id") or "").strip()
            if not external_id:
                result.errors.append(f"{name}:{line}: external_id: required in a batch file (makes re-import safe).")
            elif external_id in seen:
                result.errors.append(f"{name}:{line}: external_id: repeats line {seen[external_id]}.")
            else:
                seen[external_id] = line
            rows.append(row)
    if result.errors:
        return result
    actor = JobActor("import-referrals")
    with transaction.atomic():
        for row in rows:
            intake = submit_referral(row, actor=actor, channel=Channel.FILE)
            assert intake.referral is not None  # validated above
            if intake.already_received:
                result.already_received += 1
                continue
            result.created += 1
            result.linked += intake.referral.status == "LINKED"
            result.review += intake.referral.status == "MATCH_REVIEW"
    return result
