"""Hostile text in outputs: formulas stay text, HTML is escaped, file names stay inside.

The payloads are the ones the hostile-input review got through: a job title
``=cmd|' /C calc'!A0`` in a CSV, a configuration ``source`` that became a live
``=HYPERLINK(...)`` in the Excel annex, a service name ``<img src=x onerror=...>`` rendered as
HTML, and a staff id ``../x`` that wrote a calendar outside the output folder.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from types import SimpleNamespace

import altair as alt
import nbformat
import polars as pl
import pytest
from bs4 import BeautifulSoup

from lsc_workforce import charts, report
from lsc_workforce.ooh.outputs import write_ics, write_rosters
from lsc_workforce.privacy import INTERNAL_MARK, internal_area
from lsc_workforce.safe_output import (
    OutputPathError,
    check_identifier,
    html_safe_json,
    neutralise_formulas,
    open_workbook,
    path_inside,
    write_cell,
    write_csv,
    write_excel_sheets,
)

pytestmark = pytest.mark.unit

FORMULAS = ["=cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0", "+1+cmd|' /C calc'!A0", "-2+3"]
FORMULAS += ['=HYPERLINK("http://example.invalid","click")', "\t=1+1", "\r=1+1"]
SCRIPT = "<img src=x onerror=alert(1)>"
HOSTILE_IDS = ["../x", "../../etc/passwd", "/tmp/x", "a/../../x", "..", ".hidden", "", "a\\b"]


def _titles() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "local_job_title": [*FORMULAS, "Radiographer", "-3", "+1.5", "-"],
            "gap_wte": [-3.5] * (len(FORMULAS) + 4),
            "people": [-1] * (len(FORMULAS) + 4),
        }
    )


def test_formula_text_gets_an_apostrophe_numbers_do_not():
    out = neutralise_formulas(_titles())
    titles = out["local_job_title"].to_list()
    assert titles[: len(FORMULAS)] == [f"'{text}" for text in FORMULAS]
    assert titles[len(FORMULAS) :] == ["Radiographer", "-3", "+1.5", "'-"]
    # Numeric columns keep their negative numbers and their type.
    assert out["gap_wte"].to_list() == _titles()["gap_wte"].to_list()
    assert out.schema == _titles().schema


def test_csv_tables_carry_no_live_formula(tmp_path):
    (csv_path, parquet_path) = report.write_tables({"titles": _titles()}, tmp_path)
    written = pl.read_csv(csv_path, infer_schema=False)
    for text in written["local_job_title"]:
        plain_number = re.fullmatch(r"[+-]?\d+(\.\d+)?", text)
        assert plain_number or not re.match(r"[=+\-@\t\r]", text), text
    assert written["local_job_title"][0] == "'=cmd|' /C calc'!A0"
    assert set(written["gap_wte"]) == {"-3.5"}  # a negative number is left as it is
    # Parquet keeps the text as it is (no spreadsheet reads it).
    assert pl.read_parquet(parquet_path)["local_job_title"][0] == FORMULAS[0]
    write_csv(_titles(), tmp_path / "direct.csv")
    assert "'=cmd" in (tmp_path / "direct.csv").read_text(encoding="utf-8")


def _sheet_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as book:
        names = [n for n in book.namelist() if n.startswith("xl/worksheets/sheet")]
        return "".join(book.read(n).decode("utf-8") for n in names)


def _shared_strings(path: Path) -> str:
    with zipfile.ZipFile(path) as book:
        return book.read("xl/sharedStrings.xml").decode("utf-8")


def test_excel_text_cells_are_strings_never_formulas(tmp_path):
    path = write_excel_sheets({"titles": _titles()}, tmp_path / "t.xlsx")
    assert "<f>" not in _sheet_xml(path)
    assert "=HYPERLINK" in _shared_strings(path)
    assert "<hyperlink" not in _sheet_xml(path)
    cells = tmp_path / "cells.xlsx"
    book = open_workbook(cells)
    sheet = book.add_worksheet("s")
    for column, value in enumerate([*FORMULAS, 1.5, None, True, float("nan")]):
        write_cell(sheet, 0, column, value)
    book.close()
    assert "<f>" not in _sheet_xml(cells)
    assert pl.read_excel(cells, has_header=False).row(0)[: len(FORMULAS)] == tuple(FORMULAS)


class _Result(SimpleNamespace):
    """Just enough of a ScenarioResult for the writers to choose file names."""

    def roster(self) -> pl.DataFrame:
        return pl.DataFrame({"staff_id": [self.staff_id], "date": ["2026-06-01"]})


def _writers(out: Path, hostile: str) -> dict[str, object]:
    frame = pl.DataFrame({"a": [1]})
    chart = alt.Chart(frame.to_pandas()).mark_bar().encode(x="a:Q")
    return {
        "report.write_tables": lambda: report.write_tables({hostile: frame}, out),
        "charts.save_chart": lambda: charts.save_chart(chart, hostile, out),
        "ooh write_ics (staff id)": lambda: write_ics(
            _Result(key="svc__scn", staff_id=hostile), out, None
        ),
        "ooh write_ics (service id)": lambda: write_ics(
            _Result(key=hostile, staff_id="S000001"), out, None
        ),
        "ooh write_rosters": lambda: write_rosters([_Result(key=hostile, staff_id="S1")], out),
        "path_inside": lambda: path_inside(out, hostile),
    }


@pytest.mark.parametrize("hostile", HOSTILE_IDS)
def test_every_writer_refuses_a_hostile_id_and_writes_nothing_outside(tmp_path, hostile):
    out = tmp_path / "run" / "area"
    out.mkdir(parents=True)
    for name, write in _writers(out, hostile).items():
        with pytest.raises(OutputPathError):
            write()
        outside = [p for p in tmp_path.rglob("*") if p.is_file() and out not in p.parents]
        assert outside == [], name
    assert not list(out.rglob("*.ics"))


def test_plain_ids_are_accepted_inside_the_folder(tmp_path):
    assert check_identifier("S000001") == "S000001"
    assert check_identifier("ir_oncall__network") == "ir_oncall__network"
    assert path_inside(tmp_path, "S000001.ics") == (tmp_path / "S000001.ics").resolve()


def _export(tmp_path: Path, markdown_output: str) -> str:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell(f"Config text: {SCRIPT} and maths $x^2$."),
        nbformat.v4.new_code_cell(
            "report.show_markdown(text)",
            outputs=[
                nbformat.v4.new_output(
                    "display_data",
                    data={"text/markdown": markdown_output, "text/plain": "<Markdown>"},
                )
            ],
        ),
    ]
    source = tmp_path / "nb.ipynb"
    nbformat.write(nb, source)
    return report.export_notebook_html(source, tmp_path / "nb.html").read_text("utf-8")


def test_html_from_configuration_is_escaped_in_exported_pages(tmp_path):
    sentence = f"- **{SCRIPT}** × network: needs 4 more posts <script>alert(2)</script>"
    soup = BeautifulSoup(_export(tmp_path, sentence), "html.parser")
    rendered = soup.select(".jp-RenderedMarkdown")
    assert len(rendered) == 2  # the Markdown cell and the show_markdown output
    for part in rendered:
        assert part.find_all(["img", "script"]) == []
        assert "<img" in part.get_text()  # shown as the text it is
    assert rendered[1].find("strong") is not None  # Markdown still works
    assert rendered[0].find("math") is not None  # and maths still becomes MathML


def test_chart_json_cannot_close_its_script_element(tmp_path):
    frame = pl.DataFrame({"name": [f"</script>{SCRIPT}"], "n": [1]})
    chart = alt.Chart(frame.to_pandas()).mark_bar().encode(x="n:Q", y="name:N")
    html_path, svg_path = charts.save_chart(chart.properties(title=SCRIPT), "hostile", tmp_path)
    page = html_path.read_text(encoding="utf-8")
    assert "</script><img" not in page
    assert "<img src=x" not in page
    assert "<img" not in svg_path.read_text(encoding="utf-8")
    assert html_safe_json({"a": "</script>&"}) == '{"a": "\\u003c/script\\u003e\\u0026"}'


def test_internal_charts_carry_the_not_for_publication_mark(tmp_path):
    assert internal_area(tmp_path, "baseline", enabled=False) is None
    folder = internal_area(tmp_path, "baseline", enabled=True)
    assert folder == tmp_path / "internal" / "baseline"
    assert INTERNAL_MARK in (tmp_path / "internal" / "README.txt").read_text(encoding="utf-8")
    chart = charts.plot_bar(
        pl.DataFrame({"band": ["65-69"], "headcount": [1]}),
        category="band",
        value="headcount",
        title="Age profile",
    )
    html_path, svg_path = charts.save_chart(chart, "age_profile", folder, internal=True)
    body = html_path.read_text(encoding="utf-8").partition("</head>")[2]
    assert INTERNAL_MARK in body.split("<script")[0]  # a banner above the chart
    assert INTERNAL_MARK in svg_path.read_text(encoding="utf-8")
