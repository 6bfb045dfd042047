"""Benchmark the demand and supply projection and the 1,000-draw Monte Carlo.

Times, on the shipped reference data and on a 20x scaled dataset (20 copies of the four trusts,
NHS England order of magnitude): today's gap, the trend fit with its holdout backtest, the
10-year demand projection, the deterministic supply projection, and the Monte Carlo of the gap
(1,000 draws by default), plus evaluating one intake plan against the same draws.

Run with ``.venv/bin/python benchmarks/projection.py``. The scaled data are generated in
memory. The timings are printed and written as the ``projection`` section of
``docs/benchmarks.md`` (``--no-doc``: not written).
"""

from __future__ import annotations

import argparse
import platform
import time
from collections.abc import Callable
from typing import Any

import polars as pl
from benchmark_doc import markdown_table, write_section

from lsc_workforce.config import CONFIG_DIR, REFERENCE_AS_AT, REFERENCE_DATA_DIR
from lsc_workforce.data import load_datasets
from lsc_workforce.demand import (
    CapacityParams,
    ForecastSettings,
    SupplyParams,
    UncertaintySpec,
    annual_activity,
    backtest,
    draw_uncertainty,
    evaluate_intake_plan,
    financial_years,
    gap_table,
    load_scenarios,
    project_demand,
    project_supply,
    required_wte,
    simulate_gap,
)
from lsc_workforce.demand.analysis import DATASETS
from lsc_workforce.synthetic import generate_reference_frames


def timed(label: str, fn: Callable[[], Any], rows: list[tuple[str, float, str]], note: str = ""):
    start = time.perf_counter()
    value = fn()
    seconds = time.perf_counter() - start
    rows.append((label, seconds, note))
    print(f"{label:<58} {seconds:8.2f} s  {note}", flush=True)
    return value


def bench(name: str, frames: dict[str, pl.DataFrame], draws: int, rows: list) -> None:
    capacity = CapacityParams.from_config(CONFIG_DIR)
    supply = SupplyParams.from_config(CONFIG_DIR)
    settings = ForecastSettings.from_config(CONFIG_DIR)
    central = load_scenarios(CONFIG_DIR)["central"]
    years = financial_years(REFERENCE_AS_AT, 10)
    staff = frames["staff_in_post"]
    size = f"{staff.height:,} posts, {frames['activity'].height:,} activity rows"

    def today() -> pl.DataFrame:
        annual = annual_activity(frames["activity"], REFERENCE_AS_AT)
        required = required_wte(annual, frames["service_hours"], frames["sites"], capacity)
        return gap_table(required, staff, frames["vacancies"])

    timed(f"{name}: today's gap", today, rows, size)
    scores = timed(
        f"{name}: backtest (fit, 6-month holdout)",
        lambda: backtest(frames["activity"], settings),
        rows,
    )
    print(
        f"{name}: backtest MAPE mean {scores['mape'].mean():.1f}%, max {scores['mape'].max():.1f}%"
    )
    demand = timed(
        f"{name}: 10-year demand projection",
        lambda: project_demand(
            frames["activity"],
            frames["service_hours"],
            frames["sites"],
            capacity,
            central,
            settings=settings,
            as_at=REFERENCE_AS_AT,
            years=years,
        ),
        rows,
    )
    out = timed(
        f"{name}: 10-year supply projection", lambda: project_supply(staff, supply, years), rows
    )
    draw = draw_uncertainty(UncertaintySpec.from_config(CONFIG_DIR), supply.staff_groups, draws, 1)
    result = timed(
        f"{name}: Monte Carlo, {draws:,} draws x 10 years",
        lambda: simulate_gap(staff, supply, demand.required, years, draw),
        rows,
        f"{out.select('trust_code', 'staff_group', 'grade').n_unique()} trust-group-grade cells",
    )
    timed(f"{name}: quantile summary", result.summary, rows)
    trusts = staff["trust_code"].unique().sort().to_list()
    plan = pl.DataFrame(
        {
            "year": [2028] * len(trusts),
            "trust_code": trusts,
            "programme": ["clinical_radiology"] * len(trusts),
            "headcount": [2.0] * len(trusts),
        }
    )
    timed(
        f"{name}: evaluate one intake plan ({draws:,} draws)",
        lambda: evaluate_intake_plan(staff, supply, demand.required, years, draw, completions=plan),
        rows,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=20.0, help="scale of the large dataset")
    parser.add_argument("--draws", type=int, default=1000, help="Monte Carlo draws")
    parser.add_argument("--no-doc", action="store_true", help="do not write docs/benchmarks.md")
    args = parser.parse_args()
    rows: list[tuple[str, float, str]] = []
    print(f"python {platform.python_version()} on {platform.machine()}, projection benchmark")
    bench("reference", load_datasets(REFERENCE_DATA_DIR, DATASETS), args.draws, rows)
    scaled = timed(
        f"generate {args.scale:g}x data in memory",
        lambda: generate_reference_frames(scale=args.scale),
        rows,
    )
    bench(f"{args.scale:g}x", {k: scaled[k] for k in DATASETS}, args.draws, rows)
    table = markdown_table(
        ["step", "seconds", "size"],
        [[label, f"{seconds:.2f}", note or "-"] for label, seconds, note in rows],
    )
    print("\n" + table)
    if not args.no_doc:
        body = (
            table
            + f"\n\n`python benchmarks/projection.py --scale {args.scale:g} --draws {args.draws}`: "
            "on the shipped reference data and on a scaled dataset generated in memory; the "
            "central demand scenario, 10 financial years."
        )
        print(f"wrote the projection section of {write_section('projection', 'Projection', body)}")


if __name__ == "__main__":
    main()
