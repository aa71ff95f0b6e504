"""Speaker search: names as the corpus prints them find the right seed entity."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from workbench.codebook import load_codebook
from workbench.speakers import (
    Speaker,
    SpeakerIndex,
    one_edit,
    reference_search,
    stem,
    words,
)
from workbench.store import Store

from .conftest import CODEBOOK

BOOK = load_codebook(CODEBOOK)
SEED = [
    Speaker(v.id, v.label, v.label_ar, v.aliases, None)
    for f in BOOK.fields
    if f.kind == "entity"
    for v in f.values
]
INDEX = SpeakerIndex(SEED)
LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"


@pytest.fixture
def seeded(store: Store) -> Store:
    store.register_codebook(load_codebook(CODEBOOK))
    return store


# The names as the articles print them (or as a coder types them), and the
# seed entity of labels/hasakah.toml each must find first.
CORPUS_NAMES = [
    ("قوات التحالف الدولي", "global_coalition"),  # contains two of its names
    ("تنظيم داعش الإرهابي", "isis"),  # contains "تنظيم داعش"
    ("التحالف الدولي ضد داعش", "global_coalition"),  # the longer contained name wins
    ("قوات سوريا الديموقراطية", "sdf"),  # one letter more than the label
    ("جون برنان", "global_coalition"),  # برينان one letter short
    ("عَلي حجّو", "autonomous_administration"),  # harakat
    ("قسد", "sdf"),
    ("coalition", "global_coalition"),  # English, inside "Global Coalition"
    ("التحا", "global_coalition"),  # typed so far
    ("لقوات سوريا الديمقراطية", "sdf"),  # proclitic ل
    ("والتحالف الدولي", "global_coalition"),  # proclitic و
    ("للتحالف", "global_coalition"),  # لل = ال
    ("وأضاف “برينان”", "global_coalition"),  # as printed, quotes and all
]


@pytest.mark.parametrize(("query", "key"), CORPUS_NAMES)
def test_corpus_names_find_their_seed_entity_first(seeded, query, key):
    index = SpeakerIndex.from_store(seeded, "speaker")
    found = index.search(query)
    assert found, query
    assert found[0].key == key, [(m.key, m.matched) for m in found]
    assert found[0].full
    assert found == reference_search(index.speakers, query)


def test_the_contained_longer_name_outranks_a_shorter_one():
    found = INDEX.search("التحالف الدولي ضد داعش")
    keys = [m.key for m in found]
    assert keys.index("global_coalition") < keys.index("isis")
    assert found[0].matched == "التحالف الدولي"
    assert next(m for m in found if m.key == "isis").matched == "داعش"


def test_a_partial_overlap_is_a_candidate_below_full_matches():
    found = INDEX.search("مصدر عسكري")
    assert [m.key for m in found] == ["security_source"]
    assert not found[0].full and found[0].score > 0
    # "قوات" alone begins several names: every full match before the partial ones.
    mixed = INDEX.search("قوات التحالف الدولي")
    fulls = [m.full for m in mixed]
    assert fulls == sorted(fulls, reverse=True) and fulls[0] and not fulls[-1]


def test_a_query_inside_a_long_name_finds_it():
    found = INDEX.search("وزارة الخارجية")
    assert "uk_fcdo" in [m.key for m in found]
    assert found[0].matched == "وزارة الخارجية والتنمية البريطانية"


def test_one_match_per_entity_under_its_best_name():
    found = INDEX.search("التحالف الدولي")
    assert [m.key for m in found].count("global_coalition") == 1
    assert found[0].matched == "التحالف الدولي" and found[0].key == "global_coalition"


def test_a_name_matching_nothing_finds_nothing():
    found = INDEX.search("وزارة الصحة العالمية")  # only وزارة is shared
    assert [m.key for m in found] == ["uk_fcdo"] and not found[0].full
    assert INDEX.search("zzzz qqqq") == []


def test_empty_query_lists_preferred_then_registry_order():
    assert [m.key for m in INDEX.search("")] == [s.key for s in SEED]
    found = INDEX.search("  ", prefer=["isis", "outlet", "nobody"])
    assert [m.key for m in found[:3]] == ["isis", "outlet", "sdf"]
    assert len(INDEX.search("", limit=3)) == 3


def test_prefer_breaks_ties_only():
    # Both are names one word long beginning with ا: a tie.
    plain = [m.key for m in INDEX.search("ا")]
    preferred = [m.key for m in INDEX.search("ا", prefer=["isis"])]
    assert plain != preferred
    assert preferred[0] == "isis" or preferred.index("isis") < plain.index("isis")
    # It never lifts a worse match over a better one.
    assert INDEX.search("قسد", prefer=["isis"])[0].key == "sdf"


def test_limit_and_trailing_space_end_the_prefix():
    assert len(INDEX.search("ا", limit=2)) == 2
    assert INDEX.search("التحا ") == []  # a finished word is compared whole
    assert INDEX.search("التحا")[0].key == "global_coalition"


def test_exact_names_by_normalized_spelling():
    assert INDEX.exact("عَلي حجّو") == "autonomous_administration"
    assert INDEX.exact("قوات سورية الديمقراطيّة") == "sdf"
    assert INDEX.exact("  syrian   democratic forces ") == "sdf"
    assert INDEX.exact("حجو علي") is None
    assert INDEX.exact("التحالف الدولي ضد داعش") is None


def test_merged_entities_are_never_offered(seeded):
    from workbench.registry import merge_speakers

    merge_speakers(seeded, "speaker", "security_source", "outlet")
    index = SpeakerIndex.from_store(seeded, "speaker")
    assert "security_source" not in [s.key for s in index.speakers]
    found = index.search("مصدر أمني")
    assert found[0].key == "outlet"  # its names moved along
    assert all(m.key != "security_source" for m in index.search(""))


def test_words_and_stems():
    assert words("وقال “جون برينان”،") == ["وقال", "جون", "برينان"]
    assert stem("لقوات") == "قوات"
    assert stem("والتحالف") == "التحالف"
    assert stem("للتحالف") == "التحالف"
    assert stem("بالحسكه") == "الحسكه"
    assert stem("وفد") == "وفد"  # too short to be a proclitic
    assert one_edit("برنان", "برينان") and one_edit("داعش", "داعس")
    assert not one_edit("داعش", "داعش") and not one_edit("حجو", "جحو")


# -- properties -----------------------------------------------------------------------

ALL_NAMES = [(s.key, name) for s in SEED for name in s.names]


@given(st.sampled_from(ALL_NAMES))
def test_every_name_of_every_entity_finds_it_first(pair):
    key, name = pair
    assert INDEX.search(name)[0].key == key


@given(st.sampled_from(ALL_NAMES), st.data())
def test_a_one_letter_typo_in_a_long_word_still_finds_it(pair, data):
    key, name = pair
    raws = words(name)
    long_words = [i for i, w in enumerate(raws) if len(stem(w)) >= 6]
    assume(long_words)
    i = data.draw(st.sampled_from(long_words))
    word = raws[i]
    at = data.draw(st.integers(2, len(word) - 1))
    letter = data.draw(st.sampled_from(LETTERS))
    kind = data.draw(st.sampled_from(["insert", "delete", "substitute"]))
    typo = {
        "insert": word[:at] + letter + word[at:],
        "delete": word[:at] + word[at + 1 :],
        "substitute": word[:at] + letter + word[at + 1 :],
    }[kind]
    assume(typo != word)
    query = " ".join([*raws[:i], typo, *raws[i + 1 :]])
    found = INDEX.search(query + " ")  # typed out, not a prefix
    assert found[0].key == key, (query, [(m.key, m.matched) for m in found[:3]])


@given(st.sampled_from(ALL_NAMES), st.data())
def test_typing_a_name_letter_by_letter_keeps_it_found(pair, data):
    key, name = pair
    cut = data.draw(st.integers(1, len(name)))
    assume(name[:cut].strip())
    assert key in [m.key for m in INDEX.search(name[:cut], limit=len(SEED))]


def _registry(draw: st.DrawFn) -> list[Speaker]:
    vocabulary = draw(
        st.lists(st.text(alphabet=LETTERS, min_size=2, max_size=7), min_size=3, max_size=12)
    )

    def name() -> str:
        ws = draw(st.lists(st.sampled_from(vocabulary), min_size=1, max_size=4))
        return " ".join(draw(st.sampled_from(["", "و", "ل", "ال", "بال"])) + w for w in ws)

    n = draw(st.integers(1, 12))
    return [
        Speaker(
            f"k{i}", name(), name(), tuple(name() for _ in range(draw(st.integers(0, 3)))), None
        )
        for i in range(n)
    ]


@st.composite
def registry_and_query(draw: st.DrawFn) -> tuple[list[Speaker], str, int, list[str]]:
    speakers = _registry(draw)
    pool = [w for s in speakers for n in s.names for w in n.split()]
    parts = []
    for _ in range(draw(st.integers(0, 4))):
        word = draw(st.sampled_from(pool))
        edit = draw(st.sampled_from(["whole", "prefix", "typo", "clitic", "other"]))
        if edit == "prefix":
            word = word[: draw(st.integers(1, len(word)))]
        elif edit == "typo" and len(word) > 1:
            at = draw(st.integers(0, len(word) - 1))
            word = word[:at] + draw(st.sampled_from(LETTERS)) + word[at + 1 :]
        elif edit == "clitic":
            word = draw(st.sampled_from(["و", "ف", "ب", "ل", "لل"])) + word
        elif edit == "other":
            word = draw(st.text(alphabet=LETTERS, min_size=1, max_size=6))
        parts.append(word)
    query = " ".join(parts) + draw(st.sampled_from(["", " "]))
    limit = draw(st.integers(1, 8))
    prefer = draw(st.lists(st.sampled_from([s.key for s in speakers] + ["missing"]), max_size=3))
    return speakers, query, limit, prefer


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(registry_and_query())
def test_the_index_answers_exactly_as_the_reference_scan(case):
    speakers, query, limit, prefer = case
    index = SpeakerIndex(speakers)
    assert index.search(query, limit, prefer) == reference_search(speakers, query, limit, prefer)


def test_short_prefixes_answer_as_the_reference_on_a_large_registry():
    # Hundreds of names share every short prefix: the precomputed lists decide.
    import random

    rng = random.Random(7)
    vocabulary = ["".join(rng.choice(LETTERS) for _ in range(rng.randint(3, 6))) for _ in range(60)]

    def name() -> str:
        return " ".join(rng.choice(["", "ال", "و", "بال"]) + rng.choice(vocabulary) for _ in "ab")

    speakers = [Speaker(f"k{i}", name(), name(), (name(),), None) for i in range(400)]
    index = SpeakerIndex(speakers)
    for query in ["ا", "ال", "بال", "و", "ب", "ولا", "لالم", vocabulary[0][:2], "x " + "ال"]:
        for prefer in ([], ["k399", "k5"]):
            got = index.search(query, 10, prefer)
            assert got == reference_search(speakers, query, 10, prefer), query
            if query in ("ا", "ال", "و"):
                assert len(got) == 10
