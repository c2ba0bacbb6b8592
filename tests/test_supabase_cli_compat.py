"""learnkit and the real Supabase CLI see each other's databases as up to date.

Uses the Supabase CLI that `make test` installs from the npm registry
(scripts/setup.sh pins its version) against the same PostgreSQL.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from psycopg import sql

from cli import connection, emulation
from tests.cli_helpers import Project
from tests.test_splitter import MIGRATION
from cli.splitter import split

SUPABASE_CLI = Path(__file__).resolve().parent.parent / ".learnkit" / "tools" / "node_modules" / ".bin" / "supabase"


@pytest.fixture(scope="module")
def supabase_cli():
    if not SUPABASE_CLI.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{SUPABASE_CLI} is missing: scripts/setup.sh test installs it")
        pytest.skip("the Supabase CLI is not installed: run scripts/setup.sh test")
    return str(SUPABASE_CLI)


def supabase_push(cli: str, workdir: Path, url: str, *flags: str) -> subprocess.CompletedProcess:
    completed = subprocess.run(
        [cli, "db", "push", f"--remote={url}", "--yes", "--workdir", str(workdir), *flags],
        capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
        env={**os.environ, "SUPABASE_TELEMETRY_DISABLED": "1", "DO_NOT_TRACK": "1", "PGSSLMODE": "disable"},
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return completed


def history(url):
    with connection.connect(url) as conn:
        if conn.execute("select to_regclass('supabase_migrations.schema_migrations') is null as none").fetchone()["none"]:
            return [], []
        migrations = conn.execute("select version, name, statements from supabase_migrations.schema_migrations "
                                  "order by version").fetchall()
        if conn.execute("select to_regclass('supabase_migrations.seed_files') is null as none").fetchone()["none"]:
            return migrations, []
        return migrations, conn.execute("select path, hash from supabase_migrations.seed_files order by path").fetchall()


@pytest.fixture
def project_copy(tmp_path, settings):
    shutil.copytree(settings.supabase_dir, tmp_path / "supabase",
                    ignore=shutil.ignore_patterns(".temp", ".branches"))
    return tmp_path


@pytest.fixture
def second_empty_db_url(pg_server, test_databases):
    name = f"compat_{os.getpid()}"
    test_databases.drop(name)
    with connection.connect(pg_server.url()) as admin:
        admin.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    yield pg_server.url(name)
    test_databases.drop(name)


def test_each_tool_sees_the_other_up_to_date(supabase_cli, project_copy, empty_db_url, second_empty_db_url):
    by_supabase, by_learnkit = empty_db_url, second_empty_db_url
    with connection.connect(by_supabase) as conn:
        emulation.apply(conn)  # the CLI expects a Supabase database: auth.users and the API roles
    supabase_push(supabase_cli, project_copy, by_supabase, "--include-seed")
    project = Project.__new__(Project)
    project.root = project_copy
    after_supabase = project.run(by_supabase, "db", "push", "--include-seed")
    assert after_supabase.exit_code == 0, after_supabase.stderr
    assert "Remote database is up to date." in after_supabase.stdout
    assert "Seeding" not in after_supabase.stderr

    pushed = project.run(by_learnkit, "db", "push", "--include-seed")
    assert pushed.exit_code == 0, pushed.stderr
    dry_run = supabase_push(supabase_cli, project_copy, by_learnkit, "--include-seed", "--dry-run")
    assert "Remote database is up to date." in dry_run.stdout + dry_run.stderr
    assert history(by_learnkit) == history(by_supabase)
    local_files = list((project_copy / "supabase" / "migrations").glob("*.sql"))
    assert len(history(by_supabase)[0]) == len(local_files)


def test_statements_are_recorded_as_the_cli_records_them(supabase_cli, tmp_path, empty_db_url):
    project = Project(tmp_path)
    project.migration("20260101000000", "splitter_cases", MIGRATION)
    supabase_push(supabase_cli, tmp_path, empty_db_url)
    rows, _ = history(empty_db_url)
    assert rows[0]["statements"] == split(MIGRATION)
