"""OOH pay by hand: Schedule 16 by rota frequency, on-call work PAs, resident nights, ranking.

Salary point 100,000 (``ooh_world.COSTS``): a PA a week is 10,000 a year; Schedule 16 category A
is 8 / 5 / 3 % (high / medium / low), category B 3 / 2 / 1 %.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ooh_world import COSTS, NETWORK, START, TRUST_BY_TRUST, oncall_service, preset, world

from lsc_workforce.config import CONFIG_DIR, ConfigError, SolverSettings
from lsc_workforce.ooh.analysis import run_analysis
from lsc_workforce.ooh.build import build_scenario
from lsc_workforce.ooh.inputs import (
    OnCallWork,
    OohConfig,
    ShiftPattern,
    UnsocialHours,
    load_ooh_config,
)
from lsc_workforce.ooh.metrics import person_load
from lsc_workforce.ooh.pay import (
    annual_cost,
    day_job_hour_cost,
    oncall_work,
    person_costs,
    rank_scenarios,
    rota_frequency,
    unsocial_split,
)
from lsc_workforce.synthetic import ACTIVITY_SCHEMA

N_DAYS = 28

#: CT reporting on call: 15 min per CT, 10 per stroke CT, a quarter by registrars, half predictable
CT_WORK = OnCallWork(
    service_id="test_oncall",
    minutes={"ct_other": 15.0, "ct_head_stroke": 10.0},
    reporting=frozenset({"ct_other", "ct_head_stroke"}),
    registrar_share=0.25,
    predictable_share=0.5,
    status="unconfirmed",
)
NIGHTS = UnsocialHours(dt.time(20), dt.time(6), {"band_6": (30.0, 60.0)}, "secondary")
PAY = dataclasses.replace(
    COSTS,
    oncall_work={"test_oncall": CT_WORK},
    afc_hourly_rate={"band_6": 23.82},
    unsocial=NIGHTS,
)


def _instance(people, start=START, n_days=N_DAYS, grade=None, leave=(), **service_changes):
    frames = world([(s, "TAA", "A01", wte) for s, wte in people], leave=leave)
    if grade:
        frames["staff_in_post"] = frames["staff_in_post"].with_columns(grade=pl.lit(grade))
    service = oncall_service(sites=("A01",), **service_changes)
    return build_scenario(
        service, TRUST_BY_TRUST, preset(oncall_one_in=1), frames, start=start, n_days=n_days
    )[0]


def _roster(days: dict[str, list[int]], start=START, shift="night") -> pl.DataFrame:
    rows = [(s, start + dt.timedelta(days=k), shift) for s, ks in days.items() for k in ks]
    return pl.DataFrame(
        rows, schema={"staff_id": pl.String, "date": pl.Date, "shift": pl.String}, orient="row"
    )


def _costs(instance, roster, costs=PAY, work=None):
    frame = person_costs(instance, roster, person_load(instance, roster), costs, work)
    return {r["staff_id"]: r for r in frame.iter_rows(named=True)}


# ----- Schedule 16 by the rota's frequency -----


@pytest.mark.unit
def test_supplement_follows_the_rota_band_for_full_time_and_part_time():
    """Three people share the rota (a 7 days, b 0.5 WTE 4 days, c 2 days): the rota is 1 in 3,
    high band, so each is paid 8 % of the FULL-TIME salary, 8,000, whatever their own
    frequency (1 in 4, 7 and 14) or WTE; the person never rostered is not paid."""
    instance = _instance([("a", 1.0), ("b", 0.5), ("c", 1.0), ("idle", 1.0)])
    roster = _roster({"a": [0, 4, 8, 12, 16, 20, 24], "b": [1, 5, 9, 13], "c": [2, 6]})
    assert rota_frequency(instance, roster) == pytest.approx(3.0)
    rows = _costs(instance, roster)
    assert set(rows) == {"a", "b", "c"}
    for staff_id in ("a", "b", "c"):
        assert rows[staff_id]["band"] == "high"
        assert rows[staff_id]["supplement_gbp"] == pytest.approx(8000.0)
    assert rows["b"]["wte"] == 0.5


@pytest.mark.unit
@pytest.mark.parametrize(
    ("people", "band", "full_time_pay"),
    [(4, "high", 8000.0), (5, "medium", 5000.0), (8, "medium", 5000.0), (9, "low", 3000.0)],
)
def test_rota_band_by_number_sharing_it(people, band, full_time_pay):
    """N people rostered over the horizon make a 1-in-N rota; the last one only covers one
    day of another's leave and still counts (prospective cover). Person 0 works part time."""
    staff = [(f"p{k}", 0.6 if k == 0 else 1.0) for k in range(people)]
    instance = _instance(staff)
    days = {f"p{k}": [d for d in range(N_DAYS) if d % (people - 1) == k] for k in range(people - 1)}
    days[f"p{people - 1}"] = [days["p0"].pop()]  # covers p0's leave on one day
    roster = _roster(days)
    assert rota_frequency(instance, roster) == pytest.approx(people)
    rows = _costs(instance, roster)
    assert {r["band"] for r in rows.values()} == {band}
    assert rows["p0"]["supplement_gbp"] == pytest.approx(full_time_pay)  # part time, full rate
    assert rows[f"p{people - 1}"]["supplement_gbp"] == pytest.approx(full_time_pay)


@pytest.mark.unit
def test_frequency_while_at_work_is_a_configurable_basis():
    """Five people, one on leave for 14 of the 28 days (the others cover): by the people
    sharing the rota it is 1 in 5, medium (5,000 each); counted while at work it is
    4 + 14/28 = 1 in 4.5, high (8,000 each)."""
    leave = [("p0", START + dt.timedelta(days=14), START + dt.timedelta(days=27))]
    instance = _instance([(f"p{k}", 1.0) for k in range(5)], leave=leave)
    roster = _roster({f"p{k}": [d for d in range(N_DAYS) if d % 5 == k and (k or d < 14)]
                      for k in range(5)})  # fmt: skip
    assert rota_frequency(instance, roster) == pytest.approx(5.0)
    assert rota_frequency(instance, roster, "available_people") == pytest.approx(4.5)
    assert {r["supplement_gbp"] for r in _costs(instance, roster).values()} == {5000.0}
    available = dataclasses.replace(PAY, frequency_basis="available_people")
    rows = _costs(instance, roster, costs=available)
    assert {r["band"] for r in rows.values()} == {"high"}
    assert {r["supplement_gbp"] for r in rows.values()} == {8000.0}


@pytest.mark.unit
def test_two_on_call_at_once_halve_the_rota_frequency():
    """Ten people with two on call each night: each is on 1 in 5, medium; category B 2 %."""
    staff = [(f"p{k}", 1.0) for k in range(10)]
    instance = _instance(staff, cover=2, category="B")
    roster = _roster({f"p{k}": [d for d in range(N_DAYS) if d % 5 == k // 2] for k in range(10)})
    assert rota_frequency(instance, roster) == pytest.approx(5.0)
    rows = _costs(instance, roster)
    assert {r["band"] for r in rows.values()} == {"medium"}
    assert rows["p3"]["supplement_gbp"] == pytest.approx(2000.0)


@pytest.mark.unit
def test_nobody_rostered_costs_nothing():
    instance = _instance([("a", 1.0)])
    empty = _roster({})
    assert rota_frequency(instance, empty) is None
    frame = person_costs(instance, empty, person_load(instance, empty), PAY)
    assert frame.is_empty()
    assert annual_cost(frame, 0, N_DAYS, PAY)["pay_gbp"] == 0.0


# ----- on-call work PAs from activity -----


def _activity() -> pl.DataFrame:
    """13 months to May 2026 at A01 (TAA) and B01 (TBB): per month at A01, 10 CT (4
    outsourced) and 5 stroke CT (2 outsourced) out of hours, 99 CT in hours; at B01 50 CT."""
    rows = []
    for month in range(13):
        first = dt.date(2025 + (month + 4) // 12, (month + 4) % 12 + 1, 1)  # May 2025..May 2026
        rows += [
            (first, "TAA", "A01", "ct_other", "ooh", 10, 4),
            (first, "TAA", "A01", "ct_head_stroke", "ooh", 5, 2),
            (first, "TAA", "A01", "ct_other", "in_hours", 99, 0),
            (first, "TAA", "A01", "ir_vascular", "ooh", 7, 0),
            (first, "TBB", "B01", "ct_other", "ooh", 50, 0),
        ]
    return pl.DataFrame(
        rows,
        schema=ACTIVITY_SCHEMA,
        orient="row",
    )


@pytest.mark.unit
def test_oncall_pas_from_a_toy_activity_table():
    """June 2025 to May 2026 at A01: CT 120 - 48 outsourced = 72, x 0.75 (registrars do a
    quarter) = 54 x 15 min = 13.5 h; stroke CT 60 - 24 = 36 x 0.75 = 27 x 10 min = 4.5 h.
    18 h / 3 h per premium PA / 42 weeks = 1/7 PA a week = 1,428.57 a year (10,000 per PA a
    week), half predictable. B01, in-hours CT, IR and the May 2025 month are not counted."""
    instance = _instance([("a", 1.0), ("b", 1.0)])
    work = oncall_work(instance, _activity(), PAY, START)
    assert work["ooh_cases"] == pytest.approx(180.0)
    assert work["outsourced_cases"] == pytest.approx(72.0)
    assert work["registrar_cases"] == pytest.approx(27.0)
    assert work["tier_hours"] == pytest.approx(18.0)
    assert work["pa_week"] == pytest.approx(1 / 7)
    assert work["predictable_pa_week"] == pytest.approx(1 / 14)
    assert work["status"] == "unconfirmed"
    # a and b hold 14 nights each (all 28 covered): half the work each
    full = _costs(instance, _roster({"a": list(range(0, 28, 2)), "b": list(range(1, 28, 2))}),
                  work=work)  # fmt: skip
    assert full["a"]["predictable_pa_gbp"] == pytest.approx(10000 / 7 / 4)
    assert full["a"]["unpredictable_pa_gbp"] == pytest.approx(10000 / 7 / 4)
    assert sum(r["predictable_pa_gbp"] + r["unpredictable_pa_gbp"] for r in full.values()) == (
        pytest.approx(10000 / 7)
    )
    # only a's 14 nights covered: the other half of the work is bought in, not paid as PAs
    half = _costs(instance, _roster({"a": list(range(0, 28, 2))}), work=work)
    total = annual_cost(pl.DataFrame(list(half.values())), 14, N_DAYS, PAY)
    assert total["predictable_pa_gbp"] + total["unpredictable_pa_gbp"] == pytest.approx(
        10000 / 7 / 2
    )
    assert total["uncovered_gbp"] == pytest.approx(14 * 1500 * 365 / 28)


@pytest.mark.unit
def test_oncall_work_needs_the_activity_data():
    instance = _instance([("a", 1.0)])
    with pytest.raises(ConfigError, match="activity"):
        oncall_work(instance, None, PAY, START)
    assert oncall_work(instance, None, COSTS, START)["pa_week"] == 0.0  # none configured


@pytest.mark.unit
def test_shipped_config_resolves_minutes_per_case():
    """Minutes per case come from config/demand/activity_effort.csv; gastroscopy's 1 JAG point
    is a tenth of a 4-hour list, 24 minutes; outsourcing applies to the reporting modalities."""
    costs = load_ooh_config(CONFIG_DIR, validate=False).costs
    assert costs.oncall_work["ct_oncall"].minutes == {"ct_head_stroke": 10.0, "ct_other": 15.0}
    assert costs.oncall_work["ct_oncall"].reporting == {"ct_head_stroke", "ct_other"}
    assert costs.oncall_work["ir_oncall"].minutes == {"ir_vascular": 120.0, "ir_non_vascular": 60.0}
    assert costs.oncall_work["ir_oncall"].reporting == frozenset()
    assert costs.oncall_work["gi_bleed_oncall"].minutes == {"gastroscopy": 24.0}
    assert (costs.premium_pa_hours, costs.pas_per_week, costs.working_weeks) == (3, 10, 42)
    assert costs.unsocial.percent["band_5"] == (30.0, 60.0)
    assert costs.afc_hourly_rate["band_6"] == 23.82


@pytest.mark.unit
def test_compensatory_rest_is_priced_at_a_day_job_hour():
    """A day-job hour is the salary over 10 PAs x 4 h x 42 weeks: 131,059 / 1,680 = 78.01;
    the shipped config's pay point gives the same arithmetic."""
    costs = dataclasses.replace(COSTS, consultant_salary=131_059.0)
    assert day_job_hour_cost(costs) == pytest.approx(131_059.0 / 1_680)
    shipped = load_ooh_config(CONFIG_DIR, validate=False).costs
    assert shipped.pa_hours == 4
    expected = shipped.consultant_salary / (10 * 4 * 42)
    assert day_job_hour_cost(shipped) == pytest.approx(expected)


# ----- resident nights: hours plus the unsocial-hours enhancement -----

NIGHT = ShiftPattern("night", dt.time(20), 12.0, "all", night=True)


def _resident(start=START, n_days=N_DAYS):
    return _instance(
        [("r1", 1.0), ("r2", 0.8)],
        start=start,
        n_days=n_days,
        grade="band_6",
        grades=("band_6",),
        pay_basis="afc_resident",
        category="resident",
        shifts=(NIGHT,),
    )


@pytest.mark.unit
def test_resident_night_paid_as_hours_plus_unsocial_enhancement():
    """Band 6 at 23.82 an hour. Wednesday 20:00-08:00: 12 h basic = 285.84, 10 h (20:00-06:00)
    at +30 % = 71.46. Saturday night: 4 h Saturday at +30 % and 8 h Sunday at +60 % =
    23.82 x (1.2 + 4.8) = 142.92. Over 28 days, scaled to a year by 365 / 28."""
    instance = _resident()
    rows = _costs(instance, _roster({"r1": [2], "r2": [5]}))  # START is a Monday
    scale = 365 / 28
    assert rows["r1"]["afc_basic_gbp"] == pytest.approx(285.84 * scale)
    assert rows["r1"]["afc_unsocial_gbp"] == pytest.approx(71.46 * scale)
    assert rows["r1"]["total_gbp"] == pytest.approx(357.30 * scale)
    assert rows["r2"]["afc_unsocial_gbp"] == pytest.approx(142.92 * scale)
    assert rows["r2"]["supplement_gbp"] == 0.0
    assert rows["r2"]["afc_on_call_gbp"] == 0.0  # Annex 29 is for on-call, not resident shifts


@pytest.mark.unit
def test_unsocial_split_across_bank_holiday_and_clock_change():
    """Sunday 30 August 2026 night runs into the summer bank holiday: 12 h at the Sunday and
    holiday rate. The holiday night: 4 h holiday, 6 h night (to 06:00), 2 h plain. Saturday 24
    October: 4 h Saturday, then the clocks go back: 9 real hours on Sunday, 13 in all."""
    split = unsocial_split(_resident(dt.date(2026, 8, 30), 3), NIGHTS)
    rows = {r["date"]: r for r in split.iter_rows(named=True)}
    assert rows[dt.date(2026, 8, 30)]["sunday_holiday_hours"] == pytest.approx(12.0)
    assert rows[dt.date(2026, 8, 31)]["sunday_holiday_hours"] == pytest.approx(4.0)
    assert rows[dt.date(2026, 8, 31)]["night_saturday_hours"] == pytest.approx(6.0)
    assert rows[dt.date(2026, 8, 31)]["hours"] == pytest.approx(12.0)
    october = unsocial_split(_resident(dt.date(2026, 10, 24), 1), NIGHTS).row(0, named=True)
    assert october["hours"] == pytest.approx(13.0)
    assert october["night_saturday_hours"] == pytest.approx(4.0)
    assert october["sunday_holiday_hours"] == pytest.approx(9.0)


@pytest.mark.unit
def test_resident_grade_without_a_rate_is_named():
    instance = _resident()
    costs = dataclasses.replace(PAY, afc_hourly_rate={"band_5": 19.33})
    with pytest.raises(ConfigError, match="band_6"):
        _costs(instance, _roster({"r1": [2]}), costs=costs)


@pytest.mark.unit
def test_afc_on_call_paid_per_shift():
    """Annex 29 local payment 120 per shift held, scaled to a year: 7 x 120 x 365 / 28."""
    instance = _instance([("a", 1.0)], pay_basis="afc_on_call", category="resident")
    rows = _costs(instance, _roster({"a": [0, 4, 8, 12, 16, 20, 24]}))
    assert rows["a"]["afc_on_call_gbp"] == pytest.approx(7 * 120 * 365 / 28)
    assert rows["a"]["supplement_gbp"] == 0.0


# ----- scenario ranking with and without the cost of uncovered shifts -----


@pytest.mark.unit
def test_ranking_with_and_without_uncovered_cost():
    """Pay alone ranks the scenario that leaves shifts uncovered cheapest (B: 60); with the
    uncovered cost (90) it is the dearest. Another service is ranked on its own."""
    table = pl.DataFrame(
        {
            "service": ["x", "x", "x", "y"],
            "scenario": ["A", "B", "C", "A"],
            "pay_cost_gbp": [100.0, 60.0, 80.0, 5.0],
            "cost_with_uncovered_gbp": [100.0, 150.0, 80.0, 5.0],
        }
    )
    ranked = rank_scenarios(table)
    assert ranked.get_column("cost_rank_without_uncovered").to_list() == [3, 1, 2, 1]
    assert ranked.get_column("cost_rank_with_uncovered").to_list() == [2, 3, 1, 1]


@pytest.mark.integration
def test_scenario_comparison_shows_both_rankings():
    """Two people per trust at 1 in 4 over 12 days: trust by trust each rota covers 6 of 12
    nights (12 uncovered in all), the network of four covers every night. Category A, 1 in 2
    per trust rota: high, 8,000 each (32,000); the network is 1 in 4: high too (32,000).
    Uncovered: 12 x 1,500 x 365 / 12 = 547,500, kept out of the pay column."""
    frames = world([("a1", "TAA", "A01", 1.0), ("a2", "TAA", "A01", 1.0),
                    ("b1", "TBB", "B01", 1.0), ("b2", "TBB", "B01", 1.0)])  # fmt: skip
    cfg = OohConfig(
        services={"test_oncall": oncall_service()},
        presets={"test": preset(oncall_one_in=4)},
        scenarios={"trust_by_trust": TRUST_BY_TRUST, "network": NETWORK},
        costs=COSTS,
    )
    analysis = run_analysis(
        cfg, frames, start=START, n_days=12, settings=SolverSettings(time_limit_s=20, threads=1),
        headcount=False,
    )  # fmt: skip
    rows = {r["scenario"]: r for r in analysis.comparison().iter_rows(named=True)}
    tbt, net = rows["trust_by_trust"], rows["network"]
    assert tbt["uncovered_shifts"] == 12
    assert tbt["pay_cost_gbp"] == pytest.approx(32000.0)
    assert net["pay_cost_gbp"] == pytest.approx(32000.0)
    assert tbt["uncovered_cost_gbp"] == pytest.approx(547500.0)
    assert tbt["cost_with_uncovered_gbp"] == pytest.approx(32000.0 + 547500.0)
    assert (tbt["cost_rank_without_uncovered"], net["cost_rank_without_uncovered"]) == (1, 1)
    assert (tbt["cost_rank_with_uncovered"], net["cost_rank_with_uncovered"]) == (2, 1)


# ----- bad pay configuration is named -----


@pytest.mark.unit
@pytest.mark.parametrize(
    ("old", "new", "named"),
    [
        ("registrar_share: 0.8 ", "registrar_share: 1.5 ", "registrar_share: 1.5 must be a share"),
        ("band_6: 23.82", "band_6: -1", "afc_hourly_rate: values.band_6: -1 must be above 0"),
        ("band_6: 23.82, ", "", "no rate for band_6 (radiographer_nights)"),
        ("night_saturday: 30.0", "night_saturday: -5", "enhancements must be at least 0 %"),
        ("[ct_head_stroke, ct_other]", "[ct_head_stroke, ct_teleport]", "['ct_teleport']"),
        ('night_start: "20:00"', 'night_start: "25:00"', "start '25:00' is not HH:MM"),
        ("basis: rota_people", "basis: everyone", "supplement_frequency.basis: 'everyone'"),
    ],
)
def test_bad_pay_values_name_the_file_and_key(tmp_path, old, new, named):
    import shutil

    for folder in ("ooh", "demand"):
        shutil.copytree(CONFIG_DIR / folder, tmp_path / folder)
    path = tmp_path / "ooh" / "costs.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(ConfigError, match="costs.yaml") as caught:
        load_ooh_config(tmp_path, validate=True)
    assert named in str(caught.value)


# ----- properties -----


def _brute_force_unsocial(instance, unsocial):
    """Minute by minute: each real minute classed by its local date and clock (no cutting)."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(instance.problem.timezone)
    out = {}
    for (day, shift_id), (start, end) in instance.problem.shift_times.items():
        low = high = 0
        minute = start
        while minute < end:
            local = minute.astimezone(zone)
            if local.weekday() == 6 or local.date() in instance.holidays:
                high += 1
            elif local.weekday() == 5 or not (
                unsocial.night_end <= local.time() < unsocial.night_start
            ):
                low += 1
            minute += dt.timedelta(minutes=1)
        out[instance.problem.dates[day], shift_id] = (low / 60, high / 60)
    return out


@pytest.mark.unit
@settings(max_examples=15, deadline=None)
@given(
    first=st.dates(min_value=dt.date(2026, 3, 20), max_value=dt.date(2026, 12, 31)),
    start_hour=st.integers(min_value=0, max_value=23),
    hours=st.integers(min_value=1, max_value=24),
)
def test_unsocial_split_matches_minute_by_minute_count(first, start_hour, hours):
    """Any shift start and length, over clock changes and bank holidays: the cut-based split
    equals an independent minute-by-minute count."""
    shift = ShiftPattern("s", dt.time(start_hour), float(hours), "all", night=True)
    instance = _instance(
        [("r1", 1.0)], start=first, n_days=3, grade="band_6", grades=("band_6",),
        pay_basis="afc_resident", category="resident", shifts=(shift,),
    )  # fmt: skip
    expected = _brute_force_unsocial(instance, NIGHTS)
    for row in unsocial_split(instance, NIGHTS).iter_rows(named=True):
        low, high = expected[row["date"], row["shift"]]
        assert row["night_saturday_hours"] == pytest.approx(low)
        assert row["sunday_holiday_hours"] == pytest.approx(high)
        assert row["hours"] >= row["night_saturday_hours"] + row["sunday_holiday_hours"] - 1e-9


@pytest.mark.unit
@settings(max_examples=25, deadline=None)
@given(
    held=st.lists(st.integers(min_value=0, max_value=5), min_size=N_DAYS, max_size=N_DAYS),
)
def test_everyone_on_a_rota_gets_the_same_supplement_and_work_is_paid_once(held):
    """Random rosters of up to five people (one part time): the band is the rota's, the same
    for all, and the work PAs paid add up to the rota's work times the share of nights covered.
    """
    people = [(f"p{k}", 0.5 if k == 0 else 1.0) for k in range(5)]
    instance = _instance(people)
    days = {f"p{k}": [d for d, who in enumerate(held) if who == k] for k in range(5)}
    roster = _roster({s: ds for s, ds in days.items() if ds})
    work = {"pa_week": 1.0, "predictable_pa_week": 0.25, "unpredictable_pa_week": 0.75}
    rows = _costs(instance, roster, work=work)
    covered = sum(1 for who in held if who < 5)
    assert len(rows) == sum(1 for ds in days.values() if ds)
    assert len({r["supplement_gbp"] for r in rows.values()}) <= 1
    n = len(rows)
    expected_band = None if n == 0 else ("high" if n < 5 else "medium")
    assert {r["band"] for r in rows.values()} <= {expected_band}
    paid = sum(r["predictable_pa_gbp"] + r["unpredictable_pa_gbp"] for r in rows.values())
    assert paid == pytest.approx(10000 * covered / N_DAYS)
