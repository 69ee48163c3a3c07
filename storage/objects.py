"""One object-store interface, two homes: a local directory (laptop default) and S3/MinIO.

Key layout:
- ``raw/<sha256>``: uploads as received, content-addressed and never overwritten;
- ``derived/<sha256>/...``: what we made from an upload (page images, OCR words);
- ``quarantine/<sha256>``: uploads we refused, kept for a person to inspect.
Metadata values are stored URL-quoted so non-ASCII file names survive S3 headers.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Protocol
from urllib.parse import quote, unquote

from pipeline.settings import Settings


class ObjectStoreError(Exception):
    """A storage call failed in a way worth retrying (network, server busy)."""


class ObjectNotFound(KeyError):
    pass


class ImmutableObjectError(Exception):
    """Something tried to replace a raw upload with different bytes."""


@dataclass(frozen=True)
class ObjectInfo:
    key: str
    size: int
    metadata: dict[str, str]


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def raw_key(sha256: str) -> str:
    return f"raw/{sha256}"


def derived_key(sha256: str, name: str) -> str:
    return f"derived/{sha256}/{name}"


def quarantine_key(sha256: str) -> str:
    return f"quarantine/{sha256}"


class ObjectStore(Protocol):
    def put(self, key: str, data: bytes, metadata: dict[str, str] | None = None,
            content_type: str = "application/octet-stream") -> None: ...
    def get(self, key: str) -> bytes: ...
    def stat(self, key: str) -> ObjectInfo: ...
    def exists(self, key: str) -> bool: ...
    def list(self, prefix: str = "") -> Iterator[str]: ...
    def delete(self, key: str) -> None: ...


def put_immutable(store: ObjectStore, key: str, data: bytes, metadata: dict[str, str],
                  content_type: str = "application/octet-stream") -> bool:
    """Write once; a second write of the same bytes is a no-op. Returns True when written."""
    if store.exists(key):
        if store.stat(key).size != len(data) or sha256_hex(store.get(key)) != sha256_hex(data):
            raise ImmutableObjectError(f"{key} already holds different bytes")
        return False
    store.put(key, data, metadata, content_type)
    return True


def _encode_meta(metadata: dict[str, str] | None) -> dict[str, str]:
    return {k.lower(): quote(str(v), safe="") for k, v in (metadata or {}).items()}


def _decode_meta(metadata: dict[str, str]) -> dict[str, str]:
    return {k.lower(): unquote(v) for k, v in metadata.items()}


class LocalStore:
    """Objects as files under ``root``; metadata in a ``.meta.json`` sidecar."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        if key.startswith("/") or ".." in key.split("/") or not key:
            raise ValueError(f"unsafe object key: {key!r}")
        return self.root / key

    def put(self, key, data, metadata=None, content_type="application/octet-stream"):
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        meta = {"content_type": content_type, "metadata": _encode_meta(metadata)}
        # write to a temp file then rename, so a reader never sees half an object
        for target, payload in ((path.with_name(path.name + ".meta.json"), json.dumps(meta).encode()), (path, data)):
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as fh:
                fh.write(payload)
            os.replace(tmp, target)

    def get(self, key):
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise ObjectNotFound(key) from None

    def stat(self, key):
        path = self._path(key)
        if not path.is_file():
            raise ObjectNotFound(key)
        meta_path = path.with_name(path.name + ".meta.json")
        meta = json.loads(meta_path.read_text()) if meta_path.exists() else {"metadata": {}}
        return ObjectInfo(key, path.stat().st_size, _decode_meta(meta["metadata"]))

    def exists(self, key):
        return self._path(key).is_file()

    def list(self, prefix=""):
        for path in sorted(self.root.rglob("*")):
            if path.is_file() and not path.name.endswith(".meta.json") and not path.name.startswith(".tmp-"):
                key = path.relative_to(self.root).as_posix()
                if key.startswith(prefix):
                    yield key

    def delete(self, key):
        path = self._path(key)
        path.unlink(missing_ok=True)
        path.with_name(path.name + ".meta.json").unlink(missing_ok=True)


class S3Store:
    """Any S3-compatible server (MinIO in production) through the ``minio`` client."""

    def __init__(self, endpoint: str, access_key: str, secret_key: str, bucket: str,
                 secure: bool = False, region: str | None = None):
        from minio import Minio

        self.bucket = bucket
        self.client = Minio(endpoint, access_key=access_key, secret_key=secret_key, secure=secure, region=region)
        self._call(self._ensure_bucket)

    def _ensure_bucket(self):
        if not self.client.bucket_exists(self.bucket):
            self.client.make_bucket(self.bucket)

    @staticmethod
    def _call(fn, *args, **kwargs):
        from minio.error import S3Error
        from urllib3.exceptions import HTTPError

        try:
            return fn(*args, **kwargs)
        except S3Error as exc:
            if exc.code in ("NoSuchKey", "NoSuchObject"):
                raise ObjectNotFound(kwargs.get("object_name") or (args[1] if len(args) > 1 else "")) from None
            if exc.code in ("SlowDown", "InternalError", "ServiceUnavailable", "RequestTimeout"):
                raise ObjectStoreError(str(exc)) from exc
            raise
        except (HTTPError, OSError) as exc:
            raise ObjectStoreError(f"object store unreachable: {exc}") from exc

    def put(self, key, data, metadata=None, content_type="application/octet-stream"):
        self._call(self.client.put_object, self.bucket, key, io.BytesIO(data), len(data),
                   content_type=content_type, metadata=_encode_meta(metadata))

    def get(self, key):
        def fetch():
            resp = self.client.get_object(self.bucket, key)
            try:
                return resp.read()
            finally:
                resp.close()
                resp.release_conn()
        return self._call(fetch_named(fetch, key))

    def stat(self, key):
        st = self._call(fetch_named(lambda: self.client.stat_object(self.bucket, key), key))
        meta = {k[len("x-amz-meta-"):]: v for k, v in (st.metadata or {}).items() if k.lower().startswith("x-amz-meta-")}
        return ObjectInfo(key, st.size, _decode_meta(meta))

    def exists(self, key):
        try:
            self.stat(key)
            return True
        except ObjectNotFound:
            return False

    def list(self, prefix=""):
        for obj in self._call(lambda: list(self.client.list_objects(self.bucket, prefix=prefix, recursive=True))):
            yield obj.object_name

    def delete(self, key):
        self._call(self.client.remove_object, self.bucket, key)


def fetch_named(fn, key):
    """Wrap a zero-argument call so a missing key is reported by name."""
    from minio.error import S3Error

    def call():
        try:
            return fn()
        except S3Error as exc:
            if exc.code in ("NoSuchKey", "NoSuchObject", "ResourceNotFound"):
                raise ObjectNotFound(key) from None
            raise
    return call


def open_store(settings: Settings) -> ObjectStore:
    if settings.store == "s3":
        return S3Store(settings.s3_endpoint, settings.s3_access_key, settings.s3_secret_key,
                       settings.s3_bucket, settings.s3_secure, settings.s3_region)
    return LocalStore(settings.data_dir / "objects")
