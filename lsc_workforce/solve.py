"""Shared MILP solver call with an honest status, for every integer programme in lsc-workforce.

PuLP's own ``LpStatus`` says "Optimal" when HiGHS or CBC stop on a time limit holding a
feasible solution. This module reads the solver's own status instead:

* HiGHS (via ``highspy``, PuLP's ``HiGHS`` class): ``Highs.getModelStatus()`` plus
  ``getInfo().mip_dual_bound`` / ``primal_solution_status``.
* CBC (PuLP's bundled ``PULP_CBC_CMD``): PuLP's ``sol_status`` (``LpSolutionOptimal`` only when
  CBC printed "Optimal"; ``LpSolutionIntegerFeasible`` when it stopped with a solution), and the
  best bound parsed from the CBC log ("Lower bound:"). When CBC prints no bound, none is
  reported.

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

import enum
import math
import re
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulp

from lsc_workforce.config import SolverSettings

__all__ = ["SolveResult", "SolveStatus", "make_solver", "solve_problem"]


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
        solver: ``"highs"`` or ``"cbc"``.
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
        A configured ``pulp.HiGHS`` or ``pulp.PULP_CBC_CMD``.
    """
    options = dict(options or {})
    if settings.solver == "highs":
        return pulp.HiGHS(
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


class _HiGHSWithStart(pulp.HiGHS):
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
        lp.solverModel.run()


def _solve_highs(prob: pulp.LpProblem, solver: pulp.LpSolver) -> tuple[SolveStatus, Any, str]:
    import highspy  # noqa: PLC0415 - imported lazily so CBC-only use does not need it

    # HiGHS keeps one global thread scheduler per process and refuses to run (status "Not
    # Set") when a later solve asks for a different thread count; reset it every time.
    highspy.Highs.resetGlobalScheduler(True)
    prob.solve(solver)
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


def solve_problem(
    prob: pulp.LpProblem,
    settings: SolverSettings,
    *,
    build_s: float = 0.0,
    options: Mapping[str, Any] | None = None,
    integral_objective: bool = False,
    start: Mapping[pulp.LpVariable, float] | None = None,
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
            a partial start itself; CBC receives it through PuLP's ``warmStart``.

    Returns:
        The :class:`SolveResult`. Variable values in ``prob`` hold the incumbent when
        ``result.status.has_solution``.
    """
    began = time.perf_counter()
    options = dict(options or {})
    if integral_objective:
        options.setdefault("mip_abs_gap" if settings.solver == "highs" else "allow", 0.999)
    try:
        if settings.solver == "highs" and start:
            solver = _HiGHSWithStart(
                start,
                msg=settings.msg,
                timeLimit=settings.time_limit_s,
                gapRel=settings.gap_rel,
                threads=settings.threads,
                **options,
            )
            status, bound, status_text = _solve_highs(prob, solver)
        elif settings.solver == "highs":
            status, bound, status_text = _solve_highs(prob, make_solver(settings, options))
        else:
            for var, value in (start or {}).items():
                var.setInitialValue(value)
            status, bound, status_text = _solve_cbc(prob, settings, options, bool(start))
        message = ""
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
