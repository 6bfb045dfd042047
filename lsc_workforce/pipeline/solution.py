"""Solve the training-pipeline model and turn the result into tidy tables and explanations.

:func:`solve_pipeline` runs the lexicographic objective stated in
:mod:`lsc_workforce.pipeline.model` (shortfall first, then cost) through the shared
:func:`lsc_workforce.solve.solve_problem`, and returns a :class:`PipelinePlan`. When the plan
is infeasible (fixed intakes or trainees already in training break a capacity, funded-post, pool
or budget limit) it re-solves with elastic slack on those limits and names the ones that break.
:func:`diagnose_limits` solves the LP relaxation for shadow prices and :func:`explain_gap` says,
for each trust and staff group with a remaining gap, what stops it closing: training capacity,
funded posts, source pool, budget or training length.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path

import polars as pl
import pulp

from lsc_workforce.config import SolverSettings
from lsc_workforce.pipeline.inputs import PipelineInputs
from lsc_workforce.pipeline.model import (
    PipelineModel,
    PipelineSettings,
    build_model,
    discount,
)
from lsc_workforce.solve import SolveResult, SolveStatus, solve_problem

#: Plain-English names of the reasons a gap stays open.
LIMIT_LABELS = {
    "placement_capacity": "training capacity (supervisors and placements)",
    "funded_posts": "funded training posts or university places",
    "source_pool": "size of the pool of staff who can train",
    "budget": "training budget",
    "fixed_intakes": "intakes fixed by the scenario",
    "training_length": "training length (no new intake can qualify in time)",
}

_TOL = 1e-6

#: HiGHS options of the shortfall stage. With a budget cap, the LP relaxation lies 0.07-0.17 %
#: below the integer optimum on the reference data (a budget cannot be spent on fractions of
#: trainees; without a cap the two nearly meet), about the default relative gap of 0.1 %. So
#: the proof needs a plan within a few hundredths of a per cent of the optimum, and what
#: decides the time is how soon one is found: given one as a start, HiGHS proves it in about
#: 0.05 s, while it finds one only with its sub-MIP heuristics after its root cut loop (1-3 s
#: on one thread). Hence more effort on primal heuristics than HiGHS's default 0.05 (a budget
#: scenario stuck at 0.102 % for 60 s is proven in 4-5 s at 0.3).
STAGE_ONE_HIGHS_OPTIONS = {"mip_heuristic_effort": 0.3}

#: Columns of :attr:`PipelinePlan.intakes`.
INTAKE_SCHEMA = {
    "programme": pl.String,
    "trust_code": pl.String,
    "financial_year": pl.Int64,
    "produced_group": pl.String,
    "intake": pl.Float64,
    "trainees_in_training": pl.Float64,
    "cost_gbp": pl.Float64,
    "intake_whole_cost_gbp": pl.Float64,
}
#: Columns of :attr:`PipelinePlan.supply`.
SUPPLY_SCHEMA = {
    "trust_code": pl.String,
    "staff_group": pl.String,
    "financial_year": pl.Int64,
    "required_wte": pl.Float64,
    "supply_wte": pl.Float64,
    "absorbed_wte": pl.Float64,
    "lent_wte": pl.Float64,
    "shortfall_wte": pl.Float64,
}


@dataclass(frozen=True)
class PipelinePlan:
    """The outcome of one scenario solve.

    Attributes:
        status: honest status of the plan (of stage 2 when it ran, else stage 1).
        shortfall_result: solver result of stage 1 (minimise weighted shortfall).
        cost_result: solver result of stage 2 (minimise cost), ``None`` if not run.
        intakes: programme, trust_code, financial_year, produced_group, intake,
            trainees_in_training, cost_gbp (that year's trainees in training, intakes of
            earlier years and trainees already in training included, times the cost per
            trainee-year), intake_whole_cost_gbp (that year's intake times the cost of the whole
            programme, some of it falling after the horizon); GBP at the constant prices of
            ``training_programmes.csv``, undiscounted.
        supply: trust_code, staff_group, financial_year, required_wte, supply_wte,
            absorbed_wte (substitution received), lent_wte (substitution given), shortfall_wte.
        weighted_shortfall: stage-1 objective (discounted, weighted WTE-years).
        discounted_cost_gbp: discounted training cost of the plan.
        breaches: for an infeasible plan, the limits that must give way (constraint, family,
            programme, trust_code, financial_year, excess); otherwise empty.
    """

    status: SolveStatus
    shortfall_result: SolveResult
    cost_result: SolveResult | None
    intakes: pl.DataFrame
    supply: pl.DataFrame
    weighted_shortfall: float | None
    discounted_cost_gbp: float | None
    breaches: pl.DataFrame

    @property
    def total_cost_gbp(self) -> float:
        """Undiscounted cost of all trainee-years in the horizon (GBP)."""
        return float(self.intakes["cost_gbp"].sum()) if self.intakes.height else 0.0

    def shortfall_by_year(self) -> pl.DataFrame:
        """Total shortfall WTE per staff group and year (all trusts)."""
        return (
            self.supply.group_by("staff_group", "financial_year")
            .agg(pl.col("shortfall_wte").sum())
            .sort("staff_group", "financial_year")
        )


def _value(var: pulp.LpVariable | pulp.LpAffineExpression | float) -> float:
    value = pulp.value(var)
    return float(value) if value is not None else 0.0


def extract_tables(model: PipelineModel) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Read intakes and supply from a solved model into tidy frames.

    Intakes are rounded to whole people (integer variables are read by rounding, as binaries
    are read with ``> 0.5``); in relaxed (LP) mode they are kept as solved.

    Returns:
        ``(intakes, supply)`` as described in :class:`PipelinePlan`.
    """
    inputs = model.inputs
    report = set(model.report_years)
    rows = []
    for (p, t, y), x in model.intake.items():
        if y not in report:
            continue
        prog = inputs.programmes[p]
        value = _value(x)
        intake = value if model.settings.relax else float(round(value))
        in_training = _value(model.in_training[p, t, y])
        rows.append(
            {
                "programme": p,
                "trust_code": t,
                "financial_year": y,
                "produced_group": prog.produced_group,
                "intake": intake,
                "trainees_in_training": round(in_training, 6),
                "cost_gbp": round(in_training * prog.cost_per_trainee_year_gbp, 2),
                "intake_whole_cost_gbp": round(
                    intake * prog.cost_per_trainee_year_gbp * prog.duration_years, 2
                ),
            }
        )
    intakes = pl.DataFrame(
        rows,
        schema=INTAKE_SCHEMA,
    )
    absorbed: dict[tuple[str, str, int], float] = {}
    lent: dict[tuple[str, str, int], float] = {}
    for (t, a, b, y), z in model.substitution.items():
        absorbed[t, b, y] = absorbed.get((t, b, y), 0.0) + _value(z)
        lent[t, a, y] = lent.get((t, a, y), 0.0) + _value(z)
    supply = pl.DataFrame(
        [
            {
                "trust_code": t,
                "staff_group": g,
                "financial_year": y,
                "required_wte": inputs.required_wte[t, g, y],
                "supply_wte": _value(s),
                "absorbed_wte": absorbed.get((t, g, y), 0.0),
                "lent_wte": lent.get((t, g, y), 0.0),
                # Requirement less supply after substitution: the cost stage leaves the shortfall
                # variables anywhere up to their bounds, so they are not read.
                "shortfall_wte": max(
                    inputs.required_wte[t, g, y]
                    - _value(s)
                    - absorbed.get((t, g, y), 0.0)
                    + lent.get((t, g, y), 0.0),
                    0.0,
                ),
            }
            for (t, g, y), s in model.supply.items()
            if y in report
        ],
        schema=SUPPLY_SCHEMA,
    )
    return intakes, supply


def solve_pipeline(
    inputs: PipelineInputs,
    settings: PipelineSettings,
    solver: SolverSettings,
    lp_path: Path | None = None,
) -> PipelinePlan:
    """Solve one scenario lexicographically: least weighted shortfall, then least cost.

    Args:
        inputs: validated inputs.
        settings: scenario settings.
        solver: solver settings (time limit applies to each stage).
        lp_path: if given, the stage-1 model is written there (``.lp``) for audit.

    Returns:
        The plan. For an infeasible scenario ``status`` is ``INFEASIBLE`` and ``breaches`` names
        the limits that cannot all hold (from an elastic re-solve); the tables are then those of
        the elastic solution, with the limits exceeded.
    """
    start = time.perf_counter()
    model = build_model(inputs, settings)
    build_s = time.perf_counter() - start
    if lp_path is not None:
        Path(lp_path).parent.mkdir(parents=True, exist_ok=True)
        model.prob.writeLP(str(lp_path))
    options = STAGE_ONE_HIGHS_OPTIONS if solver.solver == "highs" else None
    first = solve_problem(model.prob, solver, build_s=build_s, options=options)
    if not first.status.has_solution:
        breaches, elastic = diagnose_infeasibility(inputs, settings, solver)
        intakes, supply = extract_tables(elastic) if elastic is not None else _empty_tables()
        return PipelinePlan(first.status, first, None, intakes, supply, None, None, breaches)
    stage_one = extract_tables(model)
    # Stage 2 holds every cell's shortfall at its stage-1 value (bounds, not a dense row).
    for u in model.shortfall.values():
        value = max(_value(u), 0.0)
        u.upBound = value * (1 + settings.cost_tolerance) + _TOL
    model.prob.setObjective(model.objective_terms["training_cost"])
    cost_solver = replace(solver, gap_rel=max(solver.gap_rel, settings.cost_gap_rel))
    # The stage-1 plan meets the bounds, so the cost stage starts from a feasible plan.
    start = None if settings.relax else {x: round(_value(x)) for x in model.intake.values()}
    second = solve_problem(model.prob, cost_solver, start=start)
    if second.status.has_solution:
        intakes, supply = extract_tables(model)
        status = (
            SolveStatus.OPTIMAL
            if first.status is SolveStatus.OPTIMAL and second.status is SolveStatus.OPTIMAL
            else SolveStatus.FEASIBLE_TIME_LIMIT
        )
    else:
        # Stage 2 found nothing in time: keep the stage-1 plan, which is feasible.
        intakes, supply = stage_one
        status = SolveStatus.FEASIBLE_TIME_LIMIT
    weighted = _weighted_shortfall(inputs, settings, supply)
    cost = _discounted_cost(inputs, settings, intakes)
    return PipelinePlan(status, first, second, intakes, supply, weighted, cost, _no_breaches())


def _weighted_shortfall(
    inputs: PipelineInputs, settings: PipelineSettings, supply: pl.DataFrame
) -> float:
    return float(
        sum(
            settings.shortfall_weights.get(g, 1.0) * discount(settings, inputs, y) * u
            for g, y, u in supply.select(
                "staff_group", "financial_year", "shortfall_wte"
            ).iter_rows()
        )
    )


def _discounted_cost(
    inputs: PipelineInputs, settings: PipelineSettings, intakes: pl.DataFrame
) -> float:
    return float(
        sum(
            discount(settings, inputs, y) * c
            for y, c in intakes.select("financial_year", "cost_gbp").iter_rows()
        )
    )


def _empty_tables() -> tuple[pl.DataFrame, pl.DataFrame]:
    intakes = pl.DataFrame(schema=INTAKE_SCHEMA)
    supply = pl.DataFrame(schema=SUPPLY_SCHEMA)
    return intakes, supply


_LIMIT_SCHEMA = {
    "constraint": pl.String,
    "family": pl.String,
    "programme": pl.String,
    "trust_code": pl.String,
    "financial_year": pl.Int64,
}


def _limit_row(
    name: str, limit: tuple[str, str, str, int | None], **values: float
) -> dict[str, object]:
    """One row of a limits table: the constraint and its (family, programme, trust, year)."""
    family, programme, trust, year = limit
    return {
        "constraint": name,
        "family": family,
        "programme": programme,
        "trust_code": trust,
        "financial_year": year,
        **values,
    }


def _no_breaches() -> pl.DataFrame:
    return pl.DataFrame(schema={**_LIMIT_SCHEMA, "excess": pl.Float64})


def diagnose_infeasibility(
    inputs: PipelineInputs, settings: PipelineSettings, solver: SolverSettings
) -> tuple[pl.DataFrame, PipelineModel | None]:
    """Find the limits (C4-C8) an infeasible scenario breaks, by an elastic re-solve.

    Every capacity, funded-post, pool, budget and fixed-intake constraint gets a non-negative
    slack penalised far above any shortfall, so the solver breaks as little as possible.

    Returns:
        ``(breaches, elastic_model)``: one row per broken limit with ``excess`` (how far the
        limit is exceeded, in its own unit: trainees, entrants, people or GBP), largest first;
        and the solved elastic model (``None`` if even it has no solution).
    """
    elastic = build_model(inputs, replace(settings, elastic=True))
    result = solve_problem(elastic.prob, solver)
    if not result.status.has_solution:
        return _no_breaches(), None
    rows = []
    for name, limit in elastic.limits.items():
        excess = sum(
            _value(elastic.slack[key])
            for key in (f"{name}__over", f"{name}__under")
            if key in elastic.slack
        )
        if excess > _TOL:
            rows.append(_limit_row(name, limit, excess=excess))
    frame = pl.DataFrame(rows, schema={**_LIMIT_SCHEMA, "excess": pl.Float64})
    return frame.sort("excess", descending=True), elastic


def diagnose_limits(
    inputs: PipelineInputs, settings: PipelineSettings, solver: SolverSettings
) -> pl.DataFrame:
    """Shadow prices of the limits C4-C8 in the LP relaxation of the shortfall stage.

    The shadow price is the change in weighted discounted shortfall (WTE-years, horizon and
    terminal years) per unit increase of the limit (one more trainee place, funded post or pool
    member, or one more pound of budget); negative means raising the limit closes part of the
    gap. Integer intakes are relaxed, so prices are indicative ("where meaningful"): they show
    which limits bind, not exact integer trade-offs. Limits of the terminal years are left out.

    Returns:
        constraint, family, programme, trust_code, financial_year, shadow_price, slack; only
        binding limits with a non-zero price, most valuable first. Empty if the relaxation has
        no solution.
    """
    model = build_model(inputs, replace(settings, relax=True, elastic=False))
    result = solve_problem(model.prob, solver)
    if not result.status.has_solution:
        return pl.DataFrame(
            schema={**_LIMIT_SCHEMA, "shadow_price": pl.Float64, "slack": pl.Float64}
        )
    rows = []
    for name, limit in model.limits.items():
        if limit[3] is not None and limit[3] not in model.report_years:
            continue  # a limit of the terminal years, not of the plan
        constraint = model.prob.constraints[name]
        price = constraint.pi or 0.0
        if abs(price) > 1e-9:
            rows.append(
                _limit_row(
                    name, limit, shadow_price=float(price), slack=float(constraint.slack or 0.0)
                )
            )
    frame = pl.DataFrame(
        rows, schema={**_LIMIT_SCHEMA, "shadow_price": pl.Float64, "slack": pl.Float64}
    )
    return frame.sort(pl.col("shadow_price").abs(), descending=True)


def explain_gap(inputs: PipelineInputs, plan: PipelinePlan, limits: pl.DataFrame) -> pl.DataFrame:
    """Say, per trust and staff group with a remaining gap, what stops it closing.

    Shortfall in years before any new intake could qualify (the earliest completion year of the
    shortest programme producing the group) is put down to **training length**. The rest is put
    down to the limit family with the largest total absolute shadow price among the limits on
    programmes producing that group at that trust, counting the system-wide budget for every
    group. When no limit has a price, the gap is also put down to training length (no intake
    inside the horizon can reach it in time, or a donor group lends its time to another).

    Args:
        inputs: the inputs the plan was solved from.
        plan: a solved plan.
        limits: output of :func:`diagnose_limits` for the same inputs and settings.

    Returns:
        trust_code, staff_group, shortfall_wte_years, training_length_wte_years, main_limit,
        main_limit_label, shadow_price_total; one row per trust x group with a gap, largest
        gap first.
    """
    producers = {(p.code, p.produced_group) for p in inputs.programmes.values()}
    rows = []
    gaps = (
        plan.supply.filter(pl.col("shortfall_wte") > 1e-6)
        .group_by("trust_code", "staff_group")
        .agg(pl.col("financial_year"), pl.col("shortfall_wte"))
    )
    for t, g, years, gap in gaps.iter_rows():
        earliest = inputs.earliest_completion_year(g)
        locked = sum(u for y, u in zip(years, gap, strict=True) if earliest is None or y < earliest)
        relevant = limits.filter(
            (pl.col("family") == "budget")
            | (
                (pl.col("trust_code") == t)
                & pl.col("programme").is_in([p for p, grp in producers if grp == g])
            )
        )
        by_family = (
            relevant.group_by("family")
            .agg(pl.col("shadow_price").abs().sum().alias("total"))
            .sort("total", descending=True)
        )
        total = float(sum(gap))
        if locked >= total - 1e-6:
            main, price = "training_length", 0.0
        elif by_family.height:
            main, price = by_family.row(0)
        else:
            main, price = "training_length", 0.0
        rows.append(
            {
                "trust_code": t,
                "staff_group": g,
                "shortfall_wte_years": total,
                "training_length_wte_years": float(locked),
                "main_limit": main,
                "main_limit_label": LIMIT_LABELS.get(main, main),
                "shadow_price_total": float(price),
            }
        )
    schema = {
        "trust_code": pl.String,
        "staff_group": pl.String,
        "shortfall_wte_years": pl.Float64,
        "training_length_wte_years": pl.Float64,
        "main_limit": pl.String,
        "main_limit_label": pl.String,
        "shadow_price_total": pl.Float64,
    }
    return pl.DataFrame(rows, schema=schema).sort("shortfall_wte_years", descending=True)
