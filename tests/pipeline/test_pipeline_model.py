"""The training-pipeline model on one-trust, one-role instances solved by hand."""

from __future__ import annotations

import inspect
from dataclasses import replace
from types import SimpleNamespace

import polars as pl
import pytest
from pipeline_toy import GROUP, TRUST, capacity_frame, programme_frame, toy_inputs

from lsc_workforce.config import ConfigError, SolverSettings
from lsc_workforce.pipeline import model as model_module
from lsc_workforce.pipeline.model import (
    CONSTRAINT_TAGS,
    RULES,
    PipelineSettings,
    build_model,
    extend_horizon,
    terminal_years,
)
from lsc_workforce.pipeline.scenarios import certification_scope
from lsc_workforce.pipeline.solution import (
    diagnose_limits,
    explain_gap,
    solve_pipeline,
)
from lsc_workforce.solve import SolveStatus

pytestmark = pytest.mark.unit

SOLVER = SolverSettings(threads=1, time_limit_s=20)
D = 1.035  # default discount rate 3.5 %


def intakes_of(plan):
    return dict(plan.intakes.select("financial_year", "intake").iter_rows())


def test_every_tagged_constraint_has_a_function_named_in_the_docstring():
    assert list(RULES) == list(CONSTRAINT_TAGS)
    for tag, name in CONSTRAINT_TAGS.items():
        function = RULES[tag]
        assert function.__name__ == f"add_{name}"
        assert tag in inspect.getdoc(function)
        assert f"{tag} ``{name}``" in model_module.__doc__


def test_hand_solved_optimum():
    # Opening 10 WTE, no leavers, each entrant yields 0.5 WTE two years later.
    # 2027 needs 10.75 -> x2026 >= 1.5 -> 2; 2028 needs 11.5 -> x2027 >= 1 -> 1; nothing later.
    plan = solve_pipeline(toy_inputs(), PipelineSettings(), SOLVER)
    assert plan.status is SolveStatus.OPTIMAL
    assert intakes_of(plan) == {2026: 2, 2027: 1, 2028: 0, 2029: 0}
    assert plan.supply["supply_wte"].to_list() == pytest.approx([10, 11, 11.5, 11.5])
    assert plan.weighted_shortfall == pytest.approx(0)
    # trainees in training: 2 in 2026, 3 in 2027, 1 in 2028 at GBP 1000 a year
    assert plan.total_cost_gbp == pytest.approx(6000)
    assert plan.discounted_cost_gbp == pytest.approx(2000 + 3000 / D + 1000 / D**2)


def test_a_steady_plan_keeps_its_intakes_to_the_end_of_the_horizon():
    # 10 % leavers from a steady 10 WTE; 2 trainees finishing in 2026 replace the 2026 leavers.
    # Each later year needs 1 WTE of completers, i.e. 2 entrants two years before. The 2029
    # intake completes after the horizon: it still counts, so it is not dropped to zero.
    trainees = pl.DataFrame(
        {"programme": ["degree"], "trust_code": [TRUST], "year_of_training": [2], "headcount": [2]}
    )
    inputs = toy_inputs(required=(10, 10, 10, 10), leaver_rate=0.1, current_trainees=trainees)
    plan = solve_pipeline(inputs, PipelineSettings(), SOLVER)
    assert plan.status is SolveStatus.OPTIMAL
    assert intakes_of(plan) == {2026: 2, 2027: 2, 2028: 2, 2029: 2}
    assert plan.supply["supply_wte"].to_list() == pytest.approx([10, 10, 10, 10])
    assert plan.weighted_shortfall == pytest.approx(0)


def test_a_cheaper_short_route_does_not_end_the_degree_intakes():
    # Demand grows 12.5 % in the last year. Recruitment (one year, 1 WTE per head, at most 1
    # a year) is cheaper per WTE than the two-year degree (0.5 WTE per entrant). After the
    # horizon the requirement keeps growing, so the last degree intake, which completes after
    # the horizon, is still needed: no zero intake in the last year.
    programmes = pl.concat(
        [
            programme_frame(),
            programme_frame(
                programme="recruitment",
                programme_name="Recruitment",
                duration_years=1,
                retention_rate=1.0,
                cost_per_trainee_year_gbp=100.0,
            ),
        ]
    )
    capacity = pl.concat(
        [
            capacity_frame(),
            capacity_frame(funded=1).with_columns(pl.lit("recruitment").alias("programme")),
        ]
    )
    inputs = toy_inputs(required=(10.0, 11.0, 12.0, 13.5), capacity=capacity, programmes=programmes)
    plan = solve_pipeline(inputs, PipelineSettings(), SOLVER)
    degree = dict(
        plan.intakes.filter(pl.col("programme") == "degree")
        .select("financial_year", "intake")
        .iter_rows()
    )
    # Recruitment at its limit gives 10 + 5 = 15 WTE in 2030 against 13.5 x 1.125 = 15.19: one
    # degree entrant of 2029 (0.5 WTE from 2030) is still needed; a flat 13.5 would not need it.
    assert plan.status is SolveStatus.OPTIMAL
    assert degree == {2026: 0, 2027: 0, 2028: 0, 2029: 1}


def test_terminal_years_continue_the_inputs_in_a_steady_state():
    inputs = toy_inputs(required=(10, 10, 10, 12), opening=10.0, leaver_rate=0.1)
    extended = extend_horizon(inputs)
    assert terminal_years(inputs) == (2030, 2031)  # the longest programme lasts two years
    assert extended.years == (2026, 2027, 2028, 2029, 2030, 2031)
    # the requirement keeps its final-year growth (12 / 10) after the horizon
    assert extended.required_wte[TRUST, GROUP, 2030] == pytest.approx(14.4)
    assert extended.required_wte[TRUST, GROUP, 2031] == pytest.approx(17.28)
    assert extended.baseline_wte[TRUST, GROUP, 2031] == pytest.approx(10 * 0.9**6)
    # a completer of 2026 still in post in 2031, and one of 2031 in its first year
    assert extended.response["degree", TRUST, GROUP, 2026, 2031] == pytest.approx(0.9**5)
    assert extended.response["degree", TRUST, GROUP, 2031, 2031] == pytest.approx(1.0)
    model = build_model(inputs)
    assert model.report_years == (2026, 2027, 2028, 2029)
    assert ("degree", TRUST, 2031) in model.intake


def test_funded_posts_limit_leaves_a_gap_and_is_named():
    inputs = toy_inputs(capacity=capacity_frame(funded=1))
    settings = PipelineSettings()
    plan = solve_pipeline(inputs, settings, SOLVER)
    assert intakes_of(plan) == {2026: 1, 2027: 1, 2028: 1, 2029: 0}
    assert plan.supply["shortfall_wte"].to_list() == pytest.approx([0, 0.25, 0.5, 0])
    assert plan.weighted_shortfall == pytest.approx(0.25 / D + 0.5 / D**2)
    limits = diagnose_limits(inputs, settings, SOLVER)
    assert set(limits["family"]) == {"funded_posts"}
    assert (limits["shadow_price"] < 0).all()
    reasons = explain_gap(inputs, plan, limits)
    assert reasons.row(0, named=True)["main_limit"] == "funded_posts"


def test_budget_binds_and_has_a_shadow_price():
    inputs = toy_inputs()
    settings = PipelineSettings(budget_gbp=2000)
    plan = solve_pipeline(inputs, settings, SOLVER)
    # 2026: 2 start (budget full in 2026 and 2027), so none in 2027; 1 in 2028 for 2029.
    assert intakes_of(plan) == {2026: 2, 2027: 0, 2028: 1, 2029: 0}
    assert plan.weighted_shortfall == pytest.approx(0.5 / D**2)
    assert (
        plan.intakes.group_by("financial_year").agg(pl.col("cost_gbp").sum())["cost_gbp"].max()
        <= 2000
    )
    limits = diagnose_limits(inputs, settings, SOLVER)
    assert "budget" in set(limits["family"])
    reasons = explain_gap(inputs, plan, limits)
    assert reasons["main_limit"].to_list() == ["budget"]
    # Shadow price check: one more pound in the binding year lowers the LP shortfall by |price|.
    price = limits.filter(pl.col("family") == "budget")["shadow_price"].min()
    year = limits.filter(pl.col("shadow_price") == price)["financial_year"].item()
    from lsc_workforce.pipeline.solution import _value
    from lsc_workforce.solve import solve_problem

    values = []
    for extra in (0.0, 100.0):
        budgets = {y: 2000.0 + (extra if y == year else 0.0) for y in range(2026, 2030)}
        relaxed = build_model(inputs, PipelineSettings(budget_gbp=budgets, relax=True))
        solve_problem(relaxed.prob, SOLVER)
        values.append(_value(relaxed.objective_terms["weighted_shortfall"]))
    assert (values[1] - values[0]) / 100.0 == pytest.approx(price, rel=1e-6)


def test_impossible_budget_reports_the_binding_constraint():
    # Three trainees already in year 1 of 2 cost GBP 3000 a year: a GBP 2000 budget cannot hold.
    trainees = pl.DataFrame(
        {"programme": ["degree"], "trust_code": [TRUST], "year_of_training": [1], "headcount": [3]}
    )
    plan = solve_pipeline(
        toy_inputs(current_trainees=trainees), PipelineSettings(budget_gbp=2000), SOLVER
    )
    assert plan.status is SolveStatus.INFEASIBLE
    assert set(plan.breaches["family"]) == {"budget"}
    assert dict(plan.breaches.select("financial_year", "excess").iter_rows()) == pytest.approx(
        {2026: 1000.0, 2027: 1000.0}
    )


def test_training_length_explains_a_gap_no_intake_can_reach():
    inputs = toy_inputs(required=(10.5, 10.5, 10.5, 10.5))
    plan = solve_pipeline(inputs, PipelineSettings(), SOLVER)
    assert plan.supply["shortfall_wte"].to_list() == pytest.approx([0.5, 0, 0, 0])
    reasons = explain_gap(inputs, plan, diagnose_limits(inputs, PipelineSettings(), SOLVER))
    row = reasons.row(0, named=True)
    assert (row["main_limit"], row["training_length_wte_years"]) == ("training_length", 0.5)


def test_stock_flow_with_leavers_and_pipeline_by_hand():
    # 10 % leavers; 4 trainees already in year 2 complete at the end of 2026 (yield 0.5 each).
    trainees = pl.DataFrame(
        {"programme": ["degree"], "trust_code": [TRUST], "year_of_training": [2], "headcount": [4]}
    )
    inputs = toy_inputs(required=(0, 0, 0, 0), leaver_rate=0.1, current_trainees=trainees)
    plan = solve_pipeline(
        inputs, PipelineSettings(fixed_intakes={("degree", TRUST, 2026): 2}), SOLVER
    )
    s26 = 10 * 0.9 + 4 * 0.5
    s27 = s26 * 0.9 + 2 * 0.5
    s28 = s27 * 0.9
    assert plan.supply["supply_wte"].to_list() == pytest.approx([s26, s27, s28, s28 * 0.9])
    assert intakes_of(plan) == {2026: 2, 2027: 0, 2028: 0, 2029: 0}


def test_placement_capacity_counts_trainees_across_years():
    # At most 2 in training at once: x2026 + x2027 <= 2, so the 2028 need cannot be met too.
    inputs = toy_inputs(capacity=capacity_frame(placement=2))
    plan = solve_pipeline(inputs, PipelineSettings(), SOLVER)
    in_training = plan.intakes["trainees_in_training"].to_list()
    assert max(in_training) <= 2
    assert plan.weighted_shortfall == pytest.approx(0.5 / D**2)
    limits = diagnose_limits(inputs, PipelineSettings(), SOLVER)
    assert "placement_capacity" in set(limits["family"])


def test_status_quo_fixes_every_intake():
    inputs = toy_inputs(capacity=capacity_frame(status_quo=1))
    plan = solve_pipeline(inputs, PipelineSettings(fix_status_quo=True), SOLVER)
    assert intakes_of(plan) == {2026: 1, 2027: 1, 2028: 1, 2029: 1}


def test_skill_mix_substitution_is_bounded():
    # Two groups at one trust: a surplus of donors may cover at most 10 % of recipient demand.
    requirement = pl.DataFrame(
        {
            "trust_code": [TRUST] * 4,
            "staff_group": ["radiologist"] * 2 + ["reporting_radiographer"] * 2,
            "financial_year": [2026, 2027] * 2,
            "required_wte": [20.0, 20.0, 5.0, 5.0],
        }
    )
    opening = pl.DataFrame(
        {
            "trust_code": [TRUST] * 2,
            "staff_group": ["radiologist", "reporting_radiographer"],
            "supply_wte": [17.0, 10.0],
        }
    )
    from pipeline_toy import programme_frame

    from lsc_workforce.pipeline.inputs import PipelineInputs

    inputs = PipelineInputs.from_frames(
        requirement=requirement,
        opening_supply=opening,
        leaver_rates=opening.select("trust_code", "staff_group", leaver_rate=pl.lit(0.0)),
        programmes=programme_frame(produced_group="radiologist", duration_years=5),
        skill_mix=pl.DataFrame(
            {
                "donor_group": ["reporting_radiographer"],
                "recipient_group": ["radiologist"],
                "max_share": [0.10],
            }
        ),
    )
    plan = solve_pipeline(inputs, PipelineSettings(discount_rate=0), SOLVER)
    radiologist = plan.supply.filter(pl.col("staff_group") == "radiologist")
    # 3 WTE short; reporting radiographers have 5 spare but may absorb only 2 (10 % of 20).
    assert radiologist["absorbed_wte"].to_list() == pytest.approx([2, 2])
    assert radiologist["shortfall_wte"].to_list() == pytest.approx([1, 1])
    heavy = solve_pipeline(
        inputs,
        PipelineSettings(
            discount_rate=0, skill_mix_shares={("reporting_radiographer", "radiologist"): 0.5}
        ),
        SOLVER,
    )
    assert heavy.weighted_shortfall == pytest.approx(0)
    # Certified for only 12 % of radiologist work in 2026 (plain film) and 5 % in 2027: a 50 %
    # scenario share is cut to the scope, 2.4 and 1 WTE absorbed.
    scoped = replace(
        inputs,
        skill_mix_scope={
            ("reporting_radiographer", "radiologist", TRUST, 2026): 0.12,
            ("reporting_radiographer", "radiologist", TRUST, 2027): 0.05,
        },
    )
    plan = solve_pipeline(
        scoped,
        PipelineSettings(
            discount_rate=0, skill_mix_shares={("reporting_radiographer", "radiologist"): 0.5}
        ),
        SOLVER,
    )
    radiologist = plan.supply.filter(pl.col("staff_group") == "radiologist")
    assert radiologist["absorbed_wte"].to_list() == pytest.approx([2.4, 1], abs=1e-5)
    assert radiologist["shortfall_wte"].to_list() == pytest.approx([0.6, 2], abs=1e-5)


def test_certification_scope_from_a_demand_projection():
    # Radiologists: 3 of 12 WTE plain film -> 25 %. Medical endoscopists: 8 of 10 WTE diagnostic
    # endoscopy, of whose points OGD and flexi-sig are (40 + 20) / (40 + 2 x 30 + 20) = 50 %:
    # 4 of 10 WTE -> 40 %.
    tasks = pl.DataFrame(
        {
            "year": [2026] * 4,
            "trust_code": [TRUST] * 4,
            "task": ["plain_film_reporting", "ct_reporting", "diagnostic_endoscopy", "ooh"],
            "staff_group": ["radiologist", "radiologist", "medical_endoscopist"] * 1
            + ["medical_endoscopist"],
            "required_wte": [3.0, 9.0, 8.0, 2.0],
        }
    )
    required = pl.DataFrame(
        {
            "year": [2026, 2026],
            "trust_code": [TRUST, TRUST],
            "staff_group": ["radiologist", "medical_endoscopist"],
            "required_wte": [12.0, 10.0],
        }
    )
    activity = pl.DataFrame(
        {
            "year": [2026] * 3,
            "trust_code": [TRUST] * 3,
            "modality": ["gastroscopy", "colonoscopy", "flexi_sigmoidoscopy"],
            "examinations": [40.0, 30.0, 20.0],
        }
    )
    effort = pl.DataFrame(
        {
            "modality": ["gastroscopy", "colonoscopy", "flexi_sigmoidoscopy"],
            "task": ["diagnostic_endoscopy"] * 3,
            "effort_per_exam": [1.0, 2.0, 1.0],
        }
    )
    projection = SimpleNamespace(tasks=tasks, required=required, activity=activity)
    scope = certification_scope(projection, effort)
    assert scope == pytest.approx(
        {
            ("reporting_radiographer", "radiologist", TRUST, 2026): 0.25,
            ("non_medical_endoscopist", "medical_endoscopist", TRUST, 2026): 0.4,
        }
    )


def test_settings_and_inputs_are_validated():
    with pytest.raises(ConfigError):
        PipelineSettings(discount_rate=1.5)
    from pipeline_toy import programme_frame

    from lsc_workforce.pipeline.inputs import PipelineInputs

    with pytest.raises(ConfigError, match="consecutive"):
        PipelineInputs.from_frames(
            requirement=pl.DataFrame(
                {
                    "trust_code": [TRUST] * 2,
                    "staff_group": [GROUP] * 2,
                    "financial_year": [2026, 2028],
                    "required_wte": [1.0, 1.0],
                }
            ),
            opening_supply=pl.DataFrame(
                {"trust_code": [TRUST], "staff_group": [GROUP], "supply_wte": [1.0]}
            ),
            leaver_rates=pl.DataFrame(
                {"trust_code": [TRUST], "staff_group": [GROUP], "leaver_rate": [0.1]}
            ),
            programmes=programme_frame(),
        )
    with pytest.raises(ConfigError, match="not a programme"):
        build_model(toy_inputs(), PipelineSettings(fixed_intakes={("nope", TRUST, 2026): 1}))


def test_cost_stage_makes_no_cell_worse():
    # With a budget and leavers the shortfall stage leaves gaps in several years; the cost stage
    # may cut cost only where no trust, group and year ends with more shortfall than it left.
    inputs = toy_inputs(
        required=(10.0, 11.0, 12.5, 13.0), capacity=capacity_frame(funded=2), leaver_rate=0.05
    )
    settings = PipelineSettings(budget_gbp=3000)
    first = build_model(inputs, settings)
    from lsc_workforce.pipeline.solution import _value
    from lsc_workforce.solve import solve_problem

    assert solve_problem(first.prob, SOLVER).status is SolveStatus.OPTIMAL
    stage_one = {key: max(_value(u), 0.0) for key, u in first.shortfall.items()}
    assert sum(stage_one.values()) > 0.5  # gaps remain for the cost stage to respect
    plan = solve_pipeline(inputs, settings, SOLVER)
    assert plan.status is SolveStatus.OPTIMAL
    for t, g, y, u in plan.supply.select(
        "trust_code", "staff_group", "financial_year", "shortfall_wte"
    ).iter_rows():
        assert u <= stage_one[t, g, y] + 1e-5
