"""Run every service x scenario, and gather the tables the notebook and the outputs need.

:func:`run_analysis` builds each rota (``ooh.build``), solves it (``ooh.model``), checks it
(``ooh.compliance``), measures load, frequency, fairness and cost (``ooh.metrics``), explains
uncovered shifts with the rota engine's :func:`~lsc_workforce.rota.solution.explain_uncovered`
and, when a scenario leaves shifts uncovered, finds the exact extra headcount
(``ooh.headcount``). The :class:`OohAnalysis` it returns hands out tidy frames.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property

import polars as pl

from lsc_workforce.config import ConfigError, SolverSettings
from lsc_workforce.labels import load_labels
from lsc_workforce.ooh.build import (
    EXCLUDED_SCHEMA,
    SITE_COVER_SCHEMA,
    OohInstance,
    OohWeights,
    build_scenario,
    eligible_staff,
    excluded_staff,
    plan_rotas,
    site_cover,
    travel_map,
)
from lsc_workforce.ooh.compliance import BREACH_SCHEMA, check_roster, compliance_table
from lsc_workforce.ooh.headcount import (
    ExtraPosts,
    candidates_needed,
    extra_posts,
    headcount_sentence,
)
from lsc_workforce.ooh.inputs import OohConfig
from lsc_workforce.ooh.metrics import DAYS_PER_YEAR, person_load, rota_summary
from lsc_workforce.ooh.model import OohSolution, solve_instance
from lsc_workforce.ooh.pay import (
    WORK_SCHEMA,
    annual_cost,
    day_job_hour_cost,
    oncall_work,
    person_costs,
    rank_scenarios,
)
from lsc_workforce.ooh.workload import WORKLOAD_SCHEMA, rota_workload
from lsc_workforce.rota.solution import explain_uncovered

__all__ = [
    "OohAnalysis",
    "ScenarioResult",
    "explain_gaps",
    "run_analysis",
    "run_scenario",
    "verdict_grid",
    "verdicts",
]

LOGGER = logging.getLogger(__name__)

#: Types of the comparison columns that may be null in every row.
COMPARISON_TYPES = {
    "gap": pl.Float64,
    "rota_one_in": pl.Float64,
    "load_spread_per_wte": pl.Float64,
    "extra_posts": pl.Int64,
    "extra_posts_for_rota_size": pl.Int64,
    "extra_posts_for_leave": pl.Int64,
    "night_team_size": pl.Int64,
    "nights_in_blocks_share": pl.Float64,
    "compensatory_rest_hours_per_year": pl.Float64,
    "compensatory_rest_cost_gbp": pl.Float64,
    "excluded_staff": pl.Int64,
    "local_slots": pl.Int64,
    "sites_without_local_cover": pl.Int64,
}

_STATUS_ORDER = ("error", "not_solved", "infeasible", "unbounded", "feasible_time_limit", "optimal")


@dataclass(frozen=True)
class ScenarioResult:
    """One service under one scenario.

    Attributes:
        service_id: the service.
        scenario_id: the scenario.
        scenario_kind: ``trust_by_trust``, ``network`` or ``hub_and_spoke``.
        solutions: one rota-mode solution per rota.
        headcount: one headcount-mode solution per rota (empty when all shifts were covered).
        extra: the extra-headcount answer per rota (empty when all shifts were covered).
        sentence: the extra-headcount sentence.
        load: :func:`~lsc_workforce.ooh.metrics.person_load` of every rota.
        breaches: :func:`~lsc_workforce.ooh.compliance.check_roster` of every rota.
        compliance: per-rule compliance table.
        costs: per-person annual cost (``ooh.pay.person_costs``).
        cost: annual cost components of the scenario (``ooh.pay.annual_cost``).
        gaps: uncovered shifts with the reasons.
        work: on-call work of each rota (``ooh.pay.oncall_work``).
        day_hour_cost: cost of one day-job hour (``ooh.pay.day_job_hour_cost``), which prices
            compensatory rest.
        site_cover: how each served site is covered (``ooh.build.site_cover``).
        excluded: competent staff beyond the response time of every slot of their rota
            (``ooh.build.excluded_staff``).
        workload: the workload each slot faces (``ooh.workload.rota_workload``).
    """

    service_id: str
    scenario_id: str
    scenario_kind: str
    solutions: tuple[OohSolution, ...]
    headcount: tuple[OohSolution, ...]
    extra: tuple[ExtraPosts, ...]
    sentence: str
    load: pl.DataFrame
    breaches: pl.DataFrame
    compliance: pl.DataFrame
    costs: pl.DataFrame
    cost: dict[str, float]
    gaps: pl.DataFrame
    work: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=WORK_SCHEMA))
    day_hour_cost: float | None = None
    site_cover: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=SITE_COVER_SCHEMA))
    excluded: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=EXCLUDED_SCHEMA))
    workload: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=WORKLOAD_SCHEMA))

    @property
    def key(self) -> str:
        """``<service>__<scenario>`` (file names of rosters and calendars)."""
        return f"{self.service_id}__{self.scenario_id}"

    def roster(self) -> pl.DataFrame:
        """All rotas' rosters stacked."""
        return pl.concat([s.roster for s in self.solutions], how="vertical")

    def night_team_size(self) -> int | None:
        """People holding at least one night of a night-block rota (``None`` for other rotas).

        A rota with ``min_consecutive_nights`` works its nights in blocks, and the people who
        hold them over the horizon are its night team.
        """
        if not any("min_consecutive_nights" in s.instance.preset.rules for s in self.solutions):
            return None
        return int(self.load.filter((pl.col("nights") > 0) & ~pl.col("candidate")).height)

    def nights_in_blocks_share(self) -> float | None:
        """Share of nights held in runs of ``min_consecutive_nights`` to ``max_consecutive_nights``.

        Night-block rotas only (``None`` otherwise, or with no night held). A run is a
        person's consecutive dates held; runs cut by the horizon's first or last day count as
        they are (so the share can fall short of 1 only at the edges or under priced rules).
        """
        preset = self.solutions[0].instance.preset if self.solutions else None
        if preset is None or preset.value("min_consecutive_nights") is None:
            return None
        low = int(preset.value("min_consecutive_nights"))
        high = int(preset.value("max_consecutive_nights") or 10**6)
        runs = (
            self.roster()
            .select("staff_id", "date")
            .unique()
            .sort("staff_id", "date")
            .with_columns(
                run=(
                    (pl.col("date").diff().dt.total_days() != 1).fill_null(True)
                    | (pl.col("staff_id") != pl.col("staff_id").shift())
                ).cum_sum()
            )
            .group_by("run")
            .len()
        )
        total = int(runs.get_column("len").sum() or 0)
        if total == 0:
            return None
        inside = runs.filter(pl.col("len").is_between(low, high)).get_column("len").sum()
        return round(float(inside) / total, 4)

    def compensatory_rest_hours(self) -> float | None:
        """Day-job hours a year lost to compensatory rest after disturbed on-call nights.

        Non-resident on-call only (``None`` otherwise, or without the preset's
        ``compensatory_rest_hours``): per rota, nights held x the probability that a night is
        disturbed x rest hours, scaled to a year (x 365 / days). The probability is the
        workload's (:attr:`workload`, ``disturbed_night_probability``: at least one case in the
        night-rest window, averaged over the rota's shift patterns) where the service's
        workload is measured, else the preset's ``disturbed_night_probability``.
        """
        solution = self.solutions[0] if self.solutions else None
        if solution is None or not solution.instance.service.non_resident:
            return None
        preset = solution.instance.preset
        hours = preset.value("compensatory_rest_hours")
        if hours is None:
            return None
        measured = dict(
            self.workload.filter(pl.col("disturbed_night_probability").is_not_null())
            .group_by("rota")
            .agg(pl.col("disturbed_night_probability").mean())
            .iter_rows()
        )
        default = preset.value("disturbed_night_probability")
        total = 0.0
        for rota, nights in self.load.group_by("rota").agg(pl.col("nights").sum()).iter_rows():
            p = measured.get(rota, default)
            if p is None:
                return None
            total += nights * p
        n_days = solution.instance.problem.n_days
        return round(total * hours * DAYS_PER_YEAR / n_days, 1)

    def summary(self) -> dict[str, object]:
        """One row of the scenario comparison."""
        statuses = [s.result.status.value for s in self.solutions]
        worst = min(statuses, key=_STATUS_ORDER.index)
        gaps = [s.result.gap for s in self.solutions if s.result.gap is not None]
        stats = rota_summary(self.load)
        rest = self.compensatory_rest_hours()
        posts = (
            None
            if any(e.posts is None for e in self.extra)
            else sum(e.posts or 0 for e in self.extra)
        )
        return {
            "service": self.service_id,
            "scenario": self.scenario_id,
            "kind": self.scenario_kind,
            "rotas": len(self.solutions),
            "status": worst,
            "gap": max(gaps) if gaps else None,
            "people": stats["people"],
            "shifts_wanted": sum(s.instance.required_shifts for s in self.solutions),
            "uncovered_shifts": int(self.gaps.get_column("missing").sum() or 0),
            "rota_one_in": stats["rota_one_in"],
            "load_spread_per_wte": stats["load_spread"],
            "hard_breaches": int(self.breaches.filter(pl.col("hard")).height),
            "soft_breaches": int(self.breaches.filter(~pl.col("hard")).height),
            "pay_cost_gbp": round(self.cost["pay_gbp"], 2),
            "uncovered_cost_gbp": round(self.cost["uncovered_gbp"], 2),
            "teleradiology_cost_gbp": round(self.cost.get("teleradiology_gbp", 0.0), 2),
            "cost_with_uncovered_gbp": round(self.cost["total_gbp"], 2),
            "extra_posts": posts if self.extra else (0 if self.gaps.is_empty() else None),
            "extra_posts_for_rota_size": sum(e.size_posts for e in self.extra)
            if posts is not None
            else None,
            "extra_posts_for_leave": sum(e.leave_posts for e in self.extra)
            if posts is not None
            else None,
            "extra_posts_proven": all(e.proven for e in self.extra),
            "night_team_size": self.night_team_size(),
            "nights_in_blocks_share": self.nights_in_blocks_share(),
            "compensatory_rest_hours_per_year": rest,
            "compensatory_rest_cost_gbp": None
            if rest is None or self.day_hour_cost is None
            else round(rest * self.day_hour_cost, 2),
            "excluded_staff": self.excluded.height,
            "local_slots": self.site_cover.filter(pl.col("local_cover") == "local_slot").height,
            "sites_without_local_cover": self.site_cover.filter(
                pl.col("local_cover") == "no_local_cover"
            ).height,
            "extra_posts_sentence": self.sentence,
            "solve_s": round(
                sum(s.result.solve_s for s in self.solutions)
                + sum(s.result.solve_s for s in self.headcount),
                2,
            ),
        }


def explain_gaps(solution: OohSolution) -> pl.DataFrame:
    """Uncovered shifts of one rota with the engine's reasons, one row per shift short.

    The engine's :func:`~lsc_workforce.rota.solution.explain_uncovered` says, for each person,
    what kept them off the shift; a person the engine calls ``available`` who already holds
    the rota on the C-O1 maximum number of days is reported as ``oncall_one_in``.

    Returns:
        ``service, scenario, rota, date, shift, pattern, site, missing, eligible_people,
        reasons`` where ``reasons`` reads e.g. ``"3 leave, 2 oncall_one_in"``, ``"nobody
        eligible (competency or response time)"`` or ``"all on leave (2 eligible people)"``.
    """
    instance = solution.instance
    schema = {
        "service": pl.String,
        "scenario": pl.String,
        "rota": pl.String,
        "date": pl.Date,
        "shift": pl.String,
        "pattern": pl.String,
        "site": pl.String,
        "missing": pl.Int64,
        "eligible_people": pl.Int64,
        "reasons": pl.String,
    }
    if solution.uncovered.is_empty():
        return pl.DataFrame(schema=schema)
    roster = solution.roster.select("staff_id", "date", "shift")
    detail = explain_uncovered(instance.problem, roster)
    if instance.max_days is not None and not detail.is_empty():
        held = roster.group_by("staff_id").agg(pl.col("date").n_unique().alias("held"))
        detail = (
            detail.join(held, on="staff_id", how="left")
            .with_columns(
                reason=pl.when(
                    (pl.col("reason") == "available")
                    & (pl.col("held").fill_null(0) >= instance.max_days)
                )
                .then(pl.lit("oncall_one_in"))
                .otherwise(pl.col("reason"))
            )
            .drop("held")
        )
    static = ("competency", "travel", "max_shifts", "site")
    summary = (
        detail.group_by("date", "shift", "reason")
        .agg(pl.len().alias("n"))
        .sort("n", "reason", descending=[True, False])
        .group_by("date", "shift", maintain_order=True)
        .agg(
            eligible_people=pl.col("n").filter(~pl.col("reason").is_in(static)).sum(),
            on_leave=pl.col("n").filter(pl.col("reason") == "leave").sum(),
            reasons=pl.concat_str(pl.col("n").cast(pl.String), pl.lit(" "), pl.col("reason"))
            .filter(~pl.col("reason").is_in(static))
            .str.join(", "),
        )
    )
    return (
        solution.uncovered.join(summary, on=["date", "shift"], how="left")
        .with_columns(
            pl.col("eligible_people").fill_null(0).cast(pl.Int64),
            pl.when(pl.col("eligible_people").fill_null(0) == 0)
            .then(pl.lit("nobody eligible (competency or response time)"))
            .when(pl.col("on_leave") == pl.col("eligible_people"))
            .then(pl.format("all on leave ({} eligible people)", pl.col("eligible_people")))
            .otherwise(pl.col("reasons"))
            .alias("reasons"),
            pl.lit(instance.service.id).alias("service"),
            pl.lit(instance.scenario_id).alias("scenario"),
        )
        .select(list(schema))
        .cast(schema)
        .sort("date", "shift")
    )


#: Columns of :func:`verdicts`.
#: Columns of :func:`cross_rota_clashes`.
CLASH_SCHEMA = {
    "scenario": pl.String,
    "staff_id": pl.String,
    "service": pl.String,
    "rota": pl.String,
    "date": pl.Date,
    "shift": pl.String,
    "other_service": pl.String,
    "other_rota": pl.String,
    "other_date": pl.Date,
    "other_shift": pl.String,
}


def _rostered_times(results: Iterable[ScenarioResult]) -> pl.DataFrame:
    """Every shift held by today's staff, with its real start and end (UTC)."""
    frames = []
    for result in results:
        for sol in result.solutions:
            problem, start = sol.instance.problem, sol.instance.problem.start
            held = sol.roster.filter(~pl.col("candidate"))
            times = [
                problem.shift_times[(date - start).days, shift]
                for date, shift in held.select("date", "shift").iter_rows()
            ]
            frames.append(
                held.select(
                    pl.lit(result.scenario_id).alias("scenario"),
                    pl.col("staff_id").cast(pl.String),
                    pl.lit(result.service_id).alias("service"),
                    "rota",
                    "date",
                    "shift",
                    pl.Series("begins", [t[0] for t in times], dtype=pl.Datetime("us", "UTC")),
                    pl.Series("ends", [t[1] for t in times], dtype=pl.Datetime("us", "UTC")),
                )
            )
    schema = {k: CLASH_SCHEMA[k] for k in ("scenario", "staff_id", "service", "rota", "date")}
    empty = pl.DataFrame(
        schema={
            **schema,
            "shift": pl.String,
            "begins": pl.Datetime("us", "UTC"),
            "ends": pl.Datetime("us", "UTC"),
        }
    )
    return pl.concat([empty, *frames], how="vertical")


def cross_rota_clashes(results: Iterable[ScenarioResult]) -> pl.DataFrame:
    """Shifts where one person is on two services' rotas at once, in the same scenario.

    Each service's rotas are solved on their own, so someone eligible for two (an IR on the IR
    and the thrombectomy rota, both halves of a vascular / non-vascular split, a radiographer
    on nights and on the IR team's on-call) may be rostered on both for overlapping hours. A
    scenario's services run side by side, so such a pair is a clash: the rotas are not both
    covered by different people. Candidate posts are left out.

    Returns:
        One row per clashing pair of shifts (:data:`CLASH_SCHEMA`), each pair once (``service``
        before ``other_service`` alphabetically).
    """
    held = _rostered_times(results)
    pairs = held.join(held, on=["scenario", "staff_id"], suffix="_other").filter(
        (pl.col("service") < pl.col("service_other"))
        & (pl.col("begins") < pl.col("ends_other"))
        & (pl.col("begins_other") < pl.col("ends"))
    )
    return pairs.select(
        "scenario",
        "staff_id",
        "service",
        "rota",
        "date",
        "shift",
        pl.col("service_other").alias("other_service"),
        pl.col("rota_other").alias("other_rota"),
        pl.col("date_other").alias("other_date"),
        pl.col("shift_other").alias("other_shift"),
    ).sort("scenario", "service", "other_service", "date", "staff_id")


VERDICT_SCHEMA = {
    "scenario": pl.String,
    "service": pl.String,
    "trust_code": pl.String,
    "serving_rotas": pl.String,
    "slot_sites": pl.String,
    "transfer_sites": pl.String,
    "sites_left_uncovered": pl.String,
    "excluded_staff": pl.Int64,
    "uncovered_shifts": pl.Int64,
    "hard_breaches": pl.Int64,
    "extra_posts": pl.Int64,
    "competency": pl.String,
    "clashing_shifts": pl.Int64,
    "verdict": pl.String,
}


def _clash_counts(clashes: pl.DataFrame, scenario: str, service: str) -> pl.DataFrame:
    """A service's shifts that clash with another service's, per rota and other service."""
    mine = clashes.filter(pl.col("scenario") == scenario)
    return pl.concat(
        [
            mine.filter(pl.col("service") == service).select(
                "rota", "date", "shift", "other_service"
            ),
            mine.filter(pl.col("other_service") == service).select(
                pl.col("other_rota").alias("rota"),
                pl.col("other_date").alias("date"),
                pl.col("other_shift").alias("shift"),
                pl.col("service").alias("other_service"),
            ),
        ]
    ).unique()


def _trust_verdict(
    result: ScenarioResult, trust: str, names: Mapping[str, str], clashes: pl.DataFrame
) -> dict:
    """One row of :func:`verdicts`: the rotas that serve a trust's sites and what they lack."""
    cover = result.site_cover.filter(pl.col("trust_code") == trust)
    served_by: dict[str, set[str]] = {}  # rota -> trusts whose sites it serves
    for row in result.site_cover.filter(pl.col("slot_site").is_not_null()).iter_rows(named=True):
        for sol in result.solutions:
            inst = sol.instance
            sites = {slot.site for slot in inst.slots.values()}
            own = row["local_cover"] == "own_site"  # remote reporting: every part serves it
            if inst.rota.split(":")[0] == row["rota"] and (own or row["slot_site"] in sites):
                served_by.setdefault(inst.rota, set()).add(row["trust_code"])
    rotas = sorted(r for r, trusts in served_by.items() if trust in trusts)
    gaps = result.gaps.filter(pl.col("rota").is_in(rotas))
    service = result.solutions[0].instance.service if result.solutions else None
    if service is not None and service.cover_unit == "site":  # a slot per site: its own gaps
        gaps = gaps.filter(pl.col("site").is_in(cover["site_code"].to_list()))
    uncovered = int(gaps.get_column("missing").sum() or 0)
    hard = result.breaches.filter(pl.col("hard") & pl.col("rota").is_in(rotas)).height
    answers = [e for e in result.extra if e.rota in rotas]
    posts: int | None = 0
    if uncovered and (not answers or any(e.posts is None for e in answers)):
        posts = None
    elif answers:
        posts = sum(e.posts or 0 for e in answers)
    labels = load_labels()
    competency = (
        " and ".join(
            [labels.value("competencies", c) for c in service.competencies]
            or [labels.value("staff_groups", g) for g in service.staff_groups]
        )
        if service is not None
        else ""
    )
    alone = cover.filter(pl.col("local_cover") == "no_local_cover")["site_code"].to_list()
    parts = [f"{hard} hard-rule breaches"] if hard else []
    if not rotas:
        parts.append("left without local cover")
    elif uncovered == 0:
        parts.append("covered compliantly" if not hard else "covered")
    else:
        parts.append(f"{uncovered} shift{'s' if uncovered != 1 else ''} uncovered")
        parts.append(
            "extra posts not computed"
            if posts is None
            else f"{posts} post{'s' if posts != 1 else ''} missing (competency {competency})"
        )
    verdict = "; ".join(parts)
    others = sorted(set().union(*(served_by[r] for r in rotas)) - {trust}) if rotas else []
    if others:
        verdict += f" (rota shared with {', '.join(others)})"
    if alone and rotas:
        verdict += "; " + ", ".join(names.get(s, s) for s in alone) + " left without local cover"
    clashing = _clash_counts(clashes, result.scenario_id, result.service_id).filter(
        pl.col("rota").is_in(rotas)
    )
    for other, n in sorted(clashing.group_by("other_service").len().iter_rows()):
        verdict += (
            f"; {n} shift{'s' if n != 1 else ''} held by staff on call for "
            f"{labels.value('services', other)} at the same time"
        )

    def sites_of(kinds: tuple[str, ...]) -> str:
        return ", ".join(cover.filter(pl.col("local_cover").is_in(kinds))["site_code"].to_list())

    return {
        "scenario": result.scenario_id,
        "service": result.service_id,
        "trust_code": trust,
        "serving_rotas": ", ".join(rotas),
        "slot_sites": sites_of(("slot", "local_slot")),
        "transfer_sites": sites_of(("transfer",)),
        "sites_left_uncovered": ", ".join(alone),
        "excluded_staff": result.excluded.filter(pl.col("trust_code") == trust).height,
        "uncovered_shifts": uncovered,
        "hard_breaches": hard,
        "extra_posts": posts,
        "competency": competency,
        "clashing_shifts": clashing.height,
        "verdict": verdict,
    }


def verdicts(
    results: Iterable[ScenarioResult],
    sites: pl.DataFrame | None = None,
    clashes: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """The verdict for each scenario, service and trust with a served site.

    A trust's cell reads the rotas that serve its sites (a slot there, or a slot its patients
    are transferred to): ``covered compliantly`` when they leave no shift uncovered and break
    no hard rule; ``S shifts uncovered; N posts missing (competency ...)`` with the exact extra
    headcount of those rotas otherwise (a rota with a slot per site counts only the shifts at
    the trust's sites; a rota shared with other trusts says so, and its posts are the shared
    rota's); ``left without local cover`` when no rota serves any of its sites; hard-rule
    breaches lead the cell; sites with no facility and no slot within the transfer limit are
    named after the verdict; shifts of those rotas held by someone on call for another service of
    the scenario at the same time (:func:`cross_rota_clashes`) are counted after it.

    Args:
        results: the scenario results.
        sites: the ``sites`` dataset, to name sites (codes otherwise).
        clashes: :func:`cross_rota_clashes` of ``results``, if already found.

    Returns:
        One row per scenario, service and trust (:data:`VERDICT_SCHEMA`).
    """
    results = list(results)
    names = {} if sites is None else dict(sites.select("site_code", "site_name").iter_rows())
    if clashes is None:
        clashes = cross_rota_clashes(results)
    rows = [
        _trust_verdict(result, trust, names, clashes)
        for result in results
        for trust in result.site_cover.get_column("trust_code").unique(maintain_order=True)
    ]
    return pl.DataFrame(rows, schema=VERDICT_SCHEMA)


def verdict_grid(table: pl.DataFrame) -> pl.DataFrame:
    """The :func:`verdicts` as a grid: one row per scenario and service, one column per trust.

    A trust with no served site of a service has an empty cell.
    """
    if table.is_empty():
        return pl.DataFrame(schema={"scenario": pl.String, "service": pl.String})
    trusts = sorted(table.get_column("trust_code").unique().to_list())
    return table.pivot(on="trust_code", index=["scenario", "service"], values="verdict").select(
        "scenario", "service", *trusts
    )


def rota_key(instance: OohInstance, mode: str, lexicographic: bool) -> str:
    """A digest of everything the integer programme of ``instance`` is built from.

    Two rotas with the same key (a network part that is exactly a trust's rota, a separate
    thrombectomy rota in two scenarios) have the same model, so the same optimal roster; the
    rota's name, scenario and trusts (which the pay reads, not the model) are left out.
    """
    content = (
        instance.service,
        replace(instance.problem, name=""),
        instance.preset,
        sorted(instance.slots.items()),
        sorted((k, sorted(v)) for k, v in instance.offered.items()),
        sorted(instance.holidays),
        instance.max_days,
        instance.average,
        instance.blocks,
        instance.episodes,
        instance.team_size,
        instance.people.rows(),
        sorted(instance.candidate_classes.items()),
        mode,
        lexicographic,
    )
    return hashlib.sha256(repr(content).encode()).hexdigest()


def solve_once(
    instance: OohInstance,
    settings: SolverSettings,
    weights: OohWeights,
    solved: dict[str, OohSolution] | None,
    *,
    mode: str = "rota",
    lexicographic: bool = False,
) -> OohSolution:
    """:func:`~lsc_workforce.ooh.model.solve_instance`, once per distinct rota of a run.

    A rota identical to one solved earlier (:func:`rota_key`) takes its solution, relabelled
    with this rota's name; its build and solve times are 0 (no solve ran). Each roster is
    still checked against its own rota by :func:`~lsc_workforce.ooh.compliance.check_roster`.
    ``solved=None`` solves every rota.
    """
    if solved is None:
        return solve_instance(instance, settings, weights, mode, lexicographic=lexicographic)
    key = rota_key(instance, mode, lexicographic)
    twin = solved.get(key)
    if twin is None:
        solution = solve_instance(instance, settings, weights, mode, lexicographic=lexicographic)
        solved[key] = solution
        return solution
    rota = pl.lit(instance.rota, dtype=pl.String)
    return replace(
        twin,
        instance=instance,
        result=replace(twin.result, build_s=0.0, solve_s=0.0),
        roster=twin.roster.with_columns(rota=rota),
        uncovered=twin.uncovered.with_columns(rota=rota),
    )


def _scenario_label(kind: str, scenario_id: str) -> str:
    return {"trust_by_trust": "trust-by-trust", "network": "network"}.get(
        kind, scenario_id.replace("_", " ")
    )


def run_scenario(
    cfg: OohConfig,
    frames: Mapping[str, pl.DataFrame],
    service_id: str,
    scenario_id: str,
    *,
    start: dt.date,
    n_days: int,
    settings: SolverSettings,
    preset_name: str | None = None,
    weights: OohWeights | None = None,
    headcount: bool = True,
    lexicographic: bool = False,
    solved: dict[str, OohSolution] | None = None,
) -> ScenarioResult:
    """Solve one service under one scenario and gather its tables.

    Args:
        cfg: the OOH configuration.
        frames: datasets (see ``ooh.build.DATASETS``).
        service_id: the service.
        scenario_id: the scenario.
        start: first date of the horizon ("as at").
        n_days: horizon length in days.
        settings: solver settings for each rota solve.
        preset_name: rule preset (default: the service's).
        weights: objective weights.
        headcount: find the exact extra headcount when shifts are left uncovered.
        lexicographic: solve each rota cover first, then load balance with the cover fixed
            (see ``ooh.model.solve_instance``).
        solved: solutions of the run so far by rota content (:func:`solve_once`); an identical
            rota of another scenario is not solved again.

    Returns:
        The :class:`ScenarioResult`.
    """
    service = cfg.service(service_id)
    scenario = cfg.scenario(scenario_id)
    preset = cfg.preset(preset_name or service.preset)
    weights = weights or OohWeights()
    instances = build_scenario(
        service, scenario, preset, frames, start=start, n_days=n_days, weights=weights
    )
    solutions = tuple(
        solve_once(inst, settings, weights, solved, lexicographic=lexicographic)
        for inst in instances
    )
    for sol in solutions:
        LOGGER.info(
            "%s: %s, objective %s, %.1f s",
            sol.instance.problem.name,
            sol.result.status.value,
            sol.result.objective,
            sol.result.solve_s,
        )
    gaps = pl.concat([explain_gaps(s) for s in solutions], how="vertical")
    head: tuple[OohSolution, ...] = ()
    extra: tuple[ExtraPosts, ...] = ()
    label = _scenario_label(scenario.kind, scenario.id)
    sentence = headcount_sentence(instances[0], [], label) if instances else ""
    if not headcount and not gaps.is_empty():
        missing = int(gaps.get_column("missing").sum())
        sentence = (
            f"The {label} {service.name} rota leaves {missing} shifts uncovered; the extra "
            "headcount was not computed (extra-headcount search switched off)."
        )
    if headcount and not gaps.is_empty():
        short = {s.instance.rota for s in solutions if not s.uncovered.is_empty()}
        k = max(candidates_needed(s.instance) for s in solutions if s.instance.rota in short)
        with_candidates = build_scenario(
            service,
            scenario,
            preset,
            frames,
            start=start,
            n_days=n_days,
            weights=weights,
            candidates_per_class=k,
        )
        head = tuple(
            solve_once(inst, settings, weights, solved, mode="headcount")
            for inst in with_candidates
            if inst.rota in short
        )
        solved = {h.instance.rota: extra_posts(h) for h in head}
        # a rota fully covered by today's staff needs 0 extra posts (proven by its roster)
        extra = tuple(
            solved.get(inst.rota) or ExtraPosts(inst.rota, 0, {}, True, 0, "optimal")
            for inst in with_candidates
        )
        sentence = headcount_sentence(with_candidates[0], list(extra), label)
    loads = [person_load(s.instance, s.roster) for s in solutions]
    breaches = [check_roster(s.instance, s.roster) for s in solutions]
    works = [oncall_work(s.instance, frames.get("activity"), cfg.costs, start) for s in solutions]
    travel = travel_map(frames["site_travel_times"])
    plans = plan_rotas(service, scenario, frames["sites"], travel)
    cost_frame = pl.concat(
        [
            person_costs(s.instance, s.roster, load, cfg.costs, work)
            for s, load, work in zip(solutions, loads, works, strict=True)
        ],
        how="vertical",
    )
    return ScenarioResult(
        service_id=service.id,
        scenario_id=scenario.id,
        scenario_kind=scenario.kind,
        solutions=solutions,
        headcount=head,
        extra=extra,
        sentence=sentence,
        load=pl.concat(loads, how="vertical"),
        breaches=pl.concat(breaches, how="vertical")
        if breaches
        else pl.DataFrame(schema=BREACH_SCHEMA),
        compliance=pl.concat(
            [compliance_table(s.instance, b) for s, b in zip(solutions, breaches, strict=True)],
            how="vertical",
        ),
        costs=cost_frame,
        cost=annual_cost(
            cost_frame,
            int(gaps.get_column("missing").sum() or 0),
            n_days,
            cfg.costs,
            pl.DataFrame(works, schema=WORK_SCHEMA),
        ),
        gaps=gaps,
        work=pl.DataFrame(works, schema=WORK_SCHEMA),
        day_hour_cost=day_job_hour_cost(cfg.costs),
        site_cover=site_cover(service, scenario, frames["sites"], travel),
        excluded=excluded_staff(
            service, scenario.id, plans, eligible_staff(service, frames), travel
        ),
        workload=pl.concat(
            [pl.DataFrame(schema=WORKLOAD_SCHEMA)]
            + [rota_workload(s.instance, frames) for s in solutions],
            how="vertical",
        ),
    )


@dataclass(frozen=True)
class OohAnalysis:
    """All service x scenario results of one run.

    Attributes:
        start: first date of the horizon.
        n_days: horizon length.
        results: one :class:`ScenarioResult` per service x scenario run.
        price_year: price year of every cost.
    """

    start: dt.date
    n_days: int
    results: tuple[ScenarioResult, ...]
    price_year: str
    notes: tuple[str, ...] = field(default_factory=tuple)

    def _stack(self, name: str) -> pl.DataFrame:
        frames = [getattr(r, name) for r in self.results]
        return pl.concat(frames, how="vertical") if frames else pl.DataFrame()

    def comparison(self) -> pl.DataFrame:
        """One row per service x scenario: status, gap, uncovered, 1-in-N, breaches, posts, cost.

        Pay and the cost of uncovered shifts are separate columns; the scenarios of each service
        are ranked by cost without and with uncovered shifts (``ooh.pay.rank_scenarios``).
        ``cross_rota_clashes`` counts the service's shifts held by someone on call for another
        service of the scenario at the same time (:func:`cross_rota_clashes`).
        Columns that may be empty for every row (no gap reported, nobody holding a rota) keep
        their numeric types.
        """
        summaries = pl.DataFrame(
            [r.summary() for r in self.results], schema_overrides=COMPARISON_TYPES
        )
        clashes = self.clashes()
        counts = [_clash_counts(clashes, r.scenario_id, r.service_id).height for r in self.results]
        return rank_scenarios(
            summaries.with_columns(pl.Series("cross_rota_clashes", counts, dtype=pl.Int64))
        ).with_columns(pl.lit(self.price_year).alias("price_year"))

    @cached_property
    def _clashes(self) -> pl.DataFrame:
        return cross_rota_clashes(self.results)

    def clashes(self) -> pl.DataFrame:
        """Shifts one person holds on two services' rotas at once (:func:`cross_rota_clashes`)."""
        return self._clashes

    def load(self) -> pl.DataFrame:
        """Per-person load of every rota."""
        return self._stack("load")

    def breaches(self) -> pl.DataFrame:
        """Every breach of every rota."""
        return self._stack("breaches")

    def compliance(self) -> pl.DataFrame:
        """Per-rule compliance of every rota."""
        return self._stack("compliance")

    def costs(self) -> pl.DataFrame:
        """Per-person annual cost of every rota."""
        return self._stack("costs")

    def work(self) -> pl.DataFrame:
        """On-call work (cases, hours, PAs a week) of every rota."""
        return self._stack("work")

    def gaps(self) -> pl.DataFrame:
        """Every uncovered shift with its reasons."""
        return self._stack("gaps")

    def site_cover(self) -> pl.DataFrame:
        """How every served site of every rota is covered (slot, transfer, no local cover)."""
        return self._stack("site_cover")

    def excluded_staff(self) -> pl.DataFrame:
        """Competent staff left out of a rota by the response time, one row per rota and person."""
        return self._stack("excluded")

    def verdicts(self, sites: pl.DataFrame | None = None) -> pl.DataFrame:
        """The verdict per scenario, service and trust (see :func:`verdicts`)."""
        return verdicts(self.results, sites, self._clashes)

    def verdict_grid(self, sites: pl.DataFrame | None = None) -> pl.DataFrame:
        """Service x trust grid of verdicts per scenario (see :func:`verdict_grid`)."""
        return verdict_grid(self.verdicts(sites))

    def workload(self) -> pl.DataFrame:
        """The workload each slot of every rota faces (``ooh.workload.WORKLOAD_SCHEMA``)."""
        return self._stack("workload")

    def sentences(self) -> list[str]:
        """The extra-headcount sentences, one per service x scenario."""
        return [r.sentence for r in self.results]

    def result(self, service_id: str, scenario_id: str) -> ScenarioResult:
        """The result of one service x scenario."""
        for r in self.results:
            if r.service_id == service_id and r.scenario_id == scenario_id:
                return r
        raise KeyError(f"no result for {service_id} x {scenario_id}")


def run_analysis(
    cfg: OohConfig,
    frames: Mapping[str, pl.DataFrame],
    *,
    start: dt.date,
    n_days: int,
    settings: SolverSettings,
    services: Sequence[str] | None = None,
    scenarios: Iterable[str] | None = None,
    preset_name: str | None = None,
    weights: OohWeights | None = None,
    headcount: bool = True,
    lexicographic: bool = False,
) -> OohAnalysis:
    """Run every requested service x scenario (scenarios that do not apply are skipped).

    Args:
        cfg: the OOH configuration.
        frames: datasets (see ``ooh.build.DATASETS``).
        start: first date ("as at").
        n_days: horizon in days (13 weeks = 91 by default in the notebook; 364 must work).
        settings: solver settings per rota solve.
        services: service ids (default: all).
        scenarios: scenario ids (default: all).
        preset_name: rule preset for every service (default: each service's own).
        weights: objective weights.
        headcount: find the exact extra headcount where cover falls short.
        lexicographic: solve each rota cover first, then load balance (see ``run_scenario``).

    Returns:
        The :class:`OohAnalysis`.
    """
    service_ids = list(services or cfg.services)
    scenario_ids = list(scenarios or cfg.scenarios)
    for sid in service_ids:
        cfg.service(sid)
    for sid in scenario_ids:
        cfg.scenario(sid)
    solved: dict[str, OohSolution] = {}
    results = [
        run_scenario(
            cfg,
            frames,
            svc,
            sc,
            start=start,
            n_days=n_days,
            settings=settings,
            preset_name=preset_name,
            weights=weights,
            headcount=headcount,
            lexicographic=lexicographic,
            solved=solved,
        )
        for svc in service_ids
        for sc in scenario_ids
        if cfg.scenario(sc).applies_to(svc)
    ]
    if not results:
        raise ConfigError("no scenario applies to the services chosen")
    return OohAnalysis(start, n_days, tuple(results), cfg.costs.price_year)
