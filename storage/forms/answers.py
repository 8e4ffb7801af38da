"""Submitting a form once, and what has been answered: the respondents of a period, a
monitor's rated units, the public's marks, and the rows the results and the export read."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from domain.forms.answers import as_text
from domain.forms.definitions import Audience, Form
from domain.forms.rules import Expected
from domain.membership.roles import Role
from storage.db import Database
from storage.models import Cadre, FormAnswer, FormPublicMark, FormRespondent, Member, Unit
from storage.models.base import anonymous_row_id
from storage.stats.files import Cell


class Filed(StrEnum):
    OK = "ok"
    ALREADY = "already"  # this person (or this public mark) has answered this period


@dataclass(frozen=True)
class Submission:
    form: Form
    period: str
    unit_id: int
    answers: dict[str, Any]
    today: date
    now: datetime
    late: bool
    member_id: int | None = None  # a named audience's member (kept on the answer only if
    # the form keeps identities)
    public_mark: str | None = None  # the public's once-only mark


async def submit(db: Database, sub: Submission) -> Filed:
    """Store an answer in one transaction with the record that it was given (respondent row
    or public mark); a second answer of the same person for the same period finds that record
    and stores nothing."""
    keeps = sub.form.keeps_identity
    async with db.session() as session:
        if sub.member_id is not None:
            session.add(
                FormRespondent(
                    form_key=sub.form.key,
                    period=sub.period,
                    member_id=sub.member_id,
                    unit_id=sub.unit_id,
                    answered_on=sub.today if keeps else None,
                    late=sub.late if keeps else False,
                )
            )
        if sub.public_mark is not None:
            session.add(FormPublicMark(mark=sub.public_mark))
        session.add(
            FormAnswer(
                id=None if keeps else anonymous_row_id(),
                form_key=sub.form.key,
                period=sub.period,
                unit_id=sub.unit_id,
                member_id=sub.member_id if keeps else None,
                submitted_on=sub.today,
                submitted_at=sub.now if keeps else None,
                late=sub.late if keeps else False,
                answers=json.dumps(sub.answers, ensure_ascii=False, sort_keys=True),
            )
        )
        try:
            await session.commit()
        except IntegrityError:
            await session.rollback()
            return Filed.ALREADY
    return Filed.OK


async def has_answered(
    db: Database, *, form_key: str, period: str, member_id: int, unit_id: int
) -> bool:
    async with db.session() as session:
        found = await session.exec(
            select(FormRespondent.id).where(
                FormRespondent.form_key == form_key,
                FormRespondent.period == period,
                FormRespondent.member_id == member_id,
                FormRespondent.unit_id == unit_id,
            )
        )
        return found.first() is not None


async def has_mark(db: Database, mark: str) -> bool:
    async with db.session() as session:
        return await session.get(FormPublicMark, mark) is not None


async def is_cadre(db: Database, member_id: int) -> bool:
    async with db.session() as session:
        return await session.get(Cadre, member_id) is not None


async def rated_units(db: Database, *, form_key: str, period: str, member_id: int) -> set[int]:
    """The units a monitor has already rated in this period."""
    async with db.session() as session:
        found = await session.exec(
            select(FormRespondent.unit_id).where(
                FormRespondent.form_key == form_key,
                FormRespondent.period == period,
                FormRespondent.member_id == member_id,
            )
        )
        return set(found.all())


async def units_of_kinds(db: Database, kinds: Sequence[str]) -> list[Unit]:
    """Units of these kinds (all units when none), by code."""
    async with db.session() as session:
        query = select(Unit).order_by(Unit.code)
        if kinds:
            query = query.where(col(Unit.kind).in_(list(kinds)))
        return list((await session.exec(query)).all())


async def expected(db: Database, form: Form, unit_id: int | None = None) -> list[Expected]:
    """The active members who should answer a named form (optionally of one unit), by unit."""
    if not form.named:
        return []
    async with db.session() as session:
        query = (
            select(Member.id, Member.unit_id, Unit.name)
            .join(Unit, col(Unit.id) == col(Member.unit_id))
            .where(col(Member.active).is_(True))
            .order_by(col(Unit.code), col(Member.id))
        )
        match form.audience:
            case Audience.UNIT_HEADS:
                query = query.where(Member.role == Role.UNIT_HEAD.value)
            case Audience.MEMBERS:
                if form.roles:
                    query = query.where(col(Member.role).in_(list(form.roles)))
            case Audience.CADRES:
                query = query.join(Cadre, col(Cadre.member_id) == col(Member.id))
            case Audience.MONITORS:
                query = query.where(Member.role == Role.MONITOR.value)
        if form.unit_kinds and form.audience is not Audience.MONITORS:
            query = query.where(col(Unit.kind).in_(list(form.unit_kinds)))
        if unit_id is not None:
            query = query.where(Member.unit_id == unit_id)
        rows = (await session.exec(query)).all()
    return [Expected(member_id=m, unit_id=u, unit_name=n) for m, u, n in rows if m is not None]


async def answered_members(db: Database, *, form_key: str, period: str) -> frozenset[int]:
    async with db.session() as session:
        found = await session.exec(
            select(FormRespondent.member_id).where(
                FormRespondent.form_key == form_key, FormRespondent.period == period
            )
        )
        return frozenset(found.all())


async def member_names(db: Database, ids: Iterable[int]) -> dict[int, str]:
    wanted = list(set(ids))
    if not wanted:
        return {}
    async with db.session() as session:
        found = await session.exec(
            select(Member.id, Member.display_name).where(col(Member.id).in_(wanted))
        )
        return {i: n for i, n in found.all() if i is not None}


@dataclass(frozen=True)
class AnswerRow:
    unit_id: int
    unit_code: str
    unit_name: str
    period: str
    submitted_on: date
    late: bool
    author: str | None  # only for forms that keep identities
    answers: dict[str, Any]


async def answer_rows(
    db: Database, *, form_key: str, period: str | None = None, unit_id: int | None = None
) -> list[AnswerRow]:
    """The answers of a form (one period, one unit), by unit then day; an anonymous answer's
    rows come without author, in no particular order within a day."""
    async with db.session() as session:
        query = (
            select(FormAnswer, Unit.code, Unit.name, Member.display_name)
            .join(Unit, col(Unit.id) == col(FormAnswer.unit_id))
            .outerjoin(Member, col(Member.id) == col(FormAnswer.member_id))
            .where(FormAnswer.form_key == form_key)
            .order_by(
                col(Unit.code),
                col(FormAnswer.period),
                col(FormAnswer.submitted_on),
                col(FormAnswer.answers),
            )
        )
        if period is not None:
            query = query.where(FormAnswer.period == period)
        if unit_id is not None:
            query = query.where(FormAnswer.unit_id == unit_id)
        rows = (await session.exec(query)).all()
    return [
        AnswerRow(
            unit_id=a.unit_id,
            unit_code=code,
            unit_name=name,
            period=a.period,
            submitted_on=a.submitted_on,
            late=a.late,
            author=author,
            answers=json.loads(a.answers),
        )
        for a, code, name, author in rows
    ]


def export_table(
    form: Form, rows: Sequence[AnswerRow]
) -> tuple[list[tuple[str, int]], list[list[Cell]]]:
    """The office's columns (Chinese headers) and one row per answer. An anonymous form's rows
    have no author and no time, only the day, in no particular order within a day."""
    columns: list[tuple[str, int]] = [("序号", 6), ("单位", 18), ("周期", 10), ("提交日期", 12)]
    if form.keeps_identity:
        columns += [("填报人", 10), ("逾期", 6)]
    columns += [(q.text.zh[:30], 24) for q in form.questions]
    values: list[list[Cell]] = []
    for number, row in enumerate(rows, start=1):
        line: list[Cell] = [number, row.unit_name, row.period, row.submitted_on]
        if form.keeps_identity:
            line += [row.author or "", "是" if row.late else ""]
        line += [as_text(q, row.answers.get(q.key), "zh_CN") for q in form.questions]
        values.append(line)
    return columns, values
