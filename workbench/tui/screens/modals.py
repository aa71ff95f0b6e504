"""Small modal screens: a line of text, the speaker picker, find, help."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from workbench.display import DisplayMode
from workbench.tui.render import inline


class TextInput(Input):
    """An Input whose cursor blinks unless the app says not to (snapshot tests)."""

    def on_mount(self) -> None:
        self.cursor_blink = getattr(self.app, "blink", True)


class TextPrompt(ModalScreen[str | None]):
    """Ask for one line of text (a skip reason, a note). Esc cancels (None)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, value: str = "", placeholder: str = "") -> None:
        super().__init__()
        self._title = title
        self._value = value
        self._placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(self._title), classes="dialog-title")
            yield TextInput(value=self._value, placeholder=self._placeholder, id="prompt-input")
            yield Label(Text("enter accepts (empty is fine) · esc cancels"), classes="hint")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True)
class Choice:
    """An option a picker offers: `value` is returned, `names` are matched."""

    value: str
    shown: Text
    names: tuple[str, ...]


def entity_choices(
    entities: list[dict[str, Any]], mode: DisplayMode, used: Sequence[str] = ()
) -> list[Choice]:
    """Registry entities as picker options, those in `used` first (most
    recent first, marked ●), matched on every name and alias."""
    order = {key: i for i, key in enumerate(dict.fromkeys(reversed(used)))}
    ranked = sorted(entities, key=lambda e: order.get(e["key"], len(order)))
    choices = []
    for e in ranked:
        shown = Text()
        if e["key"] in order:
            shown.append("● ", style="green")
        shown.append(e["label"])
        if e["label_ar"]:
            shown.append("  ")
            shown.append(inline(e["label_ar"], mode))
        choices.append(Choice(e["key"], shown, (e["label"], e["label_ar"], *e["aliases"])))
    return choices


class Picker(ModalScreen[str | None]):
    """Type to narrow a list; enter picks the highlighted option.

    Matching is on `workbench.arabic.match_key`, so Arabic spelling variants
    match. With `allow_new`, a typed name that matches nothing can be
    returned as a new entry ("+name").
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("up", "cursor(-1)", "Up", show=False),
    ]

    def __init__(self, title: str, choices: list[Choice], *, allow_new: bool = False) -> None:
        super().__init__()
        self._title = title
        self._choices = choices
        self._allow_new = allow_new
        self._keys: list[tuple[Choice, list[str]]] | None = None
        self._shown: list[str] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog picker"):
            yield Label(Text(self._title), classes="dialog-title")
            yield TextInput(placeholder="type to search (Arabic or English)", id="picker-input")
            yield OptionList(id="picker-options")

    def on_mount(self) -> None:
        self._refresh_options("")

    def _matching(self, query: str) -> list[Choice]:
        if not query.strip():
            return list(self._choices)
        from workbench.arabic import match_key

        if self._keys is None:
            self._keys = [(c, [match_key(n) for n in c.names]) for c in self._choices]
        needle = match_key(query)
        return [c for c, keys in self._keys if any(needle in k for k in keys)]

    def _refresh_options(self, query: str) -> None:
        options = self.query_one("#picker-options", OptionList)
        options.clear_options()
        matches = self._matching(query)
        self._shown = [c.value for c in matches]
        options.add_options([Option(c.shown) for c in matches])
        if self._allow_new and query.strip() and not matches:
            self._shown.append("+" + query.strip())
            options.add_option(Option(Text(f"+ add new: {query.strip()}", style="bold green")))
        if self._shown:
            options.highlighted = 0

    @on(Input.Changed, "#picker-input")
    def _changed(self, event: Input.Changed) -> None:
        self._refresh_options(event.value)

    @on(Input.Submitted, "#picker-input")
    def _submitted(self) -> None:
        options = self.query_one("#picker-options", OptionList)
        if options.highlighted is not None and self._shown:
            self.dismiss(self._shown[options.highlighted])

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self._shown[event.option_index])

    def action_cursor(self, delta: int) -> None:
        options = self.query_one("#picker-options", OptionList)
        if self._shown:
            current = options.highlighted or 0
            options.highlighted = max(0, min(len(self._shown) - 1, current + delta))

    def action_cancel(self) -> None:
        self.dismiss(None)


class HelpScreen(ModalScreen[None]):
    """Every binding and the codebook's help with its examples."""

    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("question_mark", "close", "Close", show=False),
        Binding("q", "close", "Close", show=False),
    ]

    def __init__(self, content: Text) -> None:
        super().__init__()
        self._content = content

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog help"):
            yield Static(self._content, markup=False)

    def action_close(self) -> None:
        self.dismiss(None)
