"""The hotline's pure rules: self-identification, fingerprints, throttling, the sender
limiter with its daily key, sealing the push link, unit search and retention."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from domain.hotline import rules as hotline
from domain.hotline.rules import SenderLimiter, UnitChoice

PEPPER = b"k" * 32
DAY = date(2027, 3, 10)
NOW = datetime(2027, 3, 10, 1, 0, tzinfo=UTC)


def test_pseudonyms_look_like_c_and_four_characters() -> None:
    made = {hotline.new_pseudonym() for _ in range(50)}
    assert all(hotline.is_pseudonym(p) and len(p) == 6 for p in made)
    assert not hotline.is_pseudonym("C-7F3") and not hotline.is_pseudonym("R-7F3K")


def test_self_mentions_ignore_case_width_and_short_names() -> None:
    text = "我是 ZHANG wei，用户名 @Wei_Teacher。"
    assert hotline.self_mentions(text, ("Zhang", "Wei", "wei_teacher")) == [
        "Zhang",
        "Wei",
        "wei_teacher",
    ]
    assert hotline.self_mentions("Ａｌｉｃｅ 说", ("alice", None, "")) == ["alice"]
    assert hotline.self_mentions("x is here", ("x", None, None)) == []  # under 2 characters


def test_fingerprint_ignores_case_and_spacing_but_not_the_day() -> None:
    a = hotline.fingerprint(PEPPER, "Same  Text\n here", DAY)
    assert a == hotline.fingerprint(PEPPER, "same text here", DAY)
    assert a != hotline.fingerprint(PEPPER, "same text here", DAY + timedelta(days=1))
    assert a != hotline.fingerprint(b"o" * 32, "same text here", DAY)
    assert "same" not in a


def test_receipt_wait_grows_after_free_tries_and_is_capped() -> None:
    waits = [hotline.receipt_wait(n) for n in range(0, 12)]
    assert waits[:3] == [timedelta(0)] * 3
    assert waits[3] == timedelta(seconds=30) and waits[4] == timedelta(seconds=60)
    assert waits == sorted(waits)
    assert hotline.receipt_wait(100) == timedelta(hours=1)


def test_limiter_counts_per_sender_and_forgets_at_midnight() -> None:
    limiter = SenderLimiter(max_per_day=2)
    limiter.filed(1, DAY)
    limiter.filed(1, DAY)
    assert not limiter.may_file(1, DAY) and limiter.may_file(2, DAY)
    key = limiter._key
    assert limiter.may_file(1, DAY + timedelta(days=1))
    assert limiter._key != key
    assert all(str(1) not in tag for tag in limiter._filed)


def test_limiter_blocks_wrong_receipts_then_lets_the_wait_pass() -> None:
    limiter = SenderLimiter(max_per_day=3)
    for _ in range(3):
        assert limiter.receipt_blocked(9, DAY, NOW) is None
        limiter.receipt_failed(9, DAY, NOW)
    wait = limiter.receipt_blocked(9, DAY, NOW)
    assert wait == timedelta(seconds=30)
    assert limiter.receipt_blocked(8, DAY, NOW) is None  # somebody else
    assert limiter.receipt_blocked(9, DAY, NOW + timedelta(seconds=31)) is None
    limiter.receipt_succeeded(9, DAY)
    limiter.receipt_failed(9, DAY, NOW)
    assert limiter.receipt_blocked(9, DAY, NOW) is None


def test_limiter_has_a_global_ceiling() -> None:
    limiter = SenderLimiter(max_per_day=3, global_failures_per_hour=5)
    for user in range(5):
        limiter.receipt_failed(user, DAY, NOW)
    assert limiter.receipt_blocked(99, DAY, NOW) is not None
    assert limiter.receipt_blocked(99, DAY, NOW + timedelta(hours=1, seconds=1)) is None


def test_sealed_chat_opens_only_with_its_pepper_and_complaint() -> None:
    sealed = hotline.seal_chat(PEPPER, 5, 7390152846)
    assert b"7390152846" not in sealed
    assert hotline.unseal_chat(PEPPER, 5, sealed) == 7390152846
    assert hotline.unseal_chat(PEPPER, 6, sealed) is None
    assert hotline.unseal_chat(b"z" * 32, 5, sealed) is None


def test_clean_text_drops_control_and_direction_characters() -> None:
    assert hotline.clean_text(" a\x00b\u202ec\td\ne \x1b") == "abc\td\ne"


def test_unit_search_matches_name_or_code() -> None:
    units = [
        UnitChoice(1, "SCH001", "城关第一中学"),
        UnitChoice(2, "SCH002", "城关第二小学"),
        UnitChoice(3, "D01", "城关学区"),
    ]
    assert [u.id for u in hotline.match_units("一中", units)] == [1]
    assert [u.id for u in hotline.match_units("第一", units)] == [1]
    assert [u.id for u in hotline.match_units("城关", units)] == [3, 1, 2]
    assert [u.id for u in hotline.match_units("sch002", units)] == [2]
    assert hotline.match_units("  ", units) == []


def test_purge_cutoff() -> None:
    assert hotline.purge_cutoff(DAY, 365) == date(2026, 3, 10)
