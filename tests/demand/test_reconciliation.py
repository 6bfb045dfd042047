"""The IR and GI-bleed reconciliation agrees with every other table of the demand analysis."""

import datetime as dt

import polars as pl
import pytest

from lsc_workforce.config import CONFIG_DIR, REFERENCE_DATA_DIR
from lsc_workforce.demand import analysis

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def results():
    inputs = analysis.load_inputs(REFERENCE_DATA_DIR, CONFIG_DIR)
    return analysis.analyse(inputs, analysis.DemandSettings(draws=20), dt.date(2026, 4, 1))


def test_reconciliation_matches_the_gap_and_the_rota_sizes(results):
    recon = results.reconciliation
    assert sorted(recon["service"].unique().to_list()) == ["gi_bleed_oncall", "ir_oncall"]
    assert recon.height == 8  # four trusts, two services
    # The resulting requirement is the larger of the rota floor and the workload need ...
    larger = recon.select(pl.max_horizontal("rota_floor_wte", "workload_wte")).to_series()
    assert (recon["required_wte"] - larger).abs().max() < 1e-9
    binds = pl.when(recon["rota_floor_wte"] > recon["workload_wte"]).then(pl.lit("rota"))
    assert (
        recon["binds"].to_list()
        == recon.select(binds.otherwise(pl.lit("workload"))).to_series().to_list()
    )
    # ... and the same number as today's gap table.
    joined = recon.join(
        results.gap_today.select("trust_code", "staff_group", "required_wte", "gap_wte"),
        on=["trust_code", "staff_group"],
        suffix="_gap",
    )
    assert (joined["required_wte"] - joined["required_wte_gap"]).abs().max() < 1e-9
    assert (joined["gap_wte"] - joined["gap_wte_gap"]).abs().max() < 1e-9
    # The rota people are those of the published rota sizes (trust by trust, 1 in 6).
    sizes = results.rota_sizes.filter(pl.col("scenario") == "trust_by_trust").select(
        "trust_code", "service", "people_needed", "competent_staff"
    )
    both = recon.join(sizes, on=["trust_code", "service"])
    assert both.height == 8
    assert (both["rota_people"] == both["people_needed"]).all()
    assert (both["competent_staff"] == both["competent_staff_right"]).all()
