"""Translated names of the campaign's fixed vocabulary: roles, commands, languages."""

from __future__ import annotations

from domain.membership.roles import Role
from handlers.i18n import Translator

# Endonyms: each language is named in itself, whatever the reader's language.
LANGUAGE_NAMES: dict[str, str] = {"zh_CN": "简体中文", "en": "English"}


def role_label(t: Translator, role: Role) -> str:
    """The role's name in the reader's language."""
    match role:
        case Role.MEMBER:
            return t.gettext("member")
        case Role.UNIT_HEAD:
            return t.gettext("unit head")
        case Role.HANDLER:
            return t.gettext("case handler")
        case Role.ADMIN:
            return t.gettext("administrator")


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
        "inbox": t.gettext("Cases waiting for staff"),
        "overdue": t.gettext("Overdue items"),
        "stats": t.gettext("Statistics and charts"),
        "export": t.gettext("Export to Excel or CSV"),
        "bindgroup": t.gettext("Bind this group to a unit (admins, in the group)"),
        "publish": t.gettext("Honour roll and exposure board: draft and publish"),
        "published": t.gettext("Published items; withdraw one"),
        "broadcast": t.gettext("Send an announcement to groups or a role"),
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
