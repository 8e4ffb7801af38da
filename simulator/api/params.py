"""Reading a Bot API request's parameters off HTTP and decoding them per the spec.

Telegram accepts a query string, ``application/x-www-form-urlencoded``, ``application/json``
and ``multipart/form-data``.  python-telegram-bot sends form fields whose non-string values
are JSON-encoded (``chat_id='123'``, ``reply_markup='{"inline_keyboard": ...}'``).  The raw
form (``str`` values and :class:`UploadedFile` parts) is what :func:`spec.validate_call`
checks; :func:`spec.decode_params` then turns each value into the type the spec declares.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from simulator.api import spec
from simulator.api.spec import UploadedFile

RawValue = str | UploadedFile
RawParams = dict[str, RawValue]
Params = dict[str, object]


class BodyError(Exception):
    """The request body cannot be read; ``str()`` is Telegram-style description."""


def _to_raw(value: object) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


async def read_params(request: web.Request) -> RawParams:
    """All parameters of the request, query string first, the body overriding it."""
    params: RawParams = dict(request.query)
    if request.method != "POST" or not request.can_read_body:
        return params
    ctype = request.content_type
    if ctype == "application/json":
        try:
            body: Any = await request.json()
        except ValueError as exc:
            raise BodyError("Bad Request: can't parse JSON request body") from exc
        if not isinstance(body, dict):
            raise BodyError("Bad Request: JSON request body must be an object")
        params.update({str(k): _to_raw(v) for k, v in body.items() if v is not None})
    elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, str):
                params[key] = value
            elif isinstance(value, bytes | bytearray):
                params[key] = bytes(value).decode("utf-8", "replace")
            else:
                params[key] = UploadedFile(
                    filename=value.filename or "",
                    content_type=value.content_type or "application/octet-stream",
                    data=value.file.read(),
                )
    elif await request.read():
        raise BodyError(f"Bad Request: unsupported Content-Type {ctype}")
    return params


def decode_params(method: str, raw: Mapping[str, RawValue]) -> Params:
    """Decode every parameter of a call to ``method`` (a known method) per the spec."""
    return spec.decode_params(method, raw)
