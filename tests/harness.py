"""Databases the suite makes beyond the plugin's one per test (cli/pytest_plugin.py).

Extra templates and copies (the declared schema's, the embedded server's, a restore
target), and empty databases, made and dropped by pytest-postgresql's DatabaseJanitor.
Also used by bench/rls_overhead.py.
"""

import itertools
import os

from psycopg import conninfo
from pytest_postgresql.janitor import DatabaseJanitor

from cli import connection, emulation
from cli.pytest_plugin import build_template
from cli.settings import Settings

# The pgTAP helpers (tests.authenticate_as…) every template holds; pyproject.toml's
# learnkit_template_sql names the same file for the plugin's templates.
TEST_HOOKS_FILE = "000-setup-tests-hooks.test.sql"
_numbers = itertools.count(1)


class TestDatabases:
    __test__ = False  # not a pytest test class, despite its name

    def __init__(self, server, settings: Settings) -> None:
        """`server`: anything with `url(dbname)`: the plugin's Server, a LocalServer."""
        self.server = server
        self.settings = settings

    def _janitor(self, name: str, *, template: str | None = None, as_template: bool = False) -> DatabaseJanitor:
        params = conninfo.conninfo_to_dict(self.server.url())
        return DatabaseJanitor(user=params["user"], host=params["host"], port=params["port"],
                               password=params.get("password"), dbname=name, template_dbname=template,
                               maintenance_dbname=params["dbname"], as_template=as_template)

    def unique_name(self, prefix: str) -> str:
        return f"{prefix}_{os.getpid()}_{next(_numbers)}"

    def create(self, name: str, *, template: str | None = None, as_template: bool = False) -> str:
        """A new database (empty, or a copy of `template`); returns its URL."""
        self.drop(name)
        self._janitor(name, template=template, as_template=as_template).init()
        return self.server.url(name)

    def build_template(self, name: str, *, seed: bool = False) -> str:
        """Template `name`: emulation, migrations, test helpers (and seed), as the plugin builds its own."""
        url = self.create(name, as_template=True)
        build_template(url, self.settings, seed=seed, sql_files=[self.settings.tests_dir / TEST_HOOKS_FILE])
        return name

    def clone(self, template: str, prefix: str = "test") -> str:
        """A fresh copy of `template` with its database-level settings; returns its URL."""
        url = self.create(self.unique_name(prefix), template=template)
        with connection.connect(url) as conn:
            emulation.apply_database_settings(conn)
        return url

    def drop(self, name: str) -> None:
        """Drop `name` if it exists, template or not, closing its connections."""
        with self._janitor(name).cursor() as cur:
            cur.execute("select datistemplate from pg_catalog.pg_database where datname = %s", (name,))
            row = cur.fetchone()
        if row is not None:
            self._janitor(name, as_template=row[0]).drop()
