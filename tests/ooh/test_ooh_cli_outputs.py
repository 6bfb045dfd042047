"""``lsc-workforce rota check`` exit codes, and the OOH output files."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from ooh_world import COSTS, NETWORK, START, TRUST_BY_TRUST, oncall_service, preset, world
from ooh_world import write_world as write_world_csv

from lsc_workforce.cli import main
from lsc_workforce.config import SolverSettings
from lsc_workforce.ooh.analysis import run_analysis
from lsc_workforce.ooh.inputs import OohConfig
from lsc_workforce.ooh.outputs import write_outputs

pytestmark = pytest.mark.integration

IR = ["vascular_ir", "non_vascular_ir"]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    frames = world(
        [
            ("S000001", "TAA", "A01", 1.0),
            ("S000002", "TAA", "A01", 1.0),
            ("S000003", "TBB", "B01", 1.0),
        ],
        competencies={"S000001": IR, "S000002": IR, "S000003": ["vascular_ir"]},
        leave=[("S000002", dt.date(2026, 6, 10), dt.date(2026, 6, 11))],
    )
    return write_world_csv(frames, tmp_path_factory.mktemp("data"))


def _rota(tmp_path, rows, name="rota.csv"):
    path = tmp_path / name
    pl.DataFrame(rows, schema=["staff_id", "date", "shift"], orient="row").write_csv(path)
    return path


def _check(path, data_dir, *extra):
    return main(
        [
            "rota",
            "check",
            str(path),
            "--preset",
            "consultant_on_call",
            "--data-dir",
            str(data_dir),
            *extra,
        ]
    )


@pytest.mark.slow
def test_compliant_rota_exits_0(tmp_path, data_dir, capsys):
    """14 days (1 June to 14 June 2026), 1 in 6 allows floor(14 / 6) = 2 days each."""
    path = _rota(
        tmp_path,
        [
            ("S000001", "2026-06-01", "weeknight"),
            ("S000002", "2026-06-07", "weekend"),
            ("S000001", "2026-06-14", "weekend"),
        ],
    )
    assert _check(path, data_dir, "--service", "ir_oncall") == 0
    assert "Compliant" in capsys.readouterr().out


def test_breaches_exit_1_with_dates_and_sources(tmp_path, data_dir, capsys):
    path = _rota(
        tmp_path,
        [
            ("S000001", "2026-06-01", "weeknight"),
            ("S000001", "2026-06-02", "weeknight"),
            ("S000001", "2026-06-14", "weekend"),
            ("S000002", "2026-06-10", "weeknight"),
            ("S000003", "2026-06-12", "weeknight"),
            ("S000002", "2026-06-13", "weeknight"),
        ],
    )
    assert _check(path, data_dir, "--service", "ir_oncall") == 1
    out = capsys.readouterr().out
    assert "min_rest_hours - S000001 on 2026-06-01" in out
    assert "[src:wtr-1998]" in out
    assert "oncall_one_in - S000001 on 2026-06-14" in out
    assert "IR-802" in out
    assert "leave - S000002 on 2026-06-10" in out
    assert "eligibility - S000003 on 2026-06-12" in out
    assert "shift_calendar - S000002 on 2026-06-13" in out


UNUSABLE = {
    "unknown service": ([("S000001", "2026-06-01", "weeknight")], ["--service", "nope"]),
    "S999999": ([("S999999", "2026-06-01", "weeknight")], ["--service", "ir_oncall"]),
    "not ISO": ([("S000001", "01/06/2026", "weeknight")], ["--service", "ir_oncall"]),
    "not in service": ([("S000001", "2026-06-01", "late")], ["--service", "ir_oncall"]),
    "cannot tell the service": ([("S000001", "2026-06-01", "weeknight")], []),
}


@pytest.mark.parametrize("message", list(UNUSABLE))
def test_unusable_input_exits_2(tmp_path, data_dir, capsys, message):
    rows, extra = UNUSABLE[message]
    path = _rota(tmp_path, rows)
    assert _check(path, data_dir, *extra) == 2
    assert message in capsys.readouterr().err


def test_missing_columns_and_preset_exit_2(tmp_path, data_dir, capsys):
    path = tmp_path / "bad.csv"
    path.write_text("person,date,shift\nS000001,2026-06-01,weeknight\n")
    assert _check(path, data_dir, "--service", "ir_oncall") == 2
    assert "lacks columns ['staff_id']" in capsys.readouterr().err
    good = _rota(tmp_path, [("S000001", "2026-06-01", "weeknight")], "good.csv")
    assert main(["rota", "check", str(good), "--preset", "nope", "--data-dir", str(data_dir)]) == 2
    assert (
        main(["rota", "check", str(tmp_path / "absent.csv"), "--preset", "consultant_on_call"]) == 2
    )


@pytest.fixture(scope="module")
def analysis():
    frames = world(
        [
            ("a1", "TAA", "A01", 1.0),
            ("a2", "TAA", "A01", 1.0),
            ("b1", "TBB", "B01", 1.0),
            ("b2", "TBB", "B01", 1.0),
        ]
    )
    cfg = OohConfig(
        services={"test_oncall": oncall_service()},
        presets={"test": preset(oncall_one_in=4, min_rest_hours=11)},
        scenarios={"trust_by_trust": TRUST_BY_TRUST, "network": NETWORK},
        costs=COSTS,
    )
    return run_analysis(
        cfg, frames, start=START, n_days=12, settings=SolverSettings(time_limit_s=20, threads=1)
    )


def test_comparison_and_files(analysis, tmp_path):
    table = analysis.comparison()
    assert table.get_column("scenario").to_list() == ["trust_by_trust", "network"]
    rows = {r["scenario"]: r for r in table.iter_rows(named=True)}
    assert rows["trust_by_trust"]["uncovered_shifts"] == 12  # 2 x (12 - 6)
    assert rows["trust_by_trust"]["extra_posts"] == 4
    assert rows["network"]["uncovered_shifts"] == 0
    assert rows["network"]["extra_posts"] == 0
    assert rows["network"]["rota_one_in"] == pytest.approx(4.0)
    assert "needs 4 more" in rows["trust_by_trust"]["extra_posts_sentence"]
    written = write_outputs(analysis, tmp_path)
    out = tmp_path
    csv = pl.read_csv(out / "scenario_comparison.csv")
    xlsx = pl.read_excel(out / "scenario_comparison.xlsx")
    assert csv.height == xlsx.height == 2
    assert csv.get_column("extra_posts").to_list() == xlsx.get_column("extra_posts").to_list()
    roster = pl.read_csv(out / "rosters" / "test_oncall__network.csv")
    assert roster.height == 12
    ics = sorted((out / "ics" / "test_oncall__network").glob("*.ics"))
    assert [p.stem for p in ics] == ["a1", "a2", "b1", "b2"]
    raw = ics[0].read_bytes()
    assert raw.startswith(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert raw.endswith(b"END:VCALENDAR\r\n")
    assert raw.count(b"BEGIN:VEVENT") == 3  # 12 days, 4 people, 3 days each
    assert b"DTSTAMP:20260601T000000Z" in raw  # the as-at date, not the wall clock
    assert all(p.exists() for p in written)


def test_ics_times_are_real_utc(analysis, tmp_path):
    write_outputs(analysis, tmp_path)
    roster = pl.read_csv(tmp_path / "rosters" / "test_oncall__network.csv", try_parse_dates=True)
    first = roster.sort("date").row(0, named=True)
    text = (tmp_path / "ics" / "test_oncall__network" / f"{first['staff_id']}.ics").read_text()
    day = first["date"]
    # 17:00 BST = 16:00 UTC; 15 hours later = 07:00 UTC the next day
    assert f"DTSTART:{day:%Y%m%d}T160000Z" in text
    assert f"DTEND:{day + dt.timedelta(days=1):%Y%m%d}T070000Z" in text
