"""public.get_tutor_context(): SignifyAI's sync_chat_context as one call (issue 17).

What a tutor model is given before it answers in a learner's chat, read under the caller's row level security
and bounded in size: the chat and what it is about, the learner's profile, XP and streak, recent lessons and
results, weakest concepts, and the chat's last messages, oldest first.
"""

import psycopg
import pytest

from cli import testing
from tests import personas as persona_data

CONTEXT = "select public.get_tutor_context(%(chat)s, %(messages)s, %(lessons)s, %(concepts)s) as context"


@pytest.fixture
def learner(conn):
    people = persona_data.create_personas(conn)
    activity = persona_data.create_activity(conn, people)
    return people, activity


def tutor_context(acting, chat, messages=20, lessons=5, concepts=5) -> dict:
    return acting.execute(CONTEXT, {"chat": chat, "messages": messages, "lessons": lessons,
                                    "concepts": concepts}).fetchone()["context"]


def test_the_learner_gets_their_chat_profile_progress_and_last_messages_oldest_first(conn, learner):
    people, activity = learner
    with testing.as_user(conn, people.student, commit=True) as student:
        for number in range(1, 4):
            student.execute("insert into public.chat_messages (chat_id, content) values (%s, %s)",
                            [activity["chat"], f"follow-up {number}"])
    with testing.as_user(conn, people.student) as student:
        context = tutor_context(student, activity["chat"], messages=3)
    assert context["chat"]["title"] == "Help" and context["chat"]["lesson"]["id"] == str(people.content["lesson"])
    assert context["learner"]["nickname"] == "student"
    assert context["progress"]["level"] >= 1 and "current" in context["streak"]
    assert [m["content"] for m in context["messages"]] == ["follow-up 1", "follow-up 2", "follow-up 3"]
    assert [lesson["title"] for lesson in context["recent_lessons"]], "the lesson the learner worked on"
    assert all(set(concept) == {"concept", "mastery", "fluency", "attempts"} for concept in context["weakest_concepts"])


def test_long_messages_are_cut_and_counts_bounded(conn, learner):
    people, activity = learner
    with testing.as_user(conn, people.student, commit=True) as student:
        student.execute("insert into public.chat_messages (chat_id, content) values (%s, %s)",
                        [activity["chat"], "x" * 50_000])
    with testing.as_user(conn, people.student) as student:
        [last] = tutor_context(student, activity["chat"], messages=1)["messages"]
        assert (len(last["content"]), last["truncated"]) == (2000, True)
        for counts in ((0, 5, 5), (51, 5, 5), (20, 21, 5), (20, 5, -1)):
            with pytest.raises(psycopg.errors.InvalidParameterValue, match="message_count must be"), \
                    student.transaction():
                tutor_context(student, activity["chat"], *counts)


@pytest.mark.parametrize("persona", ["classmate", "guardian", "educator", "admin", "other_org_student"])
def test_nobody_else_gets_the_learners_tutor_context(conn, learner, persona):
    """Not even the guardian, who may read the chat: the tutor speaks to the learner."""
    people, activity = learner
    with testing.as_user(conn, people.users[persona]) as other:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="no chat .* of yours"):
            tutor_context(other, activity["chat"])


def test_anon_cannot_call_it(conn, learner):
    _, activity = learner
    with testing.as_anon(conn) as anon:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            tutor_context(anon, activity["chat"])
