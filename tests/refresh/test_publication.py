"""The published bundle of the reference refresh: key figures, report, annex, PDF and index.

* every key figure the report shows is the one in the run's ``key_figures.csv``, and the annex
  holds the same table;
* the annex's totals reconcile with the report (intakes and cost of the optimised plan, the
  scenario table's gaps);
* the annex is a workbook analysts expect: a README sheet with the run id and dates, sheet
  names in words, frozen headers, filters and number formats;
* the A4 PDF has every section of the page (skipped, with the reason, without Chromium);
* the index links every file of the run and exists only beside a published run.
"""

from __future__ import annotations

import html
import re
import unicodedata
import zipfile
from pathlib import Path

import polars as pl
import pytest

from lsc_workforce import key_figures as kf
from lsc_workforce import pdf
from lsc_workforce.labels import load_labels
from lsc_workforce.tables import format_value

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture(scope="module")
def latest(reference_outputs) -> Path:
    return reference_outputs / "latest"


@pytest.fixture(scope="module")
def figures(latest) -> pl.DataFrame:
    table = kf.read_key_figures(latest)
    assert table is not None, "the run wrote no key_figures.csv"
    return table


def _report(latest: Path) -> str:
    return html.unescape((latest / kf.REPORT).read_text(encoding="utf-8"))


def _annex(latest: Path) -> dict[str, pl.DataFrame]:
    return pl.read_excel(latest / kf.ANNEX, sheet_id=0)


def test_the_report_shows_each_key_figure_from_the_table(latest, figures):
    page = _report(latest)
    shown = figures.filter(pl.col("shown_on").str.contains(kf.REPORT, literal=True))
    assert shown.height >= 11
    for row in shown.iter_rows(named=True):
        text = format_value(row["value"], row["format"])
        assert text in page, f"{row['figure']} = {text} not in the report"


def test_the_annex_holds_the_same_key_figures(latest, figures):
    sheet = _annex(latest)["Key figures"]
    labels = load_labels()
    by_id = dict(zip(sheet[labels.header("figure")], sheet[labels.header("value")], strict=True))
    for figure, value in figures.select("figure", "value").iter_rows():
        assert by_id[figure] == pytest.approx(value), figure


def test_annex_totals_reconcile_with_the_report(latest, figures):
    labels = load_labels()
    intakes = _annex(latest)["Intakes by programme and trust"]
    plan = intakes.filter(
        (pl.col(labels.header("scenario")) == labels.value("scenarios", "optimised"))
        & (pl.col(labels.header("demand_scenario")) == labels.value("scenarios", "central"))
    )
    intake_total = plan[labels.header("intake")].sum()
    training = kf.figure_value(figures, "training_intake_optimised")
    recruits = kf.figure_value(figures, "international_recruits_optimised")
    assert intake_total == pytest.approx(training + recruits)
    page = _report(latest)
    assert format_value(training, "count") in page
    assert format_value(recruits, "count") in page
    scenarios = _annex(latest)["Scenario comparison"]
    row = scenarios.filter(
        (pl.col(labels.header("scenario")) == labels.value("scenarios", "optimised"))
        & (pl.col(labels.header("demand_scenario")) == labels.value("scenarios", "central"))
    )
    for column, figure in (
        ("gap_now_wte", "gap_first_optimised"),
        ("gap_plus10_wte_central", "gap_last_optimised"),
        ("target_gap_p50_wte", "gap_p50_optimised"),
    ):
        assert row[labels.header(column)][0] == pytest.approx(
            kf.figure_value(figures, figure), abs=0.051
        )
    cost_m = row[labels.header("cost_gbp_m")][0]
    assert cost_m == pytest.approx(kf.figure_value(figures, "cost_optimised") / 1e6, abs=0.006)


def test_the_annex_is_a_workbook_analysts_expect(latest):
    path = latest / kf.ANNEX
    sheets = _annex(latest)
    names = list(sheets)
    assert names[0] == "README"
    assert all(" " in n or n[0].isupper() for n in names)
    assert not [n for n in names if re.fullmatch(r"[a-z0-9_]+", n)]
    readme = " ".join(
        str(v) for col in sheets["README"].columns for v in sheets["README"][col].to_list()
    ) + " ".join(sheets["README"].columns)
    run_id = latest.resolve().name
    assert run_id in readme
    assert "Data as at" in readme
    with zipfile.ZipFile(path) as book:
        worksheets = sorted(n for n in book.namelist() if re.match(r"xl/worksheets/sheet\d+", n))
        styles = book.read("xl/styles.xml").decode()
        for name in worksheets[1:]:  # every table sheet, after the README
            xml = book.read(name).decode()
            assert 'ySplit="1"' in xml, f"{name}: header row not frozen"
            assert "<autoFilter" in xml, f"{name}: no filter"
            assert "<col " in xml, f"{name}: no column widths"
    assert "#,##0.0" in styles
    assert "£#,##0" in styles
    assert "0.0%" in styles


def test_the_pdf_is_a4_with_every_section(latest):
    page = latest / kf.REPORT
    made = page.with_suffix(".pdf")
    if not pdf.chromium_path().is_file():
        pytest.skip(f"no PDF renderer: {pdf.ENABLE_HINT}")
    pypdf = pytest.importorskip("pypdf", reason="pypdf reads the PDF (a dev dependency)")
    assert made.is_file(), "the refresh made no PDF although Chromium is installed"
    reader = pypdf.PdfReader(made)
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert (round(width), round(height)) == (596, 843)  # A4 in points
    # NFKC undoes the typographic ligatures ("ﬁ", "ﬀ") of the PDF's text.
    text = unicodedata.normalize(
        "NFKC", " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)
    )
    headings = re.findall(r"<h2>(.*?)</h2>", page.read_text(encoding="utf-8"))
    assert len(headings) >= 8
    for heading in headings:
        words = " ".join(html.unescape(re.sub(r"<[^>]+>", "", heading)).split())
        assert words in text, f"section {words!r} missing from the PDF"


def test_the_index_links_every_file_of_the_run(latest):
    index = (latest / "index.html").read_text(encoding="utf-8")
    links = set(re.findall(r'href="([^"#]+)"', index))
    run_dir = latest.resolve()
    files = {
        p.relative_to(run_dir).as_posix()
        for p in run_dir.rglob("*")
        if p.is_file() and not p.name.startswith(".") and p.name != "index.html"
    }
    files -= {"manifest.json", "refresh.log"}  # written after the index
    assert files - links == set()
    assert all((latest / link).is_file() for link in links)
    assert "Key figures against the previous successful run" in index
    assert "Synthetic data" in index


def test_notebook_pages_say_where_their_figures_appear_elsewhere(latest, figures):
    for page in sorted((latest / "html").glob("*.html")):
        text = html.unescape(page.read_text(encoding="utf-8"))
        footer = text[text.index("The same figures elsewhere") :]
        assert 'href="../reports/training_gap_report.html"' in footer, page.name
        assert 'href="../index.html"' in footer, page.name
    analyst = html.unescape((latest / kf.NOTEBOOK_40).read_text(encoding="utf-8"))
    body, footer = analyst.split("The same figures elsewhere")
    shown = figures.filter(
        pl.col("shown_on").str.contains(kf.NOTEBOOK_40, literal=True)
        & pl.col("format").is_in(["wte", "count"])
    )
    assert shown.height >= 8
    for row in shown.iter_rows(named=True):
        value = format_value(row["value"], row["format"])
        assert value in footer, row["figure"]
        assert value in body, f"{row['figure']} = {value} not in the notebook's own tables"
