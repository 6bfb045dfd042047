"""The shipped OOH configuration loads and passes its data contracts; broken tables fail."""

from __future__ import annotations

import dataclasses
import shutil

import polars as pl
import pytest

from lsc_workforce.config import CONFIG_DIR, ConfigError
from lsc_workforce.contracts import validate_frame
from lsc_workforce.ooh.inputs import RULE_NAMES, config_tables, load_ooh_config


@pytest.fixture(scope="module")
def cfg():
    return load_ooh_config(CONFIG_DIR, validate=True)


@pytest.mark.unit
def test_shipped_config_covers_the_four_services(cfg):
    assert {"ct_oncall", "ir_oncall", "radiographer_nights", "gi_bleed_oncall"} <= set(cfg.services)
    assert set(cfg.services["ir_oncall"].competencies) == {"vascular_ir", "non_vascular_ir"}
    kinds = {s.kind for s in cfg.scenarios.values()}
    assert kinds == {"trust_by_trust", "network", "hub_and_spoke"}
    assert {"consultant_on_call", "resident_doctors_2016", "afc_radiographer"} <= set(cfg.presets)
    resident = cfg.presets["resident_doctors_2016"]
    assert resident.value("max_hours_in_7_days") == 72
    assert resident.value("max_consecutive_nights") == 4
    assert resident.value("rest_hours_after_nights") == 46
    assert resident.value("weekend_one_in") == 3
    assert resident.rules["weekend_one_in"].status == "secondary"
    assert resident.value("max_consecutive_shifts") == 7
    assert resident.value("min_rest_hours") == 11
    for preset in cfg.presets.values():
        for rule in preset.rules.values():
            assert rule.name in RULE_NAMES
            assert "[src:" in rule.source  # a citation of docs/sources.md
    assert cfg.costs.supplement_percent[("A", "high")] == 8.0
    assert cfg.costs.supplement_status[("A", "high")] == "confirmed"
    assert cfg.costs.price_year == "2025/26"


@pytest.mark.contracts
def test_each_table_passes_its_contract(cfg):
    for suite, frame in config_tables(cfg).items():
        report = validate_frame(frame, suite)
        assert report.success, report.summary()


@pytest.mark.contracts
def test_bad_values_fail_the_contracts(cfg):
    tables = config_tables(cfg)
    services = tables["ooh_services"].with_columns(
        pl.when(pl.col("service_id") == "ct_oncall")
        .then(pl.lit("C"))
        .otherwise(pl.col("category"))
        .alias("category")
    )
    report = validate_frame(services, "ooh_services")
    assert not report.success
    assert any(f.column == "category" for f in report.failures)
    rules = tables["ooh_rota_rules"].with_columns(pl.lit("rumour").alias("status"))
    assert not validate_frame(rules, "ooh_rota_rules").success
    shifts = tables["ooh_shifts"].with_columns(pl.lit("25:00").alias("start"))
    assert not validate_frame(shifts, "ooh_shifts").success


@pytest.mark.unit
def test_broken_yaml_is_a_config_error(tmp_path, cfg):
    shutil.copytree(CONFIG_DIR / "ooh", tmp_path / "ooh")
    path = tmp_path / "ooh" / "ooh_services.yaml"
    path.write_text(path.read_text().replace("preset: afc_radiographer", "preset: missing"))
    with pytest.raises(ConfigError, match="unknown preset 'missing'"):
        load_ooh_config(tmp_path)


@pytest.mark.unit
def test_scenario_override_of_frequency(cfg):
    preset = cfg.presets["consultant_on_call"].with_overrides(one_in=8)
    assert preset.value("oncall_one_in") == 8
    assert preset.value("min_rest_hours") == 11
    soft = preset.with_overrides(soft={"min_rest_hours": 100})
    assert soft.rules["min_rest_hours"].soft_penalty == 100
    with pytest.raises(ConfigError):
        preset.with_overrides(soft={"weekend_one_in": 1})
    assert dataclasses.is_dataclass(preset)
