"""The audit log search for compliance staff, and the chain check."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from carehub.apps.audit.models import Action
from carehub.apps.audit.selectors import AuditFilter, search_events
from carehub.apps.audit.services import record, verify_chain
from carehub.web.navigation import allowed

PER_PAGE = 50


class AuditSearchForm(forms.Form):
    person_id = forms.CharField(required=False, max_length=64, label="Person ID")
    actor = forms.CharField(required=False, max_length=150, label="User (username or job:name)")
    action = forms.ChoiceField(required=False, choices=[("", "Any action"), *Action.choices])
    date_from = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict:
        data = super().clean()
        date_from, date_to = data.get("date_from"), data.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", f"To ({date_to:%Y-%m-%d}) is before From ({date_from:%Y-%m-%d}): "
                                      "choose a To date on or after the From date.")
        return data


def _require_compliance(request: HttpRequest) -> None:
    if not allowed(request.user.role, "audit"):
        raise PermissionDenied


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    _require_compliance(request)
    form = AuditSearchForm(request.GET or None)
    page = None
    if form.is_valid() or not request.GET:
        data = form.cleaned_data if request.GET else {}
        audit_filter = AuditFilter(**{k: v for k, v in data.items() if v})
        paginator = Paginator(search_events(audit_filter), PER_PAGE)
        page = paginator.get_page(request.GET.get("page"))
        # Reading the log is itself a read of member data (person_ids, queries), so it is recorded too.
        record(actor=request.user, action=Action.SEARCH, object_type="AuditEvent", route=request.get_full_path(),
               detail={"filter": {k: str(v) for k, v in data.items() if v}, "page": page.number})
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/search.html", {"form": form, "page": page, "query": query.urlencode()})


@require_GET
def chain_status(request: HttpRequest) -> HttpResponse:
    """Recompute the hash chain; loaded by htmx after the page so the search itself stays quick. Without htmx
    (the page's "check now" link) the result comes as a whole page."""
    _require_compliance(request)
    template = "audit/_chain.html" if request.htmx else "audit/chain.html"
    return render(request, template, {"result": verify_chain()})
