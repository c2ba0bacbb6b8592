"""The Supabase emulation behaves as hosted Supabase does for RLS."""

import psycopg
import pytest

from cli import emulation, testing

OWN_NOTES = """
create table public.notes (id serial primary key, owner_id uuid not null, body text);
alter table public.notes enable row level security;
create policy "Users can read their own notes" on public.notes
  for select to authenticated using (owner_id = (select auth.uid()));
"""


@pytest.fixture
def notes(conn):
    conn.execute(OWN_NOTES)
    alice = testing.create_user(conn, email="alice@example.com")
    bob = testing.create_user(conn, email="bob@example.com")
    conn.execute("insert into public.notes (owner_id, body) values (%(a)s, 'alice'), (%(b)s, 'bob')",
                 {"a": alice, "b": bob})
    return alice, bob


def test_authenticated_claims_drive_auth_functions(conn):
    user_id = testing.create_user(conn, email="sam@example.com")
    with testing.as_user(conn, user_id, email="sam@example.com") as acting:
        row = acting.execute("select auth.uid() as uid, auth.role() as role, auth.email() as email, "
                             "auth.jwt() ->> 'aal' as aal, (auth.jwt() ->> 'is_anonymous')::boolean as anonymous, "
                             "current_user as who").fetchone()
    assert row == {"uid": user_id, "role": "authenticated", "email": "sam@example.com", "aal": "aal1",
                   "anonymous": False, "who": "authenticated"}


def test_legacy_claim_settings_are_read_first(conn):
    with conn.transaction(force_rollback=True):
        conn.execute("select set_config('request.jwt.claim.sub', '00000000-0000-0000-0000-00000000000a', true), "
                     "set_config('request.jwt.claims', '{\"sub\": \"00000000-0000-0000-0000-00000000000b\"}', true)")
        assert str(conn.execute("select auth.uid() as uid").fetchone()["uid"]).endswith("a")


def test_no_claims_means_no_user(conn):
    with testing.as_anon(conn) as acting:
        assert acting.execute("select auth.uid() as uid, auth.role() as role").fetchone() == {
            "uid": None, "role": "anon"}


def test_rls_hides_rows_from_anon_and_other_users_but_not_service_role(conn, notes):
    alice, _ = notes
    with testing.as_user(conn, alice) as acting:
        assert [r["body"] for r in acting.execute("select body from public.notes")] == ["alice"]
    with testing.as_anon(conn) as acting:
        assert acting.execute("select count(*) as n from public.notes").fetchone()["n"] == 0
    with testing.as_service_role(conn) as acting:
        assert acting.execute("select count(*) as n from public.notes").fetchone()["n"] == 2


def test_auth_users_is_not_readable_by_api_roles(conn):
    testing.create_user(conn)
    for act in (testing.as_anon, lambda c: testing.as_user(c, testing.create_user(conn))):
        with act(conn) as acting:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                acting.execute("select * from auth.users")


def test_roles_and_settings_match_supabase(conn):
    roles = {r["rolname"]: r for r in conn.execute(
        "select rolname, rolcanlogin, rolbypassrls, rolinherit from pg_roles "
        "where rolname in ('anon', 'authenticated', 'service_role', 'authenticator')")}
    assert not roles["anon"]["rolcanlogin"] and not roles["authenticated"]["rolcanlogin"]
    assert roles["service_role"]["rolbypassrls"] and not roles["authenticated"]["rolbypassrls"]
    assert roles["authenticator"]["rolcanlogin"] and not roles["authenticator"]["rolinherit"]
    assert conn.execute("select current_setting('pgrst.db_schemas') as s").fetchone()["s"] == "public"
    assert conn.execute("select pg_has_role(current_user, 'authenticated', 'member') as m").fetchone()["m"]
    columns = {r["column_name"] for r in conn.execute(
        "select column_name from information_schema.columns where table_schema = 'auth' and table_name = 'users'")}
    assert {"id", "email", "phone", "raw_user_meta_data", "raw_app_meta_data", "is_anonymous", "created_at",
            "updated_at", "deleted_at", "confirmed_at", "banned_until"} <= columns


def test_emulation_is_never_applied_where_auth_exists(conn):
    assert emulation.has_auth_schema(conn)
    assert emulation.apply(conn) is False
