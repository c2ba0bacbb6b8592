"""learnkit worker: list, run and schedule the scheduled jobs (workers/)."""

import shutil
import sys
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from cli import output, project
from cli.errors import UsageError
from cli.options import DbUrl
from workers import process_awards, registry, runner, schedule as scheduling, snapshots

app = typer.Typer(no_args_is_help=True, help="Scheduled jobs: list, run, schedule.")


def _parse_now(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(f"invalid --now {value!r}: expected an ISO 8601 time such as 2026-11-22T02:00:00Z") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


@app.command("list")
def list_jobs(ctx: typer.Context) -> None:
    """List the jobs, their default schedules (UTC) and next run; with --db-url, their last run too."""
    settings = ctx.obj
    last = {}
    if settings.db_url:
        with project.connect(settings) as conn:
            last = runner.last_runs(conn)
    now = datetime.now(timezone.utc)
    rows = []
    for job in registry.JOBS.values():
        previous = last.get(job.name) or {}
        rows.append({
            "job": job.name, "schedule": job.schedule,
            "next_run": scheduling.next_run(job.schedule, now).strftime("%Y-%m-%d %H:%M") if job.schedule else None,
            "description": job.description,
            "last_status": previous.get("status"), "last_started_at": previous.get("started_at"),
        })
    if settings.json:
        for row in rows:
            output.json_line(row)
        return
    columns = ["job", "schedule", "next_run", "description"] + (["last_status", "last_started_at"] if last else [])
    output.table("Jobs (schedules in UTC)", [c.replace("_", " ").capitalize() for c in columns],
                 [[row[c] or ("on demand" if c in ("schedule", "next_run") else "") for c in columns]
                  for row in rows])


@contextmanager
def _progress_reporter(job: str, as_json: bool):
    if as_json or not sys.stderr.isatty():
        def report(step: str, completed: int, total: int) -> None:
            output.json_line({"event": "progress", "job": job, "step": step, "completed": completed, "total": total})
        yield report
        return
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), console=output.stderr, transient=True) as bar:
        task = bar.add_task(job, total=None)

        def report(step: str, completed: int, total: int) -> None:
            bar.update(task, description=f"{job}: {step}", completed=completed, total=total)
        yield report


@app.command("run")
def run(
    ctx: typer.Context,
    job: Annotated[str, typer.Argument(help="The job to run (see `learnkit worker list`).")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Do the work, report it, roll it back.")] = False,
    now: Annotated[str | None, typer.Option("--now", help="Run as if at this ISO time (default: now; naive = UTC).")
                   ] = None,
    follow: Annotated[bool, typer.Option("--follow", help="process-awards only: keep applying batches as answers "
                                         "come (LISTEN/NOTIFY wake-ups) until interrupted.")] = False,
    db_url: DbUrl = None,
) -> None:
    """Run one job now, under its advisory lock, in one transaction.

    Exit codes: 0 done (or skipped: another instance holds the job's lock, said on stderr), 1 the job failed
    and was rolled back, 2 unknown job, bad --now or unreachable database.
    """
    settings = project.with_db_url(ctx.obj, db_url)
    registry.get(job)
    clock = _parse_now(now)
    url = project.database_url(settings)
    if follow:
        if job != "process-awards" or dry_run or now:
            raise UsageError("--follow runs process-awards only, without --dry-run or --now")
        output.info("process-awards: following the award queue (Ctrl-C to stop)")
        stats = process_awards.follow(url)
        output.info(f"process-awards: stopped after {stats.batches} batch(es), {stats.applied} row(s) applied")
        return
    as_json = settings.json or not sys.stdout.isatty()
    with _progress_reporter(job, settings.json) as progress:
        outcome = runner.run(url, job, now=clock, dry_run=dry_run, progress=progress)
    if outcome.status == "skipped":
        output.info(outcome.message)
    if as_json:
        output.json_line(outcome.as_json())
    elif outcome.status != "skipped":
        output.stdout.print(f"{outcome.message} in {outcome.seconds:.2f} s"
                            + (f" (run {outcome.run_id})" if outcome.run_id else ""))
        for note in getattr(outcome, "notes", ()):
            output.stdout.print(f"  {note}", markup=False, highlight=False)


@app.command("schedule")
def schedule(
    ctx: typer.Context,
    pg_cron: Annotated[bool, typer.Option("--pg-cron", help="Create or update pg_cron entries in the database.")
                       ] = False,
    crontab: Annotated[bool, typer.Option("--crontab", help="Print crontab lines for this machine.")] = False,
    db_url: DbUrl = None,
) -> None:
    """Schedule the jobs with pg_cron (idempotent) or print crontab lines. Exit 2 when pg_cron is missing."""
    if pg_cron == crontab:
        raise UsageError("choose one of --pg-cron or --crontab")
    settings = project.with_db_url(ctx.obj, db_url)
    if crontab:
        beside_python = Path(sys.executable).with_name("learnkit")
        executable = shutil.which("learnkit") or (str(beside_python) if beside_python.exists() else "learnkit")
        for line in scheduling.crontab_lines(executable, str(settings.project_dir)):
            print(line)
        return
    with project.connect(settings) as conn:
        entries = scheduling.schedule_pg_cron(conn)
    if settings.json:
        for entry in entries:
            output.json_line(entry.__dict__)
        return
    output.table("pg_cron entries (UTC)", ["Name", "Schedule", "Command", "cron job id"],
                 [[e.name, e.schedule, e.command, e.cron_job_id] for e in entries])


@app.command("restore-snapshot")
def restore_snapshot(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A snapshot written by snapshot-gamification (.jsonl or .jsonl.gz).")],
    db_url: DbUrl = None,
) -> None:
    """Restore a gamification snapshot into a database with no gamification data yet, in one transaction.

    Exit codes: 0 restored, 1 refused (the database already holds XP data, or lacks the snapshot's learners
    or achievements; nothing was written), 2 the file is unreadable or not a snapshot, or no database.
    """
    settings = project.with_db_url(ctx.obj, db_url)
    restored = snapshots.restore(project.database_url(settings), file)
    if settings.json:
        output.json_line({"event": "restored", "file": str(file), "tables": restored})
        return
    output.table(f"Restored {file}", ["Table", "Rows"], [[name, count] for name, count in restored.items()])
