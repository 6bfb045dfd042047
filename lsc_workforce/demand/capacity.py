"""Demand and capacity today: required WTE against WTE in post, by trust and staff group.

Workload comes from a year of activity (``activity`` dataset) times an effort per examination
(``config/demand/activity_effort.csv``), split between staff groups by the skill mix
(``skill_mix.csv``), and turned into WTE by the productive units a WTE delivers a year
(:func:`productivity`, from the job-plan scalars in ``job_plan.yaml``):

- radiology reporting: minutes per examination -> hours; a consultant WTE reports
  ``pas_per_week * hours_per_pa * dcc_share * reporting_share_of_dcc * medical_working_weeks``
  hours a year [src:consultant-job-plan]. Out-of-hours medical work counts ``hours_per_pa /
  hours_per_pa_premium`` = 4/3 because a PA in premium time is 3 hours.
  Outsourced reports are workload met outside the trust: reported separately.
- radiography, in clinical hours: within each time band (weekday in hours, out of hours) the
  larger of examinations / examinations per radiographer-hour and the staffing of the opening
  hours (``service_hours``, including 24/7 cover) with ``staff_while_open`` radiographers per
  room (``radiography.csv``), summed over the bands, plus the services staffed by the session
  with no activity counted (``staffed_services.csv``). Out of hours a modality's work joins its
  ``ooh_room`` team (CT and plain film share one emergency team, as the OOH model's night
  radiographer covers both). Radiographers in post count by their
  band's clinical share (``grade_lines.csv``; band 7 and above about half,
  [src:sor-band7-nonclinical]).
- endoscopy: procedures x JAG points (unconfirmed, [src:jag-points-per-procedure]) / points per
  list -> lists, plus the list types the activity extract does not count
  (``endoscopy_lists.csv``: therapeutic, ERCP, bowel screening, training lists); a WTE runs a
  number of lists a week.
- interventional radiology: procedure minutes -> hours.
- rota floors: a staff group holding an out-of-hours rota (IR, GI-bleed endoscopy) needs at
  least the rota's people at each trust (:func:`rota_floors`, from
  :mod:`lsc_workforce.ooh.rota_size` and ``rota_floors.yaml``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import polars as pl

from lsc_workforce.config import ConfigError, load_yaml
from lsc_workforce.data import MEDICAL_GROUPS, PLANNED_GROUPS
from lsc_workforce.demand.parameters import (
    Scalar,
    load_parameter_table,
    load_scalars,
    require_range,
)
from lsc_workforce.demand.supply import SupplyParams, supply_lines

#: The staff groups the demand model plans (not the OOH-only groups, e.g. the IR nurses).
STAFF_GROUPS = PLANNED_GROUPS

#: Tasks whose examinations can be outsourced (reports bought from outside the trust).
REPORTING_TASKS = ("ct_reporting", "mri_reporting", "ultrasound", "plain_film_reporting")
#: Staff group label for work done by staff outside the six modelled groups (sonographers).
NOT_MODELLED = "not_modelled"
#: Staff groups whose work is counted in endoscopy lists.
LIST_GROUPS = ("medical_endoscopist", "non_medical_endoscopist")
#: Task whose lists the extra list types of ``endoscopy_lists.csv`` are a multiple of.
DIAGNOSTIC_LISTS = "diagnostic_endoscopy"
#: Average weeks in a year (365.25 / 7).
WEEKS_PER_YEAR = 52.18

#: Columns of :func:`task_workload` after its keys.
TASK_COLUMNS = (
    "task",
    "staff_group",
    "unit",
    "workload",
    "outsourced",
    "in_house",
    "units_per_wte_year",
    "required_wte",
    "outsourced_wte",
)
EFFORT_COLUMNS = ("modality", "task", "unit", "effort_per_exam")
SKILL_MIX_COLUMNS = ("task", "staff_group", "share")
RADIOGRAPHY_COLUMNS = ("modality", "room", "exams_per_radiographer_hour", "staff_while_open")
#: Optional column of ``radiography.csv``: the team that does the modality's out-of-hours work
#: (default: its own room).
OOH_ROOM = "ooh_room"
ENDOSCOPY_LIST_COLUMNS = ("list_type", "staff_group", "lists_per_diagnostic_list")
STAFFED_COLUMNS = (
    "modality",
    "room",
    "where",
    "weekday_open",
    "weekday_close",
    "weekend_open",
    "weekend_close",
    "rooms",
    "staff_per_room",
)
SCALARS = (
    "pas_per_week",
    "hours_per_pa",
    "hours_per_pa_premium",
    "dcc_share",
    "reporting_share_of_dcc",
    "ir_procedural_share_of_dcc",
    "medical_working_weeks",
    "afc_hours_per_week",
    "afc_working_weeks",
    "in_hours_start",
    "in_hours_end",
    "establishment_tolerance",
    "reporting_radiographer_reporting_share",
    "points_per_list",
    "medical_lists_per_wte_week",
    "non_medical_lists_per_wte_week",
)


@dataclass(frozen=True)
class RotaFloors:
    """Out-of-hours rotas whose size is a floor on a staff group's requirement.

    Attributes:
        scenario: OOH scenario id whose rotas set the floors (``trust_by_trust`` by default).
        wte_per_member: WTE counted per rota member.
        services: ``{OOH service id: staff group}``.
        ooh: the OOH configuration (:class:`lsc_workforce.ooh.inputs.OohConfig`).
    """

    scenario: str
    wte_per_member: float
    services: Mapping[str, str]
    ooh: Any

    @classmethod
    def from_config(cls, config_dir: Path) -> RotaFloors:
        """Read ``config_dir/demand/rota_floors.yaml`` and the OOH configuration.

        Raises:
            ConfigError: naming the file and entry if it is malformed, or the scenario, a
                service or a staff group is unknown.
        """
        from lsc_workforce.ooh.inputs import load_ooh_config  # noqa: PLC0415 - heavy, lazy

        path = Path(config_dir) / "demand" / "rota_floors.yaml"
        raw = load_yaml(path) or {}
        for key in ("scenario", "wte_per_member", "services"):
            if key not in raw:
                raise ConfigError(f"{path.name}: missing {key!r}")
        for key in ("scenario", "wte_per_member"):
            entry = raw[key]
            if not isinstance(entry, Mapping) or not {"value", "source", "status"} <= set(entry):
                raise ConfigError(f"{path.name}: {key} needs value, source and status")
        services = {}
        for service, entry in (raw["services"] or {}).items():
            if not isinstance(entry, Mapping) or not {"staff_group", "source", "status"} <= set(
                entry
            ):
                raise ConfigError(
                    f"{path.name}: services.{service} needs staff_group, source, status"
                )
            if entry["staff_group"] not in STAFF_GROUPS:
                raise ConfigError(
                    f"{path.name}: services.{service}: unknown staff group {entry['staff_group']!r}"
                )
            services[str(service)] = str(entry["staff_group"])
        ooh = load_ooh_config(Path(config_dir), validate=False)
        scenario = str(raw["scenario"]["value"])
        ooh.scenario(scenario)  # raises, naming the known scenarios
        for service in services:
            ooh.service(service)
        wte = raw["wte_per_member"]["value"]
        if not isinstance(wte, int | float) or not 0 < wte <= 1.5:
            raise ConfigError(f"{path.name}: wte_per_member must be in (0, 1.5], not {wte!r}")
        return cls(scenario, float(wte), services, ooh)


@dataclass(frozen=True)
class CapacityParams:
    """Parameters of the capacity model.

    Attributes:
        effort: ``modality``, ``task``, ``unit`` (``minutes`` or ``points``),
            ``effort_per_exam``.
        skill_mix: ``task``, ``staff_group``, ``share``; shares of a task sum to 1 (work of
            staff outside the model is labelled ``not_modelled``).
        radiography: ``modality``, ``room``, ``exams_per_radiographer_hour``,
            ``staff_while_open`` and optionally ``ooh_room`` (the out-of-hours team; default
            the room).
        scalars: job-plan scalars by name (see :data:`SCALARS`).
        staffed: optional services staffed by opening hours with no activity counted
            (``staffed_services.csv``: ``modality``, ``room``, ``where`` (site code or a
            ``sites`` flag), weekday and weekend ``*_open`` / ``*_close`` times, ``rooms``,
            ``staff_per_room``).
        rota: optional rota floors (``rota_floors.yaml``); without them no staff group has a
            rota floor.
        endoscopy_lists: optional list types the activity does not count
            (``endoscopy_lists.csv``: ``list_type``, ``staff_group``,
            ``lists_per_diagnostic_list``).
    """

    effort: pl.DataFrame
    skill_mix: pl.DataFrame
    radiography: pl.DataFrame
    scalars: dict[str, Scalar]
    staffed: pl.DataFrame | None = None
    rota: RotaFloors | None = None
    endoscopy_lists: pl.DataFrame | None = None

    def __post_init__(self) -> None:
        missing = [name for name in SCALARS if name not in self.scalars]
        if missing:
            raise ConfigError(f"job_plan: missing scalar(s) {missing}")
        for table, frame, columns in (
            ("activity_effort", self.effort, EFFORT_COLUMNS),
            ("skill_mix", self.skill_mix, SKILL_MIX_COLUMNS),
            ("radiography", self.radiography, RADIOGRAPHY_COLUMNS),
        ):
            absent = [c for c in columns if c not in frame.columns]
            if absent:
                raise ConfigError(f"{table}: missing column(s) {absent}")
        require_range(self.effort, "effort_per_exam", 0, 1_000, "activity_effort")
        bad_unit = self.effort.filter(~pl.col("unit").is_in(["minutes", "points"]))
        if bad_unit.height:
            raise ConfigError(f"activity_effort: unit must be minutes or points: {bad_unit.rows()}")
        if self.effort["modality"].is_duplicated().any():
            raise ConfigError("activity_effort: one row per modality")
        require_range(self.skill_mix, "share", 0, 1, "skill_mix")
        sums = self.skill_mix.group_by("task").agg(pl.col("share").sum())
        off = sums.filter((pl.col("share") - 1).abs() > 1e-9)
        if off.height:
            raise ConfigError(f"skill_mix: shares of a task must sum to 1: {off.rows()}")
        unknown = set(self.skill_mix["staff_group"]) - {*STAFF_GROUPS, NOT_MODELLED}
        if unknown:
            raise ConfigError(f"skill_mix: unknown staff group(s) {sorted(unknown)}")
        no_mix = set(self.effort["task"]) - set(self.skill_mix["task"])
        if no_mix:
            raise ConfigError(f"skill_mix: no rows for task(s) {sorted(no_mix)}")
        require_range(self.radiography, "exams_per_radiographer_hour", 0.01, 100, "radiography")
        require_range(self.radiography, "staff_while_open", 0, 20, "radiography")
        if self.staffed is not None:
            absent = [c for c in STAFFED_COLUMNS if c not in self.staffed.columns]
            if absent:
                raise ConfigError(f"staffed_services: missing column(s) {absent}")
            require_range(self.staffed, "rooms", 0, 50, "staffed_services")
            require_range(self.staffed, "staff_per_room", 0, 20, "staffed_services")
        if self.endoscopy_lists is not None:
            lists = self.endoscopy_lists
            require_range(lists, "lists_per_diagnostic_list", 0, 5, "endoscopy_lists")
            bad = lists.filter(~pl.col("staff_group").is_in(LIST_GROUPS))
            if bad.height:
                raise ConfigError(f"endoscopy_lists: staff_group must be one of {LIST_GROUPS}")

    @classmethod
    def from_config(cls, config_dir: Path) -> CapacityParams:
        """Load the capacity tables from ``config_dir/demand/``.

        Raises:
            ConfigError: if a table is missing or malformed.
        """
        folder = Path(config_dir) / "demand"
        return cls(
            effort=load_parameter_table(folder / "activity_effort.csv", EFFORT_COLUMNS),
            skill_mix=load_parameter_table(folder / "skill_mix.csv", SKILL_MIX_COLUMNS),
            radiography=load_parameter_table(folder / "radiography.csv", RADIOGRAPHY_COLUMNS),
            scalars=load_scalars(folder / "job_plan.yaml"),
            staffed=(
                load_parameter_table(folder / "staffed_services.csv", STAFFED_COLUMNS)
                if (folder / "staffed_services.csv").is_file()
                else None
            ),
            endoscopy_lists=(
                load_parameter_table(folder / "endoscopy_lists.csv", ENDOSCOPY_LIST_COLUMNS)
                if (folder / "endoscopy_lists.csv").is_file()
                else None
            ),
            rota=(
                RotaFloors.from_config(config_dir)
                if (folder / "rota_floors.yaml").is_file()
                else None
            ),
        )

    def value(self, name: str) -> float:
        """Return the value of a job-plan scalar."""
        return self.scalars[name].value

    def with_effort_factor(self, modality: str, factor: float) -> CapacityParams:
        """Return a copy with one modality's effort per examination multiplied by ``factor``.

        Used by scenarios, e.g. AI stroke-CT triage changing CT-head reporting effort.

        Raises:
            ConfigError: if the modality has no effort row or the factor is negative.
        """
        if modality not in self.effort["modality"].to_list():
            raise ConfigError(f"no effort row for modality {modality!r}")
        if factor < 0:
            raise ConfigError(f"effort factor must be non-negative, not {factor}")
        effort = self.effort.with_columns(
            pl.when(pl.col("modality") == modality)
            .then(pl.col("effort_per_exam") * factor)
            .otherwise(pl.col("effort_per_exam"))
            .alias("effort_per_exam")
        )
        return replace(self, effort=effort)


def productivity(params: CapacityParams) -> pl.DataFrame:
    """Return the productive units one WTE delivers a year, per task and staff group.

    Args:
        params: capacity parameters.

    Returns:
        Columns ``task``, ``staff_group``, ``unit`` (``hours`` or ``lists``) and
        ``units_per_wte_year`` for every modelled (task, staff group) of the skill mix, plus
        ``radiography`` for radiographers.
    """
    v = params.value
    consultant_dcc_hours = (
        v("pas_per_week") * v("hours_per_pa") * v("dcc_share") * v("medical_working_weeks")
    )
    afc_hours = v("afc_hours_per_week") * v("afc_working_weeks")
    per_group = {
        "radiologist": ("hours", consultant_dcc_hours * v("reporting_share_of_dcc")),
        "interventional_radiologist": (
            "hours",
            consultant_dcc_hours * v("ir_procedural_share_of_dcc"),
        ),
        "reporting_radiographer": (
            "hours",
            afc_hours * v("reporting_radiographer_reporting_share"),
        ),
        "medical_endoscopist": (
            "lists",
            v("medical_lists_per_wte_week") * v("medical_working_weeks"),
        ),
        "non_medical_endoscopist": (
            "lists",
            v("non_medical_lists_per_wte_week") * v("afc_working_weeks"),
        ),
        "radiographer": ("hours", afc_hours),  # clinical WTE: see radiography_workload
    }
    pairs = params.skill_mix.filter(pl.col("staff_group") != NOT_MODELLED).select(
        "task", "staff_group"
    )
    extra = [pl.DataFrame({"task": ["radiography"], "staff_group": ["radiographer"]})]
    if params.endoscopy_lists is not None:
        extra.append(
            params.endoscopy_lists.select(pl.col("list_type").alias("task"), "staff_group")
        )
    pairs = pl.concat([pairs, *extra]).unique(maintain_order=True)
    return pairs.with_columns(
        pl.col("staff_group")
        .replace_strict({g: u for g, (u, _) in per_group.items()}, return_dtype=pl.String)
        .alias("unit"),
        pl.col("staff_group")
        .replace_strict({g: x for g, (_, x) in per_group.items()}, return_dtype=pl.Float64)
        .alias("units_per_wte_year"),
    )


def annual_activity(activity: pl.DataFrame, as_at: dt.date, months: int = 12) -> pl.DataFrame:
    """Sum the ``months`` full months of activity before the "as at" date.

    Args:
        activity: the ``activity`` dataset (monthly).
        as_at: planning date; the last month used is the one before ``as_at``'s month.
        months: number of months (12 gives an annual volume).

    Returns:
        ``trust_code``, ``site_code``, ``modality``, ``period``, ``examinations``,
        ``outsourced_reports`` (Float64), scaled to a year if ``months`` is not 12.

    Raises:
        ConfigError: if fewer than ``months`` months are available before ``as_at``.
    """
    end = dt.date(as_at.year, as_at.month, 1)
    start_index = end.year * 12 + end.month - 1 - months
    start = dt.date(start_index // 12, start_index % 12 + 1, 1)
    window = activity.filter((pl.col("month") >= start) & (pl.col("month") < end))
    found = window["month"].n_unique()
    if found < months:
        raise ConfigError(
            f"activity has {found} of the {months} months from {start} to before {end}"
        )
    return (
        window.group_by("trust_code", "site_code", "modality", "period")
        .agg(
            (pl.col("examinations").cast(pl.Float64).sum() * 12 / months),
            (pl.col("outsourced_reports").cast(pl.Float64).sum() * 12 / months),
        )
        .sort("trust_code", "site_code", "modality", "period")
    )


def task_workload(annual: pl.DataFrame, params: CapacityParams) -> pl.DataFrame:
    """Turn a year of activity into workload and required WTE per task and staff group.

    Args:
        annual: yearly activity with ``trust_code``, ``modality``, ``period``,
            ``examinations``, ``outsourced_reports`` (other keys, e.g. ``year`` or
            ``site_code``, are kept if listed in neither).
        params: capacity parameters.

    Returns:
        One row per key (``trust_code`` and any extra keys such as ``year``), ``task`` and
        ``staff_group`` with ``unit`` (``hours`` or ``lists``), ``workload`` (units a year,
        out-of-hours medical work weighted 4/3), ``outsourced`` (units met by outsourced
        reports), ``in_house`` (= workload - outsourced), ``units_per_wte_year``,
        ``required_wte`` (in-house) and ``outsourced_wte``. Work of ``not_modelled`` staff
        is dropped. With ``params.endoscopy_lists`` each list type adds
        ``lists_per_diagnostic_list`` x the diagnostic lists (all endoscopists) as its own task.
    """
    keys = [
        c
        for c in annual.columns
        if c not in ("site_code", "modality", "period", "examinations", "outsourced_reports")
    ]
    premium = params.value("hours_per_pa") / params.value("hours_per_pa_premium")
    points_per_list = params.value("points_per_list")
    units = (
        pl.when(pl.col("unit") == "minutes")
        .then(pl.col("effort_per_exam") / 60)
        .otherwise(pl.col("effort_per_exam") / points_per_list)
    )
    weight = (
        pl.when(pl.col("staff_group").is_in(MEDICAL_GROUPS) & (pl.col("period") == "ooh"))
        .then(pl.lit(premium))
        .otherwise(pl.lit(1.0))
    )
    outsourced = (
        pl.when(pl.col("task").is_in(REPORTING_TASKS))
        .then(pl.col("outsourced_reports"))
        .otherwise(0.0)
    )
    work = (
        annual.join(params.effort.select(EFFORT_COLUMNS), on="modality", how="inner")
        .join(params.skill_mix.select(SKILL_MIX_COLUMNS), on="task")
        .filter(pl.col("staff_group") != NOT_MODELLED)
        .with_columns(
            (pl.col("examinations") * units * pl.col("share") * weight).alias("workload"),
            (outsourced * units * pl.col("share") * weight).alias("outsourced"),
        )
        .group_by(*keys, "task", "staff_group")
        .agg(pl.col("workload", "outsourced").sum())
    )
    if params.endoscopy_lists is not None:
        diagnostic = (
            work.filter(pl.col("task") == DIAGNOSTIC_LISTS)
            .group_by(*keys)
            .agg(pl.col("workload").sum().alias("diagnostic_lists"))
        )
        extra = diagnostic.join(params.endoscopy_lists, how="cross").select(
            *keys,
            pl.col("list_type").alias("task"),
            "staff_group",
            (pl.col("diagnostic_lists") * pl.col("lists_per_diagnostic_list")).alias("workload"),
            pl.lit(0.0).alias("outsourced"),
        )
        work = pl.concat([work, extra.select(work.columns)])
    return (
        work.join(productivity(params), on=["task", "staff_group"])
        .with_columns((pl.col("workload") - pl.col("outsourced")).alias("in_house"))
        .with_columns(
            (pl.col("in_house") / pl.col("units_per_wte_year")).alias("required_wte"),
            (pl.col("outsourced") / pl.col("units_per_wte_year")).alias("outsourced_wte"),
        )
        .select(*keys, *TASK_COLUMNS)
        .sort(*keys, "task", "staff_group")
    )


def _minutes(column: str) -> pl.Expr:
    parts = pl.col(column).str.split(":")
    return parts.list.get(0).cast(pl.Int32) * 60 + parts.list.get(1).cast(pl.Int32)


def band_hours(service_hours: pl.DataFrame, params: CapacityParams) -> pl.DataFrame:
    """Weekly opening hours per site and modality, split into the two time bands.

    The in-hours band is weekdays from ``in_hours_start`` to ``in_hours_end`` (job plan); every
    other open hour (weekday evenings and nights, weekends) is out of hours (``ooh``), the same
    split as the activity extract's ``period``.

    Args:
        service_hours: rows with ``site_code``, ``modality``, ``day_type``, ``open_time``,
            ``close_time`` (``HH:MM``, ``24:00`` allowed).
        params: capacity parameters.

    Returns:
        ``site_code``, ``modality``, ``period`` (``in_hours``, ``ooh``), ``hours_week``.
    """
    start = round(params.value("in_hours_start") * 60)
    end = round(params.value("in_hours_end") * 60)
    opened, closed = _minutes("open_time"), _minutes("close_time")
    open_minutes = (closed - opened).clip(lower_bound=0)
    overlap = pl.min_horizontal(closed, pl.lit(end)) - pl.max_horizontal(opened, pl.lit(start))
    weekday = pl.col("day_type") == "weekday"
    in_hours = pl.when(weekday).then(overlap.clip(lower_bound=0)).otherwise(0)
    days = pl.when(weekday).then(5.0).otherwise(2.0)
    wide = (
        service_hours.with_columns(
            (in_hours * days / 60).alias("in_hours"),
            ((open_minutes - in_hours) * days / 60).alias("ooh"),
        )
        .group_by("site_code", "modality")
        .agg(pl.col("in_hours", "ooh").sum())
    )
    return wide.unpivot(
        ["in_hours", "ooh"],
        index=["site_code", "modality"],
        variable_name="period",
        value_name="hours_week",
    ).sort("site_code", "modality", "period")


def staffed_service_hours(sites: pl.DataFrame, params: CapacityParams) -> pl.DataFrame:
    """Opening hours and staffing of the services the activity extract does not count.

    Each ``staffed_services.csv`` row applies at one site (``where`` is a site code) or at every
    site with a facility flag (``where`` is a boolean column of ``sites``, e.g. ``has_ed``).

    Returns:
        ``site_code``, ``modality``, ``room``, ``day_type``, ``open_time``, ``close_time``,
        ``staff_while_open`` (rooms x radiographers per room).

    Raises:
        ConfigError: if ``where`` is neither a site code nor a flag of ``sites``.
    """
    rows = []
    flags = {c for c, t in sites.schema.items() if t == pl.Boolean}
    codes = set(sites["site_code"].to_list())
    for row in params.staffed.iter_rows(named=True):
        where = row["where"]
        if where in flags:
            chosen = sites.filter(pl.col(where))["site_code"].to_list()
        elif where in codes:
            chosen = [where]
        else:
            raise ConfigError(
                f"staffed_services.csv: {row['modality']}: where={where!r} is neither a site code "
                f"nor one of the sites flags {sorted(flags)}"
            )
        for site in chosen:
            for day_type in ("weekday", "weekend"):
                rows.append(
                    {
                        "site_code": site,
                        "modality": row["modality"],
                        "room": row["room"],
                        "day_type": day_type,
                        "open_time": row[f"{day_type}_open"],
                        "close_time": row[f"{day_type}_close"],
                        "staff_while_open": float(row["rooms"] * row["staff_per_room"]),
                    }
                )
    schema = {
        "site_code": pl.String,
        "modality": pl.String,
        "room": pl.String,
        "day_type": pl.String,
        "open_time": pl.String,
        "close_time": pl.String,
        "staff_while_open": pl.Float64,
    }
    return pl.DataFrame(rows, schema=schema)


def radiography_workload(
    annual: pl.DataFrame,
    service_hours: pl.DataFrame,
    params: CapacityParams,
    sites: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Radiographer clinical hours and WTE needed per site and room, summed over time bands.

    Within each time band (in hours, out of hours; :func:`band_hours`) a room needs the larger
    of the activity-driven hours (examinations of the band / examinations per radiographer-hour)
    and the cover hours (weekly open hours of the band x ``staff_while_open`` x weeks a year);
    the requirement is the sum over the bands, so daytime throughput never absorbs night
    cover. Rooms shared by several modalities (stroke and other CT) take the longest opening
    hours of each band. Out of hours, a modality's work and cover go to its ``ooh_room`` team
    (optional column of ``radiography.csv``, default its room): modalities sharing a team add
    their activity and take the largest staffing, so CT and plain film at night are one team,
    not two. With ``sites``, the services of ``staffed_services.csv`` (no activity counted:
    fluoroscopy, theatres, mammography, ...) add their cover.

    The WTE are clinical WTE (``afc_hours_per_week x afc_working_weeks`` clinical hours each);
    radiographers in post count by their band's clinical share (``grade_lines.csv``).

    Args:
        annual: yearly activity with ``trust_code``, ``site_code``, ``modality``, ``period``,
            ``examinations`` (and optionally extra keys such as ``year``).
        service_hours: the ``service_hours`` dataset.
        params: capacity parameters.
        sites: the ``sites`` dataset (needed for the staffed services and for rooms open with
            no activity; without it only rooms with activity are counted).

    Returns:
        Keys, ``trust_code``, ``site_code``, ``room`` (the out-of-hours team for out-of-hours
        work), ``activity_hours_in``,
        ``cover_hours_in``, ``activity_hours_ooh``, ``cover_hours_ooh``, ``activity_hours``,
        ``cover_hours`` (band sums), ``required_hours`` (sum over bands of the larger),
        ``required_wte``.
    """
    keys = [
        c
        for c in annual.columns
        if c
        not in (
            "trust_code",
            "site_code",
            "modality",
            "period",
            "examinations",
            "outsourced_reports",
        )
    ]
    hours_per_wte = params.value("afc_hours_per_week") * params.value("afc_working_weeks")
    rad = params.radiography
    rad = rad.select(
        *RADIOGRAPHY_COLUMNS,
        pl.col(OOH_ROOM) if OOH_ROOM in rad.columns else pl.col("room").alias(OOH_ROOM),
    )
    # The room (in hours) or out-of-hours team (out of hours) whose staff do the work.
    team = (
        pl.when(pl.col("period") == "ooh").then(pl.col(OOH_ROOM)).otherwise(pl.col("room"))
    ).alias("room")
    activity = (
        annual.join(rad, on="modality")
        .with_columns(team)
        .group_by(*keys, "trust_code", "site_code", "room", "period")
        .agg((pl.col("examinations") / pl.col("exams_per_radiographer_hour")).sum().alias("hours"))
        .with_columns(pl.lit("activity").alias("kind"))
    )
    opening = service_hours.join(
        rad.select("modality", "room", OOH_ROOM, pl.col("staff_while_open").cast(pl.Float64)),
        on="modality",
    )
    if sites is not None and params.staffed is not None:
        staffed = staffed_service_hours(sites, params).with_columns(pl.col("room").alias(OOH_ROOM))
        opening = pl.concat([opening.select(staffed.columns), staffed])
    cover = (
        band_hours(opening, params)
        .join(
            opening.select("site_code", "modality", "room", OOH_ROOM, "staff_while_open").unique(),
            on=["site_code", "modality"],
        )
        .with_columns(team)
        .group_by("site_code", "room", "period")
        .agg(
            (pl.col("hours_week") * pl.col("staff_while_open") * WEEKS_PER_YEAR)
            .max()
            .alias("hours")
        )
    )
    if sites is None:  # rooms with activity only
        places = activity.select(*keys, "trust_code", "site_code").unique()
    else:
        places = (
            cover.select("site_code")
            .unique()
            .join(sites.select("site_code", "trust_code"), on="site_code")
        )
        if keys:
            places = places.join(annual.select(keys).unique(), how="cross")
        places = pl.concat(
            [
                places.select(*keys, "trust_code", "site_code"),
                activity.select(*keys, "trust_code", "site_code"),
            ]
        ).unique()
    cover = places.join(cover, on="site_code").with_columns(pl.lit("cover").alias("kind"))
    both = pl.concat([activity, cover.select(activity.columns)]).with_columns(
        pl.concat_str(
            "kind",
            pl.lit("_hours_"),
            pl.when(pl.col("period") == "in_hours").then(pl.lit("in")).otherwise(pl.lit("ooh")),
        ).alias("column")
    )
    wide = both.pivot(
        on="column",
        index=[*keys, "trust_code", "site_code", "room"],
        values="hours",
        aggregate_function="sum",
    )
    band_columns = ("activity_hours_in", "cover_hours_in", "activity_hours_ooh", "cover_hours_ooh")
    wide = wide.select(
        *keys,
        "trust_code",
        "site_code",
        "room",
        *[
            (pl.col(name) if name in wide.columns else pl.lit(0.0)).fill_null(0.0).alias(name)
            for name in band_columns
        ],
    )
    return (
        wide.with_columns(
            (pl.col("activity_hours_in") + pl.col("activity_hours_ooh")).alias("activity_hours"),
            (pl.col("cover_hours_in") + pl.col("cover_hours_ooh")).alias("cover_hours"),
            (
                pl.max_horizontal("activity_hours_in", "cover_hours_in")
                + pl.max_horizontal("activity_hours_ooh", "cover_hours_ooh")
            ).alias("required_hours"),
        )
        .with_columns((pl.col("required_hours") / hours_per_wte).alias("required_wte"))
        .sort(*keys, "trust_code", "site_code", "room")
    )


def rota_floors(sites: pl.DataFrame, params: CapacityParams) -> pl.DataFrame:
    """Rota headcount floor per trust and staff group, from the OOH rota sizes.

    The people each rota of ``params.rota.scenario`` needs come from
    :func:`lsc_workforce.ooh.rota_size.rota_people` (``N`` for a 1-in-N rota, per slot); a rota
    shared by several trusts (network scenarios) is divided equally between them. The floor in
    WTE is ``people x wte_per_member``.

    Args:
        sites: the ``sites`` dataset.
        params: capacity parameters (``params.rota``).

    Returns:
        ``trust_code``, ``staff_group``, ``service``, ``rota_people`` (people; fractional only
        for shared rotas) and ``rota_minimum_wte``; empty without ``params.rota``.
    """
    schema = {
        "trust_code": pl.String,
        "staff_group": pl.String,
        "service": pl.String,
        "rota_people": pl.Float64,
        "rota_minimum_wte": pl.Float64,
    }
    if params.rota is None:
        return pl.DataFrame(schema=schema)
    from lsc_workforce.ooh.rota_size import rota_people  # noqa: PLC0415 - heavy, lazy

    spec = params.rota
    people = rota_people(spec.ooh, sites, [spec.scenario], list(spec.services))
    return (
        people.filter(pl.col("people_needed").is_not_null())
        .with_columns(
            (pl.col("people_needed") / pl.col("trusts").list.len()).alias("rota_people"),
            pl.col("service").replace_strict(dict(spec.services)).alias("staff_group"),
        )
        .explode("trusts")
        .group_by(pl.col("trusts").alias("trust_code"), "staff_group", "service")
        .agg(pl.col("rota_people").sum())
        .with_columns((pl.col("rota_people") * spec.wte_per_member).alias("rota_minimum_wte"))
        .cast(schema)  # type: ignore[arg-type]
        .sort("trust_code", "staff_group")
    )


#: Tasks that only holders of a competency (``staff_competencies``) may do.
TASK_COMPETENCY = {"ultrasound": "ultrasound"}


def competency_coverage(
    tasks: pl.DataFrame,
    staff_in_post: pl.DataFrame,
    competencies: pl.DataFrame,
    supply: SupplyParams,
) -> pl.DataFrame:
    """Need for a competency-bound task against the service WTE of the staff who hold it.

    The skill mix gives, for example, radiographers a share of ultrasound scanning; only the
    radiographers holding the ``ultrasound`` competency can do it. A holder's whole service WTE
    is an upper bound on what they can give the task (they have other work too).

    Args:
        tasks: :func:`task_workload` of one year.
        staff_in_post: the ``staff_in_post`` dataset.
        competencies: the ``staff_competencies`` dataset.
        supply: supply parameters (grade lines: service contribution, clinical share).

    Returns:
        ``trust_code``, ``task``, ``staff_group``, ``required_wte`` (the task's need for the
        group), ``holders`` (people), ``holder_service_wte`` and ``holder_gap_wte`` (need -
        holders' service WTE; positive: even every holder full time would not meet it).
    """
    rows = []
    for task, competency in TASK_COMPETENCY.items():
        holders = staff_in_post.join(
            competencies.filter(pl.col("competency") == competency).select("staff_id").unique(),
            on="staff_id",
            how="semi",
        )
        held = (
            supply_lines(holders, supply)
            .select("trust_code", "staff_group", pl.col("service_wte").alias("holder_service_wte"))
            .join(
                holders.group_by("trust_code", "staff_group").agg(
                    pl.col("staff_id").n_unique().alias("holders")
                ),
                on=["trust_code", "staff_group"],
            )
        )
        need = (
            tasks.filter(pl.col("task") == task)
            .group_by("trust_code", "staff_group")
            .agg(pl.col("required_wte").sum())
        )
        rows.append(
            need.join(held, on=["trust_code", "staff_group"], how="left").with_columns(
                pl.lit(task).alias("task"),
                pl.col("holders").fill_null(0).cast(pl.Int64),
                pl.col("holder_service_wte").fill_null(0.0),
            )
        )
    return (
        pl.concat(rows)
        .with_columns(
            (pl.col("required_wte") - pl.col("holder_service_wte")).alias("holder_gap_wte")
        )
        .select(
            "trust_code",
            "task",
            "staff_group",
            "required_wte",
            "holders",
            "holder_service_wte",
            "holder_gap_wte",
        )
        .sort("task", "staff_group", "trust_code")
    )


def rota_reconciliation(
    required: pl.DataFrame, gap: pl.DataFrame, sizes: pl.DataFrame, params: CapacityParams
) -> pl.DataFrame:
    """Per trust and rota service: the rota headcount floor beside the workload need.

    Args:
        required: :func:`required_wte` (one year).
        gap: :func:`gap_table` of the same year.
        sizes: :func:`lsc_workforce.ooh.rota_size.rota_sizes` (any scenarios; the one of
            ``params.rota`` is used).
        params: capacity parameters with ``rota``.

    Returns:
        ``trust_code``, ``service``, ``staff_group``, ``rota_people`` (people the rota needs),
        ``competent_staff`` (people who may hold it), ``rota_shortfall_people``,
        ``rota_floor_wte`` (people x WTE per member), ``workload_wte`` (WTE from workload),
        ``binds`` (``rota`` or ``workload``: the larger), ``required_wte`` (the resulting
        requirement), ``consultant_wte`` (consultants in post) and ``gap_wte`` (required -
        service WTE in post, this trust only); empty without ``params.rota``.
    """
    if params.rota is None:
        return pl.DataFrame()
    floors = rota_floors_from(sizes, params)
    return (
        floors.join(
            required.select("trust_code", "staff_group", "workload_wte", "required_wte"),
            on=["trust_code", "staff_group"],
            how="left",
        )
        .join(
            gap.select("trust_code", "staff_group", "consultant_wte", "gap_wte"),
            on=["trust_code", "staff_group"],
            how="left",
        )
        .with_columns(pl.col("workload_wte", "required_wte").fill_null(0.0))
        .with_columns(
            pl.when(pl.col("rota_floor_wte") > pl.col("workload_wte"))
            .then(pl.lit("rota"))
            .otherwise(pl.lit("workload"))
            .alias("binds")
        )
        .select(
            "trust_code",
            "service",
            "staff_group",
            "rota_people",
            "competent_staff",
            "rota_shortfall_people",
            "rota_floor_wte",
            "workload_wte",
            "binds",
            "required_wte",
            "consultant_wte",
            "gap_wte",
        )
        .sort("service", "trust_code")
    )


def rota_floors_from(sizes: pl.DataFrame, params: CapacityParams) -> pl.DataFrame:
    """Rota people and competent staff per trust for the floor services of ``params.rota``.

    A rota shared by several trusts is divided equally between them (people and competent
    staff of the whole rota, each trust's share).
    """
    spec = params.rota
    if spec is None:
        raise ConfigError("rota floors need rota_floors.yaml")
    chosen = sizes.filter(
        (pl.col("scenario") == spec.scenario) & pl.col("service").is_in(list(spec.services))
    )
    share = 1 / pl.col("trusts").list.len()
    return (
        chosen.with_columns(
            (pl.col("people_needed") * share).alias("rota_people"),
            (pl.col("competent_staff") * share).alias("competent_staff"),
            (pl.col("shortfall_people") * share).alias("rota_shortfall_people"),
            pl.col("service").replace_strict(dict(spec.services)).alias("staff_group"),
        )
        .explode("trusts")
        .group_by(pl.col("trusts").alias("trust_code"), "service", "staff_group")
        .agg(pl.col("rota_people", "competent_staff", "rota_shortfall_people").sum())
        .with_columns((pl.col("rota_people") * spec.wte_per_member).alias("rota_floor_wte"))
    )


def required_wte(
    annual: pl.DataFrame,
    service_hours: pl.DataFrame,
    sites: pl.DataFrame,
    params: CapacityParams,
) -> pl.DataFrame:
    """Required WTE per trust and staff group (and any extra key such as ``year``).

    Args:
        annual: yearly activity (see :func:`task_workload`).
        service_hours: the ``service_hours`` dataset.
        sites: the ``sites`` dataset.
        params: capacity parameters.

    Returns:
        Keys, ``trust_code``, ``staff_group``, ``workload_wte`` (task or radiography driven,
        in-house), ``rota_minimum_wte`` (:func:`rota_floors`: the IR and GI-bleed rotas,
        else 0), ``required_wte`` (the larger),
        ``outsourced_wte`` (reporting work met by outsourcing, in WTE).
    """
    tasks = task_workload(annual, params)
    keys = [c for c in tasks.columns if c not in TASK_COLUMNS]
    by_group = tasks.group_by(*keys, "staff_group").agg(
        pl.col("required_wte").sum().alias("workload_wte"), pl.col("outsourced_wte").sum()
    )
    radiography = (
        radiography_workload(annual, service_hours, params, sites)
        .group_by(*keys)
        .agg(pl.col("required_wte").sum().alias("workload_wte"))
        .with_columns(
            pl.lit("radiographer").alias("staff_group"), pl.lit(0.0).alias("outsourced_wte")
        )
    )
    combined = (
        pl.concat([by_group, radiography.select(by_group.columns)])
        .group_by(*keys, "staff_group")
        .agg(pl.col("workload_wte", "outsourced_wte").sum())
    )
    rota = (
        rota_floors(sites, params)
        .group_by("trust_code", "staff_group")
        .agg(pl.col("rota_minimum_wte").sum())
    )
    return (
        combined.join(rota, on=["trust_code", "staff_group"], how="left")
        .with_columns(pl.col("rota_minimum_wte").fill_null(0.0))
        .with_columns(pl.max_horizontal("workload_wte", "rota_minimum_wte").alias("required_wte"))
        .select(
            *keys,
            "staff_group",
            "workload_wte",
            "rota_minimum_wte",
            "required_wte",
            "outsourced_wte",
        )
        .sort(*keys, pl.col("staff_group").cast(pl.Enum(STAFF_GROUPS)))
    )


GAP_KEYS = ("trust_code", "staff_group")
#: Likely causes listed when modelled need exceeds funded establishment beyond the tolerance.
NEED_ABOVE_ESTABLISHMENT = (
    "need above funded posts: demand met today by overtime, waiting lists, insourcing or "
    "outsourcing; posts not funded for the services or hours the department runs; or effort, "
    "cover or clinical-share assumptions set too high (most are unconfirmed)"
)
#: Likely causes listed when modelled need falls short of funded establishment.
NEED_BELOW_ESTABLISHMENT = (
    "need below funded posts: work the model does not count (services missing from the "
    "activity extract, teaching, research, management); posts funded for planned growth; or "
    "effort or cover assumptions set too low (most are unconfirmed)"
)


def gap_table(
    required: pl.DataFrame,
    staff_in_post: pl.DataFrame,
    vacancies: pl.DataFrame,
    supply: SupplyParams,
    tolerance: float | None = None,
) -> pl.DataFrame:
    """Compare required WTE with the service supply in post and funded establishment, per trust.

    Grades are kept apart (``config/demand/grade_lines.csv``): consultants, SAS doctors and
    trainees are separate lines, and a trainee WTE counts towards the service only by its
    ``service_contribution``. Gaps are per trust: a surplus at one trust never offsets a
    shortfall at another (see :func:`network_gap`).

    Args:
        required: output of :func:`required_wte` (one row per trust and staff group).
        staff_in_post: the ``staff_in_post`` dataset.
        vacancies: the ``vacancies`` dataset.
        supply: supply parameters with ``grade_lines``.
        tolerance: share of the establishment by which need may differ before
            ``establishment_flag`` is raised (``establishment_tolerance`` of the job plan;
            default 0.1).

    Returns:
        ``trust_code``, ``staff_group``, ``required_wte``, ``outsourced_wte``,
        ``outsourced_share`` (outsourced / (required in-house + outsourced)), the WTE in post
        by line (``consultant_wte``, ``sas_wte``, ``trainee_wte``, ``afc_wte``),
        ``in_post_wte`` (all lines), ``trainee_service_wte``, ``service_wte`` (in post weighted
        by service contribution), ``establishment_wte``, ``vacancy_wte`` (establishment - in
        post), ``gap_wte`` (required - service WTE; positive is a shortfall), ``gap_share``
        (gap / required), ``consultant_need_wte`` (medical groups: required less SAS and the
        trainees' service contribution), ``consultant_gap_share`` ((consultant need -
        consultants) / consultant need, the measure of the RCR census),
        ``establishment_service_wte`` (funded posts weighted like the staff in post, so it is
        in the units of the need), ``establishment_gap_wte`` (required - that: unfunded need),
        ``establishment_flag`` (the difference exceeds ``tolerance`` of the establishment) and
        ``likely_causes`` (plain-English causes for a flagged row, else empty).
    """
    lines = supply_lines(staff_in_post, supply)
    establishment = (
        supply.service_contribution(vacancies.select(*GAP_KEYS, "grade", "establishment_wte"))
        .group_by(*GAP_KEYS)
        .agg(
            pl.col("establishment_wte").sum(),
            (pl.col("establishment_wte") * pl.col("service_contribution"))
            .sum()
            .alias("establishment_service_wte"),
        )
    )
    tolerance = 0.1 if tolerance is None else tolerance
    total = pl.col("required_wte") + pl.col("outsourced_wte")
    medical = pl.col("staff_group").is_in(MEDICAL_GROUPS)
    need = pl.col("required_wte") - pl.col("sas_wte") - pl.col("trainee_service_wte")
    return (
        required.select("trust_code", "staff_group", "required_wte", "outsourced_wte")
        .join(lines, on=["trust_code", "staff_group"], how="full", coalesce=True)
        .join(establishment, on=["trust_code", "staff_group"], how="full", coalesce=True)
        .with_columns(pl.col(pl.Float64).fill_null(0.0))
        .with_columns(
            pl.when(total > 0).then(pl.col("outsourced_wte") / total).alias("outsourced_share"),
            (pl.col("establishment_wte") - pl.col("in_post_wte")).alias("vacancy_wte"),
            (pl.col("required_wte") - pl.col("service_wte")).alias("gap_wte"),
            (pl.col("required_wte") - pl.col("establishment_service_wte")).alias(
                "establishment_gap_wte"
            ),
            pl.when(medical).then(need).alias("consultant_need_wte"),
        )
        .with_columns(
            (
                pl.col("establishment_gap_wte").abs()
                > tolerance * pl.col("establishment_service_wte")
            ).alias("establishment_flag")
        )
        .with_columns(
            pl.when(~pl.col("establishment_flag"))
            .then(pl.lit(""))
            .when(pl.col("establishment_gap_wte") > 0)
            .then(pl.lit(NEED_ABOVE_ESTABLISHMENT))
            .otherwise(pl.lit(NEED_BELOW_ESTABLISHMENT))
            .alias("likely_causes")
        )
        .with_columns(
            pl.when(pl.col("required_wte") > 0)
            .then(pl.col("gap_wte") / pl.col("required_wte"))
            .alias("gap_share"),
            pl.when(pl.col("consultant_need_wte") > 0)
            .then(
                (pl.col("consultant_need_wte") - pl.col("consultant_wte"))
                / pl.col("consultant_need_wte")
            )
            .alias("consultant_gap_share"),
        )
        .select(
            "trust_code",
            "staff_group",
            "required_wte",
            "outsourced_wte",
            "outsourced_share",
            "consultant_wte",
            "sas_wte",
            "trainee_wte",
            "afc_wte",
            "in_post_wte",
            "trainee_service_wte",
            "service_wte",
            "establishment_wte",
            "establishment_service_wte",
            "vacancy_wte",
            "gap_wte",
            "gap_share",
            "consultant_need_wte",
            "consultant_gap_share",
            "establishment_gap_wte",
            "establishment_flag",
            "likely_causes",
        )
        .sort("trust_code", pl.col("staff_group").cast(pl.Enum(STAFF_GROUPS)))
    )


def network_gap(gap: pl.DataFrame, by: Sequence[str] = ("staff_group",)) -> pl.DataFrame:
    """Network totals of per-trust gaps, with shortfalls and surpluses kept apart.

    Args:
        gap: rows per trust with ``required_wte``, ``service_wte`` and ``gap_wte`` (e.g.
            :func:`gap_table`), plus the keys ``by``.
        by: keys to keep (e.g. ``staff_group``, or ``year`` and ``staff_group``).

    Returns:
        ``by``, ``trusts``, ``required_wte``, ``service_wte``, ``shortfall_wte`` (sum of the
        trusts' positive gaps: posts the network must fill), ``surplus_wte`` (sum of the
        negative gaps, as a positive number) and ``net_gap_wte`` (shortfall - surplus, shown
        for reference only: staff in one trust do not fill another trust's posts).
    """
    return (
        gap.group_by(*by)
        .agg(
            pl.col("trust_code").n_unique().alias("trusts"),
            pl.col("required_wte").sum(),
            pl.col("service_wte").sum(),
            pl.col("gap_wte").clip(lower_bound=0).sum().alias("shortfall_wte"),
            (-pl.col("gap_wte")).clip(lower_bound=0).sum().alias("surplus_wte"),
        )
        .with_columns((pl.col("shortfall_wte") - pl.col("surplus_wte")).alias("net_gap_wte"))
        .sort(*by)
    )


def endoscopy_sessions(
    tasks: pl.DataFrame, staff_in_post: pl.DataFrame, params: CapacityParams
) -> pl.DataFrame:
    """Endoscopy lists needed a week against lists available, medical and non-medical.

    Args:
        tasks: output of :func:`task_workload` for one year.
        staff_in_post: the ``staff_in_post`` dataset.
        params: capacity parameters.

    Returns:
        ``trust_code``, ``staff_group``, ``lists_needed_week`` (yearly lists / 52.18),
        ``lists_available_week`` (WTE in post x lists per WTE-week x working weeks / 52.18),
        ``lists_gap_week``.
    """
    lists_per_week = {
        "medical_endoscopist": (
            params.value("medical_lists_per_wte_week") * params.value("medical_working_weeks")
        ),
        "non_medical_endoscopist": (
            params.value("non_medical_lists_per_wte_week") * params.value("afc_working_weeks")
        ),
    }
    needed = (
        tasks.filter(pl.col("unit") == "lists")
        .group_by("trust_code", "staff_group")
        .agg((pl.col("workload").sum() / WEEKS_PER_YEAR).alias("lists_needed_week"))
    )
    available = (
        staff_in_post.filter(pl.col("staff_group").is_in(list(lists_per_week)))
        .group_by("trust_code", "staff_group")
        .agg(pl.col("wte").sum())
        .with_columns(
            (
                pl.col("wte")
                * pl.col("staff_group").replace_strict(lists_per_week, return_dtype=pl.Float64)
                / WEEKS_PER_YEAR
            ).alias("lists_available_week")
        )
        .drop("wte")
    )
    return (
        needed.join(available, on=["trust_code", "staff_group"], how="full", coalesce=True)
        .with_columns(pl.col("lists_needed_week", "lists_available_week").fill_null(0.0))
        .with_columns(
            (pl.col("lists_needed_week") - pl.col("lists_available_week")).alias("lists_gap_week")
        )
        .sort("trust_code", "staff_group")
    )
