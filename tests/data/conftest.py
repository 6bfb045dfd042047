"""Shared fixtures for the loader and reference-data tests."""

from pathlib import Path

import polars as pl
import pytest

from lsc_workforce.config import REFERENCE_DATA_DIR
from lsc_workforce.data import load_datasets

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "data"


@pytest.fixture(scope="session")
def reference_frames() -> dict[str, pl.DataFrame]:
    """The committed reference data, loaded once."""
    return load_datasets(REFERENCE_DATA_DIR)


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES
