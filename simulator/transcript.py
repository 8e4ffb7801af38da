"""A chronological, human-readable log of what happened in the simulated chats."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

LABELS_EN: dict[str, str] = {
    "buttons": "[buttons]",
    "keyboard": "[keyboard]",
    "edited": "(edited)",
    "deleted": "(deleted message #{message_id})",
    "pressed": "pressed",
    "notice": "(notice)",
    "alert": "(alert)",
    "photo": "[photo]",
    "document": "[document]",
    "private": "private",
    "service": "(service)",
    "narration": "\n== {text} ==",
}
LABELS_ZH: dict[str, str] = {
    "buttons": "[按钮]",
    "keyboard": "[键盘]",
    "edited": "（已编辑）",
    "deleted": "（删除了消息 #{message_id}）",
    "pressed": "点击了",
    "notice": "（提示）",
    "alert": "（弹窗）",
    "photo": "[图片]",
    "document": "[文件]",
    "private": "私聊",
    "service": "（系统消息）",
    "narration": "\n== {text} ==",
}

KINDS = ("message", "edit", "delete", "press", "answer", "service", "narration")


@dataclass(frozen=True)
class TranscriptLine:
    """One event in a chat.

    ``kind``: ``"message"`` (a user's or the bot's message), ``"edit"`` (the bot edited a
    message; ``text`` is the new text), ``"delete"``, ``"press"`` (a user pressed the
    inline button ``text``), ``"answer"`` (the bot's callback answer; ``alert`` tells a
    pop-up from a notice), ``"service"`` or ``"narration"`` (``sim.narrate()``; chat id 0).
    """

    seq: int
    chat_id: int
    chat_name: str
    private: bool
    kind: str
    sender: str
    from_bot: bool
    text: str
    message_id: int | None = None
    buttons: tuple[tuple[str, ...], ...] = ()
    keyboard: tuple[tuple[str, ...], ...] = ()
    attachment: str | None = None
    """``"photo"`` or ``"document: <file name>"``."""
    alert: bool = False


def _chat_label(line: TranscriptLine, labels: Mapping[str, str]) -> str:
    if line.private:
        return f"[{labels['private']} · {line.chat_name}]"
    return f"[{line.chat_name}]"


def _body(line: TranscriptLine, labels: Mapping[str, str]) -> str:
    parts: list[str] = []
    if line.attachment == "photo":
        parts.append(labels["photo"])
    elif line.attachment is not None:
        name = line.attachment.partition(": ")[2]
        parts.append(f"{labels['document']} {name}".rstrip())
    if line.text:
        parts.append(line.text)
    return " ".join(parts)


def render_line(line: TranscriptLine, labels: Mapping[str, str] | None = None) -> str:
    """One event as text; continuation lines and button rows are indented by 4 spaces."""
    lab = {**LABELS_EN, **(labels or {})}
    if line.kind == "narration":
        return lab["narration"].format(text=line.text)
    head = f"{_chat_label(line, lab)} {line.sender}"
    if line.kind == "press":
        out = f"{head} {lab['pressed']} [{line.text}]"
    elif line.kind == "delete":
        out = f"{head} {lab['deleted'].format(message_id=line.message_id)}"
    elif line.kind == "answer":
        out = f"{head} {lab['alert'] if line.alert else lab['notice']}: {line.text}"
    else:
        marker = {"edit": f" {lab['edited']}", "service": f" {lab['service']}"}.get(line.kind, "")
        out = f"{head}{marker}: {_body(line, lab)}"
    out = out.replace("\n", "\n    ")
    for row in line.buttons:
        out += f"\n    {lab['buttons']} " + " | ".join(row)
    for row in line.keyboard:
        out += f"\n    {lab['keyboard']} " + " | ".join(row)
    return "\n".join(part.rstrip() for part in out.split("\n"))


def render(lines: Iterable[TranscriptLine], labels: Mapping[str, str] | None = None) -> str:
    """The whole log, one event per line (plus indented continuation lines)."""
    return "\n".join(render_line(line, labels) for line in lines).lstrip("\n")
