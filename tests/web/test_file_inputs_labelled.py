"""Every file picker has a label a screen reader announces (an axe-core scan of the demo found two without: the
exchange-file upload and the referral attachments)."""

from __future__ import annotations

import re
from pathlib import Path

import carehub

ROOT = Path(carehub.__file__).parent
FILE_INPUT = re.compile(r"<input\b[^>]*type=\"file\"[^>]*>")


def _labelled(text: str, match: re.Match[str]) -> bool:
    tag = match.group(0)
    if "aria-label=" in tag:
        return True
    ident = re.search(r'\bid="([^"]+)"', tag)
    if ident and f'for="{ident.group(1)}"' in text:
        return True
    before = text[:match.start()]
    return before.rfind("<label") > before.rfind("</label>")  # inside an open <label>


def test_every_file_input_has_a_label():
    unlabelled = [f"{path.relative_to(ROOT)}: {m.group(0)[:60]}"
                  for path in sorted(ROOT.rglob("templates/**/*.html"))
                  for text in [path.read_text(encoding="utf-8")]
                  for m in FILE_INPUT.finditer(text) if not _labelled(text, m)]
    assert unlabelled == []
