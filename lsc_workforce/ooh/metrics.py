"""Per-person load, 1-in-N frequency, fairness and annual cost of an OOH rota.

Definitions (stated in the notebook too):

* A person **holds the rota on a day** when a rota shift of theirs starts on that date (each
  rota day is one 24-hour period; a weekend or bank-holiday day counts as one day).
* **Weekend days** are days held on a weekend date of the engine's problem (Saturday, Sunday or
  a bank holiday, ``RotaProblem.is_weekend``); **hours** are real hours
  (``RotaProblem.shift_minutes``), so a 20:00-08:00 night across the October clock change
  counts 13 h and across the March change 11 h.
* A person's **1-in-N** = days in the horizon / days on which they hold the rota (null when
  they hold it on no day). The **rota's 1-in-N** is the median over the people who hold it at
  least once.
* **Load per WTE** = days held / WTE; **fairness** is reported as the spread (max - min) and
  the coefficient of variation of load per WTE over the rota's eligible people.
* **Cost** (annual, price year in ``costs.yaml``): for ``consultant`` services the Schedule 16
  availability supplement (percent of the full-time basic salary point, by the person's
  frequency band and the service's category; [src:schedule16-structure]) plus the predictable
  on-call PAs ([src:oncall-emergency-work]; ``predictable_pa_per_week`` per slot, one PA a week =
  salary / 10 a year, shared by days held); for ``afc_on_call`` services the Annex 29 local
  payment per shift ([src:afc-on-call-annex-29]); plus the cost of each uncovered shift. Horizon
  counts are scaled to a year by 365 / days.
"""

from __future__ import annotations

import polars as pl

from lsc_workforce.ooh.build import OohInstance
from lsc_workforce.ooh.inputs import CostParameters

__all__ = [
    "DAYS_PER_YEAR",
    "annual_cost",
    "frequency_band_expr",
    "one_in_expr",
    "person_costs",
    "person_load",
    "rota_one_in",
    "rota_summary",
]

DAYS_PER_YEAR = 365.0


def one_in_expr(n_days: int, days: str = "days_held") -> pl.Expr:
    """``n_days / days`` (null when ``days`` is 0): a person's 1-in-N."""
    return pl.when(pl.col(days) > 0).then(n_days / pl.col(days)).otherwise(None)


def frequency_band_expr(one_in: str = "one_in") -> pl.Expr:
    """Schedule 16 band of a 1-in-N: ``high`` (N < 5), ``medium`` (5 <= N < 9), ``low`` (N >= 9).

    The schedule's bands are 1:1-4, 1:5-8 and 1:9 or less often ([src:schedule16-structure]); a
    fractional N (e.g. 91 days / 20 = 4.55) falls in the band whose integer range it rounds down
    into.
    """
    n = pl.col(one_in)
    return (
        pl.when(n.is_null())
        .then(None)
        .when(n < 5)
        .then(pl.lit("high"))
        .when(n < 9)
        .then(pl.lit("medium"))
        .otherwise(pl.lit("low"))
    )


def person_load(instance: OohInstance, roster: pl.DataFrame) -> pl.DataFrame:
    """One row per person of the rota's pool with their load over the horizon.

    Args:
        instance: the rota.
        roster: its roster (``staff_id, date, shift`` at least).

    Returns:
        ``service, scenario, rota, staff_id, trust_code, base_site, wte, candidate, eligible,
        days_held, weekend_days, nights, hours, one_in, load_per_wte`` sorted by staff id.
        ``eligible`` says the person may work at least one of the rota's shifts.
    """
    problem = instance.problem
    n_days = problem.n_days
    shifts = pl.DataFrame(
        [
            (problem.dates[d], sid, problem.shift(sid).night, problem.is_weekend(d, sid), m / 60)
            for (d, sid), m in problem.shift_minutes.items()
        ],
        schema={
            "date": pl.Date,
            "shift": pl.String,
            "night": pl.Boolean,
            "weekend": pl.Boolean,
            "hours": pl.Float64,
        },
        orient="row",
    )
    worked = (
        roster.select("staff_id", "date", "shift")
        .join(shifts, on=["date", "shift"], how="left")
        .group_by("staff_id")
        .agg(
            days_held=pl.col("date").n_unique(),
            weekend_days=pl.col("date").filter(pl.col("weekend")).n_unique(),
            nights=pl.col("night").sum(),
            hours=pl.col("hours").sum(),
        )
    )
    eligible = [
        any(problem.eligible(p.id, s.id) is None for s in problem.shift_types)
        for p in problem.people
    ]
    people = instance.people.join(
        pl.DataFrame({"staff_id": [p.id for p in problem.people], "eligible": eligible}),
        on="staff_id",
        how="left",
    )
    return (
        people.join(worked, on="staff_id", how="left")
        .with_columns(
            pl.col("days_held", "weekend_days", "nights").fill_null(0).cast(pl.Int64),
            pl.col("hours").fill_null(0.0),
        )
        .with_columns(
            one_in=one_in_expr(n_days),
            load_per_wte=pl.col("days_held") / pl.col("wte"),
        )
        .select(
            pl.lit(instance.service.id).alias("service"),
            pl.lit(instance.scenario_id).alias("scenario"),
            pl.lit(instance.rota).alias("rota"),
            "staff_id",
            "trust_code",
            "base_site",
            "wte",
            "candidate",
            "eligible",
            "days_held",
            "weekend_days",
            "nights",
            "hours",
            "one_in",
            "load_per_wte",
        )
        .sort("staff_id")
    )


def rota_one_in(load: pl.DataFrame) -> float | None:
    """The rota's 1-in-N: median of ``one_in`` over people holding it at least once."""
    values = load.filter(pl.col("days_held") > 0).get_column("one_in")
    return None if values.is_empty() else float(values.median())


def person_costs(instance: OohInstance, load: pl.DataFrame, costs: CostParameters) -> pl.DataFrame:
    """Annual on-call pay of each person holding the rota.

    Args:
        instance: the rota (service category, pay basis and PAs, horizon).
        load: :func:`person_load` of its roster.
        costs: pay parameters.

    Returns:
        ``service, scenario, rota, staff_id, days_held, one_in, band, supplement_percent,
        supplement_gbp, pa_gbp, afc_gbp, total_gbp`` for people with ``days_held > 0``.
    """
    service = instance.service
    n_days = instance.problem.n_days
    held = load.filter(pl.col("days_held") > 0)
    total_days = held.get_column("days_held").sum() or 0
    salary = costs.consultant_salary
    slots_cover = sum({slot.site: slot.cover for slot in instance.slots.values()}.values())
    rota_pa_gbp = service.predictable_pa_per_week * slots_cover * salary / 10
    percent = pl.DataFrame(
        {
            "band": ["high", "medium", "low"],
            "supplement_percent": [
                costs.supplement_percent.get((service.category, band), 0.0)
                for band in ("high", "medium", "low")
            ],
        }
    )
    consultant = service.pay_basis == "consultant"
    return (
        held.with_columns(band=frequency_band_expr())
        .join(percent, on="band", how="left")
        .with_columns(
            supplement_percent=pl.col("supplement_percent").fill_null(0.0)
            if consultant
            else pl.lit(0.0),
        )
        .with_columns(
            supplement_gbp=pl.col("supplement_percent") / 100 * salary,
            pa_gbp=(pl.col("days_held") / total_days * rota_pa_gbp)
            if consultant and total_days
            else pl.lit(0.0),
            afc_gbp=pl.lit(0.0)
            if consultant
            else pl.col("days_held") * costs.afc_payment_per_shift * DAYS_PER_YEAR / n_days,
        )
        .with_columns(total_gbp=pl.col("supplement_gbp") + pl.col("pa_gbp") + pl.col("afc_gbp"))
        .select(
            "service",
            "scenario",
            "rota",
            "staff_id",
            "days_held",
            "one_in",
            "band",
            "supplement_percent",
            "supplement_gbp",
            "pa_gbp",
            "afc_gbp",
            "total_gbp",
        )
    )


def annual_cost(
    person_cost: pl.DataFrame, uncovered_shifts: int, n_days: int, costs: CostParameters
) -> dict[str, float]:
    """Annual cost components of a rota or scenario (GBP, price year of ``costs``).

    Returns:
        ``{"supplement_gbp", "pa_gbp", "afc_gbp", "uncovered_gbp", "total_gbp"}``.
    """
    parts = {
        name: float(person_cost.get_column(name).sum() or 0.0)
        for name in ("supplement_gbp", "pa_gbp", "afc_gbp")
    }
    parts["uncovered_gbp"] = uncovered_shifts * costs.uncovered_shift_cost * DAYS_PER_YEAR / n_days
    parts["total_gbp"] = sum(parts.values())
    return parts


def rota_summary(load: pl.DataFrame) -> dict[str, float | None]:
    """Fairness and frequency of a rota (or a whole scenario) from :func:`person_load`.

    Returns:
        ``{"people", "rota_one_in", "load_per_wte_min", "load_per_wte_max",
        "load_spread", "load_cv"}`` over the eligible, non-candidate people.
    """
    pool = load.filter(pl.col("eligible") & ~pl.col("candidate"))
    values = pool.get_column("load_per_wte")
    if values.is_empty():
        return {
            "people": 0,
            "rota_one_in": None,
            "load_per_wte_min": None,
            "load_per_wte_max": None,
            "load_spread": None,
            "load_cv": None,
        }
    mean = float(values.mean())
    return {
        "people": pool.height,
        "rota_one_in": rota_one_in(load),
        "load_per_wte_min": float(values.min()),
        "load_per_wte_max": float(values.max()),
        "load_spread": float(values.max() - values.min()),
        "load_cv": float(values.std(ddof=0) / mean) if mean > 0 else None,
    }
