"""Arabic reads right on every surface of the labeling screens (issue 10),
through Pilot: what reaches the screen, at 80x24 and 120x40, in both modes."""

from __future__ import annotations

import asyncio

import pytest
from rich.cells import cell_len

from tests.conftest import article_id
from workbench.corpus import import_paths
from workbench.display import RLM, unshaped_arabic
from workbench.tui.app import WorkbenchApp
from workbench.tui.screens.calibration import CalibrationScreen

SIZES = [(80, 24), (120, 40)]


def screen_lines(app) -> list[str]:
    return ["".join(s.text for s in strip) for strip in app.screen._compositor.render_strips()]


def arabic_drawn_bold(app) -> list[str]:
    """Text drawn bold that holds Arabic (bold DejaVu Sans Mono lacks the
    presentation forms, so xterm drew final ي without its dots)."""
    found = []
    for strip in app.screen._compositor.render_strips():
        for segment in strip:
            arabic = any(
                "\u0600" <= c <= "\u06ff" or "\ufb50" <= c <= "\ufeff" for c in segment.text
            )
            if arabic and segment.style is not None and segment.style.bold:
                found.append(segment.text)
    return found


def unshaped_on(app) -> list[str]:
    return [line for line in screen_lines(app) if unshaped_arabic(line)]


def run(app, size, scenario):
    async def main():
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            await scenario(pilot)

    asyncio.run(main())


def labeling(store, codebook, mode, ext_id="hasakah-01", index=0):
    return WorkbenchApp(
        store, codebook, coder="amina", display=mode, open_article=article_id(store, ext_id)
    )


@pytest.mark.parametrize("size", SIZES)
def test_app_mode_puts_no_unshaped_arabic_on_any_labeling_surface(store, codebook, size):
    async def scenario(pilot):
        app = pilot.app
        seen = {"labeling": unshaped_on(app)}
        await pilot.press("question_mark")
        await pilot.pause()
        seen["help"] = unshaped_on(app)
        await pilot.press("pagedown", "pagedown")
        await pilot.pause()
        seen["help, further down"] = unshaped_on(app)
        await pilot.press("escape", "space")
        for c in "قسد":
            await pilot.press(c)
        await pilot.pause()
        seen["speaker picker with an Arabic query"] = unshaped_on(app)
        for c in "xشاهد عيان":
            await pilot.press(c)
        await pilot.pause()
        seen["picker offering + add new"] = unshaped_on(app)
        await pilot.press("escape", "ctrl+n", *"ملاحظة عن (السجن)")
        await pilot.pause()
        seen["note prompt"] = unshaped_on(app)
        await pilot.press("enter", "slash", *"سجن", "enter")
        await pilot.pause()
        seen["find results"] = unshaped_on(app)
        await pilot.press("escape")
        app.screen.say("Added speaker: علي حجو (الرئيس المشترك لهيئة الداخلية)")
        await pilot.pause()
        seen["toast"] = unshaped_on(app)
        await pilot.press("x", *"غير واضح", "enter")
        await pilot.pause()
        seen["reason shown after a skip"] = unshaped_on(app)
        assert {where: lines for where, lines in seen.items() if lines} == {}

    run(labeling(store, codebook, "app"), size, scenario)


@pytest.mark.parametrize("mode", ["app", "terminal"])
@pytest.mark.parametrize("size", SIZES)
def test_arabic_is_never_drawn_bold(store, codebook, mode, size):
    async def scenario(pilot):
        await pilot.press("space", "enter")  # a speaker with an Arabic name
        await pilot.pause()
        assert arabic_drawn_bold(pilot.app) == []
        await pilot.press("question_mark")
        await pilot.pause()
        assert arabic_drawn_bold(pilot.app) == []

    run(labeling(store, codebook, mode), size, scenario)


def test_brackets_are_mirrored_in_app_mode(store, codebook):
    async def scenario(pilot):
        text = "\n".join(screen_lines(pilot.app))
        assert "(ﻦﺠﺴﻟﺍ ﻲﻔﻇﻮﻣ)" in text  # "(موظفي السجن)", read right to left
        assert ")ﻦﺠﺴﻟﺍ ﻲﻔﻇﻮﻣ(" not in text

    run(labeling(store, codebook, "app"), (120, 40), scenario)


@pytest.mark.parametrize("size", SIZES)
def test_terminal_mode_right_aligns_arabic_lines(store, codebook, size):
    async def scenario(pilot):
        arabic = [line for line in screen_lines(pilot.app) if RLM in line]
        assert len(arabic) >= 3
        width = size[0]
        for line in arabic:
            # The Arabic ends (logically: its RLM) at the right of its box.
            end = line.rindex(RLM)
            assert end >= width - 4, line
        # and short lines start far from the left margin
        assert any(line.index(RLM) > width // 3 for line in arabic)

    run(labeling(store, codebook, "terminal"), size, scenario)


def test_a_tall_terminal_shows_more_context_and_a_small_one_the_whole_sentence(store, codebook):
    def context_lines(app):
        return [
            line for line in app.screen.query_one("#context").render().plain.split("\n") if line
        ]

    shown = {}

    for size in SIZES:

        async def scenario(pilot, size=size):
            for _ in range(5):
                await pilot.press("down")
            await pilot.pause()
            app = pilot.app
            box = app.screen.query_one("#context")
            lines = context_lines(app)
            assert len(lines) <= box.content_region.height
            shown[size] = len(lines)
            # Every line of the current sentence is on screen.
            session = app.screen.session
            from workbench.display import display_lines

            current = display_lines(session.sentence.text, box.content_region.width, "app")
            text = "\n".join(screen_lines(app))
            for line in current:
                assert line.strip() in text

        run(labeling(store, codebook, "app", "hasakah-01"), size, scenario)
    # 120x40 uses its height: far more than one sentence each side.
    assert shown[(120, 40)] >= 2 * shown[(80, 24)]
    assert shown[(120, 40)] >= 12


@pytest.mark.parametrize("size", SIZES)
def test_the_field_panel_keeps_to_its_lines_at_80_columns(store, codebook, size):
    async def scenario(pilot):
        fields = pilot.app.screen.query_one("#fields")
        lines = fields.render().plain.split("\n")
        width = fields.content_region.width
        assert all(cell_len(line) <= width for line in lines)
        # Five fields, choices in at most two lines each (three when tall).
        assert len(lines) <= (5 + 2 + 2 if size[1] < 32 else 5 + 4 + 4)
        # Items are never split between a key and its label.
        assert not any(line.rstrip().endswith((" d", " t", " n")) for line in lines)

    run(labeling(store, codebook, "app"), size, scenario)


@pytest.mark.parametrize("mode", ["app", "terminal"])
@pytest.mark.parametrize("size", SIZES)
def test_calibration_shows_its_whole_instruction_and_two_samples_that_fit(
    store, codebook, mode, size
):
    async def scenario(pilot):
        assert isinstance(pilot.app.screen, CalibrationScreen)
        text = " ".join(" ".join(line.strip(" █") for line in screen_lines(pilot.app)).split())
        assert "and the full stop at the left end." in text
        assert "1 line 1 reads right" in text
        samples = list(pilot.app.screen.query(".sample"))
        assert len(samples) == 2
        for sample in samples:
            for line in sample.render().plain.split("\n"):
                assert cell_len(line) <= sample.content_region.width
        app_sample = samples[1].render().plain
        assert unshaped_arabic(app_sample) == []

    run(WorkbenchApp(store, codebook, coder="amina", display=None), size, scenario)


def test_hostile_id_title_and_coder_name_reach_the_screen_harmlessly(store, codebook, tmp_path):
    path = tmp_path / "evil\x1b]0;PWNED\x07.txt"
    path.write_text("[bold]عنوان\x1b]0;PWNED\x07[/bold]\n\nقال المرصد إن الوضع هادئ.\n", "utf-8")
    import_paths(store, [path])
    article = next(a for a in store.articles() if "evil" in a.ext_id)
    for mode in ("app", "terminal"):
        app = WorkbenchApp(
            store,
            codebook,
            coder="x\x1b]52;c;aGk=\x07[link=file:///etc/passwd]y[/link]",
            display=mode,
            open_article=article.id,
        )

        async def scenario(pilot):
            text = "\n".join(screen_lines(pilot.app))
            assert "evil" in text and "PWNED" not in text and "aGk" not in text
            assert not any(c in text for c in "\x1b\x07\x9b")
            assert "[link=file:" in text  # shown, not a link

        run(app, (120, 40), scenario)


def test_hostile_speaker_names_and_notes_reach_the_screen_harmlessly(store, codebook):
    from workbench.registry import create_speaker

    evil = "شاهد\x1b]0;PWNED\x07 [bold]عيان[/bold] \x1b[31mred"
    key = create_speaker(store, "speaker", evil, "amina")
    aid = article_id(store, "hasakah-01")
    first = store.sentences(aid)[0]
    store.set_label(
        first.id,
        "amina",
        status="skipped",
        data={"speaker": key},
        note="سبب\x1b]52;c;aGk=\x07 [link=file:///etc/passwd]x[/link]",
    )
    for mode in ("app", "terminal"):

        async def scenario(pilot, mode=mode):
            app = pilot.app
            await pilot.press("up")  # the skipped first sentence, its note shown
            await pilot.pause()
            assert "link=file" in "\n".join(screen_lines(app))
            await pilot.press("space", *"شاهد")
            await pilot.pause()
            for text in ("\n".join(screen_lines(app)),):
                assert not any(c in text for c in "\x1b\x07\x9b"), text
                assert "PWNED" not in text and "aGk" not in text
                assert "[bold]" in text or "]dlob[" in text  # markup shown as text
                if mode == "app":
                    assert unshaped_on(app) == []

        run(labeling(store, codebook, mode), (120, 40), scenario)
