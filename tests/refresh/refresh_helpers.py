"""Helpers shared by the refresh tests: break one cell of a trust extract."""

from __future__ import annotations

from pathlib import Path

import polars as pl


def break_csv_cell(path: Path, row: int, column: str, value: str) -> None:
    """Rewrite ``path`` with ``column`` of data row ``row`` (0-based) set to the text ``value``.

    The CSV is read as text, so the bad value is written exactly as given.
    """
    frame = pl.read_csv(path, infer_schema=False)
    frame.with_columns(
        pl.when(pl.int_range(pl.len()) == row)
        .then(pl.lit(value))
        .otherwise(pl.col(column))
        .alias(column)
    ).write_csv(path)
