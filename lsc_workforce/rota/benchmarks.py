"""Curtois & Qu shift-scheduling benchmark (Instance1..24): parser, adapter, scorer and CLI.

The instances, the best-known objectives and the format (``FORMAT.md``, cited below by section)
are vendored in ``benchmarks/curtois/``, whose README credits the source.
:func:`to_problem` maps an instance onto the generic :class:`~lsc_workforce.rota.RotaProblem`
with no instance-specific code paths: shift-succession bans (C3), days off (C5), per-type
maximum shifts (C6), total minutes (C7), maximum / minimum consecutive working days (C9, C10),
minimum consecutive days off (C11), maximum weekends (C15), shift-on/off requests (C18) and
soft cover (C2). Shifts are placed at 00:00 UTC on a Monday-start horizon (the format has no
start times, lengths are at most 12 h, so no rest rule can fire).

:func:`score_roster` recomputes the objective **independently** from the raw instance and a
roster (``employee, day, shift``), checking every hard rule of FORMAT.md §3 directly from the
file, without the rota engine.

CLI (prints one JSON line, writes the roster CSV with worked shifts only)::

    python -m lsc_workforce.rota.benchmarks INSTANCE.txt --time-limit S \
        [--solver highs|cbc|cpsat] [--threads N] [--warm-start [--seed N]] --roster-out FILE.csv

With ``--solver cpsat`` (OR-Tools CP-SAT) the run passes ``assume_integral=True``: the only
continuous variables of the rota model that sit in several rows are the C21 sequence-flow
arcs, which are integral whenever the assignment is (``rota.model.add_sequence_flow``).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import resource
import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from lsc_workforce.config import REPO_DIR, SolverSettings
from lsc_workforce.rota.problem import (
    CoverRequirement,
    Person,
    PersonRules,
    RotaProblem,
    ShiftRequest,
    ShiftType,
)

__all__ = [
    "BENCHMARK_DIR",
    "CurtoisInstance",
    "main",
    "parse_instance",
    "read_best_known",
    "score_roster",
    "to_problem",
]

#: The vendored benchmark: ``instances/InstanceN.txt``, ``best_known.csv`` and ``FORMAT.md``.
BENCHMARK_DIR = REPO_DIR / "benchmarks" / "curtois"

#: Day 0 of every instance is a Monday; any Monday will do.
_START = dt.date(2024, 1, 1)


@dataclass(frozen=True)
class CurtoisStaff:
    """One SECTION_STAFF line (note the file's max-before-min column order)."""

    id: str
    max_shifts: dict[str, int]
    max_total_minutes: int
    min_total_minutes: int
    max_consecutive: int
    min_consecutive: int
    min_days_off: int
    max_weekends: int


@dataclass(frozen=True)
class CurtoisInstance:
    """A parsed instance, kept close to the file (lists in file order).

    Attributes:
        name: file stem, e.g. ``Instance1``.
        horizon: number of days ``h``.
        shifts: ``[(shift id, length minutes, cannot-follow ids)]``.
        staff: staff lines.
        days_off: ``{employee: [day, ...]}``.
        on_requests: ``[(employee, day, shift, weight)]``.
        off_requests: ``[(employee, day, shift, weight)]``.
        cover: ``[(day, shift, requirement, weight under, weight over)]``.
    """

    name: str
    horizon: int
    shifts: list[tuple[str, int, tuple[str, ...]]]
    staff: list[CurtoisStaff]
    days_off: dict[str, list[int]]
    on_requests: list[tuple[str, int, str, int]]
    off_requests: list[tuple[str, int, str, int]]
    cover: list[tuple[int, str, int, int, int]]


def parse_instance(path: str | Path) -> CurtoisInstance:
    """Parse one instance file (LF or CRLF, ``#`` comments, blank-line separated sections).

    Raises:
        ValueError: if a section is missing or a line is malformed.
    """
    path = Path(path)
    sections: dict[str, list[list[str]]] = {}
    current: str | None = None
    for raw in path.read_text(encoding="ascii").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("SECTION_"):
            current = line
            sections[current] = []
            continue
        if current is None:
            raise ValueError(f"{path}: data before the first section: {line!r}")
        sections[current].append(line.split(","))
    needed = (
        "SECTION_HORIZON",
        "SECTION_SHIFTS",
        "SECTION_STAFF",
        "SECTION_DAYS_OFF",
        "SECTION_SHIFT_ON_REQUESTS",
        "SECTION_SHIFT_OFF_REQUESTS",
        "SECTION_COVER",
    )
    missing = [s for s in needed if s not in sections]
    if missing:
        raise ValueError(f"{path}: missing sections {missing}")
    shifts = [
        (f[0], int(f[1]), tuple(x for x in f[2].split("|") if x) if len(f) > 2 else ())
        for f in sections["SECTION_SHIFTS"]
    ]
    staff = []
    for f in sections["SECTION_STAFF"]:
        limits = dict(pair.split("=") for pair in f[1].split("|") if pair)
        staff.append(
            CurtoisStaff(
                id=f[0],
                max_shifts={k: int(v) for k, v in limits.items()},
                max_total_minutes=int(f[2]),
                min_total_minutes=int(f[3]),
                max_consecutive=int(f[4]),
                min_consecutive=int(f[5]),
                min_days_off=int(f[6]),
                max_weekends=int(f[7]),
            )
        )
    days_off = {f[0]: [int(x) for x in f[1:] if x] for f in sections["SECTION_DAYS_OFF"]}

    def _requests(key: str) -> list[tuple[str, int, str, int]]:
        return [(f[0], int(f[1]), f[2], int(f[3])) for f in sections[key]]

    return CurtoisInstance(
        name=path.stem,
        horizon=int(sections["SECTION_HORIZON"][0][0]),
        shifts=shifts,
        staff=staff,
        days_off=days_off,
        on_requests=_requests("SECTION_SHIFT_ON_REQUESTS"),
        off_requests=_requests("SECTION_SHIFT_OFF_REQUESTS"),
        cover=[
            (int(f[0]), f[1], int(f[2]), int(f[3]), int(f[4])) for f in sections["SECTION_COVER"]
        ],
    )


def to_problem(instance: CurtoisInstance) -> RotaProblem:
    """Map a Curtois instance onto the generic rota engine (no instance-specific paths)."""
    dates = [_START + dt.timedelta(days=d) for d in range(instance.horizon)]
    shift_types = tuple(
        ShiftType(sid, dt.time(0, 0), length, cannot_follow=frozenset(banned))
        for sid, length, banned in instance.shifts
    )
    people = tuple(
        Person(
            s.id,
            rules=PersonRules(
                days_off=frozenset(dates[d] for d in instance.days_off.get(s.id, [])),
                max_shifts=s.max_shifts,
                min_total_minutes=s.min_total_minutes,
                max_total_minutes=s.max_total_minutes,
                max_consecutive_days=s.max_consecutive,
                min_consecutive_days=s.min_consecutive,
                min_consecutive_days_off=s.min_days_off,
                max_weekends=s.max_weekends,
            ),
        )
        for s in instance.staff
    )
    cover = tuple(
        CoverRequirement(dates[d], sid, req, under_penalty=under, over_penalty=over)
        for d, sid, req, under, over in instance.cover
    )
    requests = tuple(
        ShiftRequest(e, dates[d], sid, weight, on=True)
        for e, d, sid, weight in instance.on_requests
    ) + tuple(
        ShiftRequest(e, dates[d], sid, weight, on=False)
        for e, d, sid, weight in instance.off_requests
    )
    return RotaProblem(
        start=_START,
        n_days=instance.horizon,
        shift_types=shift_types,
        people=people,
        cover=cover,
        requests=requests,
        timezone="UTC",
        name=instance.name,
    )


def score_roster(
    instance: CurtoisInstance, rows: Iterable[tuple[str, int, str]]
) -> tuple[int, list[str]]:
    """Recompute the objective of a roster from the raw instance, checking every hard rule.

    This follows FORMAT.md §3 literally and shares no code with the rota engine.

    Args:
        instance: the parsed instance.
        rows: worked shifts ``(employee, day, shift)``.

    Returns:
        ``(objective, hard violations)``; the roster is valid only if the list is empty.
    """
    h = instance.horizon
    lengths = {sid: length for sid, length, _ in instance.shifts}
    banned = {sid: set(cf) for sid, _, cf in instance.shifts}
    roster: dict[tuple[str, int], list[str]] = defaultdict(list)
    errors: list[str] = []
    staff_ids = {s.id for s in instance.staff}
    for emp, day, sid in rows:
        if emp not in staff_ids or sid not in lengths or not 0 <= day < h:
            errors.append(f"unknown row {(emp, day, sid)}")
            continue
        roster[emp, day].append(sid)
    for s in instance.staff:
        shift_on = {d: roster.get((s.id, d), []) for d in range(h)}
        work = [len(shift_on[d]) > 0 for d in range(h)]
        for d in range(h):
            if len(shift_on[d]) > 1:
                errors.append(f"{s.id}: {len(shift_on[d])} shifts on day {d}")
        for d in range(h - 1):
            for t in shift_on[d]:
                for u in shift_on[d + 1]:
                    if u in banned[t]:
                        errors.append(f"{s.id}: {u} on day {d + 1} follows {t}")
        for sid, limit in s.max_shifts.items():
            n = sum(sid in shift_on[d] for d in range(h))
            if n > limit:
                errors.append(f"{s.id}: {n} x {sid} > {limit}")
        minutes = sum(lengths[t] for d in range(h) for t in shift_on[d])
        if not s.min_total_minutes <= minutes <= s.max_total_minutes:
            errors.append(
                f"{s.id}: {minutes} minutes outside [{s.min_total_minutes}, {s.max_total_minutes}]"
            )
        # runs of work and of days off, with their boundaries
        d = 0
        while d < h:
            e = d
            while e + 1 < h and work[e + 1] == work[d]:
                e += 1
            length = e - d + 1
            inside = d > 0 and e < h - 1
            if work[d]:
                if length > s.max_consecutive:
                    errors.append(f"{s.id}: {length} consecutive shifts from day {d}")
                if inside and length < s.min_consecutive:
                    errors.append(f"{s.id}: run of {length} shifts from day {d}")
            elif inside and length < s.min_days_off:
                errors.append(f"{s.id}: run of {length} days off from day {d}")
            d = e + 1
        weekends = sum(work[7 * k + 5] or work[7 * k + 6] for k in range(h // 7))
        if weekends > s.max_weekends:
            errors.append(f"{s.id}: {weekends} weekends > {s.max_weekends}")
        for d in instance.days_off.get(s.id, []):
            if work[d]:
                errors.append(f"{s.id}: works on day off {d}")
    objective = 0
    for emp, day, sid, weight in instance.on_requests:
        if sid not in roster.get((emp, day), []):
            objective += weight
    for emp, day, sid, weight in instance.off_requests:
        if sid in roster.get((emp, day), []):
            objective += weight
    count: dict[tuple[int, str], int] = defaultdict(int)
    for (_, day), shifts in roster.items():
        for sid in shifts:
            count[day, sid] += 1
    for day, sid, req, under, over in instance.cover:
        n = count[day, sid]
        objective += under * max(0, req - n) + over * max(0, n - req)
    return objective, errors


def read_best_known(path: Path | None = None) -> dict[str, dict[str, str]]:
    """Read ``best_known.csv`` as ``{instance: row}`` (an empty mapping if there is none)."""
    path = path or BENCHMARK_DIR / "best_known.csv"
    if not path.is_file():
        return {}
    with path.open(newline="", encoding="utf-8") as handle:
        return {row["instance"]: row for row in csv.DictReader(handle)}


def run_instance(
    path: Path,
    settings: SolverSettings,
    roster_out: Path | None = None,
    warm_start: bool = False,
) -> dict[str, object]:
    """Solve one instance and return the CLI's JSON record (objective recomputed from the CSV).

    Args:
        path: instance file.
        settings: solver settings.
        roster_out: where to write the roster CSV (``employee,day,shift``); a temporary file
            is used when ``None``.
        warm_start: start the solver from a person-by-person roster (see ``rota.heuristic``).

    Returns:
        ``instance, status, objective, bound, gap, build_s, solve_s``, ``wall_s`` (the whole
        engine call: build, warm start, solve, extraction) plus ``solver_objective``
        (the solver's own value), ``hard_violations``, model size and ``best_known``.
    """
    import tempfile  # noqa: PLC0415

    from lsc_workforce.rota.engine import solve  # noqa: PLC0415 - keeps parsing import-light

    instance = parse_instance(path)
    problem = to_problem(instance)
    # CP-SAT: the C21 flow arcs are the only multi-row continuous variables, integral for
    # integral assignments (see the module docstring).
    options = {"assume_integral": True} if settings.solver == "cpsat" else None
    began = time.perf_counter()
    solution = solve(problem, settings, check_roster=False, warm_start=warm_start, options=options)
    wall_s = time.perf_counter() - began
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(roster_out) if roster_out else Path(tmp) / "roster.csv"
        out.parent.mkdir(parents=True, exist_ok=True)
        day_of = problem.day_index
        rows = sorted(
            (str(r["staff_id"]), day_of[r["date"]], str(r["shift"]))
            for r in solution.roster.iter_rows(named=True)
        )
        with out.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(["employee", "day", "shift"])
            writer.writerows(rows)
        with out.open(newline="", encoding="utf-8") as handle:
            reread = [(r["employee"], int(r["day"]), r["shift"]) for r in csv.DictReader(handle)]
    result = solution.result
    has_roster = result.status.has_solution
    objective, violations = score_roster(instance, reread) if has_roster else (None, [])
    bound = result.bound
    gap = None
    if objective is not None and bound is not None:
        gap = 0.0 if objective - bound <= 1e-6 else (objective - bound) / max(abs(objective), 1e-9)
    # best_known.csv sits beside the instances/ folder, so a copy elsewhere finds its own.
    best = read_best_known(path.parent.parent / "best_known.csv").get(instance.name, {})
    return {
        "instance": instance.name,
        "status": result.status.value,
        "objective": objective,
        "bound": bound,
        "gap": gap,
        "build_s": round(result.build_s, 3),
        "solve_s": round(result.solve_s, 3),
        "wall_s": round(wall_s, 3),
        "solver": result.solver,
        "solver_objective": result.objective,
        "hard_violations": len(violations),
        "n_vars": solution.model_size["variables"],
        "n_rows": solution.model_size["constraints"],
        "c21_rows": solution.model_size["c21_rows"],
        "c21_freed_rows": solution.model_size["c21_freed_rows"],
        "best_known": int(best["best_known"]) if best else None,
        "warm_start": warm_start,
        "seed": settings.seed if warm_start else None,
        "peak_rss_mb": _peak_rss_mb(),
        "message": result.message,
    }


def _peak_rss_mb() -> float:
    """Peak resident memory of this process and its finished children (CBC), in MB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round(max(own, children) / 1024, 1)  # Linux reports kilobytes


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point (see the module docstring)."""
    parser = argparse.ArgumentParser(
        prog="python -m lsc_workforce.rota.benchmarks", description=__doc__.splitlines()[0]
    )
    parser.add_argument("instance", type=Path, help="instance file, e.g. Instance1.txt")
    parser.add_argument("--time-limit", type=float, default=600.0, help="seconds (default 600)")
    parser.add_argument("--solver", choices=("highs", "cbc", "cpsat"), default="highs")
    parser.add_argument(
        "--threads",
        type=int,
        default=2,
        help="solver threads, and the warm start's search processes (default 2)",
    )
    parser.add_argument("--gap", type=float, default=1e-6, help="relative MIP gap to stop at")
    parser.add_argument(
        "--seed",
        type=int,
        default=SolverSettings.seed,
        help="seed of the warm start's search (default %(default)s)",
    )
    parser.add_argument("--roster-out", type=Path, default=None, help="roster CSV to write")
    parser.add_argument(
        "--warm-start",
        action="store_true",
        help="start from a person-by-person roster (helps HiGHS on large instances)",
    )
    args = parser.parse_args(argv)
    settings = SolverSettings(
        solver=args.solver,
        time_limit_s=args.time_limit,
        gap_rel=args.gap,
        threads=args.threads,
        seed=args.seed,
    )
    record = run_instance(args.instance, settings, args.roster_out, args.warm_start)
    print(json.dumps(record))  # noqa: T201 - the CLI's output is this JSON line
    return 0 if record["hard_violations"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
