"""Reading corpus files into the store.

Input: `.txt` files (one article each), folders (searched recursively; a
folder's `manifest.toml` supplies metadata for its files) and `.jsonl` files
(one article a line: {"id", "text", "title", "outlet", "date", "url", ...}).

An import runs in two passes. The first reads, decodes, checks and segments
every file and collects every problem; if there is any, nothing is written
and every problem is reported, located by file and line. The second writes,
one transaction per file. An article's identity is the SHA-256 of its text,
so importing the same files again changes nothing.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import re
import tomllib
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.errors import NESTED_TOO_DEEPLY, InputErrors, WorkbenchError
from workbench.segment import Segment, segment
from workbench.store import Store

# A "sentence" this long is not prose: a file without line breaks or
# punctuation (a dump, a minified page) that no coder could read as a unit.
MAX_SENTENCE_CHARS = 20_000
JSONL_KEYS = ("id", "text", "title", "outlet", "date", "url", "language")
MANIFEST_KEYS = ("file", "id", "title", "outlet", "date", "url", "language")
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: it starts with the same bytes
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@dataclass
class Document:
    """One article read from disk, checked and segmented, not yet stored."""

    ext_id: str
    text: str
    source: str  # path, or path:line for JSONL
    title: str = ""
    outlet: str = ""
    date: str = ""
    url: str = ""
    language: str = "ar"
    meta: dict[str, Any] = field(default_factory=dict)
    segments: list[Segment] = field(default_factory=list)

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


@dataclass
class SourceFile:
    """A file and the documents read from it: written in one transaction."""

    path: Path
    documents: list[Document]


# How `collect` records a folder entry that is not a regular file: a FIFO
# named x.txt made `import` wait forever for a writer.
NOT_REGULAR = ": not a regular file"


@dataclass
class ImportReport:
    added: list[str] = field(default_factory=list)
    new_versions: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    sentences: int = 0
    ignored_files: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """The one line the CLI prints at the end of an import."""
        if not self.added and not self.new_versions:
            head = (
                f"nothing to import: all {len(self.unchanged)} articles already stored, unchanged"
            )
        else:
            head = (
                f"imported {len(self.added)} new article(s) and {len(self.new_versions)} new "
                f"version(s), {self.sentences} sentences; {len(self.unchanged)} unchanged"
            )
        special = [f for f in self.ignored_files if f.endswith(NOT_REGULAR)]
        if len(self.ignored_files) > len(special):
            head += (
                f"; ignored {len(self.ignored_files) - len(special)} file(s) that are not"
                " .txt or .jsonl"
            )
        if special:
            head += f"; skipped {len(special)} entr(ies) that are not regular files (FIFOs, devices, sockets)"
        return head


# -- decoding ---------------------------------------------------------------


def decode(data: bytes, path: str | Path, encoding: str | None = None) -> str:
    """Bytes to text as stored: BOM honoured, strict decoding, NFC.

    Raises WorkbenchError located at the offending line.
    """
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise WorkbenchError(f"unknown encoding {encoding!r}", path) from None
    else:
        for bom, codec in _BOMS:
            if data.startswith(bom):
                encoding = codec
                break
    wide = encoding is not None and codecs.lookup(encoding).name.startswith(("utf-16", "utf-32"))
    if not wide and b"\x00" in data:
        at = data.index(b"\x00")
        raise WorkbenchError(
            "contains NUL bytes: a binary file, or UTF-16 without a byte-order mark "
            "(then pass --encoding utf-16-le)",
            path,
            data.count(b"\n", 0, at) + 1,
        )
    try:
        text = data.decode(encoding or "utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        hint = (
            "; Arabic text saved on Windows is often cp1256: try --encoding cp1256"
            if encoding is None
            else ""
        )
        raise WorkbenchError(
            f"not valid {encoding or 'UTF-8'} (byte 0x{data[exc.start]:02X} at column "
            f"{column}){hint}",
            path,
            line,
        ) from None
    text = text.removeprefix("\ufeff")
    if "\x00" in text:
        raise WorkbenchError("contains NUL characters: not a text file", path)
    return unicodedata.normalize("NFC", text)


def _check_text(text: str, path: str | Path, jsonl_line: int | None = None) -> list[Segment]:
    """Segment text, refusing empty text and 'sentences' no one could code.

    Problems are located at the JSONL line when the text came from one,
    else at the file's line.
    """
    if not text.strip():
        raise WorkbenchError("empty: no text to import", path, jsonl_line)
    segments = segment(text)
    for seg in segments:
        if seg.end - seg.start > MAX_SENTENCE_CHARS:
            raise WorkbenchError(
                f"a sentence of {seg.end - seg.start:,} characters (limit "
                f"{MAX_SENTENCE_CHARS:,}): is this prose? Split it into lines",
                path,
                jsonl_line or seg.line + 1,
            )
    return segments


# -- reading files ----------------------------------------------------------


def read_txt(
    path: Path, encoding: str | None = None, meta: dict[str, Any] | None = None
) -> Document:
    """One .txt file as an article; `meta` comes from the folder's manifest."""
    text = decode(_read_bytes(path), path, encoding)
    meta = dict(meta or {})
    doc = Document(
        ext_id=str(meta.pop("id", "") or path.stem),
        text=text,
        source=str(path),
        **{
            k: str(meta.pop(k)) for k in ("title", "outlet", "date", "url", "language") if k in meta
        },
    )
    meta.pop("file", None)
    doc.meta = meta
    doc.segments = _check_text(text, path)
    return doc


def read_jsonl(path: Path, encoding: str | None = None) -> list[Document]:
    """A .jsonl file: every problem on every line is collected before raising."""
    text = decode(_read_bytes(path), path, encoding)
    documents: list[Document] = []
    errors: list[WorkbenchError] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            documents.append(_jsonl_document(line, path, number, seen))
        except WorkbenchError as exc:
            errors.append(exc)
    if errors:
        raise InputErrors(errors)
    if not documents:
        raise WorkbenchError("empty: no articles in this JSONL file", path)
    return documents


def surrogate_in(value: Any, where: str = "the line") -> str | None:
    """Where in a decoded JSON value a lone surrogate sits, if anywhere."""
    if isinstance(value, str):
        return where if any("\ud800" <= c <= "\udfff" for c in value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            found = surrogate_in(key, f"a key of {where}") or surrogate_in(item, repr(key))
            if found:
                return found
    if isinstance(value, list):
        for item in value:
            found = surrogate_in(item, where)
            if found:
                return found
    return None


def _jsonl_document(line: str, path: Path, number: int, seen: dict[str, int]) -> Document:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise WorkbenchError(
            f"not valid JSON: {exc.msg} (column {exc.colno})", path, number
        ) from None
    except RecursionError:
        raise WorkbenchError(NESTED_TOO_DEEPLY, path, number) from None
    where = surrogate_in(record)
    if where is not None:
        # JSON's \udc00 escapes decode to lone surrogates, which no file or
        # database can store: the write failed after earlier files were in.
        raise WorkbenchError(
            f"{where} holds a lone surrogate (a \\ud800-\\udfff escape without its pair);"
            " fix the text's encoding",
            path,
            number,
        )
    if not isinstance(record, dict):
        raise WorkbenchError("expected a JSON object with 'id' and 'text'", path, number)
    for key in ("id", "text"):
        if key not in record:
            raise WorkbenchError(f"missing key {key!r}", path, number)
    if not isinstance(record["text"], str):
        raise WorkbenchError("'text' must be a string", path, number)
    if not isinstance(record["id"], str | int) or isinstance(record["id"], bool):
        raise WorkbenchError("'id' must be a string or an integer", path, number)
    ext_id = str(record["id"]).strip()
    if not ext_id:
        raise WorkbenchError("'id' is empty", path, number)
    if ext_id in seen:
        raise WorkbenchError(
            f"duplicate id {ext_id!r} (first on line {seen[ext_id]})", path, number
        )
    seen[ext_id] = number
    known = {}
    for key in ("title", "outlet", "date", "url", "language"):
        value = record.get(key)
        if value is not None and not isinstance(value, str):
            raise WorkbenchError(f"{key!r} must be a string", path, number)
        if value is not None:
            known[key] = value
    text = unicodedata.normalize("NFC", record["text"])
    if "\x00" in text:
        raise WorkbenchError("'text' contains NUL characters", path, number)
    doc = Document(
        ext_id=ext_id,
        text=text,
        source=f"{path}:{number}",
        meta={k: v for k, v in record.items() if k not in JSONL_KEYS},
        **known,
    )
    doc.segments = _check_text(text, path, number)
    return doc


def read_manifest(folder: Path) -> dict[str, dict[str, Any]]:
    """The folder's manifest.toml as {file name: metadata}; {} if there is none."""
    path = folder / "manifest.toml"
    if not path.exists():
        return {}
    raw = decode(_read_bytes(path), path)
    try:
        data = tomllib.loads(raw)
    except RecursionError:
        raise WorkbenchError(NESTED_TOO_DEEPLY, path) from None
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        line = None
        if "(at line " in message:
            line = int(message.split("(at line ")[1].split(",")[0])
            message = message.split(" (at line ")[0]
        raise WorkbenchError(f"invalid TOML: {message}", path, line) from None
    entries = data.get("article", [])
    unknown_tables = sorted(set(data) - {"article", "corpus"})
    if unknown_tables:
        raise WorkbenchError(f"unknown table(s) {unknown_tables}; expected [[article]]", path)
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise WorkbenchError("'article' must be an array of tables ([[article]])", path)
    result: dict[str, dict[str, Any]] = {}
    problems: list[tuple[str | None, str]] = []  # (file name, message)
    for number, entry in enumerate(entries, start=1):
        name = entry.get("file")
        if not isinstance(name, str) or not name:
            problems.append((None, f"[[article]] number {number} has no 'file'"))
        elif name in result:
            problems.append((name, f"file {name!r} is listed twice"))
        elif not (folder / name).is_file():
            problems.append((name, f"file {name!r} does not exist in {folder}"))
        elif bad := [k for k in MANIFEST_KEYS if k in entry and not isinstance(entry[k], str)]:
            problems.append((name, f"file {name!r}: {', '.join(bad)} must be text (quoted)"))
        else:
            result[name] = entry
    if problems:
        # Lines are looked up only now, for the entries that have a problem.
        lines = _file_lines(raw)
        raise InputErrors(
            [WorkbenchError(message, path, lines.get(name or "")) for name, message in problems]
        )
    return result


_FILE_KEY_RE = re.compile(r"""^\s*file\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def _file_lines(raw: str) -> dict[str, int]:
    """{file name: line of its `file = "..."`} in one pass over the manifest."""
    lines: dict[str, int] = {}
    for number, line in enumerate(raw.splitlines(), start=1):
        if match := _FILE_KEY_RE.match(line):
            lines.setdefault(match.group(1) or match.group(2), number)
    return lines


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise WorkbenchError(f"cannot read: {exc.strerror}", path) from None


def collect(
    paths: Iterable[str | Path],
) -> tuple[list[Path | tuple[Path, dict[str, Any]]], list[str]]:
    """Expand paths into the files to read (with manifest metadata); also
    returns files found in folders that are neither .txt nor .jsonl."""
    files: list[Path | tuple[Path, dict[str, Any]]] = []
    ignored: list[str] = []
    errors: list[WorkbenchError] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            for folder in sorted({path, *(p for p in path.rglob("*") if p.is_dir())}):
                if any(part.startswith(".") for part in folder.relative_to(path).parts):
                    continue
                try:
                    manifest = read_manifest(folder)
                except InputErrors as exc:
                    errors.extend(exc.errors)
                    continue
                except WorkbenchError as exc:
                    errors.append(exc)
                    continue
                for child in sorted(folder.iterdir()):
                    if (
                        child.is_dir()
                        or child.name.startswith(".")
                        or child.name == "manifest.toml"
                    ):
                        continue
                    if not child.is_file():  # follows links: a link to a file is read
                        ignored.append(f"{child}{NOT_REGULAR}")
                    elif child.suffix.lower() == ".txt":
                        files.append((child, manifest.get(child.name, {})))
                    elif child.suffix.lower() == ".jsonl":
                        files.append(child)
                    else:
                        ignored.append(str(child))
        elif path.exists() and not path.is_file():
            errors.append(WorkbenchError("not a regular file (a FIFO, device or socket)", path))
        elif path.is_file():
            if path.suffix.lower() not in (".txt", ".jsonl"):
                errors.append(WorkbenchError("not a .txt or .jsonl file", path))
            else:
                files.append(path)
        else:
            errors.append(WorkbenchError("no such file or folder", path))
    if errors:
        raise InputErrors(errors)
    return files, ignored


def read_all(
    paths: Iterable[str | Path],
    encoding: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[list[SourceFile], list[str]]:
    """Pass one: read, decode, check and segment everything; raise all problems."""
    if encoding is not None:
        try:
            codec = codecs.lookup(encoding)
        except LookupError:
            raise WorkbenchError(f"unknown encoding {encoding!r}") from None
        # rot13 and base64 are codecs too, but not of bytes into text.
        if not getattr(codec, "_is_text_encoding", True):
            raise WorkbenchError(
                f"{encoding!r} is not a text encoding (Arabic text is utf-8, cp1256 or iso-8859-6)"
            )
    targets, ignored = collect(paths)
    sources: list[SourceFile] = []
    errors: list[WorkbenchError] = []
    for done, target in enumerate(targets, start=1):
        path, meta = target if isinstance(target, tuple) else (target, None)
        try:
            if path.suffix.lower() == ".jsonl":
                sources.append(SourceFile(path, read_jsonl(path, encoding)))
            else:
                sources.append(SourceFile(path, [read_txt(path, encoding, meta)]))
        except InputErrors as exc:
            errors.extend(exc.errors)
        except WorkbenchError as exc:
            errors.append(exc)
        if progress:
            progress(done, len(targets))
    if errors:
        raise InputErrors(errors)
    return sources, ignored


def import_paths(
    store: Store,
    paths: Sequence[str | Path],
    encoding: str | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> ImportReport:
    """Import files and folders into the store; see the module docstring.

    `progress(stage, done, total)` is called as files are read and written.
    Raises InputErrors (nothing written) if any file is bad.
    """
    sources, ignored = read_all(
        paths, encoding, (lambda d, t: progress("reading", d, t)) if progress else None
    )
    return store_sources(store, sources, ignored, progress)


def store_sources(
    store: Store,
    sources: Sequence[SourceFile],
    ignored: Sequence[str] = (),
    progress: Callable[[str, int, int], None] | None = None,
) -> ImportReport:
    """Pass two: write the checked files, all in one transaction.

    All or nothing across every file of the run: a write refused halfway (a
    full disk) once left the first files imported and the rest not."""
    report = ImportReport(ignored_files=list(ignored))
    with store.bulk(), store.transaction():
        for done, source in enumerate(sources, start=1):
            for doc in source.documents:
                _store_document(store, doc, report)
            if progress:
                progress("writing", done, len(sources))
    return report


def _store_document(store: Store, doc: Document, report: ImportReport) -> None:
    content_hash = doc.content_hash
    known = store.article_by_hash(content_hash)
    if known is not None:
        report.unchanged.append(doc.ext_id)
        return
    _, version = store.add_article(
        ext_id=doc.ext_id,
        text=doc.text,
        content_hash=content_hash,
        segments=doc.segments,
        source=doc.source,
        title=doc.title,
        outlet=doc.outlet,
        date=doc.date,
        url=doc.url,
        language=doc.language,
        meta=doc.meta,
    )
    (report.new_versions if version > 1 else report.added).append(doc.ext_id)
    report.sentences += len(doc.segments)
