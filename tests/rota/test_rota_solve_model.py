"""The engine's one solve path for built models: lazy rows, lexicographic stages, extraction."""

from __future__ import annotations

import pulp
import pytest
from rota_helpers import cover, person, problem

from lsc_workforce.config import SolverSettings
from lsc_workforce.rota.engine import LazyRows, solve_model
from lsc_workforce.rota.model import build_model
from lsc_workforce.rota.solution import extract_cover_short
from lsc_workforce.solve import SolveStatus

pytestmark = pytest.mark.unit

SETTINGS = SolverSettings(threads=1, time_limit_s=20)


def _four_days():
    """One person, four days each wanting one day shift (100 a day short)."""
    return problem(4, [person("A")], cover([0, 1, 2, 3]))


def _at_most_two_shifts() -> LazyRows:
    """A lazily added family: person 0 works at most 2 shifts (one key, the person)."""

    def worked(model):
        return sum((v.varValue or 0) > 0.5 for v in model.assign.values())

    def violated(model):
        has_row = "lazy_cap__A" in model.prob.constraints
        return [] if has_row or worked(model) <= 2 else [0]

    def add(model, keys):
        for i in keys:
            expr = pulp.lpSum(model.works(i, d) for d in range(model.problem.n_days))
            model.prob += pulp.LpConstraint(expr, pulp.LpConstraintLE, "lazy_cap__A", 2)

    return LazyRows("cap rows", violated, add, keys="people")


def test_lazy_rows_are_added_until_the_solution_breaks_none():
    """Round 1 covers all four days; the cap's row is added; round 2 covers two: 200 short."""
    model = build_model(_four_days())
    solved = solve_model(model, SETTINGS, lazy_rows=_at_most_two_shifts())
    assert solved.result.status is SolveStatus.OPTIMAL
    assert solved.result.objective == pytest.approx(200.0)
    assert "cap rows added lazily in 2 round(s)" in solved.result.message
    assert solved.roster.height == 2
    assert solved.cover_short.get_column("short").to_list() == [1, 1]
    assert solved.stages == ()


def test_lazy_rows_and_lexicographic_stages_do_not_mix():
    model = build_model(_four_days())
    with pytest.raises(ValueError, match="lazy rows"):
        solve_model(
            model, SETTINGS, lazy_rows=_at_most_two_shifts(), lexicographic=(("cover_over",),)
        )


def test_stages_naming_no_component_make_a_single_solve():
    model = build_model(_four_days())
    solved = solve_model(model, SETTINGS, lexicographic=(("load_balance",),))
    assert solved.stages == ()
    assert solved.result.status is SolveStatus.OPTIMAL
    assert solved.result.objective == pytest.approx(0.0)


def test_without_a_solution_every_requirement_is_short():
    model = build_model(_four_days())
    short = extract_cover_short(model, has_solution=False)
    assert short.get_column("requirement").to_list() == [0, 1, 2, 3]
    assert short.get_column("short").to_list() == [1, 1, 1, 1]
