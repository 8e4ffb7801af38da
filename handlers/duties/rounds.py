"""`/round`: the inspection rounds with their findings counted per unit (staff: admins and
case officers); `/round new NAME` opens a round (admins only)."""

from __future__ import annotations

from telegram import Update

from domain.duties.inspections import ROUND_NAME_MAX_CHARS
from domain.membership.roles import Role
from handlers.context import BotContext, viewer
from handlers.i18n import Html
from storage.duties import inspections

UNITS_SHOWN = 15


async def show_rounds(update: Update, context: BotContext) -> None:
    """List the latest rounds and their findings per unit, or open a new round."""
    who = await viewer(update, context)
    message = update.effective_message
    if who is None or message is None:
        return
    t, svc = who.t, context.services
    if who.role not in (Role.ADMIN, Role.CASE_OFFICER):
        await message.reply_text(t.gettext("Only staff see the inspection rounds."))
        return
    args = list(context.args or [])
    if args and args[0].lower() == "new":
        name = " ".join(args[1:]).strip()
        if not who.is_admin:
            await message.reply_text(t.gettext("Only admins open inspection rounds."))
            return
        if not name or len(name) > ROUND_NAME_MAX_CHARS:
            await message.reply_text(
                t.gettext(
                    "Send /round new and the round's name (at most {limit} characters).",
                    limit=ROUND_NAME_MAX_CHARS,
                )
            )
            return
        made = await inspections.create_round(
            svc.db, name, created_by=who.telegram_user_id, now=svc.clock.now()
        )
        await message.reply_text(
            t.gettext(
                "Inspection round “{name}” is open; inspectors record with /inspect.", name=name
            )
            if made
            else t.gettext("A round named “{name}” exists already.", name=name)
        )
        return
    counted = await inspections.round_counts(svc.db)
    if not counted:
        await message.reply_text(t.gettext("No inspection rounds yet. Open one: /round new NAME"))
        return
    lines: list[str] = []
    for entry in counted:
        state = t.gettext("round closed") if entry.round.closed else t.gettext("round open")
        lines.append(
            t.ngettext(
                "🔎 {name} ({state}): {n} finding",
                "🔎 {name} ({state}): {n} findings",
                entry.total,
                name=entry.round.name,
                state=state,
            )
        )
        for unit, n in entry.per_unit[:UNITS_SHOWN]:
            lines.append(t.gettext("  • {unit}: {n}", unit=unit, n=n))
    await message.reply_text(Html("\n".join(lines))[:4096])
