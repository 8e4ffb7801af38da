"""The steps of /complain that build the draft: category, unit, text prompt, evidence, push
opt-in and the summary. Each step's prompt and its answer; nothing is stored here."""

from __future__ import annotations

from telegram import Message, Update

from domain.hotline.rules import UnitChoice, match_units
from handlers.context import BotContext, Viewer, viewer
from handlers.hotline.common import draft_of
from handlers.hotline.files import cleaned_copy
from handlers.hotline.views import COMPLAIN
from handlers.i18n import escape
from handlers.ui import pickers
from handlers.ui.callbacks import press_value
from handlers.ui.keyboards import close_keyboard, keyboard
from handlers.ui.labels import category_name
from storage.cases.complaints import EvidenceFile
from storage.membership import units

CATEGORY = "complain:category"
UNIT = "complain:unit"
DESCRIBE = "complain:describe"
EVIDENCE = "complain:evidence"
PUSH = "complain:push"
CONFIRM = "complain:confirm"
SUMMARY_TEXT_MAX = 1500
UNITS = pickers.UnitPicker(COMPLAIN)


async def _who(update: Update, context: BotContext) -> Viewer | None:
    who = await viewer(update, context)
    return who if draft_of(context) is not None else None


async def ask_category(update: Update, who: Viewer, context: BotContext) -> str:
    message = update.effective_message
    assert message is not None
    choices = pickers.campaign_categories(context.services.settings.campaign, who.t.language)
    await message.reply_text(
        who.t.gettext("Which kind of problem is it? Choose a category:"),
        reply_markup=pickers.category_keyboard(COMPLAIN, choices, per_row=1),
    )
    return CATEGORY


async def choose_category(update: Update, context: BotContext) -> str | None:
    """Keep the category (checked against the campaign's, never trusted)."""
    who = await _who(update, context)
    draft = draft_of(context)
    query = update.callback_query
    if who is None or draft is None or query is None or not isinstance(query.message, Message):
        return None
    campaign = context.services.settings.campaign
    category = campaign.category(press_value(update))
    if category is None:
        await query.answer(who.t.gettext("Please choose one of the categories shown."))
        return None
    await query.answer()
    draft.category_key = category.key
    await query.edit_message_text(
        who.t.gettext("Category: {name}", name=category_name(who.t, campaign, category.key))
    )
    return await ask_unit(query.message, who)


async def ask_unit(message: Message, who: Viewer) -> str:
    t = who.t
    await message.reply_text(
        t.gettext(
            "Which school or unit is it about? Type part of its name to search, "
            "or press “I don't know”."
        ),
        reply_markup=keyboard([COMPLAIN.button(t.gettext("I don't know"), "unit", "none")]),
    )
    return UNIT


async def search_unit(update: Update, context: BotContext) -> str | None:
    """Offer the units whose name matches the typed text."""
    who = await _who(update, context)
    message = update.effective_message
    if who is None or message is None:
        return None
    t, text = who.t, (message.text or "").strip()
    limit = context.services.settings.name_max_chars
    if len(text) > limit:
        await message.reply_text(
            t.gettext(
                "That is {count} characters; a unit search takes at most {limit}.",
                count=len(text),
                limit=limit,
            )
        )
        return None
    everything = await units.all_units(context.services.db)
    choices = [UnitChoice(u.id, u.code, u.name) for u in everything if u.id is not None]
    found = match_units(text, choices)
    unknown = COMPLAIN.button(t.gettext("I don't know"), "unit", "none")
    if found:
        prompt = t.gettext("Press the unit, or type again to search:")
    else:
        prompt = t.gettext("No unit matches “{text}”. Type another part of the name:", text=text)
    markup = UNITS.keyboard(found, with_code=False, last=[unknown])
    await message.reply_text(prompt, reply_markup=markup)
    return None


async def choose_unit(update: Update, context: BotContext) -> str | None:
    """Keep the unit (after checking it exists) or "don't know"."""
    who = await _who(update, context)
    draft = draft_of(context)
    query = update.callback_query
    if who is None or draft is None or query is None or not isinstance(query.message, Message):
        return None
    t, value = who.t, press_value(update)
    if value == "none":
        draft.unit_id, draft.unit_name = None, None
    else:
        unit = await UNITS.chosen(update, context.services.db)
        if unit is None:
            await query.answer(t.gettext("That unit no longer exists. Search again."))
            return None
        draft.unit_id, draft.unit_name = unit.id, unit.name
    await query.answer()
    await query.edit_message_text(
        t.gettext("Unit concerned: {unit}", unit=draft.unit_name or t.gettext("not known"))
    )
    return await ask_description(query.message, who, context)


async def ask_description(message: Message, who: Viewer, context: BotContext) -> str:
    await message.reply_text(
        who.t.gettext(
            "What happened? Describe it in one message (at most {limit} characters): what, "
            "where, when, who was involved. Leave out anything that points to you.",
            limit=context.services.settings.text_max_chars,
        )
    )
    return DESCRIBE


async def ask_evidence(message: Message, who: Viewer, context: BotContext) -> str:
    policy = context.services.settings.hotline
    if policy.max_evidence_files == 0:
        return await ask_push(message, who)
    t = who.t
    await message.reply_text(
        t.gettext(
            "You may add photos or documents as evidence (at most {count}, each up to {mb} MB; "
            "{types}), then press “Done”. The bot removes a file's hidden details (author, "
            "camera, place) and sends you back the copy staff will receive. Captions are not "
            "kept.",
            count=policy.max_evidence_files,
            mb=policy.max_file_bytes // (1024 * 1024),
            types=context.services.settings.evidence.allowed_labels(),
        ),
        reply_markup=keyboard([COMPLAIN.button(t.gettext("Done"), "files_done")]),
    )
    return EVIDENCE


async def add_evidence(update: Update, context: BotContext) -> str | None:
    """Keep a photo's or document's file reference, within the limits."""
    who = await _who(update, context)
    draft = draft_of(context)
    message = update.effective_message
    if who is None or draft is None or message is None:
        return None
    t, policy = who.t, context.services.settings.hotline
    if len(draft.evidence) >= policy.max_evidence_files:
        await message.reply_text(
            t.gettext(
                "That is more than {count} files; this one is not added. Press “Done”.",
                count=policy.max_evidence_files,
            )
        )
        return None
    if message.photo:
        photo = message.photo[-1]
        item = EvidenceFile("photo", photo.file_id, "image/jpeg", photo.file_size)
    elif message.document is not None:
        doc = message.document
        item = EvidenceFile("document", doc.file_id, doc.mime_type, doc.file_size)
    else:
        return None
    too_big = item.size is not None and item.size > policy.max_file_bytes
    if message.document is not None and not too_big:
        cleaned = await cleaned_copy(message, who, context, message.document)
        if cleaned is None:
            return None
        item = cleaned  # the copy without metadata; the original's id is not kept
    if item.size is not None and item.size > policy.max_file_bytes:
        await message.reply_text(
            t.gettext(
                "That file is {size} MB; at most {mb} MB are allowed. It is not added.",
                size=round(item.size / (1024 * 1024), 1),
                mb=policy.max_file_bytes // (1024 * 1024),
            )
        )
        return None
    draft.evidence.append(item)
    await message.reply_text(
        t.gettext(
            "File {number} added. Send another, or press “Done”.", number=len(draft.evidence)
        ),
        reply_markup=keyboard([COMPLAIN.button(t.gettext("Done"), "files_done")]),
    )
    return None


async def evidence_done(update: Update, context: BotContext) -> str | None:
    who = await _who(update, context)
    query = update.callback_query
    if who is None or query is None or not isinstance(query.message, Message):
        return None
    await query.answer()
    await close_keyboard(update)
    return await ask_push(query.message, who)


async def ask_push(message: Message, who: Viewer) -> str:
    t = who.t
    await message.reply_text(
        t.gettext(
            "Do you want a notice in this chat when staff reply?\n"
            "If yes, the bot keeps an encrypted link between this chat and your complaint until "
            "it is closed, then erases it. If no, nothing links them: check with /status and "
            "your receipt."
        ),
        reply_markup=keyboard(
            [COMPLAIN.button(t.gettext("Notify me"), "push")],
            [COMPLAIN.button(t.gettext("No notices"), "no_push")],
        ),
    )
    return PUSH


async def show_summary(message: Message, who: Viewer, context: BotContext) -> str:
    draft = draft_of(context)
    assert draft is not None and draft.category_key is not None
    t = who.t
    campaign = context.services.settings.campaign
    text = draft.description
    if len(text) > SUMMARY_TEXT_MAX:
        text = text[:SUMMARY_TEXT_MAX] + "…"
    card = t.gettext(
        "<b>Please check your complaint</b>\nCategory: {category}\nUnit concerned: {unit}\n"
        "Files: {files}\nNotices in this chat: {push}",
        category=category_name(t, campaign, draft.category_key),
        unit=draft.unit_name or t.gettext("not known"),
        files=len(draft.evidence),
        push=t.gettext("yes") if draft.push else t.gettext("no"),
    )
    await message.reply_text(
        f"{card}\n\n{escape(text)}",
        reply_markup=keyboard(
            [COMPLAIN.button(t.gettext("Submit"), "submit")],
            [COMPLAIN.button(t.gettext("Cancel"), "cancel")],
        ),
    )
    return CONFIRM
