"""JSONL export of labels and sentences, and import of labels.

Export streams rows from SQLite (constant memory) into a temporary file next
to the target and renames it into place, so an interrupted export never
leaves a partial file under the target name; an existing file is only
replaced with `force`. Every line loads with `pandas.read_json(path,
lines=True)`.

Label line (`--kind labels`), one per sentence and coder:

    {"article_id", "article_sha256", "sentence_id", "sentence_index", "start",
     "end", "text", "coder", "status", "labels", "note", "codebook", "updated_at"}

`start`/`end` are offsets into the article's stored text, in logical order.
`sentence_id` is "<article_id>:<sentence_index>"; `article_sha256` identifies
the exact text, so labels can go into any database that imported the same
files. A field absent from `labels` is unset. Only done labels (labeled,
skipped, flagged) are exported unless the statuses are given: drafts are
saved but not done, so they go out only when asked for (`--status draft`).
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from itertools import count
from pathlib import Path
from typing import IO, Any

from workbench import gold
from workbench.codebook import (
    Codebook,
    missing_required,
    parse_codebook,
    validate_labels,
    with_defaults,
)
from workbench.corpus import surrogate_in as _surrogate
from workbench.errors import NESTED_TOO_DEEPLY, InputErrors, WorkbenchError
from workbench.files import unique_path, writing
from workbench.import_conflicts import Line, settle
from workbench.store import DONE_STATUSES, GOLD_STATUSES, LABEL_STATUSES, Store, sql_in

KINDS = ("labels", "gold", "sentences")
LABEL_KEYS = (
    "article_id",
    "article_sha256",
    "sentence_id",
    "sentence_index",
    "start",
    "end",
    "text",
    "coder",
    "status",
    "labels",
    "note",
    "codebook",
    "updated_at",
)


def statuses(
    given: str | Sequence[str] | None, allowed: Sequence[str], default: Sequence[str]
) -> tuple[str, ...]:
    """The statuses asked for: one, several, comma lists ("labeled,draft"), or
    None for `default`; a status not in `allowed` is an error naming them."""
    if given is None:
        return tuple(default)
    names = [
        n.strip() for g in ([given] if isinstance(given, str) else given) for n in g.split(",")
    ]
    unknown = [n for n in names if n not in allowed]
    if unknown or not any(names):
        raise WorkbenchError(
            f"status {', '.join(map(repr, unknown or ['']))} is not one of {', '.join(allowed)}"
        )
    return tuple(dict.fromkeys(names))


def default_path(kind: str, folder: str | Path = "exports") -> Path:
    """exports/<kind>-YYYYMMDD-HHMMSS.jsonl, with -2, -3 ... when that name is
    taken (two exports in the same second used to collide)."""
    stem = f"{kind}-{datetime.now().strftime('%Y%m%d-%H%M%S')}"
    return unique_path(
        Path(folder) / (f"{stem}.jsonl" if n == 1 else f"{stem}-{n}.jsonl") for n in count(1)
    )


def sentence_location(
    ext_id: str, content_hash: str, idx: int, start: int, end: int
) -> dict[str, Any]:
    """The keys that place a line's sentence, first on every kind of line."""
    return {
        "article_id": ext_id,
        "article_sha256": content_hash,
        "sentence_id": f"{ext_id}:{idx}",
        "sentence_index": idx,
        "start": start,
        "end": end,
    }


def label_rows(
    store: Store,
    *,
    coder: str | None = None,
    articles: list[str] | None = None,
    status: str | Sequence[str] | None = None,
) -> Iterator[dict[str, Any]]:
    """Every label with one of these statuses (default: the done ones, not
    drafts) as its export line, in article, sentence and coder order."""
    where, params = ["1 = 1"], []
    if coder:
        where.append("c.name = ?")
        params.append(coder)
    if articles:
        clause, values = sql_in("a.ext_id", articles)
        where.append(clause)
        params += values
    clause, values = sql_in("l.status", statuses(status, LABEL_STATUSES, DONE_STATUSES))
    where.append(clause)
    params += values
    cursor = store.conn.execute(
        'SELECT a.ext_id, a.content_hash, s.idx, s.start, s."end", s.text, c.name,'
        " l.status, l.data, l.note, b.name, b.version, l.updated_at"
        " FROM labels l JOIN coders c ON c.id = l.coder_id"
        " JOIN sentences s ON s.id = l.sentence_id JOIN articles a ON a.id = s.article_id"
        " LEFT JOIN codebooks b ON b.id = l.codebook_id"
        f" WHERE {' AND '.join(where)} ORDER BY a.id, s.idx, c.name",
        params,
    )
    # Not a generator function: a bad status is an error here, before any
    # output file is opened.
    return (
        {
            **sentence_location(ext_id, sha, idx, start, end),
            "text": text,
            "coder": name,
            "status": st,
            "labels": json.loads(data),
            "note": note,
            "codebook": {"name": book, "version": version} if book else None,
            "updated_at": at,
        }
        for ext_id, sha, idx, start, end, text, name, st, data, note, book, version, at in cursor
    )


def gold_rows(
    store: Store,
    codebook: Codebook,
    *,
    coders: list[str] | None = None,
    articles: list[str] | None = None,
    sources: list[str] | None = None,
    status: str | Sequence[str] | None = None,
    include_single: bool = False,
) -> Iterator[dict[str, Any]]:
    """One gold line per sentence coded by two or more coders (see
    `workbench.gold`), in corpus order; with `include_single`, also the
    sentences only one coder labeled, as source "single". Drafts are never
    part of gold: a draft counts as if that coder had not labeled the
    sentence."""
    # Checked before any output; None keeps every line, the unresolved ones
    # whose coders' statuses differ (status null) among them.
    wanted = None if status is None else statuses(status, GOLD_STATUSES, GOLD_STATUSES)
    return _gold_lines(store, codebook, coders, articles, sources, wanted, include_single)


def _gold_lines(
    store: Store,
    codebook: Codebook,
    coders: list[str] | None,
    articles: list[str] | None,
    sources: list[str] | None,
    wanted: tuple[str, ...] | None,
    include_single: bool,
) -> Iterator[dict[str, Any]]:
    books = {cid: {"name": n, "version": v} for cid, n, v in store.codebook_versions()}
    current = {"name": codebook.name, "version": codebook.version}
    order = codebook.field_ids
    for unit in gold.units(
        store, codebook, coders=coders, articles=articles, min_coders=1 if include_single else 2
    ):
        source = "single" if len(unit.labels) == 1 else unit.source
        if sources and source not in sources:
            continue
        decided = unit.gold
        answer = decided if decided is not None else gold.agreed_state(unit)
        labels, agreed = answer["data"], answer["agreed_with"]
        if wanted is not None and answer["status"] not in wanted:
            continue
        yield {
            **sentence_location(unit.ext_id, unit.content_hash, unit.idx, unit.start, unit.end),
            "text": unit.text,
            "status": answer["status"],
            "labels": {f: labels[f] for f in order if f in labels},
            "source": source,
            "coders": unit.coders,
            "agreed_with": {f: agreed[f] for f in order if f in agreed},
            "adjudicator": decided["adjudicator"] if decided else None,
            "reason": decided["reason"] if decided else "",
            "stale": unit.changed,
            "codebook": books.get(decided["codebook_id"]) if decided else current,
            "updated_at": decided["updated_at"] if decided else unit.updated_at,
        }


def sentence_rows(store: Store, *, articles: list[str] | None = None) -> Iterator[dict[str, Any]]:
    """The segmented corpus: one line per sentence of the current articles."""
    where, params = ["a.is_current = 1"], []
    if articles:
        clause, values = sql_in("a.ext_id", articles)
        where.append(clause)
        params += values
    cursor = store.conn.execute(
        "SELECT a.ext_id, a.content_hash, a.title, a.outlet, a.date, s.idx, s.start,"
        ' s."end", s.line, s.in_quote, s.text FROM sentences s'
        f" JOIN articles a ON a.id = s.article_id WHERE {' AND '.join(where)}"
        " ORDER BY a.id, s.idx",
        params,
    )
    for ext_id, sha, title, outlet, date, idx, start, end, line, in_quote, text in cursor:
        yield {
            **sentence_location(ext_id, sha, idx, start, end),
            "line": line,
            "in_quote": bool(in_quote),
            "text": text,
            "title": title,
            "outlet": outlet,
            "date": date,
        }


# What `json.dumps(ensure_ascii=False)` leaves raw but a terminal acts on: DEL
# and the C1 controls (U+009B is CSI), the bidi controls, the line and
# paragraph separators. Escaped, the JSON means the same and is harmless when
# printed or `cat` to a terminal.
_TERMINAL_UNSAFE = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def dumps(value: Any, **kwargs: Any) -> str:
    """`json.dumps` with readable Arabic (`ensure_ascii=False`) and every
    character a terminal would act on escaped (`\\u009b`)."""
    text = json.dumps(value, ensure_ascii=False, **kwargs)
    return _TERMINAL_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def write_jsonl(
    rows: Iterator[dict[str, Any]],
    target: str | Path,
    *,
    force: bool = False,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write rows as JSONL to `target` ("-" = stdout) atomically; returns the row count."""
    if str(target) == "-":
        return _dump(rows, sys.stdout, progress)
    path = Path(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    with (
        writing(path, force=force) as (handle, _),
        os.fdopen(handle, "w", encoding="utf-8", newline="\n", closefd=False) as out,
    ):
        count = _dump(rows, out, progress)
        out.flush()
        os.fsync(out.fileno())
    return count


def _dump(
    rows: Iterator[dict[str, Any]], out: IO[str], progress: Callable[[int], None] | None
) -> int:
    count = 0
    for count, row in enumerate(rows, start=1):
        out.write(dumps(row, separators=(",", ":")))
        out.write("\n")
        if progress and count % 10_000 == 0:
            progress(count)
    return count


# -- import of labels -------------------------------------------------------------


def import_labels(
    store: Store, path: str | Path, codebook: Codebook | None = None, prefer: str | None = None
) -> int:
    """Read labels in the export shape into the store, in one transaction.

    Every line is checked first (shape, article and sentence, codebook
    values) against the line's codebook, else `codebook`, else the newest
    one registered; any problem is reported by line and nothing is written.
    Any status may be imported, drafts included. A `labeled` line must set
    every field the codebook marks `required` (a stance left out is "no
    stance", and is stored so); skipped, flagged and draft lines may be
    partial. A different label the database holds for the same coder and
    sentence, or another line of the file gives, is a conflict: listed, and
    nothing written, unless `prefer` settles it (`workbench.import_conflicts`).
    Returns the number of labels written.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise WorkbenchError(f"cannot read: {exc}", path) from None
    # One transaction for the codebook given (its registration seeds the
    # speakers the lines are checked against), the checks and the writes: a
    # bad file leaves no trace, not even its codebook.
    with store.transaction():
        if codebook is not None:
            store.register_codebook(codebook)
        return _import_checked(store, path, text, codebook, prefer)


def _import_checked(
    store: Store, path: Path, text: str, codebook: Codebook | None, prefer: str | None
) -> int:
    codebooks: dict[tuple[str, str], tuple[int, Codebook]] = {}
    for cid, name, version in store.codebook_versions():
        source = store.conn.execute(
            "SELECT source, path FROM codebooks WHERE id = ?", (cid,)
        ).fetchone()
        codebooks[(name, version)] = (cid, parse_codebook(source[0], source[1]))
    fallback = codebook or (list(codebooks.values())[-1][1] if codebooks else None)

    speakers = _SpeakerNames(store)
    planned, errors = [], []
    # Lines end at "\n" only: str.splitlines() also breaks at U+2028, U+0085
    # and the like, which a JSON string may hold raw (our own export of such
    # a sentence could not be imported back).
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            row, updated_at, place = _check_label_line(store, codebooks, fallback, speakers, line)
        except WorkbenchError as exc:
            errors.append(WorkbenchError(exc.message, path, number))
            continue
        planned.append(Line(row, number, updated_at, place))
    if errors:
        raise InputErrors(errors)
    rows = settle(planned, store.label_with_time, str(path), prefer)
    return store.set_labels(rows, action="import")


class _SpeakerNames:
    """Entity values as keys: a key, a label or an alias names one entity
    (`workbench.registry.resolve`); the registry is read once per field."""

    def __init__(self, store: Store):
        self.store = store
        self.fields: dict[str, Callable[[str], str | None]] = {}

    def resolve(self, codebook: Codebook, labels: dict[str, Any]) -> dict[str, Any]:
        from workbench.registry import resolver

        resolved = dict(labels)
        for field in codebook.fields:
            value = labels.get(field.id)
            if field.kind != "entity" or not isinstance(value, str):
                continue
            if field.id not in self.fields:
                self.fields[field.id] = resolver(self.store, field.id)
            key = self.fields[field.id](value)
            if key is None:
                raise WorkbenchError(
                    f"field {field.id!r}: no {field.id} named {value!r} (not a key, label or "
                    "alias; add it with `workbench label` or `workbench speakers alias`)"
                )
            resolved[field.id] = key
        return resolved


def _canonical_values(codebook: Codebook, labels: dict[str, Any]) -> dict[str, Any]:
    """Valid labels in the one spelling the labeling screen stores: an ordinal
    value given as the integer it spells (`"confidence": 2`) becomes the
    codebook's value id ("2"), so agreement, gold and review compare alike."""
    canonical = dict(labels)
    for field in codebook.fields:
        value = canonical.get(field.id)
        if field.kind == "ordinal" and isinstance(value, int) and not isinstance(value, bool):
            canonical[field.id] = str(value)
    return canonical


# SQLite integers are 64-bit; offsets and indexes beyond this are no text's.
_MAX_OFFSET = 2**53


def _check_types(row: dict[str, Any]) -> None:
    """Each key of a label line of the type it must have, before any is used:
    a list, an object, a huge integer or a lone surrogate used to end in an
    internal error."""
    for key in ("article_id", "coder", "status"):
        if not isinstance(row[key], str):
            raise WorkbenchError(f"{key!r} must be a string, not {_json_type(row[key])}")
    for key in ("sentence_index", "start", "end"):
        value = row[key]
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < _MAX_OFFSET:
            raise WorkbenchError(f"{key!r} must be a whole number from 0, not {value!r:.40}")
    for key in ("note", "article_sha256", "updated_at"):
        if row.get(key) is not None and not isinstance(row[key], str):
            raise WorkbenchError(f"{key!r} must be a string, not {_json_type(row[key])}")
    if row.get("codebook") is not None and not (
        isinstance(row["codebook"], dict)
        and all(isinstance(row["codebook"].get(k), str) for k in ("name", "version"))
    ):
        raise WorkbenchError("'codebook' must be an object with string 'name' and 'version'")
    found = _surrogate(row)
    if found is not None:
        raise WorkbenchError(
            f"{found} holds a lone surrogate (a \\ud800-\\udfff escape without its pair)"
        )


def _json_type(value: Any) -> str:
    return {dict: "an object", list: "a list", bool: "true/false", type(None): "null"}.get(
        type(value), type(value).__name__
    )


def _check_label_line(
    store: Store,
    codebooks: dict[tuple[str, str], tuple[int, Codebook]],
    fallback: Codebook | None,
    speakers: _SpeakerNames,
    line: str,
) -> tuple[tuple[int, str, str, dict[str, Any], str, int | None], str, str]:
    """A checked line: (the row to store, its updated_at, "article:index")."""
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        raise WorkbenchError(f"not valid JSON: {exc.msg} (column {exc.colno})") from None
    except RecursionError:
        raise WorkbenchError(NESTED_TOO_DEEPLY) from None
    if not isinstance(row, dict):
        raise WorkbenchError("expected a JSON object (one label)")
    missing = [
        k
        for k in ("article_id", "sentence_index", "start", "end", "coder", "status", "labels")
        if k not in row
    ]
    if missing:
        raise WorkbenchError(f"missing key(s): {', '.join(missing)}")
    _check_types(row)
    if row["status"] not in LABEL_STATUSES:
        raise WorkbenchError(f"status {row['status']!r} is not one of {', '.join(LABEL_STATUSES)}")
    if not isinstance(row["labels"], dict):
        raise WorkbenchError("'labels' must be an object of field values")
    if not isinstance(row["coder"], str) or not row["coder"].strip():
        raise WorkbenchError("'coder' must be a non-empty string")
    found = store.find_sentence(
        row["article_id"],
        row["sentence_index"],
        row["start"],
        row["end"],
        row.get("article_sha256"),
    )
    if found is None:
        raise WorkbenchError(
            f"no sentence {row['article_id']}:{row['sentence_index']} at "
            f"{row['start']}-{row['end']} in this database (is it the same corpus?)"
        )
    # A line without a codebook is checked against the fallback but keeps
    # none, so that exporting it again gives the same line.
    codebook_id, codebook = None, fallback
    book = row.get("codebook")
    if book:
        key = (book.get("name"), book.get("version"))
        if key not in codebooks:
            raise WorkbenchError(
                f"codebook {key[0]} {key[1]} is not registered in this database: "
                "open it once with `workbench label --codebook FILE` first"
            )
        codebook_id, codebook = codebooks[key]
    labels = row["labels"]
    if codebook is not None:
        problems = validate_labels(codebook, labels)
        if problems:
            raise WorkbenchError("; ".join(problems))
        if row["status"] == "labeled":
            missing = missing_required(codebook, labels)
            if missing:
                raise WorkbenchError(
                    f"status 'labeled' but required field(s) unset: {', '.join(missing)} "
                    "(set them, or give the line status 'draft')"
                )
            labels = with_defaults(codebook, labels)
        labels = _canonical_values(codebook, labels)
        # Speakers given by key, label or alias are stored as the key.
        labels = speakers.resolve(codebook, labels)
    stored = (
        found,
        row["coder"].strip(),
        row["status"],
        labels,
        row.get("note") or "",
        codebook_id,
    )
    return stored, row.get("updated_at") or "", f"{row['article_id']}:{row['sentence_index']}"
