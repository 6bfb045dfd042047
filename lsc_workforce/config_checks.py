"""Validate every configuration file before anything runs: the one entry point.

:func:`validate_configuration` loads and checks, with the loaders and data contracts each part
of the package already has:

- the refresh configuration (``config/refresh.yaml``): its keys and dates, and each notebook's
  parameters against the types its ``parameters`` cell declares (``HORIZON_WEEKS: int``), with
  the ids they name (services, scenarios, presets) looked up in the configuration;
- the dataset registry (``datasets.yaml``) and the source mappings (``mappings/``);
- the OOH configuration (``ooh/``: contracts ``ooh_*``, cross-references, and every rule value
  through ``ooh.inputs.rule_value_problems``: 1-in-N of at least 1, hours at least 0, block
  lengths, rolling windows and tolerances whole and in range, a probability from 0 to 1, no
  minimum above its maximum, known weekend blocks, and each scenario's 1-in-N);
- the demand parameters (``demand/``: contracts ``demand_*`` and the model loaders);
- the training configuration (``training/``: contracts ``training_*``, the programmes and the
  scenarios);
- every number in every YAML file, which must be finite (no ``.nan`` or ``.inf``).

It reports every problem at once, each naming the file, the key and the value, as one
:class:`~lsc_workforce.config.ConfigError` (exit code 2 on the command line). The refresh calls it
before it takes the lock or runs any notebook; ``lsc-workforce validate`` and
``lsc-workforce rota check`` call it before reading any data. A result is remembered for the
process until a configuration or notebook file changes.
"""

from __future__ import annotations

import ast
import json
import logging
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lsc_workforce.config import CONFIG_DIR, ConfigError, load_yaml

__all__ = [
    "NotebookParameter",
    "notebook_parameters",
    "validate_configuration",
    "validate_notebook_parameters",
]

LOGGER = logging.getLogger(__name__)

_PYTHON_TYPES: dict[str, Callable[[Any], bool]] = {
    "str": lambda value: isinstance(value, str),
    "int": lambda value: isinstance(value, int) and not isinstance(value, bool),
    "float": lambda value: isinstance(value, int | float) and not isinstance(value, bool),
    "bool": lambda value: isinstance(value, bool),
}

_checked: dict[tuple[Any, ...], list[str]] = {}


@dataclass(frozen=True)
class NotebookParameter:
    """One entry of a notebook's tagged ``parameters`` cell.

    Attributes:
        name: the UPPER_SNAKE name.
        annotation: the declared type as written (``int``, ``list[str]``, ``list``).
        default: the literal default.
    """

    name: str
    annotation: str
    default: Any


def notebook_parameters(path: Path) -> dict[str, NotebookParameter]:
    """Read the declared parameters of a notebook's tagged ``parameters`` cell.

    Args:
        path: the ``.ipynb`` file.

    Returns:
        Parameters by name, in cell order (empty if the notebook has no tagged cell).

    Raises:
        ConfigError: if the notebook cannot be read.
    """
    try:
        notebook = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"notebook {path} cannot be read: {exc}") from exc
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        if "parameters" not in cell.get("metadata", {}).get("tags", []):
            continue
        source = "".join(cell.get("source", []))
        found = {}
        for node in ast.parse(source).body:
            if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                try:
                    default = ast.literal_eval(node.value) if node.value else None
                except ValueError:
                    default = None
                name = node.target.id
                found[name] = NotebookParameter(name, ast.unparse(node.annotation), default)
        return found
    return {}


def _type_problem(value: Any, annotation: str) -> str | None:
    """What is wrong with ``value`` for a declared type, or ``None`` (unknown types pass)."""
    base, _, inner = annotation.partition("[")
    inner = inner.removesuffix("]").strip()
    if base == "list":
        if not isinstance(value, list):
            return f"expected a list ({annotation})"
        for item in value:
            problem = _type_problem(item, inner) if inner else None
            if problem:
                return f"item {item!r}: {problem}"
        return None
    check = _PYTHON_TYPES.get(base)
    if check is None:
        return None
    if not check(value):
        return f"expected {base}, got {type(value).__name__}"
    if base == "float" and not math.isfinite(value):
        return "expected a finite number"
    return None


def validate_notebook_parameters(
    where: str, notebook: Path, parameters: Mapping[str, Any]
) -> list[str]:
    """Check a notebook's parameters from the refresh configuration against its parameters cell.

    Args:
        where: the configuration file and entry, for messages.
        notebook: the notebook.
        parameters: the parameters the refresh configuration sets.

    Returns:
        One message per unknown parameter or value of the wrong type.
    """
    declared = notebook_parameters(notebook)
    if not declared:
        return []
    problems = []
    for name, value in parameters.items():
        if name not in declared:
            problems.append(
                f"{where} parameter {name}: not a parameter of {notebook.name} "
                f"(it has {', '.join(declared)})"
            )
            continue
        problem = _type_problem(value, declared[name].annotation)
        if problem:
            problems.append(f"{where} parameter {name}: {value!r}: {problem}")
    return problems


def _ids_problems(
    where: str, values: Mapping[str, Any], known: Mapping[str, Iterable[str]]
) -> list[str]:
    """Name every parameter value that is not one of the known ids of its kind."""
    problems = []
    for name, ids in known.items():
        if name not in values:
            continue
        value = values[name]
        listed = value if isinstance(value, list) else [value]
        allowed = set(ids)
        unknown = [v for v in listed if v != "" and v not in allowed]
        if unknown:
            problems.append(
                f"{where} parameter {name}: {unknown} not in the configuration "
                f"(known: {', '.join(sorted(allowed))})"
            )
    return problems


def _refresh_problems(refresh_path: Path, config_dir: Path) -> list[str]:
    """Check the refresh configuration and its notebooks' parameters."""
    from lsc_workforce.run import RefreshConfig  # noqa: PLC0415 - run imports this module

    refresh = RefreshConfig.from_yaml(refresh_path)
    problems = []
    ids = _configured_ids(config_dir)
    for index, spec in enumerate(refresh.notebooks):
        where = f"{refresh.source}: notebooks[{index}] ({spec.name})"
        if not spec.path.is_file():
            problems.append(f"{where}: notebook {spec.path} not found")
            continue
        found = validate_notebook_parameters(where, spec.path, spec.parameters)
        problems += found
        if found:
            continue
        declared = notebook_parameters(spec.path)
        values = {name: p.default for name, p in declared.items()} | dict(spec.parameters)
        if "SERVICES" in declared:  # the OOH notebook
            known = {
                "SERVICES": ids["ooh_services"],
                "SCENARIOS": ids["ooh_scenarios"],
                "PRESET": ids["ooh_presets"],
            }
        else:
            known = {
                "SCENARIO": ids["demand_scenarios"],
                "DEMAND_SCENARIOS": ids["demand_scenarios"],
                "SCENARIOS": ids["training_scenarios"],
            }
        problems += _ids_problems(where, values, {k: v for k, v in known.items() if v})
    return problems


def _configured_ids(config_dir: Path) -> dict[str, list[str]]:
    """Ids a notebook parameter may name; a kind whose file does not load is left empty."""
    ids: dict[str, list[str]] = {}
    readers: dict[str, Callable[[], Iterable[str]]] = {
        "ooh_services": lambda: _keys(config_dir / "ooh" / "ooh_services.yaml", "services", "id"),
        "ooh_scenarios": lambda: _keys(config_dir / "ooh" / "scenarios.yaml", "scenarios", "id"),
        "ooh_presets": lambda: (load_yaml(config_dir / "ooh" / "rota_rules.yaml") or {})["presets"],
        "demand_scenarios": lambda: load_yaml(config_dir / "demand" / "scenarios.yaml") or {},
        "training_scenarios": lambda: (load_yaml(config_dir / "training" / "scenarios.yaml") or {})[
            "scenarios"
        ],
    }
    for kind, read in readers.items():
        try:
            ids[kind] = [str(key) for key in read()]
        except Exception:  # noqa: BLE001 - the file's own check names the problem
            ids[kind] = []
    return ids


def _keys(path: Path, section: str, key: str) -> list[str]:
    return [str(entry[key]) for entry in (load_yaml(path) or {}).get(section) or ()]


def _ooh_problems(config_dir: Path) -> list[str]:
    from lsc_workforce.ooh.inputs import load_ooh_config  # noqa: PLC0415

    folder = config_dir / "ooh"
    try:
        load_ooh_config(config_dir, validate=True)
    except ConfigError as exc:
        lines = [line.strip() for line in str(exc).splitlines()]
        return [
            f"{folder}: {line}"
            for line in lines
            if line and line != "OOH configuration is invalid:"
        ]
    return []


def _demand_problems(config_dir: Path) -> list[str]:
    from lsc_workforce.demand.capacity import CapacityParams  # noqa: PLC0415
    from lsc_workforce.demand.forecast import ForecastSettings  # noqa: PLC0415
    from lsc_workforce.demand.montecarlo import UncertaintySpec  # noqa: PLC0415
    from lsc_workforce.demand.projection import load_scenarios  # noqa: PLC0415
    from lsc_workforce.demand.supply import SupplyParams  # noqa: PLC0415
    from lsc_workforce.demand.validation import validate_parameter_tables  # noqa: PLC0415

    report = validate_parameter_tables(config_dir)
    if not report.success:
        return [f"{config_dir / 'demand'}: {f.message()}" for f in report.failures]
    CapacityParams.from_config(config_dir)
    SupplyParams.from_config(config_dir)
    ForecastSettings.from_config(config_dir)
    UncertaintySpec.from_config(config_dir)
    load_scenarios(config_dir)
    return []


def _training_problems(config_dir: Path) -> list[str]:
    from lsc_workforce.contracts import ContractViolation  # noqa: PLC0415
    from lsc_workforce.pipeline.inputs import (  # noqa: PLC0415
        load_training_tables,
        supply_params_for,
        validate_training_tables,
    )
    from lsc_workforce.pipeline.scenarios import PipelineConfig  # noqa: PLC0415

    tables = load_training_tables(config_dir)
    try:
        validate_training_tables(tables)
    except ContractViolation as exc:
        return [f"{config_dir / 'training'}: {f.message()}" for f in exc.report.failures]
    supply_params_for(config_dir, tables)
    PipelineConfig.from_yaml(config_dir / "training" / "scenarios.yaml")
    return []


def _registry_problems(config_dir: Path) -> list[str]:
    from lsc_workforce.data import load_mappings, load_registry  # noqa: PLC0415

    load_registry(config_dir / "datasets.yaml")
    if (config_dir / "mappings").is_dir():
        load_mappings(config_dir / "mappings")
    return []


def _non_finite(value: Any, keys: tuple[str, ...]) -> list[str]:
    if isinstance(value, float) and not math.isfinite(value):
        return [f"{'.'.join(keys).replace('.[', '[') or 'value'}: {value} is not a finite number"]
    if isinstance(value, Mapping):
        return [p for k, v in value.items() for p in _non_finite(v, (*keys, str(k)))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _non_finite(v, (*keys, f"[{i}]"))]
    return []


def _yaml_number_problems(config_dir: Path, refresh_path: Path | None) -> list[str]:
    files = sorted(config_dir.rglob("*.yaml"))
    if refresh_path is not None and refresh_path not in files:
        files.append(refresh_path)
    problems = []
    for path in files:
        try:
            document = load_yaml(path)
        except ConfigError:
            continue  # reported by the check that reads this file
        problems += [f"{path}: {problem}" for problem in _non_finite(document, ())]
    return problems


def _stamp(paths: Iterable[Path]) -> tuple[tuple[str, int, int], ...]:
    stamps = []
    for path in paths:
        try:
            stat = path.stat()
        except OSError:
            continue
        stamps.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(sorted(stamps))


def validate_configuration(
    config_dir: str | Path = CONFIG_DIR, refresh_config: str | Path | None = None
) -> list[str]:
    """Load and check every configuration file; raise one error naming every problem.

    Args:
        config_dir: the model configuration folder (``config/``).
        refresh_config: the refresh configuration; default ``<config_dir>/refresh.yaml`` if it
            exists (its notebooks' parameters are checked too).

    Returns:
        The areas checked (``refresh``, ``datasets``, ``ooh``, ``demand``, ``training``,
        ``numbers``).

    Raises:
        ConfigError: naming the file, key and value of every problem found.
    """
    config_dir = Path(config_dir).resolve()
    if not config_dir.is_dir():
        raise ConfigError(f"configuration folder {config_dir} does not exist")
    refresh_path = Path(refresh_config).resolve() if refresh_config else None
    if refresh_path is None and (config_dir / "refresh.yaml").is_file():
        refresh_path = config_dir / "refresh.yaml"
    notebooks: list[Path] = []
    if refresh_path is not None and refresh_path.is_file():
        try:
            from lsc_workforce.run import RefreshConfig  # noqa: PLC0415

            notebooks = [spec.path for spec in RefreshConfig.from_yaml(refresh_path).notebooks]
        except ConfigError:
            pass
    key = (
        config_dir,
        refresh_path,
        _stamp([*config_dir.rglob("*"), *notebooks, *([refresh_path] if refresh_path else [])]),
    )
    if key not in _checked:
        _checked[key] = _collect_problems(config_dir, refresh_path)
    problems = _checked[key]
    if problems:
        raise ConfigError(
            f"invalid configuration ({len(problems)} problem{'s' if len(problems) != 1 else ''}):\n"
            + "\n".join(f"  - {problem}" for problem in problems)
        )
    return ["refresh", "datasets", "ooh", "demand", "training", "numbers"]


def _collect_problems(config_dir: Path, refresh_path: Path | None) -> list[str]:
    from lsc_workforce.contracts import ContractViolation  # noqa: PLC0415

    checks: dict[str, Callable[[], list[str]]] = {
        "datasets": lambda: _registry_problems(config_dir),
        "ooh": lambda: _ooh_problems(config_dir),
        "demand": lambda: _demand_problems(config_dir),
        "training": lambda: _training_problems(config_dir),
    }
    if refresh_path is not None:
        checks = {"refresh": lambda: _refresh_problems(refresh_path, config_dir), **checks}
    problems: list[str] = []
    for area, check in checks.items():
        try:
            problems += check()
        except ConfigError as exc:
            problems.append(str(exc))
        except ContractViolation as exc:
            problems += [f.message() for f in exc.report.failures]
        except (KeyError, TypeError, ValueError) as exc:  # a loader met a value it cannot use
            folder = refresh_path if area == "refresh" else config_dir / area
            problems.append(f"{folder}: {type(exc).__name__}: {exc}")
        LOGGER.debug("configuration area %s checked", area)
    problems += _yaml_number_problems(config_dir, refresh_path)
    return problems
