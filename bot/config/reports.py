"""The `[reports]` section of the config: limits of the `/report` conversation."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictInt, field_validator

from domain.cases.reports import DEFAULT_ALLOWED_MIME, EvidenceRules

# Telegram lets bots download files up to 20 MB: a larger file could never be read by staff.
TELEGRAM_DOWNLOAD_MB = 20


class ReportsConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    max_evidence_files: Annotated[StrictInt, Field(ge=0, le=20)] = 5
    max_file_mb: Annotated[StrictInt, Field(ge=1, le=TELEGRAM_DOWNLOAD_MB)] = TELEGRAM_DOWNLOAD_MB
    occurred_max_chars: Annotated[StrictInt, Field(ge=20, le=500)] = 200
    allowed_mime_types: tuple[str, ...] = DEFAULT_ALLOWED_MIME

    @field_validator("allowed_mime_types")
    @classmethod
    def _mime_shape(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        cleaned = tuple(v.strip().lower() for v in value)
        for mime in cleaned:
            if "/" not in mime or " " in mime:
                raise ValueError(f"not a MIME type like application/pdf: {mime!r}")
        return cleaned

    def evidence_rules(self) -> EvidenceRules:
        return EvidenceRules(
            max_files=self.max_evidence_files,
            max_bytes=self.max_file_mb * 1024 * 1024,
            allowed_mime=self.allowed_mime_types,
        )
