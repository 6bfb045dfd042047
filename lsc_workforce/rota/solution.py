"""Tidy extraction of a solved rota model, and the ``RotaSolution`` it returns.

Everything here is computed from the roster (not from model internals) except the objective
components, which are read from the model and cross-checked against
:func:`lsc_workforce.rota.checker.evaluate` by the tests.

Frames returned (stable column order):

* ``roster``: ``staff_id, date, shift`` (worked shifts only).
* ``person_totals``: ``staff_id, optional, used, wte, shifts, nights, ooh, weekends, minutes,
  one_in_n`` where ``one_in_n`` is weekends in the horizon divided by weekends worked (the
  "1 in N" frequency; null when none worked).
* ``uncovered``: one row per (uncovered requirement, person) with ``label, date, shift,
  competency, site, required, covered, short, staff_id, reason``; ``reason`` names what kept
  that person off: ``competency``, ``site``, ``travel``, ``max_shifts``, ``leave``,
  ``assigned_elsewhere``, ``rest`` (C3/C4/C13), ``minutes`` (C7/C8), ``consecutive``
  (C9-C12), ``weekends`` (C15/C16), ``candidate_cost`` (an unused candidate post) or
  ``available`` (no rule stopped them; cover was left short on cost, or the solve stopped early).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import polars as pl
import pulp

from lsc_workforce.rota.checker import (
    ROSTER_SCHEMA,
    Breach,
    PersonDays,
    person_breaches,
    roster_days,
)
from lsc_workforce.rota.model import RotaModel
from lsc_workforce.rota.problem import RotaProblem
from lsc_workforce.solve import SolveResult

__all__ = [
    "COVER_SHORT_SCHEMA",
    "RotaSolution",
    "explain_uncovered",
    "extract_components",
    "extract_cover_short",
    "extract_posts_opened",
    "extract_roster",
    "person_totals",
]

#: Checker rule → reason reported for an uncovered requirement.
_REASON_OF_RULE = {
    "one_shift_per_day": "assigned_elsewhere",
    "eligibility": "competency",
    "succession": "rest",
    "min_rest": "rest",
    "night_rest": "rest",
    "days_off": "leave",
    "max_shifts": "max_shifts",
    "total_minutes": "minutes",
    "window_minutes": "minutes",
    "max_consecutive": "consecutive",
    "min_consecutive": "consecutive",
    "min_days_off": "consecutive",
    "max_nights": "consecutive",
    "max_weekends": "weekends",
    "weekend_frequency": "weekends",
}

COVER_SHORT_SCHEMA = {
    "requirement": pl.Int64,
    "label": pl.String,
    "date": pl.Date,
    "shift": pl.String,
    "competency": pl.String,
    "site": pl.String,
    "required": pl.Int64,
    "short": pl.Int64,
}

UNCOVERED_SCHEMA = {
    "label": pl.String,
    "date": pl.Date,
    "shift": pl.String,
    "competency": pl.String,
    "site": pl.String,
    "required": pl.Int64,
    "covered": pl.Int64,
    "short": pl.Int64,
    "staff_id": pl.String,
    "reason": pl.String,
}


@dataclass(frozen=True)
class RotaSolution:
    """The result of :func:`lsc_workforce.rota.solve`.

    Attributes:
        problem: the problem solved.
        result: honest solver status, objective, bound, gap and timings.
        roster: ``staff_id, date, shift`` (empty when the solver returned no solution).
        person_totals: per-person totals (see module docstring).
        components: ``{objective component: value}`` read from the model.
        posts_used: ids of candidate posts the roster uses.
        breaches: the checker's findings on ``roster`` (soft ones have ``hard=False``).
        uncovered: explanation frame for every requirement left short.
        model_size: ``{"variables": n, "constraints": m, "c21_rows": k, "c21_freed_rows": f}``
            of the model the final solve received (``c21_rows``: its C21 sequence-flow rows;
            ``c21_freed_rows``: those the warm start's search freed, 0 unless it did). Which
            model the warm start searched: without C21 if ``k`` is 0, with C21's rows freed
            if ``f`` is ``k > 0``, else with C21.
    """

    problem: RotaProblem
    result: SolveResult
    roster: pl.DataFrame
    person_totals: pl.DataFrame
    components: dict[str, float]
    posts_used: list[str]
    breaches: list[Breach]
    uncovered: pl.DataFrame
    model_size: dict[str, int] = field(default_factory=dict)

    @property
    def hard_breaches(self) -> list[Breach]:
        """Breaches of hard rules (empty for every roster the solver returns)."""
        return [b for b in self.breaches if b.hard]

    def summary(self) -> dict[str, Any]:
        """A JSON-ready summary: status, objective, bound, gap, timings, components."""
        return {
            **self.result.as_dict(),
            "components": {k: round(v, 6) for k, v in self.components.items()},
            "posts_used": self.posts_used,
            "hard_breaches": len(self.hard_breaches),
            **self.model_size,
        }


def extract_roster(model: RotaModel) -> pl.DataFrame:
    """The worked shifts (binaries read with ``> 0.5``) as a tidy roster frame."""
    problem = model.problem
    rows = [
        (problem.people[i].id, problem.dates[d], problem.shift_types[t].id)
        for (i, d, t), var in model.assign.items()
        if (var.varValue or 0.0) > 0.5
    ]
    rows.sort(key=lambda r: (r[0], r[1], r[2]))
    return pl.DataFrame(rows, schema=ROSTER_SCHEMA, orient="row")


def extract_components(model: RotaModel) -> dict[str, float]:
    """The value of each named objective component."""
    return {name: float(pulp.value(expr) or 0.0) for name, expr in model.components.items()}


def extract_cover_short(model: RotaModel, has_solution: bool = True) -> pl.DataFrame:
    """The cover requirements left short, read from the model's shortfall variables.

    Args:
        model: the solved model.
        has_solution: whether the model's variables hold a solution; without one nothing is
            covered, so every requirement is short by all it requires.

    Returns:
        One row per requirement short (``COVER_SHORT_SCHEMA``: its index in
        ``problem.cover``, ``label, date, shift, competency, site, required`` and ``short``,
        the people missing, rounded), in the problem's order.
    """
    rows = []
    for r, req in enumerate(model.problem.cover):
        value = model.cover_under[r].varValue if has_solution else req.required
        short = round(value or 0)
        if short > 0:
            rows.append(
                (r, req.label, req.date, req.shift, req.competency, req.site, req.required, short)
            )
    return pl.DataFrame(rows, schema=COVER_SHORT_SCHEMA, orient="row")


def extract_posts_opened(model: RotaModel) -> tuple[str, ...]:
    """Ids of the candidate posts whose ``post_used`` binary is on (read with ``> 0.5``).

    These are the posts the objective pays for; a post opened without shifts (possible in an
    incumbent stopped early) is listed, unlike :attr:`RotaSolution.posts_used`.
    """
    people = model.problem.people
    return tuple(people[i].id for i, var in model.post_used.items() if (var.varValue or 0) > 0.5)


def person_totals(problem: RotaProblem, roster: pl.DataFrame) -> pl.DataFrame:
    """Per-person totals of a roster: shifts, nights, OOH, weekends, minutes and 1-in-N."""
    worked, _ = roster_days(problem, roster)
    rows = []
    for person in problem.people:
        days = worked[person.id]
        shifts = [problem.shift(s) for d in sorted(days) for s in days[d]]
        minutes = sum(problem.shift_minutes[d, s] for d in days for s in days[d])
        weekends = {
            problem.weekend_of(d) for d in days for s in days[d] if problem.is_weekend(d, s)
        }
        rows.append(
            {
                "staff_id": person.id,
                "optional": person.optional,
                "used": bool(shifts),
                "wte": person.wte,
                "shifts": len(shifts),
                "nights": sum(s.night for s in shifts),
                "ooh": sum(s.ooh for s in shifts),
                "weekends": len(weekends),
                "minutes": minutes,
                "one_in_n": problem.n_weekends / len(weekends) if weekends else None,
            }
        )
    return pl.DataFrame(
        rows,
        schema={
            "staff_id": pl.String,
            "optional": pl.Boolean,
            "used": pl.Boolean,
            "wte": pl.Float64,
            "shifts": pl.Int64,
            "nights": pl.Int64,
            "ooh": pl.Int64,
            "weekends": pl.Int64,
            "minutes": pl.Int64,
            "one_in_n": pl.Float64,
        },
    )


def _reason(problem: RotaProblem, staff_id: str, days: PersonDays, d: int, shift: str) -> str:
    """Why ``staff_id`` does not work ``shift`` on day ``d`` (see module docstring)."""
    person = problem.person(staff_id)
    static = problem.eligible(staff_id, shift)
    if static is not None:
        return static
    if problem.dates[d] in person.rules.days_off:
        return "leave"
    if days.get(d):
        return "assigned_elsewhere"
    before = {(b.rule, b.date, b.detail) for b in person_breaches(problem, staff_id, days)}
    trial: PersonDays = defaultdict(list, {k: list(v) for k, v in days.items()})
    trial[d].append(shift)
    new = [
        b
        for b in person_breaches(problem, staff_id, trial)
        if b.hard and (b.rule, b.date, b.detail) not in before
    ]
    if new:
        reasons = sorted({_REASON_OF_RULE.get(b.rule, b.rule) for b in new})
        return "+".join(reasons)
    if person.optional and not any(days.values()):
        return "candidate_cost"
    return "available"


def explain_uncovered(problem: RotaProblem, roster: pl.DataFrame) -> pl.DataFrame:
    """For each requirement left short, list every person and what kept them off it.

    Args:
        problem: the rota problem.
        roster: the roster.

    Returns:
        A frame with the ``UNCOVERED_SCHEMA`` columns (empty when all cover is met).
    """
    worked, _ = roster_days(problem, roster)
    rows = []
    for req in problem.cover:
        d = problem.day_index[req.date]
        on_shift = [
            p.id
            for p in problem.people
            if req.shift in worked[p.id].get(d, []) and problem.qualifies(p.id, req)
        ]
        if len(on_shift) >= req.required:
            continue
        base = {
            "label": req.label,
            "date": req.date,
            "shift": req.shift,
            "competency": req.competency,
            "site": req.site,
            "required": req.required,
            "covered": len(on_shift),
            "short": req.required - len(on_shift),
        }
        for person in problem.people:
            if person.id in on_shift:
                continue
            if req.competency is not None and req.competency not in person.competencies:
                reason = "competency"
            elif req.site is not None and person.base_site != req.site:
                reason = "site"
            else:
                reason = _reason(problem, person.id, worked[person.id], d, req.shift)
            rows.append({**base, "staff_id": person.id, "reason": reason})
    return pl.DataFrame(rows, schema=UNCOVERED_SCHEMA)


def empty_roster() -> pl.DataFrame:
    """A roster frame with no rows."""
    return pl.DataFrame(schema=ROSTER_SCHEMA)
