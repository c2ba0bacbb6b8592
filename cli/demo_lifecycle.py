"""`learnkit demo` section: the data lifecycle, shown by last week's guardian progress report.

It signs up a learner and a guardian, gives the learner three days of practice last week (events, XP,
a mastered concept that unlocks the next one), then runs what the weekly build-progress-reports job runs
for that learner and prints where the PDF is (a local directory under the project's .learnkit/).
"""

import uuid

import psycopg

from cli import output, queries
from cli.settings import Settings
from workers import reports
from workers.lifecycle_store import LocalStore


def _query(name: str) -> str:
    return queries.query("demo_lifecycle.sql", name)


def show_progress_report(conn: psycopg.Connection, settings: Settings) -> None:
    conn.execute(_query("event_partitions"))
    student, guardian = uuid.uuid4(), uuid.uuid4()
    for user_id, nickname in ((student, "Maya"), (guardian, "Maya's dad")):
        conn.execute(_query("create_learner"), {"id": user_id, "nickname": nickname,
                                                "email": f"{user_id}@demo.learnkit.dev"})
    conn.execute(_query("link_guardian"), {"guardian": guardian, "student": student})
    concepts = conn.execute(_query("concepts"), {"student": student}).fetchone()
    conn.execute(_query("prerequisite"), concepts)
    days = conn.execute(_query("last_week_days")).fetchall()
    for index, day in enumerate(days):
        conn.execute(_query("learning_event"), {"student": student, "seconds": day["minutes"] * 60, "at": day["at"]})
        conn.execute(_query("award_xp"), {"student": student, "xp": 20 + 5 * index, "key": f"demo-{index}",
                                          "at": day["at"]})
    conn.execute(_query("mastery"), {"student": student, "concept": concepts["mastered"], "at": days[1]["at"]})
    conn.execute(_query("refresh_rollups"))

    store = LocalStore(settings.state_dir / "lifecycle" / "reports")
    path = reports.write_report(conn, store, student, conn.execute(_query("database_now")).fetchone()["now"])
    output.table("Weekly progress report (build-progress-reports)", ["Student", "Guardian", "PDF"],
                 [[str(student), str(guardian), str(store.path(path))]])
    output.stdout.print(f"Progress report PDF: {store.path(path)}", markup=False, highlight=False)
