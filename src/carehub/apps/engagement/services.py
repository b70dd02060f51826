"""Every write of engagement data: one transaction, keyword-only `actor`, one audit record each.

Functions other apps call: `mark_discontinued` (discontinuation app); after an OTF import,
`carehub.apps.engagement.otf.sync_otf_reports`. The caller has already scoped the assignment to the user
(selectors.audited_engagement); these functions check the state rules.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from carehub.apps.assignments.models import OPEN_STATUSES, Assignment, AssignmentStatus
from carehub.apps.audit.models import Action
from carehub.apps.audit.services import record
from carehub.apps.engagement.models import (
    ACTIVE_STATUSES,
    Activity,
    ActivityMode,
    CareTeamMember,
    CareTeamRole,
    CoreService,
    Enrollment,
    EnrollmentStatus,
    LeadCareManagerAssignment,
    OutreachAttempt,
    OutreachMethod,
    OutreachOutcome,
)
from carehub.apps.engagement.policy import outreach_policy, telehealth_consent
from carehub.apps.notifications.services import notify_after_commit
from carehub.apps.providers.models import CareManager
from carehub.domain import outreach
from carehub.domain.assignment.members_file import npi_is_valid

MAX_MINUTES = 24 * 60


class EngagementError(ValueError):
    """A request the rules refuse; the message is shown to the user as is (no member data in it)."""


def _user_or_none(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _enrollment_for_update(assignment: Assignment) -> Enrollment:
    Enrollment.objects.get_or_create(assignment=assignment)
    return Enrollment.objects.select_for_update().get(assignment=assignment)


def _require_open(assignment: Assignment, *, actor: Any = None) -> None:
    """The assignment must be open. A provider that works a member it has not yet accepted accepts them by doing so
    (once outreach or enrollment is on record, the member could otherwise still be returned as if untouched: found
    by a walk-through of the demo)."""
    if assignment.status not in OPEN_STATUSES:
        raise EngagementError("This assignment has ended; nothing can be recorded on it.")
    if actor is not None and assignment.status == AssignmentStatus.ASSIGNED:
        from carehub.apps.assignments.services import accept_by_working  # assignments reads engagement's models

        accepted = accept_by_working(assignment, actor=actor)
        assignment.status, assignment.responded_at = accepted.status, accepted.responded_at


def _check_day(day: date, assignment: Assignment, what: str) -> None:
    if day > timezone.localdate():
        raise EngagementError(f"The {what} date cannot be in the future.")
    if day < timezone.localdate(assignment.assigned_at):
        raise EngagementError(f"The {what} date cannot be before the member was assigned.")


def _check_minutes(minutes: int) -> None:
    if not 0 <= minutes <= MAX_MINUTES:
        raise EngagementError("Minutes must be between 0 and 1440.")


def _roster_member(assignment: Assignment, care_manager: CareManager | None) -> CareManager | None:
    """A care manager given for a record must be on the roster of the assignment's provider."""
    if care_manager is not None and care_manager.provider.npi != assignment.provider_npi:
        raise EngagementError("That care manager is not on this provider's roster.")
    return care_manager


def _change_status(assignment: Assignment, to: str, *, actor: Any, on: date, reason: str,
                   allowed_from: tuple[str, ...], date_field: str) -> Enrollment:
    with transaction.atomic():
        _require_open(assignment, actor=actor)
        enrollment = _enrollment_for_update(assignment)
        before = enrollment.status
        if before not in allowed_from:
            raise EngagementError(f"A member who is {EnrollmentStatus(before).label.lower()} cannot become "
                                  f"{EnrollmentStatus(to).label.lower()}.")
        _check_day(on, assignment, "effective")
        enrollment.status = to
        setattr(enrollment, date_field, on)
        enrollment.reason = reason
        enrollment.changed_at = timezone.now()
        enrollment.changed_by = _user_or_none(actor)
        enrollment.save()
        if to not in ACTIVE_STATUSES:
            LeadCareManagerAssignment.objects.filter(assignment=assignment, end_date__isnull=True).update(
                end_date=on, end_reason=f"{EnrollmentStatus(to).label}: {reason}".strip(": "),
                ended_by=_user_or_none(actor))
        record(actor=actor, action=Action.UPDATE, object_type="Enrollment", object_id=str(enrollment.pk),
               person_id=assignment.member_id,
               detail={"assignment": assignment.pk, "from": before, "to": to, "on": on.isoformat(),
                       "reason": reason})
        if to in (EnrollmentStatus.UNREACHABLE, EnrollmentStatus.DECLINED, EnrollmentStatus.STOPPED):
            _tell_the_plan(assignment, enrollment, actor=actor)
    return enrollment


def _tell_the_plan(assignment: Assignment, enrollment: Enrollment, *, actor: Any) -> None:
    """The plan hears at once of a member not engaged, to assess them for other care management (seed 000 II.g
    ix, "real-time or frequent" information sharing)."""
    from carehub.apps.assignments.notify import plan_organization

    plan = plan_organization()
    if plan is None:
        return
    status = enrollment.get_status_display().lower()
    notify_after_commit(actor=actor, kind="engagement-not-engaged", organization=plan,
                        person_id=assignment.member_id, subject=f"An ECM member is {status}",
                        body=f"Provider {assignment.provider_npi} recorded the member as {status}. Assess them for "
                             "other care management and record where they were routed.",
                        link="/engagement/not-engaged/", dedupe_key=f"engagement-{enrollment.pk}-{enrollment.status}")


def enroll(assignment: Assignment, *, actor: Any, on: date) -> Enrollment:
    """The member agreed to receive ECM (consent to ECM itself is not required: seed 003)."""
    return _change_status(assignment, EnrollmentStatus.ENROLLED, actor=actor, on=on, reason="",
                          allowed_from=(EnrollmentStatus.OUTREACH, EnrollmentStatus.UNREACHABLE),
                          date_field="enrolled_on")


def decline(assignment: Assignment, *, actor: Any, on: date, reason: str = "") -> Enrollment:
    """The member declined ECM, at first contact or later during outreach (seed 000 II.i; seed 004 VI.A.2)."""
    return _change_status(assignment, EnrollmentStatus.DECLINED, actor=actor, on=on, reason=reason,
                          allowed_from=(EnrollmentStatus.OUTREACH, EnrollmentStatus.UNREACHABLE),
                          date_field="declined_on")


def stop(assignment: Assignment, *, actor: Any, on: date, reason: str = "") -> Enrollment:
    """An enrolled member stopped ECM (at any time: seed 000 II.i). The stop is also filed as a discontinuation
    for the member's wish (seed 004 VI.F.1.b), so the plan confirms it and the member gets the notice with their
    appeal rights (VI.F.2.b)."""
    from carehub.apps.discontinuation.models import Discontinuation, Status
    from carehub.apps.discontinuation.services import request_discontinuation

    with transaction.atomic():
        enrollment = _change_status(assignment, EnrollmentStatus.STOPPED, actor=actor, on=on, reason=reason,
                                    allowed_from=(EnrollmentStatus.ENROLLED,), date_field="stopped_on")
        if not Discontinuation.objects.filter(assignment=assignment, status=Status.REQUESTED).exists():
            request_discontinuation(assignment, "MEMBER_WISH", actor=actor,
                                    evidence=f"Member stopped ECM on {on.isoformat()}. {reason}".strip())
    return enrollment


def attempts_of(assignment: Assignment) -> list[outreach.Attempt]:
    return [outreach.Attempt(on, method, outcome) for on, method, outcome in
            assignment.outreach_attempts.values_list("attempted_on", "method", "outcome")]


def mark_unreachable(assignment: Assignment, *, actor: Any, on: date | None = None) -> Enrollment:
    """The provider reports the member unreachable: only once the plan's attempts and time limit are met
    (domain.outreach.unreachable); the member then appears on the plan's list for other care management."""
    on = on or timezone.localdate()
    enrollment = Enrollment.objects.filter(assignment=assignment).first()
    preferred = enrollment.preferred_method if enrollment else ""
    if not outreach.unreachable(attempts_of(assignment), started_on=timezone.localdate(assignment.assigned_at),
                                today=on, policy=outreach_policy(), preferred_method=preferred):
        raise EngagementError("The member cannot be called unreachable yet: the plan's required attempts and "
                              "time limit have not both been met, or the member was reached.")
    return _change_status(assignment, EnrollmentStatus.UNREACHABLE, actor=actor, on=on,
                          reason="not reached after the required outreach", allowed_from=(EnrollmentStatus.OUTREACH,),
                          date_field="unreachable_on")


def set_preferred_method(assignment: Assignment, method: str, *, actor: Any) -> Enrollment:
    """Record the member's stated contact preference (blank: in person first)."""
    if method and method not in OutreachMethod.values:
        raise EngagementError("Unknown contact method.")
    with transaction.atomic():
        enrollment = _enrollment_for_update(assignment)
        before = enrollment.preferred_method
        enrollment.preferred_method = method
        enrollment.save(update_fields=["preferred_method"])
        record(actor=actor, action=Action.UPDATE, object_type="Enrollment", object_id=str(enrollment.pk),
               person_id=assignment.member_id, detail={"preferred_method": [before, method]})
    return enrollment


def record_outreach(assignment: Assignment, *, actor: Any, attempted_on: date, method: str, outcome: str,
                    location: str = "", minutes: int = 0, care_manager: CareManager | None = None,
                    staff_name: str = "", note: str = "") -> tuple[OutreachAttempt, str]:
    """Record one outreach attempt. A member reached who declines is recorded as declined that day. Returns the
    attempt and the in-person-first warning, if any (domain.outreach.in_person_first_warning)."""
    if method not in OutreachMethod.values:
        raise EngagementError("Unknown outreach method.")
    if outcome not in OutreachOutcome.values:
        raise EngagementError("Unknown outreach outcome.")
    _check_minutes(minutes)
    with transaction.atomic():
        _check_day(attempted_on, assignment, "attempt")
        _require_open(assignment, actor=actor)
        enrollment = _enrollment_for_update(assignment)
        if enrollment.status not in (EnrollmentStatus.OUTREACH, EnrollmentStatus.UNREACHABLE):
            raise EngagementError("Outreach is over for this member (enrolled, declined or stopped).")
        attempt = OutreachAttempt.objects.create(
            assignment=assignment, attempted_on=attempted_on, method=method, outcome=outcome,
            location=location[:200], minutes=minutes, care_manager=_roster_member(assignment, care_manager),
            staff_name=staff_name[:120] or getattr(actor, "get_full_name", lambda: "")() or
            getattr(actor, "username", ""), note=note, recorded_by=_user_or_none(actor))
        if enrollment.outreach_started_on is None or attempted_on < enrollment.outreach_started_on:
            enrollment.outreach_started_on = attempted_on
            enrollment.save(update_fields=["outreach_started_on"])
        record(actor=actor, action=Action.CREATE, object_type="OutreachAttempt", object_id=str(attempt.pk),
               person_id=assignment.member_id,
               detail={"assignment": assignment.pk, "on": attempted_on.isoformat(), "method": method,
                       "outcome": outcome, "minutes": minutes})
        warning = outreach.in_person_first_warning(attempts_of(assignment), outreach_policy(),
                                                   preferred_method=enrollment.preferred_method)
        if outcome == OutreachOutcome.REACHED_DECLINED:  # declined at first contact (seed 000 II.i)
            decline(assignment, actor=actor, on=attempted_on, reason="declined when reached by outreach")
    return attempt, warning


# ---- Lead Care Manager ------------------------------------------------------------------------------------

def assign_lead_care_manager(assignment: Assignment, care_manager: CareManager, *, actor: Any, on: date | None = None,
                             reason: str = "", member_requested: bool = False) -> LeadCareManagerAssignment:
    """Make `care_manager` the member's Lead Care Manager from `on`, ending the current one that day. A switch
    needs a reason (seed 000 II.h.2.iii: the member may switch at any time); history is kept."""
    on = on or timezone.localdate()
    _roster_member(assignment, care_manager)
    if not care_manager.active:
        raise EngagementError("That care manager is no longer active.")
    with transaction.atomic():
        _check_day(on, assignment, "Lead Care Manager's start")
        _require_open(assignment, actor=actor)
        enrollment = _enrollment_for_update(assignment)
        if enrollment.status not in ACTIVE_STATUSES:
            raise EngagementError("A Lead Care Manager is assigned only while the member is in outreach or enrolled.")
        current = (LeadCareManagerAssignment.objects.select_for_update()
                   .filter(assignment=assignment, end_date__isnull=True).first())
        if current is not None and current.care_manager_id == care_manager.pk:
            raise EngagementError("This care manager is already the member's Lead Care Manager.")
        if current is not None and not reason.strip():
            raise EngagementError("Give the reason for switching the Lead Care Manager.")
        if current is not None:
            if on < current.start_date:
                raise EngagementError("The switch date cannot be before the current Lead Care Manager started.")
            current.end_date, current.end_reason, current.ended_by = on, reason, _user_or_none(actor)
            current.save(update_fields=["end_date", "end_reason", "ended_by"])
        row = LeadCareManagerAssignment.objects.create(
            assignment=assignment, care_manager=care_manager, start_date=on, reason=reason,
            member_requested=member_requested, assigned_by=_user_or_none(actor))
        record(actor=actor, action=Action.CREATE, object_type="LeadCareManagerAssignment", object_id=str(row.pk),
               person_id=assignment.member_id,
               detail={"assignment": assignment.pk, "care_manager": care_manager.pk,
                       "previous": current.care_manager_id if current else None, "on": on.isoformat(),
                       "reason": reason, "member_requested": member_requested})
        if care_manager.user_id:
            notify_after_commit(actor=actor, kind="lead-care-manager", subject="A member was assigned to you",
                                body="You are now the Lead Care Manager of a member. Open the ECM worklist.",
                                person_id=assignment.member_id, link=f"/engagement/{assignment.pk}/",
                                user=care_manager.user, recipient_label=care_manager.name,
                                dedupe_key=f"lcm-{row.pk}")
    return row


# ---- core-service activities ------------------------------------------------------------------------------

def record_activity(assignment: Assignment, *, actor: Any, occurred_on: date, component: str, mode: str,
                    minutes: int, care_manager: CareManager | None = None, staff_name: str = "",
                    note: str = "") -> Activity:
    """Log a core-service activity (seed 000 II.j; seed 003 12.a). Telehealth only with the member's consent
    (seed 003 1.c); activities other than outreach only for an enrolled member."""
    if component not in CoreService.values:
        raise EngagementError("Unknown core service component.")
    if mode not in ActivityMode.values:
        raise EngagementError("Unknown way of delivery.")
    _check_minutes(minutes)
    with transaction.atomic():
        _require_open(assignment, actor=actor)
        _check_day(occurred_on, assignment, "activity")
        enrollment = _enrollment_for_update(assignment)
        if component != CoreService.OUTREACH and enrollment.status != EnrollmentStatus.ENROLLED:
            raise EngagementError("Core services other than outreach are recorded for enrolled members only.")
        if component == CoreService.OUTREACH and enrollment.status not in ACTIVE_STATUSES:
            raise EngagementError("Outreach is over for this member.")
        if mode in ActivityMode.telehealth() and not telehealth_consent(assignment, occurred_on):
            raise EngagementError("Telehealth needs the member's consent, and none is on file for that day.")
        activity = Activity.objects.create(
            assignment=assignment, occurred_on=occurred_on, component=component, mode=mode, minutes=minutes,
            care_manager=_roster_member(assignment, care_manager), staff_name=staff_name[:120], note=note,
            recorded_by=_user_or_none(actor))
        record(actor=actor, action=Action.CREATE, object_type="Activity", object_id=str(activity.pk),
               person_id=assignment.member_id,
               detail={"assignment": assignment.pk, "on": occurred_on.isoformat(), "component": component,
                       "mode": mode, "minutes": minutes})
    return activity


# ---- care team --------------------------------------------------------------------------------------------

def add_care_team_member(assignment: Assignment, *, actor: Any, role: str, care_manager: CareManager | None = None,
                         name: str = "", organization: str = "", npi: str = "", contact: str = "", note: str = "",
                         on: date | None = None) -> CareTeamMember:
    """Add someone to the member's multidisciplinary care team (seed 004 VI.D.4, VI.D.5.d)."""
    if role not in CareTeamRole.values:
        raise EngagementError("Unknown care team role.")
    if role == CareTeamRole.ROSTER and care_manager is None:
        raise EngagementError("Choose the provider's care team member from the roster.")
    if care_manager is None and not (name.strip() or organization.strip()):
        raise EngagementError("Give a name or an organization.")
    if npi.strip() and not npi_is_valid(npi.strip()):  # "12345" was kept (found by a walk-through of the demo)
        raise EngagementError("The NPI must be 10 digits with a valid check digit, or left empty.")
    with transaction.atomic():
        _require_open(assignment, actor=actor)
        row = CareTeamMember.objects.create(
            assignment=assignment, role=role, care_manager=_roster_member(assignment, care_manager),
            name=name[:120], organization=organization[:200], npi=npi[:10], contact=contact[:200], note=note,
            added_on=on or timezone.localdate(), added_by=_user_or_none(actor))
        record(actor=actor, action=Action.CREATE, object_type="CareTeamMember", object_id=str(row.pk),
               person_id=assignment.member_id, detail={"assignment": assignment.pk, "role": role})
    return row


def end_care_team_member(row: CareTeamMember, *, actor: Any, on: date | None = None) -> CareTeamMember:
    with transaction.atomic():
        if row.ended_on is None:
            row.ended_on = on or timezone.localdate()
            row.save(update_fields=["ended_on"])
            record(actor=actor, action=Action.UPDATE, object_type="CareTeamMember", object_id=str(row.pk),
                   person_id=row.assignment.member_id, detail={"ended_on": row.ended_on.isoformat()})
    return row


# ---- the plan's side --------------------------------------------------------------------------------------

def route_to_other_care_management(assignment: Assignment, *, actor: Any, routed_to: str,
                                   on: date | None = None) -> Enrollment:
    """Plan care coordination records where a member who could not be engaged (or declined, or stopped) was
    routed for other care management (seed 000 II.g ix; seed 004 VI.C.1.i)."""
    if not routed_to.strip():
        raise EngagementError("Say which care management program the member was routed to.")
    with transaction.atomic():
        enrollment = _enrollment_for_update(assignment)
        if enrollment.status not in (EnrollmentStatus.UNREACHABLE, EnrollmentStatus.DECLINED,
                                     EnrollmentStatus.STOPPED):
            raise EngagementError("Only members who are unreachable, declined or stopped are routed.")
        enrollment.routed_on = on or timezone.localdate()
        enrollment.routed_to = routed_to[:200]
        enrollment.routed_by = _user_or_none(actor)
        enrollment.save(update_fields=["routed_on", "routed_to", "routed_by"])
        record(actor=actor, action=Action.UPDATE, object_type="Enrollment", object_id=str(enrollment.pk),
               person_id=assignment.member_id,
               detail={"routed_to": enrollment.routed_to, "routed_on": enrollment.routed_on.isoformat()})
    return enrollment


def mark_discontinued(assignment: Assignment, *, actor: Any, on: date, reason: str) -> Enrollment:
    """Record that ECM was discontinued on `on` (called by the discontinuation app once the plan confirms): the
    enrollment becomes DISCONTINUED and the current Lead Care Manager period ends that day. Idempotent."""
    with transaction.atomic():
        enrollment = _enrollment_for_update(assignment)
        before = enrollment.status
        if before == EnrollmentStatus.DISCONTINUED:
            return enrollment
        enrollment.status = EnrollmentStatus.DISCONTINUED
        enrollment.discontinued_on = on
        enrollment.reason = reason
        enrollment.changed_at = timezone.now()
        enrollment.changed_by = _user_or_none(actor)
        enrollment.save()
        LeadCareManagerAssignment.objects.filter(assignment=assignment, end_date__isnull=True).update(
            end_date=on, end_reason=f"ECM discontinued: {reason}", ended_by=_user_or_none(actor))
        record(actor=actor, action=Action.UPDATE, object_type="Enrollment", object_id=str(enrollment.pk),
               person_id=assignment.member_id,
               detail={"assignment": assignment.pk, "from": before, "to": enrollment.status,
                       "on": on.isoformat(), "reason": reason})
    return enrollment

