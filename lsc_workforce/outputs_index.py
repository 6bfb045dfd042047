"""The outputs index: ``outputs/latest/index.html`` links every page, table and file of a run.

:func:`write_index` writes ``index.html`` into the run folder before the run is published:

- the run's status (run id, dates, each step's outcome and time) and its metadata, with the
  synthetic-data banner on reference data;
- the key figures of this run beside those of the previous successful run (the one published
  before it), with the differences (:mod:`lsc_workforce.key_figures`);
- every file of the run folder, grouped by folder: pages, tables and workbooks first, other
  files in a collapsible list (``<details>``, which works without JavaScript).

Every link is relative, so the index works from ``outputs/latest/`` and from the run's own
folder, and when the folder is copied elsewhere.
"""

from __future__ import annotations

import html
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import polars as pl

from lsc_workforce.key_figures import read_key_figures
from lsc_workforce.publication import PAGE_CSS, run_meta
from lsc_workforce.safe_output import naming_path
from lsc_workforce.tables import table_html

INDEX_NAME = "index.html"
PAGE_SUFFIXES = (".html", ".pdf")
TABLE_SUFFIXES = (".csv", ".xlsx", ".parquet")
#: Files shown by name; folders with more files than this are collapsed.
MAX_OPEN = 40


def figures_comparison(current: pl.DataFrame, previous: pl.DataFrame | None) -> pl.DataFrame:
    """Key figures of this run beside the previous run's, with the difference.

    Returns:
        ``label``, ``value`` (this run), ``previous_value``, ``difference`` and ``format``;
        a figure new in this run has no previous value.
    """
    base = current.select("figure", "label", "value", "format")
    if previous is None or previous.height == 0:
        return base.with_columns(
            pl.lit(None, pl.Float64).alias("previous_value"),
            pl.lit(None, pl.Float64).alias("difference"),
        )
    before = previous.select("figure", pl.col("value").alias("previous_value"))
    return base.join(before, on="figure", how="left").with_columns(
        (pl.col("value") - pl.col("previous_value")).alias("difference")
    )


def _comparison_html(comparison: pl.DataFrame) -> str:
    """One formatted table; each row in its own figure's unit."""
    from lsc_workforce.tables import format_value  # noqa: PLC0415

    rows = []
    for row in comparison.iter_rows(named=True):
        fmt = row["format"]
        diff = row["difference"]
        sign = "+" if diff is not None and diff > 0 else ""
        rows.append(
            {
                "key_figure": row["label"],
                "this_run": format_value(row["value"], fmt),
                "previous_run": format_value(row["previous_value"], fmt),
                "change": (sign + format_value(diff, fmt)) if diff is not None else "–",
            }
        )
    frame = pl.DataFrame(
        rows,
        schema={
            "key_figure": pl.String,
            "this_run": pl.String,
            "previous_run": pl.String,
            "change": pl.String,
        },
    )
    return table_html(frame, title="Key figures against the previous successful run")


def _files_html(run_dir: Path) -> str:
    groups: dict[str, list[Path]] = defaultdict(list)
    for path in sorted(run_dir.rglob("*")):
        if path.is_file() and not path.name.startswith(".") and path.name != INDEX_NAME:
            relative = path.relative_to(run_dir)
            groups[relative.parts[0] if len(relative.parts) > 1 else "(run folder)"].append(
                relative
            )
    parts = []
    for group, files in groups.items():
        main = [f for f in files if f.suffix in PAGE_SUFFIXES + TABLE_SUFFIXES]
        other = [f for f in files if f not in main]
        items = "".join(
            f'<li><a href="{html.escape(f.as_posix())}">{html.escape(f.as_posix())}</a></li>'
            for f in main
        )
        more = ""
        if other:
            links = "".join(
                f'<li><a href="{html.escape(f.as_posix())}">{html.escape(f.as_posix())}</a></li>'
                for f in other
            )
            state = "" if len(other) > MAX_OPEN else " open"
            more = (
                f"<details{state}><summary>{len(other)} other file(s)</summary>"
                f"<ul>{links}</ul></details>"
            )
        parts.append(f"<h3>{html.escape(group)}</h3><ul>{items}</ul>{more}")
    return "".join(parts)


def _status_html(manifest: dict[str, Any]) -> str:
    steps = manifest.get("notebooks") or []
    frame = pl.DataFrame(
        [
            {"step": s.get("name"), "outcome": s.get("status"), "seconds": s.get("seconds")}
            for s in steps
        ],
        schema={"step": pl.String, "outcome": pl.String, "seconds": pl.Float64},
    )
    validation = (manifest.get("validation") or {}).get("status", "not run")
    head = (
        f"<p><strong>Status:</strong> {html.escape(str(manifest.get('status')))} &middot; "
        f"data contracts {html.escape(str(validation))} &middot; started "
        f"{html.escape(str(manifest.get('started_at')))}</p>"
    )
    return head + table_html(frame, title="Steps of this run")


_LINK_STYLE = "color:#005EB8;text-decoration:underline"
_FOOTER_STYLE = (
    "max-width:1100px;margin:24px auto;padding:12px 16px;border-top:4px solid #005EB8;"
    "font:14px Arial,Helvetica,sans-serif;color:#212B32"
)


def cross_reference_pages(run_dir: Path, figures: pl.DataFrame | None) -> list[Path]:
    """End every notebook page of a run with where its key figures appear elsewhere.

    Each ``html/*.html`` page gets a footer linking the training-gap report, its annex, the key
    figures and the index, and listing the key figures the page shows with the other pages
    that show the same number. Run before the run is published (pages never change after).

    Returns:
        The pages changed.
    """
    from lsc_workforce.tables import format_value  # noqa: PLC0415

    changed = []
    for page in sorted((Path(run_dir) / "html").glob("*.html")):
        here = f"html/{page.name}"
        items = []
        if figures is not None:
            for row in figures.iter_rows(named=True):
                places = row["shown_on"].split(";")
                if here not in places:
                    continue
                others = ", ".join(
                    f'<a style="{_LINK_STYLE}" href="../{html.escape(p)}">'
                    f"{html.escape(_page_name(p))}</a>"
                    for p in places
                    if p != here
                )
                items.append(
                    f"<li>{html.escape(row['label'])}: "
                    f"<strong>{html.escape(format_value(row['value'], row['format']))}</strong>"
                    + (f"; also in {others}" if others else "")
                    + "</li>"
                )
        listed = f"<ul>{''.join(items)}</ul>" if items else ""
        footer = (
            f'<nav class="lsc-elsewhere" style="{_FOOTER_STYLE}" aria-label="Same figures '
            'elsewhere"><h2 style="color:#003087">The same figures elsewhere</h2>'
            f"{listed}<p>"
            + " &middot; ".join(
                f'<a style="{_LINK_STYLE}" href="../{target}">{text}</a>'
                for target, text in (
                    ("reports/training_gap_report.html", "Training-gap report"),
                    ("reports/training_gap_annex.xlsx", "its Excel annex"),
                    ("key_figures.csv", "key figures of this run"),
                    ("index.html", "all outputs of this run"),
                )
            )
            + "</p></nav>"
        )
        text = page.read_text(encoding="utf-8")
        head, tag, tail = text.rpartition("</body>")
        if not tag:
            continue
        with naming_path(page):
            page.write_text(head + footer + tag + tail, encoding="utf-8")
        changed.append(page)
    return changed


def _page_name(relative: str) -> str:
    names = {
        "reports/training_gap_report.html": "the training-gap report",
        "reports/training_gap_annex.xlsx": "the Excel annex",
    }
    return names.get(relative, f"notebook {Path(relative).stem.replace('_', ' ')}")


def write_index(
    run_dir: Path, previous_run_dir: Path | None, manifest: dict[str, Any] | None = None
) -> Path:
    """Write ``<run_dir>/index.html`` (see the module docstring).

    Args:
        run_dir: the run folder.
        previous_run_dir: the previous successful run (``None`` for the first run).
        manifest: the run's manifest as it stands (default: read ``manifest.json``).

    Returns:
        The page written.
    """
    run_dir = Path(run_dir)
    if manifest is None:
        manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    meta = run_meta(run_dir)
    current = read_key_figures(run_dir)
    previous = read_key_figures(previous_run_dir) if previous_run_dir else None
    previous_id = previous_run_dir.name if previous_run_dir else "none"
    figures = (
        _comparison_html(figures_comparison(current, previous))
        + f"<p class='lsc-note'>Previous successful run: {html.escape(previous_id)}.</p>"
        if current is not None
        else "<p>This run has no key figures (the training-gap report did not run).</p>"
    )
    meta_rows = "".join(
        f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>" for k, v in meta.lines()
    )
    first = "".join(
        f'<li><a href="{p}">{label}</a></li>'
        for p, label in (
            ("reports/training_gap_report.html", "Training-gap report"),
            ("reports/training_gap_report.pdf", "Training-gap report (A4 PDF)"),
            ("reports/training_gap_annex.xlsx", "Training-gap annex (Excel)"),
            ("key_figures.csv", "Key figures (CSV)"),
        )
        if (run_dir / p).is_file()
    )
    page = (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>Outputs of run {html.escape(meta.run_id)}</title><style>{PAGE_CSS}</style>"
        "</head><body><header class='lsc-head'><div><p>NHS Lancashire and South Cumbria</p>"
        "<h1>Diagnostics workforce: outputs of this run</h1></div></header><main>"
        f"{meta.banner_html()}<dl class='lsc-meta'>{meta_rows}</dl>"
        f"<h2>Start here</h2><ul>{first}</ul>"
        f"<h2>Key figures</h2>{figures}"
        f"<h2>Run status</h2>{_status_html(manifest)}"
        f"<h2>Every file</h2>{_files_html(run_dir)}"
        "</main></body></html>"
    )
    path = run_dir / INDEX_NAME
    with naming_path(path):
        path.write_text(page, encoding="utf-8")
    return path
