"""Build, solve, extract and check: the rota engine's entry points.

:func:`solve` takes a :class:`~lsc_workforce.rota.problem.RotaProblem` through the whole
sequence: build the model, find a warm start (if asked), solve, extract, check.
:func:`solve_model` is the one solve path for a built rota model, shared by :func:`solve` and
by models that add their own rows and objective terms to the engine's (the OOH analysis): it
solves within one time limit, with rows added lazily (:class:`LazyRows`) or in lexicographic
stages if asked, writes the ``.lp`` file if asked, and extracts the roster, the objective
components, the cover left short and the candidate posts opened.

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
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import pulp

from lsc_workforce.config import SolverSettings
from lsc_workforce.rota.checker import check
from lsc_workforce.rota.model import RotaModel, build_model
from lsc_workforce.rota.problem import RotaProblem
from lsc_workforce.rota.solution import (
    UNCOVERED_SCHEMA,
    RotaSolution,
    empty_roster,
    explain_uncovered,
    extract_components,
    extract_cover_short,
    extract_posts_opened,
    extract_roster,
    person_totals,
)
from lsc_workforce.rota.warm_start import C21_PREFIX, find_warm_start
from lsc_workforce.solve import MIN_SOLVER_S, SolveResult, SolveStatus, solve_problem

__all__ = [
    "LazyRows",
    "ModelSolution",
    "has_integral_objective",
    "solve",
    "solve_model",
]

LOGGER = logging.getLogger(__name__)


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


@dataclass(frozen=True)
class LazyRows:
    """A family of rows left out of the model and added only where a solution breaks them.

    :func:`solve_model` solves without them, asks :attr:`violated` which keys (e.g. people)
    the solution breaks, lets :attr:`add` add those keys' rows, and solves again, until no
    key is broken. The result is exact when the family meets two conditions: the rows of a
    key and any variables they bring are only that key's (so a model without some keys' rows
    is a relaxation of the full one), and any objective terms they add (priced slacks of soft
    rows) are non-negative and zero when the rows hold. Then every round's model is a
    relaxation of the full model, so its bound is a bound of the full model; and the last
    round's solution breaks no row of the family, so it extends (slacks zero, auxiliary
    variables at the values the rows define) to a solution of the full model with the same
    objective. Its status, objective, bound and gap therefore hold for the full model.

    Attributes:
        name: what the rows are, for the result's message (e.g. ``"C-O6 rows"``).
        violated: the keys whose rows the model's current solution breaks, among those
            without rows yet (empty: none).
        add: adds the rows of the given keys to the model, and their objective terms to
            ``model.components`` (the objective is then rebuilt from the components).
        keys: what the keys are, for the message (e.g. ``"people"``).
    """

    name: str
    violated: Callable[[RotaModel], Sequence[Hashable]]
    add: Callable[[RotaModel, Sequence[Hashable]], None]
    keys: str = "keys"


@dataclass(frozen=True)
class ModelSolution:
    """What :func:`solve_model` returns: the honest result and what was read from the model.

    Attributes:
        result: status, objective, bound, gap and timings (for a lexicographic solve, the
            stages combined).
        stages: each stage's result in a lexicographic solve (empty otherwise).
        roster: ``staff_id, date, shift`` (empty without a solution).
        components: ``{objective component: value}`` (empty without a solution).
        cover_short: the requirements left short
            (:func:`~lsc_workforce.rota.solution.extract_cover_short`; without a solution,
            every requirement).
        posts_opened: candidate posts whose ``post_used`` binary is on.
    """

    result: SolveResult
    stages: tuple[SolveResult, ...]
    roster: pl.DataFrame
    components: dict[str, float]
    cover_short: pl.DataFrame
    posts_opened: tuple[str, ...]


def solve_model(
    model: RotaModel,
    settings: SolverSettings,
    *,
    deadline: float | None = None,
    start: Mapping[pulp.LpVariable, float] | None = None,
    pass_s: float = 0.0,
    options: Mapping[str, Any] | None = None,
    integral_objective: bool = False,
    lp_path: Path | None = None,
    lazy_rows: LazyRows | None = None,
    lexicographic: Sequence[Sequence[str]] = (),
) -> ModelSolution:
    """Solve a built rota model within one time limit and read the solution from it.

    The objective is the sum of ``model.components``. The time limit is kept by the
    ``deadline``: every solve's limit is the time left, HiGHS's cut once the model has been
    passed to it (``lsc_workforce.solve.HiGHS``).

    Args:
        model: the built model (the engine's, possibly with rows and components added).
        settings: solver, time limit, gap and threads.
        deadline: ``time.monotonic()`` instant to return by (default: the time limit from
            now).
        start: a starting solution (``{variable: value}``) for the first solve.
        pass_s: seconds passing the model to the solver takes, when known (``solve`` passes
            the warm start's timed hand-over); reading the solution back takes about as long.
            The solve's time limit keeps that much for reading back. If ``start`` covers every
            column and the time left holds less than two passes (in and back) and
            :data:`MIN_SOLVER_S`, the solver is not called: ``start`` is the solution, with
            status ``FEASIBLE_TIME_LIMIT`` and no bound; without a complete ``start`` the
            status is then ``NOT_SOLVED`` (a solve that cannot start in time finds nothing).
        options: native solver options (``lsc_workforce.solve.make_solver``).
        integral_objective: the caller guarantees integral objective values
            (``solve_problem``'s argument; see :func:`has_integral_objective`).
        lp_path: if given, the model is written there as an ``.lp`` file for audit before
            each solve, so the file holds the last model handed to the solver; in a
            lexicographic solve, stage ``k > 1``'s model goes to ``<stem>.stage<k>.lp``.
        lazy_rows: a family of rows to add lazily (:class:`LazyRows`); if the time limit
            ends while a solution still breaks some, the status is ``NOT_SOLVED`` with no
            objective and the bound of the last relaxation.
        lexicographic: the component names of each later stage, in order of priority;
            stage 1 minimises every other component. After each stage that found a
            solution, its objective is held at most at its value (row
            ``lexicographic_stage<k>_level``) and, if it priced the cover shortfalls
            (component ``cover_under``), each shortfall at most at its value; the next stage
            starts from its assignments in the time left. The combined result has the last
            roster found, the objective over every component, no bound (a lexicographic
            bound is not a bound on the weighted sum), the larger stage gap, and status
            ``OPTIMAL`` only if every stage ran and was proven optimal. Groups naming no
            component of the model are dropped; with none left the solve is a single one.
            Not with ``lazy_rows`` (every row must be in the model, or a stage's level could
            be out of reach once rows are added).

    Returns:
        The :class:`ModelSolution`.

    Raises:
        ValueError: with both ``lazy_rows`` and lexicographic stages.
    """
    deadline = time.monotonic() + settings.time_limit_s if deadline is None else deadline
    call = _Call(model, settings, deadline, options, integral_objective, lp_path, pass_s)
    later = [
        tuple(n for n in group if n in model.components)
        for group in lexicographic
        if any(n in model.components for n in group)
    ]
    if later and lazy_rows is not None:
        raise ValueError("lazy rows cannot be combined with lexicographic stages")
    stages: tuple[SolveResult, ...] = ()
    if later:
        stages, result = _solve_lexicographic(model, later, call, start)
    elif lazy_rows is not None:
        result = _solve_lazy(model, lazy_rows, call, start)
    else:
        result = call(start)
    has_solution = result.status.has_solution
    return ModelSolution(
        result=result,
        stages=stages,
        roster=extract_roster(model) if has_solution else empty_roster(),
        components=extract_components(model) if has_solution else {},
        cover_short=extract_cover_short(model, has_solution),
        posts_opened=extract_posts_opened(model) if has_solution else (),
    )


@dataclass(frozen=True)
class _Call:
    """One solver call on ``model`` within the deadline (see :func:`solve_model`)."""

    model: RotaModel
    settings: SolverSettings
    deadline: float
    options: Mapping[str, Any] | None
    integral_objective: bool
    lp_path: Path | None
    pass_s: float

    def left(self) -> float:
        """Seconds left until the deadline."""
        return self.deadline - time.monotonic()

    def __call__(
        self, start: Mapping[pulp.LpVariable, float] | None = None, stage: int = 1
    ) -> SolveResult:
        prob = self.model.prob
        left = self.left()
        complete = start is not None and len(start) == prob.numVariables()
        if self.pass_s > 0 and left < 2 * self.pass_s + MIN_SOLVER_S:
            LOGGER.debug("%.1f s left, passing the model takes %.1f s: no solve", left, self.pass_s)
            return self._not_called(start if complete else None, left)
        if self.lp_path is not None:
            path = Path(self.lp_path)
            if stage > 1:
                path = path.with_suffix(f".stage{stage}.lp")
            path.parent.mkdir(parents=True, exist_ok=True)
            prob.writeLP(str(path))
        limit = max(MIN_SOLVER_S, self.left() - self.pass_s)
        return solve_problem(
            prob,
            dataclasses.replace(self.settings, time_limit_s=limit),
            build_s=self.model.build_s,
            options=self.options,
            integral_objective=self.integral_objective,
            start=start,
            deadline=self.deadline,
        )

    def _not_called(
        self, start: Mapping[pulp.LpVariable, float] | None, left: float
    ) -> SolveResult:
        """The result where no hand-over to the solver fits in the time left.

        ``start`` is the solution (feasible, no bound); without one there is no solution.
        """
        waiting = f"{left:.1f} s left, passing the model to the solver takes about "
        waiting += f"{self.pass_s:.1f} s each way"
        if start is None:
            status, objective = SolveStatus.NOT_SOLVED, None
            message = f"solver not called: {waiting}, and no starting solution was found in time"
        else:
            for var, value in start.items():
                var.varValue = value
            status = SolveStatus.FEASIBLE_TIME_LIMIT
            objective = float(pulp.value(self.model.prob.objective) or 0.0)
            message = f"final solve skipped: {waiting}; the warm start's solution is returned"
        return SolveResult(
            status=status,
            objective=objective,
            bound=None,
            gap=None,
            build_s=self.model.build_s,
            solve_s=0.0,
            solver=self.settings.solver,
            solver_status="not called",
            message=message,
        )


def _solve_lazy(
    model: RotaModel,
    lazy: LazyRows,
    call: _Call,
    start: Mapping[pulp.LpVariable, float] | None,
) -> SolveResult:
    """Solve, add the rows the solution breaks, repeat until it breaks none (see LazyRows).

    Returns:
        The last solve's result, its ``solve_s`` the total over the rounds; if the time limit
        ends while the solution breaks some rows, ``NOT_SOLVED`` with no objective and the
        bound of the last relaxation.
    """
    began = time.perf_counter()
    rounds = 0
    while True:
        result = call(start)
        start = None  # later rounds: the model has changed
        rounds += 1
        violated = lazy.violated(model) if result.status.has_solution else []
        if not violated:
            break
        if call.left() <= 0:
            result = dataclasses.replace(
                result,
                status=SolveStatus.NOT_SOLVED,
                objective=None,
                gap=None,
                message=f"time limit with {len(violated)} {lazy.keys} breaking the {lazy.name}",
            )
            break
        lazy.add(model, violated)
        model.prob.setObjective(pulp.lpSum(model.components.values()))
    note = f"{lazy.name} added lazily in {rounds} round(s)"
    message = f"{result.message}; {note}" if result.message else note
    return dataclasses.replace(result, solve_s=time.perf_counter() - began, message=message)


def _solve_lexicographic(
    model: RotaModel,
    later: list[tuple[str, ...]],
    call: _Call,
    start: Mapping[pulp.LpVariable, float] | None,
) -> tuple[tuple[SolveResult, ...], SolveResult]:
    """The stages of a lexicographic solve and their combined result (see solve_model)."""
    prob = model.prob
    staged = {n for group in later for n in group}
    groups = [tuple(n for n in model.components if n not in staged), *later]
    stages: list[SolveResult] = []
    for k, names in enumerate(groups):
        if k and call.left() < MIN_SOLVER_S:
            break
        objective = pulp.lpSum(model.components[n] for n in names)
        prob.setObjective(objective)
        saved = {v: v.varValue for v in prob.variables()} if k else {}
        result = call(start, stage=k + 1)
        stages.append(result)
        if not result.status.has_solution:
            for var, value in saved.items():  # the previous stage's solution
                var.varValue = value
            break
        if k == len(groups) - 1:
            break
        start = {v: v.varValue for v in model.assign.values() if v.varValue is not None}
        if "cover_under" in names:
            for var in model.cover_under.values():
                var.upBound = max(0.0, round(var.varValue or 0.0))
        level = float(pulp.value(objective) or 0.0)
        prob += pulp.LpConstraint(
            objective, pulp.LpConstraintLE, f"lexicographic_stage{k + 1}_level", level + 1e-6
        )
    prob.setObjective(pulp.lpSum(model.components.values()))
    first = stages[0]
    if not first.status.has_solution:
        return (first,), first
    found = [r for r in stages if r.status.has_solution]
    proven = len(stages) == len(groups) and all(r.status is SolveStatus.OPTIMAL for r in stages)
    gaps = [r.gap for r in stages if r.gap is not None]
    combined = dataclasses.replace(
        found[-1],
        status=SolveStatus.OPTIMAL if proven else SolveStatus.FEASIBLE_TIME_LIMIT,
        objective=float(pulp.value(prob.objective) or 0.0),
        bound=None,
        gap=0.0 if proven else (max(gaps) if gaps else None),
        build_s=model.build_s,
        solve_s=sum(r.solve_s for r in stages),
        message="lexicographic: "
        + "; ".join(f"stage {k + 1} {r.status.value} gap={r.gap}" for k, r in enumerate(stages)),
    )
    return tuple(stages), combined


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

    The time limit counts from the end of the build: the warm start and the final solve
    (hand-overs of the model to the solver and back included) end within it, up to the
    solver's own overrun (see :func:`solve_model`).

    Args:
        problem: the rota problem.
        settings: solver, time limit, relative gap, threads and the warm start's search seed.
        lp_path: if given, the model is written there as an ``.lp`` file for audit.
        check_roster: run the independent checker and the uncovered-cover explanation
            (turn off only for large benchmarks, where the caller re-scores the roster).
        options: extra native solver options (see ``lsc_workforce.solve.make_solver``).
        warm_start: find a starting solution first
            (:func:`~lsc_workforce.rota.warm_start.find_warm_start`, shares of the time
            limit named in :class:`~lsc_workforce.rota.warm_start.WarmStartBudget`): plan
            the weekends (:func:`~lsc_workforce.rota.weekend_plan.plan_weekends`, up to
            ``plan``), then build a feasible roster person by person guided by the plan
            (:func:`~lsc_workforce.rota.heuristic.construct_roster`, until ``construction``
            in all, on the model without C21, or up to ``grace`` more to finish where even
            its feasibility problems are slower than that, and then no search and no C21, as
            when the time left after completing the roster holds fewer than ``handovers``
            hand-overs of the model; if it fell behind pace, until ``reoptimise_until``
            re-solving people against the others' cover,
            :func:`~lsc_workforce.rota.heuristic.reoptimise_people`, those placed behind pace
            first), then improve it by a large-neighbourhood search on the whole model in
            HiGHS (:func:`~lsc_workforce.rota.heuristic.improve_start`) and hand the result
            to the final solve (any solver) as a complete start; the final solve gets the
            rest of the time limit and reports the status and bound, unless the time left
            cannot hold two hand-overs of the model as the warm start timed one (arrays made,
            a solve with the assignments fixed, read back): then the search's solution is
            returned, status ``FEASIBLE_TIME_LIMIT``. Where the search runs
            depends on the LP relaxation (simplex given ``lp_share`` of the search's time):

            * simplex does not solve the LP without C21: the search runs on the model
              without C21 until ``search_until + search_extra`` of the limit (the final
              solve would seldom finish its root LP), and the final solve gets that model.
              If interior point does not solve it either, the search first re-solves people
              in turn until ``reoptimise_until`` or a pass gains under
              ``reoptimise_min_gain`` of the first's;
            * it does: C21 is added (its build time counts in ``result.build_s``) and the
              search tries the LP with C21. Solved by simplex: the search runs with C21 until
              ``search_until`` and the final solve gets the rest to prove or tighten the bound
              from C21's stronger root. Not solved: the search frees C21's rows in its copy
              and runs to ``search_until + search_extra`` (its sub-MIPs are faster without
              them), and the final solve gets the model with C21 and the roster completed
              for it.

            Helps on large instances; the warm start's time is part of ``result.solve_s``.

    Returns:
        The :class:`RotaSolution`. When the solver returns no solution (infeasible hard
        rules, error, or no incumbent at the time limit) the roster is empty and the status
        says why.
    """
    model = build_model(problem, extended=not warm_start)
    deadline = time.monotonic() + settings.time_limit_s
    found = find_warm_start(model, settings, deadline=deadline) if warm_start else None
    integral = has_integral_objective(model)
    # the least a final solve of this model takes: one hand-over as the warm start timed it
    # (arrays made, a solve with the assignments fixed, read back); HiGHS with the
    # assignments free takes longer, and runs past its own time limit on the largest models
    pass_s = 0.0 if found is None else max(found.pass_s, found.handover_s)
    solved = solve_model(
        model,
        settings,
        deadline=deadline,
        start=None if found is None else found.start,
        pass_s=pass_s,
        options=options,
        integral_objective=integral,
        lp_path=lp_path,
    )
    result = solved.result
    if found is not None:
        result = dataclasses.replace(result, solve_s=result.solve_s + found.spent_s)
        if found.lp_bound is not None:  # the final solve may stop before its root LP
            bound = math.ceil(found.lp_bound) if integral else found.lp_bound
            result = result.with_lower_bound(bound, "the LP relaxation (warm start)")
    c21_rows = sum(name.startswith(C21_PREFIX) for name in model.prob.constraints)
    size = {
        "variables": model.prob.numVariables(),
        "constraints": model.prob.numConstraints(),
        "c21_rows": c21_rows,
        "c21_freed_rows": c21_rows if found is not None and found.c21_freed else 0,
    }
    roster = solved.roster
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
        components=solved.components,
        posts_used=posts,
        breaches=breaches,
        uncovered=uncovered,
        model_size=size,
    )
