"""A complaint's document, handled like GlobaLeaks handles a file: the report's type
allowlist, then the bot's own copy with its metadata removed (`domain.hotline.evidence`) sent
back into the complainant's chat — that copy, under a neutral name, is what staff receive; the
original's file id is never stored. Photos sent as photos are Telegram's re-encoded copies."""

from __future__ import annotations

import asyncio

from telegram import Document, InputFile, Message

from domain.hotline import evidence
from handlers.context import BotContext, Viewer
from storage.cases.complaints import EvidenceFile


async def cleaned_copy(
    message: Message, who: Viewer, context: BotContext, doc: Document
) -> EvidenceFile | None:
    """The stripped copy of `doc` as evidence, or None after telling the sender why not."""
    t = who.t
    rules = context.services.settings.evidence
    mime = (doc.mime_type or "").lower()
    if not evidence.type_allowed(rules.allowed_mime, mime, doc.file_name):
        await message.reply_text(
            t.gettext(
                "Files of this type ({mime}) are not accepted. Accepted: {types}.",
                mime=doc.mime_type or "?",
                types=rules.allowed_labels(),
            )
        )
        return None
    original = bytes(await (await doc.get_file()).download_as_bytearray())
    clean = await asyncio.to_thread(evidence.strip, mime, original)
    if isinstance(clean, evidence.Refused):
        await message.reply_text(
            t.gettext(
                "This file cannot be read as its type says, so its hidden details (author, "
                "device, place) cannot be removed. It is not added: send it in another format, "
                "or a picture as a photo."
            )
        )
        return None
    copy = await message.reply_document(
        InputFile(clean, filename="evidence" + evidence.EXTENSIONS[mime]),
        caption=t.gettext(
            "This copy is what staff will receive: its hidden details (author, device, place) "
            "are removed."
        ),
    )
    if copy.document is None:
        return None
    return EvidenceFile("document", copy.document.file_id, mime, len(clean))
