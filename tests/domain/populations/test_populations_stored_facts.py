"""A warehouse's stored claim events answer def_claim and def_condition without grouping most claim lines (whole
claims stored one row each; per person and value set, each claim with the next claim's date). Every rule table
must be exactly what a scan of the claim lines gives, including for the claims that do not fit the stored form
(lines on several dates), ties on a date, and principal diagnoses older than the latest diagnosis."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import NamedTuple

import duckdb
import pytest
from plan_builder import Plan

from carehub.domain.populations import identify_folder, runner, sources
from carehub.domain.populations.runner import load_rules, write_claim_events
from carehub.domain.populations.sources import (
    CLAIM_SOURCE,
    EVENTS_FOLDER,
    PERSON_HASH,
    PERSON_KEY,
    PERSON_KEY_FILE,
)

AS_OF_DATES = ("2026-10-31", "2026-05-01", "2026-01-09", "2026-01-10", "2027-01-15")


def _plan(root: Path) -> Plan:
    plan = Plan(root)
    for pid in ("A", "B", "C", "D", "E"):
        plan.person(pid, "1980-01-01")
        plan.housing(pid, "UNSHELTERED", "2025-06-01")  # so that people with a complex need are identified
    # A: claim C1 has lines on two dates (its date is the earliest of its lines in the window: 2026-01-10, or
    # 2026-05-01 once January has left the window), C2 one date
    first = plan.claim("A", "2026-01-10", dx=("F20.9",))
    plan.claim("A", "2026-05-01", dx=("F20.9",), claim_id=first, line=2)
    plan.claim("A", "2026-03-01", dx=("Z99.9", "F20.9"))
    # B: two claims on one date: the greater claim id proves it
    plan.claim("B", "2026-02-01", dx=("F20.9",))
    plan.claim("B", "2026-02-01", dx=("F20.9",))
    # C: principal F20 in March, a later secondary one in August
    plan.claim("C", "2026-03-15", dx=("F20.9",))
    plan.claim("C", "2026-08-20", dx=("Z99.9", "F20.9"))
    # D: principal only before a 12-month window of D=2026-10-31, secondary inside it
    plan.claim("D", "2025-10-01", dx=("F20.9",))
    plan.claim("D", "2026-06-01", dx=("Z99.9", "F20.9"))
    # E: an ED claim with a second line a day later (grouped), and a plain ED visit (stored whole)
    visit = plan.ed("E", "2026-04-01")
    plan.claim("E", "2026-04-02", dx=("J06.9",), pos="23", hcpcs="99283", claim_id=visit, line=2)
    plan.ed("E", "2026-06-01")
    # office visits: A's stored as facts; C's one line ends before it starts (its window date comes first), so
    # C's visits are grouped at run time instead
    plan.claim("A", "2025-12-01", hcpcs="99213")
    plan.claim("A", "2026-04-15", hcpcs="99214")
    plan.claim("C", "2026-09-01", hcpcs="99213", end="2026-08-01")
    plan.claim("D", "2025-06-01", hcpcs="99213")
    # eligibility: F's second span overlaps its first; G's spans follow each other; H died (said on one span of
    # two); I has two spans starting the same day (the lower member id gives the details)
    plan.person("F", "1980-01-01", member="MF1")
    plan.person("F", "1980-01-01", member="MF2", county="Fresno", start="2026-03-01", end="2026-08-31")
    plan.person("G", "1980-01-01", member="MG1", end="2025-12-31")
    plan.person("G", "1980-01-01", member="MG2", county="Sonoma", start="2026-01-01")
    plan.person("H", "1980-01-01", member="MH1", death="2026-03-01", end="2026-12-31")
    plan.person("H", "1980-01-01", member="MH2", start="2027-01-01")
    plan.person("I", "1980-01-01", member="MI2", county="Fresno", start="2026-02-01")
    plan.person("I", "1980-01-01", member="MI1", county="Sonoma", start="2026-02-01", end="2026-12-31")
    # J: ED visits stored as facts (every ED claim whole and ED only). The 12-month edges of 2026-10-31; two claims
    # on one day (one avoidable, one SMI); a visit the day before an elective admission (so no ED visit, and the
    # stay is unplanned through the ED); a visit before the window whose claim (and stay) end inside it
    plan.person("J", "1980-01-01")
    plan.housing("J", "UNSHELTERED", "2025-06-01")
    ed_claims = {"2025-10-31": plan.ed("J", "2025-10-31", dx="Z99.9"), "2025-11-01": plan.ed("J", "2025-11-01")}
    ed_claims["2026-05-10"] = plan.ed("J", "2026-05-10", dx="F20.9")
    ed_claims["2026-05-10 second"] = plan.ed("J", "2026-05-10")
    plan.ed("J", "2026-07-01", dx="Z99.9")
    plan.stay("J", "2026-07-02", "2026-07-05", admit_type="3")
    plan.claim("J", "2025-10-15", dx=("Z99.9",), pos="23", hcpcs="99283", end="2025-11-15")
    plan.stay("J", "2025-10-16", "2025-11-20", admit_type="3")
    # K: an ED line on an inpatient claim (def_claim keeps it), so K's visits are grouped at run time
    plan.person("K", "1980-01-01")
    plan.claim("K", "2026-06-01", kind="institutional", dx=("J06.9",), rev="0450", bill="0111", admit_type="3",
               admission="2026-06-01", discharge="2026-06-03", end="2026-06-03")
    ed_claims["K 2026-06-10"] = plan.ed("K", "2026-06-10")
    ED_CLAIMS.update(ed_claims)
    return plan


ED_CLAIMS: dict[str, str] = {}  # J's (and K's) ED claim ids by date, as _plan wrote them


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("facts")
    plain = _plan(root).write()
    stored = root / "warehouse"
    shutil.copytree(plain, stored)
    assert write_claim_events(stored) > 0
    return plain, stored


def _tables(folder: Path, as_of: str) -> tuple[dict[str, list[tuple[object, ...]]], duckdb.DuckDBPyConnection]:
    con, _ = identify_folder(folder, date.fromisoformat(as_of))
    tables = {rule.name: sorted(con.execute(f"SELECT * FROM {rule.name}").fetchall(), key=repr)
              for rule in load_rules()}
    return tables, con


@pytest.mark.parametrize(("as_of", "expected"), [
    # F: the later-starting overlapping span while it lasts; G: the span covering the date; H: gone from the
    # death date on; I: the lower member id of two spans starting the same day, then the one still open
    ("2026-01-09", {"F": ("MF1", "Alameda"), "G": ("MG2", "Sonoma"), "H": ("MH1", "Alameda")}),
    ("2026-05-01", {"F": ("MF2", "Fresno"), "G": ("MG2", "Sonoma"), "I": ("MI1", "Sonoma")}),
    ("2027-01-15", {"F": ("MF1", "Alameda"), "G": ("MG2", "Sonoma"), "I": ("MI2", "Fresno")}),
])
def test_the_span_covering_the_date_gives_the_members_details(folders: tuple[Path, Path], as_of: str,
                                                              expected: dict[str, tuple[str, str]]) -> None:
    for folder in folders:
        con, _ = identify_folder(folder, date.fromisoformat(as_of))
        people = con.execute("SELECT person_ref, member_id, county FROM def_person "
                             "WHERE person_ref IN ('F', 'G', 'H', 'I') ORDER BY ALL").fetchall()
        con.close()
        assert people == sorted((ref, *details) for ref, details in expected.items()), folder.name


@pytest.mark.parametrize(("as_of", "expected"), [
    # people meeting the SMI criteria only (A from January, C from March, D until October): their latest office
    # visit in the 12 months to D
    ("2026-10-31", {"A": "2026-04-15", "C": "2026-09-01"}),
    ("2026-05-01", {"A": "2026-04-15", "D": "2025-06-01"}),
    ("2026-01-10", {"A": "2025-12-01", "D": "2025-06-01"}),
])
def test_the_latest_office_visit_of_the_window(folders: tuple[Path, Path], as_of: str,
                                               expected: dict[str, str]) -> None:
    for folder in folders:
        con, _ = identify_folder(folder, date.fromisoformat(as_of))
        visits = con.execute("SELECT p.person_ref, CAST(v.last_visit_date AS VARCHAR) FROM def_primary_care v "
                             "JOIN def_person p USING (person_id) ORDER BY ALL").fetchall()
        con.close()
        assert visits == sorted(expected.items()), folder.name


@pytest.mark.parametrize("as_of", AS_OF_DATES)
def test_every_rule_table_is_the_scans(folders: tuple[Path, Path], as_of: str) -> None:
    plain, stored = folders
    scanned, scan_con = _tables(plain, as_of)
    from_events, events_con = _tables(stored, as_of)
    assert scan_con.execute(f"SELECT source FROM {CLAIM_SOURCE}").fetchone() == ("scan",)
    assert events_con.execute(f"SELECT source FROM {CLAIM_SOURCE}").fetchone() == ("events",)
    assert scanned["def_condition"]  # the plan has diagnoses in every window tried
    # def_claim from the events lacks exactly the ED claims of the people whose ED visits are stored (J here)
    [(j,)] = events_con.execute("SELECT person_id FROM def_person WHERE person_ref = 'J'").fetchall()
    columns = [c[0] for c in scan_con.execute("SELECT * FROM def_claim LIMIT 0").description]
    person, is_ed = columns.index("person_id"), columns.index("is_ed")
    left_out = [row for row in scanned["def_claim"] if row[is_ed] and row[person] == j]
    assert from_events["def_claim"] == [row for row in scanned["def_claim"] if row not in left_out]
    assert [name for name in scanned if scanned[name] != from_events[name]] == (["def_claim"] if left_out else [])
    assert left_out  # J has ED claims in every window tried


def test_ed_visits_stored_whole_and_grouped_at_run_time(folders: tuple[Path, Path]) -> None:
    """On 2026-10-31, read both ways: J's visits (stored) and K's (grouped at run time), and the stays admitted
    through the ED."""
    for folder in folders:
        con, _ = identify_folder(folder, date(2026, 10, 31))
        visits = con.execute("SELECT p.person_ref, CAST(visit_date AS VARCHAR), claim_id, avoidable, "
                             "avoidable_claim_id, smi_sud, smi_sud_claim_id FROM def_ed_visit "
                             "JOIN def_person p USING (person_id) "
                             "WHERE p.person_ref IN ('J', 'K') ORDER BY ALL").fetchall()
        # 2025-10-31 is outside (D - 12 months, D]; 2026-07-01 is followed by an admission; K's inpatient claim
        # with an ED line is its own admission
        assert visits == [
            ("J", "2025-11-01", ED_CLAIMS["2025-11-01"], True, ED_CLAIMS["2025-11-01"], False, None),
            ("J", "2026-05-10", ED_CLAIMS["2026-05-10"], True, ED_CLAIMS["2026-05-10 second"], True,
             ED_CLAIMS["2026-05-10"]),
            ("K", "2026-06-10", ED_CLAIMS["K 2026-06-10"], True, ED_CLAIMS["K 2026-06-10"], False, None),
        ], folder.name
        stays = con.execute("SELECT p.person_ref, CAST(admission_date AS VARCHAR) FROM def_unplanned_stay "
                            "JOIN def_person p USING (person_id) WHERE p.person_ref IN ('J', 'K') ORDER BY ALL"
                            ).fetchall()
        # both of J's elective stays came through the ED the day before; K's through its own ED line
        assert stays == [("J", "2025-10-16"), ("J", "2026-07-02"), ("K", "2026-06-01")], folder.name
        stored_people = con.execute("SELECT DISTINCT p.person_ref FROM stg_ed_visit_fact "
                                    "JOIN def_person p USING (person_id)").fetchall()
        assert stored_people == ([("J",)] if folder.name == "warehouse" else []), folder.name
        con.close()


def test_condition_and_claim_answers(folders: tuple[Path, Path]) -> None:
    """What the tables hold on 2026-10-31, read from the stored events (same as the scan, above)."""
    _, stored = folders
    con, _ = identify_folder(stored, date(2026, 10, 31))
    smi = {pid: (str(last), claim, principal and str(principal), principal_claim)
           for pid, last, claim, principal, principal_claim in con.execute(
               "SELECT p.person_ref, last_date, last_claim_id, last_principal_date, last_principal_claim_id "
               "FROM def_condition JOIN def_person p USING (person_id) WHERE value_set = 'SMI'").fetchall()}
    assert smi["A"] == ("2026-03-01", "C2", "2026-01-10", "C1")  # C1 dates from its first line, not 05-01
    assert smi["B"] == ("2026-02-01", "C4", "2026-02-01", "C4")
    assert smi["C"] == ("2026-08-20", "C6", "2026-03-15", "C5")
    assert smi["D"] == ("2026-06-01", "C8", None, None)
    claims = con.execute("SELECT claim_id, start_date, end_date, is_ed FROM def_claim JOIN def_person p "
                         "USING (person_id) WHERE p.person_ref = 'E' ORDER BY claim_id").fetchall()
    assert [(c, str(s), str(e), ed) for c, s, e, ed in claims] == [
        ("C10", "2026-06-01", "2026-06-01", True), ("C9", "2026-04-01", "2026-04-02", True)]
    # only A's lines (a claim on two dates) were left for def_condition to group; E's two-date claim for def_claim
    grouped = con.execute("SELECT DISTINCT p.person_ref FROM stg_line_diagnosis JOIN def_person p USING (person_id)"
                          ).fetchall()
    assert grouped == [("A",)]
    assert con.execute("SELECT DISTINCT claim_id FROM stg_event_line").fetchall() == [("C9",)]


class Run(NamedTuple):
    rows: list[tuple[object, ...]]  # the output rows (contract columns)
    key: str  # what the run joined people on
    source: str  # where its claim lines came from: "events" or "scan"


def _run(folder: Path, as_of: str = "2026-10-31") -> Run:
    con, relation = identify_folder(folder, date.fromisoformat(as_of))
    rows = relation.fetchall()
    [(key,)] = con.execute(f"SELECT key FROM {PERSON_KEY}").fetchall()
    [(source,)] = con.execute(f"SELECT source FROM {CLAIM_SOURCE}").fetchall()
    return Run(rows, key, source)


COLLIDING_HASH = "(hash(person_id) % 2)"  # the five people of the plan cannot all have their own


def test_people_are_keyed_by_hash_only_when_no_two_share_one(folders: tuple[Path, Path],
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    plain, stored = folders
    expected = _run(plain).rows
    assert {row[0] for row in expected} >= {"A", "C", "E"}
    assert _run(plain) == Run(expected, PERSON_HASH, "scan")
    assert _run(stored) == Run(expected, PERSON_HASH, "events")
    # under a colliding hash a scan keeps the text ids, with the same answer; stored events written by a DuckDB
    # hashing otherwise (their probe differs) are still read, with text ids
    monkeypatch.setattr(sources, "PERSON_HASH", COLLIDING_HASH)
    assert _run(plain) == Run(expected, "person_id", "scan")
    assert _run(stored) == Run(expected, "person_id", "events")


def test_events_written_where_hashes_collide_carry_no_person_key(folders: tuple[Path, Path], tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    plain, _ = folders
    expected = _run(plain).rows
    stored = shutil.copytree(plain, tmp_path / "colliding")
    monkeypatch.setattr(sources, "PERSON_HASH", COLLIDING_HASH)
    assert write_claim_events(stored) > 0
    monkeypatch.undo()
    assert not (stored / EVENTS_FOLDER / PERSON_KEY_FILE).exists()
    assert _run(stored) == Run(expected, "person_id", "events")


def test_a_failed_rewrite_of_the_events_leaves_them_unused(folders: tuple[Path, Path], tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    plain, stored = folders
    expected = _run(plain).rows
    rewritten = shutil.copytree(stored, tmp_path / "rewritten")

    def broken(*args: object) -> object:
        raise OSError("disk full")

    monkeypatch.setattr(runner, "stored_events_sql", broken)
    with pytest.raises(OSError):
        write_claim_events(rewritten)
    assert _run(rewritten) == Run(expected, PERSON_HASH, "scan")
