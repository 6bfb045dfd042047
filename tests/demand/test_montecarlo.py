import numpy as np
import polars as pl
import pytest
from demand_helpers import stock, supply_params

from lsc_workforce.config import CONFIG_DIR, ConfigError
from lsc_workforce.demand.montecarlo import (
    Draws,
    UncertaintySpec,
    draw_uncertainty,
    evaluate_intake_plan,
    simulate_gap,
)
from lsc_workforce.demand.supply import SupplyParams, project_supply, summarise_supply

pytestmark = pytest.mark.unit

YEARS = [2026, 2027, 2028]


def _people():
    return stock(
        [
            ("T1", "radiographer", "band_5", 30, 10, 9),
            ("T1", "radiographer", "band_5", 60, 5, 4),
            ("T2", "radiographer", "band_5", 45, 8, 8),
        ]
    )


def _demand(value: float = 20.0) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "year": [y for y in YEARS for _ in range(2)],
            "trust_code": ["T1", "T2"] * len(YEARS),
            "staff_group": ["radiographer"] * 2 * len(YEARS),
            "required_wte": [value] * 2 * len(YEARS),
        }
    )


def test_draws_are_reproducible_for_a_seed():
    spec = UncertaintySpec()
    a = draw_uncertainty(spec, ("radiographer", "radiologist"), 500, seed=7)
    b = draw_uncertainty(spec, ("radiographer", "radiologist"), 500, seed=7)
    c = draw_uncertainty(spec, ("radiographer", "radiologist"), 500, seed=8)
    assert np.array_equal(a.leaver_multiplier, b.leaver_multiplier)
    assert np.array_equal(a.growth_shift, b.growth_shift)
    assert not np.array_equal(a.retirement_shift, c.retirement_shift)
    # Lognormal multiplier with mean 1 and the configured coefficient of variation.
    assert a.leaver_multiplier.mean() == pytest.approx(1.0, abs=0.03)
    assert a.leaver_multiplier.std() / a.leaver_multiplier.mean() == pytest.approx(0.25, abs=0.03)
    with pytest.raises(ConfigError):
        draw_uncertainty(spec, ("radiographer",), 0, seed=1)


def test_simulation_is_reproducible_and_summary_is_ordered():
    params = supply_params(leaver_rate=0.1, joiner_rate=0.05, retirement_age_mean=62)
    draws = draw_uncertainty(UncertaintySpec(), params.staff_groups, 200, seed=3)
    first = simulate_gap(_people(), params, _demand(), YEARS, draws).summary()
    second = simulate_gap(_people(), params, _demand(), YEARS, draws).summary()
    assert first.equals(second)
    assert (first["gap_p10"] <= first["gap_p50"]).all()
    assert (first["gap_p50"] <= first["gap_p90"]).all()
    assert first["p_shortfall"].is_between(0, 1).all()
    assert first.columns[:4] == ["year", "fy_label", "trust_code", "staff_group"]


def test_zero_spread_reproduces_the_deterministic_projection():
    params = supply_params(leaver_rate=0.1, joiner_rate=0.05, retirement_age_mean=62)
    draws = draw_uncertainty(UncertaintySpec(0.0, 0.0, 0.0), params.staff_groups, 5, seed=1)
    result = simulate_gap(_people(), params, _demand(), YEARS, draws)
    assert np.allclose(result.available_wte, result.available_wte[:1])
    expected = (
        summarise_supply(project_supply(_people(), params, YEARS))
        .sort("year", "trust_code")["closing_wte"]
        .to_numpy()
        .reshape(len(YEARS), 2)
    )
    # The Monte Carlo works in single precision: agreement to about 1e-6.
    assert np.allclose(result.available_wte[0], expected, rtol=1e-5, atol=1e-6)
    assert np.allclose(result.required_wte, 20.0)


def test_growth_draws_compound_over_the_horizon():
    params = supply_params()
    draws = Draws(
        staff_groups=params.staff_groups,
        seed=0,
        leaver_multiplier=np.ones((2, 1)),
        retirement_shift=np.zeros((2, 1)),
        growth_shift=np.array([[0.0], [0.1]]),
    )
    result = simulate_gap(_people(), params, _demand(10.0), YEARS, draws)
    assert np.allclose(result.required_wte[0], 10.0)
    assert np.allclose(result.required_wte[1, :, 0], 10.0 * np.exp(0.1 * np.array([1, 2, 3])))


def test_plan_evaluation_uses_common_draws():
    # No leavers or retirement: a completion stays, so each draw's available WTE rises by
    # exactly the plan's WTE from its year on, whatever the draw.
    params = supply_params(leaver_rate=0.0, joiner_rate=0.0)
    draws = draw_uncertainty(UncertaintySpec(), params.staff_groups, 300, seed=11)
    plan = pl.DataFrame(
        {"year": [2027], "trust_code": ["T1"], "programme": ["bsc"], "headcount": [3.0]}
    )
    base = simulate_gap(_people(), params, _demand(), YEARS, draws)
    with_plan = simulate_gap(_people(), params, _demand(), YEARS, draws, completions=plan)
    diff = with_plan.available_wte - base.available_wte
    assert np.allclose(diff[:, 0, :], 0.0)
    assert np.allclose(diff[:, 1:, 0], 3.0)  # T1 gains 3 x 1.0 WTE from 2027
    assert np.allclose(diff[:, :, 1], 0.0)
    summary = evaluate_intake_plan(_people(), params, _demand(), YEARS, draws, completions=plan)
    t1_2028 = summary.filter((pl.col("year") == 2028) & (pl.col("trust_code") == "T1"))
    base_2028 = base.summary().filter((pl.col("year") == 2028) & (pl.col("trust_code") == "T1"))
    assert t1_2028["gap_p50"].item() == pytest.approx(base_2028["gap_p50"].item() - 3.0)


def test_summary_by_staff_group_sums_trusts_within_each_draw():
    params = supply_params(leaver_rate=0.1, retirement_age_mean=62)
    draws = draw_uncertainty(UncertaintySpec(), params.staff_groups, 100, seed=5)
    result = simulate_gap(_people(), params, _demand(), YEARS, draws)
    by_group = result.summary(quantiles=(0.5,), by=("staff_group",))
    totals = result.available_wte.sum(axis=2)
    assert by_group["available_p50"].to_numpy() == pytest.approx(np.median(totals, axis=0))


def test_draws_must_match_the_parameters():
    params = supply_params()
    draws = draw_uncertainty(UncertaintySpec(), ("radiographer", "radiologist"), 10, seed=1)
    with pytest.raises(ConfigError, match="staff groups"):
        simulate_gap(_people(), params, _demand(), YEARS, draws)


def test_reference_monte_carlo_runs_1000_draws(reference_frames):
    params = SupplyParams.from_config(CONFIG_DIR)
    staff = reference_frames["staff_in_post"]
    years = list(range(2026, 2036))
    demand = summarise_supply(project_supply(staff, params, years)).select(
        "year", "trust_code", "staff_group", pl.col("opening_wte").alias("required_wte")
    )
    draws = draw_uncertainty(UncertaintySpec.from_config(CONFIG_DIR), params.staff_groups, 1000, 42)
    summary = simulate_gap(staff, params, demand, years, draws).summary(by=("staff_group",))
    assert summary.height == 10 * 6
    assert (summary["gap_p90"] - summary["gap_p10"]).min() > 0  # real spread


def test_chunked_draws_give_the_same_result(monkeypatch):
    from lsc_workforce.demand import montecarlo

    params = supply_params(leaver_rate=0.1, joiner_rate=0.05, retirement_age_mean=62)
    draws = draw_uncertainty(UncertaintySpec(), params.staff_groups, 37, seed=9)
    whole = simulate_gap(_people(), params, _demand(), YEARS, draws)
    monkeypatch.setattr(montecarlo, "CHUNK_BYTES", 1)  # one draw at a time
    chunked = simulate_gap(_people(), params, _demand(), YEARS, draws)
    assert np.allclose(whole.available_wte, chunked.available_wte, rtol=1e-12, atol=0)


def test_demand_without_staff_in_post_counts_as_a_full_gap():
    params = supply_params()
    draws = draw_uncertainty(UncertaintySpec(0.0, 0.0, 0.0), params.staff_groups, 3, seed=1)
    demand = pl.concat(
        [
            _demand(),
            pl.DataFrame(
                {
                    "year": YEARS,
                    "trust_code": "T3",
                    "staff_group": "radiographer",
                    "required_wte": 4.0,
                }
            ),
        ]
    )
    summary = simulate_gap(_people(), params, demand, YEARS, draws).summary()
    t3 = summary.filter(pl.col("trust_code") == "T3")
    assert t3.height == len(YEARS)
    assert t3["available_p50"].to_list() == [0.0] * len(YEARS)
    assert t3["gap_p50"].to_list() == pytest.approx([4.0] * len(YEARS))
    bad = demand.with_columns(pl.lit("sonographer").alias("staff_group"))
    with pytest.raises(ConfigError, match="without supply parameters"):
        simulate_gap(_people(), params, bad, YEARS, draws)
