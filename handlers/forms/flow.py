"""Answering a form in chat: opened from `/forms` (a named audience) or a unit's public link
(`/start form-<key>-<unit id>`), one question at a time, a summary to check and change, then
one submit. Rights are read again at the start and at Submit; a named draft survives a restart
(`user_data`, persisted), the public's lives in `chat_data` only and ties nobody to anything.
"""

from __future__ import annotations

import asyncio
from typing import Any

from telegram import Message, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from domain.cases.reports import check_evidence
from domain.forms import answers as rules
from domain.forms.answers import FormDraft, Problem
from domain.forms.definitions import Audience, Form, Kind, Question
from domain.forms.rules import (
    is_late,
    may_answer,
    parse_public_payload,
    period_of,
    public_mark,
)
from handlers.context import BotContext, Viewer, viewer
from handlers.conversation import one_draft_per_person, step, write_drafts_now
from handlers.forms.draft import (
    ANSWER,
    CONFIRM,
    EDIT,
    ROUTE,
    UNIT,
    ask,
    confirm_keyboard,
    draft_of,
    drop,
    edit_keyboard,
    form_of,
    keep,
    summary_text,
)
from handlers.i18n import Html, escape
from handlers.ui.callbacks import numbers, pressed
from handlers.ui.dates import local_today
from handlers.ui.deliver import confirm, quietly
from handlers.ui.keyboards import close_keyboard, rows_of
from handlers.ui.presses import neutral, stale_button
from handlers.ui.text import shorten
from storage.forms import answers as stored
from storage.membership import units

UNITS_SHOWN = 40


async def _stale(update: Update, who: Viewer | None) -> None:
    query = update.callback_query
    if query is not None:
        await query.answer(neutral(who.t) if who else None)


async def _refuse(message: Message, who: Viewer, text: Html) -> int:
    await message.reply_text(text)
    return ConversationHandler.END


async def _may(context: BotContext, who: Viewer, form: Form) -> bool:
    """Whether this person is in the form's audience now (read from the database)."""
    m = who.membership
    if form.audience is Audience.PUBLIC:
        return True
    if m is None or m.member.id is None:
        return False
    cadre = form.audience is Audience.CADRES and await stored.is_cadre(
        context.services.db, m.member.id
    )
    return may_answer(form, role=who.role, cadre=cadre, unit_kind=m.unit.kind)


# -- opening ----------------------------------------------------------------------------------


async def pick(update: Update, context: BotContext) -> str | int | None:
    """A form chosen on the /forms list: check the audience and the period, then the unit (a
    monitor) or the first question."""
    who = await viewer(update, context)
    query, message = update.callback_query, update.effective_message
    press = pressed(update)
    if who is None or query is None or message is None or press is None:
        return ConversationHandler.END
    form = context.services.settings.forms.get(press.value)
    if form is None or not form.named or not await _may(context, who, form):
        await _stale(update, who)
        return ConversationHandler.END
    await query.answer()
    await close_keyboard(update)
    period = period_of(form, local_today(context), context.services.settings.campaign)
    if period is None:
        return await _refuse(message, who, who.t.gettext("This form is not open now."))
    assert who.membership is not None and who.membership.member.id is not None
    member_id = who.membership.member.id
    if form.audience is Audience.MONITORS:
        rated = await stored.rated_units(
            context.services.db, form_key=form.key, period=period.key, member_id=member_id
        )
        left = [
            u
            for u in await stored.units_of_kinds(context.services.db, form.unit_kinds)
            if u.id not in rated
        ]
        if not left:
            return await _refuse(
                message, who, who.t.gettext("You have rated every unit for this period. Thank you.")
            )
        keep(context, FormDraft(form_key=form.key, unit_id=0, period=period.key))
        buttons = [ROUTE.button(shorten(u.name), "unit", u.id) for u in left[:UNITS_SHOWN] if u.id]
        await message.reply_text(
            who.t.gettext("Which unit do you rate?"), reply_markup=rows_of(buttons, 2)
        )
        return UNIT
    unit_id = who.membership.unit.id
    assert unit_id is not None
    if await stored.has_answered(
        context.services.db,
        form_key=form.key,
        period=period.key,
        member_id=member_id,
        unit_id=unit_id,
    ):
        return await _refuse(
            message, who, who.t.gettext("You have already answered this form for this period.")
        )
    return await _begin(message, who, context, FormDraft(form.key, unit_id, period.key))


async def choose_unit(update: Update, context: BotContext) -> str | int | None:
    """A monitor's unit: one of the rated kinds, not yet rated this period."""
    who = await viewer(update, context)
    draft, message, press = draft_of(context), update.effective_message, pressed(update)
    form = form_of(context, draft) if draft else None
    unit_id = press.number() if press else None
    if who is None or draft is None or form is None or message is None or unit_id is None:
        await _stale(update, who)
        return None
    unit = await units.by_id(context.services.db, unit_id)
    m = who.membership
    if unit is None or (form.unit_kinds and unit.kind not in form.unit_kinds) or m is None:
        await _stale(update, who)
        return None
    assert m.member.id is not None
    if await stored.has_answered(
        context.services.db,
        form_key=form.key,
        period=draft.period,
        member_id=m.member.id,
        unit_id=unit_id,
    ):
        await _stale(update, who)
        return None
    await update.callback_query.answer() if update.callback_query else None
    await close_keyboard(update)
    draft.unit_id = unit_id
    return await _begin(message, who, context, draft)


async def open_public(update: Update, context: BotContext) -> str | int:
    """`/start form-<key>-<unit id>`: the public's survey of one unit, answered once."""
    who = await viewer(update, context)
    message = update.effective_message
    if who is None or message is None or not message.text:
        return ConversationHandler.END
    parsed = parse_public_payload(message.text.split(maxsplit=1)[-1].strip())
    form = context.services.settings.forms.get(parsed[0]) if parsed else None
    unit = await units.by_id(context.services.db, parsed[1]) if parsed else None
    t = who.t
    if (
        form is None
        or unit is None
        or unit.id is None
        or form.audience is not Audience.PUBLIC
        or (form.unit_kinds and unit.kind not in form.unit_kinds)
    ):
        return await _refuse(message, who, t.gettext("This survey link is not valid."))
    period = period_of(form, local_today(context), context.services.settings.campaign)
    if period is None:
        return await _refuse(message, who, t.gettext("This survey is not open now."))
    mark = _mark(context, form, period.key, unit.id, who.telegram_user_id)
    if await stored.has_mark(context.services.db, mark):
        return await _refuse(
            message, who, t.gettext("You have already answered this survey. Thank you.")
        )
    intro = [t.gettext("<b>{title}</b> — {unit}", title=form.title(t.language), unit=unit.name)]
    if form.purpose:
        intro.append(Html(escape(form.purpose(t.language))))
    intro.append(
        t.gettext(
            "This survey is anonymous: your Telegram account, name and the time you answer are "
            "not stored with your answers. /cancel stops it."
        )
    )
    await message.reply_text(Html("\n\n".join(intro)))
    draft = FormDraft(form.key, unit.id, period.key, public=True)
    return await _begin(message, who, context, draft)


def _mark(context: BotContext, form: Form, period: str, unit_id: int, user_id: int) -> str:
    return public_mark(context.services.settings.hotline.pepper, form.key, period, unit_id, user_id)


async def _begin(message: Message, who: Viewer, context: BotContext, draft: FormDraft) -> str | int:
    form = form_of(context, draft)
    assert form is not None
    keep(context, draft)
    first = rules.next_question(form, draft.answers, None)
    assert first is not None  # a form has at least one unconditional first question
    return await ask(message, who, context, first)


# -- answers ----------------------------------------------------------------------------------


async def _current(
    update: Update, context: BotContext
) -> tuple[Viewer, FormDraft, Form, Question, Message] | None:
    who = await viewer(update, context)
    draft = draft_of(context)
    form = form_of(context, draft) if draft else None
    message = update.effective_message
    if who is None or draft is None or form is None or message is None or draft.current is None:
        return None
    q = form.question(draft.current)
    return (who, draft, form, q, message) if q is not None else None


def _button_of(update: Update, draft: FormDraft, form: Form, q: Question) -> list[int] | None:
    """The pressed button's numbers after its draft token, if it belongs to the question being
    asked of this draft (an older card's button is not)."""
    press = pressed(update)
    if press is None:
        return None
    token, _, rest = press.value.partition(".")
    found = numbers(rest)
    if token != draft.token or found is None or not found or found[0] != form.questions.index(q):
        return None
    return list(found)


async def _after(
    message: Message, who: Viewer, context: BotContext, draft: FormDraft, form: Form
) -> str:
    if draft.editing:
        draft.editing = False
        return await show_summary(message, who, context)
    following = rules.next_question(form, draft.answers, draft.current)
    if following is None:
        return await show_summary(message, who, context)
    return await ask(message, who, context, following)


async def on_button(update: Update, context: BotContext) -> str | None:
    """A choice, a toggle, Done, a scale value or Skip on the question being asked."""
    found = await _current(update, context)
    query = update.callback_query
    if found is None or query is None:
        await _stale(update, await viewer(update, context))
        return None
    who, draft, form, q, message = found
    numbers_ = _button_of(update, draft, form, q)
    press = pressed(update)
    action = press.action if press else ""
    if numbers_ is None:
        await _stale(update, who)
        return None
    t = who.t
    if action == "skip" and not q.required:
        draft.answers.pop(q.key, None)
        await asyncio.gather(
            query.answer(),
            query.edit_message_text(Html(message_text(query) + "\n" + t.gettext("→ skipped"))),
        )
        return await _after(message, who, context, draft, form)
    if (
        action == "opt"
        and q.kind is Kind.SINGLE
        and len(numbers_) == 2
        and numbers_[1] < len(q.options)
    ):
        option = q.options[numbers_[1]]
        draft.answers[q.key] = option.key
        await asyncio.gather(
            query.answer(),
            query.edit_message_text(
                Html(message_text(query) + "\n→ " + escape(option.label(t.language)))
            ),
        )
        return await _after(message, who, context, draft, form)
    if action == "sc" and q.kind is Kind.SCALE and len(numbers_) == 2:
        value = rules.read_scale(q, str(numbers_[1]))
        if isinstance(value, Problem):
            await _stale(update, who)
            return None
        draft.answers[q.key] = value
        await asyncio.gather(
            query.answer(),
            query.edit_message_text(Html(message_text(query) + f"\n→ {value}/{q.scale_max}")),
        )
        return await _after(message, who, context, draft, form)
    if (
        action == "tog"
        and q.kind is Kind.MULTIPLE
        and len(numbers_) == 2
        and numbers_[1] < len(q.options)
    ):
        chosen = draft.answers.get(q.key) or []
        draft.answers[q.key] = rules.toggle(list(chosen), q.options[numbers_[1]].key)
        from handlers.forms.draft import question_keyboard, question_text

        await asyncio.gather(
            query.answer(),
            query.edit_message_text(
                question_text(t, form, draft, q), reply_markup=question_keyboard(t, form, draft, q)
            ),
        )
        return None
    if action == "done" and q.kind is Kind.MULTIPLE:
        chosen = [o.key for o in q.options if o.key in (draft.answers.get(q.key) or [])]
        if not chosen and q.required:
            await query.answer(t.gettext("Choose at least one option."), show_alert=True)
            return None
        if chosen:
            draft.answers[q.key] = chosen
        else:
            draft.answers.pop(q.key, None)
        await asyncio.gather(query.answer(), close_keyboard(update))
        return await _after(message, who, context, draft, form)
    await _stale(update, who)
    return None


def message_text(query: Any) -> str:
    message = query.message
    return str(getattr(message, "text_html", "") or "")


async def on_text(update: Update, context: BotContext) -> str | None:
    """A typed answer to a text, number or date question; anything else is asked again."""
    found = await _current(update, context)
    if found is None:
        return None
    who, draft, form, q, message = found
    t = who.t
    text = message.text or ""
    value: Any
    if q.kind in (Kind.SHORT_TEXT, Kind.LONG_TEXT):
        value = rules.read_text(q, text)
        if value is Problem.TOO_LONG:
            await message.reply_text(
                t.gettext(
                    "That is {length} characters; at most {limit} are allowed. Please shorten "
                    "it and send it again.",
                    length=len(text.strip()),
                    limit=q.max_chars,
                )
            )
            return None
    elif q.kind is Kind.NUMBER:
        value = rules.read_number(text)
    elif q.kind is Kind.DATE:
        value = rules.read_date(text, local_today(context))
    else:
        await wrong_input(update, context)
        return None
    if isinstance(value, Problem):
        await message.reply_text(_problem_text(who, value))
        return await ask(message, who, context, q)
    draft.answers[q.key] = value
    return await _after(message, who, context, draft, form)


def _problem_text(who: Viewer, problem: Problem) -> Html:
    t = who.t
    match problem:
        case Problem.NOT_A_NUMBER:
            return t.gettext("That is not a number. Send digits, e.g. 12 or 3.5.")
        case Problem.NOT_A_DATE:
            return t.gettext("That is not a date. Send it like 2027-03-15 or 3月15日.")
        case Problem.NO_SUCH_DAY:
            return t.gettext("There is no such day. Please check the date.")
        case Problem.OUT_OF_RANGE:
            return t.gettext("That number is out of range.")
    return t.gettext("Please send some text.")


async def on_file(update: Update, context: BotContext) -> str | None:
    """A photo or document for a file question (within the reports' file limits)."""
    found = await _current(update, context)
    if found is None:
        return None
    who, draft, form, q, message = found
    if q.kind is not Kind.FILE:
        await wrong_input(update, context)
        return None
    rules_ = context.services.settings.evidence
    mime: str | None
    if message.photo:
        photo = message.photo[-1]
        kind, file_id, size, mime = "photo", photo.file_id, photo.file_size, "image/jpeg"
    elif message.document is not None:
        doc = message.document
        kind, file_id, size, mime = "document", doc.file_id, doc.file_size, doc.mime_type
    else:
        await wrong_input(update, context)
        return None
    refused = check_evidence(rules_, kind=kind, mime_type=mime, size=size, attached=0)
    if refused is not None:
        await message.reply_text(
            who.t.gettext(
                "That file cannot be taken: files up to {mb} MB of these types: {types}.",
                mb=rules_.max_mb,
                types=rules_.allowed_labels(),
            )
        )
        return await ask(message, who, context, q)
    draft.answers[q.key] = {"kind": kind, "file_id": file_id, "size": size, "mime": mime}
    return await _after(message, who, context, draft, form)


async def wrong_input(update: Update, context: BotContext) -> None:
    """A sticker, a place, a file where text is expected …: say what is expected, ask again."""
    found = await _current(update, context)
    if found is None:
        return
    who, _draft, _form, q, message = found
    t = who.t
    if q.kind in (Kind.SINGLE, Kind.MULTIPLE, Kind.SCALE):
        text = t.gettext("Please answer with the buttons below the question.")
    elif q.kind is Kind.FILE:
        text = t.gettext("Please send a photo or a document.")
    elif q.kind is Kind.NUMBER:
        text = t.gettext("That is not a number. Send digits, e.g. 12 or 3.5.")
    elif q.kind is Kind.DATE:
        text = t.gettext("That is not a date. Send it like 2027-03-15 or 3月15日.")
    else:
        text = t.gettext("Please send your answer as text.")
    await message.reply_text(text)
    await ask(message, who, context, q)


# -- summary, change, submit, cancel ---------------------------------------------------------


async def show_summary(message: Message, who: Viewer, context: BotContext) -> str:
    draft = draft_of(context)
    form = form_of(context, draft) if draft else None
    assert draft is not None and form is not None
    draft.current = None
    unit = await units.by_id(context.services.db, draft.unit_id)
    await message.reply_text(
        summary_text(who.t, form, draft, unit.name if unit else ""),
        reply_markup=confirm_keyboard(who.t, draft),
    )
    return CONFIRM


def _own_press(update: Update, draft: FormDraft | None) -> bool:
    press = pressed(update)
    return draft is not None and press is not None and press.value.partition(".")[0] == draft.token


async def _card_press(
    update: Update, context: BotContext
) -> tuple[Viewer, FormDraft, Form, Message] | None:
    """A press on this draft's summary or change card (answered as stale otherwise); its
    buttons are taken off."""
    who, draft, query = await viewer(update, context), draft_of(context), update.callback_query
    form = form_of(context, draft) if draft else None
    message = update.effective_message
    if (
        who is None
        or draft is None
        or form is None
        or query is None
        or message is None
        or not _own_press(update, draft)
    ):
        await _stale(update, who)
        return None
    await asyncio.gather(query.answer(), close_keyboard(update))
    return who, draft, form, message


async def edit(update: Update, context: BotContext) -> str | None:
    found = await _card_press(update, context)
    if found is None:
        return None
    who, draft, form, message = found
    await message.reply_text(
        who.t.gettext("Which answer do you want to change?"),
        reply_markup=edit_keyboard(who.t, form, draft),
    )
    return EDIT


async def edit_question(update: Update, context: BotContext) -> str | None:
    press = pressed(update)
    chosen = numbers(press.value.partition(".")[2], 1) if press else None  # token.question
    draft = draft_of(context)
    form = form_of(context, draft) if draft else None
    q = form.questions[chosen[0]] if form and chosen and chosen[0] < len(form.questions) else None
    if q is None or draft is None or not rules.shown(q, draft.answers):
        await _stale(update, await viewer(update, context))
        return None
    found = await _card_press(update, context)
    if found is None:
        return None
    who, draft, _form, message = found
    draft.editing = True
    return await ask(message, who, context, q)


async def back(update: Update, context: BotContext) -> str | None:
    found = await _card_press(update, context)
    if found is None:
        return None
    who, _draft, _form, message = found
    return await show_summary(message, who, context)


async def cancel(update: Update, context: BotContext) -> int | None:
    """Drop the draft; nothing was stored. A Cancel button of another draft (or a forged
    one) is stale: it drops nothing."""
    who = await viewer(update, context)
    draft = draft_of(context)
    if update.callback_query is not None and (draft is None or not _own_press(update, draft)):
        await _stale(update, who)
        return None if draft is not None else ConversationHandler.END
    drop(context)
    if update.callback_query is not None:
        await asyncio.gather(update.callback_query.answer(), close_keyboard(update))
    if who is not None and update.effective_message is not None:
        await update.effective_message.reply_text(
            who.t.gettext("Form cancelled. Nothing was saved.")
        )
    return ConversationHandler.END


async def submit(update: Update, context: BotContext) -> str | int | None:
    """Store the answers once (the draft is taken before the first await and put back if
    nothing was stored), then thank the person. A form closed meanwhile keeps the draft."""
    query, draft = update.callback_query, draft_of(context)
    if query is None or draft is None or not _own_press(update, draft):
        await _stale(update, await viewer(update, context))
        return None if draft is not None else ConversationHandler.END
    form = form_of(context, draft)
    drop(context)
    await write_drafts_now(update, context)
    try:
        who = await viewer(update, context)
        result = await _store(update, context, who, draft, form)
    except BaseException:
        keep(context, draft)
        raise
    if result is None or who is None:
        return ConversationHandler.END
    t = who.t
    message = update.effective_message
    if result == "closed":
        keep(context, draft)
        await query.answer()
        if message is not None and form is not None:
            await message.reply_text(
                t.gettext(
                    "This form closed on {day}. Your answers are kept here; nothing was sent. "
                    "Send /cancel to drop them.",
                    day=t.date(form.closes),
                )
            )
        return None
    if result == "missing":
        keep(context, draft)
        await query.answer(t.gettext("Some required questions have no answer."), show_alert=True)
        return None
    # Stored: a refused send is retried or logged, never an apology, and the conversation
    # ends whatever happens (else /cancel would say nothing was saved).
    what = f"form {draft.form_key}"
    await quietly(query.answer(), what=what)
    await quietly(close_keyboard(update), what=what)
    if message is not None:
        if result == stored.Filed.ALREADY:
            text = t.gettext(
                "You have already answered this for this period; this answer was not counted again."
            )
        else:
            text = t.gettext("Thank you — your answers have been submitted.")
        await confirm(lambda: message.reply_text(text), what=what)
    return ConversationHandler.END


async def _store(
    update: Update, context: BotContext, who: Viewer | None, draft: FormDraft, form: Form | None
) -> str | None:
    svc = context.services
    if who is None or form is None:
        return None
    if not await _may(context, who, form):
        await update.callback_query.answer(
            who.t.gettext("You are not among those who answer this form.")
        ) if update.callback_query else None
        return None
    today = local_today(context)
    period = period_of(form, today, svc.settings.campaign)
    if period is None:
        return "closed"
    if rules.missing(form, draft.answers):
        return "missing"
    member_id = None
    if not draft.public:
        assert who.membership is not None
        member_id = who.membership.member.id
        if form.audience is not Audience.MONITORS:
            draft.unit_id = who.membership.unit.id or draft.unit_id
    mark = (
        _mark(context, form, period.key, draft.unit_id, who.telegram_user_id)
        if draft.public
        else None
    )
    return await stored.submit(
        svc.db,
        stored.Submission(
            form=form,
            period=period.key,
            unit_id=draft.unit_id,
            answers=rules.kept(form, draft.answers),
            today=today,
            now=svc.clock.now(),
            late=is_late(period, today),
            member_id=member_id,
            public_mark=mark,
        ),
    )


async def command_midway(update: Update, context: BotContext) -> None:
    who = await viewer(update, context)
    if who is not None and update.effective_message is not None:
        await update.effective_message.reply_text(
            who.t.gettext(
                "You are in the middle of a form. Answer the question above, or send /cancel "
                "to stop it first."
            )
        )


def _states() -> dict[object, list[BaseHandler[Any, BotContext, Any]]]:
    text = filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND
    files = filters.UpdateType.MESSAGE & (filters.PHOTO | filters.Document.ALL)
    return {
        UNIT: step(
            CallbackQueryHandler(choose_unit, pattern=ROUTE.action_pattern("unit")),
            otherwise=wrong_unit,
        ),
        ANSWER: step(
            CallbackQueryHandler(on_button, pattern=r"^form:v1:(opt|tog|done|sc|skip):"),
            MessageHandler(text, on_text),
            MessageHandler(files, on_file),
            otherwise=wrong_input,
        ),
        CONFIRM: step(
            CallbackQueryHandler(submit, pattern=ROUTE.action_pattern("sub")),
            CallbackQueryHandler(edit, pattern=ROUTE.action_pattern("edit")),
            CallbackQueryHandler(cancel, pattern=ROUTE.action_pattern("cancel")),
        ),
        EDIT: step(
            CallbackQueryHandler(edit_question, pattern=ROUTE.action_pattern("q")),
            CallbackQueryHandler(back, pattern=ROUTE.action_pattern("back")),
        ),
    }


async def wrong_unit(update: Update, context: BotContext) -> None:
    who = await viewer(update, context)
    if who is not None and update.effective_message is not None:
        await update.effective_message.reply_text(
            who.t.gettext("Please choose the unit with the buttons above, or send /cancel.")
        )


def _fallbacks() -> list[BaseHandler[Any, BotContext, Any]]:
    return [
        CommandHandler("cancel", cancel),
        MessageHandler(filters.COMMAND, command_midway),
        CallbackQueryHandler(stale_button, pattern=ROUTE.pattern),
    ]


def build_named() -> ConversationHandler[BotContext]:
    """A named audience's form (opened from /forms): persistent, its draft in `user_data`."""
    with one_draft_per_person():
        return ConversationHandler(
            entry_points=[CallbackQueryHandler(pick, pattern=ROUTE.action_pattern("pick"))],
            states=_states(),
            fallbacks=_fallbacks(),
            name="forms",
            per_message=False,
            persistent=True,  # survives a restart (bot/persistence.py)
            allow_reentry=False,
        )


def build_public() -> ConversationHandler[BotContext]:
    """The public's survey from a unit's link: never persistent, its draft in `chat_data`."""
    private = filters.ChatType.PRIVATE
    with one_draft_per_person():
        return ConversationHandler(
            entry_points=[
                CommandHandler(
                    "start", open_public, filters=private & filters.Regex(r"^/start\s+form-")
                ),
            ],
            states=_states(),
            fallbacks=_fallbacks(),
            name="forms-public",
            per_message=False,
            persistent=False,  # nothing of the public's survey outlives the conversation
            allow_reentry=False,
        )
