"""Supabase emulation on plain PostgreSQL (see sql/emulation.sql)."""

import psycopg

from cli import queries


def has_auth_schema(conn: psycopg.Connection) -> bool:
    return conn.execute(queries.query("emulation_queries.sql", "has_auth_schema")).fetchone()["has_auth"]


def apply(conn: psycopg.Connection) -> bool:
    """Emulate Supabase where there is no `auth` schema; False when there was one."""
    if has_auth_schema(conn):
        return False
    with conn.transaction():
        conn.execute(queries.script("emulation.sql"))
        apply_database_settings(conn)
    return True


def apply_database_settings(conn: psycopg.Connection) -> None:
    """pgrst.db_schemas and search_path, which database clones do not inherit."""
    conn.execute(queries.query("emulation_queries.sql", "database_settings"))
