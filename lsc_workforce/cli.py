"""The ``lsc-workforce`` console command.

Subcommands::

    lsc-workforce refresh [--data-dir DIR] [--config FILE] [--outputs DIR] [--keep-runs N]
    lsc-workforce validate [--data-dir DIR] [--config-dir DIR] [--out DIR]
    lsc-workforce make-reference-data [--out DIR] [--seed N] [--scale X]
    lsc-workforce rota check ROTA.csv --preset NAME [--service ID] [--data-dir DIR]

Exit codes (the same for every subcommand):

- ``0``: success;
- ``1``: the run or the validation failed (a data contract, a notebook, a lock held by another
  refresh); the message names the problem;
- ``2``: bad usage (unknown option, missing file or folder, invalid configuration).

Errors are printed as one clear message on stderr, never as a Python traceback (pass
``--traceback`` before the subcommand to see one). The package's own errors derive from
:class:`~lsc_workforce.errors.LscWorkforceError`: a ``ConfigError`` (and its subclasses, such as
an unusable rota file) is bad usage, any other is a failure.

Adding subcommands: another part of the package registers its own subparsers with a
``register_cli(subparsers)`` function, called from :func:`build_parser` (``rota check`` comes
from :mod:`lsc_workforce.ooh.cli` this way). Each handler is set with
``parser.set_defaults(handler=fn)``, where ``fn(args) -> int`` returns the exit code.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path

from lsc_workforce.config import CONFIG_DIR, OUTPUTS_DIR, REFERENCE_DATA_DIR, ConfigError
from lsc_workforce.errors import LscWorkforceError
from lsc_workforce.ooh.cli import register_cli as register_rota_cli

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2

EXIT_CODES_TEXT = """\
exit codes:
  0  success
  1  run or validation failure (the message names the problem)
  2  bad usage (unknown option, missing file or folder, invalid configuration)
"""


def _wrap(text: str) -> str:
    return textwrap.fill(text, width=79)


class UsageError(Exception):
    """A command-line argument names something that does not exist or is invalid."""


def _existing_dir(value: str) -> Path:
    path = Path(value)
    if not path.is_dir():
        raise UsageError(f"folder {value} does not exist")
    return path.resolve()


def _cmd_refresh(args: argparse.Namespace) -> int:
    from lsc_workforce.run import RefreshLocked, refresh  # noqa: PLC0415

    if args.config is not None and not Path(args.config).is_file():
        raise UsageError(f"configuration file {args.config} does not exist")
    data_dir = _existing_dir(args.data_dir) if args.data_dir is not None else None
    try:
        result = refresh(
            args.config,
            data_dir,
            args.outputs,
            keep_runs=args.keep_runs,
            progress=not args.no_progress and sys.stderr.isatty(),
        )
    except RefreshLocked as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    if result.success:
        print(f"{result.message} in {result.seconds:.1f} s")
        print(f"outputs: {result.run_dir}")
        return EXIT_OK
    print(f"error: refresh {result.run_id} failed: {result.message}", file=sys.stderr)
    print(f"partial outputs and refresh.log: {result.run_dir}", file=sys.stderr)
    print("outputs/latest was not changed", file=sys.stderr)
    # A notebook that found its configuration or parameters invalid is bad usage, like
    # invalid configuration found before the run.
    return EXIT_USAGE if result.configuration_error else EXIT_FAILURE


def _cmd_validate(args: argparse.Namespace) -> int:
    data_dir = _existing_dir(args.data_dir)
    config_dir = _existing_dir(args.config_dir)

    from lsc_workforce import contracts  # noqa: PLC0415
    from lsc_workforce.config_checks import validate_configuration  # noqa: PLC0415
    from lsc_workforce.data import DataError  # noqa: PLC0415

    # The configuration first, as the refresh does: invalid configuration is exit 2.
    validate_configuration(config_dir)
    print(f"configuration in {config_dir}: valid")

    out_dir = Path(args.out).resolve()
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"--out {args.out} is not a folder")
    page = out_dir / "data_quality.html"
    # Results of an earlier run must not sit beside this run's as if they were current.
    for stale in (out_dir / "validation").glob("*.json"):
        stale.unlink()
    page.unlink(missing_ok=True)
    # load_validated writes validation/*.json and data_quality.html even when a file cannot be
    # read (DataError) or a contract fails (ContractViolation).
    try:
        contracts.load_validated(data_dir, out_dir=out_dir)
    except DataError as exc:
        for line in exc.describe().splitlines():
            print(f"error: {line}", file=sys.stderr)
        print(
            f"error: {len(exc.problems)} problem(s) reading the data in {data_dir}"
            + (f"; details in {page}" if page.is_file() else ""),
            file=sys.stderr,
        )
        return EXIT_FAILURE
    except contracts.ContractViolation as exc:
        print(exc.report.summary())
        print(f"results written to {out_dir}")
        print(
            f"error: {len(exc.report.failures)} data contract failure(s) in {data_dir}; "
            f"details in {page}",
            file=sys.stderr,
        )
        return EXIT_FAILURE
    print(_validation_summary(out_dir))
    print(f"results written to {out_dir}")
    return EXIT_OK


def _validation_summary(out_dir: Path) -> str:
    """The summary of a passed validation, read back from ``validation/summary.json``."""
    from lsc_workforce.contracts import ContractReport  # noqa: PLC0415

    written = json.loads((out_dir / "validation" / "summary.json").read_text(encoding="utf-8"))
    report = ContractReport(
        checked=written.get("checked", {}), cross_checks=written.get("cross_checks", {})
    )
    return report.summary()


def _cmd_make_reference_data(args: argparse.Namespace) -> int:
    from lsc_workforce.synthetic import write_reference_data  # noqa: PLC0415

    if args.scale <= 0:
        raise UsageError(f"--scale must be positive, not {args.scale}")
    paths = write_reference_data(Path(args.out), seed=args.seed, scale=args.scale)
    for path in paths:
        print(path)
    print(f"wrote {len(paths)} files to {Path(args.out).resolve()} (seed {args.seed})")
    return EXIT_OK


def _add_command(
    subparsers: argparse._SubParsersAction, name: str, help_text: str, description: str
) -> argparse.ArgumentParser:
    """Add a subcommand whose --help shows the wrapped description and the exit codes."""
    return subparsers.add_parser(
        name,
        help=help_text,
        description=_wrap(description),
        epilog=EXIT_CODES_TEXT,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def _add_refresh(subparsers: argparse._SubParsersAction) -> None:
    parser = _add_command(
        subparsers,
        "refresh",
        "validate the data, run the notebooks and publish outputs/latest",
        "Validate the trust extracts against the data contracts, execute the notebooks "
        "listed in the refresh configuration with papermill, export them to offline HTML "
        "and publish a fully successful run as OUTPUTS/latest. A failed run keeps its "
        "partial outputs under OUTPUTS/runs/<run_id>/ and leaves latest unchanged.",
    )
    parser.add_argument(
        "--data-dir",
        default=None,
        metavar="DIR",
        help="folder of trust extracts (default: data/reference/)",
    )
    parser.add_argument(
        "--config",
        default=None,
        metavar="FILE",
        help="refresh configuration YAML (default: config/refresh.yaml)",
    )
    parser.add_argument(
        "--outputs",
        default=str(OUTPUTS_DIR),
        metavar="DIR",
        help="outputs folder (default: outputs/)",
    )
    parser.add_argument(
        "--keep-runs",
        type=int,
        default=None,
        metavar="N",
        help="runs to keep (default: from the config)",
    )
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    parser.set_defaults(handler=_cmd_refresh)


def _add_validate(subparsers: argparse._SubParsersAction) -> None:
    parser = _add_command(
        subparsers,
        "validate",
        "check the trust extracts against the data contracts",
        "Check every configuration file in CONFIG_DIR (exit 2 if any is invalid), then "
        "load every dataset in DATA_DIR, check it against its Great Expectations suite and "
        "the cross-dataset rules, print a summary, and write the results (JSON) and a "
        "self-contained data_quality.html to OUT, replacing those of an earlier run. They "
        "are written even when a file cannot be read (missing dataset, unparseable date).",
    )
    parser.add_argument(
        "--data-dir",
        default=str(REFERENCE_DATA_DIR),
        metavar="DIR",
        help="folder of trust extracts (default: data/reference/)",
    )
    parser.add_argument(
        "--config-dir",
        default=str(CONFIG_DIR),
        metavar="DIR",
        help="configuration folder checked first (default: config/)",
    )
    parser.add_argument(
        "--out",
        default=str(OUTPUTS_DIR / "validate"),
        metavar="DIR",
        help=(
            "where to write validation/*.json and data_quality.html (default: outputs/validate/)"
        ),
    )
    parser.set_defaults(handler=_cmd_validate)


def _add_make_reference_data(subparsers: argparse._SubParsersAction) -> None:
    parser = _add_command(
        subparsers,
        "make-reference-data",
        "generate the synthetic L&SC reference dataset",
        "Write the seeded synthetic L&SC reference dataset (CSV). The same seed and scale "
        "always give the same files.",
    )
    parser.add_argument(
        "--out",
        default=str(REFERENCE_DATA_DIR),
        metavar="DIR",
        help="folder to write (default: data/reference/)",
    )
    parser.add_argument(
        "--seed", type=int, default=20260401, help="random seed (default: 20260401)"
    )
    parser.add_argument(
        "--scale", type=float, default=1.0, help="size multiplier; 20 gives the benchmark dataset"
    )
    parser.set_defaults(handler=_cmd_make_reference_data)


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser with every subcommand.

    Returns:
        The parser; each subcommand sets ``handler(args) -> int``.
    """
    parser = argparse.ArgumentParser(
        prog="lsc-workforce",
        description=_wrap(
            "Lancashire and South Cumbria diagnostics workforce models: data contracts, "
            "refresh of the notebooks, reference data."
        ),
        epilog=EXIT_CODES_TEXT,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--traceback", action="store_true", help="show the Python traceback of an error"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    _add_refresh(subparsers)
    _add_validate(subparsers)
    _add_make_reference_data(subparsers)
    register_rota_cli(subparsers)
    return parser


class _WarningsToStderr(logging.Handler):
    """Print the package's warnings (a file read as Windows-1252, a run marked abandoned)."""

    def emit(self, record: logging.LogRecord) -> None:
        print(f"warning: {record.getMessage()}", file=sys.stderr)


def _show_warnings() -> None:
    """Show the package's warnings on stderr, once per process."""
    package = logging.getLogger("lsc_workforce")
    if not any(isinstance(h, _WarningsToStderr) for h in package.handlers):
        handler = _WarningsToStderr(level=logging.WARNING)
        package.addHandler(handler)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit code.

    Args:
        argv: arguments without the program name (default: ``sys.argv[1:]``).

    Returns:
        0 on success, 1 on a run or validation failure, 2 on bad usage.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on bad usage and 0 after --help
        return int(exc.code or 0)
    _show_warnings()
    try:
        return int(args.handler(args))
    except (UsageError, ConfigError) as exc:
        if args.traceback:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return EXIT_FAILURE
    except Exception as exc:
        if args.traceback:
            raise
        # The package's own errors (other than ConfigError, bad usage above) and file-system
        # errors mean the run or validation failed: their message names the problem.
        if isinstance(exc, LscWorkforceError | OSError):
            summary = getattr(getattr(exc, "report", None), "summary", None)
            text = summary() if callable(summary) else str(exc)
            print(f"error: {text}", file=sys.stderr)
        else:
            print(f"error: unexpected {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_FAILURE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
