"""Yearly workforce stock-flow projection by trust, staff group and grade.

This is the supply interface the training pipeline builds on: :func:`project_supply` takes
today's staff in post, the flow parameters and (optionally) completions from a training plan,
and returns one row per NHS financial year, trust, staff group and grade with every flow, in
headcount and in WTE, so that exactly

``closing = opening + joiners + intakes + completions + progression_in - progression_out
- leavers - retirements``.

:func:`project_supply` is two public steps, which the Monte Carlo
(``lsc_workforce.demand.montecarlo``) uses to run the same stock-flow for many parameter draws:
:func:`prepare_supply` turns the frames into arrays once (:class:`SupplyInputs`), and
:func:`simulate_supply` runs them for a batch of leaver-rate and retirement-age draws.

Model (one financial year ``y``, people tracked by single year of age ``a``):

1. Retirements: ``R = H * h(a)``, where ``h`` is the hazard of a logistic retirement-age
   distribution with the staff group's mean and spread (radiologists retire at a mean of
   61, [src:radiologist-retirement]). Everybody still in post at ``MAX_AGE - 1`` retires.
2. Leavers (other than retirement): ``L = (H - R) * leaver_rate``.
3. Progression: a share ``rate`` of the remaining ``H - R - L`` moves from one
   (staff group, grade) to another in the same trust each year (e.g. radiographer band 6 to
   reporting radiographer band 7, trainee ST3 to ST4).
4. Joiners: ``joiner_rate`` times the opening headcount of the trust's staff group, all
   entering the group's entry grade at the group's joiner age.
4a. Trainee intakes (``SupplyParams.intakes``, the status quo of notebook 20): each year a
   trust takes ``trainee heads in post / training_years`` new trainees of a staff group into its
   entry grade (e.g. radiology ST1) at the entry age; they then progress grade by grade under
   the same progression and grade-leaver rates as the trainees already in post. The intake is
   fixed from the opening stock, so the projection stays linear in completions.
5. Completions: the training plan's qualified people for year ``y`` enter the programme's
   staff group and grade at the programme's completion age. A programme with a
   ``source_staff_group`` converts existing staff (e.g. radiographer to reporting
   radiographer): the same people leave the source cell (booked as ``progression_out``).
   Each converted head removes a fixed profile from the source cell: the age mix and average
   WTE per head of that cell in the *baseline* projection (no completions) at the end of the
   same year, so removal does not depend on the plan and the projection is exactly linear in
   completions (the training pipeline's stock-flow, C1, equals it). The removal is capped so
   that no age of the source cell goes negative: when a year's conversions from a cell exceed
   ``min_a stock(a) / profile(a)`` (the cell's headcount while earlier conversions have
   removed people in the baseline's age mix), all of them are scaled down together. A binding
   cap is the one non-linearity: the projection is linear in completions while conversions
   leave some of the source grade at every age. A cell empty in the baseline converts nobody.
6. Everybody ages one year.

Outflows other than conversions take WTE in proportion to heads (a leaver takes their own
average WTE); inflows bring ``wte_per_head`` of their staff group or programme (the
less-than-full-time, LTFT, factor).
Headcount here counts person-posts and is fractional in expectation.

Years are NHS financial years named by their starting calendar year (``2026`` = 2026/27); the
opening stock of the first year is the staff in post on the "as at" date.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import polars as pl

from lsc_workforce import data
from lsc_workforce.config import ConfigError
from lsc_workforce.demand.parameters import load_parameter_table, require_range
from lsc_workforce.demand.years import fy_label

#: Youngest single year of age tracked.
MIN_AGE = 18
#: Ages ``MIN_AGE .. MAX_AGE - 1`` are tracked; everyone still in post at ``MAX_AGE - 1`` retires.
MAX_AGE = 75
#: Flow names, in the order of the output columns.
FLOWS = (
    "opening",
    "joiners",
    "intakes",
    "completions",
    "progression_in",
    "progression_out",
    "leavers",
    "retirements",
    "closing",
)
KEYS = ("trust_code", "staff_group", "grade")

FLOW_COLUMNS = (
    "staff_group",
    "leaver_rate",
    "retirement_age_mean",
    "retirement_age_sd",
    "joiner_rate",
    "joiner_grade",
    "joiner_age",
    "wte_per_head",
)
PROGRESSION_COLUMNS = ("from_staff_group", "from_grade", "to_staff_group", "to_grade", "rate")
GRADE_LEAVER_COLUMNS = ("staff_group", "grade", "leaver_rate")
INTAKE_COLUMNS = (
    "staff_group",
    "entry_grade",
    "entry_age",
    "wte_per_head",
    "training_years",
)
GRADE_LINE_COLUMNS = ("staff_group", "grade", "supply_line", "service_contribution")
#: Supply lines of ``grade_lines.csv``: consultants, SAS doctors, trainees and AfC staff.
SUPPLY_LINES = ("consultant", "sas", "trainee", "afc")
PROGRAMME_COLUMNS = (
    "programme",
    "staff_group",
    "grade",
    "completion_age",
    "wte_per_head",
    "source_staff_group",
    "source_grade",
)


@dataclass(frozen=True)
class SupplyParams:
    """Flow parameters of the stock-flow model (``config/demand/supply_*.csv``).

    Attributes:
        flows: one row per ``staff_group``: ``leaver_rate`` (annual share leaving for reasons
            other than retirement, 0-1), ``retirement_age_mean`` and ``retirement_age_sd``
            (years), ``joiner_rate`` (joiners a year as a share of the opening headcount of
            the trust's staff group), ``joiner_grade``, ``joiner_age`` (years) and
            ``wte_per_head`` (WTE of a new joiner; the LTFT factor).
        progression: ``from_staff_group``, ``from_grade``, ``to_staff_group``, ``to_grade``,
            ``rate`` (annual share of the remaining stock of the "from" cell that moves).
            The rates out of one cell sum to at most 1.
        programmes: ``programme``, ``staff_group``, ``grade`` (where completers go),
            ``completion_age`` (years), ``wte_per_head``, and nullable ``source_staff_group``
            and ``source_grade`` for conversion programmes whose completers are existing staff.
        grade_leavers: optional ``staff_group``, ``grade``, ``leaver_rate`` rows overriding the
            staff group's leaver rate for one grade (e.g. trainees who rotate out of L&SC).
        grade_lines: optional ``staff_group``, ``grade``, ``supply_line`` (one of
            :data:`SUPPLY_LINES`) and ``service_contribution`` (share of a WTE that counts
            towards the service workload: 1 for consultants, less for trainees).
        intakes: optional ``staff_group``, ``entry_grade``, ``entry_age``, ``wte_per_head``,
            ``training_years``: the status-quo trainee intake (see the model, step 4a).
    """

    flows: pl.DataFrame
    progression: pl.DataFrame
    programmes: pl.DataFrame
    grade_leavers: pl.DataFrame | None = None
    grade_lines: pl.DataFrame | None = None
    intakes: pl.DataFrame | None = None

    def __post_init__(self) -> None:
        _require_columns(self.flows, FLOW_COLUMNS, "supply flows")
        _require_columns(self.progression, PROGRESSION_COLUMNS, "progression")
        _require_columns(self.programmes, PROGRAMME_COLUMNS, "programmes")
        object.__setattr__(
            self,
            "programmes",
            self.programmes.with_columns(
                pl.col("source_staff_group", "source_grade").cast(pl.String)
            ),
        )
        if self.flows["staff_group"].is_duplicated().any():
            raise ConfigError("supply flows: one row per staff_group")
        for column, low, high in (
            ("leaver_rate", 0, 1),
            ("joiner_rate", 0, 1),
            ("retirement_age_mean", 40, MAX_AGE + 10),
            ("retirement_age_sd", 0.1, 15),
            ("joiner_age", MIN_AGE, MAX_AGE - 2),
            ("wte_per_head", 0.01, 1.5),
        ):
            require_range(self.flows, column, low, high, "supply flows")
        require_range(self.progression, "rate", 0, 1, "progression")
        out = self.progression.group_by("from_staff_group", "from_grade").agg(pl.col("rate").sum())
        require_range(out, "rate", 0, 1, "progression (sum of rates out of one cell)")
        require_range(self.programmes, "completion_age", MIN_AGE, MAX_AGE - 2, "programmes")
        require_range(self.programmes, "wte_per_head", 0.01, 1.5, "programmes")
        if self.programmes["programme"].is_duplicated().any():
            raise ConfigError("programmes: one row per programme")
        if self.grade_leavers is not None:
            _require_columns(self.grade_leavers, GRADE_LEAVER_COLUMNS, "grade leavers")
            require_range(self.grade_leavers, "leaver_rate", 0, 1, "grade leavers")
        if self.grade_lines is not None:
            _require_columns(self.grade_lines, GRADE_LINE_COLUMNS, "grade lines")
            require_range(self.grade_lines, "service_contribution", 0, 1, "grade lines")
            bad = self.grade_lines.filter(~pl.col("supply_line").is_in(SUPPLY_LINES))
            if bad.height:
                raise ConfigError(
                    f"grade lines: supply_line must be one of {SUPPLY_LINES}: "
                    f"{bad.select(GRADE_LINE_COLUMNS).rows()}"
                )
        if self.intakes is not None:
            _require_columns(self.intakes, INTAKE_COLUMNS, "intakes")
            require_range(self.intakes, "entry_age", MIN_AGE, MAX_AGE - 2, "intakes")
            require_range(self.intakes, "wte_per_head", 0.01, 1.5, "intakes")
            require_range(self.intakes, "training_years", 1, 10, "intakes")
            if self.grade_lines is None:
                raise ConfigError("intakes need grade_lines (which grades are trainees)")

    @classmethod
    def from_config(cls, config_dir: Path) -> SupplyParams:
        """Load the supply tables from ``config_dir/demand/``.

        Reads ``supply_flows.csv``, ``supply_progression.csv``, ``programmes.csv`` and, if
        present, ``supply_grade_leavers.csv``, ``grade_lines.csv`` and ``supply_intakes.csv``.

        Args:
            config_dir: the repository's ``config/`` folder (tables live in ``demand/``).

        Returns:
            Validated parameters.

        Raises:
            ConfigError: if a table is missing or malformed.
        """
        folder = Path(config_dir) / "demand"
        return cls(
            flows=load_parameter_table(folder / "supply_flows.csv", FLOW_COLUMNS),
            progression=load_parameter_table(
                folder / "supply_progression.csv", PROGRESSION_COLUMNS
            ),
            programmes=load_parameter_table(
                folder / "programmes.csv", PROGRAMME_COLUMNS
            ).with_columns(pl.col("source_staff_group", "source_grade").cast(pl.String)),
            grade_leavers=_optional_table(
                folder / "supply_grade_leavers.csv", GRADE_LEAVER_COLUMNS
            ),
            grade_lines=_optional_table(folder / "grade_lines.csv", GRADE_LINE_COLUMNS),
            intakes=_optional_table(folder / "supply_intakes.csv", INTAKE_COLUMNS),
        )

    def service_contribution(self, cells: pl.DataFrame) -> pl.DataFrame:
        """Add ``supply_line`` and ``service_contribution`` to rows keyed by group and grade.

        Without grade lines every grade is a full contributor on line ``afc`` for AfC groups
        (the model before grades were kept apart); with them, a grade they do not list is an
        error naming it. Rows of the groups that only hold out-of-hours rotas
        (:data:`lsc_workforce.data.OOH_ONLY_GROUPS`, e.g. the IR nurses) are left out: the
        demand and supply models do not plan them.

        Raises:
            ConfigError: if a (staff group, grade) of ``cells`` has no grade line.
        """
        cells = cells.filter(~pl.col("staff_group").is_in(data.OOH_ONLY_GROUPS))
        if self.grade_lines is None:
            return cells.with_columns(
                pl.lit("afc").alias("supply_line"), pl.lit(1.0).alias("service_contribution")
            )
        joined = cells.join(
            self.grade_lines.select(GRADE_LINE_COLUMNS), on=["staff_group", "grade"], how="left"
        )
        missing = joined.filter(pl.col("supply_line").is_null())
        if missing.height:
            pairs = sorted(set(missing.select("staff_group", "grade").rows()))
            raise ConfigError(f"grade_lines.csv: no row for (staff_group, grade) {pairs}")
        return joined.with_columns(pl.col("service_contribution").cast(pl.Float64))

    @property
    def staff_groups(self) -> tuple[str, ...]:
        """Staff groups with flow parameters, in table order."""
        return tuple(self.flows["staff_group"].to_list())


def _optional_table(path: Path, columns: Sequence[str]) -> pl.DataFrame | None:
    return load_parameter_table(path, columns) if path.is_file() else None


def _require_columns(frame: pl.DataFrame, columns: Sequence[str], table: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ConfigError(f"{table}: missing column(s) {missing}")


def stock_by_age(staff: pl.DataFrame) -> pl.DataFrame:
    """Spread staff in post over single years of age.

    Each person-post in a five-year band counts one fifth at each age of the band.

    Args:
        staff: rows with ``trust_code``, ``staff_group``, ``grade``, ``age_band`` and ``wte``
            (e.g. the ``staff_in_post`` dataset) and optionally ``headcount`` (default 1);
            rows of :data:`lsc_workforce.data.OOH_ONLY_GROUPS` are left out.

    Returns:
        Columns ``trust_code``, ``staff_group``, ``grade``, ``age`` (Int32), ``headcount``,
        ``wte`` (Float64), one row per populated age.

    Raises:
        ConfigError: if an ``age_band`` is not an NHS Workforce Statistics band.
    """
    _require_columns(staff, (*KEYS, "age_band", "wte"), "stock")
    # The groups that only hold out-of-hours rotas are not planned (data.OOH_ONLY_GROUPS).
    staff = staff.filter(~pl.col("staff_group").is_in(data.OOH_ONLY_GROUPS))
    # Ages of each NHS Workforce Statistics band, half-open [lo, hi) ("Under 25" as 20-24).
    ages = data.AGE_BAND_AGES
    unknown = set(staff["age_band"].unique().to_list()) - set(ages)
    if unknown:
        raise ConfigError(f"stock: unknown age_band(s) {sorted(map(str, unknown))}")
    bands = pl.DataFrame(
        {
            "age_band": [b for b, (lo, hi) in ages.items() for _ in range(lo, hi)],
            "age": [a for lo, hi in ages.values() for a in range(lo, hi)],
            "share": [1 / (hi - lo) for lo, hi in ages.values() for _ in range(lo, hi)],
        },
        schema={"age_band": pl.String, "age": pl.Int32, "share": pl.Float64},
    )
    head = pl.col("headcount") if "headcount" in staff.columns else pl.lit(1.0)
    return (
        staff.select(*KEYS, "age_band", head.cast(pl.Float64).alias("headcount"), "wte")
        .join(bands, on="age_band")
        .group_by(*KEYS, "age")
        .agg(
            (pl.col("headcount") * pl.col("share")).sum(),
            (pl.col("wte").cast(pl.Float64) * pl.col("share")).sum(),
        )
        .sort(*KEYS, "age")
    )


def retirement_hazard(mean: np.ndarray, sd: np.ndarray) -> np.ndarray:
    """Return the yearly retirement hazard by single year of age.

    Retirement age follows a logistic distribution with the given mean and standard
    deviation; the hazard at age ``a`` is ``P(a <= X < a + 1 | X >= a)``, and 1 at
    ``MAX_AGE - 1``.

    Args:
        mean: mean retirement ages, any shape ``S``.
        sd: standard deviations, broadcastable to ``S``.

    Returns:
        Array of shape ``S + (MAX_AGE - MIN_AGE,)`` with values in [0, 1].
    """
    ages = np.arange(MIN_AGE, MAX_AGE, dtype=float)
    scale = np.asarray(sd, dtype=float)[..., None] * np.sqrt(3.0) / np.pi
    z0 = (ages - np.asarray(mean, dtype=float)[..., None]) / scale
    z1 = z0 + 1.0 / scale
    # 1 - S(a+1)/S(a) with survival S(x) = 1 / (1 + exp(z)), written to stay finite.
    hazard = 1.0 - np.exp(np.logaddexp(0.0, z0) - np.logaddexp(0.0, z1))
    hazard = np.clip(hazard, 0.0, 1.0)
    hazard[..., -1] = 1.0
    return hazard


@dataclass(frozen=True)
class SupplyLayout:
    """Index of the cells (trust, staff group, grade) and of the trust x staff-group totals.

    Cells are sorted by trust and staff group, so the cells of one total are consecutive.

    Attributes:
        cells: ``trust_code``, ``staff_group``, ``grade`` and ``cell`` (row number, 0..C-1).
        totals: ``trust_code``, ``staff_group``, one row per total in index order (0..T-1).
        cell_total: ``(C,)`` the total each cell belongs to (row of ``totals``).
        cell_group: ``(C,)`` the staff group of each cell (index into
            ``SupplyParams.staff_groups``).
        entry_cell: ``(T,)`` the cell joiners of each total enter (its staff group's
            ``joiner_grade``).
    """

    cells: pl.DataFrame
    totals: pl.DataFrame
    cell_total: np.ndarray
    cell_group: np.ndarray
    entry_cell: np.ndarray


def _layout(stock: pl.DataFrame, params: SupplyParams, completions: pl.DataFrame) -> SupplyLayout:
    groups = params.staff_groups
    missing = set(stock["staff_group"].unique().to_list()) - set(groups)
    if missing:
        raise ConfigError(f"supply flows have no row for staff group(s) {sorted(missing)}")
    trusts = pl.concat([stock.select("trust_code"), completions.select("trust_code")]).unique()
    entry = params.flows.select("staff_group", pl.col("joiner_grade").alias("grade"))
    progression_to = params.progression.select(
        pl.col("to_staff_group").alias("staff_group"), pl.col("to_grade").alias("grade")
    )
    progression_from = params.progression.select(
        pl.col("from_staff_group").alias("staff_group"), pl.col("from_grade").alias("grade")
    )
    conversion_sources = params.programmes.filter(
        pl.col("source_staff_group").is_not_null()
    ).select(
        pl.col("source_staff_group").alias("staff_group"), pl.col("source_grade").alias("grade")
    )
    intake_cells = (
        params.intakes.select("staff_group", pl.col("entry_grade").alias("grade"))
        if params.intakes is not None
        else entry.clear()
    )
    per_trust = pl.concat(
        [entry, progression_to, progression_from, conversion_sources, intake_cells]
    ).unique()
    cells = (
        pl.concat(
            [
                stock.select(KEYS),
                trusts.join(per_trust, how="cross").select(KEYS),
                completions.select(KEYS),
            ]
        )
        .filter(pl.col("staff_group").is_in(groups))
        .unique()
        .sort(KEYS)
        .with_row_index("cell")
    )
    totals = cells.select("trust_code", "staff_group").unique().sort("trust_code", "staff_group")
    totals = totals.with_row_index("total")
    indexed = cells.join(totals, on=["trust_code", "staff_group"]).sort("cell")
    group_index = {g: i for i, g in enumerate(groups)}
    entry_cell = (
        totals.join(
            params.flows.select("staff_group", pl.col("joiner_grade").alias("grade")),
            on="staff_group",
        )
        .join(cells, on=KEYS)
        .sort("total")
    )
    if entry_cell.height != totals.height:
        raise ConfigError("every staff group needs a joiner_grade")
    if np.any(np.diff(indexed["total"].to_numpy()) < 0):  # pragma: no cover - sort invariant
        raise AssertionError("cells must be sorted by trust and staff group")
    return SupplyLayout(
        cells=cells,
        totals=totals.drop("total"),
        cell_total=indexed["total"].to_numpy().astype(np.int64),
        cell_group=np.array([group_index[g] for g in indexed["staff_group"].to_list()]),
        entry_cell=entry_cell["cell"].to_numpy().astype(np.int64),
    )


def _completion_rows(completions: pl.DataFrame | None, params: SupplyParams) -> pl.DataFrame:
    """Normalise completions to year, KEYS, headcount, age, wte_per_head, source cell."""
    schema = {
        "year": pl.Int64,
        "trust_code": pl.String,
        "staff_group": pl.String,
        "grade": pl.String,
        "headcount": pl.Float64,
        "age": pl.Int64,
        "wte_per_head": pl.Float64,
        "source_staff_group": pl.String,
        "source_grade": pl.String,
    }
    if completions is None or completions.height == 0:
        return pl.DataFrame(schema=schema)
    _require_columns(completions, ("year", "trust_code", "headcount"), "completions")
    if completions["headcount"].min() < 0:
        raise ConfigError("completions: headcount must be non-negative")
    if "programme" in completions.columns:
        unknown = set(completions["programme"].unique().to_list()) - set(
            params.programmes["programme"].to_list()
        )
        if unknown:
            raise ConfigError(f"completions: unknown programme(s) {sorted(unknown)}")
        rows = completions.join(params.programmes, on="programme", how="left").select(
            "year",
            "trust_code",
            "staff_group",
            "grade",
            "headcount",
            pl.col("completion_age").alias("age"),
            "wte_per_head",
            "source_staff_group",
            "source_grade",
        )
    else:
        _require_columns(completions, ("staff_group", "grade"), "completions")
        rows = completions.join(
            params.flows.select("staff_group", pl.col("joiner_age").alias("age"), "wte_per_head"),
            on="staff_group",
            how="left",
        ).select(
            "year",
            "trust_code",
            "staff_group",
            "grade",
            "headcount",
            "age",
            "wte_per_head",
            pl.lit(None, pl.String).alias("source_staff_group"),
            pl.lit(None, pl.String).alias("source_grade"),
        )
    return rows.cast(schema)  # type: ignore[arg-type]


def status_quo_intakes(stock: pl.DataFrame, params: SupplyParams) -> pl.DataFrame:
    """Yearly trainee intake per trust and staff group that keeps today's trainee numbers.

    A trust's intake is the headcount it has in the staff group's trainee grades
    (``supply_line == "trainee"`` in ``grade_lines``) divided by the years of training in the
    group (``training_years``): the steady state of today's posts.

    Args:
        stock: staff in post (any frame :func:`stock_by_age` accepts, or its output).
        params: supply parameters with ``intakes`` and ``grade_lines``.

    Returns:
        ``trust_code``, ``staff_group``, ``grade`` (entry grade), ``headcount`` (a year),
        ``age``, ``wte_per_head``; empty without ``params.intakes``.
    """
    schema = {
        "trust_code": pl.String,
        "staff_group": pl.String,
        "grade": pl.String,
        "headcount": pl.Float64,
        "age": pl.Int64,
        "wte_per_head": pl.Float64,
    }
    if params.intakes is None or params.grade_lines is None:
        return pl.DataFrame(schema=schema)
    if "age" not in stock.columns:
        stock = stock_by_age(stock)
    trainee_grades = params.grade_lines.filter(pl.col("supply_line") == "trainee").select(
        "staff_group", "grade"
    )
    heads = (
        stock.join(trainee_grades, on=["staff_group", "grade"], how="semi")
        .group_by("trust_code", "staff_group")
        .agg(pl.col("headcount").sum())
    )
    return (
        heads.join(params.intakes, on="staff_group")
        .select(
            "trust_code",
            "staff_group",
            pl.col("entry_grade").alias("grade"),
            (pl.col("headcount") / pl.col("training_years")).alias("headcount"),
            pl.col("entry_age").alias("age"),
            "wte_per_head",
        )
        .cast(schema)  # type: ignore[arg-type]
        .sort("trust_code", "staff_group")
    )


@dataclass(frozen=True)
class SupplyInputs:
    """The arrays of one projection, made once by :func:`prepare_supply`.

    Shared by the deterministic projection (:func:`project_supply`) and the Monte Carlo
    (``lsc_workforce.demand.montecarlo``), which runs :func:`simulate_supply` on them for many
    parameter draws. Shapes: ``C`` cells, ``G`` staff groups, ``Y`` years, ``A`` single years
    of age (``MIN_AGE .. MAX_AGE - 1``).

    Attributes:
        layout: the cells and trust x staff-group totals.
        years: the financial years projected.
        heads0: ``(C, A)`` opening headcount by cell and age.
        wte0: ``(C, A)`` opening WTE by cell and age.
        leaver_rate: ``(C,)`` leaver rate of each cell (a grade override, else its group's).
        retirement_mean: ``(G,)`` mean retirement age of each staff group (years).
        retirement_sd: ``(G,)`` spread of the retirement age (years).
        joiner_rate: ``(G,)`` joiners a year as a share of the opening headcount.
        joiner_age: ``(G,)`` joiners' age, as an age index (``age - MIN_AGE``).
        joiner_wte: ``(G,)`` WTE per joiner.
        edges: progression edges ``(from cell, to cell, rate)``, one array each.
        external: completions from outside the workforce, ``(heads, wte)``, each
            ``(Y, C, A)``.
        internal: conversion completions, one array each of year index, source cell,
            destination cell, headcount, age index and WTE per head.
        intake: trainee intakes every year, ``(heads, wte)``, each ``(C, A)`` (zeros
            without ``SupplyParams.intakes``).
    """

    layout: SupplyLayout
    years: tuple[int, ...]
    heads0: np.ndarray
    wte0: np.ndarray
    leaver_rate: np.ndarray
    retirement_mean: np.ndarray
    retirement_sd: np.ndarray
    joiner_rate: np.ndarray
    joiner_age: np.ndarray
    joiner_wte: np.ndarray
    edges: tuple[np.ndarray, np.ndarray, np.ndarray]
    external: tuple[np.ndarray, np.ndarray]
    internal: tuple[np.ndarray, ...]
    intake: tuple[np.ndarray, np.ndarray]


def prepare_supply(
    stock: pl.DataFrame,
    params: SupplyParams,
    years: Sequence[int],
    completions: pl.DataFrame | None = None,
) -> SupplyInputs:
    """Turn the stock, flow parameters and completions into the arrays of a projection.

    Args:
        stock: staff in post, as for :func:`project_supply`.
        params: flow parameters.
        years: consecutive NHS financial years by starting calendar year.
        completions: as for :func:`project_supply` (``None``: no completions).

    Returns:
        The inputs of :func:`simulate_supply`.

    Raises:
        ConfigError: if years are not consecutive, a staff group has no flow parameters, a
            programme is unknown or a completion count is negative.
    """
    years = tuple(int(y) for y in years)
    if not years or any(b - a != 1 for a, b in zip(years, years[1:], strict=False)):
        raise ConfigError(f"years must be consecutive financial years, not {years}")
    if "age" not in stock.columns:
        stock = stock_by_age(stock)
    comp = _completion_rows(completions, params).filter(pl.col("year").is_in(years))
    layout = _layout(stock, params, comp)
    n_cells, n_ages = layout.cells.height, MAX_AGE - MIN_AGE
    heads0 = np.zeros((n_cells, n_ages))
    wte0 = np.zeros((n_cells, n_ages))
    s = stock.join(layout.cells, on=KEYS).with_columns(
        (pl.col("age").clip(MIN_AGE, MAX_AGE - 1) - MIN_AGE).alias("a")
    )
    np.add.at(heads0, (s["cell"].to_numpy(), s["a"].to_numpy()), s["headcount"].to_numpy())
    np.add.at(wte0, (s["cell"].to_numpy(), s["a"].to_numpy()), s["wte"].to_numpy())

    flows = params.flows
    edges_frame = params.progression.join(
        layout.cells.rename({"staff_group": "from_staff_group", "grade": "from_grade"}),
        on=["from_staff_group", "from_grade"],
    ).join(
        layout.cells.rename(
            {"staff_group": "to_staff_group", "grade": "to_grade", "cell": "to_cell"}
        ),
        on=["trust_code", "to_staff_group", "to_grade"],
    )
    year_index = {y: i for i, y in enumerate(years)}
    ext_heads = np.zeros((len(years), n_cells, n_ages))
    ext_wte = np.zeros_like(ext_heads)
    comp = comp.join(layout.cells, on=KEYS).with_columns(
        (pl.col("age").clip(MIN_AGE, MAX_AGE - 2) - MIN_AGE).alias("a"),
        pl.col("year").replace_strict(year_index, return_dtype=pl.Int64).alias("y"),
    )
    ext = comp.filter(pl.col("source_staff_group").is_null())
    index = (ext["y"].to_numpy(), ext["cell"].to_numpy(), ext["a"].to_numpy())
    np.add.at(ext_heads, index, ext["headcount"].to_numpy())
    np.add.at(ext_wte, index, (ext["headcount"] * ext["wte_per_head"]).to_numpy())
    conv = comp.filter(pl.col("source_staff_group").is_not_null()).join(
        layout.cells.rename(
            {"staff_group": "source_staff_group", "grade": "source_grade", "cell": "src"}
        ),
        on=["trust_code", "source_staff_group", "source_grade"],
        how="left",
    )
    if conv["src"].is_null().any():  # only if a source group has no flow parameters
        raise ConfigError("completions: a conversion programme's source group is not modelled")
    intake_heads = np.zeros((n_cells, n_ages))
    intake_wte = np.zeros_like(intake_heads)
    intakes = (
        status_quo_intakes(stock, params)
        .join(layout.cells, on=KEYS)
        .with_columns((pl.col("age").clip(MIN_AGE, MAX_AGE - 2) - MIN_AGE).alias("a"))
    )
    index = (intakes["cell"].to_numpy(), intakes["a"].to_numpy())
    np.add.at(intake_heads, index, intakes["headcount"].to_numpy())
    np.add.at(intake_wte, index, (intakes["headcount"] * intakes["wte_per_head"]).to_numpy())
    return SupplyInputs(
        layout=layout,
        years=years,
        heads0=heads0,
        wte0=wte0,
        leaver_rate=_cell_leaver_rates(layout, params),
        retirement_mean=flows["retirement_age_mean"].to_numpy().astype(float),
        retirement_sd=flows["retirement_age_sd"].to_numpy().astype(float),
        joiner_rate=flows["joiner_rate"].to_numpy().astype(float),
        joiner_age=flows["joiner_age"].to_numpy().astype(np.int64) - MIN_AGE,
        joiner_wte=flows["wte_per_head"].to_numpy().astype(float),
        edges=(
            edges_frame["cell"].to_numpy().astype(np.int64),
            edges_frame["to_cell"].to_numpy().astype(np.int64),
            edges_frame["rate"].to_numpy().astype(float),
        ),
        external=(ext_heads, ext_wte),
        internal=(
            conv["y"].to_numpy(),
            conv["src"].to_numpy().astype(np.int64),
            conv["cell"].to_numpy().astype(np.int64),
            conv["headcount"].to_numpy().astype(float),
            conv["a"].to_numpy(),
            conv["wte_per_head"].to_numpy().astype(float),
        ),
        intake=(intake_heads, intake_wte),
    )


def _cell_leaver_rates(layout: SupplyLayout, params: SupplyParams) -> np.ndarray:
    """Leaver rate of every cell: the grade override if any, else the staff group's rate."""
    rates = layout.cells.join(
        params.flows.select("staff_group", pl.col("leaver_rate").alias("group_rate")),
        on="staff_group",
    )
    if params.grade_leavers is not None:
        rates = rates.join(
            params.grade_leavers.select("staff_group", "grade", "leaver_rate"),
            on=["staff_group", "grade"],
            how="left",
        )
    else:
        rates = rates.with_columns(pl.lit(None, pl.Float64).alias("leaver_rate"))
    rates = rates.sort("cell").select(pl.coalesce("leaver_rate", "group_rate"))
    return rates.to_series().to_numpy().astype(float)


def simulate_supply(
    inputs: SupplyInputs,
    leaver_multiplier: np.ndarray,
    retirement_shift: np.ndarray,
    keep_flows: bool,
    dtype: type = np.float64,
    *,
    record: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Run the stock-flow of :func:`prepare_supply`'s inputs for ``D`` parameter draws at once.

    Heads and WTE are one array ``state[cell, measure, draw, age]``; a year costs one fused
    pass that applies survival and ages everybody, plus one sum (1,000 draws of the reference
    data take about a second).

    Args:
        inputs: from :func:`prepare_supply`.
        leaver_multiplier: ``(D, G)`` factors on the leaver rates.
        retirement_shift: ``(D, G)`` years added to the mean retirement ages.
        keep_flows: return every flow per cell (``(D, Y, C)`` each, for headcount and WTE);
            otherwise only ``closing_wte``.
        dtype: float type of the working arrays; the Monte Carlo uses ``float32`` (half the
            memory traffic; relative error about 1e-6, far below the sampling error).
        record: cells whose closing state to return as ``recorded`` ``(Y, S, 2, D, A)``.

    Returns:
        Arrays by name ``<flow>_headcount`` / ``<flow>_wte`` (or only ``closing_wte``), plus
        ``recorded`` when asked.
    """
    conv_y = inputs.internal[0]
    sources = np.unique(inputs.internal[1])
    profiles = np.empty(0)
    if sources.size:
        # Conversions remove the baseline's (no completions) age and WTE mix: one more run.
        baseline = replace(
            inputs,
            external=tuple(np.zeros_like(a) for a in inputs.external),
            intake=inputs.intake,
            internal=tuple(a[:0] for a in inputs.internal),
        )
        kept = simulate_supply(
            baseline, leaver_multiplier, retirement_shift, False, dtype, record=sources
        )["recorded"]
        heads = kept[:, :, 0].sum(axis=3)  # (Y, S, D)
        with np.errstate(divide="ignore", invalid="ignore"):
            profiles = np.where(
                heads[:, :, None, :, None] > 0, kept / heads[:, :, None, :, None], 0.0
            )
    lay = inputs.layout
    n_draws = leaver_multiplier.shape[0]
    n_years, n_cells = len(inputs.years), lay.cells.height
    group = lay.cell_group
    leaver = np.clip(inputs.leaver_rate[None, :] * leaver_multiplier[:, group], 0.0, 1.0)
    hazard = retirement_hazard(
        inputs.retirement_mean[None, :] + retirement_shift, inputs.retirement_sd[None, :]
    )[:, group, :]
    survive = (1.0 - hazard) * (1.0 - leaver[:, :, None])
    src, dst, rate = inputs.edges
    out_rate = np.zeros(n_cells)
    np.add.at(out_rate, src, rate)
    stay = (1.0 - out_rate)[None, None, :, None]
    entry_group = group[lay.entry_cell]
    joiner_rate = inputs.joiner_rate[entry_group]
    joiner_age = inputs.joiner_age[entry_group]
    joiner_wte = inputs.joiner_wte[entry_group]
    ext_heads, ext_wte = inputs.external
    intake_heads, intake_wte = inputs.intake

    # state[cell, measure (0 heads, 1 WTE), draw, age]: cells first so that moving one cell's
    # people is a contiguous block.
    state = np.empty((n_cells, 2, n_draws, hazard.shape[2]), dtype=dtype)
    state[:, 0] = inputs.heads0[:, None, :]
    state[:, 1] = inputs.wte0[:, None, :]
    spare = np.empty_like(state)
    hazard = np.ascontiguousarray(hazard.transpose(1, 0, 2), dtype=dtype)[:, None]  # (C,1,D,A)
    survive = np.ascontiguousarray(survive.transpose(1, 0, 2), dtype=dtype)[:, None]
    leaver = np.ascontiguousarray(leaver.T)[:, None, :, None]  # (C, 1, D, 1)
    # Survivors who also stay in their cell, by age: one fused pass a year applies it and ages
    # everybody (inflows are then added one age up, i.e. at their age at the year end).
    keep = survive * stay.reshape(n_cells, 1, 1, 1).astype(dtype)
    move_factor = [survive[c] * dtype(r) for c, r in zip(src, rate, strict=True)]  # (1, D, A)
    total_starts = np.flatnonzero(np.r_[True, np.diff(lay.cell_total) != 0])
    books = {f: np.zeros((n_cells, 2, n_draws, n_years)) for f in FLOWS} if keep_flows else {}
    closing_wte = np.zeros((n_draws, n_years, n_cells))
    recorded = [] if record is not None else None
    opening = state.sum(axis=3)  # (C, 2, D)

    for y in range(n_years):
        if keep_flows:
            retired = state * hazard
            remaining = state * survive
            books["opening"][..., y] = opening
            books["retirements"][..., y] = retired.sum(axis=3)
            books["leavers"][..., y] = ((state - retired) * leaver).sum(axis=3)
            books["progression_out"][..., y] = remaining.sum(axis=3) * out_rate[:, None, None]
        moved = [state[c] * factor for c, factor in zip(src, move_factor, strict=True)]
        # Age by one year; the last age has retired (hazard 1) so nobody is lost.
        np.multiply(state[..., :-1], keep[..., :-1], out=spare[..., 1:])
        spare[..., 0] = 0.0
        state, spare = spare, state
        for cell, people in zip(dst, moved, strict=True):
            state[cell, :, :, 1:] += people[..., :-1]
            if keep_flows:
                books["progression_in"][cell, :, :, y] += people.sum(axis=2)

        # Cells are sorted by trust and staff group, so each total is a run of cells.
        totals = np.add.reduceat(opening[:, 0], total_starts, axis=0)  # (T, D)
        joined = totals * joiner_rate[:, None]  # (T, D)
        state[lay.entry_cell, 0, :, joiner_age + 1] += joined
        state[lay.entry_cell, 1, :, joiner_age + 1] += joined * joiner_wte[:, None]
        if keep_flows:
            books["joiners"][lay.entry_cell, 0, :, y] = joined
            books["joiners"][lay.entry_cell, 1, :, y] = joined * joiner_wte[:, None]

        if intake_heads.any():
            state[:, 0, :, 1:] += intake_heads[:, None, :-1]
            state[:, 1, :, 1:] += intake_wte[:, None, :-1]
            if keep_flows:
                books["intakes"][:, 0, :, y] = intake_heads.sum(axis=1)[:, None]
                books["intakes"][:, 1, :, y] = intake_wte.sum(axis=1)[:, None]

        if ext_heads[y].any():
            state[:, 0, :, 1:] += ext_heads[y][:, None, :-1]
            state[:, 1, :, 1:] += ext_wte[y][:, None, :-1]
            if keep_flows:
                books["completions"][:, 0, :, y] += ext_heads[y].sum(axis=1)[:, None]
                books["completions"][:, 1, :, y] += ext_wte[y].sum(axis=1)[:, None]
        if (conv_y == y).any():
            _convert(
                state,
                books,
                y,
                tuple(a[conv_y == y] for a in inputs.internal[1:]),
                (sources, profiles[y]),
            )

        if recorded is not None:
            recorded.append(state[record].astype(np.float64))
        opening = state.sum(axis=3)  # closing of this year = opening of the next
        closing_wte[:, y, :] = opening[:, 1].T
        if keep_flows:
            books["closing"][..., y] = opening
    if not keep_flows:
        result = {"closing_wte": closing_wte}
        if recorded is not None:
            result["recorded"] = np.stack(recorded)
        return result
    return {
        f"{f}_{m}": books[f][:, i].transpose(1, 2, 0)
        for f in FLOWS
        for i, m in enumerate(("headcount", "wte"))
    }


def _convert(
    state: np.ndarray,
    books: dict[str, np.ndarray],
    year: int,
    conversions: tuple[np.ndarray, ...],
    profile: tuple[np.ndarray, np.ndarray],
) -> None:
    """Move conversion-programme completers from their source cell, in place.

    Each converted head removes the source cell's profile (heads and WTE by age per head of
    the baseline projection this year, which does not depend on the plan), booked as
    ``progression_out``, and arrives at the programme's completion age with its
    ``wte_per_head`` (booked as ``completions``). Requests on one source cell are scaled down
    together when some age of the cell has fewer people (or less WTE) than the profile would
    remove (the cap; otherwise removal is linear in completions), and to nothing when the
    baseline has nobody in the cell.

    Args:
        state: ``(C, 2, D, A)`` heads and WTE, updated in place.
        books: flow sums ``(C, 2, D, Y)`` by flow name (empty when not kept).
        year: index of the year.
        conversions: source cell, destination cell, headcount wanted, age index and WTE per
            head of each conversion this year.
        profile: the sorted source cells ``(S,)`` and their per-head profiles
            ``(S, 2, D, A)`` this year.
    """
    src, dst, wanted, age, wte_per_head = conversions
    sources, per_head = profile
    rows = np.searchsorted(sources, src)
    requested = np.zeros(len(sources))
    np.add.at(requested, rows, wanted)
    need = requested[:, None, None, None] * per_head  # (S, 2, D, A): heads and WTE
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # inf caps at 1
        ratio = np.where(need > 0, state[sources] / need, np.inf)
    # Heads and WTE both cap: a cell's WTE per head can differ from the baseline profile's.
    scale = np.where(per_head[:, 0].sum(axis=2) > 0, np.clip(ratio.min(axis=(1, 3)), 0.0, 1.0), 0.0)
    moved = wanted[:, None] * scale[rows]  # (K, D)
    out = (requested[:, None] * scale)[:, None, :, None] * per_head  # (S, 2, D, A)
    state[sources] -= out.astype(state.dtype)
    if books:
        books["progression_out"][sources, ..., year] += out.sum(axis=3)
    for k in range(len(src)):  # state is already aged: arrivals go one year up
        state[dst[k], 0, :, age[k] + 1] += moved[k]
        state[dst[k], 1, :, age[k] + 1] += moved[k] * wte_per_head[k]
        if books:
            books["completions"][dst[k], 0, :, year] += moved[k]
            books["completions"][dst[k], 1, :, year] += moved[k] * wte_per_head[k]


def project_supply(
    stock: pl.DataFrame,
    params: SupplyParams,
    years: Sequence[int],
    completions: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Project the workforce year by year as a stock-flow by trust, staff group and grade.

    Args:
        stock: staff in post on the "as at" date: either the ``staff_in_post`` dataset (or any
            frame with ``trust_code``, ``staff_group``, ``grade``, ``age_band``, ``wte`` and an
            optional ``headcount``), or the output of :func:`stock_by_age` (with ``age``).
        params: flow parameters, e.g. ``SupplyParams.from_config(CONFIG_DIR)``.
        years: consecutive NHS financial years by starting calendar year, e.g.
            ``financial_years(as_at, 10)``; the stock opens the first year.
        completions: qualified people joining from training, with ``year`` (financial year of
            completion), ``trust_code``, ``headcount`` (may be fractional) and either
            ``programme`` (a row of ``params.programmes``, e.g. ``clinical_radiology``) or
            ``staff_group`` and ``grade`` (then they arrive at the group's joiner age and
            WTE). Years outside ``years`` are ignored. ``None`` means no completions.

    Returns:
        One row per ``year``, ``trust_code``, ``staff_group``, ``grade`` with ``fy_label`` and
        Float64 columns ``<flow>_headcount`` and ``<flow>_wte`` for each flow in
        :data:`FLOWS` (opening, joiners, completions, progression_in, progression_out,
        leavers, retirements, closing). The closing stock of a year is the opening stock of
        the next.

    Raises:
        ConfigError: if years are not consecutive, a staff group has no flow parameters, a
            programme is unknown or a completion count is negative.
    """
    inputs = prepare_supply(stock, params, years, completions)
    n_groups = len(params.staff_groups)
    flows = simulate_supply(
        inputs, np.ones((1, n_groups)), np.zeros((1, n_groups)), keep_flows=True
    )
    return _tidy(inputs, {name: values[0] for name, values in flows.items()})


def _tidy(inputs: SupplyInputs, flows: dict[str, np.ndarray]) -> pl.DataFrame:
    """Turn ``(Y, C)`` flow arrays into the tidy output frame."""
    cells = inputs.layout.cells
    n_years = len(inputs.years)
    frame = pl.DataFrame(
        {
            "year": np.repeat(np.array(inputs.years, dtype=np.int64), cells.height),
            "cell": np.tile(cells["cell"].to_numpy(), n_years),
            **{name: values.reshape(-1) for name, values in flows.items()},
        }
    )
    columns = [f"{f}_{m}" for m in ("headcount", "wte") for f in FLOWS]
    return (
        frame.join(cells, on="cell")
        .with_columns(
            pl.col("year").map_elements(fy_label, return_dtype=pl.String).alias("fy_label")
        )
        .select("year", "fy_label", *KEYS, *columns)
        .sort("year", *KEYS)
    )


def supply_lines(
    supply: pl.DataFrame,
    params: SupplyParams,
    wte: str = "wte",
    by: Sequence[str] = ("trust_code", "staff_group"),
) -> pl.DataFrame:
    """WTE by supply line and the WTE that counts towards the service workload.

    Args:
        supply: rows with ``staff_group``, ``grade``, the keys ``by`` and a WTE column (e.g.
            the ``staff_in_post`` dataset with ``wte``, or :func:`project_supply` with
            ``closing_wte`` and ``year`` among ``by``).
        params: supply parameters (their ``grade_lines``).
        wte: the WTE column.
        by: keys to keep.

    Returns:
        ``by``, ``consultant_wte``, ``sas_wte``, ``trainee_wte``, ``afc_wte`` (WTE in post by
        line), ``in_post_wte`` (their sum), ``trainee_service_wte`` (trainee WTE times the
        service contribution) and ``service_wte`` (every line weighted by its contribution).
    """
    keys = list(dict.fromkeys([*by, "staff_group", "grade"]))
    lined = params.service_contribution(supply.select(*keys, wte))
    value = pl.col(wte).cast(pl.Float64)
    return (
        lined.group_by(*by)
        .agg(
            *[
                value.filter(pl.col("supply_line") == line).sum().alias(f"{line}_wte")
                for line in SUPPLY_LINES
            ],
            value.sum().alias("in_post_wte"),
            (value * pl.col("service_contribution"))
            .filter(pl.col("supply_line") == "trainee")
            .sum()
            .alias("trainee_service_wte"),
            (value * pl.col("service_contribution")).sum().alias("service_wte"),
        )
        .sort(*by)
    )


def summarise_supply(
    supply: pl.DataFrame, by: Sequence[str] = ("trust_code", "staff_group")
) -> pl.DataFrame:
    """Sum a :func:`project_supply` result over grades (or any other keys).

    Args:
        supply: output of :func:`project_supply`.
        by: keys to keep besides ``year`` and ``fy_label``.

    Returns:
        The same flow columns summed within ``year``, ``fy_label`` and ``by``.
    """
    flow_columns = [c for c in supply.columns if c.endswith(("_headcount", "_wte"))]
    return (
        supply.group_by("year", "fy_label", *by).agg(pl.col(flow_columns).sum()).sort("year", *by)
    )
