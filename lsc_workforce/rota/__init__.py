"""Domain-neutral rostering engine: problem description, integer programme, checker, solution.

Public API:

* :class:`RotaProblem` (and its parts) describes an instance (``rota.problem``).
* ``solve(problem, settings) -> RotaSolution`` builds and solves the integer programme.
* ``check(problem, roster) -> list[Breach]`` re-verifies any roster without a solver.
"""

from lsc_workforce.rota.checker import Breach, check, evaluate
from lsc_workforce.rota.engine import solve
from lsc_workforce.rota.problem import (
    FAIRNESS_KINDS,
    SOFTENABLE_RULES,
    CoverRequirement,
    MinutesWindow,
    Person,
    PersonRules,
    RotaProblem,
    RotaProblemError,
    ShiftRequest,
    ShiftType,
)
from lsc_workforce.rota.solution import RotaSolution

__all__ = [
    "FAIRNESS_KINDS",
    "Breach",
    "RotaSolution",
    "check",
    "evaluate",
    "solve",
    "SOFTENABLE_RULES",
    "CoverRequirement",
    "MinutesWindow",
    "Person",
    "PersonRules",
    "RotaProblem",
    "RotaProblemError",
    "ShiftRequest",
    "ShiftType",
]
