"""Analyst tables and charts with counts of people are suppressed unless internal, and marked.

Reproduces the review's finding: ``baseline/tables/age_profile_by_group.csv`` showed a cell of 1
(radiographers aged 65-69) and ``retirement_risk_by_trust_group.csv`` 1 of 3 RTX interventional
radiologists near retirement, beside the suppressed report in the same folder.
"""

from __future__ import annotations

from types import SimpleNamespace

import polars as pl
import pytest

from lsc_workforce import baseline
from lsc_workforce.config import CONFIG_DIR, REFERENCE_AS_AT
from lsc_workforce.demand.analysis import publishable_tables
from lsc_workforce.privacy import INTERNAL_MARK, SuppressionRule, load_suppression_rule

pytestmark = pytest.mark.unit

RULE = SuppressionRule()


@pytest.fixture(scope="module")
def staff(reference_frames):
    return baseline.select_in_post(reference_frames["staff_in_post"], REFERENCE_AS_AT)


def _safe(values) -> bool:
    """Null (suppressed), zero, or a multiple of 5 above 7."""
    return all(v is None or v == 0 or (v > 7 and v % 5 == 0) for v in values)


def test_the_product_rule_comes_from_the_training_settings():
    assert load_suppression_rule(CONFIG_DIR) == SuppressionRule(low=1, high=7, base=5)


def test_age_profile_hides_the_single_radiographer_aged_65_to_69(staff):
    exact = baseline.summarise_age_profile(staff, by=["staff_group"])
    cell = (pl.col("staff_group") == "radiographer") & (pl.col("age_band") == "65-69")
    assert exact.filter(cell)["headcount"].item() == 1  # the finding
    published = baseline.summarise_age_profile(staff, by=["staff_group"], rule=RULE)
    assert published.filter(cell).row(0, named=True) == {
        "staff_group": "radiographer",
        "age_band": "65-69",
        "headcount": None,
        "share": None,
    }
    assert _safe(published["headcount"].to_list())
    assert published.select("staff_group", "age_band").equals(
        exact.select("staff_group", "age_band")
    )


def test_retirement_risk_hides_small_counts_and_their_shares(staff):
    params = baseline.BaselineParams()
    by = ["trust_code", "staff_group"]
    exact = baseline.summarise_retirement_risk(staff, params, by=by)
    published = baseline.summarise_retirement_risk(staff, params, by=by, rule=RULE)
    ir = (pl.col("trust_code") == "RTX") & (pl.col("staff_group") == "interventional_radiologist")
    assert exact.filter(ir)["headcount"].item() == 3
    assert 0 < exact.filter(ir)["near_retirement"].item() <= 7
    row = published.filter(ir).row(0, named=True)
    assert (row["headcount"], row["near_retirement"], row["near_retirement_share"]) == (
        3,
        None,
        None,
    )
    assert _safe(published["near_retirement"].to_list())


def test_headline_table_and_commentary_use_the_suppressed_shares(staff, reference_frames):
    params = baseline.BaselineParams()
    vacancies = reference_frames["vacancies"]
    table = baseline.summarise_baseline(staff, vacancies, params, rule=RULE)
    ir = (pl.col("trust_code") == "RTX") & (pl.col("staff_group") == "interventional_radiologist")
    assert table.filter(ir)["near_retirement_share"].item() is None
    assert table.filter(ir)["headcount"].item() == 3  # headcount is published as is
    text = baseline.describe_baseline(staff, vacancies, params, RULE)
    assert "of staff are within" in text


def test_demand_supply_projection_hides_small_leaver_and_retirement_counts():
    supply = pl.DataFrame(
        {
            "year": [2026, 2026, 2026],
            "trust_code": ["RTX", "RTX", "RXN"],
            "leavers_headcount": [1.2, 12.4, 0.0],
            "leavers_wte": [1.0, 11.0, 0.0],
            "retirements_headcount": [3.0, 0.4, 26.0],
            "retirements_wte": [2.5, 0.4, 24.0],
            "closing_headcount": [3.0, 50.0, 90.0],
        }
    )
    results = SimpleNamespace(
        tables=lambda: {"supply_projection_by_grade": supply, "other": supply}
    )
    tables = publishable_tables(results, RULE)
    out = tables["supply_projection_by_grade"]
    assert out["leavers_headcount"].to_list() == [None, 10, 0]
    assert out["leavers_wte"].to_list() == [None, 11.0, 0.0]
    assert out["retirements_headcount"].to_list() == [None, 0, 25]
    assert out["retirements_wte"].to_list() == [None, 0.4, 24.0]
    assert out["closing_headcount"].to_list() == [3.0, 50.0, 90.0]  # not a characteristic


@pytest.mark.slow
def test_internal_outputs_only_when_switched_on_and_marked(staff, reference_frames, tmp_path):
    params = baseline.BaselineParams()
    vacancies = reference_frames["vacancies"]
    assert baseline.write_internal_outputs(staff, vacancies, params, None) == []
    folder = tmp_path / "internal" / "baseline"
    written = baseline.write_internal_outputs(staff, vacancies, params, folder)
    names = sorted(p.name for p in written)
    assert "age_profile_by_group.csv" in names
    assert "age_profile.html" in names
    exact = pl.read_csv(folder / "tables" / "age_profile_by_group.csv")
    assert 1 in exact["headcount"].to_list()  # exact counts, only here
    assert INTERNAL_MARK in (folder / "charts" / "age_profile.svg").read_text(encoding="utf-8")
