"""Shared MILP solver call with an honest status, for every integer programme in lsc-workforce.

PuLP's own ``LpStatus`` says "Optimal" when HiGHS or CBC stop on a time limit holding a
feasible solution. This module reads the solver's own status instead:

* HiGHS (via ``highspy``, PuLP's ``HiGHS`` class): ``Highs.getModelStatus()`` plus
  ``getInfo().mip_dual_bound`` / ``primal_solution_status``.
* CBC (PuLP's bundled ``PULP_CBC_CMD``): PuLP's ``sol_status`` (``LpSolutionOptimal`` only when
  CBC printed "Optimal"; ``LpSolutionIntegerFeasible`` when it stopped with a solution), and the
  best bound parsed from the CBC log ("Lower bound:"). When CBC prints no bound, none is
  reported.
* OR-Tools CP-SAT (``solver="cpsat"``): the PuLP problem is translated in memory to an exact
  integer CP-SAT model (rules in :func:`solve_problem`); CP-SAT's ``OPTIMAL`` (proved, or
  within the gap limit) / ``FEASIBLE`` (stopped holding a solution) / ``INFEASIBLE`` /
  ``UNKNOWN`` map to OPTIMAL / FEASIBLE_TIME_LIMIT / INFEASIBLE / NOT_SOLVED, and its
  ``best_objective_bound`` is the bound. The values are written back into the PuLP variables.

The reported objective and bound both include the objective's constant term (PuLP does not pass
the constant to either solver, so the solver's bound is shifted by the same offset as its
objective).

Example:
    >>> import pulp
    >>> from lsc_workforce.config import SolverSettings
    >>> prob = pulp.LpProblem("toy", pulp.LpMinimize)
    >>> x = pulp.LpVariable("x", 0, 3, cat="Integer")
    >>> prob += 2 * x + 5
    >>> prob += x >= 1.5
    >>> result = solve_problem(prob, SolverSettings(threads=1))
    >>> result.status.value, result.objective, result.bound
    ('optimal', 9.0, 9.0)
"""

from __future__ import annotations

import dataclasses
import enum
import math
import re
import tempfile
import time
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import pulp

from lsc_workforce.config import SolverSettings
from lsc_workforce.errors import LscWorkforceError

__all__ = [
    "HiGHS",
    "SolveResult",
    "SolveStatus",
    "UnsupportedModelError",
    "highs_lp",
    "make_solver",
    "solve_problem",
]


class SolveStatus(enum.Enum):
    """Honest outcome of one solve.

    Attributes:
        OPTIMAL: proven optimal within ``SolverSettings.gap_rel``.
        FEASIBLE_TIME_LIMIT: stopped (time, node or iteration limit) holding a feasible solution;
            objective, best bound and gap are reported.
        INFEASIBLE: the solver proved there is no feasible solution (HiGHS's "unbounded or
            infeasible" is also reported here, with the ambiguity noted in the message).
        UNBOUNDED: the solver proved the objective unbounded.
        NOT_SOLVED: the solver stopped with no feasible solution and no proof.
        ERROR: the solver failed (load, presolve, solve or postsolve error, or it crashed).
    """

    OPTIMAL = "optimal"
    FEASIBLE_TIME_LIMIT = "feasible_time_limit"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    NOT_SOLVED = "not_solved"
    ERROR = "error"

    @property
    def has_solution(self) -> bool:
        """True when variable values are a feasible solution that can be read."""
        return self in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE_TIME_LIMIT)


@dataclass(frozen=True)
class SolveResult:
    """What one call of :func:`solve_problem` produced.

    Attributes:
        status: honest status (see :class:`SolveStatus`).
        objective: objective value of the incumbent, including the constant term; ``None``
            when there is no solution.
        bound: best proven bound on the objective (lower bound when minimising), including
            the constant term; ``None`` when the solver gave none.
        gap: relative gap ``|objective - bound| / max(|objective|, 1e-9)``; 0 when proven
            optimal; ``None`` when objective or bound is missing.
        build_s: seconds the caller spent building the model (passed in).
        solve_s: wall-clock seconds of the solver call (including PuLP's transfer to it).
        solver: ``"highs"``, ``"cbc"`` or ``"cpsat"``.
        solver_status: the solver's own status text, for audit.
        message: a human-readable note (e.g. the error text).
    """

    status: SolveStatus
    objective: float | None
    bound: float | None
    gap: float | None
    build_s: float
    solve_s: float
    solver: str
    solver_status: str
    message: str = ""

    def with_lower_bound(self, bound: float, source: str) -> SolveResult:
        """This result with a valid lower bound from elsewhere (minimisation), if it is better.

        Args:
            bound: a proven lower bound on the objective, including the constant term (e.g.
                the LP relaxation's optimum).
            source: where it comes from, added to ``message``.
        """
        if self.bound is not None and self.bound >= bound:
            return self
        note = f"bound from {source}"
        return dataclasses.replace(
            self,
            bound=bound,
            gap=_relative_gap(self.objective, bound),
            message="; ".join(m for m in (self.message, note) if m),
        )

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dictionary (status as its string value)."""
        return {
            "status": self.status.value,
            "objective": self.objective,
            "bound": self.bound,
            "gap": self.gap,
            "build_s": round(self.build_s, 3),
            "solve_s": round(self.solve_s, 3),
            "solver": self.solver,
            "solver_status": self.solver_status,
            "message": self.message,
        }


def make_solver(
    settings: SolverSettings,
    options: Mapping[str, Any] | None = None,
    log_path: Path | None = None,
) -> pulp.LpSolver:
    """Return the PuLP solver object that ``settings`` describes.

    Args:
        settings: solver name, time limit, relative gap, threads and log echo.
        options: extra native options (HiGHS option names, e.g. ``{"random_seed": 1}``; for
            CBC, strings passed through as ``-option``).
        log_path: CBC only: file the CBC log is written to (needed to read its bound).

    Returns:
        A configured :class:`HiGHS` (PuLP's, passing the model in one call) or
        ``pulp.PULP_CBC_CMD``.

    Raises:
        ValueError: for ``"cpsat"``, which PuLP has no solver object for (use
            :func:`solve_problem`).
    """
    if settings.solver == "cpsat":
        raise ValueError("CP-SAT has no PuLP solver object: call solve_problem()")
    options = dict(options or {})
    if settings.solver == "highs":
        return HiGHS(
            msg=settings.msg,
            timeLimit=settings.time_limit_s,
            gapRel=settings.gap_rel,
            threads=settings.threads,
            **options,
        )
    return pulp.PULP_CBC_CMD(
        msg=settings.msg and log_path is None,
        timeLimit=settings.time_limit_s,
        gapRel=settings.gap_rel,
        threads=settings.threads,
        logPath=str(log_path) if log_path else None,
        options=[f"{k} {v}" for k, v in options.items()],
    )


def _relative_gap(objective: float | None, bound: float | None) -> float | None:
    if objective is None or bound is None:
        return None
    diff = abs(objective - bound)
    if diff <= 1e-9:
        return 0.0
    return diff / max(abs(objective), 1e-9)


def _objective_value(prob: pulp.LpProblem) -> float | None:
    value = pulp.value(prob.objective)
    if value is None:
        return float(prob.objective.constant) if prob.objective is not None else 0.0
    return float(value)


#: Shortest time limit HiGHS is given once a deadline has been applied (seconds).
MIN_SOLVER_S = 1.0


class HiGHS(pulp.HiGHS):
    """PuLP's HiGHS interface, passing the model to HiGHS in one call.

    PuLP adds each column and row to HiGHS with its own call (``addCol``/``addRow``), which
    is slow on models with millions of columns; this builds the row-wise matrix as arrays and
    calls ``passModel`` once. Everything else (column and row
    ``index`` attributes, reading the solution back) is PuLP's.

    Args:
        deadline: a ``time.monotonic()`` instant the solve should be over by, reading the
            solution back included. Passing the model in and reading the solution back both
            happen outside HiGHS's own time limit, so once the model is passed the time limit
            is cut to end before the deadline by as long as passing it took (reading back
            takes about as long), but not below :data:`MIN_SOLVER_S`.
        kwargs: PuLP's ``HiGHS`` arguments.
    """

    def __init__(self, *, deadline: float | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.deadline = deadline
        self.pass_s = 0.0

    def buildSolverModel(self, lp: pulp.LpProblem) -> None:  # noqa: N802 - PuLP's method name
        """Pass ``lp`` to ``lp.solverModel`` (created by ``createAndConfigureSolver``)."""
        began = time.perf_counter()
        lp.solverModel.passModel(highs_lp(lp, integral=self.mip and lp.isMIP())[0])
        self.pass_s = time.perf_counter() - began

    def callSolver(self, lp: pulp.LpProblem) -> None:  # noqa: N802 - PuLP's method name
        """Cut the time limit to the deadline (see the class docstring), then run."""
        if self.deadline is not None:
            left = self.deadline - time.monotonic() - self.pass_s
            limit = max(MIN_SOLVER_S, min(self.timeLimit or math.inf, left))
            lp.solverModel.setOptionValue("time_limit", float(limit))
        lp.solverModel.run()


def highs_lp(lp: pulp.LpProblem, *, integral: bool = True) -> tuple[Any, list[pulp.LpVariable]]:
    """``lp`` as a ``highspy.HighsLp`` (a row-wise matrix), without the objective's constant.

    Numbers ``lp``'s variables and rows (their ``index`` attribute) in the order of the arrays.
    With ``integral``, integer variables keep their integrality. Minimisation: a maximised
    objective is negated.

    Returns:
        The ``HighsLp`` and ``lp``'s variables in column order.
    """
    import highspy  # noqa: PLC0415
    import numpy as np  # noqa: PLC0415

    variables = lp.variables()
    for i, var in enumerate(variables):
        var.index = i
    inf = highspy.kHighsInf
    sign = -1.0 if lp.sense == pulp.LpMaximize else 1.0
    model = highspy.HighsLp()
    model.num_col_ = len(variables)
    objective = lp.objective or {}
    model.col_cost_ = np.array([sign * objective.get(v, 0.0) for v in variables], float)
    model.col_lower_ = np.array([-inf if v.lowBound is None else v.lowBound for v in variables])
    model.col_upper_ = np.array([inf if v.upBound is None else v.upBound for v in variables])
    if integral:
        integer = highspy.HighsVarType.kInteger
        continuous = highspy.HighsVarType.kContinuous
        model.integrality_ = [integer if v.cat == pulp.LpInteger else continuous for v in variables]
    starts, index, value, lower, upper = [0], [], [], [], []
    for i, row in enumerate(lp.constraints.values()):
        row.index = i
        pairs = [(v.index, c) for v, c in row.items() if c != 0]
        index.extend(k for k, _ in pairs)
        value.extend(c for _, c in pairs)
        starts.append(len(index))
        low, up = row.getLb(), row.getUb()
        lower.append(-inf if low is None else low)
        upper.append(inf if up is None else up)
    model.num_row_ = len(lower)
    model.row_lower_ = np.array(lower, float)
    model.row_upper_ = np.array(upper, float)
    model.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    model.a_matrix_.num_col_ = model.num_col_
    model.a_matrix_.num_row_ = model.num_row_
    model.a_matrix_.start_ = np.array(starts, np.int32)
    model.a_matrix_.index_ = np.array(index, np.int32)
    model.a_matrix_.value_ = np.array(value, float)
    return model, variables


class _HiGHSWithStart(HiGHS):
    """PuLP's HiGHS interface, handing HiGHS a (possibly partial) starting solution."""

    def __init__(self, start: Mapping[pulp.LpVariable, float], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.initial_values = start

    def callSolver(self, lp: pulp.LpProblem) -> None:  # noqa: N802 - PuLP's method name
        """Set the start (by column index, known after PuLP built the model) and run."""
        import numpy as np  # noqa: PLC0415

        pairs = [(v.index, float(x)) for v, x in self.initial_values.items() if hasattr(v, "index")]
        if pairs:
            index = np.array([i for i, _ in pairs], dtype=np.int32)
            value = np.array([x for _, x in pairs], dtype=np.float64)
            lp.solverModel.setSolution(len(pairs), index, value)
        super().callSolver(lp)


def _solve_highs(prob: pulp.LpProblem, solver: pulp.LpSolver) -> tuple[SolveStatus, Any, str]:
    import highspy  # noqa: PLC0415 - imported lazily so CBC-only use does not need it

    # HiGHS keeps one global thread scheduler per process and refuses to run (status "Not
    # Set") when a later solve asks for a different thread count; reset it every time.
    highspy.Highs.resetGlobalScheduler(True)
    # PuLP walks every row to list the variables, five times in one HiGHS solve (slow on
    # large models); list them once, at the first call (after PuLP has added its dummy
    # variable to a constant objective), and keep the list
    listed: list[list[pulp.LpVariable]] = []

    def variables() -> list[pulp.LpVariable]:
        if not listed:
            listed.append(pulp.LpProblem.variables(prob))
        return listed[0]

    prob.variables = variables
    try:
        prob.solve(solver)
    finally:
        del prob.variables  # the method again
    highs = prob.solverModel
    model_status = highs.getModelStatus()
    info = highs.getInfo()
    status_text = highs.modelStatusToString(model_status)
    has_primal = info.primal_solution_status == 2  # kSolutionStatusFeasible
    ms = highspy.HighsModelStatus
    # PuLP hands HiGHS the objective without its constant, negated when maximising.
    sign = -1.0 if prob.sense == pulp.LpMaximize else 1.0
    constant = float(prob.objective.constant) if prob.objective is not None else 0.0
    raw_bound = float(info.mip_dual_bound) if prob.isMIP() else None
    if raw_bound is not None and not math.isfinite(raw_bound):
        raw_bound = None
    bound = None if raw_bound is None else sign * raw_bound + constant
    if model_status == ms.kOptimal:
        status = SolveStatus.OPTIMAL
        if bound is None:
            bound = _objective_value(prob)
    elif model_status in (
        ms.kTimeLimit,
        ms.kIterationLimit,
        ms.kInterrupt,
        ms.kObjectiveBound,
        ms.kObjectiveTarget,
        ms.kSolutionLimit,
    ):
        status = SolveStatus.FEASIBLE_TIME_LIMIT if has_primal else SolveStatus.NOT_SOLVED
    elif model_status == ms.kInfeasible:
        status = SolveStatus.INFEASIBLE
    elif model_status == ms.kUnboundedOrInfeasible:
        status = SolveStatus.INFEASIBLE
        status_text += " (HiGHS could not tell unbounded from infeasible)"
    elif model_status == ms.kUnbounded:
        status = SolveStatus.UNBOUNDED
    elif model_status in (ms.kUnknown, ms.kModelEmpty):
        status = SolveStatus.NOT_SOLVED
    else:
        status = SolveStatus.ERROR
    return status, bound, status_text


_CBC_FLOAT = r"(-?[0-9.]+(?:e[+-]?[0-9]+)?)"


def _solve_cbc(
    prob: pulp.LpProblem,
    settings: SolverSettings,
    options: Mapping[str, Any] | None,
    warm_start: bool = False,
) -> tuple[SolveStatus, Any, str]:
    with tempfile.TemporaryDirectory(prefix="lscw_cbc_") as tmp:
        log_path = Path(tmp) / "cbc.log"
        solver = make_solver(settings, options, log_path=log_path)
        solver.optionsDict["warmStart"] = warm_start
        prob.solve(solver)
        log_text = log_path.read_text(errors="replace") if log_path.exists() else ""
    if settings.msg:
        print(log_text)  # noqa: T201 - the caller asked for the solver log
    sol_status = prob.sol_status
    status_match = re.search(r"^Result - (.+)$", log_text, flags=re.MULTILINE)
    status_text = status_match.group(1).strip() if status_match else pulp.LpStatus[prob.status]
    if sol_status == pulp.LpSolutionOptimal:
        status = SolveStatus.OPTIMAL
    elif sol_status == pulp.LpSolutionIntegerFeasible:
        status = SolveStatus.FEASIBLE_TIME_LIMIT
    elif sol_status == pulp.LpSolutionInfeasible:
        status = SolveStatus.INFEASIBLE
    elif sol_status == pulp.LpSolutionUnbounded:
        status = SolveStatus.UNBOUNDED
    else:
        status = SolveStatus.NOT_SOLVED
    bound = None
    if status is SolveStatus.OPTIMAL:
        bound = _objective_value(prob)
    elif status is SolveStatus.FEASIBLE_TIME_LIMIT:
        obj_match = re.search(rf"^Objective value:\s+{_CBC_FLOAT}", log_text, re.MULTILINE)
        bound_match = re.search(rf"^Lower bound:\s+{_CBC_FLOAT}", log_text, re.MULTILINE)
        if obj_match and bound_match:
            constant = float(prob.objective.constant)
            solver_obj = float(obj_match.group(1))
            # The log may or may not include the constant, and is negated when maximising.
            core = _objective_value(prob) - constant
            sign = 1.0 if abs(core - solver_obj) <= abs(core + solver_obj) else -1.0
            offset = _objective_value(prob) - sign * solver_obj
            bound = sign * float(bound_match.group(1)) + offset
    return status, bound, status_text


# ----- OR-Tools CP-SAT backend -----

#: Largest denominator accepted when a float coefficient is read as a fraction (CP-SAT is
#: integer-only; rows and the objective are multiplied by the least common multiple). The
#: fraction must reproduce the float to within 1e-15 relative (a few roundings), so 1/3 or
#: 0.1 + 0.2 pass and pi does not.
CPSAT_MAX_DENOMINATOR = 10**6

#: Domain limit for variables without a bound, in scaled units (CP-SAT needs finite domains).
CPSAT_UNBOUNDED = 2**40

#: Largest integer coefficient accepted after scaling (guards CP-SAT's int64 arithmetic).
CPSAT_MAX_COEFFICIENT = 2**40


class UnsupportedModelError(LscWorkforceError, ValueError):
    """The model cannot be handed to CP-SAT without changing its optimum (see ``solve_problem``)."""


def _fraction(value: float, what: str) -> int | Fraction:
    """``value`` as an int or an exact-enough small fraction; raise if it has none."""
    value = float(value)
    if value.is_integer():
        return int(value)
    frac = Fraction(value).limit_denominator(CPSAT_MAX_DENOMINATOR)
    if abs(float(frac) - value) > 1e-15 * max(1.0, abs(value)):  # a few float roundings
        raise UnsupportedModelError(
            f"CP-SAT needs rational data: {what} = {value!r} is not a fraction with "
            f"denominator <= {CPSAT_MAX_DENOMINATOR}"
        )
    return frac


def _lcm_of_denominators(values: list[int | Fraction]) -> int:
    out = 1
    for v in values:
        if isinstance(v, Fraction) and v.denominator != 1:
            out = math.lcm(out, v.denominator)
    return out


def _checked_int(value: int | Fraction, what: str) -> int:
    if isinstance(value, Fraction):
        if value.denominator != 1:
            raise UnsupportedModelError(f"{what}: {value} is not integral after scaling")
        value = value.numerator
    if abs(value) > CPSAT_MAX_COEFFICIENT:
        raise UnsupportedModelError(f"{what}: scaled coefficient {value} too large for CP-SAT")
    return int(value)


@dataclass
class _CpSatModel:
    """A PuLP problem translated to CP-SAT, with the map back to PuLP's variables."""

    model: Any
    variables: list[pulp.LpVariable]
    scale: list[int]  # PuLP value = CP-SAT value / scale
    objective_sign: float
    n_scaled: int
    n_assumed: int


def _to_cpsat(prob: pulp.LpProblem, assume_integral: bool) -> _CpSatModel:
    """Translate ``prob`` into a CP-SAT model (see :func:`solve_problem` for the rules)."""
    from ortools.sat.python import cp_model  # noqa: PLC0415 - optional backend

    variables = prob.variables()
    index = {v.name: k for k, v in enumerate(variables)}
    rows: list[tuple[str, list[int], list[int | Fraction], int, int | Fraction]] = []
    continuous = {k for k, v in enumerate(variables) if v.cat != pulp.LpInteger}
    rows_of: dict[int, list[int]] = defaultdict(list)
    for name, con in prob.constraints.items():
        items = list(con.items())
        idx = [index[v.name] for v, _ in items]
        coefs = [_fraction(a, f"coefficient in row {name}") for _, a in items]
        rhs = _fraction(-con.constant, f"right-hand side of row {name}")
        for k in idx:
            if k in continuous:
                rows_of[k].append(len(rows))
        rows.append((name, idx, coefs, con.sense, rhs))
    row_scale = [_lcm_of_denominators([*coefs, rhs]) for _, _, coefs, _, rhs in rows]
    # A continuous variable alone among integers in an equality row, with coefficient +-1
    # once the row is scaled, equals an integer combination: it is an integer.
    implied = set()
    for r, (_, idx, coefs, sense, _) in enumerate(rows):
        cont = [p for p, k in enumerate(idx) if k in continuous]
        if (
            sense == pulp.LpConstraintEQ
            and len(cont) == 1
            and abs(coefs[cont[0]]) * row_scale[r] == 1
        ):
            implied.add(idx[cont[0]])

    def bounds(k: int) -> tuple[int | Fraction | None, int | Fraction | None]:
        var = variables[k]
        lo = None if var.lowBound is None else _fraction(var.lowBound, f"bound of {var.name}")
        hi = None if var.upBound is None else _fraction(var.upBound, f"bound of {var.name}")
        return lo, hi

    # Scale of each variable: 1 for integers; |L a| for a continuous variable in one row
    # (L = that row's multiplier, a = its coefficient), so that it enters the row with +-1.
    scale = [1] * len(variables)
    n_scaled = n_assumed = 0
    multi: list[str] = []
    for k in sorted(continuous):
        name = variables[k].name
        finite = [Fraction(b) for b in bounds(k) if b is not None]
        if not finite:
            raise UnsupportedModelError(f"CP-SAT: continuous variable {name} has no bound")
        in_rows = rows_of.get(k, [])
        if k in implied:
            pass  # an integer in its own units (scale 1)
        elif len(in_rows) == 1:
            r = in_rows[0]
            _, idx, coefs, _, _ = rows[r]
            factor = abs(Fraction(coefs[idx.index(k)]) * row_scale[r])
            scale[k] = factor.numerator  # an integer: L clears every denominator of the row
            n_scaled += 1
        elif not in_rows:  # only bounds (and the objective): optimal at a bound
            scale[k] = _lcm_of_denominators(finite)
        elif assume_integral:
            n_assumed += 1
        else:
            multi.append(name)
            continue
        if any((b * scale[k]).denominator != 1 for b in finite):
            raise UnsupportedModelError(
                f"CP-SAT: the bounds of continuous variable {name} are not integral in its "
                f"scaled units (scale {scale[k]})"
            )
    if multi:
        raise UnsupportedModelError(
            f"CP-SAT: {len(multi)} continuous variables appear in more than one row (e.g. "
            f"{multi[:3]}); their integrality cannot be proved here. If some optimal solution "
            'has them integral (e.g. network flows), pass options={"assume_integral": True}.'
        )

    model = cp_model.CpModel()
    proto = model.proto
    for k, var in enumerate(variables):
        lo, hi = bounds(k)
        s = scale[k]
        lo_i = -CPSAT_UNBOUNDED if lo is None else math.ceil(Fraction(lo) * s)
        hi_i = CPSAT_UNBOUNDED if hi is None else math.floor(Fraction(hi) * s)
        item = proto.variables.add()
        item.name = var.name
        item.domain.extend([lo_i, hi_i])
    senses = {
        pulp.LpConstraintLE: (False, True),
        pulp.LpConstraintGE: (True, False),
        pulp.LpConstraintEQ: (True, True),
    }
    big = 2**62
    for (name, idx, coefs, sense, rhs), mult in zip(rows, row_scale, strict=True):
        # a * x with x = x' / s  ->  (L a / s) x'
        new = [
            _checked_int(Fraction(a) * mult / scale[k] if scale[k] != 1 else a * mult, name)
            for k, a in zip(idx, coefs, strict=True)
        ]
        rhs_i = _checked_int(rhs * mult, name)
        has_lo, has_hi = senses[sense]
        con = proto.constraints.add()
        con.linear.vars.extend(idx)
        con.linear.coeffs.extend(new)
        con.linear.domain.extend([rhs_i if has_lo else -big, rhs_i if has_hi else big])
    objective = prob.objective if prob.objective is not None else pulp.LpAffineExpression()
    terms = [
        (
            index[v.name],
            Fraction(_fraction(c, f"objective coefficient of {v.name}")) / scale[index[v.name]],
        )
        for v, c in objective.items()
    ]
    terms = [(k, c) for k, c in terms if c != 0]
    sign = -1.0 if prob.sense == pulp.LpMaximize else 1.0
    if terms:
        mult = _lcm_of_denominators([c for _, c in terms])
        proto.objective.vars.extend([k for k, _ in terms])
        proto.objective.coeffs.extend(
            [_checked_int(sign * c * mult, "objective") for _, c in terms]
        )
        proto.objective.scaling_factor = sign / mult
    return _CpSatModel(model, variables, scale, sign, n_scaled, n_assumed)


def _solve_cpsat(
    prob: pulp.LpProblem,
    settings: SolverSettings,
    options: Mapping[str, Any],
    start: Mapping[pulp.LpVariable, float] | None,
    deadline: float | None = None,
) -> tuple[SolveStatus, Any, str, str]:
    from ortools.sat.python import cp_model  # noqa: PLC0415 - optional backend

    options = dict(options)
    translated = _to_cpsat(prob, bool(options.pop("assume_integral", False)))
    proto = translated.model.proto
    if start:
        position = {v.name: k for k, v in enumerate(translated.variables)}
        hinted = [(position[v.name], x) for v, x in start.items() if v.name in position]
        proto.solution_hint.vars.extend([k for k, _ in hinted])
        proto.solution_hint.values.extend(
            [round(float(x) * translated.scale[k]) for k, x in hinted]
        )
    invalid = translated.model.validate()
    if invalid:
        raise UnsupportedModelError(f"CP-SAT rejected the translated model: {invalid}")
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.max_time_in_seconds = settings.time_limit_s
    if deadline is not None:  # the translation took some of the time
        left = deadline - time.monotonic()
        params.max_time_in_seconds = max(MIN_SOLVER_S, min(settings.time_limit_s, left))
    params.num_workers = settings.threads
    params.relative_gap_limit = settings.gap_rel
    params.log_search_progress = settings.msg
    for key, value in options.items():
        setattr(params, key, value)
    code = solver.solve(translated.model)
    status_text = solver.status_name(code)
    values = (
        list(solver.response_proto.solution)
        if code
        in (
            cp_model.OPTIMAL,
            cp_model.FEASIBLE,
        )
        else []
    )
    for k, var in enumerate(translated.variables):
        var.varValue = values[k] / translated.scale[k] if values else None
    constant = float(prob.objective.constant) if prob.objective is not None else 0.0
    bound = None
    status, pulp_status, pulp_solution = {
        cp_model.OPTIMAL: (SolveStatus.OPTIMAL, pulp.LpStatusOptimal, pulp.LpSolutionOptimal),
        cp_model.FEASIBLE: (
            SolveStatus.FEASIBLE_TIME_LIMIT,
            pulp.LpStatusOptimal,
            pulp.LpSolutionIntegerFeasible,
        ),
        cp_model.INFEASIBLE: (
            SolveStatus.INFEASIBLE,
            pulp.LpStatusInfeasible,
            pulp.LpSolutionInfeasible,
        ),
        cp_model.UNKNOWN: (
            SolveStatus.NOT_SOLVED,
            pulp.LpStatusNotSolved,
            pulp.LpSolutionNoSolutionFound,
        ),
    }.get(code, (SolveStatus.ERROR, pulp.LpStatusUndefined, pulp.LpSolutionNoSolutionFound))
    prob.assignStatus(pulp_status, pulp_solution)
    message = ""
    if values and any(
        abs(x) >= CPSAT_UNBOUNDED for x in values
    ):  # the optimum sits on the artificial domain limit: no honest answer
        status = SolveStatus.ERROR
        message = (
            f"a variable without a bound reached CP-SAT's artificial limit {CPSAT_UNBOUNDED} "
            "(model probably unbounded)"
        )
    if status.has_solution and proto.objective.vars:
        bound = float(solver.best_objective_bound) + constant
    elif status.has_solution:
        bound = _objective_value(prob)
    notes = []
    if translated.n_scaled:
        notes.append(f"{translated.n_scaled} single-row continuous variables made integral")
    if translated.n_assumed:
        notes.append(
            f"{translated.n_assumed} multi-row continuous variables assumed integral "
            "(assume_integral=True)"
        )
    message = "; ".join([m for m in (message, *notes) if m])
    return status, bound, status_text, message


def solve_problem(
    prob: pulp.LpProblem,
    settings: SolverSettings,
    *,
    build_s: float = 0.0,
    options: Mapping[str, Any] | None = None,
    integral_objective: bool = False,
    start: Mapping[pulp.LpVariable, float] | None = None,
    deadline: float | None = None,
) -> SolveResult:
    """Solve ``prob`` with the solver in ``settings`` and report an honest status.

    Args:
        prob: a built PuLP problem (minimise or maximise).
        settings: solver name, time limit, relative gap and threads.
        build_s: seconds spent building ``prob``, carried into the result.
        options: extra native solver options (see :func:`make_solver`).
        integral_objective: the caller guarantees that every solution's best objective is an
            integer. The solver may then stop once the bound is within 1 of the incumbent
            (absolute gap 0.999, which proves optimality), and a reported bound is rounded
            towards the objective to the nearest integer it implies (``ceil`` when
            minimising). Only the bound's rounding and the stopping rule change.
        start: a starting solution, possibly partial (``{variable: value}``). HiGHS completes
            a partial start itself; CBC receives it through PuLP's ``warmStart``; CP-SAT
            receives it as a solution hint.
        deadline: a ``time.monotonic()`` instant the call should return by. HiGHS's time
            limit is cut once the model has been passed to it (see :class:`HiGHS`), CP-SAT's
            once the model is translated, CBC's when the call starts. ``None``:
            ``settings.time_limit_s`` alone.

    CP-SAT (``settings.solver == "cpsat"``) works on integers only, so the model is made
    integral without changing its optimum, or refused:

    * every coefficient, right-hand side and bound must be a fraction with denominator at
      most ``CPSAT_MAX_DENOMINATOR`` (within 1e-9); each row is multiplied by the least
      common multiple of its denominators, the objective likewise (CP-SAT's
      ``scaling_factor`` undoes it, so objective and bound are exact);
    * a continuous variable in **one** row, with coefficient ``a`` in a row multiplied by
      ``L``, becomes the integer ``|L a|`` times it. This keeps the optimum: once the integer
      variables are fixed, the remaining LP separates by row and has an optimal vertex in
      which at most one continuous variable per row is off its bounds, and that one is an
      integer in these units (its bounds must be integers in these units, and each
      continuous variable needs at least one finite bound). The rota model's
      ``cover_under/over``, ``fair_over/under`` and ``slack_*`` variables are of this kind;
    * a continuous variable that is the only continuous one in an equality row, with
      coefficient ±1 once that row is scaled, equals an integer combination of integers and
      is kept as an integer (the rota model's ``day_work``, see C1);
    * any other continuous variable in several rows cannot be shown integral in general, so the
      model is refused (:class:`UnsupportedModelError`) unless ``options`` holds
      ``"assume_integral": True``, the caller's assurance that some optimal solution has
      them integral (true for the rota model's C21 flow arcs, a network that is integral
      whenever the assignment is); the result's message counts them;
    * unbounded variables get the domain ``±CPSAT_UNBOUNDED``; a solution on that limit is
      reported as ERROR (CP-SAT cannot prove unboundedness).

    Other ``options`` for CP-SAT are ``SatParameters`` fields (e.g. ``{"random_seed": 3}``);
    ``threads`` sets ``num_workers`` (CP-SAT's portfolio is weak with 1 worker), ``gap_rel``
    sets ``relative_gap_limit``, and ``integral_objective`` sets ``absolute_gap_limit``.

    Returns:
        The :class:`SolveResult`. Variable values in ``prob`` hold the incumbent when
        ``result.status.has_solution``.

    Raises:
        UnsupportedModelError: CP-SAT only, when the model cannot be made integral as above.
    """
    began = time.perf_counter()
    options = dict(options or {})
    if deadline is not None and settings.solver != "highs":
        left = max(MIN_SOLVER_S, min(settings.time_limit_s, deadline - time.monotonic()))
        settings = dataclasses.replace(settings, time_limit_s=left)
    if integral_objective:
        key = {"highs": "mip_abs_gap", "cbc": "allow", "cpsat": "absolute_gap_limit"}
        options.setdefault(key[settings.solver], 0.999)
    message = ""
    try:
        if settings.solver == "cpsat":
            status, bound, status_text, message = _solve_cpsat(
                prob, settings, options, start, deadline
            )
        elif settings.solver == "highs" and start:
            solver = _HiGHSWithStart(
                start,
                deadline=deadline,
                msg=settings.msg,
                timeLimit=settings.time_limit_s,
                gapRel=settings.gap_rel,
                threads=settings.threads,
                **options,
            )
            status, bound, status_text = _solve_highs(prob, solver)
        elif settings.solver == "highs":
            solver = make_solver(settings, options)
            solver.deadline = deadline
            status, bound, status_text = _solve_highs(prob, solver)
        else:
            for var, value in (start or {}).items():
                var.setInitialValue(value)
            status, bound, status_text = _solve_cbc(prob, settings, options, bool(start))
    except (pulp.PulpSolverError, OSError, RuntimeError) as exc:
        status, bound, status_text, message = SolveStatus.ERROR, None, "error", str(exc)
    solve_s = time.perf_counter() - began
    objective = _objective_value(prob) if status.has_solution else None
    if integral_objective and bound is not None:
        rounded = (
            math.ceil(bound - 1e-6) if prob.sense == pulp.LpMinimize else math.floor(bound + 1e-6)
        )
        bound = float(rounded)
        if objective is not None and abs(objective - bound) < 1e-4:
            status = SolveStatus.OPTIMAL
    gap = _relative_gap(objective, bound)
    return SolveResult(
        status=status,
        objective=objective,
        bound=bound,
        gap=gap,
        build_s=build_s,
        solve_s=solve_s,
        solver=settings.solver,
        solver_status=status_text,
        message=message,
    )
