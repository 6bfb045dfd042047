"""Bank holidays are weekend days in the engine, and hours are real across clock changes.

Easter 2026: Good Friday 3 April and Easter Monday 6 April are England bank holidays; with
Saturday 4 and Sunday 5 they form one weekend (Easter Monday joins the weekend before it).
October 2026: the clocks go back at 02:00 on Sunday 25 October, so the 20:00-08:00 night that
starts on Saturday 24 October lasts 13 real hours; the one starting on Sunday 25 lasts 12.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from ooh_world import TRUST_BY_TRUST, oncall_service, preset, world

from lsc_workforce.config import SolverSettings
from lsc_workforce.ooh.build import build_scenario
from lsc_workforce.ooh.check import build_check_instance
from lsc_workforce.ooh.compliance import check_roster
from lsc_workforce.ooh.inputs import Rule, RulePreset, ShiftPattern
from lsc_workforce.ooh.metrics import person_load
from lsc_workforce.ooh.model import build_ooh_model, solve_instance
from lsc_workforce.solve import SolveStatus

pytestmark = pytest.mark.unit

SETTINGS = SolverSettings(time_limit_s=20, threads=1)
EASTER_START = dt.date(2026, 3, 30)  # Monday before Easter
GOOD_FRIDAY, EASTER_MONDAY = dt.date(2026, 4, 3), dt.date(2026, 4, 6)
OCTOBER_START = dt.date(2026, 10, 19)  # Monday; clocks go back on Sunday 25 October

ALL_NIGHT = ShiftPattern("night", dt.time(20), 12.0, "all", night=True)
WEEKNIGHT = ShiftPattern("weeknight", dt.time(17), 15.0, "weekday", night=True)
WEEKEND = ShiftPattern("weekend", dt.time(8), 24.0, "weekend")


def _roster(rows: list[tuple[str, dt.date, str]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows, schema={"staff_id": pl.String, "date": pl.Date, "shift": pl.String}, orient="row"
    )


def _easter_instance(shifts, rules):
    service = oncall_service(sites=("A01",), shifts=shifts)
    frames = world([("a", "TAA", "A01", 1.0)])
    return build_scenario(service, TRUST_BY_TRUST, rules, frames, start=EASTER_START, n_days=21)[0]


def test_every_pattern_on_a_bank_holiday_is_weekend_work_in_the_engine():
    """An ``all`` night on Easter Monday is weekend work, in the Easter weekend."""
    inst = _easter_instance((ALL_NIGHT,), preset(weekend_one_in=2))
    problem = inst.problem
    assert problem.weekend_dates == {GOOD_FRIDAY, EASTER_MONDAY}
    day = problem.day_index
    assert problem.is_weekend(day[EASTER_MONDAY], "night")
    assert not problem.is_weekend(day[dt.date(2026, 4, 7)], "night")
    assert problem.weekend_of(day[EASTER_MONDAY]) == problem.weekend_of(day[GOOD_FRIDAY])
    assert problem.weekend_of(day[EASTER_MONDAY]) == problem.weekend_of(day[dt.date(2026, 4, 4)])


def test_all_pattern_bank_holiday_breaches_weekend_one_in_with_dates():
    """1 in 2: Easter Monday and Saturday 11 April are consecutive weekends -> one breach."""
    inst = _easter_instance((ALL_NIGHT,), preset(weekend_one_in=2))
    roster = _roster([("a", EASTER_MONDAY, "night"), ("a", dt.date(2026, 4, 11), "night")])
    breaches = check_roster(inst, roster)
    assert breaches.select("rule", "date", "count").rows() == [
        ("weekend_one_in", EASTER_MONDAY, 1.0)
    ]
    assert breaches.item(0, "detail").endswith("weekend dates 2026-04-06, 2026-04-11")
    assert breaches.item(0, "source") == "test rule weekend_one_in"
    load = person_load(inst, roster).row(0, named=True)
    assert load["weekend_days"] == 2


def test_easter_monday_and_the_saturday_before_are_one_weekend():
    """``weekend`` shifts on Saturday 4 and Easter Monday 6: one weekend, no 1-in-2 breach.

    Saturday 4 and Saturday 11 April are two weekends in a row: a breach dated 4 April.
    """
    inst = _easter_instance((WEEKNIGHT, WEEKEND), preset(weekend_one_in=2))
    same = _roster([("a", dt.date(2026, 4, 4), "weekend"), ("a", EASTER_MONDAY, "weekend")])
    assert check_roster(inst, same).is_empty()
    apart = _roster([("a", dt.date(2026, 4, 4), "weekend"), ("a", dt.date(2026, 4, 11), "weekend")])
    assert check_roster(inst, apart).select("rule", "date").rows() == [
        ("weekend_one_in", dt.date(2026, 4, 4))
    ]


def test_imported_rota_counts_bank_holidays_as_weekends():
    """``rota check`` path: the horizon is the file's span; Easter Monday is still a weekend."""
    service = oncall_service(sites=("A01",), shifts=(ALL_NIGHT,))
    roster = _roster(
        [
            ("a", dt.date(2026, 4, 1), "night"),
            ("a", EASTER_MONDAY, "night"),
            ("a", dt.date(2026, 4, 12), "night"),
        ]
    )
    frames = world([("a", "TAA", "A01", 1.0)])
    inst = build_check_instance(service, preset(weekend_one_in=2), frames, roster)
    assert inst.problem.weekend_dates == {GOOD_FRIDAY, EASTER_MONDAY}
    assert check_roster(inst, roster).select("rule", "date").rows() == [
        ("weekend_one_in", EASTER_MONDAY)
    ]


# ----- real hours across the October clock change -----

AVERAGE_24H = RulePreset(
    "avg",
    "average 24 h a week over 1 week, 1 in 7",
    {
        "average_week_hours": Rule("average_week_hours", 24, "test avg", "confirmed", None, 1),
        "oncall_one_in": Rule("oncall_one_in", 7, "test 1 in 7", "confirmed"),
    },
)


def _october_instance(rules=AVERAGE_24H):
    """One person on leave except Saturday 24 and Sunday 25 October; 14 days; nights 20-08."""
    frames = world(
        [("a", "TAA", "A01", 1.0)],
        leave=[
            ("a", OCTOBER_START, dt.date(2026, 10, 23)),
            ("a", dt.date(2026, 10, 26), dt.date(2026, 11, 1)),
        ],
    )
    service = oncall_service(sites=("A01",), shifts=(ALL_NIGHT,))
    return build_scenario(service, TRUST_BY_TRUST, rules, frames, start=OCTOBER_START, n_days=14)[0]


BOTH_NIGHTS = [("a", dt.date(2026, 10, 24), "night"), ("a", dt.date(2026, 10, 25), "night")]


def test_hours_are_real_across_the_october_clock_change():
    """The 24 October night is 13 h and the 25 October night 12 h: 25 h held."""
    inst = _october_instance()
    load = person_load(inst, _roster(BOTH_NIGHTS)).row(0, named=True)
    assert load["hours"] == pytest.approx(25.0)
    one = person_load(inst, _roster(BOTH_NIGHTS[:1])).row(0, named=True)
    assert one["hours"] == pytest.approx(13.0)


def test_average_week_hours_uses_real_minutes():
    """24 h a week over a 7-day window allows 1,440 min; the two nights are 1,500 real minutes.

    Every 7-day window from 19 to 24 October holds both nights: 6 breaches of 60 minutes, the
    first dated 19 October. On the local clock (12 h + 12 h = 1,440) there would be none.
    """
    inst = _october_instance()
    assert inst.average == (7, 1440)
    breaches = check_roster(inst, _roster(BOTH_NIGHTS))
    assert breaches.get_column("rule").unique().to_list() == ["average_week_hours"]
    assert breaches.height == 6
    assert breaches.get_column("count").to_list() == [60.0] * 6
    assert breaches.item(0, "date") == OCTOBER_START


def test_average_hours_rows_use_the_longest_real_shift():
    """C-O6 may be skipped only when 1 in 7 (2 days of 14) cannot exceed the window limit.

    2 x 12 h = 1,440 min would fit the limit, but the 24 October night is 13 h (2 x 13 h =
    1,560 > 1,440), so the rows are built and the solver holds only one of the two nights.
    """
    inst = _october_instance()
    assert inst.max_days == 2
    model = build_ooh_model(inst)
    assert any(name.startswith("average_hours__") for name in model.prob.constraints)
    sol = solve_instance(inst, SETTINGS)
    assert sol.result.status is SolveStatus.OPTIMAL
    assert sol.roster.height == 1
    assert check_roster(inst, sol.roster.select("staff_id", "date", "shift")).is_empty()
