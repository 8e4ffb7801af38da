"""The `[[forms]]` config: forms and evaluations (定期报送、问卷、评议) with their questions,
audience, dates, repeat, reminder ladder and rating weight, validated into
`domain.forms.definitions` at start-up; each problem names its key
(`forms[1].questions[2].show_if.question (the 2nd form, the 3rd question): …`)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictBool, StrictInt
from pydantic.functional_validators import model_validator
from pydantic.types import StringConstraints

from bot.config.campaign import ConfigModel, Day, Loc, LocatedProblems, Slug, duplicate_keys
from domain.forms import definitions as d
from domain.membership.units import UnitKind

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
Prose = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=600)]
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
KindName = Literal[
    "single", "multiple", "scale", "short_text", "long_text", "number", "date", "file"
]
AudienceName = Literal["unit_heads", "members", "cadres", "monitors", "public"]
RoleName = Literal["member", "unit_head", "handler"]
UnitKindName = Literal["bureau", "section", "district", "school", "culture", "other"]
# The start payload `form-<key>-<unit id>` must fit Telegram's 64 characters.
PUBLIC_KEY_MAX = 40


class OptionConfig(ConfigModel):
    key: Slug
    label: Label
    label_en: Label | None = None


class ConditionConfig(ConfigModel):
    question: Slug
    equals: Slug


class QuestionConfig(ConfigModel):
    key: Slug
    type: KindName
    text: Prose
    text_en: Prose | None = None
    required: StrictBool = True
    options: tuple[OptionConfig, ...] = ()
    scale: Literal[5, 10] = 5
    max_chars: Annotated[StrictInt, Field(ge=1, le=3000)] | None = None
    show_if: ConditionConfig | None = None

    @model_validator(mode="after")
    def _options(self) -> QuestionConfig:
        problems: list[tuple[Loc, str]] = []
        if self.type in ("single", "multiple"):
            if len(self.options) < 2:
                problems.append((("options",), "a choice needs at least 2 options"))
            if len(self.options) > 12:
                problems.append((("options",), "at most 12 options (buttons)"))
            problems += duplicate_keys("options", self.options, at=("options",))
        elif self.options:
            problems.append((("options",), "only single and multiple choices have options"))
        if problems:
            raise LocatedProblems(problems)
        return self

    def build(self) -> d.Question:
        long = self.type == "long_text"
        return d.Question(
            key=self.key,
            kind=d.Kind(self.type),
            text=d.Text(self.text, self.text_en),
            required=self.required,
            options=tuple(d.Option(o.key, d.Text(o.label, o.label_en)) for o in self.options),
            scale_max=self.scale,
            max_chars=self.max_chars or (2000 if long else 200),
            show_if=d.Condition(self.show_if.question, self.show_if.equals)
            if self.show_if
            else None,
        )


class FormConfig(ConfigModel):
    key: Slug
    title: Title
    title_en: Title | None = None
    purpose: Prose | None = None
    purpose_en: Prose | None = None
    audience: AudienceName
    roles: tuple[RoleName, ...] = ()
    unit_kinds: tuple[UnitKindName, ...] = ()
    anonymous: StrictBool = False
    opens: Day
    closes: Day
    repeat: Literal["once", "weekly", "monthly", "phase"] = "once"
    due_day: Annotated[StrictInt, Field(ge=0, le=31)] = 0
    ladder: tuple[Annotated[StrictInt, Field(ge=0, le=60)], ...] = (3, 1, 0)
    rating: Literal["satisfaction", "conduct", "special"] | None = None
    weight: Annotated[float, Field(ge=0, le=1)] = 0.0
    questions: tuple[QuestionConfig, ...]

    @model_validator(mode="after")
    def _coherent(self) -> FormConfig:
        problems: list[tuple[Loc, str]] = []
        if self.closes < self.opens:
            problems.append((("closes",), "before opens"))
        if not self.questions:
            problems.append((("questions",), "needs at least one question"))
        problems += duplicate_keys("questions", self.questions, at=("questions",))
        if self.audience == "public" and not self.anonymous:
            problems.append((("anonymous",), "a public form is always anonymous: set it to true"))
        if self.audience == "public" and len(self.key) > PUBLIC_KEY_MAX:
            why = f"a public form's key has at most {PUBLIC_KEY_MAX} characters (its link)"
            problems.append((("key",), why))
        if self.roles and self.audience != "members":
            problems.append((("roles",), 'only for audience = "members"'))
        if self.repeat == "weekly" and self.due_day > 6:
            problems.append((("due_day",), "a weekly form's due day is a weekday 0-6 (Monday 0)"))
        if self.rating is not None and not any(q.type == "scale" for q in self.questions):
            problems.append((("rating",), "needs at least one scale question to score"))
        if self.weight and self.rating is None:
            problems.append((("weight",), "only with a rating"))
        seen: dict[str, QuestionConfig] = {}
        for index, question in enumerate(self.questions):
            cond = question.show_if
            if cond is not None:
                earlier = seen.get(cond.question)
                where: Loc = ("questions", index, "show_if")
                if earlier is None:
                    problems.append(((*where, "question"), "names no earlier question"))
                elif earlier.type not in ("single", "multiple"):
                    problems.append(((*where, "question"), "must be a single or multiple choice"))
                elif all(o.key != cond.equals for o in earlier.options):
                    problems.append(((*where, "equals"), "is not an option of that question"))
            seen[question.key] = question
        if problems:
            raise LocatedProblems(problems)
        return self

    def build(self) -> d.Form:
        return d.Form(
            key=self.key,
            title=d.Text(self.title, self.title_en),
            purpose=d.Text(self.purpose, self.purpose_en) if self.purpose else None,
            audience=d.Audience(self.audience),
            questions=tuple(q.build() for q in self.questions),
            opens=self.opens,
            closes=self.closes,
            anonymous=self.anonymous,
            repeat=d.Repeat(self.repeat),
            due_day=self.due_day,
            roles=self.roles,
            unit_kinds=tuple(UnitKind(k).value for k in self.unit_kinds),
            ladder=tuple(sorted(set(self.ladder), reverse=True)),
            rating=d.Rating(self.rating) if self.rating else None,
            weight=self.weight,
        )


def forms_problems(forms: tuple[FormConfig, ...]) -> list[tuple[Loc, str]]:
    problems = duplicate_keys("forms", forms)
    total: dict[str, float] = {}
    for form in forms:
        if form.rating is not None:
            total[form.rating] = total.get(form.rating, 0.0) + form.weight
    if sum(total.values()) > 1.0 + 1e-9:
        problems.append(((), "the rating weights of all forms add up to more than 1"))
    return problems


def catalog(forms: tuple[FormConfig, ...]) -> d.FormCatalog:
    return d.FormCatalog(tuple(f.build() for f in forms))
