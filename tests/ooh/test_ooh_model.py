"""The OOH model: tagged constraint functions, calendar, frequency and solver-roster properties."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ooh_world import NETWORK, START, TRUST_BY_TRUST, oncall_service, preset, world

from lsc_workforce.config import SolverSettings
from lsc_workforce.ooh import model as ooh_model
from lsc_workforce.ooh.build import bank_holidays, build_scenario, offered_dates
from lsc_workforce.ooh.compliance import check_roster
from lsc_workforce.ooh.inputs import ShiftPattern
from lsc_workforce.ooh.model import OOH_CONSTRAINT_TAGS, build_ooh_model, solve_instance
from lsc_workforce.solve import SolveStatus, solve_problem

pytestmark = pytest.mark.unit

SETTINGS = SolverSettings(time_limit_s=20, threads=1)


def test_every_tagged_constraint_has_a_function():
    for tag, name in OOH_CONSTRAINT_TAGS.items():
        function = getattr(ooh_model, f"add_{name}")
        assert tag in function.__doc__


def test_bank_holidays_are_weekend_days():
    easter = bank_holidays(dt.date(2026, 4, 1), 10)
    assert easter == {dt.date(2026, 4, 3), dt.date(2026, 4, 6)}
    dates = [dt.date(2026, 4, 1) + dt.timedelta(days=k) for k in range(10)]
    weekend = ShiftPattern("weekend", dt.time(8), 24, "weekend")
    weekday = ShiftPattern("weeknight", dt.time(17), 15, "weekday")
    assert sorted(offered_dates(weekend, dates, easter)) == [
        dt.date(2026, 4, d) for d in (3, 4, 5, 6)
    ]
    assert sorted(offered_dates(weekday, dates, easter)) == [
        dt.date(2026, 4, d) for d in (1, 2, 7, 8, 9, 10)
    ]


def test_weeknight_and_weekend_patterns_follow_the_calendar():
    """Easter 2026 horizon: weeknights never on Fri 3 / Mon 6 April, weekend shifts only then."""
    shifts = (
        ShiftPattern("weeknight", dt.time(17), 15, "weekday", night=True),
        ShiftPattern("weekend", dt.time(8), 24, "weekend", night=True),
    )
    people = [(f"a{k}", "TAA", "A01", 1.0) for k in range(6)]
    service = oncall_service(sites=("A01",), shifts=shifts)
    start = dt.date(2026, 4, 1)
    inst = build_scenario(
        service, TRUST_BY_TRUST, preset(min_rest_hours=11), world(people), start=start, n_days=14
    )[0]
    sol = solve_instance(inst, SETTINGS)
    assert sol.result.status is SolveStatus.OPTIMAL
    assert sol.uncovered.is_empty()
    assert sol.roster.height == 14
    weekend_dates = set(sol.roster.filter(pl.col("shift") == "weekend").get_column("date"))
    assert weekend_dates == {dt.date(2026, 4, d) for d in (3, 4, 5, 6, 11, 12)}


def test_frequency_limit_is_binding_and_reported_as_uncovered():
    """One person, 1 in 4 over 12 days: 3 days held, 9 uncovered, each explained."""
    from lsc_workforce.ooh.analysis import explain_gaps

    frames = world([("a1", "TAA", "A01", 1.0)])
    service = oncall_service(sites=("A01",))
    inst = build_scenario(
        service, TRUST_BY_TRUST, preset(oncall_one_in=4), frames, start=START, n_days=12
    )[0]
    sol = solve_instance(inst, SETTINGS)
    assert sol.result.status is SolveStatus.OPTIMAL
    assert sol.roster.height == 3
    assert sol.uncovered.get_column("missing").sum() == 9
    gaps = explain_gaps(sol)
    assert gaps.height == 9
    assert set(gaps.get_column("reasons")) <= {"1 oncall_one_in", "1 assigned_elsewhere"}
    assert "1 oncall_one_in" in set(gaps.get_column("reasons"))


def test_model_has_named_ooh_rows():
    frames = world([("a1", "TAA", "A01", 1.0), ("b1", "TBB", "B01", 1.0)])
    inst = build_scenario(
        oncall_service(), NETWORK, preset(oncall_one_in=4), frames, start=START, n_days=12
    )[0]
    model = build_ooh_model(inst)
    names = set(model.prob.constraints)
    assert {"oncall_frequency__a1", "oncall_frequency__b1"} <= names
    assert {"load_balance__a1", "load_balance__b1"} <= names


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n_staff=st.integers(min_value=1, max_value=5),
    one_in=st.integers(min_value=2, max_value=5),
    leave_days=st.lists(st.integers(min_value=0, max_value=13), max_size=6),
    n_days=st.integers(min_value=7, max_value=14),
)
def test_solver_rosters_pass_the_checker(n_staff, one_in, leave_days, n_days):
    """Property: whatever the staff and leave, the solved roster has no hard breach and
    uncovered + covered shifts = shifts wanted."""
    staff = [(f"a{k}", "TAA", "A01", 1.0) for k in range(n_staff)]
    leave = [("a0", START + dt.timedelta(days=k), START + dt.timedelta(days=k)) for k in leave_days]
    frames = world(staff, leave=leave)
    service = oncall_service(sites=("A01",))
    rules = preset(oncall_one_in=one_in, min_rest_hours=11, max_consecutive_shifts=2)
    inst = build_scenario(service, TRUST_BY_TRUST, rules, frames, start=START, n_days=n_days)[0]
    sol = solve_instance(inst, SETTINGS)
    assert sol.result.status is SolveStatus.OPTIMAL
    breaches = check_roster(inst, sol.roster)
    assert breaches.filter(pl.col("hard")).is_empty()
    covered = sol.roster.height
    assert covered + sol.uncovered.get_column("missing").sum() == inst.required_shifts
    per_person = sol.roster.group_by("staff_id").len().get_column("len")
    assert (per_person.max() or 0) <= n_days // one_in
    # nobody works on their leave
    on_leave = {START + dt.timedelta(days=k) for k in leave_days}
    a0 = set(sol.roster.filter(pl.col("staff_id") == "a0").get_column("date"))
    assert not a0 & on_leave


def test_bad_mode_rejected():
    frames = world([("a1", "TAA", "A01", 1.0)])
    inst = build_scenario(
        oncall_service(sites=("A01",)), TRUST_BY_TRUST, preset(), frames, start=START, n_days=3
    )[0]
    with pytest.raises(ValueError, match="mode"):
        build_ooh_model(inst, mode="fast")


def _average_only_instance(hours: float, people: list, n_days: int):
    """One on-call at A01 whose only rule is an average of ``hours`` a week over 2 weeks."""
    from lsc_workforce.ooh.inputs import Rule, RulePreset

    rule = Rule("average_week_hours", hours, "test", "confirmed", reference_weeks=2)
    rules = RulePreset("avg", "average only", {"average_week_hours": rule})
    service = oncall_service(sites=("A01",))
    return build_scenario(
        service, TRUST_BY_TRUST, rules, world(people), start=START, n_days=n_days
    )[0]


def test_average_hours_running_totals_bind():
    """C-O6: 15 h a week on average over 2 weeks = 30 h (two 15-hour on-calls) per 14 days.

    Over 21 days the windows [0, 13] and [7, 20] cover every day and each allows 2 shifts, so
    one person can hold at most 4 (e.g. days 0, 1, 14, 15): 17 of 21 shifts stay uncovered.
    """
    inst = _average_only_instance(15, [("a1", "TAA", "A01", 1.0)], n_days=21)
    assert inst.average == (14, 30 * 60)
    sol = solve_instance(inst, SETTINGS)
    assert sol.result.status is SolveStatus.OPTIMAL
    assert sol.roster.height == 4
    assert sol.uncovered.get_column("missing").sum() == 17
    assert check_roster(inst, sol.roster).is_empty()
    names = set(build_ooh_model(inst).prob.constraints)
    assert "average_hours__a1_0" in names
    assert "average_hours__a1_7" in names


def test_average_hours_rows_are_added_only_for_people_over_the_limit():
    """Lazy C-O6: the same optimum as the full model, with rows only for the person who needs them.

    a1 (WTE 1.0) and a2 (WTE 0.1) share 21 days of one on-call; the limit is two 15-hour
    on-calls per 14 days (as above), so the two can cover at most 8 shifts. Round 1 (no C-O6
    rows) covers all 21 with a1 holding most (load balance by WTE), so only a1 is over; round
    2 adds a1's rows and a2 takes the rest, now over; round 3 adds a2's rows and is optimal.
    The lazy and full models must agree.
    """
    inst = _average_only_instance(
        15, [("a1", "TAA", "A01", 1.0), ("a2", "TAA", "A01", 0.1)], n_days=21
    )
    lazy = solve_instance(inst, SETTINGS)
    assert lazy.result.status is SolveStatus.OPTIMAL
    assert "3 round(s)" in lazy.result.message
    assert lazy.roster.height == 8
    assert check_roster(inst, lazy.roster).is_empty()
    full = build_ooh_model(inst)
    reference = solve_problem(full.prob, SETTINGS)
    assert reference.objective == pytest.approx(lazy.result.objective)


def test_lazy_average_hours_adds_no_rows_when_nobody_is_over():
    """Limit 120 h a week over 2 weeks (240 h): fourteen 15-hour on-calls are only 210 h, so
    no roster can break it; the full model has the rows, the lazy solve needs none."""
    inst = _average_only_instance(120, [("a1", "TAA", "A01", 1.0)], n_days=20)
    assert any(n.startswith("average_hours__") for n in build_ooh_model(inst).prob.constraints)
    model = build_ooh_model(inst, lazy_average_hours=True)
    sol = solve_instance(inst, SETTINGS)
    assert sol.result.status is SolveStatus.OPTIMAL
    assert "1 round(s)" in sol.result.message
    assert ooh_model.people_over_average_hours(model, inst) == []
    assert not any(n.startswith("average_hours__") for n in model.prob.constraints)


def test_rota_splits_where_no_person_links_the_slots():
    """Site cover at A01 and C01 (90 min apart, limit 30): nobody can work both, so the
    network rota is two independent rotas with their own staff; B01 people (20 min from A01)
    join the A01 part only."""
    frames = world(
        [("a1", "TAA", "A01", 1.0), ("b1", "TBB", "B01", 1.0), ("c1", "TCC", "C01", 1.0)]
    )
    service = oncall_service(sites=("A01", "B01", "C01"), cover_unit="site")
    instances = build_scenario(service, NETWORK, preset(), frames, start=START, n_days=4)
    names = {inst.rota: set(inst.people.get_column("staff_id")) for inst in instances}
    assert names == {"network:A01+B01": {"a1", "b1"}, "network:C01": {"c1"}}
    sol = {inst.rota: solve_instance(inst, SETTINGS) for inst in instances}
    assert sol["network:A01+B01"].roster.height == 8  # 2 sites x 4 nights, a1 and b1
    assert sol["network:C01"].roster.height == 4
