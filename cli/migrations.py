"""Applying supabase/migrations the way `supabase db push` does.

Each pending file runs with its history row in one transaction, statements
split and recorded exactly as the Supabase CLI records them, so either tool
sees the other's work as up to date. Beyond the CLI: an applied file whose
content has changed since stops the push, and an advisory lock keeps two
pushes from interleaving.
"""

import hashlib
import re
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psycopg

from cli import emulation, queries
from cli.errors import Failure, UsageError
from cli.settings import Settings
from cli.splitter import Statement, split_statements

MIGRATION_FILE = re.compile(r"^([0-9]+)_(.*)\.sql$")
MIGRATION_NAME = re.compile(r"^[a-z0-9][a-z0-9_]*$")
PUSH_LOCK_KEY = 0x6C6B_7075_7368  # "lkpush": one push at a time per database

ERR_MISSING_LOCAL = "Remote migration versions not found in local migrations directory."
ERR_INSERT_BEFORE = "Found local migration files to be inserted before the last migration on remote database."

Progress = Callable[[str], None]


@dataclass(frozen=True)
class LocalMigration:
    version: str
    name: str
    path: Path

    def statements(self) -> list[Statement]:
        return split_statements(self.path.read_text())


@dataclass(frozen=True)
class AppliedMigration:
    version: str
    name: str
    statements: list[str] | None


@dataclass(frozen=True)
class Notice:
    """A NOTICE or WARNING a migration or seed raised (e.g. a capability the server lacks)."""

    source: str
    severity: str
    message: str
    hint: str | None = None

    def __str__(self) -> str:
        return f"{self.severity} ({self.source}): {self.message}" + (f" ({self.hint})" if self.hint else "")


@dataclass
class PushResult:
    emulated: bool = False
    applied: list[LocalMigration] = field(default_factory=list)
    seeded: list[str] = field(default_factory=list)
    seed_hash_updated: list[str] = field(default_factory=list)
    dry_run: bool = False
    notices: list[Notice] = field(default_factory=list)


@dataclass(frozen=True)
class StatementError:
    """Where a statement of a file failed, in a form a person can find."""

    path: Path
    number: int
    line: int
    sqlstate: str
    message: str

    def __str__(self) -> str:
        return (f"{self.path}: statement {self.number} (line {self.line}) failed: "
                f"ERROR {self.sqlstate}: {self.message}")


# ---------------------------------------------------------------- local files
def local_migrations(migrations_dir: Path, warn: Progress = lambda _: None) -> list[LocalMigration]:
    if not migrations_dir.is_dir():
        raise UsageError(f"migrations folder not found: {migrations_dir}")
    found = []
    for path in sorted(migrations_dir.iterdir()):
        if not path.is_file():
            continue
        match = MIGRATION_FILE.match(path.name)
        if match is None:
            warn(f'Skipping migration {path.name}... (file name must match pattern "<timestamp>_name.sql")')
            continue
        found.append(LocalMigration(version=match.group(1), name=match.group(2), path=path))
    return sorted(found, key=lambda migration: migration.version)


def new_migration(migrations_dir: Path, name: str, now: datetime | None = None) -> Path:
    if not MIGRATION_NAME.match(name):
        raise UsageError(f"invalid migration name {name!r}: use lowercase letters, digits and _ (verb_object)")
    if not migrations_dir.is_dir():
        raise UsageError(f"migrations folder not found: {migrations_dir}")
    version = (now or datetime.now(UTC)).strftime("%Y%m%d%H%M%S")
    path = migrations_dir / f"{version}_{name}.sql"
    if path.exists():
        raise UsageError(f"{path} already exists")
    title = name.replace("_", " ")
    path.write_text(f"-- {title}\n--\n-- What this migration does, and anything destructive it does.\n\n")
    return path


# ---------------------------------------------------------------- history
def applied_migrations(conn: psycopg.Connection) -> list[AppliedMigration]:
    if not conn.execute(queries.query("migrations.sql", "history_exists")).fetchone()["exists"]:
        return []
    rows = conn.execute(queries.query("migrations.sql", "list_history")).fetchall()
    return [AppliedMigration(row["version"], row["name"], row["statements"]) for row in rows]


def find_pending(local: list[LocalMigration], applied_versions: list[str],
                 include_all: bool = False) -> list[LocalMigration]:
    """The Supabase CLI's FindPendingMigrations, with its refusals."""
    remote = sorted(applied_versions)
    local_versions = [migration.version for migration in local]
    missing = sorted(set(remote) - set(local_versions))
    if missing:
        raise Failure(f"{ERR_MISSING_LOCAL} Missing: {', '.join(missing)}. "
                      "Restore those files before pushing.")
    newest_applied = remote[-1] if remote else ""
    applied = set(remote)
    out_of_order = [m for m in local if m.version not in applied and m.version < newest_applied]
    if out_of_order and not include_all:
        names = ", ".join(m.path.name for m in out_of_order)
        raise Failure(f"{ERR_INSERT_BEFORE} Rerun with --include-all to apply them: {names}")
    return [m for m in local if m.version not in applied]


def check_unchanged(local: list[LocalMigration], applied: list[AppliedMigration]) -> None:
    """Stop when an applied migration's file no longer matches what was recorded."""
    recorded = {migration.version: migration.statements for migration in applied}
    changed = [
        migration.path.name
        for migration in local
        if recorded.get(migration.version) is not None
        and [s.text for s in migration.statements()] != recorded[migration.version]
    ]
    if changed:
        raise Failure(f"applied migration changed since it was applied: {', '.join(changed)}; "
                      "restore it and put the change in a new migration")


# ---------------------------------------------------------------- push
def push(conn: psycopg.Connection, settings: Settings, *, dry_run: bool = False,
         include_all: bool = False, include_seed: bool = False,
         progress: Progress = lambda _: None) -> PushResult:
    """Emulate Supabase if needed, then apply pending migrations (and seeds)."""
    local = local_migrations(settings.migrations_dir, warn=progress)
    result = PushResult(dry_run=dry_run)
    conn.execute(queries.query("migrations.sql", "lock_push"), {"key": PUSH_LOCK_KEY})
    try:
        if dry_run:
            result.emulated = not emulation.has_auth_schema(conn)
        else:
            result.emulated = emulation.apply(conn)
        applied = applied_migrations(conn)
        pending = find_pending(local, [m.version for m in applied], include_all)
        check_unchanged(local, applied)
        if dry_run:
            result.applied = pending
            result.seeded = [path for path, _ in pending_seeds(conn, settings)] if include_seed else []
            return result
        if pending:
            with conn.transaction():
                conn.execute(queries.query("migrations.sql", "create_history_table"))
        for migration in pending:
            progress(f"Applying migration {migration.path.name}...")
            with collect_notices(conn, migration.path.name, result.notices):
                apply_migration(conn, migration, settings.project_dir)
            result.applied.append(migration)
        if include_seed:
            seed(conn, settings, result, progress)
        return result
    finally:
        conn.execute(queries.query("migrations.sql", "unlock_push"), {"key": PUSH_LOCK_KEY})


@contextmanager
def collect_notices(conn: psycopg.Connection, source: str, into: list[Notice]) -> Iterator[None]:
    """Keep what the server says while `source` runs: a migration that skips what the server cannot do
    (pgvector's absence, supabase/schemas/12_retrieval.sql) says so with a NOTICE, which push then prints."""
    def keep(diagnostic: psycopg.errors.Diagnostic) -> None:
        into.append(Notice(source=source, severity=diagnostic.severity_nonlocalized or diagnostic.severity or "NOTICE",
                           message=diagnostic.message_primary or "", hint=diagnostic.message_hint))

    conn.add_notice_handler(keep)
    try:
        yield
    finally:
        conn.remove_notice_handler(keep)


def apply_migration(conn: psycopg.Connection, migration: LocalMigration, project_dir: Path) -> None:
    source = migration.path.read_text()
    statements = split_statements(source)
    conn.execute("reset all")  # as the Supabase CLI: no setting leaks from the previous file
    with conn.transaction():
        run_statements(conn, source, statements, _relative(migration.path, project_dir))
        conn.execute(queries.query("migrations.sql", "insert_history"), {
            "version": migration.version,
            "name": migration.name,
            "statements": [statement.text for statement in statements],
        })


def run_statements(conn: psycopg.Connection, source: str, statements: list[Statement],
                   shown_path: Path) -> None:
    for number, statement in enumerate(statements, start=1):
        try:
            conn.execute(statement.text)
        except psycopg.Error as error:
            raise Failure(str(statement_error(error, source, statement, number, shown_path))) from None


def statement_error(error: psycopg.Error, source: str, statement: Statement, number: int,
                    path: Path) -> StatementError:
    line = source.count("\n", 0, statement.offset) + 1
    position = int(error.diag.statement_position or 0)
    if position:
        line += statement.text.count("\n", 0, position - 1)
    message = error.diag.message_primary or str(error).strip().splitlines()[0]
    return StatementError(path, number, line, error.diag.sqlstate or "XX000", message)


# ---------------------------------------------------------------- seed
def seed_paths(settings: Settings) -> list[Path]:
    """Seed files from config.toml's [db.seed] sql_paths, default ./seed.sql."""
    config_file = settings.supabase_dir / "config.toml"
    patterns = ["./seed.sql"]
    enabled = True
    if config_file.exists():
        try:
            config = tomllib.loads(config_file.read_text())
        except tomllib.TOMLDecodeError as error:
            raise UsageError(f"{config_file}: {error}") from None
        seed_config = config.get("db", {}).get("seed", {})
        enabled = seed_config.get("enabled", True)
        patterns = seed_config.get("sql_paths", patterns)
    if not enabled:
        return []
    paths = []
    for pattern in patterns:
        matches = sorted(settings.supabase_dir.glob(pattern.removeprefix("./")))
        paths.extend(path for path in matches if path.is_file() and path not in paths)
    return paths


def pending_seeds(conn: psycopg.Connection, settings: Settings) -> list[tuple[str, Path]]:
    recorded = {}
    if conn.execute(queries.query("migrations.sql", "seed_table_exists")).fetchone()["exists"]:
        recorded = {row["path"]: row["hash"]
                    for row in conn.execute(queries.query("migrations.sql", "list_seeds"))}
    pending = []
    for path in seed_paths(settings):
        shown = str(_relative(path, settings.project_dir))
        if recorded.get(shown) != _sha256(path):
            pending.append((shown, path))
    return pending


def seed(conn: psycopg.Connection, settings: Settings, result: PushResult,
         progress: Progress) -> None:
    """Run seed files not yet recorded; a changed seed only gets its hash updated, as the CLI does."""
    with conn.transaction():
        conn.execute(queries.query("migrations.sql", "create_seed_table"))
    recorded = {row["path"] for row in conn.execute(queries.query("migrations.sql", "list_seeds"))}
    for shown, path in pending_seeds(conn, settings):
        source = path.read_text()
        with conn.transaction():
            if shown in recorded:
                progress(f"Updating seed hash to {shown}...")
                result.seed_hash_updated.append(shown)
            else:
                progress(f"Seeding data from {shown}...")
                with collect_notices(conn, shown, result.notices):
                    run_statements(conn, source, split_statements(source), Path(shown))
                result.seeded.append(shown)
            conn.execute(queries.query("migrations.sql", "upsert_seed"),
                         {"path": shown, "hash": _sha256(path)})


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _relative(path: Path, root: Path) -> Path:
    try:
        return path.resolve().relative_to(root.resolve())
    except ValueError:
        return path
