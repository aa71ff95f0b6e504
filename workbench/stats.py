"""`workbench stats`: the corpus and every coder's progress through it,
through their assignment when articles were assigned (`workbench assign`),
and how far adjudication has come (gold by source). Progress counts done
labels (labeled, skipped, flagged); drafts, saved but not done, are counted
beside it, marked ◐, so a lead sees unfinished work."""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Console
from rich.table import Table
from rich.text import Text

from workbench.assign import AssignmentProgress, assignment_progress, assignments
from workbench.codebook import Codebook
from workbench.display import DisplayMode, cut
from workbench.gold import SOURCES, units
from workbench.rechecks import recheck_counts
from workbench.store import DONE_STATUSES, ArticleRow, Store
from workbench.tables import DataCell, figure

DRAFT_MARK = "◐"


@dataclass(frozen=True)
class CoderProgress:
    coder: str
    labeled: int
    skipped: int
    flagged: int
    total: int  # sentences in current articles
    drafts: int = 0  # saved but not done: not part of `done`

    @property
    def done(self) -> int:
        return self.labeled + self.skipped + self.flagged


def article_name(article: ArticleRow, width: int = 60) -> str:
    """Title, else the article's first words; the version when it is not the first."""
    name = cut(article.title or article.first_words + " …", width)
    return f"{name} (v{article.version})" if article.version > 1 else name


def coder_progress(
    store: Store,
) -> tuple[list[ArticleRow], dict[str, dict[int, tuple[int, int]]], list[CoderProgress]]:
    """Current articles, per-coder (done, drafts) counts per article, and
    per-coder totals."""
    articles = store.articles()
    current = {a.id for a in articles}
    total = sum(a.sentences for a in articles)
    per_article: dict[str, dict[int, tuple[int, int]]] = {}
    totals = []
    for coder, by_article in sorted(store.label_counts().items()):
        status_sums = dict.fromkeys((*DONE_STATUSES, "drafts"), 0)
        per_article[coder] = {}
        for article_id, by_status in by_article.items():
            if article_id not in current:
                continue
            drafts = by_status.get("draft", 0)
            per_article[coder][article_id] = (sum(by_status.values()) - drafts, drafts)
            status_sums["drafts"] += drafts
            for status in DONE_STATUSES:
                status_sums[status] += by_status.get(status, 0)
        totals.append(CoderProgress(coder, total=total, **status_sums))
    return articles, per_article, totals


def render_stats(
    store: Store,
    console: Console | None = None,
    codebook: Codebook | None = None,
    mode: DisplayMode = "terminal",
) -> None:
    """The articles table, the coders table and the gold summary; names and
    titles drawn for `mode` (see `workbench.tables`)."""
    console = console or Console()
    articles, per_article, totals = coder_progress(store)
    if not articles:
        console.print("no articles yet: run `workbench import PATH`")
        return
    assigned = assignments(store)
    any_drafts = any(p.drafts for p in totals)
    notes = [
        *(["* assigned to that coder"] if assigned else []),
        *([f"{DRAFT_MARK} drafts: saved, not done"] if any_drafts else []),
    ]
    table = Table(
        title=f"{len(articles)} articles",
        title_justify="left",
        caption="; ".join(notes) or None,
        caption_justify="left",
    )
    # Ids are what a user retypes (`label --article ID`): squeeze the others first.
    table.add_column("id", no_wrap=True)
    for column in ("article", "outlet", "date"):
        table.add_column(column)
    table.add_column("sentences", justify="right")
    for coder in per_article:
        table.add_column(DataCell(coder, mode), justify="right")
    for article in articles:
        table.add_row(
            DataCell(article.ext_id, mode),
            DataCell(article_name(article), mode),
            DataCell(article.outlet, mode),
            DataCell(article.date, mode),
            figure(article.sentences),
            *(
                _article_cell(
                    per_article[c].get(article.id, (0, 0)),
                    article.sentences,
                    c in assigned.get(article.id, ()),
                )
                for c in per_article
            ),
        )
    console.print(table)
    if not totals:
        console.print("no coders yet: start one with `workbench label --coder NAME`")
        return
    progress = assignment_progress(store)
    rechecks = recheck_counts(store)
    coders = Table(
        title="coders",
        title_justify="left",
        caption="recheck: labels a codebook revision asks their coder to look at again "
        "(ctrl+r in `workbench label` steps through them)"
        if rechecks
        else None,
        caption_justify="left",
    )
    columns = ("coder", "labeled", "skipped", "flagged", "drafts", "done", "of")
    # Done over the sentences of the coder's assigned articles (those marked *).
    extra = (("assigned done",) if progress else ()) + (("recheck",) if rechecks else ())
    for column in columns + extra:
        coders.add_column(column, justify="left" if column == "coder" else "right")
    for p in totals:
        coders.add_row(
            DataCell(p.coder, mode),
            *map(
                figure,
                (
                    p.labeled,
                    p.skipped,
                    p.flagged,
                    f"{DRAFT_MARK} {p.drafts}" if p.drafts else "0",
                    _share(p.done, p.total),
                    p.total,
                    *((_assigned_cell(progress.get(p.coder)),) if progress else ()),
                    *((rechecks.get(p.coder, 0),) if rechecks else ()),
                ),
            ),
        )
    console.print(coders)
    if codebook is not None:
        _gold_summary(store, codebook, console)


def gold_counts(store: Store, codebook: Codebook) -> dict[str, int]:
    """Sentences labeled by two or more coders, by gold source (plus "stale":
    adjudicated sentences whose labels a coder changed since)."""
    counts = dict.fromkeys((*SOURCES, "stale"), 0)
    for unit in units(store, codebook):
        counts[unit.source] += 1
        counts["stale"] += unit.changed
    return counts


def _gold_summary(store: Store, codebook: Codebook, console: Console) -> None:
    counts = gold_counts(store, codebook)
    if not sum(counts[s] for s in SOURCES):
        return
    table = Table(title="gold (sentences labeled by two or more coders)", title_justify="left")
    for source in (*SOURCES, "stale"):
        table.add_column(source, justify="right")
    table.add_row(*(figure(counts[s]) for s in (*SOURCES, "stale")))
    console.print(table)
    if counts["unresolved"] or counts["stale"]:
        console.print("settle them with `workbench review --adjudicator NAME`")


def _article_cell(counts: tuple[int, int], sentences: int, assigned: bool) -> Text:
    done, drafts = counts
    return figure(
        f"{done}/{sentences}"
        + ("*" if assigned else "")
        + (f" {DRAFT_MARK}{drafts}" if drafts else "")
    )


def _assigned_cell(mine: AssignmentProgress | None) -> str:
    return "-" if mine is None else _share(mine.done, mine.sentences)


def _share(done: int, total: int) -> str:
    return f"{done}/{total} ({100 * done / total:.0f}%)" if total else "0/0"
