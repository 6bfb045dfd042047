r"""A weekend plan: each person's shifts on each weekend, chosen before the rest of the roster.

Where weekend cover is scarce, the whole rota model finds good weekends slowly: a person's
weekend dates are linked only through the weekend indicator (C15), whose relaxation lets a
person work half a Saturday and half a Sunday, and the warm start's person-by-person
construction fills each person's weekends greedily. Curtois Instance 13 is the case: its
people may work 250 weekends and cover asks for 482 weekend person-shifts, so nearly every
worked weekend must be a whole Saturday and Sunday of the right shift types. The whole model
leaves weekend person-shifts short there, even with requests and weekday cover taken out,
while the pattern model below, which chooses whole weekends, is small enough to solve to
optimality.

The plan is a guide, not a roster: :func:`plan_weekends` returns it as heavy shift requests
(:data:`GUIDE_WEIGHT`), which the construction adds to each person's own model
(``lsc_workforce.rota.heuristic.construct_roster``); a person whose own rules (weekday runs,
minutes, rest) do not admit the planned weekend simply deviates from it.

Formulation (constraints named with the tags below):

Sets: people :math:`I` (candidate posts left out); weekends :math:`W`, each with its weekend
dates :math:`D_w`; for person :math:`i` and weekend :math:`w` the patterns :math:`P_{iw}`: a
shift type or none on each date of :math:`D_w`, not none on all, using only shift types the
person may work (eligibility, :math:`m_{it} > 0`), none on leave days, and no banned
succession between consecutive dates.

Parameters: :math:`n_{pt}` shifts of type :math:`t` in pattern :math:`p`; weekend limit
:math:`a_i`, 1-in-:math:`N_i` frequency, maxima :math:`m_{it}`; cover requirements
:math:`R` on weekend dates (required :math:`s_r`, penalties :math:`\beta^-_r, \beta^+_r`, the
people :math:`Q_r` who count); requests on weekend dates (weight :math:`\omega`).

Variables: :math:`y_{iwp} \in \{0, 1\}` (person :math:`i` works pattern :math:`p` on weekend
:math:`w`); :math:`u_r, o_r \ge 0`.

* P1 ``one_pattern``: :math:`\sum_p y_{iwp} \le 1`.
* P2 ``max_weekends``: :math:`\sum_{w,p} y_{iwp} \le a_i`.
* P3 ``weekend_frequency``: :math:`\sum_{v=w}^{w+N_i-1} \sum_p y_{ivp} \le 1`.
* P4 ``max_shifts``: :math:`\sum_{w,p} n_{pt} y_{iwp} \le m_{it}` (weekend shifts only).
* P5 ``cover``: :math:`\sum_{i \in Q_r} \sum_{p \ni (d_r, t_r)} y_{iwp} + u_r - o_r = s_r`.

Objective: :math:`\sum_r (\beta^-_r u_r + \beta^+_r o_r)` plus the requests on weekend
dates (on: :math:`\omega (1 - \sum_{p \text{ meets it}} y)`, off: :math:`\omega \sum_{p
\text{ breaks it}} y`).

The weekday rules (runs, rest, minutes, nights) are left out, so the plan is a relaxation of
the weekends of a roster; the construction and the search repair what does not fit. The
plan is made only where weekends are dates (no shift type overrides its weekend flag) and
the patterns stay few (:data:`MAX_PATTERNS`).
"""

from __future__ import annotations

import itertools
import logging
from collections import defaultdict

import pulp

from lsc_workforce.config import SolverSettings
from lsc_workforce.rota.problem import RotaProblem, ShiftRequest
from lsc_workforce.solve import solve_problem

__all__ = ["GUIDE_WEIGHT", "MAX_PATTERNS", "plan_weekends"]

LOGGER = logging.getLogger(__name__)

#: Weight of each guide request: more than any one person-shift can gain elsewhere on a
#: Curtois instance or in the OOH rotas (cover penalties 100-1,000 a person, requests 1-3).
GUIDE_WEIGHT = 10_000.0

#: Most patterns (all people and weekends) for which a plan is made. The Curtois instances
#: have 44 (Instance 1) to 68,842 (21); 22-24 have 0.1-2.0 million and are left out (their
#: construction needs the time, and a plan of that size would not be solved in its share).
MAX_PATTERNS = 100_000

Pattern = tuple[str | None, ...]


def plan_weekends(
    problem: RotaProblem, time_limit_s: float, gap_rel: float = 0.005
) -> tuple[ShiftRequest, ...] | None:
    """The weekend plan as guide requests, or ``None`` where none is made or found in time.

    The guide has one request per person and weekend date: on, for the planned shift; off
    (any shift), where the plan leaves the date free.

    Args:
        problem: the rota problem.
        time_limit_s: solver time limit (HiGHS, one thread).
        gap_rel: relative gap at which the plan's solve stops.
    """
    if any(shift.weekend is not None for shift in problem.shift_types):
        return None  # weekend work is not a matter of dates
    weekends = defaultdict(list)
    for d in range(problem.n_days):
        if problem.is_weekend_date(d):
            weekends[problem.weekend_of(d)].append(d)
    people = [person for person in problem.people if not person.optional]
    patterns = {
        (person.id, w): _patterns(problem, person, days)
        for person in people
        for w, days in weekends.items()
    }
    count = sum(map(len, patterns.values()))
    if not weekends or count > MAX_PATTERNS:
        return None
    prob = pulp.LpProblem("weekend_plan", pulp.LpMinimize)
    y = {}
    for (i, w), found in patterns.items():
        for p in found:
            y[i, w, p] = pulp.LpVariable(f"y_{len(y)}", cat=pulp.LpBinary)
    by_person = defaultdict(list)
    for (i, w, p), var in y.items():
        by_person[i].append((w, p, var))
    for (i, w), found in patterns.items():
        prob += pulp.lpSum(y[i, w, p] for p in found) <= 1, f"P1_one_pattern_{i}_{w}"
    for person in people:
        rules, mine = person.rules, by_person[person.id]
        if rules.max_weekends is not None:
            prob += (
                pulp.lpSum(v for _, _, v in mine) <= rules.max_weekends,
                f"P2_max_weekends_{person.id}",
            )
        if rules.weekend_one_in is not None and rules.weekend_one_in > 1:
            for w in weekends:
                span = range(w, w + rules.weekend_one_in)
                prob += (
                    pulp.lpSum(v for ww, _, v in mine if ww in span) <= 1,
                    f"P3_weekend_frequency_{person.id}_{w}",
                )
        for t, most in rules.max_shifts.items():
            terms = [(v, p.count(t)) for _, p, v in mine if t in p]
            if most < sum(n for _, n in terms):
                prob += pulp.LpAffineExpression(terms) <= most, f"P4_max_shifts_{person.id}_{t}"
    objective = []
    works = defaultdict(list)  # (person, day, shift) -> variables of patterns working it
    for (i, w, p), var in y.items():
        for d, t in zip(weekends[w], p, strict=True):
            if t is not None:
                works[i, d, t].append(var)
    for r, req in enumerate(problem.cover):
        d = problem.day_index[req.date]
        if not problem.is_weekend_date(d):
            continue
        under = pulp.LpVariable(f"u_{r}", lowBound=0)
        over = pulp.LpVariable(f"o_{r}", lowBound=0)
        counted = [
            v
            for person in people
            if problem.qualifies(person.id, req)
            for v in works[person.id, d, req.shift]
        ]
        prob += pulp.lpSum(counted) + under - over == req.required, f"P5_cover_{r}"
        objective += [req.under_penalty * under, req.over_penalty * over]
    for request in problem.requests:
        d = problem.day_index[request.date]
        if not problem.is_weekend_date(d):
            continue
        shifts = [s.id for s in problem.shift_types] if request.shift is None else [request.shift]
        hit = [v for t in shifts for v in works[request.staff_id, d, t]]
        if request.on:
            objective.append(request.weight * (1 - pulp.lpSum(hit)))
        else:
            objective.append(request.weight * pulp.lpSum(hit))
    prob += pulp.lpSum(objective)
    settings = SolverSettings(threads=1, time_limit_s=time_limit_s, gap_rel=gap_rel)
    result = solve_problem(prob, settings)
    LOGGER.debug(
        "weekend plan: %d patterns, %s, objective %s, %.1f s",
        count,
        result.status.value,
        result.objective,
        result.solve_s,
    )
    if not result.status.has_solution:
        return None
    guide = []
    for person in people:
        for w, days in weekends.items():
            chosen = next(
                (p for ww, p, v in by_person[person.id] if ww == w and (v.varValue or 0) > 0.5),
                (None,) * len(days),
            )
            for d, t in zip(days, chosen, strict=True):
                guide.append(
                    ShiftRequest(person.id, problem.dates[d], t, GUIDE_WEIGHT, on=t is not None)
                )
    return tuple(guide)


def _patterns(problem: RotaProblem, person, days: list[int]) -> list[Pattern]:
    """The person's patterns on a weekend's dates ``days`` (see the module docstring)."""
    allowed = [s.id for s in problem.shift_types if problem.eligible(person.id, s.id) is None]
    options = [
        [None] + ([] if problem.dates[d] in person.rules.days_off else allowed) for d in days
    ]
    found = []
    for pattern in itertools.product(*options):
        if all(t is None for t in pattern):
            continue
        steps = zip(pattern, days, pattern[1:], days[1:], strict=False)
        if any(
            a is not None
            and b is not None
            and e == d + 1
            and b in problem.shift_index[a].cannot_follow
            for a, d, b, e in steps
        ):
            continue
        found.append(pattern)
    return found
