"""A cadre's absence from the "124" duty, declared in advance: `/leave <days> <reason>`; the
unit's heads (never the cadre themself; the staff chat when the unit has no other head) get
Approve / Refuse buttons. An approved absence is not counted as missing."""

from __future__ import annotations

import logging

from telegram import Bot, InlineKeyboardMarkup, Update
from telegram.error import TelegramError

from domain.cases.reports import too_long
from domain.duties.checkin import local_day, parse_days
from domain.membership.roles import Role
from handlers.context import BotContext, viewer
from handlers.duties.common import policy_of
from handlers.i18n import Html, Translator
from handlers.ui.callbacks import Route, pressed
from handlers.ui.deliver import confirm
from handlers.ui.presses import neutral
from storage.duties import checkins
from storage.duties import leave as checkin_leave

log = logging.getLogger(__name__)
ROUTE = Route("leave")
CALLBACK_PATTERN = rf"^{ROUTE.prefix}(ok|no):\d+$"
REASON_MAX_CHARS = 500


def _days(t: Translator, a: checkin_leave.AbsenceView) -> str:
    if a.first_day == a.last_day:
        return t.date(a.first_day)
    return f"{t.date(a.first_day)} – {t.date(a.last_day)}"


def _request_text(t: Translator, a: checkin_leave.AbsenceView) -> Html:
    return t.gettext(
        "🗓 Leave request from {name} (“124” duty): {days}. Reason: {reason}",
        name=a.requester.name,
        days=_days(t, a),
        reason=a.reason,
    )


def _keyboard(t: Translator, absence_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                ROUTE.button(t.gettext("Approve"), "ok", absence_id),
                ROUTE.button(t.gettext("Refuse"), "no", absence_id),
            ]
        ]
    )


async def _send(bot: Bot, chat_id: int, text: str, markup: InlineKeyboardMarkup | None) -> bool:
    try:
        await bot.send_message(chat_id, text, reply_markup=markup)
    except TelegramError as exc:
        log.warning("leave notice failed: %s", type(exc).__name__)
        return False
    return True


async def request_leave(update: Update, context: BotContext) -> None:
    """/leave <day or first..last> <reason>: file the request and ask the unit's heads."""
    who = await viewer(update, context)
    message = update.effective_message
    if who is None or message is None:
        return
    t, svc = who.t, context.services
    member = who.membership.member if who.membership else None
    duty = await checkins.cadre_duty(svc.db, member.id) if member and member.id else None
    if member is None or member.id is None or duty is None:
        await message.reply_text(
            t.gettext("Only school-level cadres of boarding schools declare “124” leave.")
        )
        return
    today = local_day(svc.clock.now(), policy_of(context))
    parts = (message.text or "").split(maxsplit=2)
    days = parse_days(parts[1], today) if len(parts) > 1 else None
    reason = parts[2].strip() if len(parts) > 2 else ""
    if days is None or not reason:
        await message.reply_text(
            t.gettext(
                "Send /leave, the day (or first..last day, at most 60 days, from today on) "
                "and the reason, e.g. /leave {example} 外出培训",
                example=today.isoformat(),
            )
        )
        return
    if too_long(reason, REASON_MAX_CHARS) is not None:
        await message.reply_text(
            t.gettext("The reason may have at most {limit} characters.", limit=REASON_MAX_CHARS)
        )
        return
    absence_id, heads = await checkin_leave.request_absence(
        svc.db, member.id, first_day=days[0], last_day=days[1], reason=reason, now=svc.clock.now()
    )
    view = await checkin_leave.absence(svc.db, absence_id)
    assert view is not None
    asked = 0
    for head in heads:
        ht = svc.catalogs.get(head.language)
        sent = await _send(
            context.bot, head.telegram_user_id, _request_text(ht, view), _keyboard(ht, absence_id)
        )
        asked += sent
    staff = svc.settings.staff_chat
    if not heads and staff is not None:
        st = svc.catalogs.get(None)
        asked += await _send(context.bot, staff, _request_text(st, view), _keyboard(st, absence_id))
    text = (
        t.gettext(
            "Your leave request for {days} is filed and waits for approval.", days=_days(t, view)
        )
        if asked
        else t.gettext(
            "Your leave request for {days} is filed, but nobody could be asked to approve it; "
            "please tell your unit head.",
            days=_days(t, view),
        )
    )
    # Stored: a refused confirmation is retried, never turned into the apology.
    await confirm(lambda: message.reply_text(text), what=f"leave {absence_id}")


async def on_button(update: Update, context: BotContext) -> None:
    """Approve or refuse: only a head of the cadre's unit (not the cadre) or an admin."""
    query = update.callback_query
    who = await viewer(update, context)
    if query is None or who is None:
        return
    t, svc = who.t, context.services
    press = pressed(update)
    absence_id = press.number() if press is not None else None
    action = press.action if press is not None else ""
    view = None if absence_id is None else await checkin_leave.absence(svc.db, absence_id)
    member = who.membership.member if who.membership else None
    head = (
        member is not None
        and view is not None
        and member.role == Role.UNIT_HEAD.value
        and member.unit_id == view.unit_id
        and member.id != view.member_id
    )
    if view is None or not (head or who.is_admin):
        await query.answer(neutral(t))
        return
    approve = action == "ok"
    decided = await checkin_leave.decide_absence(
        svc.db,
        view.id,
        approve=approve,
        decider_telegram_id=who.telegram_user_id,
        decider_member_id=member.id if member else None,
        now=svc.clock.now(),
    )
    await query.answer()
    if not decided:
        await query.edit_message_text(
            Html(_request_text(t, view) + "\n" + t.gettext("Already decided."))
        )
        return
    verdict = t.gettext("✅ Approved.") if approve else t.gettext("❌ Refused.")
    await query.edit_message_text(Html(_request_text(t, view) + "\n" + verdict))
    rt = svc.catalogs.get(view.requester.language)
    days = _days(rt, view)
    text = (
        rt.gettext("Your “124” leave for {days} is approved.", days=days)
        if approve
        else rt.gettext("Your “124” leave for {days} is refused: please keep the duty.", days=days)
    )
    await _send(context.bot, view.requester.telegram_user_id, text, None)
