import datetime as dt

import polars as pl
import pytest

from lsc_workforce.demand.years import (
    financial_year,
    financial_year_expr,
    financial_years,
    fy_label,
)

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("day", "year"),
    [
        (dt.date(2026, 3, 31), 2025),
        (dt.date(2026, 4, 1), 2026),
        (dt.date(2026, 12, 31), 2026),
        (dt.date(2027, 1, 1), 2026),
    ],
)
def test_financial_year_boundaries(day, year):
    assert financial_year(day) == year
    frame = pl.DataFrame({"d": [day]}).select(financial_year_expr("d"))
    assert frame.item() == year


def test_financial_years_start_at_the_as_at_year():
    assert financial_years(dt.date(2026, 4, 1), 3) == [2026, 2027, 2028]
    assert financial_years(dt.date(2027, 2, 1), 1) == [2026]
    with pytest.raises(ValueError, match="horizon"):
        financial_years(dt.date(2026, 4, 1), 0)


def test_fy_label():
    assert fy_label(2026) == "2026/27"
    assert fy_label(2099) == "2099/00"
