"""The labeling app: coder → (calibration) → articles → labeling."""

from __future__ import annotations

import gc
from collections.abc import Sequence
from typing import Any, ClassVar

from textual import events
from textual.app import App
from textual.geometry import Size

from workbench.codebook import Codebook
from workbench.display import DisplayMode
from workbench.keymap import KeyBinding
from workbench.session import LabelingSession
from workbench.store import Store
from workbench.tui.keyed import KeyedScreen
from workbench.tui.render import help_text
from workbench.tui.screens.labeling import LabelingScreen

# The other screens (and the DataTable, OptionList and Input they use) are
# imported when first shown: `workbench label --article` paints its first
# sentence without them.


# Below this size no screen can be laid out (the labeling screen's sentence
# box has no line left): every screen says so instead, and only q (quit) and
# ctrl+c act.
MIN_WIDTH, MIN_HEIGHT = 70, 22


class WorkbenchApp(App[None]):
    CSS_PATH = "workbench.tcss"
    TITLE = "Stance workbench"
    ENABLE_COMMAND_PALETTE = False

    def __init__(
        self,
        store: Store,
        codebook: Codebook,
        *,
        coder: str | None = None,
        display: DisplayMode | None = None,
        open_article: int | None = None,
        blink: bool = True,
    ) -> None:
        super().__init__()
        self.blink = blink
        self.store = store
        self.codebook = codebook
        self._coder = coder
        self._display_override = display
        self._open_first = open_article
        self.display_mode: DisplayMode = display or "terminal"
        self.session: LabelingSession | None = None
        self.user = coder or ""
        self._speaker_names: dict[str, tuple[str, str]] | None = None
        self._speaker_indexes: dict[str, Any] = {}
        self._frozen = False
        # Keys typed before the first screen that takes keys is up (the
        # terminal hands over what was typed during start-up all at once).
        self._early_keys: list[tuple[str, str | None]] = []

    # -- keys: every key to the screen on top, in the order typed ------------

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            self._take_key(event.key, event.character)
            return
        await super().on_event(event)

    def _take_key(self, key: str, character: str | None) -> None:
        if key.startswith("alt+"):
            # A terminal sends esc as a lone ESC byte: esc and the next key
            # typed within a few ms arrive as one "alt+" sequence. No screen
            # binds alt, so it is what was typed: esc, then the key.
            self._take_key("escape", None)
            key = key[4:]
            if key.startswith("shift+") and character and len(character) == 1:
                key = character  # a shifted letter is named by itself ("M")
        screen = self.screen_stack[-1] if self.screen_stack else None
        if self.too_small() and isinstance(screen, KeyedScreen):
            if key == "q":
                self._quit_from_top()
            elif key == "ctrl+c":
                screen.take_key(key, character)
            return  # not seen, so not typed: nothing acts on it
        if isinstance(screen, KeyedScreen):
            screen.take_key(key, character)
        elif key == "ctrl+c":
            self.exit()
        else:
            self._early_keys.append((key, character))

    def _quit_from_top(self) -> None:
        # Quit as the screen would (labeling saves the sentence first), from
        # the topmost screen that quits on q (help closes on q instead).
        for screen in reversed(self.screen_stack):
            quit_action = getattr(screen, "action_quit", None)
            if quit_action is not None:
                quit_action()
                return
        self.exit()

    # -- too small to lay out: one message over every screen --------------

    def too_small(self, size: Size | None = None) -> bool:
        width, height = size or self.size
        return width < MIN_WIDTH or height < MIN_HEIGHT

    def _cover_if_too_small(self, size: Size | None = None) -> None:
        from workbench.tui.widgets import TooSmall

        if not self.screen_stack:
            return
        screen = self.screen_stack[-1]
        covers = screen.query_children(TooSmall)
        if not self.too_small(size):
            covers.remove()
        elif not covers:
            screen.mount(
                TooSmall(f"terminal too small (needs {MIN_WIDTH}×{MIN_HEIGHT})\n\nq quits")
            )

    def on_resize(self, event: events.Resize) -> None:
        # Called before App._on_resize takes the new size: the event has it.
        self._cover_if_too_small(event.size)

    def _feed_early_keys(self) -> None:
        # Synchronously, right after the push: a key read later must not
        # overtake the ones typed before the screen existed.
        while self._early_keys and isinstance(self.screen_stack[-1], KeyedScreen):
            self._take_key(*self._early_keys.pop(0))

    def push_screen(self, screen: Any, *args: Any, **kwargs: Any) -> Any:
        result = super().push_screen(screen, *args, **kwargs)
        self._feed_early_keys()
        return result

    def switch_screen(self, screen: Any) -> Any:
        result = super().switch_screen(screen)
        self._feed_early_keys()
        return result

    def on_mount(self) -> None:
        self.screen_change_signal.subscribe(self, lambda _: self._cover_if_too_small())
        # Not here: a screen pushed while the app is mounting is drawn inside
        # Textual's start-up batch, which throws its frames away, so the first
        # sentence waited for the screen's next update tick (~20 ms later).
        self.call_later(self._open_first_screen)
        # `workbench label` starts with the collector off (cli._collector_paused):
        # on again once the first screen is painted, whichever it is (queued
        # after open_article's gc.freeze, so it never walks what start-up made).
        self.call_later(self.call_after_refresh, gc.enable)

    def _open_first_screen(self) -> None:
        if self._coder:
            self._start(self._coder)
        else:
            from workbench.tui.screens.coder import CoderScreen

            self.push_screen(CoderScreen(self.store.coders(), self.ROLE))

    def start(self, coder: str | None) -> None:
        """The person chose who they are (the coder screen calls this at once,
        not through a dismiss callback, so no key falls between the screens)."""
        self._start(coder)

    def _start(self, coder: str | None) -> None:
        if not coder:
            self.exit()
            return
        self.user = coder
        self._begin(coder)
        remembered = self.store.coder_settings(coder).get("display")
        if self._display_override:
            self.display_mode = self._display_override
            self._show_main()
        elif remembered in ("terminal", "app"):
            self.display_mode = remembered
            self._show_main()
        else:
            from workbench.tui.screens.calibration import CalibrationScreen

            self._replace_start_screen(CalibrationScreen())
        # Warm camel-tools (about a second to import) before the coder first
        # searches or picks a speaker, but after the first paint: the import
        # holds the GIL for most of that second.
        self.set_timer(1.0, self._warm)

    def _warm(self) -> None:
        self.run_worker(_warm_arabic, thread=True, exclusive=True, group="warm")

    def _begin(self, coder: str) -> None:
        """What the chosen coder works in: here a labeling session."""
        self.session = LabelingSession(self.store, coder, self.codebook)

    def _replace_start_screen(self, screen: Any) -> None:
        # The coder screen is done with: the next one takes its place.
        if len(self.screen_stack) > 1:
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    def calibrated(self, mode: DisplayMode | None) -> None:
        self._calibrated(mode)

    def _calibrated(self, mode: DisplayMode | None) -> None:
        self.display_mode = mode or "terminal"
        self.store.update_coder_settings(self.user, display=self.display_mode)
        self._show_main()

    def _show_main(self) -> None:
        # Switch rather than push: the coder/calibration screens are done with.
        if self._open_first is not None:
            # Straight to the sentence; the list is built when first asked for.
            self.open_article(self._open_first, replace=True)
        else:
            from workbench.tui.screens.articles import ArticlesScreen

            self._replace_start_screen(ArticlesScreen())

    def open_article(
        self, article_id: int, index: int | None = None, *, replace: bool = False
    ) -> None:
        assert self.session is not None
        self.session.open_article(article_id, index)
        screen = LabelingScreen(self.session)
        if replace:
            self._replace_start_screen(screen)
        else:
            self.push_screen(screen)
        if not self._frozen:
            # What start-up allocated (app, list, codebook, camel-tools) lives
            # as long as the app: keep the collector from walking it on every
            # full collection (150 ms, right on a key press, with 3,000
            # articles listed). Once only, so later screens stay collectable.
            self._frozen = True
            self.call_after_refresh(gc.freeze)

    def show_article_list(self) -> None:
        """Back to the list: pop to it, or build it if the app opened an article directly."""
        from workbench.tui.screens.articles import ArticlesScreen

        if any(isinstance(s, ArticlesScreen) for s in self.screen_stack):
            while not isinstance(self.screen_stack[-1], ArticlesScreen):
                self.pop_screen()
        else:
            self.switch_screen(ArticlesScreen())

    def toggle_display(self) -> None:
        self.display_mode = "app" if self.display_mode == "terminal" else "terminal"
        self.store.update_coder_settings(self.user, display=self.display_mode)
        self.notify(f"Display mode: {self.display_mode}", timeout=2)

    ROLE = "coder"  # who the start screen asks for
    # Keys the codebook adds to the labeling screen, for the help screen.
    EXTRA_KEYS: ClassVar = [
        ("1-9", "claim type (codebook order)"),
        ("2 letters", "stance: target key, then polarity key (again removes it)"),
        ("! @ #", "confidence 1-3"),
    ]

    def show_help(self, bindings: tuple[KeyBinding, ...]) -> None:
        from workbench.tui.widgets import keys_label

        keys = [
            (keys_label(b.key), b.description + (f" — {b.tooltip}" if b.tooltip else ""))
            for b in bindings
        ]
        keys += self.EXTRA_KEYS
        from workbench.tui.screens.modals import HelpScreen

        mode = self.display_mode
        self.push_screen(HelpScreen(lambda width: help_text(self.codebook, keys, mode, width)))

    def speaker_names(self) -> dict[str, tuple[str, str]]:
        """Entity key -> (English label, Arabic name), for display."""
        if self._speaker_names is None:
            self._speaker_names = {
                e["key"]: (e["label"], e["label_ar"])
                for field in self.codebook.fields
                if field.kind == "entity"
                for e in self.store.entities(field.id)
            }
        return self._speaker_names

    def forget_speaker_names(self) -> None:
        """The registry changed (a speaker was created): names and indexes are rebuilt."""
        self._speaker_names = None
        self._speaker_indexes.clear()

    def speaker_search(self, field_id: str, used: Sequence[str] = ()) -> Any:
        """The speaker picker's search: ranked registry matches, as picker rows."""
        from workbench.picker import Option
        from workbench.speakers import SpeakerIndex

        index = self._speaker_indexes.get(field_id)
        if index is None:
            index = self._speaker_indexes[field_id] = SpeakerIndex.from_store(self.store, field_id)
        mine = set(used)

        def search(query: str) -> list[Option]:
            rows = []
            for m in index.search(query, prefer=used):
                note = "● used here" if m.key in mine else ""
                if query.strip() and m.matched not in (m.label, m.label_ar):
                    note = f"{note}  ~ {m.matched}".strip()
                rows.append(Option(m.key, m.label, m.label_ar, note))
            return rows

        return search


def _warm_arabic() -> None:
    from workbench.arabic import match_key

    match_key("تحميل")
