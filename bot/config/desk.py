"""The `[desk]` config section: how the staff desk works. `private_notes`: a section's
(股室) internal notes on a case are read only by that section's handlers and administrators."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, StrictBool


class DeskConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    private_notes: StrictBool = False
