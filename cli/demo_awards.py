"""Demo section: the lean answer path (issue 16). The answer is paid at once; its progress and the achievement it
unlocks come a moment later, when the process-awards job (a follower, as `learnkit worker run process-awards
--follow` runs it) applies what the answer queued."""

import threading
import time
import uuid

import psycopg

from cli import output, queries, testing
from cli.settings import Settings
from workers import process_awards

_SQL = "demo_awards.sql"


def show_deferred_awards(conn: psycopg.Connection, settings: Settings) -> None:
    learner = conn.execute(queries.query(_SQL, "learner")).fetchone()  # with the question they will answer
    if learner is None:
        output.info("Deferred awards: no unanswered question for a seed student, skipped.")
        return
    achievement = conn.execute(queries.query(_SQL, "define_achievement"),
                               {"organization_id": learner["organization_id"]}).fetchone()["name"]
    ids = {"user_id": learner["user_id"], "question_id": learner["question_id"]}
    rows = []
    with testing.as_user(conn, learner["user_id"], commit=True) as acting:
        session_id = acting.execute(queries.query(_SQL, "start_session")).fetchone()["id"]
        result = acting.execute(queries.query(_SQL, "submit_answer"), {
            "session_id": session_id, "question_id": learner["question_id"], "answer": learner["answer"],
            "idempotency_key": str(uuid.uuid4())}).fetchone()["result"]
    answered = time.perf_counter()
    state = conn.execute(queries.query(_SQL, "state"), ids).fetchone()
    rows.append(["the answer returns", f"+{result['xp_awarded']} XP, balance {result['balance']}",
                 state["achievements"], state["progress_rows"], state["queued"]])

    # The job, as a follower: woken by the answer's notification, it applies the queue and waits again.
    stop = threading.Event()
    url = psycopg.conninfo.make_conninfo(conn.info.dsn, password=conn.info.password)
    follower = threading.Thread(target=process_awards.follow, args=(url,), kwargs={"should_stop": stop.is_set})
    follower.start()
    try:
        drained = process_awards.wait_until_drained(url, timeout=10)
    finally:
        stop.set()
        follower.join(5)
    lag = time.perf_counter() - answered
    state = conn.execute(queries.query(_SQL, "state"), ids).fetchone()
    rows.append([f"{lag:.2f} s later, after process-awards" + ("" if drained else " (not drained)"),
                 f"balance {state['balance']} (+5: the achievement's reward)", state["achievements"],
                 state["progress_rows"], state["queued"]])
    output.table(f"{learner['nickname']} answers; \"{achievement}\" unlocks a moment later (issue 16)",
                 ["When", "XP", "Achievements", "Progress rows", "Queued rows"], rows)

