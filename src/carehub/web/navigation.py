"""Role-based navigation: what each role sees in the menu."""

from __future__ import annotations


def navigation(request):
    return {"nav_items": []}
