"""The words of the honour roll and exposure board: the channel post (the preview is the very
same text), the privacy check's warnings, and the buttons under a draft or a published item.

Callback data: `pub:v1:<action>:<id>[:<version>[:<fingerprint>]]`, re-checked on every press.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from domain.publish.publication import Flag, Kind, State, Warning, fingerprint
from handlers.i18n import Html, Translator
from handlers.ui.callbacks import Route
from storage.models import Publication

ROUTE = Route("pub", sep=":")
CALLBACK_PATTERN = ROUTE.pattern
PROMPT_MARK = "📝"  # starts every prompt whose answer is a publication's summary


def board_label(t: Translator, kind: str) -> str:
    if kind == Kind.HONOUR:
        return t.gettext("🏅 Honour roll")
    return t.gettext("⚠️ Exposure board")


def post_text(t: Translator, item: Publication, *, campaign_name: str, day: date) -> str:
    """The channel post, exactly: board, title, summary, campaign and date."""
    return t.gettext(
        "{board}\n<b>{title}</b>\n\n{summary}\n\n— {campaign} · {date}",
        board=board_label(t, item.kind),
        title=item.title,
        summary=item.summary,
        campaign=campaign_name,
        date=t.date(day),
    )


def flag_label(t: Translator, flag: Flag) -> str:
    match flag:
        case Flag.NAME:
            return t.gettext("a registered member's name")
        case Flag.RECEIPT:
            return t.gettext("something that looks like a complaint receipt")
        case Flag.REPORT_NUMBER:
            return t.gettext("a report number (staff can tie it to its author)")
        case Flag.PHONE:
            return t.gettext("a phone number")
        case Flag.ID_NUMBER:
            return t.gettext("an ID card number")


def check_text(t: Translator, warnings: Sequence[Warning]) -> Html:
    if not warnings:
        return t.gettext("✅ Privacy check: nothing in the summary looks like personal data.")
    lines = [
        t.gettext("⚠️ <b>Privacy check</b>: the summary contains"),
        *(
            t.gettext("• {what}: {fragment}", what=flag_label(t, w.flag), fragment=w.fragment)
            for w in warnings
        ),
        t.gettext("Edit the summary, or publish anyway if this is intended."),
    ]
    return Html("\n".join(lines))


def draft_keyboard(
    t: Translator, item: Publication, warnings: Sequence[Warning], *, channel: bool
) -> InlineKeyboardMarkup:
    assert item.id is not None
    rows: list[list[InlineKeyboardButton]] = []
    if channel and warnings:
        rows.append(
            [
                ROUTE.button(
                    t.gettext("Publish anyway"),
                    "force",
                    item.id,
                    item.version,
                    fingerprint(warnings),
                )
            ]
        )
    elif channel:
        rows.append(
            [ROUTE.button(t.gettext("Publish to the channel"), "go", item.id, item.version)]
        )
    rows.append(
        [
            ROUTE.button(t.gettext("Edit the summary"), "edit", item.id),
            ROUTE.button(t.gettext("Discard"), "drop", item.id),
        ]
    )
    return InlineKeyboardMarkup(rows)


def published_keyboard(t: Translator, item: Publication) -> InlineKeyboardMarkup | None:
    if item.state != State.PUBLISHED or item.id is None:
        return None
    return InlineKeyboardMarkup([[ROUTE.button(t.gettext("Withdraw"), "wd", item.id)]])


def state_label(t: Translator, state: str) -> str:
    match state:
        case State.DRAFT:
            return t.gettext("draft")
        case State.PUBLISHED:
            return t.gettext("published")
        case State.WITHDRAWN:
            return t.gettext("withdrawn")
        case "publishing":
            return t.gettext("being published")
    return state


def list_line(t: Translator, item: Publication) -> str:
    """One item in /published: board, title and state."""
    return t.gettext(
        "{board} · {title} ({state})",
        board=board_label(t, item.kind),
        title=item.title,
        state=state_label(t, item.state),
    )
