"""A one-line text buffer edited by key names: the text boxes of the screens.

The screens apply every key to the buffer themselves, in the order typed,
instead of handing keys to a focused Textual Input: a key typed while a box
opens or closes then still lands in the box (or after it) where the person
meant it. Core data, no Textual.
"""

from __future__ import annotations

from dataclasses import dataclass

# Characters a key may insert: printable ones only. Control and escape
# characters never enter a buffer, so they never reach a label or a name.
_WORD_BREAK = " \t"


@dataclass
class LineEditor:
    text: str = ""
    cursor: int = -1  # -1: at the end of the text

    def __post_init__(self) -> None:
        if self.cursor < 0:
            self.cursor = len(self.text)

    def key(self, key: str, character: str | None) -> bool:
        """Apply a key (Textual key name and the character it types); True if
        the key is an editing key (handled), False if the caller should act."""
        action = _ACTIONS.get(key)
        if action is not None:
            action(self)
            return True
        if character and len(character) == 1 and character.isprintable():
            self.insert(character)
            return True
        return False

    def insert(self, text: str) -> None:
        text = "".join(c for c in text if c.isprintable())
        self.text = self.text[: self.cursor] + text + self.text[self.cursor :]
        self.cursor += len(text)

    def _left(self) -> None:
        self.cursor = max(0, self.cursor - 1)

    def _right(self) -> None:
        self.cursor = min(len(self.text), self.cursor + 1)

    def _home(self) -> None:
        self.cursor = 0

    def _end(self) -> None:
        self.cursor = len(self.text)

    def _backspace(self) -> None:
        if self.cursor:
            self.text = self.text[: self.cursor - 1] + self.text[self.cursor :]
            self.cursor -= 1

    def _delete(self) -> None:
        self.text = self.text[: self.cursor] + self.text[self.cursor + 1 :]

    def _kill_to_start(self) -> None:
        self.text, self.cursor = self.text[self.cursor :], 0

    def _kill_word(self) -> None:
        start = self.cursor
        while start and self.text[start - 1] in _WORD_BREAK:
            start -= 1
        while start and self.text[start - 1] not in _WORD_BREAK:
            start -= 1
        self.text = self.text[:start] + self.text[self.cursor :]
        self.cursor = start


_ACTIONS = {
    "left": LineEditor._left,
    "right": LineEditor._right,
    "home": LineEditor._home,
    "ctrl+a": LineEditor._home,
    "end": LineEditor._end,
    "ctrl+e": LineEditor._end,
    "backspace": LineEditor._backspace,
    "ctrl+h": LineEditor._backspace,
    "delete": LineEditor._delete,
    "ctrl+u": LineEditor._kill_to_start,
    "ctrl+w": LineEditor._kill_word,
}
