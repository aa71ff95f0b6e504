"""`workbench agree --format methods` (and `--latex`), and the review jump of
`agree --app` (`workbench review --at ARTICLE:N`)."""

from __future__ import annotations

import asyncio
import json

import pytest

from tests.test_report import code_plan
from tests.test_tui_review import make as review_app
from workbench import cli
from workbench.errors import WorkbenchError


@pytest.fixture
def planned(store, codebook, db_path):
    code_plan(store, codebook)
    return db_path


def run_cli(capsys, *args):
    with pytest.raises(SystemExit) as done:
        cli.main([*map(str, args)])
    out, err = capsys.readouterr()
    return done.value.code, out, err


def run_ok(capsys, *args):
    try:
        cli.main([*map(str, args)])
    except SystemExit as exc:  # pragma: no cover - a failure shows its message
        raise AssertionError(capsys.readouterr().err) from exc
    return capsys.readouterr().out


def test_methods_paragraph_quotes_the_reports_own_figures(planned, capsys):
    report = json.loads(run_ok(capsys, "agree", "--format", "json", "--seed", "3", "--db", planned))
    methods = run_ok(capsys, "agree", "--format", "methods", "--seed", "3", "--db", planned)
    alpha = report["fields"]["claim_type"]["krippendorff_alpha"]
    assert f"{alpha:.3f}" in methods
    assert "Krippendorff" in methods and "hasakah-stance" in methods
    latex = run_ok(
        capsys, "agree", "--format", "methods", "--latex", "--seed", "3", "--db", planned
    )
    assert r"\begin{tabular}" in latex and f"{alpha:.3f}" in latex


def test_latex_without_methods_is_refused(planned, capsys):
    code, _, err = run_cli(capsys, "agree", "--latex", "--db", planned)
    assert code == 1 and "--latex goes with --format methods" in err


def test_review_opens_at_the_sentence_asked_for(coded, codebook):
    from workbench import gold

    store, _, _ = coded

    queue = gold.queue(store, codebook, include_decided=True)
    target = queue[-1]
    app = review_app(store, codebook, at=(target.ext_id, target.idx))

    async def scenario():
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            unit = app.review.unit
            assert (unit.ext_id, unit.idx) == (target.ext_id, target.idx)

    asyncio.run(scenario())


def test_review_at_a_sentence_nobody_double_coded_is_one_line(coded, codebook, db_path, capsys):
    code, _, err = run_cli(capsys, "review", "--at", "hasakah-05:1", "--db", db_path)
    assert code == 1 and "hasakah-05 #1 is not a sentence two or more" in err
    code, _, err = run_cli(capsys, "review", "--at", "hasakah-05", "--db", db_path)
    assert code == 1 and "--at takes ARTICLE:N" in err


def test_r_in_agree_app_opens_review_at_that_sentence(planned, capsys, monkeypatch):
    from workbench.tui import agreement_app

    asked = {}
    monkeypatch.setattr(agreement_app.AgreementApp, "run", lambda self: ("review", "hasakah-04", 2))
    monkeypatch.setattr(cli, "_review", lambda db, **kw: asked.update(kw, db=db))
    run_ok(capsys, "agree", "--app", "--coders", "amina,omar", "--db", planned)
    assert asked["at"] == ("hasakah-04", 2)
    assert asked["articles"] == ["hasakah-04"] and asked["coders"] == ["amina", "omar"]
    assert str(asked["db"]) == str(planned)


def test_find_unit_raises_nothing_for_a_missing_sentence(coded, codebook):
    from workbench import gold
    from workbench.review import ReviewSession, find_unit

    store, _, _ = coded
    assert find_unit(gold.queue(store, codebook), ("nope", 0)) is None
    with pytest.raises(WorkbenchError, match="not a sentence two or more"):
        ReviewSession(store, "dana", codebook, at=("nope", 0))


@pytest.mark.skipif(__import__("shutil").which("tmux") is None, reason="needs tmux")
def test_a_lead_drills_down_in_agree_app_and_lands_in_review_in_tmux(planned):
    """The installed command, typed at: `workbench agree --app`, enter on the
    weakest row lists its disagreeing sentences, r opens review at the first."""
    import re

    from tests.tmux import Tmux, shell_command

    line = shell_command("agree", "--app", "--display", "terminal", "--db", planned)
    with Tmux(line) as session:
        session.wait_for("Disagreements")
        session.keys("Enter", interval=0.04)
        listed = session.wait_for(lambda shown: re.search(r"hasakah-04 #\d+", shown) is not None)
        first = re.search(r"hasakah-04 #(\d+)", listed)
        assert first is not None
        session.keys("r", interval=0.04)
        session.wait_for("Who is adjudicating?")
        session.keys(*"dana", "Enter", interval=0.04)
        shown = session.wait_for(lambda s: "adjudicator dana" in " ".join(s.split()))
        assert f"hasakah-04 #{first.group(1)}" in " ".join(shown.split())
        session.keys("q")
        assert session.wait_exit()
