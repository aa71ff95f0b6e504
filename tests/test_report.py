"""The agreement report from a fixture database, and `workbench agree` in every format."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, article_id
from workbench import report
from workbench.agreement import cohen_kappa, fleiss_kappa, krippendorff_alpha

# Three coders on the first 6 sentences of hasakah-04: (claim type, speaker, stance pairs).
PLAN = {
    "amina": [
        ("denial", "sdf", [("turkey", "blame")]),
        ("attribution", "sdf", [("turkey", "blame")]),
        ("background", "outlet", []),
        ("attribution", "sdf", [("turkey", "blame"), ("iraq", "blame")]),
        ("casualty_figure", "sdf", []),
        ("not_a_claim", "outlet", []),
    ],
    "omar": [
        ("denial", "sdf", [("turkey", "blame")]),
        ("attribution", "isis", [("turkey", "blame")]),
        ("background", "outlet", []),
        ("attribution", "sdf", [("turkey", "blame")]),
        ("military_operation", "sdf", []),
        ("not_a_claim", "outlet", []),
    ],
    "leila": [
        ("denial", "sdf", []),
        ("background", "sdf", [("un", "blame")]),
        ("background", "outlet", []),
        None,  # skipped: not a value
        ("casualty_figure", "sdf", []),
        ("not_a_claim", None, []),  # speaker left unset: missing, not a category
    ],
}


@pytest.fixture
def coded(store, codebook):
    return code_plan(store, codebook)


def code_plan(store, codebook):
    """PLAN's labels on the first 6 sentences of hasakah-04, under `codebook`."""
    book_id = store.register_codebook(codebook)
    sentences = store.sentences(article_id(store, "hasakah-04"))[:6]
    for coder, rows in PLAN.items():
        for sentence, row in zip(sentences, rows, strict=True):
            if row is None:
                store.set_label(sentence.id, coder, status="skipped", codebook_id=book_id)
                continue
            claim, speaker, stance = row
            data = {
                "claim_type": claim,
                "stance": [{"target": t, "polarity": p} for t, p in stance],
            }
            if speaker:
                data["speaker"] = speaker
            store.set_label(sentence.id, coder, data=data, codebook_id=book_id)
    # A flagged label in another article counts for nothing.
    other = store.sentences(article_id(store, "hasakah-05"))[0]
    store.set_label(other.id, "amina", status="flagged", data={"claim_type": "denial"})
    return store


def expected_units(field):
    coders = sorted(PLAN)
    units = []
    for i in range(6):
        unit = []
        for coder in coders:
            row = PLAN[coder][i]
            if row is None:
                unit.append(None)
            elif field == "claim_type":
                unit.append(row[0])
            elif field == "speaker":
                unit.append(row[1])
            else:
                unit.append(frozenset(f"{t}:{p}" for t, p in row[2]))
        units.append(unit)
    return units


def test_report_figures_equal_the_engine_on_the_same_units(coded, codebook):
    result = report.build(coded, codebook, bootstrap=200, seed=3)
    assert result["codebook"] == {"name": codebook.name, "version": codebook.version}
    claim = result["fields"]["claim_type"]
    units = expected_units("claim_type")
    assert claim["units"] == 6 and claim["coders"] == 3 and claim["level"] == "nominal"
    assert claim["krippendorff_alpha"] == pytest.approx(krippendorff_alpha(units))
    assert claim["fleiss_kappa"] == pytest.approx(fleiss_kappa(units))
    lo, hi = claim["alpha_ci"]
    assert lo <= claim["krippendorff_alpha"] <= hi
    stance = result["fields"]["stance"]
    assert stance["level"] == "masi"
    assert stance["krippendorff_alpha"] == pytest.approx(
        krippendorff_alpha(expected_units("stance"), "masi")
    )
    speaker = result["fields"]["speaker"]
    assert speaker["krippendorff_alpha"] == pytest.approx(
        krippendorff_alpha(expected_units("speaker"))
    )
    # Skipped and unset are missing: leila (column 1) gave 5 claim types, 4 speakers.
    assert sum(u[1] is not None for u in expected_units("claim_type")) == 5
    assert sum(u[1] is not None for u in expected_units("speaker")) == 4


def test_stance_categories_and_pairs(coded, codebook):
    result = report.build(coded, codebook, bootstrap=0)
    cats = result["fields"]["stance"]["categories"]
    assert cats["turkey:blame"]["codings"] == 6 and cats["turkey"]["codings"] == 6
    assert cats["iraq:blame"]["codings"] == 1 and cats["un"]["codings"] == 1
    binary = [
        [None if v is None else ("turkey:blame" in v) for v in u] for u in expected_units("stance")
    ]
    assert cats["turkey:blame"]["krippendorff_alpha"] == pytest.approx(krippendorff_alpha(binary))
    pair = result["pairs"]["amina|omar"]["claim_type"]
    amina_omar = [[u[0], u[2]] for u in expected_units("claim_type")]
    assert pair == {
        "cohen_kappa": pytest.approx(cohen_kappa(amina_omar)),
        "units": 6,
        "undefined_reason": None,
    }
    assert result["pairs"]["amina|leila"]["claim_type"]["units"] == 5
    assert set(result["drop_one_coder"]) == {"amina", "leila", "omar"}
    top = result["disagreements"][0]
    assert {"article_id", "sentence_index", "text", "disagreeing_pairs"} <= set(top)


def test_undefined_is_null_with_a_reason(store, codebook):
    sentences = store.sentences(article_id(store, "hasakah-04"))[:3]
    for coder in ("a", "b"):
        for s in sentences:
            store.set_label(s.id, coder, data={"claim_type": "denial"})
    result = report.build(store, codebook, bootstrap=0, fields=["claim_type"])
    claim = result["fields"]["claim_type"]
    assert claim["krippendorff_alpha"] is None and claim["fleiss_kappa"] is None
    assert "expected disagreement is 0" in claim["undefined_reason"]
    assert claim["percent_agreement"] == 1.0
    assert "undefined" in report.to_markdown(result)


def test_filters(coded, codebook):
    two = report.build(coded, codebook, coders=["amina", "omar"], bootstrap=0)
    assert two["fields"]["claim_type"]["coders"] == 2 and list(two["pairs"]) == ["amina|omar"]
    none = report.build(coded, codebook, articles=["hasakah-01"], bootstrap=0)
    assert none["fields"]["claim_type"]["units"] == 0
    assert none["fields"]["claim_type"]["undefined_reason"]
    only = report.build(coded, codebook, fields=["stance"], bootstrap=0)
    assert list(only["fields"]) == ["stance"]


def test_confusion_matrix(coded, codebook):
    labels, counts = report.confusion(coded, codebook, "claim_type", ("amina", "omar"))
    assert sum(map(sum, counts)) == 6
    i, j = labels.index("casualty_figure"), labels.index("military_operation")
    assert counts[i][j] == 1


def workbench(*args: str, db: Path) -> subprocess.CompletedProcess:
    script = Path(sys.executable).parent / "workbench"
    return subprocess.run(
        [str(script), *args, "--db", str(db)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "COLUMNS": "160"},
    )


def test_cli_in_all_three_formats(coded, db_path):
    as_json = workbench("agree", "--format", "json", "--bootstrap", "100", db=db_path)
    assert as_json.returncode == 0, as_json.stderr
    data = json.loads(as_json.stdout)
    assert set(data) >= {"codebook", "fields", "pairs"}
    for f in data["fields"].values():
        assert set(f) >= {
            "units", "coders", "level", "percent_agreement", "krippendorff_alpha",
            "alpha_ci", "fleiss_kappa", "gwet_ac1", "cohen_kappa_mean", "categories",
        }  # fmt: skip
    alpha = data["fields"]["claim_type"]["krippendorff_alpha"]
    assert not math.isnan(alpha)
    markdown = workbench("agree", "--format", "markdown", "--bootstrap", "0", db=db_path)
    assert markdown.returncode == 0
    assert markdown.stdout.startswith("# Agreement: hasakah-stance 1.1.0")
    assert "| claim_type | 6 | 3 | nominal |" in markdown.stdout
    assert f"{alpha:.3f}" in markdown.stdout and "MASI" in markdown.stdout
    table = workbench("agree", "--pair", "amina,omar", "--bootstrap", "0", db=db_path)
    assert table.returncode == 0
    assert "claim_type" in table.stdout and f"{alpha:.3f}" in table.stdout
    assert "Confusion on claim_type: rows amina, columns omar" in " ".join(table.stdout.split())


def test_cli_errors_are_one_line(coded, db_path):
    bad = workbench("agree", "--field", "tone", db=db_path)
    assert bad.returncode == 1 and "no such field in the codebook: tone" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_agreement_app_shows_a_bar_per_field_and_category(coded, codebook):
    import asyncio

    from workbench.tui.agreement_app import AgreementApp

    result = report.build(coded, codebook, bootstrap=100, seed=1)

    async def main():
        app = AgreementApp(result)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            shown = str(app.query_one("#agreement Static").render())
            for fid, f in result["fields"].items():
                assert fid in shown
                alpha = f["krippendorff_alpha"]
                assert (f"{alpha:6.3f}" if alpha is not None else "undefined") in shown
            assert result["fields"]["confidence"]["krippendorff_alpha"] is None  # not coded
            assert "turkey:blame" in shown and "6 codings" in shown
            await pilot.press("q")
        assert app.return_code == 0

    asyncio.run(main())


def test_agreement_app_snapshot(snap_compare, coded, codebook):
    from workbench.tui.agreement_app import AgreementApp

    result = report.build(coded, codebook, bootstrap=100, seed=1)
    assert snap_compare(AgreementApp(result), terminal_size=(120, 40))


def test_markdown_tables_keep_their_shape_and_an_uncomputed_interval_is_not_undefined(
    coded, codebook
):
    text = report.to_markdown(report.build(coded, codebook, bootstrap=0))
    rows = [line for line in text.splitlines() if line.startswith("| amina\\|")]
    assert len(rows) == 2  # amina|leila, amina|omar: the pair's pipe is escaped
    assert not any(line.startswith("| amina|") for line in text.splitlines())
    header = next(line for line in text.splitlines() if line.startswith("| pair |"))
    assert all(r.count(" | ") == header.count(" | ") for r in rows)
    claim = next(line for line in text.splitlines() if line.startswith("| claim_type |"))
    assert "| — |" in claim and "undefined" not in claim
