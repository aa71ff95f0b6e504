"""Pick an existing coder or create one."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input, Label, OptionList
from textual.widgets.option_list import Option

from workbench.tui.screens.modals import TextInput


class CoderScreen(Screen[str]):
    """Who is coding? Existing coders are listed; typing a new name creates one."""

    BINDINGS = [Binding("escape", "app.quit", "Quit")]

    def __init__(self, coders: list[str], role: str = "coder") -> None:
        super().__init__()
        self._coders = coders
        self._role = role

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            doing = "adjudicating" if self._role == "adjudicator" else "coding"
            yield Label(Text(f"Who is {doing}?"), classes="dialog-title")
            if self._coders:
                yield OptionList(*(Option(Text(c)) for c in self._coders), id="coders")
            yield TextInput(
                placeholder=f"or type a new {self._role} name and press enter", id="new-coder"
            )
        yield Footer()

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self._coders[event.option_index])

    @on(Input.Submitted)
    def _typed(self, event: Input.Submitted) -> None:
        name = " ".join(event.value.split())
        if name:
            self.dismiss(name)
        else:
            self.notify(f"A {self._role} needs a name.", severity="warning")
