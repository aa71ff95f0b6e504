"""The speaker registry: finding a speaker as a coder types, and keeping the
registry free of duplicates (rename, aliases, merge), every change logged.

Matching (`SpeakerIndex.search`) is by words over every name of an entity
(its label, Arabic label and aliases). Words are compared after
`workbench.arabic.match_key` (alef, alef maksura and teh marbuta folded,
diacritics and tatweel dropped, Latin case folded) and with the Arabic
proclitics و ف ب ل stripped (and "لل" read as "ال"), so "لقوات" is "قوات"
and "والتحالف" is "التحالف". A query word matches a name word when they are
equal, when they are one edit apart (insertion, deletion or substitution;
both words of four letters or more), or, for the query's last word while
it is being typed, when it begins the name word.

A name is found when it shares a word with the query. It is a full match
when the query contains the whole name (all its words) or the name contains
the whole query; anything else is a partial overlap, ranked below every full
match. Then more matched words first, then fewer inexact words (typo or
prefix), then fewer name words left over, then the earlier the match starts
in the query; ties go to the `prefer` keys in their order, then to registry
order. Each entity is offered once, under its best name.

`reference_search` is the same specification written as a plain loop over
every name; `SpeakerIndex` answers from inverted indexes built once (exact
words, sorted words for prefixes, a deletion neighbourhood for one edit) and
must return exactly the same list (a property test checks it).

No Textual here, and camel-tools only through `match_key` (lazy).
"""

from __future__ import annotations

import heapq
import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from workbench.arabic import match_key

if TYPE_CHECKING:
    from workbench.store import Store

_WORD_RE = re.compile(r"\w+")
FUZZY_MIN = 4  # words this long or longer may be one edit off
SHORT_PREFIX = 3  # a typed word this short is answered from prefix lists
_MAX = "\U0010ffff"
_W = 64  # base of the score encoding (components are clamped below it)
# (full match, matched words, -inexact words, -name words left, -first query word)
_Key = tuple[bool, int, int, int, int]


@dataclass(frozen=True)
class Speaker:
    """An active entity of a field: its key, names, and the coder who added
    it (None: seeded by a codebook)."""

    key: str
    label: str
    label_ar: str
    aliases: tuple[str, ...]
    created_by: str | None

    @property
    def names(self) -> tuple[str, ...]:
        """Label, Arabic label and aliases, each once (by match key), in that order."""
        return tuple(_keyed_names(self).values())


def _keyed_names(s: Speaker) -> dict[str, str]:
    """{match key: name} of a speaker's names, first spelling kept."""
    seen: dict[str, str] = {}
    for name in (s.label, s.label_ar, *s.aliases):
        if name and name.strip():
            seen.setdefault(match_key(name), name)
    return seen


@dataclass(frozen=True)
class SpeakerMatch:
    key: str
    label: str
    label_ar: str
    matched: str  # the name (label, Arabic label or alias) that matched best
    score: float  # orders as the ranking does; >= 0.5 is a full match

    @property
    def full(self) -> bool:
        """The query contains the whole name, or the name the whole query."""
        return self.score >= 0.5


# -- words ----------------------------------------------------------------------


def stem(word: str) -> str:
    """A normalized word without its Arabic proclitics: و/ف, then ب/ل
    ("لل" = "ال"), each only when at least three letters remain."""
    if len(word) > 3 and word[0] in "وف":
        word = word[1:]
    if len(word) > 4 and word.startswith("لل"):
        return "ال" + word[2:]
    if len(word) > 3 and word[0] in "بل":
        word = word[1:]
    return word


def words(text: str) -> list[str]:
    """The normalized words of a name or query (before stemming)."""
    return _WORD_RE.findall(match_key(text))


def one_edit(a: str, b: str) -> bool:
    """Exactly one insertion, deletion or substitution apart."""
    la, lb = len(a), len(b)
    if la > lb:
        a, b, la, lb = b, a, lb, la
    if lb - la > 1 or a == b:
        return False
    i = 0
    while i < la and a[i] == b[i]:
        i += 1
    return a[i + 1 :] == b[i + 1 :] if la == lb else a[i:] == b[i + 1 :]


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


@dataclass(frozen=True)
class _Query:
    raws: tuple[str, ...]
    stems: tuple[str, ...]
    prefix: bool  # the last word may be a prefix (still being typed)


def _parse(query: str) -> _Query:
    raws = tuple(words(query))
    return _Query(raws, tuple(stem(w) for w in raws), bool(raws) and not query[-1:].isspace())


def _quality(q: _Query, i: int, raw: str, st: str) -> int | None:
    """0 exact, 1 inexact (one edit, or prefix of the last word), None: no match.
    The reference's word comparison, written out."""
    qs = q.stems[i]
    if qs == st:
        return 0
    if len(qs) >= FUZZY_MIN and len(st) >= FUZZY_MIN and one_edit(qs, st):
        return 1
    if q.prefix and i == len(q.raws) - 1:
        qr = q.raws[i]
        if (st.startswith(qs) and st != qs) or (raw.startswith(qr) and raw != qr):
            return 1
    return None


def _key(quals: Sequence[Callable[[int], int | None]], n: int, k: int) -> _Key | None:
    """Greedy assignment of query words to name positions: each query word in
    order takes the best free position (exact before inexact, then the
    earliest). Returns the ranking key, or None if nothing matched."""
    used = 0
    m = inexact = 0
    first = -1
    for i, quality in enumerate(quals):
        best_q, best_j = 2, -1
        for j in range(n):
            if used >> j & 1:
                continue
            qj = quality(j)
            if qj is not None and qj < best_q:
                best_q, best_j = qj, j
                if qj == 0:
                    break
        if best_j >= 0:
            used |= 1 << best_j
            m += 1
            inexact += best_q
            if first < 0:
                first = i
    if not m:
        return None
    return (m in (n, k), m, -inexact, -(n - m), -first)


def _score(key: _Key) -> float:
    full, m, neg_inexact, neg_left, neg_first = key
    parts = (m, _W - 1 + neg_inexact, _W - 1 + neg_left, _W - 1 + neg_first)
    value = 0
    for p in parts:
        value = value * _W + max(0, min(_W - 1, p))
    return 0.5 * full + 0.5 * value / _W**4


def _prefer_rank(speakers: Sequence[Speaker], prefer: Sequence[str]) -> Callable[[int], int]:
    rank = {key: r for r, key in enumerate(dict.fromkeys(prefer))}
    return lambda e: rank.get(speakers[e].key, len(rank))


def _empty(speakers: Sequence[Speaker], limit: int, prefer: Sequence[str]) -> list[SpeakerMatch]:
    prefer_rank = _prefer_rank(speakers, prefer)
    chosen = sorted(range(len(speakers)), key=lambda e: (prefer_rank(e), e))
    return [_match(speakers[e], speakers[e].label, 0.0) for e in chosen[:limit]]


def _match(s: Speaker, matched: str, score: float) -> SpeakerMatch:
    return SpeakerMatch(s.key, s.label, s.label_ar, matched, score)


def _rank(
    best: dict[int, tuple[_Key, int]],
    speakers: Sequence[Speaker],
    names: Sequence[str],
    limit: int,
    prefer: Sequence[str],
) -> list[SpeakerMatch]:
    prefer_rank = _prefer_rank(speakers, prefer)

    def sort_key(e: int) -> tuple[Any, ...]:
        full, m, ni, nl, nf = best[e][0]
        return (not full, -m, -ni, -nl, -nf, prefer_rank(e), e)

    chosen = heapq.nsmallest(limit, best, key=sort_key)
    return [_match(speakers[e], names[best[e][1]], _score(best[e][0])) for e in chosen]


def reference_search(
    speakers: Sequence[Speaker], query: str, limit: int = 30, prefer: Sequence[str] = ()
) -> list[SpeakerMatch]:
    """What `SpeakerIndex.search` returns, computed by comparing the query
    with every word of every name (the specification; slow)."""
    q = _parse(query)
    if not q.raws:
        return _empty(speakers, limit, prefer)
    best: dict[int, tuple[_Key, int]] = {}
    names: list[str] = []
    for e, s in enumerate(speakers):
        for name in s.names:
            raws = words(name)
            stems = [stem(w) for w in raws]
            quals = [
                (lambda j, i=i, r=raws, s=stems: _quality(q, i, r[j], s[j]))
                for i in range(len(q.raws))
            ]
            key = _key(quals, len(raws), len(q.raws))
            names.append(name)
            # The first of an entity's best names (names are in order).
            if key is not None and (e not in best or key > best[e][0]):
                best[e] = (key, len(names) - 1)
    return _rank(best, speakers, names, limit, prefer)


# -- the index ----------------------------------------------------------------------


def _prefixes(word: str) -> set[str]:
    return {word[:i] for i in range(1, min(SHORT_PREFIX, len(word)) + 1)}


def _short_lists(
    entity_names: Sequence[list[int]],
    name_tokens: Sequence[tuple[int, ...]],
    word_prefixes: Sequence[set[str]],
) -> dict[str, list[tuple[int, int, int]]]:
    """{prefix: [(name length, entity, name)]}: per entity its shortest name
    (first of equals) with a word having the prefix, in ranking order."""
    short: dict[str, list[tuple[int, int, int]]] = {}
    for e, names in enumerate(entity_names):
        mine: dict[str, tuple[int, int]] = {}
        for n in names:  # in name order: the first of equals stays
            tokens = name_tokens[n]
            length = len(tokens)
            for p in set().union(*(word_prefixes[t] for t in tokens)):
                current = mine.get(p)
                if current is None or length < current[0]:
                    mine[p] = (length, n)
        for p, (length, n) in mine.items():
            entries = short.get(p)
            if entries is None:
                short[p] = [(length, e, n)]
            else:
                entries.append((length, e, n))
    for entries in short.values():
        entries.sort(key=itemgetter(0))  # stable: entities stay in registry order
    return short


class SpeakerIndex:
    """Every active speaker of a field, indexed for search while typing.

    Build once (`from_store`), then `search` on each keystroke: exact words
    and stems map to their names (postings); sorted raw words and sorted
    stems answer prefixes by bisection; every stem and its one-letter
    deletions map back to stems (symmetric delete) for one edit. A typed last
    word of up to SHORT_PREFIX letters begins too many words to walk, so for
    every such prefix the entities are kept in ranking order beforehand.
    """

    def __init__(self, speakers: Iterable[Speaker]):
        self.speakers: list[Speaker] = list(speakers)
        self._by_key = {s.key: e for e, s in enumerate(self.speakers)}
        self._names: list[str] = []
        self._name_entity: list[int] = []
        self._name_tokens: list[tuple[int, ...]] = []  # word ids, in name order
        self._entity_names: list[list[int]] = []
        self._exact: dict[str, str] = {}
        self._raw: list[str] = []  # word id -> normalized word
        self._stem: list[str] = []  # word id -> its stem
        self._postings: list[list[int]] = []  # word id -> names
        word_id: dict[str, int] = {}
        for e, s in enumerate(self.speakers):
            mine = []
            for mk, name in _keyed_names(s).items():
                self._exact.setdefault(mk, s.key)
                tokens = []
                for raw in _WORD_RE.findall(mk):
                    t = word_id.get(raw)
                    if t is None:
                        t = word_id[raw] = len(self._raw)
                        self._raw.append(raw)
                        self._stem.append(stem(raw))
                        self._postings.append([])
                    tokens.append(t)
                if not tokens:
                    continue
                n = len(self._names)
                self._names.append(name)
                self._name_entity.append(e)
                self._name_tokens.append(tuple(tokens))
                mine.append(n)
                for t in dict.fromkeys(tokens):
                    self._postings[t].append(n)
            self._entity_names.append(mine)
        by_stem: dict[str, list[int]] = {}
        for t, st in enumerate(self._stem):
            by_stem.setdefault(st, []).append(t)
        self._by_stem = by_stem
        deletes: dict[str, set[str]] = {}
        for st in by_stem:
            if len(st) >= FUZZY_MIN:
                deletes.setdefault(st, set()).add(st)
                for d in _deletions(st):
                    deletes.setdefault(d, set()).add(st)
        self._deletes = deletes
        self._raw_keys = sorted(word_id)
        self._raw_ids = [word_id[w] for w in self._raw_keys]
        self._stem_keys = sorted(by_stem)
        self._stem_ids = [by_stem[st] for st in self._stem_keys]
        stem_pre = [_prefixes(st) for st in self._stem]
        any_pre = [_prefixes(raw) | stem_pre[t] for t, raw in enumerate(self._raw)]
        self._short_any = _short_lists(self._entity_names, self._name_tokens, any_pre)
        self._short_stem = _short_lists(self._entity_names, self._name_tokens, stem_pre)

    @classmethod
    def from_store(cls, store: Store, field: str) -> SpeakerIndex:
        return cls(load_speakers(store, field))

    def exact(self, name: str) -> str | None:
        """The key of the speaker whose label or alias is this name (normalized)."""
        return self._exact.get(match_key(name))

    # -- search ----------------------------------------------------------------

    def search(self, query: str, limit: int = 30, prefer: Sequence[str] = ()) -> list[SpeakerMatch]:
        """The speakers the query may mean, best first (see the module doc)."""
        q = _parse(query)
        if not q.raws:
            return _empty(self.speakers, limit, prefer)
        k = len(q.raws)
        last = k - 1
        # A short typed stem is answered from its precomputed list (below)
        # instead of walking every word it begins.
        short = q.prefix and len(q.stems[last]) <= SHORT_PREFIX
        matches = [self._word_matches(q, i) for i in range(k)]
        candidates: set[int] = set()
        for found in matches:
            for t in found:
                candidates.update(self._postings[t])
        best: dict[int, tuple[_Key, int]] = {}
        for n in candidates:
            key = self._score_name(n, matches, q, short)
            if key is not None:
                _offer(best, self._name_entity[n], key, n)
        if short:
            self._short_candidates(q, best, limit, prefer)
        return _rank(best, self.speakers, self._names, limit, prefer)

    def _word_matches(self, q: _Query, i: int) -> dict[int, int]:
        """{word id: quality} for query word i (without the prefixes of a
        short last word: `_short_candidates` brings those)."""
        qs, qr = q.stems[i], q.raws[i]
        found: dict[int, int] = {}
        if q.prefix and i == len(q.raws) - 1:
            if len(qs) > SHORT_PREFIX:
                lo = bisect_right(self._stem_keys, qs)
                hi = bisect_left(self._stem_keys, qs + _MAX, lo)
                for ids in self._stem_ids[lo:hi]:
                    found.update(dict.fromkeys(ids, 1))
            if len(qr) > SHORT_PREFIX and qr != qs:
                lo = bisect_right(self._raw_keys, qr)
                hi = bisect_left(self._raw_keys, qr + _MAX, lo)
                found.update(dict.fromkeys(self._raw_ids[lo:hi], 1))
        if len(qs) >= FUZZY_MIN:
            near: set[str] = set(self._deletes.get(qs, ()))
            for d in _deletions(qs):
                near.update(self._deletes.get(d, ()))
            for st in near:
                if st != qs and one_edit(qs, st):
                    found.update(dict.fromkeys(self._by_stem[st], 1))
        found.update(dict.fromkeys(self._by_stem.get(qs, ()), 0))
        return found

    def _score_name(
        self, n: int, matches: list[dict[int, int]], q: _Query, short: bool
    ) -> _Key | None:
        tokens = self._name_tokens[n]
        quals: list[Callable[[int], int | None]] = [
            (lambda j, found=found: found.get(tokens[j])) for found in matches
        ]
        if short:
            last = len(q.raws) - 1
            quals[last] = lambda j: _quality(q, last, self._raw[tokens[j]], self._stem[tokens[j]])
        return _key(quals, len(tokens), len(q.raws))

    def _short_candidates(
        self, q: _Query, best: dict[int, tuple[_Key, int]], limit: int, prefer: Sequence[str]
    ) -> None:
        """Entities reached only through the short last word, as a prefix.

        Such a name matches one word (the last), inexactly, so its key
        depends on its length alone and the precomputed list is in ranking
        order (shortest name, then registry order): an entity past the first
        `limit` entries has `limit` entities ranked above it, whatever the
        other candidates. Preferred entities win ties, so they are looked up
        directly.
        """
        k = len(q.raws)
        qs, qr = q.stems[-1], q.raws[-1]
        # Raw and stem alike when the typed word was not stemmed (qs == qr);
        # else the stem only (a long raw prefix was walked as usual).
        lists = self._short_any if qs == qr else self._short_stem

        def key_of(length: int) -> _Key:
            return (length == 1 or k == 1, 1, -1, -(length - 1), -(k - 1))

        for length, e, n in lists.get(qs, ())[:limit]:
            _offer(best, e, key_of(length), n)
        for key in prefer:
            e = self._by_key.get(key)
            if e is None:
                continue
            hits = [
                (len(self._name_tokens[n]), n)
                for n in self._entity_names[e]
                if any(
                    self._stem[t].startswith(qs) or (qs == qr and self._raw[t].startswith(qr))
                    for t in self._name_tokens[n]
                )
            ]
            if hits:
                length, n = min(hits)
                _offer(best, e, key_of(length), n)


def _offer(best: dict[int, tuple[_Key, int]], e: int, key: _Key, n: int) -> None:
    """Keep an entity's best name: the highest key, then the first name."""
    current = best.get(e)
    if current is None or key > current[0] or (key == current[0] and n < current[1]):
        best[e] = (key, n)


# -- the registry in the store --------------------------------------------------------


def load_speakers(store: Store, field: str) -> list[Speaker]:
    """Every active (not merged) entity of a field, in registry order."""
    result: dict[int, dict[str, Any]] = {}
    for eid, key, label, label_ar, creator, alias in store.conn.execute(
        "SELECT e.id, e.key, e.label, e.label_ar, c.name, a.alias FROM entities e"
        " LEFT JOIN coders c ON c.id = e.created_by"
        " LEFT JOIN entity_aliases a ON a.entity_id = e.id"
        " WHERE e.field = ? AND e.merged_into IS NULL ORDER BY e.id, a.id",
        (field,),
    ):
        entry = result.setdefault(
            eid, {"key": key, "label": label, "label_ar": label_ar, "by": creator, "aliases": []}
        )
        if alias is not None:
            entry["aliases"].append(alias)
    speakers = []
    for entry in result.values():
        own = {match_key(entry["label"]), match_key(entry["label_ar"] or "")}
        aliases = tuple(a for a in entry["aliases"] if match_key(a) not in own)
        speakers.append(
            Speaker(entry["key"], entry["label"], entry["label_ar"] or "", aliases, entry["by"])
        )
    return speakers
