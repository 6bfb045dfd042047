"""Small-number suppression applied to every published count built from personal characteristics.

The rule follows the NHS Digital HES/ECDS disclosure control in force since 13 September 2018
[src:hes-ecds-suppression]: sub-national counts of **1 to 7 are suppressed** (shown as ``*``)
and **every other count is rounded to the nearest 5**. The limits are configurable through
:class:`SuppressionRule` because no workforce-specific rule was found [src:workforce-suppression].

Which cells the rule applies to is a publishing decision, not a property of the numbers: cells built
from personal characteristics (age band, leavers, retirements) are passed through
:func:`suppress_counts`; headcount and WTE by trust and staff group, and planned intakes, are shown
as NHS Workforce Statistics publish them [src:nhs-workforce-statistics]. Writers call
:func:`suppress_counts` *before* anything is written, and the published files are scanned for
leaks by the tests.

Outputs by audience: everything under ``reports/`` is the publishable bundle; the analyst tables
and charts beside it (``baseline/``, ``demand/``) are suppressed the same way, so forwarding the
whole ``outputs/latest`` folder forwards no small cell. Unsuppressed analyst tables exist only
when ``internal_outputs: true`` is set in ``config/refresh.yaml``; they go to
``internal/<area>/`` (:func:`internal_area`), whose README and every page carry
:data:`INTERNAL_MARK`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from lsc_workforce.config import ConfigError, load_yaml

#: What a suppressed cell shows when a table is formatted for people to read.
SUPPRESSED_MARKER = "*"

#: Folder under a run's outputs for unsuppressed analyst tables, written only when
#: ``internal_outputs: true`` is set in ``config/refresh.yaml``.
INTERNAL_DIR = "internal"
#: The mark every internal page carries.
INTERNAL_MARK = "INTERNAL – NOT FOR PUBLICATION"
_INTERNAL_README = f"""{INTERNAL_MARK}

The tables and charts in this folder are NOT suppressed: they show counts of 1 to 7 people
built from personal characteristics (age band, retirements, leavers), which can identify
individuals. They are written only because `internal_outputs: true` is set in
config/refresh.yaml. Do not publish, forward or attach them. The suppressed versions beside this
folder (and everything under reports/) are the ones to share.
"""


@dataclass(frozen=True)
class SuppressionRule:
    """Disclosure-control limits for counts of people.

    Attributes:
        low: smallest count that is suppressed (HES/ECDS: 1).
        high: largest count that is suppressed (HES/ECDS: 7).
        base: every unsuppressed count is rounded to the nearest multiple of ``base`` (HES: 5).
    """

    low: int = 1
    high: int = 7
    base: int = 5

    def __post_init__(self) -> None:
        if self.low < 1:
            raise ConfigError(f"suppression low must be at least 1, not {self.low}")
        if self.high < self.low:
            raise ConfigError(f"suppression high ({self.high}) is below low ({self.low})")
        if self.base < 1:
            raise ConfigError(f"rounding base must be at least 1, not {self.base}")
        # Rounding is monotone, so a published value can only fall inside the suppressed band if
        # the smallest unsuppressed count above it (or the largest below it) rounds into it.
        above = self.round(self.high + 1)
        if any(
            above <= m <= self.high for m in range(self.low, self.high + 1) if m % self.base == 0
        ):
            raise ConfigError(
                f"counts from {self.high + 1} would round to {above} or more, so a published "
                f"value could fall inside the suppressed band {self.low}-{self.high}"
            )
        below = self.round(self.low - 1)
        if self.low <= below <= self.high:
            raise ConfigError(
                f"{self.low - 1} would round to {below}, inside the suppressed band "
                f"{self.low}-{self.high}"
            )

    def round(self, people: int) -> int:
        """Return a whole count rounded half up to the nearest ``base``."""
        return int((people / self.base) + 0.5) * self.base

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any] | None) -> SuppressionRule:
        """Build a rule from a YAML mapping with optional ``low``, ``high`` and ``base`` keys.

        Raises:
            ConfigError: if a key is unknown or a value is out of range.
        """
        values = dict(values or {})
        unknown = set(values) - {"low", "high", "base"}
        if unknown:
            raise ConfigError(f"unknown suppression keys: {sorted(unknown)}")
        return cls(**{key: int(value) for key, value in values.items()})


def suppressed_count_expr(column: str, rule: SuppressionRule) -> pl.Expr:
    """Return an expression applying ``rule`` to one count column.

    The value is first rounded to a whole number of people (half up), so a modelled count such as
    6.6 expected leavers is treated as 7 and suppressed. Counts from ``rule.low`` to ``rule.high``
    become null; everything else is rounded half up to the nearest ``rule.base``. Zero stays zero
    and null stays null.

    Args:
        column: name of a numeric column of non-negative counts.
        rule: the suppression limits.

    Returns:
        An ``Int64`` expression named ``column``.
    """
    whole = (pl.col(column).cast(pl.Float64) + 0.5).floor()
    rounded = ((whole / rule.base) + 0.5).floor() * rule.base
    return (
        pl.when(whole.is_between(rule.low, rule.high))
        .then(None)
        .otherwise(rounded)
        .cast(pl.Int64)
        .alias(column)
    )


def suppress_counts(
    frame: pl.DataFrame,
    columns: Iterable[str],
    rule: SuppressionRule | None = None,
) -> pl.DataFrame:
    """Apply small-number suppression to the count columns of a table before it is published.

    Args:
        frame: the table to publish.
        columns: the columns holding counts of people built from personal characteristics.
        rule: the limits; defaults to the HES/ECDS rule (1–7 suppressed, rest to nearest 5).

    Returns:
        A copy of ``frame`` in which each listed column is ``Int64``: null where suppressed,
        otherwise rounded to the nearest ``rule.base``. Other columns are unchanged.

    Raises:
        ConfigError: if a column is missing, not numeric, or holds a negative count.
    """
    rule = rule or SuppressionRule()
    columns = list(columns)
    for column in columns:
        if column not in frame.columns:
            raise ConfigError(f"cannot suppress {column!r}: not a column of the table")
        if not frame.schema[column].is_numeric():
            raise ConfigError(f"cannot suppress {column!r}: {frame.schema[column]} is not numeric")
        negative = frame.filter(pl.col(column) < 0).height
        if negative:
            raise ConfigError(f"{column!r} holds {negative} negative counts")
    if not columns:
        return frame.clone()
    return frame.with_columns([suppressed_count_expr(column, rule) for column in columns])


def format_suppressed(frame: pl.DataFrame, columns: Iterable[str]) -> pl.DataFrame:
    """Show suppressed (null) counts as ``*`` for tables that people read (HTML, Excel).

    Args:
        frame: output of :func:`suppress_counts`.
        columns: the suppressed count columns.

    Returns:
        A copy in which each listed column is text: the rounded count, or ``*``.
    """
    return frame.with_columns(
        pl.col(column).cast(pl.String).fill_null(SUPPRESSED_MARKER) for column in columns
    )


def load_suppression_rule(config_dir: str | Path) -> SuppressionRule:
    """The suppression rule of the product: ``settings.suppression`` in the training scenarios.

    One rule serves every output (the training-gap report, the baseline and demand tables), so
    it is set once, in ``config/training/scenarios.yaml``.

    Args:
        config_dir: the configuration folder.

    Returns:
        The rule (the HES/ECDS default when the file sets none).

    Raises:
        ConfigError: if the file cannot be read or the rule is invalid.
    """
    path = Path(config_dir) / "training" / "scenarios.yaml"
    if not path.is_file():
        return SuppressionRule()
    raw = load_yaml(path) or {}
    settings = (raw.get("settings") if isinstance(raw, Mapping) else None) or {}
    try:
        return SuppressionRule.from_mapping(settings.get("suppression"))
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{path}: settings.suppression: {exc}") from exc


def internal_area(output_dir: str | Path, area: str, enabled: bool) -> Path | None:
    """The folder for unsuppressed analyst outputs of one area, or ``None`` when not enabled.

    Args:
        output_dir: the run's output folder (``OUTPUT_DIR``).
        area: the area (``baseline``, ``demand``).
        enabled: the ``INTERNAL_OUTPUTS`` switch (``internal_outputs`` in the refresh
            configuration); off by default.

    Returns:
        ``<output_dir>/internal/<area>``, created, with a ``README.txt`` carrying
        :data:`INTERNAL_MARK`; or ``None``.
    """
    if not enabled:
        return None
    root = Path(output_dir) / INTERNAL_DIR
    folder = root / area
    folder.mkdir(parents=True, exist_ok=True)
    (root / "README.txt").write_text(_INTERNAL_README, encoding="utf-8")
    return folder
