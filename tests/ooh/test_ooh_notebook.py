"""``notebooks/30_ooh_rota.ipynb``: thin, saved without outputs, runs in the refresh."""

from __future__ import annotations

import json
import re

import nbformat
import polars as pl
import pytest

from lsc_workforce.config import NOTEBOOKS_DIR
from lsc_workforce.report import find_remote_references

NOTEBOOK = NOTEBOOKS_DIR / "30_ooh_rota.ipynb"


@pytest.mark.unit
def test_source_notebook_is_thin_and_has_no_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.get("outputs") for c in code)
    assert all(c.get("execution_count") is None for c in code)
    params = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1
    for line in params[0].source.splitlines():
        assert re.match(
            r"^[A-Z][A-Z0-9_]*: (str|int|float|bool|list\[str\]) = .+  # .+\(.+\)$", line
        ), line
    for cell in code:
        assert "def " not in cell.source
        assert "class " not in cell.source
        assert "open(" not in cell.source
        assert len(cell.source.splitlines()) <= 10 or cell is params[0]
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for tag in ("C-O1", "C-O2", "C-O3", "C-O4", "C-O5"):
        assert tag in text
    assert "median" in text  # the rota's 1-in-N definition is stated


@pytest.mark.notebooks
@pytest.mark.slow
def test_notebook_runs_with_small_parameters(reference_outputs):
    """As the session's refresh ran it: one service, a few scenarios, two weeks."""
    out_dir = reference_outputs / "latest"
    manifest = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
    parameters = manifest["parameters"]["notebooks"]["30_ooh_rota"]
    assert parameters["SERVICES"] == ["ir_oncall"]
    scenarios = parameters["SCENARIOS"]
    assert scenarios[:2] == ["trust_by_trust", "network"]
    area = out_dir / "ooh"
    table = pl.read_csv(area / "scenario_comparison.csv")
    assert table.get_column("scenario").to_list() == scenarios
    assert set(table.get_column("status")) == {"optimal"}
    assert pl.read_excel(area / "scenario_comparison.xlsx").height == len(scenarios)
    assert (area / "rosters" / "ir_oncall__network.csv").is_file()
    assert any((area / "ics" / "ir_oncall__network").glob("S*.ics"))
    html = (area / "charts" / "ooh_calendar__ir_oncall__network.html").read_text()
    assert find_remote_references(html) == []
