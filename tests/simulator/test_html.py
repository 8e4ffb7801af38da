"""simulator.html: Telegram's HTML parse mode, with its entities and its error messages."""

from __future__ import annotations

import html as stdlib_html

import pytest

from simulator.html import HtmlParseError, parse_html, utf16_len

PREFIX = "Bad Request: can't parse entities: "


def entity(kind: str, offset: int, length: int, **extra: object) -> dict[str, object]:
    return {"type": kind, "offset": offset, "length": length, **extra}


def error_of(markup: str, **kwargs: bool) -> str:
    with pytest.raises(HtmlParseError) as caught:
        parse_html(markup, **kwargs)
    message = str(caught.value)
    assert message.startswith(PREFIX)
    assert caught.value.reason == message.removeprefix(PREFIX)
    return caught.value.reason


# --------------------------------------------------------------------------- utf16_len


@pytest.mark.parametrize(
    ("text", "units"),
    [
        ("", 0),
        ("abc", 3),
        ("整风运动", 4),  # CJK: one unit each
        ("😀", 2),  # outside the BMP: a surrogate pair
        ("a😀中", 4),
        ("🇨🇳", 4),  # a flag is two regional indicators
        ("👍🏽", 4),  # emoji + skin tone modifier
        ("é", 1),
        ("e\u0301", 2),  # combining accent: two code points
        ("\u2764\ufe0f", 2),  # heart + variation selector, both in the BMP
    ],
)
def test_utf16_len(text: str, units: int) -> None:
    assert utf16_len(text) == units
    assert utf16_len(text) == len(text.encode("utf-16-le")) // 2


# --------------------------------------------------------------------------- plain text


@pytest.mark.parametrize(
    "text",
    ["", "hello", "整风 运动", "😀 emoji 👍🏽", "  spaces kept  \n", "a > b", "AT&T", "x = 1;"],
)
def test_text_without_markup_comes_back_unchanged(text: str) -> None:
    assert parse_html(text) == (text, [])


@pytest.mark.parametrize(
    "text", ["<b>", "a < b", "&amp;", "\"quoted\" 'single'", "中<文>&", "😀&😀"]
)
def test_escaped_text_round_trips(text: str) -> None:
    assert parse_html(stdlib_html.escape(text)) == (text, [])


# --------------------------------------------------------------------------- tags


@pytest.mark.parametrize(
    ("tag", "kind"),
    [
        ("b", "bold"),
        ("strong", "bold"),
        ("i", "italic"),
        ("em", "italic"),
        ("u", "underline"),
        ("ins", "underline"),
        ("s", "strikethrough"),
        ("strike", "strikethrough"),
        ("del", "strikethrough"),
        ("tg-spoiler", "spoiler"),
        ("code", "code"),
        ("pre", "pre"),
        ("blockquote", "blockquote"),
    ],
)
def test_each_simple_tag(tag: str, kind: str) -> None:
    assert parse_html(f"say <{tag}>hello</{tag}>!") == ("say hello!", [entity(kind, 4, 5)])


def test_tag_names_are_case_insensitive() -> None:
    assert parse_html("<B>x</b><Strong>y</STRONG>") == (
        "xy",
        [entity("bold", 0, 1), entity("bold", 1, 1)],
    )


def test_span_spoiler() -> None:
    assert parse_html('<span class="tg-spoiler">secret</span>') == (
        "secret",
        [entity("spoiler", 0, 6)],
    )


def test_a_span_without_the_spoiler_class() -> None:
    assert error_of("x<span>y</span>") == 'Tag "span" must have class "tg-spoiler" at byte offset 1'
    assert error_of('<span class="red">y</span>') == (
        'Tag "span" must have class "tg-spoiler" at byte offset 0'
    )


def test_nested_tags_give_nested_entities() -> None:
    text, entities = parse_html("<b>bold <i>both <u>all</u></i></b> none")
    assert text == "bold both all none"
    assert entities == [
        entity("bold", 0, 13),
        entity("italic", 5, 8),
        entity("underline", 10, 3),
    ]


def test_entities_at_the_same_place_follow_telegrams_order() -> None:
    _, entities = parse_html("<s><i><b><u>x</u></b></i></s>")
    assert [e["type"] for e in entities] == ["bold", "italic", "underline", "strikethrough"]


def test_an_entity_containing_another_starting_at_the_same_offset_comes_first() -> None:
    _, entities = parse_html("<i><b>ab</b>c</i>")
    assert entities == [entity("italic", 0, 3), entity("bold", 0, 2)]


def test_empty_entities_are_dropped() -> None:
    assert parse_html("<b></b>x<i><u></u></i>") == ("x", [])


def test_unknown_attributes_are_ignored() -> None:
    assert parse_html("<b class=\"x\" data-y='z'>x</b>") == ("x", [entity("bold", 0, 1)])
    assert parse_html("<b\nid=main\t>x</b >") == ("x", [entity("bold", 0, 1)])


def test_an_empty_end_tag_closes_the_innermost_tag() -> None:
    assert parse_html("<b>x<i>y</></>") == ("xy", [entity("bold", 0, 2), entity("italic", 1, 1)])


# --------------------------------------------------------------------------- offsets


def test_chinese_text_offsets() -> None:
    text, entities = parse_html("整风<b>运动</b>开始<i>了</i>")
    assert text == "整风运动开始了"
    assert entities == [entity("bold", 2, 2), entity("italic", 6, 1)]


def test_emoji_count_two_units() -> None:
    text, entities = parse_html("😀<b>👍🏽 ok</b> 🇨🇳<i>x</i>")
    assert text == "😀👍🏽 ok 🇨🇳x"
    assert entities == [entity("bold", 2, 7), entity("italic", 14, 1)]
    assert utf16_len(text) == 15


def test_entities_in_mixed_text_match_utf16_slices() -> None:
    markup = "问题 <b>😀报告</b> #1 <u>整改 ✅</u>"
    text, entities = parse_html(markup)
    units = text.encode("utf-16-le")
    pieces = [
        units[2 * int(str(e["offset"])) : 2 * (int(str(e["offset"])) + int(str(e["length"])))]
        for e in entities
    ]
    assert [p.decode("utf-16-le") for p in pieces] == ["😀报告", "整改 ✅"]


def test_decoded_entities_count_as_one_character() -> None:
    assert parse_html("&lt;<b>&amp;</b>") == ("<&", [entity("bold", 1, 1)])
    assert parse_html("&#128512;<b>x</b>") == ("😀x", [entity("bold", 2, 1)])


# --------------------------------------------------------------------------- character references


@pytest.mark.parametrize(
    ("markup", "text"),
    [
        ("&lt;&gt;&amp;&quot;", '<>&"'),
        ("&#65;&#x42;&#x4e2d;", "AB中"),
        ("&#128512;&#x1F600;", "😀😀"),
        ("&amp without semicolon", "& without semicolon"),
        ("&lt", "<"),
        ("AT&T & co", "AT&T & co"),
        ("&#0; &#; &#x; &#xZZ;", "&#0; &#; &#x; &#xZZ;"),  # invalid numbers stay as they are
        ("&#1114111;", "&#1114111;"),  # U+10FFFF is refused, as Telegram does
        ("&#00000000065;", "&#00000000065;"),  # too long
        ("&#X41;", "&#X41;"),  # only a lowercase x means hexadecimal
        ("&amp;lt;", "&lt;"),  # decoded once only
    ],
)
def test_character_references(markup: str, text: str) -> None:
    assert parse_html(markup) == (text, [])


def test_an_unsupported_named_entity_is_an_error() -> None:
    assert error_of("a&nbsp;b") == 'Unsupported HTML entity "&nbsp;" at byte offset 1'
    assert error_of("整风&copy;") == 'Unsupported HTML entity "&copy;" at byte offset 6'
    assert error_of('<a href="x&apos;y">l</a>') == (
        'Unsupported HTML entity "&apos;" at byte offset 10'
    )


def test_named_entities_are_case_sensitive() -> None:
    assert error_of("&LT;") == 'Unsupported HTML entity "&LT;" at byte offset 0'


def test_telegrams_leniency_with_unknown_entities_on_request() -> None:
    assert parse_html("a&nbsp;b&copy;", strict_entities=False) == ("a&nbsp;b&copy;", [])


def test_a_decoded_surrogate_is_an_error() -> None:
    message = (
        "Text contains invalid Unicode characters after decoding HTML entities, "
        "check for unmatched surrogate code units"
    )
    assert error_of("&#xD83D;") == message
    assert error_of("&#55357;&#56832;") == message  # even a "pair" of them


# --------------------------------------------------------------------------- links


def test_a_text_link() -> None:
    assert parse_html('see <a href="https://example.org/x?a=1&amp;b=2">this</a>') == (
        "see this",
        [entity("text_link", 4, 4, url="https://example.org/x?a=1&b=2")],
    )


def test_single_quoted_and_spaced_attributes() -> None:
    assert parse_html("<a  href = 'https://t.me/x' >t</a>") == (
        "t",
        [entity("text_link", 0, 1, url="https://t.me/x")],
    )


def test_an_unquoted_attribute_is_a_lowercased_name_token() -> None:
    assert parse_html("<a href=Example.ORG>e</a>") == (
        "e",
        [entity("text_link", 0, 1, url="example.org")],
    )


def test_a_link_without_href_links_its_text() -> None:
    assert parse_html("<a>https://example.org</a>") == (
        "https://example.org",
        [entity("text_link", 0, 19, url="https://example.org")],
    )


def test_a_user_mention_link() -> None:
    assert parse_html('<a href="tg://user?id=123456">Alice</a>') == (
        "Alice",
        [entity("text_mention", 0, 5, user={"id": 123456})],
    )


def test_a_link_inside_bold() -> None:
    text, entities = parse_html('<b>go <a href="https://x.org">here</a></b>')
    assert text == "go here"
    assert entities == [entity("bold", 0, 7), entity("text_link", 3, 4, url="https://x.org")]


# --------------------------------------------------------------------------- code and pre


def test_pre_with_a_language() -> None:
    markup = '<pre><code class="language-python">print("hi")\n</code></pre>'
    assert parse_html(markup) == (
        'print("hi")\n',
        [entity("pre", 0, 12, language="python")],
    )


def test_code_with_a_language_around_pre_also_works() -> None:
    assert parse_html('<code class="language-sql"><pre>SELECT 1</pre></code>') == (
        "SELECT 1",
        [entity("pre", 0, 8, language="sql")],
    )


def test_pre_without_a_language() -> None:
    assert parse_html("<pre>x = 1</pre>") == ("x = 1", [entity("pre", 0, 5)])


def test_pre_around_a_plain_code_gives_both() -> None:
    assert parse_html("<pre><code>x</code></pre>") == (
        "x",
        [entity("pre", 0, 1), entity("code", 0, 1)],
    )


def test_a_language_needs_the_whole_pre() -> None:
    assert parse_html('<pre>a<code class="language-go">b</code></pre>') == (
        "ab",
        [entity("pre", 0, 2), entity("code", 1, 1)],
    )


def test_inline_code_has_no_language() -> None:
    assert parse_html('<code class="language-c">int x;</code>') == (
        "int x;",
        [entity("code", 0, 6)],
    )


def test_code_keeps_markup_characters_escaped() -> None:
    assert parse_html("<code>&lt;b&gt;</code>") == ("<b>", [entity("code", 0, 3)])


# --------------------------------------------------------------------------- quotes, emoji, time


def test_blockquotes() -> None:
    assert parse_html("<blockquote>q</blockquote>") == ("q", [entity("blockquote", 0, 1)])
    assert parse_html("<blockquote expandable>long\nquote</blockquote>") == (
        "long\nquote",
        [entity("expandable_blockquote", 0, 10)],
    )
    assert parse_html('<blockquote expandable="">q</blockquote>') == (
        "q",
        [entity("expandable_blockquote", 0, 1)],
    )


def test_custom_emoji() -> None:
    assert parse_html('<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>') == (
        "👍",
        [entity("custom_emoji", 0, 2, custom_emoji_id="5368324170671202286")],
    )


@pytest.mark.parametrize(
    "markup",
    [
        '<tg-emoji emoji-id="abc">👍</tg-emoji>',
        '<tg-emoji emoji-id="0">👍</tg-emoji>',
        "<tg-emoji>👍</tg-emoji>",
        '<tg-emoji emoji-id="99999999999999999999">👍</tg-emoji>',
    ],
)
def test_an_invalid_custom_emoji_id(markup: str) -> None:
    assert error_of(markup) == "Invalid custom emoji identifier specified"


def test_date_time() -> None:
    assert parse_html('<tg-time unix="1647531900" format="wDT">Thursday</tg-time>') == (
        "Thursday",
        [entity("date_time", 0, 8, unix_time=1647531900, date_time_format="wDT")],
    )
    assert parse_html('<tg-time unix="1647531900" format="r">soon</tg-time>') == (
        "soon",
        [entity("date_time", 0, 4, unix_time=1647531900, date_time_format="r")],
    )
    assert parse_html('<tg-time unix="1647531900">x</tg-time>') == (
        "x",
        [entity("date_time", 0, 1, unix_time=1647531900)],
    )


def test_a_date_time_without_a_time_gives_no_entity() -> None:
    assert parse_html("<tg-time>x</tg-time>") == ("x", [])
    assert parse_html('<tg-time unix="-5">x</tg-time>') == ("x", [])


@pytest.mark.parametrize("fmt", ["x", "rt", "dd mm"])
def test_an_invalid_date_time_format(fmt: str) -> None:
    assert error_of(f'<tg-time unix="1" format="{fmt}">x</tg-time>') == "Invalid date format used"


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("markup", "reason"),
    [
        ("<p>x</p>", 'Unsupported start tag "p" at byte offset 0'),
        ("hello <br>", 'Unsupported start tag "br" at byte offset 6'),
        ("整改<x>", 'Unsupported start tag "x" at byte offset 6'),  # 3 bytes per CJK character
        ("😀<h1>", 'Unsupported start tag "h1" at byte offset 4'),
        ("<b/>x</b>", 'Unsupported start tag "b/" at byte offset 0'),
        ("<!-- note -->", 'Unsupported start tag "!--" at byte offset 0'),
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("1<2 and 3", 'Unsupported start tag "2" at byte offset 1'),
        ("1<2", "Unclosed start tag at byte offset 1"),
        ("tail <", "Unclosed start tag at byte offset 5"),
        ("<b", "Unclosed start tag at byte offset 0"),
        ("<b>x</b>y</i>", "Unexpected end tag at byte offset 9"),
        ("</b>", "Unexpected end tag at byte offset 0"),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("<b>x</b", "Unclosed end tag at byte offset 4"),
        ("<b>x</b y>", "Unclosed end tag at byte offset 4"),
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</i>", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b =x>y</b>", 'Empty attribute name in the tag "b" at byte offset 0'),
        ('<a href="x"/>y</a>', 'Empty attribute name in the tag "a" at byte offset 0'),
        ("<a href=http://x>y</a>", "Unexpected end of name token at byte offset 8"),
        ("<a href=", 'Unclosed start tag "a" at byte offset 0'),
        ("<a href", 'Unclosed start tag "a" at byte offset 0'),
        ('<a href="x', "Unclosed start tag at byte offset 0"),
    ],
)
def test_parse_errors(markup: str, reason: str) -> None:
    assert error_of(markup) == reason


def test_the_error_is_a_value_error_with_telegrams_description() -> None:
    with pytest.raises(ValueError, match=r"^Bad Request: can't parse entities: Unsupported start"):
        parse_html("<p>")
