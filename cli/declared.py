"""The declared schema: the files `[db.migrations] schema_paths` lists, and a database built from them.

A database built from the declared files is an empty database, learnkit's
Supabase emulation (what `db push` applies before the first migration), then
every declared file in order. Errors name the file, the statement's number and
line and the SQLSTATE, as `db push` does.
"""

import tomllib
from pathlib import Path

import psycopg

from cli import emulation, migrations
from cli.errors import UsageError
from cli.migrations import Progress
from cli.settings import Settings
from cli.splitter import split_statements


def declared_files(settings: Settings) -> list[Path]:
    """`[db.migrations] schema_paths` expanded as the Supabase CLI does.

    Paths are relative to supabase/; each entry may be a glob, expanded in lexical
    order; entries apply in the order listed, and a file matched twice applies once,
    at its first position.
    """
    config_file = settings.supabase_dir / "config.toml"
    if not config_file.is_file():
        raise UsageError(f"{config_file} not found: the declared schema is listed there under "
                         "[db.migrations] schema_paths")
    try:
        config = tomllib.loads(config_file.read_text())
    except tomllib.TOMLDecodeError as error:
        raise UsageError(f"{config_file}: {error}") from None
    patterns = config.get("db", {}).get("migrations", {}).get("schema_paths")
    if not patterns or not isinstance(patterns, list):
        raise UsageError(f"no [db.migrations] schema_paths in {config_file}: list the declared schema files there, "
                         'e.g. schema_paths = ["./schemas/*.sql"]')
    files: list[Path] = []
    for pattern in patterns:
        matches = sorted((path for path in settings.supabase_dir.glob(str(pattern).removeprefix("./"))
                          if path.is_file()), key=lambda path: str(path))
        if not matches:
            raise UsageError(f"schema_paths entry {pattern!r} in {config_file} matches no file")
        files.extend(path for path in matches if path not in files)
    return files


def build_declared(conn: psycopg.Connection, settings: Settings, files: list[Path] | None = None,
                   progress: Progress = lambda _: None) -> list[Path]:
    """Emulate Supabase in `conn`'s (empty) database, then run every declared file in order."""
    files = declared_files(settings) if files is None else files
    emulation.apply(conn)
    for path in files:
        progress(f"Applying declared file {_shown(path, settings)}...")
        source = path.read_text()
        conn.execute("reset all")  # as push: no setting leaks from the previous file
        with conn.transaction():
            migrations.run_statements(conn, source, split_statements(source), _shown(path, settings))
    return files


def _shown(path: Path, settings: Settings) -> Path:
    """supabase/schemas/10_x.sql rather than an absolute path, in messages."""
    try:
        return path.resolve().relative_to(settings.project_dir.resolve())
    except ValueError:
        return path
