"""The labeling screen: one sentence in context and every codebook field.

Keys come from two places: `workbench.keymap.LABELING` (commit, undo, …) and
the codebook (claim types on digits, stance targets then polarities on
letters, confidence on shifted digits). The codebook validator guarantees
the two never collide.
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from workbench.keymap import LABELING
from workbench.session import LabelingSession
from workbench.tui.render import (
    Block,
    context_blocks,
    field_panel,
    headline,
    sentence_flags,
    snippet,
    status_line,
)
from workbench.tui.screens.sentence import SentenceScreen
from workbench.tui.widgets import ArabicBlocks, KeyBar


class LabelingScreen(SentenceScreen):
    BINDINGS = [
        Binding(b.key, b.action, b.description, show=b.show, id=b.id, tooltip=b.tooltip)
        for b in LABELING
    ]

    def __init__(self, session: LabelingSession) -> None:
        super().__init__()
        self.session = session
        self.pending_target: str | None = None
        self._screen_keys = session.codebook.screen_keys()
        stance = [f for f in session.codebook.fields if f.kind == "stance"]
        self._stance = stance[0] if stance else None
        self._polarity_keys = self._stance.keys("polarity") if self._stance else {}

    def compose(self) -> ComposeResult:
        yield from self.compose_sentence()
        yield Static(id="fields", markup=False)
        yield KeyBar(LABELING)

    # -- drawing -----------------------------------------------------------

    def refresh_view(self) -> None:
        s = self.session
        mode = self.mode
        self.query_one("#status", Static).update(status_line(s, mode))
        # ArabicBlocks skips unchanged content, so the headline costs nothing per key.
        self.query_one("#headline", ArabicBlocks).show([Block(headline(s), "bold")], mode)
        self.query_one("#context", ArabicBlocks).show(context_blocks(s), mode)
        self.query_one("#flags", Static).update(sentence_flags(s))
        self.query_one("#fields", Static).update(
            field_panel(s, mode, self.app.speaker_names(), self.pending_target)  # type: ignore[attr-defined]
        )

    # -- codebook keys -----------------------------------------------------

    def on_key(self, event: events.Key) -> None:
        char = event.character
        if self.pending_target is not None:
            event.stop()
            event.prevent_default()
            target, self.pending_target = self.pending_target, None
            if char in self._polarity_keys:
                assert self._stance is not None
                self.session.toggle_stance(target, self._polarity_keys[char], self._stance.id)
            self.refresh_view()
            return
        if char is None or char not in self._screen_keys:
            return
        event.stop()
        event.prevent_default()
        field_id, part, value_id = self._screen_keys[char]
        if part == "target":
            self.pending_target = value_id
        else:
            self.session.toggle_choice(field_id, value_id)
        self.refresh_view()

    # -- actions -------------------------------------------------------------

    def action_commit(self) -> None:
        missing = self.session.missing_required()
        following = self.session.commit()
        if missing:
            labels = ", ".join(self.session.codebook.field(f).label for f in missing)
            self.notify(f"Saved without: {labels}", severity="warning", timeout=3)
        if following is None:
            self.notify("Every sentence of this article is done.", timeout=4)
        self.refresh_view()

    def action_move(self, delta: int) -> None:
        self.pending_target = None
        self.session.move(delta)
        self.refresh_view()

    def action_remove_stance(self) -> None:
        if self._stance is None:
            return
        pairs = self.session.draft.values.get(self._stance.id) or []
        if pairs:
            last = pairs[-1]
            self.session.toggle_stance(last["target"], last["polarity"], self._stance.id)
            self.refresh_view()

    def action_undo(self) -> None:
        if not self.session.undo():
            self.notify("Nothing to undo.", timeout=2)
        self.refresh_view()

    def action_redo(self) -> None:
        if not self.session.redo():
            self.notify("Nothing to redo.", timeout=2)
        self.refresh_view()

    def action_skip(self) -> None:
        self._with_reason("skipped", "Skip: why is this sentence not codable? (optional)")

    def action_flag(self) -> None:
        self._with_reason("flagged", "Flag for discussion: what is the question? (optional)")

    def _with_reason(self, status: str, title: str) -> None:
        from workbench.tui.screens.modals import TextPrompt

        def done(reason: str | None) -> None:
            if reason is None:
                return
            self.session.commit(status=status, note=reason)
            self.refresh_view()

        self.app.push_screen(TextPrompt(title), done)

    def action_note(self) -> None:
        from workbench.tui.screens.modals import TextPrompt

        note_field = next((f for f in self.session.codebook.fields if f.kind == "text"), None)
        if note_field is None:
            return

        def done(text: str | None) -> None:
            if text is not None:
                self.session.set_value(note_field.id, text)
                self.refresh_view()

        current = self.session.draft.values.get(note_field.id, "")
        self.app.push_screen(TextPrompt(f"{note_field.label}:", value=current), done)

    def action_speaker(self) -> None:
        from workbench.tui.screens.modals import Picker, entity_choices

        field = next((f for f in self.session.codebook.fields if f.kind == "entity"), None)
        if field is None:
            return
        store = self.session.store
        used = [
            s["data"].get(field.id) for s in self.session.labels.values() if s["data"].get(field.id)
        ]
        choices = entity_choices(store.entities(field.id), self.mode, used)

        def done(value: str | None) -> None:
            if value is None:
                return
            if value.startswith("+"):
                value = store.add_entity(field.id, value[1:], coder=self.session.coder)
                self.app.forget_speaker_names()  # type: ignore[attr-defined]
                self.notify(f"Added speaker: {value}", timeout=2)
            self.session.set_value(field.id, value)
            self.refresh_view()

        self.app.push_screen(
            Picker("Speaker (● used in this article)", choices, allow_new=True), done
        )

    def action_find(self) -> None:
        from workbench.tui.screens.modals import Choice, Picker, TextPrompt

        def pick(query: str | None) -> None:
            if not query:
                return
            hits = self.session.find(query)
            if not hits:
                self.notify(f"No sentence contains {query!r}.", timeout=3)
                return
            titles = {a.article.id: a.article.ext_id for a in self.session.articles()}
            choices = [
                Choice(
                    f"{h.article_id}:{h.index}",
                    Text(f"{titles[h.article_id]} #{h.index + 1}  ").append(
                        snippet(h.text, self.mode)
                    ),
                    (),
                )
                for h in hits
            ]
            self.app.push_screen(Picker(f"{len(hits)} sentences match", choices), self._jump)

        self.app.push_screen(TextPrompt("Find sentences containing:"), pick)

    def _jump(self, value: str | None) -> None:
        if value is None:
            return
        article_id, index = (int(x) for x in value.split(":"))
        if self.session.article is None or self.session.article.id != article_id:
            self.session.open_article(article_id, index)
        else:
            self.session.go(index)
        self.refresh_view()

    def action_help(self) -> None:
        self.app.show_help(LABELING)  # type: ignore[attr-defined]

    def action_back(self) -> None:
        if self.pending_target is not None:
            self.pending_target = None
            self.refresh_view()
            return
        self.app.show_article_list()  # type: ignore[attr-defined]
