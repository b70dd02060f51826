"""Rendering notice letters: Django templates to PDF with WeasyPrint, deterministically.

The same notice rendered twice gives the same bytes: the PDF's creation and modification dates are the notice's
issue time (HTML meta tags WeasyPrint turns into PDF metadata), nothing else in the document depends on the clock,
and fonts are the system's (Debian fonts-dejavu). A re-print is still served from the stored bytes, since a later
WeasyPrint or font package would change the output."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

from carehub.domain.calendar import default_calendar

# Languages a letter can be written in (threshold languages grow here: one template folder each).
LETTER_LANGUAGES = ("en", "es")
_SPANISH = {"es", "spa", "spanish", "español", "espanol", "sp"}

# Month names for dates in the letter body (no locale machinery: the output must not depend on the server).
_MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
    "es": ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
           "noviembre", "diciembre"),
}


def letter_language(preferred: str) -> str:
    """The letter language for a member's preferred language: Spanish when they prefer it, else English (the
    fallback until a template exists for the language)."""
    code = (preferred or "").strip().lower()
    return "es" if code in _SPANISH or code.startswith("es-") else "en"


def long_date(day: date, language: str) -> str:
    months = _MONTHS.get(language, _MONTHS["en"])
    if language == "es":
        return f"{day.day} de {months[day.month - 1]} de {day.year}"
    return f"{months[day.month - 1]} {day.day}, {day.year}"


def pdf_timestamp(moment: datetime) -> str:
    """The issue time as the ISO string WeasyPrint reads from dcterms meta tags (plan time, seconds)."""
    return default_calendar().local(moment).replace(microsecond=0).isoformat()


def plan_details() -> dict[str, str]:
    return dict(getattr(settings, "CAREHUB_PLAN", {}) or {})


@dataclass(frozen=True)
class RenderedLetter:
    html: str
    pdf: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.pdf).hexdigest()


def render_letter(template: str, context: dict[str, Any], *, issued_at: datetime, title: str) -> RenderedLetter:
    """Render a letter template to HTML and PDF. Same inputs, same bytes."""
    import weasyprint  # imported here: pango loads on first use, not at Django start-up

    html = render_to_string(template, {**context, "plan": plan_details(), "pdf_created": pdf_timestamp(issued_at),
                                       "pdf_title": title})
    pdf = weasyprint.HTML(string=html).write_pdf()
    return RenderedLetter(html=html, pdf=pdf)
