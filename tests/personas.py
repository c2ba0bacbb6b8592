"""The fourteen personas of the policy matrix, and a learner's activity to test them on.

`create_personas(conn)` builds, as the database owner, two organizations and the
people of issue 3's matrix — a student (the owner of the activity under test),
another student of the same organization, a student of the other organization,
a linked and an unlinked guardian, an educator of each organization and an
admin — and the attackers of issue 14: a signed-in user with an organization of their own
(outsider_admin), an invitee to organization A who has not accepted (invitee), a former
educator of organization A who left it and was its creator (former_member), and the guardian
of the other organization's student (other_guardian); plus published content (course, lesson, concept, question with its
hidden answer key and hint, test). anon and service_role need no rows: act as them with
cli.testing.as_anon / as_service_role.

`create_activity(conn, personas)` then gives the owner student one row in every
activity table, so each table × persona × command case has a row to aim at.
"""

import json
import uuid
from dataclasses import dataclass, field

import psycopg

from cli import testing

USER_PERSONAS = (
    "student", "classmate", "other_org_student", "guardian", "unlinked_guardian",
    "educator", "other_org_educator", "admin",
    "outsider_admin", "invitee", "former_member", "other_guardian",
)
ALL_PERSONAS = ("anon", *USER_PERSONAS, "service_role")

_INSERT_ORGANIZATION = """
insert into public.organizations (id, name, slug, kind, max_students)
values (%(id)s, %(name)s, %(slug)s, %(kind)s, 50)
"""
_INSERT_MEMBER = """
insert into public.organization_members (organization_id, user_id, role)
values (%(organization_id)s, %(user_id)s, %(role)s)
"""
_INSERT_GUARDIANSHIP = """
insert into public.guardianships (guardian_id, student_id) values (%(guardian_id)s, %(student_id)s)
"""
_INSERT_VOUCH = """
insert into public.guardianship_vouches (guardian_id, student_id, organization_id, vouched_by)
values (%(guardian_id)s, %(student_id)s, %(organization_id)s, %(vouched_by)s)
"""
_INSERT_ATTACKERS = """
insert into public.organizations (id, name, slug, kind, max_students, created_by)
values (%(outsider_org)s, 'Outsider Academy', %(outsider_slug)s, 'school', 50, %(outsider_admin)s);
insert into public.organization_members (organization_id, user_id, role)
values (%(outsider_org)s, %(outsider_admin)s, 'admin')
on conflict do nothing;
insert into public.invitations (organization_id, role, invitee_email, token_hash, invited_by, expires_at)
select %(org)s, 'student', lower(email), sha256(convert_to(gen_random_uuid()::text, 'UTF8')), %(admin)s,
       now() + interval '7 days'
from auth.users where id = %(invitee)s;
insert into public.organization_members (organization_id, user_id, role)
values (%(org)s, %(former_member)s, 'educator');
update public.organizations set created_by = %(former_member)s where id = %(org)s;
delete from public.organization_members where organization_id = %(org)s and user_id = %(former_member)s;
insert into public.organization_members (organization_id, user_id, role)
values (%(other_org)s, %(other_guardian)s, 'parent');
insert into public.guardianships (guardian_id, student_id) values (%(other_guardian)s, %(other_org_student)s);
insert into public.guardianship_vouches (guardian_id, student_id, organization_id, vouched_by)
values (%(other_guardian)s, %(other_org_student)s, %(other_org)s, %(other_org_educator)s)
"""
_INSERT_CONTENT = """
insert into public.subjects (id, slug, name) values (%(subject)s, %(subject_slug)s, 'Mathematics');
insert into public.courses (id, organization_id, subject_id, author_id, kind, title, is_published)
values (%(course)s, %(org)s, %(subject)s, %(educator)s, 'track', 'Addition facts', true);
insert into public.lessons (id, course_id, subject_id, author_id, title, lesson_type, container, order_index,
                            is_published)
values (%(lesson)s, %(course)s, %(subject)s, %(educator)s, 'Adding to 10', 'math_facts', 'learn', 1, true);
insert into public.concepts (id, organization_id, subject_id, author_id, code, name, is_published)
values (%(concept)s, %(org)s, %(subject)s, %(educator)s, %(concept_code)s, 'Addition to 10', true);
insert into public.tests (id, course_id, lesson_id, author_id, title, kind, is_published)
values (%(test)s, %(course)s, %(lesson)s, %(educator)s, 'Addition check', 'quiz', true);
insert into public.questions (id, course_id, lesson_id, test_id, concept_id, author_id, question_type,
                              operand1, operand2, operation, is_published)
values (%(question)s, %(course)s, %(lesson)s, %(test)s, %(concept)s, %(educator)s, 'math_fact', 3, 4, '+', true);
insert into public.question_answer_keys (question_id, correct_answer, correct_value)
values (%(question)s, '7', 7);
insert into public.question_hints (question_id, hint) values (%(question)s, 'Count on from 4');
insert into public.question_explanations (question_id, explanation) values (%(question)s, '3 + 4: count on from 4.');
"""


@dataclass
class Personas:
    users: dict[str, uuid.UUID]
    org: uuid.UUID
    other_org: uuid.UUID
    content: dict[str, uuid.UUID] = field(default_factory=dict)

    def __getattr__(self, name: str) -> uuid.UUID:
        try:
            return self.__dict__["users"][name]
        except KeyError:
            raise AttributeError(name) from None


def create_personas(conn: psycopg.Connection) -> Personas:
    """The matrix's people and content; `conn` must be the owner (superuser)."""
    tag = uuid.uuid4().hex[:8]
    users = {
        name: testing.create_user(conn, email=f"{name}.{tag}@personas.learnkit.dev",
                                  metadata={"nickname": name.replace("_", " ")[:50], "time_zone": "Europe/Paris"})
        for name in USER_PERSONAS
    }
    org, other_org = uuid.uuid4(), uuid.uuid4()
    conn.execute(_INSERT_ORGANIZATION, {"id": org, "name": "Maple Microschool", "slug": f"maple-{tag}",
                                        "kind": "microschool"})
    conn.execute(_INSERT_ORGANIZATION, {"id": other_org, "name": "Harbor School", "slug": f"harbor-{tag}",
                                        "kind": "school"})
    memberships = [
        (org, "admin", "admin"), (org, "educator", "educator"), (org, "student", "student"),
        (org, "classmate", "student"), (org, "guardian", "parent"), (org, "unlinked_guardian", "parent"),
        (other_org, "other_org_educator", "educator"), (other_org, "other_org_student", "student"),
    ]
    for organization_id, persona, role in memberships:
        conn.execute(_INSERT_MEMBER, {"organization_id": organization_id, "user_id": users[persona], "role": role})
    conn.execute(_INSERT_GUARDIANSHIP, {"guardian_id": users["guardian"], "student_id": users["student"]})
    conn.execute(_INSERT_VOUCH, {"guardian_id": users["guardian"], "student_id": users["student"],
                                 "organization_id": org, "vouched_by": users["admin"]})  # as if invited by A
    _run_script(conn, _INSERT_ATTACKERS, {**users, "org": org, "other_org": other_org,
                                          "outsider_org": uuid.uuid4(), "outsider_slug": f"outsider-{tag}"})
    content = {name: uuid.uuid4() for name in ("subject", "course", "lesson", "concept", "test", "question")}
    _run_script(conn, _INSERT_CONTENT, {**content, "org": org, "educator": users["educator"],
                                        "subject_slug": f"math-{tag}", "concept_code": f"math.add10.{tag}"})
    return Personas(users=users, org=org, other_org=other_org, content=content)


_INSERT_ACTIVITY = """
insert into public.enrollments (id, user_id, course_id) values (%(enrollment)s, %(student)s, %(course)s);
insert into public.lesson_progress (id, user_id, lesson_id, time_spent_seconds)
values (%(lesson_progress)s, %(student)s, %(lesson)s, 60);
insert into public.learning_paths (id, user_id, subject_id, course_id)
values (%(learning_path)s, %(student)s, %(subject)s, %(course)s);
insert into public.journey_summaries (id, user_id, career, companion)
values (%(journey)s, %(student)s, 'Game designer', 'Sage');
insert into public.learning_sessions (id, user_id, session_type, container, mode, course_id, lesson_id, journey_id)
values (%(session)s, %(student)s, 'container', 'learn', 'timed', %(course)s, %(lesson)s, %(journey)s);
select private.record_answer(%(student)s, %(session)s, %(question)s, '7', 1500, 0, null, now(),
  trust_reported_time => true, attempt_id => %(attempt)s);
select private.process_awards(1000);
insert into public.skill_progress (user_id, concept_id, hook_viewed)
values (%(student)s, %(concept)s, true)
on conflict (user_id, concept_id) do update set hook_viewed = true;
insert into public.exercise_generations (id, user_id, learning_session_id, concept_id, generation_type,
                                         generated_exercise, expected_solution, expected_steps)
values (%(exercise)s, %(student)s, %(session)s, %(concept)s, 'initial', '{"prompt": "3 + 4 = ?"}', '{"answer": 7}',
        '["count on from 3", "reach 7"]');
insert into public.assessments (id, user_id, concept_id, learning_session_id, exercise_generation_id,
                                assessment_type, exercise_prompt, student_response)
values (%(assessment)s, %(student)s, %(concept)s, %(session)s, %(exercise)s, 'initial_exercise', '3 + 4 = ?', '7');
insert into public.coding_attempts (id, user_id, test_id, submitted_code)
values (%(coding_attempt)s, %(student)s, %(test)s, 'print(3 + 4)');
insert into public.remediation_paths (id, user_id, original_assessment_id, concept_id, focus_area, exercises_total)
values (%(remediation)s, %(student)s, %(assessment)s, %(concept)s, 'counting on', 3);
insert into public.chat_sessions (id, user_id, title, lesson_id) values (%(chat)s, %(student)s, 'Help', %(lesson)s);
insert into public.chat_messages (id, chat_id, user_id, sender, content)
values (%(message)s, %(chat)s, %(student)s, 'user', 'Why is 3 + 4 = 7?');
insert into public.ai_usage (id, user_id, chat_id, interaction_type, model, prompt_tokens, completion_tokens, latency_ms)
values (%(ai_usage)s, %(student)s, %(chat)s, 'tutor_reply', 'demo-model', 120, 80, 900);
insert into public.notifications (id, user_id, type, title, message)
values (%(notification)s, %(student)s, 'welcome', 'Welcome', 'Welcome to learnkit!');
insert into public.feedback (id, user_id, lesson_id, rating, feedback_text)
values (%(feedback)s, %(student)s, %(lesson)s, 5, 'Fun!');
insert into public.error_logs (id, user_id, service_name, error_type, error_message)
values (%(error_log)s, %(student)s, 'web', 'render', 'chart failed to draw');
insert into public.guardian_actions (id, guardian_id, student_id, action, details)
values (%(guardian_action)s, %(guardian)s, %(student)s, 'view_report', %(details)s);
"""
ACTIVITY_ROWS = (
    "enrollment", "lesson_progress", "learning_path", "journey", "session", "attempt", "exercise", "assessment",
    "coding_attempt", "remediation", "chat", "message", "ai_usage", "notification", "feedback", "error_log",
    "guardian_action",
)


def _run_script(conn: psycopg.Connection, script: str, params: dict) -> None:
    """Statements one by one: a prepared statement holds a single command."""
    for statement in script.split(";\n"):
        if statement.strip():
            conn.execute(statement, params)


def create_activity(conn: psycopg.Connection, personas: Personas, student: str = "student") -> dict[str, uuid.UUID]:
    """One row of the student's in every activity table (as the owner); returns their ids by name."""
    ids = {name: uuid.uuid4() for name in ACTIVITY_ROWS}
    _run_script(conn, _INSERT_ACTIVITY, {
        **ids, **personas.content, "student": personas.users[student], "guardian": personas.users["guardian"],
        "details": json.dumps({"period": "week"}),
    })
    return ids
