"""Shared by the benchmarks: a scratch PostgreSQL with learnkit migrated, requests as the API makes them,
pgbench and a loopback redis-server. Benchmarks print figures; nothing here asserts on time."""

import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from cli import connection, database, queries, testing  # noqa: E402
from cli.local_server import LocalServer, ServerConfig, free_port  # noqa: E402
from cli.settings import Settings  # noqa: E402

SET_REQUEST = queries.query("testing.sql", "set_request")


@contextmanager
def scratch_server(durable: bool = True, settings: dict[str, str] | None = None,
                   kind: str = "system") -> Iterator[LocalServer]:
    """Debian's PostgreSQL 15 (kind "embedded": the embedded server, `learnkit db start`'s) in a temporary
    directory. durable=False uses the test suite's fast settings; settings are extra server settings (e.g.
    shared_buffers)."""
    directory = Path(tempfile.mkdtemp(prefix="learnkit-bench-"))
    server = LocalServer(directory / "pg", ServerConfig(kind=kind, port=free_port()), fast=not durable,
                         settings=settings)
    server.start()
    try:
        yield server
    finally:
        server.destroy()
        shutil.rmtree(directory, ignore_errors=True)


def migrated_database(server: LocalServer, name: str = "learnkit") -> str:
    url = server.url(name)
    database.reset(url, Settings(project_dir=REPO_ROOT), seed=False)
    return url


# Tables and indexes into shared_buffers, as a server that has been serving them would have them.
PREWARM = """select extensions.pg_prewarm(c.oid) from pg_catalog.pg_class c
             join pg_catalog.pg_namespace n on n.oid = c.relnamespace
             where n.nspname in ('public', 'private') and c.relkind in ('r', 'i')"""


def prewarm(conn) -> None:
    """Read learnkit's tables and indexes into shared_buffers (size them with scratch_server's settings)."""
    conn.execute("create extension if not exists pg_prewarm schema extensions")
    conn.execute(PREWARM)


def act_as(conn, user_id) -> None:
    """Begin acting as a signed-in user, as PostgREST does at the start of a request (transaction-local)."""
    conn.execute(SET_REQUEST, {"role": "authenticated", "claims": json.dumps(testing.claims_for(user_id)),
                               "method": "POST", "path": "/rest/v1/rpc", "headers": "{}"})


def pg_binary(name: str) -> str:
    candidate = Path("/usr/lib/postgresql/15/bin") / name
    return str(candidate) if candidate.exists() else (shutil.which(name) or name)


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


@contextmanager
def redis_server() -> Iterator[int]:
    """Debian's redis-server on loopback, no persistence, for the duration of a benchmark."""
    port = free_port()
    process = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


__all__ = ["act_as", "connection", "migrated_database", "percentile", "pg_binary", "redis_server",
           "scratch_server", "testing"]
