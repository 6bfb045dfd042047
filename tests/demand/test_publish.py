"""What the demand analysis publishes: small groups' leave is not given away."""

from types import SimpleNamespace

import polars as pl
import pytest

from lsc_workforce.demand.analysis import publishable_tables
from lsc_workforce.privacy import SuppressionRule

pytestmark = pytest.mark.unit


def test_mean_leave_of_a_small_rota_pool_is_blanked():
    sizes = pl.DataFrame(
        {
            "trust_code": ["RXL", "RXN"],
            "competent_staff": [2, 33],
            "leave_days_per_person": [38.5, 45.5],
        }
    )
    supply = pl.DataFrame({"year": [2026], "leavers_headcount": [12.0], "leavers_wte": [11.0]})
    results = SimpleNamespace(
        tables=lambda: {"rota_sizes": sizes, "supply_projection_by_grade": supply}
    )
    out = publishable_tables(results, SuppressionRule())["rota_sizes"]
    assert out["leave_days_per_person"].to_list() == [None, 45.5]
    assert out["competent_staff"].to_list() == [2, 33]  # who may hold a rota is not personal
