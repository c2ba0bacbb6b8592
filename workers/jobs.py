"""What every job module provides, and what the runner hands it.

A job is a module with a `run(context) -> int` function (the rows it wrote)
and a Job entry in workers.registry. The runner calls it inside one
transaction on `context.conn`: whatever the job does commits together, or not
at all when it fails, is killed, or runs with --dry-run (rolled back).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import psycopg

# progress(step, completed, total): long jobs report each step they finish.
Progress = Callable[[str, int, int], None]


def no_progress(step: str, completed: int, total: int) -> None:
    return None


@dataclass
class JobContext:
    conn: psycopg.Connection
    now: datetime
    dry_run: bool = False
    progress: Progress = field(default=no_progress)
    # What the job did or, with --dry-run, would do, one sentence each: the runner reports them.
    notes: list[str] = field(default_factory=list)

    def note(self, message: str) -> None:
        self.notes.append(message)


@dataclass(frozen=True)
class Job:
    name: str
    description: str
    run: Callable[[JobContext], int]
    schedule: str | None  # cron expression (UTC); None: run on demand only
    sql_entry: str | None = None  # what pg_cron runs: a `select ...` calling the same SQL functions
    # pg_cron's own schedule when finer than cron's minute (pg_cron >= 1.5 takes '[1-59] seconds').
    pg_cron_schedule: str | None = None
