"""Notifications: delivery to an organization in the app or to the plan's outbox for an outside NPI, only after
commit, at most once per dedupe key, scoped inboxes, and the outbox's mark-sent flow."""

from __future__ import annotations

import pytest
from django.db import transaction
from factories import make_member, make_org, make_provider, make_user

from carehub.apps.accounts.models import OrganizationKind, Role
from carehub.apps.audit.models import AuditEvent
from carehub.apps.notifications import selectors, services
from carehub.apps.notifications.models import Channel, Notification

pytestmark = pytest.mark.django_db
NPI_IN_CAREHUB = "1234567893"
PCP_NPI = "1245319599"


@pytest.fixture
def plan():
    return make_user(Role.PLAN_CARE_COORDINATION)


def test_an_npi_that_signs_in_gets_it_in_the_app_and_an_outside_npi_goes_to_the_outbox(plan):
    org = make_org(OrganizationKind.ECM_PROVIDER, npi="")
    make_provider(NPI_IN_CAREHUB, organization=org)
    member = make_member()
    inside = services.notify(actor=plan, kind="ASSIGNMENT", subject="New member assigned", npi=NPI_IN_CAREHUB,
                             person_id=member.person_id)
    outside = services.notify(actor=plan, kind="ASSIGNMENT_PCP", subject="Your patient was assigned", npi=PCP_NPI,
                              recipient_label="Dr. PCP", person_id=member.person_id)
    assert (inside.channel, inside.recipient_org) == (Channel.IN_APP, org)
    assert (outside.channel, outside.recipient_org) == (Channel.OUTBOX, None)
    staff = make_user(Role.ECM_PROVIDER_STAFF, organization=org)
    assert [n.subject for n in selectors.inbox(staff)] == ["New member assigned"]
    assert list(selectors.outbox()) == [outside]
    assert AuditEvent.objects.filter(object_type="notification", action="CREATE").count() == 2


def test_another_organization_and_a_member_see_nothing_of_it(plan):
    org = make_org(OrganizationKind.ECM_PROVIDER)
    services.notify(actor=plan, kind="X", subject="For org", organization=org)
    stranger = make_user(Role.ECM_PROVIDER_STAFF)
    member_user = make_user(Role.MEMBER, member=make_member())
    assert selectors.unread_count(stranger) == 0
    assert selectors.unread_count(member_user) == 0
    services.notify(actor=plan, kind="X", subject="For you", member=member_user.member)
    assert [n.subject for n in selectors.inbox(member_user)] == ["For you"]


def test_nothing_is_sent_when_the_change_rolls_back(plan, django_capture_on_commit_callbacks):
    org = make_org(OrganizationKind.ECM_PROVIDER)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                services.notify_after_commit(actor=plan, kind="X", subject="Rolled back", organization=org)
                raise RuntimeError("the change failed")
        except RuntimeError:
            pass
    assert callbacks == [] and Notification.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        services.notify_after_commit(actor=plan, kind="X", subject="Committed", organization=org)
    assert list(Notification.objects.values_list("subject", flat=True)) == ["Committed"]


def test_a_repeated_dedupe_key_sends_once_and_a_recipient_is_required(plan):
    org = make_org(OrganizationKind.ECM_PROVIDER)
    first = services.notify(actor=plan, kind="X", subject="Once", organization=org, dedupe_key="k1")
    assert first is not None
    assert services.notify(actor=plan, kind="X", subject="Once", organization=org, dedupe_key="k1") is None
    assert Notification.objects.count() == 1
    with pytest.raises(services.NotificationError):
        services.notify(actor=plan, kind="X", subject="Nobody")


def test_inbox_page_marks_read_and_outbox_marks_sent(client, plan):
    org = make_org(OrganizationKind.ECM_PROVIDER)
    note = services.notify(actor=plan, kind="X", subject="Please look", organization=org, link="/notifications/")
    staff = make_user(Role.ECM_PROVIDER_STAFF, organization=org)
    client.force_login(staff)
    page = client.get("/notifications/")
    assert page.status_code == 200 and b"Please look" in page.content and b"1 unread" in page.content
    assert client.post(f"/notifications/{note.pk}/read/").status_code == 302
    note.refresh_from_db()
    assert note.read_by == staff
    assert client.get("/notifications/outbox/").status_code == 403
    pcp = services.notify(actor=plan, kind="PCP", subject="Patient assigned", npi=PCP_NPI)
    client.force_login(plan)
    assert b"Patient assigned" in client.get("/notifications/outbox/").content
    client.post(f"/notifications/outbox/{pcp.pk}/sent/")
    pcp.refresh_from_db()
    assert pcp.sent_at is not None
    assert b"Patient assigned" not in client.get("/notifications/outbox/").content


def test_someone_else_cannot_mark_a_notification_read(client, plan):
    org = make_org(OrganizationKind.ECM_PROVIDER)
    note = services.notify(actor=plan, kind="X", subject="Private", organization=org)
    client.force_login(make_user(Role.ECM_PROVIDER_STAFF))
    assert client.post(f"/notifications/{note.pk}/read/").status_code == 404
    note.refresh_from_db()
    assert note.read_at is None
