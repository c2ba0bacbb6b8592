"""`learnkit demo`: the product's front door, on the embedded database.

The demo starts the project's local server, rebuilds its database (Supabase
emulation, migrations, seed) and then shows each capability in turn. A
capability adds itself by appending a section to SECTIONS.
"""

from collections.abc import Callable

import psycopg
from psycopg import sql

from cli import connection, database, migrations, output, queries
from cli.local_server import LocalServer, ServerConfig
from cli.settings import Settings

Section = Callable[[psycopg.Connection, Settings], None]


def show_migrations(conn: psycopg.Connection, settings: Settings) -> None:
    local = {m.version: m for m in migrations.local_migrations(settings.migrations_dir)}
    applied = {m.version for m in migrations.applied_migrations(conn)}
    output.table("Migrations", ["Local", "Remote", "Name"], [
        [version, version if version in applied else None, local[version].name] for version in sorted(local)
    ])


def show_table_counts(conn: psycopg.Connection, settings: Settings) -> None:
    rows = []
    for table in conn.execute(queries.query("demo.sql", "public_tables")).fetchall():
        count_query = sql.SQL(queries.query("demo.sql", "count_rows")).format(
            table=sql.Identifier("public", table["table_name"]))
        rows.append([table["table_name"], conn.execute(count_query).fetchone()["row_count"]])
    output.table("Tables in public", ["Table", "Rows"], rows)


SECTIONS: list[Section] = [show_migrations, show_table_counts]

from cli.demo_analytics import show_analytics  # noqa: E402 - sections import Section's helpers

SECTIONS.append(show_analytics)

from cli.demo_learning import show_guardian_view, show_student_dashboard  # noqa: E402

SECTIONS.extend([show_student_dashboard, show_guardian_view])

from cli.demo_gamification import show_gamification  # noqa: E402

SECTIONS.append(show_gamification)

from cli.demo_awards import show_deferred_awards  # noqa: E402

SECTIONS.append(show_deferred_awards)

from cli.demo_lifecycle import show_progress_report  # noqa: E402

SECTIONS.append(show_progress_report)

from cli.demo_consent import show_consent  # noqa: E402

SECTIONS.append(show_consent)

from cli.demo_schema import show_declared_schema  # noqa: E402

SECTIONS.append(show_declared_schema)

from cli.demo_tutor import show_tutor_context  # noqa: E402

SECTIONS.append(show_tutor_context)

from cli.demo_ingestion import show_ingestion  # noqa: E402

SECTIONS.append(show_ingestion)

from cli.demo_retrieval import show_retrieval  # noqa: E402

SECTIONS.append(show_retrieval)


def run(settings: Settings) -> None:
    server = LocalServer(settings.state_dir)
    if not server.is_running():
        server = LocalServer(settings.state_dir, ServerConfig(kind="embedded"))
        output.info("Starting the embedded PostgreSQL...")
        server.start()
    url = server.url()
    output.stdout.print(f"DB URL: {url}")
    output.info("Rebuilding the database: Supabase emulation, migrations, seed...")
    database.reset(url, settings, seed=True)
    with connection.connect(url) as conn:
        for section in SECTIONS:
            section(conn, settings)
