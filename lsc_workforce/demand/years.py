"""NHS financial years (1 April to 31 March) used by every demand and supply projection.

A financial year is identified by the calendar year in which it starts: ``2026`` means
2026/27, 1 April 2026 to 31 March 2027.
"""

from __future__ import annotations

import datetime as dt

import polars as pl


def financial_year(day: dt.date) -> int:
    """Return the NHS financial year (by its starting calendar year) that contains ``day``.

    Args:
        day: any date.

    Returns:
        The starting year, e.g. ``2026`` for any date from 2026-04-01 to 2027-03-31.
    """
    return day.year if day.month >= 4 else day.year - 1


def financial_years(as_at: dt.date, horizon: int) -> list[int]:
    """Return ``horizon`` consecutive financial years, starting with the one containing ``as_at``.

    Args:
        as_at: the planning "as at" date (never the wall clock).
        horizon: number of years, at least 1.

    Returns:
        Starting years in increasing order.

    Raises:
        ValueError: if ``horizon`` is below 1.
    """
    if horizon < 1:
        raise ValueError(f"horizon must be at least 1 year, not {horizon}")
    first = financial_year(as_at)
    return list(range(first, first + horizon))


def fy_label(year: int) -> str:
    """Return the conventional label of a financial year, e.g. ``2026`` -> ``"2026/27"``."""
    return f"{year}/{(year + 1) % 100:02d}"


def financial_year_expr(column: str) -> pl.Expr:
    """Return the financial year (starting calendar year) of a date column as an expression.

    Args:
        column: name of a ``pl.Date`` column.

    Returns:
        An ``Int32`` expression named ``financial_year``.
    """
    day = pl.col(column)
    return (
        pl.when(day.dt.month() >= 4)
        .then(day.dt.year())
        .otherwise(day.dt.year() - 1)
        .cast(pl.Int32)
        .alias("financial_year")
    )
