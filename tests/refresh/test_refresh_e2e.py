"""End-to-end refresh on the shipped reference data: success, broken input, failures, locking."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import polars as pl
import pytest
from refresh_helpers import break_csv_cell

from lsc_workforce import run
from lsc_workforce.config import REFERENCE_DATA_DIR

pytestmark = pytest.mark.slow  # every test here reads or makes a refresh

CLI = Path(sys.executable).parent / "lsc-workforce"


def _tree_bytes(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _config(tmp_path: Path, name: str, notebooks: str) -> Path:
    path = tmp_path / name
    path.write_text(f"keep_runs: 5\nnotebooks:\n{notebooks}", encoding="utf-8")
    return path


BASELINE_ONLY = """\
  - name: 10_workforce_baseline
    path: notebooks/10_workforce_baseline.ipynb
    parameters: {{RETIREMENT_AGE: {age}}}
"""


@pytest.mark.integration
def test_refresh_runs_both_notebooks_and_publishes(reference_outputs):
    latest = reference_outputs / "latest"
    assert latest.is_symlink()
    run_dir = latest.resolve()
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "succeeded"
    assert manifest["published"] is True
    assert manifest["run_id"] == run_dir.name
    assert manifest["started_at"] <= manifest["finished_at"]
    assert set(manifest["git"]) == {"commit", "dirty"}
    assert manifest["packages"]["polars"]
    assert manifest["packages"]["papermill"]
    assert manifest["solvers"]["highs"] == manifest["packages"]["highspy"]
    assert manifest["parameters"]["as_at"] == "2026-04-01"
    assert manifest["validation"]["status"] == "passed"
    # Every input file is hashed, and the hash is the file's SHA-256.
    staff_csv = REFERENCE_DATA_DIR / "staff_in_post.csv"
    expected = hashlib.sha256(staff_csv.read_bytes()).hexdigest()
    assert manifest["inputs"]["data"]["staff_in_post.csv"] == expected
    assert "refresh.yaml" in manifest["inputs"]["config"]
    assert set(manifest["inputs"]["notebooks"]) >= {"00_data_quality", "10_workforce_baseline"}
    entries = {entry["name"]: entry for entry in manifest["notebooks"]}
    # Every notebook of the shipped configuration runs (with the smaller parameters of
    # tests/conftest.py); all must succeed, data quality first.
    assert list(entries) == [spec.name for spec in run.RefreshConfig.from_yaml().notebooks]
    assert list(entries)[:2] == ["00_data_quality", "10_workforce_baseline"]
    for name in entries:
        assert entries[name]["status"] == "succeeded"
        assert entries[name]["seconds"] > 0
        executed = nbformat.read(run_dir / entries[name]["executed"], as_version=4)
        errors = [
            o for c in executed.cells for o in c.get("outputs", []) if o.output_type == "error"
        ]
        assert errors == []
        assert (run_dir / entries[name]["html"]).is_file()
    for relative in (
        "refresh.log",
        "data_quality.html",
        "validation/summary.json",
        "quality/tables/title_mapping_by_trust.csv",
        "quality/charts/completeness_by_trust.svg",
        "baseline/tables/baseline_by_trust_group.parquet",
        "baseline/charts/vacancy_rate.html",
    ):
        assert (run_dir / relative).is_file(), relative
        assert relative in manifest["outputs"] or relative == "manifest.json"
    assert "publishing" in (run_dir / "refresh.log").read_text(encoding="utf-8")


@pytest.mark.integration
def test_published_baseline_tables_agree_with_the_raw_data(reference_outputs):
    tables = reference_outputs / "latest" / "baseline" / "tables"
    workforce = pl.read_parquet(tables / "workforce_by_trust_group_grade.parquet")
    staff = pl.read_csv(REFERENCE_DATA_DIR / "staff_in_post.csv")
    assert workforce["wte"].sum() == pytest.approx(staff["wte"].sum())
    assert workforce["posts"].sum() == staff.height
    vacancy = pl.read_csv(tables / "vacancy_by_trust_group.csv")
    raw = pl.read_csv(REFERENCE_DATA_DIR / "vacancies.csv")
    assert vacancy["vacant_wte"].sum() == pytest.approx(raw["vacant_wte"].sum())


@pytest.mark.integration
def test_broken_input_fails_names_the_problem_and_keeps_latest(reference_outputs, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(REFERENCE_DATA_DIR, broken)
    break_csv_cell(broken / "staff_in_post.csv", 3, "wte", "2.5")
    latest = reference_outputs / "latest"
    target_before, bytes_before = os.readlink(latest), _tree_bytes(latest.resolve())
    runs_before = set((reference_outputs / "runs").iterdir())

    result = subprocess.run(
        [CLI, "refresh", "--data-dir", broken, "--outputs", reference_outputs, "--no-progress"],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 1
    assert "staff_in_post.wte" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert os.readlink(latest) == target_before
    assert _tree_bytes(latest.resolve()) == bytes_before
    (failed_run,) = set((reference_outputs / "runs").iterdir()) - runs_before
    manifest = json.loads((failed_run / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "failed"
    assert manifest["validation"]["status"] == "failed"
    assert {entry["status"] for entry in manifest["notebooks"]} == {"skipped"}
    assert not (failed_run / "notebooks").exists()  # nothing downstream ran
    assert (failed_run / "data_quality.html").is_file()  # the failure is reported there
    assert (failed_run / "validation" / "summary.json").is_file()


@pytest.mark.integration
def test_failing_notebook_keeps_partial_outputs_and_latest(reference_outputs, tmp_path):
    config = _config(tmp_path, "bad.yaml", BASELINE_ONLY.format(age=200))
    latest = reference_outputs / "latest"
    target_before, bytes_before = os.readlink(latest), _tree_bytes(latest.resolve())
    result = run.refresh(config, None, reference_outputs)
    assert not result.success
    assert not result.published
    assert "10_workforce_baseline" in result.message
    assert "retirement_age" in result.message
    (entry,) = result.notebooks
    assert entry.status == "failed"
    assert entry.executed is not None
    assert entry.executed.is_file()
    assert os.readlink(latest) == target_before
    assert _tree_bytes(latest.resolve()) == bytes_before


@pytest.mark.integration
def test_concurrent_refresh_refused_and_killed_refresh_does_not_block(reference_outputs, tmp_path):
    outputs = tmp_path / "outputs"
    config = _config(tmp_path, "later.yaml", BASELINE_ONLY.format(age=66.0))
    first = subprocess.Popen(
        [CLI, "refresh", "--config", config, "--outputs", outputs, "--no-progress"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: the kernel dies with it
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            logs = list(outputs.glob("runs/*/refresh.log"))
            if logs and "executing notebook" in logs[0].read_text(encoding="utf-8"):
                break
            assert first.poll() is None, "the first refresh ended too early"
            time.sleep(0.2)
        else:
            pytest.fail("the first refresh never reached its notebook")
        with pytest.raises(run.RefreshLocked):
            run.refresh(config, None, outputs)
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=30)
    assert run.published_run(outputs) is None  # the killed run was never published

    result = run.refresh(config, None, outputs)
    assert result.success, result.message
    assert run.published_run(outputs) == result.run_dir.resolve()
    # The killed run's manifest no longer says "running": the refresh marked it abandoned.
    (killed,) = [p for p in (outputs / "runs").iterdir() if p.name != result.run_id]
    killed_manifest = json.loads((killed / "manifest.json").read_text(encoding="utf-8"))
    assert killed_manifest["status"] == "abandoned"
    assert killed_manifest["abandoned_noticed_at"]
    # Overriding a notebook parameter changes the results: retiring at 66 rather than 61
    # puts fewer people inside the five-year window.
    name = "retirement_risk_by_trust_group.csv"
    later = pl.read_csv(outputs / "latest" / "baseline" / "tables" / name)
    default = pl.read_csv(reference_outputs / "latest" / "baseline" / "tables" / name)
    assert later["near_retirement"].sum() < default["near_retirement"].sum()
    assert later["headcount"].to_list() == default["headcount"].to_list()


@pytest.mark.integration
def test_analyst_tables_hold_no_small_counts_of_people(reference_outputs):
    """Counts by age band, near retirement, leavers and retirements: suppressed by default."""
    latest = reference_outputs / "latest"
    checked = {
        "baseline/tables/age_profile_by_group.csv": ["headcount"],
        "baseline/tables/retirement_risk_by_trust_group.csv": ["near_retirement"],
        "demand/tables/supply_projection_by_grade.csv": [
            "leavers_headcount",
            "retirements_headcount",
        ],
    }
    for name, columns in checked.items():
        table = pl.read_csv(latest / name)
        for column in columns:
            values = table[column].drop_nulls().to_list()
            assert values, (name, column)
            assert all(v == 0 or (v > 7 and v % 5 == 0) for v in values), (name, column)
            assert table[column].null_count() > 0, (name, column)  # small cells were there
    assert not (latest / "internal").exists()  # exact counts only behind the switch


@pytest.mark.integration
def test_prune_keeps_configured_number_of_runs(reference_outputs, tmp_path):
    outputs = tmp_path / "outputs"
    (outputs / "runs").mkdir(parents=True)
    for index in range(4):
        (outputs / "runs" / f"2000010{index}T000000Z-0000").mkdir()
    config = _config(tmp_path, "none.yaml", BASELINE_ONLY.format(age=61.0))
    broken = tmp_path / "empty"
    broken.mkdir()
    result = run.refresh(config, broken, outputs, keep_runs=2)
    assert not result.success  # every required dataset is missing ...
    assert "missing required dataset" in result.message  # ... and each is named
    remaining = sorted(p.name for p in (outputs / "runs").iterdir())
    assert remaining == ["20000103T000000Z-0000", result.run_id]
