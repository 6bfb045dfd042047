"""Seeded generator of the synthetic L&SC reference data shipped in ``data/reference/``.

Real staff data must never be committed, so the default dataset is synthetic but shaped like the
four Lancashire & South Cumbria acute trusts [src:ods-codes]: their sites and facilities,
estimated road times [src:site-travel-times], staff numbers in proportion to ~1.7 million people
[src:lsc-population], an ageing consultant body (34 % of NW consultants aged 50 or over,
[src:nw-consultant-age]), radiographer vacancy near 10 % [src:radiographer-vacancy] and higher
consultant vacancy [src:rcr-census], five IRs at ELHT [src:elht-radiology-rota], out-of-hours
eligibility by membership of the documented rotas [src:ooh-team-assumptions], monthly activity
growing at CT/MRI ~7 %/yr [src:rcr-census] and endoscopy ~3-6 %/yr [src:endoscopy-demand-growth]
with seasonality. Every choice is listed under [src:synthetic-reference-data].

The output is deterministic for a seed. ``scale`` multiplies the region: ``scale=20`` writes twenty
synthetic copies of the region (copy 0 keeps the real ODS codes, copies 1.. get made-up ``Z``
codes), an NHS England order-of-magnitude benchmark; ``scale < 1`` shrinks staff and activity.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
import polars as pl

from lsc_workforce.config import REFERENCE_AS_AT
from lsc_workforce.data import (
    AGE_BANDS,
    COMPETENCIES,
    MEDICAL_GRADES,
    MODALITIES,
    write_table,
)

#: The first month of activity history (48 months to March 2026).
ACTIVITY_START = dt.date(2022, 4, 1)
ACTIVITY_MONTHS = 48

#: Whole Monday-to-Friday weeks that fit in the planning year from the as-at date.
_LEAVE_WEEKS = 51

DATASET_NAMES = (
    "sites",
    "site_travel_times",
    "staff_in_post",
    "staff_competencies",
    "vacancies",
    "activity",
    "service_hours",
    "leave",
    "local_job_titles",
)


@dataclass(frozen=True)
class SiteSpec:
    """One acute site of the real region [src:ods-codes].

    Attributes:
        suffix: the site code after the trust code (``RXN`` + ``02`` = ``RXN02``).
        trust: the real trust ODS code.
        name: hospital name.
        postcode: site postcode.
        has_ed, has_ct, has_mri, has_ir_suite, has_endoscopy: facilities on site.
        code_status: ``confirmed``, ``unconfirmed`` ([src:ods-furness-westmorland]) or
            ``synthetic``.
        activity_share: the site's share of its trust's activity.
    """

    suffix: str
    trust: str
    name: str
    postcode: str
    has_ed: bool
    has_ct: bool
    has_mri: bool
    has_ir_suite: bool
    has_endoscopy: bool
    code_status: str
    activity_share: float


# Facilities: Burnley's ED closed in 2007 [src:elht-sites]; Chorley has no type 1 ED here (an
# assumption, [src:synthetic-reference-data]); Westmorland General has a UTC [src:uhmbt-catchment].
# WGH's site code was not captured, so "RTXWG" is made up and flagged synthetic; "RTXBU" for
# Furness is flagged unconfirmed [src:ods-furness-westmorland].
SITES: tuple[SiteSpec, ...] = (
    SiteSpec(
        "02", "RXN", "Royal Preston Hospital", "PR2 9HT", True, True, True, True, True,
        "confirmed", 0.75,
    ),
    SiteSpec(
        "01", "RXN", "Chorley and South Ribble Hospital", "PR7 1PP", False, True, True, False,
        True, "confirmed", 0.25,
    ),
    SiteSpec(
        "01", "RXL", "Blackpool Victoria Hospital", "FY3 8NR", True, True, True, True, True,
        "confirmed", 1.0,
    ),
    SiteSpec(
        "20", "RXR", "Royal Blackburn Teaching Hospital", "BB2 3HH", True, True, True, True, True,
        "confirmed", 0.7,
    ),
    SiteSpec(
        "10", "RXR", "Burnley General Teaching Hospital", "BB10 2PQ", False, True, True, False,
        True, "confirmed", 0.3,
    ),
    SiteSpec(
        "02", "RTX", "Royal Lancaster Infirmary", "LA1 4RP", True, True, True, True, True,
        "confirmed", 0.5,
    ),
    SiteSpec(
        "BU", "RTX", "Furness General Hospital", "LA14 4LF", True, True, True, False, True,
        "unconfirmed", 0.35,
    ),
    SiteSpec(
        "WG", "RTX", "Westmorland General Hospital", "LA9 7RG", False, True, False, False, True,
        "synthetic", 0.15,
    ),
)  # fmt: skip

TRUSTS = ("RXN", "RXL", "RXR", "RTX")

#: Share of regional activity by trust (catchments: UHMBT ~370k [src:uhmbt-catchment], Blackpool
#: ~350k [src:blackpool-catchment]).
TRUST_ACTIVITY_SHARE = {"RXN": 0.30, "RXL": 0.21, "RXR": 0.31, "RTX": 0.18}

# Road minutes between real sites, keyed by (site, site) in either order: planning estimates
# without a public source (Furness-Preston 95, Preston-Blackpool 35, ...) [src:site-travel-times].
_TRAVEL_MINUTES = {
    ("RXN02", "RXN01"): 20, ("RXN02", "RXL01"): 35, ("RXN02", "RXR20"): 25,
    ("RXN02", "RXR10"): 35, ("RXN02", "RTX02"): 35, ("RXN02", "RTXBU"): 95,
    ("RXN02", "RTXWG"): 50, ("RXN01", "RXL01"): 45, ("RXN01", "RXR20"): 30,
    ("RXN01", "RXR10"): 40, ("RXN01", "RTX02"): 50, ("RXN01", "RTXBU"): 110,
    ("RXN01", "RTXWG"): 65, ("RXL01", "RXR20"): 45, ("RXL01", "RXR10"): 50,
    ("RXL01", "RTX02"): 50, ("RXL01", "RTXBU"): 105, ("RXL01", "RTXWG"): 60,
    ("RXR20", "RXR10"): 20, ("RXR20", "RTX02"): 50, ("RXR20", "RTXBU"): 110,
    ("RXR20", "RTXWG"): 60, ("RXR10", "RTX02"): 55, ("RXR10", "RTXBU"): 115,
    ("RXR10", "RTXWG"): 65, ("RTX02", "RTXBU"): 60, ("RTX02", "RTXWG"): 30,
    ("RTXBU", "RTXWG"): 50,
}  # fmt: skip

# Head counts per trust for one region copy: (staff_group, grade) -> {trust: count}.
# ~111 consultant radiologists incl. 19 IRs (5 at ELHT, [src:elht-radiology-rota]); registrars
# mostly at the training sites RXN/RXR/RTX; 520 radiographers; 50 reporting radiographers; 54
# endoscopists [src:synthetic-reference-data].
_HEADCOUNTS: dict[tuple[str, str], dict[str, int]] = {
    ("radiologist", "consultant"): {"RXN": 34, "RXL": 20, "RXR": 24, "RTX": 14},
    ("radiologist", "sas"): {"RXN": 2, "RXL": 3, "RXR": 2, "RTX": 2},
    ("radiologist", "st1"): {"RXN": 3, "RXL": 0, "RXR": 2, "RTX": 2},
    ("radiologist", "st2"): {"RXN": 3, "RXL": 1, "RXR": 2, "RTX": 1},
    ("radiologist", "st3"): {"RXN": 3, "RXL": 1, "RXR": 2, "RTX": 2},
    ("radiologist", "st4"): {"RXN": 3, "RXL": 1, "RXR": 3, "RTX": 1},
    ("radiologist", "st5"): {"RXN": 3, "RXL": 0, "RXR": 2, "RTX": 1},
    ("interventional_radiologist", "consultant"): {"RXN": 7, "RXL": 4, "RXR": 5, "RTX": 3},
    ("interventional_radiologist", "st5"): {"RXN": 1, "RXL": 0, "RXR": 1, "RTX": 0},
    ("interventional_radiologist", "st6"): {"RXN": 2, "RXL": 0, "RXR": 0, "RTX": 0},
    ("radiographer", "band_5"): {"RXN": 60, "RXL": 39, "RXR": 52, "RTX": 32},
    ("radiographer", "band_6"): {"RXN": 60, "RXL": 38, "RXR": 53, "RTX": 31},
    ("radiographer", "band_7"): {"RXN": 36, "RXL": 24, "RXR": 33, "RTX": 20},
    ("radiographer", "band_8a"): {"RXN": 10, "RXL": 7, "RXR": 9, "RTX": 5},
    ("radiographer", "band_8b"): {"RXN": 3, "RXL": 2, "RXR": 2, "RTX": 2},
    ("radiographer", "band_8c"): {"RXN": 1, "RXL": 0, "RXR": 1, "RTX": 0},
    ("reporting_radiographer", "band_7"): {"RXN": 12, "RXL": 8, "RXR": 11, "RTX": 8},
    ("reporting_radiographer", "band_8a"): {"RXN": 3, "RXL": 2, "RXR": 3, "RTX": 2},
    ("reporting_radiographer", "band_8b"): {"RXN": 1, "RXL": 0, "RXR": 0, "RTX": 0},
    ("medical_endoscopist", "consultant"): {"RXN": 10, "RXL": 7, "RXR": 9, "RTX": 7},
    ("medical_endoscopist", "sas"): {"RXN": 1, "RXL": 1, "RXR": 1, "RTX": 1},
    ("medical_endoscopist", "st4"): {"RXN": 1, "RXL": 0, "RXR": 1, "RTX": 0},
    ("non_medical_endoscopist", "band_7"): {"RXN": 3, "RXL": 2, "RXR": 3, "RTX": 2},
    ("non_medical_endoscopist", "band_8a"): {"RXN": 2, "RXL": 2, "RXR": 2, "RTX": 2},
}

# Nurses of the out-of-hours teams, per trust: IR nurses at the IR-suite sites (RCR IR-802 names
# an on-call IR nurse, [src:rcr-ir-oncall]) and endoscopy nurses at the endoscopy units (the
# GI-bleed team); drawn from their own random stream (see ``generate_reference_frames``).
# (staff_group, grade, competency, site facility) -> {trust: count} [src:synthetic-reference-data].
_NURSE_HEADCOUNTS: dict[tuple[str, str, str, str], dict[str, int]] = {
    ("nurse", "band_5", "ir_nursing", "has_ir_suite"): {"RXN": 4, "RXL": 2, "RXR": 3, "RTX": 2},
    ("nurse", "band_6", "ir_nursing", "has_ir_suite"): {"RXN": 5, "RXL": 4, "RXR": 4, "RTX": 4},
    ("nurse", "band_5", "endoscopy_nursing", "has_endoscopy"): {
        "RXN": 6, "RXL": 4, "RXR": 5, "RTX": 5,
    },
    ("nurse", "band_6", "endoscopy_nursing", "has_endoscopy"): {
        "RXN": 6, "RXL": 4, "RXR": 5, "RTX": 5,
    },
    ("nurse", "band_7", "endoscopy_nursing", "has_endoscopy"): {
        "RXN": 2, "RXL": 1, "RXR": 2, "RTX": 2,
    },
}  # fmt: skip


class _Rota(NamedTuple):
    """One documented OOH rota of the synthetic data (see :data:`_ROTAS`).

    Attributes:
        group, grades: who may be a member.
        competencies: what every member holds.
        facility: ``sites`` column a member's base site must have (``None``: any site).
        sizes: members per (real) trust.
        from_holders: members come only from staff already holding the competencies (a team
            defined in the data, e.g. the IR nurses), not from the whole group.
    """

    group: str
    grades: tuple[str, ...]
    competencies: tuple[str, ...]
    facility: str | None
    sizes: dict[str, int]
    from_holders: bool = False


# Out-of-hours rotas as the sources describe them: who holds each on-call follows the rota, not
# an independent draw.
# * General (CT) radiology on-call: East Lancashire's consultant rota is 1 in 20 (rising to 1 in
#   22) [src:elht-radiology-rota]; the other trusts' rotas are assumed inside the published range
#   from 1 in 7-8 [src:radiology-oncall-typical] to East Lancashire's 1 in 22.
# * IR: East Lancashire runs a separate IR rota of its five IRs [src:elht-radiology-rota]; every
#   consultant IR of the other trusts is assumed on their trust's rota (4 to 6 IRs may run a rota,
#   fewer than 4 should network [src:rcr-ir-staffing]). A 24/7 IR rota covers vascular and
#   non-vascular emergencies [src:ir-ooh-indications], so its members hold both.
# * Thrombectomy at Royal Preston: enough IRs "to fulfil the rota requirements"
#   [src:preston-thrombectomy], read as six (a 1-in-6 rota [src:rcr-ir-oncall]).
# * GI bleed, IR radiographers, IR nurses, endoscopy nurses: no published rota size was found;
#   the sizes are assumptions [src:ooh-team-assumptions].
# Members are drawn from the trust's staff of the group and grades, under-60s first (older
# consultants more often leave the on-call), at the site facility the rota needs.
_ROTAS: tuple[_Rota, ...] = (
    _Rota("radiologist", ("consultant",), ("ct_reporting",), None,
          {"RXN": 22, "RXL": 16, "RXR": 20, "RTX": 12}),
    _Rota("interventional_radiologist", ("consultant",), ("vascular_ir", "non_vascular_ir"),
          "has_ir_suite", {"RXN": 7, "RXL": 4, "RXR": 5, "RTX": 3}),
    _Rota("interventional_radiologist", ("consultant",), ("thrombectomy",), "has_ir_suite",
          {"RXN": 6}),
    _Rota("medical_endoscopist", ("consultant",), ("gi_bleed_therapy",), None,
          {"RXN": 8, "RXL": 6, "RXR": 7, "RTX": 6}),
    _Rota("radiographer", ("band_6", "band_7"), ("ir_radiography",), "has_ir_suite",
          {"RXN": 8, "RXL": 6, "RXR": 7, "RTX": 6}),
    _Rota("nurse", ("band_5", "band_6"), ("ir_nursing",), "has_ir_suite",
          {"RXN": 8, "RXL": 6, "RXR": 6, "RTX": 5}, from_holders=True),
    _Rota("nurse", ("band_5", "band_6", "band_7"), ("endoscopy_nursing",), "has_endoscopy",
          {"RXN": 8, "RXL": 6, "RXR": 7, "RTX": 7}, from_holders=True),
)  # fmt: skip

#: Groups and grades whose ``ooh_eligible`` is membership of a :data:`_ROTAS` rota alone; other
#: staff (radiographers, who also work nights; registrars; SAS doctors) keep the drawn value.
_ROTA_GRADES = {
    ("radiologist", "consultant"),
    ("interventional_radiologist", "consultant"),
    ("medical_endoscopist", "consultant"),
    ("nurse", "band_5"),
    ("nurse", "band_6"),
    ("nurse", "band_7"),
}

# Age distributions over AGE_BANDS. Consultants: 34 % aged 50+ [src:nw-consultant-age].
_AGE_PROFILES = {
    "consultant": (0, 0, 0.03, 0.16, 0.23, 0.24, 0.16, 0.11, 0.06, 0.01, 0),
    "sas": (0, 0, 0.05, 0.15, 0.2, 0.2, 0.2, 0.12, 0.08, 0, 0),
    "registrar": (0, 0.35, 0.45, 0.15, 0.05, 0, 0, 0, 0, 0, 0),
    "band_5": (0.3, 0.35, 0.15, 0.08, 0.05, 0.03, 0.02, 0.02, 0, 0, 0),
    "band_6": (0.02, 0.25, 0.25, 0.17, 0.12, 0.08, 0.06, 0.04, 0.01, 0, 0),
    "senior_afc": (0, 0.03, 0.1, 0.17, 0.2, 0.18, 0.15, 0.11, 0.05, 0.01, 0),
}

#: Age bands in which consultants more often leave the on-call.
_OLDER_BANDS = ("60-64", "65-69", "70 and over")

# Funded vacancy rate (vacant / establishment) by staff group: ~10 % radiographers
# [src:radiographer-vacancy], 22-25 % consultant radiologists and IRs (below the RCR shortfall,
# [src:rcr-census], [src:rcr-ir-shortfall]).
_VACANCY_RATE = {
    "radiographer": 0.10,
    "reporting_radiographer": 0.12,
    "radiologist": 0.22,
    "interventional_radiologist": 0.25,
    "medical_endoscopist": 0.12,
    "non_medical_endoscopist": 0.08,
    "nurse": 0.08,
}

# Annual regional volume (one L&SC copy, year to March 2023), in-hours share, outsourced share.
# Per-capita national rates x 1.7 m: CT ~0.13, MRI ~0.075, NOUS ~0.18, X-ray ~0.4 per person.
_ACTIVITY = {
    # modality: (annual volume, growth per year, ooh share, outsourced share in hours, ooh)
    "ct_head_stroke": (11_000, 0.07, 0.55, 0.05, 0.45),
    "ct_other": (210_000, 0.07, 0.25, 0.18, 0.40),
    "mri": (125_000, 0.075, 0.03, 0.22, 0.10),
    "non_obstetric_ultrasound": (300_000, 0.04, 0.02, 0.02, 0.0),
    "plain_xray": (680_000, 0.02, 0.25, 0.04, 0.06),
    "ir_vascular": (3_200, 0.04, 0.20, 0.0, 0.0),
    "ir_non_vascular": (5_500, 0.04, 0.15, 0.0, 0.0),
    "gastroscopy": (27_000, 0.045, 0.07, 0.0, 0.0),
    "colonoscopy": (20_000, 0.055, 0.004, 0.0, 0.0),
    "flexi_sigmoidoscopy": (6_500, 0.03, 0.0, 0.0, 0.0),
}

_MODALITY_FACILITY = {
    "ct_head_stroke": "has_ed",
    "ct_other": "has_ct",
    "mri": "has_mri",
    "non_obstetric_ultrasound": None,
    "plain_xray": None,
    "ir_vascular": "has_ir_suite",
    "ir_non_vascular": "has_ir_suite",
    "gastroscopy": "has_endoscopy",
    "colonoscopy": "has_endoscopy",
    "flexi_sigmoidoscopy": "has_endoscopy",
}

# Local job titles per trust: (title, staff_group, grade). Spellings differ between trusts and
# some titles are unmapped (staff_group None) so the data-quality notebook has work to show.
_TITLES: dict[str, list[tuple[str, str | None, str | None]]] = {
    "RXN": [
        ("Consultant Radiologist", "radiologist", "consultant"),
        ("Consultant Interventional Radiologist", "interventional_radiologist", "consultant"),
        ("Specialty Doctor - Radiology", "radiologist", "sas"),
        ("StR Clinical Radiology", "radiologist", None),
        ("StR Interventional Radiology", "interventional_radiologist", None),
        ("Radiographer", "radiographer", "band_5"),
        ("Senior Radiographer", "radiographer", "band_6"),
        ("Superintendent Radiographer", "radiographer", "band_7"),
        ("Advanced Practitioner Radiographer", "radiographer", "band_8a"),
        ("Radiology Services Manager", "radiographer", "band_8b"),
        ("Head of Radiography", "radiographer", "band_8c"),
        ("Imaging Directorate Manager", None, None),
        ("Radiology Registrar (LAS)", None, None),
        ("Reporting Radiographer", "reporting_radiographer", "band_7"),
        ("Consultant Radiographer (Reporting)", "reporting_radiographer", "band_8a"),
        ("Consultant Reporting Radiographer", "reporting_radiographer", "band_8b"),
        ("Consultant Gastroenterologist", "medical_endoscopist", "consultant"),
        ("Specialty Doctor Gastroenterology", "medical_endoscopist", "sas"),
        ("StR Gastroenterology", "medical_endoscopist", None),
        ("Clinical Endoscopist", "non_medical_endoscopist", "band_7"),
        ("Nurse Endoscopist", "non_medical_endoscopist", "band_7"),
        ("Lead Nurse Endoscopist", "non_medical_endoscopist", "band_8a"),
        ("Radiographer (Bank)", None, None),
        ("Staff Nurse - Interventional Radiology", "nurse", "band_5"),
        ("Senior Staff Nurse - Interventional Radiology", "nurse", "band_6"),
        ("Staff Nurse - Endoscopy", "nurse", "band_5"),
        ("Senior Staff Nurse - Endoscopy", "nurse", "band_6"),
        ("Endoscopy Sister", "nurse", "band_7"),
    ],
    "RXL": [
        ("Consultant Radiologist", "radiologist", "consultant"),
        ("Consultant Radiologist (Interventional)", "interventional_radiologist", "consultant"),
        ("Speciality Doctor Radiology", "radiologist", "sas"),
        ("Registrar - Radiology", "radiologist", None),
        ("Diagnostic Radiographer", "radiographer", "band_5"),
        ("Diagnostic Radiographer Band 6", "radiographer", "band_6"),
        ("Senior Radiographer", "radiographer", "band_7"),
        ("Senior Radiographer.", None, None),
        ("Modality Lead Radiographer", "radiographer", "band_8a"),
        ("Imaging Manager", "radiographer", "band_8b"),
        ("Radiology Services Manager", "radiographer", "band_8c"),
        ("Reporting Radiographer", "reporting_radiographer", "band_7"),
        ("Advanced Practitioner - Reporting", "reporting_radiographer", "band_8a"),
        ("Consultant Physician & Gastroenterologist", "medical_endoscopist", "consultant"),
        ("Consultant Surgeon (Colorectal)", "medical_endoscopist", "consultant"),
        ("Specialty Doctor Endoscopy", "medical_endoscopist", "sas"),
        ("Clinical Endoscopist", "non_medical_endoscopist", "band_7"),
        ("Advanced Clinical Endoscopist", "non_medical_endoscopist", "band_8a"),
        ("Locum Consultant", None, None),
        ("Radiology Nurse", "nurse", "band_5"),
        ("Radiology Nurse Band 6", "nurse", "band_6"),
        ("Endoscopy Nurse", "nurse", "band_5"),
        ("Endoscopy Nurse Band 6", "nurse", "band_6"),
        ("Endoscopy Unit Manager", "nurse", "band_7"),
    ],
    "RXR": [
        ("Consultant Radiologist", "radiologist", "consultant"),
        ("Consultant Interventional Radiologist", "interventional_radiologist", "consultant"),
        ("Cons. Radiologist", None, None),
        ("Associate Specialist Radiology", "radiologist", "sas"),
        ("Specialty Registrar (Radiology)", "radiologist", None),
        ("Specialty Registrar (IR)", "interventional_radiologist", None),
        ("Radiographer", "radiographer", "band_5"),
        ("Radiographer Band 6", "radiographer", "band_6"),
        ("Radiographer Team Leader", "radiographer", "band_7"),
        ("Senior Radiographer", "radiographer", "band_7"),
        ("Principal Radiographer", "radiographer", "band_8a"),
        ("Imaging Services Lead", "radiographer", "band_8b"),
        ("Imaging Services Manager", "radiographer", "band_8c"),
        ("Head of Imaging", None, None),
        ("Reporting Radiographer", "reporting_radiographer", "band_7"),
        ("Reporting Radiographer - Advanced", "reporting_radiographer", "band_8a"),
        ("Consultant Gastroenterologist", "medical_endoscopist", "consultant"),
        ("Specialty Doctor - Gastro", "medical_endoscopist", "sas"),
        ("Specialty Registrar (Gastroenterology)", "medical_endoscopist", None),
        ("Nurse Endoscopist", "non_medical_endoscopist", "band_7"),
        ("Nurse Endoscopist (Senior)", "non_medical_endoscopist", "band_8a"),
        ("Endoscopist", None, None),
        ("Staff Nurse (IR)", "nurse", "band_5"),
        ("Staff Nurse (IR) Band 6", "nurse", "band_6"),
        ("Staff Nurse (Endoscopy)", "nurse", "band_5"),
        ("Senior Staff Nurse (Endoscopy)", "nurse", "band_6"),
        ("Endoscopy Charge Nurse", "nurse", "band_7"),
    ],
    "RTX": [
        ("Consultant Radiologist", "radiologist", "consultant"),
        ("Consultant IR", "interventional_radiologist", "consultant"),
        ("Specialty Doctor (Radiology)", "radiologist", "sas"),
        ("Radiology Trainee", "radiologist", None),
        ("Radiographer", "radiographer", "band_5"),
        ("Radiographer - Specialist", "radiographer", "band_6"),
        ("Senior Radiographer", "radiographer", "band_6"),
        ("Lead Radiographer", "radiographer", "band_7"),
        ("Imaging Practitioner", None, None),
        ("Modality Manager", "radiographer", "band_8a"),
        ("Radiology Manager", "radiographer", "band_8b"),
        ("Head of Imaging Services", "radiographer", "band_8c"),
        ("Reporting Radiographer", "reporting_radiographer", "band_7"),
        ("Reporting Radiographer (8a)", "reporting_radiographer", "band_8a"),
        ("Consultant Gastroenterologist", "medical_endoscopist", "consultant"),
        ("Consultant Physician (Gastro)", "medical_endoscopist", "consultant"),
        ("Specialty Doctor Gastro", "medical_endoscopist", "sas"),
        ("Clinical Endoscopist", "non_medical_endoscopist", "band_7"),
        ("Clinical Endoscopist 8A", "non_medical_endoscopist", "band_8a"),
        ("Endoscopy Practitioner", None, None),
        ("Registered Nurse - Radiology", "nurse", "band_5"),
        ("Radiology Sister", "nurse", "band_6"),
        ("Registered Nurse - Endoscopy", "nurse", "band_5"),
        ("Endoscopy Nurse Specialist", "nurse", "band_6"),
        ("Endoscopy Ward Manager", "nurse", "band_7"),
    ],
}


# The staff groups an unmapped title plausibly belongs to (used only to pick titles).
_UNMAPPED_TITLE_GROUPS: dict[str, tuple[str, ...]] = {
    "Imaging Directorate Manager": ("radiographer",),
    "Radiographer (Bank)": ("radiographer", "reporting_radiographer"),
    "Radiology Registrar (LAS)": ("radiologist",),
    "Senior Radiographer.": ("radiographer",),
    "Locum Consultant": ("radiologist", "interventional_radiologist", "medical_endoscopist"),
    "Cons. Radiologist": ("radiologist", "interventional_radiologist"),
    "Head of Imaging": ("radiographer",),
    "Endoscopist": ("medical_endoscopist", "non_medical_endoscopist"),
    "Imaging Practitioner": ("radiographer", "reporting_radiographer"),
    "Endoscopy Practitioner": ("non_medical_endoscopist",),
}


def write_reference_data(out_dir: Path, seed: int = 20260401, scale: float = 1.0) -> list[Path]:
    """Generate the synthetic reference datasets and write them as CSV files.

    Args:
        out_dir: folder to write ``<dataset>.csv`` files to (created if missing).
        seed: random seed; the same seed and scale give byte-identical files.
        scale: size of the region; ``1`` is L&SC, ``20`` is twenty synthetic copies (the
            benchmark dataset), values below 1 shrink staff and activity (minimum one person
            per non-empty cell).

    Returns:
        The written file paths, in ``DATASET_NAMES`` order.

    Raises:
        ValueError: if ``scale`` is not positive.
    """
    frames = generate_reference_frames(seed=seed, scale=scale)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in DATASET_NAMES:
        paths.append(write_table(frames[name], out_dir / f"{name}.csv"))
    return paths


def generate_reference_frames(seed: int = 20260401, scale: float = 1.0) -> dict[str, pl.DataFrame]:
    """Generate every reference dataset in memory (see ``write_reference_data``).

    Args:
        seed: random seed.
        scale: size of the region (see ``write_reference_data``).

    Returns:
        Dataset name to frame, with the column order of ``data_contracts/README.md``.

    Raises:
        ValueError: if ``scale`` is not positive.
    """
    if not scale > 0:
        raise ValueError(f"scale must be positive, not {scale}")
    rng = np.random.default_rng(seed)
    copies = max(1, round(scale))
    factor = scale / copies
    sites = _make_sites(copies)
    travel = _make_travel_times(sites)
    titles = _make_local_job_titles(sites)
    staff = _make_staff(rng, sites, titles, factor)
    competencies = _make_competencies(rng, staff)
    vacancies = _make_vacancies(rng, staff)
    activity = _make_activity(rng, sites, factor)
    hours = _make_service_hours(sites)
    # The nurses and the rotas draw from their own stream, so the other datasets keep theirs.
    rota_rng = np.random.default_rng(np.random.SeedSequence(seed).spawn(1)[0])
    nurses, nurse_competencies = _make_nurses(rota_rng, sites, titles, factor, staff)
    staff = pl.concat([staff, nurses])
    vacancies = pl.concat([vacancies, _make_vacancies(rota_rng, nurses)]).sort(
        "trust_code", "staff_group", "grade"
    )
    staff, competencies = _assign_rotas(
        rota_rng, staff, pl.concat([competencies, nurse_competencies]), sites, factor
    )
    leave = _make_leave(rng, staff)
    return {
        "sites": _site_columns(sites),
        "site_travel_times": travel,
        "staff_in_post": staff,
        "staff_competencies": competencies,
        "vacancies": vacancies,
        "activity": activity,
        "service_hours": hours,
        "leave": leave,
        "local_job_titles": titles,
    }


def _copy_trust_code(trust: str, copy: int) -> str:
    """Return the trust code of ``trust`` in region copy ``copy`` (copy 0 keeps real codes)."""
    return trust if copy == 0 else f"Z{copy:02d}{trust[-1]}"


def _make_sites(copies: int) -> pl.DataFrame:
    rows = []
    for copy in range(copies):
        for spec in SITES:
            trust = _copy_trust_code(spec.trust, copy)
            rows.append(
                {
                    "site_code": trust + spec.suffix,
                    "trust_code": trust,
                    "site_name": spec.name if copy == 0 else f"{spec.name} (synthetic copy {copy})",
                    "postcode": spec.postcode,
                    "has_ed": spec.has_ed,
                    "has_ct": spec.has_ct,
                    "has_mri": spec.has_mri,
                    "has_ir_suite": spec.has_ir_suite,
                    "has_endoscopy": spec.has_endoscopy,
                    "code_status": spec.code_status if copy == 0 else "synthetic",
                    "copy": copy,
                    "activity_share": spec.activity_share,
                    "real_site": spec.trust + spec.suffix,
                    "real_trust": spec.trust,
                }
            )
    return pl.DataFrame(rows)


def _site_columns(sites: pl.DataFrame) -> pl.DataFrame:
    """Drop the generator's helper columns from the sites frame."""
    return sites.drop("copy", "activity_share", "real_site", "real_trust")


def _make_travel_times(sites: pl.DataFrame) -> pl.DataFrame:
    rows = []
    records = sites.select("site_code", "copy", "real_site").rows()
    for from_code, from_copy, from_real in records:
        for to_code, to_copy, to_real in records:
            if from_code == to_code:
                continue
            if from_real == to_real:
                minutes = 0
            else:
                pair = (from_real, to_real)
                minutes = _TRAVEL_MINUTES.get(pair) or _TRAVEL_MINUTES[(to_real, from_real)]
            if from_copy != to_copy:
                # Synthetic copies sit side by side: a fixed cross-region leg keeps it symmetric.
                minutes += 90 + 15 * abs(from_copy - to_copy)
            rows.append((from_code, to_code, minutes))
    return pl.DataFrame(
        rows,
        schema={"from_site": pl.String, "to_site": pl.String, "minutes": pl.Int64},
        orient="row",
    )


def _make_local_job_titles(sites: pl.DataFrame) -> pl.DataFrame:
    rows = []
    for trust, real in sites.select("trust_code", "real_trust").unique(maintain_order=True).rows():
        for title, group, grade in _TITLES[real]:
            rows.append((trust, title, group, grade))
    return pl.DataFrame(
        rows,
        schema={
            "trust_code": pl.String,
            "local_job_title": pl.String,
            "staff_group": pl.String,
            "grade": pl.String,
        },
        orient="row",
    )


def _age_profile(grade: str) -> tuple[float, ...]:
    if grade == "consultant":
        return _AGE_PROFILES["consultant"]
    if grade == "sas":
        return _AGE_PROFILES["sas"]
    if grade.startswith("st"):
        return _AGE_PROFILES["registrar"]
    if grade in ("band_5", "band_6"):
        return _AGE_PROFILES[grade]
    return _AGE_PROFILES["senior_afc"]


def _pick_title(
    rng: np.random.Generator,
    titles: list[tuple[str, str | None, str | None]],
    group: str,
    grade: str,
) -> str:
    """Choose a local title: the exact mapping when one exists, sometimes an unmapped title."""
    exact = [t for t, g, gr in titles if g == group and gr == grade]
    by_group = [t for t, g, gr in titles if g == group and gr is None]
    unmapped = [t for t, g, _ in titles if g is None]
    candidates = exact or by_group or [t for t, g, _ in titles if g == group]
    if unmapped and rng.random() < 0.04:
        chosen = str(rng.choice(unmapped))
        # Keep unmapped titles plausible for the person (a bank radiographer, a locum doctor).
        plausible = [t for t in unmapped if group in _UNMAPPED_TITLE_GROUPS.get(t, ())]
        if chosen in plausible:
            return chosen
        if plausible:
            return plausible[unmapped.index(chosen) % len(plausible)]
        return candidates[0]
    return str(rng.choice(candidates))


def _wte(rng: np.random.Generator, group: str, grade: str) -> float:
    """Whole-time equivalent: consultants 10-12 PAs or LTFT; AfC staff ~30 % part-time."""
    medical = grade in MEDICAL_GRADES
    if medical:
        if grade.startswith("st"):
            return float(rng.choice([1.0, 0.8, 0.6], p=[0.85, 0.12, 0.03]))
        pas = rng.choice([6, 7, 8, 9, 10, 11, 12], p=[0.03, 0.03, 0.06, 0.05, 0.5, 0.23, 0.1])
        return round(pas / 10, 2)
    if rng.random() < (0.32 if group == "radiographer" else 0.2):
        hours = rng.choice([15.0, 18.75, 22.5, 24.0, 30.0, 33.75])
        return round(hours / 37.5, 2)
    return 1.0


def _start_date(rng: np.random.Generator, grade: str, age_band: str) -> dt.date:
    """Start in post: registrars within their rotation, others within their plausible career."""
    if grade.startswith("st"):
        years_back = rng.uniform(0, 1.5)
    else:
        low = 20 if age_band == "Under 25" else int(age_band[:2]) if age_band[0].isdigit() else 70
        max_years = max(0.5, low - (30 if grade in MEDICAL_GRADES else 21))
        years_back = rng.uniform(0, min(max_years, 25))
    days = int(years_back * 365.25) + 1
    return REFERENCE_AS_AT - dt.timedelta(days=days)


def _ooh_eligible(rng: np.random.Generator, group: str, grade: str, age_band: str) -> bool:
    """Drawn OOH availability; :func:`_assign_rotas` replaces it for the rota groups."""
    older = age_band in _OLDER_BANDS
    if grade == "consultant":
        probability = 0.55 if older else 0.93
        if group == "medical_endoscopist":
            probability = 0.4 if older else 0.7
    elif grade == "sas":
        probability = 0.5
    elif grade in ("st1", "st2"):
        probability = 0.3
    elif grade.startswith("st"):
        probability = 0.95
    elif group == "radiographer":
        probability = {"band_5": 0.9, "band_6": 0.9, "band_7": 0.6}.get(grade, 0.05)
    else:
        probability = 0.05
    return bool(rng.random() < probability)


def _make_staff(
    rng: np.random.Generator, sites: pl.DataFrame, titles: pl.DataFrame, factor: float
) -> pl.DataFrame:
    site_rows = sites.select(
        "site_code", "trust_code", "real_trust", "activity_share", "has_ir_suite", "has_ed"
    ).rows(named=True)
    title_map: dict[str, list[tuple[str, str | None, str | None]]] = {}
    for trust, title, group, grade in titles.rows():
        title_map.setdefault(trust, []).append((title, group, grade))
    trusts = sites.select("trust_code", "real_trust").unique(maintain_order=True).rows()
    posts = []
    for trust, real in trusts:
        trust_sites = [s for s in site_rows if s["trust_code"] == trust]
        for (group, grade), per_trust in _HEADCOUNTS.items():
            base = per_trust[real]
            count = 0 if base == 0 else max(1, round(base * factor))
            for _ in range(count):
                posts.append((trust, group, grade, _pick_site(rng, trust_sites, group)))
    # About 2 % of people also hold a sessional post (same role) in a neighbouring trust.
    n_people = len(posts)
    ids = rng.choice(900_000, size=n_people, replace=False) + 100_000
    second = sorted(rng.choice(n_people, size=int(0.02 * n_people), replace=False).tolist())
    trust_sites_of = {t: [s for s in site_rows if s["trust_code"] == t] for t, _ in trusts}
    trust_codes = [t for t, _ in trusts]
    rows = []
    for person, (trust, group, grade, site) in enumerate(posts):
        age_band = str(rng.choice(AGE_BANDS, p=_age_profile(grade)))
        person_posts = [(trust, site, _wte(rng, group, grade))]
        if person in second:
            other = trust_codes[(trust_codes.index(trust) + 1) % len(trust_codes)]
            other_site = _pick_site(rng, trust_sites_of[other], group)
            person_posts.append((other, other_site, float(rng.choice([0.1, 0.2, 0.3]))))
        for post_trust, post_site, wte in person_posts:
            rows.append(
                {
                    "post_id": "",
                    "staff_id": f"S{ids[person]:06d}",
                    "trust_code": post_trust,
                    "base_site": post_site,
                    "local_job_title": _pick_title(rng, title_map[post_trust], group, grade),
                    "staff_group": group,
                    "grade": grade,
                    "wte": wte,
                    "age_band": age_band,
                    "start_date": _start_date(rng, grade, age_band),
                    "ooh_eligible": _ooh_eligible(rng, group, grade, age_band),
                }
            )
    for index, row in enumerate(rows):
        row["post_id"] = f"P{index + 1:07d}"
    return pl.DataFrame(rows).with_columns(pl.col("start_date").cast(pl.Date))


def _pick_site(rng: np.random.Generator, trust_sites: list[dict], group: str) -> str:
    """Base site: IRs at IR-suite sites, doctors mostly at the main site, others by activity."""
    if group == "interventional_radiologist":
        candidates = [s for s in trust_sites if s["has_ir_suite"]] or trust_sites
    else:
        candidates = trust_sites
    weights = np.array([s["activity_share"] for s in candidates], dtype=float)
    return str(candidates[int(rng.choice(len(candidates), p=weights / weights.sum()))]["site_code"])


def _make_competencies(rng: np.random.Generator, staff: pl.DataFrame) -> pl.DataFrame:
    found: dict[str, set[str]] = {}
    for staff_id, group, grade in staff.select("staff_id", "staff_group", "grade").rows():
        comps = found.setdefault(staff_id, set())
        comps.update(_competencies_for(rng, group, grade))
    rows = [(sid, comp) for sid, comps in found.items() for comp in COMPETENCIES if comp in comps]
    return pl.DataFrame(rows, schema={"staff_id": pl.String, "competency": pl.String}, orient="row")


def _competencies_for(rng: np.random.Generator, group: str, grade: str) -> set[str]:
    """Competencies consistent with the staff group and grade."""

    def maybe(name: str, probability: float) -> set[str]:
        return {name} if rng.random() < probability else set()

    comps: set[str] = set()
    senior_trainee = grade in ("st3", "st4", "st5", "st6")
    if group == "radiologist":
        comps |= {"plain_film_reporting"}
        if grade in ("consultant", "sas") or senior_trainee:
            comps |= {"ct_reporting"}
        comps |= maybe("neuro_ct", 0.35 if grade == "consultant" else 0.15 * senior_trainee)
        comps |= maybe("mri_reporting", 0.6 if grade == "consultant" else 0.2)
        comps |= maybe("ultrasound", 0.5)
    elif group == "interventional_radiologist":
        kind = rng.choice(["both", "vascular", "non_vascular"], p=[0.7, 0.15, 0.15])
        comps |= {"ct_reporting", "plain_film_reporting", "ultrasound"}
        if kind in ("both", "vascular"):
            comps.add("vascular_ir")
        if kind in ("both", "non_vascular"):
            comps.add("non_vascular_ir")
        comps |= maybe("neuro_ct", 0.2)
    elif group == "radiographer":
        comps |= {"general_radiography"}
        comps |= maybe("ct_scanning", 0.3 if grade == "band_5" else 0.65)
        comps |= maybe("mri_scanning", 0.1 if grade == "band_5" else 0.3)
        comps |= maybe("ultrasound", 0.12 if grade != "band_5" else 0.0)
    elif group == "reporting_radiographer":
        comps |= {"general_radiography", "plain_film_reporting"}
        comps |= maybe("ct_reporting", 0.2)
        comps |= maybe("ct_scanning", 0.5)
    elif group == "medical_endoscopist":
        comps |= {"ogd"}
        comps |= maybe("colonoscopy", 0.8)
        comps |= maybe("flexi_sigmoidoscopy", 0.85)
        comps |= maybe("gi_bleed_therapy", 0.7 if grade == "consultant" else 0.3)
    elif group == "non_medical_endoscopist":
        comps |= maybe("ogd", 0.75)
        comps |= maybe("colonoscopy", 0.4)
        comps |= {"flexi_sigmoidoscopy"}
    return comps


def _make_nurses(
    rng: np.random.Generator,
    sites: pl.DataFrame,
    titles: pl.DataFrame,
    factor: float,
    staff: pl.DataFrame,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The nurses of the OOH teams (:data:`_NURSE_HEADCOUNTS`) and their competencies.

    Post ids continue after ``staff``'s; staff ids avoid ``staff``'s. Each nurse is based at a
    site of their trust with the facility of their team (by activity share).
    """
    site_rows = sites.rows(named=True)
    taken = set(staff.get_column("staff_id").to_list())
    first_post = staff.height + 1
    rows, competencies = [], []
    for trust, real in sites.select("trust_code", "real_trust").unique(maintain_order=True).rows():
        trust_titles = [(t, g, gr) for tr, t, g, gr in titles.rows() if tr == trust]
        for (group, grade, competency, facility), per_trust in _NURSE_HEADCOUNTS.items():
            base = per_trust.get(real, 0)
            team_sites = [s for s in site_rows if s["trust_code"] == trust and s[facility]]
            if base == 0 or not team_sites:
                continue
            area = ("Endoscopy",) if competency == "endoscopy_nursing" else ("Radiology", "IR")
            names = [t for t, g, gr in trust_titles if g == group and gr == grade]
            names = [t for t in names if any(a in t for a in area)] or names
            weights = np.array([s["activity_share"] for s in team_sites], dtype=float)
            for _ in range(max(1, round(base * factor))):
                staff_id = f"S{int(rng.integers(100_000, 1_000_000)):06d}"
                while staff_id in taken:
                    staff_id = f"S{int(rng.integers(100_000, 1_000_000)):06d}"
                taken.add(staff_id)
                site = team_sites[int(rng.choice(len(team_sites), p=weights / weights.sum()))]
                age_band = str(rng.choice(AGE_BANDS, p=_age_profile(grade)))
                rows.append(
                    {
                        "post_id": f"P{first_post + len(rows):07d}",
                        "staff_id": staff_id,
                        "trust_code": trust,
                        "base_site": site["site_code"],
                        "local_job_title": str(rng.choice(names)),
                        "staff_group": group,
                        "grade": grade,
                        "wte": _wte(rng, group, grade),
                        "age_band": age_band,
                        "start_date": _start_date(rng, grade, age_band),
                        "ooh_eligible": False,
                    }
                )
                competencies.append((staff_id, competency))
    nurses = pl.DataFrame(rows, schema=staff.schema) if rows else staff.clear()
    return nurses, pl.DataFrame(
        competencies, schema={"staff_id": pl.String, "competency": pl.String}, orient="row"
    )


def _assign_rotas(
    rng: np.random.Generator,
    staff: pl.DataFrame,
    competencies: pl.DataFrame,
    sites: pl.DataFrame,
    factor: float,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Put people on the documented OOH rotas (:data:`_ROTAS`).

    For each rota and trust, the members are drawn from the trust's staff of the rota's group
    and grades based at a site with the rota's facility, under-60s first; each member holds the
    rota's competencies and is ``ooh_eligible``. Staff of :data:`_ROTA_GRADES` on no rota are
    not ``ooh_eligible`` (their day-work competencies stay); other staff keep their drawn value.

    Returns:
        ``(staff, competencies)`` with the rotas applied (competency rows in staff order, then
        :data:`COMPETENCIES` order).
    """
    site_info = {row["site_code"]: row for row in sites.rows(named=True)}
    real_trust = {row["trust_code"]: row["real_trust"] for row in site_info.values()}
    people = staff.group_by("staff_id", maintain_order=True).first()
    members: set[str] = set()
    held: dict[str, set[str]] = {}
    for staff_id, competency in competencies.rows():
        held.setdefault(staff_id, set()).add(competency)
    for rota in _ROTAS:
        pool = people.filter(
            (pl.col("staff_group") == rota.group) & pl.col("grade").is_in(list(rota.grades))
        ).rows(named=True)
        if rota.from_holders:
            pool = [p for p in pool if held.get(p["staff_id"], set()) >= set(rota.competencies)]
        for trust in sorted({p["trust_code"] for p in pool}):
            size = rota.sizes.get(real_trust[trust], 0)
            candidates = [
                p
                for p in pool
                if p["trust_code"] == trust
                and (rota.facility is None or site_info[p["base_site"]][rota.facility])
            ]
            if size == 0 or not candidates:
                continue
            order = rng.permutation(len(candidates))
            ranked = sorted(
                (candidates[i] for i in order), key=lambda p: p["age_band"] in _OLDER_BANDS
            )
            for person in ranked[: max(1, round(size * factor))]:
                members.add(person["staff_id"])
                held.setdefault(person["staff_id"], set()).update(rota.competencies)
    on_rota = pl.col("staff_id").is_in(sorted(members))
    rota_grade = pl.concat_str("staff_group", "grade", separator="/").is_in(
        [f"{g}/{gr}" for g, gr in sorted(_ROTA_GRADES)]
    )
    staff = staff.with_columns(
        ooh_eligible=pl.when(on_rota)
        .then(True)
        .when(rota_grade)
        .then(False)
        .otherwise(pl.col("ooh_eligible"))
    )
    rows = [
        (sid, comp)
        for sid in people.get_column("staff_id").to_list()
        for comp in COMPETENCIES
        if comp in held.get(sid, ())
    ]
    return staff, pl.DataFrame(
        rows, schema={"staff_id": pl.String, "competency": pl.String}, orient="row"
    )


def _make_vacancies(rng: np.random.Generator, staff: pl.DataFrame) -> pl.DataFrame:
    in_post = (
        staff.group_by("trust_code", "staff_group", "grade")
        .agg(pl.col("wte").sum().round(2).alias("in_post_wte"))
        .sort("trust_code", "staff_group", "grade")
    )
    rows = []
    for trust, group, grade, wte in in_post.rows():
        if grade.startswith("st"):
            rate = rng.uniform(-0.05, 0.1)  # training numbers: near establishment
        else:
            rate = max(-0.05, rng.normal(_VACANCY_RATE[group], 0.05))
        establishment = round(wte / (1 - rate), 2)
        rows.append((trust, group, grade, establishment, wte, round(establishment - wte, 2)))
    return pl.DataFrame(
        rows,
        schema={
            "trust_code": pl.String,
            "staff_group": pl.String,
            "grade": pl.String,
            "establishment_wte": pl.Float64,
            "in_post_wte": pl.Float64,
            "vacant_wte": pl.Float64,
        },
        orient="row",
    )


def _month_starts() -> list[dt.date]:
    months = []
    for offset in range(ACTIVITY_MONTHS):
        year = ACTIVITY_START.year + (ACTIVITY_START.month - 1 + offset) // 12
        month = (ACTIVITY_START.month - 1 + offset) % 12 + 1
        months.append(dt.date(year, month, 1))
    return months


def _seasonality(modality: str, month: int) -> float:
    """Monthly multiplier: winter peak for ED-driven imaging, summer/Christmas dips elsewhere."""
    if modality in ("ct_head_stroke", "ct_other", "plain_xray"):
        return 1.0 + 0.06 * math.cos(2 * math.pi * (month - 1) / 12)
    dips = {8: 0.9, 12: 0.85, 4: 0.95}
    return dips.get(month, 1.02)


#: Columns and types of the ``activity`` dataset as generated.
ACTIVITY_SCHEMA = {
    "month": pl.Date,
    "trust_code": pl.String,
    "site_code": pl.String,
    "modality": pl.String,
    "period": pl.String,
    "examinations": pl.Int64,
    "outsourced_reports": pl.Int64,
}


def _make_activity(rng: np.random.Generator, sites: pl.DataFrame, factor: float) -> pl.DataFrame:
    months = _month_starts()
    rows = []
    for site in sites.rows(named=True):
        trust_share = TRUST_ACTIVITY_SHARE[site["real_trust"]] * site["activity_share"]
        for modality in MODALITIES:
            facility = _MODALITY_FACILITY[modality]
            if facility is not None and not site[facility]:
                continue
            volume, growth, ooh_share, out_in, out_ooh = _ACTIVITY[modality]
            if modality.startswith("ir_"):
                # IR activity concentrates at the hub sites; stroke CT only at ED sites.
                share = TRUST_ACTIVITY_SHARE[site["real_trust"]]
            else:
                share = trust_share
            if not site["has_ed"]:
                ooh_share *= 0.2
            for index, month in enumerate(months):
                mean = (
                    volume * factor * share / 12 * (1 + growth) ** (index / 12)
                    * _seasonality(modality, month.month)
                )  # fmt: skip
                for period, period_share, outsourced in (
                    ("in_hours", 1 - ooh_share, out_in * (1 + 0.01 * index)),
                    ("ooh", ooh_share, out_ooh),
                ):
                    exams = int(rng.poisson(mean * period_share))
                    reports = int(rng.binomial(exams, min(outsourced, 0.9)))
                    rows.append(
                        (
                            month,
                            site["trust_code"],
                            site["site_code"],
                            modality,
                            period,
                            exams,
                            reports,
                        )
                    )
    return pl.DataFrame(
        rows,
        schema=ACTIVITY_SCHEMA,
        orient="row",
    )


def _make_service_hours(sites: pl.DataFrame) -> pl.DataFrame:
    rows = []
    for site in sites.rows(named=True):
        for modality in MODALITIES:
            facility = _MODALITY_FACILITY[modality]
            if facility is not None and not site[facility]:
                continue
            for day_type in ("weekday", "weekend"):
                open_time, close_time = _opening(modality, day_type, site["has_ed"])
                hours = _hours_between(open_time, close_time)
                rows.append((site["site_code"], modality, day_type, open_time, close_time, hours))
    return pl.DataFrame(
        rows,
        schema={
            "site_code": pl.String,
            "modality": pl.String,
            "day_type": pl.String,
            "open_time": pl.String,
            "close_time": pl.String,
            "hours": pl.Float64,
        },
        orient="row",
    )


def _opening(modality: str, day_type: str, has_ed: bool) -> tuple[str, str]:
    """Opening hours: ED-site CT and X-ray run 24/7; elective services run extended days."""
    weekday = day_type == "weekday"
    if modality in ("ct_head_stroke", "ct_other", "plain_xray") and has_ed:
        return ("00:00", "24:00")
    if modality in ("ct_other", "plain_xray"):
        return ("08:00", "20:00") if weekday else ("09:00", "17:00")
    if modality == "mri":
        return ("08:00", "20:00") if weekday else ("08:00", "16:00")
    if modality.startswith("ir_"):
        return ("08:00", "18:00") if weekday else ("00:00", "00:00")
    if modality == "non_obstetric_ultrasound":
        return ("08:00", "18:00") if weekday else ("09:00", "13:00")
    return ("08:00", "18:00") if weekday else ("08:30", "12:30")


def _hours_between(open_time: str, close_time: str) -> float:
    def minutes(text: str) -> int:
        hours, mins = text.split(":")
        return int(hours) * 60 + int(mins)

    return round((minutes(close_time) - minutes(open_time)) / 60, 2)


def _make_leave(rng: np.random.Generator, staff: pl.DataFrame) -> pl.DataFrame:
    """Leave over the planning year from the as-at date: annual ~6 weeks pro rata, study, sickness.

    Blocks for one person never overlap; they are placed on working days (Monday starts).
    """
    year_start = REFERENCE_AS_AT
    people = (
        staff.group_by("staff_id", maintain_order=True)
        .agg(pl.col("wte").sum().clip(upper_bound=1.0), pl.col("grade").first())
        .rows()
    )
    rows = []
    for staff_id, wte, grade in people:
        medical = grade in MEDICAL_GRADES
        blocks: list[tuple[str, int]] = []
        annual_days = round(30 * wte)  # ~6 weeks full time, pro rata [src:synthetic-reference-data]
        while annual_days > 0:
            length = min(annual_days, int(rng.choice([5, 5, 5, 10, 3, 2, 1])))
            blocks.append(("annual", length))
            annual_days -= length
        study_days = 10 if medical else int(rng.choice([0, 2, 3, 5]))
        while study_days > 0:
            length = min(study_days, int(rng.choice([1, 2, 3, 5])))
            blocks.append(("study", length))
            study_days -= length
        for _ in range(int(rng.poisson(0.9))):
            blocks.append(("sickness", int(rng.choice([1, 2, 3, 5]))))
        if rng.random() < 0.04:
            blocks.append(("sickness", 5 * int(rng.integers(4, 13))))
        if rng.random() < 0.1:
            blocks.append(("other", int(rng.choice([1, 2]))))
        rows.extend(_place_blocks(rng, staff_id, blocks, year_start))
    return pl.DataFrame(
        rows,
        schema={
            "staff_id": pl.String,
            "start_date": pl.Date,
            "end_date": pl.Date,
            "leave_type": pl.String,
        },
        orient="row",
    ).sort("staff_id", "start_date")


def _place_blocks(
    rng: np.random.Generator, staff_id: str, blocks: list[tuple[str, int]], year_start: dt.date
) -> list[tuple[str, dt.date, dt.date, str]]:
    """Place working-day blocks in free Monday-start weeks inside the planning year."""
    first_monday = year_start + dt.timedelta(days=(7 - year_start.weekday()) % 7)
    free = [True] * _LEAVE_WEEKS
    placed = []
    for leave_type, days in sorted(blocks, key=lambda b: -b[1]):
        weeks = max(1, math.ceil(days / 5))
        starts = [w for w in range(_LEAVE_WEEKS - weeks + 1) if all(free[w : w + weeks])]
        if not starts:
            continue
        week = starts[int(rng.integers(len(starts)))]
        free[week : week + weeks] = [False] * weeks
        start = first_monday + dt.timedelta(weeks=week)
        offset = 0 if days >= 5 else int(rng.integers(0, 5 - days + 1))
        start += dt.timedelta(days=offset)
        # Whole weeks run Monday to Friday; the end date is the last working day.
        full_weeks, extra = divmod(days, 5)
        span = 7 * full_weeks - 2 if extra == 0 else 7 * full_weeks + extra
        end = start + dt.timedelta(days=span - 1)
        placed.append((staff_id, start, end, leave_type))
    return placed
