"""The whole labeling flow through Pilot, keys only."""

from __future__ import annotations

import asyncio

import pytest

from tests.conftest import TUI_SIZE as SIZE
from tests.conftest import article_id
from workbench.picker import PickerState, PromptState
from workbench.tui.app import WorkbenchApp
from workbench.tui.screens.articles import ArticlesScreen
from workbench.tui.screens.calibration import CalibrationScreen
from workbench.tui.screens.coder import CoderScreen
from workbench.tui.screens.labeling import LabelingScreen
from workbench.tui.screens.modals import HelpScreen


@pytest.fixture
def make_app(store, codebook):
    def make(**kwargs) -> WorkbenchApp:
        kwargs.setdefault("coder", "amina")
        kwargs.setdefault("display", "app")
        return WorkbenchApp(store, codebook, **kwargs)

    return make


def run(app, scenario):
    async def main():
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await scenario(pilot)

    asyncio.run(main())


def test_first_start_asks_coder_and_display_then_remembers(make_app, store):
    async def first(pilot):
        assert isinstance(pilot.app.screen, CoderScreen)
        await pilot.press(*"leila", "enter")
        await pilot.pause()
        assert isinstance(pilot.app.screen, CalibrationScreen)
        await pilot.press("2")
        await pilot.pause()
        assert isinstance(pilot.app.screen, ArticlesScreen)

    run(make_app(coder=None, display=None), first)
    assert store.coder_settings("leila") == {"display": "app"}

    async def again(pilot):
        assert isinstance(pilot.app.screen, ArticlesScreen)  # no calibration twice
        assert pilot.app.display_mode == "app"

    run(make_app(coder="leila", display=None), again)


def test_label_every_field_kind_with_keys(make_app, store):
    aid = article_id(store, "hasakah-02")

    async def scenario(pilot):
        pilot.app.open_article(aid)
        await pilot.pause()
        screen = pilot.app.screen
        assert isinstance(screen, LabelingScreen)
        first = screen.session.sentence.id
        await pilot.press("space")  # speaker picker
        await pilot.pause()
        assert isinstance(screen.box, PickerState)
        await pilot.press(*"قسد", "enter")
        await pilot.press("t", "b")  # stance: blame Turkey
        await pilot.press("n", "b")  # blame UN
        await pilot.press("n", "b")  # again: removed
        await pilot.press("3")  # claim type: attribution
        await pilot.press("@")  # confidence 2
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert isinstance(screen.box, PromptState)
        await pilot.press(*"check date", "enter")
        await pilot.press("enter")  # commit and next
        await pilot.pause()
        assert screen.session.index == 1
        assert store.label(first, "amina") == {
            "status": "labeled",
            "note": "",
            "data": {
                "speaker": "sdf",
                "stance": [{"target": "turkey", "polarity": "blame"}],
                "claim_type": "attribution",
                "confidence": "2",
                "note": "check date",
            },
        }

    run(make_app(), scenario)


def test_escape_cancels_a_pending_stance_target(make_app, store):
    async def scenario(pilot):
        pilot.app.open_article(article_id(store, "hasakah-02"))
        await pilot.pause()
        screen = pilot.app.screen
        await pilot.press("t")
        assert screen.pending_target == "turkey"
        await pilot.press("escape")
        assert screen.pending_target is None
        assert isinstance(pilot.app.screen, LabelingScreen)  # still here
        await pilot.press("t", "z")  # a key that is no polarity cancels too
        assert screen.session.draft.values.get("stance") in (None, [])

    run(make_app(), scenario)


def test_add_a_new_speaker_on_the_spot_created_only_when_committed(make_app, store):
    async def scenario(pilot):
        pilot.app.open_article(article_id(store, "hasakah-05"))
        await pilot.pause()
        screen = pilot.app.screen
        await pilot.press("space", *"مرصد الحسكة", "enter")
        await pilot.pause()
        assert screen.box is not None and screen.box.confirming == "مرصد الحسكة"
        await pilot.press("enter")  # yes, a new speaker
        await pilot.pause()
        assert screen.session.draft.new == {"speaker": "مرصد الحسكة"}
        assert store.find_entity("speaker", "مرصد الحسكه") is None  # not yet
        await pilot.press("ctrl+z")  # undoing the pick leaves nothing behind
        assert "speaker" not in screen.session.draft.values
        await pilot.press("ctrl+y", "8", "enter")
        await pilot.pause()
        key = store.find_entity("speaker", "مرصد الحسكه")  # teh marbuta folded
        assert (
            key and store.label(screen.session.sentences[0].id, "amina")["data"]["speaker"] == key
        )

    run(make_app(), scenario)
    created = [e for e in store.entities("speaker") if e["label"] == "مرصد الحسكة"]
    assert len(created) == 1
    by = store.conn.execute(
        "SELECT c.name FROM entities e JOIN coders c ON c.id = e.created_by WHERE e.label = ?",
        ("مرصد الحسكة",),
    ).fetchall()
    assert by == [("amina",)]


def test_escape_after_picking_new_creates_no_speaker(make_app, store):
    async def scenario(pilot):
        pilot.app.open_article(article_id(store, "hasakah-05"))
        await pilot.pause()
        await pilot.press("space", *"مرصد الحسكة", "enter", "enter", "down", "q")
        await pilot.pause()

    run(make_app(), scenario)
    assert store.find_entity("speaker", "مرصد الحسكة") is None


def test_undo_redo_and_resume_after_restart(make_app, store):
    aid = article_id(store, "hasakah-04")

    async def label_three(pilot):
        pilot.app.open_article(aid)
        await pilot.pause()
        for digit in "127":
            await pilot.press("space", *"outlet", "enter", digit, "enter")
        await pilot.press("ctrl+z")
        await pilot.pause()
        screen = pilot.app.screen
        assert screen.session.index == 2 and screen.session.label_state(2) is None
        await pilot.press("ctrl+z", "ctrl+y")
        await pilot.pause()
        assert screen.session.label_state(1)["data"]["claim_type"] == "military_operation"

    run(make_app(), label_three)

    async def resume(pilot):
        pilot.app.open_article(aid)
        await pilot.pause()
        session = pilot.app.screen.session
        assert session.index == 2  # the first sentence not done
        await pilot.press("ctrl+y")  # redo survives the restart
        await pilot.pause()
        assert session.label_state(2)["data"]["claim_type"] == "denial"

    run(make_app(), resume)


def test_skip_and_flag_take_an_optional_reason(make_app, store):
    aid = article_id(store, "hasakah-03")

    async def scenario(pilot):
        pilot.app.open_article(aid)
        await pilot.pause()
        session = pilot.app.screen.session
        await pilot.press("x", *"chrome", "enter")
        await pilot.press("f", "enter")  # no reason
        await pilot.press("f", "escape")  # cancelled: nothing written
        await pilot.pause()
        assert session.label_state(0) == {
            "status": "skipped",
            "data": {"stance": []},
            "note": "chrome",
        }
        assert session.label_state(1)["status"] == "flagged"
        assert session.label_state(2) is None

    run(make_app(), scenario)


def test_speaker_carried_into_a_continuing_quotation(make_app, store):
    aid = article_id(store, "hasakah-01")

    async def scenario(pilot):
        pilot.app.open_article(aid)
        await pilot.pause()
        session = pilot.app.screen.session
        i = next(i for i, s in enumerate(session.sentences) if s.in_quote)
        session.go(i - 1)
        await pilot.press("space", *"البريطانية", "enter", "8", "enter")
        await pilot.pause()
        assert session.index == i and session.draft.carried == {"speaker"}
        text = pilot.app.screen.query_one("#fields").render()
        assert "carried" in str(text)
        await pilot.press("8", "enter")
        await pilot.pause()
        assert session.label_state(i)["data"]["speaker"] == "uk_fcdo"

    run(make_app(), scenario)


def test_find_jumps_to_a_sentence_by_normalized_arabic(make_app, store):
    async def scenario(pilot):
        pilot.app.open_article(article_id(store, "hasakah-04"))
        await pilot.pause()
        await pilot.press("slash", *"الامم المتحده", "enter")
        await pilot.pause()
        assert isinstance(pilot.app.screen.box, PickerState)
        await pilot.press("enter")
        await pilot.pause()
        session = pilot.app.screen.session
        assert "الأمم المتحدة" in session.sentence.text

    run(make_app(), scenario)


def test_article_list_filters_on_normalized_arabic(make_app, store):
    async def scenario(pilot):
        await pilot.press("slash", *"الاتحاد ميديا")
        await pilot.pause()
        table = pilot.app.screen.query_one("#articles")
        assert table.row_count == 1

    run(make_app(), scenario)


def test_help_shows_bindings_and_codebook_examples(make_app, store, codebook):
    async def scenario(pilot):
        pilot.app.open_article(article_id(store, "hasakah-01"))
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(pilot.app.screen, HelpScreen)
        shown = str(pilot.app.screen.query_one("Static").render())
        for needle in ("ctrl+z", "Undo", "Claim type", "Blame", "e.g."):
            assert needle in shown
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(pilot.app.screen, LabelingScreen)

    run(make_app(display="terminal"), scenario)


def test_display_toggle_is_remembered(make_app, store):
    async def scenario(pilot):
        assert pilot.app.display_mode == "app"
        await pilot.press("ctrl+d")
        assert pilot.app.display_mode == "terminal"

    run(make_app(), scenario)
    assert store.coder_settings("amina")["display"] == "terminal"


def test_blind_other_coders_labels_never_shown(make_app, store):
    aid = article_id(store, "hasakah-02")
    first = store.sentences(aid)[0].id
    store.set_label(first, "omar", data={"claim_type": "denial", "speaker": "isis"})

    async def scenario(pilot):
        pilot.app.open_article(aid)
        await pilot.pause()
        session = pilot.app.screen.session
        assert session.index == 0 and session.draft.values == {}
        assert "0/17" in str(pilot.app.screen.query_one("#status").render())

    run(make_app(), scenario)


def test_article_list_puts_the_coders_assignments_first_and_marks_them(make_app, store):
    from workbench.assign import assign

    assign(store, ["amina"], per_article=1, articles=["hasakah-04", "hasakah-02"])
    assign(store, ["omar"], per_article=1, articles=["hasakah-01"])

    def listed(pilot):
        table = pilot.app.screen.query_one("#articles")
        return [
            (str(table.get_row_at(i)[0]), str(table.get_row_at(i)[1]))
            for i in range(table.row_count)
        ]

    async def amina(pilot):
        assert listed(pilot) == [
            ("●", "hasakah-02"),
            ("●", "hasakah-04"),
            ("", "hasakah-01"),  # omar's, but amina cannot tell: coding stays blind
            ("", "hasakah-03"),
            ("", "hasakah-05"),
        ]
        status = str(pilot.app.screen.query_one("#articles-status").render())
        assert "assigned to you 2: done 0/30" in status
        await pilot.press("enter")  # the cursor starts on the first assignment
        await pilot.pause()
        assert pilot.app.screen.session.article.ext_id == "hasakah-02"

    run(make_app(), amina)

    async def leila(pilot):
        # No assignments: the list as it always was, without the mark column.
        table = pilot.app.screen.query_one("#articles")
        assert [str(c.label) for c in table.columns.values()] == [
            n for n, _ in ArticlesScreen.COLUMNS
        ]
        assert [str(table.get_row_at(i)[0]) for i in range(table.row_count)] == [
            f"hasakah-0{i}" for i in range(1, 6)
        ]

    run(make_app(coder="leila"), leila)
