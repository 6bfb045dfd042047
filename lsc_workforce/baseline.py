"""Workforce baseline: WTE, headcount, vacancy rates, age profile, retirement risk, part-time share.

All functions take the tidy frames described in ``data_contracts/README.md`` (``staff_in_post``
and ``vacancies``) and return polars frames with a stable column order. Reusable field
definitions are functions returning ``pl.Expr`` so that other modules and tests can use the same
arithmetic.

Counting rules (stated once, used everywhere):

- **Headcount** counts distinct people (``staff_id``) within each group, so a person holding two
  posts in the same group counts once; **posts** counts rows; **WTE** sums ``wte``.
- **Part-time**: a person whose total WTE within the group is below ``full_time_wte`` (1.0).
- **Vacancy rate** = vacant WTE / funded establishment WTE (the RCR and SCoR censuses publish
  vacancy rates, [src:vacancy-rate-definition]); negative when a group is over establishment,
  null when nothing is funded.
- **Near retirement**: within ``window_years`` (5) of the typical retirement age (61 for
  radiologists, [src:radiologist-retirement]). Ages are only known in 5-year bands, so a
  person counts with the fraction of their band at or above ``retirement_age - window_years``,
  assuming ages are spread evenly within a band (``Under 25`` read as 20-24, ``70 and over`` as
  70-74).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from lsc_workforce import data
from lsc_workforce.config import ConfigError
from lsc_workforce.privacy import SuppressionRule, suppress_counts

#: Reporting order of staff groups and grades: the data contract's (``lsc_workforce.data``).
STAFF_GROUPS: tuple[str, ...] = data.STAFF_GROUPS
GRADES: tuple[str, ...] = data.GRADES
#: NHS Workforce Statistics age bands in order, with the ages each is taken to cover, half-open
#: ``[lo, hi)``: the data contract's (:data:`lsc_workforce.data.AGE_BAND_AGES`).
AGE_BANDS: dict[str, tuple[int, int]] = data.AGE_BAND_AGES

DEFAULT_BY: tuple[str, ...] = ("trust_code", "staff_group", "grade")


@dataclass(frozen=True)
class BaselineParams:
    """Assumptions of the baseline analysis.

    Attributes:
        retirement_age: typical retirement age in years (mean 61 for radiologists,
            [src:radiologist-retirement]).
        window_years: how close to ``retirement_age`` counts as "near retirement" (the RCR census
            counts retirements within 5 years, [src:radiologist-retirement]).
        full_time_wte: WTE at or above which a person counts as full time.
    """

    retirement_age: float = 61.0
    window_years: float = 5.0
    full_time_wte: float = 1.0

    def __post_init__(self) -> None:
        if not 40 <= self.retirement_age <= 75:
            raise ConfigError(
                f"retirement_age must be in [40, 75] years, not {self.retirement_age}"
            )
        if not 0 < self.window_years <= 20:
            raise ConfigError(f"window_years must be in (0, 20], not {self.window_years}")
        if not 0 < self.full_time_wte <= 1.5:
            raise ConfigError(f"full_time_wte must be in (0, 1.5], not {self.full_time_wte}")

    @property
    def window_start_age(self) -> float:
        """Age from which a person is within the retirement window (61 - 5 = 56 by default)."""
        return self.retirement_age - self.window_years


# --- field definitions -------------------------------------------------------------------------


def headcount_expr() -> pl.Expr:
    """Distinct people in a group: ``staff_id.n_unique()``, named ``headcount``."""
    return pl.col("staff_id").n_unique().alias("headcount")


def wte_expr() -> pl.Expr:
    """Whole-time equivalent in a group: ``sum(wte)``, named ``wte``."""
    return pl.col("wte").sum().alias("wte")


def vacancy_rate_expr() -> pl.Expr:
    """Vacant WTE over funded establishment WTE, named ``vacancy_rate``; null if nothing funded."""
    establishment = pl.col("establishment_wte").sum()
    return (
        pl.when(establishment > 0)
        .then(pl.col("vacant_wte").sum() / establishment)
        .otherwise(None)
        .alias("vacancy_rate")
    )


def _age_bound_expr(column: str, index: int, name: str) -> pl.Expr:
    bounds = {band: limits[index] for band, limits in AGE_BANDS.items()}
    return pl.col(column).replace_strict(bounds, default=None, return_dtype=pl.Float64).alias(name)


def age_band_lower_expr(column: str = "age_band") -> pl.Expr:
    """Lowest age (years) covered by an NHS age band, named ``age_lower``; null if unknown."""
    return _age_bound_expr(column, 0, "age_lower")


def age_band_upper_expr(column: str = "age_band") -> pl.Expr:
    """Age (years) just above an NHS age band, named ``age_upper``; null if unknown."""
    return _age_bound_expr(column, 1, "age_upper")


def near_retirement_fraction_expr(start_age: float, column: str = "age_band") -> pl.Expr:
    """Fraction of an age band aged ``start_age`` or over, named ``near_retirement``.

    Ages are assumed evenly spread within the band: with ``start_age`` 56 the band ``55-59``
    gives (60 - 56) / 5 = 0.8, ``60-64`` gives 1 and ``50-54`` gives 0.

    Args:
        start_age: first age inside the retirement window (``retirement_age - window_years``).
        column: the age band column.

    Returns:
        A Float64 expression in [0, 1]; null for an unknown band.
    """
    lower, upper = age_band_lower_expr(column), age_band_upper_expr(column)
    return ((upper - start_age) / (upper - lower)).clip(0.0, 1.0).alias("near_retirement")


def _check_columns(frame: pl.DataFrame, columns: Sequence[str], name: str) -> None:
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ValueError(f"{name} is missing column(s) {missing}")


def _order(frame: pl.DataFrame, by: Sequence[str]) -> pl.DataFrame:
    """Sort by the grouping columns, with staff groups, grades and age bands in reporting order."""
    orders = {"staff_group": STAFF_GROUPS, "grade": GRADES, "age_band": tuple(AGE_BANDS)}
    keys = [
        pl.col(column).replace_strict(
            {value: rank for rank, value in enumerate(orders[column])},
            default=len(orders[column]),
            return_dtype=pl.Int32,
        )
        if column in orders
        else pl.col(column)
        for column in by
    ]
    if not keys:
        return frame
    return frame.sort([*keys, *by])


def _aggregate(frame: pl.DataFrame, by: Sequence[str], *aggs: pl.Expr) -> pl.DataFrame:
    """``group_by(by).agg(aggs)``, or one whole-frame row when ``by`` is empty."""
    if not by:
        return frame.select(*aggs)
    return frame.group_by(list(by)).agg(*aggs)


def _join(left: pl.DataFrame, right: pl.DataFrame, by: Sequence[str], how: str) -> pl.DataFrame:
    """Join on ``by``, or place side by side when ``by`` is empty (one row each)."""
    if not by:
        return pl.concat([left, right], how="horizontal")
    return left.join(right, on=list(by), how=how, coalesce=True)


def select_in_post(staff: pl.DataFrame, as_at: dt.date) -> pl.DataFrame:
    """Posts that had started on the "as at" date (``start_date <= as_at``).

    An extract can list people who start after the planning date; they are not yet in post.

    Args:
        staff: ``staff_in_post`` frame with a ``start_date`` date column.
        as_at: the planning "as at" date (a parameter, never the wall clock).

    Returns:
        The posts in post on ``as_at``.
    """
    _check_columns(staff, ["start_date"], "staff_in_post")
    return staff.filter(pl.col("start_date") <= pl.lit(as_at, dtype=pl.Date))


# --- tables ------------------------------------------------------------------------------------


def summarise_workforce(staff: pl.DataFrame, by: Sequence[str] = DEFAULT_BY) -> pl.DataFrame:
    """Posts, headcount and WTE by the given columns (default trust × staff group × grade).

    Args:
        staff: ``staff_in_post`` frame.
        by: grouping columns.

    Returns:
        Columns ``*by, posts, headcount, wte``.
    """
    by = list(by)
    _check_columns(staff, [*by, "staff_id", "wte"], "staff_in_post")
    table = _aggregate(
        staff, by, pl.len().alias("posts").cast(pl.Int64), headcount_expr(), wte_expr()
    )
    return _order(table, by).select(*by, "posts", pl.col("headcount").cast(pl.Int64), "wte")


def summarise_vacancies(vacancies: pl.DataFrame, by: Sequence[str] = DEFAULT_BY) -> pl.DataFrame:
    """Funded establishment, WTE in post, vacant WTE and vacancy rate by the given columns.

    Args:
        vacancies: ``vacancies`` frame.
        by: grouping columns (a subset of trust_code, staff_group, grade).

    Returns:
        Columns ``*by, establishment_wte, in_post_wte, vacant_wte, vacancy_rate``.
    """
    by = list(by)
    _check_columns(vacancies, [*by, "establishment_wte", "in_post_wte", "vacant_wte"], "vacancies")
    table = _aggregate(
        vacancies,
        by,
        pl.col("establishment_wte").sum(),
        pl.col("in_post_wte").sum(),
        pl.col("vacant_wte").sum(),
        vacancy_rate_expr(),
    )
    return _order(table, by).select(
        *by, "establishment_wte", "in_post_wte", "vacant_wte", "vacancy_rate"
    )


def _people(staff: pl.DataFrame, by: Sequence[str]) -> pl.DataFrame:
    """One row per person within each group: their total WTE and (first) age band."""
    _check_columns(staff, [*by, "staff_id", "wte", "age_band"], "staff_in_post")
    return staff.group_by([*by, "staff_id"]).agg(
        pl.col("wte").sum(), pl.col("age_band").sort().first()
    )


def summarise_age_profile(
    staff: pl.DataFrame,
    by: Sequence[str] = ("staff_group",),
    rule: SuppressionRule | None = None,
) -> pl.DataFrame:
    """Headcount by age band within each group, with each band's share of the group.

    Every band in :data:`AGE_BANDS` appears for every group (zero when empty), so charts show
    gaps honestly.

    Args:
        staff: ``staff_in_post`` frame.
        by: grouping columns (default staff group).
        rule: small-number suppression for a table that leaves the analysis: headcounts of
            ``rule.low``-``rule.high`` become null (and their share), others are rounded to
            ``rule.base`` and the share is computed from the rounded count. ``None`` gives the
            exact counts (for ``internal/`` only).

    Returns:
        Columns ``*by, age_band, headcount, share``.
    """
    by = list(by)
    people = _people(staff, by)
    counts = people.group_by([*by, "age_band"]).agg(pl.len().cast(pl.Int64).alias("headcount"))
    bands = pl.DataFrame({"age_band": list(AGE_BANDS)})
    groups = people.select(by).unique() if by else pl.DataFrame()
    grid = groups.join(bands, how="cross") if by else bands
    table = grid.join(counts, on=[*by, "age_band"], how="left").with_columns(
        pl.col("headcount").fill_null(0)
    )
    total = pl.col("headcount").sum().over(by) if by else pl.col("headcount").sum()
    table = table.with_columns(total.alias("__total"))
    if rule is not None:
        table = suppress_counts(table, ["headcount"], rule)
    table = table.with_columns(
        pl.when(pl.col("__total") > 0)
        .then(pl.col("headcount") / pl.col("__total"))
        .otherwise(None)
        .alias("share")
    )
    return _order(table, [*by, "age_band"]).select(*by, "age_band", "headcount", "share")


def summarise_retirement_risk(
    staff: pl.DataFrame,
    params: BaselineParams = BaselineParams(),
    by: Sequence[str] = ("trust_code", "staff_group"),
    rule: SuppressionRule | None = None,
) -> pl.DataFrame:
    """Expected number and share of people within the retirement window, by group.

    Args:
        staff: ``staff_in_post`` frame.
        params: retirement age and window ([src:radiologist-retirement]).
        by: grouping columns.
        rule: small-number suppression for a table that leaves the analysis:
            ``near_retirement`` of ``rule.low``-``rule.high`` people becomes null (and its
            share), others are rounded to ``rule.base``; headcount by group is published as is.
            ``None`` gives the exact expected counts (for ``internal/`` only).

    Returns:
        Columns ``*by, headcount, near_retirement`` (expected people, fractional because of
        age bands), ``near_retirement_share``.

    Raises:
        ValueError: if an age band is not one of :data:`AGE_BANDS`.
    """
    by = list(by)
    people = _people(staff, by)
    unknown = people.filter(~pl.col("age_band").is_in(list(AGE_BANDS)))
    if unknown.height:
        bands = sorted(unknown.get_column("age_band").drop_nulls().unique().to_list())
        raise ValueError(f"staff_in_post has {unknown.height} people with unknown age band {bands}")
    people = people.with_columns(near_retirement_fraction_expr(params.window_start_age))
    table = _aggregate(
        people, by, pl.len().cast(pl.Int64).alias("headcount"), pl.col("near_retirement").sum()
    )
    if rule is not None:
        table = suppress_counts(table, ["near_retirement"], rule)
    table = table.with_columns(
        (pl.col("near_retirement") / pl.col("headcount")).alias("near_retirement_share")
    )
    return _order(table, by).select(*by, "headcount", "near_retirement", "near_retirement_share")


def summarise_part_time(
    staff: pl.DataFrame,
    params: BaselineParams = BaselineParams(),
    by: Sequence[str] = ("trust_code", "staff_group"),
) -> pl.DataFrame:
    """Headcount, part-time headcount and part-time share by group.

    Args:
        staff: ``staff_in_post`` frame.
        params: supplies ``full_time_wte``.
        by: grouping columns.

    Returns:
        Columns ``*by, headcount, part_time, part_time_share``.
    """
    by = list(by)
    people = _people(staff, by)
    # A tolerance so that 0.6 + 0.4 = 0.9999999 still counts as full time.
    part_time = pl.col("wte") < params.full_time_wte - 1e-9
    table = _aggregate(
        people,
        by,
        pl.len().cast(pl.Int64).alias("headcount"),
        part_time.sum().cast(pl.Int64).alias("part_time"),
    ).with_columns((pl.col("part_time") / pl.col("headcount")).alias("part_time_share"))
    return _order(table, by).select(*by, "headcount", "part_time", "part_time_share")


def summarise_baseline(
    staff: pl.DataFrame,
    vacancies: pl.DataFrame,
    params: BaselineParams = BaselineParams(),
    by: Sequence[str] = ("trust_code", "staff_group"),
    rule: SuppressionRule | None = None,
) -> pl.DataFrame:
    """One row per group with every baseline measure, for the headline table.

    Args:
        staff: ``staff_in_post`` frame.
        vacancies: ``vacancies`` frame.
        params: baseline assumptions.
        by: grouping columns.
        rule: small-number suppression of the near-retirement share (see
            :func:`summarise_retirement_risk`); ``None`` for exact values.

    Returns:
        Columns ``*by, headcount, wte, establishment_wte, vacant_wte, vacancy_rate,
        part_time_share, near_retirement_share``; groups present in either input appear.
    """
    by = list(by)
    workforce = summarise_workforce(staff, by).drop("posts")
    vacancy = summarise_vacancies(vacancies, by).select(
        *by, "establishment_wte", "vacant_wte", "vacancy_rate"
    )
    part = summarise_part_time(staff, params, by).select(*by, "part_time_share")
    retire = summarise_retirement_risk(staff, params, by, rule).select(*by, "near_retirement_share")
    table = _join(
        _join(_join(workforce, vacancy, by, "full"), part, by, "left"), retire, by, "left"
    ).with_columns(pl.col("headcount").fill_null(0), pl.col("wte").fill_null(0.0))
    return _order(table, by).select(
        *by,
        "headcount",
        "wte",
        "establishment_wte",
        "vacant_wte",
        "vacancy_rate",
        "part_time_share",
        "near_retirement_share",
    )


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def describe_baseline(
    staff: pl.DataFrame,
    vacancies: pl.DataFrame,
    params: BaselineParams = BaselineParams(),
    rule: SuppressionRule | None = None,
) -> str:
    """Plain-English summary of the baseline, for the notebook's commentary.

    Args:
        staff: ``staff_in_post`` frame.
        vacancies: ``vacancies`` frame.
        params: baseline assumptions.
        rule: small-number suppression of the near-retirement shares quoted (see
            :func:`summarise_retirement_risk`); ``None`` for exact values.

    Returns:
        Markdown bullet points with region totals and the groups that stand out.
    """
    region = summarise_baseline(staff, vacancies, params, by=(), rule=rule)
    groups = summarise_baseline(staff, vacancies, params, by=("staff_group",), rule=rule)
    trusts = summarise_vacancies(vacancies, by=("trust_code",)).sort(
        "vacancy_rate", descending=True, nulls_last=True
    )
    total = region.row(0, named=True)
    lines = [
        f"- The {staff.get_column('trust_code').n_unique()} trusts employ "
        f"**{total['headcount']:,} people** in these staff groups, "
        f"**{total['wte']:,.1f} WTE** against a funded establishment of "
        f"{total['establishment_wte'] or 0:,.1f} WTE: a vacancy rate of "
        f"**{_pct(total['vacancy_rate'])}**.",
    ]
    by_vacancy = groups.filter(pl.col("vacancy_rate").is_not_null()).sort(
        "vacancy_rate", descending=True
    )
    if by_vacancy.height:
        worst = by_vacancy.row(0, named=True)
        lines.append(
            f"- The highest vacancy rate is among **{worst['staff_group'].replace('_', ' ')}s** "
            f"({_pct(worst['vacancy_rate'])}, {worst['vacant_wte']:,.1f} WTE vacant)."
        )
    if trusts.height and trusts.item(0, "vacancy_rate") is not None:
        top = trusts.row(0, named=True)
        lines.append(
            f"- By trust, {top['trust_code']} has the highest vacancy rate "
            f"({_pct(top['vacancy_rate'])})."
        )
    by_retirement = groups.sort("near_retirement_share", descending=True, nulls_last=True)
    if by_retirement.height:
        oldest = by_retirement.row(0, named=True)
        lines.append(
            f"- **{_pct(total['near_retirement_share'])}** of staff are within "
            f"{params.window_years:g} years of a typical retirement age of "
            f"{params.retirement_age:g}; the share is highest among "
            f"{oldest['staff_group'].replace('_', ' ')}s "
            f"({_pct(oldest['near_retirement_share'])})."
        )
    lines.append(
        f"- **{_pct(total['part_time_share'])}** of staff work part time (under "
        f"{params.full_time_wte:g} WTE)."
    )
    return "\n".join(lines)


def write_internal_outputs(
    staff: pl.DataFrame,
    vacancies: pl.DataFrame,
    params: BaselineParams,
    folder: Path | None,
) -> list[Path]:
    """Write the unsuppressed age, retirement and baseline tables and the age chart.

    Only for ``internal/`` (:func:`lsc_workforce.privacy.internal_area`, switched on by
    ``internal_outputs: true`` in ``config/refresh.yaml``): the cells of 1 to 7 people are
    exact here, and the chart carries the "not for publication" mark.

    Args:
        staff: ``staff_in_post`` frame (in post on the "as at" date).
        vacancies: ``vacancies`` frame.
        params: baseline assumptions.
        folder: ``OUTPUT_DIR/internal/baseline``, or ``None`` (switch off: nothing written).

    Returns:
        The files written (none when ``folder`` is ``None``).
    """
    if folder is None:
        return []
    from lsc_workforce import charts, report  # noqa: PLC0415 - Altair only when writing

    by = ["trust_code", "staff_group"]
    age_profile = summarise_age_profile(staff, by=["staff_group"])
    written = report.write_tables(
        {
            "baseline_by_trust_group": summarise_baseline(staff, vacancies, params, by=by),
            "age_profile_by_group": age_profile,
            "retirement_risk_by_trust_group": summarise_retirement_risk(staff, params, by=by),
        },
        Path(folder) / "tables",
    )
    chart = charts.plot_bar(
        age_profile,
        category="age_band",
        value="headcount",
        facet="staff_group",
        title="Age profile by staff group (exact counts)",
        value_title="People",
        value_format=",.0f",
        category_sort=list(AGE_BANDS),
    )
    return written + charts.save_chart(chart, "age_profile", Path(folder) / "charts", internal=True)
