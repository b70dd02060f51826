"""Reference mixes of the synthetic plan (demographics.csv, places.csv) and name lists."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent


def _rows(name: str) -> list[dict[str, str]]:
    with (HERE / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(line for line in handle if not line.startswith("#")))


@dataclass(frozen=True)
class Mix:
    """Values with their probabilities."""

    values: tuple[str, ...]
    p: np.ndarray

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Indexes into `values`, drawn with the mix's probabilities."""
        return rng.choice(len(self.values), size=size, p=self.p)


@cache
def mix(dimension: str, given: str = "") -> Mix:
    """The weighted values of one dimension of demographics.csv (conditional on `given` where it applies)."""
    rows = [r for r in _rows("demographics.csv") if r["dimension"] == dimension and r["given"] == given]
    if not rows:
        raise KeyError(f"{dimension}/{given}")
    weights = np.array([float(r["weight"]) for r in rows])
    return Mix(tuple(r["value"] for r in rows), weights / weights.sum())


@cache
def places() -> dict[str, list[tuple[str, str, str]]]:
    """(city, zip_code, area_code) per county."""
    out: dict[str, list[tuple[str, str, str]]] = {}
    for row in _rows("places.csv"):
        out.setdefault(row["county"], []).append((row["city"], row["zip_code"], row["area_code"]))
    return out


# Common given names and surnames of California (illustrative lists, combined at random).
FIRST_FEMALE = ("Maria", "Guadalupe", "Ana", "Sofia", "Isabella", "Jennifer", "Jessica", "Linda", "Mai", "Linh",
                "Grace", "Angela", "Keisha", "Tanya", "Rosa", "Carmen", "Emily", "Olivia", "Mia", "Hana", "Leilani",
                "Aiyana", "Nora", "Fatima", "Ani", "Yesenia", "Brenda", "Veronica", "Patricia", "Daisy")
FIRST_MALE = ("Jose", "Juan", "Luis", "Carlos", "Miguel", "David", "Michael", "James", "Robert", "Daniel", "Minh",
              "Kevin", "Jamal", "Andre", "Tyrone", "Anthony", "Jesus", "Noah", "Liam", "Ethan", "Kai", "Mateo",
              "Omar", "Arman", "Sergei", "Tuan", "Marcus", "Eduardo", "Francisco", "Samuel")
LAST_NAMES = ("Garcia", "Hernandez", "Lopez", "Martinez", "Gonzalez", "Rodriguez", "Perez", "Sanchez", "Ramirez",
              "Torres", "Flores", "Rivera", "Gomez", "Diaz", "Reyes", "Cruz", "Morales", "Nguyen", "Tran", "Le",
              "Pham", "Wong", "Chen", "Lee", "Kim", "Park", "Santos", "Smith", "Johnson", "Williams", "Brown",
              "Jones", "Davis", "Miller", "Wilson", "Anderson", "Thomas", "Jackson", "White", "Harris", "Thompson",
              "Young", "Walker", "Robinson", "Begay", "Yazzie", "Kahale", "Petrosyan", "Hakobyan", "Ivanov")
STREETS = ("Oak St", "Maple Ave", "Cedar Ln", "Pine St", "Elm St", "Mission Blvd", "Valley View Dr", "Sunset Ave",
           "Orchard Way", "Citrus Ave", "Palm Dr", "Almond Ct", "Vineyard Rd", "River Rd", "Sierra Vista Ave",
           "Main St", "Lincoln Ave", "Jefferson St", "Olive Ave", "Walnut St")
