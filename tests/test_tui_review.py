"""The review screen through Pilot, and its snapshots in both display modes."""

from __future__ import annotations

import pytest

from tests.conftest import TUI_SIZE as SIZE
from tests.test_tui_flow import run
from workbench.picker import PickerState, PromptState
from workbench.tui.review_app import ReviewApp


def make(store, codebook, mode="terminal", **kwargs):
    kwargs.setdefault("adjudicator", "dana")
    return ReviewApp(store, codebook, display=mode, blink=False, **kwargs)


def test_adjudicate_a_sentence_with_the_keyboard_alone(coded, codebook):
    store, _, s = coded
    app = make(store, codebook)

    async def scenario(pilot):
        review = app.review
        assert review.unit.sentence_id == s[3]  # lowest agreement first
        await pilot.press("enter")  # refused: rows undecided, nothing written
        assert store.gold(s[3]) is None
        await pilot.press("j", "m")  # speaker: the majority (sdf)
        await pilot.press("j", "3")  # stance: chadi's (none)
        await pilot.press("j", "e")  # claim type by hand
        assert isinstance(app.screen.box, PickerState)
        await pilot.press(*"denial", "enter")
        await pilot.press("r")
        assert isinstance(app.screen.box, PromptState)
        await pilot.press(*"denies it", "enter")
        await pilot.press("enter")
        await pilot.pause()
        decided = store.gold(s[3])
        assert decided["data"] == {"speaker": "sdf", "stance": [], "claim_type": "denial"}
        assert decided["reason"] == "denies it" and decided["adjudicator"] == "dana"
        assert review.unit.sentence_id != s[3]
        await pilot.press("ctrl+z")
        assert store.gold(s[3]) is None and review.unit.sentence_id == s[3]
        await pilot.press("ctrl+y")
        assert store.gold(s[3]) is not None

    run(app, scenario)


def test_status_taken_from_the_coder_who_skipped(coded, codebook):
    store, _, s = coded
    app = make(store, codebook)

    async def scenario(pilot):
        while app.review.unit.sentence_id != s[4]:
            await pilot.press("n")
        await pilot.press("3")  # status row: chadi skipped it
        await pilot.press("enter")
        await pilot.pause()
        assert store.gold(s[4])["status"] == "skipped"
        assert store.gold(s[4])["data"] == {}

    run(app, scenario)


def test_stance_edited_by_hand_toggles_pairs(coded, codebook):
    store, _, s = coded
    app = make(store, codebook)

    async def scenario(pilot):
        await pilot.press("M", "j", "j", "e")  # stance picker
        await pilot.press(*"demand un", "enter")
        await pilot.press("j", "2", "enter")
        await pilot.pause()
        assert store.gold(s[3])["data"]["stance"] == [{"target": "un", "polarity": "demand"}]

    run(app, scenario)


def test_empty_queue_says_so(store, codebook):
    app = make(store, codebook)

    async def scenario(pilot):
        await pilot.press("enter", "m", "3")
        assert "Nothing to adjudicate" in str(app.screen.query_one("#status").render())

    run(app, scenario)


def test_coder_notes_are_shown_as_text(coded, codebook):
    store, book, s = coded
    store.set_label(
        s[3], "chadi", data={"claim_type": "background", "stance": []},
        note="[bold red]x[/] \x1b[31m\u202e", codebook_id=book,
    )  # fmt: skip
    app = make(store, codebook)

    async def scenario(pilot):
        flags = str(app.screen.query_one("#flags").render())
        assert "chadi: [bold red]x[/]" in flags
        assert "\x1b" not in flags and "\u202e" not in flags

    run(app, scenario)


@pytest.mark.parametrize("mode", ["terminal", "app"])
@pytest.mark.parametrize("size", [(80, 24), SIZE], ids=["80x24", "120x40"])
def test_review_screen_snapshot(snap_compare, coded, codebook, mode, size):
    store, _, _ = coded
    assert snap_compare(make(store, codebook, mode), terminal_size=size, press=["j", "m", "j"])


def test_without_adjudicator_asks_who_is_adjudicating(coded, codebook):
    store, _, s = coded
    app = ReviewApp(store, codebook, display="terminal", blink=False)

    async def scenario(pilot):
        assert "Who is adjudicating?" in str(app.screen.query_one(".dialog-title").render())
        await pilot.press("tab", *"dana", "enter")  # past the list of coders, a new name
        await pilot.pause()
        assert app.review is not None and app.review.adjudicator == "dana"
        assert app.review.unit.sentence_id == s[3]

    run(app, scenario)
