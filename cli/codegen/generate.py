"""Generate the typed module from a database, or from the migrations alone."""

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from psycopg import sql

from cli import connection, emulation, migrations
from cli.codegen import introspect, render, shapes, typescript
from cli.errors import UsageError
from cli.local_server import LocalServer, ServerConfig, free_port, system_bin_dir
from cli.settings import Settings

DEFAULT_OUTPUT = Path("workers/db_types.py")
# Where each language's file goes by default, relative to the project root.
DEFAULT_OUTPUTS = {"python": DEFAULT_OUTPUT, "typescript": Path("types/database.ts")}
RENDERERS = {"python": render.render, "typescript": typescript.render}
SCRATCH_DATABASE = "learnkit_codegen"


@dataclass(frozen=True)
class Generated:
    text: str
    schema: introspect.Schema

    def summary(self) -> str:
        return (f"{len(self.schema.relations)} tables and views, {len(self.schema.functions)} functions, "
                f"{len(self.schema.enums)} enums, {len(self.schema.composites)} composite types")


def from_database(url: str, schema: str, lang: str = "python",
                  declarations: shapes.Declarations | None = None) -> Generated:
    with connection.connect(url) as conn:
        introspected = introspect.introspect(conn, schema)
    return Generated(RENDERERS[lang](introspected, declarations), introspected)


def from_migrations(settings: Settings, schema: str, lang: str = "python",
                    declarations: shapes.Declarations | None = None) -> Generated:
    """Migrate a throwaway server's database (as `learnkit db push` would) and generate from it."""
    with tempfile.TemporaryDirectory(prefix="learnkit-codegen-") as state_dir:
        server = LocalServer(Path(state_dir) / "server", ServerConfig(kind=_server_kind(), port=free_port()),
                             fast=True)
        server.start()
        try:
            with connection.connect(server.url()) as admin:
                admin.execute(sql.SQL("create database {}").format(sql.Identifier(SCRATCH_DATABASE)))
            url = server.url(SCRATCH_DATABASE)
            with connection.connect(url) as conn:
                migrations.push(conn, settings)
                emulation.apply_database_settings(conn)
            return from_database(url, schema, lang, declarations)
        finally:
            server.destroy()


def _server_kind() -> str:
    """The system's PostgreSQL when there is one (it starts fastest), else the embedded one."""
    if os.environ.get("LEARNKIT_TEST_SERVER"):
        return os.environ["LEARNKIT_TEST_SERVER"]
    try:
        system_bin_dir()
    except UsageError:
        return "embedded"
    return "system"


def is_current(path: Path, text: str) -> bool:
    try:
        return path.read_text() == text
    except FileNotFoundError:
        return False
