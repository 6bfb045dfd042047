"""One-call helpers for ``notebooks/30_ooh_rota.ipynb`` (the notebook only narrates).

:func:`run_notebook_analysis` turns the notebook's parameters into an :class:`OohAnalysis`;
:func:`describe_analysis` writes the plain-English summary; :func:`comparison_view`,
:func:`cost_view` and :func:`compliance_view` give the tables shown; :func:`write_outputs`
is re-exported from ``ooh.outputs``.
"""

from __future__ import annotations

import logging

import polars as pl

from lsc_workforce.config import ConfigError, RunConfig
from lsc_workforce.data import load_datasets
from lsc_workforce.ooh.analysis import OohAnalysis, run_analysis
from lsc_workforce.ooh.build import DATASETS
from lsc_workforce.ooh.inputs import load_ooh_config
from lsc_workforce.ooh.outputs import write_outputs

__all__ = [
    "comparison_view",
    "compliance_view",
    "cost_view",
    "describe_analysis",
    "run_notebook_analysis",
    "write_outputs",
]

LOGGER = logging.getLogger(__name__)


def run_notebook_analysis(
    cfg: RunConfig,
    *,
    services: list[str],
    scenarios: list[str],
    horizon_weeks: int,
    preset: str | None,
    extra_headcount: bool = True,
    validate_config: bool = True,
) -> OohAnalysis:
    """Load the OOH configuration and data, then run every service x scenario.

    Args:
        cfg: the notebook's run configuration (data and config folders, "as at" date, and
            ``cfg.solver``: solver, time limit, gap and threads of each rota solve).
        services: service ids (empty: all).
        scenarios: scenario ids (empty: all; those that do not apply to a service are skipped).
        horizon_weeks: horizon from the "as at" date, in weeks (13 by default; 52 works).
        preset: rule preset for every service, or ``None`` for each service's own.
        extra_headcount: find the exact extra headcount where cover falls short.
        validate_config: check the configuration tables against their data contracts.

    Returns:
        The analysis.

    Raises:
        ConfigError: for an unknown service, scenario or preset, or a horizon under 1 week.
    """
    if horizon_weeks < 1:
        raise ConfigError(f"HORIZON_WEEKS must be at least 1, not {horizon_weeks}")
    ooh_cfg = load_ooh_config(cfg.config_dir, validate=validate_config)
    if preset:
        ooh_cfg.preset(preset)
    frames = load_datasets(cfg.data_dir, DATASETS)
    LOGGER.info("OOH analysis: %s x %s over %d weeks", services, scenarios, horizon_weeks)
    return run_analysis(
        ooh_cfg,
        frames,
        start=cfg.as_at,
        n_days=7 * horizon_weeks,
        settings=cfg.solver,
        services=services or None,
        scenarios=scenarios or None,
        preset_name=preset,
        headcount=extra_headcount,
    )


def comparison_view(analysis: OohAnalysis) -> pl.DataFrame:
    """The scenario comparison with rounded, readable columns."""
    return analysis.comparison().select(
        "service",
        "scenario",
        "status",
        pl.col("gap").round(4),
        "people",
        "shifts_wanted",
        "uncovered_shifts",
        pl.col("rota_one_in").round(1),
        pl.col("load_spread_per_wte").round(1),
        "hard_breaches",
        pl.col("annual_cost_gbp").round(0),
        "extra_posts",
    )


def cost_view(analysis: OohAnalysis) -> pl.DataFrame:
    """Annual cost by service x scenario and component (GBP, price year in the column)."""
    rows = [
        {
            "service": r.service_id,
            "scenario": r.scenario_id,
            **{k: round(v) for k, v in r.cost.items()},
        }
        for r in analysis.results
    ]
    return pl.DataFrame(rows).with_columns(pl.lit(analysis.price_year).alias("price_year"))


def compliance_view(analysis: OohAnalysis) -> pl.DataFrame:
    """Per-rule compliance summed over the rotas of each service x scenario."""
    return (
        analysis.compliance()
        .group_by("service", "scenario", "rule", "status", maintain_order=True)
        .agg(
            pl.col("hard_breaches").sum(),
            pl.col("soft_breaches").sum(),
            pl.col("compliant").all(),
        )
    )


def describe_analysis(analysis: OohAnalysis) -> str:
    """Plain-English summary: horizon, statuses, coverage and the extra-headcount sentences."""
    table = analysis.comparison()
    weeks = analysis.n_days / 7
    end = analysis.start.toordinal() + analysis.n_days - 1
    lines = [
        f"**Horizon:** {weeks:g} weeks from {analysis.start.isoformat()} to "
        f"{type(analysis.start).fromordinal(end).isoformat()} ({analysis.n_days} days). "
        f"Costs are annual, at {analysis.price_year} prices.",
        "",
    ]
    not_optimal = table.filter(pl.col("status") != "optimal")
    if not_optimal.is_empty():
        lines.append("Every rota was solved to proven optimality.")
    else:
        names = ", ".join(
            f"{r['service']} × {r['scenario']} ({r['status']}, gap {r['gap'] or 0:.1%})"
            for r in not_optimal.iter_rows(named=True)
        )
        lines.append(f"Not proven optimal within the time limit: {names}.")
    lines += ["", "**Extra headcount for full compliant cover:**", ""]
    lines += [f"- {sentence}" for sentence in analysis.sentences()]
    return "\n".join(lines)
