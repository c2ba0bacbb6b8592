"""Where the lifecycle jobs keep files: a local directory, or a Supabase Storage bucket.

Chosen from the environment, because the credentials live there and never in
the database: with SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY set, files go to
Storage (through the `supabase` client, imported only then); otherwise under
LEARNKIT_LIFECYCLE_DIR (default `.learnkit/lifecycle`, relative to the working
directory, which the crontab lines set to the project). Each area has its own
subdirectory or bucket: the archive (sessions, events, snapshots) and the
progress reports.

Writes are atomic and durable (local: a temporary file, fsync, rename, fsync
of the directory; Storage: one upload) and `put_confirmed` reads the file back
and compares its SHA-256 before a job may delete what the file holds.
"""

import gzip
import hashlib
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from cli.errors import Failure, UsageError

LOCAL_ROOT_VARIABLE = "LEARNKIT_LIFECYCLE_DIR"
DEFAULT_LOCAL_ROOT = Path(".learnkit/lifecycle")
REPORTS_BUCKET = "progress-reports"  # named by a storage.objects policy (migration 20261122020600)


class ObjectStore(Protocol):
    target: str  # "local" or "storage", as recorded in private.archived_objects / public.progress_reports
    location: str  # the directory or the bucket

    def put(self, key: str, data: bytes, content_type: str) -> None: ...
    def get(self, key: str) -> bytes: ...
    def delete(self, key: str) -> None: ...
    def link(self, key: str, expires_in: int) -> str: ...


@dataclass(frozen=True)
class StoredObject:
    key: str
    byte_size: int
    sha256: str


class LocalStore:
    target = "local"

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.location = str(self.root)

    def path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root not in path.parents:
            raise UsageError(f"object key {key!r} leaves {self.root}")
        return path

    def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
        try:
            with open(temporary, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)  # the rename itself survives a power cut
        finally:
            os.close(directory)

    def get(self, key: str) -> bytes:
        try:
            return self.path(key).read_bytes()
        except FileNotFoundError:
            raise Failure(f"archive file {self.path(key)} is missing") from None

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def link(self, key: str, expires_in: int) -> str:
        return str(self.path(key))


class StorageStore:
    """A Supabase Storage bucket, through supabase-py's storage client (service role: the jobs are the server)."""

    target = "storage"

    def __init__(self, client: Any, bucket: str) -> None:
        self.bucket = client.storage.from_(bucket)
        self.location = bucket

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self.bucket.upload(key, data, {"content-type": content_type, "upsert": "true"})

    def get(self, key: str) -> bytes:
        return self.bucket.download(key)

    def delete(self, key: str) -> None:
        self.bucket.remove([key])

    def link(self, key: str, expires_in: int) -> str:
        signed = self.bucket.create_signed_url(key, expires_in)
        return signed.get("signedURL") or signed["signedUrl"]


def storage_configured() -> bool:
    return bool(os.environ.get("SUPABASE_URL") and os.environ.get("SUPABASE_SERVICE_ROLE_KEY"))


def storage_client() -> Any | None:
    """A supabase-py client with the service key, or None when SUPABASE_URL / SUPABASE_SERVICE_ROLE_KEY are unset."""
    return _storage_client()


def _storage_client() -> Any | None:
    url, key = os.environ.get("SUPABASE_URL"), os.environ.get("SUPABASE_SERVICE_ROLE_KEY")
    if not (url and key):
        return None
    try:
        from supabase import create_client  # noqa: PLC0415 - only deployments using Storage need it
    except ImportError:
        raise UsageError("SUPABASE_URL is set but the `supabase` package is not installed "
                         "(pip install supabase), or unset SUPABASE_URL to write to a local directory") from None
    return create_client(url, key)


def local_root() -> Path:
    return Path(os.environ.get(LOCAL_ROOT_VARIABLE) or DEFAULT_LOCAL_ROOT)


def archive_store(bucket: str) -> ObjectStore:
    client = _storage_client()
    return StorageStore(client, bucket) if client is not None else LocalStore(local_root() / "archive")


def reports_store() -> ObjectStore:
    client = _storage_client()
    return StorageStore(client, REPORTS_BUCKET) if client is not None else LocalStore(local_root() / "reports")


def put_confirmed(store: ObjectStore, key: str, data: bytes, content_type: str) -> StoredObject:
    """Write, read back, compare: only then may a job delete the rows the file holds."""
    digest = hashlib.sha256(data).hexdigest()
    store.put(key, data, content_type)
    if hashlib.sha256(store.get(key)).hexdigest() != digest:
        raise Failure(f"archive {key} in {store.location} does not read back as written; nothing was deleted")
    return StoredObject(key, len(data), digest)


def gzip_lines(lines: list[str]) -> bytes:
    """JSON lines, gzip-compressed with a zero timestamp: the same rows always give the same bytes."""
    return gzip.compress("".join(line + "\n" for line in lines).encode(), mtime=0)


def gunzip_lines(data: bytes) -> list[str]:
    return [line for line in gzip.decompress(data).decode().split("\n") if line]


def content_key(prefix: str, data: bytes) -> str:
    """Named by content: a rerun over the same rows rewrites the same file, other rows never overwrite it."""
    return f"{prefix}/{hashlib.sha256(data).hexdigest()[:20]}.jsonl.gz"
