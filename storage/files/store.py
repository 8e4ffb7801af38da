"""Where the bureau keeps its own copy of evidence files: a local directory by default, an
S3-compatible bucket (MinIO, a cloud's object storage) in production.

Objects are content-addressed: an object's name is the SHA-256 of the bytes stored, split
`ab/cdef…` so no directory grows huge. Storing the same bytes twice stores one object; reading
checks the bytes against their name. A complaint's file is stored sealed under the complaint's
data key (`storage.files.evidence`), so its name is the hash of ciphertext: it says nothing
about the file, and the object is noise once the key is shredded.

Both stores are synchronous underneath (the filesystem, the `minio` client over urllib3):
the async methods run them in a thread.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

_NAME = re.compile(r"^[0-9a-f]{64}$")


class StoreError(RuntimeError):
    """The store could not keep or give back an object (the caller retries later)."""


def name_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _check(name: str) -> str:
    if not _NAME.match(name):
        raise ValueError("not an object name")
    return name


def _key(name: str) -> str:
    return f"{name[:2]}/{name[2:]}"


class FileStore(Protocol):
    """What evidence needs of a store; names come from `put`. `dates_copies`: whether `put`'s
    `dated` becomes the copy's time (a local file), or the store stamps the moment of writing
    itself (an S3 bucket's "last modified"), so that a complaint's copy must not be written on
    the day it was filed (`bot.evidence` holds it to the next day's first sweep)."""

    @property
    def dates_copies(self) -> bool: ...

    async def put(self, data: bytes, *, dated: datetime | None = None) -> str: ...

    async def get(self, name: str) -> bytes | None: ...

    async def delete(self, name: str) -> None: ...


@dataclass(frozen=True)
class LocalStore:
    """Objects as files under `root`, written atomically (a temporary file, then a rename).
    `dated` sets the file's times (a complaint's copy carries its day, not its instant)."""

    root: Path
    dates_copies = True

    def _path(self, name: str) -> Path:
        return self.root / _key(_check(name))

    def _put(self, data: bytes, dated: datetime | None) -> str:
        name = name_of(data)
        path = self._path(name)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".part-")
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(data)
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(temp, path)
            except BaseException:
                Path(temp).unlink(missing_ok=True)
                raise
        if dated is not None:
            stamp = dated.timestamp()
            os.utime(path, (stamp, stamp))
        return name

    def _get(self, name: str) -> bytes | None:
        try:
            data = self._path(name).read_bytes()
        except FileNotFoundError:
            return None
        if name_of(data) != name:
            raise StoreError(f"object {name[:12]}… does not match its name")
        return data

    async def put(self, data: bytes, *, dated: datetime | None = None) -> str:
        try:
            return await asyncio.to_thread(self._put, data, dated)
        except OSError as error:
            raise StoreError(str(error)) from error

    async def get(self, name: str) -> bytes | None:
        try:
            return await asyncio.to_thread(self._get, name)
        except OSError as error:
            raise StoreError(str(error)) from error

    async def delete(self, name: str) -> None:
        await asyncio.to_thread(self._path(name).unlink, missing_ok=True)


class S3Store:
    """Objects in an S3-compatible bucket through the `minio` client (`client` is a
    `minio.Minio`; tests give it a stub HTTP transport). Objects carry no metadata of ours;
    the bucket's own "last modified" time cannot be set (docs/anonymity.md)."""

    dates_copies = False

    def __init__(self, client: Any, bucket: str, prefix: str = "evidence/") -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix

    def _object(self, name: str) -> str:
        return self.prefix + _key(_check(name))

    def _put(self, data: bytes) -> str:
        name = name_of(data)
        self.client.put_object(
            self.bucket,
            self._object(name),
            io.BytesIO(data),
            len(data),
            content_type="application/octet-stream",
        )
        return name

    def _get(self, name: str) -> bytes | None:
        from minio.error import S3Error

        try:
            response = self.client.get_object(self.bucket, self._object(name))
        except S3Error as error:
            if error.code in ("NoSuchKey", "NoSuchObject"):
                return None
            raise
        try:
            data = bytes(response.read())
        finally:
            response.close()
            response.release_conn()
        if name_of(data) != name:
            raise StoreError(f"object {name[:12]}… does not match its name")
        return data

    def _delete(self, name: str) -> None:
        self.client.remove_object(self.bucket, self._object(name))

    async def _run(self, call: Any, *args: Any) -> Any:
        from minio.error import MinioException

        try:
            return await asyncio.to_thread(call, *args)
        except (MinioException, OSError) as error:
            raise StoreError(f"{type(error).__name__}: {error}") from error

    async def put(self, data: bytes, *, dated: datetime | None = None) -> str:
        return str(await self._run(self._put, data))

    async def get(self, name: str) -> bytes | None:
        found = await self._run(self._get, name)
        return None if found is None else bytes(found)

    async def delete(self, name: str) -> None:
        await self._run(self._delete, name)


def s3_store(
    endpoint: str,
    bucket: str,
    *,
    access_key: str,
    secret_key: str,
    secure: bool = True,
    region: str | None = None,
    http_client: Any = None,
) -> S3Store:
    """An `S3Store` over a `minio.Minio` client (`http_client`: a urllib3 pool, for tests)."""
    from minio import Minio

    client = Minio(
        endpoint,
        access_key=access_key,
        secret_key=secret_key,
        secure=secure,
        region=region,
        http_client=http_client,
    )
    return S3Store(client, bucket)
