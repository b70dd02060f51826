"""docs/policy-traceability.md names where every policy rule lives: each location it names must exist, and every
policy file under src/carehub/domain must be named there (a new rule without a traceability row fails here)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "policy-traceability.md"
DOMAIN = ROOT / "src" / "carehub" / "domain"
# Files that carry no policy of their own: engines, readers, command-line glue and docs for value files.
PLUMBING = {
    "__init__.py", "populations/engine.py", "populations/runner.py", "populations/cli.py", "populations/sources.py",
    "assignment/batch.py", "assignment/run.py", "assignment/folder.py", "assignment/members_file.py",
    "assignment/capacity_file.py",
    "dhcsfiles/workbook.py", "dhcsfiles/layouts.py", "populations/valuesets/README.md", "holidays_ca.md",
    "outreach_policy.md", "digits.py",
}


def _locations() -> list[str]:
    return re.findall(r"`(src/carehub/[^`\s]+)`", DOC.read_text())


def test_every_location_named_exists():
    missing = []
    for location in _locations():
        path, _, name = location.partition("::")
        files = sorted(ROOT.glob(path))
        if not files:
            missing.append(location)
            continue
        if name and not re.search(rf"^(def {name}\b|{name}\s*[:=])", files[0].read_text(), re.M):
            missing.append(location)
    assert missing == []


def test_every_policy_file_is_named():
    named = {f for location in _locations() for f in ROOT.glob(location.partition("::")[0])}
    unnamed = [str(f.relative_to(DOMAIN)) for f in sorted(DOMAIN.rglob("*"))
               if f.is_file() and "__pycache__" not in f.parts and f.suffix in {".py", ".sql", ".csv", ".json", ".md"}
               and f.name != "__init__.py" and str(f.relative_to(DOMAIN)) not in PLUMBING and f not in named]
    assert unnamed == []
