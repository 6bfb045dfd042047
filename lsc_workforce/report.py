"""Offline HTML export of executed notebooks.

nbconvert's default ``lab`` template loads require.js, MathJax and mermaid from CDNs (and the
Jupyter widgets manager from unpkg when a notebook holds widget state). NHS networks are often
closed, and a published report must not phone out, so :func:`export_notebook_html` renders with a
template that extends ``lab`` but empties those blocks, hides every input cell, and then checks
the result: any remaining reference to a remote script, stylesheet, image or frame is an error.

Charts survive the trip because notebooks display them as static SVG (see
:func:`lsc_workforce.charts.configure_notebook_charts`). LaTeX in Markdown cells is left as its
source text: there is no offline MathJax to inline.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import polars as pl

#: Jinja template: the JupyterLab look, minus everything that is fetched from the internet.
OFFLINE_TEMPLATE = """\
{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
"""

_OFFLINE_TEMPLATE_NAME = "lsc_offline.html.j2"

# Attributes and CSS constructs that make a browser fetch something.
_REMOTE_PATTERNS = (
    re.compile(
        r"""<(?:script|img|iframe|embed|source|audio|video)\b[^>]*\bsrc\s*=\s*["']?\s*(?:https?:)?//""",
        re.I,
    ),
    re.compile(r"""<link\b[^>]*\bhref\s*=\s*["']?\s*(?:https?:)?//""", re.I),
    re.compile(r"""@import\s+(?:url\()?\s*["']?\s*(?:https?:)?//""", re.I),
    re.compile(r"""url\(\s*["']?\s*(?:https?:)?//""", re.I),
    re.compile(r"""\bimport\(\s*["']\s*(?:https?:)?//""", re.I),
)


class ReportError(RuntimeError):
    """An HTML export failed or would load something from the internet."""


def find_remote_references(html: str) -> list[str]:
    """List the places where an HTML document would fetch a remote resource.

    Hyperlinks (``<a href>``) and XML namespace URIs are not fetches and are not reported.

    Args:
        html: the document text.

    Returns:
        Up to 80 characters of context for each remote reference found (empty if offline-safe).
    """
    found = []
    for pattern in _REMOTE_PATTERNS:
        found.extend(match.group(0)[:80] for match in pattern.finditer(html))
    return found


def export_notebook_html(ipynb: Path, html: Path) -> Path:
    """Export an executed notebook to a self-contained HTML page without input cells.

    Args:
        ipynb: the executed notebook.
        html: where to write the page (parent folders are created).

    Returns:
        The path written.

    Raises:
        ReportError: if the notebook cannot be read or the page references a remote resource.
    """
    # nbconvert imports are slow-ish and only needed here.
    import jinja2  # noqa: PLC0415
    import nbformat  # noqa: PLC0415
    from nbconvert import HTMLExporter  # noqa: PLC0415

    ipynb, html = Path(ipynb), Path(html)
    try:
        notebook = nbformat.read(ipynb, as_version=4)
    except (OSError, ValueError) as exc:
        raise ReportError(f"cannot read notebook {ipynb}: {exc}") from exc
    # Widget state would make nbconvert add the unpkg widget manager; we never use widgets.
    notebook.metadata.pop("widgets", None)
    exporter = HTMLExporter(
        extra_loaders=[jinja2.DictLoader({_OFFLINE_TEMPLATE_NAME: OFFLINE_TEMPLATE})],
        template_file=_OFFLINE_TEMPLATE_NAME,
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )
    title = notebook.metadata.get("title") or ipynb.stem
    body, _ = exporter.from_notebook_node(notebook, resources={"metadata": {"name": title}})
    remote = find_remote_references(body)
    if remote:
        raise ReportError(f"{ipynb.name}: HTML export references remote resources: {remote[:3]}")
    html.parent.mkdir(parents=True, exist_ok=True)
    html.write_text(body, encoding="utf-8")
    return html


def setup_notebook(table_rows: int = 40) -> str:
    """Prepare a notebook kernel for an offline, readable report.

    Enables the NHS chart theme with the ``svg`` renderer (charts stored as static SVG) and
    makes polars show up to ``table_rows`` rows of a table.

    Args:
        table_rows: rows of a displayed table before polars elides the middle.

    Returns:
        The active Altair renderer (``"svg"``).
    """
    from lsc_workforce.charts import configure_notebook_charts  # noqa: PLC0415

    pl.Config.set_tbl_rows(table_rows)
    pl.Config.set_fmt_str_lengths(80)
    return configure_notebook_charts()


def show_markdown(text: str) -> None:
    """Display generated plain-English commentary as Markdown in a notebook."""
    from IPython.display import Markdown, display  # noqa: PLC0415

    display(Markdown(text))


def write_tables(tables: Mapping[str, pl.DataFrame], out_dir: Path) -> list[Path]:
    """Write tidy tables as CSV and Parquet (``<name>.csv`` and ``<name>.parquet``).

    Args:
        tables: frames by file stem.
        out_dir: folder to write into; created if missing.

    Returns:
        The files written, in order.

    Raises:
        ValueError: if a name is not a bare file stem.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in tables.items():
        if not re.fullmatch(r"[A-Za-z0-9_-]+", name):
            raise ValueError(f"table name must be a bare file stem, not {name!r}")
        csv_path, parquet_path = out_dir / f"{name}.csv", out_dir / f"{name}.parquet"
        frame.write_csv(csv_path)
        frame.write_parquet(parquet_path)
        written += [csv_path, parquet_path]
    return written
