"""Receipts: entropy, format, normalisation, the peppered slow hash, and finding receipts
pasted into text."""

from __future__ import annotations

import math

from domain.hotline import receipts
from domain.hotline.receipts import HashParams

PEPPER = b"p" * 32
CHEAP = HashParams(time_cost=1, memory_kib=256, parallelism=1)


def test_a_receipt_has_at_least_80_bits_in_four_groups_of_four() -> None:
    made = {receipts.new_receipt() for _ in range(200)}
    assert len(made) == 200
    for receipt in made:
        groups = receipt.split("-")
        assert [len(g) for g in groups] == [4, 4, 4, 4]
        assert set(receipt.replace("-", "")) <= set(receipts.ALPHABET)
    assert len(receipts.ALPHABET) == 32
    assert receipts.RECEIPT_CHARS * math.log2(len(receipts.ALPHABET)) >= 80


def test_typed_receipts_are_normalised() -> None:
    canonical = "7KQ2M9XD4HPATR3W"
    for typed in (
        "7KQ2-M9XD-4HPA-TR3W",
        "7kq2 m9xd 4hpa tr3w",
        " 7KQ2M9XD4HPATR3W ",
        "７ＫＱ２－Ｍ９ＸＤ－４ＨＰＡ－ＴＲ３Ｗ",  # full-width
        "7KQ2_M9XD.4HPA—TR3W",
    ):
        assert receipts.normalise(typed) == canonical, typed
    assert receipts.normalise("IL0O-0000-0000-0000") == "1100000000000000"


def test_wrong_length_or_alphabet_is_not_a_receipt() -> None:
    for typed in ("", "7KQ2-M9XD-4HPA", "7KQ2-M9XD-4HPA-TR3W-AAAA", "7KQ2-M9XD-4HPA-TR3U", "中文"):
        assert receipts.normalise(typed) is None, typed


def test_hash_is_salted_peppered_and_checks_the_receipt() -> None:
    canonical = "7KQ2M9XD4HPATR3W"
    first = receipts.hash_receipt(PEPPER, canonical, CHEAP)
    second = receipts.hash_receipt(PEPPER, canonical, CHEAP)
    assert first != second  # a salt of its own each time
    assert first.startswith("$argon2id$")
    assert canonical not in first
    assert receipts.verify_receipt(PEPPER, canonical, first)
    assert not receipts.verify_receipt(PEPPER, "7KQ2M9XD4HPATR3X", first)
    assert not receipts.verify_receipt(b"q" * 32, canonical, first)  # another pepper
    assert not receipts.verify_receipt(PEPPER, canonical, "not a hash")


def test_production_parameters_are_the_rfc_9106_ones() -> None:
    params = HashParams()
    assert (params.time_cost, params.memory_kib, params.parallelism) == (3, 65536, 4)


def test_lookup_key_is_short_keyed_and_stable() -> None:
    key = receipts.lookup_key(PEPPER, "7KQ2M9XD4HPATR3W")
    assert key == receipts.lookup_key(PEPPER, "7KQ2M9XD4HPATR3W")
    assert len(key) == 16 and key != receipts.lookup_key(b"x" * 32, "7KQ2M9XD4HPATR3W")


def test_receipts_in_text_are_found_and_redacted() -> None:
    text = "我的回执是 7kq2-m9xd-4hpa-tr3w，另一个 ７ＫＱ２ Ｍ９ＸＤ ４ＨＰＡ ＴＲ３Ｗ。"
    cleaned, count = receipts.redact(text, "[removed]")
    assert count == 2
    assert cleaned == "我的回执是 [removed]，另一个 [removed]。"
    assert receipts.redact("7KQ2M9XD4HPATR3W", "[x]") == ("[x]", 1)


def test_ordinary_text_is_left_alone() -> None:
    for text in (
        "学校食堂在2027年3月多收费用",
        "internationalize everything",  # 20 letters, not a receipt
        "abcdefghjkmnpqrs",  # 16 letters without a digit, no groups
        "电话 1380-0138-000",
        "ABCD-EFGH-JKMN-PQRST",  # glued to a fifth character
    ):
        assert receipts.find_in_text(text) == [], text
