"""handlers/ui/limits.py: Telegram's length as it counts it, and long views cut into pages."""

from __future__ import annotations

from handlers.ui import limits


def test_length_is_counted_after_entity_parsing_in_utf16_code_units() -> None:
    assert limits.length("<b>Hi</b> &lt;3 &amp; you") == len("Hi <3 & you")
    assert limits.length("  \n<i>x</i>\n ") == 1  # surrounding white space is trimmed
    assert limits.length("😀") == 2 and limits.length("食") == 1


def test_clip_keeps_within_the_budget_and_marks_the_cut() -> None:
    assert limits.clip("short", 10) == "short"
    cut = limits.clip("😀" * 10, 7)
    assert cut.endswith(limits.ELLIPSIS) and limits.units(cut) <= 7
    assert "\ud83d" not in cut  # never half a surrogate pair


def test_one_page_when_it_fits() -> None:
    text = "<b>title</b>\n" + "x" * 4000
    assert limits.pages(text) == [text]


def test_pages_cut_at_blank_lines_and_keep_tags_balanced() -> None:
    part = "<b>Staff reply</b> · 3 Mar\n" + "y" * 30
    text = "\n\n".join([part] * 5)
    pages = limits.pages(text, limit=80)
    assert all(limits.length(p) <= 80 for p in pages)
    assert "".join(limits.visible(p) for p in pages).count("Staff reply") == 5
    for page in pages:
        assert page.count("<b>") == page.count("</b>")


def test_a_part_longer_than_a_page_is_split_with_its_tag_reopened() -> None:
    text = "<b>" + "a &amp; b " * 50 + "</b>"
    pages = limits.pages(text, limit=64)
    assert len(pages) > 1
    assert all(limits.length(p) <= 64 for p in pages)
    assert all(p.startswith("<b>") and p.endswith("</b>") for p in pages)
    assert all("&amp" not in p.replace("&amp;", "") for p in pages)  # no entity cut in two
    assert "".join(limits.visible(p) + " " for p in pages).count("a & b") == 50
