"""Keys in the order typed: every screen applies each key itself, at once.

Textual hands a key to the focused widget, lets it bubble up through the
widgets' message queues, and only then checks the bindings at the App: a key
handled on the way (a digit) could overtake a key handled at the end (enter)
and land on the wrong sentence. Here the App gives each key straight to the
screen on top (`WorkbenchApp.on_event`), which applies it to its state
before the next key is read. Screens keep their state outside their widgets
(the session, a `PickerState`, a cursor index), so a key typed before a
screen has drawn itself still acts on it; drawing follows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from workbench.keymap import KeyBinding


class KeyedScreen:
    """Mixin for screens that take keys from the App (see the module docstring).

    `live` turns true in the screen's on_mount: only then can it draw
    (Textual's `is_mounted` turns true only after the mount handlers ran).
    """

    live = False

    def take_key(self, key: str, character: str | None) -> None:
        raise NotImplementedError


def key_actions(bindings: Iterable[KeyBinding]) -> dict[str, tuple[str, tuple[Any, ...]]]:
    """{Textual key name: (action name, arguments)} from keymap bindings."""
    table: dict[str, tuple[str, tuple[Any, ...]]] = {}
    for b in bindings:
        name, args = parse_action(b.action)
        for key in b.key.split(","):
            table[key.strip()] = (name, args)
    return table


def parse_action(action: str) -> tuple[str, tuple[int, ...]]:
    """'move(-1)' -> ('move', (-1,)); 'commit' -> ('commit', ()). The keymap's
    actions take whole numbers only (steps and directions)."""
    if "(" not in action:
        return action, ()
    name, rest = action.split("(", 1)
    return name, tuple(int(a) for a in rest.rstrip(")").split(",") if a.strip())


def run_action(target: object, table: dict[str, tuple[str, tuple[Any, ...]]], key: str) -> bool:
    """Call `target.action_<name>(*args)` for the key; False if it has no action."""
    found = table.get(key)
    if found is None:
        return False
    method: Callable[..., Any] | None = getattr(target, f"action_{found[0]}", None)
    if method is None:
        return False
    method(*found[1])
    return True
