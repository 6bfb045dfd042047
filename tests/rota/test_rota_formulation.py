"""The formulation is documented once and coded once: tags, functions, docs and row names agree."""

from __future__ import annotations

import re

import pytest
from rota_helpers import DAY, NIGHT, person, problem

from lsc_workforce.config import REPO_DIR
from lsc_workforce.rota import model as rota_model
from lsc_workforce.rota.model import CONSTRAINT_TAGS, build_model

pytestmark = pytest.mark.unit

DOC = REPO_DIR / "docs" / "rota_model.md"


@pytest.mark.parametrize(("tag", "rule"), sorted(CONSTRAINT_TAGS.items()))
def test_every_tag_has_a_function_a_docstring_and_a_doc_heading(tag, rule):
    function = getattr(rota_model, f"add_{rule}")
    assert function.__doc__.startswith(f"{tag} {rule}")
    assert re.search(rf"^### .*\({tag}\)$", DOC.read_text(), flags=re.MULTILINE), tag
    assert f"{tag} ``{rule}``" in rota_model.__doc__


def test_constraint_names_carry_a_known_rule_prefix():
    rules = {
        "max_consecutive_days": 3,
        "min_consecutive_days": 2,
        "min_consecutive_days_off": 2,
        "max_weekends": 1,
        "weekend_one_in": 2,
        "max_consecutive_nights": 2,
        "rest_days_after_nights": 2,
        "min_rest_hours": 11,
        "max_total_minutes": 4000,
        "min_total_minutes": 480,
    }
    model = build_model(
        problem(21, [person("A", **rules), person("B", **rules)], shifts=(DAY, NIGHT))
    )
    prefixes = {name.split("__")[0] for name in model.prob.constraints}
    assert prefixes <= set(CONSTRAINT_TAGS.values())
    assert {"one_shift_per_day", "sequence_flow", "work_window", "night_rest"} <= prefixes
    assert model.build_s > 0
