"""Who is coding (or adjudicating)? What the person types is the name."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Label, Static

from workbench.lineedit import LineEditor
from workbench.tui.keyed import KeyedScreen
from workbench.tui.render import overlay_name_list


class CoderScreen(KeyedScreen, Screen[None]):
    """Type a name and press enter: an existing coder of that name, or a new
    one. The existing names are listed (narrowed as one types); ↑/↓ chooses
    one of them, and only a name chosen that way is taken without typing it.
    Enter never falls back to a highlighted name the person did not choose."""

    def __init__(self, coders: list[str], role: str = "coder") -> None:
        super().__init__()
        self._coders = coders
        self._role = role
        self.editor = LineEditor()
        self.chosen: int | None = None  # index into the shown names, set by ↑/↓ only
        self.message = ""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            doing = "adjudicating" if self._role == "adjudicator" else "coding"
            yield Label(Text(f"Who is {doing}?"), classes="dialog-title")
            yield Static(id="coder-box", markup=False)
            yield Label(
                Text(
                    f"type your {self._role} name and press enter (a new name creates a "
                    f"{self._role}) · ↑↓ choose a listed name · esc quits"
                ),
                classes="hint",
            )

    def on_mount(self) -> None:
        self.live = True
        self._draw()

    def shown(self) -> list[str]:
        typed = self.editor.text.strip().casefold()
        return [c for c in self._coders if typed in c.casefold()]

    def take_key(self, key: str, character: str | None) -> None:
        shown = self.shown()
        if key in ("escape", "ctrl+c"):
            self.app.exit()
            return
        if key in ("up", "down"):
            if shown:
                step = 1 if key == "down" else -1
                start = -1 if step == 1 else len(shown)
                current = self.chosen if self.chosen is not None else start
                self.chosen = max(0, min(len(shown) - 1, current + step))
        elif key == "enter":
            name = self.choice()
            if name:
                self.app.start(name)  # type: ignore[attr-defined]
                return
            self.message = f"Type a {self._role} name (or choose one with ↑↓), then enter."
        elif self.editor.key(key, character):
            self.chosen = None  # typing again: the name is what is typed
            self.message = ""
        self._draw()

    def choice(self) -> str | None:
        """The name enter takes: the typed one, else one chosen with ↑/↓."""
        typed = " ".join(self.editor.text.split())
        if typed:
            # An existing coder whose name matches the typed text (ignoring
            # case), else the typed name as a new coder.
            same = [c for c in self._coders if c.casefold() == typed.casefold()]
            return same[0] if same else typed
        shown = self.shown()
        if self.chosen is not None and self.chosen < len(shown):
            return shown[self.chosen]
        return None

    def _draw(self) -> None:
        if not self.live:
            return
        self.query_one("#coder-box", Static).update(
            overlay_name_list(
                self.editor,
                self.shown(),
                self.chosen,
                self.message,
                self.app.display_mode,  # type: ignore[attr-defined]
                max(20, self.query_one("#coder-box").size.width or 60),
            )
        )
