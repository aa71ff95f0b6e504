"""The report's issue-11 figures, wired from the store: q (alpha_below) from
the same resamples as the interval, the sample-size check, codability, per
article and over time. Checked against the krippendorff package and the
formula computed here, not against the report's own helpers alone."""

from __future__ import annotations

import math
from itertools import pairwise

import krippendorff
import numpy as np
import pytest

from tests.test_report import code_plan, expected_units
from workbench import report
from workbench.agreement import bootstrap_distribution


@pytest.fixture
def coded(store, codebook):
    return code_plan(store, codebook)


def kripp(units) -> float:
    """Nominal alpha by the krippendorff package (coders x units, NaN missing)."""
    values = sorted({v for u in units for v in u if v is not None}, key=str)
    index = {v: i for i, v in enumerate(values)}
    data = np.array(
        [[np.nan if v is None else index[v] for v in column] for column in zip(*units, strict=True)]
    )
    return krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")


def test_alpha_below_counts_the_resamples_of_the_interval(coded, codebook):
    result = report.build(coded, codebook, bootstrap=300, seed=7, alpha_mins=(0.667, 0.8, 0.9))
    f = result["fields"]["claim_type"]
    dist = bootstrap_distribution(expected_units("claim_type"), "nominal", 300, seed=7)
    defined = dist.alphas[~np.isnan(dist.alphas)]
    for key, m in (("0.667", 0.667), ("0.8", 0.8), ("0.9", 0.9)):
        assert f["alpha_below"][key] == pytest.approx(float((defined < m).mean()))
    lo, hi = np.percentile(defined, [2.5, 97.5])
    assert f["alpha_ci"] == pytest.approx([lo, hi])
    assert f["alpha_ci_method"] == "percentile bootstrap over units"
    assert f["bootstrap"]["resamples"] == 300 and f["bootstrap"]["seed"] == 7


def test_the_sample_size_check_is_krippendorffs_formula(coded, codebook):
    result = report.build(coded, codebook, bootstrap=100)
    size = result["fields"]["claim_type"]["sample_size"]
    # The rarest value's share of the pairable values, counted here.
    values = [
        v
        for u in expected_units("claim_type")
        if sum(x is not None for x in u) >= 2
        for v in u
        if v
    ]
    p = min(values.count(v) for v in set(values)) / len(values)
    assert size["prevalence"] == pytest.approx(p)
    a, z = 0.8, 1.6448536269514722
    units = z**2 * ((1 + a) * (3 - a) / (4 * (1 - a) * p * (1 - p)) - a)
    assert size["required_units"] == math.ceil(units - 1e-9)
    assert size["units"] == 6 and size["short"] is True
    text = report.to_markdown(result)
    assert f"WARNING claim_type: 6 units, but {size['required_units']} are needed" in text


def test_codability_is_alpha_of_the_statuses(coded, codebook, store):
    result = report.build(coded, codebook, bootstrap=100)
    rows = store.conn.execute(
        "SELECT l.sentence_id, c.name, l.status FROM labels l JOIN coders c ON c.id = l.coder_id"
        " WHERE l.status != 'draft'"
    ).fetchall()
    coders = sorted({r[1] for r in rows})
    by_sentence: dict[int, list] = {}
    for sid, coder, status in rows:
        by_sentence.setdefault(sid, [None] * len(coders))[coders.index(coder)] = status
    expected = kripp(list(by_sentence.values()))
    assert result["codability"]["krippendorff_alpha"] == pytest.approx(expected)
    rates = result["codability"]["rates"]["leila"]
    assert rates["skipped"] == pytest.approx(1 / 6)


def test_alpha_per_article_and_over_time(coded, codebook):
    result = report.build(coded, codebook, bootstrap=0)
    by = result["by_article"]
    assert set(by) == {"hasakah-04"}
    assert by["hasakah-04"]["claim_type"]["krippendorff_alpha"] == pytest.approx(
        kripp(expected_units("claim_type"))
    )
    assert by["hasakah-04"]["claim_type"]["units"] == 6
    windows = result["over_time"]["claim_type"]
    assert sum(w["units"] for w in windows) == result["fields"]["claim_type"]["units"]
    assert [w["window"] for w in windows] == list(range(1, len(windows) + 1))
    assert all(a["end"] <= b["start"] for a, b in pairwise(windows))


def test_every_format_shows_the_same_q(coded, codebook):
    result = report.build(coded, codebook, bootstrap=200, seed=2)
    q = result["fields"]["speaker"]["alpha_below"]["0.8"]
    text = report.to_markdown(result)
    line = next(x for x in text.splitlines() if x.startswith("| speaker |") and "isis" in x)
    assert f"{q:.3f}" in line


def test_each_field_and_category_lists_its_own_disagreements(coded, codebook):
    from itertools import combinations

    result = report.build(coded, codebook, bootstrap=0)
    units = expected_units("claim_type")
    expected = sorted(
        (sum(1 for x, y in combinations([v for v in u if v is not None], 2) if x != y), i)
        for i, u in enumerate(units)
    )
    listed = result["fields"]["claim_type"]["disagreements"]
    assert [d["disagreeing_pairs"] for d in listed] == sorted(
        (n for n, _ in expected if n), reverse=True
    )
    assert {d["article_id"] for d in listed} == {"hasakah-04"}
    # A category lists the sentences whose coders split on it.
    split = [
        i for i, u in enumerate(units) if len({v == "attribution" for v in u if v is not None}) == 2
    ]
    attribution = result["fields"]["claim_type"]["categories"]["attribution"]["disagreements"]
    assert sorted(d["sentence_index"] for d in attribution) == split
