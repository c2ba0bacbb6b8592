"""Issue 16: the lean answer path pays at once and queues the rest; process-awards applies it in order,
exactly once, and a killed run repeats nothing and loses nothing."""

import threading
import time
import uuid

import psycopg
import pytest

from cli import connection, testing
from tests.personas import create_personas
from workers import process_awards

ADD_QUESTION = """
insert into public.questions (id, course_id, lesson_id, concept_id, author_id, question_type, operand1, operand2,
                              operation, is_published)
values (%(id)s, %(course)s, %(lesson)s, %(concept)s, %(author)s, 'math_fact', %(a)s, %(b)s, '+', true)
"""
ADD_KEY = """
insert into public.question_answer_keys (question_id, correct_answer, correct_value)
values (%(id)s, to_jsonb(%(a)s::int + %(b)s::int), %(a)s::int + %(b)s::int)
"""
START_SESSION = """
insert into public.learning_sessions (user_id, session_type, container) values (%(user)s, 'container', 'learn')
returning id
"""
SUBMIT = "select public.submit_answer(%(s)s, %(q)s, %(a)s::jsonb, 1500, %(k)s) as r"
PROGRESS = """
select total_attempts, correct_attempts, current_streak, best_streak, ease_factor, review_interval_days,
       repetitions, next_review_date, mastery, jsonb_path_query_array(recent_attempts, '$[*].is_correct') as recent
from public.question_progress where user_id = %(user)s and question_id = %(question)s
"""
LEDGER = """
select s.xp, s.lifetime_xp, (select coalesce(sum(delta), 0) from public.xp_transactions t
                             where t.user_id = s.user_id) as ledger_sum
from public.xp_profiles s where s.user_id = %(user)s
"""


def add_questions(conn, personas, count):
    questions = []
    for n in range(count):
        question = uuid.uuid4()
        conn.execute(ADD_QUESTION, {"id": question, "course": personas.content["course"],
                                    "lesson": personas.content["lesson"], "concept": personas.content["concept"],
                                    "author": personas.educator, "a": n + 2, "b": 3})
        conn.execute(ADD_KEY, {"id": question, "a": n + 2, "b": 3})
        questions.append((question, n + 5))
    return questions


@pytest.fixture
def world(conn):
    personas = create_personas(conn)
    personas.content["questions"] = add_questions(conn, personas, 6)
    return personas


def session_for(conn, user):
    return conn.execute(START_SESSION, {"user": user}).fetchone()["id"]


def submit(acting, session, question, answer, key=None):
    return acting.execute(SUBMIT, {"s": session, "q": question, "a": str(answer), "k": key}).fetchone()["r"]


def queued(conn) -> int:
    return conn.execute("select count(*) as n from private.award_outbox").fetchone()["n"]


def test_the_answer_is_paid_at_once_and_its_progress_follows_with_the_job(conn, world):
    session = session_for(conn, world.student)
    question, right = world.content["questions"][0]
    with testing.as_user(conn, world.student) as acting:
        result = submit(acting, session, question, right)
        assert result["is_correct"] and result["xp_awarded"] == 10 and result["balance"] == 10
        # What the learner sees is there at once: the balance, the ledger row, their own board entry.
        assert acting.execute(LEDGER, {"user": world.student}).fetchone()["ledger_sum"] == 10
        board = acting.execute("select score, is_me from public.get_leaderboard(%s)", (world.org,)).fetchall()
        assert {"score": 10, "is_me": True} in board
        # The rest waits for the job.
        assert acting.execute(PROGRESS, {"user": world.student, "question": question}).fetchone() is None
    with testing.as_user(conn, world.student) as acting:
        submit(acting, session, question, right)
        assert testing.drain_awards(acting) >= 1
        progress = acting.execute(PROGRESS, {"user": world.student, "question": question}).fetchone()
        assert progress["total_attempts"] == 1 and progress["correct_attempts"] == 1
        organization = acting.execute("select lifetime_xp, correct_answers from public.organization_xp"
                                      " where user_id = %s and organization_id = %s",
                                      (world.student, world.org)).fetchone()
        assert organization == {"lifetime_xp": 10, "correct_answers": 1}
        day = acting.execute("select earned_xp, learning_xp, correct_answers from public.xp_activity_days"
                             " where user_id = %s", (world.student,)).fetchone()
        assert day == {"earned_xp": 10, "learning_xp": 10, "correct_answers": 1}
        session_row = acting.execute("select questions_attempted, questions_correct from public.learning_sessions"
                                     " where id = %s", (session,)).fetchone()
        assert session_row == {"questions_attempted": 1, "questions_correct": 1}
        assert acting.execute("select count(*) as n from public.analytics_events where event_type = 'xp.earned'"
                              " and user_id = %s", (world.student,)).fetchone()["n"] == 1


def test_achievements_unlock_exactly_once_and_their_bonus_is_a_later_ledger_row(conn, world):
    conn.execute("""insert into public.achievements (organization_id, slug, name, description, criteria, target,
                                                       xp_reward)
                    values (%s, 'first-twenty', 'First twenty', 'Earn 20 XP', 'xp_total', 20, 5)""", (world.org,))
    session = session_for(conn, world.student)
    with testing.as_user(conn, world.student) as acting:
        for question, right in world.content["questions"][:3]:
            submit(acting, session, question, right)
        assert acting.execute("select count(*) as n from public.user_achievements").fetchone()["n"] == 0
        testing.drain_awards(acting)
        testing.drain_awards(acting)  # a second run finds nothing to do
        unlocked = acting.execute("select count(*) as n from public.user_achievements"
                                  " where unlocked_at is not null").fetchone()["n"]
        bonuses = acting.execute("select count(*) as n from public.xp_transactions"
                                 " where idempotency_key like 'achievement:%%'").fetchone()["n"]
        ledger = acting.execute(LEDGER, {"user": world.student}).fetchone()
    assert unlocked == 1 and bonuses == 1
    assert ledger["xp"] == ledger["ledger_sum"] == 35


def test_a_learners_answers_are_applied_in_the_order_they_were_made(conn, world):
    """One batch holding wrong, right, wrong, right answers to one question gives the progress (SM-2, streaks,
    recent attempts) that applying them one at a time gives."""
    question, right = world.content["questions"][1]
    answers = [right + 1, right, right + 2, right]
    sessions = {user: session_for(conn, user) for user in (world.student, world.classmate)}
    with testing.as_user(conn, world.student) as acting:
        for answer in answers:
            submit(acting, sessions[world.student], question, answer)
        testing.drain_awards(acting)
        in_one_batch = acting.execute(PROGRESS, {"user": world.student, "question": question}).fetchone()
    with testing.as_user(conn, world.classmate) as acting:
        for answer in answers:
            submit(acting, sessions[world.classmate], question, answer)
            testing.drain_awards(acting)
        one_at_a_time = acting.execute(PROGRESS, {"user": world.classmate, "question": question}).fetchone()
    assert in_one_batch["recent"] == [True, False, True, False]
    assert in_one_batch == one_at_a_time


def commit_answers(url, user, session, questions):
    with connection.connect(url) as conn:
        with testing.as_user(conn, user, commit=True) as acting:
            for question, right in questions:
                submit(acting, session, question, right)


def test_a_killed_run_repeats_nothing_and_loses_nothing(conn, db_url, world):
    session = session_for(conn, world.student)
    commit_answers(db_url, world.student, session, world.content["questions"][:2])
    before = queued(conn)
    assert before == 2  # two paid answers: one row each, the payment with the answer's progress

    with connection.connect(db_url, autocommit=False) as blocker, connection.connect(db_url) as runner:
        # The run takes the queue, then waits for the learner's profile, which another transaction holds.
        blocker.execute("select 1 from public.xp_profiles where user_id = %s for update", (world.student,))
        victim = runner.execute("select pg_backend_pid() as pid").fetchone()["pid"]
        outcome = {}

        def run_job():
            try:
                runner.execute("select private.process_awards(1000)")
                outcome["finished"] = True
            except psycopg.Error as error:
                outcome["error"] = type(error).__name__

        thread = threading.Thread(target=run_job)
        thread.start()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            waiting = conn.execute("select wait_event_type from pg_stat_activity where pid = %s",
                                   (victim,)).fetchone()
            if waiting and waiting["wait_event_type"] == "Lock":
                break
            time.sleep(0.02)
        else:
            pytest.fail("the run never waited on the profile lock")
        conn.execute("select pg_terminate_backend(%s)", (victim,))
        thread.join(10)
        blocker.rollback()
    assert "finished" not in outcome

    # Nothing was applied, nothing was lost.
    assert queued(conn) == before
    assert conn.execute("select count(*) as n from public.question_progress where user_id = %s",
                        (world.student,)).fetchone()["n"] == 0
    assert conn.execute("select private.process_awards(1000) as n").fetchone()["n"] == before
    assert conn.execute("select private.process_awards(1000) as n").fetchone()["n"] == 0
    rows = conn.execute("select total_attempts from public.question_progress where user_id = %s",
                        (world.student,)).fetchall()
    assert [row["total_attempts"] for row in rows] == [1, 1]
    assert conn.execute("select lifetime_xp from public.organization_xp where user_id = %s",
                        (world.student,)).fetchone()["lifetime_xp"] == 20


def test_one_run_at_a_time(conn, db_url, world):
    session = session_for(conn, world.student)
    commit_answers(db_url, world.student, session, world.content["questions"][:2])
    with connection.connect(db_url, autocommit=False) as first, connection.connect(db_url) as second:
        assert first.execute("select private.process_awards(1) as n").fetchone()["n"] == 1
        # While the first run's transaction is open, another run does nothing rather than reorder a learner's rows.
        assert second.execute("select private.process_awards(1000) as n").fetchone()["n"] == 0
        first.commit()
        assert second.execute("select private.process_awards(1000) as n").fetchone()["n"] == 1


def test_concurrent_writers_on_one_learner_keep_the_ledger_equal_to_the_balance(conn, db_url, world):
    questions = add_questions(conn, world, 24)
    sessions = [session_for(conn, world.student) for _ in range(8)]
    errors = []

    def writer(index):
        try:
            with connection.connect(db_url) as own:
                for question, right in questions[index::8]:
                    for _ in range(2):  # each sent twice with one key: the replay pays nothing
                        with testing.as_user(own, world.student, commit=True) as acting:
                            submit(acting, sessions[index], question, right, key=f"k-{question}")
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    ledger = conn.execute(LEDGER, {"user": world.student}).fetchone()
    assert ledger["xp"] == ledger["lifetime_xp"] == ledger["ledger_sum"] == 24 * 10
    testing.drain_awards(conn)
    assert conn.execute("select lifetime_xp, correct_answers from public.organization_xp where user_id = %s",
                        (world.student,)).fetchone() == {"lifetime_xp": 240, "correct_answers": 24}
    assert conn.execute("select sum(questions_attempted) as n from public.learning_sessions where user_id = %s",
                        (world.student,)).fetchone()["n"] == 24


def test_my_rank_catches_up_with_the_job(conn, world):
    sessions = {user: session_for(conn, user) for user in (world.student, world.classmate)}
    questions = world.content["questions"]
    with testing.as_user(conn, world.classmate, commit=True) as acting:
        submit(acting, sessions[world.classmate], *questions[0])
    with testing.as_user(conn, world.student) as acting:
        for question, right in questions[:2]:
            submit(acting, sessions[world.student], question, right)
        testing.drain_awards(acting)
        mine = acting.execute("select rank, score from public.get_leaderboard_around_me(%s) where is_me",
                              (world.org,)).fetchone()
        top = acting.execute("select rank, score, is_me from public.get_leaderboard(%s)", (world.org,)).fetchall()
    assert mine == {"rank": 1, "score": 20}
    assert [(row["rank"], row["score"]) for row in top if row["score"] > 0] == [(1, 20), (2, 10)]
    counts = conn.execute("select level, sum(members) as members from private.leaderboard_xp_counts"
                          " where organization_id = %s group by level order by level", (world.org,)).fetchall()
    students = conn.execute("select count(*) as n from private.leaderboard_entries where organization_id = %s",
                            (world.org,)).fetchone()["n"]
    assert all(row["members"] == students for row in counts)


def test_a_follower_catches_up_after_a_notification(conn, db_url, world):
    session = session_for(conn, world.student)
    stop = threading.Event()
    follower = threading.Thread(target=process_awards.follow, args=(db_url,),
                                kwargs={"poll_seconds": 30, "should_stop": stop.is_set})
    follower.start()
    try:
        time.sleep(0.5)  # the follower is idle, listening (a 30 s poll: only the notification wakes it)
        commit_answers(db_url, world.student, session, world.content["questions"][:1])
        assert process_awards.wait_until_drained(db_url, timeout=20)
    finally:
        stop.set()
        conn.execute("notify learnkit_awards")
        follower.join(40)
    assert conn.execute("select count(*) as n from public.question_progress where user_id = %s",
                        (world.student,)).fetchone()["n"] == 1


def test_writers_notify_only_a_sleeping_follower(conn, db_url, world):
    """A NOTIFY takes a database-wide lock at commit: answers send one only when a follower sleeps on LISTEN
    (it holds its sleep lock), not while it works or when none runs (pg_cron)."""
    session = session_for(conn, world.student)
    first, second, third = world.content["questions"][:3]
    with connection.connect(db_url) as listener, connection.connect(db_url) as follower:
        listener.execute("listen learnkit_awards")
        commit_answers(db_url, world.student, session, [first])
        assert list(listener.notifies(timeout=0.5, stop_after=1)) == []
        assert follower.execute(process_awards._query("sleep")).fetchone()["asleep"]
        commit_answers(db_url, world.student, session, [second])
        assert len(list(listener.notifies(timeout=10, stop_after=1))) == 1
        follower.execute(process_awards._query("wake"))
        commit_answers(db_url, world.student, session, [third])
        assert list(listener.notifies(timeout=0.5, stop_after=1)) == []
    assert queued(conn) == 3


def test_a_follower_tells_a_writer_committing_from_another_follower_asleep(conn, db_url, world):
    """A follower refused the sleep lock looks again in a moment while a writer commits, but waits for a
    notification, as the other does, while another follower sleeps (rather than polling every few ms)."""
    sleep, wake, other = (process_awards._query(name) for name in ("sleep", "wake", "another_follower_asleep"))
    with connection.connect(db_url) as first, connection.connect(db_url) as second, \
            connection.connect(db_url, autocommit=False) as writer:
        assert first.execute(sleep).fetchone()["asleep"]
        assert not second.execute(sleep).fetchone()["asleep"]
        assert second.execute(other).fetchone()["asleep"] is True
        first.execute(wake)
        writer.execute("select private.increment_xp(%s, 5, 'bonus', 'bonus', 'follower-probe')", (world.student,))
        assert not second.execute(sleep).fetchone()["asleep"]  # the writer holds it shared until it commits
        assert second.execute(other).fetchone()["asleep"] is False
        writer.commit()
        assert second.execute(sleep).fetchone()["asleep"]
        second.execute(wake)


def test_the_demo_shows_the_answer_paid_at_once_and_the_achievement_a_moment_later(seeded_conn, settings, capsys):
    from cli.demo_awards import show_deferred_awards

    show_deferred_awards(seeded_conn, settings)
    shown = capsys.readouterr().out
    assert '"First answer" unlocks a moment later' in shown and "not drained" not in shown
    unlocked = seeded_conn.execute("""select count(*) as n from public.user_achievements ua
                                      join public.achievements a on a.id = ua.achievement_id
                                      where a.slug like 'demo-first-answer-%%' and ua.unlocked_at is not null"""
                                   ).fetchone()["n"]
    assert unlocked >= 1 and queued(seeded_conn) == 0


def test_rows_of_a_learner_deleted_meanwhile_are_skipped(conn, world):
    session = session_for(conn, world.student)
    with testing.as_user(conn, world.student, commit=True) as acting:
        for question, right in world.content["questions"][:2]:
            submit(acting, session, question, right)
    assert queued(conn) == 2
    conn.execute("delete from auth.users where id = %s", (world.student,))
    assert conn.execute("select private.drain_awards() as n").fetchone()["n"] == 2  # no foreign-key failure
    assert queued(conn) == 0
    assert conn.execute("select count(*) as n from public.organization_xp where user_id = %s",
                        (world.student,)).fetchone()["n"] == 0
