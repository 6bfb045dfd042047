"""Build, solve, extract and check: the rota engine's one entry point, :func:`solve`.

Example:
    >>> import datetime as dt
    >>> from lsc_workforce.config import SolverSettings
    >>> from lsc_workforce.rota.problem import CoverRequirement, Person, RotaProblem, ShiftType
    >>> day = ShiftType("day", dt.time(8), 600)
    >>> start = dt.date(2026, 4, 1)
    >>> problem = RotaProblem(
    ...     start, 1, (day,), (Person("a"), Person("b", optional=True, cost=50.0)),
    ...     (CoverRequirement(start, "day", 2, under_penalty=100.0),),
    ... )
    >>> solution = solve(problem, SolverSettings(threads=1))
    >>> solution.result.status.value, solution.result.objective, solution.posts_used
    ('optimal', 50.0, ['b'])
"""

from __future__ import annotations

import dataclasses
import math
import time
from pathlib import Path

import polars as pl

from lsc_workforce.config import SolverSettings
from lsc_workforce.rota.checker import check
from lsc_workforce.rota.heuristic import complete_start, construct_roster, improve_start
from lsc_workforce.rota.model import RotaModel, add_sequence_flow, build_model
from lsc_workforce.rota.problem import RotaProblem
from lsc_workforce.rota.solution import (
    UNCOVERED_SCHEMA,
    RotaSolution,
    empty_roster,
    explain_uncovered,
    extract_components,
    extract_roster,
    person_totals,
)
from lsc_workforce.solve import solve_problem

__all__ = ["has_integral_objective", "solve"]


def has_integral_objective(model: RotaModel) -> bool:
    """Whether every roster's best objective value is an integer.

    True when all objective coefficients and the constant are integers and no fairness term
    is priced: cover shortfalls, surpluses and soft-rule slacks then take integer values at
    their best for any integer roster (their rows have integer coefficients and right-hand
    sides), whereas fairness deviations from WTE shares are fractional.
    """
    if any(name.startswith("fairness_") for name in model.components):
        return False
    objective = model.prob.objective
    values = [*objective.values(), objective.constant]
    return all(float(v).is_integer() for v in values)


#: The final solve gets C21 when the warm start leaves it more than this share of the time
#: limit (the search stopped at 70 %, so the root LP is likely to finish and C21 tightens it).
FINAL_ROOT_SHARE = 0.85


def solve(
    problem: RotaProblem,
    settings: SolverSettings,
    *,
    lp_path: Path | None = None,
    check_roster: bool = True,
    options: dict[str, object] | None = None,
    warm_start: bool = False,
) -> RotaSolution:
    """Build the rota integer programme, solve it and return the checked solution.

    Args:
        problem: the rota problem.
        settings: solver, time limit, relative gap and threads.
        lp_path: if given, the model is written there as an ``.lp`` file for audit.
        check_roster: run the independent checker and the uncovered-cover explanation
            (turn off only for large benchmarks, where the caller re-scores the roster).
        options: extra native solver options (see ``lsc_workforce.solve.make_solver``).
        warm_start: first build a feasible roster person by person
            (:func:`~lsc_workforce.rota.heuristic.construct_roster`, up to 60% of the time
            limit), then improve it by a large-neighbourhood search on the whole model in
            HiGHS (:func:`~lsc_workforce.rota.heuristic.improve_start`, until 70% of the time
            limit has passed, or 95% where simplex does not solve the LP relaxation in a tenth
            of the search's time: the final solve seldom finishes its root LP there), and
            hand it to the final solve as a complete start; the final solve (any solver) gets
            the rest of the time limit and reports the status and bound.
            The construction and the search work on the model without C21 (redundant; with
            it HiGHS's sub-MIPs are slower: Instance 13, 240 s of search from the same start,
            2,063 and 1,958 without C21 against 2,507 and 2,694 with it). C21 is added for
            the final solve when the search stopped at 70% (its root LP then finishes and
            C21 tightens it; its build time counts in ``result.build_s``), and left out when
            it ran to 95%. Helps on large instances; the heuristic's time is part of
            ``result.solve_s``.

    Returns:
        The :class:`RotaSolution`. When the solver returns no solution (infeasible hard
        rules, error, or no incumbent at the time limit) the roster is empty and the status
        says why.
    """
    model = build_model(problem, extended=not warm_start)
    start = lp_bound = None
    heuristic_s = 0.0
    if warm_start:
        began = time.perf_counter()
        limit = settings.time_limit_s
        roster = construct_roster(problem, time_budget_s=0.6 * limit)
        handover_s = 0.0  # one hand-over of the model to HiGHS and back, reserved for the last
        if roster is not None:
            completing = time.perf_counter()
            start = complete_start(model, roster, time_limit_s=0.05 * limit + 5)
            handover_s = time.perf_counter() - completing
            if len(start) == model.prob.numVariables():  # completed: improve it
                spent = time.perf_counter() - began
                start, _, lp_bound = improve_start(
                    model, start, 0.7 * limit - spent - handover_s, extra_s=0.25 * limit
                )
        extend_s = 0.0
        if start is None or time.perf_counter() - began < FINAL_ROOT_SHARE * limit:
            extending = time.perf_counter()
            add_sequence_flow(model)  # C21 for the final solve's root LP
            extend_s = time.perf_counter() - extending
            model.build_s += extend_s
            if start is not None:  # values for C21's columns too
                for var, value in start.items():
                    var.varValue = value
                roster = extract_roster(model)
                start = complete_start(model, roster, time_limit_s=0.05 * limit + 5)
        heuristic_s = time.perf_counter() - began - extend_s
        settings = dataclasses.replace(
            settings, time_limit_s=max(1.0, limit - heuristic_s - extend_s - handover_s)
        )
    if lp_path is not None:
        Path(lp_path).parent.mkdir(parents=True, exist_ok=True)
        model.prob.writeLP(str(lp_path))
    integral = has_integral_objective(model)
    result = solve_problem(
        model.prob,
        settings,
        build_s=model.build_s,
        options=options,
        integral_objective=integral,
        start=start,
    )
    result = dataclasses.replace(result, solve_s=result.solve_s + heuristic_s)
    if lp_bound is not None:  # the final solve may stop before its root LP
        bound = math.ceil(lp_bound) if integral else lp_bound
        result = result.with_lower_bound(bound, "the LP relaxation (warm start)")
    size = {
        "variables": model.prob.numVariables(),
        "constraints": model.prob.numConstraints(),
        "c21_rows": sum(name.startswith("sequence_flow__") for name in model.prob.constraints),
    }
    if result.status.has_solution:
        roster = extract_roster(model)
        components = extract_components(model)
    else:
        roster = empty_roster()
        components = {}
    breaches = check(problem, roster) if check_roster else []
    if check_roster and result.status.has_solution:
        uncovered = explain_uncovered(problem, roster)
    else:
        uncovered = pl.DataFrame(schema=UNCOVERED_SCHEMA)
    posts = sorted(
        set(roster.get_column("staff_id").to_list()) & {p.id for p in problem.people if p.optional}
    )
    return RotaSolution(
        problem=problem,
        result=result,
        roster=roster,
        person_totals=person_totals(problem, roster),
        components=components,
        posts_used=posts,
        breaches=breaches,
        uncovered=uncovered,
        model_size=size,
    )
