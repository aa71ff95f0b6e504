"""`workbench stats`: the corpus and every coder's progress through it."""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Console
from rich.table import Table
from rich.text import Text

from workbench.store import ArticleRow, Store


@dataclass(frozen=True)
class CoderProgress:
    coder: str
    labeled: int
    skipped: int
    flagged: int
    total: int  # sentences in current articles

    @property
    def done(self) -> int:
        return self.labeled + self.skipped + self.flagged


def article_name(article: ArticleRow, width: int = 60) -> str:
    """Title, else the article's first words; the version when it is not the first."""
    name = article.title or article.first_words + " …"
    if len(name) > width:
        name = name[: width - 1] + "…"
    return f"{name} (v{article.version})" if article.version > 1 else name


def coder_progress(
    store: Store,
) -> tuple[list[ArticleRow], dict[str, dict[int, int]], list[CoderProgress]]:
    """Current articles, per-coder done counts per article, and per-coder totals."""
    articles = store.articles()
    current = {a.id for a in articles}
    total = sum(a.sentences for a in articles)
    per_article: dict[str, dict[int, int]] = {}
    totals = []
    for coder, by_article in sorted(store.label_counts().items()):
        status_sums = {"labeled": 0, "skipped": 0, "flagged": 0}
        per_article[coder] = {}
        for article_id, by_status in by_article.items():
            if article_id not in current:
                continue
            per_article[coder][article_id] = sum(by_status.values())
            for status, n in by_status.items():
                status_sums[status] += n
        totals.append(CoderProgress(coder, total=total, **status_sums))
    return articles, per_article, totals


def render_stats(store: Store, console: Console | None = None) -> None:
    console = console or Console()
    articles, per_article, totals = coder_progress(store)
    if not articles:
        console.print("no articles yet: run `workbench import PATH`")
        return
    table = Table(title=f"{len(articles)} articles", title_justify="left")
    for column in ("id", "article", "outlet", "date"):
        table.add_column(column)
    table.add_column("sentences", justify="right")
    for coder in per_article:
        table.add_column(coder, justify="right")
    for article in articles:
        # Article text is data: Text() keeps its brackets from being read as markup.
        table.add_row(
            Text(article.ext_id),
            Text(article_name(article)),
            Text(article.outlet),
            Text(article.date),
            str(article.sentences),
            *(f"{per_article[c].get(article.id, 0)}/{article.sentences}" for c in per_article),
        )
    console.print(table)
    if not totals:
        console.print("no coders yet: start one with `workbench label --coder NAME`")
        return
    coders = Table(title="coders", title_justify="left")
    for column in ("coder", "labeled", "skipped", "flagged", "done", "of"):
        coders.add_column(column, justify="left" if column == "coder" else "right")
    for p in totals:
        share = f"{p.done}/{p.total} ({100 * p.done / p.total:.0f}%)" if p.total else "0/0"
        coders.add_row(
            Text(p.coder), str(p.labeled), str(p.skipped), str(p.flagged), share, str(p.total)
        )
    console.print(coders)
