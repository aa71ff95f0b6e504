"""Agreement coefficients: published worked examples, independent libraries, properties.

Independent references used here:
- an exact rational implementation of Krippendorff's alpha written below
  from the 2011 paper's definitions (pairable values, coincidences, metrics),
  sharing no code with workbench.agreement;
- the `krippendorff` package (alpha, all four levels);
- NLTK's AnnotationTask (alpha with MASI, Scott's pi, Bennett's S, Cohen's
  kappa for two coders);
- statsmodels (Fleiss' kappa on complete data, Cohen's kappa).
"""

from __future__ import annotations

import itertools
import json
import math
from fractions import Fraction
from pathlib import Path

import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nltk.metrics import agreement as nltk_agreement
from nltk.metrics.distance import masi_distance as nltk_masi
from statsmodels.stats import inter_rater

from workbench.agreement import (
    AgreementError,
    bootstrap_alpha,
    brennan_prediger,
    cohen_kappa,
    fleiss_kappa,
    gwet_ac1,
    krippendorff_alpha,
    masi_distance,
    percent_agreement,
    scott_pi,
)

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section
# C: 4 coders (A-D) x 12 units, values 1-5, missing values; published alpha:
# nominal 0.743, ordinal 0.815, interval 0.849, ratio 0.797.
K2011 = [
    [1, 1, None, 1],
    [2, 2, 3, 2],
    [3, 3, 3, 3],
    [3, 3, 3, 3],
    [2, 2, 2, 2],
    [1, 2, 3, 4],
    [4, 4, 4, 4],
    [1, 1, 2, 1],
    [2, 2, 2, 2],
    [None, 5, 5, 5],
    [None, None, 1, 1],
    [None, 3, None, None],
]
K2011_PUBLISHED = {"nominal": 0.743, "ordinal": 0.815, "interval": 0.849, "ratio": 0.797}


def exact_alpha(units, level):
    """Krippendorff's alpha in exact fractions, straight from the paper's steps."""
    pairable = [[v for v in u if v is not None] for u in units]
    pairable = [u for u in pairable if len(u) >= 2]
    values = sorted({v for u in pairable for v in u})
    o = {(c, k): Fraction(0) for c in values for k in values}
    for u in pairable:
        for i, j in itertools.permutations(range(len(u)), 2):
            o[u[i], u[j]] += Fraction(1, len(u) - 1)
    n_c = {c: sum(o[c, k] for k in values) for c in values}
    n = sum(n_c.values())

    def delta(c, k):
        if level == "nominal":
            return Fraction(0 if c == k else 1)
        if level == "interval":
            return Fraction(c - k) ** 2
        if level == "ratio":
            return Fraction(c - k, c + k) ** 2
        lo, hi = min(c, k), max(c, k)
        between = sum(n_c[g] for g in values if lo <= g <= hi)
        return (between - (n_c[c] + n_c[k]) / 2) ** 2

    observed = sum(o[c, k] * delta(c, k) for c in values for k in values)
    expected = sum(n_c[c] * n_c[k] * delta(c, k) for c in values for k in values)
    return 1 - (n - 1) * observed / expected


@pytest.mark.parametrize("level", list(K2011_PUBLISHED))
def test_krippendorff_2011_worked_example(level):
    exact = exact_alpha(K2011, level)
    assert round(float(exact), 3) == K2011_PUBLISHED[level]
    assert krippendorff_alpha(K2011, level) == pytest.approx(float(exact), abs=1e-12)
    # The numpy fast path gives the same.
    array = np.array([[np.nan if v is None else v for v in u] for u in K2011], dtype=float)
    assert krippendorff_alpha(array, level) == pytest.approx(float(exact), abs=1e-12)


# -- against independent libraries, on random data with missing values -----------------

cells = st.one_of(st.none(), st.integers(1, 5))
units_strategy = st.lists(st.lists(cells, min_size=3, max_size=3), min_size=2, max_size=40)


def to_reliability(units):
    return np.array([[np.nan if v is None else v for v in u] for u in units], dtype=float).T


def library_alpha(units, level):
    try:
        return krippendorff.alpha(
            reliability_data=to_reliability(units), level_of_measurement=level
        )
    except (ValueError, ZeroDivisionError):
        return None


@settings(max_examples=150, deadline=None)
@given(units_strategy, st.sampled_from(["nominal", "ordinal", "interval", "ratio"]))
def test_alpha_matches_the_krippendorff_package(units, level):
    try:
        ours = krippendorff_alpha(units, level)
    except AgreementError:
        # Too little data: no unit with two values. The package fails or
        # returns nan there too.
        assert all(sum(v is not None for v in u) < 2 for u in units)
        return
    theirs = library_alpha(units, level)
    if math.isnan(ours):
        assert theirs is None or math.isnan(theirs)
    else:
        assert ours == pytest.approx(theirs, abs=1e-9)
        assert ours == pytest.approx(float(exact_alpha(units, level)), abs=1e-9)


set_cells = st.one_of(st.none(), st.frozensets(st.sampled_from("abcd"), max_size=3))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(set_cells, min_size=3, max_size=3), min_size=2, max_size=25))
def test_masi_alpha_matches_nltk(units):
    triples = [
        (f"c{c}", f"u{u}", value)
        for u, unit in enumerate(units)
        for c, value in enumerate(unit)
        if value is not None
    ]
    try:
        ours = krippendorff_alpha(units, "masi")
    except AgreementError:
        return
    # NLTK divides by zero on two empty sets, and requires every unit to be
    # coded by every coder it counts; compare where its computation is defined.
    if any(v == frozenset() for _, _, v in triples):
        return
    task = nltk_agreement.AnnotationTask(data=triples, distance=nltk_masi)
    try:
        theirs = task.alpha()
    except ZeroDivisionError:
        assert math.isnan(ours)
        return
    if math.isnan(ours):
        # One value among the pairable units: expected disagreement 0. NLTK
        # returns 1.0 there by convention; the contract here is "undefined".
        pairable_values = {
            v for u in units if sum(x is not None for x in u) >= 2 for v in u if v is not None
        }
        assert len(pairable_values) == 1
        return
    pairable = [u for u in units if sum(v is not None for v in u) >= 2]
    if len(pairable) == len([u for u in units if any(v is not None for v in u)]):
        assert ours == pytest.approx(theirs, abs=1e-9)


def test_masi_distance_matches_nltk_and_the_empty_set_rule():
    sets = [frozenset(x) for x in ("", "a", "b", "ab", "abc", "cd")]
    for a, b in itertools.product(sets, repeat=2):
        if a or b:
            assert masi_distance(a, b) == pytest.approx(nltk_masi(set(a), set(b)), abs=1e-12)
    assert masi_distance(frozenset(), frozenset()) == 0.0


two_coder_units = st.lists(
    st.lists(st.sampled_from(["x", "y", "z"]), min_size=2, max_size=2), min_size=2, max_size=40
)


@settings(max_examples=150, deadline=None)
@given(two_coder_units)
def test_two_coder_coefficients_match_nltk(units):
    triples = [(f"c{c}", f"u{u}", v) for u, unit in enumerate(units) for c, v in enumerate(unit)]
    task = nltk_agreement.AnnotationTask(data=triples)
    assert percent_agreement(units) == pytest.approx(task.avg_Ao(), abs=1e-12)
    for ours, theirs in ((cohen_kappa, task.kappa), (scott_pi, task.pi)):
        value = ours(units)
        if math.isnan(value):
            # Undefined (chance agreement 1: one category throughout); NLTK
            # returns 1.0 there by convention.
            assert len({v for u in units for v in u}) == 1
            continue
        assert value == pytest.approx(theirs(), abs=1e-9)
    observed = sorted({v for u in units for v in u})
    if len(observed) >= 2:
        # NLTK's S (Bennett et al.) takes q from the categories observed.
        assert brennan_prediger(units) == pytest.approx(task.S(), abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.integers(0, 3), min_size=4, max_size=4), min_size=2, max_size=30))
def test_fleiss_kappa_matches_statsmodels_on_complete_data(units):
    table, _ = inter_rater.aggregate_raters(np.array(units))
    with np.errstate(divide="ignore", invalid="ignore"):
        theirs = inter_rater.fleiss_kappa(table, method="fleiss")
    ours = fleiss_kappa(units)
    if math.isnan(theirs) or math.isinf(theirs):
        assert math.isnan(ours)
    else:
        assert ours == pytest.approx(theirs, abs=1e-9)


def test_cohen_kappa_matches_statsmodels():
    rng = np.random.default_rng(1)
    a = rng.integers(0, 4, 300)
    b = np.where(rng.random(300) < 0.6, a, rng.integers(0, 4, 300))
    table = np.zeros((4, 4))
    np.add.at(table, (a, b), 1)
    expected = inter_rater.cohens_kappa(table).kappa
    assert cohen_kappa(list(zip(a.tolist(), b.tolist(), strict=True))) == pytest.approx(expected)


def test_gwet_ac1_and_brennan_prediger_by_hand():
    # 2 coders, 10 units, by hand: pa = 0.8; prevalence of a 0.6, of b 0.4.
    units = [["a", "a"]] * 5 + [["b", "b"]] * 3 + [["a", "b"], ["b", "a"]]
    pa = 0.8
    pi_a = (5 + 0.5 + 0.5) / 10  # unit-wise share of "a", averaged
    pi_b = 1 - pi_a
    pe_ac1 = (pi_a * (1 - pi_a) + pi_b * (1 - pi_b)) / (2 - 1)
    assert gwet_ac1(units) == pytest.approx((pa - pe_ac1) / (1 - pe_ac1))
    # Declared categories change q: with a third, unused category.
    pe3 = (pi_a * (1 - pi_a) + pi_b * (1 - pi_b)) / (3 - 1)
    assert gwet_ac1(units, categories=["a", "b", "c"]) == pytest.approx((pa - pe3) / (1 - pe3))
    assert brennan_prediger(units) == pytest.approx((pa - 1 / 2) / (1 - 1 / 2))
    assert brennan_prediger(units, categories="abc") == pytest.approx((pa - 1 / 3) / (1 - 1 / 3))


# -- properties ---------------------------------------------------------------------


@settings(max_examples=80, deadline=None)
@given(units_strategy, st.randoms(use_true_random=False))
def test_alpha_is_invariant_under_permuting_coders_units_and_labels(units, rnd):
    try:
        before = krippendorff_alpha(units, "nominal")
    except AgreementError:
        return
    coders = list(range(3))
    rnd.shuffle(coders)
    shuffled = [[u[c] for c in coders] for u in units]
    rnd.shuffle(shuffled)
    relabel = dict(zip(range(1, 6), rnd.sample(["p", "q", "r", "s", "t"], 5), strict=True))
    renamed = [[None if v is None else relabel[v] for v in u] for u in shuffled]
    after = krippendorff_alpha(renamed, "nominal")
    assert (math.isnan(before) and math.isnan(after)) or after == pytest.approx(before, abs=1e-12)
    for coefficient in (fleiss_kappa, gwet_ac1, percent_agreement):
        first, second = coefficient(units), coefficient(renamed)
        assert (math.isnan(first) and math.isnan(second)) or first == pytest.approx(second)


@given(st.lists(st.sampled_from(["a", "b", "c"]), min_size=2, max_size=30))
def test_perfect_agreement_is_one_with_at_least_two_categories(values):
    units = [[v, v, v] for v in values]
    if len(set(values)) < 2:
        assert math.isnan(krippendorff_alpha(units))
    else:
        assert krippendorff_alpha(units) == 1.0
        assert fleiss_kappa(units) == pytest.approx(1.0)
        assert cohen_kappa([u[:2] for u in units]) == pytest.approx(1.0)


# -- edge cases ---------------------------------------------------------------------


def test_one_category_only_is_undefined_not_zero():
    units = [["x", "x"], ["x", "x"], ["x", None]]
    for coefficient in (krippendorff_alpha, fleiss_kappa, cohen_kappa, scott_pi, gwet_ac1):
        assert math.isnan(coefficient(units)), coefficient.__name__
    assert percent_agreement(units) == 1.0


def test_units_with_one_coder_drop_out_of_alpha():
    base = [["a", "a", "b"], ["b", "b", "b"], ["a", "b", None]]
    assert krippendorff_alpha([*base, ["a", None, None], [None, "b", None]]) == (
        krippendorff_alpha(base)
    )


def test_too_little_data_is_a_clear_error():
    with pytest.raises(AgreementError, match="no units"):
        krippendorff_alpha([])
    with pytest.raises(AgreementError, match="one coder"):
        krippendorff_alpha([["a"], ["b"]])
    with pytest.raises(AgreementError, match="two or more coders"):
        krippendorff_alpha([["a", None], [None, "b"]])
    with pytest.raises(AgreementError, match="exactly two coders"):
        cohen_kappa([["a", "b", "a"]])
    with pytest.raises(AgreementError, match="one value per coder"):
        krippendorff_alpha([["a", "b"], ["a"]])


def test_label_strings_that_look_missing_are_categories():
    units = [["nan", "nan"], ["", ""], ["None", "None"], ["nan", ""]]
    # Four pairable units, three categories: if any string were read as
    # missing, units would drop out and alpha would differ.
    exact = float(exact_alpha(units, "nominal"))
    assert krippendorff_alpha(units) == pytest.approx(exact)
    assert percent_agreement(units) == 0.75


def test_empty_set_is_an_answer_and_two_empty_sets_agree():
    units = [[frozenset(), frozenset()], [frozenset({"t:b"}), frozenset({"t:b"})]]
    assert krippendorff_alpha(units, "masi") == 1.0
    units.append([frozenset(), None])  # None is missing; frozenset() is not
    assert krippendorff_alpha(units, "masi") == 1.0
    assert krippendorff_alpha([*units, [frozenset(), frozenset({"u:b"})]], "masi") < 1.0


def test_levels_need_suitable_values():
    with pytest.raises(AgreementError, match="numeric"):
        krippendorff_alpha([["a", "b"], ["b", "b"]], "interval")
    with pytest.raises(AgreementError, match="frozenset"):
        krippendorff_alpha([["a", "b"], ["b", "b"]], "masi")
    with pytest.raises(ValueError, match="level must be one of"):
        krippendorff_alpha([["a", "b"]], "cardinal")


def test_ordinal_alpha_with_codebook_order_for_string_values():
    # Confidence "1" < "2" < "3" as strings, order given by the codebook.
    units = [["1", "2"], ["2", "2"], ["3", "3"], ["1", "1"], ["3", "2"]]
    numeric = [[int(v) for v in u] for u in units]
    assert krippendorff_alpha(units, "ordinal", categories=["1", "2", "3"]) == pytest.approx(
        krippendorff_alpha(numeric, "ordinal")
    )


# -- bootstrap ----------------------------------------------------------------------


def test_bootstrap_is_seeded_and_brackets_alpha():
    rng = np.random.default_rng(3)
    truth = rng.integers(0, 4, 500)
    data = np.stack(
        [np.where(rng.random(500) < 0.8, truth, rng.integers(0, 4, 500)) for _ in range(3)], 1
    ).astype(float)
    data[rng.random(data.shape) < 0.1] = np.nan
    alpha, (lo, hi) = bootstrap_alpha(data, n_resamples=500, seed=7)
    assert alpha == pytest.approx(krippendorff_alpha(data))
    assert lo < alpha < hi and hi - lo < 0.15
    assert bootstrap_alpha(data, n_resamples=500, seed=7) == (alpha, (lo, hi))
    assert bootstrap_alpha(data, n_resamples=500, seed=8)[1] != (lo, hi)


def test_bootstrap_equals_resampling_units_directly():
    # The multinomial-over-patterns shortcut must have the distribution of
    # resampling units: compare the spread with a direct resampling loop.
    rng = np.random.default_rng(5)
    truth = rng.integers(0, 3, 300)
    data = np.stack(
        [np.where(rng.random(300) < 0.7, truth, rng.integers(0, 3, 300)) for _ in range(3)], 1
    ).astype(float)
    direct = [krippendorff_alpha(data[rng.integers(0, 300, 300)]) for _ in range(2000)]
    _, (lo, hi) = bootstrap_alpha(data, n_resamples=2000, seed=1)
    d_lo, d_hi = np.percentile(direct, [2.5, 97.5])
    assert lo == pytest.approx(d_lo, abs=0.015) and hi == pytest.approx(d_hi, abs=0.015)


# -- published worked examples (tests/fixtures/agreement/*.json, sources inside) -------

FIXTURES = sorted((Path(__file__).parent / "fixtures" / "agreement").glob("*.json"))
# Intermediate quantities and weighted variants with custom distances that
# the engine does not offer; each file's notes say what they are.
NOT_COEFFICIENTS = {
    "expected_agreement",
    "expected_agreement_s",
    "expected_agreement_pi",
    "expected_agreement_kappa",
    "expected_agreement_P_e",
    "krippendorff_alpha_weighted",
    "cohen_kappa_weighted",
}


def exact_two_coder(units):
    """Exact (fractions) observed agreement, S, pi, kappa for two coders."""
    both = [u for u in units if None not in u]
    n = len(both)
    cats = sorted({v for u in both for v in u}, key=str)
    p_o = Fraction(sum(a == b for a, b in both), n)
    first = {c: Fraction(sum(a == c for a, _ in both), n) for c in cats}
    second = {c: Fraction(sum(b == c for _, b in both), n) for c in cats}
    kappa_e = sum(first[c] * second[c] for c in cats)
    pi_e = sum(((first[c] + second[c]) / 2) ** 2 for c in cats)
    return {
        "observed_agreement": p_o,
        "cohen_kappa": (p_o - kappa_e) / (1 - kappa_e),
        "scott_pi": (p_o - pi_e) / (1 - pi_e),
    }


def exact_fleiss(units):
    n_raters = len(units[0])
    cats = sorted({v for u in units for v in u}, key=str)
    p_i = [
        Fraction(sum(u.count(c) * (u.count(c) - 1) for c in cats), n_raters * (n_raters - 1))
        for u in units
    ]
    p_bar = sum(p_i) / len(units)
    p_j = {c: Fraction(sum(u.count(c) for u in units), len(units) * n_raters) for c in cats}
    p_e = sum(p**2 for p in p_j.values())
    return {
        "fleiss_kappa": (p_bar - p_e) / (1 - p_e),
        "observed_agreement_P_bar": p_bar,
    }


def compute(key, example):
    units = example["units"]
    categories = example.get("categories")
    if key.startswith("krippendorff_alpha_"):
        level = key.removeprefix("krippendorff_alpha_")
        return krippendorff_alpha(units, level), exact_alpha(units, level)
    if key == "fleiss_kappa":
        return fleiss_kappa(units), exact_fleiss(units)[key]
    if key == "observed_agreement_P_bar":
        return percent_agreement(units), exact_fleiss(units)[key]
    if key == "bennett_s":
        # Every category of these schemes occurs in the data: q = those observed.
        categories = categories or sorted({v for u in units for v in u if v is not None})
        q = len(categories)
        p_o = exact_two_coder(units)["observed_agreement"]
        return brennan_prediger(units, categories), (p_o - Fraction(1, q)) / (1 - Fraction(1, q))
    exact = exact_two_coder(units)[key]
    ours = {"observed_agreement": percent_agreement, "cohen_kappa": cohen_kappa}.get(key, scott_pi)(
        units
    )
    return ours, exact


@pytest.mark.parametrize("path", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_published_worked_example(path):
    example = json.loads(path.read_text(encoding="utf-8"))
    checked = 0
    for key, published in example["expected"].items():
        if key in NOT_COEFFICIENTS:
            continue
        ours, exact = compute(key, example)
        decimals = example["expected_decimals"][key]
        assert round(float(exact), decimals) == pytest.approx(published), (key, float(exact))
        assert ours == pytest.approx(float(exact), abs=1e-9), key
        checked += 1
    assert checked >= 1


def test_every_published_example_is_present():
    assert {p.stem for p in FIXTURES} >= {
        "krippendorff2011",
        "fleiss1971",
        "cohen1960",
        "artstein_poesio2008_example1",
        "artstein_poesio2008_example2",
    }


def exact_gwet_fleiss(units):
    """Fleiss' kappa with missing ratings per Gwet (2014) / irrCAC, in fractions.

    pa = mean over units rated >= 2 times of sum_k r_ik (r_ik - 1) / (r_i (r_i - 1));
    pi_k = mean over units rated >= 1 time of r_ik / r_i; pe = sum_k pi_k^2.
    """
    rated = [[v for v in u if v is not None] for u in units]
    cats = {v for u in rated for v in u}
    two = [u for u in rated if len(u) >= 2]
    one = [u for u in rated if len(u) >= 1]
    pa = sum(
        Fraction(sum(u.count(c) * (u.count(c) - 1) for c in cats), len(u) * (len(u) - 1))
        for u in two
    ) / len(two)
    pi = {c: sum(Fraction(u.count(c), len(u)) for u in one) / len(one) for c in cats}
    pe = sum(p**2 for p in pi.values())
    return None if pe == 1 else (pa - pe) / (1 - pe)


@settings(max_examples=150, deadline=None)
@given(units_strategy)
def test_fleiss_kappa_with_missing_ratings_matches_gwets_formula(units):
    if not any(sum(v is not None for v in u) >= 2 for u in units):
        return
    exact = exact_gwet_fleiss(units)
    ours = fleiss_kappa(units)
    if exact is None:
        assert math.isnan(ours)
    else:
        assert ours == pytest.approx(float(exact), abs=1e-12)
