import shutil

import polars as pl
import pytest

from lsc_workforce.config import CONFIG_DIR, REFERENCE_DATA_DIR, ConfigError
from lsc_workforce.contracts import ContractViolation
from lsc_workforce.data import SOURCE_STATUSES
from lsc_workforce.demand.analysis import load_inputs
from lsc_workforce.demand.capacity import CapacityParams
from lsc_workforce.demand.parameters import (
    load_parameter_table,
    load_scalars,
    read_parameter_tables,
)
from lsc_workforce.demand.supply import SupplyParams
from lsc_workforce.demand.validation import validate_parameter_tables


@pytest.mark.unit
def test_every_shipped_table_loads_and_has_provenance():
    CapacityParams.from_config(CONFIG_DIR)
    SupplyParams.from_config(CONFIG_DIR)
    for name, table in read_parameter_tables(CONFIG_DIR).items():
        assert set(table["status"]) <= set(SOURCE_STATUSES), name
        assert table["source"].str.len_chars().min() > 5, name


@pytest.mark.unit
def test_reporting_minutes_are_marked_unconfirmed():
    # RCR reporting figures were not retrieved [src:rcr-reporting-figures]: every minute value
    # says so.
    effort = read_parameter_tables(CONFIG_DIR)["activity_effort"]
    minutes = effort.filter(pl.col("unit") == "minutes")
    assert set(minutes["status"]) == {"unconfirmed"}
    points = effort.filter(pl.col("unit") == "points")
    assert set(points["status"]) == {"unconfirmed"}  # [src:jag-points-per-procedure]


@pytest.mark.contracts
def test_shipped_parameter_tables_pass_their_contracts():
    report = validate_parameter_tables(CONFIG_DIR)
    assert report.success, report.summary()
    assert len(report.checked) == 8


@pytest.mark.contracts
def test_broken_parameter_table_fails_its_contract(tmp_path):
    shutil.copytree(CONFIG_DIR / "demand", tmp_path / "demand")
    path = tmp_path / "demand" / "supply_flows.csv"
    frame = pl.read_csv(path).with_columns(
        pl.when(pl.col("staff_group") == "radiographer")
        .then(1.7)
        .otherwise(pl.col("leaver_rate"))
        .alias("leaver_rate"),
        pl.lit("guess").alias("status"),
    )
    frame.write_csv(path)
    report = validate_parameter_tables(tmp_path)
    assert not report.success
    rules = {(f.dataset, f.column) for f in report.failures}
    assert ("demand_supply_flows", "leaver_rate") in rules
    assert ("demand_supply_flows", "status") in rules
    # The notebook's loader stops before any modelling, naming the table and column.
    with pytest.raises(ContractViolation, match="leaver_rate"):
        load_inputs(REFERENCE_DATA_DIR, tmp_path)


@pytest.mark.unit
def test_loaders_reject_bad_status_and_missing_columns(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a,source,status\n1,somewhere,maybe\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="status"):
        load_parameter_table(path, ["a"])
    with pytest.raises(ConfigError, match="missing column"):
        load_parameter_table(path, ["b"])
    yaml_path = tmp_path / "s.yaml"
    yaml_path.write_text("x: {value: 1, unit: h, source: s}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="needs value"):
        load_scalars(yaml_path)
