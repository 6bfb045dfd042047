"""Great Expectations contracts of the demand parameter tables (``data_contracts/demand_*.json``).

Each CSV under ``config/demand/`` has a suite named ``demand_<table>``; the YAML scalars are
checked together as one table (``demand_scalars``). Validation goes through the DATA
engineer's :func:`lsc_workforce.contracts.validate_frame`, so failures are reported the same
way as for the trust extracts.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from lsc_workforce.contracts import ContractReport, validate_frame
from lsc_workforce.demand.parameters import load_scalars

#: Parameter CSVs under ``config/demand/`` and their suites.
PARAMETER_TABLES = {
    "activity_effort": "demand_activity_effort",
    "skill_mix": "demand_skill_mix",
    "radiography": "demand_radiography",
    "supply_flows": "demand_supply_flows",
    "supply_progression": "demand_supply_progression",
    "supply_grade_leavers": "demand_supply_grade_leavers",
    "programmes": "demand_programmes",
}
#: YAML files of named scalars under ``config/demand/``.
SCALAR_FILES = ("job_plan", "forecast", "uncertainty")


def read_parameter_tables(config_dir: Path) -> dict[str, pl.DataFrame]:
    """Read every demand parameter CSV as it is on disk (no validation).

    Args:
        config_dir: the ``config/`` folder.

    Returns:
        Tables by name (see :data:`PARAMETER_TABLES`), plus ``scalars`` (``file``, ``name``,
        ``value``, ``unit``, ``source``, ``status``).
    """
    folder = Path(config_dir) / "demand"
    tables = {
        name: pl.read_csv(folder / f"{name}.csv", comment_prefix="#")
        for name in PARAMETER_TABLES
        if (folder / f"{name}.csv").is_file()
    }
    rows = [
        {
            "file": stem,
            "name": name,
            "value": s.value,
            "unit": s.unit,
            "source": s.source,
            "status": s.status,
        }
        for stem in SCALAR_FILES
        for name, s in load_scalars(folder / f"{stem}.yaml").items()
    ]
    tables["scalars"] = pl.DataFrame(rows)
    return tables


def validate_parameter_tables(config_dir: Path) -> ContractReport:
    """Validate every demand parameter table against its suite.

    Args:
        config_dir: the ``config/`` folder.

    Returns:
        The combined report (``.success``, ``.failures``, ``.summary()``).
    """
    report = ContractReport()
    for name, frame in read_parameter_tables(config_dir).items():
        suite = "demand_scalars" if name == "scalars" else PARAMETER_TABLES[name]
        report.extend(validate_frame(frame, suite))
    return report
