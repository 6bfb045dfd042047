"""A starting roster for large instances: one small integer programme per person, in turn.

Every hard rule of the rota model is about one person, and cover is soft, so a feasible roster
can be built person by person. :func:`construct_roster` solves, for each non-optional person
in order, the whole model (without the redundant C21, which slows HiGHS's root on one-person
models many times over) restricted to that person, with the people already placed fixed, so
each cover requirement is reduced by them (and, from the engine, with the weekend plan's guide
requests, ``lsc_workforce.rota.weekend_plan``); each person's model is cut out of the whole
model's arrays (:class:`~lsc_workforce.rota.person_models.PersonModels`).
The result is a feasible (not optimal) roster that the full model receives as a start
(``solve(..., warm_start=True)``), which helps HiGHS on instances where it finds no incumbent
on its own within the time limit.

:func:`reoptimise_people` re-solves people in turn against the cover the others leave (the
engine runs passes of it when the construction fell behind pace and placed people on their
own rules only, and in a search that has no LP relaxation to guide it).
:func:`complete_start` turns the roster into values for every model variable (the engine
uses :meth:`~lsc_workforce.rota.person_models.PersonModels.complete` for the first completion,
and this after C21 is added), and
:func:`improve_start` improves them by a large-neighbourhood search on the whole model in HiGHS
(free a share of the people, a window of days, both, or where the roster differs from the LP
relaxation; fix the rest; re-solve), in one process or several sharing their improvements.
The warm start (:func:`lsc_workforce.rota.warm_start.find_warm_start`, which steers these
functions) completes the roster on the model without
C21 and chooses the search's model by the LP relaxation: with C21 where simplex solves its LP,
without it (or with its rows freed) where simplex does not (its sub-MIPs are faster so); see
``lsc_workforce.rota.engine.solve``. The final solve, started from the result, reports the
honest status and bound.
"""

from __future__ import annotations

import dataclasses
import logging
import queue
import random
import time
from collections import Counter
from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import polars as pl
import pulp

from lsc_workforce.config import SolverSettings
from lsc_workforce.rota.checker import ROSTER_SCHEMA, evaluate
from lsc_workforce.rota.model import RotaModel, build_model
from lsc_workforce.rota.person_models import PersonModels
from lsc_workforce.rota.problem import RotaProblem, ShiftRequest
from lsc_workforce.solve import HiGHS, highs_lp, solve_problem

__all__ = [
    "Construction",
    "Reoptimised",
    "Search",
    "complete_start",
    "construct_roster",
    "improve_start",
    "reoptimise_people",
]

LOGGER = logging.getLogger(__name__)


class Construction(NamedTuple):
    """What :func:`construct_roster` returns."""

    #: the roster, or ``None`` when none was found
    roster: pl.DataFrame | None
    #: ids of the people placed behind pace, on their own rules only (no cover, no requests)
    behind: tuple[str, ...]


def construct_roster(
    problem: RotaProblem,
    time_limit_s: float = 2.0,
    time_budget_s: float | None = None,
    *,
    guide: tuple[ShiftRequest, ...] = (),
    grace_s: float = 0.0,
    persons: PersonModels | None = None,
) -> Construction:
    """Build a feasible roster one person at a time (candidate posts are left unused).

    Args:
        problem: the rota problem.
        time_limit_s: solver time limit for each person's sub-problem (seconds); a
            sub-problem stopped without a roster is retried as a pure feasibility problem
            (no objective) with 5 and then 25 times as long (within the budget).
        time_budget_s: give up after this many seconds in total (plus ``grace_s``);
            ``None``: no budget. A
            person whose turn comes after their pro-rata share of the budget has passed
            (person n of N after n/N of it) gets only the feasibility problem on their own
            rules (no cover rows, no requests), so that the construction catches up instead
            of running out of budget.
        guide: extra requests added to each person's model (not to the behind-pace
            feasibility problem), e.g. the weekend plan of
            :func:`~lsc_workforce.rota.weekend_plan.plan_weekends`.
        grace_s: seconds past the budget the construction may run on, every person from
            then on behind pace, before it gives up: a roster late is better than none when
            even the feasibility problems take longer than the budget (many people on a
            slow machine).
        persons: the people's models, cut out of the whole model (built from ``problem``
            without C21 when not given, before the budget's clock starts).

    Returns:
        The :class:`Construction`: the roster (``None`` when some person's own hard rules
        admit no roster at all or the budget ran out) and who was placed behind pace.
    """
    persons = persons or PersonModels(build_model(problem, extended=False))
    started = time.perf_counter()  # the budget is the construction's own
    give_up = None if time_budget_s is None else time_budget_s + grace_s
    x = np.zeros(persons.n_columns)
    behind_pace = []
    people = [(i, person) for i, person in enumerate(problem.people) if not person.optional]
    for n, (i, person) in enumerate(people):
        elapsed = time.perf_counter() - started
        if give_up is not None and elapsed > give_up:
            return Construction(None, tuple(behind_pace))
        # behind pace (this person's pro-rata share of the budget has passed): any roster
        behind = time_budget_s is not None and elapsed > time_budget_s * (n + 1) / len(people)
        if behind:  # the person's own rules only: no cover rows, no requests (half the time)
            LOGGER.debug("construction behind pace at person %d of %d", n + 1, len(people))
            behind_pace.append(person.id)
        requests = tuple(r for r in guide if r.staff_id == person.id)
        for factor in (5, 25) if behind else (1, 5, 25):
            # after a stop without a roster, or behind pace: any roster will do
            limit = time_limit_s * factor
            if give_up is not None:
                limit = min(limit, give_up - (time.perf_counter() - started))
            if limit <= 0:
                return Construction(None, tuple(behind_pace))
            outcome, worked = persons.solve(
                i, x, limit, against_cover=not behind, objective=factor == 1, requests=requests
            )
            if outcome != "not solved":
                break
        if outcome != "solved":
            return Construction(None, tuple(behind_pace))
        x[worked] = 1.0
    return Construction(persons.roster(x), tuple(behind_pace))


class Reoptimised(NamedTuple):
    """What :func:`reoptimise_people` returns."""

    #: the roster
    roster: pl.DataFrame
    #: number of people whose roster changed
    changed: int
    #: the fall in the objective (cover and requests; fairness is left out)
    gain: float


def reoptimise_people(
    problem: RotaProblem,
    roster: pl.DataFrame,
    time_budget_s: float,
    time_limit_s: float = 2.0,
    *,
    first: tuple[str, ...] = (),
    persons: PersonModels | None = None,
) -> Reoptimised:
    """One pass over the people: re-solve each one's roster against the others' cover.

    Each person's model is the one :func:`construct_roster` solves (the cover each
    requirement still needs once the others are counted, the person's requests, no
    fairness), started from the person's current roster; the new roster replaces the old
    when its objective there, recomputed by :func:`~lsc_workforce.rota.checker.evaluate`, is
    lower. That objective differs from the whole roster's only by terms the person does not
    touch (fairness aside), so every accepted change lowers the whole roster's cover and
    request penalties.

    Args:
        problem: the rota problem.
        roster: a feasible roster (e.g. from :func:`construct_roster`).
        time_budget_s: stop after this many seconds (people not reached keep their rosters).
        time_limit_s: solver time limit for each person.
        first: ids of the people to take first (those the construction placed behind pace,
            on their own rules only); the others follow in the problem's order.
        persons: the people's models, as for :func:`construct_roster`.

    Returns:
        The :class:`Reoptimised` roster (people in the problem's order; candidate posts' rows
        as they were), the number of people changed and the objective's fall.
    """
    started = time.perf_counter()
    persons = persons or PersonModels(build_model(problem, extended=False))
    x = persons.assignments(roster)
    own = {person.id: roster.filter(pl.col("staff_id") == person.id) for person in problem.people}
    covered: Counter[CoverKey] = Counter()
    for staff_id, rows in own.items():
        _count_cover(problem, staff_id, rows, covered)
    changed, gain = 0, 0.0
    people = [(i, p) for i, p in enumerate(problem.people) if not p.optional]  # posts stay
    order = sorted(people, key=lambda pair: pair[1].id not in first)  # stable: first, rest
    for i, person in order:
        left = time_budget_s - (time.perf_counter() - started)
        if left < 0.5:
            break
        current = own[person.id]
        _count_cover(problem, person.id, current, covered, -1)
        outcome, worked = persons.solve(i, x, min(time_limit_s, left), start=x)
        if outcome == "solved":
            y = np.zeros(persons.n_columns)
            y[worked] = 1.0
            new = persons.roster(y)
            sub = _person_problem(problem, person, covered)
            drop = sum(evaluate(sub, current).values()) - sum(evaluate(sub, new).values())
            if drop > 1e-6:
                own[person.id], changed, gain = new, changed + 1, gain + drop
                x[persons.own_columns(i)] = 0.0
                x[worked] = 1.0
        _count_cover(problem, person.id, own[person.id], covered)
    LOGGER.debug("re-optimised %d people in %.1f s", changed, time.perf_counter() - started)
    return Reoptimised(
        pl.concat([pl.DataFrame(schema=ROSTER_SCHEMA), *own.values()]), changed, gain
    )


#: A cover requirement's key for counting the people placed on it: (day, shift, competency,
#: site).
CoverKey = tuple[int, str, str | None, str | None]


def _person_problem(problem: RotaProblem, person, covered: Counter[CoverKey]) -> RotaProblem:
    """``person`` alone, with their requests, against the cover ``covered``'s people leave.

    :func:`reoptimise_people` scores a person's old and new rosters on it.
    """
    cover = tuple(
        dataclasses.replace(
            req,
            required=max(
                0,
                req.required
                - covered[problem.day_index[req.date], req.shift, req.competency, req.site],
            ),
        )
        for req in problem.cover
        if problem.qualifies(person.id, req)
    )
    requests = tuple(r for r in problem.requests if r.staff_id == person.id)
    return problem.with_changes(people=(person,), cover=cover, requests=requests, fairness={})


def _count_cover(
    problem: RotaProblem,
    staff_id: str,
    roster: pl.DataFrame,
    covered: Counter[CoverKey],
    sign: int = 1,
) -> None:
    """Add (``sign`` 1) or take away (-1) ``staff_id``'s shifts in ``roster`` to ``covered``."""
    worked = {(problem.day_index[d], s) for d, s in roster.select("date", "shift").iter_rows()}
    for req in problem.cover:
        d = problem.day_index[req.date]
        if (d, req.shift) in worked and problem.qualifies(staff_id, req):
            covered[d, req.shift, req.competency, req.site] += sign


#: Seconds for one neighbourhood solve of :func:`improve_start`.
MOVE_TIME_S = 3.0

#: Share of :func:`improve_start`'s budget that simplex, and then interior point, each get
#: for the LP relaxation.
LP_SHARE = 0.1

#: Neighbourhood kinds of :func:`improve_start`.
NEIGHBOURHOODS = ("people", "window", "mixed", "rins")


class Search(NamedTuple):
    """What :func:`improve_start` returns."""

    #: the best solution found, ``{variable: value}`` for every model variable
    start: dict
    #: number of improving moves
    improved: int
    #: the LP relaxation's optimum plus the objective's constant (a valid lower bound), or
    #: ``None`` when the LP was not solved in time
    lp_bound: float | None
    #: whether simplex solved the LP relaxation in its tenth of the budget
    simplex: bool


def improve_start(
    model: RotaModel,
    start: dict,
    time_budget_s: float,
    seed: int = 20260401,
    extra_s: float = 0.0,
    *,
    defer_if_simplex: bool = False,
    redundant: str | None = None,
    reoptimise: Callable[[pl.DataFrame], pl.DataFrame | None] | None = None,
    workers: int = 1,
    lp_share: float = LP_SHARE,
) -> Search:
    """Large-neighbourhood search on the whole model: free a part, fix the rest, re-solve.

    The model is handed to HiGHS once. Each move fixes every assignment variable outside a
    neighbourhood to the incumbent's value (column bounds only, so nothing is rebuilt), passes
    the incumbent as a start and solves for at most :data:`MOVE_TIME_S` seconds; a better
    solution becomes the incumbent. Every hard rule is about one person and cover is soft, so
    every move is feasible (the incumbent is a solution of it). Neighbourhoods, chosen at
    random (seeded):

    * ``people``: a share of the people, every day;
    * ``window``: every person over a window of consecutive days;
    * ``mixed``: a share of the people over a window;
    * ``rins``: person-days where the incumbent differs from the LP relaxation's solution
      (relaxation-induced neighbourhood; skipped if the LP is not solved in a tenth of the
      budget by simplex, or in another tenth by the interior-point method).

    Each kind's size (share of assignment variables freed) grows by 15 % after a move solved
    to optimality and shrinks by 30 % after one stopped by its time limit; after every 25
    moves without improvement the move time doubles (up to 8 times).

    With ``workers`` above 1 the moves run in that many processes at once (HiGHS's MIP solver
    is mostly serial, so a second core otherwise idles through the search): ``workers - 1``
    worker processes, each on its own copy of the model with its own seed, and this one. Each
    sends its improvements to the others, and takes a better solution it receives as its
    incumbent after its current move.

    Args:
        model: the built rota model.
        start: ``{variable: value}`` for every model variable (a feasible solution, e.g. from
            :func:`complete_start`).
        time_budget_s: seconds to spend.
        seed: random seed.
        extra_s: seconds added to the budget when simplex does not solve the LP relaxation
            in its tenth of the budget: a final MIP solve seldom finishes its root LP in that
            time then, and the search makes better use of it (the price is a weaker bound
            where the final solve would have finished its root).
        defer_if_simplex: return at once (no search, ``start`` unchanged) when simplex solves
            the LP relaxation in its tenth: the caller adds the redundant C21 to the model and
            searches on that (``lsc_workforce.rota.warm_start.find_warm_start``).
        redundant: name prefix of redundant rows (C21's ``sequence_flow__``) that the search
            frees (bounds made infinite in HiGHS's copy only) when simplex does not solve the
            LP relaxation in its tenth: the sub-MIPs are faster without them. The returned
            values of their columns are then meaningless: complete the roster again
            (:func:`complete_start`).
        reoptimise: called with the start's roster when neither simplex nor interior point
            solves the LP relaxation in its tenth, before the search; the roster it returns
            (``None``: none) replaces the start's assignments, the other columns solved by
            HiGHS, when that is better. The engine passes people re-optimised in turn
            (:func:`reoptimise_people`): where the LP is out of reach the model is too large
            for the search's moves to be quick, and the passes gain more; where interior
            point solves it, the search with its RINS guide does better without them.
        workers: processes making moves at once (the engine passes its ``threads``); none
            is started for under :data:`WORKER_MIN_S` seconds of search.
        lp_share: share of ``time_budget_s`` simplex (and then interior point) gets for the
            LP relaxation ("a tenth" above, :data:`LP_SHARE`).

    Returns:
        The :class:`Search`: the best solution, the number of improving moves, the LP bound
        and whether simplex solved the LP.
    """
    import highspy  # noqa: PLC0415

    began = time.perf_counter()
    prob = model.prob
    highspy.Highs.resetGlobalScheduler(True)
    solver = HiGHS(msg=False, threads=1, gapRel=1e-6)
    solver.createAndConfigureSolver(prob)
    arrays, variables = highs_lp(prob)  # as ``solver.buildSolverModel``, keeping the list
    highs = prob.solverModel
    highs.passModel(arrays)
    n = len(variables)
    known = {v.name for v in variables}  # an assignment in no row and not costed is not
    x = np.zeros(n)  # in HiGHS's copy: nothing depends on it, so the search leaves it alone
    for var, value in start.items():
        if var.name in known:
            x[var.index] = value
    integer = np.array([v.cat == pulp.LpInteger for v in variables])
    cost = np.array([prob.objective.get(v, 0.0) for v in variables])
    keys = [k for k, var in model.assign.items() if var.name in known]
    assigned = [model.assign[k] for k in keys]
    cols = np.array([v.index for v in assigned], dtype=np.int32)
    # the model's own bounds on the assignments (e.g. the OOH shift calendar fixes some to 0)
    low = np.array([v.lowBound or 0.0 for v in assigned])
    up = np.array([1.0 if v.upBound is None else v.upBound for v in assigned])
    relaxation = _lp_relaxation(highs, lp_share * time_budget_s)
    simplex = relaxation is not None and relaxation[2] == LP_METHODS[0]
    lp_bound = None if relaxation is None else relaxation[1] + float(prob.objective.constant)
    if simplex and defer_if_simplex:
        prob.solverModel = None
        return Search(start, 0, lp_bound, simplex)
    if not simplex:
        time_budget_s += extra_s
        if redundant is not None:
            _free_rows(highs, prob, redundant)
        if relaxation is None and reoptimise is not None:  # no LP by either method
            x = _reoptimised(
                model,
                highs,
                x,
                keys=keys,
                cols=cols,
                integer=integer,
                cost=cost,
                reoptimise=reoptimise,
                limit_s=time_budget_s,
            )
    hood = _Neighbourhoods(
        cols=cols,
        low=low,
        up=up,
        person=np.array([k[0] for k in keys], dtype=np.int64),
        day=np.array([k[1] for k in keys], dtype=np.int64),
        n_days=model.problem.n_days,
        x_lp=None if relaxation is None else relaxation[0][cols],
        integer=integer,
        cost=cost,
        constant=float(prob.objective.constant),
    )
    deadline = time.monotonic() + time_budget_s - (time.perf_counter() - began)
    helpers = _Workers(highs, hood, x, deadline, seed=seed, count=workers - 1)
    try:
        x, improved = _lns(highs, hood, x, deadline, random.Random(seed), peers=helpers.peers)
        x = helpers.finish(x)
    finally:
        helpers.stop()
    prob.solverModel = None  # free HiGHS's copy before the final solve builds its own
    return Search({var: float(x[var.index]) for var in variables}, improved, lp_bound, simplex)


class _Neighbourhoods(NamedTuple):
    """What a search process needs to draw its moves and fix the rest (picklable)."""

    #: HiGHS column of each assignment variable, and the model's own bounds on it
    cols: np.ndarray
    low: np.ndarray
    up: np.ndarray
    #: person and day index of each assignment variable
    person: np.ndarray
    day: np.ndarray
    n_days: int
    #: the LP relaxation's assignment values (``None``: not solved, no ``rins`` moves)
    x_lp: np.ndarray | None
    #: which columns are integer, each column's cost, and the objective's constant
    integer: np.ndarray
    cost: np.ndarray
    constant: float


class _Peers(NamedTuple):
    """How a search process shares its improvements with the others (see :class:`_Workers`).

    A message is ``(origin, objective, column values)``; the main process (``me`` -1) passes
    what it adopts from one worker on to the others.
    """

    me: int
    inbox: object  # multiprocessing queue
    outboxes: dict  # {peer: queue}


def _lns(highs, hood: _Neighbourhoods, x, deadline: float, rng: random.Random, *, peers=None):
    """Moves on ``highs`` until ``deadline`` (``time.monotonic()``), from the solution ``x``.

    The moves, sizes and move times are :func:`improve_start`'s. With ``peers``, every
    improvement is sent to the other processes and a better solution received from them
    after a move becomes the incumbent.

    Returns:
        The best column values found (or received) and the number of improving moves made here.
    """
    import highspy  # noqa: PLC0415

    n = len(x)
    cols, person, day = hood.cols, hood.person, hood.day
    people = sorted(set(person.tolist()))
    cell = person * hood.n_days + day
    kinds = NEIGHBOURHOODS if hood.x_lp is not None else NEIGHBOURHOODS[:-1]
    sizes = dict.fromkeys(kinds, 0.15)
    best = float(hood.cost @ x)
    improved = stalled = moves = 0
    all_cols = np.arange(n, dtype=np.int32)
    while (left := deadline - time.monotonic()) > 0.5 and len(cols):
        moves += 1
        kind = rng.choice(kinds)
        share = sizes[kind]
        if kind == "people":
            free = np.isin(person, rng.sample(people, max(1, round(share * len(people)))))
        elif kind == "window":
            free = _window(day, hood.n_days, max(2, round(share * hood.n_days)), rng)
        elif kind == "mixed":
            chosen = rng.sample(people, max(1, round(share**0.5 * len(people))))
            free = np.isin(person, chosen) & _window(
                day, hood.n_days, max(2, round(share**0.5 * hood.n_days)), rng
            )
        else:
            differ = np.unique(cell[np.abs(x[cols] - hood.x_lp) > 1e-3])
            keep = max(1, round(share * len(people) * hood.n_days))
            if len(differ) > keep:
                differ = np.array(rng.sample(differ.tolist(), keep))
            free = np.isin(cell, differ)
        fixed = x[cols]
        highs.changeColsBounds(
            len(cols), cols, np.where(free, hood.low, fixed), np.where(free, hood.up, fixed)
        )
        highs.setSolution(n, all_cols, x)
        move_s = MOVE_TIME_S * 2 ** min(3, stalled // 25)  # longer moves when stuck
        highs.setOptionValue("time_limit", float(max(0.5, min(move_s, left))))
        highs.run()
        if highs.getInfo().primal_solution_status == 2:  # kSolutionStatusFeasible
            y = np.array(highs.getSolution().col_value)
            y[hood.integer] = np.round(y[hood.integer])
            if (value := float(hood.cost @ y)) < best - 1e-6:
                x, best, improved, stalled = y, value, improved + 1, -1
                LOGGER.debug(
                    "LNS process %s: %s move (share %.3f) improved the objective to %.2f",
                    "main" if peers is None else peers.me,
                    kind,
                    share,
                    best + hood.constant,
                )
                if peers is not None:
                    for outbox in peers.outboxes.values():
                        outbox.put((peers.me, best, x))
        stalled += 1
        optimal = highs.getModelStatus() == highspy.HighsModelStatus.kOptimal
        sizes[kind] = min(1.0, share * 1.15) if optimal else max(0.01, share / 1.3)
        if peers is not None:
            x, best = _adopt(peers, x, best, hood.constant)
    LOGGER.debug(
        "LNS process %s: %d moves, %d improving",
        "main" if peers is None else peers.me,
        moves,
        improved,
    )
    return x, improved


def _adopt(peers: _Peers, x, best: float, constant: float):
    """``(x, best)``, or the best solution waiting in ``peers.inbox`` if that is better."""
    while True:
        try:
            origin, value, y = peers.inbox.get_nowait()
        except queue.Empty:
            return x, best
        if value < best - 1e-6:
            x, best = y, value
            LOGGER.debug(
                "LNS process %s adopted %.2f from process %s", peers.me, best + constant, origin
            )
            if peers.me == -1:  # the main process passes it on to the other workers
                for peer, outbox in peers.outboxes.items():
                    if peer != origin:
                        outbox.put((origin, value, y))


class _Workers:
    """``count`` worker processes running :func:`_lns` on their own copies of ``highs``'s model.

    Started at once (spawned, so nothing of the parent's threads or HiGHS state is inherited;
    each rebuilds the model from its arrays, with one thread and its own seed), unless the
    search has under :data:`WORKER_MIN_S` left. :attr:`peers` is the main process's end of the
    exchange (``None`` without workers): its inbox takes the workers' improvements, read by
    :func:`_lns` after every move and by :meth:`finish` until the workers stop.
    """

    def __init__(self, highs, hood: _Neighbourhoods, x, deadline: float, *, seed: int, count: int):
        import multiprocessing  # noqa: PLC0415

        self.deadline, self.hood = deadline, hood
        self.processes: list = []
        self.peers: _Peers | None = None
        if count < 1 or deadline - time.monotonic() < WORKER_MIN_S:
            return
        lp = _lp_arrays(highs)
        context = multiprocessing.get_context("spawn")
        self.peers = _Peers(-1, context.Queue(), {})
        for k in range(count):
            self.peers.outboxes[k] = context.Queue()
            process = context.Process(
                target=_lns_worker,
                args=(lp, hood, x, deadline),
                kwargs={
                    "seed": seed + 1 + k,
                    "peers": _Peers(k, self.peers.outboxes[k], {-1: self.peers.inbox}),
                },
                daemon=True,
            )
            process.start()
            self.processes.append(process)

    def finish(self, x):
        """The best of ``x`` and what the workers send until they stop (at the deadline)."""
        if self.peers is None:
            return x
        best = float(self.hood.cost @ x)
        for process in self.processes:
            while process.is_alive() and time.monotonic() < self.deadline + WORKER_GRACE_S:
                x, best = _adopt(self.peers, x, best, self.hood.constant)
                process.join(0.2)
        return _adopt(self.peers, x, best, self.hood.constant)[0]

    def stop(self) -> None:
        """Stop any worker still running and release the queues."""
        for process in self.processes:
            if process.is_alive():
                process.terminate()
            process.join()
        if self.peers is not None:
            for box in (self.peers.inbox, *self.peers.outboxes.values()):
                box.cancel_join_thread()  # nobody reads what is left in them
                box.close()


#: Seconds of search below which :func:`improve_start` starts no worker processes.
WORKER_MIN_S = 20.0

#: Seconds after the deadline a worker may take to finish its last move before it is stopped.
WORKER_GRACE_S = 10.0


def _lp_arrays(highs) -> tuple:
    """The arguments of ``Highs.passModel`` that rebuild ``highs``'s model (with integrality)."""
    lp = highs.getLp()
    a = lp.a_matrix_
    return (
        lp.num_col_,
        lp.num_row_,
        len(a.value_),
        int(a.format_),
        int(lp.sense_),
        lp.offset_,
        np.asarray(lp.col_cost_),
        np.asarray(lp.col_lower_),
        np.asarray(lp.col_upper_),
        np.asarray(lp.row_lower_),
        np.asarray(lp.row_upper_),
        np.asarray(a.start_, dtype=np.int32),
        np.asarray(a.index_, dtype=np.int32),
        np.asarray(a.value_, dtype=np.float64),
        np.array([int(v) for v in lp.integrality_], dtype=np.int32),
    )


def _lns_worker(lp: tuple, hood: _Neighbourhoods, x, deadline: float, *, seed: int, peers) -> None:
    """A worker process of :class:`_Workers`: its own HiGHS copy, its own seed, then moves."""
    import highspy  # noqa: PLC0415

    highs = highspy.Highs()
    for option, value in (("output_flag", False), ("threads", 1), ("mip_rel_gap", 1e-6)):
        highs.setOptionValue(option, value)
    highs.setOptionValue("random_seed", seed % 2**31)
    highs.passModel(*lp)
    _lns(highs, hood, x, deadline, random.Random(seed), peers=peers)


def _reoptimised(
    model: RotaModel, highs, x, *, keys, cols, integer, cost, reoptimise, limit_s: float
):
    """``x`` with the assignments of ``reoptimise``'s roster, if HiGHS completes it better."""
    problem = model.problem
    rows = [
        (problem.people[i].id, problem.dates[d], problem.shift_types[t].id)
        for (i, d, t), value in zip(keys, x[cols], strict=True)
        if value > 0.5
    ]
    roster = reoptimise(pl.DataFrame(rows, schema=ROSTER_SCHEMA, orient="row"))
    if roster is None:
        return x
    values = _assignment_values(model, roster)
    fixed = np.array([values[model.assign[k]] for k in keys])  # in ``cols`` order
    highs.changeColsBounds(len(cols), cols, fixed, fixed)
    highs.setOptionValue("time_limit", float(max(1.0, limit_s)))
    highs.run()
    if highs.getInfo().primal_solution_status != 2:  # kSolutionStatusFeasible
        return x
    y = np.array(highs.getSolution().col_value)
    y[integer] = np.round(y[integer])
    LOGGER.debug("re-optimised people: %.2f -> %.2f", cost @ x, cost @ y)
    return y if cost @ y < cost @ x - 1e-6 else x


def _free_rows(highs, prob: pulp.LpProblem, prefix: str) -> int:
    """Make the rows whose names start with ``prefix`` free in HiGHS's copy of ``prob``.

    Returns:
        The number of rows freed.
    """
    import highspy  # noqa: PLC0415

    rows = np.array(
        [row.index for name, row in prob.constraints.items() if name.startswith(prefix)],
        dtype=np.int32,
    )
    inf = np.full(len(rows), highspy.kHighsInf)
    if len(rows):
        highs.changeRowsBounds(len(rows), rows, -inf, inf)
    return len(rows)


def _window(day, n_days: int, width: int, rng: random.Random):
    """Mask of the assignment columns in a random window of ``width`` consecutive days."""
    first = rng.randrange(0, max(1, n_days - width + 1))
    return (day >= first) & (day < first + width)


#: Relative tolerance taken off an LP optimum before it is reported as a bound (HiGHS's
#: interior-point method stops within a relative duality gap of 1e-8).
LP_BOUND_TOLERANCE = 1e-6

#: HiGHS LP methods :func:`_lp_relaxation` tries in turn: its default (simplex, a vertex),
#: then interior point without crossover.
LP_METHODS = ("choose", "ipm")


def _lp_relaxation(highs, time_limit_s: float, methods: tuple[str, ...] = LP_METHODS):
    """The LP relaxation's ``(column values, objective, method)``, or ``None`` if not solved.

    By default HiGHS's default LP method first (a vertex); if it does not finish in
    ``time_limit_s``, the interior-point method without crossover gets as long again (it
    often solves large relaxations that simplex does not finish). The objective is reduced by
    :data:`LP_BOUND_TOLERANCE` (relative) so that it is a valid lower bound either way.
    """
    import highspy  # noqa: PLC0415

    lp = highs.getLp()
    lp.integrality_ = []
    for method in methods:
        relaxed = highspy.Highs()
        relaxed.setOptionValue("output_flag", False)
        relaxed.setOptionValue("threads", 1)
        relaxed.setOptionValue("time_limit", float(max(0.5, time_limit_s)))
        relaxed.setOptionValue("solver", method)
        relaxed.setOptionValue("run_crossover", "off")
        relaxed.passModel(lp)
        relaxed.run()
        LOGGER.debug(
            "LP relaxation by %s: %s after %.1f s",
            method,
            relaxed.modelStatusToString(relaxed.getModelStatus()),
            relaxed.getRunTime(),
        )
        if relaxed.getModelStatus() == highspy.HighsModelStatus.kOptimal:
            value = relaxed.getInfo().objective_function_value
            value -= LP_BOUND_TOLERANCE * max(1.0, abs(value))
            return np.array(relaxed.getSolution().col_value), value, method
    return None


def complete_start(model: RotaModel, roster: pl.DataFrame, time_limit_s: float = 30.0) -> dict:
    """Every model variable's value for ``roster`` (assignments fixed, the rest solved).

    Returns:
        ``{variable: value}`` for all variables, or only the assignments if the completion
        solve finds no solution in time.
    """
    start = _assignment_values(model, roster)
    bounds = {var: (var.lowBound, var.upBound) for var in start}
    try:
        for var, value in start.items():
            var.lowBound = var.upBound = value
        settings = SolverSettings(threads=1, time_limit_s=time_limit_s)
        result = solve_problem(model.prob, settings)
        if result.status.has_solution:
            start = {var: var.varValue or 0.0 for var in model.prob.variables()}
    finally:
        for var, (low, up) in bounds.items():
            var.lowBound, var.upBound = low, up
    return start


def _assignment_values(model: RotaModel, roster: pl.DataFrame) -> dict[pulp.LpVariable, float]:
    """1.0 for each assignment variable of ``model`` that ``roster`` works, 0.0 for the rest."""
    problem = model.problem
    worked = {
        (staff, problem.day_index[d], s)
        for staff, d, s in roster.select("staff_id", "date", "shift").iter_rows()
    }
    return {
        var: float((problem.people[i].id, d, problem.shift_types[t].id) in worked)
        for (i, d, t), var in model.assign.items()
    }
