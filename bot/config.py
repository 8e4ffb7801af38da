"""Config schema and loader: a TOML file (path or env BOT_CONFIG), token from env BOT_TOKEN.

Errors are one line per problem, ``dotted.key[idx]: reason``; the token is never echoed.
"""

from __future__ import annotations

import os
import re
import tomllib
import zoneinfo
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from itertools import pairwise
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, SecretStr, StrictInt, ValidationError
from pydantic.functional_validators import BeforeValidator, field_validator, model_validator
from pydantic.types import StringConstraints

ENV_CONFIG = "BOT_CONFIG"
ENV_TOKEN = "BOT_TOKEN"
_TOKEN_REQUIRED = f"required (set it in the file or in env {ENV_TOKEN})"
SLUG_PATTERN = r"^[a-z0-9_]{1,32}$"
STORAGE_SCHEMES = ("sqlite+aiosqlite://", "postgresql+asyncpg://")
Language = Literal["zh_CN", "en"]
Audience = Literal["unit_heads", "members", "handlers", "all"]
_T = TypeVar("_T")
_Loc = tuple[str | int, ...]
_K = TypeVar("_K", bound="_Keyed")


class ConfigError(Exception):
    """Invalid or unreadable configuration; ``str()`` gives one line per problem."""

    def __init__(self, problems: Iterable[str], *, source: str | None = None) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        self.source = source
        super().__init__("\n".join(self.problems))


class _Problems(ValueError):
    """Raised by model validators: problems located relative to the validated model."""

    def __init__(self, items: list[tuple[_Loc, str]]) -> None:
        self.items = items
        super().__init__("; ".join(f"{_dotted(loc)}: {msg}" for loc, msg in items))


def _parse_date(value: object) -> object:
    if isinstance(value, datetime):
        raise ValueError("must be a date like 2027-02-14, not a date and time")
    if isinstance(value, date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError("not a real calendar date") from None
    raise ValueError("must be a date like 2027-02-14")


Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
Day = Annotated[date, BeforeValidator(_parse_date)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Hint = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=400)]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)


def _pick(language: str, zh: _T, en: _T | None) -> _T:
    return en if language == "en" and en else zh


def _find(entries: Iterable[_K], key: str) -> _K:
    for entry in entries:
        if entry.key == key:
            return entry
    raise KeyError(key)


class _Keyed(_Model):
    key: Slug
    name: Name
    name_en: Name | None = None

    def name_for(self, language: str) -> str:
        """``name_en`` when ``language`` is "en" and it is set, else the Chinese ``name``."""
        return _pick(language, self.name, self.name_en)


class TelegramConfig(_Model):
    token: SecretStr
    base_url: str = "https://api.telegram.org/bot"
    base_file_url: str = "https://api.telegram.org/file/bot"
    username: Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_]{3,31}$")] | None = None

    @field_validator("token")
    @classmethod
    def _token_shape(cls, value: SecretStr) -> SecretStr:
        raw = value.get_secret_value().strip()
        if not raw:
            raise ValueError(_TOKEN_REQUIRED)
        return SecretStr(raw)

    @field_validator("base_url", "base_file_url")
    @classmethod
    def _url_shape(cls, value: str) -> str:
        # The value is never echoed back: people paste the token into these by mistake.
        value = value.strip()
        if not value.startswith(("https://", "http://")):
            raise ValueError("must start with https:// or http://")
        if not value.endswith("/bot"):
            raise ValueError("must end with '/bot' (the token is appended to it)")
        return value

    @property
    def token_is_placeholder(self) -> bool:
        """True while the token is still the example's ``REPLACE-ME`` placeholder."""
        return "REPLACE-ME" in self.token.get_secret_value()


class StorageConfig(_Model):
    url: str = Field(default="sqlite+aiosqlite:///data/bot.db", repr=False)

    @field_validator("url")
    @classmethod
    def _scheme(cls, value: str) -> str:
        value = value.strip()
        if not value.startswith(STORAGE_SCHEMES):
            raise ValueError("must start with " + " or ".join(STORAGE_SCHEMES))
        return value

    def __repr_args__(self) -> Iterable[tuple[str | None, Any]]:
        # Hide a database password: scheme://user:secret@host -> scheme://user:***@host
        yield "url", re.sub(r"(://[^/:@]*:)[^/@]*@", r"\1***@", self.url)


class Phase(_Keyed):
    start: Day
    end: Day
    description: LongText | None = None
    description_en: LongText | None = None

    @model_validator(mode="after")
    def _dates(self) -> Phase:
        if self.end < self.start:
            raise _Problems([(("end",), "before start")])
        return self

    def description_for(self, language: str) -> str | None:
        return _pick(language, self.description, self.description_en)


class Deadline(_Keyed):
    due: Day
    audience: Audience


class Campaign(_Model):
    name: Name
    name_en: Name | None = None
    timezone: str = "Asia/Shanghai"
    language: Language = "zh_CN"
    phases: tuple[Phase, ...]
    deadlines: tuple[Deadline, ...] = ()

    @field_validator("phases")
    @classmethod
    def _ordered_phases(cls, value: tuple[Phase, ...]) -> tuple[Phase, ...]:
        if not value:
            raise ValueError("needs at least one phase")
        problems = _duplicates("phases", value)
        for i, (prev, cur) in enumerate(pairwise(value), 1):
            if cur.start < prev.start:
                why = f"before phase {prev.key!r} (phases must be in date order)"
                problems.append(((i, "start"), why))
            elif cur.start <= prev.end:
                problems.append(((i, "start"), f"overlaps phase {prev.key!r}"))
        if problems:
            raise _Problems(problems)
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            if not zoneinfo.available_timezones():
                raise ValueError("no time zone database found (pip install tzdata)") from None
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @model_validator(mode="after")
    def _check_deadlines(self) -> Campaign:
        first, last = self.start, self.end
        problems = _duplicates("deadlines", self.deadlines, ("deadlines",))
        for i, deadline in enumerate(self.deadlines):
            if not first <= deadline.due <= last:
                why = f"outside the campaign ({first.isoformat()} to {last.isoformat()})"
                problems.append((("deadlines", i, "due"), why))
        if problems:
            raise _Problems(problems)
        return self

    def name_for(self, language: str) -> str:
        return _pick(language, self.name, self.name_en)

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def start(self) -> date:
        return min(p.start for p in self.phases)

    @property
    def end(self) -> date:
        return max(p.end for p in self.phases)

    def phase(self, key: str) -> Phase:
        return _find(self.phases, key)

    def deadline(self, key: str) -> Deadline:
        return _find(self.deadlines, key)

    def phase_on(self, day: date) -> Phase | None:
        """The phase running on ``day`` (a datetime is first converted to campaign time)."""
        if isinstance(day, datetime):
            day = day.astimezone(self.tz).date() if day.tzinfo else day.date()
        return next((p for p in self.phases if p.start <= day <= p.end), None)


class Category(_Keyed):
    description: Hint
    description_en: Hint | None = None
    items: tuple[Hint, ...] = ()
    items_en: tuple[Hint, ...] | None = None

    @model_validator(mode="after")
    def _items_match(self) -> Category:
        if self.items_en is not None and len(self.items_en) != len(self.items):
            why = f"has {len(self.items_en)} entries but items has {len(self.items)}"
            raise _Problems([(("items_en",), why)])
        return self

    def description_for(self, language: str) -> str:
        return _pick(language, self.description, self.description_en)

    def items_for(self, language: str) -> tuple[str, ...]:
        return _pick(language, self.items, self.items_en)


class AccessConfig(_Model):
    admins: tuple[Annotated[StrictInt, Field(ge=1)], ...] = ()
    staff_chat: StrictInt | None = None


class InvitesConfig(_Model):
    ttl_days: Annotated[StrictInt, Field(ge=1, le=365)] = 14
    max_uses: Annotated[StrictInt, Field(ge=1, le=10000)] = 1


class LimitsConfig(_Model):
    text_max_chars: Annotated[StrictInt, Field(ge=50, le=4000)] = 2000
    name_max_chars: Annotated[StrictInt, Field(ge=8, le=256)] = 64


class Config(_Model):
    telegram: TelegramConfig
    storage: StorageConfig = StorageConfig()
    campaign: Campaign
    categories: tuple[Category, ...]
    access: AccessConfig = AccessConfig()
    invites: InvitesConfig = InvitesConfig()
    limits: LimitsConfig = LimitsConfig()

    @field_validator("categories")
    @classmethod
    def _categories(cls, value: tuple[Category, ...]) -> tuple[Category, ...]:
        if not value:
            raise ValueError("needs at least one category")
        problems = _duplicates("categories", value)
        if all(c.key != "other" for c in value):
            problems.append(((), "needs a category with key 'other'"))
        if problems:
            raise _Problems(problems)
        return value

    def category(self, key: str) -> Category:
        return _find(self.categories, key)

    def phase_on(self, day: date) -> Phase | None:
        return self.campaign.phase_on(day)


def _duplicates(field: str, entries: Iterable[_Keyed], at: _Loc = ()) -> list[tuple[_Loc, str]]:
    seen: dict[str, int] = {}
    found: list[tuple[_Loc, str]] = []
    for i, entry in enumerate(entries):
        if entry.key in seen:
            why = f"duplicate key {entry.key!r} (also {field}[{seen[entry.key]}])"
            found.append(((*at, i, "key"), why))
        seen.setdefault(entry.key, i)
    return found


def _dotted(loc: Iterable[str | int]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


_REASONS = {
    "extra_forbidden": "unknown key",
    "model_type": "must be a table",
    "tuple_type": "must be a list",
    "string_type": "must be text (in quotes)",
    "int_type": "must be a whole number",
    "literal_error": "must be one of {expected}",
    "string_pattern_mismatch": "must be 1-32 characters of a-z, 0-9 and _",
    "string_too_short": "must not be empty",
    "string_too_long": "too long: at most {max_length} characters",
    "greater_than_equal": "must be at least {ge}",
    "less_than_equal": "must be at most {le}",
}


def _problems_of(exc: ValidationError) -> list[str]:
    """Turn pydantic errors into ``dotted.key[idx]: reason`` lines, never echoing input."""
    lines: list[str] = []
    for err in exc.errors():
        loc, kind, ctx = tuple(err["loc"]), err["type"], err.get("ctx") or {}
        cause = ctx.get("error")
        if isinstance(cause, _Problems):
            lines += [f"{_dotted(loc + sub)}: {msg}" for sub, msg in cause.items]
            continue
        if kind == "missing":
            reason = _TOKEN_REQUIRED if loc == ("telegram", "token") else "required"
        elif kind in ("value_error", "assertion_error") and cause is not None:
            reason = str(cause)
        elif kind in _REASONS:
            reason = _REASONS[kind].format(**ctx)
        else:
            reason = err["msg"][:1].lower() + err["msg"][1:]
        lines.append(f"{_dotted(loc) or '(top level)'}: {reason}")
    return lines


def config_from_dict(data: Mapping[str, Any], *, env: Mapping[str, str] | None = None) -> Config:
    """Validate parsed TOML data; env BOT_TOKEN overrides the token (``env=None``: os.environ)."""
    env = os.environ if env is None else env
    merged = dict(data)
    telegram = merged.get("telegram", {})
    if isinstance(telegram, Mapping):
        telegram = dict(telegram)
        if env.get(ENV_TOKEN, "").strip():
            telegram["token"] = env[ENV_TOKEN].strip()
        merged["telegram"] = telegram
    try:
        return Config.model_validate(merged)
    except ValidationError as exc:
        raise ConfigError(_problems_of(exc)) from None


def load_config(path: str | Path | None = None, *, env: Mapping[str, str] | None = None) -> Config:
    """Read and validate the TOML file at ``path`` (else env BOT_CONFIG)."""
    env = os.environ if env is None else env
    path = path or env.get(ENV_CONFIG, "").strip()
    if not path:
        raise ConfigError([f"no config file: pass --config PATH or set {ENV_CONFIG}"])
    name = str(path)
    try:
        text = Path(path).expanduser().read_bytes().decode("utf-8")
    except OSError as exc:
        raise ConfigError([f"{name}: cannot read: {exc.strerror or exc}"], source=name) from None
    except UnicodeDecodeError as exc:
        why = f"{name}: not UTF-8 text (bad byte at offset {exc.start}); save it as UTF-8"
        raise ConfigError([why], source=name) from None
    try:
        data = tomllib.loads(text.removeprefix("\ufeff"))  # tolerate a Windows BOM
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        found = re.search(r"\(at line (\d+), column (\d+)\)$", msg)
        if found:
            base = msg[: found.start()].rstrip()
            msg = f"line {found[1]}: {base} (column {found[2]})"
        elif "end of document" in msg:
            msg = f"line {max(len(text.splitlines()), 1)}: {msg}"
        raise ConfigError([f"{name}: {msg}"], source=name) from None
    try:
        return config_from_dict(data, env=env)
    except ConfigError as exc:
        raise ConfigError(exc.problems, source=name) from None
