"""The bot object of the Application: python-telegram-bot's `ExtBot`, minus the parameters its
`Defaults` put into calls whose Bot API method has no such parameter.

`Defaults(parse_mode=HTML)` reaches every call that goes through `Bot._send_message`, and
editMessageReplyMarkup does (it shares the helper with the text edits) although the method
takes no `parse_mode`. Telegram ignores it today; a stricter server, or a self-hosted one, may
not, and the simulator refuses it like any unknown parameter (tests/e2e/test_spec_record.py).

Every call also passes through `handlers.ui.limits.fit_call`: a text or caption past
Telegram's limit goes out as pages instead of being refused ("message is too long"), whichever
view built it. The cuts are limits.py's; this is only where they are applied to every send.
"""

from __future__ import annotations

from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram._utils.types import JSONDict, ODVInput
from telegram.ext import ExtBot

from handlers.ui.limits import fit_call

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
        timeouts: dict[str, ODVInput[float]] = {
            "read_timeout": read_timeout,
            "write_timeout": write_timeout,
            "connect_timeout": connect_timeout,
            "pool_timeout": pool_timeout,
        }
        fitted = fit_call(endpoint, data)
        if fitted is None:
            return await super()._do_post(endpoint, data, **timeouts)
        for page in fitted.before:
            await super()._do_post("sendMessage", page, **timeouts)
        result = await super()._do_post(endpoint, fitted.call, **timeouts)
        for page in fitted.after:
            await super()._do_post("sendMessage", page, **timeouts)
        return result
