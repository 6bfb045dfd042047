"""Rota sizes: people a 1-in-N rota needs beside the competent staff, on a hand-made world.

World (``ooh_world``): trust TAA (site A01) has 4 consultant IRs, of whom one lacks the
competency; trust TBB (site B01) has 7. The rota is held 1 in 6 with cover 1.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from ooh_world import COSTS, NETWORK, SITES, TRUST_BY_TRUST, oncall_service, preset, world

from lsc_workforce.config import CONFIG_DIR, REFERENCE_DATA_DIR, ConfigError
from lsc_workforce.data import load_datasets
from lsc_workforce.ooh.inputs import OohConfig, Scenario, load_ooh_config
from lsc_workforce.ooh.rota_size import rota_people, rota_sizes

AS_AT = dt.date(2026, 4, 1)
ONE_IN_8 = Scenario("one_in_8", "network", hubs={"test_oncall": ("A01", None)}, one_in=8)


def _config(**preset_values: float) -> OohConfig:
    return OohConfig(
        services={"test_oncall": oncall_service()},
        presets={"test": preset(**preset_values)},
        scenarios={s.id: s for s in (TRUST_BY_TRUST, NETWORK, ONE_IN_8)},
        costs=COSTS,
    )


def _world() -> dict:
    staff = [(f"A{k}", "TAA", "A01", 1.0) for k in range(4)] + [
        (f"B{k}", "TBB", "B01", 0.8) for k in range(7)
    ]
    holders = {s[0]: ["vascular_ir"] for s in staff if s[0] != "A3"}
    # A0 takes 10 days of annual leave inside the year from AS_AT and 5 days before it (not
    # counted); A1's 4 days of sickness are not planned leave (not counted either).
    leave = [
        ("A0", dt.date(2026, 5, 1), dt.date(2026, 5, 10)),
        ("A0", dt.date(2026, 3, 1), dt.date(2026, 3, 5)),
    ]
    frames = world(staff, leave=leave, competencies=holders)
    sick = pl.DataFrame(
        {
            "staff_id": ["A1"],
            "start_date": [dt.date(2026, 6, 1)],
            "end_date": [dt.date(2026, 6, 4)],
            "leave_type": ["sickness"],
        }
    )
    frames["leave"] = pl.concat([frames["leave"], sick])
    return frames


def _row(frame, **keys):
    rows = frame.to_dicts()
    found = [r for r in rows if all(r[k] == v for k, v in keys.items())]
    assert len(found) == 1, keys
    return found[0]


@pytest.mark.unit
def test_trust_by_trust_rotas_need_n_people_each_and_count_the_competent():
    sizes = rota_sizes(_config(oncall_one_in=6), _world(), AS_AT, scenarios=["trust_by_trust"])
    taa = _row(sizes, trust_code="TAA")
    assert (taa["one_in"], taa["cover"], taa["people_needed"]) == (6, 1, 6)
    assert taa["competent_staff"] == 3  # A3 lacks the competency
    assert taa["competent_wte"] == pytest.approx(3.0)
    assert taa["shortfall_people"] == 3
    assert taa["leave_days_per_person"] == pytest.approx(10 / 3)
    tbb = _row(sizes, trust_code="TBB")
    assert tbb["competent_staff"] == 7
    assert tbb["competent_wte"] == pytest.approx(5.6)
    assert tbb["shortfall_people"] == 0  # a surplus is never reported as negative


@pytest.mark.unit
def test_a_shared_rota_is_one_row_and_a_scenario_may_change_the_frequency():
    sizes = rota_sizes(_config(oncall_one_in=6), _world(), AS_AT, scenarios=["network", "one_in_8"])
    network = _row(sizes, scenario="network")
    assert network["trust_code"] == "TAA+TBB"
    assert network["trusts"] == ["TAA", "TBB"]
    assert (network["people_needed"], network["competent_staff"]) == (6, 10)
    assert _row(sizes, scenario="one_in_8")["people_needed"] == 8


@pytest.mark.unit
def test_people_needed_come_from_configuration_alone():
    people = rota_people(_config(oncall_one_in=5), SITES, ["trust_by_trust"])
    assert people["people_needed"].to_list() == [5, 5]
    no_rule = rota_people(_config(min_rest_hours=11), SITES, ["trust_by_trust"])
    assert no_rule["people_needed"].null_count() == 2
    with pytest.raises(ConfigError, match="unknown scenario"):
        rota_people(_config(oncall_one_in=5), SITES, ["nowhere"])


@pytest.mark.unit
def test_missing_extracts_are_named():
    frames = _world()
    del frames["leave"]
    with pytest.raises(ConfigError, match="leave"):
        rota_sizes(_config(oncall_one_in=6), frames, AS_AT)


@pytest.mark.integration
def test_reference_rota_sizes_cover_ir_and_gi_bleed_in_every_trust():
    cfg = load_ooh_config(CONFIG_DIR)
    frames = load_datasets(
        REFERENCE_DATA_DIR,
        ("sites", "site_travel_times", "staff_in_post", "staff_competencies", "leave"),
    )
    sizes = rota_sizes(cfg, frames, AS_AT, scenarios=["trust_by_trust"])
    for service in ("ir_oncall", "gi_bleed_oncall"):
        rows = sizes.filter(sizes["service"] == service)
        assert sorted(rows["trust_code"].to_list()) == ["RTX", "RXL", "RXN", "RXR"]
        assert (rows["people_needed"] == rows["one_in"] * rows["cover"]).all()


@pytest.mark.integration
def test_rota_sizes_use_the_workload_sized_cover_of_the_model():
    """Radiographer nights: N x the people on at once the queueing rule gives each slot, the
    cover the OOH model rosters (``build_scenario``), not the configured 1."""
    from lsc_workforce.ooh.build import build_scenario  # noqa: PLC0415

    cfg = load_ooh_config(CONFIG_DIR)
    frames = load_datasets(
        REFERENCE_DATA_DIR,
        ("sites", "site_travel_times", "staff_in_post", "staff_competencies", "leave", "activity"),
    )
    service = cfg.service("radiographer_nights")
    sizes = rota_sizes(cfg, frames, AS_AT, ["trust_by_trust"], ["radiographer_nights"])
    without = rota_sizes(
        cfg,
        {k: v for k, v in frames.items() if k != "activity"},
        AS_AT,
        ["trust_by_trust"],
        ["radiographer_nights"],
    )
    instances = build_scenario(
        service, cfg.scenario("trust_by_trust"), cfg.preset(service.preset), frames,
        start=AS_AT, n_days=7,
    )  # fmt: skip
    rostered = {
        t: sum(s.cover for i in instances if tuple(i.trusts) == (t,) for s in i.slots.values())
        for t in sizes["trust_code"]
    }
    for row in sizes.iter_rows(named=True):
        assert row["cover"] == rostered[row["trust_code"]] > 1
        assert row["people_needed"] == row["one_in"] * row["cover"]
    assert without["cover"].to_list() == without["slots"].to_list()  # configured cover: 1 a slot
