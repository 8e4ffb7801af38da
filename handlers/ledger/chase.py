"""A district (学区) head chases (催办) a school under it, from the school's ledger page, the
unsigned list or /overdue: the school's heads get a notice through the reminder outbox, in
their own language, with a button to their ledger. The right is checked again on every press
(only schools under the presser's district); a school is chased at most once a day."""

from __future__ import annotations

from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from domain.ledger import rules
from domain.ledger.deadlines import local_today
from domain.reminders.digest import Pending
from handlers.context import BotContext, Viewer
from handlers.i18n import Translator
from handlers.ledger.views import ROUTE, actor_of
from handlers.ui.presses import neutral
from storage.ledger.chases import Chased, chase_school


async def chase(update: Update, context: BotContext, who: Viewer, unit_id: int) -> None:
    """Record the chase of `unit_id` (if this person may) and say what came of it."""
    query = update.callback_query
    assert query is not None
    t, actor = who.t, actor_of(who)
    if not rules.may_chase(actor, unit_id) or actor.member_id is None or actor.unit_id is None:
        await query.answer(neutral(t))
        return
    svc = context.services
    now = svc.clock.now()
    done = await chase_school(
        svc.db,
        unit_id=unit_id,
        district_id=actor.unit_id,
        actor_member_id=actor.member_id,
        now=now,
        today=local_today(now, svc.settings.timezone),
    )
    if done.outcome is Chased.SENT:
        if svc.outbox is not None:
            svc.outbox.kick()
        text = t.gettext("Chased: the head of {unit} will be told.", unit=done.school)
    elif done.outcome is Chased.ALREADY:
        text = t.gettext("{unit} has been chased today already.", unit=done.school)
    elif done.outcome is Chased.NO_HEAD:
        text = t.gettext(
            "{unit} has no registered head to chase. Invite one with /invite.", unit=done.school
        )
    else:
        text = t.gettext("You cannot chase this unit.")
    await query.answer(text, show_alert=True)


def compose_chase(
    t: Translator, row: Pending, *, today: date
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The school head's notice of a chase, in their language, from its payload."""
    p = row.payload
    overdue = int(str(p.get("overdue") or 0))
    lines = [
        t.gettext(
            "⏰ Chase (催办) from {district}: {by} asks {unit} to move its rectification on.",
            district=p.get("district", ""),
            by=p.get("by", ""),
            unit=p.get("unit", ""),
        )
    ]
    if overdue:
        lines.append(
            t.ngettext("{n} ledger item is overdue.", "{n} ledger items are overdue.", overdue)
        )
    if not p.get("signed"):
        lines.append(t.gettext("Your problem list is not signed off yet."))
    lines.append(t.gettext("What to do: open your ledger and deal with it today."))
    unit_id = int(str(p.get("unit_id") or 0))
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t.gettext("Open the ledger"), callback_data=ROUTE.data("u", unit_id, 0)
                )
            ]
        ]
    )
    return "\n".join(lines), markup
