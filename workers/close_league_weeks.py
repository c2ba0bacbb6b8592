"""close-league-weeks: close ended league weeks with issue 4's close_league_week_v1.

A week is due once it has ended in every time zone (Monday 14:00 UTC after
it); each organization's week is closed (final ranks, promotions, demotions)
and the next week formed. Idempotent.
"""

from cli import queries
from workers.jobs import JobContext


def run(context: JobContext) -> int:
    closed = context.conn.execute(queries.query("close_league_weeks.sql", "close_due", package="workers"),
                                  {"now": context.now}).fetchone()["closed"]
    context.progress("league weeks", 1, 1)
    return closed
