"""What notebook 30 shows first: the service x trust verdicts, and a calendar of every rota.

Hand-checked world: trusts TAA and TBB with two consultants each, a 17:00-08:00 on-call every
day at 1-in-4, 12 days from Monday 1 June 2026. Each person holds at most 12 / 4 = 3 days, so
a trust's own rota covers 6 of its 12 days (6 uncovered) and needs 4 - 2 = 2 more posts to
reach the rota's size; the network rota of four people covers all 12 days of its one slot.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from ooh_world import COSTS, NETWORK, SITES, START, TRUST_BY_TRUST, oncall_service, preset, world

from lsc_workforce.config import SolverSettings
from lsc_workforce.ooh import notebook as ooh_views
from lsc_workforce.ooh.analysis import run_analysis
from lsc_workforce.ooh.charts import calendar_frame, plot_rota_calendar
from lsc_workforce.ooh.inputs import OohConfig
from lsc_workforce.ooh.notebook import solver_view, verdict_view

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def analysis():
    frames = world(
        [
            ("a1", "TAA", "A01", 1.0),
            ("a2", "TAA", "A01", 1.0),
            ("b1", "TBB", "B01", 1.0),
            ("b2", "TBB", "B01", 1.0),
        ]
    )
    cfg = OohConfig(
        services={"test_oncall": oncall_service()},
        presets={"test": preset(oncall_one_in=4, min_rest_hours=11)},
        scenarios={"trust_by_trust": TRUST_BY_TRUST, "network": NETWORK},
        costs=COSTS,
    )
    settings = SolverSettings(time_limit_s=20, threads=1)
    return run_analysis(cfg, frames, start=START, n_days=12, settings=settings)


def test_verdicts_per_trust_and_scenario(analysis):
    table = analysis.verdicts(SITES)
    rows = {(r["trust_code"], r["scenario"]): r for r in table.iter_rows(named=True)}
    assert set(rows) == {(t, s) for t in ("TAA", "TBB") for s in ("trust_by_trust", "network")}
    own = rows["TAA", "trust_by_trust"]
    assert (own["uncovered_shifts"], own["extra_posts"], own["hard_breaches"]) == (6, 2, 0)
    assert own["verdict"] == "6 shifts uncovered; 2 posts missing (competency Vascular IR)"
    shared = rows["TBB", "network"]
    assert (shared["uncovered_shifts"], shared["extra_posts"]) == (0, 0)
    assert shared["verdict"] == "covered compliantly (rota shared with TAA)"
    # the trusts' uncovered shifts add up to the scenario's
    by_scenario = dict(analysis.comparison().select("scenario", "uncovered_shifts").rows())
    own_total = table.filter(pl.col("scenario") == "trust_by_trust")["uncovered_shifts"].sum()
    assert own_total == by_scenario["trust_by_trust"]


def test_verdict_view_is_one_row_per_service_and_trust(analysis):
    view = verdict_view(analysis, SITES)
    assert view.columns == ["service", "trust_code", "Trust by trust", "One network rota"]
    assert view.get_column("trust_code").to_list() == ["TAA", "TBB"]
    assert view.row(1) == (
        "test_oncall",
        "TBB",
        "6 shifts uncovered; 2 posts missing (competency Vascular IR)",
        "covered compliantly (rota shared with TAA)",
    )


def test_solver_figures_are_apart_from_cover(analysis):
    view = solver_view(analysis)
    assert "uncovered_shifts" not in view.columns
    assert set(view.get_column("solver_status")) == {"optimal"}


def test_calendar_has_every_day_of_every_rota(analysis):
    result = analysis.result("test_oncall", "trust_by_trust")
    frame = calendar_frame(result, {"A01": "Alpha General"})
    assert frame.group_by("panel").len().sort("panel").rows() == [("TAA", 12), ("TBB", 12)]
    taa = frame.filter(pl.col("panel") == "TAA")
    assert taa.filter(pl.col("kind") == "Uncovered").height == 6
    assert (taa.get_column("text") == "uncovered").sum() == 6
    held = taa.filter(pl.col("kind") != "Uncovered").get_column("text")
    assert set(held) <= {"a1", "a2"}
    assert held.len() == 6
    saturday = taa.filter(pl.col("date") == dt.date(2026, 6, 6)).row(0, named=True)
    assert saturday["weekday"] == "Sat"
    assert saturday["week"] == "w/c 1 Jun 2026"
    assert saturday["kind"] in {"Weekend or bank holiday", "Uncovered"}
    second_week = taa.filter(pl.col("date") >= dt.date(2026, 6, 8))
    assert second_week.get_column("odd_week").all()
    assert set(second_week.get_column("week")) == {"w/c 8 Jun 2026"}
    spec = plot_rota_calendar(result, {}, "Test").to_dict()
    assert spec["columns"] == 2  # small multiples, two rotas a row


def test_left_out_view_lists_sites_without_a_slot_of_their_own(analysis):
    """Network: one slot at the hub A01; B01 (20 minutes, no pathway limit) is served by
    transfer. Trust by trust: each site holds its own slot, so nothing is listed."""
    view = ooh_views.left_out_view(analysis, SITES)
    assert view.select("scenario", "trust_code", "local_cover").rows() == [
        ("network", "TBB", "transfer")
    ]
    assert view["site_code"].to_list() == [
        SITES.filter(pl.col("site_code") == "B01")["site_name"][0]
    ]
