"""Charts of the demand notebook: activity trend with forecast, and supply-versus-demand fans.

Bar and heat-map charts come from :mod:`lsc_workforce.charts`; this module adds the two chart
types specific to demand. All use the NHS theme and render offline (save them with
:func:`lsc_workforce.charts.save_chart`).
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import polars as pl

from lsc_workforce.charts import NHS_COLOURS, register_theme


def plot_trend(
    trend: pl.DataFrame, modalities: Sequence[str], title: str, columns: int = 2
) -> alt.FacetChart:
    """Monthly examinations (points) with the fitted trend and forecast (lines), by trust.

    Args:
        trend: output of :func:`~lsc_workforce.demand.forecast.history_and_forecast`.
        modalities: modalities to show, one panel each.
        title: chart title.
        columns: panels per row.

    Returns:
        The faceted chart.
    """
    register_theme(enable=True)
    data = trend.filter(pl.col("modality").is_in(list(modalities)))
    base = alt.Chart(data).encode(
        x=alt.X("month:T", title="Month"),
        color=alt.Color("trust_code:N", title="Trust"),
    )
    observed = base.mark_point(size=14, filled=True, opacity=0.6).encode(
        y=alt.Y("examinations:Q", title="Examinations a month"),
        tooltip=["trust_code", "month:T", alt.Tooltip("examinations:Q", format=",.0f")],
    )
    fitted = base.mark_line(strokeWidth=1.5).encode(y="forecast:Q")
    return (
        alt.layer(observed, fitted)
        .properties(width=300, height=180)
        .facet(facet=alt.Facet("modality:N", title=None), columns=columns)
        .resolve_scale(y="independent")
        .properties(title=title)
    )


def plot_fan(quantiles: pl.DataFrame, title: str, columns: int = 3) -> alt.FacetChart:
    """Available WTE (P10-P90 band and P50 line) against required WTE (P50, dashed).

    Args:
        quantiles: output of ``MonteCarloResult.summary(by=("staff_group",))``.
        title: chart title.
        columns: panels per row.

    Returns:
        The faceted chart, one panel per staff group.
    """
    register_theme(enable=True)
    base = alt.Chart(quantiles).encode(x=alt.X("year:O", title="Financial year (starting)"))
    band = base.mark_area(opacity=0.25, color=NHS_COLOURS["nhs_blue"]).encode(
        y=alt.Y("available_p10:Q", title="WTE"), y2="available_p90:Q"
    )
    available = base.mark_line(color=NHS_COLOURS["nhs_blue"]).encode(
        y="available_p50:Q",
        tooltip=[
            "fy_label",
            alt.Tooltip("available_p10:Q", format=",.1f", title="Available P10"),
            alt.Tooltip("available_p50:Q", format=",.1f", title="Available P50"),
            alt.Tooltip("available_p90:Q", format=",.1f", title="Available P90"),
        ],
    )
    demand_band = base.mark_area(opacity=0.15, color=NHS_COLOURS["orange"]).encode(
        y="required_p10:Q", y2="required_p90:Q"
    )
    required = base.mark_line(color=NHS_COLOURS["orange"], strokeDash=[6, 3]).encode(
        y="required_p50:Q",
        tooltip=[
            "fy_label",
            alt.Tooltip("required_p50:Q", format=",.1f", title="Required P50"),
            alt.Tooltip("gap_p50:Q", format=",.1f", title="Gap P50"),
        ],
    )
    return (
        alt.layer(demand_band, band, required, available)
        .properties(width=220, height=160)
        .facet(facet=alt.Facet("staff_group:N", title=None), columns=columns)
        .resolve_scale(y="independent")
        .properties(title=title)
    )
