"""A throwaway server holding a database migrated from supabase/migrations, for commands that read a schema.

`learnkit gen types --from-migrations` and `gen erd --from-migrations` build their database here: a fast,
throwaway server with one database, migrated as `learnkit db push` would.
"""

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from psycopg import sql

from cli import connection, emulation, migrations
from cli.errors import UsageError
from cli.local_server import LocalServer, ServerConfig, free_port, system_bin_dir
from cli.settings import Settings


@contextlib.contextmanager
def migrated_database(settings: Settings, name: str) -> Iterator[str]:
    """The URL of database `name` on a throwaway server, migrated from the project's migrations."""
    with tempfile.TemporaryDirectory(prefix=f"{name}-") as state_dir:
        server = LocalServer(Path(state_dir) / "server", ServerConfig(kind=server_kind(), port=free_port()),
                             fast=True)
        server.start()
        try:
            with connection.connect(server.url()) as admin:
                admin.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
            url = server.url(name)
            with connection.connect(url) as conn:
                migrations.push(conn, settings)
                emulation.apply_database_settings(conn)
            yield url
        finally:
            server.destroy()


def server_kind() -> str:
    """The system's PostgreSQL when there is one (it starts fastest), else the embedded one."""
    if os.environ.get("LEARNKIT_TEST_SERVER"):
        return os.environ["LEARNKIT_TEST_SERVER"]
    try:
        system_bin_dir()
    except UsageError:
        return "embedded"
    return "system"
