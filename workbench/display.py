"""The one display path: every string from data becomes lines a terminal shows right.

Terminals disagree about right-to-left text. VTE (GNOME Terminal,
xfce4-terminal), Konsole, mlterm, mintty and macOS Terminal reorder and shape
Arabic themselves; kitty, Alacritty, Windows Terminal, Ghostty, xterm and tmux
do not, and show logical text backwards and unjoined. Hence two display modes:

- "terminal": logical text for the terminal's own bidi. A right-to-left
  paragraph is padded on the left (VTE lays every row out left to right, so
  without the padding a short Arabic line sits at the left margin) and framed
  in U+200F RIGHT-TO-LEFT MARKs, so that a leading quotation mark or a final
  full stop stays with the Arabic;
- "app": the app does everything. Wrap the logical text first, then per line
  reshape (arabic-reshaper), reorder (python-bidi, UAX #9 rules L1-L2) and
  mirror brackets (rule L4, which python-bidi >= 0.5 does not apply), and
  right-align right-to-left paragraphs.

A paragraph's direction is that of its first strong character (UAX #9
P2-P3); article text is always right to left. Everything here is display
only: offsets and stored text stay logical. `sanitize` makes data harmless
first: no escapes, controls, bidi overrides or lone surrogates reach the
terminal.

Widgets and CLI tables call `display_lines` (a paragraph in a box) and
`display_line` (one line: a name, a title, a cell). Nothing here imports
Textual; Rich only for cell widths.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from typing import Any, Literal

from rich.cells import cell_len, get_character_cell_size

DisplayMode = Literal["terminal", "app"]
Direction = Literal["L", "R"]
DISPLAY_MODES: tuple[DisplayMode, ...] = ("terminal", "app")
RLM = "\u200f"
LRM = "\u200e"
ELLIPSIS = "…"

# ESC-introduced sequences: CSI (colours, cursor moves), OSC (titles,
# hyperlinks, clipboard; ended by BEL or ST), DCS/SOS/PM/APC strings, and
# two-character escapes.
_ANSI_RE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI
    r"|\x1b[\]PX^_][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC, DCS, SOS, PM, APC
    r"|\x1b[@-Z\\-_]"  # other two-character escapes
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
    r"|[\x9d\x90\x98\x9e\x9f][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # 8-bit OSC/DCS/...
)
# C0 and C1 controls (line breaks become spaces first), DEL, the bidi
# embedding/override/isolate controls U+202A-202E and U+2066-2069.
_CONTROL_RE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
_WHITESPACE_CONTROLS = str.maketrans({c: " " for c in "\t\n\r\x0b\x0c\x85\u2028\u2029"})
# The Arabic letters U+0621-U+064A that have presentation forms: not tatweel
# (U+0640), nor the five Persian-style letters U+063B-063F, which Unicode
# gives no presentation forms (no terminal can show them joined).
_ARABIC_LETTER_RE = re.compile("[\u0621-\u063a\u0641-\u064a]")


def sanitize(text: str) -> str:
    """Text safe to put on a terminal: no escapes, controls or bidi overrides.

    Line breaks (including U+2028/2029 and NEL) become spaces; a lone
    surrogate, which no terminal encoding can carry, becomes U+FFFD.
    """
    text = _ANSI_RE.sub("", text.translate(_WHITESPACE_CONTROLS))
    return _SURROGATE_RE.sub("\ufffd", _CONTROL_RE.sub("", text))


def visible(text: str) -> str:
    """Text with its controls shown as escapes (`\\x1b`), for names a user
    must recognise and retype: file names in error messages."""
    return "".join(
        c.encode("unicode_escape").decode("ascii")
        if _CONTROL_RE.match(c) or _SURROGATE_RE.match(c)
        else c
        for c in text
    )


def has_arabic(text: str) -> bool:
    """Whether `text` holds an Arabic letter (the letters app mode must shape)."""
    return _ARABIC_LETTER_RE.search(text) is not None


def unshaped_arabic(text: str) -> list[str]:
    """The Arabic letters in `text` that are not in presentation form: in app
    mode none may reach the screen (the terminal would show them unjoined)."""
    return _ARABIC_LETTER_RE.findall(text)


def base_direction(text: str) -> Direction:
    """The paragraph direction of `text`: that of its first strong character
    (UAX #9 rules P2-P3); left to right when there is none."""
    for c in text:
        kind = unicodedata.bidirectional(c)
        if kind == "L":
            return "L"
        if kind in ("R", "AL"):
            return "R"
    return "L"


# -- wrapping and cutting, in logical order, linear in the text's length ---


def wrap_logical(text: str, width: int) -> list[str]:
    """Greedy word wrap in logical order, measured in terminal cells.

    Harakat are zero width, so diacritized text wraps like plain text. A
    word wider than the line is cut. Linear in the length of the text: one
    20,000-character word costs what 20,000 characters of words cost.
    """
    width = max(width, 1)
    lines: list[str] = []
    current: list[str] = []
    used = 0
    for word in text.split():
        size = cell_len(word)
        if current and used + 1 + size <= width:
            current.append(word)
            used += 1 + size
            continue
        if current:
            lines.append(" ".join(current))
            current, used = [], 0
        if size > width:
            pieces = _pieces(word, width)
            lines.extend(pieces[:-1])
            word = pieces[-1]
            size = cell_len(word)
        current, used = [word], size
    if current or not lines:
        lines.append(" ".join(current))
    return lines


def _pieces(word: str, width: int) -> list[str]:
    """`word` cut into pieces at most `width` cells wide, left to right."""
    pieces: list[str] = []
    start = used = 0
    for i, c in enumerate(word):
        size = get_character_cell_size(c)
        if used + size > width and i > start:
            pieces.append(word[start:i])
            start, used = i, 0
        used += size
    pieces.append(word[start:])
    return pieces


def cut(text: str, width: int) -> str:
    """Text on one line, cut to `width` cells at its logical end (its start
    stays, whichever way it is drawn), with "…" where it was cut."""
    text = " ".join(sanitize(text).split())
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return text
    kept: list[str] = []
    used = 0
    for c in text:
        size = get_character_cell_size(c)
        if used + size > width - 1:
            break
        kept.append(c)
        used += size
    return "".join(kept).rstrip() + ELLIPSIS


# -- app mode: reshape, reorder, mirror ------------------------------------


@cache
def _reshaper() -> Any:
    import arabic_reshaper

    return arabic_reshaper.ArabicReshaper(
        configuration={"delete_harakat": False, "shift_harakat_position": True}
    )


@cache
def _mirrored() -> dict[str, str]:
    from bidi.mirror import MIRRORED

    return dict(MIRRORED)


_LEVEL_RE = re.compile(r"Level\(\s*(\d+)")


def _levels(text: str, base: Direction) -> list[int]:
    """The resolved embedding level of each character (UAX #9 up to I2).

    python-bidi's Rust core gives its levels only through its debug report,
    one per UTF-8 byte; `bidi_levels_agree_with_python_bidi` in the tests
    checks that reordering by these levels gives python-bidi's own output.
    """
    from bidi import get_display

    report = get_display(text, base_dir=base, debug=True)
    section = report[report.index("levels:") : report.index("paragraphs:")]
    by_byte = [int(n) for n in _LEVEL_RE.findall(section)]
    levels: list[int] = []
    offset = 0
    for c in text:
        levels.append(by_byte[offset])
        offset += len(c.encode("utf-8", "surrogatepass"))
    return levels


def _reorder(text: str, base: Direction) -> str:
    """Rules L1 (trailing whitespace to the paragraph level), L2 (reverse
    runs from the highest level down) and L4 (mirror characters at odd
    levels) on one line."""
    levels = _levels(text, base)
    paragraph = 1 if base == "R" else 0
    end = len(text)
    while end and (text[end - 1].isspace() or unicodedata.bidirectional(text[end - 1]) == "BN"):
        end -= 1
        levels[end] = paragraph
    mirror = _mirrored()
    chars = [mirror.get(c, c) if level % 2 else c for c, level in zip(text, levels, strict=True)]
    order = list(range(len(chars)))
    highest = max(levels, default=0)
    lowest_odd = min((lv for lv in levels if lv % 2), default=highest + 1)
    for level in range(highest, lowest_odd - 1, -1):
        i = 0
        while i < len(order):
            if levels[order[i]] >= level:
                j = i
                while j < len(order) and levels[order[j]] >= level:
                    j += 1
                order[i:j] = order[i:j][::-1]
                i = j
            else:
                i += 1
    return "".join(chars[k] for k in order)


@lru_cache(maxsize=65536)
def visual_line(logical: str, base: Direction = "R") -> str:
    """One already-wrapped, sanitized logical line, reshaped, in visual
    order, brackets mirrored.

    Cached: arabic-reshaper re-reads its configuration on every call, and
    the screens redraw the same lines often.
    """
    shaped = _reshaper().reshape(logical) if has_arabic(logical) else logical
    mirror = _mirrored()
    if any(c in mirror for c in shaped):
        return _reorder(shaped, base)
    from bidi import get_display

    return get_display(shaped, base_dir=base)


# -- the display path ------------------------------------------------------


def _direction(text: str, base: Direction | None) -> Direction:
    return base if base is not None else base_direction(text)


def _terminal_line(line: str, direction: Direction) -> str:
    # The closing RLM goes after a space, not straight after the text: VTE
    # stores a zero-width character in the cell before it, and a bracket or
    # guillemet sharing its cell with the RLM was drawn unmirrored
    # ("(موظفي السجن)" at the end of a line came out with two "(").
    # Measured in xfce4-terminal; the space+RLM cell still carries the
    # direction, so a final full stop stays at the left end.
    return RLM + line + " " + RLM if direction == "R" else line


# What `_terminal_line` adds to a right-to-left line: one cell (the space).
_TERMINAL_FRAME = 1


@lru_cache(maxsize=16384)
def _display_lines(
    text: str, width: int, mode: DisplayMode, base: Direction | None
) -> tuple[str, ...]:
    clean = sanitize(text)
    direction = _direction(clean, base)
    frame = _TERMINAL_FRAME if mode == "terminal" and direction == "R" else 0
    lines = []
    for line in wrap_logical(clean, width - frame):
        shown = visual_line(line, direction) if mode == "app" else _terminal_line(line, direction)
        if direction == "R":
            shown = " " * max(0, width - cell_len(shown)) + shown
        lines.append(shown)
    return tuple(lines)


def display_lines(
    text: str, width: int, mode: DisplayMode, base: Direction | None = None
) -> list[str]:
    """The lines to draw for `text` in a box `width` cells wide.

    Wrapped in logical order first, then, in "app" mode, each line reshaped,
    reordered and mirrored. A right-to-left paragraph (`base`, else its first
    strong character) comes right-aligned, padded to `width`, in both modes;
    a left-to-right one is not padded.
    """
    return list(_display_lines(text, width, mode, base))


@lru_cache(maxsize=16384)
def display_line(
    text: str, mode: DisplayMode, width: int | None = None, base: Direction | None = None
) -> str:
    """A short string (a name, a title, a table cell) on one line, cut at
    its logical end to `width` cells when given, in the display mode. Not
    padded: the caller aligns it. Cached: the status line and the field
    panel draw the same names on every key."""
    clean = " ".join(sanitize(text).split())
    direction = _direction(clean, base)
    if mode == "app":
        return visual_line(cut(clean, width) if width is not None else clean, direction)
    frame = _TERMINAL_FRAME if direction == "R" else 0
    line = _terminal_line(cut(clean, width - frame) if width is not None else clean, direction)
    return embedded(line, mode)


def embedded(line: str, mode: DisplayMode) -> str:
    """A line placed inside a left-to-right row (a table cell, a picker
    row, a name after a label): in terminal mode a right-to-left line is
    framed in LRMs, because a bidi terminal reads the whole row as one
    paragraph and would otherwise run two neighbouring Arabic cells into
    one right-to-left run, swapping them. `display_line` does this itself;
    lines of `display_lines` need it when they sit in a row. Zero width."""
    if mode == "terminal" and RLM in line:
        return LRM + line + LRM
    return line
