"""Coders sharing one database: concurrent writers all succeed, none is lost."""

from __future__ import annotations

import multiprocessing as mp
from pathlib import Path

from tests.conftest import CORPUS
from workbench.corpus import import_paths
from workbench.store import Store

WRITERS = 4


def _writer(db: str, coder: str, sentence_ids: list[int], start: mp.Barrier, shared: int) -> None:
    start.wait()
    with Store(db) as store:
        for n, sentence_id in enumerate(sentence_ids):
            store.set_label(sentence_id, coder, data={"claim_type": "denial", "n": n})
            # Everyone also rewrites one shared sentence: the hottest row.
            store.set_label(shared, coder, data={"n": n})


def test_four_concurrent_writer_processes_lose_nothing(db_path: Path):
    with Store(db_path) as store:
        import_paths(store, [CORPUS])
        ids = [s.id for a in store.articles() for s in store.sentences(a.id)][:60]
    ctx = mp.get_context("spawn")
    start = ctx.Barrier(WRITERS)
    procs = [
        ctx.Process(target=_writer, args=(str(db_path), f"coder{i}", ids, start, ids[0]))
        for i in range(WRITERS)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=300)
    assert [p.exitcode for p in procs] == [0] * WRITERS
    with Store(db_path) as store:
        labels = store.conn.execute(
            "SELECT c.name, COUNT(*) FROM labels l JOIN coders c ON c.id = l.coder_id"
            " GROUP BY c.name"
        ).fetchall()
        events = store.conn.execute("SELECT COUNT(*) FROM label_events").fetchone()[0]
        last = {name: store.label(ids[-1], name)["data"]["n"] for name in store.coders()}
    assert sorted(labels) == [(f"coder{i}", len(ids)) for i in range(WRITERS)]
    assert events == WRITERS * len(ids) * 2
    assert last == {f"coder{i}": len(ids) - 1 for i in range(WRITERS)}
