"""The labeling session's rules, without a terminal."""

from __future__ import annotations

import pytest

from tests.conftest import CODEBOOK
from workbench.codebook import load_codebook
from workbench.session import LabelingSession
from workbench.store import Store


@pytest.fixture
def session(store):
    return LabelingSession(store, "amina", load_codebook(CODEBOOK))


def article(store, ext_id):
    return next(a for a in store.articles() if a.ext_id == ext_id)


def test_commit_writes_the_label_and_moves_to_the_next_undone(session, store, db_path):
    session.open_article(article(store, "hasakah-03").id)
    assert session.index == 0
    session.set_value("speaker", "outlet")
    session.toggle_choice("claim_type", "not_a_claim")
    session.toggle_stance("isis", "blame")
    session.set_value("confidence", "3")
    first = session.sentence.id
    assert session.commit() == 1
    with Store(db_path) as other:  # committed, visible to another connection
        assert other.label(first, "amina")["data"] == {
            "speaker": "outlet",
            "claim_type": "not_a_claim",
            "stance": [{"target": "isis", "polarity": "blame"}],
            "confidence": "3",
        }
    assert session.draft.values == {}
    assert session.progress().article_done == 1


def test_enter_without_stance_records_no_stance(session, store):
    session.open_article(article(store, "hasakah-01").id)
    sid = session.sentence.id
    session.commit()
    assert store.label(sid, "amina")["data"] == {"stance": []}


def test_stance_pairs_toggle_and_keep_codebook_order(session, store):
    session.open_article(article(store, "hasakah-01").id)
    session.toggle_stance("un", "blame")
    session.toggle_stance("turkey", "blame")
    session.toggle_stance("global_coalition", "blame")
    session.toggle_stance("turkey", "blame")  # again: removed
    assert session.draft.values["stance"] == [
        {"target": "un", "polarity": "blame"},
        {"target": "global_coalition", "polarity": "blame"},
    ]


def test_resume_at_first_undone_and_wrap_around(session, store):
    a = article(store, "hasakah-04")
    session.open_article(a.id, index=2)
    session.commit()
    session.commit()
    fresh = LabelingSession(store, "amina", load_codebook(CODEBOOK))
    fresh.open_article(a.id)
    assert fresh.index == 0  # sentences 0 and 1 are still undone
    fresh.go(a.sentences - 1)
    assert fresh.commit() == 0  # wraps to the first undone


def test_article_done_stays_put(session, store):
    a = article(store, "hasakah-04")
    session.open_article(a.id)
    for _ in range(a.sentences - 1):
        assert session.commit() is not None
    assert session.commit() is None
    assert session.progress().article_done == a.sentences


def test_speaker_is_carried_into_a_continuing_quotation(session, store):
    a = article(store, "hasakah-01")
    session.open_article(a.id)
    # The ministry's quotation continues into the next sentence.
    i = next(i for i, s in enumerate(session.sentences) if s.in_quote)
    session.go(i - 1)
    session.set_value("speaker", "uk_fcdo")
    session.commit()
    assert session.index == i
    assert session.draft.values["speaker"] == "uk_fcdo"
    assert session.draft.carried == {"speaker"}
    session.set_value("speaker", "global_coalition")  # the coder overrides it
    assert session.draft.carried == set()


def test_not_carried_outside_quotations(session, store):
    session.open_article(article(store, "hasakah-01").id)
    i = next(i for i, s in enumerate(session.sentences) if i and not s.in_quote)
    session.go(i - 1)
    session.set_value("speaker", "sdf")
    session.commit()
    session.go(i)
    assert "speaker" not in session.draft.values


def test_skip_and_flag_with_reasons(session, store):
    session.open_article(article(store, "hasakah-05").id)
    a, b = session.sentences[0].id, session.sentences[1].id
    session.commit(status="skipped", note="page chrome")
    session.commit(status="flagged", note="two speakers?")
    assert store.label(a, "amina") == {"status": "skipped", "data": {}, "note": "page chrome"}
    assert store.label(b, "amina")["status"] == "flagged"
    assert store.label(b, "amina")["note"] == "two speakers?"


def test_undo_redo_follow_the_change_back(session, store):
    session.open_article(article(store, "hasakah-02").id)
    session.toggle_choice("claim_type", "denial")
    session.commit()
    session.commit()
    assert session.index == 2
    assert session.undo() and session.index == 1
    assert session.label_state(1) is None
    assert session.undo() and session.index == 0 and session.label_state(0) is None
    assert session.redo() and session.index == 0
    assert session.draft.values["claim_type"] == "denial"
    assert session.redo() and session.label_state(1) is not None
    assert not session.redo()  # nothing left to redo


def test_undo_reaches_into_another_article(session, store):
    first, second = article(store, "hasakah-01"), article(store, "hasakah-02")
    session.open_article(first.id)
    session.commit()
    session.open_article(second.id)
    assert session.undo()
    assert session.article.id == first.id and session.index == 0


def test_blind_sessions_never_see_another_coders_labels(store):
    book = load_codebook(CODEBOOK)
    a = article(store, "hasakah-02")
    omar = LabelingSession(store, "omar", book)
    omar.open_article(a.id)
    omar.toggle_choice("claim_type", "denial")
    omar.commit()
    amina = LabelingSession(store, "amina", book)
    amina.open_article(a.id)
    assert amina.index == 0 and amina.labels == {} and amina.draft.values == {}
    assert [p.done for p in amina.articles() if p.article.id == a.id] == [0]


def test_find_matches_normalized_arabic(session, store):
    hits = session.find("الامم المتحده")  # no hamza, heh for teh marbuta
    assert hits and all("الأمم المتحدة" in h.text for h in hits)
    assert session.find("تركيّة")  # diacritic in the query
    assert session.find("") == []
    only = session.find("داعش", article_id=article(store, "hasakah-04").id)
    assert only and {h.article_id for h in only} == {article(store, "hasakah-04").id}
