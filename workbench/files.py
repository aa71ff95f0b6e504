"""Writing an output file the safe way: beside its target, then renamed.

Exports and snapshots are written to a `.NAME.XXXX.part` file in the
target's folder and renamed into place, so a reader never sees half a file.
Around that:

- a target that exists is replaced only when asked (`force`), and never when
  it is not a regular file: `-o /dev/null --force` once replaced the node
  with a regular file, and a FIFO or a symlink likewise;
- one writer per target at a time: each writer holds an advisory lock on
  its own `.part` file, and a writer that finds another's `.part` locked
  refuses;
- a `.part` file nobody holds was left by a killed writer: the next writer
  of the same target removes it;
- the finished file gets the mode the umask gives (0644 by default), not
  mkstemp's 0600: teammates on a shared server must be able to read it.
"""

from __future__ import annotations

import fcntl
import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from workbench.errors import WorkbenchError


def check_target(path: Path, *, force: bool) -> None:
    """Refuse a target that must not be written over."""
    if path.is_symlink() or (path.exists() and not stat.S_ISREG(path.stat().st_mode)):
        raise WorkbenchError("not a regular file: choose another name", path)
    if path.exists() and not force:
        raise WorkbenchError("exists; pass --force to replace it", path)


@contextmanager
def writing(path: str | Path, *, force: bool = False) -> Iterator[tuple[int, Path]]:
    """Yield (fd, temporary path) of a `.part` file beside `path`; on a clean
    exit the file is given the umask's mode and renamed to `path`; on any
    error it is removed and `path` is untouched. The fd stays ours: write
    through `os.fdopen(fd, ..., closefd=False)` or reopen the path."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise WorkbenchError("no such folder", folder)
    check_target(path, force=force)
    try:
        handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise WorkbenchError(f"cannot write here: {exc.strerror}", folder) from None
    temporary = Path(name)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)  # ours: new, so free
        _claim(folder, path, temporary)
        yield handle, temporary
        check_target(path, force=force)  # it may have appeared meanwhile
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    finally:
        os.close(handle)  # and with it our lock


def _claim(folder: Path, path: Path, ours: Path) -> None:
    """Remove the `.part` files of `path` that no live writer holds; refuse
    if one is held."""
    for part in folder.glob(f".{path.name}.*.part"):
        if part.resolve() == ours.resolve():
            continue
        try:
            fd = os.open(part, os.O_RDONLY)
        except OSError:
            continue  # gone meanwhile
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise WorkbenchError(
                "another export to this file is running; wait for it or choose another name",
                path,
            ) from None
        finally:
            os.close(fd)
        part.unlink(missing_ok=True)  # its writer was killed


def unique_path(make: Iterator[Path]) -> Path:
    """The first path from `make` that does not exist yet."""
    for path in make:
        if not path.exists() and not path.is_symlink():
            return path
    raise AssertionError("unreachable: `make` is endless")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
