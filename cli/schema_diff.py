"""`learnkit db diff`: the SQL that turns a migrated database into the declared schema.

A scratch database is built from the declared files (cli/declared.py) on the
target's server, so both sides see the same roles, then compared with the target:

- migra (PyPI `migradiff`) writes the structural SQL: schemas, extensions, types,
  tables and columns, constraints, indexes, views, functions, triggers, policies
  and row level security;
- grants, default privileges, comments and ownership come from the catalog
  snapshots (cli/catalog.py), because migra reports no revoked grant and no
  comment change.

The scratch database is always dropped, even when building it fails.
"""

import os
import re
import secrets
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
from psycopg import conninfo, sql

from cli import catalog, connection, declared, lint, migrations, project, queries
from cli.errors import Failure, UsageError
from cli.migrations import Progress
from cli.settings import Settings

# schemainspect already leaves out pg_* and information_schema.
EXCLUDED_SCHEMAS = frozenset({"supabase_migrations"})
# Schemas Supabase (or learnkit's emulation of it) owns: a hosted project's auth and storage hold far more than the
# emulation's, and the rest come with the platform. learnkit adds only policies (storage.objects) and triggers
# (auth.users) to them, so only those are compared there; everything else in them is never diffed, and never dropped.
MANAGED_SCHEMAS = frozenset({
    "auth", "storage", "extensions", "graphql", "graphql_public", "realtime", "_realtime", "vault", "pgsodium",
    "pgsodium_masks", "supabase_functions", "net", "cron", "pgbouncer", "_analytics", "pgtle", "tests",
})
COMPARED_IN_MANAGED_SCHEMAS = ("rlspolicies", "triggers")
# What may lose data or access: a drop, or a column or constraint dropped from a table.
DROP = re.compile(r"^\s*(drop\s|alter\s+table\s+\S+\s+drop\s+(column|constraint)\b)", re.IGNORECASE)
MIGRA_DROPPED = re.compile(
    r'\bdrop\s+(view|materialized view|function|procedure|aggregate|type|sequence|table)\s+(?:if exists\s+)?'
    r'"((?:[^"]|"")+)"\."((?:[^"]|"")+)"', re.IGNORECASE)
SIMPLE_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_$]*")
# Differences of these fields are written here (or, for position, warned about), not by migra.
HANDLED_FIELDS = (": owner differs", ": options differs", ": position differs")
# Where a grant's object kind finds the default privileges that apply to it.
DEFAULT_PRIVILEGE_OBJECTS = {"table": "tables", "sequence": "sequences", "function": "functions",
                             "procedure": "functions", "type": "types", "schema": "schemas"}
# The words `comment on` puts before an object's name, longest first.
COMMENT_KINDS = ("materialized view", "foreign table", "column", "table", "view", "function", "procedure",
                 "aggregate", "type", "sequence", "index")
# acldefault: what a new object grants PUBLIC before any default privileges.
PUBLIC_BY_DEFAULT = {"function", "procedure", "type"}


@dataclass
class SchemaDiff:
    statements: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def drops(self) -> list[str]:
        return [statement for statement in self.statements if DROP.search(statement)]

    @property
    def sql(self) -> str:
        return "".join(statement.rstrip().rstrip(";") + ";\n\n" for statement in self.statements)


# ---------------------------------------------------------------- the command's work
def diff(settings: Settings, target_url: str, progress: Progress = lambda _: None) -> SchemaDiff:
    files = declared.declared_files(settings)  # configuration errors before any database work
    with scratch_database(settings, target_url) as scratch_url:
        progress(f"Building the declared schema from {len(files)} file(s) in a scratch database...")
        with connection.connect(scratch_url) as conn:
            declared.build_declared(conn, settings, files)
        progress("Comparing the declared schema with the database...")
        return compare(target_url, scratch_url)


# A generated migration waits at most this long for a lock, then fails instead of queueing every query behind it.
LOCK_TIMEOUT = "set local lock_timeout = '5s';\n\n"
VALIDATE = re.compile(r"^alter table .* validate constraint ", re.IGNORECASE)


def write_migrations(settings: Settings, name: str, result: SchemaDiff) -> list[Path]:
    """NAME's migration, and `validate_NAME` when constraints must be validated (in their own transaction, as
    squawk's constraint-missing-not-valid asks: validating scans the table under a lock that lets writes go on).
    Both start with a lock timeout and get the project's sqlfluff fixes, so `learnkit db lint` passes them."""
    validations = [statement for statement in result.statements if VALIDATE.match(statement)]
    changes = SchemaDiff(statements=[statement for statement in result.statements if statement not in validations])
    now = datetime.now(UTC)
    header = [f"-- {name.replace('_', ' ')}", "--",
              "-- Generated by `learnkit db diff` from the declared schema (supabase/config.toml",
              "-- [db.migrations] schema_paths). Review it before pushing: a generated migration",
              "-- may lock or rewrite tables that hold data."]
    if changes.drops:
        header.append(f"-- It drops objects ({len(changes.drops)} statement(s)): check nothing of value is lost.")
    paths = [_write(settings, name, now, header, changes)]
    if validations:
        paths.append(_write(settings, f"validate_{name}", now + timedelta(seconds=1), [
            f"-- validate {name.replace('_', ' ')}", "--",
            "-- Generated by `learnkit db diff` with the migration before it: the constraints it added as",
            "-- `not valid`, validated in a transaction of their own (reads and writes go on meanwhile)."],
            SchemaDiff(statements=validations)))
    if (settings.project_dir / ".sqlfluff").is_file():  # the project's SQL style, where it has one
        lint.lint(settings, paths, fix=True, processes=1)
    return paths


def _write(settings: Settings, name: str, when: datetime, header: list[str], result: SchemaDiff) -> Path:
    path = migrations.new_migration(settings.migrations_dir, name, now=when)
    path.write_text("\n".join(header) + "\n\n" + LOCK_TIMEOUT + result.sql.rstrip() + "\n")
    return path


def check_name(name: str) -> None:
    """A bad -f NAME is reported before the scratch database is built."""
    if not migrations.MIGRATION_NAME.match(name):
        raise UsageError(f"invalid migration name {name!r}: use lowercase letters, digits and _ (verb_object)")


# ---------------------------------------------------------------- the scratch database
@contextmanager
def scratch_database(settings: Settings, target_url: str) -> Iterator[str]:
    """A new empty database on the target's server (else the local server); dropped on exit."""
    name = f"learnkit_diff_{os.getpid()}_{secrets.token_hex(4)}"
    admin_url = target_url
    try:
        _create_database(admin_url, name)
    except psycopg.errors.InsufficientPrivilege as error:
        admin_url = _fallback_server(settings, target_url, error)
        _create_database(admin_url, name)
    try:
        yield conninfo.make_conninfo(admin_url, dbname=name)
    finally:
        with connection.connect(admin_url) as admin:
            admin.execute(sql.SQL(queries.query("testing.sql", "drop_database")).format(target=sql.Identifier(name)))


def _create_database(admin_url: str, name: str) -> None:
    with connection.connect(admin_url) as admin:
        admin.execute(sql.SQL(queries.query("catalog.sql", "create_scratch_database")).format(
            target=sql.Identifier(name)))


def _fallback_server(settings: Settings, target_url: str, error: psycopg.Error) -> str:
    """Without CREATEDB on the target, the project's local server builds the scratch database."""
    local = project.local_server(settings)
    if not local.is_running() or local.url() == target_url:
        raise UsageError(f"cannot create a scratch database on {connection.describe(target_url)} "
                         f"({error.diag.message_primary}): use a role with CREATEDB, or start the local "
                         "server (`learnkit db start`) to build it there") from None
    return local.url()


# ---------------------------------------------------------------- comparing
def compare(migrated_url: str, declared_url: str) -> SchemaDiff:
    """The SQL that turns the database at migrated_url into the one at declared_url."""
    with connection.connect(migrated_url) as conn:
        migrated = catalog.snapshot(conn)
    with connection.connect(declared_url) as conn:
        wanted = catalog.snapshot(conn)
    # Partitions are data, not schema: the maintain-partitions job and retention make and drop them month by month
    # (each copies its parent's definition, policies and grants), so a live database's never match a scratch one's.
    partitions = catalog.partitions(migrated) | catalog.partitions(wanted)
    migrated = catalog.only_owned(catalog.without_relations(migrated, partitions), MANAGED_SCHEMAS)
    wanted = catalog.only_owned(catalog.without_relations(wanted, partitions), MANAGED_SCHEMAS)
    structural = migra_statements(migrated_url, declared_url, partitions)
    recreated = _recreated_identities(structural, migrated)
    result = SchemaDiff(statements=structural)
    result.statements += ownership_statements(migrated, wanted)
    result.statements += option_statements(migrated, wanted, recreated)
    result.statements += grant_statements(migrated, wanted, recreated)
    result.statements += default_privilege_statements(migrated, wanted)
    result.statements += comment_statements(migrated, wanted, recreated)
    result.warnings += [f"column order of {table} differs, which only recreating the table changes"
                        for table in reordered_tables(migrated, wanted)]
    # A safety net: migra writing nothing while the catalogs differ beyond what is handled here.
    unexpressed = [line for line in catalog.differences(migrated, wanted)
                   if not line.startswith(("grant ", "default privileges ", "comment on "))
                   and not any(handled in line for handled in HANDLED_FIELDS)]
    if unexpressed and not structural:
        raise Failure(f"the schemas differ in ways the generated SQL does not express: {'; '.join(unexpressed[:5])}"
                      + (f" (and {len(unexpressed) - 5} more)" if len(unexpressed) > 5 else ""))
    return result


def migra_statements(migrated_url: str, declared_url: str, skipped_relations: set[str] = frozenset()) -> list[str]:
    """migra's structural changes, without its privileges and comments (handled from the catalogs)."""
    import migra  # imports SQLAlchemy, which only this command needs
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    def inspect(url: str):
        from schemainspect import get_inspector
        from schemainspect.pg.obj import PROPS

        # psycopg connects (any libpq URL form works); SQLAlchemy only carries the connection.
        engine = create_engine("postgresql+psycopg://", creator=lambda: psycopg.connect(url), poolclass=NullPool)
        try:
            with engine.connect() as conn:
                inspected = get_inspector(conn)
        finally:
            engine.dispose()
        for prop in PROPS.split():
            kept = {key: value for key, value in getattr(inspected, prop).items()
                    if value.schema not in EXCLUDED_SCHEMAS
                    and (value.schema not in MANAGED_SCHEMAS or prop in COMPARED_IN_MANAGED_SCHEMAS)
                    and f"{value.schema}.{getattr(value, 'table_name', None) or value.name}" not in skipped_relations}
            setattr(inspected, prop, kept)
        return inspected

    migration = migra.Migration(inspect(migrated_url), inspect(declared_url))
    migration.set_safety(False)  # drops are kept, and the command warns about them
    migration.add_all_changes(privileges=False)
    # migra turns body checks off for the session; in a migration that would last into the next files of a push.
    return [re.sub(r"^set check_function_bodies", "set local check_function_bodies", statement.strip())
            for statement in migration.statements
            if statement.strip() and not statement.lstrip().lower().startswith("comment on")]


def _recreated_identities(statements: list[str], migrated: catalog.Snapshot) -> set[str]:
    """Objects migra drops and creates again (a view whose columns changed): their grants and comments reset."""
    dropped = {_quote(_unquote(schema)) + "." + _quote(_unquote(name))
               for statement in statements for _, schema, name in MIGRA_DROPPED.findall(statement)}
    existing = {detail["identity"] for category in ("relations", "functions", "types")
                for detail in migrated[category].values()}
    return {identity for identity in existing if identity.split("(")[0] in dropped}


def reordered_tables(migrated: catalog.Snapshot, wanted: catalog.Snapshot) -> list[str]:
    """Tables whose columns, those on both sides, come in another order."""
    def orders(snapshot: catalog.Snapshot, shared: set[str]) -> dict[str, list[str]]:
        by_table: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for key in shared:
            column = snapshot["columns"][key]
            by_table[column["table"]].append((column["position"], key))
        return {table: [key for _, key in sorted(columns)] for table, columns in by_table.items()}

    shared = migrated["columns"].keys() & wanted["columns"].keys()
    before, after = orders(migrated, shared), orders(wanted, shared)
    return sorted(table for table in before if before[table] != after[table])


def option_statements(migrated: catalog.Snapshot, wanted: catalog.Snapshot, recreated: set[str]) -> list[str]:
    """Storage parameters and view options (security_invoker), which migra leaves out."""
    statements = []
    for key, detail in sorted(wanted["relations"].items()):
        kind = key[: -len(detail["identity"])].strip()
        if kind not in ("table", "view", "materialized view"):
            continue
        old = migrated["relations"].get(key)
        had = {} if old is None or detail["identity"] in recreated else _options(old)
        wants = _options(detail)
        changed = sorted(f"{name} = {value}" for name, value in wants.items() if had.get(name) != value)
        dropped = sorted(name for name in had if name not in wants)
        if changed:
            statements.append(f"alter {kind} {detail['identity']} set ({', '.join(changed)})")
        if dropped:
            statements.append(f"alter {kind} {detail['identity']} reset ({', '.join(dropped)})")
    return statements


def _options(relation: dict) -> dict[str, str]:
    return dict(option.split("=", 1) for option in relation["options"] or [])


def ownership_statements(migrated: catalog.Snapshot, wanted: catalog.Snapshot) -> list[str]:
    statements = []
    for category in ("schemas", "types", "relations", "functions"):
        for key, detail in wanted[category].items():
            before = migrated[category].get(key)
            if before is not None and before["owner"] != detail["owner"]:
                kind = key[: -len(detail["identity"])].strip().replace("composite type", "type")
                statements.append(f"alter {kind} {detail['identity']} owner to {detail['owner']}")
    return statements


def grant_statements(migrated: catalog.Snapshot, wanted: catalog.Snapshot, recreated: set[str]) -> list[str]:
    """Grants and revokes that make every ACL equal, one statement per object, grantee and kind of change.

    A new (or recreated) object starts with what the migrated database's default privileges give
    the role creating it, taken to be its owner in the declared database (the role running the
    migration); the owner's own privileges are left as they are."""
    existing = _object_identities(migrated) - recreated
    before = {key: grant for key, grant in migrated["grants"].items() if grant["object"] in existing}
    after = wanted["grants"]
    for kind, identity, owner in _new_objects(wanted, existing):
        for grant in _defaults(migrated, kind, identity, owner):
            before[_grant_key(grant)] = grant
        for key, grant in after.items():
            if grant["object"] == identity and grant["grantee"] == owner and not grant["column"]:
                before[key] = grant
    changes: dict[tuple, list[str]] = defaultdict(list)
    for key in sorted(before.keys() | after.keys()):
        old, new = before.get(key), after.get(key)
        entry = new or old
        target = (entry["kind"], entry["object"], entry["column"], entry["grantee"])
        if old is None:
            changes[("grant", new["grantable"], *target)].append(new["privilege"])
        elif new is None:
            changes[("revoke", False, *target)].append(old["privilege"])
        elif old["grantable"] != new["grantable"]:
            action = "grant" if new["grantable"] else "revoke grant option for"
            changes[(action, new["grantable"], *target)].append(new["privilege"])
    statements = []
    for (action, grantable, kind, identity, column, grantee), privileges in sorted(changes.items(), key=_revokes_first):
        listed = ", ".join(f"{privilege} ({column})" if column else privilege for privilege in privileges)
        if action == "grant":
            option = " with grant option" if grantable else ""
            statements.append(f"grant {listed} on {kind} {identity} to {grantee}{option}")
        else:
            statements.append(f"{action} {listed} on {kind} {identity} from {grantee}")
    return statements


def _revokes_first(item) -> tuple:
    (action, grantable, kind, identity, column, grantee), _ = item
    return (identity, kind, column or "", action == "grant", grantee, grantable)


def _grant_key(grant: dict) -> str:
    column = f" ({grant['column']})" if grant["column"] else ""
    return f"grant {grant['privilege']}{column} on {grant['kind']} {grant['object']} to {grant['grantee']}"


def _new_objects(wanted: catalog.Snapshot, existing: set[str]) -> Iterator[tuple[str, str, str]]:
    """(grant kind, identity, owner) of the declared objects the migrated database lacks."""
    for category in ("schemas", "types", "relations", "functions"):
        for key, detail in wanted[category].items():
            if detail["identity"] in existing:
                continue
            kind = {"schemas": "schema", "types": "type"}.get(category)
            if category == "relations":
                kind = "sequence" if key.startswith("sequence ") else "type" if key.startswith("composite ") else "table"
            elif category == "functions":
                kind = "procedure" if key.startswith("procedure ") else "function"
            yield kind, detail["identity"], detail["owner"]


def _defaults(migrated: catalog.Snapshot, kind: str, identity: str, owner: str) -> list[dict]:
    """The grants to others a new object gets from acldefault and the default privileges of its owner."""
    objects = DEFAULT_PRIVILEGE_OBJECTS[kind]
    schema = None if kind == "schema" else identity.split(".")[0]
    entries = [entry for entry in migrated["default_privileges"].values()
               if entry["role"] == owner and entry["objects"] == objects and entry["schema"] in (None, schema)]
    granted = {(entry["grantee"], entry["privilege"], entry["grantable"]) for entry in entries}
    if kind in PUBLIC_BY_DEFAULT and not any(entry["schema"] is None for entry in entries):
        granted.add(("public", "usage" if kind == "type" else "execute", False))
    return [{"privilege": privilege, "column": None, "kind": kind, "object": identity, "grantee": grantee,
             "grantable": grantable}
            for grantee, privilege, grantable in sorted(granted) if grantee != owner]


def default_privilege_statements(migrated: catalog.Snapshot, wanted: catalog.Snapshot) -> list[str]:
    before, after = migrated["default_privileges"], wanted["default_privileges"]
    statements = []
    for key in sorted(before.keys() | after.keys()):
        old, new = before.get(key), after.get(key)
        entry = new or old
        prefix = f"alter default privileges for role {entry['role']}" + (
            f" in schema {entry['schema']}" if entry["schema"] else "")
        if old is None or (new is not None and new["grantable"] and not old["grantable"]):
            option = " with grant option" if new["grantable"] else ""
            statements.append(f"{prefix} grant {new['privilege']} on {new['objects']} to {new['grantee']}{option}")
        elif new is None or (old["grantable"] and not new["grantable"]):
            option = "grant option for " if new is not None else ""
            statements.append(f"{prefix} revoke {option}{old['privilege']} on {old['objects']} from {old['grantee']}")
    return statements


def comment_statements(migrated: catalog.Snapshot, wanted: catalog.Snapshot, recreated: set[str]) -> list[str]:
    before, after = migrated["comments"], wanted["comments"]
    still_there = {key for category in catalog.CATEGORIES for key in wanted[category]}
    still_there |= {"type " + detail["identity"] for key, detail in wanted["relations"].items()
                    if key.startswith("composite type ")}
    statements = []
    for key in sorted(before.keys() | after.keys()):
        target = key.removeprefix("comment on ")
        old, new = before.get(key), after.get(key)
        if new is not None and (old != new or _belongs_to(target, recreated)):
            statements.append(f"{key} is {_literal(new['comment'])}")
        elif new is None and old is not None and target in still_there and not _belongs_to(target, recreated):
            statements.append(f"{key} is null")
    return statements


# ---------------------------------------------------------------- helpers
def _object_identities(snapshot: catalog.Snapshot) -> set[str]:
    return {detail["identity"] for category in ("schemas", "types", "relations", "functions")
            for detail in snapshot[category].values()}


def _belongs_to(target: str, identities: set[str]) -> bool:
    """Whether a comment's target (`column public.v.c`, `view public.v`) is part of one of these objects."""
    kind = next((kind for kind in COMMENT_KINDS if target.startswith(kind + " ")), "")
    name = target.removeprefix(kind).strip()
    return any(name == identity or name.startswith(identity.split("(")[0] + ".") for identity in identities)


def _quote(name: str) -> str:
    """quote_ident's output for the common case (no keywords in this schema's names)."""
    return name if SIMPLE_IDENTIFIER.fullmatch(name) else '"' + name.replace('"', '""') + '"'


def _unquote(quoted_inner: str) -> str:
    return quoted_inner.replace('""', '"')


def _literal(text: str) -> str:
    """A SQL string literal (standard_conforming_strings is on since PostgreSQL 9.1)."""
    return "'" + text.replace("'", "''") + "'"
