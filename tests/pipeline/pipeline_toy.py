"""Hand-solvable one-trust, one-role instances shared by the pipeline tests."""

from __future__ import annotations

import polars as pl

from lsc_workforce.pipeline.inputs import PipelineInputs

TRUST = "RXX"
GROUP = "radiographer"
YEARS = [2026, 2027, 2028, 2029]


def programme_frame(**overrides) -> pl.DataFrame:
    row = {
        "programme": "degree",
        "programme_name": "Two-year degree",
        "produced_group": GROUP,
        "source_group": None,
        "duration_years": 2,
        "completion_rate": 1.0,
        "retention_rate": 0.5,
        "wte_per_head": 1.0,
        "cost_per_trainee_year_gbp": 1000.0,
    }
    row.update(overrides)
    return pl.DataFrame([row], schema_overrides={"source_group": pl.String})


def toy_inputs(
    required=(10.0, 10.75, 11.5, 11.5),
    opening=10.0,
    leaver_rate=0.0,
    capacity=None,
    current_trainees=None,
    *,
    programmes=None,
    **programme,
) -> PipelineInputs:
    """One trust, one group, one 2-year programme yielding 0.5 WTE per entrant (or
    ``programmes``)."""
    requirement = pl.DataFrame(
        {
            "trust_code": [TRUST] * len(YEARS),
            "staff_group": [GROUP] * len(YEARS),
            "financial_year": YEARS,
            "required_wte": list(required),
        }
    )
    return PipelineInputs.from_frames(
        requirement=requirement,
        opening_supply=pl.DataFrame(
            {"trust_code": [TRUST], "staff_group": [GROUP], "supply_wte": [opening]}
        ),
        leaver_rates=pl.DataFrame(
            {"trust_code": [TRUST], "staff_group": [GROUP], "leaver_rate": [leaver_rate]}
        ),
        programmes=programme_frame(**programme) if programmes is None else programmes,
        capacity=capacity,
        current_trainees=current_trainees,
    )


def capacity_frame(placement=99, funded=99, status_quo=0) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "programme": ["degree"],
            "trust_code": [TRUST],
            "from_year": [YEARS[0]],
            "to_year": [YEARS[-1]],
            "placement_capacity": [placement],
            "funded_intake_limit": [funded],
            "status_quo_intake": [status_quo],
        }
    )


def small_stock(trusts=("RXN", "RTX"), scale=1) -> pl.DataFrame:
    """A hand-written staff-in-post extract: every staff group at two trusts."""
    people = [
        ("radiographer", "band_5", "25-29", 1.0, 6),
        ("radiographer", "band_6", "30-34", 0.8, 8),
        ("radiographer", "band_6", "55-59", 1.0, 5),
        ("radiographer", "band_7", "45-49", 1.0, 3),
        ("reporting_radiographer", "band_7", "40-44", 1.0, 3),
        ("radiologist", "consultant", "50-54", 1.0, 6),
        ("radiologist", "consultant", "60-64", 0.6, 2),
        ("radiologist", "st3", "30-34", 1.0, 2),
        ("interventional_radiologist", "consultant", "45-49", 1.0, 3),
        ("medical_endoscopist", "consultant", "40-44", 1.0, 3),
        ("non_medical_endoscopist", "band_7", "45-49", 1.0, 2),
    ]
    rows = [
        {"trust_code": t, "staff_group": g, "grade": gr, "age_band": band, "wte": wte}
        for t in trusts
        for g, gr, band, wte, n in people
        for _ in range(n * scale)
    ]
    return pl.DataFrame(rows)


def flat_requirement(trusts=("RXN", "RTX"), years=range(2026, 2036), wte=10.0) -> pl.DataFrame:
    from lsc_workforce.demand.capacity import STAFF_GROUPS

    return pl.DataFrame(
        [
            {"trust_code": t, "staff_group": g, "financial_year": y, "required_wte": wte}
            for t in trusts
            for g in STAFF_GROUPS
            for y in years
        ]
    )
