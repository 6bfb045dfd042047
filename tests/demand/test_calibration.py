"""The projection set beside the published series: consultant shortfall and growth."""

from types import SimpleNamespace

import polars as pl
import pytest

from lsc_workforce.demand.analysis import (
    calibration_table,
    consultant_shortfall,
    describe_calibration,
)

pytestmark = pytest.mark.unit


def _versus() -> pl.DataFrame:
    # Two trusts, two years. T1: need 10 - 1 SAS - 1 trainee service = 8, 6 consultants (gap 2);
    # T2: need 5, 7 consultants (surplus 2, which does not offset T1's gap).
    # Radiographers in post: 100 WTE at the end of 2026, 98 at the end of 2027 (T1 + T2).
    rows = [
        (2026, "T1", "radiologist", 10.0, 6.0, 1.0, 1.0, 6.0),
        (2026, "T2", "radiologist", 5.0, 7.0, 0.0, 0.0, 7.0),
        (2027, "T1", "radiologist", 12.0, 6.6, 1.0, 1.0, 6.6),
        (2027, "T2", "radiologist", 6.0, 7.7, 0.0, 0.0, 7.7),
        (2026, "T1", "radiographer", 99.0, 0.0, 0.0, 0.0, 60.0),
        (2026, "T2", "radiographer", 50.0, 0.0, 0.0, 0.0, 40.0),
        (2027, "T1", "radiographer", 99.0, 0.0, 0.0, 0.0, 58.0),
        (2027, "T2", "radiographer", 50.0, 0.0, 0.0, 0.0, 40.0),
    ]
    return pl.DataFrame(
        rows,
        schema=[
            "year",
            "trust_code",
            "staff_group",
            "required_wte",
            "consultant_wte",
            "sas_wte",
            "trainee_service_wte",
            "closing_wte",
        ],
        orient="row",
    )


def _supply() -> pl.DataFrame:
    # Radiographers: 200 people at the start; 3 then 5 retire (4 % in two years); a third
    # year's 50 retirements and the radiologists' are not counted.
    rows = [
        (2026, "T1", "radiographer", 120.0, 2.0),
        (2026, "T2", "radiographer", 80.0, 1.0),
        (2027, "T1", "radiographer", 118.0, 5.0),
        (2028, "T1", "radiographer", 110.0, 50.0),
        (2026, "T1", "radiologist", 20.0, 9.0),
    ]
    return pl.DataFrame(
        rows,
        schema=["year", "trust_code", "staff_group", "opening_headcount", "retirements_headcount"],
        orient="row",
    )


def test_consultant_shortfall_sums_trust_gaps_without_netting():
    short = consultant_shortfall(_versus()).to_dicts()
    assert short[0]["consultant_need_wte"] == pytest.approx(8 + 5)
    assert short[0]["consultant_wte"] == pytest.approx(13)
    assert short[0]["shortfall_wte"] == pytest.approx(2)  # T1 only; netting would give 0
    assert short[0]["shortfall_share"] == pytest.approx(2 / 13)
    assert short[1]["shortfall_wte"] == pytest.approx(10 - 6.6)


def _published() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "metric": [
                "consultant_shortfall_now",
                "consultant_growth",
                "reporting_demand_growth",
                "radiographer_growth",
                "radiographer_retirement_two_years",
            ],
            "description": ["now", "growth", "demand", "radiographers", "retiring"],
            "published_low": [0.29, 0.03, 0.08, 0.026, 0.04],
            "published_high": [0.30, 0.06, 0.11, 0.029, 0.05],
            "if_different": ["why shortfall differs", "why growth differs", "why demand differs"]
            + ["why radiographers differ", "why retiring differs"],
            "source": ["s"] * 5,
            "status": ["confirmed"] * 5,
        }
    )


def test_calibration_compares_with_the_published_range_and_explains_deviations():
    tasks = pl.DataFrame(
        {
            "year": [2026, 2027, 2026, 2027],
            "task": ["ct_reporting", "ct_reporting", "plain_film_reporting", "mri_reporting"],
            "workload": [100.0, 110.0, 500.0, 0.0],
        }
    )
    table = calibration_table(_versus(), tasks, _published(), _supply(), horizon=1)
    rows = {r["metric"]: r for r in table.to_dicts()}
    now = rows["consultant_shortfall_now"]
    assert now["model"] == pytest.approx(2 / 13)
    assert now["verdict"] == "below"
    assert now["note"] == "why shortfall differs"
    growth = rows["consultant_growth"]
    assert growth["model"] == pytest.approx((6.6 + 7.7) / 13 - 1)  # 10 %
    assert growth["verdict"] == "above"
    demand = rows["reporting_demand_growth"]
    assert demand["model"] == pytest.approx(0.10)  # CT + MRI: 100 -> 110; plain film ignored
    assert demand["verdict"] == "within"
    assert demand["note"] == "Within the published range."
    radiographers = rows["radiographer_growth"]
    assert radiographers["model"] == pytest.approx(98 / 100 - 1)  # -2 %: below 2.6-2.9 %
    assert radiographers["verdict"] == "below"
    assert radiographers["note"] == "why radiographers differ"
    retiring = rows["radiographer_retirement_two_years"]
    assert retiring["model"] == pytest.approx((2 + 1 + 5) / 200)  # 4 %: first two years only
    assert retiring["verdict"] == "within"
    # Two years projected: too short for five-year metrics.
    short = calibration_table(_versus(), tasks, _published(), _supply(), horizon=2)
    rows = {r["metric"]: r for r in short.to_dicts()}
    assert rows["consultant_shortfall_now"]["model"] == pytest.approx(2 / 13)
    assert rows["consultant_growth"]["model"] is None
    assert rows["consultant_growth"]["verdict"] == "not projected"
    assert rows["consultant_growth"]["note"] == "The projection is shorter than 3 years."


def test_calibration_reading_says_when_a_metric_is_not_projected():
    tasks = pl.DataFrame(
        {"year": [2026, 2027], "task": ["ct_reporting"] * 2, "workload": [100.0, 110.0]}
    )
    table = calibration_table(_versus(), tasks, _published(), _supply(), horizon=2)
    text = describe_calibration(SimpleNamespace(calibration=table))
    assert "model not projected" in text
    assert "model 15.4%" in text  # the shortfall today, 2 of 13
