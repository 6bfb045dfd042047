"""Charts save offline; the notebook HTML export references nothing remote."""

from __future__ import annotations

import altair as alt
import nbformat
import polars as pl
import pytest

from lsc_workforce import charts, report

pytestmark = pytest.mark.unit

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
    assert charts.configure_notebook_charts() == "svg"
    bundle = charts.plot_heatmap(
        _frame(), x="trust_code", y="group", value="wte", title="t"
    )._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert "image/svg+xml" in data


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
