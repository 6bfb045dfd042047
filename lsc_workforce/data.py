"""Loaders for the trust extracts: CSV, Parquet and XLSX read identically with explicit schemas.

The dataset registry (``config/datasets.yaml``) declares each dataset's file stem, key columns and
column types. Real sources keep their own headers; a source mapping in ``config/mappings/``
(an ESR-style staff extract, the published DM01 CSV) renames columns, maps values and declares
date formats (ISO 8601 by default, UK day-first where declared). A value that cannot be read as its
declared type, such as an impossible date, is a named :class:`DataError`, never a silent null.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from lsc_workforce.config import CONFIG_DIR, ConfigError, load_yaml

LOGGER = logging.getLogger(__name__)

#: File types read, in order of preference when several exist for one dataset.
FILE_SUFFIXES = (".csv", ".parquet", ".xlsx")

#: Registry type names and the polars dtype each becomes.
TYPES: dict[str, pl.DataType] = {
    "str": pl.String(),
    "int": pl.Int64(),
    "float": pl.Float64(),
    "bool": pl.Boolean(),
    "date": pl.Date(),
}

#: Standard codes of the data contract (data_contracts/README.md), in reporting order. The
#: JSON suites hold the same value sets; import these rather than retyping them.
STAFF_GROUPS = (
    "radiographer",
    "reporting_radiographer",
    "radiologist",
    "interventional_radiologist",
    "medical_endoscopist",
    "non_medical_endoscopist",
)
MEDICAL_GROUPS = ("radiologist", "interventional_radiologist", "medical_endoscopist")
MEDICAL_GRADES = ("consultant", "sas", "st1", "st2", "st3", "st4", "st5", "st6")
AFC_GRADES = ("band_5", "band_6", "band_7", "band_8a", "band_8b", "band_8c", "band_8d")
GRADES = MEDICAL_GRADES + AFC_GRADES
#: NHS Workforce Statistics 5-year age bands, youngest first.
AGE_BANDS = (
    "Under 25", "25-29", "30-34", "35-39", "40-44", "45-49", "50-54", "55-59", "60-64",
    "65-69", "70 and over",
)  # fmt: skip
COMPETENCIES = (
    "ct_reporting", "neuro_ct", "mri_reporting", "plain_film_reporting", "ultrasound",
    "vascular_ir", "non_vascular_ir", "ct_scanning", "mri_scanning", "general_radiography",
    "ogd", "colonoscopy", "flexi_sigmoidoscopy", "gi_bleed_therapy",
)  # fmt: skip
MODALITIES = (
    "ct_head_stroke", "ct_other", "mri", "non_obstetric_ultrasound", "plain_xray",
    "ir_vascular", "ir_non_vascular", "gastroscopy", "colonoscopy", "flexi_sigmoidoscopy",
)  # fmt: skip
LEAVE_TYPES = ("annual", "study", "sickness", "other")

ISO_DATE = "%Y-%m-%d"

_TRUE = ("true", "t", "yes", "y", "1")
_FALSE = ("false", "f", "no", "n", "0")
_SAMPLE_ROWS = 5


class DataError(Exception):
    """A dataset is missing or a value cannot be read as its declared type.

    Attributes:
        problems: one entry per problem, each naming the dataset, column, rule, count and a
            sample of offending rows (1-based data row numbers, header excluded, with values).
    """

    def __init__(self, problems: list[dict[str, Any]]) -> None:
        self.problems = problems
        super().__init__(self.describe())

    def describe(self) -> str:
        """Return a readable multi-line description of every problem."""
        lines = []
        for problem in self.problems:
            where = problem["dataset"] + (f".{problem['column']}" if problem.get("column") else "")
            line = f"{where}: {problem['rule']}"
            if problem.get("count"):
                count = problem["count"]
                line += f" ({count} row{'s' if count != 1 else ''})"
            if problem.get("detail"):
                line += f": {problem['detail']}"
            if problem.get("sample"):
                sample = "; ".join(f"row {row}: {value!r}" for row, value in problem["sample"])
                line += f"; e.g. {sample}"
            lines.append(line)
        return "\n".join(lines)


@dataclass(frozen=True)
class DatasetSpec:
    """One entry of the dataset registry.

    Attributes:
        name: dataset name (also the default file stem).
        required: whether a missing file is a failure.
        description: one-line meaning.
        keys: columns that identify a row (checked unique and not null by the contracts).
        columns: column name to registry type (``str``, ``int``, ``float``, ``bool``, ``date``).
        date_formats: accepted formats per date column (default ISO 8601 only).
        region_filter: if set, rows whose value in this column is not a trust in ``sites`` are
            dropped by :func:`load_datasets` (for national files such as DM01).
    """

    name: str
    required: bool
    description: str
    keys: tuple[str, ...]
    columns: dict[str, str]
    date_formats: dict[str, tuple[str, ...]] = field(default_factory=dict)
    region_filter: str | None = None

    @property
    def schema(self) -> dict[str, pl.DataType]:
        """The polars schema of the dataset."""
        return {name: TYPES[kind] for name, kind in self.columns.items()}


@dataclass(frozen=True)
class SourceMapping:
    """How one real source's headers and codes map onto a dataset.

    Attributes:
        name: mapping name (file stem in ``config/mappings/``).
        dataset: target dataset.
        stems: extra file stems under which this source may be found.
        columns: source header to our column; unmapped source columns are dropped.
        values: per (our) column, source value to our value.
        date_formats: per date column, formats tried in order (declares UK day-first dates).
        derive: per new column, rules ``{"when": {column: value}, "value": ...}``; first match.
        drop_unmapped: columns whose unmapped values drop the row (e.g. DM01 tests we ignore).
        aggregate: ``{"by": [...], "sum": [...]}`` to sum rows after mapping.
        drop_columns: helper columns removed after deriving.
    """

    name: str
    dataset: str
    stems: tuple[str, ...]
    columns: dict[str, str]
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    date_formats: dict[str, tuple[str, ...]] = field(default_factory=dict)
    derive: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    drop_unmapped: tuple[str, ...] = ()
    aggregate: dict[str, list[str]] | None = None
    drop_columns: tuple[str, ...] = ()

    def matches(self, header: Iterable[str]) -> bool:
        """Whether a file's header carries every source column of this mapping."""
        return set(self.columns) <= set(header)


def load_registry(path: Path | None = None) -> dict[str, DatasetSpec]:
    """Read the dataset registry.

    Args:
        path: registry YAML; default ``config/datasets.yaml``.

    Returns:
        Dataset name to spec, in registry order.

    Raises:
        ConfigError: if the file is missing or an entry is malformed.
    """
    path = Path(path) if path else CONFIG_DIR / "datasets.yaml"
    raw = load_yaml(path)
    specs = {}
    for name, entry in (raw or {}).get("datasets", {}).items():
        columns = {str(k): str(v) for k, v in entry.get("columns", {}).items()}
        unknown = {kind for kind in columns.values() if kind not in TYPES}
        if unknown or not columns:
            raise ConfigError(f"{path}: dataset {name} has no columns or unknown types {unknown}")
        formats = {
            col: tuple(entry.get("date_formats", {}).get(col, [ISO_DATE]))
            for col, kind in columns.items()
            if kind == "date"
        }
        specs[name] = DatasetSpec(
            name=name,
            required=bool(entry.get("required", False)),
            description=str(entry.get("description", "")),
            keys=tuple(entry.get("keys", ())),
            columns=columns,
            date_formats=formats,
            region_filter=entry.get("region_filter"),
        )
    return specs


def load_mappings(mapping_dir: Path | None = None) -> list[SourceMapping]:
    """Read every source mapping in ``config/mappings/``.

    Args:
        mapping_dir: folder of ``*.yaml`` mappings; default ``config/mappings``.

    Returns:
        The mappings, sorted by name.

    Raises:
        ConfigError: if a mapping lacks ``dataset`` or ``columns``.
    """
    mapping_dir = Path(mapping_dir) if mapping_dir else CONFIG_DIR / "mappings"
    mappings = []
    for path in sorted(mapping_dir.glob("*.yaml")):
        raw = load_yaml(path) or {}
        if "dataset" not in raw or not raw.get("columns"):
            raise ConfigError(f"{path}: a mapping needs `dataset` and `columns`")
        derive = {col: spec["rules"] for col, spec in (raw.get("derive") or {}).items()}
        mappings.append(
            SourceMapping(
                name=str(raw.get("name", path.stem)),
                dataset=str(raw["dataset"]),
                stems=tuple(raw.get("stems", ())),
                columns={str(k): str(v) for k, v in raw["columns"].items()},
                values={
                    col: {str(k): str(v) for k, v in table.items()}
                    for col, table in (raw.get("values") or {}).items()
                },
                date_formats={k: tuple(v) for k, v in (raw.get("date_formats") or {}).items()},
                derive=derive,
                drop_unmapped=tuple(raw.get("drop_unmapped", ())),
                aggregate=raw.get("aggregate"),
                drop_columns=tuple(raw.get("drop_columns", ())),
            )
        )
    return mappings


def read_raw(path: Path) -> pl.DataFrame:
    """Read a CSV (all text), Parquet or XLSX (first sheet) file without casting.

    Raises:
        DataError: if the suffix is not supported or the file cannot be parsed.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            frame = pl.read_csv(path, infer_schema=False, encoding="utf8-lossy")
            # Excel-saved CSVs start with a byte-order mark; headers may carry stray spaces.
            return frame.rename(lambda name: name.lstrip("\ufeff").strip())
        if suffix == ".parquet":
            return pl.read_parquet(path)
        if suffix == ".xlsx":
            return pl.read_excel(path, engine="calamine", infer_schema_length=None)
    except Exception as exc:  # the readers raise many types; name the file instead
        raise DataError(
            [{"dataset": path.stem, "rule": "unreadable file", "detail": f"{path}: {exc}"}]
        ) from exc
    raise DataError([{"dataset": path.stem, "rule": "unsupported file type", "detail": f"{path}"}])


def load_table(
    path: Path,
    dataset: str,
    registry: dict[str, DatasetSpec] | None = None,
    mappings: list[SourceMapping] | None = None,
) -> pl.DataFrame:
    """Read one file as ``dataset``: apply a matching source mapping, then the explicit schema.

    Columns of the schema missing from the file are left out (the data contract names them);
    columns not in the schema are kept after the schema columns, as text.

    Args:
        path: a ``.csv``, ``.parquet`` or ``.xlsx`` file.
        dataset: registry name of the dataset.
        registry: dataset registry (default: ``config/datasets.yaml``).
        mappings: source mappings (default: ``config/mappings/``).

    Returns:
        The typed frame.

    Raises:
        DataError: naming dataset, column and rows for any unreadable value.
        ConfigError: if ``dataset`` is not in the registry.
    """
    registry = registry if registry is not None else load_registry()
    if dataset not in registry:
        raise ConfigError(f"unknown dataset {dataset!r}; known: {', '.join(registry)}")
    spec = registry[dataset]
    mappings = mappings if mappings is not None else load_mappings()
    frame = read_raw(Path(path))
    date_formats = dict(spec.date_formats)
    for mapping in mappings:
        if mapping.dataset == dataset and mapping.matches(frame.columns):
            LOGGER.info("%s: applying source mapping %s", path, mapping.name)
            frame = _apply_mapping_before_types(frame, mapping)
            date_formats.update(mapping.date_formats)
            typed = _cast_to_schema(frame, spec, date_formats)
            return _apply_mapping_after_types(typed, mapping)
    _check_header(frame.columns, spec, mappings, Path(path))
    return _cast_to_schema(frame, spec, date_formats)


def _check_header(
    header: list[str], spec: DatasetSpec, mappings: list[SourceMapping], path: Path
) -> None:
    """Name the missing source columns when a file looks like a mapped source but is not one.

    A file with none of our columns that carries most of a mapping's source headers is almost
    certainly that source with a renamed or missing header; saying so beats a list of missing
    columns from the contract.
    """
    if set(header) & set(spec.columns):
        return
    for mapping in mappings:
        if mapping.dataset != spec.name:
            continue
        missing = [column for column in mapping.columns if column not in header]
        if len(missing) < len(mapping.columns) / 2:
            raise DataError(
                [
                    {
                        "dataset": spec.name,
                        "rule": f"header does not match source mapping {mapping.name}",
                        "count": len(missing),
                        "detail": f"{path.name} lacks source column(s) {missing}",
                    }
                ]
            )


def load_datasets(data_dir: Path, names: Iterable[str] | None = None) -> dict[str, pl.DataFrame]:
    """Load trust datasets from a folder, applying source mappings and explicit schemas.

    Args:
        data_dir: folder holding ``<dataset>.csv|.parquet|.xlsx`` files (or mapped source files).
        names: datasets to load; default every registry dataset (optional ones if present).

    Returns:
        Dataset name to typed frame, in registry order. Missing optional datasets are absent.

    Raises:
        DataError: naming every missing required dataset and every unreadable value.
        ConfigError: for an unknown dataset name.
    """
    data_dir = Path(data_dir)
    registry = load_registry()
    mappings = load_mappings()
    wanted = list(registry) if names is None else list(names)
    unknown = [name for name in wanted if name not in registry]
    if unknown:
        raise ConfigError(f"unknown dataset(s) {unknown}; known: {', '.join(registry)}")
    if not data_dir.is_dir():
        raise DataError([{"dataset": str(data_dir), "rule": "data folder does not exist"}])
    frames: dict[str, pl.DataFrame] = {}
    problems: list[dict[str, Any]] = []
    for name in wanted:
        path = find_dataset_file(data_dir, name, mappings)
        if path is None:
            if registry[name].required:
                problems.append(
                    {
                        "dataset": name,
                        "rule": "missing required dataset",
                        "detail": f"no {name}.csv, .parquet or .xlsx in {data_dir}",
                    }
                )
            else:
                LOGGER.info("optional dataset %s not present in %s", name, data_dir)
            continue
        try:
            frames[name] = load_table(path, name, registry, mappings)
        except DataError as exc:
            problems.extend(exc.problems)
    if problems:
        raise DataError(problems)
    return _filter_to_region(frames, registry)


def find_dataset_file(
    data_dir: Path, dataset: str, mappings: list[SourceMapping] | None = None
) -> Path | None:
    """Return the file holding ``dataset`` in ``data_dir`` (own stem first, then mapped stems)."""
    mappings = mappings if mappings is not None else load_mappings()
    stems = [dataset] + [stem for m in mappings if m.dataset == dataset for stem in m.stems]
    for stem in stems:
        for suffix in FILE_SUFFIXES:
            path = Path(data_dir) / f"{stem}{suffix}"
            if path.is_file():
                return path
    return None


def write_table(frame: pl.DataFrame, path: Path) -> Path:
    """Write a frame as CSV (ISO dates), Parquet or XLSX, chosen by the path's suffix.

    Returns:
        The path written.

    Raises:
        ValueError: for an unsupported suffix.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        frame.write_csv(path, date_format=ISO_DATE)
    elif suffix == ".parquet":
        frame.write_parquet(path)
    elif suffix == ".xlsx":
        frame.write_excel(path, float_precision=6)
    else:
        raise ValueError(f"unsupported table suffix {suffix!r}")
    return path


def is_medical_expr(grade: str = "grade") -> pl.Expr:
    """True where ``grade`` is a medical grade (consultant, SAS, ST1-ST6), named ``is_medical``."""
    return pl.col(grade).is_in(MEDICAL_GRADES).alias("is_medical")


def financial_year_expr(date: str = "month") -> pl.Expr:
    """NHS financial year (April to March) of a date column as its start year, ``financial_year``.

    2024-03-31 is in 2023 (2023/24); 2024-04-01 is in 2024 (2024/25).
    """
    column = pl.col(date)
    return (
        (column.dt.year() - (column.dt.month() < 4).cast(pl.Int32))
        .cast(pl.Int32)
        .alias("financial_year")
    )


def _filter_to_region(
    frames: dict[str, pl.DataFrame], registry: dict[str, DatasetSpec]
) -> dict[str, pl.DataFrame]:
    if "sites" not in frames or "trust_code" not in frames["sites"].columns:
        return frames
    trusts = frames["sites"].get_column("trust_code").unique()
    for name, frame in frames.items():
        column = registry[name].region_filter
        if column and column in frame.columns:
            kept = frame.filter(pl.col(column).is_in(trusts.implode()))
            if kept.height < frame.height:
                LOGGER.info(
                    "%s: kept %d of %d rows for trusts in sites", name, kept.height, frame.height
                )
            frames[name] = kept
    return frames


def _apply_mapping_before_types(frame: pl.DataFrame, mapping: SourceMapping) -> pl.DataFrame:
    """Rename, map values and derive columns while everything is still raw."""
    frame = frame.select(
        [pl.col(source).alias(target) for source, target in mapping.columns.items()]
    )
    for column, table in mapping.values.items():
        if column not in frame.columns:
            continue
        text = pl.col(column).cast(pl.String).str.strip_chars()
        mapped = text.replace_strict(table, default=None, return_dtype=pl.String)
        if column in mapping.drop_unmapped:
            frame = frame.filter(mapped.is_not_null())
            frame = frame.with_columns(mapped.alias(column))
        else:
            frame = frame.with_columns(pl.coalesce(mapped, text).alias(column))
    for column, rules in mapping.derive.items():
        expr = pl.lit(None, dtype=pl.String)
        for rule in reversed(rules):
            condition = pl.lit(True)
            for source, value in rule["when"].items():
                condition &= pl.col(source).cast(pl.String).str.strip_chars() == str(value)
            expr = pl.when(condition).then(pl.lit(str(rule["value"]))).otherwise(expr)
        frame = frame.with_columns(expr.alias(column))
    return frame.drop([c for c in mapping.drop_columns if c in frame.columns])


def _apply_mapping_after_types(frame: pl.DataFrame, mapping: SourceMapping) -> pl.DataFrame:
    if not mapping.aggregate:
        return frame
    by = list(mapping.aggregate["by"])
    sums = [pl.col(c).sum() for c in mapping.aggregate.get("sum", [])]
    summed = frame.group_by(by, maintain_order=True).agg(sums)
    return summed.select([c for c in frame.columns if c in summed.columns])


def _cast_to_schema(
    frame: pl.DataFrame, spec: DatasetSpec, date_formats: dict[str, tuple[str, ...]]
) -> pl.DataFrame:
    """Cast each schema column to its declared type, naming every unreadable value."""
    problems = []
    columns = []
    for name, kind in spec.columns.items():
        if name not in frame.columns:
            continue
        source = frame.get_column(name)
        formats = date_formats.get(name, (ISO_DATE,))
        result = _coerce(source, kind, formats)
        bad = source.is_not_null() & result.is_null()
        if kind == "str" or source.dtype == pl.String:
            # Blank text is a missing value, not a parse failure.
            bad &= source.cast(pl.String).str.strip_chars().str.len_chars() > 0
        if bad.any():
            rows = bad.arg_true().head(_SAMPLE_ROWS)
            sample = [(int(i) + 1, source[int(i)]) for i in rows]
            expected = " or ".join(formats) if kind == "date" else kind
            problems.append(
                {
                    "dataset": spec.name,
                    "column": name,
                    "rule": f"unparseable {kind}" if kind != "date" else "unparseable date",
                    "count": int(bad.sum()),
                    "detail": f"expected {expected}",
                    "sample": sample,
                }
            )
        columns.append(result.alias(name))
    if problems:
        raise DataError(problems)
    extras = [frame.get_column(c).cast(pl.String) for c in frame.columns if c not in spec.columns]
    return pl.DataFrame(columns + extras)


def _coerce(series: pl.Series, kind: str, formats: tuple[str, ...]) -> pl.Series:
    """Convert a raw column to a registry type; unreadable values become null (caller flags)."""
    dtype = series.dtype
    if kind == "str":
        if dtype == pl.Boolean:
            return series.replace_strict({True: "true", False: "false"}, return_dtype=pl.String)
        if dtype == pl.Date:
            return series.dt.to_string(ISO_DATE)
        text = series.cast(pl.String).str.strip_chars()
        return text.replace("", None)
    if kind == "bool":
        if dtype == pl.Boolean:
            return series
        text = series.cast(pl.String).str.strip_chars().str.to_lowercase()
        mapping = {value: True for value in _TRUE} | {value: False for value in _FALSE}
        return text.replace_strict(mapping, default=None, return_dtype=pl.Boolean)
    if kind in ("int", "float"):
        if dtype.is_numeric():
            numbers = series.cast(pl.Float64)
        else:
            text = series.cast(pl.String).str.strip_chars().str.replace_all(",", "")
            numbers = text.cast(pl.Float64, strict=False)
        if kind == "float":
            return numbers
        whole = numbers.is_not_null() & (numbers == numbers.round(0))
        return pl.select(pl.when(whole).then(numbers).otherwise(None).cast(pl.Int64)).to_series()
    if kind == "date":
        if dtype == pl.Date:
            return series
        if dtype == pl.Datetime:
            return series.dt.date()
        return _parse_dates(series.cast(pl.String), formats)
    raise ValueError(f"unknown type {kind!r}")


def _parse_dates(text: pl.Series, formats: tuple[str, ...]) -> pl.Series:
    """Parse text with each format in turn; a month-only format gets day 1."""
    text = text.str.strip_chars()
    # Excel text of a date may carry a midnight time; drop it.
    text = text.str.replace(r"^(\d{4}-\d{2}-\d{2})[ T]00:00:00(\.0+)?$", "${1}")
    attempts = []
    for fmt in formats:
        if "%d" in fmt:
            attempts.append(text.str.to_date(fmt, strict=False, exact=True))
        else:
            attempts.append(("01 " + text).str.to_date("%d " + fmt, strict=False, exact=True))
    return pl.select(pl.coalesce(attempts)).to_series().alias(text.name)
