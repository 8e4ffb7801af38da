"""The bureau's evidence store: the local directory, and the S3 adapter's contract.

The S3 store is tested through the real `minio` client over a stub HTTP transport (a urllib3
pool that keeps objects in a dict and checks that every request is signed), not against a
running S3 server: it shows the calls the adapter makes and how it reads the client's answers
(an object, a missing key, a failure), not the behaviour of a particular server."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from urllib3 import PoolManager
from urllib3.response import HTTPResponse

from storage.files.store import LocalStore, StoreError, name_of, s3_store

PHOTO = b"\xff\xd8\xff\xe0 a photo of a receipt book" * 40


async def test_local_store_is_content_addressed(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "files")
    name = await store.put(PHOTO)
    assert name == hashlib.sha256(PHOTO).hexdigest()
    assert await store.put(PHOTO) == name  # the same bytes are one object
    path = tmp_path / "files" / name[:2] / name[2:]
    assert path.read_bytes() == PHOTO
    assert [p.name for p in (tmp_path / "files" / name[:2]).iterdir()] == [name[2:]]
    assert await store.get(name) == PHOTO
    path.write_bytes(PHOTO + b"changed")
    with pytest.raises(StoreError):  # read back only as stored
        await store.get(name)
    await store.delete(name)
    assert await store.get(name) is None
    with pytest.raises(ValueError):
        await store.get("../../etc/passwd")


async def test_a_dated_copy_carries_its_day_not_its_instant(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    day = datetime(2027, 3, 10, tzinfo=UTC)
    name = await store.put(b"sealed bytes", dated=day)
    assert (tmp_path / name[:2] / name[2:]).stat().st_mtime == day.timestamp()


class FakeS3(PoolManager):
    """A urllib3 pool answering as an S3 server would, for the three calls the store makes."""

    def __init__(self) -> None:
        super().__init__()
        self.objects: dict[str, bytes] = {}
        self.requests: list[tuple[str, str]] = []
        self.fail = False

    def urlopen(  # type: ignore[override]
        self, method: str, url: str, body: Any = None, headers: Any = None, **_: Any
    ) -> HTTPResponse:
        path = urlsplit(url).path
        self.requests.append((method, path))
        assert headers is not None and "AWS4-HMAC-SHA256" in headers.get("Authorization", "")
        if self.fail:
            return self._answer(500, b"")
        if method == "PUT":
            data = body if isinstance(body, bytes) else body.read()
            self.objects[path] = bytes(data)
            return self._answer(200, b"", {"ETag": '"x"'})
        if method == "GET":
            if path not in self.objects:
                error = (
                    b"<?xml version='1.0' encoding='UTF-8'?><Error><Code>NoSuchKey</Code>"
                    b"<Message>missing</Message></Error>"
                )
                return self._answer(404, error, {"Content-Type": "application/xml"})
            return self._answer(200, self.objects[path])
        if method == "DELETE":
            self.objects.pop(path, None)
            return self._answer(204, b"")
        raise AssertionError(f"unexpected {method} {path}")

    @staticmethod
    def _answer(status: int, data: bytes, headers: dict[str, str] | None = None) -> HTTPResponse:
        return HTTPResponse(
            body=io.BytesIO(data), status=status, headers=headers or {}, preload_content=False
        )


async def test_s3_store_puts_gets_and_deletes_content_addressed_objects() -> None:
    fake = FakeS3()
    store = s3_store(
        "s3.example.test:9000",
        "bureau-evidence",
        access_key="AKIATEST",
        secret_key="secret",
        secure=False,
        region="us-east-1",  # no bucket-location request
        http_client=fake,
    )
    name = await store.put(PHOTO)
    assert name == name_of(PHOTO)
    key = f"/bureau-evidence/evidence/{name[:2]}/{name[2:]}"
    assert fake.objects == {key: PHOTO}
    assert await store.get(name) == PHOTO
    fake.objects[key] = b"tampered"
    with pytest.raises(StoreError):
        await store.get(name)
    await store.delete(name)
    assert fake.objects == {}
    assert await store.get(name) is None  # NoSuchKey reads as "not there"
    fake.fail = True
    with pytest.raises(StoreError):  # a server failure is the caller's to retry
        await store.put(PHOTO)
    assert [m for m, _p in fake.requests] == ["PUT", "GET", "GET", "DELETE", "GET", "PUT"]
