"""The draft of a form being answered, the conversation's states, and what every step shares:
finding the draft (a named form's in `user_data`, persisted; the public's in `chat_data`,
never persisted), asking a question with its buttons, and the summary card."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message

from domain.forms.answers import FormDraft, as_text, visible
from domain.forms.definitions import Form, Kind, Question
from handlers.context import BotContext, Viewer
from handlers.i18n import Html, Translator, escape
from handlers.ui.callbacks import Route
from handlers.ui.text import shorten

ROUTE = Route("form")
UNIT = "form:unit"  # a monitor or a unit head of several: which unit is answered for
ANSWER = "form:answer"
CONFIRM = "form:confirm"
EDIT = "form:edit"

DRAFT_KEY = "form:draft"  # user_data: a named form's draft (survives a restart)
PUBLIC_KEY = "form:public"  # chat_data: the public's draft (memory only, like a complaint's)


def draft_of(context: BotContext) -> FormDraft | None:
    for data, key in ((context.user_data, DRAFT_KEY), (context.chat_data, PUBLIC_KEY)):
        found = data.get(key) if data is not None else None
        if isinstance(found, FormDraft):
            return found
    return None


def keep(context: BotContext, draft: FormDraft) -> None:
    """Put the draft where its kind lives."""
    data = context.chat_data if draft.public else context.user_data
    if data is not None:
        data[PUBLIC_KEY if draft.public else DRAFT_KEY] = draft


def drop(context: BotContext) -> FormDraft | None:
    draft = draft_of(context)
    for data, key in ((context.user_data, DRAFT_KEY), (context.chat_data, PUBLIC_KEY)):
        if data is not None:
            data.pop(key, None)
    return draft


def form_of(context: BotContext, draft: FormDraft) -> Form | None:
    return context.services.settings.forms.get(draft.form_key)


def index_of(form: Form, question: Question) -> int:
    return form.questions.index(question)


# -- asking ---------------------------------------------------------------------------------


def _hint(t: Translator, q: Question) -> Html | None:
    match q.kind:
        case Kind.MULTIPLE:
            return t.gettext("Choose one or more, then press Done.")
        case Kind.NUMBER:
            return t.gettext("Send a number, e.g. 12 or 3.5.")
        case Kind.DATE:
            return t.gettext("Send a date, e.g. 2027-03-15 or 3月15日.")
        case Kind.FILE:
            return t.gettext("Send a photo or a document.")
        case Kind.SHORT_TEXT | Kind.LONG_TEXT:
            return t.gettext(
                "Send your answer as text (at most {limit} characters).", limit=q.max_chars
            )
    return None


def _rows(buttons: list[InlineKeyboardButton], per_row: int) -> list[list[InlineKeyboardButton]]:
    return [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]


def question_keyboard(
    t: Translator, form: Form, draft: FormDraft, q: Question
) -> InlineKeyboardMarkup | None:
    lang = t.language
    qi = index_of(form, q)
    rows: list[list[InlineKeyboardButton]] = []
    if q.kind is Kind.SINGLE:
        buttons = [
            ROUTE.button(shorten(o.label(lang)), "opt", draft.token, qi, oi)
            for oi, o in enumerate(q.options)
        ]
        rows += _rows(buttons, 2)
    elif q.kind is Kind.MULTIPLE:
        chosen = draft.answers.get(q.key) or []
        buttons = [
            ROUTE.button(
                ("☑ " if o.key in chosen else "☐ ") + shorten(o.label(lang)),
                "tog",
                draft.token,
                qi,
                oi,
            )
            for oi, o in enumerate(q.options)
        ]
        rows += _rows(buttons, 2)
        rows.append([ROUTE.button(t.gettext("Done"), "done", draft.token, qi)])
    elif q.kind is Kind.SCALE:
        buttons = [
            ROUTE.button(str(v), "sc", draft.token, qi, v) for v in range(1, q.scale_max + 1)
        ]
        rows += _rows(buttons, 5)
    if not q.required:
        rows.append([ROUTE.button(t.gettext("Skip"), "skip", draft.token, qi)])
    return InlineKeyboardMarkup(rows) if rows else None


def question_text(t: Translator, form: Form, draft: FormDraft, q: Question) -> Html:
    shown = visible(form, draft.answers)
    place = shown.index(q) + 1 if q in shown else 1
    head = t.gettext(
        "<b>{title}</b> · question {n} of {total}",
        title=form.title(t.language),
        n=place,
        total=len(shown),
    )
    body = Html(f"{head}\n\n{escape(q.text(t.language))}")
    if not q.required:
        body = Html(body + "\n" + t.gettext("(optional)"))
    hint = _hint(t, q)
    return Html(body + "\n" + hint) if hint else body


async def ask(message: Message, who: Viewer, context: BotContext, q: Question) -> str:
    draft = draft_of(context)
    form = form_of(context, draft) if draft else None
    assert draft is not None and form is not None
    draft.current = q.key
    await message.reply_text(
        question_text(who.t, form, draft, q), reply_markup=question_keyboard(who.t, form, draft, q)
    )
    return ANSWER


# -- the summary ----------------------------------------------------------------------------


def summary_text(t: Translator, form: Form, draft: FormDraft, unit_name: str) -> Html:
    lines = [
        t.gettext("<b>{title}</b> — please check your answers.", title=form.title(t.language)),
        t.gettext("Unit: {unit}", unit=unit_name),
        "",
    ]
    for q in visible(form, draft.answers):
        value: Any = draft.answers.get(q.key)
        shown = as_text(q, value, t.language) if value is not None else None
        if q.kind is Kind.FILE and value is not None:
            shown = (
                t.gettext("a photo") if value.get("kind") == "photo" else t.gettext("a document")
            )
        lines.append(
            Html(f"• {escape(q.text(t.language))}\n  ")
            + (escape(shown) if shown else t.gettext("(no answer)"))
        )
    return Html("\n".join(lines))


def confirm_keyboard(t: Translator, draft: FormDraft) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [ROUTE.button(t.gettext("✅ Submit"), "sub", draft.token)],
            [
                ROUTE.button(t.gettext("✏️ Change an answer"), "edit", draft.token),
                ROUTE.button(t.gettext("Cancel"), "cancel", draft.token),
            ],
        ]
    )


def edit_keyboard(t: Translator, form: Form, draft: FormDraft) -> InlineKeyboardMarkup:
    buttons = [
        ROUTE.button(shorten(q.text(t.language)), "q", draft.token, index_of(form, q))
        for q in visible(form, draft.answers)
    ]
    rows = _rows(buttons, 1)
    back = [ROUTE.button(t.gettext("Back to the summary"), "back", draft.token)]
    return InlineKeyboardMarkup([*rows, back])
