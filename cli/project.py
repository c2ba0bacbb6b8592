"""Which database a command talks to: --db-url, else the local server."""

from dataclasses import replace

import psycopg

from cli import connection
from cli.errors import UsageError
from cli.local_server import LocalServer
from cli.settings import Settings


def local_server(settings: Settings) -> LocalServer:
    return LocalServer(settings.state_dir)


def database_url(settings: Settings) -> str:
    if settings.db_url:
        connection.validate_url(settings.db_url)
        return settings.db_url
    server = local_server(settings)
    if not server.is_running():
        raise UsageError("no --db-url given and the local database is not running: run `learnkit db start`")
    return server.url()


def connect(settings: Settings, *, autocommit: bool = True) -> psycopg.Connection:
    return connection.connect(database_url(settings), autocommit=autocommit)


def with_db_url(settings: Settings, db_url: str | None) -> Settings:
    """A command's own --db-url wins over the root option."""
    return replace(settings, db_url=db_url) if db_url else settings


def require_supabase_dir(settings: Settings) -> None:
    if not settings.supabase_dir.is_dir():
        raise UsageError(f"no supabase/ folder in {settings.project_dir}: run learnkit from the project root "
                         "or pass --project-dir")
