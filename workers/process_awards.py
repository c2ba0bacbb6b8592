"""process-awards: what answers and awards leave for after the request, applied in order, exactly once.

The answer path (private.record_answer, private.apply_xp_change) does what the learner sees and queues the
rest in private.award_outbox; private.process_awards applies a batch of it set-based and deletes it in the
same transaction (organization XP, activity days, analytics events, progress and SM-2, streak milestones,
achievements and challenges, rank counts). A killed run rolls back: its rows stay queued for the next run.

- `learnkit worker run process-awards`: drain the queue once, in one transaction (pg_cron's entry runs the
  same SQL every few seconds on hosted Supabase: `learnkit worker schedule --pg-cron`).
- `learnkit worker run process-awards --follow`: run batch after batch, each committed on its own, and wait
  on LISTEN learnkit_awards when idle (a writer notifies when the follower sleeps, private.queue_award; a
  short poll covers the rest) until interrupted.
"""

import signal
import time
from collections.abc import Callable
from dataclasses import dataclass

import psycopg

from cli import connection, queries
from workers.jobs import JobContext

BATCH_SIZE = 1000
# The most one scheduled run applies, so that a backlog after downtime is worked off in bounded transactions.
MOST_PER_RUN = 50_000
# How long --follow waits for a notification before looking at the queue anyway.
POLL_SECONDS = 0.25
# How long --follow waits when writers are committing rows it cannot see yet.
BUSY_SECONDS = 0.005


def _query(name: str) -> str:
    return queries.query("process_awards.sql", name, package="workers")


def run(context: JobContext) -> int:
    """Drain the queue (at most MOST_PER_RUN rows) in the runner's transaction."""
    applied = 0
    while applied < MOST_PER_RUN:
        done = context.conn.execute(_query("process_batch"), {"batch_size": BATCH_SIZE}).fetchone()["applied"]
        if done == 0:
            break
        applied += done
        context.progress("batches", applied, applied + _queued(context.conn))
    context.note(f"applied {applied} queued award(s) and answer(s); {_queued(context.conn)} left")
    return applied


def _queued(conn: psycopg.Connection) -> int:
    return conn.execute(_query("queued")).fetchone()["queued"]


@dataclass
class FollowStats:
    batches: int = 0
    applied: int = 0


def follow(url: str, *, batch_size: int = BATCH_SIZE, poll_seconds: float = POLL_SECONDS,
           should_stop: Callable[[], bool] | None = None,
           on_batch: Callable[[int], None] = lambda applied: None) -> FollowStats:
    """Apply batches as they come, each in its own transaction, until should_stop() (default: SIGINT/SIGTERM)."""
    stopping = {"now": False}
    if should_stop is None:
        def request_stop(signum, frame):
            stopping["now"] = True
        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
        should_stop = lambda: stopping["now"]  # noqa: E731
    stats = FollowStats()
    with connection.connect(url) as conn:
        conn.execute(_query("listen"))
        while not should_stop():
            applied = conn.execute(_query("process_batch"), {"batch_size": batch_size}).fetchone()["applied"]
            if applied:
                stats.batches += 1
                stats.applied += applied
                on_batch(applied)
                continue
            # Idle: sleep under the sleep lock, so that the next answer or award notifies, until a notification
            # (or the poll interval). Without the lock, writers are committing rows (look again in a moment) or
            # another follower sleeps (wait as it does).
            if not conn.execute(_query("sleep")).fetchone()["asleep"]:
                if conn.execute(_query("another_follower_asleep")).fetchone()["asleep"]:
                    for _ in conn.notifies(timeout=poll_seconds, stop_after=1):
                        break
                else:
                    time.sleep(BUSY_SECONDS)
                continue
            try:
                if not conn.execute(_query("anything_queued")).fetchone()["queued"]:
                    for _ in conn.notifies(timeout=poll_seconds, stop_after=1):
                        break
            finally:
                conn.execute(_query("wake"))
    return stats


def wait_until_drained(url: str, timeout: float = 10.0) -> bool:
    """For demos and tests: true once the queue is empty (a follower or pg_cron processes it)."""
    deadline = time.monotonic() + timeout
    with connection.connect(url) as conn:
        while time.monotonic() < deadline:
            if _queued(conn) == 0:
                return True
            time.sleep(0.05)
    return False
