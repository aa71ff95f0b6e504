"""Every key binding of the app, declared in one place.

Core data, no Textual: the TUI builds its bindings from these tables and the
codebook validator checks codebook keys against them, so a codebook can never
shadow a global key.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KeyBinding:
    id: str  # stable name, used by the TUI and by user keymap overrides
    key: str  # Textual key name(s), comma-separated
    action: str
    description: str
    show: bool = True  # shown in the footer


LABELING: tuple[KeyBinding, ...] = (
    KeyBinding("commit", "enter", "commit", "Commit and next"),
    KeyBinding("undo", "ctrl+z", "undo", "Undo"),
    KeyBinding("redo", "ctrl+y", "redo", "Redo"),
    KeyBinding("help", "question_mark", "help", "Help and codebook"),
    KeyBinding("quit", "q", "quit", "Quit"),
    KeyBinding("find", "slash", "find", "Find"),
    KeyBinding("skip", "ctrl+s", "skip", "Skip"),
    KeyBinding("flag", "ctrl+f", "flag", "Flag"),
    KeyBinding("display", "ctrl+d", "toggle_display", "Display mode"),
    KeyBinding("previous", "up", "previous", "Previous sentence", show=False),
    KeyBinding("next", "down", "next", "Next sentence", show=False),
)

# Keys a codebook value may not claim, because a global binding owns them.
RESERVED_KEYS: frozenset[str] = frozenset(
    {"enter", "ctrl+z", "ctrl+y", "question_mark", "?", "q", "slash", "/", "escape", "tab"}
    | {b.key for b in LABELING}
)
