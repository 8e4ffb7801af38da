"""Config schema and loader: a TOML file (path or env BOT_CONFIG), token from env BOT_TOKEN.

Errors are one line per problem, ``dotted.key[idx] (the 2nd phase): reason`` (indexes count
from 0 as in the dotted key, the words beside it from 1); the token is never echoed.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from datetime import date
from itertools import pairwise
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, StrictInt, ValidationError
from pydantic.functional_validators import field_validator, model_validator

from bot.config.accountability import AccountabilityConfig
from bot.config.campaign import (
    Campaign,
    Category,
    ConfigModel,
    Loc,
    LocatedProblems,
    Phase,
    dotted,
    duplicate_keys,
    find_key,
    ordinal,
)
from bot.config.checkin import CheckinConfig
from bot.config.desk import DeskConfig
from bot.config.forms import FormConfig, forms_problems
from bot.config.ha import HaConfig
from bot.config.hotline import HotlineConfig
from bot.config.ops import (
    LoggingConfig,
    Mode,
    OpsConfig,
    WebhookConfig,
    mode_problems,
    with_env_secret,
)
from bot.config.publication import PublicationConfig
from bot.config.reminders import RemindersConfig
from bot.config.reports import ReportsConfig
from bot.config.stats import BriefConfig, RatingConfig

ENV_CONFIG = "BOT_CONFIG"
ENV_TOKEN = "BOT_TOKEN"
_TOKEN_REQUIRED = f"required (set it in the file or in env {ENV_TOKEN})"
STORAGE_SCHEMES = ("sqlite+aiosqlite://", "postgresql+asyncpg://")


class ConfigError(Exception):
    """Invalid or unreadable configuration; ``str()`` gives one line per problem."""

    def __init__(self, problems: Iterable[str], *, source: str | None = None) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        self.source = source
        super().__init__("\n".join(self.problems))


class TelegramConfig(ConfigModel):
    token: SecretStr
    base_url: str = "https://api.telegram.org/bot"
    base_file_url: str = "https://api.telegram.org/file/bot"
    username: Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_]{3,31}$")] | None = None
    # An HTTP proxy for every call to the Bot API (python-telegram-bot's request proxy), e.g.
    # "http://127.0.0.1:7890". Unset: env HTTPS_PROXY / ALL_PROXY are honoured (httpx).
    proxy: str | None = Field(default=None, repr=False)
    # "polling" (default) or "webhook" (then [telegram.webhook] needs url and secret_token).
    mode: Mode = "polling"
    webhook: WebhookConfig | None = None
    # How fast the clock of Telegram's limits runs for the one pacer every message goes
    # through (bot/reminders/pacer.py): 1 against Telegram. Only a Bot API simulator whose
    # flood clock runs N times faster (the demo, the end-to-end tests) is given N.
    pace_speed: Annotated[float, Field(gt=0, le=1000)] = 1.0

    @model_validator(mode="after")
    def _mode(self) -> TelegramConfig:
        if problems := mode_problems(self.mode, self.webhook):
            raise LocatedProblems(problems)
        return self

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

    @field_validator("proxy")
    @classmethod
    def _proxy_shape(cls, value: str | None) -> str | None:
        # Never echoed back: a proxy URL may carry a password.
        if value is None or not value.strip():
            return None
        value = value.strip()
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https:// (an HTTP proxy)")
        return value

    @property
    def token_is_placeholder(self) -> bool:
        """True while the token is still the example's ``REPLACE-ME`` placeholder."""
        return "REPLACE-ME" in self.token.get_secret_value()


class FilesConfig(ConfigModel):
    """Where the bureau keeps its own copy of evidence files (`storage.files`): a local
    directory (default: `<database file>.files/` beside a SQLite database, else `data/files`),
    or an S3-compatible bucket. The S3 secret may come from env BOT_S3_SECRET_KEY."""

    store: Literal["local", "s3", "none"] = "local"
    dir: str | None = None
    s3_endpoint: str | None = None  # host[:port], e.g. "minio.internal:9000"
    s3_bucket: str | None = None
    s3_access_key: str | None = None
    s3_secret_key: SecretStr | None = Field(default=None, repr=False)
    s3_secure: bool = True
    s3_region: str | None = None
    sweep_seconds: Annotated[int, Field(ge=10, le=3600)] = 60

    @model_validator(mode="after")
    def _s3(self) -> FilesConfig:
        if self.store == "s3" and not (self.s3_endpoint and self.s3_bucket):
            raise ValueError("store = 's3' needs s3_endpoint and s3_bucket")
        return self


class StorageConfig(ConfigModel):
    url: str = Field(default="sqlite+aiosqlite:///data/bot.db", repr=False)
    # How long `run` waits at start for a PostgreSQL server it cannot reach before it exits
    # with an error naming the host (with `[ha] enabled` it waits as a standby instead).
    connect_wait_seconds: Annotated[float, Field(ge=0, le=3600)] = 60.0
    files: FilesConfig = FilesConfig()

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
        yield "connect_wait_seconds", self.connect_wait_seconds
        yield "files", self.files


class AccessConfig(ConfigModel):
    admins: tuple[Annotated[StrictInt, Field(ge=1)], ...] = ()
    staff_chat: StrictInt | None = None


class InvitesConfig(ConfigModel):
    ttl_days: Annotated[StrictInt, Field(ge=1, le=365)] = 14
    max_uses: Annotated[StrictInt, Field(ge=1, le=10000)] = 1


class LimitsConfig(ConfigModel):
    text_max_chars: Annotated[StrictInt, Field(ge=50, le=4000)] = 2000
    name_max_chars: Annotated[StrictInt, Field(ge=8, le=256)] = 64


class Config(ConfigModel):
    telegram: TelegramConfig
    storage: StorageConfig = StorageConfig()
    campaign: Campaign
    categories: tuple[Category, ...]
    access: AccessConfig = AccessConfig()
    invites: InvitesConfig = InvitesConfig()
    limits: LimitsConfig = LimitsConfig()
    reports: ReportsConfig = ReportsConfig()
    hotline: HotlineConfig = HotlineConfig()
    reminders: RemindersConfig = RemindersConfig()
    rating: RatingConfig = RatingConfig()
    brief: BriefConfig = BriefConfig()
    checkin: CheckinConfig = CheckinConfig()
    publication: PublicationConfig = PublicationConfig()
    ops: OpsConfig = OpsConfig()
    desk: DeskConfig = DeskConfig()
    accountability: AccountabilityConfig = AccountabilityConfig()
    ha: HaConfig = HaConfig()
    logging: LoggingConfig = LoggingConfig()
    forms: tuple[FormConfig, ...] = ()

    @field_validator("forms")
    @classmethod
    def _forms(cls, value: tuple[FormConfig, ...]) -> tuple[FormConfig, ...]:
        if problems := forms_problems(value):
            raise LocatedProblems(problems)
        return value

    @field_validator("categories")
    @classmethod
    def _categories(cls, value: tuple[Category, ...]) -> tuple[Category, ...]:
        if not value:
            raise ValueError("needs at least one category")
        problems = duplicate_keys("categories", value)
        if all(c.key != "other" for c in value):
            problems.append(((), "needs a category with key 'other'"))
        if problems:
            raise LocatedProblems(problems)
        return value

    def category(self, key: str) -> Category:
        return find_key(self.categories, key)

    def phase_on(self, day: date) -> Phase | None:
        return self.campaign.phase_on(day)


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


def _singular(name: str) -> str:
    if name.endswith("ies"):
        return name[:-3] + "y"
    return name[:-1] if name.endswith("s") else f"{name} entry"


def where(loc: Loc) -> str:
    """``campaign.phases[1].end (the 2nd phase)``: the key as written in code, and the list
    positions counted as people count them (an operator reads [1] as the first)."""
    key = dotted(loc) or "(top level)"
    places = [
        f"{ordinal(part + 1)} {_singular(str(before))}"
        for before, part in pairwise(loc)
        if isinstance(part, int) and isinstance(before, str)
    ]
    return f"{key} (the {', '.join(places)})" if places else key


_CURLY_QUOTES = "“”‘’＂＇"


def _toml_hint(text: str, line: int | None) -> str:
    """A hint for the mistake a Chinese input method makes: curly or full-width quotes."""
    lines = text.splitlines()
    shown = lines[line - 1] if line is not None and 0 < line <= len(lines) else ""
    found = sorted({c for c in shown if c in _CURLY_QUOTES})
    if not found:
        return ""
    return (
        f"; the line has Chinese quotation marks {' '.join(found)}: TOML needs straight "
        'quotes, "like this" (switch the input method to half-width punctuation)'
    )


def _problems_of(exc: ValidationError) -> list[str]:
    """Turn pydantic errors into ``dotted.key[idx] (the …): reason`` lines, never echoing
    input."""
    lines: list[str] = []
    for err in exc.errors():
        loc, kind, ctx = tuple(err["loc"]), err["type"], err.get("ctx") or {}
        cause = ctx.get("error")
        if isinstance(cause, LocatedProblems):
            lines += [f"{where(loc + sub)}: {msg}" for sub, msg in cause.items]
            continue
        if kind == "missing":
            reason = _TOKEN_REQUIRED if loc == ("telegram", "token") else "required"
        elif kind in ("value_error", "assertion_error") and cause is not None:
            reason = str(cause)
        elif kind in _REASONS:
            reason = _REASONS[kind].format(**ctx)
        else:
            reason = err["msg"][:1].lower() + err["msg"][1:]
        lines.append(f"{where(loc)}: {reason}")
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
        with_env_secret(telegram, env)
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
        line: int | None = None
        if found:
            base = msg[: found.start()].rstrip()
            line = int(found[1])
            msg = f"line {line}: {base} (column {found[2]})"
        elif "end of document" in msg:
            line = max(len(text.splitlines()), 1)
            msg = f"line {line}: {msg}"
        msg += _toml_hint(text, line)
        raise ConfigError([f"{name}: {msg}"], source=name) from None
    try:
        return config_from_dict(data, env=env)
    except ConfigError as exc:
        raise ConfigError(exc.problems, source=name) from None
