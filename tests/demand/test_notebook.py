"""Papermill smoke run of notebooks/20_demand_capacity.ipynb with small parameters."""

from __future__ import annotations

import papermill as pm
import polars as pl
import pytest

from lsc_workforce.config import NOTEBOOKS_DIR, REFERENCE_DATA_DIR, REPO_DIR

NOTEBOOK = NOTEBOOKS_DIR / "20_demand_capacity.ipynb"


@pytest.mark.notebooks
@pytest.mark.slow
def test_notebook_runs_with_small_parameters(tmp_path):
    out_dir = tmp_path / "run"
    executed = tmp_path / "20_demand_capacity.ipynb"
    pm.execute_notebook(
        str(NOTEBOOK),
        str(executed),
        parameters={
            "DATA_DIR": str(REFERENCE_DATA_DIR),
            "OUTPUT_DIR": str(out_dir),
            "HORIZON_YEARS": 3,
            "DRAWS": 50,
            "SCENARIO": "ai_stroke_ct",
        },
        cwd=str(REPO_DIR),
        kernel_name="python3",
        progress_bar=False,
    )
    tables = out_dir / "demand" / "tables"
    gap = pl.read_csv(tables / "gap_today_by_trust_group.csv")
    assert gap.height == 24
    quantiles = pl.read_csv(tables / "gap_quantiles_by_group.csv")
    assert sorted(quantiles["year"].unique().to_list()) == [2026, 2027, 2028]
    sheets = pl.read_excel(out_dir / "demand" / "demand_capacity.xlsx", sheet_id=0)
    assert "gap_today_by_trust_group" in sheets
    assert sheets["gap_today_by_trust_group"].height == 24
    assert (out_dir / "demand" / "charts" / "supply_vs_demand_fan.html").is_file()
    html = (out_dir / "demand" / "charts" / "supply_vs_demand_fan.html").read_text()
    assert "cdn.jsdelivr" not in html
