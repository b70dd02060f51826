"""The Model of Care Part 2 provider capacity workbook: ECM and Community Supports providers by county.

Source: seed 000 IV.1.b "ECM Provider Capacity" (for each ECM provider: organization name and contact, NPI,
provider type a-n, counties, populations served, capacity, the number the plan expects to assign, experience
with community-based face-to-face care management and with the population in a culturally and linguistically
relevant manner, yes/no) and IV.2.a "ILOS Provider Capacity" (CS providers by county: name and contact, expertise,
projected capacity). DHCS publishes the official template; this workbook carries the same fields, one sheet per
county, from the operational database's ProviderOrganization rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from carehub.apps.providers.models import CapacityLine, NetworkRecord, ProviderOrganization
from carehub.domain.assignment.policy import experienced_populations, normalize_county
from carehub.domain.network import PROVIDER_TYPES
from carehub.domain.populations.labels import POPULATIONS

__all__ = ["CAPACITY_COLUMNS", "NO_COUNTY", "write_capacity_workbook"]

CAPACITY_COLUMNS: tuple[str, ...] = (
    "Organization name",  # IV.1.b.i
    "Phone",  # IV.1.b.i contact information
    "Email",
    "Address",
    "NPI",  # IV.1.b.ii
    "Provider category",  # ECM or CS (IV.1 / IV.2)
    "Provider type",  # IV.1.b.iii a-n
    "Counties served",  # IV.1.b.iv
    "Populations of Focus served",  # IV.1.b.v
    "Community Supports offered",  # IV.2.a.ii
    "Languages",
    "Capacity (members)",  # IV.1.b.vi/viii/x, IV.2.a.iii
    "Expected assignments",  # IV.1.b.vii/ix
    "Experience with community-based face-to-face care management (yes/no)",  # IV.1.b.xi
    "Experience with the population, culturally and linguistically relevant (yes/no)",  # IV.1.b.xii
)
NO_COUNTY = "No county"
WIDTHS = (40, 16, 32, 40, 12, 10, 36, 24, 48, 36, 14, 12, 12, 18, 18)

ABOUT = (
    ("Model of Care Part 2: ECM and Community Supports provider capacity by county", ""),
    ("Source", "DHCS Model of Care Template, Part 2, IV.1.b (ECM) and IV.2.a (ILOS / Community Supports)"),
    ("Rows", "Contracted ECM and Community Supports providers serving the county of each sheet; a provider serving "
             "several counties appears on each of their sheets"),
    ("Capacity", "What provider relations recorded for the county (the sum over its populations), else the "
                 "provider's stated capacity for the whole organization"),
    ("Expected assignments", "Members the plan expects to assign, as provider relations recorded it (the network "
                             "record, else the sum of its capacity by county and population); blank otherwise"),
    ("Experience (yes/no)", "as provider relations confirmed them on the provider's network record; without a "
                            "record CareHub derives them: yes when the provider serves at least one Population "
                            "of Focus (community-based care management) / when its provider type has particular "
                            "experience with a population it serves and it lists a language besides English"),
)


def _cell_list(values: list[str], labels: Mapping[str, str] | None = None) -> str:
    return "; ".join(labels.get(v, v) if labels else v for v in values)


@dataclass
class _Figures:
    """What provider relations recorded: experience flags by NPI, and capacity and expected by (NPI, county)."""

    flags: dict[str, tuple[bool, bool]] = field(default_factory=dict)
    cells: dict[tuple[str, str], list[int | None]] = field(default_factory=dict)


def _figures() -> _Figures:
    figures = _Figures(flags={npi: (community, population) for npi, community, population in
                              NetworkRecord.objects.values_list("provider__npi", "community_experience",
                                                                "population_experience")})
    for npi, county, capacity, expected in CapacityLine.objects.values_list("provider__npi", "county", "capacity",
                                                                             "expected"):
        cell = figures.cells.setdefault((npi, normalize_county(county)), [0, None])
        cell[0] = (cell[0] or 0) + capacity
        if expected is not None:
            cell[1] = (cell[1] or 0) + expected
    return figures


def _row(p: ProviderOrganization, county: str, expected: Mapping[str, int], figures: _Figures) -> list[object]:
    populations = list(p.populations or [])
    languages = list(p.languages or [])
    is_ecm = p.kind == "ECM"
    community = "yes" if is_ecm and populations else "no"
    specialized = bool(experienced_populations(p.provider_type) & set(populations))
    linguistic = "yes" if specialized and any(v.lower() not in ("en", "english") for v in languages) else "no"
    if p.npi in figures.flags:  # the plan confirmed them on the network record
        community, linguistic = ("yes" if flag else "no" for flag in figures.flags[p.npi])
    capacity, expect = p.capacity, expected.get(p.npi)
    if (p.npi, normalize_county(county)) in figures.cells:  # recorded for this county: its own figures
        capacity, county_expected = figures.cells[(p.npi, normalize_county(county))]
        expect = county_expected if county_expected is not None else expect
    return [
        p.name, p.phone, p.email, p.address, p.npi, p.kind, PROVIDER_TYPES.get(p.provider_type, p.provider_type),
        _cell_list(list(p.counties or [])), _cell_list(populations, POPULATIONS), _cell_list(list(p.supports or [])),
        _cell_list(languages), capacity, expect,
        community if is_ecm else "", linguistic if is_ecm else "",
    ]


def write_capacity_workbook(out: Path, expected: Mapping[str, int] | None = None) -> dict[str, int]:
    """Write the workbook to `out`: an About sheet, then one sheet per county (alphabetical) listing the ECM and CS
    providers serving it (ECM first, then by name and NPI). Returns providers listed per county sheet. Expected
    assignments default to what provider relations recorded (providers.selectors.expected_assignments)."""
    if expected is None:
        from carehub.apps.providers.selectors import expected_assignments  # selectors import assignments

        expected = expected_assignments()
    figures = _figures()
    by_county: dict[str, list[ProviderOrganization]] = defaultdict(list)
    today = timezone.localdate()
    providers = [p for p in ProviderOrganization.objects.filter(kind__in=("ECM", "CS")).select_related("network")
                 if p.contracted_on(today)]  # "contracted" providers (About); a terminated one was listed
    for p in sorted(providers, key=lambda p: (p.kind != "ECM", p.name, p.npi)):
        for county in sorted(set(p.counties or [])) or [NO_COUNTY]:
            by_county[county].append(p)
    book = Workbook()
    about = book.active
    about.title = "About"
    for row in ABOUT:
        about.append(row)
    about["A1"].font = Font(bold=True)
    about.column_dimensions["A"].width, about.column_dimensions["B"].width = 24, 120
    for county in sorted(by_county, key=lambda c: (c == NO_COUNTY, c)):
        sheet = book.create_sheet(county[:31])
        sheet.append(CAPACITY_COLUMNS)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for p in by_county[county]:
            sheet.append(_row(p, county, expected, figures))
        for i, width in enumerate(WIDTHS, start=1):
            sheet.column_dimensions[get_column_letter(i)].width = width
        sheet.freeze_panes = "A2"
    out.parent.mkdir(parents=True, exist_ok=True)
    book.save(out)
    return {county: len(rows) for county, rows in by_county.items()}
