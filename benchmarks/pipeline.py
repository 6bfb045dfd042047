"""Benchmark the training-pipeline integer programme.

Times, on the shipped reference data (4 trusts, 6 staff groups, 9 programmes, 10 years):

1. building the inputs (demand projection, supply baseline and response kernel);
2. one solve of the full optimised model (both lexicographic stages) and of the budget-capped
   model, with model size, statuses and gaps;
3. a batch of scenarios (100 by default): random budgets (60-140 % of today's spend, or none)
   and random skill-mix shares, each solved lexicographically with the given time limit, on
   ``--workers`` processes at once (one solver thread each; the scenarios are independent).

Run with ``.venv/bin/python benchmarks/pipeline.py`` (defaults ``--scenarios 100 --time-limit 60
--threads 1 --workers 2``; the time limit is a safety cap, every scenario should be proven
well inside it). The results are printed, written as the ``pipeline`` section of
``docs/benchmarks.md`` (``--no-doc``: not written) and, if ``--json`` names a file, as JSON.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import random
import statistics
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from benchmark_doc import markdown_table, write_section

from lsc_workforce.config import CONFIG_DIR, REFERENCE_AS_AT, REFERENCE_DATA_DIR, SolverSettings
from lsc_workforce.data import load_datasets
from lsc_workforce.pipeline.model import build_model
from lsc_workforce.pipeline.scenarios import PipelineConfig, PipelineScenario, prepare_inputs
from lsc_workforce.pipeline.solution import solve_pipeline


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", type=int, default=100)
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per solve stage")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2, help="scenarios solved at once")
    parser.add_argument("--seed", type=int, default=20260401)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--no-doc", action="store_true", help="do not write docs/benchmarks.md")
    args = parser.parse_args()
    solver = SolverSettings(time_limit_s=args.time_limit, gap_rel=1e-3, threads=args.threads)
    results: dict = {"machine": platform.platform(), "python": platform.python_version()}

    start = time.perf_counter()
    frames = load_datasets(REFERENCE_DATA_DIR)
    config = PipelineConfig.from_yaml(CONFIG_DIR / "training" / "scenarios.yaml").with_overrides(
        demand_scenarios=("central",)
    )
    data = prepare_inputs(frames, CONFIG_DIR, REFERENCE_AS_AT, config)
    inputs = data.inputs["central"]
    results["prepare_inputs_s"] = time.perf_counter() - start
    print(f"prepare inputs (demand, supply kernel)   {results['prepare_inputs_s']:7.2f} s")

    model = build_model(inputs, config.pipeline_settings(config.scenarios["optimised"], inputs))
    results["model_size"] = {
        "variables": len(model.prob.variables()),
        "integer_variables": sum(1 for x in model.intake.values() if x.cat == "Integer"),
        "constraints": len(model.prob.constraints),
    }
    print(f"model size                              {results['model_size']}")

    for name in ("optimised", "budget_capped", "skill_mix_heavy"):
        settings = config.pipeline_settings(config.scenarios[name], inputs)
        start = time.perf_counter()
        plan = solve_pipeline(inputs, settings, solver)
        seconds = time.perf_counter() - start
        results[name] = {
            "seconds": seconds,
            "status": plan.status.value,
            "stage1_s": plan.shortfall_result.solve_s,
            "stage1_gap": plan.shortfall_result.gap,
            "stage2_s": plan.cost_result.solve_s if plan.cost_result else None,
            "stage2_gap": plan.cost_result.gap if plan.cost_result else None,
            "weighted_shortfall": plan.weighted_shortfall,
            "total_cost_gbp": plan.total_cost_gbp,
        }
        print(f"{name:<40}{seconds:7.2f} s  {results[name]['status']}")

    rng = random.Random(args.seed)
    settings, budgets = [], []
    for i in range(args.scenarios):
        budget = None if rng.random() < 0.3 else rng.uniform(0.6, 1.4)
        scenario = PipelineScenario(
            name=f"random_{i}",
            description="benchmark",
            budget_vs_status_quo=budget,
            skill_mix_shares={
                ("reporting_radiographer", "radiologist"): rng.uniform(0.0, 0.3),
                ("non_medical_endoscopist", "medical_endoscopist"): rng.uniform(0.0, 0.6),
            },
        )
        settings.append(config.pipeline_settings(scenario, inputs))
        budgets.append(budget)
    load_before = os.getloadavg()[0]
    start_all = time.perf_counter()
    # Spawned, not forked: a fork after HiGHS has run in this process can hang.
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=args.workers, mp_context=spawn) as pool:
        solved = list(pool.map(_solve_timed, [(inputs, s, solver) for s in settings]))
    total = time.perf_counter() - start_all
    times = [row["seconds"] for row in solved]
    cpu = {key: sum(row[key] or 0.0 for row in solved) for key in _CPU_PARTS}
    statuses = Counter(row["status"] for row in solved)
    slowest = max(range(len(solved)), key=lambda i: solved[i]["seconds"])
    results["batch"] = {
        "scenarios": args.scenarios,
        "workers": args.workers,
        "total_s": total,
        "median_s": statistics.median(times),
        "max_s": max(times),
        "cpu_s": cpu,
        "statuses": dict(statuses),
        "time_limit_s_per_stage": args.time_limit,
        "load_average_1min": [load_before, os.getloadavg()[0]],
        "slowest": {"index": slowest, "budget_factor": budgets[slowest], **solved[slowest]},
        "per_scenario": [
            {"index": i, "budget_factor": b, **row}
            for i, (b, row) in enumerate(zip(budgets, solved, strict=True))
        ],
    }
    print(
        f"{args.scenarios} scenarios                           {total:7.2f} s  "
        f"median {results['batch']['median_s']:.2f} s, max {results['batch']['max_s']:.2f} s, "
        f"{dict(statuses)}"
    )
    print(
        f"  summed over scenarios: CPU {cpu['cpu_s']:.1f} s; wall build {cpu['build_s']:.1f} s, "
        f"stage 1 {cpu['stage1_s']:.1f} s, stage 2 {cpu['stage2_s']:.1f} s; load "
        f"{load_before:.1f} before, {os.getloadavg()[0]:.1f} after"
    )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    if not args.no_doc:
        path = write_section("pipeline", "Training pipeline", section(results, args))
        print(f"wrote the pipeline section of {path}")


#: Per-scenario times summed over the batch: CPU seconds of the whole solve (of the worker
#: process, so other work on a shared machine does not inflate them as it does wall-clock
#: seconds), and wall-clock seconds of the model build and of each stage's solver call.
_CPU_PARTS = ("cpu_s", "build_s", "stage1_s", "stage2_s")


def _solve_timed(job: tuple) -> dict:
    """Solve one scenario; return its wall and CPU seconds, status and stage times."""
    inputs, settings, solver = job
    start, cpu = time.perf_counter(), time.process_time()
    plan = solve_pipeline(inputs, settings, solver)
    return {
        "seconds": time.perf_counter() - start,
        "cpu_s": time.process_time() - cpu,
        "status": plan.status.value,
        "build_s": plan.shortfall_result.build_s,
        "stage1_s": plan.shortfall_result.solve_s,
        "stage2_s": plan.cost_result.solve_s if plan.cost_result else None,
    }


def _budget(factor: float | None) -> str:
    return "none" if factor is None else f"{100 * factor:.0f} % of today's spend"


def _gap(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.2f} %"


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def section(results: dict, args: argparse.Namespace) -> str:
    """The ``pipeline`` section of docs/benchmarks.md."""
    size = results["model_size"]
    named = markdown_table(
        ["scenario", "status", "seconds", "stage 1 s", "stage 1 gap", "stage 2 s", "stage 2 gap"],
        [
            [
                name,
                results[name]["status"],
                _seconds(results[name]["seconds"]),
                _seconds(results[name]["stage1_s"]),
                _gap(results[name]["stage1_gap"]),
                _seconds(results[name]["stage2_s"]),
                _gap(results[name]["stage2_gap"]),
            ]
            for name in ("optimised", "budget_capped", "skill_mix_heavy")
        ],
    )
    batch = results["batch"]
    cpu = batch["cpu_s"]
    statuses = ", ".join(f"{k} {v}" for k, v in sorted(batch["statuses"].items()))
    return (
        f"`python benchmarks/pipeline.py --scenarios {args.scenarios} --time-limit "
        f"{args.time_limit:g} --threads {args.threads} --workers {args.workers} --seed "
        f"{args.seed}` on the shipped "
        "reference data (central demand scenario, relative gap 0.1 %).\n\n"
        f"Inputs (demand projection, supply baseline, response kernel): "
        f"{results['prepare_inputs_s']:.2f} s. Model: {size['variables']:,} variables "
        f"({size['integer_variables']:,} integer intakes), {size['constraints']:,} constraints."
        f"\n\n{named}\n\n"
        f"Batch of {batch['scenarios']} random scenarios (budgets 60-140 % of today's spend or "
        f"none, random skill-mix shares), each solved lexicographically, {batch['workers']} at "
        f"once: {batch['total_s']:.1f} s in all, median {batch['median_s']:.2f} s a scenario, "
        f"slowest {batch['max_s']:.2f} s (budget "
        f"{_budget(batch['slowest']['budget_factor'])}, stage 1 "
        f"{_seconds(batch['slowest']['stage1_s'])} s, stage 2 "
        f"{_seconds(batch['slowest']['stage2_s'])} s); statuses: {statuses}. One-minute load "
        "average "
        f"{batch['load_average_1min'][0]:.1f} before and {batch['load_average_1min'][1]:.1f} "
        "after the batch (the machine has 2 cores).\n\n"
        f"Summed over the {batch['scenarios']} scenarios: {cpu['cpu_s']:.1f} CPU seconds of the "
        "worker processes (which other work on the machine inflates far less than wall-clock "
        "seconds), so about "
        f"{cpu['cpu_s'] / batch['workers']:.0f} s on {batch['workers']} otherwise idle cores; "
        f"of the workers' wall-clock seconds, model build {cpu['build_s']:.1f}, stage 1 (least "
        f"shortfall) {cpu['stage1_s']:.1f} and stage 2 (least cost) {cpu['stage2_s']:.1f}."
    )


if __name__ == "__main__":
    main()
