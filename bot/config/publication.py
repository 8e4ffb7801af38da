"""The `[publication]` config section: the channel where the honour roll (荣誉榜) and the
exposure board (曝光台) are published. Without it, admins can draft and preview but not
publish."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, StrictInt


class PublicationConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    # The channel's chat id (-100…); the bot must be an administrator allowed to post and
    # delete messages there.
    channel: StrictInt | None = None
