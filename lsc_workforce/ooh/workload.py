"""The workload each out-of-hours slot faces, and the cover a queueing rule derives from it.

Configuration: ``config/ooh/workload.yaml`` (contract ``data_contracts/ooh_workload.json``), one
:class:`WorkloadSpec` per service, attached to the service when the OOH configuration is read
(:func:`attach_workload`). The formulas are in ``docs/ooh_workload.md``.

**Workload.** A year of the service's out-of-hours cases (:func:`ooh_cases`: the 12 months of
the ``activity`` dataset before the "as at" date, ``period == "ooh"``, the service's
modalities) at the sites a slot serves. Cases arrive as a Poisson stream spread evenly over the
out-of-hours band (every hour outside weekdays ``in_hours_start``-``in_hours_end`` of
``config/demand/job_plan.yaml``: 118 hours a week), so a slot faces ``lambda`` = cases a year /
out-of-hours hours a year arrivals an hour, each taking ``s`` hours (minutes per case from
``config/demand/activity_effort.csv``, as the on-call work PAs, or from the radiographer
throughput of ``config/demand/radiography.csv``). The offered load ``a = lambda s`` is the
mean number of cases in progress (hours of work per clock hour). A ``cover_unit: site`` slot
serves its own site; a ``trust`` slot the served sites of the rota's trusts, each going to the
slot at that site, else to a slot of its trust, else to the nearest slot by road.

**Cover rules** (``cover_rule``; resident tiers only, status ``derived``):

* ``fixed``: the ``cover`` of ``ooh_services.yaml`` (or the scenario's);
* ``erlang_c``: the fewest people ``c`` on at once with ``P(wait <= t) >= q`` in an M/M/c
  queue (:func:`erlang_c_cover`): ``P(wait <= t) = 1 - C(c, a) exp(-(c - a) t / s)``, where
  ``C(c, a)`` is the Erlang-C probability that a case waits (:func:`erlang_c`);
* ``percentile``: the ``p``-th percentile of the cases in progress at once, Poisson with mean
  ``a`` (M/G/infinity; :func:`percentile_cover`).

Either is bounded by ``min_cover`` and ``max_cover``; the slot's cover is the largest over its
shift patterns (time bands).

**Non-resident tiers** (on call from home): the workload is paid as on-call work PAs
(``ooh.pay``), not a cover level. Above a first-on-call tier (the CT registrars, above whom the
consultant is second on call) the tier's cases are the share the first tier does not handle
alone (``1 - registrar_share`` of ``costs.yaml``). The slot is flagged "should be resident or
needs a second on-call" when the expected work of each person on call in the night window
(``a x`` window hours / cover) leaves less than the continuous rest the window must hold
(``night_rest`` of ``workload.yaml``). ``disturbed_night_probability`` is the chance that the
calls of a night leave no continuous rest of ``r`` hours in the window of ``w`` hours: calls
reach a person at Poisson times (rate ``lambda / cover``), and the rest holds if some gap
between calls (or a window end) is at least ``r`` long (:func:`rest_broken_probability`).

**Overlap** (e.g. IR, the evidence for a second operator): a case arriving finds another in
progress with probability ``1 - exp(-a)`` (Poisson arrivals see the time average, M/G/infinity).

**Teleradiology** (a service's ``teleradiology`` entry): the reports of reporting modalities
sent out are the observed ``outsourced_reports`` or a stated share; they are not the on-call
tier's work (``ooh.pay.oncall_work``), cost ``cost_per_report`` each, and the reporters a
provider needs on at once for them follow the Erlang-C rule (tier ``teleradiology``).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import polars as pl

from lsc_workforce.config import ConfigError, load_yaml
from lsc_workforce.demand.capacity import annual_activity
from lsc_workforce.demand.pathways import poisson_quantile
from lsc_workforce.ooh.inputs import OohConfig, Service, effort_minutes, travel_map

__all__ = [
    "COVER_RULES",
    "MINUTES_FROM",
    "WORKLOAD_SCHEMA",
    "NightRest",
    "Teleradiology",
    "WorkloadSpec",
    "attach_workload",
    "config_table",
    "derive_cover",
    "erlang_c",
    "erlang_c_cover",
    "load_workload",
    "ooh_cases",
    "overlap_probability",
    "rest_broken_probability",
    "percentile_cover",
    "rota_workload",
    "slot_workload",
    "teleradiology_options",
    "wait_within",
    "workload_table",
    "workload_view",
]

#: How a slot's cover is set: the configured number, or a queueing rule on the workload.
COVER_RULES = ("fixed", "erlang_c", "percentile")
#: Where minutes per case come from: ``activity_effort`` (``config/demand/activity_effort.csv``,
#: as the on-call work PAs) or ``radiography`` (60 / examinations per radiographer-hour,
#: ``config/demand/radiography.csv``).
MINUTES_FROM = ("activity_effort", "radiography")

WORKLOAD_SCHEMA = {
    "service": pl.String,
    "scenario": pl.String,
    "rota": pl.String,
    "site": pl.String,
    "served_sites": pl.String,
    "tier": pl.String,
    "shift": pl.String,
    "shift_hours": pl.Float64,
    "cases_year": pl.Float64,
    "arrivals_per_hour": pl.Float64,
    "minutes_per_case": pl.Float64,
    "offered_load": pl.Float64,
    "cases_per_shift": pl.Float64,
    "work_hours_per_shift": pl.Float64,
    "cover_rule": pl.String,
    "cover": pl.Int64,
    "derived_cover": pl.Int64,
    "wait_over_target_probability": pl.Float64,
    "overlap_probability": pl.Float64,
    "night_work_hours_per_person": pl.Float64,
    "disturbed_night_probability": pl.Float64,
    "flag": pl.String,
    "status": pl.String,
}

#: Flag of a non-resident slot whose night work leaves too little continuous rest.
FLAG_NON_RESIDENT = "should be resident or needs a second on-call"


@dataclass(frozen=True)
class NightRest:
    """The continuous rest a night on call from home must hold (the non-resident threshold).

    Attributes:
        start: the night window starts (local time) ...
        end: ... and ends the next morning.
        rest_hours: continuous rest the window must hold.
        source: citation.
        status: status of the rule as used here.
    """

    start: dt.time
    end: dt.time
    rest_hours: float
    source: str = ""
    status: str = "derived"

    @property
    def window_hours(self) -> float:
        """Length of the night window in hours."""
        minutes = (self.end.hour * 60 + self.end.minute) - (
            self.start.hour * 60 + self.start.minute
        )
        return (minutes % (24 * 60)) / 60

    @property
    def max_work_hours(self) -> float:
        """Most expected work in the window that still leaves ``rest_hours`` free."""
        return self.window_hours - self.rest_hours


@dataclass(frozen=True)
class Teleradiology:
    """Out-of-hours reports sent to a teleradiology provider (the lever).

    Attributes:
        share: share of the reporting modalities' cases sent out; ``None``: the share observed
            in the activity data (``outsourced_reports``).
        cost_per_report: GBP per report sent out.
        options: shares compared by :func:`teleradiology_options` (``None``: observed).
        target_wait_minutes: the provider's report turnaround target ``t`` ...
        target_probability: ... met with probability ``q`` (Erlang-C reporters on at once).
        source: citation.
        status: status of the cost.
    """

    share: float | None
    cost_per_report: float
    options: tuple[float | None, ...] = (None,)
    target_wait_minutes: float = 60.0
    target_probability: float = 0.9
    source: str = ""
    status: str = "unconfirmed"


@dataclass(frozen=True)
class WorkloadSpec:
    """How one service's out-of-hours workload is measured and turned into cover.

    Attributes:
        service_id: the service.
        cover_rule: one of :data:`COVER_RULES`.
        minutes: ``{modality: minutes per case}`` (resolved from ``minutes_from``).
        reporting: modalities whose outsourced reports are not done in house.
        minutes_from: one of :data:`MINUTES_FROM`.
        ooh_hours_week: hours a week of the out-of-hours band (from ``job_plan.yaml``).
        target_wait_minutes: Erlang-C wait target ``t`` (``None``: no Erlang-C figure).
        target_probability: Erlang-C probability ``q`` of waiting at most ``t``.
        percentile: the percentile ``p`` of the ``percentile`` rule.
        min_cover: fewest people a derived cover gives.
        max_cover: most people a derived cover gives (a larger need is flagged).
        night_rest: the non-resident threshold (``None``: no flag).
        teleradiology: the teleradiology lever (``None``: observed outsourcing, not priced).
        outsourced_share: share of the reporting modalities' cases sent out, for a service
            without a ``teleradiology`` entry (``None``: the observed share); set by a scenario's
            ``teleradiology_share``.
        first_tier_share: share of the in-house cases a first-on-call tier handles without this
            one (``registrar_share`` of ``costs.yaml``, set by :func:`attach_workload`); an
            on-call tier's work, flag and disturbed nights count only the rest.
        source: citation of the targets.
        status: status of the targets.
    """

    service_id: str
    cover_rule: str = "fixed"
    minutes: Mapping[str, float] = field(default_factory=dict)
    reporting: frozenset[str] = frozenset()
    minutes_from: str = "activity_effort"
    ooh_hours_week: float = 118.0
    target_wait_minutes: float | None = None
    target_probability: float | None = None
    percentile: float | None = None
    min_cover: int = 1
    max_cover: int = 20
    night_rest: NightRest | None = None
    teleradiology: Teleradiology | None = None
    outsourced_share: float | None = None
    first_tier_share: float = 0.0
    source: str = ""
    status: str = "unconfirmed"

    @property
    def sent_out_share(self) -> float | None:
        """Share of the reporting modalities' cases sent out (``None``: the observed share)."""
        return self.outsourced_share if self.teleradiology is None else self.teleradiology.share

    @property
    def ooh_hours_year(self) -> float:
        """Out-of-hours hours in a year (365 days)."""
        return self.ooh_hours_week * 365 / 7


# ----- queueing rules -----


def erlang_c(servers: int, load: float) -> float:
    """Probability that a case waits in an M/M/c queue (Erlang C).

    Args:
        servers: people on at once ``c``.
        load: offered load ``a = lambda s`` (Erlangs).

    Returns:
        ``C(c, a)``; 1 when ``a >= c`` (the queue grows without bound), 0 when ``a = 0``.
    """
    if load <= 0:
        return 0.0
    if servers <= load:
        return 1.0
    blocking = 1.0  # Erlang B by its recursion B(k) = a B(k-1) / (k + a B(k-1))
    for k in range(1, servers + 1):
        blocking = load * blocking / (k + load * blocking)
    return servers * blocking / (servers - load * (1 - blocking))


def wait_within(servers: int, rate: float, service_hours: float, target_hours: float) -> float:
    """``P(wait <= t)`` in an M/M/c queue: ``1 - C(c, a) exp(-(c - a) t / s)``.

    Args:
        servers: people on at once ``c``.
        rate: arrivals an hour ``lambda``.
        service_hours: mean hours per case ``s``.
        target_hours: the wait target ``t``.
    """
    load = rate * service_hours
    if load <= 0:
        return 1.0
    if servers <= load:
        return 0.0
    return 1 - erlang_c(servers, load) * math.exp(-(servers - load) * target_hours / service_hours)


def erlang_c_cover(
    rate: float, service_hours: float, target_hours: float, probability: float, most: int = 100
) -> int | None:
    """Fewest people on at once with ``P(wait <= t) >= q`` (0 when nothing arrives).

    Returns:
        The cover, or ``None`` when even ``most`` people miss the target.
    """
    if rate <= 0 or service_hours <= 0:
        return 0
    for servers in range(max(1, math.floor(rate * service_hours)), most + 1):
        if wait_within(servers, rate, service_hours, target_hours) >= probability:
            return servers
    return None


def percentile_cover(load: float, percentile: float) -> int:
    """The ``p``-th percentile of the cases in progress at once (Poisson with mean ``a``)."""
    return poisson_quantile(load, percentile)


def rest_broken_probability(rate: float, window_hours: float, rest_hours: float) -> float:
    """Chance that Poisson calls leave no continuous rest of ``rest_hours`` in the window.

    Given ``n`` calls at uniform times in a window of ``w`` hours, the ``n + 1`` gaps are all
    shorter than ``r`` with probability ``sum_k (-1)^k C(n+1, k) (1 - k r / w)_+^n`` (Whitworth's
    spacings formula; ``k`` up to ``w / r``); ``n`` is Poisson with mean ``rate x w``. A call's
    own duration is not taken from the rest.

    Args:
        rate: calls an hour reaching one person.
        window_hours: the night window ``w``.
        rest_hours: the continuous rest ``r`` it must hold (at most ``w``).

    Returns:
        The probability (0 with no calls).
    """
    if rate <= 0:
        return 0.0
    mean = rate * window_hours
    ratio = rest_hours / window_hours
    top = int(mean + 12 * math.sqrt(mean) + 30)
    weight = math.exp(-mean)  # Poisson probability of n calls, n = 0, 1, ...
    broken = 0.0
    for n in range(top + 1):
        if n:
            weight *= mean / n
        all_short = sum(
            (-1) ** k * math.comb(n + 1, k) * max(0.0, 1 - k * ratio) ** n
            for k in range(min(n + 1, int(1 / ratio)) + 1)
        )
        broken += weight * all_short
    return min(1.0, max(0.0, broken))


def overlap_probability(load: float) -> float:
    """Probability that an arriving case finds another in progress: ``1 - exp(-a)``."""
    return 1 - math.exp(-load) if load > 0 else 0.0


# ----- configuration -----


def _number(entry: Mapping[str, Any], key: str, where: str, low: float, high: float) -> float:
    value = entry.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ConfigError(f"{where}.{key}: {value!r} is not a number")
    if not low <= value <= high:
        raise ConfigError(f"{where}.{key}: {value:g} must lie in [{low:g}, {high:g}]")
    return float(value)


def _share(value: Any, where: str) -> float | None:
    if value == "observed":
        return None
    return _number({"share": value}, "share", where, 0.0, 1.0)


def _parse_teleradiology(entry: Mapping[str, Any] | None, where: str) -> Teleradiology | None:
    if entry is None:
        return None
    where = f"{where}.teleradiology"
    share = _share(entry.get("share", "observed"), where)
    options = tuple(_share(v, f"{where}.options") for v in entry.get("options") or [share])
    return Teleradiology(
        share=share,
        cost_per_report=_number(entry, "cost_per_report", where, 0.0, 10_000.0),
        options=options,
        target_wait_minutes=_number(entry, "target_wait_minutes", where, 1.0, 24 * 60.0),
        target_probability=_number(entry, "target_probability", where, 0.01, 0.9999),
        source=str(entry.get("source", "")),
        status=str(entry.get("status", "unconfirmed")),
    )


def _parse_spec(entry: Mapping[str, Any], night_rest: NightRest | None) -> WorkloadSpec:
    if not isinstance(entry, Mapping) or not entry.get("service"):
        raise ConfigError(f"workload.yaml services: entry {entry!r} needs a 'service'")
    sid = str(entry["service"])
    where = f"workload.yaml services.{sid}"
    rule = str(entry.get("cover_rule", "fixed"))
    if rule not in COVER_RULES:
        raise ConfigError(f"{where}.cover_rule: {rule!r} must be one of {list(COVER_RULES)}")
    basis = str(entry.get("minutes_from", "activity_effort"))
    if basis not in MINUTES_FROM:
        raise ConfigError(f"{where}.minutes_from: {basis!r} must be one of {list(MINUTES_FROM)}")
    modalities = entry.get("modalities") or []
    if not modalities:
        raise ConfigError(f"{where}.modalities: name at least one modality")
    wait = probability = percentile = None
    if entry.get("target_wait_minutes") is not None or rule == "erlang_c":
        wait = _number(entry, "target_wait_minutes", where, 0.0, 24 * 60.0)
        probability = _number(entry, "target_probability", where, 0.01, 0.9999)
    if entry.get("percentile") is not None or rule == "percentile":
        percentile = _number(entry, "percentile", where, 0.01, 0.9999)
    low = int(_number(entry, "min_cover", where, 0, 50)) if "min_cover" in entry else 1
    high = int(_number(entry, "max_cover", where, max(low, 1), 100)) if "max_cover" in entry else 20
    return WorkloadSpec(
        service_id=sid,
        cover_rule=rule,
        minutes=dict.fromkeys((str(m) for m in modalities), 0.0),
        minutes_from=basis,
        target_wait_minutes=wait,
        target_probability=probability,
        percentile=percentile,
        min_cover=low,
        max_cover=high,
        night_rest=night_rest,
        teleradiology=_parse_teleradiology(entry.get("teleradiology"), where),
        source=str(entry.get("source", "")),
        status=str(entry.get("status", "unconfirmed")),
    )


def _resolve_minutes(spec: WorkloadSpec, config_dir: Path) -> WorkloadSpec:
    """Minutes per case of the spec's modalities, and which of them are reported."""
    if spec.minutes_from == "activity_effort":
        known = effort_minutes(config_dir)
        table = {m: minutes for m, (minutes, _) in known.items()}
        reporting = frozenset(m for m in spec.minutes if known.get(m, (0, False))[1])
        file = "demand/activity_effort.csv"
    else:
        from lsc_workforce.demand.capacity import RADIOGRAPHY_COLUMNS  # noqa: PLC0415
        from lsc_workforce.demand.parameters import load_parameter_table  # noqa: PLC0415

        rows = load_parameter_table(
            Path(config_dir) / "demand" / "radiography.csv", RADIOGRAPHY_COLUMNS
        )
        table = {
            r["modality"]: 60 / r["exams_per_radiographer_hour"] for r in rows.iter_rows(named=True)
        }
        reporting = frozenset()
        file = "demand/radiography.csv"
    unknown = sorted(set(spec.minutes) - set(table))
    if unknown:
        raise ConfigError(
            f"workload.yaml services.{spec.service_id}.modalities: {unknown} have no row in "
            f"{file} (known: {sorted(table)})"
        )
    return replace(spec, minutes={m: float(table[m]) for m in spec.minutes}, reporting=reporting)


def _ooh_hours_week(config_dir: Path) -> float:
    """Hours a week outside the weekday in-hours band of ``job_plan.yaml``."""
    from lsc_workforce.demand.parameters import load_scalars  # noqa: PLC0415

    scalars = load_scalars(Path(config_dir) / "demand" / "job_plan.yaml")
    start, end = scalars["in_hours_start"].value, scalars["in_hours_end"].value
    return 7 * 24 - 5 * (end - start)


def _parse_night_rest(entry: Mapping[str, Any] | None) -> NightRest | None:
    if entry is None:
        return None
    where = "workload.yaml night_rest"
    try:
        start = dt.time.fromisoformat(str(entry.get("start")))
        end = dt.time.fromisoformat(str(entry.get("end")))
    except ValueError as exc:
        raise ConfigError(f"{where}: start and end must be HH:MM") from exc
    rest = NightRest(start, end, 0.0, str(entry.get("source", "")), str(entry.get("status", "")))
    hours = _number(entry, "rest_hours", where, 0.0, rest.window_hours)
    return replace(rest, rest_hours=hours)


def load_workload(config_dir: Path) -> dict[str, WorkloadSpec]:
    """Read ``config_dir/ooh/workload.yaml`` (``{}`` when the file is absent: fixed cover).

    Returns:
        ``{service id: WorkloadSpec}`` with minutes per case resolved.

    Raises:
        ConfigError: naming the file, key and value of anything malformed.
    """
    path = Path(config_dir) / "ooh" / "workload.yaml"
    if not path.exists():
        return {}
    doc = load_yaml(path) or {}
    night_rest = _parse_night_rest(doc.get("night_rest"))
    hours = _ooh_hours_week(config_dir)
    specs: dict[str, WorkloadSpec] = {}
    for entry in doc.get("services") or ():
        spec = _parse_spec(entry, night_rest)
        if spec.service_id in specs:
            raise ConfigError(f"workload.yaml services: {spec.service_id} appears twice")
        specs[spec.service_id] = replace(_resolve_minutes(spec, config_dir), ooh_hours_week=hours)
    return specs


def config_table(specs: Mapping[str, WorkloadSpec]) -> pl.DataFrame:
    """The specs as the tidy table of the ``ooh_workload`` data contract."""
    rows = [
        {
            "service_id": s.service_id,
            "cover_rule": s.cover_rule,
            "minutes_from": s.minutes_from,
            "modalities": ";".join(s.minutes),
            "target_wait_minutes": s.target_wait_minutes,
            "target_probability": s.target_probability,
            "percentile": s.percentile,
            "min_cover": s.min_cover,
            "max_cover": s.max_cover,
            "teleradiology_share": None if s.teleradiology is None else s.teleradiology.share,
            "cost_per_report": None if s.teleradiology is None else s.teleradiology.cost_per_report,
            "source": s.source,
            "status": s.status,
        }
        for s in specs.values()
    ]
    schema = {
        "service_id": pl.String,
        "cover_rule": pl.String,
        "minutes_from": pl.String,
        "modalities": pl.String,
        "target_wait_minutes": pl.Float64,
        "target_probability": pl.Float64,
        "percentile": pl.Float64,
        "min_cover": pl.Int64,
        "max_cover": pl.Int64,
        "teleradiology_share": pl.Float64,
        "cost_per_report": pl.Float64,
        "source": pl.String,
        "status": pl.String,
    }
    return pl.DataFrame(rows, schema=schema)


def attach_workload(cfg: OohConfig, config_dir: Path, validate: bool = True) -> OohConfig:
    """Give each service of ``cfg`` its :class:`WorkloadSpec` from ``workload.yaml``.

    Raises:
        ConfigError: if the file names an unknown service, puts a derived cover rule on a
            service on call from home, or (``validate``) fails its data contract.
    """
    specs = load_workload(config_dir)
    problems = [
        f"workload.yaml services.{sid}: unknown service" for sid in specs if sid not in cfg.services
    ]
    for sid, spec in specs.items():
        service = cfg.services.get(sid)
        if service is not None and service.non_resident and spec.cover_rule != "fixed":
            problems.append(
                f"workload.yaml services.{sid}.cover_rule: {spec.cover_rule!r} on a service on "
                f"call from home (category {service.category}); its workload is on-call work "
                "PAs and a flag, not a cover level: use 'fixed'"
            )
    if validate and specs:
        from lsc_workforce.contracts import validate_frame  # noqa: PLC0415 - GX is slow

        report = validate_frame(config_table(specs), "ooh_workload")
        if not report.success:
            problems.append(report.summary())
    if problems:
        raise ConfigError("OOH workload configuration is invalid:\n" + "\n".join(problems))
    for sid, work in cfg.costs.oncall_work.items():
        if sid in specs:
            specs[sid] = replace(specs[sid], first_tier_share=work.registrar_share)
    services = {sid: replace(s, workload=specs.get(sid)) for sid, s in cfg.services.items()}
    return replace(cfg, services=services)


# ----- workload -----


def ooh_cases(
    activity: pl.DataFrame,
    as_at: dt.date,
    minutes: Mapping[str, float],
    *,
    sites: Iterable[str],
    trusts: Iterable[str] = (),
    reporting: Iterable[str] = (),
    outsourced_share: float | None = None,
) -> pl.DataFrame:
    """A year of out-of-hours cases of some modalities at some sites, and who reports them.

    The 12 months of ``activity`` before ``as_at``, ``period == "ooh"``, the modalities of
    ``minutes``, at ``sites`` (in ``trusts`` when given). Outsourced reports count only for
    the ``reporting`` modalities: the observed ``outsourced_reports``, or ``outsourced_share``
    of the examinations when a share is given (the teleradiology lever).

    Returns:
        ``trust_code, site_code, modality, examinations, outsourced, in_house, minutes``
        (cases a year; ``minutes`` per case).
    """
    trusts = list(trusts)
    cases = annual_activity(activity, as_at).filter(
        (pl.col("period") == "ooh")
        & pl.col("modality").is_in(list(minutes))
        & pl.col("site_code").is_in([s for s in sites if s])
        & (pl.col("trust_code").is_in(trusts) if trusts else pl.lit(True))
    )
    sent = (
        pl.col("outsourced_reports")
        if outsourced_share is None
        else pl.col("examinations") * outsourced_share
    )
    return cases.select(
        "trust_code",
        "site_code",
        "modality",
        "examinations",
        pl.when(pl.col("modality").is_in(list(reporting)))
        .then(sent)
        .otherwise(0.0)
        .alias("outsourced"),
        pl.col("modality").replace_strict(dict(minutes), return_dtype=pl.Float64).alias("minutes"),
    ).with_columns(in_house=pl.col("examinations") - pl.col("outsourced"))


def serving_slots(
    served: Sequence[str],
    slot_sites: Sequence[str | None],
    trust_of: Mapping[str, str],
    travel: Mapping[tuple[str, str], int],
) -> dict[str, str | None]:
    """Which slot serves each served site: its own, else its trust's, else the nearest by road.

    Returns:
        ``{served site: slot site}``.
    """
    slots = [s for s in slot_sites if s is not None]
    chosen: dict[str, str | None] = {}
    for site in served:
        if not slots:
            chosen[site] = slot_sites[0] if slot_sites else None
        elif site in slots:
            chosen[site] = site
        else:
            same = [s for s in slots if trust_of.get(s) == trust_of.get(site)]
            pool = same or slots
            chosen[site] = min(pool, key=lambda s: (travel.get((site, s), 10**6), s))
    return chosen


def _activity(frames: Mapping[str, pl.DataFrame], service: Service) -> pl.DataFrame:
    activity = frames.get("activity")
    if activity is None:
        raise ConfigError(
            f"the workload of {service.id} (config/ooh/workload.yaml) needs the activity "
            "dataset (activity.csv)"
        )
    return activity


def slot_workload(
    service: Service,
    slots: Sequence[tuple[str | None, int]],
    trusts: Sequence[str],
    frames: Mapping[str, pl.DataFrame],
    as_at: dt.date,
) -> pl.DataFrame:
    """The workload each slot of a rota faces, per shift pattern and tier (module docstring).

    Args:
        service: the service (with its :class:`WorkloadSpec`).
        slots: the rota's ``(site, cover)`` slots.
        trusts: the trusts the rota serves.
        frames: datasets with ``activity``, ``sites`` and ``site_travel_times``.
        as_at: the "as at" date (the 12 months before it are counted).

    Returns:
        :data:`WORKLOAD_SCHEMA` rows (``scenario`` and ``rota`` null), none when the service
        has no :class:`WorkloadSpec`.

    Raises:
        ConfigError: if the ``activity`` dataset is missing.
    """
    spec: WorkloadSpec | None = service.workload
    if spec is None or not slots:
        return pl.DataFrame(schema=WORKLOAD_SCHEMA)
    trust_of = dict(frames["sites"].select("site_code", "trust_code").iter_rows())
    travel = travel_map(frames["site_travel_times"])
    if service.cover_unit == "site":  # each slot serves its own site (a split rota has some)
        served = [s for s, _ in slots if s in service.sites]
    else:
        served = [s for s in service.sites if not trusts or trust_of.get(s) in trusts]
        limit = service.transfer_limit
        if limit is not None:  # patients come only from sites within the transfer limit
            reach = [s for s, _ in slots]
            served = [
                s
                for s in served
                if any(
                    s == slot
                    or travel.get((s, slot), limit.transfer_minutes + 1) <= limit.transfer_minutes
                    for slot in reach
                )
            ]
    serving = serving_slots(served, [s for s, _ in slots], trust_of, travel)
    tele = spec.teleradiology
    cases = ooh_cases(
        _activity(frames, service),
        as_at,
        spec.minutes,
        sites=served,
        reporting=spec.reporting,
        outsourced_share=spec.sent_out_share,
    ).with_columns(slot=pl.col("site_code").replace_strict(serving, return_dtype=pl.String))
    tiers = [("in_house", "on_call" if service.non_resident else "resident")]
    if tele is not None:
        tiers.append(("outsourced", "teleradiology"))
    rows = []
    for site, cover in dict(slots).items():
        mine = cases.filter(pl.col("slot") == site) if site is not None else cases
        for column, tier in tiers:
            own = 1 - spec.first_tier_share if tier == "on_call" else 1.0
            n = own * float(mine.get_column(column).sum() or 0.0)
            minutes = own * float((mine.get_column(column) * mine.get_column("minutes")).sum() or 0)
            rows += _tier_rows(
                service,
                spec,
                site=site,
                cover=cover,
                tier=tier,
                cases_year=n,
                minutes_year=minutes,
                served=sorted(k for k, v in serving.items() if v == site),
            )
    return pl.DataFrame(rows, schema=WORKLOAD_SCHEMA, orient="row").select(list(WORKLOAD_SCHEMA))


def _tier_rows(
    service: Service,
    spec: WorkloadSpec,
    *,
    site: str | None,
    cover: int,
    tier: str,
    cases_year: float,
    minutes_year: float,
    served: Sequence[str],
) -> list[dict[str, object]]:
    """One :data:`WORKLOAD_SCHEMA` row per shift pattern of one slot and tier."""
    rate = cases_year / spec.ooh_hours_year
    mean_minutes = minutes_year / cases_year if cases_year else 0.0
    hours = mean_minutes / 60
    load = rate * hours
    derived = _derived_cover(spec, tier, rate, hours)
    rows = []
    for pattern in service.shifts:
        row: dict[str, object] = {
            "service": service.id,
            "scenario": None,
            "rota": None,
            "site": site,
            "served_sites": "+".join(served),
            "tier": tier,
            "shift": pattern.id,
            "shift_hours": pattern.hours,
            "cases_year": cases_year,
            "arrivals_per_hour": rate,
            "minutes_per_case": mean_minutes,
            "offered_load": load,
            "cases_per_shift": rate * pattern.hours,
            "work_hours_per_shift": load * pattern.hours,
            "cover_rule": spec.cover_rule if tier == "resident" else None,
            "cover": None if tier == "teleradiology" else cover,
            "derived_cover": derived,
            "wait_over_target_probability": None,
            "overlap_probability": overlap_probability(load),
            "night_work_hours_per_person": None,
            "disturbed_night_probability": None,
            "flag": None,
            "status": "derived" if derived is not None else spec.status,
        }
        staff = cover if tier == "resident" else derived
        wait = (
            spec.teleradiology.target_wait_minutes
            if tier == "teleradiology"
            else spec.target_wait_minutes
        )
        if staff is not None and wait is not None and tier != "on_call":
            late = 1 - wait_within(staff, rate, hours, wait / 60) if hours else 0.0
            row["wait_over_target_probability"] = late
        if tier == "on_call" and spec.night_rest is not None:
            window = spec.night_rest.window_hours
            row["night_work_hours_per_person"] = load * window / max(cover, 1)
            row["disturbed_night_probability"] = rest_broken_probability(
                rate / max(cover, 1), window, spec.night_rest.rest_hours
            )
            if load * window / max(cover, 1) > spec.night_rest.max_work_hours:
                row["flag"] = FLAG_NON_RESIDENT
        if tier == "resident" and derived is None and _target(spec) is not None:
            row["flag"] = f"more than {spec.max_cover} people needed on at once"
        elif tier == "resident" and derived is not None and derived > cover:
            row["flag"] = f"cover {cover} below the workload's {derived}"
        rows.append(row)
    return rows


def _target(spec: WorkloadSpec) -> str | None:
    """The queueing rule that gives a resident slot's derived cover (``None``: none set)."""
    if spec.cover_rule != "fixed":
        return spec.cover_rule
    if spec.target_wait_minutes is not None:
        return "erlang_c"
    return "percentile" if spec.percentile is not None else None


def _derived_cover(spec: WorkloadSpec, tier: str, rate: float, hours: float) -> int | None:
    """Derived people on at once of a resident or teleradiology tier (``None``: none)."""
    if tier == "on_call":
        return None
    if tier == "teleradiology":
        tele = spec.teleradiology
        return erlang_c_cover(rate, hours, tele.target_wait_minutes / 60, tele.target_probability)
    rule = _target(spec)
    if rule is None:
        return None
    if rule == "erlang_c":
        cover = erlang_c_cover(
            rate, hours, spec.target_wait_minutes / 60, spec.target_probability, spec.max_cover
        )
    else:
        cover = percentile_cover(rate * hours, spec.percentile)
        cover = None if cover > spec.max_cover else cover
    return None if cover is None else max(spec.min_cover, cover)


def derive_cover(
    plan: Any, service: Service, frames: Mapping[str, pl.DataFrame], as_at: dt.date
) -> Any:
    """The rota plan with each slot's cover set by the service's queueing rule.

    A service whose ``cover_rule`` is ``fixed`` (or without a :class:`WorkloadSpec`) keeps the
    plan's cover. Otherwise each slot's cover is the largest derived cover over its shift
    patterns; a slot whose need exceeds ``max_cover`` gets ``max_cover`` (and is flagged in
    the workload table).

    Args:
        plan: a :class:`lsc_workforce.ooh.build.RotaPlan`.
        service: the service.
        frames: datasets with ``activity``, ``sites`` and ``site_travel_times``.
        as_at: the "as at" date.

    Returns:
        The plan, with new slot covers when the rule is derived.
    """
    spec: WorkloadSpec | None = service.workload
    if spec is None or spec.cover_rule == "fixed":
        return plan
    table = slot_workload(service, plan.slots, plan.trusts, frames, as_at).filter(
        pl.col("tier") == "resident"
    )
    covers = {
        site: spec.max_cover if any(d is None for d in derived) else max(derived)
        for site, derived in table.group_by("site", maintain_order=True)
        .agg(pl.col("derived_cover"))
        .iter_rows()
    }
    slots = tuple((site, covers.get(site, cover)) for site, cover in plan.slots)
    return replace(plan, slots=slots)


def rota_workload(instance: Any, frames: Mapping[str, pl.DataFrame]) -> pl.DataFrame:
    """:func:`slot_workload` of a built rota (its slots' covers as used), with its names.

    Args:
        instance: a :class:`lsc_workforce.ooh.build.OohInstance`.
        frames: datasets with ``activity``, ``sites`` and ``site_travel_times``.
    """
    slots = tuple({slot.site: slot.cover for slot in instance.slots.values()}.items())
    return slot_workload(
        instance.service, slots, instance.trusts, frames, instance.problem.start
    ).with_columns(
        scenario=pl.lit(instance.scenario_id, dtype=pl.String),
        rota=pl.lit(instance.rota, dtype=pl.String),
    )


def workload_table(
    cfg: OohConfig,
    frames: Mapping[str, pl.DataFrame],
    as_at: dt.date,
    services: Iterable[str] | None = None,
    scenarios: Iterable[str] | None = None,
) -> pl.DataFrame:
    """The workload each slot faces, for every service and scenario, without solving a rota.

    The rotas and slots are those the OOH model builds (``ooh.build.plan_rotas`` and
    ``split_plan``), with derived covers applied.

    Returns:
        :data:`WORKLOAD_SCHEMA`, one row per scenario, rota, slot, tier and shift pattern.
    """
    from lsc_workforce.ooh.build import (  # noqa: PLC0415 - build imports this module
        eligible_staff,
        plan_rotas,
        split_plan,
    )

    travel = travel_map(frames["site_travel_times"])
    parts = [pl.DataFrame(schema=WORKLOAD_SCHEMA)]
    for sid in services or cfg.services:
        service = cfg.service(sid)
        if service.workload is None:
            continue
        staff = eligible_staff(service, frames)
        for scid in scenarios or cfg.scenarios:
            scenario = cfg.scenario(scid)
            if not scenario.applies_to(sid):
                continue
            runs = scenario.service_for(service)
            for plan in plan_rotas(runs, scenario, frames["sites"], travel):
                for split in split_plan(plan, runs, staff, travel):
                    part = derive_cover(split, runs, frames, as_at)
                    parts.append(
                        slot_workload(runs, part.slots, part.trusts, frames, as_at).with_columns(
                            scenario=pl.lit(scid, dtype=pl.String),
                            rota=pl.lit(part.name, dtype=pl.String),
                        )
                    )
    return pl.concat(parts, how="vertical")


def teleradiology_options(cfg: OohConfig, activity: pl.DataFrame, as_at: dt.date) -> pl.DataFrame:
    """The teleradiology lever: on-call work and cost at each configured share sent out.

    For each service with a ``teleradiology`` entry, over all its sites: for each option
    (``observed`` or a share), the cases sent out and their cost, the in-house hours of work a
    day left to the on-call tier and its work PAs a week and their pay (as
    ``ooh.pay.oncall_work``: after the registrar share, before the rota splits them).

    Returns:
        ``service, option, outsourced_share, ooh_cases, outsourced_cases, in_house_hours_per_day,
        work_pa_week, work_pa_gbp, teleradiology_gbp, work_and_teleradiology_gbp, status``.
    """
    costs = cfg.costs
    rows = []
    for service in cfg.services.values():
        spec: WorkloadSpec | None = service.workload
        tele = None if spec is None else spec.teleradiology
        if tele is None:
            continue
        registrar = spec.first_tier_share
        for share in tele.options:
            cases = ooh_cases(
                activity,
                as_at,
                spec.minutes,
                sites=service.sites,
                reporting=spec.reporting,
                outsourced_share=share,
            )
            total = float(cases.get_column("examinations").sum() or 0.0)
            sent = float(cases.get_column("outsourced").sum() or 0.0)
            hours = (
                float((cases["in_house"] * cases["minutes"]).sum() or 0.0) / 60 * (1 - registrar)
            )
            pa_week = costs.work_pa_week(hours)
            pa_gbp = pa_week * costs.pa_gbp_year
            tele_gbp = sent * tele.cost_per_report
            rows.append(
                {
                    "service": service.id,
                    "option": "observed" if share is None else f"{share:.0%}",
                    "outsourced_share": sent / total if total else 0.0,
                    "ooh_cases": total,
                    "outsourced_cases": sent,
                    "in_house_hours_per_day": hours / 365,
                    "work_pa_week": pa_week,
                    "work_pa_gbp": pa_gbp,
                    "teleradiology_gbp": tele_gbp,
                    "work_and_teleradiology_gbp": pa_gbp + tele_gbp,
                    "status": tele.status,
                }
            )
    schema = {
        "service": pl.String,
        "option": pl.String,
        "outsourced_share": pl.Float64,
        "ooh_cases": pl.Float64,
        "outsourced_cases": pl.Float64,
        "in_house_hours_per_day": pl.Float64,
        "work_pa_week": pl.Float64,
        "work_pa_gbp": pl.Float64,
        "teleradiology_gbp": pl.Float64,
        "work_and_teleradiology_gbp": pl.Float64,
        "status": pl.String,
    }
    return pl.DataFrame(rows, schema=schema)


def workload_view(table: pl.DataFrame) -> pl.DataFrame:
    """The workload table with the columns a reader judges a slot by, rounded.

    Args:
        table: :data:`WORKLOAD_SCHEMA` rows (``OohAnalysis.workload()`` or
            :func:`workload_table`).

    Returns:
        ``service, scenario, rota, site, tier, shift, cases_per_shift, work_hours_per_shift,
        arrivals_per_hour, cover, derived_cover, wait_over_target_probability,
        overlap_probability, night_work_hours_per_person, flag``.
    """
    return table.select(
        "service",
        "scenario",
        "rota",
        "site",
        "tier",
        "shift",
        pl.col("cases_per_shift").round(1),
        pl.col("work_hours_per_shift").round(1),
        pl.col("arrivals_per_hour").round(2),
        "cover",
        "derived_cover",
        pl.col("wait_over_target_probability").round(3),
        pl.col("overlap_probability").round(3),
        pl.col("night_work_hours_per_person").round(1),
        "flag",
    )
