"""Daily rollups: incremental refresh equals a full rebuild, exactly once, and reads are filtered by RLS."""

import uuid
from datetime import datetime, timedelta, timezone

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from cli import connection, testing

TIME_ZONES = ["UTC", "America/Los_Angeles", "Asia/Kolkata", "Pacific/Kiritimati"]
LEARNING_EVENT_TYPES = ["session_started", "session_completed", "answer", "lesson_completed",
                        "assessment_completed", "concept_viewed", "concept_mastered", "exercise_completed",
                        "fact_reviewed", "fact_learned", "fact_mastered", "remediation_started"]
MODES = ["practice", "lesson", "quiz"]
START = datetime(2026, 6, 1, tzinfo=timezone.utc)

INSERT_LEARNING_EVENT = """
insert into public.learning_events (user_id, event_type, mode, is_correct, response_ms, active_seconds, score,
                                    mastery_score, xp, occurred_at)
values (%(user_id)s, %(event_type)s, %(mode)s, %(is_correct)s, %(response_ms)s, %(active_seconds)s, %(score)s,
        %(mastery_score)s, %(xp)s, %(occurred_at)s)
"""
INSERT_ANALYTICS_EVENT = """
insert into public.analytics_events (user_id, event_type, event_data, duration_seconds, occurred_at)
values (%(user_id)s, %(event_type)s, %(event_data)s, %(duration_seconds)s, %(occurred_at)s)
"""
ROLLUP_TABLES = {
    "analytics.user_mode_daily": "user_id, day, mode",
    "analytics.user_daily": "user_id, day",
    "analytics.event_dimension_daily": "user_id, day, dimension, value, event_type",
}


def make_learners(conn, count=len(TIME_ZONES)):
    users = []
    for index in range(count):
        user_id = testing.create_user(conn, metadata={"nickname": f"learner{index}",
                                                       "time_zone": TIME_ZONES[index % len(TIME_ZONES)]})
        users.append(user_id)
    conn.execute("select private.create_monthly_partitions('public.learning_events', '2026-01-01', 12)")
    conn.execute("select private.create_monthly_partitions('public.analytics_events', '2026-01-01', 12)")
    return users


def rollups(conn) -> dict[str, list]:
    return {table: conn.execute(f"select * from {table} order by {key}").fetchall()  # noqa: S608 - fixed names
            for table, key in ROLLUP_TABLES.items()}


def refresh(conn, full=False) -> int:
    return conn.execute("select analytics.refresh_rollups(%s) as written", [full]).fetchone()["written"]


learning_event = st.fixed_dictionaries({
    "user": st.integers(0, len(TIME_ZONES) - 1),
    "event_type": st.sampled_from(LEARNING_EVENT_TYPES),
    "mode": st.sampled_from(MODES),
    "is_correct": st.booleans(),
    "response_ms": st.none() | st.integers(0, 20000),
    "active_seconds": st.integers(0, 900),
    "score": st.none() | st.integers(0, 100),
    "mastery_score": st.none() | st.sampled_from([0, 0.25, 0.5, 1]),
    "xp": st.integers(0, 50),
    "lateness_minutes": st.integers(0, 3 * 24 * 60),  # late events: up to 3 days before the batch's time
})
analytics_event = st.fixed_dictionaries({
    "user": st.integers(0, len(TIME_ZONES) - 1),
    "event_type": st.sampled_from(["container.started", "hint.used", "career.explored"]),
    "dimensions": st.dictionaries(st.sampled_from(["career", "companion", "skill", "journey"]),
                                  st.sampled_from(["chef", "astronaut", "finn", "add.1", "7"]), max_size=3),
    "duration_seconds": st.integers(0, 600),
    "lateness_minutes": st.integers(0, 3 * 24 * 60),
})
batch = st.tuples(st.lists(learning_event, max_size=12), st.lists(analytics_event, max_size=6),
                  st.booleans())  # the boolean: refresh after this batch


def insert_batch(conn, users, batch_time, learning, analytics):
    with conn.cursor() as cursor:
        for event in learning:
            cursor.execute(INSERT_LEARNING_EVENT, {
                **event, "user_id": users[event["user"]],
                "is_correct": event["is_correct"] if event["event_type"] == "answer" else None,
                "occurred_at": batch_time - timedelta(minutes=event["lateness_minutes"])})
        for event in analytics:
            cursor.execute(INSERT_ANALYTICS_EVENT, {
                **event, "user_id": users[event["user"]], "event_data": psycopg.types.json.Jsonb(event["dimensions"]),
                "occurred_at": batch_time - timedelta(minutes=event["lateness_minutes"])})


@pytest.fixture
def learners(conn):
    return make_learners(conn)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batches=st.lists(batch, min_size=1, max_size=6), hours_between=st.integers(1, 30))
def test_incremental_refresh_equals_full_rebuild(conn, learners, batches, hours_between):
    conn.execute("truncate public.learning_events, public.analytics_events")
    refresh(conn, full=True)
    for index, (learning, analytics, refresh_after) in enumerate(batches):
        insert_batch(conn, learners, START + timedelta(hours=hours_between * index), learning, analytics)
        if refresh_after:
            refresh(conn)
    refresh(conn)
    incremental = rollups(conn)
    refresh(conn, full=True)
    assert incremental == rollups(conn)
    total = sum(len(learning) for learning, _, _ in batches)
    assert conn.execute("select coalesce(sum(events), 0) as n from analytics.user_daily").fetchone()["n"] == total


def test_a_refresh_with_no_new_events_changes_nothing(conn, learners):
    insert_batch(conn, learners, START, [{"user": 0, "event_type": "answer", "mode": "quiz", "is_correct": True,
                                          "response_ms": 900, "active_seconds": 30, "score": None,
                                          "mastery_score": None, "xp": 5, "lateness_minutes": 0}], [])
    assert refresh(conn) == 2
    before = rollups(conn)
    assert refresh(conn) == 0
    assert rollups(conn) == before


def test_an_event_committed_after_a_refresh_began_is_counted_exactly_once(conn, db_url, learners):
    """A transaction open during a refresh commits after it: the next refresh counts it, once."""
    event = {"user_id": learners[0], "event_type": "answer", "mode": "quiz", "is_correct": True, "response_ms": 1,
             "active_seconds": 60, "score": 80, "mastery_score": None, "xp": 3, "occurred_at": START}
    with connection.connect(db_url, autocommit=False) as writer:
        writer.execute(INSERT_LEARNING_EVENT, event)  # open, uncommitted
        conn.execute(INSERT_LEARNING_EVENT, event | {"user_id": learners[1]})
        refresh(conn)
        writer.commit()
    refresh(conn)
    refresh(conn)
    days = conn.execute("select user_id, events, xp_gained from analytics.user_daily order by user_id").fetchall()
    assert sorted((row["user_id"], row["events"], row["xp_gained"]) for row in days) == sorted(
        [(learners[0], 1, 3), (learners[1], 1, 3)])
    incremental = rollups(conn)
    refresh(conn, full=True)
    assert rollups(conn) == incremental


def test_days_are_local_to_each_learner(conn, learners):
    # 2026-06-01 05:00 UTC is still 31 May in Los Angeles and already 1 June in Kolkata.
    moment = datetime(2026, 6, 1, 5, 0, tzinfo=timezone.utc)
    for user in learners[:3]:
        conn.execute(INSERT_LEARNING_EVENT, {"user_id": user, "event_type": "session_completed", "mode": "practice",
                                             "is_correct": None, "response_ms": None, "active_seconds": 1200,
                                             "score": None, "mastery_score": None, "xp": 0, "occurred_at": moment})
    refresh(conn)
    days = {row["user_id"]: str(row["day"]) for row in conn.execute("select user_id, day from analytics.user_daily")}
    assert days == {learners[0]: "2026-06-01", learners[1]: "2026-05-31", learners[2]: "2026-06-01"}


# ---------------------------------------------------------------- who reads what

def _org_with(conn, *, staff, students):
    org_id = conn.execute("insert into public.organizations (name, kind) values ('Oak school', 'school') "
                          "returning id").fetchone()["id"]
    for user, role in [(staff, "educator")] + [(student, "student") for student in students]:
        conn.execute("insert into public.organization_members (organization_id, user_id, role) values (%s, %s, %s)",
                     [org_id, user, role])
    return org_id


def test_dashboards_show_each_caller_only_the_learners_they_may_see(conn, learners):
    student_a, student_b, outsider = learners[0], learners[1], learners[2]
    guardian = testing.create_user(conn, metadata={"nickname": "parent"})
    teacher = testing.create_user(conn, metadata={"nickname": "teacher"})
    conn.execute("insert into public.guardianships (guardian_id, student_id) values (%s, %s)", [guardian, student_a])
    _org_with(conn, staff=teacher, students=[student_a, student_b])
    for user in learners:
        conn.execute(INSERT_LEARNING_EVENT, {"user_id": user, "event_type": "session_completed", "mode": "practice",
                                             "is_correct": None, "response_ms": None, "active_seconds": 1200,
                                             "score": 90, "mastery_score": None, "xp": 10, "occurred_at": START})
        conn.execute(INSERT_ANALYTICS_EVENT, {"user_id": user, "event_type": "career.explored",
                                              "event_data": psycopg.types.json.Jsonb({"career": "chef"}),
                                              "duration_seconds": 60, "occurred_at": START})
    refresh(conn)
    # A day's rollup sums a learner's activity in all their organizations: it belongs to none, so staff
    # read none (issue 14: authority scoped to the row's organization); they read their organization's events.
    expectations = {student_a: {student_a}, guardian: {student_a}, teacher: set(), outsider: {outsider}}
    for caller, visible in expectations.items():
        with testing.as_user(conn, caller) as acting:
            for view in ["daily_practice_summaries", "practice_metrics_daily", "engagement_analytics",
                         "learning_analytics"]:
                seen = {row["user_id"] for row in acting.execute(f"select user_id from public.{view}")}  # noqa: S608
                assert seen == visible, (view, caller)
            career = acting.execute("select sum(learners) as learners from public.career_analytics "
                                    "where career = 'chef'").fetchone()  # one row per local day
            assert (career["learners"] or 0) == len(visible)
    summary = conn.execute("select total_minutes, daily_goal_met, time_by_mode from public.daily_practice_summaries "
                           "where user_id = %s", [student_a]).fetchone()
    assert summary == {"total_minutes": 20, "daily_goal_met": True, "time_by_mode": {"practice": 20}}
    with testing.as_anon(conn) as acting:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            acting.execute("select * from public.daily_practice_summaries")


def test_learners_cannot_write_rollups_or_learning_events(conn, learners):
    with testing.as_user(conn, learners[0]) as acting:
        for statement in ["insert into analytics.user_daily (user_id, day, daily_goal_minutes) "
                          "values (auth.uid(), current_date, 1)",
                          "select analytics.refresh_rollups()",
                          "insert into public.learning_events (user_id, event_type) values (auth.uid(), 'answer')"]:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                with acting.transaction():
                    acting.execute(statement)


def test_learners_record_their_own_analytics_events_only(conn, learners):
    me, other = learners[0], learners[1]
    with testing.as_user(conn, me) as acting:
        acting.execute("insert into public.analytics_events (event_type, event_data) values ('hint.used', '{}')")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            with acting.transaction():
                acting.execute("insert into public.analytics_events (user_id, event_type) values (%s, 'hint.used')",
                               [other])
        with pytest.raises(psycopg.errors.InvalidParameterValue, match="more than 7 days old"):
            with acting.transaction():
                acting.execute("insert into public.analytics_events (event_type, occurred_at) "
                               "values ('hint.used', now() - interval '8 days')")
        with pytest.raises(psycopg.errors.InvalidParameterValue, match="in the future"):
            with acting.transaction():
                acting.execute("insert into public.analytics_events (event_type, occurred_at) "
                               "values ('hint.used', now() + interval '1 hour')")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            with acting.transaction():
                acting.execute("insert into public.analytics_events (event_type, ingest_xid) values ('x.y', '1')")
        assert acting.execute("select count(*) as n from public.analytics_events").fetchone()["n"] == 1
