"""simulator.api.spec: every Bot API call checked against the official spec (Bot API 10.1)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from telegram import (
    BotCommand,
    BotCommandScopeChat,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    InputMediaPhoto,
    InputMediaVideo,
    KeyboardButton,
    LinkPreviewOptions,
    MessageEntity,
    ReplyKeyboardMarkup,
    ReplyParameters,
)
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from simulator.api.spec import (
    DEFAULT_SPEC_PATH,
    ApiSpec,
    SpecError,
    UploadedFile,
    decode_params,
    known_method,
    load_spec,
    validate_call,
)

PHOTO = UploadedFile("cat.jpg", "image/jpeg", b"\xff\xd8\xff\xe0 not really a jpeg")
KEYBOARD = {"inline_keyboard": [[{"text": "Yes", "callback_data": "yes"}]]}


def ptb_wire(data: dict[str, object]) -> dict[str, object]:
    """The parameters exactly as python-telegram-bot 22 puts them on the wire.

    Bot._do_post wraps every value in a RequestParameter; the form fields are
    ``json_parameters`` (strings as they are, everything else JSON-encoded) and the
    multipart file parts are ``multipart_data``.
    """
    request = RequestData([RequestParameter.from_input(k, v) for k, v in data.items()])
    wire: dict[str, object] = dict(request.json_parameters)
    for name, (filename, content, mimetype) in request.multipart_data.items():
        assert isinstance(content, bytes)
        wire[name] = UploadedFile(filename or name, mimetype, content)
    return wire


# --------------------------------------------------------------------------- loading the spec


def test_load_spec_reads_the_bundled_bot_api_10_1() -> None:
    spec = load_spec()
    assert spec.version == "Bot API 10.1"
    assert len(spec.methods) == 180
    assert "sendMessage" in spec.methods and "InlineKeyboardMarkup" in spec.types
    chat_id = spec.methods["sendMessage"].field("chat_id")
    assert chat_id is not None and chat_id.types == ("Integer", "String") and chat_id.required


def test_load_spec_is_cached() -> None:
    assert load_spec() is load_spec()
    assert load_spec(DEFAULT_SPEC_PATH) is load_spec()


def test_a_missing_spec_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="not found"):
        load_spec(tmp_path / "nope.json")


@pytest.mark.parametrize(
    "content",
    [
        '{"version": "x", "methods": {}, "types": {}}',
        '{"version": "x", "types": {}}',
        '{"version": "x", "methods": {"getMe": {"name": "getMe"}}}',
        "[]",
        "not json",
    ],
)
def test_an_empty_or_malformed_spec_is_refused(tmp_path: Path, content: str) -> None:
    path = tmp_path / "spec.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SpecError):
        load_spec(path)


def test_a_custom_spec_can_be_passed(tmp_path: Path) -> None:
    path = tmp_path / "tiny.json"
    fields = [{"name": "x", "types": ["Integer"], "required": True, "description": ""}]
    path.write_text(
        json.dumps({"methods": {"doIt": {"name": "doIt", "fields": fields}}, "types": {}})
    )
    spec = load_spec(path)
    assert isinstance(spec, ApiSpec)
    assert validate_call("doit", {"x": "1"}, spec=spec) == []
    assert validate_call("doIt", {}, spec=spec) == ["missing required parameter 'x'"]
    assert validate_call("sendMessage", {}, spec=spec)[0].startswith("unknown method")
    assert known_method("DOIT", spec=spec) == "doIt"


def test_every_method_of_the_spec_can_be_checked() -> None:
    """No method crashes the checker, and an empty call only misses required parameters."""
    spec = load_spec()
    for name, method in spec.methods.items():
        required = {f"missing required parameter '{f.name}'" for f in method.fields if f.required}
        assert set(validate_call(name, {})) == required, name


def test_every_type_the_spec_mentions_is_defined() -> None:
    spec = load_spec()
    known = set(spec.types) | {"Integer", "Float", "Boolean", "String"}
    owners = [*spec.methods.values(), *spec.types.values()]
    for owner in owners:
        for field in owner.fields:
            for declared in field.types:
                assert declared.removeprefix("Array of ").removeprefix("Array of ") in known


# --------------------------------------------------------------------------- method names


@pytest.mark.parametrize("name", ["sendMessage", "sendmessage", "SENDMESSAGE", "SendMessage"])
def test_method_names_are_case_insensitive(name: str) -> None:
    assert known_method(name) == "sendMessage"
    assert validate_call(name, {"chat_id": "1", "text": "hi"}) == []
    assert decode_params(name, {"chat_id": "1"}) == {"chat_id": 1}


def test_an_unknown_method_is_reported_with_a_suggestion() -> None:
    assert known_method("sendMesage") is None
    assert validate_call("sendMesage", {"chat_id": "1"}) == [
        "unknown method 'sendMesage' (did you mean 'sendMessage'?)"
    ]
    assert validate_call("fooBarBaz", {}) == ["unknown method 'fooBarBaz'"]


def test_decode_params_refuses_an_unknown_method() -> None:
    with pytest.raises(ValueError, match="unknown method"):
        decode_params("sendMesage", {})


# --------------------------------------------------------------------------- PTB-encoded calls


def test_ptb_encodes_non_strings_as_json() -> None:
    wire = ptb_wire({"chat_id": 123, "text": "hi", "disable_notification": True, "x": 1.5})
    assert wire == {"chat_id": "123", "text": "hi", "disable_notification": "true", "x": "1.5"}


def test_a_ptb_send_message_with_an_inline_keyboard_is_valid() -> None:
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton("Report", callback_data="report:1")],
            [InlineKeyboardButton("Site", url="https://example.org")],
        ]
    )
    wire = ptb_wire(
        {
            "chat_id": 123456789,
            "text": "<b>Hello</b> 世界 😀",
            "parse_mode": "HTML",
            "reply_markup": keyboard,
            "disable_notification": True,
            "protect_content": False,
            "message_thread_id": 7,
            "reply_parameters": ReplyParameters(message_id=42, allow_sending_without_reply=True),
            "link_preview_options": LinkPreviewOptions(is_disabled=True),
        }
    )
    assert isinstance(wire["reply_markup"], str) and wire["reply_markup"].startswith("{")
    assert validate_call("sendMessage", wire) == []
    decoded = decode_params("sendMessage", wire)
    assert decoded["chat_id"] == 123456789
    assert decoded["disable_notification"] is True and decoded["protect_content"] is False
    assert decoded["message_thread_id"] == 7
    assert decoded["reply_markup"] == keyboard.to_dict()
    assert decoded["reply_parameters"] == {"message_id": 42, "allow_sending_without_reply": True}
    assert decoded["text"] == "<b>Hello</b> 世界 😀"


def test_ptb_reply_keyboards_and_entities_are_valid() -> None:
    reply = ReplyKeyboardMarkup([[KeyboardButton("A"), "B"]], resize_keyboard=True)
    entities = [MessageEntity(MessageEntity.BOLD, 0, 2), MessageEntity("text_link", 3, 1, url="x")]
    for markup in (reply, ForceReply(selective=True)):
        wire = ptb_wire(
            {"chat_id": 1, "text": "hi x", "reply_markup": markup, "entities": entities}
        )
        assert validate_call("sendMessage", wire) == []


def test_ptb_set_my_commands_with_a_chat_scope_is_valid() -> None:
    wire = ptb_wire(
        {
            "commands": [BotCommand("start", "Start"), BotCommand("report", "报告问题")],
            "scope": BotCommandScopeChat(chat_id=-1001234567890),
            "language_code": "zh",
        }
    )
    assert validate_call("setMyCommands", wire) == []
    assert decode_params("setMyCommands", wire)["scope"] == {
        "type": "chat",
        "chat_id": -1001234567890,
    }


# --------------------------------------------------------------------------- violations


def test_a_missing_chat_id() -> None:
    assert validate_call("sendMessage", {"text": "hi"}) == ["missing required parameter 'chat_id'"]
    assert validate_call("sendMessage", {"text": "hi", "chat_id": None}) == [
        "missing required parameter 'chat_id'"
    ]


def test_all_missing_parameters_are_reported() -> None:
    assert validate_call("sendMessage", {}) == [
        "missing required parameter 'chat_id'",
        "missing required parameter 'text'",
    ]


def test_an_unknown_parameter() -> None:
    errors = validate_call("sendMessage", {"chat_id": "1", "text": "hi", "colour": "red"})
    assert errors == ["unknown parameter 'colour'"]


def test_a_parameter_of_another_method_is_unknown() -> None:
    errors = validate_call("sendMessage", {"chat_id": "1", "text": "hi", "photo": "file-id"})
    assert errors == ["unknown parameter 'photo'"]


@pytest.mark.parametrize(
    ("params", "error"),
    [
        (
            {"disable_notification": "maybe"},
            'disable_notification: expected Boolean, got string "maybe"',
        ),
        ({"message_thread_id": "seven"}, 'message_thread_id: expected Integer, got string "seven"'),
        ({"message_thread_id": "7.5"}, 'message_thread_id: expected Integer, got string "7.5"'),
        ({"message_thread_id": True}, 'message_thread_id: expected Integer, got string "true"'),
        ({"chat_id": [1, 2]}, "chat_id: expected Integer or String, got array"),
        ({"text": {"a": 1}}, "text: expected String, got object"),
    ],
)
def test_a_wrong_type(params: dict[str, object], error: str) -> None:
    assert validate_call("sendMessage", {"chat_id": "1", "text": "hi", **params}) == [error]


def test_reply_markup_that_is_not_json() -> None:
    errors = validate_call("sendMessage", {"chat_id": "1", "text": "hi", "reply_markup": "{oops"})
    assert len(errors) == 1
    assert errors[0].startswith("reply_markup: can't parse JSON for InlineKeyboardMarkup or ")


def test_reply_markup_that_is_a_json_array() -> None:
    errors = validate_call("sendMessage", {"chat_id": "1", "text": "hi", "reply_markup": "[]"})
    assert errors == [
        "reply_markup: expected InlineKeyboardMarkup or ReplyKeyboardMarkup or "
        "ReplyKeyboardRemove or ForceReply, got array"
    ]


def _with_markup(markup: object) -> list[str]:
    return validate_call(
        "sendMessage", {"chat_id": "1", "text": "hi", "reply_markup": json.dumps(markup)}
    )


def test_a_nested_object_with_an_unknown_field() -> None:
    markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a", "colour": "red"}]]}
    assert _with_markup(markup) == [
        "reply_markup.inline_keyboard[0][0]: unknown field 'colour' in InlineKeyboardButton"
    ]


def test_a_nested_object_missing_a_required_field() -> None:
    markup = {"inline_keyboard": [[{"text": "A"}], [{"callback_data": "b"}]]}
    assert _with_markup(markup) == [
        "reply_markup.inline_keyboard[1][0]: missing required field 'text' in InlineKeyboardButton"
    ]


@pytest.mark.parametrize(
    ("markup", "error"),
    [
        (
            {"inline_keyboard": [[{"text": "A", "callback_data": 5}]]},
            "reply_markup.inline_keyboard[0][0].callback_data: expected String, got number 5",
        ),
        (
            {"inline_keyboard": [{"text": "A", "callback_data": "a"}]},
            "reply_markup.inline_keyboard[0]: expected Array of InlineKeyboardButton, got object",
        ),
        (
            {"keyboard": [[{"text": "A"}]], "resize_keyboard": "yes"},
            'reply_markup.resize_keyboard: expected Boolean, got string "yes"',
        ),
        (
            {"keyboard": [[{"text": "A"}]], "is_persistent": 1},
            "reply_markup.is_persistent: expected Boolean, got number 1",
        ),
        ({}, "reply_markup: missing required field 'inline_keyboard' in InlineKeyboardMarkup"),
    ],
)
def test_nested_type_errors(markup: object, error: str) -> None:
    assert _with_markup(markup) == [error]


def test_every_kind_of_reply_markup_is_accepted() -> None:
    assert (
        _with_markup({"keyboard": [[{"text": "A"}, {"text": "B", "request_contact": True}]]}) == []
    )
    assert _with_markup({"remove_keyboard": True}) == []
    assert _with_markup({"force_reply": True, "input_field_placeholder": "…"}) == []


def test_keyboard_buttons_must_be_objects() -> None:
    # Declared as Array of Array of KeyboardButton; PTB turns plain strings into objects.
    assert _with_markup({"keyboard": [["A"]]}) == [
        'reply_markup.keyboard[0][0]: expected KeyboardButton, got string "A"'
    ]


def test_nested_integers_and_floats_are_strict() -> None:
    base = {"chat_id": "1", "text": "hi"}
    good = {**base, "reply_parameters": json.dumps({"message_id": 5, "chat_id": "@chan"})}
    assert validate_call("sendMessage", good) == []
    bad = {**base, "reply_parameters": json.dumps({"message_id": "5"})}
    assert validate_call("sendMessage", bad) == [
        'reply_parameters.message_id: expected Integer, got string "5"'
    ]
    bool_id = {**base, "reply_parameters": json.dumps({"message_id": True})}
    assert validate_call("sendMessage", bool_id) == [
        "reply_parameters.message_id: expected Integer, got boolean true"
    ]


def test_arrays_of_primitives() -> None:
    assert validate_call("getUpdates", {"allowed_updates": '["message", "callback_query"]'}) == []
    assert validate_call("getUpdates", {"allowed_updates": "[1]"}) == [
        "allowed_updates[0]: expected String, got number 1"
    ]
    assert validate_call("getUpdates", {"allowed_updates": '"message"'}) == [
        'allowed_updates: expected Array of String, got string "message"'
    ]
    assert validate_call("deleteMessages", {"chat_id": "1", "message_ids": "[1, 2, 3]"}) == []
    errors = validate_call("deleteMessages", {"chat_id": "1", "message_ids": '[1, "2"]'})
    assert errors == ['message_ids[1]: expected Integer, got string "2"']


def test_floats() -> None:
    base = {"chat_id": "1", "longitude": "37.6"}
    assert validate_call("sendLocation", {**base, "latitude": "55.75"}) == []
    assert validate_call("sendLocation", {**base, "latitude": "55"}) == []
    assert validate_call("sendLocation", {**base, "latitude": "-1e-3"}) == []
    assert validate_call("sendLocation", {**base, "latitude": "north"}) == [
        'latitude: expected Float, got string "north"'
    ]
    assert decode_params("sendLocation", {**base, "latitude": "55"})["latitude"] == 55.0


@pytest.mark.parametrize("value", ["true", "false", "True", "FALSE", "1", "0", True, False])
def test_boolean_spellings(value: object) -> None:
    assert (
        validate_call("sendMessage", {"chat_id": "1", "text": "t", "protect_content": value}) == []
    )


# --------------------------------------------------------------------------- subtypes


def _commands(scope: object) -> list[str]:
    commands = json.dumps([{"command": "start", "description": "Start"}])
    return validate_call("setMyCommands", {"commands": commands, "scope": json.dumps(scope)})


def test_bot_command_scopes_are_picked_by_their_type() -> None:
    assert _commands({"type": "default"}) == []
    assert _commands({"type": "all_private_chats"}) == []
    assert _commands({"type": "chat", "chat_id": 5}) == []
    assert _commands({"type": "chat_member", "chat_id": "@group", "user_id": 7}) == []


def test_a_scope_missing_a_field_of_its_subtype() -> None:
    assert _commands({"type": "chat"}) == [
        "scope: missing required field 'chat_id' in BotCommandScopeChat"
    ]


def test_a_scope_with_a_field_its_subtype_lacks() -> None:
    assert _commands({"type": "default", "chat_id": 5}) == [
        "scope: unknown field 'chat_id' in BotCommandScopeDefault"
    ]


def test_a_scope_of_an_unknown_type() -> None:
    (error,) = _commands({"type": "everyone"})
    assert error.startswith('scope: unknown type string "everyone"; expected one of: ')
    assert "all_private_chats" in error and "chat_member" in error


def test_a_scope_without_a_type() -> None:
    errors = _commands({"chat_id": 5})
    assert errors and all("missing required field 'type'" in e for e in errors)


def test_bot_commands_are_checked() -> None:
    commands = json.dumps([{"command": "start"}, {"command": "x", "description": "d", "y": 1}])
    assert validate_call("setMyCommands", {"commands": commands}) == [
        "commands[0]: missing required field 'description' in BotCommand",
        "commands[1]: unknown field 'y' in BotCommand",
    ]


# --------------------------------------------------------------------------- files


def test_a_ptb_photo_upload_is_a_file_part() -> None:
    wire = ptb_wire({"chat_id": 1, "photo": InputFile(b"jpeg bytes", filename="cat.jpg")})
    assert isinstance(wire["photo"], UploadedFile)
    assert wire["photo"].filename == "cat.jpg" and wire["photo"].data == b"jpeg bytes"
    assert validate_call("sendPhoto", wire) == []
    assert decode_params("sendPhoto", wire)["photo"] is wire["photo"]


@pytest.mark.parametrize("photo", ["AgACAgIAAxkBAAIB", "https://example.org/cat.jpg"])
def test_a_photo_by_file_id_or_url(photo: str) -> None:
    assert validate_call("sendPhoto", {"chat_id": "1", "photo": photo}) == []


def test_a_file_where_none_is_accepted() -> None:
    assert validate_call("sendMessage", {"chat_id": "1", "text": PHOTO}) == [
        "text: a file upload is not accepted here (expected String)"
    ]


def test_an_input_file_only_parameter_needs_a_file() -> None:
    base = {"chat_id": "1"}
    assert validate_call("setChatPhoto", {**base, "photo": PHOTO}) == []
    assert validate_call("setChatPhoto", {**base, "photo": "file-id"}) == [
        'photo: expected InputFile, got string "file-id"'
    ]


def test_attach_references_in_top_level_parameters() -> None:
    base = {"chat_id": "1", "document": "file-id"}
    assert (
        validate_call("sendDocument", {**base, "thumbnail": "attach://thumb", "thumb": PHOTO}) == []
    )
    assert validate_call("sendDocument", {**base, "thumbnail": "attach://thumb"}) == [
        "thumbnail: attach://thumb refers to no uploaded file part"
    ]


def test_a_ptb_media_group_with_uploads_is_valid() -> None:
    media = [
        InputMediaPhoto(b"one", filename="1.jpg", caption="第一"),
        InputMediaVideo(b"two", filename="2.mp4"),
        InputMediaPhoto("AgACAgIAAxkBAAIB"),
    ]
    wire = ptb_wire({"chat_id": 1, "media": media})
    parts = [name for name, value in wire.items() if isinstance(value, UploadedFile)]
    assert len(parts) == 2 and all(name.startswith("attached") for name in parts)
    assert validate_call("sendMediaGroup", wire) == []
    decoded = decode_params("sendMediaGroup", wire)
    assert (
        isinstance(decoded["media"], list)
        and decoded["media"][0]["media"] == f"attach://{parts[0]}"
    )


def test_a_media_group_referring_to_a_missing_part() -> None:
    media = json.dumps(
        [{"type": "photo", "media": "attach://one"}, {"type": "photo", "media": "x"}]
    )
    assert validate_call("sendMediaGroup", {"chat_id": "1", "media": media}) == [
        "media[0].media: attach://one refers to no uploaded file part"
    ]


def test_a_file_part_nothing_refers_to() -> None:
    media = json.dumps(
        [{"type": "photo", "media": "attach://one"}, {"type": "photo", "media": "x"}]
    )
    errors = validate_call(
        "sendMediaGroup", {"chat_id": "1", "media": media, "one": PHOTO, "two": PHOTO}
    )
    assert errors == ["unknown parameter 'two' (a file part no attach:// URI refers to)"]


def test_a_media_group_item_of_an_unknown_type() -> None:
    media = json.dumps([{"type": "sticker", "media": "x"}, {"type": "photo", "media": "y"}])
    (error,) = validate_call("sendMediaGroup", {"chat_id": "1", "media": media})
    assert error.startswith('media[0]: unknown type string "sticker"; expected one of: ')


def test_a_media_group_item_with_an_unknown_field() -> None:
    media = json.dumps(
        [{"type": "photo", "media": "x", "width": 5}, {"type": "photo", "media": "y"}]
    )
    assert validate_call("sendMediaGroup", {"chat_id": "1", "media": media}) == [
        "media[0]: unknown field 'width' in InputMediaPhoto"
    ]


# --------------------------------------------------------------------------- JSON bodies


def test_already_decoded_json_values() -> None:
    params = {
        "chat_id": -1001234,
        "text": "hi",
        "disable_notification": True,
        "reply_markup": KEYBOARD,
        "entities": [{"type": "bold", "offset": 0, "length": 2}],
    }
    assert validate_call("sendMessage", params) == []
    decoded = decode_params("sendMessage", params)
    assert decoded["chat_id"] == -1001234 and decoded["reply_markup"] == KEYBOARD
    assert decoded["disable_notification"] is True


def test_a_json_body_object_with_an_unknown_field() -> None:
    markup = {"inline_keyboard": [[{"text": "A", "url": "https://x", "foo": None, "bar": 1}]]}
    params = {"chat_id": 1, "text": "hi", "reply_markup": markup}
    assert validate_call("sendMessage", params) == [
        "reply_markup.inline_keyboard[0][0]: unknown field 'foo' in InlineKeyboardButton",
        "reply_markup.inline_keyboard[0][0]: unknown field 'bar' in InlineKeyboardButton",
    ]


def test_json_scalars_count_as_their_text_like_the_bot_api_server() -> None:
    assert validate_call("sendMessage", {"chat_id": 1, "text": 123}) == []
    assert decode_params("sendMessage", {"chat_id": 1, "text": 123}) == {
        "chat_id": 1,
        "text": "123",
    }


# --------------------------------------------------------------------------- decode_params


def test_decode_params_types() -> None:
    params: dict[str, object] = {
        "chat_id": "-100123",
        "text": "42",
        "message_thread_id": "9",
        "disable_notification": "false",
        "reply_markup": json.dumps(KEYBOARD),
        "entities": '[{"type": "bold", "offset": 0, "length": 1}]',
        "unknown": "kept",
        "protect_content": None,
    }
    assert decode_params("sendMessage", params) == {
        "chat_id": -100123,
        "text": "42",
        "message_thread_id": 9,
        "disable_notification": False,
        "reply_markup": KEYBOARD,
        "entities": [{"type": "bold", "offset": 0, "length": 1}],
        "unknown": "kept",
    }


@pytest.mark.parametrize(
    ("chat_id", "expected"),
    [("123", 123), ("-100123", -100123), ("@channel", "@channel"), ("12ab", "12ab")],
)
def test_decode_chat_id_keeps_an_int_when_it_parses(chat_id: str, expected: object) -> None:
    assert decode_params("sendMessage", {"chat_id": chat_id})["chat_id"] == expected


def test_decode_params_passes_undecodable_values_through() -> None:
    decoded = decode_params(
        "sendMessage", {"message_thread_id": "seven", "reply_markup": "{oops", "chat_id": "1"}
    )
    assert decoded == {"message_thread_id": "seven", "reply_markup": "{oops", "chat_id": 1}


def test_decode_params_keeps_files_and_attach_references() -> None:
    decoded = decode_params(
        "sendDocument",
        {"chat_id": "1", "document": PHOTO, "thumbnail": "attach://t", "t": PHOTO},
    )
    assert decoded == {"chat_id": 1, "document": PHOTO, "thumbnail": "attach://t", "t": PHOTO}
