"""Drive the real `workbench` command in tmux: the shared helper of the tmux tests.

The command under test is the console script installed beside this Python
(`.venv/bin/workbench`), or `$WORKBENCH_CMD` when set: a command line whose
leading `NAME=value` words are environment variables, e.g.

    WORKBENCH_CMD='PYTHONPATH=/work/wt-x /work/main/.venv/bin/python -m workbench'

so that the same tests can be pointed at another checkout.

Every `Tmux` runs on its own tmux server (`tmux -L <name>`), never the
user's, with `remain-on-exit` on, so a pane whose program ended stays to be
read (`dead()`, `exit_status()`). `close()` (or leaving the `with` block)
kills the session and its server, whatever happened in the test.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CORPUS, ROOT, TUI_SIZE

WORKBENCH = Path(sys.executable).parent / "workbench"

needs_tmux = pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")

# Variables that would answer the app's questions for it (or point it
# elsewhere): the pane never inherits them.
# COLUMNS and LINES too: under pytest GNU readline, once imported, exports
# COLUMNS=80 LINES=24 with setenv, behind os.environ's back; the tmux server,
# and so the app, inherits them, and Textual then draws 80x24 whatever size
# the pane has.
_UNSET = (
    "COLUMNS",
    "LINES",
    "WORKBENCH_CODER",
    "WORKBENCH_ADJUDICATOR",
    "WORKBENCH_DB",
    "WORKBENCH_DISPLAY",
    "WORKBENCH_CODEBOOK",
)

_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")

# tmux key names sent as keys; any other string is sent literally (`-l`).
_NAMED_KEYS = frozenset(
    {"Enter", "Space", "Escape", "BSpace", "Tab", "Up", "Down", "Left", "Right", "DC", "C-c", "C-r"}
)


def workbench_argv() -> tuple[dict[str, str], list[str]]:
    """(environment assignments, argv) of the command under test."""
    spec = os.environ.get("WORKBENCH_CMD", "").strip()
    if not spec:
        return {}, [str(WORKBENCH)]
    words = shlex.split(spec)
    env: dict[str, str] = {}
    while words and _ASSIGNMENT.match(words[0]):
        name, _, value = words.pop(0).partition("=")
        env[name] = value
    if not words:
        raise ValueError(f"WORKBENCH_CMD names no program: {spec!r}")
    return env, words


def shell_command(*args: str | Path) -> str:
    """A shell line that runs `workbench ARGS` as the pane's own process
    (`exec`, so the pane pid is the app's), with none of `_UNSET` set."""
    env, argv = workbench_argv()
    words = ["exec", "env"]
    for name in _UNSET:
        words += ["-u", name]
    words += [f"{k}={v}" for k, v in env.items()]
    words += [*argv, *(str(a) for a in args)]
    return shlex.join(words)


def run_workbench(*args: str | Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run `workbench ARGS` to completion (not in tmux), output captured."""
    env, argv = workbench_argv()
    full_env = {k: v for k, v in os.environ.items() if k not in _UNSET} | env
    result = subprocess.run(
        [*argv, *(str(a) for a in args)],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"workbench {' '.join(map(str, args))} exited {result.returncode}:\n{result.stderr}"
        )
    return result


def import_corpus(db: Path) -> Path:
    """A fresh database holding the bundled corpus, imported by the command under test."""
    run_workbench("import", CORPUS, "--db", db)
    return db


def export_rows(db: Path, kind: str = "labels", *options: str) -> list[dict[str, Any]]:
    """`workbench export --kind KIND [OPTIONS] -o -`, parsed."""
    out = run_workbench("export", "--kind", kind, *options, "-o", "-", "--db", db).stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


class Tmux:
    """One tmux session on a private server, running `command` in a fixed-size window."""

    def __init__(self, command: str, size: tuple[int, int] = TUI_SIZE) -> None:
        self.name = f"wb-{uuid.uuid4().hex[:8]}"
        self.socket = self.name
        width, height = size
        # One client command: the server starts, takes remain-on-exit, then
        # runs the session, so the option holds before the program can end.
        self._tmux(
            "-f",
            "/dev/null",
            "start-server",
            ";",
            "set-option",
            "-g",
            "remain-on-exit",
            "on",
            ";",
            "new-session",
            "-d",
            "-s",
            self.name,
            "-x",
            str(width),
            "-y",
            str(height),
            command,
            check=True,
        )
        self._socket_path = self._tmux("display-message", "-p", "#{socket_path}").stdout.strip()

    def _tmux(self, *args: str, check: bool = False) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["tmux", "-L", self.socket, *args],
            capture_output=True,
            text=True,
            check=check,
            cwd=ROOT,
        )

    def __enter__(self) -> Tmux:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading -------------------------------------------------------------

    def screen(self) -> str:
        return self._tmux("capture-pane", "-p", "-t", self.name).stdout

    def poll(self, text: str | Callable[[str], bool], timeout: float = 30.0) -> str | None:
        """The screen once it shows `text` (or satisfies the predicate), or
        None if it did not within `timeout` seconds."""
        found = text if callable(text) else (lambda shown: text in shown)
        deadline = time.monotonic() + timeout
        while True:
            shown = self.screen()
            if found(shown):
                return shown
            if time.monotonic() > deadline:
                return None
            time.sleep(0.05)

    def wait_for(self, text: str | Callable[[str], bool], timeout: float = 30.0) -> str:
        """The screen once it shows `text` (or satisfies the predicate); fails
        the test, showing the screen, if it does not within `timeout`."""
        shown = self.poll(text, timeout)
        if shown is None:
            what = text if isinstance(text, str) else "the expected screen"
            raise AssertionError(f"{what!r} never appeared; screen:\n{self.screen()}")
        return shown

    def _pane(self, fmt: str) -> str:
        return self._tmux("list-panes", "-t", self.name, "-F", fmt).stdout.strip()

    def pid(self) -> int:
        return int(self._pane("#{pane_pid}").split()[0])

    def dead(self) -> bool:
        """Whether the pane's program has ended."""
        return self._pane("#{pane_dead}") == "1"

    def exit_status(self) -> int | None:
        """The program's exit status once it has ended; None before, when a
        signal ended it, or when tmux did not record it (tmux 3.3 sometimes
        marks a pane dead on end of output before it reaps the program)."""
        dead, _, status = self._pane("#{pane_dead} #{pane_dead_status}").partition(" ")
        return int(status) if dead == "1" and status.strip() else None

    def wait_exit(self, timeout: float = 5.0) -> bool:
        """Wait up to `timeout` seconds for the program to end; whether it did."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.dead():
                return True
            time.sleep(0.05)
        return self.dead()

    # -- typing ----------------------------------------------------------------

    def keys(self, *keys: str, interval: float = 0.15) -> None:
        """Send each key on its own, `interval` seconds apart, never waiting
        for the screen: a person typing. tmux key names (`Enter`, `Space`,
        `Down`, …) are keys; anything else is typed literally."""
        self.type(keys, interval)

    def type(self, keys: Iterable[str], interval: float) -> None:
        last: float | None = None
        for key in keys:
            if last is not None:
                delay = last + interval - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
            last = time.monotonic()
            args = [key] if key in _NAMED_KEYS else ["-l", key]
            self._tmux("send-keys", "-t", self.name, *args, check=True)

    # -- ending ------------------------------------------------------------------

    def close(self) -> None:
        self._tmux("kill-session", "-t", self.name)
        self._tmux("kill-server")
        if self._socket_path:
            Path(self._socket_path).unlink(missing_ok=True)
