"""One-call helpers for ``notebooks/30_ooh_rota.ipynb`` (the notebook only narrates).

:func:`run_notebook_analysis` turns the notebook's parameters into an :class:`OohAnalysis`;
:func:`load_sites` reads the ``sites`` dataset (names for calendars and trusts of sites);
:func:`verdict_view` answers first: for each service and trust, whether each scenario covers
it within the hard rules and, if not, what is missing; :func:`describe_analysis` writes the
plain-English summary; :func:`comparison_view`, :func:`solver_view`, :func:`cost_view`,
:func:`work_view` and :func:`compliance_view` give the other tables shown;
:func:`draw_calendars` draws and saves a calendar of every rota; :func:`write_outputs` writes
the files.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl

from lsc_workforce.charts import save_chart
from lsc_workforce.config import ConfigError, RunConfig
from lsc_workforce.data import load_datasets
from lsc_workforce.labels import load_labels
from lsc_workforce.ooh import outputs
from lsc_workforce.ooh.analysis import OohAnalysis, run_analysis
from lsc_workforce.ooh.build import DATASETS
from lsc_workforce.ooh.charts import plot_rota_calendar
from lsc_workforce.ooh.inputs import load_ooh_config
from lsc_workforce.ooh.pay import COST_PARTS, PAY_DATASETS
from lsc_workforce.ooh.rota_size import rota_sizes
from lsc_workforce.ooh.workload import teleradiology_options, workload_view
from lsc_workforce.publication import run_meta

__all__ = [
    "about_page",
    "comparison_view",
    "compliance_view",
    "cost_view",
    "describe_analysis",
    "draw_calendars",
    "gaps_view",
    "load_sites",
    "run_notebook_analysis",
    "solver_view",
    "verdict_view",
    "left_out_view",
    "workload_page",
    "teleradiology_view",
    "rota_size_view",
    "reconciliation",
    "work_view",
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
    frames = load_datasets(cfg.data_dir, (*DATASETS, *PAY_DATASETS))
    LOGGER.info("OOH analysis: %s x %s over %d weeks", services, scenarios, horizon_weeks)
    with _no_native_stdout():
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


@contextlib.contextmanager
def _no_native_stdout() -> Iterator[None]:
    """Silence what native code prints to the process's standard output (HiGHS's banner).

    In a notebook kernel that output would be shown on the page; Python's own ``print`` and
    logging are unaffected (the kernel does not write them to file descriptor 1).
    """
    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:  # no file descriptor 1 to silence
        yield
        return
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def load_sites(cfg: RunConfig) -> pl.DataFrame:
    """The ``sites`` dataset of the run (site code, trust code and site name)."""
    return load_datasets(cfg.data_dir, ("sites",))["sites"]


def _site_names(sites: pl.DataFrame) -> dict[str, str]:
    return dict(sites.select("site_code", "site_name").iter_rows())


def verdict_view(analysis: OohAnalysis, sites: pl.DataFrame) -> pl.DataFrame:
    """The answer first: service x trust rows, one column of verdicts per scenario.

    Each cell is the trust's verdict (:func:`lsc_workforce.ooh.analysis.verdicts`): covered
    compliantly, or the shifts uncovered and the posts missing with their competency, or the
    site left without local cover. A scenario that does not serve the trust leaves it empty.
    """
    labels = load_labels()
    trusts = list(labels.values.get("trusts", {}))
    tidy = analysis.verdicts(sites)
    scenarios = list(dict.fromkeys(tidy.get_column("scenario").to_list()))
    services = list(dict.fromkeys(tidy.get_column("service").to_list()))
    wide = (
        tidy.pivot(
            on="scenario",
            index=["service", "trust_code"],
            values="verdict",
            aggregate_function="first",
        )
        .with_columns(
            _service=pl.col("service").replace_strict(
                {s: k for k, s in enumerate(services)}, return_dtype=pl.Int64
            ),
            _trust=pl.col("trust_code").replace_strict(
                {t: k for k, t in enumerate(trusts)}, default=len(trusts), return_dtype=pl.Int64
            ),
        )
        .sort("_service", "_trust", "trust_code")
    )
    return wide.select(
        "service",
        "trust_code",
        *(pl.col(s).alias(labels.value("scenarios", s)) for s in scenarios),
    )


def left_out_view(analysis: OohAnalysis, sites: pl.DataFrame) -> pl.DataFrame:
    """Served sites that hold no slot of the scenario, with the site's name.

    Each is served by transfer, kept as a local slot or left without local cover
    (``OohAnalysis.site_cover``); sites whose patients are treated where they arrive (remote
    reporting, a slot at every site) are not listed.
    """
    names = _site_names(sites)
    return (
        analysis.site_cover()
        .filter(~pl.col("local_cover").is_in(["slot", "own_site"]))
        .with_columns(
            pl.col("site_code").replace_strict(names, default=pl.col("site_code")),
            pl.col("slot_site").replace_strict(names, default=pl.col("slot_site")),
        )
        .drop("rota")
    )


def workload_page(analysis: OohAnalysis, sites: pl.DataFrame) -> pl.DataFrame:
    """The workload each slot faces (``ooh.workload.workload_view``), sites by name."""
    names = _site_names(sites)
    return workload_view(analysis.workload()).with_columns(
        pl.col("site").replace_strict(names, default=pl.col("site"))
    )


def teleradiology_view(cfg: RunConfig) -> pl.DataFrame:
    """The teleradiology lever at each configured share, from the run's activity extract.

    See :func:`lsc_workforce.ooh.workload.teleradiology_options`.
    """
    activity = load_datasets(cfg.data_dir, ("activity",))["activity"]
    return teleradiology_options(load_ooh_config(cfg.config_dir), activity, cfg.as_at).drop(
        "status"
    )


def rota_size_view(cfg: RunConfig, scenarios: list[str], services: list[str]) -> pl.DataFrame:
    """People each rota needs beside the competent staff who can reach it.

    See :func:`lsc_workforce.ooh.rota_size.rota_sizes`; the demand model's rota floors read the
    same function.
    """
    frames = load_datasets(
        cfg.data_dir,
        ("sites", "site_travel_times", "staff_in_post", "staff_competencies", "leave", "activity"),
    )
    table = rota_sizes(
        load_ooh_config(cfg.config_dir), frames, cfg.as_at, scenarios or None, services or None
    )
    return table.drop("trusts", "slot_sites")


def reconciliation(cfg: RunConfig) -> tuple[pl.DataFrame, str]:
    """The IR and GI-bleed rota reconciliation notebooks 20, 40 and 50 show, with its reading.

    See :func:`lsc_workforce.demand.analysis.reconciliation_today` (computed from the extracts,
    never from notebook 20's outputs) and ``describe_reconciliation``.
    """
    from lsc_workforce.demand import analysis as demand  # noqa: PLC0415 - heavy, lazy

    table = demand.reconciliation_today(cfg.data_dir, cfg.config_dir, cfg.as_at)
    return table, demand.describe_reconciliation(table)


def comparison_view(analysis: OohAnalysis) -> pl.DataFrame:
    """The scenario comparison: cover, extra posts, frequency, fairness and breaches.

    The solver's own figures (status, optimality gap, time) are in :func:`solver_view`, apart
    from the uncovered shifts: a roster proven optimal can still leave shifts uncovered.
    """
    return analysis.comparison().select(
        "service",
        "scenario",
        "rotas",
        "people",
        "shifts_wanted",
        "uncovered_shifts",
        "extra_posts",
        "extra_posts_for_rota_size",
        "extra_posts_for_leave",
        pl.col("rota_one_in").round(1),
        pl.col("load_spread_per_wte").round(1),
        "hard_breaches",
        "cross_rota_clashes",
        "night_team_size",
        "nights_in_blocks_share",
        "compensatory_rest_hours_per_year",
    )


def solver_view(analysis: OohAnalysis) -> pl.DataFrame:
    """How well each rota was solved: the worst solver status, its optimality gap and time.

    The optimality gap is the solver's distance from the proven best objective value, not a
    shortfall of cover. A rota identical to one solved earlier in the run takes its roster
    (:func:`lsc_workforce.ooh.analysis.solve_once`) and adds 0 seconds.
    """
    return analysis.comparison().select(
        "service",
        "scenario",
        "rotas",
        pl.col("status").alias("solver_status"),
        pl.col("gap").alias("solver_gap"),
        "extra_posts_proven",
        "solve_s",
    )


def gaps_view(analysis: OohAnalysis) -> pl.DataFrame:
    """Uncovered shifts by rota and shift: how many, first and last date, the commonest reason.

    Every uncovered shift with its own reasons is in ``uncovered.csv``.
    """
    gaps = analysis.gaps()
    return gaps.group_by("service", "scenario", "rota", "pattern", maintain_order=True).agg(
        pl.col("missing").sum().alias("uncovered_shifts"),
        pl.col("date").min().alias("first_date"),
        pl.col("date").max().alias("last_date"),
        pl.col("reasons").mode().sort().first().alias("commonest_reason"),
    )


def about_page(output_dir: Path) -> str:
    """The run's metadata as Markdown: publication date, data, run id, version, contact."""
    return "\n".join(f"- **{label}:** {value}" for label, value in run_meta(output_dir).lines())


def draw_calendars(analysis: OohAnalysis, sites: pl.DataFrame, out_dir: Path) -> list[Any]:
    """A calendar of every rota, one chart per service x scenario, saved as HTML and SVG.

    Args:
        analysis: the analysis.
        sites: the ``sites`` dataset (site names of site-by-site rotas).
        out_dir: chart folder; each chart is ``ooh_calendar__<service>__<scenario>``.

    Returns:
        The charts, in the order of the analysis.
    """
    labels = load_labels()
    names = _site_names(sites)
    charts = []
    for result in analysis.results:
        title = (
            f"{labels.value('services', result.service_id)}: "
            f"{labels.value('scenarios', result.scenario_id)}"
        )
        chart = plot_rota_calendar(result, names, title)
        save_chart(chart, f"ooh_calendar__{result.key}", out_dir)
        charts.append(chart)
    return charts


def write_outputs(analysis: OohAnalysis, out_dir: Path, sites: pl.DataFrame) -> list[Path]:
    """Every OOH output file (:func:`lsc_workforce.ooh.outputs.write_outputs`).

    The site names of ``sites`` are the calendars' locations.
    """
    return outputs.write_outputs(analysis, out_dir, _site_names(sites))


def cost_view(analysis: OohAnalysis) -> pl.DataFrame:
    """Annual cost by service x scenario and component (GBP a year).

    At ``analysis.price_year`` prices, with the uncovered shifts and the scenario's cost rank
    within its service, without and with the cost of uncovered shifts.
    """
    ranks = analysis.comparison().select(
        "service",
        "scenario",
        "uncovered_shifts",
        "cost_rank_without_uncovered",
        "cost_rank_with_uncovered",
    )
    rows = [
        {
            "service": r.service_id,
            "scenario": r.scenario_id,
            **{k: round(r.cost[k]) for k in (*COST_PARTS, "pay_gbp", "uncovered_gbp", "total_gbp")},
        }
        for r in analysis.results
    ]
    return pl.DataFrame(rows).join(
        ranks, on=["service", "scenario"], how="left", maintain_order="left"
    )


def work_view(analysis: OohAnalysis) -> pl.DataFrame:
    """On-call work of each consultant rota, with the status of the estimate.

    A year's out-of-hours cases, those outsourced or done by registrars, the tier's cases and
    hours, and its PAs a week (premium-time PAs), predictable and unpredictable.
    """
    return (
        analysis.work()
        .filter(pl.col("status") != "none")
        .with_columns(
            pl.col("ooh_cases", "outsourced_cases", "registrar_cases", "tier_cases", "tier_hours")
            .round(0)
            .cast(pl.Int64),
            pl.col("pa_week", "predictable_pa_week", "unpredictable_pa_week").round(2),
        )
        .rename({"status": "estimate_status"})
    )


def compliance_view(analysis: OohAnalysis) -> pl.DataFrame:
    """Per-rule compliance of each service, summed over its scenarios and rotas.

    With each rule's status, whether the roster must meet it (``roster``) or it is only
    reported (``reported``), the scenarios checked and whether every one meets it. Meeting
    every hard rule says nothing about cover (see :func:`verdict_view`).
    """
    return (
        analysis.compliance()
        .group_by("service", "rule", "status", "applies", maintain_order=True)
        .agg(
            pl.col("scenario").n_unique().alias("scenarios_checked"),
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
