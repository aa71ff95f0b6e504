"""The review screen: one disagreement, every coder's values, the gold draft.

Thin: `workbench.review.ReviewSession` holds every rule; this draws it and
maps keys (declared in `workbench.keymap.REVIEW`) to its methods.
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.widgets import Static

from workbench.gold import STATUS
from workbench.keymap import REVIEW
from workbench.picker import Option, Outcome, Picked, PickerState, PromptState, Submitted
from workbench.review import ReviewSession
from workbench.store import ArticleRow, SentenceRow
from workbench.tui.keyed import key_actions, run_action
from workbench.tui.render import Block, article_headline, context_of
from workbench.tui.review_render import (
    comparison_table,
    reason_line,
    review_flags,
    review_status,
)
from workbench.tui.screens.sentence import SentenceScreen
from workbench.tui.widgets import ArabicBlocks, KeyBar

_DIGITS = {str(n): n for n in range(1, 10)}
_ACTIONS = key_actions(REVIEW)


class ReviewScreen(SentenceScreen):
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

    def on_resize(self, event: events.Resize) -> None:
        if self.live:
            self.call_after_refresh(self.refresh_view)

    def draw(self) -> None:
        s, mode = self.session, self.mode
        width = self.size.width - 2  # the lines' padding
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
        self.query_one("#status", Static).update(review_status(s, mode, width))
        self.query_one("#headline", ArabicBlocks).show([Block(article_headline(article))], mode)
        # As many neighbours as the box has lines for (`render.blocks_text`).
        self.query_one("#context", ArabicBlocks).show(context_of(sentences, unit.idx), mode)
        self.query_one("#flags", Static).update(review_flags(s, mode, width))
        self.query_one("#comparison", Static).update(
            # The table has no right padding (workbench.tcss): one cell more.
            comparison_table(s, mode, self.app.speaker_names(), width + 1)  # type: ignore[attr-defined]
        )
        self.query_one("#reason", Static).update(reason_line(s, mode, width))

    def _say(self, message: str | None) -> None:
        if message:
            self.say(message, warning=True)

    def on_key_typed(self, key: str, character: str | None) -> None:
        if character in _DIGITS and self.session.items:
            self._say(self.session.take(_DIGITS[character]))
            return
        found = _ACTIONS.get(key)
        # An empty queue leaves only help, display and quit.
        if found and (self.session.items or found[0] in ("help", "toggle_display", "quit")):
            run_action(self, _ACTIONS, key)

    # -- actions ---------------------------------------------------------

    def action_quit(self) -> None:
        self.app.exit()

    def action_commit(self) -> None:
        s = self.session
        if not s.commit():
            self._say("Decide first: " + ", ".join(s.missing()))
            return
        if s.decided_count() == len(s.items):
            self.say("Every sentence in the queue has gold.", timeout=4)

    def action_majority(self) -> None:
        self._say(self.session.take_majority())

    def action_majority_all(self) -> None:
        self._say(self.session.take_majority(every_row=True))

    def action_cursor(self, delta: int) -> None:
        self.session.move_cursor(delta)

    def action_move(self, delta: int) -> None:
        self.session.move(delta)

    def action_undo(self) -> None:
        if self.session.undo() is None:
            self.say("Nothing to undo.", timeout=2)

    def action_redo(self) -> None:
        if self.session.redo() is None:
            self.say("Nothing to redo.", timeout=2)

    def action_withdraw(self) -> None:
        if not self.session.withdraw():
            self.say("This sentence has no gold to withdraw.", timeout=2)

    def action_reason(self) -> None:
        from workbench.lineedit import LineEditor

        def done(outcome: Outcome) -> None:
            if isinstance(outcome, Submitted):
                self.session.reason = outcome.text

        self.open_box(PromptState("Reason for this answer:", LineEditor(self.session.reason)), done)

    def action_edit(self) -> None:
        from workbench.picker import contains_search

        s = self.session
        row = s.row
        f = row.field
        options: list[Option] = []
        names: list[tuple[str, ...]] = []
        if f is None:
            options = [Option(v, v) for v in ("labeled", "skipped")]
            names = [(v,) for v in ("labeled", "skipped")]
        elif f.kind == "entity":
            used = [v for v in row.values.values() if v]
            search = self.app.speaker_search(f.id, used)  # type: ignore[attr-defined]
        elif f.kind == "stance":
            options = [Option("", "no stance (clear)")]
            names = [("none", "no stance")]
            current = s.draft.get(f.id)
            chosen = (
                {(p["target"], p["polarity"]) for p in current}
                if isinstance(current, list)
                else set()
            )
            for t in f.targets:
                for p in f.polarities:
                    mark = "● " if (t.id, p.id) in chosen else "  "
                    options.append(
                        Option(f"{t.id}:{p.id}", f"{mark}{p.label} {t.label}", t.label_ar)
                    )
                    names.append((f"{p.label} {t.label}", t.label_ar, p.label_ar))
        else:
            options = [Option(v.id, v.label, v.label_ar) for v in f.values]
            names = [v.names for v in f.values]
        if f is not None:
            options.append(Option("\0unset", "unset (leave the field empty)"))
            names.append(("unset",))
        if f is None or f.kind != "entity":
            search = contains_search(options, names)
        elif f is not None:
            unset = Option("\0unset", "unset (leave the field empty)")
            ranked = search
            search = lambda q: [*ranked(q), unset]  # noqa: E731

        def done(outcome: Outcome) -> None:
            if not isinstance(outcome, Picked):
                return
            value = outcome.value
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

        title = (
            "Status"
            if f is None
            else f"{f.label}: pick a value"
            + (" (a pair toggles; ● in the draft)" if f.kind == "stance" else "")
        )
        self.open_box(PickerState(title, search), done)

    def action_help(self) -> None:
        self.app.show_help(REVIEW)  # type: ignore[attr-defined]
