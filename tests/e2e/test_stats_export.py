"""`/stats` and `/export` through the simulator: a handler sees every unit and gets charts, a
unit head sees their own unit, the xlsx and CSV files read back right, and people without
rights (or forged buttons) are refused."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from openpyxl import load_workbook  # type: ignore[import-untyped]
from sqlmodel import select

from bot.jobs import rating as rating_jobs
from domain.membership.roles import Role
from domain.stats import UnitGrade
from handlers.context import SERVICES_KEY
from handlers.stats.rating import compute
from storage.forms import answers as form_answers
from storage.membership import units
from storage.models import LedgerItem
from storage.stats import rating as stored_ratings
from storage.stats.files import CASE_COLUMNS, LEDGER_COLUMNS
from tests.e2e.conftest import ADMIN_ID, Harness
from tests.e2e.ledger_steps import answer_of, forge_press, press
from tests.stats_seed import RECEIPT_HASH, seed

REFUSED = "只有承办人员、单位负责人和管理员可以查看统计。"


async def _setup(harness: Harness) -> None:
    s1, s2 = await units.by_code(harness.db, "SCH001"), await units.by_code(harness.db, "SCH002")
    assert s1 and s2 and s1.id and s2.id
    await seed(harness.db, s1.id, s2.id)


def _file(harness: Harness, document: dict[str, object] | None) -> bytes:
    assert document is not None
    return harness.sim.state.files[str(document["file_id"])].data


async def test_handler_sees_everything_and_gets_charts(harness: Harness) -> None:
    await _setup(harness)
    sim = harness.sim
    handler = sim.add_user("承办人")
    await harness.register(handler, Role.CASE_OFFICER, "EDU")
    text = await harness.ask(handler, "/stats")
    assert "统计 · 全部单位 · 2027年3月10日" in text
    assert "案件：共 3 件" in text and "按单位：城关第一中学 2 · 城关第二小学 1" in text
    assert "按时签收：2 件中 2 件（100%）" in text and "按时答复：2 件中 2 件（100%）" in text
    assert "响应率 67% · 办结率 33%" in text and "满意率 100%（共 1 条评价）" in text
    assert "已销号 2/4（50%）：按期 1 项，逾期 1 项" in text
    for label in ("各单位完成情况", "各类别案件数", "每周受理与办结"):
        await press(harness, handler, label)
        chart = await sim.next_message(handler)
        assert chart.photo is not None, label
        data = _file(harness, chart.photo[-1])
        assert data.startswith(b"\x89PNG")


async def test_unit_head_sees_only_their_unit_and_a_member_is_refused(harness: Harness) -> None:
    await _setup(harness)
    head, member = harness.sim.add_user("校长"), harness.sim.add_user("老师")
    await harness.register(head, Role.UNIT_HEAD, "SCH001")
    await harness.register(member, Role.MEMBER, "SCH001")
    text = await harness.ask(head, "/stats")
    assert "统计 · 城关第一中学" in text and "案件：共 2 件" in text
    assert "按单位" not in text and "城关第二小学" not in text
    assert "整改台账：共 3 项" in text
    assert await harness.ask(member, "/stats") == REFUSED
    assert await harness.ask(member, "/export") == "只有承办人员、单位负责人和管理员可以导出。"
    # a forged chart button from the member is refused too
    await harness.ask(head, "/stats")
    query = await forge_press(harness, member, "stats:v1:chart:completion")
    assert await answer_of(harness, query) == "此按钮已失效。"  # a press: the neutral answer


async def test_export_xlsx_and_csv(harness: Harness) -> None:
    await _setup(harness)
    sim = harness.sim
    handler = sim.add_user("承办人")
    await harness.register(handler, Role.CASE_OFFICER, "EDU")
    assert "全部单位" in await harness.ask(handler, "/export")
    await press(harness, handler, "整改台账 · Excel")
    sent = await sim.next_message(handler)
    assert sent.document is not None and sent.document["file_name"] == "ledger-all-20270310.xlsx"
    assert "共 4 行" in sent.text
    sheet = load_workbook(io.BytesIO(_file(harness, sent.document))).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "教文广新体系统干部作风整顿 整改台账（截至2027年3月10日）"
    assert list(rows[1]) == [name for name, _ in LEDGER_COLUMNS]
    assert rows[2][1] == "城关第一中学" and rows[2][11] == "已销号"
    assert sheet.cell(row=3, column=8).is_date and sheet.freeze_panes == "A3"
    assert rows[5][1] == "城关第二小学" and rows[4][2] == "投诉 C-AB12"

    await press(harness, handler, "案件登记表 · CSV")
    sent = await sim.next_message(handler)
    data = _file(harness, sent.document)
    assert data.startswith(b"\xef\xbb\xbf") and RECEIPT_HASH.encode() not in data
    rows_csv = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows_csv[0] == [name for name, _ in CASE_COLUMNS] and len(rows_csv) == 4


async def test_unit_head_exports_only_their_ledger(harness: Harness) -> None:
    await _setup(harness)
    head = harness.sim.add_user("校长")
    await harness.register(head, Role.UNIT_HEAD, "SCH001")
    offer = await harness.sim.send_command(head, "/export")
    del offer
    message = await harness.sim.next_message(head)
    assert "本单位" in message.text and "案件登记表" not in str(message.buttons)
    await press(harness, head, "整改台账 · CSV")
    sent = await harness.sim.next_message(head)
    assert sent.document is not None and sent.document["file_name"].startswith("ledger-SCH001-")
    text = _file(harness, sent.document).decode("utf-8-sig")
    assert "城关第一中学" in text and "城关第二小学" not in text
    # the case register is not for unit heads, even with a forged button
    query = await forge_press(harness, head, "export:v1:cases:csv")
    assert await answer_of(harness, query) == "此按钮已失效。"


async def test_unit_ratings_at_the_end_of_a_phase(harness: Harness) -> None:
    await _setup(harness)
    handler, head = harness.sim.add_user("承办人"), harness.sim.add_user("校长")
    await harness.register(handler, Role.CASE_OFFICER, "EDU")
    await harness.register(head, Role.UNIT_HEAD, "SCH002")
    text = await harness.ask(handler, "/stats")
    # the items came after the first phase ended: nobody is rated, nobody is slow
    assert "暂不评定 2" in text and "进度滞后" not in text and "一般" not in text
    harness.clock.advance(timedelta(days=23))  # 2 April: 自查自纠 ended on 31 March
    text = await harness.ask(handler, "/stats")
    assert "单位评定（自查自纠阶段结束，2027年3月31日）" in text
    # 城关第一中学: one item verified on time, one late (half credit), one not due yet
    assert "较好 1 · 暂不评定 1" in text and "进度滞后" not in text
    assert "城关第一中学：较好，" in text
    assert "整改台账：到期 2 项中已销号 2 项（逾期销号 1 项），逾期未改 0 项 → 75 分" in text
    # 城关第二小学's only item has no deadline: on track, not rated, not shamed
    own = await harness.ask(head, "/stats")
    assert "城关第二小学：暂不评定" in own and "一般" not in own


async def test_a_stored_phase_rating_is_not_rewritten_by_a_later_edit(harness: Harness) -> None:
    await _setup(harness)
    handler = harness.sim.add_user("承办人")
    await harness.register(handler, Role.CASE_OFFICER, "EDU")
    harness.clock.advance(timedelta(days=23))  # 2 April: both phases so far have ended
    services = harness.app.bot_data[SERVICES_KEY]
    policy = harness.config.checkin.policy(harness.config.campaign.tz)
    assert harness.app.job_queue is not None
    assert harness.app.job_queue.get_jobs_by_name(rating_jobs.JOB_NAME)  # registered at start
    assert await rating_jobs.store_once(services, policy) == ["mobilise", "self_check"]
    assert await rating_jobs.store_once(services, policy) == []  # once per phase
    before = await harness.ask(handler, "/stats")
    assert "城关第一中学：较好，" in before
    # later, the bureau moves the late item's deadline: computed afresh it would be on time
    async with harness.db.session() as session:
        late = (
            await session.exec(select(LedgerItem).where(LedgerItem.description == "问题2"))
        ).one()
        late.deadline = late.due_on = date(2027, 3, 20)
        session.add(late)
        await session.commit()
    fresh, _ = await compute(
        services.db,
        services.settings,
        policy,
        first=date(2027, 3, 6),
        day=date(2027, 3, 31),
        ended=True,
    )
    assert UnitGrade.EXCELLENT in [r.grade for r in fresh]  # what a rewrite would show
    after = await harness.ask(handler, "/stats")
    assert "城关第一中学：较好，" in after and "城关第一中学：优秀" not in after
    kept = await stored_ratings.stored(harness.db, "self_check")
    assert kept is not None and kept.rated_on == date(2027, 3, 31)


async def test_evaluation_scores_reach_the_unit_rating(harness: Harness) -> None:
    """Parents' 满意度 answers (a public form with `rating = "satisfaction"`, weight 0.2) move
    a school's grade in /stats, with their own line of reasons."""
    await _setup(harness)
    handler = harness.sim.add_user("承办人")
    await harness.register(handler, Role.CASE_OFFICER, "EDU")
    school = await units.by_code(harness.db, "SCH001")
    form = harness.app.bot_data[SERVICES_KEY].settings.forms.get("parent_satisfaction")
    assert school is not None and school.id is not None and form is not None
    for n in range(2):  # two parents, very unsatisfied (1 of 5: a score of 0)
        filed = await form_answers.submit(
            harness.db,
            form_answers.Submission(
                form=form,
                period="once",
                unit_id=school.id,
                answers={"overall": 1, "fees": "no"},
                today=date(2027, 3, 10),
                now=harness.clock.now(),
                late=False,
                public_mark=f"mark-{n}",
            ),
        )
        assert filed is form_answers.Filed.OK
    harness.clock.advance(timedelta(days=23))  # 2 April: 自查自纠 ended on 31 March
    text = await harness.ask(handler, "/stats")
    # without them 较好 (see above); with them: 0.8 × 81 + 0.2 × 0
    assert "城关第一中学：一般，65 分" in text
    assert "满意度评议：2 份评价，0 分（权重 20%）" in text


async def test_only_an_admin_exports_the_audit_log_filtered(harness: Harness) -> None:
    await _setup(harness)
    sim = harness.sim
    admin = sim.add_user("局办公室王主任", user_id=ADMIN_ID)
    handler = sim.add_user("承办人")
    await harness.register(handler, Role.CASE_OFFICER, "EDU")
    # A case officer gets no audit log: not in the menu, not by a forged press, not by command.
    await harness.ask(handler, "/export")
    assert "操作日志" not in str(sim.bot_messages(handler)[-1].buttons)
    query = await forge_press(harness, handler, "export:v1:audit:xlsx")
    assert await answer_of(harness, query) == "此按钮已失效。"
    assert await harness.ask(handler, "/export audit") == "只有管理员可以进行此操作。"

    await harness.ask(admin, "/export")
    await press(harness, admin, "操作日志 · Excel")
    sent = await sim.next_message(admin)
    assert sent.document is not None and sent.document["file_name"].startswith("audit-all-")
    sheet = load_workbook(io.BytesIO(_file(harness, sent.document)))["操作日志"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0].endswith("操作日志（截至2027年3月10日）")
    assert sheet.auto_filter.ref and sheet.page_setup.orientation == "landscape"
    events = [dict(zip(rows[1], row, strict=True)) for row in rows[2:]]
    joined = [e for e in events if e["操作"] == "通过邀请加入"]
    assert joined and joined[0]["操作人"] == "承办人" and joined[0]["单位"] == "县教文广新体局"
    assert {e["编号"] for e in events if e["操作"] == "新增单位"} >= {"SCH001", "SCH002"}

    # Filtered by unit and days: the second school's own event only.
    await sim.send_command(admin, "/export audit SCH002 2027-03-01..2027-03-31")
    sent = await sim.next_message(admin)
    assert sent.document is not None and sent.document["file_name"].startswith("audit-SCH002-")
    rows = list(load_workbook(io.BytesIO(_file(harness, sent.document))).active.values)
    assert [(r[4], r[6]) for r in rows[2:]] == [("新增单位", "SCH002")]
    await sim.send_command(admin, "/export audit 2026-01-01..2026-01-31")
    assert "共 0 行" in (await sim.next_message(admin)).text
    reply = await harness.ask(admin, "/export audit 2027-13-01")
    assert reply.startswith("可按案件编号、单位代码和日期筛选")
