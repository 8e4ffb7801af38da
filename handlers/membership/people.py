"""People management in chat: `/members [UNIT_CODE]` lists a unit's people with a button each;
a person's card offers another role, a move to another unit and deactivation (asked twice);
`/invite [UNIT_CODE]` makes an invite link with a button to withdraw it.

Admins manage every unit; a unit head their own unit and the units under it (a district
head's schools). Every press re-reads both people from the database: a press by anyone who may
not manage the person, or on a person who is no longer active, is refused without a name.
"""

from __future__ import annotations

from datetime import datetime

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType

from domain.membership import people as rules
from domain.membership.invites import deep_link
from domain.membership.roles import Role
from domain.membership.units import UNIT_CODE
from handlers.context import BotContext, Viewer, viewer
from handlers.i18n import Html, Translator, escape
from handlers.ui import menu
from handlers.ui.callbacks import Route, pressed
from handlers.ui.callbacks import number as press_number
from handlers.ui.labels import role_label
from handlers.ui.presses import neutral, refuse
from handlers.ui.text import shorten
from storage.errors import NotFoundError
from storage.membership import invites, people, units
from storage.membership.people import Actor, Person
from storage.models import Unit

ROUTE = Route("ppl")
PATTERN = ROUTE.pattern
PAGE = 10  # people per page of a unit's list
MOVE_CHOICES = 24  # units offered as buttons for a move
ROLE_CODES: dict[str, Role] = {"m": Role.MEMBER, "h": Role.UNIT_HEAD, "s": Role.CASE_OFFICER}
CODE_OF: dict[Role, str] = {role: code for code, role in ROLE_CODES.items()}


async def manager_of(context: BotContext, who: Viewer) -> rules.Manager:
    """The person as a manager, read from the database now (never from a button)."""
    member = who.membership.member if who.membership is not None else None
    role = who.role
    managed: frozenset[int] = frozenset()
    if role is Role.UNIT_HEAD and who.membership is not None:
        managed = await units.subtree_ids(context.services.db, who.membership.unit.id or 0)
    return rules.Manager(
        is_admin=who.is_admin,
        member_id=member.id if member is not None else None,
        role=role,
        units=managed,
    )


def _actor(manager: rules.Manager) -> Actor:
    return Actor(manager.member_id, "member" if manager.member_id is not None else "admin")


def _refusal(t: Translator) -> str:
    return t.gettext("You have no right to manage these people.")


async def _refuse(update: Update, t: Translator) -> None:
    await refuse(update, t, _refusal(t))


async def _opening(
    update: Update, context: BotContext
) -> tuple[Viewer, Message, rules.Manager] | None:
    """A command's sender, if they manage people and wrote in a private chat."""
    who = await viewer(update, context)
    message, chat = update.effective_message, update.effective_chat
    if who is None or message is None or chat is None:
        return None
    if chat.type != ChatType.PRIVATE:
        await message.reply_text(who.t.gettext("Please manage people in a private chat with me."))
        return None
    manager = await manager_of(context, who)
    if not manager.manages_people:
        await _refuse(update, who.t)
        return None
    return who, message, manager


async def _unit_from_args(context: BotContext, who: Viewer, manager: rules.Manager) -> Unit | str:
    """The unit named in the command, or the head's own; a string explains a refusal."""
    t, db = who.t, context.services.db
    code = context.args[0] if context.args else ""
    if not code:
        if who.membership is not None and manager.role is Role.UNIT_HEAD:
            return who.membership.unit
        return t.gettext("Send the command with a unit's code, e.g. {example}.", example="SCH001")
    unit = await units.by_code(db, code) if UNIT_CODE.match(code) else None
    if unit is None or unit.id is None:
        return t.gettext("There is no unit with code {code}.", code=code)
    if not rules.may_manage(manager, unit.id):
        return _refusal(t)
    return unit


# -- /members --------------------------------------------------------------------------------


async def list_members(update: Update, context: BotContext) -> None:
    """/members [UNIT_CODE]: a unit's people, a button each."""
    opened = await _opening(update, context)
    if opened is None:
        return
    who, message, manager = opened
    unit = await _unit_from_args(context, who, manager)
    if not isinstance(unit, Unit):
        await message.reply_text(unit)
        return
    text, keyboard = await _unit_page(context, who.t, manager, unit, 0)
    await message.reply_text(text, reply_markup=keyboard)


def _marks(t: Translator, p: Person) -> Html:
    """Role and duty marks: `成员 · 校级干部`."""
    marks = [role_label(t, p.role)]
    if p.cadre:
        marks.append(t.gettext("school-level cadre"))
    if p.inspector:
        marks.append(t.gettext("inspector"))
    return Html(" · ".join(marks))


def _person_line(t: Translator, p: Person) -> Html:
    return Html(f"{escape(p.member.display_name)} · {_marks(t, p)}")


async def _unit_page(
    context: BotContext, t: Translator, manager: rules.Manager, unit: Unit, page: int
) -> tuple[Html, InlineKeyboardMarkup]:
    assert unit.id is not None
    listed = await people.listing(context.services.db, unit_ids=[unit.id])
    pages = max(1, -(-len(listed) // PAGE))
    page = min(max(page, 0), pages - 1)
    shown = listed[page * PAGE : (page + 1) * PAGE]
    lines: list[str] = [
        t.gettext("{unit} ({code}): {n} people", unit=unit.name, code=unit.code, n=len(listed))
    ]
    lines += [f"{page * PAGE + i}. {_person_line(t, p)}" for i, p in enumerate(shown, start=1)]
    if not listed:
        lines.append(t.gettext("Nobody has joined yet. Send /invite to make an invite link."))
    rows = [[ROUTE.button(shorten(p.member.display_name), "p", p.id)] for p in shown]
    turn = []
    if page > 0:
        turn.append(ROUTE.button("◀", "u", unit.id, page - 1))
    if page + 1 < pages:
        turn.append(ROUTE.button("▶", "u", unit.id, page + 1))
    if turn:
        rows.append(turn)
    below = [u for u in await units.all_units(context.services.db) if u.parent_id == unit.id]
    rows += [
        [ROUTE.button(shorten(f"↳ {u.name}"), "u", u.id, 0)]
        for u in below[:MOVE_CHOICES]
        if u.id is not None and rules.may_manage(manager, u.id)
    ]
    return Html("\n".join(lines)), InlineKeyboardMarkup(rows)


def _card(t: Translator, manager: rules.Manager, p: Person) -> tuple[Html, InlineKeyboardMarkup]:
    text = t.gettext(
        "{name}\nUnit: {unit} ({code})\nRole: {role}",
        name=p.member.display_name,
        unit=p.unit.name,
        code=p.unit.code,
        role=_marks(t, p),
    )
    roles = [
        ROUTE.button(t.gettext("Make {role}", role=role_label(t, role)), "r", p.id, CODE_OF[role])
        for role in rules.assignable_roles(manager)
        if role is not p.role
    ]
    rows = [roles[i : i + 2] for i in range(0, len(roles), 2)]
    rows.append(
        [
            ROUTE.button(t.gettext("Move to another unit"), "m", p.id),
            ROUTE.button(t.gettext("Deactivate"), "d", p.id),
        ]
    )
    rows.append([ROUTE.button(t.gettext("Back to the list"), "u", p.unit.id, 0)])
    return text, InlineKeyboardMarkup(rows)


# -- buttons ---------------------------------------------------------------------------------


async def on_button(update: Update, context: BotContext) -> None:
    """Every people-management button: re-check the presser's rights, then act."""
    query, press = update.callback_query, pressed(update)
    who = await viewer(update, context)
    if query is None or who is None:
        return
    t = who.t
    if press is None:  # forged or from an older version: nothing to act on
        await query.answer(neutral(t))
        return
    manager = await manager_of(context, who)
    if not manager.manages_people:
        await _refuse(update, t)
        return
    # Each action states how many fields its button carries; the parser refuses any other
    # count. A role button carries a role letter after the person's id, the others numbers.
    match press.action:
        case "u" if (values := press.numbers(2)) is not None:  # unit, page
            await _on_unit(update, context, manager, values)
        case "x" if (values := press.numbers(1)) is not None:  # invite
            await _on_revoke(update, context, manager, values[0])
        case "p" | "m" | "d" | "dx" if press.numbers(1) is not None:  # person
            await _on_person(update, context, manager, press.action, press.value)
        case "mv" if press.numbers(2) is not None:  # person, unit
            await _on_person(update, context, manager, press.action, press.value)
        case "r" if (parts := press.fields(2)) and press_number(parts[0]) is not None:
            await _on_person(update, context, manager, press.action, press.value)
        case _:
            await _refuse(update, t)


async def _on_unit(
    update: Update, context: BotContext, manager: rules.Manager, values: tuple[int, ...]
) -> None:
    query = update.callback_query
    assert query is not None
    who = await viewer(update, context)
    assert who is not None
    unit = await units.by_id(context.services.db, values[0])
    if unit is None or unit.id is None or not rules.may_manage(manager, unit.id):
        await _refuse(update, who.t)
        return
    text, keyboard = await _unit_page(
        context, who.t, manager, unit, values[1] if len(values) > 1 else 0
    )
    await query.answer()
    await query.edit_message_text(text, reply_markup=keyboard)


async def _on_person(
    update: Update, context: BotContext, manager: rules.Manager, action: str, value: str
) -> None:
    query = update.callback_query
    who = await viewer(update, context)
    assert query is not None and who is not None
    t, svc = who.t, context.services
    parts = value.split(".")
    member_id = press_number(parts[0]) or 0
    target = await people.person(svc.db, member_id)
    if (
        target is None
        or not target.member.active
        or not rules.may_manage(manager, target.unit.id or 0)
    ):
        await _refuse(update, t)
        return
    now = svc.clock.now()
    match action:
        case "p":
            text, keyboard = _card(t, manager, target)
        case "r":
            role = ROLE_CODES.get(parts[1]) if len(parts) == 2 else None
            if role is None or not rules.may_set_role(
                manager, target.unit.id or 0, target.role, role
            ):
                await _refuse(update, t)
                return
            target = await people.change_role(
                svc.db, member_id, role, actor=_actor(manager), now=now
            )
            await menu.refresh_other(context, target.member.telegram_user_id)
            text, keyboard = _card(t, manager, target)
            text = Html(
                t.gettext(
                    "Done: {name} is now {role}.",
                    name=target.member.display_name,
                    role=role_label(t, role),
                )
                + "\n\n"
                + text
            )
        case "m":
            text, keyboard = await _move_choices(context, t, manager, target)
        case "mv":
            to = press_number(parts[1]) if len(parts) == 2 else None
            if to is None or not rules.may_move(manager, target.unit.id or 0, to):
                await _refuse(update, t)
                return
            target = await people.move(svc.db, member_id, to, actor=_actor(manager), now=now)
            await menu.refresh_other(context, target.member.telegram_user_id)
            text, keyboard = _card(t, manager, target)
            text = Html(
                t.gettext(
                    "Done: {name} moved to {unit}.",
                    name=target.member.display_name,
                    unit=target.unit.name,
                )
                + "\n\n"
                + text
            )
        case "d":
            text, keyboard = await _deactivate_question(context, t, manager, target)
        case _:  # "dx": confirmed
            done = await people.deactivate(svc.db, member_id, actor=_actor(manager), now=now)
            await menu.refresh_other(context, target.member.telegram_user_id)
            text = _deactivated_text(t, done)
            keyboard = InlineKeyboardMarkup(
                [[ROUTE.button(t.gettext("Back to the list"), "u", target.unit.id, 0)]]
            )
    await query.answer()
    await query.edit_message_text(text, reply_markup=keyboard)


async def _move_choices(
    context: BotContext, t: Translator, manager: rules.Manager, target: Person
) -> tuple[Html, InlineKeyboardMarkup]:
    """The units a person may be moved to: the head's units; for an admin the units of the
    person's district (a move further away: `python -m bot members move`)."""
    every = await units.all_units(context.services.db)
    if manager.is_admin:
        parent = target.unit.parent_id
        near = await units.subtree_ids(context.services.db, parent) if parent else frozenset()
        choices = [u for u in every if u.id in near]
    else:
        choices = [u for u in every if u.id in manager.units]
    choices = [u for u in choices if u.id != target.unit.id][:MOVE_CHOICES]
    text = t.gettext("Move {name} to which unit?", name=target.member.display_name)
    if manager.is_admin:
        text = Html(
            text + "\n" + t.gettext("Another unit: python -m bot members move MEMBER_ID UNIT_CODE")
        )
    rows = [[ROUTE.button(shorten(f"{u.name} ({u.code})"), "mv", target.id, u.id)] for u in choices]
    rows.append([ROUTE.button(t.gettext("Back"), "p", target.id)])
    return text, InlineKeyboardMarkup(rows)


async def _deactivate_question(
    context: BotContext, t: Translator, manager: rules.Manager, target: Person
) -> tuple[Html, InlineKeyboardMarkup]:
    last_head = (
        target.role is Role.UNIT_HEAD
        and await people.heads_of(context.services.db, target.unit.id or 0) <= 1
    )
    lines = [
        t.gettext(
            "Deactivate {name} of {unit}? Their access ends at once: commands, buttons and "
            "reminders. Their history stays.",
            name=target.member.display_name,
            unit=target.unit.name,
        )
    ]
    if manager.member_id == target.id:
        lines.append(t.gettext("⚠ This is you: you will lose access yourself."))
    if last_head:
        lines.append(t.gettext("⚠ This is the unit's last unit head."))
    rows = [
        [
            ROUTE.button(t.gettext("Yes, deactivate"), "dx", target.id),
            ROUTE.button(t.gettext("No, keep"), "p", target.id),
        ]
    ]
    return Html("\n".join(lines)), InlineKeyboardMarkup(rows)


def _deactivated_text(t: Translator, done: people.Deactivated) -> Html:
    text = t.gettext(
        "{name} is deactivated: their access has ended.", name=done.person.member.display_name
    )
    if done.open_ledger_items:
        text = Html(
            text
            + "\n"
            + t.gettext(
                "⚠ {n} open ledger items still name them as responsible: reassign them in /ledger.",
                n=len(done.open_ledger_items),
            )
        )
    return text


# -- /invite ---------------------------------------------------------------------------------


async def make_invite(update: Update, context: BotContext) -> None:
    """/invite [UNIT_CODE] [head]: an invite link into the unit, with a button to withdraw it."""
    opened = await _opening(update, context)
    if opened is None:
        return
    who, message, manager = opened
    args = list(context.args or [])
    as_head = bool(args) and args[-1].lower() == "head"
    if as_head:
        args = args[:-1]
    context.args = args
    unit = await _unit_from_args(context, who, manager)
    if not isinstance(unit, Unit):
        await message.reply_text(unit)
        return
    svc, t = context.services, who.t
    role = Role.UNIT_HEAD if as_head else Role.MEMBER
    made = await invites.create_invite(
        svc.db,
        unit_code=unit.code,
        role=role,
        max_uses=svc.settings.invite_max_uses,
        ttl=svc.settings.invite_ttl,
        now=svc.clock.now(),
        created_by=str(manager.member_id) if manager.member_id is not None else "admin",
    )
    await message.reply_text(
        _invite_text(
            t,
            made.unit.name,
            role,
            made.invite.max_uses,
            made.invite.expires_at.astimezone(svc.settings.timezone),
        )
        + "\n"
        + deep_link(context.bot.username, made.token),
        reply_markup=InlineKeyboardMarkup(
            [[ROUTE.button(t.gettext("Withdraw this invite"), "x", made.invite.id)]]
        ),
    )


def _invite_text(t: Translator, unit: str, role: Role, uses: int, expires: datetime) -> Html:
    return t.ngettext(
        "Invite into {unit} as {role}: {n} use, valid until {day}. Forward the link to the "
        "people it is for:",
        "Invite into {unit} as {role}: {n} uses, valid until {day}. Forward the link to the "
        "people it is for:",
        uses,
        unit=unit,
        role=role_label(t, role),
        day=expires.strftime("%Y-%m-%d"),
    )


async def _on_revoke(
    update: Update, context: BotContext, manager: rules.Manager, invite_id: int
) -> None:
    query = update.callback_query
    who = await viewer(update, context)
    assert query is not None and who is not None
    svc = context.services
    found = await invites.by_id(svc.db, invite_id)
    if found is None or not rules.may_manage(manager, found.unit_id):
        await _refuse(update, who.t)
        return
    try:
        await people.revoke_invite(svc.db, invite_id, actor=_actor(manager), now=svc.clock.now())
    except NotFoundError:
        await _refuse(update, who.t)
        return
    await query.answer()
    await query.edit_message_text(
        who.t.gettext("This invite is withdrawn: its link no longer works.")
    )
