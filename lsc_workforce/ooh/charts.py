"""Charts of the OOH analysis: rota calendars, per-person load and coverage gaps.

All charts use the project's NHS theme and render offline (``lsc_workforce.charts``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import altair as alt
import polars as pl

from lsc_workforce.charts import NHS_COLOURS, plot_bar
from lsc_workforce.labels import load_labels
from lsc_workforce.ooh.analysis import ScenarioResult
from lsc_workforce.tables import label_frame

__all__ = [
    "calendar_frame",
    "plot_coverage_gaps",
    "plot_load_spread",
    "plot_rota_calendar",
]


WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
#: Cell colours of the rota calendar: light fills under dark text; white text on dark red.
CALENDAR_COLOURS = {
    "Weekday": "#C8E2F5",
    "Weekend or bank holiday": "#FFD98A",
    "Uncovered": NHS_COLOURS["dark_red"],
}
_CELL_WIDTH = 64
_LINE = 12  # height of one line of ids in a cell (px)
#: Band behind alternate weeks (it shows in the gaps between the cells).
_WEEK_BAND = "#B8C2C8"


def _rota_label(rota: str) -> str:
    """A rota's name for people: a trust's label, ``Network rota``, or ``Preston hub``.

    A rota split by reach (``network:A+B``) keeps its sites in brackets.
    """
    name, _, sites = rota.partition(":")
    labels = load_labels()
    if name.isupper():  # a trust's own rota is named by its trust code
        text = labels.value("trusts", name)
    elif name == "network":
        text = "Network rota"
    else:
        text = name.replace("_", " ").capitalize()
    return f"{text} ({sites.replace('+', ', ')})" if sites else text


def calendar_frame(result: ScenarioResult, site_names: Mapping[str, str]) -> pl.DataFrame:
    """One row per rota panel and date of the horizon: who holds it, or what is uncovered.

    A panel is a rota, or a rota's site when the service is covered site by site (or the rota
    has several sites). Days are weekday or weekend (Saturdays, Sundays and England bank
    holidays, the days weekend shifts run); a day with a shift short of cover is
    ``Uncovered``.

    Args:
        result: one service x scenario.
        site_names: ``{site code: site name}`` (the ``sites`` dataset).

    Returns:
        ``panel, date, week, weekday, day, kind, text, odd_week``: ``week`` is the Monday
        that starts the date's week as ``w/c 1 Jun 2026``; ``text`` the ids of the people
        holding the day (one a line) and any uncovered count.
    """
    roster = result.roster()
    gaps = result.gaps
    rows = []
    for solution in result.solutions:
        instance = solution.instance
        sites = list(dict.fromkeys(slot.site for slot in instance.slots.values()))
        by_site = instance.service.cover_unit == "site" or len(sites) > 1
        first_monday = instance.dates[0] - dt.timedelta(days=instance.dates[0].weekday())
        for site in sites:
            if by_site:  # the site's name replaces the sites of a split rota's name
                where = site_names.get(site, site) if site else "no fixed site"
                panel = f"{_rota_label(instance.rota.partition(':')[0])} · {where}"
            else:
                panel = _rota_label(instance.rota)
            held = roster.filter((pl.col("rota") == instance.rota) & (pl.col("site") == site))
            short = gaps.filter((pl.col("rota") == instance.rota) & (pl.col("site") == site))
            people = dict(
                held.group_by("date")
                .agg(pl.col("staff_id").unique().sort().str.join("\n"))
                .iter_rows()
            )
            missing = dict(short.group_by("date").agg(pl.col("missing").sum()).iter_rows())
            for date in instance.dates:
                monday = date - dt.timedelta(days=date.weekday())
                weekend = date.weekday() >= 5 or date in instance.holidays
                text = people.get(date, "")
                if missing.get(date):
                    short_text = "uncovered" if not text else f"{missing[date]} uncovered"
                    text = "\n".join(t for t in (text, short_text) if t)
                rows.append(
                    {
                        "panel": panel,
                        "date": date,
                        "week": f"w/c {monday.day} {monday:%b %Y}",
                        "weekday": WEEKDAYS[date.weekday()],
                        "day": f"{date.day} {date:%b}",
                        "kind": "Uncovered"
                        if missing.get(date)
                        else ("Weekend or bank holiday" if weekend else "Weekday"),
                        "text": text,
                        "odd_week": ((monday - first_monday).days // 7) % 2 == 1,
                    }
                )
    return pl.DataFrame(
        rows,
        schema={
            "panel": pl.String,
            "date": pl.Date,
            "week": pl.String,
            "weekday": pl.String,
            "day": pl.String,
            "kind": pl.String,
            "text": pl.String,
            "odd_week": pl.Boolean,
        },
    )


def plot_rota_calendar(
    result: ScenarioResult, site_names: Mapping[str, str], title: str
) -> alt.ConcatChart:
    """Calendar of a service x scenario: one month-style grid per rota (small multiples).

    Weeks run down (labelled by their Monday), weekdays across; each cell shows its date and
    the pseudonymised ids of the people holding it, shaded weekday, weekend or bank holiday,
    or uncovered (dark red). Alternate weeks sit on a grey band.

    Args:
        result: one service x scenario.
        site_names: ``{site code: site name}`` for panels of site-by-site rotas.
        title: chart title.

    Returns:
        The chart (static SVG in notebooks, like every chart here).
    """
    frame = calendar_frame(result, site_names)
    lines = max(1, *(t.count("\n") + 1 for t in frame.get_column("text").to_list()))
    height = 18 + _LINE * lines + 6  # date line, the ids, a margin
    weeks = frame.sort("date").get_column("week").unique(maintain_order=True).to_list()
    panels = frame.get_column("panel").unique(maintain_order=True).to_list()
    x = alt.X(
        "weekday:O",
        sort=list(WEEKDAYS),
        title=None,
        axis=alt.Axis(orient="top", labelAngle=0, labelFontSize=11, ticks=False, domain=False),
        scale=alt.Scale(paddingInner=0, paddingOuter=0),
    )
    y = alt.Y(
        "week:O",
        sort=weeks,
        title=None,
        axis=alt.Axis(labelFontSize=11, ticks=False, domain=False),
        scale=alt.Scale(paddingInner=0, paddingOuter=0),
    )
    base = alt.Chart().encode(x=x, y=y)
    band = base.mark_rect().encode(
        color=alt.condition("datum.odd_week", alt.value(_WEEK_BAND), alt.value("#FFFFFF"))
    )
    cells = base.mark_rect(width={"band": 0.9}, height={"band": 0.84}).encode(
        color=alt.Color(
            "kind:N",
            title="Day",
            scale=alt.Scale(domain=list(CALENDAR_COLOURS), range=list(CALENDAR_COLOURS.values())),
            legend=alt.Legend(orient="top", direction="horizontal", columnPadding=28),
        ),
        tooltip=[
            alt.Tooltip("date:T", title="Date", format="%a %d %b %Y"),
            alt.Tooltip("kind:N", title="Day"),
            alt.Tooltip("text:N", title="Held by"),
        ],
    )
    dark = alt.condition(
        "datum.kind == 'Uncovered'", alt.value("#FFFFFF"), alt.value(NHS_COLOURS["dark_blue"])
    )
    top = -height / 2
    day = base.mark_text(align="left", baseline="top", dx=-27, dy=top + 4, fontSize=9).encode(
        text="day:N", color=dark
    )
    people = base.mark_text(
        baseline="top", dy=top + 16, fontSize=10, lineBreak="\n", lineHeight=_LINE
    ).encode(text="text:N", color=dark)
    # One chart a panel, titled above its weekday axis, two a row (a facet would put the
    # panel's name between the weekdays and the calendar).
    panels_charts = [
        alt.layer(band, cells, day, people, data=frame.filter(pl.col("panel") == panel)).properties(
            width=_CELL_WIDTH * 7,
            height=height * len(weeks),
            title=alt.TitleParams(panel, fontSize=12, color="#212B32", anchor="middle"),
        )
        for panel in panels
    ]
    return alt.concat(
        *panels_charts,
        columns=2,
        title=alt.TitleParams(
            title,
            subtitle="Pseudonymised staff ids; bank holidays are shaded as weekends "
            "(weekend shifts run on them).",
        ),
    )


def plot_load_spread(load: pl.DataFrame, title: str) -> alt.FacetChart:
    """Days held per WTE, one tick per eligible person, by scenario, one panel per service.

    An even spread is a tight cluster of ticks; a wide one shows some people carrying far more
    of the rota per WTE than others.
    """
    frame = label_frame(
        load.filter(pl.col("eligible")).select(
            "service", "scenario", "rota", "staff_id", "load_per_wte"
        )
    )
    return (
        alt.Chart(frame)
        .mark_tick(thickness=2, size=16, color=NHS_COLOURS["nhs_blue"], opacity=0.7)
        .encode(
            x=alt.X("load_per_wte:Q", title="Days held per WTE over the horizon"),
            y=alt.Y("scenario:N", title=None, axis=alt.Axis(labelLimit=0)),
            tooltip=["staff_id:N", "rota:N", alt.Tooltip("load_per_wte:Q", format=".1f")],
        )
        .properties(width=420, height=alt.Step(26))
        .facet(
            row=alt.Row(
                "service:N",
                title=None,
                header=alt.Header(labelAngle=0, labelAlign="left", labelFontWeight="bold"),
            ),
            title=title,
        )
        .resolve_scale(y="independent")
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
