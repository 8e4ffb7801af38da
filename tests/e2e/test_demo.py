"""`python -m bot demo` plays its walk-through against the simulator and prints a transcript."""

from __future__ import annotations

import io

import pytest

from bot.demo import run_demo


@pytest.mark.timeout(180)  # the whole walk-through: ~20 s alone, 45 s beside 3 workers
async def test_demo_in_chinese_shows_registration_language_switch_and_refusals() -> None:
    out = io.StringIO()
    assert await run_demo(language="zh_CN", out=out) == 0
    transcript = out.getvalue()
    for expected in (
        "欢迎您，张老师！您已成为城关第一中学的成员。",
        "此邀请已被使用",
        "此邀请无效",
        "此邀请已过期",
        "Language set: English.",
        "本群今后接收 城关第一中学（SCH001）的提醒。",
        "[按钮]",
        # the signed list after sign-off, and the papers saved beside the workbook
        "签字确认后，校长立即收到问题整改清单 PDF",
        "demo-output/problem-list-all-",
        "demo-output/summary-bureau-",
    ):
        assert expected in transcript, expected


@pytest.mark.timeout(180)
async def test_demo_in_english() -> None:
    out = io.StringIO()
    assert await run_demo(language="en", out=out) == 0
    transcript = out.getvalue()
    assert "Welcome, 张老师! You are now a member of 城关第一中学." in transcript
    assert "语言已设置为：简体中文。" in transcript
    assert "This invite has expired." in transcript
