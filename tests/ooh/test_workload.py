"""Workload each OOH slot faces and the cover a queueing rule derives from it (ooh.workload).

Hand cases: the toy world runs every hour as out of hours (``ooh_hours_week`` 168, 8,760 hours
a year), so ``cases a year / 8,760`` is the arrival rate an hour.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import shutil

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ooh_world import COSTS, NETWORK, START, TRUST_BY_TRUST, oncall_service, preset, world

from lsc_workforce.config import CONFIG_DIR, ConfigError
from lsc_workforce.ooh.build import RotaPlan, build_scenario
from lsc_workforce.ooh.inputs import OnCallWork, Pathway, load_ooh_config
from lsc_workforce.ooh.pay import COST_PARTS, annual_cost, oncall_work
from lsc_workforce.ooh.workload import (
    FLAG_NON_RESIDENT,
    NightRest,
    Teleradiology,
    WorkloadSpec,
    derive_cover,
    erlang_c,
    erlang_c_cover,
    overlap_probability,
    percentile_cover,
    rest_broken_probability,
    slot_workload,
    wait_within,
    workload_view,
)
from lsc_workforce.synthetic import ACTIVITY_SCHEMA

#: 22:00-07:00 must hold 5 hours' continuous rest: at most 4 hours of work in the 9.
NIGHT_REST = NightRest(dt.time(22), dt.time(7), 5.0, "test", "derived")


def _activity(cases_a_month: dict[tuple[str, str], float], outsourced: float = 0.0):
    """12 months before START (June 2025 to May 2026) of OOH cases at sites of TAA / TBB."""
    rows = []
    for k in range(12):
        first = dt.date(2025 + (k + 5) // 12, (k + 5) % 12 + 1, 1)
        for (site, modality), n in cases_a_month.items():
            trust = {"A01": "TAA", "B01": "TBB", "C01": "TCC"}[site]
            rows.append((first, trust, site, modality, "ooh", n, round(outsourced * n)))
            rows.append((first, trust, site, modality, "in_hours", 999, 0))
    return pl.DataFrame(rows, schema=ACTIVITY_SCHEMA, orient="row")


def _spec(**changes: object) -> WorkloadSpec:
    fields = {
        "service_id": "test_oncall",
        "cover_rule": "erlang_c",
        "minutes": {"ct_other": 30.0},
        "ooh_hours_week": 168.0,
        "target_wait_minutes": 30.0,
        "target_probability": 0.8,
        "night_rest": NIGHT_REST,
        "status": "unconfirmed",
    }
    return WorkloadSpec(**{**fields, **changes})


def _resident(**changes: object):
    """A resident service at A01 and B01, one slot per site, with a workload spec."""
    spec = changes.pop("workload", _spec())
    return oncall_service(
        category="resident", cover_unit="site", workload=spec, pay_basis="afc_resident", **changes
    )


def _frames(activity: pl.DataFrame) -> dict[str, pl.DataFrame]:
    frames = world([("a", "TAA", "A01", 1.0), ("b", "TBB", "B01", 1.0)])
    return {**frames, "activity": activity}


# ----- queueing rules -----


@pytest.mark.unit
def test_erlang_c_hand_case():
    """lambda = 2 an hour, s = 0.5 h, a = 1. Erlang B: B(1) = 1/2, B(2) = 1/5, so
    C(2, 1) = 2 x 0.2 / (2 - 0.8) = 1/3 and P(wait <= 0.5 h) = 1 - e^-1 / 3 = 0.8774.
    Three people: B(3) = 1/16, C = 0.1875 / 2.0625 = 1/11, P = 1 - e^-2 / 11 = 0.9877."""
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)
    assert erlang_c(1, 1.0) == 1.0  # a >= c: every case waits
    assert wait_within(2, 2.0, 0.5, 0.5) == pytest.approx(1 - math.exp(-1) / 3)
    assert erlang_c(3, 1.0) == pytest.approx(1 / 11)
    assert wait_within(3, 2.0, 0.5, 0.5) == pytest.approx(1 - math.exp(-2) / 11)
    assert erlang_c_cover(2.0, 0.5, 0.5, 0.8) == 2
    assert erlang_c_cover(2.0, 0.5, 0.5, 0.9) == 3
    assert erlang_c_cover(0.0, 0.5, 0.5, 0.9) == 0
    assert erlang_c_cover(50.0, 1.0, 0.5, 0.9, most=10) is None


@pytest.mark.unit
def test_percentile_rule_hand_case():
    """Cases in progress ~ Poisson(a = 1): P(<= 1) = 0.7358, P(<= 2) = 0.9197, P(<= 3) = 0.9810."""
    assert percentile_cover(1.0, 0.7) == 1
    assert percentile_cover(1.0, 0.9) == 2
    assert percentile_cover(1.0, 0.95) == 3
    assert percentile_cover(0.0, 0.95) == 0


@pytest.mark.unit
def test_overlap_probability_hand_case():
    """An arriving case finds another in progress with probability 1 - e^-a."""
    assert overlap_probability(0.5) == pytest.approx(0.393469, abs=1e-6)
    assert overlap_probability(0.0) == 0.0


@pytest.mark.unit
@settings(max_examples=60, deadline=None)
@given(
    rate=st.floats(0.0, 20.0),
    extra=st.floats(0.0, 20.0),
    minutes=st.floats(1.0, 240.0),
    wait=st.floats(0.0, 120.0),
    probability=st.floats(0.5, 0.99),
)
def test_more_arrivals_never_lower_the_cover(rate, extra, minutes, wait, probability):
    """Both rules are monotone: more cases an hour never need fewer people on at once."""
    hours = minutes / 60
    low = erlang_c_cover(rate, hours, wait / 60, probability, most=400)
    high = erlang_c_cover(rate + extra, hours, wait / 60, probability, most=400)
    assert low is not None
    assert high is not None
    assert high >= low
    assert percentile_cover((rate + extra) * hours, probability) >= percentile_cover(
        rate * hours, probability
    )
    # the Erlang-C cover meets its target and one fewer person does not
    assert wait_within(high, rate + extra, hours, wait / 60) >= probability
    if high > max(1, math.floor((rate + extra) * hours)):
        assert wait_within(high - 1, rate + extra, hours, wait / 60) < probability


# ----- slots -----


@pytest.mark.unit
def test_cover_derived_from_a_hand_computed_arrival_rate():
    """A01: 1,460 CT a month = 17,520 a year / 8,760 h = 2 an hour at 30 min each: a = 1, and
    a 30-minute wait for 80 % of cases needs 2 people (0.877, one person: a >= c). B01 has a
    quarter of the cases: 0.5 an hour, a = 0.25, one person (C = 0.25, P(wait > 0.5 h) =
    0.25 e^-0.75 = 0.118)."""
    service = _resident()
    frames = _frames(_activity({("A01", "ct_other"): 1460, ("B01", "ct_other"): 365}))
    plan = RotaPlan("network", ("TAA", "TBB"), (("A01", 1), ("B01", 1)))
    assert derive_cover(plan, service, frames, START).slots == (("A01", 2), ("B01", 1))
    table = slot_workload(service, plan.slots, plan.trusts, frames, START)
    a01 = table.filter(pl.col("site") == "A01").row(0, named=True)
    assert a01["arrivals_per_hour"] == pytest.approx(2.0)
    assert a01["offered_load"] == pytest.approx(1.0)
    assert a01["cases_per_shift"] == pytest.approx(2.0 * 15)  # the 17:00 15-hour pattern
    assert a01["work_hours_per_shift"] == pytest.approx(15.0)
    assert a01["derived_cover"] == 2
    assert a01["cover"] == 1
    assert a01["flag"] == "cover 1 below the workload's 2"
    assert a01["status"] == "derived"
    b01 = table.filter(pl.col("site") == "B01").row(0, named=True)
    assert b01["derived_cover"] == 1
    assert b01["wait_over_target_probability"] == pytest.approx(0.25 * math.exp(-0.75))
    # the rota the OOH model builds uses the derived cover on every date
    instances = build_scenario(service, NETWORK, preset(), frames, start=START, n_days=7)
    covers = {slot.site: slot.cover for inst in instances for slot in inst.slots.values()}
    assert covers == {"A01": 2, "B01": 1}
    assert {c.required for c in instances[0].problem.cover if c.shift.endswith("A01")} == {2}


@pytest.mark.unit
def test_fixed_cover_stays_an_option_and_percentile_rule_sizes_the_slot():
    frames = _frames(_activity({("A01", "ct_other"): 1460}))
    plan = RotaPlan("TAA", ("TAA",), (("A01", 1),))
    fixed = _resident(workload=_spec(cover_rule="fixed"))
    assert derive_cover(plan, fixed, frames, START) == plan
    no_spec = _resident(workload=None)
    assert derive_cover(plan, no_spec, frames, START) == plan
    by_percentile = _resident(workload=_spec(cover_rule="percentile", percentile=0.95))
    assert derive_cover(plan, by_percentile, frames, START).slots == (("A01", 3),)


@pytest.mark.unit
def test_a_need_above_max_cover_gets_max_cover_and_a_flag():
    frames = _frames(_activity({("A01", "ct_other"): 1460}))
    plan = RotaPlan("TAA", ("TAA",), (("A01", 1),))
    service = _resident(workload=_spec(target_probability=0.99, max_cover=2))
    assert derive_cover(plan, service, frames, START).slots == (("A01", 2),)
    row = slot_workload(service, plan.slots, plan.trusts, frames, START).row(0, named=True)
    assert row["derived_cover"] is None
    assert row["flag"] == "more than 2 people needed on at once"


@pytest.mark.unit
def test_non_resident_slot_flagged_above_the_night_rest_threshold():
    """On call from home at A01 (serving A01 only, trust by trust). a = 0.5: 4.5 hours of work
    in 22:00-07:00 leave less than 5 continuous hours of rest (more than 9 - 5 = 4): flagged.
    a = 0.4: 3.6 hours, not flagged. a = 0.5 shared by 2 on call: 2.25 hours each, not flagged."""
    service = oncall_service(sites=("A01",), workload=_spec(cover_rule="fixed"))
    plan = RotaPlan("TAA", ("TAA",), (("A01", 1),))
    busy = _frames(_activity({("A01", "ct_other"): 730}))  # 1 an hour x 30 min
    row = slot_workload(service, plan.slots, plan.trusts, busy, START).row(0, named=True)
    assert row["tier"] == "on_call"
    assert row["derived_cover"] is None  # a workload, not a cover level
    assert row["night_work_hours_per_person"] == pytest.approx(4.5)
    # 1 call an hour: no 5-hour gap in 9 hours with probability 1 - e^-5 (1 + 4) = 0.9663
    assert row["disturbed_night_probability"] == pytest.approx(1 - math.exp(-5) * 5)
    assert row["flag"] == FLAG_NON_RESIDENT
    quiet = _frames(_activity({("A01", "ct_other"): 584}))  # 0.8 an hour
    row = slot_workload(service, plan.slots, plan.trusts, quiet, START).row(0, named=True)
    assert row["night_work_hours_per_person"] == pytest.approx(3.6)
    assert row["flag"] is None
    two = slot_workload(service, (("A01", 2),), plan.trusts, busy, START).row(0, named=True)
    assert two["night_work_hours_per_person"] == pytest.approx(2.25)
    assert two["flag"] is None


@pytest.mark.unit
def test_a_second_on_call_counts_only_the_cases_the_first_tier_leaves():
    """The busy slot above (1 case an hour, 30 min) with a registrar tier that handles 80 %
    alone: the consultant gets 0.2 an hour, a = 0.1, 0.9 hours of work in the 9-hour window
    (not flagged), and the night is disturbed with probability 1 - e^-1 (1 + 0.8) = 0.3378."""
    service = oncall_service(
        sites=("A01",), workload=_spec(cover_rule="fixed", first_tier_share=0.8)
    )
    busy = _frames(_activity({("A01", "ct_other"): 730}))
    row = slot_workload(service, (("A01", 1),), ("TAA",), busy, START).row(0, named=True)
    assert row["cases_year"] == pytest.approx(0.2 * 730 * 12)
    assert row["night_work_hours_per_person"] == pytest.approx(0.9)
    assert row["disturbed_night_probability"] == pytest.approx(1 - math.exp(-1) * 1.8)
    assert row["flag"] is None
    # A resident first tier itself counts every case.
    resident = _resident(workload=_spec(first_tier_share=0.8), sites=("A01",))
    first = slot_workload(resident, (("A01", 1),), ("TAA",), busy, START).row(0, named=True)
    assert first["cases_year"] == pytest.approx(730 * 12)


@pytest.mark.unit
def test_ir_overlap_probability_in_the_workload_table():
    """IR at A01: 73 vascular procedures a month = 876 a year / 8,760 h = 0.1 an hour at 120
    min: a = 0.2, so 1 - e^-0.2 = 18.1 % of cases arrive while another is in progress."""
    spec = _spec(cover_rule="fixed", minutes={"ir_vascular": 120.0})
    service = oncall_service(sites=("A01",), workload=spec)
    frames = _frames(_activity({("A01", "ir_vascular"): 73}))
    row = slot_workload(service, (("A01", 1),), ("TAA",), frames, START).row(0, named=True)
    assert row["offered_load"] == pytest.approx(0.2)
    assert row["overlap_probability"] == pytest.approx(1 - math.exp(-0.2))


@pytest.mark.unit
def test_a_trust_slot_serves_every_site_of_its_trusts_and_a_site_slot_its_own():
    """Network hub at A01 serves A01 and B01 (cover_unit trust); a split site rota serves only
    its own slot site, so no case is counted twice."""
    frames = _frames(_activity({("A01", "ct_other"): 100, ("B01", "ct_other"): 50}))
    hub = oncall_service(workload=_spec(cover_rule="fixed"))
    row = slot_workload(hub, (("A01", 1),), ("TAA", "TBB"), frames, START).row(0, named=True)
    assert (row["served_sites"], row["cases_year"]) == ("A01+B01", 1800.0)
    site = _resident()
    rows = slot_workload(site, (("B01", 1),), ("TAA", "TBB"), frames, START)
    assert rows.get_column("cases_year").to_list() == [600.0]


@pytest.mark.unit
def test_a_trust_slot_counts_only_sites_within_the_transfer_limit():
    """A01 and B01 are 20 minutes apart: with a 15-minute pathway limit B01's patients are not
    brought to A01 (B01 keeps its own slot or is left without cover), so its cases are not
    A01's work; with a 30-minute limit they are."""
    frames = _frames(_activity({("A01", "ct_other"): 100, ("B01", "ct_other"): 50}))
    for limit, expected in ((15, ("A01", 1200.0)), (30, ("A01+B01", 1800.0))):
        hub = oncall_service(
            workload=_spec(cover_rule="fixed"),
            pathways=(Pathway("only", limit, "test", "unconfirmed"),),
        )
        row = slot_workload(hub, (("A01", 1),), ("TAA", "TBB"), frames, START).row(0, named=True)
        assert (row["served_sites"], row["cases_year"]) == expected


@pytest.mark.unit
def test_derived_cover_needs_the_activity_data():
    frames = world([("a", "TAA", "A01", 1.0)])
    with pytest.raises(ConfigError, match="activity"):
        derive_cover(RotaPlan("TAA", ("TAA",), (("A01", 1),)), _resident(), frames, START)


# ----- teleradiology -----


@pytest.mark.unit
def test_teleradiology_cost_hand_case():
    """12 months x 100 CT at A01, half sent out at GBP 50 a report: 600 reports, GBP 30,000 a
    year as its own line; the tier reports 600 x 15 min = 150 h (no registrar tier): 150 / 3 /
    42 PAs a week. The observed share (30 % in the data) gives 360 reports, GBP 18,000."""
    work = OnCallWork("test_oncall", {"ct_other": 15.0}, frozenset({"ct_other"}))
    costs = dataclasses.replace(COSTS, oncall_work={"test_oncall": work})
    tele = Teleradiology(share=0.5, cost_per_report=50.0)
    spec = _spec(cover_rule="fixed", minutes={"ct_other": 15.0}, teleradiology=tele)
    spec = dataclasses.replace(spec, reporting=frozenset({"ct_other"}))
    frames = _frames(_activity({("A01", "ct_other"): 100}, outsourced=0.3))
    service = oncall_service(sites=("A01",), workload=spec)
    instance = build_scenario(
        service, TRUST_BY_TRUST, preset(oncall_one_in=1), frames, start=START, n_days=7
    )[0]
    row = oncall_work(instance, frames["activity"], costs, START)
    assert row["outsourced_cases"] == pytest.approx(600.0)
    assert row["teleradiology_gbp"] == pytest.approx(30_000.0)
    assert row["tier_hours"] == pytest.approx(150.0)
    assert row["pa_week"] == pytest.approx(150 / 3 / 42)
    nobody = pl.DataFrame(schema=dict.fromkeys(COST_PARTS, pl.Float64))
    cost = annual_cost(nobody, 0, 7, costs, pl.DataFrame([row]))
    assert cost["teleradiology_gbp"] == pytest.approx(30_000.0)
    assert cost["total_gbp"] == 0.0  # a separate line, like uncovered shifts
    observed = dataclasses.replace(spec, teleradiology=dataclasses.replace(tele, share=None))
    instance = dataclasses.replace(
        instance, service=dataclasses.replace(service, workload=observed)
    )
    row = oncall_work(instance, frames["activity"], costs, START)
    assert row["outsourced_cases"] == pytest.approx(360.0)
    assert row["teleradiology_gbp"] == pytest.approx(18_000.0)


@pytest.mark.unit
def test_a_teleradiology_scenario_sends_its_share_out_for_every_reporting_tier():
    """1,200 CT a year at A01, 30 % sent out in the data. A scenario sending 60 % out leaves
    480 reports in house for both a resident first tier (no ``teleradiology`` entry of its own)
    and the on-call consultant, who reports 480 x 15 min = 120 h a year against 840 x 15 min =
    210 h at the observed share; the 720 reports sent out cost GBP 36,000 at GBP 50."""
    reporting = frozenset({"ct_other"})
    first = _resident(
        sites=("A01",), workload=_spec(minutes={"ct_other": 15.0}, reporting=reporting)
    )
    tele = Teleradiology(share=None, cost_per_report=50.0)
    consultant = oncall_service(
        sites=("A01",),
        workload=_spec(
            cover_rule="fixed", minutes={"ct_other": 15.0}, reporting=reporting, teleradiology=tele
        ),
    )
    scenario = dataclasses.replace(TRUST_BY_TRUST, id="tele_60", teleradiology_share=0.6)
    frames = _frames(_activity({("A01", "ct_other"): 100}, outsourced=0.3))
    for service, observed in ((first, 840.0), (consultant, 840.0)):
        for sc, in_house in ((TRUST_BY_TRUST, observed), (scenario, 480.0)):
            runs = sc.service_for(service)
            row = slot_workload(runs, (("A01", 1),), ("TAA",), frames, START).row(0, named=True)
            assert row["cases_year"] == pytest.approx(in_house), (service.id, sc.id)
    work = OnCallWork("test_oncall", {"ct_other": 15.0}, reporting)
    costs = dataclasses.replace(COSTS, oncall_work={"test_oncall": work})
    rows = {
        sc.id: oncall_work(
            build_scenario(consultant, sc, preset(oncall_one_in=1), frames, start=START, n_days=7)[
                0
            ],
            frames["activity"],
            costs,
            START,
        )
        for sc in (TRUST_BY_TRUST, scenario)
    }
    assert rows[scenario.id]["tier_hours"] == pytest.approx(120.0)
    assert rows[TRUST_BY_TRUST.id]["tier_hours"] == pytest.approx(210.0)
    assert rows[scenario.id]["teleradiology_gbp"] == pytest.approx(36_000.0)
    assert TRUST_BY_TRUST.service_for(first) is first  # no share set: the service as it is


# ----- configuration -----


@pytest.mark.unit
def test_shipped_workload_config_is_attached_to_its_services():
    cfg = load_ooh_config(CONFIG_DIR, validate=False)
    nights = cfg.services["radiographer_nights"].workload
    assert nights.cover_rule == "erlang_c"
    assert nights.minutes["plain_xray"] == pytest.approx(15.0)  # 4 an hour (radiography.csv)
    assert nights.ooh_hours_week == 118  # weekdays 08:00-18:00 are in hours
    ct = cfg.services["ct_oncall"].workload
    assert ct.cover_rule == "fixed"
    assert ct.teleradiology.share is None  # the observed share
    assert ct.reporting == {"ct_head_stroke", "ct_other"}
    assert ct.night_rest.max_work_hours == 4.0
    # The consultant is second on call above the registrars: one number, from costs.yaml.
    assert ct.first_tier_share == cfg.costs.oncall_work["ct_oncall"].registrar_share == 0.8
    assert cfg.services["ir_oncall"].workload.first_tier_share == 0.0


@pytest.mark.contracts
def test_workload_config_passes_its_contract():
    cfg = load_ooh_config(CONFIG_DIR, validate=True)
    assert cfg.services["ir_oncall"].workload is not None


@pytest.mark.unit
@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "  - service: ct_oncall\n    cover_rule: fixed",
            "  - service: ct_oncall\n    cover_rule: erlang_c\n    target_wait_minutes: 30\n"
            "    target_probability: 0.9",
            "services.ct_oncall.cover_rule: 'erlang_c' on a service on call from home",
        ),
        ("cover_rule: erlang_c", "cover_rule: queue", "cover_rule: 'queue' must be one of"),
        ("service: gi_bleed_oncall", "service: no_such_service", "no_such_service: unknown"),
        ("target_probability: 0.9\n    min_cover", "target_probability: 1.5\n    min_cover",
         "radiographer_nights.target_probability: 1.5 must lie in"),
        ("[ct_head_stroke, ct_other, plain_xray]", "[ct_head_stroke, pet]",
         "radiographer_nights.modalities: \\['pet'\\] have no row in demand/radiography.csv"),
    ],
)  # fmt: skip
def test_bad_workload_config_is_named(tmp_path, old, new, message):
    shutil.copytree(CONFIG_DIR, tmp_path / "config")
    path = tmp_path / "config" / "ooh" / "workload.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(ConfigError, match=message):
        load_ooh_config(tmp_path / "config", validate=False)


@pytest.mark.unit
def test_workload_view_keeps_one_row_per_slot_tier_and_shift():
    frames = _frames(_activity({("A01", "ct_other"): 1460}))
    table = slot_workload(_resident(), (("A01", 2),), ("TAA",), frames, START)
    view = workload_view(table)
    assert view.height == table.height
    assert view.row(0, named=True)["arrivals_per_hour"] == 2.0
    assert view.row(0, named=True)["cover"] == 2


@pytest.mark.contracts
def test_workload_contract_fails_on_out_of_range_values():
    """The ooh_workload suite names the rule a bad row breaks (shipped specs pass)."""
    from lsc_workforce.contracts import validate_frame
    from lsc_workforce.ooh.workload import config_table, load_workload

    table = config_table(load_workload(CONFIG_DIR))
    assert validate_frame(table, "ooh_workload").success
    broken = table.with_columns(
        target_probability=pl.when(pl.col("service_id") == "radiographer_nights")
        .then(1.5)
        .otherwise(pl.col("target_probability")),
        cost_per_report=pl.col("cost_per_report") * -1,
    )
    report = validate_frame(broken, "ooh_workload")
    assert not report.success
    assert "probability of meeting the wait target" in report.summary()
    assert "GBP per report" in report.summary()


@pytest.mark.integration
def test_workload_table_counts_each_site_once_per_scenario():
    """Reference data: the network GI-bleed rota keeps local slots (transfer would break the
    30-minute unstable-bleed limit), and each served site's cases go to one slot only."""
    from lsc_workforce.config import REFERENCE_DATA_DIR  # noqa: PLC0415
    from lsc_workforce.data import load_datasets  # noqa: PLC0415
    from lsc_workforce.ooh.workload import workload_table  # noqa: PLC0415

    frames = load_datasets(
        REFERENCE_DATA_DIR,
        ("sites", "site_travel_times", "staff_in_post", "staff_competencies", "activity"),
    )
    cfg = load_ooh_config(CONFIG_DIR)
    as_at = dt.date(2026, 4, 1)
    table = workload_table(cfg, frames, as_at, ["gi_bleed_oncall"], ["trust_by_trust", "network"])
    weeknight = table.filter(pl.col("shift") == "weeknight")
    for scenario in ("trust_by_trust", "network"):
        rows = weeknight.filter(pl.col("scenario") == scenario)
        served = [s for group in rows["served_sites"] for s in group.split("+")]
        assert len(served) == len(set(served))
    totals = weeknight.group_by("scenario").agg(pl.col("cases_year").sum())
    assert totals["cases_year"].n_unique() == 1  # the same cases, spread over other slots


@pytest.mark.unit
def test_rest_broken_probability_by_hand():
    """Window 9 h, rest 5 h: two gaps of 5 h cannot both fit, so with n calls the rest holds
    with probability (n + 1)(4/9)^n, and over Poisson n the rest is broken with probability
    1 - exp(-5 lambda)(1 + 4 lambda). At 0.09 calls an hour: 1 - e^-0.45 x 1.36 = 0.1328."""
    assert rest_broken_probability(0.0, 9, 5) == 0.0
    assert rest_broken_probability(0.09, 9, 5) == pytest.approx(0.132826, abs=1e-6)
    assert rest_broken_probability(0.09, 9, 5) == pytest.approx(
        1 - math.exp(-0.45) * (1 + 0.36), rel=1e-12
    )
    # one call splits 9 h into two gaps; with r = 4.5 one of them always reaches it
    assert rest_broken_probability(1e-9, 9, 4.5) == pytest.approx(0.0, abs=1e-8)


@pytest.mark.unit
@settings(max_examples=60, deadline=None)
@given(
    rate=st.floats(0.0, 3.0),
    more=st.floats(0.0, 1.0),
    rest=st.floats(1.0, 8.0),
)
def test_more_calls_never_make_rest_likelier(rate, more, rest):
    """Property: the chance that rest is broken rises with the call rate and lies in [0, 1]."""
    low = rest_broken_probability(rate, 9.0, rest)
    high = rest_broken_probability(rate + more, 9.0, rest)
    assert 0.0 <= low <= high + 1e-12 <= 1.0 + 1e-12


test_more_calls_never_make_rest_likelier = pytest.mark.unit(
    test_more_calls_never_make_rest_likelier
)
