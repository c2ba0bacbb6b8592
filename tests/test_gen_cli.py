"""`learnkit gen types`: writing, --check, --from-migrations and bad input, through the CLI."""

import pytest

from cli import connection
from tests.cli_helpers import Project, assert_one_line_error, invoke
from tests.test_gen_rules import REPO_ROOT_FILES, SCHEMA, load_fixture


@pytest.fixture
def fixture_url(empty_db_url):
    with connection.connect(empty_db_url) as conn:
        load_fixture(conn)
    return empty_db_url


def test_writes_the_module_then_check_passes_until_it_is_edited(fixture_url, tmp_path):
    target = tmp_path / "out" / "types.py"
    written = invoke("--db-url", fixture_url, "gen", "types", "--schema", SCHEMA, "--output", str(target))
    assert written.exit_code == 0, written.output
    assert "Wrote" in written.stderr and "functions" in written.stderr
    assert "class ThingsRow:" in target.read_text()

    current = invoke("--db-url", fixture_url, "gen", "types", "--schema", SCHEMA, "--output", str(target), "--check")
    assert current.exit_code == 0, current.output
    assert "up to date" in current.stderr

    target.write_text(target.read_text().replace("class ThingsRow:", "class ThingsRowEdited:"))
    stale = invoke("--db-url", fixture_url, "gen", "types", "--schema", SCHEMA, "--output", str(target), "--check")
    assert_one_line_error(stale, 1, "stale", "--from-migrations")
    assert "ThingsRowEdited" in target.read_text()  # --check never writes


def test_check_fails_when_the_file_is_missing(fixture_url, tmp_path):
    result = invoke("--db-url", fixture_url, "gen", "types", "--schema", SCHEMA,
                    "--output", str(tmp_path / "absent.py"), "--check")
    assert_one_line_error(result, 1, "stale")


def test_unknown_schema_is_a_usage_error(fixture_url, tmp_path):
    result = invoke("--db-url", fixture_url, "gen", "types", "--schema", "no_such_schema",
                    "--output", str(tmp_path / "x.py"))
    assert_one_line_error(result, 2, "schema 'no_such_schema' not found")
    assert not (tmp_path / "x.py").exists()


def test_unreachable_database_is_a_usage_error(tmp_path):
    result = invoke("--db-url", "postgresql://postgres@127.0.0.1:1/nowhere", "gen", "types",
                    "--output", str(tmp_path / "x.py"))
    assert_one_line_error(result, 2, "cannot connect to 127.0.0.1:1/nowhere")


def test_from_migrations_builds_its_own_database(tmp_path):
    project = Project(tmp_path / "project")
    project.migration("20240101000000", "create_badges", """
        create type public.rarity as enum ('common', 'rare');
        create table public.badges (id bigint generated always as identity primary key, rarity public.rarity not null);
    """)
    result = invoke("--project-dir", str(project.root), "gen", "types", "--from-migrations")
    assert result.exit_code == 0, result.output
    text = (project.root / "workers" / "db_types.py").read_text()
    assert "from migration 20240101000000_create_badges." in text
    assert "class BadgesRow:" in text and "Rarity: _t.TypeAlias = _t.Literal['common', 'rare']" in text

    conflicting = invoke("--project-dir", str(project.root), "--db-url", "postgresql://x@127.0.0.1:1/x",
                         "gen", "types", "--from-migrations")
    assert_one_line_error(conflicting, 2, "--from-migrations")


def test_committed_module_is_current_for_the_migrated_schema(db_url):
    """What CI enforces: workers/db_types.py equals what the migrations generate."""
    project_dir = REPO_ROOT_FILES[0].parent.parent  # its supabase/codegen.toml declares the JSON shapes
    result = invoke("--project-dir", str(project_dir), "--db-url", db_url, "gen", "types", "--check",
                    "--output", str(REPO_ROOT_FILES[0]))
    assert result.exit_code == 0, result.stderr
