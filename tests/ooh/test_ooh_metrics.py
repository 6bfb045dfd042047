"""Frequency and load by hand (pay: ``test_pay.py``)."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from ooh_world import START, TRUST_BY_TRUST, oncall_service, preset, world

from lsc_workforce.ooh.build import build_scenario
from lsc_workforce.ooh.metrics import (
    frequency_band_expr,
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
