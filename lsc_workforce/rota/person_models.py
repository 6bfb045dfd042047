r"""Each person's integer programme, cut out of the whole rota model's arrays.

Every hard rule of the rota model is about one person, and cover is soft; the construction
and the re-optimisation of :mod:`lsc_workforce.rota.heuristic` therefore solve one person at a
time against the cover the others leave. Building each of those models in PuLP and handing
it to HiGHS takes longer than solving it on the largest instances, so :class:`PersonModels`
turns the whole model into arrays once (:func:`lsc_workforce.solve.highs_lp`) and cuts each
person's model out of them with numpy.

**Whose column is it.** Person ``i`` owns their assignment columns :math:`x_{idt}` and every
column tied to them through rows about ``i`` alone (``day_work``, ``weekend_worked``, the
slacks of ``i``'s soft rules, ``post_used``): owners spread from the assignment columns along
rows whose owned columns all belong to one person, until nothing changes. A row holding
assignments of several people (cover, fairness) spreads nothing, so the cover's
``cover_under``/``cover_over`` columns and the fairness deviations belong to nobody.

**Person i's model.** Its rows are the rows holding a column of ``i``'s whose other columns
are all the cover's or other people's assignments (so ``i``'s own rules and the cover rows
``i`` may count towards; fairness rows are left out, as in the construction's earlier
per-person models). Its columns are ``i``'s and the cover columns of those rows. The other
people's assignments are fixed at their current values and move to the right-hand sides: a
cover row :math:`\sum_j x_j + u - o = r` becomes :math:`\sum_{x \in i} x + u - o = r -
\text{(the others' count)}`, which prices ``i``'s shifts exactly as the reduced requirement
:math:`\max(0, r - \text{others})` of the earlier per-person problems did. Objective: the
whole model's costs on those columns (``i``'s requests, the cover's weights), plus any extra
requests (the weekend plan's guide). "Own rules only" drops the cover rows and the
objective: any roster ``i``'s own rules admit.
"""

from __future__ import annotations

import time

import highspy
import numpy as np
import polars as pl

from lsc_workforce.config import SolverSettings
from lsc_workforce.rota.checker import ROSTER_SCHEMA
from lsc_workforce.rota.model import RotaModel
from lsc_workforce.rota.problem import ShiftRequest
from lsc_workforce.solve import highs_lp

__all__ = ["PersonModels"]

#: HiGHS's primal solution status "feasible".
_FEASIBLE = 2


def _ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The concatenation of ``arange(s, s + n)`` for each ``(s, n)``."""
    ends = np.cumsum(lengths)
    offsets = np.repeat(starts - (ends - lengths), lengths)
    return np.arange(ends[-1] if len(ends) else 0) + offsets


def _owners(owner: np.ndarray, row_start: np.ndarray, index: np.ndarray, csc: tuple) -> np.ndarray:
    """``owner`` (-1: nobody yet) spread along rows whose owned columns have one owner.

    ``csc`` is ``(row_of, col_order, col_start, col_len)``: each entry's row, and the entries
    column by column.
    """
    row_of, col_order, col_start, col_len = csc
    lengths = np.diff(row_start)
    rows = np.flatnonzero(lengths)  # reduceat needs non-empty segments
    cols = np.flatnonzero(col_len)
    while True:
        known = owner[index]
        high = np.maximum.reduceat(known, row_start[rows])
        low = np.minimum.reduceat(np.where(known < 0, len(owner), known), row_start[rows])
        row_owner = np.full(len(lengths), -1)
        row_owner[rows] = np.where(low == high, high, -1)
        reach = np.maximum.reduceat(row_owner[row_of][col_order], col_start[cols])
        new = cols[(owner[cols] < 0) & (reach >= 0)]
        if not len(new):
            return owner
        owner[new] = reach[np.searchsorted(cols, new)]


def _highs(arrays: tuple, time_limit_s: float, gap_rel: float) -> highspy.Highs:
    """A quiet one-thread HiGHS holding the model of ``passModel(*arrays)``."""
    highspy.Highs.resetGlobalScheduler(True)
    highs = highspy.Highs()
    for option, value in (
        ("output_flag", False),
        ("threads", 1),
        ("time_limit", float(max(time_limit_s, 0.01))),
        ("mip_rel_gap", gap_rel),
    ):
        highs.setOptionValue(option, value)
    highs.passModel(*arrays)
    return highs


class PersonModels:
    """One person's model at a time, cut out of the whole model (see the module docstring).

    Args:
        model: the whole rota model (without C21, ``build_model(..., extended=False)``, for
            speed: C21's rows are one person's and would be cut out with the rest).
    """

    def __init__(self, model: RotaModel) -> None:
        self.model = model
        problem = model.problem
        began = time.perf_counter()
        lp, self._variables = highs_lp(model.prob)
        a = lp.a_matrix_
        self._start = np.asarray(a.start_, dtype=np.int64)
        self._index = np.asarray(a.index_, dtype=np.int64)
        self._value = np.asarray(a.value_, dtype=np.float64)
        self._cost = np.asarray(lp.col_cost_, dtype=np.float64)
        self._col_bounds = np.asarray(lp.col_lower_), np.asarray(lp.col_upper_)
        self._row_bounds = np.asarray(lp.row_lower_), np.asarray(lp.row_upper_)
        n_col = lp.num_col_
        self._integrality = np.array([int(v) for v in lp.integrality_] or [0] * n_col, np.int32)
        # assignment columns (those in no row and not costed are not in the arrays)
        keys = [k for k, var in model.assign.items() if hasattr(var, "index")]
        self._n_days, self._n_shifts = problem.n_days, len(problem.shift_types)
        codes = np.array([self._code(*k) for k in keys], dtype=np.int64)
        cols = np.array([model.assign[k].index for k in keys], dtype=np.int64)
        order = np.argsort(codes)
        self._codes, self._cols = codes[order], cols[order]
        self._assign = np.zeros(n_col, dtype=bool)
        self._assign[cols] = True
        self._col_len = np.bincount(self._index, minlength=n_col)
        self._col_start = np.concatenate(([0], np.cumsum(self._col_len)[:-1]))
        self._col_order = np.argsort(self._index, kind="stable")
        self._row_of = np.repeat(np.arange(lp.num_row_), np.diff(self._start))
        owner = np.full(n_col, -1, dtype=np.int64)
        owner[cols] = [k[0] for k in keys]
        csc = (self._row_of, self._col_order, self._col_start, self._col_len)
        self._owner = _owners(owner, self._start, self._index, csc)
        cover = [*model.cover_under.values(), *model.cover_over.values()]
        self._cover = np.zeros(n_col, dtype=bool)
        self._cover[[v.index for v in cover if hasattr(v, "index")]] = True
        self._day_work = {k: v.index for k, v in model.day_work.items() if hasattr(v, "index")}
        by_owner = np.argsort(self._owner, kind="stable")
        bounds = np.searchsorted(self._owner[by_owner], np.arange(len(problem.people) + 1))
        self._own = [by_owner[bounds[i] : bounds[i + 1]] for i in range(len(problem.people))]
        self._n_col = n_col
        #: seconds to turn the whole model into arrays (about one hand-over of it to HiGHS)
        self.arrays_s = time.perf_counter() - began

    @property
    def n_columns(self) -> int:
        """The number of columns of the whole model's arrays."""
        return self._n_col

    def _code(self, i: int, d: int, t: int) -> int:
        return (i * self._n_days + d) * self._n_shifts + t

    def assignments(self, roster: pl.DataFrame) -> np.ndarray:
        """The column values of ``roster``'s assignments (every other column 0)."""
        problem = self.model.problem
        person = {p.id: i for i, p in enumerate(problem.people)}
        shift = {s.id: t for t, s in enumerate(problem.shift_types)}
        x = np.zeros(self._n_col)
        codes = np.array(
            [
                self._code(person[s], problem.day_index[d], shift[t])
                for s, d, t in roster.select("staff_id", "date", "shift").iter_rows()
            ],
            dtype=np.int64,
        )
        if len(codes):
            at = np.searchsorted(self._codes, codes)
            found = at < len(self._codes)
            found[found] = self._codes[at[found]] == codes[found]
            x[self._cols[at[found]]] = 1.0
        return x

    def roster(self, x: np.ndarray) -> pl.DataFrame:
        """The roster of the assignments with value above 0.5 in ``x``."""
        problem = self.model.problem
        codes = self._codes[x[self._cols] > 0.5]
        t = codes % self._n_shifts
        d = codes // self._n_shifts % self._n_days
        i = codes // (self._n_shifts * self._n_days)
        rows = [
            (problem.people[a].id, problem.dates[b], problem.shift_types[c].id)
            for a, b, c in zip(i.tolist(), d.tolist(), t.tolist(), strict=True)
        ]
        rows.sort()
        return pl.DataFrame(rows, schema=ROSTER_SCHEMA, orient="row")

    def own_columns(self, i: int) -> np.ndarray:
        """Person ``i``'s columns (assignments and the columns tied to them)."""
        return self._own[i]

    def _request_costs(self, i: int, requests: tuple[ShiftRequest, ...]) -> dict[int, float]:
        """Extra costs on ``i``'s columns for ``requests`` (constants left out, as C18)."""
        problem = self.model.problem
        shift = {s.id: t for t, s in enumerate(problem.shift_types)}
        costs: dict[int, float] = {}
        for req in requests:
            d = problem.day_index[req.date]
            if req.shift is None and (i, d) in self._day_work:
                cols = [self._day_work[i, d]]
            else:
                ts = range(self._n_shifts) if req.shift is None else [shift[req.shift]]
                codes = np.array([self._code(i, d, t) for t in ts], dtype=np.int64)
                at = np.minimum(np.searchsorted(self._codes, codes), len(self._codes) - 1)
                cols = self._cols[at[self._codes[at] == codes]].tolist()
            for col in cols:
                costs[col] = costs.get(col, 0.0) + (-req.weight if req.on else req.weight)
        return costs

    def solve(
        self,
        i: int,
        x: np.ndarray,
        time_limit_s: float,
        *,
        against_cover: bool = True,
        objective: bool = True,
        requests: tuple[ShiftRequest, ...] = (),
        start: np.ndarray | None = None,
        gap_rel: float = 0.01,
    ) -> tuple[str, np.ndarray]:
        """Solve person ``i``'s model with everyone else's assignments fixed at ``x``.

        Args:
            i: the person's index in the problem.
            x: the whole model's column values; only the other people's assignments are
                read (their cover).
            time_limit_s: HiGHS's time limit.
            against_cover: with the cover rows; without: ``i``'s own rules only, and no
                objective.
            objective: with the objective (otherwise any roster will do).
            requests: extra requests of ``i``'s, priced on top of the model's.
            start: a starting solution (``i``'s assignment columns are read from it).
            gap_rel: HiGHS's relative gap.

        Returns:
            ``(outcome, columns)``: ``"solved"`` and the assignment columns ``i`` works;
            ``"infeasible"`` (``i``'s own rules admit no roster) or ``"not solved"``
            (stopped without a roster), each with no columns.
        """
        own = self._own[i]
        if not len(own):  # nothing to decide: no shift to work
            return "solved", own
        entries = self._col_order[_ranges(self._col_start[own], self._col_len[own])]
        rows = np.unique(self._row_of[entries])
        lengths = self._start[rows + 1] - self._start[rows]  # not a diff over every row
        entries = _ranges(self._start[rows], lengths)
        local_row = np.repeat(np.arange(len(rows)), lengths)
        col, value = self._index[entries], self._value[entries]
        mine = self._owner[col] == i
        cover = self._cover[col]
        fixed = self._assign[col] & ~mine  # the others' assignments
        bad = np.bincount(local_row, ~(mine | cover | fixed), minlength=len(rows)) > 0
        if not against_cover:
            bad |= np.bincount(local_row, cover | fixed, minlength=len(rows)) > 0
        keep = ~bad[local_row]
        their = keep & fixed
        shift = np.bincount(local_row[their], value[their] * x[col[their]], minlength=len(rows))
        free = keep & (mine | cover)
        columns = np.union1d(own, col[free])
        cost = self._cost[columns] if against_cover and objective else np.zeros(len(columns))
        if against_cover and objective:
            for c, delta in self._request_costs(i, requests).items():
                cost[np.searchsorted(columns, c)] += delta
        n_row = int((~bad).sum())
        row_start = np.cumsum(np.bincount(local_row[free], minlength=len(rows))[~bad])
        lower, upper = self._row_bounds
        arrays = (
            len(columns),
            n_row,
            int(free.sum()),
            int(highspy.MatrixFormat.kRowwise),
            int(highspy.ObjSense.kMinimize),
            0.0,
            cost,
            self._col_bounds[0][columns],
            self._col_bounds[1][columns],
            (lower[rows] - shift)[~bad],
            (upper[rows] - shift)[~bad],
            np.concatenate(([0], row_start)).astype(np.int32),
            np.searchsorted(columns, col[free]).astype(np.int32),
            value[free],
            self._integrality[columns],
        )
        highs = _highs(arrays, time_limit_s, gap_rel)
        assigned = self._assign[columns] & (self._owner[columns] == i)
        if start is not None:
            at = np.flatnonzero(assigned).astype(np.int32)
            highs.setSolution(len(at), at, start[columns[at]].astype(np.float64))
        highs.run()
        if highs.getInfo().primal_solution_status == _FEASIBLE:
            value = np.asarray(highs.getSolution().col_value)
            return "solved", columns[assigned & (value > 0.5)]
        infeasible = highs.getModelStatus() == highspy.HighsModelStatus.kInfeasible
        return ("infeasible" if infeasible else "not solved"), columns[:0]

    def complete(self, roster: pl.DataFrame, time_limit_s: float) -> dict:
        """Every model variable's value for ``roster`` (assignments fixed, the rest solved).

        What :func:`~lsc_workforce.rota.heuristic.complete_start` gives, from the arrays
        already made rather than a new hand-over of the model to HiGHS through PuLP (slow
        on large models).

        Returns:
            ``{variable: value}`` for all variables of the arrays, or only the assignments
            if HiGHS finds no solution in time.
        """
        x = self.assignments(roster)
        lower, upper = (bound.copy() for bound in self._col_bounds)
        lower[self._cols] = upper[self._cols] = x[self._cols]
        arrays = (
            self._n_col,
            len(self._start) - 1,
            len(self._index),
            int(highspy.MatrixFormat.kRowwise),
            int(highspy.ObjSense.kMinimize),
            0.0,
            self._cost,
            lower,
            upper,
            *self._row_bounds,
            self._start.astype(np.int32),
            self._index.astype(np.int32),
            self._value,
            self._integrality,
        )
        highs = _highs(arrays, time_limit_s, SolverSettings().gap_rel)
        highs.run()
        if highs.getInfo().primal_solution_status == _FEASIBLE:
            value = np.asarray(highs.getSolution().col_value)
            integer = self._integrality > 0
            value[integer] = np.round(value[integer])
            return dict(zip(self._variables, value.tolist(), strict=True))
        return {self._variables[c]: x[c] for c in self._cols.tolist()}
