"""Keys land where the coder meant them: in the order typed, on the sentence
on screen when typed, at any speed (issue 9). Keys are posted all at once,
without waiting between them, as a terminal delivers a fast typist's keys."""

from __future__ import annotations

import asyncio
import random

from textual import events

from tests.conftest import TUI_SIZE as SIZE
from tests.conftest import article_id
from tests.test_tui_flow import run
from workbench.tui.app import WorkbenchApp
from workbench.tui.review_app import ReviewApp
from workbench.tui.screens.articles import ArticlesScreen
from workbench.tui.screens.coder import CoderScreen
from workbench.tui.screens.labeling import LabelingScreen

_NAMES = {" ": "space", '"': "quotation_mark", "\n": "enter"}


def burst(app, keys) -> None:
    """Post every key at once: none is read before the previous is handled."""
    for key in keys:
        if len(key) == 1:
            app.post_message(events.Key(_NAMES.get(key, key), key if key != "\n" else "\r"))
        else:
            app.post_message(events.Key(key, None))


def test_a_whole_article_typed_in_one_burst_lands_sentence_by_sentence(store, codebook):
    aid = article_id(store, "hasakah-02")
    n = len(store.sentences(aid))
    claims = codebook.field("claim_type").value_ids
    digits = [random.Random(7).randint(1, 9) for _ in range(n)]
    app = WorkbenchApp(store, codebook, coder="amina", display="terminal", open_article=aid)

    async def scenario(pilot):
        keys: list[str] = []
        for i, d in enumerate(digits):
            # The picker for the first sentence, "same speaker" for the rest.
            keys += [" ", *"outlet", "enter"] if i == 0 else ['"']
            keys += [str(d), "enter"]
        burst(pilot.app, keys)
        await pilot.pause(0.5)

    run(app, scenario)
    labels = store.labels_of("amina", aid)
    got = [labels[s.id]["data"].get("claim_type") for s in store.sentences(aid)]
    assert got == [claims[d - 1] for d in digits]
    assert {labels[s.id]["data"]["speaker"] for s in store.sentences(aid)} == {"outlet"}


def test_digits_typed_right_after_enter_go_to_the_next_sentence(store, codebook):
    aid = article_id(store, "hasakah-04")
    app = WorkbenchApp(store, codebook, coder="amina", display="terminal", open_article=aid)

    async def scenario(pilot):
        burst(pilot.app, [" ", *"outlet", "enter", "1", "enter", '"', "7", "enter", '"', "2"])
        await pilot.pause(0.3)
        session = pilot.app.screen.session
        assert session.index == 2 and session.draft.values.get("claim_type") == "military_operation"

    run(app, scenario)
    first, second = store.sentences(aid)[:2]
    assert store.label(first.id, "amina")["data"]["claim_type"] == "casualty_figure"
    assert store.label(second.id, "amina")["data"]["claim_type"] == "denial"


def test_ten_enters_finish_nothing(store, codebook):
    aid = article_id(store, "hasakah-04")
    app = WorkbenchApp(store, codebook, coder="amina", display="terminal", open_article=aid)

    async def scenario(pilot):
        burst(pilot.app, ["enter"] * 10)
        await pilot.pause(0.3)
        assert pilot.app.screen.session.index == 0
        assert "needs: Speaker, Claim type" in str(pilot.app.screen.query_one("#flags").render())

    run(app, scenario)
    assert store.labels_of("amina", aid) == {}


def test_keys_typed_into_the_reason_prompt_in_one_burst(store, codebook):
    aid = article_id(store, "hasakah-03")
    app = WorkbenchApp(store, codebook, coder="amina", display="terminal", open_article=aid)

    async def scenario(pilot):
        burst(pilot.app, ["x", *"chrome", "enter", "f", *"who?", "enter", "x", "enter"])
        await pilot.pause(0.3)

    run(app, scenario)
    s = store.sentences(aid)
    assert [store.label(x.id, "amina")["status"] for x in s[:3]] == [
        "skipped",
        "flagged",
        "skipped",
    ]
    assert [store.label(x.id, "amina")["note"] for x in s[:3]] == ["chrome", "who?", ""]


def test_q_quits_from_the_list_and_the_labeling_screen(store, codebook):
    for kwargs in ({}, {"open_article": article_id(store, "hasakah-01")}):
        app = WorkbenchApp(store, codebook, coder="amina", display="terminal", **kwargs)

        expected = LabelingScreen if kwargs else ArticlesScreen

        async def scenario(pilot, expected=expected):
            assert isinstance(pilot.app.screen, expected)
            await pilot.press("q")
            await pilot.pause()
            assert not pilot.app.is_running

        run(app, scenario)


def test_q_saves_the_draft_before_quitting(store, codebook):
    aid = article_id(store, "hasakah-01")
    app = WorkbenchApp(store, codebook, coder="amina", display="terminal", open_article=aid)

    async def scenario(pilot):
        burst(pilot.app, ["3", "q"])
        await pilot.pause()

    run(app, scenario)
    first = store.sentences(aid)[0]
    assert store.label(first.id, "amina") == {
        "status": "draft",
        "data": {"claim_type": "attribution"},
        "note": "",
    }


def test_q_is_typed_not_quit_inside_a_prompt(store, codebook):
    aid = article_id(store, "hasakah-01")
    app = WorkbenchApp(store, codebook, coder="amina", display="terminal", open_article=aid)

    async def scenario(pilot):
        burst(pilot.app, ["x", *"qq", "enter"])
        await pilot.pause()
        assert pilot.app.is_running

    run(app, scenario)
    assert store.label(store.sentences(aid)[0].id, "amina")["note"] == "qq"


def test_the_typed_name_is_the_coder_even_when_others_exist(store, codebook):
    store.ensure_coder("amina")
    app = WorkbenchApp(store, codebook, display="terminal")

    async def scenario(pilot):
        assert isinstance(pilot.app.screen, CoderScreen)
        burst(pilot.app, [*"omar", "enter"])
        await pilot.pause()
        assert pilot.app.session.coder == "omar"
        assert isinstance(pilot.app.screen, ArticlesScreen)

    run(app, scenario)
    assert "omar" in store.coders()


def test_enter_without_a_name_takes_no_highlighted_coder(store, codebook):
    store.ensure_coder("amina")
    app = WorkbenchApp(store, codebook, display="terminal")

    async def scenario(pilot):
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(pilot.app.screen, CoderScreen) and pilot.app.session is None
        await pilot.press("down", "enter")  # chosen with the arrows: taken
        await pilot.pause()
        assert pilot.app.session.coder == "amina"

    run(app, scenario)


def test_keys_typed_before_the_first_screen_are_kept(store, codebook):
    store.ensure_coder("amina")
    app = WorkbenchApp(store, codebook, display="terminal")

    async def main():
        async with app.run_test(size=SIZE) as pilot:
            burst(app, [*"leila", "enter"])  # posted before the coder screen is up
            await pilot.pause(0.3)
            assert app.session is not None and app.session.coder == "leila"

    asyncio.run(main())


def test_review_coder_digits_typed_in_one_burst(coded, codebook):
    store, _, _ = coded
    app = ReviewApp(store, codebook, adjudicator="dana", display="terminal", blink=False)
    taken: dict[int, int] = {}

    async def scenario(pilot):
        review = pilot.app.review
        queue = [item.sentence_id for item in review.items]
        rows = len(review.rows)
        keys: list[str] = []
        for n, sentence_id in enumerate(queue[:2]):
            coder = 1 + n % 2  # the first sentence from coder 1, the next from coder 2
            taken[sentence_id] = coder
            for r in range(rows):
                keys += [str(coder)] + (["j"] if r < rows - 1 else [])
            keys.append("enter")
        burst(pilot.app, keys)
        await pilot.pause(0.3)
        taken["coders"] = review.coders  # type: ignore[index]

    run(app, scenario)
    coders = taken.pop("coders")  # type: ignore[call-overload]
    for sentence_id, coder in taken.items():
        gold = store.gold(sentence_id)
        assert gold is not None, "every typed commit landed"
        label = store.label(sentence_id, coders[coder - 1])
        assert gold["data"]["claim_type"] == label["data"].get("claim_type")


def test_esc_and_a_key_read_as_one_alt_sequence_are_both_applied(store, codebook):
    # A terminal sends esc as a lone ESC byte; ESC q read together is alt+q.
    aid = article_id(store, "hasakah-01")
    app = WorkbenchApp(store, codebook, coder="amina", display="terminal", open_article=aid)

    async def scenario(pilot):
        burst(pilot.app, ["t"])  # a half-typed stance pair: esc cancels it
        pilot.app.post_message(events.Key("alt+b", "b"))  # esc, then b: no pair made
        await pilot.pause()
        assert pilot.app.screen.session.draft.values.get("stance") in (None, [])
        burst(pilot.app, ["3"])
        pilot.app.post_message(events.Key("alt+q", "q"))  # esc (back, draft saved), q (quit)
        await pilot.pause(0.3)
        assert not pilot.app.is_running

    run(app, scenario)
    assert store.label(store.sentences(aid)[0].id, "amina")["status"] == "draft"
