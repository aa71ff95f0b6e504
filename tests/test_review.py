"""The adjudicator's session: drafts, taking values, majority, commit, undo."""

from __future__ import annotations

from workbench.review import UNDECIDED, ReviewSession


def test_draft_starts_from_agreement_and_commit_needs_every_row(coded, codebook):
    store, _, s = coded
    review = ReviewSession(store, "dana", codebook)
    assert review.items[0].sentence_id == s[3]
    assert review.coders == ["amal", "badr", "chadi"]
    assert [r.name for r in review.rows] == ["status", "speaker", "stance", "claim_type"]
    assert review.draft["status"] == "labeled"
    assert review.missing() == ["speaker", "stance", "claim_type"]
    assert not review.commit()
    assert store.gold(s[3]) is None
    review.move_cursor(1)  # speaker: amal and badr say sdf, chadi left it unset
    assert review.take_majority() is None and review.draft["speaker"] == "sdf"
    review.move_cursor(1)
    assert review.take(3) is None and review.draft["stance"] == []
    review.move_cursor(1)
    assert review.take_majority() == "no majority"
    assert review.take(2) is None and review.draft["claim_type"] == "denial"
    assert review.take(7) == "no coder 7 on this sentence"
    review.reason = "the SDF denies"
    assert review.commit()
    decided = store.gold(s[3])
    assert decided["data"] == {"speaker": "sdf", "stance": [], "claim_type": "denial"}
    assert decided["adjudicator"] == "dana" and decided["reason"] == "the SDF denies"
    assert decided["agreed_with"]["claim_type"] == ["badr"]
    assert decided["basis"] == {
        c: e
        for c, e in store.conn.execute(
            "SELECT c.name, l.event_id FROM labels l JOIN coders c ON c.id = l.coder_id"
            " WHERE l.sentence_id = ?",
            (s[3],),
        )
    }
    assert review.unit.sentence_id != s[3] and review.unit.gold is None


def test_skip_status_majority_for_all_rows_and_hand_edits(coded, codebook):
    store, _, s = coded
    review = ReviewSession(store, "dana", codebook)
    while review.unit.sentence_id != s[4]:
        review.move(1)
    assert review.draft["status"] is UNDECIDED  # two labeled, one skipped
    assert review.take(3) is None and review.draft["status"] == "skipped"
    assert review.missing() == []
    review.move_cursor(1)
    assert review.take(3) == "chadi skipped this sentence: no speaker to take"
    assert review.take_majority(every_row=True) == "no undecided field has a majority"
    review.move_cursor(-1)
    assert review.take_majority() is None and review.draft["status"] == "labeled"
    assert review.draft["speaker"] == "sdf"  # amal and badr agree; chadi skipped
    review.set_value("speaker", "asayish")
    review.toggle_pair("stance", "un", "demand")
    review.toggle_pair("stance", "turkey", "blame")  # was there: removed
    assert review.draft["stance"] == [{"target": "un", "polarity": "demand"}]
    assert review.commit()
    assert store.gold(s[4])["data"]["stance"] == [{"target": "un", "polarity": "demand"}]


def test_undo_redo_and_withdraw_follow_the_sentence(coded, codebook):
    store, _, s = coded
    review = ReviewSession(store, "dana", codebook)
    first = review.unit.sentence_id
    review.take_majority(every_row=True)
    review.set_value("claim_type", "background")
    review.set_value("stance", [])
    assert review.decided_count() == 0
    assert review.commit()
    assert review.unit.sentence_id != first and review.decided_count() == 1
    assert review.undo() == first
    assert review.unit.sentence_id == first and store.gold(first) is None
    assert review.decided_count() == 0
    assert review.redo() == first and store.gold(first) is not None
    assert review.decided_count() == 1
    assert review.withdraw() and store.gold(first) is None
    assert review.decided_count() == 0
    assert review.draft["claim_type"] is UNDECIDED
    # A flag is not a gold status: taking the flagging coder's status means labeled.
    while review.unit.sentence_id != s[6]:
        review.move(1)
    assert review.take(2) is None and review.draft["status"] == "labeled"
    # A restart finds the queue without the decided sentences.
    review.take_majority(every_row=True)
    assert review.commit()
    again = ReviewSession(store, "dana", codebook)
    assert s[6] not in {u.sentence_id for u in again.items}
