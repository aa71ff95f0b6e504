"""What a codebook revision asks of the labels made under an earlier version.

When a new version of a codebook is first registered on a database, every
label made under an earlier version of it is either carried over (nothing it
used changed in meaning) or marked "recheck" for its coder, field by field:

- a value it used was removed, or merged into another (`replaces`): the
  merged value is offered as a suggestion, never written in silently;
- the help or example of a value it used changed, or of the field itself;
- the field's kind or scale changed, or the field became required and the
  label lacks it (also when a new required field appears).

A value added to a field asks nothing of the labels that did not use it (the
diff still reports it as semantic). The rules are plain functions of the two
codebooks and a label's data, tested without a database; the store applies
them (`Store.register_codebook`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from workbench.codebook import Codebook, Field
from workbench.codebook_diff import Change

# Changes that concern every label setting the field.
_WHOLE_FIELD = {
    "field_kind": "the field's kind changed",
    "field_scale": "the field's scale (value order) changed",
    "field_help": "the field's help changed",
    "field_example": "the field's example changed",
}
# Changes that concern the labels using one value.
_ONE_VALUE = {
    "value_removed": "{part} {value!r} was removed",
    "value_merged": "{part} {value!r} was merged into {new!r}",
    "value_help": "the help of {part} {value!r} changed",
    "value_example": "the example of {part} {value!r} changed",
}


@dataclass(frozen=True)
class Mark:
    """One field of one label to look at again, and why."""

    field: str
    reason: str
    suggestion: Any = None  # the field's value with merged values carried over, or None


def label_marks(changes: Iterable[Change], new: Codebook, data: dict[str, Any]) -> list[Mark]:
    """The recheck marks a label with `data` gets from `changes` (old -> new).

    One mark per field: the reasons of several changes to it are joined.
    """
    reasons: dict[str, list[str]] = {}
    merged: dict[str, dict[tuple[str, str], str]] = {}
    for change in changes:
        if not change.semantic or change.field is None:
            continue
        fid = change.field
        if change.kind in _WHOLE_FIELD:
            if fid in data:
                reasons.setdefault(fid, []).append(_WHOLE_FIELD[change.kind])
        elif change.kind in _ONE_VALUE:
            assert change.value is not None and change.part is not None
            if _uses(data.get(fid), change.part, change.value):
                text = _ONE_VALUE[change.kind].format(
                    part=change.part, value=change.value, new=change.new
                )
                reasons.setdefault(fid, []).append(text)
                if change.kind == "value_merged":
                    merged.setdefault(fid, {})[(change.part, change.value)] = change.new
        elif change.kind in ("field_required", "field_added"):
            f = _field(new, fid)
            if f is not None and f.required and fid not in data:
                reasons.setdefault(fid, []).append("the field is now required")
    marks = []
    for fid, why in reasons.items():
        suggestion = None
        if fid in merged:
            suggestion = carried_over(data[fid], merged[fid])
        marks.append(Mark(fid, "; ".join(why), suggestion))
    return marks


def _field(codebook: Codebook, fid: str) -> Field | None:
    return next((f for f in codebook.fields if f.id == fid), None)


def _uses(value: Any, part: str, value_id: str) -> bool:
    """Whether a stored field value uses `value_id` (a value, or a stance
    target or polarity)."""
    if value is None:
        return False
    if isinstance(value, list):
        if part in ("target", "polarity"):
            return any(isinstance(p, dict) and p.get(part) == value_id for p in value)
        return value_id in value
    return value == value_id


def carried_over(value: Any, merged: dict[tuple[str, str], str]) -> Any:
    """A stored field value with each merged-away id replaced by the id it was
    merged into (sets keep one of each, in their stored order)."""
    if isinstance(value, list) and all(isinstance(p, dict) for p in value):
        pairs: list[dict[str, str]] = []
        for p in value:
            new = {
                "target": merged.get(("target", p["target"]), p["target"]),
                "polarity": merged.get(("polarity", p["polarity"]), p["polarity"]),
            }
            if new not in pairs:
                pairs.append(new)
        return pairs
    if isinstance(value, list):
        return list(dict.fromkeys(merged.get(("value", v), v) for v in value))
    return merged.get(("value", value), value)
