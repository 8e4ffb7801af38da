"""A case's staff thread in the inbox: internal notes (staff only; with `[desk] private_notes`
a section's notes only for that section and administrators), the desk's files, the exchanges
with the reporter and the unit's returns (退单), with the buttons of the follow-ups.

Opened from the inbox card (`desk:v1:p:<case>`); only handlers and administrators, in private.
Nothing here reaches a reporter or a complainant, and exports never read internal notes.
"""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update

from domain.desk.followup import (
    NOTE_MAX,
    FollowRefusal,
    OwnerAct,
    may_open_thread,
    owner_refusal,
    text_problem,
)
from domain.hotline.rules import clean_text
from handlers.context import BotContext, Viewer
from handlers.desk.followups.common import (
    PROMPT_MARK,
    ROUTE,
    ask,
    forget_prompt,
    refresh_staff_card,
    refusal_text,
    too_long,
)
from handlers.desk.inbox import actor_of, desk_person
from handlers.i18n import Translator, escape
from handlers.ui.dates import local_today
from handlers.ui.labels import status_label
from handlers.ui.text import shorten
from storage.desk import notes as desk_notes
from storage.desk import returns as desk_returns
from storage.desk.notes import CaseHead, Reader, ThreadLine

ACTIONS = ("p", "n", "pf")
PROMPTS = ("note",)
PANEL_BUDGET = 3300  # characters of thread on the panel (Telegram's limit is 4096)
LINE_CHARS = 600
MAX_FILES_SHOWN = 10


def reader_of(who: Viewer, context: BotContext) -> Reader:
    actor = actor_of(who)
    return Reader(who.role, actor.unit_id, context.services.settings.private_notes)


def _line(t: Translator, line: ThreadLine) -> str:
    day = t.date(line.sent_on)
    name = line.author_name or t.gettext("an administrator")
    if line.direction == "internal":
        head = t.gettext("📝 Note by {name} · {day}", name=name, day=day)
    elif line.direction == "to_author":
        head = t.gettext("➡ To the reporter, by {name} · {day}", name=name, day=day)
    else:
        head = t.gettext("⬅ From the reporter · {day}", day=day)
    files = "\n" + t.ngettext("📎 {n} file", "📎 {n} files", len(line.files)) if line.files else ""
    body = escape(shorten(line.body, LINE_CHARS)) if line.body else ""
    return f"<b>{head}</b>\n{body}{files}".rstrip()


async def panel(
    who: Viewer, context: BotContext, head: CaseHead
) -> tuple[str, InlineKeyboardMarkup]:
    """The thread's text (newest kept when long) and the follow-up buttons."""
    t, db = who.t, context.services.db
    lines = await desk_notes.thread(db, head.case_id, reader_of(who, context))
    returns = await desk_returns.returns_of(db, head.case_id)
    top = [
        t.gettext(
            "<b>{number}</b> · staff thread ({status})",
            number=head.number,
            status=status_label(t, head.facts.status),
        ),
        t.gettext("Internal notes are seen by staff only, never by the reporter."),
    ]
    if head.waiting_since is not None:
        top.append(
            t.gettext(
                "⏳ Waiting for the reporter's answer since {day}.", day=t.date(head.waiting_since)
            )
        )
    for back in returns:
        top.append(
            t.gettext(
                "↩ Returned by {unit} on {at}: {reason}",
                unit=back.unit_name,
                at=t.datetime(back.at),
                reason=shorten(back.reason, LINE_CHARS),
            )
        )
    entries = [_line(t, line) for line in lines]
    shown: list[str] = []
    budget = PANEL_BUDGET - sum(len(x) for x in top)
    for entry in reversed(entries):
        if len(entry) > budget:
            shown.append(
                t.gettext("(earlier messages are not shown: the message would be too long)")
            )
            break
        budget -= len(entry) + 2
        shown.append(entry)
    if not entries:
        shown.append(t.gettext("No notes or messages yet."))
    text = "\n".join(top) + "\n\n" + "\n\n".join(reversed(shown))
    return text, InlineKeyboardMarkup(_buttons(t, who, head, any(x.files for x in lines)))


def _buttons(
    t: Translator, who: Viewer, head: CaseHead, has_files: bool
) -> list[list[InlineKeyboardButton]]:
    case_id = head.case_id
    rows = [
        [
            ROUTE.button(t.gettext("Add a note"), "n", case_id),
            ROUTE.button(t.gettext("Attach a file (staff only)"), "f", case_id),
        ]
    ]
    actor = actor_of(who)
    if owner_refusal(OwnerAct.FILE_TO_AUTHOR, actor, head.kind, head.facts) is None:
        rows.append(
            [
                ROUTE.button(t.gettext("Send a file to the reporter"), "fa", case_id),
                ROUTE.button(t.gettext("Ask the reporter"), "q", case_id, 0),
            ]
        )
    if owner_refusal(OwnerAct.STATUS, actor, head.kind, head.facts) is None:
        rows.append([ROUTE.button(t.gettext("Change status"), "s", case_id, 0)])
    if has_files:
        rows.append([ROUTE.button(t.gettext("Show the files"), "pf", case_id)])
    return rows


async def thread_head(
    update: Update, context: BotContext, who: Viewer, case_id: int
) -> CaseHead | None:
    """The case a thread button is about, when the presser may open its staff thread (a desk
    person, not of the unit concerned); otherwise the press is answered and None."""
    query = update.callback_query
    assert query is not None
    if await desk_person(update, context) is None:
        return None
    t = who.t
    head = await desk_notes.case_head(context.services.db, case_id)
    if head is None:
        await query.answer(t.gettext("This case no longer exists."))
        return None
    actor = actor_of(who)
    if not may_open_thread(actor.role, actor.unit_id, head.facts.unit_id):
        await query.answer(refusal_text(t, FollowRefusal.CONFLICT), show_alert=True)
        return None
    return head


async def on_button(
    update: Update, context: BotContext, who: Viewer, action: str, case_id: int
) -> None:
    query = update.callback_query
    assert query is not None
    head = await thread_head(update, context, who, case_id)
    if head is None:
        return
    t = who.t
    assert isinstance(query.message, Message)
    if action == "p":
        await query.answer()
        text, markup = await panel(who, context, head)
        await query.message.reply_text(text, reply_markup=markup)
    elif action == "pf":
        await query.answer()
        await _send_files(context, who, query.message, head)
    else:
        await query.answer()
        text = t.gettext(
            "{mark} {number}: reply to this message with your internal note; only staff will "
            "read it (at most {limit} characters).",
            mark=PROMPT_MARK,
            number=head.number,
            limit=NOTE_MAX,
        )
        await ask(context, query.message, text, ("note", case_id))


async def _send_files(context: BotContext, who: Viewer, message: Message, head: CaseHead) -> None:
    """The desk's files of the case the reader may see, sent again by their file ids."""
    lines = await desk_notes.thread(context.services.db, head.case_id, reader_of(who, context))
    files = [f for line in lines for f in line.files][-MAX_FILES_SHOWN:]
    for number, item in enumerate(files, start=1):
        caption = f"{head.number} · {number}/{len(files)}"
        if item.kind == "photo":
            await message.reply_photo(item.file_id, caption=caption)
        else:
            await message.reply_document(item.file_id, caption=caption)


async def on_answer(
    update: Update, context: BotContext, who: Viewer, what: tuple[Any, ...]
) -> None:
    """The note's text: store it for staff."""
    message = update.effective_message
    assert message is not None
    if await desk_person(update, context) is None:
        return
    t, svc = who.t, context.services
    body = clean_text(message.text or "")
    problem = text_problem(body, NOTE_MAX)
    if problem is not None:
        await message.reply_text(too_long(t, problem, NOTE_MAX))
        return
    actor = actor_of(who)
    head = await desk_notes.add_note(
        svc.db,
        int(what[1]),
        role=who.role,
        member_id=actor.member_id,
        body=body,
        file=None,
        today=local_today(context),
        now=svc.clock.now(),
    )
    forget_prompt(context, message)
    if head is None:
        await message.reply_text(t.gettext("This case no longer exists."))
        return
    await message.reply_text(
        t.gettext("Note added to {number}; only staff can read it.", number=head.number)
    )
    await refresh_staff_card(context, head.case_id)
