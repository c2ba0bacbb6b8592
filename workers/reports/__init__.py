"""build-progress-reports: the weekly PDF progress report per student, and who may fetch it.

For every student with a linked guardian, the job renders last ISO week's report (XP and level, streak,
time spent, mastered skills, a chart of daily activity, the next concepts the prerequisite graph unlocks)
to `{student_id}/{period}/summary.pdf` in the reports store (the `progress-reports` Storage bucket, or a
local directory) and records it in public.progress_reports. Rerunning a week rewrites the same files.

report_link() is the fetch: run on a connection acting as the caller (role authenticated, their JWT), it
asks public.progress_report_location(), which only answers the student and their linked guardians (RLS),
then returns a signed, expiring URL (Storage) or the file's path (local directory).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import psycopg

from cli import queries
from cli.errors import Failure
from workers import db_types, lifecycle_store
from workers.jobs import JobContext
from workers.lifecycle_store import ObjectStore
from workers.reports.pdf import DailyActivity, ReportData, render

NEXT_CONCEPTS = 5
DEFAULT_LINK_SECONDS = 3600


def _query(name: str) -> str:
    return queries.query("reports.sql", name, package="workers")


def report_week(now: datetime) -> tuple[str, date]:
    """The last whole ISO week (Monday to Sunday) before `now`, in UTC: (period, Monday)."""
    today = now.astimezone(timezone.utc).date()
    monday = today - timedelta(days=today.weekday() + 7)
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}", monday


def object_path(student_id, period: str) -> str:
    return f"{student_id}/{period}/summary.pdf"


def load_report(conn: psycopg.Connection, student_id, period: str, period_start: date) -> ReportData:
    student = conn.execute(_query("student"), {"student_id": student_id}).fetchone()
    if student is None:
        raise Failure(f"no profile {student_id}")
    parameters = {"student_id": student_id, "period_start": period_start, "limit": NEXT_CONCEPTS}
    days = [DailyActivity(row["day"], int(row["active_seconds"]), int(row["questions_answered"]),
                          int(row["lessons_completed"]), int(row["earned_xp"]))
            for row in conn.execute(_query("daily_activity"), parameters)]
    mastered = [(row["name"], row["new_this_week"]) for row in conn.execute(_query("mastered_skills"), parameters)]
    next_concepts = [row["name"] for row in conn.execute(_query("next_concepts"), parameters)]
    return ReportData(
        student_name=student["nickname"], period=period, period_start=period_start, xp=student["xp"],
        lifetime_xp=student["lifetime_xp"], level=student["level"], next_level_xp=student["next_level_xp"],
        tier=student["pathiq_tier"], current_streak=student["current_streak"], best_streak=student["best_streak"],
        weekly_streak=student["current_weekly_streak"], days=days, mastered_skills=mastered,
        next_concepts=next_concepts)


def write_report(conn: psycopg.Connection, store: ObjectStore, student_id, now: datetime) -> str:
    """Render and store one student's report for the week before `now`; returns its object path."""
    period, period_start = report_week(now)
    data = render(load_report(conn, student_id, period, period_start), now)
    path = object_path(student_id, period)
    stored = lifecycle_store.put_confirmed(store, path, data, "application/pdf")
    conn.execute(_query("record_report"), {
        "student_id": student_id, "period": period, "period_start": period_start, "object_path": path,
        "target": store.target, "location": store.location, "byte_size": stored.byte_size,
        "sha256": stored.sha256, "generated_at": now})
    return path


def build_progress_reports(context: JobContext, store: ObjectStore | None = None) -> int:
    conn = context.conn
    period, _ = report_week(context.now)
    students = [row["student_id"] for row in conn.execute(_query("students"))]
    if context.dry_run:
        context.note(f"would write {len(students)} progress report(s) for {period}")
        return len(students)
    store = store or lifecycle_store.reports_store()
    for index, student_id in enumerate(students, start=1):
        write_report(conn, store, student_id, context.now)
        context.progress("students", index, len(students))
    context.note(f"wrote {len(students)} progress report(s) for {period} to {store.location}")
    return len(students)


@dataclass(frozen=True)
class ReportLink:
    target: str  # storage: a signed URL; local: a file path
    link: str
    expires_in: int | None


def report_link(acting_conn: psycopg.Connection, student_id, period: str, *, store: ObjectStore | None = None,
                expires_in: int = DEFAULT_LINK_SECONDS) -> ReportLink:
    """Where the caller may fetch a report; `acting_conn` acts as the caller. Raises 42501 for anyone else."""
    # Through the generated, typed wrapper of public.progress_report_location (workers/db_types.py).
    (location,) = db_types.Rpc(acting_conn).progress_report_location(student=student_id, period=period)
    assert location.object_path is not None  # the function raises 42501 rather than return nothing
    if location.target == "local":
        return ReportLink("local", str(Path(location.location or "") / location.object_path), None)
    store = store or lifecycle_store.reports_store()
    return ReportLink("storage", store.link(location.object_path, expires_in), expires_in)
