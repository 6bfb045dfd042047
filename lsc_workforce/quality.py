"""Data-quality summaries for the data-quality notebook: coding standardisation and completeness.

The programme's "standardisation of coding" work maps each trust's own job titles to a standard
staff group and grade (``local_job_titles``). These functions show how far that has got: which
titles are still unmapped, how many posts carry them, and which titles are spelt or mapped
inconsistently between trusts. :func:`summarise_completeness` shows, per dataset and trust, the
share of cells that are filled in. :func:`contract_failures_table` turns a contract report into a
table.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import polars as pl

from lsc_workforce.contracts import ContractFailure, ContractReport, validate_datasets

#: Columns through which a dataset's rows can be attributed to a trust via ``sites``.
_SITE_COLUMNS = ("site_code", "base_site", "from_site")


def normalised_title_expr(column: str = "local_job_title") -> pl.Expr:
    """Job title reduced to lower-case words, ``&`` read as ``and``, named ``title_key``.

    ``"Consultant Radiologist (IR)"`` and ``"consultant  radiologist - IR"`` both become
    ``"consultant radiologist ir"``.
    """
    return (
        pl.col(column)
        .str.to_lowercase()
        .str.replace_all("&", " and ", literal=True)
        .str.replace_all(r"[^a-z0-9]+", " ")
        .str.strip_chars()
        .alias("title_key")
    )


def is_unmapped_expr() -> pl.Expr:
    """True where a local title has no standard staff group or no grade, named ``unmapped``."""
    return (pl.col("staff_group").is_null() | pl.col("grade").is_null()).alias("unmapped")


def list_unmapped_titles(titles: pl.DataFrame, staff: pl.DataFrame) -> pl.DataFrame:
    """Local job titles that cannot be mapped, with the number of posts that carry each.

    A title is unmapped when the lookup gives no staff group or no grade, or when a title used
    in ``staff_in_post`` is missing from the lookup altogether.

    Args:
        titles: ``local_job_titles`` frame.
        staff: ``staff_in_post`` frame.

    Returns:
        Columns ``trust_code, local_job_title, reason, posts``, most posts first.
    """
    posts = staff.group_by("trust_code", "local_job_title").agg(
        pl.len().cast(pl.Int64).alias("posts")
    )
    in_lookup = titles.filter(is_unmapped_expr()).select(
        "trust_code",
        "local_job_title",
        pl.when(pl.col("staff_group").is_null())
        .then(pl.lit("no staff group"))
        .otherwise(pl.lit("no grade"))
        .alias("reason"),
    )
    missing = posts.join(titles, on=["trust_code", "local_job_title"], how="anti").select(
        "trust_code", "local_job_title", pl.lit("not in lookup").alias("reason")
    )
    return (
        pl.concat([in_lookup, missing])
        .join(posts, on=["trust_code", "local_job_title"], how="left")
        .with_columns(pl.col("posts").fill_null(0))
        .sort(["posts", "trust_code", "local_job_title"], descending=[True, False, False])
    )


def summarise_title_mapping(titles: pl.DataFrame, staff: pl.DataFrame) -> pl.DataFrame:
    """Per trust: distinct local titles, unmapped titles, and posts carrying an unmapped title.

    Args:
        titles: ``local_job_titles`` frame.
        staff: ``staff_in_post`` frame.

    Returns:
        Columns ``trust_code, titles, unmapped_titles, posts, unmapped_posts,
        unmapped_post_share``, one row per trust in either frame, sorted by trust.
    """
    unmapped = list_unmapped_titles(titles, staff)
    used = staff.select("trust_code", "local_job_title").unique()
    title_counts = (
        pl.concat([titles.select("trust_code", "local_job_title"), used])
        .unique()
        .group_by("trust_code")
        .agg(pl.len().cast(pl.Int64).alias("titles"))
    )
    by_trust = unmapped.group_by("trust_code").agg(
        pl.len().cast(pl.Int64).alias("unmapped_titles"),
        pl.col("posts").sum().cast(pl.Int64).alias("unmapped_posts"),
    )
    posts = staff.group_by("trust_code").agg(pl.len().cast(pl.Int64).alias("posts"))
    return (
        title_counts.join(by_trust, on="trust_code", how="left")
        .join(posts, on="trust_code", how="left")
        .with_columns(pl.col("unmapped_titles", "unmapped_posts", "posts").fill_null(0))
        .with_columns(
            pl.when(pl.col("posts") > 0)
            .then(pl.col("unmapped_posts") / pl.col("posts"))
            .otherwise(None)
            .alias("unmapped_post_share")
        )
        .select(
            "trust_code",
            "titles",
            "unmapped_titles",
            "posts",
            "unmapped_posts",
            "unmapped_post_share",
        )
        .sort("trust_code")
    )


def list_inconsistent_titles(titles: pl.DataFrame) -> pl.DataFrame:
    """Titles that read the same once normalised but map to different standard codes.

    For example ``"Consultant Radiologist"`` mapped to ``radiologist/consultant`` in one trust
    and ``"CONSULTANT RADIOLOGIST"`` mapped to ``interventional_radiologist/consultant`` in
    another. Unmapped titles are ignored here (they are listed by :func:`list_unmapped_titles`).

    Args:
        titles: ``local_job_titles`` frame.

    Returns:
        Columns ``title_key, mappings`` (distinct ``staff_group/grade`` codes, sorted),
        ``spellings`` (the local titles, sorted) and ``trusts`` (sorted), one row per title key.
    """
    mapped = titles.filter(~is_unmapped_expr()).with_columns(
        normalised_title_expr(),
        pl.concat_str("staff_group", "grade", separator="/").alias("mapping"),
    )
    return (
        mapped.group_by("title_key")
        .agg(
            pl.col("mapping").unique().sort().alias("mappings"),
            pl.col("local_job_title").unique().sort().alias("spellings"),
            pl.col("trust_code").unique().sort().alias("trusts"),
        )
        .filter(pl.col("mappings").list.len() > 1)
        .with_columns(
            pl.col("mappings").list.join("; "),
            pl.col("spellings").list.join("; "),
            pl.col("trusts").list.join(", "),
        )
        .sort("title_key")
    )


def _trust_codes(
    name: str, frame: pl.DataFrame, sites: pl.DataFrame | None, staff: pl.DataFrame | None
) -> pl.DataFrame:
    """The frame with a ``__trust`` column saying which trust each row belongs to."""
    if "trust_code" in frame.columns:
        return frame.with_columns(pl.col("trust_code").alias("__trust"))
    if sites is not None:
        for column in _SITE_COLUMNS:
            if column in frame.columns:
                lookup = sites.select(
                    pl.col("site_code").alias(column), pl.col("trust_code").alias("__trust")
                )
                return frame.join(lookup, on=column, how="left")
    if staff is not None and "staff_id" in frame.columns and name != "staff_in_post":
        lookup = staff.group_by("staff_id").agg(pl.col("trust_code").first().alias("__trust"))
        return frame.join(lookup, on="staff_id", how="left")
    return frame.with_columns(pl.lit("all").alias("__trust"))


def summarise_completeness(frames: Mapping[str, pl.DataFrame]) -> pl.DataFrame:
    """Share of filled-in (non-null) cells per dataset and trust, with the weakest column.

    Rows are attributed to a trust by ``trust_code``, else by a site column through ``sites``,
    else by ``staff_id`` through ``staff_in_post``; rows that cannot be attributed count under
    ``"unknown"`` and datasets with no route at all under ``"all"``.

    Args:
        frames: datasets by name (as from ``lsc_workforce.data.load_datasets``).

    Returns:
        Columns ``dataset, trust_code, rows, completeness, weakest_column,
        weakest_completeness``, sorted by dataset and trust.
    """
    sites, staff = frames.get("sites"), frames.get("staff_in_post")
    parts = []
    for name, frame in sorted(frames.items()):
        if frame.width == 0:
            continue
        columns = frame.columns
        tagged = _trust_codes(name, frame, sites, staff).with_columns(
            pl.col("__trust").fill_null("unknown")
        )
        per_column = (
            tagged.group_by("__trust")
            .agg(
                pl.len().alias("rows"), *[pl.col(c).is_not_null().mean().alias(c) for c in columns]
            )
            .unpivot(index=["__trust", "rows"], variable_name="column", value_name="filled")
        )
        summary = (
            per_column.sort(["__trust", "filled", "column"])
            .group_by("__trust", maintain_order=True)
            .agg(
                pl.col("rows").first().cast(pl.Int64),
                pl.col("filled").mean().alias("completeness"),
                pl.col("column").first().alias("weakest_column"),
                pl.col("filled").first().alias("weakest_completeness"),
            )
            .with_columns(pl.lit(name).alias("dataset"))
        )
        parts.append(summary)
    if not parts:
        return pl.DataFrame(
            schema={
                "dataset": pl.String,
                "trust_code": pl.String,
                "rows": pl.Int64,
                "completeness": pl.Float64,
                "weakest_column": pl.String,
                "weakest_completeness": pl.Float64,
            }
        )
    return (
        pl.concat(parts)
        .rename({"__trust": "trust_code"})
        .select(
            "dataset",
            "trust_code",
            "rows",
            "completeness",
            "weakest_column",
            "weakest_completeness",
        )
        .sort("dataset", "trust_code")
    )


def read_contract_report(output_dir: Path) -> ContractReport | None:
    """Read the contract results written to ``output_dir/validation/summary.json``, if any.

    Args:
        output_dir: a run folder (the refresh validates into it before running notebooks).

    Returns:
        The report, or ``None`` when there is no readable summary.
    """
    path = Path(output_dir) / "validation" / "summary.json"
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        failures = [
            ContractFailure(
                dataset=item["dataset"],
                column=item.get("column"),
                rule=item["rule"],
                count=int(item.get("count", 0)),
                sample=list(item.get("sample", [])),
                detail=item.get("detail", ""),
            )
            for item in raw.get("failures", [])
        ]
        return ContractReport(
            failures=failures,
            checked=dict(raw.get("checked", {})),
            cross_checks=dict(raw.get("cross_checks", {})),
            seconds=float(raw.get("seconds", 0.0)),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def contract_report_for(frames: Mapping[str, pl.DataFrame], output_dir: Path) -> ContractReport:
    """The contract report for these frames: reused from the refresh if it matches, else run.

    The refresh validates the data before any notebook and writes the results into the run
    folder; running Great Expectations again would only repeat the work. Saved results are reused
    only when they cover exactly these datasets with the same row counts.

    Args:
        frames: the loaded datasets.
        output_dir: the run folder (``OUTPUT_DIR``).

    Returns:
        The contract report.
    """
    saved = read_contract_report(output_dir)
    rows = {name: frame.height for name, frame in frames.items()}
    if saved is not None and {k: v.get("rows") for k, v in saved.checked.items()} == rows:
        return saved
    return validate_datasets(dict(frames))


def contract_failures_table(report: Any) -> pl.DataFrame:
    """One row per failed contract rule of a ``ContractReport``.

    Args:
        report: an ``lsc_workforce.contracts.ContractReport``.

    Returns:
        Columns ``dataset, column, rule, count, sample`` (sample rows as text); empty when the
        report passed.
    """
    rows = [
        {
            "dataset": str(getattr(failure, "dataset", "")),
            "column": None if getattr(failure, "column", None) is None else str(failure.column),
            "rule": str(getattr(failure, "rule", "")),
            "count": int(getattr(failure, "count", 0) or 0),
            "sample": _sample_text(getattr(failure, "sample", None)),
        }
        for failure in getattr(report, "failures", [])
    ]
    schema = {
        "dataset": pl.String,
        "column": pl.String,
        "rule": pl.String,
        "count": pl.Int64,
        "sample": pl.String,
    }
    return pl.DataFrame(rows, schema=schema)


def _sample_text(sample: Any) -> str:
    if sample is None:
        return ""
    if isinstance(sample, pl.DataFrame):
        return "; ".join(str(row) for row in sample.head(5).rows(named=True))
    if isinstance(sample, list | tuple):
        return "; ".join(str(item) for item in list(sample)[:5])
    return str(sample)
