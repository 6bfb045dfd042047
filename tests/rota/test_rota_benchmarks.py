"""Curtois & Qu benchmark: parser, independent scorer; Instances 1 and 2 reach 607 and 828."""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import re

import pytest
from rota_helpers import CURTOIS_DIR

from lsc_workforce.config import REPO_DIR, SolverSettings
from lsc_workforce.rota import warm_start
from lsc_workforce.rota.benchmarks import (
    BENCHMARK_DIR,
    main,
    parse_instance,
    read_best_known,
    score_roster,
    to_problem,
)

INSTANCES = CURTOIS_DIR / "instances"


@pytest.mark.unit
def test_parser_reads_the_format_facts():
    """FORMAT.md section 5: Instance2 has 14 days, 14 staff, 2 shifts, 50/12 requests, 28 cover."""
    inst = parse_instance(INSTANCES / "Instance2.txt")
    assert (inst.horizon, len(inst.staff), len(inst.shifts)) == (14, 14, 2)
    assert (len(inst.on_requests), len(inst.off_requests), len(inst.cover)) == (50, 12, 28)
    assert sum(len(v) for v in inst.days_off.values()) == 14
    problem = to_problem(inst)
    assert problem.person("E").id == "E"
    assert problem.shift("E").id == "E"
    assert problem.dates[0].weekday() == 0  # day 0 is a Monday


@pytest.mark.unit
def test_scorer_counts_penalties_and_hard_rules_by_hand():
    """Instance1 with an empty roster: every cover line is short and every on-request is missed.

    Cover: sum of requirements x 100; on-requests: 21 requests with weights summing to 37;
    off-requests cost nothing. Each of the 8 staff is below the minimum minutes.
    """
    inst = parse_instance(INSTANCES / "Instance1.txt")
    objective, errors = score_roster(inst, [])
    expected = 100 * sum(c[2] for c in inst.cover) + sum(r[3] for r in inst.on_requests)
    assert objective == expected
    assert sum(r[3] for r in inst.on_requests) == 37
    assert len(errors) == 8
    assert all("minutes" in e for e in errors)
    _, errors = score_roster(inst, [("A", 0, "D")])  # A's day off
    assert any("day off" in e for e in errors)


@pytest.mark.integration
@pytest.mark.slow
@pytest.mark.parametrize(("instance", "best"), [("Instance1", 607), ("Instance2", 828)])
def test_cli_reaches_best_known_and_rescoring_agrees(instance, best, tmp_path, capsys):
    out = tmp_path / "roster.csv"
    code = main(
        [str(INSTANCES / f"{instance}.txt"), "--time-limit", "60", "--roster-out", str(out)]
    )
    record = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert code == 0
    assert record["status"] == "optimal"
    assert (
        record["objective"]
        == best
        == int(read_best_known(CURTOIS_DIR / "best_known.csv")[instance]["best_known"])
    )
    assert record["bound"] == best
    assert record["hard_violations"] == 0
    assert record["solver_objective"] == pytest.approx(best)
    lines = out.read_text().splitlines()
    assert lines[0] == "employee,day,shift"
    inst = parse_instance(INSTANCES / f"{instance}.txt")
    rows = [(e, int(d), s) for e, d, s in (line.split(",") for line in lines[1:])]
    assert score_roster(inst, rows) == (best, [])


@pytest.mark.integration
@pytest.mark.slow
def test_engine_checker_agrees_with_benchmark_scorer():
    """The engine's own checker and evaluator give the same verdict as the raw-file scorer."""
    from lsc_workforce.rota import check, evaluate, solve

    inst = parse_instance(INSTANCES / "Instance1.txt")
    problem = to_problem(inst)
    solution = solve(problem, SolverSettings(threads=1, time_limit_s=60))
    rows = [
        (r["staff_id"], problem.day_index[r["date"]], r["shift"])
        for r in solution.roster.iter_rows(named=True)
    ]
    objective, errors = score_roster(inst, rows)
    assert solution.result.status.value == "optimal", solution.result
    assert errors == []
    assert check(problem, solution.roster) == []
    assert sum(evaluate(problem, solution.roster).values()) == pytest.approx(objective)


@pytest.mark.integration
@pytest.mark.slow
def test_cli_seed_reaches_the_search_and_the_record(tmp_path, capsys, monkeypatch):
    """``--seed`` is the seed of the warm start's search, and the JSON line says which."""
    seeds, real = [], warm_start.improve_start

    def spy(model, start, budget, seed, **kwargs):
        seeds.append(seed)
        return real(model, start, budget, seed, **kwargs)

    monkeypatch.setattr(warm_start, "improve_start", spy)
    argv = [str(INSTANCES / "Instance1.txt"), "--time-limit", "10", "--warm-start"]
    main([*argv, "--seed", "7", "--roster-out", str(tmp_path / "roster.csv")])
    record = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert seeds
    assert set(seeds) == {7}
    assert record["seed"] == 7
    main([*argv, "--roster-out", str(tmp_path / "roster.csv")])
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["seed"] == (
        SolverSettings.seed
    )


def load_script(monkeypatch):
    """``benchmarks/rota_benchmarks.py`` as a module (it imports ``benchmark_doc`` beside it)."""
    monkeypatch.syspath_prepend(str(REPO_DIR / "benchmarks"))
    spec = importlib.util.spec_from_file_location(
        "rota_benchmarks", REPO_DIR / "benchmarks" / "rota_benchmarks.py"
    )
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    return script


@pytest.mark.unit
def test_vendored_benchmark_is_inside_the_repository_and_matches_its_checksums():
    """All 24 instances, FORMAT.md and best_known.csv, as listed in the folder's README."""
    assert BENCHMARK_DIR == REPO_DIR / "benchmarks" / "curtois"
    listed = re.findall(
        r"^([0-9a-f]{64})  (\S+)$", (BENCHMARK_DIR / "README.md").read_text(), re.MULTILINE
    )
    names = {name for _, name in listed}
    assert {f"instances/Instance{n}.txt" for n in range(1, 25)} <= names
    assert {"FORMAT.md", "best_known.csv"} <= names
    for digest, name in listed:
        assert hashlib.sha256((BENCHMARK_DIR / name).read_bytes()).hexdigest() == digest, name
    assert set(read_best_known()) == {f"Instance{n}" for n in range(1, 25)}


@pytest.mark.unit
def test_benchmark_script_reports_proofs_gaps_and_wrong_optima(monkeypatch):
    """The ``curtois`` section's verdicts, and the failures that make the run exit 1."""
    script = load_script(monkeypatch)
    best = read_best_known()
    proven = {"instance": "Instance1", "solver": "highs", "status": "optimal", "objective": 607}
    wrong = {**proven, "objective": 608}
    stopped = {**proven, "status": "feasible_time_limit", "objective": 620, "gap": 0.05}
    lost = {"instance": "Instance2", "solver": "highs", "status": "not_solved", "objective": None}
    assert script.verdict(proven, best) == "proven optimal"
    assert script.verdict(wrong, best) == "proven optimal, but best known is 607"
    assert script.verdict(stopped, best) == "gap 5.00 %"
    assert script.verdict(lost, best) == "no roster"
    assert script.failures([proven, stopped, lost]) == []
    assert script.failures([wrong, {**proven, "hard_violations": 2}]) == [
        "Instance1: proven optimal at 608, best known 607",
        "Instance1 (highs): 2 hard breaches",
    ]
    args = argparse.Namespace(
        instances="1", cbc="none", solver="highs", time_limit=600.0, threads=1
    )
    section = script.section([{**proven, "build_s": 0.5, "solve_s": 1.0}], args)
    assert "| 1 | highs | 607 | 607 | proven optimal | 1.5 | 0.6 | - |" in section


@pytest.mark.integration
@pytest.mark.slow
def test_benchmark_script_runs_each_warm_started_instance_once_per_seed(
    tmp_path, capsys, monkeypatch
):
    """``benchmarks/rota_benchmarks.py --seeds``: one record and one table row per seed.

    The script writes its section to a page in ``tmp_path``, never to ``docs/benchmarks.md``.
    """
    script = load_script(monkeypatch)
    out, doc = tmp_path / "records.jsonl", tmp_path / "benchmarks.md"
    argv = ["--instances", "1", "--cbc", "none", "--time-limit", "5", "--threads", "1"]
    code = script.main(
        [*argv, "--warm-start-from", "1", "--seeds", "3,4", "--out", str(out), "--doc", str(doc)]
    )
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(r["instance"], r["seed"]) for r in records] == [("Instance1", 3), ("Instance1", 4)]
    assert all(r["hard_violations"] == 0 for r in records)
    assert code == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| 1 |")]
    assert [row.split("|")[3].strip() for row in rows] == ["3", "4"]
    page = doc.read_text()
    assert "<!-- section: curtois -->" in page
    assert page.count("\n| 1 | highs | ") == 2
    assert "(warm start on 1)" in page
