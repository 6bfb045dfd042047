"""The training-pipeline notebooks: saved clean, and run by the session's refresh."""

from __future__ import annotations

import json

import pytest

from lsc_workforce.config import NOTEBOOKS_DIR


@pytest.mark.notebooks
@pytest.mark.slow
def test_analyst_then_report_notebook(reference_outputs):
    """40 then 50, as the session's refresh ran them: one demand scenario, two plans."""
    out = reference_outputs / "latest"
    run = json.loads((out / "manifest.json").read_text())
    parameters = run["parameters"]["notebooks"]["40_training_pipeline"]
    assert parameters["DEMAND_SCENARIOS"] == ["central"]
    assert parameters["SCENARIOS"] == ["status_quo", "optimised"]
    names = [entry["name"] for entry in run["notebooks"]]
    assert names.index("40_training_pipeline") < names.index("50_training_gap_report")
    manifest = json.loads((out / "pipeline" / "manifest.json").read_text())
    assert set(manifest["statuses"]) == {"status_quo/central", "optimised/central"}
    assert set(manifest["statuses"].values()) <= {"optimal", "feasible_time_limit"}
    assert (out / "reports" / "training_gap_report.html").stat().st_size > 100_000
    assert (out / "reports" / "training_gap_annex.xlsx").is_file()
    assert (out / "models" / "optimised__central.lp").is_file()


@pytest.mark.unit
def test_source_notebooks_have_no_outputs():
    for name in ("40_training_pipeline", "50_training_gap_report"):
        cells = json.loads((NOTEBOOKS_DIR / f"{name}.ipynb").read_text())["cells"]
        assert all(not c.get("outputs") for c in cells if c["cell_type"] == "code")
        tagged = [c for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])]
        assert len(tagged) == 1


@pytest.mark.unit
def test_formulation_headings_match_the_constraint_functions():
    from lsc_workforce.pipeline.model import CONSTRAINT_TAGS

    cells = json.loads((NOTEBOOKS_DIR / "40_training_pipeline.ipynb").read_text())["cells"]
    markdown = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    for tag, rule in CONSTRAINT_TAGS.items():
        heading = rule.replace("_", " ").capitalize()
        assert f"### {heading} ({tag})" in markdown.replace("Stock-flow", "Stock flow")
