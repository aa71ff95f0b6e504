"""Reliability around the coefficient: intervals, q, categories, codability, sample size,
coders, articles and drift.

Every function takes plain data, as `workbench.agreement` does: `units` is a
sequence of units, each a sequence with one value per coder, None = that
coder did not code the unit (or the 2-D float array fast path, NaN =
missing), or an `agreement.Encoded` made once with `encode(units,
categories)`: every function takes it as it takes lists, so a field is
encoded (and a MASI or interval distance matrix built) once for all of them.
`coders` names the columns. Results are JSON-ready dicts: an
undefined coefficient is None (JSON null), never 0, and an
`undefined_reason` says why. Category values are used as dict keys as they
come (a set-valued field's keys are frozensets; the report turns them into
labels).

What each figure is, and where it comes from:

- Alpha's interval is a percentile bootstrap over units (Efron & Tibshirani
  1993, ch. 13): the pairable units are resampled with replacement, seeded.
  `alpha_below[alpha_min]` is the share of the (defined) resampled alphas
  below alpha_min: Hayes & Krippendorff's (2007) q, "the probability of
  failing to reach alpha_min", which Krippendorff (2019, Content Analysis,
  4th ed., sec. 12.4) asks a report to give beside alpha. (Hayes's KALPHA
  macro resamples coincidences, not units; the two agree for large samples.)
- Per category: the binary alpha of "this category or not" (Krippendorff
  2019, sec. 12.5 on the reliability of individual values), its prevalence
  (share of the pairable values that are this category) and its units.
- Codability: whether coders agree that a sentence is codable at all, the
  status labeled / skipped / flagged taken as a nominal variable; drafts are
  not done and are missing (their rates are reported).
- Sample size: Bloch & Kraemer (1989, eq. 3.7) as Krippendorff (2019,
  sec. 12.4, Table 12.2) tabulates it; see `required_codings`.
- Per coder: units and value distribution, alpha without the coder with its
  n, Cohen's (1960) kappa with each other coder with a bootstrap interval
  over their shared units, and the mean kappa weighted by shared units.
- Per article and over time: alpha recomputed on each article's units and
  on equal-count windows of units ordered by the time of their last label.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Mapping, Sequence
from itertools import combinations
from statistics import NormalDist
from typing import Any

import numpy as np

from workbench.agreement import (
    ALPHA_MINS,
    BOOTSTRAP_METHOD,
    LEVELS,
    AgreementError,
    BootstrapResult,
    Encoded,
    _alpha_from,
    _distances,
    alpha_below,
    bootstrap_counts,
    bootstrap_encoded,
    encode,
    pair_coincidences,
    percentile_interval,
)

STATUSES = ("labeled", "skipped", "flagged")
"""The done statuses, the values of the codability variable."""
DRAFT = "draft"

NO_PAIRS = "no unit was coded by two or more coders"
IDENTICAL = "every pairable value identical: expected disagreement is 0"

__all__ = [
    "ALPHA_MINS",
    "BOOTSTRAP_METHOD",
    "STATUSES",
    "alpha_below",
    "alpha_by_article",
    "alpha_by_group",
    "alpha_over_time",
    "categories_reliability",
    "category_reliability",
    "category_tests",
    "codability",
    "coder_reliability",
    "field_reliability",
    "required_codings",
    "sample_size",
    "value_prevalence",
]


# -- helpers ---------------------------------------------------------------------------


def _none(value: float) -> float | None:
    return None if value is None or math.isnan(value) else float(value)


def _check_level(level: str) -> None:
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, not {level!r}")


def _boot_keys(
    result: BootstrapResult | None,
    alpha_mins: Sequence[float],
    n_resamples: int,
    seed: int,
    confidence: float,
) -> dict[str, Any]:
    """alpha, interval, q and bootstrap settings; all None when nothing is pairable."""
    if result is None:
        return {
            "krippendorff_alpha": None,
            "alpha_ci": None,
            "alpha_below": {str(float(a)): None for a in alpha_mins},
            "alpha_ci_method": BOOTSTRAP_METHOD,
            "bootstrap": {
                "resamples": n_resamples,
                "seed": seed,
                "confidence": confidence,
                "undefined": n_resamples,
            },
        }
    d = result.as_dict(alpha_mins)
    d.pop("units")
    return d


def _bootstrap_encoded(
    encoded: Encoded, level: str, n_resamples: int, seed: int, confidence: float
) -> BootstrapResult | None:
    """The bootstrap on an encoded field, None when no unit is pairable."""
    try:
        return bootstrap_encoded(encoded, level, n_resamples, seed, confidence)
    except AgreementError:
        return None


def _field_distances(encoded: Encoded, level: str) -> np.ndarray | None:
    """The field's K x K distances, computed once for many subsets; None for ordinal
    (its distances depend on each subset's marginals)."""
    if level == "ordinal":
        return None
    return _distances(encoded, level, np.zeros(encoded.n_categories))


def _alpha_encoded(
    encoded: Encoded, level: str, delta: np.ndarray | None = None, rows: Any = None
) -> tuple[float | None, int, str | None]:
    """(alpha or None, pairable units, reason when undefined) on some rows of a field.

    The subset's categories are renumbered to those it uses (unused ones add
    nothing to any metric, ordinal included: their marginals are 0), so a
    small subset of a many-valued field costs what its own values cost;
    `delta` is the whole field's distances, or None to compute them.
    """
    codes = encoded.codes if rows is None else encoded.codes[rows]
    present = codes >= 0
    units = int((present.sum(axis=1) >= 2).sum())
    if codes.shape[1] < 2 or units == 0:
        return None, units, NO_PAIRS
    used, local = np.unique(codes[present], return_inverse=True)
    renumbered = np.full(codes.shape, -1, dtype=np.int64)
    renumbered[present] = local
    sub = Encoded(renumbered, tuple(encoded.categories[i] for i in used))
    o = pair_coincidences(sub)
    d = (
        _distances(sub, level, o.sum(axis=1))
        if delta is None or level == "ordinal"
        else delta[np.ix_(used, used)]
    )
    alpha = _none(float(_alpha_from(o, d)))
    return alpha, units, None if alpha is not None else IDENTICAL


# -- per category ----------------------------------------------------------------------


def category_tests(
    kind: str,
    values: Sequence[str] = (),
    targets: Sequence[str] = (),
    polarities: Sequence[str] = (),
) -> dict[str, Callable[[Any], bool]]:
    """The binary variables of a field, as the report defines them, name -> test on a value.

    kind "single" (or "entity", "ordinal"): one per value, `x == value`.
    kind "stance" (values are frozensets of "target:polarity" strings): one
    per "target:polarity" pair (the pair in the set) and one per target (any
    pair with that target in the set), in codebook order, pairs of a target
    before the target.
    """
    tests: dict[str, Callable[[Any], bool]] = {}
    if kind == "stance":
        for target in targets:
            for polarity in polarities:
                pair = f"{target}:{polarity}"
                tests[pair] = lambda x, pair=pair: pair in x
            tests[target] = lambda x, t=target: any(p.split(":", 1)[0] == t for p in x)
    else:
        tests = {v: (lambda x, v=v: x == v) for v in values}
    return tests


def _binary_result(
    present: np.ndarray,
    ones: np.ndarray,
    n_resamples: int,
    seed: int,
    confidence: float,
    alpha_mins: Sequence[float],
) -> dict[str, Any]:
    """Binary alpha with interval and q, prevalence, units, from per-unit counts.

    `present` is how many coders coded each unit, `ones` how many of them
    gave the category.
    """
    pairable = present >= 2
    m, k = present[pairable], ones[pairable]
    units = int(pairable.sum())
    values = int(m.sum())
    out: dict[str, Any] = {
        "krippendorff_alpha": None,
        "alpha_ci": None,
        "alpha_below": {str(float(a)): None for a in alpha_mins},
        "prevalence": float(k.sum() / values) if values else None,
        "units": units,
        "codings": int(ones.sum()),
        "undefined_reason": None,
    }
    if units == 0:
        out["undefined_reason"] = NO_PAIRS
        return out
    counts = np.stack([m - k, k], axis=1)
    result = bootstrap_counts(
        counts, Encoded(np.empty((0, 2), dtype=np.int64), (False, True)), "nominal",
        n_resamples, seed, confidence,
    )  # fmt: skip
    d = result.as_dict(alpha_mins)
    out.update(
        krippendorff_alpha=d["krippendorff_alpha"],
        alpha_ci=d["alpha_ci"],
        alpha_below=d["alpha_below"],
    )
    if out["krippendorff_alpha"] is None:
        out["undefined_reason"] = (
            "every pairable value is this category" if k.sum() == values else
            "no pairable value is this category"
        )  # fmt: skip
    return out


def category_reliability(
    binary_units: Any,
    n_resamples: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
    alpha_mins: Sequence[float] = ALPHA_MINS,
) -> dict[str, Any]:
    """Binary alpha of one category with its bootstrap interval and q.

    `binary_units`: units x coders of True/False (1/0), None = missing (or a
    float array of 0/1 with NaN). Returns {"krippendorff_alpha", "alpha_ci",
    "alpha_below": {"0.667": q, "0.8": q}, "prevalence" (share of the
    pairable values that are True), "units" (pairable units), "codings"
    (every True cell, pairable or not, as the report's "codings"),
    "undefined_reason"}. Krippendorff (2019, sec. 12.5): a category's
    reliability is that of the binary variable "this category or not". The
    resamples are those of `bootstrap_distribution(binary_units,
    categories=[False, True])` with the same seed.
    """
    encoded = encode(binary_units)
    if not set(encoded.categories) <= {0, 1}:
        raise AgreementError(f"binary values are True/False or 1/0, not {encoded.categories!r}")
    lut = np.array([bool(c) for c in encoded.categories] + [False], dtype=np.int64)
    codes = encoded.codes
    present = (codes >= 0).sum(axis=1)
    ones = lut[codes].sum(axis=1)  # code -1 indexes the trailing False
    return _binary_result(present, ones, n_resamples, seed, confidence, alpha_mins)


def _categories_encoded(
    encoded: Encoded,
    tests: Mapping[str, Callable[[Any], bool]],
    n_resamples: int,
    seed: int,
    confidence: float,
    alpha_mins: Sequence[float],
) -> dict[str, dict[str, Any]]:
    codes = encoded.codes
    present = (codes >= 0).sum(axis=1)
    out = {}
    for name, test in tests.items():
        # The test runs once per distinct value, not once per cell.
        lut = np.array([bool(test(c)) for c in encoded.categories] + [False], dtype=np.int64)
        ones = lut[codes].sum(axis=1)
        out[name] = _binary_result(present, ones, n_resamples, seed, confidence, alpha_mins)
    return out


def categories_reliability(
    units: Any,
    tests: Mapping[str, Callable[[Any], bool]],
    n_resamples: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
    alpha_mins: Sequence[float] = ALPHA_MINS,
) -> dict[str, dict[str, Any]]:
    """`category_reliability` for every binary variable of one field, name -> result.

    `units` are the field's values (units x coders, None = missing); each
    test maps a value to True/False (see `category_tests`). The field is
    encoded once and each test evaluated once per distinct value, so this is
    the fast way for many categories; every category uses the same `seed`.
    """
    return _categories_encoded(encode(units), tests, n_resamples, seed, confidence, alpha_mins)


# -- codability ------------------------------------------------------------------------


def codability(
    statuses: Sequence[Sequence[str | None]],
    coders: Sequence[str],
    n_resamples: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
    alpha_mins: Sequence[float] = ALPHA_MINS,
) -> dict[str, Any]:
    """Do coders agree a sentence is codable? Alpha of the status, with each coder's rates.

    `statuses`: units (sentences) x coders of "labeled" | "skipped" |
    "flagged" | "draft", None = no label. The done statuses are the values
    of a nominal variable; a draft is not done (design.md) and is missing
    for alpha, but counted in the rates. Returns {"units" (pairable
    sentences), "krippendorff_alpha", "alpha_ci", "alpha_below",
    "alpha_ci_method", "bootstrap", "undefined_reason", "rates": {coder:
    {"labels": n, "labeled", "skipped", "flagged", "draft": share of that
    coder's labels, drafts included; None when the coder has no label}}}.
    """
    if any(len(u) != len(coders) for u in statuses):
        raise AgreementError("each unit needs one status per coder (None = no label)")
    known = {*STATUSES, DRAFT}
    tallies = [dict.fromkeys((*STATUSES, DRAFT), 0) for _ in coders]
    values: list[list[str | None]] = []
    for unit in statuses:
        row: list[str | None] = []
        for i, status in enumerate(unit):
            if status is None:
                row.append(None)
                continue
            if status not in known:
                raise AgreementError(f"unknown status {status!r}: one of {sorted(known)}")
            tallies[i][status] += 1
            row.append(None if status == DRAFT else status)
        values.append(row)
    rates = {}
    for name, tally in zip(coders, tallies, strict=True):
        total = sum(tally.values())
        rates[name] = {"labels": total} | {
            s: (tally[s] / total if total else None) for s in (*STATUSES, DRAFT)
        }
    out: dict[str, Any] = {"units": 0}
    result = None
    if values and len(coders) >= 2:
        encoded = encode(values, STATUSES)
        result = _bootstrap_encoded(encoded, "nominal", n_resamples, seed, confidence)
    out["units"] = result.units if result else 0
    out.update(_boot_keys(result, alpha_mins, n_resamples, seed, confidence))
    out["undefined_reason"] = (
        NO_PAIRS if result is None else
        "every coder gave every pairable sentence the same status"
        if out["krippendorff_alpha"] is None else None
    )  # fmt: skip
    out["rates"] = rates
    return out


# -- sample size -----------------------------------------------------------------------


def required_codings(
    alpha_min: float, prevalence: float, level: float = 0.05, coders: int = 2
) -> float:
    """Codings needed so that alpha >= alpha_min can be told apart at `level` (unrounded).

    Krippendorff (2019, Content Analysis: An Introduction to Its
    Methodology, 4th ed., sec. 12.4 and Table 12.2), after Bloch & Kraemer
    (1989, "2 x 2 kappa coefficients: measures of agreement or
    association", Biometrics 45, eq. 3.7):

        n = m * z^2 * [ (1 + a)(3 - a) / (4 (1 - a) p (1 - p)) - a ]

    a = alpha_min, p = the probability of the rarest value, z the one-tailed
    standard normal quantile for the significance level (1.6449 at .05),
    m the number of coders (Krippendorff's table is for m = 2; the
    required units are n / m). A 4-value variable with equal shares
    (p = .25) at alpha_min .800 and level .05 needs 139 codings by two coders.
    """
    if not 0 < alpha_min < 1:
        raise ValueError(f"alpha_min must be between 0 and 1, not {alpha_min}")
    if not 0 < prevalence < 1:
        raise ValueError(f"prevalence must be between 0 and 1, not {prevalence}")
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, not {level}")
    if coders < 2:
        raise ValueError(f"coders must be at least 2, not {coders}")
    a, p = alpha_min, prevalence
    z = NormalDist().inv_cdf(1 - level)
    return coders * z * z * ((1 + a) * (3 - a) / (4 * (1 - a) * p * (1 - p)) - a)


def _ceil(x: float) -> int:
    # A figure that is whole up to rounding error is not pushed to the next integer.
    return math.ceil(round(x, 9))


def sample_size(
    prevalence: Mapping[Hashable, float],
    units: int,
    alpha_min: float = 0.8,
    level: float = 0.05,
    coders: int = 2,
) -> dict[str, Any]:
    """Krippendorff's (2019) sample-size check for a variable's rarest value.

    `prevalence`: value -> probability (see `value_prevalence`); values with
    probability 0 (never used: their rarity cannot be estimated) or 1 are
    left out. `units`: the pairable units there are. Returns {"alpha_min",
    "level", "coders", "rarest" (the value, or None), "prevalence",
    "required_codings" = ceil(n) of `required_codings`, "required_units" =
    ceil(n / coders), "units", "short": units < required_units (None when
    no value qualifies)}.
    """
    usable = {v: p for v, p in prevalence.items() if 0 < p < 1}
    out: dict[str, Any] = {
        "alpha_min": float(alpha_min),
        "level": float(level),
        "coders": int(coders),
        "rarest": None,
        "prevalence": None,
        "required_codings": None,
        "required_units": None,
        "units": int(units),
        "short": None,
    }
    if not usable:
        return out
    # The smallest p also has the smallest p(1 - p): the others sum to 1 - p.
    rarest = min(usable, key=usable.__getitem__)
    p = usable[rarest]
    n = required_codings(alpha_min, p, level, coders)
    out.update(
        rarest=rarest,
        prevalence=float(p),
        required_codings=_ceil(n),
        required_units=_ceil(n / coders),
    )
    out["short"] = units < out["required_units"]
    return out


def value_prevalence(units: Any, categories: Sequence[Hashable] | None = None) -> dict[Any, float]:
    """Each value's share of the pairable values (units coded by two or more coders).

    This is n_c / n of Krippendorff's coincidence matrix, the p of the
    sample-size check. For a set-valued field each distinct set is a value.
    """
    return _prevalence_of(encode(units, categories))


def _prevalence_of(encoded: Encoded) -> dict[Any, float]:
    codes = encoded.codes[(encoded.codes >= 0).sum(axis=1) >= 2]
    per = np.bincount(codes[codes >= 0], minlength=encoded.n_categories)
    total = per.sum()
    if total == 0:
        return {}
    return {c: float(per[i] / total) for i, c in enumerate(encoded.categories)}


# -- per coder -------------------------------------------------------------------------


def _kappa_bootstrap(
    x: np.ndarray, y: np.ndarray, n_resamples: int, seed: int, confidence: float
) -> tuple[float | None, tuple[float, float] | None, int]:
    """Cohen's kappa of two code columns (no missing), its percentile interval, undefined count.

    Resampling the shared units with replacement is a multinomial draw over
    the cells of their contingency table; kappa is undefined when chance
    agreement is 1 (both coders gave one and the same value throughout).
    """
    n = x.size
    # Renumber to the categories the pair used: a many-valued field's K^2
    # table is never built.
    used, local = np.unique(np.concatenate([x, y]), return_inverse=True)
    k = used.size
    table = np.bincount(local[: x.size] * k + local[x.size :], minlength=k * k)
    cells = np.flatnonzero(table)
    rows, cols = np.divmod(cells, k)
    agreeing = rows == cols
    # Cells grouped by row and by column category, summed with one reduceat each.
    by_row, by_col = np.argsort(rows, kind="stable"), np.argsort(cols, kind="stable")
    row_starts = np.flatnonzero(np.r_[True, np.diff(rows[by_row]) != 0])
    col_starts = np.flatnonzero(np.r_[True, np.diff(cols[by_col]) != 0])
    row_at, col_at = rows[by_row][row_starts], cols[by_col][col_starts]

    def kappas(tabs: np.ndarray) -> np.ndarray:
        # tabs: (B, cells) counts. Exact integer test for chance agreement 1.
        row_m = np.zeros((tabs.shape[0], k), dtype=np.int64)
        col_m = np.zeros((tabs.shape[0], k), dtype=np.int64)
        row_m[:, row_at] = np.add.reduceat(tabs[:, by_row], row_starts, axis=1)
        col_m[:, col_at] = np.add.reduceat(tabs[:, by_col], col_starts, axis=1)
        chance_int = (row_m * col_m).sum(axis=1)
        p_o = tabs[:, agreeing].sum(axis=1) / n
        p_e = chance_int / (n * n)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(chance_int < n * n, (p_o - p_e) / (1 - p_e), np.nan)

    kappa = _none(float(kappas(table[cells][None, :])[0]))
    rng = np.random.default_rng(seed)
    n_resamples = max(n_resamples, 0)
    chunk = max(1, min(n_resamples, 1_000_000 // max(cells.size, k)))
    boot = np.concatenate(
        [np.empty(0)]
        + [
            kappas(rng.multinomial(n, table[cells] / n, size=min(chunk, n_resamples - start)))
            for start in range(0, n_resamples, chunk)
        ]
    )
    return kappa, percentile_interval(boot, confidence), int(np.isnan(boot).sum())


def coder_reliability(
    units: Any,
    coders: Sequence[str],
    level: str = "nominal",
    categories: Sequence[Hashable] | None = None,
    n_resamples: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> dict[str, Any]:
    """Each coder of one field: how much, what, alpha without them, kappa with the others.

    Returns {
      "pooled": {"values": n, "distribution": {value: share of all values}},
      "coders": {coder: {"units": units this coder coded,
                         "distribution": {value: share of this coder's values},
                         "alpha_without": {"krippendorff_alpha", "units" (pairable
                                           without them), "undefined_reason"},
                         "cohen_kappa": {other: the pair's result},
                         "cohen_kappa_mean": their pairs' mean, weighted by shared units}},
      "pairs": {"a|b": {"cohen_kappa", "kappa_ci", "units" (shared), "undefined_reason"}},
      "cohen_kappa_mean": mean over pairs weighted by shared units (pairs with
                          an undefined kappa left out), "cohen_kappa_mean_weighting":
                          "shared units", "kappa_ci_method", "bootstrap"}.
    Distributions list every value of the field (0.0 where a coder never
    gave it). Cohen's kappa (1960) counts exact matches whatever `level`
    (a set-valued field's kappa is on identical sets); its interval is a
    percentile bootstrap over the pair's shared units, `n_resamples`, `seed`.
    """
    _check_level(level)
    encoded = encode(units, categories)
    codes = encoded.codes
    if codes.shape[1] != len(coders):
        raise AgreementError(f"{codes.shape[1]} columns of values, {len(coders)} coder names")
    k = encoded.n_categories
    cats = encoded.categories
    present = codes >= 0

    def distribution(column: np.ndarray) -> dict[Any, float]:
        tally = np.bincount(column, minlength=k)
        total = tally.sum()
        return {c: (float(tally[i] / total) if total else 0.0) for i, c in enumerate(cats)}

    pairs: dict[str, dict[str, Any]] = {}
    pair_of: dict[tuple[int, int], dict[str, Any]] = {}
    for a, b in combinations(range(len(coders)), 2):
        both = present[:, a] & present[:, b]
        n = int(both.sum())
        res: dict[str, Any] = {"cohen_kappa": None, "kappa_ci": None, "units": n}
        if n == 0:
            res["undefined_reason"] = "no unit coded by both"
        else:
            kappa, ci, _ = _kappa_bootstrap(
                codes[both, a], codes[both, b], n_resamples, seed, confidence
            )
            res.update(cohen_kappa=kappa, kappa_ci=list(ci) if ci else None)
            res["undefined_reason"] = (
                None if kappa is not None else
                "both coders gave one and the same value throughout: chance agreement is 1"
            )  # fmt: skip
        pairs[f"{coders[a]}|{coders[b]}"] = res
        pair_of[(a, b)] = pair_of[(b, a)] = res

    def weighted_mean(results: list[dict[str, Any]]) -> float | None:
        defined = [r for r in results if r["cohen_kappa"] is not None]
        weight = sum(r["units"] for r in defined)
        if not weight:
            return None
        return sum(r["cohen_kappa"] * r["units"] for r in defined) / weight

    per_coder = {}
    delta = _field_distances(encoded, level)
    for i, name in enumerate(coders):
        keep = [j for j in range(len(coders)) if j != i]
        alpha, n, reason = _alpha_encoded(Encoded(codes[:, keep], cats), level, delta)
        others = {coders[j]: pair_of[(i, j)] for j in keep}
        per_coder[name] = {
            "units": int(present[:, i].sum()),
            "distribution": distribution(codes[present[:, i], i]),
            "alpha_without": {"krippendorff_alpha": alpha, "units": n, "undefined_reason": reason},
            "cohen_kappa": others,
            "cohen_kappa_mean": weighted_mean(list(others.values())),
        }
    return {
        "pooled": {"values": int(present.sum()), "distribution": distribution(codes[present])},
        "coders": per_coder,
        "pairs": pairs,
        "cohen_kappa_mean": weighted_mean(list(pairs.values())),
        "cohen_kappa_mean_weighting": "shared units",
        "kappa_ci_method": "percentile bootstrap over shared units",
        "bootstrap": {"resamples": n_resamples, "seed": seed, "confidence": confidence},
    }


# -- per article and over time -----------------------------------------------------------


def alpha_by_group(
    units: Any,
    groups: Sequence[Hashable],
    level: str = "nominal",
    categories: Sequence[Hashable] | None = None,
) -> dict[Hashable, dict[str, Any]]:
    """Alpha on each group's units: group -> {"krippendorff_alpha", "units", "undefined_reason"}.

    `groups[i]` is unit i's group; groups appear in order of their first
    unit. Each alpha equals `krippendorff_alpha` on that group's units alone
    (the ordinal metric uses the group's own marginals, as it would).
    """
    _check_level(level)
    encoded = encode(units, categories)
    if len(groups) != encoded.codes.shape[0]:
        raise AgreementError(f"{len(groups)} groups for {encoded.codes.shape[0]} units")
    ids: dict[Hashable, int] = {}
    group_of = np.fromiter((ids.setdefault(g, len(ids)) for g in groups), np.int64, len(groups))
    delta = _field_distances(encoded, level)
    if delta is not None and encoded.codes.shape[1] >= 2:
        figures = _group_alphas(encoded.codes, group_of, len(ids), delta)
        if figures is not None:
            return dict(zip(ids, figures, strict=True))
    order = np.argsort(group_of, kind="stable")
    bounds = np.searchsorted(group_of[order], np.arange(len(ids) + 1))
    out = {}
    for g, i in ids.items():
        alpha, n, reason = _alpha_encoded(encoded, level, delta, order[bounds[i] : bounds[i + 1]])
        out[g] = {"krippendorff_alpha": alpha, "units": n, "undefined_reason": reason}
    return out


def _group_alphas(
    codes: np.ndarray,
    group_of: np.ndarray,
    n_groups: int,
    delta: np.ndarray,
    limit: int = 20_000_000,
) -> list[dict[str, Any]] | None:
    """Every group's alpha at once, for distances that do not depend on marginals.

    Observed: sum over units of 1/(m_u - 1) times the distances between
    their coders' values, summed per group by one bincount. Expected: the
    group's sum over pairs of its (category, count) entries of
    n_c n_k delta_ck, built for all groups as one flat array of entry pairs.
    None when that array would pass `limit` (a few large groups, where a
    loop over groups is cheaper).
    """
    present = codes >= 0
    m = present.sum(axis=1)
    pairable = m >= 2
    w = np.where(pairable, 1.0 / np.maximum(m - 1, 1), 0.0)
    safe = np.where(present, codes, 0)
    observed_u = np.zeros(codes.shape[0])
    for i, j in combinations(range(codes.shape[1]), 2):
        both = present[:, i] & present[:, j]
        observed_u += np.where(both, 2 * delta[safe[:, i], safe[:, j]], 0.0)
    observed = np.bincount(group_of, weights=observed_u * w, minlength=n_groups)
    units = np.bincount(group_of[pairable], minlength=n_groups)
    values = present & pairable[:, None]
    k = delta.shape[0]
    keys, counts = np.unique(
        np.broadcast_to(group_of[:, None], codes.shape)[values] * k + codes[values],
        return_counts=True,
    )
    tg, tc = np.divmod(keys, k)
    per_group = np.bincount(tg, minlength=n_groups)
    if int((per_group.astype(np.int64) ** 2).sum()) > limit:
        return None
    start = np.cumsum(per_group) - per_group
    reps = per_group[tg]
    left = np.repeat(np.arange(tg.size), reps)
    right = start[tg[left]] + (np.arange(left.size) - np.repeat(np.cumsum(reps) - reps, reps))
    expected = np.bincount(
        tg[left],
        weights=counts[left] * counts[right] * delta[tc[left], tc[right]],
        minlength=n_groups,
    )
    n = np.bincount(tg, weights=counts, minlength=n_groups)
    out = []
    for g in range(n_groups):
        if units[g] == 0:
            out.append({"krippendorff_alpha": None, "units": 0, "undefined_reason": NO_PAIRS})
        elif expected[g] > 0:
            alpha = float(1.0 - (n[g] - 1) * observed[g] / expected[g])
            out.append(
                {"krippendorff_alpha": alpha, "units": int(units[g]), "undefined_reason": None}
            )
        else:
            out.append(
                {"krippendorff_alpha": None, "units": int(units[g]), "undefined_reason": IDENTICAL}
            )
    return out


def alpha_by_article(
    units: Any,
    articles: Sequence[Hashable],
    level: str = "nominal",
    categories: Sequence[Hashable] | None = None,
) -> dict[Hashable, dict[str, Any]]:
    """`alpha_by_group` with each unit's article id: article -> {"krippendorff_alpha", "units"}."""
    return alpha_by_group(units, articles, level, categories)


def alpha_over_time(
    units: Any,
    times: Sequence[Any],
    windows: int = 5,
    level: str = "nominal",
    categories: Sequence[Hashable] | None = None,
) -> list[dict[str, Any]]:
    """Alpha in equal-count windows of commit time, so drift shows.

    `times[i]`: when unit i's last label was committed (any comparable
    values: ISO-8601 strings, epoch seconds). The pairable units are
    ordered by time (ties keep their order) and cut into `windows` windows
    of equal size (sizes differ by at most one; fewer windows when there
    are fewer pairable units). Returns, in time order, [{"window": 1..,
    "start", "end" (first and last time in it), "units",
    "krippendorff_alpha", "undefined_reason"}].
    """
    _check_level(level)
    if windows < 1:
        raise ValueError(f"windows must be at least 1, not {windows}")
    encoded = encode(units, categories)
    codes = encoded.codes
    if len(times) != codes.shape[0]:
        raise AgreementError(f"{len(times)} times for {codes.shape[0]} units")
    pairable = np.flatnonzero((codes >= 0).sum(axis=1) >= 2)
    order = sorted(pairable.tolist(), key=lambda i: times[i])
    if not order:
        return []
    out = []
    delta = _field_distances(encoded, level)
    for w, idx in enumerate(np.array_split(np.array(order), min(windows, len(order))), 1):
        alpha, n, reason = _alpha_encoded(encoded, level, delta, idx)
        out.append(
            {
                "window": w,
                "start": times[int(idx[0])],
                "end": times[int(idx[-1])],
                "units": n,
                "krippendorff_alpha": alpha,
                "undefined_reason": reason,
            }
        )
    return out


# -- one field, everything ---------------------------------------------------------------


def field_reliability(
    units: Any,
    level: str = "nominal",
    categories: Sequence[Hashable] | None = None,
    tests: Mapping[str, Callable[[Any], bool]] | None = None,
    n_resamples: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
    alpha_mins: Sequence[float] = ALPHA_MINS,
    sample_alpha_min: float = 0.8,
    significance: float = 0.05,
) -> dict[str, Any]:
    """The added per-field keys of the agreement JSON (design.md), from one encoding.

    Returns {"units", "krippendorff_alpha", "alpha_ci", "alpha_ci_method",
    "bootstrap": {"resamples", "seed", "confidence", "undefined"},
    "alpha_below": {"0.667": q, "0.8": q}, "undefined_reason",
    "sample_size": `sample_size` of the observed values' prevalence at
    `sample_alpha_min` and `significance`, with m = the coders who coded,
    "categories": `categories_reliability` for `tests` ({} without)}.
    `categories` fixes the value order (ordinal fields). For a set-valued
    field (level "masi") the sample-size check runs over its binary
    categories (each `tests` entry, p = its prevalence), the variables the
    report gives alpha for; distinct sets are no values a coder chooses
    among (without `tests` it falls back to them).
    """
    _check_level(level)
    encoded = encode(units, categories)
    result = _bootstrap_encoded(encoded, level, n_resamples, seed, confidence)
    out: dict[str, Any] = {"units": result.units if result else 0}
    out.update(_boot_keys(result, alpha_mins, n_resamples, seed, confidence))
    out["undefined_reason"] = (
        NO_PAIRS if result is None else IDENTICAL if out["krippendorff_alpha"] is None else None
    )
    out["categories"] = (
        _categories_encoded(encoded, tests, n_resamples, seed, confidence, alpha_mins)
        if tests
        else {}
    )
    prevalence = (
        {name: c["prevalence"] or 0.0 for name, c in out["categories"].items()}
        if level == "masi" and tests
        else _prevalence_of(encoded)
    )
    coded_by = int((encoded.codes >= 0).any(axis=0).sum())
    out["sample_size"] = sample_size(
        prevalence, out["units"], sample_alpha_min, significance, max(coded_by, 2)
    )
    return out
