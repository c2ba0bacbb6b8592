"""Security of the schema: RLS everywhere, policy files follow the conventions, account
deletion leaves nothing behind, students cannot write what the server owns,
and the Math engine's mastery and SM-2 rules. That the live policies equal the
policy files is part of tests/test_schema_equivalence.py (the whole catalog)."""

import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
import pytest
from psycopg import sql

from cli import connection, testing
from tests import personas as persona_data
from tests.policy_matrix.expectations import OPTIONAL_TABLES

POLICIES_DIR = Path(__file__).resolve().parent.parent / "supabase" / "policies"

PUBLIC_TABLES = """
select c.relname as table_name, c.relrowsecurity as rls,
       (select count(*) from pg_catalog.pg_policy p where p.polrelid = c.oid) as policies
from pg_catalog.pg_class c
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
where n.nspname = 'public' and c.relkind in ('r', 'p')
order by c.relname
"""
LIVE_POLICIES = """
select schemaname, tablename, policyname, permissive, roles::text[] as roles, cmd, qual, with_check
from pg_catalog.pg_policies
where schemaname not in ('storage', 'auth')
order by schemaname, tablename, policyname
"""
CREATE_POLICY = re.compile(
    r'create policy "(?P<name>[^"]+)"\s+on (?P<schema>\w+)\.(?P<table>\w+)\s+for (?P<command>\w+)\s+to (?P<role>\w+)',
    re.IGNORECASE)
UUID_COLUMNS = """
select n.nspname as schema_name, c.relname as table_name, a.attname as column_name,
       t.typname = '_uuid' as is_array
from pg_catalog.pg_attribute a
join pg_catalog.pg_class c on c.oid = a.attrelid
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
join pg_catalog.pg_type t on t.oid = a.atttypid
where c.relkind = 'r' and a.attnum > 0 and not a.attisdropped and t.typname in ('uuid', '_uuid')
  and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\\_%'
order by 1, 2, 3
"""



@dataclass
class World:
    """One database for the module: the personas and the student's activity. Tests roll back their changes."""

    conn: psycopg.Connection
    people: persona_data.Personas
    activity: dict[str, uuid.UUID]


@pytest.fixture(scope="module")
def world(test_databases, migrated_template):
    url = test_databases.clone(migrated_template, prefix="schema_security")
    try:
        with connection.connect(url) as conn:
            people = persona_data.create_personas(conn)
            yield World(conn, people, persona_data.create_activity(conn, people))
    finally:
        test_databases.drop(connection.conninfo.conninfo_to_dict(url)["dbname"])


# ---------------------------------------------------------------- RLS and policy files
def test_every_public_table_has_rls_and_a_policy(world):
    conn = world.conn
    tables = conn.execute(PUBLIC_TABLES).fetchall()
    assert len(tables) >= 37
    assert [t["table_name"] for t in tables if not t["rls"]] == []
    partitions = {row["relname"] for row in conn.execute(
        "select relname from pg_catalog.pg_class where relispartition").fetchall()}
    assert [t["table_name"] for t in tables if t["policies"] == 0 and t["table_name"] not in partitions] == []


def test_every_public_table_has_its_policy_file(world):
    conn = world.conn
    partitions = {row["relname"] for row in conn.execute(
        "select relname from pg_catalog.pg_class where relispartition").fetchall()}
    tables = {t["table_name"] for t in conn.execute(PUBLIC_TABLES).fetchall()} - partitions
    files = {path.stem for path in POLICIES_DIR.glob("*.sql") if _targets_public(path)}
    assert tables - files == set(), "tables without supabase/policies/<table>.sql"
    absent_by_design = set(OPTIONAL_TABLES) - tables  # e.g. content_chunks where the server has no pgvector
    assert files - tables - absent_by_design == set(), "policy files for tables that do not exist"


def _targets_public(path) -> bool:
    """Files for tables outside public (e.g. the analytics rollups) name their schema in every policy."""
    return any(match["schema"] == "public" for match in CREATE_POLICY.finditer(path.read_text()))


@pytest.mark.parametrize("path", sorted(POLICIES_DIR.glob("*.sql")), ids=lambda path: path.stem)
def test_policy_file_follows_the_conventions(path):
    text = path.read_text()
    statements = [s for s in text.split(";") if "create policy" in s.lower()]
    matches = [CREATE_POLICY.search(statement) for statement in statements]
    assert statements and all(matches), "every statement is `create policy \"…\" on schema.table for … to …`"
    targets = {(m["schema"], m["table"]) for m in matches}
    if {schema for schema, _ in targets} == {"public"}:
        assert targets == {("public", path.stem)}, "one file per table, named after it"
    assert all(m["command"].lower() in ("select", "insert", "update", "delete") for m in matches), "never for all"
    names = [m["name"] for m in matches]
    assert len(names) == len(set(names))
    assert "auth.uid()" not in re.sub(r"\(select auth\.uid\(\)\)", "", text), "wrap auth.uid() in (select …)"


def test_partition_policies_copy_their_parent(world):
    """Each partition carries its parent's read policies (writes go through the parent only)."""
    rows = world.conn.execute("""
        select child.relname as partition, parent.relname as parent,
               array(select (p.policyname, p.cmd, p.roles, p.qual, p.with_check)::text from pg_catalog.pg_policies p
                     where p.schemaname = 'public' and p.tablename = child.relname order by 1) as own,
               array(select (p.policyname, p.cmd, p.roles, p.qual, p.with_check)::text from pg_catalog.pg_policies p
                     where p.schemaname = 'public' and p.tablename = parent.relname and p.cmd = 'SELECT'
                     order by 1) as inherited
        from pg_catalog.pg_inherits i
        join pg_catalog.pg_class child on child.oid = i.inhrelid
        join pg_catalog.pg_class parent on parent.oid = i.inhparent
        join pg_catalog.pg_namespace n on n.oid = child.relnamespace
        where n.nspname = 'public' and child.relispartition and child.relkind in ('r', 'p')""").fetchall()
    assert rows, "the partitioned event tables have partitions"
    assert [row["partition"] for row in rows if row["own"] != row["inherited"] or not row["own"]] == []


def test_live_policies_name_their_role(world):
    roles = {tuple(row["roles"]) for row in world.conn.execute(LIVE_POLICIES).fetchall()}
    assert ("public",) not in roles


# ---------------------------------------------------------------- account deletion
def _references(conn, user_id) -> list[str]:
    found = []
    for column in conn.execute(UUID_COLUMNS).fetchall():
        condition = "%(id)s = any({column})" if column["is_array"] else "{column} = %(id)s"
        query = sql.SQL("select count(*) as hits from {table} where " + condition).format(
            table=sql.Identifier(column["schema_name"], column["table_name"]),
            column=sql.Identifier(column["column_name"]))
        hits = conn.execute(query, {"id": user_id}).fetchone()["hits"]
        if hits:
            found.append(f"{column['schema_name']}.{column['table_name']}.{column['column_name']}: {hits}")
    return found


def test_deleting_an_auth_user_removes_all_their_personal_data(conn):
    people = persona_data.create_personas(conn)
    persona_data.create_activity(conn, people)
    student = people.student
    conn.execute("insert into storage.buckets (id, name) values ('recordings', 'recordings')")
    conn.execute("insert into storage.objects (bucket_id, name, owner) values ('recordings', %(name)s, %(owner)s)",
                 {"name": f"{student}/practice.webm", "owner": student})
    conn.execute("""insert into public.media_assets (owner_id, bucket_id, object_path, media_type)
                    values (%(owner)s, 'recordings', %(name)s, 'video')""",
                 {"owner": student, "name": f"{student}/practice.webm"})
    assert len(_references(conn, student)) > 20, "the fixture must reach most tables"

    conn.execute("delete from auth.users where id = %(id)s", {"id": student})

    assert _references(conn, student) == []
    queued = conn.execute("select object_name from private.storage_purge_queue").fetchall()
    assert queued == [{"object_name": f"{student}/practice.webm"}]
    survivors = conn.execute("select count(*) as n from public.profiles where id = any(%(ids)s)",
                             {"ids": [people.guardian, people.educator, people.classmate]}).fetchone()
    assert survivors["n"] == 3, "only the deleted user's data goes"
    assert conn.execute("select count(*) as n from public.courses").fetchone()["n"] == 1, "content stays"


# ---------------------------------------------------------------- server-owned columns
SERVER_OWNED = [
    ("profiles", "last_active_at", "now()", "id"),
    ("profiles", "created_at", "now()", "id"),
    ("enrollments", "progress_percentage", "100", "user_id"),
    ("enrollments", "completed_at", "now()", "user_id"),
    ("lesson_progress", "completed_at", "now()", "user_id"),
    ("learning_sessions", "score", "100", "user_id"),
    ("learning_sessions", "questions_correct", "99", "user_id"),
    ("learning_sessions", "xp_earned", "1000", "user_id"),
    ("learning_sessions", "ended_at", "now()", "user_id"),
    ("answer_attempts", "is_correct", "true", "user_id"),
    ("answer_attempts", "response_time_ms", "1", "user_id"),
    ("question_progress", "mastery", "1", "user_id"),
    ("question_progress", "next_review_date", "current_date + 100", "user_id"),
    ("skill_progress", "mastery", "1", "user_id"),
    ("skill_progress", "status", "'mastered'", "user_id"),
    ("skill_progress", "final_mastery_score", "1", "user_id"),
    ("assessments", "competency_score", "1", "user_id"),
    ("assessments", "step_evaluations", "'[]'", "user_id"),
    ("coding_attempts", "score", "100", "user_id"),
    ("journey_summaries", "total_xp_earned", "5000", "user_id"),
    ("remediation_paths", "status", "'completed'", "user_id"),
    ("notifications", "created_at", "now()", "user_id"),
    ("chat_messages", "sender", "'tutor'", "user_id"),
]


@pytest.mark.parametrize(("table", "column", "value", "owner_column"), SERVER_OWNED,
                         ids=[f"{t}.{c}" for t, c, _, _ in SERVER_OWNED])
def test_students_cannot_write_server_owned_columns(world, table, column, value, owner_column):
    conn, people = world.conn, world.people
    statement = sql.SQL("update {table} set {column} = " + value + " where {owner} = %(me)s").format(
        table=sql.Identifier("public", table), column=sql.Identifier(column), owner=sql.Identifier(owner_column))
    with testing.as_user(conn, people.student) as acting:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            acting.execute(statement, {"me": people.student})


def test_students_cannot_grade_their_own_attempts(world):
    conn, people, activity = world.conn, world.people, world.activity
    with testing.as_user(conn, people.student) as acting:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            acting.execute("""insert into public.answer_attempts (session_id, question_id, answer, response_time_ms,
                                                                  is_correct)
                              values (%(session)s, %(question)s, '5', 900, true)""",
                           {"session": activity["session"], "question": people.content["question"]})


def test_admins_cannot_raise_their_own_student_limit(world):
    conn, people = world.conn, world.people
    with testing.as_user(conn, people.admin) as acting:
        with pytest.raises(psycopg.errors.InsufficientPrivilege), acting.transaction():
            acting.execute("update public.organizations set max_students = 10000 where id = %(org)s",
                           {"org": people.org})
        renamed = acting.execute("update public.organizations set name = 'Maple Learning' where id = %(org)s "
                                 "returning name", {"org": people.org}).fetchall()
    assert renamed == [{"name": "Maple Learning"}]


def test_correct_answers_are_hidden_from_students_and_guardians(world):
    conn, people = world.conn, world.people
    for persona in ("student", "guardian", "other_org_educator"):
        with testing.as_user(conn, people.users[persona]) as acting:
            assert acting.execute("select * from public.question_answer_keys").fetchall() == []
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                acting.execute("select expected_steps from public.exercise_generations")
    with testing.as_user(conn, people.student) as acting:
        visible = acting.execute("select generated_exercise from public.exercise_generations").fetchall()
    assert visible == [{"generated_exercise": {"prompt": "3 + 4 = ?"}}]
    with testing.as_user(conn, people.educator) as acting:
        keys = acting.execute("select correct_value from public.question_answer_keys").fetchall()
    assert [row["correct_value"] for row in keys] == [7]


def test_hints_are_hidden_from_everyone_but_the_questions_staff(world):
    """A hint costs XP beyond the free ones (use_hint), so no plain select may reveal it."""
    conn, people = world.conn, world.people
    question = people.content["question"]
    for persona in ("student", "classmate", "guardian", "other_org_student", "other_org_educator"):
        with testing.as_user(conn, people.users[persona]) as acting:
            assert acting.execute("select * from public.question_hints").fetchall() == [], persona
            with pytest.raises(psycopg.errors.UndefinedColumn), acting.transaction():
                acting.execute("select hint from public.questions")
            with pytest.raises(psycopg.errors.InsufficientPrivilege), acting.transaction():
                acting.execute("insert into public.question_hints (question_id, hint) values (%s, 'mine')",
                               (question,))
    with testing.as_user(conn, people.other_org_educator) as acting:
        assert acting.execute("update public.question_hints set hint = 'hijacked' returning 1").fetchall() == []
        assert acting.execute("delete from public.question_hints returning 1").fetchall() == []
    with testing.as_anon(conn) as acting, pytest.raises(psycopg.errors.InsufficientPrivilege):
        acting.execute("select * from public.question_hints")
    for persona in ("educator", "admin"):
        with testing.as_user(conn, people.users[persona]) as acting:
            assert acting.execute("select hint from public.question_hints").fetchall() == [{"hint": "Count on from 4"}]
            changed = acting.execute("update public.question_hints set hint = 'Start at 4, count on 3' "
                                     "where question_id = %s returning hint", (question,)).fetchall()
            assert changed == [{"hint": "Start at 4, count on 3"}]
            acting.execute("delete from public.question_hints where question_id = %s", (question,))
            acting.execute("insert into public.question_hints (question_id, hint) values (%s, 'Draw 3 and 4 dots')",
                           (question,))
            assert acting.execute("select hint from public.question_hints").fetchall() == [
                {"hint": "Draw 3 and 4 dots"}]
    assert conn.execute("select hint from public.question_hints").fetchall() == [{"hint": "Count on from 4"}], \
        "each persona's transaction was rolled back"


# ---------------------------------------------------------------- mastery trigger
MASTERY_CASES = [
    # total, correct, average ms → mastery, fluency level (the Math engine's thresholds)
    (0, 0, None, 0, "not_started"),
    (4, 0, 1000, 0, "not_started"),
    (20, 20, 1500, 1.0, "mastered"),
    (20, 19, 1500, 0.8, "fluency_3s_2s"),   # 95 % is not > 95 %
    (10, 10, 2500, 0.8, "fluency_3s_2s"),
    (10, 10, 5000, 0.6, "fluency_6s"),
    (10, 9, 2500, 0.6, "fluency_6s"),       # 90 % is not > 90 %
    (10, 8, 9000, 0.4, "accuracy"),
    (10, 6, 1000, 0.2, "learning"),
    (10, 5, 1000, 0.1, "not_started"),
]


@pytest.mark.parametrize(("total", "correct", "average_ms", "mastery", "fluency"), MASTERY_CASES)
def test_mastery_trigger_uses_the_math_engine_thresholds(world, total, correct, average_ms, mastery, fluency):
    conn, people = world.conn, world.people
    with conn.transaction(force_rollback=True):
        row = conn.execute("""
            update public.question_progress
            set total_attempts = %(total)s, correct_attempts = %(correct)s, average_response_time_ms = %(ms)s,
                mastery = 0.5, fluency_level = 'learning'
            where user_id = %(me)s
            returning mastery, fluency_level::text""",
            {"total": total, "correct": correct, "ms": average_ms, "me": people.student}).fetchone()
    assert (float(row["mastery"]), row["fluency_level"]) == (mastery, fluency)


# ---------------------------------------------------------------- SM-2
SM2_STEPS = [
    # ease, interval, repetitions, quality → ease, interval, repetitions
    (2.5, None, 0, 5, 2.6, 1, 1),
    (2.6, 1, 1, 5, 2.7, 6, 2),
    (2.7, 6, 2, 4, 2.7, 17, 3),     # ceil(6 × 2.7)
    (2.7, 17, 3, 3, 2.56, 46, 4),   # ceil(17 × 2.7), ease − 0.14
    (2.56, 46, 4, 1, 2.02, 1, 0),   # a lapse starts over
    (1.3, 10, 5, 0, 1.3, 1, 0),     # ease never below 1.3
    (1.35, 1, 1, 3, 1.3, 6, 2),
]


@pytest.mark.parametrize(("ease", "interval", "reps", "quality", "next_ease", "next_interval", "next_reps"), SM2_STEPS)
def test_sm2_schedule(world, ease, interval, reps, quality, next_ease, next_interval, next_reps):
    row = world.conn.execute("select * from public.sm2_schedule(%(e)s::numeric, %(i)s, %(r)s, %(q)s)",
                             {"e": ease, "i": interval, "r": reps, "q": quality}).fetchone()
    assert (float(row["next_ease_factor"]), row["next_interval_days"], row["next_repetitions"]) == (
        next_ease, next_interval, next_reps)


def test_sm2_rejects_a_quality_outside_0_to_5(world):
    with pytest.raises(psycopg.errors.InvalidParameterValue, match="quality must be 0..5"):
        world.conn.execute("select * from public.sm2_schedule(2.5, 1, 1, 6)")


def test_answers_schedule_reviews_on_the_learners_local_date(world):
    conn, people, activity = world.conn, world.people, world.activity
    with testing.as_user(conn, people.student) as acting:
        acting.execute("update public.profiles set time_zone = 'Pacific/Kiritimati' where id = %(me)s",
                       {"me": people.student})
        # Speed counts when the server measured it (issue 14): served, then answered within this transaction.
        acting.execute("select public.serve_question(%s, %s)", (activity["session"], people.content["question"]))
        for answer in ("7", "7", "8"):
            acting.execute("select public.submit_answer(%(session)s, %(question)s, %(answer)s::jsonb, 1200)",
                           {"session": activity["session"], "question": people.content["question"],
                            "answer": answer})
        testing.drain_awards(acting)
        progress = acting.execute("""select total_attempts, correct_attempts, ease_factor, review_interval_days,
                                            repetitions, next_review_date, current_streak, best_streak
                                     from public.question_progress""").fetchone()
    local_today = datetime.now(ZoneInfo("Pacific/Kiritimati")).date()
    # the fixture's attempt (1.5 s, right) and 7 (1.2 s, right): q5, q5 → 1, 6 days; 7 again: 17; 8: lapse
    assert progress["total_attempts"] == 4 and progress["correct_attempts"] == 3
    assert (progress["review_interval_days"], progress["repetitions"]) == (1, 0)
    assert progress["next_review_date"] == local_today + timedelta(days=1)
    assert float(progress["ease_factor"]) == 2.26  # 2.5 +0.1 +0.1 +0.1 −0.54
    assert (progress["current_streak"], progress["best_streak"]) == (0, 3)


def test_sm2_intervals_grow_1_6_then_by_ease(world):
    conn, people, activity = world.conn, world.people, world.activity
    intervals = []
    with testing.as_user(conn, people.student) as acting:
        # Speed counts when the server measured it (issue 14): served, then answered within this transaction.
        acting.execute("select public.serve_question(%s, %s)", (activity["session"], people.content["question"]))
        for _ in range(3):
            acting.execute("select public.submit_answer(%(session)s, %(question)s, '7', 1000)",
                           {"session": activity["session"], "question": people.content["question"]})
            testing.drain_awards(acting)
            intervals.append(acting.execute("select review_interval_days from public.question_progress").fetchone()[
                "review_interval_days"])
    # the fixture already answered once (interval 1): then 6, ceil(6 × 2.7) = 17, ceil(17 × 2.8) = 48
    assert intervals == [6, 17, 48]


def test_unique_ids_for_each_persona(world):
    people = world.people
    assert len(set(people.users.values())) == len(persona_data.USER_PERSONAS)
    assert isinstance(people.student, uuid.UUID)
