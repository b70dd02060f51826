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
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from carehub.apps.providers.models import ProviderOrganization
from carehub.domain.assignment.policy import experienced_populations
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
    ("Capacity", "The provider's stated capacity, for the whole organization (not split by county)"),
    ("Expected assignments", "Members the plan expects to assign, when given to the export; blank otherwise"),
    ("Experience (yes/no)", "yes when the provider serves at least one Population of Focus (community-based "
                            "care management) / when its provider type has particular experience with a "
                            "population it serves and it lists a language besides English; CareHub derives "
                            "these, the plan confirms them before submission"),
)


def _cell_list(values: list[str], labels: Mapping[str, str] | None = None) -> str:
    return "; ".join(labels.get(v, v) if labels else v for v in values)


def _row(p: ProviderOrganization, expected: Mapping[str, int]) -> list[object]:
    populations = list(p.populations or [])
    languages = list(p.languages or [])
    is_ecm = p.kind == "ECM"
    community = "yes" if is_ecm and populations else "no"
    specialized = bool(experienced_populations(p.provider_type) & set(populations))
    linguistic = "yes" if specialized and any(v.lower() not in ("en", "english") for v in languages) else "no"
    return [
        p.name, p.phone, p.email, p.address, p.npi, p.kind, PROVIDER_TYPES.get(p.provider_type, p.provider_type),
        _cell_list(list(p.counties or [])), _cell_list(populations, POPULATIONS), _cell_list(list(p.supports or [])),
        _cell_list(languages), p.capacity, expected.get(p.npi),
        community if is_ecm else "", linguistic if is_ecm else "",
    ]


def write_capacity_workbook(out: Path, expected: Mapping[str, int] | None = None) -> dict[str, int]:
    """Write the workbook to `out`: an About sheet, then one sheet per county (alphabetical) listing the ECM and CS
    providers serving it (ECM first, then by name and NPI). Returns providers listed per county sheet."""
    expected = expected or {}
    by_county: dict[str, list[ProviderOrganization]] = defaultdict(list)
    providers = ProviderOrganization.objects.filter(kind__in=("ECM", "CS"))
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
            sheet.append(_row(p, expected))
        for i, width in enumerate(WIDTHS, start=1):
            sheet.column_dimensions[get_column_letter(i)].width = width
        sheet.freeze_panes = "A2"
    out.parent.mkdir(parents=True, exist_ok=True)
    book.save(out)
    return {county: len(rows) for county, rows in by_county.items()}
