"""Out-of-hours (OOH) rota analysis for the four L&SC trusts, built on the rota engine.

Modules (in pipeline order):

* ``inputs``: services, rule presets, scenarios and costs from ``config/ooh/*.yaml``
  (:func:`load_ooh_config`), checked against the ``ooh_*`` data contracts.
* ``build``: a service x scenario x horizon becomes one :class:`~lsc_workforce.rota.RotaProblem`
  per rota (:func:`build_scenario`); sites served by transfer within the pathway limit, local
  slots and sites left without local cover (:func:`site_cover`), staff beyond the response time
  (:func:`excluded_staff`).
* ``model``: the engine's integer programme plus OOH constraints C-O1..C-O8
  (:func:`solve_instance`).
* ``compliance``, ``metrics``, ``headcount``: breaches with sources, frequency / fairness, and
  the exact extra headcount; ``pay``: annual pay (Schedule 16 by rota frequency, on-call work
  PAs, resident Agenda for Change hours) and the cost ranking without and with uncovered shifts;
  ``workload``: the workload each slot faces, cover sized by a queueing rule and the
  teleradiology lever (``config/ooh/workload.yaml``).
* ``analysis``: every service x scenario (:func:`run_analysis`) and the service x trust
  verdict grid (:func:`verdict_grid`); ``rota_size``: people each rota needs beside the
  competent staff (:func:`rota_sizes`); ``outputs``: CSV, XLSX, rosters
  and iCalendar files; ``check`` / ``cli``: ``lsc-workforce rota check``; ``notebook`` and
  ``charts``: helpers for ``notebooks/30_ooh_rota.ipynb``.
"""

from __future__ import annotations

import importlib
from typing import Any

#: Public names and the submodule defining each (imported on first use, so that
#: ``lsc-workforce --help``, which loads ``ooh.cli``, stays fast).
_EXPORTS = {
    "OohAnalysis": "analysis",
    "ScenarioResult": "analysis",
    "run_analysis": "analysis",
    "verdict_grid": "analysis",
    "verdicts": "analysis",
    "OohInstance": "build",
    "OohWeights": "build",
    "build_scenario": "build",
    "excluded_staff": "build",
    "site_cover": "build",
    "check_rota_file": "check",
    "check_roster": "compliance",
    "OohConfig": "inputs",
    "load_ooh_config": "inputs",
    "OohSolution": "model",
    "solve_instance": "model",
    "rota_sizes": "rota_size",
    "write_outputs": "outputs",
}

__all__ = [
    "OohAnalysis",
    "OohConfig",
    "OohInstance",
    "OohSolution",
    "OohWeights",
    "ScenarioResult",
    "build_scenario",
    "check_rota_file",
    "check_roster",
    "excluded_staff",
    "load_ooh_config",
    "rota_sizes",
    "run_analysis",
    "site_cover",
    "solve_instance",
    "verdict_grid",
    "verdicts",
    "write_outputs",
]


def __getattr__(name: str) -> Any:
    """Import a public name from its submodule on first use."""
    if name not in _EXPORTS:
        raise AttributeError(f"module 'lsc_workforce.ooh' has no attribute {name!r}")
    return getattr(importlib.import_module(f"lsc_workforce.ooh.{_EXPORTS[name]}"), name)
