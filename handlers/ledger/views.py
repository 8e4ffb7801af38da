"""How the ledger looks: callback data, status names, a unit's list page, an item card and
their buttons. Every page stays far below Telegram's 4096 characters whatever people typed:
each line is cut to a fixed width and a page holds at most PAGE_SIZE items."""

from __future__ import annotations

from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from domain.campaign import Campaign
from domain.desk.followup import may_offer_return
from domain.ledger import rules
from domain.ledger.extensions import ExtensionStatus, may_ask_extension
from domain.ledger.rules import Actor, ItemFacts, LedgerStatus
from handlers.context import Viewer
from handlers.desk.followups.common import return_callback
from handlers.i18n import Html, Translator
from handlers.ui.callbacks import Route, parse
from handlers.ui.labels import inspection_category
from storage.ledger.queries import ItemCard, Page
from storage.models import LedgerExtension, LedgerItem

ROUTE = Route("ledger", empty="")
PATTERN = ROUTE.pattern
PAGE_SIZE = 10
LINE_CHARS = 40  # of a description in a list line
BUTTON_CHARS = 18
NOTE_CHARS = 200  # of a note or reason on a card


def open_item_callback(item_id: int) -> str:
    """The button data that opens an item's card (used by reminders and /overdue too)."""
    return ROUTE.data("o", item_id)


def parse_cb(data: str | None) -> tuple[str, list[int]] | None:
    """(action, ids) from callback data; None when it is not ours or not well formed."""
    press = parse(data)
    if press is None or press.route != ROUTE.name or press.version != ROUTE.version:
        return None
    ids = press.numbers(negative=True)
    return None if ids is None else (press.action, list(ids))


def chase_button(t: Translator, unit_id: int, code: str | None = None) -> InlineKeyboardButton:
    """A district head's chase (催办) of a school: of the school shown, or of `code`."""
    label = t.gettext("⏰ Chase {code}", code=code) if code else t.gettext("⏰ Chase the school")
    return InlineKeyboardButton(label, callback_data=ROUTE.data("ch", unit_id))


def keyboard(rows: list[list[InlineKeyboardButton]]) -> InlineKeyboardMarkup | None:
    """The buttons, or None when there are none (Telegram refuses an empty keyboard)."""
    return InlineKeyboardMarkup(rows) if rows else None


def cut(text: str, limit: int) -> str:
    """Shorten for a list line or a button (the full text is on the item card)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def actor_of(who: Viewer) -> Actor:
    m = who.membership
    return Actor(
        role=who.role,
        member_id=m.member.id if m else None,
        unit_id=m.unit.id if m else None,
        oversees=who.oversees,
    )


def facts_of(item: LedgerItem) -> ItemFacts:
    return ItemFacts(
        unit_id=item.unit_id,
        status=item.status,
        responsible_member_id=item.responsible_member_id,
        rectified_by_member_id=item.rectified_by_member_id,
        bureau_deadline=item.bureau_deadline,
    )


def status_label(t: Translator, status: str) -> str:
    match LedgerStatus(status):
        case LedgerStatus.OPEN:
            return t.gettext("to do")
        case LedgerStatus.IN_PROGRESS:
            return t.gettext("in progress")
        case LedgerStatus.RECTIFIED:
            return t.gettext("rectified")
        case LedgerStatus.VERIFIED:
            return t.gettext("verified (closed)")
        case LedgerStatus.RETURNED:
            return t.gettext("returned to the desk")


def category_label(t: Translator, campaign: Campaign, key: str) -> str:
    category = campaign.category(key)
    return category.name_for(t.language) if category else (inspection_category(t, key) or key)


def day_label(t: Translator, day: date | None) -> str:
    return t.date(day) if day else t.gettext("none")


def page_text(t: Translator, unit_name: str, page: Page, deadline: date | None) -> Html:
    """The header and one line per item of a unit's list page."""
    pages = max(1, -(-page.total // PAGE_SIZE))
    lines: list[str] = [
        t.gettext("<b>Rectification ledger · {unit}</b>", unit=unit_name),
        t.ngettext(
            "{n} item · page {page} of {pages}",
            "{n} items · page {page} of {pages}",
            page.total,
            page=page.offset // PAGE_SIZE + 1,
            pages=pages,
        ),
    ]
    if page.signoff is not None:
        lines.append(
            t.gettext(
                "Signed off: version {version}, {at}, {count} items.",
                version=page.signoff.version,
                at=t.datetime(page.signoff.at),
                count=page.signoff.item_count,
            )
        )
    elif deadline is not None:
        lines.append(t.gettext("Not signed off yet (due {day}).", day=t.date(deadline)))
    else:
        lines.append(t.gettext("Not signed off yet."))
    if not page.items:
        lines.append(t.gettext("No problems listed yet."))
    for item in page.items:
        lines.append(item_line(t, item, page.names))
    return Html("\n".join(lines))


def item_line(t: Translator, item: LedgerItem, names: dict[int, str]) -> Html:
    who = names.get(item.responsible_member_id or 0) or item.responsible_name or "—"
    line = t.gettext(
        "{seq}. [{status}] {description} — due {day}, {who}",
        seq=item.seq,
        status=status_label(t, item.status),
        description=cut(item.description, LINE_CHARS),
        day=day_label(t, item.deadline),
        who=cut(who, 16),
    )
    if item.added_after_signoff:
        line = Html(line + t.gettext(" (added after sign-off)"))
    return line


def page_keyboard(
    t: Translator, actor: Actor, unit_id: int, page: Page
) -> InlineKeyboardMarkup | None:
    rows = [
        [
            InlineKeyboardButton(
                f"{item.seq}. {cut(item.description, BUTTON_CHARS)}",
                callback_data=ROUTE.data("o", item.id),
            )
        ]
        for item in page.items
    ]
    nav = []
    if page.offset > 0:
        nav.append(
            InlineKeyboardButton(
                t.gettext("◀ Previous"),
                callback_data=ROUTE.data("u", unit_id, page.offset - PAGE_SIZE),
            )
        )
    if page.offset + PAGE_SIZE < page.total:
        nav.append(
            InlineKeyboardButton(
                t.gettext("Next ▶"), callback_data=ROUTE.data("u", unit_id, page.offset + PAGE_SIZE)
            )
        )
    if nav:
        rows.append(nav)
    actions = []
    if rules.may_chase(actor, unit_id):
        actions.append(chase_button(t, unit_id))
    if rules.may_add(actor, unit_id):
        actions.append(
            InlineKeyboardButton(
                t.gettext("➕ Add a problem"), callback_data=ROUTE.data("add", unit_id)
            )
        )
    if rules.may_sign_off(actor, unit_id) and page.total > 0:
        seen = page.signoff.version if page.signoff else 0
        actions.append(
            InlineKeyboardButton(
                t.gettext("✍ Sign off"), callback_data=ROUTE.data("sg", unit_id, seen)
            )
        )
    if actions:
        rows.append(actions)
    if rules.may_view_unit(actor, unit_id) and page.total > 0:
        rows.append(
            [
                InlineKeyboardButton(
                    t.gettext("🖨 Problem list to print (PDF)"),
                    callback_data=ROUTE.data("pdf", unit_id),
                )
            ]
        )
    if rules.is_staff(actor):
        rows.append(
            [InlineKeyboardButton(t.gettext("« All units"), callback_data=ROUTE.data("us", 0))]
        )
    return keyboard(rows)


def card_text(t: Translator, campaign: Campaign, card: ItemCard) -> Html:
    """One item in full (notes and reasons cut to NOTE_CHARS; at most 3 of each shown)."""
    item = card.item
    lines: list[str] = [
        t.gettext("<b>Item {seq} · {unit}</b>", seq=item.seq, unit=card.unit.name),
        t.gettext("Status: {status}", status=status_label(t, item.status)),
        t.gettext("Category: {category}", category=category_label(t, campaign, item.category_key)),
        t.gettext("Problem: {text}", text=item.description),
        t.gettext("Measure: {text}", text=item.measure or t.gettext("none")),
        t.gettext("Deadline: {day}", day=day_label(t, item.deadline)),
    ]
    for change in card.deadline_changes[-3:]:
        lines.append(
            t.gettext(
                "  (was {old}; changed {at}: {reason})",
                old=day_label(t, change.old_deadline),
                at=t.datetime(change.at),
                reason=cut(change.reason, NOTE_CHARS),
            )
        )
    if item.due_on is not None and item.due_on != item.deadline:
        lines.append(
            t.gettext(
                "  Lateness counts from {day} (moved without an approved extension).",
                day=t.date(item.due_on),
            )
        )
    for ext in card.extensions[-3:]:
        lines.append(extension_line(t, ext))
    lines.append(t.gettext("Responsible: {who}", who=card.responsible or t.gettext("none")))
    if card.evidence_count:
        lines.append(t.gettext("Evidence: {n} file(s)", n=card.evidence_count))
    if item.verified_at is not None:
        lines.append(t.gettext("Verified (closed) on {at}.", at=t.datetime(item.verified_at)))
    if item.added_after_signoff:
        lines.append(t.gettext("Added after sign-off."))
    for note in card.progress:
        lines.append(
            t.gettext(
                "· {at} {kind}: {text}",
                at=t.datetime(note.at),
                kind=progress_label(t, note.kind),
                text=cut(note.note, NOTE_CHARS),
            )
        )
    return Html("\n".join(lines))


def extension_line(t: Translator, ext: LedgerExtension) -> str:
    """One request for more time, as the card shows it (the original day stays visible)."""
    values = {
        "old": t.date(ext.from_deadline),
        "new": t.date(ext.to_deadline),
        "reason": cut(ext.reason, NOTE_CHARS),
    }
    if ext.status == ExtensionStatus.APPROVED:
        return t.gettext("  Extension {old} → {new} approved ({reason})", **values)
    if ext.status == ExtensionStatus.REFUSED:
        return t.gettext("  Extension {old} → {new} refused ({reason})", **values)
    return t.gettext("  Extension {old} → {new} asked, awaiting a decision ({reason})", **values)


def progress_label(t: Translator, kind: str) -> str:
    if kind == "rectified":
        return t.gettext("rectified")
    if kind == "rejected":
        return t.gettext("sent back")
    return t.gettext("progress")


def card_keyboard(t: Translator, actor: Actor, item: LedgerItem) -> InlineKeyboardMarkup | None:
    """The buttons this person may use on this item, as it stands."""
    facts, ref = facts_of(item), (item.id, item.version)
    rows: list[list[InlineKeyboardButton]] = []
    marks = []
    if rules.may_mark(actor, facts, LedgerStatus.IN_PROGRESS):
        marks.append(
            InlineKeyboardButton(t.gettext("Start work"), callback_data=ROUTE.data("ip", *ref))
        )
    if rules.may_mark(actor, facts, LedgerStatus.RECTIFIED):
        marks.append(
            InlineKeyboardButton(t.gettext("Mark rectified"), callback_data=ROUTE.data("rc", *ref))
        )
    if marks:
        rows.append(marks)
    if rules.may_verify(actor, facts):
        rows.append(
            [
                InlineKeyboardButton(t.gettext("✅ Verify"), callback_data=ROUTE.data("vf", *ref)),
                InlineKeyboardButton(t.gettext("Send back"), callback_data=ROUTE.data("rj", *ref)),
            ]
        )
    if rules.may_post_progress(actor, facts):
        rows.append(
            [
                InlineKeyboardButton(
                    t.gettext("Post progress"), callback_data=ROUTE.data("pn", item.id)
                )
            ]
        )
    if rules.may_edit_item(actor, facts):
        edits = [
            InlineKeyboardButton(t.gettext("Edit measure"), callback_data=ROUTE.data("em", *ref))
        ]
        if rules.may_change_deadline(actor, facts):
            edits.append(
                InlineKeyboardButton(
                    t.gettext("Change deadline"), callback_data=ROUTE.data("ed", *ref)
                )
            )
        rows.append(edits)
    if may_ask_extension(actor, facts, item.deadline):
        rows.append(
            [
                InlineKeyboardButton(
                    t.gettext("⏳ Ask for more time"), callback_data=ROUTE.data("xr", *ref)
                )
            ]
        )
    if rules.may_edit_item(actor, facts):
        rows.append(
            [
                InlineKeyboardButton(
                    t.gettext("Change responsible"), callback_data=ROUTE.data("er", *ref)
                )
            ]
        )
    if may_offer_return(actor, item.unit_id, item.status, item.source_case_id):
        back = return_callback(item.id or 0, item.version)
        rows.append([InlineKeyboardButton(t.gettext("↩ Return to the desk"), callback_data=back)])
    if rules.may_view_unit(actor, item.unit_id):
        offset = (item.seq - 1) // PAGE_SIZE * PAGE_SIZE
        rows.append(
            [
                InlineKeyboardButton(
                    t.gettext("« Back to the list"),
                    callback_data=ROUTE.data("u", item.unit_id, offset),
                )
            ]
        )
    return keyboard(rows)
