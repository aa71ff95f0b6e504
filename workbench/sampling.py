"""Drawing a reliability sample that oversamples the rarest values.

A reliability check needs enough units of the rarest value (Krippendorff
2019, ch. 12.2; Bloch & Kraemer 1989): a simple random sample of a corpus
where "denial" is 2% of sentences holds a handful of denials at most. So the
draw stratifies the candidate sentences by the value they were given so far
(any coder's done label: single-coded labels are enough), and allocates the
sample as evenly as the strata allow, rarest value first: every stratum gets
an equal share, a stratum smaller than its share gives all it has, and what
it could not give is shared among the rest (water-filling); an odd unit goes
to the rarer value. Sentences nobody
has coded yet form the stratum `UNCODED`, drawn from only when the coded
strata run out. Within a stratum sentences are drawn at random, seeded: the
same seed, candidates and labels give the same sample.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

UNCODED = "(uncoded)"


@dataclass(frozen=True)
class Stratum:
    value: str
    available: int  # candidate sentences in it
    drawn: int
    coded_before: int  # done labels with this value anywhere in the database


@dataclass(frozen=True)
class Draw:
    sentences: list[tuple[int, str]]  # (sentence id, stratum), in draw order
    strata: list[Stratum]  # rarest first, UNCODED last


def allocate(available: Mapping[str, int], n: int) -> dict[str, int]:
    """Water-filling: n units over strata as evenly as their sizes allow.

    Every stratum is filled to one level, the highest that places no more
    than n units; a stratum smaller than the level gives all it has. The
    units still to place (fewer than the strata above the level) go one
    each to those strata in the order given, which `draw` makes rarest value
    first. So the strata not exhausted differ by at most one, and a rarer
    value never gets fewer than a more common one that has as many left.
    """
    n = min(n, sum(available.values()))
    low, high = 0, max(available.values(), default=0)
    while low < high:  # the highest level t with sum(min(size, t)) <= n
        mid = (low + high + 1) // 2
        if sum(min(size, mid) for size in available.values()) <= n:
            low = mid
        else:
            high = mid - 1
    take = {v: min(size, low) for v, size in available.items()}
    left = n - sum(take.values())
    for v, size in available.items():
        if left and take[v] < size:
            take[v] += 1
            left -= 1
    return take


def draw(
    candidates: Sequence[int],
    stratum_of: Mapping[int, str],
    n: int,
    seed: int,
    coded_before: Mapping[str, int],
) -> Draw:
    """Draw `n` of `candidates` (sentence ids), stratified by `stratum_of`
    (a candidate missing from it is UNCODED), rarest value first."""
    groups: dict[str, list[int]] = {}
    for sid in sorted(candidates):
        groups.setdefault(stratum_of.get(sid, UNCODED), []).append(sid)
    coded = sorted((v for v in groups if v != UNCODED), key=lambda v: (coded_before.get(v, 0), v))
    take = allocate({v: len(groups[v]) for v in coded}, n)
    short = n - sum(take.values())
    if UNCODED in groups:
        take[UNCODED] = min(short, len(groups[UNCODED]))
    rng = random.Random(seed)
    chosen: list[tuple[int, str]] = []
    for value in [*coded, *([UNCODED] if UNCODED in groups else [])]:
        members = groups[value]
        picked = sorted(rng.sample(members, take[value]))
        chosen += [(sid, value) for sid in picked]
    strata = [
        Stratum(v, len(groups[v]), take[v], coded_before.get(v, 0))
        for v in [*coded, *([UNCODED] if UNCODED in groups else [])]
    ]
    return Draw(chosen, strata)


def majority_value(values: Sequence[str], coded_before: Mapping[str, int]) -> str:
    """A candidate's stratum from its coders' values: the most common, ties
    broken toward the rarer value (then by id), so a rare value seen once is
    not lost to a tie."""
    counts: dict[str, int] = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    return min(counts, key=lambda v: (-counts[v], coded_before.get(v, 0), v))
