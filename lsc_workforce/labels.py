"""Words for codes: the one mapping from field names and codes to what people read.

``config/labels.yaml`` holds it: labels of codes by kind (trusts with their ODS code, staff
groups, grades, programmes, scenarios, modalities), which column holds which kind, and each
column's header (with its unit) and number format. Training programme and OOH service names
come from their own configuration files, so a name is kept in one place.

A column not listed gets a header from its name and a format from its suffix
(:data:`SUFFIX_FORMATS`), so a new column is readable before anyone labels it.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from lsc_workforce.config import CONFIG_DIR, ConfigError, load_yaml

Format = Literal[
    "wte", "count", "money", "money_m", "percent", "percent_value", "number", "year", "text"
]
FORMATS: tuple[str, ...] = Format.__args__  # type: ignore[attr-defined]

LABELS_FILE = "labels.yaml"

#: Formats of unlisted columns, by the end of their name (first match wins).
SUFFIX_FORMATS: tuple[tuple[str, Format], ...] = (
    ("_gbp_m", "money_m"),
    ("_gbp", "money"),
    ("_pct", "percent_value"),
    ("_share", "percent"),
    ("_rate", "percent"),
    ("_wte_years", "wte"),
    ("_wte", "wte"),
    ("_headcount", "count"),
    ("_count", "count"),
    ("_posts", "count"),
    ("_shifts", "count"),
    ("_year", "year"),
)

#: Words in unlisted column names replaced in their headers.
_WORDS = {"wte": "WTE", "gbp": "£", "pct": "%", "ooh": "out-of-hours", "ir": "IR", "fy": "year"}


@dataclass(frozen=True)
class Column:
    """How one column is shown: its header and its number format."""

    label: str
    format: Format


@dataclass(frozen=True)
class Labels:
    """The contents of ``config/labels.yaml`` (see the module docstring).

    Attributes:
        values: ``{kind: {code: label}}``.
        value_columns: ``{column: kind}`` for columns holding codes.
        columns: ``{column: Column}``.
        publication: publisher and contact shown on published pages.
        suppressed_columns: count columns in which an empty cell is a suppressed small number.
    """

    values: dict[str, dict[str, str]] = field(default_factory=dict)
    value_columns: dict[str, str] = field(default_factory=dict)
    columns: dict[str, Column] = field(default_factory=dict)
    publication: dict[str, str] = field(default_factory=dict)
    suppressed_columns: frozenset[str] = frozenset()

    def value(self, kind: str, code: Any) -> str:
        """The label of a code of a kind; an unknown code is shown as it is."""
        text = "" if code is None else str(code)
        return self.values.get(kind, {}).get(text, text)

    def column_kind(self, column: str) -> str | None:
        """The kind of code a column holds (``"trusts"``), or ``None``."""
        return self.value_columns.get(column)

    def column(self, name: str, dtype: Any = None) -> Column:
        """The header and format of a column (listed, or made from its name and type)."""
        if name in self.columns:
            return self.columns[name]
        return Column(humanise(name), _guess_format(name, dtype))

    def header(self, name: str) -> str:
        """The header of a column."""
        return self.column(name).label

    def label_values(self, column: str, values: list[Any]) -> list[Any]:
        """Labels for a column's values when it holds codes; the values unchanged otherwise."""
        kind = self.column_kind(column)
        if kind is None:
            return values
        return [None if v is None else self.value(kind, v) for v in values]


def humanise(name: str) -> str:
    """A readable header for an unlisted field name: ``lists_gap_week`` -> ``Lists gap week``.

    Unit words become their symbols and go in brackets at the end (``gap_2030_wte`` ->
    ``Gap 2030 (WTE)``).
    """
    words = [w for w in name.replace("-", "_").split("_") if w]
    unit = None
    if words and words[-1] in ("wte", "gbp", "pct"):
        unit = _WORDS[words.pop()]
    text = " ".join(_WORDS.get(w, w) for w in words) or name
    text = text[0].upper() + text[1:]
    return f"{text} ({unit})" if unit else text


def _guess_format(name: str, dtype: Any) -> Format:
    for suffix, fmt in SUFFIX_FORMATS:
        if name.endswith(suffix) or name == suffix.lstrip("_"):
            return fmt
    text = str(dtype or "")
    if text.startswith(("Int", "UInt")):
        return "count"
    if text.startswith("Float") or text.startswith("Decimal"):
        return "number"
    return "text"


def _name_file(path: Path, key: str, name: str, section: str | None = None) -> dict[str, str]:
    """``{id: name}`` from a CSV with columns ``key`` and ``name`` or a YAML list ``section``."""
    if not path.is_file():
        return {}
    if path.suffix == ".csv":
        with path.open(encoding="utf-8", newline="") as handle:
            return {row[key]: row[name] for row in csv.DictReader(handle) if row.get(name)}
    entries = (load_yaml(path) or {}).get(section) or []
    return {str(e[key]): str(e[name]) for e in entries if isinstance(e, dict) and name in e}


@functools.cache
def load_labels(config_dir: Path = CONFIG_DIR) -> Labels:
    """Read ``labels.yaml`` of a configuration folder (cached per folder).

    Raises:
        ConfigError: naming the file and key when a section is not a mapping or a format is
            not one of :data:`FORMATS`.
    """
    config_dir = Path(config_dir)
    path = config_dir / LABELS_FILE
    raw = load_yaml(path) if path.is_file() else {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level")
    for section in ("values", "value_columns", "columns", "publication"):
        if not isinstance(raw.get(section) or {}, dict):
            raise ConfigError(f"{path}: {section} must be a mapping")
    values = {
        "programmes": _name_file(
            config_dir / "training" / "training_programmes.csv", "programme", "programme_name"
        ),
        "services": _name_file(config_dir / "ooh" / "ooh_services.yaml", "id", "name", "services"),
    }
    for kind, mapping in (raw.get("values") or {}).items():
        if not isinstance(mapping, dict):
            raise ConfigError(f"{path}: values.{kind} must be a mapping of code to label")
        values[str(kind)] = values.get(str(kind), {}) | {str(k): str(v) for k, v in mapping.items()}
    columns = {}
    for name, entry in (raw.get("columns") or {}).items():
        if not isinstance(entry, dict) or "label" not in entry:
            raise ConfigError(f"{path}: columns.{name} must have a label")
        fmt = entry.get("format", "text")
        if fmt not in FORMATS:
            raise ConfigError(f"{path}: columns.{name}.format {fmt!r} is not one of {FORMATS}")
        columns[str(name)] = Column(str(entry["label"]), fmt)
    return Labels(
        values=values,
        value_columns={str(k): str(v) for k, v in (raw.get("value_columns") or {}).items()},
        columns=columns,
        publication={str(k): str(v) for k, v in (raw.get("publication") or {}).items()},
        suppressed_columns=frozenset(str(c) for c in raw.get("suppressed_columns") or ()),
    )
