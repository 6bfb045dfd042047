"""The IR and GI-bleed reconciliation agrees with the demand tables and every page showing it."""

import datetime as dt

import polars as pl
import pytest

from lsc_workforce import gap_publication
from lsc_workforce import key_figures as kf
from lsc_workforce.config import CONFIG_DIR, NOTEBOOKS_DIR, REFERENCE_DATA_DIR
from lsc_workforce.demand import analysis
from lsc_workforce.tables import format_value

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def results():
    inputs = analysis.load_inputs(REFERENCE_DATA_DIR, CONFIG_DIR)
    return analysis.analyse(inputs, analysis.DemandSettings(draws=20), dt.date(2026, 4, 1))


def test_reconciliation_matches_the_gap_and_the_rota_sizes(results):
    recon = results.reconciliation
    assert sorted(recon["service"].unique().to_list()) == ["gi_bleed_oncall", "ir_oncall"]
    assert recon.height == 8  # four trusts, two services
    # The resulting requirement is the larger of the rota floor and the workload need ...
    larger = recon.select(pl.max_horizontal("rota_floor_wte", "workload_wte")).to_series()
    assert (recon["required_wte"] - larger).abs().max() < 1e-9
    binds = pl.when(recon["rota_floor_wte"] > recon["workload_wte"]).then(pl.lit("rota"))
    assert (
        recon["binds"].to_list()
        == recon.select(binds.otherwise(pl.lit("workload"))).to_series().to_list()
    )
    # ... and the same number as today's gap table.
    joined = recon.join(
        results.gap_today.select("trust_code", "staff_group", "required_wte", "gap_wte"),
        on=["trust_code", "staff_group"],
        suffix="_gap",
    )
    assert (joined["required_wte"] - joined["required_wte_gap"]).abs().max() < 1e-9
    assert (joined["gap_wte"] - joined["gap_wte_gap"]).abs().max() < 1e-9
    # The rota people are those of the published rota sizes (trust by trust, 1 in 6).
    sizes = results.rota_sizes.filter(pl.col("scenario") == "trust_by_trust").select(
        "trust_code", "service", "people_needed", "competent_staff"
    )
    both = recon.join(sizes, on=["trust_code", "service"])
    assert both.height == 8
    assert (both["rota_people"] == both["people_needed"]).all()
    assert (both["competent_staff"] == both["competent_staff_right"]).all()


#: Notebooks that show the reconciliation and the calls that show it.
NOTEBOOK_CALLS = {
    "20_demand_capacity.ipynb": ("show_table(results.reconciliation)", "describe_reconciliation("),
    "30_ooh_rota.ipynb": ("ooh.reconciliation(cfg)", "show_table(reconciliation"),
    "40_training_pipeline.ipynb": ("reconciliation_today(", "describe_reconciliation("),
    "50_training_gap_report.ipynb": ("reconciliation_today(", "describe_reconciliation("),
}


def test_every_page_that_uses_the_reconciliation_shows_the_same_numbers(results, tmp_path):
    recon = results.reconciliation
    # Notebooks 40 and 50 (and 30) compute it by the same path as notebook 20 ...
    again = analysis.reconciliation_today(REFERENCE_DATA_DIR, CONFIG_DIR, dt.date(2026, 4, 1))
    assert again.equals(recon)
    # ... the key figures are read from the table notebook 20 publishes ...
    analysis.write_outputs(results, tmp_path / "demand")
    figures = pl.DataFrame(kf.demand_figures(tmp_path))
    sums = recon.group_by("service").agg(pl.col("rota_people", "required_wte").sum())
    for service, people, required in sums.iter_rows():
        assert kf.figure_value(figures, f"rota_people__{service}") == pytest.approx(people)
        assert kf.figure_value(figures, f"rota_required_wte__{service}") == pytest.approx(required)
        # ... notebook text and report section show them with their units ...
        text = analysis.describe_reconciliation(recon)
        assert f"need {people:,.0f} people" in text
        assert f"requirement is {required:,.1f} WTE" in text
        section = gap_publication.rota_floor_section(figures)
        assert f"need {format_value(people, 'count')} people" in section
        assert f"is {format_value(required, 'wte')} WTE" in section
    # ... and each names the other pages, which the figures list as showing them.
    for page in kf.RECONCILIATION_PAGES:
        assert (figures["shown_on"].str.split(";").list.contains(page)).all()
        if page != kf.REPORT:
            assert f'href="../{page}"' in section
    assert all(what in text for what in kf.RECONCILIATION_PAGES.values())
    for name, calls in NOTEBOOK_CALLS.items():
        source = (NOTEBOOKS_DIR / name).read_text(encoding="utf-8")
        assert all(call in source for call in calls), name


def test_the_report_has_no_rota_section_without_the_demand_figures():
    assert gap_publication.rota_floor_section(pl.DataFrame(schema=kf.SCHEMA)) == ""
