"""Run-mode and operations config: `[telegram] mode`, the `[telegram.webhook]` table, the
`[ops]` section (where `/healthz` and `/metrics` are served in polling mode) and `[logging]`."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, StrictInt, field_validator

ENV_WEBHOOK_SECRET = "BOT_WEBHOOK_SECRET"
Mode = Literal["polling", "webhook"]
MIN_SECRET_CHARS = 16  # Telegram accepts 1; anything short can be guessed
Loc = tuple[str | int, ...]

# Telegram's rule for setWebhook's secret_token: 1-256 characters of A-Z, a-z, 0-9, _ and -.
_SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")
_LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
Port = Annotated[StrictInt, Field(ge=1, le=65535)]


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)


class WebhookConfig(_Section):
    # Where our own HTTP server listens (behind the TLS reverse proxy).
    listen: str = "127.0.0.1"
    port: Port = 8081
    # The public HTTPS URL Telegram posts to (the proxy forwards it to listen:port).
    url: str | None = None
    # The local path that accepts updates; by default the path of `url`.
    path: str | None = None
    # Every request must carry it in X-Telegram-Bot-Api-Secret-Token. Env BOT_WEBHOOK_SECRET
    # overrides it. Required in webhook mode.
    secret_token: SecretStr | None = None
    max_connections: Annotated[StrictInt, Field(ge=1, le=100)] = 40

    @field_validator("url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip()
        parts = urlsplit(value)
        local = parts.hostname in _LOCAL_HOSTS
        if not parts.hostname or not (
            parts.scheme == "https" or (parts.scheme == "http" and local)
        ):
            raise ValueError("must be an https:// URL (Telegram posts only over HTTPS)")
        if parts.query or parts.fragment:
            raise ValueError("must not have a query or fragment")
        return value

    @field_validator("path")
    @classmethod
    def _path(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"/[A-Za-z0-9_./-]*", value):
            raise ValueError("must start with '/' and use only A-Z a-z 0-9 _ . / -")
        return value

    @field_validator("secret_token")
    @classmethod
    def _secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        raw = value.get_secret_value().strip()
        if not _SECRET_RE.fullmatch(raw):
            raise ValueError("must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return SecretStr(raw)

    @property
    def local_path(self) -> str:
        """The path our server answers updates on."""
        if self.path:
            return self.path
        return (urlsplit(self.url).path if self.url else "") or "/"

    @property
    def secret(self) -> str:
        assert self.secret_token is not None, "validated: required in webhook mode"
        return self.secret_token.get_secret_value()


class OpsConfig(_Section):
    # `/healthz` and `/metrics` on listen:port (off while `port` is not set). In webhook
    # mode they are also served beside the webhook.
    listen: str = "127.0.0.1"
    port: Port | None = None
    # How long `/healthz` waits for the database's `SELECT 1`.
    db_timeout_seconds: Annotated[float, Field(gt=0, le=30)] = 2.0


class LoggingConfig(_Section):
    # DEBUG, INFO, WARNING, ERROR or CRITICAL; env LOG_LEVEL and `--log-level` override it.
    # Update contents stay out of the log at every level (bot/ops/log_privacy.py).
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    # "text": one line per record; "json": one JSON object per line (for a log shipper).
    format: Literal["text", "json"] = "text"

    @field_validator("level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value


def mode_problems(mode: Mode, webhook: WebhookConfig | None) -> list[tuple[Loc, str]]:
    """What webhook mode still lacks (located relative to `[telegram]`)."""
    if mode != "webhook":
        return []
    why = 'required when mode = "webhook"'
    if webhook is None:
        return [(("webhook",), f"{why} (a [telegram.webhook] table with url and secret_token)")]
    problems: list[tuple[Loc, str]] = []
    if webhook.url is None:
        problems.append((("webhook", "url"), why))
    secret = webhook.secret_token.get_secret_value() if webhook.secret_token else None
    where: Loc = ("webhook", "secret_token")
    if secret is None:
        problems.append((where, f"{why} (or set env {ENV_WEBHOOK_SECRET})"))
    elif "REPLACE-ME" in secret:
        problems.append((where, "still the example's placeholder: make up a long random one"))
    elif len(secret) < MIN_SECRET_CHARS:
        problems.append((where, f"too short: at least {MIN_SECRET_CHARS} characters"))
    return problems


def with_env_secret(telegram: dict[str, object], env: Mapping[str, str] | None = None) -> None:
    """Env BOT_WEBHOOK_SECRET overrides `[telegram.webhook] secret_token` (in place)."""
    source = os.environ if env is None else env
    secret = source.get(ENV_WEBHOOK_SECRET, "").strip()
    if not secret:
        return
    webhook = telegram.get("webhook")
    table = dict(webhook) if isinstance(webhook, Mapping) else {}
    if webhook is not None and not isinstance(webhook, Mapping):
        return  # leave the type error to validation
    table["secret_token"] = secret
    telegram["webhook"] = table
