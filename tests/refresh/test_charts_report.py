"""Charts save offline; the notebook HTML export references nothing remote; maths is MathML."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET

import altair as alt
import nbformat
import polars as pl
import pytest
from bs4 import BeautifulSoup
from hypothesis import given, settings
from hypothesis import strategies as st

from lsc_workforce import charts, report

pytestmark = pytest.mark.unit

MATHML_NS = "http://www.w3.org/1998/Math/MathML"
SVG = "<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'></svg>"


def _frame() -> pl.DataFrame:
    return pl.DataFrame(
        {"trust_code": ["RXN", "RXL", "RXN"], "group": ["a", "b", "b"], "wte": [1.0, 2.5, 3.0]}
    )


def test_theme_registered_once_and_enabled():
    assert charts.register_theme() == "nhs"
    assert charts.register_theme() == "nhs"
    assert alt.theme.active == "nhs"
    config = charts.nhs_theme()["config"]
    assert config["range"]["category"][0] == "#005EB8"  # NHS blue first


def test_save_chart_writes_inline_html_and_svg(tmp_path):
    chart = charts.plot_bar(
        _frame(), category="trust_code", value="wte", colour="group", title="WTE"
    )
    paths = charts.save_chart(chart, "wte", tmp_path / "charts")
    assert [p.name for p in paths] == ["wte.html", "wte.svg"]
    html = paths[0].read_text(encoding="utf-8")
    assert report.find_remote_references(html) == []
    assert "vegaEmbed" in html  # the Vega runtime is inlined, not fetched
    svg = paths[1].read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<svg")
    assert "RXN" in svg


@pytest.mark.parametrize("stem", ["a/b", "chart.html", ""])
def test_save_chart_rejects_bad_stems(tmp_path, stem):
    with pytest.raises(ValueError, match="stem"):
        charts.save_chart(
            charts.plot_bar(_frame(), category="trust_code", value="wte", title="t"), stem, tmp_path
        )


def test_notebook_renderer_is_svg():
    assert charts.configure_notebook_charts() == charts.NOTEBOOK_RENDERER
    bundle = charts.plot_heatmap(
        _frame(), x="trust_code", y="group", value="wte", title="t"
    )._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert "image/svg+xml" in data
    # A chart built from codes elsewhere shows labels too.
    raw = alt.Chart(_frame()).mark_bar().encode(y="trust_code:N", x="wte:Q")
    bundle = raw._repr_mimebundle_()
    svg = (bundle[0] if isinstance(bundle, tuple) else bundle)["image/svg+xml"]
    assert "Lancashire Teaching Hospitals (RXN)" in svg
    assert ">Trust<" in svg  # the axis title from config/labels.yaml


@pytest.mark.parametrize(
    ("html", "remote"),
    [
        ('<script src="https://cdn.example/require.js"></script>', True),
        ("<script src='//cdn.example/x.js'></script>", True),
        ('<link rel="stylesheet" href="http://fonts.example/a.css">', True),
        ("<style>@import url(https://fonts.example/a.css);</style>", True),
        ('<img src="https://example.org/x.png">', True),
        ('<a href="https://www.england.nhs.uk">NHS</a>', False),
        ('<svg xmlns="http://www.w3.org/2000/svg"></svg>', False),
        ('<img src="data:image/svg+xml;base64,AAAA">', False),
    ],
)
def test_find_remote_references(html, remote):
    assert bool(report.find_remote_references(html)) is remote


def test_export_hides_inputs_and_loads_nothing_remote(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Title\n\nInline maths $x^2$."),
        nbformat.v4.new_code_cell(
            "secret_input_marker = 1",
            outputs=[
                nbformat.v4.new_output(
                    "display_data",
                    data={
                        "image/svg+xml": SVG,
                        "text/plain": "chart",
                    },
                ),
            ],
        ),
    ]
    source = tmp_path / "nb.ipynb"
    nbformat.write(nb, source)
    out = report.export_notebook_html(source, tmp_path / "html" / "nb.html")
    html = out.read_text(encoding="utf-8")
    assert "secret_input_marker" not in html
    assert report.find_remote_references(html) == []
    for cdn in ("require.js", "mathjax", "mermaid", "unpkg", "cdnjs"):
        assert cdn not in html.lower()
    assert html.count('data-mime-type="image/svg+xml"') == 1


def test_write_tables_csv_and_parquet_round_trip(tmp_path):
    paths = report.write_tables({"wte": _frame()}, tmp_path)
    assert [p.name for p in paths] == ["wte.csv", "wte.parquet"]
    assert pl.read_parquet(paths[1]).equals(_frame())
    assert pl.read_csv(paths[0]).equals(_frame())
    with pytest.raises(ValueError, match="stem"):
        report.write_tables({"../x": _frame()}, tmp_path)


# --------------------------------------------------------------------------- maths as MathML

MATHS_MARKDOWN = r"""## Formulation (C1)

Assign $x_{i,d} \in \{0,1\}$ for person_id and *each* day $d \in D$; keep snake_case_names.

$$\sum_{i \in I} x_{i,d} \le 1 \quad \forall d \in D$$

$$
\begin{aligned}
u_r &\ge 0 \\
o_r &\le \frac{1}{2}
\end{aligned}
$$

\begin{align*}
a &= b \label{eq:a} \\
c &\le d \nonumber
\end{align*}

Unknown: $\foo{x} < 1$.
"""


def _parse_math(mathml: str) -> ET.Element:
    root = ET.fromstring(mathml)
    assert root.tag == f"{{{MATHML_NS}}}math"
    return root


def _texts(root: ET.Element, tag: str) -> list[str]:
    return ["".join(el.itertext()) for el in root.iter(f"{{{MATHML_NS}}}{tag}")]


def test_latex_to_mathml_sum_constraint_structure():
    root = _parse_math(report.latex_to_mathml(r"\sum_{i \in I} x_{i,d} \le 1"))
    assert root.get("display") == "inline"
    subscripts = root.findall(f".//{{{MATHML_NS}}}msub")
    # Hand-checked: sum with subscript "i in I", then x with subscript "i,d".
    assert ["".join(s.itertext()) for s in subscripts] == ["\u2211i\u2208I", "xi,d"]
    assert "\u2264" in _texts(root, "mo")  # \le
    assert _texts(root, "mn") == ["1"]


def test_latex_to_mathml_rewrites_environments_it_lacks():
    aligned = _parse_math(
        report.latex_to_mathml(r"\begin{aligned} a &= b \\ c &\le d \end{aligned}", display=True)
    )
    assert aligned.get("display") == "block"
    rows = list(aligned.iter(f"{{{MATHML_NS}}}mtr"))
    assert len(rows) == 2
    assert ["".join(cell.itertext()) for cell in rows[1]] == ["c", "\u2264d"]
    alignat = _parse_math(report.latex_to_mathml(r"\begin{alignat}{2} a &= b \end{alignat}"))
    assert _texts(alignat, "mn") == []  # the {2} column count is not shown as a number
    gather = _parse_math(report.latex_to_mathml(r"\begin{gather} a \\ b \end{gather}"))
    assert len(list(gather.iter(f"{{{MATHML_NS}}}mtr"))) == 2
    labelled = report.latex_to_mathml(r"\begin{equation} y \label{eq:y} \nonumber \end{equation}")
    assert "".join(_parse_math(labelled).itertext()) == "y"


@pytest.mark.parametrize(
    "latex",
    [r"\frac{1", "x^", r"\foo{x}", "}", r"\begin{tikzpicture} a & b \end{tikzpicture}", r"\frac"],
)
def test_unsupported_latex_is_refused_and_shown_as_code(latex, caplog):
    with pytest.raises(report.UnsupportedLatex):
        report.latex_to_mathml(latex)
    fragment = report.latex_to_html(latex, display=True, delimiter="$$")
    assert fragment.startswith('<code class="lsc-math-fallback lsc-math-display"')
    assert html.unescape(re.sub(r"<[^>]+>", "", fragment)) == f"$${latex}$$"
    assert "LaTeX shown as source" in caplog.text


def test_latex_fallback_escapes_html():
    fragment = report.latex_to_html(r"\foo <b>x</b> & y")
    assert "<b>" not in fragment
    assert "&lt;b&gt;x&lt;/b&gt; &amp; y" in fragment


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from([*"xyab12 _^{}&\\<>", r"\frac", r"\sum", r"\le", r"\\", r"\begin{aligned}"])
    ).map("".join)
)
def test_latex_to_html_never_raises_and_is_either_mathml_or_the_source(latex):
    fragment = report.latex_to_html(latex)
    if fragment.startswith("<math"):
        _parse_math(fragment)
    else:
        assert html.unescape(re.sub(r"<[^>]+>", "", fragment)) == f"${latex}$"


def test_export_renders_markdown_maths_as_mathml(tmp_path, caplog):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(MATHS_MARKDOWN)]
    source = tmp_path / "maths.ipynb"
    nbformat.write(nb, source)
    page = report.export_notebook_html(source, tmp_path / "maths.html").read_text("utf-8")
    assert report.find_remote_references(page) == []
    soup = BeautifulSoup(page, "html.parser")
    (cell,) = soup.select(".jp-MarkdownCell")
    maths = cell.find_all("math")
    # x_{i,d} in {0,1}, d in D, the sum, the aligned block and the align* environment.
    assert len(maths) == 5
    assert [m.get("display") for m in maths] == ["inline", "inline", "block", "block", "block"]
    assert "\u2211" in maths[2].get_text()
    assert "\u2200" in maths[2].get_text()
    assert [len(m.find_all("mtr")) for m in maths[3:]] == [2, 2]
    assert "eq:a" not in cell.get_text()
    assert "label" not in cell.get_text()
    # Markdown around the maths still works and never reaches inside it.
    assert cell.find("em").get_text() == "each"
    assert "snake_case_names" in cell.get_text()
    assert "person_id" in cell.get_text()
    assert all(m.find("em") is None for m in maths)
    # Unsupported LaTeX is readable source; no other $ or $$ is left in the cell.
    (fallback,) = cell.select("code.lsc-math-fallback")
    assert fallback.get_text() == r"$\foo{x} < 1$"
    fallback.decompose()
    assert "$" not in cell.get_text()
    assert r"\foo" in caplog.text
