"""Shared fixtures for the data-contract tests (``reference_frames`` is in tests/conftest.py)."""

import polars as pl
import pytest


@pytest.fixture
def frames(reference_frames) -> dict[str, pl.DataFrame]:
    """A fresh dict of the reference frames (polars frames are immutable; the dict is not)."""
    return dict(reference_frames)
