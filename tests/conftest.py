"""Project-wide fixtures, each built at most once per test session.

* ``reference_frames``: the shipped reference datasets, loaded once (data, contracts and demand
  tests read them);
* ``reference_outputs``: one full refresh of the reference data, whose published outputs both
  ``tests/refresh`` and ``tests/browser`` read (it takes a few minutes).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from lsc_workforce.config import REFERENCE_DATA_DIR
from lsc_workforce.data import load_datasets


@pytest.fixture(scope="session")
def reference_frames() -> dict[str, pl.DataFrame]:
    """The committed reference datasets (every one), loaded once through the DATA loader."""
    return load_datasets(REFERENCE_DATA_DIR)


@pytest.fixture(scope="session")
def reference_outputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Outputs folder holding one successful refresh of the shipped reference data."""
    # Imported here so collecting the other test folders does not load papermill and nbconvert.
    from lsc_workforce import run  # noqa: PLC0415

    outputs = tmp_path_factory.getbasetemp() / "reference_refresh" / "outputs"
    if run.published_run(outputs) is None:
        result = run.refresh(None, None, outputs)
        assert result.success, result.message
    return outputs
