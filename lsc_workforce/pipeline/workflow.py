"""One call that runs every training scenario and keeps the tidy results both notebooks use.

``notebooks/40_training_pipeline.ipynb`` calls :func:`run_training_pipeline`, which writes the
tables under ``OUTPUT_DIR/pipeline/`` (Parquet plus a JSON manifest, models under
``OUTPUT_DIR/models/``); ``notebooks/50_training_gap_report.ipynb`` reads them back with
:func:`load_pipeline_run` (or runs the scenarios itself when the analyst notebook has not run).

Counts built from personal characteristics (leavers, retirements, staff by age) leave this
module only through :func:`lsc_workforce.privacy.suppress_counts`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import polars as pl

from lsc_workforce.config import SolverSettings
from lsc_workforce.data import AGE_BANDS
from lsc_workforce.pipeline.scenarios import (
    PipelineConfig,
    PlanningData,
    ScenarioResult,
    evaluate_robustness,
    monte_carlo_draws,
    prepare_inputs,
    run_scenarios,
    scenario_summary,
    status_quo_spend,
    target_year,
    what_it_takes,
)
from lsc_workforce.pipeline.solution import PipelinePlan
from lsc_workforce.privacy import SuppressionRule, suppress_counts

#: Columns of :attr:`PipelineRun.workforce_risk` that count people by personal characteristics.
SENSITIVE_COLUMNS = ("leavers_5y", "retirements_5y", "staff_aged_55_plus")

#: Age bands of staff within about ten years of the mean retirement age of 61
#: [src:radiologist-retirement].
OLDER_AGE_BANDS = AGE_BANDS[AGE_BANDS.index("55-59") :]

_TABLES = (
    "summary",
    "intakes",
    "supply",
    "limits",
    "reasons",
    "robustness",
    "breaches",
    "workforce_risk",
    "workforce_now",
    "programmes",
    "spend",
    "what_it_takes",
)


@dataclass(frozen=True)
class PipelineRun:
    """Tidy results of all training scenarios, ready to publish.

    Every table has ``scenario`` and ``demand_scenario`` columns where it is per plan.

    Attributes:
        summary: :func:`~lsc_workforce.pipeline.scenarios.scenario_summary`.
        intakes: intakes, trainees in training and cost per programme, trust and year.
        supply: required, supplied, substituted and short WTE per trust, group and year.
        limits: LP shadow prices of binding limits (or the breaches of an infeasible plan).
        reasons: what stops the gap closing per trust and staff group.
        robustness: Monte Carlo probability of closing the gap by the target year.
        breaches: limits an infeasible plan breaks.
        workforce_risk: expected leavers and retirements over five years and staff aged 55+,
            by trust and staff group, **already suppressed** (nulls are suppressed cells).
        workforce_now: headcount and WTE in post by trust and staff group (published as NHS
            Workforce Statistics publish them, unsuppressed).
        programmes: the programme table with sources and statuses.
        spend: status-quo training spend per year (GBP).
        meta: as_at, years, target year, statuses, suppression rule, settings.
        what_it_takes: per optimised plan (central demand), the smallest added intake or
            budget found by re-solving for each staff group's gap to close with a 50 % and an
            80 % chance, or the limit that stops it (:func:`what_it_takes`); empty when not run.
    """

    summary: pl.DataFrame
    intakes: pl.DataFrame
    supply: pl.DataFrame
    limits: pl.DataFrame
    reasons: pl.DataFrame
    robustness: pl.DataFrame
    breaches: pl.DataFrame
    workforce_risk: pl.DataFrame
    workforce_now: pl.DataFrame
    programmes: pl.DataFrame
    spend: pl.DataFrame
    meta: dict[str, Any]
    what_it_takes: pl.DataFrame = field(default_factory=pl.DataFrame)

    def write(self, out_dir: Path) -> list[Path]:
        """Write every table as ``<out_dir>/pipeline/<table>.parquet`` plus ``manifest.json``."""
        folder = Path(out_dir) / "pipeline"
        folder.mkdir(parents=True, exist_ok=True)
        paths = []
        for name in _TABLES:
            if getattr(self, name).width == 0:
                continue
            path = folder / f"{name}.parquet"
            getattr(self, name).write_parquet(path)
            paths.append(path)
        manifest = folder / "manifest.json"
        manifest.write_text(json.dumps(self.meta, indent=2, default=str), encoding="utf-8")
        return [*paths, manifest]


def load_pipeline_run(out_dir: Path) -> PipelineRun | None:
    """Read a run written by :meth:`PipelineRun.write`, or ``None`` if it is not there."""
    folder = Path(out_dir) / "pipeline"
    if not (folder / "manifest.json").is_file():
        return None
    tables = {
        name: pl.read_parquet(folder / f"{name}.parquet")
        if (folder / f"{name}.parquet").is_file()
        else pl.DataFrame()
        for name in _TABLES
    }
    meta = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return PipelineRun(**tables, meta=meta)


def _tag(frame: pl.DataFrame, result: ScenarioResult) -> pl.DataFrame:
    return frame.with_columns(
        pl.lit(result.scenario.name).alias("scenario"),
        pl.lit(result.demand_scenario).alias("demand_scenario"),
    ).select("scenario", "demand_scenario", *frame.columns)


def _concat(frames: list[pl.DataFrame]) -> pl.DataFrame:
    frames = [f for f in frames if f.width > 2]
    return pl.concat(frames, how="diagonal_relaxed") if frames else pl.DataFrame()


def workforce_tables(
    data: PlanningData, rule: SuppressionRule
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Workforce in post (published as is) and people at risk of leaving (suppressed).

    Returns:
        ``(workforce_now, workforce_risk)``: headcount and WTE by trust and staff group; and
        ``leavers_5y``, ``retirements_5y`` (expected over the first five years of the baseline
        supply projection) and ``staff_aged_55_plus``, with the suppression rule applied.
    """
    from lsc_workforce.demand.supply import project_supply, summarise_supply  # noqa: PLC0415

    stock = data.stock
    # Headcount counts people (a person holding two posts counts once), as NHS Workforce
    # Statistics do; without a staff id every row is one person.
    people = pl.col("staff_id").n_unique() if "staff_id" in stock.columns else pl.len()
    now = (
        stock.group_by("trust_code", "staff_group")
        .agg(people.alias("headcount"), pl.col("wte").sum().round(1).alias("wte"))
        .sort("trust_code", "staff_group")
    )
    years = next(iter(data.inputs.values())).years[:5]
    flows = summarise_supply(project_supply(stock, data.supply_params, years))
    risk = (
        flows.group_by("trust_code", "staff_group")
        .agg(
            pl.col("leavers_headcount").sum().alias("leavers_5y"),
            pl.col("retirements_headcount").sum().alias("retirements_5y"),
        )
        .join(
            stock.filter(pl.col("age_band").is_in(OLDER_AGE_BANDS))
            .group_by("trust_code", "staff_group")
            .agg(pl.len().cast(pl.Float64).alias("staff_aged_55_plus")),
            on=["trust_code", "staff_group"],
            how="full",
            coalesce=True,
        )
        .with_columns(pl.col(SENSITIVE_COLUMNS).fill_null(0.0))
        .sort("trust_code", "staff_group")
    )
    return now, suppress_counts(risk, SENSITIVE_COLUMNS, rule)


def run_training_pipeline(
    frames: dict[str, pl.DataFrame],
    config_dir: Path,
    as_at: dt.date,
    config: PipelineConfig,
    solver: SolverSettings,
    *,
    output_dir: Path | None = None,
    scenarios: Sequence[str] | None = None,
    with_what_it_takes: bool = True,
) -> tuple[PipelineRun, PlanningData, list[ScenarioResult]]:
    """Prepare inputs, solve every scenario under every demand scenario, and tidy the results.

    Args:
        frames: the trust datasets.
        config_dir: configuration folder.
        as_at: planning date.
        config: pipeline configuration (``scenarios.yaml``, possibly with overrides).
        solver: solver settings.
        output_dir: if given, tables go to ``output_dir/pipeline/`` and models to
            ``output_dir/models/``.
        scenarios: training scenarios to run (default all).
        with_what_it_takes: re-solve each optimised plan under central demand to find what it
            would take to reach a 50 % and an 80 % chance (:func:`what_it_takes`).

    Returns:
        ``(run, data, results)``.
    """
    data = prepare_inputs(frames, config_dir, as_at, config)
    lp_dir = Path(output_dir) / "models" if output_dir else None
    results = run_scenarios(data, config, solver, scenarios=scenarios, lp_dir=lp_dir)
    first = next(iter(data.inputs.values()))
    now, risk = workforce_tables(data, config.suppression)
    run = PipelineRun(
        summary=scenario_summary(results, config),
        intakes=_concat([_tag(r.plan.intakes, r) for r in results]),
        supply=_concat([_tag(r.plan.supply, r) for r in results]),
        limits=_concat([_tag(r.limits, r) for r in results if r.limits.height]),
        reasons=_concat([_tag(r.reasons, r) for r in results if r.reasons.height]),
        robustness=_concat([_tag(r.robustness, r) for r in results if r.robustness.height]),
        breaches=_concat([_tag(r.plan.breaches, r) for r in results if r.plan.breaches.height]),
        workforce_risk=risk,
        workforce_now=now,
        programmes=data.tables["training_programmes"],
        spend=pl.DataFrame(
            {
                "financial_year": list(status_quo_spend(first)),
                "status_quo_spend_gbp": list(status_quo_spend(first).values()),
            }
        ),
        meta={
            "as_at": as_at.isoformat(),
            "years": list(first.years),
            "target_year": target_year(first, config),
            "demand_scenarios": list(config.demand_scenarios),
            "scenarios": {
                name: {"description": s.description, "source": s.source, "status": s.status}
                for name, s in config.scenarios.items()
                if scenarios is None or name in scenarios
            },
            "suppression": {
                "low": config.suppression.low,
                "high": config.suppression.high,
                "base": config.suppression.base,
            },
            "gap_tolerance_share": config.gap_tolerance_share,
            "monte_carlo_draws": config.monte_carlo_draws,
            "discount_rate": config.discount_rate,
            "solver": {
                "time_limit_s": solver.time_limit_s,
                "gap_rel": solver.gap_rel,
                "threads": solver.threads,
            },
            "statuses": {
                f"{r.scenario.name}/{r.demand_scenario}": r.plan.status.value for r in results
            },
        },
    )
    if with_what_it_takes:
        run = replace(run, what_it_takes=_what_it_takes(data, config, solver, results))
    if output_dir is not None:
        run.write(Path(output_dir))
    return run, data, results


def _what_it_takes(
    data: PlanningData,
    config: PipelineConfig,
    solver: SolverSettings,
    results: Sequence[ScenarioResult],
) -> pl.DataFrame:
    """:func:`what_it_takes` for every optimised plan solved under the first demand scenario."""
    demand = next(iter(data.inputs))
    inputs = data.inputs[demand]
    draws = monte_carlo_draws(data, config)
    frames = []
    for r in results:
        if r.demand_scenario != demand or r.scenario.intake_policy != "optimise":
            continue
        if not r.plan.status.has_solution:
            continue

        def evaluate(plan: PipelinePlan, demand: str = demand) -> pl.DataFrame:
            return evaluate_robustness(
                data, demand_name=demand, plan=plan, config=config, draws=draws
            )

        table = what_it_takes(
            inputs,
            config.pipeline_settings(r.scenario, inputs),
            solver,
            evaluate,
            base=(r.plan, r.robustness) if r.robustness.height else None,
        )
        frames.append(
            table.with_columns(
                pl.lit(r.scenario.name).alias("scenario"), pl.lit(demand).alias("demand_scenario")
            )
        )
    return pl.concat(frames) if frames else pl.DataFrame()


def load_or_run_pipeline(
    data_dir: Path,
    config_dir: Path,
    as_at: dt.date,
    config: PipelineConfig,
    solver: SolverSettings,
    *,
    output_dir: Path,
    scenarios: Sequence[str] | None = None,
) -> PipelineRun:
    """Read the analyst notebook's results from ``output_dir``, or run the scenarios now.

    Results are reused only when they were made for the same ``as_at`` date.

    Args:
        data_dir: folder of the trust datasets (read only if the scenarios must run).
        config_dir: configuration folder.
        as_at: planning date.
        config: pipeline configuration.
        solver: solver settings.
        output_dir: the run's output folder.
        scenarios: training scenarios to run if running.

    Returns:
        The pipeline results.
    """
    run = load_pipeline_run(output_dir)
    if run is not None and run.meta.get("as_at") == as_at.isoformat():
        return run
    from lsc_workforce.data import load_datasets  # noqa: PLC0415

    run, _data, _results = run_training_pipeline(
        load_datasets(Path(data_dir)),
        config_dir,
        as_at,
        config,
        solver,
        output_dir=output_dir,
        scenarios=scenarios,
    )
    return run
