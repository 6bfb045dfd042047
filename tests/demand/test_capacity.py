import datetime as dt
from dataclasses import replace

import polars as pl
import pytest
from demand_helpers import capacity_params, grade_lines, rota_floors, supply_params

from lsc_workforce.config import CONFIG_DIR, ConfigError
from lsc_workforce.data import PLANNED_GROUPS
from lsc_workforce.demand.capacity import (
    CapacityParams,
    annual_activity,
    competency_coverage,
    endoscopy_sessions,
    gap_table,
    network_gap,
    productivity,
    radiography_workload,
    required_wte,
    rota_reconciliation,
    task_workload,
)
from lsc_workforce.demand.capacity import rota_floors as rota_floors_table
from lsc_workforce.demand.supply import SupplyParams

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
    """CT open weekdays 08:00-18:00 only; plain X-ray open 24/7."""
    return pl.DataFrame(
        {
            "site_code": ["S1", "S1", "S1", "S1"],
            "modality": ["ct_other", "ct_other", "plain_xray", "plain_xray"],
            "day_type": ["weekday", "weekend", "weekday", "weekend"],
            "open_time": ["08:00", "00:00", "00:00", "00:00"],
            "close_time": ["18:00", "00:00", "24:00", "24:00"],
            "hours": [10.0, 0.0, 24.0, 24.0],
        }
    )


def _sites(has_ir_suite: bool = True) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "site_code": ["S1"],
            "trust_code": ["T1"],
            "has_ed": [True],
            "has_ir_suite": [has_ir_suite],
        }
    )


def _cath_lab() -> pl.DataFrame:
    """Two cath labs at S1, one radiographer each, weekdays 08:00-18:00."""
    return pl.DataFrame(
        [
            {
                "modality": "cardiac_cath",
                "room": "cardiac_cath",
                "where": "S1",
                "weekday_open": "08:00",
                "weekday_close": "18:00",
                "weekend_open": "00:00",
                "weekend_close": "00:00",
                "rooms": 2,
                "staff_per_room": 1,
            }
        ]
    )


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
        _value(prod, "units_per_wte_year", task="radiography", staff_group="radiographer") == 1500
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


def test_radiography_takes_the_larger_of_activity_and_cover_within_each_time_band():
    rad = radiography_workload(_annual(), _service_hours(), capacity_params())
    # CT in hours: 1,200 exams / 1.5 = 800 h of activity against 10 h x 5 days x 2 radiographers
    # x 52.18 weeks = 5,218 h of cover; out of hours 300 / 1.5 = 200 h of activity while the
    # room has no cover: 5,218 + 200 = 5,418 h. (The larger of the yearly totals, 5,218 h, would
    # let daytime cover absorb the night work.)
    ct = rad.filter(pl.col("room") == "ct").to_dicts()[0]
    assert ct["activity_hours_in"] == pytest.approx(800.0)
    assert ct["activity_hours_ooh"] == pytest.approx(200.0)
    assert ct["cover_hours_in"] == pytest.approx(5218.0)
    assert ct["cover_hours_ooh"] == pytest.approx(0.0)
    assert ct["required_hours"] == pytest.approx(5418.0)
    # Clinical WTE: 37.5 h x 40 weeks = 1,500 clinical hours each.
    assert ct["required_wte"] == pytest.approx(5418.0 / 1500)
    # Plain film 24/7, 1 radiographer: in hours 50 h a week (2,609 h > 10,000 / 4 = 2,500 h),
    # out of hours 14 h x 5 + 48 h = 118 h a week; the two bands make 168 x 52.18 h.
    xray = rad.filter(pl.col("room") == "plain_xray").to_dicts()[0]
    assert xray["cover_hours_in"] == pytest.approx(50 * 52.18)
    assert xray["cover_hours_ooh"] == pytest.approx(118 * 52.18)
    assert xray["required_hours"] == pytest.approx(168 * 52.18)


def test_modalities_sharing_an_out_of_hours_team_are_staffed_once():
    params = capacity_params()
    shared = replace(
        params,
        radiography=params.radiography.with_columns(pl.lit("emergency").alias("ooh_room")),
    )
    apart = radiography_workload(_annual(), _service_hours(), params)
    rad = radiography_workload(_annual(), _service_hours(), shared)
    # Apart, out of hours CT has 300 / 1.5 = 200 h of activity with no cover and plain film
    # 118 h a week x 1 radiographer x 52.18 weeks = 6,157.24 h of cover: 6,357.24 h.
    assert apart["activity_hours_ooh"].sum() + apart["cover_hours_ooh"].sum() == pytest.approx(
        200 + 118 * 52.18
    )
    # Shared, the one team's cover (the larger staffing while either is open) absorbs the
    # 200 h of CT: max(200, 6,157.24) out of hours; in hours each room is unchanged.
    team = rad.filter(pl.col("room") == "emergency").to_dicts()[0]
    assert team["activity_hours_ooh"] == pytest.approx(200.0)
    assert team["cover_hours_ooh"] == pytest.approx(118 * 52.18)
    assert team["required_hours"] == pytest.approx(118 * 52.18)
    assert rad.filter(pl.col("room") == "ct")["required_hours"].item() == pytest.approx(5218.0)
    assert rad["required_hours"].sum() == pytest.approx(
        apart["required_hours"].sum() - 200, rel=1e-12
    )


def test_staffed_services_without_activity_add_their_cover():
    params = replace(capacity_params(), staffed=_cath_lab())
    without_sites = radiography_workload(_annual(), _service_hours(), params)
    assert "cardiac_cath" not in without_sites["room"].to_list()
    rad = radiography_workload(_annual(), _service_hours(), params, _sites())
    cath = rad.filter(pl.col("room") == "cardiac_cath").to_dicts()[0]
    assert cath["activity_hours"] == 0.0
    assert cath["cover_hours_in"] == pytest.approx(10 * 5 * 2 * 52.18)
    assert cath["required_hours"] == pytest.approx(10 * 5 * 2 * 52.18)
    wrong = _cath_lab().with_columns(pl.lit("has_cath_lab").alias("where"))
    with pytest.raises(ConfigError, match="has_cath_lab"):
        radiography_workload(_annual(), _service_hours(), replace(params, staffed=wrong), _sites())


def test_required_wte_applies_the_rota_floors_from_the_rota_sizes():
    params = replace(capacity_params(), rota=rota_floors(one_in=6))
    with_rota = required_wte(_annual(), _service_hours(), _sites(True), params)
    without = required_wte(_annual(), _service_hours(), _sites(True), capacity_params())
    # IR: a 1-in-6 rota needs 6 people (6 WTE) against 380 h / 600 h of procedures.
    ir = with_rota.filter(pl.col("staff_group") == "interventional_radiologist").to_dicts()[0]
    assert ir["rota_minimum_wte"] == 6.0
    assert ir["required_wte"] == 6.0
    assert _value(
        without, "required_wte", staff_group="interventional_radiologist"
    ) == pytest.approx(380 / 600)
    # GI bleed: the same floor for medical endoscopists (140 lists / 120 a WTE of workload).
    assert _value(with_rota, "required_wte", staff_group="medical_endoscopist") == 6.0
    radiologist = 0.625 + 1 / 3
    assert _value(with_rota, "required_wte", staff_group="radiologist") == pytest.approx(
        radiologist
    )
    radiographer = (5418.0 + 168 * 52.18) / 1500
    assert _value(with_rota, "required_wte", staff_group="radiographer") == pytest.approx(
        radiographer
    )


def test_a_shared_rota_floor_is_divided_between_its_trusts():
    sites = pl.DataFrame(
        {
            "site_code": ["S1", "S2"],
            "trust_code": ["T1", "T2"],
            "has_ed": [True, True],
            "has_ir_suite": [True, True],
        }
    )
    network = replace(
        capacity_params(), rota=rota_floors(one_in=8, scenario="network", sites=("S1", "S2"))
    )
    floors = rota_floors_table(sites, network)
    assert floors.filter(pl.col("staff_group") == "interventional_radiologist")[
        "rota_people"
    ].to_list() == [4.0, 4.0]
    trust_by_trust = replace(capacity_params(), rota=rota_floors(sites=("S1", "S2")))
    assert rota_floors_table(sites, trust_by_trust)["rota_people"].to_list() == [6.0] * 4


def test_rota_reconciliation_states_which_floor_binds():
    params = replace(capacity_params(), rota=rota_floors(one_in=6))
    required = required_wte(_annual(), _service_hours(), _sites(True), params)
    gap = pl.DataFrame(
        {
            "trust_code": ["T1", "T1"],
            "staff_group": ["interventional_radiologist", "medical_endoscopist"],
            "consultant_wte": [4.0, 9.0],
            "gap_wte": [2.0, -1.0],
        }
    )
    sizes = pl.DataFrame(
        {
            "scenario": ["trust_by_trust", "trust_by_trust", "network"],
            "service": ["ir_oncall", "gi_bleed_oncall", "ir_oncall"],
            "trusts": [["T1"], ["T1"], ["T1"]],
            "people_needed": [6, 6, 8],
            "competent_staff": [4, 9, 4],
            "shortfall_people": [2, 0, 4],
        }
    )
    table = rota_reconciliation(required, gap, sizes, params)
    ir = table.filter(pl.col("service") == "ir_oncall").to_dicts()[0]
    assert ir["rota_people"] == 6  # the trust_by_trust scenario, not the network one
    assert ir["competent_staff"] == 4
    assert ir["rota_shortfall_people"] == 2
    assert ir["workload_wte"] == pytest.approx(380 / 600)
    assert ir["binds"] == "rota"
    assert ir["required_wte"] == 6.0
    assert ir["gap_wte"] == 2.0
    gi = table.filter(pl.col("service") == "gi_bleed_oncall").to_dicts()[0]
    assert gi["binds"] == "rota"  # 140 / 120 = 1.17 WTE of lists < 6 people
    assert gi["required_wte"] == 6.0


def test_endoscopy_list_types_add_lists_in_proportion_to_diagnostic_lists():
    lists = pl.DataFrame(
        {
            "list_type": ["ercp", "training"],
            "staff_group": ["medical_endoscopist", "non_medical_endoscopist"],
            "lists_per_diagnostic_list": [0.1, 0.05],
        }
    )
    tasks = task_workload(_annual(), replace(capacity_params(), endoscopy_lists=lists))
    # 200 diagnostic lists (140 medical + 60 non-medical): ERCP 20 lists / 120 a WTE, training
    # 10 lists / 240 a WTE.
    assert _value(tasks, "workload", task="ercp", staff_group="medical_endoscopist") == 20.0
    assert _value(
        tasks, "required_wte", task="ercp", staff_group="medical_endoscopist"
    ) == pytest.approx(20 / 120)
    assert _value(
        tasks, "required_wte", task="training", staff_group="non_medical_endoscopist"
    ) == pytest.approx(10 / 240)


def test_gap_table_keeps_grades_apart_hand_computed():
    required = pl.DataFrame(
        {
            "trust_code": ["T1", "T1"],
            "staff_group": ["radiographer", "radiologist"],
            "required_wte": [10.0, 6.0],
            "outsourced_wte": [0.0, 1.5],
        }
    )
    staff = pl.DataFrame(
        {
            "trust_code": ["T1"] * 5,
            "staff_group": ["radiographer", "radiographer", *["radiologist"] * 3],
            "grade": ["band_5", "band_7", "consultant", "sas", "st3"],
            "wte": [5.0, 3.0, 3.0, 1.0, 2.0],
        }
    )
    vacancies = pl.DataFrame(
        {
            "trust_code": ["T1"] * 4,
            "staff_group": ["radiographer", "radiographer", "radiologist", "radiologist"],
            "grade": ["band_5", "band_7", "consultant", "st3"],
            "establishment_wte": [5.0, 4.0, 4.5, 2.0],
        }
    )
    gap = gap_table(
        required, staff, vacancies, supply_params(grade_lines=grade_lines()), tolerance=0.1
    )
    radiographer = gap.filter(pl.col("staff_group") == "radiographer").to_dicts()[0]
    assert radiographer["in_post_wte"] == 8.0
    assert radiographer["afc_wte"] == 8.0
    assert radiographer["vacancy_wte"] == pytest.approx(1.0)
    # Clinical time by band: 5 WTE at band 5 x 0.9 + 3 WTE at band 7 x 0.5 = 6 clinical WTE.
    assert radiographer["service_wte"] == pytest.approx(6.0)
    assert radiographer["gap_wte"] == pytest.approx(4.0)
    assert radiographer["gap_share"] == pytest.approx(0.4)
    # Establishment in the same units: 5 x 0.9 + 4 x 0.5 = 6.5; need 10 is 3.5 (54 %) above it.
    assert radiographer["establishment_service_wte"] == pytest.approx(6.5)
    assert radiographer["establishment_gap_wte"] == pytest.approx(3.5)
    assert radiographer["establishment_flag"]
    assert radiographer["likely_causes"].startswith("need above funded posts")
    assert radiographer["consultant_need_wte"] is None
    radiologist = gap.filter(pl.col("staff_group") == "radiologist").to_dicts()[0]
    # 6 WTE in post, but only 3 consultants; SAS its own line; an ST3 counts 0.25.
    assert (radiologist["consultant_wte"], radiologist["sas_wte"]) == (3.0, 1.0)
    assert radiologist["trainee_wte"] == 2.0
    assert radiologist["in_post_wte"] == 6.0
    assert radiologist["service_wte"] == pytest.approx(3.0 + 1.0 + 0.5)
    assert radiologist["gap_wte"] == pytest.approx(1.5)
    assert radiologist["consultant_need_wte"] == pytest.approx(6.0 - 1.0 - 0.5)
    assert radiologist["consultant_gap_share"] == pytest.approx((4.5 - 3.0) / 4.5)
    assert radiologist["outsourced_share"] == pytest.approx(0.2)
    # Funded: 4.5 consultants + 2 x 0.25 trainee = 5.0 against a need of 6 (20 % > 10 %).
    assert radiologist["establishment_gap_wte"] == pytest.approx(1.0)
    assert radiologist["establishment_flag"]
    within = gap_table(
        required, staff, vacancies, supply_params(grade_lines=grade_lines()), tolerance=0.25
    ).filter(pl.col("staff_group") == "radiologist")
    assert not within["establishment_flag"].item()
    assert within["likely_causes"].item() == ""
    with pytest.raises(ConfigError, match="grade_lines.csv.*st9"):
        gap_table(
            required,
            staff.with_columns(pl.lit("st9").alias("grade")),
            vacancies,
            supply_params(grade_lines=grade_lines()),
        )


def test_network_gap_never_nets_one_trust_against_another():
    gap = pl.DataFrame(
        {
            "trust_code": ["T1", "T2", "T3"],
            "staff_group": ["interventional_radiologist"] * 3,
            "required_wte": [6.0, 6.0, 6.0],
            "service_wte": [4.0, 9.0, 5.0],
            "gap_wte": [2.0, -3.0, 1.0],
        }
    )
    row = network_gap(gap).to_dicts()[0]
    assert row["trusts"] == 3
    assert row["shortfall_wte"] == pytest.approx(3.0)  # T1 and T3; T2's surplus does not fill them
    assert row["surplus_wte"] == pytest.approx(3.0)
    assert row["net_gap_wte"] == pytest.approx(0.0)


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
    supply = SupplyParams.from_config(CONFIG_DIR)
    gap = gap_table(required, frames["staff_in_post"], frames["vacancies"], supply)
    assert gap.height == 4 * 6
    # Consultant radiologists only: the trainees and SAS doctors are their own lines.
    radiologists = gap.filter(pl.col("staff_group") == "radiologist")
    staff = frames["staff_in_post"].filter(pl.col("staff_group") == "radiologist")
    consultants = staff.filter(pl.col("grade") == "consultant")["wte"].sum()
    assert radiologists["consultant_wte"].sum() == pytest.approx(consultants)
    assert radiologists["consultant_wte"].sum() < radiologists["in_post_wte"].sum() - 30
    # The nurses of the out-of-hours teams are not planned here.
    planned = frames["staff_in_post"].filter(pl.col("staff_group").is_in(PLANNED_GROUPS))
    assert planned.height < frames["staff_in_post"].height
    assert gap["in_post_wte"].sum() == pytest.approx(planned["wte"].sum())
    assert (gap["required_wte"] > 0).all()
    # Radiologists report part of their work through outsourcing in every trust.
    outsourced = gap.filter(pl.col("staff_group") == "radiologist")["outsourced_share"]
    assert outsourced.is_between(0.01, 0.6).all()


#: Modalities a radiology department staffs, with the room each needs in the requirement.
STAFFED_ROOMS = (
    "ct",
    "mri",
    "plain_xray",
    "ir",
    "ultrasound",
    "fluoroscopy",
    "theatres_mobiles",
    "mammography",
    "nuclear_medicine",
    "dexa",
    "cardiac_cath",
)


def test_every_staffed_modality_is_in_the_reference_requirement(reference_frames):
    frames = reference_frames
    params = CapacityParams.from_config(CONFIG_DIR)
    annual = annual_activity(frames["activity"], dt.date(2026, 4, 1))
    rad = radiography_workload(annual, frames["service_hours"], params, frames["sites"])
    rooms = set(rad.filter(pl.col("required_hours") > 0)["room"].to_list())
    # Ultrasound is scanned by radiographers as a task (the skill mix), not a room.
    tasks = task_workload(annual, params)
    scanned = tasks.filter(
        (pl.col("task") == "ultrasound") & (pl.col("staff_group") == "radiographer")
    )
    assert scanned["required_wte"].sum() > 0
    assert set(STAFFED_ROOMS) - {"ultrasound"} <= rooms
    # The cardiac cath labs are at Blackpool Victoria only.
    cath = rad.filter(pl.col("room") == "cardiac_cath")
    assert cath["site_code"].to_list() == ["RXL01"]
    # Modelled ultrasound work is given to staff groups that hold the competency in the
    # extract; the rest is the sonographers', outside the modelled groups.
    holders = (
        frames["staff_competencies"]
        .filter(pl.col("competency") == "ultrasound")
        .join(frames["staff_in_post"].select("staff_id", "staff_group"), on="staff_id")
    )
    mix = params.skill_mix.filter((pl.col("task") == "ultrasound") & (pl.col("share") > 0))
    assert set(mix["staff_group"]) - {"not_modelled"} <= set(holders["staff_group"])


def test_the_establishment_flag_fires_on_the_reference_data(reference_frames):
    frames = reference_frames
    params = CapacityParams.from_config(CONFIG_DIR)
    annual = annual_activity(frames["activity"], dt.date(2026, 4, 1))
    required = required_wte(annual, frames["service_hours"], frames["sites"], params)
    tolerance = params.value("establishment_tolerance")
    gap = gap_table(
        required,
        frames["staff_in_post"],
        frames["vacancies"],
        SupplyParams.from_config(CONFIG_DIR),
        tolerance=tolerance,
    )
    beyond = gap["establishment_gap_wte"].abs() > tolerance * gap["establishment_service_wte"]
    assert (gap["establishment_flag"] == beyond).all()
    assert gap["establishment_flag"].any()
    assert (gap.filter(pl.col("establishment_flag"))["likely_causes"].str.len_chars() > 0).all()


def test_reference_ultrasound_fits_within_the_holders_at_every_trust(reference_frames):
    frames = reference_frames
    params = CapacityParams.from_config(CONFIG_DIR)
    tasks = task_workload(annual_activity(frames["activity"], dt.date(2026, 4, 1)), params)
    table = competency_coverage(
        tasks,
        frames["staff_in_post"],
        frames["staff_competencies"],
        SupplyParams.from_config(CONFIG_DIR),
    ).filter(pl.col("staff_group") == "radiographer")
    assert table.height == 4
    # The radiographers' scanning is no more than the holders' service WTE anywhere.
    assert (table["holder_gap_wte"] <= 0).all(), table


def test_competency_coverage_counts_only_the_holders():
    tasks = pl.DataFrame(
        {
            "trust_code": ["T1", "T1"],
            "task": ["ultrasound", "ct_reporting"],
            "staff_group": ["radiographer", "radiologist"],
            "required_wte": [3.0, 9.0],
        }
    )
    staff = pl.DataFrame(
        {
            "staff_id": ["A", "B", "C"],
            "trust_code": ["T1"] * 3,
            "staff_group": ["radiographer"] * 3,
            "grade": ["band_6", "band_7", "band_6"],
            "wte": [1.0, 1.0, 1.0],
        }
    )
    holders = pl.DataFrame({"staff_id": ["A", "B", "B"], "competency": ["ultrasound"] * 3})
    table = competency_coverage(tasks, staff, holders, supply_params(grade_lines=grade_lines()))
    row = table.to_dicts()[0]
    assert table.height == 1  # CT reporting is not competency-bound here
    # A (band 6, 0.85) and B (band 7, 0.5) hold it; C does not.
    assert row["holders"] == 2
    assert row["holder_service_wte"] == pytest.approx(1.35)
    assert row["holder_gap_wte"] == pytest.approx(3.0 - 1.35)
