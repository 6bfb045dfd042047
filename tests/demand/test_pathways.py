"""Timed pathways: a hand-checked priority queue on one trust and one reporting pool."""

import math

import polars as pl
import pytest

from lsc_workforce.config import ConfigError
from lsc_workforce.demand.pathways import HOURS_PER_YEAR, pathway_check, poisson_quantile

pytestmark = pytest.mark.unit


def test_poisson_quantile_hand_computed():
    # Poisson(1): P(N <= 1) = 2/e = 0.736, P(N <= 2) = 2.5/e = 0.920.
    assert poisson_quantile(1.0, 0.9) == 2
    assert poisson_quantile(1.0, 0.7) == 1
    assert poisson_quantile(0.0, 0.9) == 0
    # Poisson(0.5): P(N = 0) = e^-0.5 = 0.607.
    assert poisson_quantile(0.5, 0.6) == 0
    assert poisson_quantile(0.5, 0.61) == 1


def _toy() -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    # One pool with 1.5 reporting hours per clock hour; every examination takes 1 hour.
    # Class A (rank 1, 1 h timescale) 1 an hour; B (rank 2, 168 h) 0.25 an hour; C (rank 3,
    # 672 h) 0.5 an hour: 1.75 examinations an hour in all.
    demand = pl.DataFrame(
        {
            "trust_code": ["T1"],
            "task": ["ct_reporting"],
            "modality": ["ct_other"],
            "exams_year": [1.75 * HOURS_PER_YEAR],
            "effort_hours": [1.0],
        }
    )
    capacity = pl.DataFrame(
        {
            "trust_code": ["T1"],
            "task": ["ct_reporting"],
            "capacity_hours_year": [1.5 * HOURS_PER_YEAR],
        }
    )
    classes = pl.DataFrame(
        {
            "modality": ["ct_other"] * 3,
            "priority_class": ["a_emergency", "b_cancer", "c_routine"],
            "rank": [1, 2, 3],
            "share": [1 / 1.75, 0.25 / 1.75, 0.5 / 1.75],
            "report_within_hours": [1.0, 168.0, 672.0],
        }
    )
    return demand, capacity, classes


def test_a_class_is_flagged_where_capacity_cannot_meet_its_timescale():
    check = {r["priority_class"]: r for r in pathway_check(*_toy(), percentile=0.9).to_dicts()}
    a, b, c = check["a_emergency"], check["b_cancer"], check["c_routine"]
    # A: utilisation 1 / 1.5; the 90th percentile of Poisson(1) arrivals in its hour is 2
    # examinations = 2 h of work against 1.5 h of capacity: at risk from bursts alone.
    assert a["utilisation"] == pytest.approx(1 / 1.5)
    assert a["work_hours"] == pytest.approx(2.0)
    assert a["capacity_hours"] == pytest.approx(1.5)
    assert a["at_risk"]
    assert "burst" in a["reason"]
    # B after A: 1.25 h of work an hour (utilisation 0.83); in 168 h Poisson(210) arrivals, P90
    # about 210 + 1.28 x sqrt(210) = 228.6, well inside 1.5 x 168 = 252 h.
    assert b["utilisation"] == pytest.approx(1.25 / 1.5)
    assert 225 <= b["work_hours"] <= 232
    assert b["capacity_hours"] == pytest.approx(252.0)
    assert not b["at_risk"]
    # C after A and B: 1.75 h of work an hour against 1.5: the queue grows without bound.
    assert c["utilisation"] == pytest.approx(1.75 / 1.5)
    assert c["at_risk"]
    assert c["reason"].startswith("capacity below")


def test_more_capacity_clears_every_class():
    demand, capacity, classes = _toy()
    more = capacity.with_columns(pl.lit(3.0 * HOURS_PER_YEAR).alias("capacity_hours_year"))
    check = pathway_check(demand, more, classes, percentile=0.9)
    assert not check["at_risk"].any()
    no_capacity = pathway_check(demand, capacity.clear(), classes, percentile=0.9)
    assert no_capacity["at_risk"].all()
    assert math.isinf(no_capacity["utilisation"].max())
    with pytest.raises(ConfigError, match="percentile"):
        pathway_check(demand, capacity, classes, percentile=1.0)
