"""The hotline's pure rules: self-identification, fingerprints, throttling (the keyed sender
tags, the waits, the flood's slowdown), sealing the push link, unit search and retention."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from domain.hotline import rules as hotline
from domain.hotline import throttle
from domain.hotline.rules import UnitChoice
from domain.hotline.throttle import Purpose, ThrottlePolicy

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
    waits = [throttle.receipt_wait(n) for n in range(0, 12)]
    assert waits[:3] == [timedelta(0)] * 3
    assert waits[3] == timedelta(seconds=30) and waits[4] == timedelta(seconds=60)
    assert waits == sorted(waits)
    assert throttle.receipt_wait(100) == timedelta(hours=1)


def test_sender_tags_hide_the_id_and_change_with_the_day_and_purpose() -> None:
    tag = throttle.sender_tag(PEPPER, DAY, Purpose.FILED, 7390152846)
    assert "7390152846" not in tag and len(tag) == 40
    assert tag == throttle.sender_tag(PEPPER, DAY, Purpose.FILED, 7390152846)  # survives restarts
    others = {
        throttle.sender_tag(PEPPER, DAY + timedelta(days=1), Purpose.FILED, 7390152846),
        throttle.sender_tag(PEPPER, DAY, Purpose.WRONG, 7390152846),
        throttle.sender_tag(PEPPER, DAY, Purpose.FILED, 7390152847),
        throttle.sender_tag(b"o" * 32, DAY, Purpose.FILED, 7390152846),
    }
    assert tag not in others and len(others) == 4


def test_the_gate_refuses_only_the_sender_and_slows_everyone_in_a_flood() -> None:
    policy = ThrottlePolicy(checks_per_hour=3, global_wrong_per_hour=5)
    calm = throttle.receipt_gate(
        policy, now=NOW, blocked_until=None, checks_this_hour=0, wrong_this_hour=0
    )
    assert calm == throttle.Gate()
    blocked = throttle.receipt_gate(
        policy,
        now=NOW,
        blocked_until=NOW + timedelta(seconds=30),
        checks_this_hour=0,
        wrong_this_hour=0,
    )
    assert blocked.wait == timedelta(seconds=30)
    spent = throttle.receipt_gate(
        policy, now=NOW, blocked_until=None, checks_this_hour=3, wrong_this_hour=0
    )
    assert spent.wait == timedelta(hours=1)  # NOW is on the hour
    flooded = throttle.receipt_gate(
        policy, now=NOW, blocked_until=None, checks_this_hour=0, wrong_this_hour=500
    )
    assert flooded.wait == timedelta(0) and flooded.delay == policy.flood_delay


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
