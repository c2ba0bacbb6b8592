"""learnkit db push: order, history, refusals, failures, seed, lock."""

import json
import threading

import psycopg
import pytest

from cli import connection
from cli.migrations import ERR_INSERT_BEFORE, ERR_MISSING_LOCAL, PUSH_LOCK_KEY
from tests.cli_helpers import Project, assert_one_line_error


@pytest.fixture
def project(tmp_path):
    return Project(tmp_path)


def history(url):
    with connection.connect(url) as conn:
        if not conn.execute("select to_regclass('supabase_migrations.schema_migrations') is not null as x").fetchone()["x"]:
            return []
        return conn.execute("select version, name, statements from supabase_migrations.schema_migrations "
                            "order by version").fetchall()


def scalar(url, query):
    with connection.connect(url) as conn:
        return list(conn.execute(query).fetchone().values())[0]


def test_push_applies_in_version_order_and_records_history_like_the_supabase_cli(project, empty_db_url):
    project.migration("20260102000000", "add_column", "alter table things add column note text;")
    project.migration("20260101000000", "create_things", "-- things\ncreate table things (id int primary key);\n"
                      "insert into things values (1);")
    result = project.run(empty_db_url, "db", "push")
    assert result.exit_code == 0, result.stderr
    assert "Applying migration 20260101000000_create_things.sql..." in result.stderr
    assert history(empty_db_url) == [
        {"version": "20260101000000", "name": "create_things",
         "statements": ["-- things\ncreate table things (id int primary key)", "insert into things values (1)"]},
        {"version": "20260102000000", "name": "add_column",
         "statements": ["alter table things add column note text"]},
    ]
    with connection.connect(empty_db_url) as conn:
        columns = conn.execute(
            "select column_name, data_type, is_nullable from information_schema.columns "
            "where table_schema = 'supabase_migrations' and table_name = 'schema_migrations' "
            "order by ordinal_position").fetchall()
        primary_key = conn.execute(
            "select a.attname from pg_index i join pg_attribute a on a.attrelid = i.indrelid "
            "and a.attnum = any(i.indkey) where i.indrelid = 'supabase_migrations.schema_migrations'::regclass "
            "and i.indisprimary").fetchall()
    # As pkg/migration/history.go creates it: version text primary key, then statements text[], then name text.
    assert columns == [
        {"column_name": "version", "data_type": "text", "is_nullable": "NO"},
        {"column_name": "statements", "data_type": "ARRAY", "is_nullable": "YES"},
        {"column_name": "name", "data_type": "text", "is_nullable": "YES"},
    ]
    assert primary_key == [{"attname": "version"}]
    again = project.run(empty_db_url, "db", "push")
    assert again.exit_code == 0 and "up to date" in again.stdout


def test_dry_run_changes_nothing(project, empty_db_url):
    project.migration("20260101000000", "create_things", "create table things (id int);")
    result = project.run(empty_db_url, "db", "push", "--dry-run")
    assert result.exit_code == 0
    assert "Would push these migrations:" in result.stdout and "20260101000000_create_things.sql" in result.stdout
    assert scalar(empty_db_url, "select count(*) from pg_namespace where nspname in "
                  "('auth', 'supabase_migrations')") == 0
    assert scalar(empty_db_url, "select to_regclass('public.things') is null")


def test_push_prints_what_a_migration_says_with_a_notice(project, empty_db_url):
    """A migration that skips what the server cannot do says so (semantic retrieval without pgvector)."""
    project.migration("20250101000000", "maybe", "do $$ begin raise notice using message = 'feature x unavailable', "
                      "hint = 'install y'; end $$;\ncreate table t (id int);\n")
    result = project.run(empty_db_url, "db", "push")
    assert result.exit_code == 0, result.output
    assert "NOTICE (20250101000000_maybe.sql): feature x unavailable (install y)" in result.stdout.splitlines()
    project.migration("20250102000000", "more", "do $$ begin raise warning 'careful'; end $$;\n")
    result = project.run(empty_db_url, "--json", "db", "push")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout.splitlines()[-1])["notices"] == [
        {"source": "20250102000000_more.sql", "severity": "WARNING", "message": "careful", "hint": None}]


def test_failing_migration_names_file_statement_line_and_sqlstate_and_rolls_back_that_file(project, empty_db_url):
    project.migration("20260101000000", "create_things", "create table things (id int);")
    project.migration("20260102000000", "broken", "create table kept_out (id int);\n\n"
                      "insert into things values (1);\nselect *\n  from missing_table;\n")
    project.migration("20260103000000", "later", "create table later (id int);")
    result = project.run(empty_db_url, "db", "push")
    assert_one_line_error(result, 1, "supabase/migrations/20260102000000_broken.sql", "statement 3", "(line 5)",
                          "42P01", 'relation "missing_table" does not exist')
    assert [row["version"] for row in history(empty_db_url)] == ["20260101000000"]
    assert scalar(empty_db_url, "select to_regclass('public.things') is not null")
    assert scalar(empty_db_url, "select to_regclass('public.kept_out') is null")
    assert scalar(empty_db_url, "select count(*) from things") == 0
    assert scalar(empty_db_url, "select to_regclass('public.later') is null")


def test_refuses_when_an_applied_version_is_missing_locally(project, empty_db_url):
    first = project.migration("20260101000000", "create_things", "create table things (id int);")
    assert project.run(empty_db_url, "db", "push").exit_code == 0
    first.unlink()
    project.migration("20260102000000", "more", "create table more_things (id int);")
    result = project.run(empty_db_url, "db", "push")
    assert_one_line_error(result, 1, ERR_MISSING_LOCAL, "20260101000000")
    assert scalar(empty_db_url, "select to_regclass('public.more_things') is null")


def test_refuses_an_older_unapplied_file_unless_include_all(project, empty_db_url):
    project.migration("20260102000000", "second", "create table second_things (id int);")
    assert project.run(empty_db_url, "db", "push").exit_code == 0
    project.migration("20260101000000", "first", "create table first_things (id int);")
    result = project.run(empty_db_url, "db", "push")
    assert_one_line_error(result, 1, ERR_INSERT_BEFORE, "--include-all", "20260101000000_first.sql")
    assert scalar(empty_db_url, "select to_regclass('public.first_things') is null")
    included = project.run(empty_db_url, "db", "push", "--include-all")
    assert included.exit_code == 0, included.stderr
    assert [row["version"] for row in history(empty_db_url)] == ["20260101000000", "20260102000000"]


def test_stops_when_an_applied_file_has_changed(project, empty_db_url):
    applied = project.migration("20260101000000", "create_things", "create table things (id int);")
    assert project.run(empty_db_url, "db", "push").exit_code == 0
    applied.write_text("create table things (id bigint);")
    project.migration("20260102000000", "more", "create table more_things (id int);")
    result = project.run(empty_db_url, "db", "push")
    assert_one_line_error(result, 1, "changed since it was applied", "20260101000000_create_things.sql")
    assert scalar(empty_db_url, "select to_regclass('public.more_things') is null")


def test_seed_runs_once_and_is_recorded_like_the_supabase_cli(project, empty_db_url):
    project.migration("20260101000000", "create_things", "create table things (id int);")
    seed = project.seed("insert into things values (1);\ninsert into things values (2);\n")
    assert project.run(empty_db_url, "db", "push", "--include-seed").exit_code == 0
    import hashlib
    with connection.connect(empty_db_url) as conn:
        assert conn.execute("select path, hash from supabase_migrations.seed_files").fetchall() == [
            {"path": "supabase/seed.sql", "hash": hashlib.sha256(seed.read_bytes()).hexdigest()}]
    assert project.run(empty_db_url, "db", "push", "--include-seed").exit_code == 0
    assert scalar(empty_db_url, "select count(*) from things") == 2
    seed.write_text("insert into things values (3);\n")
    changed = project.run(empty_db_url, "db", "push", "--include-seed")
    assert changed.exit_code == 0 and "Updating seed hash to supabase/seed.sql" in changed.stderr
    assert scalar(empty_db_url, "select count(*) from things") == 2


def test_failing_seed_rolls_back_and_is_not_recorded(project, empty_db_url):
    project.migration("20260101000000", "create_things", "create table things (id int primary key);")
    project.seed("insert into things values (1);\ninsert into things values (1);\n")
    result = project.run(empty_db_url, "db", "push", "--include-seed")
    assert_one_line_error(result, 1, "supabase/seed.sql", "statement 2", "23505")
    assert scalar(empty_db_url, "select count(*) from things") == 0
    assert scalar(empty_db_url, "select count(*) from supabase_migrations.seed_files") == 0


def test_a_second_push_waits_for_the_first(project, empty_db_url):
    project.migration("20260101000000", "create_things", "create table things (id int);")
    holder = psycopg.connect(empty_db_url, autocommit=True)
    holder.execute("select pg_advisory_lock(%s)", [PUSH_LOCK_KEY])
    outcome = {}
    pusher = threading.Thread(target=lambda: outcome.update(result=project.run(empty_db_url, "db", "push")))
    pusher.start()
    try:
        waited = False
        for _ in range(200):  # until the push is seen blocked on the lock (a state, not a timing)
            waited = holder.execute(
                "select exists (select from pg_locks where locktype = 'advisory' and not granted)").fetchone()[0]
            if waited:
                break
            pusher.join(0.05)
        assert waited, "the second push did not wait for the advisory lock"
        assert scalar(empty_db_url, "select to_regclass('public.things') is null")
    finally:
        holder.execute("select pg_advisory_unlock(%s)", [PUSH_LOCK_KEY])
        holder.close()
        pusher.join(30)
    assert outcome["result"].exit_code == 0, outcome["result"].stderr
    assert [row["version"] for row in history(empty_db_url)] == ["20260101000000"]


def test_bad_input_is_one_line_and_exit_2(project, tmp_path):
    unreachable = project.run("postgresql://postgres@127.0.0.1:1/postgres", "db", "push")
    assert_one_line_error(unreachable, 2, "cannot connect to 127.0.0.1:1/postgres")
    malformed = project.run("postgresql://postgres@127.0.0.1:notaport/x", "db", "push")
    assert_one_line_error(malformed, 2, "malformed database URL")
    nonsense = project.run("not a url", "db", "push")
    assert_one_line_error(nonsense, 2, "malformed database URL")
    (project.migrations).rmdir()
    missing = project.run("postgresql://postgres@127.0.0.1:1/postgres", "db", "push")
    assert_one_line_error(missing, 2, "migrations folder not found")
    from tests.cli_helpers import invoke
    no_project = invoke("--project-dir", str(tmp_path / "nowhere"), "db", "push")
    assert_one_line_error(no_project, 2, "no supabase/ folder")
