"""The whole study on the bundled corpus, in rounds (issue 13): training
against an answer key, a pilot, a codebook revision (a value merged, a help
text changed, a label renamed), a stratified reliability round, production,
and a later revision that makes the reliability figure stale.

The steps run once, in order, on one database (the module-scoped `study`
fixture), through the real `workbench` command wherever one exists; coders'
labels are written through the Python API as the labeling screen writes
them. Each test checks one step against figures computed here,
independently of the workbench: alpha with the `krippendorff` package,
percent agreement and Cohen's kappa by hand, strata recounted from the
labels, recheck marks from the codebooks' changes as the issue states them.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import krippendorff
import numpy as np
import pytest

from tests.conftest import CODEBOOK, CORPUS, ROOT
from tests.test_cli import workbench_command
from workbench.codebook import load_codebook
from workbench.session import LabelingSession
from workbench.store import SaveError, Store

CODEBOOK_12 = ROOT / "labels" / "hasakah-1.2.0.toml"
BOOTSTRAP = "200"

# claim_type values
M, A, C, H, D, N = (
    "military_operation",
    "attribution",
    "call_to_action",
    "humanitarian",
    "denial",
    "not_a_claim",
)
T, CF, B = "threat_assessment", "casualty_figure", "background"
# What 1.2.0 changes in meaning (design.md: a value merged, a value's help
# changed); humanitarian only gets a new label (cosmetic).
SEMANTIC_12 = {T, CF, B}
MERGED_12 = {T: B}
SEMANTIC_13 = {D}  # our 1.3.0 changes the help of denial

# -- the coders' answers ---------------------------------------------------------

# Training, hasakah-01 (18 sentences). The key (lead) never uses a value 1.2.0
# changes; the trainees' wrong answers do, so their locked labels would be
# marked if the lock were not honoured.
KEY_CLAIMS = [N, M, M, A, H, M, C, D, A, M, H, N, M, A, C, M, D, H]
KEY_SPEAKERS = [
    "outlet", "sdf", "sdf", "sdf", "asayish", "sdf", "autonomous_administration",
    "autonomous_administration", "global_coalition", "global_coalition", "outlet", "outlet",
    "sdf", "uk_fcdo", "uk_fcdo", "isis", "security_source", "outlet",
]  # fmt: skip
KEY_STANCE = {
    3: [("isis", "blame")],
    6: [("international_community", "demand")],
    8: [("turkey", "blame")],
    13: [("un", "blame"), ("global_coalition", "blame")],
    14: [("international_community", "demand")],
    16: [("prison_staff", "deny")],
}
# amina: one claim type wrong (sentence 0, in the labeling session), one
# stance a subset of the key's: she passes. omar: six claim types wrong.
AMINA_CLAIMS = [B, *KEY_CLAIMS[1:]]
AMINA_STANCE = {**KEY_STANCE, 13: [("un", "blame")]}
OMAR_WRONG = {1: CF, 3: T, 5: CF, 9: B, 12: T, 15: A}
OMAR_CLAIMS = [OMAR_WRONG.get(i, v) for i, v in enumerate(KEY_CLAIMS)]

# Pilot, hasakah-02 (17 sentences).
PILOT_AMINA = [N, M, T, CF, B, H, M, A, T, B, H, M, CF, C, D, B, N]
PILOT_OMAR = [N, M, B, CF, B, H, A, A, T, T, H, M, CF, C, D, M, N]
LEAD_02 = [T, H, B]  # lead, outside any round: not a pilot coder

# Outside every round, under 1.1.0, before the revision: lead codes hasakah-03
# and -04 whole, amina the first four sentences of hasakah-05.
LEAD_03 = [
    N, M, M, CF, T, M, B, A, CF, M, H, B, T, M, CF, A, D, M, B, CF, M, T, A, H, M, B, CF,
    C, M, A, B, T, M, CF, H, M, B, A, CF, M, N,
]  # fmt: skip
LEAD_04 = [M, A, CF, T, D, C, M, A, CF, C, N, A, M]
AMINA_05 = [H, T, M, H]

# The reliability sample: 30 of the 70 sentences no earlier round used.
SAMPLE = 30
SEED = 7
OMAR_DIFFERS = {0: M, 7: A, 15: M, 22: CF}  # position in the sample -> omar's value


def label_data(speaker: str, claim: str, stance: list[tuple[str, str]] | None = None) -> dict:
    return {
        "speaker": speaker,
        "claim_type": claim,
        "stance": [{"target": t, "polarity": p} for t, p in stance or []],
        "confidence": "3",
    }


# -- running the command ---------------------------------------------------------


def workbench(*args: str, db: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*workbench_command(), *args, *(["--db", str(db)] if db else [])],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "COLUMNS": "200"},
    )


def ok(*args: str, db: Path | None = None) -> str:
    out = workbench(*args, db=db)
    assert out.returncode == 0, f"workbench {' '.join(args)}: {out.stderr}"
    return out.stdout


def table_rows(text: str, title: str) -> list[list[str]]:
    """The body rows of the rich table titled `title`, as stripped cells."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip().startswith(title))
    rows = []
    for line in lines[start + 1 :]:
        if line.startswith("└"):
            break
        if line.startswith("│"):
            rows.append([cell.strip() for cell in line.strip().strip("│").split("│")])
    return rows


# -- independent figures ---------------------------------------------------------


def masi(a: frozenset, b: frozenset) -> float:
    """MASI distance (Passonneau 2006): 1 - Jaccard x monotonicity."""
    if a == b:
        return 0.0
    if not a & b:
        return 1.0
    weight = 2 / 3 if a <= b or b <= a else 1 / 3
    return 1 - len(a & b) / len(a | b) * weight


def package_alpha(units: list[tuple[Any, Any]], level: str = "nominal") -> float:
    """Krippendorff's alpha of two coders from the `krippendorff` package;
    set values (stance) with the MASI distance as its metric."""
    values = sorted({v for u in units for v in u}, key=repr)
    code = {v: i for i, v in enumerate(values)}
    data = np.array([[code[u[0]] for u in units], [code[u[1]] for u in units]], dtype=float)
    if level == "masi":

        def metric(v1, v2, i1, i2, n_v, dtype=np.float64):
            pair = np.vectorize(lambda x, y: masi(values[int(x)], values[int(y)]))
            return pair(v1, v2).astype(dtype)

        return float(
            krippendorff.alpha(
                reliability_data=data,
                value_domain=np.arange(len(values), dtype=float),
                level_of_measurement=metric,
            )
        )
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement=level))


def percent(units: list[tuple[Any, Any]]) -> float:
    return sum(a == b for a, b in units) / len(units)


def cohen(units: list[tuple[Any, Any]]) -> float:
    """Cohen's kappa (1960) by its formula: (po - pe) / (1 - pe)."""
    n = len(units)
    first = Counter(a for a, _ in units)
    second = Counter(b for _, b in units)
    pe = sum(first[v] * second[v] for v in first) / n**2
    return (percent(units) - pe) / (1 - pe)


def water_fill(available: dict[str, int], n: int) -> dict[str, int]:
    """Allocate n as evenly as the strata allow, a small stratum giving all it
    has: one unit at a time to the stratum with the fewest taken that still
    has some, ties to the one listed first (rarest value first)."""
    take = dict.fromkeys(available, 0)
    for _ in range(min(n, sum(available.values()))):
        open_ = [v for v in available if take[v] < available[v]]
        take[min(open_, key=lambda v: take[v])] += 1
    return take


def all_labels(db: Path) -> dict[tuple[int, str], tuple[str, dict, int | None]]:
    """{(sentence id, coder): (status, data, codebook version)} read with plain SQL."""
    conn = sqlite3.connect(db)
    try:
        return {
            (sid, coder): (status, json.loads(data), version)
            for sid, coder, status, data, version in conn.execute(
                "SELECT l.sentence_id, c.name, l.status, l.data, b.version FROM labels l"
                " JOIN coders c ON c.id = l.coder_id LEFT JOIN codebooks b ON b.id = l.codebook_id"
            )
        }
    finally:
        conn.close()


def query(db: Path, sql: str, *params: Any) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def round_sentences(db: Path, name: str) -> dict[int, str | None]:
    return dict(
        query(
            db,
            "SELECT rs.sentence_id, rs.stratum FROM round_sentences rs"
            " JOIN rounds r ON r.id = rs.round_id WHERE r.name = ?",
            name,
        )
    )


# -- the study -------------------------------------------------------------------


@dataclass
class Study:
    db: Path
    sentences: dict[str, list[int]]  # article -> sentence ids in order
    actors: dict[str, tuple[str, str]]  # round -> (created by, closed by)
    out: dict[str, str] = field(default_factory=dict)  # command outputs by step
    reports: dict[str, Any] = field(default_factory=dict)  # JSON outputs by step
    seen: dict[str, Any] = field(default_factory=dict)  # what the steps observed

    def sids(self, *articles: str) -> list[int]:
        return [sid for a in articles for sid in self.sentences[a]]


ACTORS = {
    "training-1": ("lead", "lead"),
    "pilot": ("maria", "maria"),
    "reliability-1": ("lead", "maria"),
    "production": ("lead", "omar"),
}


def _refused(write) -> str | None:
    """The SaveError message of a write, or None if it was accepted."""
    try:
        write()
    except SaveError as exc:
        return str(exc)
    return None


@pytest.fixture(scope="module")
def study(tmp_path_factory) -> Study:
    tmp = tmp_path_factory.mktemp("study")
    db = tmp / "study.db"
    ok("import", str(CORPUS), db=db)
    store = Store(db)
    sentences = {a.ext_id: [s.id for s in store.sentences(a.id)] for a in store.articles()}
    articles = {a.ext_id: a.id for a in store.articles()}
    s = Study(db, sentences, ACTORS)
    book11, book12 = load_codebook(CODEBOOK), load_codebook(CODEBOOK_12)
    id11 = store.register_codebook(book11)

    # 1. Training: the expert's key, then the round, then the trainees.
    h01 = sentences["hasakah-01"]
    for i, sid in enumerate(h01):
        store.set_label(
            sid,
            "lead",
            data=label_data(KEY_SPEAKERS[i], KEY_CLAIMS[i], KEY_STANCE.get(i)),
            codebook_id=id11,
        )
    s.out["training create"] = ok(
        "round", "create", "training-1", "--kind", "training", "--coders", "amina,omar",
        "--articles", "hasakah-01", "--key", "lead", "--seed", "1",
        "--codebook", "labels/hasakah.toml", "--by", "lead", db=db,
    )  # fmt: skip
    # Sentence 0 of each trainee through the labeling session: the key's answer comes back.
    feedback = {}
    for coder, claim, stance in (
        ("amina", AMINA_CLAIMS[0], AMINA_STANCE.get(0)),
        ("omar", OMAR_CLAIMS[0], KEY_STANCE.get(0)),
    ):
        session = LabelingSession(store, coder, book11)
        session.open_article(articles["hasakah-01"], 0)
        assert session.sentence.id == h01[0]
        session.set_value("speaker", KEY_SPEAKERS[0])
        session.toggle_choice("claim_type", claim)
        for target, polarity in stance or []:
            session.toggle_stance(target, polarity)
        session.set_value("confidence", "3")
        feedback[coder] = session.commit()
    s.seen["training feedback"] = feedback
    for i, sid in enumerate(h01[1:], start=1):
        store.set_label(
            sid,
            "amina",
            data=label_data(KEY_SPEAKERS[i], AMINA_CLAIMS[i], AMINA_STANCE.get(i)),
            codebook_id=id11,
        )
        store.set_label(
            sid,
            "omar",
            data=label_data(KEY_SPEAKERS[i], OMAR_CLAIMS[i], KEY_STANCE.get(i)),
            codebook_id=id11,
        )
    s.reports["training agree"] = json.loads(
        ok("agree", "--round", "training-1", "--format", "json", "--bootstrap", BOOTSTRAP, db=db)
    )
    s.out["training show"] = ok("round", "show", "training-1", db=db)
    s.out["training close"] = ok("round", "close", "training-1", "--by", "lead", db=db)
    before = store.label(h01[5], "omar")
    s.seen["training refused"] = {
        "set_label": _refused(
            lambda: store.set_label(h01[5], "omar", data=label_data("sdf", M), codebook_id=id11)
        ),
        "undo": _refused(lambda: store.undo("omar")),
        "unchanged": store.label(h01[5], "omar") == before,
    }
    exported = tmp / "omar-training.jsonl"
    ok(
        "export", "--kind", "labels", "--coder", "omar", "--articles", "hasakah-01",
        "-o", str(exported), db=db,
    )  # fmt: skip
    line = next(
        row
        for row in map(json.loads, exported.read_text(encoding="utf-8").splitlines())
        if row["sentence_index"] == 5
    )
    s.seen["exported claim"] = line["labels"]["claim_type"]
    line["labels"]["claim_type"] = M
    edited = tmp / "omar-edited.jsonl"
    edited.write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    s.seen["import-labels"] = workbench("import-labels", str(edited), "--prefer", "theirs", db=db)
    s.seen["training refused"]["unchanged after import"] = store.label(h01[5], "omar") == before
    session = LabelingSession(store, "omar", book11)
    session.open_article(articles["hasakah-01"], 5)
    s.seen["training locked in session"] = dict(session.locked)
    session.toggle_choice("claim_type", M)
    s.seen["training refused"]["session"] = _refused(session.commit)
    s.seen["training refused"]["unchanged after session"] = store.label(h01[5], "omar") == before

    # 2. Pilot on hasakah-02; lead codes three of its sentences outside the round.
    h02 = sentences["hasakah-02"]
    s.out["pilot create"] = ok(
        "round", "create", "pilot", "--kind", "pilot", "--coders", "amina,omar",
        "--articles", "hasakah-02", "--by", "maria", db=db,
    )  # fmt: skip
    session = LabelingSession(store, "amina", book11)
    session.open_article(articles["hasakah-02"], 0)
    s.seen["pilot round of sentence"] = session.round_of(0).name
    session.set_value("speaker", "outlet")
    session.toggle_choice("claim_type", PILOT_AMINA[0])
    session.set_value("confidence", "3")
    s.seen["pilot commit"] = session.commit()
    for i, sid in enumerate(h02):
        if i:
            store.set_label(
                sid, "amina", data=label_data("outlet", PILOT_AMINA[i]), codebook_id=id11
            )
        store.set_label(sid, "omar", data=label_data("outlet", PILOT_OMAR[i]), codebook_id=id11)
    for i, claim in enumerate(LEAD_02):
        store.set_label(h02[i], "lead", data=label_data("outlet", claim), codebook_id=id11)
    ok("round", "close", "pilot", "--by", "maria", db=db)
    s.reports["pilot agree"] = json.loads(
        ok("agree", "--round", "pilot", "--format", "json", "--bootstrap", BOOTSTRAP, db=db)
    )

    # 3. Labels outside closed rounds under 1.1.0, then the revision.
    for ext, claims in (("hasakah-03", LEAD_03), ("hasakah-04", LEAD_04)):
        assert len(claims) == len(sentences[ext])
        for i, claim in enumerate(claims):
            speaker = ("outlet", "sdf", "asayish")[i % 3]
            store.set_label(
                sentences[ext][i], "lead", data=label_data(speaker, claim), codebook_id=id11
            )
    for i, claim in enumerate(AMINA_05):
        store.set_label(
            sentences["hasakah-05"][i], "amina", data=label_data("outlet", claim), codebook_id=id11
        )
    diff = workbench(
        "codebook", "diff", "labels/hasakah.toml", "labels/hasakah-1.2.0.toml", "--format", "json"
    )
    s.seen["diff returncode"] = diff.returncode
    s.reports["diff"] = json.loads(diff.stdout) if diff.returncode == 0 else {"error": diff.stderr}
    s.seen["labels before 1.2.0"] = all_labels(db)
    s.seen["fresh copy"] = tmp / "fresh.db"
    s.seen["other seed copy"] = tmp / "other-seed.db"
    ok("snapshot", str(s.seen["fresh copy"]), db=db)
    ok("snapshot", str(s.seen["other seed copy"]), db=db)

    # 4. The reliability round registers 1.2.0 (3: the revision's marks) and draws its sample.
    reliability = (
        "round", "create", "reliability-1", "--kind", "reliability", "--coders", "amina,omar",
        "--sample", str(SAMPLE), "--stratify-by", "claim_type", "--seed", str(SEED),
        "--codebook", "labels/hasakah-1.2.0.toml",
    )  # fmt: skip
    s.out["reliability create"] = ok(*reliability, "--by", "lead", db=db)
    id12 = store.register_codebook(book12)
    s.seen["ids"] = (id11, id12)
    s.seen["labels after 1.2.0"] = all_labels(db)
    s.seen["rechecks 1.2.0"] = query(
        db,
        "SELECT r.sentence_id, c.name, r.field, r.reason, r.suggestion FROM rechecks r"
        " JOIN coders c ON c.id = r.coder_id WHERE r.codebook_id = ?",
        id12,
    )
    s.out["stats after 1.2.0"] = ok("stats", db=db)
    # lead steps through the marks of hasakah-03 in the labeling session.
    session = LabelingSession(store, "lead", book12)
    session.open_article(articles["hasakah-03"], 0)
    s.seen["lead session rechecks"] = {
        sid: [(m.field, m.reason, m.suggestion) for m in marks]
        for sid, marks in session.rechecks.items()
    }
    s.seen["lead session total"] = session.recheck_count()
    first_t = LEAD_03.index(T)
    session.go(first_t)
    s.seen["recheck draft"] = (dict(session.draft.values), set(session.draft.carried))
    s.seen["recheck commit"] = session.commit()
    s.seen["recheck after commit"] = {
        sid: [m.field for m in marks] for sid, marks in session.rechecks.items()
    }
    s.seen["next recheck"] = (session.next_recheck(), session.sentence.id)
    # A help change carries nothing over: the coder confirms the value as it is.
    s.seen["confirm draft"] = (dict(session.draft.values), set(session.draft.carried))
    s.seen["confirm commit"] = session.commit()
    s.seen["labels after recheck"] = all_labels(db)
    s.out["stats after recheck"] = ok("stats", db=db)

    # 4 (cont.). The sample is coded independently under 1.2.0 and closed.
    sample = sorted(round_sentences(db, "reliability-1"))
    s.seen["sample"] = sample
    s.out["reliability show"] = ok("round", "show", "reliability-1", db=db)
    strata = round_sentences(db, "reliability-1")
    reliability_units = []
    for k, sid in enumerate(sample):
        amina = strata[sid] or M
        omar = OMAR_DIFFERS.get(k, amina)
        if k in OMAR_DIFFERS and omar == amina:
            omar = A if amina != A else M
        reliability_units.append((amina, omar))
        store.set_label(sid, "amina", data=label_data("outlet", amina), codebook_id=id12)
        if k == 1:  # omar codes this one in the labeling screen: no key, no feedback
            session = LabelingSession(store, "omar", book12)
            session.open_article(store.article_of(sid))
            session.go(next(i for i, x in enumerate(session.sentences) if x.id == sid))
            s.seen["reliability session round"] = session.round_of().name
            s.seen["reliability session at"] = (
                session.index,
                [x.id for x in session.sentences],
                session.focus,
            )
            session.set_value("speaker", "outlet")
            session.toggle_choice("claim_type", omar)
            s.seen["reliability commit"] = session.commit()
        else:
            store.set_label(sid, "omar", data=label_data("outlet", omar), codebook_id=id12)
    s.seen["reliability units"] = reliability_units
    s.reports["reliability agree open"] = json.loads(
        ok("agree", "--round", "reliability-1", "--format", "json", "--bootstrap", BOOTSTRAP, db=db)
    )
    ok("round", "close", "reliability-1", "--by", "maria", db=db)
    s.reports["reliability agree"] = json.loads(
        ok("agree", "--round", "reliability-1", "--format", "json", "--bootstrap", BOOTSTRAP, db=db)
    )
    before = store.label(sample[3], "amina")
    s.seen["reliability refused"] = (
        _refused(
            lambda: store.set_label(sample[3], "amina", data=label_data("sdf", D), codebook_id=id12)
        ),
        store.label(sample[3], "amina") == before,
    )
    # The same draw on the fresh copy, made before the round existed.
    s.seen["fresh create"] = workbench(*reliability, "--by", "lead", db=s.seen["fresh copy"])
    other = [*reliability]
    other[other.index("--seed") + 1] = str(SEED + 1)
    s.seen["other seed create"] = workbench(*other, "--by", "lead", db=s.seen["other seed copy"])

    # 5. Production on hasakah-03..05.
    s.out["production create"] = ok(
        "round", "create", "production", "--kind", "production", "--coders", "amina,omar",
        "--articles", "hasakah-03,hasakah-04,hasakah-05", "--codebook", "labels/hasakah-1.2.0.toml",
        "--by", "lead", db=db,
    )  # fmt: skip
    try:
        listing = LabelingSession(store, "amina", book12).articles()
        s.seen["amina articles"] = [p.article.ext_id for p in listing]
    except Exception as exc:  # reported by test_production_round
        s.seen["amina articles"] = exc
    fresh = [sid for sid in sentences["hasakah-05"][len(AMINA_05) :] if sid not in sample][:5]
    for sid in fresh:
        store.set_label(sid, "amina", data=label_data("outlet", M), codebook_id=id12)
    s.seen["production new"] = fresh
    stats_round = workbench("stats", "--round", "production", db=db)
    s.seen["stats round returncode"] = (stats_round.returncode, stats_round.stderr)
    s.out["stats round"] = stats_round.stdout
    ok("round", "close", "production", "--by", "omar", db=db)

    # 6. A 1.3.0 that changes what claim_type means: the reliability figure is stale.
    text = CODEBOOK_12.read_text(encoding="utf-8")
    old_help = 'help = "Rejects a charge, rumour or rival claim."'
    assert text.count(old_help) == 1 and text.count('version = "1.2.0"') == 1
    text = text.replace(
        old_help, 'help = "Rejects a charge, rumour or rival claim, or doubts a figure."'
    )
    path13 = tmp / "hasakah-1.3.0.toml"
    path13.write_text(text.replace('version = "1.2.0"', 'version = "1.3.0"'), encoding="utf-8")
    s.seen["labels before 1.3.0"] = all_labels(db)
    # Registered as `workbench label --codebook hasakah-1.3.0.toml` does, when lead opens it.
    id13 = LabelingSession(store, "lead", load_codebook(path13)).codebook_id
    s.seen["ids"] = (id11, id12, id13)
    s.seen["labels after 1.3.0"] = all_labels(db)
    s.seen["rechecks 1.3.0"] = query(
        db,
        "SELECT r.sentence_id, c.name, r.field FROM rechecks r"
        " JOIN coders c ON c.id = r.coder_id WHERE r.codebook_id = ?",
        id13,
    )
    s.out["round list"] = ok("round", "list", db=db)
    s.out["reliability show stale"] = ok("round", "show", "reliability-1", db=db)
    s.reports["stale agree"] = json.loads(
        ok("agree", "--round", "reliability-1", "--format", "json", "--bootstrap", BOOTSTRAP, db=db)
    )
    s.out["methods"] = ok(
        "agree", "--round", "reliability-1", "--format", "methods", "--bootstrap", BOOTSTRAP, db=db
    )
    s.reports["pilot agree stale"] = json.loads(
        ok("agree", "--round", "pilot", "--format", "json", "--bootstrap", "0", db=db)
    )
    store.close()
    return s


# -- 1. training ---------------------------------------------------------------------


def trainee_units(claims, stance) -> dict[str, list[tuple[Any, Any]]]:
    """(trainee's value, key's value) per compared field over hasakah-01."""
    return {
        "speaker": list(zip(KEY_SPEAKERS, KEY_SPEAKERS, strict=True)),
        "stance": [
            (frozenset(stance.get(i, [])), frozenset(KEY_STANCE.get(i, [])))
            for i in range(len(KEY_CLAIMS))
        ],
        "claim_type": list(zip(claims, KEY_CLAIMS, strict=True)),
    }


LEVELS = {"speaker": "nominal", "stance": "masi", "claim_type": "nominal"}


def test_training_round_reports_each_trainee_against_the_key(study):
    report = study.reports["training agree"]
    assert report["selection"]["round"] == "training-1"
    assert report["selection"]["coders"] == ["amina", "omar"]
    trainees = report["trainees"]
    assert trainees["key"] == "lead"
    assert trainees["pass_alpha"] == 0.8
    assert set(trainees["coders"]) == {"amina", "omar"}
    expected_alpha = {}
    for trainee, claims, stance in (
        ("amina", AMINA_CLAIMS, AMINA_STANCE),
        ("omar", OMAR_CLAIMS, KEY_STANCE),
    ):
        got = trainees["coders"][trainee]
        assert got["units"] == 18
        assert set(got["fields"]) == {"speaker", "stance", "claim_type"}  # confidence: no key
        for fid, units in trainee_units(claims, stance).items():
            r = got["fields"][fid]
            alpha = package_alpha(units, LEVELS[fid])
            expected_alpha[trainee, fid] = alpha
            assert r["units"] == 18, (trainee, fid)
            assert r["percent_agreement"] == pytest.approx(percent(units), abs=1e-12)
            assert r["krippendorff_alpha"] == pytest.approx(alpha, abs=1e-9), (trainee, fid)
            assert r["cohen_kappa"] == pytest.approx(cohen(units), abs=1e-9), (trainee, fid)
            for ci in ("alpha_ci", "kappa_ci"):
                assert len(r[ci]) == 2 and r[ci][0] <= r[ci][1], (trainee, fid, ci)
    # The data was chosen so that the threshold falls between them on claim_type.
    assert expected_alpha["amina", "claim_type"] >= 0.8 > expected_alpha["omar", "claim_type"]
    assert expected_alpha["amina", "stance"] >= 0.8
    assert trainees["coders"]["amina"]["passed"] is True
    assert trainees["coders"]["amina"]["below"] == []
    assert trainees["coders"]["omar"]["passed"] is False
    assert trainees["coders"]["omar"]["below"] == ["claim_type"]

    shown = study.out["training show"]
    assert "answer key: lead (18 of 18 sentences answered)" in shown
    rows = {r[0]: r for r in table_rows(shown, "trainees against the key")}
    assert set(rows) == {"amina", "omar"}
    assert rows["amina"][-1] == "yes" and rows["omar"][-1] == "no"
    assert rows["omar"][-2].startswith(f"{expected_alpha['omar', 'claim_type']:.3f}")
    assert rows["amina"][-2].startswith(f"{expected_alpha['amina', 'claim_type']:.3f}")


def test_training_session_shows_the_key_after_a_commit(study):
    amina, omar = (study.seen["training feedback"][c] for c in ("amina", "omar"))
    key_answer = {
        "speaker": KEY_SPEAKERS[0],
        "stance": [],
        "claim_type": KEY_CLAIMS[0],
    }
    assert amina.status == "labeled"
    assert amina.feedback is not None
    assert amina.feedback.key == "lead"
    assert amina.feedback.answers == key_answer
    assert amina.feedback.matched == {"speaker": True, "stance": True, "claim_type": False}
    assert not amina.feedback.all_matched
    assert omar.feedback is not None
    assert omar.feedback.matched == {"speaker": True, "stance": True, "claim_type": True}
    assert omar.feedback.all_matched
    # Outside a training round coding is blind: no key, no feedback.
    assert study.seen["pilot round of sentence"] == "pilot"
    assert study.seen["pilot commit"].status == "labeled"
    assert study.seen["pilot commit"].feedback is None
    assert study.seen["reliability session round"] == "reliability-1"
    assert study.seen["reliability commit"].status == "labeled"
    assert study.seen["reliability commit"].feedback is None
    # enter walks the coder's round: the next sample sentence of the article.
    index, ids, focus = study.seen["reliability session at"]
    sample = set(study.seen["sample"])
    assert focus == {sid for sid in ids if sid in sample}
    later = [i for i in range(index + 1, len(ids)) if ids[i] in sample]
    earlier = [i for i in range(index) if ids[i] in sample]
    assert study.seen["reliability commit"].moved_to == (later or earlier)[0]


def test_closed_training_round_refuses_edits(study):
    assert "closed round training-1" in study.out["training close"]
    refused = study.seen["training refused"]
    for how in ("set_label", "undo", "session"):
        assert refused[how] is not None, f"{how}: the write was accepted"
        assert "training-1" in refused[how], (how, refused[how])
    assert refused["unchanged"] and refused["unchanged after session"]
    # Through the command line too: import-labels is refused, naming the round.
    assert study.seen["exported claim"] == OMAR_CLAIMS[5]
    imported = study.seen["import-labels"]
    assert imported.returncode == 1, imported.stdout
    assert "training-1" in imported.stderr, imported.stderr
    assert refused["unchanged after import"]
    assert study.seen["training locked in session"] == dict.fromkeys(
        study.sentences["hasakah-01"], "training-1"
    )


# -- 2. pilot ------------------------------------------------------------------------


def test_pilot_report_covers_only_its_sentences_and_coders(study):
    report = study.reports["pilot agree"]
    assert report["selection"]["round"] == "pilot"
    assert report["selection"]["coders"] == ["amina", "omar"]
    assert set(report["coders"]) == {"amina", "omar"}  # not lead, who coded 3 of its sentences
    claim = report["fields"]["claim_type"]
    assert claim["units"] == len(study.sentences["hasakah-02"]) == 17
    units = list(zip(PILOT_AMINA, PILOT_OMAR, strict=True))
    assert claim["krippendorff_alpha"] == pytest.approx(package_alpha(units), abs=1e-9)
    assert claim["percent_agreement"] == pytest.approx(percent(units), abs=1e-12)
    assert report["coders"]["amina"]["units"] == report["coders"]["omar"]["units"] == 17
    assert report["round"]["kind"] == "pilot"
    assert report["round"]["closed"]["by"] == "maria"


# -- 3. the codebook revision ---------------------------------------------------------


def test_codebook_diff_classifies_the_revision(study):
    assert study.seen["diff returncode"] == 0
    diff = study.reports["diff"]
    assert diff["old"]["version"] == "1.1.0" and diff["new"]["version"] == "1.2.0"
    changes = {(c["kind"], c["value"], c["semantic"]) for c in diff["changes"]}
    assert ("value_merged", T, True) in changes
    merged = next(c for c in diff["changes"] if c["kind"] == "value_merged")
    assert merged["new"] == B
    assert ("value_help", CF, True) in changes
    assert ("value_label", H, False) in changes
    # Everything else 1.2.0 does, classified as design.md says.
    assert changes == {
        ("value_help", CF, True),
        ("value_label", H, False),
        ("value_merged", T, True),
        ("value_key", D, False),
        ("value_help", B, True),
        ("value_label", B, False),
        ("value_label_ar", B, False),
        ("value_key", B, False),
        ("value_key", N, False),
    }
    assert all(c["field"] == "claim_type" for c in diff["changes"])
    assert (diff["semantic"], diff["cosmetic"]) == (3, 6)


def locked_pairs(study, *rounds: str) -> set[tuple[int, str]]:
    """(sentence, coder) of the closed rounds named: training, pilot,
    reliability (and production) sentences of amina and omar, and training's
    sentences of its key, lead (a closed training round locks its key too)."""
    sentences = {
        "training-1": study.sentences["hasakah-01"],
        "pilot": study.sentences["hasakah-02"],
        "reliability-1": study.seen["sample"],
        "production": study.sids("hasakah-03", "hasakah-04", "hasakah-05"),
    }
    coders = {"training-1": ("amina", "omar", "lead")}
    return {
        (sid, c) for r in rounds for sid in sentences[r] for c in coders.get(r, ("amina", "omar"))
    }


def expected_marks(labels, locked, versions: dict[str, set[str]]):
    """{(sentence, coder): suggestion} of the labels a revision marks, and the
    set it carries over; `versions` maps a label's version to the claim types
    whose meaning changed since."""
    marked, carried = {}, set()
    for key, (_, data, version) in labels.items():
        if key in locked or version not in versions:
            continue
        claim = data.get("claim_type")
        if claim in versions[version]:
            marked[key] = MERGED_12.get(claim)
        else:
            carried.add(key)
    return marked, carried


def test_revision_marks_only_labels_whose_value_changed_in_meaning(study):
    id11, id12, _ = study.seen["ids"]
    before, after = study.seen["labels before 1.2.0"], study.seen["labels after 1.2.0"]
    locked = locked_pairs(study, "training-1", "pilot")
    marked, carried = expected_marks(before, locked, {"1.1.0": SEMANTIC_12})
    # The data was chosen to hold every case.
    used = Counter(before[k][1]["claim_type"] for k in marked)
    assert set(used) == SEMANTIC_12
    assert any(before[k][1]["claim_type"] == H for k in carried)
    assert any(before[k][1]["claim_type"] in SEMANTIC_12 for k in locked)

    marks = {
        (sid, coder): (fid, reason, sug)
        for sid, coder, fid, reason, sug in study.seen["rechecks 1.2.0"]
    }
    assert set(marks) == set(marked)
    for key, suggestion in marked.items():
        fid, reason, stored = marks[key]
        claim = before[key][1]["claim_type"]
        assert fid == "claim_type"
        assert claim in reason, (key, reason)
        assert (None if stored is None else json.loads(stored)) == suggestion, key
    # Never rewritten: marked labels keep their data and version until rechecked,
    # the others are carried over to 1.2.0 with their data, closed rounds' stay as they were.
    assert set(after) == set(before)
    for key, (status, data, version) in before.items():
        if key in marked:
            assert after[key] == (status, data, "1.1.0"), key
        elif key in carried:
            assert after[key] == (status, data, "1.2.0"), key
        else:
            assert key in locked and after[key] == (status, data, version), key
    revision = query(
        study.db,
        "SELECT previous_id, marked, carried FROM codebook_revisions WHERE codebook_id = ?",
        id12,
    )
    assert revision == [(id11, len(marked), len(carried))]
    # stats: open marks per coder (a coder without any shows none).
    per_coder = Counter(coder for _, coder in marked)
    assert per_coder == {"lead": 22, "amina": 1}
    rows = {r[0]: r for r in table_rows(study.out["stats after 1.2.0"], "coders")}
    assert rows["lead"][-1] == "22"
    assert rows["amina"][-1] == "1"
    assert rows["omar"][-1] == "0"


def test_labeling_session_steps_through_the_rechecks(study):
    before = study.seen["labels before 1.2.0"]
    h03 = study.sentences["hasakah-03"]
    expected = {
        sid: [("claim_type", MERGED_12.get(LEAD_03[i]))]
        for i, sid in enumerate(h03)
        if LEAD_03[i] in SEMANTIC_12
    }
    shown = {
        sid: [(fid, suggestion) for fid, _, suggestion in marks]
        for sid, marks in study.seen["lead session rechecks"].items()
    }
    assert shown == expected
    lead_marks = sorted(
        k[0] for k in before if k[1] == "lead" and before[k][1]["claim_type"] in SEMANTIC_12
    )
    assert study.seen["lead session total"] == len(lead_marks) == 22
    # The merged value is carried into the draft, for the coder to confirm.
    values, carried = study.seen["recheck draft"]
    first_t = h03[LEAD_03.index(T)]
    assert values["claim_type"] == B
    assert "claim_type" in carried
    assert values["speaker"] == before[first_t, "lead"][1]["speaker"]
    assert study.seen["recheck commit"].status == "labeled"
    assert first_t not in study.seen["recheck after commit"]
    assert len(study.seen["recheck after commit"]) == len(expected) - 1
    # ctrl+r: the next mark in corpus order.
    moved, now_at = study.seen["next recheck"]
    assert moved
    following = next(sid for sid in h03 if sid > first_t and sid in expected)
    assert now_at == following
    confirm_values, confirm_carried = study.seen["confirm draft"]
    assert confirm_values == before[following, "lead"][1]
    assert confirm_carried == set()
    assert study.seen["confirm commit"].status == "labeled"
    after = study.seen["labels after recheck"]
    assert after[first_t, "lead"][1:] == ({**before[first_t, "lead"][1], "claim_type": B}, "1.2.0")
    assert after[following, "lead"][1:] == (before[following, "lead"][1], "1.2.0")
    rows = {r[0]: r for r in table_rows(study.out["stats after recheck"], "coders")}
    assert rows["lead"][-1] == "20"


# -- 4. the reliability round --------------------------------------------------------


def expected_strata(study) -> tuple[dict[int, str], dict[str, int]]:
    """Each candidate's value (threat_assessment counted as background, its
    replacement) and how often each value was coded anywhere, from the labels
    as they were when the sample was drawn."""
    labels = study.seen["labels before 1.2.0"]
    candidates = set(study.sids("hasakah-03", "hasakah-04", "hasakah-05"))
    coded_before: Counter = Counter()
    values: dict[int, list[str]] = {}
    for (sid, _), (status, data, _) in labels.items():
        assert status == "labeled"
        value = MERGED_12.get(data["claim_type"], data["claim_type"])
        coded_before[value] += 1
        if sid in candidates:
            values.setdefault(sid, []).append(value)
    assert all(len(v) == 1 for v in values.values())  # one coder each, here
    return {sid: v[0] for sid, v in values.items()}, dict(coded_before)


def test_reliability_sample_is_stratified_for_the_rarest_values(study):
    sample = study.seen["sample"]
    strata = round_sentences(study.db, "reliability-1")
    assert len(sample) == SAMPLE
    used = set(study.sids("hasakah-01", "hasakah-02"))
    assert not used & set(sample)
    stratum_of, coded_before = expected_strata(study)
    available = Counter(stratum_of.values())
    assert available == {M: 16, B: 12, CF: 9, A: 8, H: 5, N: 3, C: 3, D: 2}
    rarest_first = sorted(available, key=lambda v: (coded_before.get(v, 0), v))
    drawn = water_fill({v: available[v] for v in rarest_first}, SAMPLE)
    # By hand: the three smallest strata whole (8), the other five to level 4
    # (20), and the 2 left to the two rarest values of those five.
    above = [v for v in rarest_first if available[v] > 4]
    assert drawn == {D: 2, N: 3, C: 3} | {v: 5 if v in above[:2] else 4 for v in above}
    # Each sentence drawn for the value it was coded with.
    for sid in sample:
        assert strata[sid] == stratum_of.get(sid), sid
    assert Counter(strata.values()) == {v: n for v, n in drawn.items() if n}
    # The rarest values are taken in full, more than a proportional share.
    coded = sum(available.values())
    for value in (D, N, C):
        assert drawn[value] == available[value]
        assert drawn[value] > SAMPLE * available[value] / coded
    # The design as stored and reported: JSON and `round show`.
    design = study.reports["reliability agree"]["round"]["design"]
    assert design["sample"] == SAMPLE and design["seed"] == SEED
    assert design["stratify_by"] == "claim_type"
    assert design["candidates"] == 70 and design["in_earlier_rounds"] == 35
    uncoded = 70 - coded
    expected = {
        v: {
            "value": v,
            "available": available[v],
            "drawn": drawn[v],
            "coded_before": coded_before[v],
        }
        for v in available
    }
    expected["(uncoded)"] = {
        "value": "(uncoded)",
        "available": uncoded,
        "drawn": 0,
        "coded_before": 0,
    }
    assert {s["value"]: s for s in design["strata"]} == expected
    assert design["strata"][-1]["value"] == "(uncoded)"
    rarest_first = [s["coded_before"] for s in design["strata"][:-1]]
    assert rarest_first == sorted(rarest_first)
    shown = study.out["reliability show"]
    assert "sample of 30 sentences, seed 7, stratified by claim_type" in shown
    assert "drawn from 70 sentences no earlier round used (35 were)" in shown
    rows = {r[0]: r[1:] for r in table_rows(shown, "strata")}
    assert rows == {
        v: [str(s["coded_before"]), str(s["available"]), str(s["drawn"])]
        for v, s in expected.items()
    }


def test_reliability_sample_is_reproducible(study):
    fresh, other = study.seen["fresh create"], study.seen["other seed create"]
    assert fresh.returncode == 0, fresh.stderr
    assert other.returncode == 0, other.stderr
    mine = round_sentences(study.db, "reliability-1")
    assert round_sentences(study.seen["fresh copy"], "reliability-1") == mine
    again = round_sentences(study.seen["other seed copy"], "reliability-1")
    assert Counter(again.values()) == Counter(mine.values())  # same strata
    assert again != mine  # another seed, other sentences within them


def test_reliability_round_is_independent_and_final(study):
    units = study.seen["reliability units"]
    for key in ("reliability agree open", "reliability agree"):
        report = study.reports[key]
        assert report["selection"]["round"] == "reliability-1"
        assert report["selection"]["coders"] == ["amina", "omar"]  # not lead
        assert report["selection"]["codebook"]["version"] == "1.2.0"
        claim = report["fields"]["claim_type"]
        assert claim["units"] == SAMPLE
        assert claim["krippendorff_alpha"] == pytest.approx(package_alpha(units), abs=1e-9)
        assert claim["percent_agreement"] == pytest.approx(percent(units), abs=1e-12)
        assert report["round"]["kind"] == "reliability"
        assert report["round"]["codebook"]["version"] == "1.2.0"
        assert "coded independently" in report["round"]["independence"]
        assert report["round"]["stale"] is False
    assert (
        "become final when the round closes"
        in study.reports["reliability agree open"]["round"]["independence"]
    )
    closed = study.reports["reliability agree"]["round"]
    assert "final once the round closed" in closed["independence"]
    assert closed["closed"]["by"] == "maria"
    assert closed["progress"] == {"amina": SAMPLE, "omar": SAMPLE}
    refused, unchanged = study.seen["reliability refused"]
    assert refused is not None and "reliability-1" in refused
    assert unchanged


# -- 5. production ----------------------------------------------------------------------


def test_production_round(study):
    returncode, stderr = study.seen["stats round returncode"]
    assert returncode == 0, stderr
    text = study.out["stats round"]
    assert "round production: production, codebook hasakah-stance 1.2.0, 70 sentences, open" in text
    assert "articles: hasakah-03, hasakah-04, hasakah-05" in text
    # Done labels of each coder on the round's sentences, counted from the labels.
    labels = study.seen["labels before 1.3.0"]
    round_sids = set(study.sids("hasakah-03", "hasakah-04", "hasakah-05"))
    done = Counter(
        c
        for (sid, c), (status, _, _) in labels.items()
        if sid in round_sids and status == "labeled"
    )
    rows = {r[0]: r[1:] for r in table_rows(text, "coders")}
    assert rows == {
        "amina": [str(done["amina"]), "70"],
        "omar": [str(done["omar"]), "70"],
    }
    assert done["omar"] == SAMPLE
    # The coder's open round comes first in the article list.
    listing = study.seen["amina articles"]
    assert not isinstance(listing, Exception), f"LabelingSession.articles() raised {listing!r}"
    assert listing[:3] == ["hasakah-03", "hasakah-04", "hasakah-05"]


# -- 6. stale --------------------------------------------------------------------------


def test_a_later_semantic_change_makes_the_reliability_round_stale(study):
    _, id12, id13 = study.seen["ids"]
    # The 1.3.0 revision marks and carries as 1.2.0 did, closed rounds untouched.
    before, after = study.seen["labels before 1.3.0"], study.seen["labels after 1.3.0"]
    locked = locked_pairs(study, "training-1", "pilot", "reliability-1", "production")
    marked, carried = expected_marks(
        before, locked, {"1.1.0": SEMANTIC_12 | SEMANTIC_13, "1.2.0": SEMANTIC_13}
    )
    assert {(sid, coder) for sid, coder, _ in study.seen["rechecks 1.3.0"]} == set(marked)
    for key, value in before.items():
        expected = (*value[:2], "1.3.0") if key in carried else value
        assert after[key] == expected, key
    revisions = query(
        study.db,
        "SELECT r.codebook_id, p.version, c.version, r.marked, r.carried, r.changes"
        " FROM codebook_revisions r JOIN codebooks p ON p.id = r.previous_id"
        " JOIN codebooks c ON c.id = r.codebook_id ORDER BY r.codebook_id",
    )
    assert [r[:3] for r in revisions] == [(id12, "1.1.0", "1.2.0"), (id13, "1.2.0", "1.3.0")]
    assert revisions[1][3:5] == (len(marked), len(carried))
    changes = json.loads(revisions[1][5])
    assert (changes["semantic"], changes["cosmetic"]) == (1, 0)
    assert [(c["kind"], c["value"]) for c in changes["changes"]] == [("value_help", D)]

    rows = {r[0]: r for r in table_rows(study.out["round list"], "4 rounds")}
    assert list(rows) == ["training-1", "pilot", "reliability-1", "production"]
    assert [rows[r][1] for r in rows] == ["training", "pilot", "reliability", "production"]
    assert rows["reliability-1"][2] == "1.2.0"
    assert rows["reliability-1"][-1] == "claim_type"
    assert all(rows[r][-1] == "" for r in ("training-1", "pilot", "production"))
    assert all(rows[r][-2] == "closed" for r in rows)

    report = study.reports["stale agree"]
    assert report["selection"]["codebook"]["version"] == "1.2.0"  # as measured
    assert report["round"]["stale"] is True
    assert report["round"]["stale_fields"] == ["claim_type"]
    assert "re-test required" in report["round"]["stale_note"]
    assert "1.2.0" in report["round"]["stale_note"] and "1.3.0" in report["round"]["stale_note"]
    assert "STALE: re-test required" in study.out["reliability show stale"]
    # Only a reliability figure goes stale.
    assert study.reports["pilot agree stale"]["round"]["stale"] is False


def test_methods_paragraph_names_every_round_and_revision(study):
    text = study.out["methods"]
    flat = " ".join(text.split())
    assert "The study ran in 4 rounds" in flat
    for kind, name in (
        ("training", "training-1"),
        ("pilot", "pilot"),
        ("reliability", "reliability-1"),
        ("production", "production"),
    ):
        assert f"{kind} round {name} (" in flat, name
    assert "answer key lead" in flat
    assert f"seed {SEED}" in flat
    assert "stratified by `claim_type`" in flat
    strata = Counter(round_sentences(study.db, "reliability-1").values())
    assert sum(strata.values()) == SAMPLE
    for value, n in strata.items():
        assert f"`{value}` {n}" in flat, value
    assert "version 1.1.0 to 1.2.0 (3 semantic and 6 cosmetic changes" in flat
    assert "version 1.2.0 to 1.3.0 (1 semantic and 0 cosmetic changes" in flat
    assert "re-test required" in flat
    assert "Round reliability-1 was measured under codebook 1.2.0" in flat
    assert "coded independently" in flat


# -- 7. history --------------------------------------------------------------------------


def test_every_round_and_revision_is_in_the_history(study):
    events = query(
        study.db,
        "SELECT r.name, e.action, e.actor, e.detail, e.created_at FROM round_events e"
        " JOIN rounds r ON r.id = e.round_id ORDER BY e.id",
    )
    by_round: dict[str, list[tuple[str, str]]] = {}
    for name, action, actor, _, _ in events:
        by_round.setdefault(name, []).append((action, actor))
    assert by_round == {
        name: [("create", created), ("close", closed)]
        for name, (created, closed) in study.actors.items()
    }
    stamps = [e[4] for e in events]
    assert stamps == sorted(stamps)
    details = {(e[0], e[1]): json.loads(e[3]) for e in events}
    assert details["reliability-1", "create"] == {"coders": ["amina", "omar"], "sentences": SAMPLE}
    assert details["reliability-1", "close"] == {"done": {"amina": SAMPLE, "omar": SAMPLE}}
    assert details["training-1", "close"] == {"done": {"amina": 18, "omar": 18}}
    assert details["pilot", "close"] == {"done": {"amina": 17, "omar": 17}}
    rounds = query(
        study.db,
        "SELECT r.name, r.created_by, r.closed_by, c.version FROM rounds r"
        " JOIN codebooks c ON c.id = r.codebook_id ORDER BY r.id",
    )
    assert rounds == [
        ("training-1", "lead", "lead", "1.1.0"),
        ("pilot", "maria", "maria", "1.1.0"),
        ("reliability-1", "lead", "maria", "1.2.0"),
        ("production", "lead", "omar", "1.2.0"),
    ]
    versions = query(study.db, "SELECT version FROM codebooks ORDER BY id")
    assert versions == [("1.1.0",), ("1.2.0",), ("1.3.0",)]
    revisions = query(study.db, "SELECT codebook_id FROM codebook_revisions ORDER BY codebook_id")
    assert revisions == [(i,) for i in study.seen["ids"][1:]]


def test_methods_disagreements_cover_the_rounds_sentences(study):
    """The methods paragraph of `agree --round reliability-1` says "the figures
    are for round reliability-1": its count of unanimous and unresolved
    sentences must be of that round's sentences (30, four of them with a
    claim type in dispute), not of every sentence amina and omar both coded."""
    disputed = sum(a != o for a, o in study.seen["reliability units"])
    assert disputed == 4
    flat = " ".join(study.out["methods"].split())
    assert (
        f"Of the sentences coded by two or more coders, {SAMPLE - disputed} were unanimous "
        f"(their labels are the gold), 0 were settled by an adjudicator and {disputed} remain "
        "unresolved."
    ) in flat


def test_no_recheck_is_left_on_a_label_a_closed_round_made_final(study):
    """A recheck mark asks the coder to recommit a label; once a closed round
    made the label final the coder cannot, so no open mark may stay on it
    (here: amina's threat_assessment label on hasakah-05 #2, marked by 1.2.0
    and then made final by closing production, which holds that sentence)."""
    from workbench.rechecks import open_rechecks, recheck_counts

    locked = locked_pairs(study, "training-1", "pilot", "reliability-1", "production")
    ever_marked = set(query(study.db, "SELECT r.sentence_id, c.name FROM rechecks r"
                            " JOIN coders c ON c.id = r.coder_id"))  # fmt: skip
    assert ever_marked & locked  # the case is there: a mark on a label made final later
    with Store(study.db) as store:
        open_marks = {
            (sid, coder)
            for coder in store.coders()
            for article in store.articles()
            for sid in open_rechecks(store, coder, article.id)
        }
        counts = recheck_counts(store)
    assert open_marks and not open_marks & locked
    assert sum(counts.values()) == len(open_marks)
