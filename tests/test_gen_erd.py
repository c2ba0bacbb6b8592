"""`learnkit gen erd`: the diagram's content, writing, --check, --from-migrations and bad input, through the CLI."""

from pathlib import Path

import pytest

from cli import connection, erd
from cli.settings import Settings
from tests.cli_helpers import Project, assert_one_line_error, invoke

REPO_ROOT = Path(__file__).resolve().parent.parent

DOMAINS = {
    "01_people.sql": """
        create table public.people (id bigint primary key, name text not null, born date);
        create table private.people_audit (person_id bigint references public.people (id), at timestamptz);
    """,
    "02_things.sql": """
        create table public.things (
          id bigint primary key,
          owner_id bigint not null references public.people (id),
          parent_id bigint references public.things (id),
          label text
        );
    """,
}


def small_project(root: Path) -> Project:
    """A project whose declared files create three tables in two domains; its database is built from them."""
    project = Project(root)
    (project.root / "supabase" / "config.toml").write_text(
        '[db.migrations]\nschema_paths = ["./schemas/*.sql"]\n')
    schemas = project.root / "supabase" / "schemas"
    schemas.mkdir()
    for name, text in DOMAINS.items():
        (schemas / name).write_text(text)
    return project


@pytest.fixture
def project_url(empty_db_url, tmp_path):
    project = small_project(tmp_path / "project")
    with connection.connect(empty_db_url) as conn:
        conn.execute("create schema if not exists private")
        for text in DOMAINS.values():
            conn.execute(text)
        conn.execute("create table public.stray (id int primary key)")  # in the database, in no declared file
    return project, empty_db_url


def test_draws_tables_by_domain_with_key_columns_and_foreign_keys(project_url):
    project, url = project_url
    source = erd.from_database(url, erd_settings(project)).source
    assert 'label="people  (supabase/schemas/01_people.sql)"' in source
    assert 'label="things  (supabase/schemas/02_things.sql)"' in source
    assert f'label="{erd.UNDECLARED}"' in source  # public.stray: drift shows
    people = _cluster(source, "people")
    assert "public.people" in people and "private.people_audit" in people and "public.things" not in people
    # only key columns, the rest counted; each foreign key names its target and is an edge
    assert ">owner_id<" in source and "→ people" in source and "+ 1 column<" in source
    assert ">label<" not in source and ">born<" not in source
    assert '"public.people":out_id:e -> "public.things":in_owner_id:w' in source
    assert '"public.things":out_id:e -> "public.things":in_parent_id:w' in source
    assert '"public.people":out_id:e -> "private.people_audit":in_person_id:w' in source
    assert source == erd.from_database(url, erd_settings(project)).source  # deterministic


def test_writes_the_files_then_check_passes_until_one_is_stale(project_url, tmp_path):
    project, url = project_url
    out = tmp_path / "out"
    args = ("--project-dir", str(project.root), "--db-url", url, "gen", "erd", "--output-dir", str(out))
    written = invoke(*args)
    assert written.exit_code == 0, written.output
    assert "Wrote" in written.stderr
    source = (out / "erd.dot").read_text()
    assert f"{erd.DIGEST_MARKER}{erd.digest(source)}" in (out / "erd.svg").read_text()
    assert (out / "erd.png").read_bytes().startswith(b"\x89PNG")

    current = invoke(*args, "--check")
    assert current.exit_code == 0, current.output
    assert "up to date" in current.stderr

    (out / "erd.dot").write_text(source.replace("things", "stuff"))
    assert_one_line_error(invoke(*args, "--check"), 1, "erd.dot differs", "--from-migrations")
    assert "stuff" in (out / "erd.dot").read_text()  # --check never writes

    (out / "erd.dot").write_text(source)
    (out / "erd.svg").write_text((out / "erd.svg").read_text().replace(erd.digest(source), "0" * 64))
    assert_one_line_error(invoke(*args, "--check"), 1, "erd.svg was not rendered from")
    (out / "erd.png").unlink()
    assert_one_line_error(invoke(*args, "--check"), 1, "erd.png is missing")


def test_a_new_foreign_key_makes_the_committed_diagram_stale(project_url, tmp_path):
    project, url = project_url
    args = ("--project-dir", str(project.root), "--db-url", url, "gen", "erd", "--output-dir", str(tmp_path / "o"))
    assert invoke(*args).exit_code == 0
    with connection.connect(url) as conn:
        conn.execute("alter table public.stray add column thing_id bigint references public.things (id)")
    assert_one_line_error(invoke(*args, "--check"), 1, "erd.dot differs")


def test_from_migrations_builds_its_own_database(tmp_path):
    project = small_project(tmp_path / "project")
    project.migration("20240101000000", "people_and_things",
                      "create schema if not exists private;\n" + "\n".join(DOMAINS.values()))
    result = invoke("--project-dir", str(project.root), "gen", "erd", "--from-migrations")
    assert result.exit_code == 0, result.output
    source = (project.root / "docs" / "erd.dot").read_text()
    assert '"public.people":out_id:e -> "public.things":in_owner_id:w' in source
    assert erd.UNDECLARED not in source

    conflicting = invoke("--project-dir", str(project.root), "--db-url", "postgresql://x@127.0.0.1:1/x",
                         "gen", "erd", "--from-migrations")
    assert_one_line_error(conflicting, 2, "--from-migrations")


def test_without_graphviz_writing_is_a_usage_error_but_check_works(project_url, tmp_path):
    project, url = project_url
    args = ("--project-dir", str(project.root), "--db-url", url, "gen", "erd", "--output-dir", str(tmp_path / "o"))
    assert invoke(*args).exit_code == 0
    no_dot = {"PATH": str(tmp_path / "bin-without-dot")}  # graphviz finds `dot` on PATH
    assert_one_line_error(invoke(*args, env=no_dot), 2, "apt-get install graphviz")
    assert invoke(*args, "--check", env=no_dot).exit_code == 0


def test_without_declared_schema_paths_is_a_usage_error(empty_db_url, tmp_path):
    project = Project(tmp_path / "project")
    result = invoke("--project-dir", str(project.root), "--db-url", empty_db_url, "gen", "erd")
    assert_one_line_error(result, 2, "config.toml not found")


def test_committed_diagram_is_current_for_the_migrated_schema(db_url):
    """What CI enforces: docs/erd.dot is the diagram the migrations produce, and erd.svg was rendered from it."""
    result = invoke("--project-dir", str(REPO_ROOT), "--db-url", db_url, "gen", "erd", "--check")
    assert result.exit_code == 0, result.stderr


def erd_settings(project: Project) -> Settings:
    return Settings(project_dir=project.root)


def _cluster(source: str, domain: str) -> str:
    start = source.index(f"subgraph cluster_{domain} ")
    return source[start:source.index("\t}", start)]
