"""The screens of `workbench agree --app`: the overview, and a row's disagreements.

The overview draws the report as bars, one row per field, per coded
category and per article (`report["by_article"]`, when the report has it);
the cursor moves over those rows and enter lists the sentences coders
disagree on for the row. There `r` quits the app with ("review", article id,
sentence index), for the CLI to open `workbench review` at that sentence.

Which sentences a row lists (`disagreements_for`), from what the report has:

- a field: `report["fields"][f]["disagreements"]` when present, else the
  entries of `report["disagreements"]` whose "fields" ({field: disagreeing
  pairs}, or a list of fields) name it, else all of `report["disagreements"]`
  (said on screen: the report does not say which field they disagree on);
- a category: `report["fields"][f]["categories"][c]["disagreements"]`, else
  the field's list (said on screen);
- an article: every listed sentence of that article, from all those lists.

Entries are {"article_id", "sentence_index" (0-based), "text",
"disagreeing_pairs"}; an entry without an article id or a sentence index is
left out. Every string from the report reaches the screen through
`workbench.display` (`display_line`, `display_lines`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen

from workbench.display import DisplayMode, display_line, display_lines
from workbench.keymap import AGREEMENT, AGREEMENT_SENTENCES
from workbench.tui.keyed import key_actions, run_action
from workbench.tui.render import (
    CURRENT,
    RELIABLE,
    TENTATIVE,
    Block,
    _fitting,
    alpha_bar,
    block_lines,
)
from workbench.tui.widgets import KeyBar, Laid

LABEL = 24  # cells of a bar's label (`alpha_bar`): the part the cursor reverses
SENTENCE_LINES = 3  # lines of a listed sentence; the rest is counted


@dataclass(frozen=True)
class Pick:
    """What a row of the overview selects."""

    kind: Literal["field", "category", "article"]
    field: str | None = None
    category: str | None = None
    article: str | None = None


@dataclass(frozen=True)
class Row:
    """One line of the overview: a bar (label, alpha, figures after it), a
    heading, or a prepared line. Rows with a `pick` take the cursor."""

    label: str = ""
    alpha: float | None = None
    extra: str = ""
    heading: str | None = None
    line: Text | None = None
    pick: Pick | None = None


def _figure(value: Any) -> str:
    return "undefined" if value is None else f"{value:.3f}"


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _ci(value: Any) -> str:
    if isinstance(value, (list, tuple)) and len(value) == 2 and all(map(_number, value)):
        return f"95% CI [{value[0]:.3f}, {value[1]:.3f}]"
    return ""


def _q(below: Any) -> str:
    """q at each alpha_min: the share of bootstrap alphas below it."""
    shown = []
    for key, p in sorted(_dict(below).items(), key=lambda kv: str(kv[0])):
        try:
            shown.append(f"q(<{float(key):.3f}) {p:.3f}")
        except (TypeError, ValueError):
            continue
    return "  ".join(shown)


def _alpha(value: Any) -> float | None:
    return float(value) if _number(value) else None


def overview_rows(report: dict[str, Any], mode: DisplayMode) -> list[Row]:
    """The report as rows: every field, then every coded category, then
    codability, alpha without each coder and the articles, weakest first."""
    fields = {k: f for k, f in _dict(report.get("fields")).items() if isinstance(f, dict)}
    book = _dict(report.get("codebook"))
    title = Text("Agreement  ", style="bold")
    title.append(display_line(str(book.get("name", "")), mode))
    title.append(f" {display_line(str(book.get('version', '')), mode)}")
    rows = [
        Row(line=title),
        Row(
            line=Text(
                f"Krippendorff's alpha: green >= {RELIABLE:.3f}, yellow >= {TENTATIVE:.3f}, "
                "red below; enter lists a row's disagreements",
                style="dim",
            )
        ),
        Row(line=Text()),
    ]
    for fid, f in fields.items():
        # The figures most needed first: a narrow screen cuts the end.
        extra = "  ".join(
            x
            for x in (
                f"n={f.get('units', '')}",
                _ci(f.get("alpha_ci")),
                _q(f.get("alpha_below")),
                f"{f.get('level', '')} {f.get('coders', '')} coders",
            )
            if x
        )
        if f.get("undefined_reason") and _alpha(f.get("krippendorff_alpha")) is None:
            extra = f"({display_line(str(f['undefined_reason']), mode)})  {extra}"
        rows.append(Row(fid, _alpha(f.get("krippendorff_alpha")), extra, pick=Pick("field", fid)))
    codability = _dict(report.get("codability"))
    if "krippendorff_alpha" in codability:
        extra = "  ".join(
            x
            for x in (
                f"n={codability.get('units', '')}",
                _ci(codability.get("alpha_ci")),
                _q(codability.get("alpha_below")),
            )
            if x
        )
        rows.append(Row("(codability)", _alpha(codability["krippendorff_alpha"]), extra))
    for fid, f in fields.items():
        rows += _category_rows(fid, _dict(f.get("categories")))
    rows += _drop_one_rows(report, mode)
    rows += _article_rows(report, mode)
    return rows


def _category_rows(fid: str, categories: dict[str, Any]) -> list[Row]:
    def coded(c: dict[str, Any]) -> bool:
        if "codings" in c:
            return bool(c["codings"])
        return not _number(c.get("prevalence")) or c["prevalence"] > 0

    shown = {name: c for name, c in categories.items() if isinstance(c, dict) and coded(c)}
    if not shown:
        return []
    ranked = sorted(
        shown.items(),
        key=lambda item: -1 if (a := _alpha(item[1].get("krippendorff_alpha"))) is None else a,
    )
    rows = [Row(line=Text()), Row(heading=f"{fid}: per category")]
    for name, c in ranked:
        extra = [f"{c['codings']} codings"] if _number(c.get("codings")) else []
        if _number(c.get("units")):
            extra.append(f"n={c['units']}")
        if _number(c.get("prevalence")):
            extra.append(f"prevalence {c['prevalence']:.3f}")
        extra += [x for x in (_ci(c.get("alpha_ci")), _q(c.get("alpha_below"))) if x]
        rows.append(
            Row(
                name,
                _alpha(c.get("krippendorff_alpha")),
                "  ".join(extra),
                pick=Pick("category", fid, category=name),
            )
        )
    return rows


def _drop_one_rows(report: dict[str, Any], mode: DisplayMode) -> list[Row]:
    dropped = _dict(report.get("drop_one_coder"))
    if not dropped:
        return []
    rows = [Row(line=Text()), Row(heading="alpha without each coder")]
    for coder, by_field in dropped.items():
        figures = "  ".join(
            f"{display_line(str(fid), mode)} {_figure(_alpha(v))}"
            for fid, v in _dict(by_field).items()
        )
        name = display_line(str(coder), mode, 26)
        rows.append(Row(line=Text(f"  {name}{' ' * max(0, 26 - cell_len(name))} {figures}")))
    return rows


def _article_rows(report: dict[str, Any], mode: DisplayMode) -> list[Row]:
    """One row per article: its weakest field's alpha; undefined ones last."""
    ranked = []
    for article, by_field in _dict(report.get("by_article")).items():
        # field -> {"krippendorff_alpha", "units"}
        figures = {fid: f for fid, f in _dict(by_field).items() if isinstance(f, dict)}
        alphas = {fid: _alpha(f.get("krippendorff_alpha")) for fid, f in figures.items()}
        defined = sorted((a, fid) for fid, a in alphas.items() if a is not None)
        pick = Pick("article", article=str(article))
        if defined:
            alpha, weakest = defined[0]
            others = ", ".join(
                f"{display_line(fid, mode)} {_figure(a)}"
                for fid, a in alphas.items()
                if fid != weakest
            )
            extra = f"{display_line(weakest, mode)} n={figures[weakest].get('units', '')}" + (
                f"  ({others})" if others else ""
            )
            ranked.append(((0, alpha, str(article)), Row(str(article), alpha, extra, pick=pick)))
        else:
            extra = f"{len(figures)} field(s) undefined"
            ranked.append(((1, 0.0, str(article)), Row(str(article), None, extra, pick=pick)))
    if not ranked:
        return []
    rows = [Row(line=Text()), Row(heading="per article (its weakest field; undefined last)")]
    rows += [row for _, row in sorted(ranked, key=lambda r: r[0])]
    return rows


def row_text(row: Row, width: int, mode: DisplayMode, current: bool = False) -> Text:
    """A row on one line of `width` cells (the bar shrinks on a narrow screen)."""
    if row.heading is not None:
        out = Text(display_line(row.heading, mode), style="bold")
    elif row.line is not None:
        out = row.line.copy()
    else:
        bar = max(8, min(32, width - 64))
        out = alpha_bar(row.label, row.alpha, row.extra, width=bar, mode=mode)
    out.truncate(width, overflow="ellipsis")
    if current:
        out.stylize("reverse", 0, LABEL if row.pick else len(out))
    return out


def overview_text(
    rows: list[Row], cursor: int | None, width: int, height: int, mode: DisplayMode
) -> Text:
    """The rows that fit `height`, the cursor's row in view and reversed."""
    first = 0
    if cursor is not None:
        first = max(0, min(cursor - height // 2, len(rows) - height))
    shown = range(first, min(len(rows), first + height))
    return Text("\n").join(row_text(rows[i], width, mode, current=i == cursor) for i in shown)


# -- the disagreements of a row ----------------------------------------------


def _entries(value: Any) -> list[dict[str, Any]]:
    """The well-formed disagreement entries of a list (others are left out)."""
    if not isinstance(value, list):
        return []
    return [
        e
        for e in value
        if isinstance(e, dict)
        and isinstance(e.get("article_id"), str)
        and isinstance(e.get("sentence_index"), int)
        and not isinstance(e.get("sentence_index"), bool)
    ]


def _names_field(entry: dict[str, Any], fid: str) -> bool:
    named = entry.get("fields")
    return isinstance(named, (dict, list)) and fid in named


def _with_pairs(entry: dict[str, Any], fid: str | None) -> dict[str, Any]:
    """The entry, its pairs counted for `fid` when it says per field."""
    per = entry.get("fields")
    if fid is not None and isinstance(per, dict) and _number(per.get(fid)):
        return {**entry, "disagreeing_pairs": per[fid]}
    return entry


def _field_list(report: dict[str, Any], fid: str) -> tuple[list[dict[str, Any]], str]:
    field = _dict(_dict(report.get("fields")).get(fid))
    if isinstance(field.get("disagreements"), list):
        return _entries(field["disagreements"]), ""
    listed = _entries(report.get("disagreements"))
    if any("fields" in e for e in listed):
        return [_with_pairs(e, fid) for e in listed if _names_field(e, fid)], ""
    note = (
        "The report does not say which field each sentence disagrees on: these are "
        "the sentences with the most disagreement over all fields."
    )
    return listed, note if listed else ""


def _unique(entries: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    seen, out = set(), []
    for e in entries:
        key = (e["article_id"], e["sentence_index"])
        if key not in seen:
            seen.add(key)
            out.append(e)
    return out


def disagreements_for(report: dict[str, Any], pick: Pick) -> tuple[list[dict[str, Any]], str]:
    """The sentences the row `pick` lists, and a note on where they come from
    ("" when they are exactly the row's own); see the module docstring."""
    report = _dict(report)
    if pick.kind == "field" and pick.field is not None:
        return _field_list(report, pick.field)
    if pick.kind == "category" and pick.field is not None:
        categories = _dict(_dict(_dict(report.get("fields")).get(pick.field)).get("categories"))
        own = _dict(categories.get(pick.category)).get("disagreements")
        if isinstance(own, list):
            return _entries(own), ""
        entries, note = _field_list(report, pick.field)
        return entries, note or (
            f"The report has no list per category: these are the sentences {pick.field} "
            "disagrees on."
            if entries
            else ""
        )
    if pick.kind == "article":
        fields = _dict(report.get("fields"))
        pools = [_entries(report.get("disagreements"))]
        for f in fields.values():
            pools.append(_entries(_dict(f).get("disagreements")))
            for c in _dict(_dict(f).get("categories")).values():
                pools.append(_entries(_dict(c).get("disagreements")))
        mine = _unique(e for pool in pools for e in pool if e["article_id"] == pick.article)
        whole = _entries(report.get("disagreements"))
        complete = all(isinstance(_dict(f).get("disagreements"), list) for f in fields.values())
        note = (
            ""
            if complete or not whole
            else f"The report lists only its {len(whole)} sentences with the most disagreement: "
            "those of this article."
        )
        return mine, note
    return [], ""


def pick_title(pick: Pick, mode: DisplayMode) -> str:
    if pick.kind == "article":
        return f"Article {display_line(str(pick.article), mode)}"
    if pick.kind == "category":
        return (
            f"{display_line(str(pick.field), mode)}, category "
            f"{display_line(str(pick.category), mode)}"
        )
    return f"Field {display_line(str(pick.field), mode)}"


def sentences_text(
    title: str,
    note: str,
    entries: list[dict[str, Any]],
    cursor: int,
    width: int,
    height: int,
    mode: DisplayMode,
) -> Text:
    """The title, the note, and as many listed sentences as fit around the cursor's."""
    out = Text(title, style="bold")
    out.append(f": {len(entries)} sentence{'s' * (len(entries) != 1)} with disagreement")
    out.truncate(width, overflow="ellipsis")
    head = [out]
    if note:
        head += [Text(line, style="dim") for line in display_lines(note, width, mode)]
    if not entries:
        head.append(Text("Nothing to list for this row.", style="yellow"))
        return Text("\n").join(head)
    laid = [_entry_lines(e, i == cursor, width, mode) for i, e in enumerate(entries)]
    blocks = [Block("", paragraph=i) for i in range(len(entries))]
    room = max(1, height - len(head) - 1)
    chosen = _fitting(blocks, laid, cursor, room)
    body: list[Text] = []
    for n, i in enumerate(chosen):
        if n:
            body.append(Text())
        body += laid[i][:room]
    return Text("\n").join([*head, Text(), *body[:room]])


def _entry_lines(entry: dict[str, Any], current: bool, width: int, mode: DisplayMode) -> list[Text]:
    pairs = entry.get("disagreeing_pairs")
    header = Text(display_line(entry["article_id"], mode, max(10, width // 2)))
    header.append(f" #{entry['sentence_index'] + 1}")
    if _number(pairs):
        header.append(f"  {pairs} disagreeing pair{'s' * (pairs != 1)}", style="dim")
    lines = block_lines(
        Block(str(entry.get("text", "")), CURRENT if current else ""), max(10, width - 2), mode
    )
    if len(lines) > SENTENCE_LINES:
        header.append(f"  (+{len(lines) - SENTENCE_LINES} lines)", style="dim")
        lines = lines[:SENTENCE_LINES]
    if current:
        header.stylize("reverse")
    header.truncate(width, overflow="ellipsis")
    return [header, *lines]


# -- the screens -----------------------------------------------------------------


class _Listing(Screen[None]):
    """A screen of rows with a cursor (`position`), keys from the keymap."""

    ACTIONS: ClassVar[dict[str, tuple[str, tuple[Any, ...]]]] = {}

    def __init__(self, mode: DisplayMode) -> None:
        super().__init__()
        self.mode = mode
        self.position = 0

    def count(self) -> int:
        raise NotImplementedError

    def draw(self) -> None:
        raise NotImplementedError

    def on_mount(self) -> None:
        self.draw()

    def on_key(self, event: events.Key) -> None:
        if run_action(self, self.ACTIONS, event.key):
            event.stop()
            event.prevent_default()

    def action_cursor(self, delta: int) -> None:
        if self.count():
            self.position = max(0, min(self.count() - 1, self.position + delta))
            self.draw()

    def action_quit(self) -> None:
        self.app.exit(None)


class OverviewScreen(_Listing):
    """Every field, category and article as a bar; enter lists a row's disagreements."""

    ACTIONS = key_actions(AGREEMENT)

    def __init__(self, report: dict[str, Any], mode: DisplayMode) -> None:
        super().__init__(mode)
        self.report = report
        self.rows = overview_rows(report, mode)
        self.picks = [i for i, r in enumerate(self.rows) if r.pick is not None]

    def count(self) -> int:
        return len(self.picks)

    @property
    def cursor(self) -> int | None:
        """The row under the cursor (an index into `rows`), None when no row takes it."""
        return self.picks[self.position] if self.picks else None

    @property
    def picked(self) -> Pick | None:
        return None if self.cursor is None else self.rows[self.cursor].pick

    def compose(self) -> ComposeResult:
        with Vertical(id="agreement"):
            yield Laid(id="overview", fill=True)
        yield KeyBar(AGREEMENT)

    def on_screen_resume(self) -> None:
        self.draw()

    def draw(self) -> None:
        cursor, rows, mode = self.cursor, self.rows, self.mode
        self.query_one("#overview", Laid).lay(
            (cursor, mode), lambda width, height: overview_text(rows, cursor, width, height, mode)
        )

    def action_open(self) -> None:
        pick = self.picked
        if pick is not None:
            entries, note = disagreements_for(self.report, pick)
            self.app.push_screen(
                SentencesScreen(pick_title(pick, self.mode), note, entries, self.mode)
            )


class SentencesScreen(_Listing):
    """A row's disagreeing sentences; `r` quits to `workbench review` at one."""

    ACTIONS = key_actions(AGREEMENT_SENTENCES)

    def __init__(
        self, title: str, note: str, entries: list[dict[str, Any]], mode: DisplayMode
    ) -> None:
        super().__init__(mode)
        self.title_text = title
        self.note = note
        self.entries = entries

    def count(self) -> int:
        return len(self.entries)

    def compose(self) -> ComposeResult:
        with Vertical(id="disagreements"):
            yield Laid(id="sentences", fill=True)
        yield KeyBar(AGREEMENT_SENTENCES)

    def draw(self) -> None:
        title, note, entries, cursor, mode = (
            self.title_text,
            self.note,
            self.entries,
            self.position,
            self.mode,
        )
        self.query_one("#sentences", Laid).lay(
            (cursor, mode),
            lambda width, height: sentences_text(title, note, entries, cursor, width, height, mode),
        )

    def action_review(self) -> None:
        if self.entries:
            entry = self.entries[self.position]
            self.app.exit(("review", entry["article_id"], entry["sentence_index"]))

    def action_back(self) -> None:
        self.app.pop_screen()
