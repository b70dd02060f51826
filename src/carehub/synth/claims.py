"""Claims: background utilization of every member (heavy-tailed), and the expansion of claim events into Tuva
medical_claim lines and pharmacy_claim fills. Everything is vectorised over the chunk (numpy, then Arrow)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from carehub.synth import codes
from carehub.synth.codes import TEMPLATES, T
from carehub.synth.context import NULL_DAY, Calendar, Events
from carehub.synth.members import Enrollment, Members
from carehub.synth.network import Network

# expected claims per member over the 24-month window, before the utilization and age multipliers
RATES = {"office": 8.5, "lab": 4.0, "telehealth": 1.5, "fqhc": 1.5, "outpatient": 1.5, "home_health": 0.0}
NDC_GROUPS = tuple(codes.NDC_BY_GROUP)


def _ids(group: tuple[str, ...]) -> np.ndarray:
    return np.array(codes.dx_ids(group), dtype=np.int64)


def _choice(rng: np.random.Generator, group: tuple[str, ...], size: int) -> np.ndarray:
    ids = _ids(group)
    return ids[rng.integers(len(ids), size=size)]


def visit_dx(rng: np.random.Generator, m: Members, member: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Principal and secondary diagnosis of an ambulatory visit: a chronic or mental condition of the member, or a
    routine/acute code for the member's age."""
    size = len(member)
    child = m.age[member] < 21
    routine = np.where(child, _choice(rng, codes.ROUTINE_CHILD, size), _choice(rng, codes.ROUTINE_ADULT, size))
    r = rng.random(size)
    dx1 = np.select([r < 0.45, r < 0.6, r < 0.7], [m.chronic[member, 0], m.chronic[member, 1], m.mental[member]], -1)
    dx1 = np.where(dx1 < 0, routine, dx1)
    dx2 = np.where(m.chronic[member, 1] >= 0, m.chronic[member, 1], m.chronic[member, 0])
    dx2 = np.where(dx2 == dx1, -1, dx2)
    return dx1, dx2


def add_ed_visits(ev: Events, member: np.ndarray, day: np.ndarray, dx: np.ndarray) -> None:
    """An ED visit: the hospital's outpatient claim (revenue 045x) and the ED physician's claim (POS 23)."""
    ev.add(member, T["ed_facility"], day, dx)
    ev.add(member, T["ed_professional"], day, dx)


def add_stays(ev: Events, member: np.ndarray, day: np.ndarray, dx: np.ndarray, los: np.ndarray, admit: int,
              via_ed: bool) -> None:
    """Inpatient stays (bill type 0111) with the attending physician's claim."""
    ev.add(member, T["inpatient_via_ed" if via_ed else "inpatient"], day, dx, los=los, admit=admit)
    ev.add(member, T["hospital_visit"], day, dx)


def background_events(rng: np.random.Generator, m: Members, e: Enrollment, cal: Calendar, ev: Events) -> None:
    """Ordinary utilization of every member over its enrolled days, scaled by a heavy-tailed multiplier.
    ED visits carry injury diagnoses and stays non-ACSC diagnoses, so they make no one a Population of Focus;
    planted members get none of them, so planted counts stay exact."""
    window = cal.d - cal.window_start + 1
    fraction = e.enrolled_days() / window
    age = m.age
    scale = m.util * np.select([age < 21, age < 45, age < 65], [0.7, 0.9, 1.2], 1.5) * fraction
    everyone = np.arange(m.n)
    enrolled = fraction > 0

    def members_for(rate: np.ndarray | float, cap: float | None = None) -> np.ndarray:
        lam = rate * (np.minimum(scale, cap) if cap else scale)
        return np.repeat(everyone, rng.poisson(np.where(enrolled, lam, 0)))

    for name in ("office", "lab", "telehealth", "fqhc", "outpatient"):
        who = members_for(RATES[name])
        dx1, dx2 = visit_dx(rng, m, who)
        ev.add(who, T[name], e.sample_days(rng, who), dx1, dx2)
    who = members_for(np.where(m.mental >= 0, 8.0, 0.0))
    ev.add(who, T["behavioral"], e.sample_days(rng, who), m.mental[who])
    who = members_for(np.where(age < 21, 2.0, 0.0), cap=1.0)
    ev.add(who, T["well_child"], e.sample_days(rng, who), codes.DX_INDEX["Z00.129"])
    who = members_for(np.where(age >= 65, 1.5, 0.0))
    dx1, dx2 = visit_dx(rng, m, who)
    ev.add(who, T["home_health"], e.sample_days(rng, who), dx1, dx2)
    background = ~m.planted
    who = members_for(np.where(background, 0.5, 0.0), cap=4.0)
    add_ed_visits(ev, who, e.sample_days(rng, who), _choice(rng, codes.INJURY, len(who)))
    who = members_for(np.where(background & (age >= 21), 0.05, 0.0))
    add_stays(ev, who, e.sample_days(rng, who), _choice(rng, codes.IP_ELECTIVE, len(who)),
              rng.integers(1, 6, size=len(who)), admit=3, via_ed=False)
    who = members_for(np.where(background, np.where(age >= 21, 0.06, 0.02), 0.0))
    add_stays(ev, who, e.sample_days(rng, who), _choice(rng, codes.IP_URGENT_NON_ACSC, len(who)),
              rng.integers(2, 9, size=len(who)), admit=1, via_ed=True)
    who = members_for(np.where(background & (age >= 65), 0.08, 0.0))
    ev.add(who, T["snf"], e.sample_days(rng, who), _choice(rng, codes.SNF_AFTERCARE, len(who)),
           los=rng.integers(10, 60, size=len(who)), admit=3)
    # pregnancies of continuously enrolled background women outside the disparity groups (see codes.py docstring)
    pregnant = background & m.female() & ~m.disparity() & (age >= 16) & (age <= 44) & (fraction == 1.0)
    who = everyone[pregnant & (rng.random(m.n) < 0.05)]
    add_pregnancies(rng, ev, who, cal.d - rng.integers(-120, window - 60, size=len(who)), cal)


def add_pregnancies(rng: np.random.Generator, ev: Events, member: np.ndarray, delivery: np.ndarray,
                    cal: Calendar) -> None:
    """Prenatal visits (Z34.x/O09.9x) before `delivery`; the delivery (O80, Z37.0) and a postpartum visit (Z39.2)
    when they fall on or before D. A delivery after D leaves an ongoing pregnancy."""
    for k in range(5):
        day = delivery - 30 - 45 * k - rng.integers(0, 20, size=len(member))
        ok = (day >= cal.window_start) & (day <= cal.d)
        ev.add(member[ok], T["obstetric"], day[ok], _choice(rng, codes.PREGNANCY, int(ok.sum())))
    done = delivery <= cal.d - 2
    ev.add(member[done], T["delivery"], delivery[done], codes.DX_INDEX["O80"], codes.DX_INDEX["Z37.0"], los=2,
           admit=2)
    post = delivery + 35
    ok = done & (post <= cal.d)
    ev.add(member[ok], T["obstetric"], post[ok], codes.DX_INDEX["Z39.2"])


def _dictionary(indexes: np.ndarray, values: tuple[str, ...] | list[str]) -> pa.DictionaryArray:
    mask = indexes < 0
    return pa.DictionaryArray.from_arrays(pa.array(np.where(mask, 0, indexes).astype(np.int32), mask=mask),
                                          pa.array(values, type=pa.string()))


def _dates(days: np.ndarray) -> pa.Array:
    return pa.array(days.astype(np.int32), mask=days == NULL_DAY).view(pa.date32())


def _money(cents: np.ndarray) -> pa.Array:
    """Non-negative cents as decimal128(12, 2) (exact, and printed the same in CSV and by DuckDB)."""
    words = np.zeros((len(cents), 2), dtype=np.int64)
    words[:, 0] = cents
    return pa.Array.from_buffers(pa.decimal128(12, 2), len(cents), [None, pa.py_buffer(words.tobytes())])


def _claim_ids(prefix: str, numbers: np.ndarray) -> pa.Array:
    text = pc.utf8_lpad(pc.cast(pa.array(numbers), pa.string()), 12, "0")
    return pc.binary_join_element_wise(pa.scalar(prefix), text, "")


ROLE_OF_TEMPLATE = {"office": "PCP*", "telehealth": "PCP*", "well_child": "PCP*", "obstetric": "PCP*",
                    "fqhc": "PCP*", "lab": "LAB", "behavioral": "BH", "crisis": "BH", "ed_professional": "PCP",
                    "hospital_visit": "PCP", "snf": "SNF"}


def medical_claim_table(rng: np.random.Generator, ev: dict[str, np.ndarray], m: Members, person_ids: pa.Array,
                        network: Network, chunk: int, cal: Calendar) -> pa.Table:
    """Expand claim events into claim lines (Tuva medical_claim); claim ids are unique across chunks."""
    ev = dict(ev)
    ev["start"] = np.minimum(ev["start"], cal.d - ev["los"])  # stays end by D (a discharge after D is unknown)
    order = np.lexsort((ev["template"], ev["start"], ev["member"]))
    ev = {k: v[order] for k, v in ev.items()}
    n_claims = len(order)
    tmpl = ev["template"]
    lo = np.array([t.lines[0] for t in TEMPLATES])[tmpl]
    hi = np.array([t.lines[1] for t in TEMPLATES])[tmpl]
    n_lines = rng.integers(lo, hi + 1)
    line_claim = np.repeat(np.arange(n_claims), n_lines)
    first_line = np.concatenate([[0], np.cumsum(n_lines)[:-1]])
    line_no = np.arange(len(line_claim)) - first_line[line_claim] + 1
    line_tmpl = tmpl[line_claim]
    rev_index = {c: i for i, c in enumerate(codes.REVENUE_CODES)}
    hcpcs_index = {c: i for i, c in enumerate(codes.HCPCS_CODES)}
    rev = np.full(len(line_claim), -1)
    hcpcs = np.full(len(line_claim), -1)
    for t_index, template in enumerate(TEMPLATES):
        slots = [*template.lead, template.extra]
        for slot, options in enumerate(slots):
            if not options:
                continue
            last = slot == len(slots) - 1
            sel = np.flatnonzero((line_tmpl == t_index) & ((line_no > slot) if last else (line_no == slot + 1)))
            pick = rng.integers(len(options), size=len(sel))
            rev[sel] = np.array([rev_index[r] if r else -1 for r, _ in options])[pick]
            hcpcs[sel] = np.array([hcpcs_index[h] if h else -1 for _, h in options])[pick]
    institutional = np.array([t.claim_type == "institutional" for t in TEMPLATES])[tmpl]
    # claim-level fields
    place_of = np.full(n_claims, -1)
    bill = np.full(n_claims, -1)
    for t_index, template in enumerate(TEMPLATES):
        sel = np.flatnonzero(tmpl == t_index)
        if template.places:
            place_of[sel] = np.array([codes.PLACES.index(p) for p in template.places])[
                rng.integers(len(template.places), size=len(sel))]
        if template.bill_type:
            bill[sel] = codes.BILL_TYPES.index(template.bill_type)
    provider = np.full(n_claims, -1)
    for t_index, template in enumerate(TEMPLATES):
        sel = np.flatnonzero(tmpl == t_index)
        role = ROLE_OF_TEMPLATE.get(template.name, "HOSPITAL")
        who = ev["member"][sel]
        provider[sel] = m.pcp[who] if role == "PCP*" else network.pick(role, m.county[who], rng)
    stay = np.isin(tmpl, list(codes.INSTITUTIONAL_STAY))
    start = ev["start"]
    end = start + ev["los"]
    admission = np.where(ev["admission"] != NULL_DAY, ev["admission"], start)
    undotted = (rng.random(n_claims) < 0.3) * len(codes.DX)
    median = np.array([t.paid for t in TEMPLATES])[line_tmpl]
    paid = np.round(median * rng.lognormal(0.0, 0.6, size=len(line_claim)) * 100).astype(np.int64)
    allowed = paid + np.round(paid * rng.random(len(line_claim)) * 0.2).astype(np.int64)
    modifier = np.array([0 if t.modifier else -1 for t in TEMPLATES])[line_tmpl]
    delivery = tmpl == T["delivery"]
    admit_type = np.where(stay, ev["admit"] - 1, -1)
    via_ed = tmpl == T["inpatient_via_ed"]
    disposition = np.where(stay, np.where(ev["los"] > 5, rng.integers(0, 3, size=n_claims), 0), -1)
    npis = list(network.npis)
    c = line_claim

    def per_line(values: np.ndarray, vocabulary: tuple[str, ...] | list[str]) -> pa.DictionaryArray:
        return _dictionary(values[c], vocabulary)

    def dx(column: str) -> pa.DictionaryArray:
        values = ev[column]
        return per_line(np.where(values >= 0, values + undotted, -1), codes.DX_DICTIONARY)

    claim_ids = _claim_ids("MC", chunk * 100_000_000 + np.arange(n_claims))
    return pa.table({
        "claim_id": claim_ids.take(pa.array(c)),  # plain strings: dictionary-typed ids made Parquet bytes vary
        "claim_line_number": pa.array(line_no.astype(np.int32)),
        "claim_type": per_line(institutional.astype(np.int64), ["professional", "institutional"]),
        "person_id": pa.DictionaryArray.from_arrays(pa.array(ev["member"][c].astype(np.int32)), person_ids),
        "claim_start_date": _dates(start[c]),
        "claim_end_date": _dates(end[c]),
        "admission_date": _dates(np.where(stay, admission, NULL_DAY)[c]),
        "discharge_date": _dates(np.where(stay & (ev["admission"] == NULL_DAY), end, NULL_DAY)[c]),
        "admit_type_code": per_line(admit_type, ["1", "2", "3"]),
        "admit_source_code": per_line(np.where(stay, np.where(via_ed, 1, 0), -1), ["1", "7"]),
        "discharge_disposition_code": per_line(disposition, ["01", "06", "03"]),
        "place_of_service_code": per_line(place_of, codes.PLACES),
        "bill_type_code": per_line(bill, codes.BILL_TYPES),
        "revenue_center_code": _dictionary(rev, codes.REVENUE_CODES),
        "hcpcs_code": _dictionary(hcpcs, codes.HCPCS_CODES),
        "hcpcs_modifier_1": _dictionary(modifier, ["95"]),
        "rendering_npi": per_line(np.where(institutional, -1, provider), npis),
        "billing_npi": per_line(provider, npis),
        "facility_npi": per_line(np.where(institutional, provider, -1), npis),
        "paid_amount": _money(paid),
        "allowed_amount": _money(allowed),
        "diagnosis_code_type": per_line(np.zeros(n_claims, dtype=np.int64), ["icd-10-cm"]),
        "diagnosis_code_1": dx("dx1"),
        "diagnosis_code_2": dx("dx2"),
        "diagnosis_code_3": dx("dx3"),
        "diagnosis_poa_1": per_line(np.where(stay, 0, -1), ["Y"]),
        "procedure_code_type": per_line(np.where(delivery, 0, -1), ["icd-10-pcs"]),
        "procedure_code_1": per_line(np.where(delivery, 0, -1), [codes.DELIVERY_PROCEDURE]),
        "data_source": per_line(np.zeros(n_claims, dtype=np.int64), ["carehub_synth"]),
    })


def pharmacy_claim_table(rng: np.random.Generator, m: Members, e: Enrollment, person_ids: pa.Array,
                         network: Network, chunk: int) -> pa.Table:
    """Fills (Tuva pharmacy_claim): maintenance drugs for chronic and mental conditions, and acute courses."""
    window = e.enrolled_days().astype(np.float64)
    months = window / 30.4
    chronic_count = (m.chronic >= 0).sum(axis=1) + (m.mental >= 0)
    maintenance = rng.poisson(months * chronic_count * 0.5 * np.minimum(m.util + 0.5, 2.0))
    acute = rng.poisson(months * 0.12 * np.minimum(m.util, 3.0))
    who = np.concatenate([np.repeat(np.arange(m.n), maintenance), np.repeat(np.arange(m.n), acute)])
    # a maintenance fill treats one of the member's conditions: mental, diabetes, respiratory, else cardiovascular
    condition = m.chronic[who, (rng.random(len(who)) < 0.5).astype(np.int64)]
    condition = np.where(condition < 0, m.chronic[who, 0], condition)
    use_mental = (m.mental[who] >= 0) & ((condition < 0) | (rng.random(len(who)) < 0.3))
    dx_text = np.asarray(codes.DX + ("",), dtype=object)[np.where(condition < 0, len(codes.DX), condition)]
    group_name = np.select(
        [use_mental, np.char.startswith(dx_text.astype(str), ("E1")), np.char.startswith(dx_text.astype(str), "J4")],
        ["mental", "diabetes", "respiratory"], "cardio").astype(object)
    group_name[len(who) - int(acute.sum()):] = "acute"
    ndc_vocab: list[str] = [ndc for group in NDC_GROUPS for ndc in codes.NDC_BY_GROUP[group]]
    ndc = np.zeros(len(who), dtype=np.int64)
    for group in NDC_GROUPS:
        sel = np.flatnonzero(group_name == group)
        options = np.array([ndc_vocab.index(x) for x in codes.NDC_BY_GROUP[group]])
        ndc[sel] = options[rng.integers(len(options), size=len(sel))]
    day = e.sample_days(rng, who)
    order = np.lexsort((ndc, day, who))
    who, day, ndc = who[order], day[order], ndc[order]
    acute_fill = np.isin(ndc, [ndc_vocab.index(x) for x in codes.NDC_BY_GROUP["acute"]])
    supply = np.where(acute_fill, 10, np.where(rng.random(len(who)) < 0.8, 30, 90))
    npis = list(network.npis)
    return pa.table({
        "claim_id": _claim_ids("RX", chunk * 100_000_000 + np.arange(len(who))),
        "claim_line_number": pa.array(np.ones(len(who), dtype=np.int32)),
        "person_id": pa.DictionaryArray.from_arrays(pa.array(who.astype(np.int32)), person_ids),
        "dispensing_date": _dates(day),
        "ndc_code": _dictionary(ndc, ndc_vocab),
        "prescribing_provider_npi": _dictionary(m.pcp[who], npis),
        "dispensing_provider_npi": _dictionary(network.pick("PHARMACY", m.county[who], rng), npis),
        "quantity": pa.array(np.where(acute_fill, 20, supply).astype(np.int32)),
        "days_supply": pa.array(supply.astype(np.int32)),
        "paid_amount": _money(np.round(rng.lognormal(3.0, 1.0, size=len(who)) * 100).astype(np.int64)),
        "data_source": _dictionary(np.zeros(len(who), dtype=np.int64), ["carehub_synth"]),
    })
