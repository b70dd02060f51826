"""Every page's window title is plain text: a page's markup placed inside `{% block title %}` rendered into the
browser tab (found on the care plans, ECM worklist, discontinuation and consents pages) and read out by screen
readers as the page name."""

from __future__ import annotations

import re
from pathlib import Path

import carehub

TEMPLATES = Path(carehub.__file__).parent
TITLE = re.compile(r"{%\s*block title\s*%}(.*?){%\s*endblock", re.S)


def test_title_blocks_hold_no_markup():
    offenders = []
    for template in sorted(TEMPLATES.rglob("templates/**/*.html")):
        for title in TITLE.findall(template.read_text(encoding="utf-8")):
            if "<" in title or "\n" in title.strip():
                offenders.append(str(template.relative_to(TEMPLATES)))
    assert offenders == []
