"""Great Expectations contracts of the demand parameter tables (``data_contracts/demand_*.json``).

Each CSV under ``config/demand/`` has a suite named ``demand_<table>``; the YAML scalars are
checked together as one table (``demand_scalars``). Validation goes through
:func:`lsc_workforce.contracts.validate_frame`, so failures are reported the same
way as for the trust extracts.
"""

from __future__ import annotations

from pathlib import Path

from lsc_workforce.contracts import ContractReport, validate_frame
from lsc_workforce.demand.parameters import PARAMETER_TABLES, read_parameter_tables


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
