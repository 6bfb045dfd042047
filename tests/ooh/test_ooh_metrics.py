"""Frequency, load and cost by hand (salary point 100,000 in ``ooh_world.COSTS``)."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from ooh_world import COSTS, START, TRUST_BY_TRUST, oncall_service, preset, world

from lsc_workforce.ooh.build import build_scenario
from lsc_workforce.ooh.metrics import (
    annual_cost,
    frequency_band_expr,
    person_costs,
    person_load,
    rota_one_in,
    rota_summary,
)

pytestmark = pytest.mark.unit

N_DAYS = 28


def _instance(**service_changes):
    frames = world(
        [
            ("a", "TAA", "A01", 1.0),
            ("b", "TAA", "A01", 0.5),
            ("c", "TAA", "A01", 1.0),
            ("idle", "TAA", "A01", 1.0),
        ]
    )
    service = oncall_service(sites=("A01",), **service_changes)
    return build_scenario(
        service, TRUST_BY_TRUST, preset(oncall_one_in=1), frames, start=START, n_days=N_DAYS
    )[0]


def _roster(days: dict[str, list[int]]) -> pl.DataFrame:
    rows = [(s, START + dt.timedelta(days=k), "night") for s, ks in days.items() for k in ks]
    return pl.DataFrame(
        rows, schema={"staff_id": pl.String, "date": pl.Date, "shift": pl.String}, orient="row"
    )


#: a holds 7 of 28 days (1 in 4: high), b 4 (1 in 7: medium), c 2 (1 in 14: low)
DAYS = {"a": [0, 4, 8, 12, 16, 20, 24], "b": [1, 5, 9, 13], "c": [2, 6]}


def test_person_load_and_rota_frequency():
    instance = _instance()
    load = person_load(instance, _roster(DAYS))
    rows = {r["staff_id"]: r for r in load.iter_rows(named=True)}
    assert rows["a"]["days_held"] == 7
    assert rows["a"]["one_in"] == pytest.approx(4.0)
    assert rows["b"]["one_in"] == pytest.approx(7.0)
    assert rows["b"]["load_per_wte"] == pytest.approx(8.0)  # 4 days / 0.5 WTE
    assert rows["c"]["one_in"] == pytest.approx(14.0)
    assert rows["idle"]["one_in"] is None
    # START is a Monday: offsets 5 (Sat) and 13 (Sun) are b's weekend days, 12 (Sat) and
    # 20 (Sun) are a's
    assert rows["b"]["weekend_days"] == 2
    assert rows["a"]["weekend_days"] == 2
    assert rows["a"]["nights"] == 7
    assert rota_one_in(load) == pytest.approx(7.0)  # median of 4, 7, 14 (idle excluded)
    summary = rota_summary(load)
    assert summary["people"] == 4
    assert summary["load_spread"] == pytest.approx(8.0)  # b 8 per WTE, idle 0


@pytest.mark.parametrize(
    ("one_in", "band"),
    [
        (1.0, "high"),
        (4.0, "high"),
        (4.99, "high"),
        (5.0, "medium"),
        (8.99, "medium"),
        (9.0, "low"),
        (40.0, "low"),
        (None, None),
    ],
)
def test_frequency_bands(one_in, band):
    frame = pl.DataFrame({"one_in": [one_in]}, schema={"one_in": pl.Float64})
    assert frame.select(frequency_band_expr()).item() == band


def test_consultant_cost_in_each_band_category_a():
    """Category A on 100,000: high 8 % = 8,000; medium 5 % = 5,000; low 3 % = 3,000.

    Predictable PAs: 1 PA a week for the one slot = 100,000 / 10 = 10,000 a year, shared by
    days held (13 in all): a 7/13 = 5,384.62, b 4/13 = 3,076.92, c 2/13 = 1,538.46.
    """
    instance = _instance()
    costs = person_costs(instance, person_load(instance, _roster(DAYS)), COSTS)
    rows = {r["staff_id"]: r for r in costs.iter_rows(named=True)}
    assert set(rows) == {"a", "b", "c"}
    assert rows["a"]["band"] == "high"
    assert rows["a"]["supplement_gbp"] == pytest.approx(8000.0)
    assert rows["b"]["band"] == "medium"
    assert rows["b"]["supplement_gbp"] == pytest.approx(5000.0)
    assert rows["c"]["band"] == "low"
    assert rows["c"]["supplement_gbp"] == pytest.approx(3000.0)
    assert rows["a"]["pa_gbp"] == pytest.approx(10000 * 7 / 13)
    assert rows["b"]["pa_gbp"] == pytest.approx(10000 * 4 / 13)
    assert rows["c"]["total_gbp"] == pytest.approx(3000 + 10000 * 2 / 13)
    total = annual_cost(costs, uncovered_shifts=3, n_days=N_DAYS, costs=COSTS)
    assert total["supplement_gbp"] == pytest.approx(16000.0)
    assert total["pa_gbp"] == pytest.approx(10000.0)
    assert total["uncovered_gbp"] == pytest.approx(3 * 1500 * 365 / 28)
    assert total["total_gbp"] == pytest.approx(26000 + 3 * 1500 * 365 / 28)


def test_consultant_cost_category_b():
    """Category B: high 3 %, medium 2 %, low 1 % of 100,000."""
    instance = _instance(category="B", predictable_pa_per_week=0.0)
    costs = person_costs(instance, person_load(instance, _roster(DAYS)), COSTS)
    got = dict(costs.select("staff_id", "total_gbp").iter_rows())
    assert got == pytest.approx({"a": 3000.0, "b": 2000.0, "c": 1000.0})


def test_afc_on_call_cost_per_shift():
    """Annex 29 local payment 120 per shift, scaled to a year: a 7 x 120 x 365 / 28 = 10,950."""
    instance = _instance(pay_basis="afc_on_call", category="resident")
    costs = person_costs(instance, person_load(instance, _roster(DAYS)), COSTS)
    got = dict(costs.select("staff_id", "total_gbp").iter_rows())
    assert got["a"] == pytest.approx(10950.0)
    assert got["b"] == pytest.approx(4 * 120 * 365 / 28)
    assert costs.get_column("supplement_gbp").sum() == 0
