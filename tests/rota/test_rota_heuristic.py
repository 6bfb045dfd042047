"""The warm-start heuristic: person-by-person rosters are feasible and moves never worsen them."""

from __future__ import annotations

import dataclasses
import queue
import random
import time
from types import SimpleNamespace

import numpy as np
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from rota_helpers import CURTOIS_DIR, cover, day, person, problem

from lsc_workforce import solve as solve_module
from lsc_workforce.config import SolverSettings
from lsc_workforce.rota import check, engine, evaluate, heuristic, solve, warm_start
from lsc_workforce.rota.benchmarks import parse_instance, to_problem
from lsc_workforce.rota.checker import ROSTER_SCHEMA
from lsc_workforce.rota.heuristic import (
    LP_BOUND_TOLERANCE,
    _adopt,
    _lp_relaxation,
    _Peers,
    _window,
    complete_start,
    construct_roster,
    improve_start,
    reoptimise_people,
)
from lsc_workforce.rota.model import build_model
from lsc_workforce.rota.person_models import PersonModels
from lsc_workforce.rota.solution import extract_roster
from lsc_workforce.solve import HiGHS, SolveStatus, solve_problem


@pytest.fixture(scope="module")
def instance3():
    return to_problem(parse_instance(CURTOIS_DIR / "instances" / "Instance3.txt"))


def _lp_without_its_time_limit(monkeypatch):
    """The search's LP relaxation given a minute: HiGHS's default method solves Instance 3's in
    well under a second, and a busy machine must not make it miss the search's tenth."""
    real = heuristic._lp_relaxation
    monkeypatch.setattr(heuristic, "_lp_relaxation", lambda highs, _limit_s: real(highs, 60.0))


@pytest.mark.integration
@pytest.mark.slow
def test_constructed_roster_is_feasible_and_improvement_never_worsens(instance3, monkeypatch):
    _lp_without_its_time_limit(monkeypatch)
    roster, behind = construct_roster(instance3)
    assert roster is not None
    assert behind == ()  # no budget, so never behind pace
    assert [b for b in check(instance3, roster) if b.hard] == []
    before = sum(evaluate(instance3, roster).values())
    model = build_model(instance3)
    start = complete_start(model, roster)
    assert len(start) == model.prob.numVariables()
    search = improve_start(model, start, time_budget_s=8)
    for var, value in search.start.items():
        var.varValue = value
    improved = extract_roster(model)
    after = sum(evaluate(instance3, improved).values())
    assert [b for b in check(instance3, improved) if b.hard] == []
    assert after <= before
    assert (search.improved > 0) == (after < before)
    assert after >= 1001  # never below the proven optimum
    assert 0 < search.lp_bound <= 1001 + 1e-6  # the LP relaxation's optimum is a lower bound
    assert search.simplex


@pytest.mark.unit
@given(n_days=st.integers(1, 60), width=st.integers(1, 70), seed=st.integers(0, 2**16))
def test_window_is_width_consecutive_days_within_the_horizon(n_days, width, seed):
    """A search window has ``width`` consecutive days (the whole horizon if shorter)."""
    day = np.arange(n_days)
    chosen = day[_window(day, n_days, width, random.Random(seed))]
    assert len(chosen) == min(width, n_days)
    assert (np.diff(chosen) == 1).all()


@pytest.mark.integration
@pytest.mark.slow
def test_warm_start_leaves_assignments_in_no_row_alone():
    """Two people, one weekend each, cover on both weekends' Saturdays and Sundays only: the
    weekday assignments are in no row and not costed, so HiGHS's copy of the model lacks them
    (the search used to fail on them). Optimum 0: one person works each weekend, both days."""
    prob = problem(
        14, [person("A", max_weekends=1), person("B", max_weekends=1)], cover([5, 6, 12, 13])
    )
    solution = solve(prob, SolverSettings(threads=1, time_limit_s=10), warm_start=True)
    assert solution.result.status.value == "optimal"
    assert solution.result.objective == 0
    worked = solution.roster.group_by("staff_id").agg(pl.col("date").sort())
    assert sorted(worked.get_column("date").to_list()) == [[day(5), day(6)], [day(12), day(13)]]


@pytest.mark.unit
@pytest.mark.parametrize(
    ("first", "expected"), [((), {"A": 2, "B": 1}), (("C",), {"C": 2, "A": 1})]
)
def test_reoptimising_people_fills_the_cover_in_turn(first, expected):
    """Three days, one day shift each needing one person (100 per person short, 1 per person
    over); A, B and C may each work at most 2 shifts, and the starting roster is empty (as for
    people placed on their own rules only): 300. Re-solved in turn, the first person takes 2
    days (100 each), the second the day left, and the third has nothing left to cover (working
    would cost 1 over), so stays off: 0, two people changed. ``first`` puts C first."""
    toy = problem(3, [person(p, max_shifts={"D": 2}) for p in "ABC"], cover([0, 1, 2], over=1))
    empty = pl.DataFrame(schema=ROSTER_SCHEMA)
    assert sum(evaluate(toy, empty).values()) == 300
    roster, changed, gain = reoptimise_people(toy, empty, time_budget_s=60, first=first)
    assert changed == 2
    assert gain == 300
    assert sum(evaluate(toy, roster).values()) == 0
    assert dict(roster.group_by("staff_id").len().iter_rows()) == expected
    assert [b for b in check(toy, roster) if b.hard] == []


@pytest.mark.integration
def test_reoptimising_people_never_worsens_and_keeps_the_rules(instance3):
    """From Instance 3's constructed roster, a pass lowers the objective or leaves the roster
    as it was, and every hard rule still holds; no time: nothing changes."""
    roster = construct_roster(instance3).roster
    before = sum(evaluate(instance3, roster).values())
    unchanged, changed, gain = reoptimise_people(instance3, roster, time_budget_s=0)
    assert changed == gain == 0
    assert unchanged.sort(unchanged.columns).equals(roster.sort(roster.columns))
    better, changed, gain = reoptimise_people(instance3, roster, time_budget_s=60)
    after = sum(evaluate(instance3, better).values())
    assert [b for b in check(instance3, better) if b.hard] == []
    assert (changed > 0) == (after < before)
    assert gain == pytest.approx(before - after)  # the pass's own count of what it gained
    assert after <= before


@pytest.mark.integration
def test_freeing_c21_rows_gives_the_lp_without_c21():
    """C21 is redundant but tightens the LP: on Instance 1 the LP relaxation is 426.2 without
    C21 and 511.5 with it; with C21's rows freed it is 426.2 again."""
    instance1 = to_problem(parse_instance(CURTOIS_DIR / "instances" / "Instance1.txt"))
    optima = {}
    cases = (("lean", False, False), ("c21", True, False), ("freed", True, True))
    for name, extended, free in cases:
        model = build_model(instance1, extended=extended)
        solver = HiGHS(msg=False, threads=1)
        solver.createAndConfigureSolver(model.prob)
        solver.buildSolverModel(model.prob)
        if free:
            assert (
                heuristic._free_rows(model.prob.solverModel, model.prob, warm_start.C21_PREFIX) > 0
            )
        _, value, _ = _lp_relaxation(model.prob.solverModel, 30, methods=("simplex",))
        optima[name] = value + model.prob.objective.constant
    assert optima["c21"] > optima["lean"] + 50
    assert optima["freed"] == pytest.approx(optima["lean"], rel=1e-6)


def _spy_final_solve(monkeypatch):
    """Record each call of the engine's final ``solve_problem``: ``(time called, its time
    limit, number of start values, number of model columns)``."""
    calls = []

    def spy(prob, settings, **kwargs):
        start = kwargs.get("start") or {}
        calls.append((time.perf_counter(), settings.time_limit_s, len(start), prob.numVariables()))
        return solve_problem(prob, settings, **kwargs)

    monkeypatch.setattr(engine, "solve_problem", spy)
    return calls


def _spy_search(monkeypatch):
    """Record each search the engine runs: ``(its keyword arguments, C21 rows in the model)``."""
    calls = []
    real = warm_start.improve_start

    def spy(model, start, budget, **kwargs):
        calls.append((kwargs, _c21_rows(model)))
        return real(model, start, budget, **kwargs)

    monkeypatch.setattr(warm_start, "improve_start", spy)
    return calls


@pytest.mark.integration
@pytest.mark.slow
def test_warm_started_solve_returns_a_checked_roster(instance3, monkeypatch):
    """Simplex solves Instance 3's LP relaxation without C21 and with it: the first search
    defers, C21 is added, the search runs with it, and the final solve gets C21 and a start
    covering every column, C21's included."""
    searches = _spy_search(monkeypatch)
    calls = _spy_final_solve(monkeypatch)
    solution = solve(instance3, SolverSettings(threads=1, time_limit_s=20), warm_start=True)
    assert solution.result.status.has_solution
    assert solution.hard_breaches == []
    assert solution.result.objective >= 1001 - 1e-6
    assert solution.result.bound <= 1001
    c21 = _c21_rows(build_model(instance3))
    assert c21 > 0
    assert solution.model_size["c21_rows"] == c21
    assert solution.model_size["c21_freed_rows"] == 0
    assert [(kwargs.get("defer_if_simplex", False), rows) for kwargs, rows in searches] == [
        (True, 0),
        (False, c21),
    ]
    assert [kwargs["workers"] for kwargs, _ in searches] == [1, 1]  # the settings' threads
    [(_, _, started, columns)] = calls
    assert started == columns == solution.model_size["variables"]


@pytest.mark.integration
@pytest.mark.slow
def test_warm_start_frees_c21_in_the_search_when_simplex_misses_its_lp(instance3, monkeypatch):
    """Simplex solves the LP without C21 but (patched) not the LP with it: the search frees
    C21's rows and runs on; the final solve gets C21 and the roster completed for it."""
    real_lp, real_free = heuristic._lp_relaxation, heuristic._free_rows
    relaxations, freed = [], []

    def first_only(*args, **kwargs):
        relaxations.append(True)
        return real_lp(*args, **kwargs) if len(relaxations) == 1 else None

    def free_rows(highs, prob, prefix):
        freed.append(real_free(highs, prob, prefix))
        return freed[-1]

    monkeypatch.setattr(heuristic, "_lp_relaxation", first_only)
    monkeypatch.setattr(heuristic, "_free_rows", free_rows)
    # the search to 80 % of the limit rather than 95 %: time left for the final solve
    monkeypatch.setattr(
        warm_start, "BUDGET", dataclasses.replace(warm_start.BUDGET, search_extra=0.1)
    )
    calls = _spy_final_solve(monkeypatch)
    solution = solve(instance3, SolverSettings(threads=1, time_limit_s=10), warm_start=True)
    assert solution.hard_breaches == []
    c21 = _c21_rows(build_model(instance3))
    assert freed == [c21]
    assert solution.model_size["c21_rows"] == solution.model_size["c21_freed_rows"] == c21
    [(_, _, started, columns)] = calls
    assert started == columns == solution.model_size["variables"]


@pytest.mark.integration
@pytest.mark.slow
def test_warm_start_leaves_c21_out_when_the_search_runs_on(instance3, monkeypatch):
    """Without the LP relaxation the search runs to 95 % of the limit: the final solve gets the
    model without C21 and the search's (complete) solution as its start."""
    monkeypatch.setattr(heuristic, "_lp_relaxation", lambda *args, **kwargs: None)
    # the search to 80 % of the limit rather than 95 %: time left for the final solve
    monkeypatch.setattr(
        warm_start, "BUDGET", dataclasses.replace(warm_start.BUDGET, search_extra=0.1)
    )
    calls = _spy_final_solve(monkeypatch)
    solution = solve(instance3, SolverSettings(threads=1, time_limit_s=10), warm_start=True)
    assert solution.result.status.has_solution
    assert solution.hard_breaches == []
    assert solution.model_size["c21_rows"] == solution.model_size["c21_freed_rows"] == 0
    [(_, _, started, columns)] = calls
    assert started == columns == build_model(instance3, extended=False).prob.numVariables()


@pytest.mark.integration
@pytest.mark.slow
@pytest.mark.parametrize("behind", [True, False])
def test_warm_start_reoptimises_only_after_falling_behind_pace(instance3, monkeypatch, behind):
    """A construction that placed someone behind pace (here: marked so) is followed by a pass
    of re-optimisation, that person first, within 75 % of the limit; one that kept pace is
    not."""
    real_construct, real_reoptimise = warm_start.construct_roster, warm_start.reoptimise_people
    last = instance3.people[-1].id
    calls = []

    def construct(problem, **kwargs):
        roster, _ = real_construct(problem, **kwargs)
        return heuristic.Construction(roster, (last,) if behind else ())

    def spy(problem, roster, budget, **kwargs):
        calls.append((budget, kwargs))
        return real_reoptimise(problem, roster, budget, **kwargs)

    monkeypatch.setattr(warm_start, "construct_roster", construct)
    monkeypatch.setattr(warm_start, "reoptimise_people", spy)
    _lp_without_its_time_limit(monkeypatch)
    limit = 10.0
    solution = solve(instance3, SolverSettings(threads=1, time_limit_s=limit), warm_start=True)
    assert solution.hard_breaches == []
    if behind:
        assert calls[0][1]["first"] == (last,)
        assert all(kwargs["first"] == () for _, kwargs in calls[1:])  # later passes
        assert all(0 < budget <= warm_start.BUDGET.reoptimise_until * limit for budget, _ in calls)
    else:  # and simplex solves Instance 3's LP relaxation, so the search does not call it
        assert calls == []


@pytest.mark.integration
def test_search_reoptimises_people_first_without_the_lp_relaxation(instance3, monkeypatch):
    """Without the LP relaxation (by either method), the search hands its start's roster to
    ``reoptimise`` first and carries on from the roster that comes back (completed by HiGHS)
    when it is better."""
    monkeypatch.setattr(heuristic, "_lp_relaxation", lambda *args, **kwargs: None)
    roster = construct_roster(instance3).roster
    model = build_model(instance3, extended=False)
    start = complete_start(model, roster)
    received, returned = [], []

    def reoptimise(given):
        received.append(given)
        returned.append(reoptimise_people(instance3, given, time_budget_s=60).roster)
        return returned[-1]

    search = improve_start(model, start, time_budget_s=1.0, reoptimise=reoptimise)
    [given], [better] = received, returned
    assert given.sort(given.columns).equals(roster.sort(roster.columns))
    before = sum(evaluate(instance3, roster).values())
    assert sum(evaluate(instance3, better).values()) < before  # the pass helps here
    for var, value in search.start.items():
        var.varValue = value
    after = sum(evaluate(instance3, extract_roster(model)).values())
    assert after <= sum(evaluate(instance3, better).values())
    assert not search.simplex


@pytest.mark.integration
def test_final_solve_is_skipped_when_no_hand_over_fits(instance3, monkeypatch):
    """A complete start and less time left than a hand-over in and back: no solver call; the
    start is the solution, feasible, with no bound claimed."""
    model = build_model(instance3)
    start = complete_start(model, construct_roster(instance3).roster)
    calls = _spy_final_solve(monkeypatch)
    solved = engine.solve_model(
        model, SolverSettings(threads=1, time_limit_s=10), start=start, pass_s=30.0
    )
    assert calls == []
    assert solved.result.status is SolveStatus.FEASIBLE_TIME_LIMIT
    assert solved.result.bound is None
    assert solved.result.objective == pytest.approx(
        sum(evaluate(instance3, solved.roster).values())
    )
    assert "final solve skipped" in solved.result.message


def _c21_rows(model) -> int:
    return sum(name.startswith(warm_start.C21_PREFIX) for name in model.prob.constraints)


@pytest.mark.integration
@pytest.mark.slow
def test_improvement_keeps_the_models_own_bounds(instance3):
    """Assignments the model fixes to 0 by a bound (as the OOH shift calendar does) stay 0."""
    roster = construct_roster(instance3).roster
    model = build_model(instance3)
    start = complete_start(model, roster)
    closed = [v for v in model.assign.values() if start[v] == 0][::3]
    for var in closed:
        var.upBound = 0
    better = improve_start(model, start, time_budget_s=5).start
    assert all(better[v] == 0 for v in closed)
    assert all(v.upBound == 0 for v in closed)


@pytest.mark.integration
def test_interior_point_relaxation_bound_matches_simplex(instance3):
    """The interior-point fallback (no crossover) gives the simplex optimum, less a tolerance.

    Both are lower bounds on the proven optimum 1001; without crossover the interior-point
    optimum is within HiGHS's duality-gap tolerance (1e-8 relative) of the vertex optimum, so
    after :data:`LP_BOUND_TOLERANCE` is taken off both it is no higher than simplex's plus
    that tolerance, and no lower than simplex's minus it.
    """
    model = build_model(instance3)
    solver = HiGHS(msg=False, threads=1)
    solver.createAndConfigureSolver(model.prob)
    solver.buildSolverModel(model.prob)
    simplex = _lp_relaxation(model.prob.solverModel, 30, methods=("simplex",))
    ipm = _lp_relaxation(model.prob.solverModel, 30, methods=("ipm",))
    assert simplex is not None
    assert ipm is not None
    slack = 2 * LP_BOUND_TOLERANCE * abs(simplex[1])
    assert abs(ipm[1] - simplex[1]) <= slack
    assert 0 < ipm[1] <= 1001 - model.prob.objective.constant
    assert len(ipm[0]) == model.prob.numVariables()


@pytest.mark.integration
def test_search_takes_the_extra_time_only_when_simplex_misses_the_lp(instance3, monkeypatch):
    """``extra_s`` is spent only when the LP relaxation is not solved by simplex.

    The search's clock stands still and its moves are recorded rather than made, so the
    deadline handed to the moves is exactly the budget the search gave itself.
    """
    roster = construct_roster(instance3).roster
    model = build_model(instance3)
    start = complete_start(model, roster)
    budgets = []

    def record(highs, hood, x, deadline, rng, *, peers=None):
        budgets.append(deadline)
        return x, 0

    monkeypatch.setattr(heuristic, "_lns", record)
    _lp_without_its_time_limit(monkeypatch)
    still = SimpleNamespace(perf_counter=lambda: 0.0, monotonic=lambda: 0.0)
    monkeypatch.setattr(heuristic, "time", still)
    improve_start(model, start, time_budget_s=2, extra_s=30)  # Instance 3's LP: simplex
    assert budgets == [2]
    deferred = improve_start(model, start, time_budget_s=30, defer_if_simplex=True)
    assert budgets == [2]  # no search
    assert deferred.simplex
    assert deferred.start is start
    assert deferred.improved == 0
    monkeypatch.setattr(heuristic, "_lp_relaxation", lambda *args, **kwargs: None)
    search = improve_start(model, start, time_budget_s=2, extra_s=3, defer_if_simplex=True)
    assert budgets == [2, 2 + 3]
    assert search.lp_bound is None
    assert not search.simplex


def _clock_ahead(monkeypatch) -> list[float]:
    """The clock of the engine, the warm start, the heuristic and the solver call, ahead of
    the real one by ``ahead[0]`` seconds: adding to it stands for a step that took that much
    longer, without the wait."""
    ahead = [0.0]
    clock = SimpleNamespace(
        perf_counter=lambda: time.perf_counter() + ahead[0],
        monotonic=lambda: time.monotonic() + ahead[0],
    )
    for module in (engine, heuristic, warm_start, solve_module):
        monkeypatch.setattr(module, "time", clock)
    return ahead


def _slow_first_person(monkeypatch, delay_s: float) -> list[dict]:
    """Delay the construction's first person's solve by ``delay_s`` (on the clock of
    :func:`_clock_ahead`); record every solve's keyword arguments and whether its whole model
    had C21 (``"c21"``)."""
    real = PersonModels.solve
    ahead = _clock_ahead(monkeypatch)
    calls = []

    def slow_first(self, *args, **kwargs):
        if not calls:
            ahead[0] += delay_s
        calls.append({**kwargs, "c21": _c21_rows(self.model) > 0})
        return real(self, *args, **kwargs)

    monkeypatch.setattr(PersonModels, "solve", slow_first)
    return calls


@pytest.mark.integration
@pytest.mark.slow
def test_construction_runs_into_its_grace_rather_than_give_up(instance3, monkeypatch):
    """The first person's solve takes 3 s of a 2 s budget. Without grace the construction
    gives up (no roster); with 60 s of grace it finishes, every later person behind pace
    (feasibility only), and the roster keeps every hard rule."""
    calls = _slow_first_person(monkeypatch, 3)
    assert construct_roster(instance3, time_budget_s=2.0).roster is None
    calls.clear()
    roster, behind = construct_roster(instance3, time_budget_s=2.0, grace_s=60.0)
    assert roster is not None
    assert behind == tuple(p.id for p in instance3.people[1:])
    assert [b for b in check(instance3, roster) if b.hard] == []


@pytest.mark.integration
@pytest.mark.slow
@pytest.mark.parametrize(
    ("target", "name", "sleep_s"),
    [(warm_start, "construct_roster", 7), (PersonModels, "complete", 3)],
    ids=["late construction", "slow completion"],
)
def test_warm_start_without_time_for_a_search_skips_it_and_c21(
    instance3, monkeypatch, target, name, sleep_s
):
    """No time for the search or C21: the final solve gets the constructed roster, complete,
    on the model without C21. Either the construction ends past 60 % of the limit (made to,
    by sleeping 7 s of 10), or the completion of its roster (made to take 3 s of 10), which
    stands for one hand-over of the model to HiGHS, leaves fewer than
    ``warm_start.BUDGET.handovers`` (3) of them: the search's own, the final solve's and one
    to search in. The seconds are added to the engine's clock rather than slept."""
    real = getattr(target, name)
    ahead = _clock_ahead(monkeypatch)

    def slow(*args, **kwargs):
        ahead[0] += sleep_s
        return real(*args, **kwargs)

    def no_search(*args, **kwargs):
        raise AssertionError("the search ran")

    monkeypatch.setattr(target, name, slow)
    monkeypatch.setattr(warm_start, "improve_start", no_search)
    calls = _spy_final_solve(monkeypatch)
    solution = solve(instance3, SolverSettings(threads=1, time_limit_s=10), warm_start=True)
    assert solution.result.status.has_solution
    assert solution.hard_breaches == []
    assert solution.model_size["c21_rows"] == 0
    if calls:
        [(_, _, started, columns)] = calls
        assert started == columns == build_model(instance3, extended=False).prob.numVariables()
    else:  # a slow hand-over may leave no time to hand the model over again
        assert "final solve skipped" in solution.result.message


@pytest.mark.integration
@pytest.mark.slow
def test_construction_behind_pace_solves_only_for_feasibility(instance3, monkeypatch):
    """A person whose pro-rata share of the budget has passed gets no objective, then pace resumes.

    With a budget of 4 s per person and the first person's solve delayed by 10 s, the second
    person starts after 10 s, beyond their share (8 s): feasibility only, on their own rules
    (no cover rows). The third starts well inside theirs (12 s), so the objective and the
    cover are back; the roster keeps every hard rule. No person's model has C21.
    """
    calls = _slow_first_person(monkeypatch, 10)
    roster, behind = construct_roster(instance3, time_budget_s=4.0 * len(instance3.people))
    assert roster is not None
    assert behind == (instance3.people[1].id,)
    assert [b for b in check(instance3, roster) if b.hard] == []
    kinds = [(c["objective"] and c["against_cover"], c["against_cover"]) for c in calls]
    assert kinds[:3] == [(True, True), (False, False), (True, True)]
    assert not any(c["c21"] for c in calls)


@pytest.mark.unit
def test_search_processes_adopt_only_better_solutions_and_the_main_one_passes_them_on():
    """Messages are ``(origin, objective, values)``: the best one under the incumbent's
    objective wins; the main process (-1) passes what it adopts to every worker but the
    sender, a worker (0) passes nothing on."""
    x = np.zeros(3)
    inbox, to_0, to_1 = queue.Queue(), queue.Queue(), queue.Queue()
    main = _Peers(-1, inbox, {0: to_0, 1: to_1})
    for message in [(0, 12.0, np.full(3, 1.0)), (0, 8.0, np.full(3, 2.0)), (1, 9.0, np.ones(3))]:
        inbox.put(message)
    y, best = _adopt(main, x, 10.0, 0.0)
    assert best == 8.0
    assert (y == 2.0).all()
    assert to_0.empty()  # not back to its sender
    assert to_1.get_nowait()[:2] == (0, 8.0)
    assert to_1.empty()  # 9.0 came after 8.0: not adopted, not passed on
    assert _adopt(main, y, best, 0.0)[1] == 8.0  # nothing waiting: unchanged
    worker = _Peers(0, to_0, {-1: inbox})
    to_0.put((-1, 5.0, np.full(3, 3.0)))
    assert _adopt(worker, y, best, 0.0)[1] == 5.0
    assert inbox.empty()


@pytest.mark.integration
@pytest.mark.slow
def test_search_in_a_worker_process_improves_the_start(instance3, monkeypatch):
    """``workers=2``: a spawned worker rebuilds the model from HiGHS's arrays, searches with
    its own seed and sends its improvements back. The main process's own moves are switched
    off here (and the floor on the search time), so every gain is the worker's; the result
    keeps every hard rule and never goes below the proven optimum, 1001."""
    roster = construct_roster(instance3).roster
    model = build_model(instance3)
    start = complete_start(model, roster)
    before = sum(evaluate(instance3, roster).values())
    exchanges = []

    def no_moves(highs, hood, x, deadline, rng, *, peers=None):
        exchanges.append(peers)
        return x, 0

    monkeypatch.setattr(heuristic, "_lns", no_moves)
    monkeypatch.setattr(heuristic, "WORKER_MIN_S", 0.0)
    search = improve_start(model, start, time_budget_s=15, workers=2)
    for var, value in search.start.items():
        var.varValue = value
    improved = extract_roster(model)
    after = sum(evaluate(instance3, improved).values())
    assert [b for b in check(instance3, improved) if b.hard] == []
    assert 1001 <= after < before
    assert search.improved == 0  # made by the worker, counted there
    [main] = exchanges
    assert main.me == -1
    assert list(main.outboxes) == [0]
