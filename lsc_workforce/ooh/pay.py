"""Annual pay of an OOH rota, and the scenario ranking with and without bought-in cover.

Definitions (stated in the notebook too; price year and parameters in ``config/ooh/costs.yaml``):

* **Rota frequency.** A rota is 1 in N where N = the people sharing it over the horizon (everyone
  rostered at least once, so anyone covering another's leave counts) / the people on call at
  once (the cover of its slots) (:func:`rota_frequency`). With one person on call, N is the
  number of people on the rota. ``supplement_frequency: available_people`` in ``costs.yaml``
  weights each person by the share of the horizon they are not on leave instead.
* **Schedule 16 availability supplement** (``consultant`` pay basis): the rota's frequency band
  (high 1 in 1-4, medium 1 in 5-8, low 1 in 9 or less, [src:schedule16-structure]) and the
  service's category give a percentage of the **full-time** basic salary, paid to every
  consultant on the rota, full-time or less than full-time alike. Annual.
* **On-call work PAs** (``consultant``): the out-of-hours work the tier does itself
  (:func:`oncall_work`): a year of out-of-hours cases of the service's modalities at the sites
  the rota serves, less outsourced reports and the registrar tier's share, times minutes per
  case, gives hours ``H``; paid at the premium-time PA length, ``H / 3 / 42`` PAs a week, each
  PA a week ``salary / 10`` a year ([src:oncall-emergency-work], [src:consultant-job-plan]).
  Each person is paid their share of the rota's wanted shift-hours, so the work of uncovered
  shifts is not paid twice: it is in the cost of uncovered shifts.
* **Resident Agenda for Change shifts** (``afc_resident``): hours worked at the grade's hourly
  rate plus the unsocial-hours enhancement (Section 2, England, [src:afc-unsocial-hours]):
  ``night_saturday`` % for Saturday and weekday 20:00-06:00 hours, ``sunday_holiday`` % for
  Sunday and bank-holiday hours (:func:`unsocial_split`). Scaled to a year by 365 / days.
* **Agenda for Change on call from home** (``afc_on_call``): the Annex 29 local payment per
  shift ([src:afc-on-call-annex-29]), scaled to a year by 365 / days.
* **Uncovered shifts** cost ``uncovered_shift_cost`` each (bought in), scaled to a year. The
  cost is a separate line: :func:`rank_scenarios` ranks the scenarios of each service by pay
  alone and by pay plus uncovered shifts.
* **Teleradiology** (the lever of ``config/ooh/workload.yaml``): out-of-hours reports sent out
  (the share observed in the activity data, or a stated share) are not the on-call tier's
  work and cost ``cost_per_report`` each, a year's reports a year. Like uncovered shifts, the
  cost is a separate line (``teleradiology_gbp``), not part of pay.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from itertools import pairwise
from zoneinfo import ZoneInfo

import polars as pl

from lsc_workforce.config import ConfigError
from lsc_workforce.ooh.build import OohInstance
from lsc_workforce.ooh.inputs import CostParameters, Service, UnsocialHours
from lsc_workforce.ooh.metrics import DAYS_PER_YEAR, frequency_band_expr
from lsc_workforce.ooh.workload import ooh_cases

__all__ = [
    "COST_PARTS",
    "PAY_DATASETS",
    "PERSON_COST_SCHEMA",
    "WORK_SCHEMA",
    "annual_cost",
    "oncall_work",
    "person_costs",
    "rank_scenarios",
    "rota_frequency",
    "rota_positions",
    "teleradiology_share",
    "unsocial_split",
]

#: Datasets the pay calculation reads besides ``ooh.build.DATASETS``.
PAY_DATASETS = ("activity",)

#: Pay components of :func:`annual_cost` (GBP a year), summed into ``pay_gbp``.
COST_PARTS = (
    "supplement_gbp",
    "predictable_pa_gbp",
    "unpredictable_pa_gbp",
    "afc_basic_gbp",
    "afc_unsocial_gbp",
    "afc_on_call_gbp",
)

PERSON_COST_SCHEMA = {
    "service": pl.String,
    "scenario": pl.String,
    "rota": pl.String,
    "staff_id": pl.String,
    "grade": pl.String,
    "wte": pl.Float64,
    "days_held": pl.Int64,
    "hours": pl.Float64,
    "rota_one_in": pl.Float64,
    "band": pl.String,
    "supplement_percent": pl.Float64,
    "work_pa_week": pl.Float64,
    **dict.fromkeys(COST_PARTS, pl.Float64),
    "total_gbp": pl.Float64,
}

WORK_SCHEMA = {
    "service": pl.String,
    "scenario": pl.String,
    "rota": pl.String,
    "ooh_cases": pl.Float64,
    "outsourced_cases": pl.Float64,
    "registrar_cases": pl.Float64,
    "tier_cases": pl.Float64,
    "tier_hours": pl.Float64,
    "pa_week": pl.Float64,
    "predictable_pa_week": pl.Float64,
    "unpredictable_pa_week": pl.Float64,
    "teleradiology_gbp": pl.Float64,
    "status": pl.String,
}

_UNSOCIAL_SCHEMA = {
    "date": pl.Date,
    "shift": pl.String,
    "hours": pl.Float64,
    "night_saturday_hours": pl.Float64,
    "sunday_holiday_hours": pl.Float64,
}


def rota_positions(instance: OohInstance) -> int:
    """People on call at once: the cover of each slot site of the rota, summed."""
    return sum({slot.site: slot.cover for slot in instance.slots.values()}.values())


def rota_frequency(
    instance: OohInstance, roster: pl.DataFrame, basis: str = "rota_people"
) -> float | None:
    """The rota's 1-in-N: people rostered over the horizon / people on call at once.

    Everyone rostered at least once counts, so a person covering a colleague's leave is part of
    the rota. With ``basis="available_people"`` each person counts as the share of the horizon
    they are not on leave (the frequency while at work). ``None`` when nobody is rostered.
    """
    ids = set(roster.get_column("staff_id")) if roster.height else set()
    positions = rota_positions(instance)
    if not ids or not positions:
        return None
    if basis == "available_people":
        n_days = instance.problem.n_days
        people = sum(
            (n_days - len(p.rules.days_off)) / n_days
            for p in instance.problem.people
            if p.id in ids
        )
    else:
        people = len(ids)
    return people / positions


def teleradiology_share(service: Service) -> tuple[float | None, float]:
    """``(outsourced share or None for the observed one, GBP per report)`` of a service.

    From its ``teleradiology`` entry in ``config/ooh/workload.yaml``; ``(None, 0.0)`` without
    one (observed outsourcing, not priced).
    """
    tele = getattr(service.workload, "teleradiology", None)
    return (None, 0.0) if tele is None else (tele.share, tele.cost_per_report)


def oncall_work(
    instance: OohInstance,
    activity: pl.DataFrame | None,
    costs: CostParameters,
    as_at: dt.date,
) -> dict[str, object]:
    """The out-of-hours work a consultant rota's tier does itself, as PAs a week.

    Cases (:func:`~lsc_workforce.ooh.workload.ooh_cases`): the 12 months of ``activity``
    before ``as_at``, ``period == "ooh"``, the service's modalities (``costs.oncall_work``), at
    the service's sites in the rota's trusts. Outsourced reports of reporting modalities
    (observed, or the teleradiology share of ``workload.yaml``) and the registrar share are not
    the tier's work.
    ``tier_hours`` = cases x minutes / 60; ``pa_week`` = tier hours / premium PA hours /
    working weeks; split into predictable and unpredictable by ``predictable_share``.
    ``teleradiology_gbp`` = outsourced reports x the cost per report (a year).

    Returns:
        One row of :data:`WORK_SCHEMA` (zeros and status ``none`` when the service has no
        on-call work configured).

    Raises:
        ConfigError: if on-call work is configured but the ``activity`` dataset is missing.
    """
    service = instance.service
    row: dict[str, object] = {
        "service": service.id,
        "scenario": instance.scenario_id,
        "rota": instance.rota,
        **{k: 0.0 for k, v in WORK_SCHEMA.items() if v == pl.Float64},
        "status": "none",
    }
    spec = costs.oncall_work.get(service.id)
    if spec is None or service.pay_basis != "consultant":
        return row
    if activity is None:
        raise ConfigError(
            f"on-call work PAs of {service.id} need the activity dataset (activity.csv)"
        )
    share, per_report = teleradiology_share(service)
    done = ooh_cases(
        activity,
        as_at,
        spec.minutes,
        sites=service.sites,
        trusts=instance.trusts,
        reporting=spec.reporting,
        outsourced_share=share,
    )
    done = done.with_columns(registrar=pl.col("in_house") * spec.registrar_share)
    done = done.with_columns(tier=pl.col("in_house") - pl.col("registrar")).with_columns(
        tier_hours=pl.col("tier") * pl.col("minutes") / 60
    )
    hours = float(done.get_column("tier_hours").sum() or 0.0)
    pa_week = costs.work_pa_week(hours)
    outsourced = float(done.get_column("outsourced").sum() or 0.0)
    row.update(
        ooh_cases=float(done.get_column("examinations").sum() or 0.0),
        outsourced_cases=outsourced,
        registrar_cases=float(done.get_column("registrar").sum() or 0.0),
        tier_cases=float(done.get_column("tier").sum() or 0.0),
        tier_hours=hours,
        pa_week=pa_week,
        predictable_pa_week=pa_week * spec.predictable_share,
        unpredictable_pa_week=pa_week * (1 - spec.predictable_share),
        teleradiology_gbp=outsourced * per_report,
        status=spec.status,
    )
    return row


def _unsocial_kind(local: dt.datetime, unsocial: UnsocialHours, holidays: frozenset) -> int:
    """0 plain time, 1 night or Saturday, 2 Sunday or bank holiday (a local instant)."""
    if local.weekday() == 6 or local.date() in holidays:
        return 2
    if local.weekday() == 5:
        return 1
    clock = local.time()
    return 1 if clock >= unsocial.night_start or clock < unsocial.night_end else 0


def unsocial_split(instance: OohInstance, unsocial: UnsocialHours) -> pl.DataFrame:
    """Real hours of each (date, shift) of the rota, and how many are unsocial.

    Each shift is cut at local midnight, ``night_end`` and ``night_start``; each piece is
    classed by its local date and clock time (Sunday or bank holiday first, then Saturday or
    weekday night). Hours are real hours, so a night across a clock change has 11 or 13.

    Returns:
        ``date, shift, hours, night_saturday_hours, sunday_holiday_hours``.
    """
    problem = instance.problem
    zone = ZoneInfo(problem.timezone)
    marks = (dt.time(0), unsocial.night_end, unsocial.night_start)
    rows = []
    for (day, shift_id), (start, end) in problem.shift_times.items():
        cuts = {start, end}
        local_day = start.astimezone(zone).date() - dt.timedelta(days=1)
        while local_day <= end.astimezone(zone).date():
            for mark in marks:
                cut = dt.datetime.combine(local_day, mark, tzinfo=zone).astimezone(dt.UTC)
                if start < cut < end:
                    cuts.add(cut)
            local_day += dt.timedelta(days=1)
        hours = [0.0, 0.0, 0.0]
        for a, b in pairwise(sorted(cuts)):
            kind = _unsocial_kind((a + (b - a) / 2).astimezone(zone), unsocial, instance.holidays)
            hours[kind] += (b - a).total_seconds() / 3600
        rows.append((problem.dates[day], shift_id, sum(hours), hours[1], hours[2]))
    return pl.DataFrame(rows, schema=_UNSOCIAL_SCHEMA, orient="row")


def _wanted_hours(instance: OohInstance) -> float:
    """People-hours of cover the rota wants over the horizon."""
    problem = instance.problem
    return sum(
        slot.cover * problem.shift_minutes[problem.day_index[d], sid] / 60
        for sid, slot in instance.slots.items()
        for d in instance.offered[sid]
    )


def _afc_resident_pay(
    instance: OohInstance, roster: pl.DataFrame, costs: CostParameters
) -> pl.DataFrame:
    """``staff_id, afc_basic_gbp, afc_unsocial_gbp`` over the horizon (not yet annual)."""
    if costs.unsocial is None:
        raise ConfigError("costs.yaml: unsocial_hours is needed for afc_resident services")
    grades = instance.people.select("staff_id", "grade")
    missing = grades.filter(
        ~pl.col("grade").is_in(list(costs.afc_hourly_rate))
        | ~pl.col("grade").is_in(list(costs.unsocial.percent))
    ).join(roster.select("staff_id").unique(), on="staff_id", how="semi")
    if missing.height:
        grades_missing = sorted(set(missing.get_column("grade")))
        staff = missing.get_column("staff_id").head(5).to_list()
        raise ConfigError(
            "costs.yaml: no afc_hourly_rate or unsocial_hours enhancement for grade(s) "
            f"{grades_missing} (staff {staff})"
        )
    percent = costs.unsocial.percent
    rate = pl.col("grade").replace_strict(dict(costs.afc_hourly_rate), default=0.0)
    low = pl.col("grade").replace_strict({g: p[0] for g, p in percent.items()}, default=0.0)
    high = pl.col("grade").replace_strict({g: p[1] for g, p in percent.items()}, default=0.0)
    return (
        roster.select("staff_id", "date", "shift")
        .join(unsocial_split(instance, costs.unsocial), on=["date", "shift"], how="left")
        .join(grades, on="staff_id", how="left")
        .with_columns(
            afc_basic_gbp=pl.col("hours") * rate,
            afc_unsocial_gbp=rate
            * (pl.col("night_saturday_hours") * low + pl.col("sunday_holiday_hours") * high)
            / 100,
        )
        .group_by("staff_id")
        .agg(pl.col("afc_basic_gbp", "afc_unsocial_gbp").sum())
    )


def person_costs(
    instance: OohInstance,
    roster: pl.DataFrame,
    load: pl.DataFrame,
    costs: CostParameters,
    work: Mapping[str, object] | None = None,
) -> pl.DataFrame:
    """Annual pay of each person holding the rota (see the module docstring).

    Args:
        instance: the rota (service category and pay basis, slots, horizon).
        roster: its roster (``staff_id, date, shift``).
        load: :func:`~lsc_workforce.ooh.metrics.person_load` of the roster.
        costs: pay parameters.
        work: :func:`oncall_work` of the rota (``None``: no on-call work PAs).

    Returns:
        :data:`PERSON_COST_SCHEMA`, one row per person with ``days_held > 0``.
    """
    service = instance.service
    held = load.filter(pl.col("days_held") > 0)
    if held.is_empty():
        return pl.DataFrame(schema=PERSON_COST_SCHEMA)
    scale = DAYS_PER_YEAR / instance.problem.n_days
    consultant = service.pay_basis == "consultant"
    one_in = rota_frequency(instance, roster, costs.frequency_basis)
    band = pl.DataFrame({"one_in": [one_in]}, schema={"one_in": pl.Float64}).select(
        frequency_band_expr()
    )
    band_name = band.item() if consultant else None
    percent = costs.supplement_percent.get((service.category, band_name), 0.0) if band_name else 0.0
    pa_gbp_year = costs.pa_gbp_year
    wanted = _wanted_hours(instance)
    share = pl.col("hours") / wanted if wanted else pl.lit(0.0)
    work = work or {}
    frame = held.join(instance.people.select("staff_id", "grade"), on="staff_id", how="left")
    if service.pay_basis == "afc_resident":
        frame = frame.join(_afc_resident_pay(instance, roster, costs), on="staff_id", how="left")
        frame = frame.with_columns(
            pl.col("afc_basic_gbp", "afc_unsocial_gbp").fill_null(0.0) * scale
        )
    else:
        frame = frame.with_columns(afc_basic_gbp=pl.lit(0.0), afc_unsocial_gbp=pl.lit(0.0))
    return (
        frame.with_columns(
            rota_one_in=pl.lit(one_in, dtype=pl.Float64),
            band=pl.lit(band_name, dtype=pl.String),
            supplement_percent=pl.lit(percent, dtype=pl.Float64),
            supplement_gbp=pl.lit(percent / 100 * costs.consultant_salary, dtype=pl.Float64),
            work_pa_week=share * float(work.get("pa_week", 0.0)),
            predictable_pa_gbp=share * float(work.get("predictable_pa_week", 0.0)) * pa_gbp_year,
            unpredictable_pa_gbp=share
            * float(work.get("unpredictable_pa_week", 0.0))
            * pa_gbp_year,
            afc_on_call_gbp=pl.col("days_held") * costs.afc_payment_per_shift * scale
            if service.pay_basis == "afc_on_call"
            else pl.lit(0.0),
        )
        .with_columns(total_gbp=pl.sum_horizontal(*COST_PARTS))
        .select(list(PERSON_COST_SCHEMA))
        .cast(PERSON_COST_SCHEMA)
    )


def annual_cost(
    person_cost: pl.DataFrame,
    uncovered_shifts: int,
    n_days: int,
    costs: CostParameters,
    work: pl.DataFrame | None = None,
) -> dict[str, float]:
    """Annual cost components of a rota or scenario (GBP, price year of ``costs``).

    Returns:
        Each of :data:`COST_PARTS`, ``pay_gbp`` (their sum), ``uncovered_gbp`` (uncovered
        shifts bought in, a separate line), ``total_gbp`` (pay plus uncovered) and
        ``teleradiology_gbp`` (out-of-hours reports sent out, :func:`oncall_work` of ``work``,
        a separate line like ``uncovered_gbp`` and not in ``total_gbp``).
    """
    parts = {name: float(person_cost.get_column(name).sum() or 0.0) for name in COST_PARTS}
    parts["pay_gbp"] = sum(parts.values())
    parts["uncovered_gbp"] = uncovered_shifts * costs.uncovered_shift_cost * DAYS_PER_YEAR / n_days
    parts["total_gbp"] = parts["pay_gbp"] + parts["uncovered_gbp"]
    parts["teleradiology_gbp"] = (
        0.0 if work is None else float(work.get_column("teleradiology_gbp").sum() or 0.0)
    )
    return parts


def rank_scenarios(comparison: pl.DataFrame) -> pl.DataFrame:
    """Rank the scenarios of each service by cost, without and with uncovered shifts.

    Args:
        comparison: one row per service x scenario with ``pay_cost_gbp`` and
            ``cost_with_uncovered_gbp``.

    Returns:
        ``comparison`` with ``cost_rank_without_uncovered`` and ``cost_rank_with_uncovered``
        (1 = cheapest within the service; ties share the lower rank).
    """
    return comparison.with_columns(
        pl.col("pay_cost_gbp")
        .rank("min")
        .over("service")
        .cast(pl.Int64)
        .alias("cost_rank_without_uncovered"),
        pl.col("cost_with_uncovered_gbp")
        .rank("min")
        .over("service")
        .cast(pl.Int64)
        .alias("cost_rank_with_uncovered"),
    )


def day_job_hour_cost(costs: CostParameters) -> float:
    """Cost of one hour of a consultant's daytime job plan (GBP).

    The full-time salary over the job plan's hours a year: ``pas_per_week`` PAs of ``pa_hours``
    hours over ``working_weeks`` weeks [src:consultant-job-plan]. It prices the day-job time
    lost to compensatory rest after disturbed on-call nights.
    """
    return costs.consultant_salary / (costs.pas_per_week * costs.pa_hours * costs.working_weeks)
