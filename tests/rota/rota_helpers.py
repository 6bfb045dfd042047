"""Small builders shared by the rota tests (hand-written toy instances)."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pulp

from lsc_workforce.config import SolverSettings
from lsc_workforce.rota import (
    CoverRequirement,
    Person,
    PersonRules,
    RotaProblem,
    RotaSolution,
    ShiftType,
    evaluate,
    solve,
)
from lsc_workforce.rota.benchmarks import BENCHMARK_DIR

MONDAY = dt.date(2026, 4, 6)
SETTINGS = SolverSettings(threads=1, time_limit_s=30)

DAY = ShiftType("D", dt.time(8, 0), 480)
NIGHT = ShiftType("N", dt.time(20, 0), 720, night=True, ooh=True)


def day(k: int, start: dt.date = MONDAY) -> dt.date:
    """Date of day number ``k``."""
    return start + dt.timedelta(days=k)


def cover(
    days: list[int],
    shift: str = "D",
    *,
    required: int = 1,
    under: float = 100.0,
    over: float = 0.0,
    start: dt.date = MONDAY,
    **kwargs,
) -> tuple[CoverRequirement, ...]:
    """One requirement per listed day."""
    return tuple(
        CoverRequirement(
            day(k, start), shift, required, under_penalty=under, over_penalty=over, **kwargs
        )
        for k in days
    )


def problem(
    n_days: int,
    people: list[Person] | tuple[Person, ...],
    cover_reqs: tuple[CoverRequirement, ...] = (),
    shifts: tuple[ShiftType, ...] = (DAY,),
    *,
    start: dt.date = MONDAY,
    **kwargs,
) -> RotaProblem:
    """A toy problem."""
    return RotaProblem(start, n_days, shifts, tuple(people), cover_reqs, **kwargs)


def person(staff_id: str = "A", **rules) -> Person:
    """A person with the given rules (keyword arguments of ``PersonRules``)."""
    return Person(staff_id, rules=PersonRules(**rules))


def solved(prob: RotaProblem) -> RotaSolution:
    """Solve, and assert what every returned roster must satisfy."""
    solution = solve(prob, SETTINGS)
    assert solution.result.status.value == "optimal", solution.result
    assert solution.hard_breaches == []
    recomputed = evaluate(prob, solution.roster)
    for name, value in solution.components.items():
        assert abs(recomputed[name] - value) < 1e-6, (name, recomputed[name], value)
    return solution


def roster(rows: list[tuple[str, int, str]], start: dt.date = MONDAY) -> pl.DataFrame:
    """A roster frame from ``(staff, day number, shift)`` rows."""
    return pl.DataFrame(
        [(s, day(k, start), t) for s, k, t in rows],
        schema={"staff_id": pl.String, "date": pl.Date, "shift": pl.String},
        orient="row",
    )


#: The Curtois & Qu benchmark vendored in ``benchmarks/curtois/`` (instances and best_known.csv).
CURTOIS_DIR = BENCHMARK_DIR


def toy_milp(sense=pulp.LpMinimize) -> pulp.LpProblem:
    """min 2x + 3y + 10 s.t. x + y >= 1.5 over integers 0..5.

    By hand: x + y >= 2, candidates (2,0) = 14, (1,1) = 15, (0,2) = 16, so the optimum is
    14 including the constant 10; maximising -2x - 3y + 10 gives 6.
    """
    prob = pulp.LpProblem("toy", sense)
    x = pulp.LpVariable("x", 0, 5, cat="Integer")
    y = pulp.LpVariable("y", 0, 5, cat="Integer")
    prob += (2 * x + 3 * y + 10) if sense == pulp.LpMinimize else (-2 * x - 3 * y + 10)
    prob += x + y >= 1.5
    return prob
