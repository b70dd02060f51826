"""Cells of the CSV files the pages offer for download."""

from __future__ import annotations


def safe_cell(text: str) -> str:
    """A text cell a spreadsheet will not run as a formula (OWASP "CSV injection"): one starting with =, +, - or @
    gets a leading apostrophe."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text
