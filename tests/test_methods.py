"""The methods paragraph and table: every figure from the report (or its
context), missing keys leave their sentence out, LaTeX escaped, Markdown sanitized."""

from __future__ import annotations

import contextlib
import copy
import re
from typing import Any

import pytest

from workbench import methods, report, segment
from workbench.assign import assign
from workbench.methods import methods_context, methods_latex, methods_markdown
from workbench.stats import gold_counts

FULL: dict[str, Any] = {
    "codebook": {"name": "hasakah-stance", "version": "1.2.0"},
    "selection": {
        "codebook": {"name": "hasakah-stance", "version": "1.2.0"},
        "coders": ["amina", "omar", "leila"],
        "articles": None,
        "round": "spring",
        "excluded_versions": {"1.1.0": 17},
    },
    "fields": {
        "claim_type": {
            "units": 142,
            "coders": 3,
            "level": "nominal",
            "krippendorff_alpha": 0.81234,
            "alpha_ci": [0.74411, 0.87702],
            "alpha_ci_method": "percentile bootstrap over units",
            "bootstrap": {"resamples": 1000, "seed": 7},
            "alpha_below": {"0.667": 0.00125, "0.8": 0.4125},
            "sample_size": {
                "alpha_min": 0.8,
                "rarest": "denial",
                "required_units": 139,
                "units": 142,
            },
            "undefined_reason": None,
            "categories": {},
        },
        "stance": {
            "units": 120,
            "coders": 3,
            "level": "masi",
            "krippendorff_alpha": 0.6021,
            "alpha_ci": [0.5117, 0.69],
            "alpha_ci_method": "percentile bootstrap over units",
            "bootstrap": {"resamples": 1000, "seed": 7},
            "alpha_below": {"0.667": 0.921, "0.8": 1.0},
            "sample_size": {
                "alpha_min": 0.8,
                "rarest": "un:deny",
                "required_units": 412,
                "units": 120,
            },
            "undefined_reason": None,
            "categories": {},
        },
        "confidence": {
            "units": 0,
            "coders": 1,
            "level": "ordinal",
            "krippendorff_alpha": None,
            "alpha_ci": None,
            "undefined_reason": "fewer than two coders",
            "categories": {},
        },
    },
    "codability": {
        "units": 150,
        "krippendorff_alpha": 0.9012,
        "alpha_ci": [0.85, 0.95],
        "alpha_below": {"0.667": 0.0, "0.8": 0.0031},
        "rates": {
            "amina": {"skipped": 0.04, "flagged": 0.0133, "draft": 0.0},
            "omar": {"skipped": 0.1, "flagged": 0.0, "draft": 0.0066},
        },
    },
    "coders": {"amina": {"units": 150}, "omar": {"units": 148}, "leila": {"units": 90}},
}

CONTEXT: dict[str, Any] = {
    "segmentation": "workbench-arabic-sentences/1",
    "assignment_runs": [
        {
            "run": 1,
            "algorithm": "sentence-balanced-greedy/1",
            "coders": ["amina", "omar", "leila"],
            "seed": 11,
            "overlap": 0.25,
            "articles": None,
            "replace": False,
            "assigned_articles": 40,
        },
        {
            "run": 2,
            "algorithm": "sentence-balanced-greedy/1",
            "coders": ["amina", "omar"],
            "seed": 12,
            "per_article": 2,
            "articles": ["hasakah-06"],
            "replace": False,
            "assigned_articles": 1,
        },
    ],
    "articles": 41,
    "sentences": 1210,
    "coders_per_article": {"1": 30, "2": 11},
    "gold": {"unanimous": 101, "adjudicated": 30, "unresolved": 13, "stale": 2},
    "adjudicators": 3,
    "codebook": {
        "name": "hasakah-stance",
        "version": "1.2.0",
        "sha256": "0123456789ab",
        "file": "hasakah.toml",
    },
}

# Numbers in the text that are not figures: citations, the interval's level,
# the table's number.
PROSE_NUMBERS = {"95", "1", "2019", "1989", "2007", "2006"}
# Strings holding digits that are names, not figures.
NAMES = (
    "1.2.0",
    "1.1.0",
    "workbench-arabic-sentences/1",
    "sentence-balanced-greedy/1",
    "hasakah-06",
    "sha256",
)


def figures(value: Any) -> set[str]:
    """Every number in a report or context, as printed (floats to 3 decimals)."""
    out: set[str] = set()
    if isinstance(value, dict):
        for key, v in value.items():
            out |= figures(v)
            with contextlib.suppress(ValueError):
                out.add(f"{float(key):.3f}")  # alpha_min keys
    elif isinstance(value, list):
        for v in value:
            out |= figures(v)
    elif isinstance(value, bool):
        pass
    elif isinstance(value, float):
        out.add(f"{value:.3f}")
    elif isinstance(value, int):
        out.add(str(value))
    return out


def printed_numbers(text: str) -> list[str]:
    text = re.sub(r"`[^`]*`|\\texttt\{[^}]*\}", "", text)  # identifiers
    for name in NAMES:
        text = text.replace(name, "")
    return re.findall(r"-?\d+(?:\.\d+)?", text)


@pytest.mark.parametrize("render", [methods_markdown, methods_latex])
def test_every_printed_number_is_a_figure_of_the_report_or_its_context(render):
    text = render(FULL, CONTEXT)
    allowed = figures(FULL) | figures(CONTEXT) | PROSE_NUMBERS
    strays = [n for n in printed_numbers(text) if n not in allowed]
    assert strays == []


@pytest.mark.parametrize("render", [methods_markdown, methods_latex])
def test_every_figure_is_printed_with_three_decimals(render):
    text = render(FULL, CONTEXT)
    for fid, f in FULL["fields"].items():
        assert fid.replace("_", "\\_" if render is methods_latex else "_") in text
        if f["krippendorff_alpha"] is not None:
            lo, hi = f["alpha_ci"]
            assert f"{f['krippendorff_alpha']:.3f}" in text
            assert f"[{lo:.3f}, {hi:.3f}]" in text
            for p in f["alpha_below"].values():
                assert f"{p:.3f}" in text
            size = f["sample_size"]
            assert f"needs {size['required_units']} units" in text
            assert f"has {size['units']}" in text
    assert "0.812 & [0.744, 0.877] & 0.001 & 0.412" in methods_latex(FULL, CONTEXT)
    assert "| 0.812 | [0.744, 0.877] | 0.001 | 0.412 |" in methods_markdown(FULL, CONTEXT)
    # The q columns and the thresholds, in order.
    assert "0.667 and 0.800" in text
    # Codability, per coder, bootstrap, selection.
    lt = "$<$" if render is methods_latex else "<"
    assert "0.901" in text and "[0.850, 0.950]" in text and f"q({lt}0.800) = 0.003" in text
    assert "over 150 sentences" in text
    assert "amina 150 units (skipped 0.040, flagged 0.013, drafts 0.000)" in text
    assert "omar 148 units (skipped 0.100, flagged 0.000, drafts 0.007)" in text
    assert "leila 90 units" in text
    assert "percentile bootstrap over units (1000 resamples, seed 7)" in text
    assert "17 under version 1.1.0" in text and "round spring" in text


@pytest.mark.parametrize("render", [methods_markdown, methods_latex])
def test_selection_disagreements_codebook_and_segmentation_come_from_the_context(render):
    text = render(FULL, CONTEXT)
    assert "overlap 0.250" in text and "seed 11" in text
    assert "every article to 2 coder(s)" in text and "seed 12" in text
    assert "hasakah-06" in text
    assert "Of the 41 current articles (1210 sentences), 11 have 2 coders and 30 have 1 coder" in (
        text
    )
    assert "101 were unanimous" in text and "30 were settled by an adjudicator" in text
    assert "(3 adjudicators)" in text and "13 remain unresolved" in text
    assert "2 have labels changed since" in text
    assert "0123456789ab" in text and "hasakah.toml" in text
    assert "workbench-arabic-sentences/1" in text
    assert "Krippendorff (2019, after Bloch" in text and "Kraemer 1989)" in text


def test_undefined_alpha_prints_undefined_with_its_reason():
    text = methods_markdown(FULL, CONTEXT)
    assert "| `confidence` | ordinal | — | 0 | — | undefined | — | — | — |" in text
    assert "- `confidence`: alpha undefined (fewer than two coders)." in text
    latex = methods_latex(FULL, CONTEXT)
    assert r"\texttt{confidence} & ordinal & --- & 0 & --- & undefined" in latex


def test_a_sample_too_small_is_said():
    text = methods_markdown(FULL, CONTEXT)
    assert "`stance` needs 412 units for its rarest value `un:deny`" in text
    assert "has 120 (too few)" in text
    assert "has 142 (too few)" not in text
    assert "The sample is too small for `stance`" in text


def test_a_round_one_report_leaves_out_what_it_does_not_have(coded, codebook):
    store, _, _ = coded
    result = report.build(store, codebook, bootstrap=50, seed=3)
    # A report of the first shape: none of the keys issue 11 added.
    for f in result["fields"].values():
        for key in ("alpha_below", "sample_size", "bootstrap", "alpha_ci_method"):
            f.pop(key, None)
        for c in f["categories"].values():
            c.pop("alpha_below", None)
    for key in ("codability", "by_article", "over_time"):
        result.pop(key, None)
    for render in (methods_markdown, methods_latex):
        text = render(result, {})
        assert "q(" not in text and "Sample size" not in text and "resamples" not in text
        assert "Disagreements" not in text and "assigned" not in text
        for f in result["fields"].values():
            alpha = f["krippendorff_alpha"]
            assert (f"{alpha:.3f}" if alpha is not None else "undefined") in text
            if f["alpha_ci"]:
                assert "[{:.3f}, {:.3f}]".format(*f["alpha_ci"]) in text
        assert "hasakah-stance" in text and "sha256" not in text


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = []
    if isinstance(value, dict):
        for key, v in value.items():
            out.append((*prefix, key))
            out += _paths(v, (*prefix, key))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*prefix, i))
    return out


def _without(value: Any, path: tuple[Any, ...], replacement: Any = KeyError) -> Any:
    copied = copy.deepcopy(value)
    parent = copied
    for key in path[:-1]:
        parent = parent[key]
    if replacement is KeyError and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent[path[-1]] = None if replacement is KeyError else replacement
    return copied


@pytest.mark.parametrize("which", ["report", "context"])
def test_any_key_missing_or_of_another_type_never_crashes(which):
    source = FULL if which == "report" else CONTEXT
    for path in _paths(source):
        for replacement in (KeyError, None, "x", [], {}):
            broken = _without(source, path, replacement)
            args = (broken, CONTEXT) if which == "report" else (FULL, broken)
            for render in (methods_markdown, methods_latex):
                assert render(*args).endswith("\n"), path
    for render in (methods_markdown, methods_latex):
        assert render({}, {}).endswith("\n")
        assert render({"fields": {"x": {}}}, {"gold": {"adjudicated": "many"}}).endswith("\n")
        assert render(None, None).endswith("\n")  # type: ignore[arg-type]


def test_the_hash_is_printed_only_for_the_version_the_report_covers():
    other = {**CONTEXT, "codebook": {**CONTEXT["codebook"], "version": "1.1.0"}}
    assert "0123456789ab" not in methods_markdown(FULL, other)
    assert "0123456789ab" in methods_markdown(FULL, CONTEXT)


HOSTILE = "x$y#z{a}~b^c\\d&e%f_g|h<i>"


def test_latex_escapes_its_special_characters_and_passes_arabic_through():
    assert (
        methods.latex_escape(HOSTILE)
        == r"x\$y\#z\{a\}\textasciitilde{}b\textasciicircum{}c\textbackslash{}d\&e\%f\_g"
        r"\textbar{}h\textless{}i\textgreater{}"
    )
    hostile = copy.deepcopy(FULL)
    hostile["coders"] = {HOSTILE: {"units": 5}, "أمينة": {"units": 6}}
    hostile["codability"]["rates"] = {}
    hostile["fields"]["claim_type"]["sample_size"]["rarest"] = "نفي"
    hostile["fields"]["a&b_%"] = hostile["fields"].pop("stance")
    latex = methods_latex(hostile, CONTEXT)
    assert methods.latex_escape(HOSTILE) + " 5 units" in latex
    assert "أمينة 6 units" in latex and r"\texttt{نفي}" in latex
    assert r"\texttt{a\&b\_\%}" in latex
    assert "% Arabic text below needs XeLaTeX or LuaLaTeX" in latex
    assert "Arabic" not in methods_latex(FULL, CONTEXT)
    assert HOSTILE not in latex and "a&b" not in latex and "{x}" not in latex


def test_markdown_is_sanitized_logical_text_with_data_escaped():
    hostile = copy.deepcopy(FULL)
    hostile["coders"] = {"\x1b[31mred\x1b[0m\u202e": {"units": 5}, "a*b_c": {"units": 6}}
    hostile["fields"]["claim|type"] = hostile["fields"].pop("claim_type")
    hostile["fields"]["confidence"]["undefined_reason"] = "bad\nline | [x](y)"
    text = methods_markdown(hostile, CONTEXT)
    assert "\x1b" not in text and "\u202e" not in text and "red 5 units" in text
    assert r"a\*b\_c 6 units" in text
    assert "| `claim\\|type` |" in text  # a pipe in a cell would split it
    assert r"(bad line \| \[x\](y))" in text
    header = next(line for line in text.splitlines() if line.startswith("| Variable"))
    rows = [line for line in text.splitlines() if line.startswith("| `") or "codability |" in line]
    assert all(r.count(" | ") == header.count(" | ") for r in rows)


def test_context_from_the_store(coded, codebook):
    store, book, s = coded
    assign(store, ["amal", "badr", "chadi"], overlap=0.4, seed=5)
    context = methods_context(store, codebook)
    (run,) = context["assignment_runs"]
    assert run["overlap"] == 0.4 and run["seed"] == 5 and run["coders"] == ["amal", "badr", "chadi"]
    assert run["run"] == 1 and run["assigned_articles"] == context["articles"] == 5
    assert context["coders_per_article"] == {"1": 3, "2": 2}
    assert context["segmentation"] == segment.RULES
    assert context["codebook"] == {
        "name": codebook.name,
        "version": codebook.version,
        "sha256": codebook.content_hash[:12],
        "file": "hasakah.toml",
    }
    assert context["gold"] == gold_counts(store, codebook)
    assert context["adjudicators"] == 0
    store.set_gold(s[3], "dana", data={"speaker": "sdf"}, codebook_id=book)
    context = methods_context(store, codebook)
    assert context["gold"]["adjudicated"] == 1 and context["adjudicators"] == 1
    # The report's selection narrows the gold counts: two coders, fewer units.
    two = methods_context(store, codebook, selection={"coders": ["amal", "badr"]})
    assert two["gold"]["unanimous"] > context["gold"]["unanimous"]  # s[2]: chadi differed
    text = methods_markdown(report.build(store, codebook, bootstrap=0), context)
    assert "overlap 0.400" in text and "seed 5" in text
    assert "1 were settled by an adjudicator (1 adjudicator)" in text
    assert codebook.content_hash[:12] in text


def test_context_of_a_database_without_assignments(store, codebook):
    context = methods_context(store, codebook)
    assert context["assignment_runs"] == [] and context["coders_per_article"] == {"0": 5}
    text = methods_markdown({"codebook": FULL["codebook"]}, context)
    assert "No assignment run is recorded" in text and "5 have no coder" in text


def test_a_bootstrap_that_differs_between_fields_is_named_per_field():
    varied = copy.deepcopy(FULL)
    varied["fields"]["stance"]["bootstrap"] = {"resamples": 200, "seed": 9}
    text = methods_markdown(varied, CONTEXT)
    assert "`claim_type` by percentile bootstrap over units (1000 resamples, seed 7)" in text
    assert "`stance` by percentile bootstrap over units (200 resamples, seed 9)" in text
