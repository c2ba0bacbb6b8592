"""Demo sections for the learning schema: a student's dashboard and a
guardian's view, each read as that user through row level security."""

import psycopg

from cli import output, queries, testing
from cli.settings import Settings

SQL_FILE = "demo_learning.sql"


def _rows(conn: psycopg.Connection, name: str) -> list[dict]:
    return conn.execute(queries.query(SQL_FILE, name)).fetchall()


def _seed_user(conn: psycopg.Connection, name: str) -> dict | None:
    found = _rows(conn, name)
    if not found:
        output.info(f"Skipping the {name.removeprefix('demo_')} view: the seed's demo users are missing.")
        return None
    return found[0]


def show_student_dashboard(conn: psycopg.Connection, settings: Settings) -> None:
    student = _seed_user(conn, "demo_student")
    if student is None:
        return
    with testing.as_user(conn, student["id"]) as acting:
        snapshot = _rows(acting, "student_snapshot")[0]
        courses = _rows(acting, "student_courses")
        fluency = _rows(acting, "student_fluency")
        next_concepts = _rows(acting, "student_next_concepts")
        visibility = _rows(acting, "student_visibility")[0]
    output.table(
        f"Student dashboard — {snapshot['nickname']} (grade {snapshot['grade_level']}, {snapshot['time_zone']}), "
        "read as the student",
        ["Sessions this week", "Answers this week", "Accuracy %", "Minutes practised"],
        [[snapshot["sessions_this_week"], snapshot["answers_this_week"], snapshot["accuracy_percent"],
          snapshot["minutes_practised"]]])
    output.table("Courses", ["Course", "Progress %", "Lessons done", "Status"],
                 [[c["title"], c["progress_percentage"], c["lessons_completed"], c["status"]] for c in courses])
    output.table("Fact fluency (mastery trigger) and reviews due (SM-2)", ["Fluency level", "Facts", "Due today"],
                 [[f["fluency_level"], f["facts"], f["due_today"]] for f in fluency])
    output.table("Next available concepts (prerequisite graph)", ["Code", "Concept", "Status", "Mastery"],
                 [[n["code"], n["name"], n["status"], n["mastery"]] for n in next_concepts])
    output.stdout.print(
        f"Through RLS this student sees {visibility['others_sessions']} sessions of other students, "
        f"{visibility['other_profiles']} other profiles (their teachers and guardians) "
        f"and {visibility['answer_keys']} answer keys.")


def show_guardian_view(conn: psycopg.Connection, settings: Settings) -> None:
    guardian = _seed_user(conn, "demo_guardian")
    if guardian is None:
        return
    with testing.as_user(conn, guardian["id"]) as acting:
        children = _rows(acting, "guardian_children")
        recent = _rows(acting, "guardian_recent_sessions")
        visibility = _rows(acting, "guardian_visibility")[0]
        changed = _rows(acting, "guardian_try_write")
        overviews = _rows(acting, "guardian_child_overview")
    output.table(
        f"Guardian view — {guardian['nickname']}, read as the guardian",
        ["Student", "Grade", "Sessions 7d", "Accuracy 7d %", "Facts mastered", "Skills mastered",
         "Course progress %", "Last active (local)"],
        [[c["nickname"], c["grade_level"], c["sessions_7d"], c["accuracy_7d"], c["facts_mastered"],
          c["skills_mastered"], c["course_progress"], c["last_active"]] for c in children])
    output.table("The same children through public.get_child_overview (one checked RPC per child)",
                 ["Student", "XP", "Level", "Streak", "Sessions this week", "Accuracy this week %"],
                 [[o["nickname"], o["xp"], o["level"], o["current_streak"], o["sessions_this_week"],
                   o["accuracy_this_week"]] for o in overviews])
    output.table("Recent sessions", ["Student", "Started (local)", "Course", "Correct", "Minutes"],
                 [[r["nickname"], r["started"], r["course"], r["correct"], r["minutes"]] for r in recent])
    output.stdout.print(
        f"Through RLS this guardian sees the sessions of {visibility['students_visible']} students (their own "
        f"children), {visibility['answer_keys']} answer keys, and an attempt to change a child's session "
        f"updated {len(changed)} rows.")
