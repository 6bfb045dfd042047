"""The validate and make-reference-data subcommands: exit codes and messages."""

from __future__ import annotations

import polars as pl
import pytest

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


def test_validate_passes_on_generated_data(generated, tmp_path, capsys):
    assert cli.main(["validate", "--data-dir", str(generated), "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "all data contracts passed" in out
    assert (tmp_path / "data_quality.html").is_file()
    assert (tmp_path / "validation" / "summary.json").is_file()


def test_validate_fails_with_exit_1_naming_dataset_and_column(generated, tmp_path, capsys):
    broken = tmp_path / "broken"
    broken.mkdir()
    for path in generated.glob("*.csv"):
        (broken / path.name).write_bytes(path.read_bytes())
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
    code = cli.main(["validate", "--data-dir", str(tmp_path), "--out", str(tmp_path / "v")])
    assert code == cli.EXIT_FAILURE
    err = capsys.readouterr().err
    assert err.startswith("error: ")
    assert "staff_in_post: missing required dataset" in err
    assert "Traceback" not in err
