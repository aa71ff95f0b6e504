"""What `workbench label` does to start fast, and that none of it changes behaviour."""

from __future__ import annotations

import asyncio
import gc
import os
import pickle
import shutil
import sqlite3
import subprocess
import sys

import pytest

from tests.conftest import CODEBOOK, TUI_SIZE, article_id
from workbench import cache as cache_module
from workbench import cli
from workbench import codebook as codebook_module
from workbench.codebook import load_codebook, resolve_codebook
from workbench.corpus import import_paths
from workbench.errors import InputErrors
from workbench.store import Store
from workbench.tui.app import WorkbenchApp
from workbench.tui.screens.coder import CoderScreen
from workbench.tui.screens.labeling import LabelingScreen


@pytest.fixture
def collector_restored():
    yield
    gc.enable()


# -- the garbage collector is off from `label` to the first paint -------------------


@pytest.mark.parametrize("coder", ["amina", None])
def test_the_app_turns_the_collector_back_on_after_its_first_paint(
    store, codebook, coder, collector_restored, monkeypatch
):
    calls = []

    def noting(name):
        real = getattr(gc, name)
        return lambda: calls.append(name) or real()

    for name in ("enable", "freeze"):
        monkeypatch.setattr(gc, name, noting(name))
    app = WorkbenchApp(
        store, codebook, coder=coder, display="app", open_article=article_id(store, "hasakah-03")
    )

    async def main():
        gc.disable()
        async with app.run_test(size=TUI_SIZE) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, LabelingScreen if coder else CoderScreen)
            assert gc.isenabled()

    asyncio.run(main())
    # Start-up's objects are frozen before the collector may walk them.
    assert calls == (["freeze", "enable"] if coder else ["enable"])


def test_label_runs_with_the_collector_off_and_always_turns_it_back_on(
    store, db_path, monkeypatch, collector_restored
):
    seen = []
    monkeypatch.setattr(WorkbenchApp, "run", lambda self: seen.append(gc.isenabled()))
    cli.main(["label", "--db", str(db_path), "--coder", "amina", "--display", "app"])
    assert seen == [False] and gc.isenabled()

    with pytest.raises(SystemExit) as exit:
        cli.main(["label", "--db", str(db_path), "--coder", "amina", "--article", "nope"])
    assert exit.value.code == 1 and gc.isenabled()

    Store(db_path.parent / "empty.db").close()
    with pytest.raises(SystemExit) as exit:
        cli.main(["label", "--db", str(db_path.parent / "empty.db"), "--coder", "amina"])
    assert exit.value.code == 1 and gc.isenabled()


# -- the overall total on the status line -------------------------------------------


def test_progress_totals_count_only_current_versions(db_path, corpus_copy):
    with Store(db_path) as store:
        import_paths(store, [corpus_copy])
        old = next(a for a in store.articles() if a.ext_id == "hasakah-04")
        for s in store.sentences(old.id)[:2]:
            store.set_label(s.id, "amina", data={})
        path = corpus_copy / "hasakah-04.txt"
        path.write_text(path.read_text(encoding="utf-8") + "\nجملة جديدة أضيفت.\n", "utf-8")
        import_paths(store, [corpus_copy])
        current = store.articles()
        assert len(store.articles(current_only=False)) == len(current) + 1
        first = store.sentences(current[0].id)[0]
        store.set_label(first.id, "amina", data={})
        assert store.progress_totals("amina") == (1, sum(a.sentences for a in current))
        assert store.progress_totals("nobody") == (0, sum(a.sentences for a in current))


def test_a_prefetched_total_is_the_total_and_an_import_since_makes_it_count_again(
    db_path, corpus_copy
):
    with Store(db_path) as store:
        import_paths(store, [corpus_copy])
        expected = store.progress_totals("amina")
        store.prefetch_total()
        assert store.progress_totals("amina") == expected
        assert store._prefetched is None  # taken once; later calls count

        store.prefetch_total()
        store._prefetched[0].join()  # counted before the import below
        path = corpus_copy / "hasakah-04.txt"
        path.write_text(path.read_text(encoding="utf-8") + "\nجملة جديدة أضيفت.\n", "utf-8")
        import_paths(store, [corpus_copy])
        assert store.progress_totals("amina") == (0, expected[1] + 1)


def test_a_prefetch_that_cannot_count_leaves_the_counting_to_progress_totals(store, monkeypatch):
    memory = Store(":memory:")
    memory.prefetch_total()  # another connection would see another database
    assert memory._prefetched is None and memory.progress_totals("amina") == (0, 0)

    expected = store.progress_totals("amina")

    def refuse(*args, **kwargs):
        raise sqlite3.OperationalError("unable to open database file")

    monkeypatch.setattr(sqlite3, "connect", refuse)
    store.prefetch_total()
    assert store.progress_totals("amina") == expected


# -- the first frame is the finished screen -----------------------------------------


def screen_text(screen) -> list[str]:
    return ["".join(s.text for s in strip) for strip in screen._compositor.render_strips()]


@pytest.mark.parametrize("display", ["app", "terminal"])
def test_the_first_frame_of_the_labeling_screen_is_already_wrapped_to_its_width(
    store, codebook, display
):
    # The Arabic blocks used to be wrapped at a guessed width, painted, then
    # rewrapped on resize: the first frame showed the text wrapped wrong.
    app = WorkbenchApp(
        store,
        codebook,
        coder="amina",
        display=display,
        open_article=article_id(store, "hasakah-03"),
    )
    frames = []
    paint = app._display

    def display_and_keep(screen, update):
        paint(screen, update)
        if isinstance(screen, LabelingScreen):
            frames.append(screen_text(screen))

    app._display = display_and_keep

    async def main():
        async with app.run_test(size=TUI_SIZE) as pilot:
            await pilot.pause()
            assert frames and frames[0] == screen_text(app.screen)

    asyncio.run(main())


# -- the codebook cache -------------------------------------------------------------


@pytest.fixture
def parses(monkeypatch, tmp_path):
    """A private cache folder, and a count of real codebook parses."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    calls = []
    parse = codebook_module.parse_codebook

    def counting(text, path="<codebook>"):
        calls.append(path)
        return parse(text, path)

    monkeypatch.setattr(codebook_module, "parse_codebook", counting)
    return calls


def test_a_cached_codebook_is_the_codebook_parsing_gives(parses, store, tmp_path):
    path = tmp_path / "book.toml"
    shutil.copy(CODEBOOK, path)
    first = resolve_codebook(path, store)
    again = resolve_codebook(path, store)
    assert parses == [str(path)]
    assert again == first and again.path == str(path)
    assert list((tmp_path / "cache" / "workbench" / "codebooks").glob("*.pickle"))
    assert first == load_codebook(path)  # parsed afresh, uncached: the same codebook
    # The database's copy (what `workbench label` uses) has the same text and origin.
    store.register_codebook(first)
    parses.clear()
    assert resolve_codebook(None, store) == first and parses == []


def test_a_changed_codebook_is_validated_again(parses, store, tmp_path):
    path = tmp_path / "book.toml"
    text = CODEBOOK.read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    resolve_codebook(path, store)
    path.write_text(text.replace('label = "Claim type"', 'label = "Claim kind"'), "utf-8")
    assert resolve_codebook(path, store).field("claim_type").label == "Claim kind"
    assert len(parses) == 2
    path.write_text(text.replace('kind = "single"', 'kind = "singel"', 1), encoding="utf-8")
    for _ in range(2):  # an invalid codebook is never kept: its errors come every time
        with pytest.raises(InputErrors, match="singel"):
            resolve_codebook(path, store)
    assert len(parses) == 4
    path.write_text(text, encoding="utf-8")
    resolve_codebook(path, store)
    assert len(parses) == 4  # back to the first text: cached


def test_a_changed_validator_validates_again(parses, store, monkeypatch):
    resolve_codebook(CODEBOOK, store)
    real = cache_module.source_fingerprint
    monkeypatch.setattr(cache_module, "source_fingerprint", lambda *f: real(*f) + b"edited")
    resolve_codebook(CODEBOOK, store)
    assert len(parses) == 2


def test_a_broken_or_unwritable_cache_only_means_parsing(parses, store, tmp_path):
    first = resolve_codebook(CODEBOOK, store)
    (stored,) = (tmp_path / "cache" / "workbench" / "codebooks").glob("*.pickle")
    stored.write_bytes(b"not a pickle")
    assert resolve_codebook(CODEBOOK, store) == first and len(parses) == 2
    key, _ = pickle.loads(stored.read_bytes())
    stored.write_bytes(pickle.dumps((key, "a string, not a codebook")))
    assert resolve_codebook(CODEBOOK, store) == first and len(parses) == 3
    assert resolve_codebook(CODEBOOK, store) == first and len(parses) == 3  # repaired
    # Another key under the same file name (the name is only a checksum).
    stored.write_bytes(pickle.dumps((key + b"other", first)))
    assert resolve_codebook(CODEBOOK, store) == first and len(parses) == 4
    shutil.rmtree(tmp_path / "cache")
    (tmp_path / "cache").write_text("a file where the folder should be")
    assert resolve_codebook(CODEBOOK, store) == first and len(parses) == 5


def test_starting_a_session_with_a_cached_codebook_imports_no_parser_hashlib_or_planner(
    store, codebook, tmp_path
):
    store.register_codebook(codebook)
    store.close()
    code = (
        "import sys\n"
        "from workbench.codebook import resolve_codebook\n"
        "from workbench.session import LabelingSession\n"
        "from workbench.store import Store\n"
        f"store = Store({str(store.path)!r}, create=False)\n"
        "LabelingSession(store, 'amina', resolve_codebook(None, store)).open_article(1)\n"
        "unwanted = ('tomllib', 'difflib', 'hashlib', 'workbench.assign', 'decimal')\n"
        "print(sorted(m for m in sys.modules if m in unwanted))"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    runs = [
        subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
        for _ in range(2)
    ]
    assert [r.stdout.strip() for r in runs] == ["['tomllib']", "[]"], runs[0].stderr


@pytest.mark.parametrize("coder", ["amina", None])
def test_the_first_screen_is_not_drawn_inside_textuals_start_up_batch(store, codebook, coder):
    # Frames drawn while the app mounts are discarded (App._batch_count): a
    # screen pushed from on_mount was drawn twice for nothing, and its first
    # sentence reached the terminal only on the screen's next update tick.
    app = WorkbenchApp(
        store, codebook, coder=coder, display="app", open_article=article_id(store, "hasakah-03")
    )
    batches = []
    paint = app._display

    def display_and_note(screen, update):
        if screen is not app.screen_stack[0]:
            batches.append(app._batch_count)
        paint(screen, update)

    app._display = display_and_note

    async def main():
        async with app.run_test(size=TUI_SIZE) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, LabelingScreen if coder else CoderScreen)

    asyncio.run(main())
    assert batches and batches[0] == 0
