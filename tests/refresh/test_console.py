"""The refresh's console and the what-if command.

* papermill's own inspector (``papermill --help-notebook``) lists every parameter of every
  notebook with its declared type, so papermill applies them without "unknown parameter"
  warnings;
* a refresh captured into a file (stdout not a terminal) prints one line per step with its
  elapsed time, none of the kernel, solver or papermill noise, and ends with the pages to open;
* ``lsc-workforce run`` reads and checks ``-p`` values and never writes into published runs.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from lsc_workforce import run
from lsc_workforce.config import OUTPUTS_DIR, ConfigError
from lsc_workforce.config_checks import notebook_parameters

NOTEBOOKS = sorted(Path(run.DEFAULT_REFRESH_CONFIG).parent.parent.glob("notebooks/*.ipynb"))
PAPERMILL = Path(sys.executable).parent / "papermill"

#: Console noise the refresh must not print (each seen in earlier refresh logs).
NOISE = (
    "Kernel is running over TCP without encryption",
    "Running HiGHS",
    "Copyright (c)",
    "Unable to parse line",
    "Passed unknown parameter",
    "Traceback",
)

STEP_LINE = re.compile(
    r"^\[(?P<n>\d+)/(?P<total>\d+)\] (?P<name>\S.*?) +(?P<outcome>passed|succeeded|failed|skipped)"
    r" +(?P<seconds>\d+\.\d) s  \(total \d+:\d\d\)$"
)


@pytest.mark.unit
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_papermill_lists_every_parameter_with_its_type(notebook):
    done = subprocess.run(
        [str(PAPERMILL), "--help-notebook", str(notebook)],
        capture_output=True,
        text=True,
        check=True,
    )
    listed = dict(re.findall(r"^  (\w+): (\S+) \(default ", done.stdout, flags=re.M))
    declared = {name: p.annotation for name, p in notebook_parameters(notebook).items()}
    assert declared, f"{notebook.name} has no parameters cell"
    assert listed == declared
    assert "Unable to parse" not in done.stdout + done.stderr


@pytest.mark.unit
def test_step_log_prints_one_complete_line_per_step():
    lines: list[str] = []
    steps = run.StepLog(3, lines.append)
    steps.done("data contracts", "passed", 2.04)
    steps.done("10_workforce_baseline", "failed", 61.25)
    assert len(lines) == 2
    first, second = (STEP_LINE.match(line) for line in lines)
    assert first is not None
    assert second is not None
    assert (first["n"], first["total"], first["name"]) == ("1", "3", "data contracts")
    assert first["seconds"] == "2.0"
    assert (second["outcome"], second["seconds"]) == ("failed", "61.2")
    silent = run.StepLog(1, None)
    silent.done("x", "succeeded", 1.0)  # no echo: nothing printed, nothing raised
    assert silent.count == 1


@pytest.mark.integration
@pytest.mark.slow
def test_refresh_console_has_one_line_per_step_and_no_noise(reference_outputs, reference_console):
    lines = reference_console.splitlines()
    for noise in NOISE:
        assert noise not in reference_console, f"console shows {noise!r}:\n{reference_console}"
    steps = [m for m in map(STEP_LINE.match, lines) if m]
    manifest_notebooks = [
        spec.name for spec in run.RefreshConfig.from_yaml(run.DEFAULT_REFRESH_CONFIG).notebooks
    ]
    total = int(steps[0]["total"])
    assert [int(m["n"]) for m in steps] == list(range(1, total + 1))
    ok = ("passed", "succeeded")
    assert all(m["outcome"] in ok or m["name"] == "report PDF" for m in steps), reference_console
    assert set(manifest_notebooks) <= {m["name"] for m in steps}
    # Every line is a step, the summary, or a path to open; the last ones name the pages.
    other = [line for line in lines if not STEP_LINE.match(line)]
    allowed = re.compile(r"^(refresh \S+ succeeded|report PDF skipped: |[a-zA-Z ]+: /)")
    assert all(allowed.match(line) for line in other), other
    latest = reference_outputs / "latest"
    assert lines[-1] == f"index: {latest / run.INDEX_PAGE}"
    assert f"report: {latest / run.REPORT_PAGE}" in lines


@pytest.mark.unit
def test_run_parameters_are_typed_and_checked():
    config = run.RefreshConfig.from_yaml(run.DEFAULT_REFRESH_CONFIG)
    spec = run.find_notebook("30", config)
    assert spec.name == "30_ooh_rota"
    values = run.parse_parameter_values(
        spec,
        [("SERVICES", "[ir_oncall]"), ("TIME_LIMIT_S", "5"), ("AS_AT", "2026-04-01")],
    )
    assert values == {"SERVICES": ["ir_oncall"], "TIME_LIMIT_S": 5.0, "AS_AT": "2026-04-01"}
    with pytest.raises(ConfigError, match="has no parameter NOPE"):
        run.parse_parameter_values(spec, [("NOPE", "1")])
    with pytest.raises(ConfigError, match="HORIZON_WEEKS.*expected int"):
        run.parse_parameter_values(spec, [("HORIZON_WEEKS", "four")])
    with pytest.raises(ConfigError, match="matches several notebooks"):
        run.find_notebook("", config)


@pytest.mark.unit
@pytest.mark.parametrize("inside", ["latest", "runs/x"])
def test_run_refuses_to_write_into_published_runs(inside):
    with pytest.raises(ConfigError, match="choose a scratch folder"):
        run.run_one("10", out_dir=OUTPUTS_DIR / inside)


@pytest.mark.integration
@pytest.mark.slow
def test_run_one_notebook_into_a_scratch_folder(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "lsc_workforce.cli", "run", "10", "-p", "RETIREMENT_AGE", "60"]
        + ["--out", str(tmp_path / "what-if")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    html = tmp_path / "what-if" / "html" / "10_workforce_baseline.html"
    assert f"html: {html}" in done.stdout.splitlines()
    assert html.is_file()
    executed = (tmp_path / "what-if" / "notebooks" / "10_workforce_baseline.ipynb").read_text()
    assert "RETIREMENT_AGE = 60.0" in executed
    for noise in NOISE:
        assert noise not in done.stdout + done.stderr


@pytest.mark.unit
def test_a_missing_pdf_renderer_skips_the_pdf_with_one_clear_line(tmp_path, monkeypatch):
    monkeypatch.setenv("LSC_CHROMIUM", str(tmp_path / "no-chromium"))
    page = tmp_path / run.REPORT_PAGE
    page.parent.mkdir(parents=True)
    page.write_text("<html><body><h1>Report</h1></body></html>", encoding="utf-8")
    lines: list[str] = []
    section = run._report_pdf(tmp_path, run.StepLog(1, lines.append), skip=False)
    assert section["status"] == "skipped"
    assert not (tmp_path / run.REPORT_PDF).exists()
    assert STEP_LINE.match(lines[0])["outcome"] == "skipped"
    assert lines[1] == (
        f"report PDF skipped: Chromium not found at {tmp_path / 'no-chromium'}; "
        "install Debian's chromium package (apt-get install chromium) or set LSC_CHROMIUM to a "
        "Chromium executable"
    )
    assert len(lines) == 2
