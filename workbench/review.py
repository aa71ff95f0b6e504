"""The adjudicator's session: the review queue, a draft answer per sentence, gold.

No Textual here: the review screen only draws this and forwards keys. The
queue and the comparison come from `workbench.gold`. For each sentence the
draft starts from what every coder agrees on (and from the stored gold when
the sentence was decided before); every field the coders disagree on is
*undecided* until the adjudicator takes a coder's value, the majority, or
edits it by hand. Committing writes gold (durable before the screen moves)
with the reason, the coders each field agreed with and the label events the
decision saw.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from workbench import gold
from workbench.codebook import Codebook
from workbench.errors import WorkbenchError
from workbench.gold import STATUS, Row, Unit
from workbench.store import GOLD_STATUSES, Store


class _Undecided:
    def __repr__(self) -> str:
        return "UNDECIDED"


UNDECIDED: Any = _Undecided()


def _gold_value(row: str, value: Any) -> Any:
    """A coder's value as gold can hold it: a flag asks for discussion, the
    values stand, so a flagged status is taken as labeled."""
    if row == STATUS and value not in GOLD_STATUSES:
        return "labeled"
    return value


def find_unit(items: Sequence[Unit], at: tuple[str, int]) -> int | None:
    """The queue position of sentence `at` = (article id, 0-based index)."""
    return next((i for i, u in enumerate(items) if (u.ext_id, u.idx) == (at[0], at[1])), None)


class ReviewSession:
    def __init__(
        self,
        store: Store,
        adjudicator: str,
        codebook: Codebook,
        *,
        coders: Sequence[str] | None = None,
        articles: Sequence[str] | None = None,
        include_decided: bool = False,
        at: tuple[str, int] | None = None,
    ) -> None:
        """`at` = (article id, 0-based sentence index) opens the queue at that
        sentence (from `agree --app`); a decided one brings the decided in."""
        self.store = store
        self.adjudicator = adjudicator
        self.codebook = codebook
        self.codebook_id = store.register_codebook(codebook)
        store.ensure_coder(adjudicator)
        self.items: list[Unit] = gold.queue(
            store, codebook, coders=coders, articles=articles, include_decided=include_decided
        )
        self.position = 0
        if at is not None:
            found = find_unit(self.items, at)
            if found is None and not include_decided:
                self.items = gold.queue(
                    store, codebook, coders=coders, articles=articles, include_decided=True
                )
                found = find_unit(self.items, at)
            if found is None:
                raise WorkbenchError(
                    f"{at[0]} #{at[1] + 1} is not a sentence two or more of these coders coded"
                )
            self.position = found
        self.cursor = 0
        self.draft: dict[str, Any] = {}
        self.reason = ""
        self._decided: int | None = None
        if self.items:
            self._load()

    # -- what is shown ----------------------------------------------------

    @property
    def unit(self) -> Unit:
        return self.items[self.position]

    @property
    def coders(self) -> list[str]:
        """The current sentence's coders; coder key n takes `coders[n - 1]`."""
        return self.unit.coders

    @property
    def rows(self) -> list[Row]:
        """The rows the adjudicator decides: the status, then adjudicated fields."""
        return [r for r in self.unit.rows if r.compared]

    @property
    def row(self) -> Row:
        return self.rows[self.cursor]

    def decided_count(self) -> int:
        """Sentences of the queue with current gold (counted again only after
        gold changed, not on every key)."""
        if self._decided is None:
            self._decided = sum(1 for u in self.items if u.gold is not None and not u.changed)
        return self._decided

    def missing(self) -> list[str]:
        """Rows still undecided (fields do not matter for a skipped sentence)."""
        if self.draft.get(STATUS) == "skipped":
            return []
        return [name for name, value in self.draft.items() if value is UNDECIDED]

    # -- moving -------------------------------------------------------------

    def move(self, delta: int) -> None:
        """To the previous/next sentence of the queue."""
        if self.items:
            self.position = max(0, min(len(self.items) - 1, self.position + delta))
            self._load()

    def move_cursor(self, delta: int) -> None:
        self.cursor = max(0, min(len(self.rows) - 1, self.cursor + delta))

    def _load(self) -> None:
        unit = self.unit
        self.cursor = 0
        decided = unit.gold
        if decided is not None:
            self.draft = {STATUS: decided["status"]}
            for r in self.rows[1:]:
                self.draft[r.name] = decided["data"].get(r.name)
            self.reason = decided["reason"]
            return
        statuses = set(unit.row(STATUS).values.values())
        self.draft = {
            STATUS: "skipped"
            if statuses == {"skipped"}
            else "labeled"
            if "skipped" not in statuses
            else UNDECIDED
        }
        for r in self.rows[1:]:
            self.draft[r.name] = (
                next(iter(r.values.values())) if r.agrees and r.values else UNDECIDED
            )
        self.reason = ""

    # -- deciding -------------------------------------------------------------

    def take(self, coder_number: int) -> str | None:
        """Take coder n's value (1-based) for the row under the cursor; returns
        a message when that is not possible."""
        if not 1 <= coder_number <= len(self.coders):
            return f"no coder {coder_number} on this sentence"
        coder = self.coders[coder_number - 1]
        row = self.row
        if coder not in row.values:
            return f"{coder} skipped this sentence: no {row.name} to take"
        self.draft[row.name] = _gold_value(row.name, row.values[coder])
        return None

    def take_majority(self, every_row: bool = False) -> str | None:
        """The majority value for the row under the cursor (or every undecided
        row that has one); returns a message when there is none."""
        rows = (
            [r for r in self.rows if self.draft[r.name] is UNDECIDED] if every_row else [self.row]
        )
        taken = 0
        for r in rows:
            majority = r.majority()
            if majority is None:
                continue
            self.draft[r.name] = _gold_value(r.name, majority[0])
            taken += 1
        if taken == 0:
            return "no majority" if not every_row else "no undecided field has a majority"
        return None

    def set_value(self, name: str, value: Any) -> None:
        """A value entered by hand (None = unset)."""
        if name == STATUS and value not in GOLD_STATUSES:
            raise ValueError(f"gold status must be one of {GOLD_STATUSES}")
        self.draft[name] = value

    def toggle_pair(self, name: str, target: str, polarity: str) -> None:
        """Add or remove one stance pair of the draft by hand."""
        current = self.draft.get(name)
        pairs = [] if current is UNDECIDED or current is None else list(current)
        pair = {"target": target, "polarity": polarity}
        pairs = [p for p in pairs if p != pair] if pair in pairs else [*pairs, pair]
        self.draft[name] = gold.canonical_value(self.codebook.field(name), pairs)

    def commit(self) -> bool:
        """Write the draft as gold and go to the next undecided sentence.

        Returns False (nothing written) while a row is undecided.
        """
        if self.missing():
            return False
        unit = self.unit
        status = self.draft[STATUS]
        data = {}
        if status == "labeled":
            data = {n: v for n, v in self.draft.items() if n != STATUS and v is not None}
        self.store.set_gold(
            unit.sentence_id,
            self.adjudicator,
            status=status,
            data=data,
            reason=self.reason,
            agreed_with=gold.agreed_with(unit, data) if status == "labeled" else {},
            basis=unit.events,
            codebook_id=self.codebook_id,
        )
        unit.gold = self.store.gold(unit.sentence_id)
        self._decided = None
        self._next_undecided()
        return True

    def withdraw(self) -> bool:
        """Withdraw the current sentence's gold (back to unresolved)."""
        unit = self.unit
        if unit.gold is None:
            return False
        self.store.clear_gold(unit.sentence_id, self.adjudicator)
        unit.gold = None
        self._decided = None
        self._load()
        return True

    def _next_undecided(self) -> None:
        n = len(self.items)
        for step in range(1, n + 1):
            candidate = (self.position + step) % n
            if self.items[candidate].gold is None or self.items[candidate].changed:
                self.position = candidate
                break
        self._load()

    def undo(self) -> int | None:
        """Undo the adjudicator's last gold change and show its sentence."""
        return self._after_history(self.store.undo_gold(self.adjudicator))

    def redo(self) -> int | None:
        return self._after_history(self.store.redo_gold(self.adjudicator))

    def _after_history(self, sentence_id: int | None) -> int | None:
        if sentence_id is None:
            return None
        for i, unit in enumerate(self.items):
            if unit.sentence_id == sentence_id:
                unit.gold = self.store.gold(sentence_id)
                self._decided = None
                self.position = i
                self._load()
                break
        return sentence_id
