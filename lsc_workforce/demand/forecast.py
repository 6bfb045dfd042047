"""Activity trend and seasonality per trust and modality, with a holdout backtest.

The method is deliberately transparent: for each trust and modality, monthly examinations
``y`` (summed over sites and periods) are fitted by ordinary least squares as

``log y_t = alpha + beta * t + gamma_month(t)``

with ``t`` in months and one factor per calendar month (January is the reference). The fitted
annual growth is ``exp(12 * beta) - 1``; it is clamped to a configured range before
projecting. Forecasts are ``exp(alpha + beta * t + gamma) * smear``, where ``smear`` is the mean
of the exponentiated residuals (Duan's smearing, which corrects the bias of back-transforming a
log model). The backtest refits without the last ``holdout_months`` months and reports the
mean absolute percentage error (MAPE) of the forecast of those months.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from lsc_workforce.config import ConfigError
from lsc_workforce.demand.parameters import load_scalars

SERIES_KEYS = ("trust_code", "modality")


@dataclass(frozen=True)
class ForecastSettings:
    """Settings of the trend fit (``config/demand/forecast.yaml``).

    Attributes:
        holdout_months: months held out by the backtest.
        fit_months: most recent months used to fit (older months are ignored).
        min_annual_growth: lowest annual growth a projection may use.
        max_annual_growth: highest annual growth a projection may use.
    """

    holdout_months: int = 6
    fit_months: int = 48
    min_annual_growth: float = -0.05
    max_annual_growth: float = 0.12

    def __post_init__(self) -> None:
        if self.holdout_months < 1:
            raise ConfigError("holdout_months must be at least 1")
        if self.fit_months < 24:
            raise ConfigError("fit_months must be at least 24 (two seasonal cycles)")
        if not -1 < self.min_annual_growth <= self.max_annual_growth:
            raise ConfigError("need -1 < min_annual_growth <= max_annual_growth")

    @classmethod
    def from_config(cls, config_dir: Path) -> ForecastSettings:
        """Read ``config/demand/forecast.yaml``.

        Raises:
            ConfigError: if the file is missing or malformed.
        """
        s = load_scalars(Path(config_dir) / "demand" / "forecast.yaml")
        try:
            return cls(
                holdout_months=int(s["holdout_months"].value),
                fit_months=int(s["fit_months"].value),
                min_annual_growth=s["min_annual_growth"].value,
                max_annual_growth=s["max_annual_growth"].value,
            )
        except KeyError as exc:
            raise ConfigError(f"forecast.yaml: missing {exc}") from exc


def month_index_expr(column: str = "month") -> pl.Expr:
    """Return months since January of year 0 (``year * 12 + month - 1``) as ``Int64``."""
    return (pl.col(column).dt.year().cast(pl.Int64) * 12 + pl.col(column).dt.month() - 1).alias("t")


def monthly_series(activity: pl.DataFrame) -> pl.DataFrame:
    """Sum activity to one monthly series per trust and modality.

    Args:
        activity: the ``activity`` dataset.

    Returns:
        ``trust_code``, ``modality``, ``month``, ``t`` (month index), ``examinations`` (Float64).
    """
    return (
        activity.group_by(*SERIES_KEYS, "month")
        .agg(pl.col("examinations").cast(pl.Float64).sum())
        .with_columns(month_index_expr())
        .sort(*SERIES_KEYS, "month")
    )


def _design(t: np.ndarray) -> np.ndarray:
    """Columns: intercept, t, 11 month dummies (February..December)."""
    month = np.mod(t, 12)
    dummies = (month[:, None] == np.arange(1, 12)[None, :]).astype(float)
    return np.column_stack([np.ones_like(t, dtype=float), t.astype(float), dummies])


def fit_trend(series: pl.DataFrame, settings: ForecastSettings) -> pl.DataFrame:
    """Fit the log-linear trend with monthly factors to every trust-modality series.

    Args:
        series: output of :func:`monthly_series` (or any frame with ``trust_code``,
            ``modality``, ``t`` and ``examinations``).
        settings: fit settings (only the last ``fit_months`` months of each series are used).

    Returns:
        One row per series: ``trust_code``, ``modality``, ``alpha``, ``beta`` (per month),
        ``beta_projected`` (clamped to the growth range), ``gamma`` (list of 12 monthly log
        factors, January first, January = 0), ``smear``, ``t_last`` (last fitted month),
        ``annual_growth`` (fitted), ``months`` (observations used).

    Raises:
        ConfigError: if a series has fewer than 24 months.
    """
    lo = np.log1p(settings.min_annual_growth) / 12
    hi = np.log1p(settings.max_annual_growth) / 12
    rows = []
    for (trust, modality), whole in series.group_by(*SERIES_KEYS, maintain_order=True):
        group = whole.sort("t").tail(settings.fit_months)
        if group.height < 24:
            raise ConfigError(
                f"activity for {trust} {modality} has {group.height} months; at least 24 needed"
            )
        t = group["t"].to_numpy()
        y = np.log(np.maximum(group["examinations"].to_numpy(), 0.5))
        coef, *_ = np.linalg.lstsq(_design(t), y, rcond=None)
        residuals = y - _design(t) @ coef
        rows.append(
            {
                "trust_code": trust,
                "modality": modality,
                "alpha": float(coef[0]),
                "beta": float(coef[1]),
                "beta_projected": float(np.clip(coef[1], lo, hi)),
                "gamma": [0.0, *map(float, coef[2:])],
                "smear": float(np.mean(np.exp(residuals))),
                "t_last": int(t.max()),
                "annual_growth": float(np.expm1(12 * coef[1])),
                "months": int(group.height),
            }
        )
    return pl.DataFrame(rows)


def forecast_months(fits: pl.DataFrame, months: list[dt.date]) -> pl.DataFrame:
    """Forecast monthly examinations of every fitted series.

    Months after the last fitted month grow at the clamped rate ``beta_projected`` from the
    fitted level at ``t_last``; fitted months use the fitted ``beta``.

    Args:
        fits: output of :func:`fit_trend`.
        months: first days of the months to forecast.

    Returns:
        ``trust_code``, ``modality``, ``month``, ``t``, ``forecast`` (examinations).
    """
    grid = pl.DataFrame({"month": months}, schema={"month": pl.Date}).with_columns(
        month_index_expr()
    )
    frame = fits.join(grid, how="cross")
    t = frame["t"].to_numpy().astype(float)
    t_last = frame["t_last"].to_numpy().astype(float)
    alpha, beta = frame["alpha"].to_numpy(), frame["beta"].to_numpy()
    beta_p = frame["beta_projected"].to_numpy()
    gamma = np.array(frame["gamma"].to_list())[np.arange(frame.height), np.mod(t, 12).astype(int)]
    ahead = np.maximum(t - t_last, 0.0)
    log_level = alpha + beta * np.minimum(t, t_last) + beta_p * ahead + gamma
    return frame.select(*SERIES_KEYS, "month", "t").with_columns(
        pl.Series("forecast", np.exp(log_level) * frame["smear"].to_numpy())
    )


def backtest(activity: pl.DataFrame, settings: ForecastSettings) -> pl.DataFrame:
    """Fit without the last ``holdout_months`` months, forecast them and score the forecast.

    Args:
        activity: the ``activity`` dataset.
        settings: fit settings.

    Returns:
        One row per trust and modality: ``mape`` (mean absolute percentage error over the
        held-out months, in %), ``bias`` (mean signed percentage error, %), ``holdout_months``,
        ``annual_growth`` (of the fit without the holdout).
    """
    series = monthly_series(activity)
    last = series["t"].max()
    cutoff = last - settings.holdout_months
    fits = fit_trend(series.filter(pl.col("t") <= cutoff), settings)
    held = series.filter(pl.col("t") > cutoff)
    forecast = forecast_months(fits, sorted(held["month"].unique().to_list()))
    scored = held.join(forecast, on=[*SERIES_KEYS, "month"]).with_columns(
        ((pl.col("forecast") - pl.col("examinations")) / pl.col("examinations") * 100).alias(
            "pct_error"
        )
    )
    return (
        scored.group_by(*SERIES_KEYS)
        .agg(
            pl.col("pct_error").abs().mean().alias("mape"),
            pl.col("pct_error").mean().alias("bias"),
            pl.len().alias("holdout_months"),
        )
        .join(fits.select(*SERIES_KEYS, "annual_growth"), on=list(SERIES_KEYS))
        .sort(*SERIES_KEYS)
    )


def backtest_summary(scores: pl.DataFrame) -> pl.DataFrame:
    """Summarise backtest scores per modality: mean, median and worst MAPE across trusts.

    Args:
        scores: output of :func:`backtest`.

    Returns:
        ``modality``, ``mape_mean``, ``mape_median``, ``mape_max``.
    """
    return (
        scores.group_by("modality")
        .agg(
            pl.col("mape").mean().alias("mape_mean"),
            pl.col("mape").median().alias("mape_median"),
            pl.col("mape").max().alias("mape_max"),
        )
        .sort("modality")
    )


def history_and_forecast(
    activity: pl.DataFrame, settings: ForecastSettings, months_ahead: int
) -> pl.DataFrame:
    """Observed monthly series with the in-sample fit and a forecast, for trend charts.

    Args:
        activity: the ``activity`` dataset.
        settings: fit settings.
        months_ahead: months to forecast after the last observed month.

    Returns:
        ``trust_code``, ``modality``, ``month``, ``examinations`` (null when forecast) and
        ``forecast``.
    """
    series = monthly_series(activity)
    fits = fit_trend(series, settings)
    first = series["month"].min()
    last_t = int(series["t"].max())
    months = [
        dt.date(t // 12, t % 12 + 1, 1)
        for t in range(first.year * 12 + first.month - 1, last_t + months_ahead + 1)
    ]
    return (
        forecast_months(fits, months)
        .join(
            series.select(*SERIES_KEYS, "month", "examinations"),
            on=[*SERIES_KEYS, "month"],
            how="left",
        )
        .select(*SERIES_KEYS, "month", "examinations", "forecast")
        .sort(*SERIES_KEYS, "month")
    )
