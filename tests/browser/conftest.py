"""Fixtures for the browser checks: a published reference refresh and a headless Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from lsc_workforce import run

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def reference_outputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Outputs folder with one successful refresh of the reference data (shared per session).

    Uses the same folder as ``tests/refresh/conftest.py``, so the refresh runs once even when
    both folders are collected.
    """
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
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()
