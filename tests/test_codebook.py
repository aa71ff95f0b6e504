"""Tests for workbench/codebook.py and the Hasakah codebook in labels/."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from workbench.codebook import (
    Codebook,
    Field,
    Value,
    load_codebook,
    parse_codebook,
    validate_labels,
)
from workbench.errors import InputErrors

ROOT = Path(__file__).resolve().parents[1]
HASAKAH = ROOT / "labels" / "hasakah.toml"
CORPUS = ROOT / "corpus" / "hasakah-2022"


@pytest.fixture(scope="module")
def cb() -> Codebook:
    return load_codebook(HASAKAH)


@pytest.fixture(scope="module")
def corpus_texts() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))]
    assert len(texts) == 5
    return texts


def all_entries(field: Field) -> tuple[Value, ...]:
    return field.values + field.targets + field.polarities


# --------------------------------------------------------------------------
# The real codebook
# --------------------------------------------------------------------------


def test_header(cb: Codebook) -> None:
    assert cb.name == "hasakah-stance"
    assert cb.version == "1.1.0"
    assert cb.language == "ar"
    assert cb.description
    assert cb.path == str(HASAKAH)
    source = HASAKAH.read_text(encoding="utf-8")
    assert cb.source == source
    assert cb.content_hash == hashlib.sha256(source.encode("utf-8")).hexdigest()


def test_adjudicated_fields_leave_out_confidence_and_note(cb: Codebook) -> None:
    assert [f.id for f in cb.fields if f.adjudicate] == ["speaker", "stance", "claim_type"]


def test_fields_in_screen_order(cb: Codebook) -> None:
    assert [(f.id, f.kind) for f in cb.fields] == [
        ("speaker", "entity"),
        ("stance", "stance"),
        ("claim_type", "single"),
        ("confidence", "ordinal"),
        ("note", "text"),
    ]
    assert [f.required for f in cb.fields] == [True, True, True, False, False]


def test_stance_targets_and_polarities(cb: Codebook) -> None:
    stance = cb.field("stance")
    assert stance.target_ids == (
        "turkey",
        "un",
        "global_coalition",
        "international_community",
        "sdf",
        "autonomous_administration",
        "isis",
        "iraq",
        "usa",
        "uk",
        "prison_staff",
    )
    assert stance.polarity_ids == ("blame", "praise", "support", "demand", "deny")
    assert stance.values == ()
    for part, n in (("target", 11), ("polarity", 5)):
        keys = stance.keys(part)
        assert len(keys) == n, f"every {part} needs its own key"
        assert all(len(k) == 1 and k.isalpha() for k in keys)
    cats = stance.categories()
    assert len(cats) == 55 == len(set(cats))
    assert cats[0] == "turkey:blame"
    assert "prison_staff:deny" in cats
    with pytest.raises(ValueError, match="keys\\('target'\\)"):
        stance.keys()


def test_claim_types_take_digits(cb: Codebook) -> None:
    claim = cb.field("claim_type")
    assert claim.value_ids == (
        "casualty_figure",
        "military_operation",
        "attribution",
        "call_to_action",
        "humanitarian",
        "threat_assessment",
        "denial",
        "background",
        "not_a_claim",
    )
    assert claim.keys() == {str(i + 1): v for i, v in enumerate(claim.value_ids)}
    assert claim.categories() == claim.value_ids


def test_confidence_and_note(cb: Codebook) -> None:
    assert cb.field("confidence").value_ids == ("1", "2", "3")
    note = cb.field("note")
    assert note.values == () and note.categories() == ()


def test_every_entry_documented(cb: Codebook) -> None:
    for field in cb.fields:
        assert field.label and field.label_ar and field.help and field.example, field.id
        for v in all_entries(field):
            assert v.label and v.label_ar and v.help, f"{field.id}.{v.id}"
    # Only targets the sample never takes a stance toward go without an example.
    missing = {(f.id, v.id) for f in cb.fields for v in all_entries(f) if not v.example}
    assert missing == {("stance", "usa"), ("stance", "uk")}


def test_examples_are_verbatim_from_corpus(cb: Codebook, corpus_texts: list[str]) -> None:
    examples = [(f.id, f.example) for f in cb.fields]
    examples += [(f"{f.id}.{v.id}", v.example) for f in cb.fields for v in all_entries(f)]
    not_found = [
        (where, ex) for where, ex in examples if ex and not any(ex in t for t in corpus_texts)
    ]
    assert not_found == []
    assert all(any("\u0600" <= ch <= "\u06ff" for ch in ex) for _, ex in examples if ex)


def test_speaker_seeds_cover_design_voices(cb: Codebook) -> None:
    speaker = cb.field("speaker")
    owner = {name: v.id for v in speaker.values for name in v.names}
    expected = {
        "قوات سوريا الديمقراطية": "sdf",
        "قسد": "sdf",
        "المركز الإعلامي": "sdf",
        "قوى الأمن الداخلي": "asayish",
        "الآسايش": "asayish",
        "الإدارة الذاتية": "autonomous_administration",
        "هيئة الداخلية": "autonomous_administration",
        "علي حجو": "autonomous_administration",
        "التحالف الدولي": "global_coalition",
        "جون برينان": "global_coalition",
        "قوة المهام المشتركة للعمليات الخاصة": "sojtf_levant",
        "اسحق بيلتير": "sojtf_levant",
        "وزارة الخارجية والتنمية البريطانية": "uk_fcdo",
        "جاك سوليفان": "us_national_security_adviser",
        "داعش": "isis",
        "مصدر أمني": "security_source",
    }
    assert {name: owner.get(name) for name in expected} == expected
    assert "outlet" in speaker.value_ids
    assert speaker.keys() == {}


def test_field_lookup(cb: Codebook) -> None:
    assert cb.field("note").kind == "text"
    with pytest.raises(KeyError, match=r"no field 'claim'.*claim_type"):
        cb.field("claim")
    with pytest.raises(KeyError, match="no target 'france'"):
        cb.field("stance").value("france", "target")
    assert cb.field("stance").value("un", "target").label == "UN"


def test_parse_matches_load(cb: Codebook) -> None:
    again = parse_codebook(HASAKAH.read_text(encoding="utf-8"), HASAKAH)
    assert again == cb


def test_core_module_does_not_import_textual() -> None:
    code = "import sys, workbench.codebook; sys.exit('textual' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0


# --------------------------------------------------------------------------
# Broken codebooks: every problem located by file and line
# --------------------------------------------------------------------------

HEAD = """\
[codebook]
name = "t"
version = "1"
"""  # lines 1-3; cases start at line 4


def claim_values(n: int) -> str:
    return "".join(f'[[field.value]]\nid = "v{i}"\nlabel = "V{i}"\n' for i in range(1, n + 1))


BROKEN: dict[str, tuple[str, list[tuple[int | None, str]]]] = {
    "toml syntax": (
        HEAD + "[[field]]\nid = = 3\n",
        [(5, "TOML syntax error: Invalid value")],
    ),
    "unterminated string": (
        HEAD + '[[field]]\nid = "x\n',
        [(5, "TOML syntax error: ")],
    ),
    "no codebook table": (
        '[[field]]\nid = "n"\nkind = "text"\nlabel = "N"\n',
        [(1, "missing [codebook] table (with at least name and version)")],
    ),
    "no name or version": (
        '[codebook]\ndescription = "d"\n[[field]]\nid = "n"\nkind = "text"\nlabel = "N"\n',
        [
            (1, "[codebook]: missing required attribute 'name'"),
            (1, "[codebook]: missing required attribute 'version'"),
        ],
    ),
    "no fields": (HEAD, [(None, "no fields: add at least one [[field]] table")]),
    "duplicate field": (
        HEAD + '[[field]]\nid = "n"\nkind = "text"\nlabel = "N"\n'
        '[[field]]\nid = "n"\nkind = "text"\nlabel = "N2"\n',
        [(9, "field 'n': duplicate id (first defined at line 5)")],
    ),
    "duplicate value": (
        HEAD + '[[field]]\nid = "claim_type"\nkind = "single"\nlabel = "C"\n'
        '[[field.value]]\nid = "denial"\nlabel = "D"\n'
        '[[field.value]]\nid = "denial"\nlabel = "D2"\n',
        [(12, "field 'claim_type' value 'denial': duplicate id (first defined at line 9)")],
    ),
    "unknown kind": (
        HEAD + '[[field]]\nid = "c"\nkind = "choice"\nlabel = "C"\n',
        [
            (
                6,
                "field 'c': unknown kind 'choice' (expected one of single, multi, "
                "stance, entity, ordinal, text)",
            )
        ],
    ),
    "empty single": (
        HEAD + '[[field]]\nid = "c"\nkind = "single"\nlabel = "C"\n',
        [(4, "field 'c': a single field needs at least one [[field.value]]")],
    ),
    "stance without polarities": (
        HEAD + '[[field]]\nid = "s"\nkind = "stance"\nlabel = "S"\n'
        '[[field.target]]\nid = "un"\nlabel = "UN"\nkey = "n"\n',
        [(4, "field 's': a stance field needs at least one [[field.polarity]]")],
    ),
    "values on a stance field": (
        HEAD + '[[field]]\nid = "s"\nkind = "stance"\nlabel = "S"\n'
        '[[field.target]]\nid = "un"\nlabel = "UN"\n'
        '[[field.polarity]]\nid = "blame"\nlabel = "Blame"\n'
        '[[field.value]]\nid = "x"\nlabel = "X"\n',
        [(14, "field 's': [[field.value]] is not allowed on a stance field")],
    ),
    "entity without seeds is fine, text with values is not": (
        HEAD + '[[field]]\nid = "who"\nkind = "entity"\nlabel = "W"\n'
        '[[field]]\nid = "n"\nkind = "text"\nlabel = "N"\n'
        '[[field.value]]\nid = "x"\nlabel = "X"\n',
        [(12, "field 'n': [[field.value]] is not allowed on a text field")],
    ),
    "target key collision": (
        HEAD + '[[field]]\nid = "s"\nkind = "stance"\nlabel = "S"\n'
        '[[field.target]]\nid = "turkey"\nlabel = "T"\nkey = "t"\n'
        '[[field.target]]\nid = "tunisia"\nlabel = "Tn"\nkey = "t"\n'
        '[[field.polarity]]\nid = "blame"\nlabel = "B"\nkey = "t"\n',
        [(15, "field 's' target 'tunisia': key 't' is already used by target 'turkey'")],
    ),
    "explicit key collides with a default digit": (
        HEAD
        + '[[field]]\nid = "c"\nkind = "single"\nlabel = "C"\n'
        + claim_values(2)
        + '[[field.value]]\nid = "v3"\nlabel = "V3"\nkey = "1"\n',
        [(17, "field 'c' value 'v3': key '1' is already used by value 'v1'")],
    ),
    "reserved keys": (
        HEAD + '[[field]]\nid = "c"\nkind = "multi"\nlabel = "C"\n'
        '[[field.value]]\nid = "a"\nlabel = "A"\nkey = "q"\n'
        '[[field.value]]\nid = "b"\nlabel = "B"\nkey = "ctrl+z"\n',
        [
            (11, "field 'c' value 'a': key 'q' is reserved for a global binding (Quit)"),
            (15, "field 'c' value 'b': key 'ctrl+z' is reserved for a global binding (Undo)"),
        ],
    ),
    "bad key name": (
        HEAD + '[[field]]\nid = "c"\nkind = "multi"\nlabel = "C"\n'
        '[[field.value]]\nid = "a"\nlabel = "A"\nkey = "a,b"\n',
        [
            (
                11,
                "field 'c' value 'a': key 'a,b' is not a single key name "
                "(one character, or a name like 'f5' or 'ctrl+k')",
            )
        ],
    ),
    "ten single values without keys": (
        HEAD + '[[field]]\nid = "c"\nkind = "single"\nlabel = "C"\n' + claim_values(10),
        [
            (
                35,
                "field 'c' value 'v10': no key, and a single field's default digit keys 1-9 "
                "only cover its first 9 values (it has 10): set `key`",
            )
        ],
    ),
    "missing id and label": (
        HEAD + '[[field]]\nkind = "single"\nlabel = "C"\n'
        '[[field.value]]\nlabel = "A"\n'
        '[[field]]\nid = "n"\nkind = "text"\n',
        [
            (4, "field #1: missing required attribute 'id'"),
            (7, "field #1 value #1: missing required attribute 'id'"),
            (9, "field 'n': missing required attribute 'label'"),
        ],
    ),
    "wrong types": (
        HEAD + '[[field]]\nid = "who"\nkind = "entity"\nlabel = 3\nrequired = "yes"\n'
        '[[field.value]]\nid = "a"\nlabel = "A"\naliases = "A"\n'
        '[[field.value]]\nid = "b"\nlabel = "B"\naliases = ["x", 2]\n',
        [
            (7, "field 'who': 'label' must be a string, not an integer"),
            (8, "field 'who': 'required' must be true or false, not a string"),
            (12, "field 'who' value 'a': 'aliases' must be a list of strings"),
            (16, "field 'who' value 'b': 'aliases' must be a list of strings"),
        ],
    ),
    "adjudicate on a text field, and not a bool": (
        HEAD + '[[field]]\nid = "n"\nkind = "text"\nlabel = "N"\nadjudicate = true\n'
        '[[field]]\nid = "c"\nkind = "single"\nlabel = "C"\nadjudicate = 1\n'
        '[[field.value]]\nid = "a"\nlabel = "A"\n',
        [
            (8, "field 'n': a text field cannot be adjudicated"),
            (13, "field 'c': 'adjudicate' must be true or false, not an integer"),
        ],
    ),
    "aliases on a non-entity field": (
        HEAD + '[[field]]\nid = "c"\nkind = "single"\nlabel = "C"\n'
        '[[field.value]]\nid = "a"\nlabel = "A"\naliases = ["x"]\n',
        [(11, "field 'c' value 'a': 'aliases' is only allowed on entity fields")],
    ),
    "duplicate alias across entities": (
        HEAD + '[[field]]\nid = "who"\nkind = "entity"\nlabel = "W"\n'
        '[[field.value]]\nid = "sdf"\nlabel = "SDF"\naliases = ["قسد", "Syrian  Democratic Forces"]\n'
        '[[field.value]]\nid = "other"\nlabel = "Other"\n'
        'aliases = [" قسد", "syrian democratic forces", "sdf"]\n',
        [
            (15, "field 'who' value 'other': alias ' قسد' also names value 'sdf'"),
            (
                15,
                "field 'who' value 'other': alias 'syrian democratic forces' "
                "also names value 'sdf'",
            ),
            (15, "field 'who' value 'other': alias 'sdf' also names value 'sdf'"),
        ],
    ),
    "unknown attributes": (
        HEAD + 'nmae = "t"\n[[field]]\nid = "c"\nkind = "text"\nlable = "C"\nlabel = "C"\n'
        '[[feild]]\nid = "x"\n',
        [
            (4, "[codebook]: unknown attribute 'nmae' (did you mean 'name'?)"),
            (8, "field 'c': unknown attribute 'lable' (did you mean 'label'?)"),
            (10, "unknown top-level table 'feild' (did you mean 'field'?)"),
        ],
    ),
    "bad ids": (
        HEAD + '[[field]]\nid = "Claim-Type"\nkind = "single"\nlabel = "C"\n'
        '[[field.value]]\nid = "نفي"\nlabel = "Denial"\n',
        [
            (5, "field 'Claim-Type': id must be ascii snake_case (a-z, 0-9, _)"),
            (9, "field 'Claim-Type' value 'نفي': id must be ascii snake_case (a-z, 0-9, _)"),
        ],
    ),
    "replaces not a list of ids": (
        HEAD + '[[field]]\nid = "c"\nkind = "multi"\nlabel = "C"\n'
        '[[field.value]]\nid = "a"\nlabel = "A"\nreplaces = "old"\n'
        '[[field.value]]\nid = "b"\nlabel = "B"\nreplaces = ["Old-One", 3]\n'
        '[[field.value]]\nid = "d"\nlabel = "D"\nreplaces = ["Old-One", "x y"]\n',
        [
            (11, "field 'c' value 'a': 'replaces' must be a list of value ids (strings)"),
            (15, "field 'c' value 'b': 'replaces' must be a list of value ids (strings)"),
            (
                19,
                "field 'c' value 'd': 'replaces' holds 'Old-One', not an id "
                "(ascii snake_case: a-z, 0-9, _)",
            ),
            (
                19,
                "field 'c' value 'd': 'replaces' holds 'x y', not an id "
                "(ascii snake_case: a-z, 0-9, _)",
            ),
        ],
    ),
    "replaces an id still in the list, or twice": (
        HEAD + '[[field]]\nid = "c"\nkind = "single"\nlabel = "C"\n'
        '[[field.value]]\nid = "a"\nlabel = "A"\nreplaces = ["b", "a"]\n'
        '[[field.value]]\nid = "b"\nlabel = "B"\nreplaces = ["gone", "gone"]\n'
        '[[field.value]]\nid = "d"\nlabel = "D"\nreplaces = ["old"]\n'
        '[[field.value]]\nid = "e"\nlabel = "E"\nreplaces = ["old"]\n',
        [
            (
                11,
                "field 'c' value 'a': replaces 'b', which is still a value of this field "
                "(a replaced value must be gone)",
            ),
            (
                11,
                "field 'c' value 'a': replaces 'a', which is still a value of this field "
                "(a replaced value must be gone)",
            ),
            (15, "field 'c' value 'b': 'replaces' lists 'gone' more than once"),
            (
                23,
                "field 'c' value 'e': replaces 'old', which value 'd' already replaces "
                "(an old value merges into one value)",
            ),
        ],
    ),
    "replaces on stance entries: one list at a time": (
        HEAD + '[[field]]\nid = "s"\nkind = "stance"\nlabel = "S"\n'
        '[[field.target]]\nid = "un"\nlabel = "UN"\nreplaces = ["blame"]\n'
        '[[field.target]]\nid = "iraq"\nlabel = "Iraq"\nreplaces = ["un"]\n'
        '[[field.polarity]]\nid = "blame"\nlabel = "Blame"\nreplaces = ["accuse"]\n'
        '[[field.polarity]]\nid = "deny"\nlabel = "Deny"\nreplaces = ["accuse"]\n',
        [
            (
                15,
                "field 's' target 'iraq': replaces 'un', which is still a target of this "
                "field (a replaced value must be gone)",
            ),
            (
                23,
                "field 's' polarity 'deny': replaces 'accuse', which polarity 'blame' "
                "already replaces (an old value merges into one value)",
            ),
        ],
    ),
    "inline value tables fall back to searching the id": (
        HEAD + '[[field]]\nid = "c"\nkind = "single"\nlabel = "C"\n'
        'value = [\n  { id = "a", label = "A" },\n  { id = "b", label = 2 },\n]\n',
        [(10, "field 'c' value 'b': 'label' must be a string, not an integer")],
    ),
}


@pytest.mark.parametrize("case", list(BROKEN), ids=list(BROKEN))
def test_broken_codebook(case: str, tmp_path: Path) -> None:
    text, expected = BROKEN[case]
    path = tmp_path / "broken.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputErrors) as info:
        load_codebook(path)
    got = [(e.line, e.message) for e in info.value.errors]
    if case.startswith(("toml syntax", "unterminated")):
        # tomllib's wording may change between Python versions; the line must not
        assert [line for line, _ in got] == [line for line, _ in expected]
        assert got[0][1].startswith(expected[0][1])
    else:
        assert got == expected
    assert all(e.path == str(path) for e in info.value.errors)
    first = info.value.errors[0]
    where = f"{path}:{first.line}" if first.line is not None else str(path)
    assert str(first) == f"{where}: {first.message}"


MANY_PROBLEMS = """\
# a codebook with one of everything wrong
[codebook]
name = "x"
versoin = "1"

[[field]]
id = "claim_type"
kind = "single"
lable = "Claim type"
help = \"\"\"
[[field]]  <- inside a string, not a header
\"\"\"

[[field.value]]
id = "denial"
label = "Denial"
key = "q"

[[field.value]]
id = "denial"
label = "Denial again"

[[field]]
id = "stance"
kind = "stance"
label = "Stance"

[[field.target]]
id = "turkey"
label = "Turkey"
key = "t"

[[field.target]]
id = "tunisia"
label = "Tunisia"
key = "t"

[[field]]
id = "speaker"
kind = "entity"
label = "Speaker"

[[field.value]]
id = "sdf"
label = "SDF"
aliases = ["قسد"]

[[field.value]]
id = "sdf_media"
label = "SDF media centre"
aliases = ["قسد"]

[[field]]
id = "mood"
kind = "feeling"
label = "Mood"
"""


def test_reports_every_problem_at_once(tmp_path: Path) -> None:
    path = tmp_path / "labels" / "x.toml"
    path.parent.mkdir()
    path.write_text(MANY_PROBLEMS, encoding="utf-8")
    with pytest.raises(InputErrors) as info:
        load_codebook(path)
    p = str(path)
    assert [str(e) for e in info.value.errors] == [
        f"{p}:2: [codebook]: missing required attribute 'version'",
        f"{p}:4: [codebook]: unknown attribute 'versoin' (did you mean 'version'?)",
        f"{p}:6: field 'claim_type': missing required attribute 'label'",
        f"{p}:9: field 'claim_type': unknown attribute 'lable' (did you mean 'label'?)",
        f"{p}:17: field 'claim_type' value 'denial': key 'q' is reserved for a global "
        "binding (Quit)",
        f"{p}:20: field 'claim_type' value 'denial': duplicate id (first defined at line 15)",
        f"{p}:23: field 'stance': a stance field needs at least one [[field.polarity]]",
        f"{p}:36: field 'stance' target 'tunisia': key 't' is already used by target 'turkey'",
        f"{p}:51: field 'speaker' value 'sdf_media': alias 'قسد' also names value 'sdf'",
        f"{p}:55: field 'mood': unknown kind 'feeling' (expected one of single, multi, "
        "stance, entity, ordinal, text)",
    ]
    # The exception itself reads as all of them, so the CLI can print it as is.
    assert str(info.value).count(p) == 10


def test_unreadable_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    with pytest.raises(InputErrors) as info:
        load_codebook(missing)
    assert info.value.errors[0].path == str(missing)
    assert "cannot read codebook" in info.value.errors[0].message


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin.toml"
    path.write_bytes(b'[codebook]\nname = "caf\xe9"\n')
    with pytest.raises(InputErrors) as info:
        load_codebook(path)
    assert (info.value.errors[0].line, info.value.errors[0].message) == (
        2,
        "codebook is not valid UTF-8",
    )


def test_minimal_codebook_and_explicit_keys(tmp_path: Path) -> None:
    text = textwrap.dedent(
        """\
        [codebook]
        name = "mini"
        version = "0.1"
        [[field]]
        id = "kind"
        kind = "single"
        label = "Kind"
        [[field.value]]
        id = "a"
        label = "A"
        [[field.value]]
        id = "b"
        label = "B"
        key = "z"
        [[field.value]]
        id = "c"
        label = "C"
        [[field]]
        id = "who"
        kind = "entity"
        label = "Who"
        """
    )
    mini = parse_codebook(text, "mini.toml")
    assert mini.field("kind").keys() == {"1": "a", "z": "b", "3": "c"}
    assert mini.field("who").values == () and mini.field("who").categories() == ()
    assert mini.description == "" and mini.language == ""
    assert mini.content_hash != load_codebook(HASAKAH).content_hash


def test_replaces_names_merged_values_of_an_earlier_version() -> None:
    text = HEAD + textwrap.dedent(
        """\
        [[field]]
        id = "claim_type"
        kind = "single"
        label = "Claim type"
        [[field.value]]
        id = "figure"
        label = "Casualty or figure"
        replaces = ["casualty", "count"]
        [[field.value]]
        id = "denial"
        label = "Denial"
        replaces = []
        [[field]]
        id = "stance"
        kind = "stance"
        label = "Stance"
        [[field.target]]
        id = "coalition"
        label = "Coalition"
        key = "c"
        replaces = ["usa"]
        [[field.polarity]]
        id = "blame"
        label = "Blame"
        key = "b"
        replaces = ["accuse"]
        """
    )
    book = parse_codebook(text, "r.toml")
    claim = book.field("claim_type")
    assert claim.value("figure").replaces == ("casualty", "count")
    assert claim.value("denial").replaces == ()
    assert book.field("stance").value("coalition", "target").replaces == ("usa",)
    assert book.field("stance").value("blame", "polarity").replaces == ("accuse",)
    # Merged ids are history, not values: labels may not use them.
    assert validate_labels(book, {"claim_type": "casualty"}) == [
        "field 'claim_type': unknown value 'casualty'"
    ]
    assert book.source == text
    assert book.content_hash == hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_hasakah_codebook_replaces_nothing(cb: Codebook) -> None:
    assert not any(v.replaces for f in cb.fields for v in all_entries(f))


# --------------------------------------------------------------------------
# validate_labels
# --------------------------------------------------------------------------

GOOD_LABELS = [
    {
        "speaker": "autonomous_administration",
        "stance": [
            {"target": "un", "polarity": "blame"},
            {"target": "global_coalition", "polarity": "blame"},
        ],
        "claim_type": "attribution",
        "confidence": 3,
        "note": "",
    },
    {"speaker": "مراسل جديد", "stance": [], "claim_type": "not_a_claim"},  # new entity
    {"confidence": "2"},
    {"stance": None, "note": "ملاحظة"},
    {},
]


@pytest.mark.parametrize("labels", GOOD_LABELS)
def test_validate_good_labels(cb: Codebook, labels: dict) -> None:
    assert validate_labels(cb, labels) == []


BAD_LABELS = [
    (
        {"claim_type": "denail"},
        ["field 'claim_type': unknown value 'denail' (did you mean 'denial'?)"],
    ),
    (
        {"claim_type": ["denial"]},
        ["field 'claim_type': expected one value id, not a list ['denial']"],
    ),
    ({"claim_type": ""}, ["field 'claim_type': unknown value ''"]),
    ({"claim": "denial"}, ["unknown field 'claim' (did you mean 'claim_type'?)"]),
    ({"stance_x": []}, ["unknown field 'stance_x' (did you mean 'stance'?)"]),
    ({"foo": 1}, ["unknown field 'foo'"]),
    ({"speaker": "  "}, ["field 'speaker': empty name: expected an entity id or name"]),
    ({"speaker": 7}, ["field 'speaker': expected an entity id or name, not an integer"]),
    ({"confidence": 4}, ["field 'confidence': unknown value '4'"]),
    ({"confidence": True}, ["field 'confidence': expected one value id, not a boolean True"]),
    ({"note": 5}, ["field 'note': expected text, not an integer"]),
    (
        {"stance": {"target": "un", "polarity": "blame"}},
        ["field 'stance': expected a list of {target, polarity} pairs, not a table"],
    ),
    (
        {
            "stance": [
                {"target": "france", "polarity": "blame"},
                {"target": "un", "polarity": "hate"},
                {"target": "un"},
                "un:blame",
                {"target": "un", "polarity": "blame", "weight": 1},
                {"target": "un", "polarity": "blame"},
            ]
        },
        [
            "field 'stance': pair #1: unknown target 'france'",
            "field 'stance': pair #2: unknown polarity 'hate'",
            "field 'stance': pair #3: missing 'polarity'",
            "field 'stance': pair #4: expected {target, polarity}, not a string",
            "field 'stance': pair #5: unknown key(s) 'weight'",
            "field 'stance': pair #6: un:blame given more than once",
        ],
    ),
    ("not a dict", ["labels must be an object, not a string"]),
]


@pytest.mark.parametrize(("labels", "expected"), BAD_LABELS)
def test_validate_bad_labels(cb: Codebook, labels: object, expected: list[str]) -> None:
    assert validate_labels(cb, labels) == expected  # type: ignore[arg-type]


def test_validate_multi_field(tmp_path: Path) -> None:
    text = (
        '[codebook]\nname = "m"\nversion = "1"\n'
        '[[field]]\nid = "topics"\nkind = "multi"\nlabel = "Topics"\n'
        '[[field.value]]\nid = "war"\nlabel = "War"\n'
        '[[field.value]]\nid = "aid"\nlabel = "Aid"\n'
    )
    m = parse_codebook(text, "m.toml")
    assert validate_labels(m, {"topics": []}) == []
    assert validate_labels(m, {"topics": ["war", "aid"]}) == []
    assert validate_labels(m, {"topics": ["war", "peace", "war", 3]}) == [
        "field 'topics': unknown value 'peace'",
        "field 'topics': expected a value id, not an integer 3",
        "field 'topics': value 'war' given more than once",
    ]
    assert validate_labels(m, {"topics": "war"}) == [
        "field 'topics': expected a list of value ids, not a string"
    ]


def test_keys_live_together_on_the_screen_must_differ(tmp_path: Path) -> None:
    text = HASAKAH.read_text(encoding="utf-8")
    at = text.index('id = "casualty_figure"')
    broken = tmp_path / "cross.toml"
    broken.write_text(text[:at] + 'key = "t"\n' + text[at:], encoding="utf-8")
    with pytest.raises(InputErrors) as exc:
        load_codebook(broken)
    (error,) = exc.value.errors
    assert error.line == text[:at].count("\n") + 2  # the value's id line
    assert "'claim_type' value 'casualty_figure': key 't'" in error.message
    assert "field 'stance' target 'turkey'" in error.message


def test_two_single_fields_cannot_both_default_to_digits(tmp_path: Path) -> None:
    body = "\n".join(
        f'[[field]]\nid = "{f}"\nkind = "single"\nlabel = "{f}"\n'
        f'[[field.value]]\nid = "a"\nlabel = "A"\n'
        for f in ("first", "second")
    )
    path = tmp_path / "two.toml"
    path.write_text(f'[codebook]\nname = "x"\nversion = "1"\n{body}', encoding="utf-8")
    with pytest.raises(InputErrors, match="key '1' is also the key of field 'first'"):
        load_codebook(path)


def test_screen_keys_of_the_hasakah_codebook() -> None:
    keys = load_codebook(HASAKAH).screen_keys()
    assert keys["7"] == ("claim_type", "value", "denial")
    assert keys["t"] == ("stance", "target", "turkey")
    assert keys["!"] == ("confidence", "value", "1")
    assert "b" not in keys  # polarity keys act only after a target key
