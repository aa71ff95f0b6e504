"""Who codes which article: balanced, reproducible assignments of articles to coders.

    from workbench.assign import assign, assigned_article_ids
    result = assign(store, ["amina", "omar", "leila"], per_article=2, seed=7)
    result = assign(store, ["amina", "omar", "leila"], overlap=0.2)   # 20% double-coded
    assigned_article_ids(store, "amina")                              # [article id, ...]

The design (`per_article=k` or `overlap=p`, exactly one):

- `per_article=k`: every article of the run gets exactly k distinct coders
  (1 <= k <= number of coders).
- `overlap=p` (0 <= p <= 1): round(p x articles of the run), rounded half up,
  get two distinct coders and the rest one; which articles are double-coded
  is a seeded random sample, so the reliability subset is representative.

Balance. Work is measured in sentences, since articles differ in length.
Articles go out longest first. An article needing k coders goes to coders
whose load is at most its length above the k-th least loaded, preferring
those who have shared the fewest articles with each other (so every pair of
coders gets units for a pairwise Cohen's kappa), then the less loaded; if
that choice would break the guarantee, to the k least loaded. Guarantee: afterwards the sentence loads of the
run's coders (over every current article assigned to them) differ by at most
the larger of the difference before the run and the longest article of the
run; for a first run, by at most the longest article. Pairs are spread as
evenly as that bound allows; the summary shows what each pair shares.

Reproducibility. The same articles (by content hash, whatever the import
order), coders (in any order) and seed give the same assignment; the seed and
every parameter are stored in `assignment_runs.params`.

Re-running. By default a run assigns only articles that have no coder yet
(the common case: more articles were imported), balancing against the loads
the coders already have; articles already assigned keep their coders.
`replace=True` deletes the assignments of the articles in scope and assigns
them afresh. Labels are never touched: a label made on an article that is no
longer assigned to its coder stays. A new version of an article is a new
article here. Each run is one transaction; bad input raises WorkbenchError
before anything is written.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from workbench.errors import WorkbenchError
from workbench.store import DONE_SQL, Store, canonical_json, now, sql_in

if TYPE_CHECKING:
    from rich.console import Console

    from workbench.display import DisplayMode

# Stored with every run: the same seed means the same assignment only under
# the same algorithm, so a change to `plan` must change this name.
ALGORITHM = "sentence-balanced-greedy/1"

K = TypeVar("K", bound=Hashable)
Pair = frozenset[str]


@dataclass(frozen=True)
class CoderLoad:
    """One coder's assignment over the current articles."""

    coder: str
    articles: int
    sentences: int
    shared: dict[str, int] = field(default_factory=dict)  # other coder -> articles both have


@dataclass(frozen=True)
class AssignResult:
    run_id: int | None  # None: nothing needed assigning, nothing was written
    params: dict[str, Any]
    assigned: dict[int, tuple[str, ...]]  # article id -> its coders, this run only
    kept: int  # articles in scope that already had coders and kept them
    removed: int  # assignments deleted by replace=True
    new_coders: list[str]  # names this run added to the database
    loads: list[CoderLoad]  # the run's coders, after the run
    bound: int  # the guaranteed maximum difference of sentence loads

    @property
    def spread(self) -> int:
        """The actual difference between the largest and smallest sentence load."""
        sentences = [load.sentences for load in self.loads]
        return max(sentences) - min(sentences) if sentences else 0


@dataclass(frozen=True)
class AssignmentProgress:
    """A coder's progress through the current articles assigned to them."""

    coder: str
    articles: int
    sentences: int
    done: int  # assigned sentences labeled, skipped or flagged


# -- the design, without a database ---------------------------------------


def check_design(coders: Sequence[str], per_article: int | None, overlap: float | None) -> None:
    """Raise WorkbenchError for a design that cannot be assigned."""
    if not coders:
        raise WorkbenchError("give at least one coder (--coders a,b,c)")
    for name, count in Counter(coders).items():
        if not name.strip() or name != name.strip():
            raise WorkbenchError(f"coder name {name!r} is empty or has surrounding spaces")
        if count > 1:
            raise WorkbenchError(f"coder {name!r} is listed twice")
    if (per_article is None) == (overlap is None):
        raise WorkbenchError("give exactly one of --per-article K and --overlap P")
    if per_article is not None:
        if isinstance(per_article, bool) or not isinstance(per_article, int) or per_article < 1:
            raise WorkbenchError(f"--per-article must be a whole number >= 1, not {per_article!r}")
        if per_article > len(coders):
            raise WorkbenchError(
                f"--per-article {per_article} needs at least {per_article} coders; "
                f"{len(coders)} given"
            )
    if overlap is not None:
        if not isinstance(overlap, int | float) or not 0 <= overlap <= 1:
            raise WorkbenchError(f"--overlap must be between 0 and 1, not {overlap!r}")
        if overlap > 0 and len(coders) < 2:
            raise WorkbenchError("--overlap above 0 needs at least two coders")


def double_coded_count(overlap: float, articles: int) -> int:
    """round(overlap x articles), half up, from the number as written (0.3, not 0.2999…)."""
    exact = Decimal(repr(float(overlap))) * articles
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def balance_bound(loads: Iterable[int], weights: Iterable[int]) -> int:
    """The most a run lets sentence loads differ: the larger of their
    difference before it and its longest article."""
    loads, weights = list(loads), list(weights)
    return max(max(loads, default=0) - min(loads, default=0), max(weights, default=0))


def plan(
    articles: Sequence[tuple[K, int]],
    coders: Sequence[str],
    *,
    per_article: int | None = None,
    overlap: float | None = None,
    seed: int = 0,
    loads: Mapping[str, int] | None = None,
    shared: Mapping[Pair, int] | None = None,
) -> dict[K, tuple[str, ...]]:
    """Assign coders to articles; pure, so it is tested on its own.

    `articles` is (key, sentences) in a canonical order (the same inputs in
    the same order give the same plan); `loads` and `shared` are the
    sentences and pairwise shared articles the coders already have. Returns
    each article's coders, in the order they were picked.
    """
    check_design(coders, per_article, overlap)
    rng = random.Random(seed)
    # Seeded ranks break every tie; drawn in sorted order, so the order in
    # which coders are listed does not matter.
    names = sorted(coders)
    rank = {name: rng.random() for name in names}
    article_rank = [rng.random() for _ in articles]
    if overlap is not None:
        doubles = double_coded_count(overlap, len(articles))
        draw = sorted(range(len(articles)), key=[rng.random() for _ in articles].__getitem__)
        chosen = set(draw[:doubles])
        need = [2 if i in chosen else 1 for i in range(len(articles))]
    else:
        need = [per_article or 1] * len(articles)
    load = {name: (loads or {}).get(name, 0) for name in names}
    pairs: Counter[Pair] = Counter({p: n for p, n in (shared or {}).items() if p <= set(names)})
    bound = balance_bound(load.values(), (w for _, w in articles))
    # Longest first, as in LPT scheduling: the short articles at the end even
    # out what the long ones left uneven.
    order = sorted(range(len(articles)), key=lambda i: (-articles[i][1], article_rank[i]))
    result: dict[K, tuple[str, ...]] = {}
    for i in order:
        key, weight = articles[i]
        picked = _pick(need[i], weight, load, pairs, rank, bound)
        for name in picked:
            load[name] += weight
        pairs.update(frozenset(p) for p in itertools.combinations(picked, 2))
        result[key] = picked
    return result


def _pick(
    k: int,
    weight: int,
    load: dict[str, int],
    pairs: Counter[Pair],
    rank: dict[str, float],
    bound: int,
) -> tuple[str, ...]:
    by_load = sorted(load, key=lambda name: (load[name], rank[name]))
    least = tuple(by_load[:k])
    if k == 1:
        return least
    # Eligible: within one article of the k-th least loaded. The least-loaded
    # k are always eligible and always keep the spread within `bound` (adding
    # `weight` to the k smallest loads widens the spread to at most
    # max(spread, weight)), so that set is the fallback.
    limit = load[by_load[k - 1]] + weight
    eligible = [name for name in by_load if load[name] <= limit]
    # First the coder with the least-used pairing available, then whoever has
    # shared the fewest articles with those already picked.
    first = min(
        eligible,
        key=lambda c: (
            min(pairs[frozenset((c, d))] for d in eligible if d != c),
            load[c],
            rank[c],
        ),
    )
    picked = [first]
    while len(picked) < k:
        picked.append(
            min(
                (c for c in eligible if c not in picked),
                key=lambda c: (sum(pairs[frozenset((c, p))] for p in picked), load[c], rank[c]),
            )
        )
    after = [load[name] + (weight if name in picked else 0) for name in load]
    return tuple(picked) if max(after) - min(after) <= bound else least


# -- the database -----------------------------------------------------------


def assign(
    store: Store,
    coders: Sequence[str],
    *,
    per_article: int | None = None,
    overlap: float | None = None,
    seed: int = 0,
    articles: Sequence[str] | None = None,
    replace: bool = False,
) -> AssignResult:
    """Assign the current articles (or those with these ids) to `coders`.

    See the module docstring for the design and what a re-run does. One
    transaction: on any error nothing is written.
    """
    coders = list(coders)
    check_design(coders, per_article, overlap)
    params: dict[str, Any] = {
        "algorithm": ALGORITHM,
        "coders": coders,
        "seed": seed,
        "replace": replace,
        "articles": list(articles) if articles is not None else None,
    }
    params["per_article" if per_article is not None else "overlap"] = (
        per_article if per_article is not None else overlap
    )
    with store.transaction():
        scope = _scope(store, articles)
        removed = 0
        if replace:
            clause, values = sql_in("article_id", [a for a, _, _ in scope])
            removed = store.conn.execute(f"DELETE FROM assignments WHERE {clause}", values).rowcount
        taken = set(assignments(store))
        todo = [(a, sentences, h) for a, sentences, h in scope if a not in taken]
        before = coder_loads(store, coders)
        bound = balance_bound((c.sentences for c in before), (s for _, s, _ in todo))
        known = set(store.coders())
        new_coders = [name for name in coders if name not in known]
        assigned: dict[int, tuple[str, ...]] = {}
        run_id = None
        if todo:
            # Content-hash order: machines that imported the same articles in
            # another order still get the same assignment from the same seed.
            todo.sort(key=lambda row: row[2])
            assigned = plan(
                [(a, sentences) for a, sentences, _ in todo],
                coders,
                per_article=per_article,
                overlap=overlap,
                seed=seed,
                loads={c.coder: c.sentences for c in before},
                shared={frozenset((c.coder, o)): n for c in before for o, n in c.shared.items()},
            )
            run_id = _write(store, params, assigned)
        else:
            new_coders = []
        return AssignResult(
            run_id=run_id,
            params=params,
            assigned=assigned,
            kept=len(scope) - len(todo),
            removed=removed,
            new_coders=new_coders,
            loads=coder_loads(store, coders),
            bound=bound,
        )


def _scope(store: Store, ext_ids: Sequence[str] | None) -> list[tuple[int, int, str]]:
    """(article id, sentences, content hash) of the current articles asked for."""
    where, params = "a.is_current = 1", []
    if ext_ids is not None:
        clause, params = sql_in("a.ext_id", ext_ids)
        where += f" AND {clause}"
    rows = store.conn.execute(
        "SELECT a.id, a.ext_id, a.content_hash,"
        " (SELECT COUNT(*) FROM sentences s WHERE s.article_id = a.id)"
        f" FROM articles a WHERE {where} ORDER BY a.id",
        params,
    ).fetchall()
    if ext_ids is not None:
        missing = sorted(set(ext_ids) - {r[1] for r in rows})
        if missing:
            raise WorkbenchError(f"no article with id {', '.join(map(repr, missing))}", store.path)
    if not rows:
        raise WorkbenchError("no articles: run `workbench import PATH` first", store.path)
    return [
        (article_id, sentences, content_hash) for article_id, _, content_hash, sentences in rows
    ]


def _write(store: Store, params: dict[str, Any], assigned: Mapping[int, Sequence[str]]) -> int:
    run_id = store.conn.execute(
        "INSERT INTO assignment_runs (params, created_at) VALUES (?, ?)",
        (canonical_json(params), now()),
    ).lastrowid
    assert run_id is not None
    ids = {name: store.ensure_coder(name) for names in assigned.values() for name in names}
    store.conn.executemany(
        "INSERT INTO assignments (article_id, coder_id, run_id) VALUES (?, ?, ?)",
        ((article, ids[name], run_id) for article, names in assigned.items() for name in names),
    )
    return run_id


# -- reading ----------------------------------------------------------------


def _current_assignments(store: Store, coder: str | None = None) -> list[tuple[int, str]]:
    """(article id, coder) of the assignments on current articles, of one coder or all."""
    where, params = "a.is_current = 1", []
    if coder is not None:
        where, params = where + " AND c.name = ?", [coder]
    return store.conn.execute(
        "SELECT x.article_id, c.name FROM assignments x JOIN coders c ON c.id = x.coder_id"
        f" JOIN articles a ON a.id = x.article_id WHERE {where} ORDER BY x.article_id, c.name",
        params,
    ).fetchall()


def assignments(store: Store) -> dict[int, list[str]]:
    """{article id: its coders, sorted} for the current articles that have any."""
    result: dict[int, list[str]] = {}
    for article_id, coder in _current_assignments(store):
        result.setdefault(article_id, []).append(coder)
    return result


def assigned_article_ids(store: Store, coder: str) -> list[int]:
    """The current articles assigned to `coder`, in import order."""
    return [a for a, _ in _current_assignments(store, coder)]


def coder_loads(store: Store, coders: Sequence[str] | None = None) -> list[CoderLoad]:
    """Articles, sentences and shared articles of each coder (default: every
    coder with an assignment), over the current articles."""
    by_article = assignments(store)
    sentences = dict(
        store.conn.execute(
            "SELECT a.id, COUNT(s.id) FROM articles a JOIN sentences s ON s.article_id = a.id"
            " WHERE a.is_current = 1 GROUP BY a.id"
        ).fetchall()
    )
    names = (
        list(coders)
        if coders is not None
        else sorted({c for cs in by_article.values() for c in cs})
    )
    articles: Counter[str] = Counter()
    load: Counter[str] = Counter()
    shared: dict[str, Counter[str]] = {name: Counter() for name in names}
    for article_id, those in by_article.items():
        for name in those:
            articles[name] += 1
            load[name] += sentences.get(article_id, 0)
            if name in shared:
                shared[name].update(o for o in those if o != name)
    return [
        CoderLoad(
            name,
            articles[name],
            load[name],
            {o: shared[name][o] for o in names if o != name},
        )
        for name in names
    ]


def assignment_progress(store: Store) -> dict[str, AssignmentProgress]:
    """{coder: progress} for every coder with an assignment on a current article."""
    rows = store.conn.execute(
        "SELECT c.name, COUNT(DISTINCT x.article_id), COUNT(s.id), COUNT(l.sentence_id)"
        " FROM assignments x JOIN coders c ON c.id = x.coder_id"
        " JOIN articles a ON a.id = x.article_id AND a.is_current = 1"
        " JOIN sentences s ON s.article_id = x.article_id"
        " LEFT JOIN labels l ON l.sentence_id = s.id AND l.coder_id = x.coder_id"
        f" AND l.status IN {DONE_SQL}"
        " GROUP BY c.name ORDER BY c.name"
    ).fetchall()
    return {name: AssignmentProgress(name, n, total, done) for name, n, total, done in rows}


def render_result(
    result: AssignResult, console: Console | None = None, mode: DisplayMode = "terminal"
) -> None:
    """The run's parameters, what it did, and every coder's load and pairings,
    names drawn for `mode` (see `workbench.tables`)."""
    from rich.console import Console
    from rich.table import Table

    from workbench.tables import DataCell, figure, print_lines

    console = console or Console()

    def say(line: str) -> None:
        # Coder names and article ids are data. soft_wrap: in terminal mode
        # the parameters line stays one line, to be copied or parsed.
        print_lines(console, line, mode, soft_wrap=True)

    design = (
        f"{result.params['per_article']} coder(s) each"
        if "per_article" in result.params
        else f"overlap {result.params['overlap']}: "
        f"{sum(len(c) > 1 for c in result.assigned.values())} double-coded"
    )
    if result.run_id is None:
        say(
            f"nothing to assign: all {result.kept} article(s) already have coders "
            "(--replace assigns them afresh)"
        )
    else:
        say(f"run {result.run_id}: {canonical_json(result.params)}")
        say(
            f"assigned {len(result.assigned)} article(s), {design}; "
            f"{result.kept} article(s) already assigned kept their coders"
            + (f"; {result.removed} earlier assignment(s) replaced" if result.removed else "")
            + (f"; new coder(s): {', '.join(result.new_coders)}" if result.new_coders else "")
        )
    table = Table(
        title="assignments over the current articles",
        title_justify="left",
        caption="name columns: articles shared with that coder",
        caption_justify="left",
    )
    table.add_column("coder")
    table.add_column("articles", justify="right")
    table.add_column("sentences", justify="right")
    for load in result.loads:
        table.add_column(DataCell(load.coder, mode), justify="right")
    for load in result.loads:
        table.add_row(
            DataCell(load.coder, mode),
            figure(load.articles),
            figure(load.sentences),
            *(figure(load.shared[o.coder] if o.coder != load.coder else "-") for o in result.loads),
        )
    console.print(table)
    # A run that assigned nothing guarantees nothing new: its bound is moot.
    bound = "" if result.run_id is None else f" (guaranteed at most {result.bound})"
    say(f"sentence loads differ by {result.spread}{bound}")
