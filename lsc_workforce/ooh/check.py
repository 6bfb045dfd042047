"""Audit a rota a trust already runs against a rule preset (``lsc-workforce rota check``).

The rota file (CSV, Parquet or XLSX) has columns ``staff_id, date, shift``: one row per shift
held, ``shift`` being a shift id of the service's pattern (e.g. ``weeknight``, ``weekend``).
The people are looked up in ``staff_in_post`` and ``staff_competencies`` (competency), their
leave in ``leave``; the horizon is the span of the file's dates. Every breach is printed with
its dates and the rule's source.

Exit codes: 0 compliant, 1 breaches found, 2 unusable input (:class:`RotaInputError`, which the
console command reports as bad usage).
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import TextIO

import polars as pl

from lsc_workforce.config import CONFIG_DIR, REFERENCE_DATA_DIR, ConfigError
from lsc_workforce.ooh.build import (
    DATASETS,
    OohInstance,
    Slot,
    average_window,
    bank_holidays,
    leave_days,
    max_oncall_days,
    offered_dates,
    person_rules,
    shift_type,
    soft_rules,
)
from lsc_workforce.ooh.compliance import check_roster
from lsc_workforce.ooh.inputs import OohConfig, RulePreset, Service, load_ooh_config
from lsc_workforce.rota import Person, RotaProblem

__all__ = [
    "RotaInputError",
    "build_check_instance",
    "check_rota_file",
    "read_rota",
]

EXIT_COMPLIANT = 0
EXIT_BREACHES = 1


class RotaInputError(ConfigError):
    """The rota file or its options cannot be used (missing columns, bad dates, unknown ids)."""


def read_rota(path: Path) -> pl.DataFrame:
    """Read ``staff_id, date, shift`` from a CSV, Parquet or XLSX rota file.

    Raises:
        RotaInputError: naming the file, the missing columns or the rows with bad dates.
    """
    path = Path(path)
    if not path.is_file():
        raise RotaInputError(f"rota file {path} does not exist")
    from lsc_workforce.data import FILE_SUFFIXES, DataError, read_raw  # noqa: PLC0415

    try:
        if path.suffix.lower() in FILE_SUFFIXES:
            # The trust extracts' reader: strict text encodings, trailing blank rows dropped.
            frame = read_raw(path)
        else:
            frame = pl.read_csv(path, infer_schema=False)
    except DataError as exc:
        raise RotaInputError(f"rota file {path} cannot be read: {exc.describe()}") from exc
    except Exception as exc:  # any reader failure means the file is unusable
        raise RotaInputError(f"rota file {path} cannot be read: {exc}") from exc
    missing = [c for c in ("staff_id", "date", "shift") if c not in frame.columns]
    if missing:
        raise RotaInputError(
            f"rota file {path} lacks columns {missing} (needs staff_id, date, shift; "
            f"has {frame.columns})"
        )
    if frame.is_empty():
        raise RotaInputError(f"rota file {path} has no rows")
    frame = frame.select(
        pl.col("staff_id").cast(pl.String).str.strip_chars(),
        pl.col("date").cast(pl.String).str.strip_chars().alias("date_text"),
        pl.col("shift").cast(pl.String).str.strip_chars(),
    ).with_columns(date=pl.col("date_text").str.to_date("%Y-%m-%d", strict=False))
    bad = frame.with_row_index("row", offset=2).filter(pl.col("date").is_null())
    if not bad.is_empty():
        sample = ", ".join(
            f"line {r}: {t!r}" for r, t in bad.select("row", "date_text").head(5).iter_rows()
        )
        raise RotaInputError(
            f"rota file {path}: {bad.height} dates are not ISO YYYY-MM-DD ({sample})"
        )
    nulls = frame.filter(pl.col("staff_id").is_null() | pl.col("shift").is_null())
    if not nulls.is_empty():
        raise RotaInputError(f"rota file {path}: {nulls.height} rows lack a staff_id or shift")
    return frame.select("staff_id", "date", "shift")


def _pick_service(cfg: OohConfig, shifts: set[str], service_id: str | None) -> Service:
    if service_id is not None:
        try:
            service = cfg.service(service_id)
        except ConfigError as exc:
            raise RotaInputError(str(exc)) from exc
        unknown = sorted(shifts - {p.id for p in service.shifts})
        if unknown:
            raise RotaInputError(
                f"shifts {unknown} are not in service {service.id}'s pattern "
                f"{[p.id for p in service.shifts]}"
            )
        return service
    matches = [s for s in cfg.services.values() if shifts <= {p.id for p in s.shifts}]
    if len(matches) != 1:
        found = [s.id for s in matches] or "none"
        raise RotaInputError(
            f"cannot tell the service from shifts {sorted(shifts)} (matching services: {found}); "
            "pass --service ID"
        )
    return matches[0]


def build_check_instance(
    service: Service,
    preset: RulePreset,
    frames: Mapping[str, pl.DataFrame],
    roster: pl.DataFrame,
) -> OohInstance:
    """An :class:`OohInstance` describing an existing rota, for checking only.

    People are the rota's staff with the competencies they actually hold (so a missing
    competency shows as an ``eligibility`` breach); there is no travel limit (the rota file
    does not say where each shift was worked) and no cover requirement.

    Raises:
        RotaInputError: if a staff id is not in ``staff_in_post``.
    """
    start = roster.get_column("date").min()
    n_days = (roster.get_column("date").max() - start).days + 1
    ids = sorted(set(roster.get_column("staff_id")))
    posts = (
        frames["staff_in_post"]
        .filter(pl.col("staff_id").is_in(ids))
        .sort(["staff_id", "wte"], descending=[False, True])
        .group_by("staff_id", maintain_order=True)
        .agg(pl.col("trust_code", "base_site", "grade").first(), pl.col("wte").sum())
    )
    unknown = sorted(set(ids) - set(posts.get_column("staff_id")))
    if unknown:
        raise RotaInputError(f"{len(unknown)} staff ids are not in staff_in_post: {unknown[:10]}")
    held = (
        frames["staff_competencies"]
        .filter(pl.col("staff_id").is_in(ids))
        .group_by("staff_id")
        .agg(pl.col("competency"))
    )
    competencies = {sid: frozenset(c) for sid, c in held.iter_rows()}
    leave = leave_days(frames["leave"], ids, start, n_days)
    dates = tuple(start + dt.timedelta(days=k) for k in range(n_days))
    holidays_ = bank_holidays(start, n_days)
    slots = {p.id: Slot(p.id, p, None, service.cover) for p in service.shifts}
    shift_types = tuple(shift_type(service, p, p.id, None) for p in service.shifts)
    people = tuple(
        Person(
            id=row["staff_id"],
            wte=row["wte"],
            competencies=competencies.get(row["staff_id"], frozenset()),
            base_site=row["base_site"],
            rules=person_rules(preset, n_days, days_off=leave.get(row["staff_id"], ())),
        )
        for row in posts.iter_rows(named=True)
    )
    problem = RotaProblem(
        start=start,
        n_days=n_days,
        shift_types=shift_types,
        people=people,
        soft_rules=soft_rules(preset),
        name=f"check_{service.id}",
        weekend_dates=holidays_,
    )
    people_frame = posts.select(
        "staff_id",
        "trust_code",
        "base_site",
        "grade",
        "wte",
        pl.lit(value=False).alias("candidate"),
        pl.lit(None, pl.String).alias("candidate_class"),
    )
    return OohInstance(
        service=service,
        scenario_id="existing",
        rota="existing",
        preset=preset,
        problem=problem,
        slots=MappingProxyType(slots),
        offered=MappingProxyType(
            {p.id: offered_dates(p, dates, holidays_) for p in service.shifts}
        ),
        holidays=holidays_,
        max_days=max_oncall_days(preset, n_days),
        people=people_frame,
        average=average_window(preset, n_days),
        trusts=tuple(sorted(set(posts.get_column("trust_code")))),
    )


def check_rota_file(
    rota_path: Path,
    preset_name: str,
    *,
    service_id: str | None = None,
    data_dir: Path = REFERENCE_DATA_DIR,
    config_dir: Path = CONFIG_DIR,
    out: TextIO | None = None,
) -> int:
    """Check a rota file against a preset, print every breach and return the exit code.

    Args:
        rota_path: the rota (``staff_id, date, shift``).
        preset_name: rule preset in ``config/ooh/rota_rules.yaml``.
        service_id: the service (inferred from the shift ids when omitted).
        data_dir: folder with ``staff_in_post``, ``staff_competencies`` and ``leave``.
        config_dir: configuration folder.
        out: where to print (default standard output).

    Returns:
        0 when compliant, 1 when breaches are found.

    Raises:
        RotaInputError: for unusable input (exit 2 on the command line).
        ConfigError: for invalid configuration (exit 2 on the command line), found by
            :func:`lsc_workforce.config_checks.validate_configuration` before the rota is read.
    """
    from lsc_workforce.config_checks import validate_configuration  # noqa: PLC0415
    from lsc_workforce.data import load_datasets  # noqa: PLC0415 - keeps --help fast

    out = out or sys.stdout
    if not Path(data_dir).is_dir():
        raise RotaInputError(f"data folder {data_dir} does not exist")
    # The same checks as the refresh and `validate`: a 1-in-0 rule stops here, named.
    validate_configuration(config_dir)
    cfg = load_ooh_config(config_dir, validate=False)
    try:
        preset = cfg.preset(preset_name)
    except ConfigError as exc:
        raise RotaInputError(str(exc)) from exc
    roster = read_rota(rota_path)
    service = _pick_service(cfg, set(roster.get_column("shift")), service_id)
    frames = load_datasets(Path(data_dir), [d for d in DATASETS if d != "site_travel_times"])
    instance = build_check_instance(service, preset, frames, roster)
    breaches = check_roster(instance, roster)
    first, last = instance.dates[0], instance.dates[-1]
    print(
        f"Checked {roster.height} shifts of {roster.get_column('staff_id').n_unique()} people "
        f"from {first} to {last} ({instance.problem.n_days} days) against preset "
        f"{preset.name!r} for service {service.id!r}.",
        file=out,
    )
    hard = breaches.filter(pl.col("hard"))
    for row in breaches.iter_rows(named=True):
        when = row["date"].isoformat() if row["date"] else "whole period"
        kind = "BREACH" if row["hard"] else "soft breach"
        print(
            f"{kind}: {row['rule']} - {row['staff_id']} on {when}: {row['detail']} "
            f"[source: {row['source']}; status: {row['status']}]",
            file=out,
        )
    if hard.is_empty():
        soft = breaches.height
        note = f" ({soft} priced soft breaches)" if soft else ""
        print(f"Compliant: no breaches of hard rules{note}.", file=out)
        return EXIT_COMPLIANT
    per_rule = hard.group_by("rule").len().sort("rule")
    listing = ", ".join(f"{rule} x{n}" for rule, n in per_rule.iter_rows())
    print(f"{hard.height} breaches found: {listing}.", file=out)
    return EXIT_BREACHES
