"""Errors that reach the user as one located line, never as a traceback."""

from __future__ import annotations

from pathlib import Path


class WorkbenchError(Exception):
    """A problem with the user's input or environment, reported as one line.

    `where` is the file (and optionally line) the problem is in; the CLI prints
    `where: message` and exits with status 1.
    """

    def __init__(self, message: str, path: str | Path | None = None, line: int | None = None):
        self.message = message
        self.path = None if path is None else str(path)
        self.line = line
        super().__init__(self.__str__())

    @property
    def where(self) -> str:
        if self.path is None:
            return ""
        return f"{self.path}:{self.line}" if self.line is not None else self.path

    def __str__(self) -> str:
        # A file name or a value from data may hold escapes: shown as `\x1b`,
        # so the line is harmless on a terminal and the name can be retyped.
        from workbench.display import visible

        return visible(f"{self.where}: {self.message}" if self.where else self.message)


class InputErrors(WorkbenchError):
    """Several located problems found at once (e.g. a whole import or codebook)."""

    def __init__(self, errors: list[WorkbenchError]):
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors))


# JSON or TOML nested past Python's recursion limit: the parser's own
# RecursionError used to surface as an internal error.
NESTED_TOO_DEEPLY = "nested too deeply to read (lists or tables inside each other thousands deep)"
