"""The article list: this coder's progress per article, the articles assigned
to them first and marked; `/` filters."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import DataTable, Static

from workbench.keymap import ARTICLES
from workbench.lineedit import LineEditor
from workbench.session import ArticleProgress
from workbench.tui.keyed import KeyedScreen, key_actions, run_action
from workbench.tui.render import edit_line, snippet
from workbench.tui.widgets import KeyBar

MARK = "●"  # an article assigned to this coder


_ACTIONS = key_actions(ARTICLES)
_MOVES = {"up": -1, "down": 1, "pageup": -10, "pagedown": 10, "home": -(10**9), "end": 10**9}


class ArticlesScreen(KeyedScreen, Screen[None]):
    """The list keeps its own cursor and filter text (not the table's), so keys
    typed before the table is drawn, or right before enter, act as typed."""

    def __init__(self) -> None:
        super().__init__()
        self.cursor = 0
        self.filter = LineEditor()
        self.filtering = False
        self._shown: list[ArticleProgress] = []

    def compose(self) -> ComposeResult:
        yield Static(id="articles-status", markup=False)
        yield Static(id="filter", markup=False)
        yield DataTable(id="articles", cursor_type="row", zebra_stripes=True)
        yield KeyBar(ARTICLES)

    def take_key(self, key: str, character: str | None) -> None:
        if key == "ctrl+c":
            self.app.exit()
            return
        if self.filtering:
            if key in ("enter", "escape"):
                self.filtering = False
                if key == "escape":
                    self.filter = LineEditor()
                    self.refresh_rows("")
            elif self.filter.key(key, character):
                self.refresh_rows(self.filter.text)
            elif key in _MOVES:
                self._move(_MOVES[key])
            self._draw_filter()
            return
        if key in _MOVES:
            self._move(_MOVES[key])
            return
        run_action(self, _ACTIONS, key)

    def _ensure_listing(self) -> None:
        # Keys typed before the table is built move through the same list.
        if not self._shown and not self.live:
            self._shown = _filter(self.app.session.articles(), self.filter.text)  # type: ignore[attr-defined]

    def _move(self, delta: int) -> None:
        self._ensure_listing()
        self.cursor = max(0, min(len(self._shown) - 1, self.cursor + delta))
        if self.live:
            self.query_one(DataTable).move_cursor(row=self.cursor, animate=False)

    def action_open(self) -> None:
        self._ensure_listing()
        if self._shown:
            self.app.open_article(self._shown[self.cursor].article.id)  # type: ignore[attr-defined]

    def action_quit(self) -> None:
        self.app.exit()

    # Fixed widths: with auto widths DataTable measures every cell of every
    # row (1.7 s for 3,000 articles).
    COLUMNS = (
        ("id", 12),
        ("article", 50),
        ("outlet", 14),
        ("date", 10),
        ("sentences", 9),
        ("done", 9),
    )

    def on_mount(self) -> None:
        try:
            table = self.query_one(DataTable)
        except NoMatches:  # the app quit (esc q typed fast) before the list was drawn
            return
        self.live = True
        listing = self.app.session.articles()  # type: ignore[attr-defined]
        # The mark column only for a coder with assignments: without them the
        # list is as it always was. One cell wide, so the table still fits 120
        # columns; the status line explains the mark.
        self._marked = any(p.assigned for p in listing)
        for name, width in (((MARK, 1),) if self._marked else ()) + self.COLUMNS:
            table.add_column(name, width=width, key=name)
        self._done: dict[int, tuple[int, int]] = {}
        self.refresh_rows(self.filter.text, listing=listing)
        self._draw_filter()
        table.move_cursor(row=self.cursor, animate=False)

    def on_screen_resume(self) -> None:
        # Back from labeling: only progress can have changed.
        if not self.live:
            return
        table = self.query_one(DataTable)
        for p in self.app.session.articles():  # type: ignore[attr-defined]
            if p.article.id in self._done and self._done[p.article.id] != (p.done, p.drafts):
                self._done[p.article.id] = (p.done, p.drafts)
                table.update_cell(str(p.article.id), "done", _done_cell(p))
        self._update_status(self.filter.text)

    def refresh_rows(self, query: str = "", listing: list[ArticleProgress] | None = None) -> None:
        app = self.app
        session = app.session  # type: ignore[attr-defined]
        mode = app.display_mode  # type: ignore[attr-defined]
        listing = listing if listing is not None else session.articles()
        shown = self._shown = _filter(listing, query)
        self.cursor = max(0, min(self.cursor, len(shown) - 1))
        if not self.live:
            return
        table = self.query_one(DataTable)
        table.clear()
        align = "right" if mode == "app" else "left"  # the app draws Arabic right to left
        for p in shown:
            a = p.article
            title = a.title or a.first_words + " …"
            self._done[a.id] = (p.done, p.drafts)
            mark = (Text(MARK if p.assigned else "", style="bold"),) if self._marked else ()
            table.add_row(
                *mark,
                Text(a.ext_id),
                Text(snippet(title, mode, 50), justify=align),
                Text(snippet(a.outlet, mode, 14), justify=align),
                Text(a.date),
                Text(str(a.sentences), justify="right"),
                _done_cell(p),
                key=str(a.id),
            )
        self._update_status(query, len(shown), listing)
        table.move_cursor(row=self.cursor, animate=False)

    def _update_status(
        self, query: str, shown: int | None = None, listing: list[ArticleProgress] | None = None
    ) -> None:
        session = self.app.session  # type: ignore[attr-defined]
        mode = self.app.display_mode  # type: ignore[attr-defined]
        listing = listing if listing is not None else session.articles()
        done = sum(p.done for p in listing)
        total = sum(p.total for p in listing)
        drafts = sum(p.drafts for p in listing)
        status = Text()
        status.append(f"coder {session.coder}", style="bold")
        status.append(f"   {len(listing)} articles   done {done}/{total}")
        if drafts:
            status.append(f"   ◐ {drafts} draft{'s' if drafts != 1 else ''}", style="yellow")
        mine = [p for p in listing if p.assigned]
        if mine:
            status.append(
                f"   {MARK} assigned to you {len(mine)}: done "
                f"{sum(p.done for p in mine)}/{sum(p.total for p in mine)}"
            )
        status.append(f"   {session.codebook.name} {session.codebook.version}")
        status.append(f"   display {mode}")
        if query and shown is not None:
            status.append(f"   filter: {shown} match", style="yellow")
        self.query_one("#articles-status", Static).update(status)

    def action_filter(self) -> None:
        self.filtering = True
        self._draw_filter()

    def _draw_filter(self) -> None:
        if not self.live:
            return
        box = self.query_one("#filter", Static)
        box.display = self.filtering or bool(self.filter.text)
        shown = edit_line(self.filter)
        hint = "  filter (Arabic matched loosely) · enter keeps it · esc clears"
        box.update(shown.append(hint if self.filtering else "", style="dim"))

    def action_toggle_display(self) -> None:
        self.app.toggle_display()  # type: ignore[attr-defined]
        self.refresh_rows(self.filter.text)

    def action_help(self) -> None:
        self.app.show_help(ARTICLES)  # type: ignore[attr-defined]


def _done_cell(p: ArticleProgress) -> Text:
    style = "green" if p.done == p.total else ("yellow" if p.done or p.drafts else "")
    drafts = f"◐{p.drafts} " if p.drafts else ""
    return Text(f"{drafts}{p.done}/{p.total}", style=style, justify="right")


def _filter(listing: list[ArticleProgress], query: str) -> list[ArticleProgress]:
    if not query.strip():
        return listing
    from workbench.arabic import match_key

    needle = match_key(query)
    return [
        p
        for p in listing
        if needle
        in match_key(
            " ".join((p.article.ext_id, p.article.title, p.article.first_words, p.article.outlet))
        )
    ]
