"""Training-gap report for the NHS England WT&E liaison: offline HTML page and Excel annex.

:func:`write_training_gap_report` turns a :class:`~lsc_workforce.pipeline.workflow.PipelineRun`
into ``reports/training_gap_report.html`` and ``reports/training_gap_annex.xlsx``:

* the HTML page holds the Vega, Vega-Lite and Vega-Embed JavaScript **once**, inline
  (``vl_convert.javascript_bundle()``), and each chart's specification, with its data, as inline
  JSON; nothing is fetched from the network and the charts render as SVG;
* tables of counts built from personal characteristics carry ``data-privacy="suppressed"`` and
  were suppressed by :func:`lsc_workforce.privacy.suppress_counts` before this module saw them
  (``*`` marks a suppressed cell); chart data hold nulls there;
* the annex has one sheet per table, with the same suppression; every text cell is written as
  text (``write_string``), so a value from configuration such as ``=HYPERLINK(...)`` stays text;
* every piece of text in the page is escaped, and the chart JSON cannot end its ``<script>``.

No person-level rows or identifiers reach either file: every table is an aggregate by trust,
staff group, programme and year.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import altair as alt
import polars as pl

from lsc_workforce.charts import NHS_CATEGORY_RANGE, NHS_COLOURS, register_theme, save_chart
from lsc_workforce.demand.years import fy_label
from lsc_workforce.pipeline.inputs import is_international_recruitment
from lsc_workforce.pipeline.solution import LIMIT_LABELS
from lsc_workforce.pipeline.workflow import SENSITIVE_COLUMNS, PipelineRun
from lsc_workforce.privacy import format_suppressed

REPORT_NAME = "training_gap_report.html"
ANNEX_NAME = "training_gap_annex.xlsx"
PLAN = "optimised"
BASELINE = "status_quo"
CENTRAL = "central"


def _years(run: PipelineRun) -> tuple[int, int, int]:
    years = run.meta["years"]
    return years[0], years[min(5, len(years) - 1)], years[-1]


def _plan_frame(run: PipelineRun, name: str, scenario: str, demand: str = CENTRAL) -> pl.DataFrame:
    frame = getattr(run, name)
    if frame.height == 0:
        return frame
    return frame.filter((pl.col("scenario") == scenario) & (pl.col("demand_scenario") == demand))


def gap_table(run: PipelineRun) -> pl.DataFrame:
    """Shortfall WTE by staff group and trust in the first year, +5 and the last year.

    Returns:
        staff_group, trust_code, then ``<scenario> <year>`` columns for the status quo and the
        optimised plan under central demand.
    """
    first, mid, last = _years(run)
    parts = []
    for scenario in (BASELINE, PLAN):
        plan = _plan_frame(run, "supply", scenario)
        if plan.height == 0:
            continue
        parts.append(
            plan.filter(pl.col("financial_year").is_in([first, mid, last])).select(
                "staff_group",
                "trust_code",
                pl.concat_str(
                    pl.lit(scenario.replace("_", " ") + " "),
                    pl.col("financial_year").map_elements(fy_label, return_dtype=pl.String),
                ).alias("column"),
                pl.col("shortfall_wte").round(1),
            )
        )
    long = pl.concat(parts)
    return long.pivot(
        on="column", index=["staff_group", "trust_code"], values="shortfall_wte"
    ).sort("staff_group", "trust_code")


def intake_table(run: PipelineRun) -> pl.DataFrame:
    """Recommended intakes (optimised plan, central demand) by programme and year, with cost."""
    plan = _plan_frame(run, "intakes", PLAN)
    by_year = (
        plan.group_by("programme", "financial_year")
        .agg(pl.col("intake").sum(), pl.col("cost_gbp").sum())
        .sort("programme", "financial_year")
    )
    wide = by_year.with_columns(
        pl.col("financial_year").map_elements(fy_label, return_dtype=pl.String).alias("fy")
    ).pivot(on="fy", index="programme", values="intake")
    cost = plan.group_by("programme").agg(
        pl.col("intake").sum().alias("total_intake"),
        (pl.col("cost_gbp").sum() / 1e6).round(2).alias("cost_in_training_gbp_m"),
        (pl.col("intake_whole_cost_gbp").sum() / 1e6).round(2).alias("intakes_whole_cost_gbp_m"),
    )
    return (
        wide.join(cost, on="programme")
        .with_columns(
            pl.col("programme").map_elements(_route, return_dtype=pl.String).alias("route")
        )
        .sort("route", "programme", descending=[True, False])
    )


def _route(programme: str) -> str:
    return "international recruitment" if is_international_recruitment(programme) else "training"


def programme_change_table(run: PipelineRun, scenario: str = PLAN) -> pl.DataFrame:
    """Each programme's intake under a plan against today's (status quo), with why it is cut.

    A programme below the status quo gets a reason: its staff group has little or no
    shortfall left (at most 1 % of its requirement over the horizon), a cheaper route (lower
    cost per retained entrant) to the same group is used first, or, failing both, its places
    go where they close more shortfall; a programme drawing its trainees from a staff group
    that is short itself says so.

    Returns:
        programme, route (training or international recruitment), produced_group,
        status_quo_intake, plan_intake, change, cost_per_retained_gbp, reason (empty unless
        the plan is below the status quo); central demand, whole horizon.
    """
    base = _plan_frame(run, "intakes", BASELINE)
    plan = _plan_frame(run, "intakes", scenario)
    if base.height == 0 or plan.height == 0:
        return pl.DataFrame()
    programmes = run.programmes.select(
        "programme",
        "produced_group",
        (
            pl.col("cost_per_trainee_year_gbp")
            * pl.col("duration_years")
            / (pl.col("completion_rate") * pl.col("retention_rate"))
        ).alias("cost_per_retained_gbp"),
    )
    totals = (
        base.group_by("programme")
        .agg(pl.col("intake").sum().alias("status_quo_intake"))
        .join(
            plan.group_by("programme").agg(pl.col("intake").sum().alias("plan_intake")),
            on="programme",
        )
        .join(programmes, on="programme")
        .with_columns((pl.col("plan_intake") - pl.col("status_quo_intake")).alias("change"))
    )
    supply = _plan_frame(run, "supply", scenario)
    short = dict(supply.group_by("staff_group").agg(pl.col("shortfall_wte").sum()).iter_rows())
    need = dict(supply.group_by("staff_group").agg(pl.col("required_wte").sum()).iter_rows())
    sources = dict(run.programmes.select("programme", "source_group").iter_rows())
    used = set(plan.filter(pl.col("intake") > 0)["programme"].unique().to_list())
    rows = []
    for row in totals.sort("programme").iter_rows(named=True):
        reason = ""
        if row["change"] < 0:
            group = row["produced_group"]
            cheaper = sorted(
                other["programme"]
                for other in totals.iter_rows(named=True)
                if other["produced_group"] == group
                and other["programme"] in used
                and other["cost_per_retained_gbp"] < row["cost_per_retained_gbp"]
            )
            if short.get(group, 0.0) <= 0.01 * need.get(group, 0.0):
                reason = (
                    f"little or no {group} shortfall is left under the plan "
                    f"({short.get(group, 0.0):,.1f} WTE-years over the horizon)"
                )
            elif cheaper:
                reason = (
                    f"cheaper routes to {group} per retained entrant are used first: "
                    + ", ".join(cheaper)
                )
            else:
                reason = "its places are spent where they close more shortfall"
            if cheaper and not reason.startswith("cheaper"):
                reason += "; cheaper routes per retained entrant: " + ", ".join(cheaper)
            source = sources.get(row["programme"])
            if source in short and short[source] > 0.01 * need.get(source, 0.0):
                reason += f"; each trainee is drawn from the {source}s, who are short themselves"
        rows.append({**row, "route": _route(row["programme"]), "reason": reason})
    return pl.DataFrame(rows).select(
        "programme",
        "route",
        "produced_group",
        pl.col("status_quo_intake").cast(pl.Int64),
        pl.col("plan_intake").cast(pl.Int64),
        pl.col("change").cast(pl.Int64),
        pl.col("cost_per_retained_gbp").round(0),
        "reason",
    )


def what_it_takes_table(run: PipelineRun) -> pl.DataFrame:
    """What each plan would need for each staff group's gap to close with a 50 % and 80 % chance.

    Returns:
        scenario, lever, staff_group, chance, answer (the smallest multiple of the lever's
        limits found by re-solving, with the intake or yearly budget it adds, or "not
        reachable" and the limit that binds); empty when not run.
    """
    table = run.what_it_takes
    if table.height == 0:
        return pl.DataFrame()
    rows = []
    for row in table.sort("scenario", "lever", "staff_group", "target").iter_rows(named=True):
        if not row["reachable"]:
            answer = f"not reachable: {row['binding_limit']}"
        elif row["factor"] == 1.0:
            answer = "already reached"
        elif row["lever"] == "budget":
            answer = (
                f"budget x {row['factor']:g} (+£{row['added_budget_gbp_per_year'] / 1e6:,.1f} "
                "million a year)"
            )
        else:
            answer = (
                f"intake limits x {row['factor']:g} (+{row['added_intake']:,.0f} trainees and "
                "recruits over the horizon)"
            )
        rows.append(
            {
                "scenario": row["scenario"],
                "lever": row["lever"],
                "staff_group": row["staff_group"],
                "chance": f"{row['target']:.0%}",
                "answer": answer,
            }
        )
    return pl.DataFrame(rows)


def limits_table(run: PipelineRun) -> pl.DataFrame:
    """What stops the gap closing (optimised plan, central demand), largest gap first."""
    reasons = _plan_frame(run, "reasons", PLAN)
    if reasons.height == 0:
        return pl.DataFrame({"finding": ["The optimised plan closes every gap."]})
    return reasons.select(
        "staff_group",
        "trust_code",
        pl.col("shortfall_wte_years").round(1),
        pl.col("training_length_wte_years").round(1),
        pl.col("main_limit_label").alias("main_limit"),
        pl.col("shadow_price_total").round(3),
    )


def scenario_table(run: PipelineRun) -> pl.DataFrame:
    """Scenario comparison: gap now, +5, +10, cost and the gap under uncertainty.

    ``gap_*_central`` columns are the plan's own projection under central demand (skill-mix
    substitution included); ``target_gap_p10/p50/p90_wte`` and ``p_gap_closed_pct`` come from
    the Monte Carlo robustness table (the report's headline shortfall is its median).
    """
    return run.summary.select(
        "scenario",
        "demand_scenario",
        "status",
        pl.col("shortfall_first_year_wte").round(1).alias("gap_now_wte"),
        pl.col("shortfall_year5_wte").round(1).alias("gap_plus5_wte"),
        pl.col("shortfall_last_year_wte").round(1).alias("gap_plus10_wte_central"),
        pl.col("shortfall_p10_wte").round(1).alias("target_gap_p10_wte"),
        pl.col("shortfall_p50_wte").round(1).alias("target_gap_p50_wte"),
        pl.col("shortfall_p90_wte").round(1).alias("target_gap_p90_wte"),
        pl.col("training_intake").cast(pl.Int64),
        pl.col("international_recruits").cast(pl.Int64),
        (pl.col("total_cost_gbp") / 1e6).round(2).alias("cost_gbp_m"),
        (pl.col("p_gap_closed") * 100).round(0).alias("p_gap_closed_pct"),
    )


def assumptions_table(run: PipelineRun) -> pl.DataFrame:
    """Programme assumptions with their source and status."""
    return run.programmes.select(
        "programme",
        "produced_group",
        "duration_years",
        "completion_rate",
        "retention_rate",
        "cost_per_trainee_year_gbp",
        "source",
        "status",
    )


def risk_table(run: PipelineRun) -> pl.DataFrame:
    """People expected to leave or retire, and staff aged 55+ (suppressed; ``*`` = 1-7)."""
    return format_suppressed(run.workforce_risk, SENSITIVE_COLUMNS)


def _headline_gap(row: dict[str, Any]) -> str:
    """A plan's headline shortfall: the robustness median when evaluated, else the projection."""
    if row.get("shortfall_p50_wte") is None:
        return f"{row['shortfall_last_year_wte']:,.0f} WTE (central projection)"
    return (
        f"{row['shortfall_p50_wte']:,.0f} WTE (median of the simulated futures, P10 "
        f"{row['shortfall_p10_wte']:,.0f} to P90 {row['shortfall_p90_wte']:,.0f})"
    )


def executive_summary(run: PipelineRun) -> list[str]:
    """Plain-English paragraphs for the top of the report, built from the central scenario."""
    first, _mid, last = _years(run)
    summary = run.summary.filter(pl.col("demand_scenario") == CENTRAL)
    rows = {r["scenario"]: r for r in summary.iter_rows(named=True)}
    lines = []
    base, plan = rows.get(BASELINE), rows.get(PLAN)
    if base:
        lines.append(
            f"Under central demand, the four trusts are short of about "
            f"{base['shortfall_first_year_wte']:,.0f} WTE of diagnostic staff at the end of "
            f"{fy_label(first)} (after training completions due that year). If today's "
            f"intakes continue, the shortfall is about {_headline_gap(base)} by "
            f"{fy_label(last)}."
        )
    if plan:
        lines.append(
            f"Over {len(run.meta['years'])} years the optimised plan starts "
            f"{plan['training_intake']:,.0f} trainees on training programmes and, separately, "
            f"recruits {plan['international_recruits']:,.0f} staff internationally, at a cost of "
            f"about £{plan['total_cost_gbp'] / 1e6:,.1f} million, and cuts the {fy_label(last)} "
            f"shortfall to about {_headline_gap(plan)}."
        )
        if base:
            change = (
                plan["total_cost_gbp"] / base["total_cost_gbp"] - 1
                if base["total_cost_gbp"]
                else 0.0
            )
            lines.append(
                f"Today's intakes continued would start {base['training_intake']:,.0f} trainees "
                f"and recruit {base['international_recruits']:,.0f} staff internationally, at "
                f"about £{base['total_cost_gbp'] / 1e6:,.1f} million: the plan costs "
                f"{change:+.0%} against it (trainee-years inside the horizon, constant prices)."
            )
    lines.extend(cut_sentences(run))
    reasons = _plan_frame(run, "reasons", PLAN)
    if reasons.height:
        top = (
            reasons.group_by("main_limit")
            .agg(pl.col("shortfall_wte_years").sum())
            .sort("shortfall_wte_years", descending=True)
            .row(0)
        )
        lines.append(
            f"What stops the gap closing is mainly {LIMIT_LABELS.get(top[0], top[0])}; the "
            f"largest remaining gap is for {reasons.row(0, named=True)['staff_group']}s."
        )
    lines.extend(uncertainty_sentences(run))
    statuses = set(run.meta["statuses"].values())
    if statuses - {"optimal"}:
        lines.append(
            "Some plans stopped at the solver's time limit with a feasible plan (status "
            "feasible_time_limit); their figures are close to, but not proven, optimal."
        )
    return lines


def uncertainty_sentences(run: PipelineRun, scenario: str = PLAN) -> list[str]:
    """The headline shortfall under uncertainty, from the robustness table's own figures.

    The figure quoted is the robustness table's ``all`` median (P10 and P90 beside it), so the
    headline and the table share one definition: the sum over trusts and staff groups of each
    positive gap in the target year, without skill-mix substitution.
    """
    robustness = _plan_frame(run, "robustness", scenario)
    if robustness.height == 0:
        return []
    everything = robustness.filter(pl.col("staff_group") == "all").row(0, named=True)
    groups = robustness.filter(pl.col("staff_group") != "all").sort("staff_group")
    chances = ", ".join(
        f"{row['staff_group'].replace('_', ' ')}s {row['p_gap_closed']:.0%}"
        for row in groups.iter_rows(named=True)
    )
    return [
        f"Across {run.meta['monte_carlo_draws']} simulated futures (leaver rates, retirement "
        f"ages and demand growth), the {scenario.replace('_', ' ')} plan leaves a shortfall in "
        f"{fy_label(everything['target_year'])} of {everything['shortfall_p50_wte']:,.0f} WTE "
        f"at the median (P10 {everything['shortfall_p10_wte']:,.0f}, P90 "
        f"{everything['shortfall_p90_wte']:,.0f}): the sum over trusts and staff groups of "
        "each positive gap, without skill-mix substitution.",
        f"The chance that each staff group's gap is within "
        f"{run.meta['gap_tolerance_share']:.0%} of its requirement by then: {chances}.",
    ]


def cut_sentences(run: PipelineRun, scenario: str = PLAN) -> list[str]:
    """One plain sentence per programme the plan cuts below today's intakes, saying why."""
    table = programme_change_table(run, scenario)
    if table.height == 0:
        return []
    cuts = table.filter(pl.col("change") < 0)
    if cuts.height == 0:
        return [f"The {scenario.replace('_', ' ')} plan cuts no programme below today's intakes."]
    return [
        f"The {scenario.replace('_', ' ')} plan cuts {row['programme'].replace('_', ' ')} "
        f"({row['route']}) below today's intakes, from {row['status_quo_intake']:,} to "
        f"{row['plan_intake']:,} over the horizon, because {row['reason']}."
        for row in cuts.iter_rows(named=True)
    ]


def build_charts(run: PipelineRun) -> dict[str, alt.TopLevelMixin]:
    """The report's Altair charts (NHS theme), by name in page order.

    Counts built from personal characteristics enter only in suppressed form (nulls).
    """
    register_theme(enable=True)
    first, mid, last = _years(run)
    supply = run.supply.filter(pl.col("demand_scenario") == CENTRAL)
    gap = (
        supply.filter(
            pl.col("scenario").is_in([BASELINE, PLAN])
            & pl.col("financial_year").is_in([first, mid, last])
        )
        .group_by("scenario", "staff_group", "financial_year")
        .agg(pl.col("shortfall_wte").sum().round(1))
        .with_columns(
            pl.col("financial_year").map_elements(fy_label, return_dtype=pl.String).alias("year")
        )
    )
    charts: dict[str, alt.TopLevelMixin] = {}
    charts["gap_by_staff_group"] = (
        alt.Chart(gap.to_pandas(), title="Shortfall by staff group (central demand)")
        .mark_bar()
        .encode(
            x=alt.X("shortfall_wte:Q", title="Shortfall (WTE)"),
            y=alt.Y("scenario:N", title=None),
            color=alt.Color("scenario:N", scale=alt.Scale(range=NHS_CATEGORY_RANGE)),
            row=alt.Row("staff_group:N", title=None),
            column=alt.Column("year:N", title=None),
            tooltip=["staff_group", "scenario", "year", "shortfall_wte"],
        )
        .properties(width=180, height=40)
    )
    trend = (
        supply.filter(pl.col("scenario").is_in([BASELINE, PLAN]))
        .group_by("scenario", "staff_group", "financial_year")
        .agg(pl.col("required_wte").sum().round(1), pl.col("supply_wte").sum().round(1))
    )
    required = trend.filter(pl.col("scenario") == PLAN).select(
        "staff_group",
        "financial_year",
        pl.lit("required").alias("series"),
        pl.col("required_wte").alias("wte"),
    )
    supplied = trend.select(
        "staff_group",
        "financial_year",
        pl.concat_str(pl.lit("supply: "), "scenario").alias("series"),
        pl.col("supply_wte").alias("wte"),
    )
    charts["supply_against_requirement"] = (
        alt.Chart(pl.concat([required, supplied]).to_pandas(), title="Supply against requirement")
        .mark_line(point=True)
        .encode(
            x=alt.X("financial_year:O", title="Financial year (starting)"),
            y=alt.Y("wte:Q", title="WTE"),
            color=alt.Color("series:N", scale=alt.Scale(range=NHS_CATEGORY_RANGE)),
            facet=alt.Facet("staff_group:N", columns=3, title=None),
            tooltip=["staff_group", "series", "financial_year", "wte"],
        )
        .properties(width=230, height=150)
        .resolve_scale(y="independent")
    )
    intakes = (
        _plan_frame(run, "intakes", PLAN)
        .group_by("programme", "financial_year")
        .agg(pl.col("intake").sum(), pl.col("cost_gbp").sum().round(0))
    )
    charts["recommended_intakes"] = (
        alt.Chart(intakes.to_pandas(), title="Recommended intakes by programme (optimised plan)")
        .mark_bar()
        .encode(
            x=alt.X("financial_year:O", title="Financial year (starting)"),
            y=alt.Y("intake:Q", title="Trainees starting"),
            color=alt.Color("programme:N", scale=alt.Scale(range=NHS_CATEGORY_RANGE)),
            tooltip=["programme", "financial_year", "intake", "cost_gbp"],
        )
        .properties(width=600, height=260)
    )
    scenarios = run.summary.select(
        "scenario", "demand_scenario", pl.col("shortfall_last_year_wte").round(1)
    )
    charts["scenario_comparison"] = (
        alt.Chart(scenarios.to_pandas(), title=f"Shortfall in {fy_label(last)} by scenario")
        .mark_bar()
        .encode(
            x=alt.X("shortfall_last_year_wte:Q", title="Shortfall (WTE)"),
            y=alt.Y("scenario:N", title=None),
            color=alt.Color("demand_scenario:N", scale=alt.Scale(range=NHS_CATEGORY_RANGE)),
            yOffset="demand_scenario:N",
            tooltip=["scenario", "demand_scenario", "shortfall_last_year_wte"],
        )
        .properties(width=600, height=220)
    )
    if run.robustness.height:
        robust = (
            run.robustness.filter(pl.col("staff_group") != "all")
            .select("scenario", "demand_scenario", "staff_group", pl.col("p_gap_closed").round(3))
            .filter(pl.col("demand_scenario") == CENTRAL)
        )
        charts["probability_gap_closed"] = (
            alt.Chart(
                robust.to_pandas(), title=f"Probability the gap is closed by {fy_label(last)}"
            )
            .mark_bar()
            .encode(
                x=alt.X(
                    "p_gap_closed:Q", title="Share of simulated futures", axis=alt.Axis(format="%")
                ),
                y=alt.Y("staff_group:N", title=None),
                color=alt.Color("scenario:N", scale=alt.Scale(range=NHS_CATEGORY_RANGE)),
                yOffset="scenario:N",
                tooltip=["scenario", "staff_group", alt.Tooltip("p_gap_closed:Q", format=".0%")],
            )
            .properties(width=600, height=300)
        )
    risk = run.workforce_risk.unpivot(
        on=list(SENSITIVE_COLUMNS),
        index=["trust_code", "staff_group"],
        variable_name="measure",
        value_name="people",
    ).with_columns(
        pl.when(pl.col("people").is_null())
        .then(pl.lit("suppressed (1-7)"))
        .otherwise(pl.col("people").cast(pl.String))
        .alias("shown")
    )
    charts["people_at_risk"] = (
        alt.Chart(
            risk.to_pandas(),
            title="Leavers and retirements expected in 5 years, and staff aged 55+",
        )
        .mark_rect()
        .encode(
            x=alt.X("staff_group:N", title=None),
            y=alt.Y("trust_code:N", title=None),
            color=alt.Color(
                "people:Q",
                title="People (rounded to 5)",
                scale=alt.Scale(range=[NHS_COLOURS["pale_grey"], NHS_COLOURS["nhs_blue"]]),
            ),
            column=alt.Column("measure:N", title=None),
            tooltip=[
                "trust_code",
                "staff_group",
                "measure",
                alt.Tooltip("shown:N", title="people"),
            ],
        )
        .properties(width=220, height=120)
    )
    return charts


def caveats(run: PipelineRun) -> list[str]:
    """Data-quality and modelling caveats shown in the report."""
    statuses = run.programmes.group_by("status").len().sort("status")
    counts = ", ".join(f"{n} {s}" for s, n in statuses.iter_rows())
    rule = run.meta["suppression"]
    return [
        f"Programme parameters by status: {counts}. Unconfirmed values are planning assumptions "
        "to be replaced with local figures (current leaver rates and education tariff values were "
        "not found [src:leaver-rates] [src:education-tariffs]).",
        "Training capacity, funded posts, source pools and current trainees are illustrative "
        "reference figures, not trust returns.",
        "Supply follows the demand model's stock-flow projection exactly, reporting-radiographer "
        "conversions included (each converted radiographer removes the band 6 age and WTE mix "
        "the projection expects that year).",
        "Trainees already employed (specialty registrars) are in the staff stock and progress "
        "there; only new intakes are added as completions. Supply counts the WTE that works for "
        "the service, as the requirement does: trainees at their grade's service contribution, "
        "radiographers at their band's clinical share (config/demand/grade_lines.csv).",
        "The Monte Carlo does not include skill-mix substitution, so the probabilities are "
        "conservative for the skill-mix-heavy plan.",
        f"Counts built from personal characteristics (leavers, retirements, age) with "
        f"{rule['low']}-{rule['high']} people are shown as *, and others are rounded to the "
        f"nearest {rule['base']} (NHS Digital HES/ECDS convention [src:workforce-suppression]). "
        "Headcount, WTE and planned intakes are shown as NHS Workforce Statistics publish them.",
    ]


#: Price base of every cost in the report and annex.
PRICE_BASE = (
    "GBP at the constant prices of the programme cost assumptions "
    "(config/training/training_programmes.csv), undiscounted, no inflation"
)


def intakes_detail(run: PipelineRun) -> pl.DataFrame:
    """Every plan's intakes and costs by programme, trust and year.

    A row is kept when it has an intake or trainees in training (cohorts started earlier, or
    already in training, still cost money in years without a new intake), so the annex's
    ``cost_in_training_gbp`` sums to the report's plan cost.

    Returns:
        scenario, demand_scenario, programme, route, trust_code, financial_year, intake,
        trainees_in_training, cost_in_training_gbp (that year's trainees in training),
        intake_whole_cost_gbp (that year's intake over its whole programme), price_base.
    """
    if run.intakes.height == 0:
        return run.intakes
    return (
        run.intakes.filter((pl.col("intake") > 0) | (pl.col("trainees_in_training") > 0))
        .select(
            "scenario",
            "demand_scenario",
            "programme",
            pl.col("programme").map_elements(_route, return_dtype=pl.String).alias("route"),
            "trust_code",
            "financial_year",
            pl.col("intake").cast(pl.Int64),
            pl.col("trainees_in_training").round(2),
            pl.col("cost_gbp").alias("cost_in_training_gbp"),
            "intake_whole_cost_gbp",
            pl.lit(PRICE_BASE).alias("price_base"),
        )
        .sort("scenario", "demand_scenario", "programme", "trust_code", "financial_year")
    )


def write_training_gap_report(run: PipelineRun, output_dir: Path) -> list[Path]:
    """Publish the report, its Excel annex and the run's key figures.

    The layout (metadata, first screen, static SVG charts, formatted tables and workbook) is
    :func:`lsc_workforce.gap_publication.write_publication`'s; the content is this module's.

    Args:
        run: the pipeline results (already suppressed where needed).
        output_dir: the run's output folder.

    Returns:
        ``[html_path, xlsx_path, key_figures_path]``.
    """
    from lsc_workforce.gap_publication import write_publication  # noqa: PLC0415

    return write_publication(run, output_dir)


def save_charts(run: PipelineRun, out_dir: Path) -> list[Path]:
    """Save every report chart as offline HTML and SVG (``<out_dir>/training_<name>.*``)."""
    paths: list[Path] = []
    for name, chart in build_charts(run).items():
        paths.extend(save_chart(chart, f"training_{name}", Path(out_dir)))
    return paths
