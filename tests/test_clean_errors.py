"""Issue 12, list 7: every fault of the system or the input is one line that
names the file (and line) and what is wrong, exit status 1, nothing changed,
no traceback. The real console script, as a user runs it."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import CORPUS
from tests.tmux import workbench_argv

ROOT = Path(__file__).resolve().parent.parent
NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
as_nobody = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("setpriv") is None,
    reason="file permissions are tested by dropping root (setpriv)",
)


@pytest.fixture
def tmp_path():
    """A folder the dropped-privilege user can reach (pytest's own tmp_path
    sits under a 0700 folder, so every permission test would fail on it for
    the wrong reason)."""
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="wb-errors-"))
    folder.chmod(0o755)
    yield folder
    for path in folder.rglob("*"):
        if path.is_dir() and not path.is_symlink():
            path.chmod(0o755)
    shutil.rmtree(folder, ignore_errors=True)


def run(*args: str | Path, cwd: Path, prefix: list[str] | None = None, **kw):
    env_extra, argv = workbench_argv()
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKBENCH_")}
    env |= env_extra
    return subprocess.run(
        [*(prefix or []), *argv, *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=kw.pop("capture_output", True),
        text=True,
        timeout=120,
        **kw,
    )


def one_clean_line(result, *expected: str) -> str:
    err = result.stderr.strip()
    assert result.returncode == 1, (result.returncode, err)
    assert "Traceback" not in err and "internal error" not in err, err
    assert len(err.splitlines()) == 1, err
    assert err.startswith("error: "), err
    for text in expected:
        assert text in err, err
    return err


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def base(tmp_path) -> Path:
    db = tmp_path / "base.db"
    assert run("import", CORPUS, "--db", db, cwd=tmp_path).returncode == 0
    return db


@as_nobody
def test_a_read_only_database(tmp_path, base):
    os.chmod(tmp_path, 0o777)
    os.chmod(base, 0o444)
    new = tmp_path / "new.txt"
    new.write_text("قال المرصد إن الوضع هادئ.\n", "utf-8")
    new.chmod(0o644)
    before = sha(base)
    result = run("import", new, "--db", base, cwd=tmp_path, prefix=NOBODY)
    one_clean_line(result, "base.db", "read-only")
    assert sha(base) == before


@as_nobody
def test_a_read_only_folder(tmp_path, base):
    folder = tmp_path / "ro"
    folder.mkdir()
    shutil.copy(base, folder / "x.db")
    (folder / "x.db").chmod(0o666)
    folder.chmod(0o555)
    result = run(
        "export", "--kind", "sentences", "-o", folder / "out.jsonl", "--db", folder / "x.db",
        cwd=tmp_path, prefix=NOBODY,
    )  # fmt: skip
    one_clean_line(result, "x.db")
    assert sorted(p.name for p in folder.iterdir()) == ["x.db"]


@pytest.fixture
def tiny_disk(tmp_path):
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=320k", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here")
    yield mount
    subprocess.run(["umount", str(mount)], check=False)


def test_a_full_disk_during_import_writes_nothing(tmp_path, base, tiny_disk):
    db = tiny_disk / "f.db"
    shutil.copy(base, db)
    folder = tmp_path / "big"
    folder.mkdir()
    text = (CORPUS / "hasakah-03.txt").read_text("utf-8")
    for i in range(40):
        (folder / f"a{i}.txt").write_text(f"{i} {text}", "utf-8")
    before = sha(db)
    result = run("import", folder, "--db", db, cwd=tmp_path)
    one_clean_line(result, "f.db", "disk is full")
    assert sha(db) == before  # all or nothing across the run's files
    assert run("stats", "--db", db, cwd=tmp_path).returncode == 0


@as_nobody
def test_an_unreadable_sub_folder(tmp_path):
    folder = tmp_path / "corpus"
    shutil.copytree(CORPUS, folder)
    (folder / "hidden").mkdir()
    shutil.copy(CORPUS / "hasakah-01.txt", folder / "hidden" / "a.txt")
    (folder / "hidden").chmod(0o000)
    os.chmod(tmp_path, 0o777)
    result = run("import", folder, "--db", tmp_path / "n.db", cwd=tmp_path, prefix=NOBODY)
    one_clean_line(result, "corpus/hidden", "Permission denied")
    assert not (tmp_path / "n.db").exists()


@pytest.mark.parametrize("encoding", ["rot13", "base64"])
def test_an_encoding_that_is_not_a_text_encoding(tmp_path, encoding):
    result = run("import", CORPUS, "--encoding", encoding, "--db", tmp_path / "e.db", cwd=tmp_path)
    one_clean_line(result, encoding, "not a text encoding")
    assert not (tmp_path / "e.db").exists()


def test_deeply_nested_json(tmp_path):
    path = tmp_path / "deep.jsonl"
    path.write_text(
        '{"id": "ok", "text": "قال."}\n{"id": "x", "text": "قال.", "m": '
        + "[" * 100_000
        + "]" * 100_000
        + "}\n",
        "utf-8",
    )
    result = run("import", path, "--db", tmp_path / "d.db", cwd=tmp_path)
    one_clean_line(result, "deep.jsonl:2", "nested too deeply")
    assert not (tmp_path / "d.db").exists()


def test_deeply_nested_toml(tmp_path):
    path = tmp_path / "deep.toml"
    path.write_text("a = " + "[" * 100_000 + "]" * 100_000 + "\n", "utf-8")
    one_clean_line(run("codebook", "check", path, cwd=tmp_path), "deep.toml", "nested too deeply")
    folder = tmp_path / "c"
    shutil.copytree(CORPUS, folder)
    shutil.copy(path, folder / "manifest.toml")
    result = run("import", folder, "--db", tmp_path / "m.db", cwd=tmp_path)
    one_clean_line(result, "manifest.toml", "nested too deeply")


def test_a_lone_surrogate_in_jsonl_writes_nothing(tmp_path):
    good = tmp_path / "a-good.jsonl"
    good.write_text('{"id": "ok", "text": "قال المرصد."}\n', "utf-8")
    bad = tmp_path / "b-bad.jsonl"
    bad.write_text('{"id": "x", "title": "\\udc00", "text": "قال هنا."}\n', "utf-8")
    result = run("import", good, bad, "--db", tmp_path / "s.db", cwd=tmp_path)
    one_clean_line(result, "b-bad.jsonl:1", "'title'", "lone surrogate")
    assert not (tmp_path / "s.db").exists()  # not even the good file


def test_dev_zero_as_a_txt(tmp_path):
    (tmp_path / "z.txt").symlink_to("/dev/zero")
    result = run("import", tmp_path / "z.txt", "--db", tmp_path / "z.db", cwd=tmp_path)
    one_clean_line(result, "z.txt", "not a regular file")


@as_nobody
def test_export_to_an_unwritable_folder(tmp_path, base):
    folder = tmp_path / "locked"
    folder.mkdir(mode=0o555)
    os.chmod(tmp_path, 0o777)
    base.chmod(0o666)
    result = run(
        "export", "--kind", "sentences", "-o", folder / "x.jsonl", "--db", base,
        cwd=tmp_path, prefix=NOBODY,
    )  # fmt: skip
    one_clean_line(result, "locked")
    assert list(folder.iterdir()) == []


def test_export_to_a_folder(tmp_path, base):
    (tmp_path / "outdir").mkdir()
    result = run(
        "export", "--kind", "sentences", "-o", "outdir", "--force", "--db", base, cwd=tmp_path
    )
    one_clean_line(result, "outdir", "not a regular file")
    assert (tmp_path / "outdir").is_dir()


def test_a_full_stdout(tmp_path, base):
    with open("/dev/full", "w") as full:
        result = run(
            "export", "--kind", "sentences", "-o", "-", "--db", base,
            cwd=tmp_path, stdout=full, stderr=subprocess.PIPE, capture_output=False,
        )  # fmt: skip
    one_clean_line(result, "standard output", "No space left")


def test_a_closed_stdout(tmp_path, base):
    result = run(
        "stats", "--db", base,
        cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, capture_output=False,
        preexec_fn=lambda: os.close(1),
    )  # fmt: skip
    one_clean_line(result, "standard output is closed")


def test_a_reader_that_goes_away_is_not_an_error_message(tmp_path, base):
    env_extra, argv = workbench_argv()
    producer = subprocess.Popen(
        [*argv, "export", "--kind", "sentences", "-o", "-", "--db", str(base)],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=os.environ | env_extra,
    )
    assert producer.stdout is not None
    producer.stdout.read(10)
    producer.stdout.close()  # `| head -c 10`
    _, err = producer.communicate(timeout=60)
    assert b"Traceback" not in err and b"internal error" not in err, err


@pytest.mark.parametrize(
    ("option", "value"), [("--seed", "-1"), ("--bootstrap", "-5"), ("--format", "nope")]
)
def test_a_bad_agree_option_is_one_line(tmp_path, base, option, value):
    result = run("agree", option, value, "--db", base, cwd=tmp_path)
    one_clean_line(result, option, "workbench agree --help")
