"""The data lifecycle's retention jobs (windows: private.lifecycle_settings).

- strip-session-details: sessions past `session_details_kept_for` keep only their summary.
- expire-chat-sessions: tutor chats inactive past `chats_expire_after` are deleted.
- archive-sessions: sessions started before `sessions_archived_after`, of learners who did not opt in to
  keep their practice history, go to cold storage as gzip JSON lines (with their answer attempts and
  generated exercises), then leave the database.
- anonymise-session-archives: archives older than `archives_anonymised_after` are rewritten without the
  learners' identities (except learners who opted in).
- retire-learning-events: learning events past `learning_events_kept_for` are folded into the daily
  rollups, archived, then deleted; monthly partitions wholly past the window are detached and dropped. The
  cutoff is recorded (analytics.rollup_watermarks.retired_before) so rebuild-rollups keeps their rollups.

Crash safety: the runner runs a job in one transaction. An archive file is written (atomically) and read
back before the rows it holds are deleted in that transaction, so a job killed at any point leaves either
the rows (and maybe an unlisted duplicate file), or the rows deleted and the file listed in
private.archived_objects. Files are named by their content, so a rerun over the same rows rewrites the same
file rather than adding another. With --dry-run nothing is written anywhere: the job says what it would do.
"""

import hashlib
from datetime import date, datetime, timezone

import psycopg
from psycopg import sql

from cli import queries
from cli.errors import Failure
from workers import lifecycle_store
from workers.jobs import JobContext
from workers.lifecycle_store import ObjectStore

SESSIONS_PER_ARCHIVE = 5_000
EVENTS_PER_ARCHIVE = 50_000
NEVER = datetime(1, 1, 1, tzinfo=timezone.utc)


def _query(name: str) -> str:
    return queries.query("retention.sql", name, package="workers")


def lifecycle_settings(conn: psycopg.Connection) -> dict:
    return conn.execute(_query("lifecycle_settings")).fetchone()


def cutoffs(conn: psycopg.Connection, now: datetime) -> dict:
    return conn.execute(_query("cutoffs"), {"now": now}).fetchone()


def _would(context: JobContext) -> str:
    return "would " if context.dry_run else ""


# ---------------------------------------------------------------- in-database jobs
def strip_session_details(context: JobContext) -> int:
    limits = cutoffs(context.conn, context.now)
    stripped = context.conn.execute(_query("strip_session_details"), {"now": context.now}).fetchone()["written"]
    context.note(f"{_would(context)}strip the details of {stripped} session(s) finished before "
                 f"{_format(limits['details_cutoff'])}")
    context.progress("sessions", 1, 1)
    return stripped


def expire_chat_sessions(context: JobContext) -> int:
    limits = cutoffs(context.conn, context.now)
    expired = context.conn.execute(_query("expire_chat_sessions"), {"now": context.now}).fetchone()["written"]
    context.note(f"{_would(context)}delete {expired} chat session(s) inactive since before "
                 f"{_format(limits['chats_cutoff'])}, with their messages")
    context.progress("chats", 1, 1)
    return expired


# ---------------------------------------------------------------- archive-sessions
def archive_sessions(context: JobContext, store: ObjectStore | None = None) -> int:
    conn = context.conn
    limits = cutoffs(conn, context.now)
    cutoff = limits["archive_cutoff"]
    months = [row["month"] for row in conn.execute(_query("session_months_to_archive"), {"cutoff": cutoff})]
    if store is None and not context.dry_run:
        store = lifecycle_store.archive_store(limits["archive_bucket"])
    archived = 0
    for index, month in enumerate(months, start=1):
        # A month already past the anonymisation window is archived anonymised straight away.
        anonymise = _month_end(month) <= limits["anonymise_cutoff"]
        if context.dry_run:
            count = conn.execute(_query("count_sessions_to_archive"), {"month": month, "cutoff": cutoff}
                                 ).fetchone()["sessions"]
            context.note(f"would archive {count} session(s) of {month:%Y-%m}"
                           f"{' (anonymised)' if anonymise else ''} to learning_sessions/{month:%Y-%m}/, "
                           "then delete them")
            archived += count
        else:
            archived += _archive_session_month(context, store, month, cutoff, anonymise)
        context.progress("months", index, len(months))
    if not months:
        context.note(f"no session started before {_format(cutoff)} to archive")
    return archived


def _archive_session_month(context: JobContext, store: ObjectStore, month: date, cutoff: datetime,
                           anonymise: bool) -> int:
    conn = context.conn
    archived = 0
    while True:
        rows = conn.execute(_query("sessions_to_archive"), {
            "month": month, "cutoff": cutoff, "anonymise": anonymise, "batch_size": SESSIONS_PER_ARCHIVE,
        }).fetchall()
        if not rows:
            return archived
        data = lifecycle_store.gzip_lines([row["line"] for row in rows])
        stored = lifecycle_store.put_confirmed(
            store, lifecycle_store.content_key(f"learning_sessions/{month:%Y-%m}", data), data, "application/gzip")
        _record(conn, "learning_sessions", month, store, stored, len(rows), context.now if anonymise else None)
        conn.execute(_query("delete_sessions"), {"ids": [row["id"] for row in rows]})
        archived += len(rows)
        context.note(f"archived {len(rows)} session(s) of {month:%Y-%m} to {store.location}/{stored.key}")


def _record(conn: psycopg.Connection, dataset: str, month: date | None, store: ObjectStore,
            stored: lifecycle_store.StoredObject, row_count: int, anonymised_at: datetime | None) -> None:
    conn.execute(_query("record_archive"), {
        "dataset": dataset, "month": month, "target": store.target, "location": store.location,
        "object_key": stored.key, "row_count": row_count, "byte_size": stored.byte_size, "sha256": stored.sha256,
        "anonymised_at": anonymised_at,
    })


# ---------------------------------------------------------------- anonymise-session-archives
def anonymise_session_archives(context: JobContext, store: ObjectStore | None = None) -> int:
    conn = context.conn
    limits = cutoffs(conn, context.now)
    if store is None and not context.dry_run:
        store = lifecycle_store.archive_store(limits["archive_bucket"])
    if not context.dry_run:
        _purge_superseded(context, store)
    due = conn.execute(_query("archives_to_anonymise"), {"anonymise_cutoff": limits["anonymise_cutoff"]}
                       ).fetchall()
    if context.dry_run:
        for archive in due:
            context.note(f"would anonymise {archive['object_key']} ({archive['period_month']:%Y-%m})")
        if not due:
            context.note("no archive is due for anonymisation")
        return len(due)
    rewritten = 0
    for index, archive in enumerate(due, start=1):
        if (archive["target"], archive["location"]) != (store.target, store.location):
            context.note(f"skipped {archive['object_key']}: it is in {archive['target']} {archive['location']}, "
                           f"this run writes to {store.target} {store.location}")
            continue
        original = store.get(archive["object_key"])
        if hashlib.sha256(original).hexdigest() != archive["sha256"]:
            raise Failure(
                f"archive {archive['object_key']} does not match its recorded SHA-256; left as it is")
        lines = [row["line"] for row in conn.execute(_query("anonymise_lines"), {
            "lines": lifecycle_store.gunzip_lines(original)})]
        data = lifecycle_store.gzip_lines(lines)
        key = lifecycle_store.content_key(f"learning_sessions/{archive['period_month']:%Y-%m}", data)
        stored = lifecycle_store.put_confirmed(store, key, data, "application/gzip")
        conn.execute(_query("replace_archive"), {
            "id": archive["id"], "object_key": stored.key, "byte_size": stored.byte_size, "sha256": stored.sha256,
            "now": context.now, "superseded_key": archive["object_key"] if stored.key != archive["object_key"] else None,
        })
        rewritten += 1
        context.note(f"anonymised {archive['object_key']} as {stored.key}")
        context.progress("archives", index, len(due))
    return rewritten


def _purge_superseded(context: JobContext, store: ObjectStore) -> None:
    """Identified archives replaced by anonymised ones in a committed run: now they can go."""
    for row in context.conn.execute(_query("superseded_archives")).fetchall():
        if (row["target"], row["location"]) != (store.target, store.location):
            continue
        store.delete(row["superseded_key"])
        context.conn.execute(_query("clear_superseded"), {"id": row["id"]})
        context.note(f"deleted the identified archive {row['superseded_key']}")


# ---------------------------------------------------------------- retire-learning-events
def retire_learning_events(context: JobContext, store: ObjectStore | None = None) -> int:
    conn = context.conn
    limits = cutoffs(conn, context.now)
    cutoff = limits["events_cutoff"]
    conn.execute(_query("refresh_rollups"))  # aggregate first: only aggregated events are retired
    if store is None and not context.dry_run:
        store = lifecycle_store.archive_store(limits["archive_bucket"])
    whole_partitions = {row["month"]: row for row in conn.execute(
        _query("event_partitions_past_retention"), {"cutoff": cutoff}).fetchall()}
    months = sorted({row["month"] for row in conn.execute(_query("event_months_past_retention"),
                                                         {"cutoff": cutoff})} | set(whole_partitions))
    retired = 0
    for index, month in enumerate(months, start=1):
        counts = conn.execute(_query("count_events_to_archive"), {"month": month, "cutoff": cutoff}).fetchone()
        waiting = counts["total"] - counts["aggregated"]
        partition = whole_partitions.get(month)
        if waiting:
            context.note(f"{month:%Y-%m}: {waiting} event(s) not aggregated yet are kept for the next run"
                           + ("; its partition stays" if partition else ""))
        if context.dry_run:
            context.note(f"would archive and delete {counts['aggregated']} event(s) of {month:%Y-%m}"
                           + (f", then detach and drop {partition['relname']}" if partition and not waiting else ""))
            retired += counts["aggregated"] + (1 if partition and not waiting else 0)
            continue
        if partition and waiting:
            continue  # archive the whole month at once, when all of it is aggregated
        retired += _archive_event_month(context, store, month, cutoff, delete_rows=partition is None)
        if partition:
            identifier = sql.Identifier(partition["schema_name"], partition["relname"])
            conn.execute(sql.SQL("alter table public.learning_events detach partition {}").format(identifier))
            conn.execute(sql.SQL("drop table {}").format(identifier))
            retired += 1
            context.note(f"detached and dropped {partition['relname']}")
        context.progress("months", index, len(months))
    if retired and not context.dry_run:
        conn.execute(_query("mark_events_retired"), {"cutoff": cutoff})
    if not months:
        context.note(f"no learning event before {_format(cutoff)} to retire")
    return retired


def _archive_event_month(context: JobContext, store: ObjectStore, month: date, cutoff: datetime, *,
                         delete_rows: bool) -> int:
    conn = context.conn
    after_at, after_id, archived = NEVER, 0, 0
    while True:
        rows = conn.execute(_query("events_to_archive"), {
            "month": month, "cutoff": cutoff, "after_at": after_at, "after_id": after_id,
            "batch_size": EVENTS_PER_ARCHIVE}).fetchall()
        if not rows:
            return archived
        data = lifecycle_store.gzip_lines([row["line"] for row in rows])
        stored = lifecycle_store.put_confirmed(
            store, lifecycle_store.content_key(f"learning_events/{month:%Y-%m}", data), data, "application/gzip")
        _record(conn, "learning_events", month, store, stored, len(rows), None)
        if delete_rows:  # a partition wholly past retention is dropped instead, after all its batches
            conn.execute(_query("delete_events"), {"ids": [row["id"] for row in rows],
                                                   "occurred_at": [row["occurred_at"] for row in rows]})
        archived += len(rows)
        after_at, after_id = rows[-1]["occurred_at"], rows[-1]["id"]
        context.note(f"archived {len(rows)} event(s) of {month:%Y-%m} to {store.location}/{stored.key}")


# ---------------------------------------------------------------- helpers
def _month_end(month: date) -> datetime:
    year, next_month = (month.year + 1, 1) if month.month == 12 else (month.year, month.month + 1)
    return datetime(year, next_month, 1, tzinfo=timezone.utc)


def _format(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
