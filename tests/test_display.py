"""Display modes and sanitizing: article text is data, never markup or control."""

from __future__ import annotations

import pytest
from rich.cells import cell_len

from workbench.arabic import match_key
from workbench.display import LRM, RLM, display_lines, sanitize, wrap_logical

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
    (whole,) = display_lines(SENTENCE, 200, "terminal")
    assert whole.lstrip(" ") == RLM + SENTENCE + " " + RLM
    lines = display_lines(SENTENCE, 30, "terminal")
    assert all(line.endswith(RLM) and cell_len(line) == 30 for line in lines)
    assert " ".join(line.strip().strip(RLM).strip() for line in lines) == SENTENCE
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


# -- the one display path (issue 10) --------------------------------------

import time  # noqa: E402
import unicodedata  # noqa: E402
from pathlib import Path  # noqa: E402

from bidi import get_display  # noqa: E402

from workbench import display  # noqa: E402
from workbench.display import (  # noqa: E402
    base_direction,
    cut,
    display_line,
    has_arabic,
    unshaped_arabic,
    visible,
    visual_line,
)

CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "hasakah-2022"


def corpus_paragraphs() -> list[str]:
    return [p for f in sorted(CORPUS.glob("*.txt")) for p in f.read_text("utf-8").split("\n") if p]


def test_app_mode_mirrors_brackets_around_arabic_and_latin():
    (line,) = display_lines("قال (موظفي السجن) إن (Getty) صورة.", 80, "app")
    shown = line.strip()
    # Read right to left: the opening bracket of each pair is on its right.
    assert "(ﻦﺠﺴﻟﺍ ﻲﻔﻇﻮﻣ)" in shown
    assert "(Getty)" in shown
    assert ")" + "ﻦﺠﺴﻟﺍ" not in shown


def test_brackets_inside_english_stay_as_typed():
    assert display_line("Speaker (SDF) said", "app") == "Speaker (SDF) said"
    assert display_line("<b> [x] {y}", "app") == "<b> [x] {y}"


def test_reordering_by_levels_is_python_bidis_reordering():
    """The app reorders lines with brackets itself (to mirror them); without
    mirroring, its order must be python-bidi's exactly, on every corpus line."""
    brackets = str.maketrans("", "", "()[]{}<>«»")
    checked = 0
    for paragraph in corpus_paragraphs():
        for width in (37, 71):
            for line in wrap_logical(sanitize(paragraph), width):
                shaped = display._reshaper().reshape(line)
                for base in ("R", "L"):
                    ours = display._reorder(shaped, base)
                    theirs = get_display(shaped, base_dir=base)
                    # Every other character in python-bidi's place; the
                    # brackets differ only where they were mirrored.
                    assert ours.translate(brackets) == theirs.translate(brackets), line
                    checked += 1
    assert checked > 500


def test_no_unshaped_arabic_letter_in_app_mode_on_the_corpus():
    for paragraph in corpus_paragraphs():
        for width in (30, 76, 118):
            for line in display_lines(paragraph, width, "app"):
                assert unshaped_arabic(line) == [], line
        assert unshaped_arabic(display_line(paragraph, "app", 40)) == []


def test_every_arabic_letter_with_presentation_forms_is_shaped():
    letters = "".join(chr(c) for c in range(0x0621, 0x064B) if c != 0x0640)
    assert len(unshaped_arabic(letters)) == len(letters) - 5  # U+063B-063F have none
    assert unshaped_arabic(visual_line(letters)) == []
    for word in ("لا", "ء", "آمنة", "مسؤول", "إرهابيي", "ى"):
        assert unshaped_arabic(visual_line(word)) == [], word


def test_app_mode_wraps_first_then_reorders_so_lines_keep_reading_order():
    text = "قمر شمس نجم بحر نهر جبل سهل وادي"
    lines = display_lines(text, 12, "app")
    assert len(lines) > 1
    # The first line holds the first words (its rightmost word is the first word).
    first = unicodedata.normalize("NFKC", lines[0]).split()
    assert first[-1][::-1] == "قمر"
    last = unicodedata.normalize("NFKC", lines[-1]).split()
    assert last[0][::-1] == "وادي"


def test_right_to_left_paragraphs_are_right_aligned_in_both_modes():
    for mode in ("app", "terminal"):
        lines = display_lines("قال المرصد إن عدد القتلى بلغ 374", 20, mode)
        assert len(lines) > 1
        assert all(cell_len(x) == 20 for x in lines), mode
        assert lines[-1].startswith(" "), mode
    # A left-to-right paragraph is left as it is.
    assert display_lines("Speaker said", 20, "app") == ["Speaker said"]
    assert display_lines("Speaker said", 20, "terminal") == ["Speaker said"]


def test_paragraph_direction_is_the_first_strong_character():
    assert base_direction("«قال» 2022") == "R"
    assert base_direction("(2022) SDF قسد") == "L"
    assert base_direction("2022 …") == "L"
    assert base_direction("") == "L"


def test_terminal_mode_frames_right_to_left_text_so_leading_quotes_stay_with_it():
    (line,) = display_lines("«قال» المرصد.", 40, "terminal")
    # The closing RLM after a space: in VTE a bracket sharing its cell with
    # the RLM was drawn unmirrored.
    assert line.lstrip(" ") == RLM + "«قال» المرصد. " + RLM
    # Inside a left-to-right row, framed in LRMs too: two Arabic cells of
    # one row must not run together into one right-to-left run.
    assert display_line("علي حجو", "terminal") == LRM + RLM + "علي حجو " + RLM + LRM
    assert display_line("Ali", "terminal") == "Ali"


def test_truncation_keeps_the_logical_start_and_marks_the_logical_end():
    outlet = "روداو ميديا نيوز"
    assert cut(outlet, 12) == "روداو ميديا…"
    shown = display_line(outlet, "app", 12)
    assert cell_len(shown) <= 12
    # Drawn right to left, the start (الاتحاد) is on the right, the mark on the left.
    assert shown.startswith("…")
    assert unicodedata.normalize("NFKC", shown).endswith("روداو"[::-1])
    assert display_line(outlet, "terminal", 12) == LRM + RLM + "روداو ميدي… " + RLM + LRM
    assert cell_len(display_line(outlet, "terminal", 12)) == 12
    assert cut("abc", 0) == "" and cut("abc", 3) == "abc"


def test_display_functions_sanitize_what_comes_from_data():
    hostile = "evil\x1b]0;TITLE\x07 [link=file:///etc/passwd]x[/link] \x1b]52;c;aGk=\x07\udc00"
    for mode in ("app", "terminal"):
        for shown in (display_line(hostile, mode), *display_lines(hostile, 30, mode)):
            assert not any(c in shown for c in "\x1b\x07\x9b\udc00"), shown
            assert "TITLE" not in shown and "aGk" not in shown
    assert "[link=file:///etc/passwd]" in display_line(hostile, "terminal")


def test_line_separators_become_spaces():
    assert sanitize("a\u2028b\u2029c\x85d") == "a b c d"


def test_visible_shows_controls_as_escapes():
    assert visible("x\x1b]0;t\x07.txt") == "x\\x1b]0;t\\x07.txt"
    assert visible("ملف.txt") == "ملف.txt"
    assert visible("bad\udc00") == "bad\\udc00"


def test_has_arabic_ignores_tatweel_and_presentation_forms():
    assert has_arabic("قسد") and not has_arabic("ـــ") and not has_arabic("SDF")
    assert unshaped_arabic(visual_line("قسد")) == []


@pytest.mark.parametrize("mode", ["app", "terminal"])
def test_wrapping_a_long_word_is_linear(mode):
    """One 20,000-character word once took minutes (cubic wrap). Not a timing
    assertion: the number of cell-width measurements is counted instead."""
    import rich.cells

    calls = 0
    real = rich.cells.get_character_cell_size

    def counting(c):
        nonlocal calls
        calls += 1
        return real(c)

    display.get_character_cell_size = counting
    try:
        lines = wrap_logical("ط" * 20000, 70)
        cut("ط" * 20000, 50)
    finally:
        display.get_character_cell_size = real
    assert len(lines) == 286 and all(cell_len(x) <= 70 for x in lines)
    assert calls <= 20000 + 60
    start = time.perf_counter()
    display_lines("ط" * 20000 + " " + SENTENCE, 70, mode)
    assert time.perf_counter() - start < 30  # a freeze guard, not a speed target
