"""Accessibility: every page of the main navigation, and the first detail pages it links to, for each of the nine
demo logins (each distinct page once), checked in chromium with axe-core against WCAG 2.0/2.1 A and AA. A serious
or critical finding fails the test (minor and moderate ones are printed, not failed).

The demo pipeline builds the data (a small synthetic plan, loaded, identified at two month-ends, the demo logins
with their approved, assigned and enrolled members), so the pages show the tables and forms a user sees. axe-core
comes from the npm registry, pinned in tests/a11y/package-lock.json; `./run test` installs it (npm ci)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Error as PlaywrightError
from typer.testing import CliRunner

from carehub.cli import app

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("transactional_db")]

AXE = Path(__file__).resolve().parents[1] / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
LOGINS = ("coordinator", "um", "network", "compliance", "admin", "ecm", "lcm", "cs", "member")
DETAILS_PER_PAGE = 2  # first detail links followed from each navigation page
FAILING = ("serious", "critical")
SKIP_LINK = ("/accounts/logout", "/static/", "download", "/export", "format=")


@pytest.fixture
def demo(tmp_path, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # nine logins, same behaviour
    runner = CliRunner()
    plan = tmp_path / "plan"
    for args in (["synth", "--members", "1500", "--seed", "2026", "--format", "parquet", "--out", str(plan)],
                 ["load", str(plan)],
                 ["identify", "--as-of", "2026-09-30", "--out", str(tmp_path / "identified-09.csv")],
                 ["identify", "--as-of", "2026-10-31", "--out", str(tmp_path / "identified.csv")],
                 ["demo-users"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, f"carehub {args[0]}: {result.output}"


def _sign_in(page, base: str, username: str) -> None:
    from carehub.apps.accounts.demo import DEMO_PASSWORD

    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def _links(page, base: str, selector: str) -> list[str]:
    hrefs = page.eval_on_selector_all(selector, "els => els.filter(e => !e.hasAttribute('download')).map(e => e.href)")
    out = []
    for href in hrefs:
        url = urlparse(href)
        if f"{url.scheme}://{url.netloc}" != base or any(s in href for s in SKIP_LINK) \
                or "." in url.path.rsplit("/", 1)[-1]:  # a file (PDF, CSV, JSON, RTF...), not a page
            continue
        clean = f"{base}{url.path}" + (f"?{url.query}" if url.query else "")
        if clean not in out:
            out.append(clean)
    return out


def _shape(url: str) -> str:
    """The page a URL shows, whoever's record it is: path segments holding digits (ids, references, person_ids)
    become '*', the query string is dropped. Each shape is checked once, by the first login that reaches it."""
    path = urlparse(url).path
    return "/".join("*" if any(ch.isdigit() for ch in part) else part for part in path.split("/"))


def _check(page, url: str) -> tuple[list[str], list[str]] | None:
    """(serious or critical findings, other findings) of one page, each as 'rule (impact): nodes'; None when the
    link is a file download rather than a page."""
    try:
        response = page.goto(url, wait_until="networkidle")  # htmx-loaded parts included
    except PlaywrightError as exc:
        if "Download is starting" in str(exc):
            return None
        raise
    assert response is not None and response.status < 400, f"{url} answered {response and response.status}"
    page.add_script_tag(path=str(AXE))
    # Swagger UI (the API docs, a developer tool from django-ninja) is third-party markup with known findings
    # (nested buttons, contrast); the page around it is ours and is checked.
    results = page.evaluate(
        "() => axe.run({exclude: [['#swagger-ui']]},"
        " {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})")
    failing, other = [], []
    for violation in results["violations"]:
        nodes = ", ".join(" ".join(n["target"]) for n in violation["nodes"][:3])
        line = f"{url}: {violation['id']} ({violation['impact']}): {nodes}"
        (failing if violation["impact"] in FAILING else other).append(line)
    return failing, other


def test_no_serious_accessibility_findings_on_any_navigation_page(page, live_server, demo):
    assert AXE.exists(), f"axe-core is not installed at {AXE}: run `./run test` or `npm ci --prefix tests/a11y`"
    base = live_server.url
    failing: list[str] = []
    other: list[str] = []
    checked: set[str] = set()
    for login in LOGINS:
        _sign_in(page, base, login)
        menu = _links(page, base, "nav[aria-label='Main'] a")
        assert menu, f"{login} sees no navigation"

        def check(url: str, login: str = login) -> None:
            outcome = _check(page, url)  # leaves the browser on `url`, htmx-loaded parts included
            if outcome is None:
                return
            checked.add(_shape(url))
            failing.extend(f"[{login}] {line}" for line in outcome[0])
            other.extend(f"[{login}] {line}" for line in outcome[1])

        for item in menu:
            if _shape(item) in checked:
                page.goto(item, wait_until="networkidle")
            else:
                check(item)
            details = [u for u in _links(page, base, "main a") if u not in menu][:DETAILS_PER_PAGE]
            for url in details:
                if _shape(url) not in checked:
                    check(url)
    print(f"axe-core: {len(checked)} pages checked; minor or moderate findings: {len(other)}")
    for line in other[:40]:
        print("  " + line)
    assert len(checked) > 30  # the distinct pages of every role's menu and their first detail pages
    assert not failing, "serious or critical accessibility findings:\n" + "\n".join(failing)
