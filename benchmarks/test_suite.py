"""Time the test suite: ``make test-quick``'s selection and the whole of ``make test``.

Run with ``.venv/bin/python benchmarks/test_suite.py`` (about 15 minutes on 2 cores). Each run is
pytest with the arguments of its make target (the quick selection is read from the Makefile's
``QUICK`` line) plus ``--durations``; the wall time, the counts of passed, skipped and failed
tests and the ten slowest test phases of the full run are printed and written as the ``tests``
section of ``docs/benchmarks.md`` (``--no-doc``: not written). ``--quick-only`` times only the
quick selection. Exits 1 if any test failed.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmark_doc import markdown_table, write_section

REPO_DIR = Path(__file__).resolve().parents[1]
SLOWEST = 10

_OUTCOME = re.compile(r"(\d+) (passed|failed|skipped|deselected|errors?|xfailed|xpassed)\b")
_DURATION = re.compile(r"^\s*([\d.]+)s (setup|call|teardown)\s+(\S.*)$")


@dataclass
class SuiteRun:
    """One timed pytest run."""

    name: str
    target: str
    args: list[str]
    seconds: float = 0.0
    load: float = 0.0
    returncode: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    slowest: list[tuple[float, str, str]] = field(default_factory=list)


def quick_selection(makefile: Path = REPO_DIR / "Makefile") -> str:
    """The ``-m`` expression of ``make test-quick`` (the Makefile's ``QUICK := ...`` line)."""
    match = re.search(r"^QUICK\s*:=\s*(.+)$", makefile.read_text(encoding="utf-8"), re.MULTILINE)
    if match is None:
        raise SystemExit(f"{makefile} has no QUICK := line")
    return match.group(1).strip()


def run_suite(suite: SuiteRun) -> SuiteRun:
    """Run pytest as ``make`` would, timing it and reading its summary and durations."""
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *suite.args]
    command += [f"--durations={SLOWEST}"]
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_ADDOPTS"}
    suite.load = os.getloadavg()[0]
    print(f"{suite.name}: {' '.join(command[1:])}", flush=True)
    began = time.perf_counter()
    result = subprocess.run(
        command, cwd=REPO_DIR, env=env, capture_output=True, text=True, check=False
    )
    suite.seconds = time.perf_counter() - began
    suite.returncode = result.returncode
    lines = result.stdout.splitlines()
    summary = next((line for line in reversed(lines) if _OUTCOME.search(line)), "")
    suite.counts = {
        ("errors" if kind.startswith("error") else kind): int(n)
        for n, kind in _OUTCOME.findall(summary)
    }
    for line in lines:
        if match := _DURATION.match(line):
            suite.slowest.append((float(match[1]), match[2], match[3]))
    if result.returncode not in (0, 5):
        print(result.stdout[-4000:], result.stderr[-2000:], sep="\n", file=sys.stderr)
    print(f"  {_minutes(suite.seconds)}; {summary.strip('= ')}", flush=True)
    return suite


def _minutes(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s" if minutes else f"{rest} s"


def _cell(text: str) -> str:
    """``text`` safe inside a Markdown table cell."""
    return text.replace("|", "\\|")


def section(runs: list[SuiteRun]) -> str:
    """Markdown of the runs: one row each, then the slowest phases of the last run."""
    rows = [
        [
            suite.name,
            f"`{suite.target}`",
            _minutes(suite.seconds),
            suite.counts.get("passed", 0),
            suite.counts.get("skipped", 0),
            suite.counts.get("failed", 0) + suite.counts.get("errors", 0),
            suite.counts.get("deselected", 0),
            f"{suite.load:.1f}",
        ]
        for suite in runs
    ]
    body = [
        "Wall time of each selection, run one after the other by `benchmarks/test_suite.py` "
        "(pytest with the make target's arguments). The load average is the machine's at the "
        "start of the run: other work on the machine lengthens the wall time.",
        "",
        markdown_table(
            ["Run", "Command", "Wall time", "Passed", "Skipped", "Failed", "Deselected", "Load"],
            rows,
        ),
    ]
    last = runs[-1]
    if last.slowest:
        body += [
            "",
            f"The {len(last.slowest)} slowest test phases of the {last.name.lower()} run "
            "(a session fixture's time counts in the setup of the first test that uses it):",
            "",
            markdown_table(
                ["Seconds", "Phase", "Test"],
                [[f"{s:.1f}", phase, f"`{_cell(test)}`"] for s, phase, test in last.slowest],
            ),
        ]
    return "\n".join(body)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick-only", action="store_true", help="time only make test-quick")
    parser.add_argument("--no-doc", action="store_true", help="do not write docs/benchmarks.md")
    args = parser.parse_args(argv)
    runs = [SuiteRun("Quick", "make test-quick", ["-m", quick_selection()])]
    if not args.quick_only:
        runs.append(SuiteRun("Full", "make test", []))
    for suite in runs:
        run_suite(suite)
    if not args.no_doc:
        print(f"wrote {write_section('tests', 'Test suite', section(runs))}")
    return 1 if any(suite.returncode not in (0, 5) for suite in runs) else 0


if __name__ == "__main__":
    sys.exit(main())
