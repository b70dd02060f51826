"""Comprehensive assessment templates: the shipped default (careplan_assessment_template.json), checking a plan's
edited or uploaded version, and checking answers against a template.

A template is sections of questions. A section with a `domain` informs that domain of the Individualized Care
Plan; a template must inform every domain of carehub.domain.careplan.DOMAINS (seed 004 VI.D.5.c.3) and ask
whether the member has LTSS needs (a question with "sets": "ltss_needs"; seed 004 VI.D.5.b.3). Question types:
text, yesno, choice (with choices), number, date. Pure Python: no Django."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from carehub.domain.careplan import DOMAIN_BY_CODE, DOMAIN_CODES

DEFAULT_TEMPLATE_FILE = Path(__file__).with_name("careplan_assessment_template.json")
QUESTION_TYPES = ("text", "yesno", "choice", "number", "date")
YES, NO = "yes", "no"
LTSS_FLAG = "ltss_needs"


class TemplateError(ValueError):
    """The template cannot be used; `problems` lists every reason, each naming the section or question."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def default_template() -> dict[str, Any]:
    """The shipped default template, checked."""
    return parse_template(DEFAULT_TEMPLATE_FILE.read_text(encoding="utf-8"))


def parse_template(text: str | bytes) -> dict[str, Any]:
    """Read a template from JSON text and check it (TemplateError lists every problem)."""
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise TemplateError([f"not valid JSON: {exc}"]) from None
    problems = template_problems(data)
    if problems:
        raise TemplateError(problems)
    return data  # type: ignore[no-any-return]


def template_problems(data: Any) -> list[str]:
    """Every reason the template cannot be used (empty = usable)."""
    if not isinstance(data, dict):
        return ["the template must be a JSON object with a name and sections"]
    problems: list[str] = []
    if not str(data.get("name") or "").strip():
        problems.append("the template has no name")
    sections = data.get("sections")
    if not isinstance(sections, list) or not sections:
        return [*problems, "the template has no sections"]
    section_codes: set[str] = set()
    domains: set[str] = set()
    flags: set[str] = set()
    for index, section in enumerate(sections, 1):
        where = _identified("section", index, section, "title", section_codes, problems)
        if where is None:
            continue
        if section.get("domain"):
            if section["domain"] not in DOMAIN_BY_CODE:
                problems.append(f"{where}: unknown care plan domain {section['domain']!r}")
            domains.add(str(section["domain"]))
        problems.extend(_question_problems(where, section.get("questions"), flags))
    missing = [DOMAIN_BY_CODE[c].label for c in DOMAIN_CODES if c not in domains]
    if missing:
        problems.append(f"no section informs these care plan domains: {', '.join(missing)}")
    if LTSS_FLAG not in flags:
        problems.append('no yes/no question asks whether the member has LTSS needs ("sets": "ltss_needs")')
    return problems


def _identified(label: str, index: int, item: Any, text_key: str, seen: set[str], problems: list[str]) -> str | None:
    """The checks sections and questions share: an object with a code unique among its siblings and a non-empty
    title or text. Appends problems; returns how to name the item in later problems, or None if it is no object."""
    if not isinstance(item, dict):
        problems.append(f"{label} {index} is not an object")
        return None
    code = str(item.get("code") or "").strip()
    name = f"{label} {code or index}"
    if not code:
        problems.append(f"{label} {index} has no code")
    elif code in seen:
        problems.append(f"{name} appears twice")
    seen.add(code)
    if not str(item.get(text_key) or "").strip():
        problems.append(f"{name} has no {text_key}")
    return name


def _question_problems(where: str, questions: Any, flags: set[str]) -> list[str]:
    if not isinstance(questions, list) or not questions:
        return [f"{where} has no questions"]
    problems: list[str] = []
    codes: set[str] = set()
    for index, question in enumerate(questions, 1):
        here = _identified(f"{where}, question", index, question, "text", codes, problems)
        if here is None:
            continue
        kind = question.get("type")
        if kind not in QUESTION_TYPES:
            problems.append(f"{here}: type must be one of {', '.join(QUESTION_TYPES)}")
        if kind == "choice" and not (isinstance(question.get("choices"), list) and question["choices"]):
            problems.append(f"{here}: a choice question needs its choices")
        if question.get("sets"):
            if question["sets"] != LTSS_FLAG or kind != "yesno":
                problems.append(f'{here}: only a yes/no question can set "{LTSS_FLAG}"')
            flags.add(str(question["sets"]))
    return problems


def answer_key(section: Mapping[str, Any], question: Mapping[str, Any]) -> str:
    """Where a question's answer is stored: "SECTION.question"."""
    return f"{section['code']}.{question['code']}"


def clean_answers(template: Mapping[str, Any], raw: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """The template's answers from form input (unknown keys dropped), and the problems of values given."""
    answers: dict[str, str] = {}
    problems: list[str] = []
    for section in template["sections"]:
        for question in section["questions"]:
            key = answer_key(section, question)
            value = str(raw.get(key) or "").strip()[:4000]
            if not value:
                continue
            kind = question["type"]
            if kind == "yesno" and value not in (YES, NO):
                problems.append(f"{question['text']}: answer yes or no")
            elif kind == "choice" and value not in question["choices"]:
                problems.append(f"{question['text']}: pick one of the choices")
            elif kind == "number" and not _is_number(value):
                problems.append(f"{question['text']}: enter a number")
            elif kind == "date" and not _is_date(value):
                problems.append(f"{question['text']}: enter a date (YYYY-MM-DD)")
            answers[key] = value
    return answers, problems


def unanswered(template: Mapping[str, Any], answers: Mapping[str, str]) -> list[str]:
    """Required questions without an answer, as "Section: question"."""
    return [f"{section['title']}: {question['text']}"
            for section in template["sections"] for question in section["questions"]
            if question.get("required") and not str(answers.get(answer_key(section, question)) or "").strip()]


def has_ltss_needs(template: Mapping[str, Any], answers: Mapping[str, str]) -> bool:
    """Whether the answers say the member has LTSS needs (the question that sets ltss_needs answered yes)."""
    return any(question.get("sets") == LTSS_FLAG and answers.get(answer_key(section, question)) == YES
               for section in template["sections"] for question in section["questions"])


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def _is_date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True
