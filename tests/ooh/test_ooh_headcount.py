"""The exact extra headcount: hand-worked small networks.

World (``ooh_world``): trusts TAA (site A01) and TBB (site B01), 20 minutes apart; a third trust
TCC (C01) 90 minutes from both. One on-call shift, 17:00-08:00 every day, cover 1 per rota.
Rules: ``oncall_one_in = 4`` and ``min_rest_hours = 11``. Over a 12-day horizon a person may hold
the rota on at most floor(12 / 4) = 3 days, and never on two consecutive days (an on-call ends
at 08:00 and the next starts at 17:00: 9 h < 11 h rest).
"""

from __future__ import annotations

import polars as pl
import pytest
from ooh_world import NETWORK, START, TRUST_BY_TRUST, oncall_service, preset, world

from lsc_workforce.config import SolverSettings
from lsc_workforce.ooh.build import build_scenario
from lsc_workforce.ooh.compliance import check_roster
from lsc_workforce.ooh.headcount import extra_posts, headcount_sentence
from lsc_workforce.ooh.inputs import Scenario
from lsc_workforce.ooh.model import solve_instance

pytestmark = pytest.mark.unit

SETTINGS = SolverSettings(time_limit_s=20, threads=1)
RULES = preset(oncall_one_in=4, min_rest_hours=11)
N_DAYS = 12


def _extra(frames, scenario, service=None, rules=RULES, k=4):
    service = service or oncall_service()
    instances = build_scenario(
        service, scenario, rules, frames, start=START, n_days=N_DAYS, candidates_per_class=k
    )
    solutions = [solve_instance(inst, SETTINGS, mode="headcount") for inst in instances]
    return instances, solutions, [extra_posts(s) for s in solutions]


def test_pooling_provably_lowers_extra_headcount():
    """Two staff per trust; trust-by-trust needs 4 more posts, the network none.

    Hand working. Each rota must cover 12 days, one person per day, and one person may hold at
    most 3 days, so a rota needs at least ceil(12 / 3) = 4 people.

    * Trust-by-trust: TAA has 2 people (6 days at most), so it needs 2 more; TBB likewise 2
      more: 4 extra posts in all, and 4 suffice (four people rotate a, b, c, d, a, b, ...,
      3 days each with 3 days between shifts).
    * Network (hub A01; B01 is 20 <= 30 minutes away): the pool has 4 people, exactly the
      4 needed; the rotation above covers all 12 days. 0 extra posts.

    So pooling lowers the extra headcount from 4 to 0.
    """
    frames = world(
        [
            ("a1", "TAA", "A01", 1.0),
            ("a2", "TAA", "A01", 1.0),
            ("b1", "TBB", "B01", 1.0),
            ("b2", "TBB", "B01", 1.0),
        ]
    )
    _, tbt_solutions, tbt = _extra(frames, TRUST_BY_TRUST)
    assert [e.rota for e in tbt] == ["TAA", "TBB"]
    assert [e.posts for e in tbt] == [2, 2]
    assert all(e.proven for e in tbt)
    assert tbt[0].by_class == {"TAA": 2}
    assert tbt[1].by_class == {"TBB": 2}
    net_instances, net_solutions, net = _extra(frames, NETWORK)
    assert [e.posts for e in net] == [0]
    assert net[0].proven
    # full cover, no breach, in every headcount solution
    for sol in [*tbt_solutions, *net_solutions]:
        assert sol.uncovered.is_empty()
        assert sol.roster.height == N_DAYS
        breaches = check_roster(sol.instance, sol.roster)
        assert breaches.filter(pl.col("hard")).is_empty()
    sentence = headcount_sentence(net_instances[0], net, "network")
    assert "can run at 1-in-4" in sentence


def test_infeasible_trust_rota_gives_minimum_extra_posts():
    """One IR at TAA, on leave 5 of the 12 days: 3 more posts are needed.

    Hand working: a1 can hold at most 3 days (1 in 4), so 9 days remain, and each new post
    holds at most 3: ceil(9 / 3) = 3 more. With only 2 more, 3 + 3 + 3 = 9 < 12, so 3 is the
    minimum. a1's leave (days 1-5) does not change this: a1 can take 3 of days 6-12 on
    non-consecutive days. TBB's rota is not asked for (its site is not served).
    """
    frames = world(
        [("a1", "TAA", "A01", 1.0)],
        leave=[("a1", START, START.replace(day=5))],
    )
    service = oncall_service(sites=("A01",))
    instances, solutions, answers = _extra(frames, TRUST_BY_TRUST, service=service, k=5)
    assert len(answers) == 1
    assert answers[0].posts == 3
    assert answers[0].proven
    assert answers[0].lower_bound == 3
    roster = solutions[0].roster
    assert roster.filter(pl.col("staff_id") == "a1").height == 3
    assert roster.filter(pl.col("staff_id") == "a1").get_column("date").min() > START.replace(day=5)
    sentence = headcount_sentence(instances[0], answers, "trust-by-trust")
    assert sentence.startswith("The trust-by-trust test on-call rota needs 3 more consultant")
    assert "based at TAA to run at 1-in-4" in sentence


def test_candidate_bases_respect_response_time():
    """A far trust (TCC, 90 min) cannot staff the A01 hub: its people never count.

    Network hub A01 serves TAA and TCC sites; c1..c4 at C01 are 90 minutes away (> 30), so the
    4 people needed must all be new posts based at TAA (the only base within reach).
    """
    frames = world([(f"c{k}", "TCC", "C01", 1.0) for k in range(1, 5)])
    service = oncall_service(sites=("A01", "C01"))
    scenario = Scenario("network", "network", hubs={"test_oncall": ("A01", None)})
    _, solutions, answers = _extra(frames, scenario, service=service, k=5)
    assert answers[0].posts == 4
    assert answers[0].by_class == {"TAA": 4}
    assert solutions[0].roster.filter(~pl.col("candidate")).is_empty()


@pytest.mark.parametrize("one_in", [3, 6])
def test_extra_posts_follow_frequency_limit(one_in):
    """Nobody in post: a 12-day rota needs ceil(12 / floor(12 / N)) posts (N = 3: 3, N = 6: 6).

    N = 3: 4 days each, alternate days are allowed (rest 9 h < 11 h forbids consecutive ones);
    3 people rotating a, b, c cover 12 days. N = 6: 2 days each, 6 people.
    """
    frames = world([("x1", "TBB", "B01", 1.0)])  # TBB is not in the served rota below
    service = oncall_service(sites=("A01",))
    rules = preset(oncall_one_in=one_in, min_rest_hours=11)
    _, _, answers = _extra(frames, TRUST_BY_TRUST, service=service, rules=rules, k=7)
    assert answers[0].posts == {3: 3, 6: 6}[one_in]


def test_scenario_total_counts_only_short_rotas():
    """TAA has the 4 people it needs (0 extra); TBB has 1 (3 extra): the trust-by-trust total
    is 3 and the sentence names TBB only."""
    from ooh_world import COSTS

    from lsc_workforce.ooh.analysis import run_analysis
    from lsc_workforce.ooh.inputs import OohConfig

    staff = [(f"a{k}", "TAA", "A01", 1.0) for k in range(4)] + [("b1", "TBB", "B01", 1.0)]
    cfg = OohConfig(
        services={"test_oncall": oncall_service()},
        presets={"test": RULES},
        scenarios={"trust_by_trust": TRUST_BY_TRUST},
        costs=COSTS,
    )
    analysis = run_analysis(cfg, world(staff), start=START, n_days=N_DAYS, settings=SETTINGS)
    row = analysis.comparison().row(0, named=True)
    assert row["extra_posts"] == 3
    assert row["extra_posts_proven"]
    result = analysis.results[0]
    assert [e.posts for e in result.extra] == [0, 3]
    assert [h.instance.rota for h in result.headcount] == ["TBB"]
    assert "(TBB: 3 based at TBB)" in row["extra_posts_sentence"]


def test_without_headcount_search_the_gap_is_not_called_zero():
    from ooh_world import COSTS

    from lsc_workforce.ooh.analysis import run_analysis
    from lsc_workforce.ooh.inputs import OohConfig

    cfg = OohConfig(
        services={"test_oncall": oncall_service(sites=("A01",))},
        presets={"test": RULES},
        scenarios={"trust_by_trust": TRUST_BY_TRUST},
        costs=COSTS,
    )
    frames = world([("a1", "TAA", "A01", 1.0)])
    analysis = run_analysis(
        cfg, frames, start=START, n_days=N_DAYS, settings=SETTINGS, headcount=False
    )
    row = analysis.comparison().row(0, named=True)
    assert row["uncovered_shifts"] == 9  # 12 days, a1 holds 3
    assert row["extra_posts"] is None
    assert "not computed" in row["extra_posts_sentence"]
