"""What the type-ahead pickers and one-line prompts do with each key.

The speaker picker, the review screen's value picker, the find results and
the reason and note prompts are states on the screen that opened them, not
separate Textual screens: every key goes to the state that is open when it
is read, in the order typed, so nothing typed while a box opens or closes is
lost or applied to the wrong sentence. The screens draw these states; the
rules live here, tested without a terminal.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from workbench.lineedit import LineEditor


@dataclass(frozen=True)
class Option:
    """One row of a picker. `value` is what picking it returns."""

    value: str
    label: str
    label_ar: str = ""
    note: str = ""  # e.g. the alias that matched, or "used in this article"
    new: bool = False  # the "+ add new NAME" row


@dataclass(frozen=True)
class Picked:
    value: str


@dataclass(frozen=True)
class AddNew:
    """The person confirmed a new entry with this name."""

    name: str


@dataclass(frozen=True)
class Submitted:
    text: str


@dataclass(frozen=True)
class Cancelled:
    pass


Outcome = Picked | AddNew | Submitted | Cancelled


@dataclass
class PickerState:
    """A query box over a ranked list; `search(query)` gives the rows.

    With `allow_new`, a non-empty query also offers "+ add new QUERY", always
    last, so it is never the default while any candidate matches; picking it
    asks for confirmation (enter again) before it counts.
    """

    title: str
    search: Callable[[str], Sequence[Option]]
    allow_new: bool = False
    editor: LineEditor = field(default_factory=LineEditor)
    options: list[Option] = field(default_factory=list)
    highlighted: int = 0
    confirming: str | None = None  # a new name waiting for enter (yes) or esc (back)

    def __post_init__(self) -> None:
        self.refresh()

    @property
    def query(self) -> str:
        return self.editor.text

    def refresh(self) -> None:
        self.options = list(self.search(self.query))
        name = " ".join(self.query.split())
        if self.allow_new and name:
            self.options.append(Option(name, name, new=True))
        self.highlighted = 0

    def key(self, key: str, character: str | None) -> Outcome | None:
        """Apply one key; an outcome closes the picker, None keeps it open."""
        if self.confirming is not None:
            if key == "enter":
                return AddNew(self.confirming)
            if key == "escape":
                self.confirming = None
            return None  # anything else waits for the answer
        if key == "escape":
            return Cancelled()
        if key == "enter":
            if not self.options:
                return None
            chosen = self.options[self.highlighted]
            if chosen.new:
                self.confirming = chosen.value
                return None
            return Picked(chosen.value)
        if key in ("down", "ctrl+n", "tab"):
            self._move(1)
            return None
        if key in ("up", "ctrl+p", "shift+tab"):
            self._move(-1)
            return None
        if key in ("pagedown", "pageup"):
            self._move(10 if key == "pagedown" else -10)
            return None
        before = self.query
        if self.editor.key(key, character) and self.query != before:
            self.refresh()
        return None

    def _move(self, delta: int) -> None:
        if self.options:
            self.highlighted = max(0, min(len(self.options) - 1, self.highlighted + delta))


@dataclass
class PromptState:
    """One line of text (a reason, a note, a search): enter submits, esc cancels."""

    title: str
    editor: LineEditor = field(default_factory=LineEditor)
    hint: str = "enter accepts (empty is fine) · esc cancels"

    def key(self, key: str, character: str | None) -> Outcome | None:
        if key == "escape":
            return Cancelled()
        if key == "enter":
            return Submitted(self.editor.text.strip())
        self.editor.key(key, character)
        return None


def contains_search(options: Sequence[Option], names: Sequence[Sequence[str]]) -> Any:
    """A search over a fixed list: rows any of whose names contain the query
    (Arabic compared by `workbench.arabic.match_key`), in list order."""
    keys: list[list[str]] | None = None

    def search(query: str) -> list[Option]:
        nonlocal keys
        if not query.strip():
            return list(options)
        from workbench.arabic import match_key

        if keys is None:
            keys = [[match_key(n) for n in row] for row in names]
        needle = match_key(query)
        return [o for o, k in zip(options, keys, strict=True) if any(needle in x for x in k)]

    return search
