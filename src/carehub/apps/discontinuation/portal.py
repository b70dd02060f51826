"""The member's own "My ECM" page: their ECM request (referral and authorization), their provider and Lead Care
Manager, enrollment, care plan, and their open requests (change of provider, stop ECM). Reads are the member's
own rows only and audited. Headings follow the member's language (English or Spanish, as the notices do).

Engagement (Lead Care Manager, enrollment) and care plans are other apps; their selectors are used when present.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse

from carehub.apps.accounts.models import User
from carehub.apps.assignments.models import OPEN_STATUSES, Assignment, ChangeStatus, ProviderChangeRequest
from carehub.apps.audit.models import Action
from carehub.apps.audit.services import record
from carehub.apps.authorizations.models import AuthorizationRequest, Program
from carehub.apps.discontinuation.models import Discontinuation, Status
from carehub.apps.members.models import Member
from carehub.apps.notices.letters import letter_language
from carehub.apps.providers.models import ProviderOrganization
from carehub.apps.referrals.models import Referral

HEADINGS: dict[str, dict[str, str]] = {
    "en": {"title": "My ECM", "request": "Your request for Enhanced Care Management",
           "provider": "Your ECM provider and Lead Care Manager", "enrollment": "Your enrollment",
           "care_plan": "Your care plan", "change": "Change your ECM provider", "stop": "Stop ECM",
           "referral": "Referral", "authorization": "Authorization", "none": "Nothing yet",
           "lcm": "Lead Care Manager", "provider_name": "ECM provider", "status": "Status",
           "stop_help": "You can stop ECM at any time. Your provider and the plan will be told.",
           "change_help": "Tell us why you want a different ECM provider. We will answer within 30 days.",
           "reason": "Why (optional)", "send_stop": "Ask to stop ECM", "send_change": "Ask for a new provider",
           "stop_pending": "Your request to stop ECM was received and is being reviewed.",
           "change_pending": "Your request to change provider was received.",
           "download": "Download your care plan (PDF)", "notice": "Your notice (PDF)", "see_plan": "See your care plan",
           "not_enrolled": "You are not receiving ECM now.", "ends_on": "Your ECM ends on",
           "appeal_keep": "If you ask for an appeal by that date, your ECM goes on while we decide."},
    "es": {"title": "Mi ECM", "request": "Su solicitud de Administración Mejorada de la Atención",
           "provider": "Su proveedor de ECM y su administrador de atención principal", "enrollment": "Su inscripción",
           "care_plan": "Su plan de cuidado", "change": "Cambiar de proveedor de ECM", "stop": "Dejar ECM",
           "referral": "Remisión", "authorization": "Autorización", "none": "Nada todavía",
           "lcm": "Administrador de atención principal", "provider_name": "Proveedor de ECM", "status": "Estado",
           "stop_help": "Puede dejar ECM en cualquier momento. Avisaremos a su proveedor y al plan.",
           "change_help": "Díganos por qué quiere otro proveedor de ECM. Le responderemos en un plazo de 30 días.",
           "reason": "Por qué (opcional)", "send_stop": "Pedir dejar ECM", "send_change": "Pedir otro proveedor",
           "stop_pending": "Recibimos su solicitud de dejar ECM y la estamos revisando.",
           "change_pending": "Recibimos su solicitud de cambiar de proveedor.",
           "download": "Descargar su plan de cuidado (PDF)", "notice": "Su aviso (PDF)",
           "see_plan": "Ver su plan de cuidado", "not_enrolled": "Ahora no recibe ECM.", "ends_on": "Su ECM termina el",
           "appeal_keep": "Si pide una apelación a más tardar esa fecha, su ECM continúa mientras decidimos."},
}


# Status words the member reads, in their language (the apps' own labels are English staff wording).
STATUS_WORDS: dict[str, dict[str, str]] = {
    "en": {"PENDING": "Waiting for a decision", "APPROVED": "Approved", "MODIFIED": "Approved with changes",
           "DENIED": "Denied", "MATCH_REVIEW": "Received", "OPEN": "Received", "LINKED": "Received",
           "IN_AUTHORIZATION": "Being reviewed", "OTHER_CARE_OFFERED": "Other care management offered",
           "CLOSED": "Decided (see below)", "OUTREACH": "Your provider is reaching out to you", "ENROLLED": "Enrolled",
           "DECLINED": "You declined ECM", "UNREACHABLE": "Your provider could not reach you",
           "STOPPED": "You stopped ECM", "DISCONTINUED": "ECM ended", "ASSIGNED": "Assigned to a provider",
           "ACCEPTED": "Your provider accepted you"},
    "es": {"PENDING": "En espera de una decisión", "APPROVED": "Aprobado", "MODIFIED": "Aprobado con cambios",
           "DENIED": "Negado", "MATCH_REVIEW": "Recibida", "OPEN": "Recibida", "LINKED": "Recibida",
           "IN_AUTHORIZATION": "En revisión", "OTHER_CARE_OFFERED": "Se le ofreció otro manejo de cuidado",
           "CLOSED": "Decidida (vea abajo)", "OUTREACH": "Su proveedor se está comunicando con usted",
           "ENROLLED": "Inscrito",
           "DECLINED": "Usted rechazó ECM", "UNREACHABLE": "Su proveedor no pudo comunicarse con usted",
           "STOPPED": "Usted dejó ECM", "DISCONTINUED": "ECM terminó", "ASSIGNED": "Asignado a un proveedor",
           "ACCEPTED": "Su proveedor lo aceptó"},
}


@dataclass
class MyEcm:
    member: Member
    language: str
    text: dict[str, str]
    referral: Referral | None = None
    authorization: AuthorizationRequest | None = None
    assignment: Assignment | None = None
    provider: ProviderOrganization | None = None
    lead_care_manager: Any = None
    enrollment: str = ""
    care_plan: Any = None
    care_plan_page: str = ""
    care_plan_pdf: str = ""
    stop_request: Discontinuation | None = None
    confirmed_stop: Discontinuation | None = None
    change_request: ProviderChangeRequest | None = None
    notes: list[str] = field(default_factory=list)

    def word(self, code: str) -> str:
        return STATUS_WORDS[self.language].get(code, code)

    @property
    def referral_status(self) -> str:
        return self.word(self.referral.status) if self.referral else ""

    @property
    def decision(self) -> str:
        return self.word(self.authorization.decision) if self.authorization else ""

    @property
    def enrollment_label(self) -> str:
        return self.word(self.enrollment or (self.assignment.status if self.assignment else ""))

    @property
    def ending(self) -> Discontinuation | None:
        """The confirmed discontinuation whose date of action has not come yet (ECM goes on until then)."""
        stop = self.confirmed_stop
        return stop if stop is not None and stop.ending and self.receiving_ecm else None

    @property
    def receiving_ecm(self) -> bool:
        return self.assignment is not None and self.assignment.status in OPEN_STATUSES


def open_assignment(member: Member) -> Assignment | None:
    return Assignment.objects.filter(member=member, status__in=OPEN_STATUSES).first()


def _engagement(assignment: Assignment) -> tuple[Any, str]:
    """The Lead Care Manager (the current one; once ECM ended, the last one) and the enrollment status."""
    from carehub.apps.engagement.models import LeadCareManagerAssignment
    from carehub.apps.engagement.selectors import current_lead_care_manager, enrollment_status

    lead = current_lead_care_manager(assignment)
    if lead is None and not assignment.is_open:
        last = (LeadCareManagerAssignment.objects.filter(assignment=assignment).select_related("care_manager")
                .order_by("-start_date", "-pk").first())
        lead = last.care_manager if last else None
    return lead, enrollment_status(assignment)


def _care_plan(member: Member) -> tuple[Any, str, str]:
    """The member's current care plan with the links to their own care plan page and PDF (careplans app)."""
    from carehub.apps.careplans.selectors import current_care_plan

    plan = current_care_plan(member)
    if plan is None:
        return None, "", ""
    return plan, reverse("careplans:mine"), reverse("careplans:mine-pdf")


def my_ecm(user: User, *, route: str) -> MyEcm | None:
    """The signed-in member's ECM at a glance, or None for anyone who is not a member with a record."""
    if not user.is_member or not user.member_id:
        return None
    member = user.member
    language = letter_language(member.preferred_language)
    page = MyEcm(member=member, language=language, text=HEADINGS[language])
    page.authorization = (AuthorizationRequest.objects.filter(member=member, program=Program.ECM)
                          .select_related("referral").order_by("-received_at", "-pk").first())
    page.referral = (page.authorization.referral if page.authorization
                     else Referral.objects.filter(member=member).order_by("-received_at", "-pk").first())
    page.assignment = (open_assignment(member)
                       or Assignment.objects.filter(member=member).order_by("-assigned_at", "-pk").first())
    if page.assignment is not None:
        page.provider = ProviderOrganization.objects.filter(npi=page.assignment.provider_npi).first()
        page.lead_care_manager, page.enrollment = _engagement(page.assignment)
    page.care_plan, page.care_plan_page, page.care_plan_pdf = _care_plan(member)
    mine = Discontinuation.objects.filter(member=member)
    page.stop_request = mine.filter(status=Status.REQUESTED).order_by("-requested_at").first()
    page.confirmed_stop = mine.filter(status=Status.CONFIRMED).order_by("-reviewed_at").first()
    page.change_request = (ProviderChangeRequest.objects.filter(member=member, status=ChangeStatus.OPEN)
                           .order_by("-received_at").first())
    record(actor=user, action=Action.READ, object_type="MyEcm", person_id=member.person_id, route=route,
           detail={"assignment": page.assignment.pk if page.assignment else None})
    return page
