"""The article list: this coder's progress per article, the articles assigned
to them first and marked; `/` filters."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import DataTable, Static

from workbench.display import DisplayMode, display_line
from workbench.keymap import ARTICLES
from workbench.lineedit import LineEditor
from workbench.session import ArticleProgress, LabelingSession
from workbench.tui.fit import ALWAYS, Part
from workbench.tui.keyed import KeyedScreen, key_actions, run_action
from workbench.tui.render import edit_line
from workbench.tui.widgets import FitLine, KeyBar

MARK = "●"  # an article assigned to this coder
ROUND_MARK = "◆"  # an article with sentences of one of this coder's open rounds
SCROLLBAR = 1  # the list's scrollbar, always kept (workbench.tcss)


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
        yield FitLine(id="articles-status", separator="   ")
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

    # Every column but the title is as wide as its widest cell (up to a cap);
    # the title takes what is left. Widths are set, not measured by the
    # DataTable: with auto widths it measures every cell of every row (1.7 s
    # for 3,000 articles). At narrow widths the sentence count goes first
    # (the done column shows it too), then the outlet.
    COLUMNS = (
        ("id", 12),
        ("article", 50),
        ("outlet", 14),
        ("date", 10),
        ("sentences", 9),
        ("done", 9),
    )
    TITLE_MIN = 16  # the title column never narrower
    KEEP_SENTENCES = 40  # the sentence count shows while the title keeps this much
    KEEP_OUTLET = 24  # the outlet shows while the title keeps this much

    def on_mount(self) -> None:
        try:
            self.query_one(DataTable)
        except NoMatches:  # the app quit (esc q typed fast) before the list was drawn
            return
        self.live = True
        listing = self.app.session.articles()  # type: ignore[attr-defined]
        # The mark column only for a coder with assignments: without them the
        # list is as it always was. One cell wide; the status line explains
        # the mark.
        self._marked = any(p.assigned or p.round for p in listing)
        self._done: dict[int, tuple[int, int]] = {}
        self._widths: dict[str, int] = {}
        self._lay_out(listing)
        self._draw_filter()

    def on_resize(self, event: events.Resize) -> None:
        if self.live:
            self._lay_out(None)

    def _lay_out(self, listing: list[ArticleProgress] | None) -> None:
        """Columns for the screen's width; rows again only if they changed."""
        listing = listing if listing is not None else self.app.session.articles()  # type: ignore[attr-defined]
        widths = self.column_widths(listing, self.app.size.width)
        if widths == self._widths:
            return
        self._widths = widths
        table = self.query_one(DataTable)
        table.clear(columns=True)
        # The mark column is headed by the mark it shows most: assignments'
        # or, for a coder with rounds only, the rounds'.
        rounds_only = not any(p.assigned for p in listing)
        for name, width in widths.items():
            label = ROUND_MARK if name == MARK and rounds_only else name
            table.add_column(label, width=width, key=name)
        self.refresh_rows(self.filter.text, listing=listing)

    def column_widths(self, listing: list[ArticleProgress], width: int) -> dict[str, int]:
        """{column: content width} for a screen `width` cells wide."""
        mode = self.app.display_mode  # type: ignore[attr-defined]
        caps = dict(self.COLUMNS)

        def widest(name: str, cells: list[str]) -> int:
            shown = max((cell_len(display_line(c, mode)) for c in cells), default=0)
            return max(cell_len(name), min(caps[name], shown))

        articles = [p.article for p in listing]
        widths = {MARK: 1} if self._marked else {}
        widths["id"] = widest("id", [a.ext_id for a in articles])
        widths["article"] = 0
        widths["outlet"] = widest("outlet", [a.outlet for a in articles])
        widths["date"] = widest("date", [a.date for a in articles])
        widths["sentences"] = caps["sentences"]
        widths["done"] = caps["done"]
        # Each cell is padded one cell on each side; one cell for the scrollbar.
        left = width - SCROLLBAR - sum(w + 2 for w in widths.values())
        for name, keep in (("sentences", self.KEEP_SENTENCES), ("outlet", self.KEEP_OUTLET)):
            if left < keep:
                left += widths.pop(name) + 2
        widths["article"] = max(self.TITLE_MIN, left)
        return widths

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
        widths = self._widths
        for p in shown:
            self._done[p.article.id] = (p.done, p.drafts)
            table.add_row(
                *(_cell(name, p, width, mode) for name, width in widths.items()),
                key=str(p.article.id),
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
        mine = [p for p in listing if p.assigned]
        self.query_one("#articles-status", FitLine).show(
            _status_parts(session, mode, listing, done, total, drafts, mine, query, shown)
        )

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


def _status_parts(
    session: LabelingSession,
    mode: DisplayMode,
    listing: list[ArticleProgress],
    done: int,
    total: int,
    drafts: int,
    mine: list[ArticleProgress],
    query: str,
    shown: int | None,
) -> list[Part]:
    """The status line's parts, the least needed (dropped first at narrow
    widths) with the highest number."""
    parts: list[Part] = [
        (Text.assemble(("coder ", "bold"), display_line(session.coder, mode, 24)), ALWAYS),
        (Text(f"{len(listing)} articles"), 3),
        (Text(f"done {done}/{total}"), ALWAYS),
    ]
    if drafts:
        parts.append((Text(f"◐ {drafts} draft{'s' if drafts != 1 else ''}", style="yellow"), 2))
    if mine:
        parts.append(
            (
                Text(
                    f"{MARK} assigned to you {len(mine)}: done "
                    f"{sum(p.done for p in mine)}/{sum(p.total for p in mine)}"
                ),
                1,
            )
        )
    rounds: dict[str, list[int]] = {}
    for p in listing:
        if p.round:
            counts = rounds.setdefault(p.round, [0, 0])
            counts[0] += p.round_done
            counts[1] += p.round_total
    for name, (round_done, round_total) in rounds.items():
        shown_name = display_line(name, mode, 20)
        parts.append(
            (Text(f"{ROUND_MARK} round {shown_name}: done {round_done}/{round_total}"), ALWAYS)
        )
    rechecks = session.recheck_count()
    if rechecks:
        parts.append((Text(f"⟳ {rechecks} to recheck (ctrl+r in an article)", style="magenta"), 1))
    book = session.codebook
    parts.append((Text(display_line(f"{book.name} {book.version}", mode, 30)), 4))
    parts.append((Text(f"display {mode}"), 5))
    if query and shown is not None:
        parts.append((Text(f"filter: {shown} match", style="yellow"), 1))
    return parts


def _cell(column: str, p: ArticleProgress, width: int, mode: DisplayMode) -> Text:
    """One cell, cut to the column's width at its logical end."""
    a = p.article
    if column == MARK:
        return Text(ROUND_MARK if p.round else MARK if p.assigned else "", style="bold")
    if column == "sentences":
        return Text(str(a.sentences), justify="right")
    if column == "done":
        return _done_cell(p)
    if column in ("article", "outlet"):
        text = a.title or a.first_words + " …" if column == "article" else a.outlet
        # The app draws Arabic right to left: its start at the right edge.
        return Text(display_line(text, mode, width), justify="right" if mode == "app" else "left")
    return Text(display_line(a.ext_id if column == "id" else a.date, mode, width))


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
