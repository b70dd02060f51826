"""Whether a text is a whole number written in ASCII digits 0-9.

`str.isdigit()` is also true of superscripts and other Unicode digits ("²"), which `int()` rejects: a form field or a
file cell checked with it alone turns such input into a server error instead of a clear refusal.
"""

from __future__ import annotations


def ascii_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()
