"""Compliance of a rota against a rule preset: every breach with dates and the rule's source.

The rota engine's independent checker (:func:`lsc_workforce.rota.checker.check`) re-verifies
the engine's rule families from the roster alone (with dates, including the weekend dates of a
``weekend_one_in`` breach; bank holidays are weekend days there). This module adds the OOH rules
the engine does not check (C-O1 ``oncall_one_in``, C-O2 ``shift_calendar``, C-O6
``average_week_hours``, in real minutes like the engine, C-O7 ``oncall_block``: a block held
by one person, C-O8 ``max_oncall_episodes``: episodes in every rolling window, a block counted
once, C-O9 ``night_team_size``: people working the rota), names each breach by the preset rule
an analyst recognises (``min_rest_hours`` rather than the engine's ``min_rest``) and attaches
that rule's source and status from ``config/ooh/rota_rules.yaml``.

Rosters returned by the solver pass by construction; the table matters for rotas a trust
already runs (``lsc-workforce rota check``) and for runs where a rule was made soft and priced.
"""

from __future__ import annotations

import datetime as dt
import math

import polars as pl

from lsc_workforce.ooh.build import OohInstance
from lsc_workforce.ooh.inputs import REPORTED_RULES
from lsc_workforce.rota.checker import check

__all__ = [
    "BREACH_SCHEMA",
    "ENGINE_TO_RULE",
    "check_roster",
    "compliance_table",
]

#: Engine breach slug -> the preset rule (or data source) an analyst sees.
ENGINE_TO_RULE = {
    "min_rest": "min_rest_hours",
    "max_nights": "max_consecutive_nights",
    "night_rest": "rest_hours_after_nights",
    "weekend_frequency": "weekend_one_in",
    "max_consecutive": "max_consecutive_shifts",
    "min_consecutive": "min_consecutive_nights",
    "days_off": "leave",
    "eligibility": "eligibility",
    "one_shift_per_day": "one_shift_per_day",
    "roster": "roster",
}

#: Sources of the checks that are not preset rules.
DATA_SOURCES = {
    "leave": "leave dataset: the person is on leave that day",
    "eligibility": (
        "staff_in_post / staff_competencies / site_travel_times: competency or response time"
    ),
    "one_shift_per_day": "a person holds at most one rota shift per day",
    "roster": "the rota names a person, shift or date outside the problem",
    "shift_calendar": "service shift pattern: the shift does not run on that date "
    "(weekend patterns run on Saturdays, Sundays and England bank holidays)",
    "oncall_block": "service pattern (ooh_services.yaml weekend_block / week_block): one person "
    "holds the whole block [src:oncall-spacing-assumptions]",
}

#: Status of the checks that are not preset rules (``data`` unless listed).
DATA_STATUSES = {"oncall_block": "unconfirmed"}

BREACH_SCHEMA = {
    "service": pl.String,
    "scenario": pl.String,
    "rota": pl.String,
    "staff_id": pl.String,
    "rule": pl.String,
    "date": pl.Date,
    "count": pl.Float64,
    "hard": pl.Boolean,
    "detail": pl.String,
    "source": pl.String,
    "status": pl.String,
}


def _rule_of(slug: str, detail: str) -> str:
    if slug == "window_minutes":
        return "max_hours_in_7_days" if detail.startswith("7-day") else "average_week_hours"
    return ENGINE_TO_RULE.get(slug, slug)


def _frequency_breaches(instance: OohInstance, roster: pl.DataFrame) -> list[dict]:
    """C-O1 (rule ``oncall_one_in``): people holding the rota on more than their fair share.

    The fair share of a 1-in-N rota over ``h`` days is ``ceil(h / N)`` days plus the
    ``oncall_tolerance_days`` (whole weeks, ``7 * ceil(ceil(h / 7) / N)``, with week blocks),
    and never less than the longest block.
    """
    n = instance.preset.value("oncall_one_in")
    if n is None or roster.is_empty():
        return []
    unit = 7 if instance.service.week_block else 1
    tolerance = int(instance.preset.value("oncall_tolerance_days") or 0)
    share = unit * math.ceil(math.ceil(instance.problem.n_days / unit) / n) + tolerance
    limit = max([share] + [len(block) for block in instance.blocks])
    rule = instance.preset.rules["oncall_one_in"]
    n_days = instance.problem.n_days
    rows = []
    per_person = (
        roster.select("staff_id", "date")
        .unique()
        .sort("date")
        .group_by("staff_id", maintain_order=True)
        .agg(pl.col("date"))
    )
    for staff_id, dates in per_person.iter_rows():
        if len(dates) <= limit:
            continue
        over = dates[limit:]
        one_in = n_days / len(dates)
        rows.append(
            {
                "staff_id": staff_id,
                "rule": "oncall_one_in",
                "date": over[0],
                "count": float(len(over)),
                "hard": rule.soft_penalty is None,
                "detail": (
                    f"holds the rota on {len(dates)} of {n_days} days (1 in {one_in:.1f}); "
                    f"limit 1 in {rule.value:g} allows {limit} day(s); days over the limit: "
                    + ", ".join(d.isoformat() for d in over)
                ),
            }
        )
    return rows


def _average_breaches(instance: OohInstance, roster: pl.DataFrame) -> list[dict]:
    """C-O6 (rule ``average_week_hours``): rota minutes over any ``W``-day window above ``M``."""
    if instance.average is None or roster.is_empty():
        return []
    days, limit = instance.average
    rule = instance.preset.rules["average_week_hours"]
    problem = instance.problem
    h = problem.n_days
    minutes: dict[str, list[int]] = {}
    for staff_id, day, shift in roster.select("staff_id", "date", "shift").iter_rows():
        d = problem.day_index.get(day)
        if d is None or shift not in problem.shift_index:
            continue  # reported by the engine's checker as a "roster" breach
        minutes.setdefault(staff_id, [0] * h)[d] += problem.shift_minutes[d, shift]
    rows = []
    for staff_id, per_day in minutes.items():
        for d in range(h - days + 1):
            worked = sum(per_day[d : d + days])
            if worked > limit:
                rows.append(
                    {
                        "staff_id": staff_id,
                        "rule": "average_week_hours",
                        "date": problem.dates[d],
                        "count": float(worked - limit),
                        "hard": rule.soft_penalty is None,
                        "detail": f"{worked / 60:g} h of rota work in the {days} days from "
                        f"{problem.dates[d].isoformat()}; limit {limit / 60:g} h "
                        f"({rule.value:g} h a week on average)",
                    }
                )
    return rows


def _block_breaches(instance: OohInstance, roster: pl.DataFrame) -> list[dict]:
    """C-O7 (``oncall_block``): a person holding some but not all days of a block."""
    if not instance.blocks or roster.is_empty():
        return []
    dates = instance.dates
    held: dict[str, set[dt.date]] = {}
    for staff_id, day in roster.select("staff_id", "date").iter_rows():
        held.setdefault(staff_id, set()).add(day)
    rows = []
    for block in instance.blocks:
        days = [dates[d] for d in block]
        for staff_id, mine in held.items():
            part = [day for day in days if day in mine]
            if part and len(part) < len(days):
                rows.append(
                    {
                        "staff_id": staff_id,
                        "rule": "oncall_block",
                        "date": days[0],
                        "count": float(len(days) - len(part)),
                        "hard": True,
                        "detail": f"holds {len(part)} of the {len(days)} days of the block "
                        f"{days[0].isoformat()} to {days[-1].isoformat()} (held: "
                        + ", ".join(d.isoformat() for d in part)
                        + ")",
                    }
                )
    return rows


def _episode_breaches(instance: OohInstance, roster: pl.DataFrame) -> list[dict]:
    """C-O8 (``max_oncall_episodes``): more than E episodes in some W consecutive days.

    An episode is a block (``OohInstance.blocks``) with a day held in the window, or a day held
    outside every block. One breach per person and first day of each run of windows over the
    limit.
    """
    if instance.episodes is None or roster.is_empty():
        return []
    window, most = instance.episodes
    rule = instance.preset.rules["max_oncall_episodes"]
    dates = instance.dates
    h = len(dates)
    index = {day: d for d, day in enumerate(dates)}
    block_of = {d: k for k, block in enumerate(instance.blocks) for d in block}
    rows = []
    per_person: dict[str, set[int]] = {}
    for staff_id, day in roster.select("staff_id", "date").iter_rows():
        if day in index:
            per_person.setdefault(staff_id, set()).add(index[day])
    for staff_id, days in sorted(per_person.items()):
        previous_over = False
        for a in range(max(1, h - window + 1)):
            inside = [d for d in sorted(days) if a <= d < a + window]
            episodes = {("block", block_of[d]) if d in block_of else ("day", d) for d in inside}
            over = len(episodes) > most
            if over and not previous_over:
                rows.append(
                    {
                        "staff_id": staff_id,
                        "rule": "max_oncall_episodes",
                        "date": dates[a],
                        "count": float(len(episodes) - most),
                        "hard": rule.soft_penalty is None,
                        "detail": f"{len(episodes)} on-call episodes in the {window} days from "
                        f"{dates[a].isoformat()} (days held: "
                        + ", ".join(dates[d].isoformat() for d in inside)
                        + f"); limit {most} (a block counts once)",
                    }
                )
            previous_over = over
    return rows


def _team_breaches(instance: OohInstance, roster: pl.DataFrame) -> list[dict]:
    """C-O9 (``night_team_size``): more of today's staff working the rota than the team allows.

    One breach (dated at the first shift of the first person beyond the team, in order of
    first shift) per person beyond it; candidate posts join the team and are not counted.
    """
    size = instance.team_size
    if size is None or roster.is_empty():
        return []
    candidates = set(instance.people.filter("candidate").get_column("staff_id"))
    first = (
        roster.filter(~pl.col("staff_id").is_in(list(candidates)))
        .group_by("staff_id")
        .agg(pl.col("date").min())
        .sort("date", "staff_id")
    )
    rule = instance.preset.rules["night_team_size"]
    return [
        {
            "staff_id": staff_id,
            "rule": "night_team_size",
            "date": day,
            "count": 1.0,
            "hard": rule.soft_penalty is None,
            "detail": f"{first.height} people work the rota; the night team is at most {size}",
        }
        for staff_id, day in first.slice(size).iter_rows()
    ]


def _calendar_breaches(instance: OohInstance, roster: pl.DataFrame) -> list[dict]:
    """C-O2: shifts worked on a date their pattern does not run."""
    rows = []
    for staff_id, day, shift in roster.select("staff_id", "date", "shift").iter_rows():
        offered = instance.offered.get(shift)
        if offered is not None and day not in offered:
            pattern = instance.slots[shift].pattern
            rows.append(
                {
                    "staff_id": staff_id,
                    "rule": "shift_calendar",
                    "date": day,
                    "count": 1.0,
                    "hard": True,
                    "detail": f"{shift} runs on {pattern.days} days only; {day:%A} "
                    f"{day.isoformat()}"
                    + (" is a bank holiday" if day in instance.holidays else ""),
                }
            )
    return rows


def check_roster(instance: OohInstance, roster: pl.DataFrame) -> pl.DataFrame:
    """Every breach of ``roster`` against the instance's rules, with dates and sources.

    Args:
        instance: the rota (people, shifts, preset).
        roster: ``staff_id, date, shift`` (shift ids of the instance).

    Returns:
        A frame with :data:`BREACH_SCHEMA` columns, sorted by rule, person and date.
    """
    rows = [
        {
            "staff_id": b.staff_id,
            "rule": _rule_of(b.rule, b.detail),
            "date": b.date,
            "count": b.count,
            "hard": b.hard,
            "detail": b.detail,
        }
        for b in check(instance.problem, roster.select("staff_id", "date", "shift"))
    ]
    rows += _frequency_breaches(instance, roster)
    rows += _average_breaches(instance, roster)
    rows += _calendar_breaches(instance, roster)
    rows += _block_breaches(instance, roster)
    rows += _episode_breaches(instance, roster)
    rows += _team_breaches(instance, roster)
    preset = instance.preset.rules
    for row in rows:
        rule = preset.get(row["rule"])
        row["source"] = rule.source if rule else DATA_SOURCES.get(row["rule"], "")
        row["status"] = rule.status if rule else DATA_STATUSES.get(row["rule"], "data")
        row["service"] = instance.service.id
        row["scenario"] = instance.scenario_id
        row["rota"] = instance.rota
    frame = pl.DataFrame(rows, schema=BREACH_SCHEMA)
    return frame.sort(["rule", "staff_id", "date"], nulls_last=True)


def compliance_table(instance: OohInstance, breaches: pl.DataFrame) -> pl.DataFrame:
    """One row per preset rule (and data check) with its breach count for one rota.

    Returns:
        ``service, scenario, rota, rule, value, source, status, hard_breaches,
        soft_breaches, people_breaching, compliant, applies``; ``applies`` is ``roster`` for a
        rule the roster must meet and ``reported`` for a figure that is only reported
        (compensatory rest of non-resident on-call).
    """
    rules = list(instance.preset.rules.values())
    checks = ["leave", "eligibility", "shift_calendar", "one_shift_per_day", "roster"]
    if instance.blocks:
        checks.insert(0, "oncall_block")
    names = [r.name for r in rules] + [n for n in checks if n not in instance.preset.rules]
    rows = []
    for name in names:
        rule = instance.preset.rules.get(name)
        mine = breaches.filter(pl.col("rule") == name)
        hard = mine.filter(pl.col("hard"))
        rows.append(
            {
                "service": instance.service.id,
                "scenario": instance.scenario_id,
                "rota": instance.rota,
                "rule": name,
                "value": None if rule is None else rule.value,
                "source": rule.source if rule else DATA_SOURCES.get(name, ""),
                "status": rule.status if rule else DATA_STATUSES.get(name, "data"),
                "hard_breaches": hard.height,
                "soft_breaches": mine.height - hard.height,
                "people_breaching": mine.get_column("staff_id").n_unique(),
                "compliant": hard.height == 0,
                "applies": "reported" if name in REPORTED_RULES else "roster",
            }
        )
    return pl.DataFrame(rows)
