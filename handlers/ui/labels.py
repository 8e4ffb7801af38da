"""Translated names of the campaign's fixed vocabulary: roles, commands, languages, case
statuses and categories."""

from __future__ import annotations

from collections.abc import Sequence

from domain.campaign import Campaign, Category
from domain.cases.accountability import Channel, Finding, Handling
from domain.cases.lifecycle import CaseStatus
from domain.hotline.rules import Rating
from domain.membership.roles import Role
from handlers.i18n import Translator
from handlers.ui.text import BUTTON_MAX_CHARS

# Endonyms: each language is named in itself, whatever the reader's language.
LANGUAGE_NAMES: dict[str, str] = {"zh_CN": "简体中文", "en": "English"}


def role_label(t: Translator, role: Role) -> str:
    """The role's name in the reader's language."""
    match role:
        case Role.MEMBER:
            return t.gettext("member")
        case Role.UNIT_HEAD:
            return t.gettext("unit head")
        case Role.CASE_OFFICER:
            return t.gettext("case handler")
        case Role.ADMIN:
            return t.gettext("administrator")
        case Role.MONITOR:
            return t.gettext("monitor (评议员)")


def command_description(t: Translator, command: str) -> str:
    """One line for the command menu and /help (Telegram allows 1-256 characters)."""
    descriptions = {
        "start": t.gettext("What this bot does; join a unit with an invite"),
        "help": t.gettext("The commands you can use"),
        "cancel": t.gettext("Stop what you are doing"),
        "language": t.gettext("Switch between Chinese and English"),
        "report": t.gettext("Report a problem (named)"),
        "complain": t.gettext("Complain anonymously"),
        "status": t.gettext("Follow up a complaint with its receipt"),
        "ledger": t.gettext("Your unit's rectification ledger"),
        "mine": t.gettext("Your reports and their status"),
        "forms": t.gettext("Forms to fill in; for staff: who has not answered, results"),
        "inbox": t.gettext("Cases waiting for staff"),
        "intake": t.gettext("Register a case received by phone, mailbox, letter or visit"),
        "overdue": t.gettext("Overdue items"),
        "stats": t.gettext("Statistics and charts"),
        "export": t.gettext("Export to Excel or CSV"),
        "bindgroup": t.gettext("Bind this group to a unit (admins, in the group)"),
        "publish": t.gettext("Honour roll and exposure board: draft and publish"),
        "published": t.gettext("Published items; withdraw one"),
        "broadcast": t.gettext("Send an announcement to groups or a role"),
        "checkin": t.gettext('Check in at school for the "124" evening duty'),
        "leave": t.gettext('Ask for leave from the "124" duty'),
        "inspect": t.gettext("File an inspection finding"),
        "members": t.gettext("Your people: roles, moves, deactivation"),
        "invite": t.gettext("Make an invite link for your unit"),
        "round": t.gettext("Inspection rounds and their findings per unit"),
        "boarding": t.gettext('Mark boarding schools for the "124" duty'),
        "cadre": t.gettext("Mark a school's school-level cadres"),
        "inspector": t.gettext("Add or remove a member of the inspection team"),
    }
    return descriptions[command]


def inspection_category(t: Translator, key: str) -> str | None:
    """An inspection finding's category (明察暗访 targets), or None for any other key."""
    labels = {
        "insp_stocks_gaming": t.gettext("Stock trading or gaming at work"),
        "insp_absence": t.gettext("Absent from post"),
        "insp_illegal_fees": t.gettext("Illegal fees"),
        "insp_illegal_classes": t.gettext("Illegal paid classes"),
        "insp_admission_bribes": t.gettext("Bribes in admissions"),
        "insp_other": t.gettext("Other"),
    }
    return labels.get(key)


def status_label(t: Translator, status: str) -> str:
    """A case status in the reader's language."""
    match status:
        case CaseStatus.RECEIVED:
            return t.gettext("received")
        case CaseStatus.ACCEPTED:
            return t.gettext("accepted")
        case CaseStatus.IN_PROGRESS:
            return t.gettext("being handled")
        case CaseStatus.RECTIFIED:
            return t.gettext("rectified, awaiting verification")
        case CaseStatus.VERIFIED:
            return t.gettext("verified, awaiting the answer")
        case CaseStatus.ANSWERED:
            return t.gettext("answered")
        case CaseStatus.CLOSED:
            return t.gettext("closed")
        case CaseStatus.REJECTED:
            return t.gettext("not accepted")
    return status


def rating_label(t: Translator, rating: str) -> str:
    """A verdict on a case's handling (满意 / 基本满意 / 不满意)."""
    match rating:
        case Rating.SATISFIED:
            return t.gettext("satisfied")
        case Rating.BASICALLY_SATISFIED:
            return t.gettext("basically satisfied")
        case Rating.DISSATISFIED:
            return t.gettext("dissatisfied")
    return rating


def category_hint(category: Category, language: str) -> str:
    """The description's headline (the part before the colon), for a button."""
    description = category.description_for(language)
    return description.split("：", 1)[0].split(":", 1)[0].strip()


def category_label(category: Category, language: str) -> str:
    """`弱 · 理想信念不坚决`: the Chinese name and a hint, short enough for a button; when the
    hint does not fit, the name in the reader's language (`推 · Shirking`), else the name
    alone (a button never shows a word cut in half)."""
    for hint in (category_hint(category, language), category.name_for(language)):
        label = f"{category.name} · {hint}"
        if hint != category.name and len(label) <= BUTTON_MAX_CHARS:
            return label
    return category.name


def category_name(t: Translator, campaign: Campaign, key: str) -> str:
    """A case's category: the campaign's (name and hint) or an inspection target's."""
    category = campaign.category(key)
    if category is None:
        return inspection_category(t, key) or key
    return f"{category.name} · {category_hint(category, t.language)}"


def finding_label(t: Translator, finding: str) -> str:
    """What closing a case found (属实 …); staff only."""
    match finding:
        case Finding.TRUE:
            return t.gettext("Substantiated")
        case Finding.PARTLY:
            return t.gettext("Partly substantiated")
        case Finding.UNTRUE:
            return t.gettext("Not substantiated")
        case Finding.UNVERIFIABLE:
            return t.gettext("Cannot be verified")
    return finding


def channel_label(t: Translator, channel: str) -> str:
    """Where a case came from."""
    names = {
        Channel.CHAT: t.gettext("chat"),
        Channel.PHONE: t.gettext("phone line"),
        Channel.MAILBOX: t.gettext("mailbox"),
        Channel.LETTER: t.gettext("letter"),
        Channel.VISIT: t.gettext("visit"),
        Channel.HOTLINE_12345: t.gettext("12345 transfer"),
        Channel.AUDIT: t.gettext("audit"),
    }
    return next((name for key, name in names.items() if key.value == channel), channel)


def handling_label(t: Translator, handlings: Sequence[Handling], key: str) -> str:
    found = next((h for h in handlings if h.key == key), None)
    return found.name_for(t.language) if found is not None else key
