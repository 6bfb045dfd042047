"""Measure the rota engine on the Curtois & Qu benchmark (Instances 1-24) and print a table.

Each (instance, solver) runs in its own process through the CLI
``python -m lsc_workforce.rota.benchmarks`` (so peak memory is per run), one at a time. The
objective printed is the one recomputed from the roster CSV. Defaults follow issue 3: every
instance, 600 s each, HiGHS on all and CBC on 1-7 for the HiGHS/CBC ratio, 2 threads, and
the person-by-person warm start (``--warm-start``) from Instance 8 on.

Usage::

    python benchmarks/rota_benchmarks.py                       # the full run (hours)
    python benchmarks/rota_benchmarks.py --instances 1-4 --time-limit 60 --threads 1
    python benchmarks/rota_benchmarks.py --instances 8-14 --time-limit 120 --cbc none
    python benchmarks/rota_benchmarks.py --instances 13,16 --cbc none --seeds 1,2,3
                                                                # the search's spread
    python benchmarks/rota_benchmarks.py --instances 7-9 --solver cpsat --cbc none \
        --warm-start-from 99                                    # OR-Tools CP-SAT instead

Results are appended as JSON lines to ``--out`` (default
``outputs/benchmarks/rota_benchmarks.jsonl``) and printed as a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

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
        name = r["instance"]
        n = int(name.removeprefix("Instance"))
        bk = int(best[name]["best_known"]) if name in best else None
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", default="1-24")
    parser.add_argument("--cbc", default="1-7", help="instances also run with CBC ('none')")
    parser.add_argument(
        "--solver",
        choices=("highs", "cpsat"),
        default="highs",
        help="main solver (CBC runs are controlled by --cbc)",
    )
    parser.add_argument("--time-limit", type=float, default=600.0)
    parser.add_argument("--threads", type=int, default=2)
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
    args = parser.parse_args(argv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    jobs = [(n, args.solver) for n in parse_range(args.instances)]
    jobs += [(n, "cbc") for n in parse_range(args.cbc) if n in parse_range(args.instances)]
    records = []
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
