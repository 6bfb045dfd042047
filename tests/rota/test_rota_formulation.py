"""The formulation is documented once and coded once: tags, functions, docs and row names agree."""

from __future__ import annotations

import datetime as dt
import re

import pulp
import pytest
from rota_helpers import DAY, NIGHT, cover, day, person, problem, solved

from lsc_workforce.config import REPO_DIR, SolverSettings
from lsc_workforce.rota import CoverRequirement, ShiftType, checker
from lsc_workforce.rota import model as rota_model
from lsc_workforce.rota.model import CONSTRAINT_TAGS, build_model
from lsc_workforce.solve import solve_problem

pytestmark = pytest.mark.unit

DOC = REPO_DIR / "docs" / "rota_model.md"


@pytest.mark.parametrize(("tag", "rule"), sorted(CONSTRAINT_TAGS.items()))
def test_every_tag_has_a_function_a_docstring_and_a_doc_heading(tag, rule):
    function = getattr(rota_model, f"add_{rule}")
    assert function.__doc__.startswith(f"{tag} {rule}")
    assert re.search(rf"^### .*\({tag}\)$", DOC.read_text(), flags=re.MULTILINE), tag
    assert f"{tag} ``{rule}``" in rota_model.__doc__


@pytest.mark.parametrize(("tag", "rule"), sorted(CONSTRAINT_TAGS.items()))
def test_every_tag_has_a_checker_function_or_a_stated_reason_for_none(tag, rule):
    """The independent checker has one ``check_<rule>`` per tag, or says why it has none."""
    if tag in checker.UNCHECKED_TAGS:
        assert tag not in checker.RULE_CHECKS
        assert checker.UNCHECKED_TAGS[tag]
        return
    rule_check = checker.RULE_CHECKS[tag]
    assert rule_check.__name__ == f"check_{rule}"
    assert rule_check is getattr(checker, f"check_{rule}")
    assert rule_check.__doc__.startswith(f"{tag} {rule}")


def test_the_checker_knows_no_tag_the_formulation_lacks():
    assert set(checker.RULE_CHECKS) | set(checker.UNCHECKED_TAGS) == set(CONSTRAINT_TAGS)


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


def test_the_model_without_c21_has_no_flow_rows_and_the_same_optimum():
    """C21 is redundant: left out (``extended=False``), the optimum does not change.

    One person, seven days, runs of 2-3 working days, at least 2 days off between runs; one D
    wanted each day (10 per day short). By hand: the longest cover is a run of 3, 2 days
    off, a run of 2 (or 2, off, 3): 5 days worked, 2 short, optimum 20.
    """
    rules = {"max_consecutive_days": 3, "min_consecutive_days": 2, "min_consecutive_days_off": 2}
    toy = problem(7, [person("A", **rules)], cover(list(range(7)), under=10.0))
    settings = SolverSettings(threads=1)
    for extended in (True, False):
        model = build_model(toy, extended=extended)
        prefixes = {name.split("__")[0] for name in model.prob.constraints}
        assert ("sequence_flow" in prefixes) is extended
        result = solve_problem(model.prob, settings)
        assert result.objective == pytest.approx(20.0)


EARLY = ShiftType("E", dt.time(6, 0), 480)
LATE = ShiftType("L", dt.time(14, 0), 480)


def test_day_work_variable_replaces_the_shift_sums(monkeypatch):
    """C1 with three shift types gives each day one ``day_work`` variable; same optimum.

    One person, five days, shifts E, D, L, at most 3 consecutive days, days off in runs of at
    least 2; one E wanted each day (10 per day short). By hand: the person works at most 3 of
    the 5 days (0-2 then off 3-4, or 0, off 1-2, then 3-4), so 2 days are short: 20, with or
    without the day variables.
    """
    need = tuple(CoverRequirement(day(k), "E", 1, under_penalty=10.0) for k in range(5))
    rules = {"max_consecutive_days": 3, "min_consecutive_days_off": 2}
    toy = problem(5, [person("A", **rules)], need, shifts=(EARLY, DAY, LATE))
    model = build_model(toy)
    assert sorted(model.day_work) == [(0, d) for d in range(5)]
    day_vars = {v.name for v in model.day_work.values()}
    c9 = [row for name, row in model.prob.constraints.items() if name.startswith("max_consec")]
    assert c9
    assert all({v.name for v in row} <= day_vars for row in c9)
    for d in range(5):  # the set-packing row stays beside the day variable's definition
        packing = model.prob.constraints[f"one_shift_per_day__{model.person_names[0]}_{d}"]
        assert packing.sense == pulp.LpConstraintLE
        assert packing.constant == -1
        assert {v.name for v in packing} == {model.assign[0, d, t].name for t in range(3)}
        work = model.prob.constraints[f"one_shift_per_day__{model.person_names[0]}_{d}_work"]
        assert work.sense == pulp.LpConstraintEQ
        assert work[model.day_work[0, d]] == -1
    assert solved(toy).result.objective == pytest.approx(20.0)
    monkeypatch.setattr(rota_model, "DAY_WORK_MIN_SHIFTS", 99)
    assert build_model(toy).day_work == {}
    assert solved(toy).result.objective == pytest.approx(20.0)


def test_succession_rows_group_shifts_with_the_same_bans():
    """C3: E and L both ban D next day, so one row per day covers both; the ban still binds.

    One person, two days; E wanted on day 0 and D on day 1 (10 each short). By hand: E then
    D is banned, so one of them is short: optimum 10. Rows: one per day pair (E + L + next D).
    """
    no_d = frozenset({"D"})
    shifts = (
        ShiftType("E", dt.time(6, 0), 480, cannot_follow=no_d),
        DAY,
        ShiftType("L", dt.time(14, 0), 480, cannot_follow=no_d),
    )
    need = (
        CoverRequirement(day(0), "E", 1, under_penalty=10.0),
        CoverRequirement(day(1), "D", 1, under_penalty=10.0),
    )
    toy = problem(2, [person("A")], need, shifts=shifts)
    rows = [r for n, r in build_model(toy).prob.constraints.items() if n.startswith("succ")]
    assert len(rows) == 1
    assert sorted(v.name for v in rows[0]) == ["assign_A_0_E", "assign_A_0_L", "assign_A_1_D"]
    assert solved(toy).result.objective == pytest.approx(10.0)
