"""Baseline measures on hand-checked toy frames, plus property tests."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lsc_workforce import baseline as b
from lsc_workforce import data
from lsc_workforce.config import ConfigError
from lsc_workforce.demand.supply import stock_by_age

pytestmark = pytest.mark.unit


def _staff() -> pl.DataFrame:
    # Person a holds two posts (0.6 + 0.4 = full time); b is part time; c is in another trust.
    return pl.DataFrame(
        {
            "post_id": ["p1", "p2", "p3", "p4", "p5"],
            "staff_id": ["a", "a", "b", "c", "d"],
            "trust_code": ["RXN", "RXN", "RXN", "RXL", "RXL"],
            "staff_group": ["radiologist"] * 4 + ["radiographer"],
            "grade": ["consultant", "consultant", "sas", "consultant", "band_5"],
            "wte": [0.6, 0.4, 0.5, 1.0, 0.8],
            "age_band": ["55-59", "55-59", "60-64", "Under 25", "50-54"],
        }
    )


def _vacancies() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "trust_code": ["RXN", "RXN", "RXL", "RTX"],
            "staff_group": ["radiologist", "radiologist", "radiologist", "radiologist"],
            "grade": ["consultant", "sas", "consultant", "consultant"],
            "establishment_wte": [2.0, 1.0, 1.0, 0.0],
            "in_post_wte": [1.0, 0.5, 1.2, 0.0],
            "vacant_wte": [1.0, 0.5, -0.2, 0.0],
        }
    )


def test_workforce_counts_people_once_and_sums_wte():
    table = b.summarise_workforce(_staff(), by=["trust_code", "staff_group", "grade"])
    rxn = table.filter(pl.col("trust_code") == "RXN", pl.col("grade") == "consultant").row(
        0, named=True
    )
    assert (rxn["posts"], rxn["headcount"]) == (2, 1)
    assert rxn["wte"] == pytest.approx(1.0)
    region = b.summarise_workforce(_staff(), by=[])
    assert region.row(0) == (5, 4, pytest.approx(3.3))


def test_rows_follow_reporting_order_of_groups_and_grades():
    table = b.summarise_workforce(_staff(), by=["staff_group", "grade"])
    assert table.get_column("staff_group").to_list() == [
        "radiographer",
        "radiologist",
        "radiologist",
    ]
    assert table.get_column("grade").to_list() == ["band_5", "consultant", "sas"]


def test_vacancy_rate_is_vacant_over_establishment_and_null_when_unfunded():
    table = b.summarise_vacancies(_vacancies(), by=["trust_code"])
    rates = dict(zip(table["trust_code"], table["vacancy_rate"], strict=True))
    assert rates["RXN"] == pytest.approx(1.5 / 3.0)
    assert rates["RXL"] == pytest.approx(-0.2)  # over establishment
    assert rates["RTX"] is None


@pytest.mark.parametrize(
    ("band", "start_age", "expected"),
    [
        ("55-59", 56, 0.8),
        ("60-64", 56, 1.0),
        ("50-54", 56, 0.0),
        ("55-59", 55, 1.0),
        ("55-59", 60, 0.0),
        ("Under 25", 21, 0.8),
        ("70 and over", 72, 0.6),
    ],
)
def test_near_retirement_fraction_of_a_band(band, start_age, expected):
    frame = pl.DataFrame({"age_band": [band]})
    value = frame.select(b.near_retirement_fraction_expr(start_age)).item()
    assert value == pytest.approx(expected)


def _label_ages(band: str) -> tuple[int, int]:
    """The ages a band's label names, as [lo, hi): open-ended bands read as five years."""
    if band.startswith("Under "):
        top = int(band.removeprefix("Under "))
        return top - 5, top
    if band.endswith(" and over"):
        bottom = int(band.removesuffix(" and over"))
        return bottom, bottom + 5
    low, high = band.split("-")
    return int(low), int(high) + 1


def test_age_bands_are_defined_once_half_open_and_match_their_labels():
    assert b.AGE_BANDS is data.AGE_BAND_AGES
    assert tuple(data.AGE_BAND_AGES) == data.AGE_BANDS
    assert data.AGE_BAND_AGES["Under 25"] == (20, 25)
    assert data.AGE_BAND_AGES["25-29"] == (25, 30)
    assert data.AGE_BAND_AGES["70 and over"] == (70, 75)
    for band, ages in data.AGE_BAND_AGES.items():
        assert ages == _label_ages(band), band
    edges = list(data.AGE_BAND_AGES.values())
    assert all(high == low for (_, high), (low, _) in zip(edges, edges[1:], strict=False))


@pytest.mark.parametrize("band", data.AGE_BANDS)
def test_baseline_and_supply_read_a_band_as_the_same_half_open_ages(band):
    low, high = data.AGE_BAND_AGES[band]
    frame = pl.DataFrame({"age_band": [band]})
    # Baseline: the window starting at the band's first age holds all of it, at ``high`` none.
    assert frame.select(b.near_retirement_fraction_expr(low)).item() == pytest.approx(1.0)
    assert frame.select(b.near_retirement_fraction_expr(high)).item() == pytest.approx(0.0)
    assert frame.select(b.near_retirement_fraction_expr(high - 1)).item() == pytest.approx(
        1 / (high - low)
    )
    # Supply: one person spread evenly over exactly the ages low .. high - 1.
    person = pl.DataFrame(
        {
            "trust_code": ["T1"],
            "staff_group": ["radiographer"],
            "grade": ["band_5"],
            "age_band": [band],
            "wte": [1.0],
        }
    )
    spread = stock_by_age(person)
    assert spread["age"].to_list() == list(range(low, high))
    assert spread["headcount"].to_list() == pytest.approx([1 / (high - low)] * (high - low))


def test_retirement_risk_hand_checked():
    # RXN radiologists: a (55-59 -> 0.8) and b (60-64 -> 1.0) with 61 - 5 = 56.
    table = b.summarise_retirement_risk(_staff(), b.BaselineParams(), by=["trust_code"])
    rxn = table.filter(pl.col("trust_code") == "RXN").row(0, named=True)
    assert rxn["headcount"] == 2
    assert rxn["near_retirement"] == pytest.approx(1.8)
    assert rxn["near_retirement_share"] == pytest.approx(0.9)
    # Retirement age is a parameter: at 66 the window starts at 61, so only 3/5 of b counts.
    later = b.summarise_retirement_risk(_staff(), b.BaselineParams(retirement_age=66), by=[])
    assert later.item(0, "near_retirement") == pytest.approx(0.8)


def test_unknown_age_band_is_named():
    staff = _staff().with_columns(pl.lit("60+").alias("age_band"))
    with pytest.raises(ValueError, match=r"unknown age band \['60\+'\]"):
        b.summarise_retirement_risk(staff)


def test_part_time_uses_total_wte_of_the_person():
    table = b.summarise_part_time(_staff(), by=["trust_code"])
    rows = {r["trust_code"]: r for r in table.iter_rows(named=True)}
    assert (rows["RXN"]["headcount"], rows["RXN"]["part_time"]) == (2, 1)  # a is 0.6 + 0.4
    assert rows["RXL"]["part_time_share"] == pytest.approx(0.5)  # d at 0.8


def test_age_profile_has_every_band_and_shares_sum_to_one():
    table = b.summarise_age_profile(_staff(), by=["staff_group"])
    assert table.height == 2 * len(b.AGE_BANDS)
    assert table.filter(pl.col("staff_group") == "radiologist")["age_band"].to_list() == list(
        b.AGE_BANDS
    )
    sums = table.group_by("staff_group").agg(pl.col("share").sum())
    assert sums["share"].to_list() == pytest.approx([1.0, 1.0])


def test_baseline_summary_joins_every_measure_and_keeps_unstaffed_groups():
    table = b.summarise_baseline(_staff(), _vacancies(), by=["trust_code"])
    assert table.columns == [
        "trust_code",
        "headcount",
        "wte",
        "establishment_wte",
        "vacant_wte",
        "vacancy_rate",
        "part_time_share",
        "near_retirement_share",
    ]
    rtx = table.filter(pl.col("trust_code") == "RTX").row(0, named=True)
    assert rtx["headcount"] == 0
    assert rtx["vacancy_rate"] is None


def test_describe_baseline_states_the_region_totals():
    text = b.describe_baseline(_staff(), _vacancies())
    assert "**4 people**" in text
    assert "**3.3 WTE**" in text
    assert "vacancy rate of **32%**" in text  # 1.3 / 4.0


@pytest.mark.parametrize(
    "kwargs", [{"retirement_age": 30}, {"window_years": 0}, {"full_time_wte": 2.0}]
)
def test_params_reject_out_of_range(kwargs):
    with pytest.raises(ConfigError):
        b.BaselineParams(**kwargs)


people = st.lists(
    st.tuples(
        st.sampled_from(["RXN", "RXL", "RXR", "RTX"]),
        st.sampled_from(list(b.AGE_BANDS)),
        st.floats(min_value=0.1, max_value=1.5),
    ),
    min_size=1,
    max_size=40,
)


@settings(max_examples=60, deadline=None)
@given(people=people, retirement_age=st.floats(min_value=50, max_value=70))
def test_property_trust_totals_add_up_to_region(people, retirement_age):
    staff = pl.DataFrame(
        {
            "staff_id": [f"S{i}" for i in range(len(people))],
            "trust_code": [p[0] for p in people],
            "staff_group": ["radiographer"] * len(people),
            "grade": ["band_6"] * len(people),
            "age_band": [p[1] for p in people],
            "wte": [p[2] for p in people],
        }
    )
    params = b.BaselineParams(retirement_age=retirement_age)
    by_trust = b.summarise_retirement_risk(staff, params, by=["trust_code"])
    region = b.summarise_retirement_risk(staff, params, by=[])
    assert by_trust["headcount"].sum() == region.item(0, "headcount") == len(people)
    assert by_trust["near_retirement"].sum() == pytest.approx(region.item(0, "near_retirement"))
    assert 0.0 <= region.item(0, "near_retirement_share") <= 1.0
    # A later retirement age can only reduce the number near retirement.
    later = b.summarise_retirement_risk(
        staff, b.BaselineParams(retirement_age=min(retirement_age + 3, 75)), by=[]
    )
    assert later.item(0, "near_retirement") <= region.item(0, "near_retirement") + 1e-9
    workforce = b.summarise_workforce(staff, by=["trust_code"])
    assert workforce["wte"].sum() == pytest.approx(sum(p[2] for p in people))


def test_select_in_post_drops_posts_starting_after_as_at():
    staff = pl.DataFrame(
        {
            "staff_id": ["a", "b", "c"],
            "start_date": [dt.date(2020, 1, 1), dt.date(2026, 4, 1), dt.date(2026, 4, 2)],
        }
    )
    kept = b.select_in_post(staff, dt.date(2026, 4, 1))
    assert kept["staff_id"].to_list() == ["a", "b"]
