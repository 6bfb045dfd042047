"""Key figures: each headline number read once from the results, and compared between runs."""

from __future__ import annotations

from types import SimpleNamespace

import polars as pl
import pytest

from lsc_workforce import key_figures as kf
from lsc_workforce.outputs_index import figures_comparison

pytestmark = pytest.mark.unit


def _run() -> SimpleNamespace:
    summary = pl.DataFrame(
        {
            "scenario": ["status_quo", "optimised", "optimised"],
            "demand_scenario": ["central", "central", "high"],
            "shortfall_first_year_wte": [10.0, 8.0, 99.0],
            "shortfall_year5_wte": [20.0, 12.0, 99.0],
            "shortfall_last_year_wte": [30.0, 5.0, 99.0],
            "training_intake": [90.0, 100.0, 999.0],
            "international_recruits": [10.0, 40.0, 999.0],
            "shortfall_p10_wte": [20.0, 15.0, 99.0],
            "shortfall_p50_wte": [35.0, 25.0, 99.0],
            "shortfall_p90_wte": [50.0, 40.0, 99.0],
            "total_cost_gbp": [1_000_000.0, 1_500_000.0, 9.0],
            "p_gap_closed": [0.0, 0.25, 1.0],
        }
    )
    supply = pl.DataFrame(
        {
            "scenario": ["optimised"] * 4 + ["status_quo"],
            "demand_scenario": ["central"] * 5,
            "trust_code": ["RXN", "RXL", "RXN", "RXN", "RXN"],
            "staff_group": ["radiologist", "radiologist", "radiographer", "radiologist", "x"],
            "financial_year": [2035, 2035, 2035, 2034, 2035],
            "shortfall_wte": [1.5, 2.0, 0.25, 100.0, 7.0],
        }
    )
    return SimpleNamespace(summary=summary, supply=supply, meta={"years": [2026, 2035]})


def test_figures_come_from_central_demand_and_the_last_year(tmp_path):
    figures = kf.compute_key_figures(_run(), tmp_path)
    value = lambda name: kf.figure_value(figures, name)  # noqa: E731
    assert value("gap_first_optimised") == 8.0
    assert value("gap_last_status_quo") == 30.0
    assert value("training_intake_optimised") == 100.0
    assert value("international_recruits_optimised") == 40.0
    assert value("gap_p50_optimised") == 25.0
    assert value("cost_optimised") == 1_500_000.0
    assert value("p_gap_closed_optimised") == 0.25
    assert value("gap_last_optimised__radiologist") == 3.5  # RXN 1.5 + RXL 2.0, not 2034
    assert value("gap_last_optimised__RXN") == 1.75  # radiologists 1.5 + radiographers 0.25
    assert value("gap_last_status_quo__RXN") == 7.0
    assert figures["figure"].n_unique() == figures.height
    path = kf.write_key_figures(figures, tmp_path)
    assert kf.read_key_figures(tmp_path).equals(figures)
    assert path.name == kf.FILE_NAME


def test_demand_and_ooh_figures_are_read_when_those_notebooks_ran(tmp_path):
    (tmp_path / "demand" / "tables").mkdir(parents=True)
    pl.DataFrame(
        {
            "trust_code": ["RXN", "RXL", "RXN"],
            "service": ["ir_oncall", "ir_oncall", "gi_bleed_oncall"],
            "rota_people": [6, 6, 6],
            "required_wte": [6.0, 6.5, 19.9],
        }
    ).write_csv(tmp_path / "demand" / "tables" / "rota_reconciliation.csv")
    (tmp_path / "ooh").mkdir()
    pl.DataFrame({"service": ["ir_oncall"], "scenario": ["network"], "extra_posts": [3]}).write_csv(
        tmp_path / "ooh" / "scenario_comparison.csv"
    )
    figures = kf.compute_key_figures(_run(), tmp_path)
    assert kf.figure_value(figures, "rota_people__ir_oncall") == 12.0
    assert kf.figure_value(figures, "rota_required_wte__ir_oncall") == 12.5
    assert kf.figure_value(figures, "rota_required_wte__gi_bleed_oncall") == 19.9
    assert kf.figure_value(figures, "extra_posts__ir_oncall__network") == 3.0


def test_the_index_compares_with_the_previous_run(tmp_path):
    current = kf.compute_key_figures(_run(), tmp_path)
    previous = current.with_columns(pl.col("value") - 1.0).filter(
        pl.col("figure") != "training_intake_optimised"
    )
    compared = figures_comparison(current, previous)
    row = compared.filter(pl.col("figure") == "gap_first_optimised").row(0, named=True)
    assert (row["value"], row["previous_value"], row["difference"]) == (8.0, 7.0, 1.0)
    new = compared.filter(pl.col("figure") == "training_intake_optimised").row(0, named=True)
    assert new["previous_value"] is None
    first = figures_comparison(current, None)
    assert first["difference"].null_count() == first.height
