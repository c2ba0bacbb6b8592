"""XP ledger, increment_xp, levels and the server-verified awards (issue 4)."""

import re
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
ADD_KEY = "insert into public.question_answer_keys (question_id, correct_answer, correct_value) values (%(id)s, to_jsonb(%(v)s::int), %(v)s)"
START_SESSION = """
insert into public.learning_sessions (user_id, session_type, container) values (%(user)s, 'container', 'learn')
returning id
"""


@pytest.fixture
def world(conn):
    personas = create_personas(conn)
    # The persona lesson gets two more questions: three in all (3+4, 5+6, 2+2).
    extra = []
    for a, b in ((5, 6), (2, 2)):
        question = uuid.uuid4()
        conn.execute(ADD_QUESTION, {"id": question, "course": personas.content["course"],
                                    "lesson": personas.content["lesson"], "author": personas.educator, "a": a, "b": b})
        conn.execute(ADD_KEY, {"id": question, "v": a + b})
        extra.append((question, a + b))
    personas.content["questions"] = [(personas.content["question"], 7), *extra]
    return personas


def session_for(conn, user):
    return conn.execute(START_SESSION, {"user": user}).fetchone()["id"]


def submit(acting, session, question, answer, key=None, ms=1500):
    return acting.execute(
        "select public.submit_answer(%(s)s, %(q)s, %(a)s::jsonb, %(ms)s, %(k)s) as r",
        {"s": session, "q": question, "a": str(answer), "ms": ms, "k": key}).fetchone()["r"]


def xp_of(conn, user):
    return conn.execute("select * from public.xp_profiles where user_id = %s", (user,)).fetchone()


def award(conn, user, delta, key, category="bonus", at=None):
    return conn.execute(
        "select private.increment_xp(%s, %s, 'test', %s, %s, null, null, null, %s) as r",
        (user, delta, category, key, at)).fetchone()["r"]


def test_level_curve_matches_level_up_xp(conn):
    thresholds = conn.execute(
        "select array_agg(public.level_threshold(n) order by n) as t from generate_series(1, 6) n").fetchone()["t"]
    assert thresholds == [0, 120, 276, 479, 742, 1085]
    levels = conn.execute("select public.level_for_xp(119) a, public.level_for_xp(120) b, public.level_for_xp(478) c, "
                          "public.level_for_xp(479) d, public.pathiq_tier(5) t").fetchone()
    assert (levels["a"], levels["b"], levels["c"], levels["d"], levels["t"]) == (1, 2, 3, 4, "pathfinder")


def test_increment_xp_updates_profile_and_ledger_atomically(conn, world):
    first = award(conn, world.student, 130, "k1")
    assert first["balance"] == 130 and first["level"] == 2 and not first["replayed"]
    spent = award(conn, world.student, -30, "k2", category="hint")
    assert spent["balance"] == 100 and spent["kind"] == "spent"
    stats = xp_of(conn, world.student)
    assert (stats["xp"], stats["lifetime_xp"], stats["level"], stats["next_level_xp"]) == (100, 130, 2, 276)
    ledger = conn.execute("select sum(delta) s, count(*) n from public.xp_transactions where user_id = %s",
                          (world.student,)).fetchone()
    assert (ledger["s"], ledger["n"]) == (100, 2)


def test_replayed_key_returns_first_result_and_adds_nothing(conn, world):
    first = award(conn, world.student, 40, "same")
    again = award(conn, world.student, 999, "same")
    assert again["replayed"] and again["transaction_id"] == first["transaction_id"] and again["amount"] == 40
    assert xp_of(conn, world.student)["xp"] == 40


@pytest.mark.parametrize("delta, category, key, sqlstate", [
    (0, "bonus", "k", "22023"), (100001, "bonus", "k", "22023"), (5, "cheating", "k", "22023"),
    (5, "bonus", None, "22023"), (-1, "hint", "k", "23514"),
])
def test_increment_xp_refuses_bad_input(conn, world, delta, category, key, sqlstate):
    with pytest.raises(psycopg.Error) as error:
        award(conn, world.student, delta, key, category=category)
    assert error.value.sqlstate == sqlstate
    assert xp_of(conn, world.student)["xp"] == 0


def test_student_cannot_call_increment_xp(conn, world):
    with testing.as_user(conn, world.student) as acting:
        for call in ("select public.increment_xp(%(u)s, 10, 'x', 'bonus', 'k')",
                     "select private.increment_xp(%(u)s, 10, 'x', 'bonus', 'k')"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege), acting.transaction():
                acting.execute(call, {"u": world.student})
    with testing.as_service_role(conn) as acting:
        assert acting.execute("select public.increment_xp(%s, 10, 'x', 'bonus', 'k') r",
                              (world.student,)).fetchone()["r"]["balance"] == 10


@pytest.mark.parametrize("statement", [
    "update public.xp_profiles set xp = 100000 where user_id = %(u)s",
    "update public.xp_profiles set level = 50 where user_id = %(u)s",
    "update public.xp_profiles set current_streak = 99 where user_id = %(u)s",
    "insert into public.xp_transactions (user_id, kind, category, amount, reason, balance_after, lifetime_xp_after,"
    " level_after, local_day, idempotency_key) values (%(u)s, 'earned', 'bonus', 5, 'x', 5, 5, 1, current_date, 'x')",
    "update public.xp_transactions set amount = 1000 where user_id = %(u)s",
    "delete from public.xp_transactions where user_id = %(u)s",
    "insert into public.user_achievements (user_id, achievement_id, progress, target)"
    " select %(u)s, id, 1, 1 from public.achievements limit 1",
    "update public.answer_attempts set xp_awarded = 500 where user_id = %(u)s",
])
def test_student_cannot_write_server_owned_state(conn, world, statement):
    award(conn, world.student, 50, "seed")
    with testing.as_user(conn, world.student) as acting:
        # 428C9: a generated column refuses before privileges are even checked.
        with pytest.raises(psycopg.Error) as error, acting.transaction():
            acting.execute(statement, {"u": world.student})
        assert error.value.sqlstate in ("42501", "428C9")
    assert xp_of(conn, world.student)["xp"] == 50


def test_ledger_is_append_only_even_for_the_owner(conn, world):
    award(conn, world.student, 50, "seed")
    for statement in ("update public.xp_transactions set amount = 1", "delete from public.xp_transactions"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(statement)


def test_student_may_opt_out_of_leaderboards(conn, world):
    with testing.as_user(conn, world.student) as acting:
        acting.execute("update public.xp_profiles set leaderboard_opt_out = true where user_id = %s", (world.student,))
        assert acting.execute("select leaderboard_opt_out from public.xp_profiles").fetchone()["leaderboard_opt_out"]


def test_answers_award_by_try_and_only_once(conn, world):
    session = session_for(conn, world.student)
    (q1, a1), (q2, a2), _ = world.content["questions"]
    with testing.as_user(conn, world.student, commit=True) as acting:
        right = submit(acting, session, q1, a1, key="a1")
        assert (right["is_correct"], right["xp_awarded"], right["award_rule"]) == (True, 10, "correct_first_try")
        again = submit(acting, session, q1, a1, key="a2")
        assert (again["xp_awarded"], again["award_rule"]) == (0, "already_answered")
        wrong = submit(acting, session, q2, a2 + 1, key="b1")
        assert (wrong["is_correct"], wrong["xp_awarded"]) == (False, 0)
        second = submit(acting, session, q2, a2, key="b2")
        assert (second["xp_awarded"], second["award_rule"]) == (5, "correct_second_try")
        replay = submit(acting, session, q1, a1, key="a1")
        assert replay["replayed"] and replay["attempt_id"] == right["attempt_id"] and replay["xp_awarded"] == 10
    # A second device or session does not make a question new again.
    other_session = session_for(conn, world.student)
    with testing.as_user(conn, world.student, commit=True) as acting:
        assert submit(acting, other_session, q1, a1)["award_rule"] == "already_answered"
    stats = xp_of(conn, world.student)
    assert (stats["xp"], stats["correct_answers"]) == (15, 2)


def test_replay_check_reaches_the_learner_and_key_index(conn, world):
    """The answer path's replay check (private.record_answer, under the learner's lock) must find the attempt
    through the (user_id, idempotency_key) index by both columns, not scan that index for the key alone
    (20261122140000: the scan grew with the table, 5 ms at 56k attempts)."""
    session = session_for(conn, world.student)
    (question, answer), *_ = world.content["questions"]
    plans = []
    conn.add_notice_handler(lambda notice: plans.append(notice.message_primary or ""))
    conn.execute("load 'auto_explain'")
    for setting in ("log_min_duration = 0", "log_nested_statements = on", "log_level = notice"):
        conn.execute(f"set auto_explain.{setting}")
    with testing.as_user(conn, world.student) as acting:
        submit(acting, session, question, answer, key="replay-probe")
    lookups = [plan for plan in plans if "a.idempotency_key = record_answer.idempotency_key" in plan]
    assert lookups, "auto_explain showed the replay check's plan"
    assert all(re.search(r"Index Cond: \(\(user_id = .+\) AND \(idempotency_key = ", plan) for plan in lookups), lookups


def test_student_cannot_answer_in_someone_elses_session(conn, world):
    session = session_for(conn, world.classmate)
    q1, a1 = world.content["questions"][0]
    with testing.as_user(conn, world.student) as acting:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            submit(acting, session, q1, a1)


def test_lesson_completion_is_verified_and_paid_once(conn, world):
    lesson = world.content["lesson"]
    session = session_for(conn, world.student)
    questions = world.content["questions"]
    with testing.as_user(conn, world.student, commit=True) as acting:
        submit(acting, session, *questions[0])
        with pytest.raises(psycopg.errors.CheckViolation, match="1 of 3 questions"), acting.transaction():
            acting.execute("select public.complete_lesson(%s)", (lesson,))
        for question, answer in questions[1:]:
            submit(acting, session, question, answer)
        done = acting.execute("select public.complete_lesson(%s) r", (lesson,)).fetchone()["r"]
        assert (done["xp_awarded"], done["perfect"]) == (70, True)
        again = acting.execute("select public.complete_lesson(%s) r", (lesson,)).fetchone()["r"]
        assert again["replayed"] and again["xp_awarded"] == 70
    stats = xp_of(conn, world.student)
    assert (stats["xp"], stats["lessons_completed"], stats["perfect_scores"]) == (100, 1, 1)


def test_a_wrong_first_try_is_not_perfect_when_both_tries_share_a_moment(conn, world):
    # Attempts made in one transaction share answered_at; the right answer's id sorts before the wrong one's, so
    # only the attempt number can tell which came first.
    session = session_for(conn, world.student)
    (first, first_answer), *rest = world.content["questions"]
    with conn.transaction():
        for attempt_id, answer in (("ffffffff-0000-4000-8000-000000000000", first_answer + 1),
                                   ("00000000-0000-4000-8000-000000000000", first_answer)):
            conn.execute("""select private.record_answer(%s, %s, %s, to_jsonb(%s), 900, 0, null,
                                                         '2026-03-02 10:00+00', true, %s)""",
                         (world.student, session, first, answer, attempt_id))
        for question, answer in rest:
            conn.execute("""select private.record_answer(%s, %s, %s, to_jsonb(%s), 900, 0, null,
                                                         '2026-03-02 10:00+00', true)""",
                         (world.student, session, question, answer))
        done = conn.execute("select private.complete_lesson_for(%s, %s, '2026-03-02 10:01+00') r",
                            (world.student, world.content["lesson"])).fetchone()["r"]
    assert (done["perfect"], done["xp_awarded"]) == (False, 20)


def test_organization_rules_daily_cap_and_rate_limit(conn, world):
    conn.execute("insert into public.gamification_settings (organization_id, correct_first_try, daily_xp_cap,"
                 " rate_limit_awards) values (%s, 8, 12, 2)", (world.org,))
    session = session_for(conn, world.student)
    questions = world.content["questions"]
    with testing.as_user(conn, world.student, commit=True) as acting:
        assert submit(acting, session, *questions[0])["xp_awarded"] == 8
        capped = submit(acting, session, *questions[1])
        assert (capped["xp_awarded"], capped["award_rule"]) == (4, "daily_cap")
        with pytest.raises(psycopg.Error) as error, acting.transaction():
            submit(acting, session, *questions[2])
        assert error.value.sqlstate == "PT429"
    assert xp_of(conn, world.student)["today_xp"] == 12


def test_admin_sets_rules_and_student_cannot(conn, world):
    with testing.as_user(conn, world.admin) as acting:
        acting.execute("insert into public.gamification_settings (organization_id, hint_cost) values (%s, 7)",
                       (world.org,))
    with testing.as_user(conn, world.student) as acting:
        with pytest.raises(psycopg.errors.InsufficientPrivilege), acting.transaction():
            acting.execute("insert into public.gamification_settings (organization_id, daily_xp_cap) values (%s, 1)",
                           (world.org,))


def test_hints_are_free_then_cost_xp_never_below_zero(conn, world):
    conn.execute("insert into public.gamification_settings (organization_id, free_hints_per_day, hint_cost)"
                 " values (%s, 1, 5)", (world.org,))
    question = world.content["question"]
    award(conn, world.student, 7, "pocket-money")
    with testing.as_user(conn, world.student, commit=True) as acting:
        assert acting.execute("select * from public.question_hints").fetchall() == [], "no free peek"
        free = acting.execute("select public.use_hint(%s, 'h1') r", (question,)).fetchone()["r"]
        assert (free["hint"], free["cost"], free["balance"]) == ("Count on from 4", 0, 7)
        paid = acting.execute("select public.use_hint(%s, 'h2') r", (question,)).fetchone()["r"]
        assert (paid["hint"], paid["cost"], paid["balance"]) == ("Count on from 4", 5, 2)
        replayed = acting.execute("select public.use_hint(%s, 'h2') r", (question,)).fetchone()["r"]
        assert (replayed["hint"], replayed["replayed"]) == ("Count on from 4", True)
        with pytest.raises(psycopg.errors.CheckViolation, match="not enough XP"), acting.transaction():
            acting.execute("select public.use_hint(%s, 'h3')", (question,))
    assert xp_of(conn, world.student)["xp"] == 2


def test_container_finish_pays_once(conn, world):
    session = session_for(conn, world.student)
    with testing.as_user(conn, world.student, commit=True) as acting:
        submit(acting, session, *world.content["questions"][0])
        done = acting.execute("select public.finish_container(%s) r", (session,)).fetchone()["r"]
        assert (done["xp_awarded"], done["perfect"]) == (70, True)
        assert acting.execute("select public.finish_container(%s) r", (session,)).fetchone()["r"]["replayed"]
    row = conn.execute("select status, xp_earned from public.learning_sessions where id = %s", (session,)).fetchone()
    assert (row["status"], row["xp_earned"]) == ("completed", 80)
