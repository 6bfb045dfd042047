"""The scheduled refresh: validate the data, run the notebooks with papermill, publish the run.

One call to :func:`refresh` does, in order:

0. validates every configuration file and notebook parameter
   (:func:`lsc_workforce.config_checks.validate_configuration`); anything invalid stops it
   here, naming the file, key and value, before anything is written;
1. takes an OS-level lock (``outputs/.refresh.lock``; ``flock``, so the kernel releases it if
   the process dies) and refuses to start if another refresh holds it;
2. marks earlier runs whose manifest still says ``running`` as ``abandoned`` (their process
   was killed: with the lock held, no other refresh runs), creates ``outputs/runs/<run_id>/``
   and logs to its ``refresh.log``;
3. records SHA-256 hashes of every input, configuration and notebook file;
4. loads and validates the trust extracts against the data contracts, writing the results to
   ``validation/*.json`` and ``data_quality.html``; a contract failure stops the run here, before
   any modelling notebook;
5. executes the notebooks listed in ``config/refresh.yaml`` with papermill (executed copies in
   ``notebooks/``; what each kernel prints, such as solver logs, in ``logs/<name>.kernel.log``)
   and exports each to offline HTML (``html/``). A notebook starts once the notebooks it
   ``needs`` have succeeded (by default every notebook above it), up to ``parallel`` at once, in
   file order. The first failure stops the run: notebooks already running finish, the others
   are skipped;
5a. prints the training-gap report to an A4 PDF (:mod:`lsc_workforce.pdf`; skipped, saying why
   and how to enable it, when Chromium is missing), ends each notebook page with where its key
   figures appear elsewhere, and writes the outputs index ``index.html``
   (:mod:`lsc_workforce.outputs_index`) with the key figures beside the previous successful
   run's;
6. writes ``manifest.json`` (run id, start and end, status, git commit, package and solver
   versions, hashes, parameters, per-notebook status and duration, files produced);
7. publishes a fully successful run as ``outputs/latest`` by atomically replacing a symlink,
   so readers see the old run or the new one, never a mixture; a failed run keeps its partial
   outputs under its own id and ``latest`` is untouched;
8. prunes old runs beyond ``keep_runs`` (never the published one); failed, abandoned and
   incomplete runs are pruned like the others.

A write that fails (a full disk) fails the run with a message naming the step and the file;
once there is space again the next refresh runs normally. A notebook that raises a
``ConfigError`` fails the run as invalid configuration (``RunResult.configuration_error``; the
command line exits 2).

The console (``echo``, ``print`` in the command line) gets one complete line per step with its
time, also when it is a file, so a scheduled run's log shows progress.

Only run metadata (the run id, timestamps, durations) reads the wall clock; results depend on the
``as_at`` date in the configuration, and published pages carry its ``publication_date``.

:func:`run_one` runs a single notebook with changed parameters into a scratch folder, for
what-ifs (``lsc-workforce run``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import platform
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Literal

import papermill
import yaml
from filelock import FileLock, Timeout
from papermill.exceptions import PapermillExecutionError

from lsc_workforce import contracts
from lsc_workforce.config import (
    CONFIG_DIR,
    OUTPUTS_DIR,
    REFERENCE_AS_AT,
    REFERENCE_DATA_DIR,
    REPO_DIR,
    ConfigError,
    load_yaml,
    parse_date,
    repo_path,
)
from lsc_workforce.config_checks import (
    notebook_parameters,
    validate_configuration,
    validate_notebook_parameters,
)
from lsc_workforce.data import DataError
from lsc_workforce.errors import LscWorkforceError
from lsc_workforce.key_figures import read_key_figures
from lsc_workforce.outputs_index import cross_reference_pages, write_index
from lsc_workforce.pdf import render_pdf
from lsc_workforce.publication import is_reference_data
from lsc_workforce.report import export_notebook_html

DEFAULT_REFRESH_CONFIG = CONFIG_DIR / "refresh.yaml"
LOCK_NAME = ".refresh.lock"
LATEST_NAME = "latest"
RUNS_NAME = "runs"
#: Pages of a run folder named at the end of the refresh's console output.
REPORT_PAGE = "reports/training_gap_report.html"
REPORT_PDF = "reports/training_gap_report.pdf"
INDEX_PAGE = "index.html"

#: Parameters every notebook receives from the runner (they may not be set in the YAML).
RUNNER_PARAMETERS = ("DATA_DIR", "CONFIG_DIR", "OUTPUT_DIR", "AS_AT")
#: Parameters the runner passes only to notebooks whose parameters cell declares them.
OPTIONAL_RUNNER_PARAMETERS = ("INTERNAL_OUTPUTS",)

#: Packages whose versions go into the manifest.
MANIFEST_PACKAGES = (
    "lsc-workforce",
    "polars",
    "pandas",
    "numpy",
    "pyarrow",
    "great-expectations",
    "pulp",
    "highspy",
    "altair",
    "vl-convert-python",
    "great-tables",
    "playwright",
    "papermill",
    "nbconvert",
    "ipykernel",
    "filelock",
)

#: Where the refresh prints its one line per step (``print`` in the command line; ``None``: silent).
Echo = Callable[[str], None]

RunStatus = Literal["running", "succeeded", "failed", "abandoned"]
StepStatus = Literal["succeeded", "failed", "skipped"]

#: Errors a notebook raises for invalid configuration or parameters: the run then fails as
#: invalid configuration (exit code 2), not as a failed run.
CONFIGURATION_ERRORS = ("ConfigError", "RotaInputError", "RotaProblemError")

logger = logging.getLogger(__name__)


class RefreshError(LscWorkforceError, RuntimeError):
    """The refresh could not run or did not complete."""


class RefreshLocked(RefreshError):
    """Another refresh holds the lock."""


@dataclass(frozen=True)
class NotebookSpec:
    """One notebook of the refresh.

    Attributes:
        name: short name, used for output file names (``00_data_quality``).
        path: the source notebook.
        parameters: notebook-specific papermill parameters (UPPER_SNAKE literals).
        needs: names of the notebooks whose outputs it reads, all listed above it; ``None``
            means every notebook above it (the notebooks then run one after another).
    """

    name: str
    path: Path
    parameters: dict[str, Any] = field(default_factory=dict)
    needs: tuple[str, ...] | None = None


@dataclass(frozen=True)
class RefreshConfig:
    """The validated contents of ``config/refresh.yaml``.

    Attributes:
        notebooks: notebooks to execute, in order.
        data_dir: default folder of trust extracts (``--data-dir`` overrides it).
        config_dir: model configuration folder passed to notebooks as ``CONFIG_DIR``.
        as_at: planning "as at" date passed to notebooks as ``AS_AT``.
        keep_runs: how many runs to keep under ``outputs/runs/``.
        kernel_name: Jupyter kernel that executes the notebooks.
        cell_timeout_s: papermill's per-cell execution timeout, in seconds.
        start_timeout_s: how long to wait for a kernel to start, in seconds.
        internal_outputs: also write unsuppressed analyst tables to ``internal/`` (passed as
            ``INTERNAL_OUTPUTS`` to the notebooks that declare it); off by default.
        publication_date: the date published pages carry (default ``as_at``; never the clock).
        parallel: how many notebooks may run at once (each in its own kernel).
        source: the YAML file this came from.
    """

    notebooks: tuple[NotebookSpec, ...]
    data_dir: Path = REFERENCE_DATA_DIR
    config_dir: Path = CONFIG_DIR
    as_at: dt.date = REFERENCE_AS_AT
    keep_runs: int = 10
    kernel_name: str = "python3"
    cell_timeout_s: int = 1800
    start_timeout_s: int = 120
    internal_outputs: bool = False
    publication_date: dt.date | None = None
    parallel: int = 1
    source: Path | None = None

    def __post_init__(self) -> None:
        if self.keep_runs < 1:
            raise ConfigError(f"keep_runs must be at least 1, not {self.keep_runs}")
        if self.cell_timeout_s <= 0 or self.start_timeout_s <= 0:
            raise ConfigError("cell_timeout_s and start_timeout_s must be positive")
        if self.parallel < 1:
            raise ConfigError(f"parallel must be at least 1, not {self.parallel}")
        names = [spec.name for spec in self.notebooks]
        if len(set(names)) != len(names):
            raise ConfigError(f"notebook names must be unique, got {names}")
        for index, spec in enumerate(self.notebooks):
            unknown = sorted(set(spec.needs or ()) - set(names[:index]))
            if unknown:
                raise ConfigError(
                    f"notebook {spec.name} needs {unknown}: 'needs' names notebooks listed "
                    f"above it, from {names[:index]}"
                )

    def needs(self, spec: NotebookSpec) -> tuple[str, ...]:
        """The notebooks ``spec`` waits for: its ``needs``, or every notebook above it."""
        if spec.needs is not None:
            return spec.needs
        names = [s.name for s in self.notebooks]
        return tuple(names[: names.index(spec.name)])

    @classmethod
    def from_yaml(cls, path: str | Path = DEFAULT_REFRESH_CONFIG) -> RefreshConfig:
        """Read and validate a refresh configuration.

        Relative paths in the file are relative to the repository root.

        Args:
            path: the YAML file.

        Returns:
            The configuration.

        Raises:
            ConfigError: naming the file and the offending key.
        """
        path = Path(path).resolve()
        raw = load_yaml(path)
        if not isinstance(raw, dict):
            raise ConfigError(f"{path}: expected a mapping at the top level")
        known = {
            "notebooks",
            "data_dir",
            "config_dir",
            "as_at",
            "keep_runs",
            "kernel_name",
            "cell_timeout_s",
            "start_timeout_s",
            "internal_outputs",
            "publication_date",
            "parallel",
        }
        unknown = sorted(set(raw) - known)
        if unknown:
            raise ConfigError(f"{path}: unknown key(s) {unknown}; allowed: {sorted(known)}")
        entries = raw.get("notebooks")
        if not isinstance(entries, list) or not entries:
            raise ConfigError(f"{path}: 'notebooks' must be a non-empty list")
        notebooks = tuple(_notebook_spec(entry, index, path) for index, entry in enumerate(entries))
        try:
            return cls(
                notebooks=notebooks,
                data_dir=repo_path(raw.get("data_dir", REFERENCE_DATA_DIR)),
                config_dir=repo_path(raw.get("config_dir", CONFIG_DIR)),
                as_at=_as_at(raw.get("as_at", REFERENCE_AS_AT)),
                keep_runs=_setting(raw, "keep_runs", 10, int),
                kernel_name=_setting(raw, "kernel_name", "python3", str),
                cell_timeout_s=_setting(raw, "cell_timeout_s", 1800, int),
                start_timeout_s=_setting(raw, "start_timeout_s", 120, int),
                internal_outputs=_setting(raw, "internal_outputs", False, bool),
                parallel=_setting(raw, "parallel", 1, int),
                publication_date=(
                    parse_date(raw["publication_date"]) if raw.get("publication_date") else None
                ),
                source=path,
            )
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"{path}: {exc}") from exc


def _setting(raw: Mapping[str, Any], key: str, default: Any, kind: type) -> Any:
    """A top-level setting of the refresh configuration, of exactly its type."""
    value = raw.get(key, default)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ConfigError(f"{key}: {value!r} must be {kind.__name__}")
    return value


def _as_at(value: Any) -> dt.date:
    """The ``as_at`` date, naming the key in the error."""
    try:
        return parse_date(value)
    except ConfigError as exc:
        raise ConfigError(f"as_at: {exc}") from exc


def _notebook_spec(entry: Any, index: int, source: Path) -> NotebookSpec:
    where = f"{source}: notebooks[{index}]"
    if not isinstance(entry, dict) or "path" not in entry:
        raise ConfigError(f"{where} must be a mapping with at least 'path'")
    unknown = sorted(set(entry) - {"name", "path", "parameters", "needs"})
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {unknown}")
    path = repo_path(entry["path"])
    parameters = entry.get("parameters") or {}
    if not isinstance(parameters, dict):
        raise ConfigError(f"{where}: 'parameters' must be a mapping")
    clash = sorted(set(parameters) & {*RUNNER_PARAMETERS, *OPTIONAL_RUNNER_PARAMETERS})
    if clash:
        raise ConfigError(f"{where}: {clash} are set by the runner and cannot be overridden")
    bad = sorted(name for name in parameters if not str(name).isupper())
    if bad:
        raise ConfigError(f"{where}: parameter names must be UPPER_SNAKE, got {bad}")
    needs = entry.get("needs")
    if needs is not None and (
        not isinstance(needs, list) or not all(isinstance(n, str) for n in needs)
    ):
        raise ConfigError(f"{where}: 'needs' must be a list of notebook names")
    return NotebookSpec(
        name=str(entry.get("name", path.stem)),
        path=path,
        parameters=parameters,
        needs=None if needs is None else tuple(needs),
    )


@dataclass(frozen=True)
class NotebookResult:
    """What happened to one notebook in a run.

    Attributes:
        name: the notebook's short name.
        status: ``succeeded``, ``failed`` or ``skipped`` (an earlier step failed).
        seconds: execution plus export time.
        executed: the executed notebook, if papermill wrote one.
        html: the offline HTML export, if made.
        error: one-line description of the failure.
        error_type: the exception's class name when a cell raised one (``ConfigError``).
    """

    name: str
    status: StepStatus
    seconds: float = 0.0
    executed: Path | None = None
    html: Path | None = None
    error: str | None = None
    error_type: str | None = None


@dataclass(frozen=True)
class RunResult:
    """The outcome of :func:`refresh`.

    Attributes:
        run_id: the run's id (folder name under ``outputs/runs/``).
        run_dir: the run's folder.
        status: ``succeeded`` or ``failed``.
        message: one-line summary naming the problem when failed.
        published: whether ``outputs/latest`` now points at this run.
        notebooks: per-notebook results, in configuration order.
        manifest: path of ``manifest.json``.
        seconds: wall time of the whole refresh.
        configuration_error: the run failed because a notebook found its configuration or
            parameters invalid (the command line exits 2, as for any invalid configuration).
    """

    run_id: str
    run_dir: Path
    status: RunStatus
    message: str
    published: bool
    notebooks: tuple[NotebookResult, ...]
    manifest: Path
    seconds: float
    configuration_error: bool = False

    @property
    def success(self) -> bool:
        """True when every step succeeded and the run was published."""
        return self.status == "succeeded"

    def headline_paths(self) -> list[tuple[str, Path]]:
        """The published pages a reader opens first, as ``(label, path under latest)``.

        The training-gap report (and its PDF when one was made) and the outputs index; only
        files the run produced are listed.
        """
        latest = self.run_dir.parent.parent / LATEST_NAME
        wanted = (("report", REPORT_PAGE), ("report PDF", REPORT_PDF), ("index", INDEX_PAGE))
        return [
            (label, latest / relative)
            for label, relative in wanted
            if (self.run_dir / relative).is_file()
        ]


# --- locking -----------------------------------------------------------------------------------


@contextmanager
def refresh_lock(outputs_dir: Path) -> Iterator[Path]:
    """Hold the refresh lock of an outputs folder for the duration of a ``with`` block.

    The lock is an ``flock`` on ``outputs/.refresh.lock``: the operating system drops it when the
    holding process exits or is killed, so a stale lock file never blocks the next refresh.

    Args:
        outputs_dir: the outputs folder (created if missing).

    Yields:
        The lock file path.

    Raises:
        RefreshLocked: if another process holds the lock.
    """
    outputs_dir = Path(outputs_dir)
    outputs_dir.mkdir(parents=True, exist_ok=True)
    lock_path = outputs_dir / LOCK_NAME
    # fallback_to_soft=False: a soft (file-exists) lock would survive a killed process.
    lock = FileLock(lock_path, timeout=0, fallback_to_soft=False, preserve_lock_file=True)
    try:
        lock.acquire()
    except Timeout as exc:
        raise RefreshLocked(
            f"another refresh is already running (lock {lock_path} is held); try again later"
        ) from exc
    try:
        yield lock_path
    finally:
        lock.release()


# --- helpers -----------------------------------------------------------------------------------


def new_run_id(now: dt.datetime | None = None) -> str:
    """Return a sortable, unique run id such as ``20260401T020000Z-3fa2``.

    Args:
        now: the UTC time to stamp (default: now; run ids are metadata, not results).

    Returns:
        The run id.
    """
    now = now or dt.datetime.now(dt.UTC)
    return f"{now.strftime('%Y%m%dT%H%M%SZ')}-{os.urandom(2).hex()}"


def sha256_file(path: Path) -> str:
    """SHA-256 hex digest of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def hash_tree(root: Path) -> dict[str, str]:
    """SHA-256 of every file under a folder (or of one file), keyed by relative POSIX path.

    Hidden files and ``__pycache__`` folders are skipped.

    Args:
        root: a folder or a single file.

    Returns:
        ``{relative_path: sha256}``, sorted by path; empty if ``root`` does not exist.
    """
    root = Path(root)
    if root.is_file():
        return {root.name: sha256_file(root)}
    if not root.is_dir():
        return {}
    hashes = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if not path.is_file() or any(
            part.startswith(".") or part == "__pycache__" for part in relative.parts
        ):
            continue
        hashes[relative.as_posix()] = sha256_file(path)
    return hashes


def package_versions(names: tuple[str, ...] = MANIFEST_PACKAGES) -> dict[str, str | None]:
    """Installed versions of the given distributions (``None`` if not installed)."""
    versions: dict[str, str | None] = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def git_state(repo_dir: Path = REPO_DIR) -> dict[str, Any]:
    """The git commit of the code and whether tracked files differ from it.

    Returns:
        ``{"commit": sha | None, "dirty": bool | None}``; ``None`` where git or a commit is absent.
    """

    def _git(*args: str) -> subprocess.CompletedProcess[str] | None:
        try:
            return subprocess.run(
                ["git", *args],
                cwd=repo_dir,
                capture_output=True,
                text=True,
                timeout=20,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            return None

    head = _git("rev-parse", "HEAD")
    if head is None or head.returncode != 0:
        return {"commit": None, "dirty": None}
    diff = _git("diff-index", "--quiet", "HEAD", "--")
    return {"commit": head.stdout.strip(), "dirty": None if diff is None else diff.returncode != 0}


def _write_json(path: Path, payload: Mapping[str, Any]) -> None:
    """Write JSON atomically (temp file + rename) so a reader never sees half a manifest.

    Raises:
        OSError: naming ``path`` (a full disk's error names no file by itself).
    """
    temp = path.with_name(f".{path.name}.tmp")
    try:
        temp.write_text(json.dumps(payload, indent=2, default=str) + "\n", encoding="utf-8")
        os.replace(temp, path)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from exc


def mark_abandoned_runs(outputs_dir: Path, noticed_by: str) -> list[Path]:
    """Mark runs whose refresh died without finishing, so no manifest says ``running`` forever.

    Call it only while holding the refresh lock: then no other refresh is running, so a
    manifest still saying ``running`` belongs to a process that was killed (or a machine that
    stopped). It becomes ``abandoned``, with the time this was noticed. A run folder without a
    manifest (its refresh stopped before writing one, e.g. on a full disk) gets one saying
    ``failed``. Both are then pruned like any other run.

    Args:
        outputs_dir: the outputs folder.
        noticed_by: the run id of the refresh that noticed, recorded in the manifest.

    Returns:
        The run folders marked.
    """
    runs_dir = Path(outputs_dir) / RUNS_NAME
    if not runs_dir.is_dir():
        return []
    noticed = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")  # a record, not a result
    marked = []
    for run_dir in sorted(p for p in runs_dir.iterdir() if p.is_dir()):
        path = run_dir / "manifest.json"
        try:
            manifest = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
        except (OSError, ValueError):
            manifest = None
        if isinstance(manifest, dict) and manifest.get("status") != "running":
            continue
        if isinstance(manifest, dict):
            manifest.update(
                status="abandoned",
                message="the refresh stopped without finishing (its process was killed, the "
                f"machine stopped or the disk was full); noticed by refresh {noticed_by}",
                published=False,
                abandoned_noticed_at=noticed,
            )
        else:
            manifest = {
                "run_id": run_dir.name,
                "status": "failed",
                "message": "incomplete run folder without a readable manifest (its refresh "
                f"stopped before writing one); noticed by refresh {noticed_by}",
                "published": False,
                "abandoned_noticed_at": noticed,
            }
        try:
            _write_json(path, manifest)
        except OSError as exc:
            logger.warning("could not mark run %s %s: %s", run_dir.name, manifest["status"], exc)
            continue
        logger.warning(
            "run %s marked %s: %s", run_dir.name, manifest["status"], manifest["message"]
        )
        marked.append(run_dir)
    return marked


def _describe_os_error(exc: OSError) -> str:
    """``could not write PATH: No space left on device`` (or the error itself)."""
    if exc.filename:
        return f"could not write {exc.filename}: {exc.strerror or exc}"
    return f"{type(exc).__name__}: {_one_line(exc)}"


def publish_run(outputs_dir: Path, run_dir: Path) -> Path:
    """Point ``outputs/latest`` at a run by atomically replacing a relative symlink.

    Args:
        outputs_dir: the outputs folder.
        run_dir: the run folder (inside ``outputs_dir/runs``).

    Returns:
        The ``latest`` path.

    Raises:
        RefreshError: if ``latest`` exists and is a real folder or file, not a symlink.
    """
    latest = Path(outputs_dir) / LATEST_NAME
    if latest.exists() and not latest.is_symlink():
        raise RefreshError(f"{latest} is not a symlink; move it away so runs can be published")
    target = Path(os.path.relpath(run_dir, outputs_dir))
    temp = Path(outputs_dir) / f".{LATEST_NAME}.{run_dir.name}.tmp"
    if temp.is_symlink() or temp.exists():
        temp.unlink()
    temp.symlink_to(target, target_is_directory=True)
    os.replace(temp, latest)  # rename(2) over the old symlink: atomic on POSIX
    return latest


def published_run(outputs_dir: Path) -> Path | None:
    """The run folder ``outputs/latest`` points at, or ``None`` if nothing is published."""
    latest = Path(outputs_dir) / LATEST_NAME
    if not latest.is_symlink():
        return None
    return latest.resolve()


def prune_runs(outputs_dir: Path, keep: int, protect: tuple[Path, ...] = ()) -> list[Path]:
    """Delete the oldest run folders beyond ``keep``, never the published run or ``protect``.

    Args:
        outputs_dir: the outputs folder.
        keep: how many of the newest runs to keep.
        protect: run folders that must survive (e.g. the current run).

    Returns:
        The folders deleted.
    """
    runs_dir = Path(outputs_dir) / RUNS_NAME
    if not runs_dir.is_dir():
        return []
    runs = sorted((p for p in runs_dir.iterdir() if p.is_dir()), key=lambda p: p.name)
    keep_set = {p.resolve() for p in protect}
    latest = published_run(outputs_dir)
    if latest is not None:
        keep_set.add(latest)
    removed = []
    for run in runs[: max(len(runs) - keep, 0)]:
        if run.resolve() in keep_set:
            continue
        shutil.rmtree(run, ignore_errors=True)
        removed.append(run)
    return removed


def _one_line(text: object, limit: int = 400) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


# --- the steps -----------------------------------------------------------------------------------


def validate_inputs(data_dir: Path, out_dir: Path) -> dict[str, Any]:
    """Load and validate the trust extracts, writing results to ``out_dir``.

    Args:
        data_dir: folder of trust extracts.
        out_dir: the run folder; the GX results go to ``out_dir/validation/*.json`` and the
            report to ``out_dir/data_quality.html``.

    Returns:
        A manifest section: ``status``, ``seconds``, ``summary``, ``datasets`` (rows per dataset).

    Raises:
        lsc_workforce.contracts.ContractViolation: a contract failed.
        lsc_workforce.data.DataError: a dataset is missing or unreadable.
    """
    start = time.perf_counter()
    frames = contracts.load_validated(Path(data_dir), out_dir=Path(out_dir))
    return {
        "status": "passed",
        "seconds": round(time.perf_counter() - start, 3),
        "datasets": {name: frame.height for name, frame in sorted(frames.items())},
    }


def run_notebook(
    spec: NotebookSpec,
    parameters: Mapping[str, Any],
    run_dir: Path,
    config: RefreshConfig,
) -> NotebookResult:
    """Execute one notebook with papermill and export it to offline HTML.

    A failing cell still leaves the executed notebook (with the error in it) for inspection.

    Args:
        spec: the notebook.
        parameters: all parameters (runner's plus the notebook's own).
        run_dir: the run folder; writes ``notebooks/<name>.ipynb`` and ``html/<name>.html``.
        config: supplies the kernel name and timeouts.

    Returns:
        The notebook's result (never raises for a notebook failure).
    """
    start = time.perf_counter()
    executed = run_dir / "notebooks" / f"{spec.name}.ipynb"
    html = run_dir / "html" / f"{spec.name}.html"
    executed.parent.mkdir(parents=True, exist_ok=True)
    if not spec.path.is_file():
        return NotebookResult(spec.name, "failed", 0.0, error=f"notebook {spec.path} not found")
    try:
        papermill.execute_notebook(
            str(spec.path),
            str(executed),
            parameters=dict(parameters),
            kernel_name=config.kernel_name,
            progress_bar=False,
            log_output=False,
            start_timeout=config.start_timeout_s,
            execution_timeout=config.cell_timeout_s,
            kernel_manager_class=quiet_kernel_manager(
                run_dir / "logs" / f"{spec.name}.kernel.log", cwd=run_dir
            ),
        )
    except PapermillExecutionError as exc:
        error = f"cell {exc.exec_count}: {exc.ename}: {_one_line(exc.evalue)}"
        return NotebookResult(
            spec.name, "failed", time.perf_counter() - start, executed, None, error, exc.ename
        )
    except Exception as exc:  # kernel death, timeouts, bad notebook JSON: all end the run
        error = f"{type(exc).__name__}: {_one_line(exc)}"
        return NotebookResult(
            spec.name,
            "failed",
            time.perf_counter() - start,
            executed if executed.exists() else None,
            None,
            error,
        )
    try:
        synthetic = is_reference_data(parameters.get("DATA_DIR"))
        export_notebook_html(executed, html, synthetic=synthetic)
    except Exception as exc:  # an export problem fails the run but keeps the executed notebook
        error = f"HTML export to {html} failed: {type(exc).__name__}: {_one_line(exc)}"
        return NotebookResult(
            spec.name, "failed", time.perf_counter() - start, executed, None, error
        )
    return NotebookResult(spec.name, "succeeded", time.perf_counter() - start, executed, html)


def run_notebooks(
    config: RefreshConfig,
    common: Mapping[str, Any],
    run_dir: Path,
    steps: StepLog,
    *,
    skip_all: bool = False,
) -> list[NotebookResult]:
    """Run the refresh's notebooks, each once the notebooks it needs have succeeded.

    Up to ``config.parallel`` notebooks run at once, each in its own kernel, started in file
    order. After the first failure no notebook starts: those running finish, the rest are
    skipped.

    Args:
        config: the notebooks, their ``needs`` and ``parallel``.
        common: the runner's parameters (``DATA_DIR``, ``CONFIG_DIR``, ``OUTPUT_DIR``, ``AS_AT``).
        run_dir: the run folder.
        steps: the console, told of each notebook as it ends.
        skip_all: skip every notebook (an earlier step failed).

    Returns:
        One result per notebook, in file order.
    """
    done: dict[str, NotebookResult] = {}
    waiting = [] if skip_all else list(config.notebooks)
    failed = skip_all
    with ThreadPoolExecutor(max_workers=config.parallel) as pool:
        running: dict[Future[NotebookResult], NotebookSpec] = {}
        while waiting or running:
            for spec in list(waiting):
                if failed or len(running) == config.parallel:
                    break
                if all(name in done for name in config.needs(spec)):
                    waiting.remove(spec)
                    logger.info("executing notebook %s (%s)", spec.name, spec.path)
                    future = pool.submit(
                        run_notebook, *_notebook_call(spec, common, run_dir, config)
                    )
                    running[future] = spec
            if not running:
                break
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                spec = running.pop(future)
                result = done[spec.name] = future.result()
                if result.status == "failed":
                    failed = True
                    logger.error("notebook %s failed: %s", spec.name, result.error)
                else:
                    logger.info("notebook %s succeeded in %.1f s", spec.name, result.seconds)
                steps.done(spec.name, result.status, result.seconds)
    for spec in config.notebooks:
        if spec.name not in done:
            done[spec.name] = NotebookResult(spec.name, "skipped")
            steps.done(spec.name, "skipped", 0.0)
    return [done[spec.name] for spec in config.notebooks]


def _notebook_call(
    spec: NotebookSpec, common: Mapping[str, Any], run_dir: Path, config: RefreshConfig
) -> tuple[NotebookSpec, dict[str, Any], Path, RefreshConfig]:
    """Arguments of :func:`run_notebook`: the runner's parameters, those the notebook declares."""
    optional = {"INTERNAL_OUTPUTS": config.internal_outputs}
    declared = notebook_parameters(spec.path)
    passed = {k: v for k, v in optional.items() if k in declared}
    return spec, {**common, **passed, **spec.parameters}, run_dir, config


def _attach_log(run_dir: Path) -> logging.Handler:
    handler = logging.FileHandler(run_dir / "refresh.log", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    handler.setLevel(logging.INFO)
    package_logger = logging.getLogger("lsc_workforce")
    package_logger.addHandler(handler)
    if package_logger.level == logging.NOTSET or package_logger.level > logging.INFO:
        package_logger.setLevel(logging.INFO)
    return handler


def quiet_kernel_manager(log_path: Path, cwd: Path | None = None) -> type:
    """A Jupyter kernel manager whose kernel writes its own stdout and stderr to ``log_path``.

    The kernel process otherwise inherits the console: solver banners printed by compiled code
    (HiGHS writes to the C ``stdout``, not to the cell) and ipykernel's start-up warnings
    ("Kernel is running over TCP without encryption"; the kernel listens on the loopback
    address only) would fill the refresh's console. They are kept in the run's ``logs/``.

    The kernel starts in ``cwd`` (papermill's own ``cwd`` changes the whole process's working
    folder, which notebooks running side by side in threads would fight over).

    Args:
        log_path: the kernel log (appended to; its folder is created).
        cwd: the kernel's working folder (default: this process's).

    Returns:
        A subclass of ``jupyter_client.AsyncKernelManager`` for papermill's
        ``kernel_manager_class``.
    """
    from jupyter_client.manager import AsyncKernelManager  # noqa: PLC0415

    class QuietKernelManager(AsyncKernelManager):
        async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
            log_path.parent.mkdir(parents=True, exist_ok=True)
            with log_path.open("ab") as handle:  # the kernel keeps its own copy of the handle
                kw.setdefault("stdout", handle)
                kw.setdefault("stderr", handle)
                if cwd is not None:
                    kw["cwd"] = str(cwd)
                await super()._async_launch_kernel(kernel_cmd, **kw)

    return QuietKernelManager


class StepLog:
    """The refresh's console: one line per step with its outcome and elapsed time.

    Lines are complete when printed (no progress bar redrawn in place), so a console captured
    into a log file reads the same as a terminal.
    """

    def __init__(self, total: int, echo: Echo | None) -> None:
        self.total = total
        self.echo = echo
        self.count = 0
        self.start = time.perf_counter()

    def done(self, name: str, outcome: str, seconds: float) -> None:
        """Print ``[3/9] 20_demand_capacity  succeeded  41.2 s  (total 1:05)``."""
        self.count += 1
        if self.echo is None:
            return
        total = int(time.perf_counter() - self.start)
        self.echo(
            f"[{self.count}/{self.total}] {name:<26} {outcome:<9} {seconds:7.1f} s"
            f"  (total {total // 60}:{total % 60:02d})"
        )


def _describe_validation_error(exc: Exception) -> str:
    summary = getattr(getattr(exc, "report", None), "summary", None)
    text = summary() if callable(summary) else str(exc)
    return f"data contract failure, nothing downstream was run:\n{text}"


def refresh(
    config_path: str | Path | None = None,
    data_dir: str | Path | None = None,
    outputs_dir: str | Path | None = None,
    *,
    keep_runs: int | None = None,
    echo: Echo | None = None,
    run_id: str | None = None,
) -> RunResult:
    """Run the whole refresh (see the module docstring) and publish it if it succeeds.

    Args:
        config_path: refresh YAML (default ``config/refresh.yaml``).
        data_dir: trust extracts (default: the YAML's ``data_dir``, i.e. ``data/reference/``).
        outputs_dir: outputs folder (default ``outputs/``).
        keep_runs: override the YAML's ``keep_runs``.
        echo: called with one line per finished step (e.g. ``print``); ``None``: silent.
        run_id: use this run id instead of a new one (tests).

    Returns:
        The run's result; ``result.success`` is False for a data or notebook failure, with
        ``result.message`` naming the problem.

    Raises:
        ConfigError: the configuration (any file, or a notebook parameter) is invalid, or a
            folder does not exist; nothing has run.
        RefreshLocked: another refresh is running.
        RefreshError: the run folder could not be created or the run could not be published.
    """
    wall_start = time.perf_counter()
    config = RefreshConfig.from_yaml(config_path or DEFAULT_REFRESH_CONFIG)
    data_dir = Path(data_dir).resolve() if data_dir is not None else config.data_dir
    outputs_dir = Path(outputs_dir).resolve() if outputs_dir is not None else OUTPUTS_DIR
    keep = keep_runs if keep_runs is not None else config.keep_runs
    if keep < 1:
        raise ConfigError(f"keep_runs must be at least 1, not {keep}")
    if not data_dir.is_dir():
        raise ConfigError(f"data folder {data_dir} does not exist")
    if not config.config_dir.is_dir():
        raise ConfigError(f"configuration folder {config.config_dir} does not exist")
    missing = [str(spec.path) for spec in config.notebooks if not spec.path.is_file()]
    if missing:
        raise ConfigError(f"{config.source}: notebook(s) not found: {missing}")
    # Every configuration file and notebook parameter, before the lock or any notebook.
    validate_configuration(config.config_dir, config.source)

    with refresh_lock(outputs_dir):
        run_id = run_id or new_run_id()
        run_dir = outputs_dir / RUNS_NAME / run_id
        if run_dir.exists():
            raise RefreshError(f"run folder {run_dir} already exists")
        mark_abandoned_runs(outputs_dir, noticed_by=run_id)
        try:
            run_dir.mkdir(parents=True)
            handler = _attach_log(run_dir)
        except OSError as exc:
            raise RefreshError(
                f"creating the run folder failed: {_describe_os_error(exc)}"
            ) from exc
        try:
            return _run(
                config=config,
                data_dir=data_dir,
                outputs_dir=outputs_dir,
                run_dir=run_dir,
                keep=keep,
                echo=echo,
                wall_start=wall_start,
            )
        finally:
            logging.getLogger("lsc_workforce").removeHandler(handler)
            handler.close()


def _run(
    *,
    config: RefreshConfig,
    data_dir: Path,
    outputs_dir: Path,
    run_dir: Path,
    keep: int,
    echo: Echo | None,
    wall_start: float,
) -> RunResult:
    started = dt.datetime.now(dt.UTC)
    common = {
        "DATA_DIR": str(data_dir),
        "CONFIG_DIR": str(config.config_dir),
        "OUTPUT_DIR": str(run_dir),
        "AS_AT": config.as_at.isoformat(),
    }
    manifest: dict[str, Any] = {
        "run_id": run_dir.name,
        "status": "running",
        "message": "",
        "published": False,
        "started_at": started.isoformat(timespec="seconds"),
        "finished_at": None,
        "seconds": None,
        "git": git_state(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "packages": package_versions(),
        "solvers": {"highs": package_versions(("highspy",))["highspy"], "pulp": None},
        "parameters": {
            "refresh_config": str(config.source),
            "data_dir": str(data_dir),
            "config_dir": str(config.config_dir),
            "outputs_dir": str(outputs_dir),
            "as_at": config.as_at.isoformat(),
            "publication_date": (config.publication_date or config.as_at).isoformat(),
            "keep_runs": keep,
            "kernel_name": config.kernel_name,
            "internal_outputs": config.internal_outputs,
            "notebooks": {spec.name: dict(spec.parameters) for spec in config.notebooks},
        },
        "inputs": {
            "data": hash_tree(data_dir),
            "config": hash_tree(config.config_dir),
            "refresh_config": {str(config.source): sha256_file(config.source)}
            if config.source
            else {},
            "notebooks": {spec.name: sha256_file(spec.path) for spec in config.notebooks},
        },
        "validation": {"status": "not_run"},
        "notebooks": [],
        "outputs": [],
    }
    manifest["solvers"]["pulp"] = manifest["packages"].get("pulp")
    manifest_path = run_dir / "manifest.json"
    results: list[NotebookResult] = []
    status: RunStatus = "succeeded"
    message = ""
    configuration_error = False
    published = False
    step = "writing manifest.json"
    steps = StepLog(len(config.notebooks) + 4, echo)
    try:
        _write_json(manifest_path, manifest)
        logger.info("refresh %s started: data %s, config %s", run_dir.name, data_dir, config.source)
        step = "validating the data contracts"
        try:
            manifest["validation"] = validate_inputs(data_dir, run_dir)
            logger.info("data contracts passed (%.1f s)", manifest["validation"]["seconds"])
        except (contracts.ContractViolation, DataError) as exc:
            status, message = "failed", _describe_validation_error(exc)
            manifest["validation"] = {"status": "failed", "summary": message}
            logger.error(message)
        steps.done(
            "data contracts",
            manifest["validation"]["status"],
            manifest["validation"].get("seconds", 0.0),
        )

        step = "running the notebooks"
        results = run_notebooks(config, common, run_dir, steps, skip_all=status == "failed")
        failed = next((r for r in results if r.status == "failed"), None)
        if failed is not None:
            status = "failed"
            configuration_error = failed.error_type in CONFIGURATION_ERRORS
            kind = "found invalid configuration" if configuration_error else "failed"
            message = f"notebook {failed.name} {kind}: {failed.error}"

        if status == "succeeded":
            message = f"refresh {run_dir.name} succeeded ({len(results)} notebooks)"
        step = "printing the report PDF"
        manifest["pdf"] = _report_pdf(run_dir, steps, skip=status != "succeeded")
        step = "writing the outputs index"
        index_start = time.perf_counter()
        if status == "succeeded":
            manifest["notebooks"] = [_result_entry(result, run_dir) for result in results]
            cross_reference_pages(run_dir, read_key_figures(run_dir))
            write_index(run_dir, published_run(outputs_dir), manifest)
        steps.done(
            "outputs index",
            "succeeded" if status == "succeeded" else "skipped",
            time.perf_counter() - index_start,
        )
        finished = dt.datetime.now(dt.UTC)
        manifest.update(
            status=status,
            message=message,
            finished_at=finished.isoformat(timespec="seconds"),
            seconds=round(time.perf_counter() - wall_start, 3),
            notebooks=[_result_entry(result, run_dir) for result in results],
            outputs=sorted(
                p.relative_to(run_dir).as_posix()
                for p in run_dir.rglob("*")
                if p.is_file() and not p.name.startswith(".")
            ),
        )
        manifest["published"] = status == "succeeded"
        # Prune and log before publishing, so a published run folder never changes afterwards.
        step = "pruning old runs"
        for old in prune_runs(outputs_dir, keep, protect=(run_dir,)):
            logger.info("pruned old run %s", old.name)
        if status == "succeeded":
            logger.info("publishing %s as %s", run_dir.name, outputs_dir / LATEST_NAME)
        publish_start = time.perf_counter()
        step = "writing manifest.json"
        _write_json(manifest_path, manifest)
        if status == "succeeded":
            step = "publishing outputs/latest"
            publish_run(outputs_dir, run_dir)
            published = True
        steps.done(
            "publish outputs/latest",
            "succeeded" if published else "skipped",
            time.perf_counter() - publish_start,
        )
    except OSError as exc:
        # A full disk or a read-only folder: the run fails, naming the step and the file; the
        # next refresh runs normally once the cause is gone (see mark_abandoned_runs).
        status, published, configuration_error = "failed", False, False
        message = f"{step} failed: {_describe_os_error(exc)}"
        logger.error("refresh %s failed: %s", run_dir.name, message)
        _mark_failed(manifest, message, results=results, run_dir=run_dir, wall_start=wall_start)
    except BaseException as exc:
        message = f"{step} failed: {type(exc).__name__}: {_one_line(exc)}"
        _mark_failed(manifest, message, results=results, run_dir=run_dir, wall_start=wall_start)
        logger.exception("refresh %s aborted", run_dir.name)
        raise

    return RunResult(
        run_id=run_dir.name,
        run_dir=run_dir,
        status=status,
        message=message,
        published=published,
        notebooks=tuple(results),
        manifest=manifest_path,
        seconds=time.perf_counter() - wall_start,
        configuration_error=configuration_error,
    )


def _report_pdf(run_dir: Path, steps: StepLog, *, skip: bool) -> dict[str, Any]:
    """Print the training-gap report to A4 PDF; a missing renderer skips it, saying why.

    Returns:
        The manifest's ``pdf`` section: ``status`` (``made`` or ``skipped``) and the reason.
    """
    start = time.perf_counter()
    page = run_dir / REPORT_PAGE
    if skip or not page.is_file():
        steps.done("report PDF", "skipped", 0.0)
        return {"status": "skipped", "reason": "no report page in this run"}
    try:
        result = render_pdf(page, run_dir / REPORT_PDF)
        reason = result.reason
    except Exception as exc:  # a renderer crash must not fail the published results
        result, reason = None, f"Chromium failed: {type(exc).__name__}: {_one_line(exc)}"
    made = result is not None and result.made
    steps.done("report PDF", "succeeded" if made else "skipped", time.perf_counter() - start)
    if made:
        return {"status": "made", "path": REPORT_PDF}
    line = f"report PDF skipped: {reason}"
    logger.info(line)
    if steps.echo is not None:
        steps.echo(line)
    return {"status": "skipped", "reason": reason}


def _mark_failed(
    manifest: dict[str, Any],
    message: str,
    *,
    results: list[NotebookResult],
    run_dir: Path,
    wall_start: float,
) -> None:
    """Record a failed run in its manifest, or log that even that could not be written.

    The next refresh then marks the run (:func:`mark_abandoned_runs`).
    """
    manifest_path = run_dir / "manifest.json"
    manifest.update(
        status="failed",
        message=message,
        finished_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        seconds=round(time.perf_counter() - wall_start, 3),
        published=False,
        notebooks=[_result_entry(result, run_dir) for result in results],
    )
    try:
        _write_json(manifest_path, manifest)
    except OSError as exc:
        logger.error("could not record the failure in %s: %s", manifest_path, exc)


def _result_entry(result: NotebookResult, run_dir: Path) -> dict[str, Any]:
    entry = asdict(result)
    entry["seconds"] = round(result.seconds, 3)
    for key in ("executed", "html"):
        value = entry[key]
        entry[key] = None if value is None else Path(value).relative_to(run_dir).as_posix()
    return entry


# --- one notebook, for what-ifs ---------------------------------------------------------------

#: Default folder of ``lsc-workforce run`` (one subfolder per notebook); never a published run.
SCRATCH_NAME = "scratch"


def find_notebook(name: str, config: RefreshConfig) -> NotebookSpec:
    """The refresh's entry for a notebook given by name, number prefix or path.

    ``20``, ``20_demand_capacity`` and ``notebooks/20_demand_capacity.ipynb`` all name the same
    notebook; a notebook outside the refresh configuration runs with no parameters of its own.

    Raises:
        ConfigError: nothing or more than one notebook matches, naming the candidates.
    """
    path = Path(name)
    if path.suffix == ".ipynb":
        resolved = path.resolve()
        for spec in config.notebooks:
            if spec.path.resolve() == resolved:
                return spec
        if not resolved.is_file():
            raise ConfigError(f"notebook {name} not found")
        return NotebookSpec(name=resolved.stem, path=resolved)
    matches = [spec for spec in config.notebooks if spec.name.startswith(name)]
    exact = [spec for spec in matches if spec.name == name]
    if len(exact) == 1 or len(matches) == 1:
        return (exact or matches)[0]
    known = ", ".join(spec.name for spec in config.notebooks)
    what = "matches several notebooks" if matches else "is not a notebook of the refresh"
    raise ConfigError(f"{name!r} {what}; known: {known}")


def parse_parameter_values(
    spec: NotebookSpec, overrides: Sequence[tuple[str, str]]
) -> dict[str, Any]:
    """Turn ``-p NAME VALUE`` pairs into typed values checked against the parameters cell.

    A value is read as YAML (``[a, b]`` is a list, ``5`` a number) unless the parameter is
    declared ``str``, so a date or a code stays the text given.

    Raises:
        ConfigError: an unknown parameter or a value of the wrong type, naming both.
    """
    declared = notebook_parameters(spec.path)
    values: dict[str, Any] = {}
    for name, text in overrides:
        if name not in declared:
            raise ConfigError(
                f"{spec.path.name} has no parameter {name} (it has {', '.join(declared)})"
            )
        annotation = declared[name].annotation
        if annotation == "str":
            values[name] = text
            continue
        try:
            value = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ConfigError(f"parameter {name}: {text!r} is not a value: {exc}") from exc
        if annotation == "float" and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        values[name] = value
    problems = validate_notebook_parameters("-p", spec.path, values)
    if problems:
        raise ConfigError("; ".join(problems))
    return values


def run_one(
    name: str,
    overrides: Sequence[tuple[str, str]] = (),
    out_dir: str | Path | None = None,
    *,
    config_path: str | Path | None = None,
    data_dir: str | Path | None = None,
) -> NotebookResult:
    """Run one notebook, with the refresh's parameters changed by ``overrides``, into a folder.

    Nothing under ``outputs/runs/`` or ``outputs/latest`` is written or read: the notebook's
    ``OUTPUT_DIR`` is ``out_dir`` (default ``outputs/scratch/<notebook>/``), which receives
    ``notebooks/<name>.ipynb``, ``html/<name>.html``, the notebook's own tables and a
    ``manifest.json`` naming the run ``scratch-<notebook>`` with its parameters.

    Args:
        name: notebook name, number prefix or path (see :func:`find_notebook`).
        overrides: ``(NAME, VALUE)`` pairs, as ``papermill -p`` takes them.
        out_dir: the scratch folder.
        config_path: refresh configuration (default ``config/refresh.yaml``).
        data_dir: trust extracts (default: the configuration's ``data_dir``).

    Returns:
        The notebook's result (``html`` is the page written).

    Raises:
        ConfigError: an unknown notebook or parameter, a bad value, or an output folder inside
            the published runs.
    """
    config = RefreshConfig.from_yaml(config_path or DEFAULT_REFRESH_CONFIG)
    spec = find_notebook(name, config)
    values = parse_parameter_values(spec, overrides)
    out = Path(out_dir).resolve() if out_dir else OUTPUTS_DIR / SCRATCH_NAME / spec.name
    for published in (OUTPUTS_DIR / RUNS_NAME, OUTPUTS_DIR / LATEST_NAME):
        if out == published.resolve() or published.resolve() in out.parents:
            raise ConfigError(f"--out {out} is inside {published}: choose a scratch folder")
    out.mkdir(parents=True, exist_ok=True)
    data = Path(data_dir).resolve() if data_dir else config.data_dir
    common = {
        "DATA_DIR": str(data),
        "CONFIG_DIR": str(config.config_dir),
        "OUTPUT_DIR": str(out),
        "AS_AT": config.as_at.isoformat(),
    }
    declared = notebook_parameters(spec.path)
    own = {k: v for k, v in spec.parameters.items() if k in declared}
    # What published pages read about their run (lsc_workforce.publication.run_meta).
    _write_json(
        out / "manifest.json",
        {
            "run_id": f"{SCRATCH_NAME}-{spec.name}",
            "status": SCRATCH_NAME,
            "git": git_state(),
            "parameters": {
                "data_dir": str(data),
                "as_at": config.as_at.isoformat(),
                "publication_date": (config.publication_date or config.as_at).isoformat(),
                "notebooks": {spec.name: {**own, **values}},
            },
        },
    )
    return run_notebook(spec, {**common, **own, **values}, out, config)
