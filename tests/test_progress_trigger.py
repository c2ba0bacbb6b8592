"""The answer-attempt progress trigger against a reference model: after each attempt, the question's progress
row (counts, running mean and best response time, streaks, the last five attempts, SM-2 state and the next
review on the learner's local date) is what the Math engine's rules and SM-2 say it should be."""

import math
import uuid
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from cli import connection, testing
from tests import personas as persona_data

# (correct?, response time ms, hints) — wrong, slow, hinted and fast answers, more than five of them.
ATTEMPTS = [(False, 4000, 0), (True, 2500, 0), (True, 1200, 0), (True, 7000, 1), (False, 3000, 0),
            (True, 1800, 0), (True, 5000, 0)]
STARTED = datetime(2026, 3, 14, 22, 30, tzinfo=timezone.utc)  # already the 15th in Paris


def sm2(ease, interval, repetitions, quality):
    if quality < 3:
        repetitions, interval = 0, 1
    else:
        repetitions += 1
        interval = 1 if repetitions == 1 else 6 if repetitions == 2 else min(3650, math.ceil((interval or 6) * ease))
    ease = max(1.3, round(ease + (0.1 - (5 - quality) * (0.08 + (5 - quality) * 0.02)), 2))
    return ease, interval, repetitions


def quality(correct, ms, hints):
    return 1 if not correct else 3 if hints else 5 if ms < 2000 else 4 if ms < 6000 else 3


def expected_rows():
    state = {"total": 0, "correct": 0, "mean": 0, "best": None, "streak": 0, "best_streak": 0, "recent": [],
             "ease": 2.5, "interval": None, "reps": 0}
    for number, (correct, ms, hints) in enumerate(ATTEMPTS):
        at = STARTED + timedelta(minutes=number)
        state["mean"] = round((state["mean"] * state["total"] + ms) / (state["total"] + 1))
        state["total"] += 1
        state["correct"] += correct
        if correct:
            state["best"] = ms if state["best"] is None else min(state["best"], ms)
        state["streak"] = state["streak"] + 1 if correct else 0
        state["best_streak"] = max(state["best_streak"], state["streak"])
        state["recent"] = ([{"is_correct": correct, "response_time_ms": ms}] + state["recent"])[:5]
        state["ease"], state["interval"], state["reps"] = sm2(state["ease"], state["interval"], state["reps"],
                                                             quality(correct, ms, hints))
        local_day = at.astimezone(ZoneInfo("Europe/Paris")).date()
        yield {"total_attempts": state["total"], "correct_attempts": state["correct"],
               "incorrect_attempts": state["total"] - state["correct"], "average_response_time_ms": state["mean"],
               "best_response_time_ms": state["best"], "last_response_time_ms": ms,
               "current_streak": state["streak"], "best_streak": state["best_streak"],
               "recent": list(state["recent"]), "ease_factor": state["ease"],
               "review_interval_days": state["interval"], "repetitions": state["reps"],
               "next_review_date": local_day + timedelta(days=state["interval"]), "first_attempt_at": STARTED,
               "last_attempt_at": at}


@pytest.fixture(scope="module")
def world(test_databases, migrated_template):
    url = test_databases.clone(migrated_template, prefix="progress_trigger")
    try:
        with connection.connect(url) as conn:
            people = persona_data.create_personas(conn)
            yield conn, people, persona_data.create_activity(conn, people)
    finally:
        test_databases.drop(connection.conninfo.conninfo_to_dict(url)["dbname"])


def test_each_attempt_updates_question_progress_as_the_rules_say(world):
    conn, people, activity = world
    question = uuid.uuid4()
    with conn.transaction(force_rollback=True):
        conn.execute("""insert into public.questions (id, organization_id, question_type, operand1, operand2,
                                                      operation, is_published)
                        values (%(q)s, %(org)s, 'math_fact', 6, 7, '+', true)""", {"q": question, "org": people.org})
        conn.execute("insert into public.question_answer_keys (question_id, correct_answer, correct_value) "
                     "values (%(q)s, '13', 13)", {"q": question})
        for number, ((correct, ms, hints), expected) in enumerate(zip(ATTEMPTS, expected_rows())):
            # As the server (an import): it may say when the answer was given.
            conn.execute("""select private.record_answer(%(me)s, %(session)s, %(q)s, %(answer)s, %(ms)s, %(hints)s,
                                                         null, %(at)s, trust_reported_time => true)""",
                         {"me": people.student, "session": activity["session"], "q": question,
                          "answer": "13" if correct else "12", "ms": ms, "hints": hints,
                          "at": STARTED + timedelta(minutes=number)})
            testing.drain_awards(conn)
            row = conn.execute("select * from public.question_progress where user_id = %(me)s and question_id = %(q)s",
                               {"me": people.student, "q": question}).fetchone()
            actual = {key: row[key] for key in expected if key != "recent"}
            actual["ease_factor"] = float(actual["ease_factor"])
            actual["recent"] = [{"is_correct": r["is_correct"], "response_time_ms": r["response_time_ms"]}
                                for r in row["recent_attempts"]]
            assert actual == expected, f"after attempt {number + 1}"
