"""Honest solver status: optimal, feasible at a time limit, infeasible; bounds include constants."""

from __future__ import annotations

import dataclasses

import pulp
import pytest
from rota_helpers import CURTOIS_DIR, toy_milp

from lsc_workforce.config import SolverSettings
from lsc_workforce.rota.benchmarks import parse_instance, to_problem
from lsc_workforce.rota.model import build_model
from lsc_workforce.solve import SolveResult, SolveStatus, solve_problem

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_optimal_objective_and_bound_include_the_constant(solver):
    result = solve_problem(toy_milp(), SolverSettings(solver=solver, threads=1), build_s=0.25)
    assert result.status is SolveStatus.OPTIMAL
    assert result.objective == pytest.approx(14)
    assert result.bound == pytest.approx(14)
    assert result.gap == 0
    assert result.build_s == 0.25


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_maximise(solver):
    result = solve_problem(toy_milp(pulp.LpMaximize), SolverSettings(solver=solver, threads=1))
    assert result.status is SolveStatus.OPTIMAL
    assert result.objective == pytest.approx(6)


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_infeasible(solver):
    prob = toy_milp()
    prob += pulp.lpSum(prob.variables()) <= 1
    result = solve_problem(prob, SolverSettings(solver=solver, threads=1))
    assert result.status is SolveStatus.INFEASIBLE
    assert result.objective is None


def _time_limited(solver: str, instance: int, seconds: float):
    """Curtois instance with minimum minutes dropped (an empty roster is feasible), time-limited."""
    path = CURTOIS_DIR / "instances" / f"Instance{instance}.txt"
    problem = to_problem(parse_instance(path))
    people = tuple(
        dataclasses.replace(p, rules=dataclasses.replace(p.rules, min_total_minutes=None))
        for p in problem.people
    )
    model = build_model(problem.with_changes(people=people))
    settings = SolverSettings(solver=solver, threads=1, time_limit_s=seconds)
    return model, solve_problem(model.prob, settings, integral_objective=True)


def test_time_limited_run_is_reported_feasible_not_optimal():
    """Instance 7 with HiGHS for 3 s is far from proved; PuLP itself reports "Optimal"."""
    model, result = _time_limited("highs", 7, 3)
    assert pulp.LpStatus[model.prob.status] == "Optimal"  # what a naive reading would report
    assert result.status is SolveStatus.FEASIBLE_TIME_LIMIT
    assert result.objective is not None
    assert result.bound is not None
    assert result.bound < result.objective
    assert result.gap > 0
    assert result.bound == int(result.bound)  # integral objective: bound rounded up


def test_cbc_time_limited_status_is_honest():
    """CBC on Instance 3 for 1.5 s: depending on machine load it proves the optimum (1001), stops
    with an incumbent, or stops with none. Whatever happens, "optimal" only with a matching bound,
    "feasible" only with a real gap, and no objective without a roster.
    """
    _model, result = _time_limited("cbc", 3, 1.5)
    if result.status is SolveStatus.OPTIMAL:
        assert result.objective == result.bound == 1001
    elif result.status is SolveStatus.FEASIBLE_TIME_LIMIT:
        assert result.bound is None or result.bound < result.objective
        assert result.objective >= 1001
    else:
        assert result.status is SolveStatus.NOT_SOLVED
        assert result.objective is None


def test_bulk_highs_pass_is_the_model_pulp_would_pass():
    """``solve.HiGHS`` passes the same columns, rows and matrix as PuLP's own row-by-row build."""
    import highspy
    import numpy as np

    from lsc_workforce.rota.benchmarks import parse_instance, to_problem
    from lsc_workforce.rota.model import build_model
    from lsc_workforce.solve import HiGHS

    prob = build_model(to_problem(parse_instance(CURTOIS_DIR / "instances" / "Instance1.txt"))).prob
    passed = []
    for solver in (pulp.HiGHS(msg=False), HiGHS(msg=False)):
        solver.createAndConfigureSolver(prob)
        solver.buildSolverModel(prob)
        lp = prob.solverModel.getLp()
        passed.append(lp)
    ours, pulps = passed[1], passed[0]
    for attr in ("col_cost_", "col_lower_", "col_upper_", "row_lower_", "row_upper_"):
        assert np.array_equal(getattr(ours, attr), getattr(pulps, attr)), attr
    assert list(ours.integrality_) == list(pulps.integrality_)
    assert highspy.HighsVarType.kInteger in list(ours.integrality_)

    def dense(lp):
        matrix = np.zeros((lp.num_row_, lp.num_col_))
        a = lp.a_matrix_
        starts = list(a.start_)
        for k in range(len(starts) - 1):
            for p in range(starts[k], starts[k + 1]):
                if a.format_ == highspy.MatrixFormat.kColwise:
                    matrix[a.index_[p], k] = a.value_[p]
                else:
                    matrix[k, a.index_[p]] = a.value_[p]
        return matrix

    assert np.array_equal(dense(ours), dense(pulps))


def test_a_better_outside_lower_bound_replaces_the_solvers_and_updates_the_gap():
    """Objective 10, solver bound 8 (gap 0.2): an LP bound of 9 gives gap 0.1; 7 changes nothing."""
    result = SolveResult(SolveStatus.FEASIBLE_TIME_LIMIT, 10.0, 8.0, 0.2, 0.0, 1.0, "highs", "")
    better = result.with_lower_bound(9.0, "the LP relaxation")
    assert (better.bound, better.gap) == (9.0, pytest.approx(0.1))
    assert "LP relaxation" in better.message
    assert result.with_lower_bound(7.0, "the LP relaxation") is result
    none = dataclasses.replace(result, bound=None, gap=None).with_lower_bound(7.0, "x")
    assert (none.bound, none.gap) == (7.0, pytest.approx(0.3))


def test_a_deadline_cuts_highs_time_limit_by_the_hand_over(monkeypatch):
    """Passing the model in and reading it back happen outside HiGHS's time limit: with a
    deadline, the limit is set once the model is passed, to end before the deadline by as
    long as passing took (here made 2 s), so it is at most 10 - 2 - 2 s of a 10 s deadline."""
    import time  # noqa: PLC0415

    from lsc_workforce import solve as solve_module  # noqa: PLC0415

    real = solve_module.highs_lp

    def slow(*args, **kwargs):
        time.sleep(2.0)
        return real(*args, **kwargs)

    monkeypatch.setattr(solve_module, "highs_lp", slow)
    prob = pulp.LpProblem("deadline", pulp.LpMinimize)
    x = pulp.LpVariable("x", 0, 3, cat="Integer")
    prob += x
    prob += x >= 1
    deadline = time.monotonic() + 10.0
    result = solve_problem(prob, SolverSettings(threads=1, time_limit_s=60), deadline=deadline)
    assert result.status is SolveStatus.OPTIMAL
    _, limit = prob.solverModel.getOptionValue("time_limit")
    assert 5.0 < limit <= 6.0 + 0.1


def test_a_deadline_passed_leaves_highs_its_minimum_time():
    """A deadline already passed still gives HiGHS ``MIN_SOLVER_S`` rather than none."""
    import time  # noqa: PLC0415

    from lsc_workforce.solve import MIN_SOLVER_S  # noqa: PLC0415

    prob = pulp.LpProblem("late", pulp.LpMinimize)
    x = pulp.LpVariable("x", 0, 3, cat="Integer")
    prob += x
    prob += x >= 1
    result = solve_problem(
        prob, SolverSettings(threads=1, time_limit_s=60), deadline=time.monotonic() - 5
    )
    assert result.status is SolveStatus.OPTIMAL
    assert prob.solverModel.getOptionValue("time_limit")[1] == MIN_SOLVER_S


def test_highs_time_limit_is_cut_to_end_before_the_deadline(monkeypatch):
    """Passing the model in and reading it back happen outside HiGHS's own limit: with a
    deadline 10 s away, 1 s already gone and the model taking 2 s to pass in (on a clock that
    only moves when told), HiGHS gets 10 - 1 - 2 (passing in) - 2 (reading back) = 5 s."""
    from types import SimpleNamespace  # noqa: PLC0415

    from lsc_workforce import solve as solve_module  # noqa: PLC0415

    now = [100.0]
    clock = SimpleNamespace(perf_counter=lambda: now[0], monotonic=lambda: now[0])
    monkeypatch.setattr(solve_module, "time", clock)
    real = solve_module.highs_lp

    def slow_pass(*args, **kwargs):
        now[0] += 2.0
        return real(*args, **kwargs)

    monkeypatch.setattr(solve_module, "highs_lp", slow_pass)
    prob = toy_milp()
    deadline = now[0] + 10.0
    now[0] += 1.0
    result = solve_problem(prob, SolverSettings(threads=1, time_limit_s=60), deadline=deadline)
    assert result.status is SolveStatus.OPTIMAL
    assert result.objective == pytest.approx(14)
    limit = prob.solverModel.getOptionValue("time_limit")
    limit = limit[1] if isinstance(limit, tuple) else limit
    assert limit == pytest.approx(5.0)
