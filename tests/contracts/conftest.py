"""Shared fixtures for the data-contract tests: the committed reference data, loaded once."""

import polars as pl
import pytest

from lsc_workforce.config import REFERENCE_DATA_DIR
from lsc_workforce.data import load_datasets


@pytest.fixture(scope="session")
def reference_frames() -> dict[str, pl.DataFrame]:
    return load_datasets(REFERENCE_DATA_DIR)


@pytest.fixture
def frames(reference_frames) -> dict[str, pl.DataFrame]:
    """A fresh dict of the reference frames (polars frames are immutable; the dict is not)."""
    return dict(reference_frames)
