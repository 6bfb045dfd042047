"""The base class of the errors lsc-workforce reports to its users.

Every error that means "the input, the configuration or the run is at fault" derives from
:class:`LscWorkforceError`, so a caller (the ``lsc-workforce`` console command) can tell them
from programming errors with one ``except``:

- :class:`~lsc_workforce.config.ConfigError`: a configuration file or parameter is missing or
  out of range; its subclasses :class:`~lsc_workforce.rota.problem.RotaProblemError` and
  :class:`~lsc_workforce.ooh.check.RotaInputError` name an inconsistent rota problem or an
  unusable rota file;
- :class:`~lsc_workforce.data.DataError`: a dataset is missing or unreadable;
- :class:`~lsc_workforce.contracts.ContractViolation`: data failed its contracts;
- :class:`~lsc_workforce.run.RefreshError`: a refresh could not run or complete
  (:class:`~lsc_workforce.run.RefreshLocked`: another refresh holds the lock);
- :class:`~lsc_workforce.report.ReportError`: an HTML export failed;
- :class:`~lsc_workforce.solve.UnsupportedModelError`: the chosen solver cannot take the model.

The subclasses keep their historical built-in bases too (``ConfigError`` is a ``ValueError``,
``RefreshError`` a ``RuntimeError``), so existing ``except`` clauses still catch them.

This module imports nothing, so any module can import it without cost or cycles.
"""

from __future__ import annotations

__all__ = ["LscWorkforceError"]


class LscWorkforceError(Exception):
    """An error the user can act on: bad input, bad configuration, or a failed run.

    The message alone explains the problem; no traceback is needed to act on it.
    """
