"""The training-gap report's headlines on a toy run: costs that add up, recruits apart, cuts."""

from __future__ import annotations

import polars as pl
import pytest
from pipeline_toy import GROUP, TRUST, capacity_frame, programme_frame, toy_inputs

from lsc_workforce.config import CONFIG_DIR, SolverSettings
from lsc_workforce.pipeline.gap_report import (
    cut_sentences,
    executive_summary,
    intakes_detail,
    programme_change_table,
    scenario_table,
)
from lsc_workforce.pipeline.model import PipelineSettings
from lsc_workforce.pipeline.scenarios import (
    PipelineConfig,
    PipelineScenario,
    ScenarioResult,
    scenario_summary,
)
from lsc_workforce.pipeline.solution import solve_pipeline
from lsc_workforce.pipeline.workflow import PipelineRun

pytestmark = pytest.mark.unit

SOLVER = SolverSettings(threads=1, time_limit_s=20)
RECRUITMENT = "international_recruitment_toy"


def _toy_run() -> PipelineRun:
    """Status quo (2 degree entrants a year, 3 already in training) against the optimised plan.

    Leavers are 10 % of a steady 10 WTE: one WTE a year. A recruit (one year, GBP 100, 1 WTE)
    replaces it more cheaply than two degree entrants (GBP 2,000 each), so the plan cuts the
    degree to nothing.
    """
    programmes = pl.concat(
        [
            programme_frame(),
            programme_frame(
                programme=RECRUITMENT,
                programme_name="Recruitment",
                duration_years=1,
                retention_rate=1.0,
                cost_per_trainee_year_gbp=100.0,
            ),
        ]
    )
    capacity = pl.concat(
        [
            capacity_frame(status_quo=2),
            capacity_frame(funded=5).with_columns(pl.lit(RECRUITMENT).alias("programme")),
        ]
    )
    trainees = pl.DataFrame(
        {"programme": ["degree"], "trust_code": [TRUST], "year_of_training": [1], "headcount": [3]}
    )
    inputs = toy_inputs(
        required=(10.0, 10.0, 10.0, 10.0),
        leaver_rate=0.1,
        capacity=capacity,
        current_trainees=trainees,
        programmes=programmes,
    )
    results = []
    for name, fixed in (("status_quo", True), ("optimised", False)):
        plan = solve_pipeline(inputs, PipelineSettings(fix_status_quo=fixed), SOLVER)
        # A robustness table as evaluate_robustness returns it (its figures made up).
        robustness = pl.DataFrame(
            {
                "staff_group": ["all", GROUP],
                "target_year": [2029, 2029],
                "p_gap_closed": [0.5, 0.5],
                "shortfall_p10_wte": [0.0, 0.0],
                "shortfall_p50_wte": [1.4 if fixed else 2.6] * 2,
                "shortfall_p90_wte": [3.0, 3.0],
            }
        )
        results.append(
            ScenarioResult(
                PipelineScenario(name, "toy"),
                "central",
                plan,
                pl.DataFrame(),
                pl.DataFrame(),
                robustness,
                0.0,
            )
        )

    def tagged(frame: pl.DataFrame, r: ScenarioResult) -> pl.DataFrame:
        return frame.with_columns(
            pl.lit(r.scenario.name).alias("scenario"),
            pl.lit(r.demand_scenario).alias("demand_scenario"),
        )

    config = PipelineConfig.from_yaml(CONFIG_DIR / "training" / "scenarios.yaml")
    return PipelineRun(
        summary=scenario_summary(results, config),
        intakes=pl.concat([tagged(r.plan.intakes, r) for r in results]),
        supply=pl.concat([tagged(r.plan.supply, r) for r in results]),
        limits=pl.DataFrame(),
        reasons=pl.DataFrame(),
        robustness=pl.concat([tagged(r.robustness, r) for r in results]),
        breaches=pl.DataFrame(),
        workforce_risk=pl.DataFrame(),
        workforce_now=pl.DataFrame(),
        programmes=programmes.with_columns(source=pl.lit("toy"), status=pl.lit("unconfirmed")),
        spend=pl.DataFrame(),
        meta={
            "years": list(inputs.years),
            "statuses": {"status_quo": "optimal"},
            "monte_carlo_draws": 10,
            "gap_tolerance_share": 0.05,
        },
    )


@pytest.fixture(scope="module")
def run() -> PipelineRun:
    return _toy_run()


def test_annex_costs_add_up_to_the_report_figures(run):
    annex = intakes_detail(run)
    for row in run.summary.iter_rows(named=True):
        rows = annex.filter(pl.col("scenario") == row["scenario"])
        assert rows["cost_in_training_gbp"].sum() == pytest.approx(row["total_cost_gbp"])
    # Status quo by hand: 3 trainees in training in 2026 and 2027, plus 2 and then 4 entrants
    # in training: 5 + 7 + 4 + 4 = 20 trainee-years at GBP 1,000.
    base = annex.filter(pl.col("scenario") == "status_quo")
    assert base["cost_in_training_gbp"].sum() == pytest.approx(20_000)
    assert base.filter(pl.col("programme") == "degree")["intake_whole_cost_gbp"].sum() == (
        pytest.approx(4 * 2 * 2000)
    )
    # The optimised plan starts no degree, yet its cohort already in training still costs money.
    plan = annex.filter((pl.col("scenario") == "optimised") & (pl.col("programme") == "degree"))
    assert plan["intake"].sum() == 0
    assert plan["cost_in_training_gbp"].sum() == pytest.approx(6000)
    text = " ".join(executive_summary(run))
    for row in run.summary.iter_rows(named=True):
        assert f"£{row['total_cost_gbp'] / 1e6:,.1f} million" in text


def test_international_recruitment_is_its_own_line_in_every_headline(run):
    table = scenario_table(run)
    assert {"training_intake", "international_recruits"} <= set(table.columns)
    assert "total_intake" not in table.columns
    plan = run.summary.filter(pl.col("scenario") == "optimised").row(0, named=True)
    assert plan["training_intake"] == 0
    # One recruit in 2026 (9 WTE left), none in 2027 (the 3 trainees add 1.5 WTE: 10.5), one in
    # 2028 (9.45) and one in 2029 (9.405).
    assert plan["international_recruits"] == 3
    text = " ".join(executive_summary(run))
    assert "starts 0 trainees on training programmes and, separately, recruits 3 staff" in text
    changes = programme_change_table(run)
    assert dict(changes.select("programme", "route").iter_rows()) == {
        "degree": "training",
        RECRUITMENT: "international recruitment",
    }


def test_a_programme_cut_below_the_status_quo_is_stated_with_its_reason(run):
    changes = programme_change_table(run).filter(pl.col("programme") == "degree").row(0, named=True)
    assert (changes["status_quo_intake"], changes["plan_intake"]) == (8, 0)
    sentences = cut_sentences(run)
    assert len(sentences) == 1
    assert "cuts degree (training) below today's intakes, from 8 to 0" in sentences[0]
    assert RECRUITMENT in sentences[0]


def test_headline_shortfall_is_the_robustness_median(run):
    # The scenario table's median columns are the robustness table's, and the summary quotes
    # them: 1.4 -> "1 WTE" for the status quo, 2.6 -> "3 WTE" for the plan.
    table = dict(scenario_table(run).select("scenario", "target_gap_p50_wte").iter_rows())
    assert table == {"status_quo": 1.4, "optimised": 2.6}
    text = " ".join(executive_summary(run))
    assert "shortfall is about 1 WTE (median of the simulated futures, P10 0 to P90 3)" in text
    assert "shortfall to about 3 WTE (median of the simulated futures, P10 0 to P90 3)" in text
    assert "2029/30 of 3 WTE at the median (P10 0, P90 3)" in text
