"""Extra weekend dates (bank holidays): weekend work, grouping with the adjacent weekend.

Easter 2026: Good Friday 3 April, Easter Monday 6 April (England and Wales bank holidays). The
horizon starts on Monday 30 March, so without extra dates the weekends are the calendar weeks
from 30 March (0), 6 April (1), 13 April (2). With ``weekend_dates = {3 Apr, 6 Apr}`` Good
Friday joins the Saturday and Sunday after it and Easter Monday the Saturday and Sunday before
it: Friday 3 to Monday 6 April is weekend 0, and Tuesday 7 April starts weekend 1.
"""

from __future__ import annotations

import datetime as dt

import pytest
from rota_helpers import DAY, cover, person, problem, roster, solved

from lsc_workforce.rota import Person, RotaProblemError, check
from lsc_workforce.rota.solution import person_totals

pytestmark = pytest.mark.unit

START = dt.date(2026, 3, 30)  # Monday before Easter 2026
GOOD_FRIDAY, EASTER_MONDAY = dt.date(2026, 4, 3), dt.date(2026, 4, 6)
EASTER = frozenset({GOOD_FRIDAY, EASTER_MONDAY})


def k(date: dt.date) -> int:
    """Day number of ``date`` in the Easter horizon."""
    return (date - START).days


def easter(n_days: int, people, reqs=(), **kwargs):
    return problem(n_days, people, reqs, start=START, weekend_dates=EASTER, **kwargs)


def test_bank_holidays_are_weekend_dates_grouped_with_the_adjacent_weekend():
    prob = easter(21, [person()])
    weekend = {d for d in range(21) if prob.is_weekend(d, "D")}
    assert {prob.dates[d].isoformat() for d in weekend} == {
        "2026-04-03", "2026-04-04", "2026-04-05", "2026-04-06",  # Good Friday to Easter Monday
        "2026-04-11", "2026-04-12", "2026-04-18", "2026-04-19",
    }  # fmt: skip
    numbers = {prob.dates[d].isoformat(): prob.weekend_of(d) for d in weekend}
    assert numbers == {
        "2026-04-03": 0, "2026-04-04": 0, "2026-04-05": 0, "2026-04-06": 0,
        "2026-04-11": 1, "2026-04-12": 1, "2026-04-18": 2, "2026-04-19": 2,
    }  # fmt: skip
    assert prob.n_weekends == 3
    # the same horizon without extra dates: calendar weeks, Monday 6 April is a weekday
    plain = problem(21, [person()], start=START)
    assert not plain.is_weekend(k(EASTER_MONDAY), "D")
    assert [plain.weekend_of(d) for d in range(21)] == [d // 7 for d in range(21)]
    assert plain.n_weekends == 3


@pytest.mark.parametrize(
    ("holidays", "anchor"),
    [
        # Christmas 2029: Tuesday and Wednesday -> 2 days after Sunday 23, 3 before Saturday 29
        ((dt.date(2029, 12, 25), dt.date(2029, 12, 26)), dt.date(2029, 12, 23)),
        # Christmas 2025: Thursday and Friday -> the Saturday after
        ((dt.date(2025, 12, 25), dt.date(2025, 12, 26)), dt.date(2025, 12, 27)),
        # an isolated Wednesday: 3 days either way -> the weekend after
        ((dt.date(2024, 12, 25),), dt.date(2024, 12, 28)),
    ],
)
def test_runs_of_weekday_holidays_join_the_nearer_weekend(holidays, anchor):
    start = anchor - dt.timedelta(days=10)
    prob = problem(21, [person()], start=start, weekend_dates=frozenset(holidays))
    day_of = prob.day_index
    assert {prob.weekend_of(day_of[h]) for h in holidays} == {prob.weekend_of(day_of[anchor])}


def test_horizon_starting_on_a_bank_holiday_monday_numbers_from_zero():
    """Easter Monday on day 0 belongs to the weekend before the horizon: weekend 0."""
    prob = problem(14, [person()], start=EASTER_MONDAY, weekend_dates=EASTER)
    assert prob.weekend_of(0) == 0
    assert prob.weekend_of(1) == 1  # Tuesday: the calendar week of Saturday 11 April
    assert prob.weekend_of(5) == 1  # Saturday 11 April
    assert prob.n_weekends == 3  # Easter, 11-12 April, 18-19 April


def test_weekend_dates_must_be_dates():
    with pytest.raises(RotaProblemError, match="weekend_dates"):
        problem(7, [person()], start=START, weekend_dates=frozenset({"2026-04-06"}))
    prob = easter(7, [person()])
    assert prob.with_changes(name="copy").weekend_dates == EASTER


def test_checker_counts_bank_holidays_and_dates_the_weekend_breach():
    """1 in 2: Easter Monday then Saturday 11 April are two weekends in a row (dated 6 April).

    Saturday 4 and Easter Monday are one weekend: no breach.
    """
    prob = easter(21, [person(weekend_one_in=2, max_weekends=1)], shifts=(DAY,))
    rows = [("A", k(EASTER_MONDAY), "D"), ("A", k(dt.date(2026, 4, 11)), "D")]
    breaches = {(b.rule, b.date, b.count) for b in check(prob, roster(rows, START)) if b.hard}
    assert breaches == {
        ("weekend_frequency", EASTER_MONDAY, 1.0),
        ("max_weekends", None, 1.0),
    }
    detail = next(b.detail for b in check(prob, roster(rows, START)) if b.date == EASTER_MONDAY)
    assert detail == "2 weekends in 2: weekend dates 2026-04-06, 2026-04-11"
    same = [("A", k(dt.date(2026, 4, 4)), "D"), ("A", k(EASTER_MONDAY), "D")]
    assert [b for b in check(prob, roster(same, START)) if b.hard] == []
    totals = person_totals(prob, roster(same, START)).row(0, named=True)
    assert totals["weekends"] == 1
    assert totals["one_in_n"] == pytest.approx(3.0)
    # without the extra dates Easter Monday is a weekday: no breach at all
    plain = problem(21, [person(weekend_one_in=2, max_weekends=1)], start=START)
    assert [b for b in check(plain, roster(rows, START)) if b.hard] == []


def test_max_weekends_counts_bank_holidays_in_the_model():
    """C15, at most 1 weekend: D wanted Good Friday, Easter Monday and Saturday 11 April.

    Good Friday and Easter Monday are the Easter weekend, 11 April another: one must go, and
    the cheapest is 11 April (100). Without the extra dates both holidays are weekdays: 0.
    """
    reqs = cover([k(GOOD_FRIDAY), k(EASTER_MONDAY), k(dt.date(2026, 4, 11))], start=START)
    sol = solved(easter(14, [person(max_weekends=1)], reqs))
    assert sol.result.objective == pytest.approx(100)
    wanted = {GOOD_FRIDAY, EASTER_MONDAY, dt.date(2026, 4, 11)}
    assert set(sol.roster["date"].to_list()) & wanted == {GOOD_FRIDAY, EASTER_MONDAY}
    assert sol.uncovered.select("date", "reason").rows() == [(dt.date(2026, 4, 11), "weekends")]
    assert sol.person_totals.row(0, named=True)["weekends"] == 1
    plain = problem(14, [person(max_weekends=1)], reqs, start=START)
    assert solved(plain).result.objective == pytest.approx(0)


def test_weekend_frequency_groups_easter_monday_with_the_weekend_before():
    """C16, 1 in 2: D wanted Saturday 4, Easter Monday 6 and Saturday 18 April.

    Saturday 4 and Easter Monday are one weekend and 18 April is two weekends later: all three
    are covered (0). Grouping Easter Monday with the following weekend (the calendar week)
    would make 4 and 6 April consecutive weekends and cost 100.
    """
    reqs = cover([k(dt.date(2026, 4, 4)), k(EASTER_MONDAY), k(dt.date(2026, 4, 18))], start=START)
    sol = solved(easter(21, [person(weekend_one_in=2)], reqs))
    assert sol.result.objective == pytest.approx(0)
    assert sol.person_totals.row(0, named=True)["weekends"] == 2


def test_long_weekend_split_by_a_day_off_counts_once():
    """C21 with weekend layers must not count a 4-day weekend twice.

    At most 1 weekend and at most 5 days in a row (so the sequence-flow cut C21 is built), on
    leave on Saturday 4 April: D wanted on Good Friday and Easter Sunday. Working both is two
    work runs but one weekend: 0. Counting the weekend once per run would leave one out: 100.
    """
    reqs = cover([k(GOOD_FRIDAY), k(dt.date(2026, 4, 5))], start=START)
    a = person(max_weekends=1, max_consecutive_days=5, days_off={dt.date(2026, 4, 4)})
    sol = solved(easter(14, [a], reqs))
    assert sol.result.objective == pytest.approx(0)


def test_weekend_fairness_counts_bank_holidays():
    """C19 weekends at weight 1: A and B (1 WTE each), D wanted on Easter Monday and Sat 11.

    Every extra person on a day costs 10 (nobody is wanted on the other days). Two weekends,
    one each is the fair share (deviation 0); a 2/0 split deviates by 2. The holiday is a
    weekday without extra dates; then only 11 April counts, so one weekend for two people
    deviates by 1 whatever the split (evening it out with another weekend day costs 10).
    """
    people = [Person("A"), Person("B")]
    wanted = [k(EASTER_MONDAY), k(dt.date(2026, 4, 11))]
    idle = [d for d in range(14) if d not in wanted]
    reqs = cover(wanted, over=10, start=START) + cover(idle, required=0, over=10, start=START)
    sol = solved(easter(14, people, reqs, fairness={"weekends": 1.0}))
    assert sol.result.objective == pytest.approx(0)
    assert dict(sol.person_totals.select("staff_id", "weekends").rows()) == {"A": 1, "B": 1}
    plain = problem(14, people, reqs, start=START, fairness={"weekends": 1.0})
    assert solved(plain).result.objective == pytest.approx(1)
