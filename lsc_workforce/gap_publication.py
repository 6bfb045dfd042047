"""The training-gap report as a publication: the HTML page, its A4 PDF source and the Excel annex.

:func:`write_publication` writes, into ``<run>/reports/``:

- ``training_gap_report.html``: one self-contained page. Its first screen answers the NHS
  England WT&E liaison's questions (the gap by trust and staff group now, in 5 and 10 years; the
  recommended intakes by programme and trust; their cost against today's intakes; how sure the
  model is; what blocks closing the gap), from the run's key figures
  (:mod:`lsc_workforce.key_figures`). It carries the publication metadata and, on reference
  data, the synthetic-data banner (:mod:`lsc_workforce.publication`); it uses the NHS identity
  (NHS blue #005EB8, Arial) with WCAG AA contrast; its charts are inline static SVG made
  offline by ``vl-convert`` (they show with JavaScript off), each with alt text; its tables are
  great-tables HTML with labels from configuration (:mod:`lsc_workforce.tables`); a print
  stylesheet lays it out on A4;
- ``training_gap_annex.xlsx``: the same tables, formatted (:mod:`lsc_workforce.excel`);
- the run's ``key_figures.csv``.

The content (which tables, the summary sentences, the charts) comes from
:mod:`lsc_workforce.pipeline.gap_report`; this module only lays it out.
"""

from __future__ import annotations

import contextlib
import html
from pathlib import Path
from typing import Any

import polars as pl

from lsc_workforce import key_figures as kf
from lsc_workforce.charts import label_spec
from lsc_workforce.excel import Sheet, write_workbook
from lsc_workforce.labels import load_labels
from lsc_workforce.publication import PAGE_CSS, RunMeta, run_meta
from lsc_workforce.report import ReportError, find_remote_references
from lsc_workforce.safe_output import naming_path
from lsc_workforce.tables import format_value, table_html

REPORT_NAME = "training_gap_report.html"
ANNEX_NAME = "training_gap_annex.xlsx"
PLAN = "optimised"
CENTRAL = "central"

#: What each chart shows, for readers who cannot see it (alt text).
CHART_TEXT = {
    "gap_by_staff_group": "Bar chart of the shortfall in WTE for each staff group, by year, "
    "under central demand; the same numbers are in the table above.",
    "supply_against_requirement": "Line chart of staff available against staff required in "
    "WTE for each staff group, year by year, for today's intakes and the optimised plan.",
    "recommended_intakes": "Bar chart of the recommended intakes of each programme, year by "
    "year, in the optimised plan; the numbers are in the table above.",
    "scenario_comparison": "Bar chart of the shortfall at the end of the horizon under each "
    "training plan and demand scenario; the numbers are in the scenario table.",
    "probability_gap_closed": "Bar chart of the share of simulated futures in which each plan "
    "closes the gap by the target year.",
    "people_at_risk": "Bar chart of leavers and retirements expected in five years and staff "
    "aged 55 or over, by staff group; small numbers are suppressed.",
}


def chart_svg(chart: Any) -> str:
    """An Altair chart as static SVG, made offline by vl-convert (no JavaScript needed)."""
    import vl_convert  # noqa: PLC0415

    # Legends are never cut short, and a margin on the right leaves room for labels drawn in a
    # wider font than vl-convert measured. A chart that cannot take them keeps its own.
    with contextlib.suppress(Exception):
        chart = chart.configure_legend(labelLimit=0, titleLimit=0)
    with contextlib.suppress(Exception):
        chart = chart.properties(padding={"left": 40, "top": 5, "right": 60, "bottom": 5})
    svg = vl_convert.vegalite_to_svg(label_spec(chart.to_dict()))
    return svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1)


def figure_html(name: str, chart: Any) -> str:
    """A chart in a ``<figure>`` with alt text (``role="img"``) and a caption."""
    spec = chart.to_dict()
    title = spec.get("title")
    title = title.get("text") if isinstance(title, dict) else title
    title = " ".join(title) if isinstance(title, list) else str(title or name)
    alt = f"{title}. {CHART_TEXT.get(name, '')}".strip()
    return (
        f'<figure id="chart-{html.escape(name)}">'
        f'<div role="img" aria-label="{html.escape(alt)}">{chart_svg(chart)}</div>'
        f"<figcaption>{html.escape(title)}</figcaption></figure>"
    )


def _card(value: str, text: str) -> str:
    return (
        f'<div class="lsc-card"><div class="lsc-value">{html.escape(value)}</div>'
        f"<p>{html.escape(text)}</p></div>"
    )


def _figure(figures: pl.DataFrame, figure: str) -> str:
    row = figures.filter(pl.col("figure") == figure)
    if row.height == 0:
        return "–"
    return format_value(row["value"][0], row["format"][0])


def intakes_by_trust(run: Any) -> pl.DataFrame:
    """Recommended intakes (optimised plan, central demand) by programme and trust, all years."""
    plan = run.intakes.filter((pl.col("scenario") == PLAN) & (pl.col("demand_scenario") == CENTRAL))
    if plan.height == 0:
        return pl.DataFrame({"programme": []}, schema={"programme": pl.String})
    totals = plan.group_by("programme", "trust_code").agg(pl.col("intake").sum().round(0))
    labels = load_labels()
    wide = totals.with_columns(pl.col("trust_code").replace(labels.values.get("trusts", {}))).pivot(
        on="trust_code", index="programme", values="intake", sort_columns=True
    )
    return wide.fill_null(0).sort("programme")


def blockers(run: Any, limit: int = 3) -> list[str]:
    """Plain-English sentences on what blocks closing the gap (largest shortfall first)."""
    from lsc_workforce.demand.years import fy_label  # noqa: PLC0415
    from lsc_workforce.pipeline import gap_report  # noqa: PLC0415

    table = gap_report.limits_table(run)
    if "staff_group" not in table.columns:
        return [str(table[table.columns[0]][0])]
    labels = load_labels()
    last = fy_label(run.meta["years"][-1])
    sentences = []
    for row in table.head(limit).iter_rows(named=True):
        group = labels.value("staff_groups", row["staff_group"])
        trust = labels.value("trusts", row["trust_code"])
        price = row.get("shadow_price_total") or 0.0
        sentence = (
            f"{group} at {trust}: {row['shortfall_wte_years']:,.1f} WTE-years short over the "
            f"horizon, held back mainly by {row['main_limit']}."
        )
        if price > 0:
            sentence += (
                f" One more unit of that limit (a training place, funded post or pool member) "
                f"removes about {price:,.1f} WTE-years of shortfall by {last}."
            )
        sentences.append(sentence)
    return sentences


def first_screen(run: Any, figures: pl.DataFrame) -> str:
    """The answers first: gap, intakes, cost, certainty, blockers."""
    robust = run.robustness.filter(
        (pl.col("scenario") == PLAN)
        & (pl.col("demand_scenario") == CENTRAL)
        & (pl.col("staff_group") == "all")
    )
    certainty = ""
    if robust.height:
        p50, p90 = robust["shortfall_p50_wte"][0], robust["shortfall_p90_wte"][0]
        certainty = (
            f"Across the simulated futures the optimised plan leaves a median shortfall of "
            f"{p50:,.1f} WTE at the end of the horizon, and more than {p90:,.1f} WTE in one "
            "future in ten."
        )
    cards = "".join(
        [
            _card(
                f"{_figure(figures, 'gap_first_status_quo')} WTE",
                "Shortfall at the end of the first year (all trusts and staff groups).",
            ),
            _card(
                f"{_figure(figures, 'gap_year5_status_quo')} WTE",
                f"Shortfall after 5 years if today's intakes continue "
                f"({_figure(figures, 'gap_year5_optimised')} WTE with the optimised plan).",
            ),
            _card(
                f"{_figure(figures, 'gap_p50_status_quo')} WTE",
                "Shortfall at the target year if today's intakes continue: the median of the "
                f"simulated futures (10th-90th percentile {_figure(figures, 'gap_p10_status_quo')}"
                f"-{_figure(figures, 'gap_p90_status_quo')} WTE); with the optimised plan "
                f"{_figure(figures, 'gap_p50_optimised')} WTE "
                f"({_figure(figures, 'gap_p10_optimised')}-{_figure(figures, 'gap_p90_optimised')})"
                ". The same definition as the robustness table.",
            ),
            _card(
                _figure(figures, "training_intake_optimised"),
                "Trainees the optimised plan starts over the horizon (against "
                f"{_figure(figures, 'training_intake_status_quo')} at today's intakes), and "
                f"{_figure(figures, 'international_recruits_optimised')} international recruits "
                "besides, who are not training.",
            ),
            _card(
                _figure(figures, "cost_optimised"),
                f"Cost of the optimised plan's trainee-years over the horizon, against "
                f"{_figure(figures, 'cost_status_quo')} for today's intakes (undiscounted, at "
                "the cost per trainee-year in the configuration's price base).",
            ),
            _card(
                _figure(figures, f"p_gap_closed_{PLAN}"),
                "Chance that the optimised plan closes the gap (to within 5% of requirement) "
                "by the target year. " + certainty,
            ),
        ]
    )
    blocks = "".join(f"<li>{html.escape(s)}</li>" for s in blockers(run))
    return (
        '<section id="at-a-glance"><h2>At a glance</h2>'
        f'<div class="lsc-cards">{cards}</div>'
        f"<h3>What blocks closing the gap</h3><ul>{blocks}</ul></section>"
    )


def rota_floor_section(figures: pl.DataFrame) -> str:
    """The IR and GI-bleed rota floors in the requirement, from the run's key figures.

    Empty when the demand notebook did not run (no ``rota_*`` key figures).
    """
    people = figures.filter(pl.col("figure").str.starts_with("rota_people__"))
    if people.height == 0:
        return ""
    labels = load_labels()
    items = []
    for figure in people["figure"].to_list():
        service = figure.removeprefix("rota_people__")
        items.append(
            f"<li>{html.escape(labels.value('services', service))}: the rotas need "
            f"{_figure(figures, figure)} people across the trusts; the requirement, the larger "
            f"of the rota floor and the workload at each trust, is "
            f"{_figure(figures, f'rota_required_wte__{service}')} WTE.</li>"
        )
    elsewhere = "".join(
        f'<li><a href="../{html.escape(page)}">{html.escape(what)}</a></li>'
        for page, what in kf.RECONCILIATION_PAGES.items()
        if page != kf.REPORT
    )
    return (
        '<section id="rota-floors"><h2>Out-of-hours rota floors in the requirement</h2><p>An '
        "interventional radiology or GI-bleed endoscopy on-call rota held 1 in N needs N "
        "people at each trust, whatever the workload: the requirement this plan meets is "
        "never below it (trust by trust, in every year).</p>"
        f"<ul>{''.join(items)}</ul><p>The per-trust table, with which of the two binds, and the "
        f"same numbers are in:</p><ul>{elsewhere}</ul></section>"
    )


def render_publication(run: Any, meta: RunMeta, figures: pl.DataFrame) -> str:
    """The report page (see the module docstring).

    Raises:
        ReportError: if the page would load anything from the network.
    """
    from lsc_workforce.demand.years import fy_label  # noqa: PLC0415
    from lsc_workforce.pipeline import gap_report  # noqa: PLC0415

    years = run.meta["years"]
    first, mid, last = years[0], years[min(5, len(years) - 1)], years[-1]
    charts = gap_report.build_charts(run)

    def chart(name: str) -> str:
        return figure_html(name, charts[name]) if name in charts else ""

    meta_rows = "".join(
        f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>" for k, v in meta.lines()
    )
    summary = "".join(f"<p>{html.escape(p)}</p>" for p in gap_report.executive_summary(run))
    caveats = "".join(f"<li>{html.escape(c)}</li>" for c in gap_report.caveats(run))
    risk = run.workforce_risk
    sections = [
        first_screen(run, figures),
        f"<section><h2>Summary</h2>{summary}</section>",
        f'<section id="gap"><h2>Gap by staff group and trust: {fy_label(first)}, '
        f"{fy_label(mid)} and {fy_label(last)}</h2><p>Shortfall in WTE (requirement less "
        "supply after skill-mix substitution) under central demand, for today's intakes and "
        "the optimised plan.</p>"
        + table_html(gap_report.gap_table(run))
        + chart("gap_by_staff_group")
        + chart("supply_against_requirement")
        + "</section>",
        '<section id="intakes"><h2>Recommended intakes</h2><h3>By programme and year, with '
        "cost</h3><p>International recruitment is listed apart from training. Cost in "
        "training is what the horizon's trainees in training cost in its years (cohorts "
        "already in training included); the intakes' whole cost is each intake times its whole "
        f"programme, some of it after the horizon. {html.escape(gap_report.PRICE_BASE)}.</p>"
        + table_html(gap_report.intake_table(run))
        + "<h3>By programme and trust (all years)</h3>"
        + table_html(intakes_by_trust(run))
        + chart("recommended_intakes")
        + "<h3>The plan against today's intakes</h3><p>Intakes over the horizon by programme; "
        "international recruitment is a separate route from training. Cost per retained "
        "entrant is the whole programme cost divided by completion and retention.</p>"
        + table_html(gap_report.programme_change_table(run))
        + "</section>",
        '<section id="limits"><h2>What limits closing the gap</h2><p>For each trust and staff '
        "group: the shortfall over the horizon, the part no new trainee could fill in time "
        "(training takes years), the limit that binds most, and how much shortfall one more "
        "unit of that limit would remove.</p>"
        + table_html(gap_report.limits_table(run))
        + "</section>",
        '<section id="scenarios"><h2>Scenario comparison</h2>'
        + table_html(gap_report.scenario_table(run))
        + chart("scenario_comparison")
        + chart("probability_gap_closed")
        + "</section>",
        (
            '<section id="what-it-takes"><h2>What it would take</h2><p>For each optimised '
            "plan and staff group: the smallest multiple of the intake limits (funded posts or "
            "university places, placements and pools) or of the budget, found by re-solving "
            "the plan and re-running the simulated futures, at which the gap is within "
            "tolerance with a 50 % or an 80 % chance; or the limit that stops it.</p>"
            + table_html(gap_report.what_it_takes_table(run))
            + "</section>"
            if run.what_it_takes.height
            else ""
        ),
        rota_floor_section(figures),
        '<section id="people"><h2>Staff expected to leave or retire</h2><p>Expected over the '
        "next five years from the supply projection, and staff aged 55 or over today.</p>"
        + table_html(risk)
        + chart("people_at_risk")
        + "</section>",
        '<section id="workforce"><h2>Workforce in post</h2>'
        + table_html(run.workforce_now)
        + "</section>",
        '<section id="assumptions"><h2>Assumptions with sources</h2>'
        + table_html(gap_report.assumptions_table(run))
        + "</section>",
        f'<section id="caveats"><h2>Data-quality caveats</h2><ul>{caveats}</ul></section>',
        '<section id="elsewhere"><h2>Where these figures appear elsewhere</h2><ul>'
        '<li><a href="training_gap_annex.xlsx">Excel annex</a>: every table of this report, '
        "with the key figures.</li>"
        '<li><a href="../key_figures.csv">Key figures of this run</a>: each headline number '
        "once; the outputs index compares them with the previous run.</li>"
        '<li><a href="../html/40_training_pipeline.html">Training pipeline (analyst view)</a>: '
        "the same plans in full, with the formulation.</li>"
        '<li><a href="../html/20_demand_capacity.html">Demand and capacity</a>: the '
        "requirement this report plans against, with its uncertainty.</li>"
        '<li><a href="../html/30_ooh_rota.html">Out-of-hours rotas</a>: the extra posts the '
        "rotas need, a separate question from the training gap.</li>"
        '<li><a href="../index.html">All outputs of this run</a>.</li></ul></section>',
    ]
    page = (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        "<title>Training-gap report: Lancashire and South Cumbria diagnostics workforce</title>"
        f"<style>{PAGE_CSS}</style></head><body>"
        "<header class='lsc-head'><div><p>NHS Lancashire and South Cumbria</p>"
        "<h1>Training-gap report: diagnostics workforce</h1>"
        "<p>For the NHS England Workforce, Training and Education regional education liaison"
        f" &middot; planning horizon {fy_label(first)} to {fy_label(last)}</p></div></header>"
        f"<main>{meta.banner_html()}<dl class='lsc-meta'>{meta_rows}</dl>"
        + "".join(sections)
        + "</main></body></html>"
    )
    remote = find_remote_references(page)
    if remote:
        raise ReportError(f"training-gap report would load remote resources: {remote[:3]}")
    return page


def annex_sheets(run: Any, figures: pl.DataFrame) -> list[Sheet]:
    """The annex's sheets, in order."""
    from lsc_workforce.pipeline import gap_report  # noqa: PLC0415

    sheets = [
        Sheet("Key figures", figures.drop("format"), "Each headline number of the report once."),
        Sheet(
            "Scenario comparison",
            gap_report.scenario_table(run),
            "Shortfall now, in 5 and 10 years, intakes, cost and chance of closing the gap, "
            "for every plan and demand scenario.",
        ),
        Sheet(
            "Gap by group and trust",
            gap_report.gap_table(run),
            "Shortfall (WTE) by staff group and trust, today's intakes and optimised plan.",
        ),
        Sheet(
            "Intakes by programme and trust",
            gap_report.intakes_detail(run),
            "Every plan's intakes by programme, trust and year, with their cost.",
        ),
        Sheet(
            "Plan against today",
            gap_report.programme_change_table(run),
            "Intakes over the horizon by programme against today's, with the reason for "
            "each cut; international recruitment apart from training.",
        ),
        Sheet(
            "What limits the gap",
            gap_report.limits_table(run),
            "The limit that binds most for each trust and staff group.",
        ),
        Sheet(
            "Staff leaving or retiring",
            run.workforce_risk,
            "Leavers and retirements expected in 5 years and staff aged 55 or over.",
        ),
        Sheet("Workforce in post", run.workforce_now, "Headcount and WTE in post today."),
        Sheet(
            "Assumptions",
            gap_report.assumptions_table(run),
            "Programme assumptions with source and status.",
        ),
    ]
    if run.what_it_takes.height:
        sheets.append(
            Sheet(
                "What it would take",
                gap_report.what_it_takes_table(run),
                "The smallest added intake limit or budget that reaches a 50 % and an 80 % "
                "chance of closing each group's gap, or the limit that stops it.",
            )
        )
    if run.robustness.height:
        sheets.append(
            Sheet(
                "Robustness",
                run.robustness,
                "Chance each plan closes the gap across the simulated futures.",
            )
        )
    return sheets


def write_publication(run: Any, output_dir: str | Path) -> list[Path]:
    """Write the report page, the Excel annex and the key figures of a run.

    Args:
        run: the training pipeline's results.
        output_dir: the run folder (``reports/`` is created inside it).

    Returns:
        ``[html, xlsx, key_figures.csv]``.
    """
    output_dir = Path(output_dir)
    folder = output_dir / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    meta = run_meta(output_dir)
    figures = kf.compute_key_figures(run, output_dir)
    figures_path = kf.write_key_figures(figures, output_dir)
    page_path = folder / REPORT_NAME
    page = render_publication(run, meta, figures)
    with naming_path(page_path):
        page_path.write_text(page, encoding="utf-8")
    annex = write_workbook(
        folder / ANNEX_NAME,
        "Training-gap annex: Lancashire and South Cumbria diagnostics workforce",
        annex_sheets(run, figures),
        meta,
    )
    return [page_path, annex, figures_path]
