"""The Arabic matching key used for the speaker registry and search."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workbench.arabic import match_key, normalize_unicode


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("علي حجو", "عَلي حجّو"),  # diacritics (fatha, shadda)
        ("الأمم المتحدة", "الامم المتحدة"),  # hamza on alef
        ("إسحق", "اسحق"),  # hamza under alef
        ("آسايش", "اسايش"),  # madda
        ("تركيا", "تركيّا"),
        ("مصطفى", "مصطفي"),  # alef maksura
        ("الإدارة الذاتية", "الادارة الذاتيه"),  # teh marbuta
        ("مدينة", "مديـــنة"),  # tatweel
        ("قسد", "\u200fقسد\u200e"),  # bidi marks
        ("قسد", "\ufed7\ufeb4\ufeaa"),  # presentation forms (reshaped text)
        ("Global Coalition", "global  coalition "),
    ],
)
def test_spellings_of_one_name_share_a_key(a, b):
    assert match_key(a) == match_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [("علي حجو", "علي حجي"), ("قسد", "داعش"), ("UN", "UK"), ("سوريا", "سوريا الديمقراطية")],
)
def test_different_names_keep_different_keys(a, b):
    assert match_key(a) != match_key(b)


def test_key_is_stripped_and_idempotent():
    key = match_key("  وزارة الخارجية   والتنمية البريطانية ")
    assert key == "وزاره الخارجيه والتنميه البريطانيه"
    assert match_key(key) == key


def test_camel_tools_is_loaded_only_when_a_key_is_asked_for():
    code = (
        "import sys, workbench.arabic\n"
        "before = 'camel_tools.utils.charsets' in sys.modules\n"
        "workbench.arabic.match_key('قسد')\n"
        "print(before, 'camel_tools.utils.charsets' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]


@given(
    st.text(
        alphabet=st.one_of(
            st.characters(min_codepoint=0x0600, max_codepoint=0x06FF),
            st.characters(min_codepoint=0xFB50, max_codepoint=0xFEFF),  # presentation forms
            st.sampled_from(["\ufdfc", "\ufdfd", " ", "a", "\u0640", "\u200f"]),
            st.characters(),
        )
    )
)
def test_normalize_unicode_is_exactly_camel_tools(text):
    from camel_tools.utils.normalize import normalize_unicode as camel_normalize_unicode

    assert normalize_unicode(text) == camel_normalize_unicode(text)
