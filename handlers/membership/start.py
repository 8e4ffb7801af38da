"""/start: what the bot does, and joining a unit with an invite token in the start payload."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType

from domain.membership.invites import InviteRefusal
from domain.membership.roles import Role
from handlers.context import BotContext, Viewer, viewer
from handlers.i18n import Translator
from handlers.membership.pending import FEATURE_PAYLOADS, not_available_yet
from handlers.ui import menu
from handlers.ui.labels import role_label
from storage.membership import invites, people


async def start(update: Update, context: BotContext) -> None:
    """Greet the person, or register them with the invite token they came with."""
    who = await viewer(update, context)
    message = update.effective_message
    if who is None or message is None:
        return
    payload = context.args[0] if context.args else None
    if payload is None:
        text = await _welcome(who, context)
        await menu.refresh_own(update, context)  # first: the greeting finds the menu in place
        await message.reply_text(text)
        return
    if payload in FEATURE_PAYLOADS:
        await not_available_yet(update, context)
        return
    if update.effective_chat is None or update.effective_chat.type != ChatType.PRIVATE:
        await message.reply_text(
            who.t.gettext("Please open a private chat with me to use an invite.")
        )
        return
    await _join(update, context, who, payload)


async def _join(update: Update, context: BotContext, who: Viewer, token: str) -> None:
    svc = context.services
    user = update.effective_user
    message = update.effective_message
    assert user is not None and message is not None
    name = " ".join(user.full_name.split())[: svc.settings.name_max_chars] or str(user.id)
    result = await invites.redeem(
        svc.db,
        token=token,
        telegram_user_id=user.id,
        display_name=name,
        language=who.membership.member.language if who.membership else None,
        now=svc.clock.now(),
    )
    t = who.t
    if result.refusal is not None or result.member is None or result.unit is None:
        await message.reply_text(_refusal_text(t, result.refusal or InviteRefusal.UNKNOWN))
        return
    role = role_label(t, Role(result.member.role))
    if result.already_member:
        text = t.gettext("You are already a {role} of {unit}.", role=role, unit=result.unit.name)
    else:
        text = t.gettext(
            "Welcome, {name}! You are now a {role} of {unit}.",
            name=result.member.display_name,
            role=role,
            unit=result.unit.name,
        )
    await menu.refresh_own(update, context)
    await message.reply_text(text + "\n\n" + t.gettext("Send /help to see what you can do."))


async def _welcome(who: Viewer, context: BotContext) -> str:
    t = who.t
    intro = t.gettext(
        "This bot serves the work-style rectification campaign.\n"
        "• Members report problems with /report and keep their unit's rectification ledger.\n"
        "• Anyone can complain anonymously with /complain and follow up with /status.\n"
        "• The bot reminds units of phase deadlines and overdue items."
    )
    if who.membership is not None:
        status = t.gettext(
            "You are registered as a {role} of {unit}.",
            role=role_label(t, Role(who.membership.member.role)),
            unit=who.membership.unit.name,
        )
    elif who.is_admin:
        status = t.gettext("You are an administrator of this bot.")
    elif (
        left := await people.by_telegram_id(context.services.db, who.telegram_user_id)
    ) is not None:
        status = t.gettext(
            "Your membership of {unit} has ended: staff commands no longer work for you. "
            "If that is a mistake, ask your office for a new invite.",
            unit=left.unit.name,
        )
    else:
        status = t.gettext(
            "You are not registered. Staff join with the invite link their office sends them."
        )
    return intro + "\n\n" + status + "\n" + t.gettext("Send /help to see what you can do.")


def _refusal_text(t: Translator, reason: InviteRefusal) -> str:
    match reason:
        case InviteRefusal.EXPIRED:
            return t.gettext("This invite has expired. Ask your office for a new one.")
        case InviteRefusal.USED_UP:
            return t.gettext("This invite has already been used. Ask your office for a new one.")
        case InviteRefusal.REVOKED:
            return t.gettext("This invite was withdrawn. Ask your office for a new one.")
        case InviteRefusal.MALFORMED | InviteRefusal.UNKNOWN:
            return t.gettext("This invite is not valid. Check the link or ask your office.")
