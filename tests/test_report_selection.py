"""What `workbench agree` reports on: the selection (coders, articles, fields,
one codebook version), filters that name nothing, and the pair's confusion
matrix on exactly the report's units (issue 11, items 1, 2, 5, 6)."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from tests.conftest import CODEBOOK, article_id
from tests.test_agreement import exact_alpha
from tests.test_report import PLAN, code_plan, expected_units, workbench
from workbench import report
from workbench.codebook import parse_codebook

# amina and omar also code 4 sentences of hasakah-05: outside `--articles hasakah-04`.
ELSEWHERE = [("denial", "denial"), ("background", "attribution"), ("denial", "denial"), ("background", "background")]  # fmt: skip


def code_claims(store, sentences, claims, book_id):
    """amina's and omar's claim types, one (amina, omar) pair per sentence."""
    for s, (a, o) in zip(sentences, claims, strict=True):
        for coder, claim in (("amina", a), ("omar", o)):
            data = {"speaker": "outlet", "claim_type": claim, "stance": []}
            store.set_label(s.id, coder, data=data, codebook_id=book_id)


@pytest.fixture
def two_articles(store, codebook):
    code_plan(store, codebook)
    book_id = store.register_codebook(codebook)
    code_claims(store, store.sentences(article_id(store, "hasakah-05"))[1:5], ELSEWHERE, book_id)
    return store


def plan_pairs(field: str, a: str, b: str) -> Counter:
    """(a's value, b's value) on PLAN's sentences both labeled, counted by hand."""
    coders = sorted(PLAN)
    i, j = coders.index(a), coders.index(b)
    return Counter(
        (u[i], u[j]) for u in expected_units(field) if u[i] is not None and u[j] is not None
    )


def matrix_counts(confusion: dict) -> Counter:
    labels = confusion["labels"]
    return Counter(
        {
            (labels[r], labels[c]): n
            for r, row in enumerate(confusion["matrix"])
            for c, n in enumerate(row)
            if n
        }
    )


# -- 1 and 6: the pair's confusion matrix, on the report's selection, in every format


def test_pair_confusion_counts_only_the_selected_articles(two_articles, codebook):
    result = report.build(
        two_articles, codebook, articles=["hasakah-04"], pair=("amina", "omar"), bootstrap=0
    )
    confusion = result["fields"]["claim_type"]["confusion"]["amina|omar"]
    assert (
        sum(map(sum, confusion["matrix"]))
        == 6
        == result["pairs"]["amina|omar"]["claim_type"]["units"]
    )
    assert matrix_counts(confusion) == plan_pairs("claim_type", "amina", "omar")
    # The same through the stand-alone function, with the same filters.
    labels, counts = report.confusion(
        two_articles, codebook, "claim_type", ("amina", "omar"), articles=["hasakah-04"]
    )
    assert labels == confusion["labels"] and counts == confusion["matrix"]
    # Without the filter both articles count: 6 + 4.
    everything = report.build(two_articles, codebook, pair=("amina", "omar"), bootstrap=0)
    whole = everything["fields"]["claim_type"]["confusion"]["amina|omar"]
    assert matrix_counts(whole) == plan_pairs("claim_type", "amina", "omar") + Counter(ELSEWHERE)


def test_pair_confusion_rows_are_the_first_coder_and_follow_the_codebook_order(coded, codebook):
    result = report.build(coded, codebook, pair=("omar", "amina"), bootstrap=0)
    confusion = result["fields"]["claim_type"]["confusion"]["omar|amina"]
    flipped = Counter(
        {(b, a): n for (a, b), n in plan_pairs("claim_type", "amina", "omar").items()}
    )
    assert matrix_counts(confusion) == flipped
    order = list(codebook.field("claim_type").value_ids)
    assert confusion["labels"] == sorted(confusion["labels"], key=order.index)
    stance = result["fields"]["stance"]["confusion"]["omar|amina"]
    assert "{} (no stance)" in stance["labels"]
    assert sum(map(sum, stance["matrix"])) == 6


def test_cli_pair_with_articles_in_json_markdown_and_table(two_articles, db_path):
    args = ("agree", "--articles", "hasakah-04", "--pair", "amina,omar", "--bootstrap", "0")
    as_json = workbench(*args, "--format", "json", db=db_path)
    assert as_json.returncode == 0, as_json.stderr
    data = json.loads(as_json.stdout)
    confusion = data["fields"]["claim_type"]["confusion"]["amina|omar"]
    assert set(confusion) == {"labels", "matrix"}
    assert matrix_counts(confusion) == plan_pairs("claim_type", "amina", "omar")
    assert as_json.stderr == ""  # nothing but the JSON: the matrices are in it
    markdown = workbench(*args, "--format", "markdown", db=db_path).stdout
    assert "## Confusion on claim_type: rows amina, columns omar" in markdown
    # omar's military_operation where amina said casualty_figure, once; the
    # diagonal cell of denial once.
    lines = markdown.splitlines()
    start = lines.index("## Confusion on claim_type: rows amina, columns omar")
    header = lines[start + 2].strip("|").split("|")
    labels = [h.strip() for h in header[1:]]
    rows = {
        cells[0].strip(): [int(c) for c in cells[1:]]
        for line in lines[start + 4 : start + 4 + len(labels)]
        for cells in [line.strip("|").split("|")]
    }
    assert rows["casualty_figure"][labels.index("military_operation")] == 1
    assert rows["denial"][labels.index("denial")] == 1
    table = " ".join(workbench(*args, db=db_path).stdout.split())  # titles wrap to the table
    for field in ("speaker", "stance", "claim_type"):
        assert f"Confusion on {field}: rows amina, columns omar" in table


# -- 2: one codebook version per report --------------------------------------------


def version_1_2_0() -> str:
    """The codebook as 1.2.0, with a tenth claim type that 1.1.0 does not know."""
    text = CODEBOOK.read_text(encoding="utf-8")
    extra = '[[field.value]]\nid = "rumour"\nlabel = "Rumour"\nkey = "0"\n\n'
    return text.replace('version = "1.1.0"', 'version = "1.2.0"', 1).replace(
        "# ═══ confidence", extra + "# ═══ confidence", 1
    )


NEWER = [("rumour", "rumour"), ("rumour", "denial"), ("background", "background")]


@pytest.fixture
def two_versions(store, codebook, tmp_path):
    """PLAN under 1.1.0 on hasakah-04; amina and omar under 1.2.0 on hasakah-03.

    1.2.0 is registered first, as when some coders have the new file while
    others still code with the old one: registering 1.2.0 after PLAN was
    coded would carry PLAN's labels over to it (`workbench.revisions`)."""
    newer = parse_codebook(version_1_2_0(), tmp_path / "v1.2.0.toml")
    book_id = store.register_codebook(newer)
    code_plan(store, codebook)
    code_claims(store, store.sentences(article_id(store, "hasakah-03"))[:3], NEWER, book_id)
    return store


def test_the_newest_version_is_reported_and_the_others_counted_not_pooled(two_versions, codebook):
    result = report.build(two_versions, codebook, bootstrap=0)
    assert result["codebook"] == {"name": "hasakah-stance", "version": "1.2.0"}
    assert result["selection"] == {
        "codebook": {"name": "hasakah-stance", "version": "1.2.0"},
        "coders": ["amina", "omar"],
        "articles": None,
        "round": None,
        # PLAN's 18 done labels (a skip among them) and the flagged label that
        # records no codebook: it counts as the codebook given, 1.1.0.
        "excluded_versions": {"1.1.0": 19},
        "unrecorded_version": 0,
    }
    claim = result["fields"]["claim_type"]
    assert claim["units"] == 3
    units = [list(p) for p in NEWER]
    assert claim["krippendorff_alpha"] == pytest.approx(float(exact_alpha(units, "nominal")))
    # AC1 counts the ten claim types of 1.2.0, and is defined.
    assert claim["gwet_ac1"] is not None and claim["gwet_ac1_categories"]["q"] == 10


def test_an_older_version_is_reported_when_asked(two_versions, codebook):
    result = report.build(two_versions, codebook, bootstrap=0, codebook_version="1.1.0")
    assert result["selection"]["codebook"]["version"] == "1.1.0"
    assert result["selection"]["excluded_versions"] == {"1.2.0": 6}
    assert result["selection"]["unrecorded_version"] == 1  # the flagged label
    assert result["selection"]["coders"] == ["amina", "leila", "omar"]
    claim = result["fields"]["claim_type"]
    assert claim["units"] == 6
    assert claim["krippendorff_alpha"] == pytest.approx(
        float(exact_alpha(expected_units("claim_type"), "nominal"))
    )
    assert claim["gwet_ac1"] is not None and claim["gwet_ac1_categories"]["q"] == 9


def test_cli_codebook_version_and_the_excluded_line(two_versions, db_path):
    newest = workbench("agree", "--format", "markdown", "--bootstrap", "0", db=db_path)
    assert newest.returncode == 0, newest.stderr
    assert newest.stdout.startswith("# Agreement: hasakah-stance 1.2.0")
    # Without --codebook the codebook given is the newest registered, 1.2.0,
    # so the flagged label that records none counts as 1.2.0 here.
    assert "not pooled: 1.1.0: 18 labels" in newest.stdout
    assert "1 label recording no codebook version counted as 1.2.0." in newest.stdout
    older = workbench(
        "agree", "--codebook-version", "1.1.0", "--format", "json", "--bootstrap", "0", db=db_path
    )
    assert json.loads(older.stdout)["selection"]["excluded_versions"] == {"1.2.0": 6 + 1}
    missing = workbench("agree", "--codebook-version", "9.9", db=db_path)
    assert missing.returncode == 1
    assert missing.stderr.strip().splitlines() == [
        f"error: {db_path}: no codebook version '9.9' in this database (versions: 1.2.0, 1.1.0)"
    ]


def test_newest_compares_version_numbers_not_strings(store, codebook, tmp_path):
    text = CODEBOOK.read_text(encoding="utf-8")
    for version in ("1.10.0", "1.9.0"):  # 1.9.0 registered last: still older
        book = parse_codebook(text.replace('version = "1.1.0"', f'version = "{version}"', 1))
        book_id = store.register_codebook(book)
        s = store.sentences(article_id(store, "hasakah-02"))[0 if version == "1.10.0" else 1]
        for coder in ("amina", "omar"):
            store.set_label(s.id, coder, data={"claim_type": "denial"}, codebook_id=book_id)
    result = report.build(store, codebook, bootstrap=0)
    assert result["codebook"]["version"] == "1.10.0"
    assert result["selection"]["excluded_versions"] == {"1.9.0": 2}


# -- 5: filters that name nothing are errors ---------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--coders", "amina,zed,yusuf"), "unknown coder(s): zed, yusuf (coders in this database: amina, leila, omar)"),
        (("--articles", "hasakah-04,hasakah-99"), "unknown article(s): hasakah-99"),
        (("--field", "tone"), "no such field in the codebook: tone"),
        (("--field", "note"), "field 'note' is a text field: it has no agreement"),
        (("--pair", "amina,zed"), "unknown coder(s) in --pair: zed"),
        (("--coders", "amina,leila", "--pair", "amina,omar"), "--pair coder(s) not among --coders: omar"),
        (("--pair", "amina,amina"), "--pair takes two different coders"),
    ],
)  # fmt: skip
def test_cli_unknown_filters_are_one_line_errors(coded, db_path, args, message):
    result = workbench("agree", "--bootstrap", "0", *args, db=db_path)
    assert result.returncode == 1, result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], lines
    assert result.stdout == ""


def test_api_unknown_filters_raise(coded, codebook):
    with pytest.raises(report.SelectionError, match="unknown coder"):
        report.build(coded, codebook, coders=["zed"], bootstrap=0)
    with pytest.raises(report.SelectionError, match="unknown article"):
        report.build(coded, codebook, articles=["nowhere"], bootstrap=0)
    with pytest.raises(report.SelectionError, match="text field"):
        report.build(coded, codebook, fields=["note"], bootstrap=0)
    # A known coder with no labels in the selection is no error: zero units.
    coded.ensure_coder("newcomer")
    quiet = report.build(coded, codebook, coders=["amina", "newcomer"], bootstrap=0)
    assert quiet["fields"]["claim_type"]["units"] == 0


def test_selection_names_coders_and_articles(coded, codebook):
    result = report.build(coded, codebook, coders=["omar", "amina"], articles=["hasakah-04"], bootstrap=0)  # fmt: skip
    assert result["selection"]["coders"] == ["omar", "amina"]
    assert result["selection"]["articles"] == ["hasakah-04"]
    assert result["selection"]["codebook"] == result["codebook"]


@pytest.fixture
def coded(store, codebook):
    return code_plan(store, codebook)
