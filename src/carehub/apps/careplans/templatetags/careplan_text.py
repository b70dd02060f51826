"""How a Health Risk Assessment result reads on the care manager's pages. The input layout allows free text or JSON
(spec/input-layout.md, assessment `HRA`): a JSON object becomes "Label: value" pairs; anything else shows as typed."""

from __future__ import annotations

import json

from django import template

register = template.Library()


@register.filter
def hra_text(value: str) -> str:
    try:
        parsed = json.loads(value)
    except (TypeError, ValueError):
        return value
    if not isinstance(parsed, dict) or not parsed:
        return value
    parts = []
    for key, item in parsed.items():
        label = str(key).replace("_", " ").strip().capitalize()
        shown = ", ".join(str(v) for v in item) if isinstance(item, list) else ("—" if item is None else str(item))
        parts.append(f"{label}: {shown}")
    return "; ".join(parts)
