"""Bad input: one located line per problem, exit 1, database exactly as before."""

from __future__ import annotations

import codecs
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import CORPUS, dump
from workbench.cli import main

ARABIC = "أعلنت قوات سوريا الديمقراطية السيطرة على السجن. وقالت إن العملية انتهت.\n"


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(argv)
        raise SystemExit(0)
    out, err = capsys.readouterr()
    return exc.value.code or 0, out, err


@pytest.fixture
def seeded_db(db_path, capsys) -> Path:
    code, _, _ = run(["import", str(CORPUS), "--db", str(db_path)], capsys)
    assert code == 0
    return db_path


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


BAD_INPUTS = {
    # name: (file name, bytes, expected words in the message, expected line)
    "cp1256 without --encoding": (
        "windows.txt",
        "سطر أول سليم.\n".encode() + ARABIC.encode("cp1256"),
        "cp1256",
        2,
    ),
    "empty file": ("empty.txt", b"", "empty", None),
    "whitespace only": ("blank.txt", b" \n\t\n  \n", "empty", None),
    "binary file": ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "NUL", 3),
    "NUL bytes in text": ("nul.txt", ARABIC.encode() + b"abc\x00def\n", "NUL", 2),
    "UTF-16 without BOM": ("wide.txt", ARABIC.encode("utf-16-le"), "utf-16", 1),
    "malformed JSONL line": (
        "feed.jsonl",
        b'{"id": "1", "text": "\xd9\x86\xd8\xb5."}\n{"id": "2", "text": oops}\n',
        "not valid JSON",
        2,
    ),
    "JSONL line without text": ("feed.jsonl", b'{"id": "1"}\n', "missing key 'text'", 1),
    "JSONL line not an object": ("feed.jsonl", b'["a", "b"]\n', "JSON object", 1),
    "JSONL duplicate id": (
        "feed.jsonl",
        '{"id": "1", "text": "نص."}\n{"id": "1", "text": "نص آخر."}\n'.encode(),
        "duplicate id",
        2,
    ),
    "JSONL empty text": ("feed.jsonl", b'{"id": "1", "text": "  "}\n', "empty", 1),
    "unsupported file type": ("article.docx", b"PK\x03\x04", "not a .txt or .jsonl", None),
}


@pytest.mark.parametrize("case", BAD_INPUTS, ids=list(BAD_INPUTS))
def test_bad_file_is_one_located_line_and_no_change(case, tmp_path, seeded_db, capsys):
    name, data, words, line = BAD_INPUTS[case]
    path = write(tmp_path / name, data)
    before = dump(seeded_db)
    code, _, err = run(["import", str(path), "--db", str(seeded_db)], capsys)
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err and str(path) in lines[0]
    assert words.lower() in lines[0].lower()
    if line is not None:
        assert f"{path}:{line}:" in lines[0]
    assert dump(seeded_db) == before


def test_bad_input_does_not_even_create_the_database(tmp_path, capsys):
    db = tmp_path / "new.db"
    code, _, err = run(["import", str(write(tmp_path / "e.txt", b"")), "--db", str(db)], capsys)
    assert code == 1 and "empty" in err
    assert not db.exists()


def test_one_bad_file_among_good_ones_writes_nothing_and_lists_every_problem(
    tmp_path, corpus_copy, db_path, capsys
):
    write(corpus_copy / "broken.txt", "ال".encode("cp1256") + b" not UTF-8")
    write(corpus_copy / "empty.txt", b"")
    code, _, err = run(["import", str(corpus_copy), "--db", str(db_path)], capsys)
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 2
    assert any("broken.txt:1:" in x for x in lines) and any("empty.txt" in x for x in lines)
    assert not db_path.exists()


def test_broken_manifest_is_located(corpus_copy, seeded_db, capsys):
    manifest = corpus_copy / "manifest.toml"
    text = manifest.read_text(encoding="utf-8").replace('outlet = ""', 'outlet = "unclosed', 1)
    manifest.write_text(text, encoding="utf-8")
    line = text.splitlines().index(next(x for x in text.splitlines() if "unclosed" in x)) + 1
    before = dump(seeded_db)
    code, _, err = run(["import", str(corpus_copy), "--db", str(seeded_db)], capsys)
    assert code == 1
    assert err.strip().splitlines() == [err.strip()]
    assert f"manifest.toml:{line}: invalid TOML" in err
    assert dump(seeded_db) == before


def test_manifest_naming_a_missing_file(corpus_copy, db_path, capsys):
    (corpus_copy / "hasakah-05.txt").unlink()
    code, _, err = run(["import", str(corpus_copy), "--db", str(db_path)], capsys)
    assert code == 1
    assert "manifest.toml:" in err and "'hasakah-05.txt' does not exist" in err


def test_missing_path_and_unknown_encoding(tmp_path, db_path, capsys):
    code, _, err = run(["import", str(tmp_path / "nope.txt"), "--db", str(db_path)], capsys)
    assert code == 1 and "no such file or folder" in err
    path = write(tmp_path / "a.txt", ARABIC.encode())
    code, _, err = run(["import", str(path), "--encoding", "klingon", "--db", str(db_path)], capsys)
    assert code == 1 and "unknown encoding 'klingon'" in err


def test_giant_single_line_without_sentence_ends_is_refused(tmp_path, db_path, capsys):
    path = write(tmp_path / "dump.txt", ("كلمة " * 10_500_000).encode())  # ~ 52 MB, one line
    assert path.stat().st_size > 50_000_000
    code, _, err = run(["import", str(path), "--db", str(db_path)], capsys)
    assert code == 1
    assert f"{path}:1:" in err and "limit" in err and len(err.strip().splitlines()) == 1
    assert not db_path.exists()


# -- awkward but valid input is imported correctly ---------------------------------


def stored_texts(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return [r[0] for r in conn.execute("SELECT text FROM articles ORDER BY id")]
    finally:
        conn.close()


@pytest.mark.parametrize(
    ("name", "data", "encoding"),
    [
        ("bom.txt", codecs.BOM_UTF8 + ARABIC.encode(), None),
        ("utf16.txt", ARABIC.encode("utf-16"), None),  # with BOM
        ("utf16be.txt", codecs.BOM_UTF16_BE + ARABIC.encode("utf-16-be"), None),
        ("cp1256.txt", ARABIC.encode("cp1256"), "cp1256"),
        ("wide.txt", ARABIC.encode("utf-16-le"), "utf-16-le"),
    ],
)
def test_encodings_decode_to_the_same_text(name, data, encoding, tmp_path, db_path, capsys):
    path = write(tmp_path / name, data)
    argv = ["import", str(path), "--db", str(db_path)]
    code, out, err = run([*argv, "--encoding", encoding] if encoding else argv, capsys)
    assert code == 0, err
    assert "imported 1 new article" in out
    assert stored_texts(db_path) == [ARABIC]


def test_crlf_text_is_kept_and_sentences_exclude_carriage_returns(tmp_path, db_path, capsys):
    text = ARABIC.replace("\n", "\r\n") + "سطر ثان\r\n"
    code, _, err = run(
        ["import", str(write(tmp_path / "crlf.txt", text.encode())), "--db", str(db_path)], capsys
    )
    assert code == 0, err
    conn = sqlite3.connect(db_path)
    rows = conn.execute('SELECT start, "end", text FROM sentences ORDER BY idx').fetchall()
    assert stored_texts(db_path) == [text]
    assert [r[2] for r in rows] == [
        "أعلنت قوات سوريا الديمقراطية السيطرة على السجن.",
        "وقالت إن العملية انتهت.",
        "سطر ثان",
    ]
    assert all(text[s:e] == t for s, e, t in rows)


def test_giant_single_line_of_real_sentences_imports(tmp_path, db_path, capsys):
    sentence = "أعلنت قوات سوريا الديمقراطية السيطرة على السجن. "
    path = write(tmp_path / "long.txt", (sentence * 60_000).encode())  # ~ 5 MB on one line
    code, out, err = run(["import", str(path), "--db", str(db_path)], capsys)
    assert code == 0, err
    assert "60000 sentences" in out


def test_manifest_error_points_at_the_file_line_not_an_earlier_mention(
    corpus_copy, db_path, capsys
):
    manifest = corpus_copy / "manifest.toml"
    text = '# "hasakah-05.txt" was re-scraped on 2022-02-02\n' + manifest.read_text("utf-8")
    manifest.write_text(text, encoding="utf-8")
    (corpus_copy / "hasakah-05.txt").unlink()
    line = text.splitlines().index('file = "hasakah-05.txt"') + 1
    code, _, err = run(["import", str(corpus_copy), "--db", str(db_path)], capsys)
    assert code == 1
    assert f"manifest.toml:{line}: file 'hasakah-05.txt' does not exist" in err
