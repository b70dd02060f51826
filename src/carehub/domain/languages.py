"""Languages: member files and provider rosters give a language as an ISO 639 code or as an English (or Spanish)
name; matching compares codes. One table for every matcher (assignment, Lead Care Manager matching).

Source: ../shared/spec/input-layout.md (eligibility preferred_language and provider languages accept either form);
the names are the Medi-Cal threshold languages (DHCS APL 21-004 attachment) plus common spellings.
"""

from __future__ import annotations

LANGUAGE_NAMES: dict[str, str] = {
    "english": "en", "spanish": "es", "español": "es", "vietnamese": "vi", "cantonese": "yue", "mandarin": "cmn",
    "chinese": "zh", "tagalog": "tl", "korean": "ko", "russian": "ru", "armenian": "hy", "arabic": "ar",
    "farsi": "fa", "persian": "fa", "hmong": "hmn", "khmer": "km", "cambodian": "km", "punjabi": "pa", "lao": "lo",
    "mien": "ium", "japanese": "ja", "portuguese": "pt", "hindi": "hi", "ukrainian": "uk", "somali": "so",
    "eng": "en", "spa": "es", "vie": "vi", "tgl": "tl", "kor": "ko", "rus": "ru", "hye": "hy", "ara": "ar",
    "fas": "fa", "zho": "zh",
}


def normalize_language(value: str) -> str:
    """An ISO 639 code for a language given as a code or a name (empty stays empty)."""
    value = value.strip().lower()
    return LANGUAGE_NAMES.get(value, value)
