"""The labeling screen: one sentence in context and every codebook field.

Keys come from two places: `workbench.keymap.LABELING` (commit, undo, …) and
the codebook (claim types on digits, stance targets then polarities on
letters, confidence on shifted digits). The codebook validator guarantees
the two never collide. Every key is applied in the order typed (see
`workbench.tui.keyed`), boxes (speaker picker, reason prompt) included.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.widgets import Static

from workbench.display import cut
from workbench.errors import WorkbenchError
from workbench.keymap import LABELING
from workbench.session import LabelingSession
from workbench.tui.keyed import key_actions, run_action
from workbench.tui.render import (
    Block,
    context_blocks,
    feedback_text,
    field_panel,
    headline,
    sentence_flags,
    status_line,
)
from workbench.tui.screens.sentence import SentenceScreen
from workbench.tui.widgets import ArabicBlocks, KeyBar, Lines, show_line

if TYPE_CHECKING:
    from workbench.picker import Outcome

# workbench.picker is imported where a box opens: it is not needed to paint
# the first sentence.

_ACTIONS = key_actions(LABELING)


class LabelingScreen(SentenceScreen):
    def __init__(self, session: LabelingSession) -> None:
        super().__init__()
        self.session = session
        self.pending_target: str | None = None
        self._screen_keys = session.codebook.screen_keys()
        stance = [f for f in session.codebook.fields if f.kind == "stance"]
        self._stance = stance[0] if stance else None
        self._polarity_keys = self._stance.keys("polarity") if self._stance else {}
        self._quit_armed = False  # a failed save on quit: q again quits anyway

    def compose(self) -> ComposeResult:
        yield from self.compose_sentence()
        yield Lines(id="fields")
        yield KeyBar(LABELING)

    # -- drawing -----------------------------------------------------------

    def draw(self) -> None:
        s = self.session
        mode = self.mode
        width = max(20, self.size.width - 2)  # less each line's padding
        show_line(self.query_one("#status", Static), status_line(s, mode, width))
        # ArabicBlocks skips unchanged content, so the headline costs nothing per key.
        self.query_one("#headline", ArabicBlocks).show([Block(headline(s))], mode)
        self.query_one("#context", ArabicBlocks).show(context_blocks(s), mode)
        show_line(self.query_one("#flags", Static), sentence_flags(s, mode, width))
        names = self.app.speaker_names()  # type: ignore[attr-defined]
        self.query_one("#fields", Lines).show(
            # A tall terminal gives the choices a third line, so fewer labels are cut.
            field_panel(
                s, mode, names, self.pending_target, width, 3 if self.size.height >= 32 else 2
            )
        )

    # -- keys --------------------------------------------------------------

    def on_key_typed(self, key: str, character: str | None) -> None:
        if key != "q":
            self._quit_armed = False
        if self.pending_target is not None:
            target, self.pending_target = self.pending_target, None
            if character in self._polarity_keys:
                assert self._stance is not None
                self.session.toggle_stance(target, self._polarity_keys[character], self._stance.id)
            return  # any other key (esc) cancels the target
        if run_action(self, _ACTIONS, key):
            return
        if character is None or character not in self._screen_keys:
            return
        field_id, part, value_id = self._screen_keys[character]
        if part == "target":
            self.pending_target = value_id
        else:
            self.session.toggle_choice(field_id, value_id)

    def _saving(self, write: Callable[[], Any]) -> bool:
        """Run a write; a refused write is one line on screen, the draft kept."""
        try:
            write()
        except WorkbenchError as exc:
            self.say(
                f"Not saved: {exc.message} (your edits are kept; try again)",
                warning=True,
                timeout=8,
            )
            return False
        return True

    # -- actions -------------------------------------------------------------

    def action_commit(self) -> None:
        self._commit("labeled", "")

    def _commit(self, status: str, note: str) -> None:
        results = []
        if not self._saving(lambda: results.append(self.session.commit(status=status, note=note))):
            return
        result = results[0]
        if result.missing:
            self.say("Missing: " + ", ".join(result.missing) + " (saved as a draft)", warning=True)
            return
        for name in result.created:
            self.app.forget_speaker_names()  # type: ignore[attr-defined]
            self.say(f"Added speaker: {name}", timeout=2)
        if result.feedback is not None:
            self.say(feedback_text(result.feedback, self.session.codebook), timeout=8)
        if result.round_done:
            self.say(f"Your sentences of round {result.round_done} in this article are done.")
        elif result.article_done:
            self.say("Every sentence of this article is done.", timeout=4)

    def action_next_recheck(self) -> None:
        found: list[bool] = []
        if self._saving(lambda: found.append(self.session.next_recheck())) and not found[0]:
            self.say("No label of yours is waiting for a recheck.", timeout=3)

    def action_move(self, delta: int) -> None:
        self.pending_target = None
        self._saving(lambda: self.session.move(delta))

    def action_next_undone(self, step: int) -> None:
        following = self.session.next_undone(self.session.index, step)
        if following is None:
            self.say("Every sentence of this article is done.", timeout=3)
            return
        self._saving(lambda: self.session.go(following))

    def action_remove_stance(self) -> None:
        if self._stance is None:
            return
        pairs = self.session.draft.values.get(self._stance.id) or []
        if pairs:
            last = pairs[-1]
            self.session.toggle_stance(last["target"], last["polarity"], self._stance.id)

    def action_undo(self) -> None:
        self._history(self.session.undo, "Nothing to undo.")

    def action_redo(self) -> None:
        self._history(self.session.redo, "Nothing to redo.")

    def _history(self, step: Callable[[], str | None], nothing: str) -> None:
        said: list[str | None] = []
        if self._saving(lambda: said.append(step())):
            self.say(said[0] or nothing, timeout=3)

    def action_skip(self) -> None:
        self._with_reason("skipped", "Skip: why is this sentence not codable? (optional)")

    def action_flag(self) -> None:
        self._with_reason("flagged", "Flag for discussion: what is the question? (optional)")

    def _with_reason(self, status: str, title: str) -> None:
        from workbench.picker import PromptState, Submitted

        def done(outcome: Outcome) -> None:
            if isinstance(outcome, Submitted):
                self._commit(status, outcome.text)

        self.open_box(PromptState(title), done)

    def action_note(self) -> None:
        from workbench.lineedit import LineEditor
        from workbench.picker import PromptState, Submitted

        note_field = next((f for f in self.session.codebook.fields if f.kind == "text"), None)
        if note_field is None:
            return

        def done(outcome: Outcome) -> None:
            if isinstance(outcome, Submitted):
                self.session.set_value(note_field.id, outcome.text)

        current = self.session.draft.values.get(note_field.id, "")
        self.open_box(PromptState(f"{note_field.label}:", LineEditor(current)), done)

    def action_speaker(self) -> None:
        from workbench.picker import AddNew, Picked, PickerState

        field = next((f for f in self.session.codebook.fields if f.kind == "entity"), None)
        if field is None:
            return
        used = list(
            dict.fromkeys(
                s["data"][field.id]
                for s in reversed(list(self.session.labels.values()))
                if s["data"].get(field.id)
            )
        )
        search = self.app.speaker_search(field.id, used)  # type: ignore[attr-defined]

        def done(outcome: Outcome) -> None:
            if isinstance(outcome, Picked):
                self.session.set_value(field.id, outcome.value)
            elif isinstance(outcome, AddNew):
                self.session.set_new_entity(field.id, outcome.name)
                self.say(f"New speaker {outcome.name}: added when this sentence is committed.")

        self.open_box(PickerState("Speaker (● used in this article)", search, allow_new=True), done)

    def action_same_speaker(self) -> None:
        if self.session.repeat_speaker() is None:
            self.say("No earlier sentence of this article has a speaker.", timeout=2)

    def action_find(self) -> None:
        from workbench.picker import Option, PickerState, PromptState, Submitted

        def asked(outcome: Outcome) -> None:
            if not isinstance(outcome, Submitted) or not outcome.text:
                return
            hits = self.session.find(outcome.text)
            if not hits:
                self.say(f"No sentence contains {outcome.text!r}.")
                return
            titles = {a.article.id: a.article.ext_id for a in self.session.articles()}
            options = [
                Option(
                    f"{h.article_id}:{h.index}",
                    f"{titles[h.article_id]} #{h.index + 1}",
                    cut(h.text, 60),
                )
                for h in hits
            ]
            self.open_box(
                PickerState(f"{len(hits)} sentences match", lambda q: options), self._jump
            )

        self.open_box(PromptState("Find sentences containing:"), asked)

    def _jump(self, outcome: Outcome) -> None:
        from workbench.picker import Picked

        if not isinstance(outcome, Picked):
            return
        article_id, index = (int(x) for x in outcome.value.split(":"))
        if self.session.article is None or self.session.article.id != article_id:
            self._saving(lambda: self.session.open_article(article_id, index))
        else:
            self._saving(lambda: self.session.go(index))

    def action_help(self) -> None:
        self.app.show_help(LABELING)  # type: ignore[attr-defined]

    def action_back(self) -> None:
        if self.pending_target is not None:
            self.pending_target = None
            return
        if self._saving(self.session.leave):
            self.app.show_article_list()  # type: ignore[attr-defined]

    def action_quit(self) -> None:
        if self._quit_armed or self._saving(self.session.leave):
            self.app.exit()
            return
        self._quit_armed = True
        self.say("Press q again to quit without saving this sentence's edits.", warning=True)
