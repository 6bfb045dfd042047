r"""Training-pipeline integer programme: how many trainees of each kind to start each year.

The formulation below is repeated, with the same tags, in ``notebooks/40_training_pipeline.ipynb``
and in the docstring of each ``add_<rule>()`` function; every PuLP constraint name starts with the
rule's slug (``stock_flow__…``).

**Sets.** Trusts :math:`t \in T`; staff groups :math:`g \in G`; programmes :math:`p \in P`;
financial years :math:`y \in Y = \{y_0, \dots, y_H\}` (the planning horizon, reported) and
terminal years :math:`Y^T = \{y_H + 1, \dots, y_H + \max_p d_p\}`, so that every intake of the
horizon completes inside :math:`Y^+ = Y \cup Y^T`; skill-mix rules :math:`(a, b) \in M` (donor
group :math:`a` may absorb recipient :math:`b`'s work). Variables and constraints run over
:math:`Y^+`.

**Parameters.** For programme :math:`p`: duration :math:`d_p` (years), completion rate
:math:`c_p`, retention after completion :math:`r_p`, produced group :math:`g_p`, source group
:math:`s_p`, cost per trainee-year :math:`k_p`. Baseline supply :math:`B_{tgy}`
(closing WTE with no new completions) and response kernel :math:`K_{ptgcy}` (WTE in year
:math:`y` per retained completer of year :math:`c`), both from the supply projection;
required WTE :math:`R_{tgy}`; trainees already in training
:math:`N^0_{pty}` and their completions :math:`Q^0_{pty}`; placement capacity
:math:`\kappa_{pty}`, funded intake limit :math:`f_{pty}`, source pool :math:`\pi_{pt}`, budget
:math:`B_y`, skill-mix share :math:`m_{ab}`; shortfall weight :math:`\omega_g`, discount factor
:math:`\delta_y = (1 + \rho)^{-(y - y_0)}`. In the terminal years the plan is in a steady
state (:func:`extend_horizon`): :math:`R` keeps its final-year growth rate, :math:`B` keeps
falling at its final-year rate, a completer's WTE profile is the latest one known for its lag,
and :math:`\kappa`, :math:`f` and the budget are those of :math:`y_H`.

**Variables.** ``intake`` :math:`x_{pty} \in \mathbb{Z}_{\ge 0}` for :math:`y \in Y` and
:math:`x_{pty} \ge 0` (continuous) for :math:`y \in Y^T` (terminal intakes only value the years
after the horizon and are not reported); ``supply``
:math:`S_{tgy} \ge 0` (WTE in post at the end of year :math:`y`); ``shortfall``
:math:`u_{tgy} \ge 0`; ``substitution`` :math:`z_{tab y} \ge 0` (donor WTE doing recipient work).
Trainees in training :math:`N_{pty} = N^0_{pty} + \sum_{j=0}^{d_p - 1} x_{pt,y-j}` and retained
completions :math:`Q_{pty} = c_p r_p (Q^0_{pty} + x_{pt, y - d_p + 1})` (an intake completes at
the end of its last training year) are expressions, not variables.

**Objective** (lexicographic, stated): first (stage 1) minimise the weighted, discounted
shortfall of the horizon and of the terminal years, :math:`F + F^T` with
:math:`F = \sum_{t,g,y \in Y} \omega_g \delta_y u_{tgy}` and
:math:`F^T = \sum_{t,g,y \in Y^T} \omega_g \delta_y u_{tgy}` (WTE-years), plus a tie-break
:math:`\epsilon K` with :math:`\epsilon = 10^{-9}` per GBP, where
:math:`K = \sum_{p,t,y \in Y^+} \delta_y k_p N_{pty}` is the discounted training cost (GBP):
the whole plan's cost weighs under 0.1 WTE-years, below the solver's relative gap on the
shortfall, so it only picks the cheaper of plans whose shortfall is the same. Then (stage 2)
minimise :math:`K` holding every cell's shortfall at most its stage-1 value,
:math:`u_{tgy} \le u^*_{tgy} (1 + \tau) + 10^{-6}` (variable bounds, :math:`\tau` =
``cost_tolerance``): no trust, staff group or year is made worse to save money.
Holding only the total, :math:`F + F^T \le (F + F^T)^*`, lets the cost stage move shortfall
between cells; it then stalls on one dense row that few integer plans meet and is not proven
in minutes, while with the cell bounds each intake that closes a gap is held by its own cells
and the stage is proven in a fraction of a second. :math:`F^T` gives trainees still in
training at the end of the horizon their value, so intakes do not stop a training length
before :math:`y_H`; only :math:`Y` is reported.

**Constraints.**

* C1 ``stock_flow``: :math:`S_{tgy} = B_{tgy} + \sum_{p} \sum_{c \le y} K_{ptgcy} Q_{ptc}`: the
  supply projection's baseline plus each retained completion times its response kernel (WTE
  still in post in year :math:`y` per completer of year :math:`c`; negative in the group a
  conversion programme draws from). ``lsc_workforce.demand.supply.project_supply`` is linear in
  completions (a conversion removes a fixed, plan-independent age and WTE profile per head), so
  this equals it for the same intakes while the projection's cap on conversions (no age of the
  source grade may go negative) does not bind, which it does not at the funded intake limits
  C5 (tested); with a constant leaver rate it is
  :math:`S_{tgy} = (1 - \ell_{tg}) S_{tg,y-1} + w_p Q_{pty}`.
* C2 ``shortfall``: :math:`u_{tgy} \ge R_{tgy} - S_{tgy} - \sum_{a} z_{tagy} + \sum_{b}
  z_{tgby}`: unmet requirement after substitution; a donor's WTE doing another group's work is
  not available for its own.
* C3 ``skill_mix``: :math:`z_{taby} \le \min(m_{ab}, \sigma_{abty}) R_{tby}`: substitution is
  bounded to a configurable share of the recipient's work, and never beyond the share the
  donor's certification covers, :math:`\sigma_{abty}` (from the demand projection: the
  plain-film reporting share of radiologist work for reporting radiographers, the OGD and
  flexible sigmoidoscopy share of medical endoscopy for non-medical endoscopists).
* C4 ``placement_capacity``: :math:`N_{pty} \le \kappa_{pty}`: supervisors and placements limit
  trainees in training at once.
* C5 ``funded_posts``: :math:`x_{pty} \le f_{pty}`: new entrants need a funded post.
* C6 ``source_pool``: :math:`\sum_{y \in Y} x_{pty} \le \pi_{pt}` for programmes drawn from a
  per-trust pool (nurses and radiographers for clinical endoscopy) over the horizon.
* C7 ``budget``: :math:`\sum_{p,t} k_p N_{pty} \le B_y` when a budget is set (in a terminal
  year, the budget of :math:`y_H`).
* C8 ``fixed_intakes``: :math:`x_{pty} = \bar{x}_{pty}` for agreed posts (and every intake in the
  status-quo scenario).

No big-M is used. Shortfall is soft (C2), so the model is infeasible only when fixed intakes or
trainees already in training break C4-C7; :func:`lsc_workforce.pipeline.solution.solve_pipeline`
then reports the constraints that cannot hold.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import pulp

from lsc_workforce.config import ConfigError
from lsc_workforce.pipeline.inputs import POOL, PipelineInputs

#: Constraint tags of the formulation, in order; each has an ``add_<rule>()`` function.
CONSTRAINT_TAGS: dict[str, str] = {
    "C1": "stock_flow",
    "C2": "shortfall",
    "C3": "skill_mix",
    "C4": "placement_capacity",
    "C5": "funded_posts",
    "C6": "source_pool",
    "C7": "budget",
    "C8": "fixed_intakes",
}

#: Constraint families that can be relaxed to diagnose an infeasible plan or a remaining gap
#: (the limits C4-C8).
LIMIT_FAMILIES = tuple(CONSTRAINT_TAGS[f"C{number}"] for number in range(4, 9))


@dataclass(frozen=True)
class PipelineSettings:
    r"""Scenario choices for one model build.

    Attributes:
        discount_rate: annual rate for discounting shortfall and cost (:math:`\rho`).
        shortfall_weights: weight per staff group (default 1.0 for groups not listed).
        budget_gbp: training budget per financial year (GBP); ``None`` means no cap. A single
            number applies to every year.
        skill_mix_shares: overrides of ``max_share`` keyed by (donor, recipient).
        fixed_intakes: intakes fixed by (programme, trust, year), e.g. agreed posts.
        fix_status_quo: fix every intake to today's ``status_quo_intake``.
        cost_tolerance: relative slack on each cell's stage-1 shortfall allowed while minimising
            cost (stage 2).
        cost_gap_rel: relative MIP gap at which the cost stage may stop (the shortfall stage uses
            the solver settings' gap).
        tie_break_per_gbp: weight of one GBP of discounted cost in the stage-1 objective
            (WTE-years per GBP): among plans of equal shortfall stage 1 prefers the cheaper.
            At 1e-9 the whole plan's cost weighs well under the solver's default relative gap
            of the shortfall, so it never buys shortfall.
        relax: solve the LP relaxation (continuous intakes) for shadow prices.
        elastic: give C4-C8 non-negative slack variables penalised at ``elastic_penalty``, to find
            which limits an infeasible plan breaks.
        elastic_penalty: penalty per unit of slack in elastic mode.
    """

    discount_rate: float = 0.035
    shortfall_weights: Mapping[str, float] = field(default_factory=dict)
    budget_gbp: float | Mapping[int, float] | None = None
    skill_mix_shares: Mapping[tuple[str, str], float] = field(default_factory=dict)
    fixed_intakes: Mapping[tuple[str, str, int], int] = field(default_factory=dict)
    fix_status_quo: bool = False
    cost_tolerance: float = 0.0
    cost_gap_rel: float = 0.005
    tie_break_per_gbp: float = 1e-9
    relax: bool = False
    elastic: bool = False
    elastic_penalty: float = 1e6

    def __post_init__(self) -> None:
        if not 0 <= self.discount_rate < 1:
            raise ConfigError(f"discount_rate must be in [0, 1), not {self.discount_rate}")
        if any(w < 0 for w in self.shortfall_weights.values()):
            raise ConfigError("shortfall weights must be non-negative")
        if any(not 0 <= s <= 1 for s in self.skill_mix_shares.values()):
            raise ConfigError("skill-mix shares must lie in [0, 1]")
        if any(v < 0 for v in self.fixed_intakes.values()):
            raise ConfigError("fixed intakes must be non-negative")
        if self.cost_tolerance < 0:
            raise ConfigError("cost_tolerance must be non-negative")
        if not 0 <= self.cost_gap_rel < 1:
            raise ConfigError("cost_gap_rel must be in [0, 1)")
        if self.tie_break_per_gbp < 0:
            raise ConfigError("tie_break_per_gbp must be non-negative")

    def budget_for(self, year: int) -> float | None:
        """Return the budget of ``year`` (GBP) or ``None`` when uncapped."""
        if self.budget_gbp is None or isinstance(self.budget_gbp, int | float):
            return self.budget_gbp
        return self.budget_gbp.get(year)


@dataclass
class PipelineModel:
    r"""A built model: the PuLP problem, its variables and the objective components.

    Attributes:
        prob: the PuLP problem (objective set to the shortfall :math:`F + F^T` plus the cost
            tie-break :math:`\epsilon K`).
        inputs: the inputs it was built from, continued over the terminal years
            (:func:`extend_horizon`).
        settings: the settings it was built with.
        report_years: the planning horizon :math:`Y` (the years of the original inputs).
        intake: ``x[p, t, y]``.
        supply: ``S[t, g, y]``.
        shortfall: ``u[t, g, y]``.
        substitution: ``z[t, donor, recipient, y]``.
        in_training: ``N[p, t, y]`` expressions.
        slack: elastic slack variables by constraint name (elastic mode only).
        objective_terms: named objective components (``weighted_shortfall`` over the horizon,
            ``terminal_shortfall`` over the terminal years, ``training_cost`` over all model years,
            and ``elastic_slack`` in elastic mode).
        limits: constraint name -> (family, programme or "", trust or "", year or None).
    """

    prob: pulp.LpProblem
    inputs: PipelineInputs
    settings: PipelineSettings
    report_years: tuple[int, ...] = ()
    intake: dict[tuple[str, str, int], pulp.LpVariable] = field(default_factory=dict)
    supply: dict[tuple[str, str, int], pulp.LpVariable] = field(default_factory=dict)
    shortfall: dict[tuple[str, str, int], pulp.LpVariable] = field(default_factory=dict)
    substitution: dict[tuple[str, str, str, int], pulp.LpVariable] = field(default_factory=dict)
    in_training: dict[tuple[str, str, int], pulp.LpAffineExpression] = field(default_factory=dict)
    slack: dict[str, pulp.LpVariable] = field(default_factory=dict)
    objective_terms: dict[str, pulp.LpAffineExpression] = field(default_factory=dict)
    limits: dict[str, tuple[str, str, str, int | None]] = field(default_factory=dict)


def slug(*parts: Any) -> str:
    """Join parts into an ASCII constraint or variable name (``[A-Za-z0-9_]``, ``__`` between)."""
    return "__".join(_slug_part(part) for part in parts)


@functools.lru_cache(maxsize=4096)
def _slug_part(part: Any) -> str:
    # The same programme, trust and year codes recur in every name of a model.
    return re.sub(r"[^A-Za-z0-9]+", "_", str(part)).strip("_")


def _affine(terms: Mapping[pulp.LpVariable, float], constant: float) -> pulp.LpAffineExpression:
    """An affine expression from a ``{variable: coefficient}`` map (no expression arithmetic)."""
    expr = pulp.LpAffineExpression(constant=constant)
    for var, coef in terms.items():
        if coef:
            expr[var] = coef
    return expr


def discount(settings: PipelineSettings, inputs: PipelineInputs, year: int) -> float:
    r"""Return :math:`\delta_y = (1 + \rho)^{-(y - y_0)}`."""
    return (1.0 + settings.discount_rate) ** -(year - inputs.years[0])


def terminal_years(inputs: PipelineInputs) -> tuple[int, ...]:
    """The years after the horizon that the model adds: as many as the longest programme."""
    longest = max((p.duration_years for p in inputs.programmes.values()), default=0)
    last = inputs.years[-1]
    return tuple(range(last + 1, last + 1 + longest))


def extend_horizon(inputs: PipelineInputs) -> PipelineInputs:
    r"""Continue the inputs over the terminal years :math:`Y^T` in a steady state.

    Every intake of the horizon completes inside the extended years, so trainees still in
    training at the horizon count. Beyond the horizon (last year :math:`H`):

    * the requirement keeps its final-year growth,
      :math:`R_{tg,H+k} = R_{tgH} \gamma_{tg}^k` with :math:`\gamma_{tg} = R_{tgH} / R_{tg,H-1}`.
      Holding it flat instead stops demand growth exactly at the horizon: a short, cheaper
      route (international recruitment, one year) then meets the flat level alone and the
      degree intakes of the last two years, which complete after the horizon, fall to zero;
    * the baseline keeps falling at its final-year rate,
      :math:`B_{tg,H+k} = B_{tgH} \theta_{tg}^k` with
      :math:`\theta_{tg} = \min(1, B_{tgH} / B_{tg,H-1})`;
    * a completer's WTE ``lag`` years on is that of the latest completion year whose response
      reaches that lag (exact for arrivals, whose response does not depend on the completion
      year), and beyond the longest known lag it falls at the response's final-year rate;
    * placement capacity, funded posts, today's intakes (status quo), the certification scope
      of substitution and the budget are those of the final year.

    Args:
        inputs: validated inputs over the planning horizon.

    Returns:
        The same inputs over the horizon followed by :func:`terminal_years`.
    """
    tail = terminal_years(inputs)
    if not tail:
        return inputs
    years = tuple(inputs.years)
    first, last = years[0], years[-1]
    required = dict(inputs.required_wte)
    baseline = dict(inputs.baseline_wte)
    for t in inputs.trusts:
        for g in inputs.staff_groups:
            end = inputs.baseline_wte[t, g, last]
            before = inputs.baseline_wte.get((t, g, last - 1), 0.0)
            rate = min(1.0, end / before) if before > 0 else 1.0
            need = inputs.required_wte[t, g, last]
            need_before = inputs.required_wte.get((t, g, last - 1), 0.0)
            growth = need / need_before if need_before > 0 else 1.0
            for k, y in enumerate(tail, start=1):
                required[t, g, y] = need * growth**k
                baseline[t, g, y] = end * rate**k
    profiles: dict[tuple[str, str, str], dict[int, dict[int, float]]] = defaultdict(dict)
    for (p, t, g, c, y), weight in inputs.response.items():
        profiles[p, t, g].setdefault(c, {})[y - c] = weight
    response = dict(inputs.response)
    known = last - first  # longest lag the horizon shows (completions in the first year)
    for (p, t, g), by_year in profiles.items():
        oldest = by_year.get(first, {})
        final = oldest.get(known, 0.0)
        previous = oldest.get(known - 1, 0.0)
        fade = min(1.0, final / previous) if final * previous > 0 else 0.0
        for c in (*years, *tail):
            for y in range(max(c, last + 1), tail[-1] + 1):
                lag = y - c
                if lag <= known:
                    weight = by_year.get(min(c, last - lag), {}).get(lag, 0.0)
                else:
                    weight = final * fade ** (lag - known)
                if weight:
                    response[p, t, g, c, y] = weight

    def held(values: Mapping[tuple[str, str, int], Any]) -> dict[tuple[str, str, int], Any]:
        extended = dict(values)
        for (p, t, y), value in values.items():
            if y == last:
                extended.update({(p, t, yy): value for yy in tail})
        return extended

    scope = dict(inputs.skill_mix_scope)
    for (a, b, t, y), share in inputs.skill_mix_scope.items():
        if y == last:
            scope.update({(a, b, t, yy): share for yy in tail})
    return replace(
        inputs,
        skill_mix_scope=scope,
        years=(*years, *tail),
        required_wte=required,
        baseline_wte=baseline,
        response=response,
        placement_capacity=held(inputs.placement_capacity),
        funded_intake_limit=held(inputs.funded_intake_limit),
        status_quo_intake=held(inputs.status_quo_intake),
    )


def build_model(inputs: PipelineInputs, settings: PipelineSettings | None = None) -> PipelineModel:
    """Build the training-pipeline model with every constraint family C1-C8.

    Args:
        inputs: validated inputs.
        settings: scenario settings (defaults: no budget cap, free intakes).

    Returns:
        The model over the horizon and its terminal years, whose objective is the weighted
        discounted shortfall of both (stage 1 of the lexicographic objective); the cost term is
        in ``objective_terms["training_cost"]``.
    """
    settings = settings or PipelineSettings()
    report_years = tuple(inputs.years)
    inputs = extend_horizon(inputs)
    model = PipelineModel(
        pulp.LpProblem("training_pipeline", pulp.LpMinimize), inputs, settings, report_years
    )
    for p in inputs.programmes:
        for t in inputs.trusts:
            for y in inputs.years:
                # Terminal-year intakes only value the years after the horizon: continuous.
                cat = (
                    pulp.LpContinuous if settings.relax or y not in report_years else pulp.LpInteger
                )
                model.intake[p, t, y] = pulp.LpVariable(slug("intake", p, t, y), 0, None, cat)
    for t in inputs.trusts:
        for g in inputs.staff_groups:
            for y in inputs.years:
                model.supply[t, g, y] = pulp.LpVariable(slug("supply", t, g, y), 0)
                model.shortfall[t, g, y] = pulp.LpVariable(slug("shortfall", t, g, y), 0)
    for rule in inputs.skill_mix:
        for t in inputs.trusts:
            for y in inputs.years:
                model.substitution[t, rule.donor, rule.recipient, y] = pulp.LpVariable(
                    slug("substitution", t, rule.donor, rule.recipient, y), 0
                )
    for p, t, y in model.intake:
        duration = inputs.programmes[p].duration_years
        model.in_training[p, t, y] = _affine(
            {model.intake[p, t, y - j]: 1.0 for j in range(duration) if y - j >= inputs.years[0]},
            inputs.pipeline_in_training.get((p, t, y), 0.0),
        )

    for add_rule in RULES.values():
        add_rule(model)

    def weighted_shortfall(years: Any) -> pulp.LpAffineExpression:
        return _affine(
            {
                u: settings.shortfall_weights.get(g, 1.0) * discount(settings, inputs, y)
                for (t, g, y), u in model.shortfall.items()
                if y in years
            },
            0.0,
        )

    weighted = weighted_shortfall(set(report_years))
    terminal = weighted_shortfall(set(inputs.years) - set(report_years))
    cost_terms: dict[pulp.LpVariable, float] = defaultdict(float)
    cost_constant = 0.0
    for (p, _t, y), n in model.in_training.items():
        rate = discount(settings, inputs, y) * inputs.programmes[p].cost_per_trainee_year_gbp
        cost_constant += rate * n.constant
        for var, coef in n.items():
            cost_terms[var] += rate * coef
    cost = _affine(cost_terms, cost_constant)
    model.objective_terms["weighted_shortfall"] = weighted
    model.objective_terms["terminal_shortfall"] = terminal
    model.objective_terms["training_cost"] = cost
    objective = weighted + terminal
    if not (settings.relax or settings.elastic) and settings.tie_break_per_gbp:
        objective += settings.tie_break_per_gbp * cost
    if model.slack:
        model.objective_terms["elastic_slack"] = pulp.lpSum(model.slack.values())
        objective += settings.elastic_penalty * model.objective_terms["elastic_slack"]
    model.prob.setObjective(objective)
    return model


def retained_completions(model: PipelineModel, p: str, t: str, y: int) -> pulp.LpAffineExpression:
    r"""Return :math:`Q_{pty}`: people finishing programme ``p`` at the end of ``y`` and staying.

    That is :math:`c_p r_p (x_{pt, y - d_p + 1} + \text{already in training})`; trainees
    already in the staff stock are in the baseline and are not counted here.
    """
    prog = model.inputs.programmes[p]
    start = y - prog.duration_years + 1
    people = model.inputs.pipeline_completions.get((p, t, y), 0.0)
    if start in model.inputs.years:
        people = people + model.intake[p, t, start]
    return prog.retained_per_entrant * people


def add_stock_flow(model: PipelineModel) -> None:
    r"""C1 stock-flow: :math:`S_{tgy} = B_{tgy} + \sum_p \sum_{c \le y} K_{ptgcy} Q_{ptc}`.

    The supply projection is linear and time-invariant in completions, so supply is its
    baseline :math:`B` (no new completions) plus every retained completion :math:`Q` times the
    response kernel :math:`K` (WTE per completer ``lag`` years on, after leavers, retirements,
    progression and conversions; negative in the group a conversion programme draws from).
    Conversions remove a plan-independent profile per head in the projection, so this is exact
    while the projection's conversion cap does not bind (it does not at the C5 limits). With
    a constant leaver rate this is the recursion :math:`S_y = (1 - \ell) S_{y-1} + w_p Q_y`.
    """
    inputs = model.inputs
    # Built as coefficient maps: the same expression as sum(K * Q), without expression arithmetic.
    terms: dict[tuple[str, str, int], dict[pulp.LpVariable, float]] = defaultdict(
        lambda: defaultdict(float)
    )
    constant: dict[tuple[str, str, int], float] = defaultdict(float)
    for (p, t, g, first, y), weight in inputs.response.items():
        if first > y or (t, g, y) not in model.supply:
            continue
        prog = inputs.programmes[p]
        rate = weight * prog.retained_per_entrant
        constant[t, g, y] += rate * inputs.pipeline_completions.get((p, t, first), 0.0)
        start = first - prog.duration_years + 1
        if (p, t, start) in model.intake:
            terms[t, g, y][model.intake[p, t, start]] += rate
    for (t, g, y), supply in model.supply.items():
        flows = _affine(terms.get((t, g, y), {}), constant.get((t, g, y), 0.0))
        model.prob += (
            supply == inputs.baseline_wte[t, g, y] + flows,
            slug("stock_flow", t, g, y),
        )


def add_shortfall(model: PipelineModel) -> None:
    r"""C2 shortfall: :math:`u_{tgy} \ge R_{tgy} - S_{tgy} - \sum_a z_{tagy} + \sum_b z_{tgby}`."""
    inputs = model.inputs
    # Net WTE received by each (trust, group, year): +1 per absorbed, -1 per lent substitution.
    received: dict[tuple[str, str, int], dict[pulp.LpVariable, float]] = defaultdict(dict)
    for (t, a, b, y), z in model.substitution.items():
        received[t, b, y][z] = received[t, b, y].get(z, 0.0) + 1.0
        received[t, a, y][z] = received[t, a, y].get(z, 0.0) - 1.0
    for (t, g, y), u in model.shortfall.items():
        terms = {u: 1.0, model.supply[t, g, y]: 1.0}
        terms.update(received.get((t, g, y), {}))
        model.prob += (
            _affine(terms, 0.0) >= inputs.required_wte[t, g, y],
            slug("shortfall", t, g, y),
        )


def skill_mix_share(model: PipelineModel, donor: str, recipient: str, t: str, y: int) -> float:
    r"""The share :math:`\min(m_{ab}, \sigma_{abty})` of C3 for one trust and year."""
    inputs, settings = model.inputs, model.settings
    rule = next(r for r in inputs.skill_mix if (r.donor, r.recipient) == (donor, recipient))
    share = settings.skill_mix_shares.get((donor, recipient), rule.max_share)
    return min(share, inputs.skill_mix_scope.get((donor, recipient, t, y), 1.0))


def add_skill_mix(model: PipelineModel) -> None:
    r"""C3 skill mix: :math:`z_{taby} \le \min(m_{ab}, \sigma_{abty}) R_{tby}`.

    :math:`m_{ab}` is the configured or scenario share of the recipient's work;
    :math:`\sigma_{abty}` the share the donor's certification covers (no limit when absent).
    """
    inputs = model.inputs
    for rule in inputs.skill_mix:
        for t in inputs.trusts:
            for y in inputs.years:
                share = skill_mix_share(model, rule.donor, rule.recipient, t, y)
                model.prob += (
                    model.substitution[t, rule.donor, rule.recipient, y]
                    <= share * inputs.required_wte[t, rule.recipient, y],
                    slug("skill_mix", t, rule.donor, rule.recipient, y),
                )


def _add_limit(
    model: PipelineModel,
    family: str,
    *,
    lhs: pulp.LpAffineExpression,
    sense: str,
    rhs: float,
    key: tuple[str, str, int | None],
) -> None:
    """Add one C4-C8 constraint, with elastic slack in elastic mode, and record its family."""
    name = slug(family, *(k for k in key if k not in ("", None)))
    if model.settings.elastic:
        over = pulp.LpVariable(slug("slack_over", name), 0)
        model.slack[f"{name}__over"] = over
        lhs = lhs - over
        if sense == "==":
            under = pulp.LpVariable(slug("slack_under", name), 0)
            model.slack[f"{name}__under"] = under
            lhs = lhs + under
    if sense == "<=":
        model.prob += (lhs <= rhs, name)
    else:
        model.prob += (lhs == rhs, name)
    model.limits[name] = (family, *key)


def add_placement_capacity(model: PipelineModel) -> None:
    r"""C4 placement capacity: :math:`N_{pty} \le \kappa_{pty}` (supervisors, placements)."""
    for (p, t, y), limit in model.inputs.placement_capacity.items():
        _add_limit(
            model,
            "placement_capacity",
            lhs=model.in_training[p, t, y],
            sense="<=",
            rhs=limit,
            key=(p, t, y),
        )


def add_funded_posts(model: PipelineModel) -> None:
    r"""C5 funded posts: :math:`x_{pty} \le f_{pty}`."""
    for (p, t, y), limit in model.inputs.funded_intake_limit.items():
        _add_limit(
            model, "funded_posts", lhs=model.intake[p, t, y], sense="<=", rhs=limit, key=(p, t, y)
        )


def add_source_pool(model: PipelineModel) -> None:
    r"""C6 source pool: :math:`\sum_{y \in Y} x_{pty} \le \pi_{pt}` for pool-drawn programmes."""
    inputs = model.inputs
    for (p, t), pool in inputs.source_pool.items():
        if inputs.programmes[p].source_group != POOL:
            continue
        total = pulp.lpSum(model.intake[p, t, y] for y in model.report_years)
        _add_limit(model, "source_pool", lhs=total, sense="<=", rhs=pool, key=(p, t, None))


def add_budget(model: PipelineModel) -> None:
    r"""C7 budget: :math:`\sum_{p,t} k_p N_{pty} \le B_y` in every year with a budget.

    A terminal year has the budget of the horizon's final year.
    """
    inputs = model.inputs
    last = model.report_years[-1]
    for y in inputs.years:
        budget = model.settings.budget_for(min(y, last))
        if budget is None:
            continue
        spend = pulp.lpSum(
            inputs.programmes[p].cost_per_trainee_year_gbp * model.in_training[p, t, y]
            for p in inputs.programmes
            for t in inputs.trusts
        )
        _add_limit(model, "budget", lhs=spend, sense="<=", rhs=budget, key=("", "", y))


def add_fixed_intakes(model: PipelineModel) -> None:
    r"""C8 fixed intakes: :math:`x_{pty} = \bar{x}_{pty}` (agreed posts; status quo fixes all)."""
    fixed: dict[tuple[str, str, int], float] = {}
    if model.settings.fix_status_quo:
        fixed.update({k: 0 for k in model.intake})
        fixed.update(model.inputs.status_quo_intake)
    fixed.update(model.settings.fixed_intakes)
    for key, value in fixed.items():
        if key not in model.intake:
            raise ConfigError(f"fixed intake {key} is not a programme x trust x year of the model")
        _add_limit(model, "fixed_intakes", lhs=model.intake[key], sense="==", rhs=value, key=key)


#: Constraint functions in formulation order, keyed by tag.
RULES: dict[str, Callable[[PipelineModel], None]] = {
    "C1": add_stock_flow,
    "C2": add_shortfall,
    "C3": add_skill_mix,
    "C4": add_placement_capacity,
    "C5": add_funded_posts,
    "C6": add_source_pool,
    "C7": add_budget,
    "C8": add_fixed_intakes,
}
