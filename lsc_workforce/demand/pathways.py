"""Timed pathways: can each trust's reporting capacity meet each priority class in its timescale?

Each modality's examinations are split into priority classes (``config/demand/
priority_classes.csv``: stroke, cauda equina, inpatient and emergency, suspected cancer,
routine), each with a reporting timescale ``T`` in hours and a rank. Examinations whose reports
share a pool of reporters (a reporting task, e.g. CT head on the stroke pathway and other CT
both use ``ct_reporting``) are served in rank order: a class is reported after every class of a
lower rank in its pool.

Check of class ``k`` at a trust (a percentile check on a priority queue):

- arrivals are Poisson; ``lambda_j`` examinations an hour of class ``j`` (in-house share of a
  year's examinations / 8,766 hours) take ``e_j`` reporting hours each;
- the pool's capacity is ``c`` reporting hours per clock hour: the in-house reporting hours of
  the task times the coverage of the staff groups that report it (skill-mix share x service WTE
  in post / WTE required), spread over every hour of the year (reporting in and out of hours
  alike), so a fully staffed pool runs at utilisation 1;
- the class and those ranked before it bring ``w = sum(lambda_j e_j)`` hours of work an hour,
  a utilisation ``rho = w / c``; if ``rho >= 1`` the queue grows without bound and the class is
  **at risk** whatever its timescale;
- otherwise the ``p``-th percentile of the examinations arriving within ``T`` (Poisson with
  mean ``T sum(lambda_j)``) times their mean effort must fit in ``c T`` hours, else the class is
  **at risk**: a burst that large cannot be reported within the timescale even by reporters
  who put everything else aside.

The check is deliberately simple (no service-time distribution, no shift pattern); its status is
derived, and the timescales' statuses are those of ``priority_classes.csv``.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import polars as pl

from lsc_workforce.config import ConfigError
from lsc_workforce.demand.capacity import NOT_MODELLED, REPORTING_TASKS, CapacityParams
from lsc_workforce.demand.parameters import load_parameter_table, require_range

#: Clock hours in an average year (365.25 x 24).
HOURS_PER_YEAR = 8766.0
PRIORITY_COLUMNS = ("modality", "priority_class", "rank", "share", "report_within_hours")


def load_priority_classes(config_dir: Path) -> pl.DataFrame:
    """Read ``config_dir/demand/priority_classes.csv`` and check it.

    Raises:
        ConfigError: if a column is missing, a share or timescale is out of range, or the
            shares of a modality do not sum to 1.
    """
    path = Path(config_dir) / "demand" / "priority_classes.csv"
    classes = load_parameter_table(path, PRIORITY_COLUMNS)
    require_range(classes, "share", 0, 1, path.name)
    require_range(classes, "report_within_hours", 0.01, 24 * 366, path.name)
    sums = classes.group_by("modality").agg(pl.col("share").sum())
    off = sums.filter((pl.col("share") - 1).abs() > 1e-9)
    if off.height:
        raise ConfigError(f"{path.name}: shares of a modality must sum to 1: {off.rows()}")
    return classes


def poisson_quantile(mean: float, q: float) -> int:
    """Smallest ``n`` with ``P(N <= n) >= q`` for ``N ~ Poisson(mean)``.

    Args:
        mean: the Poisson mean (>= 0).
        q: the probability, in (0, 1).

    Returns:
        The quantile (0 when the mean is 0).
    """
    if mean <= 0:
        return 0
    top = int(mean + 12 * math.sqrt(mean) + 20)
    k = np.arange(top + 1, dtype=float)
    log_p = -mean + k * math.log(mean) - np.array([math.lgamma(x + 1) for x in k])
    cdf = np.cumsum(np.exp(log_p))
    return int(np.searchsorted(cdf, q - 1e-12))


def pathway_check(
    demand: pl.DataFrame, capacity: pl.DataFrame, classes: pl.DataFrame, percentile: float
) -> pl.DataFrame:
    """Check every priority class against its trust's reporting capacity (module docstring).

    Args:
        demand: ``trust_code``, ``task``, ``modality``, ``exams_year`` (in-house examinations
            a year) and ``effort_hours`` (reporting hours per examination).
        capacity: ``trust_code``, ``task``, ``capacity_hours_year`` (reporting hours a year).
        classes: the priority classes (:func:`load_priority_classes`).
        percentile: the percentile ``p`` of the arrivals in a timescale (e.g. 0.9).

    Returns:
        One row per trust, task, modality and class: ``rank``, ``report_within_hours``,
        ``exams_year``, ``utilisation`` (of the class and those before it), ``work_hours``
        (reporting hours of the ``p``-th percentile of arrivals within the timescale),
        ``capacity_hours`` (capacity within the timescale), ``at_risk`` and ``reason``.

    Raises:
        ConfigError: if the percentile is not in (0, 1).
    """
    if not 0 < percentile < 1:
        raise ConfigError(f"pathway percentile must lie in (0, 1), not {percentile}")
    rows = (
        demand.join(classes.select(PRIORITY_COLUMNS), on="modality")
        .join(capacity, on=["trust_code", "task"], how="left")
        .with_columns(
            pl.col("capacity_hours_year").fill_null(0.0),
            (pl.col("exams_year") * pl.col("share") / HOURS_PER_YEAR).alias("rate"),
        )
        .sort("trust_code", "task", "rank", "modality")
    )
    out = []
    for (trust, task), pool in rows.group_by(["trust_code", "task"], maintain_order=True):
        c = pool["capacity_hours_year"][0] / HOURS_PER_YEAR
        for row in pool.iter_rows(named=True):
            before = pool.filter(pl.col("rank") <= row["rank"])
            rate = float(before["rate"].sum())
            work_rate = float((before["rate"] * before["effort_hours"]).sum())
            effort = work_rate / rate if rate > 0 else 0.0
            hours = row["report_within_hours"]
            utilisation = work_rate / c if c > 0 else math.inf
            work = poisson_quantile(rate * hours, percentile) * effort
            window = c * hours
            if utilisation >= 1:
                reason = "capacity below the work of this class and those before it"
            elif work > window:
                reason = f"a {percentile:.0%} burst within {hours:g} h exceeds the capacity"
            else:
                reason = ""
            out.append(
                {
                    "trust_code": trust,
                    "task": task,
                    "modality": row["modality"],
                    "priority_class": row["priority_class"],
                    "rank": row["rank"],
                    "report_within_hours": float(hours),
                    "exams_year": row["exams_year"] * row["share"],
                    "utilisation": utilisation,
                    "work_hours": work,
                    "capacity_hours": window,
                    "at_risk": bool(reason),
                    "reason": reason,
                }
            )
    return pl.DataFrame(out).sort("trust_code", "task", "rank", "modality")


def reporting_pathways(
    annual: pl.DataFrame,
    gap: pl.DataFrame,
    params: CapacityParams,
    classes: pl.DataFrame,
) -> pl.DataFrame:
    """The timed-pathway check of one year's activity against today's reporting staff.

    Args:
        annual: yearly activity (:func:`~lsc_workforce.demand.capacity.annual_activity`).
        gap: :func:`~lsc_workforce.demand.capacity.gap_table` (``required_wte`` and
            ``service_wte`` per trust and staff group).
        params: capacity parameters (effort per examination, ``pathway_percentile``).
        classes: the priority classes.

    Returns:
        :func:`pathway_check` for every reporting task.
    """
    effort = params.effort.filter(pl.col("task").is_in(REPORTING_TASKS)).select(
        "modality", "task", (pl.col("effort_per_exam") / 60).alias("effort_hours")
    )
    demand = (
        annual.group_by("trust_code", "modality")
        .agg((pl.col("examinations") - pl.col("outsourced_reports")).sum().alias("exams_year"))
        .join(effort, on="modality")
    )
    coverage = gap.select(
        "trust_code",
        "staff_group",
        pl.when(pl.col("required_wte") > 0)
        .then(pl.col("service_wte") / pl.col("required_wte"))
        .otherwise(0.0)
        .alias("coverage"),
    )
    # Share of each task's in-house reporting hours the staff in post can deliver: the skill
    # mix weighted by each staff group's coverage (work of groups outside the model counts
    # as covered).
    covered = (
        params.skill_mix.join(demand.select("trust_code").unique(), how="cross")
        .join(coverage, on=["trust_code", "staff_group"], how="left")
        .group_by("trust_code", "task")
        .agg(
            (
                pl.col("share")
                * pl.when(pl.col("staff_group") == NOT_MODELLED)
                .then(1.0)
                .otherwise(pl.col("coverage").fill_null(0.0))
            )
            .sum()
            .alias("covered")
        )
    )
    capacity = (
        demand.group_by("trust_code", "task")
        .agg((pl.col("exams_year") * pl.col("effort_hours")).sum().alias("hours"))
        .join(covered, on=["trust_code", "task"], how="left")
        .select(
            "trust_code",
            "task",
            (pl.col("hours") * pl.col("covered").fill_null(0.0)).alias("capacity_hours_year"),
        )
    )
    return pathway_check(demand, capacity, classes, params.value("pathway_percentile"))
