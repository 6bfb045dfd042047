"""notebooks/20_demand_capacity.ipynb as the session's refresh ran it (small parameters)."""

from __future__ import annotations

import json

import polars as pl
import pytest

pytestmark = [pytest.mark.notebooks, pytest.mark.slow]


def test_notebook_runs_with_small_parameters(reference_outputs):
    out_dir = reference_outputs / "latest"
    manifest = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
    parameters = manifest["parameters"]["notebooks"]["20_demand_capacity"]
    assert parameters["DRAWS"] < 1000  # the refresh of tests/conftest.py, not the shipped one
    tables = out_dir / "demand" / "tables"
    gap = pl.read_csv(tables / "gap_today_by_trust_group.csv")
    assert gap.height == 24
    quantiles = pl.read_csv(tables / "gap_quantiles_by_group.csv")
    years = list(range(2026, 2026 + parameters["HORIZON_YEARS"]))
    assert sorted(quantiles["year"].unique().to_list()) == years
    sheets = pl.read_excel(out_dir / "demand" / "demand_capacity.xlsx", sheet_id=0)
    assert "gap_today_by_trust_group" in sheets
    assert sheets["gap_today_by_trust_group"].height == 24
