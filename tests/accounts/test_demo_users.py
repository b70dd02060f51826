"""`carehub demo-users`: idempotent, one login per role, linked to the loaded network when there is one."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from factories import make_member, make_provider, relate
from rich.console import Console

from carehub.apps.accounts.demo import DEMO_PASSWORD, create_demo_users
from carehub.apps.accounts.models import Organization, OrganizationKind, Role, User
from carehub.apps.members.selectors import MemberQuery, search_members

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    # Nine logins per run with the production hasher take seconds; the behaviour under test is the same.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _printed(table) -> str:
    console = Console(record=True, width=200)
    console.print(table)
    return console.export_text()


def test_empty_database_gets_unlinked_orgs_and_nine_logins():
    text = _printed(create_demo_users())
    assert User.objects.count() == 9
    assert {u.role for u in User.objects.all()} == set(Role)
    assert Organization.objects.filter(kind=OrganizationKind.ECM_PROVIDER, npi="").count() == 1
    assert DEMO_PASSWORD in text and len(DEMO_PASSWORD) >= 10
    assert "no member linked" in text
    for user in User.objects.all():
        assert authenticate(username=user.username, password=DEMO_PASSWORD) is not None


def test_links_the_busiest_ecm_provider_and_a_related_member():
    quiet, busy = make_provider("1111111112", name="Quiet ECM"), make_provider("1234567893", name="Busy ECM")
    make_provider("1982736450", kind="CS", name="Housing Navigators")
    members = [make_member(last_name=f"Member{i}") for i in range(3)]
    relate(members[0], quiet.npi)
    for m in members[1:]:
        relate(m, busy.npi)
    create_demo_users()
    ecm = Organization.objects.get(kind=OrganizationKind.ECM_PROVIDER)
    assert (ecm.npi, ecm.name) == ("1234567893", "Busy ECM")
    busy.refresh_from_db()
    assert busy.organization == ecm
    cs = Organization.objects.get(kind=OrganizationKind.CS_PROVIDER)
    assert cs.npi == "1982736450"
    member_user = User.objects.get(role=Role.MEMBER)
    assert member_user.member in members[1:]
    ecm_user = User.objects.get(username="ecm")
    assert {m.person_id for m in search_members(ecm_user, MemberQuery(text="Member")).members} == \
        {m.person_id for m in members[1:]}


def test_running_twice_changes_nothing():
    make_provider("1234567893")
    relate(make_member(), "1234567893")
    create_demo_users()
    before = (list(User.objects.values_list("username", "role", "organization_id", "member_id").order_by("id")),
              Organization.objects.count())
    create_demo_users()
    after = (list(User.objects.values_list("username", "role", "organization_id", "member_id").order_by("id")),
             Organization.objects.count())
    assert before == after
