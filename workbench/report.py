"""The agreement report: every coefficient per codebook field, from the store.

Units are sentences of current articles; a coder's value for a field is
taken from their label when its status is "labeled" and the field is set
(skipped and flagged sentences, and fields left unset, are missing, never a
category). Levels follow the field kind: single choice and entity fields are
nominal, multi choice and stance fields use MASI, ordinal fields ordinal in
codebook order. Text fields have no agreement.

For stance fields the report adds the binary alpha of every
"target:polarity" pair and every target (present in a coder's set or not),
so a researcher sees which stances are coded reliably; single-choice fields
get the binary alpha of every category.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from itertools import combinations
from typing import TYPE_CHECKING, Any

from workbench.agreement import (
    AgreementError,
    bootstrap_alpha,
    cohen_kappa,
    fleiss_kappa,
    gwet_ac1,
    krippendorff_alpha,
    percent_agreement,
)
from workbench.codebook import Codebook, Field
from workbench.store import Store, sql_in

if TYPE_CHECKING:
    from workbench.display import DisplayMode

LEVEL_OF_KIND = {
    "single": "nominal",
    "entity": "nominal",
    "multi": "masi",
    "stance": "masi",
    "ordinal": "ordinal",
}


@dataclass
class FieldData:
    """One field's values: units (sentence ids) x coders, None = missing."""

    field: Field
    coders: list[str]
    sentence_ids: list[int]
    units: list[list[Any]] = field(default_factory=list)

    @property
    def level(self) -> str:
        return LEVEL_OF_KIND[self.field.kind]


def _value(f: Field, raw: Any) -> Any:
    """A stored label value as an agreement value (sets for set-valued fields)."""
    if raw is None:
        return None
    if f.kind == "stance":
        return frozenset(f"{p['target']}:{p['polarity']}" for p in raw)
    if f.kind == "multi":
        return frozenset(raw)
    return str(raw)


def collect(
    store: Store,
    codebook: Codebook,
    *,
    coders: list[str] | None = None,
    articles: list[str] | None = None,
    fields: list[str] | None = None,
) -> dict[str, FieldData]:
    """Every coded field's units x coders table, from labels with status "labeled"."""
    where, params = ["a.is_current = 1", "l.status = 'labeled'"], []
    for column, values in (("c.name", coders), ("a.ext_id", articles)):
        if values:
            clause, bound = sql_in(column, values)
            where.append(clause)
            params += bound
    rows = store.conn.execute(
        "SELECT l.sentence_id, c.name, l.data FROM labels l"
        " JOIN coders c ON c.id = l.coder_id JOIN sentences s ON s.id = l.sentence_id"
        " JOIN articles a ON a.id = s.article_id WHERE "
        + " AND ".join(where)
        + " ORDER BY l.sentence_id",
        params,
    ).fetchall()
    names = sorted({r[1] for r in rows}) if not coders else list(coders)
    column = {name: i for i, name in enumerate(names)}
    wanted = [
        f for f in codebook.fields if f.kind in LEVEL_OF_KIND and (not fields or f.id in fields)
    ]
    unknown = set(fields or ()) - {f.id for f in codebook.fields}
    if unknown:
        raise AgreementError(f"no such field in the codebook: {', '.join(sorted(unknown))}")
    table: dict[str, FieldData] = {f.id: FieldData(f, names, []) for f in wanted}
    by_sentence: dict[int, dict[str, dict[str, Any]]] = {}
    for sentence_id, coder, data in rows:
        by_sentence.setdefault(sentence_id, {})[coder] = json.loads(data)
    for sentence_id, labels in by_sentence.items():
        for f in wanted:
            unit: list[Any] = [None] * len(names)
            for coder, data in labels.items():
                unit[column[coder]] = _value(f, data.get(f.id))
            if sum(v is not None for v in unit) >= 1:
                table[f.id].sentence_ids.append(sentence_id)
                table[f.id].units.append(unit)
    return table


def _safe(compute: Any, *args: Any, **kwargs: Any) -> float | None:
    """A coefficient, or None when it is undefined or there is too little data."""
    try:
        value = compute(*args, **kwargs)
    except AgreementError:
        return None
    return None if math.isnan(value) else float(value)


def _pairable(units: list[list[Any]]) -> int:
    return sum(1 for u in units if sum(v is not None for v in u) >= 2)


def _binary(units: list[list[Any]], test: Any) -> list[list[Any]]:
    return [[None if v is None else bool(test(v)) for v in u] for u in units]


def field_report(fd: FieldData, bootstrap: int = 1000, seed: int = 0) -> dict[str, Any]:
    f, units = fd.field, fd.units
    present = [i for i in range(len(fd.coders)) if any(u[i] is not None for u in units)]
    result: dict[str, Any] = {
        "units": _pairable(units),
        "coders": len(present),
        "level": fd.level,
        "percent_agreement": _safe(percent_agreement, units) if units else None,
        "krippendorff_alpha": None,
        "alpha_ci": None,
        "fleiss_kappa": None,
        "gwet_ac1": None,
        "cohen_kappa_mean": None,
        "categories": {},
        "undefined_reason": None,
    }
    if result["units"] == 0 or len(present) < 2:
        result["undefined_reason"] = (
            "fewer than two coders" if len(present) < 2 else "no sentence coded by two coders"
        )
        return result
    ordinal_order = list(f.value_ids) if f.kind == "ordinal" else None
    try:
        alpha, ci = (
            bootstrap_alpha(
                units, fd.level, n_resamples=bootstrap, seed=seed, categories=ordinal_order
            )
            if bootstrap
            else (krippendorff_alpha(units, fd.level, ordinal_order), None)
        )
    except AgreementError as exc:
        alpha, ci = float("nan"), None
        result["undefined_reason"] = str(exc)
    if math.isnan(alpha):
        result["undefined_reason"] = result["undefined_reason"] or (
            "every value identical: expected disagreement is 0"
        )
    else:
        result["krippendorff_alpha"] = alpha
        result["alpha_ci"] = list(ci) if ci else None
    result["fleiss_kappa"] = _safe(fleiss_kappa, units)
    if f.kind in ("single", "ordinal"):
        result["gwet_ac1"] = _safe(gwet_ac1, units, categories=list(f.value_ids))
    else:
        result["gwet_ac1"] = _safe(gwet_ac1, units)
    kappas = [
        k
        for k in (_pair_kappa(units, a, b)[0] for a, b in combinations(present, 2))
        if k is not None
    ]
    result["cohen_kappa_mean"] = sum(kappas) / len(kappas) if kappas else None
    result["categories"] = _categories(f, units)
    return result


def _categories(f: Field, units: list[list[Any]]) -> dict[str, dict[str, Any]]:
    """Binary alpha per category (single choice) or per pair and target (stance)."""
    tests: dict[str, Any] = {}
    if f.kind == "single":
        tests = {v: (lambda x, v=v: x == v) for v in f.value_ids}
    elif f.kind == "stance":
        for target in f.target_ids:
            for polarity in f.polarity_ids:
                pair = f"{target}:{polarity}"
                tests[pair] = lambda x, pair=pair: pair in x
            tests[target] = lambda x, t=target: any(p.split(":")[0] == t for p in x)
    out = {}
    for name, test in tests.items():
        binary = _binary(units, test)
        coded = sum(1 for u in binary for v in u if v)
        out[name] = {
            "krippendorff_alpha": _safe(krippendorff_alpha, binary),
            "codings": coded,  # how often coders gave it: alpha on 0-2 codings means little
        }
    return out


def _pair_kappa(units: list[list[Any]], a: int, b: int) -> tuple[float | None, int]:
    both = [[u[a], u[b]] for u in units if u[a] is not None and u[b] is not None]
    return (_safe(cohen_kappa, both) if both else None), len(both)


def build(
    store: Store,
    codebook: Codebook,
    *,
    coders: list[str] | None = None,
    articles: list[str] | None = None,
    fields: list[str] | None = None,
    bootstrap: int = 1000,
    seed: int = 0,
) -> dict[str, Any]:
    """The whole report as the stable JSON of `workbench agree --format json`."""
    data = collect(store, codebook, coders=coders, articles=articles, fields=fields)
    report: dict[str, Any] = {
        "codebook": {"name": codebook.name, "version": codebook.version},
        "fields": {fid: field_report(fd, bootstrap, seed) for fid, fd in data.items()},
        "pairs": {},
        "drop_one_coder": {},
        "disagreements": [],
    }
    names = next(iter(data.values())).coders if data else []
    for a, b in combinations(range(len(names)), 2):
        key = f"{names[a]}|{names[b]}"
        report["pairs"][key] = {}
        for fid, fd in data.items():
            kappa, n = _pair_kappa(fd.units, a, b)
            report["pairs"][key][fid] = {"cohen_kappa": kappa, "units": n}
    if len(names) >= 3:
        for i, name in enumerate(names):
            report["drop_one_coder"][name] = {
                fid: _safe(
                    krippendorff_alpha,
                    [[v for j, v in enumerate(u) if j != i] for u in fd.units],
                    fd.level,
                    list(fd.field.value_ids) if fd.field.kind == "ordinal" else None,
                )
                for fid, fd in data.items()
            }
    report["disagreements"] = _most_disagreed(store, data)
    return report


def _most_disagreed(
    store: Store, data: dict[str, FieldData], top: int = 10
) -> list[dict[str, Any]]:
    """Sentences where the most coder pairs disagree, summed over fields."""
    score: dict[int, int] = {}
    for fd in data.values():
        for sid, unit in zip(fd.sentence_ids, fd.units, strict=True):
            given = [v for v in unit if v is not None]
            score[sid] = score.get(sid, 0) + sum(1 for x, y in combinations(given, 2) if x != y)
    ranked = sorted((s for s in score.items() if s[1] > 0), key=lambda s: (-s[1], s[0]))[:top]
    out = []
    for sid, disagreeing_pairs in ranked:
        ext_id, idx, text = store.conn.execute(
            "SELECT a.ext_id, s.idx, s.text FROM sentences s JOIN articles a"
            " ON a.id = s.article_id WHERE s.id = ?",
            (sid,),
        ).fetchone()
        out.append(
            {
                "article_id": ext_id,
                "sentence_index": idx,
                "text": text,
                "disagreeing_pairs": disagreeing_pairs,
            }
        )
    return out


def confusion(
    store: Store, codebook: Codebook, field_id: str, pair: tuple[str, str]
) -> tuple[list[str], list[list[int]]]:
    """Confusion matrix of two coders on one field: (labels, counts[a][b])."""
    fd = collect(store, codebook, coders=list(pair), fields=[field_id])[field_id]
    both = [(u[0], u[1]) for u in fd.units if u[0] is not None and u[1] is not None]
    labels = sorted({_label(v) for p in both for v in p})
    index = {label: i for i, label in enumerate(labels)}
    counts = [[0] * len(labels) for _ in labels]
    for x, y in both:
        counts[index[_label(x)]][index[_label(y)]] += 1
    return labels, counts


def _label(value: Any) -> str:
    if isinstance(value, frozenset):
        return "{" + ", ".join(sorted(value)) + "}" if value else "{} (no stance)"
    return str(value)


# -- rendering ----------------------------------------------------------------------

COLUMNS = (
    ("units", "units"),
    ("coders", "coders"),
    ("level", "level"),
    ("percent_agreement", "% agree"),
    ("krippendorff_alpha", "alpha"),
    ("alpha_ci", "alpha 95% CI"),
    ("fleiss_kappa", "Fleiss k"),
    ("gwet_ac1", "AC1"),
    ("cohen_kappa_mean", "mean Cohen k"),
)
MASI_NOTE = (
    "Set-valued fields (stance) use Krippendorff's alpha with the MASI distance "
    "(Passonneau 2006, as NLTK); their kappas and AC1 count exact set matches."
)


def cell(value: Any) -> str:
    """A figure as printed: 3 decimals, intervals in brackets, None as 'undefined'."""
    if value is None:
        return "undefined"
    if isinstance(value, list):
        return f"[{value[0]:.3f}, {value[1]:.3f}]"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


@dataclass(frozen=True)
class Section:
    """One table of the report, rendered alike as Markdown and as a Rich table."""

    title: str | None
    headers: tuple[str, ...]
    rows: list[tuple[str, ...]]
    right: int  # columns from this index on are figures, right-aligned


def sections(report: dict[str, Any]) -> list[Section]:
    book = report["codebook"]
    fields = list(report["fields"])
    out = [
        Section(
            f"Agreement: {book['name']} {book['version']}",
            ("field", *(h for _, h in COLUMNS)),
            [(fid, *_field_cells(f)) for fid, f in report["fields"].items()],
            1,
        )
    ]
    per_category = [
        (fid, name, cell(c["krippendorff_alpha"]), str(c["codings"]))
        for fid, f in report["fields"].items()
        for name, c in f["categories"].items()
        if c["codings"]
    ]
    if per_category:
        out.append(
            Section(
                "Per category (binary alpha)",
                ("field", "category", "alpha", "codings"),
                per_category,
                2,
            )
        )
    if report["pairs"]:
        rows = [
            (pair, *(f"{cell(by[f]['cohen_kappa'])} (n={by[f]['units']})" for f in fields))
            for pair, by in report["pairs"].items()
        ]
        out.append(Section("Cohen's kappa by coder pair", ("pair", *fields), rows, 1))
    if report["drop_one_coder"]:
        rows = [
            (coder, *(cell(by[f]) for f in fields))
            for coder, by in report["drop_one_coder"].items()
        ]
        out.append(Section("Alpha without each coder", ("without", *fields), rows, 1))
    return out


def _field_cells(f: dict[str, Any]) -> list[str]:
    cells = [cell(f[k]) for k, _ in COLUMNS]
    if f["alpha_ci"] is None and f["krippendorff_alpha"] is not None:
        # Alpha is defined; the interval was not computed (--bootstrap 0) or
        # most resamples were undefined: not "undefined" in the same sense.
        cells[[k for k, _ in COLUMNS].index("alpha_ci")] = "—"
    return cells


def undefined_reasons(report: dict[str, Any]) -> list[str]:
    return [
        f"{fid}: undefined because {f['undefined_reason']}"
        for fid, f in report["fields"].items()
        if f["undefined_reason"]
    ]


def _disagreement_lines(report: dict[str, Any]) -> list[str]:
    return [
        f"{d['article_id']} #{d['sentence_index'] + 1} ({d['disagreeing_pairs']} disagreeing "
        f"pairs): {' '.join(d['text'].split())}"
        for d in report["disagreements"]
    ]


def to_markdown(report: dict[str, Any]) -> str:
    """The report as Markdown: logical text (for editors and renderers that
    do their own bidi), every line sanitized of escapes and controls."""
    from workbench.display import sanitize

    main, *rest = sections(report)
    lines = [f"# {main.title}", "", *_markdown_table(main)]
    lines += ["", *(f"- {r}" for r in undefined_reasons(report)), "", MASI_NOTE, ""]
    for section in rest:
        lines += [f"## {section.title}", "", *_markdown_table(section), ""]
    if report["disagreements"]:
        lines += ["## Sentences with the most disagreement", ""]
        lines += [f"- {line.replace('|', chr(92) + '|')}" for line in _disagreement_lines(report)]
    return "\n".join(sanitize(line) for line in lines).rstrip() + "\n"


def _markdown_table(section: Section) -> list[str]:
    return [
        "| " + " | ".join(section.headers) + " |",
        "|" + "---|" * len(section.headers),
        # A pipe inside a cell (the pair "a|b") would end the cell.
        *("| " + " | ".join(v.replace("|", "\\|") for v in row) + " |" for row in section.rows),
    ]


def render_table(report: dict[str, Any], console: Any, mode: DisplayMode = "terminal") -> None:
    """The report as Rich tables for `mode`: names and sentences through the
    display path, figures as plain text, nothing read as markup."""
    from rich.table import Table
    from rich.text import Text

    from workbench.tables import DataCell, figure, print_lines, title

    main, *rest = sections(report)
    for n, section in enumerate([main, *rest]):
        heading = title(section.title, mode) if section.title else None
        table = Table(title=heading, title_justify="left")
        for i, header in enumerate(section.headers):
            table.add_column(
                DataCell(header, mode), justify="right" if i >= section.right else "left"
            )
        for row in section.rows:
            table.add_row(
                *(DataCell(v, mode) for v in row[: section.right]),
                *map(figure, row[section.right :]),
            )
        console.print(table)
        if n == 0:
            for reason in undefined_reasons(report):
                print_lines(console, reason, mode, style="yellow")
            console.print(Text(MASI_NOTE, style="dim"))
    if report["disagreements"]:
        console.print(Text("Sentences with the most disagreement", style="bold"))
        for line in _disagreement_lines(report):
            print_lines(console, line, mode)


def render_confusion(
    labels: list[str],
    counts: list[list[int]],
    pair: tuple[str, str],
    console: Any,
    mode: DisplayMode = "terminal",
) -> None:
    """Two coders' confusion matrix on one field, category names drawn for `mode`."""
    from rich.table import Table

    from workbench.tables import DataCell, figure, title

    heading = f"Confusion: rows {pair[0]}, columns {pair[1]}"
    table = Table(title=title(heading, mode), title_justify="left")
    table.add_column("")
    for label in labels:
        table.add_column(DataCell(label, mode), justify="right")
    for label, row in zip(labels, counts, strict=True):
        table.add_row(DataCell(label, mode), *map(figure, row))
    console.print(table)
