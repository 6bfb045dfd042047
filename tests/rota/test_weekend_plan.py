"""The weekend plan: whole weekends where cover needs them, within the weekend rules."""

from __future__ import annotations

import dataclasses
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rota_helpers import DAY, cover, day, person, problem

from lsc_workforce.config import SolverSettings
from lsc_workforce.rota import ShiftRequest, ShiftType, check, evaluate, solve, warm_start
from lsc_workforce.rota.heuristic import construct_roster
from lsc_workforce.rota.weekend_plan import GUIDE_WEIGHT, plan_weekends

pytestmark = pytest.mark.unit

#: A night that no day shift may follow the next morning.
NIGHT = ShiftType("N", DAY.start.replace(hour=20), 720, cannot_follow=frozenset({"D"}), night=True)


def _planned(guide) -> set[tuple[str, int, str]]:
    """The on-requests of a guide as ``(staff, day number, shift)``."""
    return {(r.staff_id, (r.date - day(0)).days, r.shift) for r in guide if r.on}


def test_plan_gives_the_scarce_weekend_to_the_one_who_can_work_it():
    """A may work either weekend and asks (weight 1) to work Saturday 5; B is on leave on the
    second weekend (12, 13). Cover: one day shift on 5, 6, 12 and 13; one weekend each.

    By hand: person by person, A takes the first weekend for its request (201 against 200)
    and B has nothing left to cover: 2 short, 200. The plan gives B the first weekend and A
    the second: 0 short, A's request unmet, 1. The construction guided by it reaches 1.
    """
    prob = problem(
        14,
        [person("A", max_weekends=1), person("B", max_weekends=1, days_off={day(12), day(13)})],
        cover([5, 6, 12, 13]),
        requests=(ShiftRequest("A", day(5), "D", 1.0, on=True),),
    )
    guide = plan_weekends(prob, time_limit_s=10)
    assert guide is not None
    assert _planned(guide) == {("A", 12, "D"), ("A", 13, "D"), ("B", 5, "D"), ("B", 6, "D")}
    assert len(guide) == 2 * 4  # every person and weekend date: on or off
    assert {r.weight for r in guide} == {GUIDE_WEIGHT}
    alone = construct_roster(prob).roster
    guided = construct_roster(prob, guide=guide).roster
    assert sum(evaluate(prob, alone).values()) == 200
    assert sum(evaluate(prob, guided).values()) == 1
    assert [b for b in check(prob, guided) if b.hard] == []


@pytest.mark.slow
def test_warm_start_constructs_from_the_weekend_plan(monkeypatch):
    """The engine's warm start plans the weekends and hands the plan to the construction."""
    prob = problem(
        14,
        [person("A", max_weekends=1), person("B", max_weekends=1, days_off={day(12), day(13)})],
        cover([5, 6, 12, 13]),
    )
    guides = []
    real = warm_start.construct_roster

    def spy(problem, **kwargs):
        guides.append(kwargs["guide"])
        return real(problem, **kwargs)

    monkeypatch.setattr(warm_start, "construct_roster", spy)
    solution = solve(prob, SolverSettings(threads=1, time_limit_s=20), warm_start=True)
    assert solution.result.objective == 0
    [guide] = guides
    assert _planned(guide) == {("A", 12, "D"), ("A", 13, "D"), ("B", 5, "D"), ("B", 6, "D")}


def test_plan_keeps_succession_bans_between_weekend_dates():
    """One person, a night wanted on Saturday 5 and a day shift on Sunday 6; no day shift may
    follow a night. By hand: one of the two is left short (100); never both planned."""
    prob = problem(7, [person("A")], cover([5], "N") + cover([6], "D"), shifts=(DAY, NIGHT))
    planned = _planned(plan_weekends(prob, time_limit_s=10))
    assert len(planned & {("A", 5, "N"), ("A", 6, "D")}) == 1


def test_no_plan_where_a_shift_type_decides_weekend_work():
    """A shift type that overrides the weekend flag (a Friday night counted as weekend work):
    weekends are not a matter of dates, so no plan."""
    friday_night = dataclasses.replace(NIGHT, weekend=True)
    prob = problem(7, [person("A")], cover([5]), shifts=(DAY, friday_night))
    assert plan_weekends(prob, time_limit_s=10) is None


@settings(max_examples=25, deadline=None)
@given(
    limits=st.lists(
        st.tuples(st.integers(0, 2), st.integers(0, 4), st.integers(1, 3)), min_size=1, max_size=4
    ),
    wanted=st.lists(st.tuples(st.sampled_from([5, 6, 12, 13, 19, 20]), st.sampled_from("DN"))),
)
def test_plan_keeps_each_persons_weekend_rules(limits, wanted):
    """On random three-week problems (people with random weekend limits, night maxima and
    1-in-N frequencies; random weekend cover), the planned shifts, re-checked without the
    solver, keep P2-P4 and the succession ban, and each date gets one request per person."""
    people = [
        person(f"P{k}", max_weekends=weekends, max_shifts={"N": nights}, weekend_one_in=one_in)
        for k, (weekends, nights, one_in) in enumerate(limits)
    ]
    reqs = tuple(r for k, t in set(wanted) for r in cover([k], t))
    prob = problem(21, people, reqs, shifts=(DAY, NIGHT))
    guide = plan_weekends(prob, time_limit_s=10)
    assert guide is not None
    assert Counter((r.staff_id, r.date) for r in guide) == {
        (p.id, day(k)): 1 for p in people for k in (5, 6, 12, 13, 19, 20)
    }
    planned = _planned(guide)
    for p, (weekends, nights, one_in) in zip(people, limits, strict=True):
        worked = sorted({k // 7 for s, k, _ in planned if s == p.id})
        assert len(worked) <= weekends
        assert all(b - a >= one_in for a, b in zip(worked, worked[1:], strict=False))
        assert sum(1 for s, _, t in planned if s == p.id and t == "N") <= nights
        assert not {k for s, k, t in planned if s == p.id and t == "N"} & {
            k - 1 for s, k, t in planned if s == p.id and t == "D"
        }
