"""The labeling screen in study rounds, through Pilot: a trainee sees the
key's answer after each commit (training rounds only), a reliability round's
coder sees none, a closed round's labels are final, and a codebook revision's
rechecks are marked and stepped through with ctrl+r."""

from __future__ import annotations

import pytest

from tests.conftest import ROOT, article_id
from tests.test_tui_flow import run
from workbench.codebook import load_codebook
from workbench.rounds import close_round, create_round, sentence_ids
from workbench.tui.app import WorkbenchApp
from workbench.tui.screens.articles import ArticlesScreen
from workbench.tui.screens.labeling import LabelingScreen

REVISED = ROOT / "labels" / "hasakah-1.2.0.toml"


def messages(app) -> list[str]:
    """The toasts shown so far (the app's notifications), joined per toast."""
    return [" ".join(n.message.split()) for n in app._notifications]


def flags(screen) -> str:
    return str(screen.query_one("#flags").render())


async def commit(pilot, claim_key: str) -> None:
    """Speaker SDF (typed into the picker), a claim type by its digit, enter."""
    await pilot.press("space", *"قسد", "enter", claim_key, "enter")
    await pilot.pause()


def code(store, book, sid, coder, claim, **extra):
    data = {"claim_type": claim, "stance": [], **extra}
    store.set_label(sid, coder, data=data, codebook_id=store.register_codebook(book))


@pytest.fixture
def training(store, codebook):
    """lead's key on hasakah-01 and an open training round for amina."""
    sids = [s.id for s in store.sentences(article_id(store, "hasakah-01"))]
    claims = ["casualty_figure", "military_operation", "attribution"]
    for n, sid in enumerate(sids):
        code(store, codebook, sid, "lead", claims[n % 3], speaker="sdf")
    create_round(
        store, "train", "training", ["amina"], codebook, by="lead",
        articles=["hasakah-01"], key="lead",
    )  # fmt: skip
    return sids


def test_a_trainee_sees_the_keys_answer_after_each_commit(store, codebook, training):
    app = WorkbenchApp(store, codebook, coder="amina", display="app")

    async def scenario(pilot):
        pilot.app.open_article(article_id(store, "hasakah-01"))
        await pilot.pause()
        screen = pilot.app.screen
        assert isinstance(screen, LabelingScreen)
        assert "round train (training)" in flags(screen)
        # Sentence 1: the key says casualty_figure (1); so does amina.
        await commit(pilot, "1")
        # Sentence 2: the key says military_operation; amina says attribution.
        await commit(pilot, "3")
        said = [m for m in messages(pilot.app) if m.startswith("Key (lead)")]
        assert said == [
            "Key (lead): ✓ Speaker · ✓ Stance · ✓ Claim type",
            "Key (lead): ✓ Speaker · ✓ Stance · ✗ Claim type: key says Military/security operation",
        ]

    run(app, scenario)
    assert store.label(training[0], "amina")["data"]["claim_type"] == "casualty_figure"
    assert store.label(training[1], "amina")["data"]["claim_type"] == "attribution"


def test_outside_a_training_round_no_answer_is_shown(store, codebook, training):
    # lead codes hasakah-01 too but is no trainee; omar codes it in no round.
    for coder in ("omar",):
        app = WorkbenchApp(store, codebook, coder=coder, display="app")

        async def scenario(pilot):
            pilot.app.open_article(article_id(store, "hasakah-01"))
            await pilot.pause()
            await commit(pilot, "1")
            await commit(pilot, "2")
            assert not [m for m in messages(pilot.app) if "Key" in m]
            assert "round" not in flags(pilot.app.screen)

        run(app, scenario)
        assert store.label(training[0], coder)["data"]["claim_type"] == "casualty_figure"


def test_a_reliability_round_walks_its_sample_blind(store, codebook):
    # Another coder's labels on the sampled sentences: never shown.
    rnd = create_round(
        store, "rel", "reliability", ["amina", "omar"], codebook, by="lead", sample=12, seed=3
    )
    chosen = sentence_ids(store, rnd)
    for sid in chosen:
        code(store, codebook, sid, "omar", "denial")
    app = WorkbenchApp(store, codebook, coder="amina", display="terminal")

    async def scenario(pilot):
        articles = pilot.app.screen
        assert isinstance(articles, ArticlesScreen)
        listing = pilot.app.session.articles()
        in_round = [p for p in listing if p.round == "rel"]
        assert in_round and listing[: len(in_round)] == in_round  # the round's articles first
        assert sum(p.round_total for p in in_round) == 12
        first = in_round[0].article
        pilot.app.open_article(first.id)
        await pilot.pause()
        screen = pilot.app.screen
        session = screen.session
        mine = [s.id for s in session.sentences if s.id in chosen]
        assert session.sentence.id == mine[0]
        assert "round rel (reliability)" in flags(screen)
        visited = []
        for _ in mine:
            visited.append(session.sentence.id)
            await commit(pilot, "2")
        assert visited == mine  # enter went from one sampled sentence to the next
        said = messages(pilot.app)
        assert not [m for m in said if "Key" in m or "denial" in m.lower()]
        assert "Your sentences of round rel in this article are done." in said

    run(app, scenario)
    done = {sid for sid in chosen if store.label(sid, "amina") is not None}
    assert done == {s for s in chosen if store.article_of(s) == store.article_of(sorted(done)[0])}


def test_a_closed_rounds_label_is_final_and_says_why(store, codebook, training):
    code(store, codebook, training[0], "amina", "denial")
    close_round(store, "train", by="lead")
    app = WorkbenchApp(store, codebook, coder="amina", display="app")

    async def scenario(pilot):
        pilot.app.open_article(article_id(store, "hasakah-01"), 0)
        await pilot.pause()
        screen = pilot.app.screen
        assert "■ final: round train is closed" in flags(screen)
        await commit(pilot, "1")
        assert any(
            m.startswith("Not saved: cannot change this label: it belongs to the closed training")
            for m in messages(pilot.app)
        )
        assert screen.session.index == 0  # stayed, the edit kept on screen

    run(app, scenario)
    assert store.label(training[0], "amina")["data"]["claim_type"] == "denial"


def test_a_revision_marks_rechecks_and_ctrl_r_steps_through_them(store, codebook):
    sids = [s.id for s in store.sentences(article_id(store, "hasakah-03"))]
    code(
        store, codebook, sids[1], "amina", "threat_assessment", speaker="sdf"
    )  # merged into background
    code(store, codebook, sids[2], "amina", "humanitarian", speaker="sdf")  # only its label changed
    code(store, codebook, sids[4], "amina", "casualty_figure", speaker="sdf")  # its help changed
    revised = load_codebook(REVISED)
    app = WorkbenchApp(store, revised, coder="amina", display="app")

    async def scenario(pilot):
        pilot.app.open_article(article_id(store, "hasakah-03"), 0)
        await pilot.pause()
        screen = pilot.app.screen
        session = screen.session
        assert set(session.rechecks) == {sids[1], sids[4]}
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert session.sentence.id == sids[1]
        assert "⟳ recheck (claim_type: value 'threat_assessment' was merged" in flags(screen)
        # The merged value is offered, not written: the label is unchanged until enter.
        assert session.draft.values["claim_type"] == "background"
        assert store.label(sids[1], "amina")["data"]["claim_type"] == "threat_assessment"
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert session.sentence.id == sids[4]
        assert "help of value 'casualty_figure' changed" in flags(screen)
        await pilot.press("enter", "ctrl+r")
        await pilot.pause()
        assert "No label of yours is waiting for a recheck." in messages(pilot.app)

    run(app, scenario)
    assert store.label(sids[1], "amina")["data"]["claim_type"] == "background"
    assert store.label(sids[4], "amina")["data"]["claim_type"] == "casualty_figure"
    versions = dict(
        store.conn.execute(
            "SELECT l.sentence_id, c.version FROM labels l JOIN codebooks c"
            " ON c.id = l.codebook_id WHERE l.sentence_id IN (?, ?, ?)",
            (sids[1], sids[2], sids[4]),
        ).fetchall()
    )
    # Rechecked labels are committed under 1.2.0; the cosmetic one was carried over.
    assert versions == {sids[1]: "1.2.0", sids[2]: "1.2.0", sids[4]: "1.2.0"}
