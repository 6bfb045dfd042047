"""C-O3 load balance in integer bands and the lexicographic (cover first) solve, hand-checked."""

from __future__ import annotations

import datetime as dt

import pytest
from ooh_world import START, TRUST_BY_TRUST, oncall_service, preset, world

from lsc_workforce.config import SolverSettings
from lsc_workforce.ooh.build import build_scenario
from lsc_workforce.ooh.model import build_ooh_model, solve_instance
from lsc_workforce.solve import SolveStatus

pytestmark = pytest.mark.unit

SETTINGS = SolverSettings(time_limit_s=20, threads=1)
SERVICE = oncall_service(sites=("A01",))


def _instance(n_days, leave=()):
    frames = world([("a1", "TAA", "A01", 1.0), ("b1", "TAA", "A01", 1.0)], leave=list(leave))
    return build_scenario(SERVICE, TRUST_BY_TRUST, preset(), frames, start=START, n_days=n_days)[0]


def test_fractional_share_inside_the_band_costs_nothing():
    """Two equal people, 3 nights: share 1.5 each, band [1, 2]; a 2/1 split has no deviation
    (the old constant-target form charged 0.5 + 0.5 = 1 for any split)."""
    inst = _instance(3)
    names = set(build_ooh_model(inst).prob.constraints)
    assert {"load_balance__a1", "load_balance_floor__a1", "load_balance__b1"} <= names
    sol = solve_instance(inst, SETTINGS)
    assert sol.result.status is SolveStatus.OPTIMAL
    assert sol.uncovered.is_empty()
    assert sol.components["load_balance"] == 0.0
    assert sorted(sol.roster.group_by("staff_id").len().get_column("len")) == [1, 2]


def _leave_instance():
    """4 nights, share 2 each; b1 on leave for 3 of them so b1 holds 1 night, a1 3: deviation
    1 under + 1 over = 2."""
    leave = [("b1", START + dt.timedelta(days=k), START + dt.timedelta(days=k)) for k in (0, 1, 2)]
    return _instance(4, leave)


def test_deviation_beyond_the_band_is_charged():
    sol = solve_instance(_leave_instance(), SETTINGS)
    assert sol.result.status is SolveStatus.OPTIMAL
    assert sol.uncovered.is_empty()
    assert sol.components["load_balance"] == 2.0
    assert sol.stages == ()


def test_lexicographic_solve_reports_each_stage():
    sol = solve_instance(_leave_instance(), SETTINGS, lexicographic=True)
    assert [s.status for s in sol.stages] == [SolveStatus.OPTIMAL, SolveStatus.OPTIMAL]
    assert sol.stages[0].objective == 0.0  # stage 1: cover, nothing short or over
    assert sol.stages[1].objective == 2.0  # stage 2: load balance with the cover fixed
    assert sol.result.status is SolveStatus.OPTIMAL
    assert sol.result.gap == 0.0
    assert sol.result.bound is None  # no bound is claimed for the weighted sum
    assert sol.result.objective == 2.0
    assert sol.result.solve_s == sum(s.solve_s for s in sol.stages)
    assert sol.uncovered.is_empty()
    assert sol.roster.height == 4
    assert "stage 2 optimal" in sol.result.message


def test_lexicographic_without_load_balance_is_a_single_solve():
    from lsc_workforce.ooh.build import OohWeights

    sol = solve_instance(
        _leave_instance(), SETTINGS, OohWeights(load_balance=0), lexicographic=True
    )
    assert sol.stages == ()
    assert sol.result.status is SolveStatus.OPTIMAL


def test_lp_files_are_written_for_audit(tmp_path):
    """``lp_path``: the engine writes the model before each solve; a lexicographic solve's
    second stage goes beside it as ``<stem>.stage2.lp``, with the stage-1 level row."""
    single = solve_instance(_leave_instance(), SETTINGS, lp_path=tmp_path / "rota.lp")
    assert single.result.status is SolveStatus.OPTIMAL
    assert "load_balance__a1" in (tmp_path / "rota.lp").read_text()
    staged = solve_instance(
        _leave_instance(), SETTINGS, lexicographic=True, lp_path=tmp_path / "lex" / "rota.lp"
    )
    assert len(staged.stages) == 2
    assert "lexicographic_stage1_level" not in (tmp_path / "lex" / "rota.lp").read_text()
    assert "lexicographic_stage1_level" in (tmp_path / "lex" / "rota.stage2.lp").read_text()
