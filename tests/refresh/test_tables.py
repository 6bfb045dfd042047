"""Tables for people: labels from configuration, formats by unit, nothing hidden or fetched."""

from __future__ import annotations

import re

import polars as pl
import pytest

from lsc_workforce import labels, tables
from lsc_workforce.config import CONFIG_DIR
from lsc_workforce.report import find_remote_references

pytestmark = pytest.mark.unit


def _cells(html: str) -> list[list[str]]:
    cell = re.compile(r"<t[dh][^>]*>(.*?)</t[dh]>", flags=re.S)
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", html, flags=re.S)
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in cell.findall(r)] for r in rows]


def test_codes_become_labels_and_numbers_take_their_units_format():
    frame = pl.DataFrame(
        {
            "trust_code": ["RXN", "ZZZ"],
            "staff_group": ["interventional_radiologist", "radiographer"],
            "gap_wte": [6.6666, 18.580000000000002],
            "headcount": [12.0, 3.0],
            "annual_cost_gbp": [1321786.4, 51.0],
            "vacancy_rate": [0.074709, None],
            "compliant": [True, False],
        }
    )
    html = tables.table_html(frame)
    rows = _cells(html)
    header = rows[0]
    assert header == [
        "Trust",
        "Staff group",
        "Gap (WTE; positive is a shortfall)",
        "Headcount (people)",
        "Annual cost (£)",
        "Vacancy rate (%)",
        "Meets every hard rule",
    ]
    first, second = rows[1], rows[2]
    assert first[:2] == ["Lancashire Teaching Hospitals (RXN)", "Interventional radiologists"]
    assert first[2:6] == ["6.7", "12", "&#163;1,321,786", "7.5%"]
    assert first[6] == "Yes"
    assert second[0] == "ZZZ"  # an unknown code is shown as it is
    assert second[2] == "18.6"
    assert second[5] == tables.MISSING_TEXT
    assert find_remote_references(html) == []


def test_every_row_is_shown_and_no_dtype_row_or_quotes():
    frame = pl.DataFrame({"site_code": [f"S{i:03d}" for i in range(250)], "posts": range(250)})
    rows = _cells(tables.table_html(frame))
    assert len(rows) == 251
    assert rows[-1] == ["S249", "249"]
    text = " ".join(" ".join(r) for r in rows)
    assert "shape:" not in text
    assert '"' not in text
    assert "str" not in rows[1]


def test_suppressed_counts_show_the_marker_and_a_note():
    frame = pl.DataFrame(
        {"staff_group": ["radiologist", "radiographer"], "leavers_5y": [None, 25]},
        schema_overrides={"leavers_5y": pl.Int64},
    )
    html = tables.table_html(frame)
    rows = _cells(html)
    assert rows[1][1] == "*"
    assert rows[2][1] == "25"
    assert "suppressed: 1 to 7 people" in html


def test_unlisted_columns_get_a_readable_header_and_a_format_from_their_suffix():
    mapping = labels.load_labels(CONFIG_DIR)
    assert mapping.column("extra_cover_wte", pl.Float64) == labels.Column(
        "Extra cover (WTE)", "wte"
    )
    assert mapping.column("training_spend_gbp_m", pl.Float64).format == "money_m"
    assert mapping.column("fill_share", pl.Float64).format == "percent"
    assert mapping.column("rooms", pl.Int64).format == "count"
    assert labels.humanise("ooh_procedures") == "Out-of-hours procedures"


def test_programme_and_service_names_come_from_their_own_configuration():
    mapping = labels.load_labels(CONFIG_DIR)
    assert mapping.value("programmes", "bsc_diagnostic_radiography") == (
        "BSc (Hons) diagnostic radiography"
    )
    assert mapping.value("services", "ir_oncall").startswith("Interventional radiology")
    assert mapping.value("scenarios", "feasible_time_limit") == "feasible_time_limit"
    assert mapping.value("solver_status", "feasible_time_limit").startswith("Feasible")


def test_a_bad_format_in_the_labels_file_names_the_column(tmp_path):
    (tmp_path / "labels.yaml").write_text(
        "columns:\n  gap_wte: {label: Gap, format: fancy}\n", encoding="utf-8"
    )
    with pytest.raises(labels.ConfigError, match=r"columns.gap_wte.format 'fancy'"):
        labels.load_labels(tmp_path)


def _meta(synthetic: bool = True):
    from lsc_workforce.publication import RunMeta

    return RunMeta("run-1", "2026-04-01", "2026-04-02", "0.1.0", synthetic, "L&SC", "team")


def test_workbook_has_a_readme_words_for_sheet_names_and_formats(tmp_path):
    import zipfile

    from lsc_workforce.excel import Sheet, sheet_name, write_workbook

    frame = pl.DataFrame(
        {
            "trust_code": ["RXN", "RXL"],
            "gap_wte": [1.23456, 18.580000000000002],
            "leavers_5y": [None, 25],
            "annual_cost_gbp": [1234567.0, 0.0],
        },
        schema_overrides={"leavers_5y": pl.Int64},
    )
    path = write_workbook(
        tmp_path / "book.xlsx", "Title", [Sheet("gap_by_trust", frame, "The gap.")], _meta()
    )
    sheets = pl.read_excel(path, sheet_id=0)
    assert list(sheets) == ["README", "Gap by trust"]
    readme = " ".join(str(v) for c in sheets["README"].columns for v in sheets["README"][c])
    assert "run-1" in readme
    assert "2026-04-02" in readme
    assert "The gap." in readme
    assert "Synthetic data" in readme
    table = sheets["Gap by trust"]
    assert table.columns[:3] == [
        "Trust",
        "Gap (WTE; positive is a shortfall)",
        "Leavers in 5 years (people)",
    ]
    assert table["Trust"].to_list() == [
        "Lancashire Teaching Hospitals (RXN)",
        "Blackpool Teaching Hospitals (RXL)",
    ]
    assert table["Leavers in 5 years (people)"].cast(pl.String).to_list() == ["*", "25"]
    assert table["Gap (WTE; positive is a shortfall)"][1] == pytest.approx(18.58)  # full value
    with zipfile.ZipFile(path) as book:
        xml = book.read("xl/worksheets/sheet2.xml").decode()
        styles = book.read("xl/styles.xml").decode()
    assert 'ySplit="1"' in xml
    assert '<autoFilter ref="A1:D3"/>' in xml
    assert "#,##0.0" in styles
    assert "£#,##0" in styles
    taken: set[str] = {"README"}
    assert sheet_name("gap_by_trust", taken) == "Gap by trust"
    assert sheet_name("Gap by trust", taken) == "Gap by trust (2)"
    assert len(sheet_name("a" * 40 + "/x", taken)) <= 31


def test_notebook_pages_of_reference_data_open_with_the_synthetic_note(tmp_path):
    import nbformat

    from lsc_workforce import report
    from lsc_workforce.config import REFERENCE_DATA_DIR
    from lsc_workforce.publication import is_reference_data

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Title")]
    nbformat.write(nb, tmp_path / "nb.ipynb")
    marked = report.export_notebook_html(tmp_path / "nb.ipynb", tmp_path / "a.html", synthetic=True)
    plain = report.export_notebook_html(tmp_path / "nb.ipynb", tmp_path / "b.html")
    page = marked.read_text(encoding="utf-8")
    body = page[page.index("<body") :]
    assert body.index("Synthetic data") < body.index("Title")
    assert "Synthetic data" not in plain.read_text(encoding="utf-8")
    assert is_reference_data(REFERENCE_DATA_DIR)
    copy = tmp_path / "extracts"
    copy.mkdir()
    for path in REFERENCE_DATA_DIR.iterdir():
        (copy / path.name).write_bytes(path.read_bytes())
    assert is_reference_data(copy)  # compared by content, wherever it is
    (copy / "sites.csv").write_text("site_code\nX\n", encoding="utf-8")
    assert not is_reference_data(copy)
