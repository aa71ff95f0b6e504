"""A coder's labeling session: the rules the labeling screen follows.

The screen only renders this object and forwards keys to it; everything a
coder's keystroke means (what the draft holds, what is carried forward, where
`enter` goes next, what undo restores) lives here, where it is tested without
a terminal. Every commit is written by the store before a method returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from workbench.codebook import Codebook, Field
from workbench.rechecks import Recheck, all_rechecks, next_recheck, open_rechecks
from workbench.rounds import (
    Round,
    locked_in_article,
    open_round_sentences,
    round_progress_by_article,
)
from workbench.store import DONE_STATUSES, ArticleRow, SentenceRow, Store

if TYPE_CHECKING:
    from workbench.training import Feedback


@dataclass(frozen=True)
class ArticleProgress:
    article: ArticleRow
    done: int  # this coder's labeled + skipped + flagged sentences
    assigned: bool = False  # assigned to this coder by `workbench assign`
    drafts: int = 0  # saved but not done
    round: str | None = None  # the coder's open round with sentences here
    round_done: int = 0  # done sentences of that round here
    round_total: int = 0  # that round's sentences here

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
    # Entity field -> the name of a speaker to create when the label is
    # committed (not when picked: a pick that is undone or left as a draft
    # must not add a speaker to everyone's registry).
    new: dict[str, str] = field(default_factory=dict)
    loaded: dict[str, Any] = field(default_factory=dict)  # the stored values it started from
    history: list[Snapshot] = field(default_factory=list)  # undo within the draft
    future: list[Snapshot] = field(default_factory=list)  # redo within the draft

    def snapshot(self) -> Snapshot:
        return Snapshot(dict(self.values), set(self.carried), dict(self.new))

    def restore(self, snap: Snapshot) -> None:
        self.values, self.carried, self.new = dict(snap.values), set(snap.carried), dict(snap.new)

    @property
    def edited(self) -> bool:
        """Changed by the coder since loaded (a carried suggestion is not an edit)."""
        own = {k: v for k, v in self.values.items() if k not in self.carried}
        loaded = {k: v for k, v in self.loaded.items() if k != NEW_KEY and k not in self.carried}
        return own != loaded or self.new != self.loaded.get(NEW_KEY, {})

    def data(self) -> dict[str, Any]:
        """What a draft stores: its values, and any speaker still to be created."""
        data = dict(self.values)
        if self.new:
            data[NEW_KEY] = dict(self.new)
        return data


@dataclass(frozen=True)
class Snapshot:
    values: dict[str, Any]
    carried: set[str]
    new: dict[str, str]


# Key under which a draft keeps names of speakers to create on commit. Field
# ids are snake_case letters, so it can never be a field.
NEW_KEY = "_new"


@dataclass(frozen=True)
class CommitResult:
    status: str  # what was saved: labeled/skipped/flagged, or draft when incomplete
    missing: tuple[str, ...] = ()  # labels of required fields still unset
    moved_to: int | None = None  # the sentence now shown (None: stayed)
    article_done: bool = False
    created: tuple[str, ...] = ()  # names of speakers created by this commit
    feedback: Feedback | None = None  # a training round's key answer for the committed sentence
    round_done: str | None = None  # the round whose sentences here are now all done


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
        # Study rounds (workbench.rounds): the open round each sentence is
        # in for this coder, this article's final labels and the labels a
        # codebook revision asks the coder to look at again.
        self.in_round: dict[int, Round] = open_round_sentences(store, coder)
        self.locked: dict[int, str] = {}
        self.rechecks: dict[int, list[Recheck]] = {}
        self.focus: set[int] | None = None  # an open round's sentences here: enter walks these
        self._recheck_count: int | None = None

    # -- articles --------------------------------------------------------

    def articles(self) -> list[ArticleProgress]:
        """Every current article: this coder's assigned ones first, each part in import order."""
        counts = self.store.label_counts().get(self.coder, {})
        # Imported here: the assignment planner (decimal, random) is not needed
        # to open an article, and `label --article` starts without it.
        from workbench.assign import assigned_article_ids

        mine = set(assigned_article_ids(self.store, self.coder))
        rounds = round_progress_by_article(self.store, self.coder, self.in_round)
        listing = [
            ArticleProgress(
                a,
                sum(n for st, n in counts.get(a.id, {}).items() if st in DONE_STATUSES),
                a.id in mine,
                counts.get(a.id, {}).get("draft", 0),
                *rounds.get(a.id, (None, 0, 0)),
            )
            for a in self.store.articles()
        ]
        oldest = sorted({r.id: r.name for r in self.in_round.values()}.items())
        order = {name: i for i, (_, name) in enumerate(oldest)}
        # The coder's open rounds first (oldest round first), then assigned
        # articles; stable, so import order is kept within each.
        return sorted(
            listing,
            key=lambda p: (
                order.get(p.round, len(order)) if p.round else len(order),
                not p.assigned,
            ),
        )

    def open_article(self, article_id: int, index: int | None = None) -> None:
        """Open an article at `index`, else at its first sentence this coder has not done."""
        if self.article is not None and self.sentences:
            self.leave()
        self.article = self.store.article(article_id)
        self.sentences = self.store.sentences(article_id)
        self.labels = self.store.labels_of(self.coder, article_id)
        self.locked = locked_in_article(self.store, self.coder, article_id)
        self.rechecks = open_rechecks(self.store, self.coder, article_id)
        focus = {s.id for s in self.sentences if s.id in self.in_round}
        self.focus = focus if focus and len(focus) < len(self.sentences) else None
        done, self._overall_total = self.store.progress_totals(self.coder)
        self._done_elsewhere = done - self._done_here()
        if index is None:
            index = self.next_undone(-1)
            index = 0 if index is None else index
        self._load(index)

    @property
    def sentence(self) -> SentenceRow:
        return self.sentences[self.index]

    def go(self, index: int) -> None:
        """Move to a sentence, saving the current one's edits as a draft first.

        Raises `SaveError` (and stays) when the draft cannot be saved.
        """
        index = max(0, min(index, len(self.sentences) - 1))
        if index != self.index:
            self.leave()
        self._load(index)

    def move(self, delta: int) -> None:
        self.go(self.index + delta)

    def leave(self) -> bool:
        """Save the current sentence's edits as a draft (moving away, quitting).

        True if a draft was written. A done label that is edited and left
        becomes a draft: the coder changed it and did not confirm the change.
        """
        if not self.draft.edited:
            return False
        self._save("draft", self.draft.data(), "")
        self.draft.loaded = self.draft.data()
        return True

    def _load(self, index: int) -> None:
        self.index = index
        self.draft = self._initial_draft()

    def next_undone(self, after: int, step: int = 1) -> int | None:
        """The first sentence after `after` (before it, with step -1) not done,
        wrapping around; None if all are done. Drafts are not done."""
        n = len(self.sentences)
        for k in range(1, n + 1):
            i = (after + k * step) % n
            if self.focus is not None and self.sentences[i].id not in self.focus:
                continue  # not part of the coder's round: enter walks the round
            if not self.is_done(i):
                return i
        return None

    def round_of(self, index: int | None = None) -> Round | None:
        """The coder's open round the sentence is in, if any."""
        sid = self.sentences[self.index if index is None else index].id
        return self.in_round.get(sid)

    def is_done(self, index: int) -> bool:
        state = self.labels.get(self.sentences[index].id)
        return state is not None and state["status"] in DONE_STATUSES

    def label_state(self, index: int) -> dict[str, Any] | None:
        return self.labels.get(self.sentences[index].id)

    def _initial_draft(self) -> Draft:
        state = self.labels.get(self.sentence.id)
        if state is not None:
            data = dict(state["data"])
            new = data.pop(NEW_KEY, {})
            draft = Draft(values=data, new=dict(new), loaded=dict(state["data"]))
            for mark in self.rechecks.get(self.sentence.id, ()):
                if mark.suggestion is not None:
                    # A merged value carried over for the coder to confirm:
                    # written only when they commit it.
                    draft.values[mark.field] = mark.suggestion
                    draft.carried.add(mark.field)
            return draft
        draft = Draft()
        speaker = self._entity_field()
        if speaker and self.sentence.in_quote and self.index > 0:
            previous = self.labels.get(self.sentences[self.index - 1].id)
            value = previous and previous["data"].get(speaker.id)
            if value:
                draft.values[speaker.id] = value
                draft.carried.add(speaker.id)
                if value in (previous["data"].get(NEW_KEY) or {}).values():
                    draft.new[speaker.id] = value
        return draft

    def _entity_field(self) -> Field | None:
        return next((f for f in self.codebook.fields if f.kind == "entity"), None)

    # -- editing the draft -------------------------------------------------

    def _edit(self) -> None:
        """Record the draft as it is before an edit, for undo."""
        self.draft.history.append(self.draft.snapshot())
        self.draft.future.clear()

    def set_value(self, field_id: str, value: Any) -> None:
        """Set (or, with None, clear) a field of the draft."""
        self.codebook.field(field_id)  # KeyError for a field the codebook lacks
        self._edit()
        self.draft.carried.discard(field_id)
        self.draft.new.pop(field_id, None)
        if value is None or value == "":
            self.draft.values.pop(field_id, None)
        else:
            self.draft.values[field_id] = value

    def set_new_entity(self, field_id: str, name: str) -> None:
        """Choose a speaker that is not in the registry yet: it is created
        (recording this coder) when the label is committed."""
        name = " ".join(name.split())
        if not name:
            return
        self.set_value(field_id, name)
        self.draft.new[field_id] = name

    def repeat_speaker(self) -> str | None:
        """Give this sentence the speaker of the nearest earlier sentence that
        has one (continuations: وتابع البيان، وأضاف); returns it, or None."""
        f = self._entity_field()
        if f is None:
            return None
        for i in range(self.index - 1, -1, -1):
            state = self.labels.get(self.sentences[i].id)
            value = state and state["data"].get(f.id)
            if value:
                pending = (state["data"].get(NEW_KEY) or {}).get(f.id)
                if pending:
                    self.set_new_entity(f.id, pending)
                else:
                    self.set_value(f.id, value)
                return value
        return None

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
        self._edit()
        self.draft.carried.discard(f.id)
        self.draft.values[f.id] = [{"target": t, "polarity": p} for t, p in ranked]

    def _stance_field(self) -> Field:
        return next(f for f in self.codebook.fields if f.kind == "stance")

    def missing_required(self) -> list[str]:
        """Required fields the draft leaves unset. A stance left at its default
        (no pair: "no stance") is an answer, so never missing."""
        return [
            f.id
            for f in self.codebook.fields
            if f.required and f.kind != "stance" and f.id not in self.draft.values
        ]

    # -- committing ------------------------------------------------------

    def commit(self, status: str = "labeled", note: str = "") -> CommitResult:
        """`enter` (or a skip or flag with its reason): save, then move on.

        A label with every required field set is saved as done and the screen
        moves to the next sentence not done. One with a required field unset
        is saved as a draft (if it holds anything) and stays, naming what is
        missing: it never counts as done. An untouched stance is saved as
        the empty set: "no stance" is an answer. A speaker the coder added is
        created now, with the label, in one transaction. Raises `SaveError`
        (the draft kept as it was) when the database refuses the write.
        """
        values = dict(self.draft.values)
        if status == "labeled":
            missing = self.missing_required()
            if missing:
                if self.draft.edited:
                    self.leave()
                labels = tuple(self.codebook.field(f).label for f in missing)
                return CommitResult("draft", missing=labels)
        for f in self.codebook.fields:
            if f.kind == "stance":
                values.setdefault(f.id, [])
        stored = self.labels.get(self.sentence.id)
        rechecked = self.sentence.id in self.rechecks
        if (
            not self.draft.new
            and not rechecked
            and stored == {"status": status, "data": values, "note": note}
        ):
            # Confirming what is already saved: no event, so undo never
            # "undoes" a change that changed nothing.
            following = self.next_undone(self.index)
            self._load(self.index if following is None else following)
            return CommitResult(status, moved_to=following, article_done=following is None)
        created: list[str] = []
        with self.store.transaction():
            for field_id, name in self.draft.new.items():
                if values.get(field_id) == name:
                    from workbench.registry import create_speaker

                    values[field_id] = create_speaker(self.store, field_id, name, self.coder)
                    created.append(name)
            self._save(status, values, note)
        committed = self.sentence.id
        if rechecked:
            self.rechecks = open_rechecks(self.store, self.coder, self.sentence.article_id)
            self._recheck_count = None
        feedback = self._feedback(committed, values)
        following = self.next_undone(self.index)
        self._load(self.index if following is None else following)
        return CommitResult(
            status,
            moved_to=following,
            article_done=following is None,
            created=tuple(created),
            feedback=feedback,
            round_done=None
            if following is not None or self.focus is None
            else self.in_round[committed].name,
        )

    def _feedback(self, sentence_id: int, values: dict[str, Any]) -> Feedback | None:
        """A training round's key answer for a committed sentence (only in
        open training rounds with a key: everywhere else coding is blind)."""
        rnd = self.in_round.get(sentence_id)
        if rnd is None or rnd.kind != "training" or rnd.key is None:
            return None
        from workbench.training import feedback

        return feedback(self.store, rnd, self.codebook, sentence_id, values)

    def recheck_count(self) -> int:
        """How many labels this coder has to recheck, in every article.

        Kept until a commit settles a mark or undo/redo may reopen one: the
        article list's status line asks on every filter keystroke.
        """
        if self._recheck_count is None:
            self._recheck_count = len(all_rechecks(self.store, self.coder))
        return self._recheck_count

    def next_recheck(self) -> bool:
        """Go to this coder's next label to recheck, in any article; False if none."""
        assert self.article is not None
        found = next_recheck(self.store, self.coder, self.article.id, self.sentence.idx)
        if found is None:
            return False
        article_id, index = found
        if article_id != self.article.id:
            self.open_article(article_id, index)
        else:
            self.go(index)
        return True

    def _save(self, status: str, data: dict[str, Any], note: str) -> None:
        """Write a state of the current sentence; session state changes only
        once the store has committed it."""
        self.store.set_label(
            self.sentence.id,
            self.coder,
            status=status,
            data=data,
            note=note,
            codebook_id=self.codebook_id,
        )
        self.labels[self.sentence.id] = {"status": status, "data": data, "note": note}

    def undo(self) -> str | None:
        """ctrl+z: the last edit of this sentence's draft, else this coder's
        last change made here (following it to its sentence). Says what it
        undid, or None when there is nothing."""
        if self.draft.history:
            self.draft.future.append(self.draft.snapshot())
            self.draft.restore(self.draft.history.pop())
            return "Undid the last edit of this sentence."
        return self._history_step(self.store.undo, "Undid")

    def redo(self) -> str | None:
        if self.draft.future:
            self.draft.history.append(self.draft.snapshot())
            self.draft.restore(self.draft.future.pop())
            return "Redid the edit of this sentence."
        return self._history_step(self.store.redo, "Redid")

    def _history_step(self, step: Any, verb: str) -> str | None:
        sentence_id = step(self.coder)
        if sentence_id is None:
            return None
        self._recheck_count = None  # the step may settle or reopen a mark
        article_id = self.store.article_of(sentence_id)
        # Undo may reach back into another article: follow it there.
        if self.article is None or article_id != self.article.id:
            self.open_article(article_id)
        else:
            self.labels = self.store.labels_of(self.coder, article_id)
        self._load(next(i for i, s in enumerate(self.sentences) if s.id == sentence_id))
        state = self.labels.get(sentence_id)
        now_is = "not done" if state is None else state["status"]
        assert self.article is not None
        return (
            f"{verb} the change to {self.article.ext_id} sentence {self.index + 1} (now {now_is})."
        )

    # -- progress and search -----------------------------------------------

    def _done_here(self) -> int:
        return sum(1 for state in self.labels.values() if state["status"] in DONE_STATUSES)

    def drafts_here(self) -> int:
        return sum(1 for state in self.labels.values() if state["status"] == "draft")

    def progress(self) -> Progress:
        done_here = self._done_here()
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
