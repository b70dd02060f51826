"""How an audit event is hashed. Kept apart so that verification and appending cannot disagree."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

GENESIS = "0" * 64


def event_digest(prev_hash: str, *, seq: int, at: datetime, actor_id: int | None, actor_label: str, action: str,
                 object_type: str, object_id: str, person_id: str, route: str, purpose: str,
                 detail: dict[str, Any]) -> str:
    """SHA-256 over the previous hash and a canonical JSON form of the event's content."""
    content = {
        "seq": seq,
        "at": at.isoformat(timespec="microseconds"),
        "actor_id": actor_id,
        "actor_label": actor_label,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "person_id": person_id,
        "route": route,
        "purpose": purpose,
        "detail": detail,
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()
