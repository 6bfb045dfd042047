"""The exact extra headcount: fewest additional posts that make full compliant cover possible.

For each rota the model is given, besides today's staff, ``K`` **candidate posts** for every
:class:`~lsc_workforce.ooh.build.CandidateClass` (posts based at sites that reach the same
slots, holding the service's competencies, with the preset's rules and no leave). One integer
programme (``ooh.model`` in ``headcount`` mode) then makes cover hard (C-O5), keeps every rule
hard, orders interchangeable candidates (C-O4) and minimises the number of candidate posts used
(engine C17). Its optimum is the minimum extra headcount: no trial and error over head counts.

``K`` defaults to ``ceil(wanted shifts / most days one person may hold) + 1`` (capped), which is
enough for candidates alone to cover the rota; if the programme is still infeasible the
rota cannot be covered compliantly by posts of these kinds and the sentence says so.

The sentence splits the posts in two. **Rota size**: a 1-in-N rota is shared by N people per
person wanted on a shift (:attr:`~lsc_workforce.ooh.build.OohInstance.rota_size`), so a rota
with fewer eligible people needs ``N x cover - eligible`` posts before anything else (at most
the posts found). **Leave cover and the other rules**: the rest, needed because people's
leave, the weekend limit or the spacing rule stop today's staff (plus the rota-size posts)
from covering every shift.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from lsc_workforce.ooh.build import OohInstance
from lsc_workforce.ooh.model import OohSolution
from lsc_workforce.solve import SolveStatus

__all__ = [
    "ExtraPosts",
    "candidates_needed",
    "eligible_people",
    "extra_posts",
    "headcount_sentence",
    "size_posts",
]

MAX_CANDIDATES_PER_CLASS = 16


@dataclass(frozen=True)
class ExtraPosts:
    """The extra-headcount answer for one rota.

    Attributes:
        rota: rota name.
        posts: number of candidate posts used (``None`` when no answer was found).
        by_class: ``{"based at ..." label: posts}``.
        proven: the solver proved the number minimal.
        lower_bound: proven lower bound on the number of posts (``None`` if unknown).
        status: solver status value.
        size_posts: of ``posts``, those that make up the rota's size (N people per person
            wanted on a shift); the others are for leave cover and the other rules.
    """

    rota: str
    posts: int | None
    by_class: dict[str, int]
    proven: bool
    lower_bound: int | None
    status: str
    size_posts: int = 0

    @property
    def leave_posts(self) -> int:
        """Posts beyond the rota's size: for leave cover and the other rules."""
        return (self.posts or 0) - self.size_posts


def candidates_needed(instance: OohInstance) -> int:
    """Candidate posts per class: enough for candidates alone to cover the rota, plus one."""
    per_person = instance.max_days or max(1, instance.problem.n_days // 2)
    need = math.ceil(instance.required_shifts / max(1, per_person)) + 1
    return max(1, min(need, MAX_CANDIDATES_PER_CLASS))


def eligible_people(instance: OohInstance) -> int:
    """Today's staff (not candidate posts) who may work at least one of the rota's shifts."""
    problem = instance.problem
    return sum(
        1
        for p in problem.people
        if not p.optional and any(problem.eligible(p.id, s.id) is None for s in problem.shift_types)
    )


def size_posts(instance: OohInstance, posts: int) -> int:
    """Posts (of ``posts``) that bring the rota up to its size, ``N x cover`` people."""
    size = instance.rota_size
    if size is None:
        return 0
    return min(posts, max(0, size - eligible_people(instance)))


def extra_posts(solution: OohSolution) -> ExtraPosts:
    """Read the extra-headcount answer from a ``headcount``-mode solution."""
    instance = solution.instance
    result = solution.result
    labels = {
        row["staff_id"]: instance.candidate_classes[row["candidate_class"]].label
        for row in instance.people.filter("candidate").iter_rows(named=True)
    }
    by_class = dict(Counter(labels[p] for p in solution.posts_used))
    has = result.status.has_solution
    bound = None
    if result.bound is not None:
        bound = max(0, math.ceil(result.bound - 1e-6))
    posts = len(solution.posts_used) if has else None
    return ExtraPosts(
        rota=instance.rota,
        posts=posts,
        by_class=by_class,
        proven=result.status is SolveStatus.OPTIMAL,
        lower_bound=bound,
        status=result.status.value,
        size_posts=size_posts(instance, posts or 0),
    )


def _people_noun(instance: OohInstance, n: int) -> str:
    service = instance.service
    grade = service.grades[0].replace("_", " ")
    group = service.staff_groups[0].replace("_", " ")
    noun = f"{grade} {group}" + ("s" if n != 1 else "")
    if service.competencies:
        noun += " (" + " and ".join(service.competencies) + " competent)"
    return noun


def headcount_sentence(
    instance: OohInstance, answers: list[ExtraPosts], scenario_label: str
) -> str:
    """A sentence an analyst can read out, e.g. for the steering group.

    Args:
        instance: any rota of the scenario (service, preset and horizon are shared).
        answers: one :class:`ExtraPosts` per rota of the scenario.
        scenario_label: e.g. ``"network"`` or ``"trust-by-trust"``.

    Returns:
        The sentence.
    """
    service = instance.service
    one_in = instance.preset.value("oncall_one_in")
    freq = f" at 1-in-{one_in:g}" if one_in else ""
    weeks = instance.problem.n_days / 7
    name = (
        service.name
        if service.name[:2].isupper()
        else service.name[:1].lower() + (service.name[1:])
    )
    what = f"The {scenario_label} {name} rota"
    if any(a.posts is None for a in answers):
        failed = ", ".join(a.rota for a in answers if a.posts is None)
        return (
            f"{what} cannot be covered without breaches over {weeks:g} weeks even with the "
            f"candidate posts offered (rota {failed}: {answers[0].status}); widen the "
            f"candidate bases or the time limit."
        )
    total = sum(a.posts or 0 for a in answers)
    caveat = ""
    if not all(a.proven for a in answers):
        bound = sum(a.lower_bound or 0 for a in answers)
        caveat = f" (not proven minimal: the solver stopped at its time limit; at least {bound})"
    if total == 0:
        return (
            f"{what} can run{freq} (or less often) without breaches with today's staff over "
            f"{weeks:g} weeks."
        )
    detail = "; ".join(
        f"{a.rota}: " + ", ".join(f"{n} based at {lab}" for lab, n in sorted(a.by_class.items()))
        for a in answers
        if a.posts
    )
    noun = _people_noun(instance, total)
    size = sum(a.size_posts for a in answers)
    split = ""
    of_size = f"of {one_in:g} people per person on call" if one_in else ""
    if size and size < total:
        split = (
            f": {size} to make up the rota's size {of_size} and {total - size} to cover leave "
            "within the rules"
        )
    elif size:
        split = f": all {total} to make up the rota's size {of_size}"
    elif instance.rota_size is not None:
        split = f": all {total} to cover leave within the rules"
    if len([a for a in answers if a.posts]) == 1 and len(answers) == 1:
        only = answers[0]
        if len(only.by_class) == 1:
            label = next(iter(only.by_class))
            return (
                f"{what} needs {total} more {noun} based at {label} to run{freq} without "
                f"breaches{caveat}{split}."
            )
    return (
        f"{what} needs {total} more {noun} to run{freq} without breaches ({detail}){caveat}{split}."
    )
