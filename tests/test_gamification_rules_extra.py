"""Issue 4 rules that need more than one connection: the first-occurrence rule across two devices at once.

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
