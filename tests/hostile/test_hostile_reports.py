"""Hostile input in /report: 10 000 characters, HTML with forged entities, invisible and
direction characters, stickers, places, contacts and voice where text is expected, a 21 MB
file, a command mid-step, a triple Submit, an edited description, a forged Submit and HTML
typed into the English unit search. One bot for the whole module."""

from __future__ import annotations

from typing import Any

import pytest

from storage.models import Case as Row
from tests.hostile.bench import Bench
from tests.hostile.cases import Case, has, params, run
from tests.hostile.steps import (
    CONTACT,
    EDIT_NOTICE,
    HTML,
    LOCATION,
    STALE,
    STICKER,
    VOICE,
    member,
    report_to,
    reports,
    reports_by,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")
TITLE = "Hostile input: the /report form"

# -- /report -----------------------------------------------------------------------------------


async def report_long(b: Bench) -> str:
    user = await member(b)
    await report_to(b, user, "describe")
    answer = await b.say(user, "长" * 10_000)
    assert "10000" in answer and "2000" in answer
    assert "时间和地点" not in answer
    await b.say(user, "/cancel")
    assert await reports_by(b, user) == 0
    return answer


async def report_html_and_entities(b: Bench) -> str:
    user = await member(b)
    await report_to(b, user, "describe")
    entities = [
        {"type": "text_link", "offset": 0, "length": 4, "url": "https://evil.example"},
        {"type": "bold", "offset": 2, "length": 500},  # beyond the text: Telegram's problem
    ]
    await b.send(user, {"text": HTML, "entities": entities})
    await b.next(user)
    for label in ("跳过", "跳过", "否，可以署名"):
        await b.sim.press_button(user, label)
        card = await b.sim.next_message(user)
    assert HTML in card.text and not [e for e in card.entities if e["type"] == "text_link"]
    answer = await b.press(user, "提交")
    assert await b.count(*reports(Row.description == HTML)) == 1
    return answer


async def report_invisible_characters(b: Bench) -> str:
    user = await member(b)
    await report_to(b, user, "describe")
    text = "正常\u200b\u200d\u2060文字\u202e反向\u202c\u0007结束\ufeff"
    answer = await b.say(user, text)
    assert "时间和地点" in answer or "不" in answer  # taken, or refused with a reason
    await b.say(user, "/cancel")
    return answer


def report_wrong_kind(step: str, content: dict[str, Any], expected: str) -> Any:
    async def play(b: Bench) -> str:
        user = await member(b)
        await report_to(b, user, step)
        await b.send(user, content)
        answer = has([await b.next(user)], expected)
        await b.say(user, "/cancel")
        assert await reports_by(b, user) == 0
        return answer

    return play


async def report_oversized_file(b: Bench) -> str:
    user = await member(b)
    await report_to(b, user, "evidence")
    await b.sim.send_document(user, b"\0" * (21 * 1024 * 1024), "大.pdf", "application/pdf")
    answer = has([await b.next(user)], "21.0 MB", "20 MB")
    await b.say(user, "/cancel")
    return answer


async def report_command_midway(b: Bench) -> str:
    user = await member(b)
    await report_to(b, user, "describe")
    answer = await b.say(user, "/ledger")
    assert "/cancel" in answer
    assert "台账" not in answer or "正在" in answer
    assert "时间和地点" in await b.say(user, "仍是原来的描述。")  # the draft went on
    await b.say(user, "/cancel")
    return answer


async def report_triple_submit(b: Bench) -> str:
    user = await member(b)
    await report_to(b, user, "confirm")
    before = len(b.sim.callback_answers)
    for _ in range(3):
        await b.sim.press_button(user, "提交")
    filed = await b.next(user)
    await b.sim.state.signal.wait_for(lambda: len(b.sim.callback_answers) >= before + 3, 5)
    notices = [a.text for a in b.sim.callback_answers[before:]]
    assert len(notices) == 3
    await b.silence(user)
    assert await reports_by(b, user) == 1
    return f"{filed[:30]} / notices {notices}"


async def report_edited_description(b: Bench) -> str:
    user = await member(b)
    await report_to(b, user, "describe")
    sent = await b.sim.send_text(user, "原始描述：食堂多收费。")
    await b.next(user)  # when and where?
    await b.edit(user, sent, "改过的描述")
    answer = await b.next(user)
    assert EDIT_NOTICE in answer
    for label in ("跳过", "跳过", "否，可以署名"):
        card = await b.press(user, label)
    assert "原始描述" in card and "改过的描述" not in card
    await b.press(user, "提交")
    assert await b.count(*reports(Row.description == "原始描述：食堂多收费。")) == 1
    return answer


async def report_forged_submit(b: Bench) -> str:
    user = await member(b)
    await report_to(b, user, "confirm")
    notice = await b.answer_of(await b.forge(user, "report:v1:submit:0000forged"))
    assert notice is not None and STALE in notice
    assert await reports_by(b, user) == 0
    await b.say(user, "/cancel")
    return notice


async def english_unit_search_html(b: Bench) -> str:
    user = await member(b, "English teacher")
    await b.english(user)
    await b.h.ask(user, "/report")
    await b.sim.press_button(user, b.last(user).buttons[0][0])
    await b.next(user)
    answer = await b.say(user, "<script>alert(1)</script>")
    assert "<script>alert(1)</script>" in answer and "unit" in answer.lower()
    await b.say(user, "/cancel")
    return answer


CASES = [
    Case("report-10000", "10 000 chars", "limit named, nothing kept", report_long),
    Case(
        "report-html-entities",
        HTML + " + text_link",
        "literal, stored as sent",
        report_html_and_entities,
    ),
    Case(
        "report-invisible", "zero-width, RTL, BEL", "taken or refused", report_invisible_characters
    ),
    Case(
        "report-sticker-describe",
        "sticker",
        "asks for text",
        report_wrong_kind("describe", STICKER, "请以文字形式输入"),
    ),
    Case(
        "report-location-unit",
        "location",
        "press a unit",
        report_wrong_kind("unit", LOCATION, "请点击单位按钮"),
    ),
    Case(
        "report-contact-describe",
        "contact",
        "asks for text",
        report_wrong_kind("describe", CONTACT, "请以文字形式输入"),
    ),
    Case(
        "report-voice-evidence",
        "voice note",
        "photos/documents only",
        report_wrong_kind("evidence", VOICE, "只能上传照片或文件"),
    ),
    Case("report-21mb-file", "21 MB PDF", "size refused", report_oversized_file),
    Case("report-command-midway", "/ledger mid-step", "finish or /cancel", report_command_midway),
    Case("report-triple-submit", "Submit ×3", "one report", report_triple_submit),
    Case(
        "report-edited-description",
        "edit after sending",
        "edit not read, original kept",
        report_edited_description,
    ),
    Case(
        "report-forged-submit",
        "report:v1:submit:<forged>",
        "stale, nothing filed",
        report_forged_submit,
    ),
    Case("en-unit-search-html", "<script>…", "escaped, English", english_unit_search_html),
]


@pytest.mark.parametrize("case", params(CASES))
async def test_hostile_report_input(
    request: pytest.FixtureRequest, bench: Bench, case: Case
) -> None:
    await run(request, bench, case, TITLE)
