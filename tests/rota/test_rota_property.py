"""Property test: on random small instances every roster the solver returns passes the checker.

Also: the checker's independent objective components equal the model's (so the objective the
solver reports is exactly the roster's), and the solution's explanation frame lists every
person for every requirement left short.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from lsc_workforce.config import SolverSettings
from lsc_workforce.rota import (
    SOFTENABLE_RULES,
    CoverRequirement,
    MinutesWindow,
    Person,
    PersonRules,
    RotaProblem,
    ShiftRequest,
    ShiftType,
    check,
    evaluate,
    solve,
)

pytestmark = pytest.mark.unit

START = dt.date(2026, 3, 23)  # a Monday; the horizon may cross the 29 March clock change
SITES = ("S1", "S2")
COMPETENCIES = ("ct", "ir")


@st.composite
def shift_types(draw):
    n = draw(st.integers(1, 3))
    ids = [f"s{k}" for k in range(n)]
    out = []
    for k, sid in enumerate(ids):
        out.append(
            ShiftType(
                sid,
                dt.time(draw(st.sampled_from([0, 7, 8, 14, 20]))),
                draw(st.sampled_from([240, 480, 600, 720])),
                cannot_follow=frozenset(draw(st.lists(st.sampled_from(ids), max_size=2))),
                night=draw(st.booleans()),
                weekend=draw(st.sampled_from([None, None, True, False])),
                ooh=draw(st.booleans()),
                competencies=frozenset(draw(st.lists(st.sampled_from(COMPETENCIES), max_size=1)))
                if k
                else frozenset(),
                site=draw(st.sampled_from([None, "S1", "S2"])),
            )
        )
    return tuple(out)


def _maybe(draw, strategy):
    return draw(st.one_of(st.none(), strategy))


@st.composite
def rules(draw, n_days, shift_ids):
    days_off = draw(st.sets(st.integers(0, n_days - 1), max_size=2))
    window = draw(st.booleans())
    return PersonRules(
        days_off=frozenset(START + dt.timedelta(days=d) for d in days_off),
        max_shifts={s: draw(st.integers(0, 4)) for s in shift_ids if draw(st.booleans())},
        min_total_minutes=_maybe(draw, st.sampled_from([480, 960])),
        max_total_minutes=_maybe(draw, st.sampled_from([1440, 2400, 3600])),
        minutes_windows=(MinutesWindow(3, max_minutes=1500),) if window else (),
        max_consecutive_days=_maybe(draw, st.integers(1, 4)),
        min_consecutive_days=_maybe(draw, st.integers(1, 3)),
        min_consecutive_days_off=_maybe(draw, st.integers(1, 3)),
        max_consecutive_nights=_maybe(draw, st.integers(1, 3)),
        rest_days_after_nights=_maybe(draw, st.integers(1, 2)),
        max_weekends=_maybe(draw, st.integers(0, 2)),
        weekend_one_in=_maybe(draw, st.integers(2, 3)),
        min_rest_hours=_maybe(draw, st.sampled_from([8.0, 11.0, 11.5])),
        max_travel_minutes=_maybe(draw, st.sampled_from([20, 60])),
    )


@st.composite
def problems(draw):
    n_days = draw(st.integers(3, 10))
    shifts = draw(shift_types())
    shift_ids = [s.id for s in shifts]
    n_people = draw(st.integers(1, 4))
    people = []
    for k in range(n_people):
        optional = draw(st.booleans()) if k else False
        people.append(
            Person(
                f"p{k}",
                wte=draw(st.sampled_from([0.5, 0.8, 1.0])),
                competencies=frozenset(draw(st.lists(st.sampled_from(COMPETENCIES), max_size=2))),
                base_site=draw(st.sampled_from(SITES)),
                optional=optional,
                cost=float(draw(st.integers(0, 150))) if optional else 0.0,
                rules=draw(rules(n_days, shift_ids)),
            )
        )
    dates = [START + dt.timedelta(days=d) for d in range(n_days)]
    cover = tuple(
        CoverRequirement(
            dates[d],
            s,
            draw(st.integers(0, 2)),
            competency=draw(st.sampled_from([None, None, "ct"])),
            site=draw(st.sampled_from([None, None, "S1"])),
            under_penalty=float(draw(st.integers(10, 100))),
            over_penalty=float(draw(st.integers(0, 5))),
        )
        for d in range(n_days)
        for s in shift_ids
        if draw(st.booleans())
    )
    requests = tuple(
        ShiftRequest(
            p.id,
            dates[draw(st.integers(0, n_days - 1))],
            draw(st.sampled_from([None, *shift_ids])),
            float(draw(st.integers(1, 3))),
            on=draw(st.booleans()),
        )
        for p in people
        if draw(st.booleans())
    )
    soft = draw(st.lists(st.sampled_from(sorted(SOFTENABLE_RULES)), max_size=2, unique=True))
    fairness = draw(st.sampled_from([{}, {}, {"ooh": 1.0}, {"weekends": 2.0, "nights": 1.0}]))
    extra_weekend = draw(st.sets(st.integers(0, n_days - 1), max_size=2))  # "bank holidays"
    return RotaProblem(
        START,
        n_days,
        shifts,
        tuple(people),
        cover,
        requests,
        travel_minutes={("S1", "S2"): 30, ("S2", "S1"): 30},
        soft_rules={r: float(draw(st.integers(1, 50))) for r in soft},
        fairness=fairness,
        weekend_dates=frozenset(dates[d] for d in extra_weekend),
    )


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(problems())
def test_every_returned_roster_passes_the_checker(problem):
    solution = solve(problem, SolverSettings(threads=1, time_limit_s=20))
    status = solution.result.status.value
    event(status)
    assert status in {"optimal", "feasible_time_limit", "infeasible"}, solution.result
    if status == "infeasible":
        # hard rules can contradict each other (e.g. a minimum of minutes on leave days);
        # then no roster is returned at all
        assert solution.roster.height == 0
        return
    assert [b for b in check(problem, solution.roster) if b.hard] == []
    recomputed = evaluate(problem, solution.roster)
    for name, value in solution.components.items():
        assert recomputed[name] == pytest.approx(value, abs=1e-5), name
    assert sum(recomputed.values()) == pytest.approx(solution.result.objective, abs=1e-5)
    short = {r.label for r in problem.cover} & set(solution.uncovered["label"].to_list())
    for label in short:
        listed = solution.uncovered.filter(solution.uncovered["label"] == label)
        assert listed.height == len(problem.people) - listed["covered"][0]
