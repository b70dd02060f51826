"""Web forms of the consents panel: parsing only; the rules are in services.validate."""

from __future__ import annotations

from django import forms

from carehub.apps.consents.models import (
    Category,
    Channel,
    ConsentKind,
    Purpose,
    Receives,
    RecipientClass,
    RevocationMethod,
    SignerType,
    SupportRole,
)
from carehub.apps.consents.services import ConsentInput, SupportInput


def _date(**kwargs: object) -> forms.DateField:
    return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **kwargs)  # type: ignore[arg-type]


def _npis(value: str) -> list[str]:
    return [part for part in value.replace(";", ",").replace(" ", ",").split(",") if part]


class ConsentForm(forms.Form):
    kind = forms.ChoiceField(choices=ConsentKind.choices)
    categories = forms.MultipleChoiceField(choices=Category.choices, required=False,
                                           widget=forms.CheckboxSelectMultiple,
                                           label="Information covered (authorizations)")
    channels = forms.MultipleChoiceField(choices=Channel.choices, required=False,
                                         widget=forms.CheckboxSelectMultiple,
                                         label="Channels (electronic communication or telehealth)")
    recipient_npis = forms.CharField(required=False, max_length=200,
                                     label="Recipient provider organizations (NPIs, comma-separated)")
    recipient_name = forms.CharField(required=False, max_length=200, label="Named recipient (person or party)")
    recipient_class = forms.ChoiceField(choices=RecipientClass.choices, required=False, label="Recipient class")
    purpose = forms.ChoiceField(choices=[("", "—"), *Purpose.choices], required=False)
    purpose_detail = forms.CharField(required=False, max_length=300, label="Purpose, in the form's words")
    signer_type = forms.ChoiceField(choices=SignerType.choices, label="Signed by")
    signer_name = forms.CharField(max_length=200, label="Signer's name")
    signer_relation = forms.CharField(required=False, max_length=100,
                                      label="Signer's relation or authority (parent, guardian, representative)")
    signed_on = _date(label="Signed on")
    effective_on = _date(required=False, label="Effective from (default: signature date)")
    expires_on = _date(required=False, label="Expires on")
    expiration_event = forms.CharField(required=False, max_length=200,
                                       label="Expiration event or condition (instead of a date)")
    form_file = forms.FileField(required=False, label="Signed form (PDF, PNG or JPEG)")

    def to_input(self) -> ConsentInput:
        d = self.cleaned_data
        return ConsentInput(
            kind=d["kind"], signer_name=d["signer_name"], signed_on=d["signed_on"], signer_type=d["signer_type"],
            signer_relation=d["signer_relation"], effective_on=d["effective_on"], expires_on=d["expires_on"],
            expiration_event=d["expiration_event"], categories=list(d["categories"]), channels=list(d["channels"]),
            recipient_npis=_npis(d["recipient_npis"]), recipient_name=d["recipient_name"],
            recipient_class=d["recipient_class"] or "", purpose=d["purpose"] or "",
            purpose_detail=d["purpose_detail"])


class RevokeForm(forms.Form):
    method = forms.ChoiceField(choices=RevocationMethod.choices, label="Received")
    revoked_on = _date(required=False, label="Received on (default: today)")
    note = forms.CharField(required=False, max_length=300)


class UploadForm(forms.Form):
    form_file = forms.FileField(label="Signed form (PDF, PNG or JPEG)")


class SupportForm(forms.Form):
    name = forms.CharField(max_length=200)
    role = forms.ChoiceField(choices=SupportRole.choices)
    relationship = forms.CharField(required=False, max_length=100)
    receives = forms.MultipleChoiceField(choices=Receives.choices, widget=forms.CheckboxSelectMultiple,
                                         label="May receive")
    phone = forms.CharField(required=False, max_length=30)
    email = forms.EmailField(required=False, max_length=200)
    address = forms.CharField(required=False, max_length=200)
    city = forms.CharField(required=False, max_length=80)
    state = forms.CharField(required=False, max_length=2)
    zip_code = forms.CharField(required=False, max_length=10, label="ZIP")
    preferred_language = forms.CharField(required=False, max_length=40)
    start_date = _date(required=False, label="From (default: today)")
    end_date = _date(required=False, label="Until")
    authorization = forms.TypedChoiceField(required=False, coerce=int, empty_value=None,
                                           label="Under the authorization")

    def __init__(self, *args: object, authorizations: list[tuple[int, str]] | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["authorization"].choices = [("", "—"), *(authorizations or [])]

    def to_input(self) -> SupportInput:
        d = self.cleaned_data
        return SupportInput(
            name=d["name"], role=d["role"], receives=list(d["receives"]), relationship=d["relationship"],
            phone=d["phone"], email=d["email"], address=d["address"], city=d["city"], state=d["state"],
            zip_code=d["zip_code"], preferred_language=d["preferred_language"], start_date=d["start_date"],
            end_date=d["end_date"], authorization_id=d["authorization"])
