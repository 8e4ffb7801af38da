"""A cadre checks in for the "124" duty: the 在校 button of the evening call, `/checkin`, or
a shared location (static or live) in the private chat. Outside the window the check-in is
refused and says when it is open. A location adds its distance from the school (if the school's
coordinates are configured) — the coordinates themselves are never stored."""

from __future__ import annotations

from telegram import Message, Update

from domain.duties.checkin import Refusal, check_in_day, distance_m
from handlers.context import BotContext, Viewer, viewer
from handlers.duties.common import policy_of, refusal_text
from handlers.duties.texts import here_keyboard, location_hint
from handlers.ui.callbacks import press_value
from handlers.ui.deliver import confirm
from handlers.ui.presses import refuse
from storage.duties import checkins


async def _duty(update: Update, context: BotContext) -> tuple[Viewer, checkins.CadreDuty] | None:
    who = await viewer(update, context)
    if who is None:
        return None
    duty = None
    if who.membership is not None and who.membership.member.id is not None:
        duty = await checkins.cadre_duty(context.services.db, who.membership.member.id)
    if duty is None:
        text = who.t.gettext(
            "Only school-level cadres of boarding schools keep the “124” duty; you are not "
            "marked as one. Ask an admin if that is wrong."
        )
        await refuse(update, who.t, text)
        return None
    return who, duty


async def _record(
    message: Message,
    who: Viewer,
    duty: checkins.CadreDuty,
    context: BotContext,
    *,
    location: tuple[float, float] | None = None,
) -> bool:
    """Record tonight's check-in and say so; False when refused."""
    svc, t = context.services, who.t
    policy, now = policy_of(context), context.services.clock.now()
    day = check_in_day(now, policy, svc.settings.calendar)
    if isinstance(day, Refusal):
        await message.reply_text(refusal_text(t, day, policy))
        return False
    distance = None
    if location is not None and duty.latitude is not None and duty.longitude is not None:
        distance = distance_m(location[0], location[1], duty.latitude, duty.longitude)
    done = await checkins.record_checkin(
        svc.db, duty, day=day, now=now, distance_m=distance, location_shared=location is not None
    )
    when = done.checked_at.astimezone(policy.timezone).strftime("%H:%M")
    text: str
    if done.created:
        text = t.gettext(
            "✅ Checked in: at school on {date} ({when}).", date=t.date(day), when=when
        )
    else:
        text = t.gettext(
            "You already checked in for {date} at {when}.", date=t.date(day), when=when
        )
    if location is not None:
        if distance is None:
            text += "\n" + t.gettext(
                "Location received; the school's position is not configured, so no distance "
                "was recorded."
            )
        else:
            text += "\n" + t.gettext(
                "Location received: {metres} m from the school.", metres=distance
            )
    elif done.created:
        text += "\n" + location_hint(t)
    # Stored: a refused confirmation is retried, never turned into the apology.
    await confirm(lambda: message.reply_text(text), what=f"check-in of duty {duty.member_id}")
    return True


async def check_in(update: Update, context: BotContext) -> None:
    """/checkin: check in for tonight (or offer the button when it is not yet time)."""
    found = await _duty(update, context)
    message = update.effective_message
    if found is None or message is None:
        return
    await _record(message, *found, context)


async def on_button(update: Update, context: BotContext) -> None:
    """The evening call's 在校 button: re-checked against tonight's window, never trusted."""
    query = update.callback_query
    found = await _duty(update, context)
    if query is None or found is None:
        return
    who, duty = found
    await query.answer()
    message = update.effective_message
    if message is None:
        return
    pressed = press_value(update)
    svc = context.services
    today = check_in_day(svc.clock.now(), policy_of(context), svc.settings.calendar)
    if not isinstance(today, Refusal) and today.isoformat() != pressed:
        await message.reply_text(
            who.t.gettext(
                "That button was for an earlier evening; tonight's check-in is open now: "
                "send /checkin."
            )
        )
    else:
        await _record(message, who, duty, context)
    await query.edit_message_reply_markup(None)


async def on_location(update: Update, context: BotContext) -> None:
    """A shared location from a cadre during the window: a check-in with its distance."""
    message = update.effective_message
    if message is None or message.location is None:
        return
    found = await _duty(update, context)
    if found is None:
        return
    who, duty = found
    place = (message.location.latitude, message.location.longitude)
    await _record(message, who, duty, context, location=place)


__all__ = ["check_in", "here_keyboard", "on_button", "on_location"]
