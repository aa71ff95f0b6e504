"""Study rounds: training, pilot, reliability and production coding.

A round fixes a set of sentences, its coders and the codebook version in
force when it was created (Lombard et al. 2002, guidelines 5-7; Krippendorff
2019: reliability is tested on the final instrument, with units not used in
training). Its sentences are whole articles (`articles`) or a seeded sample
of sentences no earlier round used (`sample`), stratified by a field's values
as coded so far so that the rarest values are oversampled
(`workbench.sampling`). Closing a round makes its coders' labels on its
sentences final: the store refuses any change to them (a trigger, whatever
path the write takes). A training round may name an answer key (adjudicated
gold, or one expert coder's labels) that trainees are shown after each
commit and measured against.

The tables (schema 5) are read and written here, on the store's transaction
primitives; every create and close is logged in `round_events`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from workbench.codebook import Codebook, parse_codebook
from workbench.errors import WorkbenchError
from workbench.sampling import UNCODED, draw, majority_value
from workbench.store import DONE_SQL, Store, canonical_json, now, sql_in

KINDS = ("training", "pilot", "reliability", "production")
PASS_ALPHA = 0.8  # Krippendorff (2019): alpha >= .800 to rely on the data
GOLD_KEY = "gold"  # --key gold: the adjudicated gold is the answer key
STRATIFIABLE = ("single", "ordinal", "entity")  # one value per label


class RoundError(WorkbenchError):
    """A round that cannot be created, found or closed as asked."""


@dataclass(frozen=True)
class Round:
    id: int
    name: str
    kind: str
    codebook_id: int
    codebook: tuple[str, str]  # (name, version) in force when created
    params: dict[str, Any]
    coders: tuple[str, ...]
    sentences: int
    created_by: str
    created_at: str
    closed_by: str | None
    closed_at: str | None

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def key(self) -> str | None:
        """Whose answers are the key of a training round: a coder, or GOLD_KEY."""
        return self.params.get("key")

    @property
    def pass_alpha(self) -> float:
        return float(self.params.get("pass_alpha", PASS_ALPHA))


_SELECT = (
    "SELECT r.id, r.name, r.kind, r.codebook_id, c.name, c.version, r.params, r.created_by,"
    " r.created_at, r.closed_by, r.closed_at,"
    " (SELECT COUNT(*) FROM round_sentences rs WHERE rs.round_id = r.id)"
    " FROM rounds r JOIN codebooks c ON c.id = r.codebook_id"
)


def _round(store: Store, row: Sequence[Any]) -> Round:
    rid, name, kind, cid, book, version, params, by, at, closed_by, closed_at, n = row
    coders = tuple(
        r[0]
        for r in store.conn.execute(
            "SELECT c.name FROM round_coders rc JOIN coders c ON c.id = rc.coder_id"
            " WHERE rc.round_id = ? AND rc.role = 'coder' ORDER BY c.name",
            (rid,),
        )
    )
    return Round(
        rid, name, kind, cid, (book, version), json.loads(params), coders, n, by, at,
        closed_by, closed_at,
    )  # fmt: skip


def list_rounds(store: Store) -> list[Round]:
    """Every round, oldest first."""
    return [_round(store, r) for r in store.conn.execute(_SELECT + " ORDER BY r.id").fetchall()]


def get_round(store: Store, name: str) -> Round:
    """The round called `name`; RoundError listing the rounds there are."""
    row = store.conn.execute(_SELECT + " WHERE r.name = ?", (name,)).fetchone()
    if row is None:
        names = ", ".join(r.name for r in list_rounds(store)) or "none yet"
        raise RoundError(f"no round called {name!r} (rounds: {names})", store.path)
    return _round(store, row)


def sentence_ids(store: Store, rnd: Round) -> list[int]:
    """The round's sentences, in corpus order."""
    return [
        r[0]
        for r in store.conn.execute(
            "SELECT rs.sentence_id FROM round_sentences rs JOIN sentences s ON s.id = rs.sentence_id"
            " WHERE rs.round_id = ? ORDER BY s.article_id, s.idx",
            (rnd.id,),
        )
    ]


def article_ids(store: Store, rnd: Round) -> list[str]:
    """The ext ids of the articles the round's sentences are in, in import order."""
    return [
        r[0]
        for r in store.conn.execute(
            "SELECT DISTINCT a.ext_id FROM round_sentences rs JOIN sentences s"
            " ON s.id = rs.sentence_id JOIN articles a ON a.id = s.article_id"
            " WHERE rs.round_id = ? ORDER BY a.id",
            (rnd.id,),
        )
    ]


# -- creating ----------------------------------------------------------------


def create_round(
    store: Store,
    name: str,
    kind: str,
    coders: Sequence[str],
    codebook: Codebook,
    *,
    by: str,
    articles: Sequence[str] | None = None,
    sample: int | None = None,
    stratify_by: str | None = None,
    seed: int = 0,
    key: str | None = None,
    pass_alpha: float = PASS_ALPHA,
) -> Round:
    """Create a round and fix its sentences, coders and codebook version.

    Exactly one of `articles` (their current versions, every sentence) and
    `sample` (that many sentences of current articles that no earlier round
    used, drawn with `seed`, stratified by `stratify_by` if given). `key`
    (training rounds only) is a coder whose labels, or GOLD_KEY, whose
    adjudicated gold, is the answer key. Everything is written in one
    transaction, with a `create` event naming `by`.
    """
    name = name.strip()
    _check_name(store, name)
    if kind not in KINDS:
        raise RoundError(f"--kind must be one of {', '.join(KINDS)}, not {kind!r}")
    coders = list(dict.fromkeys(c.strip() for c in coders if c.strip()))
    if not coders:
        raise RoundError("a round needs at least one coder (--coders a,b,...)")
    if (articles is None) == (sample is None):
        raise RoundError("give either --articles ID,... or --sample N")
    if articles is not None and not [a for a in articles if a.strip()]:
        raise RoundError("--articles names no article (give their ids: --articles ID,...)")
    if stratify_by is not None and sample is None:
        raise RoundError("--stratify-by works with --sample N")
    if key is not None and kind != "training":
        raise RoundError(f"--key is for training rounds; this is a {kind} round")
    if key is not None:
        _check_key(store, key, coders)
    if not 0 < pass_alpha <= 1:
        raise RoundError(f"--pass-alpha must be in (0, 1], not {pass_alpha}")
    with store.transaction():
        codebook_id = store.register_codebook(codebook)
        params: dict[str, Any] = {}
        if articles is not None:
            chosen = [(sid, None) for sid in _article_sentences(store, articles)]
            params["articles"] = list(dict.fromkeys(articles))
        else:
            assert sample is not None
            chosen, params = _sample(store, codebook, sample, stratify_by, seed, len(coders))
        if key is not None:
            params.update(key=key, pass_alpha=pass_alpha)
        stamp = now()
        rid = store.conn.execute(
            "INSERT INTO rounds (name, kind, codebook_id, params, created_by, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (name, kind, codebook_id, canonical_json(params), by, stamp),
        ).lastrowid
        ids = [store.ensure_coder(c) for c in coders]
        store.conn.executemany(
            "INSERT INTO round_coders (round_id, coder_id) VALUES (?, ?)", [(rid, c) for c in ids]
        )
        if key is not None and key != GOLD_KEY:
            store.conn.execute(
                "INSERT INTO round_coders (round_id, coder_id, role) VALUES (?, ?, 'key')",
                (rid, store.ensure_coder(key)),
            )
        store.conn.executemany(
            "INSERT INTO round_sentences (round_id, sentence_id, stratum) VALUES (?, ?, ?)",
            [(rid, sid, stratum) for sid, stratum in chosen],
        )
        _log(store, rid, "create", by, {"coders": coders, "sentences": len(chosen)}, stamp)
    return get_round(store, name)


def _check_name(store: Store, name: str) -> None:
    if not name or any(not c.isprintable() for c in name):
        raise RoundError(f"a round name must be printable text, not {name!r}")
    if store.conn.execute("SELECT 1 FROM rounds WHERE name = ?", (name,)).fetchone():
        raise RoundError(f"there is already a round called {name!r}", store.path)


def _check_key(store: Store, key: str, coders: Sequence[str]) -> None:
    if key == GOLD_KEY:
        return
    if key in coders:
        raise RoundError(f"the key {key!r} is one of the round's coders; a key answers alone")
    if key not in store.coders():
        known = ", ".join(store.coders()) or "none"
        raise RoundError(
            f"no coder called {key!r} to be the key (coders: {known}; or --key {GOLD_KEY})",
            store.path,
        )


def _article_sentences(store: Store, articles: Sequence[str]) -> list[int]:
    clause, params = sql_in("a.ext_id", list(dict.fromkeys(articles)))
    found = {
        r[0]
        for r in store.conn.execute(
            f"SELECT ext_id FROM articles a WHERE a.is_current = 1 AND {clause}", params
        )
    }
    missing = [a for a in dict.fromkeys(articles) if a not in found]
    if missing:
        raise RoundError(f"no article with id {', '.join(map(repr, missing))}", store.path)
    return [
        r[0]
        for r in store.conn.execute(
            "SELECT s.id FROM sentences s JOIN articles a ON a.id = s.article_id"
            f" WHERE a.is_current = 1 AND {clause} ORDER BY a.id, s.idx",
            params,
        )
    ]


def _sample(
    store: Store, codebook: Codebook, n: int, stratify_by: str | None, seed: int, coders: int
) -> tuple[list[tuple[int, str | None]], dict[str, Any]]:
    if n < 1:
        raise RoundError(f"--sample must be at least 1, not {n}")
    used = {r[0] for r in store.conn.execute("SELECT DISTINCT sentence_id FROM round_sentences")}
    current = [
        r[0]
        for r in store.conn.execute(
            "SELECT s.id FROM sentences s JOIN articles a ON a.id = s.article_id"
            " WHERE a.is_current = 1 ORDER BY s.id"
        )
    ]
    candidates = [sid for sid in current if sid not in used]
    if n > len(candidates):
        raise RoundError(
            f"--sample {n}: only {len(candidates)} sentences are left that no earlier round "
            f"used ({len(current) - len(candidates)} are in earlier rounds)",
            store.path,
        )
    params: dict[str, Any] = {
        "sample": n,
        "seed": seed,
        "stratify_by": stratify_by,
        "candidates": len(candidates),
        "in_earlier_rounds": len(current) - len(candidates),
    }
    if stratify_by is None:
        picked = draw(candidates, {}, n, seed, {})
        return [(sid, None) for sid, _ in picked.sentences], params
    stratum_of, coded_before = _strata(store, codebook, stratify_by, set(candidates))
    result = draw(candidates, stratum_of, n, seed, coded_before)
    params["strata"] = [
        {
            "value": s.value,
            "available": s.available,
            "drawn": s.drawn,
            "coded_before": s.coded_before,
        }
        for s in result.strata
    ]
    params["sample_size"] = _expected_check(result.strata, n, max(2, coders))
    return [(sid, None if s == UNCODED else s) for sid, s in result.sentences], params


def _strata(
    store: Store, codebook: Codebook, field_id: str, candidates: set[int]
) -> tuple[dict[int, str], dict[str, int]]:
    """Each candidate's value of the field as coded so far, and how often each
    value was coded anywhere (done labels of every coder and version, merged
    values counted as what replaced them)."""
    try:
        f = codebook.field(field_id)
    except KeyError as exc:
        raise RoundError(f"--stratify-by: {exc.args[0]}") from None
    if f.kind not in STRATIFIABLE:
        raise RoundError(
            f"--stratify-by {field_id}: a {f.kind} field has no one value per sentence "
            f"(stratify by a {', '.join(STRATIFIABLE)} field)"
        )
    renamed = {old: v.id for v in f.values for old in v.replaces}
    allowed = set(f.value_ids)
    coded_before: dict[str, int] = {}
    seen: dict[int, list[str]] = {}
    for sid, data in store.conn.execute(
        f"SELECT sentence_id, data FROM labels WHERE status IN {DONE_SQL}"
    ):
        value = json.loads(data).get(field_id)
        if not isinstance(value, str):
            continue
        value = renamed.get(value, value)
        if f.kind != "entity" and value not in allowed:
            continue  # a value this version no longer has
        coded_before[value] = coded_before.get(value, 0) + 1
        if sid in candidates:
            seen.setdefault(sid, []).append(value)
    return {sid: majority_value(v, coded_before) for sid, v in seen.items()}, coded_before


def _expected_check(strata: Sequence[Any], n: int, coders: int) -> dict[str, Any]:
    """The report's sample-size check (Krippendorff 2019) as the draw expects
    it: each value's share of the sample as drawn, against its share of the
    candidates (what a simple random sample of the same size would hold)."""
    from workbench.reliability import sample_size

    coded = [s for s in strata if s.value != UNCODED]
    drawn = sum(s.drawn for s in coded)
    available = sum(s.available for s in coded)
    if not drawn or not available:
        return {}
    stratified = sample_size({s.value: s.drawn / drawn for s in coded}, n, coders=coders)
    simple = sample_size({s.value: s.available / available for s in coded}, n, coders=coders)
    return {
        "alpha_min": stratified["alpha_min"],
        "rarest": stratified["rarest"],
        "prevalence": stratified["prevalence"],
        "required_units": stratified["required_units"],
        "units": n,
        "simple_random": {
            "rarest": simple["rarest"],
            "prevalence": simple["prevalence"],
            "required_units": simple["required_units"],
        },
    }


# -- closing -----------------------------------------------------------------


def close_round(store: Store, name: str, *, by: str) -> Round:
    """Close a round: its coders' labels on its sentences become final."""
    with store.transaction():
        rnd = get_round(store, name)
        if not rnd.is_open:
            raise RoundError(
                f"round {name!r} was already closed by {rnd.closed_by} at {rnd.closed_at}",
                store.path,
            )
        stamp = now()
        store.conn.execute(
            "UPDATE rounds SET closed_by = ?, closed_at = ? WHERE id = ?", (by, stamp, rnd.id)
        )
        done = progress(store, rnd)
        _log(store, rnd.id, "close", by, {"done": done}, stamp)
    return get_round(store, name)


def _log(store: Store, rid: int, action: str, by: str, detail: dict[str, Any], at: str) -> None:
    store.conn.execute(
        "INSERT INTO round_events (round_id, action, actor, detail, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (rid, action, by, canonical_json(detail), at),
    )


def history(store: Store, rnd: Round) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(action, actor, when, detail) of every event of the round, in order."""
    return [
        (action, actor, at, json.loads(detail))
        for action, actor, at, detail in store.conn.execute(
            "SELECT action, actor, created_at, detail FROM round_events WHERE round_id = ?"
            " ORDER BY id",
            (rnd.id,),
        )
    ]


# -- reading -----------------------------------------------------------------


def progress(store: Store, rnd: Round) -> dict[str, int]:
    """{coder: done labels on the round's sentences}, every round coder listed."""
    counts = dict.fromkeys(rnd.coders, 0)
    for coder, n in store.conn.execute(
        "SELECT c.name, COUNT(*) FROM round_sentences rs JOIN labels l"
        " ON l.sentence_id = rs.sentence_id JOIN round_coders rc ON rc.round_id = rs.round_id"
        " AND rc.coder_id = l.coder_id AND rc.role = 'coder' JOIN coders c ON c.id = l.coder_id"
        f" WHERE rs.round_id = ? AND l.status IN {DONE_SQL} GROUP BY c.name",
        (rnd.id,),
    ):
        counts[coder] = n
    return counts


def open_rounds_of(store: Store, coder: str) -> list[Round]:
    """The open rounds `coder` codes in, oldest first."""
    return [r for r in list_rounds(store) if r.is_open and coder in r.coders]


def stale_fields(store: Store, rnd: Round) -> list[str]:
    """Coded fields whose meaning changed (a semantic change) between the
    round's codebook version and the newest version of that codebook: the
    figures measured in the round no longer describe the instrument in use,
    and a reliability round must be re-tested."""
    from workbench.codebook_diff import diff_codebooks, semantic_fields

    newest = store.newest_codebook(rnd.codebook[0])
    if newest is None or newest[0] == rnd.codebook_id:
        return []
    old, new = round_codebook(store, rnd), parse_codebook(*newest[2:])
    changed = semantic_fields(diff_codebooks(old, new))
    return [f.id for f in old.fields if f.kind != "text" and f.id in changed]


def round_codebook(store: Store, rnd: Round) -> Codebook:
    """The codebook version in force when the round was created."""
    source, path = store.conn.execute(
        "SELECT source, path FROM codebooks WHERE id = ?", (rnd.codebook_id,)
    ).fetchone()
    return parse_codebook(source, path)


def newest_version(store: Store, rnd: Round) -> str:
    """The newest registered version of the round's codebook."""
    newest = store.newest_codebook(rnd.codebook[0])
    assert newest is not None
    return newest[1]


def training_round_for(store: Store, coder: str, sentence_id: int) -> Round | None:
    """The open training round with a key in which `coder` codes this sentence."""
    row = store.conn.execute(
        _SELECT + " JOIN round_sentences rs ON rs.round_id = r.id"
        " JOIN round_coders rc ON rc.round_id = r.id AND rc.role = 'coder'"
        " JOIN coders k ON k.id = rc.coder_id"
        " WHERE r.kind = 'training' AND r.closed_at IS NULL AND rs.sentence_id = ?"
        " AND k.name = ? ORDER BY r.id LIMIT 1",
        (sentence_id, coder),
    ).fetchone()
    rnd = None if row is None else _round(store, row)
    return rnd if rnd is not None and rnd.key is not None else None


def key_answer(store: Store, rnd: Round, sentence_id: int) -> dict[str, Any] | None:
    """The key's done label state for a sentence of a training round, or None."""
    if rnd.key == GOLD_KEY:
        state = store.gold(sentence_id)
    else:
        assert rnd.key is not None
        state = store.label(sentence_id, rnd.key)
    if state is None or state.get("status") not in ("labeled", "skipped", "flagged"):
        return None
    return state


def key_coverage(store: Store, rnd: Round) -> int:
    """How many of the round's sentences the key answers."""
    return sum(key_answer(store, rnd, sid) is not None for sid in sentence_ids(store, rnd))


def round_summary(store: Store, rnd: Round) -> dict[str, Any]:
    """The round as the agreement JSON's "round" key: what it is, how its
    sentences were chosen, its history, progress and, for a reliability
    round, whether it is stale (training and pilot rounds are there to
    change the codebook; only a reliability figure stands for it)."""
    stale = stale_fields(store, rnd) if rnd.kind == "reliability" else []
    summary: dict[str, Any] = {
        "name": rnd.name,
        "kind": rnd.kind,
        "codebook": {"name": rnd.codebook[0], "version": rnd.codebook[1]},
        "coders": list(rnd.coders),
        "sentences": rnd.sentences,
        "design": {k: v for k, v in rnd.params.items() if k not in ("key", "pass_alpha")},
        "created": {"by": rnd.created_by, "at": rnd.created_at},
        "closed": None if rnd.is_open else {"by": rnd.closed_by, "at": rnd.closed_at},
        "progress": progress(store, rnd),
        "stale_fields": stale,
        "stale": bool(stale),
    }
    if stale:
        summary["stale_note"] = (
            f"re-test required: {', '.join(stale)} changed in meaning between codebook "
            f"{rnd.codebook[1]} and {newest_version(store, rnd)}"
        )
    if rnd.kind == "reliability":
        summary["independence"] = INDEPENDENCE + (
            "; its labels become final when the round closes"
            if rnd.is_open
            else "; each label was final once the round closed"
        )
    if rnd.key is not None:
        summary["key"] = rnd.key
        summary["pass_alpha"] = rnd.pass_alpha
    return summary


INDEPENDENCE = (
    "coded independently: each coder saw only their own labels (the labeling screen never "
    "shows another coder's)"
)


# -- what the labeling screen needs ------------------------------------------


def locked_in_article(store: Store, coder: str, article_id: int) -> dict[int, str]:
    """{sentence id: closed round} of the coder's final labels in an article."""
    return dict(
        store.conn.execute(
            "SELECT rs.sentence_id, MIN(r.name) FROM round_sentences rs"
            " JOIN rounds r ON r.id = rs.round_id JOIN round_coders rc ON rc.round_id = r.id"
            " JOIN coders c ON c.id = rc.coder_id JOIN sentences s ON s.id = rs.sentence_id"
            " WHERE r.closed_at IS NOT NULL AND c.name = ? AND s.article_id = ?"
            " GROUP BY rs.sentence_id",
            (coder, article_id),
        ).fetchall()
    )


def open_round_sentences(store: Store, coder: str) -> dict[int, Round]:
    """{sentence id: the oldest open round of the coder's that holds it}."""
    result: dict[int, Round] = {}
    for rnd in open_rounds_of(store, coder):
        for sid in sentence_ids(store, rnd):
            result.setdefault(sid, rnd)
    return result


def round_progress_by_article(
    store: Store, coder: str, in_round: dict[int, Round]
) -> dict[int, tuple[str, int, int]]:
    """{article id: (the open round shown for it, the coder's done sentences
    of that round there, that round's sentences there)}; `in_round` is
    `open_round_sentences(store, coder)`."""
    if not in_round:
        return {}
    result: dict[int, tuple[str, int, int]] = {}
    for sid, article_id, done in store.conn.execute(
        "SELECT s.id, s.article_id, EXISTS (SELECT 1 FROM labels l JOIN coders c"
        " ON c.id = l.coder_id WHERE l.sentence_id = s.id AND c.name = ?"
        f" AND l.status IN {DONE_SQL}) FROM sentences s WHERE s.id IN (SELECT rs.sentence_id"
        " FROM round_sentences rs JOIN rounds r ON r.id = rs.round_id JOIN round_coders rc"
        " ON rc.round_id = r.id AND rc.role = 'coder' JOIN coders k ON k.id = rc.coder_id"
        " WHERE r.closed_at IS NULL AND k.name = ?) ORDER BY s.id",
        (coder, coder),
    ):
        if sid not in in_round:
            continue
        name = in_round[sid].name
        current = result.get(article_id)
        if current is not None and current[0] != name:
            continue  # an article's first round is the one shown
        _, d, t = current or (name, 0, 0)
        result[article_id] = (name, d + done, t + 1)
    return result
