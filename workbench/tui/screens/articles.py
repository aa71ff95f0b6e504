"""The article list: this coder's progress per article, the articles assigned
to them first and marked; `/` filters."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from workbench.keymap import ARTICLES
from workbench.session import ArticleProgress
from workbench.tui.render import snippet
from workbench.tui.screens.modals import TextInput
from workbench.tui.widgets import KeyBar

MARK = "●"  # an article assigned to this coder


class ArticlesScreen(Screen[None]):
    BINDINGS = [
        Binding(b.key, b.action, b.description, show=b.show, id=b.id, tooltip=b.tooltip)
        for b in ARTICLES
        if b.id != "open"  # the table's own enter selects the row
    ]

    def compose(self) -> ComposeResult:
        yield Static(id="articles-status", markup=False)
        yield TextInput(placeholder="filter articles (Arabic matched loosely)", id="filter")
        yield DataTable(id="articles", cursor_type="row", zebra_stripes=True)
        yield KeyBar(ARTICLES)

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
        table = self.query_one(DataTable)
        listing = self.app.session.articles()  # type: ignore[attr-defined]
        # The mark column only for a coder with assignments: without them the
        # list is as it always was. One cell wide, so the table still fits 120
        # columns; the status line explains the mark.
        self._marked = any(p.assigned for p in listing)
        for name, width in (((MARK, 1),) if self._marked else ()) + self.COLUMNS:
            table.add_column(name, width=width, key=name)
        self.query_one("#filter", Input).display = False
        self._done: dict[int, int] = {}
        self.refresh_rows(listing=listing)
        table.focus()

    def on_screen_resume(self) -> None:
        # Back from labeling: only progress can have changed.
        table = self.query_one(DataTable)
        for p in self.app.session.articles():  # type: ignore[attr-defined]
            if p.article.id in self._done and self._done[p.article.id] != p.done:
                self._done[p.article.id] = p.done
                table.update_cell(str(p.article.id), "done", _done_cell(p))
        self._update_status(self.query_one("#filter", Input).value)

    def refresh_rows(self, query: str = "", listing: list[ArticleProgress] | None = None) -> None:
        app = self.app
        session = app.session  # type: ignore[attr-defined]
        mode = app.display_mode  # type: ignore[attr-defined]
        listing = listing if listing is not None else session.articles()
        shown = _filter(listing, query)
        table = self.query_one(DataTable)
        table.clear()
        align = "right" if mode == "app" else "left"  # the app draws Arabic right to left
        for p in shown:
            a = p.article
            title = a.title or a.first_words + " …"
            self._done[a.id] = p.done
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

    def _update_status(
        self, query: str, shown: int | None = None, listing: list[ArticleProgress] | None = None
    ) -> None:
        session = self.app.session  # type: ignore[attr-defined]
        mode = self.app.display_mode  # type: ignore[attr-defined]
        listing = listing if listing is not None else session.articles()
        done = sum(p.done for p in listing)
        total = sum(p.total for p in listing)
        status = Text()
        status.append(f"coder {session.coder}", style="bold")
        status.append(f"   {len(listing)} articles   done {done}/{total}")
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

    @on(DataTable.RowSelected)
    def _open(self, event: DataTable.RowSelected) -> None:
        assert event.row_key.value is not None
        self.app.open_article(int(event.row_key.value))  # type: ignore[attr-defined]

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        box.focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.refresh_rows(event.value)

    @on(Input.Submitted, "#filter")
    def _filter_done(self) -> None:
        self.query_one(DataTable).focus()

    def action_toggle_display(self) -> None:
        self.app.toggle_display()  # type: ignore[attr-defined]
        self.refresh_rows(self.query_one("#filter", Input).value)

    def action_help(self) -> None:
        self.app.show_help(ARTICLES)  # type: ignore[attr-defined]


def _done_cell(p: ArticleProgress) -> Text:
    style = "green" if p.done == p.total else ("yellow" if p.done else "")
    return Text(f"{p.done}/{p.total}", style=style, justify="right")


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
