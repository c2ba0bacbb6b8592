"""The local server, migration and test commands through the CLI."""

import re

import pytest

from cli.local_server import free_port
from tests.cli_helpers import Project, assert_one_line_error, invoke

PASSING = """begin;
create extension if not exists pgtap with schema extensions;
select plan(2);
select ok(true, 'truth holds');
select is(tests.get_supabase_uid('nobody') is null, false, 'helpers raise for unknown users')
  from (select 1) as x where false
union all select ok(true, 'second');
select * from finish();
rollback;
"""

FAILING = """begin;
create extension if not exists pgtap with schema extensions;
select plan(2);
select ok(true, 'fine');
select is(1, 2, 'one is two');
select * from finish();
rollback;
"""


def test_local_server_lifecycle(tmp_path):
    project = Project(tmp_path)
    port = str(free_port())
    base = ("--project-dir", str(project.root))
    try:
        started = invoke(*base, "db", "start", "--server", "system", "--port", port)
        assert started.exit_code == 0, started.stderr
        assert f"DB URL: postgresql://postgres:postgres@127.0.0.1:{port}/postgres" in started.stdout
        status = invoke(*base, "--json", "db", "status")
        assert status.exit_code == 0 and '"running": true' in status.stdout and '"version": "15"' in status.stdout
        pushed = invoke(*base, "db", "push")  # no --db-url: the local server
        assert pushed.exit_code == 0, pushed.stderr
        conflicting = invoke(*base, "db", "start", "--port", str(free_port()))
        assert_one_line_error(conflicting, 2, "already running with other settings")
    finally:
        stopped = invoke(*base, "db", "stop")
    assert stopped.exit_code == 0 and "Stopped" in stopped.stderr
    after = invoke(*base, "db", "status")
    assert after.exit_code == 1 and "not running" in after.stderr
    no_server = invoke(*base, "db", "push")
    assert_one_line_error(no_server, 2, "local database is not running")


def test_migration_new_and_list(tmp_path, empty_db_url):
    project = Project(tmp_path)
    created = invoke("--project-dir", str(project.root), "migration", "new", "create_things")
    assert created.exit_code == 0, created.stderr
    path = next(project.migrations.glob("*_create_things.sql"))
    assert re.fullmatch(r"\d{14}_create_things\.sql", path.name)
    path.write_text("create table things (id int);")
    bad = invoke("--project-dir", str(project.root), "migration", "new", "Create Things")
    assert_one_line_error(bad, 2, "invalid migration name")
    project.migration("29990101000000", "future", "select 1;")
    assert project.run(empty_db_url, "db", "push", "--include-all").exit_code == 0
    path.unlink()
    listing = project.run(empty_db_url, "--json", "migration", "list")
    assert listing.exit_code == 0, listing.stderr
    version = path.name[:14]
    assert f'{{"local": null, "remote": "{version}", "name": "create_things"}}' in listing.stdout
    assert '{"local": "29990101000000", "remote": "29990101000000", "name": "future"}' in listing.stdout


def test_reset_refuses_a_remote_database(tmp_path):
    project = Project(tmp_path)
    result = project.run("postgresql://postgres@db.example.com:5432/postgres", "db", "reset")
    assert_one_line_error(result, 2, "only works on a local database")


def test_reset_rebuilds_a_local_database(tmp_path, test_databases, pg_server):
    project = Project(tmp_path)
    project.migration("20260101000000", "create_things", "create table things (id int);")
    project.seed("insert into things values (1);")
    url = pg_server.url("reset_target")
    test_databases.drop("reset_target")
    try:
        for _ in range(2):  # the second run drops what the first built
            result = project.run(url, "db", "reset")
            assert result.exit_code == 0, result.stderr
        from cli import connection
        with connection.connect(url) as conn:
            assert conn.execute("select count(*) as n from things").fetchone()["n"] == 1
    finally:
        test_databases.drop("reset_target")


@pytest.fixture
def pgtap_project(tmp_path, settings):
    project = Project(tmp_path)
    tests_dir = project.root / "supabase" / "tests" / "database"
    tests_dir.mkdir(parents=True)
    (tests_dir / "000-setup-tests-hooks.test.sql").write_text(
        (settings.tests_dir / "000-setup-tests-hooks.test.sql").read_text())
    (tests_dir / "01-passing.test.sql").write_text(PASSING)
    return project, tests_dir


def test_test_db_reports_tap_results(pgtap_project, db_url):
    project, tests_dir = pgtap_project
    passing = project.run(db_url, "test", "db")
    assert passing.exit_code == 0, passing.stdout + passing.stderr
    assert "ok 01-passing.test.sql (2/2)" in passing.stdout
    (tests_dir / "02-failing.test.sql").write_text(FAILING)
    failing = project.run(db_url, "test", "db")
    assert_one_line_error(failing, 1, "1 of 3 files failed", "02-failing.test.sql")
    assert "failed: 2 - one is two" in failing.stdout
    (tests_dir / "03-broken.test.sql").write_text("begin;\nselect plan(1);\nselect nonsense();\nrollback;\n")
    broken = project.run(db_url, "test", "db", str(tests_dir / "03-broken.test.sql"))
    assert broken.exit_code == 1 and "function nonsense() does not exist" in broken.stdout
    missing = project.run(db_url, "test", "db", str(tests_dir / "04-missing.test.sql"))
    assert_one_line_error(missing, 2, "test file not found")


def test_non_tap_output_is_not_mistaken_for_a_plan():
    from cli.pgtap import parse_tap
    from pathlib import Path
    result = parse_tap(Path("x.sql"), "1..2\n1fa94c2e-0000-4000-8000-000000000000\nok 1 - a\nok 2 - b\n")
    assert (result.planned, result.passed, result.ok) == (2, 2, True)
