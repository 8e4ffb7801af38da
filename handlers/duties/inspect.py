"""`/inspect`: a member of the inspection team records a finding on the spot — round, unit
(searched like the report's unit step, with the same storage search), category from the seed's
list of inspection targets, what was seen, photos, when — and files it as a case of kind
"finding" for the staff desk (/inbox), which accepts it and dispatches it to the unit's ledger.

The draft lives in `user_data` until it is filed; nothing is stored before.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from domain.cases.reports import too_long
from domain.duties import inspections as rules
from handlers.context import BotContext, Viewer, viewer
from handlers.conversation import one_draft_per_person, step
from handlers.desk.cards import post_staff_card
from handlers.i18n import Html, Translator
from handlers.ui import pickers
from handlers.ui.callbacks import Route, press_value, pressed
from handlers.ui.dates import local_today
from handlers.ui.deliver import confirm, quietly
from handlers.ui.keyboards import rows_of
from handlers.ui.labels import inspection_category
from handlers.ui.presses import neutral
from handlers.ui.text import shorten
from storage.duties import inspections

ROUND, UNIT, CATEGORY, DESCRIBE, PHOTOS, WHEN, CONFIRM = (
    f"inspect:{s}" for s in ("round", "unit", "category", "describe", "photos", "when", "confirm")
)
ROUTE = Route("inspect")
PATTERN = ROUTE.pattern
UNITS = pickers.UnitPicker(ROUTE)
DRAFT_KEY = "inspect:draft"
MAX_PHOTOS = 10


def category_label(t: Translator, key: str) -> str:
    return inspection_category(t, key) or key


def _draft(context: BotContext) -> dict[str, Any]:
    assert context.user_data is not None
    draft: dict[str, Any] = context.user_data.setdefault(DRAFT_KEY, {"photos": []})
    return draft


async def _who(
    update: Update, context: BotContext, *, answer: bool = True
) -> tuple[Viewer, Message] | None:
    who = await viewer(update, context)
    message = update.effective_message
    if who is None or message is None:
        return None
    if update.callback_query is not None and answer:
        await update.callback_query.answer()
    return who, message


async def _not_ours(update: Update, who: Viewer) -> None:
    """A press whose value names no unit or category we offered: a notice, the step stays."""
    if update.callback_query is not None:
        await update.callback_query.answer(neutral(who.t))


async def start(update: Update, context: BotContext) -> str | int:
    """/inspect: only the inspection team; pick the round (or take the only open one)."""
    found = await _who(update, context)
    if found is None:
        return ConversationHandler.END
    who, message = found
    t, db = who.t, context.services.db
    member = who.membership.member if who.membership else None
    if member is None or member.id is None or not await inspections.is_inspector(db, member.id):
        await message.reply_text(
            t.gettext("Only members of the inspection team record findings; ask an admin.")
        )
        return ConversationHandler.END
    rounds = await inspections.open_rounds(db)
    if not rounds:
        await message.reply_text(
            t.gettext("No inspection round is open; an admin opens one with /round new NAME.")
        )
        return ConversationHandler.END
    assert context.user_data is not None
    context.user_data[DRAFT_KEY] = {"photos": [], "inspector": member.id}
    if len(rounds) == 1:
        _draft(context)["round"] = rounds[0].id
        return await _ask_unit(message, t)
    buttons = [ROUTE.button(shorten(r.name), "round", r.id) for r in rounds[:10]]
    await message.reply_text(
        t.gettext("Which inspection round is this finding for?"),
        reply_markup=rows_of(buttons, per_row=1),
    )
    return ROUND


async def choose_round(update: Update, context: BotContext) -> str | None:
    found = await _who(update, context)
    if found is None:
        return None
    who, message = found
    round_id = press.number() if (press := pressed(update)) is not None else None
    chosen = (
        None if round_id is None else await inspections.round_by_id(context.services.db, round_id)
    )
    if chosen is None or chosen.closed:
        await message.reply_text(who.t.gettext("That round is closed; send /inspect again."))
        return None
    _draft(context)["round"] = chosen.id
    return await _ask_unit(message, who.t)


async def _ask_unit(message: Message, t: Translator) -> str:
    await message.reply_text(
        t.gettext("Which unit? Type part of its name or its code to search for it.")
    )
    return UNIT


async def search_unit(update: Update, context: BotContext) -> str | None:
    """Offer the units matching the typed name or code (the report's unit search)."""
    found = await _who(update, context)
    if found is None:
        return None
    who, message = found
    text = (message.text or "").strip()[:64]
    await UNITS.offer(message, who.t, context.services.db, text)
    return None


async def choose_unit(update: Update, context: BotContext) -> str | None:
    found = await _who(update, context, answer=False)
    if found is None:
        return None
    who, message = found
    t = who.t
    unit = await UNITS.chosen(update, context.services.db)
    if unit is None:
        await _not_ours(update, who)
        return None
    if update.callback_query is not None:
        await update.callback_query.answer()
    _draft(context)["unit"], _draft(context)["unit_name"] = unit.id, unit.name
    await message.reply_text(
        t.gettext("What did you find? Choose the category."),
        reply_markup=pickers.category_keyboard(ROUTE, pickers.inspection_categories(t)),
    )
    return CATEGORY


async def choose_category(update: Update, context: BotContext) -> str | None:
    found = await _who(update, context, answer=False)
    if found is None:
        return None
    who, message = found
    key = press_value(update)
    if key not in rules.CATEGORY_KEYS:
        await _not_ours(update, who)
        return None
    if update.callback_query is not None:
        await update.callback_query.answer()
    _draft(context)["category"] = key
    await message.reply_text(who.t.gettext("Describe what you saw, in one message."))
    return DESCRIBE


async def take_description(update: Update, context: BotContext) -> str | None:
    found = await _who(update, context)
    if found is None:
        return None
    who, message = found
    t, text = who.t, (message.text or "").strip()
    limit = context.services.settings.text_max_chars
    if too_long(text, limit) is not None or not text:
        await message.reply_text(
            t.gettext("Please describe it in at most {limit} characters.", limit=limit)
        )
        return None
    _draft(context)["description"] = text
    await message.reply_text(
        t.gettext("Send photos if you have any, then press Done."),
        reply_markup=InlineKeyboardMarkup([[ROUTE.button(t.gettext("Done"), "done")]]),
    )
    return PHOTOS


async def take_photo(update: Update, context: BotContext) -> str | None:
    found = await _who(update, context)
    if found is None or not found[1].photo:
        return None
    who, message = found
    photos: list[list[object]] = _draft(context)["photos"]
    if len(photos) >= MAX_PHOTOS:
        await message.reply_text(who.t.gettext("That is enough photos; press Done."))
        return None
    largest = message.photo[-1]
    photos.append([largest.file_id, largest.file_size])
    await message.reply_text(
        who.t.ngettext("{n} photo attached.", "{n} photos attached.", len(photos)),
        reply_markup=InlineKeyboardMarkup([[ROUTE.button(who.t.gettext("Done"), "done")]]),
    )
    return None


async def finish_photos(update: Update, context: BotContext) -> str | None:
    found = await _who(update, context)
    if found is None:
        return None
    who, message = found
    t = who.t
    await message.reply_text(
        t.gettext("When did you see it? Press Now, or type the time today as HH:MM."),
        reply_markup=InlineKeyboardMarkup([[ROUTE.button(t.gettext("Now"), "now")]]),
    )
    return WHEN


async def take_time(update: Update, context: BotContext) -> str | None:
    found = await _who(update, context)
    if found is None:
        return None
    who, message = found
    svc = context.services
    now = svc.clock.now()
    if update.callback_query is not None:
        when = now
    else:
        parsed = rules.observed_at(message.text or "", now, svc.settings.timezone)
        if parsed is None:
            await message.reply_text(
                who.t.gettext("Type a time of today that has passed, like 14:30, or press Now.")
            )
            return None
        when = parsed
    draft = _draft(context)
    draft["when"] = when.isoformat()
    return await _summary(message, who.t, context, when_text=who.t.datetime(when))


async def _summary(message: Message, t: Translator, context: BotContext, *, when_text: str) -> str:
    draft = _draft(context)
    chosen = await inspections.round_by_id(context.services.db, draft["round"])
    text = Html(
        "\n".join(
            [
                t.gettext("Please check the finding:"),
                t.gettext("Round: {name}", name=chosen.name if chosen else ""),
                t.gettext("Unit: {name}", name=draft["unit_name"]),
                t.gettext("Category: {name}", name=category_label(t, draft["category"])),
                t.gettext("Seen: {when}", when=when_text),
                t.gettext("Photos: {n}", n=len(draft["photos"])),
                t.gettext("What was seen: {text}", text=draft["description"]),
            ]
        )
    )
    buttons = [
        [ROUTE.button(t.gettext("Submit"), "submit"), ROUTE.button(t.gettext("Cancel"), "cancel")]
    ]
    await message.reply_text(text, reply_markup=InlineKeyboardMarkup(buttons))
    return CONFIRM


async def submit(update: Update, context: BotContext) -> int | None:
    """File the finding for the staff desk; tell the staff chat."""
    found = await _who(update, context)
    if found is None:
        return None
    who, message = found
    svc, t = context.services, who.t
    assert context.user_data is not None
    draft = context.user_data.pop(DRAFT_KEY, None)
    if not draft:
        return ConversationHandler.END
    if not await inspections.is_inspector(svc.db, draft["inspector"]):  # withdrawn meanwhile
        await message.reply_text(
            t.gettext("Only members of the inspection team record findings; ask an admin.")
        )
        return ConversationHandler.END
    filed = await inspections.file_finding(
        svc.db,
        round_id=draft["round"],
        inspector_member_id=draft["inspector"],
        unit_id=draft["unit"],
        category_key=draft["category"],
        description=draft["description"],
        observed_at=datetime.fromisoformat(draft["when"]),
        photos=[inspections.Photo(fid, size) for fid, size in draft["photos"]],
        today=local_today(context),
        now=svc.clock.now(),
    )
    # Stored: a refused send is retried or logged, never an apology, and the conversation
    # ends whatever happens (else /cancel would say the finding was not filed).
    what = f"finding case {filed.case_id}"
    await quietly(message.edit_reply_markup(None), what=what)
    text = t.gettext(
        "Finding {number} is filed; the staff desk takes it from here.", number=filed.number
    )
    await confirm(lambda: message.reply_text(text), what=what)
    await post_staff_card(context, filed.case_id)  # the staff chat's card of the finding
    return ConversationHandler.END


async def cancel(update: Update, context: BotContext) -> int:
    who = await viewer(update, context)
    if context.user_data is not None:
        context.user_data.pop(DRAFT_KEY, None)
    if update.callback_query is not None:
        await update.callback_query.answer()
    if who is not None and update.effective_message is not None:
        await update.effective_message.reply_text(who.t.gettext("The finding was not filed."))
    return ConversationHandler.END


def build() -> ConversationHandler[BotContext]:
    """The /inspect conversation; register it with the other conversations."""
    private = filters.ChatType.PRIVATE
    text = filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND
    photos = filters.UpdateType.MESSAGE & filters.PHOTO
    states: dict[object, list[BaseHandler[Any, BotContext, Any]]] = {
        ROUND: step(CallbackQueryHandler(choose_round, pattern=ROUTE.action_pattern("round"))),
        UNIT: step(
            CallbackQueryHandler(choose_unit, pattern=ROUTE.action_pattern("unit")),
            MessageHandler(text, search_unit),
        ),
        CATEGORY: step(CallbackQueryHandler(choose_category, pattern=ROUTE.action_pattern("cat"))),
        DESCRIBE: step(MessageHandler(text, take_description)),
        PHOTOS: step(
            MessageHandler(photos, take_photo),
            CallbackQueryHandler(finish_photos, pattern=ROUTE.exact_pattern("done")),
        ),
        WHEN: step(
            CallbackQueryHandler(take_time, pattern=ROUTE.exact_pattern("now")),
            MessageHandler(text, take_time),
        ),
        CONFIRM: step(
            CallbackQueryHandler(submit, pattern=ROUTE.exact_pattern("submit")),
            CallbackQueryHandler(cancel, pattern=ROUTE.exact_pattern("cancel")),
        ),
    }
    with one_draft_per_person():
        return ConversationHandler(
            entry_points=[CommandHandler("inspect", start, filters=private)],
            states=states,
            fallbacks=[CommandHandler("cancel", cancel)],
            name="inspect",
            per_message=False,
            allow_reentry=False,
        )
