"""Fixtures for the loader tests (``reference_frames`` is in tests/conftest.py)."""

from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "data"


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES
