"""Scenario configuration: YAML parsing, budgets relative to today's spend, requirement swaps."""

from __future__ import annotations

import polars as pl
import pytest
import yaml
from pipeline_toy import TRUST, capacity_frame, toy_inputs

from lsc_workforce.config import CONFIG_DIR, ConfigError, SolverSettings
from lsc_workforce.pipeline import scenarios
from lsc_workforce.pipeline.model import PipelineSettings
from lsc_workforce.pipeline.scenarios import PipelineConfig, status_quo_spend, what_it_takes

pytestmark = pytest.mark.unit

SCENARIOS_YAML = CONFIG_DIR / "training" / "scenarios.yaml"


def test_shipped_scenarios_parse():
    config = PipelineConfig.from_yaml(SCENARIOS_YAML)
    assert list(config.scenarios) == ["status_quo", "optimised", "budget_capped", "skill_mix_heavy"]
    assert config.scenarios["status_quo"].intake_policy == "status_quo"
    assert config.scenarios["budget_capped"].budget_vs_status_quo == 1.0
    assert config.scenarios["skill_mix_heavy"].skill_mix_shares[
        ("reporting_radiographer", "radiologist")
    ] == pytest.approx(1.0)
    assert (config.suppression.low, config.suppression.high, config.suppression.base) == (1, 7, 5)


def test_bad_scenarios_are_refused(tmp_path):
    raw = yaml.safe_load(SCENARIOS_YAML.read_text())
    raw["scenarios"]["optimised"]["intake_policy"] = "guess"
    path = tmp_path / "scenarios.yaml"
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(ConfigError, match="intake_policy"):
        PipelineConfig.from_yaml(path)
    raw = yaml.safe_load(SCENARIOS_YAML.read_text())
    del raw["settings"]["horizon_years"]
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(ConfigError, match="horizon_years"):
        PipelineConfig.from_yaml(path)


def test_status_quo_spend_by_hand():
    # 1 entrant a year on a 2-year GBP 1000 programme plus 3 already in year 1:
    # 2026: 1 + 3 = 4; 2027: 2 + 3 = 5; then 2 a year.
    trainees = pl.DataFrame(
        {"programme": ["degree"], "trust_code": [TRUST], "year_of_training": [1], "headcount": [3]}
    )
    inputs = toy_inputs(capacity=capacity_frame(status_quo=1), current_trainees=trainees)
    assert status_quo_spend(inputs) == {2026: 4000, 2027: 5000, 2028: 2000, 2029: 2000}
    config = PipelineConfig.from_yaml(SCENARIOS_YAML)
    settings = config.pipeline_settings(config.scenarios["budget_capped"], inputs)
    assert settings.budget_for(2027) == pytest.approx(5000)
    assert not settings.fix_status_quo
    assert config.pipeline_settings(config.scenarios["status_quo"], inputs).fix_status_quo


def test_replace_requirement_keeps_keys():
    inputs = toy_inputs()
    swapped = inputs.replace_requirement({k: 2 * v for k, v in inputs.required_wte.items()})
    assert swapped.required_wte[TRUST, "radiographer", 2027] == pytest.approx(21.5)
    assert swapped.baseline_wte == inputs.baseline_wte
    with pytest.raises(ConfigError):
        inputs.replace_requirement({})


def _closed_by_last_year(plan):
    """A deterministic 'robustness': probability 1 when the last year's gap is within 5 %."""
    last = plan.supply.filter(pl.col("financial_year") == plan.supply["financial_year"].max())
    closed = float(last["shortfall_wte"].sum() <= 0.05 * last["required_wte"].sum())
    return pl.DataFrame({"staff_group": ["all", "radiographer"], "p_gap_closed": [closed] * 2})


def test_what_it_takes_finds_the_smallest_factor_or_names_the_limit():
    # Requirement 10 -> 13 by 2029 with no leavers; each entrant adds 0.5 WTE two years on, at
    # most `funded` a year. 2029 needs 12.35 (within 5 % of 13): 10 + 0.5 x 3 intakes x f, so
    # f >= 1.57 entrants a year. A limit of 1 scaled by 1.25 or 1.5 still allows 1 entrant; 2
    # allows 2: the answer is factor 2, adding 4 entrants (2 more in each of 2026-2029).
    inputs = toy_inputs(required=(10.0, 11.0, 12.0, 13.0), capacity=capacity_frame(funded=1))
    solver = SolverSettings(threads=1, time_limit_s=20)
    table = what_it_takes(inputs, PipelineSettings(), solver, _closed_by_last_year)
    assert set(table["lever"]) == {"intake"}  # no budget lever without a budget
    row = table.filter((pl.col("staff_group") == "radiographer") & (pl.col("target") == 0.8))
    assert row.row(0, named=True) | {"binding_limit": None} == {
        "lever": "intake",
        "staff_group": "radiographer",
        "target": 0.8,
        "reachable": True,
        "factor": 2.0,
        "added_intake": 4.0,
        "added_budget_gbp_per_year": None,
        "binding_limit": None,
    }
    short = what_it_takes(
        inputs, PipelineSettings(), solver, _closed_by_last_year, factors=(1.0, 1.5)
    )
    assert not short["reachable"].any()
    assert set(short["binding_limit"]) == {"funded training posts or university places"}


def test_what_it_takes_reuses_the_plan_already_solved(monkeypatch):
    # Given the plan and its robustness, factor 1 is neither solved nor evaluated again, and
    # the answer is the same as solving from scratch.
    inputs = toy_inputs(required=(10.0, 11.0, 12.0, 13.0), capacity=capacity_frame(funded=1))
    solver = SolverSettings(threads=1, time_limit_s=20)
    fresh = what_it_takes(inputs, PipelineSettings(), solver, _closed_by_last_year)
    base_plan = scenarios.solve_pipeline(inputs, PipelineSettings(), solver)
    base = (base_plan, _closed_by_last_year(base_plan))
    solved, evaluated = [], []
    real_solve = scenarios.solve_pipeline
    monkeypatch.setattr(
        scenarios, "solve_pipeline", lambda *a, **k: solved.append(a) or real_solve(*a, **k)
    )

    def evaluate(plan):
        evaluated.append(plan)
        return _closed_by_last_year(plan)

    reused = what_it_takes(inputs, PipelineSettings(), solver, evaluate, base=base)
    assert reused.equals(fresh)
    assert len(evaluated) == 3  # factors 1.25, 1.5 and 2 (the 80 % target is reached at 2)
    assert all(args[0] is not inputs for args in solved[:3])  # only scaled limits are solved
