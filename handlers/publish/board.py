"""/publish: an admin puts a closed case or a unit's phase result on the honour roll (褒奖) or
the exposure board (曝光) — pick the board and the subject, write the public summary (a 📝
prompt), see the post exactly as the channel will show it with the privacy check's warnings,
then publish (handlers/publish/actions.py). Admins only, in private; every press re-checked.
"""

from __future__ import annotations

from telegram import ForceReply, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType

from domain.cases.outcome import Outcome
from domain.publish import publication as rules
from domain.publish.publication import Kind, State
from handlers.context import BotContext, Viewer, viewer
from handlers.conversation import RepliesTo
from handlers.publish.texts import (
    PROMPT_MARK,
    ROUTE,
    check_text,
    draft_keyboard,
    list_line,
    post_text,
)
from handlers.stats import rating
from handlers.stats.rating import explained, unit_line
from handlers.ui.callbacks import number
from handlers.ui.dates import local_today
from handlers.ui.presses import refuse
from storage.models import Publication
from storage.publish import publications

PROMPTS_KEY = "publish:prompts"
MAX_OPEN_PROMPTS = 10
CHOICES = 8
_KINDS = {"h": Kind.HONOUR, "e": Kind.EXPOSURE}


async def admin_here(update: Update, context: BotContext) -> Viewer | None:
    """The admin behind the update, in a private chat; anyone else is told why (a button
    press gets an alert). Re-checked on every command, press and prompt answer."""
    who = await viewer(update, context)
    if who is None:
        return None
    chat = update.effective_chat
    if not rules.may_publish(who.role):
        await refuse(update, who.t, who.t.gettext("Only administrators can publish or broadcast."))
        return None
    if chat is not None and chat.type == ChatType.PRIVATE:
        return who
    refusal = who.t.gettext("Please use this in a private chat with me.")
    if update.callback_query is not None:
        await update.callback_query.answer(refusal, show_alert=True)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(refusal)
    return None


async def show_menu(update: Update, context: BotContext) -> None:
    """/publish: the boards and subjects to choose from, and the drafts in progress."""
    who = await admin_here(update, context)
    message = update.effective_message
    if who is None or message is None:
        return
    t = who.t
    rows = [
        [ROUTE.button(t.gettext("🏅 Exemplar: a closed case"), "pick", "h", "c")],
        [ROUTE.button(t.gettext("🏅 Exemplar: a unit's result"), "pick", "h", "u")],
        [ROUTE.button(t.gettext("⚠️ Exposure: a closed case"), "pick", "e", "c")],
        [ROUTE.button(t.gettext("⚠️ Exposure: a unit's result"), "pick", "e", "u")],
    ]
    drafts = await publications.listed(
        context.services.db, states=[State.DRAFT, publications.PUBLISHING], limit=5
    )
    rows += [[ROUTE.button(list_line(t, d), "open", d.id)] for d in drafts]
    rows.append([ROUTE.button(t.gettext("Published items"), "list", 0)])
    lines = [t.gettext("What do you want to publish?")]
    if context.services.settings.publication_channel is None:
        lines.append(
            t.gettext("No channel is configured ([publication] channel): you can draft only.")
        )
    await message.reply_text("\n".join(lines), reply_markup=InlineKeyboardMarkup(rows))


async def pick_subject(
    update: Update, context: BotContext, who: Viewer, kind_code: str, subject: str
) -> None:
    """The closed cases, or the units by their rating (best first for the honour roll)."""
    query, t, svc = update.callback_query, who.t, context.services
    if query is None or kind_code not in _KINDS or subject not in ("c", "u"):
        return
    rows = []
    if subject == "c":
        for case in await publications.closed_cases(svc.db, limit=CHOICES):
            label = f"{case.number} · {case.unit_name or '—'}"
            rows.append([ROUTE.button(label, "mk", kind_code, f"c{case.id}")])
    else:
        # The same ratings /stats shows (worst first); only rated units: one with nothing
        # due is on track, not a subject for either board.
        ratings = await rating.board(context, today=local_today(context))
        chosen = [r for r in ratings.ratings if r.rated]
        if kind_code == "h":
            chosen.reverse()
        for r in chosen[:CHOICES]:
            label = unit_line(t, ratings.names.get(r.unit_id, str(r.unit_id)), r)
            rows.append([ROUTE.button(label, "mk", kind_code, f"u{r.unit_id}")])
    await query.answer()
    if not rows:
        await query.edit_message_text(t.gettext("There is nothing to choose from yet."))
        return
    await query.edit_message_text(
        t.gettext("Choose the subject:"), reply_markup=InlineKeyboardMarkup(rows)
    )


async def make_draft(
    update: Update, context: BotContext, who: Viewer, kind_code: str, subject: str
) -> None:
    """A draft for the chosen subject (re-checked: a case must still be closed), then the
    prompt for its summary. The title is in the channel's language."""
    query, t, svc = update.callback_query, who.t, context.services
    subject_id = number(subject[1:])
    if query is None or kind_code not in _KINDS or subject_id is None:
        return
    channel_t = svc.catalogs.get(None)
    case_id = unit_id = phase_key = None
    if subject[0] == "c":
        found = await publications.case_choice(svc.db, subject_id)
        if found is None or not rules.is_publishable_case(found[1]):
            await query.answer(t.gettext("Only a closed case can be published."), show_alert=True)
            return
        choice = found[0]
        category = svc.settings.campaign.category(choice.category_key)
        title = f"{choice.unit_name or '—'} · {category.name if category else choice.category_key}"
        case_id = subject_id
    else:
        ratings = await rating.board(
            context, today=local_today(context), unit_ids=frozenset({subject_id})
        )
        rated = next((r for r in ratings.ratings if r.rated), None)
        name = ratings.names.get(subject_id)
        if rated is None or name is None:
            await query.answer(t.gettext("This unit has no rating yet."), show_alert=True)
            return
        title = unit_line(channel_t, name, rated)
        phase_key, unit_id = ratings.phase_key, subject_id
        if query.message is not None:  # the admin sees why, before writing the summary
            await context.bot.send_message(
                query.message.chat.id, "\n".join(explained(t, name, rated))
            )
    item = await publications.create_draft(
        svc.db,
        kind=_KINDS[kind_code],
        title=title,
        summary="",
        case_id=case_id,
        unit_id=unit_id,
        phase_key=phase_key,
        actor_telegram_id=who.telegram_user_id,
        now=svc.clock.now(),
    )
    await query.answer()
    await ask_summary(update, context, who, item)


async def ask_summary(update: Update, context: BotContext, who: Viewer, item: Publication) -> None:
    message = update.effective_message
    if message is None or item.id is None:
        return
    prompt = await message.reply_text(
        who.t.gettext(
            "{mark} {title}\nReply to this message with the public summary ({low} to {high} "
            "characters). Leave out complainants and anything that identifies a person.",
            mark=PROMPT_MARK,
            title=item.title,
            low=rules.SUMMARY_MIN_CHARS,
            high=rules.SUMMARY_MAX_CHARS,
        ),
        reply_markup=ForceReply(selective=False),
    )
    if context.user_data is not None:
        prompts = context.user_data.setdefault(PROMPTS_KEY, {})
        prompts[prompt.message_id] = (item.id, item.version)
        for stale in sorted(prompts)[:-MAX_OPEN_PROMPTS]:
            prompts.pop(stale, None)


PROMPT_REPLY = RepliesTo(PROMPT_MARK)


async def on_summary(update: Update, context: BotContext) -> None:
    """The admin answered a 📝 prompt: check the length, store, show the preview."""
    message = update.effective_message
    who = await admin_here(update, context)
    if who is None or message is None or message.reply_to_message is None:
        return
    t, svc = who.t, context.services
    prompts = context.user_data.get(PROMPTS_KEY, {}) if context.user_data is not None else {}
    found = prompts.get(message.reply_to_message.message_id)
    if found is None:
        await message.reply_text(t.gettext("This prompt has expired. Start again with /publish."))
        return
    summary = rules.clean_summary(message.text or "")
    if not rules.summary_fits(summary):
        await message.reply_text(
            t.gettext(
                "That is {count} characters; it must be {low} to {high}. Reply to the prompt "
                "again.",
                count=len(summary),
                low=rules.SUMMARY_MIN_CHARS,
                high=rules.SUMMARY_MAX_CHARS,
            )
        )
        return
    result = await publications.set_summary(
        svc.db,
        found[0],
        summary=summary,
        version=found[1],
        actor_telegram_id=who.telegram_user_id,
        now=svc.clock.now(),
    )
    prompts.pop(message.reply_to_message.message_id, None)
    if result.outcome is not Outcome.OK or result.publication is None:
        await message.reply_text(
            t.gettext("This draft changed or was published meanwhile; nothing was saved.")
        )
        return
    await send_preview(message, context, who, result.publication)


async def send_preview(
    message: Message, context: BotContext, who: Viewer, item: Publication
) -> None:
    """The post exactly as the channel will show it, then the check and the buttons."""
    svc = context.services
    channel_t = svc.catalogs.get(None)
    await message.reply_text(
        post_text(
            channel_t, item, campaign_name=svc.settings.campaign.name, day=local_today(context)
        )
    )
    warnings = rules.check_summary(
        item.summary, member_names=await publications.member_names(svc.db)
    )
    channel = svc.settings.publication_channel is not None
    await message.reply_text(
        who.t.gettext("☝️ Preview of the channel post.") + "\n" + check_text(who.t, warnings),
        reply_markup=draft_keyboard(who.t, item, warnings, channel=channel),
    )
