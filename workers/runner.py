"""Run one job: one instance at a time, recorded, all-or-nothing.

- One instance: a session-level advisory lock per job. A second instance finds
  it taken, records a `skipped` run and returns; the CLI exits 0 saying so.
- Recorded: a `running` row in private.worker_runs is committed before the
  work starts and finished after it (succeeded / failed, rows, error).
- All-or-nothing: the job's work is one transaction. A runner killed at any
  point loses that transaction (PostgreSQL rolls it back when the connection
  drops) and its lock; the next run marks the orphaned row `abandoned` and
  redoes the work from the committed state, so reruns converge.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import psycopg

from cli import connection, queries
from cli.errors import Failure, LearnkitError
from workers import registry
from workers.jobs import Job, JobContext, Progress, no_progress


def _query(name: str) -> str:
    return queries.query("runner.sql", name, package="workers")


@dataclass(frozen=True)
class RunOutcome:
    job: str
    status: str  # succeeded | skipped | dry-run
    rows: int
    clock: datetime
    seconds: float
    run_id: int | None = None
    message: str = ""
    notes: tuple[str, ...] = ()  # the job's own account of what it did (or would do, with --dry-run)

    def as_json(self) -> dict:
        return {"event": "finished", "job": self.job, "status": self.status, "rows": self.rows,
                "clock": self.clock.isoformat(), "seconds": round(self.seconds, 3), "run_id": self.run_id,
                "message": self.message, "notes": list(self.notes)}


class JobFailed(Failure):
    """The job's transaction failed and was rolled back; the run is recorded as failed."""


def run(url: str, job_name: str, *, now: datetime | None = None, dry_run: bool = False,
        progress: Progress = no_progress, on_locked: Callable[[], None] = lambda: None) -> RunOutcome:
    registry.get(job_name)
    with connection.connect(url) as conn:
        return run_on(conn, job_name, now=now, dry_run=dry_run, progress=progress, on_locked=on_locked)


def run_on(conn: psycopg.Connection, job_name: str, *, now: datetime | None = None, dry_run: bool = False,
           progress: Progress = no_progress, on_locked: Callable[[], None] = lambda: None) -> RunOutcome:
    """run() on an autocommit connection the caller owns (the demo, tests)."""
    job = registry.get(job_name)
    started = time.monotonic()
    conn.execute(_query("session_settings"))
    clock = now or conn.execute(_query("database_now")).fetchone()["now"]
    if not conn.execute(_query("try_lock"), {"job": job.name}).fetchone()["locked"]:
        return _skip(conn, job.name, clock, dry_run, started)
    on_locked()
    try:
        return _run_locked(conn, job, clock, dry_run, progress, started)
    finally:
        if not conn.closed and not conn.broken:
            conn.execute(_query("unlock"), {"job": job.name})


def _skip(conn: psycopg.Connection, job: str, clock: datetime, dry_run: bool, started: float) -> RunOutcome:
    holder = conn.execute(_query("lock_holder"), {"job": job}).fetchone()
    message = (f"job {job} is already running (its lock is held by backend {holder['pid'] if holder else '?'});"
               " this run did nothing")
    run_id = None
    if not dry_run:
        run_id = conn.execute(_query("record_skipped_run"), {"job": job, "clock": clock, "error": message}
                              ).fetchone()["id"]
    return RunOutcome(job, "skipped", 0, clock, time.monotonic() - started, run_id, message)


def _run_locked(conn: psycopg.Connection, job: Job, clock: datetime, dry_run: bool,
                progress: Progress, started: float) -> RunOutcome:
    run_id = None
    if not dry_run:
        conn.execute(_query("abandon_stale_runs"), {"job": job.name})
        run_id = conn.execute(_query("start_run"), {"job": job.name, "clock": clock}).fetchone()["id"]
    context = JobContext(conn=conn, now=clock, dry_run=dry_run, progress=progress)
    try:
        with conn.transaction(force_rollback=dry_run):
            rows = job.run(context)
    except (LearnkitError, OSError) as error:  # e.g. an archive that did not read back, a full disk
        if run_id is not None and not conn.broken:
            conn.execute(_query("finish_run"), {"run_id": run_id, "status": "failed", "rows": None,
                                                "error": str(error)})
        raise JobFailed(f"job {job.name} failed and was rolled back: {error}") from None
    except psycopg.Error as error:
        message = _describe(error)
        if run_id is not None and not conn.broken:
            conn.execute(_query("finish_run"), {"run_id": run_id, "status": "failed", "rows": None,
                                                "error": message})
        if isinstance(error, psycopg.OperationalError) and conn.broken:
            raise
        raise JobFailed(f"job {job.name} failed and was rolled back: {message}") from None
    if run_id is not None:
        conn.execute(_query("finish_run"), {"run_id": run_id, "status": "succeeded", "rows": rows, "error": None})
    status = "dry-run" if dry_run else "succeeded"
    message = (f"dry run of {job.name}: would write {rows} row(s); rolled back" if dry_run
               else f"{job.name} succeeded: {rows} row(s)")
    return RunOutcome(job.name, status, rows, clock, time.monotonic() - started, run_id, message,
                      tuple(context.notes))


def _describe(error: psycopg.Error) -> str:
    text = " ".join(str(error).strip().splitlines()[0].split()) if str(error).strip() else type(error).__name__
    return f"{text} (SQLSTATE {error.sqlstate})" if error.sqlstate else text


def last_runs(conn: psycopg.Connection) -> dict[str, dict]:
    return {row["job"]: row for row in conn.execute(_query("last_runs")).fetchall()}
