"""Demo section: a student earns XP through the student RPCs (as the API would call them, under RLS),
takes a hint (the hint economy), then the organization's live leaderboard."""

import uuid

import psycopg

from cli import output, queries, testing
from cli.settings import Settings

_SQL = "demo_gamification.sql"


def show_gamification(conn: psycopg.Connection, settings: Settings) -> None:
    student = conn.execute(queries.query(_SQL, "demo_student")).fetchone()
    if student is None:
        output.info("Gamification: no student in the seed, skipped.")
        return
    questions = conn.execute(queries.query(_SQL, "demo_questions"),
                             {"organization_id": student["organization_id"]}).fetchall()
    rows = []
    with testing.as_user(conn, student["user_id"], commit=True) as acting:
        session_id = acting.execute(queries.query(_SQL, "start_session")).fetchone()["id"]
        for number, question in enumerate(questions):
            # A wrong answer first on the second question shows the second-try rule.
            attempts = [str(int(question["answer"]) + 1), question["answer"]] if number == 1 else [question["answer"]]
            for answer in attempts:
                result = acting.execute(queries.query(_SQL, "submit_answer"), {
                    "session_id": session_id, "question_id": question["question_id"], "answer": answer,
                    "response_time_ms": 1800, "idempotency_key": str(uuid.uuid4()),
                }).fetchone()["result"]
                rows.append([answer, result["is_correct"], result["award_rule"], result["xp_awarded"],
                             result["balance"], result["level"]])
    output.table(f"{student['nickname']} answers through public.submit_answer (as the student, under RLS)",
                 ["Answer", "Correct", "Rule", "XP", "Balance", "Level"], rows)
    hinted = conn.execute(queries.query(_SQL, "hinted_question"),
                          {"organization_id": student["organization_id"]}).fetchone()
    if hinted is not None:
        with testing.as_user(conn, student["user_id"], commit=True) as acting:
            hint = acting.execute(queries.query(_SQL, "use_hint"), {
                "question_id": hinted["question_id"], "idempotency_key": str(uuid.uuid4())}).fetchone()
        result = hint["result"]
        output.table(f"{student['nickname']} takes a hint through public.use_hint",
                     ["Hint", "Cost (XP)", "Free hints left today", "Balance"],
                     [[result["hint"], result["cost"], result["free_hints_left"], result["balance"]]])
        output.stdout.print(f"Read directly, public.question_hints shows this student {hint['hints_readable']} hints.")
    # Top boards are live; "my rank" reads the rank counts the process-awards job keeps (next section).
    applied = testing.drain_awards(conn)
    output.stdout.print(f"process-awards applied {applied} queued row(s): progress, achievements, rank counts.")
    with testing.as_user(conn, student["user_id"]) as acting:
        board = acting.execute(queries.query(_SQL, "leaderboard"),
                               {"organization_id": student["organization_id"]}).fetchall()
        around = acting.execute(queries.query(_SQL, "my_rank"),
                                {"organization_id": student["organization_id"]}).fetchall()
    output.table("Leaderboard: all-time XP, top 10 (live)", ["Rank", "Nickname", "XP", "Me"],
                 [[r["rank"], r["nickname"], r["score"], "←" if r["is_me"] else ""] for r in board])
    output.table("Around me (±2)", ["Rank", "Nickname", "XP", "Me"],
                 [[r["rank"], r["nickname"], r["score"], "←" if r["is_me"] else ""] for r in around])
