"""workbench.reliability and the bootstrap distribution in workbench.agreement.

Independent references:
- exact rational alpha (coincidence matrix in Fractions) and exact Cohen's
  kappa, from tests/test_agreement.py, which share no code with the engine;
- the `krippendorff` package for every alpha;
- statsmodels for Cohen's kappa;
- explicit resampling: the resampled data sets rebuilt unit by unit from the
  same seed, and a plain loop resampling units with numpy;
- Krippendorff's (2019) published sample-size table values (139 and 81);
- a seeded simulation of a process whose alpha is known (r^2) for coverage.
"""

from __future__ import annotations

import math
from collections import Counter
from fractions import Fraction
from itertools import combinations
from statistics import NormalDist

import krippendorff
import numpy as np
import pytest
from statsmodels.stats import inter_rater

from tests.test_agreement import exact_alpha, exact_two_coder
from workbench import reliability as rel
from workbench.agreement import (
    AgreementError,
    _count_patterns,
    _patterns,
    alpha_below,
    bootstrap_alpha,
    bootstrap_distribution,
    cohen_kappa,
    encode,
    krippendorff_alpha,
    masi_distance,
    masi_matrix,
)

# -- data ------------------------------------------------------------------------------


def simulate(n_units, n_coders, k, p_agree, p_missing, seed):
    """units x coders lists of strings "v0".., None missing: a truth plus noise."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, k, n_units)
    units = []
    for t in truth:
        row = []
        for _ in range(n_coders):
            if rng.random() < p_missing:
                row.append(None)
            elif rng.random() < p_agree:
                row.append(f"v{t}")
            else:
                row.append(f"v{rng.integers(0, k)}")
        units.append(row)
    return units


def exact(units, level="nominal"):
    """Exact alpha, None where undefined (expected disagreement 0) or nothing pairable."""
    pairable = [u for u in units if sum(v is not None for v in u) >= 2]
    if not pairable:
        return None
    try:
        return exact_alpha(pairable, level)
    except ZeroDivisionError:
        return None


def package_alpha(units, level="nominal"):
    """alpha from the `krippendorff` package, values mapped to integer codes."""
    values = sorted({v for u in units for v in u if v is not None}, key=repr)
    code = {v: i for i, v in enumerate(values)}
    data = np.array([[np.nan if v is None else code[v] for v in u] for u in units], dtype=float).T
    return krippendorff.alpha(reliability_data=data, level_of_measurement=level)


def close(value, reference, tol=1e-12):
    if reference is None:
        return value is None
    return value is not None and abs(value - float(reference)) <= tol


FIELD = simulate(120, 3, 4, 0.7, 0.15, seed=11)


# -- bootstrap distribution and alpha_below --------------------------------------------


def test_bootstrap_distribution_agrees_with_bootstrap_alpha():
    for level in ("nominal", "ordinal", "interval"):
        data = [[None if v is None else int(v[1:]) for v in u] for u in FIELD]
        result = bootstrap_distribution(data, level, n_resamples=400, seed=3)
        assert (result.alpha, result.ci) == bootstrap_alpha(data, level, n_resamples=400, seed=3)
        assert result.alphas.shape == (400,)
        assert result.alpha == pytest.approx(float(exact_alpha(data, level)), abs=1e-12)
        lo, hi = np.percentile(result.alphas[~np.isnan(result.alphas)], [2.5, 97.5])
        assert result.ci == (lo, hi)


@pytest.mark.parametrize(
    ("k", "coders", "missing"), [(2, 2, 0.0), (3, 3, 0.2), (12, 4, 0.3), (40, 6, 0.4)]
)
def test_count_patterns_are_np_unique_of_the_dense_counts(k, coders, missing):
    # The seeded multinomial is over patterns in this order: it must be
    # np.unique's on the units x categories counts, which the bootstrap used to build.
    rng = np.random.default_rng(k)
    codes = rng.integers(0, k, (3000, coders))
    codes[rng.random(codes.shape) < missing] = -1
    codes = codes[(codes >= 0).sum(axis=1) >= 2]
    dense = np.zeros((len(codes), k), dtype=np.int64)
    for c in range(coders):
        ok = codes[:, c] >= 0
        np.add.at(dense, (np.flatnonzero(ok), codes[ok, c]), 1)
    expected, expected_sizes = np.unique(dense, axis=0, return_counts=True)
    cats, cnts, sizes = _count_patterns(codes, k)
    rebuilt = np.zeros((len(cats), k), dtype=np.int64)
    for s in range(cats.shape[1]):
        ok = cats[:, s] >= 0
        rebuilt[np.flatnonzero(ok), cats[ok, s]] += cnts[ok, s]
    assert (rebuilt == expected).all() and (sizes == expected_sizes).all()
    patterns, psizes = _patterns(dense)
    assert (patterns == expected).all() and (psizes == expected_sizes).all()


SETS = [frozenset(), frozenset({"a"}), frozenset({"a", "b"}), frozenset({"b"})]


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "masi"])
def test_resampled_alphas_are_alphas_of_real_resamples(level):
    # Rebuild each resample unit by unit: the same seed draws the same
    # multinomial over the distinct count patterns (in lexicographic order
    # of the count vectors over the categories in encoding order); every
    # drawn pattern stands for a unit with those counts. Its alpha (exact
    # fractions; MASI: the plain coefficient) must be the resampled alpha.
    codes = [[None if v is None else int(v[1:]) for v in u] for u in FIELD]
    data = (
        [[None if v is None else SETS[v] for v in u] for u in codes] if level == "masi" else codes
    )
    result = bootstrap_distribution(data, level, n_resamples=30, seed=9)
    # Encoding order: numbers sorted, other values by first appearance.
    order = (
        sorted({v for u in data for v in u if v is not None}, key=repr) if level != "masi" else []
    )
    for u in data:
        for v in u:
            if level == "masi" and v is not None and v not in order:
                order.append(v)
    counts = [Counter(v for v in u if v is not None) for u in data]
    counts = [c for c in counts if sum(c.values()) >= 2]
    rows = sorted({tuple(c.get(v, 0) for v in order) for c in counts})
    freq = Counter(tuple(c.get(v, 0) for v in order) for c in counts)
    rng = np.random.default_rng(9)
    draws = rng.multinomial(len(counts), [freq[r] / len(counts) for r in rows], size=30)
    for b in range(30):
        units = []
        for row, times in zip(rows, draws[b], strict=True):
            unit = [v for v, n in zip(order, row, strict=True) for _ in range(n)]
            units += [unit + [None] * (4 - len(unit))] * int(times)
        if level == "masi":
            reference = krippendorff_alpha(units, "masi")
        else:
            reference = float(exact_alpha(units, level))
        assert result.alphas[b] == pytest.approx(reference, abs=1e-12)


def test_masi_matrix_is_masi_distance_exactly():
    rng = np.random.default_rng(0)
    elements = list("abcdefgh")
    sets = list(
        {
            frozenset(rng.choice(elements, size=rng.integers(0, 5), replace=False).tolist())
            for _ in range(300)
        }
    )
    matrix = masi_matrix(sets)
    assert all(
        matrix[i, j] == masi_distance(a, b) for i, a in enumerate(sets) for j, b in enumerate(sets)
    )


def test_every_function_takes_an_encoded_field():
    encoded = encode(FIELD)
    tests = rel.category_tests("single", values=["v0", "v1"])
    assert rel.field_reliability(encoded, tests=tests, n_resamples=50) == rel.field_reliability(
        FIELD, tests=tests, n_resamples=50
    )
    coders = ["a", "b", "c"]
    assert rel.coder_reliability(encoded, coders, n_resamples=50) == rel.coder_reliability(
        FIELD, coders, n_resamples=50
    )
    groups = [i % 3 for i in range(len(FIELD))]
    assert rel.alpha_by_article(encoded, groups) == rel.alpha_by_article(FIELD, groups)
    assert rel.alpha_over_time(encoded, groups, 2) == rel.alpha_over_time(FIELD, groups, 2)
    with pytest.raises(AgreementError):
        encode(encoded, ["v3", "v2", "v1", "v0"])


def test_alpha_below_is_a_direct_count_on_the_same_resamples():
    result = bootstrap_distribution(FIELD, n_resamples=500, seed=4)
    alphas = [a for a in result.alphas.tolist() if not math.isnan(a)]
    for alpha_min in (0.2, 0.4, 0.45, 0.5, 0.667, 0.8, result.alpha):
        direct = sum(1 for a in alphas if a < alpha_min) / len(alphas)
        assert result.alpha_below(alpha_min) == direct
        assert alpha_below(result.alphas, alpha_min) == direct
    # The same seed gives the same q; the JSON keys are the contract's.
    again = bootstrap_distribution(FIELD, n_resamples=500, seed=4).as_dict()
    assert set(again["alpha_below"]) == {"0.667", "0.8"}
    assert again["alpha_below"]["0.667"] == result.alpha_below(0.667)
    assert again["alpha_ci_method"] == "percentile bootstrap over units"
    assert again["bootstrap"]["resamples"] == 500 and again["bootstrap"]["seed"] == 4


def test_alpha_below_is_strictly_below():
    # q is the probability of failing to reach alpha_min: reaching it exactly is no failure.
    assert alpha_below([0.5, 0.8, 0.9], 0.8) == 1 / 3
    # Most resamples of 30 units with one disagreement miss it: their alpha is exactly 1.
    data = [[f"v{i % 3}", f"v{i % 3}"] for i in range(29)] + [["v0", "v1"]]
    result = bootstrap_distribution(data, n_resamples=400, seed=0)
    ones = int(np.sum(result.alphas == 1.0))
    assert 0 < ones < 400
    assert result.alpha_below(1.0) == (400 - ones - result.undefined) / (400 - result.undefined)


def test_alpha_below_leaves_undefined_resamples_out_and_counts_them():
    assert alpha_below([0.1, float("nan"), 0.9, 0.5], 0.6) == 2 / 3
    assert math.isnan(alpha_below([float("nan")], 0.5))
    # 3 units, two of them identical "a a": some resamples have only "a".
    data = [["a", "a"], ["a", "a"], ["a", "b"]]
    result = bootstrap_distribution(data, n_resamples=1000, seed=0)
    undefined = int(np.isnan(result.alphas).sum())
    assert result.undefined == undefined > 0
    assert result.as_dict()["bootstrap"]["undefined"] == undefined


def test_bootstrap_spread_matches_resampling_units_in_a_loop():
    rng = np.random.default_rng(2)
    data = np.array([[np.nan if v is None else int(v[1:]) for v in u] for u in FIELD])
    pairable = data[(~np.isnan(data)).sum(axis=1) >= 2]
    direct = [
        krippendorff_alpha(pairable[rng.integers(0, len(pairable), len(pairable))])
        for _ in range(3000)
    ]
    result = bootstrap_distribution(data, n_resamples=3000, seed=5)
    for q in (5, 25, 50, 75, 95):
        assert np.percentile(result.alphas, q) == pytest.approx(np.percentile(direct, q), abs=0.02)
    assert result.alpha_below(0.5) == pytest.approx(np.mean(np.array(direct) < 0.5), abs=0.03)


def two_coder_binary(n_units, r, pi, rng):
    """Each coder copies the truth with probability r, else draws afresh: alpha = r^2."""
    truth = rng.random(n_units) < pi
    coders = []
    for _ in range(2):
        copy = rng.random(n_units) < r
        coders.append(np.where(copy, truth, rng.random(n_units) < pi))
    return np.stack(coders, axis=1).astype(float)


def test_percentile_interval_covers_the_true_alpha_about_95_percent():
    # P(disagree) = (1 - r^2) 2 pi (1 - pi) and D_e = 2 pi (1 - pi): alpha = r^2.
    r, pi, true_alpha = 0.8, 0.3, 0.64
    rng = np.random.default_rng(20240601)
    covered = kappa_covered = 0
    reps = 200
    for rep in range(reps):
        data = two_coder_binary(200, r, pi, rng)
        result = bootstrap_distribution(data, n_resamples=500, seed=rep)
        covered += result.ci[0] <= true_alpha <= result.ci[1]
        pair = rel.coder_reliability(data, ["a", "b"], n_resamples=500, seed=rep)["pairs"]["a|b"]
        kappa_covered += pair["kappa_ci"][0] <= true_alpha <= pair["kappa_ci"][1]
    assert 0.88 <= covered / reps <= 0.99
    assert 0.88 <= kappa_covered / reps <= 0.99


def test_a_misplaced_truth_is_not_covered():
    # The same check fails when the truth is wrong: the test can fail.
    rng = np.random.default_rng(1)
    hits = 0
    for rep in range(50):
        ci = bootstrap_distribution(
            two_coder_binary(200, 0.8, 0.3, rng), n_resamples=300, seed=rep
        ).ci
        hits += ci[0] <= 0.80 <= ci[1]
    assert hits / 50 < 0.5


# -- per category ----------------------------------------------------------------------


def binary(units, test):
    return [[None if v is None else bool(test(v)) for v in u] for u in units]


def test_category_alpha_against_exact_and_the_package():
    tests = rel.category_tests("single", values=["v0", "v1", "v2", "v3", "v9"])
    out = rel.categories_reliability(FIELD, tests, n_resamples=300, seed=1)
    for name, test in tests.items():
        b = binary(FIELD, test)
        single = rel.category_reliability(b, n_resamples=300, seed=1)
        assert out[name] == single
        assert close(single["krippendorff_alpha"], exact(b))
        pairable = [u for u in b if sum(v is not None for v in u) >= 2]
        values = [v for u in pairable for v in u if v is not None]
        assert single["units"] == len(pairable)
        assert single["prevalence"] == pytest.approx(sum(values) / len(values))
        assert single["codings"] == sum(1 for u in b for v in u if v)
        if single["krippendorff_alpha"] is not None:
            assert single["krippendorff_alpha"] == pytest.approx(package_alpha(b), abs=1e-12)
            # The same resamples as the bootstrap of the binary variable, False before True.
            direct = bootstrap_distribution(b, n_resamples=300, seed=1, categories=[False, True])
            assert single["alpha_ci"] == list(direct.ci)
            assert single["alpha_below"]["0.8"] == direct.alpha_below(0.8)
    assert out["v9"]["krippendorff_alpha"] is None and out["v9"]["prevalence"] == 0
    assert out["v9"]["undefined_reason"] == "no pairable value is this category"


def test_stance_categories_are_pairs_and_targets():
    s = frozenset
    units = [
        [s({"tr:blame"}), s({"tr:blame"}), s()],
        [s({"tr:blame", "un:demand"}), s({"un:demand"}), None],
        [s(), s(), s({"un:praise"})],
        [s({"un:praise"}), s({"un:demand"}), s({"un:praise"})],
        [s(), s({"tr:blame"}), s()],
    ]
    tests = rel.category_tests(
        "stance", targets=["tr", "un"], polarities=["blame", "demand", "praise"]
    )
    assert list(tests) == [
        "tr:blame", "tr:demand", "tr:praise", "tr",
        "un:blame", "un:demand", "un:praise", "un",
    ]  # fmt: skip
    out = rel.categories_reliability(units, tests, n_resamples=200)
    un = binary(units, lambda x: any(p.startswith("un:") for p in x))
    assert close(out["un"]["krippendorff_alpha"], exact(un))
    assert close(
        out["tr:blame"]["krippendorff_alpha"], exact(binary(units, lambda x: "tr:blame" in x))
    )
    assert out["tr:demand"]["codings"] == 0


def test_binary_units_must_be_binary():
    with pytest.raises(AgreementError):
        rel.category_reliability([["a", "b"], ["a", "a"]])


# -- codability ------------------------------------------------------------------------

STATUSES = [
    ["labeled", "labeled", "skipped"],
    ["labeled", "skipped", None],
    ["flagged", "flagged", "flagged"],
    ["skipped", "skipped", "draft"],
    ["labeled", "draft", "labeled"],
    ["labeled", "labeled", "labeled"],
    ["draft", None, "labeled"],
    ["labeled", "flagged", "labeled"],
]


def test_codability_alpha_treats_drafts_as_missing():
    out = rel.codability(STATUSES, ["a", "b", "c"], n_resamples=300, seed=2)
    done = [[None if s == "draft" else s for s in u] for u in STATUSES]
    assert close(out["krippendorff_alpha"], exact(done))
    assert out["krippendorff_alpha"] == pytest.approx(package_alpha(done), abs=1e-12)
    assert out["units"] == sum(1 for u in done if sum(v is not None for v in u) >= 2) == 7
    direct = bootstrap_distribution(done, n_resamples=300, seed=2)
    assert out["alpha_ci"] == list(direct.ci)
    assert out["alpha_below"] == {
        "0.667": direct.alpha_below(0.667),
        "0.8": direct.alpha_below(0.8),
    }


def test_codability_rates_are_shares_of_each_coders_labels():
    rates = rel.codability(STATUSES, ["a", "b", "c"], n_resamples=10)["rates"]
    for i, coder in enumerate("abc"):
        given = [u[i] for u in STATUSES if u[i] is not None]
        tally = Counter(given)
        assert rates[coder]["labels"] == len(given)
        for status in ("labeled", "skipped", "flagged", "draft"):
            assert rates[coder][status] == tally[status] / len(given)
    assert rates["b"]["draft"] == 1 / 7


def test_codability_errors_and_undefined():
    with pytest.raises(AgreementError, match="unknown status"):
        rel.codability([["labeled", "done"]], ["a", "b"])
    same = rel.codability([["labeled", "labeled"], ["labeled", "labeled"]], ["a", "b"])
    assert same["krippendorff_alpha"] is None and same["undefined_reason"]
    none = rel.codability([["labeled", "draft"]], ["a", "b"])
    assert none["units"] == 0 and none["krippendorff_alpha"] is None
    assert none["rates"]["b"] == {"labels": 1, "labeled": 0, "skipped": 0, "flagged": 0, "draft": 1}


# -- sample size -----------------------------------------------------------------------


def test_sample_size_matches_krippendorffs_published_table():
    # Krippendorff (2019) via Bloch & Kraemer (1989): 4 equal values, level .05.
    equal4 = {v: 0.25 for v in "abcd"}
    at_800 = rel.sample_size(equal4, units=50, alpha_min=0.800, level=0.05)
    assert at_800["required_codings"] == 139
    assert at_800["required_units"] == 70 and at_800["short"] is True
    at_667 = rel.sample_size(equal4, units=50, alpha_min=0.667, level=0.05)
    assert at_667["required_codings"] == 81
    assert at_667["required_units"] == 41 and at_667["short"] is False
    assert rel.sample_size(equal4, units=41, alpha_min=0.667)["short"] is False
    assert rel.sample_size(equal4, units=40, alpha_min=0.667)["short"] is True


@pytest.mark.parametrize("alpha_min", [Fraction(2, 3), Fraction(4, 5), Fraction(9, 10)])
@pytest.mark.parametrize("p", [Fraction(1, 2), Fraction(1, 4), Fraction(1, 10)])
@pytest.mark.parametrize("level", [0.1, 0.05, 0.01, 0.005])
def test_required_codings_is_the_bloch_kraemer_formula(alpha_min, p, level):
    z = NormalDist().inv_cdf(1 - level)
    bracket = (1 + alpha_min) * (3 - alpha_min) / (4 * (1 - alpha_min) * p * (1 - p)) - alpha_min
    for m in (2, 3):
        n = m * z * z * float(bracket)
        assert rel.required_codings(float(alpha_min), float(p), level, m) == pytest.approx(
            n, rel=1e-12
        )


def test_sample_size_takes_the_rarest_value_and_more_coders_need_more_codings():
    prevalence = {"common": 0.7, "mid": 0.2, "rare": 0.1, "unused": 0.0}
    two = rel.sample_size(prevalence, units=100, coders=2)
    three = rel.sample_size(prevalence, units=100, coders=3)
    assert two["rarest"] == "rare" and two["prevalence"] == 0.1
    assert two["required_units"] == three["required_units"]
    assert three["required_codings"] > two["required_codings"]
    assert rel.sample_size({"only": 1.0}, units=10)["required_units"] is None
    with pytest.raises(ValueError):
        rel.required_codings(1.0, 0.5)


def test_value_prevalence_counts_pairable_values_only():
    units = [
        ["a", "b"],
        ["a", None],
        [
            "b",
            "b",
        ],
        ["c", None],
    ]
    assert rel.value_prevalence(units) == {"a": 0.25, "b": 0.75, "c": 0.0}


# -- per coder -------------------------------------------------------------------------


def test_coder_reliability_against_exact_statsmodels_and_the_package():
    coders = ["amina", "leila", "omar"]
    out = rel.coder_reliability(FIELD, coders, n_resamples=300, seed=6)
    pooled = Counter(v for u in FIELD for v in u if v is not None)
    total = sum(pooled.values())
    assert out["pooled"]["values"] == total
    assert out["pooled"]["distribution"] == {
        v: pooled[v] / total for v in out["pooled"]["distribution"]
    }
    for i, name in enumerate(coders):
        mine = Counter(u[i] for u in FIELD if u[i] is not None)
        c = out["coders"][name]
        assert c["units"] == sum(mine.values())
        assert c["distribution"] == {v: mine[v] / c["units"] for v in pooled}
        without = [[v for j, v in enumerate(u) if j != i] for u in FIELD]
        assert close(c["alpha_without"]["krippendorff_alpha"], exact(without))
        assert c["alpha_without"]["krippendorff_alpha"] == pytest.approx(
            package_alpha(without), abs=1e-12
        )
        assert c["alpha_without"]["units"] == sum(
            1 for u in without if sum(v is not None for v in u) >= 2
        )
    weighted = []
    for a, b in combinations(range(3), 2):
        both = [[u[a], u[b]] for u in FIELD if u[a] is not None and u[b] is not None]
        pair = out["pairs"][f"{coders[a]}|{coders[b]}"]
        assert pair["units"] == len(both)
        kappa = exact_two_coder(both)["cohen_kappa"]
        assert pair["cohen_kappa"] == pytest.approx(float(kappa), abs=1e-12)
        values = sorted({v for u in both for v in u})
        table = np.array(
            [[sum(1 for x, y in both if (x, y) == (r, c)) for c in values] for r in values]
        )
        assert pair["cohen_kappa"] == pytest.approx(
            inter_rater.cohens_kappa(table).kappa, abs=1e-12
        )
        assert pair["cohen_kappa"] == pytest.approx(cohen_kappa(both), abs=1e-12)
        assert pair["kappa_ci"][0] < pair["cohen_kappa"] < pair["kappa_ci"][1]
        assert out["coders"][coders[a]]["cohen_kappa"][coders[b]] is pair
        weighted.append((kappa, len(both)))
    mean = sum(k * n for k, n in weighted) / sum(n for _, n in weighted)
    assert out["cohen_kappa_mean"] == pytest.approx(float(mean), abs=1e-12)
    assert out["cohen_kappa_mean_weighting"] == "shared units"


def test_kappa_interval_matches_resampling_shared_units_in_a_loop():
    both = np.array([[int(u[0][1:]), int(u[1][1:])] for u in FIELD if None not in u[:2]])
    rng = np.random.default_rng(0)
    direct = []
    for _ in range(3000):
        kappa = cohen_kappa(both[rng.integers(0, len(both), len(both))].astype(float))
        direct.append(kappa)
    pair = rel.coder_reliability(both.astype(float), ["a", "b"], n_resamples=3000, seed=1)["pairs"][
        "a|b"
    ]
    lo, hi = np.percentile(direct, [2.5, 97.5])
    assert pair["kappa_ci"][0] == pytest.approx(lo, abs=0.025)
    assert pair["kappa_ci"][1] == pytest.approx(hi, abs=0.025)


def test_weighted_mean_kappa_is_not_pulled_by_a_coder_with_one_label():
    # Two coders agree on 40 units; a third coded one unit, against them.
    units = [[f"v{i % 3}", f"v{i % 3}", None] for i in range(40)]
    units[0][2] = "v2"
    out = rel.coder_reliability(units, ["a", "b", "c"], n_resamples=50)
    assert out["pairs"]["a|b"]["cohen_kappa"] == 1.0
    assert out["pairs"]["a|c"]["units"] == 1 and out["pairs"]["a|c"]["cohen_kappa"] == 0.0
    # Weighted by shared units: (40 * 1 + 1 * 0 + 1 * 0) / 42, not the unweighted 1/3.
    assert out["cohen_kappa_mean"] == pytest.approx(40 / 42)
    assert out["coders"]["c"]["cohen_kappa_mean"] == 0.0
    assert out["coders"]["c"]["alpha_without"]["units"] == 40
    # Without a, alpha rests on one sentence: its n says so.
    assert out["coders"]["a"]["alpha_without"] == {
        "krippendorff_alpha": 0.0,
        "units": 1,
        "undefined_reason": None,
    }


# -- per article and over time ----------------------------------------------------------


def test_alpha_by_article_is_alpha_on_each_articles_units():
    articles = [f"art-{i % 4}" for i in range(len(FIELD))]
    out = rel.alpha_by_article(FIELD, articles)
    assert list(out) == ["art-0", "art-1", "art-2", "art-3"]
    for art, res in out.items():
        mine = [u for u, a in zip(FIELD, articles, strict=True) if a == art]
        assert close(res["krippendorff_alpha"], exact(mine))
        assert res["krippendorff_alpha"] == pytest.approx(package_alpha(mine), abs=1e-12)
        assert res["units"] == sum(1 for u in mine if sum(v is not None for v in u) >= 2)
    ordinal = [[None if v is None else int(v[1:]) for v in u] for u in FIELD]
    for art, res in rel.alpha_by_article(ordinal, articles, "ordinal").items():
        mine = [u for u, a in zip(ordinal, articles, strict=True) if a == art]
        assert close(res["krippendorff_alpha"], exact(mine, "ordinal"))


@pytest.mark.parametrize("level", ["nominal", "interval", "ratio", "masi"])
def test_alpha_by_group_all_at_once_equals_the_loop_and_each_subset(level, monkeypatch):
    rng = np.random.default_rng(4)
    if level == "masi":
        pool = [
            frozenset(),
            frozenset({"a"}),
            frozenset({"a", "b"}),
            frozenset({"b"}),
            frozenset({"c"}),
        ]
        units = [[pool[i] if i < 5 else None for i in row] for row in rng.integers(0, 7, (150, 3))]
    else:
        units = [
            [int(i) + 1 if i < 5 else None for i in row] for row in rng.integers(0, 7, (150, 3))
        ]
    groups = [f"g{i}" for i in rng.integers(0, 12, 150)]
    at_once = rel.alpha_by_group(units, groups, level)
    for g, res in at_once.items():
        mine = [u for u, h in zip(units, groups, strict=True) if h == g]
        assert res["units"] == sum(1 for u in mine if sum(v is not None for v in u) >= 2)
        reference = krippendorff_alpha(mine, level)
        assert res["krippendorff_alpha"] == pytest.approx(reference, abs=1e-12)
        if level != "masi":
            assert close(res["krippendorff_alpha"], exact(mine, level))
    monkeypatch.setattr(rel, "_group_alphas", lambda *args, **kwargs: None)
    looped = rel.alpha_by_group(units, groups, level)
    for g in at_once:
        assert looped[g]["units"] == at_once[g]["units"]
        assert looped[g]["krippendorff_alpha"] == pytest.approx(
            at_once[g]["krippendorff_alpha"], abs=1e-12
        )


def test_alpha_over_time_shows_drift_in_equal_windows():
    rng = np.random.default_rng(8)
    good = [[f"v{t}", f"v{t}"] for t in rng.integers(0, 3, 60)]
    bad = [[f"v{a}", f"v{b}"] for a, b in rng.integers(0, 3, (60, 2))]
    units = good + bad + [["v1", None]]
    times = [f"2024-01-{1 + i // 10:02d}T{i % 10:02d}:00" for i in range(121)]
    # Shuffle the units; times travel with them.
    order = rng.permutation(121)
    units = [units[i] for i in order]
    times = [times[i] for i in order]
    windows = rel.alpha_over_time(units, times, windows=4)
    assert [w["units"] for w in windows] == [30, 30, 30, 30]
    assert [w["window"] for w in windows] == [1, 2, 3, 4]
    assert windows[0]["krippendorff_alpha"] == windows[1]["krippendorff_alpha"] == 1.0
    assert windows[3]["krippendorff_alpha"] < 0.3
    assert windows[0]["start"] == "2024-01-01T00:00" and windows[3]["end"] == "2024-01-12T09:00"
    for w in windows:
        mine = [u for u, t in zip(units, times, strict=True) if w["start"] <= t <= w["end"]]
        assert close(w["krippendorff_alpha"], exact(mine))
        assert w["start"] <= w["end"]
    assert len(rel.alpha_over_time(units[:3], times[:3], windows=10)) <= 3


# -- one field -------------------------------------------------------------------------


def test_field_reliability_carries_the_contract_keys():
    tests = rel.category_tests("single", values=["v0", "v1", "v2", "v3"])
    out = rel.field_reliability(FIELD, tests=tests, n_resamples=400, seed=2)
    direct = bootstrap_distribution(FIELD, n_resamples=400, seed=2)
    assert close(out["krippendorff_alpha"], exact(FIELD))
    assert out["alpha_ci"] == list(direct.ci)
    assert out["alpha_below"] == {
        "0.667": direct.alpha_below(0.667),
        "0.8": direct.alpha_below(0.8),
    }
    assert out["alpha_ci_method"] == "percentile bootstrap over units"
    assert out["bootstrap"]["resamples"] == 400 and out["bootstrap"]["seed"] == 2
    prevalence = rel.value_prevalence(FIELD)
    rarest = min(prevalence, key=prevalence.get)
    size = out["sample_size"]
    assert size["rarest"] == rarest and size["units"] == out["units"] == direct.units
    assert size["required_codings"] == math.ceil(
        rel.required_codings(0.8, prevalence[rarest], 0.05, 3)
    )
    assert out["categories"] == rel.categories_reliability(FIELD, tests, n_resamples=400, seed=2)


def test_set_valued_sample_size_runs_over_the_binary_categories():
    s = frozenset
    units = (
        [[s({"tr:blame"}), s({"tr:blame"})]] * 30
        + [[s(), s()]] * 60
        + [[s({"un:demand"}), s()]] * 10
    )
    tests = rel.category_tests("stance", targets=["tr", "un"], polarities=["blame", "demand"])
    out = rel.field_reliability(units, "masi", tests=tests, n_resamples=50)
    size = out["sample_size"]
    # un:demand: 10 of 200 pairable values; tr:demand, never given, is left out.
    assert size["rarest"] == "un:demand" and size["prevalence"] == 10 / 200
    assert size["required_codings"] == math.ceil(rel.required_codings(0.8, 0.05, 0.05, 2))
    assert out["categories"]["un:demand"]["prevalence"] == 10 / 200


def test_field_reliability_undefined_says_why():
    out = rel.field_reliability([["a", "a"], ["a", "a"]], n_resamples=20)
    assert out["krippendorff_alpha"] is None and out["alpha_ci"] is None
    assert out["alpha_below"] == {"0.667": None, "0.8": None}
    assert "identical" in out["undefined_reason"]
    lonely = rel.field_reliability([["a", None], [None, "b"]], n_resamples=20)
    assert lonely["units"] == 0 and lonely["undefined_reason"] == rel.NO_PAIRS
