"""Checks too slow for ``make test``: ``.venv/bin/python benchmarks/slow_checks.py [check ...]``.

* ``defaults``: the data-quality and baseline notebooks, executed by papermill with nothing but
  ``OUTPUT_DIR`` (as an analyst opening them in Jupyter would), publish the same tables as a
  refresh of the shipped configuration. The suite checks the cheap half of this on every run
  (``tests/refresh/test_notebooks_static.py``: every default is what the refresh passes); this
  executes both notebooks twice, about a minute on 2 cores.

Each check prints ``ok`` or what differs; the script exits 1 if any check failed. Everything is
written to a temporary folder; the repository's ``outputs/`` is not touched.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import polars as pl
import yaml

from lsc_workforce import run
from lsc_workforce.config import CONFIG_DIR, REPO_DIR

DEFAULTS_NOTEBOOKS = ("00_data_quality", "10_workforce_baseline")
DEFAULTS_TABLES = (
    "quality/tables/completeness_by_trust.csv",
    "baseline/tables/baseline_by_trust_group.csv",
)


def check_defaults(folder: Path) -> list[str]:
    """Run the two notebooks by a refresh and with their defaults; name each table that differs."""
    import papermill  # noqa: PLC0415

    config = yaml.safe_load((CONFIG_DIR / "refresh.yaml").read_text(encoding="utf-8"))
    config["notebooks"] = [n for n in config["notebooks"] if n["name"] in DEFAULTS_NOTEBOOKS]
    config_path = folder / "refresh.yaml"
    config_path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    outputs = folder / "outputs"
    result = run.refresh(config_path, None, outputs)
    if not result.success:
        return [f"the refresh failed: {result.message}"]
    out = folder / "defaults"
    for name in DEFAULTS_NOTEBOOKS:
        papermill.execute_notebook(
            str(REPO_DIR / "notebooks" / f"{name}.ipynb"),
            str(folder / f"{name}.ipynb"),
            parameters={"OUTPUT_DIR": str(out)},  # everything else: the notebook's defaults
            progress_bar=False,
            kernel_name="python3",
        )
    return [
        f"{relative} differs from the refresh's"
        for relative in DEFAULTS_TABLES
        if not pl.read_csv(out / relative).equals(pl.read_csv(outputs / "latest" / relative))
    ]


CHECKS: dict[str, Callable[[Path], list[str]]] = {"defaults": check_defaults}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checks", nargs="*", help=f"of {', '.join(CHECKS)} (default: all)")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.checks) - set(CHECKS))
    if unknown:
        parser.error(f"unknown check(s) {unknown}; known: {', '.join(CHECKS)}")
    failed = 0
    for name in args.checks or list(CHECKS):
        began = time.perf_counter()
        with tempfile.TemporaryDirectory(prefix=f"lsc_{name}_") as folder:
            problems = CHECKS[name](Path(folder))
        seconds = time.perf_counter() - began
        print(f"{name}: {'ok' if not problems else 'FAILED'} ({seconds:.0f} s)")
        for problem in problems:
            print(f"  {problem}")
        failed += bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
