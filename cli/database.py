"""Whole-database operations: recreate a local database from the project."""

from psycopg import sql

from cli import connection, migrations
from cli.migrations import Progress, PushResult
from cli.settings import Settings


def recreate(url: str) -> None:
    """Drop and create the URL's database, from a maintenance connection."""
    dbname = connection.conninfo.conninfo_to_dict(url).get("dbname") or "postgres"
    maintenance = "template1" if dbname != "template1" else "postgres"
    with connection.connect(url, dbname=maintenance) as conn:
        conn.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(dbname)))
        conn.execute(sql.SQL("create database {}").format(sql.Identifier(dbname)))


def reset(url: str, settings: Settings, *, seed: bool = True, progress: Progress = lambda _: None) -> PushResult:
    recreate(url)
    with connection.connect(url) as conn:
        return migrations.push(conn, settings, include_seed=seed, progress=progress)
