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
- radiography: the larger of examinations / examinations per radiographer-hour and the
  staffing of the opening hours (``service_hours``, including 24/7 out-of-hours cover) with
  ``staff_while_open`` radiographers per room (``radiography.csv``).
- endoscopy: procedures x JAG points (unconfirmed, [src:jag-points-per-procedure]) / points per
  list -> lists; a WTE runs a number of lists a week.
- interventional radiology: procedure minutes -> hours, but never fewer consultants than a
  sustainable 24/7 rota (1 in 6, RCR QSI IR-802, [src:rcr-ir-oncall]) at each trust with an IR
  suite.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path

import polars as pl

from lsc_workforce.config import ConfigError
from lsc_workforce.data import MEDICAL_GROUPS, STAFF_GROUPS
from lsc_workforce.demand.parameters import (
    Scalar,
    load_parameter_table,
    load_scalars,
    require_range,
)

#: Tasks whose examinations can be outsourced (reports bought from outside the trust).
REPORTING_TASKS = ("ct_reporting", "mri_reporting", "ultrasound", "plain_film_reporting")
#: Staff group label for work done by staff outside the six modelled groups (sonographers).
NOT_MODELLED = "not_modelled"
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
    "radiographer_clinical_share",
    "reporting_radiographer_reporting_share",
    "points_per_list",
    "medical_lists_per_wte_week",
    "non_medical_lists_per_wte_week",
    "ir_rota_min_frequency",
    "ir_rota_sustainable_frequency",
)


@dataclass(frozen=True)
class CapacityParams:
    """Parameters of the capacity model.

    Attributes:
        effort: ``modality``, ``task``, ``unit`` (``minutes`` or ``points``),
            ``effort_per_exam``.
        skill_mix: ``task``, ``staff_group``, ``share``; shares of a task sum to 1 (work of
            staff outside the model is labelled ``not_modelled``).
        radiography: ``modality``, ``room``, ``exams_per_radiographer_hour``,
            ``staff_while_open``.
        scalars: job-plan scalars by name (see :data:`SCALARS`).
    """

    effort: pl.DataFrame
    skill_mix: pl.DataFrame
    radiography: pl.DataFrame
    scalars: dict[str, Scalar]

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
        "radiographer": ("hours", afc_hours * v("radiographer_clinical_share")),
    }
    pairs = params.skill_mix.filter(pl.col("staff_group") != NOT_MODELLED).select(
        "task", "staff_group"
    )
    pairs = pl.concat(
        [pairs, pl.DataFrame({"task": ["radiography"], "staff_group": ["radiographer"]})]
    ).unique(maintain_order=True)
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
        is dropped.
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


def weekly_open_hours(service_hours: pl.DataFrame) -> pl.DataFrame:
    """Return the opening hours a week per site and modality (5 weekdays + 2 weekend days).

    Args:
        service_hours: the ``service_hours`` dataset.

    Returns:
        ``site_code``, ``modality``, ``open_hours_week``.
    """
    days = pl.when(pl.col("day_type") == "weekday").then(5.0).otherwise(2.0)
    return (
        service_hours.group_by("site_code", "modality")
        .agg((pl.col("hours") * days).sum().alias("open_hours_week"))
        .sort("site_code", "modality")
    )


def radiography_workload(
    annual: pl.DataFrame, service_hours: pl.DataFrame, params: CapacityParams
) -> pl.DataFrame:
    """Radiographer hours and WTE needed per site and room.

    Required hours are the larger of the activity-driven hours (examinations / examinations
    per radiographer-hour) and the cover hours (weekly opening hours of the room, which
    include 24/7 out-of-hours cover where a site is open all night, x ``staff_while_open`` x
    weeks a year). Rooms shared by several modalities (stroke and other CT) take the longest
    opening hours.

    Args:
        annual: yearly activity with ``trust_code``, ``site_code``, ``modality``,
            ``examinations`` (and optionally extra keys such as ``year``).
        service_hours: the ``service_hours`` dataset.
        params: capacity parameters.

    Returns:
        Keys, ``trust_code``, ``site_code``, ``room``, ``activity_hours``, ``cover_hours``,
        ``required_hours``, ``required_wte``.
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
    hours_per_wte = (
        params.value("afc_hours_per_week")
        * params.value("afc_working_weeks")
        * params.value("radiographer_clinical_share")
    )
    rad = params.radiography.select(RADIOGRAPHY_COLUMNS)
    activity_hours = (
        annual.join(rad, on="modality")
        .group_by(*keys, "trust_code", "site_code", "room")
        .agg((pl.col("examinations") / pl.col("exams_per_radiographer_hour")).sum())
        .rename({"examinations": "activity_hours"})
    )
    cover = (
        weekly_open_hours(service_hours)
        .join(rad, on="modality")
        .group_by("site_code", "room")
        .agg(
            (pl.col("open_hours_week") * pl.col("staff_while_open") * WEEKS_PER_YEAR)
            .max()
            .alias("cover_hours")
        )
    )
    return (
        activity_hours.join(cover, on=["site_code", "room"], how="left")
        .with_columns(pl.col("cover_hours").fill_null(0.0))
        .with_columns(pl.max_horizontal("activity_hours", "cover_hours").alias("required_hours"))
        .with_columns((pl.col("required_hours") / hours_per_wte).alias("required_wte"))
        .select(
            *keys,
            "trust_code",
            "site_code",
            "room",
            "activity_hours",
            "cover_hours",
            "required_hours",
            "required_wte",
        )
        .sort(*keys, "trust_code", "site_code", "room")
    )


def ir_rota_minimum(sites: pl.DataFrame, params: CapacityParams) -> pl.DataFrame:
    """Minimum consultant IRs per trust for a sustainable 24/7 on-call rota.

    Each trust with an IR suite is assumed to run its own rota, needing at least
    ``ir_rota_min_frequency`` (1 in 6, RCR QSI IR-802, [src:rcr-ir-oncall]) consultants. A single
    L&SC network rota would need ``ir_rota_sustainable_frequency`` (1 in 8 above 1 million
    population) in total; the notebook shows both.

    Args:
        sites: the ``sites`` dataset.
        params: capacity parameters.

    Returns:
        ``trust_code``, ``rota_minimum_wte`` (one WTE per rota member).
    """
    return (
        sites.filter(pl.col("has_ir_suite"))
        .select("trust_code")
        .unique()
        .with_columns(pl.lit(params.value("ir_rota_min_frequency")).alias("rota_minimum_wte"))
        .sort("trust_code")
    )


def ir_oncall_summary(
    annual: pl.DataFrame, sites: pl.DataFrame, params: CapacityParams
) -> pl.DataFrame:
    """Interventional radiology workload and on-call load beside the rota minimum, per trust.

    Args:
        annual: yearly activity (one year, no extra keys).
        sites: the ``sites`` dataset.
        params: capacity parameters.

    Returns:
        ``trust_code``, ``procedures_in_hours`` and ``procedures_ooh`` (a year),
        ``ooh_procedures_week``, ``workload_wte`` (procedure hours, OOH at 4/3, over IR hours
        a WTE-year), ``rota_minimum_wte`` (1-in-6 rota at a trust with an IR suite) and
        ``required_wte`` (the larger).
    """
    ir_modalities = params.effort.filter(pl.col("task") == "ir_procedures")["modality"]
    counts = (
        annual.filter(pl.col("modality").is_in(ir_modalities.to_list()))
        .group_by("trust_code")
        .agg(
            pl.col("examinations")
            .filter(pl.col("period") == "in_hours")
            .sum()
            .alias("procedures_in_hours"),
            pl.col("examinations").filter(pl.col("period") == "ooh").sum().alias("procedures_ooh"),
        )
    )
    workload = (
        task_workload(annual, params)
        .filter(pl.col("task") == "ir_procedures")
        .group_by("trust_code")
        .agg(pl.col("required_wte").sum().alias("workload_wte"))
    )
    return (
        counts.join(workload, on="trust_code", how="full", coalesce=True)
        .join(ir_rota_minimum(sites, params), on="trust_code", how="full", coalesce=True)
        .with_columns(pl.col(pl.Float64).fill_null(0.0))
        .with_columns(
            (pl.col("procedures_ooh") / WEEKS_PER_YEAR).alias("ooh_procedures_week"),
            pl.max_horizontal("workload_wte", "rota_minimum_wte").alias("required_wte"),
        )
        .select(
            "trust_code",
            "procedures_in_hours",
            "procedures_ooh",
            "ooh_procedures_week",
            "workload_wte",
            "rota_minimum_wte",
            "required_wte",
        )
        .sort("trust_code")
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
        in-house), ``rota_minimum_wte`` (IR only, else 0), ``required_wte`` (the larger),
        ``outsourced_wte`` (reporting work met by outsourcing, in WTE).
    """
    tasks = task_workload(annual, params)
    keys = [c for c in tasks.columns if c not in TASK_COLUMNS]
    by_group = tasks.group_by(*keys, "staff_group").agg(
        pl.col("required_wte").sum().alias("workload_wte"), pl.col("outsourced_wte").sum()
    )
    radiography = (
        radiography_workload(annual, service_hours, params)
        .group_by(*keys)
        .agg(pl.col("required_wte").sum().alias("workload_wte"))
        .with_columns(
            pl.lit("radiographer").alias("staff_group"), pl.lit(0.0).alias("outsourced_wte")
        )
    )
    combined = pl.concat([by_group, radiography.select(by_group.columns)])
    rota = ir_rota_minimum(sites, params).with_columns(
        pl.lit("interventional_radiologist").alias("staff_group")
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


def gap_table(
    required: pl.DataFrame, staff_in_post: pl.DataFrame, vacancies: pl.DataFrame
) -> pl.DataFrame:
    """Compare required WTE with WTE in post and funded establishment.

    Args:
        required: output of :func:`required_wte` (one row per trust and staff group).
        staff_in_post: the ``staff_in_post`` dataset.
        vacancies: the ``vacancies`` dataset.

    Returns:
        ``trust_code``, ``staff_group``, ``required_wte``, ``outsourced_wte``,
        ``outsourced_share`` (outsourced / (required in-house + outsourced)), ``in_post_wte``,
        ``establishment_wte``, ``vacancy_wte`` (establishment - in post), ``gap_wte``
        (required - in post; positive is a shortfall), ``gap_share`` (gap / required), and
        ``establishment_gap_wte`` (required - establishment: unfunded need).
    """
    in_post = staff_in_post.group_by("trust_code", "staff_group").agg(
        pl.col("wte").sum().alias("in_post_wte")
    )
    establishment = vacancies.group_by("trust_code", "staff_group").agg(
        pl.col("establishment_wte").sum()
    )
    total = pl.col("required_wte") + pl.col("outsourced_wte")
    return (
        required.select("trust_code", "staff_group", "required_wte", "outsourced_wte")
        .join(in_post, on=["trust_code", "staff_group"], how="full", coalesce=True)
        .join(establishment, on=["trust_code", "staff_group"], how="full", coalesce=True)
        .with_columns(pl.col(pl.Float64).fill_null(0.0))
        .with_columns(
            pl.when(total > 0).then(pl.col("outsourced_wte") / total).alias("outsourced_share"),
            (pl.col("establishment_wte") - pl.col("in_post_wte")).alias("vacancy_wte"),
            (pl.col("required_wte") - pl.col("in_post_wte")).alias("gap_wte"),
            (pl.col("required_wte") - pl.col("establishment_wte")).alias("establishment_gap_wte"),
        )
        .with_columns(
            pl.when(pl.col("required_wte") > 0)
            .then(pl.col("gap_wte") / pl.col("required_wte"))
            .alias("gap_share")
        )
        .select(
            "trust_code",
            "staff_group",
            "required_wte",
            "outsourced_wte",
            "outsourced_share",
            "in_post_wte",
            "establishment_wte",
            "vacancy_wte",
            "gap_wte",
            "gap_share",
            "establishment_gap_wte",
        )
        .sort("trust_code", pl.col("staff_group").cast(pl.Enum(STAFF_GROUPS)))
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
