"""Demand projection per NHS financial year under a named scenario.

Activity is projected per trust and modality with the fitted trend and seasonality
(:mod:`lsc_workforce.demand.forecast`), summed over the twelve months of each financial year
(April-March), and shared out over sites and in-hours/out-of-hours periods in the proportions
of the twelve months before the "as at" date (outsourced reports keep their share too). A
scenario then adjusts growth, effort per examination and extra activity, and the capacity model
(:mod:`lsc_workforce.demand.capacity`) turns every year into required WTE by trust and staff
group, and into workload by task where skill mix applies (plain-film reporting hours,
diagnostic endoscopy lists), so the training pipeline can substitute roles.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from lsc_workforce.config import ConfigError, load_yaml
from lsc_workforce.data import SOURCE_STATUSES
from lsc_workforce.demand.capacity import (
    CapacityParams,
    annual_activity,
    required_wte,
    task_workload,
)
from lsc_workforce.demand.forecast import (
    ForecastSettings,
    fit_trend,
    forecast_months,
    monthly_series,
)


@dataclass(frozen=True)
class Scenario:
    """A demand scenario (one entry of ``config/demand/scenarios.yaml``).

    Attributes:
        name: scenario key, e.g. ``central``.
        description: one plain-English sentence.
        growth_adjustment: added to the fitted annual log growth of every series (0.02 is
            about two percentage points a year more growth).
        effort_factors: multipliers of the effort per examination by modality (e.g. AI stroke
            CT triage: ``{"ct_head_stroke": 0.75}``).
        extra_activity: rows ``trust_code``, ``site_code``, ``modality``, ``examinations`` (a
            year, in hours) and ``from_year`` (first financial year), e.g. a community
            diagnostic centre.
        source: provenance of the scenario.
        status: ``confirmed``, ``secondary``, ``derived`` or ``unconfirmed``.
    """

    name: str
    description: str = ""
    growth_adjustment: float = 0.0
    effort_factors: Mapping[str, float] = field(default_factory=dict)
    extra_activity: tuple[Mapping[str, Any], ...] = ()
    source: str = ""
    status: str = "derived"

    def __post_init__(self) -> None:
        if not -0.5 < self.growth_adjustment < 0.5:
            raise ConfigError(f"scenario {self.name}: growth_adjustment out of (-0.5, 0.5)")
        if self.status not in SOURCE_STATUSES:
            raise ConfigError(f"scenario {self.name}: unknown status {self.status!r}")
        for row in self.extra_activity:
            missing = {"trust_code", "site_code", "modality", "examinations", "from_year"} - set(
                row
            )
            if missing:
                raise ConfigError(f"scenario {self.name}: extra_activity lacks {sorted(missing)}")
            if row["examinations"] < 0:
                raise ConfigError(f"scenario {self.name}: extra examinations must be >= 0")

    def apply_effort(self, params: CapacityParams) -> CapacityParams:
        """Return capacity parameters with this scenario's effort factors applied."""
        for modality, factor in self.effort_factors.items():
            params = params.with_effort_factor(modality, float(factor))
        return params


def load_scenarios(config_dir: Path) -> dict[str, Scenario]:
    """Read every scenario of ``config/demand/scenarios.yaml``.

    Raises:
        ConfigError: if the file is missing or a scenario is malformed.
    """
    raw = load_yaml(Path(config_dir) / "demand" / "scenarios.yaml")
    if not isinstance(raw, Mapping) or "central" not in raw:
        raise ConfigError("scenarios.yaml must be a mapping that includes 'central'")
    scenarios = {}
    for name, entry in raw.items():
        try:
            scenarios[name] = Scenario(
                name=name,
                description=str(entry.get("description", "")),
                growth_adjustment=float(entry.get("growth_adjustment", 0.0)),
                effort_factors=dict(entry.get("effort_factors") or {}),
                extra_activity=tuple(entry.get("extra_activity") or ()),
                source=str(entry.get("source", "")),
                status=str(entry.get("status", "")),
            )
        except (AttributeError, TypeError, ValueError) as exc:
            raise ConfigError(f"scenarios.yaml: scenario {name}: {exc}") from exc
    return scenarios


def _fy_months(year: int) -> list[dt.date]:
    return [dt.date(year + (m < 4), m, 1) for m in (*range(4, 13), *range(1, 4))]


def project_activity(
    activity: pl.DataFrame,
    as_at: dt.date,
    years: Sequence[int],
    scenario: Scenario,
    settings: ForecastSettings,
) -> pl.DataFrame:
    """Project yearly activity per financial year, site, modality and period.

    Args:
        activity: the ``activity`` dataset (monthly, ending before ``as_at``).
        as_at: planning date; site and period shares come from the 12 months before it.
        years: financial years (starting calendar year).
        scenario: growth adjustment and extra activity to apply.
        settings: trend-fit settings.

    Returns:
        ``year``, ``trust_code``, ``site_code``, ``modality``, ``period``, ``examinations``,
        ``outsourced_reports`` (Float64, a year).
    """
    series = monthly_series(activity.filter(pl.col("month") < as_at))
    fits = fit_trend(series, settings).with_columns(
        pl.col("beta_projected") + scenario.growth_adjustment / 12
    )
    months = [m for y in years for m in _fy_months(y)]
    forecast = forecast_months(fits, months).with_columns(
        pl.when(pl.col("month").dt.month() >= 4)
        .then(pl.col("month").dt.year())
        .otherwise(pl.col("month").dt.year() - 1)
        .cast(pl.Int64)
        .alias("year")
    )
    totals = forecast.group_by("year", "trust_code", "modality").agg(
        pl.col("forecast").sum().alias("trust_examinations")
    )
    base = annual_activity(activity, as_at)
    shares = base.with_columns(
        (pl.col("examinations") / pl.col("examinations").sum().over("trust_code", "modality"))
        .fill_nan(0.0)
        .alias("share"),
        pl.when(pl.col("examinations") > 0)
        .then(pl.col("outsourced_reports") / pl.col("examinations"))
        .otherwise(0.0)
        .alias("outsourced_ratio"),
    )
    projected = totals.join(shares, on=["trust_code", "modality"]).select(
        "year",
        "trust_code",
        "site_code",
        "modality",
        "period",
        (pl.col("trust_examinations") * pl.col("share")).alias("examinations"),
        "outsourced_ratio",
    )
    if scenario.extra_activity:
        extra = (
            pl.DataFrame(list(scenario.extra_activity))
            .join(pl.DataFrame({"year": list(years)}, schema={"year": pl.Int64}), how="cross")
            .filter(pl.col("year") >= pl.col("from_year"))
            .select(
                "year",
                "trust_code",
                "site_code",
                "modality",
                pl.lit("in_hours").alias("period"),
                pl.col("examinations").cast(pl.Float64),
                pl.lit(0.0).alias("outsourced_ratio"),
            )
        )
        projected = pl.concat([projected, extra])
    return (
        projected.group_by("year", "trust_code", "site_code", "modality", "period")
        .agg(
            pl.col("examinations").sum(),
            (pl.col("examinations") * pl.col("outsourced_ratio")).sum().alias("outsourced_reports"),
        )
        .sort("year", "trust_code", "site_code", "modality", "period")
    )


@dataclass(frozen=True)
class DemandProjection:
    """Projected demand of one scenario.

    Attributes:
        scenario: the scenario.
        activity: output of :func:`project_activity`.
        required: required WTE per ``year``, ``trust_code``, ``staff_group`` (columns of
            :func:`~lsc_workforce.demand.capacity.required_wte`).
        tasks: workload per ``year``, ``trust_code``, ``task``, ``staff_group`` (columns of
            :func:`~lsc_workforce.demand.capacity.task_workload`): plain-film reporting hours
            and diagnostic endoscopy lists are the tasks where skill mix applies.
    """

    scenario: Scenario
    activity: pl.DataFrame
    required: pl.DataFrame
    tasks: pl.DataFrame


def project_demand(
    activity: pl.DataFrame,
    service_hours: pl.DataFrame,
    sites: pl.DataFrame,
    params: CapacityParams,
    scenario: Scenario,
    *,
    settings: ForecastSettings,
    as_at: dt.date,
    years: Sequence[int],
) -> DemandProjection:
    """Project required WTE by financial year, trust and staff group, and workload by task.

    Args:
        activity: the ``activity`` dataset.
        service_hours: the ``service_hours`` dataset (radiography cover).
        sites: the ``sites`` dataset (IR suites for the IR rota minimum).
        params: capacity parameters (the scenario's effort factors are applied here).
        scenario: the demand scenario.
        settings: trend-fit settings.
        as_at: planning date.
        years: financial years.

    Returns:
        The projection; ``required`` has ``year``, ``trust_code``, ``staff_group``,
        ``workload_wte``, ``rota_minimum_wte``, ``required_wte``, ``outsourced_wte``, the
        format :func:`~lsc_workforce.demand.montecarlo.simulate_gap` takes as ``demand``.
    """
    projected = project_activity(activity, as_at, years, scenario, settings)
    scenario_params = scenario.apply_effort(params)
    return DemandProjection(
        scenario=scenario,
        activity=projected,
        required=required_wte(projected, service_hours, sites, scenario_params),
        tasks=task_workload(projected, scenario_params),
    )
