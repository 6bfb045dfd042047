"""Training-pipeline scenarios: status quo, optimised, budget-capped and skill-mix-heavy plans.

``config/training/scenarios.yaml`` holds the planning settings (horizon, discounting, weights,
Monte Carlo size, suppression rule) and the scenarios. Every scenario is solved under every
demand scenario of the demand projection (``config/demand/scenarios.yaml``), and every plan is
evaluated against the same Monte Carlo draws (:mod:`lsc_workforce.demand.montecarlo`), giving
the probability that the gap is closed by the target year.

:func:`prepare_inputs` builds one :class:`~lsc_workforce.pipeline.inputs.PipelineInputs` per
demand scenario from the trust datasets; :func:`run_scenarios` solves and diagnoses the plans.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
import polars as pl

from lsc_workforce.config import ConfigError, SolverSettings, load_yaml
from lsc_workforce.data import SOURCE_STATUSES
from lsc_workforce.pipeline.inputs import (
    INTERNATIONAL_PREFIX,
    PipelineInputs,
    load_training_tables,
    supply_params_for,
    validate_training_tables,
)
from lsc_workforce.pipeline.model import PipelineSettings
from lsc_workforce.pipeline.solution import (
    PipelinePlan,
    diagnose_limits,
    explain_gap,
    solve_pipeline,
)
from lsc_workforce.privacy import SuppressionRule

IntakePolicy = Literal["status_quo", "optimise"]


@dataclass(frozen=True)
class PipelineScenario:
    """One training-pipeline scenario (an entry of ``scenarios`` in ``scenarios.yaml``).

    Attributes:
        name: scenario key, e.g. ``budget_capped``.
        description: one plain-English sentence.
        intake_policy: ``status_quo`` fixes every intake to today's; ``optimise`` chooses them.
        budget_gbp: training budget per year (GBP), or ``None``.
        budget_vs_status_quo: budget per year as a multiple of the status-quo plan's spend in
            that year (overrides ``budget_gbp``), or ``None``.
        skill_mix_shares: substitution shares by (donor, recipient), overriding ``skill_mix.csv``.
        fixed_intakes: agreed intakes by (programme, trust, year).
        source: provenance.
        status: ``confirmed``, ``secondary``, ``derived`` or ``unconfirmed``.
    """

    name: str
    description: str
    intake_policy: IntakePolicy = "optimise"
    budget_gbp: float | None = None
    budget_vs_status_quo: float | None = None
    skill_mix_shares: Mapping[tuple[str, str], float] = field(default_factory=dict)
    fixed_intakes: Mapping[tuple[str, str, int], int] = field(default_factory=dict)
    source: str = ""
    status: str = "derived"

    def __post_init__(self) -> None:
        if self.intake_policy not in ("status_quo", "optimise"):
            raise ConfigError(f"scenario {self.name}: unknown intake_policy {self.intake_policy!r}")
        if self.status not in SOURCE_STATUSES:
            raise ConfigError(f"scenario {self.name}: status must be one of {SOURCE_STATUSES}")
        for value in (self.budget_gbp, self.budget_vs_status_quo):
            if value is not None and value < 0:
                raise ConfigError(f"scenario {self.name}: budgets must be non-negative")


@dataclass(frozen=True)
class PipelineConfig:
    """Planning settings and scenarios of ``config/training/scenarios.yaml``.

    Attributes:
        horizon_years: financial years planned.
        discount_rate: annual discount rate.
        cost_tolerance: relative slack on each cell's least shortfall while minimising cost.
        shortfall_weights: weight per staff group.
        demand_scenarios: demand scenario names each plan is solved under.
        target_year_offset: the "gap closed by" year is ``first + offset - 1``.
        gap_tolerance_share: total shortfall at most this share of requirement counts as closed.
        monte_carlo_draws: number of futures for robustness.
        monte_carlo_seed: their seed.
        suppression: small-number rule for published counts.
        scenarios: scenarios by name.
    """

    horizon_years: int
    discount_rate: float
    cost_tolerance: float
    shortfall_weights: Mapping[str, float]
    demand_scenarios: tuple[str, ...]
    target_year_offset: int
    gap_tolerance_share: float
    monte_carlo_draws: int
    monte_carlo_seed: int
    suppression: SuppressionRule
    scenarios: Mapping[str, PipelineScenario]

    def __post_init__(self) -> None:
        if not 1 <= self.horizon_years <= 30:
            raise ConfigError(f"horizon_years must be 1-30, not {self.horizon_years}")
        if not 1 <= self.target_year_offset <= self.horizon_years:
            raise ConfigError("target_year_offset must lie within the horizon")
        if not 0 <= self.gap_tolerance_share < 1:
            raise ConfigError("gap_tolerance_share must be in [0, 1)")
        if self.monte_carlo_draws < 1:
            raise ConfigError("monte_carlo_draws must be at least 1")
        if not self.scenarios:
            raise ConfigError("at least one training scenario is needed")

    @classmethod
    def from_yaml(cls, path: Path) -> PipelineConfig:
        """Read and validate ``scenarios.yaml``.

        Raises:
            ConfigError: naming the file and entry of any missing or bad value.
        """
        raw = load_yaml(path)
        if not isinstance(raw, Mapping) or not {"settings", "scenarios"} <= set(raw):
            raise ConfigError(f"{path}: needs 'settings' and 'scenarios'")
        s = raw["settings"]
        try:
            scenarios = {
                name: _scenario(name, entry) for name, entry in (raw["scenarios"] or {}).items()
            }
            return cls(
                horizon_years=int(s["horizon_years"]),
                discount_rate=float(s["discount_rate"]),
                cost_tolerance=float(s.get("cost_tolerance", 0.0)),
                shortfall_weights={
                    k: float(v) for k, v in (s.get("shortfall_weights") or {}).items()
                },
                demand_scenarios=tuple(s["demand_scenarios"]),
                target_year_offset=int(s["target_year_offset"]),
                gap_tolerance_share=float(s["gap_tolerance_share"]),
                monte_carlo_draws=int(s["monte_carlo_draws"]),
                monte_carlo_seed=int(s["monte_carlo_seed"]),
                suppression=SuppressionRule.from_mapping(s.get("suppression")),
                scenarios=scenarios,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"{path}: bad or missing setting: {exc}") from exc

    def with_overrides(self, **changes: Any) -> PipelineConfig:
        """Return a copy with some settings replaced (e.g. from notebook parameters)."""
        return replace(self, **changes)

    def pipeline_settings(
        self, scenario: PipelineScenario, inputs: PipelineInputs
    ) -> PipelineSettings:
        """Turn a scenario into model settings for ``inputs``.

        Raises:
            ConfigError: if a fixed intake is outside the model's programmes, trusts or years.
        """
        budget: float | dict[int, float] | None = scenario.budget_gbp
        if scenario.budget_vs_status_quo is not None:
            spend = status_quo_spend(inputs)
            budget = {y: scenario.budget_vs_status_quo * v for y, v in spend.items()}
        return PipelineSettings(
            discount_rate=self.discount_rate,
            shortfall_weights=dict(self.shortfall_weights),
            budget_gbp=budget,
            skill_mix_shares=dict(scenario.skill_mix_shares),
            fixed_intakes=dict(scenario.fixed_intakes),
            fix_status_quo=scenario.intake_policy == "status_quo",
            cost_tolerance=self.cost_tolerance,
        )


def _scenario(name: str, entry: Mapping[str, Any]) -> PipelineScenario:
    shares = {
        (row["donor_group"], row["recipient_group"]): float(row["max_share"])
        for row in entry.get("skill_mix_shares") or []
    }
    fixed = {
        (row["programme"], row["trust_code"], int(row["financial_year"])): int(row["intake"])
        for row in entry.get("fixed_intakes") or []
    }
    return PipelineScenario(
        name=name,
        description=str(entry.get("description", "")),
        intake_policy=entry.get("intake_policy", "optimise"),
        budget_gbp=entry.get("budget_gbp"),
        budget_vs_status_quo=entry.get("budget_vs_status_quo"),
        skill_mix_shares=shares,
        fixed_intakes=fixed,
        source=str(entry.get("source", "")),
        status=str(entry.get("status", "derived")),
    )


def status_quo_spend(inputs: PipelineInputs) -> dict[int, float]:
    """Training spend per year (GBP) if today's intakes continue: trainees in training x cost."""
    spend = dict.fromkeys(inputs.years, 0.0)
    for (p, _t, y), x in inputs.status_quo_intake.items():
        prog = inputs.programmes[p]
        for j in range(prog.duration_years):
            if y + j in spend:
                spend[y + j] += x * prog.cost_per_trainee_year_gbp
    for (p, _t, y), n in inputs.pipeline_in_training.items():
        spend[y] += n * inputs.programmes[p].cost_per_trainee_year_gbp
    return spend


@dataclass(frozen=True)
class PlanningData:
    """What the scenarios are built from, kept for the Monte Carlo evaluation.

    Attributes:
        inputs: model inputs by demand scenario.
        demand: required WTE (``year``, ``trust_code``, ``staff_group``, ``required_wte``) by
            demand scenario.
        stock: staff in post.
        supply_params: supply projection parameters (with the training-only routes).
        tables: the training configuration tables.
        uncertainty: spreads of the Monte Carlo inputs (``config/demand/uncertainty.yaml``).
    """

    inputs: Mapping[str, PipelineInputs]
    demand: Mapping[str, pl.DataFrame]
    stock: pl.DataFrame
    supply_params: Any
    tables: Mapping[str, pl.DataFrame]
    uncertainty: Any = None


def prepare_inputs(
    frames: Mapping[str, pl.DataFrame],
    config_dir: Path,
    as_at: dt.date,
    config: PipelineConfig,
) -> PlanningData:
    """Project demand under each demand scenario and build the model inputs.

    Args:
        frames: trust datasets (``activity``, ``service_hours``, ``sites``, ``staff_in_post``),
            e.g. from :func:`lsc_workforce.contracts.load_validated`.
        config_dir: the configuration folder.
        as_at: planning date (never the wall clock).
        config: the pipeline configuration.

    Returns:
        Inputs and demand per demand scenario, with the stock and parameters they came from.

    Raises:
        ConfigError: if a demand scenario is unknown or a table is malformed.
        lsc_workforce.contracts.ContractViolation: if a training table breaks its contract.
    """
    from lsc_workforce.demand.capacity import CapacityParams  # noqa: PLC0415
    from lsc_workforce.demand.forecast import ForecastSettings  # noqa: PLC0415
    from lsc_workforce.demand.projection import load_scenarios, project_demand  # noqa: PLC0415
    from lsc_workforce.demand.years import financial_years  # noqa: PLC0415

    years = financial_years(as_at, config.horizon_years)
    tables = load_training_tables(config_dir)
    validate_training_tables(tables)
    params = supply_params_for(config_dir, tables)
    demand_scenarios = load_scenarios(config_dir)
    unknown = set(config.demand_scenarios) - set(demand_scenarios)
    if unknown:
        raise ConfigError(f"unknown demand scenario(s) {sorted(unknown)}")
    capacity = CapacityParams.from_config(config_dir)
    forecast = ForecastSettings.from_config(config_dir)
    stock = frames["staff_in_post"]
    inputs: dict[str, PipelineInputs] = {}
    demand: dict[str, pl.DataFrame] = {}
    base: PipelineInputs | None = None
    for name in config.demand_scenarios:
        projection = project_demand(
            frames["activity"],
            frames["service_hours"],
            frames["sites"],
            capacity,
            demand_scenarios[name],
            settings=forecast,
            as_at=as_at,
            years=years,
        )
        required = projection.required.select(
            pl.col("year").cast(pl.Int64), "trust_code", "staff_group", "required_wte"
        )
        demand[name] = required
        requirement = _complete_requirement(required, stock, years)
        scope = certification_scope(projection, capacity.effort)
        if base is None:
            base = PipelineInputs.from_projection(
                requirement=requirement,
                stock=stock,
                supply_params=params,
                programmes=tables["training_programmes"],
                capacity=tables["training_capacity"],
                current_trainees=tables["current_trainees"],
                source_pools=tables["source_pools"],
                skill_mix=tables["skill_mix"],
            )
            base = replace(base, skill_mix_scope=scope)
            inputs[name] = base
        else:
            keyed = {
                (t, g, int(y)): float(v)
                for t, g, y, v in requirement.select(
                    "trust_code", "staff_group", "financial_year", "required_wte"
                ).iter_rows()
            }
            inputs[name] = replace(base.replace_requirement(keyed), skill_mix_scope=scope)
    from lsc_workforce.demand.montecarlo import UncertaintySpec  # noqa: PLC0415

    uncertainty = UncertaintySpec.from_config(config_dir)
    return PlanningData(inputs, demand, stock, params, tables, uncertainty)


#: What each substitution rule's donor is certified to take from its recipient: a task of the
#: demand projection and, for a task several procedures share, the procedures covered.
#: Reporting radiographers report plain film [src:reporting-radiographer-training]; clinical
#: endoscopists are JAG-certified for OGD or flexible sigmoidoscopy
#: [src:clinical-endoscopist-programme].
CERTIFICATION_SCOPE: dict[tuple[str, str], tuple[str, tuple[str, ...] | None]] = {
    ("reporting_radiographer", "radiologist"): ("plain_film_reporting", None),
    ("non_medical_endoscopist", "medical_endoscopist"): (
        "diagnostic_endoscopy",
        ("gastroscopy", "flexi_sigmoidoscopy"),
    ),
}


def certification_scope(projection: Any, effort: pl.DataFrame) -> dict:
    """Share of each recipient's required WTE that its donor is certified to take.

    For each rule of :data:`CERTIFICATION_SCOPE`, trust and year: the recipient's WTE for the
    task (times, for a shared task, the covered procedures' share of its effort, e.g. JAG
    points of OGD and flexible sigmoidoscopy among all diagnostic endoscopy) over the
    recipient's whole required WTE.

    Args:
        projection: a :class:`lsc_workforce.demand.projection.DemandProjection`.
        effort: ``activity_effort`` (modality, task, effort_per_exam).

    Returns:
        ``{(donor, recipient, trust_code, year): share}``.
    """
    required = projection.required
    scope: dict[tuple[str, str, str, int], float] = {}
    for (donor, recipient), (task, procedures) in CERTIFICATION_SCOPE.items():
        part = (
            projection.tasks.filter((pl.col("task") == task) & (pl.col("staff_group") == recipient))
            .group_by("year", "trust_code")
            .agg(pl.col("required_wte").sum().alias("task_wte"))
        )
        if procedures:
            work = pl.col("examinations") * pl.col("effort_per_exam")
            covered = (
                projection.activity.join(
                    effort.select("modality", "task", "effort_per_exam"), on="modality"
                )
                .filter(pl.col("task") == task)
                .group_by("year", "trust_code")
                .agg(
                    (work.filter(pl.col("modality").is_in(procedures)).sum() / work.sum()).alias(
                        "covered"
                    )
                )
            )
            part = part.join(covered, on=["year", "trust_code"], how="left").with_columns(
                pl.col("task_wte") * pl.col("covered").fill_null(0.0)
            )
        totals = required.filter(pl.col("staff_group") == recipient).select(
            "year", "trust_code", pl.col("required_wte").alias("total")
        )
        for year, trust, task_wte, total in (
            totals.join(part, on=["year", "trust_code"], how="left")
            .select("year", "trust_code", pl.col("task_wte").fill_null(0.0), "total")
            .iter_rows()
        ):
            scope[donor, recipient, trust, int(year)] = (
                min(1.0, task_wte / total) if total > 0 else 0.0
            )
    return scope


def _complete_requirement(
    required: pl.DataFrame, stock: pl.DataFrame, years: Sequence[int]
) -> pl.DataFrame:
    """One row per trust x staff group x year (zero where demand has none)."""
    from lsc_workforce.demand.capacity import STAFF_GROUPS  # noqa: PLC0415

    trusts = sorted(set(stock["trust_code"].to_list()) | set(required["trust_code"].to_list()))
    grid = pl.DataFrame(
        [
            {"trust_code": t, "staff_group": g, "financial_year": y}
            for t in trusts
            for g in STAFF_GROUPS
            for y in years
        ],
        schema={"trust_code": pl.String, "staff_group": pl.String, "financial_year": pl.Int64},
    )
    summed = required.group_by("year", "trust_code", "staff_group").agg(
        pl.col("required_wte").sum()
    )
    return grid.join(
        summed.rename({"year": "financial_year"}),
        on=["trust_code", "staff_group", "financial_year"],
        how="left",
    ).with_columns(pl.col("required_wte").fill_null(0.0))


@dataclass(frozen=True)
class ScenarioResult:
    """One training scenario solved under one demand scenario.

    Attributes:
        scenario: the training scenario.
        demand_scenario: the demand scenario's name.
        plan: the solved plan.
        limits: LP shadow prices of the binding limits (:func:`diagnose_limits`).
        reasons: what stops the gap closing, per trust and staff group (:func:`explain_gap`).
        robustness: Monte Carlo probability of closing the gap by the target year, overall
            (``staff_group`` = ``all``) and per staff group; empty if not evaluated.
        seconds: wall-clock seconds for solve and diagnosis.
    """

    scenario: PipelineScenario
    demand_scenario: str
    plan: PipelinePlan
    limits: pl.DataFrame
    reasons: pl.DataFrame
    robustness: pl.DataFrame
    seconds: float


def run_scenarios(
    data: PlanningData,
    config: PipelineConfig,
    solver: SolverSettings,
    *,
    scenarios: Sequence[str] | None = None,
    evaluate: bool = True,
    lp_dir: Path | None = None,
) -> list[ScenarioResult]:
    """Solve every training scenario under every demand scenario, diagnose and evaluate it.

    Args:
        data: from :func:`prepare_inputs`.
        config: the pipeline configuration.
        solver: solver settings.
        scenarios: names to run (default: all, in file order).
        evaluate: run the Monte Carlo robustness evaluation.
        lp_dir: if given, each model is written there as ``<scenario>__<demand>.lp``.

    Returns:
        One result per (training scenario, demand scenario).
    """
    names = list(scenarios or config.scenarios)
    draws = monte_carlo_draws(data, config) if evaluate else None
    results = []
    for demand_name, inputs in data.inputs.items():
        for name in names:
            scenario = config.scenarios[name]
            start = time.perf_counter()
            settings = config.pipeline_settings(scenario, inputs)
            lp_path = lp_dir / f"{name}__{demand_name}.lp" if lp_dir else None
            plan = solve_pipeline(inputs, settings, solver, lp_path=lp_path)
            if plan.status.has_solution:
                limits = diagnose_limits(inputs, settings, solver)
                reasons = explain_gap(inputs, plan, limits)
            else:
                limits = plan.breaches
                reasons = pl.DataFrame()
            robustness = (
                evaluate_robustness(
                    data, demand_name=demand_name, plan=plan, config=config, draws=draws
                )
                if draws is not None and plan.intakes.height
                else pl.DataFrame()
            )
            results.append(
                ScenarioResult(
                    scenario,
                    demand_name,
                    plan,
                    limits,
                    reasons,
                    robustness,
                    time.perf_counter() - start,
                )
            )
    return results


def monte_carlo_draws(data: PlanningData, config: PipelineConfig) -> Any:
    """The Monte Carlo draws every plan is evaluated against (common random numbers)."""
    from lsc_workforce.demand.montecarlo import UncertaintySpec, draw_uncertainty  # noqa: PLC0415

    spec = data.uncertainty or UncertaintySpec()
    return draw_uncertainty(
        spec, data.supply_params.staff_groups, config.monte_carlo_draws, config.monte_carlo_seed
    )


def target_year(inputs: PipelineInputs, config: PipelineConfig) -> int:
    """The year by which the gap should be closed."""
    return inputs.years[0] + config.target_year_offset - 1


def evaluate_robustness(
    data: PlanningData,
    *,
    demand_name: str,
    plan: PipelinePlan,
    config: PipelineConfig,
    draws: Any,
) -> pl.DataFrame:
    """Probability that a plan closes the gap by the target year, over the Monte Carlo draws.

    The plan's completions go through :func:`lsc_workforce.demand.montecarlo.simulate_gap`
    (uncertain leaver rates, retirement ages and demand growth; common draws for every plan).
    In a draw the gap counts as closed when the summed shortfall (positive gaps over trusts)
    is at most ``gap_tolerance_share`` of the requirement. Skill-mix substitution is not in the
    simulation, so the probabilities are conservative for skill-mix plans.

    The shortfall of a group in a draw is the sum over trusts of each trust's positive gap
    (requirement less supply) in the target year; ``all`` sums every group's. The report's
    headline shortfall is this table's ``all`` median.

    Returns:
        staff_group (``all`` for every group together), target_year, p_gap_closed,
        shortfall_p10_wte, shortfall_p50_wte, shortfall_p90_wte.
    """
    from lsc_workforce.demand.montecarlo import simulate_gap  # noqa: PLC0415

    inputs = data.inputs[demand_name]
    completions = inputs.completions_frame(plan.intakes)
    result = simulate_gap(
        data.stock, data.supply_params, data.demand[demand_name], inputs.years, draws, completions
    )
    year_index = list(result.years).index(target_year(inputs, config))
    gap = result.gap_wte[:, year_index, :]  # (draws, keys)
    required = result.required_wte[:, year_index, :]
    groups = result.keys["staff_group"].to_list()
    rows = []
    for label in ["all", *sorted(set(groups))]:
        mask = np.array([label in ("all", g) for g in groups])
        shortfall = np.clip(gap[:, mask], 0, None).sum(axis=1)
        need = required[:, mask].sum(axis=1)
        closed = shortfall <= config.gap_tolerance_share * need + 1e-9
        rows.append(
            {
                "staff_group": label,
                "target_year": target_year(inputs, config),
                "p_gap_closed": float(closed.mean()),
                "shortfall_p10_wte": float(np.quantile(shortfall, 0.1)),
                "shortfall_p50_wte": float(np.quantile(shortfall, 0.5)),
                "shortfall_p90_wte": float(np.quantile(shortfall, 0.9)),
            }
        )
    return pl.DataFrame(rows)


def scenario_summary(results: Sequence[ScenarioResult], config: PipelineConfig) -> pl.DataFrame:
    """One row per (scenario, demand scenario): status, gap now/+5/+10, cost, robustness.

    Returns:
        scenario, demand_scenario, status, shortfall_first_year_wte, shortfall_year5_wte,
        shortfall_last_year_wte, weighted_shortfall, total_cost_gbp, discounted_cost_gbp,
        training_intake (trainees started), international_recruits (recruits, a separate line),
        p_gap_closed, shortfall_p10_wte, shortfall_p50_wte, shortfall_p90_wte (all groups, target
        year, over the Monte Carlo draws: :func:`evaluate_robustness`), seconds.
    """
    rows = []
    for r in results:
        plan = r.plan
        by_year = dict(
            plan.supply.group_by("financial_year").agg(pl.col("shortfall_wte").sum()).iter_rows()
        )
        years = sorted(by_year)
        overall = (
            r.robustness.filter(pl.col("staff_group") == "all").row(0, named=True)
            if r.robustness.height
            else {}
        )
        rows.append(
            {
                "scenario": r.scenario.name,
                "demand_scenario": r.demand_scenario,
                "status": plan.status.value,
                "shortfall_first_year_wte": by_year[years[0]] if years else None,
                "shortfall_year5_wte": by_year[years[min(4, len(years) - 1)]] if years else None,
                "shortfall_last_year_wte": by_year[years[-1]] if years else None,
                "weighted_shortfall": plan.weighted_shortfall,
                "total_cost_gbp": plan.total_cost_gbp,
                "discounted_cost_gbp": plan.discounted_cost_gbp,
                "training_intake": _intake_sum(plan.intakes, international=False),
                "international_recruits": _intake_sum(plan.intakes, international=True),
                "p_gap_closed": overall.get("p_gap_closed"),
                "shortfall_p10_wte": overall.get("shortfall_p10_wte"),
                "shortfall_p50_wte": overall.get("shortfall_p50_wte"),
                "shortfall_p90_wte": overall.get("shortfall_p90_wte"),
                "seconds": round(r.seconds, 3),
            }
        )
    return pl.DataFrame(rows)


def _intake_sum(intakes: pl.DataFrame, *, international: bool) -> float:
    """Trainees started (``international=False``) or international recruits over the horizon."""
    if intakes.height == 0:
        return 0.0
    chosen = intakes.filter(
        pl.col("programme").str.starts_with(INTERNATIONAL_PREFIX) == international
    )
    return float(chosen["intake"].sum())


#: Multiples of a plan's limits tried by :func:`what_it_takes`, smallest first.
WHAT_IT_TAKES_FACTORS = (1.0, 1.25, 1.5, 2.0, 3.0)


def scale_limits(
    inputs: PipelineInputs, settings: PipelineSettings, lever: str, factor: float
) -> tuple[PipelineInputs, PipelineSettings]:
    """Scale one lever of a plan by ``factor``.

    ``intake`` scales funded posts or university places, placement capacity and source pools;
    ``budget`` every year's budget.
    """
    if lever == "budget":
        budget = settings.budget_gbp
        if isinstance(budget, Mapping):
            budget = {y: factor * v for y, v in budget.items()}
        elif budget is not None:
            budget = factor * budget
        return inputs, replace(settings, budget_gbp=budget)
    if lever != "intake":
        raise ConfigError(f"unknown lever {lever!r}: use 'intake' or 'budget'")
    return (
        replace(
            inputs,
            funded_intake_limit={k: factor * v for k, v in inputs.funded_intake_limit.items()},
            placement_capacity={k: factor * v for k, v in inputs.placement_capacity.items()},
            source_pool={k: factor * v for k, v in inputs.source_pool.items()},
        ),
        settings,
    )


def what_it_takes(
    inputs: PipelineInputs,
    settings: PipelineSettings,
    solver: SolverSettings,
    evaluate: Any,
    *,
    targets: Sequence[float] = (0.5, 0.8),
    factors: Sequence[float] = WHAT_IT_TAKES_FACTORS,
    base: tuple[PipelinePlan, pl.DataFrame] | None = None,
) -> pl.DataFrame:
    """What a plan would need for each staff group's gap to close with a given chance.

    For each lever (``intake``: funded posts or university places, placement capacity and
    source pools together; ``budget``: only for a plan with a budget) the plan is re-solved
    with its limits multiplied by each factor in turn, smallest first, and evaluated; the first
    factor at which a group's probability of a gap within tolerance reaches a target is the
    answer, with the intake (trainees and recruits) or yearly budget it adds. A target no
    factor reaches is "not reachable", with the limit that binds at the largest factor
    (:func:`explain_gap`), or the spread of futures when no limit binds.

    Args:
        inputs: the plan's inputs.
        settings: the plan's settings.
        solver: solver settings.
        evaluate: plan -> robustness frame (staff_group, p_gap_closed), e.g.
            :func:`evaluate_robustness` bound to the planning data.
        targets: probabilities to reach.
        factors: multiples of the limits to try.
        base: the plan already solved with these inputs and settings, and its robustness
            frame; used for factor 1 instead of solving and evaluating it again.

    Returns:
        lever, staff_group, target, reachable, factor, added_intake, added_budget_gbp_per_year,
        binding_limit.
    """
    levers = ["intake"] + (["budget"] if settings.budget_gbp is not None else [])
    base_plan = base[0] if base is not None else solve_pipeline(inputs, settings, solver)
    base_intake = base_plan.intakes.group_by("produced_group").agg(pl.col("intake").sum())
    base_budget = _mean_budget(settings, inputs)
    rows = []
    for lever in levers:
        found: dict[tuple[str, float], dict[str, Any]] = {}
        groups: list[str] = []
        last: tuple[PipelineInputs, PipelineSettings, PipelinePlan] | None = None
        for factor in sorted(factors):
            scaled_inputs, scaled_settings = scale_limits(inputs, settings, lever, factor)
            reuse = base is not None and factor == 1.0
            plan = base_plan if reuse else solve_pipeline(scaled_inputs, scaled_settings, solver)
            if not plan.status.has_solution:
                continue
            last = (scaled_inputs, scaled_settings, plan)
            robustness = base[1] if reuse and base is not None else evaluate(plan)
            groups = robustness["staff_group"].to_list()
            added = dict(
                plan.intakes.group_by("produced_group")
                .agg(pl.col("intake").sum())
                .join(base_intake, on="produced_group", suffix="_base")
                .select("produced_group", pl.col("intake") - pl.col("intake_base"))
                .iter_rows()
            )
            for group, p in robustness.select("staff_group", "p_gap_closed").iter_rows():
                for target in targets:
                    if (group, target) in found or p < target:
                        continue
                    found[group, target] = {
                        "factor": factor,
                        "added_intake": sum(added.values())
                        if group == "all"
                        else added.get(group, 0.0),
                        "added_budget_gbp_per_year": (factor - 1) * base_budget
                        if lever == "budget"
                        else None,
                    }
            if len(found) == len(groups) * len(targets):
                break  # every target reached: larger factors add nothing
        binding = _binding_limits(*last, solver) if last else {}
        for group in groups:
            for target in targets:
                hit = found.get((group, target))
                rows.append(
                    {
                        "lever": lever,
                        "staff_group": group,
                        "target": target,
                        "reachable": hit is not None,
                        "factor": hit["factor"] if hit else None,
                        "added_intake": hit["added_intake"] if hit else None,
                        "added_budget_gbp_per_year": hit["added_budget_gbp_per_year"]
                        if hit
                        else None,
                        "binding_limit": None
                        if hit
                        else binding.get(group, "the spread of futures (no limit binds)"),
                    }
                )
    return pl.DataFrame(
        rows,
        schema={
            "lever": pl.String,
            "staff_group": pl.String,
            "target": pl.Float64,
            "reachable": pl.Boolean,
            "factor": pl.Float64,
            "added_intake": pl.Float64,
            "added_budget_gbp_per_year": pl.Float64,
            "binding_limit": pl.String,
        },
    )


def _mean_budget(settings: PipelineSettings, inputs: PipelineInputs) -> float:
    values = [settings.budget_for(y) for y in inputs.years]
    known = [v for v in values if v is not None]
    return sum(known) / len(known) if known else 0.0


def _binding_limits(
    inputs: PipelineInputs, settings: PipelineSettings, plan: PipelinePlan, solver: SolverSettings
) -> dict[str, str]:
    """Main limit per staff group (largest gap's trust) and for all groups, in plain English."""
    reasons = explain_gap(inputs, plan, diagnose_limits(inputs, settings, solver))
    if reasons.height == 0:
        return {}
    by_group = (
        reasons.group_by("staff_group", "main_limit_label")
        .agg(pl.col("shortfall_wte_years").sum())
        .sort("shortfall_wte_years", descending=True)
    )
    result = {}
    for group, label, _gap in by_group.iter_rows():
        result.setdefault(group, label)
    result["all"] = by_group.row(0)[1]
    return result


def budget_sensitivity(
    data: PlanningData,
    config: PipelineConfig,
    solver: SolverSettings,
    factors: Sequence[float],
    demand_scenario: str = "central",
) -> pl.DataFrame:
    """Re-solve the optimised plan with budgets at multiples of today's spend.

    Args:
        data: from :func:`prepare_inputs`.
        config: pipeline configuration.
        solver: solver settings.
        factors: budget per year as multiples of the status-quo spend (e.g. 0.8, 1.0, 1.2).
        demand_scenario: which demand scenario's inputs to use.

    Returns:
        budget_factor, status, weighted_shortfall, shortfall_last_year_wte, total_cost_gbp.
    """
    inputs = data.inputs[demand_scenario]
    rows = []
    for factor in factors:
        scenario = PipelineScenario(
            name=f"budget_{factor:g}", description="", budget_vs_status_quo=float(factor)
        )
        plan = solve_pipeline(inputs, config.pipeline_settings(scenario, inputs), solver)
        last = inputs.years[-1]
        rows.append(
            {
                "budget_factor": float(factor),
                "status": plan.status.value,
                "weighted_shortfall": plan.weighted_shortfall,
                "shortfall_last_year_wte": float(
                    plan.supply.filter(pl.col("financial_year") == last)["shortfall_wte"].sum()
                ),
                "total_cost_gbp": plan.total_cost_gbp,
            }
        )
    return pl.DataFrame(rows)
