"""Issue 14: content belongs to its organization (docs/security.md, "Content belongs to its organization").

The attack: content rows point at other content by id (a question at its lesson, test and concept; a test at its
lesson; a concept at its parent and textbook; a prerequisite edge at two concepts; hooks and examples at their
concept), and nothing checked that the content pointed at belongs to the row's own organization. Any signed-in
user founds an organization and writes questions of their own that name organization A's lesson: they then
complete A's lesson (and are paid in A) with questions they wrote, or make A's lesson impossible to complete for
A's students, who cannot even read those questions; tagged with A's concept, they show as mastering it to A's
staff. Their concept graph made every learner's `next_available_concepts()` read it. And an educator removed from
A kept reading every draft they had written for A.

Now a BEFORE trigger on every content table refuses (23514) a reference to content of another organization (a
concept, parent concept or textbook may be platform-wide; a lesson or test must be the row's own organization's),
lesson completion counts only the lesson's organization's questions, `next_available_concepts()` reads only the
edges of the learner's organizations and the platform, and content drafts are read by the organization's current
staff only.
"""

import uuid

import psycopg
import pytest

from cli import connection, testing
from tests.personas import create_personas


@pytest.fixture
def world(conn):
    return create_personas(conn)


def create_own_organization(acting, name="Mint Academy"):
    return acting.execute("insert into public.organizations (name, slug, kind) values (%s, %s, 'microschool')"
                          " returning id", (name, f"mint-{uuid.uuid4().hex[:8]}")).fetchone()["id"]


def own_question(acting, organization, lesson=None, concept=None, a=1, b=1):
    question = acting.execute(
        "insert into public.questions (organization_id, lesson_id, concept_id, question_type, operand1, operand2,"
        " operation, is_published) values (%s, %s, %s, 'math_fact', %s, %s, '+', true) returning id",
        (organization, lesson, concept, a, b)).fetchone()["id"]
    acting.execute("insert into public.question_answer_keys (question_id, correct_answer, correct_value)"
                   " values (%s, %s, %s)", (question, str(a + b), a + b))
    return question


def refused_or_made(acting, make, *args, **kwargs):
    """Runs one step of an attack in a savepoint: its result, or None when the schema refused it (the secure
    outcome) with 23514 or 42501."""
    try:
        with acting.transaction():
            return make(acting, *args, **kwargs)
    except psycopg.Error as error:
        assert error.sqlstate in ("23514", "42501"), error
        return None


def outsider_organization(acting, world):
    return acting.execute("select organization_id from public.organization_members where user_id = %s",
                          (world.outsider_admin,)).fetchone()["organization_id"]


def org_xp(conn, user, organization):
    row = conn.execute("select lifetime_xp from public.organization_xp where user_id = %s and organization_id = %s",
                       (user, organization)).fetchone()
    return row["lifetime_xp"] if row else 0


# ------------------------------------------------------------------------------------------------ the attacks


def test_an_attacker_cannot_complete_a_lesson_of_their_real_organization_with_questions_of_their_own(conn, world):
    """A question of the attacker's organization may name any lesson as its lesson_id; complete_lesson counted
    every published question with that lesson_id, whatever its organization."""
    lesson = world.content["lesson"]  # organization A's lesson: one question (3 + 4), mastery_required 0.80
    before = org_xp(conn, world.student, world.org)
    with testing.as_user(conn, world.student, commit=True) as acting:
        mint = create_own_organization(acting)
        session = acting.execute("insert into public.learning_sessions (session_type) values ('practice')"
                                 " returning id").fetchone()["id"]
        for i in range(9):
            question = refused_or_made(acting, own_question, mint, lesson=lesson, a=i, b=1)
            if question:
                acting.execute("select public.submit_answer(%s, %s, %s, 800)", (session, question, f'"{i + 1}"'))
    # The attacker never answered organization A's question; A's lesson must not be complete for them.
    with testing.as_user(conn, world.student) as acting:
        with pytest.raises(psycopg.Error) as error, acting.transaction():
            acting.execute("select public.complete_lesson(%s)", (lesson,))
        assert error.value.sqlstate == "23514"
    completed = conn.execute("select completed from public.lesson_progress where user_id = %s and lesson_id = %s",
                             (world.student, lesson)).fetchone()
    assert not (completed and completed["completed"])
    assert org_xp(conn, world.student, world.org) == before


def test_an_attacker_organization_cannot_make_another_organizations_lesson_impossible_to_complete(conn, world):
    """Questions of organization O with lesson_id = a lesson of A counted in A's lesson for A's students, who
    cannot even read them: twenty of them and no student of A could complete the lesson."""
    lesson = world.content["lesson"]
    with testing.as_user(conn, world.outsider_admin, commit=True) as acting:
        outsider_org = outsider_organization(acting, world)
        for i in range(20):
            refused_or_made(acting, own_question, outsider_org, lesson=lesson, a=i, b=2)
    with testing.as_user(conn, world.classmate) as acting:
        session = acting.execute("insert into public.learning_sessions (session_type) values ('practice')"
                                 " returning id").fetchone()["id"]
        acting.execute("select public.submit_answer(%s, %s, '\"7\"', 3000)", (session, world.content["question"]))
        # The classmate answered every question of A's lesson they can see: the lesson completes.
        visible = acting.execute("select count(*) n from public.questions where lesson_id = %s",
                                 (lesson,)).fetchone()["n"]
        assert visible == 1
        acting.execute("select public.complete_lesson(%s)", (lesson,))


def test_an_attackers_questions_cannot_master_a_concept_of_another_organization(conn, world):
    """questions.concept_id was not checked against the question's organization: answering their own questions
    tagged with A's concept, the attacker showed as having mastered A's concept to A's staff."""
    concept = world.content["concept"]
    with testing.as_user(conn, world.student, commit=True) as acting:
        mint = create_own_organization(acting)
        session = acting.execute("insert into public.learning_sessions (session_type) values ('practice')"
                                 " returning id").fetchone()["id"]
        for i in range(5):
            question = refused_or_made(acting, own_question, mint, concept=concept, a=i, b=1)
            if question:
                acting.execute("select public.submit_answer(%s, %s, %s, 800)", (session, question, f'"{i + 1}"'))
    with testing.as_user(conn, world.educator) as acting:  # staff of A, reading A's concept
        rows = acting.execute("select total_attempts, status from public.skill_progress"
                              " where user_id = %s and concept_id = %s", (world.student, concept)).fetchall()
    assert not rows or rows[0]["total_attempts"] == 0, f"A's staff see progress made on O's questions: {rows}"


def test_a_former_educator_reads_none_of_the_organizations_drafts_they_wrote(conn, world):
    """The content policies kept an `author_id = uid()` arm: an educator who left A (or was removed) kept
    reading every course, lesson and question they wrote for A, unpublished drafts included."""
    with testing.as_user(conn, world.educator, commit=True) as acting:
        draft = acting.execute(
            "insert into public.questions (organization_id, question_type, prompt, is_published)"
            " values (%s, 'short_answer', '{\"text\": \"next week''s exam, question 1\"}', false) returning id",
            (world.org,)).fetchone()["id"]
    conn.execute("delete from public.organization_members where organization_id = %s and user_id = %s",
                 (world.org, world.educator))  # removed by an admin
    with testing.as_user(conn, world.educator) as acting:
        drafts = acting.execute("select id from public.questions where id = %s", (draft,)).fetchall()
        published = acting.execute("select id from public.questions where id = %s",
                                   (world.content["question"],)).fetchall()
        courses = acting.execute("select id from public.courses where id = %s",
                                 (world.content["course"],)).fetchall()
        lessons = acting.execute("select id from public.lessons where id = %s",
                                 (world.content["lesson"],)).fetchall()
    assert (drafts, published, courses, lessons) == ([], [], [], []), \
        "a removed educator still reads A's content they wrote"


def _prerequisite_rows_read(db_url, learner):
    """Edge rows one call reads, counted on a connection of its own: PostgreSQL 15 adds a backend's statistics
    not yet flushed from its earlier transactions (here, the attacker's inserts) to pg_stat_get_xact_*."""
    with connection.connect(db_url) as fresh:
        with testing.as_user(fresh, learner) as acting:
            acting.execute("select count(*) from public.next_available_concepts()").fetchone()
            return acting.execute("select pg_stat_get_xact_tuples_returned('public.concept_prerequisites'::regclass)"
                                  " + pg_stat_get_xact_tuples_fetched('public.concept_prerequisites'::regclass) n"
                                  ).fetchone()["n"]


def test_another_organizations_concept_graph_does_not_make_a_learners_next_concepts_expensive(conn, db_url, world):
    """public.next_available_concepts() (security invoker) walked every prerequisite edge of the platform under
    RLS, every organization's: any signed-in user founds an organization and defines as many concepts and edges
    as they like, and every learner's call read them all."""
    before = _prerequisite_rows_read(db_url, world.classmate)
    with testing.as_user(conn, world.outsider_admin, commit=True) as acting:
        outsider_org = outsider_organization(acting, world)
        acting.execute("insert into public.concepts (organization_id, subject_id, code, name, is_published)"
                       " select %s, %s, 'spam.' || g, 'Spam ' || g, true from generate_series(1, 40) g",
                       (outsider_org, world.content["subject"]))
        acting.execute("insert into public.concept_prerequisites (concept_id, prerequisite_id)"
                       " select a.id, b.id from public.concepts a join public.concepts b"
                       " on substr(a.code, 6)::int > substr(b.code, 6)::int"
                       " and substr(a.code, 6)::int - substr(b.code, 6)::int <= 10"
                       " where a.organization_id = %s and b.organization_id = %s", (outsider_org, outsider_org))
    after = _prerequisite_rows_read(db_url, world.classmate)
    assert after == before, f"A's learner read {after} prerequisite rows (was {before}): the attacker's graph"


# ------------------------------------------------------------------------------------------------ the rule


def platform_concept(conn, world, code="platform.add"):
    return conn.execute("insert into public.concepts (subject_id, code, name, is_published)"
                        " values (%s, %s, 'Platform concept', true) returning id",
                        (world.content["subject"], f"{code}.{uuid.uuid4().hex[:8]}")).fetchone()["id"]


def refusal(acting, statement, params):
    with pytest.raises(psycopg.Error) as error, acting.transaction():
        acting.execute(statement, params)
    return error.value


@pytest.mark.parametrize("statement", [
    "insert into public.questions (organization_id, test_id, question_type) values (%(own)s, %(test)s, 'short_answer')",
    "insert into public.questions (organization_id, lesson_id, question_type)"
    " values (%(own)s, %(lesson)s, 'short_answer')",
    "insert into public.questions (organization_id, concept_id, question_type)"
    " values (%(own)s, %(concept)s, 'short_answer')",
    "insert into public.tests (organization_id, lesson_id, title) values (%(own)s, %(lesson)s, 'Borrowed')",
    "insert into public.concepts (organization_id, parent_id, code, name) values (%(own)s, %(concept)s, 'own.x', 'x')",
    "insert into public.content_hooks (organization_id, concept_id, life_category, hook_text)"
    " values (%(own)s, %(concept)s, 'personal', 'Borrowed')",
    "insert into public.content_examples (organization_id, concept_id, life_category, example_text)"
    " values (%(own)s, %(concept)s, 'personal', 'Borrowed')",
    "insert into public.concept_prerequisites (concept_id, prerequisite_id) values (%(own_concept)s, %(concept)s)",
])
def test_content_cannot_point_at_another_organizations_content(conn, world, statement):
    """The admin of their own organization O writes O's content pointing at A's lesson, test or concept: 23514,
    nothing stored."""
    with testing.as_user(conn, world.outsider_admin) as acting:
        own = outsider_organization(acting, world)
        own_concept = acting.execute("insert into public.concepts (organization_id, code, name) values (%s, %s, 'O')"
                                     " returning id", (own, f"own.{uuid.uuid4().hex[:8]}")).fetchone()["id"]
        error = refusal(acting, statement, {**world.content, "own": own, "own_concept": own_concept})
    assert error.sqlstate == "23514", error
    assert "of its own organization" in error.diag.message_primary


def test_staff_cannot_move_their_own_question_onto_another_organizations_concept(conn, world):
    with testing.as_user(conn, world.other_org_educator) as acting:
        question = acting.execute("insert into public.questions (organization_id, question_type) values (%s,"
                                  " 'short_answer') returning id", (world.other_org,)).fetchone()["id"]
        error = refusal(acting, "update public.questions set concept_id = %s where id = %s",
                        (world.content["concept"], question))
    assert error.sqlstate == "23514"


def test_the_platform_cannot_point_at_an_organizations_content(conn, world):
    with testing.as_service_role(conn) as acting:
        error = refusal(acting, "insert into public.questions (lesson_id, question_type) values (%s, 'short_answer')",
                        (world.content["lesson"],))
    assert error.sqlstate == "23514"


def test_content_may_use_its_own_organizations_content_and_platform_concepts(conn, world):
    shared = platform_concept(conn, world)
    with testing.as_user(conn, world.educator) as acting:
        own = {**world.content, "org": world.org, "shared": shared}
        acting.execute("insert into public.questions (organization_id, lesson_id, test_id, concept_id, question_type)"
                       " values (%(org)s, %(lesson)s, %(test)s, %(concept)s, 'short_answer')", own)
        acting.execute("insert into public.questions (organization_id, concept_id, question_type)"
                       " values (%(org)s, %(shared)s, 'short_answer')", own)
        acting.execute("insert into public.content_hooks (organization_id, concept_id, life_category, hook_text)"
                       " values (%(org)s, %(shared)s, 'personal', 'Ours, on the shared concept')", own)
        acting.execute("insert into public.concept_prerequisites (concept_id, prerequisite_id)"
                       " values (%(concept)s, %(shared)s)", own)
        acting.execute("insert into public.tests (course_id, lesson_id, title) values (%(course)s, %(lesson)s, 'T')",
                       own)


def test_a_lesson_counts_only_its_own_organizations_questions(conn, world):
    """Defense in depth: a foreign question pointing at A's lesson that got past the trigger (written before it
    existed; here with triggers off) does not count in A's lesson."""
    outsider_org = conn.execute("select organization_id from public.organization_members where user_id = %s",
                                (world.outsider_admin,)).fetchone()["organization_id"]
    conn.execute("set session_replication_role = replica")
    for i in range(5):
        conn.execute("insert into public.questions (organization_id, lesson_id, question_type, operand1, operand2,"
                     " operation, is_published) values (%s, %s, 'math_fact', %s, 1, '+', true)",
                     (outsider_org, world.content["lesson"], i))
    conn.execute("set session_replication_role = origin")
    with testing.as_user(conn, world.classmate) as acting:
        session = acting.execute("insert into public.learning_sessions (session_type) values ('practice')"
                                 " returning id").fetchone()["id"]
        acting.execute("select public.submit_answer(%s, %s, '\"7\"', 3000)", (session, world.content["question"]))
        result = acting.execute("select public.complete_lesson(%s) r", (world.content["lesson"],)).fetchone()["r"]
    assert result["perfect"] is True


def test_next_concepts_still_follow_prerequisites_of_the_learners_organization_and_the_platform(conn, world):
    shared = platform_concept(conn, world)
    conn.execute("insert into public.concept_prerequisites (concept_id, prerequisite_id) values (%s, %s)",
                 (world.content["concept"], shared))
    with testing.as_user(conn, world.classmate) as acting:
        available = {r["concept_id"] for r in acting.execute("select concept_id from public.next_available_concepts()")}
    assert shared in available and world.content["concept"] not in available  # blocked by the platform concept
    with testing.as_user(conn, world.guardian) as acting:  # a guardian asks for their child: the same scope
        for_child = {r["concept_id"] for r in acting.execute("select concept_id from public.next_available_concepts(%s)",
                                                             (world.student,))}
    assert shared in for_child and world.content["concept"] not in for_child


def test_the_learners_organizations_are_told_only_to_those_who_may_know_them(conn, world):
    def organizations_of(acting, learner):
        return {r["o"] for r in acting.execute("select private.learner_organization_ids(%s) o", (learner,))}
    with testing.as_user(conn, world.guardian) as acting:
        assert organizations_of(acting, world.student) == {world.org}
    with testing.as_user(conn, world.other_org_educator) as acting:
        assert organizations_of(acting, world.student) == set()
    with testing.as_user(conn, world.outsider_admin) as acting:
        assert organizations_of(acting, world.classmate) == set()
    with testing.as_user(conn, world.educator) as acting:
        assert organizations_of(acting, world.classmate) == {world.org}
