"""OOH outputs and ``rota check`` with hostile names, hostile ids and Excel-style files."""

from __future__ import annotations

import re
import zipfile

import polars as pl
import pytest
from ooh_world import COSTS, NETWORK, START, TRUST_BY_TRUST, oncall_service, preset, world
from ooh_world import write_world as write_world_csv

from lsc_workforce.cli import main
from lsc_workforce.config import SolverSettings
from lsc_workforce.ooh.analysis import run_analysis
from lsc_workforce.ooh.inputs import OohConfig
from lsc_workforce.ooh.notebook import describe_analysis
from lsc_workforce.ooh.outputs import write_outputs
from lsc_workforce.safe_output import OutputPathError

pytestmark = pytest.mark.integration

NAME = '=HYPERLINK("http://example.invalid","x") <img src=x onerror=alert(1)>; a, b'
IR = ["vascular_ir", "non_vascular_ir"]


def _analysis(staff_ids: list[str]):
    frames = world([(sid, "TAA" if i < 2 else "TBB", "A01" if i < 2 else "B01", 1.0)
                    for i, sid in enumerate(staff_ids)])  # fmt: skip
    cfg = OohConfig(
        services={"test_oncall": oncall_service(name=NAME)},
        presets={"test": preset(oncall_one_in=4, min_rest_hours=11)},
        scenarios={"trust_by_trust": TRUST_BY_TRUST, "network": NETWORK},
        costs=COSTS,
    )
    settings = SolverSettings(time_limit_s=20, threads=1)
    return run_analysis(cfg, frames, start=START, n_days=8, settings=settings, headcount=False)


def test_hostile_service_name_stays_text_in_every_output(tmp_path):
    analysis = _analysis(["a1", "a2", "b1", "b2"])
    written = write_outputs(analysis, tmp_path)
    for path in (p for p in written if p.suffix == ".csv"):
        frame = pl.read_csv(path, infer_schema=False)
        for column in frame.columns:
            for text in frame[column].drop_nulls():
                plain = re.fullmatch(r"[+-]?\d+(\.\d+)?([eE][+-]?\d+)?", text)
                assert plain or not re.match(r"[=+\-@\t\r]", text), (path.name, column, text)
    with zipfile.ZipFile(tmp_path / "scenario_comparison.xlsx") as book:
        sheets = [n for n in book.namelist() if n.startswith("xl/worksheets/")]
        assert all(b"<f>" not in book.read(name) for name in sheets)
    ics = next((tmp_path / "ics" / "test_oncall__network").glob("*.ics")).read_bytes().decode()
    lines = ics.replace("\r\n ", "").split("\r\n")  # long lines are folded (RFC 5545)
    summary = next(line for line in lines if line.startswith("SUMMARY:"))
    assert "\\;" in summary
    assert "\\," in summary  # RFC 5545 escapes: the name cannot add a property
    # The plain-English summary is Markdown: the notebook export escapes its HTML
    # (tests/refresh/test_output_safety.py), so the text here may carry it as typed.
    assert isinstance(describe_analysis(analysis), str)


def test_hostile_staff_id_is_refused_and_nothing_is_written_outside(tmp_path):
    analysis = _analysis(["a1", "../x", "b1", "b2"])
    out = tmp_path / "run" / "ooh"
    with pytest.raises(OutputPathError, match=r"staff id '\.\./x'"):
        write_outputs(analysis, out)
    outside = [p for p in tmp_path.rglob("*") if p.is_file() and out not in p.parents]
    assert outside == []


def test_rota_check_ignores_excel_blank_lines(tmp_path, capsys):
    frames = world(
        [("S000001", "TAA", "A01", 1.0), ("S000002", "TAA", "A01", 1.0)],
        competencies={"S000001": IR, "S000002": IR},
    )
    data_dir = write_world_csv(frames, tmp_path / "data")
    for name in ("sites.csv", "staff_in_post.csv"):
        path = data_dir / name
        path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    rota = tmp_path / "rota.csv"
    rota.write_bytes(
        b"staff_id,date,shift\r\nS000001,2026-06-01,weeknight\r\nS000002,2026-06-06,weekend\r\n"
        b"S000002,2026-06-07,weekend\r\n"
        b"\r\n,,\r\n"
    )
    args = ["rota", "check", str(rota), "--preset", "consultant_on_call"]
    code = main([*args, "--service", "ir_oncall", "--data-dir", str(data_dir)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "Checked 3 shifts" in captured.out
