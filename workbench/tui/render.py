"""What the labeling screens draw, as Rich `Text` built from plain strings.

Corpus text never goes through markup: every string from an article, a
codebook or a coder becomes `Text(...)` (styles are attached, never parsed),
after `workbench.display.sanitize`.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from rich.text import Text

from workbench.codebook import Codebook, Field
from workbench.display import (
    DisplayMode,
    cut,
    display_line,
    display_lines,
    has_arabic,
    sanitize,
)
from workbench.session import LabelingSession
from workbench.store import ArticleRow, SentenceRow
from workbench.tui.fit import ALWAYS, fit_parts

if TYPE_CHECKING:  # the boxes are drawn only once one is open: off the start-up path
    from workbench.lineedit import LineEditor
    from workbench.picker import PickerState, PromptState
    from workbench.training import Feedback


@dataclass(frozen=True)
class Block:
    """A paragraph of article text: a headline, or a sentence in context."""

    text: str
    style: str = ""
    current: bool = False
    paragraph: int = 0  # sentences of one source paragraph share it


# The current sentence is marked by colour, never by bold: bold DejaVu Sans
# Mono has no Arabic presentation forms, so xterm drew final ي without its
# dots. Nothing that can hold Arabic is drawn bold.
CURRENT = "reverse"
NEIGHBOUR = "dim"


def strong(text: str) -> str:
    """The emphasis for `text`: bold, unless it holds Arabic (colour then)."""
    return "bold cyan" if has_arabic(text) else "bold"


def block_lines(block: Block, width: int, mode: DisplayMode) -> list[Text]:
    """A block's lines as drawn: right-aligned, the padding left unstyled so
    that a highlight covers the text, not the margin."""
    return [line.copy() for line in _block_lines(block.text, block.style, width, mode)]


@lru_cache(maxsize=256)
def _block_lines(text: str, style: str, width: int, mode: DisplayMode) -> tuple[Text, ...]:
    # Cached: sentences never change, and on every key the context lays out
    # the same neighbours again. Shared, so never modified: `block_lines`
    # hands out copies.
    lines = []
    for line in display_lines(text, width, mode, base="R"):
        shown = line.lstrip(" ")
        out = Text(" " * (len(line) - len(shown)))
        out.append(shown, style=style)
        lines.append(out)
    return tuple(lines)


def blocks_text(
    blocks: Sequence[Block], width: int, mode: DisplayMode, height: int | None = None
) -> Text:
    """Blocks of Arabic text wrapped to `width`; a blank line between paragraphs.

    With a `height`, the current block and as many of its neighbours as fit,
    nearest first, alternating before and after: a tall terminal shows more
    context, a small one still shows the whole current sentence (or, when
    even that does not fit, its start and how much is left).
    """
    return Text("\n").join(blocks_lines(blocks, width, mode, height))


def blocks_lines(
    blocks: Sequence[Block], width: int, mode: DisplayMode, height: int | None = None
) -> tuple[Text, ...]:
    """The lines of `blocks_text`, the blank ones between paragraphs included.

    Cached (the sentences never change, and a screen lays out the same
    blocks again at each repaint), so shared: read them, never modify them."""
    return _blocks_lines(tuple(blocks), width, mode, height)


@lru_cache(maxsize=32)
def _blocks_lines(
    blocks: tuple[Block, ...], width: int, mode: DisplayMode, height: int | None
) -> tuple[Text, ...]:
    laid = [_block_lines(b.text, b.style, width, mode) for b in blocks]
    chosen = range(len(blocks))
    current = next((i for i, b in enumerate(blocks) if b.current), None)
    if height is not None and current is not None:
        chosen = _fitting(blocks, laid, current, height)
    out: list[Text] = []
    for n, i in enumerate(chosen):
        if n and blocks[i].paragraph != blocks[i - 1].paragraph:
            out.append(Text())
        lines: Sequence[Text] = laid[i]
        if height is not None and i == current and len(lines) > height:
            more = len(lines) - (height - 1)
            lines = [*lines[: height - 1], Text(f"… {more} more lines", style="yellow")]
        out.extend(lines)
    return tuple(out)


def _fitting(
    blocks: Sequence[Block], laid: Sequence[Sequence[Text]], current: int, height: int
) -> range:
    lo = hi = current
    used = len(laid[current])
    grew = True
    while grew:
        grew = False
        for side in (-1, 1):
            i = lo - 1 if side < 0 else hi + 1
            if not 0 <= i < len(blocks):
                continue
            near = i + 1 if side < 0 else i - 1
            cost = len(laid[i]) + (2 if blocks[i].paragraph != blocks[near].paragraph else 1) - 1
            if used + cost <= height:
                used += cost
                lo, hi = min(lo, i), max(hi, i)
                grew = True
    return range(lo, hi + 1)


def context_blocks(session: LabelingSession) -> list[Block]:
    """The current sentence among its neighbours."""
    return context_of(session.sentences, session.index)


def context_of(sentences: Sequence[SentenceRow], index: int, reach: int = 12) -> list[Block]:
    """Sentence `index` and up to `reach` sentences each side, neighbours dimmed.

    The screen shows as many neighbours as its height allows (`blocks_text`),
    so pronouns and quotations can be resolved; the current sentence is
    prominent.
    """
    current = sentences[index]
    lo, hi = max(0, index - reach), min(len(sentences), index + reach + 1)
    return [
        Block(
            s.text,
            CURRENT if s.idx == current.idx else NEIGHBOUR,
            current=s.idx == current.idx,
            paragraph=s.line,
        )
        for s in sentences[lo:hi]
    ]


def headline(session: LabelingSession) -> str:
    assert session.article is not None
    return article_headline(session.article)


def article_headline(article: ArticleRow) -> str:
    """The title, else the article's first words."""
    return article.title or article.first_words + " …"


def status_line(session: LabelingSession, mode: DisplayMode, width: int = 200) -> Text:
    """Where the coder is; at a narrow width the least needed parts go first."""
    p = session.progress()
    article = session.article
    assert article is not None
    drafts = session.drafts_here()
    coder = display_line(session.coder, mode, 20)
    book = display_line(session.codebook.name, mode, 24)
    parts = [
        (Text(display_line(article.ext_id, mode, 24), style=strong(article.ext_id)), ALWAYS),
        (Text(f"sentence {session.index + 1}/{len(session.sentences)}"), ALWAYS),
        (Text(f"article {p.article_done}/{p.article_total}"), 1),
        (Text(f"◐{drafts}", style="yellow") if drafts else Text(), 1),
        (Text(f"overall {p.overall_done}/{p.overall_total}"), 3),
        (Text("coder ").append(coder), 2),
        (Text(f"{book} {session.codebook.version}"), 4),
        (Text(f"display {mode}"), 5),
    ]
    return fit_parts([part for part in parts if part[0].plain], width)


def sentence_flags(session: LabelingSession, mode: DisplayMode, width: int = 200) -> Text:
    """Marks for the current sentence: its label status and quotation."""
    text = Text()
    state = session.label_state(session.index)
    if state is None:
        text.append("○ not done", style="yellow")
    elif state["status"] == "draft":
        text.append("◐ draft (saved, not done: enter when complete)", style="yellow")
    else:
        style = {"labeled": "green", "skipped": "magenta", "flagged": "red"}[state["status"]]
        text.append(f"● {state['status']}", style=style)
        if state["note"]:
            room = max(8, width // 2 - text.cell_len)
            text.append(" (").append(display_line(state["note"], mode, room), style=style)
            text.append(")")
    # What the coder must act on comes first: at 80 columns the line is cut.
    _round_marks(session, text, mode)
    missing = session.missing_required()
    if missing:
        names = ", ".join(session.codebook.field(f).label for f in missing)
        text.append(f"   needs: {names}", style="dim")
    if session.sentence.in_quote:
        text.append("   « inside a quotation that began earlier", style="cyan")
    elif session.sentence.has_quote:
        text.append("   « contains a quotation", style="cyan")
    rnd = session.round_of()
    if rnd is not None and session.sentence.id not in session.locked:
        text.append(f"   round {display_line(rnd.name, mode, 30)} ({rnd.kind})", style="cyan")
    text.truncate(width, overflow="ellipsis")
    return text


def _round_marks(session: LabelingSession, text: Text, mode: DisplayMode) -> None:
    """A closed round's final label, or a label to recheck and why."""
    sid = session.sentence.id
    closed = session.locked.get(sid)
    if closed is not None:
        name = display_line(closed, mode, 30)
        text.append(f"   ■ final: round {name} is closed", style="bold red")
        return
    marks = session.rechecks.get(sid)
    if marks:
        why = "; ".join(f"{m.field}: {m.reason}" for m in marks)
        text.append(f"   ⟳ recheck ({sanitize(why)}) · ctrl+r next", style="bold magenta")


def feedback_text(feedback: Feedback, codebook: Codebook) -> str:
    """The key's answer after a trainee commits: ✓ or ✗ per field, and the
    key's value where it differs."""
    parts = []
    for fid, matched in feedback.matched.items():
        f = codebook.field(fid)
        if matched:
            parts.append(f"✓ {f.label}")
        else:
            parts.append(f"✗ {f.label}: key says {_shown(f, feedback.answers.get(fid))}")
    head = f"Key ({feedback.key})" + ("" if feedback.status == "labeled" else f" {feedback.status}")
    return sanitize(f"{head}: " + " · ".join(parts))


def _shown(f: Field, value: Any) -> str:
    """A stored value by its labels, as the key gave it."""
    if value is None:
        return "unset"
    if f.kind == "stance":
        return (
            ", ".join(
                f"{_label(f, p['polarity'], 'polarity')} {_label(f, p['target'], 'target')}"
                for p in value
            )
            or "no stance"
        )
    if isinstance(value, list):
        return ", ".join(_label(f, v) for v in value)
    return _label(f, value)


def _label(f: Field, value_id: str, part: str = "value") -> str:
    try:
        return f.value(value_id, part).label
    except KeyError:  # a speaker added while coding, or a value of an earlier version
        return str(value_id)


LABEL_WIDTH = 11  # the field names' column in the field panel


def field_panel(
    session: LabelingSession,
    mode: DisplayMode,
    speaker_names: dict[str, tuple[str, str]],
    pending_target: str | None = None,
    width: int = 200,
    rows: int = 2,
) -> Text:
    """Every codebook field with the draft's value and the keys that set it.

    Names and notes from data are cut to the line: a wrap of reordered
    Arabic would put its end first. A field's choices take at most `rows`
    lines, their labels cut to fit.

    Cached on everything it shows: after `enter` the next sentence's empty
    draft looks as the last empty one did."""
    draft = session.draft
    names = tuple(
        (value, speaker_names.get(value))
        for f in session.codebook.fields
        if f.kind == "entity" and isinstance(value := draft.values.get(f.id), str)
    )
    key = (
        session.codebook,
        mode,
        pending_target,
        width,
        rows,
        repr(sorted(draft.values.items())),
        repr(sorted(draft.new.items())),
        tuple(sorted(draft.carried)),
        names,
    )
    panel = _PANELS.get(key)
    if panel is None:
        panel = _PANELS[key] = _field_panel(
            session, mode, speaker_names, pending_target, width, rows
        )
        if len(_PANELS) > 64:
            _PANELS.popitem(last=False)  # the least recently used
    else:
        _PANELS.move_to_end(key)
    return panel.copy()


_PANELS: OrderedDict[tuple[object, ...], Text] = OrderedDict()


def _field_panel(
    session: LabelingSession,
    mode: DisplayMode,
    speaker_names: dict[str, tuple[str, str]],
    pending_target: str | None,
    width: int,
    rows: int,
) -> Text:
    out = Text()
    draft = session.draft
    room = max(10, width - LABEL_WIDTH - 9)
    for n, f in enumerate(session.codebook.fields):
        if n:
            out.append("\n")
        out.append(f"{f.label:<{LABEL_WIDTH}}", style="bold")
        value = draft.values.get(f.id)
        carried = f.id in draft.carried
        if f.kind == "entity":
            out.append("[space] ", style="dim")
            if value and draft.new.get(f.id) == value:
                out.append(display_line(value, mode, room // 2), style=strong(value))
                out.append("  (new speaker: created when committed)", style="italic yellow")
            elif value:
                english, arabic = speaker_names.get(value, (value, ""))
                half = room // 2 if arabic else room
                out.append(display_line(english, mode, half), style=strong(english))
                if arabic:
                    out.append("  ")
                    out.append(display_line(arabic, mode, room - half - 2))
                if carried:
                    out.append(
                        "  (carried from the quotation's start; enter keeps it)", "italic cyan"
                    )
            else:
                out.append("—", style="dim")
        elif f.kind == "stance":
            _stance_line(out, f, value or [], pending_target, width, rows)
        elif f.kind in ("single", "multi", "ordinal"):
            _choices_line(out, f, value, width, rows)
        else:
            out.append("[ctrl+n] ", style="dim")
            if value:
                out.append(display_line(value, mode, room))
            else:
                out.append("—", style="dim")
    return out


def _stance_line(
    out: Text, f: Field, pairs: list[dict[str, str]], pending: str | None, width: int, rows: int
) -> None:
    if pending is not None:
        target = f.value(pending, "target")
        head = Text(f"{target.label} → ", style="bold yellow")
        polarities = [Text(f"{p.key} {p.label}", style="yellow") for p in f.polarities]
        flow(out, [head, *polarities, Text("(esc cancels)", style="yellow")], width)
        return
    if not pairs:
        head = [Text("no stance", style="dim")]
    else:
        head = [
            Text(
                f"{_label(f, p['polarity'], 'polarity')} {_label(f, p['target'], 'target')}",
                style="bold",
            )
            for p in pairs
        ]
        head.append(Text("[⌫] drops the last", style="dim"))
    # The targets by name, not only their letters: a coder should not have
    # to remember that n is the UN. After the value, so that at 80x24 the
    # sentence keeps the lines it needs.
    room = rows * (width - LABEL_WIDTH) - sum(t.cell_len + 2 for t in head)
    labels = fitted([t.label for t in f.targets], room)
    targets = [
        Text.assemble((target.key or "?", "bold dim"), (f" {label}", "dim"))
        for target, label in zip(f.targets, labels, strict=True)
    ]
    flow(out, head + targets, width)


def _choices_line(out: Text, f: Field, value: object, width: int, rows: int) -> None:
    chosen = set(value) if isinstance(value, list) else {value}
    key_of = {v: k for k, v in f.keys().items()}
    labels = fitted([v.label for v in f.values], rows * (width - LABEL_WIDTH))
    flow(
        out,
        [
            Text.assemble(
                (key_of.get(v.id, ""), "dim"),
                (f" {label}", "bold reverse" if v.id in chosen else ""),
            )
            for v, label in zip(f.values, labels, strict=True)
        ],
        width,
    )


def flow(out: Text, items: Sequence[Text], width: int) -> None:
    """Items two spaces apart after a field's name, continued under the
    values (never under the field names) and never broken inside an item:
    Rich's wrap split "d ISIS" between the key and its label."""
    column = cell_len(out.plain[out.plain.rfind("\n") + 1 :])
    for n, item in enumerate(items):
        gap = 2 if n else 0
        if n and column + gap + item.cell_len > width:
            out.append("\n" + " " * LABEL_WIDTH)
            column, gap = LABEL_WIDTH, 0
        out.append(" " * gap)
        out.append_text(item)
        column += gap + item.cell_len


def fitted(labels: Sequence[str], cells: int) -> list[str]:
    """Labels shown as "k label" items two spaces apart, the longest cut (at
    their end, with "…") when together they would take more than `cells`:
    at 80 columns a field's choices keep to two lines and the sentence keeps
    its room. The cut is the longest that fits (water-filling), so short
    labels are never cut to make room."""
    return list(_fitted(tuple(labels), cells))  # cached: the same on every key


@lru_cache(maxsize=1024)
def _fitted(labels: tuple[str, ...], cells: int) -> tuple[str, ...]:
    extra = 4  # the key, a space, and two spaces before the next item
    # A line breaks between items, so a line can waste up to one item.
    cells -= max((cell_len(x) for x in labels), default=0) // 2

    def total(budget: int) -> int:
        return sum(min(cell_len(x), budget) + extra for x in labels)

    longest = max((cell_len(x) for x in labels), default=0)
    if total(longest) <= cells:
        return labels
    budget = 4
    while budget < longest and total(budget + 1) <= cells:
        budget += 1
    return tuple(cut(x, budget) if cell_len(x) > budget else x for x in labels)


def hanging(
    out: Text,
    prefix: str,
    text: str,
    width: int,
    mode: DisplayMode,
    style: str = "",
    prefix_style: str = "bold",
) -> None:
    """`prefix`, then `text` wrapped in the column after it (continuation
    lines indented under the text), through the display path: in app mode
    each line is reordered after wrapping, so wrapped Arabic keeps its
    lines in reading order, right-aligned in its column."""
    indent = cell_len(prefix)
    lines = display_lines(text, max(10, width - indent), mode)
    for i, line in enumerate(lines):
        out.append(prefix if i == 0 else " " * indent, style=prefix_style if i == 0 else "")
        out.append(line, style=style)
        out.append("\n")


def help_text(
    codebook: Codebook, bindings: list[tuple[str, str]], mode: DisplayMode, width: int = 100
) -> Text:
    """Every binding, then every field's help and examples, values with their keys.

    Laid out for `width`: codebook text (English with Arabic names inside,
    Arabic examples) goes through the display path line by line."""
    out = Text()
    out.append("Keys\n", style="bold underline")
    column = min(16, max((cell_len(key) for key, _ in bindings), default=0))
    for key, description in bindings:
        hanging(out, f"  {key}{' ' * max(0, column - cell_len(key))} ", description, width, mode)
    out.append(f"\nCodebook {codebook.name} {codebook.version}\n", style="bold underline")
    for f in codebook.fields:
        out.append(f"\n{f.label}", style="bold")
        out.append(f" ({f.kind})  ")
        out.append(display_line(f.label_ar, mode, max(10, width - cell_len(f.label) - 14)))
        out.append("\n")
        if f.help:
            hanging(out, "  ", f.help, width, mode, prefix_style="")
        if f.example:
            hanging(out, "  e.g. ", f.example, width, mode, "italic", "dim")
        parts = [("value", f.values)] if f.kind != "stance" else []
        if f.kind == "stance":
            parts = [("target", f.targets), ("polarity", f.polarities)]
        for part, values in parts:
            keys = {v: k for k, v in f.keys(part).items()} if f.kind != "entity" else {}
            for v in values:
                out.append(f"    {keys.get(v.id, ' '):>2} ", style="bold")
                out.append(f"{v.label}  ")
                out.append(display_line(v.label_ar, mode, max(10, width - cell_len(v.label) - 9)))
                out.append("\n")
                if v.help:
                    hanging(out, "         ", v.help, width, mode, "dim")
                if v.example:
                    hanging(out, "         e.g. ", v.example, width, mode, "italic dim", "dim")
    return out


def snippet(text: str, mode: DisplayMode, width: int = 70) -> str:
    """Text cut to `width` cells at its logical end, on one line, in the
    display mode (`workbench.display.display_line`)."""
    return display_line(text, mode, width)


# Krippendorff (2004, p. 241): rely on alpha >= .800; draw tentative
# conclusions from .667 <= alpha < .800; discard below.
RELIABLE, TENTATIVE = 0.800, 0.667


def alpha_bar(
    label: str, alpha: float | None, extra: str, width: int = 32, mode: DisplayMode = "terminal"
) -> Text:
    """One line: label, a bar proportional to alpha in [0, 1], the figure."""
    shown = display_line(label, mode, 24)
    line = Text(shown + " " * max(0, 24 - cell_len(shown)) + " ")
    if alpha is None:
        line.append("·" * width, style="dim")
        line.append("  undefined", style="dim")
    else:
        style = "green" if alpha >= RELIABLE else "yellow" if alpha >= TENTATIVE else "red"
        filled = max(0, min(width, round(alpha * width)))
        line.append("█" * filled, style=style)
        line.append("·" * (width - filled), style="dim")
        line.append(f"  {alpha:6.3f}", style=f"bold {style}")
    line.append(f"  {extra}", style="dim")
    return line


def overlay_text(
    box: PickerState | PromptState, mode: DisplayMode, rows: int = 8, width: int = 76
) -> Text:
    """A picker (query, ranked rows, "+ add new" last) or a prompt, as drawn
    in the box over the sentence, `width` cells wide. The highlighted row is
    reversed; at most `rows` rows are shown, scrolled to keep the highlight
    in view. Every row is one line: names and sentences are cut at their
    logical end, never wrapped (a wrap of reordered Arabic swaps its halves)."""
    from workbench.picker import PromptState

    out = Text()
    out.append(display_line(box.title, mode, width), style="bold")
    out.append("\n")
    out.append_text(edit_line(box.editor, mode, width))
    if isinstance(box, PromptState):
        out.append("\n")
        out.append(display_line(box.hint, mode, width), style="dim")
        return out
    if box.confirming is not None:
        out.append("\n\nAdd ", style="bold yellow")
        out.append(display_line(box.confirming, mode, width - 6), style=strong(box.confirming))
        out.append(
            " as a new speaker? It is created when this sentence is committed.\n",
            style="bold yellow",
        )
        out.append("enter adds it · esc goes back to the list", style="dim")
        return out
    if not box.options:
        out.append("\n  (nothing matches)", style="dim")
    first = max(0, min(box.highlighted - rows // 2, len(box.options) - rows))
    for i, option in enumerate(box.options[first : first + rows], start=first):
        style = "reverse" if i == box.highlighted else ""
        out.append("\n")
        if option.new:
            out.append("+ add new: ", style=f"green {style}")
            out.append(display_line(option.label, mode, width - 11), style=f"green {style}")
            continue
        row = Text(display_line(option.label, mode, width // 2), style=style)
        for extra, extra_style in ((option.label_ar, style), (option.note, "dim")):
            room = width - row.cell_len - 2
            if extra and room >= 6:
                row.append("  ")
                row.append(display_line(extra, mode, room), style=extra_style)
        out.append_text(row)
    hidden = len(box.options) - rows
    more = f"  ({hidden} more)" if hidden > 0 else ""
    out.append(f"\n↑↓ choose · enter picks · esc cancels{more}", style="dim")
    return out


def edit_line(editor: LineEditor, mode: DisplayMode = "terminal", width: int = 200) -> Text:
    """A text box's line: "> " and its text with the cursor.

    What is typed is data like any other: sanitized, and in app mode shown
    shaped and reordered with the cursor at the end (reordering moves
    characters, so a cursor inside would sit on the wrong letter). A line
    longer than the box shows its logical end, where the typing is."""
    out = Text("> ", style="bold")
    room = max(4, width - 3)
    clean = " ".join(editor.text.split()) if mode == "app" else editor.text
    if mode == "app":
        shown = clean if cell_len(clean) <= room else "…" + clean[-(room - 1) :]
        out.append(display_line(shown, mode))
        out.append(" ", style="reverse")
        return out
    from workbench.display import sanitize

    clean = sanitize(clean)
    cursor = min(editor.cursor, len(clean))
    out.append(clean[:cursor])
    out.append(clean[cursor : cursor + 1] or " ", style="reverse")
    out.append(clean[cursor + 1 :])
    return out


def overlay_name_list(
    editor: LineEditor,
    names: Sequence[str],
    chosen: int | None,
    message: str = "",
    mode: DisplayMode = "terminal",
    width: int = 76,
) -> Text:
    """The who-is-coding box: what is typed, then the listed names (the one
    chosen with the arrows reversed)."""
    out = edit_line(editor, mode, width)
    for i, name in enumerate(names[:12]):
        out.append("\n  ")
        out.append(display_line(name, mode, width - 2), style="reverse" if i == chosen else "")
    if len(names) > 12:
        out.append(f"\n  … {len(names) - 12} more: type to narrow", style="dim")
    if message:
        out.append(f"\n{message}", style="yellow")
    return out
