"""The validate and make-reference-data subcommands: exit codes and messages."""

from __future__ import annotations

import json

import polars as pl
import pytest
from refresh_helpers import break_csv_cell

from lsc_workforce import cli

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp("generated")
    assert cli.main(["make-reference-data", "--out", str(out), "--seed", "7"]) == cli.EXIT_OK
    return out


def test_make_reference_data_writes_every_dataset(generated, capsys):
    names = {p.stem for p in generated.glob("*.csv")}
    assert {"sites", "staff_in_post", "vacancies", "activity", "leave"} <= names


@pytest.mark.slow
def test_validate_passes_on_generated_data(generated, tmp_path, capsys):
    assert cli.main(["validate", "--data-dir", str(generated), "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "all data contracts passed" in out
    assert (tmp_path / "data_quality.html").is_file()
    assert (tmp_path / "validation" / "summary.json").is_file()


def _copy(generated, folder):
    folder.mkdir()
    for path in generated.glob("*.csv"):
        (folder / path.name).write_bytes(path.read_bytes())
    return folder


def _summary(out):
    return json.loads((out / "validation" / "summary.json").read_text(encoding="utf-8"))


@pytest.mark.slow
def test_validate_fails_with_exit_1_naming_dataset_and_column(generated, tmp_path, capsys):
    broken = _copy(generated, tmp_path / "broken")
    leave = pl.read_csv(broken / "leave.csv", infer_schema=False)
    leave = leave.with_columns(pl.lit("holiday").alias("leave_type"))
    leave.write_csv(broken / "leave.csv")
    code = cli.main(["validate", "--data-dir", str(broken), "--out", str(tmp_path / "v")])
    assert code == cli.EXIT_FAILURE
    captured = capsys.readouterr()
    assert "leave.leave_type" in captured.out
    assert "data contract failure" in captured.err
    assert "Traceback" not in captured.out + captured.err


def test_validate_missing_dataset_is_named_without_traceback(tmp_path, capsys):
    data, out = tmp_path / "empty", tmp_path / "v"
    data.mkdir()
    code = cli.main(["validate", "--data-dir", str(data), "--out", str(out)])
    assert code == cli.EXIT_FAILURE
    err = capsys.readouterr().err
    assert err.startswith("error: ")
    lines = err.splitlines()
    assert any(line.startswith("error: staff_in_post: missing required dataset") for line in lines)
    assert all(line.startswith("error: ") for line in lines)
    assert "Traceback" not in err
    # The results are written even though nothing could be loaded.
    failures = {(f["dataset"], f["rule"]) for f in _summary(out)["failures"]}
    assert ("staff_in_post", "missing required dataset") in failures
    assert _summary(out)["success"] is False
    assert "missing required dataset" in (out / "data_quality.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_validate_unreadable_date_writes_results_and_replaces_stale_ones(
    generated, tmp_path, capsys
):
    out = tmp_path / "v"
    assert cli.main(["validate", "--data-dir", str(generated), "--out", str(out)]) == 0
    assert (out / "validation" / "leave.json").is_file()  # per-dataset GX results of a pass
    capsys.readouterr()
    broken = _copy(generated, tmp_path / "broken")
    break_csv_cell(broken / "leave.csv", 2, "start_date", "31/13/2026")

    code = cli.main(["validate", "--data-dir", str(broken), "--out", str(out)])

    assert code == cli.EXIT_FAILURE
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    lines = captured.err.splitlines()
    assert all(line.startswith("error: ") for line in lines)
    problem = next(line for line in lines if "leave.start_date" in line)
    assert "unparseable date" in problem
    assert "row 3: '31/13/2026'" in problem  # 1-based data row, header excluded
    assert lines[-1].endswith(f"details in {(out / 'data_quality.html').resolve()}")
    summary = _summary(out)
    assert summary["success"] is False
    (failure,) = summary["failures"]
    assert (failure["dataset"], failure["column"], failure["rule"], failure["count"]) == (
        "leave", "start_date", "unparseable date", 1,
    )  # fmt: skip
    # The earlier pass's per-dataset results are gone, not left looking current.
    assert sorted(p.name for p in (out / "validation").iterdir()) == ["summary.json"]
    page = (out / "data_quality.html").read_text(encoding="utf-8")
    assert "31/13/2026" in page
    assert "All data contracts passed" not in page


def test_validate_out_must_be_a_folder(generated, tmp_path, capsys):
    out = tmp_path / "file.txt"
    out.write_text("x", encoding="utf-8")
    code = cli.main(["validate", "--data-dir", str(generated), "--out", str(out)])
    assert code == cli.EXIT_USAGE
    assert "is not a folder" in capsys.readouterr().err
