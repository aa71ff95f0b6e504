"""`workbench agree --app`: the overview's rows, the drill-down to a row's
disagreeing sentences, and the key that quits to `workbench review`."""

from __future__ import annotations

import asyncio
import copy
from typing import Any

import pytest

from workbench import report
from workbench.display import unshaped_arabic
from workbench.tui.agreement_app import AgreementApp
from workbench.tui.screens.agreement import (
    OverviewScreen,
    Pick,
    SentencesScreen,
    disagreements_for,
    overview_rows,
    sentences_text,
)
from workbench.tui.widgets import Laid

SENTENCES = {
    ("hasakah-04", 0): "قسد: الهجوم الإرهابي في الحسكة تم عبر الأراضي العراقية والأراضي المحتلة",
    ("hasakah-04", 2): "بيانُ قسد المستندُ إلى اعترافاتٍ أدلى بها عناصرُ في داعش أُلقي القبضُ "
    "عليهم، أوضحَ أنّ الهجومَ الإرهابي على سجن الصناعة، جنوبي الحسكة، تمَّ بوساطةِ ما يقارب "
    "مئتي إرهابي انتحاري، بعد دخولِهم حي غويران عبر العراق ومنطقتي رأس العين وتل أبيض "
    "المحتلتين، شمال شرقي سوريا.",
    ("hasakah-04", 4): "قسد: هناك ارتباط وثيق بين الهجمات التركية وهجوم الحسكة",
    ("hasakah-01", 3): "(موظفي السجن) «قال» المتحدث.",
}


def entry(article: str, index: int, pairs: int, **extra: Any) -> dict[str, Any]:
    return {
        "article_id": article,
        "sentence_index": index,
        "text": SENTENCES[(article, index)],
        "disagreeing_pairs": pairs,
        **extra,
    }


def field(alpha: float | None, units: int, level: str = "nominal", **extra: Any) -> dict:
    return {
        "units": units,
        "coders": 3,
        "level": level,
        "krippendorff_alpha": alpha,
        "alpha_ci": None if alpha is None else [alpha - 0.1, min(1.0, alpha + 0.1)],
        "undefined_reason": None if alpha is not None else "fewer than two coders",
        "categories": {},
        **extra,
    }


# Round-1 keys plus by_article and per-field counts in the entries, as the
# report may give them.
REPORT: dict[str, Any] = {
    "codebook": {"name": "hasakah-stance", "version": "1.1.0"},
    "fields": {
        "claim_type": field(
            0.726,
            6,
            alpha_below={"0.667": 0.21, "0.8": 0.74},
            categories={
                "denial": {"krippendorff_alpha": 1.0, "codings": 3},
                "casualty_figure": {"krippendorff_alpha": 0.467, "codings": 2},
                "rumour": {"krippendorff_alpha": None, "codings": 0},
            },
        ),
        "stance": field(
            0.462,
            6,
            "masi",
            categories={"turkey:blame": {"krippendorff_alpha": 0.515, "codings": 6}},
        ),
        "confidence": field(None, 0, "ordinal"),
    },
    "pairs": {},
    "drop_one_coder": {"amina": {"claim_type": 0.55, "stance": None}},
    "disagreements": [
        entry("hasakah-04", 2, 5, fields={"claim_type": 2, "stance": 3}),
        entry("hasakah-04", 0, 3, fields={"stance": 3}),
        entry("hasakah-01", 3, 2, fields={"claim_type": 2}),
    ],
    "by_article": {
        "hasakah-01": {"claim_type": {"krippendorff_alpha": 0.9, "units": 3}},
        "hasakah-04": {
            "claim_type": {"krippendorff_alpha": 0.61, "units": 6},
            "stance": {"krippendorff_alpha": 0.35, "units": 6},
        },
        "hasakah-05": {"claim_type": {"krippendorff_alpha": None, "units": 1}},
    },
}


def picks(rows):
    return [r.pick for r in rows if r.pick is not None]


def test_rows_are_fields_then_coded_categories_then_articles_weakest_first():
    rows = overview_rows(REPORT, "terminal")
    assert picks(rows) == [
        Pick("field", "claim_type"),
        Pick("field", "stance"),
        Pick("field", "confidence"),
        Pick("category", "claim_type", category="casualty_figure"),
        Pick("category", "claim_type", category="denial"),  # "rumour" was never coded
        Pick("category", "stance", category="turkey:blame"),
        Pick("article", article="hasakah-04"),  # its stance: 0.350
        Pick("article", article="hasakah-01"),
        Pick("article", article="hasakah-05"),  # undefined: last
    ]
    article = next(r for r in rows if r.pick == Pick("article", article="hasakah-04"))
    assert article.alpha == 0.35 and article.extra.startswith("stance n=6")
    claim = next(r for r in rows if r.pick == Pick("field", "claim_type"))
    assert "95% CI [0.626, 0.826]" in claim.extra and "q(<0.800) 0.740" in claim.extra
    confidence = next(r for r in rows if r.pick == Pick("field", "confidence"))
    assert confidence.alpha is None and "(fewer than two coders)" in confidence.extra


def test_a_field_lists_the_sentences_that_disagree_on_it_with_its_pairs():
    listed, note = disagreements_for(REPORT, Pick("field", "claim_type"))
    assert [(e["article_id"], e["sentence_index"], e["disagreeing_pairs"]) for e in listed] == [
        ("hasakah-04", 2, 2),
        ("hasakah-01", 3, 2),
    ]
    assert note == ""


def test_without_per_field_counts_a_field_lists_every_sentence_and_says_so():
    plain = copy.deepcopy(REPORT)
    for e in plain["disagreements"]:
        del e["fields"]
    listed, note = disagreements_for(plain, Pick("field", "stance"))
    assert len(listed) == 3 and "does not say which field" in note


def test_a_field_or_category_of_its_own_list_uses_it():
    own = copy.deepcopy(REPORT)
    own["fields"]["stance"]["disagreements"] = [entry("hasakah-04", 4, 1)]
    own["fields"]["stance"]["categories"]["turkey:blame"]["disagreements"] = [
        entry("hasakah-04", 0, 1)
    ]
    listed, note = disagreements_for(own, Pick("field", "stance"))
    assert [e["sentence_index"] for e in listed] == [4] and note == ""
    listed, note = disagreements_for(own, Pick("category", "stance", category="turkey:blame"))
    assert [e["sentence_index"] for e in listed] == [0] and note == ""
    # A category without a list of its own falls back to its field's, and says so.
    listed, note = disagreements_for(REPORT, Pick("category", "claim_type", category="denial"))
    assert [e["sentence_index"] for e in listed] == [2, 3]
    assert "no list per category" in note and "claim_type" in note


def test_an_article_lists_its_sentences_from_every_list_once():
    own = copy.deepcopy(REPORT)
    own["fields"]["stance"]["disagreements"] = [
        entry("hasakah-04", 4, 1),
        entry("hasakah-04", 2, 3),
    ]
    listed, note = disagreements_for(own, Pick("article", article="hasakah-04"))
    assert [e["sentence_index"] for e in listed] == [2, 0, 4]
    assert "only its 3 sentences with the most disagreement" in note
    listed, _ = disagreements_for(REPORT, Pick("article", article="hasakah-05"))
    assert listed == []


def test_malformed_or_missing_keys_never_crash():
    broken: dict[str, Any] = {
        "fields": {"x": {"categories": {"c": None}}, "y": None},
        "disagreements": [None, {"article_id": 3}, {"article_id": "a", "sentence_index": True}],
        "by_article": {"a": None, "b": {"x": None}},
        "codability": {"krippendorff_alpha": "high"},
    }
    rows = overview_rows(broken, "app")
    for pick in picks(rows):
        assert disagreements_for(broken, pick) == ([], "")
    assert overview_rows({}, "terminal")  # the title at least
    assert disagreements_for({}, Pick("field", "x")) == ([], "")


def test_data_reaches_the_screen_through_the_display_path():
    hostile = copy.deepcopy(REPORT)
    hostile["by_article"]["\x1b[31mred\u202e"] = {"claim_type": {"krippendorff_alpha": 0.1}}
    hostile["fields"]["confidence"]["undefined_reason"] = "bad\x07 [b]reason[/b]"
    hostile["drop_one_coder"]["\x1b]0;title\x07أمينة"] = {"claim_type": 0.5}
    from workbench.tui.screens.agreement import overview_text

    for mode in ("terminal", "app"):
        shown = overview_text(overview_rows(hostile, mode), 3, 120, 60, mode).plain
        assert "\x1b" not in shown and "\x07" not in shown and "\u202e" not in shown
        assert "red" in shown and "[b]reason[/b]" in shown
        if mode == "app":
            assert unshaped_arabic(shown) == []
    for mode in ("terminal", "app"):
        listed, note = disagreements_for(REPORT, Pick("article", article="hasakah-04"))
        shown = sentences_text("Article x", note, listed, 1, 80, 40, mode).plain
        assert ("hasakah-04 #1" in shown) and ("hasakah-04 #3" in shown)
        if mode == "app":
            assert unshaped_arabic(shown) == []


def run(app: AgreementApp, keys: list[str], size=(120, 40), check=None):
    async def main():
        async with app.run_test(size=size) as pilot:
            for key in keys:
                await pilot.press(key)
            await pilot.pause()
            if check is not None:
                check(app)

    asyncio.run(main())
    return app.return_value


def shown(app: AgreementApp) -> str:
    return str(app.screen.query_one(Laid).render())


def test_enter_lists_a_category_and_r_quits_to_review_that_sentence():
    seen = {}

    def check(app):
        assert isinstance(app.screen, SentencesScreen)
        seen["text"] = shown(app)

    # Down three rows: the first category (casualty_figure, weakest first).
    keys = ["down", "down", "down", "enter", "down"]
    run(AgreementApp(REPORT), keys, check=check)
    assert "claim_type, category casualty_figure: 2 sentences with disagreement" in seen["text"]
    assert "no list per category" in seen["text"]
    result = run(AgreementApp(REPORT), [*keys, "r"])
    assert result == ("review", "hasakah-01", 3)


def test_an_article_row_lists_its_sentences_and_escape_goes_back_to_the_same_row():
    def check(app):
        assert isinstance(app.screen, OverviewScreen)
        assert app.screen.picked == Pick("article", article="hasakah-04")

    result = run(AgreementApp(REPORT), ["end", "up", "up", "enter", "escape"], check=check)
    assert result is None
    result = run(AgreementApp(REPORT), ["end", "up", "up", "enter", "r"])
    assert result == ("review", "hasakah-04", 2)
    assert run(AgreementApp(REPORT), ["q"]) is None
    assert run(AgreementApp(REPORT), ["enter", "q"]) is None
    assert run(AgreementApp(REPORT), ["escape"]) is None


def test_a_row_with_nothing_to_list_says_so_and_r_does_nothing():
    def check(app):
        assert isinstance(app.screen, SentencesScreen)
        assert "Nothing to list for this row." in shown(app)

    assert run(AgreementApp(REPORT, "app"), ["end", "enter", "r"], check=check) is None


def test_a_report_as_built_today_opens_every_row(store, codebook):
    from tests.test_gold import code_disagreements

    code_disagreements(store, codebook)
    result = report.build(store, codebook, bootstrap=50, seed=1)
    count = len(picks(overview_rows(result, "terminal")))
    for n in range(count):
        keys = [*(["down"] * n), "enter"]
        run(AgreementApp(result), keys, size=(80, 24), check=lambda app: shown(app))
    jump = run(AgreementApp(result), ["enter", "r"])
    # The first row is the weakest field; its own list (the report now gives
    # one per field and category) comes first.
    first = picks(overview_rows(result, "terminal"))[0]
    top = result["fields"][first.field]["disagreements"][0]
    assert jump == ("review", top["article_id"], top["sentence_index"])


SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])


@pytest.mark.parametrize("mode", ["terminal", "app"])
@SIZES
def test_drill_down_snapshot(snap_compare, size, mode):
    """The sentences stance disagrees on, the second one under the cursor."""
    assert snap_compare(
        AgreementApp(REPORT, mode), terminal_size=size, press=["down", "enter", "down"]
    )
