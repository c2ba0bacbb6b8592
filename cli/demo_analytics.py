"""The demo's analytics section: record activity, run the workers, read a dashboard from the rollups."""

import psycopg

from cli import output, queries, testing
from cli.settings import Settings
from workers import runner

DEMO_LEARNERS = [("demo-learner-ana", "Europe/Paris"), ("demo-learner-ben", "America/New_York"),
                 ("demo-learner-chi", "Asia/Tokyo")]
DASHBOARD_JOBS = ["maintain-partitions", "refresh-rollups"]


def _query(name: str) -> str:
    return queries.query("demo_analytics.sql", name)


def _ensure_activity(conn: psycopg.Connection, today) -> None:
    if conn.execute(_query("demo_learners")).fetchall():
        return
    for seed, (nickname, time_zone) in enumerate(DEMO_LEARNERS):
        user_id = testing.create_user(conn, email=f"{nickname}@demo.learnkit.dev",
                                      metadata={"nickname": nickname, "time_zone": time_zone})
        conn.execute(_query("insert_demo_events"), {"user_id": user_id, "seed": seed, "today": today})


def show_analytics(conn: psycopg.Connection, settings: Settings) -> None:
    today = conn.execute("select now() as now").fetchone()["now"]
    runner.run_on(conn, "maintain-partitions")  # the events of the last two weeks need their partitions
    _ensure_activity(conn, today)
    rows = []
    for job in DASHBOARD_JOBS:
        outcome = runner.run_on(conn, job)
        rows.append([job, outcome.status, outcome.rows, f"{outcome.seconds * 1000:.0f} ms"])
    output.table("Workers", ["Job", "Status", "Rows", "Time"], rows)
    dashboard = conn.execute(_query("dashboard"), {"today": today}).fetchall()
    output.table("Daily practice summaries, last 7 local days (public.daily_practice_summaries)",
                 ["Learner", "Day", "Minutes", "Sessions", "Answers", "Accuracy %", "Minutes by mode", "Goal met"],
                 [[r["learner"], r["day"], r["total_minutes"], r["sessions"], r["questions_answered"], r["accuracy"],
                   ", ".join(f"{mode} {minutes}" for mode, minutes in (r["time_by_mode"] or {}).items()),
                   "yes" if r["daily_goal_met"] else "no"] for r in dashboard])
    by_mode = conn.execute(_query("metrics_by_mode")).fetchall()
    output.table("Practice metrics by mode (public.practice_metrics_daily)",
                 ["Mode", "Sessions", "XP", "Average score", "Accuracy %"],
                 [[r["mode"], r["sessions"], r["xp"], r["average_score"], r["accuracy"]] for r in by_mode])
