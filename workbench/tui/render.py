"""What the labeling screens draw, as Rich `Text` built from plain strings.

Corpus text never goes through markup: every string from an article, a
codebook or a coder becomes `Text(...)` (styles are attached, never parsed),
after `workbench.display.sanitize`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.text import Text

from workbench.codebook import Codebook, Field
from workbench.display import DisplayMode, display_lines, sanitize, terminal_text, visual_line
from workbench.session import LabelingSession
from workbench.store import ArticleRow, SentenceRow

if TYPE_CHECKING:  # the boxes are drawn only once one is open: off the start-up path
    from workbench.lineedit import LineEditor
    from workbench.picker import PickerState, PromptState


@dataclass(frozen=True)
class Block:
    text: str
    style: str = ""


def inline(text: str, mode: DisplayMode) -> str:
    """A short string (a name, a title) on one line in the display mode."""
    return terminal_text(text) if mode == "terminal" else visual_line(sanitize(text))


def blocks_text(blocks: list[Block], width: int, mode: DisplayMode) -> Text:
    """Blocks of Arabic text wrapped to `width`, a blank line between blocks.

    App mode right-aligns each visual line; terminal mode leaves alignment and
    ordering to the terminal.
    """
    out = Text()
    for n, block in enumerate(blocks):
        if n:
            out.append("\n\n")
        lines = display_lines(block.text, width, mode)
        for i, line in enumerate(lines):
            if i:
                out.append("\n")
            if mode == "app":
                out.append(" " * max(0, width - cell_len(line)))
            out.append(line, style=block.style)
    return out


def context_blocks(session: LabelingSession) -> list[Block]:
    """The current sentence inside its paragraph, neighbours dimmed."""
    return context_of(session.sentences, session.index)


def context_of(sentences: Sequence[SentenceRow], index: int) -> list[Block]:
    """Sentence `index` inside its paragraph, neighbours dimmed.

    The paragraph's other sentences and the sentence just before and after
    (even in another paragraph) are shown dim, so pronouns and quotations can
    be resolved; the current sentence is prominent.
    """
    current = sentences[index]
    lo = hi = index
    while lo > 0 and sentences[lo - 1].line == current.line:
        lo -= 1
    while hi < len(sentences) - 1 and sentences[hi + 1].line == current.line:
        hi += 1
    lo, hi = max(0, min(lo, index - 1)), min(len(sentences) - 1, max(hi, index + 1))
    return [
        Block(s.text, "bold reverse" if s.idx == current.idx else "dim")
        for s in sentences[lo : hi + 1]
    ]


def headline(session: LabelingSession) -> str:
    assert session.article is not None
    return article_headline(session.article)


def article_headline(article: ArticleRow) -> str:
    """The title, else the article's first words."""
    return article.title or article.first_words + " …"


def status_line(session: LabelingSession, mode: DisplayMode) -> Text:
    p = session.progress()
    article = session.article
    assert article is not None
    text = Text()
    text.append(f"{article.ext_id}", style="bold")
    text.append(f"  sentence {session.index + 1}/{len(session.sentences)}")
    text.append(f"  article {p.article_done}/{p.article_total}")
    drafts = session.drafts_here()
    if drafts:
        text.append(f" ◐{drafts}", style="yellow")
    text.append(f"  overall {p.overall_done}/{p.overall_total}")
    text.append(f"  coder {session.coder}")
    text.append(f"  {session.codebook.name} {session.codebook.version}")
    text.append(f"  display {mode}")
    return text


def sentence_flags(session: LabelingSession) -> Text:
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
            text.append(f" ({sanitize(state['note'])})", style=style)
    missing = session.missing_required()
    if missing:
        names = ", ".join(session.codebook.field(f).label for f in missing)
        text.append(f"   needs: {names}", style="dim")
    if session.sentence.in_quote:
        text.append("   « inside a quotation that began earlier", style="cyan")
    elif session.sentence.has_quote:
        text.append("   « contains a quotation", style="cyan")
    return text


def field_panel(
    session: LabelingSession,
    mode: DisplayMode,
    speaker_names: dict[str, tuple[str, str]],
    pending_target: str | None = None,
) -> Text:
    """Every codebook field with the draft's value and the keys that set it."""
    out = Text()
    draft = session.draft
    for n, f in enumerate(session.codebook.fields):
        if n:
            out.append("\n")
        out.append(f"{f.label:<11}", style="bold")
        value = draft.values.get(f.id)
        carried = f.id in draft.carried
        if f.kind == "entity":
            out.append("[space] ", style="dim")
            if value and draft.new.get(f.id) == value:
                out.append(inline(value, mode), style="bold")
                out.append("  (new speaker: created when committed)", style="italic yellow")
            elif value:
                english, arabic = speaker_names.get(value, (value, ""))
                out.append(sanitize(english), style="bold")
                if arabic:
                    out.append("  ")
                    out.append(inline(arabic, mode))
                if carried:
                    out.append(
                        "  (carried from the quotation's start; enter keeps it)", "italic cyan"
                    )
            else:
                out.append("—", style="dim")
        elif f.kind == "stance":
            _stance_line(out, f, value or [], pending_target)
        elif f.kind in ("single", "multi", "ordinal"):
            _choices_line(out, f, value)
        else:
            out.append("[ctrl+n] ", style="dim")
            out.append(sanitize(value) if value else "—", style="" if value else "dim")
    return out


def _stance_line(out: Text, f: Field, pairs: list[dict[str, str]], pending: str | None) -> None:
    if pending is not None:
        target = f.value(pending, "target")
        out.append(f"{target.label} → ", style="bold yellow")
        out.append(
            "  ".join(f"{p.key} {p.label}" for p in f.polarities) + "   (esc cancels)",
            style="yellow",
        )
        return
    if not pairs:
        out.append("no stance", style="dim")
    else:
        out.append(
            ", ".join(
                f"{f.value(p['polarity'], 'polarity').label} {f.value(p['target'], 'target').label}"
                for p in pairs
            ),
            style="bold",
        )
        out.append("   [⌫] drops the last", style="dim")
    # The targets by name, not only their letters: a coder should not have
    # to remember that n is the UN. On the same row, so that at 80x24 the
    # sentence keeps the lines it needs.
    for target in f.targets:
        out.append("  ")
        out.append(target.key or "?", style="bold dim")
        out.append(f" {target.label}", style="dim")


def _choices_line(out: Text, f: Field, value: object) -> None:
    chosen = set(value) if isinstance(value, list) else {value}
    part = f.keys()
    key_of = {v: k for k, v in part.items()}
    for i, v in enumerate(f.values):
        if i:
            out.append("  ")
        key = key_of.get(v.id, "")
        style = "bold reverse" if v.id in chosen else ""
        out.append(f"{key}", style="dim")
        out.append(f" {v.label}", style=style)


def help_text(codebook: Codebook, bindings: list[tuple[str, str]], mode: DisplayMode) -> Text:
    """Every binding, then every field's help and examples, values with their keys."""
    out = Text()
    out.append("Keys\n", style="bold underline")
    for key, description in bindings:
        out.append(f"  {key:<14}", style="bold")
        out.append(f"{description}\n")
    out.append(f"\nCodebook {codebook.name} {codebook.version}\n", style="bold underline")
    for f in codebook.fields:
        out.append(f"\n{f.label}", style="bold")
        out.append(f" ({f.kind})  ")
        out.append(inline(f.label_ar, mode))
        out.append("\n")
        if f.help:
            out.append(f"  {' '.join(f.help.split())}\n")
        if f.example:
            out.append("  e.g. ", style="dim")
            out.append(inline(f.example, mode), style="italic")
            out.append("\n")
        parts = [("value", f.values)] if f.kind != "stance" else []
        if f.kind == "stance":
            parts = [("target", f.targets), ("polarity", f.polarities)]
        for part, values in parts:
            keys = {v: k for k, v in f.keys(part).items()} if f.kind != "entity" else {}
            for v in values:
                out.append(f"    {keys.get(v.id, ' '):>2} ", style="bold")
                out.append(f"{v.label}  ")
                out.append(inline(v.label_ar, mode))
                out.append("\n")
                if v.help:
                    out.append(f"         {' '.join(v.help.split())}\n", style="dim")
                if v.example:
                    out.append("         e.g. ", style="dim")
                    out.append(inline(v.example, mode), style="italic dim")
                    out.append("\n")
    return out


def snippet(text: str, mode: DisplayMode, width: int = 70) -> str:
    """Text cut to `width` cells on one line, in the display mode.

    Cut in logical order, before reordering: a cut after reordering (or a
    widget's crop at its right edge) would drop the *start* of Arabic text.
    """
    return inline(cut(text, width), mode)


def cut(text: str, width: int) -> str:
    """Text on one line, cut to `width` cells at its logical end (its start
    stays, whichever way it is drawn), with "…" where it was cut."""
    text = " ".join(sanitize(text).split())
    if cell_len(text) > width:
        while text and cell_len(text) > width - 1:
            text = text[:-1]
        text = text.rstrip() + "…"
    return text


# Krippendorff (2004, p. 241): rely on alpha >= .800; draw tentative
# conclusions from .667 <= alpha < .800; discard below.
RELIABLE, TENTATIVE = 0.800, 0.667


def alpha_bar(label: str, alpha: float | None, extra: str, width: int = 32) -> Text:
    """One line: label, a bar proportional to alpha in [0, 1], the figure."""
    line = Text(f"{label[:24]:<24} ")
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


def agreement_overview(report: dict) -> Text:
    """The report as bars: every field, then every coded category and stance pair."""
    book = report["codebook"]
    out = Text(f"Agreement  {book['name']} {book['version']}\n", style="bold")
    out.append(
        f"Krippendorff's alpha; green >= {RELIABLE:.3f} reliable, yellow >= {TENTATIVE:.3f} "
        "tentative, red below\n\n",
        style="dim",
    )
    for fid, f in report["fields"].items():
        ci = f["alpha_ci"]
        extra = f"{f['level']:<7} n={f['units']:<6} {f['coders']} coders"
        if ci:
            extra += f"  95% CI [{ci[0]:.3f}, {ci[1]:.3f}]"
        if f["undefined_reason"] and f["krippendorff_alpha"] is None:
            extra += f" ({f['undefined_reason']})"
        out.append_text(alpha_bar(fid, f["krippendorff_alpha"], extra))
        out.append("\n")
    for fid, f in report["fields"].items():
        coded = {name: c for name, c in f["categories"].items() if c["codings"]}
        if not coded:
            continue
        out.append(f"\n{fid}: per category\n", style="bold")
        ranked = sorted(
            coded.items(),
            key=lambda item: (
                -1 if item[1]["krippendorff_alpha"] is None else item[1]["krippendorff_alpha"]
            ),
        )
        for name, c in ranked:
            out.append_text(
                alpha_bar(f"  {name}", c["krippendorff_alpha"], f"{c['codings']} codings")
            )
            out.append("\n")
    if report["drop_one_coder"]:
        out.append("\nalpha without each coder\n", style="bold")
        for coder, by_field in report["drop_one_coder"].items():
            figures = "  ".join(
                f"{fid} {'undefined' if v is None else f'{v:.3f}'}" for fid, v in by_field.items()
            )
            out.append(f"  {coder[:26]:<26} {figures}\n")
    return out


def overlay_text(box: PickerState | PromptState, mode: DisplayMode, rows: int = 8) -> Text:
    """A picker (query, ranked rows, "+ add new" last) or a prompt, as drawn
    in the box over the sentence. The highlighted row is reversed; at most
    `rows` rows are shown, scrolled to keep the highlight in view."""
    from workbench.picker import PromptState

    out = Text()
    out.append(sanitize(box.title), style="bold")
    out.append("\n> ", style="bold")
    out.append_text(_edited(box.editor.text, box.editor.cursor, mode))
    if isinstance(box, PromptState):
        out.append(f"\n{box.hint}", style="dim")
        return out
    if box.confirming is not None:
        out.append("\n\nAdd ", style="bold yellow")
        out.append(inline(box.confirming, mode), style="bold")
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
            out.append(inline(option.label, mode), style=f"bold green {style}")
            continue
        out.append(sanitize(option.label), style=style)
        if option.label_ar:
            out.append("  ")
            out.append(inline(option.label_ar, mode), style=style)
        if option.note:
            out.append("  ")
            out.append(inline(option.note, mode), style="dim")
    hidden = len(box.options) - rows
    more = f"  ({hidden} more)" if hidden > 0 else ""
    out.append(f"\n↑↓ choose · enter picks · esc cancels{more}", style="dim")
    return out


def edit_line(editor: LineEditor, mode: DisplayMode = "terminal") -> Text:
    """A text box's line: "> " and its text with the cursor."""
    return Text("> ", style="bold").append_text(_edited(editor.text, editor.cursor, mode))


def _edited(text: str, cursor: int, mode: DisplayMode) -> Text:
    """The text of a box with its cursor. In app mode the text is shown
    reordered, with the cursor at the end (reordering moves characters)."""
    out = Text()
    if mode == "app":
        out.append(inline(text, mode))
        out.append(" ", style="reverse")
        return out
    clean = sanitize(text)
    cursor = min(cursor, len(clean))
    out.append(clean[:cursor])
    out.append(clean[cursor : cursor + 1] or " ", style="reverse")
    out.append(clean[cursor + 1 :])
    return out


def overlay_name_list(
    editor: LineEditor, names: Sequence[str], chosen: int | None, message: str = ""
) -> Text:
    """The who-is-coding box: what is typed, then the listed names (the one
    chosen with the arrows reversed)."""
    out = edit_line(editor)
    for i, name in enumerate(names[:12]):
        out.append("\n  ")
        out.append(sanitize(name), style="reverse" if i == chosen else "")
    if len(names) > 12:
        out.append(f"\n  … {len(names) - 12} more: type to narrow", style="dim")
    if message:
        out.append(f"\n{message}", style="yellow")
    return out
