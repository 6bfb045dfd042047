"""Papermill smoke run of the training-pipeline notebooks with small parameters."""

from __future__ import annotations

import json

import papermill as pm
import pytest

from lsc_workforce.config import NOTEBOOKS_DIR, REPO_DIR

pytestmark = pytest.mark.notebooks

SMALL = {
    "DEMAND_SCENARIOS": ["central"],
    "SCENARIOS": ["status_quo", "optimised"],
    "MONTE_CARLO_DRAWS": 50,
    "SOLVER_TIME_LIMIT_S": 10.0,
}


@pytest.mark.slow
def test_analyst_then_report_notebook(tmp_path):
    out = tmp_path / "run"
    for name, extra in (
        ("40_training_pipeline", {"BUDGET_FACTORS": [1.0]}),
        ("50_training_gap_report", {}),
    ):
        pm.execute_notebook(
            NOTEBOOKS_DIR / f"{name}.ipynb",
            tmp_path / f"{name}.ipynb",
            parameters={**SMALL, **extra, "OUTPUT_DIR": str(out)},
            cwd=str(REPO_DIR),
            progress_bar=False,
            kernel_name="python3",
        )
    manifest = json.loads((out / "pipeline" / "manifest.json").read_text())
    assert set(manifest["statuses"]) == {"status_quo/central", "optimised/central"}
    assert set(manifest["statuses"].values()) <= {"optimal", "feasible_time_limit"}
    assert (out / "reports" / "training_gap_report.html").stat().st_size > 100_000
    assert (out / "reports" / "training_gap_annex.xlsx").is_file()
    assert (out / "models" / "optimised__central.lp").is_file()


def test_source_notebooks_have_no_outputs():
    for name in ("40_training_pipeline", "50_training_gap_report"):
        cells = json.loads((NOTEBOOKS_DIR / f"{name}.ipynb").read_text())["cells"]
        assert all(not c.get("outputs") for c in cells if c["cell_type"] == "code")
        tagged = [c for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])]
        assert len(tagged) == 1


def test_formulation_headings_match_the_constraint_functions():
    from lsc_workforce.pipeline.model import CONSTRAINT_TAGS

    cells = json.loads((NOTEBOOKS_DIR / "40_training_pipeline.ipynb").read_text())["cells"]
    markdown = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    for tag, rule in CONSTRAINT_TAGS.items():
        heading = rule.replace("_", " ").capitalize()
        assert f"### {heading} ({tag})" in markdown.replace("Stock-flow", "Stock flow")
