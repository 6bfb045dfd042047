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
import logging
import math
import time
from pathlib import Path

import polars as pl

from lsc_workforce.config import SolverSettings
from lsc_workforce.rota.checker import check
from lsc_workforce.rota.heuristic import (
    Search,
    complete_start,
    construct_roster,
    improve_start,
    reoptimise_people,
)
from lsc_workforce.rota.model import CONSTRAINT_TAGS, RotaModel, add_sequence_flow, build_model
from lsc_workforce.rota.person_models import PersonModels
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
from lsc_workforce.rota.weekend_plan import plan_weekends
from lsc_workforce.solve import solve_problem

__all__ = ["has_integral_objective", "solve"]

#: Name prefix of C21's rows (``add_sequence_flow``; rows are named ``<tag name>__...``).
C21_PREFIX = f"{CONSTRAINT_TAGS['C21']}__"


LOGGER = logging.getLogger(__name__)

#: Share of the time limit by which passes of
#: :func:`~lsc_workforce.rota.heuristic.reoptimise_people` stop, after a construction that
#: fell behind pace or in a search without the LP relaxation (the people placed behind pace
#: had no cover in their models, so re-solving them against the cover gains most).
REOPTIMISE_UNTIL = 0.75

#: Share of the time limit the weekend plan
#: (:func:`~lsc_workforce.rota.weekend_plan.plan_weekends`) may take; its time comes out of
#: the construction's 60 %.
PLAN_SHARE = 0.15

#: Share of the time limit the construction may run on past its 60 % to finish
#: (``construct_roster``'s ``grace_s``); if it does, the search and C21 are skipped and the
#: final solve gets the roster: on a slow machine even the people's feasibility problems can
#: outlast the budget, and a late roster is better than none.
CONSTRUCTION_GRACE = 0.25

#: The search is skipped (as after a late construction) when, once the roster is completed,
#: the time left holds fewer than this many hand-overs of the model to HiGHS (timed as the
#: arrays' making plus the completion): the search's own, the final solve's, and one for the
#: search to work in. Hand-overs happen outside HiGHS's time limit, so without this margin a
#: large model's run would overrun its limit.
HANDOVERS = 3

#: Passes of re-optimisation stop after one that gains less than this share of the first's
#: gain: the gains shrink fast from pass to pass, and the time is better spent searching.
REOPTIMISE_MIN_GAIN = 0.1


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
        settings: solver, time limit, relative gap, threads and the warm start's search seed.
        lp_path: if given, the model is written there as an ``.lp`` file for audit.
        check_roster: run the independent checker and the uncovered-cover explanation
            (turn off only for large benchmarks, where the caller re-scores the roster).
        options: extra native solver options (see ``lsc_workforce.solve.make_solver``).
        warm_start: first plan the weekends
            (:func:`~lsc_workforce.rota.weekend_plan.plan_weekends`, up to
            :data:`PLAN_SHARE` of the time limit), then build a feasible roster person by
            person guided by the plan
            (:func:`~lsc_workforce.rota.heuristic.construct_roster`, up to 60% of the time
            limit in all, on the model without C21, or up to :data:`CONSTRUCTION_GRACE` more
            to finish where even its feasibility problems are slower than that, and then no
            search and no C21, as when the time left after completing the roster holds fewer
            than :data:`HANDOVERS` hand-overs of the model; if it fell behind pace, until 75%
            re-solving people against the others' cover,
            :func:`~lsc_workforce.rota.heuristic.reoptimise_people`, those placed behind pace
            first), then improve it by a large-neighbourhood search
            on the whole model in HiGHS (:func:`~lsc_workforce.rota.heuristic.improve_start`)
            and hand the result to the final solve (any solver) as a complete start; the
            final solve gets the rest of the time limit and reports the status and bound.
            Where the search runs depends on the LP relaxation (simplex given a tenth of the
            search's time):

            * simplex does not solve the LP without C21: the search runs on the model
              without C21 until 95% of the limit (the final solve would seldom finish its
              root LP), and the final solve gets that model. If interior point does not
              solve it either, the search first re-solves people in turn until 75% of the
              limit or a pass gains under a tenth of the first's
              (:data:`REOPTIMISE_MIN_GAIN`);
            * it does: C21 is added (its build time counts in ``result.build_s``) and the
              search tries the LP with C21. Solved by simplex: the search runs with C21
              until 70% and the final solve gets the rest to prove or tighten the bound from
              C21's stronger root. Not solved: the search frees C21's rows in its copy and
              runs to 95% (its sub-MIPs are faster without them), and the final solve gets
              the model with C21 and the roster completed for it.

            Helps on large instances; the heuristic's time is part of ``result.solve_s``.

    Returns:
        The :class:`RotaSolution`. When the solver returns no solution (infeasible hard
        rules, error, or no incumbent at the time limit) the roster is empty and the status
        says why.
    """
    model = build_model(problem, extended=not warm_start)
    start = lp_bound = None
    heuristic_s = 0.0
    c21_freed = False  # the search freed C21's rows (simplex solved only the LP without C21)
    if warm_start:
        began = time.perf_counter()
        limit = settings.time_limit_s
        completion_s = 0.05 * limit + 5  # time limit of each completion of a roster

        def passes(roster: pl.DataFrame, first: tuple[str, ...] = ()) -> pl.DataFrame | None:
            """Passes of re-optimisation until REOPTIMISE_UNTIL or a pass gains little."""
            changed, gains = 0, []
            while (left := REOPTIMISE_UNTIL * limit - (time.perf_counter() - began)) > 0:
                roster, n, gain = reoptimise_people(
                    problem, roster, left, first=first, persons=persons
                )
                changed, first = changed + n, ()
                gains.append(gain)
                if n == 0 or gain < REOPTIMISE_MIN_GAIN * gains[0]:
                    break
            return roster if changed else None

        guide = plan_weekends(problem, time_limit_s=PLAN_SHARE * limit) or ()
        persons = PersonModels(model)  # cut out of the model as it is now: no C21
        roster, behind = construct_roster(
            problem,
            time_budget_s=0.6 * limit - (time.perf_counter() - began),
            guide=guide,
            grace_s=CONSTRUCTION_GRACE * limit,
            persons=persons,
        )
        # ran into its grace: no time left for a search, nor to add C21
        late = time.perf_counter() - began > 0.6 * limit
        if roster is not None and behind:  # placed on their own rules only: now the cover
            reoptimised = passes(roster, behind)
            roster = roster if reoptimised is None else reoptimised
        search = None
        handover_s = 0.0  # one hand-over of the model to HiGHS and back, reserved for the last
        if roster is not None:
            completing = time.perf_counter()
            start = persons.complete(roster, time_limit_s=completion_s)
            # a hand-over to HiGHS: arrays made, a solve with the assignments fixed, read back
            handover_s = persons.arrays_s + time.perf_counter() - completing
            # the search hands the model to HiGHS again, and so does the final solve: without
            # time for both and a little search, go straight to the final solve
            late = late or limit - (time.perf_counter() - began) < HANDOVERS * handover_s
            LOGGER.debug("roster completed in %.1f s; search skipped: %s", handover_s, late)

        def improve(start: dict, **kwargs) -> Search:
            budget = 0.7 * limit - (time.perf_counter() - began) - handover_s
            return improve_start(
                model,
                start,
                budget,
                seed=settings.seed,
                extra_s=0.25 * limit,
                workers=settings.threads,
                **kwargs,
            )

        if start is not None and len(start) == model.prob.numVariables() and not late:
            search = improve(start, defer_if_simplex=True, reoptimise=passes)
            start, lp_bound = search.start, search.lp_bound
        extend_s = 0.0
        if not late and (search is None or search.simplex):  # C21 for the roots' LP
            extending = time.perf_counter()
            add_sequence_flow(model)
            extend_s = time.perf_counter() - extending
            model.build_s += extend_s
            if start is not None:
                start = _complete_again(model, start, completion_s)
            if search is not None:
                search = improve(start, redundant=C21_PREFIX)
                start = search.start
                c21_freed = not search.simplex
                if c21_freed:  # C21's columns' values are meaningless
                    start = _complete_again(model, start, completion_s)
                if search.lp_bound is not None:  # C21's LP: at least as tight
                    lp_bound = search.lp_bound
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
    c21_rows = sum(name.startswith(C21_PREFIX) for name in model.prob.constraints)
    size = {
        "variables": model.prob.numVariables(),
        "constraints": model.prob.numConstraints(),
        "c21_rows": c21_rows,
        "c21_freed_rows": c21_rows if c21_freed else 0,
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


def _complete_again(model: RotaModel, start: dict, time_limit_s: float) -> dict:
    """``start``'s roster completed for every column of ``model``.

    Used after C21 was added (its columns have no values) or freed in the search (their values
    are meaningless).
    """
    for var, value in start.items():
        var.varValue = value
    return complete_start(model, extract_roster(model), time_limit_s=time_limit_s)
