"""How reports look: category buttons, the summary card, and a report as someone other than
its author sees it (reused by the staff desk). No state, no storage."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from domain.campaign import Campaign
from domain.cases.reports import ReportDraft
from handlers.i18n import Html, Translator
from handlers.ui import pickers
from handlers.ui.callbacks import Route
from handlers.ui.keyboards import rows_of
from handlers.ui.labels import category_name, status_label
from handlers.ui.limits import clip
from storage.cases.reports import ReportView

ROUTE = Route("report")
UNITS = pickers.UnitPicker(ROUTE)
PREVIEW_MAX_CHARS = 3000  # UTF-16 units: the summary card stays under Telegram's 4096


def category_keyboard(campaign: Campaign, language: str) -> InlineKeyboardMarkup:
    return pickers.category_keyboard(ROUTE, pickers.campaign_categories(campaign, language))


def category_prompt(t: Translator, campaign: Campaign) -> str:
    """The question only: each button names its category with a short hint, so the
    categories are not listed twice (once as paragraphs, once as buttons)."""
    head = t.gettext("Step 1 of 5. Which kind of problem is it? Choose a category:")
    return head + "\n\n" + t.gettext("Send /cancel to stop at any time.")


def _preview(text: str) -> str:
    return clip(text, PREVIEW_MAX_CHARS)


def summary_card(t: Translator, campaign: Campaign, draft: ReportDraft, unit_name: str) -> str:
    """The draft as the reporter checks it before submitting; their text shown literally."""
    none = t.gettext("(not given)")
    files = t.ngettext("{n} file", "{n} files", len(draft.evidence)) if draft.evidence else none
    confidential = (
        t.gettext("yes: the head of {unit} will not see your name", unit=unit_name)
        if draft.confidential
        else t.gettext("no: your name is shown with the report")
    )
    description = draft.description or ""
    lines = [
        t.gettext("Please check your report:"),
        "",
        t.gettext(
            "Category: {category}",
            category=category_name(t, campaign, draft.category_key or ""),
        ),
        t.gettext("Unit concerned: {unit}", unit=unit_name),
        t.gettext("What happened: {text}", text=_preview(description)),
        t.gettext("When and where: {text}", text=draft.occurred or none),
        t.gettext("Evidence: {files}", files=Html(files)),
        t.gettext("Confidential: {answer}", answer=Html(confidential)),
    ]
    if _preview(description) != description:
        lines.append(t.gettext("(The description is shortened here; all of it will be filed.)"))
    return "\n".join(lines)


def confirm_keyboard(t: Translator, draft_token: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [ROUTE.button(t.gettext("Submit"), "submit", draft_token)],
            [
                ROUTE.button(t.gettext("Edit a field"), "edit"),
                ROUTE.button(t.gettext("Cancel"), "cancel"),
            ],
        ]
    )


EDITABLE_FIELDS: tuple[str, ...] = ("category", "unit", "description", "occurred", "evidence")


def field_label(t: Translator, name: str) -> str:
    match name:
        case "category":
            return t.gettext("Category")
        case "unit":
            return t.gettext("Unit concerned")
        case "description":
            return t.gettext("What happened")
        case "occurred":
            return t.gettext("When and where")
        case "evidence":
            return t.gettext("Evidence")
        case "confidential":
            return t.gettext("Confidential")
    return name


def edit_keyboard(t: Translator) -> InlineKeyboardMarkup:
    fields = [
        ROUTE.button(field_label(t, f), "field", f) for f in (*EDITABLE_FIELDS, "confidential")
    ]
    markup = rows_of(fields)
    back = [ROUTE.button(t.gettext("Back to the summary"), "back")]
    return InlineKeyboardMarkup([*markup.inline_keyboard, back])


def report_text(t: Translator, campaign: Campaign, view: ReportView) -> str:
    """A filed report for someone other than its author (staff, the unit head): the
    reporter's name only when `view` carries it, evidence captions only for staff."""
    if view.reporter_name is not None:
        reporter = t.gettext("Reported by: {name}", name=view.reporter_name)
    else:
        reporter = t.gettext("Reported by: (confidential)")
    lines = [
        t.gettext("Report {number}", number=view.number),
        t.gettext("Status: {status}", status=status_label(t, view.status)),
        t.gettext("Filed on: {day}", day=t.date(view.opened_on)),
        t.gettext("Category: {category}", category=category_name(t, campaign, view.category_key)),
        t.gettext("Unit concerned: {unit}", unit=view.unit_name or ""),
        reporter,
        t.gettext("What happened: {text}", text=_preview(view.description)),
    ]
    if view.occurred:
        lines.append(t.gettext("When and where: {text}", text=view.occurred))
    if view.evidence:
        lines.append(
            t.gettext(
                "Evidence: {files}",
                files=Html(t.ngettext("{n} file", "{n} files", len(view.evidence))),
            )
        )
        lines.extend(
            t.gettext("• caption: {caption}", caption=e.caption) for e in view.evidence if e.caption
        )
    if view.withheld_documents:
        lines.append(
            t.ngettext(
                "{n} document is shown to campaign staff only.",
                "{n} documents are shown to campaign staff only.",
                view.withheld_documents,
            )
        )
    return "\n".join(lines)
