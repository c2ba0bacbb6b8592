"""The `learnkit` command: one root app, a Typer app per noun."""

from pathlib import Path
from typing import Annotated

import psycopg
import typer
from typer.core import TyperGroup

from cli import output
from cli.commands import db, demo, gen, migration, test, worker
from cli.errors import ExitCode, LearnkitError
from cli.options import DbUrl
from cli.settings import Settings


class LearnkitGroup(TyperGroup):
    """The one error handler: expected errors become one line on stderr and an exit code."""

    def invoke(self, ctx: typer.Context):
        try:
            return super().invoke(ctx)
        except LearnkitError as error:
            output.error_line(str(error))
            raise typer.Exit(int(error.exit_code)) from None
        except psycopg.Error as error:  # e.g. the connection broke, or a privilege is missing
            sqlstate = f" ({error.sqlstate})" if error.sqlstate else ""
            message = (str(error).strip().splitlines() or [type(error).__name__])[0]
            output.error_line(f"database error{sqlstate}: {message}")
            raise typer.Exit(int(ExitCode.FAILURE)) from None


app = typer.Typer(
    cls=LearnkitGroup,
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # locals may hold database passwords
    help="learnkit: the Supabase-native backend of a gamified learning platform.\n\n"
    "Exit codes: 0 ok, 1 failure (a check, test or migration failed), 2 usage or configuration error.",
)
app.add_typer(db.app, name="db", help="Run the local database; push, reset, lint and advise.")
app.add_typer(migration.app, name="migration", help="Create and list migrations.")
app.add_typer(test.app, name="test", help="Run pgTAP policy tests.")
app.add_typer(gen.app, name="gen", help="Generate typed clients and the ERD from the live schema.")
app.add_typer(worker.app, name="worker", help="Scheduled jobs: list, run, schedule (pg_cron or crontab).")
app.command("demo")(demo.demo)


@app.callback()
def root(
    ctx: typer.Context,
    db_url: DbUrl = None,
    project_dir: Annotated[
        Path, typer.Option("--project-dir", envvar="LEARNKIT_PROJECT_DIR", help="The project root (holds supabase/).")
    ] = Path("."),
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON lines instead of tables.")] = False,
) -> None:
    ctx.obj = Settings(project_dir=project_dir.resolve(), db_url=db_url, json=json_output)


def run() -> None:
    app()
