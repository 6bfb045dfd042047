"""Tables for people: polars frames rendered as labelled, formatted HTML tables (great-tables).

Every table a person reads (notebook pages, the training-gap report, the outputs index) goes
through :func:`gt_table`:

- codes become labels and field names become headers with their units
  (:mod:`lsc_workforce.labels`, from ``config/labels.yaml``);
- numbers are formatted by the column's format: WTE to 1 decimal, counts as whole numbers, money
  as £ with thousands separators, shares as percentages;
- every row and column is shown (no "…", no dtype row, no quotes); a table wider than the page
  scrolls inside its own box, never the page;
- a suppressed count (null in a column named in ``suppressed``) shows
  :data:`~lsc_workforce.privacy.SUPPRESSED_MARKER` with a note saying why; any other empty cell
  shows an en dash.

great-tables writes self-contained HTML (inline ``<style>``, no web fonts, no script), so the
pages open offline.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from typing import Any

import polars as pl

from lsc_workforce.labels import Labels, load_labels
from lsc_workforce.privacy import SUPPRESSED_MARKER

NHS_BLUE = "#005EB8"
NHS_DARK_BLUE = "#003087"
FONT = "Arial, Helvetica, sans-serif"
MISSING_TEXT = "–"
SUPPRESSED_NOTE = (
    f"{SUPPRESSED_MARKER} suppressed: 1 to 7 people (other counts of people rounded to the "
    "nearest 5)."
)


def label_frame(frame: pl.DataFrame, labels: Labels | None = None) -> pl.DataFrame:
    """Replace codes by their labels and true/false by Yes/No; headers stay field names.

    Args:
        frame: a tidy table.
        labels: the mapping (default ``config/labels.yaml``).

    Returns:
        A copy with the code columns (trusts, staff groups, ...) as label text.
    """
    labels = labels or load_labels()
    exprs = []
    for name, dtype in frame.schema.items():
        kind = labels.column_kind(name)
        if kind is not None and dtype == pl.String:
            exprs.append(pl.col(name).replace(labels.values.get(kind, {})))
        elif dtype == pl.Boolean:
            exprs.append(
                pl.when(pl.col(name)).then(pl.lit("Yes")).otherwise(pl.lit("No")).alias(name)
            )
    return frame.with_columns(exprs) if exprs else frame


def headers(frame: pl.DataFrame, labels: Labels | None = None) -> dict[str, str]:
    """``{field: header}`` for every column of a frame."""
    labels = labels or load_labels()
    return {name: labels.column(name, dtype).label for name, dtype in frame.schema.items()}


def suppressed_columns(
    frame: pl.DataFrame, labels: Labels | None = None, explicit: Iterable[str] = ()
) -> list[str]:
    """Columns of a frame holding suppressed counts.

    A column is one when named in ``explicit``, or when it is listed in ``suppressed_columns``
    of ``config/labels.yaml`` and holds an empty cell.
    """
    labels = labels or load_labels()
    named = set(explicit)
    return [
        c
        for c in frame.columns
        if c in named or (c in labels.suppressed_columns and frame[c].null_count() > 0)
    ]


def _table_id(frame: pl.DataFrame, title: str | None) -> str:
    digest = hashlib.sha1(f"{title}|{','.join(frame.columns)}".encode()).hexdigest()[:10]
    return f"lsc-table-{digest}"


def gt_table(
    frame: pl.DataFrame,
    *,
    title: str | None = None,
    subtitle: str | None = None,
    labels: Labels | None = None,
    suppressed: Iterable[str] = (),
    notes: Iterable[str] = (),
    table_id: str | None = None,
) -> Any:
    """A great-tables ``GT`` of a frame, labelled and formatted for people.

    Args:
        frame: the table (tidy or wide; any number of rows).
        title: optional heading above the table.
        subtitle: optional line under the title.
        labels: the mapping (default ``config/labels.yaml``).
        suppressed: count columns in which a null means a suppressed small number (besides
            the ``suppressed_columns`` of ``config/labels.yaml`` holding a null).
        notes: source notes under the table.
        table_id: HTML id (default: derived from the title and columns, so output is stable).

    Returns:
        The ``great_tables.GT`` object (a notebook displays it; :func:`table_html` writes it).
    """
    from great_tables import GT  # noqa: PLC0415 - imported on first use, like nbconvert

    labels = labels or load_labels()
    suppressed = suppressed_columns(frame, labels, suppressed)
    shown = label_frame(frame, labels)
    table = GT(shown, id=table_id or _table_id(frame, title))
    for name, dtype in frame.schema.items():
        fmt = labels.column(name, dtype).format
        if not shown.schema[name].is_numeric():
            continue
        if fmt in {"wte", "number"}:
            table = table.fmt_number(columns=name, decimals=1)
        elif fmt == "count":
            table = table.fmt_integer(columns=name)
        elif fmt == "money":
            table = table.fmt_currency(columns=name, currency="GBP", decimals=0)
        elif fmt == "money_m":
            table = table.fmt_currency(columns=name, currency="GBP", decimals=1, pattern="{x}m")
        elif fmt == "percent":
            table = table.fmt_percent(columns=name, decimals=1)
        elif fmt == "percent_value":
            table = table.fmt_number(columns=name, decimals=0, pattern="{x}%")
        elif fmt == "year":
            table = table.fmt_integer(columns=name, use_seps=False)
        else:
            table = table.fmt_number(columns=name, decimals=1)
    if suppressed:
        table = table.sub_missing(columns=suppressed, missing_text=SUPPRESSED_MARKER)
    others = [c for c in frame.columns if c not in suppressed]
    if others:
        table = table.sub_missing(columns=others, missing_text=MISSING_TEXT)
    table = table.cols_label(**headers(frame, labels))
    if title:
        table = table.tab_header(title=title, subtitle=subtitle)
    all_notes = [*notes, *([SUPPRESSED_NOTE] if suppressed else [])]
    for note in all_notes:
        table = table.tab_source_note(note)
    return table.tab_options(
        table_font_names=FONT,
        table_font_size="14px",
        table_font_color="#212B32",
        column_labels_background_color=NHS_BLUE,
        column_labels_font_weight="bold",
        heading_align="left",
        container_overflow_x="auto",
        container_width="100%",
        table_width="auto",
        source_notes_font_size="12px",
    )


def table_html(frame: pl.DataFrame, **kwargs: Any) -> str:
    """The HTML of :func:`gt_table` (a ``<div>`` with its ``<style>`` and ``<table>``).

    A table with suppressed counts is marked for the privacy checks: ``data-privacy=
    "suppressed"`` on the ``<table>`` and ``data-sensitive="1"`` on the headers of its
    suppressed columns.
    """
    page = gt_table(frame, **kwargs).as_raw_html()
    sensitive = suppressed_columns(frame, kwargs.get("labels"), kwargs.get("suppressed", ()))
    if not sensitive:
        return page
    marked = '<table data-privacy="suppressed" class="gt_table"'
    page = page.replace('<table class="gt_table"', marked, 1)
    for column in sensitive:
        page = re.sub(
            rf'(<th [^>]*id="[^"]*-{re.escape(column)}")',
            r'\1 data-sensitive="1"',
            page,
            count=1,
        )
    return page


def show_table(frame: pl.DataFrame, **kwargs: Any) -> Any:
    """A table for a notebook's display cell: ``tables.show_table(frame)`` as the last line.

    Same arguments as :func:`gt_table`; the notebook displays the returned object as HTML.
    """
    return gt_table(frame, **kwargs)


def format_value(value: float | None, fmt: str) -> str:
    """One number as :func:`gt_table` shows it (for sentences and key-figure cards).

    Money of a million pounds or more is written ``£51.2 million``.
    """
    if value is None:
        return MISSING_TEXT
    if fmt in {"wte", "number"}:
        return f"{value:,.1f}"
    if fmt == "count":
        return f"{round(value):,}"
    if fmt == "money":
        return f"£{value / 1e6:,.1f} million" if abs(value) >= 1e6 else f"£{value:,.0f}"
    if fmt == "money_m":
        return f"£{value:,.1f}m"
    if fmt == "percent":
        return f"{value:.0%}"
    if fmt == "percent_value":
        return f"{value:.0f}%"
    if fmt == "year":
        return f"{value:.0f}"
    return str(value)
