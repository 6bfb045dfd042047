"""Rota semantics: 1-in-N as rotas define it, weekend blocks, spacing, night blocks, nobody there.

The hand cases use the shipped presets (``config/ooh/rota_rules.yaml``) and a one-site rota
at A01 with the consultant pattern (weeknight 17:00 for 15 h on weekdays, weekend 08:00 for
24 h on Saturdays, Sundays and bank holidays) or the radiographer pattern (night 20:00 for
12 h every day). Every solved roster is re-verified by the independent checkers
(``ooh.compliance.check_roster``, which runs ``rota.checker.check``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ooh_world import COSTS, TRUST_BY_TRUST, oncall_service, world

from lsc_workforce.config import SolverSettings
from lsc_workforce.ooh.analysis import run_scenario
from lsc_workforce.ooh.build import build_scenario
from lsc_workforce.ooh.compliance import check_roster, compliance_table
from lsc_workforce.ooh.inputs import OohConfig, ShiftPattern, load_ooh_config
from lsc_workforce.ooh.notebook import comparison_view, compliance_view, cost_view

SETTINGS = SolverSettings(time_limit_s=60, threads=1)
APRIL = dt.date(2026, 4, 1)  # Wednesday; Good Friday 3 April, Easter Monday 6 April
IR = ["vascular_ir", "non_vascular_ir"]
CONSULTANT_SHIFTS = (
    ShiftPattern("weeknight", dt.time(17), 15.0, "weekday", night=True),
    ShiftPattern("weekend", dt.time(8), 24.0, "weekend", night=True),
)
NIGHTS = (ShiftPattern("night", dt.time(20), 12.0, "all", night=True),)


@pytest.fixture(scope="module")
def presets():
    return load_ooh_config(validate=False).presets


def consultant_service(block: str = "sat_sun", preset: str = "consultant_ir_on_call"):
    return oncall_service(
        sites=("A01",),
        competencies=tuple(IR),
        shifts=CONSULTANT_SHIFTS,
        preset=preset,
        weekend_block=block,
    )


def radiographer_service():
    return oncall_service(
        id="nights",
        sites=("A01",),
        competencies=("vascular_ir",),
        shifts=NIGHTS,
        category="resident",
        preset="afc_radiographer",
        pay_basis="afc_on_call",
    )


def frames_for(n_people: int, leave=(), competencies=IR):
    staff = [(f"s{k:02d}", "TAA", "A01", 1.0) for k in range(n_people)]
    return world(staff, leave=leave, competencies={s[0]: list(competencies) for s in staff})


def run(service, presets, frames, n_days, start=APRIL):
    cfg = OohConfig(
        services={service.id: service},
        presets=presets,
        scenarios={"trust_by_trust": TRUST_BY_TRUST},
        costs=COSTS,
    )
    return run_scenario(
        cfg, frames, service.id, "trust_by_trust", start=start, n_days=n_days, settings=SETTINGS
    )


def assert_verified(result):
    """Every rota's roster passes the independent checkers."""
    for sol in result.solutions:
        assert check_roster(sol.instance, sol.roster).filter(pl.col("hard")).is_empty()
    for sol in result.headcount:
        assert check_roster(sol.instance, sol.roster).filter(pl.col("hard")).is_empty()


def runs(days: list[dt.date]) -> list[int]:
    """Lengths of runs of consecutive dates."""
    out, previous = [], None
    for day in sorted(days):
        if previous is not None and (day - previous).days == 1:
            out[-1] += 1
        else:
            out.append(1)
        previous = day
    return out


# ----- frequency: N people can run a 1-in-N rota -----


@pytest.mark.unit
@pytest.mark.parametrize("n_days", [45, 91, 364])
def test_n_people_cover_a_one_in_n_rota_over_any_horizon(presets, n_days):
    """6 IRs, 1 in 6, no leave: every shift covered, 0 extra posts, 91 = 6 x 15 + 1 days."""
    result = run(consultant_service(), presets, frames_for(6), n_days)
    assert result.gaps.is_empty()
    assert result.summary()["extra_posts"] == 0
    held = result.roster().group_by("staff_id").agg(pl.col("date").n_unique().alias("days"))
    assert held.get_column("days").max() <= math.ceil(n_days / 6)
    assert_verified(result)


@pytest.mark.unit
def test_n_minus_1_people_need_exactly_one_post(presets):
    """5 IRs at 1 in 6 over 91 days hold at most 5 x 16 = 80 of 91 days: exactly 1 more post."""
    result = run(consultant_service(), presets, frames_for(5), 91)
    summary = result.summary()
    assert summary["uncovered_shifts"] == 91 - 5 * 16
    assert summary["extra_posts"] == 1
    assert summary["extra_posts_proven"]
    assert summary["extra_posts_for_rota_size"] == 1
    assert summary["extra_posts_for_leave"] == 0
    assert result.sentence.endswith(
        "to run at 1-in-6 without breaches: all 1 to make up the rota's size of 6 people per "
        "person on call."
    )
    assert_verified(result)


@pytest.mark.unit
def test_ordinary_leave_is_covered_within_the_rota(presets):
    """6 IRs, each with a week of annual leave at a different time (one with two weeks)."""
    leave = [(f"s{k:02d}", APRIL + dt.timedelta(days=14 * k), APRIL + dt.timedelta(days=14 * k + 6))
             for k in range(6)]  # fmt: skip
    leave.append(("s00", APRIL + dt.timedelta(days=70), APRIL + dt.timedelta(days=76)))
    result = run(consultant_service(), presets, frames_for(6, leave), 91)
    assert result.gaps.is_empty()
    assert result.summary()["extra_posts"] == 0
    roster = result.roster()
    for staff_id, start, end in leave:
        mine = roster.filter(pl.col("staff_id") == staff_id).get_column("date")
        assert not mine.is_between(start, end).any()
    assert_verified(result)


@pytest.mark.unit
def test_extra_posts_say_which_are_for_size_and_which_for_leave(presets):
    """3 IRs of whom one is away for 11 of 13 weeks (so holds at most 3 episodes): 3 posts make
    up the 1-in-6 rota, and the leave needs more."""
    leave = [("s00", APRIL, APRIL + dt.timedelta(days=76))]
    result = run(consultant_service(), presets, frames_for(3, leave), 91)
    summary = result.summary()
    assert summary["extra_posts_for_rota_size"] == 3
    assert summary["extra_posts_for_leave"] == summary["extra_posts"] - 3 >= 1
    leave_posts = summary["extra_posts"] - 3
    assert result.sentence.endswith(
        f": 3 to make up the rota's size of 6 people per person on call and {leave_posts} to "
        "cover leave within the rules."
    )
    assert_verified(result)


# ----- weekend blocks, spacing, weekend limit -----


@pytest.mark.unit
def test_weekend_with_bank_holiday_monday_is_one_persons(presets):
    """Early May bank holiday (Monday 4 May 2026) and Easter (Good Friday 3 April to Easter
    Monday 6 April): each weekend block held by one person."""
    result = run(consultant_service(), presets, frames_for(7), 42)
    roster = result.roster()
    blocks = result.solutions[0].instance.blocks
    dates = result.solutions[0].instance.dates
    block_dates = [[dates[d] for d in b] for b in blocks]
    assert [dt.date(2026, 4, d) for d in (3, 4, 5, 6)] in block_dates
    assert [dt.date(2026, 5, d) for d in (2, 3, 4)] in block_dates
    for days in block_dates:
        holders = roster.filter(pl.col("date").is_in(days)).group_by("staff_id").len()
        assert holders.height == 1
        assert holders.get_column("len")[0] == len(days)
    assert_verified(result)


@pytest.mark.unit
def test_friday_to_monday_block(presets):
    result = run(consultant_service("fri_mon", "consultant_on_call"), presets, frames_for(7), 28)
    """Friday to Monday: the weeknights either side join the weekend; at Easter (a Friday and
    a Monday bank holiday) the block runs Thursday 2 to Tuesday 7 April."""
    instance = result.solutions[0].instance
    block_dates = [[instance.dates[d] for d in b] for b in instance.blocks]
    assert block_dates[0] == [dt.date(2026, 4, d) for d in range(2, 8)]
    assert block_dates[1] == [dt.date(2026, 4, d) for d in range(10, 14)]
    roster = result.roster()
    for block in instance.blocks:
        days = [instance.dates[d] for d in block]
        assert roster.filter(pl.col("date").is_in(days)).get_column("staff_id").n_unique() == 1
    assert_verified(result)


@pytest.mark.unit
def test_no_rest_rule_for_on_call_from_home(presets):
    """Friday weeknight then the Saturday weekend shift (0 h apart) is allowed from home;
    compensatory rest is reported instead: nights x 0.3 x 11 h a year."""
    result = run(consultant_service(), presets, frames_for(6), 91)
    preset = result.solutions[0].instance.preset
    assert preset.value("min_rest_hours") is None
    nights = int(result.load.get_column("nights").sum())
    assert nights == 91
    expected = round(nights * 0.3 * 11 * 365 / 91, 1)
    assert result.summary()["compensatory_rest_hours_per_year"] == expected
    table = compliance_table(result.solutions[0].instance, result.breaches)
    reported = table.filter(pl.col("applies") == "reported")
    assert set(reported.get_column("rule")) == {
        "disturbed_night_probability",
        "compensatory_rest_hours",
    }


@pytest.mark.unit
def test_compensatory_rest_uses_the_measured_chance_of_a_disturbed_night(presets):
    """Where the workload is measured, its chance of a disturbed night (averaged over the
    rota's shift patterns: (0.9 + 0.7) / 2 = 0.8) replaces the preset's 0.3."""
    result = run(consultant_service(), presets, frames_for(6), 91)
    rota = result.solutions[0].instance.rota
    workload = pl.DataFrame(
        {
            "rota": [rota, rota, rota],
            "tier": ["on_call", "on_call", "teleradiology"],
            "disturbed_night_probability": [0.9, 0.7, None],
        }
    )
    measured = dataclasses.replace(result, workload=workload)
    nights = int(result.load.get_column("nights").sum())
    assert measured.compensatory_rest_hours() == round(nights * 0.8 * 11 * 365 / 91, 1)


@pytest.mark.unit
def test_spacing_counts_a_weekend_once(presets):
    """The rolling rule allows a weeknight, a weekend and a weeknight in 14 days (3 episodes,
    5 days), and the checker counts the weekend block once."""
    service = consultant_service()
    inst = build_scenario(
        service,
        TRUST_BY_TRUST,
        presets["consultant_ir_on_call"],
        frames_for(1),
        start=dt.date(2026, 6, 1),
        n_days=14,
    )[0]
    roster = pl.DataFrame(
        {
            "staff_id": ["s00"] * 5,
            "date": [dt.date(2026, 6, d) for d in (2, 6, 7, 10, 11)],
            "shift": ["weeknight", "weekend", "weekend", "weeknight", "weeknight"],
        }
    )
    breaches = check_roster(inst, roster)
    # 4 episodes (2, 6-7, 10, 11 June) in 14 days: one over the limit of 3
    episodes = breaches.filter(pl.col("rule") == "max_oncall_episodes")
    assert episodes.height == 1
    assert episodes.row(0, named=True)["count"] == 1.0
    ok = roster.filter(pl.col("date") != dt.date(2026, 6, 11))
    assert check_roster(inst, ok).filter(pl.col("rule") == "max_oncall_episodes").is_empty()


# ----- radiographer night blocks -----


@pytest.mark.unit
def test_radiographer_nights_come_in_blocks(presets):
    """8 radiographers, 8 weeks of nights: every run of nights 2 to 4 long (a run may be cut
    by the horizon's edges), rest days after each block."""
    result = run(radiographer_service(), presets, frames_for(8, competencies=["vascular_ir"]), 56)
    assert result.gaps.is_empty()
    roster = result.roster()
    last = result.solutions[0].instance.dates[-1]
    for (staff_id,), mine in roster.group_by("staff_id"):
        days = sorted(mine.get_column("date"))
        lengths = runs(days)
        inner = lengths[1:-1] if len(lengths) > 2 else []
        assert all(2 <= n <= 4 for n in inner), (staff_id, lengths)
        assert all(n <= 4 for n in lengths)
        if days[-1] != last:
            assert lengths[-1] >= 2
    assert result.summary()["night_team_size"] == roster.get_column("staff_id").n_unique()
    assert_verified(result)


# ----- nobody available -----


JUNE = dt.date(2026, 6, 1)  # Monday; no bank holiday in June 2026
AWAY = [(f"s{k:02d}", JUNE, JUNE + dt.timedelta(days=30)) for k in range(2)]
NOBODY = {"nobody eligible": {"competencies": ["other"]}, "all on leave": {"leave": AWAY}}


@pytest.mark.unit
@pytest.mark.parametrize("case", list(NOBODY))
def test_nobody_available_is_an_answer(presets, case):
    """28 days, 2 IRs who cannot hold the rota: every shift uncovered with the reason, and 6
    new posts (each holds at most ceil(28 / 6) = 5 days; 5 posts hold at most 25)."""
    frames = frames_for(2, **NOBODY[case])
    result = run(consultant_service(), presets, frames, 28, start=JUNE)
    assert result.roster().is_empty()
    assert result.gaps.get_column("missing").sum() == 28
    reasons = set(result.gaps.get_column("reasons"))
    assert len(reasons) == 1
    assert next(iter(reasons)).startswith(case)
    summary = result.summary()
    assert summary["extra_posts"] == 6
    assert summary["extra_posts_for_rota_size"] == (6 if case == "nobody eligible" else 4)
    assert_verified(result)
    from lsc_workforce.ooh.analysis import OohAnalysis
    from lsc_workforce.ooh.notebook import describe_analysis

    analysis = OohAnalysis(JUNE, 28, (result,), "2025/26")
    view = comparison_view(analysis)  # rounds columns that may be all null
    assert view.row(0, named=True)["uncovered_shifts"] == 28
    assert "needs 6 more" in describe_analysis(analysis)


@pytest.mark.unit
def test_trust_with_no_staff_completes_the_analysis(presets):
    """Two trusts, staff only at TAA: TBB's rota is all uncovered; the notebook's tables build."""
    from lsc_workforce.ooh.analysis import OohAnalysis

    service = oncall_service(
        sites=("A01", "B01"), competencies=tuple(IR), shifts=CONSULTANT_SHIFTS,
        preset="consultant_ir_on_call", weekend_block="sat_sun",
    )  # fmt: skip
    result = run(service, presets, frames_for(6), 28, start=JUNE)
    by_rota = result.gaps.group_by("rota").agg(pl.col("missing").sum(), pl.col("reasons").first())
    tbb = by_rota.filter(pl.col("rota") == "TBB").row(0, named=True)
    assert tbb["missing"] == 28
    assert tbb["reasons"].startswith("nobody eligible")
    assert result.extra[1].posts == 6
    analysis = OohAnalysis(JUNE, 28, (result,), "2025/26")
    for view in (comparison_view, cost_view, compliance_view):
        assert view(analysis).height >= 1


# ----- the property: extra posts = max(0, N - eligible) -----


PRESET_SERVICES = {
    "consultant_ir_on_call": consultant_service,
    "consultant_on_call": lambda: consultant_service("fri_mon", "consultant_on_call"),
    "afc_radiographer": radiographer_service,
}


@pytest.mark.unit
@pytest.mark.slow
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    preset_name=st.sampled_from(list(PRESET_SERVICES)),
    shortfall=st.integers(min_value=-1, max_value=3),
    weeks=st.integers(min_value=5, max_value=9),
    start_offset=st.integers(min_value=0, max_value=60),
)
def test_extra_posts_equal_rota_size_shortfall(
    presets, preset_name, shortfall, weeks, start_offset
):
    """With each preset's default rules (blocks, spacing and weekend limit on, tolerance 0)
    and no leave, the extra posts are max(0, N - eligible), proven minimal."""
    service = PRESET_SERVICES[preset_name]()
    n = int(presets[preset_name].value("oncall_one_in"))
    eligible = n - shortfall
    competencies = service.competencies
    frames = frames_for(eligible, competencies=competencies)
    start = APRIL + dt.timedelta(days=start_offset)
    result = run(service, presets, frames, 7 * weeks, start=start)
    summary = result.summary()
    assert summary["extra_posts"] == max(0, n - eligible)
    assert summary["extra_posts_proven"]
    assert_verified(result)


# ----- reference data -----


@pytest.mark.integration
@pytest.mark.slow
def test_reference_rosters_hold_weekends_and_night_blocks():
    """On the shipped reference data (13 weeks from as_at): every consultant weekend block
    (with its bank holidays) is held by one person, and at least 90 % of radiographer nights
    are in runs of 2 to 4."""
    from lsc_workforce.config import REFERENCE_AS_AT, REFERENCE_DATA_DIR
    from lsc_workforce.data import load_datasets
    from lsc_workforce.ooh.build import DATASETS
    from lsc_workforce.ooh.pay import PAY_DATASETS

    cfg = load_ooh_config(validate=False)
    frames = load_datasets(REFERENCE_DATA_DIR, (*DATASETS, *PAY_DATASETS))
    kwargs = {"start": REFERENCE_AS_AT, "n_days": 91, "settings": SETTINGS, "headcount": False}
    nights = run_scenario(cfg, frames, "radiographer_nights", "trust_by_trust", **kwargs)
    assert nights.nights_in_blocks_share() >= 0.9
    ir = run_scenario(cfg, frames, "ir_oncall", "network", **kwargs)
    easter = [dt.date(2026, 4, d) for d in (3, 4, 5, 6)]
    for solution in ir.solutions:  # the network's parts (Preston and its local slots)
        instance = solution.instance
        assert easter in [[instance.dates[d] for d in b] for b in instance.blocks]
        roster = ir.roster().filter(pl.col("rota") == instance.rota)
        for block in instance.blocks:
            days = [instance.dates[d] for d in block]
            held = roster.filter(pl.col("date").is_in(days))
            assert held.get_column("staff_id").n_unique() <= 1
            assert held.height in (0, len(days))  # a block held whole by one person, or open


@pytest.mark.unit
def test_week_blocks_and_a_split_night_block_are_breaches(presets):
    """Week blocks: one IR holds each Monday-to-Sunday week, and the fair share is whole weeks
    (ceil(ceil(28 / 7) / 6) = 1 week each). A single night on a night-block rota is a
    ``min_consecutive_nights`` breach in the compliance table."""
    service = consultant_service().__class__(
        **{**consultant_service().__dict__, "week_block": True}
    )
    result = run(service, presets, frames_for(6), 28, start=JUNE)
    instance = result.solutions[0].instance
    assert instance.max_days == 7
    assert [len(b) for b in instance.blocks] == [7, 7, 7, 7]
    roster = result.roster()
    for block in instance.blocks:
        days = [instance.dates[d] for d in block]
        assert roster.filter(pl.col("date").is_in(days)).get_column("staff_id").n_unique() == 1
    assert_verified(result)
    nights = build_scenario(
        radiographer_service(),
        TRUST_BY_TRUST,
        presets["afc_radiographer"],
        frames_for(1, competencies=["vascular_ir"]),
        start=JUNE,
        n_days=14,
    )[0]
    single = pl.DataFrame({"staff_id": ["s00"], "date": [dt.date(2026, 6, 5)], "shift": ["night"]})
    table = compliance_table(nights, check_roster(nights, single))
    by_rule = dict(table.select("rule", "hard_breaches").iter_rows())
    assert by_rule["min_consecutive_nights"] == 1


@pytest.mark.unit
def test_defined_night_team(presets):
    """With a night team of 6 per site, only 6 of 10 radiographers work the 28 nights, 4 or 5
    each (28 / 6 = 4.7; at 1 in 5 nobody may hold more than ceil(28 / 5) = 6), in blocks; a
    roster with a seventh person breaches the team size."""
    from lsc_workforce.ooh.inputs import Rule

    rules = dict(presets["afc_radiographer"].rules)
    rules["night_team_size"] = Rule("night_team_size", 6, "test", "unconfirmed")
    team_presets = {**presets, "afc_radiographer": dataclasses.replace(
        presets["afc_radiographer"], rules=rules)}  # fmt: skip
    frames = frames_for(10, competencies=["vascular_ir"])
    result = run(radiographer_service(), team_presets, frames, 28, start=JUNE)
    assert result.gaps.is_empty()
    per_person = result.roster().group_by("staff_id").len().get_column("len")
    assert per_person.len() == 6 == result.summary()["night_team_size"]
    assert set(per_person.to_list()) <= {4, 5}
    assert_verified(result)
    instance = result.solutions[0].instance
    outsider = sorted(set(frames["staff_in_post"]["staff_id"]) - set(result.roster()["staff_id"]))[
        0
    ]
    extra = pl.DataFrame(
        {"staff_id": [outsider], "date": [dt.date(2026, 6, 28)], "shift": ["night"]}
    )
    roster = pl.concat([result.roster().select("staff_id", "date", "shift"), extra])
    breaches = check_roster(instance, roster).filter(pl.col("rule") == "night_team_size")
    assert breaches.height == 1
    assert breaches.row(0, named=True)["staff_id"] == outsider


@pytest.mark.unit
def test_six_consultants_taking_turns_pass_rota_check(presets):
    """Six IRs take turns on a 1-in-6 rota for 6 weeks from Monday 1 June 2026: in week k
    person p holds weekday (5 - (k + p)) mod 6, where 0-4 are Monday to Friday nights and 5 is
    the Saturday-Sunday weekend. Each holds 7 = ceil(42 / 6) days; nothing is flagged."""
    from lsc_workforce.ooh.check import build_check_instance

    rows = []
    for k in range(6):
        for p in range(6):
            slot = (5 - (k + p)) % 6
            monday = JUNE + dt.timedelta(days=7 * k)
            if slot == 5:
                rows += [(f"s{p:02d}", monday + dt.timedelta(days=d), "weekend") for d in (5, 6)]
            else:
                rows.append((f"s{p:02d}", monday + dt.timedelta(days=slot), "weeknight"))
    roster = pl.DataFrame(rows, schema=["staff_id", "date", "shift"], orient="row")
    assert roster.height == 42
    assert roster.get_column("date").n_unique() == 42
    instance = build_check_instance(
        consultant_service(), presets["consultant_ir_on_call"], frames_for(6), roster
    )
    assert instance.problem.n_days == 42
    assert check_roster(instance, roster).is_empty()
    # the same rota with one weekend split between two people is flagged
    split = roster.with_columns(
        staff_id=pl.when(pl.col("date") == dt.date(2026, 6, 7))
        .then(pl.lit("s05"))
        .otherwise(pl.col("staff_id"))
    )
    rules = set(check_roster(instance, split).get_column("rule"))
    assert "oncall_block" in rules
