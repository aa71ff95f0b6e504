"""The team lead's agreement view: `workbench agree --app`.

A separate app, not a screen of `workbench label`: coders code blind, and
agreement figures per category would tell them how others code.

The overview lists every field, coded category and article as a bar; enter
lists the selected row's disagreeing sentences (`screens.agreement`), and
there `r` quits the app to review one of them: `AgreementApp.run()` then
returns `("review", article_id, sentence_index)` (the article's external id,
the sentence's 0-based index in it), otherwise None. Opening `workbench
review` at that sentence is the CLI's job, after this app has quit (two
Textual apps cannot share the terminal).
"""

from __future__ import annotations

from typing import Any, Literal

from textual.app import App
from textual.screen import Screen

from workbench.display import DisplayMode

# What `run()` returns when the lead asks to review a sentence.
ReviewAt = tuple[Literal["review"], str, int]


class AgreementApp(App[ReviewAt | None]):
    CSS_PATH = "workbench.tcss"
    TITLE = "Agreement"
    ENABLE_COMMAND_PALETTE = False

    def __init__(self, report: dict[str, Any], mode: DisplayMode = "terminal") -> None:
        super().__init__()
        self.report = report
        self.mode = mode

    def get_default_screen(self) -> Screen[Any]:
        from workbench.tui.screens.agreement import OverviewScreen

        return OverviewScreen(self.report, self.mode)
