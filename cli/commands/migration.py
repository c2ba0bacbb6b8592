"""learnkit migration: new files and the local-versus-database list."""

from typing import Annotated

import typer

from cli import migrations, output, project
from cli.options import DbUrl

app = typer.Typer(no_args_is_help=True)


@app.command()
def new(ctx: typer.Context, name: Annotated[str, typer.Argument(help="verb_object, e.g. add_xp_ledger")]) -> None:
    """Create supabase/migrations/<UTC timestamp>_<name>.sql."""
    settings = ctx.obj
    project.require_supabase_dir(settings)
    path = migrations.new_migration(settings.migrations_dir, name)
    output.stdout.print(f"Created new migration at {path.relative_to(settings.project_dir)}")


@app.command("list")
def list_(ctx: typer.Context, db_url: DbUrl = None) -> None:
    """Local migrations next to those applied in the database."""
    settings = project.with_db_url(ctx.obj, db_url)
    project.require_supabase_dir(settings)
    local = {m.version: m for m in migrations.local_migrations(settings.migrations_dir, warn=output.info)}
    with project.connect(settings) as conn:
        applied = {m.version: m for m in migrations.applied_migrations(conn)}
    rows = [
        {"local": version if version in local else None,
         "remote": version if version in applied else None,
         "name": (local.get(version) or applied[version]).name}
        for version in sorted(set(local) | set(applied))
    ]
    if settings.json:
        for row in rows:
            output.json_line(row)
        return
    output.table(None, ["Local", "Remote", "Name"], [[r["local"], r["remote"], r["name"]] for r in rows])
