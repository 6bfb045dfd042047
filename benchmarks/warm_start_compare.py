"""Compare the warm-started rota engine with an earlier commit's; write the ``warm_start`` section.

A change to the warm start or the solve path must not make large instances worse. The warm
start's search is randomised, so one run proves nothing: each (instance, seed) runs with the
earlier commit's package and with this checkout's, back to back at the same limit (the order
alternating from pair to pair, so that a drift in the machine's load falls on both sides), and
each side's median over the seeds is compared. The change passes on an instance when the
median after is no worse than the median before plus the spread (largest less smallest) the
seeds show before.

The earlier commit is checked out into a temporary git worktree; both sides run the benchmark
CLI (``python -m lsc_workforce.rota.benchmarks``) on this checkout's instance files, one thread,
each run in its own process, and the objective is recomputed from the roster by
``score_roster``.

Usage::

    python benchmarks/warm_start_compare.py --before f235e28              # 8-12, seeds 1-3, 60 s
    python benchmarks/warm_start_compare.py --before f235e28 --instances 8,9 --time-limit 120

The exit code is 1 if an instance fails the comparison or a roster breaks a hard rule.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmark_doc import REPO_DIR, markdown_table, write_section
from rota_benchmarks import parse_range, run_one

from lsc_workforce.config import OUTPUTS_DIR


def compare(before: list[int | None], after: list[int | None]) -> dict:
    """Medians, the seeds' spread before, and whether ``after`` is within it or better.

    A run without a roster counts as worse than any roster.
    """
    inf = float("inf")
    b = [inf if x is None else x for x in before]
    a = [inf if x is None else x for x in after]
    median_b, median_a = statistics.median(b), statistics.median(a)
    spread = max(b) - min(b)
    return {
        "median_before": median_b,
        "median_after": median_a,
        "spread_before": spread,
        "passes": median_a <= median_b + spread,
    }


def _fmt(value: float) -> str:
    return "no roster" if value == float("inf") else f"{value:,.0f}"


def section(rows: list[dict], command: str, revs: tuple[str, str], load: tuple[float, float]):
    """The ``warm_start`` section: per instance, both sides' objectives, medians and verdict."""
    table = [
        [
            r["instance"],
            ", ".join(_fmt(x if x is not None else float("inf")) for x in r["before"]),
            ", ".join(_fmt(x if x is not None else float("inf")) for x in r["after"]),
            _fmt(r["median_before"]),
            _fmt(r["median_after"]),
            _fmt(r["spread_before"]),
            "yes" if r["passes"] else "NO",
        ]
        for r in rows
    ]
    headers = [
        "instance",
        f"objectives before ({revs[0]})",
        f"objectives after ({revs[1]})",
        "median before",
        "median after",
        "spread before",
        "after within spread or better",
    ]
    notes = [
        f"`{command}`: warm start, HiGHS, one thread, each run in its own process, the two "
        "sides of each (instance, seed) back to back in alternating order; one-minute load "
        f"average {load[0]:.1f} at the start and {load[1]:.1f} at the end, on "
        f"{os.cpu_count()} cores.",
        "Objectives are recomputed from each roster by `score_roster` (lower is better), one per "
        'seed in seed order. "Spread before" is the largest less the smallest objective before. '
        "An instance passes when the median after is at most the median before plus that "
        "spread.",
    ]
    return markdown_table(headers, table) + "\n\n" + "\n\n".join(notes)


def _short(rev: str) -> str:
    return subprocess.run(
        ["git", "rev-parse", "--short", rev],
        cwd=REPO_DIR,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True, help="the earlier commit, e.g. f235e28")
    parser.add_argument("--instances", default="8-12", help="default 8-12")
    parser.add_argument("--seeds", default="1,2,3", help="default 1,2,3")
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds (default 60)")
    parser.add_argument(
        "--out", type=Path, default=OUTPUTS_DIR / "benchmarks" / "warm_start_compare.jsonl"
    )
    parser.add_argument("--no-doc", action="store_true", help="do not write docs/benchmarks.md")
    args = parser.parse_args(argv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    seeds = [int(s) for s in args.seeds.split(",")]
    revs = (_short(args.before), _short("HEAD"))
    load_start = os.getloadavg()[0]
    rows, broken, pair = [], [], 0
    with tempfile.TemporaryDirectory() as tmp:
        old = Path(tmp) / "before"
        subprocess.run(
            ["git", "worktree", "add", "--detach", "--quiet", str(old), args.before],
            cwd=REPO_DIR,
            check=True,
        )
        try:
            for n in parse_range(args.instances):
                objectives: dict[str, list[int | None]] = {"before": [], "after": []}
                for seed in seeds:
                    sides = [("before", old), ("after", None)]
                    for side, package in sides if pair % 2 == 0 else sides[::-1]:
                        record = run_one(
                            n,
                            "highs",
                            args.time_limit,
                            1,
                            warm_start=True,
                            seed=seed,
                            package_dir=package,
                        )
                        record["side"], record["rev"] = side, revs[side == "after"]
                        with args.out.open("a", encoding="utf-8") as handle:
                            handle.write(json.dumps(record) + "\n")
                        print(json.dumps(record), flush=True)
                        objectives[side].append(record.get("objective"))
                        if record.get("hard_violations"):
                            broken.append(f"Instance{n} seed {seed} {side}")
                    pair += 1
                verdict = compare(objectives["before"], objectives["after"])
                rows.append({"instance": n, **objectives, **verdict})
        finally:
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(old)], cwd=REPO_DIR, check=False
            )
    command = (
        f"python benchmarks/warm_start_compare.py --before {args.before} --instances "
        f"{args.instances} --seeds {args.seeds} --time-limit {args.time_limit:g}"
    )
    body = section(rows, command, revs, (load_start, os.getloadavg()[0]))
    print(body)
    if not args.no_doc:
        path = write_section("warm_start", "Warm start before and after", body)
        print(f"wrote the warm_start section of {path}")
    for name in broken:
        print(f"FAILED: {name} breaks a hard rule", file=sys.stderr)
    return 1 if broken or not all(r["passes"] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
