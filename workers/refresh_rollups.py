"""refresh-rollups and rebuild-rollups: the daily analytics rollups.

refresh-rollups folds the events ingested since the last refresh (the
watermark snapshot) into analytics.user_mode_daily, user_daily and
event_dimension_daily, exactly once, late events included. rebuild-rollups
is the fallback: truncate and fold in every event. Both run in the runner's
one transaction (see analytics.refresh_rollups in the migrations).
"""

from cli import queries
from workers.jobs import JobContext


def _refresh(context: JobContext, *, full_rebuild: bool) -> int:
    row = context.conn.execute(queries.query("refresh_rollups.sql", "refresh", package="workers"),
                               {"full_rebuild": full_rebuild}).fetchone()
    context.progress("rollups", 1, 1)
    return row["written"]


def run(context: JobContext) -> int:
    return _refresh(context, full_rebuild=False)


def run_full_rebuild(context: JobContext) -> int:
    return _refresh(context, full_rebuild=True)
