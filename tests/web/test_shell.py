"""The page shell: role menus, home pages, static files, error pages without stack traces."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import path
from factories import make_member, make_user

from carehub.apps.accounts.models import Role
from carehub.web.navigation import MENU, menu_for
from carehub.web.urls import urlpatterns as real_urlpatterns

pytestmark = pytest.mark.django_db


def _menu_labels(response) -> list[str]:
    return [item["label"] for item in response.context["nav_items"]]


def test_every_role_has_a_menu():
    assert set(MENU) == set(Role)


# What each role must see and must never see. Apps add items over time, so the test names the items that decide
# access rather than freezing the whole menu.
@pytest.mark.parametrize(("role", "present", "absent"), [
    (Role.PLAN_CARE_COORDINATION, ["Home", "Member search", "Notifications", "Populations of Focus", "Referrals",
                                   "Assignment"], ["Audit log", "Assigned members"]),
    (Role.PLAN_COMPLIANCE_FINANCE, ["Home", "Member search", "Grievances & appeals", "Authorization equity",
                                    "Audit log"], ["Assignment", "Referrals", "Assigned members"]),
    (Role.PLAN_ADMIN, ["Populations of Focus", "Referrals", "Authorizations", "Assignment", "Reauthorizations",
                       "Grievances & appeals", "Authorization equity", "Audit log"], ["Assigned members"]),
    (Role.ECM_PROVIDER_STAFF, ["Home", "Member search", "Notifications", "Assigned members", "Exchange files",
                               "Refer a member"], ["Authorizations", "Audit log", "Populations of Focus", "Outbox"]),
    (Role.MEMBER, ["Home", "My record", "Notifications", "Security"],
     ["Member search", "Audit log", "API", "Assigned members", "Referrals", "Outbox"]),
])
def test_menu_follows_the_role(client, role, present, absent):
    member = make_member() if role == Role.MEMBER else None
    client.force_login(make_user(role, member=member))
    response = client.get("/")
    assert response.status_code == 200
    labels = _menu_labels(response)
    assert labels[0] == "Home" and labels[-1] == "Security"
    assert [label for label in present if label not in labels] == []
    assert [label for label in absent if label in labels] == []


def test_every_menu_item_opens_for_its_role(client):
    for role in Role:
        member = make_member() if role == Role.MEMBER else None
        client.force_login(make_user(role, member=member))
        for item in menu_for(role):
            response = client.get(next(i["url"] for i in client.get("/").context["nav_items"] if i["key"] == item.key),
                                  follow=True)
            assert response.status_code == 200, (role, item.key)


def test_home_page_speaks_to_the_role(client):
    client.force_login(make_user(Role.PLAN_COMPLIANCE_FINANCE))
    assert b"Search the audit log" in client.get("/").content
    client.force_login(make_user(Role.CS_PROVIDER_STAFF))
    assert b"Community Supports services" in client.get("/").content


def test_current_page_is_marked_for_screen_readers(client):
    client.force_login(make_user())
    html = client.get("/members/").content.decode()
    assert '<a href="/members/" aria-current="page">Member search</a>' in html
    assert 'href="#main"' in html and '<main id="main"' in html and 'aria-label="Main"' in html


def test_htmx_is_served_as_a_static_file(client):
    client.force_login(make_user())
    html = client.get("/").content.decode()
    assert '<script src="/static/carehub/htmx.min.js" defer></script>' in html


def test_api_docs_come_from_our_own_static_files_with_a_page_language(client):
    # No request to a third-party CDN from a page of a PHI application (and the docs work on a closed network).
    client.force_login(make_user(Role.PLAN_CARE_COORDINATION))
    page = client.get("/api/docs").content.decode()
    assert '<html lang="en">' in page
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "https://" not in page


def test_health_check_needs_no_sign_in(client):
    assert client.get("/healthz").content == b"ok"


def test_403_page_for_a_page_outside_the_role(client):
    client.force_login(make_user(Role.PLAN_CARE_COORDINATION))
    response = client.get("/audit/")
    assert response.status_code == 403
    assert b"Not allowed" in response.content and b"Traceback" not in response.content


def test_404_page(client):
    client.force_login(make_user())
    response = client.get("/no/such/page/")
    assert response.status_code == 404 and b"Not found" in response.content


def _boom(request):
    raise RuntimeError("secret internal detail P-12345")


urlpatterns = [path("boom/", _boom), *real_urlpatterns]
handler500 = "django.views.defaults.server_error"


@override_settings(ROOT_URLCONF=__name__)
def test_500_page_shows_no_stack_trace(client):
    client.raise_request_exception = False
    client.force_login(make_user())
    response = client.get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong" in html
    assert "secret internal detail" not in html and "Traceback" not in html and "P-12345" not in html
