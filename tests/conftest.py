"""Project-wide fixtures, each built at most once per test session.

* ``reference_frames``: the shipped reference datasets, loaded once (data, contracts and demand
  tests read them);
* ``reference_outputs``: one full refresh of the reference data, whose published outputs both
  ``tests/refresh`` and ``tests/browser`` read (it takes a few minutes);
* ``browser``: Debian's headless Chromium driven by Playwright. One per session, because
  Playwright's sync API cannot start a second instance while one is running.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest

from lsc_workforce.config import REFERENCE_DATA_DIR
from lsc_workforce.data import load_datasets

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


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


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's headless Chromium driven by Playwright (never a downloaded browser)."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (CI installs Debian's chromium package)")
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()
