"""Demand, capacity and workforce supply projection for radiology and endoscopy.

Public API (the training pipeline builds on the supply and Monte Carlo functions):

- today's gap: :func:`annual_activity`, :func:`required_wte`, :func:`gap_table`,
  :func:`task_workload`, :func:`endoscopy_sessions`, with :class:`CapacityParams`;
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
    required_wte,
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
    "load_scenarios",
    "project_activity",
    "project_demand",
    "project_supply",
    "required_wte",
    "simulate_gap",
    "stock_by_age",
    "summarise_supply",
    "task_workload",
]
