"""The team lead's agreement view: `workbench agree --app`.

A separate app, not a screen of `workbench label`: coders code blind, and
agreement figures per category would tell them how others code.
"""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from workbench.display import DisplayMode
from workbench.keymap import KeyBinding
from workbench.tui.render import agreement_overview
from workbench.tui.widgets import KeyBar

AGREEMENT_KEYS = (KeyBinding("quit", "q", "quit", "Quit"),)


class AgreementApp(App[None]):
    CSS_PATH = "workbench.tcss"
    TITLE = "Agreement"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [Binding("q", "quit", "Quit"), Binding("escape", "quit", "Quit", show=False)]

    def __init__(self, report: dict[str, Any], mode: DisplayMode = "terminal") -> None:
        super().__init__()
        self.report = report
        self.mode = mode

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="agreement"):
            yield Static(agreement_overview(self.report, self.mode), markup=False)
        yield KeyBar(AGREEMENT_KEYS)
