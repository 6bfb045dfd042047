"""The services the network runs: documented rotas in the reference data, new services, options.

Hand world (``ooh_world``): trust TAA (site A01) has five consultant IRs: ``B1``-``B3`` hold
vascular and non-vascular IR (``B1`` and ``B2`` also thrombectomy), ``V`` only vascular, ``N``
only non-vascular; trust TBB (site B01, 20 minutes away) has ``T``, thrombectomy only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import polars as pl
import pytest
from ooh_world import START, oncall_service, preset, world

from lsc_workforce.config import CONFIG_DIR, REFERENCE_DATA_DIR, SolverSettings
from lsc_workforce.data import OOH_ONLY_GROUPS, PLANNED_GROUPS, STAFF_GROUPS, load_datasets
from lsc_workforce.demand.supply import stock_by_age
from lsc_workforce.ooh.build import DATASETS, build_scenario, eligible_staff, plan_rotas
from lsc_workforce.ooh.inputs import Scenario, load_ooh_config
from lsc_workforce.ooh.model import solve_instance
from lsc_workforce.solve import SolveStatus
from lsc_workforce.synthetic import generate_reference_frames

AS_AT = dt.date(2026, 4, 1)
NEW_SERVICES = (
    "ct_registrar_oncall",
    "thrombectomy_oncall",
    "ir_thrombectomy_oncall",
    "ir_vascular_oncall",
    "ir_non_vascular_oncall",
    "ir_radiographer_oncall",
    "ir_nurse_oncall",
    "gi_bleed_nurse_oncall",
)


@pytest.fixture(scope="module")
def cfg():
    return load_ooh_config(CONFIG_DIR)


@pytest.fixture(scope="module")
def frames():
    return load_datasets(REFERENCE_DATA_DIR, (*DATASETS, "activity"))  # activity: derived cover


def _pool(cfg, frames, service_id: str, trust: str) -> set[str]:
    staff = eligible_staff(cfg.service(service_id), frames)
    return set(staff.filter(pl.col("trust_code") == trust).get_column("staff_id").to_list())


# ----- reference data follow the documented rotas -----


@pytest.mark.integration
def test_elht_five_irs_are_all_eligible_for_its_ir_rota(cfg, frames):
    """East Lancashire runs a separate IR rota of five IRs [src:elht-radiology-rota]."""
    consultant_irs = frames["staff_in_post"].filter(
        (pl.col("trust_code") == "RXR")
        & (pl.col("staff_group") == "interventional_radiologist")
        & (pl.col("grade") == "consultant")
    )
    assert consultant_irs.get_column("staff_id").n_unique() == 5
    assert _pool(cfg, frames, "ir_oncall", "RXR") == set(consultant_irs["staff_id"])
    (rota,) = [
        inst
        for inst in build_scenario(
            cfg.service("ir_oncall"),
            cfg.scenario("trust_by_trust"),
            cfg.preset("consultant_ir_on_call"),
            frames,
            start=AS_AT,
            n_days=14,
        )
        if inst.rota == "RXR"
    ]
    assert len(rota.problem.people) == 5


@pytest.mark.integration
def test_rota_sizes_lie_in_the_documented_ranges(cfg, frames):
    # East Lancashire's general on-call is 1 in 20 [src:elht-radiology-rota]; the others lie
    # between 1 in 7 [src:radiology-oncall-typical] and 1 in 22.
    ct = {t: len(_pool(cfg, frames, "ct_oncall", t)) for t in ("RXN", "RXL", "RXR", "RTX")}
    assert ct["RXR"] == 20
    assert all(7 <= n <= 22 for n in ct.values()), ct
    # Every consultant IR is on their trust's IR rota, holding both kinds of IR.
    irs = (
        frames["staff_in_post"]
        .filter(
            (pl.col("staff_group") == "interventional_radiologist")
            & (pl.col("grade") == "consultant")
        )
        .group_by("trust_code")
        .agg(pl.col("staff_id").n_unique())
    )
    for trust, n in irs.rows():
        assert len(_pool(cfg, frames, "ir_oncall", trust)) == n
    # Preston: enough IRs for a 1-in-6 thrombectomy rota [src:preston-thrombectomy], only there.
    assert len(_pool(cfg, frames, "thrombectomy_oncall", "RXN")) == 6
    assert all(not _pool(cfg, frames, "thrombectomy_oncall", t) for t in ("RXL", "RXR", "RTX"))


@pytest.mark.integration
def test_rota_grades_off_every_rota_are_not_ooh_eligible(frames):
    staff = frames["staff_in_post"]
    competencies = frames["staff_competencies"]
    gi = competencies.filter(pl.col("competency") == "gi_bleed_therapy").select("staff_id")
    consultants = staff.filter(
        (pl.col("staff_group") == "medical_endoscopist") & (pl.col("grade") == "consultant")
    )
    eligible = consultants.filter(pl.col("ooh_eligible"))
    # Everyone on the GI-bleed rota holds the competency; nobody else is eligible.
    assert eligible.join(gi, on="staff_id", how="anti").is_empty()
    assert 0 < eligible.height < consultants.height


@pytest.mark.unit
@pytest.mark.parametrize("scale", [0.5, 2.0])
def test_generated_rotas_take_under_60s_first_and_hold_the_rota_competencies(scale):
    frames = generate_reference_frames(scale=scale)
    staff = frames["staff_in_post"].group_by("staff_id", maintain_order=True).first()
    held = frames["staff_competencies"]
    for group, competencies in (
        ("radiologist", ("ct_reporting",)),
        ("interventional_radiologist", ("vascular_ir", "non_vascular_ir")),
    ):
        consultants = staff.filter(
            (pl.col("staff_group") == group) & (pl.col("grade") == "consultant")
        )
        on_rota = consultants.filter(pl.col("ooh_eligible"))
        for competency in competencies:
            holders = held.filter(pl.col("competency") == competency).select("staff_id")
            assert on_rota.join(holders, on="staff_id", how="anti").is_empty()
        older = pl.col("age_band").is_in(["60-64", "65-69", "70 and over"])
        for trust in consultants["trust_code"].unique().to_list():
            mine = consultants.filter(pl.col("trust_code") == trust)
            # Nobody aged 60 or over is on a rota while someone younger of the trust is off it.
            if mine.filter(older & pl.col("ooh_eligible")).height:
                assert mine.filter(~older & ~pl.col("ooh_eligible")).is_empty()


# ----- new staff group -----


@pytest.mark.unit
def test_nurses_are_a_staff_group_the_demand_and_supply_models_leave_out():
    assert set(OOH_ONLY_GROUPS) <= set(STAFF_GROUPS)
    assert not set(OOH_ONLY_GROUPS) & set(PLANNED_GROUPS)
    stock = pl.DataFrame(
        {
            "trust_code": ["TAA", "TAA"],
            "staff_group": ["radiographer", "nurse"],
            "grade": ["band_5", "band_5"],
            "age_band": ["25-29", "25-29"],
            "wte": [1.0, 1.0],
        }
    )
    spread = stock_by_age(stock)
    assert spread["staff_group"].unique().to_list() == ["radiographer"]
    assert spread["wte"].sum() == pytest.approx(1.0)


# ----- scenario options on the hand world -----


def _options_world():
    staff = [(s, "TAA", "A01", 1.0) for s in ("B1", "B2", "B3", "V", "N")] + [
        ("T", "TBB", "B01", 1.0)
    ]
    holders = {
        "B1": ["vascular_ir", "non_vascular_ir", "thrombectomy"],
        "B2": ["vascular_ir", "non_vascular_ir", "thrombectomy"],
        "B3": ["vascular_ir", "non_vascular_ir"],
        "V": ["vascular_ir"],
        "N": ["non_vascular_ir"],
        "T": ["thrombectomy"],
    }
    return world(staff, competencies=holders)


def _ids(frame: pl.DataFrame) -> set[str]:
    return set(frame.get_column("staff_id").to_list())


@pytest.mark.unit
def test_vascular_split_gives_each_kind_its_own_pool():
    frames = _options_world()
    both = oncall_service(id="ir", competencies=("vascular_ir", "non_vascular_ir"))
    vascular = oncall_service(id="ir_v", competencies=("vascular_ir",), scenario_only=True)
    non_vascular = oncall_service(id="ir_nv", competencies=("non_vascular_ir",))
    assert _ids(eligible_staff(both, frames)) == {"B1", "B2", "B3"}
    assert _ids(eligible_staff(vascular, frames)) == {"B1", "B2", "B3", "V"}
    assert _ids(eligible_staff(non_vascular, frames)) == {"B1", "B2", "B3", "N"}
    # Trust by trust, each kind has its own rota per trust with a slot at the trust's site.
    split = Scenario("split", "trust_by_trust", services=("ir_v", "ir_nv"))
    for service in (vascular, non_vascular):
        plans = plan_rotas(service, split, frames["sites"])
        assert [(p.name, p.slots) for p in plans] == [
            ("TAA", (("A01", 1),)),
            ("TBB", (("B01", 1),)),
        ]


@pytest.mark.unit
def test_shared_thrombectomy_rota_needs_every_competency_and_separate_does_not():
    frames = _options_world()
    separate = oncall_service(id="thr", competencies=("thrombectomy",), sites=("A01",))
    shared = replace(
        separate, id="ir_thr", competencies=("vascular_ir", "non_vascular_ir", "thrombectomy")
    )
    scenario = Scenario("tbt", "trust_by_trust")
    for service, pool in ((separate, {"B1", "B2"}), (shared, {"B1", "B2"})):
        (inst,) = build_scenario(
            service, scenario, preset(oncall_one_in=6), frames, start=START, n_days=7
        )
        assert inst.rota == "TAA"
        assert {p.id for p in inst.problem.people} == pool
    # T (thrombectomy only, at Beta) may hold the separate rota but never the shared one.
    assert _ids(eligible_staff(separate, frames)) == {"B1", "B2", "T"}
    assert _ids(eligible_staff(shared, frames)) == {"B1", "B2"}


@pytest.mark.unit
def test_scenario_only_services_run_only_where_a_scenario_names_them(cfg):
    for service_id in ("ir_thrombectomy_oncall", "ir_vascular_oncall", "ir_non_vascular_oncall"):
        assert cfg.service(service_id).scenario_only
        assert not cfg.scenario("trust_by_trust").applies_to(service_id)
        assert not cfg.scenario("network").applies_to(service_id)
    assert cfg.scenario("thrombectomy_shared").applies_to("ir_thrombectomy_oncall")
    assert not cfg.scenario("thrombectomy_shared").applies_to("ir_oncall")
    for scenario_id in ("ir_vascular_split", "ir_vascular_split_network"):
        assert cfg.scenario(scenario_id).applies_to("ir_vascular_oncall")
        assert not cfg.scenario(scenario_id).applies_to("ir_oncall")
    for service_id in NEW_SERVICES:
        if not cfg.service(service_id).scenario_only:
            assert cfg.scenario("trust_by_trust").applies_to(service_id)
            assert cfg.scenario("network").applies_to(service_id)


# ----- every new service solves trust by trust and as a network -----


@pytest.mark.integration
@pytest.mark.parametrize("kind", ["trust_by_trust", "network"])
@pytest.mark.parametrize("service_id", NEW_SERVICES)
def test_each_new_service_builds_and_solves(cfg, frames, service_id, kind):
    service = cfg.service(service_id)
    scenario = Scenario(kind, kind)  # no services list: runs every service, scenario-only too
    instances = build_scenario(
        service, scenario, cfg.preset(service.preset), frames, start=AS_AT, n_days=14
    )
    assert instances
    if kind == "network":  # one rota, split only where transfer keeps local slots
        assert {i.rota.split(":")[0] for i in instances} == {"network"}
    for inst in instances:
        assert inst.problem.people, inst.rota
        solution = solve_instance(inst, SolverSettings(time_limit_s=30, threads=1))
        assert solution.result.status is SolveStatus.OPTIMAL, inst.rota


@pytest.mark.integration
def test_the_vascular_split_rotas_share_the_ir_work_between_them(cfg, frames):
    """Each half of the split faces its own modality: their on-call hours add up to the IR
    rota's, trust by trust."""
    from lsc_workforce.ooh.pay import oncall_work  # noqa: PLC0415

    split = cfg.scenario("ir_vascular_split")
    hours: dict[str, dict[str, float]] = {}
    for service_id, scenario in (
        ("ir_oncall", cfg.scenario("trust_by_trust")),
        ("ir_vascular_oncall", split),
        ("ir_non_vascular_oncall", split),
    ):
        service = cfg.service(service_id)
        instances = build_scenario(
            service, scenario, cfg.preset(service.preset), frames, start=AS_AT, n_days=7
        )
        hours[service_id] = {
            inst.rota: oncall_work(inst, frames["activity"], cfg.costs, AS_AT)["tier_hours"]
            for inst in instances
        }
    for key, total in hours["ir_oncall"].items():
        halves = hours["ir_vascular_oncall"][key] + hours["ir_non_vascular_oncall"][key]
        assert total > 0
        assert halves == pytest.approx(total), key
