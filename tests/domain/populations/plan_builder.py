"""A hand-built plan data folder for the identification tests: rows written as CSV by the test itself."""

from __future__ import annotations

import csv
import itertools
from collections import defaultdict
from datetime import date
from pathlib import Path

from carehub.domain.populations import identify_folder, write_csv

COLUMNS = {
    "eligibility": ["person_id", "member_id", "birth_date", "enrollment_start_date", "enrollment_end_date",
                    "death_date", "race", "county"],
    "medical_claim": ["claim_id", "claim_line_number", "claim_type", "person_id", "claim_start_date",
                      "claim_end_date", "admission_date", "discharge_date", "admit_type_code", "place_of_service_code",
                      "bill_type_code", "revenue_center_code", "hcpcs_code", "diagnosis_code_1", "diagnosis_code_2",
                      "procedure_code_1"],
    "program_enrollment": ["person_id", "program", "start_date", "end_date", "source", "detail"],
    "housing_status": ["person_id", "status", "start_date", "end_date", "source", "household_with_minors"],
    "incarceration": ["person_id", "facility_type", "admission_date", "release_date", "expected_release_date",
                      "source"],
    "assessment": ["person_id", "kind", "value", "assessed_on", "source"],
}


class Plan:
    """Builds a small plan folder row by row; `identify(as_of)` runs the engine and returns the CSV rows."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.rows: dict[str, list[dict[str, str]]] = defaultdict(list)
        self._claim_ids = itertools.count(1)

    def person(self, pid: str, birth: str, *, county: str = "Alameda", race: str = "white",
               start: str = "2020-01-01", end: str = "", death: str = "", member: str = "") -> None:
        """An eligibility span (call again for another span of the same person)."""
        self.rows["eligibility"].append({
            "person_id": pid, "member_id": member or f"M{pid}", "birth_date": birth, "enrollment_start_date": start,
            "enrollment_end_date": end, "death_date": death, "race": race, "county": county})

    def claim(self, pid: str, on: str, *, kind: str = "professional", dx: tuple[str, ...] = (), pos: str = "",
              hcpcs: str = "", rev: str = "", bill: str = "", admit_type: str = "", admission: str = "",
              discharge: str = "", end: str = "", claim_id: str = "", line: int = 1, procedure: str = "") -> str:
        """A claim line; a new claim unless `claim_id` names one already written (then pass its `line`)."""
        claim_id = claim_id or f"C{next(self._claim_ids)}"
        dxs = list(dx) + ["", ""]
        self.rows["medical_claim"].append({
            "claim_id": claim_id, "claim_line_number": str(line), "claim_type": kind, "person_id": pid,
            "claim_start_date": on, "claim_end_date": end or on, "admission_date": admission,
            "discharge_date": discharge, "admit_type_code": admit_type, "place_of_service_code": pos,
            "bill_type_code": bill, "revenue_center_code": rev, "hcpcs_code": hcpcs,
            "diagnosis_code_1": dxs[0], "diagnosis_code_2": dxs[1], "procedure_code_1": procedure})
        return claim_id

    def ed(self, pid: str, on: str, dx: str = "J06.9") -> str:
        """A professional ED visit (place of service 23, E/M 99283)."""
        return self.claim(pid, on, dx=(dx,), pos="23", hcpcs="99283")

    def stay(self, pid: str, admission: str, discharge: str, dx: str = "I50.9", *, admit_type: str = "1",
             bill: str = "0111") -> str:
        return self.claim(pid, admission, kind="institutional", dx=(dx,), bill=bill, admit_type=admit_type,
                          admission=admission, discharge=discharge, end=discharge)

    def program(self, pid: str, program: str, start: str, end: str = "", detail: str = "") -> None:
        self.rows["program_enrollment"].append({"person_id": pid, "program": program, "start_date": start,
                                                "end_date": end, "source": "test", "detail": detail})

    def housing(self, pid: str, status: str, start: str, end: str = "", minors: bool | None = False) -> None:
        """A housing status episode; `minors=None` leaves the household blank (not on record)."""
        self.rows["housing_status"].append({"person_id": pid, "status": status, "start_date": start,
                                            "end_date": end, "source": "HMIS",
                                            "household_with_minors": "" if minors is None else str(minors).lower()})

    def incarceration(self, pid: str, facility: str, release: str = "", *, admission: str = "2020-01-01",
                      expected: str = "") -> None:
        self.rows["incarceration"].append({"person_id": pid, "facility_type": facility, "admission_date": admission,
                                           "release_date": release, "expected_release_date": expected,
                                           "source": "test"})

    def assessment(self, pid: str, kind: str, value: str, on: str) -> None:
        self.rows["assessment"].append({"person_id": pid, "kind": kind, "value": value, "assessed_on": on,
                                        "source": "test"})

    def write(self) -> Path:
        folder = self.root / "plan"
        folder.mkdir(exist_ok=True)
        for table, columns in COLUMNS.items():
            with (folder / f"{table}.csv").open("w", newline="") as f:
                writer = csv.DictWriter(f, fieldnames=columns)
                writer.writeheader()
                writer.writerows(self.rows[table])
        return folder

    def identify(self, as_of: str, value_sets: Path | None = None) -> list[dict[str, str]]:
        """Run identification on the folder and return the output CSV's rows, as a user would read them."""
        con, _ = identify_folder(self.write(), date.fromisoformat(as_of), value_sets)
        out = self.root / "out.csv"
        write_csv(con, out)
        con.close()
        with out.open() as f:
            return list(csv.DictReader(f))


def met(rows: list[dict[str, str]], pid: str) -> dict[str, dict[str, str]]:
    """The output rows of one person, by population."""
    return {r["population"]: r for r in rows if r["person_id"] == pid}
