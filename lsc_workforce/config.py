"""Paths, run configuration and solver settings shared by every part of lsc-workforce.

This is the only module that reads the environment (``GX_ANALYTICS_ENABLED``) or knows
where the repository's folders are. Everything else receives explicit arguments.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from lsc_workforce.errors import LscWorkforceError

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent
CONFIG_DIR = REPO_DIR / "config"
CONTRACTS_DIR = REPO_DIR / "data_contracts"
NOTEBOOKS_DIR = REPO_DIR / "notebooks"
OUTPUTS_DIR = REPO_DIR / "outputs"
REFERENCE_DATA_DIR = REPO_DIR / "data" / "reference"

# Great Expectations sends usage analytics unless told not to; NHS networks and CI are offline.
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

#: Planning "as at" date of the shipped reference data. Results never read the wall clock.
REFERENCE_AS_AT = dt.date(2026, 4, 1)

SolverName = Literal["highs", "cbc", "cpsat"]


class ConfigError(LscWorkforceError, ValueError):
    """A configuration file or parameter is missing or out of range."""


@dataclass(frozen=True)
class SolverSettings:
    """How to call the MILP solver.

    Attributes:
        solver: ``"highs"`` (default, via highspy), ``"cbc"`` (PuLP's bundled fallback) or
            ``"cpsat"`` (OR-Tools CP-SAT, see ``lsc_workforce.solve``).
        time_limit_s: wall-clock limit for one solve, in seconds.
        gap_rel: relative MIP gap at which the solver may stop and call the result optimal.
        threads: solver threads (the reference machine has 2 cores); also the number of
            processes the rota engine's warm-start search makes its moves in.
        msg: echo the solver log.
        seed: seed of the rota engine's warm-start search (its random choice of
            neighbourhoods, ``lsc_workforce.rota.heuristic.improve_start``). Runs of a
            time-limited search differ with the seed (and with the machine's speed), so a
            benchmark's spread is measured over several seeds.
    """

    solver: SolverName = "highs"
    time_limit_s: float = 60.0
    gap_rel: float = 1e-6
    threads: int = 2
    msg: bool = False
    seed: int = 20260401

    def __post_init__(self) -> None:
        if self.solver not in ("highs", "cbc", "cpsat"):
            raise ConfigError(f"solver must be 'highs', 'cbc' or 'cpsat', not {self.solver!r}")
        if self.time_limit_s <= 0:
            raise ConfigError(f"time_limit_s must be positive, not {self.time_limit_s}")
        if not 0 <= self.gap_rel < 1:
            raise ConfigError(f"gap_rel must be in [0, 1), not {self.gap_rel}")
        if self.threads < 1:
            raise ConfigError(f"threads must be at least 1, not {self.threads}")


@dataclass(frozen=True)
class RunConfig:
    """The validated parameters of one notebook run.

    Attributes:
        data_dir: folder holding the trust extracts (CSV, Parquet or XLSX).
        config_dir: folder holding the versioned model configuration (``config/``).
        output_dir: folder this run writes its tables and charts to.
        as_at: the planning "as at" date; never the wall clock.
        solver: solver settings of every integer programme in the run: the one source of
            them, built by the notebook from its solver parameters and passed on as
            ``cfg.solver``.
    """

    data_dir: Path = REFERENCE_DATA_DIR
    config_dir: Path = CONFIG_DIR
    output_dir: Path = OUTPUTS_DIR / "scratch"
    as_at: dt.date = REFERENCE_AS_AT
    solver: SolverSettings = field(default_factory=SolverSettings)

    def __post_init__(self) -> None:
        object.__setattr__(self, "data_dir", Path(self.data_dir))
        object.__setattr__(self, "config_dir", Path(self.config_dir))
        object.__setattr__(self, "output_dir", Path(self.output_dir))
        object.__setattr__(self, "as_at", parse_date(self.as_at))
        if not self.data_dir.is_dir():
            raise ConfigError(f"data_dir {self.data_dir} is not a folder")
        if not self.config_dir.is_dir():
            raise ConfigError(f"config_dir {self.config_dir} is not a folder")
        if not isinstance(self.solver, SolverSettings):
            raise ConfigError(f"solver must be SolverSettings, not {type(self.solver).__name__}")


def repo_path(value: str | Path) -> Path:
    """Resolve a path; a relative one is read from the repository root, not the working folder.

    Args:
        value: an absolute path, or one relative to :data:`REPO_DIR`.

    Returns:
        The absolute, resolved path.
    """
    path = Path(value)
    return path if path.is_absolute() else (REPO_DIR / path).resolve()


def notebook_config(
    data_dir: str | Path,
    config_dir: str | Path,
    output_dir: str | Path,
    as_at: str | dt.date,
    *,
    solver: SolverSettings | None = None,
) -> RunConfig:
    """Turn a notebook's parameters into a validated :class:`RunConfig`.

    Every notebook's setup cell calls this with the runner's parameters (``DATA_DIR``,
    ``CONFIG_DIR``, ``OUTPUT_DIR``, ``AS_AT``) and, if it solves integer programmes, the
    :class:`SolverSettings` built from its own solver parameters. Relative paths are read from
    the repository root, so a notebook's defaults work the same under papermill, pytest or
    JupyterLab; the output folder is created.

    Args:
        data_dir: ``DATA_DIR`` parameter.
        config_dir: ``CONFIG_DIR`` parameter.
        output_dir: ``OUTPUT_DIR`` parameter (the run's output folder).
        as_at: ``AS_AT`` parameter (ISO 8601 date).
        solver: the run's solver settings (default: ``SolverSettings()``).

    Returns:
        The configuration; package functions take its solver settings as ``cfg.solver``.

    Raises:
        ConfigError: if a folder is missing or the date is not ISO 8601.
    """
    output = repo_path(output_dir)
    output.mkdir(parents=True, exist_ok=True)
    return RunConfig(
        data_dir=repo_path(data_dir),
        config_dir=repo_path(config_dir),
        output_dir=output,
        as_at=parse_date(as_at),
        solver=SolverSettings() if solver is None else solver,
    )


def parse_date(value: str | dt.date) -> dt.date:
    """Return an ISO 8601 date (``YYYY-MM-DD``) as a ``date``.

    Raises:
        ConfigError: if the value is not an ISO date.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise ConfigError(f"{value!r} is not an ISO 8601 date (YYYY-MM-DD)") from exc


def load_yaml(path: str | Path) -> Any:
    """Read one YAML file, naming the file in any error.

    Raises:
        ConfigError: if the file is missing, is not UTF-8 or valid YAML, or holds an impossible
            date (``as_at: 2026-02-30``: the message names the key, the value and the line).
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"configuration file {path} does not exist")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path} is not UTF-8 text: {exc}") from exc
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path} is not valid YAML: {exc}") from exc
    except ValueError as exc:  # PyYAML builds dates itself and raises ValueError for 02-30
        bad = _impossible_dates(yaml.compose(text, Loader=yaml.SafeLoader), ())
        raise ConfigError(f"{path}: " + ("; ".join(bad) or str(exc))) from exc


def _impossible_dates(node: yaml.Node | None, keys: tuple[str, ...]) -> list[str]:
    """Name every date-like value of a YAML document that is not a real date, with its key."""
    if isinstance(node, yaml.MappingNode):
        return [
            problem
            for key, value in node.value
            for problem in _impossible_dates(value, (*keys, str(key.value)))
        ]
    if isinstance(node, yaml.SequenceNode):
        return [
            problem
            for index, item in enumerate(node.value)
            for problem in _impossible_dates(item, (*keys, f"[{index}]"))
        ]
    if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:timestamp":
        try:
            yaml.SafeLoader("").construct_yaml_timestamp(node)
        except ValueError as exc:
            where = ".".join(keys).replace(".[", "[") or "value"
            line = node.start_mark.line + 1
            return [f"{where}: {node.value} is not a valid date ({exc}; line {line})"]
    return []
