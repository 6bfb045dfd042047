"""The collection hook in tests/conftest.py: every test carries exactly one kind marker."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]
pytestmark = pytest.mark.unit

CONFTEST = Path(__file__).resolve().parent / "conftest.py"

SAMPLE = """
import pytest

pytestmark = pytest.mark.unit


def test_one_kind():
    pass


@pytest.mark.slow
def test_one_kind_and_slow():
    pass


@pytest.mark.integration
def test_two_kinds():
    pass
"""


def _conftest():
    """tests/conftest.py as a module of its own (pytest imports every conftest as ``conftest``)."""
    spec = importlib.util.spec_from_file_location("lsc_tests_conftest", CONFTEST)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass
class _Mark:
    name: str


@dataclass
class _Item:
    nodeid: str
    marks: list[str] = field(default_factory=list)

    def iter_markers(self):
        return (_Mark(name) for name in self.marks)


def test_each_offending_test_is_named_with_its_markers():
    conftest = _conftest()
    items = [
        _Item("a.py::test_unit", ["unit"]),
        _Item("a.py::test_slow_notebook", ["slow", "notebooks", "parametrize"]),
        _Item("a.py::test_module_and_own_mark", ["integration", "unit"]),
        _Item("a.py::test_none", []),
        _Item("a.py::test_slow_only", ["slow"]),
    ]
    assert conftest.kind_marker_errors(items) == [
        "a.py::test_module_and_own_mark: 2 kind markers (markers: integration, unit)",
        "a.py::test_none: no kind marker (markers: none)",
        "a.py::test_slow_only: no kind marker (markers: slow)",
    ]
    assert conftest.KIND_MARKERS == ("unit", "integration", "contracts", "notebooks", "browser")


def test_collection_fails_on_a_test_with_no_kind_or_two(pytester):
    pytester.makeconftest(CONFTEST.read_text(encoding="utf-8"))
    pytester.makepyfile(test_sample=SAMPLE, test_bare="def test_bare():\n    pass\n")
    for args in ([], ["-m", "unit"]):  # checked before -m deselects anything
        result = pytester.runpytest("--collect-only", "-q", *args)
        assert result.ret == pytest.ExitCode.USAGE_ERROR
        result.stderr.fnmatch_lines(
            [
                "ERROR: each test needs exactly one kind marker of unit, integration, contracts, "
                "notebooks, browser (slow is an extra marker):",
                "  test_bare.py::test_bare: no kind marker (markers: none)",
                "  test_sample.py::test_two_kinds: 2 kind markers (markers: integration, unit)",
            ]
        )
        assert "test_one_kind" not in result.stderr.str()


def test_collection_passes_when_every_test_has_one_kind(pytester):
    pytester.makeconftest(CONFTEST.read_text(encoding="utf-8"))
    pytester.makepyfile(test_sample=SAMPLE.replace("@pytest.mark.integration\n", ""))
    result = pytester.runpytest("-q")
    result.assert_outcomes(passed=3)
