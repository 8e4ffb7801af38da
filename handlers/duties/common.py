"""What the "124" duty's handlers share: the duty policy (put into `bot_data` by
bot/jobs/checkin.py at start-up) and the words for a refused check-in."""

from __future__ import annotations

from domain.duties.checkin import DutyPolicy, Refusal
from handlers.context import BotContext
from handlers.i18n import Html, Translator

POLICY_KEY = "checkin_policy"


def policy_of(context: BotContext) -> DutyPolicy:
    policy = context.application.bot_data.get(POLICY_KEY)
    return (
        policy
        if isinstance(policy, DutyPolicy)
        else DutyPolicy(timezone=context.services.settings.timezone)
    )


def refusal_text(t: Translator, refusal: Refusal, policy: DutyPolicy) -> Html:
    window = {
        "start": policy.window_start.strftime("%H:%M"),
        "end": policy.window_end.strftime("%H:%M"),
    }
    if refusal is Refusal.NOT_DUTY_DAY:
        return t.gettext(
            "Today is not a “124” duty evening (holidays and non-duty weekdays have none); "
            "nothing to check in."
        )
    if refusal is Refusal.TOO_EARLY:
        return t.gettext(
            "The check-in opens at {start} and closes at {end}; please check in then.", **window
        )
    return t.gettext(
        "The check-in closed at {end} (it is open {start}–{end}); this evening can no longer "
        "be checked in.",
        **window,
    )
