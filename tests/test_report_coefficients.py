"""The report's coefficients against exact fractions computed here (issue 11,
item 7): every undefined figure carries its reason, alpha undefined beside a
defined AC1 or Fleiss' kappa is explained, drop-one alphas carry their n, the
mean Cohen's kappa is weighted by shared units, and AC1's category count is
pinned per field kind."""

from __future__ import annotations

from fractions import Fraction
from itertools import combinations

import pytest

from tests.conftest import article_id
from tests.test_agreement import exact_alpha, exact_two_coder
from tests.test_report import PLAN, code_plan, expected_units, workbench
from workbench import report

COEFFICIENTS = (
    "percent_agreement",
    "krippendorff_alpha",
    "alpha_ci",
    "fleiss_kappa",
    "gwet_ac1",
    "cohen_kappa_mean",
)


def rated(units):
    return [[v for v in u if v is not None] for u in units]


def exact_observed(units):
    """Observed agreement: agreeing ordered pairs over all, averaged over units coded twice."""
    coded = [u for u in rated(units) if len(u) >= 2]
    return sum(
        Fraction(sum(u.count(c) * (u.count(c) - 1) for c in set(u)), len(u) * (len(u) - 1))
        for u in coded
    ) / len(coded)


def exact_prevalence(units):
    """Each category's share within a unit, averaged over units coded at least once."""
    coded = [u for u in rated(units) if u]
    cats = {v for u in coded for v in u}
    return {c: sum(Fraction(u.count(c), len(u)) for u in coded) / len(coded) for c in cats}


def exact_fleiss(units):
    """Fleiss' kappa with missing ratings (Gwet 2014, ch. 2); None when 0/0."""
    chance = sum(p * p for p in exact_prevalence(units).values())
    return None if chance == 1 else (exact_observed(units) - chance) / (1 - chance)


def exact_ac1(units, q):
    pi = exact_prevalence(units)
    chance = sum(p * (1 - p) for p in pi.values()) / (q - 1)
    return (exact_observed(units) - chance) / (1 - chance)


def assert_every_undefined_has_a_reason(result):
    for fid, f in result["fields"].items():
        for key in COEFFICIENTS:
            if f[key] is None:
                assert f["undefined_reasons"].get(key), (fid, key)
            else:
                assert key not in f["undefined_reasons"], (fid, key)
        for name, c in f["categories"].items():
            assert (c["krippendorff_alpha"] is None) == bool(c["undefined_reason"]), (fid, name)
    for pair, by_field in result["pairs"].items():
        for fid, p in by_field.items():
            assert (p["cohen_kappa"] is None) == bool(p["undefined_reason"]), (pair, fid)
    for coder, c in result["coders"].items():
        for fid, value in c["alpha_without"].items():
            assert (value is None) == bool(c["alpha_without_reasons"].get(fid)), (coder, fid)


# -- (a) every value identical: alpha undefined, AC1 and Fleiss explained ---------------

SAME = {"speaker": "sdf", "claim_type": "denial", "confidence": "2", "stance": []}
ONLY_A = {"speaker": "isis", "claim_type": "attribution", "confidence": "3", "stance": []}


@pytest.fixture
def identical(store, codebook):
    """a and b agree on 3 sentences, all one value; a alone codes a 4th differently."""
    book = store.register_codebook(codebook)
    s = store.sentences(article_id(store, "hasakah-02"))[:4]
    for x in s[:3]:
        for coder in ("a", "b"):
            store.set_label(x.id, coder, data=SAME, codebook_id=book)
    store.set_label(s[3].id, "a", data=ONLY_A, codebook_id=book)
    return store


def units_of(field):
    same, only = (frozenset(), frozenset()) if field == "stance" else (SAME[field], ONLY_A[field])
    return [[same, same]] * 3 + [[only, None]]


def test_alpha_undefined_beside_defined_ac1_and_fleiss_is_explained(identical, codebook):
    result = report.build(identical, codebook, bootstrap=200)
    claim = result["fields"]["claim_type"]
    units = units_of("claim_type")
    # Alpha pairs values within a sentence: all 3 pairable sentences say denial.
    assert claim["krippendorff_alpha"] is None
    assert "expected disagreement is 0" in claim["undefined_reason"]
    assert "'denial'" in claim["undefined_reasons"]["krippendorff_alpha"]
    assert (
        claim["undefined_reasons"]["alpha_ci"] == claim["undefined_reasons"]["krippendorff_alpha"]
    )
    # Fleiss' chance agreement counts a's single attribution: 1 - 10/16 over 1 - 10/16.
    assert exact_prevalence(units) == {"denial": Fraction(3, 4), "attribution": Fraction(1, 4)}
    assert exact_fleiss(units) == 1 and claim["fleiss_kappa"] == 1.0
    # AC1 with the codebook's 9 claim types: chance 6/128, observed 1.
    assert exact_ac1(units, 9) == 1 and claim["gwet_ac1"] == 1.0
    # The one pair shares 3 sentences of one value: kappa is 0/0.
    assert claim["cohen_kappa_mean"] is None
    assert "cohen_kappa_mean" in claim["undefined_reasons"]
    assert set(claim["undefined_reasons"]) == {"krippendorff_alpha", "alpha_ci", "cohen_kappa_mean"}
    notes = " ".join(claim["notes"])
    assert "AC1 is 1.000 while alpha is undefined" in notes and "q = 9" in notes
    assert "Fleiss' kappa is 1.000 while alpha is undefined" in notes
    assert "1 sentence coded by one coder only" in notes
    assert_every_undefined_has_a_reason(result)


def test_with_no_variation_anywhere_fleiss_is_undefined_and_says_why(identical, codebook):
    result = report.build(identical, codebook, bootstrap=0)
    stance = result["fields"]["stance"]  # "no stance" on every coding, single ones included
    assert stance["fleiss_kappa"] is None and exact_fleiss(units_of("stance")) is None
    assert "chance agreement is 1" in stance["undefined_reasons"]["fleiss_kappa"]
    # Observed sets for stance: one set, q = 1, AC1 has no chance term to speak of.
    assert stance["gwet_ac1"] is None
    assert stance["gwet_ac1_categories"] == {"q": 1, "from": "observed"}
    assert "at least two categories" in stance["undefined_reasons"]["gwet_ac1"]
    assert_every_undefined_has_a_reason(result)


def test_markdown_gives_every_reason_and_note(identical, db_path):
    text = workbench("agree", "--format", "markdown", "--bootstrap", "0", db=db_path).stdout
    assert "- claim_type: alpha, alpha 95% CI undefined because every value identical" in text
    assert "- claim_type: mean Cohen k undefined because every coder pair" in text
    assert "- claim_type: AC1 is 1.000 while alpha is undefined" in text
    assert "- stance: Fleiss k undefined because" in text
    table = workbench("agree", "--bootstrap", "0", db=db_path).stdout
    assert "AC1 is 1.000 while alpha is undefined" in " ".join(table.split())


def test_the_plan_has_a_reason_for_each_undefined_figure(coded, codebook):
    assert_every_undefined_has_a_reason(report.build(coded, codebook, bootstrap=100))
    none = report.build(coded, codebook, coders=["amina"], bootstrap=0)
    claim = none["fields"]["claim_type"]
    assert set(claim["undefined_reasons"]) == set(COEFFICIENTS)
    assert set(claim["undefined_reasons"].values()) == {"fewer than two coders"}


# -- (b) alpha without each coder, with its n ---------------------------------------


def test_alpha_without_each_coder_carries_its_units(coded, codebook):
    result = report.build(coded, codebook, bootstrap=0)
    coders = sorted(PLAN)
    for i, name in enumerate(coders):
        entry = result["coders"][name]
        assert entry["units"] == sum(row is not None for row in PLAN[name])
        for field in ("claim_type", "speaker", "stance"):
            rest = [[v for j, v in enumerate(u) if j != i] for u in expected_units(field)]
            both = [u for u in rest if None not in u]
            assert entry["alpha_without_units"][field] == len(both)
            assert result["drop_one_coder"][name][field] == entry["alpha_without"][field]
            if field != "stance":  # MASI: the engine's NLTK check covers it
                assert entry["alpha_without"][field] == pytest.approx(
                    float(exact_alpha(both, "nominal"))
                )
    assert result["coders"]["amina"]["alpha_without_units"] == {
        "speaker": 4, "stance": 5, "claim_type": 5, "confidence": 0,
    }  # fmt: skip
    assert result["coders"]["amina"]["alpha_without_reasons"]["confidence"]
    text = report.to_markdown(result)
    section = text.split("## Alpha without each coder")[1]
    row = next(line for line in section.splitlines() if line.startswith("| amina |"))
    alpha = result["coders"]["amina"]["alpha_without"]["claim_type"]
    assert f"{alpha:.3f} (n=5)" in row


def test_two_coders_have_coder_entries_but_no_drop_one_table(identical, codebook):
    result = report.build(identical, codebook, bootstrap=0)
    assert result["drop_one_coder"] == {}
    assert result["coders"]["a"]["units"] == 4 and result["coders"]["b"]["units"] == 3
    assert result["coders"]["a"]["alpha_without"]["claim_type"] is None
    assert result["coders"]["a"]["alpha_without_units"]["claim_type"] == 0


# -- (c) the mean Cohen's kappa, weighted by shared units ---------------------------


def test_mean_cohen_kappa_is_weighted_by_shared_units(coded, codebook):
    # zaid labels one sentence, disagreeing with everyone: three kappas of 0 on 1 unit.
    first = coded.sentences(article_id(coded, "hasakah-04"))[0]
    coded.set_label(first.id, "zaid", data={"claim_type": "humanitarian", "speaker": "uk_fcdo"})
    result = report.build(coded, codebook, bootstrap=0)
    names = [*sorted(PLAN), "zaid"]
    units = [[*u, "humanitarian" if n == 0 else None] for n, u in enumerate(expected_units("claim_type"))]  # fmt: skip
    kappas, weights = [], []
    for a, b in combinations(range(len(names)), 2):
        both = [[u[a], u[b]] for u in units if u[a] is not None and u[b] is not None]
        kappa = exact_two_coder(both)["cohen_kappa"]
        kappas.append(kappa)
        weights.append(len(both))
        pair = result["pairs"][f"{names[a]}|{names[b]}"]["claim_type"]
        assert pair["units"] == len(both) and pair["cohen_kappa"] == pytest.approx(float(kappa))
    weighted = sum(k * w for k, w in zip(kappas, weights, strict=True)) / sum(weights)
    unweighted = sum(kappas) / len(kappas)
    claim = result["fields"]["claim_type"]
    assert claim["cohen_kappa_mean"] == pytest.approx(float(weighted))
    assert abs(float(unweighted) - float(weighted)) > 0.1  # the two really differ here
    text = report.to_markdown(result)
    assert "mean Cohen k (weighted)" in text
    assert "weighted by the sentences each pair coded in common" in text


# -- (d) AC1's category count, per field kind ----------------------------------------


def test_ac1_counts_codebook_values_for_choices_and_observed_ones_otherwise(coded, codebook):
    result = report.build(coded, codebook, bootstrap=0)
    fields = result["fields"]
    claim, speaker, stance = (fields[f] for f in ("claim_type", "speaker", "stance"))
    # Single choice: the codebook's 9 claim types, used or not (5 are used).
    assert claim["gwet_ac1_categories"] == {"q": 9, "from": "codebook"}
    assert claim["gwet_ac1"] == pytest.approx(float(exact_ac1(expected_units("claim_type"), 9)))
    # Speaker (an open registry): the speakers given, here sdf, isis, outlet.
    assert speaker["gwet_ac1_categories"] == {"q": 3, "from": "observed"}
    assert speaker["gwet_ac1"] == pytest.approx(float(exact_ac1(expected_units("speaker"), 3)))
    # Stance: the distinct sets given (exact set matches).
    sets = {v for u in expected_units("stance") for v in u if v is not None}
    assert stance["gwet_ac1_categories"] == {"q": len(sets), "from": "observed"}
    assert stance["gwet_ac1"] == pytest.approx(
        float(exact_ac1(expected_units("stance"), len(sets)))
    )
    # Ordinal: the codebook's scale, even where nobody coded it.
    assert fields["confidence"]["gwet_ac1_categories"] == {"q": 3, "from": "codebook"}


@pytest.fixture
def coded(store, codebook):
    return code_plan(store, codebook)
