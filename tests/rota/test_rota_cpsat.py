"""OR-Tools CP-SAT backend of ``solve_problem``: exact integral translation and honest status."""

from __future__ import annotations

import dataclasses
import json
import math

import pulp
import pytest
from rota_helpers import CURTOIS_DIR, NIGHT, cover, person, problem, toy_milp

from lsc_workforce.config import ConfigError, SolverSettings
from lsc_workforce.rota import Person, evaluate, solve
from lsc_workforce.rota.benchmarks import main, parse_instance, to_problem
from lsc_workforce.rota.model import build_model
from lsc_workforce.solve import SolveStatus, UnsupportedModelError, make_solver, solve_problem

pytestmark = pytest.mark.unit

CPSAT = SolverSettings(solver="cpsat", threads=1, time_limit_s=30)
INSTANCES = CURTOIS_DIR / "instances"  # vendored copies (Instance1, 6 used here)


def test_settings_accept_cpsat_and_pulp_has_no_solver_object_for_it():
    assert SolverSettings(solver="cpsat").solver == "cpsat"
    with pytest.raises(ConfigError):
        SolverSettings(solver="ortools")
    with pytest.raises(ValueError, match="solve_problem"):
        make_solver(CPSAT)


@pytest.mark.parametrize(("sense", "expected"), [(pulp.LpMinimize, 14), (pulp.LpMaximize, 6)])
def test_toy_optimum_bound_and_constant(sense, expected):
    prob = toy_milp(sense)
    result = solve_problem(prob, CPSAT, build_s=0.5)
    assert result.status is SolveStatus.OPTIMAL
    assert result.solver == "cpsat"
    assert result.objective == pytest.approx(expected)
    assert result.bound == pytest.approx(expected)
    assert result.gap == 0
    assert result.build_s == 0.5
    values = {v.name: v.varValue for v in prob.variables()}
    assert values == {"x": 2, "y": 0}


def test_infeasible():
    prob = toy_milp()
    prob += pulp.lpSum(prob.variables()) <= 1
    result = solve_problem(prob, CPSAT)
    assert result.status is SolveStatus.INFEASIBLE
    assert result.objective is None
    assert result.bound is None


def test_single_row_continuous_variable_is_scaled_exactly():
    """min 2x + 0.5u + 5, x + u >= 1.5, x integer 0..3, u >= 0 continuous.

    By hand: u costs 0.5 per unit against 2 for x, so x = 0, u = 1.5: 0.75 + 5 = 5.75. The row
    is doubled (2x + 2u >= 3) and u enters CP-SAT as the integer 2u = 3.
    """
    prob = pulp.LpProblem("cont", pulp.LpMinimize)
    x = pulp.LpVariable("x", 0, 3, cat="Integer")
    u = pulp.LpVariable("u", 0)
    prob += 2 * x + 0.5 * u + 5
    prob += x + u >= 1.5
    result = solve_problem(prob, CPSAT)
    assert result.status is SolveStatus.OPTIMAL
    assert (x.varValue, u.varValue) == (0, 1.5)
    assert result.objective == pytest.approx(5.75)
    assert result.bound == pytest.approx(5.75)
    assert "1 single-row continuous" in result.message


def test_scaled_variable_with_integer_cost_keeps_an_exact_objective():
    """min 2x + u, x + u >= 4/3: u (cost 1) beats x (cost 2), so x = 0, u = 4/3: 4/3.

    The row is tripled and u enters as 3u, so its objective coefficient becomes 1/3.
    """
    prob = pulp.LpProblem("third", pulp.LpMinimize)
    x = pulp.LpVariable("x", 0, 3, cat="Integer")
    u = pulp.LpVariable("u", 0)
    prob += 2 * x + u
    prob += x + u >= 4 / 3
    result = solve_problem(prob, CPSAT)
    assert result.status is SolveStatus.OPTIMAL
    assert x.varValue == 0
    assert u.varValue == pytest.approx(4 / 3, abs=1e-12)
    assert result.bound == pytest.approx(4 / 3, abs=1e-12)


def test_fractional_coefficients_are_scaled_by_row():
    """max x/3 + y/7 + 1, x + y <= 4.5, integers 0..3: x = 3, y = 1 -> 1 + 1/7 + 1 = 15/7."""
    prob = pulp.LpProblem("frac", pulp.LpMaximize)
    x = pulp.LpVariable("x", 0, 3, cat="Integer")
    y = pulp.LpVariable("y", 0, 3, cat="Integer")
    prob += x / 3 + y / 7 + 1
    prob += x + y <= 4.5
    result = solve_problem(prob, CPSAT)
    assert result.status is SolveStatus.OPTIMAL
    assert result.objective == pytest.approx(15 / 7, abs=1e-12)
    assert result.bound == pytest.approx(15 / 7, abs=1e-12)


def test_refuses_what_it_cannot_make_integral():
    prob = toy_milp()
    x, y = prob.variables()
    prob += math.pi * x + y <= 7
    with pytest.raises(UnsupportedModelError, match="rational"):
        solve_problem(prob, CPSAT)
    # x + y = 1, x - y = 0 has only the fractional solution 0.5: a continuous variable in two
    # rows may not be declared integral without the caller's assurance.
    prob = pulp.LpProblem("two_rows", pulp.LpMinimize)
    a = pulp.LpVariable("a", 0, 1)
    b = pulp.LpVariable("b", 0, 1)
    prob += a + b
    prob += a + b == 1
    prob += a - b == 0
    with pytest.raises(UnsupportedModelError, match="assume_integral"):
        solve_problem(prob, CPSAT)
    assert solve_problem(prob, SolverSettings(threads=1)).objective == pytest.approx(1)


def test_continuous_sum_of_integers_is_an_integer():
    """min w, x + y - w = 0, 2w >= 5, x, y integers 0..3, w continuous 0..10.

    w sits in two rows but equals x + y, an integer, so it is kept as an integer rather than
    refused: w >= 2.5 means w = 3 (the LP relaxation would give 2.5).
    """
    prob = pulp.LpProblem("sum", pulp.LpMinimize)
    x = pulp.LpVariable("x", 0, 3, cat="Integer")
    y = pulp.LpVariable("y", 0, 3, cat="Integer")
    w = pulp.LpVariable("w", 0, 10)
    prob += w
    prob += x + y - w == 0
    prob += 2 * w >= 5
    result = solve_problem(prob, CPSAT)
    assert result.status is SolveStatus.OPTIMAL
    assert result.objective == pytest.approx(3)
    assert w.varValue == pytest.approx(3)


def test_solution_on_the_artificial_domain_limit_is_an_error_not_an_optimum():
    prob = pulp.LpProblem("unbounded", pulp.LpMaximize)
    x = pulp.LpVariable("x", 0, cat="Integer")
    prob += x
    prob += x >= 1
    result = solve_problem(prob, CPSAT)
    assert result.status is SolveStatus.ERROR
    assert "unbounded" in result.message


def test_toy_rota_fairness_hand_optimum():
    """C19 with fractional shares: 3 OOH nights (1 wanted each, surplus 10), A and B at 1.0 WTE.

    By hand: shares are 1.5 each; a 2/1 split deviates by 0.5 + 0.5 = 1, a 3/0 split by 3,
    and a fourth night to balance 2/2 costs 10 of surplus, so the optimum is 1.0. The
    fairness rows have coefficients +-1/2, so CP-SAT sees them doubled and the deviations in
    half units, and must read back 0.5 each.
    """
    people = [Person("A", wte=1.0), Person("B", wte=1.0)]
    reqs = cover([0, 1, 2], "N", over=10)
    prob = problem(3, people, reqs, shifts=(NIGHT,), fairness={"ooh": 1.0})
    sol = solve(prob, CPSAT)
    assert sol.result.status is SolveStatus.OPTIMAL
    assert sol.result.objective == pytest.approx(1.0)
    assert sol.components["fairness_ooh"] == pytest.approx(1.0)
    assert sorted(dict(sol.person_totals.select("staff_id", "ooh").rows()).values()) == [1, 2]
    assert sol.hard_breaches == []
    assert evaluate(prob, sol.roster)["fairness_ooh"] == pytest.approx(1.0)


def test_toy_rota_with_sequence_flows_needs_the_assurance():
    """C10 runs of at least 2 days; D wanted only on day 2 (100), extra people cost 10.

    By hand (as in test_rota_rules): working days 1-2 costs one surplus person: 10. The model
    holds C21 flow arcs (continuous, in several rows), so CP-SAT needs ``assume_integral``.
    """
    reqs = cover([2]) + cover([0, 1, 3, 4], required=0, over=10)
    prob = problem(5, [person(min_consecutive_days=2)], reqs)
    with pytest.raises(UnsupportedModelError, match="assume_integral"):
        solve(prob, CPSAT)
    sol = solve(prob, CPSAT, options={"assume_integral": True})
    assert sol.result.status is SolveStatus.OPTIMAL
    assert sol.result.objective == pytest.approx(10)
    assert sol.roster.height == 2
    assert sol.hard_breaches == []
    assert "assumed integral" in sol.result.message


@pytest.mark.slow
def test_instance1_proved_optimal_at_607(tmp_path, capsys):
    out = tmp_path / "roster.csv"
    args = [str(INSTANCES / "Instance1.txt"), "--solver", "cpsat", "--time-limit", "60"]
    code = main([*args, "--threads", "2", "--roster-out", str(out)])
    record = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert code == 0
    assert record["solver"] == "cpsat"
    assert record["status"] == "optimal"
    assert record["objective"] == 607  # recomputed from the roster file
    assert record["bound"] == 607
    assert record["hard_violations"] == 0


@pytest.mark.slow
def test_time_limited_run_is_reported_feasible_not_optimal():
    """Instance 6 without minimum minutes (an empty roster is feasible), 8 s on 2 workers.

    CP-SAT finds a roster but its bound stays far below it (HiGHS needs about 300 s to prove
    this instance), so the honest status is FEASIBLE with a positive gap. (With 1 worker
    CP-SAT often finds no roster at all in a few seconds: NOT_SOLVED.)
    """
    problem6 = to_problem(parse_instance(INSTANCES / "Instance6.txt"))
    people = tuple(
        dataclasses.replace(p, rules=dataclasses.replace(p.rules, min_total_minutes=None))
        for p in problem6.people
    )
    model = build_model(problem6.with_changes(people=people))
    settings = SolverSettings(solver="cpsat", threads=2, time_limit_s=8)
    result = solve_problem(
        model.prob, settings, integral_objective=True, options={"assume_integral": True}
    )
    assert result.status is SolveStatus.FEASIBLE_TIME_LIMIT
    assert result.solver_status == "FEASIBLE"
    assert result.objective is not None
    assert result.bound is not None
    assert result.bound < result.objective
    assert result.gap > 0
    assert result.bound == int(result.bound)
