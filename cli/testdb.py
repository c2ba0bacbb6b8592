"""Template databases for fast tests: build once, clone per test.

A template holds the Supabase emulation, every migration, the pgTAP test
helpers (supabase/tests/database/000-setup-tests-hooks.test.sql) and,
optionally, the seed. `create database … template …` then gives each test a
fresh copy in tens of milliseconds.
"""

import itertools
import os

from psycopg import sql

from cli import connection, emulation, migrations, pgtap, queries
from cli.errors import Failure
from cli.local_server import LocalServer
from cli.settings import Settings

TEST_HOOKS_FILE = "000-setup-tests-hooks.test.sql"
_clone_numbers = itertools.count(1)


class TestDatabases:
    __test__ = False  # not a pytest test class, despite its name

    def __init__(self, server: LocalServer, settings: Settings) -> None:
        self.server = server
        self.settings = settings

    def _admin(self):
        return connection.connect(self.server.url("postgres"))

    def build_template(self, name: str, *, seed: bool = False) -> str:
        """Create template `name`: emulation, migrations, test helpers (and seed)."""
        self.drop(name)
        with self._admin() as admin:
            admin.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
        url = self.server.url(name)
        with connection.connect(url) as conn:
            migrations.push(conn, self.settings, include_seed=seed)
        hooks = pgtap.run_file(url, self.settings.tests_dir / TEST_HOOKS_FILE)
        if not hooks.ok:
            raise Failure(f"installing the test helpers failed: {hooks.error or hooks.failures}")
        with self._admin() as admin:
            admin.execute(sql.SQL(queries.query("testing.sql", "mark_template")).format(
                target=sql.Identifier(name)))
        return name

    def clone(self, template: str, prefix: str = "test") -> str:
        """A fresh database copied from `template`; returns its URL."""
        target = f"{prefix}_{os.getpid()}_{next(_clone_numbers)}"
        with self._admin() as admin:
            admin.execute(sql.SQL(queries.query("testing.sql", "clone_database")).format(
                target=sql.Identifier(target), template=sql.Identifier(template)))
        url = self.server.url(target)
        with connection.connect(url) as conn:
            emulation.apply_database_settings(conn)
        return url

    def drop(self, name: str) -> None:
        with self._admin() as admin:
            if self._exists(admin, name):  # a template must stop being one before it can be dropped
                admin.execute(sql.SQL(queries.query("testing.sql", "unmark_template")).format(
                    target=sql.Identifier(name)))
            admin.execute(sql.SQL(queries.query("testing.sql", "drop_database")).format(
                target=sql.Identifier(name)))

    @staticmethod
    def _exists(admin, name: str) -> bool:
        return admin.execute(queries.query("testing.sql", "database_exists"), {"name": name}).fetchone()["found"]
