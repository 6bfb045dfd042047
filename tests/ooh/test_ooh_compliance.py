"""The compliance checker catches each breach type in a hand-built rota, with the right date.

Rota span: 2026-06-01 (Monday) to 2026-06-28, 28 days, no bank holiday. Shift patterns:
``day`` 08:00-20:00, ``late`` 14:00-24:00, ``night`` 20:00-08:00 (night), ``short``
18:00-20:00 (every day) and ``weekend`` 08:00-08:00 (Saturdays, Sundays, bank holidays).
Rules: 11 h rest, at most 48 h in any 7 days, average 30 h a week over 2 weeks (60 h in any
14 days), at most 2 consecutive nights, 46 h rest after nights (2 whole days), at most 1
weekend in 2, at most 3 consecutive shifts, 1 in 3 (at most floor(28 / 3) = 9 days).
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from ooh_world import oncall_service, world

from lsc_workforce.ooh.check import build_check_instance
from lsc_workforce.ooh.compliance import check_roster, compliance_table
from lsc_workforce.ooh.inputs import Rule, RulePreset, ShiftPattern

pytestmark = pytest.mark.unit

JUNE = [dt.date(2026, 6, d) for d in range(1, 31)]


def d(day: int) -> dt.date:
    return JUNE[day - 1]


SHIFTS = (
    ShiftPattern("day", dt.time(8), 12.0, "all"),
    ShiftPattern("late", dt.time(14), 10.0, "all"),
    ShiftPattern("night", dt.time(20), 12.0, "all", night=True),
    ShiftPattern("short", dt.time(18), 2.0, "all"),
    ShiftPattern("weekend", dt.time(8), 24.0, "weekend"),
)

PRESET = RulePreset(
    "strict",
    "every rule",
    {
        "min_rest_hours": Rule("min_rest_hours", 11, "WTR [src:wtr-1998]", "confirmed"),
        "max_hours_in_7_days": Rule(
            "max_hours_in_7_days", 48, "TCS [src:resident-doctors-2016]", "confirmed"
        ),
        "average_week_hours": Rule(
            "average_week_hours", 30, "test average", "unconfirmed", reference_weeks=2
        ),
        "max_consecutive_nights": Rule("max_consecutive_nights", 2, "TCS nights", "confirmed"),
        "rest_hours_after_nights": Rule("rest_hours_after_nights", 46, "2019", "confirmed"),
        "weekend_one_in": Rule("weekend_one_in", 2, "test weekends", "secondary"),
        "max_consecutive_shifts": Rule("max_consecutive_shifts", 3, "2019", "secondary"),
        "oncall_one_in": Rule("oncall_one_in", 3, "test 1 in 3", "confirmed"),
    },
)

#: person -> their shifts, and the breaches (rule, first date) that person must produce
CASES: dict[str, tuple[list[tuple[int, str]], set[tuple[str, dt.date]]]] = {
    "p_ok": ([(1, "day"), (28, "day")], set()),
    "p_nights": ([(1, "night"), (2, "night"), (3, "night")], {("max_consecutive_nights", d(1))}),
    "p_rest": ([(1, "late"), (2, "day")], {("min_rest_hours", d(1))}),
    "p_night_rest": ([(1, "night"), (3, "day")], {("rest_hours_after_nights", d(3))}),
    "p_consec": (
        [(1, "day"), (2, "day"), (3, "day"), (4, "day")],
        {("max_consecutive_shifts", d(1))},
    ),
    "p_hours": (
        [(1, "day"), (3, "day"), (5, "day"), (6, "weekend")],
        {("max_hours_in_7_days", d(1))},
    ),
    "p_avg": (
        [(1, "day"), (3, "day"), (5, "day"), (9, "day"), (11, "day"), (12, "short")],
        {("average_week_hours", d(1))},
    ),
    "p_weekend": ([(6, "weekend"), (13, "weekend")], {("weekend_one_in", d(6))}),
    "p_freq": (
        [(k, "short") for k in (1, 3, 5, 8, 10, 12, 15, 17, 19, 22)],
        {("oncall_one_in", d(22))},
    ),
    "p_leave": ([(10, "day")], {("leave", d(10))}),
    "p_comp": ([(12, "day")], {("eligibility", d(12))}),
    "p_cal": ([(3, "weekend")], {("shift_calendar", d(3))}),
    "p_double": ([(20, "day"), (20, "short")], {("one_shift_per_day", d(20))}),
}


@pytest.fixture(scope="module")
def checked():
    people = list(CASES)
    frames = world(
        [(p, "TAA", "A01", 1.0) for p in people],
        leave=[("p_leave", d(9), d(11))],
        competencies={p: ([] if p == "p_comp" else ["vascular_ir"]) for p in people},
    )
    roster = pl.DataFrame(
        [(p, d(day), shift) for p, (shifts, _) in CASES.items() for day, shift in shifts],
        schema={"staff_id": pl.String, "date": pl.Date, "shift": pl.String},
        orient="row",
    )
    service = oncall_service(shifts=SHIFTS)
    instance = build_check_instance(service, PRESET, frames, roster)
    return instance, check_roster(instance, roster)


def test_horizon_is_the_rota_span(checked):
    instance, _ = checked
    assert instance.dates[0] == d(1)
    assert instance.problem.n_days == 28
    assert instance.max_days == 9


@pytest.mark.parametrize("person", list(CASES))
def test_each_breach_type_is_caught_with_its_date(checked, person):
    _, breaches = checked
    found = {
        (row["rule"], row["date"])
        for row in breaches.filter(pl.col("staff_id") == person).iter_rows(named=True)
    }
    expected = CASES[person][1]
    assert found == expected


def test_breaches_carry_the_rule_source(checked):
    _, breaches = checked
    rest = breaches.filter(pl.col("rule") == "min_rest_hours").row(0, named=True)
    assert rest["source"] == "WTR [src:wtr-1998]"
    assert rest["status"] == "confirmed"
    assert rest["hard"]
    freq = breaches.filter(pl.col("rule") == "oncall_one_in").row(0, named=True)
    assert freq["count"] == 1.0  # 10 days held, 9 allowed
    assert "2026-06-22" in freq["detail"]


def test_compliance_table_counts_per_rule(checked):
    instance, breaches = checked
    table = compliance_table(instance, breaches)
    by_rule = dict(table.select("rule", "hard_breaches").iter_rows())
    assert by_rule["oncall_one_in"] == 1
    assert by_rule["max_consecutive_nights"] == 1
    assert by_rule["shift_calendar"] == 1
    assert not table.filter(pl.col("rule") == "min_rest_hours").get_column("compliant")[0]


def test_soft_rule_breach_is_not_hard(checked):
    instance, _ = checked
    rest_only = RulePreset("rest", "rest only", {"min_rest_hours": PRESET.rules["min_rest_hours"]})
    soft = rest_only.with_overrides(soft={"min_rest_hours": 50.0})
    roster = pl.DataFrame(
        {"staff_id": ["p_rest", "p_rest"], "date": [d(1), d(2)], "shift": ["late", "day"]}
    )
    frames = world([("p_rest", "TAA", "A01", 1.0)])
    inst = build_check_instance(instance.service, soft, frames, roster)
    breaches = check_roster(inst, roster)
    assert breaches.height == 1
    assert breaches.row(0, named=True)["rule"] == "min_rest_hours"
    assert not breaches.row(0, named=True)["hard"]
