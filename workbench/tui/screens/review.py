"""The review screen: one disagreement, every coder's values, the gold draft.

Thin: `workbench.review.ReviewSession` holds every rule; this draws it and
maps keys (declared in `workbench.keymap.REVIEW`) to its methods.
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from workbench.gold import STATUS
from workbench.keymap import REVIEW
from workbench.review import ReviewSession
from workbench.store import ArticleRow, SentenceRow
from workbench.tui.render import Block, article_headline, context_of, inline
from workbench.tui.review_render import (
    comparison_table,
    reason_line,
    review_flags,
    review_status,
    value_text,
)
from workbench.tui.screens.sentence import SentenceScreen
from workbench.tui.widgets import ArabicBlocks, KeyBar

_DIGITS = {str(n): n for n in range(1, 10)}


class ReviewScreen(SentenceScreen):
    BINDINGS = [
        Binding(b.key, b.action, b.description, show=b.show, id=b.id, tooltip=b.tooltip)
        for b in REVIEW
    ]

    def __init__(self, session: ReviewSession) -> None:
        super().__init__()
        self.session = session
        # Per article: its row and sentences, read once (not on every key).
        self._articles: dict[int, tuple[ArticleRow, list[SentenceRow]]] = {}

    def compose(self) -> ComposeResult:
        yield from self.compose_sentence()
        yield Static(id="comparison", markup=False)
        yield Static(id="reason", markup=False)
        yield KeyBar(REVIEW)

    def refresh_view(self) -> None:
        s, mode = self.session, self.mode
        if not s.items:
            self.query_one("#status", Static).update(
                Text("Nothing to adjudicate: no sentence coded by two or more coders disagrees.")
            )
            return
        unit = s.unit
        if unit.article_id not in self._articles:
            self._articles[unit.article_id] = (
                s.store.article(unit.article_id),
                s.store.sentences(unit.article_id),
            )
        article, sentences = self._articles[unit.article_id]
        self.query_one("#status", Static).update(review_status(s, mode))
        self.query_one("#headline", ArabicBlocks).show(
            [Block(article_headline(article), "bold")], mode
        )
        self.query_one("#context", ArabicBlocks).show(context_of(sentences, unit.idx), mode)
        self.query_one("#flags", Static).update(review_flags(s, mode))
        self.query_one("#comparison", Static).update(
            comparison_table(s, mode, self.app.speaker_names(), self.size.width - 2)  # type: ignore[attr-defined]
        )
        self.query_one("#reason", Static).update(reason_line(s, mode))

    def _say(self, message: str | None) -> None:
        if message:
            self.notify(message, severity="warning", timeout=3)
        self.refresh_view()

    def on_key(self, event: events.Key) -> None:
        if event.character in _DIGITS and self.session.items:
            event.stop()
            event.prevent_default()
            self._say(self.session.take(_DIGITS[event.character]))

    # -- actions ---------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # An empty queue leaves only help, display and quit.
        return bool(self.session.items) or action in ("help", "toggle_display", "quit")

    def action_commit(self) -> None:
        s = self.session
        if not s.commit():
            self._say("Decide first: " + ", ".join(s.missing()))
            return
        if s.decided_count() == len(s.items):
            self.notify("Every sentence in the queue has gold.", timeout=4)
        self.refresh_view()

    def action_majority(self) -> None:
        self._say(self.session.take_majority())

    def action_majority_all(self) -> None:
        self._say(self.session.take_majority(every_row=True))

    def action_cursor(self, delta: int) -> None:
        self.session.move_cursor(delta)
        self.refresh_view()

    def action_move(self, delta: int) -> None:
        self.session.move(delta)
        self.refresh_view()

    def action_undo(self) -> None:
        if self.session.undo() is None:
            self.notify("Nothing to undo.", timeout=2)
        self.refresh_view()

    def action_redo(self) -> None:
        if self.session.redo() is None:
            self.notify("Nothing to redo.", timeout=2)
        self.refresh_view()

    def action_withdraw(self) -> None:
        if not self.session.withdraw():
            self.notify("This sentence has no gold to withdraw.", timeout=2)
        self.refresh_view()

    def action_reason(self) -> None:
        from workbench.tui.screens.modals import TextPrompt

        def done(text: str | None) -> None:
            if text is not None:
                self.session.reason = text
                self.refresh_view()

        self.app.push_screen(TextPrompt("Reason for this answer:", value=self.session.reason), done)

    def action_edit(self) -> None:
        from workbench.tui.screens.modals import Choice, Picker, entity_choices

        s, mode = self.session, self.mode
        row = s.row
        f = row.field
        names = self.app.speaker_names()  # type: ignore[attr-defined]
        choices: list[Choice] = []
        if f is None:
            choices = [
                Choice(v, value_text(None, v, mode, names), (v,)) for v in ("labeled", "skipped")
            ]
        elif f.kind == "entity":
            used = [v for v in row.values.values() if v]
            choices = entity_choices(s.store.entities(f.id), mode, used)
        elif f.kind == "stance":
            choices = [Choice("", Text("no stance (clear)"), ("none", "no stance"))]
            current = s.draft.get(f.id)
            chosen = (
                {(p["target"], p["polarity"]) for p in current}
                if isinstance(current, list)
                else set()
            )
            for t in f.targets:
                for p in f.polarities:
                    mark = "● " if (t.id, p.id) in chosen else "  "
                    shown = Text(f"{mark}{p.label} {t.label}  ").append(inline(t.label_ar, mode))
                    names = (f"{p.label} {t.label}", t.label_ar, p.label_ar)
                    choices.append(Choice(f"{t.id}:{p.id}", shown, names))
        else:
            choices = [
                Choice(v.id, Text(v.label).append("  ").append(inline(v.label_ar, mode)), v.names)
                for v in f.values
            ]
        if f is not None:
            choices.append(
                Choice("\0unset", Text("unset (leave the field empty)", style="dim"), ("unset",))
            )

        def done(value: str | None) -> None:
            if value is None:
                return
            if f is None:
                s.set_value(STATUS, value)
            elif value == "\0unset":
                s.set_value(f.id, None)
            elif f.kind == "stance":
                if value:
                    target, polarity = value.split(":")
                    s.toggle_pair(f.id, target, polarity)
                else:
                    s.set_value(f.id, [])
            elif f.kind == "multi":
                current = s.draft.get(f.id)
                values = set(current) if isinstance(current, list) else set()
                s.set_value(f.id, sorted(values ^ {value}))
            else:
                s.set_value(f.id, value)
            self.refresh_view()

        title = (
            "Status"
            if f is None
            else f"{f.label}: pick a value"
            + (" (a pair toggles; ● in the draft)" if f.kind == "stance" else "")
        )
        self.app.push_screen(Picker(title, choices), done)

    def action_help(self) -> None:
        self.app.show_help(REVIEW)  # type: ignore[attr-defined]
