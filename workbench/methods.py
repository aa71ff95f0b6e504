"""The methods paragraph and table of a reliability report, to paste into a paper.

    from workbench import methods, report
    result = report.build(store, codebook, ...)
    context = methods.methods_context(store, codebook, selection=result.get("selection"))
    methods.methods_markdown(result, context)   # `workbench agree --format methods`
    methods.methods_latex(result, context)      # ... --latex

What a paper must say about its coding (Lombard et al. 2002; Krippendorff
2019): the units and how they were selected, the coders and how much each
coded, each variable's coefficient with its interval and q (the probability
that alpha is below the alpha_min fixed in advance, Hayes & Krippendorff
2007), whether the sample is large enough for the rarest value (Krippendorff
2019, after Bloch & Kraemer 1989), how disagreements were resolved and which
codebook was used.

Every figure comes from `report` (the dict `workbench agree --format json`
prints, keys as in design.md "Agreement JSON") or from `context` (what the
report does not hold: assignment runs, gold counts, the codebook's hash, the
segmentation rules; `methods_context` reads them from the store). Nothing is
computed here beyond formatting: floats with 3 decimals, counts as they are.
A key the report does not have leaves its sentence (or table cell, as "—")
out; an undefined alpha reads "undefined" with its reason.

Markdown is logical text, every line sanitized (`workbench.display.sanitize`)
and data escaped; LaTeX escapes its special characters. Arabic text (a
category or coder name) is passed through as it is: LaTeX then needs an
Arabic-capable setup (XeLaTeX or LuaLaTeX with an Arabic font), which the
output says in a comment.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.display import has_arabic, sanitize

if TYPE_CHECKING:
    from workbench.codebook import Codebook
    from workbench.store import Store

SAMPLE_SIZE_CITATION = "Krippendorff (2019, after Bloch & Kraemer 1989)"
LEVELS = {
    "nominal": "nominal",
    "ordinal": "ordinal, in codebook order",
    "masi": "the MASI distance for set-valued variables, Passonneau 2006",
}
# Lists longer than this are counted, not spelled out.
LISTED = 8


# -- pieces of text: trusted, data, identifiers, per-format symbols -------


@dataclass(frozen=True)
class Data:
    """A string from data (a coder, an article id, a reason): escaped."""

    text: str


@dataclass(frozen=True)
class Code:
    """An identifier (a field, a value, a codebook name): set as code."""

    text: str


@dataclass(frozen=True)
class Alt:
    """Trusted text that differs by format (a symbol)."""

    markdown: str
    latex: str


Piece = str | Data | Code | Alt  # a plain str is trusted text written here
LT = Alt("<", "$<$")  # "<" is "¡" in a classic LaTeX text font
DASH = Alt("—", "---")  # not computed, or not applicable
GEQ = Alt("≥", r"$\geq$")


@dataclass(frozen=True)
class Paragraph:
    title: str
    pieces: tuple[Piece, ...]


@dataclass(frozen=True)
class Table:
    caption: str
    headers: tuple[Piece, ...]
    rows: tuple[tuple[Piece, ...], ...]
    right: int  # columns from this index on are figures
    notes: tuple[tuple[Piece, ...], ...] = ()


def number(value: Any) -> str:
    """A figure as printed: floats to 3 decimals, counts as they are, None 'undefined'."""
    if value is None:
        return "undefined"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def _interval(ci: Any) -> str | None:
    if isinstance(ci, (list, tuple)) and len(ci) == 2 and all(_is_number(x) for x in ci):
        return f"[{number(float(ci[0]))}, {number(float(ci[1]))}]"
    return None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _get(mapping: Any, *keys: str) -> Any:
    """mapping[k1][k2]..., or None when any step is missing or not a dict."""
    for key in keys:
        if not isinstance(mapping, dict) or key not in mapping:
            return None
        mapping = mapping[key]
    return mapping


def _join(items: Sequence[Sequence[Piece]], last: str = "and") -> list[Piece]:
    """Pieces of a list in prose: a, b and c."""
    out: list[Piece] = []
    for i, item in enumerate(items):
        if i:
            sep = "; " if last == ";" else f" {last} " if i == len(items) - 1 else ", "
            out.append(sep)
        out.extend(item)
    return out


def _thresholds(keys: Iterable[str]) -> list[str]:
    """alpha_min keys ("0.667", "0.8") in numeric order, unparsable ones dropped."""
    good = []
    for key in keys:
        try:
            good.append((float(key), key))
        except (TypeError, ValueError):
            continue
    return [key for _, key in sorted(set(good))]


def _threshold(key: str) -> str:
    return number(float(key))


# -- what is said -------------------------------------------------------------


def _fields(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {fid: f for fid, f in _dict(report.get("fields")).items() if isinstance(f, dict)}


def _units(report: dict[str, Any], context: dict[str, Any]) -> Paragraph | None:
    pieces: list[Piece] = []
    rules = context.get("segmentation")
    if isinstance(rules, str) and rules:
        pieces += [
            "The unit of analysis is the sentence, segmented by the rules ",
            Code(rules),
            " (a sentence ends at a line break or at sentence-final punctuation). ",
        ]
    runs = context.get("assignment_runs")
    if isinstance(runs, list) and runs:
        described = [_run(run) for run in runs if isinstance(run, dict)]
        pieces += ["Articles were assigned to coders by "]
        pieces += _join(described, "and")
        pieces.append(". ")
    elif isinstance(runs, list):
        pieces.append(
            "No assignment run is recorded in the database: how articles were chosen "
            "for coding is not documented by the workbench. "
        )
    pieces += _coders_per_article(context)
    pieces += _selection(report)
    return Paragraph("Units and sample.", tuple(pieces)) if pieces else None


def _run(run: dict[str, Any]) -> list[Piece]:
    out: list[Piece] = [f"run {number(run['run'])}" if _is_number(run.get("run")) else "a run"]
    if _is_number(run.get("per_article")):
        out.append(f", every article to {number(run['per_article'])} coder(s)")
    elif _is_number(run.get("overlap")):
        out.append(
            f", overlap {number(run['overlap'])} (that share of the articles, a seeded random "
            "sample, double-coded, the rest coded once)"
        )
    scope = run.get("articles")
    if isinstance(scope, list):
        out += [", over ", *_listed([Data(str(a)) for a in scope], "article")]
    coders = run.get("coders")
    if isinstance(coders, list) and coders:
        out += [" among ", *_listed([Data(str(c)) for c in coders], "coder")]
    if _is_number(run.get("seed")):
        out.append(f", seed {number(run['seed'])}")
    if isinstance(run.get("algorithm"), str):
        out += [", algorithm ", Code(run["algorithm"])]
    if _is_number(run.get("assigned_articles")):
        out.append(
            f" (its assignments stand for {number(run['assigned_articles'])} current articles)"
        )
    return out


def _listed(items: list[Piece], noun: str) -> list[Piece]:
    if len(items) > LISTED:
        return [f"{len(items)} {noun}s"]
    return _join([[item] for item in items])


def _coders_per_article(context: dict[str, Any]) -> list[Piece]:
    per = _dict(context.get("coders_per_article"))
    counts = sorted(
        ((int(k), v) for k, v in per.items() if str(k).isdigit() and _is_number(v) and v),
        reverse=True,
    )
    if not counts:
        return []
    parts: list[list[Piece]] = [
        [f"{number(n)} " + ("have no coder" if k == 0 else f"have {k} coder{'s' * (k > 1)}")]
        for k, n in counts
    ]
    lead: list[Piece] = ["Of the current articles"]
    if _is_number(context.get("articles")):
        lead = [f"Of the {number(context['articles'])} current articles"]
        if _is_number(context.get("sentences")):
            lead.append(f" ({number(context['sentences'])} sentences)")
    return [*lead, ", ", *_join(parts), " assigned. "]


def _selection(report: dict[str, Any]) -> list[Piece]:
    sel = _dict(report.get("selection"))
    out: list[Piece] = []
    if isinstance(sel.get("round"), str):
        out += ["The figures are for round ", Data(sel["round"]), ". "]
    if isinstance(sel.get("articles"), list):
        out += [
            "They are restricted to ",
            *_listed([Data(str(a)) for a in sel["articles"]], "article"),
            ". ",
        ]
    excluded = sel.get("excluded_versions")
    if isinstance(excluded, dict):
        version = _get(sel, "codebook", "version") or _get(report, "codebook", "version")
        if excluded:
            parts = [
                [f"{number(n)} under version ", Data(str(v))] for v, n in sorted(excluded.items())
            ]
            out += ["Labels made under other codebook versions were excluded, not pooled: "]
            out += [*_join(parts), ". "]
        elif version is not None:
            out += ["Every label counted was made under codebook version ", Data(str(version))]
            out.append(". ")
    return out


def _coders(report: dict[str, Any]) -> Paragraph | None:
    coders = _dict(report.get("coders"))
    rates = _dict(_get(report, "codability", "rates"))
    names = list(coders) or [
        c for c in (_get(report, "selection", "coders") or []) if isinstance(c, str)
    ]
    if not names:
        most = [f["coders"] for f in _fields(report).values() if _is_number(f.get("coders"))]
        if not most:
            return None
        return Paragraph("Coders.", (f"{number(max(most))} coders coded the units. ",))
    parts = []
    for name in names:
        part: list[Piece] = [Data(name)]
        units = _get(coders, name, "units")
        if _is_number(units):
            part.append(f" {number(units)} units")
        shares = _dict(rates.get(name))
        said = [
            f"{word} {number(float(shares[key]))}"
            for key, word in (("skipped", "skipped"), ("flagged", "flagged"), ("draft", "drafts"))
            if _is_number(shares.get(key))
        ]
        if said:
            part.append(f" ({', '.join(said)})")
        parts.append(part)
    pieces: list[Piece] = [f"{len(names)} coders coded: ", *_join(parts), ". "]
    if rates:
        pieces.append(
            "Shares in parentheses are of each coder's sentences skipped as not codable, "
            "flagged for discussion, and left as drafts (not counted). "
        )
    return Paragraph("Coders.", tuple(pieces))


def _bootstrap(fields: dict[str, dict[str, Any]]) -> list[Piece]:
    """The interval's method, named once when every field used the same."""
    described = {
        fid: [f["alpha_ci_method"], *_bootstrap_words(f)]
        for fid, f in fields.items()
        if isinstance(f.get("alpha_ci_method"), str)
    }
    if not described:
        return []
    if len({tuple(words) for words in described.values()}) == 1:
        method, *rest = next(iter(described.values()))
        return [", by ", Data(method), f" ({', '.join(rest)})" if rest else ""]
    per: list[list[Piece]] = [
        [Code(fid), " by ", Data(method), f" ({', '.join(rest)})" if rest else ""]
        for fid, (method, *rest) in described.items()
    ]
    return [", for ", *_join(per)]


def _bootstrap_words(f: dict[str, Any]) -> list[str]:
    boot = _dict(f.get("bootstrap"))
    words = []
    if _is_number(boot.get("resamples")):
        words.append(f"{number(boot['resamples'])} resamples")
    if _is_number(boot.get("seed")):
        words.append(f"seed {number(boot['seed'])}")
    return words


def _all_thresholds(report: dict[str, Any]) -> list[str]:
    keys: list[str] = []
    for f in [*_fields(report).values(), _dict(report.get("codability"))]:
        keys += list(_dict(f.get("alpha_below")))
    return _thresholds(keys)


def _agreement(report: dict[str, Any]) -> Paragraph | None:
    fields = _fields(report)
    if not fields:
        return None
    levels = [lv for lv in LEVELS if any(f.get("level") == lv for f in fields.values())]
    pieces: list[Piece] = ["Agreement is Krippendorff's alpha for each variable"]
    if levels:
        pieces += [" at its level of measurement (", "; ".join(LEVELS[lv] for lv in levels), ")"]
    if any(_interval(f.get("alpha_ci")) for f in fields.values()):
        pieces.append(", with a 95% interval")
        pieces += _bootstrap(fields)
    thresholds = _all_thresholds(report)
    if thresholds:
        pieces += [
            ", and q, the share of bootstrap alphas below alpha_min = ",
            " and ".join(_threshold(t) for t in thresholds),
            " (Hayes & Krippendorff 2007; Krippendorff 2019)",
        ]
    pieces.append(". Table 1 gives the figures. ")
    pieces += _codability(report, thresholds)
    return Paragraph("Agreement.", tuple(pieces))


def _codability(report: dict[str, Any], thresholds: list[str]) -> list[Piece]:
    c = _dict(report.get("codability"))
    if "krippendorff_alpha" not in c:
        return []
    out: list[Piece] = [
        "Codability, whether coders agree that a sentence is codable (labeled, skipped or "
        "flagged, taken as a nominal variable), has alpha = ",
        *_alpha_words(c),
    ]
    ci = _interval(c.get("alpha_ci"))
    if ci:
        out.append(f", 95% interval {ci}")
    below = _dict(c.get("alpha_below"))
    for t in thresholds:
        if _is_number(below.get(t)):
            out += [", q(", LT, f"{_threshold(t)}) = {number(float(below[t]))}"]
    if _is_number(c.get("units")):
        out.append(f", over {number(c['units'])} sentences")
    out.append(". ")
    return out


def _alpha_words(f: dict[str, Any]) -> list[Piece]:
    alpha = f.get("krippendorff_alpha")
    if _is_number(alpha):
        return [number(float(alpha))]
    reason = f.get("undefined_reason")
    return ["undefined", *([" (", Data(str(reason)), ")"] if reason else [])]


def _sample_size(report: dict[str, Any]) -> Paragraph | None:
    checked = [
        (fid, s)
        for fid, f in _fields(report).items()
        if isinstance(s := f.get("sample_size"), dict) and _is_number(s.get("required_units"))
    ]
    if not checked:
        return None
    parts = []
    short = []
    for fid, s in checked:
        part: list[Piece] = [Code(fid), f" needs {number(s['required_units'])} units"]
        if isinstance(s.get("rarest"), str):
            part += [" for its rarest value ", Code(s["rarest"])]
        if _is_number(s.get("alpha_min")):
            part.append(f" at alpha_min = {number(float(s['alpha_min']))}")
        if _is_number(s.get("p")):
            part.append(f", p = {number(float(s['p']))}")
        if _is_number(s.get("units")):
            part.append(f" and has {number(s['units'])}")
            if s["units"] < s["required_units"]:
                part.append(" (too few)")
                short.append([Code(fid)])
        parts.append(part)
    pieces: list[Piece] = [
        "The units a variable needs for its rarest value follow ",
        SAMPLE_SIZE_CITATION,
        ": ",
        *_join(parts, ";"),
        ". ",
    ]
    if short:
        pieces += ["The sample is too small for ", *_join(short), " at that alpha_min. "]
    return Paragraph("Sample size.", tuple(pieces))


def _disagreements(context: dict[str, Any]) -> Paragraph | None:
    counts = _dict(context.get("gold"))
    said = [(k, counts[k]) for k in ("unanimous", "adjudicated", "unresolved") if k in counts]
    if not said or not all(_is_number(n) for _, n in said):
        return None
    words = {
        "unanimous": "were unanimous (their labels are the gold)",
        "adjudicated": "were settled by an adjudicator",
        "unresolved": "remain unresolved",
    }
    parts: list[list[Piece]] = []
    for key, n in said:
        part: list[Piece] = [f"{number(n)} {words[key]}"]
        if key == "adjudicated" and n and _is_number(context.get("adjudicators")):
            n = context["adjudicators"]
            part.append(f" ({number(n)} adjudicator{'s' * (n != 1)})")
        parts.append(part)
    pieces: list[Piece] = ["Of the sentences coded by two or more coders, ", *_join(parts), ". "]
    if _is_number(counts.get("stale")) and counts["stale"]:
        pieces.append(
            f"Of the adjudicated ones, {number(counts['stale'])} have labels changed since. "
        )
    return Paragraph("Disagreements.", tuple(pieces))


def _codebook(report: dict[str, Any], context: dict[str, Any]) -> Paragraph | None:
    book = _dict(report.get("codebook")) or _dict(_get(report, "selection", "codebook"))
    if "name" not in book:
        return None
    pieces: list[Piece] = ["Coding followed the codebook ", Code(str(book["name"]))]
    if "version" in book:
        pieces += [" version ", Data(str(book["version"]))]
    known = _dict(context.get("codebook"))
    same = (known.get("name"), known.get("version")) == (book.get("name"), book.get("version"))
    if same and isinstance(known.get("sha256"), str):
        pieces += [" (file ", Data(str(known.get("file", "")))] if known.get("file") else [" ("]
        pieces += [", " if known.get("file") else "", "sha256 ", Code(known["sha256"]), ")"]
    pieces.append(". ")
    return Paragraph("Codebook.", tuple(pieces))


def _table(report: dict[str, Any]) -> Table | None:
    fields = _fields(report)
    if not fields:
        return None
    thresholds = _all_thresholds(report)
    sizes = any(isinstance(f.get("sample_size"), dict) for f in fields.values())
    headers: list[Piece] = ["Variable", "Level", *(["Rarest value"] if sizes else []), "Units"]
    headers += [*(["Units needed"] if sizes else []), "Alpha", "95% interval"]
    headers += [Alt(f"q(<{_threshold(t)})", f"$q(<{_threshold(t)})$") for t in thresholds]
    entries: list[tuple[Piece, dict[str, Any]]] = [(Code(fid), f) for fid, f in fields.items()]
    codability = _dict(report.get("codability"))
    if "krippendorff_alpha" in codability:
        entries.append(("codability", {**codability, "level": "nominal"}))
    rows, notes = [], []
    for name, f in entries:
        size = _dict(f.get("sample_size"))
        row: list[Piece] = [name, Data(str(f["level"])) if "level" in f else DASH]
        if sizes:
            row.append(Code(size["rarest"]) if isinstance(size.get("rarest"), str) else DASH)
        row.append(_figure(f.get("units")))
        if sizes:
            row.append(_figure(size.get("required_units")))
        alpha = f.get("krippendorff_alpha")
        defined = _is_number(alpha)
        row.append(
            _figure(_float(alpha)) if defined or "krippendorff_alpha" not in f else "undefined"
        )
        row.append(_interval(f.get("alpha_ci")) or DASH)
        below = _dict(f.get("alpha_below"))
        row += [_figure(_float(below.get(t))) for t in thresholds]
        rows.append(tuple(row))
        if "krippendorff_alpha" in f and not defined:
            notes.append((name, ": alpha undefined", *_alpha_words(f)[1:], "."))
    caption = (
        "Inter-coder reliability per variable: units are sentences coded by two or more "
        "coders; Krippendorff's alpha with its 95% interval"
        + (", q the share of bootstrap alphas below alpha_min" if thresholds else "")
        + (", and the units the rarest value needs" if sizes else "")
        + "."
    )
    return Table(caption, tuple(headers), tuple(rows), 3 if sizes else 2, tuple(notes))


def _float(value: Any) -> Any:
    """A share or a coefficient as a float (so 1 prints as 1.000); anything else as it is."""
    return float(value) if _is_number(value) else value


def _figure(value: Any) -> Piece:
    """A table cell: the figure, or a dash where the report has none."""
    return (
        number(float(value) if isinstance(value, float) else value) if _is_number(value) else DASH
    )


def _content(
    report: dict[str, Any], context: dict[str, Any]
) -> tuple[list[Paragraph], Table | None, list[Paragraph]]:
    report, context = _dict(report), _dict(context)
    before = [p for p in (_units(report, context), _coders(report), _agreement(report)) if p]
    before += [p for p in (_rounds(report, context),) if p]
    after = [
        p
        for p in (
            _sample_size(report),
            _disagreements(context),
            _codebook(report, context),
            _versions(context),
        )
        if p
    ]
    return before, _table(report), after


def _round_words(r: dict[str, Any]) -> list[Piece]:
    """One round as a clause: kind, name, coders, sentences and how they
    were chosen, codebook version, key, state."""
    design = _dict(r.get("design"))
    coders = len(r.get("coders") or ())
    pieces: list[Piece] = [
        f"{r.get('kind')} round ",
        Data(str(r.get("name"))),
        f" ({coders} coder{'s' if coders != 1 else ''}, {r.get('sentences')} sentences ",
    ]
    if "articles" in design:
        articles = design["articles"]
        pieces += [f"of article{'s' if len(articles) != 1 else ''} "]
        pieces += _join([[Data(str(a))] for a in articles])
    else:
        pieces += [
            f"drawn at random, seed {design.get('seed')}, from the "
            f"{design.get('candidates')} sentences no earlier round used"
        ]
        if design.get("stratify_by"):
            strata = [
                [Code(str(x.get("value"))), f" {x.get('drawn')}"]
                for x in design.get("strata") or ()
                if x.get("drawn")
            ]
            pieces += [", stratified by ", Code(str(design["stratify_by"]))]
            pieces += [" with the rarest values as coded so far oversampled: "]
            pieces += _join(strata)
    pieces += [", codebook ", Data(str(_get(r, "codebook", "version")))]
    if r.get("key"):
        pieces += [
            ", answer key ",
            Data(str(r["key"])),
            ", pass at alpha ",
            GEQ,
            f" {number(r.get('pass_alpha'))}",
        ]
    pieces.append(")")
    return pieces


def _rounds(report: dict[str, Any], context: dict[str, Any]) -> Paragraph | None:
    rounds = [_dict(r) for r in context.get("rounds") or ()]
    if not rounds:
        return None
    pieces: list[Piece] = [
        f"The study ran in {len(rounds)} round{'s' if len(rounds) != 1 else ''}: "
    ]
    pieces += _join([_round_words(r) for r in rounds])
    pieces.append(". ")
    this = _dict(report.get("round"))
    if this.get("kind") == "reliability":
        pieces += [
            "In the reliability round ",
            Data(str(this.get("name"))),
            " the coders coded independently: none saw another coder's labels, and each "
            "label was final once the round closed. ",
        ]
    trainees = _dict(_get(report, "trainees", "coders"))
    if trainees:
        passed = [[Data(str(name))] for name, t in trainees.items() if _dict(t).get("passed")]
        pieces += [
            f"Of the {len(trainees)} trainees measured against the key, {len(passed)} reached "
            "alpha ",
            GEQ,
            f" {number(_get(report, 'trainees', 'pass_alpha'))} on every variable",
        ]
        pieces += [": ", *_join(passed), ". "] if passed else [". "]
    for r in rounds:
        if r.get("stale"):
            fields = [[Code(str(f))] for f in r.get("stale_fields") or ()]
            pieces += ["Round ", Data(str(r.get("name"))), " was measured under codebook "]
            pieces += [Data(str(_get(r, "codebook", "version"))), "; "]
            pieces += [*_join(fields), " changed in meaning since: re-test required. "]
    return Paragraph("Study rounds.", tuple(pieces))


def _versions(context: dict[str, Any]) -> Paragraph | None:
    revisions = [_dict(v) for v in context.get("revisions") or ()]
    if not revisions:
        return None
    clauses = []
    for v in revisions:
        clauses.append(
            [
                "version ",
                Data(str(v.get("from"))),
                " to ",
                Data(str(v.get("to"))),
                f" ({v.get('semantic')} semantic and {v.get('cosmetic')} cosmetic changes; "
                f"{v.get('marked')} labels marked for the coder to recheck, "
                f"{v.get('carried')} carried over unchanged)",
            ]
        )
    pieces: list[Piece] = ["The codebook was revised from "]
    pieces += _join(clauses)
    pieces.append(
        ". A label whose field changed in meaning kept the version it was made under until "
        "its coder recommitted it; labels under other versions than the reported one are not "
        "pooled. "
    )
    return Paragraph("Codebook versions.", tuple(pieces))


# -- Markdown -------------------------------------------------------------------

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def _md(piece: Piece) -> str:
    if isinstance(piece, Data):
        return _MARKDOWN_SPECIAL.sub(r"\\\1", sanitize(piece.text))
    if isinstance(piece, Code):
        text = sanitize(piece.text)
        fence = "``" if "`" in text else "`"
        return f"{fence}{text}{fence}" if fence == "`" else f"{fence} {text} {fence}"
    if isinstance(piece, Alt):
        return piece.markdown
    return piece


def _md_cell(piece: Piece) -> str:
    # A pipe ends a table cell even inside a code span (data escapes it already).
    return _md(piece) if isinstance(piece, Data) else _md(piece).replace("|", "\\|")


def _md_pieces(pieces: Iterable[Piece]) -> str:
    return "".join(_md(p) for p in pieces).strip()


def methods_markdown(report: dict[str, Any], context: dict[str, Any]) -> str:
    """The methods paragraphs and Table 1 as Markdown (logical text, sanitized)."""
    before, table, after = _content(report, context)
    lines = ["## Methods: inter-coder reliability", ""]
    for p in before:
        lines += [f"**{p.title}** {_md_pieces(p.pieces)}", ""]
    if table is not None:
        lines.append("| " + " | ".join(_md_cell(h) for h in table.headers) + " |")
        lines.append(
            "|"
            + "".join("---:|" if i >= table.right else "---|" for i in range(len(table.headers)))
        )
        lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in table.rows]
        lines += ["", f"Table 1: {table.caption}", ""]
        lines += [f"- {_md_pieces(note)}" for note in table.notes]
        if table.notes:
            lines.append("")
    for p in after:
        lines += [f"**{p.title}** {_md_pieces(p.pieces)}", ""]
    return "\n".join(sanitize(line) for line in lines).rstrip() + "\n"


# -- LaTeX ------------------------------------------------------------------------

_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
}
_LATEX_RE = re.compile("|".join(re.escape(c) for c in _LATEX_SPECIAL))


def latex_escape(text: str) -> str:
    """`text` safe in LaTeX running text: controls dropped, special characters escaped."""
    return _LATEX_RE.sub(lambda m: _LATEX_SPECIAL[m.group(0)], sanitize(text))


def _tex(piece: Piece) -> str:
    if isinstance(piece, Code):
        return r"\texttt{" + latex_escape(piece.text) + "}"
    if isinstance(piece, Alt):
        return piece.latex
    return latex_escape(piece.text if isinstance(piece, Data) else piece)


def _tex_pieces(pieces: Iterable[Piece]) -> str:
    return "".join(_tex(p) for p in pieces).strip()


def methods_latex(report: dict[str, Any], context: dict[str, Any]) -> str:
    """The methods paragraphs and Table 1 as LaTeX (plain `tabular`, no packages)."""
    before, table, after = _content(report, context)
    lines = ["% Methods: inter-coder reliability (workbench agree --format methods --latex)"]
    body: list[str] = []
    for p in before:
        body += [rf"\paragraph{{{latex_escape(p.title)}}} {_tex_pieces(p.pieces)}", ""]
    if table is not None:
        spec = "".join("r" if i >= table.right else "l" for i in range(len(table.headers)))
        body += [
            r"\begin{table}[htbp]",
            r"\centering",
            rf"\caption{{{latex_escape(table.caption)}}}",
            r"\label{tab:reliability}",
            rf"\begin{{tabular}}{{{spec}}}",
            r"\hline",
            " & ".join(_tex(h) for h in table.headers) + r" \\",
            r"\hline",
            *(" & ".join(_tex(c) for c in row) + r" \\" for row in table.rows),
            r"\hline",
            r"\end{tabular}",
        ]
        if table.notes:
            body.append(r"\par\smallskip")
            body += [_tex_pieces(note) + r"\par" for note in table.notes]
        body += [r"\end{table}", ""]
    for p in after:
        body += [rf"\paragraph{{{latex_escape(p.title)}}} {_tex_pieces(p.pieces)}", ""]
    if any(has_arabic(line) for line in body):
        lines.append(
            "% Arabic text below needs XeLaTeX or LuaLaTeX with an Arabic font (polyglossia or "
            "babel); or use the codebook's English labels."
        )
    lines.append("")
    return "\n".join([*lines, *body]).rstrip() + "\n"


# -- what the report does not hold, from the store ---------------------------------


def methods_context(
    store: Store, codebook: Codebook, *, selection: dict[str, Any] | None = None
) -> dict[str, Any]:
    """What the methods text needs beyond the report: the assignment runs,
    how many coders the current articles have, gold counts by source (of the
    selection's coders and articles, when given), the codebook's hash and
    the segmentation rules.

    `codebook` must be the version the report covers: its hash is printed
    only when its name and version are the report's."""
    import json

    from workbench import gold
    from workbench.assign import assignments
    from workbench.rounds import get_round, list_rounds, round_summary
    from workbench.segment import RULES

    kept = dict(
        store.conn.execute(
            "SELECT x.run_id, COUNT(DISTINCT x.article_id) FROM assignments x"
            " JOIN articles a ON a.id = x.article_id AND a.is_current = 1 GROUP BY x.run_id"
        ).fetchall()
    )
    runs = []
    for run_id, params, created_at in store.conn.execute(
        "SELECT id, params, created_at FROM assignment_runs ORDER BY id"
    ):
        run = {"run": run_id, "created_at": created_at, **json.loads(params)}
        run["assigned_articles"] = kept.get(run_id, 0)
        runs.append(run)
    articles, sentences = store.conn.execute(
        "SELECT COUNT(DISTINCT a.id), COUNT(s.id) FROM articles a"
        " LEFT JOIN sentences s ON s.article_id = a.id WHERE a.is_current = 1"
    ).fetchone()
    by_article = assignments(store)
    per = Counter(len(coders) for coders in by_article.values())
    per[0] = articles - len(by_article)
    sel = selection if isinstance(selection, dict) else {}
    counts = dict.fromkeys((*gold.SOURCES, "stale"), 0)
    adjudicators = set()
    round_id = get_round(store, sel["round"]).id if sel.get("round") else None
    for unit in gold.units(
        store,
        codebook,
        coders=sel.get("coders") or None,
        articles=sel.get("articles") or None,
        round_id=round_id,
    ):
        counts[unit.source] += 1
        counts["stale"] += unit.changed
        if unit.gold is not None:
            adjudicators.add(unit.gold["adjudicator"])
    return {
        "segmentation": RULES,
        "assignment_runs": runs,
        "articles": articles,
        "sentences": sentences,
        "coders_per_article": {str(k): per[k] for k in sorted(per) if per[k]},
        "gold": counts,
        "adjudicators": len(adjudicators),
        "codebook": {
            "name": codebook.name,
            "version": codebook.version,
            "sha256": codebook.content_hash[:12],
            "file": Path(codebook.path).name,
        },
        "rounds": [round_summary(store, r) for r in list_rounds(store)],
        "revisions": _revisions(store, codebook.name),
    }


def _revisions(store: Store, name: str) -> list[dict[str, Any]]:
    """Each recorded revision of the codebook: from, to, its changes by class,
    and the labels it marked and carried over."""
    import json

    out = []
    for changes, marked, carried, before, after in store.conn.execute(
        "SELECT r.changes, r.marked, r.carried, p.version, c.version FROM codebook_revisions r"
        " JOIN codebooks c ON c.id = r.codebook_id JOIN codebooks p ON p.id = r.previous_id"
        " WHERE c.name = ? ORDER BY r.codebook_id",
        (name,),
    ):
        diff = json.loads(changes)
        out.append(
            {
                "from": before,
                "to": after,
                "semantic": diff.get("semantic", 0),
                "cosmetic": diff.get("cosmetic", 0),
                "marked": marked,
                "carried": carried,
            }
        )
    return out
