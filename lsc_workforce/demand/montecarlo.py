"""Monte Carlo of the workforce gap over leaver rates, retirement ages and demand growth.

All draws run at once through the same stock-flow as
:func:`~lsc_workforce.demand.supply.project_supply` (numpy arrays with a draw axis, in single
precision: relative error about 1e-6), so 1,000 draws of a 10-year projection take seconds.
The draws are made once by :func:`draw_uncertainty` and can be reused to compare intake plans
on identical futures (common random numbers): :func:`evaluate_intake_plan`.

Uncertainty model (``config/demand/uncertainty.yaml``), independent by staff group and common
to the four trusts, because the drivers (labour market, pensions, national demand) are
system-wide:

- leaver rates are multiplied by a lognormal factor with mean 1 and coefficient of variation
  ``leaver_rate_cv``;
- mean retirement ages shift by a normal draw with standard deviation ``retirement_age_sd``
  years;
- demand grows by an extra ``exp(g * t)`` in year ``t = 1, 2, ...`` of the horizon, with ``g``
  normal with standard deviation ``growth_sd`` (per year).

The gap is ``required WTE - available WTE``, where available is the closing WTE of the
financial year (31 March); a positive gap is a shortfall.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from lsc_workforce.config import ConfigError
from lsc_workforce.demand.parameters import load_scalars
from lsc_workforce.demand.supply import (
    SupplyInputs,
    SupplyParams,
    prepare_supply,
    simulate_supply,
)
from lsc_workforce.demand.years import fy_label

QUANTILES = (0.1, 0.5, 0.9)
#: Memory budget of the simulation's working arrays (bytes); draws beyond it run in chunks.
CHUNK_BYTES = 256 * 1024**2


@dataclass(frozen=True)
class UncertaintySpec:
    """Spread of the uncertain inputs.

    Attributes:
        leaver_rate_cv: coefficient of variation of the lognormal leaver-rate multiplier.
        retirement_age_sd: standard deviation of the shift in mean retirement age (years).
        growth_sd: standard deviation of the extra annual demand growth rate (per year, as a
            log rate, so 0.01 is about one percentage point a year).
    """

    leaver_rate_cv: float = 0.25
    retirement_age_sd: float = 1.5
    growth_sd: float = 0.015

    def __post_init__(self) -> None:
        for name in ("leaver_rate_cv", "retirement_age_sd", "growth_sd"):
            value = getattr(self, name)
            if not 0 <= value <= 5:
                raise ConfigError(f"{name} must be in [0, 5], not {value}")

    @classmethod
    def from_config(cls, config_dir: Path) -> UncertaintySpec:
        """Read ``config/demand/uncertainty.yaml``.

        Raises:
            ConfigError: if the file is missing or malformed.
        """
        scalars = load_scalars(Path(config_dir) / "demand" / "uncertainty.yaml")
        try:
            return cls(**{name: s.value for name, s in scalars.items()})
        except TypeError as exc:
            raise ConfigError(f"uncertainty.yaml: {exc}") from exc


@dataclass(frozen=True)
class Draws:
    """One set of random draws, shared by every plan evaluated against it.

    Attributes:
        staff_groups: staff groups, the column order of every array.
        seed: the seed the draws came from.
        leaver_multiplier: ``(n_draws, n_groups)`` factors on leaver rates (mean 1).
        retirement_shift: ``(n_draws, n_groups)`` years added to mean retirement ages.
        growth_shift: ``(n_draws, n_groups)`` extra annual log growth of demand.
    """

    staff_groups: tuple[str, ...]
    seed: int
    leaver_multiplier: np.ndarray
    retirement_shift: np.ndarray
    growth_shift: np.ndarray

    @property
    def n_draws(self) -> int:
        """Number of draws."""
        return int(self.leaver_multiplier.shape[0])


def draw_uncertainty(
    spec: UncertaintySpec, staff_groups: Sequence[str], n_draws: int, seed: int
) -> Draws:
    """Draw the uncertain inputs for ``n_draws`` futures, reproducibly for a seed.

    Args:
        spec: spreads of the uncertain inputs.
        staff_groups: the staff groups, e.g. ``SupplyParams.staff_groups``.
        n_draws: number of futures (e.g. 1,000).
        seed: seed of ``numpy.random.default_rng``.

    Returns:
        The draws.

    Raises:
        ConfigError: if ``n_draws`` is below 1.
    """
    if n_draws < 1:
        raise ConfigError(f"n_draws must be at least 1, not {n_draws}")
    rng = np.random.default_rng(seed)
    shape = (n_draws, len(staff_groups))
    sigma = np.sqrt(np.log1p(spec.leaver_rate_cv**2))
    return Draws(
        staff_groups=tuple(staff_groups),
        seed=seed,
        leaver_multiplier=rng.lognormal(-0.5 * sigma**2, sigma, shape),
        retirement_shift=rng.normal(0.0, spec.retirement_age_sd, shape),
        growth_shift=rng.normal(0.0, spec.growth_sd, shape),
    )


@dataclass(frozen=True)
class MonteCarloResult:
    """Required and available WTE for every draw, year, trust and staff group.

    Attributes:
        keys: ``trust_code``, ``staff_group`` of the array rows, in order.
        years: financial years (starting calendar year).
        required_wte: ``(n_draws, n_years, n_keys)``.
        available_wte: ``(n_draws, n_years, n_keys)`` closing WTE.
    """

    keys: pl.DataFrame
    years: tuple[int, ...]
    required_wte: np.ndarray
    available_wte: np.ndarray

    @property
    def gap_wte(self) -> np.ndarray:
        """``required - available`` per draw, year and key (positive = shortfall)."""
        return self.required_wte - self.available_wte

    def summary(
        self,
        quantiles: Sequence[float] = QUANTILES,
        by: Sequence[str] = ("trust_code", "staff_group"),
    ) -> pl.DataFrame:
        """Quantiles of required, available and gap WTE, per draw summed over ``by``'s complement.

        Args:
            quantiles: probabilities, e.g. ``(0.1, 0.5, 0.9)`` for P10/P50/P90.
            by: keys to keep (``("staff_group",)`` sums the trusts within each draw first).

        Returns:
            Columns ``year``, ``fy_label``, ``by``..., ``required_p<q>``, ``available_p<q>``,
            ``gap_p<q>`` for each quantile and ``p_shortfall`` (share of draws with a gap > 0).
        """
        groups = self.keys.select(list(by)).unique(maintain_order=True).sort(list(by))
        index = self.keys.join(
            groups.with_row_index("g"), on=list(by), how="left", maintain_order="left"
        )["g"].to_numpy()
        n_groups = groups.height
        rows = []
        for name, values in (
            ("required", self.required_wte),
            ("available", self.available_wte),
            ("gap", self.gap_wte),
        ):
            summed = np.zeros((*values.shape[:2], n_groups))
            np.add.at(summed, (slice(None), slice(None), index), values)
            q = np.quantile(summed, quantiles, axis=0)  # (Q, Y, G)
            for k, p in enumerate(quantiles):
                rows.append((f"{name}_p{round(p * 100)}", q[k]))
            if name == "gap":
                rows.append(("p_shortfall", (summed > 0).mean(axis=0)))
        n_years = len(self.years)
        frame = pl.DataFrame(
            {
                "year": np.repeat(np.array(self.years, dtype=np.int64), n_groups),
                "g": np.tile(np.arange(n_groups, dtype=np.uint32), n_years),
                **{name: value.reshape(-1) for name, value in rows},
            }
        )
        return (
            frame.join(groups.with_row_index("g"), on="g")
            .drop("g")
            .with_columns(
                pl.col("year").map_elements(fy_label, return_dtype=pl.String).alias("fy_label")
            )
            .select("year", "fy_label", *by, *[name for name, _ in rows])
            .sort("year", *by)
        )


def _demand_array(demand: pl.DataFrame, keys: pl.DataFrame, years: Sequence[int]) -> np.ndarray:
    """Required WTE as a ``(n_years, n_keys)`` array (missing combinations are 0)."""
    for column in ("year", "trust_code", "staff_group", "required_wte"):
        if column not in demand.columns:
            raise ConfigError(f"demand: missing column {column}")
    grid = (
        pl.DataFrame({"year": list(years)}, schema={"year": pl.Int64})
        .join(keys.with_row_index("k"), how="cross")
        .join(
            demand.select(
                pl.col("year").cast(pl.Int64), "trust_code", "staff_group", "required_wte"
            )
            .group_by("year", "trust_code", "staff_group")
            .agg(pl.col("required_wte").sum()),
            on=["year", "trust_code", "staff_group"],
            how="left",
        )
        .sort("year", "k")
    )
    return grid["required_wte"].fill_null(0.0).to_numpy().reshape(len(years), keys.height)


def _run(
    inputs: SupplyInputs, params: SupplyParams, demand: pl.DataFrame, draws: Draws
) -> MonteCarloResult:
    if tuple(draws.staff_groups) != params.staff_groups:
        raise ConfigError("draws were made for different staff groups than the parameters")
    lay = inputs.layout
    unknown = set(demand["staff_group"].unique().to_list()) - set(params.staff_groups)
    if unknown:
        raise ConfigError(f"demand has staff group(s) without supply parameters: {sorted(unknown)}")
    # Keys: every staffed trust and staff group, plus any with demand but nobody in post.
    keys = (
        pl.concat([lay.totals, demand.select("trust_code", "staff_group")])
        .unique()
        .sort("trust_code", "staff_group")
    )
    cell_key = (
        lay.totals.with_row_index("total")
        .join(keys.with_row_index("key"), on=["trust_code", "staff_group"])
        .sort("total")["key"]
        .to_numpy()[lay.cell_total]
    )
    available = np.zeros((draws.n_draws, len(inputs.years), keys.height))
    key_starts = np.flatnonzero(np.r_[True, np.diff(cell_key) != 0])
    # Draws run in chunks so that the working arrays stay near CHUNK_BYTES on any data size.
    per_draw = (lay.cells.height * 6 + len(inputs.edges[0]) * 3) * inputs.heads0.shape[1] * 4
    chunk = max(1, CHUNK_BYTES // per_draw)
    for start in range(0, draws.n_draws, chunk):
        part = slice(start, start + chunk)
        closing = simulate_supply(
            inputs,
            draws.leaver_multiplier[part],
            draws.retirement_shift[part],
            keep_flows=False,
            dtype=np.float32,  # half the memory traffic; relative error ~1e-6
        )["closing_wte"]  # (d, Y, C)
        # Cells are sorted by trust and staff group: each key's cells are one run.
        available[part][:, :, cell_key[key_starts]] = np.add.reduceat(closing, key_starts, axis=2)
    base = _demand_array(demand, keys, inputs.years)  # (Y, K)
    group_index = {g: i for i, g in enumerate(params.staff_groups)}
    key_group = np.array([group_index[g] for g in keys["staff_group"].to_list()])
    horizon = np.arange(1, len(inputs.years) + 1, dtype=float)
    growth = np.exp(draws.growth_shift[:, None, key_group] * horizon[None, :, None])
    return MonteCarloResult(
        keys=keys,
        years=inputs.years,
        required_wte=base[None, :, :] * growth,
        available_wte=available,
    )


def simulate_gap(  # noqa: PLR0917 - the published signature; callers pass completions by position
    stock: pl.DataFrame,
    params: SupplyParams,
    demand: pl.DataFrame,
    years: Sequence[int],
    draws: Draws,
    completions: pl.DataFrame | None = None,
) -> MonteCarloResult:
    """Simulate required and available WTE under every draw.

    Args:
        stock: staff in post, as for :func:`~lsc_workforce.demand.supply.project_supply`.
        params: flow parameters.
        demand: central required WTE with ``year``, ``trust_code``, ``staff_group``,
            ``required_wte`` (e.g. from ``project_required_wte``); other keys are summed.
        years: consecutive financial years.
        draws: from :func:`draw_uncertainty` with ``params.staff_groups``.
        completions: as for ``project_supply`` (``None``: no training completions).

    Returns:
        Arrays per draw; ``.summary()`` gives P10/P50/P90 tables.

    Raises:
        ConfigError: on inconsistent inputs.
    """
    inputs = prepare_supply(stock, params, years, completions)
    return _run(inputs, params, demand, draws)


def evaluate_intake_plan(  # noqa: PLR0917 - the published signature (completions by position)
    stock: pl.DataFrame,
    params: SupplyParams,
    demand: pl.DataFrame,
    years: Sequence[int],
    draws: Draws,
    completions: pl.DataFrame,
    *,
    quantiles: Sequence[float] = QUANTILES,
    by: Sequence[str] = ("trust_code", "staff_group"),
) -> pl.DataFrame:
    """Evaluate a training plan's completions against the same draws as any other plan.

    Because the draws are fixed, differences between two plans' results are due to the plans,
    not to sampling noise.

    Args:
        stock: staff in post.
        params: flow parameters.
        demand: central required WTE (see :func:`simulate_gap`).
        years: consecutive financial years.
        draws: shared draws from :func:`draw_uncertainty`.
        completions: the plan's completions (``year``, ``trust_code``, ``programme`` or
            ``staff_group`` + ``grade``, ``headcount``).
        quantiles: probabilities to report.
        by: keys to keep in the summary.

    Returns:
        The :meth:`MonteCarloResult.summary` table of the plan.
    """
    return simulate_gap(stock, params, demand, years, draws, completions=completions).summary(
        quantiles, by
    )
