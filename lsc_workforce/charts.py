"""NHS-styled Altair charts that render offline: theme, notebook renderer, saving and plot helpers.

Every chart the project publishes goes through this module so that it looks the same everywhere
(the NHS identity colour palette, Arial as the web-safe stand-in for Frutiger) and so that nothing
needs the internet to display it: notebooks render charts as static SVG (``vl-convert``), and
saved HTML embeds the Vega JavaScript inline.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import altair as alt
import polars as pl

from lsc_workforce.labels import load_labels
from lsc_workforce.privacy import INTERNAL_MARK
from lsc_workforce.safe_output import (
    HtmlSafeJSONEncoder,
    OutputPathError,
    naming_path,
    path_inside,
)
from lsc_workforce.tables import label_frame

#: NHS identity colours (https://www.england.nhs.uk/nhsidentity/identity-guidelines/colours/).
NHS_COLOURS: dict[str, str] = {
    "nhs_blue": "#005EB8",
    "dark_blue": "#003087",
    "bright_blue": "#0072CE",
    "light_blue": "#41B6E6",
    "aqua_blue": "#00A9CE",
    "dark_grey": "#425563",
    "mid_grey": "#768692",
    "pale_grey": "#E8EDEE",
    "dark_green": "#006747",
    "green": "#009639",
    "light_green": "#78BE20",
    "aqua_green": "#00A499",
    "purple": "#330072",
    "dark_pink": "#7C2855",
    "pink": "#AE2573",
    "dark_red": "#8A1538",
    "red": "#DA291C",
    "orange": "#ED8B00",
    "warm_yellow": "#FFB81C",
}

#: Order in which categories take colours: distinct neighbours first, blues leading.
NHS_CATEGORY_RANGE: list[str] = [
    NHS_COLOURS[name]
    for name in (
        "nhs_blue",
        "orange",
        "aqua_green",
        "dark_pink",
        "light_blue",
        "dark_grey",
        "light_green",
        "purple",
        "warm_yellow",
        "dark_red",
    )
]

THEME_NAME = "nhs"
#: Panels per row of a faceted chart.
FACET_COLUMNS = 3
_FONT = "Arial, Helvetica, sans-serif"


def nhs_theme() -> alt.theme.ThemeConfig:
    """Return the Vega-Lite configuration of the NHS theme.

    Returns:
        A Vega-Lite ``config`` dictionary: NHS palette, Arial, light grid, no view border.
    """
    return {
        "config": {
            "font": _FONT,
            "background": "#FFFFFF",
            # Room on the right for labels a browser draws wider than vl-convert measured them.
            "padding": {"left": 40, "top": 5, "right": 40, "bottom": 5},
            "view": {"stroke": None, "continuousWidth": 480, "continuousHeight": 300},
            "title": {"anchor": "start", "fontSize": 15, "color": NHS_COLOURS["dark_blue"]},
            "axis": {
                "labelColor": NHS_COLOURS["dark_grey"],
                "titleColor": NHS_COLOURS["dark_grey"],
                "gridColor": NHS_COLOURS["pale_grey"],
                "domainColor": NHS_COLOURS["mid_grey"],
                "labelFontSize": 11,
                "titleFontSize": 12,
            },
            "legend": {
                "labelColor": NHS_COLOURS["dark_grey"],
                "titleColor": NHS_COLOURS["dark_grey"],
                "labelLimit": 0,  # never cut a legend label short
                "titleLimit": 0,
            },
            "header": {"labelLimit": 0, "labelFontSize": 11, "labelAngle": 0},
            "range": {
                "category": NHS_CATEGORY_RANGE,
                "ramp": [
                    NHS_COLOURS["pale_grey"],
                    NHS_COLOURS["light_blue"],
                    NHS_COLOURS["dark_blue"],
                ],
            },
            "mark": {"color": NHS_COLOURS["nhs_blue"]},
            "bar": {"color": NHS_COLOURS["nhs_blue"]},
            "line": {"color": NHS_COLOURS["nhs_blue"], "strokeWidth": 2},
        }
    }


def register_theme(enable: bool = True) -> str:
    """Register the NHS theme with Altair once (repeat calls are harmless).

    Args:
        enable: also make it the active theme.

    Returns:
        The theme name, ``"nhs"``.
    """
    if THEME_NAME not in alt.theme.names():
        alt.theme.register(THEME_NAME, enable=False)(nhs_theme)
    if enable:
        alt.theme.enable(THEME_NAME)
    return THEME_NAME


#: Altair renderer of the notebooks: static SVG with codes shown as labels.
NOTEBOOK_RENDERER = "lsc_svg"


def _labelled_svg(spec: dict[str, Any], **metadata: Any) -> dict[str, str]:
    """Altair's ``svg`` renderer applied to :func:`label_spec` of the chart."""
    from altair.vegalite.v6.display import svg_renderer  # noqa: PLC0415

    return svg_renderer(label_spec(spec), **metadata)


def configure_notebook_charts() -> str:
    """Set up Altair for a notebook whose HTML export must render offline.

    Enables the NHS theme and a renderer that stores each displayed chart in the notebook as
    static SVG (made locally by ``vl-convert``) rather than as JavaScript that fetches Vega from
    a CDN, with codes shown as labels (:func:`label_spec`), whichever module built the chart.

    Returns:
        The active renderer name, :data:`NOTEBOOK_RENDERER`.
    """
    register_theme(enable=True)
    if NOTEBOOK_RENDERER not in alt.renderers.names():
        alt.renderers.register(NOTEBOOK_RENDERER, _labelled_svg)
    alt.renderers.enable(NOTEBOOK_RENDERER)
    return alt.renderers.active


def save_chart(
    chart: alt.TopLevelMixin, stem: str, out_dir: Path, *, internal: bool = False
) -> list[Path]:
    """Write a chart as self-contained HTML (Vega inlined) and as SVG.

    Args:
        chart: any Altair top-level chart.
        stem: file name without extension, e.g. ``"wte_by_trust"``.
        out_dir: folder to write into; created if missing.
        internal: the chart shows unsuppressed counts: its title becomes
            :data:`~lsc_workforce.privacy.INTERNAL_MARK` (the old title as subtitle) and the
            HTML page opens with a red banner saying so.

    Returns:
        ``[out_dir/stem.html, out_dir/stem.svg]``.

    Raises:
        ValueError: if ``stem`` contains a path separator or an extension
            (:class:`~lsc_workforce.safe_output.OutputPathError`).
    """
    if not stem or "/" in stem or "\\" in stem or "." in stem:
        raise OutputPathError(
            f"chart stem must be a bare file name without extension, not {stem!r}"
        )
    register_theme(enable=True)
    if internal:
        chart = _mark_internal(chart)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    html_path = path_inside(out_dir, f"{stem}.html", what="chart name")
    svg_path = path_inside(out_dir, f"{stem}.svg", what="chart name")
    # The specification is made (and checked against the Vega-Lite schema) once for both files:
    # the check walks every data row, which dominates the time of a large chart.
    with alt.data_transformers.disable_max_rows():
        spec = _SavedSpec(chart.to_dict(context={"pre_transform": False}))
    # No action menu: its links ("Open in Vega Editor") point at the internet. SVG rendering
    # keeps the marks inspectable (the browser tests count them). The specification is inlined
    # in a <script> element, so its JSON escapes < > & (a label "</script>" cannot end it).
    with naming_path(html_path):
        spec.save(
            html_path,
            format="html",
            inline=True,
            embed_options={"actions": False, "renderer": "svg"},
            json_kwds={"cls": HtmlSafeJSONEncoder},
        )
    with naming_path(svg_path):
        spec.save(svg_path, format="svg")
    if internal:
        page = html_path.read_text(encoding="utf-8")
        head, _, body = page.partition("</head>")  # the inlined Vega code holds "<body>" too
        page = head + "</head>" + body.replace("<body>", f"<body>{_INTERNAL_BANNER}", 1)
        html_path.write_text(page, encoding="utf-8")
    return [html_path, svg_path]


class _SavedSpec:
    """A chart's finished Vega-Lite specification, saved by Altair without being rebuilt."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec

    def to_dict(self, **_: Any) -> dict[str, Any]:
        return self.spec

    def save(self, fp: Path, **kwargs: Any) -> None:
        from altair.utils.save import save  # noqa: PLC0415

        save(
            self,
            fp,
            vega_version=alt.VEGA_VERSION,
            vegaembed_version=alt.VEGAEMBED_VERSION,
            vegalite_version=alt.VEGALITE_VERSION,
            **kwargs,
        )


_INTERNAL_BANNER = (
    '<div style="background:#d5281b;color:#fff;font:bold 16px Arial,sans-serif;'
    f'padding:8px 12px">{INTERNAL_MARK}: unsuppressed counts of people</div>'
)


def _mark_internal(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """Make :data:`~lsc_workforce.privacy.INTERNAL_MARK` the title, keeping the old as subtitle."""
    title = getattr(chart, "title", alt.Undefined)
    text = title if isinstance(title, str) else getattr(title, "text", alt.Undefined)
    subtitle = [str(text)] if isinstance(text, str) and text else []
    return chart.properties(
        title=alt.TitleParams(text=INTERNAL_MARK, subtitle=subtitle, color="#d5281b")
    )


def _encode_colour(colour: str | None, sort: Sequence[str] | None) -> Any:
    if colour is None:
        return alt.value(NHS_COLOURS["nhs_blue"])
    return alt.Color(f"{colour}:N", sort=_sorted(colour, sort), title=_label(colour))


def _label(column: str) -> str:
    """The column's header from ``config/labels.yaml`` (``trust_code`` -> ``Trust``)."""
    return load_labels().header(column)


def _labelled(frame: Any) -> Any:
    """A polars frame with its codes as labels (trusts, staff groups, ...); others unchanged."""
    return label_frame(frame) if isinstance(frame, pl.DataFrame) else frame


def _sorted(column: str, order: Sequence[str] | None) -> list[str] | None:
    """An explicit order of codes, as the labels the chart shows."""
    if not order:
        return None
    labels = load_labels()
    kind = labels.column_kind(column)
    return [labels.value(kind, code) if kind else code for code in order]


def plot_bar(
    frame: Any,
    *,
    category: str,
    value: str,
    title: str,
    colour: str | None = None,
    facet: str | None = None,
    value_title: str | None = None,
    value_format: str = ",.1f",
    category_sort: Sequence[str] | None = None,
    colour_sort: Sequence[str] | None = None,
    stack: bool = True,
) -> alt.Chart | alt.FacetChart:
    """Horizontal bar chart of one value by category, optionally coloured and faceted.

    Args:
        frame: a polars (or pandas) frame in tidy form.
        category: column on the vertical axis (nominal).
        value: numeric column on the horizontal axis.
        title: chart title in plain English.
        colour: optional column that colours (and stacks or groups) the bars.
        facet: optional column giving one panel per value (in columns).
        value_title: axis title for the value (defaults to the column name).
        value_format: d3 format for the axis and tooltip.
        category_sort: explicit order of categories; default is descending by value.
        colour_sort: explicit order of the colour legend.
        stack: stack coloured bars (``True``) or place them side by side (``False``).

    Returns:
        The Altair chart.
    """
    frame = _labelled(frame)
    tooltip = [
        alt.Tooltip(f"{category}:N", title=_label(category)),
        alt.Tooltip(f"{value}:Q", title=value_title or _label(value), format=value_format),
    ]
    if colour:
        tooltip.insert(1, alt.Tooltip(f"{colour}:N", title=_label(colour)))
    encoding: dict[str, Any] = {
        "y": alt.Y(
            f"{category}:N",
            sort=_sorted(category, category_sort) or "-x",
            title=_label(category),
        ),
        "x": alt.X(
            f"{value}:Q",
            title=value_title or _label(value),
            stack="zero" if stack else None,
            axis=alt.Axis(format=value_format),
        ),
        "color": _encode_colour(colour, colour_sort),
        "tooltip": tooltip,
    }
    if colour and not stack:
        encoding["yOffset"] = alt.YOffset(f"{colour}:N", sort=_sorted(colour, colour_sort))
    chart = alt.Chart(frame).mark_bar().encode(**encoding)
    if facet:
        # Three panels a row keep the chart within a 1366 px page, however many panels.
        return chart.properties(width=220, height=160).facet(
            facet=alt.Facet(f"{facet}:N", title=_label(facet)), columns=FACET_COLUMNS, title=title
        )
    return chart.properties(title=title, width=480)


def plot_heatmap(
    frame: Any,
    *,
    x: str,
    y: str,
    value: str,
    title: str,
    value_title: str | None = None,
    value_format: str = ".0%",
    x_sort: Sequence[str] | None = None,
    y_sort: Sequence[str] | None = None,
) -> alt.LayerChart:
    """Heat map of a value over two categories, with the value printed in each cell.

    Args:
        frame: a polars (or pandas) frame in tidy form.
        x: column across the top (nominal).
        y: column down the side (nominal).
        value: numeric column shading each cell.
        title: chart title in plain English.
        value_title: legend title (defaults to the column name).
        value_format: d3 format of the printed value.
        x_sort: explicit order of the x categories.
        y_sort: explicit order of the y categories.

    Returns:
        The layered Altair chart (rectangles plus labels).
    """
    base = alt.Chart(_labelled(frame)).encode(
        x=alt.X(f"{x}:N", sort=_sorted(x, x_sort), title=_label(x)),
        y=alt.Y(f"{y}:N", sort=_sorted(y, y_sort), title=_label(y)),
    )
    cells = base.mark_rect().encode(
        color=alt.Color(
            f"{value}:Q",
            title=value_title or _label(value),
            scale=alt.Scale(range=[NHS_COLOURS["pale_grey"], NHS_COLOURS["nhs_blue"]]),
        ),
        tooltip=[
            alt.Tooltip(f"{x}:N", title=_label(x)),
            alt.Tooltip(f"{y}:N", title=_label(y)),
            alt.Tooltip(f"{value}:Q", title=value_title or _label(value), format=value_format),
        ],
    )
    labels = base.mark_text(fontSize=10, color=NHS_COLOURS["dark_blue"]).encode(
        text=alt.Text(f"{value}:Q", format=value_format)
    )
    # A fixed step per category keeps cells readable however many categories there are.
    return (cells + labels).properties(title=title, width=alt.Step(72), height=alt.Step(24))


def label_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """A Vega-Lite specification with codes shown as labels (``config/labels.yaml``).

    Walks the specification: values of code columns in its inline datasets become labels
    (``RXN`` -> ``Lancashire Teaching Hospitals (RXN)``), so do explicit sort orders of those
    fields, and every encoding without a title gets its field's header. Works for layered,
    faceted and concatenated charts alike, whoever built them.
    """
    labels = load_labels()

    def code(field: str, value: Any) -> Any:
        kind = labels.column_kind(field)
        return labels.value(kind, value) if kind and isinstance(value, str) else value

    def walk(node: Any) -> Any:
        if isinstance(node, list):
            return [walk(item) for item in node]
        if not isinstance(node, dict):
            return node
        out = {key: walk(value) for key, value in node.items()}
        field = out.get("field")
        if isinstance(field, str) and "type" in out:
            out.setdefault("title", labels.header(field))
            if isinstance(out.get("sort"), list):
                out["sort"] = [code(field, v) for v in out["sort"]]
        return out

    labelled = walk({k: v for k, v in spec.items() if k != "datasets"})
    labelled["datasets"] = {
        name: [{k: code(k, v) for k, v in row.items()} for row in rows]
        for name, rows in (spec.get("datasets") or {}).items()
    }
    return labelled
