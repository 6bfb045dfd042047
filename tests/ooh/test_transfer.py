"""Transfer limits and local cover, excluded staff and the verdict grid, on hand-made worlds.

World (``ooh_world``): sites A01 (trust TAA), B01 (TBB) and C01 (TCC); A01-B01 20 minutes,
C01 90 minutes from both. The on-call service serves all three; its patient is brought to the
slot (``treated_at: slot``) and its pathways allow 30 minutes (``fast``) and 120 (``slow``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ooh_world import COSTS, NETWORK, SITES, TRAVEL, TRUST_BY_TRUST, oncall_service, preset, world

from lsc_workforce.config import ConfigError, SolverSettings
from lsc_workforce.ooh.analysis import run_analysis, verdict_grid
from lsc_workforce.ooh.build import (
    build_scenario,
    eligible_staff,
    excluded_staff,
    plan_rotas,
    site_cover,
    travel_map,
)
from lsc_workforce.ooh.inputs import OohConfig, Pathway, Scenario
from lsc_workforce.ooh.outputs import write_outputs
from lsc_workforce.ooh.rota_size import rota_people, rota_sizes

MINUTES = travel_map(TRAVEL)
PATHWAYS = (Pathway("fast", 30, "test", "unconfirmed"), Pathway("slow", 120, "test", "unconfirmed"))
START = dt.date(2026, 6, 1)  # Monday; no bank holiday in the 6 days that follow
SETTINGS = SolverSettings(time_limit_s=60, threads=1)


def service(**changes):
    fields = {
        "sites": ("A01", "B01", "C01"),
        "facility": "has_ir_suite",
        "pathways": PATHWAYS,
    }
    fields.update(changes)
    return oncall_service(**fields)


def sites_without_suite(*codes: str) -> pl.DataFrame:
    return SITES.with_columns(
        pl.when(pl.col("site_code").is_in(list(codes)))
        .then(False)
        .otherwise(pl.col("has_ir_suite"))
        .alias("has_ir_suite")
    )


def cover_of(table: pl.DataFrame) -> dict[str, tuple]:
    return {
        r["site_code"]: (r["local_cover"], r["slot_site"], r["transfer_minutes"])
        for r in table.iter_rows(named=True)
    }


@pytest.mark.unit
def test_a_site_beyond_the_limit_with_the_facility_keeps_its_local_slot():
    """Hub A01: B01 is 20 minutes away (fits 30), C01 is 90: C01 keeps its own slot."""
    plans = plan_rotas(service(), NETWORK, SITES, MINUTES)
    assert [p.slots for p in plans] == [(("A01", 1), ("C01", 1))]
    assert cover_of(site_cover(service(), NETWORK, SITES, MINUTES)) == {
        "A01": ("slot", "A01", 0),
        "B01": ("transfer", "A01", 20),
        "C01": ("local_slot", "C01", 0),
    }


@pytest.mark.unit
def test_a_site_beyond_the_limit_without_the_facility_is_reported_not_served_by_the_hub():
    sites = sites_without_suite("C01")
    plans = plan_rotas(service(), NETWORK, sites, MINUTES)
    assert [p.slots for p in plans] == [(("A01", 1),)]
    cover = cover_of(site_cover(service(), NETWORK, sites, MINUTES))
    assert cover["C01"] == ("no_local_cover", None, 90)
    # trust by trust, TCC has no site with the facility: no rota, the site is still reported
    assert [p.name for p in plan_rotas(service(), TRUST_BY_TRUST, sites, MINUTES)] == ["TAA", "TBB"]
    tcc = site_cover(service(), TRUST_BY_TRUST, sites, MINUTES).filter(
        pl.col("trust_code") == "TCC"
    )
    assert tcc["local_cover"].to_list() == ["no_local_cover"]


@pytest.mark.unit
def test_the_binding_pathway_is_the_tightest_unless_configuration_names_one():
    assert service().transfer_limit.id == "fast"
    slow = service(binding_pathway="slow")
    assert slow.transfer_limit.transfer_minutes == 120
    cover = cover_of(site_cover(slow, NETWORK, sites_without_suite("C01"), MINUTES))
    assert cover["C01"] == ("transfer", "A01", 90)
    # without the travel matrix no transfer fits: B01 keeps its own slot too
    plans = plan_rotas(service(), NETWORK, SITES)
    assert [s for s, _ in plans[0].slots] == ["A01", "B01", "C01"]


@pytest.mark.unit
def test_patients_treated_where_they_arrive_are_never_transferred():
    remote = service(treated_at="site", remote_reporting=True, pathways=())
    cover = cover_of(site_cover(remote, NETWORK, SITES, MINUTES))
    assert cover["C01"][0] == "own_site"
    assert [p.slots for p in plan_rotas(remote, NETWORK, SITES, MINUTES)] == [(("A01", 1),)]


@pytest.mark.unit
def test_a_hub_without_the_facility_and_an_unknown_facility_are_refused():
    with pytest.raises(ConfigError, match="hub A01 of service test_oncall has no has_ir_suite"):
        plan_rotas(service(), NETWORK, sites_without_suite("A01"), MINUTES)
    with pytest.raises(ConfigError, match="has_cath_lab"):
        plan_rotas(service(facility="has_cath_lab"), NETWORK, SITES, MINUTES)


@given(
    minutes=st.lists(st.integers(5, 150), min_size=3, max_size=3),
    limit=st.integers(10, 120),
    suites=st.lists(st.booleans(), min_size=3, max_size=3),
)
@settings(max_examples=60, deadline=None)
@pytest.mark.unit
def test_every_served_site_is_a_slot_a_transfer_within_the_limit_or_reported(
    minutes, limit, suites
):
    """Checker: no site is ever served beyond the limit or silently dropped."""
    ab, ac, bc = minutes
    travel = {}
    for (x, y), m in {("A01", "B01"): ab, ("A01", "C01"): ac, ("B01", "C01"): bc}.items():
        travel[(x, y)] = travel[(y, x)] = m
    suites[0] = True  # the hub has the facility
    sites = SITES.with_columns(pl.Series("has_ir_suite", suites))
    svc = service(pathways=(Pathway("only", limit, "test", "unconfirmed"),))
    plans = plan_rotas(svc, NETWORK, sites, travel)
    slot_sites = {s for p in plans for s, _ in p.slots}
    rows = site_cover(svc, NETWORK, sites, travel).iter_rows(named=True)
    seen = set()
    for row in rows:
        seen.add(row["site_code"])
        has_suite = suites[["A01", "B01", "C01"].index(row["site_code"])]
        if row["local_cover"] in ("slot", "local_slot"):
            assert row["site_code"] in slot_sites
            assert has_suite
        elif row["local_cover"] == "transfer":
            assert row["slot_site"] in slot_sites
            assert travel[(row["site_code"], row["slot_site"])] == row["transfer_minutes"] <= limit
        else:
            assert row["local_cover"] == "no_local_cover"
            assert not has_suite
            assert all(travel[(row["site_code"], s)] > limit for s in slot_sites)
    assert seen == {"A01", "B01", "C01"}


@pytest.mark.unit
def test_a_person_beyond_the_response_time_is_listed_as_excluded():
    """C01 has no suite and is left uncovered: its IR reaches no slot (90 > 30 minutes)."""
    frames = world(
        [("a1", "TAA", "A01", 1.0), ("b1", "TBB", "B01", 1.0), ("c1", "TCC", "C01", 1.0)]
    )
    frames["sites"] = sites_without_suite("C01")
    svc = service()
    plans = plan_rotas(svc, NETWORK, frames["sites"], MINUTES)
    out = excluded_staff(svc, "network", plans, eligible_staff(svc, frames), MINUTES)
    assert out.select(
        "staff_id", "base_site", "nearest_slot", "minutes", "limit_minutes"
    ).rows() == [("c1", "C01", "A01", 90, 30)]
    # the rota's pool is everyone else, and the rota sizes count the exclusion
    (instance,) = build_scenario(
        svc, NETWORK, preset(oncall_one_in=6), frames, start=START, n_days=6
    )
    assert sorted(instance.people["staff_id"].to_list()) == ["a1", "b1"]
    cfg = OohConfig({svc.id: svc}, {"test": preset(oncall_one_in=6)}, {"network": NETWORK}, COSTS)
    (row,) = rota_sizes(cfg, frames, START).to_dicts()
    assert (row["competent_staff"], row["excluded_staff"], row["people_needed"]) == (2, 1, 6)
    assert row["sites_left_uncovered"] == "C01"


@pytest.mark.unit
def test_rota_sizes_follow_the_scenario_local_slots_included():
    """Network: hub A01 serves B01, C01 keeps a local slot (2 slots x 6); trust by trust 3 x 6."""
    svc = service()
    scenarios = {"trust_by_trust": TRUST_BY_TRUST, "network": NETWORK}
    cfg = OohConfig({svc.id: svc}, {"test": preset(oncall_one_in=6)}, scenarios, COSTS)
    people = rota_people(cfg, SITES, travel=TRAVEL)
    by_key = {(r["scenario"], r["rota"]): r for r in people.to_dicts()}
    assert by_key[("network", "network")]["people_needed"] == 12
    assert by_key[("network", "network")]["local_slots"] == 1
    assert by_key[("network", "network")]["slot_sites"] == "A01, C01"
    assert [by_key[("trust_by_trust", t)]["people_needed"] for t in ("TAA", "TBB", "TCC")] == [
        6
    ] * 3
    # without the travel matrix no transfer fits, so B01 keeps its slot as well
    assert rota_people(cfg, SITES, ["network"])["people_needed"].to_list() == [18]


@pytest.mark.unit
def test_verdict_grid_on_a_hand_case(tmp_path):
    """6 days at 1 in 6: a rota needs 6 people, each holds 1 day (ceil(6 / 6)).

    TAA has 6 IRs (covered), TBB 2 (4 posts missing), TCC's C01 has no IR suite and is 90
    minutes from every slot (left without local cover). In the network the hub A01 serves B01
    (20 minutes): one rota of 8 people for both, covered, and C01 is still uncovered.
    """
    staff = [(f"a{k}", "TAA", "A01", 1.0) for k in range(6)] + [
        ("b0", "TBB", "B01", 1.0),
        ("b1", "TBB", "B01", 1.0),
    ]
    frames = world(staff)
    frames["sites"] = sites_without_suite("C01")
    svc = service()
    # remote reporting: patients stay where they arrive, read from the hub A01 in the network
    remote = service(
        id="remote", treated_at="site", remote_reporting=True, pathways=(), facility=None
    )
    cfg = OohConfig(
        {svc.id: svc, remote.id: remote},
        {"test": preset(oncall_one_in=6)},
        {"trust_by_trust": TRUST_BY_TRUST, "network": NETWORK},
        COSTS,
    )
    analysis = run_analysis(cfg, frames, start=START, n_days=6, settings=SETTINGS)
    # The two services share the same IRs, so side by side their rotas clash; each is read alone.
    assert not analysis.clashes().is_empty()
    remote_only = dataclasses.replace(
        analysis, results=tuple(r for r in analysis.results if r.service_id == remote.id)
    )
    remote_grid = {r["scenario"]: r for r in remote_only.verdict_grid().to_dicts()}
    assert remote_grid["network"]["TCC"] == "covered compliantly (rota shared with TAA, TBB)"
    assert remote_grid["trust_by_trust"]["TCC"] == (
        "6 shifts uncovered; 6 posts missing (competency Vascular IR)"
    )
    analysis = dataclasses.replace(
        analysis, results=tuple(r for r in analysis.results if r.service_id == svc.id)
    )
    grid = {r["scenario"]: r for r in analysis.verdict_grid(frames["sites"]).to_dicts()}
    assert grid["trust_by_trust"]["TAA"] == "covered compliantly"
    assert grid["trust_by_trust"]["TBB"] == (
        "4 shifts uncovered; 4 posts missing (competency Vascular IR)"
    )
    assert grid["trust_by_trust"]["TCC"] == "left without local cover"
    assert grid["network"]["TAA"] == "covered compliantly (rota shared with TBB)"
    assert grid["network"]["TBB"] == "covered compliantly (rota shared with TAA)"
    assert grid["network"]["TCC"] == "left without local cover"
    comparison = {r["scenario"]: r for r in analysis.comparison().to_dicts()}
    assert comparison["network"]["sites_without_local_cover"] == 1
    assert comparison["trust_by_trust"]["extra_posts"] == 4
    # the grid is published beside the long table and the site and excluded-staff lists
    written = {p.name for p in write_outputs(analysis, tmp_path)}
    assert {"verdict_grid.csv", "verdicts.csv", "site_cover.csv", "excluded_staff.csv"} <= written
    assert pl.read_csv(tmp_path / "verdict_grid.csv").columns == [
        "scenario",
        "service",
        "TAA",
        "TBB",
        "TCC",
    ]


@pytest.mark.unit
def test_an_empty_verdict_table_gives_an_empty_grid():
    empty = pl.DataFrame(
        schema={
            "scenario": pl.String,
            "service": pl.String,
            "trust_code": pl.String,
            "verdict": pl.String,
        }
    )
    assert verdict_grid(empty).columns == ["scenario", "service"]


@pytest.mark.unit
def test_transfer_configuration_problems_are_named():
    from lsc_workforce.ooh.inputs import validate_ooh_config  # noqa: PLC0415

    bad = dataclasses.replace(service(), binding_pathway="nowhere")
    no_pathways = dataclasses.replace(service(), id="other", pathways=())
    cfg = OohConfig(
        {bad.id: bad, "other": no_pathways},
        {"test": preset(oncall_one_in=6)},
        {"network": Scenario("network", "network")},
        dataclasses.replace(
            COSTS, supplement_status=dict.fromkeys(COSTS.supplement_percent, "confirmed")
        ),
    )
    with pytest.raises(ConfigError) as info:
        validate_ooh_config(cfg)
    assert "services.test_oncall.transfer.binding: 'nowhere'" in str(info.value)
    assert "services.other.transfer.pathways" in str(info.value)
