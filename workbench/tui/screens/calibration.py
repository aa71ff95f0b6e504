"""First start: the coder picks the display mode that reads right in their terminal."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Static

from workbench.display import DisplayMode, display_lines
from workbench.tui.keyed import KeyedScreen
from workbench.tui.widgets import Laid

# From the corpus: a quotation, a number and a final full stop, the three
# things that come out visibly wrong when the mode does not suit the terminal.
SAMPLE = "وأوضحت ”قسد“ أن عدد قتلى التنظيم بلغ 374 قتيلا."


class CalibrationScreen(KeyedScreen, Screen[None]):
    """Two renderings of one sentence; the coder presses the number of the right one."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog calibration"):
            yield Static(Text("Which line reads correctly?"), classes="dialog-title")
            # Static, not Label: a Label is as wide as its text and was cut
            # off at 80 and 120 columns instead of wrapping.
            yield Static(
                Text(
                    "Arabic should run right to left with joined letters, the number "
                    "374 left to right, and the full stop at the left end."
                ),
                classes="hint",
            )
            for n, mode in ((1, "terminal"), (2, "app")):
                sample = Laid(classes="sample")
                sample.lay(mode, lambda width, _h, n=n, mode=mode: _sample(n, mode, width))
                yield sample
            yield Static(Text("Your choice is remembered; ctrl+d switches later."), classes="hint")
            yield Static(
                Text("1 line 1 reads right · 2 line 2 reads right · q quits"), classes="hint"
            )

    def take_key(self, key: str, character: str | None) -> None:
        modes: dict[str, DisplayMode] = {"1": "terminal", "2": "app"}
        if key in modes:
            self.app.calibrated(modes[key])  # type: ignore[attr-defined]
        elif key in ("q", "escape", "ctrl+c"):
            self.app.exit()


def _sample(n: int, mode: DisplayMode, width: int) -> Text:
    """The sample in `mode`, wrapped to the box (each line reordered after
    wrapping, so a narrow box still shows it in reading order)."""
    prefix = f"{n}  "
    out = Text()
    for i, line in enumerate(display_lines(SAMPLE, width - len(prefix), mode, base="R")):
        out.append("\n" if i else "")
        out.append(prefix if i == 0 else " " * len(prefix), style="bold")
        out.append(line)
    return out
