"""Parameter tables of the demand, capacity and supply models (``config/demand/``).

Every table row and every scalar carries a ``source`` and a ``status`` (status labels as
defined in ``docs/sources.md``): ``confirmed``, ``secondary``, ``derived`` or ``unconfirmed``.
Loaders check the columns, the status vocabulary and value ranges and name the file in any
error, so a mistyped edit fails loudly before a model runs.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from lsc_workforce.config import ConfigError, load_yaml
from lsc_workforce.data import SOURCE_STATUSES

#: Parameter CSVs under ``config/demand/`` and their suites.
PARAMETER_TABLES = {
    "activity_effort": "demand_activity_effort",
    "skill_mix": "demand_skill_mix",
    "radiography": "demand_radiography",
    "supply_flows": "demand_supply_flows",
    "supply_progression": "demand_supply_progression",
    "supply_grade_leavers": "demand_supply_grade_leavers",
    "programmes": "demand_programmes",
}
#: YAML files of named scalars under ``config/demand/``.
SCALAR_FILES = ("job_plan", "forecast", "uncertainty")


def read_parameter_tables(config_dir: Path) -> dict[str, pl.DataFrame]:
    """Read every demand parameter CSV as it is on disk (no validation).

    Args:
        config_dir: the ``config/`` folder.

    Returns:
        Tables by name (see :data:`PARAMETER_TABLES`), plus ``scalars`` (``file``, ``name``,
        ``value``, ``unit``, ``source``, ``status``).
    """
    folder = Path(config_dir) / "demand"
    tables = {
        name: pl.read_csv(folder / f"{name}.csv", comment_prefix="#")
        for name in PARAMETER_TABLES
        if (folder / f"{name}.csv").is_file()
    }
    rows = [
        {
            "file": stem,
            "name": name,
            "value": s.value,
            "unit": s.unit,
            "source": s.source,
            "status": s.status,
        }
        for stem in SCALAR_FILES
        for name, s in load_scalars(folder / f"{stem}.yaml").items()
    ]
    tables["scalars"] = pl.DataFrame(rows)
    return tables


PROVENANCE_COLUMNS = ("source", "status")


def load_parameter_table(path: Path, required: Iterable[str]) -> pl.DataFrame:
    """Read one parameter CSV and check its columns and provenance.

    Args:
        path: the CSV file.
        required: columns that must be present besides ``source`` and ``status``.

    Returns:
        The table as read (string columns stay strings, numbers are inferred).

    Raises:
        ConfigError: if the file is missing, a column is missing, a value is null or not a
            finite number, or a ``status`` is not one of
            :data:`~lsc_workforce.data.SOURCE_STATUSES`.
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"parameter table {path} does not exist")
    frame = pl.read_csv(path, comment_prefix="#")
    missing = [c for c in (*required, *PROVENANCE_COLUMNS) if c not in frame.columns]
    if missing:
        raise ConfigError(f"{path.name}: missing column(s) {missing}")
    bad = frame.filter(~pl.col("status").is_in(SOURCE_STATUSES))
    if bad.height:
        raise ConfigError(
            f"{path.name}: status must be one of {SOURCE_STATUSES}; rows {bad.to_dicts()[:3]}"
        )
    if frame.select(pl.col("source").is_null().any()).item():
        raise ConfigError(f"{path.name}: every row needs a source")
    for column, dtype in frame.schema.items():
        if dtype.is_float():
            bad = frame.with_row_index("row", offset=1).filter(~pl.col(column).is_finite())
            if bad.height:
                sample = bad.select("row", column).head(3).rows()
                rows = ", ".join(f"row {r}: {v}" for r, v in sample)
                raise ConfigError(f"{path}: {column} must be a finite number ({rows})")
    return frame


@dataclass(frozen=True)
class Scalar:
    """One scalar parameter with its provenance.

    Attributes:
        value: the number used by the model.
        unit: unit of ``value``.
        source: where the number comes from (a ``[src:<id>]`` citation of ``docs/sources.md``
            or a public source).
        status: ``confirmed``, ``secondary``, ``derived`` or ``unconfirmed``.
    """

    value: float
    unit: str
    source: str
    status: str


def load_scalars(path: Path) -> dict[str, Scalar]:
    """Read a YAML mapping ``name: {value, unit, source, status}``.

    Args:
        path: the YAML file.

    Returns:
        Scalars by name.

    Raises:
        ConfigError: if an entry lacks a field, its value is not a number, or its status is
            unknown.
    """
    raw = load_yaml(path)
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{Path(path).name}: expected a mapping of named parameters")
    scalars: dict[str, Scalar] = {}
    for name, entry in raw.items():
        if not isinstance(entry, Mapping) or set(entry) < {"value", "unit", "source", "status"}:
            raise ConfigError(f"{Path(path).name}: {name} needs value, unit, source and status")
        if entry["status"] not in SOURCE_STATUSES:
            raise ConfigError(f"{Path(path).name}: {name} has unknown status {entry['status']!r}")
        if not isinstance(entry["value"], int | float) or isinstance(entry["value"], bool):
            raise ConfigError(f"{path}: {name}.value: {entry['value']!r} must be a number")
        if not math.isfinite(entry["value"]):
            raise ConfigError(f"{path}: {name}.value: {entry['value']!r} is not a finite number")
        scalars[name] = Scalar(
            float(entry["value"]), str(entry["unit"]), str(entry["source"]), entry["status"]
        )
    return scalars


def require_range(frame: pl.DataFrame, column: str, low: float, high: float, table: str) -> None:
    """Raise if any value of ``column`` is null or outside ``[low, high]``.

    Raises:
        ConfigError: naming the table, column and offending rows.
    """
    bad = frame.filter(pl.col(column).is_null() | (pl.col(column) < low) | (pl.col(column) > high))
    if bad.height:
        raise ConfigError(
            f"{table}: {column} must lie in [{low}, {high}]; rows {bad.head(3).to_dicts()}"
        )


def provenance_summary(tables: Mapping[str, pl.DataFrame]) -> pl.DataFrame:
    """Count parameter rows by table and status, for the notebook's caveats table.

    Args:
        tables: parameter tables by name, each with a ``status`` column.

    Returns:
        Columns ``table``, ``status``, ``rows``.
    """
    parts = [
        t.group_by("status").len(name="rows").with_columns(pl.lit(name).alias("table"))
        for name, t in tables.items()
    ]
    return pl.concat(parts).select("table", "status", "rows").sort("table", "status")
