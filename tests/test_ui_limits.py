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


def _squeezed(text: str) -> str:
    return "".join(limits.visible(text).split())


def test_a_call_that_fits_is_left_alone() -> None:
    assert limits.fit_call("sendMessage", {"chat_id": 1, "text": "hi"}) is None
    assert limits.fit_call("getMe", {}) is None
    assert limits.fit_call("sendPhoto", {"chat_id": 1, "caption": "x" * 1024}) is None


def test_a_long_message_is_sent_as_pages_with_the_buttons_on_the_last() -> None:
    body = "\n\n".join(f"<b>{n}</b> 食堂😀 &lt;收费&gt; " + "字" * 300 for n in range(40))
    fitted = limits.fit_call(
        "sendMessage",
        {"chat_id": 7, "text": body, "parse_mode": "HTML", "reply_markup": "KB"},
    )
    assert fitted is not None and not fitted.after
    sent = [*fitted.before, fitted.call]
    assert len(sent) >= 3
    assert all(limits.fits(call["text"]) for call in sent)
    assert fitted.call["reply_markup"] == "KB"
    assert all("reply_markup" not in call and call["chat_id"] == 7 for call in fitted.before)
    assert _squeezed("".join(call["text"] for call in sent)) == _squeezed(body)  # nothing lost


def test_an_edit_keeps_its_message_and_sends_the_rest_after_it() -> None:
    body = "行" * 5000 + "END"
    fitted = limits.fit_call(
        "editMessageText", {"chat_id": 7, "message_id": 3, "text": body, "parse_mode": "HTML"}
    )
    assert fitted is not None and not fitted.before
    assert fitted.call["message_id"] == 3 and limits.fits(fitted.call["text"])
    assert [call["chat_id"] for call in fitted.after] == [7]
    joined = fitted.call["text"] + "".join(call["text"] for call in fitted.after)
    assert joined == body


def test_a_long_caption_keeps_1024_units_and_the_rest_follows() -> None:
    caption = "图😀" * 700 + "<&>"  # plain text: escaped, then sent as HTML
    fitted = limits.fit_call("sendDocument", {"chat_id": 7, "caption": caption})
    assert fitted is not None
    assert limits.length(fitted.call["caption"]) <= limits.CAPTION_LIMIT
    assert fitted.call["parse_mode"] == "HTML"
    rest = "".join(call["text"] for call in fitted.after)
    assert limits.visible(fitted.call["caption"] + rest) == caption
