"""Synthetic reference data: deterministic for a seed, committed copy in sync, realistic shape."""

import filecmp

import polars as pl
import pytest

from lsc_workforce.config import REFERENCE_DATA_DIR
from lsc_workforce.synthetic import DATASET_NAMES, generate_reference_frames, write_reference_data

pytestmark = pytest.mark.unit

AGED_50_PLUS = ["50-54", "55-59", "60-64", "65-69", "70 and over"]


def test_same_seed_gives_identical_files(tmp_path):
    first = write_reference_data(tmp_path / "a", seed=7, scale=0.5)
    second = write_reference_data(tmp_path / "b", seed=7, scale=0.5)
    assert [p.name for p in first] == [f"{name}.csv" for name in DATASET_NAMES]
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_different_seed_gives_different_staff(tmp_path):
    write_reference_data(tmp_path / "a", seed=7, scale=0.5)
    write_reference_data(tmp_path / "b", seed=8, scale=0.5)
    assert not filecmp.cmp(
        tmp_path / "a" / "staff_in_post.csv", tmp_path / "b" / "staff_in_post.csv"
    )
    # Sites and travel times are facts, not random draws.
    assert filecmp.cmp(tmp_path / "a" / "sites.csv", tmp_path / "b" / "sites.csv", shallow=False)


def test_committed_reference_data_matches_the_generator(tmp_path):
    written = write_reference_data(tmp_path)
    for path in written:
        committed = REFERENCE_DATA_DIR / path.name
        assert committed.read_bytes() == path.read_bytes(), (
            f"{committed} is stale: run `lsc-workforce make-reference-data`"
        )


def test_committed_reference_data_is_small():
    total = sum(p.stat().st_size for p in REFERENCE_DATA_DIR.glob("*.csv"))
    assert total < 3_000_000


def _heads(staff: pl.DataFrame, group: str, grade: str | None = None) -> int:
    rows = staff.filter(pl.col("staff_group") == group)
    if grade:
        rows = rows.filter(pl.col("grade") == grade)
    return rows["staff_id"].n_unique()


def test_staff_sizes_match_the_region(reference_frames):
    staff = reference_frames["staff_in_post"]
    consultants = _heads(staff, "radiologist", "consultant") + _heads(
        staff, "interventional_radiologist", "consultant"
    )
    assert 100 <= consultants <= 120
    assert 15 <= _heads(staff, "interventional_radiologist", "consultant") <= 25
    elht_irs = staff.filter(
        (pl.col("staff_group") == "interventional_radiologist")
        & (pl.col("grade") == "consultant")
        & (pl.col("trust_code") == "RXR")
    )
    assert elht_irs["staff_id"].n_unique() == 5  # [src:elht-radiology-rota]
    assert _heads(staff, "radiographer") >= 500
    assert 40 <= _heads(staff, "reporting_radiographer") <= 60
    endoscopists = _heads(staff, "medical_endoscopist") + _heads(staff, "non_medical_endoscopist")
    assert 40 <= endoscopists <= 70
    registrars = staff.filter(pl.col("grade").str.starts_with("st"))
    training_sites = registrars.filter(pl.col("trust_code").is_in(["RXN", "RXR", "RTX"]))
    assert training_sites.height / registrars.height > 0.8


def test_age_profile_and_part_time_share(reference_frames):
    staff = reference_frames["staff_in_post"].unique("staff_id")
    consultants = staff.filter(pl.col("grade") == "consultant")
    share_50 = consultants["age_band"].is_in(AGED_50_PLUS).mean()
    assert 0.25 <= share_50 <= 0.45  # 34 % of NW consultants aged 50+ [src:nw-consultant-age]
    radiographers = staff.filter(pl.col("staff_group") == "radiographer")
    assert 0.2 <= (radiographers["wte"] < 1).mean() <= 0.45
    assert consultants["ooh_eligible"].mean() > 0.75


def test_competencies_fit_staff_groups(reference_frames):
    staff = reference_frames["staff_in_post"].unique("staff_id").select("staff_id", "staff_group")
    comps = reference_frames["staff_competencies"].join(staff, on="staff_id")
    by_group = comps.group_by("staff_group").agg(pl.col("competency").unique())
    allowed = {
        "interventional_radiologist": {"vascular_ir", "non_vascular_ir", "ct_reporting"},
        "medical_endoscopist": {"ogd", "colonoscopy", "flexi_sigmoidoscopy", "gi_bleed_therapy"},
        "non_medical_endoscopist": {"ogd", "colonoscopy", "flexi_sigmoidoscopy"},
    }
    seen = {g: set(c) for g, c in by_group.rows()}
    assert seen["medical_endoscopist"] == allowed["medical_endoscopist"]
    assert seen["non_medical_endoscopist"] == allowed["non_medical_endoscopist"]
    assert not {"vascular_ir", "non_vascular_ir"} & seen["radiologist"]
    assert not {"ogd", "colonoscopy"} & seen["radiographer"]
    irs = staff.filter(pl.col("staff_group") == "interventional_radiologist")["staff_id"]
    ir_comps = comps.filter(pl.col("staff_id").is_in(irs.implode()))
    with_ir = ir_comps.filter(pl.col("competency").is_in(["vascular_ir", "non_vascular_ir"]))
    assert with_ir["staff_id"].n_unique() == irs.n_unique()  # every IR has an IR competency


def test_vacancy_rates(reference_frames):
    rates = (
        reference_frames["vacancies"]
        .group_by("staff_group")
        .agg((pl.col("vacant_wte").sum() / pl.col("establishment_wte").sum()).alias("rate"))
    )
    rate = dict(rates.rows())
    assert 0.07 <= rate["radiographer"] <= 0.14  # ~10 % [src:radiographer-vacancy]
    assert rate["radiologist"] > rate["radiographer"]
    assert rate["interventional_radiologist"] > rate["radiographer"]


def test_activity_history_growth_and_unmapped_titles(reference_frames):
    activity = reference_frames["activity"]
    assert activity["month"].n_unique() == 48
    assert activity["month"].min().isoformat() == "2022-04-01"
    assert activity["month"].max().isoformat() == "2026-03-01"
    yearly = (
        activity.filter(pl.col("modality") == "mri")
        .group_by(pl.col("month").dt.year().alias("year"))
        .agg(pl.col("examinations").sum())
        .sort("year")
    )
    by_year = dict(yearly.rows())
    growth = (by_year[2025] / by_year[2023]) ** 0.5 - 1
    assert 0.05 <= growth <= 0.10  # CT/MRI ~+6-8 %/yr
    titles = reference_frames["local_job_titles"]
    assert titles["staff_group"].null_count() >= 4
    assert titles["trust_code"].n_unique() == 4


def test_leave_is_within_the_planning_year_and_annual_leave_is_pro_rata(reference_frames):
    leave = reference_frames["leave"]
    assert leave["start_date"].min().isoformat() >= "2026-04-01"
    assert leave["end_date"].max().isoformat() <= "2027-03-31"
    assert (leave["end_date"] >= leave["start_date"]).all()
    assert set(leave["leave_type"].unique()) == {"annual", "study", "sickness", "other"}


@pytest.mark.parametrize("scale", [0.5, 2.0])
def test_scale_changes_the_size_of_the_region(scale):
    frames = generate_reference_frames(scale=scale)
    base = generate_reference_frames()
    copies = max(1, round(scale))
    assert frames["sites"].height == copies * base["sites"].height
    ratio = frames["staff_in_post"].height / base["staff_in_post"].height
    assert ratio == pytest.approx(scale, rel=0.15)
    if copies > 1:
        synthetic = frames["sites"].filter(pl.col("code_status") == "synthetic")
        assert synthetic.height == (copies - 1) * base["sites"].height + 1
        assert frames["site_travel_times"].height == frames["sites"].height * (
            frames["sites"].height - 1
        )


def test_scale_must_be_positive():
    with pytest.raises(ValueError, match="scale must be positive"):
        generate_reference_frames(scale=0)


def test_annual_leave_is_six_weeks_pro_rata(reference_frames):
    wte = (
        reference_frames["staff_in_post"]
        .group_by("staff_id")
        .agg(pl.col("wte").sum().clip(upper_bound=1.0))
    )
    annual = (
        reference_frames["leave"]
        .filter(pl.col("leave_type") == "annual")
        .with_columns(
            days=pl.business_day_count(pl.col("start_date"), pl.col("end_date").dt.offset_by("1d"))
        )
        .group_by("staff_id")
        .agg(pl.col("days").sum())
        .join(wte, on="staff_id")
    )
    # 30 working days (6 weeks) for a full-timer, pro rata, rounded to whole days.
    expected = (annual["wte"] * 30).round(0).cast(pl.Int64)
    assert (annual["days"] == expected).mean() > 0.98
    full_time = annual.filter(pl.col("wte") == 1.0)
    assert full_time["days"].median() == 30
