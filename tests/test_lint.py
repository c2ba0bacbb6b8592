"""learnkit db lint: sqlfluff with the repository's .sqlfluff over supabase/**/*.sql."""

import json
import shutil
from pathlib import Path

import pytest

from tests.cli_helpers import assert_one_line_error, invoke

REPO_ROOT = Path(__file__).resolve().parent.parent

CLEAN_MIGRATION = """\
-- Create notes: one row per note a student writes.
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
