"""Measure the rota engine on the Curtois & Qu benchmark and write the ``curtois`` section.

The default run is the regression benchmark of ``make bench``: Instances 1-7, HiGHS, one thread,
600 s each, no warm start. Each of them has a proven optimum in ``best_known.csv``, so the run
checks that every instance ends proven optimal at the best-known objective, and reports the
seconds beside CPLEX 12.9's published proof times. The larger instances (8-24) run on request,
with the person-by-person warm start (``--warm-start``) from Instance 8 on.

Each (instance, solver) runs in its own process through the CLI
``python -m lsc_workforce.rota.benchmarks`` (so peak memory is per run), one at a time. The
objective reported is the one recomputed from the roster CSV by ``score_roster``, which reads
the instance file directly.

Usage::

    python benchmarks/rota_benchmarks.py                       # the regression set, 1-7
    python benchmarks/rota_benchmarks.py --instances 1-4 --time-limit 60
    python benchmarks/rota_benchmarks.py --instances 1-3 --cbc 1-3   # CBC beside HiGHS
    python benchmarks/rota_benchmarks.py --instances 8-24 --threads 2   # up to 600 s each
    python benchmarks/rota_benchmarks.py --instances 13,16 --seeds 1,2,3
                                                                # the search's spread
    python benchmarks/rota_benchmarks.py --instances 7-9 --solver cpsat \
        --warm-start-from 99                                    # OR-Tools CP-SAT instead

Results are appended as JSON lines to ``--out`` (default
``outputs/benchmarks/rota_benchmarks.jsonl``), printed as a Markdown table and written as the
``curtois`` section of ``docs/benchmarks.md`` (``--doc FILE`` elsewhere, ``--no-doc`` not at
all). The exit code is 1 if a roster breaks a hard rule, or if an instance whose optimum is
proven in ``best_known.csv`` ends proven optimal at a different objective.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmark_doc import DOC, markdown_table, write_section

from lsc_workforce.config import OUTPUTS_DIR
from lsc_workforce.rota.benchmarks import BENCHMARK_DIR, read_best_known

#: CPLEX 12.9 proof times (s) from Strandmark, Qu & Curtois (2020) Table 3, via best_known.csv.
CPLEX_PROOF_S = {1: 0.59, 2: 0.97, 3: 10.08, 4: 46.98, 5: 101.91, 6: 60.71, 7: 1019.73}


def parse_range(text: str) -> list[int]:
    """``"1-4,8"`` -> ``[1, 2, 3, 4, 8]``; ``"none"`` -> ``[]``."""
    if text.strip().lower() == "none":
        return []
    out: list[int] = []
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        out.extend(range(int(lo), int(hi or lo) + 1))
    return out


def run_one(
    instance: int,
    solver: str,
    time_limit: float,
    threads: int,
    *,
    warm_start: bool = False,
    seed: int | None = None,
) -> dict:
    """Run the CLI on one instance in a fresh process and return its JSON record."""
    path = BENCHMARK_DIR / "instances" / f"Instance{instance}.txt"
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [
            sys.executable,
            "-m",
            "lsc_workforce.rota.benchmarks",
            str(path),
            "--time-limit",
            str(time_limit),
            "--solver",
            solver,
            "--threads",
            str(threads),
            "--roster-out",
            str(Path(tmp) / "roster.csv"),
        ]
        if warm_start:
            cmd.append("--warm-start")
            if seed is not None:
                cmd += ["--seed", str(seed)]
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if not lines:
        return {
            "instance": f"Instance{instance}",
            "solver": solver,
            "status": "error",
            "message": done.stderr[-500:],
        }
    record = json.loads(lines[-1])
    record["time_limit"] = time_limit
    record["threads"] = threads
    return record


def _fmt(value, digits=1):
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _number(record: dict) -> int:
    return int(record["instance"].removeprefix("Instance"))


def _best_known(record: dict, best: dict[str, dict[str, str]]) -> tuple[int | None, bool]:
    """The best-known objective of the record's instance and whether it is proven optimal."""
    row = best.get(record["instance"])
    if row is None:
        return None, False
    return int(row["best_known"]), row["proven_optimal"] == "yes"


def table(records: list[dict]) -> str:
    """Markdown table of the records, with CPLEX times and the best-known gap."""
    best = read_best_known()
    head = (
        "| instance | solver | seed | status | objective | best known | gap to best | bound | "
        "build s | solve s | CPLEX proof s | vars | rows | peak MB |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    )
    rows = [head]
    for r in records:
        n = _number(r)
        bk, _ = _best_known(r, best)
        obj = r.get("objective")
        gap_best = None if obj is None or bk is None else (obj - bk) / bk
        rows.append(
            f"| {n} | {r.get('solver')} | {_fmt(r.get('seed'))} | {r.get('status')} | "
            f"{_fmt(obj)} | {_fmt(bk)} | "
            f"{_fmt(None if gap_best is None else 100 * gap_best, 2)}% | {_fmt(r.get('bound'))} | "
            f"{_fmt(r.get('build_s'), 2)} | {_fmt(r.get('solve_s'), 1)} | "
            f"{_fmt(CPLEX_PROOF_S.get(n))} | {_fmt(r.get('n_vars'))} | {_fmt(r.get('n_rows'))} | "
            f"{_fmt(r.get('peak_rss_mb'))} |"
        )
    return "\n".join(rows)


def ratios(records: list[dict]) -> str:
    """CBC/HiGHS (or CBC/CP-SAT) solve-time ratios for instances run with both."""
    by = {(r["instance"], r.get("solver")): r for r in records}
    lines = []
    for (name, solver), r in by.items():
        other = by.get((name, "cbc"))
        if solver in ("highs", "cpsat") and other and r.get("solve_s") and other.get("solve_s"):
            label = {"highs": "HiGHS", "cpsat": "CP-SAT"}[solver]
            lines.append(
                f"{name}: {label} {r['solve_s']:.1f} s ({r['status']}) vs CBC "
                f"{other['solve_s']:.1f} s ({other['status']}): CBC/{label} = "
                f"{other['solve_s'] / r['solve_s']:.1f}x"
            )
    return "\n".join(lines)


def verdict(record: dict, best: dict[str, dict[str, str]]) -> str:
    """``"proven optimal"``, ``"gap x %"`` to the record's bound, or why there is neither."""
    if record.get("status") == "error":
        return "error"
    if record.get("objective") is None:
        return "no roster"
    if record.get("status") == "optimal":
        bk, proven = _best_known(record, best)
        if proven and record["objective"] != bk:
            return f"proven optimal, but best known is {bk}"
        return "proven optimal"
    gap = record.get("gap")
    return "no bound" if gap is None else f"gap {100 * gap:.2f} %"


def failures(records: list[dict]) -> list[str]:
    """What makes the run fail: hard-rule breaches, or a proof at another objective."""
    best = read_best_known()
    out = []
    for r in records:
        if r.get("hard_violations"):
            out.append(f"{r['instance']} ({r.get('solver')}): {r['hard_violations']} hard breaches")
        bk, proven = _best_known(r, best)
        if r.get("status") == "optimal" and proven and r.get("objective") != bk:
            out.append(f"{r['instance']}: proven optimal at {r.get('objective')}, best known {bk}")
    return out


def section(
    records: list[dict], args: argparse.Namespace, load: tuple[float, float] | None = None
) -> str:
    """The ``curtois`` section of docs/benchmarks.md: one row per record, then the settings.

    ``load`` is the machine's one-minute load average at the start and the end of the run.
    """
    best = read_best_known()
    rows = []
    for r in records:
        n = _number(r)
        bk, _ = _best_known(r, best)
        seconds = None
        if r.get("solve_s") is not None:
            seconds = r["solve_s"] + (r.get("build_s") or 0.0)
        rows.append(
            [
                n,
                r.get("solver"),
                "-" if r.get("objective") is None else f"{r['objective']:,}",
                "-" if bk is None else f"{bk:,}",
                verdict(r, best),
                _fmt(seconds),
                _fmt(CPLEX_PROOF_S.get(n)),
                _fmt(r.get("hard_violations")),
            ]
        )
    headers = [
        "instance",
        "solver",
        "objective",
        "best known",
        "proven or gap",
        "seconds",
        "CPLEX 12.9 proof s",
        "hard breaches",
    ]
    warm = [_number(r) for r in records if r.get("warm_start")]
    notes = [
        f"`python benchmarks/rota_benchmarks.py --instances {args.instances} --cbc {args.cbc} "
        f"--solver {args.solver} --time-limit {args.time_limit:g} --threads {args.threads}`"
        + (f" (warm start on {', '.join(map(str, sorted(set(warm))))})" if warm else "")
        + ", each instance in its own process, one at a time"
        + (
            "."
            if load is None
            else f"; one-minute load average {load[0]:.1f} at the start and {load[1]:.1f} at "
            f"the end, on {os.cpu_count()} cores (above that, other work shared the cores)."
        ),
        "The objective is recomputed from the roster file by `score_roster`, which reads the "
        'instance file directly; "hard breaches" counts the hard rules that roster breaks. '
        '"Seconds" is model build plus solve. "Best known" is from '
        "`benchmarks/curtois/best_known.csv`; CPLEX 12.9 proof times are from Strandmark, Qu & "
        "Curtois (2020), Table 3, on other hardware.",
    ]
    return markdown_table(headers, rows) + "\n\n" + "\n\n".join(notes)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", default="1-7", help="e.g. 1-7 or 1,3,8-10 (default 1-7)")
    parser.add_argument(
        "--cbc", default="none", help="instances also run with CBC (default none), e.g. 1-3"
    )
    parser.add_argument(
        "--solver",
        choices=("highs", "cpsat"),
        default="highs",
        help="main solver (CBC runs are controlled by --cbc)",
    )
    parser.add_argument("--time-limit", type=float, default=600.0, help="seconds per instance")
    parser.add_argument("--threads", type=int, default=1, help="solver threads (default 1)")
    parser.add_argument(
        "--warm-start-from",
        type=int,
        default=8,
        help="use the person-by-person warm start for instances >= this number",
    )
    parser.add_argument(
        "--seeds",
        default=None,
        help="comma-separated seeds of the warm start's search: each warm-started instance "
        "runs once per seed (default: the engine's one seed)",
    )
    parser.add_argument(
        "--out", type=Path, default=OUTPUTS_DIR / "benchmarks" / "rota_benchmarks.jsonl"
    )
    parser.add_argument("--doc", type=Path, default=DOC, help="page whose section to replace")
    parser.add_argument("--no-doc", action="store_true", help="do not write the page")
    args = parser.parse_args(argv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    jobs = [(n, args.solver) for n in parse_range(args.instances)]
    jobs += [(n, "cbc") for n in parse_range(args.cbc) if n in parse_range(args.instances)]
    records = []
    load_start = os.getloadavg()[0]
    seeds = [None] if args.seeds is None else [int(s) for s in args.seeds.split(",")]
    for n, solver in jobs:
        warm = n >= args.warm_start_from
        for seed in seeds if warm else [None]:
            record = run_one(n, solver, args.time_limit, args.threads, warm_start=warm, seed=seed)
            records.append(record)
            with args.out.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(record) + "\n")
            print(json.dumps(record), flush=True)
    print(table(records))
    print(ratios(records))
    if not args.no_doc:
        body = section(records, args, (load_start, os.getloadavg()[0]))
        path = write_section("curtois", "Curtois & Qu benchmark", body, args.doc)
        print(f"wrote the curtois section of {path}")
    problems = failures(records)
    for problem in problems:
        print(f"FAILED: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
