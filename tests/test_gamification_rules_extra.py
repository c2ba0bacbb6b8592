"""Issue 4 rules that need more than one connection: the first-occurrence and try rules across two devices at once.

The other rules and refusals are pgTAP files 30-33 (supabase/tests/database); see docs/gamification.md, "Tests".
"""

import threading
import time

from cli import connection, testing
from tests.personas import create_personas

START_SESSION = """
insert into public.learning_sessions (user_id, session_type, container) values (%(user)s, 'container', 'learn')
returning id
"""
SUBMIT = "select public.submit_answer(%(session)s, %(question)s, '7', 1500, %(key)s) as r"
SUBMIT_ANSWER = "select public.submit_answer(%(session)s, %(question)s, %(answer)s::jsonb, 1500, %(key)s) as r"
WAIT_EVENT = "select wait_event_type from pg_catalog.pg_stat_activity where pid = %(pid)s"


def test_one_question_answered_on_two_devices_at_once_pays_once(conn, db_url):
    world = create_personas(conn)
    phone_session, laptop_session = (conn.execute(START_SESSION, {"user": world.student}).fetchone()["id"]
                                     for _ in range(2))
    question = world.content["question"]
    laptop_result = {}
    with connection.connect(db_url) as phone, connection.connect(db_url) as laptop:

        def answer_on_laptop():
            with testing.as_user(laptop, world.student, commit=True) as acting:
                laptop_result.update(acting.execute(SUBMIT, {"session": laptop_session, "question": question,
                                                             "key": "laptop"}).fetchone()["r"])

        with testing.as_user(phone, world.student, commit=True) as acting:
            phone_result = acting.execute(SUBMIT, {"session": phone_session, "question": question,
                                                   "key": "phone"}).fetchone()["r"]
            laptop_thread = threading.Thread(target=answer_on_laptop)
            laptop_thread.start()
            # The laptop's answer must wait for the phone's (uncommitted) one: the learner's row lock.
            waited = False
            for _ in range(200):
                row = conn.execute(WAIT_EVENT, {"pid": laptop.info.backend_pid}).fetchone()
                if row and row["wait_event_type"] == "Lock":
                    waited = True
                    break
                if not laptop_thread.is_alive():
                    break
                time.sleep(0.02)
        laptop_thread.join(timeout=30)
    assert waited, "the second device's answer did not wait for the first"
    assert (phone_result["xp_awarded"], phone_result["award_rule"]) == (10, "correct_first_try")
    assert (laptop_result["xp_awarded"], laptop_result["award_rule"]) == (0, "already_answered")
    stats = conn.execute("select xp, correct_answers from public.xp_profiles where user_id = %s",
                         (world.student,)).fetchone()
    assert (stats["xp"], stats["correct_answers"]) == (10, 1)


def test_a_wrong_answer_on_one_device_makes_a_right_one_on_another_the_second_try(conn, db_url):
    """Found by the invariant fuzzer (issue 19): a wrong answer took no lock, so a right answer sent at the same
    moment from another device did not count it and was paid as a first try (10 XP, and a fast answer) — sending
    every option at once beat the try rule. Attempts are judged one at a time, wrong ones included."""
    world = create_personas(conn)
    phone_session, laptop_session = (conn.execute(START_SESSION, {"user": world.student}).fetchone()["id"]
                                     for _ in range(2))
    question = world.content["question"]  # 3 + 4
    laptop_result = {}
    with connection.connect(db_url) as phone, connection.connect(db_url) as laptop:

        def answer_right_on_laptop():
            with testing.as_user(laptop, world.student, commit=True) as acting:
                laptop_result.update(acting.execute(SUBMIT_ANSWER, {"session": laptop_session, "question": question,
                                                                    "answer": "7", "key": "laptop"}).fetchone()["r"])

        with testing.as_user(phone, world.student, commit=True) as acting:
            wrong = acting.execute(SUBMIT_ANSWER, {"session": phone_session, "question": question, "answer": "8",
                                                   "key": "phone"}).fetchone()["r"]
            laptop_thread = threading.Thread(target=answer_right_on_laptop)
            laptop_thread.start()
            # Commit the wrong answer only once the right one has finished or waits for it.
            for _ in range(500):
                row = conn.execute(WAIT_EVENT, {"pid": laptop.info.backend_pid}).fetchone()
                if (row and row["wait_event_type"] == "Lock") or not laptop_thread.is_alive():
                    break
                time.sleep(0.01)
        laptop_thread.join(timeout=30)
    assert (wrong["xp_awarded"], wrong["award_rule"]) == (0, "incorrect")
    assert (laptop_result["xp_awarded"], laptop_result["award_rule"]) == (5, "correct_second_try")
    stats = conn.execute("select xp, fast_answers from public.xp_profiles where user_id = %s",
                         (world.student,)).fetchone()
    assert (stats["xp"], stats["fast_answers"]) == (5, 0)
