"""Signed consent forms on disk: checked by content (not by the name or the browser's claimed type), stored under
the data directory with a random name, read back with their checksum verified.

Limits are plan-tunable: settings.CAREHUB_CONSENTS = {"FORM_MAX_BYTES": ..., "FORM_TYPES": [...]} overrides the
defaults below (a scanned multi-page form is typically 1-5 MB).
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from carehub.paths import data_dir

DEFAULTS: dict[str, Any] = {
    "FORM_MAX_BYTES": 10 * 1024 * 1024,
    "FORM_TYPES": ["application/pdf", "image/png", "image/jpeg"],
    # Not about files, but the same setting: how early the panel says a consent is about to expire.
    "EXPIRING_SOON_DAYS": 30,
}
# Leading bytes of each accepted type, and the extension stored.
_SIGNATURES = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
)
FOLDER = "consent-forms"


class FormError(ValueError):
    """An upload that is not an accepted signed form."""


def config() -> dict[str, Any]:
    return {**DEFAULTS, **getattr(settings, "CAREHUB_CONSENTS", {})}


@dataclass(frozen=True)
class StoredForm:
    path: str  # relative to the data directory
    name: str
    content_type: str
    size: int
    sha256: str


def sniff(data: bytes) -> tuple[str, str] | None:
    """(content type, extension) from the file's own first bytes, or None."""
    for magic, content_type, extension in _SIGNATURES:
        if data.startswith(magic):
            return content_type, extension
    return None


def check(data: bytes, name: str) -> tuple[str, str]:
    """The content type and extension of an acceptable form, or FormError saying what is wrong."""
    limits = config()
    if not data:
        raise FormError("The file is empty.")
    if len(data) > int(limits["FORM_MAX_BYTES"]):
        raise FormError(f"The file is larger than {int(limits['FORM_MAX_BYTES']) // (1024 * 1024)} MB.")
    found = sniff(data)
    if found is None or found[0] not in limits["FORM_TYPES"]:
        raise FormError("The signed form must be a PDF, PNG or JPEG file.")
    return found


def _clean_name(name: str) -> str:
    base = Path(name or "form").name
    return "".join(ch for ch in base if ch.isalnum() or ch in "._- ")[:200] or "form"


def save(data: bytes, name: str) -> StoredForm:
    """Write an accepted form; the caller records the returned metadata in the same transaction."""
    content_type, extension = check(data, name)
    relative = Path(FOLDER) / uuid.uuid4().hex[:2] / f"{uuid.uuid4().hex}{extension}"
    target = data_dir() / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return StoredForm(path=relative.as_posix(), name=_clean_name(name), content_type=content_type, size=len(data),
                      sha256=hashlib.sha256(data).hexdigest())


def read(relative: str, sha256: str) -> bytes:
    """The stored bytes; FormError if the file is missing, outside the folder, or altered since upload."""
    root = (data_dir() / FOLDER).resolve()
    target = (data_dir() / relative).resolve()
    if root not in target.parents or not target.is_file():
        raise FormError("The signed form is not on file.")
    data = target.read_bytes()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise FormError("The stored form does not match its checksum.")
    return data


def discard(relative: str) -> None:
    """Remove a file written for a record that was then not saved."""
    target = data_dir() / relative
    if target.is_file():
        target.unlink()
