"""Forms' pure rules and config: errors named by key, periods, conditions, typed answers, the
reminder ladder around a holiday, the public's once-only mark and the scores per unit."""

from __future__ import annotations

import tomllib
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.config import ConfigError, config_from_dict
from bot.demo.stage import EXAMPLE_CONFIG
from domain.forms import answers
from domain.forms.definitions import (
    Audience,
    Condition,
    Form,
    Kind,
    Option,
    Question,
    Repeat,
    Text,
)
from domain.forms.rules import (
    Expected,
    FormFacts,
    form_reminders,
    parse_public_payload,
    period_of,
    public_mark,
    public_payload,
    unit_scores,
    weighted,
)
from domain.reminders.calendar import WorkCalendar
from domain.reminders.due import STAFF, Rule
from domain.reminders.timing import Policy

TZ = ZoneInfo("Asia/Shanghai")


def _data() -> dict[str, object]:
    return tomllib.loads(EXAMPLE_CONFIG.read_text(encoding="utf-8"))


def _problems(change: object) -> list[str]:
    data = _data()
    forms = data["forms"]
    assert isinstance(forms, list)
    change(forms)  # type: ignore[operator]
    with pytest.raises(ConfigError) as caught:
        config_from_dict(data, env={"BOT_TOKEN": "1:A"})
    return list(caught.value.problems)


def test_the_example_forms_load() -> None:
    config = config_from_dict(_data(), env={"BOT_TOKEN": "1:A"})
    assert [f.key for f in config.forms] == [
        "monthly_progress",
        "self_check",
        "parent_satisfaction",
        "conduct_review",
    ]


def test_form_config_errors_are_named_by_key() -> None:
    def bad_condition(forms: list[dict[str, object]]) -> None:
        questions = forms[0]["questions"]
        assert isinstance(questions, list)
        questions[2]["show_if"] = {"question": "on_track", "equals": "maybe"}

    assert _problems(bad_condition) == [
        "forms[0].questions[2].show_if.equals (the 1st form, 3rd question): is not an "
        "option of that question"
    ]

    def public_not_anonymous(forms: list[dict[str, object]]) -> None:
        forms[2]["anonymous"] = False

    assert _problems(public_not_anonymous) == [
        "forms[2].anonymous (the 3rd form): a public form is always anonymous: set it to true"
    ]

    def dates(forms: list[dict[str, object]]) -> None:
        forms[1]["closes"] = "2027-01-01"

    assert _problems(dates) == ["forms[1].closes (the 2nd form): before opens"]

    def duplicate(forms: list[dict[str, object]]) -> None:
        forms[1]["key"] = "monthly_progress"

    assert _problems(duplicate)[0].startswith("forms[1].key (the 2nd form): duplicate key")

    def unknown_type(forms: list[dict[str, object]]) -> None:
        questions = forms[0]["questions"]
        assert isinstance(questions, list)
        questions[0]["type"] = "slider"

    assert _problems(unknown_type)[0].startswith(
        "forms[0].questions[0].type (the 1st form, 1st question): must be one of"
    )


YES_NO = (Option("yes", Text("是")), Option("no", Text("否")))
FORM = Form(
    key="monthly",
    title=Text("月报"),
    audience=Audience.UNIT_HEADS,
    questions=(
        Question("n", Kind.NUMBER, Text("数")),
        Question("ok", Kind.SINGLE, Text("好吗"), options=YES_NO),
        Question("why", Kind.LONG_TEXT, Text("原因"), show_if=Condition("ok", "no")),
        Question("score", Kind.SCALE, Text("分"), scale_max=5),
    ),
    opens=date(2027, 3, 1),
    closes=date(2027, 12, 31),
    repeat=Repeat.MONTHLY,
    due_day=25,
    ladder=(3, 1, 0),
)


def test_conditions_and_typed_answers() -> None:
    assert answers.next_question(FORM, {"ok": "yes"}, "ok").key == "score"  # type: ignore[union-attr]
    assert answers.next_question(FORM, {"ok": "no"}, "ok").key == "why"  # type: ignore[union-attr]
    assert answers.kept(FORM, {"n": 1, "ok": "yes", "why": "x"}) == {"n": 1, "ok": "yes"}
    assert [q.key for q in answers.missing(FORM, {"n": 1, "ok": "no"})] == ["why", "score"]
    assert answers.read_number("１２") == 12 and answers.read_number("3.5") == 3.5
    assert answers.read_number("十二") is answers.Problem.NOT_A_NUMBER
    assert answers.read_date("3月15日", date(2027, 6, 1)) == "2027-03-15"
    assert answers.read_date("2027-02-30", date(2027, 6, 1)) is answers.Problem.NO_SUCH_DAY
    assert answers.read_scale(FORM.questions[3], "6") is answers.Problem.OUT_OF_RANGE


def test_periods() -> None:
    march = period_of(FORM, date(2027, 3, 28), None)  # type: ignore[arg-type]
    assert march is not None and (march.key, march.due, march.last) == (
        "2027-03",
        date(2027, 3, 25),
        date(2027, 3, 31),
    )
    assert period_of(FORM, date(2027, 2, 28), None) is None  # type: ignore[arg-type]


def _at(month: int, day: int, hour: int) -> datetime:
    return datetime(2027, month, day, hour - 8, tzinfo=UTC)


def test_the_ladder_moves_off_a_holiday_and_reaches_only_those_missing() -> None:
    # April 2027: due Sunday 25th; the step on the due day moves to Friday 23rd; a holiday on
    # Thursday 22nd moves the "-3" step (the 22nd) to Wednesday 21st.
    april = period_of(FORM, date(2027, 4, 10), None)  # type: ignore[arg-type]
    assert april is not None
    cal = WorkCalendar(holidays=frozenset({date(2027, 4, 22)}))
    people = (Expected(1, 10, "一中"), Expected(2, 11, "二小"))
    facts = [FormFacts(FORM, april, people, answered=frozenset({1}))]
    policy = Policy(timezone=TZ)

    def due_on(month: int, day: int) -> list[tuple[str, str, str]]:
        found = form_reminders(facts, now=_at(month, day, 10), policy=policy, cal=cal, staff=True)
        return sorted((d.rule.value, d.recipient, d.slot) for d in found)

    assert due_on(4, 20) == []
    assert due_on(4, 21) == [("form_due", "member:2", "2027-04:-3")]
    assert due_on(4, 23) == [("form_due", "member:2", "2027-04:-0")]
    assert due_on(4, 26) == [
        ("form_due", "member:2", "2027-04:late"),
        ("form_missing", STAFF, "2027-04:late"),
    ]
    late = form_reminders(facts, now=_at(4, 26, 10), policy=policy, cal=cal, staff=True)
    missing = next(d for d in late if d.rule is Rule.FORM_MISSING)
    assert missing.payload["units"] == [["二小", 1]]


def test_public_links_and_marks() -> None:
    assert parse_public_payload(public_payload("parents", 12)) == ("parents", 12)
    assert parse_public_payload("form-parents-x") is None and parse_public_payload("abc") is None
    one = public_mark(b"p" * 32, "parents", "once", 12, 4242)
    assert one == public_mark(b"p" * 32, "parents", "once", 12, 4242)
    assert one != public_mark(b"q" * 32, "parents", "once", 12, 4242)
    assert "4242" not in one


def test_scores_per_unit_and_the_weighted_rating() -> None:
    scores = unit_scores(FORM, [(1, {"score": 5}), (1, {"score": 3}), (2, {"n": 4})])
    assert [(s.unit_id, s.answers, s.score) for s in scores] == [(1, 2, 75.0), (2, 1, None)]
    assert weighted(80.0, [(0.2, 50.0)]) == pytest.approx(74.0)
    assert weighted(None, [(0.2, 50.0)]) == 50.0


def test_a_due_day_at_the_end_of_a_period_is_listed_on_the_next_working_day() -> None:
    # Due Friday April 30th, the month's last working day; May 3rd a holiday: the missing list
    # goes to the staff chat on Tuesday May 4th (in May's period), never on the weekend, and
    # nobody is told to answer April's form late (May takes no answer for April).
    form = Form(
        key="monthly_end",
        title=Text("月末报"),
        audience=Audience.UNIT_HEADS,
        questions=(Question("n", Kind.NUMBER, Text("数")),),
        opens=date(2027, 3, 1),
        closes=date(2027, 12, 31),
        repeat=Repeat.MONTHLY,
        due_day=30,
        ladder=(0,),
    )
    april = period_of(form, date(2027, 4, 10), None)  # type: ignore[arg-type]
    assert april is not None and april.due == date(2027, 4, 30)
    cal = WorkCalendar(holidays=frozenset({date(2027, 5, 3)}))
    people = (Expected(1, 10, "一中"), Expected(2, 11, "二小"))
    facts = [FormFacts(form, april, people, answered=frozenset({1}))]
    policy = Policy(timezone=TZ)

    def due_on(month: int, day: int) -> list[tuple[str, str, str]]:
        found = form_reminders(facts, now=_at(month, day, 10), policy=policy, cal=cal, staff=True)
        return sorted((d.rule.value, d.recipient, d.slot) for d in found)

    assert due_on(4, 30) == [("form_due", "member:2", "2027-04:-0")]
    assert due_on(5, 1) == due_on(5, 3) == []
    assert due_on(5, 4) == [("form_missing", STAFF, "2027-04:late")]
    assert due_on(5, 5) == []
