"""Generate the typed module from a database, or from the migrations alone."""

from dataclasses import dataclass
from pathlib import Path

from cli import connection, scratch
from cli.codegen import introspect, render, shapes, typescript
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
    with scratch.migrated_database(settings, SCRATCH_DATABASE) as url:
        return from_database(url, schema, lang, declarations)


def is_current(path: Path, text: str) -> bool:
    try:
        return path.read_text() == text
    except FileNotFoundError:
        return False
