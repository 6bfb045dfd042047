"""Independent rule checker: re-verifies a finished roster against a ``RotaProblem``, no solver.

Every rule family of the integer programme (``lsc_workforce.rota.model``, tags C1..C19) is
written here a second time, directly from its plain-English definition, working on each
person's worked days rather than on model variables. :func:`check` lists every breach; a
breach of a rule the problem made soft is reported with ``hard=False`` and priced by
:func:`evaluate`, which recomputes every objective component from the roster alone (cover,
requests, candidate posts, fairness and soft-rule penalties). The redundant cuts C20 and C21
follow from C9 to C11 and C15 and have no separate check.

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
from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl

from lsc_workforce.rota.problem import FAIRNESS_KINDS, RotaProblem

__all__ = [
    "ROSTER_SCHEMA",
    "Breach",
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


def person_breaches(problem: RotaProblem, staff_id: str, days: PersonDays) -> list[Breach]:
    """All rule breaches of one person's worked shifts (``{day: [shift, ...]}``)."""
    person = problem.person(staff_id)
    rules = person.rules
    h = problem.n_days
    dates = problem.dates
    out: list[Breach] = []

    def add(rule: str, day: int | None, count: float, detail: str) -> None:
        date = dates[day] if day is not None else None
        out.append(Breach(rule, staff_id, date, float(count), not problem.is_soft(rule), detail))

    work = [bool(days.get(d)) for d in range(h)]
    night = [any(problem.shift(s).night for s in days.get(d, [])) for d in range(h)]
    # C1 one shift per day
    for d in range(h):
        if len(days.get(d, [])) > 1:
            add("one_shift_per_day", d, len(days[d]) - 1, f"{len(days[d])} shifts on one day")
    # C14 eligibility
    for d in range(h):
        for s in days.get(d, []):
            reason = problem.eligible(staff_id, s)
            if reason is not None:
                add("eligibility", d, 1, f"may not work {s} ({reason})")
    # C3 succession
    for d in range(h - 1):
        for s in days.get(d, []):
            for u in days.get(d + 1, []):
                if u in problem.shift(s).cannot_follow:
                    add("succession", d, 1, f"{u} the day after {s}")
    # C4 minimum rest (and overlaps), in real time
    rest = dt.timedelta(hours=rules.min_rest_hours or 0.0)
    spans = sorted((*problem.shift_interval(d, s), d, s) for d in range(h) for s in days.get(d, []))
    for a, (_, end_a, day_a, shift_a) in enumerate(spans):
        for start_b, _, day_b, shift_b in spans[a + 1 :]:
            if start_b - end_a >= rest:
                break
            if day_b != day_a:
                gap_h = (start_b - end_a).total_seconds() / 3600
                add("min_rest", day_a, 1, f"{shift_b} starts {gap_h:.1f} h after {shift_a} ends")
    # C5 days off
    for day in sorted(rules.days_off):
        d = problem.day_index.get(day)
        if d is not None and work[d]:
            add("days_off", d, len(days[d]), "works on a day off / leave")
    # C6 max shifts per type
    for s, limit in rules.max_shifts.items():
        n = sum(s in days.get(d, []) for d in range(h))
        if 0 < limit < n:
            add("max_shifts", None, n - limit, f"{n} x {s}, limit {limit}")
    # C7 total minutes
    minutes = [sum(problem.shift_minutes[d, s] for s in days.get(d, [])) for d in range(h)]
    total = sum(minutes)
    must_work = any(work) or not person.optional  # unused candidate posts owe no minimum
    if rules.max_total_minutes is not None and total > rules.max_total_minutes:
        add("total_minutes", None, total - rules.max_total_minutes, f"{total} min > maximum")
    if rules.min_total_minutes and total < rules.min_total_minutes and must_work:
        add("total_minutes", None, rules.min_total_minutes - total, f"{total} min < minimum")
    # C8 rolling windows
    for window in rules.minutes_windows:
        for d in range(h - window.days + 1):
            in_window = sum(minutes[d : d + window.days])
            if window.max_minutes is not None and in_window > window.max_minutes:
                add("window_minutes", d, in_window - window.max_minutes, f"{window.days}-day max")
            low = window.min_minutes
            if low and in_window < low and must_work:
                add("window_minutes", d, low - in_window, f"{window.days}-day minimum")
    # C9-C11 runs of work and days off
    for d, length, worked in _runs(work):
        bounded = d > 0 and d + length < h
        g = rules.max_consecutive_days
        if worked and g is not None and length > g:
            add("max_consecutive", d, length - g, f"{length} consecutive days, maximum {g}")
        f = rules.min_consecutive_days
        if worked and f and bounded and length < f:
            missing = sum(1 for j in range(length, f) if d + j < h and not work[d + j])
            add("min_consecutive", d, missing, f"run of {length} days, minimum {f}")
        o = rules.min_consecutive_days_off
        if not worked and o and bounded and length < o:
            missing = sum(1 for j in range(length, o) if d + j < h and work[d + j])
            add("min_days_off", d, missing, f"{length} days off, minimum {o}")
    # C12 consecutive nights
    g = rules.max_consecutive_nights
    if g is not None:
        for d, length, is_night in _runs(night):
            if is_night and length > g:
                add("max_nights", d, length - g, f"{length} consecutive nights, maximum {g}")
    # C13 rest after nights
    if rules.rest_days_after_nights:
        for d in range(h - 1):
            if not night[d]:
                continue
            if work[d + 1] and not night[d + 1]:
                add("night_rest", d + 1, 1, "day shift straight after a night")
            if night[d + 1]:
                continue
            for j in range(2, rules.rest_days_after_nights + 1):
                if d + j < h and work[d + j]:
                    add("night_rest", d + j, 1, f"works {j} days after the last night")
    # C15, C16 weekends
    weekends = _weekend_days(problem, days)
    if rules.max_weekends is not None and len(weekends) > rules.max_weekends:
        add("max_weekends", None, len(weekends) - rules.max_weekends, f"{len(weekends)} weekends")
    n = rules.weekend_one_in
    if n is not None and n > 1:
        n_weekends = problem.n_weekends
        for w in range(max(1, n_weekends - n + 1)):
            inside = sorted(d for k, ds in weekends.items() if w <= k < w + n for d in ds)
            in_window = sum(1 for k in weekends if w <= k < w + n)
            if in_window > 1:
                listed = ", ".join(dates[d].isoformat() for d in inside)
                add(
                    "weekend_frequency",
                    inside[0],
                    in_window - 1,
                    f"{in_window} weekends in {n}: weekend dates {listed}",
                )
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
