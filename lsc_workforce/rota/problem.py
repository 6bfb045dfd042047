"""The rota problem: a frozen, validated, domain-neutral description of one rostering instance.

A :class:`RotaProblem` says *who* may work (:class:`Person`, including optional **candidate
posts** with a cost), *when* (a horizon of ``n_days`` dates from ``start``), *what* (the
:class:`ShiftType` list, with Europe/London local start times and lengths), *how much cover is
wanted* (:class:`CoverRequirement`, soft with per-person under/over penalties), *what each person
may do* (:class:`PersonRules`) and *what people asked for* (:class:`ShiftRequest`).

The same object feeds the integer programme (``lsc_workforce.rota.model``) and the independent
checker (``lsc_workforce.rota.checker``); the OOH analysis and the Curtois & Qu benchmark adapter
both build one.

Conventions (all checked in ``__post_init__``; violations raise :class:`RotaProblemError`):

* Days are ``start + k`` for ``k = 0..n_days-1``; the roster is a tidy frame
  ``staff_id, date, shift`` (one row per worked shift).
* Days before and after the horizon count as days off (no carry-over): sequence rules
  (consecutive days, nights) never fire across the horizon boundary, and minimum-run rules
  (minimum consecutive working days / days off) only apply to runs with a boundary on *both*
  sides inside the horizon.
* A date is a **weekend date** when its weekday is in ``RotaProblem.weekend_weekdays`` (default
  Saturday and Sunday) or it is one of ``RotaProblem.weekend_dates`` (extra dates such as bank
  holidays). A shift counts as weekend work when its date is a weekend date unless its
  :attr:`ShiftType.weekend` overrides that (``True``: always weekend work, e.g. a Friday-night
  on-call; ``False``: never).
* Weekend ``k`` is the calendar week (Monday-based) containing the dates, except that an extra
  weekend date joins the adjacent weekend: a run of consecutive extra dates goes to the nearer
  of the weekend-weekday dates just before and just after it (ties: the one after). So a
  bank-holiday Monday belongs to the weekend before it and Good Friday to the one after it
  (Good Friday to Easter Monday is one weekend); see :meth:`RotaProblem.weekend_of`.
* Real start and end instants come from the local start and end times on that date in
  ``RotaProblem.timezone`` (Europe/London), so a night across a clock change is an hour shorter
  (March) or longer (October) in real time; minimum rest and worked minutes use real time.
* Rules are hard unless named in ``RotaProblem.soft_rules`` (rule slug → penalty per breach
  unit); see :data:`SOFTENABLE_RULES` for the slugs and the unit of a breach.

Example:
    >>> import datetime as dt
    >>> day = ShiftType("day", dt.time(8, 0), 600)
    >>> people = (Person("a"), Person("b", optional=True, cost=50.0))
    >>> cover = (CoverRequirement(dt.date(2026, 4, 1), "day", 1),)
    >>> problem = RotaProblem(dt.date(2026, 4, 1), 1, (day,), people, cover)
    >>> problem.dates[-1], problem.person("b").cost
    (datetime.date(2026, 4, 1), 50.0)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

from lsc_workforce.config import ConfigError

__all__ = [
    "FAIRNESS_KINDS",
    "SOFTENABLE_RULES",
    "CoverRequirement",
    "MinutesWindow",
    "Person",
    "PersonRules",
    "RotaProblem",
    "RotaProblemError",
    "ShiftRequest",
    "ShiftType",
]

#: Hard rules that ``RotaProblem.soft_rules`` may turn into penalties, with the breach unit.
SOFTENABLE_RULES: Mapping[str, str] = MappingProxyType(
    {
        "succession": "one banned (shift, next-day shift) pair worked",
        "min_rest": "one pair of shifts closer than the minimum rest",
        "days_off": "one shift worked on a day off / leave day",
        "max_shifts": "one shift above the per-type maximum",
        "total_minutes": "one minute below the minimum or above the maximum over the horizon",
        "window_minutes": "one minute outside a rolling-window limit (per window)",
        "max_consecutive": "one window of max+1 days that is fully worked",
        "min_consecutive": "one working run shorter than the minimum (per missing day pattern)",
        "min_days_off": "one run of days off shorter than the minimum (per pattern)",
        "max_nights": "one window of max+1 days that is all nights",
        "night_rest": "one working day inside the rest period after a run of nights",
        "max_weekends": "one weekend above the maximum",
        "weekend_frequency": "one weekend above 1 in any N-weekend window (per window)",
    }
)

#: Fairness kinds for ``RotaProblem.fairness`` (penalty per shift of deviation from WTE share).
FAIRNESS_KINDS = ("ooh", "weekends", "nights")


class RotaProblemError(ConfigError):
    """A rota problem is inconsistent (unknown ids, dates outside the horizon, bad ranges)."""


def _frozen_mapping(value: Mapping[Any, Any] | None) -> Mapping[Any, Any]:
    return MappingProxyType(dict(value or {}))


@dataclass(frozen=True)
class ShiftType:
    """One kind of shift.

    Attributes:
        id: unique shift id (a separate namespace from staff ids).
        start: local start time in the problem's timezone (Europe/London).
        length_min: nominal length in minutes on the local clock (> 0; may exceed 24 h for
            long on-call periods). A 20:00 shift of 720 minutes ends at 08:00 local time, so
            across a clock change it really lasts 660 (March) or 780 (October) minutes; rest
            (C4) and worked minutes (C7, C8) use the real times (see ``shift_interval``).
        cannot_follow: shift ids that may not be worked on the **next day** after this shift
            (succession ban, C3).
        night: counts as a night (C12 max consecutive nights, C13 rest after nights, fairness).
        weekend: ``None`` (default): weekend work when the date is a weekend weekday;
            ``True``/``False`` overrides that for every date.
        ooh: counts as an out-of-hours shift for the fairness term.
        competencies: a person must hold **all** of these to work the shift (C14).
        site: site the shift is worked at; people whose base is further than their
            ``max_travel_minutes`` from it may not work it (C14).
    """

    id: str
    start: dt.time
    length_min: int
    cannot_follow: frozenset[str] = frozenset()
    night: bool = False
    weekend: bool | None = None
    ooh: bool = False
    competencies: frozenset[str] = frozenset()
    site: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "cannot_follow", frozenset(self.cannot_follow))
        object.__setattr__(self, "competencies", frozenset(self.competencies))
        if not self.id:
            raise RotaProblemError("shift id must be non-empty")
        if not isinstance(self.start, dt.time):
            raise RotaProblemError(f"shift {self.id}: start must be a datetime.time")
        if self.length_min <= 0:
            raise RotaProblemError(f"shift {self.id}: length_min must be positive")


@dataclass(frozen=True)
class MinutesWindow:
    """A rolling-window limit on worked minutes (C8), e.g. at most 48 h in any 7 days.

    Attributes:
        days: window length in days (every window of this many consecutive horizon days).
        min_minutes: minimum minutes in each window (``None``: no minimum).
        max_minutes: maximum minutes in each window (``None``: no maximum).
    """

    days: int
    min_minutes: int | None = None
    max_minutes: int | None = None

    def __post_init__(self) -> None:
        if self.days < 1:
            raise RotaProblemError(f"window days must be >= 1, not {self.days}")
        if self.min_minutes is None and self.max_minutes is None:
            raise RotaProblemError("a minutes window needs min_minutes or max_minutes")
        if (
            self.min_minutes is not None
            and self.max_minutes is not None
            and self.min_minutes > self.max_minutes
        ):
            raise RotaProblemError("window min_minutes exceeds max_minutes")


@dataclass(frozen=True)
class PersonRules:
    """Per-person working rules. ``None`` means "no limit" throughout.

    Attributes:
        days_off: dates this person may not work (leave, fixed days off; C5).
        max_shifts: maximum number of each shift type over the horizon (``{shift: n}``; a
            missing shift is unlimited; 0 forbids it; C6).
        min_total_minutes: minimum worked minutes over the horizon (C7).
        max_total_minutes: maximum worked minutes over the horizon (C7).
        minutes_windows: rolling-window minute limits (C8).
        max_consecutive_days: maximum consecutive working days (C9).
        min_consecutive_days: minimum length of a working run bounded by days off (C10).
        min_consecutive_days_off: minimum length of a run of days off bounded by work (C11).
        max_consecutive_nights: maximum consecutive nights (C12).
        rest_days_after_nights: after the last night of a run, this many days without any shift
            (the day the last night ends counts as the first; C13).
        max_weekends: maximum weekends with any weekend work over the horizon (C15).
        weekend_one_in: at most one worked weekend in every ``weekend_one_in`` consecutive
            weekends ("1 in N"; C16).
        min_rest_hours: minimum real hours between the end of one shift and the start of the
            next (C4).
        max_travel_minutes: maximum travel from base site to a shift's site (C14).
    """

    days_off: frozenset[dt.date] = frozenset()
    max_shifts: Mapping[str, int] = field(default_factory=dict)
    min_total_minutes: int | None = None
    max_total_minutes: int | None = None
    minutes_windows: tuple[MinutesWindow, ...] = ()
    max_consecutive_days: int | None = None
    min_consecutive_days: int | None = None
    min_consecutive_days_off: int | None = None
    max_consecutive_nights: int | None = None
    rest_days_after_nights: int | None = None
    max_weekends: int | None = None
    weekend_one_in: int | None = None
    min_rest_hours: float | None = None
    max_travel_minutes: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "days_off", frozenset(self.days_off))
        object.__setattr__(self, "max_shifts", _frozen_mapping(self.max_shifts))
        object.__setattr__(self, "minutes_windows", tuple(self.minutes_windows))
        for name in (
            "min_total_minutes",
            "max_total_minutes",
            "max_consecutive_nights",
            "rest_days_after_nights",
            "max_weekends",
            "max_travel_minutes",
        ):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise RotaProblemError(f"{name} must be >= 0, not {value}")
        for name in (
            "max_consecutive_days",
            "min_consecutive_days",
            "min_consecutive_days_off",
            "weekend_one_in",
        ):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise RotaProblemError(f"{name} must be >= 1, not {value}")
        if self.min_rest_hours is not None and self.min_rest_hours < 0:
            raise RotaProblemError("min_rest_hours must be >= 0")
        if any(v < 0 for v in self.max_shifts.values()):
            raise RotaProblemError("max_shifts values must be >= 0")
        if (
            self.min_total_minutes is not None
            and self.max_total_minutes is not None
            and self.min_total_minutes > self.max_total_minutes
        ):
            raise RotaProblemError("min_total_minutes exceeds max_total_minutes")


@dataclass(frozen=True)
class Person:
    """One person who may be rostered, or a candidate post the model may create.

    Attributes:
        id: unique staff id.
        wte: whole-time equivalent (> 0), used for the fairness share.
        competencies: competency codes held (e.g. ``vascular_ir``).
        base_site: site code of the person's base (for travel limits).
        optional: a **candidate post**: the model may bring this person in, paying ``cost``
            once if they work at least one shift (C17). Excluded from fairness shares.
        cost: objective cost of using a candidate post (ignored unless ``optional``).
        rules: the person's working rules.
    """

    id: str
    wte: float = 1.0
    competencies: frozenset[str] = frozenset()
    base_site: str | None = None
    optional: bool = False
    cost: float = 0.0
    rules: PersonRules = field(default_factory=PersonRules)

    def __post_init__(self) -> None:
        object.__setattr__(self, "competencies", frozenset(self.competencies))
        if not self.id:
            raise RotaProblemError("staff id must be non-empty")
        if self.wte <= 0:
            raise RotaProblemError(f"person {self.id}: wte must be positive")
        if self.cost < 0:
            raise RotaProblemError(f"person {self.id}: cost must be >= 0")


@dataclass(frozen=True)
class CoverRequirement:
    """Wanted cover for one (date, shift), optionally restricted to a competency or site.

    Cover is soft (C2): ``Σ assigned qualifying people + under - over = required`` with
    ``under_penalty`` per missing person and ``over_penalty`` per extra person. A person
    qualifies when they work ``shift`` on ``date``, hold ``competency`` (if given) and have
    ``base_site == site`` (if given). Several requirements may share a (date, shift), e.g. "2
    on the CT night, of whom 1 neuro-CT".

    Attributes:
        date: the date the shift starts.
        shift: shift id.
        required: number of people wanted (>= 0).
        competency: only holders of this competency count (``None``: everyone).
        site: only people based at this site count (``None``: everyone).
        under_penalty: penalty per person short.
        over_penalty: penalty per person above ``required``.
        label: optional name for reports (defaults to ``date/shift/competency/site``).
    """

    date: dt.date
    shift: str
    required: int
    competency: str | None = None
    site: str | None = None
    under_penalty: float = 100.0
    over_penalty: float = 0.0
    label: str = ""

    def __post_init__(self) -> None:
        if self.required < 0:
            raise RotaProblemError(f"cover {self.shift} on {self.date}: required must be >= 0")
        if self.under_penalty < 0 or self.over_penalty < 0:
            raise RotaProblemError("cover penalties must be >= 0")
        if not self.label:
            parts = [self.date.isoformat(), self.shift, self.competency or "", self.site or ""]
            object.__setattr__(self, "label", "/".join(p for p in parts if p))


@dataclass(frozen=True)
class ShiftRequest:
    """A soft shift-on or shift-off request (C18).

    Attributes:
        staff_id: who asks.
        date: the date.
        shift: the shift asked for or against; ``None`` means any shift (work / day off).
        weight: penalty if the request is not met.
        on: ``True``: wants to work ``shift`` (penalty ``weight·(1 - x)``); ``False``: wants
            not to (penalty ``weight·x``).
    """

    staff_id: str
    date: dt.date
    shift: str | None
    weight: float
    on: bool

    def __post_init__(self) -> None:
        if self.weight < 0:
            raise RotaProblemError("request weight must be >= 0")


@dataclass(frozen=True)
class RotaProblem:
    """One rostering instance: people, horizon, shift types, cover, rules and preferences.

    Attributes:
        start: first date of the horizon.
        n_days: number of days in the horizon (>= 1).
        shift_types: the shift types, in a fixed order.
        people: the people (and candidate posts), in a fixed order.
        cover: cover requirements (soft).
        requests: shift-on / shift-off requests (soft).
        travel_minutes: ``{(from_site, to_site): minutes}``; a missing pair of distinct sites
            means unreachable when a travel limit applies; same site is 0.
        soft_rules: ``{rule slug: penalty per breach}`` for hard rules made soft (slugs in
            :data:`SOFTENABLE_RULES`).
        fairness: ``{kind: penalty per shift of deviation}`` with kinds in
            :data:`FAIRNESS_KINDS`; each non-optional person's count of that kind is compared
            with their WTE share of the total among non-optional people eligible for it (C19).
        weekend_weekdays: weekdays (Monday 0) that count as the weekend.
        timezone: IANA zone of the local start times.
        name: instance name for reports and model files.
        weekend_dates: extra dates that count as weekend days (e.g. England and Wales bank
            holidays), each grouped with the adjacent weekend (see :meth:`weekend_of`). Dates
            outside the horizon are allowed and only affect that grouping.
    """

    start: dt.date
    n_days: int
    shift_types: tuple[ShiftType, ...]
    people: tuple[Person, ...]
    cover: tuple[CoverRequirement, ...] = ()
    requests: tuple[ShiftRequest, ...] = ()
    travel_minutes: Mapping[tuple[str, str], int] = field(default_factory=dict)
    soft_rules: Mapping[str, float] = field(default_factory=dict)
    fairness: Mapping[str, float] = field(default_factory=dict)
    weekend_weekdays: frozenset[int] = frozenset({5, 6})
    timezone: str = "Europe/London"
    name: str = "rota"
    weekend_dates: frozenset[dt.date] = frozenset()

    def __post_init__(self) -> None:
        for name in ("shift_types", "people", "cover", "requests"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        for name in ("travel_minutes", "soft_rules", "fairness"):
            object.__setattr__(self, name, _frozen_mapping(getattr(self, name)))
        object.__setattr__(self, "weekend_weekdays", frozenset(self.weekend_weekdays))
        object.__setattr__(self, "weekend_dates", frozenset(self.weekend_dates))
        self._validate()

    def _validate(self) -> None:
        if self.n_days < 1:
            raise RotaProblemError("n_days must be >= 1")
        _unique((s.id for s in self.shift_types), "shift")
        _unique((p.id for p in self.people), "staff")
        if not self.shift_types:
            raise RotaProblemError("at least one shift type is needed")
        shift_ids = set(self.shift_index)
        for shift in self.shift_types:
            unknown = shift.cannot_follow - shift_ids
            if unknown:
                raise RotaProblemError(f"shift {shift.id} cannot_follow unknown {sorted(unknown)}")
        dates = set(self.dates)
        for person in self.people:
            unknown = set(person.rules.max_shifts) - shift_ids
            if unknown:
                raise RotaProblemError(f"person {person.id}: max_shifts unknown {sorted(unknown)}")
        for req in self.cover:
            if req.shift not in shift_ids:
                raise RotaProblemError(f"cover {req.label}: unknown shift {req.shift}")
            if req.date not in dates:
                raise RotaProblemError(f"cover {req.label}: date outside the horizon")
        staff_ids = set(self.staff_index)
        for request in self.requests:
            if request.staff_id not in staff_ids:
                raise RotaProblemError(f"request for unknown staff {request.staff_id}")
            if request.shift is not None and request.shift not in shift_ids:
                raise RotaProblemError(f"request for unknown shift {request.shift}")
            if request.date not in dates:
                raise RotaProblemError(f"request on {request.date} outside the horizon")
        unknown_rules = set(self.soft_rules) - set(SOFTENABLE_RULES)
        if unknown_rules:
            raise RotaProblemError(
                f"soft_rules has unknown rules {sorted(unknown_rules)}; "
                f"choose from {sorted(SOFTENABLE_RULES)}"
            )
        if any(v < 0 for v in self.soft_rules.values()):
            raise RotaProblemError("soft rule penalties must be >= 0")
        unknown_kinds = set(self.fairness) - set(FAIRNESS_KINDS)
        if unknown_kinds:
            raise RotaProblemError(f"fairness has unknown kinds {sorted(unknown_kinds)}")
        if not self.weekend_weekdays <= set(range(7)):
            raise RotaProblemError("weekend_weekdays must be in 0..6")
        if not all(type(d) is dt.date for d in self.weekend_dates):
            raise RotaProblemError("weekend_dates must be datetime.date values")
        try:
            ZoneInfo(self.timezone)
        except (KeyError, ValueError) as exc:
            raise RotaProblemError(f"unknown timezone {self.timezone!r}") from exc

    # ----- derived index sets (computed once, cached on the frozen instance) -----

    @cached_property
    def dates(self) -> tuple[dt.date, ...]:
        """The horizon's dates in order."""
        return tuple(self.start + dt.timedelta(days=k) for k in range(self.n_days))

    @cached_property
    def day_index(self) -> Mapping[dt.date, int]:
        """``{date: day number}`` with day 0 = ``start``."""
        return MappingProxyType({d: k for k, d in enumerate(self.dates)})

    @cached_property
    def shift_index(self) -> Mapping[str, ShiftType]:
        """``{shift id: ShiftType}``."""
        return MappingProxyType({s.id: s for s in self.shift_types})

    @cached_property
    def staff_index(self) -> Mapping[str, Person]:
        """``{staff id: Person}``."""
        return MappingProxyType({p.id: p for p in self.people})

    def person(self, staff_id: str) -> Person:
        """Return the person with id ``staff_id``."""
        return self.staff_index[staff_id]

    def shift(self, shift_id: str) -> ShiftType:
        """Return the shift type with id ``shift_id``."""
        return self.shift_index[shift_id]

    def is_weekend_date(self, day: int) -> bool:
        """Whether day number ``day`` is a weekend date (weekend weekday or extra date)."""
        date = self.dates[day]
        return date.weekday() in self.weekend_weekdays or date in self.weekend_dates

    def is_weekend(self, day: int, shift_id: str) -> bool:
        """Whether working ``shift_id`` on day number ``day`` counts as weekend work."""
        override = self.shift_index[shift_id].weekend
        if override is not None:
            return override
        return self.is_weekend_date(day)

    def weekend_of(self, day: int) -> int:
        """Weekend number of day number ``day`` (0 for the first weekend the horizon touches).

        Weekends are calendar weeks (Monday-based), except that an extra weekend date
        (``weekend_dates``) takes the week of the weekend it is grouped with (module
        docstring): with Saturday-Sunday weekends, a bank-holiday Monday takes the number of
        the Saturday and Sunday before it. Without extra dates this is the number of calendar
        weeks from the week of ``start``.
        """
        return self.weekend_numbers[day]

    @cached_property
    def weekend_numbers(self) -> tuple[int, ...]:
        """:meth:`weekend_of` for every day of the horizon, computed once."""
        first_monday = self.start - dt.timedelta(days=self.start.weekday())
        raw = [(self._weekend_anchor(date) - first_monday).days // 7 for date in self.dates]
        low = min(raw)  # < 0 only when day 0 is an extra date grouped with an earlier weekend
        return tuple(r - low for r in raw)

    def _weekend_anchor(self, date: dt.date) -> dt.date:
        """The date whose calendar week gives ``date``'s weekend number.

        An extra weekend date that is not itself a weekend weekday is anchored to the nearest
        weekend-weekday date before or after its run of consecutive extra dates (ties: after).
        """
        weekly = self.weekend_weekdays
        if not weekly or date.weekday() in weekly or date not in self.weekend_dates:
            return date
        one = dt.timedelta(days=1)

        def extra(d: dt.date) -> bool:
            return d in self.weekend_dates and d.weekday() not in weekly

        first = last = date
        while extra(first - one):
            first -= one
        while extra(last + one):
            last += one
        back = next(k for k in range(1, 8) if (first - k * one).weekday() in weekly)
        ahead = next(k for k in range(1, 8) if (last + k * one).weekday() in weekly)
        return last + ahead * one if ahead <= back else first - back * one

    @cached_property
    def n_weekends(self) -> int:
        """Number of weekends (calendar weeks, regrouped as in :meth:`weekend_of`) touched."""
        return max(self.weekend_numbers) + 1

    def shift_interval(self, day: int, shift_id: str) -> tuple[dt.datetime, dt.datetime]:
        """Real (UTC) start and end of ``shift_id`` worked on day number ``day``.

        Start and end are wall-clock times in ``timezone``: the shift starts at its local
        start time and ends ``length_min`` minutes later **on the local clock** (20:00 to
        08:00 for a 720-minute night). Across a clock change the real length is therefore an
        hour shorter (March) or longer (October), and rest is measured between real instants.
        """
        return self.shift_times[day, shift_id]

    @cached_property
    def shift_times(self) -> Mapping[tuple[int, str], tuple[dt.datetime, dt.datetime]]:
        """``{(day, shift id): (real start, real end)}`` in UTC, computed once."""
        zone = ZoneInfo(self.timezone)
        out = {}
        for day, date in enumerate(self.dates):
            for shift in self.shift_types:
                local_start = dt.datetime.combine(date, shift.start)
                local_end = local_start + dt.timedelta(minutes=shift.length_min)
                out[day, shift.id] = (
                    local_start.replace(tzinfo=zone).astimezone(dt.UTC),
                    local_end.replace(tzinfo=zone).astimezone(dt.UTC),
                )
        return MappingProxyType(out)

    @cached_property
    def shift_minutes(self) -> Mapping[tuple[int, str], int]:
        """``{(day, shift id): real minutes worked}`` (C7, C8 and the per-person totals)."""
        return MappingProxyType(
            {
                key: int((end - start).total_seconds() // 60)
                for key, (start, end) in self.shift_times.items()
            }
        )

    def travel(self, from_site: str | None, to_site: str | None) -> int | None:
        """Travel minutes between two sites (0 when equal or either is unknown)."""
        if from_site is None or to_site is None or from_site == to_site:
            return 0
        return self.travel_minutes.get((from_site, to_site))

    def eligible(self, staff_id: str, shift_id: str) -> str | None:
        """Why ``staff_id`` may never work ``shift_id`` (``None`` when they may).

        Returns ``"max_shifts"`` (limit 0), ``"competency"`` or ``"travel"``.
        """
        person = self.staff_index[staff_id]
        shift = self.shift_index[shift_id]
        if person.rules.max_shifts.get(shift_id, 1) == 0:
            return "max_shifts"
        if not shift.competencies <= person.competencies:
            return "competency"
        limit = person.rules.max_travel_minutes
        if shift.site is not None and limit is not None:
            minutes = self.travel(person.base_site, shift.site)
            if minutes is None or minutes > limit:
                return "travel"
        return None

    def qualifies(self, staff_id: str, requirement: CoverRequirement) -> bool:
        """Whether ``staff_id`` working the requirement's shift counts towards it."""
        person = self.staff_index[staff_id]
        if requirement.competency is not None and requirement.competency not in (
            person.competencies
        ):
            return False
        return requirement.site is None or person.base_site == requirement.site

    def is_soft(self, rule: str) -> bool:
        """Whether hard rule ``rule`` has been made soft."""
        return rule in self.soft_rules

    def with_changes(self, **changes: Any) -> RotaProblem:
        """Return a copy with some fields replaced (e.g. ``soft_rules`` for a what-if)."""
        fields = {
            name: getattr(self, name)
            for name in (
                "start",
                "n_days",
                "shift_types",
                "people",
                "cover",
                "requests",
                "travel_minutes",
                "soft_rules",
                "fairness",
                "weekend_weekdays",
                "timezone",
                "name",
                "weekend_dates",
            )
        }
        fields.update(changes)
        return RotaProblem(**fields)


def _unique(ids: Iterable[str], what: str) -> None:
    seen: set[str] = set()
    for item in ids:
        if item in seen:
            raise RotaProblemError(f"duplicate {what} id {item!r}")
        seen.add(item)
