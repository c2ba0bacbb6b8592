"""Issue 14, item 3: staff authority is scoped to the row's own organization.

The attack: victim V is a student of organization P (their real school) and of
organization O (say, one its admin founded). O's staff used to read and change
every row of V's — "a student of any organization I staff" — including V's
answers to P's questions, P's sessions and enrollments, and V's tutor chats.
Now staff reach a learner's row only when the row belongs to an organization
they staff (the course's, lesson's, question's, concept's or test's) and the
learner is still a student there; rows of no organization (tutor chats, AI
usage, journeys, notifications, settings, cross-organization rollups) are the
learner's and their guardians' alone.
"""

import uuid

import psycopg
import pytest

from cli import testing

_ORG = "insert into public.organizations (id, name, slug, kind) values (%(id)s, %(name)s, %(slug)s, 'school')"
_MEMBER = "insert into public.organization_members (organization_id, user_id, role) values (%s, %s, %s)"
_CONTENT = """
insert into public.courses (id, organization_id, subject_id, author_id, kind, title, is_published)
values (%(course)s, %(org)s, %(subject)s, %(author)s, 'track', %(title)s, true);
insert into public.lessons (id, course_id, subject_id, author_id, title, lesson_type, container, order_index,
                            is_published)
values (%(lesson)s, %(course)s, %(subject)s, %(author)s, 'Lesson', 'math_facts', 'learn', 1, true);
insert into public.concepts (id, organization_id, subject_id, author_id, code, name, is_published)
values (%(concept)s, %(org)s, %(subject)s, %(author)s, %(code)s, 'Concept', true);
insert into public.tests (id, course_id, lesson_id, author_id, title, kind, is_published)
values (%(test)s, %(course)s, %(lesson)s, %(author)s, 'Check', 'quiz', true);
insert into public.questions (id, course_id, lesson_id, test_id, concept_id, author_id, question_type,
                              operand1, operand2, operation, is_published)
values (%(question)s, %(course)s, %(lesson)s, %(test)s, %(concept)s, %(author)s, 'math_fact', 3, 4, '+', true);
insert into public.question_answer_keys (question_id, correct_answer, correct_value) values (%(question)s, '7', 7)
"""
_ACTIVITY = """
insert into public.enrollments (id, user_id, course_id) values (%(enrollment)s, %(learner)s, %(course)s);
insert into public.lesson_progress (user_id, lesson_id, time_spent_seconds) values (%(learner)s, %(lesson)s, 60);
insert into public.learning_paths (id, user_id, subject_id, course_id)
values (%(path)s, %(learner)s, %(subject)s, %(course)s);
insert into public.learning_sessions (id, user_id, session_type, container, mode, course_id, lesson_id)
values (%(session)s, %(learner)s, 'container', 'learn', 'timed', %(course)s, %(lesson)s);
select private.record_answer(%(learner)s, %(session)s, %(question)s, '7', 1500, 0, null, now(),
  trust_reported_time => true, attempt_id => %(attempt)s);
select private.process_awards(1000);
insert into public.skill_progress (user_id, concept_id, hook_viewed) values (%(learner)s, %(concept)s, true)
on conflict (user_id, concept_id) do nothing;
insert into public.exercise_generations (id, user_id, learning_session_id, concept_id, generation_type,
                                         generated_exercise)
values (%(exercise)s, %(learner)s, %(session)s, %(concept)s, 'initial', '{}');
insert into public.assessments (id, user_id, concept_id, assessment_type, exercise_prompt)
values (%(assessment)s, %(learner)s, %(concept)s, 'initial_exercise', '3 + 4 = ?');
insert into public.remediation_paths (user_id, original_assessment_id, concept_id, focus_area)
values (%(learner)s, %(assessment)s, %(concept)s, 'counting on');
insert into public.coding_attempts (user_id, test_id, submitted_code) values (%(learner)s, %(test)s, 'print(7)');
insert into public.chat_sessions (id, user_id, title, course_id, lesson_id)
values (%(chat)s, %(learner)s, 'Help', %(course)s, %(lesson)s);
insert into public.chat_messages (chat_id, user_id, sender, content) values (%(chat)s, %(learner)s, 'user', 'Why?');
insert into public.ai_usage (user_id, chat_id, interaction_type, model) values (%(learner)s, %(chat)s, 'tutor', 'm');
insert into public.feedback (user_id, lesson_id, rating) values (%(learner)s, %(lesson)s, 5);
insert into public.learning_events (user_id, organization_id, event_type, mode)
values (%(learner)s, %(org)s, 'fact_reviewed', 'matrix');
insert into public.analytics_events (user_id, organization_id, event_type) values (%(learner)s, %(org)s, 'opened')
"""
_ROW_NAMES = ("enrollment", "path", "session", "attempt", "exercise", "assessment", "chat")

# Every table whose rows of V belong to O or P through a column or their content chain,
# with the condition naming V's row of the organization.
SCOPED = {
    "enrollments": "course_id = %(course)s",
    "lesson_progress": "lesson_id = %(lesson)s",
    "learning_paths": "course_id = %(course)s",
    "learning_sessions": "course_id = %(course)s",
    "answer_attempts": "question_id = %(question)s",
    "question_progress": "question_id = %(question)s",
    "skill_progress": "concept_id = %(concept)s",
    "exercise_generations": "concept_id = %(concept)s",
    "assessments": "concept_id = %(concept)s",
    "remediation_paths": "concept_id = %(concept)s",
    "coding_attempts": "test_id = %(test)s",
    "feedback": "lesson_id = %(lesson)s",
    "learning_events": "organization_id = %(org)s",
    "analytics_events": "organization_id = %(org)s and event_type = 'opened'",
}
# Rows of V that belong to no organization: V's and V's guardians' alone.
UNSCOPED = ("chat_sessions", "chat_messages", "ai_usage", "journey_summaries", "notifications", "user_settings",
            "error_logs")


def _run(conn, script: str, params: dict) -> None:
    for statement in script.split(";\n"):
        if statement.strip():
            conn.execute(statement, params)


def _organization(conn, name: str, author) -> dict:
    subject = conn.execute("insert into public.subjects (slug, name) values (%s, 'Maths') returning id",
                           [f"maths-{uuid.uuid4().hex[:8]}"]).fetchone()["id"]
    org = {"org": uuid.uuid4(), "subject": subject,
           **{key: uuid.uuid4() for key in ("course", "lesson", "concept", "test", "question")}}
    conn.execute(_ORG, {"id": org["org"], "name": name, "slug": f"{name.lower()}-{uuid.uuid4().hex[:8]}"})
    conn.execute(_MEMBER, [org["org"], author, "admin"])
    _run(conn, _CONTENT, {**org, "author": author, "title": f"{name} course",
                          "code": f"{name.lower()}.{uuid.uuid4().hex[:8]}"})
    return org


def _activity(conn, learner, org: dict) -> dict:
    rows = {name: uuid.uuid4() for name in _ROW_NAMES}
    _run(conn, _ACTIVITY, {**org, **rows, "learner": learner, "subject": org["subject"]})
    return rows


@pytest.fixture
def world(conn):
    """O and P; V a student of both with rows in each; O's admin and educator; P's admin; V's guardian."""
    people = {name: testing.create_user(conn, metadata={"nickname": name})
              for name in ("victim", "o_admin", "o_educator", "p_admin", "guardian")}
    o = _organization(conn, "Owned", people["o_admin"])
    p = _organization(conn, "Pine", people["p_admin"])
    conn.execute(_MEMBER, [o["org"], people["o_educator"], "educator"])
    conn.execute(_MEMBER, [o["org"], people["victim"], "student"])
    conn.execute(_MEMBER, [p["org"], people["victim"], "student"])
    conn.execute("insert into public.guardianships (guardian_id, student_id) values (%s, %s)",
                 [people["guardian"], people["victim"]])
    # vouched by P (as if P's staff issued the guardian's invitation): the link outlives V's leaving O
    conn.execute("insert into public.guardianship_vouches (guardian_id, student_id, organization_id, vouched_by) "
                 "values (%s, %s, %s, %s)", [people["guardian"], people["victim"], p["org"], people["p_admin"]])
    o |= _activity(conn, people["victim"], o)
    p |= _activity(conn, people["victim"], p)
    conn.execute("insert into public.journey_summaries (user_id, career) values (%s, 'Pilot')", [people["victim"]])
    conn.execute("insert into public.notifications (user_id, type, title, message) values (%s, 'welcome', 'Hi', 'Hi')",
                 [people["victim"]])
    conn.execute("insert into public.error_logs (user_id, service_name, error_type, error_message) "
                 "values (%s, 'web', 'render', 'oops')", [people["victim"]])
    return {**people, "o": o, "p": p}


def _count(acting, table: str, where: str, params: dict, user) -> int:
    owner = "student_id" if table == "progress_reports" else "user_id"
    query = f"select count(*) as n from public.{table} where {owner} = %(user)s and {where}"  # noqa: S608
    return acting.execute(query, {**params, "user": user}).fetchone()["n"]


def _seen(conn, reader, world, org: dict) -> dict[str, int]:
    with testing.as_user(conn, reader) as acting:
        return {table: _count(acting, table, where, org, world["victim"]) for table, where in SCOPED.items()}


def _seen_unscoped(conn, reader, victim) -> dict[str, int]:
    with testing.as_user(conn, reader) as acting:
        return {table: _count(acting, table, "true", {}, victim) for table in UNSCOPED}


# ---------------------------------------------------------------- reads


def test_the_world_gives_the_victim_a_row_in_every_table_of_each_organization(conn, world):
    for org in (world["o"], world["p"]):
        assert _seen(conn, world["victim"], world, org) == dict.fromkeys(SCOPED, 1)


@pytest.mark.parametrize("reader", ["o_admin", "o_educator"])
def test_staff_of_o_read_none_of_the_victims_rows_of_p(conn, world, reader):
    assert _seen(conn, world[reader], world, world["p"]) == dict.fromkeys(SCOPED, 0)


@pytest.mark.parametrize("reader", ["o_admin", "o_educator"])
def test_staff_of_o_read_the_victims_rows_of_o(conn, world, reader):
    assert _seen(conn, world[reader], world, world["o"]) == dict.fromkeys(SCOPED, 1)


def test_staff_of_p_read_the_victims_rows_of_p_only(conn, world):
    assert _seen(conn, world["p_admin"], world, world["p"]) == dict.fromkeys(SCOPED, 1)
    assert _seen(conn, world["p_admin"], world, world["o"]) == dict.fromkeys(SCOPED, 0)


@pytest.mark.parametrize("reader", ["o_admin", "o_educator", "p_admin"])
def test_staff_read_none_of_the_rows_that_belong_to_no_organization(conn, world, reader):
    assert _seen_unscoped(conn, world[reader], world["victim"]) == dict.fromkeys(UNSCOPED, 0)


def test_staff_read_no_cross_organization_rollups(conn, world):
    conn.execute("insert into analytics.user_daily (user_id, day, questions_answered, daily_goal_minutes) "
                 "values (%s, current_date, 9, 15)",
                 [world["victim"]])
    for reader, expected in (("o_admin", 0), ("guardian", 1), ("victim", 1)):
        with testing.as_user(conn, world[reader]) as acting:
            seen = acting.execute("select count(*) as n from analytics.user_daily where user_id = %s",
                                  [world["victim"]]).fetchone()["n"]
        assert seen == expected, reader


def test_a_guardian_still_reads_all_of_the_childs_rows(conn, world):
    for org in (world["o"], world["p"]):
        seen = _seen(conn, world["guardian"], world, org)
        assert {table: n for table, n in seen.items() if table != "feedback"} == {
            table: 1 for table in SCOPED if table != "feedback"}
    unscoped = _seen_unscoped(conn, world["guardian"], world["victim"])
    assert unscoped["chat_sessions"] == 2
    assert unscoped["chat_messages"] == 2
    assert unscoped["ai_usage"] == 2
    assert unscoped["journey_summaries"] == 1


def test_the_child_overview_stays_guardian_only(conn, world):
    with testing.as_user(conn, world["o_admin"]) as acting:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            acting.execute("select * from public.get_child_overview(%s)", [world["victim"]])
    with testing.as_user(conn, world["guardian"]) as acting:
        assert acting.execute("select count(*) as n from public.get_child_overview(%s)",
                              [world["victim"]]).fetchone()["n"] == 1


# ---------------------------------------------------------------- writes


def _enrollment_status(conn, enrollment) -> str:
    return conn.execute("select status::text from public.enrollments where id = %s", [enrollment]).fetchone()["status"]


def test_staff_of_o_cannot_drop_the_victims_enrollment_in_p(conn, world):
    with testing.as_user(conn, world["o_admin"]) as acting:
        changed = acting.execute("update public.enrollments set status = 'dropped' where id = %s returning id",
                                 [world["p"]["enrollment"]]).fetchall()
        assert changed == []
        deleted = []
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # nobody but the server deletes enrollments
            with acting.transaction():
                deleted = acting.execute("delete from public.enrollments where id = %s returning id",
                                         [world["p"]["enrollment"]]).fetchall()
        assert deleted == []
    assert _enrollment_status(conn, world["p"]["enrollment"]) == "active"


def test_staff_of_o_can_pause_the_victims_enrollment_in_o(conn, world):
    with testing.as_user(conn, world["o_educator"], commit=True) as acting:
        changed = acting.execute("update public.enrollments set status = 'paused' where id = %s returning id",
                                 [world["o"]["enrollment"]]).fetchall()
    assert len(changed) == 1
    assert _enrollment_status(conn, world["o"]["enrollment"]) == "paused"


def test_staff_of_o_cannot_enroll_the_victim_in_a_course_of_p(conn, world):
    conn.execute("delete from public.enrollments where id = %s", [world["p"]["enrollment"]])
    with testing.as_user(conn, world["o_admin"]) as acting:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            acting.execute("insert into public.enrollments (user_id, course_id) values (%s, %s)",
                           [world["victim"], world["p"]["course"]])


def test_staff_of_o_can_enroll_the_victim_in_a_course_of_o_only_while_a_student_there(conn, world):
    conn.execute("delete from public.enrollments where id = %s", [world["o"]["enrollment"]])
    with testing.as_user(conn, world["o_admin"]) as acting:
        acting.execute("insert into public.enrollments (user_id, course_id) values (%s, %s)",
                       [world["victim"], world["o"]["course"]])
    conn.execute("delete from public.organization_members where organization_id = %s and user_id = %s",
                 [world["o"]["org"], world["victim"]])
    with testing.as_user(conn, world["o_admin"]) as acting:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            acting.execute("insert into public.enrollments (user_id, course_id) values (%s, %s)",
                           [world["victim"], world["o"]["course"]])


# ---------------------------------------------------------------- leaving


def test_leaving_o_ends_o_staffs_access_at_once(conn, world):
    conn.execute("delete from public.organization_members where organization_id = %s and user_id = %s",
                 [world["o"]["org"], world["victim"]])
    for reader in ("o_admin", "o_educator"):
        assert _seen(conn, world[reader], world, world["o"]) == dict.fromkeys(SCOPED, 0), reader
        with testing.as_user(conn, world[reader]) as acting:
            assert acting.execute("select count(*) as n from public.profiles where id = %s",
                                  [world["victim"]]).fetchone()["n"] == 0
            changed = acting.execute("update public.enrollments set status = 'dropped' where id = %s returning id",
                                     [world["o"]["enrollment"]]).fetchall()
            assert changed == []
    assert _enrollment_status(conn, world["o"]["enrollment"]) == "active"
    # P's staff and the guardian are unaffected.
    assert _seen(conn, world["p_admin"], world, world["p"]) == dict.fromkeys(SCOPED, 1)
    assert _seen_unscoped(conn, world["guardian"], world["victim"])["chat_sessions"] == 2


def test_leaving_o_keeps_the_victims_own_rows_readable(conn, world):
    conn.execute("delete from public.organization_members where organization_id = %s and user_id = %s",
                 [world["o"]["org"], world["victim"]])
    assert _seen(conn, world["victim"], world, world["o"]) == dict.fromkeys(SCOPED, 1)


def test_an_upload_of_no_organization_is_the_learners_and_guardians_alone(conn, world):
    bucket = f"uploads-{uuid.uuid4().hex[:8]}"
    conn.execute("insert into storage.buckets (id, name) values (%s, %s)", [bucket, bucket])
    conn.execute("insert into storage.objects (bucket_id, name, owner) values (%s, 'v/voice.webm', %s)",
                 [bucket, world["victim"]])
    media = conn.execute("insert into public.media_assets (owner_id, bucket_id, object_path, media_type) "
                         "values (%s, %s, 'v/voice.webm', 'audio') returning id",
                         [world["victim"], bucket]).fetchone()["id"]
    for reader, expected in (("o_admin", 0), ("o_educator", 0), ("p_admin", 0), ("guardian", 1), ("victim", 1)):
        with testing.as_user(conn, world[reader]) as acting:
            seen = acting.execute("select count(*) as n from public.media_assets where id = %s", [media]).fetchone()
        assert seen["n"] == expected, reader
