"""learnkit test: pgTAP files under supabase/tests/database."""

from pathlib import Path
from typing import Annotated

import typer

from cli import output, pgtap, project
from cli.errors import Failure
from cli.options import DbUrl

app = typer.Typer(no_args_is_help=True)


@app.command("db")
def db(
    ctx: typer.Context,
    files: Annotated[list[Path] | None, typer.Argument(help="Files to run; default: all, in name order.")] = None,
    db_url: DbUrl = None,
) -> None:
    """Run pgTAP tests as `supabase test db` does and report TAP results; exit 1 on any failure."""
    settings = project.with_db_url(ctx.obj, db_url)
    paths = pgtap.test_files(settings.tests_dir, files)
    url = project.database_url(settings)
    with project.connect(settings) as conn:
        pgtap.ensure_pgtap_available(conn)
    results = []
    for path in paths:
        result = pgtap.run_file(url, path)
        results.append(result)
        _report_file(settings, result)
    failed = [result for result in results if not result.ok]
    total = sum(result.ran for result in results)
    summary = f"{len(paths)} files, {total} tests, {len(failed)} files failed"
    if settings.json:
        output.json_line({"files": len(paths), "tests": total, "failed_files": len(failed)})
    else:
        output.stdout.print(summary)
    if failed:
        raise Failure(f"pgTAP: {len(failed)} of {len(paths)} files failed: "
                      + ", ".join(result.path.name for result in failed))


def _report_file(settings, result: pgtap.FileResult) -> None:
    if settings.json:
        output.json_line({"file": str(result.path), "ok": result.ok, "planned": result.planned,
                          "passed": result.passed, "failures": result.failures, "error": result.error})
        return
    mark = "[green]ok[/green]" if result.ok else "[red]not ok[/red]"
    output.stdout.print(f"{mark} {result.path.name} ({result.passed}/{result.planned or 0})", markup=True)
    for failure in result.failures:
        output.stdout.print(f"    failed: {failure}", markup=False)
    if result.planned is not None and result.planned != result.ran and result.error is None:
        output.stdout.print(f"    planned {result.planned} tests but ran {result.ran}", markup=False)
    if result.error:
        output.stdout.print(f"    error: {result.error}", markup=False)
    if not result.ok:
        for line in result.diagnostics:
            output.stdout.print(f"    {line}", markup=False)
