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

One report covers one codebook version (`select`): the newest among the
selected labels unless one is asked for; labels under other versions are
counted in `selection["excluded_versions"]`, never pooled. A label that
records no codebook (written through the API without one, or imported from a
line without one) counts as the codebook the caller gives. Filters that name
nothing (an unknown coder, article or field, a text field) are errors.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import combinations
from typing import TYPE_CHECKING, Any

from workbench.agreement import (
    AgreementError,
    cohen_kappa,
    encode,
    fleiss_kappa,
    gwet_ac1,
    krippendorff_alpha,
    percent_agreement,
)
from workbench.codebook import LEVEL_OF_KIND, Codebook, Field, parse_codebook
from workbench.reliability import (
    ALPHA_MINS,
    alpha_by_article,
    alpha_over_time,
    categories_reliability,
    category_tests,
    codability,
    coder_reliability,
    field_reliability,
    sample_size,
)
from workbench.rounds import Round, RoundError, get_round, round_summary
from workbench.store import DONE_SQL, Store, sql_in
from workbench.training import trainee_report

if TYPE_CHECKING:
    from workbench.display import DisplayMode


@dataclass
class FieldData:
    """One field's values: units (sentence ids) x coders, None = missing."""

    field: Field
    coders: list[str]
    sentence_ids: list[int]
    units: list[list[Any]] = field(default_factory=list)
    articles: list[str] = field(default_factory=list)  # each unit's article id
    times: list[str] = field(default_factory=list)  # each unit's last commit (ISO 8601)

    @property
    def level(self) -> str:
        return LEVEL_OF_KIND[self.field.kind]

    @cached_property
    def encoded(self) -> Any:
        """The units encoded once (codebook order for ordinal fields), for
        every coefficient: one encoding of 100,000 sentences costs 0.6 s,
        and the report asked for one per coefficient."""
        return _encoded(self.units, _order(self.field))


def _value(f: Field, raw: Any) -> Any:
    """A stored label value as an agreement value (sets for set-valued fields)."""
    if raw is None:
        return None
    if f.kind == "stance":
        return frozenset(f"{p['target']}:{p['polarity']}" for p in raw)
    if f.kind == "multi":
        return frozenset(raw)
    return str(raw)


class SelectionError(AgreementError):
    """A filter that names nothing (an unknown coder, article, field or
    codebook version) or a field that has no agreement (a text field)."""


@dataclass(frozen=True)
class Selection:
    """What one report covers: the codebook version, the filters as given,
    and how many done labels in the selection were left out by version."""

    codebook: Codebook
    coders: list[str] | None
    articles: list[str] | None
    fields: list[str] | None
    codebook_ids: tuple[int, ...]  # labels.codebook_id of this version
    unrecorded: bool  # labels that record no codebook count as this version
    excluded_versions: dict[str, int]
    unrecorded_labels: int = 0  # how many done labels that is
    round: Round | None = None  # only this round's sentences (and, by default, coders)

    def where(self) -> tuple[list[str], list[Any]]:
        """SQL conditions (aliases l, c, a) for this selection's labels, any status."""
        where, params = _filters(self.coders, self.articles, self.round)
        versions = []
        if self.codebook_ids:
            clause, bound = sql_in("l.codebook_id", list(self.codebook_ids))
            versions.append(clause)
            params += bound
        if self.unrecorded:
            versions.append("l.codebook_id IS NULL")
        where.append(f"({' OR '.join(versions)})" if versions else "0 = 1")
        return where, params


def _filters(
    coders: list[str] | None, articles: list[str] | None, rnd: Round | None = None
) -> tuple[list[str], list[Any]]:
    """SQL conditions for labels of current articles, by coder and article,
    and of a round's sentences (a round may hold earlier article versions)."""
    where, params = ["a.is_current = 1"], []
    if rnd is not None:
        where = ["l.sentence_id IN (SELECT sentence_id FROM round_sentences WHERE round_id = ?)"]
        params = [rnd.id]
    for column, values in (("c.name", coders), ("a.ext_id", articles)):
        if values:
            clause, bound = sql_in(column, values)
            where.append(clause)
            params += bound
    return where, params


def _labels(
    store: Store, columns: str, where: list[str], params: list[Any], tail: str = ""
) -> list[tuple[Any, ...]]:
    """`SELECT columns` over labels joined to coders, sentences and articles."""
    return store.conn.execute(
        f"SELECT {columns} FROM labels l JOIN coders c ON c.id = l.coder_id"
        " JOIN sentences s ON s.id = l.sentence_id JOIN articles a ON a.id = s.article_id"
        f" WHERE {' AND '.join(where)} {tail}",
        params,
    ).fetchall()


_DOTTED = re.compile(r"\d+(\.\d+)*")


def select(
    store: Store,
    codebook: Codebook,
    *,
    coders: list[str] | None = None,
    articles: list[str] | None = None,
    fields: list[str] | None = None,
    codebook_version: str | None = None,
    round_name: str | None = None,
) -> Selection:
    """The selection a report covers, its filters checked (`SelectionError`).

    With `round_name`, only the round's sentences and (unless `coders` names
    some of them) its coders.

    The version is `codebook_version` if given, else the newest among the
    selected done labels (version numbers made of dotted integers compare as
    numbers, 1.10.0 after 1.9.0; others by registration order), else
    `codebook`'s. Its codebook is `codebook` when that is the version, else
    the one registered in the database.
    """
    _check_known(store, coders, articles)
    rnd = _round_of(store, round_name, coders)
    if rnd is not None and not coders:
        coders = list(rnd.coders)
    where, params = _filters(coders, articles, rnd)
    where.append(f"l.status IN {DONE_SQL}")
    counted = _labels(store, "l.codebook_id, COUNT(*)", where, params, "GROUP BY l.codebook_id")
    registered = {cid: (name, version) for cid, name, version in store.codebook_versions()}
    own = (codebook.name, codebook.version)
    present: dict[tuple[str, str], int] = {}
    nulls = sum(n for cid, n in counted if cid is None)
    for cid, n in counted:
        key = own if cid is None else registered[cid]
        present[key] = present.get(key, 0) + n
    if codebook_version is not None:
        known = [*registered.values(), *([] if own in registered.values() else [own])]
        matching = sorted(
            (k for k in known if k[1] == codebook_version), key=lambda k: k != own
        )  # the codebook given first, if it is that version
        if not matching:
            versions = ", ".join(dict.fromkeys(v for _, v in known))
            raise SelectionError(
                f"no codebook version {codebook_version!r} in this database (versions: {versions})"
            )
        chosen = matching[0]
    elif present:
        order = {key: cid for cid, key in registered.items()}
        chosen = _newest(list(present), order)
    else:
        chosen = own
    book = codebook if chosen == own else _registered(store, chosen)
    _check_fields(book, fields)
    return Selection(
        codebook=book,
        coders=list(coders) if coders else None,
        articles=list(articles) if articles else None,
        fields=list(fields) if fields else None,
        codebook_ids=tuple(cid for cid, key in registered.items() if key == chosen),
        unrecorded=chosen == own,
        excluded_versions={
            (version if name == chosen[0] else f"{name} {version}"): n
            for (name, version), n in present.items()
            if (name, version) != chosen
        },
        unrecorded_labels=nulls if chosen == own else 0,
        round=rnd,
    )


def _round_of(store: Store, name: str | None, coders: list[str] | None) -> Round | None:
    if name is None:
        return None
    try:
        rnd = get_round(store, name)
    except RoundError as exc:
        raise SelectionError(exc.message) from None
    outside = [c for c in coders or () if c not in rnd.coders]
    if outside:
        raise SelectionError(
            f"coder(s) not in round {name!r}: {', '.join(outside)} "
            f"(its coders: {', '.join(rnd.coders)})"
        )
    return rnd


def _newest(keys: list[tuple[str, str]], order: dict[tuple[str, str], int]) -> tuple[str, str]:
    if all(_DOTTED.fullmatch(v) for _, v in keys):
        return max(keys, key=lambda k: (tuple(map(int, k[1].split("."))), order.get(k, math.inf)))
    return max(keys, key=lambda k: order.get(k, math.inf))


def _registered(store: Store, key: tuple[str, str]) -> Codebook:
    source, path = store.conn.execute(
        "SELECT source, path FROM codebooks WHERE name = ? AND version = ?", key
    ).fetchone()
    return parse_codebook(source, path)


def _check_known(store: Store, coders: list[str] | None, articles: list[str] | None) -> None:
    known = store.coders()
    unknown = [c for c in dict.fromkeys(coders or ()) if c not in set(known)]
    if unknown:
        raise SelectionError(
            f"unknown coder(s): {', '.join(unknown)} "
            f"(coders in this database: {', '.join(sorted(known)) or 'none'})"
        )
    if articles:
        ids = {r[0] for r in store.conn.execute("SELECT DISTINCT ext_id FROM articles")}
        missing = [a for a in dict.fromkeys(articles) if a not in ids]
        if missing:
            raise SelectionError(
                f"unknown article(s): {', '.join(missing)} ({len(ids)} articles in this "
                "database; `workbench export --kind sentences` lists their ids)"
            )


def _check_fields(codebook: Codebook, fields: list[str] | None) -> None:
    by_id = {f.id: f for f in codebook.fields}
    unknown = [f for f in dict.fromkeys(fields or ()) if f not in by_id]
    if unknown:
        raise SelectionError(f"no such field in the codebook: {', '.join(unknown)}")
    text = [f for f in dict.fromkeys(fields or ()) if by_id[f].kind not in LEVEL_OF_KIND]
    if text:
        coded = ", ".join(f.id for f in codebook.fields if f.kind in LEVEL_OF_KIND)
        raise SelectionError(
            f"field {text[0]!r} is a {by_id[text[0]].kind} field: it has no agreement "
            f"(fields with agreement: {coded})"
        )


def collect(
    store: Store,
    codebook: Codebook,
    *,
    coders: list[str] | None = None,
    articles: list[str] | None = None,
    fields: list[str] | None = None,
    selection: Selection | None = None,
) -> dict[str, FieldData]:
    """Every coded field's units x coders table, from labels with status
    "labeled" in `selection` (default: the filters given, under `codebook`'s
    version)."""
    if selection is None:
        selection = select(
            store,
            codebook,
            coders=coders,
            articles=articles,
            fields=fields,
            codebook_version=codebook.version,
        )
    codebook, coders, fields = selection.codebook, selection.coders, selection.fields
    where, params = selection.where()
    where.append("l.status = 'labeled'")
    rows = _labels(
        store,
        "l.sentence_id, c.name, l.data, a.ext_id, l.updated_at",
        where,
        params,
        "ORDER BY l.sentence_id",
    )
    names = sorted({r[1] for r in rows}) if not coders else list(coders)
    column = {name: i for i, name in enumerate(names)}
    wanted = [
        f for f in codebook.fields if f.kind in LEVEL_OF_KIND and (not fields or f.id in fields)
    ]
    table: dict[str, FieldData] = {f.id: FieldData(f, names, []) for f in wanted}
    by_sentence: dict[int, dict[str, tuple[Any, ...]]] = {}
    where_when: dict[int, tuple[str, str]] = {}
    # Labels repeat: the field values of each distinct stored JSON are
    # worked out once (on 300,000 labels, a third of the report's time).
    values_of: dict[str, tuple[Any, ...]] = {}
    for sentence_id, coder, data, ext_id, at in rows:
        values = values_of.get(data)
        if values is None:
            decoded = json.loads(data)
            values = values_of[data] = tuple(_value(f, decoded.get(f.id)) for f in wanted)
        by_sentence.setdefault(sentence_id, {})[coder] = values
        last = where_when.get(sentence_id, (ext_id, ""))[1]
        where_when[sentence_id] = (ext_id, max(last, at or ""))
    for sentence_id, labels in by_sentence.items():
        for n, f in enumerate(wanted):
            unit: list[Any] = [None] * len(names)
            for coder, values in labels.items():
                unit[column[coder]] = values[n]
            if sum(v is not None for v in unit) >= 1:
                table[f.id].sentence_ids.append(sentence_id)
                table[f.id].units.append(unit)
                table[f.id].articles.append(where_when[sentence_id][0])
                table[f.id].times.append(where_when[sentence_id][1])
    return table


def _safe(compute: Any, *args: Any, **kwargs: Any) -> float | None:
    """A coefficient, or None when it is undefined or there is too little data."""
    return _with_reason(compute, *args, **kwargs)[0]


def _with_reason(
    compute: Any, *args: Any, why_nan: str | Callable[[], str] = "", **kwargs: Any
) -> tuple[float | None, str | None]:
    """(coefficient, None), or (None, why) when it is undefined: the engine's
    message for too little data, `why_nan` (or what it returns, computed only
    then) when the engine returns NaN."""
    try:
        value = compute(*args, **kwargs)
    except AgreementError as exc:
        return None, str(exc)
    if math.isnan(value):
        return None, (why_nan() if callable(why_nan) else why_nan) or "undefined (0/0)"
    return float(value), None


def _pairable(units: list[list[Any]]) -> int:
    return sum(1 for u in units if sum(v is not None for v in u) >= 2)


def _only_value(units: list[list[Any]], pairable: bool) -> Any:
    """The one value given (on pairable units only, if asked), else None."""
    seen = {
        v
        for u in units
        if not pairable or sum(x is not None for x in u) >= 2
        for v in u
        if v is not None
    }
    return next(iter(seen)) if len(seen) == 1 else None


def _one_value_reason(
    units: list[list[Any]], pairable: bool, said: str, otherwise: str
) -> Callable[[], str]:
    """A reason to compute only when needed: `said` with {value} the one
    value given, if there is one, else `otherwise`."""

    def reason() -> str:
        only = _only_value(units, pairable)
        return otherwise if only is None else said.format(value=repr(_label(only)))

    return reason


ZERO_BY_ZERO = "chance agreement is 1, so kappa is 0/0"
# The coefficients of a field's row, in column order, with the names the
# reasons use.
COEFFICIENT_NAMES = {
    "percent_agreement": "% agree",
    "krippendorff_alpha": "alpha",
    "alpha_ci": "alpha 95% CI",
    "fleiss_kappa": "Fleiss k",
    "gwet_ac1": "AC1",
    "cohen_kappa_mean": "mean Cohen k",
}


def field_report(
    fd: FieldData,
    bootstrap: int = 1000,
    seed: int = 0,
    alpha_mins: tuple[float, ...] = ALPHA_MINS,
    pairs: list[tuple[float | None, int, str | None]] | None = None,
) -> dict[str, Any]:
    """One field's row. Every coefficient that is None has its reason in
    `undefined_reasons` (`undefined_reason` is alpha's, as before); `notes`
    explain a defined AC1 or Fleiss' kappa beside an undefined alpha."""
    f, units = fd.field, fd.units
    # Encoded once for the coefficients that count observed values: each
    # encoding of 100,000 sentences of stance sets cost 0.6 s.
    observed = fd.encoded
    present = [i for i in range(len(fd.coders)) if any(u[i] is not None for u in units)]
    from_codebook = f.kind in ("single", "ordinal")
    q = len(f.value_ids) if from_codebook else len({v for u in units for v in u if v is not None})
    result: dict[str, Any] = {
        "units": _pairable(units),
        "coders": len(present),
        "level": fd.level,
        "percent_agreement": _safe(percent_agreement, observed) if units else None,
        "krippendorff_alpha": None,
        "alpha_ci": None,
        "fleiss_kappa": None,
        "gwet_ac1": None,
        "cohen_kappa_mean": None,
        "categories": {},
        "undefined_reason": None,
        "undefined_reasons": {},
        "notes": [],
        "gwet_ac1_categories": {"q": q, "from": "codebook" if from_codebook else "observed"},
    }
    reasons: dict[str, str] = result["undefined_reasons"]
    if result["units"] == 0 or len(present) < 2:
        reason = "fewer than two coders" if len(present) < 2 else "no sentence coded by two coders"
        result["undefined_reason"] = reason
        reasons.update(dict.fromkeys(COEFFICIENT_NAMES, reason))
        return result
    ordinal_order = list(f.value_ids) if f.kind == "ordinal" else None
    alpha, ci, why = float("nan"), None, None
    try:
        # The interval comes with q from the same resamples (`_add_reliability`).
        alpha, ci = krippendorff_alpha(fd.encoded, fd.level), None
    except AgreementError as exc:
        why = str(exc)
    if math.isnan(alpha):
        result["undefined_reason"] = (
            why
            or _one_value_reason(
                units,
                True,
                f"every value identical ({{value}} on all {result['units']} sentences coded by two "
                "or more coders): expected disagreement is 0",
                "expected disagreement is 0",
            )()
        )
        reasons["krippendorff_alpha"] = reasons["alpha_ci"] = result["undefined_reason"]
    else:
        result["krippendorff_alpha"] = alpha
        result["alpha_ci"] = list(ci) if ci else None
    result["fleiss_kappa"], why = _with_reason(
        fleiss_kappa,
        observed,
        why_nan=_one_value_reason(
            units,
            False,
            "every coding is {value}, sentences coded once included: " + ZERO_BY_ZERO,
            ZERO_BY_ZERO,
        ),
    )
    if why:
        reasons["fleiss_kappa"] = why
    result["gwet_ac1"], why = _with_reason(
        gwet_ac1,
        _encoded(units, list(f.value_ids)) if from_codebook else observed,
        why_nan=f"AC1 needs at least two categories; q = {q} ({_q_source(f)})",
    )
    if why:
        reasons["gwet_ac1"] = why
    if pairs is None:
        pairs = [_pair_kappa(units, a, b) for a, b in combinations(present, 2)]
    defined = [(k, n) for k, n, _ in pairs if k is not None]
    if defined:
        # Weighted by the units each pair shares: a coder who labeled one
        # sentence cannot pull the mean as far as a pair that shares fifty.
        result["cohen_kappa_mean"] = sum(k * n for k, n in defined) / sum(n for _, n in defined)
    else:
        reasons["cohen_kappa_mean"] = (
            "no two coders labeled a sentence in common"
            if all(n == 0 for _, n, _ in pairs)
            else "every coder pair's kappa is undefined: on the sentences each pair "
            "shares, both coders gave one and the same value (chance agreement 1)"
        )
    if math.isnan(alpha) and _only_value(units, pairable=True) is not None:
        result["notes"] = _identical_notes(result, units, q, f)
    result["categories"] = _categories(fd, bootstrap, seed, alpha_mins)
    _add_reliability(result, fd, ordinal_order, bootstrap, seed, alpha_mins)
    return result


def _add_reliability(
    result: dict[str, Any],
    fd: FieldData,
    ordinal_order: list[str] | None,
    bootstrap: int,
    seed: int,
    alpha_mins: tuple[float, ...],
) -> None:
    """What a reviewer asks beside alpha (issue 11, design.md): q (the share
    of bootstrap alphas below each alpha_min) from the same resamples as the
    interval, the method named, the sample-size check, and per category its
    interval, q, prevalence and units."""
    if not fd.units:
        return
    # Categories are computed apart (`_categories`, with or without a
    # bootstrap); the sample-size check of a set-valued field needs their
    # prevalence, so it is computed here from theirs.
    extra = field_reliability(
        fd.encoded,
        fd.level,
        n_resamples=bootstrap,
        seed=seed,
        alpha_mins=alpha_mins,
        sample_alpha_min=max(alpha_mins),
    )
    if fd.level == "masi" and result["categories"]:
        extra["sample_size"] = sample_size(
            {name: c["prevalence"] or 0.0 for name, c in result["categories"].items()},
            extra["units"],
            max(alpha_mins),
            0.05,
            max(result["coders"], 2),
        )
    result["sample_size"] = extra["sample_size"]  # needs no resamples
    if not bootstrap:
        result["alpha_ci_method"] = None
        return
    result["alpha_ci_method"] = extra["alpha_ci_method"]
    result["bootstrap"] = extra["bootstrap"]
    result["alpha_below"] = extra["alpha_below"]
    if result["krippendorff_alpha"] is not None:
        result["alpha_ci"] = extra["alpha_ci"]  # the resamples alpha_below counts
        if extra["alpha_ci"] is None:
            result["undefined_reasons"]["alpha_ci"] = (
                f"alpha is undefined in more than half of the {bootstrap} bootstrap resamples"
            )


def _encoded(units: list[list[Any]], categories: list[str] | None) -> Any:
    """The units encoded (the agreement functions take an `Encoded` as is),
    or the units themselves when there is nothing to encode (their error
    then comes from the coefficient, as before)."""
    try:
        return encode(units, categories)
    except AgreementError:
        return units


def _q_source(f: Field) -> str:
    if f.kind in ("single", "ordinal"):
        return "the codebook's values"
    return "the sets given" if f.kind in ("stance", "multi") else "the values given"


def _identical_notes(result: dict[str, Any], units: list[list[Any]], q: int, f: Field) -> list[str]:
    """Why AC1 and Fleiss' kappa are defined where alpha is not (one value given)."""
    notes = []
    if result["gwet_ac1"] is not None:
        notes.append(
            f"AC1 is {result['gwet_ac1']:.3f} while alpha is undefined: AC1's chance "
            f"agreement comes from the number of categories (q = {q}, {_q_source(f)}), not "
            "from the values' variation, so complete agreement on one value gives AC1 = 1; "
            "alpha and Cohen's kappa need variation to tell agreement from chance."
        )
    if result["fleiss_kappa"] is not None:
        once = sum(1 for u in units if sum(v is not None for v in u) == 1)
        notes.append(
            f"Fleiss' kappa is {result['fleiss_kappa']:.3f} while alpha is undefined: its "
            f"chance agreement also counts the {once} sentence{'s' if once != 1 else ''} coded "
            "by one coder only (Gwet's generalization to missing ratings, as irrCAC), where "
            "other values occur; alpha and Cohen's kappa use only sentences two coders coded."
        )
    return notes


def _category_tests(f: Field) -> dict[str, Any]:
    """The binary variables of a field: each single-choice value; each stance
    target:polarity pair and each target."""
    if f.kind == "single":
        return category_tests("single", values=list(f.value_ids))
    if f.kind == "stance":
        return category_tests("stance", targets=list(f.target_ids), polarities=list(f.polarity_ids))
    return {}


# The reliability module's reasons, in the report's words.
_CATEGORY_REASONS = {
    "every pairable value is this category": (
        "given on every coding of the sentences coded by two or more coders"
    ),
    "no pairable value is this category": (
        "never given on the sentences coded by two or more coders"
    ),
}


def _categories(
    fd: FieldData, bootstrap: int, seed: int, alpha_mins: tuple[float, ...]
) -> dict[str, dict[str, Any]]:
    """Binary alpha per category (single choice) or per pair and target
    (stance), with interval, q, prevalence and units: one vectorized pass
    over the field's distinct values (a Python pass per category took 60 s
    for a 100,000-sentence stance field)."""
    tests = _category_tests(fd.field)
    if not tests or not fd.units:
        return {}
    out = categories_reliability(
        fd.encoded, tests, n_resamples=bootstrap, seed=seed, alpha_mins=alpha_mins
    )
    for category in out.values():
        reason = category["undefined_reason"]
        category["undefined_reason"] = _CATEGORY_REASONS.get(reason, reason)
    return out


def _pair_kappa(units: list[list[Any]], a: int, b: int) -> tuple[float | None, int, str | None]:
    """(Cohen's kappa, shared units, why undefined) of coders a and b."""
    both = [[u[a], u[b]] for u in units if u[a] is not None and u[b] is not None]
    if not both:
        return None, 0, "the two coders labeled no sentence in common"
    kappa, why = _with_reason(
        cohen_kappa,
        both,
        why_nan=_one_value_reason(
            both,
            True,
            f"both coders gave {{value}} on all {len(both)} shared sentences: " + ZERO_BY_ZERO,
            ZERO_BY_ZERO,
        ),
    )
    return kappa, len(both), why


def _alpha_without(fd: FieldData, i: int) -> tuple[float | None, int, str | None]:
    """Alpha of the field without coder i: (alpha, pairable units, why undefined)."""
    rest = [[v for j, v in enumerate(u) if j != i] for u in fd.units]
    n = _pairable(rest)
    if n == 0:
        return None, 0, "no sentence coded by two of the other coders"
    alpha, why = _with_reason(
        krippendorff_alpha,
        rest,
        fd.level,
        list(fd.field.value_ids) if fd.field.kind == "ordinal" else None,
        why_nan="every value the other coders gave is identical: expected disagreement is 0",
    )
    return alpha, n, why


def build(
    store: Store,
    codebook: Codebook,
    *,
    coders: list[str] | None = None,
    articles: list[str] | None = None,
    fields: list[str] | None = None,
    bootstrap: int = 1000,
    seed: int = 0,
    codebook_version: str | None = None,
    pair: tuple[str, str] | None = None,
    alpha_mins: Sequence[float] = ALPHA_MINS,
    windows: int = 5,
    round_name: str | None = None,
) -> dict[str, Any]:
    """The whole report as the stable JSON of `workbench agree --format json`.

    It covers one codebook version (see `select`); with `pair`, each field
    adds the two coders' confusion matrix on the same selection.
    """
    selection = select(
        store,
        codebook,
        coders=coders,
        articles=articles,
        fields=fields,
        codebook_version=codebook_version,
        round_name=round_name,
    )
    if pair is not None:
        _check_pair(store, pair, selection.coders)
    book = selection.codebook
    data = collect(store, book, selection=selection)
    names = next(iter(data.values())).coders if data else _coders_in(store, selection)
    # Each coder's figures per field in one vectorized pass (kappa per pair
    # with its interval, alpha without each coder): the pass per pair and
    # coder over Python lists took 30 s on 100,000 sentences.
    figures = {
        fid: coder_reliability(fd.encoded, names, fd.level, n_resamples=bootstrap, seed=seed)
        for fid, fd in data.items()
        if fd.units and len(names) >= 2
    }
    report: dict[str, Any] = {
        "codebook": {"name": book.name, "version": book.version},
        "selection": {
            "codebook": {"name": book.name, "version": book.version},
            "coders": names,
            "articles": selection.articles,
            "round": None if selection.round is None else selection.round.name,
            "excluded_versions": selection.excluded_versions,
            "unrecorded_version": selection.unrecorded_labels,
        },
        "fields": {
            fid: field_report(
                fd, bootstrap, seed, tuple(sorted(set(alpha_mins))), _pairs_of(figures.get(fid), fd)
            )
            for fid, fd in data.items()
        },
        "pairs": {},
        "drop_one_coder": {},
        "coders": {},
        "disagreements": [],
    }
    for a, b in combinations(range(len(names)), 2):
        key = f"{names[a]}|{names[b]}"
        report["pairs"][key] = {}
        for fid, fd in data.items():
            kappa, n, why = _pair_of(figures.get(fid), fd, a, b)
            report["pairs"][key][fid] = {"cohen_kappa": kappa, "units": n, "undefined_reason": why}
    labeled = _labeled_units(store, selection)
    for i, name in enumerate(names):
        entry: dict[str, Any] = {
            "units": labeled.get(name, 0),
            "alpha_without": {},
            "alpha_without_units": {},
            "alpha_without_reasons": {},
        }
        for fid, fd in data.items():
            alpha, n, why = _without_of(figures.get(fid), fd, i)
            entry["alpha_without"][fid] = alpha
            entry["alpha_without_units"][fid] = n
            if why:
                entry["alpha_without_reasons"][fid] = why
        report["coders"][name] = entry
        if len(names) >= 3:
            report["drop_one_coder"][name] = dict(entry["alpha_without"])
    _add_coder_figures(report, figures, bootstrap)
    report["by_article"] = _by_article(data)
    report["over_time"] = {
        fid: alpha_over_time(fd.encoded, fd.times, windows, fd.level) if fd.units else []
        for fid, fd in data.items()
    }
    statuses, status_coders = _statuses(store, selection)
    report["codability"] = codability(
        statuses, status_coders, n_resamples=bootstrap or 0, seed=seed
    )
    if pair is not None:
        for fid, fd in data.items():
            labels, matrix = _pair_confusion(fd, pair)
            report["fields"][fid]["confusion"] = {
                f"{pair[0]}|{pair[1]}": {"labels": labels, "matrix": matrix}
            }
    report["disagreements"] = _most_disagreed(store, data)
    _add_disagreement_lists(store, report, data)
    if selection.round is not None:
        report["round"] = round_summary(store, selection.round)
        if selection.round.key is not None:
            report["trainees"] = trainee_report(
                store, selection.round, book, bootstrap=bootstrap, seed=seed
            )
    return report


def _check_pair(store: Store, pair: tuple[str, str], coders: list[str] | None) -> None:
    if len(pair) != 2 or pair[0] == pair[1]:
        raise SelectionError("--pair takes two different coders: a,b")
    known = set(store.coders())
    unknown = [c for c in pair if c not in known]
    if unknown:
        raise SelectionError(f"unknown coder(s) in --pair: {', '.join(unknown)}")
    outside = [c for c in pair if coders and c not in coders]
    if outside:
        raise SelectionError(f"--pair coder(s) not among --coders: {', '.join(outside)}")


def _coders_in(store: Store, selection: Selection) -> list[str]:
    return selection.coders or sorted(_labeled_units(store, selection))


def _order(f: Field) -> list[str] | None:
    return list(f.value_ids) if f.kind == "ordinal" else None


def _add_coder_figures(
    report: dict[str, Any], figures: dict[str, dict[str, Any]], bootstrap: int
) -> None:
    """Per coder and field: the value distribution beside the pooled one;
    per pair and field, Cohen's kappa's bootstrap interval."""
    for fid, by in figures.items():
        pooled = by["pooled"]["distribution"]
        for name, entry in by["coders"].items():
            coder = report["coders"].setdefault(name, {})
            coder.setdefault("distribution", {})[fid] = {
                "coder": {_label(v): share for v, share in entry["distribution"].items()},
                "pooled": {_label(v): share for v, share in pooled.items()},
            }
        for key, pair in by["pairs"].items():
            if bootstrap and key in report["pairs"] and fid in report["pairs"][key]:
                report["pairs"][key][fid]["kappa_ci"] = pair.get("kappa_ci")


def _pair_of(
    by: dict[str, Any] | None, fd: FieldData, a: int, b: int
) -> tuple[float | None, int, str | None]:
    """(kappa, shared units, why undefined) of coders a and b, from the
    vectorized figures; the report's own reason when it is undefined."""
    pair = (by or {}).get("pairs", {}).get(f"{fd.coders[a]}|{fd.coders[b]}")
    if pair is None or pair["cohen_kappa"] is None:
        return _pair_kappa(fd.units, a, b)
    return pair["cohen_kappa"], pair["units"], None


def _pairs_of(
    by: dict[str, Any] | None, fd: FieldData
) -> list[tuple[float | None, int, str | None]] | None:
    if by is None:
        return None
    present = [i for i in range(len(fd.coders)) if any(u[i] is not None for u in fd.units)]
    return [_pair_of(by, fd, a, b) for a, b in combinations(present, 2)]


def _without_of(
    by: dict[str, Any] | None, fd: FieldData, i: int
) -> tuple[float | None, int, str | None]:
    """(alpha, pairable units, why undefined) of the field without coder i."""
    entry = (by or {}).get("coders", {}).get(fd.coders[i], {}).get("alpha_without")
    if entry is None or entry["krippendorff_alpha"] is None:
        return _alpha_without(fd, i)
    return entry["krippendorff_alpha"], entry["units"], None


def _by_article(data: dict[str, FieldData]) -> dict[str, dict[str, Any]]:
    """Article -> field -> alpha and units, so a lead sees which articles are hard."""
    out: dict[str, dict[str, Any]] = {}
    for fid, fd in data.items():
        if not fd.units:
            continue
        for article, figures in alpha_by_article(fd.encoded, fd.articles, fd.level).items():
            out.setdefault(article, {})[fid] = {
                "krippendorff_alpha": figures["krippendorff_alpha"],
                "units": figures["units"],
            }
    return dict(sorted(out.items()))


def _statuses(store: Store, selection: Selection) -> tuple[list[list[str | None]], list[str]]:
    """Sentences x coders of label status (labeled, skipped, flagged, draft), for codability."""
    where, params = selection.where()
    rows = _labels(store, "l.sentence_id, c.name, l.status", where, params, "ORDER BY 1")
    coders = selection.coders or sorted({r[1] for r in rows})
    column = {name: i for i, name in enumerate(coders)}
    units: dict[int, list[str | None]] = {}
    for sentence_id, coder, status in rows:
        if coder in column:
            units.setdefault(sentence_id, [None] * len(coders))[column[coder]] = status
    return list(units.values()), coders


def _labeled_units(store: Store, selection: Selection) -> dict[str, int]:
    """Sentences each coder labeled (status "labeled") in the selection."""
    where, params = selection.where()
    where.append("l.status = 'labeled'")
    return dict(_labels(store, "c.name, COUNT(*)", where, params, "GROUP BY c.name"))


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


def _add_disagreement_lists(
    store: Store, report: dict[str, Any], data: dict[str, FieldData], top: int = 25
) -> None:
    """Per field (disagreeing coder pairs on it) and per category (coders
    split on whether it applies): the sentences to look at first, for the
    drill-down of `agree --app`. Counted on the field's encoding: at 100,000
    sentences a pass per category over Python lists took seconds each."""
    import numpy as np

    wanted: dict[int, None] = {}
    plans: list[tuple[dict[str, Any], list[tuple[int, int]]]] = []
    for fid, fd in data.items():
        encoded = fd.encoded
        if not fd.units or not hasattr(encoded, "counts"):
            continue
        counts = encoded.counts()  # units x values
        present = counts.sum(axis=1)
        pairs = present * (present - 1) // 2 - (counts * (counts - 1) // 2).sum(axis=1)
        plans.append((report["fields"][fid], _ranked(fd.sentence_ids, pairs, top)))
        tests = _category_tests(fd.field)
        for name, test in tests.items():
            category = report["fields"][fid]["categories"].get(name)
            if category is None:
                continue
            given = np.array([bool(test(c)) for c in encoded.categories], dtype=np.int64)
            ones = counts @ given
            split = np.where((ones > 0) & (ones < present), ones * (present - ones), 0)
            plans.append((category, _ranked(fd.sentence_ids, split, top)))
    for _, ranked in plans:
        wanted.update(dict.fromkeys(sid for sid, _ in ranked))
    where = _sentence_places(store, list(wanted))
    for target, ranked in plans:
        target["disagreements"] = [
            {
                "article_id": where[sid][0],
                "sentence_index": where[sid][1],
                "text": where[sid][2],
                "disagreeing_pairs": int(n),
            }
            for sid, n in ranked
        ]


def _ranked(sentence_ids: list[int], score: Any, top: int) -> list[tuple[int, int]]:
    """The `top` sentences by score (positive only), highest first, then by id."""
    scored = [(sid, int(n)) for sid, n in zip(sentence_ids, score.tolist(), strict=True) if n > 0]
    return sorted(scored, key=lambda s: (-s[1], s[0]))[:top]


def _sentence_places(store: Store, ids: list[int]) -> dict[int, tuple[str, int, str]]:
    """Sentence id -> (article id, index, text)."""
    out: dict[int, tuple[str, int, str]] = {}
    for start in range(0, len(ids), 500):
        clause, bound = sql_in("s.id", ids[start : start + 500])
        for sid, ext_id, idx, text in store.conn.execute(
            "SELECT s.id, a.ext_id, s.idx, s.text FROM sentences s JOIN articles a"
            f" ON a.id = s.article_id WHERE {clause}",
            bound,
        ):
            out[sid] = (ext_id, idx, text)
    return out


def confusion(
    store: Store,
    codebook: Codebook,
    field_id: str,
    pair: tuple[str, str],
    *,
    articles: list[str] | None = None,
    codebook_version: str | None = None,
) -> tuple[list[str], list[list[int]]]:
    """Confusion matrix of two coders on one field: (labels, counts[a][b]),
    over the same selection as `build` with these filters."""
    _check_pair(store, pair, None)
    selection = select(
        store,
        codebook,
        coders=list(pair),
        articles=articles,
        fields=[field_id],
        codebook_version=codebook_version,
    )
    fd = collect(store, selection.codebook, selection=selection)[field_id]
    return _pair_confusion(fd, pair)


def _pair_confusion(fd: FieldData, pair: tuple[str, str]) -> tuple[list[str], list[list[int]]]:
    """Rows the first coder's values, columns the second's, on the units both
    coded; the labels in codebook order, then any others sorted."""
    if pair[0] not in fd.coders or pair[1] not in fd.coders:
        return [], []
    a, b = fd.coders.index(pair[0]), fd.coders.index(pair[1])
    both = [(u[a], u[b]) for u in fd.units if u[a] is not None and u[b] is not None]
    order = {v: i for i, v in enumerate(fd.field.value_ids)}
    labels = sorted(
        {_label(v) for p in both for v in p}, key=lambda s: (order.get(s, len(order)), s)
    )
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
    ("cohen_kappa_mean", "mean Cohen k (weighted)"),
)
MASI_NOTE = (
    "Set-valued fields (stance) use Krippendorff's alpha with the MASI distance "
    "(Passonneau 2006, as NLTK); their kappas and AC1 count exact set matches."
)
WEIGHTED_NOTE = (
    "mean Cohen k (weighted): the coder pairs' kappas averaged, each weighted by the "
    "sentences each pair coded in common (pairs whose kappa is undefined are left out)."
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
    """One table of the report, rendered alike as Markdown and as a Rich table,
    with the lines that explain it (reasons for undefined figures, notes)."""

    title: str | None
    headers: tuple[str, ...]
    rows: list[tuple[str, ...]]
    right: int  # columns from this index on are figures, right-aligned
    notes: tuple[str, ...] = ()


def sections(report: dict[str, Any]) -> list[Section]:
    book = report["codebook"]
    fields = list(report["fields"])
    out = [
        Section(
            f"Agreement: {book['name']} {book['version']}",
            ("field", *(h for _, h in COLUMNS)),
            [(fid, *_field_cells(f)) for fid, f in report["fields"].items()],
            1,
            (*_selection_lines(report), *undefined_reasons(report), *_field_notes(report)),
        )
    ]
    out += _round_sections(report)
    mins = _alpha_mins(report)
    out += _reliability_sections(report, mins)
    shown = [
        (fid, name, c)
        for fid, f in report["fields"].items()
        for name, c in f["categories"].items()
        if c["codings"]
    ]
    if shown:
        top = mins[-1] if mins else None
        out.append(
            Section(
                "Per category (binary alpha)",
                (
                    "field",
                    "category",
                    "alpha",
                    "alpha 95% CI",
                    *((f"P(alpha<{top})",) if top else ()),
                    "prevalence",
                    "units",
                    "codings",
                ),
                [
                    (
                        fid,
                        name,
                        cell(c["krippendorff_alpha"]),
                        _ci_cell(c.get("alpha_ci"), c["krippendorff_alpha"]),
                        *((cell((c.get("alpha_below") or {}).get(top)),) if top else ()),
                        cell(c.get("prevalence")),
                        str(c.get("units", "")),
                        str(c["codings"]),
                    )
                    for fid, name, c in shown
                ],
                2,
                _grouped((fid, name, c.get("undefined_reason")) for fid, name, c in shown),
            )
        )
    if report["pairs"]:
        rows = [
            (pair, *(_kappa_cell(by[f]) for f in fields)) for pair, by in report["pairs"].items()
        ]
        reasons = _grouped(
            (f, pair, by[f].get("undefined_reason"))
            for f in fields
            for pair, by in report["pairs"].items()
        )
        out.append(Section("Cohen's kappa by coder pair", ("pair", *fields), rows, 1, reasons))
    if report["drop_one_coder"]:
        coders = report.get("coders", {})
        rows = [
            (coder, *(_without_cell(by[f], coders.get(coder), f) for f in fields))
            for coder, by in report["drop_one_coder"].items()
        ]
        reasons = _grouped(
            (f, f"without {coder}", coders[coder]["alpha_without_reasons"].get(f))
            for f in fields
            for coder in report["drop_one_coder"]
            if coder in coders
        )
        out.append(Section("Alpha without each coder", ("without", *fields), rows, 1, reasons))
    for fid, f in report["fields"].items():
        for key, matrix in f.get("confusion", {}).items():
            a, b = key.split("|", 1)
            out.append(
                Section(
                    f"Confusion on {fid}: rows {a}, columns {b}",
                    (f"{a} / {b}", *matrix["labels"]),
                    [
                        (label, *map(str, counts))
                        for label, counts in zip(matrix["labels"], matrix["matrix"], strict=True)
                    ],
                    1,
                    () if matrix["labels"] else (f"{a} and {b} labeled no sentence in common",),
                )
            )
    return out


def _round_sections(report: dict[str, Any]) -> list[Section]:
    """The round a report covers (`--round`): its design and state, and for
    a training round each trainee against the key."""
    rnd = report.get("round")
    if not rnd:
        return []
    design = rnd["design"]
    if "articles" in design:
        how = f"articles {', '.join(design['articles'])}"
    else:
        how = f"sample of {design['sample']} sentences, seed {design['seed']}"
        if design.get("stratify_by"):
            strata = ", ".join(f"{s['value']} {s['drawn']}" for s in design.get("strata", []))
            how += f", stratified by {design['stratify_by']} ({strata})"
    closed = rnd["closed"]
    rows = [
        ("kind", rnd["kind"]),
        ("codebook", f"{rnd['codebook']['name']} {rnd['codebook']['version']}"),
        ("sentences", f"{rnd['sentences']}: {how}"),
        ("created", f"{rnd['created']['by']} at {rnd['created']['at']}"),
        ("state", "open" if closed is None else f"closed by {closed['by']} at {closed['at']}"),
    ]
    notes = [n for n in (rnd.get("independence"), rnd.get("stale_note")) if n]
    out = [Section(f"Round {rnd['name']}", ("round", "value"), rows, 2, tuple(notes))]
    trainees = report.get("trainees")
    if trainees:
        fields = (
            list(next(iter(trainees["coders"].values()))["fields"]) if trainees["coders"] else []
        )
        body = [
            (
                name,
                str(t["units"]),
                *(_against_key_cell(t["fields"][f]) for f in fields),
                "yes" if t["passed"] else "no",
            )
            for name, t in trainees["coders"].items()
        ]
        out.append(
            Section(
                f"Trainees against the key ({trainees['key']}): alpha [95% CI], agreement, kappa",
                ("trainee", "units", *fields, "passed"),
                body,
                1,
                (
                    f"A trainee passes with alpha >= {trainees['pass_alpha']:.3f} with the key on "
                    "every field (where alpha is undefined, only full agreement passes).",
                ),
            )
        )
    return out


def _against_key_cell(f: dict[str, Any]) -> str:
    if not f["units"]:
        return "no units"
    alpha = cell(f["krippendorff_alpha"])
    ci = f" {cell(f['alpha_ci'])}" if f.get("alpha_ci") else ""
    return (
        f"{alpha}{ci}, {100 * f['percent_agreement']:.0f}%, "
        f"kappa {cell(f['cohen_kappa'])} (n={f['units']})"
    )


def _kappa_cell(pair: dict[str, Any]) -> str:
    ci = pair.get("kappa_ci")
    interval = f" {cell(ci)}" if ci else ""
    return f"{cell(pair['cohen_kappa'])}{interval} (n={pair['units']})"


def _alpha_mins(report: dict[str, Any]) -> list[str]:
    """The alpha_min keys of the report ("0.667", "0.8"), smallest first."""
    keys: set[str] = set()
    for f in report["fields"].values():
        keys |= set(f.get("alpha_below") or {})
    return sorted(keys, key=float)


def _ci_cell(ci: list[float] | None, alpha: float | None) -> str:
    return "—" if ci is None and alpha is not None else cell(ci)


def _reliability_sections(report: dict[str, Any], mins: list[str]) -> list[Section]:
    """The probability that alpha is below each alpha_min, the sample-size
    check (Krippendorff 2019 after Bloch & Kraemer 1989), codability, each
    coder's rates, alpha per article and over time."""
    out: list[Section] = []
    rows, notes = [], []
    method = None
    for fid, f in report["fields"].items():
        if f.get("alpha_ci_method") is None:
            continue
        method = method or (f["alpha_ci_method"], f["bootstrap"])
        size = f.get("sample_size") or {}
        rows.append(
            (
                fid,
                cell(f["krippendorff_alpha"]),
                _ci_cell(f["alpha_ci"], f["krippendorff_alpha"]),
                *(cell(f["alpha_below"].get(m)) for m in mins),
                str(size.get("rarest", "")),
                str(size.get("required_units", "")),
                str(size.get("units", "")),
            )
        )
        if size.get("short"):
            notes.append(
                f"WARNING {fid}: {size['units']} units, but {size['required_units']} are needed"
                f" for its rarest value ({size['rarest']}, p = {size['prevalence']:.3f}) at"
                f" alpha_min {size['alpha_min']} and p < {size['level']}"
            )
    codable = report.get("codability") or {}
    if codable.get("alpha_ci_method"):
        rows.append(
            (
                "codability",
                cell(codable["krippendorff_alpha"]),
                _ci_cell(codable["alpha_ci"], codable["krippendorff_alpha"]),
                *(cell((codable.get("alpha_below") or {}).get(m)) for m in mins),
                "",
                "",
                str(codable["units"]),
            )
        )
    if rows and method:
        name, boot = method
        notes.insert(
            0,
            f"Intervals and P(alpha < alpha_min): {name}, {boot['resamples']} resamples,"
            f" seed {boot['seed']}. Units needed: Krippendorff (2019) after Bloch & Kraemer"
            " (1989), for the rarest value, p < .05 one-tailed.",
        )
        notes.append(
            "codability: alpha of each sentence's status (labeled, skipped, flagged) as a"
            " nominal variable; drafts are not done and count as missing"
        )
        out.append(
            Section(
                "Reliability against alpha_min",
                (
                    "field",
                    "alpha",
                    "alpha 95% CI",
                    *(f"P(alpha<{m})" for m in mins),
                    "rarest value",
                    "units needed",
                    "units",
                ),
                rows,
                1,
                tuple(notes),
            )
        )
    rates = codable.get("rates") or {}
    if rates:
        out.append(
            Section(
                "Each coder's labels",
                ("coder", "labels", "labeled", "skipped", "flagged", "draft"),
                [
                    (
                        coder,
                        str(r.get("labels", 0)),
                        *(cell(r.get(k)) for k in ("labeled", "skipped", "flagged", "draft")),
                    )
                    for coder, r in rates.items()
                ],
                1,
                ("shares of each coder's labels, drafts included",),
            )
        )
    fields = list(report["fields"])
    by_article = report.get("by_article") or {}
    if by_article:
        out.append(
            Section(
                "Alpha per article",
                ("article", *fields),
                [
                    (
                        article,
                        *(
                            f"{cell(by[f]['krippendorff_alpha'])} (n={by[f]['units']})"
                            if f in by
                            else "—"
                            for f in fields
                        ),
                    )
                    for article, by in by_article.items()
                ],
                1,
            )
        )
    over_time = {f: w for f, w in (report.get("over_time") or {}).items() if w}
    if over_time:
        width = max(len(w) for w in over_time.values())
        out.append(
            Section(
                "Alpha over time (equal-count windows of commit time, earliest first)",
                ("field", *(f"window {i}" for i in range(1, width + 1))),
                [
                    (
                        f,
                        *(f"{cell(w['krippendorff_alpha'])} (n={w['units']})" for w in windows),
                        *("" for _ in range(width - len(windows))),
                    )
                    for f, windows in over_time.items()
                ],
                1,
            )
        )
    return out


def _without_cell(value: float | None, coder: dict[str, Any] | None, fid: str) -> str:
    if coder is None:
        return cell(value)
    return f"{cell(value)} (n={coder['alpha_without_units'][fid]})"


def _grouped(items: Any) -> tuple[str, ...]:
    """'<field>: a, b undefined because <reason>' from (field, name, reason) triples."""
    groups: dict[tuple[str, str], list[str]] = {}
    for fid, name, reason in items:
        if reason:
            groups.setdefault((fid, reason), []).append(name)
    return tuple(
        f"{fid}: {', '.join(names)} undefined because {reason}"
        for (fid, reason), names in groups.items()
    )


def _selection_lines(report: dict[str, Any]) -> list[str]:
    selection = report.get("selection")
    if not selection:
        return []
    book = selection["codebook"]
    coders = selection["coders"]
    articles = selection["articles"]
    where = f"articles {', '.join(articles)}" if articles else "all current articles"
    if selection.get("round"):
        where = f"round {selection['round']}'s sentences"
    lines = [
        f"Selection: {len(coders)} coder{'s' if len(coders) != 1 else ''} "
        f"({', '.join(coders) or 'none'}); {where}; codebook {book['name']} {book['version']} only."
    ]
    stale = (report.get("round") or {}).get("stale_note")
    if stale:
        lines.append(f"STALE: {stale}.")
    excluded = selection["excluded_versions"]
    if excluded:
        counts = "; ".join(f"{v}: {n} label{'s' if n != 1 else ''}" for v, n in excluded.items())
        lines.append(
            f"Labels under other codebook versions are left out, not pooled: {counts} "
            "(--codebook-version V reports a version)."
        )
    if selection.get("unrecorded_version"):
        n = selection["unrecorded_version"]
        lines.append(
            f"{n} label{'s' if n != 1 else ''} recording no codebook version counted as "
            f"{book['version']}."
        )
    return lines


def _field_cells(f: dict[str, Any]) -> list[str]:
    cells = [cell(f[k]) for k, _ in COLUMNS]
    if f["alpha_ci"] is None and f["krippendorff_alpha"] is not None:
        # Alpha is defined; the interval was not computed (--bootstrap 0) or
        # most resamples were undefined: not "undefined" in the same sense.
        cells[[k for k, _ in COLUMNS].index("alpha_ci")] = "—"
    return cells


def undefined_reasons(report: dict[str, Any]) -> list[str]:
    """One line per field and reason, naming the coefficients it makes undefined."""
    lines = []
    for fid, f in report["fields"].items():
        reasons = f.get("undefined_reasons")
        if reasons is None:  # a report of an older shape
            if f["undefined_reason"]:
                lines.append(f"{fid}: undefined because {f['undefined_reason']}")
            continue
        if len(reasons) == len(COEFFICIENT_NAMES) and len(set(reasons.values())) == 1:
            lines.append(f"{fid}: undefined because {next(iter(reasons.values()))}")
            continue
        named = ((fid, name, reasons[k]) for k, name in COEFFICIENT_NAMES.items() if k in reasons)
        lines += _grouped(named)
    return lines


def _field_notes(report: dict[str, Any]) -> list[str]:
    notes = [f"{fid}: {note}" for fid, f in report["fields"].items() for note in f.get("notes", ())]
    counts = [
        f"{fid} {f['gwet_ac1_categories']['q']}"
        + (" in the codebook" if f["gwet_ac1_categories"]["from"] == "codebook" else " given")
        for fid, f in report["fields"].items()
        if "gwet_ac1_categories" in f
    ]
    if counts:
        notes.append(
            "AC1 categories (q): the codebook's values for single-choice and ordinal fields, "
            "the values (speaker) or sets (stance) given otherwise: " + ", ".join(counts) + "."
        )
    return [*notes, WEIGHTED_NOTE]


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
    lines += ["", *(f"- {r}" for r in main.notes), "", MASI_NOTE, ""]
    for section in rest:
        lines += [f"## {section.title}", "", *_markdown_table(section), ""]
        if section.notes:
            lines += [*(f"- {r}" for r in section.notes), ""]
    if report["disagreements"]:
        lines += ["## Sentences with the most disagreement", ""]
        lines += [f"- {line.replace('|', chr(92) + '|')}" for line in _disagreement_lines(report)]
    return "\n".join(sanitize(line) for line in lines).rstrip() + "\n"


def _markdown_table(section: Section) -> list[str]:
    return [
        "| " + " | ".join(h.replace("|", "\\|") for h in section.headers) + " |",
        "|" + "---|" * len(section.headers),
        # A pipe inside a cell (the pair "a|b") would end the cell.
        *("| " + " | ".join(v.replace("|", "\\|") for v in row) + " |" for row in section.rows),
    ]


def render_table(report: dict[str, Any], console: Any, mode: DisplayMode = "terminal") -> None:
    """The report as Rich tables for `mode`: names and sentences through the
    display path, figures as plain text, nothing read as markup."""
    from rich.text import Text

    from workbench.tables import print_lines

    main, *rest = sections(report)
    for n, section in enumerate([main, *rest]):
        _print_section(section, console, mode)
        if n == 0:
            console.print(Text(MASI_NOTE, style="dim"))
    if report["disagreements"]:
        console.print(Text("Sentences with the most disagreement", style="bold"))
        for line in _disagreement_lines(report):
            print_lines(console, line, mode)


def _print_section(section: Section, console: Any, mode: DisplayMode) -> None:
    from rich.table import Table

    from workbench.tables import DataCell, figure, print_lines, title

    heading = title(section.title, mode) if section.title else None
    table = Table(title=heading, title_justify="left")
    for i, header in enumerate(section.headers):
        table.add_column(DataCell(header, mode), justify="right" if i >= section.right else "left")
    for row in section.rows:
        table.add_row(
            *(DataCell(v, mode) for v in row[: section.right]),
            *map(figure, row[section.right :]),
        )
    console.print(table)
    for note in section.notes:
        print_lines(console, note, mode, style="yellow")


def render_confusion(
    labels: list[str],
    counts: list[list[int]],
    pair: tuple[str, str],
    console: Any,
    mode: DisplayMode = "terminal",
    field_id: str | None = None,
) -> None:
    """Two coders' confusion matrix on one field, category names drawn for `mode`."""
    on = f" on {field_id}" if field_id else ""
    section = Section(
        f"Confusion{on}: rows {pair[0]}, columns {pair[1]}",
        (f"{pair[0]} / {pair[1]}", *labels),
        [(label, *map(str, row)) for label, row in zip(labels, counts, strict=True)],
        1,
    )
    _print_section(section, console, mode)
