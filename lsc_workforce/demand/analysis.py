"""The demand and capacity analysis of notebook ``20_demand_capacity``, as package functions.

:func:`load_inputs` reads the trust extracts and the ``config/demand/`` tables,
:func:`analyse` computes today's gap, the backtested trend, the projection of demand and supply
and the Monte Carlo of the gap, :func:`write_outputs` writes every table as CSV, Parquet and one
Excel workbook, and the ``describe_*`` functions write the plain-English commentary.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from lsc_workforce.config import ConfigError
from lsc_workforce.contracts import ContractViolation
from lsc_workforce.data import load_datasets
from lsc_workforce.demand.capacity import (
    STAFF_GROUPS,
    CapacityParams,
    annual_activity,
    endoscopy_sessions,
    gap_table,
    ir_oncall_summary,
    required_wte,
    task_workload,
)
from lsc_workforce.demand.forecast import (
    ForecastSettings,
    backtest,
    backtest_summary,
    history_and_forecast,
)
from lsc_workforce.demand.montecarlo import UncertaintySpec, draw_uncertainty, simulate_gap
from lsc_workforce.demand.parameters import provenance_summary, read_parameter_tables
from lsc_workforce.demand.projection import (
    DemandProjection,
    Scenario,
    load_scenarios,
    project_demand,
)
from lsc_workforce.demand.supply import SupplyParams, project_supply, summarise_supply
from lsc_workforce.demand.validation import validate_parameter_tables
from lsc_workforce.demand.years import financial_years, fy_label
from lsc_workforce.privacy import SuppressionRule, suppress_counts
from lsc_workforce.report import write_tables
from lsc_workforce.safe_output import write_excel_sheets

#: Tasks shared between staff groups, which the training pipeline may substitute.
SKILL_MIX_TASKS = ("plain_film_reporting", "diagnostic_endoscopy")
#: Datasets the analysis reads.
DATASETS = ("activity", "service_hours", "sites", "staff_in_post", "vacancies")


@dataclass(frozen=True)
class DemandSettings:
    """Notebook parameters of the demand analysis.

    Attributes:
        scenario: demand scenario name (a key of ``config/demand/scenarios.yaml``).
        horizon_years: financial years projected, from the one containing the "as at" date.
        draws: Monte Carlo draws.
        seed: random seed of the draws.
    """

    scenario: str = "central"
    horizon_years: int = 10
    draws: int = 1000
    seed: int = 20260401

    def __post_init__(self) -> None:
        if not 1 <= self.horizon_years <= 30:
            raise ConfigError(f"horizon_years must be 1-30, not {self.horizon_years}")
        if not 1 <= self.draws <= 100_000:
            raise ConfigError(f"draws must be 1-100,000, not {self.draws}")


@dataclass(frozen=True)
class DemandInputs:
    """Everything the analysis reads.

    Attributes:
        frames: the datasets of :data:`DATASETS`.
        capacity: capacity parameters.
        supply: supply parameters.
        forecast: trend-fit settings.
        uncertainty: Monte Carlo spreads.
        scenarios: demand scenarios by name.
    """

    frames: dict[str, pl.DataFrame]
    capacity: CapacityParams
    supply: SupplyParams
    forecast: ForecastSettings
    uncertainty: UncertaintySpec
    scenarios: dict[str, Scenario]


def load_inputs(data_dir: Path, config_dir: Path) -> DemandInputs:
    """Read the datasets (through :func:`lsc_workforce.data.load_datasets`) and parameters.

    Args:
        data_dir: folder of trust extracts.
        config_dir: the ``config/`` folder.

    Returns:
        The inputs.

    Raises:
        lsc_workforce.data.DataError: if a dataset is missing or unreadable.
        ConfigError: if a parameter table is missing or malformed.
        ContractViolation: if a parameter table breaks its data contract (nothing is modelled).
    """
    report = validate_parameter_tables(Path(config_dir))
    if not report.success:
        raise ContractViolation(report)
    return DemandInputs(
        frames=load_datasets(Path(data_dir), DATASETS),
        capacity=CapacityParams.from_config(config_dir),
        supply=SupplyParams.from_config(config_dir),
        forecast=ForecastSettings.from_config(config_dir),
        uncertainty=UncertaintySpec.from_config(config_dir),
        scenarios=load_scenarios(config_dir),
    )


@dataclass(frozen=True)
class DemandResults:
    """Every table of the analysis (see :meth:`tables` for the published names)."""

    as_at: dt.date
    settings: DemandSettings
    gap_today: pl.DataFrame
    tasks_today: pl.DataFrame
    sessions_today: pl.DataFrame
    ir_rota: pl.DataFrame
    backtest: pl.DataFrame
    backtest_summary: pl.DataFrame
    trend: pl.DataFrame
    projection: DemandProjection
    scenario_comparison: pl.DataFrame
    supply: pl.DataFrame
    supply_vs_demand: pl.DataFrame
    gap_quantiles: pl.DataFrame
    gap_quantiles_by_group: pl.DataFrame

    def scenarios_in_year(self, year: int | None = None) -> pl.DataFrame:
        """Required WTE by scenario and staff group in one year (default: the last)."""
        frame = self.scenario_comparison
        chosen = frame["year"].max() if year is None else year
        return frame.filter(pl.col("year") == chosen)

    def skill_mix_tasks(self) -> pl.DataFrame:
        """Workload of the tasks where skill mix applies, first and last projected year.

        Returns:
            ``year``, ``trust_code``, ``task``, ``staff_group``, ``unit``, ``in_house`` (hours or
            lists a year) and ``required_wte`` for plain-film reporting and diagnostic
            endoscopy.
        """
        tasks = self.projection.tasks
        ends = [tasks["year"].min(), tasks["year"].max()]
        return tasks.filter(
            pl.col("task").is_in(SKILL_MIX_TASKS) & pl.col("year").is_in(ends)
        ).select("year", "trust_code", "task", "staff_group", "unit", "in_house", "required_wte")

    @property
    def scenario_names(self) -> list[str]:
        """Scenario names in the order of ``scenarios.yaml``."""
        return self.scenario_comparison["scenario"].unique(maintain_order=True).to_list()

    def tables(self) -> dict[str, pl.DataFrame]:
        """Tables to publish, by file stem."""
        return {
            "gap_today_by_trust_group": self.gap_today,
            "workload_today_by_task": self.tasks_today,
            "endoscopy_lists_today": self.sessions_today,
            "ir_oncall_and_rota_minimum": self.ir_rota,
            "backtest_mape_by_trust_modality": self.backtest,
            "backtest_mape_by_modality": self.backtest_summary,
            "activity_trend_monthly": self.trend,
            "activity_projection": self.projection.activity,
            "required_wte_projection": self.projection.required,
            "workload_projection_by_task": self.projection.tasks,
            "required_wte_by_scenario": self.scenario_comparison,
            "supply_projection_by_grade": self.supply,
            "supply_vs_demand": self.supply_vs_demand,
            "gap_quantiles_by_trust_group": self.gap_quantiles,
            "gap_quantiles_by_group": self.gap_quantiles_by_group,
        }


def analyse(inputs: DemandInputs, settings: DemandSettings, as_at: dt.date) -> DemandResults:
    """Run the whole demand, capacity and supply analysis.

    Args:
        inputs: datasets and parameters.
        settings: scenario, horizon, draws and seed.
        as_at: planning date.

    Returns:
        The results.

    Raises:
        ConfigError: if the scenario is unknown or an input is inconsistent.
    """
    if settings.scenario not in inputs.scenarios:
        raise ConfigError(
            f"unknown scenario {settings.scenario!r}; choose one of {sorted(inputs.scenarios)}"
        )
    f = inputs.frames
    years = financial_years(as_at, settings.horizon_years)
    annual = annual_activity(f["activity"], as_at)
    required_today = required_wte(annual, f["service_hours"], f["sites"], inputs.capacity)
    tasks_today = task_workload(annual, inputs.capacity)
    scores = backtest(f["activity"], inputs.forecast)
    projections = {
        name: project_demand(
            f["activity"],
            f["service_hours"],
            f["sites"],
            inputs.capacity,
            scenario,
            settings=inputs.forecast,
            as_at=as_at,
            years=years,
        )
        for name, scenario in inputs.scenarios.items()
    }
    projection = projections[settings.scenario]
    comparison = pl.concat(
        [
            p.required.group_by("year", "staff_group")
            .agg(pl.col("required_wte").sum())
            .with_columns(pl.lit(name).alias("scenario"))
            for name, p in projections.items()
        ]
    ).select("scenario", "year", "staff_group", "required_wte")
    order = pl.Enum(list(projections))
    staff = f["staff_in_post"]
    supply = project_supply(staff, inputs.supply, years)
    available = summarise_supply(supply).select(
        "year", "trust_code", "staff_group", "opening_wte", "closing_wte"
    )
    versus = (
        projection.required.select("year", "trust_code", "staff_group", "required_wte")
        .join(available, on=["year", "trust_code", "staff_group"], how="full", coalesce=True)
        .with_columns(pl.col("required_wte", "opening_wte", "closing_wte").fill_null(0.0))
        .with_columns(
            (pl.col("required_wte") - pl.col("closing_wte")).alias("gap_wte"),
            pl.col("year").map_elements(fy_label, return_dtype=pl.String).alias("fy_label"),
        )
        .select(
            "year",
            "fy_label",
            "trust_code",
            "staff_group",
            "required_wte",
            "opening_wte",
            "closing_wte",
            "gap_wte",
        )
        .sort("year", "trust_code", pl.col("staff_group").cast(pl.Enum(STAFF_GROUPS)))
    )
    draws = draw_uncertainty(
        inputs.uncertainty, inputs.supply.staff_groups, settings.draws, settings.seed
    )
    simulated = simulate_gap(staff, inputs.supply, projection.required, years, draws)
    return DemandResults(
        as_at=as_at,
        settings=settings,
        gap_today=gap_table(required_today, staff, f["vacancies"]),
        tasks_today=tasks_today,
        sessions_today=endoscopy_sessions(tasks_today, staff, inputs.capacity),
        ir_rota=ir_oncall_summary(annual, f["sites"], inputs.capacity),
        backtest=scores,
        backtest_summary=backtest_summary(scores),
        trend=history_and_forecast(f["activity"], inputs.forecast, months_ahead=24),
        projection=projection,
        scenario_comparison=comparison.sort(pl.col("scenario").cast(order), "year", "staff_group"),
        supply=supply,
        supply_vs_demand=versus,
        gap_quantiles=simulated.summary(),
        gap_quantiles_by_group=simulated.summary(by=("staff_group",)),
    )


#: Supply-projection flows counted from personal characteristics (age, leaving): suppressed.
SENSITIVE_FLOWS = ("leavers", "retirements")


def publishable_tables(results: DemandResults, rule: SuppressionRule) -> dict[str, pl.DataFrame]:
    """The tables of :meth:`DemandResults.tables` with small counts of people suppressed.

    Expected leavers and retirements in the supply projection (by trust, group, grade and year)
    are counts built from age: ``<flow>_headcount`` goes through
    :func:`lsc_workforce.privacy.suppress_counts`, and ``<flow>_wte`` is blanked where the
    headcount is suppressed (it would give the count away).

    Args:
        results: the analysis results.
        rule: the suppression rule.

    Returns:
        Tables by file stem.
    """
    tables = results.tables()
    supply = tables["supply_projection_by_grade"]
    counts = [f"{flow}_headcount" for flow in SENSITIVE_FLOWS if f"{flow}_headcount" in supply]
    suppressed = suppress_counts(supply, counts, rule)
    tables["supply_projection_by_grade"] = suppressed.with_columns(
        pl.when(pl.col(f"{flow}_headcount").is_null())
        .then(None)
        .otherwise(pl.col(f"{flow}_wte"))
        .alias(f"{flow}_wte")
        for flow in SENSITIVE_FLOWS
        if f"{flow}_wte" in supply.columns and f"{flow}_headcount" in counts
    )
    return tables


def write_outputs(
    results: DemandResults,
    out_dir: Path,
    *,
    rule: SuppressionRule | None = None,
    internal_dir: Path | None = None,
) -> list[Path]:
    """Write every table as CSV and Parquet under ``out_dir/tables`` and one Excel workbook.

    Small counts of leavers and retirements are suppressed (:func:`publishable_tables`).

    Args:
        results: the analysis results.
        out_dir: the demand area of the run (``OUTPUT_DIR/demand``).
        rule: the suppression rule (default: HES/ECDS, 1-7 suppressed, others to nearest 5).
        internal_dir: if given (``internal_outputs: true``), the unsuppressed supply
            projection goes to ``internal_dir/tables`` too
            (:func:`lsc_workforce.privacy.internal_area`).

    Returns:
        Files written: the tables, then ``demand_capacity.xlsx`` (one sheet per table), then
        any internal tables.
    """
    out_dir = Path(out_dir)
    tables = publishable_tables(results, rule or SuppressionRule())
    written = write_tables(tables, out_dir / "tables")
    workbook = out_dir / "demand_capacity.xlsx"
    # Text stays text in the workbook (never a formula); Excel keeps 31 characters of a name.
    write_excel_sheets(tables, workbook, float_precision=3, autofit=True)
    internal = []
    if internal_dir is not None:  # only the table that suppression changes
        exact = {"supply_projection_by_grade": results.tables()["supply_projection_by_grade"]}
        internal = write_tables(exact, Path(internal_dir) / "tables")
    return [*written, workbook, *internal]


def configure_display(decimals: int = 2) -> None:
    """Show floats in notebook tables with ``decimals`` places (files keep full precision)."""
    pl.Config.set_float_precision(decimals)


def parameter_provenance(config_dir: Path) -> pl.DataFrame:
    """Rows of every demand parameter table by status, so readers see how much is confirmed.

    Args:
        config_dir: the ``config/`` folder.

    Returns:
        ``table``, ``status``, ``rows``.
    """
    return provenance_summary(read_parameter_tables(config_dir))


def _fmt(value: float) -> str:
    return f"{value:,.1f}"


def describe_today(results: DemandResults) -> str:
    """Plain-English summary of today's gap by staff group (Markdown).

    Args:
        results: the analysis results.

    Returns:
        A few Markdown bullet points.
    """
    by_group = (
        results.gap_today.group_by("staff_group")
        .agg(pl.col("required_wte", "in_post_wte", "establishment_wte", "outsourced_wte").sum())
        .with_columns((pl.col("required_wte") - pl.col("in_post_wte")).alias("gap_wte"))
        .sort(pl.col("staff_group").cast(pl.Enum(STAFF_GROUPS)))
    )
    lines = [
        f"Demand and capacity in the 12 months before {results.as_at:%d %B %Y}, all four trusts:",
        "",
    ]
    for row in by_group.iter_rows(named=True):
        gap = row["gap_wte"]
        share = gap / row["required_wte"] if row["required_wte"] else 0.0
        word = "short of" if gap > 0 else "above"
        lines.append(
            f"- **{row['staff_group'].replace('_', ' ')}**: {_fmt(row['required_wte'])} WTE needed "
            f"in house against {_fmt(row['in_post_wte'])} WTE in post "
            f"({_fmt(abs(gap))} WTE, {abs(share):.0%}, {word} the need; funded establishment "
            f"{_fmt(row['establishment_wte'])} WTE)."
        )
    outsourced = by_group.filter(pl.col("staff_group") == "radiologist")
    if outsourced.height:
        row = outsourced.row(0, named=True)
        total = row["required_wte"] + row["outsourced_wte"]
        lines += [
            "",
            f"Outsourcing already meets {_fmt(row['outsourced_wte'])} WTE of radiologist "
            f"reporting ({row['outsourced_wte'] / total:.0%} of the reporting workload).",
        ]
    return "\n".join(lines)


def describe_projection(results: DemandResults) -> str:
    """Plain-English summary of the projected gap and its uncertainty (Markdown).

    Args:
        results: the analysis results.

    Returns:
        Markdown text naming the scenario, the horizon and the P10/P50/P90 gap by staff group
        in the last year.
    """
    last = results.gap_quantiles_by_group["year"].max()
    final = results.gap_quantiles_by_group.filter(pl.col("year") == last).sort(
        pl.col("staff_group").cast(pl.Enum(STAFF_GROUPS))
    )
    scenario = results.projection.scenario
    lines = [
        f"Scenario **{scenario.name}**: {scenario.description} Without any new training "
        f"completions, by the end of {fy_label(last)} the gap between required and available "
        f"WTE would be (P10 / P50 / P90 over {results.settings.draws:,} draws):",
        "",
    ]
    for row in final.iter_rows(named=True):
        lines.append(
            f"- **{row['staff_group'].replace('_', ' ')}**: {_fmt(row['gap_p10'])} / "
            f"{_fmt(row['gap_p50'])} / {_fmt(row['gap_p90'])} WTE "
            f"(shortfall in {row['p_shortfall']:.0%} of draws)."
        )
    lines += [
        "",
        "A positive gap is a shortfall that training, recruitment or skill mix must close; the "
        "training-pipeline notebooks evaluate intake plans against these same draws.",
    ]
    return "\n".join(lines)
