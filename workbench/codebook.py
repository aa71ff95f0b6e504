"""Codebooks: the label schema coders work under, read from `labels/*.toml`.

A codebook names the fields a coder fills in for every sentence (speaker,
stance, claim type, ...), their allowed values, the keys that pick them and
the help text shown on screen. See the header of `labels/hasakah.toml` for
the file format.

Core module: standard library plus `workbench.errors` / `workbench.keymap`
/ `workbench.cache` only (never Textual). Everything is immutable once loaded.

    cb = load_codebook("labels/hasakah.toml")
    cb.field("claim_type").keys()        # {"1": "casualty_figure", ...}
    cb.field("stance").categories()      # ("turkey:blame", "turkey:praise", ...)
    validate_labels(cb, {"claim_type": "denial"})   # [] = fine

`load_codebook` / `parse_codebook` check the whole file and raise one
`InputErrors` listing every problem, each located by file and line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.errors import NESTED_TOO_DEEPLY, InputErrors, WorkbenchError
from workbench.keymap import ORDINAL_KEYS, RESERVED_BY, RESERVED_KEYS

__all__ = [
    "KINDS",
    "Codebook",
    "Field",
    "Value",
    "load_codebook",
    "parse_codebook",
    "validate_labels",
]

#: Field kinds, in the order the format documents them.
KINDS: tuple[str, ...] = ("single", "multi", "stance", "entity", "ordinal", "text")

# Kinds whose values come from `[[field.value]]` and must not be empty.
_CHOICE_KINDS = frozenset({"single", "multi", "ordinal"})

_ID_RE = re.compile(r"[a-z0-9]+(?:_[a-z0-9]+)*")
# One key: a single visible character, or a Textual key name with optional
# modifiers ("f5", "ctrl+k", "question_mark"). Never a comma-separated list.
_KEY_RE = re.compile(r"(?:(?:ctrl|shift|alt|meta)\+)*(?:[^\s,+]|[a-z][a-z0-9_]*)")

_CODEBOOK_ATTRS = ("name", "version", "language", "description")
_FIELD_ATTRS = (
    "id",
    "kind",
    "label",
    "label_ar",
    "help",
    "example",
    "required",
    "adjudicate",
    "value",
    "target",
    "polarity",
)
_VALUE_ATTRS = ("id", "label", "label_ar", "help", "example", "key", "aliases", "replaces")
_PARTS = ("value", "target", "polarity")  # the value lists a field may hold
_DIGITS = tuple(str(d) for d in range(1, 10))
# The level of measurement agreement uses for each kind of field (text
# fields have none).
LEVEL_OF_KIND = {
    "single": "nominal",
    "entity": "nominal",
    "multi": "masi",
    "stance": "masi",
    "ordinal": "ordinal",
}


# --------------------------------------------------------------------------
# The model
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Value:
    """One allowed value of a field (also a stance target or polarity).

    `key` is the key set in the codebook, or None (see `Field.keys` for the
    defaults). `aliases` only occur on entity values: other names the same
    entity goes by (Arabic or English), used to match what a coder types.
    `replaces` names values of an earlier version of the codebook, gone from
    this one, that were merged into this value (`workbench codebook diff`
    reports them as merged, not removed).
    """

    id: str
    label: str
    label_ar: str = ""
    help: str = ""
    example: str = ""
    key: str | None = None
    aliases: tuple[str, ...] = ()
    replaces: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        """Every name of this value: label, Arabic label, then aliases (non-empty)."""
        return tuple(n for n in (self.label, self.label_ar, *self.aliases) if n)


@dataclass(frozen=True)
class Field:
    """One thing a coder records per sentence.

    `kind` is one of `KINDS`. Choice kinds (single, multi, ordinal) and
    entity fields keep their values in `values` (for entity fields these are
    only the seeds of an open registry); stance fields keep theirs in
    `targets` and `polarities`; text fields have none.
    """

    id: str
    kind: str
    label: str
    label_ar: str = ""
    help: str = ""
    example: str = ""
    required: bool = False
    adjudicate: bool = True
    values: tuple[Value, ...] = ()
    targets: tuple[Value, ...] = ()
    polarities: tuple[Value, ...] = ()

    @property
    def value_ids(self) -> tuple[str, ...]:
        """Ids of `values`, in codebook order."""
        return tuple(v.id for v in self.values)

    @property
    def target_ids(self) -> tuple[str, ...]:
        """Ids of the stance `targets`, in codebook order."""
        return tuple(v.id for v in self.targets)

    @property
    def polarity_ids(self) -> tuple[str, ...]:
        """Ids of the stance `polarities`, in codebook order."""
        return tuple(v.id for v in self.polarities)

    def value(self, id: str, part: str = "value") -> Value:
        """The value (or, with part="target"/"polarity", stance entry) called `id`."""
        for v in self._part(part):
            if v.id == id:
                return v
        raise KeyError(f"field {self.id!r} has no {part} {id!r}")

    def keys(self, part: str | None = None) -> dict[str, str]:
        """Map each key to the id of the value it picks, in codebook order.

        Single-choice fields give a value without `key` the digit of its
        position (1-9, codebook order), so claim types take 1-9 unless the
        codebook says otherwise. Other kinds only have the keys the codebook
        sets. A stance field has two key maps: ask for `keys("target")` or
        `keys("polarity")` (the same letter may pick a target and a polarity).
        """
        if part is None:
            if self.kind == "stance":
                raise ValueError(
                    f"field {self.id!r} is a stance field: ask for keys('target') "
                    "or keys('polarity')"
                )
            part = "value"
        values = self._part(part)
        return {
            key: v.id
            for v, key in zip(values, _effective_keys(self.kind, part, values), strict=True)
            if key is not None
        }

    def categories(self) -> tuple[str, ...]:
        """The category ids agreement statistics count for this field.

        Stance: every "target:polarity" pair (targets outer, both in codebook
        order). Text: none. Entity: the seed ids only (the registry is open,
        so a report may meet more). Otherwise the value ids.
        """
        if self.kind == "stance":
            return tuple(f"{t.id}:{p.id}" for t in self.targets for p in self.polarities)
        if self.kind == "text":
            return ()
        return self.value_ids

    def _part(self, part: str) -> tuple[Value, ...]:
        if part == "value":
            return self.values
        if part == "target":
            return self.targets
        if part == "polarity":
            return self.polarities
        raise ValueError(f"part must be 'value', 'target' or 'polarity', not {part!r}")


@dataclass(frozen=True)
class Codebook:
    """A loaded, validated codebook. `source` is the file's text, `path` where it came from."""

    name: str
    version: str
    description: str
    fields: tuple[Field, ...]
    source: str
    path: str
    language: str = ""

    @property
    def content_hash(self) -> str:
        """sha256 (hex) of the codebook's source text, UTF-8 encoded."""
        import hashlib  # here: loading OpenSSL is ~2 ms that start-up does not need

        return hashlib.sha256(self.source.encode("utf-8")).hexdigest()

    @property
    def field_ids(self) -> tuple[str, ...]:
        """Field ids in screen order."""
        return tuple(f.id for f in self.fields)

    def screen_keys(self) -> dict[str, tuple[str, str, str]]:
        """Keys live together on the labeling screen: key -> (field, part, value id).

        Choice and ordinal values and stance targets; polarity keys are not
        here, as they only act after a target key.
        """
        keys: dict[str, tuple[str, str, str]] = {}
        for f in self.fields:
            part = "target" if f.kind == "stance" else "value"
            if f.kind in ("single", "multi", "ordinal", "stance"):
                for key, value_id in f.keys(part).items():
                    keys.setdefault(key, (f.id, part, value_id))
        return keys

    def field(self, id: str) -> Field:
        """The field called `id`; KeyError naming the known fields if there is none."""
        for f in self.fields:
            if f.id == id:
                return f
        known = ", ".join(self.field_ids) or "none"
        raise KeyError(f"codebook {self.name!r} has no field {id!r} (fields: {known})")


def _effective_keys(kind: str, part: str, values: tuple[Value, ...]) -> list[str | None]:
    """The key of each value: its own, else the default of its position:
    digits 1-9 for single-choice fields, shifted digits (! @ # ...) for
    ordinal ones (confidence 1-3 on ! @ #)."""
    defaults: tuple[str, ...] = ()
    if part == "value" and kind == "single":
        defaults = _DIGITS
    elif part == "value" and kind == "ordinal":
        defaults = ORDINAL_KEYS
    return [
        v.key if v.key is not None else (defaults[i] if i < len(defaults) else None)
        for i, v in enumerate(values)
    ]


# --------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------


DEFAULT_CODEBOOK = Path("labels") / "hasakah.toml"
# The same codebook, installed with the package (a test keeps the two files
# identical), so `workbench label` on a new database works from any folder.
PACKAGED_CODEBOOK = Path(__file__).parent / "codebooks" / "hasakah.toml"


def resolve_codebook(path: str | Path | None, store: Any) -> Codebook:
    """The codebook to label with: `path` if given, else the newest one the
    database was coded with (so a coder needs no file), else
    labels/hasakah.toml in the current folder, else the copy of it installed
    with the workbench."""
    if path is not None:
        return _parse_cached(_read_codebook(path), str(path))
    latest = store.latest_codebook()
    if latest is not None:
        source, origin = latest
        return _parse_cached(source, origin)
    for default in (DEFAULT_CODEBOOK, PACKAGED_CODEBOOK):
        if default.exists():
            return _parse_cached(_read_codebook(default), str(default))
    raise WorkbenchError(
        "no codebook: pass --codebook FILE (none is recorded in this database yet)"
    )


def _parse_cached(text: str, path: str) -> Codebook:
    """`parse_codebook(text, path)`, kept in the user's cache once valid.

    Parsing and validating took ~8 ms of every `workbench label` start, for
    a codebook that rarely changes. The key is the text, the path (errors
    and `Codebook.path` name it) and this module's and the keymap's source
    (the validator), so any change is validated afresh; an invalid codebook
    is never kept, so its errors are reported every time.
    """
    from workbench import cache, keymap

    try:
        code = cache.source_fingerprint(__file__, keymap.__file__)
    except OSError:
        return parse_codebook(text, path)
    key = b"\0".join((code, *(s.encode("utf-8", "surrogatepass") for s in (path, text))))
    return cache.cached(
        "codebooks",
        key,
        lambda: parse_codebook(text, path),
        lambda found: isinstance(found, Codebook) and found.source == text and found.path == path,
    )


def load_codebook(path: str | Path) -> Codebook:
    """Read and validate the codebook at `path`.

    Raises `InputErrors` (every problem at once, each located) if the file
    cannot be read or is not a valid codebook.
    """
    return parse_codebook(_read_codebook(path), str(path))


def _read_codebook(path: str | Path) -> str:
    p = str(path)
    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
    except OSError as e:
        raise InputErrors([WorkbenchError(f"cannot read codebook: {e.strerror or e}", p)]) from None
    except UnicodeDecodeError as e:
        line = Path(path).read_bytes()[: e.start].count(b"\n") + 1
        raise InputErrors([WorkbenchError("codebook is not valid UTF-8", p, line)]) from None
    return text


def parse_codebook(text: str, path: str | Path = "<codebook>") -> Codebook:
    """Validate codebook TOML `text`; `path` is only used to locate errors.

    Raises `InputErrors` listing every problem found (a TOML syntax error
    stops parsing, so it is reported alone), sorted by line.
    """
    import tomllib  # here, not at the top: a cached codebook is never parsed

    p = str(path)
    try:
        data = tomllib.loads(text)
    except RecursionError:
        raise InputErrors([WorkbenchError(NESTED_TOO_DEEPLY, p)]) from None
    except tomllib.TOMLDecodeError as e:
        msg, line = _split_toml_error(str(e), text)
        raise InputErrors([WorkbenchError(f"TOML syntax error: {msg}", p, line)]) from None
    return _Builder(text, p).build(data)


def _split_toml_error(message: str, text: str) -> tuple[str, int | None]:
    m = re.search(r"\s*\(at line (\d+), column \d+\)$", message)
    if m:
        return message[: m.start()], int(m.group(1))
    m = re.search(r"\s*\(at end of document\)$", message)
    if m:
        return message[: m.start()] + " at end of file", max(1, len(text.splitlines()))
    return message, None


# --- where things are in the raw text -------------------------------------


class _Table:
    """Where a TOML table starts and where each of its keys is set."""

    def __init__(self, line: int | None) -> None:
        self.line = line
        self.keys: dict[str, int] = {}

    def at(self, key: str | None = None) -> int | None:
        if key is not None and key in self.keys:
            return self.keys[key]
        return self.line


class _FieldLoc:
    def __init__(self, line: int) -> None:
        self.table = _Table(line)
        self.parts: dict[str, list[_Table]] = {part: [] for part in _PARTS}


_HEADER_RE = re.compile(r"\s*(\[\[?)\s*([^\]#]*?)\s*(\]\]?)\s*(?:#.*)?$")
_KEYLINE_RE = re.compile(r"""\s*([A-Za-z0-9_-]+|"[^"]*"|'[^']*')\s*[.=]""")


class _Locator:
    """A line scanner good enough to map parsed TOML back to lines.

    It only runs on text `tomllib` accepted, so it can be simple: it follows
    `[codebook]`, `[[field]]` and `[[field.value|target|polarity]]` headers
    and the `key =` lines under them, skipping multi-line strings.
    """

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.top = _Table(None)
        self.codebook: _Table | None = None
        self.fields: list[_FieldLoc] = []
        self.headers: dict[str, int] = {}  # first line of each other header
        current = self.top
        open_quote: str | None = None
        for n, line in enumerate(self.lines, start=1):
            if open_quote is None:
                current = self._scan_line(n, line, current)
            open_quote = _track_multiline(line, open_quote)

    def _scan_line(self, n: int, line: str, current: _Table) -> _Table:
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            return current
        header = _HEADER_RE.match(line)
        if header and stripped.startswith("[") and len(header.group(1)) == len(header.group(3)):
            name = re.sub(r"""\s|["']""", "", header.group(2))
            array = header.group(1) == "[["
            if array and name == "field":
                self.fields.append(_FieldLoc(n))
                return self.fields[-1].table
            if array and name.startswith("field.") and name[6:] in _PARTS and self.fields:
                table = _Table(n)
                self.fields[-1].parts[name[6:]].append(table)
                return table
            if not array and name == "codebook":
                self.codebook = _Table(n)
                return self.codebook
            self.headers.setdefault(name, n)
            return _Table(n)
        key = _KEYLINE_RE.match(line)
        if key:
            current.keys.setdefault(key.group(1).strip("\"'"), n)
        return current

    def field(self, i: int) -> _Table | None:
        return self.fields[i].table if i < len(self.fields) else None

    def part(self, i: int, part: str, j: int) -> _Table | None:
        if i < len(self.fields) and j < len(self.fields[i].parts[part]):
            return self.fields[i].parts[part][j]
        return None

    def find_id(self, id: str, after: int | None = None) -> int | None:
        """Line of the first `id = "<id>"` at or after line `after` (fallback search)."""
        pattern = re.compile(r"""(?:^|[\s{,])id\s*=\s*(["'])""" + re.escape(id) + r"\1")
        start = (after or 1) - 1
        for n, line in enumerate(self.lines[start:], start=start + 1):
            if pattern.search(line):
                return n
        return None


def _track_multiline(line: str, open_quote: str | None) -> str | None:
    """Follow `\"\"\"` / `'''` through one line; return the quote left open, if any."""
    i = 0
    while i < len(line):
        if open_quote is None:
            if line[i] == "#":
                return None
            token = line[i : i + 3]
            if token in ('"""', "'''"):
                open_quote = token
                i += 3
                continue
            if line[i] in "\"'":  # skip a one-line string
                end = line.find(line[i], i + 1)
                while line[i] == '"' and end > 0 and line[end - 1] == "\\":
                    end = line.find('"', end + 1)
                if end < 0:
                    return None
                i = end + 1
                continue
        elif line.startswith(open_quote, i):
            open_quote = None
            i += 3
            continue
        elif open_quote == '"""' and line[i] == "\\":
            i += 2
            continue
        i += 1
    return open_quote


# --- validation ------------------------------------------------------------


def _type_name(value: object) -> str:
    return {
        str: "a string",
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        list: "a list",
        dict: "a table",
    }.get(type(value), type(value).__name__)


def _suggest(name: str, allowed: tuple[str, ...]) -> str:
    import difflib

    close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _norm_alias(name: str) -> str:
    """Whitespace/case folding only; Arabic normalization lives with the registry."""
    return " ".join(name.split()).casefold()


class _Builder:
    def __init__(self, text: str, path: str) -> None:
        self.text = text
        self.path = path
        self.loc = _Locator(text)
        self.errors: list[WorkbenchError] = []

    def error(self, message: str, line: int | None) -> None:
        self.errors.append(WorkbenchError(message, self.path, line))

    # -- helpers --

    def check_attrs(
        self, table: Mapping[str, Any], allowed: tuple[str, ...], where: str, at: Callable
    ) -> None:
        for key in table:
            if key not in allowed:
                self.error(f"{where}: unknown attribute {key!r}{_suggest(key, allowed)}", at(key))

    def get_str(
        self,
        table: Mapping[str, Any],
        key: str,
        where: str,
        at: Callable,
        *,
        required: bool = False,
    ) -> str:
        if key not in table:
            if required:
                self.error(f"{where}: missing required attribute {key!r}", at(None))
            return ""
        value = table[key]
        if not isinstance(value, str):
            self.error(f"{where}: {key!r} must be a string, not {_type_name(value)}", at(key))
            return ""
        if required and not value.strip():
            self.error(f"{where}: {key!r} must not be empty", at(key))
        return value

    # -- the whole file --

    def get_bool(
        self,
        raw: dict[str, Any],
        key: str,
        default: bool,
        where: str,
        at: Callable[[str | None], int | None],
    ) -> bool:
        value = raw.get(key, default)
        if isinstance(value, bool):
            return value
        self.error(f"{where}: {key!r} must be true or false, not {_type_name(value)}", at(key))
        return default

    def build(self, data: dict[str, Any]) -> Codebook:
        top_at = self.loc.top.at
        for key, value in data.items():
            if key not in ("codebook", "field"):
                line = self.loc.headers.get(key) or top_at(key)
                what = "table" if isinstance(value, dict | list) else "key"
                self.error(
                    f"unknown top-level {what} {key!r}{_suggest(key, ('codebook', 'field'))}",
                    line,
                )

        name = version = description = language = ""
        cb = data.get("codebook")
        if not isinstance(cb, dict):
            if cb is None:
                self.error("missing [codebook] table (with at least name and version)", 1)
            else:
                self.error("'codebook' must be a [codebook] table", top_at("codebook"))
        else:
            table = self.loc.codebook or _Table(top_at("codebook"))
            at = table.at
            self.check_attrs(cb, _CODEBOOK_ATTRS, "[codebook]", at)
            name = self.get_str(cb, "name", "[codebook]", at, required=True)
            version = self.get_str(cb, "version", "[codebook]", at, required=True)
            description = self.get_str(cb, "description", "[codebook]", at)
            language = self.get_str(cb, "language", "[codebook]", at)

        raw_fields = data.get("field")
        fields: list[Field] = []
        if raw_fields is None or raw_fields == []:
            self.error("no fields: add at least one [[field]] table", None)
        elif not isinstance(raw_fields, list) or not all(isinstance(f, dict) for f in raw_fields):
            self.error("'field' must be a list of [[field]] tables", top_at("field"))
        else:
            first_line: dict[str, int | None] = {}
            for i, raw in enumerate(raw_fields):
                field = self.build_field(i, raw)
                if field is None:
                    continue
                line = self.field_at(i, field.id)("id")
                if field.id in first_line:
                    first = first_line[field.id]
                    also = f" (first defined at line {first})" if first else ""
                    self.error(f"field {field.id!r}: duplicate id{also}", line)
                    continue
                first_line[field.id] = line
                fields.append(field)

        self.check_screen_keys(fields)
        if self.errors:
            self.errors.sort(key=lambda e: (e.line is None, e.line or 0))
            raise InputErrors(self.errors)
        return Codebook(
            name=name,
            version=version,
            description=description,
            fields=tuple(fields),
            source=self.text,
            path=self.path,
            language=language,
        )

    def check_screen_keys(self, fields: list[Field]) -> None:
        """Keys of different fields that are live at once must differ."""
        owner: dict[str, tuple[str, str, str]] = {}
        for f in fields:
            part = "target" if f.kind == "stance" else "value"
            if f.kind not in ("single", "multi", "ordinal", "stance"):
                continue
            for key, value_id in f.keys(part).items():
                if key in owner and owner[key][0] != f.id:
                    other_field, other_part, other_value = owner[key]
                    at = self.text.find(f'id = "{value_id}"')
                    self.error(
                        f"field {f.id!r} {part} {value_id!r}: key {key!r} is also the key of "
                        f"field {other_field!r} {other_part} {other_value!r}; both are live "
                        "on the labeling screen",
                        None if at < 0 else self.text.count("\n", 0, at) + 1,
                    )
                owner.setdefault(key, (f.id, part, value_id))

    # -- fields --

    def field_at(self, i: int, id: str | None) -> Callable[[str | None], int | None]:
        table = self.loc.field(i)
        if table is not None:
            return table.at
        line = self.loc.find_id(id) if id else None
        return lambda key=None: line

    def build_field(self, i: int, raw: dict[str, Any]) -> Field | None:
        n_errors = len(self.errors)
        fid = raw.get("id")
        at = self.field_at(i, fid if isinstance(fid, str) else None)
        where = f"field {fid!r}" if isinstance(fid, str) and fid else f"field #{i + 1}"
        self.check_attrs(raw, _FIELD_ATTRS, where, at)
        fid = self.get_str(raw, "id", where, at, required=True)
        if fid and not _ID_RE.fullmatch(fid):
            self.error(f"{where}: id must be ascii snake_case (a-z, 0-9, _)", at("id"))
        kind = self.get_str(raw, "kind", where, at, required=True)
        if kind and kind not in KINDS:
            self.error(
                f"{where}: unknown kind {kind!r}{_suggest(kind, KINDS)} "
                f"(expected one of {', '.join(KINDS)})",
                at("kind"),
            )
        label = self.get_str(raw, "label", where, at, required=True)
        label_ar = self.get_str(raw, "label_ar", where, at)
        help = self.get_str(raw, "help", where, at)
        example = self.get_str(raw, "example", where, at)
        required = self.get_bool(raw, "required", False, where, at)
        # Free text is never compared between coders, so it is never adjudicated.
        adjudicate = self.get_bool(raw, "adjudicate", kind != "text", where, at)
        if adjudicate and kind == "text":
            self.error(f"{where}: a text field cannot be adjudicated", at("adjudicate"))

        parts: dict[str, tuple[Value, ...]] = {}
        for part in _PARTS:
            parts[part] = self.build_values(i, raw, part, where, kind, at)

        if kind in KINDS:
            self.check_kind_parts(i, kind, raw, parts, where, at)
        if kind == "entity":
            self.check_aliases(i, parts["value"], where)

        if len(self.errors) > n_errors:
            return Field(fid, kind, label) if fid else None  # only used for duplicate ids
        return Field(
            id=fid,
            kind=kind,
            label=label,
            label_ar=label_ar,
            help=help,
            example=example,
            required=required,
            adjudicate=adjudicate,
            values=parts["value"],
            targets=parts["target"],
            polarities=parts["polarity"],
        )

    def check_kind_parts(
        self,
        i: int,
        kind: str,
        raw: Mapping[str, Any],
        parts: dict[str, tuple[Value, ...]],
        where: str,
        at: Callable,
    ) -> None:
        allowed = {"target", "polarity"} if kind == "stance" else set()
        if kind in _CHOICE_KINDS or kind == "entity":
            allowed = {"value"}
        for part in _PARTS:
            if part in raw and part not in allowed:
                first = self.loc.part(i, part, 0)
                line = first.line if first is not None else at(part)
                self.error(f"{where}: [[field.{part}]] is not allowed on a {kind} field", line)
        if kind in _CHOICE_KINDS and not raw.get("value"):
            self.error(f"{where}: a {kind} field needs at least one [[field.value]]", at(None))
        if kind == "stance":
            for part in ("target", "polarity"):
                if not raw.get(part):
                    self.error(
                        f"{where}: a stance field needs at least one [[field.{part}]]", at(None)
                    )
        if kind == "single":
            values = parts["value"]
            for j, v in enumerate(values):
                if j >= len(_DIGITS) and v.key is None:
                    self.error(
                        f"{where} value {v.id!r}: no key, and a single field's default digit "
                        f"keys 1-9 only cover its first 9 values (it has {len(values)}): "
                        "set `key`",
                        self.value_at(i, "value", j, v.id, at)(None),
                    )
        for part in _PARTS:
            self.check_keys(i, kind, part, parts[part], where, at)

    def value_at(
        self, i: int, part: str, j: int, vid: str | None, field_at: Callable
    ) -> Callable[[str | None], int | None]:
        """Line finder for value `j` of `part` in field `i` (attribute line, else table line)."""
        table = self.loc.part(i, part, j)
        if table is not None:
            return table.at
        line = self.loc.find_id(vid, field_at(None)) if vid else None
        line = line or field_at(part)
        return lambda key=None: line

    def build_values(
        self,
        i: int,
        raw: Mapping[str, Any],
        part: str,
        where: str,
        kind: str,
        at: Callable,
    ) -> tuple[Value, ...]:
        items = raw.get(part)
        if items is None:
            return ()
        if not isinstance(items, list) or not all(isinstance(v, dict) for v in items):
            self.error(f"{where}: {part!r} must be a list of [[field.{part}]] tables", at(part))
            return ()
        out: list[Value] = []
        seen: dict[str, int | None] = {}
        for j, item in enumerate(items):
            vid = item.get("id")
            vat = self.value_at(i, part, j, vid if isinstance(vid, str) else None, at)
            vwhere = (
                f"{where} {part} {vid!r}"
                if isinstance(vid, str) and vid
                else f"{where} {part} #{j + 1}"
            )
            n_errors = len(self.errors)
            self.check_attrs(item, _VALUE_ATTRS, vwhere, vat)
            vid = self.get_str(item, "id", vwhere, vat, required=True)
            if vid and not _ID_RE.fullmatch(vid):
                self.error(f"{vwhere}: id must be ascii snake_case (a-z, 0-9, _)", vat("id"))
            label = self.get_str(item, "label", vwhere, vat, required=True)
            label_ar = self.get_str(item, "label_ar", vwhere, vat)
            help = self.get_str(item, "help", vwhere, vat)
            example = self.get_str(item, "example", vwhere, vat)
            key: str | None = None
            if "key" in item:
                k = item["key"]
                if isinstance(k, int) and not isinstance(k, bool) and 0 <= k <= 9:
                    k = str(k)  # key = 1 is what people write; it means the digit
                if not isinstance(k, str):
                    self.error(f"{vwhere}: 'key' must be a string, not {_type_name(k)}", vat("key"))
                elif not _KEY_RE.fullmatch(k):
                    self.error(
                        f"{vwhere}: key {k!r} is not a single key name "
                        "(one character, or a name like 'f5' or 'ctrl+k')",
                        vat("key"),
                    )
                else:
                    key = k
            aliases: tuple[str, ...] = ()
            if "aliases" in item:
                a = item["aliases"]
                if kind in KINDS and kind != "entity":
                    self.error(
                        f"{vwhere}: 'aliases' is only allowed on entity fields", vat("aliases")
                    )
                elif not isinstance(a, list) or not all(isinstance(s, str) for s in a):
                    self.error(f"{vwhere}: 'aliases' must be a list of strings", vat("aliases"))
                elif any(not s.strip() for s in a):
                    self.error(
                        f"{vwhere}: 'aliases' must not contain empty strings", vat("aliases")
                    )
                else:
                    aliases = tuple(a)
            replaces = self.get_replaces(item, vwhere, vat)
            if vid:
                line = vat("id")
                if vid in seen:
                    first = seen[vid]
                    also = f" (first defined at line {first})" if first else ""
                    self.error(f"{vwhere}: duplicate id{also}", line)
                else:
                    seen[vid] = line
            if len(self.errors) == n_errors:
                out.append(Value(vid, label, label_ar, help, example, key, aliases, replaces))
            else:
                # keep a placeholder so positions (default digit keys) stay right
                out.append(Value(vid or f"#{j + 1}", label, key=key))
        self.check_replaces(i, part, tuple(out), where, at)
        return tuple(out)

    def get_replaces(self, item: Mapping[str, Any], where: str, at: Callable) -> tuple[str, ...]:
        """The `replaces` list of one value table: ascii snake_case ids, each once."""
        if "replaces" not in item:
            return ()
        ids = item["replaces"]
        line = at("replaces")
        if not isinstance(ids, list) or not all(isinstance(s, str) for s in ids):
            self.error(f"{where}: 'replaces' must be a list of value ids (strings)", line)
            return ()
        bad = [s for s in ids if not _ID_RE.fullmatch(s)]
        for s in bad:
            self.error(
                f"{where}: 'replaces' holds {s!r}, not an id (ascii snake_case: a-z, 0-9, _)",
                line,
            )
        twice = sorted({s for s in ids if ids.count(s) > 1})
        for s in twice:
            self.error(f"{where}: 'replaces' lists {s!r} more than once", line)
        return () if bad or twice else tuple(ids)

    def check_replaces(
        self, i: int, part: str, values: tuple[Value, ...], where: str, at: Callable
    ) -> None:
        """A replaced id is gone from the list, and only one value replaces it."""
        present = {v.id for v in values}
        by: dict[str, str] = {}
        for j, v in enumerate(values):
            if not v.replaces:
                continue
            line = self.value_at(i, part, j, v.id, at)("replaces")
            for old in v.replaces:
                if old in present:
                    self.error(
                        f"{where} {part} {v.id!r}: replaces {old!r}, which is still a {part} "
                        "of this field (a replaced value must be gone)",
                        line,
                    )
                elif old in by:
                    self.error(
                        f"{where} {part} {v.id!r}: replaces {old!r}, which {part} "
                        f"{by[old]!r} already replaces (an old value merges into one value)",
                        line,
                    )
                else:
                    by[old] = v.id

    def check_keys(
        self,
        i: int,
        kind: str,
        part: str,
        values: tuple[Value, ...],
        where: str,
        at: Callable,
    ) -> None:
        owner: dict[str, str] = {}
        for j, (v, key) in enumerate(zip(values, _effective_keys(kind, part, values), strict=True)):
            if key is None:
                continue
            line = self.value_at(i, part, j, v.id, at)("key" if v.key else None)
            if v.key is not None and v.key in RESERVED_KEYS:
                what = RESERVED_BY.get(v.key)
                bound = f" ({what})" if what else ""
                self.error(
                    f"{where} {part} {v.id!r}: key {v.key!r} is reserved for a global "
                    f"binding{bound}",
                    line,
                )
                continue
            if key in owner:
                how = "" if v.key else " (its default digit)"
                self.error(
                    f"{where} {part} {v.id!r}: key {key!r}{how} is already used by "
                    f"{part} {owner[key]!r}",
                    line,
                )
                continue
            owner[key] = v.id

    def check_aliases(self, i: int, values: tuple[Value, ...], where: str) -> None:
        owner: dict[str, str] = {}
        for j, v in enumerate(values):
            table = self.loc.part(i, "value", j)
            line = table.at("aliases") if table else self.loc.find_id(v.id)
            mine: set[str] = set()
            for name in v.names:
                norm = _norm_alias(name)
                if norm in mine:
                    continue
                mine.add(norm)
                if norm in owner:
                    self.error(
                        f"{where} value {v.id!r}: alias {name!r} also names value {owner[norm]!r}",
                        line,
                    )
                else:
                    owner[norm] = v.id


# --------------------------------------------------------------------------
# Checking labels against a codebook
# --------------------------------------------------------------------------


def validate_labels(codebook: Codebook, labels: Mapping[str, Any]) -> list[str]:
    """Check one sentence's labels (the export's `labels` object) against `codebook`.

    Returns a list of messages, each naming the field and the bad value; an
    empty list means the labels are valid. A field that is absent (or None)
    is unset: partial labels are fine, even for required fields. An empty
    stance list is a real answer ("no stance"). Entity fields accept any
    non-empty string (the registry is open); ordinal fields accept the value
    id or the integer it spells (`"confidence": 2`).
    """
    if not isinstance(labels, Mapping):
        return [f"labels must be an object, not {_type_name(labels)}"]
    errors: list[str] = []
    known = {f.id: f for f in codebook.fields}
    for name, value in labels.items():
        field = known.get(name)
        if field is None:
            hint = _suggest(str(name), tuple(known))
            errors.append(f"unknown field {name!r}{hint}")
            continue
        if value is None:
            continue
        errors.extend(f"field {name!r}: {m}" for m in _check_value(field, value))
    return errors


def with_defaults(codebook: Codebook, labels: Mapping[str, Any]) -> dict[str, Any]:
    """A `labeled` answer as the labeling screen commits it: a stance field
    left untouched is the empty set, "no stance" (a real answer, not unset)."""
    filled = dict(labels)
    for f in codebook.fields:
        if f.kind == "stance" and filled.get(f.id) is None:
            filled[f.id] = []
    return filled


def missing_required(codebook: Codebook, labels: Mapping[str, Any]) -> list[str]:
    """Ids of the fields marked `required = true` that `labels` leaves unset
    (absent or None), in screen order. A stance field at its default ("no
    stance") is set. A label with any of these is not done: only a draft."""
    filled = with_defaults(codebook, labels)
    return [f.id for f in codebook.fields if f.required and filled.get(f.id) is None]


def _check_value(field: Field, value: Any) -> list[str]:
    kind = field.kind
    if kind == "text":
        return [] if isinstance(value, str) else [f"expected text, not {_type_name(value)}"]
    if kind == "entity":
        if not isinstance(value, str):
            return [f"expected an entity id or name, not {_type_name(value)}"]
        return [] if value.strip() else ["empty name: expected an entity id or name"]
    if kind == "single":
        if not isinstance(value, str):
            return [f"expected one value id, not {_type_name(value)} {value!r}"]
        return [] if value in field.value_ids else [_not_in(value, "value", field.value_ids)]
    if kind == "ordinal":
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            return [f"expected one value id, not {_type_name(value)} {value!r}"]
        return [] if value in field.value_ids else [_not_in(value, "value", field.value_ids)]
    if kind == "multi":
        if not isinstance(value, list):
            return [f"expected a list of value ids, not {_type_name(value)}"]
        errors = []
        for v in value:
            if not isinstance(v, str):
                errors.append(f"expected a value id, not {_type_name(v)} {v!r}")
            elif v not in field.value_ids:
                errors.append(_not_in(v, "value", field.value_ids))
        dupes = sorted({v for v in value if isinstance(v, str) and value.count(v) > 1})
        errors.extend(f"value {v!r} given more than once" for v in dupes)
        return errors
    if kind == "stance":
        return _check_stance(field, value)
    return [f"unknown kind {kind!r}"]


def _check_stance(field: Field, value: Any) -> list[str]:
    if not isinstance(value, list):
        return [f"expected a list of {{target, polarity}} pairs, not {_type_name(value)}"]
    errors: list[str] = []
    seen: set[tuple[str, str]] = set()
    for n, pair in enumerate(value, start=1):
        if not isinstance(pair, Mapping):
            errors.append(f"pair #{n}: expected {{target, polarity}}, not {_type_name(pair)}")
            continue
        extra = sorted(set(pair) - {"target", "polarity"})
        if extra:
            errors.append(f"pair #{n}: unknown key(s) {', '.join(map(repr, extra))}")
        ok = True
        for part, allowed in (("target", field.target_ids), ("polarity", field.polarity_ids)):
            v = pair.get(part)
            if v is None:
                errors.append(f"pair #{n}: missing {part!r}")
                ok = False
            elif not isinstance(v, str):
                errors.append(f"pair #{n}: {part} must be a string, not {_type_name(v)}")
                ok = False
            elif v not in allowed:
                errors.append(f"pair #{n}: {_not_in(v, part, allowed)}")
                ok = False
        if ok:
            key = (pair["target"], pair["polarity"])
            if key in seen:
                errors.append(f"pair #{n}: {key[0]}:{key[1]} given more than once")
            seen.add(key)
    return errors


def _not_in(value: str, part: str, allowed: tuple[str, ...]) -> str:
    return f"unknown {part} {value!r}{_suggest(value, allowed)}"
