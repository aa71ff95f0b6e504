"""Turning stored Arabic text into lines a terminal shows correctly.

Terminals disagree about right-to-left text. VTE (GNOME Terminal), Konsole,
mlterm, mintty and macOS Terminal reorder and shape Arabic themselves; kitty,
Alacritty, Windows Terminal, Ghostty, xterm and tmux do not, and show logical
text backwards and unjoined. Hence two display modes:

- "terminal": the logical text, plus a trailing U+200F RIGHT-TO-LEFT MARK so
  the terminal's bidi puts the final full stop on the left;
- "app": the app wraps the logical text to the width, then reshapes each line
  (arabic-reshaper, harakat kept and shifted) and reorders it (python-bidi),
  to be shown right-aligned.

Everything here is display only: offsets and stored text stay logical.
Text from corpus files is data: `sanitize` removes what could act on the
terminal (ANSI escapes, control characters) or leak direction into the rest
of the screen (bidi embeddings, overrides and isolates).
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import Any, Literal

DisplayMode = Literal["terminal", "app"]
DISPLAY_MODES: tuple[DisplayMode, ...] = ("terminal", "app")
RLM = "\u200f"

# ESC-introduced sequences: CSI (colours, cursor moves), OSC (titles,
# hyperlinks; ended by BEL or ST), and two-character escapes.
_ANSI_RE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC
    r"|\x1b[@-Z\\-_]"  # other two-character escapes
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
)
# C0 and C1 controls (tab and newline become spaces first), DEL, and the bidi
# embedding/override/isolate controls U+202A-202E, U+2066-2069.
_CONTROL_RE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_WHITESPACE_CONTROLS = str.maketrans({"\t": " ", "\n": " ", "\r": " ", "\x0b": " ", "\x0c": " "})


def sanitize(text: str) -> str:
    """Text safe to put on a terminal: no escapes, controls or bidi overrides."""
    text = _ANSI_RE.sub("", text)
    return _CONTROL_RE.sub("", text.translate(_WHITESPACE_CONTROLS))


def terminal_text(text: str) -> str:
    """Mode "terminal": logical order, the terminal does the bidi."""
    return sanitize(text) + RLM


@cache
def _reshaper() -> Any:
    import arabic_reshaper

    return arabic_reshaper.ArabicReshaper(
        configuration={"delete_harakat": False, "shift_harakat_position": True}
    )


@lru_cache(maxsize=65536)
def visual_line(logical: str) -> str:
    """One already-wrapped logical line, reshaped and in visual order.

    Cached: arabic-reshaper re-reads its configuration through configparser
    on every call, and the labeling screen redraws the same lines often.
    """
    from bidi import get_display

    return get_display(_reshaper().reshape(logical), base_dir="R")


def wrap_logical(text: str, width: int) -> list[str]:
    """Greedy word wrap in logical order, measured in terminal cells.

    Harakat are zero width in Rich's measurement, so diacritized text wraps
    like plain text. A word wider than the line is cut.
    """
    from rich.cells import cell_len

    width = max(width, 1)
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if cell_len(candidate) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        while cell_len(word) > width:
            cut = _cut_at_width(word, width)
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    if current or not lines:
        lines.append(current)
    return lines


def _cut_at_width(word: str, width: int) -> int:
    from rich.cells import cell_len

    cut = len(word)
    while cut > 1 and cell_len(word[:cut]) > width:
        cut -= 1
    return cut


@lru_cache(maxsize=16384)
def _display_lines(text: str, width: int, mode: DisplayMode) -> tuple[str, ...]:
    clean = sanitize(text)
    if mode == "terminal":
        return tuple(line + RLM for line in wrap_logical(clean, width))
    return tuple(visual_line(line) for line in wrap_logical(clean, width))


def display_lines(text: str, width: int, mode: DisplayMode) -> list[str]:
    """The lines to draw for `text` in a box `width` cells wide.

    "terminal": wrapped logical lines, each ending in RLM, for a bidi terminal.
    "app": wrapped first, then each line reshaped and reordered; the caller
    right-aligns them.
    """
    return list(_display_lines(text, width, mode))
