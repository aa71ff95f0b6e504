"""Every key binding of the app, declared in one place.

Core data, no Textual: the TUI builds its bindings from these tables (and
shows them in the footer and the help screen), and the codebook validator
checks codebook keys against them, so a codebook can never shadow a global
key. Codebook keys are typed characters ("t", "1"); bindings use Textual key
names ("question_mark"); `RESERVED_KEYS` holds both spellings.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KeyBinding:
    id: str  # stable name, used by the TUI and in tests
    key: str  # Textual key name(s), comma-separated
    action: str
    description: str
    show: bool = True  # shown in the footer
    tooltip: str = ""


# The labeling screen. Codebook keys (claim types on digits, stance targets
# and polarities on letters, confidence on shifted digits) come on top.
LABELING: tuple[KeyBinding, ...] = (
    KeyBinding(
        "commit",
        "enter",
        "commit",
        "Commit",
        tooltip="Save and go to the next undone sentence",
    ),
    KeyBinding("speaker", "space", "speaker", "Speaker", tooltip="Pick or add the speaker"),
    KeyBinding(
        "same_speaker",
        "quotation_mark",
        "same_speaker",
        "Same speaker",
        show=False,
        tooltip="The speaker of the sentence before (a continuing quote)",
    ),
    KeyBinding("skip", "x", "skip", "Skip", tooltip="Not codable; optional reason"),
    KeyBinding("flag", "f", "flag", "Flag", tooltip="Flag to discuss; optional reason"),
    KeyBinding("note", "ctrl+n", "note", "Note"),
    KeyBinding("unstance", "backspace", "remove_stance", "Drop stance", show=False),
    KeyBinding("undo", "ctrl+z", "undo", "Undo"),
    KeyBinding("redo", "ctrl+y", "redo", "Redo"),
    KeyBinding("find", "slash", "find", "Find"),
    KeyBinding("display", "ctrl+d", "toggle_display", "Display"),
    KeyBinding("help", "question_mark", "help", "Help"),
    KeyBinding("previous", "up", "move(-1)", "Previous", show=False),
    KeyBinding("next", "down", "move(1)", "Next", show=False),
    KeyBinding(
        "next_undone",
        "tab",
        "next_undone(1)",
        "Next not done",
        show=False,
        tooltip="Jump to the next sentence that is not done (drafts included)",
    ),
    KeyBinding("previous_undone", "shift+tab", "next_undone(-1)", "Previous not done", show=False),
    KeyBinding(
        "recheck",
        "ctrl+r",
        "next_recheck",
        "Next recheck",
        show=False,
        tooltip="Go to your next label that a codebook revision asks you to look at again",
    ),
    KeyBinding("back", "escape", "back", "List"),
    KeyBinding("quit", "q", "quit", "Quit"),
)

ARTICLES: tuple[KeyBinding, ...] = (
    KeyBinding("open", "enter", "open", "Open"),
    KeyBinding("filter", "slash", "filter", "Filter"),
    KeyBinding("display", "ctrl+d", "toggle_display", "Display"),
    KeyBinding("help", "question_mark", "help", "Help"),
    KeyBinding("quit", "q", "quit", "Quit"),
)

# The review (adjudication) screen. Digits 1-9 take that coder's value for
# the row under the cursor (coders numbered in the table's column order).
REVIEW: tuple[KeyBinding, ...] = (
    KeyBinding("commit", "enter", "commit", "Commit gold", tooltip="Save and go to the next"),
    KeyBinding("majority", "m", "majority", "Majority", tooltip="Majority value for this row"),
    KeyBinding(
        "majority_all",
        "M",
        "majority_all",
        "Majority all",
        tooltip="Majority value for every undecided row that has one",
    ),
    KeyBinding("edit", "e", "edit", "Edit", tooltip="Choose this row's value by hand"),
    KeyBinding("reason", "r", "reason", "Reason", tooltip="Why this answer (optional)"),
    KeyBinding("withdraw", "delete", "withdraw", "Withdraw", show=False),
    KeyBinding("row_up", "up,k", "cursor(-1)", "Row up", show=False),
    KeyBinding("row_down", "down,j", "cursor(1)", "Row down", show=False),
    KeyBinding("previous", "p,left", "move(-1)", "Previous"),
    KeyBinding("next", "n,right", "move(1)", "Next"),
    KeyBinding("undo", "ctrl+z", "undo", "Undo"),
    KeyBinding("redo", "ctrl+y", "redo", "Redo"),
    KeyBinding("display", "ctrl+d", "toggle_display", "Display"),
    KeyBinding("help", "question_mark", "help", "Help"),
    KeyBinding("quit", "q", "quit", "Quit"),
)

# `workbench agree --app`: the overview's rows (fields, categories,
# articles), then the sentences a selected row disagrees on.
_AGREEMENT_MOVES: tuple[KeyBinding, ...] = (
    KeyBinding("row_up", "up,k", "cursor(-1)", "Up", show=False),
    KeyBinding("row_down", "down,j", "cursor(1)", "Down", show=False),
    KeyBinding("page_up", "pageup", "cursor(-10)", "Page up", show=False),
    KeyBinding("page_down", "pagedown", "cursor(10)", "Page down", show=False),
    KeyBinding("first", "home", "cursor(-1000000)", "First", show=False),
    KeyBinding("last", "end", "cursor(1000000)", "Last", show=False),
)
AGREEMENT: tuple[KeyBinding, ...] = (
    KeyBinding(
        "open",
        "enter",
        "open",
        "Disagreements",
        tooltip="List the sentences coders disagree on for this field, category or article",
    ),
    *_AGREEMENT_MOVES,
    KeyBinding("quit", "q,escape", "quit", "Quit"),
)
AGREEMENT_SENTENCES: tuple[KeyBinding, ...] = (
    KeyBinding(
        "review",
        "r",
        "review",
        "Review",
        tooltip="Quit and open `workbench review` at this sentence",
    ),
    *_AGREEMENT_MOVES,
    KeyBinding("back", "escape", "back", "Back"),
    KeyBinding("quit", "q", "quit", "Quit"),
)

# Shifted digits pick the values of an ordinal field (confidence 1-3).
ORDINAL_KEYS: tuple[str, ...] = ("!", "@", "#", "$", "%", "^", "&", "*", "(")

_CHARACTERS = {
    "question_mark": "?",
    "slash": "/",
    "space": " ",
    "exclamation_mark": "!",
    "at": "@",
    "number_sign": "#",
    "quotation_mark": '"',
}

RESERVED_KEYS: frozenset[str] = frozenset(
    {b.key for b in LABELING}
    | {_CHARACTERS.get(b.key, b.key) for b in LABELING}
    | {"space", "tab", "escape"}
)

# What owns each reserved key, for error messages ("key 'q' is reserved for Quit").
RESERVED_BY: dict[str, str] = {
    **{_CHARACTERS.get(b.key, b.key): b.description for b in LABELING},
    **{b.key: b.description for b in LABELING},
}
