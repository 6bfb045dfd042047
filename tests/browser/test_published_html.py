"""Every published HTML page opens offline in headless Chromium and every chart renders.

Network access is blocked by route interception: any request that is not for a ``file://`` or
inline ``data:`` URL is aborted and recorded, and the test fails if there is even one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest

from lsc_workforce import report

pytestmark = pytest.mark.browser

#: Charts our notebook reports are designed to show (other notebooks are checked against the
#: SVG outputs of their executed notebook).
EXPECTED_NOTEBOOK_CHARTS = {"00_data_quality": 2, "10_workforce_baseline": 5}
OUR_CHART_AREAS = ("quality", "baseline")


@dataclass
class PageVisit:
    """What happened when one page was opened."""

    blocked: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)


def _open(browser, path: Path, check):
    """Open a file with the network blocked; run ``check(page)`` and return (visit, result)."""
    visit = PageVisit()
    context = browser.new_context(offline=True)
    page = context.new_page()

    def _route(route):
        url = route.request.url
        if url.startswith(("file://", "data:", "blob:", "about:")):
            route.continue_()
        else:
            visit.blocked.append(url)
            route.abort()

    page.route("**/*", _route)
    page.on("console", lambda m: visit.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: visit.page_errors.append(str(exc)))
    try:
        page.goto(path.resolve().as_uri(), wait_until="load")
        result = check(page)
    finally:
        context.close()
    return visit, result


def _assert_clean(visit: PageVisit, path: Path) -> None:
    assert visit.blocked == [], f"{path.name} tried to load {visit.blocked}"
    assert visit.console_errors == [], f"{path.name} console errors {visit.console_errors}"
    assert visit.page_errors == [], f"{path.name} page errors {visit.page_errors}"


def _rendered_images(page) -> list[dict]:
    return page.eval_on_selector_all(
        ".jp-RenderedSVG img",
        "els => els.map(e => ({ok: e.complete && e.naturalWidth > 0, w: e.naturalWidth}))",
    )


def test_published_pages_are_listed(reference_outputs):
    latest = reference_outputs / "latest"
    pages = sorted(p.relative_to(latest).as_posix() for p in latest.rglob("*.html"))
    assert "html/00_data_quality.html" in pages
    assert "html/10_workforce_baseline.html" in pages
    assert "data_quality.html" in pages
    ours = [p for p in pages if p.split("/")[0] in OUR_CHART_AREAS and "/charts/" in p]
    assert len(ours) == sum(EXPECTED_NOTEBOOK_CHARTS.values())


def test_notebook_reports_render_offline_with_every_chart(reference_outputs, browser):
    latest = reference_outputs / "latest"
    reports = sorted((latest / "html").glob("*.html"))
    assert {p.stem for p in reports} >= set(EXPECTED_NOTEBOOK_CHARTS)
    maths = 0
    for path in reports:
        name = path.stem
        visit, (images, boxes) = _open(
            browser, path, lambda page: (_rendered_images(page), _math_boxes(page))
        )
        _assert_clean(visit, path)
        _assert_math_rendered(boxes, path.read_text(encoding="utf-8"), name)
        maths += len(boxes)
        # The count matches the design and the executed notebook's SVG outputs ...
        executed = nbformat.read(latest / "notebooks" / f"{name}.ipynb", as_version=4)
        svg_outputs = sum(
            "image/svg+xml" in output.get("data", {})
            for cell in executed.cells
            for output in cell.get("outputs", [])
        )
        assert len(images) == svg_outputs, name
        if name in EXPECTED_NOTEBOOK_CHARTS:
            assert len(images) == EXPECTED_NOTEBOOK_CHARTS[name], name
        # ... and every chart image decoded to a real picture.
        assert all(image["ok"] for image in images), f"{name}: {images}"
    # The model notebooks' formulations (sets, parameters, constraints) are LaTeX.
    assert maths > 0, "no LaTeX rendered as MathML in any published notebook"


_MATH_BOXES_JS = """() => Array.from(document.querySelectorAll('math')).map(m => {
    const r = m.getBoundingClientRect();
    return {w: r.width, h: r.height, mathml: m instanceof MathMLElement};
})"""


def _math_boxes(page) -> list[dict]:
    return page.evaluate(_MATH_BOXES_JS)


def _assert_math_rendered(boxes: list[dict], html: str, name: str) -> None:
    assert len(boxes) == html.count("<math"), name
    assert all(box["mathml"] for box in boxes), f"{name}: not parsed as MathML"
    assert all(box["w"] > 0 and box["h"] > 0 for box in boxes), f"{name}: empty maths {boxes}"


def _vega_marks(page) -> dict:
    page.wait_for_selector(".vega-embed svg", timeout=15_000)
    return page.evaluate(
        """() => ({
            charts: document.querySelectorAll('.vega-embed svg.marks').length,
            marks: document.querySelectorAll('.vega-embed svg .role-mark path, '
                + '.vega-embed svg .role-mark rect, .vega-embed svg .role-mark text').length,
            width: document.querySelector('.vega-embed svg').getBoundingClientRect().width,
        })"""
    )


def test_standalone_chart_pages_render_offline(reference_outputs, browser):
    chart_pages = sorted((reference_outputs / "latest").glob("*/charts/*.html"))
    assert len(chart_pages) >= sum(EXPECTED_NOTEBOOK_CHARTS.values())
    for path in chart_pages:
        visit, found = _open(browser, path, _vega_marks)
        _assert_clean(visit, path)
        assert found["charts"] == 1, path.name
        assert found["marks"] > 0, path.name
        assert found["width"] > 100, path.name


def test_data_quality_report_renders_offline(reference_outputs, browser):
    path = reference_outputs / "latest" / "data_quality.html"
    html = path.read_text(encoding="utf-8")

    def _check(page):
        return page.evaluate(
            """() => ({
                tables: document.querySelectorAll('table').length,
                svgs: document.querySelectorAll('svg').length,
                imgs: Array.from(document.images).filter(i => i.naturalWidth > 0).length,
                text: document.body.innerText,
            })"""
        )

    visit, found = _open(browser, path, _check)
    _assert_clean(visit, path)
    # Charts in this report (if any) are inline SVG or images; each must be in the DOM.
    assert found["svgs"] == html.count("<svg")
    assert found["imgs"] == html.count("<img")
    assert found["tables"] >= 1
    assert "staff_in_post" in found["text"]


def test_the_checks_catch_remote_requests_and_broken_charts(browser, tmp_path):
    page = tmp_path / "bad.html"
    page.write_text(
        '<html><head><script src="https://cdn.example.org/require.js"></script></head><body>'
        '<div class="jp-RenderedSVG"><img src="data:image/svg+xml;base64,bm90IGFuIHN2Zw=="></div>'
        "<script>console.error('boom')</script></body></html>",
        encoding="utf-8",
    )
    visit, images = _open(browser, page, _rendered_images)
    assert visit.blocked == ["https://cdn.example.org/require.js"]
    assert "boom" in visit.console_errors
    assert images == [{"ok": False, "w": 0}]  # a chart that does not decode is caught


MATHS_MARKDOWN = r"""## Formulation

Cover: $\sum_{i \in I} x_{i,d} \le 1$ for every day $d$.

$$
\begin{aligned}
u_r &\ge 0 \\
o_r &\le \frac{1}{2}
\end{aligned}
$$

Not supported: $\foo{x}$.
"""

_MATH_LAYOUT_JS = """() => {
    const box = e => e.getBoundingClientRect();
    const [base, sub] = document.querySelectorAll('msub')[1].children;  // x_{i,d}
    const [num, den] = document.querySelector('mfrac').children;
    const rows = document.querySelectorAll('mtr');
    const code = document.querySelector('code.lsc-math-fallback');
    return {
        subscript_lower: box(sub).bottom > box(base).bottom,
        fraction_stacked: box(num).bottom <= box(den).top + 1,
        rows_stacked: rows.length === 2 && box(rows[1]).top >= box(rows[0]).bottom - 1,
        fallback_text: code.innerText,
        fallback_visible: box(code).width > 0,
    };
}"""


def test_exported_maths_renders_as_mathml_offline(browser, tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(MATHS_MARKDOWN)]
    nbformat.write(nb, tmp_path / "maths.ipynb")
    path = report.export_notebook_html(tmp_path / "maths.ipynb", tmp_path / "maths.html")
    visit, (boxes, layout) = _open(
        browser, path, lambda page: (_math_boxes(page), page.evaluate(_MATH_LAYOUT_JS))
    )
    _assert_clean(visit, path)
    assert len(boxes) == 3
    _assert_math_rendered(boxes, path.read_text(encoding="utf-8"), path.name)
    # Laid out as mathematics, not as a run of inline text.
    assert layout == {
        "subscript_lower": True,
        "fraction_stacked": True,
        "rows_stacked": True,
        "fallback_text": r"$\foo{x}$",
        "fallback_visible": True,
    }
