"""The run's key figures: each headline number computed once, in one table every page reads.

:func:`compute_key_figures` takes the headline numbers from the results the notebooks already
wrote (the training pipeline's tables, and the demand and OOH tables when the run has them) and
never recomputes a model. :func:`write_key_figures` saves them as ``key_figures.csv`` in the run
folder; the training-gap report shows them on its first screen, the outputs index compares them
with the previous successful run, and a test checks that the report and its annex agree with
them.

Each row: ``figure`` (a stable id), ``label`` (plain English with the unit), ``value``,
``format`` (as in ``config/labels.yaml``), ``source`` (the table it comes from) and
``shown_on`` (the pages showing it, ``;``-separated).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from lsc_workforce.labels import load_labels
from lsc_workforce.safe_output import naming_path, write_csv

FILE_NAME = "key_figures.csv"
REPORT = "reports/training_gap_report.html"
ANNEX = "reports/training_gap_annex.xlsx"
NOTEBOOK_40 = "html/40_training_pipeline.html"
NOTEBOOK_50 = "html/50_training_gap_report.html"
#: Pages showing the IR and GI-bleed rota reconciliation (``rota_reconciliation.csv``), with
#: what each shows; the ``rota_*`` key figures list them in ``shown_on``.
RECONCILIATION_PAGES = {
    "html/20_demand_capacity.html": "notebook 20, Demand and capacity (the table per trust, "
    "with the gap)",
    "html/30_ooh_rota.html": "notebook 30, Out-of-hours rotas (the rota sizes beside the "
    "extra posts)",
    "html/40_training_pipeline.html": "notebook 40, Training pipeline (the floors are in the "
    "requirement of every projected year)",
    "html/50_training_gap_report.html": "notebook 50, Training-gap report (the table)",
    REPORT: "the training-gap report page (its rota floors section)",
}
PLAN = "optimised"
BASELINE = "status_quo"
CENTRAL = "central"
SCHEMA = {
    "figure": pl.String,
    "label": pl.String,
    "value": pl.Float64,
    "format": pl.String,
    "source": pl.String,
    "shown_on": pl.String,
}


def _row(figure: str, label: str, value: Any, fmt: str, source: str, shown_on: str) -> dict:  # noqa: PLR0917
    return {
        "figure": figure,
        "label": label,
        "value": None if value is None else float(value),
        "format": fmt,
        "source": source,
        "shown_on": shown_on,
    }


def _summary_value(run: Any, scenario: str, column: str) -> float | None:
    rows = run.summary.filter(
        (pl.col("scenario") == scenario) & (pl.col("demand_scenario") == CENTRAL)
    )
    return None if rows.height == 0 else rows[column][0]


def training_figures(run: Any) -> list[dict]:
    """Headline figures of the training pipeline (central demand)."""
    years = run.meta["years"]
    last = years[-1]
    both = f"{REPORT};{ANNEX};{NOTEBOOK_40};{NOTEBOOK_50}"
    rows = []
    for scenario, words in ((BASELINE, "today's intakes"), (PLAN, "the optimised plan")):
        for column, when in (
            ("shortfall_first_year_wte", "at the end of the first year"),
            ("shortfall_year5_wte", "after 5 years"),
            ("shortfall_last_year_wte", "at the end of the horizon"),
        ):
            rows.append(
                _row(
                    f"gap_{column.split('_')[1]}_{scenario}",
                    f"Shortfall {when}, {words} (WTE)",
                    _summary_value(run, scenario, column),
                    "wte",
                    "pipeline/summary",
                    both,
                )
            )
        for column, figure, what in (
            ("training_intake", "training_intake", "Trainees started over the horizon"),
            (
                "international_recruits",
                "international_recruits",
                "International recruits over the horizon (not training)",
            ),
        ):
            rows.append(
                _row(
                    f"{figure}_{scenario}",
                    f"{what}, {words} (people)",
                    _summary_value(run, scenario, column),
                    "count",
                    "pipeline/summary",
                    both,
                )
            )
        for column, what in (
            ("shortfall_p10_wte", "10th percentile"),
            ("shortfall_p50_wte", "median"),
            ("shortfall_p90_wte", "90th percentile"),
        ):
            rows.append(
                _row(
                    f"gap_{column.split('_')[1]}_{scenario}",
                    f"Shortfall at the target year over the simulated futures, {what}, {words} "
                    "(WTE)",
                    _summary_value(run, scenario, column),
                    "wte",
                    "pipeline/summary",
                    both,
                )
            )
        rows.append(
            _row(
                f"cost_{scenario}",
                f"Cost of all trainee-years over the horizon, {words} (£, undiscounted)",
                _summary_value(run, scenario, "total_cost_gbp"),
                "money",
                "pipeline/summary",
                both,
            )
        )
    rows.append(
        _row(
            f"p_gap_closed_{PLAN}",
            "Chance the optimised plan closes the gap by the target year (%)",
            _summary_value(run, PLAN, "p_gap_closed"),
            "percent",
            "pipeline/summary",
            both,
        )
    )
    supply = run.supply.filter(
        (pl.col("demand_scenario") == CENTRAL) & (pl.col("financial_year") == last)
    )
    labels = load_labels()
    for scenario in (BASELINE, PLAN):
        plan = supply.filter(pl.col("scenario") == scenario)
        for column, kind in (("staff_group", "staff_groups"), ("trust_code", "trusts")):
            totals = plan.group_by(column).agg(pl.col("shortfall_wte").sum()).sort(column)
            for code, value in totals.iter_rows():
                rows.append(
                    _row(
                        f"gap_last_{scenario}__{code}",
                        f"{labels.value(kind, code)}: shortfall at the end of the horizon, "
                        f"{labels.value('scenarios', scenario)} (WTE)",
                        value,
                        "wte",
                        "pipeline/supply",
                        ANNEX,
                    )
                )
    return rows


def demand_figures(output_dir: Path) -> list[dict]:
    """Rota floor and requirement per rota service from the demand notebook, when it ran.

    Read from its reconciliation table (rota headcount floor against workload need, trust by
    trust), so the figures are the ones notebook 20 shows; notebooks 30, 40 and 50 and the
    report show the same table or figures (:data:`RECONCILIATION_PAGES`).
    """
    name = "demand/tables/rota_reconciliation.csv"
    path = Path(output_dir) / name
    if not path.is_file():
        return []
    table = pl.read_csv(path)
    if not {"service", "rota_people", "required_wte"} <= set(table.columns):
        return []
    labels = load_labels()
    rows = []
    for service, people, required in (
        table.group_by("service")
        .agg(pl.col("rota_people").sum(), pl.col("required_wte").sum())
        .sort("service")
        .rows()
    ):
        rows += [
            _row(
                f"rota_people__{service}",
                f"{labels.value('services', service)}: people the rotas need, all trusts",
                people,
                "count",
                name,
                ";".join(RECONCILIATION_PAGES),
            ),
            _row(
                f"rota_required_wte__{service}",
                f"{labels.value('services', service)}: requirement, the larger of rota floor "
                "and workload per trust, all trusts (WTE)",
                required,
                "wte",
                name,
                ";".join(RECONCILIATION_PAGES),
            ),
        ]
    return rows


def ooh_figures(output_dir: Path) -> list[dict]:
    """Extra posts each OOH service and scenario needs for full cover, when notebook 30 ran."""
    path = Path(output_dir) / "ooh" / "scenario_comparison.csv"
    if not path.is_file():
        return []
    table = pl.read_csv(path)
    if not {"service", "scenario", "extra_posts"} <= set(table.columns):
        return []
    labels = load_labels()
    return [
        _row(
            f"extra_posts__{service}__{scenario}",
            f"{labels.value('services', service)}, {labels.value('scenarios', scenario)}"
            ": extra posts for full cover",
            posts,
            "count",
            "ooh/scenario_comparison.csv",
            "html/30_ooh_rota.html",
        )
        for service, scenario, posts in table.select("service", "scenario", "extra_posts").rows()
    ]


def compute_key_figures(run: Any, output_dir: str | Path) -> pl.DataFrame:
    """The run's key figures (see the module docstring).

    Args:
        run: the training pipeline's results (a ``PipelineRun``).
        output_dir: the run folder, for the demand and OOH tables.

    Returns:
        One row per figure.
    """
    rows = [*training_figures(run), *demand_figures(output_dir), *ooh_figures(output_dir)]
    return pl.DataFrame(rows, schema=SCHEMA)


def write_key_figures(figures: pl.DataFrame, output_dir: str | Path) -> Path:
    """Write ``<output_dir>/key_figures.csv``."""
    path = Path(output_dir) / FILE_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    with naming_path(path):
        write_csv(figures, path)
    return path


def read_key_figures(run_dir: str | Path) -> pl.DataFrame | None:
    """The key figures of a run folder, or ``None`` if it has none."""
    path = Path(run_dir) / FILE_NAME
    if not path.is_file():
        return None
    return pl.read_csv(path, schema_overrides=SCHEMA)


def figure_value(figures: pl.DataFrame, figure: str) -> float | None:
    """One figure's value (``None`` if absent)."""
    rows = figures.filter(pl.col("figure") == figure)
    return None if rows.height == 0 else rows["value"][0]
