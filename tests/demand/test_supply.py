from dataclasses import replace

import numpy as np
import polars as pl
import pytest
from demand_helpers import grade_lines, programmes, stock, supply_params
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lsc_workforce.config import CONFIG_DIR, ConfigError
from lsc_workforce.data import PLANNED_GROUPS
from lsc_workforce.demand.supply import (
    FLOWS,
    MAX_AGE,
    MIN_AGE,
    SupplyParams,
    project_supply,
    retirement_hazard,
    stock_by_age,
    summarise_supply,
)

pytestmark = pytest.mark.unit


def _row(frame: pl.DataFrame, year: int, grade: str, trust: str = "T1") -> dict:
    rows = frame.filter(
        (pl.col("year") == year) & (pl.col("grade") == grade) & (pl.col("trust_code") == trust)
    ).to_dicts()
    assert len(rows) == 1
    return rows[0]


def test_leavers_and_joiners_hand_computed():
    # 10 people (8 WTE) aged 40; 10% leave a year; joiners are 5% of the opening headcount
    # at 0.5 WTE each; nobody is near retirement.
    params = supply_params(leaver_rate=0.1, joiner_rate=0.05)
    out = project_supply(stock([("T1", "radiographer", "band_5", 40, 10, 8)]), params, [2026, 2027])
    first, second = _row(out, 2026, "band_5"), _row(out, 2027, "band_5")
    assert first["fy_label"] == "2026/27"
    assert first["leavers_headcount"] == pytest.approx(1.0)
    assert first["leavers_wte"] == pytest.approx(0.8)
    assert first["joiners_headcount"] == pytest.approx(0.5)
    assert first["joiners_wte"] == pytest.approx(0.25)
    assert first["retirements_headcount"] == pytest.approx(0.0, abs=1e-12)
    assert first["closing_headcount"] == pytest.approx(9.5)
    assert first["closing_wte"] == pytest.approx(7.45)
    assert second["opening_headcount"] == pytest.approx(9.5)
    assert second["closing_headcount"] == pytest.approx(9.5 - 0.95 + 0.475)
    assert second["closing_wte"] == pytest.approx(7.45 - 0.745 + 0.2375)


def test_retirement_hazard_matches_the_logistic_survival():
    mean, sd = 61.0, 3.0
    hazard = retirement_hazard(np.array(mean), np.array(sd))
    assert hazard.shape == (MAX_AGE - MIN_AGE,)
    assert hazard[-1] == 1.0
    assert np.all((hazard >= 0) & (hazard <= 1))
    scale = sd * np.sqrt(3) / np.pi

    def survival(age):
        return 1 / (1 + np.exp((age - mean) / scale))

    # Still in post at 65, having been in post at 18: product of (1 - hazard) over 18..64.
    kept = np.prod(1 - hazard[: 65 - MIN_AGE])
    assert kept == pytest.approx(survival(65) / survival(MIN_AGE), rel=1e-9)


def test_everybody_in_post_at_the_last_age_retires():
    params = supply_params(leaver_rate=0.0)
    out = project_supply(stock([("T1", "radiographer", "band_5", 74, 3, 2)]), params, [2026])
    row = _row(out, 2026, "band_5")
    assert row["retirements_headcount"] == pytest.approx(3.0)
    assert row["closing_headcount"] == pytest.approx(0.0)


def test_progression_moves_a_share_of_the_remaining_stock():
    progression = pl.DataFrame(
        {
            "from_staff_group": ["radiographer"],
            "from_grade": ["band_5"],
            "to_staff_group": ["radiographer"],
            "to_grade": ["band_6"],
            "rate": [0.5],
        }
    )
    params = supply_params(progression, leaver_rate=0.2)
    out = project_supply(stock([("T1", "radiographer", "band_5", 30, 10, 8)]), params, [2026])
    band5, band6 = _row(out, 2026, "band_5"), _row(out, 2026, "band_6")
    # 10 - 2 leavers = 8 remain; half of them (4 people, 3.2 WTE) move to band 6.
    assert band5["progression_out_headcount"] == pytest.approx(4.0)
    assert band6["progression_in_headcount"] == pytest.approx(4.0)
    assert band6["progression_in_wte"] == pytest.approx(3.2)
    assert band5["closing_headcount"] == pytest.approx(4.0)
    assert band6["closing_wte"] == pytest.approx(3.2)


def test_completions_by_programme_and_conversions_limited_by_the_source():
    params = supply_params(leaver_rate=0.0)
    people = stock([("T1", "radiographer", "band_6", 30, 2, 2)])
    completions = pl.DataFrame(
        {
            "year": [2026, 2026, 2040],
            "trust_code": ["T1", "T1", "T1"],
            "programme": ["bsc", "conversion", "bsc"],
            "headcount": [4.0, 3.0, 9.0],
        }
    )
    out = project_supply(people, params, [2026], completions)
    band5, band6, band7 = (_row(out, 2026, g) for g in ("band_5", "band_6", "band_7"))
    assert band5["completions_headcount"] == pytest.approx(4.0)  # the 2040 row is ignored
    assert band5["completions_wte"] == pytest.approx(4.0)
    # Three conversions were planned but only two band 6 radiographers exist.
    assert band6["progression_out_headcount"] == pytest.approx(2.0)
    assert band7["completions_headcount"] == pytest.approx(2.0)
    assert band7["completions_wte"] == pytest.approx(1.6)
    assert band6["closing_headcount"] == pytest.approx(0.0)


def test_a_conversion_removes_the_baseline_age_and_wte_mix_per_head():
    # band 6: 6 heads (6 WTE) aged 30 and 4 heads (2 WTE) aged 50, nobody leaves or retires
    params = supply_params(leaver_rate=0.0)
    people = stock(
        [("T1", "radiographer", "band_6", 30, 6, 6), ("T1", "radiographer", "band_6", 50, 4, 2)]
    )
    completions = pl.DataFrame(
        {"year": [2026], "trust_code": ["T1"], "programme": ["conversion"], "headcount": [2.0]}
    )
    out = project_supply(people, params, [2026], completions)
    band6 = _row(out, 2026, "band_6")
    # each converted head takes 0.6 heads at 31 and 0.4 at 51: 0.6 * 1 + 0.4 * 0.5 = 0.8 WTE
    assert band6["progression_out_headcount"] == pytest.approx(2.0)
    assert band6["progression_out_wte"] == pytest.approx(1.6)
    assert band6["closing_wte"] == pytest.approx(6.4)
    assert _row(out, 2026, "band_7")["completions_wte"] == pytest.approx(1.6)


def test_conversions_add_up_linearly_with_other_completions():
    # Graduates progress into band 6 and change its age and WTE mix; conversions still remove
    # the baseline's mix, so the projection is linear: f(a + b) - f(0) = (f(a) - f(0)) +
    # (f(b) - f(0)), which the training pipeline's model relies on.
    progression = pl.DataFrame(
        {
            "from_staff_group": ["radiographer"],
            "from_grade": ["band_5"],
            "to_staff_group": ["radiographer"],
            "to_grade": ["band_6"],
            "rate": [0.5],
        }
    )
    params = supply_params(progression, leaver_rate=0.05, joiner_rate=0.1)
    people = stock(
        [
            ("T1", "radiographer", "band_5", 24, 5, 5),
            ("T1", "radiographer", "band_6", 30, 6, 6),
            ("T1", "radiographer", "band_6", 50, 4, 2),
        ]
    )

    def closing(rows: list[tuple[int, str, float]]) -> np.ndarray:
        completions = pl.DataFrame(
            rows,
            schema={"year": pl.Int64, "programme": pl.String, "headcount": pl.Float64},
            orient="row",
        ).with_columns(trust_code=pl.lit("T1"))
        out = project_supply(people, params, range(2026, 2030), completions)
        grid = pl.DataFrame({"grade": ["band_5", "band_6", "band_7"]}).join(
            pl.DataFrame({"year": list(range(2026, 2030))}), how="cross"
        )
        joined = grid.join(out, on=["grade", "year"], how="left").sort("year", "grade")
        return joined["closing_wte"].fill_null(0.0).to_numpy()

    graduates = [(2026, "bsc", 8.0)]
    converts = [(2027, "conversion", 1.5), (2028, "conversion", 1.0)]
    base = closing([])
    both = closing(graduates + converts) - base
    apart = (closing(graduates) - base) + (closing(converts) - base)
    assert np.abs(both - apart).max() < 1e-12
    assert np.abs(closing(converts) - base).max() > 0.5


def test_unknown_programme_and_bad_years_raise():
    params = supply_params()
    people = stock([("T1", "radiographer", "band_5", 30, 1, 1)])
    bad = pl.DataFrame(
        {"year": [2026], "trust_code": ["T1"], "programme": ["x"], "headcount": [1.0]}
    )
    with pytest.raises(ConfigError, match="unknown programme"):
        project_supply(people, params, [2026], bad)
    with pytest.raises(ConfigError, match="consecutive"):
        project_supply(people, params, [2026, 2028])


def test_params_reject_rates_out_of_range():
    with pytest.raises(ConfigError, match="leaver_rate"):
        supply_params(leaver_rate=1.5)
    progression = pl.DataFrame(
        {
            "from_staff_group": ["radiographer", "radiographer"],
            "from_grade": ["band_5", "band_5"],
            "to_staff_group": ["radiographer", "radiographer"],
            "to_grade": ["band_6", "band_7"],
            "rate": [0.7, 0.6],
        }
    )
    with pytest.raises(ConfigError, match="sum of rates"):
        supply_params(progression)


def test_stock_by_age_spreads_bands_evenly():
    staff = pl.DataFrame(
        {
            "trust_code": ["T1", "T1"],
            "staff_group": ["radiographer"] * 2,
            "grade": ["band_5"] * 2,
            "age_band": ["25-29", "70 and over"],
            "wte": [1.0, 0.5],
        }
    )
    spread = stock_by_age(staff)
    assert spread.height == 10
    assert spread.filter(pl.col("age") == 27)["headcount"].item() == pytest.approx(0.2)
    assert spread.filter(pl.col("age") == 74)["wte"].item() == pytest.approx(0.1)
    assert spread["headcount"].sum() == pytest.approx(2.0)
    with pytest.raises(ConfigError, match="age_band"):
        stock_by_age(staff.with_columns(pl.lit("old").alias("age_band")))


def _identity_residual(out: pl.DataFrame, measure: str) -> pl.Series:
    c = {f: pl.col(f"{f}_{measure}") for f in FLOWS}
    return out.select(
        c["closing"]
        - (
            c["opening"]
            + c["joiners"]
            + c["intakes"]
            + c["completions"]
            + c["progression_in"]
            - c["progression_out"]
            - c["leavers"]
            - c["retirements"]
        )
    ).to_series()


grades = ("band_5", "band_6", "band_7")


@st.composite
def scenarios(draw):
    n_rows = draw(st.integers(1, 6))
    rows = [
        (
            draw(st.sampled_from(["T1", "T2"])),
            "radiographer",
            draw(st.sampled_from(grades)),
            draw(st.integers(MIN_AGE, MAX_AGE - 1)),
            draw(st.floats(0, 50)),
            0.0,
        )
        for _ in range(n_rows)
    ]
    rows = [(t, g, gr, a, h, h * draw(st.floats(0.1, 1.2))) for t, g, gr, a, h, _ in rows]
    rate = st.floats(0, 0.5)
    progression = pl.DataFrame(
        {
            "from_staff_group": ["radiographer", "radiographer"],
            "from_grade": ["band_5", "band_6"],
            "to_staff_group": ["radiographer", "radiographer"],
            "to_grade": ["band_6", "band_7"],
            "rate": [draw(rate), draw(rate)],
        }
    )
    params = supply_params(
        progression,
        leaver_rate=draw(rate),
        joiner_rate=draw(rate),
        retirement_age_mean=draw(st.floats(55, 70)),
        retirement_age_sd=draw(st.floats(0.5, 6)),
    )
    if draw(st.booleans()):  # band 5 as a trainee grade with a status-quo intake
        lines = grade_lines().with_columns(
            pl.when(pl.col("grade") == "band_5")
            .then(pl.lit("trainee"))
            .otherwise(pl.col("supply_line"))
            .alias("supply_line")
        )
        intakes = pl.DataFrame(
            [
                {
                    "staff_group": "radiographer",
                    "entry_grade": "band_5",
                    "entry_age": draw(st.integers(MIN_AGE, 60)),
                    "wte_per_head": draw(st.floats(0.1, 1.0)),
                    "training_years": draw(st.integers(1, 5)),
                }
            ]
        )
        params = replace(params, grade_lines=lines, intakes=intakes)
    completions = pl.DataFrame(
        {
            "year": [draw(st.integers(2026, 2029)) for _ in range(3)],
            "trust_code": [draw(st.sampled_from(["T1", "T2"])) for _ in range(3)],
            "programme": [draw(st.sampled_from(["bsc", "conversion"])) for _ in range(3)],
            "headcount": [draw(st.floats(0, 20)) for _ in range(3)],
        }
    )
    return stock(rows), params, completions


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_stock_flow_conserves_people_and_wte(case):
    people, params, completions = case
    out = project_supply(people, params, range(2026, 2030), completions)
    for measure in ("headcount", "wte"):
        scale = max(1.0, float(out[f"opening_{measure}"].abs().max()))
        assert _identity_residual(out, measure).abs().max() <= 1e-9 * scale
        flows = out.select(pl.col(f"^.*_{measure}$"))
        assert flows.min_horizontal().min() >= -1e-9 * scale
    # The closing stock of a year opens the next one, cell by cell.
    keys = ["trust_code", "staff_group", "grade"]
    chained = out.filter(pl.col("year") < 2029).join(
        out.with_columns(pl.col("year") - 1), on=[*keys, "year"], suffix="_next"
    )
    assert (chained["closing_wte"] - chained["opening_wte_next"]).abs().max() <= 1e-9 * max(
        1.0, float(out["opening_wte"].max())
    )
    # Totals: people only enter by joining or completing and leave by leaving or retiring,
    # except conversions, which move people between cells of the same trust.
    totals = summarise_supply(out, by=()).sort("year")
    change = totals["closing_headcount"] - totals["opening_headcount"]
    net = (
        totals["joiners_headcount"]
        + totals["intakes_headcount"]
        + totals["completions_headcount"]
        + totals["progression_in_headcount"]
        - totals["progression_out_headcount"]
        - totals["leavers_headcount"]
        - totals["retirements_headcount"]
    )
    assert (change - net).abs().max() <= 1e-9 * max(1.0, float(totals["opening_headcount"].max()))


def test_reference_projection_conserves_and_trainees_keep_flowing(reference_frames):
    params = SupplyParams.from_config(CONFIG_DIR)
    staff = reference_frames["staff_in_post"]
    out = project_supply(staff, params, range(2026, 2036))
    # The nurses of the out-of-hours teams are not planned: the stock starts without them.
    staff = staff.filter(pl.col("staff_group").is_in(PLANNED_GROUPS))
    assert out["year"].n_unique() == 10
    first = summarise_supply(out, by=()).filter(pl.col("year") == 2026)
    assert first["opening_wte"].item() == pytest.approx(staff["wte"].sum())
    assert first["opening_headcount"].item() == pytest.approx(staff.height)
    for measure in ("headcount", "wte"):
        assert _identity_residual(out, measure).abs().max() < 1e-9
    # Status-quo intakes refill ST1 every year (7 ST1-ST5 heads a trust-year / 5 years ...),
    # so the trainee grades never empty.
    trainees = out.filter(
        (pl.col("staff_group") == "radiologist") & pl.col("grade").str.starts_with("st")
    )
    by_grade = trainees.group_by("year", "grade").agg(pl.col("closing_headcount").sum())
    assert by_grade["closing_headcount"].min() > 5
    intake = trainees.filter(pl.col("grade") == "st1")["intakes_headcount"]
    radiology_trainees = staff.filter(
        (pl.col("staff_group") == "radiologist") & pl.col("grade").str.starts_with("st")
    ).height
    assert intake.sum() == pytest.approx(10 * radiology_trainees / 5)


def test_status_quo_consultant_growth_is_within_the_published_range(reference_frames):
    # RCR census: the consultant radiologist workforce grew 3-6 % a year ([src:rcr-census]).
    params = SupplyParams.from_config(CONFIG_DIR)
    out = project_supply(reference_frames["staff_in_post"], params, range(2026, 2036))
    consultants = (
        out.filter(pl.col("grade") == "consultant")
        .group_by("year", "staff_group")
        .agg(pl.col("closing_wte").sum())
        .sort("year")
    )
    radiologists = consultants.filter(pl.col("staff_group") == "radiologist")["closing_wte"]
    growth = (radiologists / radiologists.shift(1) - 1).drop_nulls()
    assert growth.is_between(0.03, 0.06).all()
    for group in ("interventional_radiologist", "medical_endoscopist"):
        wte = consultants.filter(pl.col("staff_group") == group)["closing_wte"]
        average = (wte[-1] / wte[0]) ** (1 / (len(wte) - 1)) - 1
        assert 0.03 <= average <= 0.06


def test_intakes_enter_the_entry_grade_and_progress_like_trainees_in_post():
    # T1 has 10 ST1 and 10 ST2 radiologists aged 30 (1 WTE each); training lasts 2 years, so
    # the status-quo intake is 20 / 2 = 10 a year at 0.5 WTE. ST1 -> ST2 -> consultant at
    # rate 1, no leavers: the new ST1s of 2026 are ST2s in 2027 and consultants in 2028.
    flows = pl.DataFrame(
        [
            {
                "staff_group": "radiologist",
                "leaver_rate": 0.0,
                "retirement_age_mean": 85.0,
                "retirement_age_sd": 0.1,
                "joiner_rate": 0.0,
                "joiner_grade": "consultant",
                "joiner_age": 35,
                "wte_per_head": 1.0,
            }
        ]
    )
    progression = pl.DataFrame(
        {
            "from_staff_group": ["radiologist"] * 2,
            "from_grade": ["st1", "st2"],
            "to_staff_group": ["radiologist"] * 2,
            "to_grade": ["st2", "consultant"],
            "rate": [1.0, 1.0],
        }
    )
    intakes = pl.DataFrame(
        [
            {
                "staff_group": "radiologist",
                "entry_grade": "st1",
                "entry_age": 27,
                "wte_per_head": 0.5,
                "training_years": 2,
            }
        ]
    )
    params = SupplyParams(
        flows=flows,
        progression=progression,
        programmes=programmes(),
        grade_lines=grade_lines(),
        intakes=intakes,
    )
    people = stock(
        [("T1", "radiologist", "st1", 30, 10, 10), ("T1", "radiologist", "st2", 30, 10, 10)]
    )
    out = project_supply(people, params, [2026, 2027, 2028])
    st1, st2 = _row(out, 2026, "st1"), _row(out, 2026, "st2")
    assert st1["intakes_headcount"] == pytest.approx(10.0)
    assert st1["intakes_wte"] == pytest.approx(5.0)
    assert st1["closing_headcount"] == pytest.approx(10.0)  # in-post ST1s moved on, intake in
    assert st2["closing_wte"] == pytest.approx(10.0)  # the ST1s in post
    assert _row(out, 2026, "consultant")["closing_wte"] == pytest.approx(10.0)
    assert _row(out, 2027, "st2")["closing_wte"] == pytest.approx(5.0)  # 2026's intake
    assert _row(out, 2028, "consultant")["closing_wte"] == pytest.approx(25.0)  # 10 + 10 + 5
    for measure in ("headcount", "wte"):
        assert _identity_residual(out, measure).abs().max() < 1e-9


def test_shipped_programmes_match_the_test_schema():
    shipped = SupplyParams.from_config(CONFIG_DIR)
    assert set(programmes().columns) <= set(shipped.programmes.columns)
    assert "clinical_radiology" in shipped.programmes["programme"].to_list()
