"""For the same intakes, the model's stock-flow equals the demand model's ``project_supply``."""

from __future__ import annotations

import polars as pl
import pytest
from pipeline_toy import flat_requirement, small_stock

from lsc_workforce.config import CONFIG_DIR, SolverSettings
from lsc_workforce.demand.supply import project_supply, supply_lines
from lsc_workforce.pipeline.inputs import PipelineInputs, load_training_tables, supply_params_for
from lsc_workforce.pipeline.model import PipelineSettings
from lsc_workforce.pipeline.solution import solve_pipeline
from lsc_workforce.solve import SolveStatus

pytestmark = pytest.mark.integration

TRUSTS = ("RXN", "RTX")
SCALE = 10  # about 130 band 6 radiographers a trust, so conversions are a small share


@pytest.fixture(scope="module")
def projection_inputs():
    tables = load_training_tables(CONFIG_DIR)
    params = supply_params_for(CONFIG_DIR, tables)
    inputs = PipelineInputs.from_projection(
        requirement=flat_requirement(TRUSTS),
        stock=small_stock(TRUSTS, SCALE),
        supply_params=params,
        programmes=tables["training_programmes"],
        # limits lifted: these tests compare supply for given intakes, not feasibility
        capacity=tables["training_capacity"].with_columns(
            placement_capacity=pl.lit(999), funded_intake_limit=pl.lit(999)
        ),
        current_trainees=tables["current_trainees"],
        skill_mix=tables["skill_mix"],
    )
    return inputs, params


def test_baseline_is_the_projection_without_completions(projection_inputs):
    inputs, params = projection_inputs
    projected = _service_wte(
        project_supply(small_stock(TRUSTS, SCALE), params, inputs.years), params
    )
    for y, t, g, wte in projected.select(
        "year", "trust_code", "staff_group", "closing_wte"
    ).iter_rows():
        assert inputs.baseline_wte[t, g, y] == pytest.approx(wte, abs=1e-9)


def _service_wte(projected: pl.DataFrame, params) -> pl.DataFrame:
    """Closing WTE towards the service (the requirement's units) by year, trust and group."""
    lines = supply_lines(
        projected, params, wte="closing_wte", by=("year", "trust_code", "staff_group")
    )
    return lines.select(
        "year", "trust_code", "staff_group", pl.col("service_wte").alias("closing_wte")
    )


def test_supply_counts_trainees_by_their_service_contribution(projection_inputs):
    # A trainee in post counts towards the service at their grade's contribution (below 1),
    # as in the demand model; the whole-WTE sum is larger wherever trainees are in post.
    inputs, params = projection_inputs
    projected = project_supply(small_stock(TRUSTS, SCALE), params, inputs.years)
    first = projected.filter(pl.col("year") == inputs.years[0])
    whole = first.group_by("trust_code", "staff_group").agg(pl.col("closing_wte").sum())
    weighted = _service_wte(first, params)
    trainees = params.service_contribution(first.select("staff_group", "grade", "closing_wte"))
    assert trainees.filter(pl.col("supply_line") == "trainee").height > 0
    assert (trainees["service_contribution"] < 1).any()
    joined = whole.join(weighted, on=["trust_code", "staff_group"], suffix="_service")
    assert (joined["closing_wte_service"] <= joined["closing_wte"] + 1e-9).all()
    assert (joined["closing_wte_service"] < joined["closing_wte"] - 1e-6).any()


def _mismatch(inputs, params, fixed):
    """Largest |model supply - project_supply closing WTE| for a plan with fixed intakes."""
    plan = solve_pipeline(
        inputs, PipelineSettings(fixed_intakes=fixed), SolverSettings(threads=1, time_limit_s=30)
    )
    assert plan.status is SolveStatus.OPTIMAL
    completions = inputs.completions_frame(plan.intakes)
    assert completions["headcount"].sum() > 0
    projected = _service_wte(
        project_supply(small_stock(TRUSTS, SCALE), params, inputs.years, completions), params
    ).select(
        pl.col("year").cast(pl.Int64).alias("financial_year"),
        "trust_code",
        "staff_group",
        "closing_wte",
    )
    joined = plan.supply.join(projected, on=["financial_year", "trust_code", "staff_group"])
    assert joined.height == plan.supply.height
    return joined.select(
        (pl.col("supply_wte") - pl.col("closing_wte")).abs().max().alias("absolute"),
        ((pl.col("supply_wte") - pl.col("closing_wte")).abs() / pl.col("closing_wte"))
        .max()
        .alias("relative"),
    ).row(0)


def _plan(inputs, extra, conversions=True):
    fixed = {}
    for (p, t, y), today in inputs.status_quo_intake.items():
        if t not in TRUSTS:
            continue
        converts = inputs.programmes[p].source_group == "radiographer"
        fixed[p, t, y] = (0 if converts and not conversions else today) + (
            extra
            if y == 2027 and (conversions or inputs.programmes[p].source_group != "radiographer")
            else 0
        )
    return fixed


@pytest.mark.parametrize(("extra", "conversions"), [(0, False), (2, False), (0, True), (2, True)])
def test_stock_flow_equals_project_supply_for_the_same_intakes(
    projection_inputs, extra, conversions
):
    # Every route, including reporting-radiographer conversions (which remove a fixed,
    # plan-independent age and WTE profile per converted head), is linear in completions.
    inputs, params = projection_inputs
    absolute, _ = _mismatch(inputs, params, _plan(inputs, extra, conversions=conversions))
    assert absolute < 1e-6


def test_the_conversion_cap_does_not_bind_at_the_largest_funded_plan(projection_inputs):
    # The projection scales conversions down when they would leave some age of band 6
    # radiographers negative (a non-linearity the model does not have). At the most conversions
    # the funded-post limits allow (C5), every requested conversion happens, so the cap does
    # not bind and the model is exact.
    inputs, params = projection_inputs
    funded = load_training_tables(CONFIG_DIR)["training_capacity"]
    limits = {
        (p, t, y): int(limit)
        for p, t, lo, hi, limit in funded.select(
            "programme", "trust_code", "from_year", "to_year", "funded_intake_limit"
        ).iter_rows()
        for y in range(lo, hi + 1)
    }
    converts = [p for p, prog in inputs.programmes.items() if prog.source_group == "radiographer"]
    fixed = {(p, t, y): limits[p, t, y] for p in converts for t in TRUSTS for y in inputs.years}
    assert min(fixed.values()) > 0
    completions = inputs.completions_frame(
        pl.DataFrame(
            [
                {"programme": p, "trust_code": t, "financial_year": y, "intake": v}
                for (p, t, y), v in fixed.items()
            ]
        )
    )
    wanted = completions.filter(
        pl.col("programme").is_in([inputs.programmes[p].supply_programme for p in converts])
    )["headcount"].sum()
    projected = project_supply(small_stock(TRUSTS, SCALE), params, inputs.years, completions)
    done = projected.filter(pl.col("staff_group") == "reporting_radiographer")[
        "completions_headcount"
    ].sum()
    assert wanted > 0
    assert done == pytest.approx(wanted, rel=1e-12)
    absolute, _ = _mismatch(inputs, params, fixed)
    assert absolute < 1e-6
