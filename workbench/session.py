"""A coder's labeling session: the rules the labeling screen follows.

The screen only renders this object and forwards keys to it; everything a
coder's keystroke means (what the draft holds, what is carried forward, where
`enter` goes next, what undo restores) lives here, where it is tested without
a terminal. Every commit is written by the store before a method returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from workbench.codebook import Codebook, Field
from workbench.store import ArticleRow, SentenceRow, Store


@dataclass(frozen=True)
class ArticleProgress:
    article: ArticleRow
    done: int  # this coder's labeled + skipped + flagged sentences
    assigned: bool = False  # assigned to this coder by `workbench assign`

    @property
    def total(self) -> int:
        return self.article.sentences


@dataclass(frozen=True)
class Progress:
    article_done: int
    article_total: int
    overall_done: int
    overall_total: int


@dataclass(frozen=True)
class Hit:
    article_id: int
    index: int
    text: str


@dataclass
class Draft:
    """The values being edited for the current sentence, in the label JSON shape."""

    values: dict[str, Any] = field(default_factory=dict)
    carried: set[str] = field(default_factory=set)  # shown as carried until committed


class LabelingSession:
    """One coder labeling with one codebook. Blind: it never reads other coders' labels."""

    def __init__(self, store: Store, coder: str, codebook: Codebook):
        self.store = store
        self.coder = coder
        self.codebook = codebook
        store.ensure_coder(coder)
        self.codebook_id = store.register_codebook(codebook)
        self.article: ArticleRow | None = None
        self.sentences: list[SentenceRow] = []
        self.labels: dict[int, dict[str, Any]] = {}
        self.index = 0
        self.draft = Draft()
        self._done_elsewhere = 0
        self._overall_total = 0
        self._search_keys: dict[int, list[tuple[int, str, str]]] = {}

    # -- articles --------------------------------------------------------

    def articles(self) -> list[ArticleProgress]:
        """Every current article: this coder's assigned ones first, each part in import order."""
        done = self.store.label_counts().get(self.coder, {})
        # Imported here: the assignment planner (decimal, random) is not needed
        # to open an article, and `label --article` starts without it.
        from workbench.assign import assigned_article_ids

        mine = set(assigned_article_ids(self.store, self.coder))
        listing = [
            ArticleProgress(a, sum(done.get(a.id, {}).values()), a.id in mine)
            for a in self.store.articles()
        ]
        return sorted(listing, key=lambda p: not p.assigned)  # stable: import order kept

    def open_article(self, article_id: int, index: int | None = None) -> None:
        """Open an article at `index`, else at its first sentence this coder has not done."""
        self.article = self.store.article(article_id)
        self.sentences = self.store.sentences(article_id)
        self.labels = self.store.labels_of(self.coder, article_id)
        done, self._overall_total = self.store.progress_totals(self.coder)
        self._done_elsewhere = done - len(self.labels)
        if index is None:
            index = self.next_undone(-1)
            index = 0 if index is None else index
        self.go(index)

    @property
    def sentence(self) -> SentenceRow:
        return self.sentences[self.index]

    def go(self, index: int) -> None:
        """Move to a sentence and load its draft (its label, or a fresh one)."""
        self.index = max(0, min(index, len(self.sentences) - 1))
        self.draft = self._initial_draft()

    def move(self, delta: int) -> None:
        self.go(self.index + delta)

    def next_undone(self, after: int) -> int | None:
        """The first sentence after `after` with no label, wrapping around; None if all done."""
        n = len(self.sentences)
        for step in range(1, n + 1):
            i = (after + step) % n
            if self.sentences[i].id not in self.labels:
                return i
        return None

    def label_state(self, index: int) -> dict[str, Any] | None:
        return self.labels.get(self.sentences[index].id)

    def _initial_draft(self) -> Draft:
        state = self.labels.get(self.sentence.id)
        if state is not None:
            return Draft(values=dict(state["data"]))
        draft = Draft()
        speaker = self._entity_field()
        if speaker and self.sentence.in_quote and self.index > 0:
            previous = self.labels.get(self.sentences[self.index - 1].id)
            value = previous and previous["data"].get(speaker.id)
            if value:
                draft.values[speaker.id] = value
                draft.carried.add(speaker.id)
        return draft

    def _entity_field(self) -> Field | None:
        return next((f for f in self.codebook.fields if f.kind == "entity"), None)

    # -- editing the draft -------------------------------------------------

    def set_value(self, field_id: str, value: Any) -> None:
        """Set (or, with None, clear) a field of the draft."""
        self.codebook.field(field_id)  # KeyError for a field the codebook lacks
        self.draft.carried.discard(field_id)
        if value is None or value == "":
            self.draft.values.pop(field_id, None)
        else:
            self.draft.values[field_id] = value

    def toggle_choice(self, field_id: str, value_id: str) -> None:
        """Single choice: pick, or unpick if already chosen. Multi: add or remove."""
        f = self.codebook.field(field_id)
        current = self.draft.values.get(field_id)
        if f.kind == "multi":
            chosen = set(current or ())
            chosen.symmetric_difference_update({value_id})
            order = f.value_ids
            self.set_value(field_id, sorted(chosen, key=order.index) or None)
        else:
            self.set_value(field_id, None if current == value_id else value_id)

    def toggle_stance(self, target: str, polarity: str, field_id: str | None = None) -> None:
        """Add a (target, polarity) pair, or remove it if it is already there."""
        f = self.codebook.field(field_id) if field_id else self._stance_field()
        pairs = {(p["target"], p["polarity"]) for p in self.draft.values.get(f.id, [])}
        pairs.symmetric_difference_update({(target, polarity)})
        ranked = sorted(pairs, key=lambda p: (f.target_ids.index(p[0]), f.polarity_ids.index(p[1])))
        self.draft.carried.discard(f.id)
        self.draft.values[f.id] = [{"target": t, "polarity": p} for t, p in ranked]

    def _stance_field(self) -> Field:
        return next(f for f in self.codebook.fields if f.kind == "stance")

    def missing_required(self) -> list[str]:
        return [f.id for f in self.codebook.fields if f.required and f.id not in self.draft.values]

    # -- committing ------------------------------------------------------

    def commit(self, status: str = "labeled", note: str = "") -> int | None:
        """Write the draft (or a skip/flag with its reason) and move to the next
        sentence not yet done; returns that index, or None when the article is done.

        An untouched stance is committed as the empty set: "no stance" is an
        answer, and enter on a sentence with no stance should record it.
        """
        values = dict(self.draft.values)
        if status == "labeled":
            for f in self.codebook.fields:
                if f.kind == "stance":
                    values.setdefault(f.id, [])
        self.store.set_label(
            self.sentence.id,
            self.coder,
            status=status,
            data=values,
            note=note,
            codebook_id=self.codebook_id,
        )
        self.labels[self.sentence.id] = {"status": status, "data": values, "note": note}
        following = self.next_undone(self.index)
        if following is None:
            self.go(self.index)
        else:
            self.go(following)
        return following

    def undo(self) -> bool:
        return self._history_step(self.store.undo)

    def redo(self) -> bool:
        return self._history_step(self.store.redo)

    def _history_step(self, step: Any) -> bool:
        sentence_id = step(self.coder)
        if sentence_id is None:
            return False
        article_id = self.store.article_of(sentence_id)
        # Undo may reach back into another article: follow it there.
        if self.article is None or article_id != self.article.id:
            self.open_article(article_id)
        else:
            self.labels = self.store.labels_of(self.coder, article_id)
        self.go(next(i for i, s in enumerate(self.sentences) if s.id == sentence_id))
        return True

    # -- progress and search -----------------------------------------------

    def progress(self) -> Progress:
        done_here = len(self.labels)
        return Progress(
            done_here, len(self.sentences), self._done_elsewhere + done_here, self._overall_total
        )

    def find(self, query: str, article_id: int | None = None) -> list[Hit]:
        """Sentences whose normalized text contains the normalized query.

        Matching uses `workbench.arabic.match_key`, so تركيا finds تركيّا and
        الأمم finds الامم. Keys are built per article on first search.
        """
        from workbench.arabic import match_key

        needle = match_key(query)
        if not needle:
            return []
        ids = [article_id] if article_id is not None else [a.id for a in self.store.articles()]
        hits = []
        for aid in ids:
            if aid not in self._search_keys:
                # Sentences never change once stored, so the index is built
                # once per article and session: no query per article per search.
                self._search_keys[aid] = [
                    (s.idx, s.text, match_key(s.text)) for s in self.store.sentences(aid)
                ]
            hits += [
                Hit(aid, idx, text) for idx, text, key in self._search_keys[aid] if needle in key
            ]
        return hits
