"""The bot object of the Application: python-telegram-bot's `ExtBot`, minus the parameters its
`Defaults` put into calls whose Bot API method has no such parameter.

`Defaults(parse_mode=HTML)` reaches every call that goes through `Bot._send_message`, and
editMessageReplyMarkup does (it shares the helper with the text edits) although the method
takes no `parse_mode`. Telegram ignores it today; a stricter server, or a self-hosted one, may
not, and the simulator refuses it like any unknown parameter (tests/e2e/test_spec_record.py).
"""

from __future__ import annotations

from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram._utils.types import JSONDict, ODVInput
from telegram.ext import ExtBot

# Method -> the parameters python-telegram-bot adds to it that the Bot API does not define.
NOT_IN_SPEC = {"editMessageReplyMarkup": ("parse_mode",)}


class SpecBot(ExtBot[None]):
    """`ExtBot` whose calls carry only parameters their method defines."""

    async def _do_post(
        self,
        endpoint: str,
        data: JSONDict,
        *,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
    ) -> bool | JSONDict | list[JSONDict]:
        for name in NOT_IN_SPEC.get(endpoint, ()):
            data.pop(name, None)
        return await super()._do_post(
            endpoint,
            data,
            read_timeout=read_timeout,
            write_timeout=write_timeout,
            connect_timeout=connect_timeout,
            pool_timeout=pool_timeout,
        )
