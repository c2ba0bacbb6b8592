"""The migrations and the declared files (supabase/schemas, supabase/policies) build the same database.

Compared on the whole catalog (cli/catalog.py): schemas, extensions, types, tables and their column
order, row level security, constraints, indexes, functions (bodies exactly), triggers, views,
policies (storage.objects' and auth's too), grants, default privileges and comments. Replaces the
policy-only drift test. The edit tests show the comparison fails when either side changes alone.
"""

import pytest

from cli import catalog, connection, declared, pgtap
from tests.harness import TEST_HOOKS_FILE

DECLARED_TEMPLATE = "learnkit_declared_template"


@pytest.fixture(scope="session")
def declared_template(test_databases, settings) -> str:
    """Emulation + the declared files + the test helpers: what migrated_template holds, built the other way."""
    url = test_databases.create(DECLARED_TEMPLATE, as_template=True)
    with connection.connect(url) as conn:
        declared.build_declared(conn, settings)
    hooks = pgtap.run_file(url, settings.tests_dir / TEST_HOOKS_FILE)
    assert hooks.ok, hooks.error or hooks.failures
    return DECLARED_TEMPLATE


def _clone(test_databases, template, prefix):
    url = test_databases.clone(template, prefix=prefix)
    try:
        with connection.connect(url) as conn:
            yield conn
    finally:
        test_databases.drop(connection.conninfo.conninfo_to_dict(url)["dbname"])


@pytest.fixture(scope="module")
def migrated_conn(test_databases, migrated_template):
    yield from _clone(test_databases, migrated_template, "equivalence_migrated")


@pytest.fixture(scope="module")
def declared_conn(test_databases, declared_template):
    yield from _clone(test_databases, declared_template, "equivalence_declared")


@pytest.fixture(scope="module")
def declared_snapshot(declared_conn):
    return catalog.snapshot(declared_conn)


def test_migrations_and_declared_files_build_the_same_catalog(migrated_conn, declared_snapshot):
    found = catalog.differences(catalog.snapshot(migrated_conn), declared_snapshot, "migrated", "declared")
    assert found == [], f"{len(found)} difference(s), first ones:\n" + "\n".join(found[:40])


def test_the_snapshot_sees_every_part_of_the_schema(declared_snapshot):
    """Guards against a catalog query that silently returns nothing (a comparison of empty sets passes)."""
    assert all(declared_snapshot[category] for category in catalog.CATEGORIES), \
        [category for category in catalog.CATEGORIES if not declared_snapshot[category]]
    keys = {key for category in catalog.CATEGORIES for key in declared_snapshot[category]}
    assert any(key.startswith("policy ") and key.endswith(" on storage.objects") for key in keys)
    assert any(key.startswith("trigger ") and key.endswith(" on auth.users") for key in keys)
    assert "schema private" in keys and "table public.profiles" in keys


# (what an edit does, the statement, a fragment of the difference it must cause)
EDITS = [
    ("grant revoked", "revoke select on public.profiles from authenticated",
     "grant select on table public.profiles to authenticated: only in declared"),
    ("grant added", "grant insert on public.profiles to anon",
     "grant insert on table public.profiles to anon: only in edited"),
    ("column grant", "grant update (nickname) on public.profiles to anon",
     "grant update (nickname) on table public.profiles to anon: only in edited"),
    ("default privileges", "alter default privileges in schema private grant select on tables to anon",
     "default privileges for role postgres in schema private: grant select on tables to anon: only in edited"),
    ("comment changed", "comment on table public.profiles is 'edited'",
     "comment on table public.profiles: comment differs"),
    ("comment removed", "comment on table public.profiles is null",
     "comment on table public.profiles: only in declared"),
    ("column added", "alter table public.profiles add column edited text",
     "column public.profiles.edited: only in edited"),
    ("column default", "alter table public.profiles alter column created_at set default clock_timestamp()",
     "column public.profiles.created_at: default differs"),
    ("row level security", "alter table public.profiles force row level security",
     "table public.profiles: forced row level security differs"),
    ("constraint", "alter table public.profiles add constraint edited check (true)",
     "constraint edited on public.profiles: only in edited"),
    ("index", "create index edited on public.profiles (created_at)", "index public.edited: only in edited"),
    ("type", "create type public.edited as enum ('a')", "type public.edited: only in edited"),
    ("schema", "create schema edited", "schema edited: only in edited"),
    ("trigger disabled", "alter table public.profiles disable trigger user",
     "on public.profiles: enabled differs"),
]


@pytest.mark.parametrize(("edit", "statement", "expected"), EDITS, ids=[edit for edit, _, _ in EDITS])
def test_an_edit_of_one_side_is_a_difference(declared_conn, declared_snapshot, edit, statement, expected):
    found = _differences_after(declared_conn, declared_snapshot, statement)
    assert any(expected in line for line in found), found


def test_a_changed_function_body_is_a_difference(declared_conn, declared_snapshot):
    definition = declared_conn.execute(
        "select pg_get_functiondef('private.uid()'::regprocedure) as definition, p.prosrc "
        "from pg_proc p where p.oid = 'private.uid()'::regprocedure").fetchone()
    edited = definition["definition"].replace(definition["prosrc"], definition["prosrc"] + "\n-- edited\n", 1)
    found = _differences_after(declared_conn, declared_snapshot, edited)
    assert found == ["function private.uid(): definition differs"]


def test_a_changed_storage_policy_is_a_difference(declared_conn, declared_snapshot):
    key = next(key for key in declared_snapshot["policies"] if key.endswith(" on storage.objects"))
    name = key.removeprefix("policy ").removesuffix(" on storage.objects")
    found = _differences_after(declared_conn, declared_snapshot,
                               f"alter policy {name} on storage.objects to service_role")
    assert len(found) == 1 and found[0].startswith(f"{key}: roles differs"), found


def test_an_edit_of_the_migrated_side_is_a_difference(migrated_conn, declared_snapshot):
    """The other direction: the migrations gain something the declared files lack."""
    with migrated_conn.transaction(force_rollback=True):
        migrated_conn.execute("comment on table public.profiles is 'only the migrations say this'")
        edited = catalog.snapshot(migrated_conn)
    found = catalog.differences(edited, declared_snapshot, "migrated", "declared")
    assert "comment on table public.profiles: comment differs" in "\n".join(found)


def _differences_after(conn, original, statement) -> list[str]:
    with conn.transaction(force_rollback=True):
        conn.execute(statement)
        edited = catalog.snapshot(conn)
    return catalog.differences(original, edited, "declared", "edited")
