"""learnkit db advise: each check catches a deliberately bad object and passes a good one.

Every test builds its objects in a fresh clone of the migrated template (the `conn`
fixture) and runs only the check under test, asserting on the objects it names, so
the tests do not depend on what the rest of the schema contains. The last tests hold
learnkit's own schema to zero ERROR/WARN findings and exercise the command.
"""

import json

import pytest

from cli import advisor, connection, emulation
from tests.cli_helpers import assert_one_line_error, invoke


def flagged(conn, check: str) -> dict[str, advisor.Finding]:
    return {finding.object: finding for finding in advisor.advise(conn, [check])}


def test_rls_disabled_in_exposed_schema(conn):
    conn.execute("""
        create table public.adv_open (id int primary key);
        create table public.adv_closed (id int primary key);
        alter table public.adv_closed enable row level security;
        create policy "Anyone can read" on public.adv_closed for select to anon using (true);
        create table public.adv_ungranted (id int primary key);
        revoke all on public.adv_ungranted from anon, authenticated;
        create schema adv_internal;
        create table adv_internal.notes (id int primary key);
        grant usage on schema adv_internal to authenticated;
        grant select on adv_internal.notes to authenticated;
    """)
    found = flagged(conn, "rls_disabled_in_exposed_schema")
    assert "public.adv_open" in found
    assert found["public.adv_open"].level == "ERROR" and found["public.adv_open"].category == "SECURITY"
    assert "enable row level security" in found["public.adv_open"].fix
    for passing in ("public.adv_closed", "public.adv_ungranted", "adv_internal.notes"):
        assert passing not in found


def test_exposed_schemas_come_from_pgrst_db_schemas(conn):
    conn.execute("""
        create schema api;
        grant usage on schema api to anon, authenticated;
        create table api.adv_open (id int primary key);
        grant select on api.adv_open to anon;
    """)
    assert advisor.exposed_schemas(conn) == ["public"]
    assert "api.adv_open" not in flagged(conn, "rls_disabled_in_exposed_schema")
    conn.execute("set pgrst.db_schemas = 'public, api'")
    assert advisor.exposed_schemas(conn) == ["public", "api"]
    assert "api.adv_open" in flagged(conn, "rls_disabled_in_exposed_schema")


def test_policy_exists_rls_disabled(conn):
    conn.execute("""
        create table public.adv_forgot (id int primary key, user_id uuid);
        create policy "Users can read their rows" on public.adv_forgot for select to authenticated
          using (user_id = (select auth.uid()));
        create table public.adv_enabled (id int primary key, user_id uuid);
        alter table public.adv_enabled enable row level security;
        create policy "Users can read their rows" on public.adv_enabled for select to authenticated
          using (user_id = (select auth.uid()));
    """)
    found = flagged(conn, "policy_exists_rls_disabled")
    assert found["public.adv_forgot"].level == "ERROR"
    assert '"Users can read their rows"' in found["public.adv_forgot"].why
    assert "public.adv_enabled" not in found
    # reported once, by the more precise check
    assert "public.adv_forgot" not in flagged(conn, "rls_disabled_in_exposed_schema")


def test_rls_enabled_no_policy_is_info(conn):
    conn.execute("""
        create table public.adv_sealed (id int primary key);
        alter table public.adv_sealed enable row level security;
        create table public.adv_open_read (id int primary key);
        alter table public.adv_open_read enable row level security;
        create policy "Anyone can read" on public.adv_open_read for select to anon using (true);
    """)
    found = flagged(conn, "rls_enabled_no_policy")
    assert found["public.adv_sealed"].level == "INFO"
    assert "public.adv_open_read" not in found


def test_auth_rls_initplan_wants_every_call_in_its_own_select(conn):
    conn.execute("""
        create table public.adv_rows (id int primary key, user_id uuid, org_id uuid);
        alter table public.adv_rows enable row level security;
        create table public.adv_members (org_id uuid, user_id uuid, primary key (org_id, user_id));
        -- bad: evaluated per row
        create policy bad_bare on public.adv_rows for select to authenticated using (user_id = auth.uid());
        create policy bad_in_subquery on public.adv_rows for select to authenticated
          using (org_id in (select m.org_id from public.adv_members as m where m.user_id = auth.uid()));
        create policy bad_setting on public.adv_rows for select to authenticated
          using (user_id = (current_setting('request.jwt.claims', true)::jsonb ->> 'sub')::uuid);
        create policy bad_check on public.adv_rows for insert to authenticated with check (auth.uid() = user_id);
        create policy bad_private_uid on public.adv_rows for select to authenticated using (user_id = private.uid());
        create policy bad_one_of_two on public.adv_rows for update to authenticated
          using (user_id = (select auth.uid())) with check (user_id = auth.uid());
        -- good: once per statement
        create policy good_wrapped on public.adv_rows for select to authenticated using (user_id = (select auth.uid()));
        create policy good_nested on public.adv_rows for select to authenticated
          using (org_id in (select m.org_id from public.adv_members as m where m.user_id = (select auth.uid())));
        create policy good_expression on public.adv_rows for select to authenticated
          using ((select auth.jwt() ->> 'role') = 'authenticated');
        create policy good_private_uid on public.adv_rows for select to authenticated
          using (user_id = (select private.uid()));
        create policy good_setting on public.adv_rows for delete to authenticated
          using (user_id = (select (current_setting('request.jwt.claims', true)::jsonb ->> 'sub')::uuid));
    """)
    found = flagged(conn, "auth_rls_initplan")
    assert set(found) == {f"{name} on public.adv_rows" for name in
                          ("bad_bare", "bad_in_subquery", "bad_setting", "bad_check", "bad_one_of_two",
                           "bad_private_uid")}
    assert "auth.uid()" in found["bad_bare on public.adv_rows"].why
    assert "private.uid()" in found["bad_private_uid on public.adv_rows"].why
    assert "current_setting()" in found["bad_setting on public.adv_rows"].why
    assert {finding.level for finding in found.values()} == {"WARN"}


def test_multiple_permissive_policies(conn):
    conn.execute("""
        create table public.adv_twice (id int primary key, user_id uuid, guardian_id uuid);
        alter table public.adv_twice enable row level security;
        create policy "Students can read their rows" on public.adv_twice for select to authenticated
          using (user_id = (select auth.uid()));
        create policy "Guardians can read their students' rows" on public.adv_twice for select to authenticated
          using (guardian_id = (select auth.uid()));
        create table public.adv_public_too (id int primary key);
        alter table public.adv_public_too enable row level security;
        create policy "Everyone can delete" on public.adv_public_too for delete to public using (id < 0);
        create policy "Users can delete" on public.adv_public_too for delete to authenticated using (id < 10);
        create table public.adv_once (id int primary key, user_id uuid);
        alter table public.adv_once enable row level security;
        create policy "Users can read their rows" on public.adv_once for select to authenticated
          using (user_id = (select auth.uid()));
        create policy "Visitors can read row 1" on public.adv_once for select to anon using (id = 1);
        create policy "Only positive ids" on public.adv_once as restrictive for select to authenticated
          using (id > 0);
        create policy "Users can update their rows" on public.adv_once for update to authenticated
          using (user_id = (select auth.uid()));
    """)
    found = advisor.advise(conn, ["multiple_permissive_policies"])
    by_table = {(finding.object, finding.why.split(" permissive ")[1].split()[0]) for finding in found}
    assert ("public.adv_twice", "select") in by_table
    assert ("public.adv_public_too", "delete") in by_table
    assert not any(finding.object == "public.adv_once" for finding in found)
    assert {finding.level for finding in found} == {"WARN"}


def test_rls_policy_always_true_on_writes(conn):
    conn.execute("""
        create table public.adv_wide (id int primary key, user_id uuid);
        alter table public.adv_wide enable row level security;
        create policy bad_update on public.adv_wide for update to authenticated using (true);
        create policy bad_insert on public.adv_wide for insert to anon with check (true);
        create policy bad_delete on public.adv_wide for delete to public using (1 = 1);
        create policy bad_update_check on public.adv_wide for update to authenticated
          using (user_id = (select auth.uid())) with check (true);
        create policy good_read on public.adv_wide for select to anon using (true);
        create policy good_insert on public.adv_wide for insert to authenticated
          with check (user_id = (select auth.uid()));
        create policy good_server on public.adv_wide for delete to service_role using (true);
    """)
    found = flagged(conn, "rls_policy_always_true")
    assert set(found) == {f"{name} on public.adv_wide" for name in
                          ("bad_update", "bad_insert", "bad_delete", "bad_update_check")}
    assert "with check" in found["bad_update_check on public.adv_wide"].why


def test_unindexed_foreign_keys(conn):
    conn.execute("""
        create table public.adv_parent (id int primary key, tenant int, unique (id, tenant));
        create table public.adv_bare (id int primary key, parent_id int references public.adv_parent (id));
        create table public.adv_leading (id int primary key, parent_id int references public.adv_parent (id),
          created_at timestamptz);
        create index on public.adv_leading (parent_id, created_at);
        create table public.adv_trailing (id int primary key, parent_id int references public.adv_parent (id),
          created_at timestamptz);
        create index on public.adv_trailing (created_at, parent_id);
        create table public.adv_partial (id int primary key, parent_id int references public.adv_parent (id));
        create index on public.adv_partial (parent_id) where parent_id is not null;
        create table public.adv_composite (id int primary key, parent_id int, tenant int,
          foreign key (parent_id, tenant) references public.adv_parent (id, tenant));
        create index on public.adv_composite (tenant, parent_id);
        create table public.adv_by_pk (parent_id int primary key references public.adv_parent (id));
    """)
    found = flagged(conn, "unindexed_foreign_keys")
    for bad in ("public.adv_bare (parent_id)", "public.adv_trailing (parent_id)", "public.adv_partial (parent_id)"):
        assert bad in found
        assert found[bad].fix == f"create index on {bad}"
    for good in ("public.adv_leading (parent_id)", "public.adv_composite (parent_id, tenant)",
                 "public.adv_by_pk (parent_id)"):
        assert good not in found


def test_duplicate_index(conn):
    conn.execute("""
        create table public.adv_indexed (id int primary key, a int, b int);
        create index adv_a_first on public.adv_indexed (a);
        create index adv_a_again on public.adv_indexed (a);
        create index adv_id_copy on public.adv_indexed (id);
        create table public.adv_distinct (id int primary key, a int, b int);
        create index on public.adv_distinct (a, b);
        create index on public.adv_distinct (b, a);
        create index on public.adv_distinct (a) where b > 0;
        create index on public.adv_distinct (a);
    """)
    found = advisor.advise(conn, ["duplicate_index"])
    whys = [finding.why for finding in found if finding.object == "public.adv_indexed"]
    assert len(whys) == 2
    assert any("public.adv_a_again, public.adv_a_first" in why for why in whys)
    assert any("public.adv_id_copy, public.adv_indexed_pkey" in why for why in whys)
    assert not any(finding.object == "public.adv_distinct" for finding in found)


def test_no_primary_key(conn):
    conn.execute("""
        create table public.adv_heap (note text);
        create table public.adv_keyed (id int primary key);
        create table public.adv_events (id bigint, at date, primary key (id, at)) partition by range (at);
        create table public.adv_events_2026 partition of public.adv_events
          for values from ('2026-01-01') to ('2027-01-01');
        create table public.adv_log (at date) partition by range (at);
        create table public.adv_log_2026 partition of public.adv_log for values from ('2026-01-01') to ('2027-01-01');
    """)
    found = flagged(conn, "no_primary_key")
    assert found["public.adv_heap"].level == "WARN"
    assert "public.adv_log" in found
    for good in ("public.adv_keyed", "public.adv_events", "public.adv_events_2026", "public.adv_log_2026"):
        assert good not in found


def test_security_definer_search_path_mutable(conn):
    conn.execute("""
        create schema adv_private;
        create function adv_private.bad_definer() returns int language sql security definer as 'select 1';
        create function adv_private.good_definer() returns int language sql security definer
          set search_path = '' as 'select 1';
        create function adv_private.invoker_free() returns int language sql as 'select 1';
    """)
    found = flagged(conn, "security_definer_search_path_mutable")
    assert found["adv_private.bad_definer()"].level == "ERROR"
    assert "set search_path = ''" in found["adv_private.bad_definer()"].fix
    assert "adv_private.good_definer()" not in found
    assert "adv_private.invoker_free()" not in found


def test_security_definer_executable_by_anon(conn):
    conn.execute("""
        create function public.adv_open_rpc(n int) returns int language sql security definer
          set search_path = '' as 'select n';
        grant execute on function public.adv_open_rpc(int) to public;  -- what a missing revoke amounts to
        create function public.adv_closed_rpc(n int) returns int language sql security definer
          set search_path = '' as 'select n';
        revoke execute on function public.adv_closed_rpc(int) from public, anon;
        grant execute on function public.adv_closed_rpc(int) to authenticated;
        create function public.adv_invoker_rpc() returns int language sql set search_path = '' as 'select 1';
        create function public.adv_trigger() returns trigger language plpgsql security definer
          set search_path = '' as 'begin return new; end';
        create schema adv_private;
        grant usage on schema adv_private to anon;
        create function adv_private.adv_helper() returns int language sql security definer
          set search_path = '' as 'select 1';
    """)
    found = flagged(conn, "security_definer_executable_by_anon")
    assert "public.adv_open_rpc(integer)" in found
    assert "/rest/v1/rpc/adv_open_rpc" in found["public.adv_open_rpc(integer)"].why
    for good in ("public.adv_closed_rpc(integer)", "public.adv_invoker_rpc()", "public.adv_trigger()",
                 "adv_private.adv_helper()"):
        assert good not in found


def test_security_definer_view(conn):
    conn.execute("""
        create table public.adv_secret (id int primary key, user_id uuid);
        alter table public.adv_secret enable row level security;
        create policy "Users can read their rows" on public.adv_secret for select to authenticated
          using (user_id = (select auth.uid()));
        create schema adv_private;
        create table adv_private.adv_hidden (id int primary key);
        create table public.adv_lookup (id int primary key);
        revoke insert, update, delete on public.adv_lookup from anon, authenticated;

        create view public.adv_definer as select id from public.adv_secret;
        create view public.adv_over_private as select id from adv_private.adv_hidden;
        create view public.adv_invoker_inner with (security_invoker = true) as select id from public.adv_secret;
        create view public.adv_definer_outer as select id from public.adv_invoker_inner;

        create view public.adv_invoker with (security_invoker) as select id from public.adv_secret;
        create view public.adv_plain_lookup as select id from public.adv_lookup;
        create view public.adv_unreadable as select id from public.adv_secret;
        revoke select on public.adv_unreadable from anon, authenticated;
    """)
    found = flagged(conn, "security_definer_view")
    for bad in ("public.adv_definer", "public.adv_over_private", "public.adv_definer_outer"):
        assert found[bad].level == "ERROR"
        assert found[bad].fix == f"alter view {bad} set (security_invoker = true)"
    assert "public.adv_secret" in found["public.adv_definer_outer"].why
    for good in ("public.adv_invoker", "public.adv_invoker_inner", "public.adv_plain_lookup",
                 "public.adv_unreadable"):
        assert good not in found


def test_materialized_view_in_api(conn):
    conn.execute("""
        create table public.adv_facts (id int primary key, n int);
        alter table public.adv_facts enable row level security;
        create materialized view public.adv_rollup as select count(*) as n from public.adv_facts;
        create materialized view public.adv_rollup_private as select count(*) as n from public.adv_facts;
        revoke select on public.adv_rollup_private from anon, authenticated;
    """)
    found = flagged(conn, "materialized_view_in_api")
    assert "anon and authenticated" in found["public.adv_rollup"].why
    assert "public.adv_rollup_private" not in found


def test_rls_references_user_metadata(conn):
    conn.execute("""
        create table public.adv_staff_only (id int primary key);
        alter table public.adv_staff_only enable row level security;
        create policy bad_jwt on public.adv_staff_only for select to authenticated
          using ((select auth.jwt() -> 'user_metadata' ->> 'role') = 'teacher');
        create policy bad_users on public.adv_staff_only for update to authenticated
          using (exists (select 1 from auth.users as u where u.id = (select auth.uid())
                         and u.raw_user_meta_data ->> 'role' = 'teacher'));
        create policy good_app on public.adv_staff_only for delete to authenticated
          using ((select auth.jwt() -> 'app_metadata' ->> 'role') = 'teacher');
    """)
    found = flagged(conn, "rls_references_user_metadata")
    assert set(found) == {"bad_jwt on public.adv_staff_only", "bad_users on public.adv_staff_only"}
    assert {finding.level for finding in found.values()} == {"ERROR"}


def test_extension_in_public(conn):
    conn.execute("create extension citext with schema public; create extension pg_trgm with schema extensions")
    found = flagged(conn, "extension_in_public")
    assert "citext" in found and found["citext"].fix == "alter extension citext set schema extensions"
    assert "pg_trgm" not in found


def test_auth_users_exposed(conn):
    conn.execute("""
        create view public.adv_people as select id, email from auth.users;
        create materialized view public.adv_people_cache as select id, email from auth.users;
        create view public.adv_people_nested as select id from public.adv_people;
        create view public.adv_people_invoker with (security_invoker = true) as select id, email from auth.users;
        create view public.adv_people_revoked as select id, email from auth.users;
        revoke select on public.adv_people_revoked from anon, authenticated;
    """)
    found = flagged(conn, "auth_users_exposed")
    for bad in ("public.adv_people", "public.adv_people_cache", "public.adv_people_nested"):
        assert found[bad].level == "ERROR"
        assert found[bad].why.endswith("to anon and authenticated")
    assert "public.adv_people_invoker" not in found
    assert "public.adv_people_revoked" not in found


def test_objects_owned_by_extensions_are_ignored(conn):
    conn.execute("""
        create extension citext with schema extensions;
        create table public.adv_ext_owned (note text);
        alter extension citext add table public.adv_ext_owned;
        create table public.adv_not_owned (note text);
    """)
    found = flagged(conn, "no_primary_key")
    assert "public.adv_not_owned" in found
    assert "public.adv_ext_owned" not in found


def test_learnkit_schema_has_no_error_or_warn_findings(conn):
    blocking = [f for f in advisor.advise(conn) if f.blocking]
    assert not blocking, "\n".join(f"{f.level} {f.check} {f.object}: {f.why}" for f in blocking)


def test_learnkit_schema_has_one_permissive_policy_per_role_and_command(conn):
    """The per-persona policies were merged into one per command (the *_combine_* migrations).

    Covered by the test above too; kept apart so a regression names the check and every table."""
    pending = advisor.advise(conn, ["multiple_permissive_policies"])
    assert not pending, f"{len(pending)} findings:\n" + "\n".join(f"{f.object}: {f.why}" for f in pending)


def test_advise_leaves_the_connection_as_it_was(conn):
    advisor.advise(conn)
    row = conn.execute("select current_setting('search_path') as path, "
                       "current_setting('transaction_read_only') as ro").fetchone()
    assert row == {"path": '"$user", public, extensions', "ro": "off"}


# ---------------------------------------------------------------- the command

@pytest.fixture
def emulated_db_url(empty_db_url):
    """A database with only the Supabase emulation: nothing of the project's to report."""
    with connection.connect(empty_db_url) as conn:
        emulation.apply(conn)
    return empty_db_url


def test_cli_clean_database_exits_0(emulated_db_url):
    result = invoke("db", "advise", "--db-url", emulated_db_url)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "0 ERROR, 0 WARN, 0 INFO" in result.stderr


def test_cli_findings_exit_1_with_a_readable_report(emulated_db_url):
    with connection.connect(emulated_db_url) as conn:
        conn.execute("create table public.adv_open (id int primary key)")
    result = invoke("db", "advise", "--db-url", emulated_db_url)
    assert_one_line_error(result, 1, "1 ERROR/WARN finding")
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["ERROR", "SECURITY", "rls_disabled_in_exposed_schema", "public.adv_open"]
    assert lines[1].startswith("    why: table public.adv_open is served by the API")
    assert lines[2] == "    fix: alter table public.adv_open enable row level security; then add one policy " \
                       "per operation and role"


def test_cli_json_lines(emulated_db_url):
    with connection.connect(emulated_db_url) as conn:
        conn.execute("""
            create table public.adv_open (id int primary key);
            create table public.adv_sealed (id int primary key);
            alter table public.adv_sealed enable row level security;
        """)
    result = invoke("--json", "db", "advise", "--db-url", emulated_db_url)
    assert result.exit_code == 1
    findings = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(f["level"], f["check"], f["object"]) for f in findings] == [
        ("ERROR", "rls_disabled_in_exposed_schema", "public.adv_open"),
        ("INFO", "rls_enabled_no_policy", "public.adv_sealed"),
    ]
    assert set(findings[0]) == {"check", "level", "category", "object", "why", "fix"}


def test_cli_info_only_exits_0(emulated_db_url):
    with connection.connect(emulated_db_url) as conn:
        conn.execute("create table public.adv_sealed (id int primary key); "
                     "alter table public.adv_sealed enable row level security")
    result = invoke("db", "advise", "--db-url", emulated_db_url, "--check", "rls_enabled_no_policy")
    assert result.exit_code == 0, result.output
    assert "INFO" in result.stdout and "0 ERROR, 0 WARN, 1 INFO from 1 check(s)" in result.stderr


def test_cli_unknown_check_exits_2(emulated_db_url):
    result = invoke("db", "advise", "--db-url", emulated_db_url, "--check", "nope")
    assert_one_line_error(result, 2, "unknown check(s) nope")


def test_cli_unreachable_database_exits_2_with_one_line():
    result = invoke("db", "advise", "--db-url", "postgresql://nobody@127.0.0.1:1/none")
    assert_one_line_error(result, 2, "cannot connect to 127.0.0.1:1/none")
    assert result.stdout == ""


def test_every_check_is_documented(settings):
    doc = (settings.project_dir / "docs" / "quality-gates.md").read_text()
    for name in advisor.check_names():
        assert f"`{name}`" in doc, name
