"""How many people each out-of-hours rota needs, and how many competent staff it has.

A rota held 1 in N (``oncall_one_in`` of the service's rule preset, or the scenario's ``one_in``)
by ``cover`` people per slot needs ``N x cover`` people for each slot: a person on a 1-in-N rota is
on call one day in N, so N people share every day of the year. Leave is covered prospectively
within the rota (the others on the rota cover a colleague's leave, which is why the standard is
a frequency and not a head count per shift), so no leave allowance is added; the planned leave
(annual and study) each competent person takes (``leave`` extract) is shown beside it for the
reader to judge. Sickness is not planned leave and is not counted.

The rotas and their slots are those the OOH model builds (:func:`lsc_workforce.ooh.build.
plan_rotas`), transfer rules included: a served site beyond the binding pathway's transfer limit
from the scenario's slots keeps its own slot when ``sites`` records the facility, so it adds
``N x cover`` people; a site left without local cover adds none and is counted in
``sites_left_uncovered``. A service whose cover is sized by its workload
(``config/ooh/workload.yaml``, e.g. radiographer nights) counts the cover the OOH model rosters
(:func:`lsc_workforce.ooh.workload.derive_cover`) when the ``activity`` extract is given.

Competent staff are the people the OOH model may roster (:func:`lsc_workforce.ooh.build.
eligible_staff`: staff group, grade, ``ooh_eligible`` and every competency of the service) at the
trusts whose staff join the rota and who reach one of its slots within the service's response
time (:func:`lsc_workforce.ooh.build.excluded_staff` lists the others, counted in
``excluded_staff``; nobody is excluded when remote reporting is allowed).

Everything comes from configuration (``config/ooh/*.yaml``) and the extracts, never from
notebook outputs, and no model is solved, so notebook 20 (demand), which runs before
notebook 30 (OOH), can use it for its rota floors.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

import polars as pl

from lsc_workforce.config import ConfigError
from lsc_workforce.ooh.build import (
    RotaPlan,
    eligible_staff,
    excluded_staff,
    plan_rotas,
    site_cover,
    travel_map,
)
from lsc_workforce.ooh.inputs import OohConfig
from lsc_workforce.ooh.workload import derive_cover

#: Leave types the rota covers prospectively (planned; sickness is not).
PLANNED_LEAVE = ("annual", "study")
#: Columns of :func:`rota_people`.
PEOPLE_COLUMNS = (
    "scenario",
    "service",
    "rota",
    "trust_code",
    "trusts",
    "slots",
    "slot_sites",
    "local_slots",
    "sites_left_uncovered",
    "cover",
    "one_in",
    "people_needed",
)
#: Columns of :func:`rota_sizes`, after those of :func:`rota_people`.
STAFF_COLUMNS = (
    "competent_staff",
    "excluded_staff",
    "competent_wte",
    "leave_days_per_person",
    "shortfall_people",
)


def rota_people(
    cfg: OohConfig,
    sites: pl.DataFrame,
    scenarios: Iterable[str] | None = None,
    services: Iterable[str] | None = None,
    travel: pl.DataFrame | None = None,
    *,
    workload: tuple[Mapping[str, pl.DataFrame], dt.date] | None = None,
) -> pl.DataFrame:
    """People each rota needs: ``one_in x`` the cover summed over its slots.

    Args:
        cfg: the OOH configuration (:func:`lsc_workforce.ooh.inputs.load_ooh_config`).
        sites: the ``sites`` dataset.
        scenarios: scenario ids (default: every scenario).
        services: service ids (default: every service).
        travel: the ``site_travel_times`` dataset; without it no transfer fits a limit, so
            every served site with the facility keeps its own slot (the model's convention for
            a site pair missing from the matrix).
        workload: ``(frames, as_at)`` with the ``activity`` extract: slots of a service whose
            cover is derived from its workload (``config/ooh/workload.yaml``) get that cover
            (:func:`lsc_workforce.ooh.workload.derive_cover`); without it, the configured cover.

    Returns:
        One row per scenario, service and rota (:data:`PEOPLE_COLUMNS`): ``trust_code`` is the
        rota's trust when one trust staffs it, else its trusts joined by ``+``; ``trusts`` lists
        them; ``slots``, ``slot_sites`` (their sites), ``local_slots`` (of them, those kept
        because transfer would break the pathway limit), ``sites_left_uncovered`` (served
        sites with no facility and no slot within the limit) and ``cover`` (people per shift
        over all slots); ``one_in`` (``N``;
        null when the preset has no 1-in-N rule, e.g. resident shifts) and ``people_needed``
        (``N x cover``; null without ``N``). A scenario that does not apply to a service has
        no rows for it.

    Raises:
        ConfigError: if a scenario or service id is unknown, or a site is unknown.
    """
    rows = []
    minutes = travel_map(travel) if travel is not None else {}
    for scenario_id in scenarios if scenarios is not None else cfg.scenarios:
        scenario = cfg.scenario(scenario_id)
        for service_id in services if services is not None else cfg.services:
            service = scenario.service_for(cfg.service(service_id))
            if not scenario.applies_to(service_id):
                continue
            one_in = scenario.one_in or cfg.preset(service.preset).value("oncall_one_in")
            covered = site_cover(service, scenario, sites, minutes)
            plans = plan_rotas(service, scenario, sites, minutes)
            if workload is not None:  # workload-sized cover, as the OOH model rosters it
                plans = [derive_cover(plan, service, *workload) for plan in plans]
            for plan in plans:
                cover = sum(c for _, c in plan.slots)
                trusts = sorted(plan.trusts)
                mine = covered.filter(pl.col("rota") == plan.name)
                rows.append(
                    {
                        "scenario": scenario.id,
                        "service": service.id,
                        "rota": plan.name,
                        "trust_code": "+".join(trusts),
                        "trusts": trusts,
                        "slots": len(plan.slots),
                        "slot_sites": ", ".join(site for site, _ in plan.slots),
                        "local_slots": mine.filter(pl.col("local_cover") == "local_slot").height,
                        "sites_left_uncovered": ", ".join(
                            mine.filter(pl.col("local_cover") == "no_local_cover")["site_code"]
                        ),
                        "cover": cover,
                        "one_in": None if one_in is None else int(one_in),
                        "people_needed": None if one_in is None else int(one_in) * cover,
                    }
                )
    schema = {
        "scenario": pl.String,
        "service": pl.String,
        "rota": pl.String,
        "trust_code": pl.String,
        "trusts": pl.List(pl.String),
        "slots": pl.Int64,
        "slot_sites": pl.String,
        "local_slots": pl.Int64,
        "sites_left_uncovered": pl.String,
        "cover": pl.Int64,
        "one_in": pl.Int64,
        "people_needed": pl.Int64,
    }
    return pl.DataFrame(rows, schema=schema)


def rota_sizes(
    cfg: OohConfig,
    frames: Mapping[str, pl.DataFrame],
    as_at: dt.date,
    scenarios: Iterable[str] | None = None,
    services: Iterable[str] | None = None,
) -> pl.DataFrame:
    """People each rota needs beside the competent staff available, per trust and service.

    Args:
        cfg: the OOH configuration.
        frames: the extracts ``sites``, ``site_travel_times``, ``staff_in_post``,
            ``staff_competencies`` and ``leave``; with ``activity`` too, workload-sized cover
            (see :func:`rota_people`).
        as_at: start of the leave year counted (365 days from it).
        scenarios: scenario ids (default: every scenario).
        services: service ids (default: every service).

    Returns:
        :func:`rota_people` plus ``competent_staff`` (people at the rota's trusts who may hold
        it and reach one of its slots within the response time), ``excluded_staff`` (competent
        people of those trusts who reach none), ``competent_wte`` (the WTE of the first),
        ``leave_days_per_person`` (mean days of planned leave, :data:`PLANNED_LEAVE`, in the
        year from ``as_at``; information, leave being covered within the rota) and
        ``shortfall_people`` (``people_needed - competent_staff``, at least 0; null without a
        1-in-N rule).

    Raises:
        ConfigError: if an extract is missing, or as :func:`rota_people`.
    """
    missing = [
        name
        for name in ("sites", "site_travel_times", "staff_in_post", "staff_competencies", "leave")
        if name not in frames
    ]
    if missing:
        raise ConfigError(f"rota sizes need the extract(s) {missing}")
    people = rota_people(
        cfg,
        frames["sites"],
        scenarios,
        services,
        frames["site_travel_times"],
        workload=(frames, as_at) if "activity" in frames else None,
    )
    minutes = travel_map(frames["site_travel_times"])
    leave = _leave_days(frames["leave"], as_at)
    pools = {
        service_id: eligible_staff(cfg.service(service_id), frames).join(
            leave, on="staff_id", how="left"
        )
        for service_id in people["service"].unique().to_list()
    }
    staff_rows = []
    for row in people.iter_rows(named=True):
        service = cfg.service(row["service"])
        plan = RotaPlan(
            row["rota"], tuple(row["trusts"]), tuple((s, 1) for s in row["slot_sites"].split(", "))
        )
        pool = pools[row["service"]].filter(pl.col("trust_code").is_in(row["trusts"]))
        out = excluded_staff(service, row["scenario"], [plan], pool, minutes)
        pool = pool.join(out.select("staff_id"), on="staff_id", how="anti")
        count = pool.height
        needed = row["people_needed"]
        staff_rows.append(
            {
                "competent_staff": count,
                "excluded_staff": out.height,
                "competent_wte": float(pool["wte"].sum()),
                "leave_days_per_person": (
                    float(pool["leave_days"].fill_null(0).mean()) if count else None
                ),
                "shortfall_people": None if needed is None else max(0, needed - count),
            }
        )
    schema = {
        "competent_staff": pl.Int64,
        "excluded_staff": pl.Int64,
        "competent_wte": pl.Float64,
        "leave_days_per_person": pl.Float64,
        "shortfall_people": pl.Int64,
    }
    return pl.concat([people, pl.DataFrame(staff_rows, schema=schema)], how="horizontal")


def _leave_days(leave: pl.DataFrame, as_at: dt.date) -> pl.DataFrame:
    """Days of planned leave per person in the 365 days from ``as_at``.

    Returns:
        ``staff_id``, ``leave_days``.
    """
    end = as_at + dt.timedelta(days=364)
    start_date = pl.max_horizontal(pl.col("start_date"), pl.lit(as_at))
    end_date = pl.min_horizontal(pl.col("end_date"), pl.lit(end))
    return (
        leave.filter(
            pl.col("leave_type").is_in(PLANNED_LEAVE)
            & (pl.col("end_date") >= as_at)
            & (pl.col("start_date") <= end)
        )
        .with_columns(((end_date - start_date).dt.total_days() + 1).alias("leave_days"))
        .group_by("staff_id")
        .agg(pl.col("leave_days").sum().cast(pl.Float64))
    )
