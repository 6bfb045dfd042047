"""OOH configuration: services, rule presets, scenarios and cost parameters, read from YAML.

Four files under ``config/ooh/`` describe the out-of-hours analysis (all data, no code):

* ``ooh_services.yaml``: each :class:`Service` with its :class:`ShiftPattern` list;
* ``rota_rules.yaml``: named :class:`RulePreset` objects, each :class:`Rule` with its value,
  source (a citation of ``docs/sources.md``) and status;
* ``scenarios.yaml``: trust-by-trust, network and hub-and-spoke :class:`Scenario` objects;
* ``costs.yaml``: :class:`CostParameters` (price year, consultant salary point, Schedule 16
  percentages, on-call work (:class:`OnCallWork`, its minutes per case resolved from
  ``config/demand/``), Agenda for Change hourly rates and unsocial-hours enhancements
  (:class:`UnsocialHours`), Annex 29 on-call payment, cost of an uncovered shift).

``workload.yaml`` (how each service's workload is measured and its cover derived) is read by
:mod:`lsc_workforce.ooh.workload` and attached to the services.

:func:`load_ooh_config` reads and checks all four; :func:`config_tables` flattens them into
tidy frames that are validated against the Great Expectations suites
``data_contracts/ooh_<table>.json`` through :func:`lsc_workforce.contracts.validate_frame`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import polars as pl

from lsc_workforce.config import CONFIG_DIR, ConfigError, load_yaml

__all__ = [
    "DAY_KINDS",
    "REPORTED_RULES",
    "RULE_NAMES",
    "WEEKEND_BLOCKS",
    "SCENARIO_KINDS",
    "CostParameters",
    "OnCallWork",
    "OohConfig",
    "Pathway",
    "Rule",
    "RulePreset",
    "RotaSpec",
    "Scenario",
    "Service",
    "ShiftPattern",
    "UnsocialHours",
    "config_tables",
    "effort_minutes",
    "load_ooh_config",
    "rule_value_problems",
    "validate_ooh_config",
]

#: Which dates a shift pattern runs on (bank holidays in England count as weekend days).
DAY_KINDS = ("weekday", "weekend", "all")

#: Rule vocabulary of ``rota_rules.yaml`` (see that file for the meaning of each).
RULE_NAMES = (
    "oncall_one_in",
    "min_rest_hours",
    "max_hours_in_7_days",
    "average_week_hours",
    "max_consecutive_nights",
    "rest_hours_after_nights",
    "weekend_one_in",
    "max_consecutive_shifts",
    "oncall_tolerance_days",
    "max_oncall_episodes",
    "min_consecutive_nights",
    "night_team_size",
    "disturbed_night_probability",
    "compensatory_rest_hours",
)

#: Rules that are reported figures, not roster constraints (no breach can occur).
REPORTED_RULES = ("disturbed_night_probability", "compensatory_rest_hours")

#: How a service's weekend is held: ``none`` (day by day), ``sat_sun`` (one person holds the
#: weekend, with its bank holidays) or ``fri_mon`` (also the weeknight before and after it).
WEEKEND_BLOCKS = ("none", "sat_sun", "fri_mon")

SCENARIO_KINDS = ("trust_by_trust", "network", "hub_and_spoke")
#: Where a service's patient is treated: ``slot`` (brought to a slot site of the rota, so a
#: site without a slot is served by transfer within the pathway limit) or ``site`` (at the site
#: they arrived at: remote reporting, or a slot at every site).
TREATED_AT = ("slot", "site")
CATEGORIES = ("A", "B", "resident")
#: ``consultant``: Schedule 16 supplement plus on-call work PAs; ``afc_resident``: hours worked
#: plus the unsocial-hours enhancement; ``afc_on_call``: Annex 29 local payment per shift;
#: ``none``: not costed here (e.g. resident doctors, whose rostered hours are their basic pay).
PAY_BASES = ("consultant", "afc_resident", "afc_on_call", "none")
#: How the rota's frequency is counted for Schedule 16 (see ``ooh.pay.rota_frequency``).
FREQUENCY_BASES = ("rota_people", "available_people")

#: Smallest sensible value of each rule, and whether it must be whole: a 1-in-0 rota or a
#: 0-hour week cannot be planned (and would divide by zero).
RULE_LIMITS: dict[str, tuple[float, bool, str]] = {
    "oncall_one_in": (1, True, "a whole number of at least 1 (1-in-N)"),
    "weekend_one_in": (1, True, "a whole number of at least 1 (1-in-N)"),
    "max_consecutive_nights": (1, True, "a whole number of at least 1"),
    "max_consecutive_shifts": (1, True, "a whole number of at least 1"),
    "min_rest_hours": (0, False, "at least 0 hours"),
    "rest_hours_after_nights": (0, False, "at least 0 hours"),
    "max_hours_in_7_days": (1, False, "at least 1 hour"),
    "average_week_hours": (1, False, "at least 1 hour"),
    "oncall_tolerance_days": (0, True, "a whole number of days, at least 0"),
    "max_oncall_episodes": (1, True, "a whole number of at least 1"),
    "min_consecutive_nights": (1, True, "a whole number of at least 1"),
    "night_team_size": (1, True, "a whole number of at least 1 (people per slot)"),
    "disturbed_night_probability": (0, False, "a probability from 0 to 1"),
    "compensatory_rest_hours": (0, False, "at least 0 hours"),
}

#: Upper limits of rule values (a probability is at most 1).
RULE_MAXIMA: dict[str, float] = {"disturbed_night_probability": 1.0}

#: ``(minimum rule, maximum rule)`` pairs that must satisfy minimum <= maximum.
RULE_RANGES = (("min_consecutive_nights", "max_consecutive_nights"),)


@dataclass(frozen=True)
class ShiftPattern:
    """One shift of a service's pattern.

    Attributes:
        id: pattern id, e.g. ``weeknight`` (unique within the service).
        start: local (Europe/London) start time.
        hours: length in hours.
        days: ``weekday``, ``weekend`` (Saturday, Sunday, England bank holidays) or ``all``.
        night: counts as a night shift for night rules and the night count.
    """

    id: str
    start: dt.time
    hours: float
    days: str
    night: bool = False

    @property
    def length_min(self) -> int:
        """Length in whole minutes."""
        return round(self.hours * 60)


@dataclass(frozen=True)
class Pathway:
    """One emergency pathway of a service and how long its patient may take to reach the slot.

    Attributes:
        id: pathway id (e.g. ``trauma``, ``unstable_gi_bleed``).
        transfer_minutes: longest transfer from the site the patient arrived at to the slot
            site where they are treated (road minutes of ``site_travel_times``).
        source: citation of ``docs/sources.md``.
        status: ``confirmed``, ``secondary``, ``derived`` or ``unconfirmed``.
    """

    id: str
    transfer_minutes: int
    source: str = ""
    status: str = "unconfirmed"


@dataclass(frozen=True)
class Service:
    """One out-of-hours service.

    Attributes:
        id: service id (snake_case).
        name: plain-English name.
        staff_groups: staff groups who may hold it (``staff_in_post.staff_group``).
        grades: grades who may hold it.
        competencies: a person must hold all of these.
        sites: sites the service serves (ODS site codes).
        cover_unit: ``trust`` (one slot per trust at its first served site) or ``site`` (one
            slot per served site).
        cover: people wanted per slot and shift.
        category: Schedule 16 on-call category ``A``, ``B`` or ``resident``
            ([src:schedule16-structure]).
        response_minutes: response-time limit from base site to the slot's site.
        remote_reporting: remote reporting allowed (response time then does not apply).
        preset: default rule preset name.
        pay_basis: one of :data:`PAY_BASES`.
        shifts: the shift pattern.
        weekend_block: how a weekend is held, one of :data:`WEEKEND_BLOCKS` (OOH constraint
            C-O7; a bank holiday joins its weekend).
        week_block: one person holds each Monday-to-Sunday week (C-O7).
        treated_at: one of :data:`TREATED_AT`.
        facility: the ``sites`` column (e.g. ``has_ir_suite``) a site needs to hold a slot;
            ``None``: any served site may.
        pathways: the emergency pathways and their transfer limits.
        binding_pathway: the pathway whose limit decides transfers (``None``: the tightest).
        workload: how the service's workload is measured and whether its cover is derived
            from it (:class:`lsc_workforce.ooh.workload.WorkloadSpec`, from
            ``config/ooh/workload.yaml``; ``None``: fixed ``cover`` and no workload rules).
        scenario_only: run only by the scenarios that name it in ``services`` (an option such
            as a split or shared rota); scenarios without a ``services`` list leave it out.
    """

    id: str
    name: str
    staff_groups: tuple[str, ...]
    grades: tuple[str, ...]
    competencies: tuple[str, ...]
    sites: tuple[str, ...]
    cover_unit: str
    cover: int
    category: str
    response_minutes: int
    remote_reporting: bool
    preset: str
    pay_basis: str
    shifts: tuple[ShiftPattern, ...]
    weekend_block: str = "none"
    week_block: bool = False
    treated_at: str = "slot"
    facility: str | None = None
    pathways: tuple[Pathway, ...] = ()
    binding_pathway: str | None = None
    workload: Any = None
    scenario_only: bool = False

    @property
    def transfer_limit(self) -> Pathway | None:
        """The pathway whose limit decides whether a site is served by transfer.

        The ``binding_pathway`` when set, else the tightest; ``None`` without pathways (no
        limit: every site may be served by transfer) or when patients are treated where they
        arrive (``treated_at: site``).
        """
        if self.treated_at == "site" or not self.pathways:
            return None
        if self.binding_pathway is not None:
            for pathway in self.pathways:
                if pathway.id == self.binding_pathway:
                    return pathway
        return min(self.pathways, key=lambda p: (p.transfer_minutes, p.id))

    @property
    def non_resident(self) -> bool:
        """On call from home (category A or B), not a worked resident shift."""
        return self.category != "resident"

    def pattern(self, pattern_id: str) -> ShiftPattern:
        """Return the shift pattern with id ``pattern_id``.

        Raises:
            ConfigError: if the service has no such pattern.
        """
        for shift in self.shifts:
            if shift.id == pattern_id:
                return shift
        raise ConfigError(
            f"service {self.id} has no shift {pattern_id!r}; "
            f"its shifts are {[s.id for s in self.shifts]}"
        )


@dataclass(frozen=True)
class Rule:
    """One rule of a preset.

    Attributes:
        name: rule name from :data:`RULE_NAMES`.
        value: the limit (hours, days, N of 1-in-N).
        source: where it comes from (a ``[src:<id>]`` citation of ``docs/sources.md``).
        status: ``confirmed``, ``secondary``, ``derived`` or ``unconfirmed``.
        soft_penalty: ``None`` for a hard rule, else the price of one breach unit (GBP).
        reference_weeks: averaging period for ``average_week_hours``.
        window_days: rolling window of ``max_oncall_episodes``.
    """

    name: str
    value: float
    source: str
    status: str
    soft_penalty: float | None = None
    reference_weeks: int | None = None
    window_days: int | None = None


@dataclass(frozen=True)
class RulePreset:
    """A named set of rules (e.g. ``consultant_on_call``).

    Attributes:
        name: preset name.
        description: plain-English description.
        rules: rules by name.
    """

    name: str
    description: str
    rules: Mapping[str, Rule]

    def value(self, rule: str) -> float | None:
        """Return a rule's value, or ``None`` when the preset does not have the rule."""
        found = self.rules.get(rule)
        return None if found is None else found.value

    def with_overrides(
        self, one_in: int | None = None, soft: Mapping[str, float] | None = None
    ) -> RulePreset:
        """Return a copy with a different 1-in-N limit and/or some rules made soft.

        Args:
            one_in: replaces the ``oncall_one_in`` value (the rule is added if missing).
            soft: ``{rule name: penalty per breach}`` to make rules soft.

        Raises:
            ConfigError: if ``soft`` names a rule the preset does not have.
        """
        rules = dict(self.rules)
        if one_in is not None:
            old = rules.get("oncall_one_in")
            rules["oncall_one_in"] = Rule(
                "oncall_one_in",
                float(one_in),
                source=f"scenario setting (preset value {old.value if old else 'none'})",
                status="unconfirmed" if old is None else old.status,
                soft_penalty=None if old is None else old.soft_penalty,
            )
        for name, penalty in (soft or {}).items():
            if name not in rules:
                raise ConfigError(f"preset {self.name} has no rule {name!r} to make soft")
            old = rules[name]
            rules[name] = Rule(
                old.name,
                old.value,
                old.source,
                old.status,
                float(penalty),
                old.reference_weeks,
                old.window_days,
            )
        return RulePreset(self.name, self.description, rules)


@dataclass(frozen=True)
class RotaSpec:
    """One rota of a hub-and-spoke scenario.

    Attributes:
        name: rota name.
        hub: site where the on-call slot is located (response time measured to it).
        trusts: trusts whose staff join this rota.
        cover: people per shift (``None``: the service's cover).
    """

    name: str
    hub: str
    trusts: tuple[str, ...]
    cover: int | None = None


@dataclass(frozen=True)
class Scenario:
    """One way of organising the rotas.

    Attributes:
        id: scenario id.
        kind: ``trust_by_trust``, ``network`` or ``hub_and_spoke``.
        description: plain-English description.
        services: services it applies to (:func:`load_ooh_config` fills an empty list with
            every service that is not ``scenario_only``; empty here: all).
        hubs: network only: ``{service: (hub site, cover or None)}``.
        rotas: hub-and-spoke only: the rotas.
        one_in: 1-in-N limit replacing the preset's ``oncall_one_in`` (``None``: keep it).
        teleradiology_share: share of the reporting modalities' out-of-hours cases sent to
            teleradiology, replacing the share of ``workload.yaml`` (``None``: keep it), for
            every service whose workload has reporting modalities (:meth:`service_for`).
    """

    id: str
    kind: str
    description: str = ""
    services: tuple[str, ...] = ()
    hubs: Mapping[str, tuple[str, int | None]] = field(default_factory=dict)
    rotas: tuple[RotaSpec, ...] = ()
    one_in: int | None = None
    teleradiology_share: float | None = None

    def applies_to(self, service_id: str) -> bool:
        """Whether this scenario is run for ``service_id``."""
        return not self.services or service_id in self.services

    def service_for(self, service: Service) -> Service:
        """``service`` as this scenario runs it (its teleradiology share applied).

        The share replaces the service's only if the scenario sets one and the service's
        workload has reporting modalities; otherwise the service is returned as it is.
        """
        workload = service.workload
        share = self.teleradiology_share
        if share is None or workload is None or not workload.reporting:
            return service
        tele = workload.teleradiology
        return replace(
            service,
            workload=replace(
                workload,
                outsourced_share=share,
                teleradiology=None if tele is None else replace(tele, share=share),
            ),
        )


@dataclass(frozen=True)
class OnCallWork:
    """The out-of-hours work a consultant on-call tier does itself (paid as on-call work PAs).

    Attributes:
        service_id: the service.
        minutes: ``{modality: minutes per case}`` (from ``config/demand/activity_effort.csv``).
        reporting: modalities whose outsourced reports are not the tier's work.
        registrar_share: share of the cases a registrar tier does (0-1).
        predictable_share: share of the work that is predictable (0-1); the rest is
            unpredictable. Both are paid alike.
        status: status of the estimate.
        source: where the method and shares come from.
    """

    service_id: str
    minutes: Mapping[str, float]
    reporting: frozenset[str] = frozenset()
    registrar_share: float = 0.0
    predictable_share: float = 0.0
    status: str = "unconfirmed"
    source: str = ""


@dataclass(frozen=True)
class UnsocialHours:
    """Agenda for Change unsocial-hours enhancement (Section 2, England).

    Attributes:
        night_start: weekday unsocial time starts (local time) ...
        night_end: ... and ends the next morning.
        percent: ``{grade: (night and Saturday %, Sunday and bank holiday %)}`` of basic pay.
        status: status of the rates.
        source: citation.
    """

    night_start: dt.time
    night_end: dt.time
    percent: Mapping[str, tuple[float, float]]
    status: str = "unconfirmed"
    source: str = ""


@dataclass(frozen=True)
class CostParameters:
    """Pay and cost parameters (price year stated).

    Attributes:
        price_year: e.g. ``"2025/26"``.
        consultant_salary: full-time basic salary used for every consultant (GBP/year).
        salary_note: pay point, source and status of the salary.
        supplement_percent: ``{(category, band): percent}`` (Schedule 16).
        supplement_status: ``{(category, band): status}``.
        afc_payment_per_shift: Annex 29 local on-call payment per shift held (GBP).
        uncovered_shift_cost: cost of one uncovered shift bought in (GBP).
        frequency_basis: one of :data:`FREQUENCY_BASES`.
        oncall_work: ``{service id: OnCallWork}`` of consultant services.
        premium_pa_hours: hours of a PA in premium time (3).
        pas_per_week: PAs a week of a full-time job plan (10): a PA a week is paid
            ``consultant_salary / pas_per_week`` a year.
        working_weeks: weeks a year a consultant works a job-planned PA (42).
        pa_hours: hours of a PA in standard (daytime) time (4).
        afc_hourly_rate: ``{grade: GBP per hour}`` of basic pay (Agenda for Change).
        afc_rate_note: pay point, source and status of the hourly rates.
        unsocial: the unsocial-hours enhancement (``None``: no resident AfC pay configured).
    """

    price_year: str
    consultant_salary: float
    salary_note: str
    supplement_percent: Mapping[tuple[str, str], float]
    supplement_status: Mapping[tuple[str, str], str]
    afc_payment_per_shift: float
    uncovered_shift_cost: float
    frequency_basis: str = "rota_people"
    oncall_work: Mapping[str, OnCallWork] = field(default_factory=dict)
    premium_pa_hours: float = 3.0
    pas_per_week: float = 10.0
    working_weeks: float = 42.0
    pa_hours: float = 4.0
    afc_hourly_rate: Mapping[str, float] = field(default_factory=dict)
    afc_rate_note: str = ""
    unsocial: UnsocialHours | None = None

    def work_pa_week(self, hours_year: float) -> float:
        """On-call work PAs a week for ``hours_year`` hours of work a year.

        Premium-time PAs (``premium_pa_hours``) over ``working_weeks`` weeks.
        """
        return hours_year / self.premium_pa_hours / self.working_weeks

    @property
    def pa_gbp_year(self) -> float:
        """What one PA a week costs a year: ``consultant_salary / pas_per_week``."""
        return self.consultant_salary / self.pas_per_week


@dataclass(frozen=True)
class OohConfig:
    """Everything in ``config/ooh/``.

    Attributes:
        services: services by id, in file order.
        presets: rule presets by name.
        scenarios: scenarios by id, in file order.
        costs: cost parameters.
    """

    services: Mapping[str, Service]
    presets: Mapping[str, RulePreset]
    scenarios: Mapping[str, Scenario]
    costs: CostParameters

    def service(self, service_id: str) -> Service:
        """Return a service by id, naming the known ids if it is missing."""
        if service_id not in self.services:
            raise ConfigError(f"unknown service {service_id!r}; known: {sorted(self.services)}")
        return self.services[service_id]

    def preset(self, name: str) -> RulePreset:
        """Return a preset by name, naming the known presets if it is missing."""
        if name not in self.presets:
            raise ConfigError(f"unknown rule preset {name!r}; known: {sorted(self.presets)}")
        return self.presets[name]

    def scenario(self, scenario_id: str) -> Scenario:
        """Return a scenario by id, naming the known ids if it is missing."""
        if scenario_id not in self.scenarios:
            raise ConfigError(f"unknown scenario {scenario_id!r}; known: {sorted(self.scenarios)}")
        return self.scenarios[scenario_id]


# ----- parsing -----


def travel_map(travel: pl.DataFrame) -> dict[tuple[str, str], int]:
    """``{(from_site, to_site): minutes}`` of the ``site_travel_times`` dataset."""
    return {(a, b): int(m) for a, b, m in travel.select("from_site", "to_site", "minutes").rows()}


def _need(entry: Mapping[str, Any], key: str, where: str) -> Any:
    if not isinstance(entry, Mapping):
        raise ConfigError(f"{where}: expected a mapping with {key!r}, got {entry!r}")
    if key not in entry or entry[key] is None:
        raise ConfigError(f"{where}: missing {key!r}")
    return entry[key]


def _number(value: Any, where: str, key: str, whole: bool = False) -> Any:
    """A finite number from YAML (``int`` if ``whole``), naming the key and value otherwise."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{where}: {key}: {value!r} is not a number")
    if not math.isfinite(value):
        raise ConfigError(f"{where}: {key}: {value!r} is not a finite number")
    if whole:
        if value != int(value):
            raise ConfigError(f"{where}: {key}: {value!r} is not a whole number")
        return int(value)
    return float(value)


def _time(value: Any, where: str) -> dt.time:
    try:
        return dt.time.fromisoformat(str(value))
    except ValueError as exc:
        raise ConfigError(f"{where}: start {value!r} is not HH:MM") from exc


def _tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


def _parse_service(entry: Mapping[str, Any]) -> Service:
    sid = str(_need(entry, "id", "service"))
    where = f"ooh_services.yaml service {sid}"
    shifts = tuple(
        ShiftPattern(
            id=str(_need(s, "id", where)),
            start=_time(_need(s, "start", where), where),
            hours=_number(_need(s, "hours", where), where, "hours"),
            days=str(_need(s, "days", where)),
            night=bool(s.get("night", False)),
        )
        for s in _need(entry, "shifts", where)
    )
    return Service(
        id=sid,
        name=str(entry.get("name", sid)),
        staff_groups=_tuple(_need(entry, "staff_groups", where)),
        grades=_tuple(_need(entry, "grades", where)),
        competencies=_tuple(entry.get("competencies")),
        sites=_tuple(_need(entry, "sites", where)),
        cover_unit=str(entry.get("cover_unit", "trust")),
        cover=_number(entry.get("cover", 1), where, "cover", whole=True),
        category=str(_need(entry, "category", where)),
        response_minutes=_number(
            _need(entry, "response_minutes", where), where, "response_minutes", whole=True
        ),
        remote_reporting=bool(entry.get("remote_reporting", False)),
        preset=str(_need(entry, "preset", where)),
        pay_basis=str(_need(entry, "pay_basis", where)),
        shifts=shifts,
        weekend_block=str(entry.get("weekend_block", "none")),
        week_block=bool(entry.get("week_block", False)),
        scenario_only=bool(entry.get("scenario_only", False)),
        **_parse_transfer(entry, where),
    )


def _parse_transfer(entry: Mapping[str, Any], where: str) -> dict[str, Any]:
    """``treated_at``, ``facility`` and the ``transfer`` block of a service.

    ``treated_at`` defaults to ``site`` for remote reporting or per-site cover, else ``slot``.
    """
    default = (
        "site" if entry.get("remote_reporting") or entry.get("cover_unit") == "site" else "slot"
    )
    transfer = entry.get("transfer") or {}
    if not isinstance(transfer, Mapping):
        raise ConfigError(f"{where}: transfer: expected a mapping, got {transfer!r}")
    pathways = tuple(
        Pathway(
            id=str(_need(p, "id", f"{where} transfer")),
            transfer_minutes=_number(
                _need(p, "transfer_minutes", f"{where} transfer"),
                f"{where} transfer pathway {p.get('id')}",
                "transfer_minutes",
                whole=True,
            ),
            source=str(_need(p, "source", f"{where} transfer pathway {p.get('id')}")).strip(),
            status=str(_need(p, "status", f"{where} transfer pathway {p.get('id')}")),
        )
        for p in transfer.get("pathways") or ()
    )
    binding = transfer.get("binding", "tightest")
    facility = entry.get("facility")
    return {
        "treated_at": str(entry.get("treated_at", default)),
        "facility": None if facility is None else str(facility),
        "pathways": pathways,
        "binding_pathway": None if binding in (None, "tightest") else str(binding),
    }


def _parse_preset(name: str, entry: Mapping[str, Any]) -> RulePreset:
    where = f"rota_rules.yaml preset {name}"
    rules = {}
    for rule_name, spec in (_need(entry, "rules", where) or {}).items():
        rwhere = f"{where} rule {rule_name}"
        penalty = spec.get("soft_penalty")
        weeks = spec.get("reference_weeks")
        window = spec.get("window_days")
        rules[str(rule_name)] = Rule(
            name=str(rule_name),
            value=_number(_need(spec, "value", rwhere), rwhere, "value"),
            source=str(_need(spec, "source", rwhere)).strip(),
            status=str(_need(spec, "status", rwhere)),
            soft_penalty=None if penalty is None else _number(penalty, rwhere, "soft_penalty"),
            reference_weeks=None
            if weeks is None
            else _number(weeks, rwhere, "reference_weeks", whole=True),
            window_days=None
            if window is None
            else _number(window, rwhere, "window_days", whole=True),
        )
    return RulePreset(name, str(entry.get("description", "")).strip(), rules)


def _parse_scenario(entry: Mapping[str, Any]) -> Scenario:
    sid = str(_need(entry, "id", "scenario"))
    where = f"scenarios.yaml scenario {sid}"
    hubs = {
        str(service): (
            str(_need(spec, "site", f"{where} hub {service}")),
            None
            if spec.get("cover") is None
            else _number(spec["cover"], f"{where} hub {service}", "cover", whole=True),
        )
        for service, spec in (entry.get("hubs") or {}).items()
    }
    rotas = tuple(
        RotaSpec(
            name=str(_need(r, "name", where)),
            hub=str(_need(r, "hub", where)),
            trusts=_tuple(_need(r, "trusts", where)),
            cover=None
            if r.get("cover") is None
            else _number(r["cover"], where, "cover", whole=True),
        )
        for r in entry.get("rotas") or ()
    )
    one_in = entry.get("one_in")
    tele = entry.get("teleradiology_share")
    return Scenario(
        id=sid,
        kind=str(_need(entry, "kind", where)),
        description=str(entry.get("description", "")),
        services=_tuple(entry.get("services")),
        hubs=hubs,
        rotas=rotas,
        one_in=None if one_in is None else _number(one_in, where, "one_in", whole=True),
        teleradiology_share=None if tele is None else _share(tele, where, "teleradiology_share"),
    )


def _share(value: Any, where: str, key: str) -> float:
    share = _number(value, where, key)
    if not 0 <= share <= 1:
        raise ConfigError(f"{where}: {key}: {share:g} must be a share between 0 and 1")
    return share


def _parse_oncall_work(rows: Any) -> dict[str, OnCallWork]:
    """``oncall_work`` rows; the minutes per case are filled in by :func:`_resolve_work`."""
    work = {}
    for k, row in enumerate(rows or ()):
        where = f"costs.yaml oncall_work[{k}]"
        sid = str(_need(row, "service", where))
        where = f"costs.yaml oncall_work service {sid}"
        if sid in work:
            raise ConfigError(f"{where}: listed twice")
        work[sid] = OnCallWork(
            service_id=sid,
            minutes=dict.fromkeys(_tuple(_need(row, "modalities", where)), 0.0),
            registrar_share=_share(row.get("registrar_share", 0.0), where, "registrar_share"),
            predictable_share=_share(row.get("predictable_share", 0.0), where, "predictable_share"),
            status=str(row.get("status", "unconfirmed")),
            source=str(row.get("source", "")),
        )
    return work


def _parse_unsocial(entry: Any) -> UnsocialHours | None:
    if entry is None:
        return None
    where = "costs.yaml unsocial_hours"
    percent: dict[str, tuple[float, float]] = {}
    for row in _need(entry, "enhancements", where):
        low = _number(_need(row, "night_saturday", where), where, "night_saturday")
        high = _number(_need(row, "sunday_holiday", where), where, "sunday_holiday")
        if low < 0 or high < 0:
            raise ConfigError(f"{where}: enhancements must be at least 0 %, not {row}")
        for band in _tuple(_need(row, "bands", where)):
            if band in percent:
                raise ConfigError(f"{where}: band {band} listed twice")
            percent[band] = (low, high)
    return UnsocialHours(
        night_start=_time(_need(entry, "night_start", where), where),
        night_end=_time(_need(entry, "night_end", where), where),
        percent=percent,
        status=str(entry.get("status", "unconfirmed")),
        source=str(entry.get("source", "")),
    )


def _parse_hourly_rates(entry: Any) -> tuple[dict[str, float], str]:
    if entry is None:
        return {}, ""
    where = "costs.yaml afc_hourly_rate"
    rates = {}
    for grade, value in (_need(entry, "values", where) or {}).items():
        rate = _number(value, where, f"values.{grade}")
        if rate <= 0:
            raise ConfigError(f"{where}: values.{grade}: {rate:g} must be above 0")
        rates[str(grade)] = rate
    note = f"{entry.get('point', '')}; {entry.get('source', '')} ({entry.get('status', '')})"
    return rates, note


def effort_minutes(config_dir: Path) -> dict[str, tuple[float, bool]]:
    """Minutes per case of every modality of ``config_dir/demand/activity_effort.csv``.

    A ``points`` effort is converted at one list of ``points_per_list`` points per
    ``hours_per_pa``-hour session (``job_plan.yaml``).

    Returns:
        ``{modality: (minutes per case, whether its task is reporting)}``.
    """
    from lsc_workforce.demand.capacity import EFFORT_COLUMNS, REPORTING_TASKS  # noqa: PLC0415
    from lsc_workforce.demand.parameters import (  # noqa: PLC0415
        load_parameter_table,
        load_scalars,
    )

    folder = Path(config_dir) / "demand"
    scalars = {k: v.value for k, v in load_scalars(folder / "job_plan.yaml").items()}
    effort = load_parameter_table(folder / "activity_effort.csv", EFFORT_COLUMNS)
    list_minutes = scalars["hours_per_pa"] * 60 / scalars["points_per_list"]
    return {
        r["modality"]: (
            r["effort_per_exam"] * (1.0 if r["unit"] == "minutes" else list_minutes),
            r["task"] in REPORTING_TASKS,
        )
        for r in effort.iter_rows(named=True)
    }


def _resolve_work(costs: CostParameters, config_dir: Path) -> CostParameters:
    """Fill in minutes per case (:func:`effort_minutes`) and the PA scalars from ``demand/``.

    The premium-time PA length, PAs a week and working weeks come from ``job_plan.yaml``.

    Raises:
        ConfigError: if a modality of ``oncall_work`` has no effort row.
    """
    from lsc_workforce.demand.parameters import load_scalars  # noqa: PLC0415

    folder = Path(config_dir) / "demand"
    scalars = {k: v.value for k, v in load_scalars(folder / "job_plan.yaml").items()}
    rows = effort_minutes(config_dir)
    work = {}
    for sid, spec in costs.oncall_work.items():
        unknown = sorted(set(spec.minutes) - set(rows))
        if unknown:
            raise ConfigError(
                f"costs.yaml oncall_work service {sid}: modalities {unknown} have no row in "
                f"demand/activity_effort.csv (known: {sorted(rows)})"
            )
        minutes = {m: rows[m][0] for m in spec.minutes}
        reporting = frozenset(m for m in spec.minutes if rows[m][1])
        work[sid] = replace(spec, minutes=minutes, reporting=reporting)
    return replace(
        costs,
        oncall_work=work,
        premium_pa_hours=scalars["hours_per_pa_premium"],
        pas_per_week=scalars["pas_per_week"],
        working_weeks=scalars["medical_working_weeks"],
        pa_hours=scalars["hours_per_pa"],
    )


def _parse_costs(entry: Mapping[str, Any]) -> CostParameters:
    where = "costs.yaml"
    salary = _need(entry, "consultant_salary", where)
    percent, status = {}, {}
    for row in _need(entry, "availability_supplement", where):
        key = (str(_need(row, "category", where)), str(_need(row, "band", where)))
        percent[key] = _number(_need(row, "percent", where), where, "percent")
        status[key] = str(row.get("status", "unconfirmed"))
    rates, rate_note = _parse_hourly_rates(entry.get("afc_hourly_rate"))
    basis = str((entry.get("supplement_frequency") or {}).get("basis", "rota_people"))
    if basis not in FREQUENCY_BASES:
        raise ConfigError(
            f"{where}: supplement_frequency.basis: {basis!r} must be one of {FREQUENCY_BASES}"
        )
    return CostParameters(
        price_year=str(_need(entry, "price_year", where)),
        consultant_salary=_number(_need(salary, "value", where), where, "consultant_salary.value"),
        salary_note=f"{salary.get('point', '')}; {salary.get('source', '')} "
        f"({salary.get('status', 'unconfirmed')})",
        supplement_percent=percent,
        supplement_status=status,
        afc_payment_per_shift=_number(
            _need(_need(entry, "afc_on_call_payment_per_shift", where), "value", where),
            where,
            "afc_on_call_payment_per_shift.value",
        ),
        uncovered_shift_cost=_number(
            _need(_need(entry, "uncovered_shift_cost", where), "value", where),
            where,
            "uncovered_shift_cost.value",
        ),
        frequency_basis=basis,
        oncall_work=_parse_oncall_work(entry.get("oncall_work")),
        afc_hourly_rate=rates,
        afc_rate_note=rate_note,
        unsocial=_parse_unsocial(entry.get("unsocial_hours")),
    )


def load_ooh_config(config_dir: Path = CONFIG_DIR, validate: bool = True) -> OohConfig:
    """Read ``config_dir/ooh/*.yaml`` into an :class:`OohConfig`.

    Args:
        config_dir: the model configuration folder (``config/``).
        validate: also check the tables against the ``ooh_*`` data contracts and the
            cross-references (presets, services, hubs) with :func:`validate_ooh_config`.

    Returns:
        The configuration.

    Raises:
        ConfigError: if a file is missing or malformed, or a contract or cross-check fails.
    """
    folder = Path(config_dir) / "ooh"
    services_doc = load_yaml(folder / "ooh_services.yaml") or {}
    rules_doc = load_yaml(folder / "rota_rules.yaml") or {}
    scenarios_doc = load_yaml(folder / "scenarios.yaml") or {}
    costs_doc = load_yaml(folder / "costs.yaml") or {}
    services = [_parse_service(s) for s in services_doc.get("services") or ()]
    # A scenario without a services list runs every service that is not scenario-only.
    default = tuple(s.id for s in services if not s.scenario_only)
    scenarios = [
        sc if sc.services else replace(sc, services=default)
        for sc in (_parse_scenario(s) for s in scenarios_doc.get("scenarios") or ())
    ]
    for what, items in (("service", services), ("scenario", scenarios)):
        ids = [item.id for item in items]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ConfigError(f"duplicate {what} ids {duplicates}")
    cfg = OohConfig(
        services={s.id: s for s in services},
        presets={
            str(name): _parse_preset(str(name), entry)
            for name, entry in (rules_doc.get("presets") or {}).items()
        },
        scenarios={s.id: s for s in scenarios},
        costs=_parse_costs(costs_doc),
    )
    if validate:
        validate_ooh_config(cfg)
    from lsc_workforce.ooh.workload import attach_workload  # noqa: PLC0415 - imports this module

    cfg = attach_workload(cfg, config_dir, validate=validate)
    return replace(cfg, costs=_resolve_work(cfg.costs, config_dir))


def config_tables(cfg: OohConfig) -> dict[str, pl.DataFrame]:
    """Flatten the configuration into tidy tables, one per data contract.

    Returns:
        ``{"ooh_services", "ooh_shifts", "ooh_rota_rules", "ooh_scenarios", "ooh_costs",
        "ooh_transfer"}`` frames (the keys are the suite names in ``data_contracts/``).
    """
    services = pl.DataFrame(
        [
            {
                "service_id": s.id,
                "name": s.name,
                "staff_groups": ";".join(s.staff_groups),
                "grades": ";".join(s.grades),
                "competencies": ";".join(s.competencies),
                "sites": ";".join(s.sites),
                "cover_unit": s.cover_unit,
                "cover": s.cover,
                "category": s.category,
                "response_minutes": s.response_minutes,
                "remote_reporting": s.remote_reporting,
                "preset": s.preset,
                "pay_basis": s.pay_basis,
                "scenario_only": s.scenario_only,
            }
            for s in cfg.services.values()
        ]
    )
    shifts = pl.DataFrame(
        [
            {
                "service_id": s.id,
                "shift": p.id,
                "start": p.start.strftime("%H:%M"),
                "hours": p.hours,
                "days": p.days,
                "night": p.night,
            }
            for s in cfg.services.values()
            for p in s.shifts
        ]
    )
    rules = pl.DataFrame(
        [
            {
                "preset": p.name,
                "rule": r.name,
                "value": r.value,
                "source": r.source,
                "status": r.status,
                "soft_penalty": r.soft_penalty,
            }
            for p in cfg.presets.values()
            for r in p.rules.values()
        ],
        schema={
            "preset": pl.String,
            "rule": pl.String,
            "value": pl.Float64,
            "source": pl.String,
            "status": pl.String,
            "soft_penalty": pl.Float64,
        },
    )
    scenario_rows = []
    for sc in cfg.scenarios.values():
        base = {
            "scenario_id": sc.id,
            "kind": sc.kind,
            "one_in": sc.one_in,
            "teleradiology_share": sc.teleradiology_share,
        }
        if sc.kind == "network":
            for service, (hub, cover) in sc.hubs.items() or {"": ("", None)}.items():
                scenario_rows.append(
                    {
                        **base,
                        "rota": service or None,
                        "hub": hub or None,
                        "trusts": None,
                        "cover": cover,
                    }
                )
        for rota in sc.rotas:
            scenario_rows.append(
                {
                    **base,
                    "rota": rota.name,
                    "hub": rota.hub,
                    "trusts": ";".join(rota.trusts),
                    "cover": rota.cover,
                }
            )
        if not sc.rotas and sc.kind != "network":
            scenario_rows.append({**base, "rota": None, "hub": None, "trusts": None, "cover": None})
    scenarios = pl.DataFrame(
        scenario_rows,
        schema={
            "scenario_id": pl.String,
            "kind": pl.String,
            "one_in": pl.Int64,
            "teleradiology_share": pl.Float64,
            "rota": pl.String,
            "hub": pl.String,
            "trusts": pl.String,
            "cover": pl.Int64,
        },
    )
    costs = pl.DataFrame(
        [
            {
                "category": cat,
                "band": band,
                "percent": pct,
                "status": cfg.costs.supplement_status[(cat, band)],
            }
            for (cat, band), pct in cfg.costs.supplement_percent.items()
        ]
    )
    return {
        "ooh_services": services,
        "ooh_shifts": shifts,
        "ooh_rota_rules": rules,
        "ooh_scenarios": scenarios,
        "ooh_costs": costs,
        "ooh_transfer": transfer_table(cfg),
    }


def transfer_table(cfg: OohConfig) -> pl.DataFrame:
    """One row per service and pathway: where the patient is treated and the transfer limit.

    Returns:
        ``service_id, treated_at, facility, pathway, transfer_minutes, binding, source,
        status``; a service without pathways has one row with the pathway columns empty.
    """
    rows = []
    for s in cfg.services.values():
        base = {"service_id": s.id, "treated_at": s.treated_at, "facility": s.facility}
        binding = s.transfer_limit
        for p in s.pathways or (None,):
            rows.append(
                {
                    **base,
                    "pathway": None if p is None else p.id,
                    "transfer_minutes": None if p is None else p.transfer_minutes,
                    "binding": p is not None and p == binding,
                    "source": None if p is None else p.source,
                    "status": None if p is None else p.status,
                }
            )
    return pl.DataFrame(
        rows,
        schema={
            "service_id": pl.String,
            "treated_at": pl.String,
            "facility": pl.String,
            "pathway": pl.String,
            "transfer_minutes": pl.Int64,
            "binding": pl.Boolean,
            "source": pl.String,
            "status": pl.String,
        },
    )


def rule_value_problems(preset: RulePreset, where: str = "rota_rules.yaml") -> list[str]:
    """Every unusable rule value of a preset, each naming the file, preset and rule.

    Checks each value against :data:`RULE_LIMITS` and :data:`RULE_MAXIMA`, the windows and
    reference periods (whole numbers of at least 1 day or week), and each pair of
    :data:`RULE_RANGES` (minimum at most maximum). Non-finite values are refused when the file
    is read.
    """
    problems = []
    key = f"{where} presets.{preset.name}.rules"
    for rule in preset.rules.values():
        if rule.name in RULE_LIMITS:
            low, whole, meaning = RULE_LIMITS[rule.name]
            high = RULE_MAXIMA.get(rule.name, math.inf)
            if not low <= rule.value <= high or (whole and rule.value != int(rule.value)):
                problems.append(f"{key}.{rule.name}.value: {rule.value:g} must be {meaning}")
        for field_name in ("reference_weeks", "window_days"):
            value = getattr(rule, field_name)
            if value is not None and value < 1:
                problems.append(f"{key}.{rule.name}.{field_name}: {value} must be at least 1")
        if rule.soft_penalty is not None and rule.soft_penalty < 0:
            problems.append(f"{key}.{rule.name}.soft_penalty: {rule.soft_penalty:g} must be >= 0")
    if (
        "max_oncall_episodes" in preset.rules
        and preset.rules["max_oncall_episodes"].window_days is None
    ):
        problems.append(f"{key}.max_oncall_episodes.window_days: missing (the rolling window)")
    for low_name, high_name in RULE_RANGES:
        low_value, high_value = preset.value(low_name), preset.value(high_name)
        if low_value is not None and high_value is not None and low_value > high_value:
            problems.append(
                f"{key}.{low_name}.value: {low_value:g} is above "
                f"{high_name} {high_value:g} (minimum above its maximum)"
            )
    return problems


def _transfer_problems(service: Service) -> list[str]:
    """Where-treated and transfer-limit problems of one service, each naming the key."""
    key = f"ooh_services.yaml services.{service.id}"
    problems = []
    if service.treated_at not in TREATED_AT:
        problems.append(
            f"{key}.treated_at: {service.treated_at!r} must be one of {list(TREATED_AT)}"
        )
    if service.treated_at == "site" and not (
        service.remote_reporting or service.cover_unit == "site"
    ):
        problems.append(
            f"{key}.treated_at: 'site' needs remote reporting or a slot at every site "
            "(cover_unit: site); otherwise the patient is brought to the slot"
        )
    if service.treated_at == "slot" and service.cover_unit == "trust" and not service.pathways:
        problems.append(
            f"{key}.transfer.pathways: a service whose patients are brought to the slot needs "
            "at least one pathway with its transfer limit"
        )
    ids = [p.id for p in service.pathways]
    if len(set(ids)) != len(ids):
        problems.append(f"{key}.transfer.pathways: duplicate pathway ids {sorted(ids)}")
    if service.binding_pathway is not None and service.binding_pathway not in ids:
        problems.append(
            f"{key}.transfer.binding: {service.binding_pathway!r} is not one of its "
            f"pathways {ids} (or 'tightest')"
        )
    return problems


def validate_ooh_config(cfg: OohConfig) -> None:
    """Check the configuration against its data contracts and its cross-references.

    Raises:
        ConfigError: naming every failed rule.
    """
    from lsc_workforce.contracts import validate_frame  # noqa: PLC0415 - GX is slow to import

    problems: list[str] = []
    for suite, frame in config_tables(cfg).items():
        report = validate_frame(frame, suite)
        if not report.success:
            problems.append(report.summary())
    for service in cfg.services.values():
        if service.preset not in cfg.presets:
            problems.append(f"service {service.id}: unknown preset {service.preset!r}")
        if len({p.id for p in service.shifts}) != len(service.shifts):
            problems.append(f"service {service.id}: duplicate shift ids")
        problems += _transfer_problems(service)
        if service.weekend_block not in WEEKEND_BLOCKS:
            problems.append(
                f"ooh_services.yaml services.{service.id}.weekend_block: "
                f"{service.weekend_block!r} must be one of {list(WEEKEND_BLOCKS)}"
            )
    for preset in cfg.presets.values():
        unknown = sorted(set(preset.rules) - set(RULE_NAMES))
        if unknown:
            problems.append(f"preset {preset.name}: unknown rules {unknown}")
        problems += rule_value_problems(preset)
        if any(
            "min_consecutive_nights" in preset.rules and not all(p.night for p in s.shifts)
            for s in cfg.services.values()
            if s.preset == preset.name
        ):
            problems.append(
                f"rota_rules.yaml presets.{preset.name}.rules.min_consecutive_nights: a "
                "service using the preset has shifts that are not nights (night blocks need "
                "a night-only pattern)"
            )
    for sc in cfg.scenarios.values():
        unknown = sorted((set(sc.services) | set(sc.hubs)) - set(cfg.services))
        if unknown:
            problems.append(f"scenario {sc.id}: unknown services {unknown}")
        seen: set[str] = set()
        for rota in sc.rotas:
            twice = seen & set(rota.trusts)
            if twice:
                problems.append(f"scenario {sc.id}: trusts {sorted(twice)} in two rotas")
            seen |= set(rota.trusts)
        if sc.one_in is not None and sc.one_in < 1:
            problems.append(
                f"scenarios.yaml scenarios.{sc.id}.one_in: {sc.one_in} must be a whole number "
                "of at least 1 (1-in-N)"
            )
        if sc.kind == "hub_and_spoke" and not sc.rotas:
            problems.append(f"scenario {sc.id}: hub_and_spoke needs rotas")
    for cat in ("A", "B"):
        for band in ("high", "medium", "low"):
            if (cat, band) not in cfg.costs.supplement_percent:
                problems.append(f"costs: no availability supplement for category {cat} {band}")
    for sid in cfg.costs.oncall_work:
        service = cfg.services.get(sid)
        if service is None or service.pay_basis != "consultant":
            problems.append(f"costs.yaml oncall_work: {sid!r} is not a consultant service")
    for service in cfg.services.values():
        if service.pay_basis != "afc_resident":
            continue
        unsocial = cfg.costs.unsocial.percent if cfg.costs.unsocial else {}
        for grade in service.grades:
            if grade not in cfg.costs.afc_hourly_rate:
                problems.append(f"costs.yaml afc_hourly_rate: no rate for {grade} ({service.id})")
            if grade not in unsocial:
                problems.append(
                    f"costs.yaml unsocial_hours: no enhancement for {grade} ({service.id})"
                )
    if problems:
        raise ConfigError("OOH configuration is invalid:\n" + "\n".join(problems))
