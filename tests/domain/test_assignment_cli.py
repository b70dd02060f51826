"""`carehub assign` on a small hand-built plan data folder, and the members file's errors."""

from __future__ import annotations

import csv
from pathlib import Path

from stdnum import luhn
from typer.testing import CliRunner

from carehub.cli import app


def npi(n: int) -> str:
    body = f"1{n:08d}"
    return body + luhn.calc_check_digit("80840" + body)


PREF, WPC, CCS, BH_OLD, BH_NEW, SMHS, PCP, BIG, SMALL, CLINIC = (npi(i) for i in range(1, 11))


def write(path: Path, header: str, *rows: str) -> None:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")


def plan(folder: Path) -> Path:
    folder.mkdir()
    pops = "ADULT_HOMELESS;ADULT_SMH_SUD;CHILD_CCS"
    write(folder / "provider.csv", "npi,name,kind,provider_type,counties,populations,languages,capacity",
          f"{PREF},Pref,ECM,FQHC,Alameda,{pops},en,5",
          f"{WPC},WPC lead,ECM,COUNTY,Alameda,{pops},en,5",
          f"{CCS},CCS org,ECM,COUNTY,Alameda,{pops},en,5",
          f"{BH_OLD},BH old,ECM,BEHAVIORAL_HEALTH_ENTITY,Alameda,{pops},en,5",
          f"{BH_NEW},BH new,ECM,BEHAVIORAL_HEALTH_ENTITY,Alameda,{pops},en,5",
          f"{PCP},PCP group,ECM,PCP_SPECIALIST_GROUP,Alameda,{pops},en,5",
          f"{BIG},Big,ECM,HOMELESSNESS_ORGANIZATION,Alameda;Contra Costa,{pops},en;es,1",
          f"{SMALL},Small,ECM,OTHER,Contra Costa,{pops},en,1",
          f"{CLINIC},Clinic,PCP,,Alameda,,en,")
    write(folder / "eligibility.csv",
          "person_id,member_id,birth_date,enrollment_start_date,enrollment_end_date,county,preferred_language,pcp_npi",
          "A,91000001A,1980-01-01,2020-01-01,,Alameda,en,",
          "B,91000002A,1980-01-01,2020-01-01,,Alameda,en,",
          "C,91000003A,2015-01-01,2020-01-01,,Alameda,en,",
          "D,91000004A,1980-01-01,2020-01-01,,Alameda,en,",
          "E,91000005A,1980-01-01,2020-01-01,,Alameda,en,",
          f"F,91000006A,1980-01-01,2020-01-01,,Alameda,en,{PCP}",
          "G,91000007A,1980-01-01,2020-01-01,,Contra Costa,es,",
          "H,91000008A,1980-01-01,2020-01-01,,Contra Costa,en,",
          "I,91000009A,1980-01-01,2020-01-01,2023-12-31,Alameda,en,",
          "J,91000010A,1980-01-01,2020-01-01,,Contra Costa,en,",
          "K,91000011A,1990-01-01,2020-01-01,,Alameda,en,")
    write(folder / "program_enrollment.csv", "person_id,program,start_date,end_date,source,detail",
          f"B,WPC,2019-01-01,2021-12-31,county,{WPC}",
          f"C,CCS_WCM,2022-01-01,,county,{CCS}",
          f"E,SMHS,2025-01-01,,county,{SMHS}",
          f"K,DMC_ODS,2026-02-01,,county,{BH_OLD}")
    write(folder / "medical_claim.csv",
          "claim_id,claim_line_number,claim_type,person_id,claim_start_date,billing_npi,diagnosis_code_1",
          f"c1,1,professional,D,2026-01-10,{BH_OLD},F20.9",
          f"c2,1,professional,D,2026-06-10,{BH_NEW},F1120",
          f"c3,1,professional,D,2026-08-10,{CLINIC},J06.9",
          f"c4,1,professional,E,2026-08-10,{CLINIC},F70")
    return folder


MEMBERS = "person_id,population,preferred_provider_npi,previous_provider_npi"


def run(tmp_path: Path, *member_rows: str, header: str = MEMBERS):
    tmp_path.mkdir(parents=True, exist_ok=True)
    data = plan(tmp_path / "plan")
    write(tmp_path / "members.csv", header, *member_rows)
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(app, ["assign", "--data", str(data), "--as-of", "2026-10-31",
                                      "--members", str(tmp_path / "members.csv"), "--out", str(out)])
    return result, out


def test_assign_writes_one_row_per_member_with_the_deciding_rule(tmp_path):
    result, out = run(tmp_path,
                      f"A,ADULT_HOMELESS,{PREF},",
                      "B,ADULT_HOMELESS,,",
                      "C,CHILD_CCS,,",
                      "D,ADULT_SMH_SUD,,",
                      "E,ADULT_SMH_SUD,,",
                      "F,ADULT_HOMELESS,,",
                      "G,ADULT_HOMELESS,,",
                      "H,ADULT_HOMELESS,,",
                      "I,ADULT_HOMELESS,,",
                      "J,ADULT_HOMELESS,,")
    assert result.exit_code == 0, result.output
    with out.open(newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["person_id", "provider_npi", "rule"]
    assert rows[1:] == [
        ["A", PREF, "MEMBER_PREFERENCE"],
        ["B", WPC, "EXISTING_RELATIONSHIP"],
        ["C", CCS, "CCS_CASE_MANAGER"],
        ["D", BH_NEW, "BEHAVIORAL_HEALTH"],  # the most recent claim with an MH/SUD principal diagnosis
        # SMHS provider not in the network, F70 is I/DD not mental health: best match, a behavioral health entity
        ["E", BH_OLD, "BEST_MATCH"],
        ["F", PCP, "PCP"],
        ["G", BIG, "BEST_MATCH"],  # speaks Spanish
        ["H", SMALL, "BEST_MATCH"],
        ["I", "", "UNASSIGNED"],  # no eligibility on the as-of date
        ["J", "", "UNASSIGNED"],  # Contra Costa is full
    ]
    assert "assigned 8 of 10 members" in result.output


def test_explain_adds_the_alternatives_considered(tmp_path):
    data = plan(tmp_path / "plan")
    write(tmp_path / "members.csv", MEMBERS, f"F,ADULT_HOMELESS,{CLINIC},")
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(app, ["assign", "--data", str(data), "--as-of", "2026-10-31", "--members",
                                      str(tmp_path / "members.csv"), "--out", str(out), "--explain"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(newline="")))
    assert rows == [{"person_id": "F", "provider_npi": PCP, "rule": "PCP",
                     "alternatives": f"MEMBER_PREFERENCE:{CLINIC}:NOT_ECM"}]


def test_bad_members_file_names_file_line_and_field_and_writes_nothing(tmp_path):
    bad_npi = PREF[:9] + str((int(PREF[9]) + 1) % 10)
    result, out = run(tmp_path, "A,ADULT_HOMELESS,,", f"B,NOT_A_POPULATION,{bad_npi},", "A,ADULT_HOMELESS,,",
                      ",ADULT_HOMELESS,,")
    assert result.exit_code == 1
    assert "members.csv, line 3, population: not a Population of Focus code" in result.output
    assert "members.csv, line 3, preferred_provider_npi: not a valid NPI" in result.output
    assert "members.csv, line 4, person_id: already listed on line 2" in result.output
    assert "members.csv, line 5, person_id: empty" in result.output
    assert "NOT_A_POPULATION" not in result.output and bad_npi not in result.output  # no member data echoed
    assert not out.exists()


def test_members_file_without_a_required_column(tmp_path):
    result, out = run(tmp_path, "A", header="person_id")
    assert result.exit_code == 1
    assert "members.csv, line 1, population: required column is missing" in result.output
    assert not out.exists()


def test_optional_columns_may_be_absent(tmp_path):
    result, out = run(tmp_path, "B,ADULT_HOMELESS", header="person_id,population")
    assert result.exit_code == 0, result.output
    assert out.read_text().splitlines()[1] == f"B,{WPC},EXISTING_RELATIONSHIP"


def test_assignment_clock_counts_members_past_ten_working_days(tmp_path):
    # as of 2026-10-31: authorized 2026-10-16 is due 2026-10-30 (late); 2026-10-20 is due 2026-11-03 (on time)
    result, _ = run(tmp_path, "A,ADULT_HOMELESS,,,2026-10-16", "B,ADULT_HOMELESS,,,2026-10-20",
                    header=MEMBERS + ",authorized_on")
    assert result.exit_code == 0, result.output
    assert "1 past the 10-working-day assignment clock on 2026-10-31" in " ".join(result.output.split())


def test_authorization_date_after_as_of_or_not_a_date_is_rejected(tmp_path):
    result, out = run(tmp_path, "A,ADULT_HOMELESS,,,2026-11-02", header=MEMBERS + ",authorized_on")
    assert result.exit_code == 1 and "members.csv, line 2, authorized_on: after --as-of" in result.output
    result, out = run(tmp_path / "again", "A,ADULT_HOMELESS,,,02/11/2026", header=MEMBERS + ",authorized_on")
    assert result.exit_code == 1 and "line 2, authorized_on: not a date" in result.output


def test_behavioral_health_provider_from_a_dmc_program_row(tmp_path):
    result, out = run(tmp_path, "K,ADULT_SMH_SUD,,")
    assert result.exit_code == 0, result.output
    assert out.read_text().splitlines()[1] == f"K,{BH_OLD},BEHAVIORAL_HEALTH"


def run_with_lines(tmp_path: Path, lines: list[str], *member_rows: str):
    tmp_path.mkdir(parents=True, exist_ok=True)
    data = plan(tmp_path / "plan")
    write(tmp_path / "members.csv", MEMBERS, *member_rows)
    write(tmp_path / "lines.csv", "provider_npi,county,population,capacity", *lines)
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(app, ["assign", "--data", str(data), "--as-of", "2026-10-31",
                                      "--members", str(tmp_path / "members.csv"), "--out", str(out),
                                      "--capacity-lines", str(tmp_path / "lines.csv")])
    return result, out


def test_capacity_lines_limit_a_county_and_population_only(tmp_path):
    full = [f"{n},alameda county,ADULT_HOMELESS,0" for n in (PREF, WPC, CCS, BH_OLD, PCP, BIG)]
    result, out = run_with_lines(tmp_path / "one", [*full, f"{BH_NEW},Alameda,ADULT_HOMELESS,1"],
                                 "A,ADULT_HOMELESS,,", "K,ADULT_HOMELESS,,")
    assert result.exit_code == 0, result.output
    rows = {r["person_id"]: r for r in csv.DictReader(out.open())}
    # K keeps the behavioral health provider of its DMC-ODS program only if a cell is left there: it is not, so
    # the one Alameda homeless place left (BH new) goes to one member and the other is not assigned.
    assert sorted(r["provider_npi"] for r in rows.values()) == ["", BH_NEW]
    assert {r["rule"] for r in rows.values() if not r["provider_npi"]} == {"UNASSIGNED"}
    # Another population in the same county is not limited by those lines.
    result, out = run_with_lines(tmp_path / "two", full, "A,ADULT_SMH_SUD,,")
    assert result.exit_code == 0, result.output
    (row,) = csv.DictReader(out.open())
    assert row["provider_npi"] and row["rule"] != "UNASSIGNED"


def test_capacity_lines_errors_name_the_file_line_and_field(tmp_path):
    result, out = run_with_lines(tmp_path, [
        "1234567890,Alameda,ADULT_HOMELESS,3",
        f"{PREF},Alameda,NOT_A_POP,3",
        f"{PREF},,ADULT_HOMELESS,-1",
        f"{WPC},Alameda,ADULT_HOMELESS,2",
        f"{WPC},alameda,ADULT_HOMELESS,4",
    ], "A,ADULT_HOMELESS,,")
    assert result.exit_code == 1 and not out.exists()
    said = " ".join(result.output.split())
    for text in ("lines.csv, line 2, provider_npi: not a valid NPI", "lines.csv, line 3, population: not a Population",
                 "lines.csv, line 4, county: required", "lines.csv, line 4, capacity: not a whole number",
                 "lines.csv, line 6: this provider, county and population are listed twice"):
        assert text in said, text
    stranger = npi(99)
    result, _ = run_with_lines(tmp_path / "unknown", [f"{stranger},Alameda,ADULT_HOMELESS,2"], "A,ADULT_HOMELESS,,")
    assert result.exit_code == 1
    assert f"provider_npi {stranger} is not a provider in the data folder" in " ".join(result.output.split())


def test_capacity_lines_without_a_required_column_are_refused(tmp_path):
    data = plan(tmp_path / "plan")
    write(tmp_path / "members.csv", MEMBERS, "A,ADULT_HOMELESS,,")
    write(tmp_path / "lines.csv", "provider_npi,county,capacity", f"{PREF},Alameda,3")
    result = CliRunner().invoke(app, ["assign", "--data", str(data), "--as-of", "2026-10-31",
                                      "--members", str(tmp_path / "members.csv"), "--out", str(tmp_path / "o.csv"),
                                      "--capacity-lines", str(tmp_path / "lines.csv")])
    assert result.exit_code == 1 and not (tmp_path / "o.csv").exists()
    assert "lines.csv, line 1, population: required column is missing" in " ".join(result.output.split())
