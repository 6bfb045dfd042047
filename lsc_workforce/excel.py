"""Excel workbooks as analysts expect them.

:func:`write_workbook` writes one sheet per table after a README sheet:

- sheet names in words (``"Gap by trust"``, at most 31 characters, unique);
- the README sheet: the workbook's title, the run's metadata (run id, data as-at date,
  publication date, version, contact; :mod:`lsc_workforce.publication`), the synthetic-data
  warning when it applies, one line per sheet saying what it holds, and the meaning of ``*``;
- each table sheet: headers with units (``config/labels.yaml``), codes as labels, the header row
  frozen, an autofilter over the table, number formats by column (WTE ``0.0``, counts
  ``#,##0``, money ``£#,##0``, percentages ``0.0%``), widths fitted to the content;
- a suppressed count (null in a suppressed column, see :mod:`lsc_workforce.tables`) is the text
  ``*`` in every workbook, as on the HTML pages; any other empty value is an empty cell.

Values are written at full precision (the format rounds what is shown, not what is stored), and
text always as text (:func:`lsc_workforce.safe_output.write_cell`), so ``=HYPERLINK(...)`` from a
configuration file stays text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from lsc_workforce.labels import Labels, load_labels
from lsc_workforce.privacy import SUPPRESSED_MARKER
from lsc_workforce.publication import SYNTHETIC_BANNER, RunMeta, run_meta
from lsc_workforce.safe_output import naming_path, open_workbook, write_cell
from lsc_workforce.tables import label_frame

#: Excel number formats by column format (``config/labels.yaml``).
NUMBER_FORMATS = {
    "wte": "#,##0.0",
    "count": "#,##0",
    "money": "£#,##0",
    "money_m": '£#,##0.0"m"',
    "percent": "0.0%",
    "percent_value": '0"%"',
    "number": "#,##0.0",
    "year": "0",
}
README_SHEET = "README"
#: Words written in capitals in sheet names.
ACRONYMS = {"wte": "WTE", "ir": "IR", "mape": "MAPE", "ooh": "OOH", "gi": "GI", "ics": "ICS"}
HEADER_COLOUR = "#005EB8"


@dataclass(frozen=True)
class Sheet:
    """One table of a workbook.

    Attributes:
        name: the sheet name in words (made unique and cut to 31 characters if needed).
        frame: the table.
        description: one sentence for the README sheet.
    """

    name: str
    frame: pl.DataFrame
    description: str = ""


def sheet_name(text: str, taken: set[str]) -> str:
    """A valid, unique Excel sheet name in words: ``gap_by_trust`` -> ``Gap by trust``."""
    spaced = re.sub(r"[\[\]:*?/\\']", " ", text.replace("_", " "))
    words = " ".join(ACRONYMS.get(w, w) for w in spaced.split()) or "Sheet"
    name = (words[0].upper() + words[1:])[:31].strip()
    candidate, n = name, 2
    while candidate.lower() in {t.lower() for t in taken}:
        suffix = f" ({n})"
        candidate, n = name[: 31 - len(suffix)] + suffix, n + 1
    taken.add(candidate)
    return candidate


def _suppressed(frame: pl.DataFrame, labels: Labels) -> set[str]:
    return {c for c in frame.columns if c in labels.suppressed_columns and frame[c].null_count()}


def write_workbook(
    path: Path,
    title: str,
    sheets: list[Sheet],
    meta: RunMeta,
    labels: Labels | None = None,
) -> Path:
    """Write a README sheet and one formatted sheet per table.

    Args:
        path: the ``.xlsx`` file (its folder is created).
        title: the workbook's title, first line of the README.
        sheets: the tables, in order.
        meta: the run's metadata.
        labels: the mapping (default ``config/labels.yaml``).

    Returns:
        The path written.
    """
    labels = labels or load_labels()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    taken = {README_SHEET}
    named = [(sheet_name(s.name, taken), s) for s in sheets]
    book = open_workbook(path)
    bold = book.add_format({"bold": True})
    big = book.add_format({"bold": True, "font_size": 14})
    warn = book.add_format({"bold": True, "font_color": "#8A1538"})
    header = book.add_format(
        {"bold": True, "font_color": "#FFFFFF", "bg_color": HEADER_COLOUR, "text_wrap": True}
    )
    formats = {key: book.add_format({"num_format": fmt}) for key, fmt in NUMBER_FORMATS.items()}
    marker = book.add_format({"align": "right"})

    readme = book.add_worksheet(README_SHEET)
    readme.set_column(0, 0, 28)
    readme.set_column(1, 1, 100)
    row = 0
    write_cell(readme, row, 0, title, big)
    row += 2
    for label, value in meta.lines():
        write_cell(readme, row, 0, label, bold)
        write_cell(readme, row, 1, value)
        row += 1
    if meta.synthetic:
        row += 1
        write_cell(readme, row, 0, "Warning", warn)
        write_cell(readme, row, 1, SYNTHETIC_BANNER, warn)
        row += 1
    row += 1
    write_cell(readme, row, 0, "Sheet", header)
    write_cell(readme, row, 1, "What it holds", header)
    for name, sheet in named:
        row += 1
        write_cell(readme, row, 0, name)
        write_cell(readme, row, 1, sheet.description or name)
    row += 2
    write_cell(readme, row, 0, "Marks", bold)
    write_cell(
        readme,
        row,
        1,
        f"{SUPPRESSED_MARKER} = suppressed: 1 to 7 people (other counts of people built from "
        "age, leavers or retirements are rounded to the nearest 5). An empty cell has no value.",
    )

    for name, sheet in named:
        frame = sheet.frame
        suppressed = _suppressed(frame, labels)
        shown = label_frame(frame, labels)
        ws = book.add_worksheet(name)
        for j, (column, dtype) in enumerate(frame.schema.items()):
            spec = labels.column(column, dtype)
            write_cell(ws, 0, j, spec.label, header)
            numeric = shown.schema[column].is_numeric()
            cell_format = formats.get(spec.format) if numeric else None
            values = shown[column].to_list()
            for i, value in enumerate(values, start=1):
                if value is None and column in suppressed:
                    write_cell(ws, i, j, SUPPRESSED_MARKER, marker)
                else:
                    write_cell(ws, i, j, value, cell_format)
            longest = max(
                [len(spec.label) // 2 + 1, *(len(_shown_text(v, spec.format)) for v in values)]
            )
            ws.set_column(j, j, min(60, max(10, longest + 2)))
        ws.set_row(0, 32)
        ws.freeze_panes(1, 0)
        if frame.width:
            ws.autofilter(0, 0, max(frame.height, 1), frame.width - 1)
    with naming_path(path):
        book.close()
    return path


def _shown_text(value: object, fmt: str) -> str:
    """Roughly what Excel shows for a value, to size its column."""
    if isinstance(value, float) and fmt != "percent":
        return f"{value:,.1f}"
    if isinstance(value, float):
        return f"{value:.1%}"
    return "" if value is None else str(value)


def write_analyst_workbook(path: Path, title: str, tables: Mapping[str, pl.DataFrame]) -> Path:
    """Write a notebook's tables as a workbook (:func:`write_workbook`), one sheet per table.

    Sheet names are the table names in words; the metadata come from the run folder holding
    ``path`` (the nearest ``manifest.json`` above it, :func:`~lsc_workforce.publication.run_meta`).

    Args:
        path: the ``.xlsx`` file, inside a run folder.
        title: the workbook's title.
        tables: tables by name (``gap_today_by_trust_group``).

    Returns:
        The path written.
    """
    path = Path(path)
    run_dir = next(
        (folder for folder in path.parents[:3] if (folder / "manifest.json").is_file()),
        path.parent,
    )
    sheets = [
        Sheet(name, frame, name.replace("_", " ").capitalize() + ".")
        for name, frame in tables.items()
    ]
    return write_workbook(path, title, sheets, run_meta(run_dir))
