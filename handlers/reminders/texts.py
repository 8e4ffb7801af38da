"""The words of reminders, in the recipient's language: each names the item, its deadline as a
local date, how late it is and what to do, with a button to open the item. The sender (bot/)
calls `compose` with outbox rows; nothing here sends or stores anything."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from domain.campaign import Campaign
from domain.reminders.digest import Pending, one_line_each
from domain.reminders.due import Rule
from handlers.i18n import Html, Translator
from handlers.ledger.views import open_item_callback

DESCRIPTION_CHARS = 60
MAX_BUTTONS = 10
DIGEST_LINES = 12  # longer lists point to /overdue: a message holds 4096 characters


def _cut(text: object) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= DESCRIPTION_CHARS else flat[: DESCRIPTION_CHARS - 1] + "…"


def _day(value: object) -> date:
    return date.fromisoformat(str(value))


def _case_kind(t: Translator, kind: object) -> str:
    if kind == "complaint":
        return t.gettext("Complaint")
    if kind == "finding":
        return t.gettext("Inspection finding")
    return t.gettext("Report")


def _phase_line(t: Translator, p: dict[str, object], today: date, campaign: Campaign) -> Html:
    phase = next((ph for ph in campaign.phases if ph.key == p.get("phase")), None)
    if phase is None:
        return t.gettext("A campaign phase has changed.")
    name, target = phase.name_for(t.language), _day(p["target"])
    days = (target - today).days  # counted on the day it is sent, however late
    if p.get("edge") == "end":
        if days <= 0:
            return t.gettext(
                "⏳ Phase “{phase}” ends today, {date}. Please finish what it asks.",
                phase=name,
                date=t.date(target),
            )
        return t.ngettext(
            "⏳ Phase “{phase}” ends in {n} day, on {date}. Please finish what it asks in time.",
            "⏳ Phase “{phase}” ends in {n} days, on {date}. Please finish what it asks in time.",
            days,
            phase=name,
            date=t.date(target),
        )
    what = phase.description_for(t.language)
    if days < 0:
        text = t.gettext("📅 Phase “{phase}” began on {date}.", phase=name, date=t.date(target))
    elif days == 0:
        text = t.gettext(
            "📅 Phase “{phase}” starts today, {date}.", phase=name, date=t.date(target)
        )
    else:
        text = t.ngettext(
            "📅 Phase “{phase}” starts in {n} day, on {date}.",
            "📅 Phase “{phase}” starts in {n} days, on {date}.",
            days,
            phase=name,
            date=t.date(target),
        )
    if what:
        text = Html(text + "\n" + t.gettext("What it asks of every unit: {what}", what=what))
    return text


def _deadline_line(t: Translator, p: dict[str, object], today: date, campaign: Campaign) -> Html:
    deadline = next((d for d in campaign.deadlines if d.key == p.get("deadline")), None)
    due = _day(p["due"])
    name = deadline.name_for(t.language) if deadline else str(p.get("deadline"))
    left = (due - today).days
    if left <= 0:
        head = t.gettext("⏰ Due today: {name} ({date}).", name=name, date=t.date(due))
    else:
        head = t.ngettext(
            "⏰ {name}: due on {date}, in {n} day.",
            "⏰ {name}: due on {date}, in {n} days.",
            left,
            name=name,
            date=t.date(due),
        )
    if deadline is not None and deadline.audience == "unit_heads":
        todo = t.gettext("What to do: check your unit's problem list in /ledger and sign it off.")
    else:
        todo = t.gettext("What to do: finish it before the deadline.")
    return Html(head + "\n" + todo)


def _item_line(t: Translator, rule: str, p: dict[str, object], today: date) -> Html:
    deadline = _day(p["deadline"])
    values = {
        "unit": p.get("unit", ""),
        "seq": p.get("seq", ""),
        "description": _cut(p.get("description", "")),
        "date": t.date(deadline),
    }
    late = (today - deadline).days
    if rule == Rule.ITEM_ESCALATE:
        return t.ngettext(
            "🚨 Escalation: {unit}, ledger item No. {seq} “{description}” was due on "
            "{date} and is {n} day late. Please supervise it.",
            "🚨 Escalation: {unit}, ledger item No. {seq} “{description}” was due on "
            "{date} and is {n} days late. Please supervise it.",
            late,
            **values,
        )
    if rule == Rule.ITEM_DISTRICT:
        return t.ngettext(
            "🚨 To the district: {unit}, ledger item No. {seq} “{description}” was due on "
            "{date} and is {n} day late. Please chase the school; it goes to the bureau next.",
            "🚨 To the district: {unit}, ledger item No. {seq} “{description}” was due on "
            "{date} and is {n} days late. Please chase the school; it goes to the bureau next.",
            late,
            **values,
        )
    if late > 0:
        head = t.ngettext(
            "❗ Overdue: {unit} No. {seq} “{description}” was due on {date}, {n} day late.",
            "❗ Overdue: {unit} No. {seq} “{description}” was due on {date}, {n} days late.",
            late,
            **values,
        )
        todo = t.gettext(
            "What to do: finish the measure and mark the item rectified, or record why it "
            "needs a new deadline."
        )
    else:
        if late == 0:
            head = t.gettext("⏰ Due today: {unit} No. {seq} “{description}” ({date}).", **values)
        else:
            head = t.ngettext(
                "⏰ {unit} No. {seq} “{description}” is due on {date}, in {n} day.",
                "⏰ {unit} No. {seq} “{description}” is due on {date}, in {n} days.",
                -late,
                **values,
            )
        todo = t.gettext("What to do: finish the measure and mark the item rectified in time.")
    return Html(head + "\n" + todo)


def _unit_digest(t: Translator, p: dict[str, object], today: date) -> Html:
    items = p.get("items")
    listed = items if isinstance(items, list) else []
    lines = [
        t.ngettext(
            "📋 This week's overdue list of {unit}: {n} item.",
            "📋 This week's overdue list of {unit}: {n} items.",
            len(listed),
            unit=p.get("unit", ""),
        )
    ]
    for entry in listed[:DIGEST_LINES]:
        deadline = _day(entry["deadline"])
        lines.append(
            t.ngettext(
                "• No. {seq} “{description}”: due {date}, {n} day late",
                "• No. {seq} “{description}”: due {date}, {n} days late",
                (today - deadline).days,
                seq=entry["seq"],
                description=_cut(entry["description"]),
                date=t.date(deadline),
            )
        )
    if len(listed) > DIGEST_LINES:
        lines.append(
            t.ngettext(
                "… and {n} more: send /overdue for the whole list.",
                "… and {n} more: send /overdue for the whole list.",
                len(listed) - DIGEST_LINES,
            )
        )
    lines.append(t.gettext("What to do: see that each item is rectified or its deadline reset."))
    return Html("\n".join(lines))


def _case_line(t: Translator, rule: str, p: dict[str, object], slot: str, today: date) -> Html:
    limit = _day(p["limit"])
    values = {
        "kind": _case_kind(t, p.get("kind")),
        "number": p.get("number", ""),
        "date": t.date(limit),
    }
    acknowledge = p.get("clock") == "ack"
    if rule == Rule.CASE_ESCALATE:
        late = (today - limit).days
        if acknowledge:
            return t.ngettext(
                "🚨 Escalation: {kind} {number} was not acknowledged by {date}; {n} day late.",
                "🚨 Escalation: {kind} {number} was not acknowledged by {date}; {n} days late.",
                late,
                **values,
            )
        return t.ngettext(
            "🚨 Escalation: {kind} {number} was not answered by {date}; {n} day late.",
            "🚨 Escalation: {kind} {number} was not answered by {date}; {n} days late.",
            late,
            **values,
        )
    percent = slot.rsplit(":", 1)[-1]
    if acknowledge:
        return t.gettext(
            "⏰ {kind} {number}: {percent}% of the time to acknowledge it is used; "
            "acknowledge it by {date}.",
            percent=percent,
            **values,
        )
    return t.gettext(
        "⏰ {kind} {number}: {percent}% of the time to answer it is used; answer it by {date}.",
        percent=percent,
        **values,
    )


def line(t: Translator, row: Pending, *, today: date, campaign: Campaign) -> Html:
    """One reminder as text in `t`'s language."""
    p = dict(row.payload)
    match row.rule:
        case Rule.PHASE:
            return _phase_line(t, p, today, campaign)
        case Rule.DEADLINE:
            return _deadline_line(t, p, today, campaign)
        case Rule.ITEM_DUE | Rule.ITEM_OVERDUE | Rule.ITEM_ESCALATE | Rule.ITEM_DISTRICT:
            return _item_line(t, row.rule, p, today)
        case Rule.UNIT_OVERDUE:
            return _unit_digest(t, p, today)
        case Rule.CASE_WARN | Rule.CASE_ESCALATE:
            return _case_line(t, row.rule, p, row.slot, today)
        case Rule.UNREACHABLE:
            return t.gettext(
                "⚠️ {name} of your unit has blocked the bot and no longer receives reminders. "
                "Please ask them to open the bot again and send /start.",
                name=p.get("name", ""),
            )
    return t.gettext("You have a reminder.")


def _buttons(t: Translator, rows: Sequence[Pending]) -> list[tuple[str, int]]:
    found: list[tuple[str, int]] = []
    for row in rows:
        entries = row.payload.get("items") if row.rule == Rule.UNIT_OVERDUE else [row.payload]
        for entry in entries if isinstance(entries, list) else []:
            item_id = entry.get("item_id") if isinstance(entry, dict) else None
            if isinstance(item_id, int) and all(i != item_id for _, i in found):
                label = t.gettext("Open No. {seq}", seq=entry.get("seq", ""))
                found.append((label, item_id))
    return found[:MAX_BUTTONS]


def compose(
    t: Translator, rows: Sequence[Pending], *, today: date, campaign: Campaign, digest: bool
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The message for `rows` (several only in a daily digest) and its buttons."""
    rows = one_line_each(rows) if digest else rows
    body = [line(t, row, today=today, campaign=campaign) for row in rows[:DIGEST_LINES]]
    if len(rows) > DIGEST_LINES:  # the rest are named by /overdue; a message holds 4096
        body.append(
            t.ngettext(
                "… and {n} more: send /overdue for the whole list.",
                "… and {n} more: send /overdue for the whole list.",
                len(rows) - DIGEST_LINES,
            )
        )
    if digest and len(rows) > 1:
        head = t.ngettext(
            "🗓 Your reminders for {date}, {n} in all:",
            "🗓 Your reminders for {date}, {n} in all:",
            len(rows),
            date=t.date(today),
        )
        text = "\n\n".join([head, *body])
    else:
        text = "\n\n".join(body)
    buttons = [
        [InlineKeyboardButton(label, callback_data=open_item_callback(item_id))]
        for label, item_id in _buttons(t, rows)
    ]
    return text[:4096], InlineKeyboardMarkup(buttons) if buttons else None
