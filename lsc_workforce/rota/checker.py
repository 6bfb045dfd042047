"""Independent rule checker: re-verifies a finished roster against a ``RotaProblem``, no solver.

Every rule family of the integer programme (``lsc_workforce.rota.model``, tags C1..C19) is
written here a second time, directly from its plain-English definition, working on each
person's worked days rather than on model variables: one function ``check_<rule>`` per
constraint tag (:data:`RULE_CHECKS`), named by the tag's rule slug. :func:`check` runs them all
and lists every breach; a breach of a rule the problem made soft is reported with
``hard=False`` and priced by :func:`evaluate`, which recomputes every objective component from
the roster alone (cover, requests, candidate posts, fairness and soft-rule penalties). Tags
with no check of their own are listed, with the reason, in :data:`UNCHECKED_TAGS`: the
objective terms C2 and C17 to C19, and the redundant cuts C20 and C21, which follow from C9 to
C11 and C15.

The roster is a tidy frame with columns ``staff_id`` (str), ``date`` (date) and ``shift``
(str), one row per worked shift.

Example:
    >>> import datetime as dt
    >>> import polars as pl
    >>> from lsc_workforce.rota.problem import Person, PersonRules, RotaProblem, ShiftType
    >>> day = ShiftType("day", dt.time(8), 600)
    >>> a = Person("a", rules=PersonRules(days_off=frozenset({dt.date(2026, 4, 2)})))
    >>> problem = RotaProblem(dt.date(2026, 4, 1), 2, (day,), (a,))
    >>> roster = pl.DataFrame({"staff_id": ["a"], "date": [dt.date(2026, 4, 2)], "shift": ["day"]})
    >>> [(b.rule, b.staff_id, b.count) for b in check(problem, roster)]
    [('days_off', 'a', 1.0)]
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property

import polars as pl

from lsc_workforce.rota.model import CONSTRAINT_TAGS
from lsc_workforce.rota.problem import FAIRNESS_KINDS, PersonRules, RotaProblem

__all__ = [
    "ROSTER_SCHEMA",
    "RULE_CHECKS",
    "UNCHECKED_TAGS",
    "Breach",
    "PersonWork",
    "check",
    "evaluate",
    "person_breaches",
    "roster_days",
]

#: Column names and types of a roster frame.
ROSTER_SCHEMA = {"staff_id": pl.String, "date": pl.Date, "shift": pl.String}


@dataclass(frozen=True)
class Breach:
    """One breach of a rule by a roster.

    Attributes:
        rule: rule slug (the model's constraint-name prefix, e.g. ``max_consecutive``), or
            ``roster`` for rows naming unknown people, shifts or dates.
        staff_id: the person.
        date: the date the breach starts (``None`` for horizon-wide rules); for
            ``weekend_frequency``, the first weekend date worked in the window of ``N``
            weekends (the detail lists every weekend date worked in it).
        count: size in the rule's breach unit (see ``SOFTENABLE_RULES``).
        hard: ``False`` when the problem made this rule soft (priced, allowed).
        detail: plain-English description.
    """

    rule: str
    staff_id: str
    date: dt.date | None
    count: float
    hard: bool
    detail: str


PersonDays = dict[int, list[str]]  # day number -> shift ids worked that day


def roster_days(
    problem: RotaProblem, roster: pl.DataFrame
) -> tuple[dict[str, PersonDays], list[Breach]]:
    """Group a roster frame by person and day number, reporting rows that name unknown ids.

    Returns:
        ``({staff_id: {day: [shift, ...]}}, breaches for unknown rows)``.
    """
    missing = [c for c in ROSTER_SCHEMA if c not in roster.columns]
    if missing:
        raise ValueError(f"roster is missing columns {missing}")
    worked: dict[str, PersonDays] = {p.id: defaultdict(list) for p in problem.people}
    bad: list[Breach] = []
    for staff_id, date, shift in roster.select(list(ROSTER_SCHEMA)).iter_rows():
        day = problem.day_index.get(date)
        if staff_id not in worked or shift not in problem.shift_index or day is None:
            bad.append(
                Breach("roster", str(staff_id), date, 1.0, True, f"unknown row {shift} on {date}")
            )
            continue
        worked[staff_id][day].append(shift)
    return worked, bad


def _runs(flags: list[bool]) -> Iterable[tuple[int, int, bool]]:
    """Yield maximal runs ``(first day, length, value)`` of a boolean list."""
    d = 0
    while d < len(flags):
        e = d
        while e + 1 < len(flags) and flags[e + 1] == flags[d]:
            e += 1
        yield d, e - d + 1, flags[d]
        d = e + 1


def _weekend_days(problem: RotaProblem, days: PersonDays) -> dict[int, list[int]]:
    """``{weekend number: sorted day numbers with weekend work}`` of one person."""
    out: dict[int, list[int]] = defaultdict(list)
    for d in sorted(days):
        if any(problem.is_weekend(d, s) for s in days[d]):
            out[problem.weekend_of(d)].append(d)
    return out


def _worked_weekends(problem: RotaProblem, days: PersonDays) -> set[int]:
    return set(_weekend_days(problem, days))


#: What a rule check finds: ``(day number or None for horizon-wide rules, count, detail)``.
Finding = tuple[int | None, float, str]


@dataclass(frozen=True)
class PersonWork:
    """One person's worked shifts, in the forms the rule checks read.

    Attributes:
        problem: the rota problem.
        staff_id: the person.
        days: ``{day number: [shift id, ...]}`` of the shifts worked.
    """

    problem: RotaProblem
    staff_id: str
    days: PersonDays

    @cached_property
    def rules(self) -> PersonRules:
        """The person's rules."""
        return self.problem.person(self.staff_id).rules

    @property
    def n_days(self) -> int:
        """Days in the horizon."""
        return self.problem.n_days

    def shifts(self, day: int) -> list[str]:
        """Shift ids worked on a day (empty if none)."""
        return self.days.get(day, [])

    @cached_property
    def work(self) -> list[bool]:
        """Whether each day of the horizon is worked."""
        return [bool(self.days.get(d)) for d in range(self.n_days)]

    @cached_property
    def night(self) -> list[bool]:
        """Whether each day of the horizon holds a night shift."""
        return [
            any(self.problem.shift(s).night for s in self.shifts(d)) for d in range(self.n_days)
        ]

    @cached_property
    def minutes(self) -> list[int]:
        """Minutes worked on each day of the horizon."""
        return [
            sum(self.problem.shift_minutes[d, s] for s in self.shifts(d))
            for d in range(self.n_days)
        ]

    @cached_property
    def must_work(self) -> bool:
        """Whether minimum-work rules apply: unused candidate posts owe no minimum."""
        return any(self.work) or not self.problem.person(self.staff_id).optional

    @cached_property
    def weekends(self) -> dict[int, list[int]]:
        """``{weekend number: sorted day numbers with weekend work}``."""
        return _weekend_days(self.problem, self.days)


def check_one_shift_per_day(work: PersonWork) -> Iterator[Finding]:
    """C1 one_shift_per_day: at most one shift a day; each extra shift counts one."""
    for d in range(work.n_days):
        shifts = work.shifts(d)
        if len(shifts) > 1:
            yield d, len(shifts) - 1, f"{len(shifts)} shifts on one day"


def check_eligibility(work: PersonWork) -> Iterator[Finding]:
    """C14 eligibility: only shifts the person is competent for and close enough to."""
    for d in range(work.n_days):
        for s in work.shifts(d):
            reason = work.problem.eligible(work.staff_id, s)
            if reason is not None:
                yield d, 1, f"may not work {s} ({reason})"


def check_succession(work: PersonWork) -> Iterator[Finding]:
    """C3 succession: no shift the day after a shift it may not follow."""
    for d in range(work.n_days - 1):
        for s in work.shifts(d):
            for u in work.shifts(d + 1):
                if u in work.problem.shift(s).cannot_follow:
                    yield d, 1, f"{u} the day after {s}"


def check_min_rest(work: PersonWork) -> Iterator[Finding]:
    """C4 min_rest: minimum real hours between shifts on different days (and no overlaps)."""
    problem = work.problem
    rest = dt.timedelta(hours=work.rules.min_rest_hours or 0.0)
    spans = sorted(
        (*problem.shift_interval(d, s), d, s) for d in range(work.n_days) for s in work.shifts(d)
    )
    for a, (_, end_a, day_a, shift_a) in enumerate(spans):
        for start_b, _, day_b, shift_b in spans[a + 1 :]:
            if start_b - end_a >= rest:
                break
            if day_b != day_a:
                gap_h = (start_b - end_a).total_seconds() / 3600
                yield day_a, 1, f"{shift_b} starts {gap_h:.1f} h after {shift_a} ends"


def check_days_off(work: PersonWork) -> Iterator[Finding]:
    """C5 days_off: no work on a day off or on leave; each shift that day counts one."""
    for day in sorted(work.rules.days_off):
        d = work.problem.day_index.get(day)
        if d is not None and work.work[d]:
            yield d, len(work.shifts(d)), "works on a day off / leave"


def check_max_shifts(work: PersonWork) -> Iterator[Finding]:
    """C6 max_shifts: at most the limit of each shift type over the horizon."""
    for s, limit in work.rules.max_shifts.items():
        n = sum(s in work.shifts(d) for d in range(work.n_days))
        if 0 < limit < n:
            yield None, n - limit, f"{n} x {s}, limit {limit}"


def check_total_minutes(work: PersonWork) -> Iterator[Finding]:
    """C7 total_minutes: minutes over the horizon within the person's minimum and maximum."""
    rules = work.rules
    total = sum(work.minutes)
    if rules.max_total_minutes is not None and total > rules.max_total_minutes:
        yield None, total - rules.max_total_minutes, f"{total} min > maximum"
    if rules.min_total_minutes and total < rules.min_total_minutes and work.must_work:
        yield None, rules.min_total_minutes - total, f"{total} min < minimum"


def check_window_minutes(work: PersonWork) -> Iterator[Finding]:
    """C8 window_minutes: minutes in every rolling window within its minimum and maximum."""
    minutes = work.minutes
    for window in work.rules.minutes_windows:
        for d in range(work.n_days - window.days + 1):
            in_window = sum(minutes[d : d + window.days])
            if window.max_minutes is not None and in_window > window.max_minutes:
                yield d, in_window - window.max_minutes, f"{window.days}-day max"
            low = window.min_minutes
            if low and in_window < low and work.must_work:
                yield d, low - in_window, f"{window.days}-day minimum"


def check_max_consecutive(work: PersonWork) -> Iterator[Finding]:
    """C9 max_consecutive: runs of worked days no longer than the maximum."""
    g = work.rules.max_consecutive_days
    if g is None:
        return
    for d, length, worked in _runs(work.work):
        if worked and length > g:
            yield d, length - g, f"{length} consecutive days, maximum {g}"


def check_min_consecutive(work: PersonWork) -> Iterator[Finding]:
    """C10 min_consecutive: runs of worked days bounded by days off at least the minimum."""
    f = work.rules.min_consecutive_days
    if not f:
        return
    h, flags = work.n_days, work.work
    for d, length, worked in _runs(flags):
        if worked and d > 0 and d + length < h and length < f:
            missing = sum(1 for j in range(length, f) if d + j < h and not flags[d + j])
            yield d, missing, f"run of {length} days, minimum {f}"


def check_min_days_off(work: PersonWork) -> Iterator[Finding]:
    """C11 min_days_off: runs of days off bounded by work at least the minimum."""
    o = work.rules.min_consecutive_days_off
    if not o:
        return
    h, flags = work.n_days, work.work
    for d, length, worked in _runs(flags):
        if not worked and d > 0 and d + length < h and length < o:
            missing = sum(1 for j in range(length, o) if d + j < h and flags[d + j])
            yield d, missing, f"{length} days off, minimum {o}"


def check_max_nights(work: PersonWork) -> Iterator[Finding]:
    """C12 max_nights: runs of consecutive nights no longer than the maximum."""
    g = work.rules.max_consecutive_nights
    if g is None:
        return
    for d, length, is_night in _runs(work.night):
        if is_night and length > g:
            yield d, length - g, f"{length} consecutive nights, maximum {g}"


def check_night_rest(work: PersonWork) -> Iterator[Finding]:
    """C13 night_rest: no day shift straight after a night, and rest days after the last one."""
    rest_days = work.rules.rest_days_after_nights
    if not rest_days:
        return
    h, flags, night = work.n_days, work.work, work.night
    for d in range(h - 1):
        if not night[d]:
            continue
        if flags[d + 1] and not night[d + 1]:
            yield d + 1, 1, "day shift straight after a night"
        if night[d + 1]:
            continue
        for j in range(2, rest_days + 1):
            if d + j < h and flags[d + j]:
                yield d + j, 1, f"works {j} days after the last night"


def check_max_weekends(work: PersonWork) -> Iterator[Finding]:
    """C15 max_weekends: at most the maximum number of weekends worked over the horizon."""
    limit, worked = work.rules.max_weekends, len(work.weekends)
    if limit is not None and worked > limit:
        yield None, worked - limit, f"{worked} weekends"


def check_weekend_frequency(work: PersonWork) -> Iterator[Finding]:
    """C16 weekend_frequency: at most one weekend worked in any ``N`` consecutive weekends."""
    n = work.rules.weekend_one_in
    if n is None or n <= 1:
        return
    weekends, dates = work.weekends, work.problem.dates
    for w in range(max(1, work.problem.n_weekends - n + 1)):
        inside = sorted(d for k, ds in weekends.items() if w <= k < w + n for d in ds)
        in_window = sum(1 for k in weekends if w <= k < w + n)
        if in_window > 1:
            listed = ", ".join(dates[d].isoformat() for d in inside)
            yield inside[0], in_window - 1, f"{in_window} weekends in {n}: weekend dates {listed}"


#: One check per rule of the formulation, by constraint tag, in the order they run; each
#: check's breaches carry the tag's rule slug (``CONSTRAINT_TAGS``).
RULE_CHECKS: dict[str, Callable[[PersonWork], Iterator[Finding]]] = {
    "C1": check_one_shift_per_day,
    "C14": check_eligibility,
    "C3": check_succession,
    "C4": check_min_rest,
    "C5": check_days_off,
    "C6": check_max_shifts,
    "C7": check_total_minutes,
    "C8": check_window_minutes,
    "C9": check_max_consecutive,
    "C10": check_min_consecutive,
    "C11": check_min_days_off,
    "C12": check_max_nights,
    "C13": check_night_rest,
    "C15": check_max_weekends,
    "C16": check_weekend_frequency,
}

#: Tags of the formulation with no rule check here, and why.
UNCHECKED_TAGS: dict[str, str] = {
    "C2": "cover is an objective term: evaluate() prices cover_under and cover_over",
    "C17": "candidate posts are an objective term: evaluate() prices candidate_cost",
    "C18": "requests are an objective term: evaluate() prices requests_on and requests_off",
    "C19": "fairness is an objective term: evaluate() prices fairness_<kind>",
    "C20": "a redundant cut that follows from C9 to C11 and C15",
    "C21": "a redundant cut that follows from C9 to C11 and C15",
}


def person_breaches(problem: RotaProblem, staff_id: str, days: PersonDays) -> list[Breach]:
    """All rule breaches of one person's worked shifts (``{day: [shift, ...]}``).

    Runs every check of :data:`RULE_CHECKS` in turn.
    """
    work = PersonWork(problem, staff_id, days)
    out: list[Breach] = []
    for tag, rule_check in RULE_CHECKS.items():
        rule = CONSTRAINT_TAGS[tag]
        hard = not problem.is_soft(rule)
        for day, count, detail in rule_check(work):
            date = problem.dates[day] if day is not None else None
            out.append(Breach(rule, staff_id, date, float(count), hard, detail))
    return out


def check(problem: RotaProblem, roster: pl.DataFrame) -> list[Breach]:
    """Re-verify ``roster`` against every rule of ``problem`` without a solver.

    Args:
        problem: the rota problem.
        roster: tidy frame ``staff_id, date, shift`` (one row per worked shift).

    Returns:
        Every breach found; breaches of rules made soft have ``hard=False``. A roster is
        valid when no breach has ``hard=True``.
    """
    worked, out = roster_days(problem, roster)
    for staff_id, days in worked.items():
        out.extend(person_breaches(problem, staff_id, days))
    return out


def _fairness_counts(problem: RotaProblem, worked: dict[str, PersonDays], kind: str):
    counts: dict[str, int] = {}
    for person in problem.people:
        if person.optional:
            continue
        days = worked[person.id]
        if kind == "weekends":
            eligible = any(
                problem.eligible(person.id, s.id) is None and problem.is_weekend(d, s.id)
                for d in range(problem.n_days)
                for s in problem.shift_types
            )
            count = len(_worked_weekends(problem, days))
        else:
            attr = "ooh" if kind == "ooh" else "night"
            kinds = [s.id for s in problem.shift_types if getattr(s, attr)]
            eligible = any(problem.eligible(person.id, s) is None for s in kinds)
            count = sum(s in kinds for shifts in days.values() for s in shifts)
        if eligible:
            counts[person.id] = count
    return counts


def evaluate(problem: RotaProblem, roster: pl.DataFrame) -> dict[str, float]:
    """Recompute every objective component of ``roster`` without the model.

    Returns:
        ``{component: value}`` with the same names as ``RotaModel.components``.
    """
    worked, _ = roster_days(problem, roster)
    comps: dict[str, float] = defaultdict(float)
    comps["cover_under"] = comps["cover_over"] = 0.0
    for req in problem.cover:
        d = problem.day_index[req.date]
        n = sum(
            1
            for p in problem.people
            if req.shift in worked[p.id].get(d, []) and problem.qualifies(p.id, req)
        )
        comps["cover_under"] += req.under_penalty * max(0, req.required - n)
        comps["cover_over"] += req.over_penalty * max(0, n - req.required)
    comps["requests_on"] = comps["requests_off"] = 0.0
    for request in problem.requests:
        shifts = worked[request.staff_id].get(problem.day_index[request.date], [])
        hit = bool(shifts) if request.shift is None else request.shift in shifts
        if request.on and not hit:
            comps["requests_on"] += request.weight
        if not request.on and hit:
            comps["requests_off"] += request.weight
    comps["candidate_cost"] = sum(
        p.cost for p in problem.people if p.optional and any(worked[p.id].values())
    )
    for kind in FAIRNESS_KINDS:
        weight = problem.fairness.get(kind)
        if weight is None:
            continue
        counts = _fairness_counts(problem, worked, kind)
        if not counts:
            comps[f"fairness_{kind}"] = 0.0
            continue
        total_wte = sum(problem.person(s).wte for s in counts)
        total = sum(counts.values())
        comps[f"fairness_{kind}"] = weight * sum(
            abs(c - problem.person(s).wte / total_wte * total) for s, c in counts.items()
        )
    for breach in check(problem, roster):
        if not breach.hard:
            comps[f"soft_{breach.rule}"] += problem.soft_rules[breach.rule] * breach.count
    for rule in problem.soft_rules:
        comps.setdefault(f"soft_{rule}", 0.0)
    return dict(comps)
