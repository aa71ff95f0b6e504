"""Display modes and sanitizing: article text is data, never markup or control."""

from __future__ import annotations

import pytest
from rich.cells import cell_len

from workbench.arabic import match_key
from workbench.display import RLM, display_lines, sanitize, terminal_text, wrap_logical

SENTENCE = "وأكد التحالف الاحتفاظ بـ “حق الدفاع عن نفسه وعن القوات الشريكة ضد أي تهديد”."


@pytest.mark.parametrize(
    ("hostile", "shown"),
    [
        ("قسد \x1b[31mحمراء\x1b[0m", "قسد حمراء"),  # ANSI colour
        ("عنوان\x1b]0;pwned\x07 نص", "عنوان نص"),  # OSC window title
        ("رابط \x1b]8;;http://evil\x1b\\هنا\x1b]8;;\x1b\\", "رابط هنا"),  # OSC 8 hyperlink
        ("a\u202eevil\u202c b", "aevil b"),  # right-to-left override
        ("\u2067معزول\u2069", "معزول"),  # isolate
        ("bell\x07 and\x00 nul\x7f", "bell and nul"),
        ("tab\there\r\nnext", "tab here  next"),
        ("[bold]داعش[/bold] [link=x]y[/link]", "[bold]داعش[/bold] [link=x]y[/link]"),  # kept: the
        # widgets render text as Text, never as markup (tested in the TUI tests)
    ],
)
def test_sanitize_removes_what_could_act_on_the_terminal(hostile, shown):
    assert sanitize(hostile) == shown


def test_sanitize_keeps_arabic_marks_joiners_and_diacritics():
    text = "عَلي حجّو\u200c\u200d\u200f"
    assert sanitize(text) == text


def test_terminal_mode_is_logical_text_framed_in_rlms_and_right_aligned():
    assert terminal_text(SENTENCE) == RLM + SENTENCE + RLM
    lines = display_lines(SENTENCE, 30, "terminal")
    assert all(line.endswith(RLM) and cell_len(line) == 30 for line in lines)
    assert " ".join(line.strip().strip(RLM) for line in lines) == SENTENCE
    # The short last line is padded on the left: VTE lays rows out left to right.
    assert lines[-1].startswith(" ")


def test_app_mode_wraps_logically_then_reorders_each_line():
    width = 30
    logical = wrap_logical(SENTENCE, width)
    visual = display_lines(SENTENCE, width, "app")
    assert len(visual) == len(logical) > 1
    for log, vis in zip(logical, visual, strict=True):
        assert cell_len(vis) <= width
        # Reordered and reshaped, but the same letters: NFKC folds presentation forms back.
        assert match_key(vis) != match_key(log)
        assert sorted(match_key(vis).replace(" ", "")) == sorted(match_key(log).replace(" ", ""))
    # The first logical word sits, letters reversed, at the right end of the first line.
    assert match_key(visual[0].split()[-1])[::-1] == match_key(logical[0].split()[0])


def test_app_mode_keeps_numbers_left_to_right():
    (line,) = display_lines("بلغ عدد القتلى 374 عنصرا", 80, "app")
    assert "374" in line


def test_wrapping_measures_harakat_as_zero_width():
    plain = "الهجوم على سجن الصناعة في الحسكة"
    voweled = "الهُجُومُ عَلَى سِجْنِ الصِّنَاعَةِ فِي الحَسَكَةِ"
    assert [len(x.split()) for x in wrap_logical(plain, 14)] == [
        len(x.split()) for x in wrap_logical(voweled, 14)
    ]


def test_wrap_cuts_a_word_longer_than_the_line():
    lines = wrap_logical("قصير " + "ط" * 25, 10)
    assert lines[0] == "قصير" and all(cell_len(x) <= 10 for x in lines)
    assert "".join(lines[1:]) == "ط" * 25
