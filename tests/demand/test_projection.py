import datetime as dt

import polars as pl
import pytest

from lsc_workforce.config import CONFIG_DIR, ConfigError
from lsc_workforce.demand.capacity import CapacityParams, annual_activity
from lsc_workforce.demand.forecast import ForecastSettings
from lsc_workforce.demand.projection import (
    Scenario,
    load_scenarios,
    project_activity,
    project_demand,
)

pytestmark = pytest.mark.unit

AS_AT = dt.date(2026, 4, 1)
YEARS = [2026, 2027, 2028]


@pytest.fixture(scope="module")
def scenarios():
    return load_scenarios(CONFIG_DIR)


def _project(frames, scenario):
    return project_demand(
        frames["activity"],
        frames["service_hours"],
        frames["sites"],
        CapacityParams.from_config(CONFIG_DIR),
        scenario,
        settings=ForecastSettings.from_config(CONFIG_DIR),
        as_at=AS_AT,
        years=YEARS,
    )


def _total(frame: pl.DataFrame, column: str, **keys) -> float:
    return frame.filter(*[pl.col(k) == v for k, v in keys.items()])[column].sum()


def test_shipped_scenarios_have_provenance(scenarios):
    assert {"central", "high", "low", "ai_stroke_ct", "cdc"} <= set(scenarios)
    for scenario in scenarios.values():
        assert scenario.source
        assert scenario.description


def test_scenario_validation():
    with pytest.raises(ConfigError, match="extra_activity"):
        Scenario("x", extra_activity=({"trust_code": "T1"},))
    with pytest.raises(ConfigError, match="growth_adjustment"):
        Scenario("x", growth_adjustment=0.9)


def test_projection_keeps_site_and_period_shares(reference_frames, scenarios):
    frames = reference_frames
    projected = project_activity(
        frames["activity"], AS_AT, YEARS, scenarios["central"], ForecastSettings()
    )
    base = annual_activity(frames["activity"], AS_AT)
    for frame in (projected.filter(pl.col("year") == 2026), base):
        assert frame.filter(pl.col("trust_code") == "RXN").height > 0

    def share(frame: pl.DataFrame) -> float:
        site = _total(frame, "examinations", trust_code="RXN", modality="mri", site_code="RXN01")
        return site / _total(frame, "examinations", trust_code="RXN", modality="mri")

    assert share(projected.filter(pl.col("year") == 2027)) == pytest.approx(share(base), rel=1e-9)
    # Central growth of MRI in the reference data is about 7-8 % a year.
    ratio = _total(projected, "examinations", year=2027, modality="mri") / _total(
        projected, "examinations", year=2026, modality="mri"
    )
    assert 1.04 < ratio < 1.11


def test_growth_scenarios_are_ordered_and_exact(reference_frames, scenarios):
    frames = reference_frames
    settings = ForecastSettings()
    central = project_activity(frames["activity"], AS_AT, YEARS, scenarios["central"], settings)
    high = project_activity(frames["activity"], AS_AT, YEARS, scenarios["high"], settings)
    # +0.02 annual log growth: every month of 2028/29 is exp(0.02 * months ahead / 12) higher;
    # months 24..35 ahead of March 2026 are about exp(0.02 * 2.5) on average.
    ratio = _total(high, "examinations", year=2028) / _total(central, "examinations", year=2028)
    assert ratio == pytest.approx(1.051, abs=0.002)


def test_cdc_adds_exactly_its_activity(reference_frames, scenarios):
    frames = reference_frames
    settings = ForecastSettings()
    central = project_activity(frames["activity"], AS_AT, YEARS, scenarios["central"], settings)
    cdc = project_activity(frames["activity"], AS_AT, YEARS, scenarios["cdc"], settings)
    keys = {"trust_code": "RXR", "site_code": "RXR10", "modality": "mri"}
    assert _total(cdc, "examinations", year=2026, **keys) == pytest.approx(
        _total(central, "examinations", year=2026, **keys)
    )
    assert _total(cdc, "examinations", year=2027, **keys) - _total(
        central, "examinations", year=2027, **keys
    ) == pytest.approx(8000.0)


def test_ai_stroke_ct_only_reduces_radiologist_demand(reference_frames, scenarios):
    central = _project(reference_frames, scenarios["central"])
    ai = _project(reference_frames, scenarios["ai_stroke_ct"])
    joined = central.required.join(
        ai.required, on=["year", "trust_code", "staff_group"], suffix="_ai"
    )
    radiologists = joined.filter(pl.col("staff_group") == "radiologist")
    assert (radiologists["required_wte_ai"] < radiologists["required_wte"]).all()
    others = joined.filter(pl.col("staff_group") != "radiologist")
    assert (others["required_wte_ai"] - others["required_wte"]).abs().max() < 1e-9
    # Task view: plain-film reporting and diagnostic endoscopy are split by staff group.
    tasks = central.tasks.filter(pl.col("year") == 2026)
    assert set(tasks.filter(pl.col("task") == "plain_film_reporting")["staff_group"]) == {
        "radiologist",
        "reporting_radiographer",
    }
    assert set(tasks.filter(pl.col("task") == "diagnostic_endoscopy")["unit"]) == {"lists"}
