"""Data contracts of the training configuration: pass on the shipped tables, fail on broken ones."""

from __future__ import annotations

import polars as pl
import pytest

from lsc_workforce.config import CONFIG_DIR
from lsc_workforce.contracts import ContractViolation, validate_frame
from lsc_workforce.pipeline.inputs import (
    TRAINING_SUITES,
    load_training_tables,
    validate_training_tables,
)

pytestmark = pytest.mark.contracts


@pytest.fixture(scope="module")
def tables():
    return load_training_tables(CONFIG_DIR)


def test_shipped_tables_pass(tables):
    report = validate_training_tables(tables)
    assert report.success
    assert set(report.checked) == set(TRAINING_SUITES.values())


@pytest.mark.parametrize(
    ("table", "change", "column"),
    [
        ("training_programmes", pl.lit(1.5).alias("completion_rate"), "completion_rate"),
        ("training_programmes", pl.lit("probable").alias("status"), "status"),
        ("training_programmes", pl.lit("nurse").alias("produced_group"), "produced_group"),
        ("training_capacity", pl.lit("RXZ").alias("trust_code"), "trust_code"),
        ("current_trainees", pl.lit(0).alias("year_of_training"), "year_of_training"),
        ("skill_mix", pl.lit(None, pl.String).alias("source"), "source"),
    ],
)
def test_broken_tables_fail_naming_the_column(tables, table, change, column):
    broken = tables[table].with_columns(change)
    report = validate_frame(broken, TRAINING_SUITES[table])
    assert not report.success
    assert column in {f.column for f in report.failures}


def test_validate_training_tables_raises_on_any_broken_table(tables):
    broken = tables["source_pools"].with_columns(pl.lit(-1).alias("pool_headcount"))
    with pytest.raises(ContractViolation, match="pool_headcount"):
        validate_training_tables({**tables, "source_pools": broken})


def test_duplicate_keys_fail(tables):
    doubled = pl.concat([tables["training_programmes"], tables["training_programmes"].head(1)])
    report = validate_frame(doubled, "training_programmes")
    assert not report.success
