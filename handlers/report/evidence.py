"""Steps 4 and 5 of `/report`: evidence (photos and documents, checked against the configured
limits) and whether the reporter's name is kept from the unit head."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Message, Update

from domain.cases.reports import EvidenceItem, EvidenceRefusal, ReportDraft, check_evidence
from handlers.context import BotContext, Viewer
from handlers.i18n import Translator
from handlers.report.draft import (
    CONFIDENTIAL,
    EVIDENCE,
    answer_then,
    draft_of,
    editing,
    show_summary,
    who_and_draft,
)
from handlers.report.views import ROUTE
from handlers.ui.callbacks import press_value
from handlers.ui.presses import neutral


async def after_evidence(message: Message, who: Viewer, context: BotContext) -> str:
    """Back to the summary when evidence was being changed, else on to step 5."""
    if editing(context):
        return await show_summary(message, who, context)
    return await ask_confidential(message, who, context)


# -- 4. evidence --------------------------------------------------------------------------------


def evidence_keyboard(t: Translator, draft: ReportDraft) -> InlineKeyboardMarkup:
    if not draft.evidence:
        return InlineKeyboardMarkup([[ROUTE.button(t.gettext("Skip"), "done", "evidence")]])
    return InlineKeyboardMarkup(
        [
            [ROUTE.button(t.gettext("Done"), "done", "evidence")],
            [ROUTE.button(t.gettext("Remove the files"), "clear", "evidence")],
        ]
    )


async def ask_evidence(message: Message, who: Viewer, context: BotContext) -> str:
    draft = draft_of(context)
    assert draft is not None
    rules = context.services.settings.evidence
    if rules.max_files == 0:
        return await after_evidence(message, who, context)
    t = who.t
    text: str = t.gettext(
        "Step 4 of 5. Evidence: send up to {count} photos or documents ({types}, at most "
        "{mb} MB each), or press Skip. Captions are seen only by campaign staff.",
        count=rules.max_files,
        types=rules.allowed_labels(),
        mb=rules.max_mb,
    )
    if draft.evidence:
        attached = t.ngettext("{n} file attached.", "{n} files attached.", len(draft.evidence))
        text += "\n" + attached
    await message.reply_text(text, reply_markup=evidence_keyboard(t, draft))
    return EVIDENCE


async def take_evidence(update: Update, context: BotContext) -> str | None:
    """Attach a photo (its largest size) or an allowed document; refuse others clearly."""
    found = await who_and_draft(update, context)
    if found is None:
        return None
    who, draft, message = found
    t, rules = who.t, context.services.settings.evidence
    if message.photo:
        largest = message.photo[-1]
        item = EvidenceItem("photo", largest.file_id, "image/jpeg", largest.file_size)
    elif message.document is not None:
        doc = message.document
        item = EvidenceItem(
            "document", doc.file_id, doc.mime_type, doc.file_size, file_name=doc.file_name
        )
    else:
        return None
    item = EvidenceItem(
        item.kind, item.file_id, item.mime_type, item.size, message.caption, item.file_name
    )
    refusal = check_evidence(
        rules,
        kind=item.kind,
        mime_type=item.mime_type,
        size=item.size,
        attached=len(draft.evidence),
    )
    if refusal is EvidenceRefusal.TOO_MANY:
        text = t.gettext(
            "You have already attached {count} files, the most a report takes. Press Done.",
            count=rules.max_files,
        )
    elif refusal is EvidenceRefusal.TOO_BIG:
        megabytes = round((item.size or 0) / (1024 * 1024), 1)
        text = t.gettext(
            "This file is {size} MB; the limit is {mb} MB. Send a smaller file, or press Done.",
            size=megabytes,
            mb=rules.max_mb,
        )
    elif refusal is EvidenceRefusal.TYPE_REFUSED:
        text = t.gettext(
            "Files of this type ({mime}) are not accepted. Accepted: {types}.",
            mime=item.mime_type or "?",
            types=rules.allowed_labels(),
        )
    else:
        draft.evidence.append(item)
        text = t.gettext(
            "File {n} of at most {count} received. Send another, or press Done.",
            n=len(draft.evidence),
            count=rules.max_files,
        )
    await message.reply_text(text, reply_markup=evidence_keyboard(t, draft))
    return None


async def finish_evidence(update: Update, context: BotContext) -> str | None:
    found = await who_and_draft(update, context)
    if found is None:
        return None
    who, _draft, message = found
    return await answer_then(update, after_evidence(message, who, context))


async def clear_evidence(update: Update, context: BotContext) -> str | None:
    found = await who_and_draft(update, context)
    if found is None:
        return None
    who, draft, message = found
    draft.evidence.clear()
    return await answer_then(update, ask_evidence(message, who, context))


# -- 5. confidential ----------------------------------------------------------------------------


async def ask_confidential(message: Message, who: Viewer, context: BotContext) -> str:
    t = who.t
    text = t.gettext(
        "Step 5 of 5. Keep your name confidential? If yes, the head of the unit concerned "
        "never sees who filed the report; campaign staff always do."
    )
    await message.reply_text(text, reply_markup=confidential_keyboard(t))
    return CONFIDENTIAL


def confidential_keyboard(t: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                ROUTE.button(t.gettext("Yes, confidential"), "conf", 1),
                ROUTE.button(t.gettext("No, show my name"), "conf", 0),
            ]
        ]
    )


async def choose_confidential(update: Update, context: BotContext) -> str | None:
    found = await who_and_draft(update, context)
    if found is None:
        return None
    who, draft, message = found
    value, query = press_value(update), update.callback_query
    if value not in ("0", "1") and query is not None:  # not a button we built: nothing changes
        await query.answer(neutral(who.t))
        return None
    draft.confidential = value == "1"
    return await answer_then(update, show_summary(message, who, context))
