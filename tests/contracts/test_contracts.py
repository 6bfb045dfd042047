"""Data contracts pass on the reference data, and every rule fails on its broken fixture.

Each broken fixture is the reference data with one deliberate fault; the test asserts the
readable message names the dataset, column, rule, count and an offending row.
"""

import datetime as dt
import json
import shutil

import polars as pl
import pytest

from lsc_workforce import contracts
from lsc_workforce.config import REFERENCE_DATA_DIR, ConfigError
from lsc_workforce.contracts import (
    CROSS_CHECKS,
    ContractViolation,
    load_validated,
    validate_datasets,
    validate_frame,
)
from lsc_workforce.data import DataError
from lsc_workforce.synthetic import generate_reference_frames

pytestmark = pytest.mark.contracts


def _set(frame: pl.DataFrame, row: int, column: str, value) -> pl.DataFrame:
    """Return ``frame`` with one cell replaced (keeps the column's dtype)."""
    values = frame[column].to_list()
    values[row] = value
    return frame.with_columns(pl.Series(column, values, dtype=frame.schema[column]))


@pytest.mark.slow
def test_reference_data_passes_every_contract(reference_frames, tmp_path):
    report = validate_datasets(reference_frames, out_dir=tmp_path)
    assert report.success, report.summary()
    assert set(report.checked) == set(reference_frames)
    assert len(report.cross_checks) == len(CROSS_CHECKS)
    assert all(report.cross_checks.values())
    assert "all data contracts passed" in report.summary()
    summary = json.loads((tmp_path / "validation" / "summary.json").read_text())
    assert summary["success"] is True
    staff = json.loads((tmp_path / "validation" / "staff_in_post.json").read_text())
    assert staff["success"] is True
    assert staff["statistics"]["evaluated_expectations"] > 30


# (dataset, breaker, column, rule, count) — one per suite rule family.
SUITE_CASES = {
    "required column": (
        "staff_in_post", lambda f: f.drop("grade"), "grade", "expect_column_to_exist", 1,
    ),
    "column type": (
        "sites", lambda f: f.with_columns(pl.col("has_ed").cast(pl.String)), "has_ed",
        "expect_column_values_to_be_in_type_list", 8,  # text in a bool column: all 8 rows
    ),
    "not-null key": (
        "staff_in_post", lambda f: _set(f, 2, "post_id", None), "post_id",
        "expect_column_values_to_not_be_null", 1,
    ),
    "unique id": (
        "staff_in_post", lambda f: _set(f, 3, "post_id", f["post_id"][0]), "post_id",
        "expect_column_values_to_be_unique", 2,
    ),
    "unique compound key": (
        "staff_competencies", lambda f: pl.concat([f, f.head(1)]), "staff_id, competency",
        "expect_compound_columns_to_be_unique", 2,
    ),
    "staff group value set": (
        "staff_in_post", lambda f: _set(f, 4, "staff_group", "sonographer"), "staff_group",
        "expect_column_values_to_be_in_set", 1,
    ),
    "grade value set": (
        "vacancies", lambda f: _set(f, 0, "grade", "band_9"), "grade",
        "expect_column_values_to_be_in_set", 1,
    ),
    "competency value set": (
        "staff_competencies", lambda f: _set(f, 1, "competency", "brain_surgery"), "competency",
        "expect_column_values_to_be_in_set", 1,
    ),
    "age band value set": (
        "staff_in_post", lambda f: _set(f, 5, "age_band", "50 to 54"), "age_band",
        "expect_column_values_to_be_in_set", 1,
    ),
    "wte range": (
        "staff_in_post", lambda f: _set(_set(f, 1, "wte", 0.0), 2, "wte", 1.6), "wte",
        "expect_column_values_to_be_between", 2,
    ),
    "date range": (
        "staff_in_post", lambda f: _set(f, 6, "start_date", dt.date(1901, 1, 1)), "start_date",
        "expect_column_values_to_be_between", 1,
    ),
    "end before start": (
        "leave", lambda f: _set(f, 7, "end_date", f["start_date"][7] - dt.timedelta(days=1)),
        "end_date, start_date", "expect_column_pair_values_a_to_be_greater_than_b", 1,
    ),
    "outsourced above examinations": (
        "activity", lambda f: _set(f, 8, "outsourced_reports", f["examinations"][8] + 1),
        "examinations, outsourced_reports", "expect_column_pair_values_a_to_be_greater_than_b", 1,
    ),
    "negative count": (
        "activity", lambda f: _set(f, 9, "outsourced_reports", -3), "outsourced_reports",
        "expect_column_values_to_be_between", 1,
    ),
    "id pattern": (
        "leave", lambda f: _set(f, 0, "staff_id", "X12"), "staff_id",
        "expect_column_values_to_match_regex", 1,
    ),
    "time pattern": (
        "service_hours", lambda f: _set(f, 0, "open_time", "8am"), "open_time",
        "expect_column_values_to_match_regex", 1,
    ),
    "too little history": (
        "activity", lambda f: f.filter(pl.col("month") >= dt.date(2024, 4, 1)), "month",
        "expect_column_unique_value_count_to_be_between", 1,
    ),
    "vacancy arithmetic": (
        "vacancies", lambda f: _set(f, 2, "vacant_wte", f["vacant_wte"][2] + 1.0), "vacant_wte",
        "vacant equals establishment minus in post", 1,
    ),
    "month not first of month": (
        "activity", lambda f: _set(f, 10, "month", dt.date(2023, 5, 17)), "month",
        "month is the first of the month", 1,
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", SUITE_CASES, ids=list(SUITE_CASES))
def test_each_suite_rule_fails_on_its_broken_fixture(reference_frames, case):
    dataset, breaker, column, rule, count = SUITE_CASES[case]
    broken = breaker(reference_frames[dataset])
    report = validate_frame(broken, dataset)
    assert not report.success
    matching = [f for f in report.failures if f.rule == rule and f.column == column]
    assert len(matching) == 1, report.summary()
    failure = matching[0]
    assert failure.count == count
    message = failure.message()
    assert message.startswith(f"{dataset}.{column}: {rule} failed for {count} row")
    if count and rule not in (
        "expect_column_to_exist",
        "expect_column_values_to_be_in_type_list",
        "expect_column_unique_value_count_to_be_between",
    ):
        assert failure.sample, "row-level rules show offending rows"
        assert "row=" in message
    # Only the broken rule fails (the breakers are surgical).
    others = [f for f in report.failures if f is not failure]
    assert all(f.rule == rule for f in others) or case in ("required column", "column type")


def test_sample_rows_show_the_offending_values(reference_frames):
    broken = _set(reference_frames["staff_in_post"], 4, "grade", "band_9")
    (failure,) = validate_frame(broken, "staff_in_post").failures
    assert failure.sample[0]["row"] == 5
    assert failure.sample[0]["grade"] == "band_9"
    assert failure.sample[0]["post_id"] == reference_frames["staff_in_post"]["post_id"][4]
    assert "grade=band_9" in failure.message()


def _cross(name, frames):
    return CROSS_CHECKS[name](frames)


CROSS_CASES = {
    "unknown trust": (
        "codes exist in sites", "vacancies", lambda f: _set(f, 0, "trust_code", "RZZ"),
        "vacancies.trust_code: trust code exists in sites", 1,
    ),
    "unknown site": (
        "codes exist in sites", "activity", lambda f: _set(f, 0, "site_code", "RXN99"),
        "activity.site_code: site code exists in sites", 1,
    ),
    "site of another trust": (
        "site belongs to trust", "staff_in_post",
        lambda f: _set(f, 0, "base_site", "RXL01"),
        "staff_in_post.trust_code, base_site: site belongs to trust", 1,
    ),
    "leave for unknown staff": (
        "staff ids exist in staff_in_post", "leave", lambda f: _set(f, 0, "staff_id", "S000000"),
        "leave.staff_id: staff id exists in staff_in_post", 1,
    ),
    "competency for unknown staff": (
        "staff ids exist in staff_in_post", "staff_competencies",
        lambda f: _set(_set(f, 0, "staff_id", "S000000"), 1, "staff_id", "S000001"),
        "staff_competencies.staff_id: staff id exists in staff_in_post", 2,
    ),
    "medical grade on AfC group": (
        "grade matches staff group", "staff_in_post",
        lambda f: f.with_columns(
            pl.when(pl.col("post_id") == f["post_id"][0]).then(pl.lit("band_6"))
            .otherwise(pl.col("grade")).alias("grade")
        ),
        "staff_in_post.staff_group, grade: grade matches staff group", 1,
    ),
    "vacancies disagree with staff": (
        "vacancies match staff_in_post", "vacancies",
        lambda f: _set(f, 0, "in_post_wte", f["in_post_wte"][0] + 0.5),
        "vacancies.in_post_wte: in post equals staff_in_post", 1,
    ),
    "missing travel pair": (
        "travel times complete and symmetric", "site_travel_times", lambda f: f.slice(1),
        "site_travel_times.from_site, to_site: every pair of sites present", 1,
    ),
    "asymmetric travel": (
        "travel times complete and symmetric", "site_travel_times",
        lambda f: _set(f, 0, "minutes", 999),
        "site_travel_times.minutes: symmetric travel times", 2,
    ),
    "MRI where there is no scanner": (
        "activity only where the site has the kit", "activity",
        lambda f: pl.concat([f, f.filter(pl.col("site_code") == "RTXWG").head(1).with_columns(
            modality=pl.lit("mri"), month=pl.lit(dt.date(2021, 1, 1)))]),
        "activity.site_code, modality: site has the facility", 1,
    ),
    "job title not listed": (
        "job titles listed in local_job_titles", "staff_in_post",
        lambda f: _set(f, 0, "local_job_title", "Radiology Wizard"),
        "staff_in_post.trust_code, local_job_title: job title listed", 1,
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", CROSS_CASES, ids=list(CROSS_CASES))
def test_each_cross_check_fails_on_its_broken_fixture(frames, case):
    check, dataset, breaker, prefix, count = CROSS_CASES[case]
    assert not _cross(check, frames), "reference data passes the check"
    frames[dataset] = breaker(frames[dataset])
    failures = _cross(check, frames)
    assert [f.message().split(" failed")[0] for f in failures] == [prefix]
    assert failures[0].count == count
    assert failures[0].sample


@pytest.mark.slow
def test_codes_come_from_sites_so_a_larger_region_validates():
    frames = generate_reference_frames(scale=2)
    report = validate_datasets(frames)
    assert report.success, report.summary()
    assert frames["sites"]["trust_code"].n_unique() == 8


def test_cross_failure_through_validate_datasets_writes_readable_outputs(frames, tmp_path):
    frames["leave"] = _set(frames["leave"], 3, "staff_id", "S000000")
    frames["vacancies"] = _set(frames["vacancies"], 1, "grade", "band_9")
    report = validate_datasets(frames, out_dir=tmp_path)
    assert not report.success
    summary = report.summary()
    assert "leave.staff_id: staff id exists in staff_in_post failed for 1 row" in summary
    assert "vacancies.grade: expect_column_values_to_be_in_set failed for 1 row" in summary
    assert "Traceback" not in summary
    assert report.cross_checks["staff ids exist in staff_in_post"] is False
    page = (tmp_path / "data_quality.html").read_text()
    assert "staff id exists in staff_in_post" in page
    for remote in ("http://", "https://", "<script", "<link", "src="):
        assert remote not in page
    saved = json.loads((tmp_path / "validation" / "summary.json").read_text())
    assert saved["success"] is False
    assert {"staff id exists in staff_in_post", "expect_column_values_to_be_in_set"} <= {
        f["rule"] for f in saved["failures"]
    }


def test_missing_required_dataset_is_a_named_failure(frames):
    report = validate_datasets({"sites": frames["sites"]})
    missing = {f.dataset for f in report.failures if f.rule == "missing required dataset"}
    assert missing == set(frames) - {"sites"}
    assert "leave: missing required dataset failed for 1 row" in report.summary()
    assert "dm01_activity" not in missing  # optional


def test_load_validated_raises_with_the_report(tmp_path):
    for path in REFERENCE_DATA_DIR.glob("*.csv"):
        shutil.copy(path, tmp_path / path.name)
    text = (tmp_path / "vacancies.csv").read_text().splitlines()
    header, first = text[0], text[1].split(",")
    first[2] = "band_9"
    (tmp_path / "vacancies.csv").write_text("\n".join([header, ",".join(first), *text[2:]]) + "\n")
    out = tmp_path / "out"
    with pytest.raises(ContractViolation) as info:
        load_validated(tmp_path, out_dir=out)
    assert not info.value.report.success
    assert "vacancies.grade" in str(info.value)
    assert (out / "data_quality.html").is_file()


def test_load_validated_reports_unreadable_data(tmp_path):
    for path in REFERENCE_DATA_DIR.glob("*.csv"):
        if path.stem != "leave":
            shutil.copy(path, tmp_path / path.name)
    out = tmp_path / "out"
    with pytest.raises(DataError, match="leave: missing required dataset"):
        load_validated(tmp_path, out_dir=out)
    saved = json.loads((out / "validation" / "summary.json").read_text())
    assert saved["failures"][0]["dataset"] == "leave"


def test_validate_frame_on_an_unknown_suite_is_a_config_error():
    with pytest.raises(ConfigError, match="no data contract"):
        validate_frame(pl.DataFrame({"a": [1]}), "no_such_suite")


def test_every_registry_dataset_has_a_suite_and_suites_are_gx_format():
    from lsc_workforce.data import load_registry

    for name in load_registry():
        suite = contracts.load_suite(name)
        assert suite["name"] == name
        assert all({"type", "kwargs"} <= set(e) for e in suite["expectations"])


@pytest.mark.parametrize(
    ("suite", "column", "codes"),
    [
        ("staff_in_post", "staff_group", "STAFF_GROUPS"),
        ("staff_in_post", "grade", "GRADES"),
        ("staff_in_post", "age_band", "AGE_BANDS"),
        ("staff_competencies", "competency", "COMPETENCIES"),
        ("activity", "modality", "MODALITIES"),
        ("service_hours", "modality", "MODALITIES"),
        ("leave", "leave_type", "LEAVE_TYPES"),
        ("vacancies", "grade", "GRADES"),
        ("local_job_titles", "staff_group", "STAFF_GROUPS"),
    ],
)
def test_suite_value_sets_match_the_package_code_lists(suite, column, codes):
    from lsc_workforce import data

    (expectation,) = [
        e
        for e in contracts.load_suite(suite)["expectations"]
        if e["type"] == "expect_column_values_to_be_in_set" and e["kwargs"]["column"] == column
    ]
    assert expectation["kwargs"]["value_set"] == list(getattr(data, codes))
