"""/broadcast: an admin's announcement to every bound unit group, or to every active member
of a role (optionally only in units of one kind). Choose the audience, write the text (a ✉️
prompt), see it exactly as it will arrive with the count of recipients, confirm. Confirming
queues one reminder-outbox row per recipient (a second press queues nothing) and asks the
reminder engine to send now, through the same flood-aware sender as reminders.
`/broadcast status` (or the button under a sent broadcast) shows sent / failed / pending.

Callback data `bc:v1:<action>:<args>`; every press re-checks that the presser is an admin.
"""

from __future__ import annotations

from telegram import ForceReply, InlineKeyboardMarkup, Update

from domain.membership.roles import Role
from domain.membership.units import UnitKind
from domain.publish import broadcast as rules
from domain.publish.broadcast import Audience
from handlers.context import BotContext, Viewer
from handlers.conversation import RepliesTo
from handlers.i18n import Translator
from handlers.publish.board import admin_here
from handlers.ui.callbacks import Route, number, pressed
from handlers.ui.labels import role_label
from handlers.ui.presses import neutral
from storage.models import Broadcast
from storage.publish import broadcasts
from storage.publish.broadcasts import Progress

ROUTE = Route("bc", sep=":")
CALLBACK_PATTERN = ROUTE.pattern
PROMPT_MARK = "✉️"  # starts every prompt whose answer is a broadcast's text
PROMPTS_KEY = "broadcast:prompts"
ALL = "all"
_KIND_VALUES = frozenset(k.value for k in UnitKind)
_ROLE_CODES = {"m": Role.MEMBER, "h": Role.UNIT_HEAD, "s": Role.CASE_OFFICER}


def kind_label(t: Translator, kind: str) -> str:
    labels = {
        UnitKind.BUREAU: t.gettext("the bureau"),
        UnitKind.SECTION: t.gettext("sections"),
        UnitKind.DISTRICT: t.gettext("school districts"),
        UnitKind.SCHOOL: t.gettext("schools"),
        UnitKind.CULTURE: t.gettext("culture and sports units"),
        UnitKind.OTHER: t.gettext("other units"),
    }
    return labels.get(UnitKind(kind), kind) if kind in _KIND_VALUES else kind


def audience_label(t: Translator, audience: str, role: str | None, kind: str | None) -> str:
    if audience == Audience.GROUPS:
        who = t.gettext("all bound unit groups")
    else:
        who = t.gettext("all {role}s", role=role_label(t, Role(role or Role.MEMBER)))
    if kind:
        return t.gettext("{who}, in {kind} only", who=who, kind=kind_label(t, kind))
    return who


def delivered_text(t: Translator, text: str) -> str:
    """What a recipient sees (bot/reminders/broadcasts.py composes the same)."""
    return t.gettext("📣 Announcement from the campaign office\n\n{text}", text=text)


def progress_text(t: Translator, item: Broadcast, p: Progress) -> str:
    return t.gettext(
        "Broadcast #{id} to {audience}: {sent} sent, {failed} failed, {pending} waiting "
        "(of {total}).",
        id=item.id,
        audience=audience_label(t, item.audience, item.role, item.unit_kind),
        sent=p.sent,
        failed=p.failed + p.dropped,
        pending=p.pending,
        total=p.total,
    )


async def start_broadcast(update: Update, context: BotContext) -> None:
    """/broadcast (or /broadcast status): choose the audience, or see the progress."""
    who = await admin_here(update, context)
    message = update.effective_message
    if who is None or message is None:
        return
    t = who.t
    if context.args and context.args[0].lower() == "status":
        found = await broadcasts.recent(context.services.db)
        lines = [progress_text(t, b, p) for b, p in found]
        await message.reply_text("\n".join(lines) or t.gettext("No broadcast has been sent yet."))
        return
    rows = [[ROUTE.button(t.gettext("All bound unit groups"), "aud", "g")]]
    rows += [
        [ROUTE.button(audience_label(t, Audience.ROLE, role, None), "aud", code)]
        for code, role in _ROLE_CODES.items()
    ]
    await message.reply_text(
        t.gettext("Who should receive the announcement?"), reply_markup=InlineKeyboardMarkup(rows)
    )


async def on_button(update: Update, context: BotContext) -> None:
    """Route a `bc:v1:` press after re-checking that the presser is an admin."""
    query = update.callback_query
    who = await admin_here(update, context)
    if who is None or query is None:
        return
    t = who.t
    press = pressed(update)
    parts = [press.action, *press.parts()] if press is not None else []
    if len(parts) == 2 and parts[0] == "aud" and (parts[1] == "g" or parts[1] in _ROLE_CODES):
        await query.answer()
        rows = [[ROUTE.button(t.gettext("All units"), "kind", parts[1], ALL)]]
        rows += [[ROUTE.button(kind_label(t, k), "kind", parts[1], k.value)] for k in UnitKind]
        await query.edit_message_text(
            t.gettext("In which units?"), reply_markup=InlineKeyboardMarkup(rows)
        )
    elif len(parts) == 3 and parts[0] == "kind" and (parts[2] == ALL or parts[2] in _KIND_VALUES):
        await query.answer()
        await _ask_text(update, context, who, parts[1], parts[2])
    elif (
        len(parts) == 2
        and (item_id := number(parts[1])) is not None
        and parts[0]
        in (
            "send",
            "drop",
            "st",
        )
    ):
        await _on_broadcast(update, context, who, parts[0], item_id)
    else:
        await query.answer(neutral(t))


async def _ask_text(
    update: Update, context: BotContext, who: Viewer, audience: str, kind: str
) -> None:
    message = update.effective_message
    if message is None:
        return
    prompt = await message.reply_text(
        who.t.gettext(
            "{mark} Reply to this message with the announcement ({low} to {high} characters).",
            mark=PROMPT_MARK,
            low=rules.TEXT_MIN_CHARS,
            high=rules.TEXT_MAX_CHARS,
        ),
        reply_markup=ForceReply(selective=False),
    )
    if context.user_data is not None:
        prompts = context.user_data.setdefault(PROMPTS_KEY, {})
        prompts.clear()  # one announcement in the making at a time
        prompts[prompt.message_id] = (audience, kind)


PROMPT_REPLY = RepliesTo(PROMPT_MARK)


async def on_text(update: Update, context: BotContext) -> None:
    """The admin wrote the announcement: store a draft, show it as it will arrive."""
    message = update.effective_message
    who = await admin_here(update, context)
    if who is None or message is None or message.reply_to_message is None:
        return
    t, svc = who.t, context.services
    prompts = context.user_data.get(PROMPTS_KEY, {}) if context.user_data is not None else {}
    found = prompts.get(message.reply_to_message.message_id)
    if found is None:
        await message.reply_text(t.gettext("This prompt has expired. Start again with /broadcast."))
        return
    text = (message.text or "").strip()
    if not rules.text_fits(text):
        await message.reply_text(
            t.gettext(
                "That is {count} characters; it must be {low} to {high}. Reply to the prompt "
                "again.",
                count=len(text),
                low=rules.TEXT_MIN_CHARS,
                high=rules.TEXT_MAX_CHARS,
            )
        )
        return
    prompts.clear()
    code, kind = found
    item = await broadcasts.create_draft(
        svc.db,
        audience=Audience.GROUPS if code == "g" else Audience.ROLE,
        role=None if code == "g" else _ROLE_CODES[code].value,
        unit_kind=None if kind == ALL else kind,
        text=text,
        actor_telegram_id=who.telegram_user_id,
        now=svc.clock.now(),
    )
    await message.reply_text(delivered_text(svc.catalogs.get(None), text))
    rows = [[ROUTE.button(t.gettext("Cancel"), "drop", item.id)]]
    if item.recipients:
        label = t.ngettext("Send to {n} recipient", "Send to {n} recipients", item.recipients)
        rows.insert(0, [ROUTE.button(label, "send", item.id)])
    await message.reply_text(
        t.gettext(
            "☝️ Preview. Recipients: {audience} — {n} now.",
            audience=audience_label(t, item.audience, item.role, item.unit_kind),
            n=item.recipients,
        ),
        reply_markup=InlineKeyboardMarkup(rows),
    )


async def _on_broadcast(
    update: Update, context: BotContext, who: Viewer, action: str, broadcast_id: int
) -> None:
    query, t, svc = update.callback_query, who.t, context.services
    assert query is not None
    if action == "drop":
        dropped = await broadcasts.cancel(svc.db, broadcast_id)
        await query.answer()
        if dropped:
            await query.edit_message_text(t.gettext("The broadcast was cancelled."))
        return
    if action == "send":
        done = await broadcasts.confirm(
            svc.db, broadcast_id, actor_telegram_id=who.telegram_user_id, now=svc.clock.now()
        )
        if not done.newly:
            await query.answer(t.gettext("This broadcast was already sent or cancelled."))
            return
        if svc.outbox is not None:
            svc.outbox.kick()
    item = await broadcasts.get(svc.db, broadcast_id)
    if item is None or item.state != rules.State.CONFIRMED:
        await query.answer(neutral(t))
        return
    await query.answer()
    progress = await broadcasts.progress(svc.db, broadcast_id)
    refresh = InlineKeyboardMarkup([[ROUTE.button(t.gettext("Refresh"), "st", broadcast_id)]])
    text = progress_text(t, item, progress)
    if query.message is not None and getattr(query.message, "text", None) == text:
        return  # nothing changed since the last refresh (Telegram refuses an equal edit)
    await query.edit_message_text(text, reply_markup=refresh)
