"""Inter-coder agreement coefficients, vectorized with numpy.

Data, everywhere: a sequence of units, each a sequence with one value per
coder; `None` means the coder did not code the unit. Values are any hashable
labels; set-valued cells are frozensets, and `frozenset()` is a real "no
stance" answer, not a missing one. Label strings are never missing values:
"nan", "" and "None" are categories like any other. The fast path is a 2-D
numpy float array, units x coders, of numeric codes with NaN = missing; it
is encoded without a Python loop over cells.

Labels become integer codes with a separate missing mask; per-unit category
counts come from one `np.bincount`, and Krippendorff's coincidence matrix
from one matrix product weighted by 1/(m_u - 1).

Coefficients (all return float("nan") when undefined, i.e. when expected
disagreement is 0, e.g. every value identical):

- `krippendorff_alpha`: Krippendorff (2011), "Computing Krippendorff's
  Alpha-Reliability", with the nominal, ordinal, interval and ratio metrics,
  and with the MASI distance for set-valued data (Passonneau 2006, as NLTK
  computes it: 1 - Jaccard x M, M = 1 equal, 2/3 subset, 1/3 overlap, 0
  disjoint; two empty sets are at distance 0, where NLTK divides by zero). Units coded by fewer than two coders are
  not pairable and drop out.
- `fleiss_kappa`: Fleiss (1971), generalized to missing ratings as Gwet
  (2014, ch. 2) and the irrCAC package do: observed agreement averaged over
  units with at least two ratings; category prevalence averaged over units
  with at least one.
- `gwet_ac1` and `brennan_prediger`: Gwet (2008, 2014) and Brennan &
  Prediger (1981), same observed agreement, chance agreement from the number
  of categories q (`categories`, default the categories observed).
- `cohen_kappa` (Cohen 1960) and `scott_pi` (Scott 1955): exactly two
  coders, over the units both coded.
- `percent_agreement`: the share of agreeing coder pairs within a unit,
  averaged over units with at least two codes (for two coders: the share of
  units on which they agree).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

LEVELS = ("nominal", "ordinal", "interval", "ratio", "masi")


class AgreementError(ValueError):
    """Too little data for any coefficient (no pairable unit, fewer than two coders)."""


# -- encoding ---------------------------------------------------------------------


@dataclass(frozen=True)
class Encoded:
    """Units x coders integer codes (-1 = missing) and the category of each code."""

    codes: np.ndarray
    categories: tuple[Any, ...]
    # Distances that depend only on the categories (every level but ordinal),
    # kept so that many calls on one encoded field build a K x K matrix once.
    _distance_cache: dict[str, np.ndarray] = field(default_factory=dict, compare=False, repr=False)

    @property
    def n_categories(self) -> int:
        return len(self.categories)

    def counts(self) -> np.ndarray:
        """Units x categories: how many coders gave each category to each unit."""
        units, _ = self.codes.shape
        k = self.n_categories
        present = self.codes >= 0
        rows = np.broadcast_to(np.arange(units)[:, None], self.codes.shape)[present]
        flat = rows * k + self.codes[present]
        return np.bincount(flat, minlength=units * k).reshape(units, k)


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def encode(data: Any, categories: Sequence[Hashable] | None = None) -> Encoded:
    """Map labels to integer codes. `categories` fixes the order and the set
    (an error names a value outside it); by default the categories observed,
    sorted when they are all numbers, else in order of first appearance.
    An `Encoded` passes through (so a field encoded once serves many calls);
    `categories` must then be None or its own."""
    if isinstance(data, Encoded):
        if categories is not None and tuple(_hashable(c) for c in categories) != data.categories:
            raise AgreementError("already encoded with other categories")
        return data
    if isinstance(data, np.ndarray) and data.dtype.kind in "fiu":
        return _encode_array(np.asarray(data, dtype=float), categories)
    units = [list(unit) for unit in data]
    if not units:
        raise AgreementError("no units: agreement needs data")
    width = len(units[0])
    for i, unit in enumerate(units):
        if len(unit) != width:
            raise AgreementError(
                f"unit {i} has {len(unit)} values, unit 0 has {width}: "
                "give one value per coder, None where a coder did not code"
            )
    observed: dict[Hashable, None] = {}
    for unit in units:
        for value in unit:
            if not _is_missing(value):
                observed.setdefault(_hashable(value), None)
    if categories is None:
        found = list(observed)
        if found and all(_is_number(v) for v in found):
            found.sort()
        cats = tuple(found)
    else:
        cats = tuple(_hashable(c) for c in categories)
        unknown = [v for v in observed if v not in set(cats)]
        if unknown:
            raise AgreementError(f"values not among the categories: {unknown[:5]!r}")
    index = {c: i for i, c in enumerate(cats)}
    codes = np.array(
        [[-1 if _is_missing(v) else index[_hashable(v)] for v in unit] for unit in units],
        dtype=np.int64,
    ).reshape(len(units), width)
    return Encoded(codes, cats)


def _encode_array(array: np.ndarray, categories: Sequence[Hashable] | None) -> Encoded:
    if array.ndim != 2:
        raise AgreementError(f"expected a 2-D array units x coders, got {array.ndim} dimensions")
    if array.size == 0:
        raise AgreementError("no units: agreement needs data")
    missing = np.isnan(array)
    values = array[~missing]
    if categories is None and values.size and _integer_valued(values):
        # Integer codes (what the report builds from SQL): categories by one
        # bincount and codes by a lookup table, instead of sorting every cell.
        low = int(values.min())
        shifted = (values - low).astype(np.int64)
        present = np.flatnonzero(np.bincount(shifted))
        lookup = np.full(present[-1] + 1, -1, dtype=np.int64)
        lookup[present] = np.arange(present.size)
        codes = np.full(array.shape, -1, dtype=np.int64)
        codes[~missing] = lookup[shifted]
        return Encoded(codes, tuple(float(c + low) for c in present))
    if categories is None:
        cats = np.unique(values)
    else:
        cats = np.asarray(categories, dtype=float)
        if not np.isin(values, cats).all():
            raise AgreementError("values not among the categories")
    order = np.argsort(cats, kind="stable")
    sorted_cats = cats[order]
    codes = np.full(array.shape, -1, dtype=np.int64)
    codes[~missing] = order[np.searchsorted(sorted_cats, values)]
    return Encoded(codes, tuple(float(c) for c in cats))


def _integer_valued(values: np.ndarray) -> bool:
    """Whole numbers in a range small enough for a lookup table."""
    low, high = values.min(), values.max()
    return bool(high - low < 1_000_000 and np.all(values == np.floor(values)))


def _hashable(value: Any) -> Hashable:
    return frozenset(value) if isinstance(value, set) else value


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


# -- Krippendorff's alpha -----------------------------------------------------------------


def masi_distance(a: frozenset[Any] | set[Any], b: frozenset[Any] | set[Any]) -> float:
    """MASI distance (Passonneau 2006), as NLTK computes it; two empty sets: 0."""
    a, b = frozenset(a), frozenset(b)
    if a == b:
        return 0.0
    common = len(a & b)
    if common == 0:
        return 1.0
    # Passonneau's monotonicity weights, 2/3 and 1/3 (NLTK since 3.10.1 uses
    # the same; older NLTK releases wrote them as 0.67 and 0.33).
    monotonicity = 2 / 3 if (a <= b or b <= a) else 1 / 3
    return 1.0 - common / len(a | b) * monotonicity


def masi_matrix(sets: Sequence[frozenset[Any]]) -> np.ndarray:
    """`masi_distance` between every two sets, K x K, without K^2 Python calls.

    Membership is a sets x elements 0/1 matrix; intersections are one
    matrix product. The arithmetic is `masi_distance`'s, operation for
    operation, so each entry equals it exactly.
    """
    index: dict[Any, int] = {}
    for s in sets:
        for e in s:
            index.setdefault(e, len(index))
    member = np.zeros((len(sets), max(len(index), 1)))
    for i, s in enumerate(sets):
        member[i, [index[e] for e in s]] = 1.0
    size = member.sum(axis=1)
    common = member @ member.T  # whole numbers, exact in float64
    # In place: K x K temporaries are what costs at thousands of sets.
    nested = common == size[:, None]
    disjoint = common == 0
    equal = nested & (common == size[None, :])
    nested |= common == size[None, :]
    union = np.add.outer(size, size)
    union -= common
    np.divide(common, union, out=common, where=~disjoint)  # Jaccard; union > 0 there
    common *= np.where(nested, 2 / 3, 1 / 3)
    np.subtract(1.0, common, out=common)
    common[disjoint] = 1.0
    common[equal] = 0.0
    return common


def coincidences(counts: np.ndarray) -> np.ndarray:
    """Krippendorff's coincidence matrix o_ck from pairable units' counts.

    o_ck = sum_u (n_uc n_uk - [c = k] n_uc) / (m_u - 1): one matrix product.
    """
    m = counts.sum(axis=1)
    weighted = counts / (m - 1)[:, None]
    o = weighted.T @ counts
    o[np.diag_indices_from(o)] -= weighted.sum(axis=0)
    return o


def pair_coincidences(encoded: Encoded) -> np.ndarray:
    """The coincidence matrix straight from coder pairs, without a units x K table.

    For each pair of coders, one weighted bincount over the units both coded
    adds 1/(m_u - 1) at (their value, the other's value); missing values take
    an extra code K that is sliced off. Summed over pairs and symmetrized this
    is exactly `coincidences(counts)`, at a fraction of the memory.
    """
    codes = encoded.codes
    n_coders = codes.shape[1]
    if n_coders < 2:
        raise AgreementError("one coder: agreement needs at least two")
    k = encoded.n_categories
    present = codes >= 0
    m = present.sum(axis=1)
    if not (m >= 2).any():
        raise AgreementError("no unit was coded by two or more coders")
    weight = np.where(m >= 2, 1.0 / np.maximum(m - 1, 1), 0.0)
    shifted = np.where(present, codes, k)
    o = np.zeros((k + 1) * (k + 1))
    for i in range(n_coders):
        for j in range(i + 1, n_coders):
            o += np.bincount(
                shifted[:, i] * (k + 1) + shifted[:, j], weights=weight, minlength=o.size
            )
    half = o.reshape(k + 1, k + 1)[:k, :k]
    return half + half.T


def _distances(encoded: Encoded, level: str, marginals: np.ndarray) -> np.ndarray:
    """delta^2 between categories for a level; ordinal depends on the marginals.

    `marginals` may be (K,) or (B, K) for B bootstrap resamples at once.
    The other levels' matrices are cached on `encoded` (do not write to them).
    """
    if level != "ordinal":
        cached = encoded._distance_cache.get(level)
        if cached is None:
            cached = encoded._distance_cache[level] = _compute_distances(encoded, level, marginals)
            cached.flags.writeable = False
        return cached
    return _compute_distances(encoded, level, marginals)


def _compute_distances(encoded: Encoded, level: str, marginals: np.ndarray) -> np.ndarray:
    k = encoded.n_categories
    if level == "nominal":
        return 1.0 - np.eye(k)
    if level == "masi":
        cats = encoded.categories
        if not all(isinstance(c, frozenset) for c in cats):
            raise AgreementError("the masi level needs set-valued (frozenset) data")
        return masi_matrix(cats)
    try:
        values = np.array(encoded.categories, dtype=float)
    except (TypeError, ValueError):
        raise AgreementError(f"the {level} level needs numeric values") from None
    if level == "interval":
        return (values[:, None] - values[None, :]) ** 2
    if level == "ratio":
        total = values[:, None] + values[None, :]
        diff = values[:, None] - values[None, :]
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(total == 0, 0.0, (diff / np.where(total == 0, 1, total)) ** 2)
    if level == "ordinal":
        # Categories are in rank order (encode sorts numbers); sum of the
        # marginals from c to k, minus half of the two ends, squared.
        cum = np.cumsum(marginals, axis=-1)
        lo = np.minimum.outer(np.arange(k), np.arange(k))
        hi = np.maximum.outer(np.arange(k), np.arange(k))
        between = cum[..., hi] - cum[..., lo] + marginals[..., lo]
        ends = (marginals[..., :, None] + marginals[..., None, :]) / 2
        return (between - ends) ** 2
    raise ValueError(f"level must be one of {LEVELS}, not {level!r}")


def _alpha_from(o: np.ndarray, delta: np.ndarray) -> np.ndarray | float:
    """alpha = 1 - (n - 1) sum(o * delta) / sum(n_c n_k delta); o may be (B, K, K)."""
    marginals = o.sum(axis=-1)
    n = marginals.sum(axis=-1)
    observed = (o * delta).sum(axis=(-2, -1))
    expected = (marginals[..., :, None] * marginals[..., None, :] * delta).sum(axis=(-2, -1))
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = 1.0 - (n - 1) * observed / expected
    return np.where(expected > 0, alpha, np.nan)


def krippendorff_alpha(
    data: Any, level: str = "nominal", categories: Sequence[Hashable] | None = None
) -> float:
    """Krippendorff's alpha (2011) at a level of measurement; NaN if undefined.

    `categories` fixes the order for the ordinal level when the values are
    not numbers (e.g. a codebook's ordinal field).
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, not {level!r}")
    encoded = encode(data, categories)
    o = pair_coincidences(encoded)
    return float(_alpha_from(o, _distances(encoded, level, o.sum(axis=1))))


BOOTSTRAP_METHOD = "percentile bootstrap over units"
ALPHA_MINS = (0.667, 0.800)


@dataclass(frozen=True)
class BootstrapResult:
    """Alpha on all units with the distribution of its bootstrap resamples.

    `alphas` holds one alpha per resample, NaN where a resample's alpha is
    undefined (its expected disagreement is 0); `ci` is the percentile
    interval over the defined ones, None when fewer than half are defined.
    """

    alpha: float
    ci: tuple[float, float] | None
    alphas: np.ndarray
    resamples: int
    seed: int
    confidence: float
    units: int
    method: str = BOOTSTRAP_METHOD

    @property
    def undefined(self) -> int:
        """How many resamples had an undefined alpha (left out of `ci` and `alpha_below`)."""
        return int(np.isnan(self.alphas).sum())

    def alpha_below(self, alpha_min: float) -> float:
        """q for `alpha_min`: the share of defined resampled alphas below it (NaN if none)."""
        return alpha_below(self.alphas, alpha_min)

    def as_dict(self, alpha_mins: Sequence[float] = ALPHA_MINS) -> dict[str, Any]:
        """JSON-ready: NaN becomes None. `alpha_below` is None whenever `ci` is
        (too few defined resamples for either), keyed by `str(float(alpha_min))`
        ("0.667", "0.8") as in the agreement JSON."""
        return {
            "krippendorff_alpha": None if math.isnan(self.alpha) else self.alpha,
            "alpha_ci": list(self.ci) if self.ci else None,
            "alpha_below": {
                str(float(a)): None if self.ci is None else self.alpha_below(a) for a in alpha_mins
            },
            "alpha_ci_method": self.method,
            "bootstrap": {
                "resamples": self.resamples,
                "seed": self.seed,
                "confidence": self.confidence,
                "undefined": self.undefined,
            },
            "units": self.units,
        }


def alpha_below(alphas: Any, alpha_min: float) -> float:
    """The share of defined bootstrap alphas strictly below `alpha_min`; NaN if none is defined.

    Hayes & Krippendorff (2007, "Answering the call for a standard
    reliability measure for coding data", Communication Methods and Measures
    1(1)) call it q, the probability of failing to reach alpha_min;
    Krippendorff (2019, Content Analysis, 4th ed., ch. 12) asks for it beside
    the interval. Undefined (NaN) resamples are left out of numerator and
    denominator alike.
    """
    values = np.asarray(alphas, dtype=float)
    defined = values[~np.isnan(values)]
    if defined.size == 0:
        return float("nan")
    return float(np.count_nonzero(defined < alpha_min) / defined.size)


def _unique_rows(rows: np.ndarray, radix: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct rows of a small-int matrix (values < radix) and how often each occurs.

    One 1-D unique (or bincount) on mixed-radix keys when they fit 62 bits,
    else a row-wise unique; the order of the result is not used.
    """
    units, width = rows.shape
    if width == 0 or width * math.log2(max(radix, 2)) > 62:
        return np.unique(rows, axis=0, return_counts=True)
    keys = rows.astype(np.int64) @ (radix ** np.arange(width - 1, -1, -1, dtype=np.int64))
    if radix**width <= 1 << 20:
        sizes = np.bincount(keys)
        present = np.flatnonzero(sizes)
        first = np.empty(sizes.size, dtype=np.int64)
        first[keys] = np.arange(units)
        return rows[first[present]], sizes[present]
    _, first, sizes = np.unique(keys, return_index=True, return_counts=True)
    return rows[first], sizes


def _count_patterns(codes: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The distinct category-count vectors of units, sparse, in lexicographic order.

    `codes`: units x coders (-1 = missing). A unit's count vector is fixed
    by its sorted codes, so patterns come from the sorted code rows without a
    units x categories table. Returns (cats, cnts, sizes): pattern p has
    cnts[p, s] values of category cats[p, s] (cats -1 = empty slot) and
    occurs sizes[p] times; patterns are in the order of
    `np.unique(counts, axis=0)` on the dense count vectors, so a seeded
    multinomial over them draws what it always drew.
    """
    width = codes.shape[1]
    rows, sizes = _unique_rows(np.sort(np.where(codes >= 0, codes, k), axis=1), k + 1)
    valid = rows < k
    new = valid.copy()
    new[:, 1:] &= rows[:, 1:] != rows[:, :-1]
    slot = np.cumsum(new, axis=1) - 1
    at = np.broadcast_to(np.arange(rows.shape[0])[:, None], rows.shape)
    cats = np.full(rows.shape, -1, dtype=np.int64)
    cnts = np.zeros(rows.shape, dtype=np.int64)
    cats[at[new], slot[new]] = rows[new]
    np.add.at(cnts, (at[valid], slot[valid]), 1)
    # Lexicographic order of dense count vectors: at the first category where
    # two differ, the one that has it (or has more of it) is larger; a slot
    # (category c, count n) sorts as (k - c, n), an empty slot first.
    key = np.where(cats >= 0, (k - cats) * (width + 1) + cnts, 0)
    order = np.lexsort(key.T[::-1])
    return cats[order], cnts[order], sizes[order]


def _slots_of(patterns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Dense count vectors as (cats, cnts) slots: slot c holds category c if present."""
    cats = np.where(patterns > 0, np.arange(patterns.shape[1]), -1)
    return cats, patterns.astype(np.int64)


def _patterns(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`np.unique(counts, axis=0, return_counts=True)`, by 1-D keys when rows fit 62 bits."""
    radix = int(counts.max()) + 1 if counts.size else 1
    rows, sizes = _unique_rows(counts, radix)
    order = np.lexsort(rows.T[::-1])
    return rows[order], sizes[order]


def percentile_interval(
    estimates: np.ndarray, confidence: float = 0.95
) -> tuple[float, float] | None:
    """The percentile interval of bootstrap estimates, NaN (undefined) ones left out.

    The (1 - confidence)/2 and (1 + confidence)/2 percentiles of the
    defined estimates (Efron & Tibshirani 1993, ch. 13); None when fewer
    than half of them are defined, or none is.
    """
    defined = estimates[~np.isnan(estimates)]
    if not defined.size or defined.size < estimates.size / 2:
        return None
    tail = (1 - confidence) / 2 * 100
    lo, hi = np.percentile(defined, [tail, 100 - tail])
    return float(lo), float(hi)


def _bootstrap_patterns(
    cats: np.ndarray,
    cnts: np.ndarray,
    sizes: np.ndarray,
    encoded: Encoded,
    level: str,
    n_resamples: int,
    seed: int,
    confidence: float,
) -> BootstrapResult:
    """Alpha of the sample and of seeded multinomial resamples over count patterns.

    Row 0 of the draws is the sample itself (each pattern its own size), so
    alpha and its resamples come from one formula. For every level but
    ordinal, a row needs its marginals n_c (summed per slot, integers) and
    its observed disagreement sum_p d_p w_p (n_p' D n_p - sum_c n_pc D_cc),
    w_p = 1 / (m_p - 1); expected is n' D n: no resample builds a K x K
    matrix. Ordinal distances depend on each row's marginals, so ordinal
    rows build their coincidence matrices (ordinal fields have few values).
    Rows are processed in chunks, which draws the same stream as one call.
    """
    k = encoded.n_categories
    n_patterns, width = cats.shape
    valid = cats >= 0
    safe = np.where(valid, cats, 0)
    m = cnts.sum(axis=1)
    w = 1.0 / (m - 1)
    ordinal = level == "ordinal"
    if ordinal:
        per_pattern = np.zeros((n_patterns, k, k))
        for i in range(width):
            for j in range(width):
                both = valid[:, i] & valid[:, j]
                p = np.flatnonzero(both)
                np.add.at(
                    per_pattern,
                    (p, cats[p, i], cats[p, j]),
                    w[p] * cnts[p, i] * cnts[p, j] - (w[p] * cnts[p, i] if i == j else 0),
                )
        per_pattern = per_pattern.reshape(n_patterns, k * k)
        disagreement = None
    else:
        delta = _distances(encoded, level, np.zeros(k))
        pair = delta[safe[:, :, None], safe[:, None, :]] * (valid[:, :, None] & valid[:, None, :])
        weight = cnts[:, :, None] * cnts[:, None, :]
        diagonal = (delta[safe, safe] * cnts * valid).sum(axis=1)
        disagreement = w * ((pair * weight).sum(axis=(1, 2)) - diagonal)
    # Slots grouped by category, for summing marginals with one reduceat per slot.
    groups = []
    for s in range(width):
        p = np.flatnonzero(valid[:, s])
        order = p[np.argsort(cats[p, s], kind="stable")]
        c = cats[order, s]
        starts = np.flatnonzero(np.r_[True, c[1:] != c[:-1]]) if c.size else c
        groups.append((order, cnts[order, s], starts, c[starts] if c.size else c))

    def alphas_of(draws: np.ndarray) -> np.ndarray:
        if ordinal:
            o = (draws @ per_pattern).reshape(draws.shape[0], k, k)
            return np.asarray(
                _alpha_from(o, _distances(encoded, level, o.sum(axis=2))), dtype=float
            ).reshape(draws.shape[0])
        marginals = np.zeros((draws.shape[0], k), dtype=np.int64)
        for order, count, starts, at in groups:
            if order.size:
                marginals[:, at] += np.add.reduceat(draws[:, order] * count, starts, axis=1)
        n = marginals.sum(axis=1)
        observed = draws @ disagreement
        if level == "nominal":  # n' (1 - I) n in integers: exact
            expected = (n * n - (marginals * marginals).sum(axis=1)).astype(float)
        else:
            fm = marginals.astype(float)
            expected = ((fm @ delta) * fm).sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(expected > 0, 1.0 - (n - 1) * observed / expected, np.nan)

    alpha = float(alphas_of(sizes[None, :].astype(np.int64))[0])
    n_resamples = max(int(n_resamples), 0)
    rng = np.random.default_rng(seed)
    n_units = int(sizes.sum())
    p_draw = sizes / sizes.sum()
    # Chunks of about a million cells: big temporaries cost page faults here.
    chunk = max(1, min(n_resamples, 1_000_000 // max(n_patterns, k, 1)))
    alphas = np.empty(n_resamples)
    for start in range(0, n_resamples, chunk):
        size = min(chunk, n_resamples - start)
        alphas[start : start + size] = alphas_of(rng.multinomial(n_units, p_draw, size=size))
    return BootstrapResult(
        alpha=alpha,
        ci=percentile_interval(alphas, confidence),
        alphas=alphas,
        resamples=n_resamples,
        seed=seed,
        confidence=confidence,
        units=n_units,
    )


def bootstrap_counts(
    counts: np.ndarray,
    encoded: Encoded,
    level: str = "nominal",
    n_resamples: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> BootstrapResult:
    """`bootstrap_distribution` from pairable units' dense category counts.

    `counts` is units x categories (every row summing to >= 2); `encoded`
    supplies the categories (their values fix the interval, ratio and MASI
    distances). Meant for few categories (binary variables); many-valued
    fields go through `bootstrap_encoded`, which never builds this table.
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, not {level!r}")
    patterns, sizes = _patterns(counts)
    cats, cnts = _slots_of(patterns)
    return _bootstrap_patterns(cats, cnts, sizes, encoded, level, n_resamples, seed, confidence)


def bootstrap_encoded(
    encoded: Encoded,
    level: str = "nominal",
    n_resamples: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> BootstrapResult:
    """`bootstrap_distribution` on already encoded data (AgreementError if nothing is pairable)."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, not {level!r}")
    codes = encoded.codes
    if codes.shape[1] < 2:
        raise AgreementError("one coder: agreement needs at least two")
    pairable = codes[(codes >= 0).sum(axis=1) >= 2]
    if pairable.shape[0] == 0:
        raise AgreementError("no unit was coded by two or more coders")
    cats, cnts, sizes = _count_patterns(pairable, encoded.n_categories)
    return _bootstrap_patterns(cats, cnts, sizes, encoded, level, n_resamples, seed, confidence)


def bootstrap_distribution(
    data: Any,
    level: str = "nominal",
    n_resamples: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
    categories: Sequence[Hashable] | None = None,
) -> BootstrapResult:
    """Alpha with its percentile bootstrap over units, keeping every resampled alpha.

    The pairable units (coded by two or more coders) are resampled with
    replacement, `n_resamples` times, seeded; the interval is the
    (1 - confidence)/2 and (1 + confidence)/2 percentiles of the defined
    resampled alphas (Efron & Tibshirani 1993, ch. 13), and
    `result.alpha_below(alpha_min)` is Hayes & Krippendorff's (2007) q.
    This resamples units, not coincidences as Hayes's KALPHA macro does.
    Raises AgreementError when no unit is pairable or there is one coder.
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, not {level!r}")
    return bootstrap_encoded(encode(data, categories), level, n_resamples, seed, confidence)


def bootstrap_alpha(
    data: Any,
    level: str = "nominal",
    n_resamples: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
    categories: Sequence[Hashable] | None = None,
) -> tuple[float, tuple[float, float] | None]:
    """Alpha and a percentile bootstrap interval, resampling units with replacement.

    Units with the same category counts contribute the same coincidences, so
    resampling U units is a multinomial draw over the distinct count
    patterns: 1,000 resamples of 100,000 units cost a few small matrix
    products. Resamples where alpha is undefined are left out; the interval
    is None if fewer than half of them are defined. `bootstrap_distribution`
    gives the resampled alphas as well.
    """
    result = bootstrap_distribution(data, level, n_resamples, seed, confidence, categories)
    return result.alpha, result.ci


# -- kappa family -------------------------------------------------------------------


def _observed_agreement(counts: np.ndarray) -> float:
    m = counts.sum(axis=1)
    rated = m >= 2
    if not rated.any():
        raise AgreementError("no unit was coded by two or more coders")
    c, m = counts[rated], m[rated]
    return float(((c * (c - 1)).sum(axis=1) / (m * (m - 1))).mean())


def _prevalence(counts: np.ndarray) -> np.ndarray:
    m = counts.sum(axis=1)
    rated = m >= 1
    return (counts[rated] / m[rated, None]).mean(axis=0)


def _ratio(observed: float, chance: float) -> float:
    return float("nan") if chance >= 1 else (observed - chance) / (1 - chance)


def _multi(data: Any, categories: Sequence[Hashable] | None) -> tuple[Encoded, np.ndarray]:
    encoded = encode(data, categories)
    if encoded.codes.shape[1] < 2:
        raise AgreementError("one coder: agreement needs at least two")
    return encoded, encoded.counts()


def percent_agreement(data: Any) -> float:
    """Share of agreeing coder pairs within a unit, averaged over units with >= 2 codes."""
    _, counts = _multi(data, None)
    return _observed_agreement(counts)


def fleiss_kappa(data: Any) -> float:
    """Fleiss' kappa, generalized to missing ratings (Gwet 2014, as irrCAC)."""
    _, counts = _multi(data, None)
    pi = _prevalence(counts)
    return _ratio(_observed_agreement(counts), float((pi**2).sum()))


def gwet_ac1(data: Any, categories: Sequence[Hashable] | None = None) -> float:
    """Gwet's AC1; chance agreement from q = len(categories) (default: observed)."""
    encoded, counts = _multi(data, categories)
    q = encoded.n_categories
    if q < 2:
        return float("nan")
    pi = _prevalence(counts)
    chance = float((pi * (1 - pi)).sum() / (q - 1))
    return _ratio(_observed_agreement(counts), chance)


def brennan_prediger(data: Any, categories: Sequence[Hashable] | None = None) -> float:
    """Brennan & Prediger's coefficient (Bennett's S): chance agreement 1/q."""
    encoded, counts = _multi(data, categories)
    q = encoded.n_categories
    if q < 2:
        return float("nan")
    return _ratio(_observed_agreement(counts), 1 / q)


def _two_coders(data: Any) -> tuple[np.ndarray, int]:
    encoded = encode(data)
    if encoded.codes.shape[1] != 2:
        raise AgreementError(f"needs exactly two coders, got {encoded.codes.shape[1]}")
    both = (encoded.codes >= 0).all(axis=1)
    if not both.any():
        raise AgreementError("no unit was coded by both coders")
    k = encoded.n_categories
    pairs = encoded.codes[both]
    table = np.bincount(pairs[:, 0] * k + pairs[:, 1], minlength=k * k).reshape(k, k)
    return table / table.sum(), k


def cohen_kappa(data: Any) -> float:
    """Cohen's kappa (1960) for two coders over the units both coded."""
    p, _ = _two_coders(data)
    return _ratio(float(np.trace(p)), float(p.sum(axis=1) @ p.sum(axis=0)))


def scott_pi(data: Any) -> float:
    """Scott's pi (1955) for two coders: chance from the pooled marginals."""
    p, _ = _two_coders(data)
    pooled = (p.sum(axis=1) + p.sum(axis=0)) / 2
    return _ratio(float(np.trace(p)), float((pooled**2).sum()))
