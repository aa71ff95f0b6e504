"""The `workbench` command: a thin layer over the Python API.

Every command takes `--db PATH` (default ./workbench.db or $WORKBENCH_DB).
Problems with the user's input end the command with one located line per
problem on stderr and exit status 1, never a traceback.
"""

from __future__ import annotations

import functools
import gc
import io
import os
import sys
from collections.abc import Callable, Sequence
from contextlib import suppress
from typing import TYPE_CHECKING, Any

import click

from workbench.errors import InputErrors, WorkbenchError
from workbench.settings import DISPLAY_CHOICES, DISPLAY_ENV, default_db_path

if TYPE_CHECKING:
    from workbench.display import DisplayMode

# Imports of the heavier modules (rich, sqlite-utils, camel-tools) happen inside
# commands, so `workbench --help` and the TUI start fast.


# Beyond this, one bad setting repeated on every line of a file would bury the
# first lines, which are the ones to read.
MAX_ERRORS_SHOWN = 20


def db_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--db",
        "db_path",
        default=default_db_path,
        show_default="./workbench.db or $WORKBENCH_DB",
        type=click.Path(dir_okay=False),
        help="The workbench database.",
    )(command)


DISPLAY_HELP = (
    "terminal: the terminal does bidi (VTE, Konsole, mlterm, macOS); app: the app "
    "reorders (kitty, Alacritty, Windows Terminal, xterm, tmux)."
)
display_option = click.option(
    "--display",
    type=click.Choice(DISPLAY_CHOICES),
    envvar=DISPLAY_ENV,
    help=DISPLAY_HELP + " Skips the calibration screen.",
)
table_display_option = click.option(
    "--display",
    type=click.Choice(DISPLAY_CHOICES),
    envvar=DISPLAY_ENV,
    default="terminal",
    show_default="$WORKBENCH_DISPLAY, else terminal",
    help="How tables draw Arabic. " + DISPLAY_HELP,
)


def _say(message: str, err: bool = False) -> None:
    """A one-line message that may hold data (names, ids, file names): its
    escapes and controls never reach the terminal."""
    from workbench.display import sanitize

    click.echo(sanitize(message), err=err)


def _visible(text: str) -> str:
    """A file name (or a whole error line) as messages show it: controls as
    visible escapes, so it is harmless and can be recognised and retyped."""
    from workbench.display import visible

    return visible(text)


def _collector_paused(command: Callable[..., Any]) -> Callable[..., Any]:
    """Run `command` with the cyclic garbage collector off (WorkbenchApp turns
    it back on after its first paint).

    Start-up allocates what lives as long as the app (Textual's modules, the
    widgets, their styles): the collector walked it about a hundred times
    before the first sentence was painted, ~15 ms of a ~330 ms cold start.
    """

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        gc.disable()
        try:
            return command(*args, **kwargs)
        finally:
            gc.enable()

    return run


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="workbench")
def cli() -> None:
    """Code stance in Arabic news, sentence by sentence."""


@cli.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option(
    "--encoding",
    default=None,
    help="Decode files with this encoding (e.g. cp1256, utf-16-le) instead of UTF-8.",
)
@db_option
def import_command(paths: Sequence[str], encoding: str | None, db_path: str) -> None:
    """Import .txt files, folders (with manifest.toml) and .jsonl files.

    Idempotent: articles are identified by the SHA-256 of their text. If any
    file is bad, every problem is listed and nothing is written.
    """
    from workbench.corpus import read_all, store_sources
    from workbench.store import Store

    with _progress() as progress:
        # Read and check everything before touching the database: bad input
        # must leave it exactly as it was (not even created).
        sources, ignored = read_all(
            paths, encoding, (lambda d, t: progress("reading", d, t)) if progress else None
        )
        with Store(db_path) as store:
            report = store_sources(store, sources, ignored, progress)
    _say(report.summary())


@cli.command()
@click.option("--round", "round_name", help="Only this round: its coders' progress on it.")
@table_display_option
@db_option
def stats(round_name: str | None, display: DisplayMode, db_path: str) -> None:
    """Articles with their sentence counts, each coder's progress, labels to
    recheck after a codebook revision, and gold."""
    from workbench.codebook import parse_codebook
    from workbench.stats import render_stats
    from workbench.store import Store

    with Store(db_path, create=False) as store:
        if round_name is not None:
            from rich.console import Console

            from workbench.round_report import render_round
            from workbench.rounds import get_round

            render_round(store, get_round(store, round_name), Console(), mode=display)
            return
        # Gold is judged under the newest codebook coded with; none yet, no gold.
        latest = store.latest_codebook()
        book = parse_codebook(*latest) if latest else None
        render_stats(store, codebook=book, mode=display)


@cli.command("assign")
@click.option("--coders", required=True, help="Comma-separated coder names, e.g. amina,omar,leila.")
@click.option("--per-article", type=int, help="Coders per article, for every article.")
@click.option(
    "--overlap", type=float, help="Share of articles (0-1) coded by two coders; the rest by one."
)
@click.option("--seed", default=0, show_default=True, help="Seed: same seed, same assignment.")
@click.option("--articles", help="Only these articles (comma-separated ids).")
@click.option(
    "--replace", is_flag=True, help="Assign every article afresh (labels are never touched)."
)
@table_display_option
@db_option
def assign_command(
    coders: str,
    per_article: int | None,
    overlap: float | None,
    seed: int,
    articles: str | None,
    replace: bool,
    display: DisplayMode,
    db_path: str,
) -> None:
    """Distribute the articles among coders, balanced by sentences and reproducible.

    By default only articles without coders are assigned, balanced against
    the coders' existing loads; --replace redoes every assignment.
    """
    from workbench.assign import assign, render_result
    from workbench.store import Store

    with Store(db_path, create=False) as store:
        result = assign(
            store,
            _names(coders) or [],
            per_article=per_article,
            overlap=overlap,
            seed=seed,
            articles=_names(articles),
            replace=replace,
        )
    render_result(result, mode=display)


codebook_option = click.option(
    "--codebook",
    "codebook_path",
    envvar="WORKBENCH_CODEBOOK",
    type=click.Path(dir_okay=False),
    help="Codebook TOML (default: the newest one this database was coded with, "
    "else labels/hasakah.toml, here or as installed).",
)


@cli.command()
@click.option(
    "--coder", envvar="WORKBENCH_CODER", help="Coder name (else $WORKBENCH_CODER, else asks)."
)
@display_option
@codebook_option
@click.option(
    "--article",
    "article_ext_id",
    help="Open this article (its id, e.g. hasakah-03) at its first sentence not done.",
)
@db_option
@_collector_paused
def label(
    coder: str | None,
    display: str | None,
    codebook_path: str | None,
    article_ext_id: str | None,
    db_path: str,
) -> None:
    """Open the labeling workbench."""
    from workbench.codebook import resolve_codebook
    from workbench.store import Store

    with Store(db_path, create=False) as store:
        if not store.has_articles():
            raise WorkbenchError("no articles: run `workbench import PATH` first", db_path)
        open_id = None
        if article_ext_id is not None:
            found = store.article_by_ext_id(article_ext_id)
            if found is None:
                raise WorkbenchError(f"no article with id {article_ext_id!r}", db_path)
            open_id = found.id
        store.prefetch_total()  # counted while Textual is imported
        book = resolve_codebook(codebook_path, store)
        from workbench.tui.app import WorkbenchApp

        app = WorkbenchApp(store, book, coder=coder, display=display, open_article=open_id)  # type: ignore[arg-type]
        app.run()


@cli.command()
@click.option(
    "--adjudicator",
    envvar="WORKBENCH_ADJUDICATOR",
    help="Adjudicator name (else $WORKBENCH_ADJUDICATOR, else asks).",
)
@display_option
@codebook_option
@click.option("--coders", help="Only these coders' labels count (comma-separated).")
@click.option("--articles", help="Only these articles (comma-separated ids).")
@click.option(
    "--all", "include_decided", is_flag=True, help="Also revisit sentences that already have gold."
)
@click.option(
    "--at",
    metavar="ARTICLE:N",
    help="Open at sentence N (1-based, as shown: #N) of ARTICLE, e.g. hasakah-01:4.",
)
@db_option
def review(
    adjudicator: str | None,
    display: str | None,
    codebook_path: str | None,
    coders: str | None,
    articles: str | None,
    include_decided: bool,
    at: str | None,
    db_path: str,
) -> None:
    """Adjudicate: settle the sentences coders disagree on, writing gold."""
    _review(
        db_path,
        adjudicator=adjudicator,
        display=display,
        codebook_path=codebook_path,
        coders=_names(coders),
        articles=_names(articles),
        include_decided=include_decided,
        at=_sentence_at(at) if at else None,
    )


def _sentence_at(value: str) -> tuple[str, int]:
    """ARTICLE:N (N 1-based, as the screens show "#N") as (article, 0-based index)."""
    article, _, number = value.rpartition(":")
    if not article or not number.isdigit() or int(number) < 1:
        raise WorkbenchError(f"--at takes ARTICLE:N with N from 1, not {value!r}")
    return article, int(number) - 1


def _review(
    db_path: str,
    *,
    adjudicator: str | None,
    display: str | None,
    codebook_path: str | None,
    coders: list[str] | None,
    articles: list[str] | None,
    include_decided: bool,
    at: tuple[str, int] | None,
) -> None:
    from workbench import gold
    from workbench.codebook import resolve_codebook
    from workbench.review import find_unit
    from workbench.store import Store

    with Store(db_path, create=False) as store:
        book = resolve_codebook(codebook_path, store)
        if at is not None:
            # Checked before the screen opens: the TUI must not start only to fail.
            queue = gold.queue(store, book, coders=coders, articles=articles, include_decided=True)
            if find_unit(queue, at) is None:
                raise WorkbenchError(
                    f"{at[0]} #{at[1] + 1} is not a sentence two or more of these coders coded",
                    db_path,
                )
        from workbench.tui.review_app import ReviewApp

        app = ReviewApp(
            store,
            book,
            adjudicator=adjudicator,
            display=display,  # type: ignore[arg-type]
            coders=coders,
            articles=articles,
            include_decided=include_decided,
            at=at,
        )
        app.run()


def _names(value: str | None) -> list[str] | None:
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


@cli.command()
@click.option("--field", "fields", multiple=True, help="Only this field (repeatable).")
@click.option("--coders", help="Comma-separated coders (default: all).")
@click.option("--articles", help="Comma-separated article ids (default: all current).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "markdown", "methods"]),
    default="table",
    help="methods: a paragraph and table for a paper (Markdown; --latex for LaTeX).",
)
@click.option("--latex", is_flag=True, help="With --format methods: LaTeX instead of Markdown.")
@click.option(
    "--bootstrap",
    default=1000,
    show_default=True,
    type=click.IntRange(min=0),
    help="Resamples for the alpha CI (0: none).",
)
@click.option(
    "--seed", default=0, show_default=True, type=click.IntRange(min=0), help="Bootstrap seed."
)
@click.option("--pair", help="Two coders, a,b: also their confusion matrix per field.")
@click.option(
    "--alpha-min",
    "alpha_mins",
    multiple=True,
    type=click.FloatRange(0, 1, min_open=True, max_open=True),
    help="Also give P(alpha < this) (repeatable; .667 and .800 always; the highest sets the "
    "sample-size check).",
)
@click.option("--app", "as_app", is_flag=True, help="Show the figures as bars in a terminal app.")
@click.option(
    "--codebook",
    "codebook_path",
    type=click.Path(dir_okay=False),
    help="Codebook TOML: report the labels under its version.",
)
@click.option(
    "--codebook-version",
    help="Report the labels under this codebook version (default: the newest in the selection).",
)
@click.option(
    "--round",
    "round_name",
    help="Only this round's sentences and coders (training: each trainee against the key).",
)
@table_display_option
@db_option
def agree(
    fields: tuple[str, ...],
    coders: str | None,
    articles: str | None,
    fmt: str,
    latex: bool,
    bootstrap: int,
    seed: int,
    pair: str | None,
    alpha_mins: tuple[float, ...],
    as_app: bool,
    codebook_path: str | None,
    codebook_version: str | None,
    round_name: str | None,
    display: DisplayMode,
    db_path: str,
) -> None:
    """Inter-coder agreement per codebook field: alpha with a bootstrap CI,
    Fleiss' kappa, AC1, Cohen's kappa per pair, per-category alpha.

    One codebook version per report: the newest in the selection unless
    --codebook-version (or --codebook FILE) names one; labels under other
    versions are counted, never pooled. --display applies to the tables;
    Markdown and JSON are always logical text."""
    from workbench import report as agreement_report
    from workbench.agreement import AgreementError
    from workbench.codebook import resolve_codebook
    from workbench.export import dumps
    from workbench.reliability import ALPHA_MINS
    from workbench.store import Store

    if latex and fmt != "methods":
        raise WorkbenchError("--latex goes with --format methods")
    jump = None
    two = None
    if pair:
        two = _names(pair) or []
        if len(two) != 2:
            raise WorkbenchError("--pair takes two coders: a,b")
    with Store(db_path, create=False) as store:
        book = resolve_codebook(codebook_path, store)
        if codebook_path and not codebook_version:
            codebook_version = book.version
        try:
            result = agreement_report.build(
                store,
                book,
                coders=_names(coders),
                articles=_names(articles),
                fields=list(fields) or None,
                bootstrap=bootstrap,
                seed=seed,
                codebook_version=codebook_version,
                pair=(two[0], two[1]) if two else None,
                alpha_mins=(*ALPHA_MINS, *alpha_mins),
                round_name=round_name,
            )
        except AgreementError as exc:
            raise WorkbenchError(str(exc), db_path) from None
        if as_app:
            from workbench.tui.agreement_app import AgreementApp

            jump = AgreementApp(result, display).run()
        elif fmt == "methods":
            from workbench.methods import methods_context, methods_latex, methods_markdown

            context = methods_context(store, book, selection=result.get("selection"))
            write = methods_latex if latex else methods_markdown
            click.echo(write(result, context), nl=False)
        elif fmt == "json":
            click.echo(dumps(result, indent=2))
        elif fmt == "markdown":
            click.echo(agreement_report.to_markdown(result), nl=False)
        else:
            from rich.console import Console

            # The --pair confusion matrices are sections of the report, in
            # every format.
            agreement_report.render_table(result, Console(), mode=display)
    if as_app and jump is not None:
        # `r` on a disagreeing sentence: adjudicate it, over the same coders.
        _, article, index = jump
        _review(
            db_path,
            adjudicator=None,
            display=display,
            codebook_path=codebook_path,
            coders=_names(coders),
            articles=[article],
            include_decided=False,
            at=(article, index),
        )


@cli.command()
@click.option("--kind", type=click.Choice(["labels", "gold", "sentences"]), required=True)
@click.option("--coder", help="labels: only this coder's labels.")
@click.option("--coders", help="gold: only these coders' labels count (comma-separated).")
@click.option("--articles", help="Comma-separated article ids.")
@click.option(
    "--status",
    "status",
    multiple=True,
    metavar="STATUS[,STATUS]",
    help="labels: only labels with these statuses, labeled|skipped|flagged|draft (repeatable "
    "or comma-separated; default: the done ones, labeled, skipped and flagged); "
    "gold: only these gold statuses, labeled|skipped.",
)
@click.option(
    "--source",
    "sources",
    type=click.Choice(["unanimous", "adjudicated", "unresolved", "single"]),
    multiple=True,
    help="gold: only sentences with this source (repeatable).",
)
@click.option(
    "--include-single",
    is_flag=True,
    help="gold: also sentences only one coder labeled (source 'single').",
)
@click.option(
    "--codebook",
    "codebook_path",
    type=click.Path(dir_okay=False),
    help="gold: codebook whose fields are adjudicated (default: as for `workbench label`).",
)
@click.option(
    "-o",
    "--output",
    help="Output file; '-' for stdout (default: exports/<kind>-<date>-<time>.jsonl).",
)
@click.option("--force", is_flag=True, help="Replace an existing output file.")
@db_option
def export(
    kind: str,
    coder: str | None,
    coders: str | None,
    articles: str | None,
    status: tuple[str, ...],
    sources: tuple[str, ...],
    include_single: bool,
    codebook_path: str | None,
    output: str | None,
    force: bool,
    db_path: str,
) -> None:
    """Export labels, gold or the segmented sentences as JSONL (streamed, atomic)."""
    from workbench import export as exporting
    from workbench.codebook import resolve_codebook
    from workbench.store import Store

    target = output or str(exporting.default_path(kind))
    with Store(db_path, create=False) as store:
        if kind == "labels":
            rows = exporting.label_rows(
                store, coder=coder, articles=_names(articles), status=status or None
            )
        elif kind == "gold":
            rows = exporting.gold_rows(
                store,
                resolve_codebook(codebook_path, store),
                coders=_names(coders),
                articles=_names(articles),
                sources=list(sources),
                status=status or None,
                include_single=include_single or "single" in sources,
            )
        else:
            rows = exporting.sentence_rows(store, articles=_names(articles))
        with _progress() as progress:
            count = exporting.write_jsonl(
                rows,
                target,
                force=force,
                progress=progress and (lambda n: progress(f"exporting {kind}", n, None)),
            )
    if target != "-":
        _say(f"wrote {count} {kind} to {_visible(target)}", err=True)


@cli.command("import-labels")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option(
    "--codebook",
    "codebook_path",
    type=click.Path(dir_okay=False),
    help="Codebook the labels were made under (default: as for `workbench label`).",
)
@click.option(
    "--prefer",
    type=click.Choice(["newer", "ours", "theirs"]),
    help="How to settle a line that differs from a coder's stored label, or from another "
    "line (default: list them, write nothing).",
)
@db_option
def import_labels_command(
    path: str, codebook_path: str | None, prefer: str | None, db_path: str
) -> None:
    """Import labels in the export shape (from another database or tool)."""
    from workbench.codebook import resolve_codebook
    from workbench.export import import_labels
    from workbench.store import Store

    with Store(db_path, create=False) as store:
        book = resolve_codebook(codebook_path, store)
        count = import_labels(store, path, book, prefer)
    _say(f"imported {count} labels from {_visible(path)}")


@cli.command()
@click.argument("other", type=click.Path(dir_okay=False))
@click.option(
    "--prefer",
    type=click.Choice(["newer", "ours", "theirs"]),
    help="How to settle a coder's conflicting labels (default: list them, write nothing).",
)
@db_option
def merge(other: str, prefer: str | None, db_path: str) -> None:
    """Bring another machine's coders, speakers, labels and events into this database."""
    from workbench.merge import MergeConflicts
    from workbench.merge import merge as merge_databases
    from workbench.store import Store

    with Store(db_path, create=False) as store:
        try:
            report = merge_databases(store, other, prefer)
        except MergeConflicts as exc:
            for conflict in exc.conflicts[:MAX_ERRORS_SHOWN]:
                _say(f"conflict: {conflict}", err=True)
            if len(exc.conflicts) > MAX_ERRORS_SHOWN:
                click.echo(
                    f"conflict: ... and {len(exc.conflicts) - MAX_ERRORS_SHOWN} more", err=True
                )
            raise
    _say(report.summary())


@cli.command("snapshot")
@click.argument("out", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Replace an existing file of that name.")
@db_option
def snapshot_command(out: str, force: bool, db_path: str) -> None:
    """Copy the database to OUT, consistent even while others are labeling.

    Use it instead of `cp`: the newest labels of a running session are in
    the database's -wal file, which a plain copy leaves behind.
    """
    from workbench.snapshot import snapshot
    from workbench.store import Store

    with Store(db_path, create=False) as store:
        result = snapshot(store, out, force=force)
    _say(result.summary())


@cli.group()
def speakers() -> None:
    """The speaker registry: list, rename, add aliases, merge duplicates."""


field_option = click.option(
    "--field",
    help="The entity field (default: the codebook's only entity field, e.g. speaker).",
)


def _entity_field(store: Any, codebook_path: str | None, field: str | None) -> str:
    """The entity field a `speakers` command works on, checked against the
    codebook, whose seed entities are registered first (as `label` does)."""
    from workbench.codebook import resolve_codebook

    book = resolve_codebook(codebook_path, store)
    store.register_codebook(book)
    entity_fields = [f.id for f in book.fields if f.kind == "entity"]
    if field is None:
        if len(entity_fields) != 1:
            found = ", ".join(entity_fields) or "none"
            raise WorkbenchError(
                f"codebook {book.name} {book.version} has {len(entity_fields)} entity fields "
                f"({found}): choose one with --field"
            )
        return entity_fields[0]
    if field not in entity_fields:
        raise WorkbenchError(
            f"{field!r} is not an entity field of codebook {book.name} {book.version} "
            f"(entity fields: {', '.join(entity_fields) or 'none'})"
        )
    return field


def _speakers_command(command: Callable[..., Any]) -> Callable[..., Any]:
    return field_option(codebook_option(db_option(command)))


@speakers.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@table_display_option
@_speakers_command
def speakers_list(
    fmt: str, display: DisplayMode, field: str | None, codebook_path: str | None, db_path: str
) -> None:
    """Every speaker with its aliases, who added it and how many labels use it."""
    from workbench.export import dumps
    from workbench.registry import list_speakers, render_speakers
    from workbench.store import Store

    with Store(db_path, create=False) as store:
        field = _entity_field(store, codebook_path, field)
        rows = list_speakers(store, field)
    if fmt == "json":
        out = [r.as_json() for r in rows]
        click.echo(dumps(out, indent=2))
        return
    render_speakers(rows, field, mode=display)


@speakers.command("rename")
@click.argument("key")
@click.option("--label", required=True, help="The new (English) label.")
@click.option("--label-ar", help="The new Arabic label.")
@_speakers_command
def speakers_rename(
    key: str,
    label: str,
    label_ar: str | None,
    field: str | None,
    codebook_path: str | None,
    db_path: str,
) -> None:
    """Give a speaker a new label; its old names stay as aliases."""
    from workbench.registry import rename
    from workbench.store import Store

    with Store(db_path, create=False) as store:
        field = _entity_field(store, codebook_path, field)
        rename(store, field, key, label, label_ar, by=_operator())
    _say(f"renamed {field} {key}: {label}" + (f" / {label_ar}" if label_ar else ""))


@speakers.command("alias")
@click.argument("key")
@click.argument("names", nargs=-1, required=True)
@_speakers_command
def speakers_alias(
    key: str, names: tuple[str, ...], field: str | None, codebook_path: str | None, db_path: str
) -> None:
    """Add other names of a speaker (a name of another speaker is an error)."""
    from workbench.registry import add_aliases
    from workbench.store import Store

    with Store(db_path, create=False) as store:
        field = _entity_field(store, codebook_path, field)
        added = add_aliases(store, field, key, list(names), by=_operator())
    known = len(names) - len(added)
    message = f"{field} {key}: {len(added)} alias(es) added"
    if added:
        message += ": " + ", ".join(added)
    if known:
        message += f"; {known} already its own"
    _say(message)


@speakers.command("merge")
@click.argument("from_key")
@click.argument("into_key")
@_speakers_command
def speakers_merge(
    from_key: str, into_key: str, field: str | None, codebook_path: str | None, db_path: str
) -> None:
    """Merge a duplicate speaker into another: labels and gold re-pointed, logged."""
    from workbench.registry import merge_speakers
    from workbench.store import Store

    with Store(db_path, create=False) as store:
        field = _entity_field(store, codebook_path, field)
        result = merge_speakers(store, field, from_key, into_key, by=_operator())
    _say(result.summary())


def _operator() -> str | None:
    """Who changes the registry from the command line, for its log."""
    return os.environ.get("WORKBENCH_CODER") or None


@cli.group()
def codebook() -> None:
    """Codebook tools."""


@codebook.command("check")
@click.argument("path", type=click.Path())
def codebook_check(path: str) -> None:
    """Validate a codebook; exit 1 with every problem located."""
    from workbench.codebook import load_codebook

    book = load_codebook(path)
    kinds = ", ".join(f"{f.id} ({f.kind})" for f in book.fields)
    _say(f"{_visible(path)}: ok: {book.name} {book.version}, fields: {kinds}")


@codebook.command("diff")
@click.argument("old_path", metavar="OLD.toml", type=click.Path())
@click.argument("new_path", metavar="NEW.toml", type=click.Path())
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: one line per change; json: the changes with old and new values.",
)
def codebook_diff(old_path: str, new_path: str, fmt: str) -> None:
    """List what changed between two codebook versions.

    Each change is semantic (what a label means, or when it is done, may
    differ) or cosmetic (how the codebook looks). Exits 0 with or without
    changes; 1 if a file is unreadable or not a valid codebook (every
    problem of both files, located).
    """
    from workbench.codebook import load_codebook
    from workbench.codebook_diff import diff_codebooks, diff_json, diff_text

    books = []
    errors: list[WorkbenchError] = []
    for path in (old_path, new_path):
        try:
            books.append(load_codebook(path))
        except InputErrors as exc:
            errors.extend(exc.errors)
    if errors:
        raise InputErrors(errors)
    old, new = books
    changes = diff_codebooks(old, new)
    if fmt == "json":
        from workbench.export import dumps

        click.echo(dumps(diff_json(old, new, changes), indent=2))
    else:
        click.echo(diff_text(old, new, changes))


class _progress:
    """A progress bar on stderr, only on a terminal: for imports of many
    files, and for exports (called every 10,000 rows, total unknown)."""

    MIN_FILES = 20

    def __enter__(self) -> Callable[[str, int, int | None], None] | None:
        self._bar: Any = None
        if not sys.stderr.isatty():
            return None
        return self._update

    def _update(self, stage: str, done: int, total: int | None) -> None:
        if total is not None and total < self.MIN_FILES:
            return
        if self._bar is None:
            from rich.progress import MofNCompleteColumn, Progress, SpinnerColumn, TextColumn

            self._bar = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                MofNCompleteColumn(),
                transient=True,
                console=_stderr_console(),
            )
            self._bar.start()
            self._tasks: dict[str, Any] = {}
        if stage not in self._tasks:
            self._tasks[stage] = self._bar.add_task(stage, total=total)
        self._bar.update(self._tasks[stage], completed=done)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()


@cli.group("round")
def round_group() -> None:
    """Study rounds: training, pilot, reliability, production."""


def _actor(by: str | None) -> str:
    """Who creates or closes a round, for its history."""
    import getpass

    return by or os.environ.get("WORKBENCH_CODER") or getpass.getuser()


by_option = click.option(
    "--by", help="Who does this, for the round's history (default: $WORKBENCH_CODER, $USER)."
)


@round_group.command("create")
@click.argument("name")
@click.option(
    "--kind", type=click.Choice(["training", "pilot", "reliability", "production"]), required=True
)
@click.option("--coders", required=True, help="Comma-separated coder names.")
@click.option("--articles", help="Every sentence of these articles (comma-separated ids).")
@click.option(
    "--sample", type=click.IntRange(min=1), help="N sentences that no earlier round used."
)
@click.option(
    "--stratify-by", help="With --sample: oversample this field's rarest values as coded so far."
)
@click.option("--seed", default=0, show_default=True, type=click.IntRange(min=0))
@click.option("--key", help="Training: the answer key, a coder's labels or `gold`.")
@click.option(
    "--pass-alpha",
    default=0.8,
    show_default=True,
    type=click.FloatRange(0, 1, min_open=True),
    help="Training: alpha with the key a trainee must reach on every field.",
)
@codebook_option
@by_option
@table_display_option
@db_option
def round_create(
    name: str,
    kind: str,
    coders: str,
    articles: str | None,
    sample: int | None,
    stratify_by: str | None,
    seed: int,
    key: str | None,
    pass_alpha: float,
    codebook_path: str | None,
    by: str | None,
    display: DisplayMode,
    db_path: str,
) -> None:
    """Create a round: its sentences, coders and the codebook version in force."""
    from rich.console import Console

    from workbench.codebook import resolve_codebook
    from workbench.round_report import render_round
    from workbench.rounds import create_round
    from workbench.store import Store

    with Store(db_path, create=False) as store:
        book = resolve_codebook(codebook_path, store)
        rnd = create_round(
            store,
            name,
            kind,
            _names(coders) or [],
            book,
            by=_actor(by),
            articles=_names(articles),
            sample=sample,
            stratify_by=stratify_by,
            seed=seed,
            key=key,
            pass_alpha=pass_alpha,
        )
        render_round(store, rnd, Console(), mode=display, created=True)


@round_group.command("list")
@table_display_option
@db_option
def round_list(display: DisplayMode, db_path: str) -> None:
    """Every round: kind, codebook version, progress, open or closed, fields to re-test."""
    from rich.console import Console

    from workbench.round_report import render_rounds
    from workbench.store import Store

    with Store(db_path, create=False) as store:
        render_rounds(store, Console(), mode=display)


@round_group.command("show")
@click.argument("name")
@table_display_option
@db_option
def round_show(name: str, display: DisplayMode, db_path: str) -> None:
    """One round: its design, history, progress, and (training) who passed."""
    from rich.console import Console

    from workbench.round_report import render_round
    from workbench.rounds import get_round
    from workbench.store import Store

    with Store(db_path, create=False) as store:
        render_round(store, get_round(store, name), Console(), mode=display, trainees=True)


@round_group.command("close")
@click.argument("name")
@by_option
@db_option
def round_close(name: str, by: str | None, db_path: str) -> None:
    """Close a round: its coders' labels on its sentences become final."""
    from workbench.rounds import close_round
    from workbench.store import Store

    with Store(db_path, create=False) as store:
        rnd = close_round(store, name, by=_actor(by))
    _say(
        f"closed round {_visible(rnd.name)}: its {rnd.sentences} sentences are final for "
        f"{', '.join(map(_visible, rnd.coders))}"
    )


def _stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: run the CLI, turning every failure into located lines."""
    if sys.stdout is None:  # started with stdout closed (`>&-`): output would vanish
        click.echo("error: standard output is closed: nothing was done", err=True)
        sys.exit(1)
    try:
        cli.main(args=argv, prog_name="workbench", standalone_mode=False)
        sys.stdout.flush()  # a full stdout (/dev/full) fails here, not after exit
    except BrokenPipeError:
        # The reader went away (`| head`): what it read was delivered. Quietly,
        # as Python's documentation advises, with no traceback at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
    except InputErrors as exc:
        for error in exc.errors[:MAX_ERRORS_SHOWN]:
            click.echo(f"error: {error}", err=True)
        if len(exc.errors) > MAX_ERRORS_SHOWN:
            click.echo(
                f"error: ... and {len(exc.errors) - MAX_ERRORS_SHOWN} more problems "
                f"({len(exc.errors)} in all); nothing was written",
                err=True,
            )
        sys.exit(1)
    except WorkbenchError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.UsageError as exc:
        # One line, like every other error: what was wrong and where to look.
        where = exc.ctx.command_path if exc.ctx is not None else "workbench"
        click.echo(f"error: {_visible(exc.format_message())} (see `{where} --help`)", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        # Click quotes the value it rejects (a file name, a choice) as given.
        shown = io.StringIO()
        exc.show(file=shown)
        for line in shown.getvalue().splitlines():
            click.echo(_visible(line), err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except OSError as exc:
        # The system refused a read or write (permissions, a full disk or
        # stdout, an unreadable folder): the file and the reason, no traceback.
        where = _visible(str(exc.filename)) if exc.filename else "standard output"
        click.echo(f"error: {where}: {exc.strerror or exc}", err=True)
        with suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
    except Exception as exc:
        if os.environ.get("WORKBENCH_DEBUG"):
            raise
        click.echo(
            f"internal error: {type(exc).__name__}: {_visible(str(exc))} "
            "(please report it; WORKBENCH_DEBUG=1 shows the traceback)",
            err=True,
        )
        sys.exit(2)
