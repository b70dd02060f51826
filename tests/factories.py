"""Small factory helpers: build members, relationships, providers and users directly through the ORM."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from django.utils import timezone

from carehub import warehouse
from carehub.apps.accounts.models import Organization, OrganizationKind, Role, User
from carehub.apps.members.models import (
    Assessment,
    CareRelationship,
    EligibilitySpan,
    HousingEpisode,
    Incarceration,
    Member,
    PcpAssignment,
    ProgramEnrollment,
    RelationshipKind,
)
from carehub.apps.providers.models import ProviderOrganization

PASSWORD = "correct-horse-battery"
_seq = itertools.count(1)


def today() -> date:
    return timezone.localdate()


def make_org(kind: str = OrganizationKind.PLAN, name: str = "", npi: str = "") -> Organization:
    return Organization.objects.create(kind=kind, name=name or f"{kind} org {next(_seq)}", npi=npi)


def make_provider(npi: str, *, kind: str = "ECM", organization: Organization | None = None,
                  name: str = "") -> ProviderOrganization:
    return ProviderOrganization.objects.create(npi=npi, name=name or f"Provider {npi}", kind=kind,
                                               organization=organization)


def make_user(role: str = Role.PLAN_CARE_COORDINATION, *, username: str = "", organization: Organization | None = None,
              member: Member | None = None, is_active: bool = True) -> User:
    if organization is None and role != Role.MEMBER:
        kind = {Role.ECM_PROVIDER_STAFF: OrganizationKind.ECM_PROVIDER, Role.LEAD_CARE_MANAGER:
                OrganizationKind.ECM_PROVIDER, Role.CS_PROVIDER_STAFF: OrganizationKind.CS_PROVIDER}.get(
                    role, OrganizationKind.PLAN)
        organization = make_org(kind)
    user = User(username=username or f"user{next(_seq)}", role=role, organization=organization, member=member,
                is_active=is_active)
    user.password = _password_hash()
    user.save()
    return user


_hash_cache: list[str] = []


def _password_hash() -> str:
    """PASSWORD hashed once per run: the real hasher is deliberately slow, and tests make many users."""
    if not _hash_cache:
        from django.contrib.auth.hashers import make_password

        _hash_cache.append(make_password(PASSWORD))
    return _hash_cache[0]


def make_member(*, last_name: str = "Garcia", first_name: str = "Ana", birth_date: date = date(1980, 5, 17),
                person_id: str = "", member_id: str = "", **fields: Any) -> Member:
    n = next(_seq)
    return Member.objects.create(person_id=person_id or f"P{n:07d}", member_id=member_id or f"9{n:07d}A",
                                 last_name=last_name, first_name=first_name, birth_date=birth_date, **fields)


def _row_key(prefix: str) -> str:
    return f"{prefix}-{next(_seq)}"


def relate(member: Member, npi: str, *, start: date | None = None, end: date | None = None,
           kind: str = RelationshipKind.ASSIGNED) -> CareRelationship:
    """A care relationship between a member and a provider NPI; current unless dates say otherwise."""
    return CareRelationship.objects.create(member=member, provider_npi=npi, kind=kind,
                                           start_date=start or today() - timedelta(days=30), end_date=end,
                                           row_key=_row_key("rel"), row_hash="x")


def add_program(member: Member, program: str, *, start: date | None = None, end: date | None = None,
                source: str = "county") -> ProgramEnrollment:
    return ProgramEnrollment.objects.create(member=member, program=program, start_date=start or date(2025, 1, 1),
                                            end_date=end, source=source, row_key=_row_key("prog"), row_hash="x")


def add_history(member: Member, pcp_npi: str = "") -> None:
    """One row in each member-page section."""
    common = {"member": member, "row_hash": "x"}
    EligibilitySpan.objects.create(**common, row_key=_row_key("el"), start_date=date(2024, 1, 1), plan="DEMO",
                                   county="Alameda", aid_code="1H")
    if pcp_npi:
        PcpAssignment.objects.create(**common, row_key=_row_key("pcp"), pcp_npi=pcp_npi, start_date=date(2024, 1, 1))
    HousingEpisode.objects.create(**common, row_key=_row_key("h"), status="UNSHELTERED", start_date=date(2025, 3, 1),
                                  source="HMIS")
    Incarceration.objects.create(**common, row_key=_row_key("inc"), facility_type="JAIL",
                                 admission_date=date(2024, 6, 1), release_date=date(2024, 9, 1))
    Assessment.objects.create(**common, row_key=_row_key("as"), kind="ACES_SCORE", value="5",
                              assessed_on=date(2025, 2, 1))


def write_claims(rows: list[dict[str, Any]]) -> Path:
    """Publish medical claim lines as the live warehouse version, through the warehouse's own writer (so the
    test does not depend on its physical layout)."""
    defaults = {"claim_line_number": 1, "claim_type": "professional", "claim_end_date": None,
                "place_of_service_code": "11", "bill_type_code": None, "revenue_center_code": None,
                "hcpcs_code": "99213", "diagnosis_code_2": None, "billing_npi": "1234567893", "paid_amount": 75.0}
    schema = pa.schema([("claim_id", pa.string()), ("claim_line_number", pa.int32()), ("claim_type", pa.string()),
                        ("person_id", pa.string()), ("claim_start_date", pa.date32()),
                        ("claim_end_date", pa.date32()), ("place_of_service_code", pa.string()),
                        ("bill_type_code", pa.string()), ("revenue_center_code", pa.string()),
                        ("hcpcs_code", pa.string()), ("diagnosis_code_1", pa.string()),
                        ("diagnosis_code_2", pa.string()), ("billing_npi", pa.string()), ("paid_amount", pa.float64())])
    table = pa.Table.from_pylist([{**defaults, **row} for row in rows], schema=schema)
    version = warehouse.new_version()
    con = duckdb.connect()
    try:
        con.register("claims_in", table)
        warehouse.write_table(con, version, "medical_claim", "SELECT * FROM claims_in", None)
    finally:
        con.close()
    warehouse.publish(version)
    return version


class QueryCounter:
    """Counts the SQL statements a block runs, leaving out SAVEPOINT/RELEASE bookkeeping (which differs between
    SQLite and PostgreSQL and says nothing about N+1 problems)."""

    def __enter__(self) -> QueryCounter:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        self._context = CaptureQueriesContext(connection)
        self._context.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._context.__exit__(*exc)

    @property
    def statements(self) -> list[str]:
        return [q["sql"] for q in self._context.captured_queries
                if not q["sql"].upper().startswith(("SAVEPOINT", "RELEASE", "BEGIN", "COMMIT"))]

    @property
    def count(self) -> int:
        return len(self.statements)


def completed_assessment(member: Member, *, on: date | None = None):
    """A comprehensive assessment of the member, completed (careplans: a care plan is finalized on one)."""
    from carehub.apps.audit.services import JobActor
    from carehub.apps.careplans.models import AssessmentStatus, ComprehensiveAssessment
    from carehub.apps.careplans.services import ensure_default_template

    on = on or today()
    return ComprehensiveAssessment.objects.create(
        member=member, template=ensure_default_template(actor=JobActor("test")), status=AssessmentStatus.COMPLETED,
        started_at=timezone.now(), completed_on=on, completed_at=timezone.now())
