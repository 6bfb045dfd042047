import datetime as dt

import polars as pl
import pytest
from demand_helpers import capacity_params

from lsc_workforce.config import CONFIG_DIR, ConfigError
from lsc_workforce.demand.capacity import (
    CapacityParams,
    annual_activity,
    endoscopy_sessions,
    gap_table,
    productivity,
    radiography_workload,
    required_wte,
    task_workload,
)

pytestmark = pytest.mark.unit

ACTIVITY_COLUMNS = (
    "trust_code",
    "site_code",
    "modality",
    "period",
    "examinations",
    "outsourced_reports",
)


def _annual() -> pl.DataFrame:
    """One trust (T1), one site (S1): a year of activity, chosen for round numbers."""
    rows = [
        ("T1", "S1", "ct_other", "in_hours", 1200.0, 100.0),
        ("T1", "S1", "ct_other", "ooh", 300.0, 0.0),
        ("T1", "S1", "plain_xray", "in_hours", 10000.0, 0.0),
        ("T1", "S1", "ir_vascular", "in_hours", 150.0, 0.0),
        ("T1", "S1", "ir_vascular", "ooh", 30.0, 0.0),
        ("T1", "S1", "colonoscopy", "in_hours", 500.0, 0.0),
        ("T1", "S1", "gastroscopy", "in_hours", 1000.0, 0.0),
    ]
    return pl.DataFrame(rows, schema=list(ACTIVITY_COLUMNS), orient="row")


def _service_hours() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "site_code": ["S1", "S1", "S1", "S1"],
            "modality": ["ct_other", "ct_other", "plain_xray", "plain_xray"],
            "day_type": ["weekday", "weekend", "weekday", "weekend"],
            "hours": [10.0, 0.0, 24.0, 24.0],
        }
    )


def _sites(has_ir_suite: bool = True) -> pl.DataFrame:
    return pl.DataFrame({"site_code": ["S1"], "trust_code": ["T1"], "has_ir_suite": [has_ir_suite]})


def _value(frame: pl.DataFrame, column: str, **keys) -> float:
    row = frame.filter(*[pl.col(k) == v for k, v in keys.items()])
    assert row.height == 1, keys
    return row[column].item()


def test_productivity_from_the_job_plan():
    prod = productivity(capacity_params())
    assert _value(prod, "units_per_wte_year", task="ct_reporting", staff_group="radiologist") == 600
    assert (
        _value(
            prod,
            "units_per_wte_year",
            task="plain_film_reporting",
            staff_group="reporting_radiographer",
        )
        == 750
    )
    assert (
        _value(prod, "units_per_wte_year", task="radiography", staff_group="radiographer") == 1200
    )
    assert (
        _value(
            prod,
            "units_per_wte_year",
            task="diagnostic_endoscopy",
            staff_group="medical_endoscopist",
        )
        == 120
    )
    assert (
        _value(prod, "unit", task="diagnostic_endoscopy", staff_group="non_medical_endoscopist")
        == "lists"
    )


def test_task_workload_hand_computed():
    tasks = task_workload(_annual(), capacity_params())
    # CT: 1,200 x 15 min = 300 h in hours + 300 x 15 min x 4/3 (premium-time PAs) = 100 h OOH;
    # 100 outsourced reports = 25 h; in house 375 h / 600 h a WTE = 0.625 WTE.
    ct = {
        k: _value(tasks, k, task="ct_reporting", staff_group="radiologist")
        for k in tasks.columns[2:]
    }
    assert ct["workload"] == pytest.approx(400.0)
    assert ct["outsourced"] == pytest.approx(25.0)
    assert ct["required_wte"] == pytest.approx(0.625)
    assert ct["outsourced_wte"] == pytest.approx(25 / 600)
    # Plain film: 10,000 x 3 min = 500 h; 40% radiologists (200 h / 600), 60% reporting
    # radiographers (300 h / 750).
    assert _value(
        tasks, "required_wte", task="plain_film_reporting", staff_group="radiologist"
    ) == pytest.approx(1 / 3)
    assert _value(
        tasks, "required_wte", task="plain_film_reporting", staff_group="reporting_radiographer"
    ) == pytest.approx(0.4)
    # IR: 150 x 2 h + 30 x 2 h x 4/3 = 380 h / 600 h.
    assert _value(
        tasks, "workload", task="ir_procedures", staff_group="interventional_radiologist"
    ) == pytest.approx(380.0)
    # Endoscopy: 500 colonoscopies x 2 points + 1,000 gastroscopies x 1 point = 2,000 points
    # = 200 lists of 10 points; medical 70% = 140 lists / 120 a WTE; non-medical 60 / 240.
    assert _value(
        tasks, "workload", task="diagnostic_endoscopy", staff_group="medical_endoscopist"
    ) == pytest.approx(140.0)
    assert _value(
        tasks, "required_wte", task="diagnostic_endoscopy", staff_group="medical_endoscopist"
    ) == pytest.approx(140 / 120)
    assert _value(
        tasks, "required_wte", task="diagnostic_endoscopy", staff_group="non_medical_endoscopist"
    ) == pytest.approx(0.25)


def test_radiography_takes_the_larger_of_activity_and_cover():
    rad = radiography_workload(_annual(), _service_hours(), capacity_params())
    # CT open 50 h a week with 2 radiographers: 50 x 2 x 52.18 = 5,218 h > 1,500 exams / 1.5.
    assert _value(rad, "activity_hours", room="ct") == pytest.approx(1000.0)
    assert _value(rad, "cover_hours", room="ct") == pytest.approx(5218.0)
    assert _value(rad, "required_wte", room="ct") == pytest.approx(5218.0 / 1200)
    # Plain film 24/7 with 1 radiographer: 168 x 52.18 = 8,766.24 h > 10,000 / 4 = 2,500 h.
    assert _value(rad, "required_hours", room="plain_xray") == pytest.approx(168 * 52.18)


def test_required_wte_applies_the_ir_rota_minimum():
    params = capacity_params()
    with_suite = required_wte(_annual(), _service_hours(), _sites(True), params)
    without = required_wte(_annual(), _service_hours(), _sites(False), params)
    assert _value(with_suite, "required_wte", staff_group="interventional_radiologist") == 6.0
    assert _value(
        without, "required_wte", staff_group="interventional_radiologist"
    ) == pytest.approx(380 / 600)
    radiologist = 0.625 + 1 / 3
    assert _value(with_suite, "required_wte", staff_group="radiologist") == pytest.approx(
        radiologist
    )
    radiographer = (5218.0 + 168 * 52.18) / 1200
    assert _value(with_suite, "required_wte", staff_group="radiographer") == pytest.approx(
        radiographer
    )


def test_gap_table_hand_computed():
    required = pl.DataFrame(
        {
            "trust_code": ["T1", "T1"],
            "staff_group": ["radiographer", "radiologist"],
            "required_wte": [10.0, 4.0],
            "outsourced_wte": [0.0, 1.0],
        }
    )
    staff = pl.DataFrame(
        {
            "trust_code": ["T1"] * 3,
            "staff_group": ["radiographer", "radiographer", "radiologist"],
            "wte": [5.0, 3.0, 5.0],
        }
    )
    vacancies = pl.DataFrame(
        {
            "trust_code": ["T1", "T1"],
            "staff_group": ["radiographer", "radiologist"],
            "establishment_wte": [9.0, 5.5],
        }
    )
    gap = gap_table(required, staff, vacancies)
    radiographer = gap.filter(pl.col("staff_group") == "radiographer").to_dicts()[0]
    assert radiographer["in_post_wte"] == 8.0
    assert radiographer["vacancy_wte"] == pytest.approx(1.0)
    assert radiographer["gap_wte"] == pytest.approx(2.0)
    assert radiographer["gap_share"] == pytest.approx(0.2)
    assert radiographer["establishment_gap_wte"] == pytest.approx(1.0)
    radiologist = gap.filter(pl.col("staff_group") == "radiologist").to_dicts()[0]
    assert radiologist["gap_wte"] == pytest.approx(-1.0)  # over-staffed for in-house need
    assert radiologist["outsourced_share"] == pytest.approx(0.2)


def test_endoscopy_sessions_needed_and_available():
    tasks = task_workload(_annual(), capacity_params())
    staff = pl.DataFrame(
        {"trust_code": ["T1"], "staff_group": ["medical_endoscopist"], "wte": [1.0]}
    )
    sessions = endoscopy_sessions(tasks, staff, capacity_params())
    medical = sessions.filter(pl.col("staff_group") == "medical_endoscopist").to_dicts()[0]
    assert medical["lists_needed_week"] == pytest.approx(140 / 52.18)
    assert medical["lists_available_week"] == pytest.approx(3 * 40 / 52.18)
    non_medical = sessions.filter(pl.col("staff_group") == "non_medical_endoscopist").to_dicts()[0]
    assert non_medical["lists_available_week"] == 0.0


def test_annual_activity_uses_the_twelve_months_before_as_at():
    months = [dt.date(2025, m, 1) for m in range(1, 13)] + [
        dt.date(2026, m, 1) for m in (1, 2, 3, 4)
    ]
    activity = pl.DataFrame(
        {
            "month": months,
            "trust_code": "T1",
            "site_code": "S1",
            "modality": "mri",
            "period": "in_hours",
            "examinations": list(range(1, 17)),
            "outsourced_reports": 0,
        }
    )
    annual = annual_activity(activity, dt.date(2026, 4, 1))
    assert annual["examinations"].item() == sum(range(4, 16))  # April 2025 - March 2026
    with pytest.raises(ConfigError, match="months"):
        annual_activity(activity, dt.date(2025, 6, 1))


def test_params_validation_and_effort_factor():
    params = capacity_params()
    halved = params.with_effort_factor("ct_other", 0.5)
    tasks = task_workload(_annual(), halved)
    assert _value(
        tasks, "workload", task="ct_reporting", staff_group="radiologist"
    ) == pytest.approx(200.0)
    with pytest.raises(ConfigError):
        params.with_effort_factor("pet", 0.5)
    bad_mix = params.skill_mix.with_columns(pl.lit(0.5).alias("share"))
    with pytest.raises(ConfigError, match="sum to 1"):
        CapacityParams(params.effort, bad_mix, params.radiography, params.scalars)


def test_reference_gap_today(reference_frames):
    frames = reference_frames
    params = CapacityParams.from_config(CONFIG_DIR)
    annual = annual_activity(frames["activity"], dt.date(2026, 4, 1))
    required = required_wte(annual, frames["service_hours"], frames["sites"], params)
    gap = gap_table(required, frames["staff_in_post"], frames["vacancies"])
    assert gap.height == 4 * 6
    assert gap["in_post_wte"].sum() == pytest.approx(frames["staff_in_post"]["wte"].sum())
    assert (gap["required_wte"] > 0).all()
    # Radiologists report part of their work through outsourcing in every trust.
    outsourced = gap.filter(pl.col("staff_group") == "radiologist")["outsourced_share"]
    assert outsourced.is_between(0.01, 0.6).all()


def test_ir_oncall_summary_hand_computed():
    from lsc_workforce.demand.capacity import ir_oncall_summary

    summary = ir_oncall_summary(_annual(), _sites(True), capacity_params()).to_dicts()[0]
    assert summary["procedures_in_hours"] == 150
    assert summary["procedures_ooh"] == 30
    assert summary["ooh_procedures_week"] == pytest.approx(30 / 52.18)
    assert summary["workload_wte"] == pytest.approx(380 / 600)
    assert summary["rota_minimum_wte"] == 6.0
    assert summary["required_wte"] == 6.0
