"""A starting roster for large instances: one small integer programme per person, in turn.

Every hard rule of the rota model is about one person, and cover is soft, so a feasible roster
can be built person by person. :func:`construct_roster` solves, for each non-optional person
in order, the same model (``build_model``) restricted to that person, with each cover
requirement reduced by the people already placed. Each sub-problem is small and quick; the
result is a feasible (not optimal) roster that the full model receives as a start
(``solve(..., warm_start=True)``), which helps HiGHS on instances where it finds no incumbent
on its own within the time limit.

:func:`improve_start` then runs a fix-and-optimise large-neighbourhood search on the full
model: it frees the shifts of a few people at a time (seeded random choice), fixes everyone
else at the incumbent, and re-solves; a neighbourhood is accepted only if the objective does
not get worse, since the incumbent is passed in as a start. The final full solve reports the
honest status and bound.
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

__all__ = ["construct_roster", "improve_start"]


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


def improve_start(
    model: RotaModel,
    start: dict,
    time_budget_s: float,
    people_per_move: int | None = None,
    seed: int = 20260401,
) -> tuple[dict, int]:
    """Fix-and-optimise over people: improve a start for ``model`` within a time budget.

    Args:
        model: the full built model (its variable bounds are restored afterwards).
        start: ``{assign variable: 0/1}`` for every assignment variable.
        time_budget_s: seconds to spend.
        people_per_move: people freed per move (default: an eighth of the non-optional
            people, between 2 and 8).
        seed: random seed for the choice of people (results never depend on the clock).

    Returns:
        ``(improved start, number of improving moves)``.
    """
    problem = model.problem
    began = time.perf_counter()
    rng = random.Random(seed)
    people = list(range(len(problem.people)))
    k = people_per_move or max(2, min(8, len(people) // 8))
    by_person: dict[int, list] = {}
    for (i, _, _), var in model.assign.items():
        by_person.setdefault(i, []).append(var)
    best = dict(start)
    best_obj = None
    improved = 0
    try:
        while True:
            left = time_budget_s - (time.perf_counter() - began)
            if left < 1.0:
                break
            free = set(rng.sample(people, min(k, len(people))))
            for i, variables in by_person.items():
                for var in variables:
                    if i in free:
                        var.lowBound, var.upBound = 0, 1
                    else:
                        var.lowBound = var.upBound = best[var]
            settings = SolverSettings(threads=1, time_limit_s=min(10.0, left), gap_rel=1e-4)
            result = solve_problem(model.prob, settings, start=best)
            if not result.status.has_solution:
                continue
            if best_obj is None or result.objective < best_obj - 1e-6:
                improved += best_obj is not None
                best_obj = result.objective
                best = {var: float((var.varValue or 0.0) > 0.5) for var in best}
    finally:
        for var in best:
            var.lowBound, var.upBound = 0, 1
    return best, improved
