"""Measure how far past its time limit a warm-started rota solve returns; write ``time_limits``.

The engine's promise (``rota.engine.solve``): the time limit ``L`` counts from the end of the
model's build, and the warm start, every hand-over of the model to HiGHS and back and the
final solve end within it, up to the solver's own overrun. The bound this script checks is
``L + max(5 s, 2 % of L)``.

Each (instance, limit) runs the benchmark CLI in its own process with the warm start, as
``rota_benchmarks.py`` does. Two measures are reported:

* **overrun**: the engine's wall time (``wall_s``: build, warm start, solve, extraction) less
  the build and less ``L``; this is what the bound is about;
* **process**: the whole process's wall time less ``L``, which adds parsing the instance,
  importing the package and writing the roster, outside any solver call.

Usage::

    python benchmarks/time_limits.py                          # Instance 24 at 600 s
    python benchmarks/time_limits.py --instances 12,24 --limits 60,600

The exit code is 1 if any overrun exceeds its bound.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from benchmark_doc import markdown_table, write_section
from rota_benchmarks import parse_range, run_one


def allowed_overrun(limit: float) -> float:
    """Seconds a solve with limit ``limit`` may return after it: ``max(5, 2 % of limit)``."""
    return max(5.0, 0.02 * limit)


def overrun(record: dict) -> float | None:
    """Seconds past the time limit, counted from the end of the build (``None``: no record)."""
    if record.get("wall_s") is None:
        return None
    return record["wall_s"] - record["build_s"] - record["time_limit"]


def section(records: list[dict], command: str, load: tuple[float, float]) -> str:
    """The ``time_limits`` section: one row per run, then how it was measured."""
    rows = []
    for r in records:
        over = overrun(r)
        bound = allowed_overrun(r["time_limit"])
        rows.append(
            [
                r["instance"].removeprefix("Instance"),
                f"{r['time_limit']:g}",
                "-" if r.get("build_s") is None else f"{r['build_s']:.1f}",
                "-" if r.get("wall_s") is None else f"{r['wall_s']:.1f}",
                "-" if over is None else f"{over:+.1f}",
                f"{bound:.0f}",
                "-" if over is None else ("yes" if over <= bound else "NO"),
                f"{r['wall_process_s'] - r['time_limit']:+.1f}",
                r.get("status", "-"),
            ]
        )
    headers = [
        "instance",
        "limit s",
        "build s",
        "engine wall s",
        "overrun s",
        "allowed s",
        "within",
        "process less limit s",
        "status",
    ]
    notes = [
        f"`{command}`, warm start, HiGHS, one thread, each run in its own process; one-minute "
        f"load average {load[0]:.1f} at the start and {load[1]:.1f} at the end, on "
        f"{os.cpu_count()} cores.",
        '"Overrun" is the engine\'s wall time (build, warm start, solve, extraction) less the '
        "build and less the limit: the limit counts from the end of the build. Negative means "
        'the solve returned early. "Allowed" is max(5 s, 2 % of the limit). "Process less '
        'limit" also counts parsing the instance, imports and writing the roster file.',
    ]
    return markdown_table(headers, rows) + "\n\n" + "\n\n".join(notes)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", default="24", help="e.g. 24 or 12,24 (default 24)")
    parser.add_argument("--limits", default="600", help="seconds, comma-separated (default 600)")
    parser.add_argument("--no-doc", action="store_true", help="do not write docs/benchmarks.md")
    args = parser.parse_args(argv)
    limits = [float(x) for x in args.limits.split(",")]
    load_start = os.getloadavg()[0]
    records = []
    for n in parse_range(args.instances):
        for limit in limits:
            record = run_one(n, "highs", limit, 1, warm_start=True)
            records.append(record)
            print(json.dumps(record), flush=True)
            print(
                f"Instance{n} at {limit:g} s: overrun {overrun(record)} s "
                f"(allowed {allowed_overrun(limit):.0f} s), status {record.get('status')}",
                flush=True,
            )
    command = "python benchmarks/time_limits.py " + " ".join(
        [f"--instances {args.instances}", f"--limits {args.limits}"]
    )
    body = section(records, command, (load_start, os.getloadavg()[0]))
    print(body)
    if not args.no_doc:
        path = write_section("time_limits", "Time limits", body)
        print(f"wrote the time_limits section of {path}")
    late = [r for r in records if (o := overrun(r)) is None or o > allowed_overrun(r["time_limit"])]
    return 1 if late else 0


if __name__ == "__main__":
    sys.exit(main())
