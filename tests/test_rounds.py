"""Study rounds (issue 13; design.md, "Rounds and codebook revisions"): the
reliability sample, creating and closing rounds, labels a closed round makes
final, codebook revisions and what they mark, stale reliability figures,
trainees against a key, and the migration of an older database.

Expected figures are computed here, independently of the code under test:
strata from the labels table, Krippendorff's alpha with the `krippendorff`
package, Cohen's kappa with scikit-learn, MASI with NLTK.
"""

from __future__ import annotations

import json
import math
import random
import re
import shutil
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

import krippendorff
import numpy as np
import pytest
from nltk.metrics.distance import masi_distance
from sklearn.metrics import cohen_kappa_score

from tests.conftest import CODEBOOK, CORPUS, ROOT, article_id, dump
from tests.test_report import workbench
from workbench.codebook import Codebook, load_codebook, parse_codebook
from workbench.codebook_diff import diff_codebooks, diff_json
from workbench.corpus import import_paths
from workbench.rechecks import Recheck, all_rechecks, next_recheck, open_rechecks, recheck_counts
from workbench.revisions import Mark, carried_over, label_marks
from workbench.rounds import (
    RoundError,
    close_round,
    create_round,
    get_round,
    history,
    key_answer,
    list_rounds,
    locked_in_article,
    open_round_sentences,
    progress,
    round_progress_by_article,
    round_summary,
    sentence_ids,
    stale_fields,
    training_round_for,
)
from workbench.sampling import UNCODED, Stratum, allocate, draw, majority_value
from workbench.store import SaveError, Store
from workbench.training import Feedback, feedback, trainee_report

BASE = CODEBOOK.read_text(encoding="utf-8")  # hasakah-stance 1.1.0
REVISION = ROOT / "labels" / "hasakah-1.2.0.toml"
REVISED = REVISION.read_text(encoding="utf-8")  # 1.2.0
ROUND_TABLES = ("rounds", "round_coders", "round_sentences", "round_events")

MERGED = "value 'threat_assessment' was merged into 'background'"
CASUALTY_HELP = "the help of value 'casualty_figure' changed"
BACKGROUND_HELP = "the help of value 'background' changed"


def edit(text: str, *edits: tuple[str, str]) -> str:
    """`text` with each (old, new) applied; each `old` must occur exactly once."""
    for before, after in edits:
        assert text.count(before) == 1, f"not exactly once: {before!r}"
        text = text.replace(before, after)
    return text


def versioned(text: str, old: str, new: str, *edits: tuple[str, str]) -> Codebook:
    """A codebook from `text` with its version `old` renamed `new`, and edits."""
    source = edit(text, (f'version = "{old}"', f'version = "{new}"'), *edits)
    return parse_codebook(source, f"hasakah-{new}.toml")


@pytest.fixture
def revised() -> Codebook:
    return load_codebook(REVISION)


def claim(value: str, speaker: str = "outlet", stance: tuple = ()) -> dict[str, Any]:
    return {
        "speaker": speaker,
        "stance": [{"target": t, "polarity": p} for t, p in stance],
        "claim_type": value,
    }


def sentences(store: Store, ext_id: str):
    return store.sentences(article_id(store, ext_id))


def count(store: Store, table: str) -> int:
    return store.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def labels_rows(store: Store) -> dict[tuple[int, str], tuple]:
    """{(sentence id, coder): (status, data, note, codebook id, event id, updated_at)}."""
    return {
        (sid, coder): rest
        for sid, coder, *rest in store.conn.execute(
            "SELECT l.sentence_id, c.name, l.status, l.data, l.note, l.codebook_id, l.event_id,"
            " l.updated_at FROM labels l JOIN coders c ON c.id = l.coder_id"
        )
    }


def one_error_line(result) -> str:
    """The CLI failed cleanly: exit 1, one `error:` line on stderr, no traceback."""
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), lines[0]
    return lines[0]


LOCKED = re.compile(
    r"cannot change this label: it belongs to the closed (\w+) round '([^']+)' "
    r"\(closed by (\w+) at \d{4}-\d\d-\d\d \d\d:\d\d\); its labels are final"
)


# ==========================================================================
# 1. sampling: allocate, draw, majority_value
# ==========================================================================


def random_allocations(cases: int, seed: int):
    """(stratum sizes, n) pairs: small and empty strata, n below and above the total."""
    rng = random.Random(seed)
    for _ in range(cases):
        k = rng.randint(1, 7)
        sizes = {f"v{i}": rng.choice([0, 1, 2, 3, rng.randint(0, 40)]) for i in range(k)}
        yield sizes, rng.randint(0, sum(sizes.values()) + 5)


def test_allocate_exact_small_cases():
    assert allocate({}, 5) == {}
    assert allocate({"a": 3}, 10) == {"a": 3}
    assert allocate({"a": 3, "b": 3}, 0) == {"a": 0, "b": 0}
    assert allocate({"a": 0, "b": 4}, 3) == {"a": 0, "b": 3}
    assert allocate({"a": 2, "b": 50}, 10) == {"a": 2, "b": 8}
    assert allocate({"rare": 1, "mid": 5, "common": 80}, 12) == {"rare": 1, "mid": 5, "common": 6}
    # The odd unit goes to the stratum listed first (`draw` lists the rarest
    # value first): the point is to oversample rare values.
    assert allocate({"a": 5, "b": 5, "c": 5}, 7) == {"a": 3, "b": 2, "c": 2}
    assert allocate({"a": 3, "b": 8, "c": 20}, 12) == {"a": 3, "b": 5, "c": 4}


def test_allocate_places_min_of_n_and_total_and_never_more_than_a_stratum_has():
    for sizes, n in random_allocations(3000, seed=1):
        take = allocate(sizes, n)
        assert set(take) == set(sizes)
        assert sum(take.values()) == min(n, sum(sizes.values())), (sizes, n, take)
        assert all(0 <= take[v] <= sizes[v] for v in sizes), (sizes, n, take)


def test_allocate_takes_a_small_stratum_whole():
    # A stratum no larger than an equal share is given all it has.
    for sizes, n in random_allocations(3000, seed=2):
        take = allocate(sizes, n)
        for v, size in sizes.items():
            if size <= n // len(sizes):
                assert take[v] == size, (sizes, n, take)
    assert allocate({"denial": 2, "background": 90}, 30) == {"denial": 2, "background": 28}


def test_allocate_water_fills_three_large_strata_evenly():
    # One unit for the stratum of one; nine over three strata of ten: 3, 3, 3.
    assert allocate({"a": 1, "b": 10, "c": 10, "d": 10}, 10) == {"a": 1, "b": 3, "c": 3, "d": 3}


def test_allocate_unexhausted_strata_differ_by_at_most_one():
    failures = []
    for sizes, n in random_allocations(3000, seed=3):
        take = allocate(sizes, n)
        open_ = [take[v] for v in sizes if take[v] < sizes[v]]
        if not open_:
            continue
        # ... and no stratum got more than one above a stratum it could still give to.
        if max(open_) - min(open_) > 1 or max(take.values()) > min(open_) + 1:
            failures.append((sizes, n, take))
    assert failures == [], f"{len(failures)} uneven allocations, e.g. {failures[:3]}"


POPULATION = list(range(1, 61))
STRATUM_OF = (
    dict.fromkeys(range(1, 4), "denial")
    | dict.fromkeys(range(4, 12), "attribution")
    | dict.fromkeys(range(12, 32), "background")
)  # 32..60: nobody coded them
CODED_BEFORE = {"denial": 3, "attribution": 9, "background": 40}


def test_draw_is_deterministic_per_seed_and_seeds_differ():
    first = draw(POPULATION, STRATUM_OF, 12, 7, CODED_BEFORE)
    again = draw(list(reversed(POPULATION)), dict(STRATUM_OF), 12, 7, dict(CODED_BEFORE))
    assert first == again
    samples = {
        tuple(draw(POPULATION, STRATUM_OF, 12, s, CODED_BEFORE).sentences) for s in range(10)
    }
    assert len(samples) == 10
    plain = {tuple(draw(POPULATION, {}, 12, s, {}).sentences) for s in range(10)}
    assert len(plain) == 10


@pytest.mark.parametrize("seed", [0, 1, 99])
def test_draw_strata_match_the_allocation(seed):
    result = draw(POPULATION, STRATUM_OF, 12, seed, CODED_BEFORE)
    assert result.strata == [
        Stratum("denial", 3, 3, 3),
        Stratum("attribution", 8, 5, 9),
        Stratum("background", 20, 4, 40),
        Stratum(UNCODED, 29, 0, 0),
    ]
    drawn = [sid for sid, _ in result.sentences]
    assert len(drawn) == len(set(drawn)) == 12
    for sid, stratum in result.sentences:
        assert STRATUM_OF.get(sid, UNCODED) == stratum
    counts = Counter(s for _, s in result.sentences)
    assert counts == {"denial": 3, "attribution": 5, "background": 4}
    assert dict(counts) == {
        k: v
        for k, v in allocate({"denial": 3, "attribution": 8, "background": 20}, 12).items()
        if v
    }


def test_draw_uses_uncoded_sentences_only_when_the_coded_run_out():
    for n in range(1, 32):
        result = draw(POPULATION, STRATUM_OF, n, 5, CODED_BEFORE)
        assert len(result.sentences) == n
        assert all(s != UNCODED for _, s in result.sentences), n
    result = draw(POPULATION, STRATUM_OF, 40, 5, CODED_BEFORE)
    counts = Counter(s for _, s in result.sentences)
    assert counts == {"denial": 3, "attribution": 8, "background": 20, UNCODED: 9}
    assert [s.drawn for s in result.strata] == [3, 8, 20, 9]
    # More than there are: every candidate once.
    everything = draw(POPULATION, STRATUM_OF, 100, 5, CODED_BEFORE)
    assert sorted(sid for sid, _ in everything.sentences) == POPULATION


def test_draw_orders_strata_by_how_rarely_the_value_was_coded():
    # "background" has the fewest candidates here but was coded most often.
    stratum_of = {1: "background", 2: "denial", 3: "denial", 4: "denial", 5: "attribution"}
    result = draw(list(range(1, 9)), stratum_of, 3, 0, {"background": 50, "denial": 4})
    assert [s.value for s in result.strata] == ["attribution", "denial", "background", UNCODED]
    assert [s.coded_before for s in result.strata] == [0, 4, 50, 0]
    assert Counter(s for _, s in result.sentences) == {
        "attribution": 1,
        "denial": 1,
        "background": 1,
    }


def test_majority_value_breaks_ties_toward_the_rarer_value():
    before = {"background": 18, "denial": 5}
    assert majority_value(["background", "denial"], before) == "denial"
    assert majority_value(["denial", "background"], before) == "denial"
    assert majority_value(["background", "background", "denial"], before) == "background"
    assert majority_value(["b", "a"], {}) == "a"  # equally rare: by id
    assert majority_value(["x", "y"], {"x": 1}) == "y"  # never counted: rarest
    assert majority_value(["x"], {"x": 100}) == "x"


# ==========================================================================
# 2. create_round validation, in Python and through the CLI
# ==========================================================================


@pytest.fixture
def bare(store):
    """The corpus, a coder (the would-be key) and nothing else: no codebook, no round."""
    store.ensure_coder("kim")
    return store


# (keyword arguments over the defaults, the message; "{db}: " = located at the database)
INVALID = {
    "unknown kind": (
        {"kind": "bogus"},
        "--kind must be one of training, pilot, reliability, production, not 'bogus'",
    ),
    "no coders": ({"coders": []}, "a round needs at least one coder (--coders a,b,...)"),
    "blank coders": ({"coders": [" ", ""]}, "a round needs at least one coder (--coders a,b,...)"),
    "articles and sample": (
        {"articles": ["hasakah-01"], "sample": 3},
        "give either --articles ID,... or --sample N",
    ),
    "neither": ({"sample": None}, "give either --articles ID,... or --sample N"),
    "stratify without sample": (
        {"sample": None, "articles": ["hasakah-01"], "stratify_by": "claim_type"},
        "--stratify-by works with --sample N",
    ),
    "key on a pilot": (
        {"kind": "pilot", "key": "kim"},
        "--key is for training rounds; this is a pilot round",
    ),
    "key on a reliability round": (
        {"kind": "reliability", "key": "gold"},
        "--key is for training rounds; this is a reliability round",
    ),
    "key among the coders": (
        {"kind": "training", "coders": ["tam", "kim"], "key": "kim"},
        "the key 'kim' is one of the round's coders; a key answers alone",
    ),
    "unknown key": (
        {"kind": "training", "key": "zed"},
        "{db}: no coder called 'zed' to be the key (coders: kim; or --key gold)",
    ),
    "unknown article": (
        {"sample": None, "articles": ["hasakah-01", "hasakah-99"]},
        "{db}: no article with id 'hasakah-99'",
    ),
    "sample too large": (
        {"sample": 106},
        "{db}: --sample 106: only 105 sentences are left that no earlier round used "
        "(0 are in earlier rounds)",
    ),
    "sample of none": ({"sample": 0}, "--sample must be at least 1, not 0"),
    "stratify by stance": (
        {"stratify_by": "stance"},
        "--stratify-by stance: a stance field has no one value per sentence "
        "(stratify by a single, ordinal, entity field)",
    ),
    "stratify by text": (
        {"stratify_by": "note"},
        "--stratify-by note: a text field has no one value per sentence "
        "(stratify by a single, ordinal, entity field)",
    ),
    "stratify by unknown field": (
        {"stratify_by": "tone"},
        "--stratify-by: codebook 'hasakah-stance' has no field 'tone' "
        "(fields: speaker, stance, claim_type, confidence, note)",
    ),
    "pass alpha zero": (
        {"kind": "training", "key": "gold", "pass_alpha": 0.0},
        "--pass-alpha must be in (0, 1], not 0.0",
    ),
    "empty name": ({"name": " "}, "a round name must be printable text, not ''"),
    "name with a control": (
        {"name": "r\x1b1"},
        "a round name must be printable text, not 'r\\x1b1'",
    ),
}


@pytest.mark.parametrize("case", list(INVALID), ids=list(INVALID))
def test_create_round_refuses_with_one_line_and_writes_nothing(bare, codebook, db_path, case):
    changes, message = INVALID[case]
    args: dict[str, Any] = {
        "name": "r1",
        "kind": "reliability",
        "coders": ["tam", "tod"],
        "sample": 5,
        **changes,
    }
    before = dump(db_path)
    with pytest.raises(RoundError) as caught:
        create_round(
            bare,
            args.pop("name"),
            args.pop("kind"),
            args.pop("coders"),
            codebook,
            by="carol",
            **args,
        )
    text = str(caught.value)
    assert "\n" not in text
    assert text == message.format(db=bare.path)
    assert dump(db_path) == before  # no round, no coder, not even the codebook
    assert all(count(bare, t) == 0 for t in ROUND_TABLES)


def test_a_duplicate_round_name_is_refused(bare, codebook, db_path):
    create_round(bare, "pilot", "pilot", ["tam"], codebook, by="carol", articles=["hasakah-01"])
    before = dump(db_path)
    with pytest.raises(RoundError) as caught:
        create_round(bare, "pilot", "pilot", ["tod"], codebook, by="carol", sample=3)
    assert str(caught.value) == f"{bare.path}: there is already a round called 'pilot'"
    assert dump(db_path) == before


def test_an_empty_article_list_makes_no_round(bare, codebook, db_path):
    # `--articles ,` gives an empty list: a round of no sentences is no round.
    before = dump(db_path)
    with pytest.raises(RoundError) as caught:
        create_round(bare, "empty", "pilot", ["tam"], codebook, by="carol", articles=[])
    assert "\n" not in str(caught.value)
    assert dump(db_path) == before


@pytest.fixture
def cli_db(db_path):
    """A database for the CLI: the corpus, a coder kim, one round called `dup`."""
    with Store(db_path) as s:
        import_paths(s, [CORPUS])
        s.ensure_coder("kim")
        create_round(s, "dup", "pilot", ["kim"], load_codebook(CODEBOOK), by="carol", sample=2)
    return db_path


CLI_INVALID = {
    "unknown kind": (
        ["--kind", "bogus", "--coders", "a", "--sample", "3"],
        "error: Invalid value for '--kind': 'bogus' is not one of 'training', 'pilot', "
        "'reliability', 'production'. (see `workbench round create --help`)",
    ),
    "no coders": (
        ["--kind", "pilot", "--coders", ",", "--sample", "3"],
        "error: a round needs at least one coder (--coders a,b,...)",
    ),
    "articles and sample": (
        ["--kind", "pilot", "--coders", "a", "--sample", "3", "--articles", "hasakah-01"],
        "error: give either --articles ID,... or --sample N",
    ),
    "neither": (
        ["--kind", "pilot", "--coders", "a"],
        "error: give either --articles ID,... or --sample N",
    ),
    "stratify without sample": (
        [
            "--kind",
            "pilot",
            "--coders",
            "a",
            "--articles",
            "hasakah-01",
            "--stratify-by",
            "claim_type",
        ],
        "error: --stratify-by works with --sample N",
    ),
    "key on a pilot": (
        ["--kind", "pilot", "--coders", "a", "--sample", "3", "--key", "kim"],
        "error: --key is for training rounds; this is a pilot round",
    ),
    "key among coders": (
        ["--kind", "training", "--coders", "a,kim", "--sample", "3", "--key", "kim"],
        "error: the key 'kim' is one of the round's coders; a key answers alone",
    ),
    "unknown key": (
        ["--kind", "training", "--coders", "a", "--sample", "3", "--key", "zed"],
        "error: {db}: no coder called 'zed' to be the key (coders: kim; or --key gold)",
    ),
    "unknown article": (
        ["--kind", "pilot", "--coders", "a", "--articles", "nope,hasakah-01"],
        "error: {db}: no article with id 'nope'",
    ),
    "duplicate name": (
        ["--kind", "pilot", "--coders", "a", "--sample", "3"],
        "error: {db}: there is already a round called 'dup'",
    ),
    "sample too large": (
        ["--kind", "pilot", "--coders", "a", "--sample", "104"],
        "error: {db}: --sample 104: only 103 sentences are left that no earlier round used "
        "(2 are in earlier rounds)",
    ),
    "stratify by stance": (
        ["--kind", "pilot", "--coders", "a", "--sample", "3", "--stratify-by", "stance"],
        "error: --stratify-by stance: a stance field has no one value per sentence "
        "(stratify by a single, ordinal, entity field)",
    ),
    "stratify by text": (
        ["--kind", "pilot", "--coders", "a", "--sample", "3", "--stratify-by", "note"],
        "error: --stratify-by note: a text field has no one value per sentence "
        "(stratify by a single, ordinal, entity field)",
    ),
    "stratify by unknown field": (
        ["--kind", "pilot", "--coders", "a", "--sample", "3", "--stratify-by", "tone"],
        "error: --stratify-by: codebook 'hasakah-stance' has no field 'tone' "
        "(fields: speaker, stance, claim_type, confidence, note)",
    ),
    "empty article list": (["--kind", "pilot", "--coders", "a", "--articles", ","], None),
}


@pytest.mark.parametrize("case", list(CLI_INVALID), ids=list(CLI_INVALID))
def test_cli_round_create_fails_cleanly_and_changes_nothing(cli_db, case):
    args, message = CLI_INVALID[case]
    name = "dup" if case == "duplicate name" else "r2"
    before = dump(cli_db)
    result = workbench("round", "create", name, *args, db=cli_db)
    line = one_error_line(result)
    if message is not None:
        assert line == message.format(db=cli_db)
    assert result.stdout == ""
    assert dump(cli_db) == before
    conn = sqlite3.connect(cli_db)
    assert conn.execute("SELECT name FROM rounds").fetchall() == [("dup",)]
    conn.close()


def test_cli_round_create_list_show_close(cli_db):
    made = workbench(
        "round", "create", "rel", "--kind", "reliability", "--coders", "amal,badr",
        "--sample", "12", "--seed", "4", "--by", "carol", db=cli_db,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert made.stdout.startswith(
        "created rel: reliability, codebook hasakah-stance 1.1.0, 12 sentences, open\n"
        "sample of 12 sentences, seed 4; drawn from 103 sentences no earlier round used "
        "(2 were)\n"
    )
    listed = workbench("round", "list", db=cli_db)
    assert listed.returncode == 0, listed.stderr
    rows = [line for line in listed.stdout.splitlines() if "│ rel " in line]
    assert len(rows) == 1 and "reliability" in rows[0] and "0/24" in rows[0]
    closed = workbench("round", "close", "rel", "--by", "dana", db=cli_db)
    assert closed.returncode == 0, closed.stderr
    assert closed.stdout == "closed round rel: its 12 sentences are final for amal, badr\n"
    again = workbench("round", "close", "rel", "--by", "dana", db=cli_db)
    line = one_error_line(again)
    assert re.fullmatch(
        rf"error: {re.escape(str(cli_db))}: round 'rel' was already closed by dana at "
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z",
        line,
    )
    shown = workbench("round", "show", "rel", db=cli_db)
    assert shown.returncode == 0, shown.stderr
    assert "created by carol at " in shown.stdout and "; closed by dana at " in shown.stdout
    assert "each label was final once the round closed" in shown.stdout
    missing = workbench("round", "show", "nope", db=cli_db)
    assert one_error_line(missing) == (
        f"error: {cli_db}: no round called 'nope' (rounds: dup, rel)"
    )
    with Store(cli_db) as s:
        rnd = get_round(s, "rel")
        assert [(a, who) for a, who, _, _ in history(s, rnd)] == [
            ("create", "carol"),
            ("close", "dana"),
        ]


# ==========================================================================
# 3. the sample: earlier rounds excluded, strata from the labels so far
# ==========================================================================


def test_a_sample_excludes_the_sentences_of_earlier_rounds(store, codebook):
    pilot = create_round(
        store, "pilot", "pilot", ["amal"], codebook, by="c", articles=["hasakah-04"]
    )
    assert pilot.sentences == 13 and pilot.params == {"articles": ["hasakah-04"]}
    first = create_round(store, "rel-1", "reliability", ["amal", "badr"], codebook, by="c", sample=30, seed=1)  # fmt: skip
    second = create_round(store, "rel-2", "reliability", ["amal", "badr"], codebook, by="c", sample=30, seed=1)  # fmt: skip
    a, b, p = (set(sentence_ids(store, r)) for r in (first, second, pilot))
    assert len(a) == len(b) == 30
    assert not (a & b) and not (a & p) and not (b & p)
    assert first.params == {
        "sample": 30,
        "seed": 1,
        "stratify_by": None,
        "candidates": 92,
        "in_earlier_rounds": 13,
    }
    assert second.params["candidates"] == 62 and second.params["in_earlier_rounds"] == 43
    # What is left can be drawn whole, and then nothing more.
    rest = create_round(store, "rest", "production", ["amal"], codebook, by="c", sample=32)
    everything = a | b | p | set(sentence_ids(store, rest))
    assert len(everything) == 105
    with pytest.raises(RoundError) as caught:
        create_round(store, "more", "production", ["amal"], codebook, by="c", sample=1)
    assert str(caught.value) == (
        f"{store.path}: --sample 1: only 0 sentences are left that no earlier round used "
        "(105 are in earlier rounds)"
    )


def test_the_same_seed_draws_the_same_sample_in_another_database(tmp_path, codebook):
    drawn = {}
    for name, seed in (("one", 3), ("two", 3), ("three", 4)):
        with Store(tmp_path / f"{name}.db") as s:
            import_paths(s, [CORPUS])
            rnd = create_round(s, "rel", "reliability", ["amal"], codebook, by="c", sample=20, seed=seed)  # fmt: skip
            drawn[name] = sentence_ids(s, rnd)
    assert drawn["one"] == drawn["two"]
    assert drawn["one"] != drawn["three"]


def code_for_strata(store: Store, book_id: int) -> dict[int, str]:
    """Labels to stratify by (see the table in the test); returns {sentence id:
    "h01:i"} for messages. hasakah-04 is in a pilot round: not a candidate,
    but its labels count as coded before."""
    h04, h01 = sentences(store, "hasakah-04"), sentences(store, "hasakah-01")
    for i, s in enumerate(h04):
        store.set_label(s.id, "amal", data=claim("denial" if i < 3 else "background"), codebook_id=book_id)  # fmt: skip
    plan = {
        "amal": {
            **dict.fromkeys(range(6), "attribution"),
            6: "denial",
            7: "denial",
            8: "threat_assessment",
            9: "threat_assessment",
            **dict.fromkeys(range(10, 14), "background"),
        },
        "badr": {0: "attribution", 6: "background", 8: "background"},
    }
    for coder, values in plan.items():
        for i, value in values.items():
            store.set_label(h01[i].id, coder, data=claim(value), codebook_id=book_id)
    store.set_label(h01[14].id, "amal", status="draft", data=claim("denial"), codebook_id=book_id)
    store.set_label(h01[15].id, "amal", status="skipped", codebook_id=book_id)
    store.set_label(h01[16].id, "amal", data=claim("no_such_value"), codebook_id=book_id)
    store.set_label(h01[17].id, "amal", status="flagged", data=claim("casualty_figure"), codebook_id=book_id)  # fmt: skip
    return {s.id: f"h01:{i}" for i, s in enumerate(h01)}


def recount(store: Store, book: Codebook, field: str, candidates: set[int]):
    """Each candidate's stratum and every value's count, straight from the labels table."""
    f = book.field(field)
    merged = {old: v.id for v in f.values for old in v.replaces}
    counts: Counter[str] = Counter()
    seen: dict[int, list[str]] = {}
    for sid, status, data in store.conn.execute("SELECT sentence_id, status, data FROM labels"):
        if status == "draft":
            continue
        value = json.loads(data).get(field)
        if not isinstance(value, str):
            continue
        value = merged.get(value, value)
        if value not in f.value_ids:
            continue
        counts[value] += 1
        if sid in candidates:
            seen.setdefault(sid, []).append(value)
    strata = {}
    for sid, values in seen.items():
        votes = Counter(values)
        top = max(votes.values())
        strata[sid] = min((v for v in votes if votes[v] == top), key=lambda v: (counts[v], v))
    return strata, counts


# (codebook, sample size, expected strata of hasakah-01's coded sentences, strata params)
STRATIFIED = {
    "1.2.0": (
        11,
        {**dict.fromkeys(range(6), "attribution"), 6: "denial", 7: "denial",
         **dict.fromkeys(range(8, 14), "background"), 17: "casualty_figure"},
        [
            {"value": "casualty_figure", "available": 1, "drawn": 1, "coded_before": 1},
            {"value": "denial", "available": 2, "drawn": 2, "coded_before": 5},
            {"value": "attribution", "available": 6, "drawn": 4, "coded_before": 7},
            {"value": "background", "available": 6, "drawn": 4, "coded_before": 18},
            {"value": UNCODED, "available": 77, "drawn": 0, "coded_before": 0},
        ],
    ),
    "1.1.0": (
        10,
        {**dict.fromkeys(range(6), "attribution"), 6: "denial", 7: "denial",
         8: "threat_assessment", 9: "threat_assessment",
         **dict.fromkeys(range(10, 14), "background"), 17: "casualty_figure"},
        [
            {"value": "casualty_figure", "available": 1, "drawn": 1, "coded_before": 1},
            {"value": "threat_assessment", "available": 2, "drawn": 2, "coded_before": 2},
            {"value": "denial", "available": 2, "drawn": 2, "coded_before": 5},
            {"value": "attribution", "available": 6, "drawn": 3, "coded_before": 7},
            {"value": "background", "available": 4, "drawn": 2, "coded_before": 16},
            {"value": UNCODED, "available": 77, "drawn": 0, "coded_before": 0},
        ],
    ),
}  # fmt: skip


@pytest.mark.parametrize("version", list(STRATIFIED))
def test_a_stratified_sample_stores_each_sentences_majority_value(
    store, codebook, revised, version
):
    n, expected, strata = STRATIFIED[version]
    book = revised if version == "1.2.0" else codebook
    book_id = store.register_codebook(codebook)
    names = code_for_strata(store, book_id)
    create_round(store, "pilot", "pilot", ["amal"], codebook, by="c", articles=["hasakah-04"])
    rnd = create_round(
        store, "rel", "reliability", ["amal", "badr"], book, by="c", sample=n,
        stratify_by="claim_type", seed=11,
    )  # fmt: skip
    assert rnd.codebook == ("hasakah-stance", version)
    h01 = sentences(store, "hasakah-01")
    pilot = set(sentence_ids(store, get_round(store, "pilot")))
    candidates = {s.id for a in store.articles() for s in store.sentences(a.id)} - pilot
    mine, counts = recount(store, book, "claim_type", candidates)
    # The recount agrees with the plan (ties toward the rarer value, merged
    # values as what replaced them, drafts and unknown values left out).
    assert {names[sid]: v for sid, v in mine.items()} == {
        f"h01:{i}": v for i, v in expected.items()
    }
    assert all(sid in {s.id for s in h01} for sid in mine)
    stored = dict(
        store.conn.execute(
            "SELECT sentence_id, stratum FROM round_sentences WHERE round_id = ?", (rnd.id,)
        ).fetchall()
    )
    assert len(stored) == n
    for sid, stratum in stored.items():
        assert stratum == mine.get(sid), (names.get(sid, sid), stratum)
    drawn = Counter(s if s is not None else UNCODED for s in stored.values())
    assert rnd.params["strata"] == [
        {
            "value": s["value"],
            "available": sum(1 for sid in candidates if mine.get(sid, UNCODED) == s["value"]),
            "drawn": drawn.get(s["value"], 0),
            "coded_before": counts.get(s["value"], 0),
        }
        for s in strata
    ]
    assert rnd.params["strata"] == strata
    assert {k: v for k, v in rnd.params.items() if k not in ("strata", "sample_size")} == {
        "sample": n,
        "seed": 11,
        "stratify_by": "claim_type",
        "candidates": 92,
        "in_earlier_rounds": 13,
    }
    # The check the report will run, as the draw expects it: Krippendorff's
    # (2019) required codings for the rarest value's share, by its formula.
    coded = [x for x in strata if x["value"] != UNCODED]
    rarest = min((x for x in coded if x["drawn"]), key=lambda x: x["drawn"])
    share = rarest["drawn"] / sum(x["drawn"] for x in coded)
    z = 1.6448536269514722  # one-tailed p < .05
    codings = 2 * z**2 * ((1 + 0.8) * (3 - 0.8) / (4 * (1 - 0.8) * share * (1 - share)) - 0.8)
    check = rnd.params["sample_size"]
    assert check["prevalence"] == pytest.approx(share)
    assert check["required_units"] == math.ceil(math.ceil(codings) / 2)
    plain = min(coded, key=lambda x: x["available"])
    assert check["simple_random"]["prevalence"] == pytest.approx(
        plain["available"] / sum(x["available"] for x in coded)
    )
    assert check["required_units"] < check["simple_random"]["required_units"]  # oversampled


def test_a_stratified_sample_past_the_coded_sentences_takes_uncoded_ones(store, codebook, revised):
    book_id = store.register_codebook(codebook)
    code_for_strata(store, book_id)
    create_round(store, "pilot", "pilot", ["amal"], codebook, by="c", articles=["hasakah-04"])
    rnd = create_round(
        store, "rel", "reliability", ["amal"], revised, by="c", sample=20, stratify_by="claim_type"
    )
    strata = [s["drawn"] for s in rnd.params["strata"]]
    assert strata == [1, 2, 6, 6, 5]
    stored = [
        r[0]
        for r in store.conn.execute(
            "SELECT stratum FROM round_sentences WHERE round_id = ?", (rnd.id,)
        )
    ]
    assert Counter(stored) == {"casualty_figure": 1, "denial": 2, "attribution": 6, "background": 6, None: 5}  # fmt: skip


# ==========================================================================
# 4. closing: every write path refused on a final label
# ==========================================================================


@pytest.fixture
def closed(store, codebook):
    """Round `rel` (amal, badr on hasakah-01), closed by dana. Before the close:
    amal labeled sentences 0 and 1 (her last change), badr sentence 0, amal a
    draft on sentence 3, leila (not in the round) sentence 0."""
    book_id = store.register_codebook(codebook)
    create_round(store, "rel", "reliability", ["amal", "badr"], codebook, by="carol", articles=["hasakah-01"])  # fmt: skip
    h01 = sentences(store, "hasakah-01")
    store.set_label(h01[0].id, "leila", data=claim("denial"), codebook_id=book_id)
    store.set_label(h01[0].id, "badr", data=claim("attribution"), codebook_id=book_id)
    store.set_label(h01[3].id, "amal", status="draft", data={"claim_type": "denial"}, codebook_id=book_id)  # fmt: skip
    store.set_label(h01[0].id, "amal", data=claim("denial"), codebook_id=book_id)
    store.set_label(h01[1].id, "amal", data=claim("background"), codebook_id=book_id)
    close_round(store, "rel", by="dana")
    return store, book_id, h01


def assert_names_the_round(text: str) -> None:
    found = LOCKED.search(text)
    assert found is not None, text
    assert found.groups() == ("reliability", "rel", "dana")


def test_set_label_on_a_final_label_is_refused_naming_the_round(closed, db_path):
    store, book_id, h01 = closed
    before = dump(db_path)
    for sentence, coder, status in (
        (h01[0], "amal", "labeled"),  # a change
        (h01[0], "badr", "skipped"),
        (h01[5], "amal", "labeled"),  # a new label on the round's sentence
        (h01[3], "amal", "labeled"),  # the draft finished
        (h01[6], "badr", "draft"),
    ):
        with pytest.raises(SaveError) as caught:
            store.set_label(sentence.id, coder, status=status, data=claim("military_operation"), codebook_id=book_id)  # fmt: skip
        assert str(caught.value) == f"{store.path}: {LOCKED.search(str(caught.value)).group(0)}"
        assert_names_the_round(str(caught.value))
    assert dump(db_path) == before
    assert store.label(h01[0].id, "amal")["data"] == claim("denial")


def test_other_coders_and_other_sentences_stay_writable(closed):
    store, book_id, h01 = closed
    h02 = sentences(store, "hasakah-02")
    store.set_label(h01[0].id, "leila", data=claim("background"), codebook_id=book_id)
    store.set_label(h01[4].id, "leila", data=claim("background"), codebook_id=book_id)
    store.set_label(h02[0].id, "amal", data=claim("denial"), codebook_id=book_id)
    store.set_label(h02[0].id, "badr", data=claim("denial"), codebook_id=book_id)
    assert store.label(h01[0].id, "leila")["data"]["claim_type"] == "background"
    assert store.undo("amal") == h02[0].id and store.label(h02[0].id, "amal") is None
    assert store.undo("leila") == h01[4].id
    assert locked_in_article(store, "amal", article_id(store, "hasakah-01")) == {
        s.id: "rel" for s in h01
    }
    assert locked_in_article(store, "leila", article_id(store, "hasakah-01")) == {}
    assert locked_in_article(store, "amal", article_id(store, "hasakah-02")) == {}


def test_undo_after_the_close_is_refused(closed, db_path):
    store, _, h01 = closed
    before = dump(db_path)
    with pytest.raises(SaveError) as caught:
        store.undo("amal")  # her last change: sentence 1, before the close
    assert_names_the_round(str(caught.value))
    with pytest.raises(SaveError):
        store.undo("badr")
    assert dump(db_path) == before
    assert store.label(h01[1].id, "amal")["data"] == claim("background")


def test_raw_sql_on_a_final_label_is_refused_by_the_trigger(closed, db_path):
    store, _, h01 = closed
    conn = sqlite3.connect(db_path, isolation_level=None)
    amal = conn.execute("SELECT id FROM coders WHERE name = 'amal'").fetchone()[0]
    leila = conn.execute("SELECT id FROM coders WHERE name = 'leila'").fetchone()[0]
    for sql, params in (
        ("UPDATE labels SET data = '{}' WHERE sentence_id = ? AND coder_id = ?", (h01[0].id, amal)),
        ("UPDATE labels SET status = 'skipped' WHERE sentence_id = ? AND coder_id = ?", (h01[0].id, amal)),
        ("UPDATE labels SET note = 'x' WHERE sentence_id = ? AND coder_id = ?", (h01[1].id, amal)),
        ("DELETE FROM labels WHERE sentence_id = ? AND coder_id = ?", (h01[0].id, amal)),
        (
            "INSERT INTO labels (sentence_id, coder_id, status, data, event_id, updated_at)"
            " VALUES (?, ?, 'labeled', '{}', 1, 'now')",
            (h01[7].id, amal),
        ),
    ):  # fmt: skip
        with pytest.raises(sqlite3.IntegrityError, match="label locked: its round is closed"):
            conn.execute(sql, params)
    conn.execute(
        "UPDATE labels SET data = '{}' WHERE sentence_id = ? AND coder_id = ?", (h01[0].id, leila)
    )
    conn.close()
    assert store.label(h01[0].id, "amal")["data"] == claim("denial")
    assert store.label(h01[0].id, "leila")["data"] == {}


def export_lines(db: Path, coder: str) -> list[dict[str, Any]]:
    result = workbench("export", "--kind", "labels", "--coder", coder, "-o", "-", db=db)
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def test_import_labels_changing_a_final_label_is_refused(closed, db_path, tmp_path):
    line = next(r for r in export_lines(db_path, "amal") if r["sentence_id"] == "hasakah-01:0")
    changed = write_jsonl(tmp_path / "changed.jsonl", [{**line, "labels": claim("background")}])
    before = dump(db_path)
    # As a conflict with the stored label: nothing written.
    plain = workbench("import-labels", str(changed), db=db_path)
    assert plain.returncode == 1 and "Traceback" not in plain.stderr
    assert all(x.startswith("error: ") for x in plain.stderr.splitlines())
    assert "coder 'amal' already has a different label for hasakah-01:0" in plain.stderr
    assert dump(db_path) == before
    # Taking the file's line: refused, naming the round.
    theirs = workbench("import-labels", str(changed), "--prefer", "theirs", db=db_path)
    assert_names_the_round(one_error_line(theirs))
    assert dump(db_path) == before
    # A new label for the round's coder on the round's sentence, with one for
    # a sentence outside it: refused whole.
    h01_5 = export_lines_for(db_path, "hasakah-01", 5, "amal", line)
    outside = export_lines_for(db_path, "hasakah-02", 0, "amal", line)
    new = write_jsonl(tmp_path / "new.jsonl", [outside, h01_5])
    result = workbench("import-labels", str(new), db=db_path)
    assert_names_the_round(one_error_line(result))
    assert dump(db_path) == before
    # The line outside the round, alone, is imported.
    alone = workbench(
        "import-labels", str(write_jsonl(tmp_path / "alone.jsonl", [outside])), db=db_path
    )
    assert alone.returncode == 0, alone.stderr
    assert alone.stdout.startswith("imported 1 labels from ")


def export_sentence(db: Path, index: int, ext_id: str = "hasakah-01") -> dict[str, Any]:
    """The position keys of an export line for one sentence."""
    conn = sqlite3.connect(db)
    start, end, text = conn.execute(
        'SELECT s.start, s."end", s.text FROM sentences s JOIN articles a ON a.id = s.article_id'
        " WHERE a.ext_id = ? AND s.idx = ?",
        (ext_id, index),
    ).fetchone()
    conn.close()
    return {"start": start, "end": end, "text": text}


def export_lines_for(db: Path, ext_id: str, index: int, coder: str, like: dict) -> dict[str, Any]:
    conn = sqlite3.connect(db)
    (sha,) = conn.execute(
        "SELECT content_hash FROM articles WHERE ext_id = ?", (ext_id,)
    ).fetchone()
    conn.close()
    return {
        **like,
        "article_id": ext_id,
        "article_sha256": sha,
        "sentence_id": f"{ext_id}:{index}",
        "sentence_index": index,
        "coder": coder,
        **export_sentence(db, index, ext_id),
    }


@pytest.fixture
def two_machines(tmp_path, codebook):
    """ours.db with round `rel` (amal, badr on hasakah-01) and amal's labels
    on sentences 0 (labeled) and 1 (a draft); theirs.db, a copy made before
    the round closed in ours. Returns (ours, theirs, sentence ids of hasakah-01)."""
    ours, theirs = tmp_path / "ours.db", tmp_path / "theirs.db"
    with Store(ours) as s:
        import_paths(s, [CORPUS])
        book_id = s.register_codebook(codebook)
        create_round(s, "rel", "reliability", ["amal", "badr"], codebook, by="carol", articles=["hasakah-01"])  # fmt: skip
        h01 = [x.id for x in sentences(s, "hasakah-01")]
        s.set_label(h01[0], "amal", data=claim("denial"), codebook_id=book_id)
        s.set_label(h01[1], "amal", status="draft", data={"claim_type": "denial"}, codebook_id=book_id)  # fmt: skip
    shutil.copy(ours, theirs)
    with Store(ours) as s:
        close_round(s, "rel", by="dana")
    return ours, theirs, book_id, h01


def test_merge_of_a_different_final_label_is_refused_and_writes_nothing(two_machines):
    ours, theirs, book_id, h01 = two_machines
    with Store(theirs) as s:
        s.set_label(h01[0], "amal", data=claim("background"), codebook_id=book_id)
    before = dump(ours)
    listed = workbench("merge", str(theirs), db=ours)
    assert listed.returncode == 1 and "Traceback" not in listed.stderr
    assert listed.stderr.splitlines()[0].startswith("conflict: hasakah-01:0 coder amal: ")
    assert dump(ours) == before
    taken = workbench("merge", str(theirs), "--prefer", "theirs", db=ours)
    assert_names_the_round(one_error_line(taken))
    assert dump(ours) == before


@pytest.mark.parametrize("case", ["their done label over our draft", "their new label"])
def test_merge_of_a_new_label_on_a_final_sentence_is_refused_naming_the_round(two_machines, case):
    ours, theirs, book_id, h01 = two_machines
    with Store(theirs) as s:
        if case == "their new label":
            s.set_label(h01[2], "badr", data=claim("denial"), codebook_id=book_id)
        else:
            s.set_label(h01[1], "amal", data=claim("denial"), codebook_id=book_id)
    before = dump(ours)
    result = workbench("merge", str(theirs), db=ours)
    line = one_error_line(result)
    assert dump(ours) == before
    assert_names_the_round(line)


def test_merge_of_labels_outside_the_round_still_works(two_machines):
    ours, theirs, book_id, h01 = two_machines
    with Store(theirs) as s:
        s.set_label(h01[0], "leila", data=claim("denial"), codebook_id=book_id)
        h02 = sentences(s, "hasakah-02")[0].id
        s.set_label(h02, "amal", data=claim("denial"), codebook_id=book_id)
    result = workbench("merge", str(theirs), db=ours)
    assert result.returncode == 0, result.stderr
    with Store(ours) as s:
        assert s.label(h01[0], "leila")["data"] == claim("denial")
        assert s.label(h02, "amal")["data"] == claim("denial")
        assert s.label(h01[1], "amal")["status"] == "draft"


def test_a_speaker_merge_that_would_rewrite_a_final_label_is_refused(store, codebook, db_path):
    from workbench.registry import merge_speakers

    book_id = store.register_codebook(codebook)
    key = store.add_entity("speaker", "مصدر طبي", coder="amal")  # added while coding
    create_round(store, "rel", "reliability", ["amal"], codebook, by="carol", articles=["hasakah-01"])  # fmt: skip
    first = sentences(store, "hasakah-01")[0].id
    store.set_label(first, "amal", data=claim("denial", key), codebook_id=book_id)
    close_round(store, "rel", by="dana")
    before = dump(db_path)
    with pytest.raises(SaveError) as caught:
        merge_speakers(store, "speaker", key, "security_source", by="dana")
    assert_names_the_round(str(caught.value))
    assert dump(db_path) == before


def test_closing_twice_is_an_error_and_the_history_is_kept(closed, db_path):
    store, _, _ = closed
    rnd = get_round(store, "rel")
    assert rnd.closed_by == "dana" and not rnd.is_open
    before = dump(db_path)
    with pytest.raises(RoundError) as caught:
        close_round(store, "rel", by="eve")
    assert str(caught.value) == (
        f"{store.path}: round 'rel' was already closed by dana at {rnd.closed_at}"
    )
    assert dump(db_path) == before
    with pytest.raises(RoundError) as caught:
        close_round(store, "nope", by="eve")
    assert str(caught.value) == f"{store.path}: no round called 'nope' (rounds: rel)"
    events = history(store, rnd)
    assert events == [
        ("create", "carol", rnd.created_at, {"coders": ["amal", "badr"], "sentences": 18}),
        ("close", "dana", rnd.closed_at, {"done": {"amal": 2, "badr": 1}}),
    ]
    stamp = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"
    assert re.fullmatch(stamp, rnd.created_at) and re.fullmatch(stamp, rnd.closed_at)
    assert rnd.created_at <= rnd.closed_at
    assert rnd.created_by == "carol"
    assert progress(store, rnd) == {"amal": 2, "badr": 1}
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store.conn.execute("UPDATE round_events SET actor = 'eve'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store.conn.execute("DELETE FROM round_events")


def test_open_rounds_come_first_for_their_coders(store, codebook):
    book_id = store.register_codebook(codebook)
    a = create_round(store, "a", "pilot", ["amal"], codebook, by="c", articles=["hasakah-01"])
    b = create_round(store, "b", "production", ["amal", "badr"], codebook, by="c", articles=["hasakah-01", "hasakah-02"])  # fmt: skip
    h01, h02 = sentences(store, "hasakah-01"), sentences(store, "hasakah-02")
    store.set_label(h01[0].id, "amal", data=claim("denial"), codebook_id=book_id)
    store.set_label(h01[1].id, "amal", status="skipped", codebook_id=book_id)
    store.set_label(h01[2].id, "amal", status="draft", codebook_id=book_id)
    store.set_label(h02[0].id, "amal", data=claim("denial"), codebook_id=book_id)
    in_round = open_round_sentences(store, "amal")
    assert {sid: r.name for sid, r in in_round.items()} == {
        **{s.id: "a" for s in h01},
        **{s.id: "b" for s in h02},
    }
    assert round_progress_by_article(store, "amal", in_round) == {
        article_id(store, "hasakah-01"): ("a", 2, 18),
        article_id(store, "hasakah-02"): ("b", 1, 17),
    }
    close_round(store, "a", by="c")
    in_round = open_round_sentences(store, "amal")
    assert {r.name for r in in_round.values()} == {"b"} and len(in_round) == 35
    assert round_progress_by_article(store, "amal", in_round) == {
        article_id(store, "hasakah-01"): ("b", 2, 18),
        article_id(store, "hasakah-02"): ("b", 1, 17),
    }
    assert open_round_sentences(store, "leila") == {}
    assert round_progress_by_article(store, "leila", {}) == {}
    assert [r.name for r in list_rounds(store)] == ["a", "b"]
    assert progress(store, b) == {"amal": 3, "badr": 0}
    assert progress(store, a) == {"amal": 2}


# ==========================================================================
# 5. codebook revisions: recheck marks, carried labels
# ==========================================================================


@pytest.fixture
def before_revision(store, codebook):
    """Labels under 1.1.0 (see LABEL_PLAN) and a closed pilot round (amal on
    hasakah-02). Returns (store, 1.1.0's id, {name: sentence id})."""
    old_id = store.register_codebook(codebook)
    h01, h02 = sentences(store, "hasakah-01"), sentences(store, "hasakah-02")
    at = {f"h01:{i}": s.id for i, s in enumerate(h01)} | {
        f"h02:{i}": s.id for i, s in enumerate(h02)
    }
    create_round(store, "pilot", "pilot", ["amal"], codebook, by="carol", articles=["hasakah-02"])
    for place, coder, status, data in LABEL_PLAN:
        store.set_label(at[place], coder, status=status, data=data, codebook_id=old_id)
    close_round(store, "pilot", by="carol")
    return store, old_id, at


LABEL_PLAN = [
    ("h01:0", "amal", "labeled", claim("threat_assessment")),  # merged: marked, suggestion
    ("h01:1", "amal", "labeled", claim("casualty_figure")),  # help changed: marked
    ("h01:2", "amal", "labeled", claim("background")),  # help changed: marked
    ("h01:3", "amal", "labeled", claim("denial")),  # carried
    ("h01:4", "amal", "labeled", claim("humanitarian", "sdf", (("turkey", "blame"),))),  # label only: carried
    ("h01:0", "badr", "labeled", claim("attribution", "isis", (("un", "blame"),))),  # carried
    ("h01:1", "badr", "skipped", {}),  # carried
    ("h01:2", "badr", "draft", {"claim_type": "threat_assessment"}),  # a draft: marked too
    ("h02:0", "amal", "labeled", claim("threat_assessment")),  # the closed round's: untouched
    ("h02:1", "amal", "labeled", claim("casualty_figure")),  # the closed round's: untouched
    ("h02:0", "badr", "labeled", claim("threat_assessment")),  # badr is not in it: marked
]  # fmt: skip


def test_a_revision_marks_exactly_the_labels_a_semantic_change_concerns(
    before_revision, codebook, revised
):
    store, old_id, at = before_revision
    rows_before = labels_rows(store)
    events_before = count(store, "label_events")
    new_id = store.register_codebook(revised)
    assert new_id != old_id
    marks = store.conn.execute(
        "SELECT r.sentence_id, c.name, r.codebook_id, r.field, r.reason, r.suggestion"
        " FROM rechecks r JOIN coders c ON c.id = r.coder_id"
    ).fetchall()
    assert sorted(marks) == sorted([
        (at["h01:0"], "amal", new_id, "claim_type", MERGED, '"background"'),
        (at["h01:1"], "amal", new_id, "claim_type", CASUALTY_HELP, None),
        (at["h01:2"], "amal", new_id, "claim_type", BACKGROUND_HELP, None),
        (at["h01:2"], "badr", new_id, "claim_type", MERGED, '"background"'),
        (at["h02:0"], "badr", new_id, "claim_type", MERGED, '"background"'),
    ])  # fmt: skip
    marked = {("h01:0", "amal"), ("h01:1", "amal"), ("h01:2", "amal"), ("h01:2", "badr"), ("h02:0", "badr")}  # fmt: skip
    locked = {("h02:0", "amal"), ("h02:1", "amal")}
    rows_after = labels_rows(store)
    assert set(rows_after) == set(rows_before)
    for place, coder, *_ in LABEL_PLAN:
        key = (at[place], coder)
        version = old_id if (place, coder) in marked | locked else new_id
        assert rows_after[key][3] == version, (place, coder)
        # Nothing else of the label changed: status, data, note, event, time.
        assert (
            rows_after[key][:3] + rows_after[key][4:] == rows_before[key][:3] + rows_before[key][4:]
        )
    assert count(store, "label_events") == events_before  # no event: nothing was rewritten
    revision = store.conn.execute(
        "SELECT codebook_id, previous_id, changes, marked, carried FROM codebook_revisions"
    ).fetchall()
    assert len(revision) == 1
    assert revision[0][:2] == (new_id, old_id) and revision[0][3:] == (5, 4)
    expected = diff_json(codebook, revised, diff_codebooks(codebook, revised))
    assert json.loads(revision[0][2]) == json.loads(json.dumps(expected))
    # Registering it again changes nothing.
    assert store.register_codebook(revised) == new_id
    assert count(store, "codebook_revisions") == 1 and count(store, "rechecks") == 5


def test_open_rechecks_and_counts_after_a_revision(before_revision, revised):
    store, old_id, at = before_revision
    new_id = store.register_codebook(revised)
    h01, h02 = article_id(store, "hasakah-01"), article_id(store, "hasakah-02")
    assert recheck_counts(store) == {"amal": 3, "badr": 2}
    assert open_rechecks(store, "amal", h01) == {
        at["h01:0"]: [Recheck("claim_type", MERGED, "background")],
        at["h01:1"]: [Recheck("claim_type", CASUALTY_HELP, None)],
        at["h01:2"]: [Recheck("claim_type", BACKGROUND_HELP, None)],
    }
    assert open_rechecks(store, "amal", h02) == {}  # the closed round's labels
    assert open_rechecks(store, "badr", h02) == {at["h02:0"]: [Recheck("claim_type", MERGED, "background")]}  # fmt: skip
    assert all_rechecks(store, "badr") == [(h01, 2), (h02, 0)]
    assert next_recheck(store, "badr", h01, 2) == (h02, 0)
    assert next_recheck(store, "badr", h02, 0) == (h01, 2)  # wraps around
    assert next_recheck(store, "leila", h01, 0) is None
    # Committing under the old version settles nothing; under the new one it does.
    store.set_label(at["h01:1"], "amal", data=claim("casualty_figure"), codebook_id=old_id)
    assert recheck_counts(store) == {"amal": 3, "badr": 2}
    store.set_label(at["h01:0"], "amal", data=claim("background"), codebook_id=new_id)
    assert recheck_counts(store) == {"amal": 2, "badr": 2}
    assert at["h01:0"] not in open_rechecks(store, "amal", h01)
    # A draft is not done: the mark stays open until the label is committed.
    store.set_label(at["h02:0"], "badr", status="draft", data={"claim_type": "background"}, codebook_id=new_id)  # fmt: skip
    assert recheck_counts(store) == {"amal": 2, "badr": 2}
    store.set_label(at["h02:0"], "badr", data=claim("background"), codebook_id=new_id)
    assert recheck_counts(store) == {"amal": 2, "badr": 1}


def test_undoing_the_recheck_commit_opens_the_mark_again(before_revision, revised):
    store, old_id, at = before_revision
    new_id = store.register_codebook(revised)
    h01 = article_id(store, "hasakah-01")
    store.set_label(at["h01:0"], "amal", data=claim("background"), codebook_id=new_id)
    assert recheck_counts(store)["amal"] == 2
    assert store.undo("amal") == at["h01:0"]
    assert store.label(at["h01:0"], "amal")["data"] == claim("threat_assessment")
    # Back to the label as it was: made under 1.1.0, so still to recheck.
    assert labels_rows(store)[(at["h01:0"], "amal")][3] == old_id
    assert recheck_counts(store)["amal"] == 3
    assert open_rechecks(store, "amal", h01)[at["h01:0"]] == [Recheck("claim_type", MERGED, "background")]  # fmt: skip
    assert store.redo("amal") == at["h01:0"]
    assert recheck_counts(store)["amal"] == 2


def test_a_cosmetic_revision_marks_nothing_and_carries_everything(before_revision):
    store, old_id, at = before_revision
    cosmetic = versioned(
        BASE, "1.1.0", "1.1.1",
        ('label = "Humanitarian/civilian protection"', 'label = "Humanitarian"'),
    )  # fmt: skip
    new_id = store.register_codebook(cosmetic)
    assert count(store, "rechecks") == 0 and recheck_counts(store) == {}
    versions = dict(((sid, coder), row[3]) for (sid, coder), row in labels_rows(store).items())
    locked = {(at["h02:0"], "amal"), (at["h02:1"], "amal")}
    assert {k: v for k, v in versions.items() if k not in locked} == dict.fromkeys(
        set(versions) - locked, new_id
    )
    assert {versions[k] for k in locked} == {old_id}
    assert store.conn.execute("SELECT marked, carried FROM codebook_revisions").fetchall() == [
        (0, 9)
    ]


def test_an_older_version_registered_after_a_newer_one_revises_nothing(store, codebook, revised):
    new_id = store.register_codebook(revised)
    h01 = sentences(store, "hasakah-01")
    store.set_label(h01[0].id, "amal", data=claim("background"), codebook_id=new_id)
    store.set_label(h01[1].id, "amal", data=claim("casualty_figure"), codebook_id=new_id)
    old_id = store.register_codebook(codebook)
    assert old_id > new_id
    assert count(store, "codebook_revisions") == 0 and count(store, "rechecks") == 0
    assert {row[3] for row in labels_rows(store).values()} == {new_id}
    assert store.latest_codebook()[0] == revised.source


def test_an_older_version_registered_late_does_not_settle_a_newer_ones_marks(
    store, codebook, revised
):
    # 1.0.0, then 1.2.0 (marks a threat_assessment label), then 1.1.0 from a
    # coder still on the old file: 1.1.0 is older than 1.2.0 and must change nothing.
    first = versioned(BASE, "1.1.0", "1.0.0")
    first_id = store.register_codebook(first)
    h01 = sentences(store, "hasakah-01")
    store.set_label(h01[0].id, "amal", data=claim("threat_assessment"), codebook_id=first_id)
    store.set_label(h01[1].id, "amal", data=claim("denial"), codebook_id=first_id)
    newest_id = store.register_codebook(revised)
    assert recheck_counts(store) == {"amal": 1}
    versions = {sid: row[3] for (sid, _), row in labels_rows(store).items()}
    assert versions == {h01[0].id: first_id, h01[1].id: newest_id}
    rows = labels_rows(store)
    store.register_codebook(codebook)
    assert count(store, "codebook_revisions") == 1  # 1.2.0's only
    assert labels_rows(store) == rows  # the marked label is still under 1.0.0
    assert recheck_counts(store) == {"amal": 1}


# -- label_marks on small codebooks: every kind of change it looks at -------

MINI = """\
[codebook]
name = "mini"
version = "1.0.0"

[[field]]
id = "stance"
kind = "stance"
label = "Stance"

[[field.target]]
id = "turkey"
label = "Turkey"
key = "t"

[[field.target]]
id = "un"
label = "UN"
key = "n"

[[field.target]]
id = "world"
label = "International community"
key = "i"

[[field.polarity]]
id = "blame"
label = "Blame"
key = "b"

[[field.polarity]]
id = "praise"
label = "Praise"
key = "p"

[[field.polarity]]
id = "support"
label = "Support"
key = "s"

[[field]]
id = "topics"
kind = "multi"
label = "Topics"

[[field.value]]
id = "war"
label = "War"
key = "w"

[[field.value]]
id = "aid"
label = "Aid"
key = "e"

[[field.value]]
id = "law"
label = "Law"
key = "l"

[[field]]
id = "tone"
kind = "single"
label = "Tone"
help = "How the sentence sounds."

[[field.value]]
id = "calm"
label = "Calm"
help = "No raised voice."

[[field.value]]
id = "angry"
label = "Angry"

[[field]]
id = "level"
kind = "ordinal"
label = "Level"

[[field.value]]
id = "low"
label = "Low"

[[field.value]]
id = "high"
label = "High"

[[field]]
id = "memo"
kind = "text"
label = "Memo"
"""
MINI_OLD = parse_codebook(MINI, "mini.toml")
UN_TARGET = '[[field.target]]\nid = "un"\nlabel = "UN"\nkey = "n"\n\n'
SUPPORT = '[[field.polarity]]\nid = "support"\nlabel = "Support"\nkey = "s"\n\n'
AID = '[[field.value]]\nid = "aid"\nlabel = "Aid"\nkey = "e"\n\n'
LAW = '[[field.value]]\nid = "law"\nlabel = "Law"\nkey = "l"\n\n'


def marks(*edits: tuple[str, str], data: dict[str, Any]) -> list[Mark]:
    new = parse_codebook(
        edit(MINI, ('version = "1.0.0"', 'version = "2.0.0"'), *edits), "mini-2.toml"
    )
    return label_marks(diff_codebooks(MINI_OLD, new), new, data)


def pairs(*items: tuple[str, str]) -> list[dict[str, str]]:
    return [{"target": t, "polarity": p} for t, p in items]


def test_label_marks_stance_target_and_polarity_removed():
    un_gone = (UN_TARGET, "")
    assert marks(un_gone, data={"stance": pairs(("un", "blame"))}) == [
        Mark("stance", "target 'un' was removed")
    ]
    assert marks(un_gone, data={"stance": pairs(("turkey", "blame"))}) == []
    assert marks(un_gone, data={"stance": []}) == []
    assert marks(un_gone, data={}) == []
    support_gone = (SUPPORT, "")
    assert marks(
        support_gone, data={"stance": pairs(("turkey", "blame"), ("world", "support"))}
    ) == [Mark("stance", "polarity 'support' was removed")]
    assert marks(support_gone, data={"stance": pairs(("un", "blame"))}) == []


def test_label_marks_stance_merges_carry_the_pairs_over():
    merge = (
        (UN_TARGET, ""),
        (
            'label = "International community"\n',
            'label = "International community"\nreplaces = ["un"]\n',
        ),
        (SUPPORT, ""),
        ('label = "Praise"\n', 'label = "Praise"\nreplaces = ["support"]\n'),
    )
    data = {"stance": pairs(("un", "blame"), ("world", "blame"), ("turkey", "support"))}
    assert marks(*merge, data=data) == [
        Mark(
            "stance",
            "target 'un' was merged into 'world'; polarity 'support' was merged into 'praise'",
            pairs(("world", "blame"), ("turkey", "praise")),
        )
    ]
    assert marks(*merge, data={"stance": pairs(("un", "praise"))}) == [
        Mark("stance", "target 'un' was merged into 'world'", pairs(("world", "praise")))
    ]
    assert marks(*merge, data={"stance": pairs(("turkey", "blame"))}) == []
    merged = {("target", "un"): "world", ("polarity", "support"): "praise"}
    assert carried_over(pairs(("un", "support"), ("world", "praise")), merged) == pairs(("world", "praise"))  # fmt: skip
    assert carried_over([], merged) == []
    assert carried_over(["aid", "law", "war"], {("value", "law"): "war"}) == ["aid", "war"]
    assert carried_over("law", {("value", "law"): "war"}) == "war"
    assert carried_over("aid", {("value", "law"): "war"}) == "aid"


def test_label_marks_multi_values_removed_and_merged():
    assert marks((AID, ""), data={"topics": ["war", "aid"]}) == [Mark("topics", "value 'aid' was removed")]  # fmt: skip
    assert marks((AID, ""), data={"topics": ["war"]}) == []
    assert marks((AID, ""), data={"topics": []}) == []
    merge = ((LAW, ""), ('label = "War"\n', 'label = "War"\nreplaces = ["law"]\n'))
    assert marks(*merge, data={"topics": ["law", "war"]}) == [
        Mark("topics", "value 'law' was merged into 'war'", ["war"])
    ]
    assert marks(*merge, data={"topics": ["aid", "law"]}) == [
        Mark("topics", "value 'law' was merged into 'war'", ["aid", "war"])
    ]
    assert marks(*merge, data={"topics": ["aid"]}) == []
    # A value added asks nothing of the labels.
    added = ('[[field]]\nid = "tone"', '[[field.value]]\nid = "oil"\nlabel = "Oil"\nkey = "o"\n\n[[field]]\nid = "tone"')  # fmt: skip
    assert marks(added, data={"topics": ["aid"]}) == []


def test_label_marks_field_kind_scale_help_and_required():
    kind = ('id = "tone"\nkind = "single"', 'id = "tone"\nkind = "multi"')
    assert marks(kind, data={"tone": "calm"}) == [Mark("tone", "the field's kind changed")]
    assert marks(kind, data={"topics": ["war"]}) == []
    scale = (
        '[[field.value]]\nid = "low"\nlabel = "Low"\n\n[[field.value]]\nid = "high"\nlabel = "High"\n',
        '[[field.value]]\nid = "high"\nlabel = "High"\n\n[[field.value]]\nid = "low"\nlabel = "Low"\n',
    )
    assert marks(scale, data={"level": "low"}) == [Mark("level", "the field's scale (value order) changed")]  # fmt: skip
    required = ('label = "Tone"\n', 'label = "Tone"\nrequired = true\n')
    assert marks(required, data={"topics": ["war"]}) == [Mark("tone", "the field is now required")]
    assert marks(required, data={"tone": "angry"}) == []
    added = (
        '[[field]]\nid = "memo"',
        '[[field]]\nid = "frame"\nkind = "single"\nlabel = "Frame"\nrequired = true\n\n'
        '[[field.value]]\nid = "x"\nlabel = "X"\nkey = "g"\n\n[[field]]\nid = "memo"',
    )
    assert marks(added, data={"tone": "calm"}) == [Mark("frame", "the field is now required")]
    optional = (
        '[[field]]\nid = "memo"',
        '[[field]]\nid = "frame"\nkind = "single"\nlabel = "Frame"\n\n'
        '[[field.value]]\nid = "x"\nlabel = "X"\nkey = "g"\n\n[[field]]\nid = "memo"',
    )
    assert marks(optional, data={"tone": "calm"}) == []
    helps = (
        ('help = "How the sentence sounds."', 'help = "How the sentence reads."'),
        ('help = "No raised voice."', 'help = "No raised voice, no insult."'),
    )
    assert marks(*helps, data={"tone": "calm"}) == [
        Mark("tone", "the field's help changed; the help of value 'calm' changed")
    ]
    assert marks(*helps, data={"tone": "angry"}) == [Mark("tone", "the field's help changed")]
    cosmetic = (('label = "Calm"', 'label = "Quiet"'), ('label = "Tone"', 'label = "Voice"'))
    assert marks(*cosmetic, data={"tone": "calm", "topics": ["war"]}) == []


# ==========================================================================
# 6. stale reliability figures
# ==========================================================================


def semantic_13() -> Codebook:
    return versioned(
        REVISED, "1.2.0", "1.3.0",
        ('help = "Rejects a charge, rumour or rival claim."', 'help = "Rejects a charge or rumour."'),
    )  # fmt: skip


def cosmetic_13() -> Codebook:
    return versioned(
        REVISED, "1.2.0", "1.3.0",
        ('label = "Humanitarian / civilians"', 'label = "Humanitarian"'),
    )  # fmt: skip


@pytest.fixture
def three_rounds(store, codebook, revised):
    """A reliability, a pilot and a training round, all under 1.2.0 (1.1.0 first)."""
    store.register_codebook(codebook)
    store.ensure_coder("kim")
    for name, kind, ext_id, key in (
        ("rel", "reliability", "hasakah-02", None),
        ("pilot", "pilot", "hasakah-03", None),
        ("train", "training", "hasakah-04", "kim"),
    ):
        create_round(
            store, name, kind, ["amal", "badr"], revised, by="c", articles=[ext_id], key=key
        )
    return store


def test_a_reliability_round_goes_stale_when_a_coded_field_changes_meaning(three_rounds):
    store = three_rounds
    rel = get_round(store, "rel")
    assert rel.codebook == ("hasakah-stance", "1.2.0")
    assert stale_fields(store, rel) == []
    assert round_summary(store, rel)["stale"] is False
    store.register_codebook(semantic_13())
    assert stale_fields(store, rel) == ["claim_type"]
    summary = round_summary(store, rel)
    assert summary["stale"] is True and summary["stale_fields"] == ["claim_type"]
    assert summary["stale_note"] == (
        "re-test required: claim_type changed in meaning between codebook 1.2.0 and 1.3.0"
    )
    for name in ("pilot", "train"):
        other = round_summary(store, get_round(store, name))
        assert other["stale"] is False and other["stale_fields"] == [] and "stale_note" not in other


def test_round_list_names_the_fields_to_retest(three_rounds, db_path):
    store = three_rounds
    store.register_codebook(semantic_13())
    listed = workbench("round", "list", db=db_path)
    assert listed.returncode == 0, listed.stderr
    rows = {
        line.split("│")[1].strip(): line
        for line in listed.stdout.splitlines()
        if line.startswith("│")
    }
    assert rows["rel"].rstrip().endswith("│ claim_type │")
    assert "claim_type" not in rows["pilot"] and "claim_type" not in rows["train"]
    agreed = workbench(
        "agree", "--round", "rel", "--format", "json", "--bootstrap", "0", db=db_path
    )
    assert agreed.returncode == 0, agreed.stderr
    summary = json.loads(agreed.stdout)["round"]
    assert summary["stale"] is True and summary["stale_fields"] == ["claim_type"]


def test_no_stale_flag_for_a_cosmetic_revision_or_a_text_field(three_rounds):
    store = three_rounds
    store.register_codebook(cosmetic_13())
    rel = get_round(store, "rel")
    assert stale_fields(store, rel) == []
    assert round_summary(store, rel)["stale"] is False
    memo = versioned(
        REVISED, "1.2.0", "1.4.0",
        ('label = "Humanitarian / civilians"', 'label = "Humanitarian"'),
        ("Anything the adjudicator should know", "Whatever the adjudicator should know"),
    )  # fmt: skip
    store.register_codebook(memo)
    assert stale_fields(store, rel) == []


def test_an_older_version_registered_late_does_not_make_a_round_stale(three_rounds, codebook):
    store = three_rounds
    store.register_codebook(cosmetic_13())
    rel = get_round(store, "rel")
    # A coder still on an old file registers 1.0.0: the newest version stays 1.3.0.
    store.register_codebook(versioned(BASE, "1.1.0", "1.0.0"))
    assert store.latest_codebook()[0] == cosmetic_13().source
    assert stale_fields(store, rel) == []
    assert round_summary(store, rel)["stale"] is False


# ==========================================================================
# 7. trainees against a key
# ==========================================================================

SPEAKERS = ["sdf", "outlet", "isis", "asayish"]
CLAIMS = ["attribution", "background", "denial", "casualty_figure", "military_operation"]
STANCES = [(), (("turkey", "blame"),), (("un", "blame"), ("global_coalition", "blame")), (("sdf", "praise"),)]  # fmt: skip


def random_label(rng: random.Random) -> dict[str, Any]:
    return {**claim(rng.choice(CLAIMS), rng.choice(SPEAKERS), rng.choice(STANCES)), "confidence": "3"}  # fmt: skip


@pytest.fixture
def training(store, codebook):
    """Training round `train` on hasakah-01: trainees tam (close to the key)
    and tod (independent), key kim. Returns (store, book id, sentence ids)."""
    book_id = store.register_codebook(codebook)
    h01 = [s.id for s in sentences(store, "hasakah-01")]
    rng = random.Random(13)
    key = {}
    for i, sid in enumerate(h01):
        key[sid] = random_label(rng)
        status = "skipped" if i == 17 else "draft" if i == 16 else "labeled"
        data = {} if status == "skipped" else key[sid]
        store.set_label(sid, "kim", status=status, data=data, codebook_id=book_id)
    for i, sid in enumerate(h01):
        data = dict(key[sid], confidence="1")
        if i in (0, 1):
            data["claim_type"] = "not_a_claim"
        if i == 3:
            data["stance"] = [*reversed(data["stance"]), {"target": "iraq", "polarity": "blame"}]
        if i == 4:
            data["stance"] = list(reversed(data["stance"]))  # the same set, in another order
        if i == 2:
            del data["speaker"]
        if i == 6:
            continue
        status = "skipped" if i == 5 else "labeled"
        store.set_label(sid, "tam", status=status, data=data, codebook_id=book_id)
    other = random.Random(99)
    for sid in h01[:15]:
        store.set_label(sid, "tod", data=random_label(other), codebook_id=book_id)
    create_round(
        store, "train", "training", ["tam", "tod"], codebook, by="carol",
        articles=["hasakah-01"], key="kim", pass_alpha=0.7,
    )  # fmt: skip
    return store, book_id, h01


def as_value(field: str, value: Any) -> Any:
    if value is None:
        return None
    if field == "stance":
        return frozenset((p["target"], p["polarity"]) for p in value)
    return value


def key_pairs(db: Path, round_name: str, trainee: str, key: str, field: str) -> list[tuple]:
    """(trainee's value, key's value) on the round's sentences both labeled, from SQL."""
    conn = sqlite3.connect(db)
    if key == "gold":
        key_sql = "SELECT sentence_id, data FROM gold WHERE status = 'labeled'"
        params: tuple = ()
    else:
        key_sql = (
            "SELECT l.sentence_id, l.data FROM labels l JOIN coders c ON c.id = l.coder_id"
            " WHERE c.name = ? AND l.status = 'labeled'"
        )
        params = (key,)
    rows = conn.execute(
        "SELECT t.data, k.data FROM round_sentences rs JOIN rounds r ON r.id = rs.round_id"
        " JOIN labels t ON t.sentence_id = rs.sentence_id JOIN coders tc ON tc.id = t.coder_id"
        f" JOIN ({key_sql}) k ON k.sentence_id = rs.sentence_id"
        " WHERE r.name = ? AND tc.name = ? AND t.status = 'labeled' ORDER BY rs.sentence_id",
        (*params, round_name, trainee),
    ).fetchall()
    conn.close()
    out = []
    for mine, theirs in rows:
        a = as_value(field, json.loads(mine).get(field))
        b = as_value(field, json.loads(theirs).get(field))
        if a is not None and b is not None:
            out.append((a, b))
    return out


def independent(pairs_: list[tuple], field: str) -> dict[str, Any]:
    """Percent agreement, Cohen's kappa (sklearn) and Krippendorff's alpha
    (the krippendorff package; MASI from NLTK for stance sets)."""
    domain = sorted(set(v for p in pairs_ for v in p), key=repr)
    index = {v: i for i, v in enumerate(domain)}
    data = np.array([[index[a] for a, _ in pairs_], [index[b] for _, b in pairs_]], dtype=float)
    if len(domain) < 2:
        alpha = None
    elif field == "stance":

        def masi(v1, v2, i1, i2, n_v, dtype=np.float64):
            def one(a, b):
                x, y = domain[int(a)], domain[int(b)]
                return 0.0 if not x and not y else masi_distance(set(x), set(y))

            return np.vectorize(one)(v1, v2).astype(dtype)

        alpha = krippendorff.alpha(
            reliability_data=data, value_domain=list(range(len(domain))), level_of_measurement=masi
        )
    else:
        alpha = krippendorff.alpha(
            reliability_data=data,
            value_domain=list(range(len(domain))),
            level_of_measurement="nominal",
        )
    names = [repr(sorted(v)) if field == "stance" else v for p in pairs_ for v in p]
    kappa = None if len(domain) < 2 else cohen_kappa_score(names[0::2], names[1::2])
    return {
        "units": len(pairs_),
        "percent_agreement": sum(a == b for a, b in pairs_) / len(pairs_),
        "krippendorff_alpha": None if alpha is None else float(alpha),
        "cohen_kappa": None if kappa is None else float(kappa),
    }


COMPARED = ("speaker", "stance", "claim_type")  # adjudicated coded fields; not confidence


def check_report(report: dict, db: Path, round_name: str, key: str, pass_alpha: float) -> None:
    assert report["key"] == key and report["pass_alpha"] == pass_alpha
    for trainee, result in report["coders"].items():
        assert list(result["fields"]) == list(COMPARED)
        below = []
        for field in COMPARED:
            mine = independent(key_pairs(db, round_name, trainee, key, field), field)
            got = result["fields"][field]
            assert got["units"] == mine["units"], (trainee, field)
            assert got["percent_agreement"] == pytest.approx(mine["percent_agreement"], abs=1e-12)
            if mine["krippendorff_alpha"] is None:
                assert got["krippendorff_alpha"] is None, (trainee, field)
                reached = mine["percent_agreement"] == 1.0
            else:
                assert got["krippendorff_alpha"] == pytest.approx(mine["krippendorff_alpha"], abs=1e-9), (trainee, field)  # fmt: skip
                assert got["cohen_kappa"] == pytest.approx(mine["cohen_kappa"], abs=1e-9), (trainee, field)  # fmt: skip
                reached = mine["krippendorff_alpha"] >= pass_alpha
            if not reached:
                below.append(field)
        assert result["below"] == below, trainee
        assert result["passed"] is (not below), trainee


def test_trainees_against_a_coder_key_match_an_independent_computation(training, db_path, codebook):
    store, _, _ = training
    rnd = get_round(store, "train")
    report = trainee_report(store, rnd, codebook, bootstrap=0)
    check_report(report, db_path, "train", "kim", 0.7)
    tam, tod = report["coders"]["tam"], report["coders"]["tod"]
    # tam: 16 sentences labeled by the key (not 16, a draft; not 17, skipped),
    # less her skip (5) and the one she left (6).
    assert tam["units"] == 14 and tod["units"] == 15
    assert tam["fields"]["speaker"]["units"] == 13  # her sentence 2 has no speaker
    assert tam["fields"]["claim_type"]["percent_agreement"] == pytest.approx(12 / 14)
    assert tam["fields"]["stance"]["percent_agreement"] == pytest.approx(13 / 14)
    assert tam["passed"] is True and tod["passed"] is False
    assert tod["below"] == ["speaker", "stance", "claim_type"]


def test_trainees_against_the_gold_key(store, codebook, db_path):
    book_id = store.register_codebook(codebook)
    h02 = [s.id for s in sentences(store, "hasakah-02")]
    rng = random.Random(5)
    gold = {sid: claim(rng.choice(CLAIMS), "outlet", rng.choice(STANCES)) for sid in h02[:10]}
    for sid, data in gold.items():
        store.set_gold(sid, "dana", data=data, codebook_id=book_id)
    store.set_gold(h02[10], "dana", status="skipped", codebook_id=book_id)
    for i, sid in enumerate(h02):
        data = dict(gold.get(sid) or claim("denial"))
        if i == 7:
            data["claim_type"] = "denial" if data["claim_type"] != "denial" else "background"
        store.set_label(sid, "tam", data=data, codebook_id=book_id)
    rnd = create_round(store, "train-gold", "training", ["tam"], codebook, by="c", articles=["hasakah-02"], key="gold")  # fmt: skip
    assert rnd.key == "gold" and rnd.pass_alpha == 0.8
    report = trainee_report(store, rnd, codebook, bootstrap=0)
    check_report(report, db_path, "train-gold", "gold", 0.8)
    tam = report["coders"]["tam"]
    assert tam["units"] == 10
    # Everyone said "outlet": alpha is undefined, and full agreement passes.
    assert tam["fields"]["speaker"]["krippendorff_alpha"] is None
    assert tam["fields"]["speaker"]["percent_agreement"] == 1.0
    assert tam["fields"]["claim_type"]["percent_agreement"] == pytest.approx(0.9)
    assert key_answer(store, rnd, h02[10])["status"] == "skipped"
    assert key_answer(store, rnd, h02[11]) is None


def test_feedback_shows_the_keys_answer_field_by_field(training, codebook):
    store, _, h01 = training
    rnd = get_round(store, "train")
    key0 = store.label(h01[0], "kim")["data"]
    mine = dict(store.label(h01[0], "tam")["data"])
    answers = {f: key0[f] for f in COMPARED}
    assert feedback(store, rnd, codebook, h01[0], mine) == Feedback(
        "kim", answers, {"speaker": True, "stance": True, "claim_type": False}, "labeled"
    )
    # The same set of stance pairs in another order matches; confidence is not compared.
    key4 = store.label(h01[4], "kim")["data"]
    shuffled = {**key4, "stance": list(reversed(key4["stance"])), "confidence": "1"}
    result = feedback(store, rnd, codebook, h01[4], shuffled)
    assert result.matched == {"speaker": True, "stance": True, "claim_type": True}
    assert result.all_matched and "confidence" not in result.answers
    missing = feedback(store, rnd, codebook, h01[4], {"claim_type": key4["claim_type"]})
    assert missing.matched == {"speaker": False, "stance": False, "claim_type": True}
    # The key skipped sentence 17: its answer is the skip; a draft is no answer.
    skipped = feedback(store, rnd, codebook, h01[17], {"claim_type": "denial"})
    assert skipped == Feedback("kim", {}, {"speaker": True, "stance": True, "claim_type": False}, "skipped")  # fmt: skip
    assert feedback(store, rnd, codebook, h01[16], mine) is None
    # Only in an open training round with a key, and only for its trainees.
    assert training_round_for(store, "tam", h01[0]) == rnd
    assert training_round_for(store, "kim", h01[0]) is None
    assert training_round_for(store, "tam", sentences(store, "hasakah-02")[0].id) is None
    close_round(store, "train", by="carol")
    assert training_round_for(store, "tam", h01[0]) is None


def test_a_training_round_without_a_key_gives_no_feedback(store, codebook):
    create_round(store, "warmup", "training", ["tam"], codebook, by="c", articles=["hasakah-03"])
    sid = sentences(store, "hasakah-03")[0].id
    assert training_round_for(store, "tam", sid) is None
    pilot = create_round(
        store, "pilot", "pilot", ["tam"], codebook, by="c", articles=["hasakah-04"]
    )
    assert training_round_for(store, "tam", sentences(store, "hasakah-04")[0].id) is None
    assert pilot.key is None


def test_agree_round_reports_the_trainees(training, db_path):
    result = workbench(
        "agree", "--round", "train", "--format", "json", "--bootstrap", "0", db=db_path
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["selection"]["round"] == "train"
    assert report["round"]["key"] == "kim" and report["round"]["pass_alpha"] == 0.7
    assert report["trainees"]["coders"]["tam"]["passed"] is True
    assert report["trainees"]["coders"]["tod"]["passed"] is False
    shown = workbench("round", "show", "train", db=db_path)
    assert shown.returncode == 0, shown.stderr
    assert "answer key: kim (17 of 18 sentences answered); pass: alpha >= 0.700" in shown.stdout
    stats = workbench("stats", "--round", "train", db=db_path)
    assert stats.returncode == 0, stats.stderr
    assert stats.stdout.startswith(
        "round train: training, codebook hasakah-stance 1.1.0, 18 sentences, open\n"
    )


# ==========================================================================
# 8. a schema 2 database migrates, and rounds work on it
# ==========================================================================


def test_a_schema_2_database_migrates_and_takes_rounds(tmp_path):
    path = tmp_path / "v2.db"
    shutil.copy(Path(__file__).parent / "fixtures" / "schema" / "v2.db", path)
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == 2
    labels_before = raw.execute(
        "SELECT sentence_id, coder_id, status, data, note, codebook_id, event_id FROM labels"
        " ORDER BY 1, 2"
    ).fetchall()
    raw.close()
    assert len(labels_before) == 9
    with Store(path) as s:
        assert s.conn.execute("PRAGMA user_version").fetchone()[0] == 5
        assert (
            s.conn.execute(
                "SELECT sentence_id, coder_id, status, data, note, codebook_id, event_id FROM labels"
                " ORDER BY 1, 2"
            ).fetchall()
            == labels_before
        )
        tables = {
            r[0] for r in s.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        assert {*ROUND_TABLES, "rechecks", "codebook_revisions"} <= tables
        book = parse_codebook(*s.latest_codebook())
        assert book.version == "1.1.0"
        rnd = create_round(s, "rel", "reliability", ["amal", "badr"], book, by="carol", articles=["hasakah-01"])  # fmt: skip
        assert rnd.codebook_id == 1 and rnd.sentences == 18
        assert progress(s, rnd) == {"amal": 5, "badr": 4}
        close_round(s, "rel", by="dana")
        first = sentences(s, "hasakah-01")[0].id
        with pytest.raises(SaveError) as caught:
            s.set_label(first, "amal", data=claim("denial"), codebook_id=1)
        assert_names_the_round(str(caught.value))
        with pytest.raises(SaveError):
            s.undo("amal")
        conn = sqlite3.connect(path)
        with pytest.raises(sqlite3.IntegrityError, match="label locked"):
            conn.execute("UPDATE labels SET data = '{}'")
        conn.close()
        # Outside the round, labels are written as ever.
        s.set_label(sentences(s, "hasakah-02")[0].id, "amal", data=claim("denial"), codebook_id=1)
    with Store(path) as s:
        assert s.schema_version == 5
        assert [r.name for r in list_rounds(s)] == ["rel"] and not get_round(s, "rel").is_open
