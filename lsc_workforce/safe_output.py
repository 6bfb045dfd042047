"""Writers that keep hostile text inert: spreadsheet formulas, HTML scripts and file names.

Text in the outputs comes from trust extracts and configuration files, which anyone with write
access to a shared folder can edit. Every writer of the package goes through this module:

- **CSV**: a text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
  would run as a formula when the file is opened in a spreadsheet (``=cmd|' /C calc'!A0``), so
  :func:`neutralise_formulas` puts the usual apostrophe in front of it (OWASP, "CSV injection").
  Only text columns are touched, and text that is a plain number (``-3``, ``+1.5``) is left as
  it is: a spreadsheet reads it as a number, never as a formula.
- **Excel**: :func:`open_workbook` turns off xlsxwriter's conversion of text to formulas and
  URLs, and :func:`write_cell` writes text with ``write_string``; a formula payload is stored
  as the text it is.
- **HTML**: :func:`html_safe_json` embeds JSON in a ``<script>`` element so that no value can
  close the element (``</script>``); pages escape every other piece of text themselves.
- **File names**: :func:`check_identifier` admits only plain identifiers (letters, digits,
  ``_``, ``-`` and inner dots, never ``..``) and :func:`path_inside` resolves a path and refuses
  one outside its folder, so an id such as ``../x`` cannot write elsewhere.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import polars as pl

from lsc_workforce.errors import LscWorkforceError

__all__ = [
    "FORMULA_PREFIXES",
    "OutputPathError",
    "check_identifier",
    "html_safe_json",
    "neutralise_formulas",
    "open_workbook",
    "naming_path",
    "path_inside",
    "write_cell",
    "write_csv",
    "write_excel_sheets",
]

#: First characters that make a spreadsheet read a cell as a formula (OWASP, CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

_FORMULA_START = r"^[=+\-@\t\r]"
_PLAIN_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
_IDENTIFIER = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9_-]|\.(?!\.)){0,127}")

#: xlsxwriter options: text stays text (no formulas, no hyperlinks), NaN and inf become errors.
WORKBOOK_OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "nan_inf_to_errors": True,
}


class OutputPathError(LscWorkforceError, ValueError):
    """A file name built from data or configuration is unsafe.

    It is not a plain identifier, or the path it makes escapes its output folder.
    """


@contextmanager
def naming_path(path: Path) -> Iterator[None]:
    """Make an ``OSError`` raised while writing ``path`` name it.

    A full disk raises ``[Errno 28] No space left on device`` from ``write()`` without a file
    name; re-raised with ``path``, the message says which file could not be written.
    """
    try:
        yield
    except OSError as exc:
        if exc.filename is None:
            raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from exc
        raise


def neutralise_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """Prefix an apostrophe to every text cell a spreadsheet would run as a formula.

    Args:
        frame: any table.

    Returns:
        A copy in which each text (``String``) cell starting with one of
        :data:`FORMULA_PREFIXES` and not a plain number starts with ``'``. Other columns, and
        numbers held as text (``-3``), are unchanged.
    """
    text_columns = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    if not text_columns:
        return frame
    return frame.with_columns(
        pl.when(
            pl.col(name).str.contains(_FORMULA_START) & ~pl.col(name).str.contains(_PLAIN_NUMBER)
        )
        .then(pl.lit("'") + pl.col(name))
        .otherwise(pl.col(name))
        .alias(name)
        for name in text_columns
    )


def write_csv(frame: pl.DataFrame, path: Path, **options: Any) -> Path:
    """Write a table as CSV with formula-like text neutralised (see :func:`neutralise_formulas`).

    Args:
        frame: the table.
        path: the CSV file.
        **options: passed to :meth:`polars.DataFrame.write_csv` (e.g. ``date_format``).

    Returns:
        The path written.
    """
    with naming_path(path):
        neutralise_formulas(frame).write_csv(path, **options)
    return Path(path)


def open_workbook(path: Path) -> Any:
    """An xlsxwriter workbook that never turns text into a formula or a hyperlink.

    Use it as a context manager, or call ``close()``.
    """
    import xlsxwriter  # noqa: PLC0415 - only needed when writing a workbook

    return xlsxwriter.Workbook(str(path), WORKBOOK_OPTIONS)


def write_cell(sheet: Any, row: int, column: int, value: Any, cell_format: Any = None) -> None:
    """Write one value with the writer of its type: text always with ``write_string``.

    ``None`` becomes an empty cell and a non-finite number an empty cell too (Excel has none).
    """
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        sheet.write_blank(row, column, None, cell_format)
    elif isinstance(value, bool):
        sheet.write_boolean(row, column, value, cell_format)
    elif isinstance(value, int | float):
        sheet.write_number(row, column, value, cell_format)
    elif isinstance(value, dt.date):
        sheet.write_string(row, column, value.isoformat(), cell_format)
    else:
        sheet.write_string(row, column, str(value), cell_format)


def write_excel_sheets(sheets: Mapping[str, pl.DataFrame], path: Path, **options: Any) -> Path:
    """Write tables to one workbook, one sheet each, through :func:`open_workbook`.

    Args:
        sheets: tables by sheet name (Excel keeps the first 31 characters).
        path: the ``.xlsx`` file.
        **options: passed to :meth:`polars.DataFrame.write_excel` (e.g. ``autofit``).

    Returns:
        The path written.
    """
    with naming_path(path), open_workbook(Path(path)) as book:
        for name, frame in sheets.items():
            frame.write_excel(book, worksheet=name[:31], **options)
    return Path(path)


def check_identifier(value: object, what: str = "identifier") -> str:
    """Return ``value`` as text if it can be a file or folder name, else refuse it.

    Args:
        value: an id from data or configuration (staff id, service id, table name).
        what: what the id is, for the message.

    Returns:
        The id.

    Raises:
        OutputPathError: unless the id is 1-128 letters, digits, ``_``, ``-`` or single inner
            dots, starting with a letter or digit (so never ``..``, ``/`` or a hidden name).
    """
    text = str(value)
    if not _IDENTIFIER.fullmatch(text):
        raise OutputPathError(
            f"{what} {text!r} cannot be used as a file name: use letters, digits, '_', '-' "
            "and single dots only, starting with a letter or digit"
        )
    return text


def path_inside(folder: Path, *parts: object, what: str = "identifier") -> Path:
    """Join identifiers onto a folder and make sure the result stays inside it.

    Args:
        folder: the output folder.
        *parts: path parts, each passing :func:`check_identifier` (a file name with its
            suffix, ``S000001.ics``, is one part).
        what: what the parts are, for the message.

    Returns:
        The resolved path, inside ``folder``.

    Raises:
        OutputPathError: if a part is not an identifier or the path resolves outside ``folder``.
    """
    for part in parts:
        check_identifier(part, what)
    root = Path(folder).resolve()
    path = root.joinpath(*(str(part) for part in parts)).resolve()
    if path == root or root not in path.parents:
        raise OutputPathError(f"{what} path {path} is outside the output folder {root}")
    return path


class HtmlSafeJSONEncoder(json.JSONEncoder):
    """JSON whose text holds no ``<``, ``>`` or ``&``, so it cannot end a ``<script>`` element.

    The characters are written as JSON escapes (``<`` as backslash-u003c, and so on), which
    JSON and JavaScript read back as the same characters.
    """

    def encode(self, o: Any) -> str:
        """Encode ``o`` and escape the HTML-significant characters."""
        text = super().encode(o)
        return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def html_safe_json(value: Any, **options: Any) -> str:
    """``json.dumps`` with :class:`HtmlSafeJSONEncoder`, for JSON inside an HTML page."""
    return json.dumps(value, cls=HtmlSafeJSONEncoder, **options)
