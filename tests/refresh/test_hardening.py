"""Hostile input and faults at the command line: encodings, configuration, killed runs, full disks.

Each test reproduces a finding of the hostile-input review (a Windows-1252 extract read with
replacement characters, a 1-in-0 rule reaching a notebook as a bare ZeroDivisionError, an
impossible date raising an unnamed ValueError, a killed run left ``running`` forever, a full
disk giving ``[Errno 28]`` with no path or step) and checks the behaviour now specified.
"""

from __future__ import annotations

import errno
import json
import shutil
from pathlib import Path

import polars as pl
import pytest

from lsc_workforce import cli, contracts, run
from lsc_workforce.config import CONFIG_DIR, REFERENCE_DATA_DIR, REPO_DIR, ConfigError
from lsc_workforce.contracts import ContractReport

pytestmark = pytest.mark.integration

SITE = "Royal Preston Hospital – A&E"


# --------------------------------------------------------------------------- trust extracts


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(REFERENCE_DATA_DIR, folder)
    return folder


@pytest.mark.slow
def test_validate_reads_excel_style_extracts_correctly(data_dir, tmp_path, capsys):
    """Windows-1252 and UTF-16 files and trailing blank lines, as Excel saves them: exit 0."""
    sites = data_dir / "sites.csv"
    text = sites.read_text(encoding="utf-8")
    name = text.splitlines()[1].split(",")[2]
    sites.write_bytes((text.replace(name, SITE, 1) + "\n").encode("cp1252"))  # blank last line
    vacancies = data_dir / "vacancies.csv"
    vacancies.write_bytes((vacancies.read_text(encoding="utf-8") + "\n,,,\n").encode("utf-16"))
    out = tmp_path / "v"
    code = cli.main(["validate", "--data-dir", str(data_dir), "--out", str(out)])
    captured = capsys.readouterr()
    assert code == cli.EXIT_OK, captured.err
    assert "all data contracts passed" in captured.out
    assert f"warning: {sites} is not UTF-8: read it as Windows-1252" in captured.err
    assert "Traceback" not in captured.err
    frames = contracts.load_validated(data_dir)
    assert frames["sites"]["site_name"][0] == SITE


def test_validate_names_a_decimal_comma(data_dir, tmp_path, capsys):
    staff = pl.read_csv(data_dir / "staff_in_post.csv", infer_schema=False)
    staff.with_columns(
        pl.when(pl.int_range(pl.len()) == 2).then(pl.lit("0,8")).otherwise("wte").alias("wte")
    ).write_csv(data_dir / "staff_in_post.csv")
    code = cli.main(["validate", "--data-dir", str(data_dir), "--out", str(tmp_path / "v")])
    assert code == cli.EXIT_FAILURE
    err = capsys.readouterr().err
    assert "staff_in_post.wte: decimal comma in a number (1 row)" in err
    assert "row 3: '0,8'" in err


# --------------------------------------------------------------------------- configuration


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "config"
    shutil.copytree(CONFIG_DIR, folder)
    return folder


#: Broken configuration: file, text replaced, replacement, what the message must name.
BROKEN = {
    "1-in-0": (
        "ooh/rota_rules.yaml",
        "value: 6",
        "value: 0",
        ["rota_rules.yaml", "oncall_one_in.value", "0 must be a whole number of at least 1"],
    ),
    "impossible date": (
        "refresh.yaml",
        "as_at: 2026-04-01",
        "as_at: 2026-02-30",
        ["refresh.yaml", "as_at: 2026-02-30 is not a valid date"],
    ),
    "non-finite number": (
        "ooh/costs.yaml",
        "percent: 8.0",
        "percent: .nan",
        ["costs.yaml", "percent: nan is not a finite number"],
    ),
    "parameter of the wrong type": (
        "refresh.yaml",
        "HORIZON_WEEKS: 13",
        'HORIZON_WEEKS: "thirteen"',
        ["refresh.yaml", "30_ooh_rota", "HORIZON_WEEKS: 'thirteen': expected int, got str"],
    ),
    "unknown scenario named by a parameter": (
        "refresh.yaml",
        "SCENARIO: central",
        "SCENARIO: centrall",
        ["refresh.yaml", "20_demand_capacity", "SCENARIO: ['centrall'] not in the configuration"],
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", list(BROKEN))
def test_invalid_configuration_exits_2_naming_file_key_and_value(
    case, config_dir, data_dir, tmp_path, capsys
):
    file, old, new, named = BROKEN[case]
    _edit(config_dir / file, old, new)
    out = tmp_path / "v"
    code = cli.main(
        [
            "validate",
            "--data-dir",
            str(data_dir),
            "--config-dir",
            str(config_dir),
            "--out",
            str(out),
        ]
    )
    err = capsys.readouterr().err
    assert code == cli.EXIT_USAGE, err
    assert err.startswith("error: invalid configuration") or err.startswith("error: ")
    for text in named:
        assert text in err, (text, err)
    assert "Traceback" not in err
    assert not out.exists()  # nothing validated or written


@pytest.mark.slow
def test_refresh_and_rota_check_refuse_a_1_in_0_rule_before_anything_runs(
    config_dir, tmp_path, capsys
):
    _edit(config_dir / "ooh" / "rota_rules.yaml", "value: 6", "value: 0")
    refresh_yaml = config_dir / "refresh.yaml"
    _edit(refresh_yaml, "config_dir: config ", f"config_dir: {config_dir} ")
    outputs = tmp_path / "outputs"
    code = cli.main(["refresh", "--config", str(refresh_yaml), "--outputs", str(outputs)])
    assert code == cli.EXIT_USAGE
    assert "oncall_one_in.value: 0" in capsys.readouterr().err
    assert not outputs.exists()  # no run folder, no lock, latest untouched
    rota = tmp_path / "rota.csv"
    rota.write_text("staff_id,date,shift\nS000001,2026-06-01,weeknight\n", encoding="utf-8")
    code = cli.main(
        [
            "rota",
            "check",
            str(rota),
            "--preset",
            "consultant_on_call",
            "--config-dir",
            str(config_dir),
        ]
    )
    assert code == cli.EXIT_USAGE
    assert "oncall_one_in.value: 0" in capsys.readouterr().err


# --------------------------------------------------------------------------- run lifecycle


@pytest.fixture
def fast_refresh(monkeypatch, tmp_path):
    """A refresh whose data validation and notebook are quick stand-ins; returns its YAML.

    The stand-ins write through the package's real writers, so the file-system behaviour
    (full disks included) is the real one.
    """
    monkeypatch.setattr(run, "validate_configuration", lambda *args, **kwargs: [])

    def validate_inputs(data_dir: Path, out_dir: Path) -> dict:
        contracts.write_report(ContractReport(), out_dir)
        return {"status": "passed", "seconds": 0.0, "datasets": {}}

    def run_notebook(spec, parameters, run_dir, config) -> run.NotebookResult:
        from lsc_workforce.report import write_tables  # noqa: PLC0415

        write_tables({"table": pl.DataFrame({"a": [1]})}, run_dir / "baseline" / "tables")
        return run.NotebookResult(spec.name, "succeeded", 0.0)

    monkeypatch.setattr(run, "validate_inputs", validate_inputs)
    monkeypatch.setattr(run, "run_notebook", run_notebook)
    path = tmp_path / "refresh.yaml"
    path.write_text(
        "keep_runs: 3\nnotebooks:\n  - name: 10_workforce_baseline\n"
        f"    path: {REPO_DIR / 'notebooks' / '10_workforce_baseline.ipynb'}\n",
        encoding="utf-8",
    )
    return path


def _manifest(run_dir: Path) -> dict:
    return json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))


def test_a_killed_run_is_marked_abandoned_by_the_next_refresh(fast_refresh, tmp_path):
    outputs = tmp_path / "outputs"
    killed = outputs / "runs" / "20000101T000000Z-dead"
    killed.mkdir(parents=True)
    (killed / "manifest.json").write_text(
        json.dumps({"run_id": killed.name, "status": "running", "message": ""}), encoding="utf-8"
    )
    partial = outputs / "runs" / "20000102T000000Z-part"
    (partial / "notebooks").mkdir(parents=True)  # a run that never wrote its manifest
    result = run.refresh(fast_refresh, REFERENCE_DATA_DIR, outputs)
    assert result.success, result.message
    dead = _manifest(killed)
    assert dead["status"] == "abandoned"
    assert dead["abandoned_noticed_at"]  # when it was noticed (a record, not a result)
    assert f"noticed by refresh {result.run_id}" in dead["message"]
    assert _manifest(partial)["status"] == "failed"
    assert _manifest(result.run_dir)["status"] == "succeeded"
    # Marked runs are pruned like the others.
    for _ in range(3):
        assert run.refresh(fast_refresh, REFERENCE_DATA_DIR, outputs).success
    assert not killed.exists()
    assert not partial.exists()


def _fill_disk(monkeypatch, names: set[str]) -> None:
    """Make writes of files with these names fail as a full disk does (no file name given)."""
    real = Path.write_text

    def write_text(self: Path, *args, **kwargs):
        if self.name in names:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", write_text)


def test_a_full_disk_names_step_and_path_and_the_next_refresh_succeeds(
    fast_refresh, tmp_path, monkeypatch, capsys
):
    outputs = tmp_path / "outputs"
    with monkeypatch.context() as full:
        _fill_disk(full, {"summary.json"})
        result = run.refresh(fast_refresh, REFERENCE_DATA_DIR, outputs)
    assert not result.success
    summary = result.run_dir / "validation" / "summary.json"
    assert result.message == (
        f"validating the data contracts failed: could not write {summary}: No space left on device"
    )
    assert _manifest(result.run_dir)["status"] == "failed"
    assert run.published_run(outputs) is None
    # Space is back: the next refresh runs and publishes.
    again = run.refresh(fast_refresh, REFERENCE_DATA_DIR, outputs)
    assert again.success, again.message
    assert run.published_run(outputs) == again.run_dir.resolve()


def test_a_full_disk_that_blocks_the_manifest_leaves_a_run_the_next_refresh_marks(
    fast_refresh, tmp_path, monkeypatch, capsys
):
    outputs = tmp_path / "outputs"
    stand_ins = {name: getattr(run, name) for name in ("validate_inputs", "run_notebook")}
    real_notebook = run.run_notebook

    def notebook_then_disk_full(*args, **kwargs):
        result = real_notebook(*args, **kwargs)
        _fill_disk(monkeypatch, {".manifest.json.tmp", "table.csv"})
        return result

    monkeypatch.setattr(run, "run_notebook", notebook_then_disk_full)
    code = cli.main(["refresh", "--config", str(fast_refresh), "--outputs", str(outputs)])
    err = capsys.readouterr().err
    assert code == cli.EXIT_FAILURE
    assert "writing manifest.json failed: could not write" in err
    assert "manifest.json: No space left on device" in err
    assert "outputs/latest was not changed" in err
    (stuck,) = (outputs / "runs").iterdir()
    assert _manifest(stuck)["status"] == "running"  # even the failure could not be recorded
    monkeypatch.undo()  # space is back
    monkeypatch.setattr(run, "validate_configuration", lambda *args, **kwargs: [])
    for name, stand_in in stand_ins.items():
        monkeypatch.setattr(run, name, stand_in)
    again = run.refresh(fast_refresh, REFERENCE_DATA_DIR, outputs)
    assert again.success, again.message
    assert _manifest(stuck)["status"] == "abandoned"


def test_a_configuration_error_inside_a_notebook_exits_2(fast_refresh, tmp_path, monkeypatch):
    def invalid(spec, parameters, run_dir, config) -> run.NotebookResult:
        return run.NotebookResult(
            spec.name, "failed", 0.0, error="cell 3: ConfigError: bad", error_type="ConfigError"
        )

    monkeypatch.setattr(run, "run_notebook", invalid)
    outputs = tmp_path / "outputs"
    args = ["refresh", "--config", str(fast_refresh), "--outputs", str(outputs)]
    assert cli.main(args) == cli.EXIT_USAGE
    result_dir = next((outputs / "runs").iterdir())
    manifest = _manifest(result_dir)
    assert manifest["status"] == "failed"
    assert "found invalid configuration" in manifest["message"]
    assert manifest["notebooks"][0]["error_type"] == "ConfigError"


def test_internal_outputs_switch_is_off_by_default_and_reaches_only_declaring_notebooks(
    fast_refresh, tmp_path, monkeypatch
):
    assert run.RefreshConfig.from_yaml(CONFIG_DIR / "refresh.yaml").internal_outputs is False
    seen: dict[str, dict] = {}

    def capture(spec, parameters, run_dir, config) -> run.NotebookResult:
        seen[spec.name] = dict(parameters)
        return run.NotebookResult(spec.name, "succeeded", 0.0)

    monkeypatch.setattr(run, "run_notebook", capture)
    path = tmp_path / "internal.yaml"
    path.write_text(
        "internal_outputs: true\nnotebooks:\n  - path: notebooks/00_data_quality.ipynb\n"
        "  - path: notebooks/10_workforce_baseline.ipynb\n",
        encoding="utf-8",
    )
    result = run.refresh(path, REFERENCE_DATA_DIR, tmp_path / "outputs")
    assert result.success, result.message
    assert seen["10_workforce_baseline"]["INTERNAL_OUTPUTS"] is True
    assert "INTERNAL_OUTPUTS" not in seen["00_data_quality"]
    assert _manifest(result.run_dir)["parameters"]["internal_outputs"] is True
    path.write_text("internal_outputs: 'yes'\nnotebooks:\n  - path: a.ipynb\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="internal_outputs: 'yes' must be bool"):
        run.RefreshConfig.from_yaml(path)
