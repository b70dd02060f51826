"""The generated plan follows the input layout (spec/input-layout.md): tables, columns, dates, codes, ids."""

from __future__ import annotations

import csv
import hashlib
import re
from datetime import date
from pathlib import Path

from stdnum import luhn
from typer.testing import CliRunner

from carehub.cli import app
from carehub.domain.counties import counties
from carehub.domain.network import PROVIDER_KINDS, PROVIDER_TYPES
from carehub.synth.network import POPULATIONS, npi_with_check_digit
from carehub.synth.plan import generate_plan

from .conftest import AS_OF, Plan, quiet

REQUIRED = {
    "eligibility": {"person_id", "member_id", "birth_date", "enrollment_start_date", "enrollment_end_date", "gender",
                    "race", "first_name", "last_name", "address", "phone", "county", "preferred_language", "pcp_npi"},
    "medical_claim": {"claim_id", "claim_line_number", "claim_type", "person_id", "claim_start_date",
                      "bill_type_code", "revenue_center_code", "place_of_service_code", "hcpcs_code",
                      "diagnosis_code_1", "admit_type_code", "rendering_npi", "facility_npi"},
    "pharmacy_claim": {"claim_id", "claim_line_number", "person_id", "dispensing_date", "ndc_code"},
    "program_enrollment": {"person_id", "program", "start_date", "end_date", "source", "detail"},
    "housing_status": {"person_id", "status", "start_date", "end_date", "source", "household_with_minors"},
    "incarceration": {"person_id", "facility_type", "admission_date", "release_date", "expected_release_date",
                      "source"},
    "assessment": {"person_id", "kind", "value", "assessed_on", "source"},
    "provider": {"npi", "name", "kind", "provider_type", "counties", "populations", "supports", "languages",
                 "capacity", "tin", "phone", "email", "address"},
}
WINDOW_START = date(2024, 11, 1)
HCPCS_FILE = Path(__file__).parents[2] / "../shared/data/hcpcs-2025-oct/HCPC2025_OCT_ANWEB.csv"


def _hashes(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_same_seed_gives_the_same_bytes_and_another_seed_does_not(tmp_path):
    for name, seed in (("a", 3), ("b", 3), ("c", 4)):
        generate_plan(out=tmp_path / name, members=1200, seed=seed, fmt="parquet", as_of=AS_OF, console=quiet())
    first, second, other = (_hashes(tmp_path / n) for n in "abc")
    assert first == second
    assert len(first) == 9  # 8 tables (3 of them a folder of one part) and the truth file
    assert first["medical_claim/part-0001.parquet"] != other["medical_claim/part-0001.parquet"]


def test_every_table_has_the_required_columns(parquet_plan: Plan):
    for table, columns in REQUIRED.items():
        present = {row[0] for row in parquet_plan.rows(f"describe {table}")}
        assert columns <= present, (table, columns - present)
        assert parquet_plan.scalar(f"select count(*) from {table}") > 0, table


def test_dates_are_valid_and_inside_the_history(parquet_plan: Plan):
    db = parquet_plan
    low, high = db.rows("select min(claim_start_date), max(claim_end_date) from medical_claim")[0]
    assert low >= WINDOW_START and high <= AS_OF
    assert db.scalar("select count(*) from medical_claim where claim_end_date < claim_start_date") == 0
    low, high = db.rows("select min(dispensing_date), max(dispensing_date) from pharmacy_claim")[0]
    assert low >= WINDOW_START and high <= AS_OF
    assert db.scalar("select count(*) from eligibility where enrollment_end_date < enrollment_start_date "
                     "or birth_date > enrollment_end_date or birth_date >= ?", [AS_OF]) == 0
    assert db.scalar("select count(*) from eligibility where death_date > ?", [AS_OF]) == 0
    assert db.scalar("select count(*) from program_enrollment where end_date < start_date or start_date > ?",
                     [AS_OF]) == 0
    assert db.scalar("select count(*) from housing_status where end_date < start_date or start_date > ?",
                     [AS_OF]) == 0
    assert db.scalar("select count(*) from incarceration where release_date < admission_date or release_date > ?",
                     [AS_OF]) == 0
    assert db.scalar("select count(*) from assessment where assessed_on > ?", [AS_OF]) == 0


def test_enrollment_has_gaps_churn_open_spans_and_a_pcp(parquet_plan: Plan):
    db = parquet_plan
    spans = dict(db.rows("select n, count(*) from (select person_id, count(*) n from eligibility group by 1) "
                         "group by 1"))
    assert spans[1] > spans.get(2, 0) > spans.get(3, 0) > 0
    assert db.scalar("select count(*) from eligibility where enrollment_end_date is null") > 3000
    assert db.scalar("select count(*) from (select person_id, max(coalesce(enrollment_end_date, date '9999-12-31'))"
                     " e from eligibility group by 1) where e < ?", [AS_OF]) > 50  # disenrolled: churn
    assert db.scalar("select count(*) from eligibility where pcp_npi is null") == 0


def test_ids_are_cin_like_and_stable(parquet_plan: Plan):
    rows = parquet_plan.rows("select distinct person_id, member_id from eligibility")
    assert all(re.fullmatch(r"\d{8}[A-Z]", member) for _, member in rows)
    assert len({p for p, _ in rows}) == len({m for _, m in rows}) == len(rows) == 4000
    assert min(p for p, _ in rows) == "P000000001"


def test_npis_pass_the_luhn_check_and_belong_to_the_network(parquet_plan: Plan):
    db = parquet_plan
    network = {row[0] for row in db.rows("select npi from provider")}
    assert all(len(n) == 10 and luhn.is_valid("80840" + n) for n in network)
    used = {row[0] for row in db.rows(
        "select pcp_npi from eligibility union select rendering_npi from medical_claim union "
        "select billing_npi from medical_claim union select facility_npi from medical_claim union "
        "select prescribing_provider_npi from pharmacy_claim union select dispensing_provider_npi from pharmacy_claim")
        if row[0] is not None}
    assert used <= network


def test_program_details_name_a_provider_of_the_right_kind_in_the_members_county(parquet_plan: Plan):
    rows = parquet_plan.rows("""
        select p.program, v.kind, list_contains(string_split(v.counties, ';'), e.county)
        from program_enrollment p
        join (select distinct person_id, county from eligibility) e using (person_id)
        left join provider v on v.npi = p.detail
        where p.program in ('WPC', 'HHP', 'ECM', 'SMHS', 'DMC_ODS', 'CCS', 'CCS_WCM') and p.detail is not null""")
    expected = {"WPC": "ECM", "HHP": "ECM", "ECM": "ECM", "SMHS": "BH", "DMC_ODS": "BH",
                "CCS": "CCS_CASE_MANAGEMENT", "CCS_WCM": "CCS_CASE_MANAGEMENT"}
    assert {program for program, _, _ in rows} >= {"ECM", "SMHS", "CCS", "CCS_WCM", "WPC", "HHP"}
    assert all(kind == expected[program] and in_county for program, kind, in_county in rows)


def test_diagnosis_codes_are_well_formed_icd10cm_with_and_without_dots(parquet_plan: Plan):
    codes = {row[0] for row in parquet_plan.rows(
        "select diagnosis_code_1 from medical_claim union select diagnosis_code_2 from medical_claim "
        "union select diagnosis_code_3 from medical_claim") if row[0]}
    pattern = re.compile(r"[A-TV-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?")
    assert all(pattern.fullmatch(code) for code in codes), sorted(c for c in codes if not pattern.fullmatch(c))
    assert any("." in c for c in codes) and any(len(c) > 3 and "." not in c for c in codes)


def test_procedure_revenue_bill_type_and_place_codes_are_real(parquet_plan: Plan):
    db = parquet_plan
    with HCPCS_FILE.open(encoding="latin-1", newline="") as handle:
        level2 = {row["Code"][:5] for row in csv.DictReader(handle)}  # code + sequence number
    hcpcs = {row[0] for row in db.rows("select distinct hcpcs_code from medical_claim where hcpcs_code is not null")}
    assert all(re.fullmatch(r"\d{5}", c) or c in level2 for c in hcpcs), hcpcs
    bills = {row[0] for row in db.rows("select distinct bill_type_code from medical_claim where bill_type_code "
                                       "is not null")}
    assert {"0111", "0131", "0211"} <= bills
    revenue = {row[0] for row in db.rows("select distinct revenue_center_code from medical_claim")}
    assert {"0450", "0120", "0300"} <= revenue
    assert all(r is None or re.fullmatch(r"0\d{3}", r) for r in revenue)
    places = {row[0] for row in db.rows("select distinct place_of_service_code from medical_claim")}
    assert {"11", "23", "21", "81"} <= places
    assert db.scalar("select count(*) from medical_claim where claim_type = 'institutional' and "
                     "(bill_type_code is null or place_of_service_code is not null)") == 0
    assert db.scalar("select count(*) from pharmacy_claim where not regexp_full_match(ndc_code, '\\d{11}')") == 0


def test_heavy_tail_of_utilizers(parquet_plan: Plan):
    lines = [row[0] for row in parquet_plan.rows(
        "select count(*) from medical_claim group by person_id order by 1")]
    average = sum(lines) / 4000
    assert 25 < average < 60
    top = sum(lines[-len(lines) // 100:])  # the top 1% of members
    assert top > 0.08 * sum(lines)


def test_members_live_in_counties_of_both_ecm_phases(parquet_plan: Plan):
    names = {row[0] for row in parquet_plan.rows("select distinct county from eligibility")}
    assert {counties()[name].ecm_phase for name in names} == {1, 2}


def test_demographics_are_medi_cal_like(parquet_plan: Plan):
    db = parquet_plan
    share = lambda where: db.scalar(  # noqa: E731
        f"select avg(case when {where} then 1.0 else 0 end) from (select distinct on (person_id) * from eligibility)")
    assert 0.3 < share(f"birth_date > date '{AS_OF.year - 21}-10-31'") < 0.45
    assert 0.42 < share("ethnicity = 'hispanic or latino'") < 0.58
    assert 0.2 < share("preferred_language = 'es'") < 0.4
    assert 0.48 < share("gender = 'female'") < 0.58
    genders = {row[0] for row in db.rows("select distinct gender from eligibility")}
    assert genders <= {"male", "female", "unknown"}


def test_provider_network_covers_every_population_in_every_county(parquet_plan: Plan):
    db = parquet_plan
    kinds = {row[0] for row in db.rows("select distinct kind from provider")}
    assert {"ECM", "CS", "PCP", "BH", "CCS_CASE_MANAGEMENT"} <= kinds <= set(PROVIDER_KINDS)
    assert {row[0] for row in db.rows("select distinct provider_type from provider")} <= set(PROVIDER_TYPES)
    served = db.rows("""select c, count(distinct p) from provider, unnest(string_split(counties, ';')) t(c),
                        unnest(string_split(populations, ';')) s(p) where kind = 'ECM' group by c""")
    assert len(served) == 10 and all(count == len(POPULATIONS) for _, count in served)
    assert db.scalar("select count(*) from provider where kind = 'CS' and supports is null") == 0
    assert db.scalar("select min(capacity) from provider where kind in ('ECM', 'CS')") > 0


def test_counties_csv_has_both_phases_with_fips():
    table = counties()
    assert len(table) == 58
    assert sum(c.ecm_phase == 1 for c in table.values()) == 28
    assert table["Los Angeles"].fips == "06037" and table["Los Angeles"].wpc and table["Los Angeles"].hhp
    assert table["Fresno"].ecm_phase == 2 and table["Fresno"].ecm_go_live == date(2022, 7, 1)


def test_csv_and_parquet_hold_the_same_content(tmp_path):
    for fmt in ("csv", "parquet"):
        generate_plan(out=tmp_path / fmt, members=800, seed=11, fmt=fmt, as_of=AS_OF, console=quiet())
    csv_plan, parquet = Plan(tmp_path / "csv"), Plan(tmp_path / "parquet")
    assert (tmp_path / "csv" / "medical_claim" / "part-0001.csv").exists()
    for table in REQUIRED:
        columns = [row[0] for row in parquet.rows(f"describe {table}")]
        select = ", ".join(f'cast("{c}" as varchar)' for c in columns)
        left = sorted(parquet.rows(f"select {select} from {table}"), key=repr)
        right = sorted(csv_plan.rows(f"select {select} from {table}"), key=repr)
        assert left == right, table


def test_cli_writes_a_plan(tmp_path):
    result = CliRunner().invoke(app, ["synth", "--members", "300", "--seed", "5", "--format", "csv", "--out",
                                      str(tmp_path / "plan"), "--as-of", "2025-12-31"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "plan" / "provider.csv").exists()
    assert (tmp_path / "plan" / "_truth" / "populations.csv").exists()


def test_tiny_plans_are_still_complete(tmp_path):
    generate_plan(out=tmp_path, members=5, seed=1, fmt="csv", as_of=AS_OF, console=quiet())
    assert Plan(tmp_path).scalar("select count(distinct person_id) from eligibility") == 5
    assert (tmp_path / "_truth" / "populations.csv").read_text().startswith('"person_id","population"')


def test_npi_check_digit_matches_the_cms_example():
    assert npi_with_check_digit(123456789) == "1234567893"  # CMS NPI check digit example
