"""learnkit gen: typed Python and TypeScript clients generated from the live schema."""

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from cli import erd as erd_module
from cli import output, project
from cli.codegen import generate, shapes
from cli.errors import Failure, UsageError
from cli.options import DbUrl

app = typer.Typer(no_args_is_help=True)


class Language(StrEnum):
    python = "python"
    typescript = "typescript"


@app.command()
def types(
    ctx: typer.Context,
    schema: Annotated[str, typer.Option(help="The schema to generate types for.")] = "public",
    lang: Annotated[
        Language, typer.Option("--lang", help="python: workers/db_types.py (psycopg and supabase-py); "
                                              "typescript: types/database.ts (supabase-js's Database type).")
    ] = Language.python,
    output_path: Annotated[
        Path | None, typer.Option("--output", help="Where the file goes (relative to the project root); "
                                                   "default workers/db_types.py or types/database.ts.")
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help="Write nothing; exit 1 when the file differs from what would be generated.")
    ] = False,
    from_migrations: Annotated[
        bool, typer.Option("--from-migrations",
                           help="Generate from a throwaway database migrated from supabase/migrations.")
    ] = False,
    db_url: DbUrl = None,
) -> None:
    """Generate typed access to the schema: a Python module (rows, inserts, updates, enums, RPC wrappers) or
    supabase-js's TypeScript Database type. supabase/codegen.toml declares what the catalog cannot say."""
    settings = project.with_db_url(ctx.obj, db_url)
    output_path = output_path or generate.DEFAULT_OUTPUTS[lang.value]
    path = output_path if output_path.is_absolute() else settings.project_dir / output_path
    declarations = shapes.load(settings.project_dir / shapes.DEFAULT_PATH)
    if from_migrations:
        if db_url or settings.db_url:
            raise UsageError("--from-migrations builds its own database: drop --db-url")
        project.require_supabase_dir(settings)
        generated = generate.from_migrations(settings, schema, lang.value, declarations)
    else:
        generated = generate.from_database(project.database_url(settings), schema, lang.value, declarations)
    shown = _shown(path, settings.project_dir)
    if check:
        if not generate.is_current(path, generated.text):
            flag = "" if lang is Language.python else " --lang typescript"
            raise Failure(f"{shown} is stale: run `learnkit gen types{flag} --from-migrations` and commit it")
        output.info(f"{shown} is up to date.")
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(generated.text)
    output.info(f"Wrote {shown}: {generated.summary()}.")


def _shown(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


@app.command()
def erd(
    ctx: typer.Context,
    output_dir: Annotated[
        Path, typer.Option("--output-dir", help="Where erd.dot, erd.svg and erd.png go (relative to the project root).")
    ] = erd_module.DEFAULT_DIR,
    check: Annotated[
        bool, typer.Option("--check", help="Write nothing; exit 1 when the committed diagram is not the schema's.")
    ] = False,
    from_migrations: Annotated[
        bool, typer.Option("--from-migrations",
                           help="Draw a throwaway database migrated from supabase/migrations.")
    ] = False,
    db_url: DbUrl = None,
) -> None:
    """Draw the tables by domain and their foreign keys (docs/erd.svg, docs/erd.png, from docs/erd.dot)."""
    settings = project.with_db_url(ctx.obj, db_url)
    directory = output_dir if output_dir.is_absolute() else settings.project_dir / output_dir
    project.require_supabase_dir(settings)
    if from_migrations:
        if db_url or settings.db_url:
            raise UsageError("--from-migrations builds its own database: drop --db-url")
        dot = erd_module.from_migrations(settings)
    else:
        dot = erd_module.from_database(project.database_url(settings), settings)
    shown = _shown(directory, settings.project_dir)
    if check:
        reasons = erd_module.stale(dot.source, directory)
        if reasons:
            raise Failure(f"{shown}/erd.* is stale ({'; '.join(reasons)}): run `learnkit gen erd --from-migrations` "
                          "and commit it")
        output.info(f"{shown}/erd.dot, erd.svg and erd.png are up to date.")
        return
    written = erd_module.write(erd_module.render(dot), directory)
    output.info(f"Wrote {', '.join(_shown(path, settings.project_dir) for path in written)}.")
