"""The ``lsc-workforce rota check`` subcommand, registered by ``lsc_workforce.cli``.

``lsc_workforce.cli`` calls :func:`register_cli` when it builds its parser; the work is done
by :func:`lsc_workforce.ooh.check.check_rota_file`.
"""

from __future__ import annotations

import argparse

from lsc_workforce.config import CONFIG_DIR, REFERENCE_DATA_DIR

__all__ = ["register_cli"]

_EXIT_TEXT = """\
exit codes:
  0  the rota is compliant with the preset
  1  breaches were found (each printed with its dates and the rule's source)
  2  unusable input (missing file or columns, bad dates, unknown staff, shift, service or
     preset) or invalid configuration (every file is checked first, as by `validate`)
"""


def _cmd_rota_check(args: argparse.Namespace) -> int:
    from lsc_workforce.ooh.check import check_rota_file  # noqa: PLC0415 - keeps --help fast

    return check_rota_file(
        args.rota,
        args.preset,
        service_id=args.service,
        data_dir=args.data_dir,
        config_dir=args.config_dir,
    )


def register_cli(subparsers: argparse._SubParsersAction) -> None:
    """Add ``rota check ROTA.csv --preset NAME [--service ID] [--data-dir DIR]``."""
    rota = subparsers.add_parser(
        "rota",
        help="out-of-hours rota tools (check an existing rota)",
        description="Out-of-hours rota tools.",
    )
    actions = rota.add_subparsers(dest="rota_command", metavar="ACTION")
    actions.required = True
    check = actions.add_parser(
        "check",
        help="audit an existing rota against a rule preset",
        description=(
            "Check a rota a trust already runs (CSV/Parquet/XLSX with columns staff_id, date, "
            "shift; shift ids from the service's pattern in config/ooh/ooh_services.yaml) "
            "against a rule preset from config/ooh/rota_rules.yaml. Prints every breach with "
            "its dates and the rule's source."
        ),
        epilog=_EXIT_TEXT,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check.add_argument("rota", help="rota file: columns staff_id, date (YYYY-MM-DD), shift")
    check.add_argument("--preset", required=True, help="rule preset name, e.g. consultant_on_call")
    check.add_argument("--service", default=None, help="service id (default: from the shifts)")
    check.add_argument(
        "--data-dir",
        default=str(REFERENCE_DATA_DIR),
        help="folder with staff_in_post, staff_competencies and leave (default: data/reference/)",
    )
    check.add_argument(
        "--config-dir", default=str(CONFIG_DIR), help="configuration folder (default: config/)"
    )
    check.set_defaults(handler=_cmd_rota_check)
