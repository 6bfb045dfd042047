"""Project-wide fixtures: one full refresh of the shipped reference data per test session.

Both ``tests/refresh`` and ``tests/browser`` read the published outputs of this refresh, so it
is defined once here and runs at most once per session (it takes a few minutes).
"""

from __future__ import annotations

from pathlib import Path

import pytest


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
