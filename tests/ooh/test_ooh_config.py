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
    assert {"consultant_on_call", "consultant_ir_on_call", "afc_radiographer"} <= set(cfg.presets)
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
    assert preset.value("weekend_one_in") == 4
    assert preset.value("min_rest_hours") is None  # on call from home: no rest rule
    soft = preset.with_overrides(soft={"max_oncall_episodes": 100})
    assert soft.rules["max_oncall_episodes"].soft_penalty == 100
    assert soft.rules["max_oncall_episodes"].window_days == 14
    with pytest.raises(ConfigError):
        preset.with_overrides(soft={"min_rest_hours": 1})
    assert dataclasses.is_dataclass(preset)


#: Unusable rule values: (file, text replaced, replacement, texts the message must name).
BAD_RULES = {
    "1-in-0": (
        "rota_rules.yaml",
        "      oncall_one_in:\n        value: 6",
        "      oncall_one_in:\n        value: 0",
        "presets.consultant_ir_on_call.rules.oncall_one_in.value: 0 must be a whole number",
    ),
    "non-finite hours": (
        "rota_rules.yaml",
        "compensatory_rest_hours:\n        value: 11",
        "compensatory_rest_hours:\n        value: .nan",
        "preset consultant_ir_on_call rule compensatory_rest_hours: value: nan is not a finite",
    ),
    "negative hours": (
        "rota_rules.yaml",
        'min_rest_hours:\n        value: 11\n        source: "Working Time Regulations 1998: 11',
        'min_rest_hours:\n        value: -1\n        source: "Working Time Regulations 1998: 11',
        "presets.afc_radiographer.rules.min_rest_hours.value: -1 must be at least 0 hours",
    ),
    "minimum above maximum": (
        "rota_rules.yaml",
        "min_consecutive_nights:\n        value: 2",
        "min_consecutive_nights:\n        value: 5",
        "presets.afc_radiographer.rules.min_consecutive_nights.value: 5 is above "
        "max_consecutive_nights 4",
    ),
    "bad window": (
        "rota_rules.yaml",
        "window_days: 14",
        "window_days: 0",
        "presets.consultant_ir_on_call.rules.max_oncall_episodes.window_days: 0 must be at least 1",
    ),
    "bad tolerance": (
        "rota_rules.yaml",
        "oncall_tolerance_days:\n        value: 0",
        "oncall_tolerance_days:\n        value: 0.5",
        "presets.consultant_ir_on_call.rules.oncall_tolerance_days.value: 0.5 must be a whole",
    ),
    "bad probability": (
        "rota_rules.yaml",
        "disturbed_night_probability:\n        value: 0.3",
        "disturbed_night_probability:\n        value: 1.5",
        "rules.disturbed_night_probability.value: 1.5 must be a probability from 0 to 1",
    ),
    "bad block": (
        "ooh_services.yaml",
        "weekend_block: fri_mon",
        "weekend_block: fri_tue",
        "services.gi_bleed_oncall.weekend_block: 'fri_tue' must be one of",
    ),
    "bad scenario frequency": (
        "scenarios.yaml",
        "one_in: 8",
        "one_in: 0",
        "scenarios.ir_two_hubs.one_in: 0 must be a whole number of at least 1",
    ),
    "bad teleradiology share": (
        "scenarios.yaml",
        "teleradiology_share: 0.6",
        "teleradiology_share: 1.5",
        "scenario ct_teleradiology_60: teleradiology_share: 1.5 must be a share between 0 and 1",
    ),
}


@pytest.mark.unit
@pytest.mark.parametrize("case", list(BAD_RULES))
def test_unusable_rule_values_name_file_preset_and_rule(tmp_path, case):
    file, old, new, named = BAD_RULES[case]
    shutil.copytree(CONFIG_DIR / "ooh", tmp_path / "ooh")
    path = tmp_path / "ooh" / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_ooh_config(tmp_path, validate=True)
    assert named in str(raised.value)
    assert file in str(raised.value)


@pytest.mark.unit
def test_rule_statuses_are_honest(cfg):
    """The IR standard is confirmed for IR only; applied to CT and GI bleed it is unconfirmed;
    rest after on-call from home is not a roster rule (compensatory rest is reported)."""
    ir = cfg.presets[cfg.services["ir_oncall"].preset]
    assert ir.rules["oncall_one_in"].status == "confirmed"
    for service in ("ct_oncall", "gi_bleed_oncall"):
        preset = cfg.presets[cfg.services[service].preset]
        assert preset.rules["oncall_one_in"].status == "unconfirmed"
        assert "radiology-oncall-typical" in preset.rules["oncall_one_in"].source
    for service in ("ct_oncall", "ir_oncall", "gi_bleed_oncall"):
        preset = cfg.presets[cfg.services[service].preset]
        assert "min_rest_hours" not in preset.rules
        assert preset.rules["compensatory_rest_hours"].status == "derived"
        assert preset.rules["disturbed_night_probability"].status == "unconfirmed"
    nights = cfg.presets[cfg.services["radiographer_nights"].preset]
    assert nights.rules["min_rest_hours"].status == "confirmed"  # resident: WTR rest kept
    assert nights.rules["rest_hours_after_nights"].status == "derived"
