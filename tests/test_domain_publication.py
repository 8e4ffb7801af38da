"""The honour roll's privacy check and limits, and the broadcast's outbox subjects."""

from __future__ import annotations

import tomllib

import pytest

from bot.config import ConfigError, config_from_dict
from bot.demo import EXAMPLE_CONFIG
from domain.membership.roles import Role
from domain.publish import broadcast
from domain.publish.publication import (
    Flag,
    check_summary,
    clean_summary,
    fingerprint,
    is_publishable_case,
    may_publish,
    summary_fits,
)


@pytest.mark.parametrize(
    ("summary", "flags"),
    [
        ("该校整改有力，值得学习。", []),
        ("周老师所在学校整改有力。", [Flag.NAME]),
        ("ＺＨＯＵ　ＬＩ 老师", [Flag.NAME]),  # full-width, spaced: still the name
        ("回执 ABCD-EFGH-JKMN-PQ12 已办结", [Flag.RECEIPT]),
        ("回执abcdefghjkmnpq12", [Flag.RECEIPT]),
        ("见举报R-2027-0001号", [Flag.REPORT_NUMBER]),
        ("联系电话13812345678", [Flag.PHONE]),
        ("身份证11010519491231002X", [Flag.ID_NUMBER]),
        ("刘某某反映的问题", []),  # a one-character name matches nothing
    ],
)
def test_check_summary_warns_on_what_identifies(summary: str, flags: list[Flag]) -> None:
    found = check_summary(summary, member_names=["周老师", "Zhou Li", "刘"])
    assert [w.flag for w in found] == flags
    assert all("ABCDEFGH" not in w.fragment for w in found)  # receipts are masked


def test_limits_roles_and_fingerprint() -> None:
    assert clean_summary("  第一段\n\n\n\n第二段  ") == "第一段\n\n第二段"
    assert not summary_fits("太短") and summary_fits("这是一段足够长的公开摘要。")
    assert may_publish(Role.ADMIN) and not may_publish(Role.CASE_OFFICER)
    assert is_publishable_case("closed") and not is_publishable_case("answered")
    one = check_summary("周老师", member_names=["周老师"])
    two = check_summary("周老师 13812345678", member_names=["周老师"])
    assert fingerprint(one) != fingerprint(two) and fingerprint(one) == fingerprint(list(one))


def test_broadcast_subjects_and_limits() -> None:
    assert broadcast.broadcast_of(broadcast.subject(42)) == 42
    assert broadcast.broadcast_of("item:42") is None
    assert broadcast.may_broadcast(Role.ADMIN) and not broadcast.may_broadcast(Role.UNIT_HEAD)
    assert not broadcast.text_fits("短") and broadcast.text_fits("请按时更新台账。")


def test_publication_channel_in_config() -> None:
    data = tomllib.loads(EXAMPLE_CONFIG.read_text(encoding="utf-8"))
    data["telegram"]["token"] = "1:x"
    assert config_from_dict(data, env={}).publication.channel is None
    data["publication"] = {"channel": -1001234567890}
    assert config_from_dict(data, env={}).publication.channel == -1001234567890
    data["publication"] = {"chanel": 1}
    with pytest.raises(ConfigError, match="chanel"):
        config_from_dict(data, env={})
