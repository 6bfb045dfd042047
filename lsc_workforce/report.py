r"""Offline HTML export of executed notebooks.

nbconvert's default ``lab`` template loads require.js, MathJax and mermaid from CDNs (and the
Jupyter widgets manager from unpkg when a notebook holds widget state). NHS networks are often
closed, and a published report must not phone out, so :func:`export_notebook_html` renders with a
template that extends ``lab`` but empties those blocks, hides every input cell, and then checks
the result: any remaining reference to a remote script, stylesheet, image or frame is an error.

Charts survive the trip because notebooks display them as static SVG (see
:func:`lsc_workforce.charts.configure_notebook_charts`). LaTeX in Markdown cells (``$...$``,
``$$...$$``, ``\\[...\\]``, ``\begin{align*}...``) is converted to MathML at export time by
the pure-Python ``latex2mathml`` package (:func:`latex_to_html`), which browsers render natively:
no MathJax, nothing fetched. The conversion runs inside nbconvert's Markdown renderer, after the
math spans are cut out and before emphasis or escaping could touch an underscore or asterisk.
LaTeX the converter cannot handle is shown as its source in a ``<code>`` element, never an error.
Raw HTML in Markdown is escaped, so text from data or configuration shown through
:func:`show_markdown` (a service name such as ``<img onerror=...>``) is printed, never run.
"""

from __future__ import annotations

import functools
import html as html_lib
import logging
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import polars as pl

from lsc_workforce.errors import LscWorkforceError
from lsc_workforce.safe_output import OutputPathError, naming_path, path_inside, write_csv

#: Jinja template: the JupyterLab look, minus everything that is fetched from the internet.
OFFLINE_TEMPLATE = """\
{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block extra_css -%}
<style type="text/css">
.jp-RenderedMarkdown math { font-size: 1.1em; }
.jp-RenderedMarkdown math[display="block"] { margin: 0.6em 0; overflow-x: auto; }
.jp-RenderedMarkdown mtd[columnalign="left"] { text-align: left; }
.jp-RenderedMarkdown mtd[columnalign="right"] { text-align: right; }
.jp-RenderedMarkdown code.lsc-math-fallback { white-space: pre-wrap; }
.jp-RenderedMarkdown code.lsc-math-fallback.lsc-math-display { display: block; margin: 0.6em 0; }
</style>
{%- endblock extra_css -%}
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


LOGGER = logging.getLogger(__name__)

#: LaTeX environments latex2mathml does not know, as ``(environment, argument)`` it does know
#: (``None``: drop the wrapper, keep the body). ``aligned`` and the ``alignat`` family have the
#: right/left column pairs of ``align*``; the ``gather`` family is one centred column.
_ENVIRONMENT_ALIASES: dict[str, tuple[str, str] | None] = {
    "equation": None,
    "equation*": None,
    "displaymath": None,
    "math": None,
    "aligned": ("align*", ""),
    "alignedat": ("align*", ""),
    "alignat": ("align*", ""),
    "alignat*": ("align*", ""),
    "flalign": ("align*", ""),
    "flalign*": ("align*", ""),
    "gather": ("array", "{c}"),
    "gather*": ("array", "{c}"),
    "gathered": ("array", "{c}"),
    "multline": ("array", "{c}"),
    "multline*": ("array", "{c}"),
    "eqnarray": ("array", "{rcl}"),
    "eqnarray*": ("array", "{rcl}"),
}
# \begin{name} with the {n} column count of alignat/alignedat, or \end{name}.
_ENVIRONMENT = re.compile(
    r"\\begin\{(?P<begin>[A-Za-z]+\*?)\}(?:\{\d+\})?|\\end\{(?P<end>[A-Za-z]+\*?)\}"
)
# Equation labels and numbering switches mean nothing in a report page.
_DROPPED = re.compile(r"\\label\{[^{}]*\}|\\nonumber\b|\\notag\b")


class ReportError(LscWorkforceError, RuntimeError):
    """An HTML export failed or would load something from the internet."""


class UnsupportedLatex(ValueError):
    """latex2mathml cannot turn a piece of LaTeX into well-formed, complete MathML."""


def _normalise_latex(latex: str) -> str:
    """Rewrite environments latex2mathml lacks into ones it has, and drop labels."""

    def _environment(match: re.Match[str]) -> str:
        name = match.group("begin") or match.group("end")
        if name not in _ENVIRONMENT_ALIASES:
            return match.group(0)
        alias = _ENVIRONMENT_ALIASES[name]
        if alias is None:
            return ""
        if match.group("end"):
            return f"\\end{{{alias[0]}}}"
        return f"\\begin{{{alias[0]}}}{alias[1]}"

    return _DROPPED.sub("", _ENVIRONMENT.sub(_environment, latex))


def _braces_balanced(latex: str) -> bool:
    r"""Whether every ``{`` has its ``}`` (escaped ``\{`` and ``\}`` do not count)."""
    depth = 0
    for token in re.findall(r"\\.|[{}]", latex, flags=re.S):
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def latex_to_mathml(latex: str, display: bool = False) -> str:
    r"""Convert LaTeX maths (without ``$`` delimiters) to a MathML ``<math>`` element.

    Environments latex2mathml lacks are rewritten first (``aligned``/``alignat`` as ``align*``,
    the ``gather`` family as a centred array, ``equation`` unwrapped) and ``\label``,
    ``\nonumber`` and ``\notag`` are dropped.

    Args:
        latex: the LaTeX source, e.g. ``\sum_{i \in I} x_{i,d} \le 1``.
        display: ``True`` for display maths (``display="block"``), else inline.

    Returns:
        The ``<math>`` element as a string.

    Raises:
        UnsupportedLatex: if the source has unbalanced braces, latex2mathml fails, or its output
            is not well-formed or still holds an unknown ``\command`` as text.
    """
    from latex2mathml.converter import convert  # noqa: PLC0415

    source = _normalise_latex(latex)
    if not _braces_balanced(source):
        raise UnsupportedLatex(f"unbalanced braces in {latex!r}")
    try:
        mathml = convert(source.strip(), display="block" if display else "inline")
    except Exception as exc:  # latex2mathml raises many unrelated types; none may stop a report
        raise UnsupportedLatex(f"{type(exc).__name__} converting {latex!r}") from exc
    try:
        root = ET.fromstring(mathml)
    except ET.ParseError as exc:  # e.g. a bare & from an environment it does not know
        raise UnsupportedLatex(f"malformed MathML for {latex!r}: {exc}") from exc
    unknown = sorted({text.strip() for text in root.itertext() if text.strip().startswith("\\")})
    if unknown:
        raise UnsupportedLatex(f"unknown LaTeX command(s) {', '.join(unknown)} in {latex!r}")
    return mathml


def latex_to_html(latex: str, display: bool = False, delimiter: str = "$") -> str:
    r"""Render LaTeX maths as MathML, or as its readable source in ``<code>`` if unsupported.

    Args:
        latex: the LaTeX source without delimiters.
        display: display maths (a block) rather than inline.
        delimiter: shown around the source in the ``<code>`` fallback (``"$"`` or ``"$$"``;
            ``""`` for a ``\begin{...}`` environment).

    Returns:
        An HTML fragment: a ``<math>`` element, or ``<code class="lsc-math-fallback">``.
    """
    try:
        return latex_to_mathml(latex, display=display)
    except UnsupportedLatex as exc:
        LOGGER.warning("LaTeX shown as source in the HTML report: %s", exc)
        classes = "lsc-math-fallback" + (" lsc-math-display" if display else "")
        text = html_lib.escape(f"{delimiter}{latex}{delimiter}", quote=False)
        return f'<code class="{classes}" title="LaTeX not rendered">{text}</code>'


@functools.cache
def _offline_html_exporter() -> type:
    r"""An ``HTMLExporter`` whose Markdown renderer turns maths into MathML (built on first use).

    nbconvert's renderer already cuts ``$...$``, ``$$...$$``, ``\\[...\\]``, ``\\(...\\)`` and
    ``\begin{env}...\end{env}`` out of the Markdown before any other rule sees them and hands
    them to ``inline_math``, ``block_math`` and ``latex_environment``, which by default re-emit
    the source for MathJax; these overrides emit MathML instead.
    """
    # nbconvert takes seconds to import, so it is imported only when a report is exported.
    import jinja2  # noqa: PLC0415
    from nbconvert import HTMLExporter  # noqa: PLC0415
    from nbconvert.filters.markdown_mistune import (  # noqa: PLC0415
        IPythonRenderer,
        MarkdownWithMath,
    )

    class MathMLRenderer(IPythonRenderer):
        def block_math(self, body: str) -> str:
            return latex_to_html(body, display=True, delimiter="$$")

        def latex_environment(self, name: str, body: str) -> str:
            source = f"\\begin{{{name}}}{body}\\end{{{name}}}"
            return latex_to_html(source, display=True, delimiter="")

        def inline_math(self, body: str) -> str:
            return latex_to_html(body, display=False, delimiter="$")

    class OfflineHTMLExporter(HTMLExporter):
        @jinja2.pass_context
        def markdown2html(self, context: Any, source: str) -> str:
            # Same as HTMLExporter.markdown2html (nbconvert 7), with the MathML renderer.
            cell = context.get("cell", {})
            # escape=True: raw HTML in Markdown, such as a name from a configuration file shown
            # through show_markdown, is printed as text, never run (nbconvert's default is False).
            renderer = MathMLRenderer(
                escape=True,
                attachments=cell.get("attachments", {}),
                embed_images=self.embed_images,
                path=context.get("resources", {}).get("metadata", {}).get("path", ""),
                anchor_link_text=self.anchor_link_text,
                exclude_anchor_links=self.exclude_anchor_links,
                **self.lexer_options,
            )
            return MarkdownWithMath(renderer=renderer).render(source)

    return OfflineHTMLExporter


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

    LaTeX in Markdown cells becomes MathML (see :func:`latex_to_html`); unsupported LaTeX is
    shown as source in ``<code>`` and logged as a warning.

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

    ipynb, html = Path(ipynb), Path(html)
    try:
        notebook = nbformat.read(ipynb, as_version=4)
    except (OSError, ValueError) as exc:
        raise ReportError(f"cannot read notebook {ipynb}: {exc}") from exc
    # Widget state would make nbconvert add the unpkg widget manager; we never use widgets.
    notebook.metadata.pop("widgets", None)
    exporter = _offline_html_exporter()(
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
    with naming_path(html):
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

    Text that a spreadsheet would run as a formula gets a leading apostrophe in the CSV
    (:func:`lsc_workforce.safe_output.neutralise_formulas`); the Parquet keeps the text as it is.

    Args:
        tables: frames by file stem.
        out_dir: folder to write into; created if missing.

    Returns:
        The files written, in order.

    Raises:
        ValueError: if a name is not a bare file stem
            (:class:`~lsc_workforce.safe_output.OutputPathError`).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in tables.items():
        if not re.fullmatch(r"[A-Za-z0-9_-]+", name):
            raise OutputPathError(f"table name must be a bare file stem, not {name!r}")
        csv_path = path_inside(out_dir, f"{name}.csv", what="table name")
        parquet_path = path_inside(out_dir, f"{name}.parquet", what="table name")
        write_csv(frame, csv_path)
        with naming_path(parquet_path):
            frame.write_parquet(parquet_path)
        written += [csv_path, parquet_path]
    return written
