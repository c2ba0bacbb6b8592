"""recompute-streaks: daily and weekly streaks, set-based, for learners with new activity.

Learners are queued by a trigger on xp_activity_days; private.recompute_streaks
takes the queue and rewrites their xp_profiles streak columns with one
gaps-and-islands statement in their local days (issue 4's rule, late days
included). rebuild-streaks queues every learner first (the fallback).
"""

from cli import queries
from workers.jobs import JobContext


def _query(name: str) -> str:
    return queries.query("recompute_streaks.sql", name, package="workers")


def run(context: JobContext) -> int:
    changed = context.conn.execute(_query("recompute")).fetchone()["changed"]
    context.progress("streaks", 1, 1)
    return changed


def run_for_everyone(context: JobContext) -> int:
    context.conn.execute(_query("queue_all"))
    context.progress("queue", 1, 2)
    changed = context.conn.execute(_query("recompute")).fetchone()["changed"]
    context.progress("streaks", 2, 2)
    return changed
