"""One person's model cut out of the whole model's arrays (``rota/person_models.py``)."""

from __future__ import annotations

from collections import Counter

import numpy as np
import polars as pl
import pytest
from rota_helpers import CURTOIS_DIR, DAY, NIGHT, cover, day, person, problem

from lsc_workforce.config import SolverSettings
from lsc_workforce.rota import ShiftRequest, evaluate
from lsc_workforce.rota.benchmarks import parse_instance, to_problem
from lsc_workforce.rota.heuristic import _count_cover, _person_problem, construct_roster
from lsc_workforce.rota.model import build_model
from lsc_workforce.rota.person_models import PersonModels
from lsc_workforce.rota.solution import extract_roster
from lsc_workforce.solve import solve_problem


@pytest.mark.unit
def test_columns_belong_to_their_person_and_cover_and_fairness_to_nobody():
    """Two people, two weeks, day and night shifts, fairness on nights and weekends and a
    soft maximum of weekends: each person owns their assignments, ``day_work`` and
    ``weekend_worked`` columns and their soft rule's slack; the cover's and fairness's
    columns belong to nobody."""
    prob = problem(
        14,
        [person("A", max_weekends=1), person("B", max_weekends=1)],
        cover(list(range(14))) + cover([5, 6], "N"),
        shifts=(DAY, NIGHT),
        fairness={"nights": 1.0, "weekends": 1.0},
        soft_rules={"max_weekends": 50.0},
    )
    model = build_model(prob, extended=False)
    persons = PersonModels(model)
    own = [set(persons.own_columns(i).tolist()) for i in range(2)]
    assert not own[0] & own[1]
    for i in range(2):
        expected = {v.index for (j, _, _), v in model.assign.items() if j == i}
        expected |= {v.index for (j, _), v in model.weekend_worked.items() if j == i}
        expected |= {v.index for (j, _), v in model.day_work.items() if j == i}
        assert expected <= own[i]
    slacks = {v.index for _, v in model.slacks["max_weekends"]}
    assert len(slacks) == 2
    assert slacks <= own[0] | own[1]
    nobody = [v.index for v in model.prob.variables() if v.name.startswith(("cover_", "fair_"))]
    assert nobody
    assert not set(nobody) & (own[0] | own[1])


@pytest.mark.unit
def test_a_person_covers_what_the_others_leave_and_honours_extra_requests():
    """Three days, one day shift a day needing one person (100 per person short, 1 per person
    over). B is fixed on days 0 and 1, so A's best is day 2 alone (0; day 0 or 1 would add 1
    over each). With an extra request of weight 10 for day 0, A works days 0 and 2 (1 over,
    against 10 for the unmet request). On A's own rules only, with no objective, any roster
    of A's will do."""
    prob = problem(3, [person("A"), person("B")], cover([0, 1, 2], over=1))
    persons = PersonModels(build_model(prob, extended=False))
    b_works = pl.DataFrame({"staff_id": ["B", "B"], "date": [day(0), day(1)], "shift": ["D", "D"]})
    x = persons.assignments(b_works)

    def days_worked(columns: np.ndarray) -> list:
        y = np.zeros(persons.n_columns)
        y[columns] = 1.0
        return persons.roster(y).get_column("date").to_list()

    outcome, columns = persons.solve(0, x, 10, gap_rel=0)
    assert outcome == "solved"
    assert days_worked(columns) == [day(2)]
    request = (ShiftRequest("A", day(0), "D", 10, on=True),)
    outcome, columns = persons.solve(0, x, 10, gap_rel=0, requests=request)
    assert days_worked(columns) == [day(0), day(2)]
    outcome, columns = persons.solve(0, x, 10, against_cover=False)
    assert outcome == "solved"
    assert set(columns.tolist()) <= set(persons.own_columns(0).tolist())


@pytest.mark.integration
def test_cut_out_models_have_the_optima_of_models_built_per_person():
    """Instance 3, from the constructed roster: for each of the first eight people, the cut-out
    model (the others' assignments fixed) and the person's own PuLP model against the
    reduced cover (``_person_problem``, as the construction built before) reach the same
    optimum, recomputed by the checker. The roster survives the round trip through columns,
    and its completion gives every variable a value, at the roster's objective."""
    instance3 = to_problem(parse_instance(CURTOIS_DIR / "instances" / "Instance3.txt"))
    roster = construct_roster(instance3).roster
    persons = PersonModels(build_model(instance3, extended=False))
    x = persons.assignments(roster)
    columns = ["staff_id", "date", "shift"]
    assert persons.roster(x).sort(columns).equals(roster.sort(columns))
    prob = persons.model.prob
    start = persons.complete(roster, time_limit_s=30)
    assert len(start) == prob.numVariables()
    completed = sum(c * start[v] for v, c in prob.objective.items()) + prob.objective.constant
    assert completed == pytest.approx(sum(evaluate(instance3, roster).values()))
    covered: Counter = Counter()
    for p in instance3.people:
        _count_cover(instance3, p.id, roster.filter(pl.col("staff_id") == p.id), covered)
    exact = SolverSettings(threads=1, time_limit_s=60, gap_rel=0)
    for i, p in enumerate(instance3.people[:8]):
        _count_cover(instance3, p.id, roster.filter(pl.col("staff_id") == p.id), covered, -1)
        sub = _person_problem(instance3, p, covered)
        built = build_model(sub, extended=False)
        assert solve_problem(built.prob, exact).status.value == "optimal"
        outcome, worked = persons.solve(i, x, 60, gap_rel=0)
        assert outcome == "solved"
        y = np.zeros(persons.n_columns)
        y[worked] = 1.0
        cut = sum(evaluate(sub, persons.roster(y)).values())
        assert cut == pytest.approx(sum(evaluate(sub, extract_roster(built)).values()))
        _count_cover(instance3, p.id, roster.filter(pl.col("staff_id") == p.id), covered)
