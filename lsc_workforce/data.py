"""Loaders for the trust extracts: CSV, Parquet and XLSX read identically with explicit schemas.

The dataset registry (``config/datasets.yaml``) declares each dataset's file stem, key columns and
column types. Real sources keep their own headers; a source mapping in ``config/mappings/``
(an ESR-style staff extract, the published DM01 CSV) renames columns, maps values and declares
date formats (ISO 8601 by default, UK day-first where declared). A value that cannot be read as its
declared type, such as an impossible date, is a named :class:`DataError`, never a silent null.

Text files are decoded strictly, never with replacement characters: UTF-8 with or without a
byte-order mark; UTF-16 or UTF-32 (told by the byte-order mark or the zero bytes); an encoding a
source mapping declares (``encoding: cp1252``); otherwise, where the bytes are not UTF-8 but are
valid Windows-1252 (what Excel on Windows saves as "CSV (Comma delimited)"), Windows-1252 with a
warning naming the characters it read. Any other file is refused with a message naming the file,
the encoding and the fix. Blank rows at the end of a file (Excel adds them) are dropped before
anything is checked. A decimal comma in a number (``0,8``) is a named failure unless a source
mapping declares the column (``decimal_comma: [wte]``); thousands separators (``1,234``) are read.
"""

from __future__ import annotations

import codecs
import io
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from lsc_workforce.config import CONFIG_DIR, ConfigError, load_yaml
from lsc_workforce.errors import LscWorkforceError
from lsc_workforce.safe_output import write_excel_sheets

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
    "nurse",
)
#: Staff groups that only hold out-of-hours rotas here (the IR and endoscopy nurses on call):
#: the demand, supply and training models plan the other groups and leave these out.
OOH_ONLY_GROUPS = ("nurse",)
#: The staff groups the demand, supply and training models plan.
PLANNED_GROUPS = tuple(g for g in STAFF_GROUPS if g not in OOH_ONLY_GROUPS)
MEDICAL_GROUPS = ("radiologist", "interventional_radiologist", "medical_endoscopist")
MEDICAL_GRADES = ("consultant", "sas", "st1", "st2", "st3", "st4", "st5", "st6")
AFC_GRADES = ("band_5", "band_6", "band_7", "band_8a", "band_8b", "band_8c", "band_8d")
GRADES = MEDICAL_GRADES + AFC_GRADES
#: NHS Workforce Statistics 5-year age bands, youngest first.
AGE_BANDS = (
    "Under 25", "25-29", "30-34", "35-39", "40-44", "45-49", "50-54", "55-59", "60-64",
    "65-69", "70 and over",
)  # fmt: skip
#: The single years of age each band of :data:`AGE_BANDS` is taken to cover, as half-open
#: ranges ``[lo, hi)``: ``"25-29"`` is ``(25, 30)``, i.e. ages 25 to 29. The open-ended bands
#: are read as five years too (``"Under 25"`` as 20-24, ``"70 and over"`` as 70-74). The
#: baseline's retirement window and the supply projection's single years of age both use them.
AGE_BAND_AGES: dict[str, tuple[int, int]] = {
    band: (20 + 5 * index, 25 + 5 * index) for index, band in enumerate(AGE_BANDS)
}
COMPETENCIES = (
    "ct_reporting", "neuro_ct", "mri_reporting", "plain_film_reporting", "ultrasound",
    "vascular_ir", "non_vascular_ir", "ct_scanning", "mri_scanning", "general_radiography",
    "ogd", "colonoscopy", "flexi_sigmoidoscopy", "gi_bleed_therapy",
    "thrombectomy", "ir_radiography", "ir_nursing", "endoscopy_nursing",
)  # fmt: skip
MODALITIES = (
    "ct_head_stroke", "ct_other", "mri", "non_obstetric_ultrasound", "plain_xray",
    "ir_vascular", "ir_non_vascular", "gastroscopy", "colonoscopy", "flexi_sigmoidoscopy",
)  # fmt: skip
LEAVE_TYPES = ("annual", "study", "sickness", "other")
#: Status of the source of every configuration value (each parameter row and scalar carries
#: one; meanings in ``docs/sources.md``, "Status labels").
SOURCE_STATUSES = ("confirmed", "secondary", "derived", "unconfirmed")

ISO_DATE = "%Y-%m-%d"

#: Byte-order marks and the codec that reads each (UTF-32 first: its LE mark starts like UTF-16's).
_BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)
#: How to fix a file in an encoding we do not read.
_ENCODING_FIX = (
    "save it from Excel as 'CSV UTF-8 (Comma delimited)', or declare its encoding in its source "
    "mapping in config/mappings/ (e.g. `encoding: cp1252`)"
)
#: A number written with comma thousands separators: 1,234 or 12,345,678.90.
_THOUSANDS = r"^[+-]?[1-9]\d{0,2}(,\d{3})+(\.\d+)?$"
#: A number written with a decimal comma: 0,8 or 1.234,5 (dots as thousands separators).
_DECIMAL_COMMA = r"^[+-]?(\d+|[1-9]\d{0,2}(\.\d{3})+)(,\d+)?$"
#: What a decimal comma looks like where none is declared: digits, one comma, digits.
_LOOKS_DECIMAL_COMMA = r"^[+-]?\d*,\d+$"

_TRUE = ("true", "t", "yes", "y", "1")
_FALSE = ("false", "f", "no", "n", "0")
_SAMPLE_ROWS = 5


class DataError(LscWorkforceError):
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
        encoding: text encoding of the source's CSV files where it is not UTF-8 (a Python codec
            name such as ``cp1252``); ``None`` reads UTF-8 (or what the file's bytes show).
        decimal_comma: (our) numeric columns written with a decimal comma (``0,8``).
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
    encoding: str | None = None
    decimal_comma: tuple[str, ...] = ()

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
        ConfigError: if a mapping lacks ``dataset`` or ``columns``, or declares an encoding
            Python does not know.
    """
    mapping_dir = Path(mapping_dir) if mapping_dir else CONFIG_DIR / "mappings"
    mappings = []
    for path in sorted(mapping_dir.glob("*.yaml")):
        raw = load_yaml(path) or {}
        if "dataset" not in raw or not raw.get("columns"):
            raise ConfigError(f"{path}: a mapping needs `dataset` and `columns`")
        derive = {col: spec["rules"] for col, spec in (raw.get("derive") or {}).items()}
        encoding = raw.get("encoding")
        if encoding is not None:
            try:
                codecs.lookup(str(encoding))
            except LookupError as exc:
                raise ConfigError(
                    f"{path}: encoding: {encoding!r} is not a known text encoding "
                    "(e.g. utf-8, cp1252, utf-16)"
                ) from exc
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
                encoding=None if encoding is None else str(encoding),
                decimal_comma=tuple(str(c) for c in raw.get("decimal_comma") or ()),
            )
        )
    return mappings


def decode_text(raw: bytes, path: Path, declared: Sequence[str] = ()) -> tuple[str, str]:
    """Decode a text file's bytes strictly, never replacing a character.

    In order: a byte-order mark (UTF-8, UTF-16, UTF-32); zero bytes, which only UTF-16 text
    has; UTF-8; each ``declared`` encoding; Windows-1252 (logged as a warning that names the
    characters it read, since it is a guess).

    Args:
        raw: the file's bytes.
        path: the file, named in messages.
        declared: encodings source mappings declare for the file's dataset.

    Returns:
        ``(text, encoding name)``.

    Raises:
        DataError: naming the file, the encoding found and how to fix it.
    """
    path = Path(path)
    for mark, codec, name in _BYTE_ORDER_MARKS:
        if raw.startswith(mark):
            return _decode_strictly(raw, codec, name, path), name
    head = raw[:4096]
    if b"\x00" in head:
        # Plain text never holds a zero byte; UTF-16 without a mark holds one beside each ASCII
        # character, on the odd bytes (little-endian) or the even ones (big-endian).
        codec = "utf-16-le" if head[1::2].count(0) >= head[0::2].count(0) else "utf-16-be"
        return _decode_strictly(raw, codec, "UTF-16", path), "UTF-16"
    try:
        return raw.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError as exc:
        not_utf8 = exc
    if declared:
        return _decode_strictly(raw, declared[0], declared[0], path), declared[0]
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError:
        raise DataError(
            [
                {
                    "dataset": path.stem,
                    "rule": "unreadable text encoding",
                    "detail": f"{path} is neither UTF-8 nor Windows-1252 "
                    f"({_where(raw, not_utf8)}); {_ENCODING_FIX}",
                }
            ]
        ) from not_utf8
    odd = sorted({ch for ch in text if ord(ch) > 127})
    LOGGER.warning(
        "%s is not UTF-8: read it as Windows-1252 (Excel's 'CSV (Comma delimited)'), giving "
        "the characters %s; if they are wrong, %s",
        path,
        " ".join(odd[:12]),
        _ENCODING_FIX,
    )
    return text, "Windows-1252"


def _decode_strictly(raw: bytes, codec: str, name: str, path: Path) -> str:
    try:
        text = raw.decode(codec)
    except UnicodeDecodeError as exc:
        raise DataError(
            [
                {
                    "dataset": path.stem,
                    "rule": "unreadable text encoding",
                    "detail": f"{path} is not valid {name} ({_where(raw, exc)}); {_ENCODING_FIX}",
                }
            ]
        ) from exc
    if "\x00" in text:
        raise DataError(
            [
                {
                    "dataset": path.stem,
                    "rule": "unreadable text encoding",
                    "detail": f"{path} read as {name} still holds zero characters; {_ENCODING_FIX}",
                }
            ]
        )
    return text.removeprefix("\ufeff")


def _where(raw: bytes, exc: UnicodeDecodeError) -> str:
    """Describe where decoding failed: the byte, its line and the text before it."""
    line = raw.count(b"\n", 0, exc.start) + 1
    before = raw[max(0, exc.start - 20) : exc.start].decode("ascii", "backslashreplace")
    tail = before.splitlines()[-1] if before.splitlines() else ""
    return f"byte 0x{raw[exc.start]:02x} on line {line}, after {tail!r}"


def _drop_trailing_blank_rows(frame: pl.DataFrame, path: Path) -> pl.DataFrame:
    """Drop rows at the end in which every cell is empty or blank (Excel and exporters add them)."""
    if frame.height == 0 or frame.width == 0:
        return frame
    blank = pl.all_horizontal(
        pl.col(name).is_null() | (pl.col(name).cast(pl.String).str.strip_chars() == "")
        for name in frame.columns
    )
    filled = frame.select((~blank).alias("filled")).get_column("filled").arg_true()
    keep = int(filled[-1]) + 1 if filled.len() else 0
    if keep < frame.height:
        LOGGER.info("%s: ignored %d blank row(s) at the end", path, frame.height - keep)
    return frame.head(keep)


def read_raw(path: Path, encodings: Sequence[str] = ()) -> pl.DataFrame:
    """Read a CSV (all text), Parquet or XLSX (first sheet) file without casting.

    CSV text is decoded by :func:`decode_text`; blank rows at the end of any file are dropped.

    Args:
        path: the file.
        encodings: text encodings source mappings declare for the file's dataset.

    Raises:
        DataError: if the suffix is not supported, the text encoding cannot be read, or the file
            cannot be parsed.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FILE_SUFFIXES:
        raise DataError(
            [{"dataset": path.stem, "rule": "unsupported file type", "detail": f"{path}"}]
        )
    try:
        if suffix == ".csv":
            text, _ = decode_text(path.read_bytes(), path, encodings)
            frame = pl.read_csv(io.BytesIO(text.encode("utf-8")), infer_schema=False)
            # Headers may carry stray spaces (and, after a double save, a second byte-order mark).
            frame = frame.rename(lambda name: name.lstrip("\ufeff").strip())
        elif suffix == ".parquet":
            frame = pl.read_parquet(path)
        else:
            frame = pl.read_excel(path, engine="calamine", infer_schema_length=None)
    except DataError:
        raise
    except Exception as exc:  # the readers raise many types; name the file instead
        raise DataError(
            [{"dataset": path.stem, "rule": "unreadable file", "detail": f"{path}: {exc}"}]
        ) from exc
    return _drop_trailing_blank_rows(frame, path)


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
    declared = [m.encoding for m in mappings if m.dataset == dataset and m.encoding]
    frame = read_raw(Path(path), declared)
    date_formats = dict(spec.date_formats)
    for mapping in mappings:
        if mapping.dataset == dataset and mapping.matches(frame.columns):
            LOGGER.info("%s: applying source mapping %s", path, mapping.name)
            frame = _apply_mapping_before_types(frame, mapping)
            date_formats.update(mapping.date_formats)
            typed = _cast_to_schema(frame, spec, date_formats, mapping.decimal_comma)
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
        write_excel_sheets({"Sheet1": frame}, path, float_precision=6)
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
    frame: pl.DataFrame,
    spec: DatasetSpec,
    date_formats: dict[str, tuple[str, ...]],
    decimal_comma: Iterable[str] = (),
) -> pl.DataFrame:
    """Cast each schema column to its declared type, naming every unreadable value."""
    problems = []
    columns = []
    decimal_comma = set(decimal_comma)
    for name, kind in spec.columns.items():
        if name not in frame.columns:
            continue
        source = frame.get_column(name)
        formats = date_formats.get(name, (ISO_DATE,))
        result = _coerce(source, kind, formats, decimal_comma=name in decimal_comma)
        bad = source.is_not_null() & result.is_null()
        if kind == "str" or source.dtype == pl.String:
            # Blank text is a missing value, not a parse failure.
            bad &= source.cast(pl.String).str.strip_chars().str.len_chars() > 0
        if kind in ("int", "float") and source.dtype == pl.String and name not in decimal_comma:
            comma = bad & source.str.strip_chars().str.contains(_LOOKS_DECIMAL_COMMA).fill_null(
                value=False
            )
            if comma.any():
                rows = comma.arg_true().head(_SAMPLE_ROWS)
                problems.append(
                    {
                        "dataset": spec.name,
                        "column": name,
                        "rule": "decimal comma in a number",
                        "count": int(comma.sum()),
                        "detail": "write the decimal point as '.' (0.8, not 0,8), or declare "
                        f"`decimal_comma: [{name}]` in the source mapping",
                        "sample": [(int(i) + 1, source[int(i)]) for i in rows],
                    }
                )
                bad &= ~comma
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


def _coerce(
    series: pl.Series, kind: str, formats: tuple[str, ...], *, decimal_comma: bool = False
) -> pl.Series:
    """Convert a raw column to a registry type; unreadable values become null (caller flags).

    Numbers in text may carry comma thousands separators (``1,234``); with ``decimal_comma``
    they are written ``0,8`` or ``1.234,5`` instead. Any other comma makes the value unreadable.
    """
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
            text = series.cast(pl.String).str.strip_chars()
            if decimal_comma:
                text = (
                    pl.when(text.str.contains(_DECIMAL_COMMA))
                    .then(text.str.replace_all(".", "", literal=True).str.replace(",", "."))
                    .otherwise(None)
                )
            else:
                text = (
                    pl.when(text.str.contains(_THOUSANDS))
                    .then(text.str.replace_all(",", ""))
                    .when(text.str.contains(","))
                    .then(None)
                    .otherwise(text)
                )
            numbers = pl.select(text.cast(pl.Float64, strict=False)).to_series()
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
