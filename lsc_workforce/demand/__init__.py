"""Demand, capacity and workforce supply projection for radiology and endoscopy.

Public API (the training pipeline builds on the supply and Monte Carlo functions):

- today's gap: :func:`annual_activity`, :func:`required_wte`, :func:`gap_table` (grades kept
  apart), :func:`network_gap` (never netted), :func:`task_workload`, :func:`endoscopy_sessions`,
  :func:`rota_reconciliation`, with :class:`CapacityParams`; timed pathways in
  ``lsc_workforce.demand.pathways``;
- demand projection per NHS financial year: :func:`project_demand` (trend and seasonality fit
  with :func:`backtest`, scenarios from :func:`load_scenarios`);
- supply: :func:`project_supply` (yearly stock-flow by trust, staff group and grade, taking
  ``completions`` from a training plan), with :class:`SupplyParams`;
- uncertainty: :func:`draw_uncertainty`, :func:`simulate_gap` and :func:`evaluate_intake_plan`.
"""

from lsc_workforce.demand.capacity import (
    CapacityParams,
    annual_activity,
    endoscopy_sessions,
    gap_table,
    network_gap,
    required_wte,
    rota_reconciliation,
    task_workload,
)
from lsc_workforce.demand.forecast import ForecastSettings, backtest, backtest_summary
from lsc_workforce.demand.montecarlo import (
    Draws,
    MonteCarloResult,
    UncertaintySpec,
    draw_uncertainty,
    evaluate_intake_plan,
    simulate_gap,
)
from lsc_workforce.demand.projection import (
    DemandProjection,
    Scenario,
    load_scenarios,
    project_activity,
    project_demand,
)
from lsc_workforce.demand.supply import (
    SupplyParams,
    project_supply,
    stock_by_age,
    summarise_supply,
    supply_lines,
)
from lsc_workforce.demand.years import financial_year, financial_years, fy_label

__all__ = [
    "CapacityParams",
    "DemandProjection",
    "Draws",
    "ForecastSettings",
    "MonteCarloResult",
    "Scenario",
    "SupplyParams",
    "UncertaintySpec",
    "annual_activity",
    "backtest",
    "backtest_summary",
    "draw_uncertainty",
    "endoscopy_sessions",
    "evaluate_intake_plan",
    "financial_year",
    "financial_years",
    "fy_label",
    "gap_table",
    "network_gap",
    "load_scenarios",
    "project_activity",
    "project_demand",
    "project_supply",
    "required_wte",
    "rota_reconciliation",
    "simulate_gap",
    "stock_by_age",
    "summarise_supply",
    "supply_lines",
    "task_workload",
]
