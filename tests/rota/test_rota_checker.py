"""The independent checker catches each deliberate violation, and only that violation."""

from __future__ import annotations

import datetime as dt

import pytest
from rota_helpers import DAY, MONDAY, NIGHT, cover, day, person, problem, roster

from lsc_workforce.rota import MinutesWindow, Person, PersonRules, ShiftType, check, evaluate

pytestmark = pytest.mark.unit

LATE = ShiftType("L", dt.time(14), 480, cannot_follow=frozenset({"D"}))
IR = ShiftType("IR", dt.time(17), 900, competencies=frozenset({"ir"}), site="S2")


def _rules(prob, rows):
    return sorted({(b.rule, b.staff_id, b.date) for b in check(prob, roster(rows)) if b.hard})


@pytest.mark.parametrize(
    ("rules", "rows", "expected"),
    [
        ({}, [("A", 0, "D"), ("A", 0, "N")], [("one_shift_per_day", "A", day(0))]),
        ({}, [("A", 0, "L"), ("A", 1, "D")], [("succession", "A", day(0))]),
        ({"min_rest_hours": 11}, [("A", 0, "N"), ("A", 1, "D")], [("min_rest", "A", day(0))]),
        ({"days_off": frozenset({day(1)})}, [("A", 1, "D")], [("days_off", "A", day(1))]),
        ({"max_shifts": {"D": 1}}, [("A", 0, "D"), ("A", 2, "D")], [("max_shifts", "A", None)]),
        ({"min_total_minutes": 960}, [("A", 0, "D")], [("total_minutes", "A", None)]),
        (
            {"max_total_minutes": 480},
            [("A", 0, "D"), ("A", 2, "D")],
            [("total_minutes", "A", None)],
        ),
        (
            {"minutes_windows": (MinutesWindow(2, max_minutes=480),)},
            [("A", 0, "D"), ("A", 1, "D")],
            [("window_minutes", "A", day(0))],
        ),
        (
            {"max_consecutive_days": 2},
            [("A", 0, "D"), ("A", 1, "D"), ("A", 2, "D")],
            [("max_consecutive", "A", day(0))],
        ),
        ({"min_consecutive_days": 2}, [("A", 2, "D")], [("min_consecutive", "A", day(2))]),
        (
            {"min_consecutive_days_off": 2},
            [("A", 0, "D"), ("A", 2, "D")],
            [("min_days_off", "A", day(1))],
        ),
        (
            {"max_consecutive_nights": 1},
            [("A", 0, "N"), ("A", 1, "N")],
            [("max_nights", "A", day(0))],
        ),
        (
            {"rest_days_after_nights": 2},
            [("A", 0, "N"), ("A", 2, "D")],
            [("night_rest", "A", day(2))],
        ),
        ({"max_weekends": 1}, [("A", 5, "D"), ("A", 13, "D")], [("max_weekends", "A", None)]),
        (
            {"weekend_one_in": 2},
            [("A", 6, "D"), ("A", 12, "D")],
            [("weekend_frequency", "A", day(6))],  # dated: first weekend date in the window
        ),
    ],
)
def test_each_violation_is_caught(rules, rows, expected):
    prob = problem(14, [person(**rules)], shifts=(DAY, NIGHT, LATE))
    assert _rules(prob, rows) == expected


@pytest.mark.parametrize(
    ("rules", "rows"),
    [
        ({"min_consecutive_days": 2}, [("A", 0, "D")]),  # run touches day 0
        ({"min_consecutive_days": 2}, [("A", 13, "D")]),  # run touches the last day
        ({"min_consecutive_days_off": 2}, [("A", 1, "D")]),  # day 0 off touches the edge
        ({"rest_days_after_nights": 2}, [("A", 0, "N"), ("A", 1, "N"), ("A", 4, "D")]),
        ({"min_rest_hours": 11}, [("A", 0, "D"), ("A", 1, "D")]),  # 16 h rest
        ({"weekend_one_in": 2}, [("A", 5, "D"), ("A", 6, "D")]),  # same weekend
    ],
)
def test_compliant_rosters_pass(rules, rows):
    prob = problem(14, [person(**rules)], shifts=(DAY, NIGHT, LATE))
    assert _rules(prob, rows) == []


def test_eligibility_and_unknown_rows():
    people = [Person("A", base_site="S2"), Person("B", competencies=frozenset({"ir"}))]
    prob = problem(2, people, shifts=(IR,))
    breaches = check(prob, roster([("A", 0, "IR"), ("B", 1, "IR"), ("Q", 0, "IR")]))
    assert sorted((b.rule, b.staff_id) for b in breaches) == [("eligibility", "A"), ("roster", "Q")]


def test_travel_limit():
    people = [
        Person(
            "B",
            competencies=frozenset({"ir"}),
            base_site="S1",
            rules=PersonRules(max_travel_minutes=30),
        )
    ]
    prob = problem(1, people, shifts=(IR,), travel_minutes={("S1", "S2"): 40})
    assert [b.detail for b in check(prob, roster([("B", 0, "IR")]))] == ["may not work IR (travel)"]


def test_soft_breach_is_reported_soft_with_its_count_and_price():
    prob = problem(5, [person(max_consecutive_days=2)], soft_rules={"max_consecutive": 7.0})
    rows = [("A", d, "D") for d in range(5)]  # 5 in a row: 3 windows of 3 days fully worked
    breaches = check(prob, roster(rows))
    assert [(b.rule, b.count, b.hard) for b in breaches] == [("max_consecutive", 3.0, False)]
    assert evaluate(prob, roster(rows))["soft_max_consecutive"] == pytest.approx(21.0)


def test_evaluate_cover_requests_and_candidate_cost():
    """Hand count: D wanted 2 on day 0 (100/under) and 0 on day 1 (5/over).

    A works days 0 and 1, candidate Z (cost 40) works day 1: 1 short on day 0 (100), 2 over
    on day 1 (10), Z used (40).
    """
    people = [Person("A"), Person("Z", optional=True, cost=40)]
    reqs = cover([0], required=2) + cover([1], required=0, over=5)
    prob = problem(2, people, reqs)
    comps = evaluate(prob, roster([("A", 0, "D"), ("A", 1, "D"), ("Z", 1, "D")]))
    assert comps["cover_under"] == 100
    assert comps["cover_over"] == 10
    assert comps["candidate_cost"] == 40
    assert day(0) == MONDAY
