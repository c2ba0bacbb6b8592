"""learnkit db lint: sqlfluff with the repository's .sqlfluff over supabase/**/*.sql, then squawk with its
.squawk.toml over the migrations after the newest baseline."""

import json
import shutil
import sys
from pathlib import Path

import pytest

from tests.cli_helpers import assert_one_line_error, invoke

REPO_ROOT = Path(__file__).resolve().parent.parent

CLEAN_MIGRATION = """\
-- Create notes: one row per note a student writes.
set local lock_timeout = '2s';  -- the reference to auth.users locks it
create table public.notes (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  body    text not null,
  pinned  boolean not null default false
);
create index notes_user_id_idx on public.notes (user_id);
alter table public.notes enable row level security;
comment on table public.notes is 'Notes students write.';

create policy "Students can read their own notes"
  on public.notes for select to authenticated
  using (user_id = (select auth.uid()));

create function private.note_count(target uuid) returns bigint
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return (select count(*) from public.notes as n where n.user_id = target);
end
$$;

create function public.pinned_notes() returns setof public.notes
language sql
stable
begin atomic
  select * from public.notes as n where n.pinned;
end;
"""

PGTAP_TEST = """\
begin;
create extension if not exists pgtap with schema extensions;
select plan(1);
select has_table('public', 'notes', 'notes exists');
select * from finish();
rollback;
"""

BAD_MIGRATION = """\
-- Create things.
CREATE TABLE public.things (id INTEGER PRIMARY KEY, flag boolean DEFAULT TRUE);
select count(*) from public.things t where t.flag = null;
"""


@pytest.fixture
def project(tmp_path):
    shutil.copy(REPO_ROOT / ".sqlfluff", tmp_path / ".sqlfluff")
    shutil.copy(REPO_ROOT / ".squawk.toml", tmp_path / ".squawk.toml")
    (tmp_path / "supabase" / "migrations").mkdir(parents=True)
    (tmp_path / "supabase" / "tests" / "database").mkdir(parents=True)
    return tmp_path


def lint(project, *args):
    return invoke("--project-dir", str(project), "db", "lint", "--processes", "1", *args)


def test_clean_supabase_sql_passes(project):
    (project / "supabase" / "migrations" / "20260101000000_create_notes.sql").write_text(CLEAN_MIGRATION)
    (project / "supabase" / "tests" / "database" / "01-notes.test.sql").write_text(PGTAP_TEST)
    result = lint(project)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "Linted 2 file(s)" in result.stderr


def test_violations_exit_1_with_file_line_column_rule_message(project):
    (project / "supabase" / "migrations" / "20260101000000_create_things.sql").write_text(BAD_MIGRATION)
    result = lint(project)
    assert_one_line_error(result, 1, "lint violation(s) in 1 file(s)", "--fix")
    lines = result.stdout.splitlines()
    name = "supabase/migrations/20260101000000_create_things.sql"
    assert lines == [
        f"{name}:2:1 CP01 Keywords must be lower case.",
        f"{name}:2:8 CP01 Keywords must be lower case.",
        f"{name}:2:32 CP05 Datatypes must be lower case.",
        f"{name}:2:40 CP01 Keywords must be lower case.",
        f"{name}:2:48 CP01 Keywords must be lower case.",
        f"{name}:2:66 CP01 Keywords must be lower case.",
        f"{name}:2:74 CP04 Boolean/null literals must be lower case.",
        f"{name}:3:36 AL01 Implicit/explicit aliasing of table.",
        f"{name}:3:51 CV05 Comparisons with NULL should use \"IS\" or \"IS NOT\".",
    ]
    assert "9 lint violation(s) in 1 file(s)" in result.stderr


def test_json_lines(project):
    (project / "supabase" / "migrations" / "20260101000000_create_things.sql").write_text(BAD_MIGRATION)
    result = invoke("--json", "--project-dir", str(project), "db", "lint", "--processes", "1")
    assert result.exit_code == 1
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert records[0] == {"file": "supabase/migrations/20260101000000_create_things.sql", "line": 2, "column": 1,
                          "rule": "CP01", "message": "Keywords must be lower case."}


def test_fix_rewrites_the_file_and_reports_what_it_cannot_fix(project):
    path = project / "supabase" / "migrations" / "20260101000000_create_things.sql"
    path.write_text(BAD_MIGRATION)
    result = lint(project, "--fix")
    assert result.exit_code == 0, result.output
    assert path.read_text() == ("-- Create things.\n"
                                "create table public.things (id integer primary key, flag boolean default true);\n"
                                "select count(*) from public.things as t where t.flag is null;\n")
    assert "fixed supabase/migrations/20260101000000_create_things.sql" in result.stderr
    # an unqualified column in a join is ambiguous to a reader; sqlfluff cannot choose the table
    path.write_text(BAD_MIGRATION + "SELECT id FROM public.things as t inner join public.things as u on t.id = u.id;\n")
    result = lint(project, "--fix")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "supabase/migrations/20260101000000_create_things.sql:4:8 RF02 Unqualified reference 'id' found in select "
        "with more than one referenced table/view."]
    assert path.read_text().endswith("select id from public.things as t inner join public.things as u on t.id = u.id;\n")


def test_unparsable_sql_is_a_violation(project):
    (project / "supabase" / "migrations" / "20260101000000_broken.sql").write_text("create tabel x (id int);\n")
    result = lint(project)
    assert result.exit_code == 1
    assert "20260101000000_broken.sql:1:1 PRS" in result.stdout


def test_explicit_paths_and_missing_ones(project, tmp_path):
    clean = project / "supabase" / "migrations" / "20260101000000_create_notes.sql"
    clean.write_text(CLEAN_MIGRATION)
    (project / "supabase" / "migrations" / "20260101000001_create_things.sql").write_text(BAD_MIGRATION)
    result = lint(project, str(clean))
    assert result.exit_code == 0, result.output
    assert "Linted 1 file(s)" in result.stderr
    result = lint(project, str(tmp_path / "nowhere.sql"))
    assert_one_line_error(result, 2, "no such file or folder")


def test_missing_config_is_a_usage_error(project):
    (project / ".sqlfluff").unlink()
    (project / "supabase" / "migrations" / "20260101000000_create_notes.sql").write_text(CLEAN_MIGRATION)
    result = lint(project)
    assert_one_line_error(result, 2, "no .sqlfluff in")


# ---------------------------------------------------------------- squawk: migrations after the baseline
# A baseline builds its tables in an empty database: no lock_timeout, plain indexes (squawk would flag them).
BASELINE = CLEAN_MIGRATION.replace("set local lock_timeout = '2s';  -- the reference to auth.users locks it\n", "")

# What a migration must not do to a table holding data (each line names the rule it breaks).
UNSAFE_MIGRATION = """\
-- Index notes by body and give each note a token.
create index notes_body_idx on public.notes (body);
alter table public.notes add column token uuid not null default gen_random_uuid();
alter table public.notes alter column body type varchar(200);
alter table public.notes add constraint notes_body_length check (length(body) <= 2000);
"""

# The same intent done safely, over two migrations (each runs in its own transaction).
SAFE_MIGRATION = """\
-- Give each note a token (filled by a later migration) and a length check validated in the next one.
set local lock_timeout = '2s';
alter table public.notes add column token uuid;
alter table public.notes add constraint notes_body_length check (length(body) <= 2000) not valid;
alter table public.notes add constraint notes_token_not_null check (token is not null) not valid;
-- notes holds a few rows per student: blocking its writes for the build is accepted (docs/quality-gates.md)
-- squawk-ignore require-concurrent-index-creation
create index if not exists notes_body_idx on public.notes (body);
create table public.note_tags (
  note_id uuid not null references public.notes (id) on delete cascade,
  tag text not null,
  primary key (note_id, tag)
);
create index note_tags_tag_idx on public.note_tags (tag);
alter table public.note_tags enable row level security;
comment on table public.note_tags is 'Tags students put on their notes.';
"""

SAFE_FOLLOW_UP = """\
-- Validate the checks (no write lock while scanning), then not null from the validated check: no second scan.
set local lock_timeout = '2s';
update public.notes set token = gen_random_uuid() where token is null;
alter table public.notes validate constraint notes_body_length;
alter table public.notes validate constraint notes_token_not_null;
alter table public.notes alter column token set not null;
"""


@pytest.fixture
def migrations(project):
    folder = project / "supabase" / "migrations"
    (folder / "20260101000000_add_things.sql").write_text("create index things_idx on public.things (id);\n")
    (folder / "20260102000000_baseline_notes.sql").write_text(BASELINE)
    return folder


def test_unsafe_migration_after_the_baseline_fails_naming_each_rule(project, migrations):
    (migrations / "20260103000000_index_notes.sql").write_text(UNSAFE_MIGRATION)
    result = lint(project)
    assert_one_line_error(result, 1, "lint violation(s) in 1 file(s)")
    name = "supabase/migrations/20260103000000_index_notes.sql"
    found = {(line.split(" ")[0], line.split(" ")[1]) for line in result.stdout.splitlines()}
    assert found == {
        (f"{name}:2:1", "require-concurrent-index-creation"),
        (f"{name}:2:1", "require-lock-timeout"),  # every statement that takes a lock, reported once
        (f"{name}:3:65", "adding-field-with-default"),  # a volatile default rewrites the table
        (f"{name}:4:44", "changing-column-type"),
        (f"{name}:4:49", "prefer-text-field"),
        (f"{name}:5:26", "constraint-missing-not-valid"),
    }, result.stdout
    # the baseline and the migration before it were not squawked: only sqlfluff read them
    assert "baseline" not in result.stdout and "add_things" not in result.stdout


def test_safe_migrations_after_the_baseline_pass(project, migrations):
    (migrations / "20260103000000_add_note_tokens.sql").write_text(SAFE_MIGRATION)
    (migrations / "20260104000000_require_note_tokens.sql").write_text(SAFE_FOLLOW_UP)
    result = lint(project)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""


def test_validating_in_the_migration_that_adds_the_check_fails(project, migrations):
    (migrations / "20260103000000_add_note_tokens.sql").write_text(SAFE_MIGRATION + SAFE_FOLLOW_UP)
    result = lint(project)
    assert result.exit_code == 1
    assert "constraint-missing-not-valid" in result.stdout  # the add's ACCESS EXCLUSIVE lock lasts through the scan


def test_index_built_concurrently_cannot_be_in_a_migration(project, migrations):
    (migrations / "20260103000000_index_notes.sql").write_text(
        "-- Index notes by body.\nset local lock_timeout = '2s';\n"
        "create index concurrently if not exists notes_body_idx on public.notes (body);\n")
    result = lint(project)
    assert result.exit_code == 1
    assert "20260103000000_index_notes.sql:3:14 ban-concurrent-index-creation-in-transaction" in result.stdout


def test_explicit_paths_squawk_only_migrations_after_the_baseline(project, migrations):
    unsafe = migrations / "20260103000000_index_notes.sql"
    unsafe.write_text(UNSAFE_MIGRATION.replace("alter table public.notes alter column body type varchar(200);\n", ""))
    assert lint(project, str(migrations / "20260101000000_add_things.sql")).exit_code == 0
    result = lint(project, str(unsafe))
    assert result.exit_code == 1
    assert "require-concurrent-index-creation" in result.stdout


def test_without_a_baseline_every_migration_is_squawked(project):
    (project / "supabase" / "migrations" / "20260101000000_add_things.sql").write_text(
        "-- Index things.\ncreate index things_idx on public.things (id);\n")
    result = lint(project)
    assert result.exit_code == 1
    assert "20260101000000_add_things.sql:2:1 require-concurrent-index-creation" in result.stdout


def test_json_lines_carry_squawk_findings(project, migrations):
    (migrations / "20260103000000_index_notes.sql").write_text(UNSAFE_MIGRATION)
    result = invoke("--json", "--project-dir", str(project), "db", "lint", "--processes", "1")
    assert result.exit_code == 1
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert {"file": "supabase/migrations/20260103000000_index_notes.sql", "line": 5, "column": 26,
            "rule": "constraint-missing-not-valid",
            "message": "By default new constraints require a table scan and block writes to the table while that "
                       "scan occurs. Use `NOT VALID` with a later `VALIDATE CONSTRAINT` call."} in records


def test_missing_squawk_config_is_a_usage_error(project, migrations):
    (migrations / "20260103000000_add_note_tokens.sql").write_text(SAFE_MIGRATION)
    (project / ".squawk.toml").unlink()
    result = lint(project)
    assert_one_line_error(result, 2, "no .squawk.toml in")


def test_missing_squawk_is_a_usage_error(project, migrations, monkeypatch, tmp_path):
    (migrations / "20260103000000_add_note_tokens.sql").write_text(SAFE_MIGRATION)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "elsewhere" / "python"))
    monkeypatch.setenv("PATH", str(tmp_path / "elsewhere"))
    result = lint(project)
    assert_one_line_error(result, 2, "squawk is not installed", "pip install")
