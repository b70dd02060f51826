"""Assessment templates (carehub.domain.careplan_template): the shipped default, a plan's edits, answers."""

from __future__ import annotations

import json

import pytest

from carehub.domain import careplan_template as templates
from carehub.domain.careplan import DOMAIN_CODES


def test_the_default_informs_every_domain_and_asks_about_ltss():
    content = templates.default_template()
    assert {s["domain"] for s in content["sections"] if s.get("domain")} == set(DOMAIN_CODES)
    assert all(s.get("source", "").startswith("seed 00") for s in content["sections"])
    assert [q["code"] for s in content["sections"] for q in s["questions"] if q.get("sets")] == ["ltss_needs"]


def test_problems_name_section_and_question():
    content = templates.default_template()
    content["sections"][2]["questions"].append({"code": "conditions", "text": "", "type": "choice"})
    content["sections"] = [s for s in content["sections"] if s["code"] != "ORAL"]
    problems = templates.template_problems(content)
    assert "section PHYSICAL, question conditions appears twice" in problems
    assert "section PHYSICAL, question conditions has no text" in problems
    assert "section PHYSICAL, question conditions: a choice question needs its choices" in problems
    assert "no section informs these care plan domains: Oral health" in problems
    with pytest.raises(templates.TemplateError, match="not valid JSON"):
        templates.parse_template("{")
    assert templates.template_problems([]) == ["the template must be a JSON object with a name and sections"]


def test_sections_need_an_object_a_unique_code_and_a_title():
    content = templates.default_template()
    first = content["sections"][0]
    count = len(content["sections"])
    content["sections"] += ["not a section", {**first, "title": " "}, {**first, "code": ""}]
    problems = templates.template_problems(content)
    assert f"section {count + 1} is not an object" in problems
    assert f"section {first['code']} appears twice" in problems and f"section {first['code']} has no title" in problems
    assert f"section {count + 3} has no code" in problems


def test_answers_are_checked_by_type_and_unknown_keys_dropped():
    content = templates.default_template()
    answers, problems = templates.clean_answers(content, {
        "PHYSICAL.has_pcp": "maybe", "PHYSICAL.ed_visits_12m": "three", "COMMUNITY.housing": "Shelter",
        "LTSS.ltss_needs": "yes", "nope.nothing": "x"})
    assert problems == ["Has a primary care provider they see: answer yes or no",
                        "Emergency department visits in the last 12 months: enter a number"]
    assert "nope.nothing" not in answers and answers["COMMUNITY.housing"] == "Shelter"
    assert templates.has_ltss_needs(content, answers) is True
    assert "Oral health: Saw a dentist in the last 12 months" in templates.unanswered(content, answers)


def test_a_plan_version_round_trips_through_json():
    content = templates.default_template()
    assert templates.parse_template(json.dumps(content, ensure_ascii=False).encode()) == content
