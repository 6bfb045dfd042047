import datetime as dt
import math

import numpy as np
import polars as pl
import pytest

from lsc_workforce.config import CONFIG_DIR, ConfigError
from lsc_workforce.demand.forecast import (
    ForecastSettings,
    backtest,
    backtest_summary,
    fit_trend,
    forecast_months,
    history_and_forecast,
    monthly_series,
)

pytestmark = pytest.mark.unit

#: Backtest bounds on the reference data (fit without the last 6 months, forecast them):
#: mean MAPE over all trust-modality series below 8 %, every series below 25 %, and the
#: high-volume modalities (CT other, MRI, ultrasound, plain X-ray) below 5 %. Measured on the
#: seed-20260401 reference data: mean 4.5 %, worst 15.1 % (vascular IR at RXN, ~50 a month).
MEAN_MAPE_BOUND = 8.0
MAX_MAPE_BOUND = 25.0
HIGH_VOLUME_MAPE_BOUND = 5.0


def _months(n: int, start: dt.date = dt.date(2022, 4, 1)) -> list[dt.date]:
    first = start.year * 12 + start.month - 1
    return [dt.date((first + i) // 12, (first + i) % 12 + 1, 1) for i in range(n)]


def _synthetic(growth: float, n: int = 48, noise: float = 0.0, seed: int = 0) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    months = _months(n)
    season = {m: 1 + 0.1 * math.cos(2 * math.pi * (m - 1) / 12) for m in range(1, 13)}
    values = [
        1000 * (1 + growth) ** (i / 12) * season[m.month] * math.exp(rng.normal(0, noise))
        for i, m in enumerate(months)
    ]
    return pl.DataFrame(
        {
            "month": months,
            "trust_code": "T1",
            "site_code": "S1",
            "modality": "mri",
            "period": "in_hours",
            "examinations": values,
            "outsourced_reports": 0,
        }
    )


def test_fit_recovers_an_exact_trend_and_season():
    activity = _synthetic(0.07)
    fit = fit_trend(monthly_series(activity), ForecastSettings()).to_dicts()[0]
    assert fit["annual_growth"] == pytest.approx(0.07, rel=1e-9)
    gamma = np.array(fit["gamma"])
    expected = [math.log((1 + 0.1 * math.cos(2 * math.pi * k / 12)) / 1.1) for k in range(12)]
    assert gamma == pytest.approx(expected, abs=1e-9)
    assert fit["smear"] == pytest.approx(1.0)
    scores = backtest(activity, ForecastSettings())
    assert scores["mape"].item() == pytest.approx(0.0, abs=1e-8)


def test_forecast_clamps_growth_beyond_the_fitted_months():
    activity = _synthetic(0.30, n=36)
    settings = ForecastSettings(max_annual_growth=0.10)
    fits = fit_trend(monthly_series(activity), settings)
    assert fits["annual_growth"].item() == pytest.approx(0.30, rel=1e-9)
    last = activity["month"].max()
    same_month_next_year = dt.date(last.year + 1, last.month, 1)
    out = forecast_months(fits, [last, same_month_next_year])["forecast"].to_list()
    assert out[1] / out[0] == pytest.approx(1.10, rel=1e-9)


def test_fit_needs_two_years():
    with pytest.raises(ConfigError, match="24 needed"):
        fit_trend(monthly_series(_synthetic(0.05, n=20)), ForecastSettings())


def test_noisy_backtest_is_accurate_and_unbiased():
    scores = backtest(_synthetic(0.05, n=48, noise=0.03, seed=4), ForecastSettings())
    assert scores["mape"].item() < 6.0
    assert scores["holdout_months"].item() == 6


def test_reference_backtest_mape_is_below_the_stated_bounds(reference_frames):
    settings = ForecastSettings.from_config(CONFIG_DIR)
    scores = backtest(reference_frames["activity"], settings)
    assert scores.height == 4 * 10  # every trust and modality
    assert scores["mape"].mean() < MEAN_MAPE_BOUND
    assert scores["mape"].max() < MAX_MAPE_BOUND
    high_volume = scores.filter(
        pl.col("modality").is_in(["ct_other", "mri", "non_obstetric_ultrasound", "plain_xray"])
    )
    assert high_volume["mape"].max() < HIGH_VOLUME_MAPE_BOUND
    summary = backtest_summary(scores)
    assert summary.height == 10
    assert (summary["mape_median"] <= summary["mape_max"]).all()


def test_history_and_forecast_extends_the_series(reference_frames):
    frame = history_and_forecast(reference_frames["activity"], ForecastSettings(), months_ahead=12)
    series = frame.filter((pl.col("trust_code") == "RXN") & (pl.col("modality") == "mri"))
    assert series["examinations"].null_count() == 12
    assert series.height == 48 + 12
