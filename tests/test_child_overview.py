"""public.get_child_overview(): a guardian's overview of one linked student, served as an RPC.

It reads five tables as their owner after one guardianship check, so who may call it is the whole of its
security: every persona of the policy matrix but the linked guardian is refused with 42501, as the real
role with its JWT claims, whether or not the student exists.
"""

import uuid

import psycopg
import pytest

from cli import testing
from tests import personas as persona_data

OVERVIEW = "select * from public.get_child_overview(%(student_id)s)"
REFUSED = [persona for persona in persona_data.ALL_PERSONAS if persona != "guardian"]


@pytest.fixture
def family(conn):
    people = persona_data.create_personas(conn)
    persona_data.create_activity(conn, people)
    conn.execute("update public.xp_profiles set xp = 120, lifetime_xp = 120, current_streak = 3 where user_id = %s",
                 [people.student])
    return people


def acting_as(conn, people, persona: str):
    if persona == "anon":
        return testing.as_anon(conn)
    if persona == "service_role":
        return testing.as_service_role(conn)
    return testing.as_user(conn, people.users[persona])


def test_a_linked_guardian_reads_their_childs_overview(conn, family):
    with testing.as_user(conn, family.guardian) as guardian:
        rows = guardian.execute(OVERVIEW, {"student_id": family.student}).fetchall()
    assert len(rows) == 1
    overview = rows[0]
    assert overview["nickname"] == "student"
    assert (overview["xp"], overview["current_streak"]) == (120, 3)
    assert overview["level"] >= 1
    assert overview["sessions_this_week"] == 1
    assert overview["accuracy_this_week"] == 100  # the one attempt ('7' to 3 + 4) is correct


def test_the_overview_counts_only_the_last_seven_days(conn, family):
    conn.execute("update public.learning_sessions set started_at = now() - interval '8 days' where user_id = %s",
                 [family.student])
    conn.execute("update public.answer_attempts set answered_at = now() - interval '8 days' where user_id = %s",
                 [family.student])
    with testing.as_user(conn, family.guardian) as guardian:
        overview = guardian.execute(OVERVIEW, {"student_id": family.student}).fetchone()
    assert (overview["sessions_this_week"], overview["accuracy_this_week"]) == (0, None)


@pytest.mark.parametrize("persona", REFUSED)
def test_everyone_else_is_refused(conn, family, persona):
    with acting_as(conn, family, persona) as acting:
        with pytest.raises(psycopg.errors.InsufficientPrivilege) as refused:
            acting.execute(OVERVIEW, {"student_id": family.student})
    assert refused.value.sqlstate == "42501"
    if persona not in ("anon",):  # anon has no execute privilege: PostgreSQL's own message
        assert "no linked student" in str(refused.value)


def test_a_guardian_learns_nothing_about_students_that_are_not_theirs(conn, family):
    """An unknown id and another family's child are refused alike: the error does not reveal who exists."""
    messages = []
    for student_id in (family.classmate, family.other_org_student, uuid.uuid4()):
        with testing.as_user(conn, family.guardian) as guardian:
            with pytest.raises(psycopg.errors.InsufficientPrivilege) as refused:
                guardian.execute(OVERVIEW, {"student_id": student_id})
        messages.append(str(refused.value).replace(str(student_id), "<id>"))
    assert len(set(messages)) == 1


def test_the_checked_body_is_not_exposed_and_pins_its_search_path(conn):
    functions = {row["name"]: row for row in conn.execute("""
        select p.proname as name, n.nspname as schema, p.prosecdef as definer, p.proconfig as config,
               l.lanname as language, has_function_privilege('anon', p.oid, 'execute') as anon_can_execute
        from pg_catalog.pg_proc p
        join pg_catalog.pg_namespace n on n.oid = p.pronamespace
        join pg_catalog.pg_language l on l.oid = p.prolang
        where p.proname in ('get_child_overview', 'child_overview')""")}
    body, api = functions["child_overview"], functions["get_child_overview"]
    assert (body["schema"], body["definer"], body["config"]) == ("private", True, ['search_path=""'])
    # The exposed wrapper runs with the caller's rights, its search_path pinned as Supabase's advisor asks
    # (20261202143000; the price: it is no longer inlined).
    assert (api["schema"], api["definer"], api["language"], api["config"]) == (
        "public", False, "sql", ['search_path=""'])
    assert not body["anon_can_execute"] and not api["anon_can_execute"]
