"""Population of Focus codes as staff read them (domain.populations.labels): pages showed raw codes such as
ADULT_AVOIDABLE_UTILIZATION (found by a walk-through of the demo)."""

from __future__ import annotations

from collections.abc import Iterable

from django import template

from carehub.domain.populations.labels import POPULATIONS, label

register = template.Library()


@register.filter
def population_label(code: str) -> str:
    """The population's name; an unknown code as it is."""
    return label(POPULATIONS, code or "")


@register.filter
def population_labels(codes: Iterable[str] | None) -> str:
    """Several populations' names, joined with '; ' ('' for none)."""
    return "; ".join(population_label(code) for code in codes or [])
