"""Snapshots of every screen in both display modes, at 80x24 and 120x40 (no
blinking). Look at each one after a deliberate update (`--snapshot-update`
writes them; `rsvg-convert` turns an SVG into a PNG)."""

from __future__ import annotations

import pytest

from tests.conftest import TUI_SIZE as SIZE
from tests.conftest import article_id
from workbench.assign import assign
from workbench.tui.app import WorkbenchApp

MODES = ["terminal", "app"]
SIZES = pytest.mark.parametrize("size", [(80, 24), SIZE], ids=["80x24", "120x40"])


@pytest.fixture
def app_for(store, codebook):
    def make(display=None, coder="amina", open_ext=None):
        aid = article_id(store, open_ext) if open_ext else None
        return WorkbenchApp(
            store, codebook, coder=coder, display=display, open_article=aid, blink=False
        )

    return make


@SIZES
def test_coder_screen(snap_compare, size, app_for, store):
    store.ensure_coder("omar")
    assert snap_compare(app_for(coder=None), terminal_size=size)


@SIZES
def test_calibration_screen(snap_compare, size, app_for):
    assert snap_compare(app_for(display=None), terminal_size=size)


@pytest.mark.parametrize("mode", MODES)
@SIZES
def test_article_list(snap_compare, size, app_for, mode):
    assert snap_compare(app_for(mode), terminal_size=size)


@SIZES
def test_article_list_with_assignments(snap_compare, size, app_for, store):
    assign(store, ["amina"], per_article=1, articles=["hasakah-03", "hasakah-05"])
    assert snap_compare(app_for("terminal"), terminal_size=size)


@pytest.mark.parametrize("mode", MODES)
@SIZES
def test_labeling_screen(snap_compare, size, app_for, mode):
    assert snap_compare(
        app_for(mode, open_ext="hasakah-03"),
        terminal_size=size,
        press=["down", "down", "3", "t", "b", "@"],
    )


@pytest.mark.parametrize("mode", MODES)
@SIZES
def test_labeling_pending_target_and_quotation(snap_compare, size, app_for, mode, store):
    aid = article_id(store, "hasakah-01")
    quoted = next(s.idx for s in store.sentences(aid) if s.in_quote)
    assert snap_compare(
        app_for(mode, open_ext="hasakah-01"),
        terminal_size=size,
        press=["down"] * quoted + ["n"],
    )


@pytest.mark.parametrize("mode", MODES)
@SIZES
def test_help_screen(snap_compare, size, app_for, mode):
    assert snap_compare(
        app_for(mode, open_ext="hasakah-05"), terminal_size=size, press=["question_mark"]
    )


@pytest.mark.parametrize("mode", MODES)
@SIZES
def test_speaker_picker(snap_compare, size, app_for, mode):
    assert snap_compare(
        app_for(mode, open_ext="hasakah-05"), terminal_size=size, press=["space", *"التحالف"]
    )
