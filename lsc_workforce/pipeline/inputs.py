"""Validated, immutable inputs of the training-pipeline integer programme.

:class:`PipelineInputs` is the only thing :func:`lsc_workforce.pipeline.model.build_model` reads.
It is built from tidy polars frames by :meth:`PipelineInputs.from_frames`, which checks keys,
ranges and consistency and names the table and rows in any error, so the model code can index
dictionaries without defensive checks.

Two kinds of frame go in:

* **demand and supply** (from :mod:`lsc_workforce.demand`, or small hand-written frames in tests):
  ``requirement`` (trust_code, staff_group, financial_year, required_wte), ``opening_supply``
  (trust_code, staff_group, supply_wte) and ``leaver_rates`` (trust_code, staff_group,
  leaver_rate);
* **training configuration** (``config/training/``, loaded by :func:`load_training_tables`):
  ``training_programmes``, ``training_capacity``, ``current_trainees``, ``source_pools`` and
  ``skill_mix``, each row with a ``source`` and a ``status``.

Financial years are identified by their starting calendar year (``2026`` = 2026/27), as in
:mod:`lsc_workforce.demand.years`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import polars as pl

from lsc_workforce.config import ConfigError
from lsc_workforce.demand.parameters import load_parameter_table, require_range
from lsc_workforce.demand.supply import PROGRAMME_COLUMNS

#: Configuration tables under ``config/training/`` and their required columns.
TRAINING_TABLES: dict[str, tuple[str, ...]] = {
    "training_programmes": (
        "programme",
        "programme_name",
        "produced_group",
        "source_group",
        "supply_programme",
        "trainees_in_staff_stock",
        "duration_years",
        "completion_rate",
        "retention_rate",
        "cost_per_trainee_year_gbp",
    ),
    "training_capacity": (
        "programme",
        "trust_code",
        "from_year",
        "to_year",
        "placement_capacity",
        "funded_intake_limit",
        "status_quo_intake",
    ),
    "current_trainees": ("programme", "trust_code", "year_of_training", "headcount"),
    "source_pools": ("programme", "trust_code", "pool_headcount"),
    "skill_mix": ("donor_group", "recipient_group", "max_share"),
    # same columns as the supply projection's programme table (config/demand/programmes.csv)
    "supply_programmes": PROGRAMME_COLUMNS,
}

#: ``source_group`` value of a programme whose entrants come from outside the modelled staff
#: groups, limited by a per-trust pool (e.g. nurses and radiographers for clinical endoscopy).
POOL = "pool"


@dataclass(frozen=True)
class Programme:
    """One training programme or non-training route.

    Attributes:
        code: programme code, e.g. ``clinical_radiology_st``.
        name: plain-English name.
        produced_group: staff group a retained completer joins.
        source_group: ``None`` for external entrants, a staff group whose members are drawn
            (they leave it on completion), or :data:`POOL` for a per-trust pool.
        duration_years: whole years from intake to completion (completion at the end of the
            last year).
        completion_rate: share of entrants who complete.
        retention_rate: share of completers who take up a post in the trust.
        wte_per_head: WTE a retained completer adds.
        cost_per_trainee_year_gbp: cost of one trainee for one year in training (GBP).
        supply_programme: the programme's row in the supply projection's programme table
            (``config/demand/programmes.csv`` or ``config/training/supply_programmes.csv``).
        trainees_in_staff_stock: trainees are employed staff already in ``staff_in_post`` (the
            supply projection progresses them), so their completions are not added again.
    """

    code: str
    name: str
    produced_group: str
    source_group: str | None
    duration_years: int
    completion_rate: float
    retention_rate: float
    wte_per_head: float
    cost_per_trainee_year_gbp: float
    supply_programme: str | None = None
    trainees_in_staff_stock: bool = False

    @property
    def retained_per_entrant(self) -> float:
        """People taking up a post per entrant: completion rate x retention rate."""
        return self.completion_rate * self.retention_rate


#: Programme codes starting with this are recruitment routes, not training: every headline
#: counts their recruits apart from trainees.
INTERNATIONAL_PREFIX = "international_recruitment"


def is_international_recruitment(programme: str) -> bool:
    """Whether a programme code is an international recruitment route (not training)."""
    return programme.startswith(INTERNATIONAL_PREFIX)


@dataclass(frozen=True)
class SkillMixRule:
    """Bounded substitution: ``donor`` staff may absorb up to ``max_share`` of ``recipient`` demand.

    Attributes:
        donor: staff group whose spare WTE is used (e.g. ``reporting_radiographer``).
        recipient: staff group whose requirement it offsets (e.g. ``radiologist``).
        max_share: at most this share of the recipient's required WTE, in [0, 1].
    """

    donor: str
    recipient: str
    max_share: float


@dataclass(frozen=True)
class PipelineInputs:
    """Everything the training-pipeline model needs, keyed by tuples in a fixed index order.

    Supply is linear in training completions, so it is held as a **baseline** (the projection
    with no new completions) plus a **response kernel**: the WTE that one retained completer of
    programme ``p`` adds to staff group ``g`` at trust ``t``, ``lag`` years after the year of
    completion (negative for the group a conversion programme draws from). The kernel comes
    either from a constant leaver rate (:meth:`from_frames`) or from the demand model's
    stock-flow projection (:meth:`from_projection`), so that the model's supply equals
    :func:`lsc_workforce.demand.supply.project_supply` for the same completions.

    Index orders: ``(trust, group, year)``, ``(programme, trust, year)``,
    ``(programme, trust, group, completion year, year)``, ``(programme, trust)``.

    Attributes:
        trusts: trust ODS codes.
        staff_groups: modelled staff groups.
        years: financial years of the horizon (starting calendar years), consecutive.
        programmes: programmes by code.
        baseline_wte: closing WTE (31 March) of each year with no new completions, in the
            demand model's units: WTE that counts towards the service (trainees and
            radiographers' non-clinical time weighted by their grade's service contribution,
            ``config/demand/grade_lines.csv``), as the requirement is.
        response: WTE in each year per retained completer, by (programme, trust, group,
            completion year, year).
        required_wte: WTE required in each year.
        opening_wte: WTE in post on the "as at" date, by (trust, group) (for reporting).
        placement_capacity: most trainees in training at once (supervisors, placements); absent
            key means no limit.
        funded_intake_limit: most new entrants per year (funded posts); absent key means none.
        status_quo_intake: today's annual intakes, used by the status-quo scenario.
        pipeline_completions: people already in training who complete at the end of each year
            and are not already in the baseline.
        pipeline_in_training: people already in training during each year (capacity, cost).
        source_pool: most entrants over the horizon from a per-trust pool.
        skill_mix: substitution rules.
        skill_mix_scope: share of the recipient's required WTE that the donor's certification
            covers, by (donor, recipient, trust, year): plain-film reporting for reporting
            radiographers, OGD and flexible sigmoidoscopy for non-medical endoscopists. A
            substitution share above it is cut to it; an absent key means no scope limit.
    """

    trusts: tuple[str, ...]
    staff_groups: tuple[str, ...]
    years: tuple[int, ...]
    programmes: Mapping[str, Programme]
    baseline_wte: Mapping[tuple[str, str, int], float]
    response: Mapping[tuple[str, str, str, int, int], float]
    required_wte: Mapping[tuple[str, str, int], float]
    opening_wte: Mapping[tuple[str, str], float] = field(default_factory=dict)
    placement_capacity: Mapping[tuple[str, str, int], float] = field(default_factory=dict)
    funded_intake_limit: Mapping[tuple[str, str, int], float] = field(default_factory=dict)
    status_quo_intake: Mapping[tuple[str, str, int], int] = field(default_factory=dict)
    pipeline_completions: Mapping[tuple[str, str, int], float] = field(default_factory=dict)
    pipeline_in_training: Mapping[tuple[str, str, int], float] = field(default_factory=dict)
    source_pool: Mapping[tuple[str, str], float] = field(default_factory=dict)
    skill_mix: tuple[SkillMixRule, ...] = ()
    skill_mix_scope: Mapping[tuple[str, str, str, int], float] = field(default_factory=dict)

    @classmethod
    def from_frames(
        cls,
        *,
        requirement: pl.DataFrame,
        opening_supply: pl.DataFrame,
        leaver_rates: pl.DataFrame,
        programmes: pl.DataFrame,
        capacity: pl.DataFrame | None = None,
        current_trainees: pl.DataFrame | None = None,
        source_pools: pl.DataFrame | None = None,
        skill_mix: pl.DataFrame | None = None,
    ) -> PipelineInputs:
        r"""Build inputs with a constant annual leaver rate per trust and staff group.

        Supply follows :math:`S_y = (1 - \ell) S_{y-1} + w_p Q_y` from the opening WTE, so the
        baseline is :math:`S^0 (1 - \ell)^{y - y_0 + 1}` and the kernel
        :math:`w_p (1 - \ell)^{lag}`. Used for hand-solved instances and when no staff extract
        is available. The trusts, staff groups and years are those of ``requirement``; every
        (trust, group) needs an opening supply and a leaver rate.

        Args:
            requirement: trust_code, staff_group, financial_year, required_wte.
            opening_supply: trust_code, staff_group, supply_wte.
            leaver_rates: trust_code, staff_group, leaver_rate (in [0, 1)).
            programmes: the ``training_programmes`` table.
            capacity: the ``training_capacity`` table (per programme x trust x year range).
            current_trainees: the ``current_trainees`` table.
            source_pools: the ``source_pools`` table.
            skill_mix: the ``skill_mix`` table.

        Returns:
            The validated inputs.

        Raises:
            ConfigError: naming the table and rows of any missing key, duplicate or bad value.
        """
        trusts, groups, years, required = _requirement(requirement)
        opening = _per_trust_group(opening_supply, "opening_supply", "supply_wte", trusts, groups)
        leavers = _per_trust_group(leaver_rates, "leaver_rates", "leaver_rate", trusts, groups)
        require_range(leaver_rates, "leaver_rate", 0, 0.999, "leaver_rates")
        require_range(opening_supply, "supply_wte", 0, 1e7, "opening_supply")
        progs = _programmes(programmes, groups)
        baseline = {
            (t, g, y): opening[t, g] * (1 - leavers[t, g]) ** (k + 1)
            for t in trusts
            for g in groups
            for k, y in enumerate(years)
        }
        response: dict[tuple[str, str, str, int, int], float] = {}
        for p, prog in progs.items():
            for t in trusts:
                for first in years:
                    for y in years[years.index(first) :]:
                        lag = y - first
                        g = prog.produced_group
                        response[p, t, g, first, y] = prog.wte_per_head * (1 - leavers[t, g]) ** lag
                        if prog.source_group in groups:
                            s = prog.source_group
                            response[p, t, s, first, y] = (
                                -prog.wte_per_head * (1 - leavers[t, s]) ** lag
                            )
        return cls._assemble(
            progs,
            required,
            baseline=baseline,
            response=response,
            opening=opening,
            in_stock_completions=True,
            capacity=capacity,
            current_trainees=current_trainees,
            source_pools=source_pools,
            skill_mix=skill_mix,
        )

    @classmethod
    def from_projection(
        cls,
        *,
        requirement: pl.DataFrame,
        stock: pl.DataFrame,
        supply_params: Any,
        programmes: pl.DataFrame,
        capacity: pl.DataFrame | None = None,
        current_trainees: pl.DataFrame | None = None,
        source_pools: pl.DataFrame | None = None,
        skill_mix: pl.DataFrame | None = None,
    ) -> PipelineInputs:
        """Build inputs whose supply is the demand model's stock-flow projection.

        The baseline is :func:`lsc_workforce.demand.supply.project_supply` with no completions.
        The projection is linear in completions, so the kernel is the closing-WTE difference
        from the baseline of a projection with one completer at every trust (trusts do not
        interact). Arrivals from outside are time-invariant, so one projection per programme,
        shifted, gives every completion year; conversion programmes (e.g. radiographer to
        reporting radiographer) remove, per converted head, the source grade's age and WTE mix
        in the baseline projection of the completion year, which drifts over time, so they get
        one projection per completion year. That removal does not depend on the plan, so the
        kernel is exact for conversions too, as long as the projection's cap (no age of the
        source grade may go negative) does not bind; the tests show it does not at the funded
        intake limits. Completions of trainees already in the staff stock
        (``trainees_in_staff_stock``) are in the baseline and are not added again.

        Args:
            requirement: trust_code, staff_group, financial_year (or ``year``), required_wte.
            stock: staff in post (``staff_in_post`` or :func:`~lsc_workforce.demand.supply.
                stock_by_age` output).
            supply_params: :class:`lsc_workforce.demand.supply.SupplyParams` whose programme
                table has a row for every ``supply_programme`` (see :func:`supply_params_for`).
            programmes: the ``training_programmes`` table (needs ``supply_programme``).
            capacity: the ``training_capacity`` table.
            current_trainees: the ``current_trainees`` table.
            source_pools: the ``source_pools`` table.
            skill_mix: the ``skill_mix`` table.

        Returns:
            The validated inputs.

        Raises:
            ConfigError: if a programme has no supply programme, or as :meth:`from_frames`.
        """
        from lsc_workforce.demand.supply import project_supply, supply_lines  # noqa: PLC0415

        if "financial_year" not in requirement.columns and "year" in requirement.columns:
            requirement = requirement.rename({"year": "financial_year"})
        requirement = requirement.group_by("trust_code", "staff_group", "financial_year").agg(
            pl.col("required_wte").sum()
        )
        trusts, groups, years, required = _requirement(requirement)
        progs = _programmes(programmes, groups)
        missing = [p for p, prog in progs.items() if prog.supply_programme is None]
        if missing:
            raise ConfigError(f"training_programmes: no supply_programme for {missing}")
        stock = stock.filter(pl.col("trust_code").is_in(trusts))

        def closing(completions: pl.DataFrame | None) -> dict[tuple[str, str, int], float]:
            projected = supply_lines(
                project_supply(stock, supply_params, years, completions),
                supply_params,
                wte="closing_wte",
                by=("year", "trust_code", "staff_group"),
            )
            values = {
                (t, g, int(y)): float(w)
                for y, t, g, w in projected.select(
                    "year", "trust_code", "staff_group", "service_wte"
                ).iter_rows()
            }
            return {
                (t, g, y): values.get((t, g, y), 0.0) for t in trusts for g in groups for y in years
            }

        baseline = closing(None)
        conversion = set(
            supply_params.programmes.filter(pl.col("source_staff_group").is_not_null())[
                "programme"
            ].to_list()
        )
        response: dict[tuple[str, str, str, int, int], float] = {}
        for p, prog in progs.items():
            # Arrivals from outside are time-invariant (fixed age and WTE), so one run gives
            # every completion year by shifting; conversions remove the baseline's age and WTE
            # mix of their completion year, which drifts, so they get one run per year.
            firsts = years if prog.supply_programme in conversion else years[:1]
            for first in firsts:
                unit = pl.DataFrame(
                    {
                        "year": [first] * len(trusts),
                        "trust_code": list(trusts),
                        "programme": [prog.supply_programme] * len(trusts),
                        "headcount": [1.0] * len(trusts),
                    }
                )
                bumped = closing(unit)
                for (t, g, y), value in bumped.items():
                    delta = value - baseline[t, g, y]
                    if y < first or abs(delta) <= 1e-12:
                        continue
                    if prog.supply_programme in conversion:
                        response[p, t, g, first, y] = delta
                    else:
                        for shift in range(len(years) - (y - years[0])):
                            response[p, t, g, first + shift, y + shift] = delta
        opening = {
            (t, g): float(w)
            for t, g, w in stock.group_by("trust_code", "staff_group")
            .agg(pl.col("wte").sum())
            .iter_rows()
        }
        return cls._assemble(
            progs,
            required,
            baseline=baseline,
            response=response,
            opening={(t, g): opening.get((t, g), 0.0) for t in trusts for g in groups},
            in_stock_completions=False,
            capacity=capacity,
            current_trainees=current_trainees,
            source_pools=source_pools,
            skill_mix=skill_mix,
        )

    @classmethod
    def _assemble(
        cls,
        progs: dict[str, Programme],
        required: dict[tuple[str, str, int], float],
        *,
        baseline: dict[tuple[str, str, int], float],
        response: dict[tuple[str, str, str, int, int], float],
        opening: dict[tuple[str, str], float],
        in_stock_completions: bool,
        capacity: pl.DataFrame | None,
        current_trainees: pl.DataFrame | None,
        source_pools: pl.DataFrame | None,
        skill_mix: pl.DataFrame | None,
    ) -> PipelineInputs:
        """Validate the training tables and build the inputs (shared by both constructors)."""
        # ``_requirement`` checked that the requirement is a full trust x group x year grid.
        trusts = tuple(sorted({t for t, _, _ in required}))
        groups = tuple(sorted({g for _, g, _ in required}))
        years = tuple(sorted({y for _, _, y in required}))
        extras = _training_limits(
            progs,
            trusts=trusts,
            years=years,
            capacity=capacity,
            current_trainees=current_trainees,
            source_pools=source_pools,
            skill_mix=skill_mix,
            groups=groups,
            in_stock_completions=in_stock_completions,
        )
        return cls(
            trusts=trusts,
            staff_groups=groups,
            years=years,
            programmes=progs,
            baseline_wte=baseline,
            response=response,
            required_wte=required,
            opening_wte=opening,
            **extras,
        )

    def replace_requirement(
        self, requirement: Mapping[tuple[str, str, int], float]
    ) -> PipelineInputs:
        """Return a copy with another requirement (e.g. another demand scenario), same keys.

        Raises:
            ConfigError: if the keys differ from the current requirement's.
        """
        if set(requirement) != set(self.required_wte):
            raise ConfigError("replacement requirement must cover the same trust x group x year")
        return replace(self, required_wte=dict(requirement))

    def earliest_completion_year(self, group: str) -> int | None:
        """First year in which a new intake can add WTE to ``group`` (None if no programme)."""
        durations = [
            p.duration_years for p in self.programmes.values() if p.produced_group == group
        ]
        if not durations:
            return None
        return self.years[0] + min(durations) - 1

    def completions_frame(self, intakes: pl.DataFrame) -> pl.DataFrame:
        """Turn intakes into the ``completions`` argument of ``project_supply``.

        Retained completers of an intake in year ``y`` arrive at the end of year
        ``y + duration - 1``; trainees already in training and not in the staff stock are
        added. Completions after the horizon are dropped.

        Args:
            intakes: programme, trust_code, financial_year, intake.

        Returns:
            year, trust_code, programme (the supply programme), headcount.
        """
        rows: dict[tuple[int, str, str], float] = {}
        for p, t, y, x in intakes.select(
            "programme", "trust_code", "financial_year", "intake"
        ).iter_rows():
            prog = self.programmes[p]
            finish = y + prog.duration_years - 1
            if finish in self.years and x:
                key = (finish, t, prog.supply_programme or p)
                rows[key] = rows.get(key, 0.0) + x * prog.retained_per_entrant
        for (p, t, y), people in self.pipeline_completions.items():
            prog = self.programmes[p]
            key = (y, t, prog.supply_programme or p)
            rows[key] = rows.get(key, 0.0) + people * prog.retained_per_entrant
        return pl.DataFrame(
            [
                {"year": y, "trust_code": t, "programme": p, "headcount": h}
                for (y, t, p), h in sorted(rows.items())
            ],
            schema={
                "year": pl.Int64,
                "trust_code": pl.String,
                "programme": pl.String,
                "headcount": pl.Float64,
            },
        )


def _requirement(
    requirement: pl.DataFrame,
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[int, ...], dict[tuple[str, str, int], float]]:
    keys = ("trust_code", "staff_group", "financial_year")
    _require_columns(requirement, "requirement", (*keys, "required_wte"))
    _unique(requirement, "requirement", keys)
    require_range(requirement, "required_wte", 0, 1e7, "requirement")
    trusts = tuple(sorted(requirement["trust_code"].unique().to_list()))
    groups = tuple(sorted(requirement["staff_group"].unique().to_list()))
    years = tuple(int(y) for y in sorted(requirement["financial_year"].unique().to_list()))
    if list(years) != list(range(years[0], years[0] + len(years))):
        raise ConfigError(f"requirement: financial years must be consecutive, got {years}")
    expected = len(trusts) * len(groups) * len(years)
    if requirement.height != expected:
        raise ConfigError(
            f"requirement: need one row per trust x staff group x year ({expected}), "
            f"got {requirement.height}"
        )
    required = {
        (t, g, int(y)): float(v)
        for t, g, y, v in requirement.select(*keys, "required_wte").iter_rows()
    }
    return trusts, groups, years, required


def _training_limits(
    progs: Mapping[str, Programme],
    *,
    trusts: tuple[str, ...],
    years: tuple[int, ...],
    capacity: pl.DataFrame | None,
    current_trainees: pl.DataFrame | None,
    source_pools: pl.DataFrame | None,
    skill_mix: pl.DataFrame | None,
    groups: tuple[str, ...],
    in_stock_completions: bool,
) -> dict[str, Any]:
    """Validate the training configuration tables shared by both constructors."""
    extras: dict[str, Any] = {}
    if capacity is not None:
        extras.update(_capacity(capacity, progs, trusts, years))
    if current_trainees is not None:
        pipeline = _pipeline(current_trainees, progs, trusts, years)
        if not in_stock_completions:
            pipeline["pipeline_completions"] = {
                k: v
                for k, v in pipeline["pipeline_completions"].items()
                if not progs[k[0]].trainees_in_staff_stock
            }
        extras.update(pipeline)
    if source_pools is not None:
        _require_columns(source_pools, "source_pools", TRAINING_TABLES["source_pools"])
        _unique(source_pools, "source_pools", ("programme", "trust_code"))
        require_range(source_pools, "pool_headcount", 0, 1e6, "source_pools")
        _known(source_pools, "source_pools", "programme", progs)
        extras["source_pool"] = {
            k: float(v)
            for k, v in _keyed(source_pools, ("programme", "trust_code"), "pool_headcount").items()
            if k[1] in trusts
        }
    if skill_mix is not None:
        extras["skill_mix"] = _skill_mix(skill_mix, groups)
    return extras


def load_training_tables(config_dir: Path) -> dict[str, pl.DataFrame]:
    """Read the training configuration tables from ``<config_dir>/training/``.

    Args:
        config_dir: the configuration folder (``config/``).

    Returns:
        Frames by table name (see :data:`TRAINING_TABLES`), each with ``source`` and ``status``.

    Raises:
        ConfigError: if a table is missing, lacks a column or has a row without provenance.
    """
    folder = Path(config_dir) / "training"
    tables = {
        name: load_parameter_table(folder / f"{name}.csv", columns)
        for name, columns in TRAINING_TABLES.items()
    }
    tables["training_programmes"] = tables["training_programmes"].with_columns(
        pl.col("source_group", "supply_programme").cast(pl.String),
        pl.col("trainees_in_staff_stock").cast(pl.Boolean),
    )
    tables["supply_programmes"] = tables["supply_programmes"].with_columns(
        pl.col("source_staff_group", "source_grade").cast(pl.String)
    )
    return tables


#: Great Expectations suite (``data_contracts/<suite>.json``) of each training table.
TRAINING_SUITES: dict[str, str] = {
    "training_programmes": "training_programmes",
    "training_capacity": "training_capacity",
    "current_trainees": "training_current_trainees",
    "source_pools": "training_source_pools",
    "skill_mix": "training_skill_mix",
    "supply_programmes": "training_supply_programmes",
}


def validate_training_tables(tables: Mapping[str, pl.DataFrame]) -> Any:
    """Check every training table against its data contract.

    Args:
        tables: output of :func:`load_training_tables`.

    Returns:
        The combined :class:`lsc_workforce.contracts.ContractReport`.

    Raises:
        lsc_workforce.contracts.ContractViolation: if any rule fails (the report lists them).
    """
    from lsc_workforce.contracts import ContractReport, ContractViolation, validate_frame  # noqa: PLC0415

    combined = ContractReport()
    for table, suite in TRAINING_SUITES.items():
        report = validate_frame(tables[table], suite)
        combined.failures.extend(report.failures)
        combined.checked.update(report.checked)
        combined.gx_results.update(report.gx_results)
    if not combined.success:
        raise ContractViolation(combined)
    return combined


def supply_params_for(config_dir: Path, tables: Mapping[str, pl.DataFrame] | None = None) -> Any:
    """Return the demand model's supply parameters plus the training routes it does not list.

    The grade lines come along, so supply counts in the requirement's units (WTE towards the
    service); the status-quo trainee intakes do not: the pipeline plans every intake itself.

    ``config/demand/programmes.csv`` lists the programmes the supply
    projection knows; ``config/training/supply_programmes.csv`` adds the routes only the training
    pipeline plans (gastroenterology, international recruitment) in the same format.

    Args:
        config_dir: the configuration folder (``config/``).
        tables: already loaded training tables (default: read them).

    Returns:
        A :class:`lsc_workforce.demand.supply.SupplyParams`.

    Raises:
        ConfigError: if a training programme's ``supply_programme`` is in neither table.
    """
    from lsc_workforce.demand.supply import SupplyParams  # noqa: PLC0415

    tables = tables or load_training_tables(config_dir)
    base = SupplyParams.from_config(Path(config_dir))
    extra = tables["supply_programmes"].filter(
        ~pl.col("programme").is_in(base.programmes["programme"].to_list())
    )
    columns = [*PROGRAMME_COLUMNS, "source", "status"]
    merged = pl.concat(
        [base.programmes.select(columns), extra.select(columns)], how="vertical_relaxed"
    )
    known = set(merged["programme"].to_list())
    unknown = set(tables["training_programmes"]["supply_programme"].drop_nulls().to_list()) - known
    if unknown:
        raise ConfigError(f"training_programmes: supply_programme(s) {sorted(unknown)} unknown")
    return SupplyParams(
        flows=base.flows,
        progression=base.progression,
        programmes=merged,
        grade_leavers=base.grade_leavers,
        grade_lines=base.grade_lines,
    )


def _require_columns(frame: pl.DataFrame, table: str, columns: tuple[str, ...]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ConfigError(f"{table}: missing column(s) {missing}")


def _unique(frame: pl.DataFrame, table: str, keys: tuple[str, ...]) -> None:
    dupes = frame.filter(pl.struct(keys).is_duplicated())
    if dupes.height:
        raise ConfigError(f"{table}: duplicate {keys}: {dupes.select(keys).head(3).to_dicts()}")


def _known(
    frame: pl.DataFrame, table: str, column: str, allowed: Mapping[str, Any] | tuple
) -> None:
    unknown = sorted(set(frame[column].to_list()) - set(allowed))
    if unknown:
        raise ConfigError(f"{table}: unknown {column} {unknown}")


def _keyed(frame: pl.DataFrame, keys: tuple[str, ...], value: str) -> dict[tuple, Any]:
    return {tuple(row[:-1]): row[-1] for row in frame.select(*keys, value).iter_rows()}


def _per_trust_group(
    frame: pl.DataFrame, table: str, value: str, trusts: tuple[str, ...], groups: tuple[str, ...]
) -> dict[tuple[str, str], float]:
    _require_columns(frame, table, ("trust_code", "staff_group", value))
    _unique(frame, table, ("trust_code", "staff_group"))
    keyed = _keyed(frame, ("trust_code", "staff_group"), value)
    missing = [(t, g) for t in trusts for g in groups if keyed.get((t, g)) is None]
    if missing:
        raise ConfigError(f"{table}: no {value} for {missing[:5]}")
    return {(t, g): float(keyed[(t, g)]) for t in trusts for g in groups}


def _programmes(frame: pl.DataFrame, groups: tuple[str, ...]) -> dict[str, Programme]:
    table = "training_programmes"
    _require_columns(
        frame,
        table,
        (
            "programme",
            "programme_name",
            "produced_group",
            "source_group",
            "duration_years",
            "completion_rate",
            "retention_rate",
            "cost_per_trainee_year_gbp",
        ),
    )
    if "wte_per_head" not in frame.columns:
        frame = frame.with_columns(pl.lit(1.0).alias("wte_per_head"))
    _unique(frame, table, ("programme",))
    require_range(frame, "duration_years", 1, 15, table)
    require_range(frame, "completion_rate", 0, 1, table)
    require_range(frame, "retention_rate", 0, 1, table)
    require_range(frame, "wte_per_head", 0.01, 1.5, table)
    require_range(frame, "cost_per_trainee_year_gbp", 0, 1e7, table)
    progs = {}
    for row in frame.iter_rows(named=True):
        source = row["source_group"] or None
        if row["produced_group"] not in groups:
            raise ConfigError(
                f"{table}: {row['programme']} produces {row['produced_group']!r}, "
                f"which is not a modelled staff group {groups}"
            )
        if source not in (None, POOL, *groups):
            raise ConfigError(f"{table}: {row['programme']} has unknown source_group {source!r}")
        if source == row["produced_group"]:
            raise ConfigError(f"{table}: {row['programme']} draws from the group it produces")
        progs[row["programme"]] = Programme(
            code=row["programme"],
            name=row["programme_name"],
            produced_group=row["produced_group"],
            source_group=source,
            duration_years=int(row["duration_years"]),
            completion_rate=float(row["completion_rate"]),
            retention_rate=float(row["retention_rate"]),
            wte_per_head=float(row["wte_per_head"]),
            cost_per_trainee_year_gbp=float(row["cost_per_trainee_year_gbp"]),
            supply_programme=row.get("supply_programme") or None,
            trainees_in_staff_stock=bool(row.get("trainees_in_staff_stock") or False),
        )
    return progs


def _capacity(
    frame: pl.DataFrame,
    progs: Mapping[str, Programme],
    trusts: tuple[str, ...],
    years: tuple[int, ...],
) -> dict[str, dict]:
    table = "training_capacity"
    _require_columns(frame, table, TRAINING_TABLES[table])
    _known(frame, table, "programme", progs)
    for column in ("placement_capacity", "funded_intake_limit", "status_quo_intake"):
        require_range(frame, column, 0, 1e6, table)
    bad = frame.filter(pl.col("to_year") < pl.col("from_year"))
    if bad.height:
        raise ConfigError(f"{table}: to_year before from_year in {bad.head(3).to_dicts()}")
    cap: dict[tuple[str, str, int], float] = {}
    funded: dict[tuple[str, str, int], float] = {}
    status_quo: dict[tuple[str, str, int], int] = {}
    for row in frame.iter_rows(named=True):
        if row["trust_code"] not in trusts:
            continue
        for year in range(int(row["from_year"]), int(row["to_year"]) + 1):
            if year not in years:
                continue
            key = (row["programme"], row["trust_code"], year)
            if key in cap:
                raise ConfigError(f"{table}: overlapping year ranges for {key}")
            cap[key] = float(row["placement_capacity"])
            funded[key] = float(row["funded_intake_limit"])
            status_quo[key] = int(row["status_quo_intake"])
            if status_quo[key] > funded[key]:
                raise ConfigError(f"{table}: status_quo_intake above funded_intake_limit for {key}")
    return {
        "placement_capacity": cap,
        "funded_intake_limit": funded,
        "status_quo_intake": status_quo,
    }


def _pipeline(
    frame: pl.DataFrame,
    progs: Mapping[str, Programme],
    trusts: tuple[str, ...],
    years: tuple[int, ...],
) -> dict[str, dict]:
    """Turn trainees already in training into completions and in-training counts per year.

    A trainee in year ``k`` of a ``d``-year programme at the start of the first year is in
    training for the next ``d - k + 1`` years and completes at the end of year
    ``first + d - k``.
    """
    table = "current_trainees"
    _require_columns(frame, table, TRAINING_TABLES[table])
    _known(frame, table, "programme", progs)
    _unique(frame, table, ("programme", "trust_code", "year_of_training"))
    require_range(frame, "headcount", 0, 1e6, table)
    completions: dict[tuple[str, str, int], float] = {}
    in_training: dict[tuple[str, str, int], float] = {}
    for row in frame.iter_rows(named=True):
        prog = progs[row["programme"]]
        stage = int(row["year_of_training"])
        if not 1 <= stage <= prog.duration_years:
            raise ConfigError(
                f"{table}: {prog.code} year_of_training {stage} outside 1..{prog.duration_years}"
            )
        if row["trust_code"] not in trusts:
            continue
        remaining = prog.duration_years - stage + 1
        for offset in range(remaining):
            year = years[0] + offset
            if year in years:
                key = (prog.code, row["trust_code"], year)
                in_training[key] = in_training.get(key, 0.0) + float(row["headcount"])
        finish = (prog.code, row["trust_code"], years[0] + remaining - 1)
        completions[finish] = completions.get(finish, 0.0) + float(row["headcount"])
    return {"pipeline_completions": completions, "pipeline_in_training": in_training}


def _skill_mix(frame: pl.DataFrame, groups: tuple[str, ...]) -> tuple[SkillMixRule, ...]:
    table = "skill_mix"
    _require_columns(frame, table, TRAINING_TABLES[table])
    _unique(frame, table, ("donor_group", "recipient_group"))
    require_range(frame, "max_share", 0, 1, table)
    rules = []
    for row in frame.iter_rows(named=True):
        for column in ("donor_group", "recipient_group"):
            if row[column] not in groups:
                raise ConfigError(f"{table}: {column} {row[column]!r} is not a modelled group")
        rules.append(SkillMixRule(row["donor_group"], row["recipient_group"], row["max_share"]))
    return tuple(rules)
