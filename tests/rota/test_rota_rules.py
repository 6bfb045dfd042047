"""Hand-solvable toy rosters, one per rule family; the optimum is worked out in each docstring.

Every solve also asserts (in ``rota_helpers.solved``) that the status is optimal, the checker
finds no hard breach and the checker's independent objective components equal the model's.
"""

from __future__ import annotations

import datetime as dt

import pytest
from rota_helpers import (
    DAY,
    MONDAY,
    NIGHT,
    cover,
    day,
    person,
    problem,
    solved,
)

from lsc_workforce.rota import (
    CoverRequirement,
    MinutesWindow,
    Person,
    PersonRules,
    ShiftRequest,
    ShiftType,
)

pytestmark = pytest.mark.unit


def test_one_shift_per_day():
    """C1: one person, D and N both wanted on day 0 (100 each): one is missed -> 100."""
    sol = solved(problem(1, [person()], cover([0]) + cover([0], "N"), shifts=(DAY, NIGHT)))
    assert sol.result.objective == pytest.approx(100)
    assert sol.roster.height == 1


def test_succession_ban():
    """C3: L (14:00) may not be followed by E next day; L day 0 and E day 1 wanted -> 100."""
    early = ShiftType("E", dt.time(7), 480)
    late = ShiftType("L", dt.time(14), 480, cannot_follow=frozenset({"E"}))
    reqs = cover([0], "L") + cover([1], "E")
    sol = solved(problem(2, [person()], reqs, shifts=(early, late)))
    assert sol.result.objective == pytest.approx(100)
    # the reverse order (E then L) is allowed: both covered
    sol = solved(problem(2, [person()], cover([0], "E") + cover([1], "L"), shifts=(early, late)))
    assert sol.result.objective == pytest.approx(0)


@pytest.mark.parametrize(
    ("saturday", "expected"),
    [
        (dt.date(2026, 3, 21), 0),  # no clock change: 12 h rest >= 11.5 h
        (dt.date(2026, 3, 28), 100),  # clocks go forward on 29 March: 11 h real rest < 11.5 h
        (dt.date(2026, 10, 24), 0),  # clocks go back on 25 October: 13 h real rest
    ],
)
def test_min_rest_in_real_hours_across_clock_changes(saturday, expected):
    """C4: 08:00-20:00 day shifts (720 min) on Sat and Sun, minimum rest 11.5 h.

    Sat 20:00 to Sun 08:00 on the local clock is 12 real hours, except across the March
    change (11 h: one shift is missed, 100) and the October change (13 h).
    """
    long_day = ShiftType("L", dt.time(8), 720)
    reqs = cover([0, 1], "L", start=saturday)
    sol = solved(
        problem(2, [person(min_rest_hours=11.5)], reqs, shifts=(long_day,), start=saturday)
    )
    assert sol.result.objective == pytest.approx(expected)


@pytest.mark.parametrize(
    ("saturday", "minutes", "expected"),
    [
        (dt.date(2026, 3, 21), 1440, 100),  # two 12-hour nights exceed 1,400 minutes
        (dt.date(2026, 3, 28), 1380, 0),  # the Saturday night loses an hour: 660 + 720
        (dt.date(2026, 10, 24), 1500, 100),  # the Saturday night gains an hour: 780 + 720
    ],
)
def test_a_night_across_a_clock_change_is_an_hour_shorter_or_longer(saturday, minutes, expected):
    """C7: 20:00-08:00 nights on Sat and Sun, at most 1,400 worked minutes.

    Worked minutes are real: both nights fit only on the March weekend (0), otherwise one
    night is missed (100). The person's total shows the real minutes worked.
    """
    reqs = cover([0, 1], "N", start=saturday, under=100)
    prob = problem(2, [person(max_total_minutes=1400)], reqs, shifts=(NIGHT,), start=saturday)
    sol = solved(prob)
    assert sol.result.objective == pytest.approx(expected)
    both = problem(2, [person()], reqs, shifts=(NIGHT,), start=saturday)
    assert solved(both).person_totals["minutes"].to_list() == [minutes]


def test_overlapping_shifts_are_banned_without_a_rest_rule():
    """C4: a 26-hour shift from 08:00 overlaps the next day's 08:00 shift -> one missed: 100."""
    long = ShiftType("X", dt.time(8), 26 * 60)
    sol = solved(problem(2, [person()], cover([0, 1], "X"), shifts=(long,)))
    assert sol.result.objective == pytest.approx(100)


def test_days_off_and_explanation():
    """C5: the only person is on leave on day 0 -> 100, and the explanation says ``leave``."""
    sol = solved(problem(2, [person(days_off=frozenset({MONDAY}))], cover([0, 1])))
    assert sol.result.objective == pytest.approx(100)
    assert sol.uncovered.select("date", "staff_id", "reason").rows() == [(MONDAY, "A", "leave")]


def test_max_shifts_per_type():
    """C6: at most one D; D wanted on 2 days -> 100."""
    sol = solved(problem(2, [person(max_shifts={"D": 1})], cover([0, 1])))
    assert sol.result.objective == pytest.approx(100)


def test_min_total_minutes_forces_over_cover():
    """C7: minimum 960 min = two 480-min D shifts, none wanted (5 per extra person) -> 10."""
    reqs = cover([0, 1, 2], required=0, over=5)
    sol = solved(problem(3, [person(min_total_minutes=960)], reqs))
    assert sol.result.objective == pytest.approx(10)
    assert sol.person_totals.row(0, named=True)["minutes"] == 960


def test_max_total_minutes():
    """C7: maximum 500 min allows one 480-min shift of the two wanted -> 100."""
    sol = solved(problem(2, [person(max_total_minutes=500)], cover([0, 1])))
    assert sol.result.objective == pytest.approx(100)


def test_rolling_window_minutes():
    """C8: at most 480 min in any 2 days; D wanted on days 0, 1, 2 -> work 0 and 2, miss 1: 100."""
    rules = {"minutes_windows": (MinutesWindow(2, max_minutes=480),)}
    sol = solved(problem(3, [person(**rules)], cover([0, 1, 2])))
    assert sol.result.objective == pytest.approx(100)
    assert sorted(sol.roster["date"].to_list()) == [day(0), day(2)]


def test_max_consecutive_days():
    """C9: at most 2 days in a row; D wanted on 4 days -> one day off: 100."""
    sol = solved(problem(4, [person(max_consecutive_days=2)], cover([0, 1, 2, 3])))
    assert sol.result.objective == pytest.approx(100)


def test_min_consecutive_days():
    """C10: runs of at least 2; D wanted only on day 2 (100), extra people cost 10.

    Working day 2 alone is a run of 1 bounded by days off -> forbidden; working days 1-2
    costs one extra person: 10 (< 100 for leaving day 2 empty).
    """
    reqs = cover([2]) + cover([0, 1, 3, 4], required=0, over=10)
    sol = solved(problem(5, [person(min_consecutive_days=2)], reqs))
    assert sol.result.objective == pytest.approx(10)
    assert sol.roster.height == 2


def test_min_consecutive_allows_short_runs_at_the_horizon_edge():
    """C10: a 1-day run on the last day touches the boundary, so it is allowed -> 0."""
    reqs = cover([3]) + cover([0, 1, 2], required=0, over=10)
    sol = solved(problem(4, [person(min_consecutive_days=2)], reqs))
    assert sol.result.objective == pytest.approx(0)


@pytest.mark.parametrize(("min_off", "expected"), [(2, 100), (None, 0)])
def test_min_consecutive_days_off(min_off, expected):
    """C11: at most 4 days in a row, D wanted on days 0, 1, 3, 4 (day 2 free either way).

    Without C11 the person works 0-1, rests on day 2 and works 3-4: 0. With days-off runs of
    at least 2, a 1-day break on day 2 is too short; a break touching the horizon edge (day 0
    or 4) is allowed, so one requirement is missed: 100.
    """
    rules = {"max_consecutive_days": 4, "min_consecutive_days_off": min_off}
    sol = solved(problem(5, [person(**rules)], cover([0, 1, 3, 4])))
    assert sol.result.objective == pytest.approx(expected)


def test_max_consecutive_nights():
    """C12: at most 2 nights in a row; nights wanted on 3 days -> 100."""
    sol = solved(
        problem(3, [person(max_consecutive_nights=2)], cover([0, 1, 2], "N"), shifts=(NIGHT,))
    )
    assert sol.result.objective == pytest.approx(100)


@pytest.mark.parametrize(("rest", "expected"), [(2, 100), (None, 0)])
def test_rest_after_nights(rest, expected):
    """C13: a night on day 0 (150 if missed), days on 2 and 3 (100 each).

    With 2 rest days (days 1 and 2 off after the night) the best is night + day 3, missing
    day 2: 100. Without the rule all three are worked: 0.
    """
    reqs = cover([0], "N", under=150) + cover([2, 3])
    sol = solved(problem(4, [person(rest_days_after_nights=rest)], reqs, shifts=(DAY, NIGHT)))
    assert sol.result.objective == pytest.approx(expected)


def test_max_weekends():
    """C15: at most 1 weekend; D wanted on both Saturdays of a fortnight -> 100."""
    sol = solved(problem(14, [person(max_weekends=1)], cover([5, 12])))
    assert sol.result.objective == pytest.approx(100)
    assert sol.person_totals.row(0, named=True)["weekends"] == 1
    assert sol.person_totals.row(0, named=True)["one_in_n"] == pytest.approx(2.0)


def test_weekend_frequency_one_in_two():
    """C16: 1 in 2 weekends; D wanted on 3 consecutive Saturdays -> weekends 1 and 3: 100."""
    sol = solved(problem(21, [person(weekend_one_in=2)], cover([5, 12, 19])))
    assert sol.result.objective == pytest.approx(100)
    saturdays = {day(5), day(12), day(19)}
    assert set(sol.roster["date"].to_list()) & saturdays == {day(5), day(19)}


def test_soft_weekend_rule_is_priced():
    """C15 made soft at 30 per extra weekend: working both Saturdays costs 30 < 100."""
    prob = problem(14, [person(max_weekends=1)], cover([5, 12]), soft_rules={"max_weekends": 30})
    sol = solved(prob)
    assert sol.result.objective == pytest.approx(30)
    assert sol.components["soft_max_weekends"] == pytest.approx(30)
    assert [(b.rule, b.count, b.hard) for b in sol.breaches] == [("max_weekends", 1.0, False)]


def test_competency_and_travel_eligibility():
    """C14: IR needs ``vascular_ir`` at site S2; A lacks it, B has it but lives 45 min away.

    B has a 30-minute travel limit, so nobody may work it: 100; each reason is explained.
    """
    ir = ShiftType("IR", dt.time(17), 900, competencies=frozenset({"vascular_ir"}), site="S2")
    people = [
        Person("A", base_site="S2"),
        Person(
            "B",
            competencies=frozenset({"vascular_ir"}),
            base_site="S1",
            rules=PersonRules(max_travel_minutes=30),
        ),
    ]
    prob = problem(1, people, cover([0], "IR"), shifts=(ir,), travel_minutes={("S1", "S2"): 45})
    sol = solved(prob)
    assert sol.result.objective == pytest.approx(100)
    assert dict(sol.uncovered.select("staff_id", "reason").rows()) == {
        "A": "competency",
        "B": "travel",
    }
    within = prob.with_changes(travel_minutes={("S1", "S2"): 25})
    assert solved(within).result.objective == pytest.approx(0)


def test_cover_by_competency():
    """C2: 2 on D of whom 1 ``neuro``; A and B lack it -> 1 short on the neuro requirement: 100."""
    people = [Person("A"), Person("B")]
    reqs = (
        CoverRequirement(MONDAY, "D", 2),
        CoverRequirement(MONDAY, "D", 1, competency="neuro"),
    )
    sol = solved(problem(1, people, reqs))
    assert sol.result.objective == pytest.approx(100)
    assert set(sol.uncovered["reason"].to_list()) == {"competency"}


def test_requests():
    """C18: A asks for D on day 0 (3) and not to work day 1 (2); no cover wanted, 1 per extra.

    Day 0: working costs 1 over-cover < 3 -> work. Day 1: not working is free. Total 1.
    """
    requests = (
        ShiftRequest("A", day(0), "D", 3, on=True),
        ShiftRequest("A", day(1), None, 2, on=False),
    )
    reqs = cover([0, 1], required=0, over=1)
    sol = solved(problem(2, [person()], reqs, requests=requests))
    assert sol.result.objective == pytest.approx(1)
    assert sol.components["requests_on"] == 0


@pytest.mark.parametrize(
    ("required", "cost", "objective", "used"),
    [(2, 50.0, 50, ["Z"]), (2, 150.0, 100, []), (1, 50.0, 0, [])],
)
def test_candidate_posts_only_when_needed(required, cost, objective, used):
    """C17: one regular person and candidate post Z.

    Two wanted, Z costs 50 < 100 for a gap -> use Z: 50. Z costs 150 -> leave the gap: 100.
    One wanted -> the regular person covers it and Z is not used: 0.
    """
    people = [Person("A"), Person("Z", optional=True, cost=cost)]
    sol = solved(problem(1, people, cover([0], required=required)))
    assert sol.result.objective == pytest.approx(objective)
    assert sol.posts_used == used
    if not used and required == 2:
        assert dict(sol.uncovered.select("staff_id", "reason").rows())["Z"] == "candidate_cost"


def test_fairness_follows_wte_share():
    """C19: 3 OOH nights, A (1.0 WTE) and B (0.5 WTE): shares 2 and 1 -> deviation 0.

    Any other split (3/0 or 1/2) deviates by 2 from the shares at weight 1.
    """
    people = [Person("A", wte=1.0), Person("B", wte=0.5)]
    sol = solved(problem(3, people, cover([0, 1, 2], "N"), shifts=(NIGHT,), fairness={"ooh": 1.0}))
    assert sol.result.objective == pytest.approx(0)
    totals = dict(sol.person_totals.select("staff_id", "ooh").rows())
    assert totals == {"A": 2, "B": 1}
