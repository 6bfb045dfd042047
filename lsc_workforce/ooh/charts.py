"""Charts of the OOH analysis: rota calendar, per-person load and coverage gaps.

All charts use the project's NHS theme and render offline (``lsc_workforce.charts``).
"""

from __future__ import annotations

import altair as alt
import polars as pl

from lsc_workforce.charts import plot_bar

__all__ = ["plot_coverage_gaps", "plot_person_load", "plot_rota_calendar"]


def plot_rota_calendar(roster: pl.DataFrame, title: str) -> alt.Chart:
    """Calendar heat map: one row per person, one column per date, coloured by shift.

    Args:
        roster: ``staff_id, date, pattern, rota`` rows (one per shift held).
        title: chart title.

    Returns:
        The chart.
    """
    frame = roster.select("staff_id", pl.col("date").cast(pl.String), "pattern", "rota")
    height = max(120, 9 * frame.get_column("staff_id").n_unique())
    return (
        alt.Chart(frame)
        .mark_rect()
        .encode(
            x=alt.X("date:O", title="Date", axis=alt.Axis(labelAngle=-90, labelOverlap=True)),
            y=alt.Y("staff_id:N", title="Person (pseudonymised)", sort="ascending"),
            color=alt.Color("pattern:N", title="Shift"),
            tooltip=["staff_id:N", "date:O", "pattern:N", "rota:N"],
        )
        .properties(title=title, width=720, height=height)
    )


def plot_person_load(load: pl.DataFrame, title: str) -> alt.Chart:
    """Days held per WTE for each eligible person, coloured by rota."""
    frame = load.filter(pl.col("eligible")).select("staff_id", "rota", "load_per_wte")
    return plot_bar(
        frame,
        category="staff_id",
        value="load_per_wte",
        colour="rota",
        title=title,
        value_title="Days held per WTE over the horizon",
    )


def plot_coverage_gaps(comparison: pl.DataFrame, title: str) -> alt.Chart:
    """Uncovered shifts by service and scenario (grouped bars)."""
    frame = comparison.select("service", "scenario", "uncovered_shifts")
    return plot_bar(
        frame,
        category="service",
        value="uncovered_shifts",
        colour="scenario",
        title=title,
        value_title="Uncovered shifts over the horizon",
        value_format=",.0f",
        stack=False,
    )
