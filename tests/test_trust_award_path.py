"""Issue 14, items 5, 6 and 8: the answer's award path has bounded cost, pays only for new learning, and rewards
speed only when the server measured it.

Work is counted, never timed: PostgreSQL's per-transaction statistics (pg_stat_xact_user_tables: rows read from a
table, pg_stat_xact_user_functions: calls of a PL/pgSQL function) before and after one answer, in one transaction.
"""

import uuid

import psycopg
import pytest

from cli import testing
from tests.personas import create_personas

ADD_QUESTION = """
insert into public.questions (id, course_id, lesson_id, author_id, question_type, operand1, operand2, operation,
                              is_published)
values (%(id)s, %(course)s, %(lesson)s, %(author)s, 'math_fact', %(a)s, %(b)s, '+', true);
"""
ADD_KEY = ("insert into public.question_answer_keys (question_id, correct_answer, correct_value)"
           " values (%(id)s, to_jsonb(%(v)s::int), %(v)s)")
START_SESSION = """
insert into public.learning_sessions (user_id, session_type, container) values (%(user)s, 'container', 'learn')
returning id
"""
AWARD_FUNCTIONS = ("evaluate_achievements", "evaluate_challenges", "award_learning_xp", "apply_xp_change",
                   "record_answer")


@pytest.fixture
def world(conn):
    personas = create_personas(conn)
    extra = []
    for a, b in ((5, 6), (2, 2)):
        question = uuid.uuid4()
        conn.execute(ADD_QUESTION, {"id": question, "course": personas.content["course"],
                                    "lesson": personas.content["lesson"], "author": personas.educator, "a": a, "b": b})
        conn.execute(ADD_KEY, {"id": question, "v": a + b})
        extra.append((question, a + b))
    personas.content["questions"] = [(personas.content["question"], 7), *extra]
    conn.execute("set track_functions = 'pl'")
    return personas


def session_for(conn, user):
    return conn.execute(START_SESSION, {"user": user}).fetchone()["id"]


def submit(acting, session, question, answer, key=None, ms=1500):
    return acting.execute(
        "select public.submit_answer(%(s)s, %(q)s, %(a)s::jsonb, %(ms)s, %(k)s) as r",
        {"s": session, "q": question, "a": str(answer), "ms": ms, "k": key}).fetchone()["r"]


def xp_of(conn, user):
    return conn.execute("select * from public.xp_profiles where user_id = %s", (user,)).fetchone()


def work(acting) -> dict[str, int]:
    """Rows read from the achievement tables and calls of the award functions so far in this transaction."""
    counts = {}
    for row in acting.execute(
            "select relname, coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0) as n from pg_stat_xact_user_tables"
            " where schemaname = 'public' and relname in ('achievements', 'user_achievements', 'daily_challenges',"
            " 'challenge_progress')"):
        counts[row["relname"]] = row["n"]
    for row in acting.execute("select funcname, calls from pg_stat_xact_user_functions where funcname = any(%s)",
                              (list(AWARD_FUNCTIONS),)):
        counts[row["funcname"]] = row["calls"]
    return counts


def delta(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {key: after.get(key, 0) - before.get(key, 0) for key in after}


def define_achievements(conn, count, *, organization=None, target_from=100_000, reward=0, criteria="xp_total"):
    conn.execute(
        """insert into public.achievements (organization_id, slug, name, description, criteria, target, xp_reward)
           select %(org)s, 'bulk-' || %(criteria)s || '-' || n, 'Bulk ' || n, 'many', %(criteria)s,
                  %(target)s + n, %(reward)s
           from generate_series(1, %(count)s) n""",
        {"org": organization, "criteria": criteria, "target": target_from, "reward": reward, "count": count})
    conn.execute("analyze public.achievements")  # the statistics a database holding these definitions would have


def answer_work(conn, world, question, answer):
    """The work one paid, fast-enough answer does (as the student, through submit_answer)."""
    session = session_for(conn, world.student)
    with testing.as_user(conn, world.student, commit=True) as acting:
        before = work(acting)
        result = submit(acting, session, question, answer, key=str(uuid.uuid4()))
        testing.drain_awards(acting)  # the answer's award work now runs in process-awards: count it too
        after = work(acting)
    assert result["award_rule"] == "correct_first_try"
    return delta(before, after)


# ---------------------------------------------------------------- item 5: bounded cost
def test_an_answer_reads_no_more_achievements_with_2000_defined_than_with_20(conn, world):
    """Achievements a learner cannot reach with this answer (their own organization's, everyone's, another
    organization's) cost the answer nothing: it reads the same rows with 2,000 defined as with 20."""
    (q1, a1), (q2, a2), _ = world.content["questions"]
    for organization in (None, world.org, world.other_org):
        define_achievements(conn, 7, organization=organization, target_from=100_000 + (0 if organization else 50))
    small = answer_work(conn, world, q1, a1)
    conn.execute("delete from public.achievements where slug like 'bulk-%'")
    # 2,000: 190 of the learner's organization, 190 of another (platform limit 200 each), 1,620 platform-wide.
    for organization, count in ((None, 1620), (world.org, 190), (world.other_org, 190)):
        define_achievements(conn, count, organization=organization,
                            target_from=100_000 + (0 if organization else 5000))
    large = answer_work(conn, world, q2, a2)
    assert large["achievements"] <= small["achievements"] + 2, (small, large)
    assert large["user_achievements"] <= small["user_achievements"] + 2, (small, large)
    assert large.get("evaluate_achievements", 0) <= 2, large


def test_one_answer_unlocks_a_bounded_number_of_achievements_without_re_evaluating(conn, world):
    """Each unlock used to pay through increment_xp, which re-ran the whole evaluation: quadratic. Now one answer
    evaluates once (plus one xp_total pass for the rewards it paid) and unlocks at most a few per criterion; the rest
    unlock on the learner's next events."""
    (q1, a1), (q2, a2), _ = world.content["questions"]
    define_achievements(conn, 150, organization=world.org, target_from=0, reward=1)
    define_achievements(conn, 150, target_from=0, reward=1)
    first = answer_work(conn, world, q1, a1)
    unlocked = conn.execute("select count(*) n from public.user_achievements where user_id = %s",
                            (world.student,)).fetchone()["n"]
    assert 0 < unlocked <= 20
    # Each reward pays through increment_xp, whose call of evaluate_achievements returns at once (counted as a
    # call); the evaluations that read anything are the answer's own and one xp_total pass.
    assert first.get("evaluate_achievements", 0) <= 2 + unlocked, first
    # At most 10 unlocks per criterion and scope, two passes: their index scans, foreign-key checks, never the 300.
    assert first["achievements"] <= 150, first
    second = answer_work(conn, world, q2, a2)
    assert second.get("evaluate_achievements", 0) <= 2 + 20, second
    assert second["achievements"] <= 150, second
    assert conn.execute("select count(*) n from public.user_achievements where user_id = %s",
                        (world.student,)).fetchone()["n"] > unlocked, "the next event unlocks the next ones"
    rewards = conn.execute("select count(*) n, sum(amount) s from public.xp_transactions where user_id = %s"
                           " and category = 'achievement'", (world.student,)).fetchone()
    stats = xp_of(conn, world.student)
    assert rewards["n"] == stats["achievements_unlocked"] == conn.execute(
        "select count(*) n from public.user_achievements where user_id = %s", (world.student,)).fetchone()["n"]


def test_a_refused_answer_does_no_award_work(conn, world):
    """An attempt the insert policy refuses (here: written in the victim's name) used to be awarded by a BEFORE
    INSERT trigger, locking and evaluating the victim, before RLS refused it. Now nothing of the award runs."""
    victim_session = session_for(conn, world.classmate)
    question, answer = world.content["questions"][0]
    define_achievements(conn, 20, organization=world.org, target_from=0, reward=5)
    with testing.as_user(conn, world.student) as acting:
        before = work(acting)
        with pytest.raises(psycopg.errors.InsufficientPrivilege), acting.transaction():
            acting.execute("""insert into public.answer_attempts (user_id, session_id, question_id, answer,
                                                                  response_time_ms)
                              values (%s, %s, %s, to_jsonb(%s::int), 900)""",
                           (world.classmate, victim_session, question, answer))
        after = work(acting)
    spent = delta(before, after)
    assert all(spent.get(name, 0) == 0 for name in AWARD_FUNCTIONS), spent
    assert spent.get("achievements", 0) == 0, spent
    assert xp_of(conn, world.classmate)["xp"] == 0


# ---------------------------------------------------------------- item 6: no pay without learning
def test_finishing_containers_of_already_answered_questions_pays_nothing(conn, world):
    question, answer = world.content["questions"][0]
    first = session_for(conn, world.student)
    with testing.as_user(conn, world.student, commit=True) as acting:
        submit(acting, first, question, answer)
        paid = acting.execute("select public.finish_container(%s) r", (first,)).fetchone()["r"]
    assert paid["xp_awarded"] == 70 and paid["perfect"]
    before = xp_of(conn, world.student)
    for _ in range(3):
        replay = session_for(conn, world.student)
        with testing.as_user(conn, world.student, commit=True) as acting:
            assert submit(acting, replay, question, answer)["award_rule"] == "already_answered"
            farmed = acting.execute("select public.finish_container(%s) r", (replay,)).fetchone()["r"]
        assert (farmed["xp_awarded"], farmed["perfect"]) == (0, False)
    after = xp_of(conn, world.student)
    assert (after["xp"], after["perfect_scores"]) == (before["xp"], before["perfect_scores"])


def test_perfect_scores_do_not_rise_when_nothing_was_paid(conn, world):
    conn.execute("insert into public.gamification_settings (organization_id, daily_xp_cap) values (%s, 10)", (world.org,))
    conn.execute("update public.profiles set time_zone = 'UTC' where id = %s", (world.student,))
    session = session_for(conn, world.student)
    with testing.as_user(conn, world.student, commit=True) as acting:
        assert submit(acting, session, *world.content["questions"][0])["xp_awarded"] == 10
        done = acting.execute("select public.finish_container(%s) r", (session,)).fetchone()["r"]
    assert done["xp_awarded"] == 0
    stats = xp_of(conn, world.student)
    assert (stats["xp"], stats["perfect_scores"]) == (10, 0)
    day = conn.execute("select coalesce(sum(perfect_scores), 0) n from public.xp_activity_days where user_id = %s",
                       (world.student,)).fetchone()["n"]
    assert day == 0


def test_a_student_cannot_mark_lessons_or_a_course_complete(conn, world):
    lesson, course = world.content["lesson"], world.content["course"]
    conn.execute("insert into public.enrollments (user_id, course_id) values (%s, %s)", (world.student, course))
    with testing.as_user(conn, world.student) as acting:
        with pytest.raises(psycopg.errors.InsufficientPrivilege), acting.transaction():
            acting.execute("insert into public.lesson_progress (user_id, lesson_id, completed) values (%s, %s, true)",
                           (world.student, lesson))
        acting.execute("insert into public.lesson_progress (user_id, lesson_id, time_spent_seconds)"
                       " values (%s, %s, 30)", (world.student, lesson))
        for column, value in (("completed", "true"), ("completed_at", "now()"), ("course_id", "null")):
            with pytest.raises(psycopg.errors.InsufficientPrivilege), acting.transaction():
                acting.execute(f"update public.lesson_progress set {column} = {value} where lesson_id = %s", (lesson,))
        acting.execute("update public.lesson_progress set time_spent_seconds = 90 where lesson_id = %s", (lesson,))
    enrollment = conn.execute("select progress_percentage, status from public.enrollments where user_id = %s",
                              (world.student,)).fetchone()
    assert (enrollment["progress_percentage"], enrollment["status"]) == (0, "active")


def test_lesson_completion_follows_the_lessons_own_rule(conn, world):
    """complete_lesson applies the lesson's mastery_required (share of its questions answered correctly) and
    minimum_accuracy (% of the learner's attempts at them that were right); the course's progress follows."""
    lesson, course = world.content["lesson"], world.content["course"]
    conn.execute("insert into public.enrollments (user_id, course_id) values (%s, %s)", (world.student, course))
    conn.execute("update public.lessons set mastery_required = 0.60, minimum_accuracy = 60 where id = %s", (lesson,))
    (q1, a1), (q2, a2), (q3, a3) = world.content["questions"]
    session = session_for(conn, world.student)
    with testing.as_user(conn, world.student, commit=True) as acting:
        submit(acting, session, q1, a1)
        for wrong in (1, 2):
            submit(acting, session, q2, a2 + wrong)
        submit(acting, session, q2, a2)
        # 2 of 3 questions right (0.67 >= 0.60), but 2 of 4 attempts right (50 % < 60 %).
        with pytest.raises(psycopg.errors.CheckViolation, match="accuracy"), acting.transaction():
            acting.execute("select public.complete_lesson(%s)", (lesson,))
        submit(acting, session, q3, a3)
        # 3 of 5 attempts right: 60 %.
        done = acting.execute("select public.complete_lesson(%s) r", (lesson,)).fetchone()["r"]
    assert (done["xp_awarded"], done["perfect"]) == (20, False)
    progress = conn.execute("select completed from public.lesson_progress where user_id = %s and lesson_id = %s",
                            (world.student, lesson)).fetchone()
    assert progress["completed"]
    enrollment = conn.execute("select progress_percentage from public.enrollments where user_id = %s",
                              (world.student,)).fetchone()
    assert enrollment["progress_percentage"] == 100


def test_mastery_required_lets_a_lesson_complete_without_every_question(conn, world):
    lesson = world.content["lesson"]
    conn.execute("update public.lessons set mastery_required = 0.60 where id = %s", (lesson,))
    (q1, a1), (q2, a2), _ = world.content["questions"]
    session = session_for(conn, world.student)
    with testing.as_user(conn, world.student, commit=True) as acting:
        submit(acting, session, q1, a1)
        with pytest.raises(psycopg.errors.CheckViolation, match="1 of 3 questions"), acting.transaction():
            acting.execute("select public.complete_lesson(%s)", (lesson,))
        submit(acting, session, q2, a2)
        done = acting.execute("select public.complete_lesson(%s) r", (lesson,)).fetchone()["r"]
    assert done["xp_awarded"] == 20 and not done["perfect"], "perfect needs every question right the first time"


# ---------------------------------------------------------------- item 8: speed measured by the server
def test_a_client_reported_response_time_earns_no_speed_reward(conn, world):
    conn.execute("""insert into public.achievements (slug, name, description, criteria, target, xp_reward)
                    values ('t-quick', 'Quick', 'One fast answer', 'speed', 1, 30)""")
    question, answer = world.content["questions"][0]
    session = session_for(conn, world.student)
    with testing.as_user(conn, world.student, commit=True) as acting:
        result = submit(acting, session, question, answer, ms=1)
    assert result["award_rule"] == "correct_first_try"
    testing.drain_awards(conn)
    stats = xp_of(conn, world.student)
    assert (stats["fast_answers"], stats["achievements_unlocked"]) == (0, 0)
    progress = conn.execute("select mastery, fluency_level from public.question_progress where user_id = %s"
                            " and question_id = %s", (world.student, question)).fetchone()
    assert progress["fluency_level"] != "mastered" and progress["mastery"] < 1, progress
    stored = conn.execute("select response_time_ms from public.answer_attempts where id = %s",
                          (result["attempt_id"],)).fetchone()
    assert stored["response_time_ms"] == 1, "the client's figure is stored"


def test_a_question_served_by_the_server_and_answered_quickly_is_fast(conn, world):
    question, answer = world.content["questions"][0]
    session = session_for(conn, world.student)
    with testing.as_user(conn, world.student, commit=True) as acting:
        served = acting.execute("select public.serve_question(%s, %s) r", (session, question)).fetchone()["r"]
        again = acting.execute("select public.serve_question(%s, %s) r", (session, question)).fetchone()["r"]
    assert served["served_at"] == again["served_at"], "serving again does not restart the clock"
    with testing.as_user(conn, world.student, commit=True) as acting:
        result = submit(acting, session, question, answer, ms=999_999)
    assert result["award_rule"] == "correct_first_try"
    assert xp_of(conn, world.student)["fast_answers"] == 1
    measured = conn.execute("select measured_response_ms from public.answer_attempts where id = %s",
                            (result["attempt_id"],)).fetchone()["measured_response_ms"]
    assert measured is not None and 0 <= measured < 5000


def test_serving_is_only_for_your_own_open_session_and_readable_questions(conn, world):
    question, _ = world.content["questions"][0]
    theirs = session_for(conn, world.classmate)
    with testing.as_user(conn, world.student) as acting:
        with pytest.raises(psycopg.errors.InsufficientPrivilege), acting.transaction():
            acting.execute("select public.serve_question(%s, %s)", (theirs, question))
    outsider_session = session_for(conn, world.users["other_org_student"])
    with testing.as_user(conn, world.users["other_org_student"]) as acting:
        with pytest.raises(psycopg.errors.InsufficientPrivilege), acting.transaction():
            acting.execute("select public.serve_question(%s, %s)", (outsider_session, question))
    with testing.as_anon(conn) as acting:
        with pytest.raises(psycopg.errors.InsufficientPrivilege), acting.transaction():
            acting.execute("select public.serve_question(%s, %s)", (theirs, question))
