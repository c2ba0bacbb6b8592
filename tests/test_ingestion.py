"""Issue 17, item 2: public.record_learning_events(events jsonb), learning-event ingestion.

Every call runs as the API runs it (role + JWT claims, as PostgREST) against the migrated schema: each event
validated, a bad one named by its index with none of the batch stored, resent event ids stored once, a
per-learner minute rate, events routed to their month's partition, the whole input bounded.
"""

import json
import re
import uuid
from datetime import datetime, timedelta, timezone

import psycopg
import pytest

from cli import testing
from tests import personas as persona_data

RECORD = "select * from public.record_learning_events(%s::jsonb)"


@pytest.fixture
def people(conn):
    return persona_data.create_personas(conn)


def now_utc() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def event(**fields) -> dict:
    item = {"event_id": str(uuid.uuid4()), "event_type": "answer", "is_correct": True, "response_ms": 1200,
            "mode": "practice", "occurred_at": (now_utc() - timedelta(minutes=1)).isoformat()}
    item.update(fields)
    return {key: value for key, value in item.items() if value is not None}


def record(acting, events) -> dict:
    return acting.execute(RECORD, [json.dumps(events)]).fetchone()


def refused(acting, events, error=psycopg.errors.InvalidParameterValue) -> str:
    with pytest.raises(error) as caught:
        with acting.transaction():
            acting.execute(RECORD, [json.dumps(events)])
    return caught.value.diag.message_primary


def stored(conn, user_id) -> int:
    return conn.execute("select (select count(*) from public.learning_events where user_id = %(u)s)"
                        " + (select count(*) from public.analytics_events where user_id = %(u)s) as n",
                        {"u": user_id}).fetchone()["n"]


def test_a_learner_records_learning_and_analytics_events_once_each(conn, people):
    batch = [event(), event(event_type="session_completed", mode="quiz", active_seconds=300, is_correct=None,
                            organization_id=str(people.org), payload={"lesson": "adding"}),
             event(stream="analytics", event_type="page.viewed", is_correct=None, response_ms=None, mode=None,
                   event_data={"career": "engineer"}, duration_seconds=12)]
    with testing.as_user(conn, people.student, commit=True) as student:
        assert record(student, batch) == {"recorded": 3, "duplicates": 0}
    # The device did not hear back and sends the batch again, with one new event.
    with testing.as_user(conn, people.student, commit=True) as student:
        assert record(student, batch + [event()]) == {"recorded": 1, "duplicates": 3}
    rows = conn.execute("select user_id, event_type, mode, active_seconds, payload, client_event_id, tableoid::regclass"
                        " as partition from public.learning_events where user_id = %s order by event_type",
                        [people.student]).fetchall()
    assert [row["event_type"] for row in rows] == ["answer", "answer", "session_completed"]
    month = now_utc() - timedelta(minutes=1)
    assert {str(row["partition"]) for row in rows} == {f"learning_events_y{month:%Y}m{month:%m}"}
    assert rows[2]["payload"] == {"lesson": "adding"} and rows[2]["active_seconds"] == 300
    assert str(rows[2]["client_event_id"]) == batch[1]["event_id"]
    analytics = conn.execute("select event_type, event_data, duration_seconds from public.analytics_events"
                             " where user_id = %s", [people.student]).fetchall()
    assert analytics == [{"event_type": "page.viewed", "event_data": {"career": "engineer"}, "duration_seconds": 12}]
    # The rollups take them in like any event.
    conn.execute("select analytics.refresh_rollups(false)")
    assert conn.execute("select sum(events) as n from analytics.user_daily where user_id = %s",
                        [people.student]).fetchone()["n"] == 3


@pytest.mark.parametrize(("bad", "reason"), [
    ({"event_type": "teleported"}, "unknown learning event type teleported"),
    ({"event_id": "not-a-uuid"}, "event_id must be a UUID"),
    ({"event_id": 42}, "event_id must be a UUID"),
    ({"event_id": "TWO_IDS"}, "event_id must be a UUID"),  # the batch-wide match must not take it for two
    ({"occurred_at": "TWO_TIMES"}, "occurred_at must be an ISO 8601 time"),
    ({"mode": "Quiz"}, "learning_events_mode_check"),
    ({"occurred_at": "yesterday"}, "occurred_at must be an ISO 8601 time"),
    ({"occurred_at": "2026-12-02T08:00:00"}, "occurred_at must be an ISO 8601 time"),  # no offset
    ({"occurred_at": "FUTURE"}, "is in the future"),
    ({"occurred_at": "LATE"}, "is older than 7 days"),
    ({"occurred_at": "2026-02-30T10:00:00Z"}, "out of range"),
    ({"response_ms": -5}, "response_ms_check"),
    ({"response_ms": "fast"}, "response_ms must be a number"),
    ({"xp": 500}, "xp is awarded by the server"),
    ({"user_id": "OTHER"}, "you may record only your own events"),
    ({"organization_id": "OTHER_ORG"}, "not an organization you belong to"),
    ({"payload": {"blob": "x" * 20_000}}, "payload is 20012 bytes of JSON, over 16384"),
    ({"colour": "red"}, "unknown field(s) for a learning event: colour"),
    ({"stream": "audit"}, 'stream must be "learning" or "analytics"'),
    ({"event_type": "answer", "is_correct": None}, "check constraint"),
])
def test_a_bad_event_is_named_by_its_index_and_none_of_the_batch_is_stored(conn, people, bad, reason):
    special = {"FUTURE": (now_utc() + timedelta(hours=1)).isoformat(),
               "LATE": (now_utc() - timedelta(days=8)).isoformat(),
               "OTHER": str(people.classmate), "OTHER_ORG": str(people.other_org),
               "TWO_IDS": f"{uuid.uuid4()}\n{uuid.uuid4()}",
               "TWO_TIMES": f"{now_utc().isoformat()}\n{now_utc().isoformat()}"}
    fields = {key: special.get(value, value) if isinstance(value, str) else value for key, value in bad.items()}
    batch = [event(), event(), event(**fields), event()]
    with testing.as_user(conn, people.student) as student:
        message = refused(student, batch)
        assert message.startswith("events[2]"), message
        assert reason in message, message
    assert stored(conn, people.student) == 0


def test_the_first_bad_event_is_named_even_when_the_batch_wide_match_is_fooled(conn, people):
    # Two ids in one value and a missing one: as many lines as events, each a UUID. The batch-wide match must
    # still fail (it counts the values), so that events[0] is named, not only events[1].
    batch = [event(event_id=f"{uuid.uuid4()}\n{uuid.uuid4()}"), event(event_id=None), event()]
    with testing.as_user(conn, people.student) as student:
        message = refused(student, batch)
    assert message.startswith("events[0]") and "event_id must be a UUID" in message, message
    times = [event(occurred_at=f"{now_utc().isoformat()}\n{now_utc().isoformat()}"), event(occurred_at=None)]
    with testing.as_user(conn, people.student) as student:
        message = refused(student, times)
    assert message.startswith("events[0]") and "occurred_at must be an ISO 8601 time" in message, message


MODE = re.compile(r"[a-z][a-z0-9_]{1,39}")


@pytest.mark.parametrize("mode", ["practice", "quiz2", "a_1", "zz", "x" * 40, "x" * 41, "a", "", "Ab", "aB",
                                  "1ab", "_ab", "a-b", "ab ", " ab", "ab\n", "aé", "é", "a\u0131", "a\u212a"])
def test_the_mode_check_takes_exactly_the_modes_its_pattern_does(conn, people, mode):
    # learning_events.mode's check is ^[a-z][a-z0-9_]{1,39}$ written without a regex (cheaper per row).
    insert = ("insert into public.learning_events (user_id, event_type, mode, is_correct)"
              " values (%s, 'answer', %s, true)")
    if MODE.fullmatch(mode):
        conn.execute(insert, [people.student, mode])
    else:
        with pytest.raises(psycopg.errors.CheckViolation, match="learning_events_mode_check"):
            with conn.transaction():
                conn.execute(insert, [people.student, mode])


def test_direct_writers_get_the_event_time_rules(conn, people):
    # The event-time trigger runs its function only for rows it would change or refuse (its WHEN): the
    # server's direct insert is still refused a future time, and received_at is still the server's.
    conn.execute("select private.create_monthly_partitions('public.learning_events', %s::date, 1)",
                 [(now_utc() - timedelta(days=8)).date()])
    insert = ("insert into public.learning_events (user_id, event_type, is_correct, occurred_at, received_at)"
              " values (%s, 'answer', true, now() - %s::interval, %s) returning received_at = now() as stamped")
    with testing.as_service_role(conn) as server:
        with pytest.raises(psycopg.errors.InvalidParameterValue, match="in the future"):
            with server.transaction():
                server.execute(insert, [people.student, "-1 hour", None])
        assert server.execute(insert, [people.student, "1 minute", now_utc() - timedelta(days=2)]).fetchone() == {
            "stamped": True}
        assert server.execute(insert, [people.student, "8 days", now_utc()]).fetchone() == {"stamped": True}


def test_a_learner_of_no_organization_records_events(conn):
    loner = testing.create_user(conn, email=f"{uuid.uuid4().hex[:8]}@ingest.learnkit.dev")
    with testing.as_user(conn, loner) as acting:
        assert record(acting, [event(), event()])["recorded"] == 2
        assert "not an organization you belong to" in refused(acting, [event(organization_id=str(uuid.uuid4()))])


def test_the_whole_input_is_bounded(conn, people):
    with testing.as_user(conn, people.student) as student:
        assert "at most 1000" in refused(student, [event() for _ in range(1001)])
        assert "bytes of JSON; a call may send at most" in refused(
            student, [event(payload={"blob": "x" * 15_000}) for _ in range(80)])
        assert "JSON array" in refused(student, {"event_id": str(uuid.uuid4())})
        assert "is not a JSON object" in refused(student, [event(), "answer"])
        assert record(student, []) == {"recorded": 0, "duplicates": 0}
    assert stored(conn, people.student) == 0


def test_a_learner_is_rate_limited_per_minute_and_a_refused_batch_costs_nothing(conn, people):
    conn.execute("update private.event_ingest_limits set max_events_per_minute = 5")
    with testing.as_user(conn, people.student, commit=True) as student:
        assert record(student, [event() for _ in range(3)])["recorded"] == 3
    with testing.as_user(conn, people.student) as student:
        message = refused(student, [event() for _ in range(3)], psycopg.errors.ProgramLimitExceeded)
    assert "too many events: 6 this minute, at most 5 per learner" in message
    with testing.as_user(conn, people.student, commit=True) as student:
        assert record(student, [event() for _ in range(2)])["recorded"] == 2  # the refused three were not counted
    # Another learner has their own budget; the server (service role) is bounded per call only.
    with testing.as_user(conn, people.classmate) as classmate:
        assert record(classmate, [event() for _ in range(5)])["recorded"] == 5
    with testing.as_service_role(conn) as server:
        assert record(server, [event(user_id=str(people.student)) for _ in range(10)])["recorded"] == 10


def test_the_server_records_for_any_learner_inside_the_retention_window(conn, people):
    old = now_utc() - timedelta(days=30)
    conn.execute("select private.create_monthly_partitions('public.learning_events', %s::date, 2)", [old.date()])
    with testing.as_service_role(conn) as server:
        assert "user_id is required" in refused(server, [event()])
        assert record(server, [event(user_id=str(people.student), occurred_at=old.isoformat(), xp=20)]) == {
            "recorded": 1, "duplicates": 0}
        past = (now_utc() - timedelta(days=91)).isoformat()
        assert "older than the retention window" in refused(server, [event(user_id=str(people.student),
                                                                           occurred_at=past)])
        unknown = str(uuid.uuid4())
        assert "events[0]" in refused(server, [event(user_id=unknown)])  # no such learner: the foreign key


def test_a_month_without_a_partition_is_refused_by_name(conn, people):
    month = now_utc().replace(day=1, hour=0, minute=0, second=0)
    conn.execute(f"drop table public.learning_events_y{month:%Y}m{month:%m}")
    with testing.as_user(conn, people.student) as student:
        message = refused(student, [event(), event()])
    assert message.startswith("events[0]") and "no partition of public.learning_events holds" in message
    assert "maintain-partitions" in message


def test_who_may_call(conn, people):
    with testing.as_anon(conn) as anon:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            anon.execute(RECORD, [json.dumps([event()])])
    signature = "'public.record_learning_events(jsonb)'::regprocedure"
    row = conn.execute(f"select prosecdef, proconfig from pg_proc where oid = {signature}").fetchone()
    assert row == {"prosecdef": False, "proconfig": ["search_path=\"\""]}
    body = conn.execute("select prosecdef from pg_proc where oid = "
                        "'private.record_learning_events(jsonb)'::regprocedure").fetchone()
    assert body["prosecdef"] is True


def test_the_demo_section_records_refuses_and_purges(conn, tmp_path, capsys, monkeypatch):
    from cli import demo_ingestion
    from cli.settings import Settings

    monkeypatch.delenv("SUPABASE_URL", raising=False)
    demo_ingestion.show_ingestion(conn, Settings(project_dir=tmp_path, db_url=None, json=False))
    printed = capsys.readouterr().out
    assert "Refused, nothing stored: 22023: events[1]" in printed and "is in the future" in printed
    assert "learning_events_y" in printed
    purged = conn.execute("select status, rows_affected from private.worker_runs where job = 'purge-storage'"
                          ).fetchone()
    assert purged == {"status": "succeeded", "rows_affected": 1}
    assert conn.execute("select count(*) as n from private.storage_purge_queue").fetchone()["n"] == 0
