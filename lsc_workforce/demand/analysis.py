"""The demand and capacity analysis of notebook ``20_demand_capacity``, as package functions.

:func:`load_inputs` reads the trust extracts and the ``config/demand/`` tables,
:func:`analyse` computes today's gap, the backtested trend, the projection of demand and supply
and the Monte Carlo of the gap, :func:`write_outputs` writes every table as CSV, Parquet and one
Excel workbook, and the ``describe_*`` functions write the plain-English commentary.
:func:`reconciliation_today` gives the other notebooks the IR and GI-bleed rota reconciliation
by the same path as :func:`analyse`.
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
    competency_coverage,
    endoscopy_sessions,
    gap_table,
    network_gap,
    required_wte,
    rota_reconciliation,
    task_workload,
)
from lsc_workforce.demand.forecast import (
    ForecastSettings,
    backtest,
    backtest_summary,
    history_and_forecast,
)
from lsc_workforce.demand.montecarlo import UncertaintySpec, draw_uncertainty, simulate_gap
from lsc_workforce.demand.parameters import (
    load_parameter_table,
    provenance_summary,
    read_parameter_tables,
)
from lsc_workforce.demand.pathways import load_priority_classes, reporting_pathways
from lsc_workforce.demand.projection import (
    DemandProjection,
    Scenario,
    load_scenarios,
    project_demand,
)
from lsc_workforce.demand.supply import SupplyParams, project_supply, supply_lines
from lsc_workforce.demand.validation import validate_parameter_tables
from lsc_workforce.demand.years import financial_years, fy_label
from lsc_workforce.excel import write_analyst_workbook
from lsc_workforce.key_figures import RECONCILIATION_PAGES
from lsc_workforce.labels import load_labels
from lsc_workforce.ooh.rota_size import rota_sizes
from lsc_workforce.privacy import SuppressionRule, suppress_counts
from lsc_workforce.report import write_tables

#: Tasks shared between staff groups, which the training pipeline may substitute.
SKILL_MIX_TASKS = ("plain_film_reporting", "diagnostic_endoscopy")
#: Datasets the analysis reads.
DATASETS = (
    "activity",
    "service_hours",
    "sites",
    "site_travel_times",
    "staff_in_post",
    "vacancies",
    "staff_competencies",
    "leave",
)


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
    calibration: pl.DataFrame
    priority_classes: pl.DataFrame


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
        calibration=load_parameter_table(
            Path(config_dir) / "demand" / "calibration.csv",
            ("metric", "published_low", "published_high", "if_different"),
        ),
        priority_classes=load_priority_classes(Path(config_dir)),
    )


@dataclass(frozen=True)
class DemandResults:
    """Every table of the analysis (see :meth:`tables` for the published names)."""

    as_at: dt.date
    settings: DemandSettings
    gap_today: pl.DataFrame
    network_today: pl.DataFrame
    tasks_today: pl.DataFrame
    sessions_today: pl.DataFrame
    competency_today: pl.DataFrame
    rota_sizes: pl.DataFrame
    reconciliation: pl.DataFrame
    pathways: pl.DataFrame
    backtest: pl.DataFrame
    backtest_summary: pl.DataFrame
    trend: pl.DataFrame
    projection: DemandProjection
    scenario_comparison: pl.DataFrame
    supply: pl.DataFrame
    supply_vs_demand: pl.DataFrame
    gap_quantiles: pl.DataFrame
    gap_quantiles_by_group: pl.DataFrame
    consultant_shortfall: pl.DataFrame
    calibration: pl.DataFrame

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
            "gap_today_network": self.network_today,
            "workload_today_by_task": self.tasks_today,
            "endoscopy_lists_today": self.sessions_today,
            "competency_coverage_today": self.competency_today,
            "rota_sizes": self.rota_sizes,
            "rota_reconciliation": self.reconciliation,
            "timed_pathways_by_trust": self.pathways,
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
            "consultant_radiologist_shortfall": self.consultant_shortfall,
            "calibration_against_published": self.calibration,
        }


@dataclass(frozen=True)
class _Today:
    """Today's activity, gap, rota sizes (``None`` without rota floors) and reconciliation."""

    annual: pl.DataFrame
    gap: pl.DataFrame
    sizes: pl.DataFrame | None
    reconciliation: pl.DataFrame


def _today(inputs: DemandInputs, as_at: dt.date) -> _Today:
    """Today's activity, gap, rota sizes and rota reconciliation (one path for every page)."""
    f = inputs.frames
    annual = annual_activity(f["activity"], as_at)
    required = required_wte(annual, f["service_hours"], f["sites"], inputs.capacity)
    gap = gap_table(
        required,
        f["staff_in_post"],
        f["vacancies"],
        inputs.supply,
        tolerance=inputs.capacity.value("establishment_tolerance"),
    )
    rota = inputs.capacity.rota
    sizes = rota_sizes(rota.ooh, f, as_at) if rota else None
    reconciliation = (
        pl.DataFrame()
        if sizes is None
        else rota_reconciliation(required, gap, sizes, inputs.capacity)
    )
    return _Today(annual, gap, sizes, reconciliation)


def reconciliation_today(data_dir: Path, config_dir: Path, as_at: dt.date) -> pl.DataFrame:
    """The IR and GI-bleed rota reconciliation of notebook 20, for any page that shows it.

    Computed from the extracts and configuration by the same path as :func:`analyse` (never
    read from another notebook's outputs), so notebooks 20, 30, 40 and 50 show the same
    numbers as ``demand/tables/rota_reconciliation.csv`` and the run's key figures.

    Args:
        data_dir: folder of trust extracts.
        config_dir: the ``config/`` folder.
        as_at: planning date.

    Returns:
        :func:`lsc_workforce.demand.capacity.rota_reconciliation` (empty without
        ``rota_floors.yaml``).
    """
    return _today(load_inputs(data_dir, config_dir), as_at).reconciliation


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
    today = _today(inputs, as_at)
    annual, gap_today, sizes = today.annual, today.gap, today.sizes
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
    available = supply_lines(
        supply, inputs.supply, wte="closing_wte", by=("year", "trust_code", "staff_group")
    ).rename({"in_post_wte": "closing_wte"})
    versus = (
        projection.required.select("year", "trust_code", "staff_group", "required_wte")
        .join(available, on=["year", "trust_code", "staff_group"], how="full", coalesce=True)
        .with_columns(pl.col(pl.Float64).fill_null(0.0))
        .with_columns(
            (pl.col("required_wte") - pl.col("service_wte")).alias("gap_wte"),
            pl.col("year").map_elements(fy_label, return_dtype=pl.String).alias("fy_label"),
        )
        .select(
            "year",
            "fy_label",
            "trust_code",
            "staff_group",
            "required_wte",
            "consultant_wte",
            "sas_wte",
            "trainee_wte",
            "afc_wte",
            "closing_wte",
            "trainee_service_wte",
            "service_wte",
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
        gap_today=gap_today,
        network_today=network_gap(gap_today),
        tasks_today=tasks_today,
        sessions_today=endoscopy_sessions(tasks_today, staff, inputs.capacity),
        competency_today=competency_coverage(
            tasks_today, staff, f["staff_competencies"], inputs.supply
        ),
        pathways=reporting_pathways(annual, gap_today, inputs.capacity, inputs.priority_classes),
        rota_sizes=pl.DataFrame() if sizes is None else sizes.drop("trusts"),
        reconciliation=today.reconciliation,
        backtest=scores,
        backtest_summary=backtest_summary(scores),
        trend=history_and_forecast(f["activity"], inputs.forecast, months_ahead=24),
        projection=projection,
        scenario_comparison=comparison.sort(pl.col("scenario").cast(order), "year", "staff_group"),
        supply=supply,
        supply_vs_demand=versus,
        gap_quantiles=simulated.summary(),
        gap_quantiles_by_group=simulated.summary(by=("staff_group",)),
        consultant_shortfall=consultant_shortfall(versus),
        calibration=calibration_table(versus, projection.tasks, inputs.calibration, supply),
    )


def consultant_shortfall(versus: pl.DataFrame, staff_group: str = "radiologist") -> pl.DataFrame:
    """Consultant need and supply per year, the shortfall summed over trusts (never netted).

    A trust's consultant need is its required WTE less its SAS WTE and its trainees' service
    contribution; its consultant gap is need less consultant WTE.

    Args:
        versus: :attr:`DemandResults.supply_vs_demand` (or any frame with ``year``,
            ``trust_code``, ``staff_group``, ``required_wte``, ``consultant_wte``, ``sas_wte``,
            ``trainee_service_wte``).
        staff_group: the medical staff group.

    Returns:
        ``year``, ``consultant_need_wte``, ``consultant_wte``, ``shortfall_wte`` (sum of the
        trusts' positive consultant gaps) and ``shortfall_share`` (shortfall / need).
    """
    need = pl.col("required_wte") - pl.col("sas_wte") - pl.col("trainee_service_wte")
    return (
        versus.filter(pl.col("staff_group") == staff_group)
        .with_columns(need.alias("consultant_need_wte"))
        .group_by("year")
        .agg(
            pl.col("consultant_need_wte").sum(),
            pl.col("consultant_wte").sum(),
            (pl.col("consultant_need_wte") - pl.col("consultant_wte"))
            .clip(lower_bound=0)
            .sum()
            .alias("shortfall_wte"),
        )
        .with_columns(
            (pl.col("shortfall_wte") / pl.col("consultant_need_wte")).alias("shortfall_share")
        )
        .sort("year")
    )


#: Reporting tasks whose workload growth the RCR census publishes (CT and MRI).
CENSUS_REPORTING_TASKS = ("ct_reporting", "mri_reporting")


def calibration_table(
    versus: pl.DataFrame,
    tasks: pl.DataFrame,
    published: pl.DataFrame,
    supply: pl.DataFrame,
    horizon: int = 5,
) -> pl.DataFrame:
    """Set the projection beside the published series (compared with, never fitted to).

    Metrics: the consultant radiologist shortfall now and ``horizon`` years on, consultant
    and radiographer WTE growth a year over ``horizon`` years (status quo), CT and MRI reporting
    workload growth, and the share of radiographers retiring in the first two years.

    Args:
        versus: :attr:`DemandResults.supply_vs_demand`.
        tasks: projected workload by task (:attr:`DemandProjection.tasks`).
        published: ``config/demand/calibration.csv``.
        supply: the supply projection by grade (:attr:`DemandResults.supply`:
            ``retirements_headcount`` and ``opening_headcount`` per year).
        horizon: years from the first projected year-end to the "five years on" value.

    Returns:
        ``metric``, ``description``, ``model`` (share), ``published_low``, ``published_high``,
        ``verdict`` (``within``, ``below`` or ``above`` the published range, or ``not
        projected`` when the projection is shorter than ``horizon + 1`` years) and ``note``
        (``if_different`` when outside the range, or how agreement arises), ``source``,
        ``status``.
    """
    short = consultant_shortfall(versus)
    first = short.row(0, named=True)
    radiographers = (
        versus.filter(pl.col("staff_group") == "radiographer")
        .group_by("year")
        .agg(pl.col("closing_wte").sum())
        .sort("year")["closing_wte"]
    )
    retiring = (
        supply.filter(pl.col("staff_group") == "radiographer")
        .group_by("year")
        .agg(pl.col("opening_headcount", "retirements_headcount").sum())
        .sort("year")
    )
    model: dict[str, float | None] = {
        "consultant_shortfall_now": first["shortfall_share"],
        "consultant_shortfall_five_years": None,
        "consultant_growth": None,
        "reporting_demand_growth": None,
        "radiographer_growth": None,
        "radiographer_retirement_two_years": (
            retiring["retirements_headcount"].head(2).sum() / retiring["opening_headcount"][0]
            if retiring.height >= 2 and retiring["opening_headcount"][0] > 0
            else None
        ),
    }
    if short.height > horizon:  # a shorter projection leaves the later metrics unprojected
        last = short.row(horizon, named=True)
        reporting = (
            tasks.filter(pl.col("task").is_in(CENSUS_REPORTING_TASKS))
            .group_by("year")
            .agg(pl.col("workload").sum())
            .sort("year")["workload"]
        )
        model |= {
            "consultant_shortfall_five_years": last["shortfall_share"],
            "consultant_growth": (last["consultant_wte"] / first["consultant_wte"]) ** (1 / horizon)
            - 1,
            "reporting_demand_growth": (reporting[horizon] / reporting[0]) ** (1 / horizon) - 1,
            "radiographer_growth": (
                (radiographers[horizon] / radiographers[0]) ** (1 / horizon) - 1
                if radiographers.len() > horizon and radiographers[0] > 0
                else None
            ),
        }
    unknown = set(published["metric"]) - set(model)
    if unknown:
        raise ConfigError(f"calibration.csv: unknown metric(s) {sorted(unknown)}")
    value = pl.col("metric").replace_strict(model, return_dtype=pl.Float64)
    verdict = (
        pl.when(pl.col("model").is_null())
        .then(pl.lit("not projected"))
        .when(pl.col("model") < pl.col("published_low"))
        .then(pl.lit("below"))
        .when(pl.col("model") > pl.col("published_high"))
        .then(pl.lit("above"))
        .otherwise(pl.lit("within"))
    )
    return (
        published.with_columns(value.alias("model"))
        .with_columns(verdict.alias("verdict"))
        .with_columns(
            pl.when(pl.col("verdict") == "within")
            .then(pl.lit("Within the published range."))
            .when(pl.col("verdict") == "not projected")
            .then(pl.lit(f"The projection is shorter than {horizon + 1} years."))
            .otherwise(pl.col("if_different"))
            .alias("note")
        )
        .select(
            "metric",
            "description",
            "model",
            "published_low",
            "published_high",
            "verdict",
            "note",
            "source",
            "status",
        )
    )


#: Supply-projection flows counted from personal characteristics (age, leaving): suppressed.
SENSITIVE_FLOWS = ("leavers", "retirements")


def publishable_tables(results: DemandResults, rule: SuppressionRule) -> dict[str, pl.DataFrame]:
    """The tables of :meth:`DemandResults.tables` with small counts of people suppressed.

    The mean planned leave of a rota's competent staff is blanked where they are no more than
    ``rule.high`` people. Expected leavers and retirements in the supply projection (by trust,
    group, grade and year) are counts built from age: ``<flow>_headcount`` goes through
    :func:`lsc_workforce.privacy.suppress_counts`, and ``<flow>_wte`` is blanked where the
    headcount is suppressed (it would give the count away).

    Args:
        results: the analysis results.
        rule: the suppression rule.

    Returns:
        Tables by file stem.
    """
    tables = results.tables()
    sizes = tables.get("rota_sizes")
    if sizes is not None and "leave_days_per_person" in sizes.columns:
        # A mean over a handful of people gives their leave away.
        tables["rota_sizes"] = sizes.with_columns(
            pl.when(pl.col("competent_staff") <= rule.high)
            .then(None)
            .otherwise(pl.col("leave_days_per_person"))
            .alias("leave_days_per_person")
        )
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
    # Formatted for analysts, text always as text (lsc_workforce/excel.py).
    write_analyst_workbook(workbook, "Demand and capacity", tables)
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

    Shortfalls are summed over the trusts that have one; a surplus elsewhere is stated apart and
    never offsets them.

    Args:
        results: the analysis results.

    Returns:
        A few Markdown bullet points.
    """
    gap = results.gap_today
    network = results.network_today.sort(pl.col("staff_group").cast(pl.Enum(STAFF_GROUPS)))
    totals = gap.group_by("staff_group").agg(
        pl.col(
            "consultant_wte", "sas_wte", "trainee_wte", "in_post_wte", "establishment_wte"
        ).sum(),
        pl.col("establishment_flag").sum().alias("flagged"),
    )
    lines = [
        f"Demand and capacity in the 12 months before {results.as_at:%d %B %Y}. Need and supply "
        "are in WTE that count towards the service: consultants and SAS doctors in full, "
        "trainees by their service contribution, radiographers by their band's clinical share. "
        "Shortfalls are summed trust by trust; a surplus at one trust does not fill another's "
        "posts.",
        "",
    ]
    for row in network.join(totals, on="staff_group").iter_rows(named=True):
        name = row["staff_group"].replace("_", " ")
        medical = row["consultant_wte"] + row["sas_wte"] + row["trainee_wte"] > 0
        grades = (
            f" ({_fmt(row['consultant_wte'])} WTE consultants, {_fmt(row['sas_wte'])} SAS, "
            f"{_fmt(row['trainee_wte'])} trainees)"
            if medical
            else ""
        )
        surplus = (
            f"; {_fmt(row['surplus_wte'])} WTE above need elsewhere, not netted"
            if row["surplus_wte"] > 0.05
            else ""
        )
        flag = (
            f" Need and funded establishment differ by more than the tolerance at "
            f"{row['flagged']} of {row['trusts']} trusts."
            if row["flagged"]
            else ""
        )
        lines.append(
            f"- **{name}**: {_fmt(row['required_wte'])} WTE needed against "
            f"{_fmt(row['service_wte'])} WTE of service in post from "
            f"{_fmt(row['in_post_wte'])} WTE{grades}: short by "
            f"{_fmt(row['shortfall_wte'])} WTE at the trusts with a gap{surplus}.{flag}"
        )
    outsourced = gap.filter(pl.col("staff_group") == "radiologist").select(
        pl.col("required_wte", "outsourced_wte").sum()
    )
    if outsourced.height and outsourced["outsourced_wte"].item() > 0:
        row = outsourced.row(0, named=True)
        total = row["required_wte"] + row["outsourced_wte"]
        lines += [
            "",
            f"Outsourcing already meets {_fmt(row['outsourced_wte'])} WTE of radiologist "
            f"reporting ({row['outsourced_wte'] / total:.0%} of the reporting workload).",
        ]
    return "\n".join(lines)


def describe_calibration(results: DemandResults) -> str:
    """Plain-English reading of the calibration table (Markdown).

    Args:
        results: the analysis results.

    Returns:
        One bullet per published series: the model's value, the published range and, where
        they differ, why.
    """
    lines = []
    for row in results.calibration.iter_rows(named=True):
        model = "not projected" if row["model"] is None else f"{row['model']:.1%}"
        lines.append(
            f"- **{row['description']}**: model {model}, published "
            f"{row['published_low']:.0%}-{row['published_high']:.0%} ({row['verdict']}). "
            f"{row['note']}"
        )
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
        f"Scenario **{scenario.name}**: {scenario.description} With today's trainee intakes "
        f"continuing and no other training plan, by the end of {fy_label(last)} the gap "
        f"between required and available service WTE would be (P10 / P50 / P90 over "
        f"{results.settings.draws:,} draws):",
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


def describe_reconciliation(table: pl.DataFrame) -> str:
    """Plain-English reading of the rota reconciliation, with units and where else it appears.

    Args:
        table: :func:`reconciliation_today` (or :attr:`DemandResults.reconciliation`).

    Returns:
        One bullet per rota service (people the rotas need, competent staff, the requirement in
        WTE and where each of rota and workload binds), then the pages and key figures that
        carry the same numbers.
    """
    if table.height == 0:
        return "No rota floors are configured (`config/demand/rota_floors.yaml`)."
    labels = load_labels()
    lines = [
        "Out-of-hours rota floors against the workload need, trust by trust (never netted "
        "across trusts):",
        "",
    ]
    for (service,), rows in table.sort("service", "trust_code").group_by(
        "service", maintain_order=True
    ):
        binds = {
            kind: ", ".join(rows.filter(pl.col("binds") == kind)["trust_code"].to_list())
            for kind in ("rota", "workload")
        }
        where = "; ".join(
            f"the {kind} binds at {trusts}" for kind, trusts in binds.items() if trusts
        )
        lines.append(
            f"- **{labels.value('services', service)}**: the rotas need "
            f"{rows['rota_people'].sum():,.0f} people ({rows['competent_staff'].sum():,.0f} "
            f"competent today, {rows['rota_shortfall_people'].sum():,.0f} short); the "
            f"requirement is {rows['required_wte'].sum():,.1f} WTE ({where})."
        )
    pages = "; ".join(RECONCILIATION_PAGES.values())
    lines += [
        "",
        f"The same numbers appear in: {pages}; key figures `rota_people__<service>` (people) "
        "and `rota_required_wte__<service>` (WTE) of `key_figures.csv`.",
    ]
    return "\n".join(lines)
