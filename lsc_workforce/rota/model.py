r"""The rota integer programme: ``build_model()`` plus one ``add_<rule>()`` per constraint family.

The full formulation, with the same tags, is in ``docs/rota_model.md``. In brief:

Sets: people :math:`I` (candidate posts :math:`I^c \subseteq I`), days :math:`D = 0..h-1`,
shift types :math:`T`, eligible triples :math:`E \subseteq I \times D \times T`, cover
requirements :math:`R`, weekends :math:`K` (calendar weeks; extra weekend dates such as bank
holidays join the adjacent weekend, see ``RotaProblem.weekend_of``).

Variables: ``assign`` :math:`x_{idt} \in \{0,1\}` for :math:`(i,d,t) \in E`; ``cover_under`` /
``cover_over`` :math:`u_r, o_r \ge 0`; ``weekend_worked`` :math:`k_{iw} \in \{0,1\}`;
``post_used`` :math:`y_i \in \{0,1\}` for candidate posts; ``fair_over``/``fair_under``
deviations; one ``slack_<rule>`` :math:`\ge 0` per row of every hard rule made soft.
Shorthands: :math:`w_{id} = \sum_t x_{idt}` (works on :math:`d`; a variable ``day_work`` where
a person may work three or more shifts on the day, see C1), :math:`n_{id} = \sum_{t \in
T^{night}} x_{idt}` (works a night on :math:`d`).

Constraints (name prefix in brackets):

* C1 ``one_shift_per_day``: :math:`\sum_t x_{idt} \le 1` (and :math:`w_{id} = \sum_t x_{idt}`
  where ``day_work`` is a variable).
* C2 ``cover``: :math:`\sum_{i \in Q_r} x_{i d_r t_r} + u_r - o_r = s_r` (soft).
* C3 ``succession``: :math:`\sum_{t \in S} x_{idt} + \sum_{v \in F(S)} x_{i,d+1,v} \le 1` for
  each group :math:`S` of shift types with the same banned successors :math:`F(S)`.
* C4 ``min_rest``: :math:`x_{idt} + \sum_{v \in C(d,t,k)} x_{i,d+k,v} \le 1` where
  :math:`C(d,t,k)` are the shifts on day :math:`d+k` starting less than the minimum rest (in
  real hours, Europe/London) after :math:`t` on :math:`d` ends; overlaps are always banned.
* C5 ``days_off``: :math:`w_{id} \le 0` on leave days.
* C6 ``max_shifts``: :math:`\sum_d x_{idt} \le m_{it}`.
* C7 ``total_minutes``: :math:`L_i \le \sum_{d,t} \ell_t x_{idt} \le U_i`.
* C8 ``window_minutes``: the same over every window of :math:`W` consecutive days.
* C9 ``max_consecutive``: :math:`\sum_{j=d}^{d+g_i} w_{ij} \le g_i`.
* C10 ``min_consecutive``: :math:`w_{i,d+j} \ge w_{id} - w_{i,d-1}` for :math:`d \ge 1`,
  :math:`1 \le j < f_i`, :math:`d+j < h` (a run starting on :math:`d` lasts :math:`f_i` days
  unless it reaches the horizon end). This dominates the textbook pattern inequality
  :math:`w_{i,d-1} + (s - \sum_{j=d}^{d+s-1} w_{ij}) + w_{i,d+s} \ge 1`.
* C11 ``min_days_off``: :math:`1 - w_{i,d+j} \ge w_{i,d-1} - w_{id}` for :math:`d \ge 1`,
  :math:`1 \le j < o_i`, :math:`d+j < h`.
* C12 ``max_nights``: :math:`\sum_{j=d}^{d+g} n_{ij} \le g`.
* C13 ``night_rest``: :math:`(w_{i,d+1} - n_{i,d+1}) + n_{id} \le 1` and, for
  :math:`2 \le j \le R_i`, :math:`w_{i,d+j} + n_{id} - n_{i,d+1} \le 1`.
* C14 ``eligibility``: :math:`x_{idt}` exists only if :math:`i` holds :math:`t`'s competencies,
  is within travel of its site and :math:`m_{it} > 0` (no rows: the variable is not created).
* C15 ``max_weekends``: :math:`k_{iw} \ge x_{idt}` for weekend :math:`(d,t)` in weekend
  :math:`w` (aggregated per day), :math:`k_{iw} \le \sum x_{idt}`, and
  :math:`\sum_w k_{iw} \le a_i`.
* C16 ``weekend_frequency``: :math:`\sum_{v=w}^{w+N-1} k_{iv} \le 1` (1 in :math:`N`).
* C17 ``candidate_posts``: :math:`w_{id} \le y_i` for :math:`i \in I^c`.
* C18 ``requests`` (soft): on-requests cost :math:`\omega(1-x)`, off-requests :math:`\omega x`.
* C19 ``fairness`` (soft): :math:`c_i - \frac{wte_i}{\sum_{j \in P} wte_j} \sum_{j \in P} c_j
  = \delta^+_i - \delta^-_i`, where :math:`c_i` counts OOH shifts, nights or weekends.
* C20 ``work_window`` (redundant cut): :math:`\sum_{j=d}^{d+g+o-1} w_{ij} \le g`.
* C21 ``sequence_flow`` (extended formulation): each person's work/off sequence as a path in a
  run-length network (optionally layered by weekends worked); its relaxation is the convex
  hull of the sequences C9-C11 (and C15) allow.

Objective: minimise the sum of the named components in ``RotaModel.components``: ``cover_under``,
``cover_over``, ``requests_on``, ``requests_off``, ``candidate_cost``, ``fairness_<kind>`` and
``soft_<rule>`` for every hard rule made soft.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field

import pulp

from lsc_workforce.rota.problem import FAIRNESS_KINDS, RotaProblem

__all__ = [
    "CONSTRAINT_TAGS",
    "RotaModel",
    "build_model",
    "rest_conflicts",
    "slug",
]

#: Constraint tags of the formulation and the rule slug used as constraint-name prefix.
CONSTRAINT_TAGS: dict[str, str] = {
    "C1": "one_shift_per_day",
    "C2": "cover",
    "C3": "succession",
    "C4": "min_rest",
    "C5": "days_off",
    "C6": "max_shifts",
    "C7": "total_minutes",
    "C8": "window_minutes",
    "C9": "max_consecutive",
    "C10": "min_consecutive",
    "C11": "min_days_off",
    "C12": "max_nights",
    "C13": "night_rest",
    "C14": "eligibility",
    "C15": "max_weekends",
    "C16": "weekend_frequency",
    "C17": "candidate_posts",
    "C18": "requests",
    "C19": "fairness",
    "C20": "work_window",
    "C21": "sequence_flow",
}

#: Fewest shifts a person may work on a day for C1 to give that day a ``day_work`` variable.
DAY_WORK_MIN_SHIFTS = 3

#: Longest maximum run for which C21 enumerates every run length (beyond it, 1-day extensions).
SEQUENCE_FLOW_MAX_RUN = 10

_SLUG_RE = re.compile(r"[^A-Za-z0-9]+")


def slug(text: object) -> str:
    """Return an ASCII slug for variable and constraint names (``"Ward 3/A"`` → ``"Ward_3_A"``)."""
    return _SLUG_RE.sub("_", str(text)).strip("_") or "x"


Key = tuple[int, int, int]  # (person index, day, shift index)


@dataclass
class RotaModel:
    """A built rota integer programme and its variables.

    Attributes:
        problem: the problem it was built from.
        prob: the PuLP problem.
        assign: ``{(person index, day, shift index): binary}`` for eligible triples only.
        cover_under: ``{requirement index: continuous}`` people short.
        cover_over: ``{requirement index: continuous}`` people over.
        weekend_worked: ``{(person index, weekend): binary}``.
        post_used: ``{person index: binary}`` for candidate posts.
        slacks: ``{rule slug: [(row name, slack variable), ...]}`` for rules made soft.
        components: ``{component name: linear expression}``; the objective is their sum.
        build_s: seconds spent building.
    """

    problem: RotaProblem
    prob: pulp.LpProblem
    assign: dict[Key, pulp.LpVariable] = field(default_factory=dict)
    cover_under: dict[int, pulp.LpVariable] = field(default_factory=dict)
    cover_over: dict[int, pulp.LpVariable] = field(default_factory=dict)
    weekend_worked: dict[tuple[int, int], pulp.LpVariable] = field(default_factory=dict)
    post_used: dict[int, pulp.LpVariable] = field(default_factory=dict)
    slacks: dict[str, list[tuple[str, pulp.LpVariable]]] = field(default_factory=dict)
    components: dict[str, pulp.LpAffineExpression] = field(default_factory=dict)
    build_s: float = 0.0
    # precomputed index sets
    person_names: list[str] = field(default_factory=list)
    shift_names: list[str] = field(default_factory=list)
    by_person_day: dict[tuple[int, int], list[tuple[int, pulp.LpVariable]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    by_person_shift: dict[tuple[int, int], list[pulp.LpVariable]] = field(
        default_factory=lambda: defaultdict(list)
    )
    day_work: dict[tuple[int, int], pulp.LpVariable] = field(default_factory=dict)

    # ----- shorthands -----

    def weekends_of(self, i: int) -> list[pulp.LpVariable]:
        """The ``weekend_worked`` variables of person ``i``, in weekend order."""
        return [
            self.weekend_worked[i, w]
            for w in range(self.problem.n_weekends)
            if (i, w) in self.weekend_worked
        ]

    def work_terms(self, i: int, days: range, coef: float = 1.0, nights_only: bool = False):
        r"""``(variable, coef)`` terms of :math:`\sum_{d \in days} w_{id}` (or of :math:`n_{id}`).

        Building expressions from term lists is much faster than adding expressions. A day
        with a ``day_work`` variable contributes that one variable (see C1).
        """
        shifts = self.problem.shift_types
        if nights_only:
            return [
                (v, coef)
                for d in days
                for t, v in self.by_person_day.get((i, d), [])
                if shifts[t].night
            ]
        terms = []
        for d in days:
            if (i, d) in self.day_work:
                terms.append((self.day_work[i, d], coef))
            else:
                terms.extend((v, coef) for _, v in self.by_person_day.get((i, d), []))
        return terms

    def works(self, i: int, d: int) -> pulp.LpAffineExpression:
        """:math:`w_{id}`: 1 when person ``i`` works any shift on day ``d``."""
        return pulp.LpAffineExpression(self.work_terms(i, range(d, d + 1)))

    def nights(self, i: int, d: int) -> pulp.LpAffineExpression:
        """:math:`n_{id}`: 1 when person ``i`` works a night shift on day ``d``."""
        shifts = self.problem.shift_types
        return pulp.LpAffineExpression(
            [(v, 1) for t, v in self.by_person_day.get((i, d), []) if shifts[t].night]
        )

    def minutes(self, i: int, days: range, unit: int = 1) -> pulp.LpAffineExpression:
        """Worked (real) minutes of person ``i`` over ``days``, in units of ``unit`` minutes."""
        shifts = self.problem.shift_types
        minutes = self.problem.shift_minutes
        return pulp.LpAffineExpression(
            [
                (v, minutes[d, shifts[t].id] // unit)
                for d in days
                for t, v in self.by_person_day.get((i, d), [])
            ]
        )

    def add_row(
        self,
        rule: str,
        name: str,
        expr: pulp.LpAffineExpression,
        sense: int,
        rhs: float,
    ) -> None:
        """Add ``expr (sense) rhs`` named ``<rule>__<name>``; with a slack if ``rule`` is soft.

        A row with no variables (the person cannot work any of its shifts) is skipped when
        it holds trivially; when it cannot hold, a hard row makes the model infeasible (through
        a variable fixed at 0) and a soft row still gets its slack.
        """
        row_name = f"{rule}__{name}"
        if len(expr) == 0:
            constant = float(expr.constant)
            holds = {
                pulp.LpConstraintLE: constant <= rhs,
                pulp.LpConstraintGE: constant >= rhs,
                pulp.LpConstraintEQ: constant == rhs,
            }[sense]
            if holds:
                return
            if not self.problem.is_soft(rule):
                expr = expr + pulp.LpVariable(f"unmeetable_{row_name}", 0, 0)
        if self.problem.is_soft(rule):
            slack = pulp.LpVariable(f"slack_{row_name}", lowBound=0)
            self.slacks.setdefault(rule, []).append((row_name, slack))
            if sense == pulp.LpConstraintLE:
                expr = expr - slack
            elif sense == pulp.LpConstraintGE:
                expr = expr + slack
            else:
                raise ValueError("equality rows cannot be made soft")
        self.prob += pulp.LpConstraint(expr, sense, row_name, rhs)


# ----- constraint families -----


def add_eligibility(model: RotaModel) -> None:
    r"""C14 eligibility: create ``assign`` only for (person, day, shift) a person may ever work.

    A person may work shift ``t`` only if they hold all of ``t``'s competencies, are within
    their travel limit of ``t``'s site and their ``max_shifts[t]`` is not 0. Leave days are
    not removed here (C5 handles them, so they can be made soft).
    """
    problem = model.problem
    for i, person in enumerate(problem.people):
        pslug = model.person_names[i]
        for t, shift in enumerate(problem.shift_types):
            if problem.eligible(person.id, shift.id) is not None:
                continue
            tslug = model.shift_names[t]
            for d in range(problem.n_days):
                var = pulp.LpVariable(f"assign_{pslug}_{d}_{tslug}", cat=pulp.LpBinary)
                model.assign[i, d, t] = var
                model.by_person_day[i, d].append((t, var))
                model.by_person_shift[i, t].append(var)


def add_one_shift_per_day(model: RotaModel) -> None:
    r"""C1 one_shift_per_day: :math:`w_{id} = \sum_t x_{idt} \le 1`.

    Where person ``i`` may work at least ``DAY_WORK_MIN_SHIFTS`` shifts on day ``d`` (and C1
    is hard), :math:`w_{id}` also becomes a variable ``day_work`` in :math:`[0, 1]` with the
    row :math:`\sum_t x_{idt} - w_{id} = 0` (name suffix ``_work``), and every other rule
    reads that one variable instead of the sum. The model is the same; the rows of C5,
    C9-C11, C13, C17, C20 and C21 keep one term per day instead of one per shift, so the
    matrix has far fewer nonzeros when there are many shift types. The set-packing row
    :math:`\sum_t x_{idt} \le 1` stays beside it: HiGHS finds cliques only among binaries,
    and without them its search finds worse rosters.
    """
    soft = model.problem.is_soft("one_shift_per_day")
    for (i, d), pairs in model.by_person_day.items():
        name = f"{model.person_names[i]}_{d}"
        if len(pairs) > 1:
            model.add_row(
                "one_shift_per_day",
                name,
                pulp.LpAffineExpression([(v, 1) for _, v in pairs]),
                pulp.LpConstraintLE,
                1,
            )
        if len(pairs) >= DAY_WORK_MIN_SHIFTS and not soft:
            work = pulp.LpVariable(f"day_work_{name}", 0, 1)
            model.prob += pulp.LpConstraint(
                pulp.LpAffineExpression([(v, 1) for _, v in pairs] + [(work, -1)]),
                pulp.LpConstraintEQ,
                f"one_shift_per_day__{name}_work",
                0,
            )
            model.day_work[i, d] = work


def add_cover(model: RotaModel) -> None:
    r"""C2 cover: :math:`\sum_{i \in Q_r} x_{i d_r t_r} + u_r - o_r = s_r` (always soft).

    ``Q_r`` holds the people who qualify for requirement ``r`` (competency, site). The
    objective components ``cover_under`` and ``cover_over`` price ``u_r`` and ``o_r``.
    """
    problem = model.problem
    t_index = {s.id: t for t, s in enumerate(problem.shift_types)}
    under_terms, over_terms = [], []
    for r, req in enumerate(problem.cover):
        d = problem.day_index[req.date]
        t = t_index[req.shift]
        expr = pulp.LpAffineExpression(
            [
                (model.assign[i, d, t], 1)
                for i, person in enumerate(problem.people)
                if (i, d, t) in model.assign and problem.qualifies(person.id, req)
            ]
        )
        under = pulp.LpVariable(f"cover_under_{r}", lowBound=0, upBound=req.required)
        over = pulp.LpVariable(f"cover_over_{r}", lowBound=0)
        model.cover_under[r] = under
        model.cover_over[r] = over
        model.prob += pulp.LpConstraint(
            expr + under - over, pulp.LpConstraintEQ, f"cover__{r}_{slug(req.label)}", req.required
        )
        under_terms.append((under, req.under_penalty))
        over_terms.append((over, req.over_penalty))
    model.components["cover_under"] = pulp.LpAffineExpression(under_terms)
    model.components["cover_over"] = pulp.LpAffineExpression(over_terms)


def add_succession(model: RotaModel) -> None:
    r"""C3 succession: :math:`\sum_{t \in S} x_{idt} + \sum_{v \in F(S)} x_{i,d+1,v} \le 1`.

    Shift types with the same set :math:`F` of banned successors form one group :math:`S`.
    The row is valid because at most one shift is worked on each day (C1): its left side
    reaches 2 exactly when a shift of :math:`S` on day ``d`` is followed by a banned one. One
    row per group instead of one per (shift, successor) pair, or per shift, is tighter and,
    when many shift types share their banned successors, has far fewer nonzeros. A soft C3
    still counts one breach per banned pair worked.
    """
    problem = model.problem
    t_index = {s.id: t for t, s in enumerate(problem.shift_types)}
    groups: dict[tuple[int, ...], list[int]] = defaultdict(list)
    for t, shift in enumerate(problem.shift_types):
        if shift.cannot_follow:
            groups[tuple(sorted(t_index[v] for v in shift.cannot_follow))].append(t)
    for (i, d), pairs in model.by_person_day.items():
        if d + 1 >= problem.n_days:
            continue
        worked = dict(pairs)
        for banned, shifts in groups.items():
            today = [(worked[t], 1) for t in shifts if t in worked]
            nxt = [(model.assign[i, d + 1, v], 1) for v in banned if (i, d + 1, v) in model.assign]
            if today and nxt:
                model.add_row(
                    "succession",
                    f"{model.person_names[i]}_{d}_{model.shift_names[shifts[0]]}",
                    pulp.LpAffineExpression(today + nxt),
                    pulp.LpConstraintLE,
                    1,
                )


def rest_conflicts(problem: RotaProblem, min_rest_hours: float | None) -> dict[Key, list[int]]:
    """Return ``{(d, t, k): [v, ...]}``: shift ``v`` on day ``d+k`` starts too soon after ``t``.

    "Too soon" is less than ``min_rest_hours`` real hours after ``t`` on day ``d`` ends, or
    overlapping it (always banned, even with no rest rule). Computed from real (UTC) instants
    so clock changes count. ``k`` ranges over 1.. the furthest day a shift could reach.
    """
    rest = dt.timedelta(hours=min_rest_hours or 0.0)
    longest = max(problem.shift_minutes.values())
    max_k = 1 + int((longest / 60 + (min_rest_hours or 0.0)) // 24) + 1
    conflicts: dict[Key, list[int]] = {}
    n_shifts = len(problem.shift_types)
    intervals = {
        (d, t): problem.shift_interval(d, problem.shift_types[t].id)
        for d in range(problem.n_days)
        for t in range(n_shifts)
    }
    for d in range(problem.n_days):
        for t in range(n_shifts):
            end = intervals[d, t][1]
            for k in range(1, max_k + 1):
                if d + k >= problem.n_days:
                    break
                close = [v for v in range(n_shifts) if intervals[d + k, v][0] - end < rest]
                if close:
                    conflicts[d, t, k] = close
    return conflicts


def add_min_rest(model: RotaModel) -> None:
    r"""C4 min_rest: :math:`x_{idt} + \sum_{v \in C(d,t,k)} x_{i,d+k,v} \le 1`.

    ``C(d,t,k)`` (see :func:`rest_conflicts`) depends on each person's minimum rest, so it is
    computed once per distinct rest value. Overlapping shifts are banned for everyone.
    """
    problem = model.problem
    cache: dict[float | None, dict[Key, list[int]]] = {}
    for i, person in enumerate(problem.people):
        rest = person.rules.min_rest_hours
        if rest not in cache:
            cache[rest] = rest_conflicts(problem, rest)
        for (d, t, k), close in cache[rest].items():
            var = model.assign.get((i, d, t))
            if var is None:
                continue
            nxt = [(model.assign[i, d + k, v], 1) for v in close if (i, d + k, v) in model.assign]
            if nxt:
                model.add_row(
                    "min_rest",
                    f"{model.person_names[i]}_{d}_{model.shift_names[t]}_{k}",
                    pulp.LpAffineExpression([(var, 1), *nxt]),
                    pulp.LpConstraintLE,
                    1,
                )


def add_days_off(model: RotaModel) -> None:
    r"""C5 days_off: :math:`w_{id} \le 0` on each leave / fixed day off of person ``i``."""
    problem = model.problem
    for i, person in enumerate(problem.people):
        for day in sorted(person.rules.days_off):
            d = problem.day_index.get(day)
            if d is not None:
                model.add_row(
                    "days_off",
                    f"{model.person_names[i]}_{d}",
                    model.works(i, d),
                    pulp.LpConstraintLE,
                    0,
                )


def add_max_shifts(model: RotaModel) -> None:
    r"""C6 max_shifts: :math:`\sum_d x_{idt} \le m_{it}` (only when the limit can bind)."""
    problem = model.problem
    for i, person in enumerate(problem.people):
        for t, shift in enumerate(problem.shift_types):
            limit = person.rules.max_shifts.get(shift.id)
            if limit is None or limit >= problem.n_days or limit == 0:
                continue
            model.add_row(
                "max_shifts",
                f"{model.person_names[i]}_{model.shift_names[t]}",
                pulp.lpSum(model.by_person_shift.get((i, t), [])),
                pulp.LpConstraintLE,
                limit,
            )


def add_total_minutes(model: RotaModel) -> None:
    r"""C7 total_minutes: :math:`L_i \le \sum_{d,t} \ell_t x_{idt} \le U_i`.

    When the rule is hard the row is divided by the greatest common divisor :math:`G` of the
    shift lengths and the bounds rounded inwards (:math:`\lceil L_i/G \rceil`,
    :math:`\lfloor U_i/G \rfloor`): the same integer points, a tighter LP relaxation (a
    Chvátal-Gomory rounding). Candidate posts (C17) only have to meet the minimum when used:
    :math:`\sum \ell_t x \ge L_i y_i`.
    """
    problem = model.problem
    days = range(problem.n_days)
    unit = 1 if problem.is_soft("total_minutes") else _length_gcd(problem)
    for i, person in enumerate(problem.people):
        rules = person.rules
        name = model.person_names[i]
        if rules.max_total_minutes is not None:
            model.add_row(
                "total_minutes",
                f"{name}_max",
                model.minutes(i, days, unit),
                pulp.LpConstraintLE,
                rules.max_total_minutes // unit,
            )
        if rules.min_total_minutes:
            expr = model.minutes(i, days, unit)
            rhs = -(-rules.min_total_minutes // unit)
            if i in model.post_used:
                expr, rhs = expr - rhs * model.post_used[i], 0
            model.add_row("total_minutes", f"{name}_min", expr, pulp.LpConstraintGE, rhs)


def _length_gcd(problem: RotaProblem) -> int:
    return math.gcd(*problem.shift_minutes.values())


def add_window_minutes(model: RotaModel) -> None:
    r"""C8 window_minutes: minute limits over every window of ``W`` consecutive horizon days.

    Only windows lying wholly inside the horizon are constrained. Candidate posts meet window
    minimums only when used.
    """
    problem = model.problem
    for i, person in enumerate(problem.people):
        for w, window in enumerate(person.rules.minutes_windows):
            for d in range(problem.n_days - window.days + 1):
                days = range(d, d + window.days)
                name = f"{model.person_names[i]}_w{w}_{d}"
                if window.max_minutes is not None:
                    model.add_row(
                        "window_minutes",
                        f"{name}_max",
                        model.minutes(i, days),
                        pulp.LpConstraintLE,
                        window.max_minutes,
                    )
                if window.min_minutes:
                    expr = model.minutes(i, days)
                    rhs = window.min_minutes
                    if i in model.post_used:
                        expr, rhs = expr - window.min_minutes * model.post_used[i], 0
                    model.add_row("window_minutes", f"{name}_min", expr, pulp.LpConstraintGE, rhs)


def add_max_consecutive(model: RotaModel) -> None:
    r"""C9 max_consecutive: :math:`\sum_{j=d}^{d+g} w_{ij} \le g` for each window of g+1 days."""
    problem = model.problem
    for i, person in enumerate(problem.people):
        g = person.rules.max_consecutive_days
        if g is None or g >= problem.n_days:
            continue
        for d in range(problem.n_days - g):
            expr = pulp.LpAffineExpression(model.work_terms(i, range(d, d + g + 1)))
            model.add_row(
                "max_consecutive", f"{model.person_names[i]}_{d}", expr, pulp.LpConstraintLE, g
            )


def add_min_consecutive(model: RotaModel) -> None:
    r"""C10 min_consecutive: :math:`w_{i,d+j} - w_{id} + w_{i,d-1} \ge 0`, ``1 <= j < f``.

    A working run that starts on day ``d >= 1`` (day ``d-1`` off) must continue for ``f``
    days unless it reaches the end of the horizon. Runs touching day 0 or the last day are
    never short (no carry-over).
    """
    problem = model.problem
    h = problem.n_days
    for i, person in enumerate(problem.people):
        f = person.rules.min_consecutive_days
        if f is None or f <= 1:
            continue
        for d in range(1, h):
            if not model.by_person_day.get((i, d)):
                continue  # no run can start on a day the person cannot work
            start = model.work_terms(i, range(d - 1, d)) + model.work_terms(i, range(d, d + 1), -1)
            for j in range(1, f):
                if d + j >= h:
                    break
                model.add_row(
                    "min_consecutive",
                    f"{model.person_names[i]}_{d}_{j}",
                    pulp.LpAffineExpression(model.work_terms(i, range(d + j, d + j + 1)) + start),
                    pulp.LpConstraintGE,
                    0,
                )


def add_min_days_off(model: RotaModel) -> None:
    r"""C11 min_days_off: :math:`w_{i,d-1} - w_{id} + w_{i,d+j} \le 1`, ``1 <= j < o``.

    A run of days off that starts on day ``d >= 1`` (day ``d-1`` worked) lasts ``o`` days
    unless it reaches the end of the horizon. Leave days count as days off.
    """
    problem = model.problem
    h = problem.n_days
    for i, person in enumerate(problem.people):
        o = person.rules.min_consecutive_days_off
        if o is None or o <= 1:
            continue
        for d in range(1, h):
            if not model.by_person_day.get((i, d - 1)):
                continue  # no off-run can start after a day the person cannot work
            start_off = model.work_terms(i, range(d - 1, d)) + model.work_terms(
                i, range(d, d + 1), -1
            )
            for j in range(1, o):
                if d + j >= h:
                    break
                model.add_row(
                    "min_days_off",
                    f"{model.person_names[i]}_{d}_{j}",
                    pulp.LpAffineExpression(
                        start_off + model.work_terms(i, range(d + j, d + j + 1))
                    ),
                    pulp.LpConstraintLE,
                    1,
                )


def add_work_window(model: RotaModel) -> None:
    r"""C20 work_window (redundant cut): :math:`\sum_{j=d}^{d+g+o-1} w_{ij} \le g`.

    Valid when C9 (at most ``g`` consecutive days) and C11 (days-off runs of at least ``o``)
    are both hard: a window of ``g+o`` days inside the horizon with more than ``g`` working
    days has fewer than ``o`` days off, so either an off-run inside the window is bounded by
    work on both sides and is too short, or all its days off sit at the window's ends and the
    work between them is one run longer than ``g``. It cuts fractional LP points that C9 and
    C11 alone allow, which shortens the branch and bound.
    """
    problem = model.problem
    if problem.is_soft("max_consecutive") or problem.is_soft("min_days_off"):
        return
    for i, person in enumerate(problem.people):
        g = person.rules.max_consecutive_days
        o = person.rules.min_consecutive_days_off
        if g is None or o is None or o <= 1 or g + o > problem.n_days:
            continue
        for d in range(problem.n_days - (g + o) + 1):
            expr = pulp.LpAffineExpression(model.work_terms(i, range(d, d + g + o)))
            model.add_row(
                "work_window", f"{model.person_names[i]}_{d}", expr, pulp.LpConstraintLE, g
            )


def add_sequence_flow(model: RotaModel) -> None:
    r"""C21 sequence_flow (extended formulation): each person's work/off days as a path.

    A redundant, tighter restatement of C9-C11. For each person a network over nodes
    :math:`(d, s)`, :math:`d = 0..h`, :math:`s \in \{W, O\}` ("the run that ended before day
    :math:`d` was work / off"), with one unit of flow from :math:`(0, O)`. Arcs:

    * a **work run** :math:`[d, e]` from :math:`(d, O)` to :math:`(e+1, W)` of length
      :math:`f..g` (shorter only when it touches day 0 or day :math:`h-1`);
    * an **off run** from :math:`(d, W)` of exactly :math:`o` days to :math:`(d+o, O)`
      (shorter only when it reaches the horizon end), then 1-day **off extensions**
      :math:`(d, O) \to (d+1, O)`.

    Flow conservation holds at every node but the source and the day-``h`` sinks, and
    :math:`w_{id} = \sum_{\text{work runs} \ni d} z`. Every feasible work/off sequence is
    exactly one path, so for integral :math:`x` the flows are forced integral; the network
    matrix is totally unimodular, so the LP relaxation projected on :math:`w` is the convex
    hull of the sequences that C9-C11 allow, stronger than C9-C11 and C20. When
    :math:`g > ` ``SEQUENCE_FLOW_MAX_RUN`` runs are built from length-:math:`f` arcs plus
    1-day work extensions and C9 alone enforces the maximum. Skipped when any of C9-C11 is
    soft.
    """
    problem = model.problem
    if any(problem.is_soft(r) for r in ("max_consecutive", "min_consecutive", "min_days_off")):
        return
    h = problem.n_days
    weekend_day = [problem.weekend_of(d) if problem.is_weekend_date(d) else None for d in range(h)]
    for i, person in enumerate(problem.people):
        rules = person.rules
        g = min(rules.max_consecutive_days or h, h)
        f = rules.min_consecutive_days or 1
        o = rules.min_consecutive_days_off or 1
        if rules.max_consecutive_days is None and f <= 1 and o <= 1:
            continue
        if not any(model.by_person_day.get((i, d)) for d in range(h)):
            continue
        name = model.person_names[i]
        exact = g <= SEQUENCE_FLOW_MAX_RUN
        arcs: list[tuple[str, tuple[int, str], tuple[int, str], range]] = []
        for d in range(h):
            longest = min(g if exact else f, h - d)
            for length in range(1, longest + 1):
                if length < f and d > 0 and d + length < h:
                    continue
                arcs.append(("work", (d, "O"), (d + length, "W"), range(d, d + length)))
            if not exact and d > 0:
                arcs.append(("more", (d, "W"), (d + 1, "W"), range(d, d + 1)))
            if d > 0:
                for length in range(1, min(o, h - d) + 1):
                    if length == o or d + length == h:
                        arcs.append(("off", (d, "W"), (d + length, "O"), range(0)))
            arcs.append(("rest", (d, "O"), (d + 1, "O"), range(0)))
        cap = _weekend_layers(model, i, len(arcs))
        out_arcs: dict[tuple[int, str, int], list[pulp.LpVariable]] = defaultdict(list)
        in_arcs: dict[tuple[int, str, int], list[pulp.LpVariable]] = defaultdict(list)
        covering: dict[int, list[pulp.LpVariable]] = defaultdict(list)
        for label, (d0, s0), (d1, s1), work_days in arcs:
            inc = 0
            if cap is not None:
                inc = len({weekend_day[x] for x in work_days if weekend_day[x] is not None})
            for k in range(cap + 1 if cap is not None else 1):
                if cap is not None and k + inc > cap:
                    break
                var = pulp.LpVariable(f"seq_{label}_{name}_{d0}_{d1}_{k}", 0, 1)
                out_arcs[d0, s0, k].append(var)
                in_arcs[d1, s1, k + inc].append(var)
                for day in work_days:
                    covering[day].append(var)
        for node in sorted(set(out_arcs) | set(in_arcs)):
            day, state, k = node
            if day == h:
                continue
            supply = 1 if node == (0, "O", 0) else 0
            model.prob += pulp.LpConstraint(
                pulp.LpAffineExpression(
                    [(v, 1) for v in in_arcs.get(node, [])]
                    + [(v, -1) for v in out_arcs.get(node, [])]
                ),
                pulp.LpConstraintEQ,
                f"sequence_flow__{name}_{day}_{state}_{k}",
                -supply,
            )
        for d in range(h):
            model.prob += pulp.LpConstraint(
                pulp.LpAffineExpression(
                    model.work_terms(i, range(d, d + 1)) + [(v, -1) for v in covering.get(d, [])]
                ),
                pulp.LpConstraintEQ,
                f"sequence_flow__link_{name}_{d}",
                0,
            )


#: Largest number of arcs (per person) for which C21 also tracks weekends worked.
SEQUENCE_FLOW_MAX_ARCS = 6000


def _weekend_layers(model: RotaModel, i: int, n_arcs: int) -> int | None:
    """The weekend limit C21 tracks in its node states for person ``i``, or ``None``.

    Tracked only when weekend work depends on the date alone (no shift overrides), C15 is
    hard and binds, every weekend's dates are at most two consecutive days (so no day off can
    split a weekend between two work runs, which would count it twice; a bank-holiday weekend
    of three or four days is not tracked), and the layered network stays below
    ``SEQUENCE_FLOW_MAX_ARCS`` arcs.
    """
    problem = model.problem
    limit = problem.people[i].rules.max_weekends
    if (
        limit is None
        or problem.is_soft("max_weekends")
        or any(s.weekend is not None for s in problem.shift_types)
        or limit >= problem.n_weekends
        or n_arcs * (limit + 1) > SEQUENCE_FLOW_MAX_ARCS
        or not _short_weekends(problem)
    ):
        return None
    return limit


def _short_weekends(problem: RotaProblem) -> bool:
    """Whether every weekend's weekend dates in the horizon are one or two consecutive days."""
    days: dict[int, list[int]] = defaultdict(list)
    for d in range(problem.n_days):
        if problem.is_weekend_date(d):
            days[problem.weekend_of(d)].append(d)
    return all(len(ds) == 1 or (len(ds) == 2 and ds[1] == ds[0] + 1) for ds in days.values())


def add_max_nights(model: RotaModel) -> None:
    r"""C12 max_nights: :math:`\sum_{j=d}^{d+g} n_{ij} \le g` for each window of g+1 days."""
    problem = model.problem
    for i, person in enumerate(problem.people):
        g = person.rules.max_consecutive_nights
        if g is None or g >= problem.n_days:
            continue
        for d in range(problem.n_days - g):
            expr = pulp.LpAffineExpression(
                model.work_terms(i, range(d, d + g + 1), nights_only=True)
            )
            model.add_row(
                "max_nights", f"{model.person_names[i]}_{d}", expr, pulp.LpConstraintLE, g
            )


def add_night_rest(model: RotaModel) -> None:
    r"""C13 night_rest: no shift in the ``R`` days after the last night of a run.

    Day ``d+1`` after a night may only hold another night:
    :math:`(w_{i,d+1} - n_{i,d+1}) + n_{id} \le 1`; if ``d+1`` is not a night, days
    ``d+2..d+R`` are off: :math:`w_{i,d+j} + n_{id} - n_{i,d+1} \le 1`.
    """
    problem = model.problem
    h = problem.n_days
    for i, person in enumerate(problem.people):
        rest = person.rules.rest_days_after_nights
        if not rest:
            continue
        name = model.person_names[i]
        for d in range(h - 1):
            night = model.nights(i, d)
            if len(night) == 0:
                continue
            next_night = model.nights(i, d + 1)
            model.add_row(
                "night_rest",
                f"{name}_{d}_1",
                model.works(i, d + 1) - next_night + night,
                pulp.LpConstraintLE,
                1,
            )
            for j in range(2, rest + 1):
                if d + j >= h:
                    break
                model.add_row(
                    "night_rest",
                    f"{name}_{d}_{j}",
                    model.works(i, d + j) + night - next_night,
                    pulp.LpConstraintLE,
                    1,
                )


def _needs_weekend_vars(model: RotaModel, i: int) -> bool:
    rules = model.problem.people[i].rules
    return (
        rules.max_weekends is not None
        or rules.weekend_one_in is not None
        or "weekends" in model.problem.fairness
    )


def add_weekend_link(model: RotaModel) -> None:
    r"""C15 (linking part) max_weekends: :math:`k_{iw}` is 1 exactly when weekend ``w`` is worked.

    :math:`k_{iw} \ge \sum_{t \in T^{we}_d} x_{idt}` for each weekend day ``d`` of ``w``
    (tighter than :math:`2k \ge` the weekend's total), and
    :math:`k_{iw} \le \sum_{d \in w, t} x_{idt}`. Created only for people with a weekend
    rule or when weekend fairness is priced.
    """
    problem = model.problem
    weekend_days: dict[int, list[int]] = defaultdict(list)
    for d in range(problem.n_days):
        weekend_days[problem.weekend_of(d)].append(d)
    for i in range(len(problem.people)):
        if not _needs_weekend_vars(model, i):
            continue
        name = model.person_names[i]
        for w, days in weekend_days.items():
            day_terms = {
                d: [
                    v
                    for t, v in model.by_person_day.get((i, d), [])
                    if problem.is_weekend(d, problem.shift_types[t].id)
                ]
                for d in days
            }
            for d, terms in day_terms.items():  # a whole working day: its C1 variable
                if (i, d) in model.day_work and len(terms) == len(model.by_person_day[i, d]):
                    day_terms[d] = [model.day_work[i, d]]
            if not any(day_terms.values()):
                continue
            kw = pulp.LpVariable(f"weekend_worked_{name}_{w}", cat=pulp.LpBinary)
            model.weekend_worked[i, w] = kw
            for d, terms in day_terms.items():
                if terms:
                    model.prob += pulp.LpConstraint(
                        pulp.lpSum(terms) - kw,
                        pulp.LpConstraintLE,
                        f"max_weekends__link_{name}_{d}",
                        0,
                    )
            model.prob += pulp.LpConstraint(
                kw - pulp.lpSum(v for terms in day_terms.values() for v in terms),
                pulp.LpConstraintLE,
                f"max_weekends__only_{name}_{w}",
                0,
            )


def add_max_weekends(model: RotaModel) -> None:
    r"""C15 max_weekends: :math:`\sum_w k_{iw} \le a_i`."""
    problem = model.problem
    for i, person in enumerate(problem.people):
        limit = person.rules.max_weekends
        if limit is None:
            continue
        worked = model.weekends_of(i)
        if len(worked) > limit:
            model.add_row(
                "max_weekends",
                model.person_names[i],
                pulp.lpSum(worked),
                pulp.LpConstraintLE,
                limit,
            )


def add_weekend_frequency(model: RotaModel) -> None:
    r"""C16 weekend_frequency: at most 1 worked weekend in any ``N`` consecutive weekends.

    :math:`\sum_{v=w}^{w+N-1} k_{iv} \le 1` for each window inside the horizon (one window
    over all weekends when the horizon has fewer than ``N``).
    """
    problem = model.problem
    n_weekends = problem.n_weekends
    for i, person in enumerate(problem.people):
        n = person.rules.weekend_one_in
        if n is None or n <= 1:
            continue
        for w in range(max(1, n_weekends - n + 1)):
            worked = [
                model.weekend_worked[i, v]
                for v in range(w, min(w + n, n_weekends))
                if (i, v) in model.weekend_worked
            ]
            if len(worked) > 1:
                model.add_row(
                    "weekend_frequency",
                    f"{model.person_names[i]}_{w}",
                    pulp.lpSum(worked),
                    pulp.LpConstraintLE,
                    1,
                )


def add_candidate_posts(model: RotaModel) -> None:
    r"""C17 candidate_posts: :math:`w_{id} \le y_i`; cost :math:`\sum_i c_i y_i`.

    A candidate post (``Person.optional``) works only if the model pays for it. The per-day
    rows are tighter than one aggregated row :math:`\sum_{d} w_{id} \le h\,y_i`.
    """
    problem = model.problem
    terms = []
    for i, person in enumerate(problem.people):
        if not person.optional:
            continue
        used = model.post_used[i]
        terms.append((used, person.cost))
        for d in range(problem.n_days):
            if model.by_person_day.get((i, d)):
                model.prob += pulp.LpConstraint(
                    model.works(i, d) - used,
                    pulp.LpConstraintLE,
                    f"candidate_posts__{model.person_names[i]}_{d}",
                    0,
                )
    model.components["candidate_cost"] = pulp.LpAffineExpression(terms)


def add_requests(model: RotaModel) -> None:
    r"""C18 requests (soft): on-request cost :math:`\omega(1 - x)`, off-request :math:`\omega x`.

    With ``shift=None`` the request is about working at all (:math:`w_{id}`). A request for a
    shift the person may never work costs its full weight (on) or nothing (off).
    """
    problem = model.problem
    p_index = {p.id: i for i, p in enumerate(problem.people)}
    t_index = {s.id: t for t, s in enumerate(problem.shift_types)}
    on = pulp.LpAffineExpression()
    off = pulp.LpAffineExpression()
    for req in problem.requests:
        i = p_index[req.staff_id]
        d = problem.day_index[req.date]
        if req.shift is None:
            x = model.works(i, d)
        else:
            var = model.assign.get((i, d, t_index[req.shift]))
            x = pulp.LpAffineExpression() if var is None else pulp.LpAffineExpression([(var, 1)])
        if req.on:
            on += req.weight - req.weight * x
        else:
            off += req.weight * x
    model.components["requests_on"] = on
    model.components["requests_off"] = off


def _fairness_counts(model: RotaModel, kind: str) -> dict[int, pulp.LpAffineExpression]:
    problem = model.problem
    counts: dict[int, pulp.LpAffineExpression] = {}
    for i, person in enumerate(problem.people):
        if person.optional:
            continue
        if kind == "weekends":
            terms = model.weekends_of(i)
        else:
            attr = "ooh" if kind == "ooh" else "night"
            terms = [
                v
                for t, shift in enumerate(problem.shift_types)
                if getattr(shift, attr)
                for v in model.by_person_shift.get((i, t), [])
            ]
        if terms:
            counts[i] = pulp.lpSum(terms)
    return counts


def add_fairness(model: RotaModel) -> None:
    r"""C19 fairness (soft): deviation of each person's count from their WTE share.

    For kind ``K`` (OOH shifts, nights, weekends) and the non-optional people ``P`` who can
    work any ``K``: :math:`c_i - \frac{wte_i}{\sum_{j\in P} wte_j}\sum_{j \in P} c_j =
    \delta^+_i - \delta^-_i`; the component ``fairness_<K>`` is the weight times
    :math:`\sum_i (\delta^+_i + \delta^-_i)`. Linear because the shares are constants.
    """
    problem = model.problem
    for kind in FAIRNESS_KINDS:
        weight = problem.fairness.get(kind)
        if weight is None:
            continue
        counts = _fairness_counts(model, kind)
        if not counts:
            model.components[f"fairness_{kind}"] = pulp.LpAffineExpression()
            continue
        total_wte = sum(problem.people[i].wte for i in counts)
        total = pulp.lpSum(counts.values())
        terms = []
        for i, count in counts.items():
            share = problem.people[i].wte / total_wte
            plus = pulp.LpVariable(f"fair_over_{kind}_{model.person_names[i]}", lowBound=0)
            minus = pulp.LpVariable(f"fair_under_{kind}_{model.person_names[i]}", lowBound=0)
            model.prob += pulp.LpConstraint(
                count - share * total - plus + minus,
                pulp.LpConstraintEQ,
                f"fairness__{kind}_{model.person_names[i]}",
                0,
            )
            terms += [(plus, weight), (minus, weight)]
        model.components[f"fairness_{kind}"] = pulp.LpAffineExpression(terms)


def _unique_slugs(ids: list[str]) -> list[str]:
    slugs = [slug(x) for x in ids]
    if len(set(slugs)) == len(slugs):
        return slugs
    return [f"{k}_{s}" for k, s in enumerate(slugs)]


def build_model(problem: RotaProblem, extended: bool = True) -> RotaModel:
    """Build the rota integer programme for ``problem`` (see the module docstring).

    Args:
        problem: the validated rota problem.
        extended: add C21, the sequence-flow extended formulation. It is redundant (the same
            rosters) and tightens the LP relaxation of the whole model, but HiGHS's root on
            a one-person sub-problem can take many times as long with it, so the
            construction heuristic leaves it out.

    Returns:
        The :class:`RotaModel`, with ``prob.objective`` set to the sum of its components.
    """
    start = time.perf_counter()
    model = RotaModel(
        problem=problem,
        prob=pulp.LpProblem(slug(problem.name), pulp.LpMinimize),
        person_names=_unique_slugs([p.id for p in problem.people]),
        shift_names=_unique_slugs([s.id for s in problem.shift_types]),
    )
    for i, person in enumerate(problem.people):
        if person.optional:
            model.post_used[i] = pulp.LpVariable(
                f"post_used_{model.person_names[i]}", cat=pulp.LpBinary
            )
    add_eligibility(model)
    add_one_shift_per_day(model)
    add_cover(model)
    add_succession(model)
    add_min_rest(model)
    add_days_off(model)
    add_max_shifts(model)
    add_total_minutes(model)
    add_window_minutes(model)
    add_max_consecutive(model)
    add_min_consecutive(model)
    add_min_days_off(model)
    add_work_window(model)
    if extended:
        add_sequence_flow(model)
    add_max_nights(model)
    add_night_rest(model)
    add_weekend_link(model)
    add_max_weekends(model)
    add_weekend_frequency(model)
    add_candidate_posts(model)
    add_requests(model)
    add_fairness(model)
    for rule, rows in model.slacks.items():
        penalty = problem.soft_rules[rule]
        model.components[f"soft_{rule}"] = pulp.LpAffineExpression(
            [(slack, penalty) for _, slack in rows]
        )
    model.prob.setObjective(pulp.lpSum(model.components.values()))
    model.build_s = time.perf_counter() - start
    return model
