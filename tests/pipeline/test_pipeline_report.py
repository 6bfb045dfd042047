"""The training-gap report: offline rendering in Chromium, and no small-number leaks."""

from __future__ import annotations

import re
import zipfile
from dataclasses import replace
from html.parser import HTMLParser

import polars as pl
import pytest

from lsc_workforce.config import CONFIG_DIR, REFERENCE_AS_AT, REFERENCE_DATA_DIR, SolverSettings
from lsc_workforce.data import load_datasets
from lsc_workforce.labels import load_labels
from lsc_workforce.pipeline.gap_report import (
    build_charts,
    write_training_gap_report,
)
from lsc_workforce.pipeline.scenarios import PipelineConfig
from lsc_workforce.pipeline.workflow import SENSITIVE_COLUMNS, run_training_pipeline

pytestmark = pytest.mark.slow  # the module fixture solves two scenarios on the reference data


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """Run two scenarios on the reference data and publish the report (about 15 s)."""
    out = tmp_path_factory.mktemp("pipeline_report")
    config = PipelineConfig.from_yaml(CONFIG_DIR / "training" / "scenarios.yaml").with_overrides(
        demand_scenarios=("central",), monte_carlo_draws=50
    )
    run, _data, _results = run_training_pipeline(
        load_datasets(REFERENCE_DATA_DIR),
        CONFIG_DIR,
        REFERENCE_AS_AT,
        config,
        SolverSettings(threads=1, time_limit_s=10, gap_rel=1e-3),
        output_dir=out,
        scenarios=["status_quo", "optimised"],
    )
    html_path, xlsx_path, _figures = write_training_gap_report(run, out)
    return run, html_path, xlsx_path


class _Tables(HTMLParser):
    """Collect the sensitive columns of tables marked data-privacy="suppressed"."""

    def __init__(self):
        super().__init__()
        self.privacy_tables = 0
        self.in_private = False
        self.sensitive_index: list[int] = []
        self.col = -1
        self.cell = None
        self.values: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("data-privacy") == "suppressed":
            self.in_private, self.sensitive_index = True, []
            self.privacy_tables += 1
            self.header_col = -1
        elif self.in_private and tag == "th":
            self.header_col += 1
            if attrs.get("data-sensitive") == "1":
                self.sensitive_index.append(self.header_col)
        elif self.in_private and tag == "tr":
            self.col = -1
        elif self.in_private and tag == "td":
            self.col += 1
            self.cell = ""

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data

    def handle_endtag(self, tag):
        if tag == "td" and self.cell is not None:
            if self.col in self.sensitive_index:
                self.values.append(self.cell.strip())
            self.cell = None
        elif tag == "table":
            self.in_private = False


def _is_safe(value) -> bool:
    """A published count is null / '*' / a multiple of 5 outside 1-7."""
    if value is None or value in ("*", "suppressed (1-7)"):
        return True
    number = float(str(value).replace(",", ""))
    return number == int(number) and int(number) % 5 == 0 and not 1 <= number <= 7


@pytest.mark.integration
def test_html_tables_never_show_a_small_count(published):
    _run, html_path, _ = published
    parser = _Tables()
    parser.feed(html_path.read_text(encoding="utf-8"))
    assert parser.privacy_tables == 1
    assert parser.values, "the privacy table has no sensitive cells"
    assert all(_is_safe(v) for v in parser.values), parser.values
    assert "*" in parser.values  # the reference data do have small cells to suppress


@pytest.mark.integration
def test_chart_data_and_tooltips_never_show_a_small_count(published):
    """The charts are static SVG: no data records or tooltips reach the page, and the data
    the charts are drawn from hold only suppressed counts."""
    run, html_path, _ = published
    text = html_path.read_text(encoding="utf-8")
    assert "<script" not in text
    assert text.count("<figure") == len(build_charts(run)) == text.count("<svg")
    checked = 0
    for spec in (chart.to_dict() for chart in build_charts(run).values()):
        for rows in spec.get("datasets", {}).values():
            for row in rows:
                for key in (*SENSITIVE_COLUMNS, "people", "shown"):
                    if key in row:
                        checked += 1
                        assert _is_safe(row[key]), (key, row)
    assert checked > 0


@pytest.mark.integration
def test_no_person_level_identifiers(published):
    _run, html_path, xlsx_path = published
    text = html_path.read_text(encoding="utf-8")
    # staff_id S + 6 digits and post_id P + 7 digits (data contract) never appear
    assert not re.search(r"\bS\d{6}\b|\bP\d{7}\b", text)
    for sheet in pl.read_excel(xlsx_path, sheet_id=0).values():
        flat = " ".join(str(v) for col in sheet.columns for v in sheet[col].to_list())
        assert not re.search(r"\bS\d{6}\b|\bP\d{7}\b", flat)


@pytest.mark.integration
def test_excel_annex_suppresses_small_counts(published):
    _run, _html, xlsx_path = published
    sheets = pl.read_excel(xlsx_path, sheet_id=0)
    risk_sheet = "Staff leaving or retiring"
    assert {"README", "Scenario comparison", "Gap by group and trust", risk_sheet} <= set(sheets)
    headers = [load_labels().header(c) for c in SENSITIVE_COLUMNS]
    risk = sheets[risk_sheet]
    values = [v for c in headers for v in risk[c].cast(pl.String).to_list()]
    assert values
    assert all(_is_safe(v) for v in values), values
    assert "*" in values
    # no other sheet carries a leavers/retirements/age count column
    for name, sheet in sheets.items():
        if name != risk_sheet:
            assert not set(sheet.columns) & set(headers), name


@pytest.mark.integration
def test_hostile_configuration_text_stays_text_in_annex_and_page(published, tmp_path):
    """A ``source`` such as ``=HYPERLINK(...)`` is stored as text; HTML in it is escaped."""
    run, _html, _xlsx = published
    source = '=HYPERLINK("http://example.invalid","x")<img src=x onerror=alert(1)>'
    hostile = replace(run, programmes=run.programmes.with_columns(pl.lit(source).alias("source")))
    page_path, annex, _figures = write_training_gap_report(hostile, tmp_path)
    with zipfile.ZipFile(annex) as book:
        sheets = [n for n in book.namelist() if n.startswith("xl/worksheets/")]
        assert all(b"<f>" not in book.read(name) for name in sheets)
        assert b"=HYPERLINK" in book.read("xl/sharedStrings.xml")
    assumptions = pl.read_excel(annex, sheet_name="Assumptions")
    assert set(assumptions[load_labels().header("source")]) == {source}
    page = page_path.read_text(encoding="utf-8")
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


@pytest.mark.browser
def test_report_renders_offline_in_chromium(published, browser):
    run, html_path, _ = published
    expected = len(build_charts(run))
    errors, requests = [], []
    context = browser.new_context(offline=True)
    try:

        def block(route):
            requests.append(route.request.url)
            if route.request.url.startswith("file:"):
                route.continue_()
            else:
                route.abort()

        context.route("**/*", block)
        page = context.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(html_path.as_uri())
        with_marks = page.evaluate(
            "Array.from(document.querySelectorAll('figure')).filter("
            "d => d.querySelector('svg') && d.querySelectorAll('svg path, svg rect').length > 5"
            ").length"
        )
    finally:
        context.close()
    assert errors == []
    assert [u for u in requests if not u.startswith("file:")] == []
    assert expected == 6
    assert with_marks == expected
