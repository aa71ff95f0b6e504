"""Tests for workbench/codebook_diff.py and `workbench codebook diff`.

Every pair is the real Hasakah codebook and a copy edited as text, so the
edits are the ones a codebook author makes.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_cli import cli
from workbench.codebook import Codebook, load_codebook, parse_codebook
from workbench.codebook_diff import (
    CHANGE_KINDS,
    SEMANTIC_KINDS,
    Change,
    diff_codebooks,
    diff_json,
    diff_text,
    semantic_fields,
)

ROOT = Path(__file__).resolve().parents[1]
HASAKAH = ROOT / "labels" / "hasakah.toml"
BASE = HASAKAH.read_text(encoding="utf-8")
FIELDS = ("speaker", "stance", "claim_type", "confidence", "note")
OLD = load_codebook(HASAKAH)
SDF_ALIASES = OLD.field("speaker").value("sdf").aliases
CLAIM_HELP = OLD.field("claim_type").help
CLAIMS = OLD.field("claim_type").value_ids  # the nine claim types, digits 1-9


@pytest.fixture
def old() -> Codebook:
    return OLD


def edit(text: str, *edits: tuple[str, str]) -> str:
    """`text` with each (old, new) applied; each `old` must occur exactly once."""
    for before, after in edits:
        assert text.count(before) == 1, f"not exactly once in the codebook: {before!r}"
        text = text.replace(before, after)
    return text


def edited(*edits: tuple[str, str]) -> Codebook:
    return parse_codebook(edit(BASE, *edits), "new.toml")


def block(text: str, start: str, end: str) -> str:
    """The slice of `text` from the line `start` up to (not including) `end`."""
    i = text.index(start)
    return text[i : text.index(end, i + len(start))]


def value_block(vid: str) -> str:
    """The `[[field.*]]` table of the value with id `vid` (first one in the file)."""
    i = BASE.index(f'id = "{vid}"\n')
    start = BASE.rindex("\n[[field.", 0, i) + 1
    end = BASE.index("\n[", i) + 1
    return BASE[start:end]


def claim_block(vid: str) -> str:
    start = BASE.index('id = "claim_type"')
    i = BASE.index(f'id = "{vid}"\n', start)
    return BASE[BASE.rindex("\n[[field.value]]", 0, i) + 1 : BASE.index("\n[", i) + 1]


def swapped(a: str, b: str, text: str = BASE) -> str:
    """`text` with the (non-overlapping) pieces `a` and `b` traded."""
    assert text.count(a) == 1 and text.count(b) == 1
    return text.replace(a, "\0A\0").replace(b, a).replace("\0A\0", b)


def rows(changes: list[Change]) -> list[tuple]:
    return [(c.kind, c.semantic, c.field, c.part, c.value, c.old, c.new) for c in changes]


# --------------------------------------------------------------------------
# One edit, one change: every kind and its classification
# --------------------------------------------------------------------------

SINGLE_EDITS: dict[str, tuple[tuple[tuple[str, str], ...], tuple]] = {
    "codebook_name": (
        (('name = "hasakah-stance"', 'name = "hasakah"'),),
        ("codebook_name", False, None, None, None, "hasakah-stance", "hasakah"),
    ),
    "codebook_language": (
        (('language = "ar"', 'language = "ar-SY"'),),
        ("codebook_language", False, None, None, None, "ar", "ar-SY"),
    ),
    "field_help": (
        (("The main kind of claim", "The chief kind of claim"),),
        (
            "field_help",
            True,
            "claim_type",
            None,
            None,
            CLAIM_HELP,
            CLAIM_HELP.replace("The main", "The chief"),
        ),
    ),
    "field_example": (
        (('example = "المخصص لمعتقلي “داعش."', 'example = "شارك المقال على:"'),),
        ("field_example", True, "note", None, None, "المخصص لمعتقلي “داعش.", "شارك المقال على:"),
    ),
    "field_required": (
        (("required = false\nadjudicate = false", "required = true\nadjudicate = false"),),
        ("field_required", True, "confidence", None, None, False, True),
    ),
    "field_adjudicate": (
        (("adjudicate = false", "adjudicate = true"),),
        ("field_adjudicate", False, "confidence", None, None, False, True),
    ),
    "field_label": (
        (('label = "Claim type"', 'label = "Kind of claim"'),),
        ("field_label", False, "claim_type", None, None, "Claim type", "Kind of claim"),
    ),
    "field_label_ar": (
        (('label_ar = "نوع الادعاء"', 'label_ar = "نوع الزعم"'),),
        ("field_label_ar", False, "claim_type", None, None, "نوع الادعاء", "نوع الزعم"),
    ),
    "field_added": (
        ((BASE[-40:], BASE[-40:] + '\n[[field]]\nid = "topic"\nkind = "text"\nlabel = "Topic"\n'),),
        ("field_added", True, "topic", None, None, None, "Topic"),
    ),
    "field_removed": (
        ((BASE[BASE.index("# ═══ note") :], ""),),
        ("field_removed", True, "note", None, None, "Note", None),
    ),
    "value_added (stance polarity)": (
        (
            (
                'id = "deny"',
                'id = "threaten"\nlabel = "Threaten"\nkey = "h"\n\n[[field.polarity]]\nid = "deny"',
            ),
        ),
        ("value_added", True, "stance", "polarity", "threaten", None, "Threaten"),
    ),
    "value_removed (last claim type, no key moves)": (
        ((claim_block("not_a_claim"), ""),),
        (
            "value_removed",
            True,
            "claim_type",
            "value",
            "not_a_claim",
            "Not a claim (chrome, headline fragment)",
            None,
        ),
    ),
    "value_help": (
        (("Counts of dead, wounded", "Counts of the dead, the wounded"),),
        (
            "value_help",
            True,
            "claim_type",
            "value",
            "casualty_figure",
            "Counts of dead, wounded, captured, freed, fighters, weapons or days.",
            "Counts of the dead, the wounded, captured, freed, fighters, weapons or days.",
        ),
    ),
    "value_help (stance target)": (
        (("The United Nations and its agencies.", "The United Nations, its agencies and envoys."),),
        (
            "value_help",
            True,
            "stance",
            "target",
            "un",
            "The United Nations and its agencies.",
            "The United Nations, its agencies and envoys.",
        ),
    ),
    "value_example": (
        (
            (
                'example = "نفذت قواتنا عمليات مداهمة استهدفت أوكار الإرهابيين"',
                'example = "نفذت قواتنا عمليات مداهمة"',
            ),
        ),
        (
            "value_example",
            True,
            "claim_type",
            "value",
            "military_operation",
            "نفذت قواتنا عمليات مداهمة استهدفت أوكار الإرهابيين",
            "نفذت قواتنا عمليات مداهمة",
        ),
    ),
    "value_label": (
        (('label = "Casualty or figure"', 'label = "Casualties and figures"'),),
        (
            "value_label",
            False,
            "claim_type",
            "value",
            "casualty_figure",
            "Casualty or figure",
            "Casualties and figures",
        ),
    ),
    "value_label (stance polarity)": (
        (('label = "Deny"', 'label = "Denial"'),),
        ("value_label", False, "stance", "polarity", "deny", "Deny", "Denial"),
    ),
    "value_label_ar": (
        (('label_ar = "حصيلة أو رقم"', 'label_ar = "حصيلة"'),),
        (
            "value_label_ar",
            False,
            "claim_type",
            "value",
            "casualty_figure",
            "حصيلة أو رقم",
            "حصيلة",
        ),
    ),
    "value_key (explicit, stance target)": (
        (('key = "t"', 'key = "y"'),),
        ("value_key", False, "stance", "target", "turkey", "t", "y"),
    ),
    "value_aliases": (
        (('"قسد", "المركز الإعلامي",', '"قوات قسد", "المركز الإعلامي",'),),
        (
            "value_aliases",
            False,
            "speaker",
            "value",
            "sdf",
            SDF_ALIASES,
            tuple("قوات قسد" if a == "قسد" else a for a in SDF_ALIASES),
        ),
    ),
}


@pytest.mark.parametrize("case", list(SINGLE_EDITS))
def test_one_edit_one_change(old: Codebook, case: str) -> None:
    edits, expected = SINGLE_EDITS[case]
    assert rows(diff_codebooks(old, edited(*edits))) == [expected]


def test_every_kind_is_covered_and_classified() -> None:
    covered = {expected[0] for _, expected in SINGLE_EDITS.values()}
    covered |= {"codebook_description", "field_order", "field_kind", "field_scale"}
    covered |= {"value_merged", "value_order"}  # tested below
    assert covered == set(CHANGE_KINDS)
    assert set(SEMANTIC_KINDS) == {
        "field_added",
        "field_removed",
        "field_kind",
        "field_scale",
        "field_help",
        "field_example",
        "field_required",
        "value_added",
        "value_removed",
        "value_merged",
        "value_help",
        "value_example",
    }
    for _, expected in SINGLE_EDITS.values():
        assert expected[1] == (expected[0] in SEMANTIC_KINDS)


def test_no_changes(old: Codebook) -> None:
    assert diff_codebooks(old, old) == []
    # The version, comments and layout are not changes: only what the codebook says.
    new = edited(
        ('version = "1.1.0"', 'version = "1.2.0"'),
        ("# ═══ note ═", "# ═══ free-text note ═"),
        ('id = "note"\nkind = "text"', 'id = "note"\n\n\nkind   =   "text"'),
    )
    assert new.content_hash != old.content_hash
    assert diff_codebooks(old, new) == []
    assert diff_text(old, new, []) == "hasakah-stance 1.1.0 -> 1.2.0: no changes"
    assert semantic_fields([]) == set()


def test_description_change_is_cosmetic_and_not_spelled_out(old: Codebook) -> None:
    new = edited(("Per-sentence coding of who speaks", "Sentence-level coding of who speaks"))
    (change,) = diff_codebooks(old, new)
    assert (change.kind, change.semantic, change.field) == ("codebook_description", False, None)
    assert change.old == old.description and change.new == new.description
    assert change.describe() == "codebook description changed"


# --------------------------------------------------------------------------
# Orders, scales and keys
# --------------------------------------------------------------------------


def test_field_order_is_cosmetic(old: Codebook) -> None:
    confidence = block(BASE, "# ═══ confidence", "# ═══ note")
    note = BASE[BASE.index("# ═══ note") :]
    new = parse_codebook(BASE.replace(confidence + note, note + "\n" + confidence), "new.toml")
    assert new.field_ids == ("speaker", "stance", "claim_type", "note", "confidence")
    assert rows(diff_codebooks(old, new)) == [
        ("field_order", False, None, None, None, FIELDS, new.field_ids)
    ]


def test_ordinal_reorder_is_a_scale_change(old: Codebook) -> None:
    # confidence 3, 2, 1: the scale turned round; the default keys (! @ #) follow positions.
    low = block(BASE, '[[field.value]]\nid = "1"', '[[field.value]]\nid = "2"')
    high = block(BASE, '[[field.value]]\nid = "3"', "# ═══ note")
    new = parse_codebook(swapped(low, high.rstrip("\n") + "\n\n"), "new.toml")
    assert new.field("confidence").value_ids == ("3", "2", "1")
    changes = diff_codebooks(old, new)
    assert rows(changes) == [
        ("field_scale", True, "confidence", None, None, ("1", "2", "3"), ("3", "2", "1")),
        ("value_key", False, "confidence", "value", "3", "#", "!"),
        ("value_key", False, "confidence", "value", "1", "!", "#"),
    ]
    assert semantic_fields(changes) == {"confidence"}
    assert changes[0].describe() == "confidence: scale 1 < 2 < 3 -> 3 < 2 < 1"


def test_single_field_reorder_is_cosmetic_with_moved_digits(old: Codebook) -> None:
    new = parse_codebook(swapped(claim_block("denial"), claim_block("background")), "new.toml")
    moved = ("background", "denial")
    assert new.field("claim_type").value_ids[6:8] == moved
    changes = diff_codebooks(old, new)
    assert rows(changes) == [
        (
            "value_order",
            False,
            "claim_type",
            "value",
            None,
            CLAIMS,
            CLAIMS[:6] + moved + CLAIMS[8:],
        ),
        ("value_key", False, "claim_type", "value", "background", "8", "7"),
        ("value_key", False, "claim_type", "value", "denial", "7", "8"),
    ]
    assert semantic_fields(changes) == set()
    assert changes[1].describe() == "claim_type: value 'background' key '8' -> '7'"


def test_stance_target_and_polarity_reorder_is_cosmetic(old: Codebook) -> None:
    text = swapped(value_block("blame"), value_block("praise"))
    text = swapped(value_block("turkey"), value_block("un"), text)
    changes = diff_codebooks(old, parse_codebook(text, "new.toml"))
    targets = old.field("stance").target_ids
    assert rows(changes) == [
        ("value_order", False, "stance", "target", None, targets, ("un", "turkey", *targets[2:])),
        (
            "value_order",
            False,
            "stance",
            "polarity",
            None,
            ("blame", "praise", "support", "demand", "deny"),
            ("praise", "blame", "support", "demand", "deny"),
        ),
    ]
    assert changes[1].describe() == (
        "stance: polarity order blame, praise, support, demand, deny -> "
        "praise, blame, support, demand, deny"
    )


def test_entity_seed_order_is_cosmetic(old: Codebook) -> None:
    new = parse_codebook(swapped(value_block("sdf"), value_block("asayish")), "new.toml")
    (change,) = diff_codebooks(old, new)
    assert (change.kind, change.semantic, change.field, change.part) == (
        "value_order",
        False,
        "speaker",
        "value",
    )
    assert change.new[:2] == ("asayish", "sdf")


def test_kind_change_compares_effective_keys(old: Codebook) -> None:
    # single -> multi: the default digits go (multi fields have only explicit keys).
    new = edited(('kind = "single"', 'kind = "multi"'))
    changes = diff_codebooks(old, new)
    assert rows(changes) == [
        ("field_kind", True, "claim_type", None, None, "single", "multi"),
        *[
            ("value_key", False, "claim_type", "value", vid, str(n), None)
            for n, vid in enumerate(CLAIMS, start=1)
        ],
    ]
    assert changes[0].describe() == "claim_type: kind 'single' -> 'multi'"
    assert changes[1].describe() == "claim_type: value 'casualty_figure' key '1' -> none"


def test_removed_value_in_the_middle_moves_later_digits(old: Codebook) -> None:
    new = edited((claim_block("denial"), ""))
    assert rows(diff_codebooks(old, new)) == [
        ("value_removed", True, "claim_type", "value", "denial", "Denial", None),
        ("value_key", False, "claim_type", "value", "background", "8", "7"),
        ("value_key", False, "claim_type", "value", "not_a_claim", "9", "8"),
    ]


def test_added_value_needs_no_other_change(old: Codebook) -> None:
    extra = '\n[[field.value]]\nid = "rumour"\nlabel = "Rumour"\nkey = "0"\n'
    end = claim_block("not_a_claim")
    new = edited((end, end + extra))
    assert rows(diff_codebooks(old, new)) == [
        ("value_added", True, "claim_type", "value", "rumour", None, "Rumour")
    ]


# --------------------------------------------------------------------------
# Merges (`replaces`)
# --------------------------------------------------------------------------


def test_merge_into_an_existing_value_is_one_change(old: Codebook) -> None:
    new = edited(
        (claim_block("denial"), ""),
        ('id = "attribution"\n', 'id = "attribution"\nreplaces = ["denial"]\n'),
    )
    changes = diff_codebooks(old, new)
    assert rows(changes) == [
        ("value_merged", True, "claim_type", "value", "denial", "Denial", "attribution"),
        ("value_key", False, "claim_type", "value", "background", "8", "7"),
        ("value_key", False, "claim_type", "value", "not_a_claim", "9", "8"),
    ]
    assert not any(c.kind == "value_removed" for c in changes)
    assert changes[0].describe() == "claim_type: value 'denial' merged into 'attribution'"


def test_merge_of_two_stance_targets_into_a_new_one(old: Codebook) -> None:
    merged = (
        '[[field.target]]\nid = "western_governments"\nlabel = "US or UK government"\n'
        'key = "w"\nreplaces = ["usa", "uk"]\n\n'
    )
    new = edited((value_block("usa"), merged), (value_block("uk"), ""))
    changes = diff_codebooks(old, new)
    assert rows(changes) == [
        ("value_merged", True, "stance", "target", "usa", "USA", "western_governments"),
        ("value_merged", True, "stance", "target", "uk", "UK", "western_governments"),
        (
            "value_added",
            True,
            "stance",
            "target",
            "western_governments",
            None,
            "US or UK government",
        ),
    ]
    assert semantic_fields(changes) == {"stance"}


def test_replaces_naming_older_history_is_no_change(old: Codebook) -> None:
    # `figure` was merged away in a version before the old one: nothing changes now.
    new = edited(('id = "casualty_figure"\n', 'id = "casualty_figure"\nreplaces = ["figure"]\n'))
    assert diff_codebooks(old, new) == []


def test_removed_value_without_replaces_is_removed(old: Codebook) -> None:
    # A value that names a gone id of a *different* field does not claim it.
    new = edited(
        (value_block("deny"), ""),
        ('id = "denial"\n', 'id = "denial"\nreplaces = ["deny"]\n'),
    )
    assert rows(diff_codebooks(old, new)) == [
        ("value_removed", True, "stance", "polarity", "deny", "Deny", None)
    ]


# --------------------------------------------------------------------------
# Order of the whole list, and semantic_fields
# --------------------------------------------------------------------------


def test_changes_come_in_codebook_order(old: Codebook) -> None:
    confidence = block(BASE, "# ═══ confidence", "# ═══ note")
    new = edited(
        ('label = "Note"', 'label = "Notes"'),
        (confidence, ""),
        ('name = "hasakah-stance"', 'name = "hasakah"'),
        ("Whose words or position", "Whose words or stated position"),
        ('label = "Deny"', 'label = "Denial"'),
        ('label = "UN"', 'label = "United Nations"'),
    )
    changes = diff_codebooks(old, new)
    assert [(c.kind, c.field, c.part, c.value) for c in changes] == [
        ("codebook_name", None, None, None),
        ("field_help", "speaker", None, None),
        ("value_label", "stance", "target", "un"),
        ("value_label", "stance", "polarity", "deny"),
        ("field_removed", "confidence", None, None),  # where it stood
        ("field_label", "note", None, None),
    ]
    assert semantic_fields(changes) == {"speaker", "confidence"}
    assert [c.semantic for c in changes] == [False, True, False, False, True, False]


def test_descriptions(old: Codebook) -> None:
    new = edited(
        ('language = "ar"', 'language = "en"'),
        ("Counts of dead", "Counts of the dead"),
        ("required = false\nadjudicate = false", "required = true\nadjudicate = false"),
        (BASE[-40:], BASE[-40:] + '\n[[field]]\nid = "topic"\nkind = "text"\nlabel = "Topic"\n'),
        ('"قسد", "المركز الإعلامي",', '"المركز الإعلامي", "قوات قسد",'),
    )
    assert [c.describe() for c in diff_codebooks(old, new)] == [
        "codebook language 'ar' -> 'en'",
        "speaker: value 'sdf' aliases +'قوات قسد' -'قسد'",
        "claim_type: value 'casualty_figure' help changed",
        "confidence: required false -> true",
        "field 'topic' added ('Topic')",
    ]


def test_change_refuses_an_unknown_kind() -> None:
    with pytest.raises(ValueError, match="unknown change kind 'value_renamed'"):
        Change("value_renamed", False, "f", "value", "v", "a", "b")


# --------------------------------------------------------------------------
# Reports
# --------------------------------------------------------------------------


def three_changes() -> Codebook:
    return edited(
        ('version = "1.1.0"', 'version = "1.2.0"'),
        ("Counts of dead", "Counts of the dead"),
        ('label = "Casualty or figure"', 'label = "Casualties"'),
        (value_block("uk"), ""),
    )


def test_diff_text(old: Codebook) -> None:
    new = three_changes()
    assert diff_text(old, new, diff_codebooks(old, new)) == "\n".join(
        [
            "hasakah-stance 1.1.0 -> 1.2.0: 3 changes (2 semantic, 1 cosmetic)",
            "semantic stance: target 'uk' removed (was 'UK')",
            "semantic claim_type: value 'casualty_figure' help changed",
            "cosmetic claim_type: value 'casualty_figure' label 'Casualty or figure' -> "
            "'Casualties'",
        ]
    )
    renamed = edited(('name = "hasakah-stance"', 'name = "hasakah"'))
    assert diff_text(old, renamed, diff_codebooks(old, renamed)).splitlines() == [
        "hasakah-stance 1.1.0 -> hasakah 1.1.0: 1 change (0 semantic, 1 cosmetic)",
        "cosmetic codebook name 'hasakah-stance' -> 'hasakah'",
    ]


def test_diff_text_lets_no_control_reach_the_terminal(old: Codebook) -> None:
    new = edited(
        ('name = "hasakah-stance"', 'name = "hasakah\\u001b]0;pwned\\u0007"'),
        ('label = "Casualty or figure"', 'label = "Casualty\\u001b[2J\\u202e or figure"'),
        ('label_ar = "حصيلة أو رقم"', 'label_ar = "حصيلة\\u009b31m أو رقم"'),
    )
    text = diff_text(old, new, diff_codebooks(old, new))
    assert not any(c in text for c in "\x1b\x07\x9b\u202e")
    assert "hasakah-stance 1.1.0 -> hasakah 1.1.0: 3 changes" in text
    assert r"'Casualty\x1b[2J\u202e or figure'" in text  # shown, harmless


def test_diff_json(old: Codebook) -> None:
    new = three_changes()
    report = diff_json(old, new, diff_codebooks(old, new))
    assert report["old"] == {"name": "hasakah-stance", "version": "1.1.0"}
    assert report["new"] == {"name": "hasakah-stance", "version": "1.2.0"}
    assert (report["semantic"], report["cosmetic"]) == (2, 1)
    assert report["changes"][0] == {
        "kind": "value_removed",
        "semantic": True,
        "field": "stance",
        "part": "target",
        "value": "uk",
        "old": "UK",
        "new": None,
        "description": "stance: target 'uk' removed (was 'UK')",
    }
    assert report["changes"][1]["old"].startswith("Counts of dead")
    assert json.loads(json.dumps(report)) == report
    reordered = parse_codebook(swapped(claim_block("denial"), claim_block("background")), "n")
    order = diff_json(old, reordered, diff_codebooks(old, reordered))["changes"][0]
    assert order["kind"] == "value_order" and order["old"] == list(CLAIMS)


def test_core_module_imports_neither_textual_nor_click() -> None:
    code = (
        "import sys, workbench.codebook_diff; "
        "sys.exit(bool({'textual', 'click'} & set(sys.modules)))"
    )
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0


# --------------------------------------------------------------------------
# The command
# --------------------------------------------------------------------------


def diff_cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return cli("codebook", "diff", *args, db=tmp_path / "unused.db")


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_cli_text_with_changes_exits_0(tmp_path: Path) -> None:
    new = write(tmp_path, "new.toml", three_changes().source)
    out = diff_cli(tmp_path, str(HASAKAH), str(new))
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "hasakah-stance 1.1.0 -> 1.2.0: 3 changes (2 semantic, 1 cosmetic)"
    assert lines[1:] == [
        "semantic stance: target 'uk' removed (was 'UK')",
        "semantic claim_type: value 'casualty_figure' help changed",
        "cosmetic claim_type: value 'casualty_figure' label 'Casualty or figure' -> 'Casualties'",
    ]
    assert out.stderr == ""


def test_cli_without_changes_exits_0(tmp_path: Path) -> None:
    out = diff_cli(tmp_path, str(HASAKAH), str(HASAKAH))
    assert out.returncode == 0, out.stderr
    assert out.stdout == "hasakah-stance 1.1.0 -> 1.1.0: no changes\n"


def test_cli_json(tmp_path: Path) -> None:
    new = write(
        tmp_path,
        "new.toml",
        edit(BASE, ('label_ar = "حصيلة أو رقم"', 'label_ar = "حصيلة\\u009b"')),
    )
    out = diff_cli(tmp_path, str(HASAKAH), str(new), "--format", "json")
    assert out.returncode == 0, out.stderr
    assert "حصيلة" in out.stdout  # logical text, not \\u escapes
    assert "\x9b" not in out.stdout  # what a terminal acts on is escaped
    report = json.loads(out.stdout)
    assert (report["semantic"], report["cosmetic"]) == (0, 1)
    assert report["changes"] == [
        {
            "kind": "value_label_ar",
            "semantic": False,
            "field": "claim_type",
            "part": "value",
            "value": "casualty_figure",
            "old": "حصيلة أو رقم",
            "new": "حصيلة\x9b",
            "description": "claim_type: value 'casualty_figure' label_ar 'حصيلة أو رقم' -> "
            "'حصيلة\\x9b'",
        }
    ]
    same = diff_cli(tmp_path, str(HASAKAH), str(HASAKAH), "--format", "json")
    assert same.returncode == 0 and json.loads(same.stdout)["changes"] == []


def test_cli_unreadable_file_exits_1(tmp_path: Path) -> None:
    missing = tmp_path / "missing.toml"
    out = diff_cli(tmp_path, str(HASAKAH), str(missing))
    assert out.returncode == 1
    assert out.stdout == ""
    assert out.stderr == f"error: {missing}: cannot read codebook: No such file or directory\n"


def test_cli_invalid_codebook_exits_1_with_located_errors(tmp_path: Path) -> None:
    text = edit(BASE, ('kind = "single"', 'kind = "singel"'))
    line = text[: text.index('kind = "singel"')].count("\n") + 1
    broken = write(tmp_path, "broken.toml", text)
    out = diff_cli(tmp_path, str(broken), str(HASAKAH))
    assert out.returncode == 1
    assert "Traceback" not in out.stderr
    assert out.stderr.splitlines() == [
        f"error: {broken}:{line}: field 'claim_type': unknown kind 'singel' (did you mean "
        "'single'?) (expected one of single, multi, stance, entity, ordinal, text)"
    ]
    # Both files are checked: every problem of each is listed at once.
    bad_toml = write(tmp_path, "bad.toml", "[codebook]\nname = \n")
    out = diff_cli(tmp_path, str(broken), str(bad_toml))
    assert out.returncode == 1
    errors = out.stderr.splitlines()
    assert len(errors) == 2
    assert errors[0].startswith(f"error: {broken}:{line}: ")
    assert errors[1].startswith(f"error: {bad_toml}:2: TOML syntax error")
