"""Connecting to a database with errors a user can act on."""

import psycopg
from psycopg import conninfo
from psycopg.rows import dict_row

from cli.errors import UsageError

CONNECT_TIMEOUT_SECONDS = 10


def describe(url: str) -> str:
    """host:port/dbname of a URL, with no password, for messages."""
    try:
        params = conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "<malformed URL>"
    host = params.get("host") or "localhost"
    port = params.get("port") or "5432"
    return f"{host}:{port}/{params.get('dbname') or params.get('user') or ''}"


def validate_url(url: str) -> None:
    if not url.startswith(("postgres://", "postgresql://")) and "=" not in url:
        raise UsageError(f"malformed database URL {url!r}: expected postgresql://user@host:port/dbname")
    try:
        params = conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError as error:
        raise UsageError(f"malformed database URL: {_first_line(error)}") from None
    ports = str(params.get("port") or "5432").split(",")
    if not all(port.strip().isdigit() for port in ports):
        raise UsageError(f"malformed database URL: invalid port {params['port']!r}")


def connect(url: str, *, autocommit: bool = True, dbname: str | None = None) -> psycopg.Connection:
    """A dict_row connection; an unreachable database is a UsageError (exit 2)."""
    validate_url(url)
    overrides = {"connect_timeout": CONNECT_TIMEOUT_SECONDS}
    if dbname is not None:
        overrides["dbname"] = dbname
    try:
        return psycopg.connect(url, autocommit=autocommit, row_factory=dict_row, **overrides)
    except psycopg.OperationalError as error:
        raise UsageError(f"cannot connect to {describe(url)}: {_first_line(error)}") from None


def is_loopback(url: str) -> bool:
    host = conninfo.conninfo_to_dict(url).get("host") or "localhost"
    return host in ("localhost", "127.0.0.1", "::1") or host.startswith("/")


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0].strip() if text else type(error).__name__
