"""Files on a case from the desk: an internal attachment (staff only, any desk member, on a
report or a complaint), or a file the owner sends to the reporter as a reply (named reports
only: a complainant is anonymous and reads replies with /status, so the desk sends nothing to
them). Size and type limits are the report conversation's (`[reports]`).

The file is asked for with a 📌 prompt; its caption is the note or the reply's text.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Bot, Message, Update
from telegram.error import TelegramError

from domain.cases.outcome import Outcome
from domain.cases.reports import EvidenceRefusal, check_evidence
from domain.desk.followup import (
    NOTE_MAX,
    OwnerAct,
    owner_refusal,
    text_problem,
)
from domain.hotline.rules import clean_text
from handlers.context import BotContext, Viewer, copy_evidence
from handlers.desk.followups.common import (
    PROMPT_MARK,
    ask,
    forget_prompt,
    press_refusal,
    refresh_staff_card,
    refusal_text,
)
from handlers.desk.followups.notes import thread_head
from handlers.desk.inbox import actor_of, desk_person
from handlers.i18n import Catalogs, Translator, escape
from handlers.ui.dates import local_today
from storage.desk import notes as desk_notes
from storage.desk import owner as desk_owner
from storage.desk.notes import FileRef
from storage.desk.owner import OwnerResult

log = logging.getLogger(__name__)
ACTIONS = ("f", "fa")
PROMPTS = ("file", "file_author")
CAPTION_MAX = 800  # a caption is at most 1024 characters, with the header


def file_of(message: Message) -> FileRef | None:
    """The photo (largest size) or document of a message."""
    if message.photo:
        largest = message.photo[-1]
        return FileRef("photo", largest.file_id, "image/jpeg", largest.file_size)
    if message.document is not None:
        doc = message.document
        return FileRef("document", doc.file_id, doc.mime_type, doc.file_size)
    return None


def file_problem(t: Translator, context: BotContext, file: FileRef) -> str | None:
    rules = context.services.settings.evidence
    refused = check_evidence(
        rules, kind=file.kind, mime_type=file.mime_type, size=file.size, attached=0
    )
    if refused is EvidenceRefusal.TOO_BIG:
        return t.gettext(
            "This file is {size} MB; the limit is {mb} MB. Reply to the prompt with a smaller "
            "file.",
            size=round((file.size or 0) / (1024 * 1024), 1),
            mb=rules.max_mb,
        )
    if refused is not None:
        return t.gettext(
            "Files of this type ({mime}) are not accepted. Accepted: {types}.",
            mime=file.mime_type or "?",
            types=rules.allowed_labels(),
        )
    return None


async def on_button(
    update: Update, context: BotContext, who: Viewer, action: str, case_id: int
) -> None:
    """Attach (staff only) or send to the reporter: check, then ask for the file."""
    query = update.callback_query
    assert query is not None
    head = await thread_head(update, context, who, case_id)
    if head is None:
        return
    t = who.t
    if action == "fa":
        refused = owner_refusal(OwnerAct.FILE_TO_AUTHOR, actor_of(who), head.kind, head.facts)
        if refused is not None:
            await query.answer(press_refusal(t, refused), show_alert=True)
            return
        text = t.gettext(
            "{mark} {number}: reply to this message with the photo or document for the "
            "reporter; its caption is your reply (at most {limit} characters).",
            mark=PROMPT_MARK,
            number=head.number,
            limit=CAPTION_MAX,
        )
    else:
        text = t.gettext(
            "{mark} {number}: reply to this message with the photo or document to keep on the "
            "case for staff; a caption is optional.",
            mark=PROMPT_MARK,
            number=head.number,
        )
    await query.answer()
    assert isinstance(query.message, Message)
    await ask(context, query.message, text, ("file_author" if action == "fa" else "file", case_id))


async def on_answer(
    update: Update, context: BotContext, who: Viewer, what: tuple[Any, ...]
) -> None:
    """The file arrived: check it, then store it (and send it, for the reporter)."""
    message = update.effective_message
    assert message is not None
    if await desk_person(update, context) is None:
        return
    t, svc = who.t, context.services
    file = file_of(message)
    if file is None:
        await message.reply_text(
            t.gettext("Reply to the prompt with a photo or a document (not text).")
        )
        return
    problem = file_problem(t, context, file)
    caption = clean_text(message.caption or "")
    limit = CAPTION_MAX if what[0] == "file_author" else NOTE_MAX
    if problem is None and caption and text_problem(caption, limit) is not None:
        problem = t.gettext(
            "The caption is {count} characters; at most {limit}. Send the file again.",
            count=len(caption),
            limit=limit,
        )
    if problem is not None:
        await message.reply_text(problem)
        return
    case_id, today, now = int(what[1]), local_today(context), svc.clock.now()
    forget_prompt(context, message)
    if what[0] == "file_author":
        result = await desk_owner.send_file(
            svc.db, case_id, actor_of(who), file, caption, today=today, now=now
        )
        copy_evidence(svc)
        await _after_send(context, who, message, result, file, caption)
        return
    head = await desk_notes.add_note(
        svc.db,
        case_id,
        role=who.role,
        member_id=actor_of(who).member_id,
        body=caption,
        file=file,
        today=today,
        now=now,
    )
    copy_evidence(svc)
    if head is None:
        await message.reply_text(t.gettext("This case no longer exists."))
        return
    await message.reply_text(t.gettext("File kept on {number} for staff only.", number=head.number))
    await refresh_staff_card(context, case_id)


async def _after_send(
    context: BotContext,
    who: Viewer,
    message: Message,
    result: OwnerResult,
    file: FileRef,
    caption: str,
) -> None:
    t = who.t
    change = result.change
    if result.outcome is not Outcome.OK or change is None:
        await message.reply_text(
            refusal_text(t, result.refusal)
            if result.outcome is Outcome.REFUSED
            else t.gettext("Someone else changed this case just now. Open it again.")
        )
        return
    sent = await send_to_reporter(context.bot, context.services.catalogs, result, file, caption)
    await message.reply_text(
        t.gettext("File for {number} stored and sent to the reporter.", number=change.number)
        if sent
        else t.gettext(
            "File for {number} stored; the reporter could not be reached just now.",
            number=change.number,
        )
    )
    await refresh_staff_card(context, change.case_id)


async def send_to_reporter(
    bot: Bot, catalogs: Catalogs, result: OwnerResult, file: FileRef, caption: str
) -> bool:
    """The file with the reply, in the reporter's language; False when not delivered."""
    change = result.change
    if change is None or change.reporter_telegram_id is None:
        return False
    t = catalogs.get(change.reporter_language)
    text = str(t.gettext("Reply to your report {number}:", number=change.number))
    text += ("\n\n" + escape(caption)) if caption else ""
    try:
        if file.kind == "photo":
            await bot.send_photo(change.reporter_telegram_id, file.file_id, caption=text)
        else:
            await bot.send_document(change.reporter_telegram_id, file.file_id, caption=text)
    except TelegramError as error:
        log.info("file on case %s not delivered: %s", change.case_id, type(error).__name__)
        return False
    return True
