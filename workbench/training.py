"""Trainees measured against a training round's answer key.

After a trainee commits a sentence of an open training round, the labeling
screen shows the key's answer (`feedback`); the round's report gives each
trainee, per field, the agreement with the key, Cohen's kappa with a
percentile-bootstrap interval and Krippendorff's alpha with its interval,
and whether the trainee reached the round's threshold (`pass_alpha`,
default .800, Krippendorff 2019) on every field. Only fields that are
adjudicated are compared: a coder's own confidence has no right answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from workbench.agreement import AgreementError, cohen_kappa, percent_agreement
from workbench.codebook import LEVEL_OF_KIND, Codebook, Field
from workbench.gold import comparable
from workbench.reliability import coder_reliability, field_reliability
from workbench.rounds import Round, key_answer, sentence_ids
from workbench.store import Store


def compared_fields(codebook: Codebook) -> list[Field]:
    """The fields a trainee is measured on: coded and adjudicated."""
    return [f for f in codebook.fields if f.kind in LEVEL_OF_KIND and f.adjudicate]


@dataclass(frozen=True)
class Feedback:
    """The key's answer for one committed sentence, field by field."""

    key: str
    answers: dict[str, Any]  # field id -> the key's stored value (absent: unset)
    matched: dict[str, bool]  # field id -> whether the trainee's value is the key's
    status: str  # the key's status (labeled, skipped, flagged)

    @property
    def all_matched(self) -> bool:
        return all(self.matched.values())


def feedback(
    store: Store, rnd: Round, codebook: Codebook, sentence_id: int, data: dict[str, Any]
) -> Feedback | None:
    """How a trainee's committed `data` compares with the key, or None when
    the key has no answer for this sentence."""
    state = key_answer(store, rnd, sentence_id)
    if state is None:
        return None
    assert rnd.key is not None
    key_data = state.get("data") or {}
    matched = {
        f.id: comparable(f, data.get(f.id)) == comparable(f, key_data.get(f.id))
        for f in compared_fields(codebook)
    }
    answers = {f.id: key_data[f.id] for f in compared_fields(codebook) if f.id in key_data}
    return Feedback(rnd.key, answers, matched, state["status"])


def trainee_report(
    store: Store, rnd: Round, codebook: Codebook, *, bootstrap: int = 1000, seed: int = 0
) -> dict[str, Any]:
    """{"key", "pass_alpha", "coders": {trainee: {"passed", "below": [fields],
    "fields": {field: {"units", "percent_agreement", "cohen_kappa", "kappa_ci",
    "krippendorff_alpha", "alpha_ci", "undefined_reason"}}}}}.

    Units are the round's sentences both the trainee and the key labeled
    (status "labeled"); a trainee passes when alpha with the key reaches
    `pass_alpha` on every compared field. Where alpha is undefined (the key
    and the trainee used one value throughout) only full agreement passes.
    """
    assert rnd.key is not None
    keyed: dict[int, dict[str, Any]] = {}
    for sid in sentence_ids(store, rnd):
        state = key_answer(store, rnd, sid)
        if state is not None and state["status"] == "labeled":
            keyed[sid] = state["data"]
    fields = compared_fields(codebook)
    result: dict[str, Any] = {"key": rnd.key, "pass_alpha": rnd.pass_alpha, "coders": {}}
    for trainee in rnd.coders:
        mine = {}
        for sid in keyed:
            state = store.label(sid, trainee)
            if state is not None and state["status"] == "labeled":
                mine[sid] = state["data"]
        per_field = {}
        for f in fields:
            units = [
                [comparable(f, mine[sid].get(f.id)), comparable(f, keyed[sid].get(f.id))]
                for sid in keyed
                if sid in mine
            ]
            units = [u for u in units if None not in u]
            per_field[f.id] = _against_key(units, f, trainee, rnd.key, bootstrap, seed)
        below = [fid for fid, r in per_field.items() if not _reached(r, rnd.pass_alpha)]
        result["coders"][trainee] = {
            "units": len(mine),
            "fields": per_field,
            "below": below,
            "passed": bool(mine) and not below,
        }
    return result


def _reached(result: dict[str, Any], pass_alpha: float) -> bool:
    alpha = result["krippendorff_alpha"]
    if alpha is None:
        return result["units"] > 0 and result["percent_agreement"] == 1.0
    return alpha >= pass_alpha


def _against_key(
    units: list[list[Any]], f: Field, trainee: str, key: str, bootstrap: int, seed: int
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "units": len(units),
        "percent_agreement": None,
        "cohen_kappa": None,
        "kappa_ci": None,
        "krippendorff_alpha": None,
        "alpha_ci": None,
        "undefined_reason": None,
    }
    if not units:
        out["undefined_reason"] = "no sentence labeled by both the trainee and the key"
        return out
    level = LEVEL_OF_KIND[f.kind]
    out["percent_agreement"] = percent_agreement(units)
    order = list(f.value_ids) if f.kind == "ordinal" else None
    try:
        alpha = field_reliability(units, level, categories=order, n_resamples=bootstrap, seed=seed)
    except AgreementError as exc:
        out["undefined_reason"] = str(exc)
        return out
    out["krippendorff_alpha"] = alpha["krippendorff_alpha"]
    out["alpha_ci"] = alpha["alpha_ci"]
    out["undefined_reason"] = alpha.get("undefined_reason")
    kappa = cohen_kappa(units)
    if kappa == kappa:  # NaN: every value the same for both
        pairs = coder_reliability(units, [trainee, key], level, order, bootstrap, seed)["pairs"]
        out["cohen_kappa"] = kappa
        out["kappa_ci"] = pairs[f"{trainee}|{key}"]["kappa_ci"]
    return out
