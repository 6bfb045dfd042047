"""Project-wide fixtures, each built at most once per test session.

* ``reference_frames``: the shipped reference datasets, loaded once (data, contracts and demand
  tests read them);
* ``reference_outputs``: one refresh of the reference data, whose published outputs the
  refresh, notebook and browser tests read. It runs every notebook of ``config/refresh.yaml``
  in order, with the smaller parameters of :data:`TEST_REFRESH_PARAMETERS` (about two minutes);
  the shipped sizes run in ``make run`` and ``benchmarks/refresh.py``;
* ``browser``: Debian's headless Chromium driven by Playwright. One per session, because
  Playwright's sync API cannot start a second instance while one is running.

It also holds the collection hook that gives every test exactly one kind marker (``unit``,
``integration``, ``contracts``, ``notebooks`` or ``browser``; ``slow`` is an extra marker, see
``[tool.pytest.ini_options]`` in pyproject.toml): a test with none or several stops collection
with a usage error naming it and the markers it has.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import polars as pl
import pytest
import yaml

from lsc_workforce.config import CONFIG_DIR, REFERENCE_DATA_DIR
from lsc_workforce.data import load_datasets

#: The kind markers: every test carries exactly one (``slow`` is an extra, not a kind).
KIND_MARKERS = ("unit", "integration", "contracts", "notebooks", "browser")

#: Parameters of the session's refresh that differ from ``config/refresh.yaml``: the same
#: notebooks and code paths on smaller instances (fewer draws, years, weeks and scenarios).
TEST_REFRESH_PARAMETERS: dict[str, dict[str, object]] = {
    "20_demand_capacity": {"HORIZON_YEARS": 3, "DRAWS": 50},
    "30_ooh_rota": {
        "SERVICES": ["ir_oncall"],
        "SCENARIOS": ["trust_by_trust", "network", "ir_two_hubs"],
        "HORIZON_WEEKS": 2,
        "TIME_LIMIT_S": 10.0,
    },
    "40_training_pipeline": {
        "DEMAND_SCENARIOS": ["central"],
        "SCENARIOS": ["status_quo", "optimised"],
        "MONTE_CARLO_DRAWS": 50,
        "SOLVER_TIME_LIMIT_S": 10.0,
        "BUDGET_FACTORS": [1.0],
    },
    "50_training_gap_report": {
        "DEMAND_SCENARIOS": ["central"],
        "SCENARIOS": ["status_quo", "optimised"],
        "MONTE_CARLO_DRAWS": 50,
        "SOLVER_TIME_LIMIT_S": 10.0,
    },
}

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


def small_refresh_config(folder: Path) -> Path:
    """``config/refresh.yaml`` with :data:`TEST_REFRESH_PARAMETERS`, written into ``folder``."""
    config = yaml.safe_load((CONFIG_DIR / "refresh.yaml").read_text(encoding="utf-8"))
    for entry in config["notebooks"]:
        smaller = TEST_REFRESH_PARAMETERS.get(entry["name"], {})
        unknown = sorted(set(smaller) - set(entry.get("parameters") or {}))
        assert not unknown, f"{entry['name']} has no parameter(s) {unknown} to make smaller"
        entry["parameters"] = {**entry["parameters"], **smaller}
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "refresh.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def reference_outputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Outputs folder holding one successful refresh of the shipped reference data."""
    # Imported here so collecting the other test folders does not load papermill and nbconvert.
    from lsc_workforce import run  # noqa: PLC0415

    base = tmp_path_factory.getbasetemp() / "reference_refresh"
    outputs = base / "outputs"
    if run.published_run(outputs) is None:
        result = run.refresh(small_refresh_config(base), None, outputs)
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


def kind_marker_errors(items: Iterable[pytest.Item]) -> list[str]:
    """One line per test that does not carry exactly one kind marker, naming its markers.

    Markers are read with ``item.iter_markers()``, so a module's ``pytestmark``, a class's and
    a test's own decorators all count: a module mixing kinds marks each test instead.
    """
    errors = []
    for item in items:
        names = sorted({mark.name for mark in item.iter_markers()})
        kinds = [name for name in names if name in KIND_MARKERS]
        if len(kinds) != 1:
            problem = "no kind marker" if not kinds else f"{len(kinds)} kind markers"
            errors.append(f"{item.nodeid}: {problem} (markers: {', '.join(names) or 'none'})")
    return errors


@pytest.hookimpl(tryfirst=True)  # before ``-m`` deselects anything
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Refuse to run unless every collected test has exactly one kind marker."""
    errors = kind_marker_errors(items)
    if errors:
        raise pytest.UsageError(
            f"each test needs exactly one kind marker of {', '.join(KIND_MARKERS)} "
            "(slow is an extra marker):\n  " + "\n  ".join(errors)
        )
