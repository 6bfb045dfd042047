"""Loaders: CSV, Parquet and XLSX read identically; dates are strict; mappings apply."""

import datetime as dt
import shutil
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from lsc_workforce.config import REFERENCE_DATA_DIR, ConfigError
from lsc_workforce.data import (
    DataError,
    _coerce,
    _parse_dates,
    financial_year_expr,
    is_medical_expr,
    load_datasets,
    load_registry,
    load_table,
    write_table,
)

pytestmark = pytest.mark.unit

FORMATS = (".csv", ".parquet", ".xlsx")


@pytest.mark.parametrize(
    "dataset", ["sites", "staff_in_post", "vacancies", "leave", "local_job_titles"]
)
def test_csv_parquet_xlsx_load_identically(tmp_path, reference_frames, dataset):
    frame = reference_frames[dataset].head(400)
    loaded = {}
    for suffix in FORMATS:
        path = write_table(frame, tmp_path / f"{dataset}{suffix}")
        loaded[suffix] = load_table(path, dataset)
    assert_frame_equal(loaded[".csv"], frame)
    assert_frame_equal(loaded[".parquet"], frame)
    assert_frame_equal(loaded[".xlsx"], frame)


def test_schema_is_explicit(reference_frames):
    registry = load_registry()
    for name, frame in reference_frames.items():
        assert frame.schema == pl.Schema(registry[name].schema), name


def test_mixed_formats_folder_equals_csv_folder(tmp_path, reference_frames):
    for path in REFERENCE_DATA_DIR.glob("*.csv"):
        shutil.copy(path, tmp_path / path.name)
    (tmp_path / "sites.csv").unlink()
    write_table(reference_frames["sites"], tmp_path / "sites.parquet")
    (tmp_path / "vacancies.csv").unlink()
    write_table(reference_frames["vacancies"], tmp_path / "vacancies.xlsx")
    mixed = load_datasets(tmp_path)
    assert list(mixed) == list(reference_frames)
    for name, frame in reference_frames.items():
        assert_frame_equal(mixed[name], frame)


def test_names_selects_datasets(reference_frames):
    frames = load_datasets(REFERENCE_DATA_DIR, names=["sites", "leave"])
    assert list(frames) == ["sites", "leave"]
    with pytest.raises(ConfigError, match="unknown dataset"):
        load_datasets(REFERENCE_DATA_DIR, names=["rotas"])


def test_missing_required_dataset_is_named(tmp_path):
    for path in REFERENCE_DATA_DIR.glob("*.csv"):
        if path.stem not in ("leave", "vacancies"):
            shutil.copy(path, tmp_path / path.name)
    with pytest.raises(DataError) as info:
        load_datasets(tmp_path)
    message = str(info.value)
    assert "leave: missing required dataset" in message
    assert "vacancies: missing required dataset" in message
    assert {p["dataset"] for p in info.value.problems} == {"leave", "vacancies"}


def test_optional_dataset_absent_is_fine(reference_frames):
    assert "dm01_activity" not in reference_frames
    assert not load_registry()["dm01_activity"].required


def _write_leave(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "leave.csv"
    path.write_text("staff_id,start_date,end_date,leave_type\n" + "\n".join(lines) + "\n")
    return path


def test_impossible_date_is_a_named_failure(tmp_path):
    path = _write_leave(
        tmp_path,
        [
            "S100001,2026-04-06,2026-04-10,annual",
            "S100001,2026-02-30,2026-03-02,sickness",
            "S100002,2026-05-01,2026-13-01,study",
        ],
    )
    with pytest.raises(DataError) as info:
        load_table(path, "leave")
    problems = {p["column"]: p for p in info.value.problems}
    assert problems["start_date"]["rule"] == "unparseable date"
    assert problems["start_date"]["count"] == 1
    assert problems["start_date"]["sample"] == [(2, "2026-02-30")]
    assert problems["end_date"]["sample"] == [(3, "2026-13-01")]
    message = str(info.value)
    assert "leave.start_date: unparseable date (1 row)" in message
    assert "row 2: '2026-02-30'" in message


def test_day_first_date_is_not_read_without_a_declaration(tmp_path):
    # 03/04/2026 could be 3 April or 4 March: undeclared day-first text must fail, not guess.
    path = _write_leave(tmp_path, ["S100001,03/04/2026,2026-04-10,annual"])
    with pytest.raises(DataError, match=r"leave\.start_date: unparseable date"):
        load_table(path, "leave")


def test_blank_dates_are_null_not_failures(tmp_path):
    path = _write_leave(tmp_path, ["S100001,2026-04-06,,annual"])
    frame = load_table(path, "leave")
    assert frame["end_date"].to_list() == [None]


def test_unparseable_number_and_bool_are_named(tmp_path):
    path = tmp_path / "site_travel_times.csv"
    path.write_text("from_site,to_site,minutes\nA1,B1,20\nB1,A1,twenty\nA1,C1,12.5\n")
    with pytest.raises(DataError) as info:
        load_table(path, "site_travel_times")
    (problem,) = info.value.problems
    assert (problem["column"], problem["rule"], problem["count"]) == (
        "minutes",
        "unparseable int",
        2,
    )
    assert problem["sample"] == [(2, "twenty"), (3, "12.5")]
    sites = tmp_path / "sites.csv"
    sites.write_text(
        "site_code,trust_code,site_name,postcode,has_ed,has_ct,has_mri,has_ir_suite,has_endoscopy\n"
        "A1,AAA,A,X,maybe,1,0,yes,no\n"
    )
    with pytest.raises(DataError, match=r"sites\.has_ed: unparseable bool"):
        load_table(sites, "sites")


def test_bools_accept_common_spellings(tmp_path):
    sites = tmp_path / "sites.csv"
    sites.write_text(
        "site_code,trust_code,site_name,postcode,has_ed,has_ct,has_mri,has_ir_suite,has_endoscopy\n"
        "A1,AAA,A,X,TRUE,1,0,Yes,n\n"
    )
    row = load_table(sites, "sites").row(0, named=True)
    assert (row["has_ed"], row["has_ct"], row["has_mri"], row["has_ir_suite"]) == (
        True, True, False, True,
    )  # fmt: skip
    assert row["has_endoscopy"] is False


@settings(max_examples=60, deadline=None)
@given(st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2060, 12, 31)))
def test_iso_and_declared_uk_dates_round_trip(day):
    iso = pl.Series("d", [day.isoformat()])
    uk = pl.Series("d", [day.strftime("%d/%m/%Y")])
    assert _parse_dates(iso, ("%Y-%m-%d",)).to_list() == [day]
    assert _parse_dates(uk, ("%d/%m/%Y",)).to_list() == [day]
    # Declared day-first still accepts ISO (it is unambiguous) but never month-first.
    assert _parse_dates(iso, ("%d/%m/%Y", "%Y-%m-%d")).to_list() == [day]


def test_esr_extract_loads_through_its_mapping(fixtures_dir):
    frame = load_table(fixtures_dir / "esr" / "esr_staff_extract.csv", "staff_in_post")
    expected = pl.DataFrame(
        {
            "post_id": ["10234567", "10234568", "10234569", "10234570", "10234571", "10234572"],
            "staff_id": ["S100001", "S100002", "S100003", "S100004", "S100005", "S100006"],
            "trust_code": ["RXN", "RXR", "RXL", "RTX", "RXN", "RXR"],
            "base_site": ["RXN02", "RXR20", "RXL01", "RTX02", "RXN02", "RXR10"],
            "local_job_title": [
                "Consultant Radiologist", "Consultant Interventional Radiologist",
                "Diagnostic Radiographer", "Reporting Radiographer", "StR Clinical Radiology",
                "Nurse Endoscopist",
            ],
            "staff_group": [
                "radiologist", "interventional_radiologist", "radiographer",
                "reporting_radiographer", "radiologist", "non_medical_endoscopist",
            ],
            "grade": ["consultant", "consultant", "band_5", "band_8a", "st3", "band_7"],
            "wte": [1.0, 1.1, 0.6, 1.0, 1.0, 0.8],
            "age_band": ["50-54", "45-49", "Under 25", "55-59", "30-34", "40-44"],
            "start_date": [
                dt.date(2015, 9, 1), dt.date(2019, 2, 13), dt.date(2024, 8, 5),
                dt.date(2010, 11, 30), dt.date(2025, 8, 6), dt.date(2020, 4, 1),
            ],
            "ooh_eligible": [True, True, True, False, True, False],
        }
    )  # fmt: skip
    assert_frame_equal(frame, expected)
    assert "Full Name" not in frame.columns  # unmapped (identifying) columns are dropped


def test_esr_extract_is_found_by_its_stem_and_validates(tmp_path, fixtures_dir):
    for path in REFERENCE_DATA_DIR.glob("*.csv"):
        if path.stem != "staff_in_post":
            shutil.copy(path, tmp_path / path.name)
    shutil.copy(fixtures_dir / "esr" / "esr_staff_extract.csv", tmp_path)
    frames = load_datasets(tmp_path, names=["sites", "staff_in_post"])
    assert frames["staff_in_post"].height == 6


def test_esr_impossible_day_first_date_is_named(tmp_path, fixtures_dir):
    text = (fixtures_dir / "esr" / "esr_staff_extract.csv").read_text()
    path = tmp_path / "esr_staff_extract.csv"
    path.write_text(text.replace("13/02/2019", "31/02/2019"))
    with pytest.raises(DataError) as info:
        load_table(path, "staff_in_post")
    (problem,) = info.value.problems
    assert problem["column"] == "start_date"
    assert problem["sample"] == [(2, "31/02/2019")]
    assert "%d/%m/%Y" in problem["detail"]


def test_dm01_csv_loads_through_its_mapping(fixtures_dir):
    frame = load_table(fixtures_dir / "dm01" / "dm01.csv", "dm01_activity").sort(
        "trust_code", "test"
    )
    # Audiology is not modelled (dropped); RXN CT is summed over its two commissioners.
    expected = pl.DataFrame(
        {
            "month": [dt.date(2024, 3, 1)] * 4,
            "trust_code": ["RBT", "RXL", "RXN", "RXN"],
            "test": ["ct", "gastroscopy", "ct", "mri"],
            "waiting_list": [3000, 800, 5200, 4000],
            "waiting_6plus_weeks": [60, 120, 110, 300],
            "planned_activity": [300, 60, 520, 400],
            "unscheduled_activity": [1500, 40, 2550, 300],
            "waiting_list_activity": [2000, 300, 3100, 2500],
            "total_activity": [3800, 400, 6170, 3200],
        }
    )
    assert_frame_equal(frame, expected)


def test_dm01_is_filtered_to_the_region(tmp_path, fixtures_dir):
    shutil.copy(REFERENCE_DATA_DIR / "sites.csv", tmp_path)
    shutil.copy(fixtures_dir / "dm01" / "dm01.csv", tmp_path)
    frames = load_datasets(tmp_path, names=["sites", "dm01_activity"])
    assert sorted(frames["dm01_activity"]["trust_code"].unique()) == ["RXL", "RXN"]


def test_a_mapped_source_with_a_renamed_header_is_named(tmp_path, fixtures_dir):
    text = (fixtures_dir / "esr" / "esr_staff_extract.csv").read_text()
    path = tmp_path / "esr_staff_extract.csv"
    path.write_text(text.replace("Contracted WTE", "FTE", 1))
    with pytest.raises(DataError) as info:
        load_table(path, "staff_in_post")
    (problem,) = info.value.problems
    assert problem["rule"] == "header does not match source mapping esr_staff"
    assert "'Contracted WTE'" in problem["detail"]


def test_financial_year_and_medical_exprs():
    frame = pl.DataFrame(
        {
            "month": [dt.date(2024, 3, 31), dt.date(2024, 4, 1), dt.date(2026, 1, 1)],
            "grade": ["st3", "band_8a", "consultant"],
        }
    )
    out = frame.select(financial_year_expr(), is_medical_expr())
    assert out["financial_year"].to_list() == [2023, 2024, 2025]
    assert out["is_medical"].to_list() == [True, False, True]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=-(10**12), max_value=10**12), min_size=1, max_size=20))
def test_integers_read_the_same_from_text_and_numbers(values):
    as_text = _coerce(pl.Series("n", [str(v) for v in values]), "int", ())
    as_float = _coerce(pl.Series("n", [float(v) for v in values]), "int", ())
    assert as_text.to_list() == values
    assert as_float.to_list() == values


def test_excel_saved_csv_with_byte_order_mark_still_maps(tmp_path, fixtures_dir):
    text = (fixtures_dir / "dm01" / "dm01.csv").read_text()
    path = tmp_path / "dm01.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    assert load_table(path, "dm01_activity").height == 4
