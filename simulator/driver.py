"""The user side of the simulator: what users say and press, and waiting for what the bot
answers.  :class:`BotApiSimulator` is the object tests and the demo use."""

from __future__ import annotations

import asyncio
import copy
import secrets
import time
from collections.abc import Callable

from simulator.api.methods_messages import store_photo
from simulator.common import JsonDict
from simulator.content import detect_entities
from simulator.media import guess_mime, image_size
from simulator.models import SimChat, SimMessage, SimUser
from simulator.state import ChatRef, UserRef
from simulator.transcript import render
from simulator.world import SimulatorWorld


class BotApiSimulator(SimulatorWorld):
    """A local fake of the Telegram Bot API plus a driver playing the users.

    >>> sim = BotApiSimulator(token="123456:TEST", bot_username="rectify_bot", bot_name="整改助手")
    >>> await sim.start()   # then point python-telegram-bot at sim.base_url / sim.base_file_url
    """

    def __init__(
        self,
        token: str = "123456:TEST",
        *,
        bot_id: int | None = None,
        bot_username: str = "test_bot",
        bot_name: str = "Test Bot",
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Callable[[], float] = time.monotonic,
        privacy_mode: bool = True,
    ) -> None:
        super().__init__(
            token,
            bot_id=bot_id,
            bot_username=bot_username,
            bot_name=bot_name,
            host=host,
            port=port,
            clock=clock,
            privacy_mode=privacy_mode,
        )
        self._read: dict[int, int] = {}
        self._seen_edits: dict[tuple[int, int], int] = {}
        self._chat_edits: dict[int, int] = {}

    # -- what users do ----------------------------------------------------------------------

    def _where(self, user: SimUser, chat: ChatRef | None) -> SimChat:
        target = self.state.chat(user.id if chat is None else chat)
        if target.private and target.id != user.id:
            raise AssertionError(f"{user.name} cannot write in {target.name}'s private chat")
        if target.migrated_to is not None:
            raise AssertionError(f"{target.name!r} became supergroup {target.migrated_to}")
        return target

    def _delivers(self, chat: SimChat, msg: SimMessage) -> bool:
        """Whether the bot gets this message (privacy mode applies to non-admin bots)."""
        st = self.state
        if chat.private:
            return True
        if not chat.bot_member:
            return False
        if not st.privacy_mode or chat.bot_is_admin:
            return True
        text = msg.text
        mention = f"@{st.bot.username}".lower()
        if text.startswith("/"):
            target = text.split()[0].partition("@")[2]
            return not target or f"@{target}".lower() == mention
        reply = msg.raw.get("reply_to_message") or {}
        if (reply.get("from") or {}).get("id") == st.bot.id:
            return True
        return mention in text.lower()

    async def _user_says(
        self,
        user: UserRef,
        chat: ChatRef | None,
        content: JsonDict,
        reply_to: SimMessage | int | None = None,
    ) -> JsonDict:
        st = self.state
        person = st.user(user)
        target = self._where(person, chat)
        if target.private:
            person.started, person.blocked = True, False
        else:
            target.members.add(person.id)
        replied: SimMessage | None = None
        if isinstance(reply_to, SimMessage):
            replied = reply_to
        elif reply_to is not None:
            replied = st.find_message(target.id, reply_to)
            if replied is None:
                raise AssertionError(f"no message {reply_to} in {target.name!r} to reply to")
        msg = st.store_message(target, person, content, reply_to=replied)
        if self._delivers(target, msg):
            st.updates.push("message", copy.deepcopy(msg.raw))
        await asyncio.sleep(0)
        return msg.raw

    async def send_text(
        self,
        user: UserRef,
        text: str,
        chat: ChatRef | None = None,
        *,
        reply_to: SimMessage | int | None = None,
    ) -> JsonDict:
        """``user`` writes ``text`` (``chat=None``: in their private chat with the bot).

        Bot commands in the text get ``bot_command`` entities, as Telegram adds them.
        Returns the stored ``Message`` dict.
        """
        content: JsonDict = {"text": text}
        entities = detect_entities(text)
        if entities:
            content["entities"] = entities
        return await self._user_says(user, chat, content, reply_to)

    async def send_command(
        self,
        user: UserRef,
        command: str,
        args: str = "",
        chat: ChatRef | None = None,
        *,
        mention_bot: bool = False,
    ) -> JsonDict:
        """``/command args``; ``mention_bot`` writes ``/command@bot_username`` (group form)."""
        command = command if command.startswith("/") else f"/{command}"
        if mention_bot and "@" not in command:
            command += f"@{self.state.bot.username}"
        text = f"{command} {args}" if args else command
        return await self.send_text(user, text, chat)

    def _caption(self, caption: str | None) -> JsonDict:
        if not caption:
            return {}
        content: JsonDict = {"caption": caption}
        entities = detect_entities(caption)
        if entities:
            content["caption_entities"] = entities
        return content

    async def send_photo(
        self,
        user: UserRef,
        data: bytes,
        caption: str | None = None,
        chat: ChatRef | None = None,
    ) -> JsonDict:
        """``user`` sends a photo (bytes need not be a real image; 800×600 is assumed then)."""
        sizes = store_photo(self.state, data, image_size(data) or (800, 600))
        return await self._user_says(user, chat, {"photo": sizes, **self._caption(caption)})

    async def send_document(
        self,
        user: UserRef,
        data: bytes,
        filename: str = "document",
        mime_type: str | None = None,
        caption: str | None = None,
        chat: ChatRef | None = None,
    ) -> JsonDict:
        """``user`` sends a file; the bot can ``getFile`` and download it."""
        mime = guess_mime(filename, mime_type)
        stored = self.state.register_file(data, "document", mime_type=mime, file_name=filename)
        document: JsonDict = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": filename,
            "mime_type": mime,
            "file_size": stored.size,
        }
        return await self._user_says(user, chat, {"document": document, **self._caption(caption)})

    async def press_button(self, user: UserRef, text: str, chat: ChatRef | None = None) -> str:
        """Press the inline button labelled ``text`` on the latest bot message having it.

        Queues a ``callback_query`` update and returns its id.
        """
        st = self.state
        person = st.user(user)
        target = self._where(person, chat)
        live = [m for m in st.bot_messages(target.id) if not m.deleted]
        for msg in reversed(live):
            button = msg.button(text)
            if button is not None:
                break
        else:
            shown = [f"#{m.message_id}: {m.buttons}" for m in live if m.buttons][-5:]
            raise AssertionError(
                f"no inline button {text!r} in {target.name!r}; visible buttons: "
                + ("; ".join(shown) or "none")
            )
        if button.get("callback_data") is None:
            raise AssertionError(f"button {text!r} is not a callback button: {button}")
        if not target.private:
            target.members.add(person.id)
        query_id = str(secrets.randbits(62))
        st.callback_queries[query_id] = False
        st.callback_chats[query_id] = target.id
        st.log(target.id, "press", person.name, text, from_bot=False, message_id=msg.message_id)
        query: JsonDict = {
            "id": query_id,
            "from": person.to_dict(),
            "message": copy.deepcopy(msg.raw),
            "chat_instance": target.chat_instance,
            "data": button["callback_data"],
        }
        st.updates.push("callback_query", query)
        await asyncio.sleep(0)
        return query_id

    # -- what the bot did -------------------------------------------------------------------

    def _report(self, chat: SimChat, what: str, timeout: float) -> str:
        recent = self.state.lines
        lines = [line for line in recent if line.chat_id == chat.id][-6:]
        log = render(lines) or "(nothing)"
        errors = [f"{c.method} → {c.status} {c.description}" for c in self.state.errors[-3:]]
        out = f"{what} in {chat.name!r} ({chat.id}) within {timeout}s. Last in that chat:\n"
        out += log
        if errors:
            out += "\nRecent error answers: " + "; ".join(errors)
        if self.state.violations:
            out += "\nViolations: " + "; ".join(self.state.violations[-3:])
        return out

    async def next_message(
        self,
        chat: ChatRef,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> SimMessage:
        """The next bot message in ``chat`` not yet returned (a per-chat read cursor)."""
        target = self.state.chat(chat)
        cursor = self._read.get(target.id, 0)
        arrived = await self.state.signal.wait_for(
            lambda: len(self.state.bot_messages(target.id)) > cursor, timeout
        )
        if not arrived:
            raise TimeoutError(self._report(target, "no new bot message", timeout))
        self._read[target.id] = cursor + 1
        return self.state.bot_messages(target.id)[cursor]

    async def wait_edit(
        self,
        message: SimMessage | int | SimChat | SimUser,
        chat: ChatRef | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> SimMessage:
        """Wait for the next edit not yet waited for; returns the edited message.

        ``wait_edit(message_id, chat)`` or ``wait_edit(bot_message)`` follow one message;
        ``wait_edit(chat)`` follows every bot message of the chat (a per-chat edit cursor,
        which also moves the followed message's own cursor).
        """
        if isinstance(message, SimChat | SimUser):
            return await self._wait_chat_edit(self.state.chat(message), timeout)
        if isinstance(message, SimMessage):
            msg = message
        else:
            if chat is None:
                raise TypeError("wait_edit(message_id, chat): the chat is needed with an id")
            msg = self._message(self.state.chat(chat).id, message)
        key = (msg.chat_id, msg.message_id)
        seen = self._seen_edits.get(key, 0)
        if not await self.state.signal.wait_for(lambda: msg.edits > seen, timeout):
            what = f"message #{msg.message_id} was not edited"
            raise TimeoutError(self._report(self.state.chat(msg.chat_id), what, timeout))
        self._seen_edits[key] = seen + 1
        return msg

    def _message(self, chat_id: int, message_id: int) -> SimMessage:
        for msg in self.state.messages.get(chat_id, []):
            if msg.message_id == message_id:
                return msg
        raise AssertionError(f"no message {message_id} in chat {chat_id}")

    def _edit_lines(self, chat_id: int) -> list[int]:
        """Message ids of the chat's edits, in order."""
        lines = self.state.lines
        return [ln.message_id or 0 for ln in lines if ln.chat_id == chat_id and ln.kind == "edit"]

    async def _wait_chat_edit(self, chat: SimChat, seconds: float) -> SimMessage:
        seen = self._chat_edits.get(chat.id, 0)
        edited = await self.state.signal.wait_for(
            lambda: len(self._edit_lines(chat.id)) > seen, seconds
        )
        if not edited:
            raise TimeoutError(self._report(chat, "no bot message was edited", seconds))
        edits = self._edit_lines(chat.id)
        self._chat_edits[chat.id] = seen + 1
        message_id = edits[seen]
        key = (chat.id, message_id)
        nth = edits[: seen + 1].count(message_id)
        self._seen_edits[key] = max(self._seen_edits.get(key, 0), nth)
        return self._message(chat.id, message_id)

    async def drain(self, chat: ChatRef) -> None:
        """Mark every current bot message (and edit) in ``chat`` as read."""
        target = self.state.chat(chat)
        mine = self.state.bot_messages(target.id)
        self._read[target.id] = len(mine)
        self._chat_edits[target.id] = len(self._edit_lines(target.id))
        for msg in mine:
            self._seen_edits[(msg.chat_id, msg.message_id)] = msg.edits
        await asyncio.sleep(0)

    async def wait_confirmed(
        self,
        timeout: float = 5.0,  # noqa: ASYNC109
        *,
        settle: float = 0.05,
    ) -> None:
        """Wait until every queued update was confirmed (polling offset or webhook 2xx),
        no API call is in flight and none came for ``settle`` seconds (the bot is idle)."""
        st = self.state
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            done = await st.signal.wait_for(
                lambda: not st.updates.pending and st.in_flight == 0,
                max(0.0, deadline - loop.time()),
            )
            if not done:
                raise TimeoutError(
                    f"{len(st.updates.pending)} update(s) still unconfirmed and "
                    f"{st.in_flight} call(s) in flight after {timeout}s"
                )
            quiet = loop.time() - st.last_activity
            if quiet >= settle:
                return
            await asyncio.sleep(min(settle - quiet, max(0.0, deadline - loop.time())))
