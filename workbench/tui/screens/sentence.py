"""What the labeling and review screens share: a sentence shown in context,
keys taken in the order typed, and the boxes (pickers, prompts) that open
over the sentence."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Static

from workbench.display import DisplayMode
from workbench.tui.keyed import KeyedScreen
from workbench.tui.render import overlay_text
from workbench.tui.widgets import ArabicBlocks

if TYPE_CHECKING:  # made when a box opens, not at start-up
    from workbench.picker import Outcome, PickerState, PromptState


class SentenceScreen(KeyedScreen, Screen[None]):
    """A status line, the headline, the sentence in its paragraph and a line
    of marks; subclasses add their panel below, draw in `draw` and take the
    keys no box takes in `on_key_typed`."""

    def __init__(self) -> None:
        super().__init__()
        self.box: PickerState | PromptState | None = None
        self._box_done: Callable[[Outcome], None] | None = None

    def compose_sentence(self) -> ComposeResult:
        yield Static(id="status", markup=False)
        yield ArabicBlocks(id="headline")
        # No scrolling: the context shows the sentences that fit around the
        # current one (`render.blocks_text`), so no scrollbar covers it.
        with Vertical(id="context-box"):
            yield ArabicBlocks(id="context", fill=True)
        yield Static(id="flags", markup=False)
        yield Static(id="box", markup=False)

    def on_mount(self) -> None:
        self.live = True
        self.refresh_view()

    def on_resize(self) -> None:
        # Lines cut or fitted to the width (status, fields, boxes) refit.
        if self.live:
            self.refresh_view()

    # -- keys ------------------------------------------------------------

    def take_key(self, key: str, character: str | None) -> None:
        if self.box is not None:
            outcome = self.box.key(key, character)
            if outcome is not None:
                done, self.box, self._box_done = self._box_done, None, None
                if done is not None:
                    done(outcome)  # may open the next box
        else:
            self.on_key_typed(key, character)
        self.refresh_view()

    def on_key_typed(self, key: str, character: str | None) -> None:
        raise NotImplementedError

    def open_box(self, box: PickerState | PromptState, done: Callable[[Outcome], None]) -> None:
        """Show a picker or prompt; every key goes to it until it closes."""
        self.box, self._box_done = box, done

    # -- drawing ---------------------------------------------------------

    def refresh_view(self) -> None:
        if not self.live:
            return  # on_mount draws what the keys so far have done
        self.draw()
        panel = self.query_one("#box", Static)
        panel.display = self.box is not None
        if self.box is not None:
            # The box's margins (2 each side), border and padding take 8 cells.
            rows, width = max(3, self.size.height // 2 - 4), max(20, self.size.width - 8)
            panel.update(overlay_text(self.box, self.mode, rows, width))

    def draw(self) -> None:
        raise NotImplementedError

    @property
    def mode(self) -> DisplayMode:
        return self.app.display_mode  # type: ignore[attr-defined]

    def action_toggle_display(self) -> None:
        self.app.toggle_display()  # type: ignore[attr-defined]

    def say(self, message: str, *, warning: bool = False, timeout: float = 3) -> None:
        from workbench.display import display_lines

        # A toast is at most 60 cells or half the screen (Textual's Toast CSS),
        # less its padding and edge. Wrapped here, through the display path,
        # so a name in Arabic inside the message is never split after reordering.
        width = max(16, min(60, self.size.width // 2) - 4)
        self.notify(
            "\n".join(display_lines(message, width, self.mode)),
            severity="warning" if warning else "information",
            timeout=timeout,
            markup=False,
        )
