"""Small hand-made parameter tables and stocks for the demand tests."""

from __future__ import annotations

import datetime as dt

import polars as pl

from lsc_workforce.demand.capacity import CapacityParams, RotaFloors
from lsc_workforce.demand.parameters import Scalar
from lsc_workforce.demand.supply import SupplyParams


def flows(**overrides) -> pl.DataFrame:
    """One staff group, ``radiographer``, with no retirement before 70 and round numbers."""
    row = {
        "staff_group": "radiographer",
        "leaver_rate": 0.1,
        "retirement_age_mean": 85.0,
        "retirement_age_sd": 0.1,
        "joiner_rate": 0.0,
        "joiner_grade": "band_5",
        "joiner_age": 25,
        "wte_per_head": 0.5,
    }
    row.update(overrides)
    return pl.DataFrame([row])


def no_progression() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "from_staff_group": pl.String,
            "from_grade": pl.String,
            "to_staff_group": pl.String,
            "to_grade": pl.String,
            "rate": pl.Float64,
        }
    )


def programmes() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "programme": ["bsc", "conversion"],
            "staff_group": ["radiographer", "radiographer"],
            "grade": ["band_5", "band_7"],
            "completion_age": [22, 35],
            "wte_per_head": [1.0, 0.8],
            "source_staff_group": [None, "radiographer"],
            "source_grade": [None, "band_6"],
        },
        schema_overrides={"source_staff_group": pl.String, "source_grade": pl.String},
    )


def grade_lines() -> pl.DataFrame:
    """Consultant, SAS and trainee lines (ST1-ST3 count 0.25, ST4-ST5 0.5); radiographers by
    their clinical share: band 5 0.9, band 6 0.85, band 7 and above 0.5."""
    rows = [
        ("radiologist", "consultant", "consultant", 1.0),
        ("radiologist", "sas", "sas", 1.0),
        *[("radiologist", f"st{k}", "trainee", 0.25) for k in (1, 2, 3)],
        *[("radiologist", f"st{k}", "trainee", 0.5) for k in (4, 5)],
        *[
            ("radiographer", f"band_{b}", "afc", share)
            for b, share in (("5", 0.9), ("6", 0.85), ("7", 0.5), ("8a", 0.5))
        ],
    ]
    return pl.DataFrame(
        rows, schema=["staff_group", "grade", "supply_line", "service_contribution"], orient="row"
    )


def supply_params(
    progression: pl.DataFrame | None = None,
    *,
    grade_lines: pl.DataFrame | None = None,
    intakes: pl.DataFrame | None = None,
    **flow_overrides,
) -> SupplyParams:
    return SupplyParams(
        flows=flows(**flow_overrides),
        progression=no_progression() if progression is None else progression,
        programmes=programmes(),
        grade_lines=grade_lines,
        intakes=intakes,
    )


def stock(rows: list[tuple[str, str, str, int, float, float]]) -> pl.DataFrame:
    """Rows of (trust, staff group, grade, age, headcount, wte)."""
    return pl.DataFrame(
        rows,
        schema={
            "trust_code": pl.String,
            "staff_group": pl.String,
            "grade": pl.String,
            "age": pl.Int32,
            "headcount": pl.Float64,
            "wte": pl.Float64,
        },
        orient="row",
    )


def scalar(value: float) -> Scalar:
    return Scalar(value, "unit", "test", "derived")


def capacity_params() -> CapacityParams:
    """Round-number capacity parameters for hand-computed tests.

    Radiologist reporting hours a WTE-year: 10 PAs x 4 h x 0.75 DCC x 0.5 reporting x 40 weeks
    = 600 h. Reporting radiographer: 37.5 h x 40 weeks x 0.5 = 750 h. Radiographer: 37.5 x 40
    = 1,500 clinical h. Endoscopy lists a WTE-year: medical 3 x 40 = 120, non-medical 6 x 40 = 240.
    """
    scalars = {
        "pas_per_week": 10,
        "hours_per_pa": 4,
        "hours_per_pa_premium": 3,
        "dcc_share": 0.75,
        "reporting_share_of_dcc": 0.5,
        "ir_procedural_share_of_dcc": 0.5,
        "medical_working_weeks": 40,
        "afc_hours_per_week": 37.5,
        "afc_working_weeks": 40,
        "in_hours_start": 8,
        "in_hours_end": 18,
        "establishment_tolerance": 0.1,
        "reporting_radiographer_reporting_share": 0.5,
        "points_per_list": 10,
        "medical_lists_per_wte_week": 3,
        "non_medical_lists_per_wte_week": 6,
    }
    return CapacityParams(
        effort=pl.DataFrame(
            {
                "modality": ["ct_other", "plain_xray", "ir_vascular", "colonoscopy", "gastroscopy"],
                "task": [
                    "ct_reporting",
                    "plain_film_reporting",
                    "ir_procedures",
                    "diagnostic_endoscopy",
                    "diagnostic_endoscopy",
                ],
                "unit": ["minutes", "minutes", "minutes", "points", "points"],
                "effort_per_exam": [15.0, 3.0, 120.0, 2.0, 1.0],
            }
        ),
        skill_mix=pl.DataFrame(
            {
                "task": [
                    "ct_reporting",
                    "plain_film_reporting",
                    "plain_film_reporting",
                    "ir_procedures",
                    "diagnostic_endoscopy",
                    "diagnostic_endoscopy",
                ],
                "staff_group": [
                    "radiologist",
                    "radiologist",
                    "reporting_radiographer",
                    "interventional_radiologist",
                    "medical_endoscopist",
                    "non_medical_endoscopist",
                ],
                "share": [1.0, 0.4, 0.6, 1.0, 0.7, 0.3],
            }
        ),
        radiography=pl.DataFrame(
            {
                "modality": ["ct_other", "plain_xray"],
                "room": ["ct", "plain_xray"],
                "exams_per_radiographer_hour": [1.5, 4.0],
                "staff_while_open": [2, 1],
            }
        ),
        scalars={name: scalar(value) for name, value in scalars.items()},
    )


def rota_floors(
    one_in: int = 6, scenario: str = "trust_by_trust", sites: tuple[str, ...] = ("S1",)
) -> RotaFloors:
    """IR and GI-bleed on-call rotas held 1 in ``one_in`` with cover 1 at ``sites``.

    Scenarios: ``trust_by_trust`` (one rota per trust) and ``network`` (one rota of all trusts,
    slot at the first site).
    """
    from lsc_workforce.ooh.inputs import (  # noqa: PLC0415
        CostParameters,
        OohConfig,
        Rule,
        RulePreset,
        Scenario,
        Service,
        ShiftPattern,
    )

    def service(service_id: str, group: str) -> Service:
        return Service(
            id=service_id,
            name=service_id,
            staff_groups=(group,),
            grades=("consultant",),
            competencies=(),
            sites=sites,
            cover_unit="trust",
            cover=1,
            category="A",
            response_minutes=30,
            remote_reporting=False,
            preset="oncall",
            pay_basis="consultant",
            shifts=(ShiftPattern("night", dt.time(17, 0), 15.0, "all", night=True),),
        )

    rule = Rule("oncall_one_in", float(one_in), "test", "confirmed")
    ooh = OohConfig(
        services={
            "ir_oncall": service("ir_oncall", "interventional_radiologist"),
            "gi_bleed_oncall": service("gi_bleed_oncall", "medical_endoscopist"),
        },
        presets={"oncall": RulePreset("oncall", "test", {"oncall_one_in": rule})},
        scenarios={
            "trust_by_trust": Scenario("trust_by_trust", "trust_by_trust"),
            "network": Scenario("network", "network"),
        },
        costs=CostParameters("2025/26", 100_000.0, "test", {}, {}, 100.0, 1000.0),
    )
    return RotaFloors(
        scenario=scenario,
        wte_per_member=1.0,
        services={
            "ir_oncall": "interventional_radiologist",
            "gi_bleed_oncall": "medical_endoscopist",
        },
        ooh=ooh,
    )
