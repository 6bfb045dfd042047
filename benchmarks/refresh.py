"""Benchmark the refresh: validation and full refresh on the reference data, and validation plus
baseline analysis on a 20x scaled dataset (NHS England order of magnitude).

Run with ``.venv/bin/python benchmarks/refresh.py``. The refresh itself writes to a temporary
folder; the repository's ``outputs/`` is not touched. The timings are printed and written as the
``refresh`` section of ``docs/benchmarks.md`` (``--no-doc``: not written).
"""

from __future__ import annotations

import argparse
import platform
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmark_doc import markdown_table, write_section

from lsc_workforce import baseline, contracts, quality, run
from lsc_workforce.config import REFERENCE_DATA_DIR
from lsc_workforce.data import load_datasets
from lsc_workforce.synthetic import write_reference_data


def timed(label: str, fn: Callable[[], Any], rows: list[tuple[str, float, str]], note: str = ""):
    start = time.perf_counter()
    value = fn()
    seconds = time.perf_counter() - start
    rows.append((label, seconds, note))
    print(f"{label:<52} {seconds:8.2f} s  {note}", flush=True)
    return value


def validate(data_dir: Path) -> contracts.ContractReport:
    report = contracts.validate_datasets(load_datasets(data_dir))
    if not report.success:
        raise SystemExit(f"validation failed on {data_dir}:\n{report.summary()}")
    return report


def analyse(data_dir: Path) -> int:
    frames = load_datasets(data_dir)
    staff, vacancies = frames["staff_in_post"], frames["vacancies"]
    params = baseline.BaselineParams()
    tables = [
        baseline.summarise_baseline(staff, vacancies, params, by=["trust_code", "staff_group"]),
        baseline.summarise_workforce(staff, by=["trust_code", "staff_group", "grade"]),
        baseline.summarise_age_profile(staff, by=["staff_group"]),
        quality.summarise_title_mapping(frames["local_job_titles"], staff),
        quality.summarise_completeness(frames),
    ]
    return sum(table.height for table in tables)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=20.0, help="scale of the large dataset")
    parser.add_argument("--skip-refresh", action="store_true", help="skip the full refresh")
    parser.add_argument("--no-doc", action="store_true", help="do not write docs/benchmarks.md")
    args = parser.parse_args()
    rows: list[tuple[str, float, str]] = []
    parallel = run.RefreshConfig.from_yaml(run.DEFAULT_REFRESH_CONFIG).parallel
    print(f"python {platform.python_version()} on {platform.machine()}, refresh benchmark")
    staff_rows = load_datasets(REFERENCE_DATA_DIR, ["staff_in_post"])["staff_in_post"].height
    timed(
        "validation, reference data (first: imports GX)",
        lambda: validate(REFERENCE_DATA_DIR),
        rows,
        f"{staff_rows} posts",
    )
    timed("validation, reference data (warm)", lambda: validate(REFERENCE_DATA_DIR), rows)
    with tempfile.TemporaryDirectory(prefix="lsc-bench-") as temp:
        temp_dir = Path(temp)
        if not args.skip_refresh:
            result = timed(
                "full refresh, reference data (config/refresh.yaml)",
                lambda: run.refresh(None, None, temp_dir / "outputs"),
                rows,
            )
            if not result.success:
                raise SystemExit(f"refresh failed: {result.message}")
            for notebook in result.notebooks:
                print(f"  {notebook.name:<50} {notebook.seconds:8.2f} s")
                rows.append((f"  notebook {notebook.name}", notebook.seconds, ""))
        big = temp_dir / f"scale_{args.scale:g}"
        timed(
            f"generate {args.scale:g}x dataset",
            lambda: write_reference_data(big, scale=args.scale),
            rows,
        )
        big_rows = load_datasets(big, ["staff_in_post"])["staff_in_post"].height
        timed(f"validation, {args.scale:g}x data", lambda: validate(big), rows, f"{big_rows} posts")
        table_rows = timed(
            f"baseline + quality analysis, {args.scale:g}x data", lambda: analyse(big), rows
        )
        print(f"  ({table_rows} output rows)")
    table = markdown_table(
        ["step", "seconds"],
        [
            [f"{label}{' (' + note + ')' if note else ''}", f"{seconds:.1f}"]
            for label, seconds, note in rows
        ],
    )
    print("\n" + table)
    if not args.no_doc:
        body = (
            table
            + f"\n\n`python benchmarks/refresh.py --scale {args.scale:g}"
            + (" --skip-refresh" if args.skip_refresh else "")
            + "`: contract validation and the full refresh of `config/refresh.yaml` on the "
            "shipped reference data, then validation and the baseline and quality tables on a "
            f"{args.scale:g}x scaled dataset. The `notebook` rows are parts of the full refresh; "
            f"with `parallel: {parallel}` up to {parallel} notebooks run at once, so the rows add "
            "up to more than the refresh. Target: a full refresh in under 3 minutes on 2 cores."
        )
        print(f"wrote the refresh section of {write_section('refresh', 'Refresh', body)}")


if __name__ == "__main__":
    main()
