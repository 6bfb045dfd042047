"""Every published HTML page, as a reader sees it at 1366 px in Chromium.

For each page of the reference refresh (``outputs/latest``):

- nothing overflows horizontally (a wide table scrolls inside its own box, not the page);
- every table is an HTML ``<table>`` whose headers are labels, never raw field names, and no
  table is printed as a dataframe repr;
- with JavaScript disabled every chart is still visible (inline SVG, or an SVG image);
- with the network blocked the page makes no request and logs no console error.

The standalone chart pages (``*/charts/*.html``) draw with Vega's JavaScript by design (their
SVG twins beside them are the static copies): they are checked for overflow and errors only.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

WIDTH = 1366
SNAKE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$")
REPR_MARKS = ("shape: (", "┌─", "╞═")

_PAGE_JS = """() => {
    const visible = e => {
        const r = e.getBoundingClientRect();
        return r.width > 20 && r.height > 20;
    };
    const charts = [
        ...document.querySelectorAll('figure svg'),
        ...document.querySelectorAll('.jp-RenderedSVG img, .jp-RenderedSVG svg'),
    ];
    return {
        scrollWidth: document.documentElement.scrollWidth,
        headers: Array.from(document.querySelectorAll('table th')).map(t => t.innerText.trim()),
        reprTables: document.querySelectorAll('table.dataframe').length,
        text: document.body.innerText,
        charts: charts.length,
        visibleCharts: charts.filter(visible).length,
        brokenImages: Array.from(document.images)
            .filter(i => !(i.complete && i.naturalWidth > 0)).length,
    };
}"""


def _pages(latest: Path) -> list[Path]:
    return sorted(p for p in latest.rglob("*.html") if "/charts/" not in p.as_posix())


def _visit(browser, path: Path, *, javascript: bool) -> tuple[dict, list[str], list[str]]:
    context = browser.new_context(
        viewport={"width": WIDTH, "height": 900}, java_script_enabled=javascript, offline=True
    )
    blocked: list[str] = []
    errors: list[str] = []
    try:
        page = context.new_page()

        def _route(route):
            url = route.request.url
            if url.startswith(("file://", "data:", "blob:", "about:")):
                route.continue_()
            else:
                blocked.append(url)
                route.abort()

        page.route("**/*", _route)
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(path.resolve().as_uri(), wait_until="load")
        found = page.evaluate(_PAGE_JS)
    finally:
        context.close()
    return found, blocked, errors


def test_every_published_page_reads_well_at_1366_px(reference_outputs, browser):
    latest = reference_outputs / "latest"
    pages = _pages(latest)
    names = {p.relative_to(latest).as_posix() for p in pages}
    assert {"index.html", "reports/training_gap_report.html", "html/30_ooh_rota.html"} <= names
    problems = []
    for path in pages:
        name = path.relative_to(latest).as_posix()
        with_js, blocked, errors = _visit(browser, path, javascript=True)
        without_js, _, _ = _visit(browser, path, javascript=False)
        if blocked or errors:
            problems.append(f"{name}: requests {blocked}, console errors {errors}")
        if with_js["scrollWidth"] > WIDTH:
            problems.append(f"{name}: {with_js['scrollWidth']} px wide at {WIDTH} px")
        raw = [h for h in with_js["headers"] if SNAKE.match(h)]
        if raw:
            problems.append(f"{name}: raw field names as table headers {raw[:5]}")
        if with_js["reprTables"] or any(mark in with_js["text"] for mark in REPR_MARKS):
            problems.append(f"{name}: a table printed as a dataframe repr")
        if without_js["visibleCharts"] != without_js["charts"] or without_js["brokenImages"]:
            problems.append(
                f"{name}: {without_js['charts'] - without_js['visibleCharts']} chart(s) hidden "
                f"and {without_js['brokenImages']} image(s) broken without JavaScript"
            )
    assert not problems, "\n".join(problems)


def test_the_report_shows_its_charts_without_javascript(reference_outputs, browser):
    path = reference_outputs / "latest" / "reports" / "training_gap_report.html"
    found, _, _ = _visit(browser, path, javascript=False)
    assert found["charts"] >= 5
    assert found["visibleCharts"] == found["charts"]
    assert "Synthetic data" in found["text"]


def test_standalone_chart_pages_fit_the_width(reference_outputs, browser):
    for path in sorted((reference_outputs / "latest").glob("*/charts/*.html")):
        found, blocked, errors = _visit(browser, path, javascript=True)
        assert blocked == [], path.name
        assert errors == [], path.name
        assert found["scrollWidth"] <= WIDTH, path.name


def test_the_checks_catch_overflow_and_raw_headers(browser, tmp_path):
    page = tmp_path / "bad.html"
    page.write_text(
        "<html><body><table class='dataframe'><tr><th>gap_plus5_wte</th></tr></table>"
        "<div style='width:2000px'>wide</div><figure><svg width='0' height='0'></svg></figure>"
        "</body></html>",
        encoding="utf-8",
    )
    found, _, _ = _visit(browser, page, javascript=False)
    assert found["scrollWidth"] > WIDTH
    assert [h for h in found["headers"] if SNAKE.match(h)] == ["gap_plus5_wte"]
    assert found["reprTables"] == 1
    assert found["visibleCharts"] < found["charts"]
