"""Refresh runner pieces: configuration, locking, atomic publishing, pruning, hashing, CLI usage."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from lsc_workforce import cli, run
from lsc_workforce.config import CONFIG_DIR, REPO_DIR, ConfigError
from lsc_workforce.data import DataError
from lsc_workforce.errors import LscWorkforceError
from lsc_workforce.ooh.check import RotaInputError
from lsc_workforce.report import ReportError

pytestmark = pytest.mark.unit

HOLDER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from lsc_workforce.run import refresh_lock
    with refresh_lock(Path(sys.argv[1])):
        print("locked", flush=True)
        time.sleep(120)
    """
)


def _hold_lock(outputs: Path) -> subprocess.Popen:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(outputs)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "locked"
    return holder


def test_shipped_refresh_config_is_valid():
    config = run.RefreshConfig.from_yaml(CONFIG_DIR / "refresh.yaml")
    names = [spec.name for spec in config.notebooks]
    assert names[:2] == ["00_data_quality", "10_workforce_baseline"]
    assert all(spec.path.is_file() for spec in config.notebooks)
    assert config.as_at == dt.date(2026, 4, 1)
    assert config.data_dir == REPO_DIR / "data" / "reference"
    # The report's key figures read the demand, OOH and training tables: it waits for all three.
    report = config.notebooks[-1]
    assert set(config.needs(report)) >= {
        "20_demand_capacity",
        "30_ooh_rota",
        "40_training_pipeline",
    }


def _specs(tmp_path: Path, needs: dict[str, list[str] | None], parallel: int) -> run.RefreshConfig:
    notebooks = []
    for name, wants in needs.items():
        (tmp_path / f"{name}.ipynb").write_text("{}", encoding="utf-8")
        notebooks.append(
            run.NotebookSpec(
                name, tmp_path / f"{name}.ipynb", needs=None if wants is None else tuple(wants)
            )
        )
    return run.RefreshConfig(notebooks=tuple(notebooks), parallel=parallel)


class FakeNotebooks:
    """Stands in for ``run_notebook``: records the order of starts and ends; a notebook named
    in ``meets`` waits (up to 10 s) until that other notebook has started too, and fails if it
    never does; one named ``fail`` fails."""

    def __init__(self, meets: dict[str, str] | None = None) -> None:
        self.meets = meets or {}
        self.events: list[str] = []
        self.started: dict[str, threading.Event] = {}
        self.lock = threading.Lock()

    def __call__(self, spec, parameters, run_dir, config) -> run.NotebookResult:
        with self.lock:
            self.events.append(f"start {spec.name}")
            self.started.setdefault(spec.name, threading.Event()).set()
        status = "failed" if spec.name == "fail" else "succeeded"
        other = self.meets.get(spec.name)
        if other is not None:
            with self.lock:
                event = self.started.setdefault(other, threading.Event())
            if not event.wait(10):
                status = "failed"
        with self.lock:
            self.events.append(f"end {spec.name}")
        return run.NotebookResult(spec.name, status, error=None if status == "succeeded" else "x")


def test_independent_notebooks_run_side_by_side_and_a_report_waits_for_its_inputs(
    tmp_path, monkeypatch
):
    fake = FakeNotebooks(meets={"ooh": "training", "training": "ooh"})
    monkeypatch.setattr(run, "run_notebook", fake)
    monkeypatch.setattr(run, "notebook_parameters", lambda path: {})
    config = _specs(tmp_path, {"ooh": [], "training": [], "report": ["ooh", "training"]}, 2)
    lines: list[str] = []
    results = run.run_notebooks(config, {}, tmp_path, run.StepLog(3, lines.append))
    assert [r.status for r in results] == ["succeeded"] * 3  # each met the other running
    assert fake.events.index("start report") > max(
        fake.events.index("end ooh"), fake.events.index("end training")
    )
    assert len(lines) == 3


def test_without_needs_notebooks_run_one_after_another(tmp_path, monkeypatch):
    fake = FakeNotebooks()
    monkeypatch.setattr(run, "run_notebook", fake)
    monkeypatch.setattr(run, "notebook_parameters", lambda path: {})
    config = _specs(tmp_path, {"a": None, "b": None, "c": None}, 2)
    assert config.needs(config.notebooks[2]) == ("a", "b")
    run.run_notebooks(config, {}, tmp_path, run.StepLog(3, None))
    assert fake.events == ["start a", "end a", "start b", "end b", "start c", "end c"]


def test_after_a_failure_no_notebook_starts_and_the_rest_are_skipped(tmp_path, monkeypatch):
    fake = FakeNotebooks()
    monkeypatch.setattr(run, "run_notebook", fake)
    monkeypatch.setattr(run, "notebook_parameters", lambda path: {})
    config = _specs(tmp_path, {"fail": [], "later": None, "free": []}, 1)
    results = run.run_notebooks(config, {}, tmp_path, run.StepLog(3, None))
    assert [(r.name, r.status) for r in results] == [
        ("fail", "failed"),
        ("later", "skipped"),
        ("free", "skipped"),  # independent, but the run already failed
    ]
    skipped = run.run_notebooks(config, {}, tmp_path, run.StepLog(3, None), skip_all=True)
    assert {r.status for r in skipped} == {"skipped"}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("notebooks: []\n", "non-empty list"),
        (
            "notebooks:\n  - path: notebooks/x.ipynb\n    parameters: {DATA_DIR: x}\n",
            "set by the runner",
        ),
        ("notebooks:\n  - path: notebooks/x.ipynb\n    parameters: {lower: 1}\n", "UPPER_SNAKE"),
        ("notebooks:\n  - path: a.ipynb\nkeep_runs: 0\n", "keep_runs"),
        ("notebooks:\n  - path: a.ipynb\nas_at: 01/04/2026\n", "ISO 8601"),
        ("notebooks:\n  - path: a.ipynb\nbogus: 1\n", "unknown key"),
        ("notebooks:\n  - {path: a.ipynb, name: x}\n  - {path: b.ipynb, name: x}\n", "unique"),
        ("- just a list\n", "mapping"),
        ("notebooks:\n  - path: a.ipynb\nparallel: 0\n", "parallel must be at least 1"),
        ("notebooks:\n  - {path: a.ipynb, needs: a}\n", "list of notebook names"),
        (
            "notebooks:\n  - {path: a.ipynb, needs: [b]}\n  - {path: b.ipynb}\n",
            r"notebook a needs \['b'\]: 'needs' names notebooks listed above it",
        ),
    ],
)
def test_bad_refresh_config_is_named(tmp_path, body, message):
    path = tmp_path / "refresh.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        run.RefreshConfig.from_yaml(path)


def test_run_ids_sort_by_time_and_are_unique():
    early = run.new_run_id(dt.datetime(2026, 4, 1, 2, 0, tzinfo=dt.UTC))
    late = run.new_run_id(dt.datetime(2026, 4, 2, 2, 0, tzinfo=dt.UTC))
    assert early.startswith("20260401T020000Z-")
    assert early < late
    assert len({run.new_run_id() for _ in range(50)}) == 50


def test_hash_tree_is_sha256_and_skips_hidden(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.csv").write_bytes(b"abc")
    (tmp_path / ".hidden").write_bytes(b"x")
    hashes = run.hash_tree(tmp_path)
    assert hashes == {
        "sub/a.csv": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    }


def test_publish_swaps_latest_atomically_and_refuses_a_real_folder(tmp_path):
    runs = tmp_path / "runs"
    first, second = runs / "r1", runs / "r2"
    first.mkdir(parents=True)
    second.mkdir()
    run.publish_run(tmp_path, first)
    assert run.published_run(tmp_path) == first.resolve()
    assert os.readlink(tmp_path / "latest") == "runs/r1"  # relative: the folder can move
    run.publish_run(tmp_path, second)
    assert run.published_run(tmp_path) == second.resolve()
    assert not list(tmp_path.glob(".latest*"))  # no temp symlink left behind
    (tmp_path / "latest").unlink()
    (tmp_path / "latest").mkdir()
    with pytest.raises(run.RefreshError, match="not a symlink"):
        run.publish_run(tmp_path, first)


def test_prune_keeps_newest_and_published(tmp_path):
    runs = tmp_path / "runs"
    names = [f"2026040{i}T000000Z-0000" for i in range(1, 6)]
    for name in names:
        (runs / name).mkdir(parents=True)
    run.publish_run(tmp_path, runs / names[0])  # the oldest is the published one
    removed = run.prune_runs(tmp_path, keep=2)
    assert sorted(p.name for p in removed) == names[1:3]
    assert sorted(p.name for p in runs.iterdir()) == [names[0], *names[3:]]


@pytest.mark.slow
def test_second_refresh_refused_while_lock_held_then_free_after_kill(tmp_path):
    outputs = tmp_path / "outputs"
    holder = _hold_lock(outputs)
    try:
        with pytest.raises(run.RefreshLocked, match="already running"), run.refresh_lock(outputs):
            pass
        # The CLI says so in one line and exits 1, before touching the data.
        code = cli.main(["refresh", "--outputs", str(outputs), "--no-progress"])
        assert code == cli.EXIT_FAILURE
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=10)
    assert (outputs / run.LOCK_NAME).exists()  # the stale lock file is still there ...
    with run.refresh_lock(outputs):  # ... but the OS dropped the lock with the process
        pass
    assert not (outputs / "runs").exists()


def test_cli_lock_message(tmp_path, capsys):
    outputs = tmp_path / "outputs"
    holder = _hold_lock(outputs)
    try:
        assert cli.main(["refresh", "--outputs", str(outputs), "--no-progress"]) == 1
    finally:
        holder.kill()
        holder.wait(timeout=10)
    err = capsys.readouterr().err
    assert err.startswith("error: another refresh is already running")
    assert "Traceback" not in err


@pytest.mark.parametrize("command", [[], ["refresh"], ["validate"], ["make-reference-data"]])
def test_every_subcommand_has_help(command, capsys):
    assert cli.main([*command, "--help"]) == 0
    out = capsys.readouterr().out
    assert "usage: lsc-workforce" in out
    if command:
        assert "exit codes" in out


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["frobnicate"],
        ["refresh", "--no-such-option"],
        ["refresh", "--config", "/no/such/refresh.yaml"],
        ["refresh", "--data-dir", "/no/such/folder"],
        ["validate", "--data-dir", "/no/such/folder"],
        ["make-reference-data", "--seed", "not-a-number"],
        ["make-reference-data", "--scale", "0", "--out", "/tmp/unused"],
    ],
)
def test_bad_usage_exits_2_without_traceback(argv, capsys):
    assert cli.main(argv) == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.strip()


@pytest.mark.parametrize(
    ("error", "code", "message"),
    [
        (ConfigError("bad key"), cli.EXIT_USAGE, "error: bad key"),
        (RotaInputError("no such rota"), cli.EXIT_USAGE, "error: no such rota"),
        (DataError([{"dataset": "leave", "rule": "missing"}]), cli.EXIT_FAILURE, "leave: missing"),
        (run.RefreshError("cannot publish"), cli.EXIT_FAILURE, "error: cannot publish"),
        (ReportError("remote script"), cli.EXIT_FAILURE, "error: remote script"),
        (LscWorkforceError("any package error"), cli.EXIT_FAILURE, "error: any package error"),
        (OSError("disk full"), cli.EXIT_FAILURE, "error: disk full"),
        (RuntimeError("a bug"), cli.EXIT_FAILURE, "error: unexpected RuntimeError: a bug"),
    ],
)
def test_the_package_errors_map_to_exit_codes_without_traceback(
    monkeypatch, capsys, error, code, message
):
    def fail(args):
        raise error

    monkeypatch.setattr(cli, "_cmd_validate", fail)
    assert cli.main(["validate"]) == code
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_console_script_installed():
    script = Path(sys.executable).parent / "lsc-workforce"
    result = subprocess.run([script, "--help"], capture_output=True, text=True, check=False)
    assert result.returncode == 0
    assert "refresh" in result.stdout
