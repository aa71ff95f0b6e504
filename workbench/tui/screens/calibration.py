"""First start: the coder picks the display mode that reads right in their terminal."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Label, Static

from workbench.display import DisplayMode, display_lines
from workbench.tui.keyed import KeyedScreen

# From the corpus: a quotation, a number and a final full stop, the three
# things that come out visibly wrong when the mode does not suit the terminal.
SAMPLE = "وأوضحت ”قسد“ أن عدد قتلى التنظيم بلغ 374 قتيلا."


class CalibrationScreen(KeyedScreen, Screen[None]):
    """Two renderings of one sentence; the coder presses the number of the right one."""

    def compose(self) -> ComposeResult:
        width = 60
        with Vertical(classes="dialog calibration"):
            yield Label(Text("Which line reads correctly?"), classes="dialog-title")
            yield Label(
                Text(
                    "Arabic should run right to left with joined letters, the number "
                    "374 left to right, and the full stop at the left end."
                ),
                classes="hint",
            )
            for n, mode in ((1, "terminal"), (2, "app")):
                line = display_lines(SAMPLE, width, mode)[0]  # type: ignore[arg-type]
                shown = Text(f"{n}  ", style="bold")
                shown.append(line.rjust(width) if mode == "app" else line)
                yield Static(shown, classes="sample", markup=False)
            yield Label(Text("Your choice is remembered; ctrl+d switches later."), classes="hint")
            yield Label(
                Text("1 line 1 reads right · 2 line 2 reads right · q quits"), classes="hint"
            )

    def take_key(self, key: str, character: str | None) -> None:
        modes: dict[str, DisplayMode] = {"1": "terminal", "2": "app"}
        if key in modes:
            self.app.calibrated(modes[key])  # type: ignore[attr-defined]
        elif key in ("q", "escape", "ctrl+c"):
            self.app.exit()
