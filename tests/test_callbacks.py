"""The one builder and parser of callback data: the wire format stays `route:v1:action:value`
(buttons sent before a deploy still parse), and numbers are read strictly."""

from __future__ import annotations

import pytest

from handlers.ui.callbacks import INT64_MAX, INT64_MIN, Press, Route, number, numbers, parse


def test_the_wire_format_is_unchanged() -> None:
    assert Route("desk").data("rt", 12, 3) == "desk:v1:rt:12.3"
    assert Route("desk").data("p") == "desk:v1:p:0"
    assert Route("complain", empty="-").data("go") == "complain:v1:go:-"
    assert Route("ledger", empty="").data("us") == "ledger:v1:us:"
    assert Route("pub", sep=":").data("go", 4, 2) == "pub:v1:go:4:2"
    assert Route("report").pattern == "^report:v1:"
    assert Route("report").action_pattern("cat") == "^report:v1:cat:"


def test_data_over_64_bytes_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        Route("report").data("submit", "x" * 60)


def test_the_parser_reads_what_the_builder_wrote() -> None:
    press = parse(Route("desk").data("q", -5, 0))
    assert press == Press("desk", "v1", "q", "-5.0")
    assert press.numbers(2, negative=True) == (-5, 0)
    assert press.numbers(2) is None  # a negative id only where the route allows one
    assert parse("pub:v1:force:4:2:ab") == Press("pub", "v1", "force", "4:2:ab")
    assert parse("report:v1:cat") is None
    assert parse(None) is None


@pytest.mark.parametrize(
    "text",
    ["", "-", "²", "①", "٣", "1²", " 1", "1 ", "+1", "1_000", "0x10", "1.5", str(2**63), "9" * 40],
)
def test_a_number_is_ascii_digits_within_64_bits(text: str) -> None:
    assert number(text) is None


def test_numbers_at_the_edges_of_the_range() -> None:
    assert number(str(INT64_MAX)) == INT64_MAX
    assert number(str(INT64_MIN), negative=True) == INT64_MIN
    assert number(str(INT64_MIN - 1), negative=True) is None
    assert number("-1") is None
    assert number("--1", negative=True) is None
    assert number("007") == 7


def test_several_numbers() -> None:
    assert numbers("1.2", 2) == (1, 2)
    assert numbers("1.2", 1) is None
    assert numbers("1.²", 2) is None
    assert numbers("", 1) is None
    assert numbers("") == ()  # any count: none at all
    assert numbers("3.-4", negative=True) == (3, -4)


def test_the_parser_checks_the_number_of_fields() -> None:
    assert parse("ppl:v1:u:3.0", fields=2) == Press("ppl", "v1", "u", "3.0")
    for value in ("3", "3.0.1", "3.", ".0", "", "3..0"):
        assert parse(f"ppl:v1:u:{value}", fields=2) is None, value
    assert parse("ppl:v1:r:7.h", fields=2) is not None  # fields are text: numbers come after
    assert parse("pub:v1:go:4:2", fields=2, sep=":") is not None
    press = parse("ppl:v1:r:7.h")
    assert press is not None
    assert press.fields(2) == ("7", "h")
    assert press.fields(1) is None
    assert press.fields(3) is None
