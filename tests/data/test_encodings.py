"""Odd encodings, trailing blank lines and decimal commas in trust extracts.

Each case reproduces a finding of the hostile-input review: a Windows-1252 extract read with
replacement characters, a UTF-16 file reported as "every column missing", a blank last line
read as a row of nulls, and ``0,8`` WTE read as 8.
"""

from __future__ import annotations

import logging
from pathlib import Path

import polars as pl
import pytest

from lsc_workforce.config import REFERENCE_DATA_DIR, ConfigError
from lsc_workforce.data import DataError, decode_text, load_mappings, load_table, read_raw

pytestmark = pytest.mark.unit

SITE = "Royal Preston Hospital – A&E"  # an en dash: byte 0x96 in Windows-1252


def _sites_text() -> str:
    """The reference sites extract with the first site renamed to :data:`SITE`."""
    text = (REFERENCE_DATA_DIR / "sites.csv").read_text(encoding="utf-8")
    first = text.splitlines()[1].split(",")[2]
    return text.replace(first, SITE, 1)


def _write(tmp_path: Path, data: bytes, name: str = "sites.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_windows_1252_extract_is_read_correctly_and_named_in_a_warning(tmp_path, caplog):
    path = _write(tmp_path, _sites_text().encode("cp1252"))
    with caplog.at_level(logging.WARNING, logger="lsc_workforce.data"):
        frame = load_table(path, "sites")
    assert frame["site_name"][0] == SITE
    assert "\ufffd" not in "".join(frame["site_name"].to_list())
    warning = caplog.text
    assert str(path) in warning
    assert "Windows-1252" in warning
    assert "–" in warning  # the characters it read, for the user to check


@pytest.mark.parametrize("codec", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be"])
def test_utf8_with_or_without_bom_and_utf16_read_the_same(tmp_path, codec):
    path = _write(tmp_path, _sites_text().encode(codec))
    frame = load_table(path, "sites")
    expected = load_table(_write(tmp_path, _sites_text().encode("utf-8"), "ref.csv"), "sites")
    assert frame.equals(expected)
    assert frame["site_name"][0] == SITE


def test_undecodable_file_is_refused_naming_file_encoding_and_fix(tmp_path):
    # 0x81 is undefined in Windows-1252 and invalid in UTF-8: no guess is possible.
    path = _write(tmp_path, _sites_text().encode("utf-8") + b"RXX99,RXX,Bad \x81 name\n")
    with pytest.raises(DataError) as info:
        load_table(path, "sites")
    (problem,) = info.value.problems
    assert problem["rule"] == "unreadable text encoding"
    detail = problem["detail"]
    assert str(path) in detail
    assert "neither UTF-8 nor Windows-1252" in detail
    assert "byte 0x81" in detail
    assert "CSV UTF-8" in detail  # how to fix it
    assert "encoding: cp1252" in detail


def test_a_declared_encoding_is_used_and_a_mismatch_refused(tmp_path):
    latin = "Área de trabajo".encode("latin-1")  # not UTF-8
    text, name = decode_text(latin, tmp_path / "x.csv", declared=["latin-1"])
    assert (text, name) == ("Área de trabajo", "latin-1")
    with pytest.raises(DataError, match="not valid ascii .byte 0xe9 on line 2"):
        decode_text(b"name\ncaf\xe9\n", tmp_path / "x.csv", declared=["ascii"])


def test_a_mapping_declares_encoding_and_decimal_comma(tmp_path, caplog):
    folder = tmp_path / "mappings"
    folder.mkdir()
    (folder / "travel.yaml").write_text(
        "dataset: site_travel_times\nencoding: cp1252\ndecimal_comma: [minutes]\n"
        "columns: {Von: from_site, Nach: to_site, Minuten: minutes}\n",
        encoding="utf-8",
    )
    mappings = load_mappings(folder)
    assert (mappings[0].encoding, mappings[0].decimal_comma) == ("cp1252", ("minutes",))
    text = 'Von,Nach,Minuten\nA–1,B1,"12,0"\nB1,A–1,20\nA–1,C1,"1.500,0"\n'
    path = _write(tmp_path, text.encode("cp1252"), "site_travel_times.csv")
    with caplog.at_level(logging.WARNING, logger="lsc_workforce.data"):
        frame = load_table(path, "site_travel_times", mappings=mappings)
    assert frame["from_site"].to_list() == ["A–1", "B1", "A–1"]
    assert frame["minutes"].to_list() == [12, 20, 1500]
    assert "Windows-1252" not in caplog.text  # declared, so not a guess
    (folder / "bad.yaml").write_text(
        "dataset: sites\nencoding: klingon\ncolumns: {A: site_code}\n", encoding="utf-8"
    )
    with pytest.raises(ConfigError, match="klingon"):
        load_mappings(folder)


@pytest.mark.parametrize(
    "tail",
    ["\n", "\n\n\n", "   \n", "\r\n", ",,,,,,,,,\n", " , ,\t,\n\n"],
    ids=["blank", "three blank", "spaces", "crlf", "commas only", "mixed"],
)
def test_trailing_blank_lines_are_dropped_before_validation(tmp_path, tail):
    text = _sites_text()
    path = _write(tmp_path, (text + tail).encode("utf-8"))
    assert load_table(path, "sites").height == len(text.splitlines()) - 1


def test_blank_rows_inside_the_file_are_kept_for_the_contracts(tmp_path):
    lines = _sites_text().splitlines()
    path = _write(tmp_path, "\n".join([*lines[:2], "", *lines[2:]]).encode() + b"\n")
    frame = read_raw(path)
    assert frame.height == len(lines)  # the blank row stays, and the contracts name it
    assert frame.row(1, named=True)["site_code"] is None


def test_decimal_comma_is_a_named_failure(tmp_path):
    path = tmp_path / "site_travel_times.csv"
    path.write_text('from_site,to_site,minutes\nA1,B1,"0,8"\nB1,A1,"1,234"\nA1,C1,"12,5"\n')
    with pytest.raises(DataError) as info:
        load_table(path, "site_travel_times")
    (problem,) = info.value.problems
    assert problem["column"] == "minutes"
    assert problem["rule"] == "decimal comma in a number"
    assert problem["count"] == 2  # "1,234" is a thousands separator, read as 1234
    assert problem["sample"] == [(1, "0,8"), (3, "12,5")]
    assert "decimal_comma: [minutes]" in problem["detail"]


def test_decimal_comma_in_wte_is_not_read_as_eight(tmp_path):
    staff = pl.read_csv(REFERENCE_DATA_DIR / "staff_in_post.csv", infer_schema=False)
    staff = staff.with_columns(
        pl.when(pl.int_range(pl.len()) == 0).then(pl.lit("0,8")).otherwise("wte").alias("wte")
    )
    path = tmp_path / "staff_in_post.csv"
    staff.write_csv(path)
    with pytest.raises(DataError, match=r"staff_in_post\.wte: decimal comma in a number"):
        load_table(path, "staff_in_post")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1,234", 1234.0), ("12,345.5", 12345.5), ("-1,000", -1000.0), ("7", 7.0)],
)
def test_thousands_separators_still_read(tmp_path, text, expected):
    path = tmp_path / "site_travel_times.csv"
    path.write_text(f'from_site,to_site,minutes\nA1,B1,"{text}"\n')
    if expected != int(expected):
        with pytest.raises(DataError, match="unparseable int"):
            load_table(path, "site_travel_times")
    else:
        assert load_table(path, "site_travel_times")["minutes"].to_list() == [int(expected)]
