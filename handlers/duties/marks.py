"""Admins mark the duties' people and places in chat: `/boarding` lists or marks boarding
schools (`/boarding CODE [latitude longitude [radius]]`, `/boarding off CODE`); `/cadre CODE`
and `/inspector CODE` show a unit's members with a button each that toggles the school-level
cadre mark or the inspection-team mark. Every press is re-checked: admins only."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Message, Update

from handlers.context import BotContext, Viewer, viewer
from handlers.i18n import Html, Translator
from handlers.ui import menu
from handlers.ui.callbacks import Route, pressed
from handlers.ui.presses import refuse
from storage.duties import checkins, inspections
from storage.membership import members, units

ROUTE = Route("mark")
CALLBACK_PATTERN = rf"^{ROUTE.prefix}(cadre|insp):\d+$"
SHOWN = 40


async def _admin(update: Update, context: BotContext) -> tuple[Viewer, Message] | None:
    who = await viewer(update, context)
    message = update.effective_message
    if who is None or message is None:
        return None
    if not who.is_admin:
        text = who.t.gettext("Only admins may mark boarding schools, cadres and inspectors.")
        await refuse(update, who.t, text)
        return None
    return who, message


def _coordinates(args: list[str]) -> tuple[float, float, int | None] | None:
    try:
        lat, lon = float(args[0]), float(args[1])
        radius = int(args[2]) if len(args) > 2 else None
    except (ValueError, IndexError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (radius is not None and radius < 0):
        return None
    return lat, lon, radius


async def boarding(update: Update, context: BotContext) -> None:
    """/boarding [off] [CODE [lat lon [radius]]]: list, mark or unmark boarding schools."""
    found = await _admin(update, context)
    if found is None:
        return
    who, message = found
    t, svc = who.t, context.services
    args = list(context.args or [])
    on = not (args and args[0].lower() == "off")
    args = args if on else args[1:]
    if not args:
        listed = await checkins.boarding_schools(svc.db)
        lines = [t.gettext("Boarding schools (“124” duty): {n}", n=len(listed))]
        for b in listed:
            lines.append(
                t.gettext(
                    "• {name} ({code}): {cadres} cadres, position {located}",
                    name=b.name,
                    code=b.code,
                    cadres=b.cadres,
                    located=t.gettext("set") if b.located else t.gettext("not set"),
                )
            )
        lines.append(
            t.gettext(
                "Mark one: /boarding CODE [latitude longitude [radius in m]]; "
                "unmark: /boarding off CODE; cadres: /cadre CODE."
            )
        )
        await message.reply_text(Html("\n".join(lines)))
        return
    place = _coordinates(args[1:]) if on and len(args) > 1 else None
    if on and len(args) > 1 and place is None:
        await message.reply_text(
            t.gettext("Latitude, longitude and radius must be numbers, e.g. 36.06 103.83 300.")
        )
        return
    unit = await checkins.mark_boarding(
        svc.db,
        args[0],
        on=on,
        now=svc.clock.now(),
        latitude=place[0] if place else None,
        longitude=place[1] if place else None,
        radius_m=place[2] if place else None,
    )
    if unit is None:
        await message.reply_text(t.gettext("No unit has the code {code}.", code=args[0]))
        return
    await message.reply_text(
        t.gettext("{name} is now a boarding school.", name=unit.name)
        if on
        else t.gettext("{name} is no longer a boarding school.", name=unit.name)
    )


async def _keyboard(
    context: BotContext, t: Translator, unit_id: int, kind: str
) -> InlineKeyboardMarkup:
    db = context.services.db
    people = await members.in_unit(db, unit_id)
    marked = (
        await checkins.cadre_ids(db, unit_id)
        if kind == "cadre"
        else await inspections.inspector_ids(db, unit_id)
    )
    rows = [
        [ROUTE.button(("☑ " if m.id in marked else "☐ ") + m.display_name[:40], kind, m.id)]
        for m in people
        if m.active and m.id is not None
    ][:SHOWN]
    return InlineKeyboardMarkup(rows)


async def _show(update: Update, context: BotContext, kind: str) -> None:
    found = await _admin(update, context)
    if found is None:
        return
    who, message = found
    t = who.t
    code = (context.args or [""])[0]
    unit = await units.by_code(context.services.db, code) if code else None
    if unit is None or unit.id is None:
        await message.reply_text(
            t.gettext("Send /cadre CODE or /inspector CODE with a unit's code.")
        )
        return
    head = (
        t.gettext("{unit}: press a member to mark or unmark a school-level cadre.", unit=unit.name)
        if kind == "cadre"
        else t.gettext(
            "{unit}: press a member to add to or remove from the inspection team.", unit=unit.name
        )
    )
    await message.reply_text(head, reply_markup=await _keyboard(context, t, unit.id, kind))


async def cadres(update: Update, context: BotContext) -> None:
    """/cadre CODE: toggle school-level cadre marks of the unit's members."""
    await _show(update, context, "cadre")


async def inspectors(update: Update, context: BotContext) -> None:
    """/inspector CODE: toggle inspection-team marks of the unit's members."""
    await _show(update, context, "insp")


async def on_button(update: Update, context: BotContext) -> None:
    """Toggle one member's mark and redraw the buttons."""
    query = update.callback_query
    found = await _admin(update, context)
    if query is None or found is None:
        return
    who, _ = found
    press, svc = pressed(update), context.services
    member_id = press.number() if press is not None else None
    kind = press.action if press is not None else ""
    person = None if member_id is None else await checkins.member(svc.db, member_id)
    if member_id is None or person is None or not person.active:
        await query.answer(who.t.gettext("That member is no longer active."), show_alert=True)
        return
    if kind == "cadre":
        marked = member_id in await checkins.cadre_ids(svc.db, person.unit_id)
        await checkins.set_cadre(svc.db, member_id, on=not marked, now=svc.clock.now())
    else:
        marked = member_id in await inspections.inspector_ids(svc.db, person.unit_id)
        await inspections.set_inspector(svc.db, member_id, on=not marked, now=svc.clock.now())
    await query.answer()
    await query.edit_message_reply_markup(await _keyboard(context, who.t, person.unit_id, kind))
    await menu.refresh_other(context, person.telegram_user_id)  # /checkin or /inspect
