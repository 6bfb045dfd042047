"""Our notebooks are committed clean: no outputs, a tagged parameters cell of typed literals."""

from __future__ import annotations

import ast
import json
import re

import nbformat
import pytest

from lsc_workforce import run
from lsc_workforce.config import REPO_DIR, ConfigError, SolverSettings, notebook_config
from lsc_workforce.config_checks import notebook_parameters

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
    path = REPO_DIR / "notebooks" / f"{name}.ipynb"
    raw = json.loads(path.read_text(encoding="utf-8"))
    assert all("id" in cell for cell in raw["cells"])  # nbformat 4.5 cell ids, none missing
    nb = nbformat.read(path, as_version=4)
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
    cfg = notebook_config("data/reference", "config", tmp_path / "out", "2026-04-01")
    assert cfg.data_dir == REPO_DIR / "data" / "reference"
    assert cfg.output_dir.is_dir()
    assert cfg.solver == SolverSettings()
    with pytest.raises(ConfigError, match="ISO 8601"):
        notebook_config("data/reference", "config", tmp_path, "01/04/2026")
    with pytest.raises(ConfigError, match="is not a folder"):
        notebook_config(tmp_path / "missing", "config", tmp_path, "2026-04-01")


def test_notebook_config_carries_the_notebooks_solver_settings(tmp_path):
    settings = SolverSettings(solver="cbc", time_limit_s=5.0, threads=1)
    cfg = notebook_config("data/reference", "config", tmp_path, "2026-04-01", solver=settings)
    assert cfg.solver is settings
    with pytest.raises(ConfigError, match="solver must be SolverSettings"):
        notebook_config("data/reference", "config", tmp_path, "2026-04-01", solver="highs")


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_takes_its_config_and_solver_from_notebook_config(name):
    """The setup cell calls ``config.notebook_config``; solver settings live in ``cfg.solver``."""
    nb = nbformat.read(REPO_DIR / "notebooks" / f"{name}.ipynb", as_version=4)
    code = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "code")
    assert "from lsc_workforce.config import" in code
    assert "notebook_config(" in code
    assert "lsc_workforce.run" not in code
    tree = ast.parse(code)
    nodes = list(ast.walk(tree))
    passed = [  # what each notebook_config(..., solver=...) call passes
        ast.unparse(kw.value)
        for node in nodes
        if isinstance(node, ast.Call) and ast.unparse(node.func) == "notebook_config"
        for kw in node.keywords
        if kw.arg == "solver"
    ]
    settings_calls = [
        node
        for node in nodes
        if isinstance(node, ast.Call) and ast.unparse(node.func) == "SolverSettings"
    ]
    for node in nodes:
        if not (isinstance(node, ast.Assign) and node.value in settings_calls):
            continue
        # ``solver = SolverSettings(...)`` feeds notebook_config and nothing else.
        (target,) = (ast.unparse(t) for t in node.targets)
        assert passed == [target], name
        uses = [n for n in nodes if isinstance(n, ast.Name) and n.id == target]
        assert len(uses) == 2, f"{name}: use cfg.solver, not {target}"
    assigned = [node.value for node in nodes if isinstance(node, ast.Assign)]
    for call in settings_calls:  # no SolverSettings(...) handed to a package function directly
        assert any(call is value for value in assigned) or ast.unparse(call) in passed, name


@pytest.mark.parametrize("name", ["00_data_quality", "10_workforce_baseline"])
def test_defaults_are_what_the_refresh_passes(name):
    """Opened in Jupyter and run with its defaults (but ``OUTPUT_DIR``), the notebook computes
    what a refresh of the shipped configuration publishes: each default is the value the
    refresh passes. (``benchmarks/slow_checks.py defaults`` runs both ways and compares.)"""
    config = run.RefreshConfig.from_yaml()
    (spec,) = [spec for spec in config.notebooks if spec.name == name]
    declared = {key: p.default for key, p in notebook_parameters(spec.path).items()}
    assert REPO_DIR / declared["DATA_DIR"] == config.data_dir
    assert REPO_DIR / declared["CONFIG_DIR"] == config.config_dir
    assert declared["AS_AT"] == config.as_at.isoformat()
    assert declared.get("INTERNAL_OUTPUTS", False) == config.internal_outputs
    for key, value in spec.parameters.items():
        assert declared[key] == value, key
