"""maintain-partitions: keep monthly partitions ahead of the event tables.

Creates any missing partition of public.analytics_events and
public.learning_events from the month before `now` to MONTHS_AHEAD months
after it (each with RLS, the parent's select policies and select-only grants).
Idempotent: a rerun creates nothing new.
"""

from cli import queries
from workers.jobs import JobContext

PARTITIONED_TABLES = ("public.analytics_events", "public.learning_events")
MONTHS_AHEAD = 3


def run(context: JobContext) -> int:
    created = 0
    for index, table_name in enumerate(PARTITIONED_TABLES, start=1):
        row = context.conn.execute(queries.query("maintain_partitions.sql", "create_partitions", package="workers"), {
            "table_name": table_name, "now": context.now, "months_ahead": MONTHS_AHEAD,
        }).fetchone()
        created += row["created"]
        context.progress(table_name, index, len(PARTITIONED_TABLES))
    return created
