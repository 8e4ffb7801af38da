"""Groups: an admin binds a group to a unit (`/bindgroup UNIT_CODE`, in the group) so the unit's
reminders go there; a group upgraded to a supergroup keeps its binding under its new id (and
the staff chat is followed, `handlers.desk.cards.follow_move`)."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType

from domain.membership.units import UNIT_CODE
from handlers.context import BotContext, viewer
from handlers.desk import cards as staff_cards
from storage.errors import NotFoundError
from storage.membership import groups


async def bind_group(update: Update, context: BotContext) -> None:
    """Bind the current group to the unit named in the command (admins only)."""
    who = await viewer(update, context)
    message, chat = update.effective_message, update.effective_chat
    if who is None or message is None or chat is None:
        return
    t = who.t
    if chat.type not in (ChatType.GROUP, ChatType.SUPERGROUP):
        await message.reply_text(t.gettext("Send /bindgroup UNIT_CODE in the group to bind."))
        return
    if not who.is_admin:
        await message.reply_text(t.gettext("Only an administrator can bind a group to a unit."))
        return
    code = context.args[0] if context.args and len(context.args) == 1 else ""
    if not UNIT_CODE.match(code):
        await message.reply_text(
            t.gettext("Usage: /bindgroup UNIT_CODE (for example /bindgroup SCH001).")
        )
        return
    svc = context.services
    try:
        result = await groups.bind(
            svc.db,
            chat_id=chat.id,
            title=(chat.title or "")[:256],
            unit_code=code,
            now=svc.clock.now(),
            actor_member_id=who.membership.member.id if who.membership else None,
        )
    except NotFoundError:
        await message.reply_text(t.gettext("There is no unit with code {code}.", code=code))
        return
    await message.reply_text(
        t.gettext(
            "This group now receives the reminders of {unit} ({code}).",
            unit=result.unit.name,
            code=result.unit.code,
        )
    )


async def follow_migration(update: Update, context: BotContext) -> None:
    """Follow a group's upgrade to a supergroup: its binding, the staff chat cards owed to
    it, and the staff chat itself when it is the one that moved."""
    message = update.effective_message
    if message is None or message.migrate_to_chat_id is None:
        return
    svc = context.services
    old, new = message.chat_id, message.migrate_to_chat_id
    await staff_cards.follow_move(svc, old_chat_id=old, new_chat_id=new)
    if old == svc.settings.staff_chat:
        staff_cards.follow_staff_chat(context.application.bot_data, new)
