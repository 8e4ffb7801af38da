"""People and chats of the simulated Telegram, and read-only views of what happened."""

from __future__ import annotations

import copy
from collections.abc import Mapping

from simulator.api.server import SimulatorServer
from simulator.common import JsonDict
from simulator.models import SimChat, SimMessage, SimUser
from simulator.state import ChatRef, UserRef
from simulator.transcript import TranscriptLine, render


class SimulatorWorld(SimulatorServer):
    """The server plus who exists; :class:`BotApiSimulator` adds what users do."""

    # -- people and chats -------------------------------------------------------------------

    def add_user(
        self,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
        *,
        user_id: int | None = None,
    ) -> SimUser:
        """A new user (ids count up from 1001 unless ``user_id`` is given) with a private
        chat the bot cannot use until the user writes to it."""
        return self.state.add_user(
            first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
            user_id=user_id,
        )

    def add_group(
        self,
        title: str,
        *,
        supergroup: bool = False,
        username: str | None = None,
        bot_is_admin: bool = True,
    ) -> SimChat:
        """A group the bot is in (as administrator unless told otherwise)."""
        chat = self.state.add_group(title, supergroup=supergroup, username=username)
        chat.bot_is_admin = bot_is_admin
        return chat

    def add_channel(
        self, title: str, *, username: str | None = None, bot_is_admin: bool = True
    ) -> SimChat:
        """A channel with the bot in it (as an administrator that may post, unless told
        otherwise); its posts have ``sender_chat`` instead of ``from``."""
        chat = self.state.add_channel(title, username=username)
        chat.bot_is_admin = bot_is_admin
        return chat

    def private_chat(self, user: UserRef) -> SimChat:
        return self.state.chat(self.state.user(user).id)

    def chat(self, ref: ChatRef) -> SimChat:
        return self.state.chat(ref)

    def user(self, ref: UserRef) -> SimUser:
        return self.state.user(ref)

    def block_bot(self, user: UserRef) -> None:
        """The user blocks the bot: sends to them answer 403 until they write again."""
        self.state.user(user).blocked = True

    def unblock_bot(self, user: UserRef) -> None:
        self.state.user(user).blocked = False

    def set_chat_admin(self, chat: ChatRef, user: UserRef, *, creator: bool = False) -> None:
        """Make ``user`` the group's creator or an administrator (for ``getChatMember``)."""
        group, person = self.state.chat(chat), self.state.user(user)
        group.members.add(person.id)
        group.admins[person.id] = "creator" if creator else "administrator"

    def migrate_group(self, group: ChatRef) -> int:
        """Upgrade a basic group to a supergroup; returns the new chat id.

        Like Telegram, both chats get a service message (``migrate_to_chat_id`` /
        ``migrate_from_chat_id``) and sends to the old id answer 400 with
        ``parameters.migrate_to_chat_id``.
        """
        st = self.state
        old = st.chat(group)
        if old.type != "group":
            raise AssertionError(f"only basic groups migrate; {old.name!r} is a {old.type}")
        new = SimChat(
            id=st.new_group_id(True),
            type="supergroup",
            title=old.title,
            members=set(old.members),
            admins=dict(old.admins),
            bot_member=old.bot_member,
            bot_is_admin=old.bot_is_admin,
        )
        st.chats[new.id] = new
        actors = [st.users[i] for i, role in old.admins.items() if role == "creator"]
        actors += [st.users[i] for i in sorted(old.members)]
        if actors:
            for chat, content in (
                (old, {"migrate_to_chat_id": new.id}),
                (new, {"migrate_from_chat_id": old.id}),
            ):
                msg = st.store_message(chat, actors[0], content)
                if chat.bot_member:
                    st.updates.push("message", copy.deepcopy(msg.raw))
        old.migrated_to = new.id
        return new.id

    def bot_messages(self, chat: ChatRef) -> list[SimMessage]:
        """The bot's messages in ``chat``, in order (deleted ones flagged, not removed)."""
        return self.state.bot_messages(self.state.chat(chat).id)

    def messages(self, chat: ChatRef) -> list[SimMessage]:
        """Every message in ``chat``, the users' and the bot's."""
        return list(self.state.messages.get(self.state.chat(chat).id, []))

    @property
    def updates(self) -> list[JsonDict]:
        """Every update queued so far (confirmed or not), in order."""
        return self.state.updates.history

    def commands(
        self, language_code: str | None = None, scope: str = "default"
    ) -> list[tuple[str, str]]:
        """The commands set for exactly this scope and language (``[]`` if none).

        ``scope`` is a ``BotCommandScope`` type; chat scopes are written
        ``"chat:<chat_id>"``, ``"chat_administrators:<chat_id>"``,
        ``"chat_member:<chat_id>:<user_id>"``.
        """
        return list(self.state.commands.get((scope, language_code or ""), []))

    def menu_of(self, chat: ChatRef, language_code: str | None = None) -> list[str]:
        """The command names Telegram would show in ``chat`` to an app in ``language_code``:
        the most specific scope set wins (this chat, then all private chats or all groups,
        then the default), each first with the language, then without.
        """
        sim_chat = self.state.chat(chat)
        kind = "all_private_chats" if sim_chat.type == "private" else "all_group_chats"
        lang = (language_code or "")[:2]
        for scope in (f"chat:{sim_chat.id}", kind, "default"):
            for code in ([lang] if lang else []) + [""]:
                found = self.state.commands.get((scope, code))
                if found is not None:
                    return [command for command, _ in found]
        return []

    def narrate(self, text: str) -> None:
        """Add a narration line (e.g. a scene title) to the transcript of all chats."""
        self.state.narrate(text)

    def transcript(self, chat: ChatRef | None = None) -> list[TranscriptLine]:
        """Everything that happened, in order, in one chat or in all chats (the latter
        with narration lines)."""
        if chat is None:
            return list(self.state.lines)
        chat_id = self.state.chat(chat).id
        return [line for line in self.state.lines if line.chat_id == chat_id]

    def render_transcript(
        self, chat: ChatRef | None = None, labels: Mapping[str, str] | None = None
    ) -> str:
        """The transcript as a readable chat log (``labels``: e.g. ``LABELS_ZH``)."""
        return render(self.transcript(chat), labels)
