"""Arabic sentence segmentation with character offsets.

Public API (stable; researchers call it from notebooks)::

    sentence_spans(text) -> [(start, end), ...]
    segment(text) -> [Segment(start, end, line, in_quote, has_quote), ...]

Offsets index the original ``text`` in logical (memory) order; ``text[start:end]``
is the sentence, never starting or ending with whitespace (``str.isspace``).
Spans are increasing and non-overlapping, and every non-whitespace character
of ``text`` lies in exactly one span.

Rules
-----
Lines
    The text is split into lines on ``\\n``, ``\\r\\n`` and ``\\r``. A sentence
    never crosses a line break and every non-empty line is at least its own
    unit, so headlines and page chrome without a full stop ("شارك المقال على:",
    "قد يعجبك ايضا", "(Getty)", "+ الخط -") stand alone. Whitespace-only lines
    produce nothing. Other Unicode separators (U+2028, U+0085, form feed) are
    whitespace inside a line, not line breaks.

Terminators
    A run of ``. ! ? ؟ ۔ …`` (and ``‼ ⁇ ⁈ ⁉``) ends a sentence, the whole run
    (``؟!``, ``!!``) staying with it. ``،`` ``؛`` and ``:`` never end one.

Ellipsis as a connector (a deliberate choice)
    A run made only of dots and ``…`` that is two or more dots long or
    contains ``…`` (``..``, ``...``, ``…``) does **not** end a sentence. Arabic
    headlines use it as a connector between two clauses ("آخر تطورات الوضع في
    الحسكة.. الآسايش تعلن ..."), and splitting there would cut a headline in
    two. At the end of a line it ends the sentence anyway, because the line
    does. A run that also holds ``!``, ``?``, ``؟`` or ``۔`` (``...؟``) is a
    terminator.

A single ``.`` does not end a sentence when
    * it is directly followed by a digit (any script) or a Latin letter:
      ``7.5``, ``٣.٥``, ``www.example.com``, ``a.b``. (``٣٫٥`` uses U+066B,
      which is no terminator at all.) A ``.`` directly followed by an Arabic
      letter (a missing space in scraped text) *does* end a sentence;
    * it closes an abbreviation, see :func:`_is_abbreviation` (the one place
      that rule lives): a single letter or a chain of dotted single letters
      (``د.`` ``أ.د.`` ``ص.ب.`` ``م.`` ``ق.م.`` ``J.`` ``U.S.``), ``هـ.``, a few
      Latin titles (``Dr.`` ``Mr.`` ...), or a 1-3 digit list number at the
      start of a line (``1. ...``).

Closing marks
    Closing brackets ``) ] }``, closing guillemets ``» ›`` and closing
    quotation marks that directly follow a terminator run stay with the
    sentence: in ``أبداً.” ثم`` the ``”`` belongs to the first sentence. A
    sentence does not end where the next character (after those closing marks)
    is ``، , ؛ ; :`` or another terminator (``"لا!"، قال``; ``"لا!".``).

Quotation state
    Curly quotes appear in both orientations in this corpus (``:” ... آمنة”.``
    opens *and* closes with ``”``), so ``” “ " ″`` are ambiguous and toggle
    an in-quote flag; ``« ‹`` open and ``» ›`` close (a nesting depth that never
    goes below zero). The state resets at every line start. An ambiguous mark
    directly after a terminator run is a closing mark (kept with the
    sentence) when the toggle says a quotation is open at that point, or when
    nothing but whitespace follows it on the line (an opening mark cannot end
    a line); otherwise it opens the next sentence.
    ``Segment.in_quote`` is true when a sentence begins inside a quotation
    opened by an earlier sentence of the same line; ``has_quote`` when the
    sentence contains any of ``” “ " ″ « » ‹ ›``.

Cost
    Linear in the length of the text: no regular expression here backtracks
    over more than a line's trailing whitespace, and every look-back (the
    abbreviation test) is bounded. The work is a handful of C scans (literal
    searches, one line regex) plus Python work per line and per terminator
    run: about 140 M characters/s on news text with short lines, and a 50 MB
    single line of news sentences in under 2 s.
"""

from __future__ import annotations

import heapq
import re
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["RULES", "Segment", "segment", "sentence_spans"]

# The rules above, by name: a methods paragraph cites it (`workbench.methods`)
# so a reader knows what a unit is. A change to where sentences end must
# change this name, as `assign.ALGORITHM` does for assignments.
RULES = "workbench-arabic-sentences/1"


class Segment(NamedTuple):
    """One sentence: offsets into the text plus where it sits."""

    start: int
    end: int
    line: int
    in_quote: bool
    has_quote: bool


# --- character classes -------------------------------------------------------

_STRONG = "!?؟۔‼⁇⁈⁉"  # always end a sentence (U+061F Arabic question mark, U+06D4)
_WEAK = ".…"  # '.' (see the rules) and the ellipsis (connector when mid-line)
_TERMINATORS = _WEAK + _STRONG
_AMBIGUOUS_QUOTES = '”“"″'  # toggle: both orientations open and close
_OPEN_QUOTES = "«‹"
_CLOSE_QUOTES = "»›"
_QUOTES = _AMBIGUOUS_QUOTES + _OPEN_QUOTES + _CLOSE_QUOTES
_CLOSE_BRACKETS = ")]}"
# A sentence cannot begin with one of these: a terminator followed (after its
# closing marks) by one of them does not end the sentence.
_CONTINUATIONS = frozenset("،,؛;:" + _TERMINATORS)

_LINE_RE = re.compile(r"\S(?:[^\n]*\S)?")  # one stripped, non-empty line
_SPACE_RE = re.compile(r"\s*")
_QUOTE_RE = re.compile("[" + re.escape(_QUOTES) + "]")
# One pattern per terminator character, compiled on first use (import stays cheap).
_RUN_RES: dict[str, re.Pattern[str]] = {}
_SPAN = re.Match.span


# --- abbreviations: the one place this rule lives ----------------------------

# Harakat (U+064B-U+065F), superscript alef and tatweel may follow a letter
# ("هـ", "دَ").
_MARKS = frozenset(map(chr, range(0x064B, 0x0660))) | {"\u0670", "\u0640"}
# Latin titles that take a period and are followed by a name, never by a new
# sentence. Kept short on purpose: "etc." and "No." often end sentences.
_WORD_ABBREVIATIONS = frozenset({"Mr", "Mrs", "Ms", "Dr", "Prof", "Jr", "Sr", "St", "vs"})
_MAX_CHAIN = 4  # "أ.د." has 2 letters, "U.S.A." 3; longer chains are not abbreviations
_MAX_MARKS = 4  # harakat/tatweel looked at after one letter


def _is_boundary(ch: str) -> bool:
    """Whether ``ch`` can precede the first letter of a token (space, bracket, quote...)."""
    return not (ch.isalnum() or ch in "._" or ch in _MARKS)


def _is_abbreviation(text: str, dot: int, line_start: int) -> bool:
    """Whether the ``.`` at ``text[dot]`` closes an abbreviation (so no sentence end).

    The token before the dot (back to whitespace, punctuation or the line
    start) must be one of:

    * a single letter, Arabic or Latin, with any harakat or tatweel: ``د.``,
      ``م.``, ``J.``, ``هـ.``;
    * a chain of up to ``_MAX_CHAIN`` such letters joined by dots: ``أ.د.``,
      ``ص.ب.``, ``ق.م.``, ``U.S.``;
    * one of the Latin titles in ``_WORD_ABBREVIATIONS``: ``Dr.``, ``Mr.``;
    * a number of one to three digits that is the first token of its line,
      a list enumerator: ``1. ...``.

    Only a bounded stretch before the dot is examined, which keeps the
    segmenter linear.
    """
    k = dot - 1
    if k < line_start:
        return False
    if text[k].isdecimal():  # a list enumerator?
        return dot - line_start <= 3 and text[line_start:dot].isdecimal()
    letters = 0
    while True:  # walk back over "L.L.L" (each L a letter plus marks)
        n = 0
        while k >= line_start and n < _MAX_MARKS and text[k] in _MARKS:
            k -= 1
            n += 1
        if k < line_start or not text[k].isalpha() or text[k] == "\u0640":
            return False
        k -= 1
        letters += 1
        if k < line_start:
            return True
        ch = text[k]
        if ch == "." and letters < _MAX_CHAIN:
            k -= 1
            continue
        if _is_boundary(ch):
            return True
        if letters > 1 or not ch.isascii():
            return False
        # A Latin word: one of the titles?
        j = dot - 1
        while j > line_start and dot - j < 5 and text[j - 1].isascii() and text[j - 1].isalpha():
            j -= 1
        return text[j:dot] in _WORD_ABBREVIATIONS and (j == line_start or _is_boundary(text[j - 1]))


def _is_latin_letter(ch: str) -> bool:
    return ch.isalpha() and ch <= "\u024f"


def _ends_sentence(text: str, a: int, b: int, line_start: int) -> bool:
    """Whether the terminator run ``text[a:b]`` (followed by more text on its line) ends one."""
    if b - a == 1:
        ch = text[a]
        if ch == ".":
            nxt = text[b]
            if nxt.isdecimal() or _is_latin_letter(nxt):
                return False
            return not _is_abbreviation(text, a, line_start)
        return ch != "…"
    # Several characters: a terminator when it holds a strong one; only dots and
    # ellipses make a connector.
    return bool(text[a:b].strip(_WEAK))


# --- quotation state -----------------------------------------------------------


def _advance(text: str, a: int, b: int, amb: bool, depth: int) -> tuple[bool, int]:
    """The quotation state after ``text[a:b]`` given the state ``(amb, depth)`` before it."""
    for m in _QUOTE_RE.finditer(text, a, b):
        ch = m.group()
        if ch in _AMBIGUOUS_QUOTES:
            amb = not amb
        elif ch in _OPEN_QUOTES:
            depth += 1
        elif depth:
            depth -= 1
    return amb, depth


# --- the scanner ---------------------------------------------------------------


def _terminator_runs(text: str) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of every maximal run of terminators, in order, then a sentinel.

    Each terminator character is found with its own literal search (far
    faster in ``re`` than a character class); the streams are merged lazily.
    """
    sentinel = (len(text) + 1, len(text) + 1)
    streams = []
    for c in _TERMINATORS:
        if c in text:
            rx = _RUN_RES.get(c)
            if rx is None:  # "x" then "x*": a literal prefix, which re finds very fast
                rx = _RUN_RES[c] = re.compile(re.escape(c) * 2 + "*")
            streams.append(map(_SPAN, rx.finditer(text)))
    if len(streams) == 1:
        yield from streams[0]
    elif streams:
        # Runs of different characters may touch ("؟!"): join them.
        merged = heapq.merge(*streams)
        a, b = next(merged)
        for c, d in merged:
            if c == b:
                b = d
            else:
                yield a, b
                a, b = c, d
        yield a, b
    while True:
        yield sentinel


def _split_line(
    text: str,
    ls: int,
    le: int,
    run: tuple[int, int],
    runs: Iterator[tuple[int, int]],
    spans: list[tuple[int, int]],
    in_quote: list[int],
) -> tuple[int, int]:
    """Segment the stripped line ``text[ls:le]``, whose first terminator run is ``run``.

    Appends spans (and the indices of spans that begin inside a quotation) and
    returns the first run after the line.
    """
    cur = ls  # start of the pending sentence
    q_pos, amb, depth = ls, False, 0  # quotation state, valid at q_pos
    a, b = run
    while a < le:
        if b >= le or not _ends_sentence(text, a, b, ls):
            a, b = next(runs)
            continue
        # Keep closing marks that directly follow the run with the sentence.
        e = b
        while e < le:
            ch = text[e]
            if ch in _CLOSE_BRACKETS:
                e += 1
            elif ch in _AMBIGUOUS_QUOTES:
                amb, depth = _advance(text, q_pos, e, amb, depth)
                q_pos = e
                if not (amb or e + 1 >= le):
                    break  # it opens the next sentence
                amb = not amb
                e += 1
                q_pos = e
            elif ch in _CLOSE_QUOTES:
                e += 1
            else:
                break
        a, b = next(runs)
        if e >= le or text[e] in _CONTINUATIONS:
            continue
        spans.append((cur, e))
        cur = _SPACE_RE.match(text, e, le).end()
        amb, depth = _advance(text, q_pos, cur, amb, depth)
        q_pos = cur
        if amb or depth:
            in_quote.append(len(spans))
    spans.append((cur, le))
    return a, b


def _scan(text: str) -> tuple[list[tuple[int, int]], list[int]]:
    """All spans, and the indices of the spans that begin inside a quotation."""
    spans: list[tuple[int, int]] = []
    in_quote: list[int] = []
    if not text:
        return spans, in_quote
    if "\r" in text:  # same length, same offsets; "\r\n" only adds an empty line
        text = text.replace("\r", "\n")
    runs = _terminator_runs(text)
    append = spans.append
    a, b = next(runs)
    for m in _LINE_RE.finditer(text):
        ls, le = m.span()
        if a >= le:  # no terminator on the line: one unit
            append((ls, le))
        elif b == le:  # the only terminator run closes the line
            append((ls, le))
            a, b = next(runs)
        else:
            a, b = _split_line(text, ls, le, (a, b), runs, spans, in_quote)
    return spans, in_quote


# --- public API ----------------------------------------------------------------


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence offsets ``(start, end)`` into ``text``, in order; see the module doc."""
    return _scan(text)[0]


def segment(text: str) -> list[Segment]:
    """Sentences of ``text`` with their line index and quotation flags."""
    spans, quoted = _scan(text)
    in_quote = set(quoted)
    has_cr = "\r" in text
    count = text.count
    find = text.find
    marks = [c for c in _QUOTES if c in text]  # literal finds beat a class search
    new = tuple.__new__  # Segment(...) goes through a Python-level __new__
    out: list[Segment] = []
    append = out.append
    line = 0
    prev = 0
    for k, (s, e) in enumerate(spans):
        # Span starts are never whitespace, so no "\r\n" straddles prev.
        line += count("\n", prev, s)
        if has_cr:
            line += count("\r", prev, s) - count("\r\n", prev, s)
        prev = s
        has_quote = False
        for c in marks:
            if find(c, s, e) >= 0:
                has_quote = True
                break
        append(new(Segment, (s, e, line, k in in_quote, has_quote)))
    return out
