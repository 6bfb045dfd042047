"""A starting roster for large instances: one small integer programme per person, in turn.

Every hard rule of the rota model is about one person, and cover is soft, so a feasible roster
can be built person by person. :func:`construct_roster` solves, for each non-optional person
in order, the same model (``build_model``) restricted to that person, with each cover
requirement reduced by the people already placed. Each sub-problem is small and quick; the
result is a feasible (not optimal) roster that the full model receives as a start
(``solve(..., warm_start=True)``), which helps HiGHS on instances where it finds no incumbent
on its own within the time limit.

:func:`improve_roster` then runs a fix-and-optimise large-neighbourhood search: it re-rosters
a few people at a time (seeded random choice) with everyone else fixed, keeping a move only if
it lowers the objective, and :func:`complete_start` turns the roster into values for every
model variable. The final full solve, started from it, reports the honest status and bound.
"""

from __future__ import annotations

import dataclasses
import random
import time
from collections import Counter

import polars as pl

from lsc_workforce.config import SolverSettings
from lsc_workforce.rota.checker import ROSTER_SCHEMA
from lsc_workforce.rota.model import RotaModel, build_model
from lsc_workforce.rota.problem import RotaProblem
from lsc_workforce.rota.solution import extract_roster
from lsc_workforce.solve import solve_problem

__all__ = ["complete_start", "construct_roster", "improve_roster"]


def construct_roster(
    problem: RotaProblem,
    time_limit_s: float = 2.0,
    time_budget_s: float | None = None,
) -> pl.DataFrame | None:
    """Build a feasible roster one person at a time (candidate posts are left unused).

    Args:
        problem: the rota problem.
        time_limit_s: solver time limit for each person's sub-problem (seconds).
        time_budget_s: stop adding people after this many seconds in total (the rest get
            no shifts, which may break their minimum-minutes rule); ``None``: no budget.

    Returns:
        The roster, or ``None`` when some person's own hard rules admit no roster at all or
        the budget ran out.
    """
    started = time.perf_counter()
    settings = SolverSettings(threads=1, time_limit_s=time_limit_s, gap_rel=0.01)
    covered: Counter[tuple[int, str, str | None, str | None]] = Counter()
    frames = []
    for person in problem.people:
        if person.optional:
            continue
        if time_budget_s is not None and time.perf_counter() - started > time_budget_s:
            return None
        cover = tuple(
            dataclasses.replace(
                req,
                required=max(
                    0,
                    req.required
                    - covered[problem.day_index[req.date], req.shift, req.competency, req.site],
                ),
            )
            for req in problem.cover
            if problem.qualifies(person.id, req)
        )
        sub = problem.with_changes(
            people=(person,),
            cover=cover,
            requests=tuple(r for r in problem.requests if r.staff_id == person.id),
            fairness={},
        )
        model = build_model(sub)
        result = solve_problem(model.prob, settings)
        if not result.status.has_solution:
            return None
        roster = extract_roster(model)
        frames.append(roster)
        worked = {(problem.day_index[d], s) for d, s in roster.select("date", "shift").iter_rows()}
        for req in problem.cover:
            d = problem.day_index[req.date]
            if (d, req.shift) in worked and problem.qualifies(person.id, req):
                covered[d, req.shift, req.competency, req.site] += 1
    if not frames:
        return pl.DataFrame(schema=ROSTER_SCHEMA)
    return pl.concat(frames)


def _residual_cover(problem: RotaProblem, roster: pl.DataFrame, free: set[str]):
    """Cover requirements reduced by the people outside ``free``, for the free people."""
    others = roster.filter(~pl.col("staff_id").is_in(sorted(free)))
    worked: dict[tuple, list[str]] = {}
    for staff, date, shift in others.select("staff_id", "date", "shift").iter_rows():
        worked.setdefault((date, shift), []).append(staff)
    return tuple(
        dataclasses.replace(
            req,
            required=max(
                0,
                req.required
                - sum(problem.qualifies(s, req) for s in worked.get((req.date, req.shift), [])),
            ),
        )
        for req in problem.cover
    )


def improve_roster(
    problem: RotaProblem,
    roster: pl.DataFrame,
    time_budget_s: float,
    people_per_move: int | None = None,
    seed: int = 20260401,
) -> tuple[pl.DataFrame, int]:
    """Fix-and-optimise over people: re-roster a few people at a time, others fixed.

    Each move frees ``people_per_move`` non-optional people (seeded random choice), builds
    the model for just them with cover reduced by everyone else, solves it and keeps the new
    shifts only if that sub-problem's objective improves. Fairness is ignored in the moves
    (it couples everyone); the final full solve prices it.

    Args:
        problem: the rota problem.
        roster: a feasible starting roster.
        time_budget_s: seconds to spend.
        people_per_move: people freed per move (default: an eighth of the people, 2 to 6).
        seed: random seed (results never depend on the clock).

    Returns:
        ``(improved roster, number of improving moves)``.
    """
    from lsc_workforce.rota.checker import evaluate  # noqa: PLC0415

    began = time.perf_counter()
    rng = random.Random(seed)
    ids = [p.id for p in problem.people if not p.optional]
    k = people_per_move or max(2, min(6, len(ids) // 8))
    improved = 0
    while time.perf_counter() - began < time_budget_s - 1.0 and ids:
        free = set(rng.sample(ids, min(k, len(ids))))
        sub = problem.with_changes(
            people=tuple(p for p in problem.people if p.id in free),
            cover=_residual_cover(problem, roster, free),
            requests=tuple(r for r in problem.requests if r.staff_id in free),
            fairness={},
        )
        current = roster.filter(pl.col("staff_id").is_in(sorted(free)))
        before = sum(evaluate(sub, current).values())
        model = build_model(sub)
        left = time_budget_s - (time.perf_counter() - began)
        settings = SolverSettings(threads=1, time_limit_s=max(1.0, min(10.0, left)), gap_rel=1e-4)
        result = solve_problem(model.prob, settings)
        if result.status.has_solution and result.objective < before - 1e-6:
            roster = pl.concat(
                [roster.filter(~pl.col("staff_id").is_in(sorted(free))), extract_roster(model)]
            )
            improved += 1
    return roster.sort("staff_id", "date", "shift"), improved


def complete_start(model: RotaModel, roster: pl.DataFrame, time_limit_s: float = 30.0) -> dict:
    """Every model variable's value for ``roster`` (assignments fixed, the rest solved).

    Returns:
        ``{variable: value}`` for all variables, or only the assignments if the completion
        solve finds no solution in time.
    """
    problem = model.problem
    worked = {
        (staff, problem.day_index[d], s)
        for staff, d, s in roster.select("staff_id", "date", "shift").iter_rows()
    }
    start = {
        var: float((problem.people[i].id, d, problem.shift_types[t].id) in worked)
        for (i, d, t), var in model.assign.items()
    }
    try:
        for var, value in start.items():
            var.lowBound = var.upBound = value
        settings = SolverSettings(threads=1, time_limit_s=time_limit_s)
        result = solve_problem(model.prob, settings)
        if result.status.has_solution:
            start = {var: var.varValue or 0.0 for var in model.prob.variables()}
    finally:
        for var in model.assign.values():
            var.lowBound, var.upBound = 0, 1
    return start
