"""Members of one chunk: demographics, conditions, enrollment spans with gaps and churn, the eligibility table."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from carehub.synth import codes
from carehub.synth.context import NULL_DAY, Calendar, month_end_of, month_start_of
from carehub.synth.network import Network
from carehub.synth.reference import FIRST_FEMALE, FIRST_MALE, LAST_NAMES, STREETS, mix, places

AGE_BANDS = {"0-5": (0, 5), "6-12": (6, 12), "13-17": (13, 17), "18-20": (18, 20), "21-44": (21, 44),
             "45-64": (45, 64), "65-90": (65, 90)}
DISPARITY_RACES = ("black or african american", "american indian or alaska native",
                   "native hawaiian or other pacific islander")
CIN_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"


@dataclass
class Members:
    """Column arrays, one entry per member of the chunk; indexes refer to the vocabularies of the mixes."""

    first: int  # global index of the chunk's first member
    age: np.ndarray
    birth: np.ndarray  # day numbers
    gender: np.ndarray  # index into mix("gender").values
    race_eth: np.ndarray  # index into mix("race_ethnicity").values
    language: np.ndarray  # language codes (str)
    county: np.ndarray  # index into the plan's counties
    place: np.ndarray  # index into places()[county]
    util: np.ndarray  # utilization multiplier (heavy-tailed, mean about 1)
    chronic: np.ndarray  # (n, 2) DX indexes, -1 for none
    mental: np.ndarray  # DX index of a non-SMI mental health diagnosis, -1 for none
    planted: np.ndarray  # bool: carries a planted scenario (no background ED visits or stays)
    pcp: np.ndarray  # index into network.npis
    death: np.ndarray  # day number or NULL_DAY
    leaves: np.ndarray  # planted drop-outs: the day their eligibility ends, shortly before D; else NULL_DAY
    hospice: np.ndarray  # bool (eligibility.hospice_flag)
    institutional: np.ndarray  # bool (eligibility.long_term_institutional_flag)
    aid_code: np.ndarray  # str

    @property
    def n(self) -> int:
        return len(self.age)

    def female(self) -> np.ndarray:
        return np.asarray(mix("gender").values)[self.gender] == "female"

    def disparity(self) -> np.ndarray:
        races = np.array([v.split("|")[0] for v in mix("race_ethnicity").values])
        return np.isin(races[self.race_eth], DISPARITY_RACES)


def birth_for_age(rng: np.random.Generator, cal: Calendar, age: np.ndarray) -> np.ndarray:
    """A birth day giving roughly `age` years on D (within a day or so of the birthday)."""
    return cal.d - np.round(age * 365.2425).astype(np.int64) - rng.integers(1, 364, size=len(age))


def age_on(cal: Calendar, birth: np.ndarray) -> np.ndarray:
    """Exact age in whole years on D."""
    b = birth.astype("datetime64[D]")
    years = b.astype("datetime64[Y]").astype(np.int64) + 1970
    month = b.astype("datetime64[M]")
    month_day = (b - month).astype(np.int64) + 100 * (month.astype(np.int64) % 12)
    d_md = cal.as_of.day - 1 + 100 * (cal.as_of.month - 1)
    return cal.as_of.year - years - (month_day > d_md)


def draw_members(rng: np.random.Generator, first: int, n: int, cal: Calendar, counties: tuple[str, ...],
                 network: Network) -> Members:
    """Demographics in Medi-Cal proportions (demographics.csv), conditions and a PCP in the member's county."""
    band_mix = mix("age_band")
    bands = np.array([AGE_BANDS[v] for v in band_mix.values])[band_mix.sample(rng, n)]
    age = rng.integers(bands[:, 0], bands[:, 1] + 1)
    county_mix = mix("county")
    county_index = {name: i for i, name in enumerate(counties)}
    county = np.array([county_index[v] for v in county_mix.values])[county_mix.sample(rng, n)]
    plan_places = places()
    place = (rng.random(n) * np.array([len(plan_places[c]) for c in counties])[county]).astype(np.int64)
    members = Members(
        first=first, age=age, birth=birth_for_age(rng, cal, age), gender=mix("gender").sample(rng, n),
        race_eth=mix("race_ethnicity").sample(rng, n), language=np.zeros(n, dtype=object), county=county,
        place=place, util=rng.lognormal(-0.5, 1.0, size=n), chronic=np.full((n, 2), -1), mental=np.full(n, -1),
        planted=np.zeros(n, dtype=bool), pcp=network.pick("PCP", county, rng), death=np.full(n, NULL_DAY),
        leaves=np.full(n, NULL_DAY),
        hospice=np.zeros(n, dtype=bool), institutional=np.zeros(n, dtype=bool), aid_code=np.zeros(n, dtype=object),
    )
    refresh(rng, members, cal, np.arange(n))
    return members


def refresh(rng: np.random.Generator, m: Members, cal: Calendar, idx: np.ndarray) -> None:
    """(Re)derive age, language, conditions and aid code of members `idx` after their demographics changed."""
    m.age[idx] = age_on(cal, m.birth[idx])
    age = m.age[idx]
    child = age < 21
    values = mix("race_ethnicity").values
    group = np.array(["hispanic" if "|hispanic" in v else "asian" if v.startswith("asian")
                      else "white" if v.startswith("white") else "other" for v in values])[m.race_eth[idx]]
    for name in ("hispanic", "asian", "white", "other"):
        sel = idx[group == name]
        lang = mix("language", name)
        m.language[sel] = np.asarray(lang.values, dtype=object)[lang.sample(rng, len(sel))]
    prevalence = np.select([age < 21, age < 45, age < 65], [0.18, 0.3, 0.55], 0.75)
    has1 = rng.random(len(idx)) < prevalence
    has2 = has1 & (rng.random(len(idx)) < prevalence * 0.6)
    adult_ids, child_ids = np.array(codes.dx_ids(codes.CHRONIC_ADULT)), np.array(codes.dx_ids(codes.CHRONIC_CHILD))
    rare = np.array(codes.dx_ids(codes.CHRONIC_ADULT_RARE))
    pick_adult = np.where(rng.random(len(idx)) < 0.03, rare[rng.integers(len(rare), size=len(idx))],
                          adult_ids[rng.integers(len(adult_ids), size=len(idx))])
    pick_child = child_ids[rng.integers(len(child_ids), size=len(idx))]
    m.chronic[idx, 0] = np.where(has1, np.where(child, pick_child, pick_adult), -1)
    m.chronic[idx, 1] = np.where(has2, np.where(child, child_ids[rng.integers(len(child_ids), size=len(idx))],
                                                adult_ids[rng.integers(len(adult_ids), size=len(idx))]), -1)
    m.chronic[idx, 1] = np.where(m.chronic[idx, 1] == m.chronic[idx, 0], -1, m.chronic[idx, 1])
    mental_a, mental_c = np.array(codes.dx_ids(codes.MENTAL_ADULT)), np.array(codes.dx_ids(codes.MENTAL_CHILD))
    has_mental = rng.random(len(idx)) < np.where(child, 0.08, 0.12)
    m.mental[idx] = np.where(has_mental, np.where(child, mental_c[rng.integers(4, size=len(idx))],
                                                  mental_a[rng.integers(4, size=len(idx))]), -1)
    # Medi-Cal aid codes: M1 ACA adult expansion, 34 families, 60 SSI disabled, 10 SSI aged, T1 targeted children
    u = rng.random(len(idx))
    m.aid_code[idx] = np.select([age >= 65, age < 19, u < 0.65, u < 0.85], ["10", np.where(u < 0.5, "T1", "34"),
                                                                            "M1", "34"], "60")


@dataclass
class Enrollment:
    """Eligibility spans (rows) and, per member, up to three enrolled intervals inside the history window."""

    member: np.ndarray
    start: np.ndarray
    end: np.ndarray  # NULL_DAY for an open span
    interval_start: np.ndarray  # (n, 3)
    interval_length: np.ndarray  # (n, 3) days, 0 when unused

    def enrolled_days(self) -> np.ndarray:
        return self.interval_length.sum(axis=1)

    def sample_days(self, rng: np.random.Generator, member: np.ndarray) -> np.ndarray:
        """One enrolled day in the window for each entry of `member` (repeat a member for several days)."""
        lengths = self.interval_length[member]
        cum = np.cumsum(lengths, axis=1)
        u = (rng.random(len(member)) * cum[:, -1]).astype(np.int64)
        which = (u[:, None] >= cum).sum(axis=1)
        before = np.where(which > 0, cum[np.arange(len(member)), np.maximum(which - 1, 0)], 0)
        return self.interval_start[member, which] + (u - before)


def enroll(rng: np.random.Generator, m: Members, cal: Calendar) -> Enrollment:
    """Monthly eligibility spans: most members continuous, some with gaps (2-3 spans) or disenrolled (churn).
    Planted members are enrolled without a gap from before the window through D, or, for a drop-out, until the day
    their eligibility ends (`Members.leaves`)."""
    n, months = m.n, cal.months
    newborn = m.birth > cal.window_start - 31  # enrolled from the month of birth, without a gap
    k = np.where(m.planted | newborn, 1, rng.choice([1, 2, 3], size=n, p=[0.72, 0.2, 0.08]))
    # 2k distinct month offsets per member, sorted: span i runs from month p[2i] to month p[2i+1]
    points = np.argsort(rng.random((n, months)), axis=1)[:, :6]
    points = np.sort(np.where(np.arange(6)[None, :] < 2 * k[:, None], points, months + 10), axis=1)
    early = m.planted | (rng.random(n) < 0.75)  # first span began before the window
    open_last = m.planted | newborn | (rng.random(n) < 0.85)
    starts, ends = points[:, 0::2], points[:, 1::2]
    starts[:, 0] = np.where(early, -rng.integers(1, 72, size=n), starts[:, 0])
    last = k - 1
    rows = np.arange(n)
    ends[rows, last] = np.where(open_last, months + 100, ends[rows, last])
    used = np.arange(3)[None, :] < k[:, None]
    start_day = cal.month_start(starts)
    start_day[:, 0] = np.maximum(start_day[:, 0], month_start_of(m.birth))
    end_day = np.where(ends >= months + 100, NULL_DAY, cal.month_end(np.minimum(ends, months + 5)))
    end_day[rows, last] = np.where(m.leaves != NULL_DAY, m.leaves, end_day[rows, last])  # planted: one span
    # deaths end the last span at the end of the month of death
    dies = ~m.planted & (rng.random(n) < np.where(m.age >= 65, 0.02, 0.002))
    last_start = np.maximum(start_day[rows, last], cal.window_start)
    last_end = np.where(end_day[rows, last] == NULL_DAY, cal.d, np.minimum(end_day[rows, last], cal.d))
    death = last_start + (rng.random(n) * np.maximum(last_end - last_start, 0)).astype(np.int64)
    m.death = np.where(dies, death, NULL_DAY)
    end_day[rows, last] = np.where(dies, month_end_of(death), end_day[rows, last])
    # enrolled intervals clipped to [window start, min(D, death)]
    stop = np.where(dies, m.death, cal.d)[:, None]
    lo = np.maximum(start_day, cal.window_start)
    hi = np.minimum(np.where(end_day == NULL_DAY, cal.d, end_day), stop)
    length = np.where(used, np.maximum(hi - lo + 1, 0), 0)
    member = np.repeat(rows, k)
    return Enrollment(member=member, start=start_day[used], end=end_day[used], interval_start=lo,
                      interval_length=length)


def _dates(days: np.ndarray) -> pa.Array:
    return pa.array(days.astype(np.int32), mask=days == NULL_DAY).view(pa.date32())


def eligibility_table(m: Members, e: Enrollment, person_ids: np.ndarray, member_ids: np.ndarray, counties:
                      tuple[str, ...], network: Network, rng: np.random.Generator) -> pa.Table:
    """One row per enrollment span (Tuva eligibility plus the CalAIM columns of spec/input-layout.md)."""
    i = e.member
    genders = np.asarray(mix("gender").values, dtype=object)[m.gender]
    race_eth = np.asarray(mix("race_ethnicity").values, dtype=object)[m.race_eth]
    female = genders == "female"
    first_f, first_m = np.asarray(FIRST_FEMALE, dtype=object), np.asarray(FIRST_MALE, dtype=object)
    first = np.where(female, first_f[rng.integers(len(first_f), size=m.n)],
                     first_m[rng.integers(len(first_m), size=m.n)])
    last = np.asarray(LAST_NAMES, dtype=object)[rng.integers(len(LAST_NAMES), size=m.n)]
    street = np.asarray(STREETS, dtype=object)[rng.integers(len(STREETS), size=m.n)]
    number = rng.integers(100, 19999, size=m.n)
    address = np.array([f"{a} {b}" for a, b in zip(number.tolist(), street.tolist(), strict=True)], dtype=object)
    plan_places = places()
    place = [plan_places[counties[c]][p] for c, p in zip(m.county.tolist(), m.place.tolist(), strict=True)]
    city = np.array([p[0] for p in place], dtype=object)
    zip_code = np.array([p[1] for p in place], dtype=object)
    phone = np.array([f"({p[2]}) 555-01{x:02d}" for p, x in zip(place, rng.integers(0, 100, size=m.n).tolist(),
                                                                strict=True)], dtype=object)
    dual = np.where(m.age >= 65, np.where(rng.random(m.n) < 0.8, "02", "00"), "00").astype(object)
    county_names = np.asarray(counties, dtype=object)[m.county]
    npis = np.asarray(network.npis, dtype=object)

    def s(values: np.ndarray) -> pa.Array:
        return pa.array(values[i], type=pa.string())

    return pa.table({
        "person_id": s(person_ids), "member_id": s(member_ids), "gender": s(genders),
        "race": pa.array([v.split("|")[0] for v in race_eth[i]], type=pa.string()),
        "ethnicity": pa.array([v.split("|")[1] for v in race_eth[i]], type=pa.string()),
        "birth_date": _dates(m.birth[i]), "death_date": _dates(m.death[i]),
        "enrollment_start_date": _dates(e.start), "enrollment_end_date": _dates(e.end),
        "payer": pa.array(np.full(len(i), "medi-cal", dtype=object), type=pa.string()),
        "plan": pa.array(np.full(len(i), "carehub synthetic health plan", dtype=object), type=pa.string()),
        "first_name": s(first), "last_name": s(last), "address": s(address), "city": s(city),
        "state": pa.array(np.full(len(i), "CA", dtype=object), type=pa.string()), "zip_code": s(zip_code),
        "phone": s(phone), "dual_status_code": s(dual),
        "hospice_flag": pa.array(m.hospice[i].astype(np.int8)),
        "long_term_institutional_flag": pa.array(m.institutional[i].astype(np.int8)),
        "county": s(county_names), "preferred_language": s(m.language), "aid_code": s(m.aid_code),
        "pcp_npi": s(npis[m.pcp]),
        "data_source": pa.array(np.full(len(i), "carehub_synth", dtype=object), type=pa.string()),
    })
