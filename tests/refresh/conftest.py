"""Shared fixtures: one full refresh of the reference data, reused by every test in the session."""

from __future__ import annotations

from pathlib import Path

import pytest

from lsc_workforce import run


def published_reference_outputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Outputs folder holding one successful refresh of the shipped reference data.

    The refresh runs once per session; the browser tests' conftest finds the same folder.
    """
    outputs = tmp_path_factory.getbasetemp() / "reference_refresh" / "outputs"
    if run.published_run(outputs) is None:
        result = run.refresh(None, None, outputs)
        assert result.success, result.message
    return outputs


@pytest.fixture(scope="session")
def reference_outputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The outputs folder of the session's reference refresh."""
    return published_reference_outputs(tmp_path_factory)
