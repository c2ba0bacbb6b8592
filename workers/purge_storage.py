"""purge-storage: delete the Storage objects queued in private.storage_purge_queue.

Account deletion queues the objects a user owned (private.trigger_release_storage_objects); this job deletes
them for good. Where learnkit runs against hosted Supabase (SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY set,
as for the lifecycle archives), each object is deleted through the Storage API (an HTTP DELETE with the
service key, by supabase-py's storage client: deleting the row in storage.objects would leave the file in the
object store). In the local emulation there is no Storage API: the storage.objects rows are the objects, and
the job deletes them directly.

Kill-safe: the runner runs the job in one transaction, and a queue row is deleted in it only once the Storage
API has confirmed its object is gone (deleted now, or already absent). A run killed at any point rolls back
its queue deletions; the objects it already deleted are asked for again by the next run, which finds them gone
and dequeues them. A failed deletion keeps its row for the next run.
"""

from dataclasses import dataclass
from itertools import groupby

from cli import queries
from cli.errors import Failure, UsageError
from workers import lifecycle_store
from workers.jobs import JobContext

BATCH_SIZE = 100  # objects per Storage API request (one bucket each), and queue rows per statement


def _query(name: str) -> str:
    return queries.query("purge_storage.sql", name, package="workers")


def run(context: JobContext, client=None) -> int:
    conn = context.conn
    queued = conn.execute(_query("count_queued")).fetchone()["queued"]
    if client is None and not context.dry_run:
        client = lifecycle_store.storage_client()
    if context.dry_run:
        where = "through the Storage API" if lifecycle_store.storage_configured() else "from storage.objects"
        context.note(f"would delete {queued} queued Storage object(s) {where}")
        return queued
    if client is None:
        if conn.execute(_query("has_storage_api")).fetchone()["has_storage_api"]:
            raise UsageError("this database is served by the Supabase Storage API: set SUPABASE_URL and "
                             "SUPABASE_SERVICE_ROLE_KEY so purge-storage deletes the files, not only their rows")
        return _purge_local(context, queued)
    return _purge_through_api(context, client, queued)


def _purge_local(context: JobContext, queued: int) -> int:
    purged = 0
    while True:
        row = context.conn.execute(_query("purge_local"), {"batch_size": BATCH_SIZE}).fetchone()
        if not row["purged"]:
            break
        purged += row["purged"]
        context.progress("objects", purged, queued)
    context.note(f"deleted {purged} queued object(s) from storage.objects (local emulation)")
    return purged


@dataclass
class _Tally:
    confirmed: int = 0
    failed: int = 0
    first_error: str = ""


def _purge_through_api(context: JobContext, client, queued: int) -> int:
    tally = _Tally()
    seen: set[tuple[str, str]] = set()
    while True:
        rows = [row for row in context.conn.execute(_query("queued"), {"batch_size": BATCH_SIZE}).fetchall()
                if (row["bucket_id"], row["object_name"]) not in seen]
        if not rows:
            break
        for bucket, group in groupby(rows, key=lambda row: row["bucket_id"]):
            names = [row["object_name"] for row in group]
            seen.update((bucket, name) for name in names)
            try:
                # storage3's remove: DELETE /storage/v1/object/{bucket} with {"prefixes": names}; 200 lists the
                # objects it deleted, and a name it does not list was not there: gone either way.
                client.storage.from_(bucket).remove(names)
            except Exception as error:  # noqa: BLE001 - any refusal keeps the rows: they are retried next run
                tally.failed += len(names)
                tally.first_error = tally.first_error or f"{bucket}: {error}"
                continue
            context.conn.execute(_query("dequeue"), {"buckets": [bucket] * len(names), "names": names})
            tally.confirmed += len(names)
        context.progress("objects", tally.confirmed + tally.failed, queued)
    if tally.failed and not tally.confirmed:
        raise Failure(f"the Storage API deleted none of {tally.failed} queued object(s): {tally.first_error}")
    context.note(f"deleted {tally.confirmed} queued object(s) through the Storage API")
    if tally.failed:
        context.note(f"{tally.failed} object(s) could not be deleted and stay queued: {tally.first_error}")
    return tally.confirmed
