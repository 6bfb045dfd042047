"""Coding-standardisation and completeness summaries on hand-written frames."""

from __future__ import annotations

import json
from types import SimpleNamespace

import polars as pl
import pytest

from lsc_workforce import quality as q

pytestmark = pytest.mark.unit


def _titles() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "trust_code": ["RXN", "RXN", "RXN", "RXL", "RXL"],
            "local_job_title": [
                "Consultant Radiologist",
                "StR Radiology",
                "Radiographer (Bank)",
                "CONSULTANT RADIOLOGIST",
                "Band 6 Radiographer",
            ],
            "staff_group": [
                "radiologist",
                "radiologist",
                None,
                "interventional_radiologist",
                "radiographer",
            ],
            "grade": ["consultant", None, None, "consultant", "band_6"],
        }
    )


def _staff() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "staff_id": ["a", "b", "c", "d", "e", "f"],
            "trust_code": ["RXN", "RXN", "RXN", "RXN", "RXL", "RXL"],
            "base_site": ["RXN02", "RXN02", "RXN01", "RXN01", "RXL01", None],
            "local_job_title": [
                "Consultant Radiologist",
                "StR Radiology",
                "StR Radiology",
                "Radiographer (Bank)",
                "Band 6 Radiographer",
                "Superintendent",  # not in the lookup
            ],
            "wte": [1.0, 1.0, None, 0.5, 1.0, 1.0],
        }
    )


def test_unmapped_titles_name_the_reason_and_count_posts():
    table = q.list_unmapped_titles(_titles(), _staff())
    rows = {
        (r["trust_code"], r["local_job_title"]): (r["reason"], r["posts"])
        for r in table.iter_rows(named=True)
    }
    assert rows == {
        ("RXN", "StR Radiology"): ("no grade", 2),
        ("RXN", "Radiographer (Bank)"): ("no staff group", 1),
        ("RXL", "Superintendent"): ("not in lookup", 1),
    }
    assert table["posts"].to_list() == [2, 1, 1]  # most posts first


def test_title_mapping_summary_by_trust():
    table = q.summarise_title_mapping(_titles(), _staff())
    rows = {r["trust_code"]: r for r in table.iter_rows(named=True)}
    assert (
        rows["RXN"]["titles"],
        rows["RXN"]["unmapped_titles"],
        rows["RXN"]["unmapped_posts"],
    ) == (3, 2, 3)
    assert rows["RXN"]["unmapped_post_share"] == pytest.approx(3 / 4)
    assert (rows["RXL"]["titles"], rows["RXL"]["unmapped_titles"]) == (3, 1)
    assert rows["RXL"]["unmapped_post_share"] == pytest.approx(1 / 2)


def test_inconsistent_titles_found_across_trusts_after_normalising():
    table = q.list_inconsistent_titles(_titles())
    assert table.height == 1
    row = table.row(0, named=True)
    assert row["title_key"] == "consultant radiologist"
    assert row["mappings"] == "interventional_radiologist/consultant; radiologist/consultant"
    assert row["trusts"] == "RXL, RXN"


def test_normalised_title():
    frame = pl.DataFrame(
        {
            "local_job_title": [
                "Consultant Radiologist (IR) ",
                "consultant  radiologist - IR",
                "A&E Radiographer",
            ]
        }
    )
    keys = frame.select(q.normalised_title_expr())["title_key"].to_list()
    assert keys == [
        "consultant radiologist ir",
        "consultant radiologist ir",
        "a and e radiographer",
    ]


def test_completeness_by_trust_attributes_rows_and_finds_weakest_column():
    sites = pl.DataFrame(
        {"site_code": ["RXN01", "RXN02", "RXL01"], "trust_code": ["RXN", "RXN", "RXL"]}
    )
    leave = pl.DataFrame({"staff_id": ["a", "e", "zz"], "leave_type": ["annual", None, "study"]})
    table = q.summarise_completeness({"sites": sites, "staff_in_post": _staff(), "leave": leave})
    rows = {(r["dataset"], r["trust_code"]): r for r in table.iter_rows(named=True)}
    staff_rxn = rows[("staff_in_post", "RXN")]
    # 4 rows x 5 columns with one missing wte: 19/20 filled; weakest column wte at 3/4.
    assert staff_rxn["rows"] == 4
    assert staff_rxn["completeness"] == pytest.approx(19 / 20)
    assert (staff_rxn["weakest_column"], staff_rxn["weakest_completeness"]) == (
        "wte",
        pytest.approx(0.75),
    )
    assert rows[("staff_in_post", "RXL")]["weakest_column"] == "base_site"
    # leave rows are matched to trusts through staff_in_post; an unknown id counts as unknown.
    assert rows[("leave", "RXL")]["completeness"] == pytest.approx(0.5)
    assert rows[("leave", "unknown")]["rows"] == 1
    assert rows[("sites", "RXN")]["completeness"] == 1.0


def test_contract_failures_table_reads_a_report():
    failure = SimpleNamespace(
        dataset="staff_in_post",
        column="wte",
        rule="between 0 and 1.5",
        count=2,
        sample=[{"row": 3, "wte": 2.0}],
    )
    table = q.contract_failures_table(SimpleNamespace(failures=[failure]))
    assert table.row(0) == (
        "staff_in_post",
        "wte",
        "between 0 and 1.5",
        2,
        "{'row': 3, 'wte': 2.0}",
    )
    assert q.contract_failures_table(SimpleNamespace(failures=[])).height == 0


def _write_summary(folder, rows, failures=()):
    summary = {
        "success": not failures,
        "seconds": 1.5,
        "checked": {name: {"rows": n, "expectations": 3, "failed": 0} for name, n in rows.items()},
        "cross_checks": {"codes exist in sites": True},
        "failures": list(failures),
    }
    (folder / "validation").mkdir(parents=True)
    (folder / "validation" / "summary.json").write_text(json.dumps(summary), encoding="utf-8")


def test_saved_contract_results_are_reused_only_when_they_match(tmp_path, monkeypatch):
    failure = {
        "dataset": "sites",
        "column": "site_code",
        "rule": "expect_column_values_to_be_unique",
        "count": 2,
        "detail": "unique",
        "sample": [{"row": 1, "site_code": "X"}],
        "message": "ignored",
    }
    _write_summary(tmp_path, {"sites": 2}, [failure])
    sentinel = object()
    monkeypatch.setattr(q, "validate_datasets", lambda frames: sentinel)
    sites = pl.DataFrame({"site_code": ["X", "X"]})
    report = q.contract_report_for({"sites": sites}, tmp_path)
    assert report is not sentinel
    assert not report.success
    assert report.failures[0].count == 2
    assert "sites.site_code" in report.summary()
    # Different data (row counts differ): validate again rather than trust stale results.
    assert q.contract_report_for({"sites": sites.head(1)}, tmp_path) is sentinel
    assert q.contract_report_for({"sites": sites}, tmp_path / "nowhere") is sentinel
