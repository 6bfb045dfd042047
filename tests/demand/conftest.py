"""Shared fixtures of the demand tests."""

from __future__ import annotations

import polars as pl
import pytest

from lsc_workforce.config import REFERENCE_DATA_DIR


@pytest.fixture(scope="session")
def reference_frames() -> dict[str, pl.DataFrame]:
    """The shipped reference datasets the demand model uses, through the DATA loader."""
    from lsc_workforce.data import load_datasets

    names = ("activity", "service_hours", "sites", "staff_in_post", "vacancies")
    return load_datasets(REFERENCE_DATA_DIR, names)
