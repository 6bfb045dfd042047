"""Great Expectations glue: apply the JSON data contracts to polars frames and report readably.

Each dataset and configuration table has a GX 1.x expectation suite in
``data_contracts/<suite>.json``. GX has no polars backend, so frames cross to pandas at one
boundary (:func:`to_gx_pandas`: nullable integers and booleans, dates as ``datetime64``). Suites
may use ``{"$PARAMETER": name}`` values, supplied from the suite's ``meta.parameters`` (ISO dates
become timestamps). Rules that span datasets (codes exist in ``sites``, a site belongs to its
trust, staff ids exist in ``staff_in_post``, vacancies agree with staff in post) are custom checks
here; valid codes always come from the ``sites`` data, never from a hard-coded list.

Every failure names the dataset, column, rule, count and a sample of offending rows. Results are
written as JSON and as a self-contained HTML report (our own template; nothing remote).
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import polars as pl

from lsc_workforce.config import CONTRACTS_DIR, ConfigError
from lsc_workforce.data import (
    MEDICAL_GROUPS,
    DataError,
    is_medical_expr,
    load_datasets,
    load_registry,
)
from lsc_workforce.errors import LscWorkforceError
from lsc_workforce.safe_output import naming_path

LOGGER = logging.getLogger(__name__)

_SAMPLE_ROWS = 5
_WTE_TOLERANCE = 0.011  # WTE figures are published to 2 decimal places
_KEY_HINTS = ("post_id", "staff_id", "site_code", "trust_code", "month", "modality", "period")


@dataclass(frozen=True)
class ContractFailure:
    """One failed rule.

    Attributes:
        dataset: dataset or suite name.
        column: offending column(s), comma-separated, or ``None`` for table-level rules.
        rule: GX expectation type, or the name of a custom check.
        count: number of offending rows (or 1 for a table-level rule).
        sample: up to five offending rows as dicts (``row`` is the 1-based data row).
        detail: what was expected, in words.
    """

    dataset: str
    column: str | None
    rule: str
    count: int
    sample: list[dict[str, Any]] = field(default_factory=list)
    detail: str = ""

    def message(self) -> str:
        """One readable line: where, which rule, how many, and example rows."""
        where = self.dataset + (f".{self.column}" if self.column else "")
        text = f"{where}: {self.rule} failed for {self.count} row{'s' if self.count != 1 else ''}"
        if self.detail:
            text += f" ({self.detail})"
        if self.sample:
            text += "; e.g. " + "; ".join(_format_row(row) for row in self.sample)
        return text

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "dataset": self.dataset,
            "column": self.column,
            "rule": self.rule,
            "count": self.count,
            "detail": self.detail,
            "sample": [{k: _jsonable(v) for k, v in row.items()} for row in self.sample],
            "message": self.message(),
        }


@dataclass
class ContractReport:
    """The outcome of validating one or more frames.

    Attributes:
        failures: every failed rule.
        checked: per dataset, ``{"rows": n, "expectations": n, "failed": n}``.
        gx_results: per suite, the GX validation result as a JSON-ready dict.
        cross_checks: names of the cross-dataset checks run, with pass/fail.
        seconds: wall time of the validation.
    """

    failures: list[ContractFailure] = field(default_factory=list)
    checked: dict[str, dict[str, int]] = field(default_factory=dict)
    gx_results: dict[str, dict[str, Any]] = field(default_factory=dict)
    cross_checks: dict[str, bool] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def success(self) -> bool:
        """Whether every rule passed."""
        return not self.failures

    def extend(self, other: ContractReport) -> None:
        """Merge another report into this one."""
        self.failures.extend(other.failures)
        self.checked.update(other.checked)
        self.gx_results.update(other.gx_results)
        self.cross_checks.update(other.cross_checks)

    def summary(self) -> str:
        """Readable multi-line summary: one line per dataset, then every failure."""
        lines = []
        for name, stats in self.checked.items():
            status = "FAIL" if stats.get("failed") else "ok"
            lines.append(
                f"{status:4} {name}: {stats.get('rows', 0)} rows, "
                f"{stats.get('expectations', 0)} rules, {stats.get('failed', 0)} failed"
            )
        if self.cross_checks:
            passed = sum(self.cross_checks.values())
            lines.append(f"cross-dataset checks: {passed} of {len(self.cross_checks)} passed")
        if self.failures:
            lines.append(f"{len(self.failures)} contract failure(s):")
            lines.extend(f"  - {failure.message()}" for failure in self.failures)
        else:
            lines.append("all data contracts passed")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (without the full GX results)."""
        return {
            "success": self.success,
            "seconds": round(self.seconds, 3),
            "checked": self.checked,
            "cross_checks": self.cross_checks,
            "failures": [failure.to_dict() for failure in self.failures],
        }


class ContractViolation(LscWorkforceError):
    """Data failed its contracts; carries the :class:`ContractReport`."""

    def __init__(self, report: ContractReport) -> None:
        self.report = report
        super().__init__(report.summary())


def suite_path(suite_name: str) -> Path:
    """Path of a suite's JSON file in ``data_contracts/``."""
    return CONTRACTS_DIR / f"{suite_name}.json"


@functools.cache
def load_suite(suite_name: str) -> dict[str, Any]:
    """Read a suite's JSON (GX 1.x format: ``name``, ``expectations``, ``meta``).

    Raises:
        ConfigError: if the suite file is missing or not valid JSON.
    """
    path = suite_path(suite_name)
    if not path.is_file():
        raise ConfigError(f"no data contract {path}")
    try:
        suite = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path} is not valid JSON: {exc}") from exc
    if "expectations" not in suite:
        raise ConfigError(f"{path} has no 'expectations' list")
    return suite


def to_gx_pandas(frame: pl.DataFrame) -> Any:
    """Convert a polars frame to pandas for GX: the one boundary between the two libraries.

    Integers become nullable ``Int64``, booleans nullable ``boolean``, dates ``datetime64``, text
    Python ``str`` objects, so a null never changes a column's type.
    """
    columns = {}
    for name, dtype in frame.schema.items():
        series = frame.get_column(name)
        if dtype.is_integer():
            columns[name] = pd.Series(series.to_list(), dtype="Int64")
        elif dtype == pl.Boolean:
            columns[name] = pd.Series(series.to_list(), dtype="boolean")
        elif dtype == pl.String:
            # Object dtype makes GX check each value's Python type (``str``).
            columns[name] = pd.Series(series.to_list(), dtype=object)
        else:
            columns[name] = series.to_pandas()
    return pd.DataFrame(columns, index=pd.RangeIndex(frame.height))


def validate_frame(frame: pl.DataFrame, suite_name: str) -> ContractReport:
    """Validate one frame against ``data_contracts/<suite_name>.json``.

    Expectations on a column the frame lacks are skipped (the suite's
    ``expect_column_to_exist`` reports it). Dataset-level custom checks (vacancy arithmetic,
    first-of-month dates) run too.

    Args:
        frame: the data.
        suite_name: suite file stem, usually the dataset name.

    Returns:
        The report; ``report.success`` tells whether every rule passed.

    Raises:
        ConfigError: if the suite does not exist.
    """
    started = time.perf_counter()
    suite = load_suite(suite_name)
    expectations = [exp for exp in suite["expectations"] if _columns_present(exp, frame.columns)]
    report = ContractReport()
    failures: list[ContractFailure] = []
    result = _run_gx(frame, suite_name, expectations, suite.get("meta", {}).get("parameters", {}))
    report.gx_results[suite_name] = result
    for item in result.get("results", []):
        if not item.get("success"):
            failures.append(_gx_failure(suite_name, item, frame))
    for check in _FRAME_CHECKS.get(suite_name, ()):
        failures.extend(check(frame))
    report.failures.extend(failures)
    report.checked[suite_name] = {
        "rows": frame.height,
        "expectations": len(expectations) + len(_FRAME_CHECKS.get(suite_name, ())),
        "failed": len(failures),
    }
    report.seconds = time.perf_counter() - started
    return report


def validate_datasets(
    frames: dict[str, pl.DataFrame], out_dir: Path | None = None
) -> ContractReport:
    """Validate every dataset against its suite, then run the cross-dataset checks.

    Args:
        frames: dataset name to frame (as from :func:`lsc_workforce.data.load_datasets`).
        out_dir: if given, write ``validation/<dataset>.json``, ``validation/summary.json`` and a
            self-contained ``data_quality.html`` here.

    Returns:
        The combined report.
    """
    started = time.perf_counter()
    registry = load_registry()
    report = ContractReport()
    for name, spec in registry.items():
        if spec.required and name not in frames:
            report.failures.append(
                ContractFailure(name, None, "missing required dataset", 1, [], spec.description)
            )
            report.checked[name] = {"rows": 0, "expectations": 1, "failed": 1}
    for name, frame in frames.items():
        if suite_path(name).is_file():
            report.extend(validate_frame(frame, name))
        else:
            LOGGER.warning("no data contract for dataset %s", name)
    for check_name, check in CROSS_CHECKS.items():
        needed = _CROSS_NEEDS[check_name]
        if not all(n in frames for n in needed):
            continue
        try:
            failures = check(frames)
        except pl.exceptions.PolarsError as exc:  # e.g. a column missing: already reported
            LOGGER.info("cross check %s skipped: %s", check_name, exc)
            continue
        report.cross_checks[check_name] = not failures
        report.failures.extend(failures)
    report.seconds = time.perf_counter() - started
    if out_dir is not None:
        write_report(report, Path(out_dir))
    return report


def load_validated(data_dir: Path, out_dir: Path | None = None) -> dict[str, pl.DataFrame]:
    """Load the trust extracts and validate them; stop on any failure.

    Args:
        data_dir: folder of trust extracts.
        out_dir: where to write the validation results (see :func:`validate_datasets`).

    Returns:
        The validated frames.

    Raises:
        DataError: a required dataset is missing or a value is unreadable.
        ContractViolation: a contract rule failed (the report names every failure).
    """
    try:
        frames = load_datasets(Path(data_dir))
    except DataError as exc:
        if out_dir is not None:
            failures = [
                ContractFailure(
                    p["dataset"],
                    p.get("column"),
                    p["rule"],
                    int(p.get("count") or 1),
                    [{"row": r, "value": v} for r, v in p.get("sample", [])],
                    p.get("detail", ""),
                )
                for p in exc.problems
            ]
            write_report(ContractReport(failures=failures), Path(out_dir))
        raise
    report = validate_datasets(frames, out_dir=out_dir)
    if not report.success:
        raise ContractViolation(report)
    return frames


# --------------------------------------------------------------------------- GX plumbing


@functools.cache
def _gx_batch_definition() -> Any:
    """One ephemeral GX context with an in-memory pandas asset, created once per process."""
    # GX takes seconds to import, so it is imported only when a validation runs.
    import great_expectations as gx  # noqa: PLC0415
    from great_expectations.data_context.types.base import ProgressBarsConfig  # noqa: PLC0415

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    source = context.data_sources.add_pandas("lsc_workforce_frames")
    asset = source.add_dataframe_asset("frame")
    return asset.add_batch_definition_whole_dataframe("whole_frame")


def _run_gx(
    frame: pl.DataFrame,
    suite_name: str,
    expectations: list[dict[str, Any]],
    parameters: dict[str, Any],
) -> dict[str, Any]:
    from great_expectations.core.expectation_suite import ExpectationSuite  # noqa: PLC0415

    suite = ExpectationSuite(name=suite_name, expectations=[dict(e) for e in expectations])
    values = {}
    for key, value in parameters.items():
        try:
            values[key] = pd.Timestamp(dt.date.fromisoformat(str(value)))
        except ValueError:
            values[key] = value
    batch = _gx_batch_definition().get_batch(batch_parameters={"dataframe": to_gx_pandas(frame)})
    result = batch.validate(
        suite,
        result_format={"result_format": "SUMMARY", "partial_unexpected_count": _SAMPLE_ROWS},
        expectation_parameters=values,
    )
    return result.to_json_dict()


def _columns_present(expectation: dict[str, Any], columns: list[str]) -> bool:
    if expectation["type"] == "expect_column_to_exist":
        return True
    kwargs = expectation.get("kwargs", {})
    named = [kwargs[k] for k in ("column", "column_A", "column_B") if k in kwargs]
    named += list(kwargs.get("column_list", []))
    return all(name in columns for name in named)


def _gx_failure(dataset: str, item: dict[str, Any], frame: pl.DataFrame) -> ContractFailure:
    config = item["expectation_config"]
    kwargs = config.get("kwargs", {})
    columns = [kwargs[k] for k in ("column", "column_A", "column_B") if k in kwargs]
    columns += list(kwargs.get("column_list", []))
    result = item.get("result") or {}
    indexes = result.get("unexpected_index_list") or result.get("partial_unexpected_index_list")
    count = result.get("unexpected_count")
    if count is None:
        count = 1 if not indexes else len(indexes)
    sample = _sample_rows(frame, [int(i) for i in (indexes or [])], columns)
    detail = (config.get("meta") or {}).get("rule", "")
    extra = {
        k: v for k, v in kwargs.items() if k not in ("column", "column_A", "column_B", "batch_id")
    }
    if "observed_value" in result:
        extra["observed"] = result["observed_value"]
    if extra:
        detail = f"{detail}; {_short(extra)}" if detail else _short(extra)
    if item.get("exception_info", {}).get("raised_exception"):
        detail += f"; GX error: {item['exception_info'].get('exception_message')}"
    return ContractFailure(
        dataset, ", ".join(columns) or None, config["type"], int(count), sample, detail
    )


def _short(values: dict[str, Any]) -> str:
    parts = []
    for key, value in values.items():
        text = json.dumps(_jsonable(value), default=str)
        parts.append(f"{key}={text if len(text) <= 80 else text[:77] + '...'}")
    return ", ".join(parts)


def _sample_rows(frame: pl.DataFrame, indexes: list[int], columns: list[str]) -> list[dict]:
    """Offending rows with their 1-based row number, key-like columns and the checked columns."""
    if not indexes:
        return []
    keep = [c for c in _KEY_HINTS if c in frame.columns] + columns
    keep = list(dict.fromkeys(c for c in keep if c in frame.columns))
    rows = []
    for index in indexes[:_SAMPLE_ROWS]:
        if 0 <= index < frame.height:
            row = {"row": index + 1}
            row.update(frame.select(keep).row(index, named=True))
            rows.append(row)
    return rows


def _format_row(row: dict[str, Any]) -> str:
    return "{" + ", ".join(f"{k}={_jsonable(v)!s}" for k, v in row.items()) + "}"


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def _failures_from_mask(
    dataset: str,
    frame: pl.DataFrame,
    mask: pl.Series,
    column: str,
    *,
    rule: str,
    detail: str,
    columns: list[str] | None = None,
) -> list[ContractFailure]:
    """A failure for the rows where ``mask`` is true (nulls count as passing)."""
    mask = mask.fill_null(value=False)
    count = int(mask.sum())
    if count == 0:
        return []
    indexes = mask.arg_true().head(_SAMPLE_ROWS).to_list()
    sample = _sample_rows(frame, indexes, columns or [c.strip() for c in column.split(",")])
    return [ContractFailure(dataset, column, rule, count, sample, detail)]


# --------------------------------------------------------------------------- custom checks


def check_vacancy_arithmetic(vacancies: pl.DataFrame) -> list[ContractFailure]:
    """``vacant_wte`` equals ``establishment_wte - in_post_wte`` (to 0.01 WTE)."""
    diff = vacancies.select(
        (pl.col("vacant_wte") - (pl.col("establishment_wte") - pl.col("in_post_wte"))).abs()
    ).to_series()
    return _failures_from_mask(
        "vacancies",
        vacancies,
        diff > _WTE_TOLERANCE,
        "vacant_wte",
        rule="vacant equals establishment minus in post",
        detail="vacant_wte = establishment_wte - in_post_wte, to 0.01 WTE",
        columns=["establishment_wte", "in_post_wte", "vacant_wte"],
    )


def check_month_starts(activity: pl.DataFrame) -> list[ContractFailure]:
    """Every activity ``month`` is the first day of a month."""
    return _failures_from_mask(
        "activity",
        activity,
        activity.get_column("month").dt.day() != 1,
        "month",
        rule="month is the first of the month",
        detail="month must be a first-of-month date",
    )


_FRAME_CHECKS: dict[str, tuple[Callable[[pl.DataFrame], list[ContractFailure]], ...]] = {
    "vacancies": (check_vacancy_arithmetic,),
    "activity": (check_month_starts,),
}


def _not_in(values: pl.Series, allowed: pl.Series) -> pl.Series:
    return values.is_not_null() & ~values.is_in(allowed.unique().implode())


def check_codes_exist(frames: dict[str, pl.DataFrame]) -> list[ContractFailure]:
    """Every trust and site code used by any dataset exists in ``sites``."""
    sites = frames["sites"]
    trusts = sites.get_column("trust_code")
    site_codes = sites.get_column("site_code")
    uses = {
        "trust_code": [
            "staff_in_post", "vacancies", "activity", "local_job_titles", "dm01_activity"
        ],
        "site": [
            ("staff_in_post", "base_site"), ("activity", "site_code"),
            ("service_hours", "site_code"), ("site_travel_times", "from_site"),
            ("site_travel_times", "to_site"),
        ],
    }  # fmt: skip
    failures = []
    for name in uses["trust_code"]:
        frame = frames.get(name)
        if frame is not None and "trust_code" in frame.columns:
            failures += _failures_from_mask(
                name, frame, _not_in(frame.get_column("trust_code"), trusts), "trust_code",
                rule="trust code exists in sites",
                detail="every trust_code must be a trust in sites",
            )  # fmt: skip
    for name, column in uses["site"]:
        frame = frames.get(name)
        if frame is not None and column in frame.columns:
            failures += _failures_from_mask(
                name, frame, _not_in(frame.get_column(column), site_codes), column,
                rule="site code exists in sites", detail=f"every {column} must be a site in sites",
            )  # fmt: skip
    return failures


def check_site_belongs_to_trust(frames: dict[str, pl.DataFrame]) -> list[ContractFailure]:
    """A row's site belongs to the row's trust (staff base site, activity site)."""
    site_trust = frames["sites"].select("site_code", pl.col("trust_code").alias("__site_trust"))
    failures = []
    for name, column in (("staff_in_post", "base_site"), ("activity", "site_code")):
        frame = frames.get(name)
        if frame is None:
            continue
        joined = frame.join(
            site_trust, left_on=column, right_on="site_code", how="left", maintain_order="left"
        )
        mask = joined.get_column("__site_trust").is_not_null() & (
            joined.get_column("__site_trust") != joined.get_column("trust_code")
        )
        failures += _failures_from_mask(
            name, frame, mask, f"trust_code, {column}", rule="site belongs to trust",
            detail=f"the {column} must be a site of the row's trust_code (per sites)",
        )  # fmt: skip
    return failures


def check_staff_ids_exist(frames: dict[str, pl.DataFrame]) -> list[ContractFailure]:
    """Every staff id in ``leave`` and ``staff_competencies`` exists in ``staff_in_post``."""
    staff_ids = frames["staff_in_post"].get_column("staff_id")
    failures = []
    for name in ("leave", "staff_competencies"):
        frame = frames.get(name)
        if frame is None:
            continue
        failures += _failures_from_mask(
            name, frame, _not_in(frame.get_column("staff_id"), staff_ids), "staff_id",
            rule="staff id exists in staff_in_post",
            detail="every staff_id must be in staff_in_post",
        )  # fmt: skip
    return failures


def check_grade_matches_group(frames: dict[str, pl.DataFrame]) -> list[ContractFailure]:
    """Medical staff groups have medical grades; the others Agenda for Change bands."""
    failures = []
    for name in ("staff_in_post", "vacancies", "local_job_titles"):
        frame = frames.get(name)
        if frame is None:
            continue
        medical_group = pl.col("staff_group").is_in(MEDICAL_GROUPS)
        medical_grade = is_medical_expr("grade")
        mask = frame.select(
            pl.col("staff_group").is_not_null()
            & pl.col("grade").is_not_null()
            & (medical_group != medical_grade)
        ).to_series()
        failures += _failures_from_mask(
            name, frame, mask, "staff_group, grade", rule="grade matches staff group",
            detail="medical groups take consultant/sas/st1-st6, others AfC band_5-band_8d",
        )  # fmt: skip
    return failures


def check_vacancies_match_staff(frames: dict[str, pl.DataFrame]) -> list[ContractFailure]:
    """``vacancies.in_post_wte`` equals the WTE summed from ``staff_in_post`` (to 0.01 WTE)."""
    keys = ["trust_code", "staff_group", "grade"]
    in_post = frames["staff_in_post"].group_by(keys).agg(pl.col("wte").sum().alias("__staff_wte"))
    vacancies = frames["vacancies"]
    joined = vacancies.join(in_post, on=keys, how="left", maintain_order="left")
    mask = (
        joined.get_column("__staff_wte").fill_null(0.0) - joined.get_column("in_post_wte")
    ).abs() > _WTE_TOLERANCE
    failures = _failures_from_mask(
        "vacancies", vacancies, mask, "in_post_wte", rule="in post equals staff_in_post",
        detail="in_post_wte must equal the sum of staff_in_post.wte for the trust, group, grade",
        columns=[*keys, "in_post_wte"],
    )  # fmt: skip
    missing = in_post.join(vacancies.select(keys), on=keys, how="anti")
    if missing.height:
        sample = [{"row": None, **row} for row in missing.head(_SAMPLE_ROWS).rows(named=True)]
        failures.append(
            ContractFailure(
                "vacancies", "trust_code, staff_group, grade", "establishment row for staff",
                missing.height, sample,
                "every trust x staff group x grade in staff_in_post needs a vacancies row",
            )
        )  # fmt: skip
    return failures


def check_travel_times_complete(frames: dict[str, pl.DataFrame]) -> list[ContractFailure]:
    """Travel times cover every ordered pair of distinct sites, once, and are symmetric."""
    travel = frames["site_travel_times"]
    sites = frames["sites"].get_column("site_code").unique().sort()
    failures = []
    failures += _failures_from_mask(
        "site_travel_times", travel,
        travel.get_column("from_site") == travel.get_column("to_site"),
        "from_site, to_site", rule="distinct sites", detail="from_site and to_site must differ",
    )  # fmt: skip
    pairs = pl.DataFrame({"from_site": sites}).join(pl.DataFrame({"to_site": sites}), how="cross")
    pairs = pairs.filter(pl.col("from_site") != pl.col("to_site"))
    missing = pairs.join(
        travel.select("from_site", "to_site"), on=["from_site", "to_site"], how="anti"
    )
    if missing.height:
        failures.append(
            ContractFailure(
                "site_travel_times", "from_site, to_site", "every pair of sites present",
                missing.height,
                [{"row": None, **r} for r in missing.head(_SAMPLE_ROWS).rows(named=True)],
                "all ordered pairs of distinct sites in sites need a travel time",
            )
        )  # fmt: skip
    reverse = travel.select(
        pl.col("from_site").alias("to_site"),
        pl.col("to_site").alias("from_site"),
        pl.col("minutes").alias("__reverse"),
    )
    joined = travel.join(reverse, on=["from_site", "to_site"], how="left", maintain_order="left")
    asymmetric = joined.get_column("__reverse").is_not_null() & (
        joined.get_column("__reverse") != joined.get_column("minutes")
    )
    failures += _failures_from_mask(
        "site_travel_times", travel, asymmetric, "minutes", rule="symmetric travel times",
        detail="minutes from A to B must equal minutes from B to A",
        columns=["from_site", "to_site", "minutes"],
    )  # fmt: skip
    return failures


def check_activity_has_facility(frames: dict[str, pl.DataFrame]) -> list[ContractFailure]:
    """Activity appears only at sites with the kit (CT, MRI, IR suite, endoscopy unit)."""
    facility = {
        "ct_head_stroke": "has_ct", "ct_other": "has_ct", "mri": "has_mri",
        "ir_vascular": "has_ir_suite", "ir_non_vascular": "has_ir_suite",
        "gastroscopy": "has_endoscopy", "colonoscopy": "has_endoscopy",
        "flexi_sigmoidoscopy": "has_endoscopy",
    }  # fmt: skip
    sites = frames["sites"].unpivot(
        index="site_code", on=sorted(set(facility.values())), variable_name="__facility",
        value_name="__has",
    )  # fmt: skip
    activity = frames["activity"]
    needed = activity.select(
        "site_code",
        pl.col("modality").replace_strict(facility, default=None).alias("__facility"),
    )
    joined = needed.join(sites, on=["site_code", "__facility"], how="left", maintain_order="left")
    mask = (joined.get_column("__has") == False) & (activity.get_column("examinations") > 0)  # noqa: E712
    return _failures_from_mask(
        "activity", activity, mask, "site_code, modality", rule="site has the facility",
        detail="activity needs the matching has_ct / has_mri / has_ir_suite / has_endoscopy",
    )  # fmt: skip


def check_titles_listed(frames: dict[str, pl.DataFrame]) -> list[ContractFailure]:
    """Every (trust, local job title) in ``staff_in_post`` is listed in ``local_job_titles``."""
    staff = frames["staff_in_post"]
    titles = frames["local_job_titles"].select(
        "trust_code", "local_job_title", pl.lit(1).alias("__t")
    )
    joined = staff.join(
        titles, on=["trust_code", "local_job_title"], how="left", maintain_order="left"
    )
    mask = joined.get_column("__t").is_null() & staff.get_column("local_job_title").is_not_null()
    return _failures_from_mask(
        "staff_in_post", staff, mask, "trust_code, local_job_title", rule="job title listed",
        detail="each trust's job title must appear in local_job_titles (mapped or not)",
    )  # fmt: skip


CROSS_CHECKS: dict[str, Callable[[dict[str, pl.DataFrame]], list[ContractFailure]]] = {
    "codes exist in sites": check_codes_exist,
    "site belongs to trust": check_site_belongs_to_trust,
    "staff ids exist in staff_in_post": check_staff_ids_exist,
    "grade matches staff group": check_grade_matches_group,
    "vacancies match staff_in_post": check_vacancies_match_staff,
    "travel times complete and symmetric": check_travel_times_complete,
    "activity only where the site has the kit": check_activity_has_facility,
    "job titles listed in local_job_titles": check_titles_listed,
}

_CROSS_NEEDS: dict[str, tuple[str, ...]] = {
    "codes exist in sites": ("sites",),
    "site belongs to trust": ("sites",),
    "staff ids exist in staff_in_post": ("staff_in_post",),
    "grade matches staff group": (),
    "vacancies match staff_in_post": ("staff_in_post", "vacancies"),
    "travel times complete and symmetric": ("sites", "site_travel_times"),
    "activity only where the site has the kit": ("sites", "activity"),
    "job titles listed in local_job_titles": ("staff_in_post", "local_job_titles"),
}


# --------------------------------------------------------------------------- outputs


def write_report(report: ContractReport, out_dir: Path) -> list[Path]:
    """Write ``validation/*.json`` and a self-contained ``data_quality.html``.

    Args:
        report: the validation report.
        out_dir: run output folder.

    Returns:
        The written paths.
    """
    out_dir = Path(out_dir)
    folder = out_dir / "validation"
    folder.mkdir(parents=True, exist_ok=True)
    texts = {
        folder / f"{name}.json": json.dumps(_trim(result), indent=1, default=str)
        for name, result in report.gx_results.items()
    }
    texts[folder / "summary.json"] = json.dumps(report.to_dict(), indent=1, default=str)
    texts[out_dir / "data_quality.html"] = render_html(report)
    for path, text in texts.items():
        with naming_path(path):  # a full disk's error then names the file
            path.write_text(text, encoding="utf-8")
    return list(texts)


def _trim(value: Any, limit: int = 50) -> Any:
    """Shorten long lists in GX results so a badly broken file does not write megabytes."""
    if isinstance(value, dict):
        return {k: _trim(v, limit) for k, v in value.items()}
    if isinstance(value, list):
        return [_trim(v, limit) for v in value[:limit]]
    return value


_CSS = """
body{font-family:Arial,Helvetica,sans-serif;margin:2rem;color:#212b32;max-width:72rem}
h1{color:#005eb8}h2{color:#003087;border-bottom:2px solid #005eb8;padding-bottom:.2rem}
table{border-collapse:collapse;margin:1rem 0;width:100%}
th,td{border:1px solid #d8dde0;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f0f4f5}.ok{color:#007f3b;font-weight:bold}.fail{color:#d5281b;font-weight:bold}
.banner{padding:1rem;border-left:8px solid;margin:1rem 0;background:#f0f4f5}
.banner.ok{border-color:#007f3b}.banner.fail{border-color:#d5281b}
code{font-size:.9em;background:#f0f4f5;padding:0 .2rem}
"""


def render_html(report: ContractReport, title: str = "Data quality report") -> str:
    """Render the report as one HTML page with inline CSS and no scripts or remote assets."""
    esc = html.escape
    status = "ok" if report.success else "fail"
    verdict = (
        "All data contracts passed."
        if report.success
        else f"{len(report.failures)} contract rule(s) failed: nothing downstream should run."
    )
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{esc(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{esc(title)}</h1>",
        f"<div class='banner {status}'><span class='{status}'>{esc(verdict)}</span></div>",
        "<h2>Datasets (suite rules)</h2><table><tr><th>Dataset</th><th>Rows</th><th>Rules</th>"
        "<th>Failed</th><th>Status</th></tr>",
    ]
    for name, stats in report.checked.items():
        cls = "fail" if stats.get("failed") else "ok"
        parts.append(
            f"<tr><td>{esc(name)}</td><td>{stats.get('rows', 0)}</td>"
            f"<td>{stats.get('expectations', 0)}</td><td>{stats.get('failed', 0)}</td>"
            f"<td class='{cls}'>{'FAIL' if cls == 'fail' else 'ok'}</td></tr>"
        )
    parts.append("</table>")
    if report.cross_checks:
        parts.append("<h2>Cross-dataset checks</h2><table><tr><th>Check</th><th>Status</th></tr>")
        for name, passed in report.cross_checks.items():
            cls = "ok" if passed else "fail"
            parts.append(
                f"<tr><td>{esc(name)}</td><td class='{cls}'>{'ok' if passed else 'FAIL'}</td></tr>"
            )
        parts.append("</table>")
    parts.append("<h2>Failures</h2>")
    if not report.failures:
        parts.append("<p>None.</p>")
    else:
        parts.append(
            "<table><tr><th>Dataset</th><th>Column</th><th>Rule</th><th>Rows</th>"
            "<th>Detail</th><th>Sample of offending rows</th></tr>"
        )
        for failure in report.failures:
            sample = "<br>".join(esc(_format_row(row)) for row in failure.sample)
            parts.append(
                f"<tr><td>{esc(failure.dataset)}</td><td>{esc(failure.column or '')}</td>"
                f"<td><code>{esc(failure.rule)}</code></td><td>{failure.count}</td>"
                f"<td>{esc(failure.detail)}</td><td>{sample}</td></tr>"
            )
        parts.append("</table>")
    parts.append(
        f"<p>Validated in {report.seconds:.1f} s with Great Expectations suites from "
        "<code>data_contracts/</code>.</p></body></html>"
    )
    return "\n".join(parts)
