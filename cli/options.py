"""Options shared by several commands."""

from typing import Annotated

import typer

DB_URL_ENVVARS = ["SUPABASE_DB_URL", "DATABASE_URL"]

DbUrl = Annotated[
    str | None,
    typer.Option(
        "--db-url",
        envvar=DB_URL_ENVVARS,
        help="Database to use (env SUPABASE_DB_URL, then DATABASE_URL); default: the local server.",
        show_envvar=False,
    ),
]
