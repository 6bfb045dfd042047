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
from lsc_workforce.ooh.inputs import OohConfig, ShiftPattern
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


def _two_services(other_shift: ShiftPattern):
    """a1 (TAA) holds both competencies, so both rotas at Alpha roster a1 every day; at Beta
    b1 holds only vascular IR and b2 only non-vascular IR, so nobody is on both."""
    frames = world(
        [("a1", "TAA", "A01", 1.0), ("b1", "TBB", "B01", 1.0), ("b2", "TBB", "B01", 1.0)],
        competencies={
            "a1": ["vascular_ir", "non_vascular_ir"],
            "b1": ["vascular_ir"],
            "b2": ["non_vascular_ir"],
        },
    )
    other = oncall_service(
        id="test_other", competencies=("non_vascular_ir",), shifts=(other_shift,)
    )
    cfg = OohConfig(
        services={"test_oncall": oncall_service(), "test_other": other},
        presets={"test": preset(min_rest_hours=0)},
        scenarios={"trust_by_trust": TRUST_BY_TRUST},
        costs=COSTS,
    )
    settings = SolverSettings(time_limit_s=20, threads=1)
    return run_analysis(cfg, frames, start=START, n_days=4, settings=settings, headcount=False)


def test_a_person_on_two_rotas_at_once_is_a_clash_in_the_verdict():
    night = ShiftPattern("night", dt.time(17, 0), 15.0, "all", night=True)
    analysis = _two_services(night)
    clashes = analysis.clashes()
    assert clashes.height == 4  # a1 on both 17:00-08:00 rotas on each of the 4 days
    assert set(clashes["staff_id"]) == {"a1"}
    assert set(zip(clashes["service"], clashes["other_service"], strict=True)) == {
        ("test_oncall", "test_other")
    }
    counts = dict(analysis.comparison().select("service", "cross_rota_clashes").rows())
    assert counts == {"test_oncall": 4, "test_other": 4}
    rows = {
        (r["service"], r["trust_code"]): r for r in analysis.verdicts(SITES).iter_rows(named=True)
    }
    alpha = rows["test_oncall", "TAA"]
    assert alpha["clashing_shifts"] == 4
    assert alpha["verdict"].startswith("covered compliantly; 4 shifts held by staff on call for ")
    assert rows["test_oncall", "TBB"]["clashing_shifts"] == 0
    assert rows["test_oncall", "TBB"]["verdict"] == "covered compliantly"


def test_rotas_whose_hours_do_not_overlap_do_not_clash():
    day = ShiftPattern("day", dt.time(8, 0), 9.0, "all")  # 08:00-17:00 meets 17:00-08:00
    analysis = _two_services(day)
    assert analysis.clashes().is_empty()
    assert set(analysis.comparison()["cross_rota_clashes"]) == {0}


def test_an_identical_rota_of_another_scenario_is_solved_once(monkeypatch):
    """Alpha's own rota and a network rota at Alpha with only Alpha's staff are the same model:
    the second takes the first's roster under its own name, is re-checked, and costs no solve."""
    from lsc_workforce.ooh import analysis as ooh_analysis  # noqa: PLC0415
    from lsc_workforce.ooh.build import build_scenario  # noqa: PLC0415
    from lsc_workforce.ooh.compliance import check_roster  # noqa: PLC0415

    frames = world([("a1", "TAA", "A01", 1.0), ("a2", "TAA", "A01", 1.0)])
    service = oncall_service(sites=("A01",))
    rules = preset(oncall_one_in=2, min_rest_hours=11)
    (own,) = build_scenario(service, TRUST_BY_TRUST, rules, frames, start=START, n_days=6)
    (hub,) = build_scenario(service, NETWORK, rules, frames, start=START, n_days=6)
    calls = []
    real = ooh_analysis.solve_instance
    monkeypatch.setattr(
        ooh_analysis, "solve_instance", lambda *a, **k: calls.append(a[0].rota) or real(*a, **k)
    )
    settings, weights, solved = SolverSettings(time_limit_s=20, threads=1), None, {}
    first = ooh_analysis.solve_once(own, settings, weights, solved)
    second = ooh_analysis.solve_once(hub, settings, weights, solved)
    assert calls == [own.rota]  # one solve for the two rotas
    assert second.instance is hub
    assert set(second.roster["rota"]) == {hub.rota}
    assert second.roster.drop("rota").equals(first.roster.drop("rota"))
    assert (second.result.solve_s, second.result.status) == (0.0, first.result.status)
    assert check_roster(hub, second.roster).filter(pl.col("hard")).is_empty()
    # a different rule makes a different model: solved on its own
    (often,) = build_scenario(
        service, NETWORK, preset(oncall_one_in=3, min_rest_hours=11), frames, start=START, n_days=6
    )
    ooh_analysis.solve_once(often, settings, weights, solved)
    assert calls == [own.rota, often.rota]
