r"""The OOH rota integer programme: the rota engine's model plus the OOH constraint families.

The engine (``lsc_workforce.rota.model.build_model``) supplies C1-C21 (one shift a day, soft
cover, rest, leave, windows, nights, weekends, eligibility, candidate posts ...). The OOH
analysis adds, with the name prefixes used for the PuLP rows:

* **C-O1** ``oncall_frequency``: :math:`\sum_d w_{id} \le \lfloor h / N \rfloor` for every person
  (and candidate post) when the preset has ``oncall_one_in = N``: a person's 1-in-N is at least
  :math:`N`. Soft (slack priced at the rule's ``soft_penalty`` per day) if the analyst says so.
* **C-O2** ``shift_calendar``: :math:`x_{idt} = 0` when shift :math:`t` does not run on date
  :math:`d` (weeknight patterns on weekends and bank holidays, and the reverse). Imposed as
  variable bounds, so it adds no rows.
* **C-O3** ``load_balance`` (soft): :math:`c_i - \delta^+_i \le \lceil\tau_i\rceil` and
  :math:`c_i + \delta^-_i \ge \lfloor\tau_i\rfloor` where :math:`c_i = \sum_{d,t} x_{idt}` and
  :math:`\tau_i = \frac{wte_i}{\sum_j wte_j} \sum_r s_r` is the WTE share of all wanted shifts (a
  constant); deviations are charged only outside the integer band
  :math:`[\lfloor\tau_i\rfloor, \lceil\tau_i\rceil]`, priced at ``OohWeights.load_balance`` per
  day. A whole number of shifts can never hit a fractional share, so charging the distance to
  :math:`\tau_i` itself made the optimum positive while the LP bound stayed 0 (a 100 % gap
  that branching hardly moves); with the band a rota balanced to whole shifts scores 0, which
  matches the bound and is proven optimal at once (the LP bound is still 0). Each row holds
  one person's variables only (the engine's C19 rows each hold every person's variables, which
  is too dense for 52-week network rotas).
* **C-O4** ``candidate_order``: :math:`y_{c,k} \ge y_{c,k+1}` for the interchangeable candidate
  posts of a class (symmetry breaking for the extra-headcount programme).
* **C-O5** ``full_cover``: :math:`u_r = 0` (cover made hard, as a bound) in the extra-headcount
  programme, whose objective is then the number of candidate posts used.
* **C-O6** ``average_hours``: the ``average_week_hours`` rule over every window of :math:`W`
  days, written with running totals :math:`S_{i,0} = 0`, :math:`S_{i,d+1} = S_{i,d} +
  \sum_t \ell_t x_{idt}` and :math:`S_{i,d+W} - S_{i,d} \le M`, so each row is short (the
  engine's C8 rows hold every variable of a 119- or 182-day window).
  :func:`solve_instance` adds these rows **lazily** through the engine's lazy-rows loop
  (:class:`~lsc_workforce.rota.engine.LazyRows`): it solves without them, adds the rows of
  every person whose roster breaks the limit, and solves again until nobody does. A person's
  rows and running totals are that person's alone and their slacks are priced at zero when
  the rows hold, so the last model is a relaxation of the full one whose solution satisfies
  every C-O6 row: its status, objective and bound hold for the full model. The rows rarely
  bind, and on long horizons they (running totals over every 119-day window) slow the root LP
  considerably.

The model is solved, and its roster, uncovered shifts and posts read, by the engine's one
solve path (:func:`~lsc_workforce.rota.engine.solve_model`), which also writes the ``.lp``
file when asked. ``solve_instance(..., lexicographic=True)`` solves cover first and load
balance second (cover fixed), with the engine's lexicographic stages, reporting each stage's
status and gap (see :func:`solve_instance`).
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pulp

from lsc_workforce.config import SolverSettings
from lsc_workforce.ooh.build import OohInstance, OohWeights
from lsc_workforce.ooh.inputs import Rule
from lsc_workforce.rota.engine import LazyRows, solve_model
from lsc_workforce.rota.model import RotaModel, build_model
from lsc_workforce.solve import SolveResult

__all__ = [
    "OOH_CONSTRAINT_TAGS",
    "OohSolution",
    "add_candidate_order",
    "add_full_cover",
    "add_load_balance",
    "add_oncall_frequency",
    "add_shift_calendar",
    "build_ooh_model",
    "people_over_average_hours",
    "solve_instance",
]

#: OOH constraint tags and their row-name prefixes (the engine's are C1-C21).
OOH_CONSTRAINT_TAGS: dict[str, str] = {
    "C-O1": "oncall_frequency",
    "C-O2": "shift_calendar",
    "C-O3": "load_balance",
    "C-O4": "candidate_order",
    "C-O5": "full_cover",
    "C-O6": "average_hours",
}

ROSTER_SCHEMA = {
    "staff_id": pl.String,
    "date": pl.Date,
    "shift": pl.String,
    "pattern": pl.String,
    "site": pl.String,
    "rota": pl.String,
    "candidate": pl.Boolean,
}

UNCOVERED_SCHEMA = {
    "date": pl.Date,
    "shift": pl.String,
    "pattern": pl.String,
    "site": pl.String,
    "rota": pl.String,
    "missing": pl.Int64,
}


@dataclass(frozen=True)
class OohSolution:
    """The solved rota of one :class:`OohInstance`.

    Attributes:
        instance: what was solved.
        result: honest solver status, objective, bound, gap and timings.
        roster: ``staff_id, date, shift, pattern, site, rota, candidate``: one row per shift.
        uncovered: ``date, shift, pattern, site, rota, missing``: shifts short of cover.
        posts_used: candidate post ids the model brought in (extra-headcount runs).
        components: objective components by name (penalty units).
        n_variables: columns of the integer programme.
        n_constraints: rows of the integer programme.
        mode: ``"rota"`` (best rota with today's staff) or ``"headcount"`` (minimum posts).
        stages: with a lexicographic solve, the result of each stage (stage 1: cover, stage 2:
            load balance with the cover fixed); ``result`` then combines them.
    """

    instance: OohInstance
    result: SolveResult
    roster: pl.DataFrame
    uncovered: pl.DataFrame
    posts_used: tuple[str, ...]
    components: dict[str, float]
    n_variables: int
    n_constraints: int
    mode: str
    stages: tuple[SolveResult, ...] = ()


def _add_at_most(
    model: RotaModel,
    row: str,
    expr: pulp.LpAffineExpression,
    limit: float,
    *,
    rule: Rule,
    terms: list[tuple[pulp.LpVariable, float]],
) -> None:
    """Add ``expr <= limit`` named ``row``; if ``rule`` has a ``soft_penalty``, with a priced slack.

    The slack and its penalty are appended to ``terms`` (the rule's objective component).
    """
    if rule.soft_penalty is not None:
        slack = pulp.LpVariable(f"slack_{row}", lowBound=0)
        terms.append((slack, rule.soft_penalty))
        expr = expr - slack
    model.prob += pulp.LpConstraint(expr, pulp.LpConstraintLE, row, limit)


def add_oncall_frequency(model: RotaModel, instance: OohInstance) -> None:
    r"""C-O1 oncall_frequency: :math:`\sum_d w_{id} \le \lfloor h/N \rfloor` (1-in-N at least N).

    With a ``soft_penalty`` on the preset's ``oncall_one_in`` rule the row gets a slack priced
    per day above the limit (objective component ``soft_oncall_frequency``).
    """
    limit = instance.max_days
    if limit is None:
        return
    rule = instance.preset.rules["oncall_one_in"]
    n_days = instance.problem.n_days
    terms = []
    for i in range(len(instance.problem.people)):
        expr = pulp.lpSum(model.works(i, d) for d in range(n_days))
        if len(expr) <= limit:
            continue
        _add_at_most(
            model, f"oncall_frequency__{model.person_names[i]}", expr, limit, rule=rule, terms=terms
        )
    if terms:
        model.components["soft_oncall_frequency"] = pulp.LpAffineExpression(terms)


def add_shift_calendar(model: RotaModel, instance: OohInstance) -> None:
    r"""C-O2 shift_calendar: :math:`x_{idt} = 0` when shift ``t`` does not run on date ``d``.

    Imposed as the variable's upper bound (the solver's presolve removes the column).
    """
    problem = instance.problem
    for (_, d, t), var in model.assign.items():
        shift_id = problem.shift_types[t].id
        if problem.dates[d] not in instance.offered[shift_id]:
            var.upBound = 0


def add_load_balance(model: RotaModel, instance: OohInstance, weight: float) -> None:
    r"""C-O3 load_balance (soft): shifts outside the band floor..ceil of the WTE share.

    Rows ``load_balance__<id>``: :math:`c_i - \delta^+_i \le \lceil\tau_i\rceil` and
    ``load_balance_floor__<id>``: :math:`c_i + \delta^-_i \ge \lfloor\tau_i\rfloor`, where
    :math:`c_i` counts person ``i``'s shifts and :math:`\tau_i` is their WTE share of all
    wanted shifts (a constant). Candidate posts are excluded. Component ``load_balance`` is
    ``weight`` times the total deviation outside the band.
    """
    if weight <= 0:
        return
    problem = instance.problem
    regular = [i for i, p in enumerate(problem.people) if not p.optional]
    reachable = [
        i
        for i in regular
        if any(model.by_person_shift.get((i, t)) for t in range(len(problem.shift_types)))
    ]
    total_wte = sum(problem.people[i].wte for i in reachable)
    if not reachable or total_wte <= 0:
        return
    wanted = instance.required_shifts
    terms = []
    for i in reachable:
        count = pulp.lpSum(
            v
            for t in range(len(problem.shift_types))
            for v in model.by_person_shift.get((i, t), [])
        )
        target = problem.people[i].wte / total_wte * wanted
        low, high = math.floor(target + 1e-9), math.ceil(target - 1e-9)
        name = model.person_names[i]
        plus = pulp.LpVariable(f"load_over_{name}", lowBound=0)
        minus = pulp.LpVariable(f"load_under_{name}", lowBound=0)
        model.prob += pulp.LpConstraint(
            count - plus, pulp.LpConstraintLE, f"load_balance__{name}", high
        )
        model.prob += pulp.LpConstraint(
            count + minus, pulp.LpConstraintGE, f"load_balance_floor__{name}", low
        )
        terms += [(plus, weight), (minus, weight)]
    model.components["load_balance"] = pulp.LpAffineExpression(terms)


def add_candidate_order(model: RotaModel, instance: OohInstance) -> None:
    r"""C-O4 candidate_order: :math:`y_{c,k} \ge y_{c,k+1}` within each candidate class.

    Candidate posts of one class are interchangeable, so only the first :math:`k` of them are
    ever used; this removes the symmetric copies of every solution.
    """
    by_class: dict[str, list[int]] = defaultdict(list)
    people = instance.people
    classes = dict(
        zip(people.get_column("staff_id"), people.get_column("candidate_class"), strict=True)
    )
    for i, person in enumerate(instance.problem.people):
        if person.optional:
            by_class[classes[person.id]].append(i)
    for cls, members in by_class.items():
        for a, b in zip(members, members[1:], strict=False):
            model.prob += pulp.LpConstraint(
                model.post_used[b] - model.post_used[a],
                pulp.LpConstraintLE,
                f"candidate_order__{cls}_{model.person_names[b]}",
                0,
            )


def add_average_hours(
    model: RotaModel, instance: OohInstance, people: Iterable[int] | None = None
) -> None:
    r"""C-O6 average_hours: rota minutes in every window of ``W`` days at most ``M``.

    Running totals :math:`S_{i,d+1} = S_{i,d} + \sum_t \ell_t x_{idt}` (``S_{i,0} = 0``) and
    :math:`S_{i,d+W} - S_{i,d} \le M` for :math:`d = 0..h-W`. Candidate posts included. With a
    ``soft_penalty`` each window row gets a slack priced per minute (``soft_average_hours``).
    ``people`` (person indices) limits the rows to those people (lazy rows, see
    :func:`solve_instance`); a person whose rows exist already is skipped.
    """
    if instance.average is None:
        return
    days, limit = instance.average
    problem = instance.problem
    h = problem.n_days
    rule = instance.preset.rules["average_week_hours"]
    longest = max(problem.shift_minutes.values())  # real minutes (13 h for an October night)
    terms = []
    for i in range(len(problem.people)) if people is None else sorted(people):
        if instance.max_days is not None and instance.max_days * longest <= limit:
            continue  # C-O1 already keeps every window under the limit
        if not any(model.by_person_day.get((i, d)) for d in range(h)):
            continue
        name = model.person_names[i]
        if f"average_hours__run_{name}_1" in model.prob.constraints:
            continue
        total = [pulp.LpAffineExpression()]
        for d in range(h):
            running = pulp.LpVariable(f"hours_run_{name}_{d + 1}", lowBound=0)
            model.prob += pulp.LpConstraint(
                running - total[-1] - model.minutes(i, range(d, d + 1)),
                pulp.LpConstraintEQ,
                f"average_hours__run_{name}_{d + 1}",
                0,
            )
            total.append(pulp.LpAffineExpression([(running, 1)]))
        for d in range(h - days + 1):
            expr = total[d + days] - total[d]
            _add_at_most(model, f"average_hours__{name}_{d}", expr, limit, rule=rule, terms=terms)
    if terms:
        previous = model.components.get("soft_average_hours", pulp.LpAffineExpression())
        model.components["soft_average_hours"] = previous + pulp.LpAffineExpression(terms)


def people_over_average_hours(model: RotaModel, instance: OohInstance) -> list[int]:
    """People whose current solution works more than ``M`` minutes in some ``W``-day window.

    Reads the assignment values left by the last solve (real shift minutes, as C-O6) and
    returns the indices of people without C-O6 rows who break the limit.
    """
    if instance.average is None:
        return []
    days, limit = instance.average
    problem = instance.problem
    shift_minutes = problem.shift_minutes
    minutes = np.zeros((len(problem.people), problem.n_days + 1))
    for (i, d, t), var in model.assign.items():
        if (var.varValue or 0.0) > 0.5:
            minutes[i, d + 1] += shift_minutes[d, problem.shift_types[t].id]
    running = minutes.cumsum(axis=1)
    window = running[:, days:] - running[:, : problem.n_days + 1 - days]
    over = np.flatnonzero((window > limit + 1e-6).any(axis=1)) if window.size else []
    return [
        int(i)
        for i in over
        if f"average_hours__run_{model.person_names[i]}_1" not in model.prob.constraints
    ]


def add_full_cover(model: RotaModel) -> None:
    r"""C-O5 full_cover: :math:`u_r = 0` for every cover requirement (bound, no rows)."""
    for var in model.cover_under.values():
        var.upBound = 0


def build_ooh_model(
    instance: OohInstance,
    weights: OohWeights | None = None,
    mode: str = "rota",
    *,
    lazy_average_hours: bool = False,
) -> RotaModel:
    """Build the engine model for ``instance`` and add the OOH constraint families.

    Args:
        instance: the rota.
        weights: objective weights (``load_balance`` applies in ``rota`` mode only).
        mode: ``"rota"``: best rota with today's staff; ``"headcount"``: full cover, fewest
            candidate posts (C-O4, C-O5, no load balance).
        lazy_average_hours: leave out the C-O6 rows (the caller adds them for the people who
            need them, see :func:`solve_instance`).

    Returns:
        The model with ``prob.objective`` set to the sum of its components.
    """
    if mode not in ("rota", "headcount"):
        raise ValueError(f"mode must be 'rota' or 'headcount', not {mode!r}")
    weights = weights or OohWeights()
    start = time.perf_counter()
    model = build_model(instance.problem)
    add_oncall_frequency(model, instance)
    add_shift_calendar(model, instance)
    if not lazy_average_hours:
        add_average_hours(model, instance)
    if mode == "rota":
        add_load_balance(model, instance, weights.load_balance)
    else:
        add_candidate_order(model, instance)
        add_full_cover(model)
    model.prob.setObjective(pulp.lpSum(model.components.values()))
    model.build_s += time.perf_counter() - start
    return model


def _roster(roster: pl.DataFrame, instance: OohInstance) -> pl.DataFrame:
    """The engine's roster (``staff_id, date, shift``) with each shift's slot and the rota."""
    slots = instance.slots
    optional = {p.id for p in instance.problem.people if p.optional}
    shift = pl.col("shift")
    return (
        roster.select(
            "staff_id",
            "date",
            shift,
            shift.replace_strict({k: v.pattern.id for k, v in slots.items()}).alias("pattern"),
            shift.replace_strict({k: v.site for k, v in slots.items()}).alias("site"),
            pl.lit(instance.rota).alias("rota"),
            pl.col("staff_id").is_in(list(optional)).alias("candidate"),
        )
        .cast(ROSTER_SCHEMA)
        .sort("date", "shift", "staff_id")
    )


def _uncovered(cover_short: pl.DataFrame, instance: OohInstance) -> pl.DataFrame:
    """The engine's cover left short as wanted shifts of the rota's slots."""
    slots = instance.slots
    shift = pl.col("shift")
    return cover_short.select(
        "date",
        shift,
        shift.replace_strict({k: v.pattern.id for k, v in slots.items()}).alias("pattern"),
        shift.replace_strict({k: v.site for k, v in slots.items()}).alias("site"),
        pl.lit(instance.rota).alias("rota"),
        pl.col("short").alias("missing"),
    ).cast(UNCOVERED_SCHEMA)


def solve_instance(
    instance: OohInstance,
    settings: SolverSettings,
    weights: OohWeights | None = None,
    mode: str = "rota",
    solver_options: Mapping[str, Any] | None = None,
    *,
    lexicographic: bool = False,
    lp_path: Path | None = None,
) -> OohSolution:
    """Build and solve one rota; read the roster, the uncovered shifts and the posts used.

    The model is solved by the engine (:func:`~lsc_workforce.rota.engine.solve_model`). The
    C-O6 average-hours rows are added lazily (see the module docstring), except in a
    lexicographic solve, whose model has them all from the start.

    Args:
        instance: the rota.
        settings: solver settings (time limit, gap, threads); the time limit covers every
            solve (the lazy rounds, or both stages).
        weights: objective weights.
        mode: ``"rota"`` or ``"headcount"`` (see :func:`build_ooh_model`).
        solver_options: native solver options (e.g. HiGHS ``mip_heuristic_effort``).
        lexicographic: ``rota`` mode only: solve in two stages within ``settings.time_limit_s``
            in all. Stage 1 minimises every component except ``load_balance`` (cover first);
            if it has a solution, stage 2 fixes each cover shortfall at most at its stage-1
            value, keeps the other components at most at their stage-1 total, and minimises
            ``load_balance`` from the stage-1 roster (warm start) in the time left. Each
            stage's status and gap are kept in ``stages``; ``result`` combines them (status
            optimal only if every stage was proven optimal, no bound, gap the larger one).
        lp_path: if given, the model is written there as an ``.lp`` file for audit (the
            last model handed to the solver; see ``solve_model``).

    Returns:
        The :class:`OohSolution`; with no solution (infeasible, not solved) the roster is empty
        and every wanted shift is listed as uncovered.
    """
    lexicographic = lexicographic and mode == "rota"
    model = build_ooh_model(instance, weights, mode, lazy_average_hours=not lexicographic)
    lazy = LazyRows(
        name="C-O6 rows",
        violated=lambda m: people_over_average_hours(m, instance),
        add=lambda m, people: add_average_hours(m, instance, people),
        keys="people",
    )
    solved = solve_model(
        model,
        settings,
        options=solver_options,
        lp_path=lp_path,
        lazy_rows=None if lexicographic else lazy,
        lexicographic=(("load_balance",),) if lexicographic else (),
    )
    return OohSolution(
        instance=instance,
        result=solved.result,
        roster=_roster(solved.roster, instance),
        uncovered=_uncovered(solved.cover_short, instance),
        posts_used=solved.posts_opened,
        components=solved.components,
        n_variables=model.prob.numVariables(),
        n_constraints=model.prob.numConstraints(),
        mode=mode,
        stages=solved.stages,
    )
