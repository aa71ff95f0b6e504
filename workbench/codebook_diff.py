"""What changed between two versions of a codebook, and whether it matters.

Labels record the codebook name and version they were made under; before a
new round codes under a revised codebook, the team needs to know which
changes alter what a label means (semantic) and which only alter how the
codebook looks (cosmetic). `workbench codebook diff OLD.toml NEW.toml`
prints this; the Python API is:

    changes = diff_codebooks(old, new)       # [Change, ...], deterministic order
    semantic_fields(changes)                 # {"claim_type", ...}
    diff_text(old, new, changes)             # the CLI's text report
    diff_json(old, new, changes)             # the CLI's JSON report (a dict)

Classification (`SEMANTIC_KINDS`; every other kind is cosmetic):

- semantic: a field added or removed; a field's kind, help, example or
  `required` changed (what counts as done changes); the scale of an ordinal
  field (the order of its values) changed; a value (or stance target or
  polarity) added, removed or merged into another (`replaces`); a value's
  help or example changed.
- cosmetic: the codebook's name, description or language; the field order;
  a field's `adjudicate`, label or Arabic label; a value's label, Arabic
  label, effective key (`Field.keys`, so a single-field value that moves
  gets a new default digit: cosmetic), aliases (entity values), and the
  order of values whose order carries no meaning (single, multi, entity,
  stance targets and polarities).

Values are matched by id: a new label on the same id is `value_label`. A
value gone from the new codebook that a new value lists in `replaces` is
one `value_merged` change (`value` = the old id, `new` = the id it merged
into), not also `value_removed`; `replaces` naming ids the old codebook
does not have (a merge of an even earlier version) is no change. The
version is not a change: reports show both versions. Comments and layout
of the TOML are not compared, only what the codebook says.

Order: codebook-level changes (name, description, language, field order),
then each field in the new codebook's order (a removed field where it
stood in the old one): its own attributes, then its scale, then per list
(values, targets, polarities) the list's order, then each value in list
order (removed and merged values where they stood).

Core module: standard library and `workbench.codebook` only; no Textual,
no click (`diff_text` imports `workbench.display` to sanitize its lines).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, fields
from typing import Any

from workbench.codebook import Codebook, Field, Value

__all__ = [
    "CHANGE_KINDS",
    "SEMANTIC_KINDS",
    "Change",
    "diff_codebooks",
    "diff_json",
    "diff_text",
    "semantic_fields",
]

# Every kind of change a diff reports, with its class: True = semantic.
_CLASSIFICATION: dict[str, bool] = {
    "codebook_name": False,
    "codebook_description": False,
    "codebook_language": False,
    "field_order": False,
    "field_added": True,
    "field_removed": True,
    "field_kind": True,
    "field_scale": True,
    "field_help": True,
    "field_example": True,
    "field_required": True,  # what counts as done changes
    "field_adjudicate": False,
    "field_label": False,
    "field_label_ar": False,
    "value_order": False,
    "value_added": True,
    "value_removed": True,
    "value_merged": True,
    "value_help": True,
    "value_example": True,
    "value_label": False,
    "value_label_ar": False,
    "value_key": False,
    "value_aliases": False,
}

#: Every kind of change a diff reports.
CHANGE_KINDS: tuple[str, ...] = tuple(_CLASSIFICATION)

#: Kinds that change what a label means (or whether it is done); the rest are cosmetic.
SEMANTIC_KINDS: frozenset[str] = frozenset(k for k, semantic in _CLASSIFICATION.items() if semantic)

# Long texts: a report says they changed, the JSON carries both versions.
_LONG = frozenset({"description", "help", "example"})

# The value lists of a field, by the name `Change.part` gives them.
_PARTS = {"value": "values", "target": "targets", "polarity": "polarities"}


@dataclass(frozen=True)
class Change:
    """One difference between two codebooks.

    `field` is the field id (None for codebook-level changes); `part` is
    "value", "target" or "polarity" for changes to one list of a field, else
    None; `value` is the value id concerned (for `value_merged`, the old id
    merged away). `old` / `new` are the attribute before and after: None
    when added / removed; the label of what was added or removed; for
    `value_merged`, `old` is the old value's label and `new` the id it
    merged into; tuples of ids for orders and scales.
    """

    kind: str
    semantic: bool
    field: str | None
    part: str | None
    value: str | None
    old: Any
    new: Any

    def __post_init__(self) -> None:
        if self.kind not in CHANGE_KINDS:
            raise ValueError(f"unknown change kind {self.kind!r}")

    def describe(self) -> str:
        """One human line, e.g. "claim_type: value 'casualty_figure' help changed"."""
        kind, old, new = self.kind, self.old, self.new
        if kind == "field_order":
            return f"field order {_ids(old)} -> {_ids(new)}"
        scope, _, what = kind.partition("_")  # "value_label_ar" -> "value", "label_ar"
        if scope == "codebook":
            subject = "codebook"
        elif kind in ("field_added", "field_removed"):
            subject = f"field {self.field!r}"
        elif scope == "field" or kind == "value_order":
            subject = f"{self.field}:"
        else:
            subject = f"{self.field}: {self.part} {self.value!r}"
        if what == "added":
            return f"{subject} added ({new!r})"
        if what == "removed":
            return f"{subject} removed (was {old!r})"
        if what == "merged":
            return f"{subject} merged into {new!r}"
        if what == "order":
            return f"{subject} {self.part} order {_ids(old)} -> {_ids(new)}"
        if what == "scale":
            return f"{subject} scale {_ids(old, ' < ')} -> {_ids(new, ' < ')}"
        if what == "aliases":
            return f"{subject} {_aliases_change(old, new)}"
        return f"{subject} {_attr_change(what, old, new)}"

    def as_json(self) -> dict[str, Any]:
        """The change as `diff_json` lists it: its attributes (tuples as
        lists) and `description`."""
        out = {f.name: _jsonable(getattr(self, f.name)) for f in fields(self)}
        out["description"] = self.describe()
        return out


def _change(
    kind: str,
    field: str | None = None,
    part: str | None = None,
    value: str | None = None,
    old: Any = None,
    new: Any = None,
) -> Change:
    return Change(kind, _CLASSIFICATION[kind], field, part, value, old, new)


def _attr_change(attr: str, old: Any, new: Any) -> str:
    if attr in _LONG:
        return f"{attr} changed"
    return f"{attr} {_show(old)} -> {_show(new)}"


def _show(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)  # repr: controls and bidi overrides come out escaped


def _ids(ids: Sequence[str], sep: str = ", ") -> str:
    return sep.join(ids)


def _aliases_change(old: tuple[str, ...], new: tuple[str, ...]) -> str:
    added = [a for a in new if a not in old]
    removed = [a for a in old if a not in new]
    if not added and not removed:
        return "aliases reordered"
    parts = [f"+{a!r}" for a in added] + [f"-{a!r}" for a in removed]
    return "aliases " + " ".join(parts)


def _jsonable(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


# --------------------------------------------------------------------------
# Comparing
# --------------------------------------------------------------------------


def diff_codebooks(old: Codebook, new: Codebook) -> list[Change]:
    """Every difference from `old` to `new`, in a fixed order (see the module doc)."""
    changes: list[Change] = []
    for attr in ("name", "description", "language"):
        a, b = getattr(old, attr), getattr(new, attr)
        if a != b:
            changes.append(_change(f"codebook_{attr}", old=a, new=b))
    order = _reordered(old.field_ids, new.field_ids)
    if order:
        changes.append(_change("field_order", old=order[0], new=order[1]))
    old_fields = {f.id: f for f in old.fields}
    new_fields = {f.id: f for f in new.fields}
    for fid in _merged_order(old.field_ids, new.field_ids):
        if fid not in old_fields:
            changes.append(_change("field_added", fid, new=new_fields[fid].label))
        elif fid not in new_fields:
            changes.append(_change("field_removed", fid, old=old_fields[fid].label))
        else:
            changes.extend(_diff_field(old_fields[fid], new_fields[fid]))
    return changes


def _diff_field(old: Field, new: Field) -> Iterator[Change]:
    fid = new.id
    for attr in ("kind", "help", "example", "required", "adjudicate", "label", "label_ar"):
        a, b = getattr(old, attr), getattr(new, attr)
        if a != b:
            yield _change(f"field_{attr}", fid, old=a, new=b)
    for part, attr in _PARTS.items():
        old_values: tuple[Value, ...] = getattr(old, attr)
        new_values: tuple[Value, ...] = getattr(new, attr)
        old_ids = tuple(v.id for v in old_values)
        new_ids = tuple(v.id for v in new_values)
        order = _reordered(old_ids, new_ids)
        if order:
            # The order of an ordinal field's values is its scale.
            scale = part == "value" and old.kind == new.kind == "ordinal"
            kind = "field_scale" if scale else "value_order"
            yield _change(kind, fid, None if scale else part, old=order[0], new=order[1])
        yield from _diff_values(old, new, part, old_values, new_values)


def _diff_values(
    old_field: Field,
    new_field: Field,
    part: str,
    old_values: tuple[Value, ...],
    new_values: tuple[Value, ...],
) -> Iterator[Change]:
    fid = new_field.id
    olds = {v.id: v for v in old_values}
    news = {v.id: v for v in new_values}
    merged_into = {gone: v.id for v in new_values for gone in v.replaces if gone not in news}
    old_keys = _keys_by_value(old_field, part)
    new_keys = _keys_by_value(new_field, part)
    for vid in _merged_order(tuple(olds), tuple(news)):
        if vid not in olds:
            yield _change("value_added", fid, part, vid, new=news[vid].label)
            continue
        if vid not in news:
            if vid in merged_into:
                yield _change("value_merged", fid, part, vid, olds[vid].label, merged_into[vid])
            else:
                yield _change("value_removed", fid, part, vid, old=olds[vid].label)
            continue
        a, b = olds[vid], news[vid]
        for attr in ("help", "example", "label", "label_ar"):
            if getattr(a, attr) != getattr(b, attr):
                yield _change(f"value_{attr}", fid, part, vid, getattr(a, attr), getattr(b, attr))
        if old_keys.get(vid) != new_keys.get(vid):
            yield _change("value_key", fid, part, vid, old_keys.get(vid), new_keys.get(vid))
        if a.aliases != b.aliases:
            yield _change("value_aliases", fid, part, vid, a.aliases, b.aliases)


def _keys_by_value(field: Field, part: str) -> dict[str, str]:
    """Value id -> the key that picks it (explicit or default), for one list."""
    return {vid: key for key, vid in field.keys(part).items()}


def _reordered(old: Sequence[str], new: Sequence[str]) -> tuple[tuple[str, ...], ...] | None:
    """The ids both lists hold, in old and in new order, if those orders differ."""
    both = set(old) & set(new)
    a = tuple(x for x in old if x in both)
    b = tuple(x for x in new if x in both)
    return (a, b) if a != b else None


def _merged_order(old: Sequence[str], new: Sequence[str]) -> list[str]:
    """Every id of either list: the new order, with each id only in `old`
    placed right after the old id before it that `new` still has."""
    kept = set(new)
    after: dict[str | None, list[str]] = {}
    anchor: str | None = None
    for x in old:
        if x in kept:
            anchor = x
        else:
            after.setdefault(anchor, []).append(x)
    out = list(after.get(None, ()))
    for x in new:
        out.append(x)
        out.extend(after.get(x, ()))
    return out


def semantic_fields(changes: Iterable[Change]) -> set[str]:
    """Ids of the fields with at least one semantic change."""
    return {c.field for c in changes if c.semantic and c.field is not None}


# --------------------------------------------------------------------------
# Reports
# --------------------------------------------------------------------------


def _counts(changes: Sequence[Change]) -> tuple[int, int]:
    semantic = sum(c.semantic for c in changes)
    return semantic, len(changes) - semantic


def diff_json(old: Codebook, new: Codebook, changes: list[Change]) -> dict[str, Any]:
    """The report as a JSON-ready dict (logical text, nothing sanitized):

    {"old": {"name", "version"}, "new": {"name", "version"},
     "semantic": int, "cosmetic": int,
     "changes": [{"kind", "semantic", "field", "part", "value", "old", "new",
                  "description"}, ...]}
    """
    semantic, cosmetic = _counts(changes)
    return {
        "old": {"name": old.name, "version": old.version},
        "new": {"name": new.name, "version": new.version},
        "semantic": semantic,
        "cosmetic": cosmetic,
        "changes": [c.as_json() for c in changes],
    }


def diff_text(old: Codebook, new: Codebook, changes: list[Change]) -> str:
    """The text report: a header line naming both versions and the counts,
    then one line per change, `semantic ` or `cosmetic ` first. Logical
    text, every line sanitized (no control or escape reaches a terminal);
    no trailing newline."""
    from workbench.display import sanitize

    before = f"{old.name} {old.version}"
    after = new.version if new.name == old.name else f"{new.name} {new.version}"
    semantic, cosmetic = _counts(changes)
    if changes:
        n = len(changes)
        summary = f"{n} change{'s' if n != 1 else ''} ({semantic} semantic, {cosmetic} cosmetic)"
    else:
        summary = "no changes"
    lines = [f"{before} -> {after}: {summary}"]
    lines += [f"{'semantic' if c.semantic else 'cosmetic'} {c.describe()}" for c in changes]
    return "\n".join(sanitize(line) for line in lines)
