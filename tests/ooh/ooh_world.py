"""A tiny hand-made world for the OOH tests: two trusts, one site each, 20 minutes apart."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from lsc_workforce.ooh.inputs import (
    CostParameters,
    Rule,
    RulePreset,
    Scenario,
    Service,
    ShiftPattern,
)

START = dt.date(2026, 6, 1)  # a Monday; no England bank holiday in June 2026

SITES = pl.DataFrame(
    {
        "site_code": ["A01", "B01", "C01"],
        "trust_code": ["TAA", "TBB", "TCC"],
        "site_name": ["Alpha General", "Beta Royal", "Gamma Far"],
        "postcode": ["AA1 1AA", "BB1 1BB", "CC1 1CC"],
        "has_ed": [True, True, True],
        "has_ct": [True, True, True],
        "has_mri": [True, True, True],
        "has_ir_suite": [True, True, True],
        "has_endoscopy": [True, True, True],
        "code_status": ["synthetic"] * 3,
    }
)

TRAVEL = pl.DataFrame(
    {
        "from_site": ["A01", "B01", "A01", "C01", "B01", "C01"],
        "to_site": ["B01", "A01", "C01", "A01", "C01", "B01"],
        "minutes": [20, 20, 90, 90, 90, 90],
    }
)


def staff_frame(rows: list[tuple[str, str, str, float]]) -> pl.DataFrame:
    """``(staff_id, trust_code, base_site, wte)`` -> a ``staff_in_post`` frame (consultant IRs)."""
    return pl.DataFrame(
        {
            "post_id": [f"P{k:07d}" for k in range(1, len(rows) + 1)],
            "staff_id": [r[0] for r in rows],
            "trust_code": [r[1] for r in rows],
            "base_site": [r[2] for r in rows],
            "local_job_title": ["Consultant IR"] * len(rows),
            "staff_group": ["interventional_radiologist"] * len(rows),
            "grade": ["consultant"] * len(rows),
            "wte": [r[3] for r in rows],
            "age_band": ["45-49"] * len(rows),
            "start_date": [dt.date(2020, 1, 1)] * len(rows),
            "ooh_eligible": [True] * len(rows),
        }
    )


def competencies_frame(holders: dict[str, list[str]]) -> pl.DataFrame:
    """``{staff_id: [competency, ...]}`` -> a ``staff_competencies`` frame."""
    pairs = [(s, c) for s, comps in holders.items() for c in comps]
    return pl.DataFrame(
        {"staff_id": [p[0] for p in pairs], "competency": [p[1] for p in pairs]},
        schema={"staff_id": pl.String, "competency": pl.String},
    )


def leave_frame(rows: list[tuple[str, dt.date, dt.date]] = ()) -> pl.DataFrame:
    """``(staff_id, start, end)`` -> a ``leave`` frame (annual leave)."""
    return pl.DataFrame(
        {
            "staff_id": [r[0] for r in rows],
            "start_date": [r[1] for r in rows],
            "end_date": [r[2] for r in rows],
            "leave_type": ["annual"] * len(rows),
        },
        schema={
            "staff_id": pl.String,
            "start_date": pl.Date,
            "end_date": pl.Date,
            "leave_type": pl.String,
        },
    )


def world(
    staff: list[tuple[str, str, str, float]],
    leave: list[tuple[str, dt.date, dt.date]] = (),
    competencies: dict[str, list[str]] | None = None,
) -> dict[str, pl.DataFrame]:
    """The datasets ``ooh.build`` reads; everyone holds ``vascular_ir`` unless told otherwise."""
    holders = competencies or {s[0]: ["vascular_ir"] for s in staff}
    return {
        "sites": SITES,
        "site_travel_times": TRAVEL,
        "staff_in_post": staff_frame(staff),
        "staff_competencies": competencies_frame(holders),
        "leave": leave_frame(list(leave)),
    }


def write_world(frames: dict[str, pl.DataFrame], folder: Path) -> Path:
    """Write the frames as ``<dataset>.csv`` (for the command-line tests)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in frames.items():
        frame.write_csv(folder / f"{name}.csv")
    return folder


def oncall_service(**changes: object) -> Service:
    """An IR-style on-call: 17:00-08:00 every day, cover 1 per trust, category A, 30 minutes."""
    fields = {
        "id": "test_oncall",
        "name": "Test on-call",
        "staff_groups": ("interventional_radiologist",),
        "grades": ("consultant",),
        "competencies": ("vascular_ir",),
        "sites": ("A01", "B01"),
        "cover_unit": "trust",
        "cover": 1,
        "category": "A",
        "response_minutes": 30,
        "remote_reporting": False,
        "preset": "test",
        "pay_basis": "consultant",
        "shifts": (ShiftPattern("night", dt.time(17, 0), 15.0, "all", night=True),),
    }
    fields.update(changes)
    return Service(**fields)


def preset(**values: float) -> RulePreset:
    """A preset with the given rule values (source "test", status confirmed)."""
    rules = {
        name: Rule(name, float(value), f"test rule {name}", "confirmed")
        for name, value in values.items()
    }
    return RulePreset("test", "test preset", rules)


TRUST_BY_TRUST = Scenario("trust_by_trust", "trust_by_trust")
NETWORK = Scenario("network", "network", hubs={"test_oncall": ("A01", None)})

COSTS = CostParameters(
    price_year="2025/26",
    consultant_salary=100_000.0,
    salary_note="test",
    supplement_percent={
        ("A", "high"): 8.0,
        ("A", "medium"): 5.0,
        ("A", "low"): 3.0,
        ("B", "high"): 3.0,
        ("B", "medium"): 2.0,
        ("B", "low"): 1.0,
    },
    supplement_status={},
    afc_payment_per_shift=120.0,
    uncovered_shift_cost=1500.0,
)
