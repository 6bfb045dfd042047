"""The warm start of a large rota model, behind one call: :func:`find_warm_start`.

Steps, each within its share of the time limit (:class:`WarmStartBudget`):

1. **Plan the weekends** (:func:`~lsc_workforce.rota.weekend_plan.plan_weekends`).
2. **Construct** a feasible roster person by person, guided by the plan
   (:func:`~lsc_workforce.rota.heuristic.construct_roster`), on the model without C21, each
   person's model cut out of the whole one
   (:class:`~lsc_workforce.rota.person_models.PersonModels`). A construction that fell
   behind pace placed some people on their own rules only: passes of
   :func:`~lsc_workforce.rota.heuristic.reoptimise_people` re-solve people against the
   others' cover, those people first.
3. **Complete** the roster for every column (one hand-over of the model to HiGHS and back,
   timed: the search and the final solve each need one more).
4. **Search** (:func:`~lsc_workforce.rota.heuristic.improve_start`), on a model chosen by the
   LP relaxation: where simplex solves the LP without C21, C21 is added and the search runs
   with it (or with its rows freed where simplex misses the LP with C21); where it does not,
   the search runs on without C21. See ``lsc_workforce.rota.engine.solve`` for the whole
   story.

A construction that ran into its grace, or a completion that leaves fewer than
:attr:`WarmStartBudget.handovers` hand-overs in the time left, skips the search and C21.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import polars as pl

from lsc_workforce.config import SolverSettings
from lsc_workforce.rota.heuristic import (
    Search,
    complete_start,
    construct_roster,
    improve_start,
    reoptimise_people,
)
from lsc_workforce.rota.model import CONSTRAINT_TAGS, RotaModel, add_sequence_flow
from lsc_workforce.rota.person_models import PersonModels
from lsc_workforce.rota.solution import extract_roster
from lsc_workforce.rota.weekend_plan import plan_weekends
from lsc_workforce.solve import MIN_SOLVER_S

__all__ = ["BUDGET", "C21_PREFIX", "WarmStart", "WarmStartBudget", "find_warm_start"]

LOGGER = logging.getLogger(__name__)

#: Name prefix of C21's rows (``add_sequence_flow``; rows are named ``<tag name>__...``).
C21_PREFIX = f"{CONSTRAINT_TAGS['C21']}__"


@dataclass(frozen=True)
class WarmStartBudget:
    """How the warm start shares the time limit ``L``.

    Every share is of ``L``, counted from the start of the warm start (the end of the
    model's build). Each share's role in the solve algorithm is described in
    ``docs/rota_model.md``.

    Attributes:
        plan: the weekend plan's time limit; it comes out of the construction's share.
        construction: the construction's budget ends here.
        grace: the construction may run on this much past its budget to finish
            (``construct_roster``'s ``grace_s``): a roster late is better than none; if it
            does, the search and C21 are skipped.
        reoptimise_until: passes of ``reoptimise_people`` stop here, after a construction
            that fell behind pace or in a search without the LP relaxation.
        reoptimise_min_gain: passes stop after one that gains less than this share of the
            first's gain.
        completion: each completion of a roster for every column has this share of ``L`` ...
        completion_s: ... plus these seconds as its time limit.
        handovers: the search is skipped when, once the roster is completed, the time left
            holds fewer than this many hand-overs of the model to HiGHS (timed as the arrays'
            making plus the completion): the search's own, the final solve's, and one for the
            search to work in.
        search_until: the search ends here, less one hand-over (kept for the final solve).
        search_extra: the search runs this much longer where simplex does not solve the LP
            relaxation (a final solve would seldom finish its root LP then).
        lp_share: share of the search's own time in which simplex, and then interior point,
            may solve the LP relaxation.
    """

    plan: float = 0.15
    construction: float = 0.6
    grace: float = 0.25
    reoptimise_until: float = 0.75
    reoptimise_min_gain: float = 0.1
    completion: float = 0.05
    completion_s: float = 5.0
    handovers: int = 3
    search_until: float = 0.7
    search_extra: float = 0.25
    lp_share: float = 0.1


#: The engine's budget.
BUDGET = WarmStartBudget()


@dataclass(frozen=True)
class WarmStart:
    """What :func:`find_warm_start` found.

    Attributes:
        start: ``{variable: value}`` for every column of the model as it is now (with C21 if
            it was added), for the assignments only if the last completion found nothing in
            time, or ``None`` when no roster was built.
        lp_bound: the LP relaxation's optimum plus the objective's constant (a valid lower
            bound), or ``None`` when the LP was not solved.
        spent_s: seconds spent, C21's build excluded (``model.build_s`` counts it).
        handover_s: seconds of one hand-over of the model to HiGHS and back, as timed at the
            first completion (0 without a roster).
        pass_s: seconds the model took to turn into HiGHS's arrays (one way of a hand-over,
            without a solve; 0 if no arrays were made).
        c21_freed: the search freed C21's rows (simplex solved only the LP without them).
    """

    start: dict | None
    lp_bound: float | None
    spent_s: float
    handover_s: float
    pass_s: float
    c21_freed: bool = False


def find_warm_start(
    model: RotaModel,
    settings: SolverSettings,
    *,
    deadline: float | None = None,
    budget: WarmStartBudget | None = None,
) -> WarmStart:
    """A complete starting solution for ``model``, found within shares of the time limit.

    Args:
        model: the rota model built without C21 (``build_model(problem, extended=False)``);
            C21 is added to it when the LP relaxation says the final solve gains from it.
        settings: the time limit (``L``), the search's seed and its processes (``threads``).
        deadline: ``time.monotonic()`` instant the whole solve must end by (default: ``L``
            from now); completions are cut to it.
        budget: the shares of ``L`` (default :data:`BUDGET`).

    Returns:
        The :class:`WarmStart`.
    """
    budget = budget or BUDGET
    run = _Run(model, settings, budget, deadline)
    roster, late = run.construct()
    start = search = None
    if roster is not None:
        start = run.complete(roster)
        # the search hands the model to HiGHS again, and so does the final solve: without
        # time for both and a little search, go straight to the final solve
        late = late or run.left() < budget.handovers * run.handover_s
        LOGGER.debug("roster completed in %.1f s; search skipped: %s", run.handover_s, late)
    lp_bound, c21_freed = None, False
    if start is not None and len(start) == model.prob.numVariables() and not late:
        search = run.search(start, defer_if_simplex=True, reoptimise=run.passes)
        start, lp_bound = search.start, search.lp_bound
    if not late and (search is None or search.simplex):  # C21 for the roots' LP
        start = run.add_c21(start)
        if search is not None:
            search = run.search(start, redundant=C21_PREFIX)
            start, c21_freed = search.start, not search.simplex
            if c21_freed:  # C21's columns' values are meaningless
                start = run.complete_again(start)
            if search.lp_bound is not None:  # C21's LP: at least as tight
                lp_bound = search.lp_bound
    pass_s = 0.0 if run.persons is None else run.persons.arrays_s
    return WarmStart(
        start, lp_bound, run.elapsed() - run.extend_s, run.handover_s, pass_s, c21_freed
    )


class _Run:
    """One warm start's clock, budget and the people's models (the steps' shared state)."""

    def __init__(
        self,
        model: RotaModel,
        settings: SolverSettings,
        budget: WarmStartBudget,
        deadline: float | None,
    ) -> None:
        self.model, self.settings, self.budget = model, settings, budget
        self.limit = settings.time_limit_s
        self.began = time.perf_counter()
        self.deadline = time.monotonic() + self.limit if deadline is None else deadline
        self.persons: PersonModels | None = None
        self.handover_s = 0.0  # one hand-over of the model to HiGHS and back
        self.extend_s = 0.0  # C21's build

    def elapsed(self) -> float:
        """Seconds since the warm start began."""
        return time.perf_counter() - self.began

    def until(self, share: float) -> float:
        """Seconds left until ``share`` of the time limit (negative once past)."""
        return share * self.limit - self.elapsed()

    def left(self) -> float:
        """Seconds left until the deadline."""
        return self.deadline - time.monotonic()

    def completion_limit(self) -> float:
        """Time limit of one completion: its share, cut to the deadline."""
        share = self.budget.completion * self.limit + self.budget.completion_s
        return max(MIN_SOLVER_S, min(share, self.left()))

    def construct(self) -> tuple[pl.DataFrame | None, bool]:
        """Plan the weekends, construct a roster, re-optimise those placed behind pace.

        Returns:
            The roster (``None``: none found) and whether the construction ran into its
            grace (no time left for a search, nor to add C21).
        """
        problem, budget = self.model.problem, self.budget
        guide = plan_weekends(problem, time_limit_s=budget.plan * self.limit) or ()
        self.persons = PersonModels(self.model)  # cut out of the model as it is now: no C21
        roster, behind = construct_roster(
            problem,
            time_budget_s=self.until(budget.construction),
            guide=guide,
            grace_s=budget.grace * self.limit,
            persons=self.persons,
        )
        late = self.until(budget.construction) < 0
        if roster is not None and behind:  # placed on their own rules only: now the cover
            reoptimised = self.passes(roster, behind)
            roster = roster if reoptimised is None else reoptimised
        return roster, late

    def passes(self, roster: pl.DataFrame, first: tuple[str, ...] = ()) -> pl.DataFrame | None:
        """Passes of re-optimisation until their share ends or a pass gains little.

        Returns:
            The roster, or ``None`` when no pass changed anybody.
        """
        changed, gains = 0, []
        while (left := self.until(self.budget.reoptimise_until)) > 0:
            roster, n, gain = reoptimise_people(
                self.model.problem, roster, left, first=first, persons=self.persons
            )
            changed, first = changed + n, ()
            gains.append(gain)
            if n == 0 or gain < self.budget.reoptimise_min_gain * gains[0]:
                break
        return roster if changed else None

    def complete(self, roster: pl.DataFrame) -> dict:
        """``roster`` completed for every column; times the hand-over (:attr:`handover_s`)."""
        completing = time.perf_counter()
        start = self.persons.complete(roster, time_limit_s=self.completion_limit())
        # a hand-over to HiGHS: arrays made, a solve with the assignments fixed, read back
        self.handover_s = self.persons.arrays_s + time.perf_counter() - completing
        return start

    def search(self, start: dict, **kwargs) -> Search:
        """The large-neighbourhood search until its share, less one hand-over."""
        budget = self.until(self.budget.search_until) - self.handover_s
        return improve_start(
            self.model,
            start,
            budget,
            seed=self.settings.seed,
            extra_s=self.budget.search_extra * self.limit,
            workers=self.settings.threads,
            lp_share=self.budget.lp_share,
            **kwargs,
        )

    def add_c21(self, start: dict | None) -> dict | None:
        """Add C21 to the model (timed into ``model.build_s``); complete ``start`` for it."""
        extending = time.perf_counter()
        add_sequence_flow(self.model)
        self.extend_s = time.perf_counter() - extending
        self.model.build_s += self.extend_s
        return None if start is None else self.complete_again(start)

    def complete_again(self, start: dict) -> dict:
        """``start``'s roster completed for every column of the model as it is now.

        Used after C21 was added (its columns have no values) or freed in the search (their
        values are meaningless).
        """
        for var, value in start.items():
            var.varValue = value
        roster = extract_roster(self.model)
        return complete_start(self.model, roster, time_limit_s=self.completion_limit())
