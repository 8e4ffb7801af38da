"""回访 for a named report: the answer's notice asks the reporter how satisfied they are
(`rate:v1:<rating>:<case id>`). Satisfied is stored; dissatisfied asks why (a 💬 prompt) and
then reopens the case to its owner for re-handling (重办), or — after re-handling — is stored
and goes up to the staff chat. Every press and answer is re-checked in storage: only the
report's author, only a closed case, once per round of handling.
"""

from __future__ import annotations

from telegram import ForceReply, InlineKeyboardMarkup, Message, Update

from domain.cases.loop import Verdict
from domain.cases.outcome import Outcome
from domain.hotline.rules import Rating, clean_text
from handlers.context import BotContext, Viewer, viewer
from handlers.conversation import RepliesTo
from handlers.desk.cards import refresh_staff_card
from handlers.i18n import Translator
from handlers.ui.callbacks import Route, pressed
from handlers.ui.dates import local_today
from handlers.ui.keyboards import close_keyboard
from handlers.ui.labels import rating_label
from handlers.ui.presses import neutral
from storage.cases import loop
from storage.cases.loop import Rated, RateRefusal

ROUTE = Route("rate")
CALLBACK_PATTERN = ROUTE.pattern
PROMPT_MARK = "💬"
PROMPTS_KEY = "rate:prompts"
MAX_OPEN_PROMPTS = 10
REASON_MAX = 500
_CODES = {"s": Rating.SATISFIED, "b": Rating.BASICALLY_SATISFIED, "d": Rating.DISSATISFIED}


def rating_keyboard(t: Translator, case_id: int) -> InlineKeyboardMarkup:
    """The three verdicts, one per row."""
    return InlineKeyboardMarkup(
        [[ROUTE.button(rating_label(t, r), code, case_id)] for code, r in _CODES.items()]
    )


def _member_id(who: Viewer) -> int | None:
    return who.membership.member.id if who.membership is not None else None


def refusal_text(t: Translator, result: Rated) -> str:
    match result.refusal:
        case RateRefusal.RATED:
            return t.gettext("You have rated this already. Thank you.")
        case RateRefusal.NOT_CLOSED:
            return t.gettext("This case is not closed; it can be rated once it is answered.")
    return neutral(t)


async def on_button(update: Update, context: BotContext) -> None:
    """A verdict pressed: satisfied is stored; dissatisfied asks why first."""
    query = update.callback_query
    who = await viewer(update, context)
    press = pressed(update)
    if query is None or who is None:
        return
    t = who.t
    rating = _CODES.get(press.action) if press is not None else None
    case_id = press.number() if press is not None else None
    if rating is None or case_id is None or _member_id(who) is None:
        await query.answer(neutral(t))
        return
    if rating is Rating.DISSATISFIED:
        refused = await loop.rate_refusal(
            context.services.db, case_id, author_member_id=_member_id(who)
        )
        if refused is not None:
            await query.answer(refusal_text(t, Rated(Outcome.REFUSED, refused)), show_alert=True)
            return
        await _ask_why(update, context, who, case_id)
        return
    result = await _rate(context, who, case_id, rating, None)
    if result.outcome is not Outcome.OK:
        await query.answer(refusal_text(t, result), show_alert=True)
        return
    await query.answer()
    await close_keyboard(update)
    assert isinstance(query.message, Message)
    await query.message.reply_text(
        t.gettext("Your rating: {rating}. Thank you.", rating=rating_label(t, rating))
    )


async def _rate(
    context: BotContext, who: Viewer, case_id: int, rating: Rating, reason: str | None
) -> Rated:
    svc = context.services
    return await loop.rate(
        svc.db,
        case_id,
        rating.value,
        reason,
        author_member_id=_member_id(who),
        today=local_today(context),
        now=svc.clock.now(),
    )


async def _ask_why(update: Update, context: BotContext, who: Viewer, case_id: int) -> None:
    query = update.callback_query
    assert query is not None and isinstance(query.message, Message)
    await query.answer()
    asked = await query.message.reply_text(
        who.t.gettext(
            "{mark} Please reply to this message: why are you not satisfied? "
            "(at most {limit} characters; the case goes back to its handler)",
            mark=PROMPT_MARK,
            limit=REASON_MAX,
        ),
        reply_markup=ForceReply(selective=False),
    )
    if context.user_data is not None:
        prompts = context.user_data.setdefault(PROMPTS_KEY, {})
        prompts[asked.message_id] = case_id
        for stale in sorted(prompts)[:-MAX_OPEN_PROMPTS]:
            prompts.pop(stale, None)


PROMPT_REPLY = RepliesTo(PROMPT_MARK)


async def on_reason(update: Update, context: BotContext) -> None:
    """The reason for dissatisfaction: re-handling, or (after re-handling) the staff chat."""
    message = update.effective_message
    who = await viewer(update, context)
    if message is None or message.reply_to_message is None or who is None:
        return
    t = who.t
    prompts = context.user_data.get(PROMPTS_KEY, {}) if context.user_data is not None else {}
    case_id = prompts.get(message.reply_to_message.message_id)
    if not isinstance(case_id, int):
        await message.reply_text(t.gettext("This prompt has expired. Press the button again."))
        return
    reason = clean_text(message.text or "")
    if not reason or len(reason) > REASON_MAX:
        await message.reply_text(
            t.gettext(
                "That is {count} characters; it must be 1 to {limit}. Reply to the prompt again.",
                count=len(reason),
                limit=REASON_MAX,
            )
        )
        return
    result = await _rate(context, who, case_id, Rating.DISSATISFIED, reason)
    prompts.pop(message.reply_to_message.message_id, None)
    if result.outcome is not Outcome.OK:
        await message.reply_text(refusal_text(t, result))
        return
    kick = context.services.outbox
    if kick is not None:  # the owner's or the staff chat's notice went into the outbox
        kick.kick()
    if result.case_id is not None:
        await refresh_staff_card(context, result.case_id)
    if result.verdict is Verdict.REHANDLE:
        await message.reply_text(
            t.gettext(
                "Your report {number} is reopened for re-handling (重办); its handler has been "
                "told why. You will hear back.",
                number=result.number,
            )
        )
    else:
        await message.reply_text(
            t.gettext(
                "Your rating is stored. As the case was already re-handled, your "
                "dissatisfaction goes to the supervisors.",
            )
        )
