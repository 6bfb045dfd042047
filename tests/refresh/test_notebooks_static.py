"""Our notebooks are committed clean: no outputs, a tagged parameters cell of typed literals."""

from __future__ import annotations

import ast
import re

import nbformat
import pytest

from lsc_workforce import run
from lsc_workforce.config import REPO_DIR, ConfigError

pytestmark = pytest.mark.unit

NOTEBOOKS = sorted(path.stem for path in (REPO_DIR / "notebooks").glob("*.ipynb"))


def _is_literal(node: ast.expr) -> bool:
    """A constant, or a list of constants (papermill injects lists as literals too)."""
    if isinstance(node, ast.List):
        return all(isinstance(item, ast.Constant) for item in node.elts)
    return isinstance(node, ast.Constant)


def test_every_notebook_is_checked():
    assert len(NOTEBOOKS) == 6


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_is_clean_and_parameterised(name):
    nb = nbformat.read(REPO_DIR / "notebooks" / f"{name}.ipynb", as_version=4)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert all(not cell.outputs and cell.execution_count is None for cell in code)
    tagged = [cell for cell in code if "parameters" in cell.metadata.get("tags", [])]
    assert len(tagged) == 1
    lines = tagged[0].source.splitlines()
    names = []
    for statement in ast.parse(tagged[0].source).body:
        assert isinstance(statement, ast.AnnAssign), ast.unparse(statement)
        assert _is_literal(statement.value), ast.unparse(statement)  # nothing derived
        target = statement.target.id
        assert target.isupper()
        comment = lines[statement.lineno - 1].partition("  # ")[2]
        assert re.search(r"\(.+\)$", comment), comment  # meaning (unit) comment
        names.append(target)
    assert names[:4] == list(run.RUNNER_PARAMETERS)
    # No definitions or loops in a notebook: logic lives in the package.
    for cell in code:
        tree = ast.parse(cell.source)
        assert not any(
            isinstance(node, ast.FunctionDef | ast.ClassDef | ast.For | ast.While)
            for node in ast.walk(tree)
        ), name


def test_notebook_config_reads_paths_from_repo_root(tmp_path):
    cfg = run.notebook_config("data/reference", "config", tmp_path / "out", "2026-04-01", X=1)
    assert cfg.data_dir == REPO_DIR / "data" / "reference"
    assert cfg.output_dir.is_dir()
    assert cfg.extra == {"X": 1}
    with pytest.raises(ConfigError, match="ISO 8601"):
        run.notebook_config("data/reference", "config", tmp_path, "01/04/2026")
    with pytest.raises(ConfigError, match="is not a folder"):
        run.notebook_config(tmp_path / "missing", "config", tmp_path, "2026-04-01")
