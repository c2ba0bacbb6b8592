"""Scheduling the jobs: pg_cron entries in the database, or crontab lines.

Schedules are cron expressions in UTC (pg_cron's default cron.timezone),
validated with croniter.
"""

import re
from dataclasses import dataclass
from datetime import datetime

import psycopg
from croniter import croniter

from cli import queries
from cli.errors import UsageError
from workers.registry import JOBS

PG_CRON_PREFIX = "learnkit-"


def _query(name: str) -> str:
    return queries.query("schedule.sql", name, package="workers")


def scheduled_jobs():
    return [job for job in JOBS.values() if job.schedule]


def validate(expression: str) -> str:
    if re.fullmatch(r"([1-9]|[1-5][0-9]) seconds", expression):
        return expression  # pg_cron's interval form
    if not croniter.is_valid(expression):
        raise UsageError(f"invalid cron expression {expression!r}")
    return expression


def next_run(expression: str, after: datetime) -> datetime:
    return croniter(validate(expression), after).get_next(datetime)


def crontab_lines(executable: str, project_dir: str) -> list[str]:
    lines = [
        "# learnkit workers: times are UTC. Set SUPABASE_DB_URL in this crontab's environment (not here:",
        "# crontabs are world-readable on some systems). Output is JSON lines; exit 1 = the job failed.",
        "CRON_TZ=UTC",
    ]
    for job in scheduled_jobs():
        lines.append(f"{validate(job.schedule)} cd {project_dir} && {executable} --json worker run {job.name}"
                     f" >> /var/log/learnkit-{job.name}.log 2>&1")
    return lines


@dataclass(frozen=True)
class CronEntry:
    name: str
    schedule: str
    command: str
    cron_job_id: int


def schedule_pg_cron(conn: psycopg.Connection) -> list[CronEntry]:
    status = conn.execute(_query("pg_cron_status")).fetchone()
    if not status["has_cron_schedule"]:
        hint = ("it is available on this server: run `create extension pg_cron` (on Supabase: Database → "
                "Extensions)" if status["pg_cron_available"] else
                "it is not installed on this server: install pg_cron, or use `learnkit worker schedule --crontab`")
        raise UsageError(f"pg_cron is not enabled in this database; {hint}")
    if not status["has_worker_entry"]:
        raise UsageError("private.run_worker_job is missing: push the learnkit migrations first (learnkit db push)")
    entries = []
    with conn.transaction():
        for job in scheduled_jobs():
            if not job.sql_entry:
                continue
            name = PG_CRON_PREFIX + job.name
            every = job.pg_cron_schedule or job.schedule
            row = conn.execute(_query("schedule_job"), {
                "job_name": name, "schedule": validate(every), "command": job.sql_entry}).fetchone()
            entries.append(CronEntry(name, every, job.sql_entry, row["cron_job_id"]))
    return entries
