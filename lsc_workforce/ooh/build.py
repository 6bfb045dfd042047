"""Translate a service x scenario x horizon into rota-engine problems (one per rota).

A scenario splits a service into one or more **rotas** (trust-by-trust: one per trust; network:
one; hub-and-spoke: as the analyst defines). Each rota has a staff pool (the trusts whose
staff join it) and one or more **slots** (a site where cover is wanted, with a number of people
per shift). Each (slot, shift pattern) becomes one :class:`~lsc_workforce.rota.ShiftType` whose
``site`` is the slot's site, so the engine's travel rule (C14 eligibility) enforces the response
time unless remote reporting is allowed. Rotas of one scenario never share staff (a trust joins
at most one rota), so each rota is solved as its own integer programme.

Transfer and local cover (:func:`plan_rotas`, :func:`site_cover`): a service says where its
patient is treated. When they are brought to the slot (``treated_at: slot``), every served site
that holds no slot is served by transfer to its nearest slot site only if the road time
(``site_travel_times``) fits the binding pathway's transfer limit (the tightest, unless the
service names one); beyond it the site keeps a local slot if ``sites`` records the service's
facility (e.g. ``has_ir_suite``), or is reported as left without local cover. A network or hub
rota therefore never serves a distant site silently from the hub. Competent staff of a rota's
trusts who reach none of its slots within the response time are listed by
:func:`excluded_staff`.

Dates: a shift belongs to the date it starts. ``weekend`` patterns run on Saturdays, Sundays and
England bank holidays (the ``holidays`` package); ``weekday`` patterns on the other days; ``all``
patterns every day. The engine has no per-date shift calendar, so the OOH model fixes the
assignment of a shift on a date it does not run to zero (OOH constraint C-O2, ``ooh.model``).
The bank holidays are passed to the engine as ``RotaProblem.weekend_dates``, so any shift worked
on one is weekend work (C15, C16, fairness, totals), grouped with the adjacent weekend (Good
Friday to Easter Monday is one weekend).

Blocks (OOH constraint C-O7, ``ooh.model``): a service's ``weekend_block`` makes one person
hold the whole weekend: ``sat_sun`` the engine's weekend group (Saturday, Sunday and the bank
holidays that join it, so a bank-holiday Monday and Good Friday to Easter Monday are one
block); ``fri_mon`` also the weeknight before and the weeknight after it. ``week_block`` makes
one person hold each Monday-to-Sunday week instead (a bank holiday then stays in its own week,
so Easter is split at the Monday changeover). Blocks that share a day merge into one.
:func:`oncall_blocks` lists them as day numbers; a block is one **episode** of on-call for the
rolling spacing rule (C-O8).

Frequency (C-O1): 1-in-N is a property of the rota: N people share it, covering each other's
leave. Each person holds at most their fair share ``ceil(days / N)`` (plus the preset's
``oncall_tolerance_days``), scheduled around their own leave, so N people with no leave can
always cover any horizon. With week blocks the share is counted in whole weeks.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from types import MappingProxyType

import holidays
import polars as pl

from lsc_workforce.config import ConfigError
from lsc_workforce.ooh.inputs import (
    RulePreset,
    Scenario,
    Service,
    ShiftPattern,
    travel_map,
)
from lsc_workforce.ooh.workload import derive_cover
from lsc_workforce.rota import (
    CoverRequirement,
    MinutesWindow,
    Person,
    PersonRules,
    RotaProblem,
    ShiftType,
)

__all__ = [
    "DATASETS",
    "RULE_TO_ENGINE",
    "COVER_KINDS",
    "CandidateClass",
    "OohInstance",
    "OohWeights",
    "RotaPlan",
    "SiteCover",
    "Slot",
    "bank_holidays",
    "build_instance",
    "build_scenario",
    "eligible_staff",
    "excluded_staff",
    "leave_days",
    "max_oncall_days",
    "offered_dates",
    "oncall_blocks",
    "person_rules",
    "plan_rotas",
    "site_cover",
    "split_plan",
    "travel_map",
]

#: Datasets the OOH analysis reads from the data folder.
DATASETS = ("sites", "site_travel_times", "staff_in_post", "staff_competencies", "leave")

#: Preset rule name -> the rota engine's soft-rule slug (for rules an analyst makes soft).
RULE_TO_ENGINE: Mapping[str, str] = MappingProxyType(
    {
        "min_rest_hours": "min_rest",
        "max_hours_in_7_days": "window_minutes",
        "average_week_hours": "window_minutes",
        "max_consecutive_nights": "max_nights",
        "rest_hours_after_nights": "night_rest",
        "weekend_one_in": "weekend_frequency",
        "max_consecutive_shifts": "max_consecutive",
        "min_consecutive_nights": "min_consecutive",
    }
)


@dataclass(frozen=True)
class OohWeights:
    """Objective weights of the OOH rota model (penalty units, not money).

    Attributes:
        uncovered: per person short on a shift (C2 ``cover_under``); must dwarf the others so
            that a shift is left uncovered only when no compliant assignment exists.
        over: per person above the cover wanted (C2 ``cover_over``).
        load_balance: per day a person's on-call days fall outside the integer band around
            their WTE share (floor to ceiling, C-O3); 0 switches the term off.
        candidate: per candidate post used (C17, extra-headcount runs only).
    """

    uncovered: float = 1000.0
    over: float = 10.0
    load_balance: float = 1.0
    candidate: float = 1.0


@dataclass(frozen=True)
class Slot:
    """One engine shift type: a shift pattern at a slot site of a rota.

    Attributes:
        shift_id: the engine's shift id.
        pattern: the service's shift pattern.
        site: the slot's site (response time is measured to it).
        cover: people wanted per shift.
    """

    shift_id: str
    pattern: ShiftPattern
    site: str | None
    cover: int


@dataclass(frozen=True)
class RotaPlan:
    """One rota of a scenario before it meets the staff data.

    Attributes:
        name: rota name (a trust code, ``network`` or the analyst's hub rota name).
        trusts: trusts whose staff join it.
        slots: ``(site, cover)`` pairs where cover is wanted.
    """

    name: str
    trusts: tuple[str, ...]
    slots: tuple[tuple[str | None, int], ...]


@dataclass(frozen=True)
class CandidateClass:
    """Interchangeable candidate posts: same competencies, same eligible shifts.

    Attributes:
        id: class id.
        sites: base sites that give exactly this eligibility.
        trusts: trusts of those sites.
        label: readable "based at ..." text (trust codes when whole trusts, else sites).
    """

    id: str
    sites: tuple[str, ...]
    trusts: tuple[str, ...]
    label: str


@dataclass(frozen=True)
class OohInstance:
    """One rota of one service and scenario, ready for the integer programme.

    Attributes:
        service: the service.
        scenario_id: the scenario.
        rota: the rota name.
        preset: the rule preset applied (after scenario overrides).
        problem: the rota engine's problem.
        slots: ``{shift id: Slot}``.
        offered: ``{shift id: dates the shift runs}`` (C-O2).
        holidays: England bank holidays in the horizon.
        max_days: most days a person may hold the rota (C-O1), ``None`` for no limit.
        average: C-O6 ``(window days, max minutes)`` of ``average_week_hours``, or ``None``.
        blocks: C-O7 blocks, each the day numbers one person holds together (see
            :func:`oncall_blocks`).
        episodes: C-O8 ``(window days, most episodes)`` of ``max_oncall_episodes``, or ``None``.
        team_size: C-O9 most of today's staff who may work the rota over the horizon
            (``night_team_size`` x slot sites), or ``None``.
        people: one row per person: ``staff_id, trust_code, base_site, grade, wte,
            candidate, candidate_class``.
        candidate_classes: ``{class id: CandidateClass}`` (empty unless candidates added).
        trusts: trusts of the rota's pool.
    """

    service: Service
    scenario_id: str
    rota: str
    preset: RulePreset
    problem: RotaProblem
    slots: Mapping[str, Slot]
    offered: Mapping[str, frozenset[dt.date]]
    holidays: frozenset[dt.date]
    max_days: int | None
    people: pl.DataFrame
    average: tuple[int, int] | None = None
    blocks: tuple[tuple[int, ...], ...] = ()
    episodes: tuple[int, int] | None = None
    team_size: int | None = None
    candidate_classes: Mapping[str, CandidateClass] = field(default_factory=dict)
    trusts: tuple[str, ...] = ()

    @property
    def dates(self) -> tuple[dt.date, ...]:
        """The horizon's dates."""
        return self.problem.dates

    @property
    def one_in(self) -> float | None:
        """The rota's N (``oncall_one_in``), or ``None``."""
        return self.preset.value("oncall_one_in")

    @property
    def rota_size(self) -> int | None:
        """People a 1-in-N rota needs: N per person wanted on a shift, summed over the slots."""
        n = self.one_in
        if n is None:
            return None
        return int(n) * sum({slot.site: slot.cover for slot in self.slots.values()}.values())

    @property
    def required_shifts(self) -> int:
        """People-shifts wanted over the horizon (sum of cover over offered dates)."""
        return sum(slot.cover * len(self.offered[sid]) for sid, slot in self.slots.items())


# ----- calendar -----


@cache
def _england_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=[year]))


def bank_holidays(start: dt.date, n_days: int) -> frozenset[dt.date]:
    """England bank holidays (``holidays`` package, GB/ENG) from ``start`` for ``n_days``."""
    end = start + dt.timedelta(days=n_days - 1)
    found: set[dt.date] = set()
    for year in range(start.year, end.year + 1):
        found |= {d for d in _england_holidays(year) if start <= d <= end}
    return frozenset(found)


def is_weekend_day(day: dt.date, holidays_: frozenset[dt.date]) -> bool:
    """Saturday, Sunday or an England bank holiday."""
    return day.weekday() >= 5 or day in holidays_


def offered_dates(
    pattern: ShiftPattern, dates: Sequence[dt.date], holidays_: frozenset[dt.date]
) -> frozenset[dt.date]:
    """Dates on which a shift pattern runs (``weekend`` includes bank holidays)."""
    if pattern.days == "all":
        return frozenset(dates)
    weekend = pattern.days == "weekend"
    return frozenset(d for d in dates if is_weekend_day(d, holidays_) == weekend)


# ----- staff -----


def eligible_staff(service: Service, frames: Mapping[str, pl.DataFrame]) -> pl.DataFrame:
    """People who may hold the service: group, grade, ``ooh_eligible`` and every competency.

    A person with two posts appears once: trust and base site of their largest post, WTE the
    sum of their posts in the service's staff groups.

    Returns:
        ``staff_id, trust_code, base_site, grade, wte`` sorted by ``staff_id``.
    """
    posts = frames["staff_in_post"].filter(
        pl.col("staff_group").is_in(list(service.staff_groups))
        & pl.col("grade").is_in(list(service.grades))
        & pl.col("ooh_eligible")
    )
    competencies = frames["staff_competencies"]
    for competency in service.competencies:
        holders = competencies.filter(pl.col("competency") == competency).select("staff_id")
        posts = posts.join(holders.unique(), on="staff_id", how="semi")
    return (
        posts.sort(["staff_id", "wte", "post_id"], descending=[False, True, False])
        .group_by("staff_id", maintain_order=True)
        .agg(
            pl.col("trust_code").first(),
            pl.col("base_site").first(),
            pl.col("grade").first(),
            pl.col("wte").sum(),
        )
        .sort("staff_id")
    )


def leave_days(
    leave: pl.DataFrame, staff_ids: Iterable[str], start: dt.date, n_days: int
) -> dict[str, frozenset[dt.date]]:
    """``{staff_id: leave dates inside the horizon}`` from the ``leave`` dataset (any type)."""
    end = start + dt.timedelta(days=n_days - 1)
    rows = (
        leave.filter(
            pl.col("staff_id").is_in(list(staff_ids))
            & (pl.col("end_date") >= start)
            & (pl.col("start_date") <= end)
        )
        .select(
            "staff_id",
            pl.date_ranges(
                pl.max_horizontal(pl.col("start_date"), pl.lit(start)),
                pl.min_horizontal(pl.col("end_date"), pl.lit(end)),
            ).alias("date"),
        )
        .explode("date")
        .group_by("staff_id")
        .agg(pl.col("date").unique())
    )
    return {row[0]: frozenset(row[1]) for row in rows.iter_rows()}


def person_rules(
    preset: RulePreset,
    n_days: int,
    *,
    days_off: Iterable[dt.date] = (),
    max_travel_minutes: int | None = None,
) -> PersonRules:
    """Turn a preset's rules into the engine's :class:`PersonRules` for one person.

    ``min_consecutive_nights`` becomes the engine's minimum run of working days (C10): the
    services that use it have night-only patterns (checked with the configuration), so a run of
    working days is a run of nights.
    ``oncall_one_in`` and ``average_week_hours`` are not passed to the engine: they are OOH
    constraints C-O1 and C-O6 (``ooh.model``; see :func:`average_window`), because the engine's
    rolling-window rows (C8) hold every variable of the window, which is too dense for a
    17- or 26-week reference period over a 52-week horizon.
    ``rest_hours_after_nights`` becomes whole rest days ``ceil(hours / 24)`` (the day the last
    night ends counts as the first, so 46 h gives 2 days: at least 60 h for a 20:00-08:00 night).

    Args:
        preset: the rules.
        n_days: horizon length.
        days_off: leave dates.
        max_travel_minutes: response-time limit (``None``: no limit).

    Returns:
        The engine rules.
    """
    windows = []
    if (hours := preset.value("max_hours_in_7_days")) is not None and n_days >= 7:
        windows.append(MinutesWindow(7, max_minutes=round(hours * 60)))
    rest_after = preset.value("rest_hours_after_nights")

    def _int(name: str) -> int | None:
        value = preset.value(name)
        return None if value is None else int(value)

    return PersonRules(
        days_off=frozenset(days_off),
        minutes_windows=tuple(windows),
        max_consecutive_days=_int("max_consecutive_shifts"),
        max_consecutive_nights=_int("max_consecutive_nights"),
        min_consecutive_days=_int("min_consecutive_nights"),
        rest_days_after_nights=None if rest_after is None else math.ceil(rest_after / 24),
        weekend_one_in=_int("weekend_one_in"),
        min_rest_hours=preset.value("min_rest_hours"),
        max_travel_minutes=max_travel_minutes,
    )


def soft_rules(preset: RulePreset) -> dict[str, float]:
    """Engine ``soft_rules`` for the preset's rules that carry a ``soft_penalty``."""
    soft: dict[str, float] = {}
    for rule in preset.rules.values():
        if rule.soft_penalty is not None and rule.name in RULE_TO_ENGINE:
            slug = RULE_TO_ENGINE[rule.name]
            soft[slug] = max(soft.get(slug, 0.0), rule.soft_penalty)
    return soft


def average_window(preset: RulePreset, n_days: int) -> tuple[int, int] | None:
    """C-O6 window of ``average_week_hours``: ``(days, max minutes)`` or ``None``.

    The window is ``7 x reference_weeks`` days (17 weeks when not given), or the whole horizon
    when that is shorter, and allows ``hours x 60 x days / 7`` minutes (rounded down).
    """
    average = preset.rules.get("average_week_hours")
    if average is None:
        return None
    days = min(7 * (average.reference_weeks or 17), n_days)
    return days, math.floor(average.value * 60 * days / 7)


def max_oncall_days(
    preset: RulePreset, n_days: int, block_days: int = 1, longest_block: int = 1
) -> int | None:
    """C-O1 limit: the fair share of a 1-in-N rota, ``None`` without ``oncall_one_in``.

    ``ceil(n_days / N)`` days plus ``oncall_tolerance_days``; with blocks of ``block_days``
    (7 for week blocks) the share is counted in whole blocks:
    ``block_days * ceil(ceil(n_days / block_days) / N)``. N people with no leave can therefore
    always hold every day (N * ceil(h / N) >= h). The limit is never below the longest block
    (``longest_block`` days, e.g. Thursday to Tuesday at Easter with Friday-to-Monday blocks),
    so a short horizon cannot make a block impossible to hold.
    """
    n = preset.value("oncall_one_in")
    if n is None:
        return None
    units = math.ceil(n_days / block_days)
    tolerance = preset.value("oncall_tolerance_days") or 0
    return max(block_days * math.ceil(units / n) + int(tolerance), longest_block)


def _longest(blocks: Sequence[Sequence[int]]) -> int:
    return max((len(b) for b in blocks), default=1)


def team_size(preset: RulePreset, slots: Sequence[tuple[str | None, int]]) -> int | None:
    """C-O9 night team: ``night_team_size`` per slot site times the slot sites, or ``None``."""
    size = preset.value("night_team_size")
    return None if size is None else int(size) * len({site for site, _ in slots})


def episode_window(preset: RulePreset) -> tuple[int, int] | None:
    """C-O8 ``(window days, most episodes)`` of ``max_oncall_episodes``, or ``None``."""
    rule = preset.rules.get("max_oncall_episodes")
    if rule is None or rule.window_days is None:
        return None
    return rule.window_days, int(rule.value)


def oncall_blocks(
    service: Service, dates: Sequence[dt.date], weekend_of: Mapping[int, int]
) -> tuple[tuple[int, ...], ...]:
    """C-O7 blocks: groups of day numbers (two or more) one person holds together.

    Args:
        service: its ``weekend_block`` and ``week_block`` (week blocks replace weekend blocks).
        dates: the horizon.
        weekend_of: ``{day number: weekend number}`` for the weekend dates (Saturdays, Sundays
            and bank holidays, grouped as ``RotaProblem.weekend_of`` groups them).

    Returns:
        The blocks, each sorted, in date order (blocks that share a day are merged).
    """
    h = len(dates)
    parent = list(range(h))

    def root(d: int) -> int:
        while parent[d] != d:
            parent[d] = parent[parent[d]]
            d = parent[d]
        return d

    def join(days: Sequence[int]) -> None:
        for d in days[1:]:
            parent[root(d)] = root(days[0])

    if service.weekend_block != "none" and not service.week_block:
        groups: dict[int, list[int]] = {}
        for d, w in sorted(weekend_of.items()):
            groups.setdefault(w, []).append(d)
        for days in groups.values():
            if service.weekend_block == "fri_mon":
                join([d for d in (days[0] - 1, *days, days[-1] + 1) if 0 <= d < h])
            else:
                join(days)
    if service.week_block:
        weeks: dict[int, list[int]] = {}
        for d, day in enumerate(dates):
            weeks.setdefault((day - dt.timedelta(days=day.weekday())).toordinal(), []).append(d)
        for days in weeks.values():
            join(days)
    blocks: dict[int, list[int]] = {}
    for d in range(h):
        blocks.setdefault(root(d), []).append(d)
    return tuple(tuple(b) for b in sorted(blocks.values()) if len(b) > 1)


def instance_blocks(service: Service, problem: RotaProblem) -> tuple[tuple[int, ...], ...]:
    """:func:`oncall_blocks` of a problem's horizon and weekend grouping."""
    weekend_of = {
        d: problem.weekend_of(d) for d in range(problem.n_days) if problem.is_weekend_date(d)
    }
    return oncall_blocks(service, problem.dates, weekend_of)


# ----- scenario -> rotas -----


#: How a served site is covered (``site_cover``): ``slot`` (the scenario puts a slot there),
#: ``local_slot`` (a slot kept because transfer to the hub would break the pathway limit and
#: ``sites`` records the facility), ``transfer`` (served from a slot site within the limit),
#: ``own_site`` (treated where the patient arrived: remote reporting) and ``no_local_cover``
#: (no facility and no slot within the limit: left without local cover).
COVER_KINDS = ("slot", "local_slot", "transfer", "own_site", "no_local_cover")

#: Columns of :func:`site_cover`.
SITE_COVER_SCHEMA = {
    "service": pl.String,
    "scenario": pl.String,
    "rota": pl.String,
    "trust_code": pl.String,
    "site_code": pl.String,
    "local_cover": pl.String,
    "slot_site": pl.String,
    "transfer_minutes": pl.Int64,
    "limit_minutes": pl.Int64,
    "pathway": pl.String,
}


@dataclass(frozen=True)
class SiteCover:
    """How one served site of a rota is covered.

    Attributes:
        site: the served site.
        trust: its trust.
        cover: one of :data:`COVER_KINDS`.
        slot_site: where its patient is treated (``None``: nowhere within the limit).
        transfer_minutes: road minutes to the nearest slot site (``None``: none known).
        limit: the binding pathway's limit (``None``: no limit).
        pathway: the binding pathway's id.
    """

    site: str
    trust: str
    cover: str
    slot_site: str | None = None
    transfer_minutes: int | None = None
    limit: int | None = None
    pathway: str | None = None


def _facility_sites(service: Service, sites: pl.DataFrame) -> set[str]:
    """Sites that may hold a slot of the service (``facility`` true in ``sites``).

    Raises:
        ConfigError: if the facility is not a column of ``sites``.
    """
    codes = sites.get_column("site_code")
    if service.facility is None:
        return set(codes.to_list())
    if service.facility not in sites.columns:
        raise ConfigError(
            f"ooh_services.yaml services.{service.id}.facility: {service.facility!r} is not a "
            f"column of the sites dataset (columns: {sites.columns})"
        )
    return set(sites.filter(pl.col(service.facility).fill_null(False))["site_code"].to_list())


def _cover_sites(
    service: Service,
    served: Sequence[str],
    slots: list[tuple[str, int]],
    *,
    trust_of: Mapping[str, str],
    facility: set[str],
    travel: Mapping[tuple[str, str], int],
) -> list[SiteCover]:
    """Decide how each served site is covered, adding local slots to ``slots`` in place.

    A site that holds a slot is ``slot``. When patients are treated where they arrive, every
    other site is ``own_site``. Otherwise, in the order the service lists its sites: a site with
    the facility beyond the binding limit from every slot gets a ``local_slot`` (at the
    service's cover); then every other site is served by ``transfer`` to its nearest slot site
    within the limit, or is left with ``no_local_cover``. A site pair missing from ``travel``
    counts as beyond any limit; without a limit (no pathways) every site may be served by
    transfer.
    """
    binding = service.transfer_limit
    limit = None if binding is None else binding.transfer_minutes
    pathway = None if binding is None else binding.id

    def nearest(site: str) -> tuple[str | None, int | None]:
        known = [(travel[(site, s)], k, s) for k, (s, _) in enumerate(slots) if (site, s) in travel]
        if not known:
            return (slots[0][0], None) if slots and limit is None else (None, None)
        minutes, _, slot = min(known)
        return slot, minutes

    def fits(minutes: int | None) -> bool:
        return limit is None or (minutes is not None and minutes <= limit)

    if service.treated_at == "slot":
        for site in served:
            if site in facility and all(site != s for s, _ in slots) and not fits(nearest(site)[1]):
                slots.append((site, service.cover))
    local = {s for s, _ in slots}
    rows = []
    for site in served:
        row = SiteCover(site, trust_of[site], "slot", site, 0, limit, pathway)
        if site in local:
            rows.append(row)
            continue
        if service.treated_at == "site":
            rows.append(replace(row, cover="own_site"))
            continue
        slot, minutes = nearest(site)
        if fits(minutes) and slot is not None:
            rows.append(replace(row, cover="transfer", slot_site=slot, transfer_minutes=minutes))
        else:
            rows.append(
                replace(row, cover="no_local_cover", slot_site=None, transfer_minutes=minutes)
            )
    return rows


def _plans(
    service: Service,
    scenario: Scenario,
    sites: pl.DataFrame,
    travel: Mapping[tuple[str, str], int] | None,
) -> list[tuple[RotaPlan, list[SiteCover]]]:
    """Rotas of a scenario (slots possibly empty) with how each served site is covered."""
    trust_of = dict(sites.select("site_code", "trust_code").iter_rows())
    unknown = sorted(set(service.sites) - set(trust_of))
    if unknown:
        raise ConfigError(f"service {service.id}: unknown sites {unknown}")
    travel = travel or {}
    facility = _facility_sites(service, sites)
    served: dict[str, list[str]] = {}
    for site in service.sites:
        served.setdefault(trust_of[site], []).append(site)

    def first_slot(candidates: Sequence[str]) -> list[tuple[str, int]]:
        with_facility = [s for s in candidates if s in facility]
        return with_facility[:1] if service.cover_unit == "trust" else with_facility

    def make(
        name: str, trusts: tuple[str, ...], area: Sequence[str], slots: list[tuple[str, int]]
    ) -> tuple[RotaPlan, list[SiteCover]]:
        placed = {s for s, _ in slots}
        rows = _cover_sites(
            service, area, slots, trust_of=trust_of, facility=facility, travel=travel
        )
        local = [
            replace(r, cover="local_slot") if r.cover == "slot" and r.site not in placed else r
            for r in rows
        ]
        return RotaPlan(name, trusts, tuple(slots)), local

    found = []
    if scenario.kind == "trust_by_trust":
        for trust, trust_sites in served.items():
            slots = [(s, service.cover) for s in first_slot(trust_sites)]
            found.append(make(trust, (trust,), trust_sites, slots))
        return found
    if scenario.kind == "network":
        trusts = tuple(served)
        if service.cover_unit == "site":
            slots = [(s, service.cover) for s in first_slot(service.sites)]
        else:
            hub, cover = scenario.hubs.get(service.id, (service.sites[0], None))
            if hub not in trust_of:
                raise ConfigError(f"scenario {scenario.id}: unknown hub site {hub}")
            _need_facility(service, scenario.id, hub, facility)
            slots = [(hub, cover or service.cover)]
        found.append(make("network", trusts, list(service.sites), slots))
        return found
    for rota in scenario.rotas:
        if rota.hub not in trust_of:
            raise ConfigError(f"scenario {scenario.id} rota {rota.name}: unknown hub {rota.hub}")
        cover = rota.cover or service.cover
        area = [s for t in rota.trusts for s in served.get(t, ())]
        if service.cover_unit == "site":
            slots = [(s, cover) for s in first_slot(area)]
        else:
            _need_facility(service, scenario.id, rota.hub, facility)
            slots = [(rota.hub, cover)]
        found.append(make(rota.name, rota.trusts, area, slots))
    return found


def _need_facility(service: Service, scenario_id: str, hub: str, facility: set[str]) -> None:
    if hub not in facility:
        raise ConfigError(
            f"scenario {scenario_id}: hub {hub} of service {service.id} has no "
            f"{service.facility} in the sites dataset"
        )


def plan_rotas(
    service: Service,
    scenario: Scenario,
    sites: pl.DataFrame,
    travel: Mapping[tuple[str, str], int] | None = None,
) -> list[RotaPlan]:
    """The rotas a scenario makes of a service (rotas left with no slot are dropped).

    * ``trust_by_trust``: one rota per trust that has a served site; slots at the trust's
      first served site with the facility (``cover_unit: trust``) or at each such site
      (``site``).
    * ``network``: one rota of all trusts; a slot at the scenario's hub for the service
      (default the service's first site; ``cover_unit: trust``) or at every served site with
      the facility (``site``).
    * ``hub_and_spoke``: the analyst's rotas; ``cover_unit: site`` services get a slot at each
      served site of the rota's trusts, others one slot at the hub.

    Then, when patients are brought to the slot (``treated_at: slot``), every served site of
    the rota beyond the binding pathway's transfer limit from every slot keeps a local slot if
    ``sites`` records the facility (:func:`site_cover` says which, and which sites are left
    without local cover). ``travel`` maps ``(from, to)`` to road minutes; a pair it lacks (or
    no ``travel`` at all) counts as beyond the limit.

    Raises:
        ConfigError: if a site is unknown, a hub lacks the facility or the facility is not a
            column of ``sites``.
    """
    return [plan for plan, _ in _plans(service, scenario, sites, travel) if plan.slots]


def site_cover(
    service: Service,
    scenario: Scenario,
    sites: pl.DataFrame,
    travel: Mapping[tuple[str, str], int] | None = None,
) -> pl.DataFrame:
    """How each served site of each rota is covered (see :func:`plan_rotas`).

    Returns:
        One row per rota and served site (:data:`SITE_COVER_SCHEMA`): ``rota`` is the rota
        before any split (:func:`split_plan`), ``local_cover`` one of :data:`COVER_KINDS`,
        ``slot_site`` where the patient is treated, ``transfer_minutes`` the road minutes to it
        (to the nearest slot when none is within the limit), ``limit_minutes`` and
        ``pathway`` the binding transfer limit.
    """
    rows = [
        {
            "service": service.id,
            "scenario": scenario.id,
            "rota": plan.name,
            "trust_code": r.trust,
            "site_code": r.site,
            "local_cover": r.cover,
            "slot_site": r.slot_site,
            "transfer_minutes": r.transfer_minutes,
            "limit_minutes": r.limit,
            "pathway": r.pathway,
        }
        for plan, found in _plans(service, scenario, sites, travel)
        for r in found
    ]
    return pl.DataFrame(rows, schema=SITE_COVER_SCHEMA)


#: Columns of :func:`excluded_staff`.
EXCLUDED_SCHEMA = {
    "service": pl.String,
    "scenario": pl.String,
    "rota": pl.String,
    "staff_id": pl.String,
    "trust_code": pl.String,
    "base_site": pl.String,
    "nearest_slot": pl.String,
    "minutes": pl.Int64,
    "limit_minutes": pl.Int64,
}


def excluded_staff(
    service: Service,
    scenario_id: str,
    plans: Sequence[RotaPlan],
    staff: pl.DataFrame,
    travel: Mapping[tuple[str, str], int],
) -> pl.DataFrame:
    """Competent staff of a rota's trusts who reach none of its slots within the response time.

    Nobody is excluded when remote reporting is allowed. ``plans`` are the rotas before any
    split, so a person is listed only if they can join no part of the rota.

    Returns:
        One row per rota and person (:data:`EXCLUDED_SCHEMA`): ``nearest_slot`` and
        ``minutes`` the closest slot site by road (null when no travel time is known) and
        ``limit_minutes`` the service's response time.
    """
    rows = []
    limit = service.response_minutes
    if not service.remote_reporting:
        for plan in plans:
            slot_sites = [site for site, _ in plan.slots if site is not None]
            pool = staff.filter(pl.col("trust_code").is_in(list(plan.trusts)))
            for person in pool.iter_rows(named=True):
                base = person["base_site"]
                times = sorted(
                    (0 if base == s else travel[(base, s)], s)
                    for s in slot_sites
                    if base == s or (base, s) in travel
                )
                if times and times[0][0] <= limit:
                    continue
                rows.append(
                    {
                        "service": service.id,
                        "scenario": scenario_id,
                        "rota": plan.name,
                        "staff_id": person["staff_id"],
                        "trust_code": person["trust_code"],
                        "base_site": base,
                        "nearest_slot": times[0][1] if times else None,
                        "minutes": times[0][0] if times else None,
                        "limit_minutes": limit,
                    }
                )
    return pl.DataFrame(rows, schema=EXCLUDED_SCHEMA)


def split_plan(
    plan: RotaPlan,
    service: Service,
    staff: pl.DataFrame,
    travel: Mapping[tuple[str, str], int],
) -> list[RotaPlan]:
    """Split a rota whose slots no one person can link into independent rotas.

    Two slots are linked when one person of the pool can reach both (response time from their
    base, unless remote reporting is allowed). Each connected group of slots becomes its own
    rota named ``<rota>:<site>+<site>``; every rule acts on one person at a time, so solving
    the groups separately gives the same rosters, with the load-balance targets (C-O3) shared
    within each group. A rota with one group is returned unchanged.
    """
    sites = [site for site, _ in plan.slots]
    if len(sites) < 2 or service.remote_reporting:
        return [plan]
    limit = service.response_minutes
    parent = {site: site for site in sites}

    def root(site: str) -> str:
        while parent[site] != site:
            site = parent[site]
        return site

    pool = staff.filter(pl.col("trust_code").is_in(list(plan.trusts)))
    for base in pool.get_column("base_site").unique().to_list():
        reach = [s for s in sites if s == base or travel.get((base, s), limit + 1) <= limit]
        for other in reach[1:]:
            parent[root(other)] = root(reach[0])
    groups: dict[str, list[str]] = {}
    for site in sites:
        groups.setdefault(root(site), []).append(site)
    if len(groups) == 1:
        return [plan]
    cover = dict(plan.slots)
    return [
        RotaPlan(
            f"{plan.name}:{'+'.join(group)}",
            plan.trusts,
            tuple((site, cover[site]) for site in group),
        )
        for group in groups.values()
    ]


def shift_type(
    service: Service, pattern: ShiftPattern, shift_id: str, site: str | None
) -> ShiftType:
    """The engine shift type of a service's pattern at a slot site.

    Weekend work follows the date for every pattern (Saturdays, Sundays and the bank holidays
    the problem gets as ``weekend_dates``), so ``weekend`` patterns, which run only on those
    dates, are always weekend work and ``weekday`` patterns never. The site is dropped when
    remote reporting is allowed (no response-time limit).
    """
    return ShiftType(
        id=shift_id,
        start=pattern.start,
        length_min=pattern.length_min,
        night=pattern.night,
        ooh=True,
        competencies=frozenset(service.competencies),
        site=None if service.remote_reporting else site,
    )


def _shift_id(pattern: ShiftPattern, site: str | None, n_sites: int) -> str:
    return pattern.id if n_sites == 1 or site is None else f"{pattern.id}@{site}"


def _candidate_classes(
    service: Service,
    plan: RotaPlan,
    slot_sites: Sequence[str | None],
    trust_of: Mapping[str, str],
    travel: Mapping[tuple[str, str], int],
) -> list[CandidateClass]:
    """Group the rota's possible candidate bases by the slots they could reach."""
    limit = None if service.remote_reporting else service.response_minutes
    bases = [s for s in service.sites if trust_of[s] in plan.trusts]
    by_signature: dict[frozenset[str | None], list[str]] = {}
    for base in bases:
        reach = frozenset(
            slot
            for slot in slot_sites
            if limit is None
            or slot is None
            or slot == base
            or travel.get((base, slot), limit + 1) <= limit
        )
        if reach:
            by_signature.setdefault(reach, []).append(base)
    classes = []
    for k, group in enumerate(by_signature.values()):
        trusts = tuple(dict.fromkeys(trust_of[s] for s in group))
        whole = all(s in group for s in bases if trust_of[s] in trusts)
        names = trusts if whole else tuple(group)
        label = " or ".join(names)
        classes.append(CandidateClass(f"c{k}", tuple(group), trusts, label))
    return classes


def build_instance(
    service: Service,
    scenario_id: str,
    plan: RotaPlan,
    preset: RulePreset,
    frames: Mapping[str, pl.DataFrame],
    *,
    start: dt.date,
    n_days: int,
    weights: OohWeights | None = None,
    candidates_per_class: int = 0,
    staff: pl.DataFrame | None = None,
) -> OohInstance:
    """Build the rota engine problem for one rota.

    Args:
        service: the service.
        scenario_id: scenario id (for names and reports).
        plan: the rota (pool trusts and slots).
        preset: the rules (after scenario overrides).
        frames: the datasets in :data:`DATASETS`.
        start: first date of the horizon (the "as at" date).
        n_days: horizon length in days.
        weights: objective weights.
        candidates_per_class: candidate posts per :class:`CandidateClass` (0: none).
        staff: pre-computed :func:`eligible_staff` (computed when ``None``).

    Returns:
        The instance. Its people are the pool members who can reach at least one slot
        within the response time (everyone, when remote reporting is allowed).
    """
    weights = weights or OohWeights()
    sites = frames["sites"]
    trust_of = dict(sites.select("site_code", "trust_code").iter_rows())
    travel = travel_map(frames["site_travel_times"])
    staff = eligible_staff(service, frames) if staff is None else staff
    pool = staff.filter(pl.col("trust_code").is_in(list(plan.trusts)))
    if not service.remote_reporting:
        limit = service.response_minutes
        reach = {
            base
            for base in pool.get_column("base_site").unique().to_list()
            for site, _ in plan.slots
            if site is None or base == site or travel.get((base, site), limit + 1) <= limit
        }
        pool = pool.filter(pl.col("base_site").is_in(sorted(reach)))
    dates = tuple(start + dt.timedelta(days=k) for k in range(n_days))
    holidays_ = bank_holidays(start, n_days)
    slot_sites = [site for site, _ in plan.slots]
    slots: dict[str, Slot] = {}
    shift_types = []
    offered: dict[str, frozenset[dt.date]] = {}
    for site, cover in plan.slots:
        for pattern in service.shifts:
            sid = _shift_id(pattern, site, len(plan.slots))
            slots[sid] = Slot(sid, pattern, site, cover)
            offered[sid] = offered_dates(pattern, dates, holidays_)
            shift_types.append(shift_type(service, pattern, sid, site))
    cover = tuple(
        CoverRequirement(
            date=day,
            shift=sid,
            required=slot.cover,
            under_penalty=weights.uncovered,
            over_penalty=weights.over,
        )
        for sid, slot in slots.items()
        for day in sorted(offered[sid])
    )
    travel_limit = None if service.remote_reporting else service.response_minutes
    leave = leave_days(frames["leave"], pool.get_column("staff_id"), start, n_days)
    people = [
        Person(
            id=row["staff_id"],
            wte=row["wte"],
            competencies=frozenset(service.competencies),
            base_site=row["base_site"],
            rules=person_rules(
                preset,
                n_days,
                days_off=leave.get(row["staff_id"], ()),
                max_travel_minutes=travel_limit,
            ),
        )
        for row in pool.iter_rows(named=True)
    ]
    people_rows = [
        {**row, "candidate": False, "candidate_class": None} for row in pool.iter_rows(named=True)
    ]
    classes: dict[str, CandidateClass] = {}
    if candidates_per_class > 0:
        for cls in _candidate_classes(service, plan, slot_sites, trust_of, travel):
            classes[cls.id] = cls
            base = cls.sites[0]
            for k in range(candidates_per_class):
                cid = f"NEW_{slug_id(scenario_id)}_{slug_id(plan.name)}_{cls.id}_{k + 1:02d}"
                people.append(
                    Person(
                        id=cid,
                        wte=1.0,
                        competencies=frozenset(service.competencies),
                        base_site=base,
                        optional=True,
                        cost=weights.candidate,
                        rules=person_rules(preset, n_days, max_travel_minutes=travel_limit),
                    )
                )
                people_rows.append(
                    {
                        "staff_id": cid,
                        "trust_code": trust_of[base],
                        "base_site": base,
                        "grade": service.grades[0],
                        "wte": 1.0,
                        "candidate": True,
                        "candidate_class": cls.id,
                    }
                )
    problem = RotaProblem(
        start=start,
        n_days=n_days,
        shift_types=tuple(shift_types),
        people=tuple(people),
        cover=cover,
        travel_minutes=travel,
        soft_rules=soft_rules(preset),
        name=f"{service.id}__{scenario_id}__{plan.name}",
        weekend_dates=holidays_,
    )
    blocks = instance_blocks(service, problem)
    people_frame = pl.DataFrame(
        people_rows,
        schema={
            "staff_id": pl.String,
            "trust_code": pl.String,
            "base_site": pl.String,
            "grade": pl.String,
            "wte": pl.Float64,
            "candidate": pl.Boolean,
            "candidate_class": pl.String,
        },
    )
    return OohInstance(
        service=service,
        scenario_id=scenario_id,
        rota=plan.name,
        preset=preset,
        problem=problem,
        slots=MappingProxyType(slots),
        offered=MappingProxyType(offered),
        holidays=holidays_,
        max_days=max_oncall_days(preset, n_days, 7 if service.week_block else 1, _longest(blocks)),
        people=people_frame,
        average=average_window(preset, n_days),
        blocks=blocks,
        episodes=episode_window(preset),
        team_size=team_size(preset, plan.slots),
        candidate_classes=MappingProxyType(classes),
        trusts=plan.trusts,
    )


def slug_id(text: str) -> str:
    """Letters, digits and underscores only (for candidate ids and file names)."""
    return "".join(ch if ch.isalnum() else "_" for ch in text)


def build_scenario(
    service: Service,
    scenario: Scenario,
    preset: RulePreset,
    frames: Mapping[str, pl.DataFrame],
    *,
    start: dt.date,
    n_days: int,
    weights: OohWeights | None = None,
    candidates_per_class: int = 0,
) -> list[OohInstance]:
    """Build one :class:`OohInstance` per rota of ``scenario`` for ``service``.

    The scenario's ``one_in`` (if any) replaces the preset's ``oncall_one_in``, and its
    ``teleradiology_share`` the service's (:meth:`Scenario.service_for`). A service whose
    ``cover_rule`` is derived (``config/ooh/workload.yaml``) gets each slot's cover from its
    workload (:func:`lsc_workforce.ooh.workload.derive_cover`; needs ``activity`` in ``frames``).
    """
    if n_days < 1:
        raise ConfigError(f"horizon must be at least 1 day, not {n_days}")
    preset = preset.with_overrides(one_in=scenario.one_in)
    service = scenario.service_for(service)
    staff = eligible_staff(service, frames)
    travel = travel_map(frames["site_travel_times"])
    plans = [
        derive_cover(part, service, frames, start)  # workload-sized cover (ooh.workload)
        for plan in plan_rotas(service, scenario, frames["sites"], travel)
        for part in split_plan(plan, service, staff, travel)
    ]
    return [
        build_instance(
            service,
            scenario.id,
            plan,
            preset,
            frames,
            start=start,
            n_days=n_days,
            weights=weights,
            candidates_per_class=candidates_per_class,
            staff=staff,
        )
        for plan in plans
    ]
