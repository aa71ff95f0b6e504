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


def fill(session, claim="background", speaker="outlet"):
    """Set every required field (stance defaults to "no stance")."""
    session.set_value("speaker", speaker)
    session.set_value("claim_type", claim)


def test_commit_writes_the_label_and_moves_to_the_next_undone(session, store, db_path):
    session.open_article(article(store, "hasakah-03").id)
    assert session.index == 0
    session.set_value("speaker", "outlet")
    session.toggle_choice("claim_type", "not_a_claim")
    session.toggle_stance("isis", "blame")
    session.set_value("confidence", "3")
    first = session.sentence.id
    assert session.commit().moved_to == 1
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
    fill(session)
    session.commit()
    assert store.label(sid, "amina")["data"]["stance"] == []


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
    fill(session)
    session.commit()
    fill(session)
    session.commit()
    fresh = LabelingSession(store, "amina", load_codebook(CODEBOOK))
    fresh.open_article(a.id)
    assert fresh.index == 0  # sentences 0 and 1 are still undone
    fresh.go(a.sentences - 1)
    fill(fresh)
    assert fresh.commit().moved_to == 0  # wraps to the first undone


def test_article_done_stays_put(session, store):
    a = article(store, "hasakah-04")
    session.open_article(a.id)
    for _ in range(a.sentences - 1):
        fill(session)
        assert session.commit().moved_to is not None
    fill(session)
    result = session.commit()
    assert result.moved_to is None and result.article_done
    assert session.progress().article_done == a.sentences


def test_speaker_is_carried_into_a_continuing_quotation(session, store):
    a = article(store, "hasakah-01")
    session.open_article(a.id)
    # The ministry's quotation continues into the next sentence.
    i = next(i for i, s in enumerate(session.sentences) if s.in_quote)
    session.go(i - 1)
    fill(session, speaker="uk_fcdo")
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
    fill(session, speaker="sdf")
    session.commit()
    session.go(i)
    assert "speaker" not in session.draft.values


def test_skip_and_flag_with_reasons(session, store):
    session.open_article(article(store, "hasakah-05").id)
    a, b = session.sentences[0].id, session.sentences[1].id
    session.commit(status="skipped", note="page chrome")
    session.commit(status="flagged", note="two speakers?")
    assert store.label(a, "amina") == {
        "status": "skipped",
        "data": {"stance": []},
        "note": "page chrome",
    }
    assert store.label(b, "amina")["status"] == "flagged"
    assert store.label(b, "amina")["note"] == "two speakers?"


def test_undo_redo_follow_the_change_back(session, store):
    session.open_article(article(store, "hasakah-02").id)
    fill(session, claim="denial")
    session.commit()
    fill(session)
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
    fill(session)
    session.commit()
    session.open_article(second.id)
    assert session.undo()
    assert session.article.id == first.id and session.index == 0


def test_blind_sessions_never_see_another_coders_labels(store):
    book = load_codebook(CODEBOOK)
    a = article(store, "hasakah-02")
    omar = LabelingSession(store, "omar", book)
    omar.open_article(a.id)
    fill(omar, claim="denial")
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


# -- issue 9: done means done, drafts, undo -------------------------------


def test_enter_on_an_incomplete_sentence_stays_and_names_what_is_missing(session, store):
    session.open_article(article(store, "hasakah-02").id)
    for _ in range(10):  # ten enters on a fresh sentence finish nothing
        result = session.commit()
        assert result.status == "draft" and result.moved_to is None
        assert result.missing == ("Speaker", "Claim type")
    assert session.index == 0
    assert store.label(session.sentence.id, "amina") is None  # nothing typed, nothing saved
    session.toggle_choice("claim_type", "denial")
    result = session.commit()
    assert result.missing == ("Speaker",) and session.index == 0
    # What was typed is saved as a draft: not done, but it survives a crash.
    assert store.label(session.sentence.id, "amina")["status"] == "draft"
    assert session.progress().article_done == 0
    assert store.progress_totals("amina")[0] == 0
    session.set_value("speaker", "outlet")
    assert session.commit().moved_to == 1
    assert store.label(session.sentences[0].id, "amina")["status"] == "labeled"


def test_moving_away_saves_a_draft_and_coming_back_restores_it(session, store, db_path):
    a = article(store, "hasakah-03")
    session.open_article(a.id)
    session.toggle_choice("claim_type", "casualty_figure")
    session.set_value("confidence", "2")
    session.move(-1 if session.index else 1)
    session.move(1 if session.index == 0 else -1)
    assert session.draft.values == {"claim_type": "casualty_figure", "confidence": "2"}
    with Store(db_path) as other:  # on disk, not only in memory
        assert other.label(session.sentence.id, "amina")["status"] == "draft"
    fresh = LabelingSession(store, "amina", load_codebook(CODEBOOK))
    fresh.open_article(a.id)  # a draft is not done: resume lands on it
    assert fresh.index == 0 and fresh.draft.values["claim_type"] == "casualty_figure"
    assert [p.drafts for p in fresh.articles() if p.article.id == a.id] == [1]


def test_moving_over_untouched_sentences_saves_nothing(session, store):
    session.open_article(article(store, "hasakah-02").id)
    for _ in range(5):
        session.move(1)
    assert store.labels_of("amina", session.article.id) == {}


def test_undo_first_undoes_the_draft_and_never_touches_the_committed_label(session, store):
    session.open_article(article(store, "hasakah-02").id)
    session.go(15)
    fill(session, claim="denial")
    session.commit()
    assert session.index == 16
    previous = store.label(session.sentences[15].id, "amina")
    session.set_value("speaker", "sdf")  # picked on sentence 16, not committed
    message = session.undo()
    assert message and "edit" in message
    assert session.index == 16 and "speaker" not in session.draft.values
    assert store.label(session.sentences[15].id, "amina") == previous
    assert session.redo() and session.draft.values["speaker"] == "sdf"
    session.undo()
    # Only now does undo step back through committed changes.
    message = session.undo()
    assert session.index == 15 and "sentence 16" in message
    assert store.label(session.sentences[15].id, "amina") is None


def test_confirming_an_unchanged_label_writes_no_event(session, store):
    session.open_article(article(store, "hasakah-02").id)
    fill(session)
    session.commit()
    session.go(0)
    events = store.conn.execute("SELECT COUNT(*) FROM label_events").fetchone()[0]
    session.commit()
    assert store.conn.execute("SELECT COUNT(*) FROM label_events").fetchone()[0] == events


def test_same_speaker_repeats_the_previous_sentences_speaker(session, store):
    session.open_article(article(store, "hasakah-02").id)
    fill(session, speaker="asayish")
    session.commit()
    assert session.repeat_speaker() == "asayish"
    assert session.draft.values["speaker"] == "asayish"
    session.go(0)
    assert session.repeat_speaker() is None


def test_flagged_and_skipped_labels_carry_no_stance_explicitly(session, store):
    session.open_article(article(store, "hasakah-05").id)
    session.commit(status="flagged", note="?")
    assert store.label(session.sentences[0].id, "amina")["data"] == {"stance": []}


def test_a_refused_write_keeps_the_draft_and_can_be_retried(session, store):
    from workbench.store import SaveError

    session.open_article(article(store, "hasakah-02").id)
    fill(session, claim="denial")
    store.conn.execute("PRAGMA query_only = 1")  # every write now fails, as on a read-only file
    with pytest.raises(SaveError, match=r"read-only|readonly"):
        session.commit()
    assert session.index == 0 and session.draft.values["claim_type"] == "denial"
    with pytest.raises(SaveError):
        session.move(1)  # the draft cannot be saved: the session stays
    assert session.index == 0
    store.conn.execute("PRAGMA query_only = 0")
    assert session.commit().moved_to == 1
    assert store.label(session.sentences[0].id, "amina")["status"] == "labeled"
