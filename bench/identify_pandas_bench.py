"""Baseline: two Population of Focus rules written in pandas the way a plan analyst would (read the columns,
normalise codes, filter, group), timed on the same plan folder as bench/identify_bench.py, and checked to give the
same persons as the engine for those two populations.

    .venv/bin/python bench/identify_pandas_bench.py PLAN_DIR [--as-of 2026-10-31]

Rules (spec/populations-of-focus.md): ADULT_AVOIDABLE_UTILIZATION (>= 5 avoidable ED visits or >= 3 avoidable
unplanned stays in the last 6 months) and ADULT_HOMELESS (homeless on the adult list and complex need; from
2023-07-01 no minors in the household). Value sets are the shipped CSVs. Peak memory is ru_maxrss.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from datetime import date
from pathlib import Path

import pandas as pd

from carehub.domain.populations.runner import VALUE_SETS_DIR, identify_folder, write_csv

CLAIM_COLUMNS = ["claim_id", "claim_type", "person_id", "claim_start_date", "claim_end_date", "admission_date",
                 "discharge_date", "admit_type_code", "place_of_service_code", "bill_type_code",
                 "revenue_center_code", "hcpcs_code", "diagnosis_code_1", "diagnosis_code_2", "diagnosis_code_3"]


def _parquet(folder: Path, table: str, columns: list[str] | None = None) -> pd.DataFrame:
    path = folder / table if (folder / table).is_dir() else folder / f"{table}.parquet"
    frame = pd.read_parquet(path, columns=columns)
    for column in frame.select_dtypes("category").columns:  # Parquet dictionaries arrive as categoricals
        frame[column] = frame[column].astype(object)
    return frame


def _in_set(codes: pd.Series, value_set: str, vs: pd.DataFrame) -> pd.Series:
    rows = vs[vs.value_set == value_set]
    include = tuple(rows[~rows.exclude].prefix)
    exclude = tuple(rows[rows.exclude].prefix)
    hit = codes.fillna("").str.startswith(include)
    return hit & ~codes.fillna("").str.startswith(exclude) if exclude else hit


def analyst(folder: Path, as_of: date) -> dict[str, set[str]]:
    """The two populations, pandas only."""
    d = pd.Timestamp(as_of)
    vs = pd.read_csv(VALUE_SETS_DIR / "diagnoses.csv", dtype=str)
    vs["prefix"] = vs.code_prefix.str.replace(".", "", regex=False).str.upper()
    vs["exclude"] = vs.exclude.str.lower() == "true"
    codes = pd.read_csv(VALUE_SETS_DIR / "codes.csv", dtype=str)
    code_set = {name: set(g.code) for name, g in codes.groupby("value_set")}

    elig = _parquet(folder, "eligibility", ["person_id", "birth_date", "enrollment_start_date",
                                            "enrollment_end_date", "death_date"])
    for c in ("birth_date", "enrollment_start_date", "enrollment_end_date", "death_date"):
        elig[c] = pd.to_datetime(elig[c])
    dead = set(elig.loc[elig.death_date <= d, "person_id"])
    covers = (elig.enrollment_start_date <= d) & (elig.enrollment_end_date.isna() | (elig.enrollment_end_date >= d))
    cover = elig[covers & ~elig.person_id.isin(dead)]
    cover = cover.sort_values("enrollment_start_date").drop_duplicates("person_id", keep="last")
    birthday_ahead = (cover.birth_date.dt.month * 100 + cover.birth_date.dt.day) > d.month * 100 + d.day
    age = d.year - cover.birth_date.dt.year - birthday_ahead.astype(int)
    adults = set(cover.loc[age >= 21, "person_id"])

    mc = _parquet(folder, "medical_claim", CLAIM_COLUMNS)
    for c in ("claim_start_date", "claim_end_date", "admission_date", "discharge_date"):
        mc[c] = pd.to_datetime(mc[c])
    mc = mc[(mc.claim_start_date <= d) & (mc.discharge_date.fillna(mc.claim_end_date).fillna(mc.claim_start_date)
                                          > d - pd.DateOffset(months=12))]
    for c in ("diagnosis_code_1", "diagnosis_code_2", "diagnosis_code_3"):
        mc[c] = mc[c].str.replace(".", "", regex=False).str.upper()
    rev = mc.revenue_center_code.str.zfill(4)
    bill = mc.bill_type_code.str.lstrip("0")
    mc["is_ed"] = (((mc.claim_type == "institutional") & rev.isin(code_set["ED_REVENUE"]))
                   | ((mc.claim_type == "professional")
                      & (mc.place_of_service_code.isin(code_set["ED_PLACE_OF_SERVICE"])
                         | mc.hcpcs_code.isin(code_set["ED_HCPCS"]))))
    mc["stay_kind"] = pd.Series(pd.NA, index=mc.index, dtype="object")
    institutional = mc.claim_type == "institutional"
    mc.loc[institutional & bill.str.startswith("11", na=False), "stay_kind"] = "INPATIENT"
    mc.loc[institutional & bill.str.startswith("21", na=False), "stay_kind"] = "SNF"

    claims = mc.groupby(["person_id", "claim_id"], sort=False).agg(
        start=("claim_start_date", "min"), end=("claim_end_date", "max"), admission=("admission_date", "min"),
        discharge=("discharge_date", "max"), admit_type=("admit_type_code", "max"), stay_kind=("stay_kind", "max"),
        is_ed=("is_ed", "any"), dx_1=("diagnosis_code_1", "max")).reset_index()
    ed = claims[claims.is_ed].copy()
    stays = claims[claims.stay_kind.notna()].copy()
    stays["admitted"] = stays.admission.fillna(stays.start)
    inpatient = stays.loc[stays.stay_kind == "INPATIENT", ["person_id", "admitted"]].drop_duplicates()
    # an ED visit followed by an inpatient admission the same or next day counts as that admission
    ed = ed.merge(inpatient, on="person_id", how="left")
    ed["admitted_after"] = (ed.admitted >= ed.start) & (ed.admitted <= ed.start + pd.Timedelta(days=1))
    ed = ed.groupby(["person_id", "claim_id", "start", "dx_1"], dropna=False).admitted_after.any().reset_index()
    ed = ed[~ed.admitted_after]
    ed["avoidable"] = _in_set(ed.dx_1, "AVOIDABLE_ED", vs)
    visits = ed.groupby(["person_id", "start"]).avoidable.any().reset_index()
    six = d - pd.DateOffset(months=6)
    recent_avoidable = visits[visits.avoidable & (visits.start > six)]
    ed_people = set(recent_avoidable.groupby("person_id").size().loc[lambda s: s >= 5].index)

    ed_days = ed[["person_id", "start"]].drop_duplicates()
    stays = stays.merge(stays.groupby(["person_id", "stay_kind", "admitted"]).agg(
        los_end=("discharge", "max"), discharged=("discharge", "count")).reset_index(), on=["person_id", "stay_kind",
                                                                                             "admitted"])
    stays = stays.merge(ed_days.rename(columns={"start": "ed_day"}), on="person_id", how="left")
    stays["via_ed"] = stays.is_ed | ((stays.ed_day >= stays.admitted - pd.Timedelta(days=1))
                                     & (stays.ed_day <= stays.admitted))
    stays["unplanned"] = stays.admit_type.isin(["1", "2"]) | stays.via_ed
    stays["acsc"] = _in_set(stays.dx_1, "ACSC", vs)
    end = stays.los_end.where(stays.discharged > 0, d).fillna(stays.end)
    stays["short"] = (stays.stay_kind == "INPATIENT") | ((end - stays.admitted).dt.days <= 100)
    per_stay = stays.groupby(["person_id", "stay_kind", "admitted"]).agg(
        unplanned=("unplanned", "any"), acsc=("acsc", "any"), short=("short", "all")).reset_index()
    avoidable_stays = per_stay[per_stay.unplanned & per_stay.acsc & per_stay.short & (per_stay.admitted > six)]
    stay_people = set(avoidable_stays.groupby("person_id").size().loc[lambda s: s >= 3].index)
    utilization = (ed_people | stay_people) & adults

    # ADULT_HOMELESS
    housing = _parquet(folder, "housing_status")
    for c in ("start_date", "end_date"):
        housing[c] = pd.to_datetime(housing[c])
    statuses = pd.read_csv(VALUE_SETS_DIR / "homeless_statuses.csv", dtype=str)
    adult_list = set(statuses.loc[statuses.adult.str.lower() == "true", "status"])
    covering = housing[(housing.start_date <= d) & (housing.end_date.isna() | (housing.end_date >= d))
                       & housing.status.isin(adult_list)]
    minors = set(covering.loc[covering.household_with_minors.astype(str).str.lower() == "true", "person_id"])
    dx = pd.concat([mc[["person_id", "claim_start_date", c]].rename(columns={c: "code"})
                    for c in ("diagnosis_code_1", "diagnosis_code_2", "diagnosis_code_3")])
    dx = dx[dx.code.notna() & (dx.claim_start_date > d - pd.DateOffset(months=12))]
    z59 = set(dx.loc[_in_set(dx.code, "HOMELESS", vs) & (dx.claim_start_date > six),
                     "person_id"])
    homeless = set(covering.person_id) | z59
    if as_of >= date(2023, 7, 1):
        homeless -= minors
    need = set(dx.loc[_in_set(dx.code, "CHRONIC", vs) | _in_set(dx.code, "MENTAL_ILLNESS", vs)
                      | _in_set(dx.code, "SUD", vs) | _in_set(dx.code, "IDD", vs), "person_id"])
    programs = _parquet(folder, "program_enrollment")
    programs["end_date"] = pd.to_datetime(programs.end_date)
    programs["start_date"] = pd.to_datetime(programs.start_date)
    need |= set(programs.loc[(programs.program == "REGIONAL_CENTER") & (programs.start_date <= d)
                             & (programs.end_date.isna() | (programs.end_date > d - pd.DateOffset(months=12))),
                             "person_id"])
    need |= set(ed.loc[ed.start > d - pd.DateOffset(months=12), "person_id"])
    need |= set(per_stay.loc[per_stay.unplanned & per_stay.short, "person_id"])
    assessment = _parquet(folder, "assessment")
    assessment["assessed_on"] = pd.to_datetime(assessment.assessed_on)
    in_12m = (assessment.assessed_on > d - pd.DateOffset(months=12)) & (assessment.assessed_on <= d)
    recent = assessment[(assessment.kind == "SELF_MANAGES_WELL") & in_12m].sort_values(["assessed_on", "value"])
    latest = recent.drop_duplicates("person_id", keep="last")
    need -= set(latest.loc[latest.value.str.lower() == "true", "person_id"])
    return {"ADULT_AVOIDABLE_UTILIZATION": utilization, "ADULT_HOMELESS": homeless & need & adults}


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("plan", type=Path)
    parser.add_argument("--as-of", default="2026-10-31")
    args = parser.parse_args()
    as_of = date.fromisoformat(args.as_of)
    start = time.perf_counter()
    found = analyst(args.plan, as_of)
    seconds = time.perf_counter() - start
    print(f"pandas, 2 rules: {seconds:7.2f} s   peak RSS {_peak_mb():,.0f} MB")
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        con, _ = identify_folder(args.plan, as_of)
        write_csv(con, Path(tmp) / "out.csv")
        engine = time.perf_counter() - start
        rows = con.execute("SELECT population, person_id FROM identification WHERE population IN "
                           "('ADULT_AVOIDABLE_UTILIZATION', 'ADULT_HOMELESS')").fetchall()
        con.close()
    print(f"engine, all rules + CSV: {engine:7.2f} s   peak RSS {_peak_mb():,.0f} MB (process peak)")
    for population, people in found.items():
        theirs = {p for pop, p in rows if pop == population}
        status = "same persons" if theirs == people else (
            f"DIFFERENT: pandas only {len(people - theirs)}, engine only {len(theirs - people)}")
        print(f"  {population:<30} pandas {len(people):>7,}  engine {len(theirs):>7,}  {status}")


if __name__ == "__main__":
    main()
