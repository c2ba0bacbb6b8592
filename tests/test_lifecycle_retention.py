"""Retention jobs: windows from private.lifecycle_settings, dry runs that change nothing, archives before
deletes, a killed run that loses nothing, and reruns that converge. Every run uses a fixed clock."""

import gzip
import json
import os
import signal
import subprocess
import sys
import textwrap
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests import personas as persona_data
from workers import runner

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=timezone.utc)


@pytest.fixture
def archive_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("LEARNKIT_LIFECYCLE_DIR", str(tmp_path))
    monkeypatch.delenv("SUPABASE_URL", raising=False)
    return tmp_path / "archive"


def add_session(conn, user_id, started_at, *, details=True, question=None):
    session_id = uuid.uuid4()
    conn.execute("""
        insert into public.learning_sessions (id, user_id, session_type, mode, status, started_at, interactions,
                                              client_info, raw_metrics, score, xp_earned)
        values (%(id)s, %(user)s, 'practice', 'word', 'completed', %(at)s, %(interactions)s, %(client)s,
                %(raw)s, 85.50, 12)
        """, {"id": session_id, "user": user_id, "at": started_at,
              "interactions": json.dumps([{"tap": 1}] if details else []),
              "client": json.dumps({"browser": "firefox"} if details else {}),
              "raw": json.dumps({"words": 3}) if details else None})
    conn.execute("update public.learning_sessions set ended_at = started_at + interval '10 minutes' "
                 "where id = %s", [session_id])
    if question:
        conn.execute("insert into public.answer_attempts (user_id, session_id, question_id, answer, response_time_ms,"
                     " raw_input) values (%s, %s, %s, '7', 900, 'seven')", [user_id, session_id, question])
    return session_id


def run_job(db_url, job, *, now=NOW, dry_run=False):
    return runner.run(db_url, job, now=now, dry_run=dry_run)


def archive_lines(directory: Path) -> list[dict]:
    return [json.loads(line) for path in sorted(directory.rglob("*.jsonl.gz"))
            for line in gzip.decompress(path.read_bytes()).decode().splitlines()]


@pytest.fixture
def people(conn):
    return persona_data.create_personas(conn)


# ---------------------------------------------------------------- settings
def test_windows_have_the_blueprint_defaults_and_are_validated(conn):
    settings = conn.execute(
        "select session_details_kept_for::text as details, sessions_archived_after::text as archive, "
        "archives_anonymised_after::text as anonymise, chats_expire_after::text as chats, "
        "learning_events_kept_for::text as events, nudge_after_inactive::text as nudge "
        "from private.lifecycle_settings").fetchone()
    assert settings == {"details": "6 mons", "archive": "1 year", "anonymise": "1 year 6 mons",
                        "chats": "90 days", "events": "90 days", "nudge": "14 days"}
    import psycopg
    with pytest.raises(psycopg.errors.CheckViolation):
        conn.execute("update private.lifecycle_settings set sessions_archived_after = '2 years'")
    with pytest.raises(psycopg.errors.UniqueViolation):
        conn.execute("insert into private.lifecycle_settings default values")


# ---------------------------------------------------------------- session details and chats
def test_strip_session_details_keeps_the_summary_and_is_idempotent(conn, db_url, people):
    old = add_session(conn, people.student, NOW - timedelta(days=200))
    recent = add_session(conn, people.student, NOW - timedelta(days=30))
    dry = run_job(db_url, "strip-session-details", dry_run=True)
    assert dry.rows == 1 and any("would strip the details of 1 session" in note for note in dry.notes)
    assert conn.execute("select interactions from public.learning_sessions where id = %s", [old]
                        ).fetchone()["interactions"] == [{"tap": 1}]
    assert run_job(db_url, "strip-session-details").rows == 1
    rows = {row["id"]: row for row in conn.execute(
        "select id, interactions, client_info, raw_metrics, score, xp_earned, duration_seconds "
        "from public.learning_sessions")}
    assert (rows[old]["interactions"], rows[old]["client_info"], rows[old]["raw_metrics"]) == ([], {}, None)
    assert (rows[old]["score"], rows[old]["xp_earned"], rows[old]["duration_seconds"]) == (85.5, 12, 600)
    assert rows[recent]["interactions"] == [{"tap": 1}]
    assert run_job(db_url, "strip-session-details").rows == 0


def test_expire_chat_sessions_deletes_only_inactive_chats(conn, db_url, people):
    chats = {}
    for name, age in (("stale", 120), ("fresh", 10)):
        chats[name] = conn.execute(
            "insert into public.chat_sessions (user_id, title, created_at, updated_at) "
            "values (%s, %s, %s, %s) returning id", [people.student, name, NOW - timedelta(days=age),
                                                      NOW - timedelta(days=age)]).fetchone()["id"]
    assert run_job(db_url, "expire-chat-sessions", dry_run=True).rows == 1
    assert run_job(db_url, "expire-chat-sessions").rows == 1
    left = {row["id"] for row in conn.execute("select id from public.chat_sessions")}
    assert chats["fresh"] in left and chats["stale"] not in left
    assert run_job(db_url, "expire-chat-sessions").rows == 0


# ---------------------------------------------------------------- archive and anonymise sessions
def test_archive_sessions_writes_then_deletes_and_respects_the_opt_in(conn, db_url, people, archive_dir):
    question = people.content["question"]
    old = add_session(conn, people.student, NOW - timedelta(days=400), question=question)
    kept = add_session(conn, people.classmate, NOW - timedelta(days=400))
    young = add_session(conn, people.student, NOW - timedelta(days=100))
    conn.execute("update public.user_settings set keep_practice_history = true where user_id = %s",
                 [people.classmate])

    dry = run_job(db_url, "archive-sessions", dry_run=True)
    assert dry.rows == 1 and not archive_dir.exists()
    assert any("would archive 1 session" in note for note in dry.notes)

    assert run_job(db_url, "archive-sessions").rows == 1
    left = {row["id"] for row in conn.execute("select id from public.learning_sessions")}
    assert left == {kept, young}
    [line] = archive_lines(archive_dir)
    assert line["id"] == str(old) and line["user_id"] == str(people.student) and line["score"] == 85.50
    assert [attempt["raw_input"] for attempt in line["answer_attempts"]] == ["seven"]
    manifest = conn.execute("select * from private.archived_objects").fetchone()
    assert (manifest["dataset"], manifest["row_count"], manifest["anonymised_at"]) == ("learning_sessions", 1, None)
    assert (archive_dir / manifest["object_key"]).exists()
    assert run_job(db_url, "archive-sessions").rows == 0  # idempotent

    # Six months later the archive is past 18 months: it is rewritten without identities.
    later = NOW + timedelta(days=200)
    assert run_job(db_url, "anonymise-session-archives", now=later, dry_run=True).rows == 1
    assert run_job(db_url, "anonymise-session-archives", now=later).rows == 1
    rewritten = conn.execute("select * from private.archived_objects").fetchone()
    assert rewritten["anonymised_at"] == later and rewritten["superseded_key"] == manifest["object_key"]
    # The identified file goes on the next run, once the anonymised one is committed.
    assert run_job(db_url, "anonymise-session-archives", now=later).rows == 0
    assert not (archive_dir / manifest["object_key"]).exists()
    [line] = archive_lines(archive_dir)
    assert line["id"] == str(old) and line["user_id"] is None and line["anonymised"] is True
    assert [(a["user_id"], a["raw_input"]) for a in line["answer_attempts"]] == [(None, None)]
    assert line["client_info"] == {} and line["score"] == 85.50


def test_a_run_killed_between_archive_and_delete_loses_nothing_and_a_rerun_converges(conn, db_url, people,
                                                                                      archive_dir):
    sessions = {add_session(conn, people.student, NOW - timedelta(days=400 + day)) for day in range(3)}
    # A separate process runs the real job and SIGKILLs itself right after the archive is written and
    # confirmed, before the delete commits.
    script = textwrap.dedent(f"""
        import os, signal
        from datetime import datetime
        from workers import lifecycle_store, runner
        confirmed = lifecycle_store.put_confirmed
        def put_then_die(*args, **kwargs):
            stored = confirmed(*args, **kwargs)
            os.kill(os.getpid(), signal.SIGKILL)
        lifecycle_store.put_confirmed = put_then_die
        runner.run({db_url!r}, "archive-sessions", now=datetime.fromisoformat({NOW.isoformat()!r}))
    """)
    result = subprocess.run([sys.executable, "-c", script], cwd=Path(__file__).resolve().parent.parent,
                            env={**os.environ}, capture_output=True, timeout=60)
    assert result.returncode == -signal.SIGKILL, result.stderr.decode()
    assert {row["id"] for row in conn.execute("select id from public.learning_sessions")} == sessions
    assert conn.execute("select count(*) from private.archived_objects").fetchone()["count"] == 0
    assert len(list(archive_dir.rglob("*.jsonl.gz"))) == 1  # written, but not listed: a duplicate of live rows
    assert not list(archive_dir.rglob("*.tmp"))

    assert run_job(db_url, "archive-sessions").rows == 3
    assert conn.execute("select count(*) from public.learning_sessions").fetchone()["count"] == 0
    assert {line["id"] for line in archive_lines(archive_dir)} == {str(s) for s in sessions}
    assert len(archive_lines(archive_dir)) == 3  # the rerun rewrote the same file: no duplicate rows
    runs = [row["status"] for row in conn.execute(
        "select status from private.worker_runs where job = 'archive-sessions' order by id")]
    assert runs == ["abandoned", "succeeded"]


def test_a_failed_archive_write_deletes_nothing(conn, db_url, people, archive_dir, monkeypatch):
    session = add_session(conn, people.student, NOW - timedelta(days=400))
    from workers import lifecycle_store

    def unreadable(self, key):
        return b"not what was written"
    monkeypatch.setattr(lifecycle_store.LocalStore, "get", unreadable)
    with pytest.raises(runner.JobFailed, match="does not read back as written"):
        run_job(db_url, "archive-sessions")
    assert conn.execute("select id from public.learning_sessions").fetchone()["id"] == session
    assert conn.execute("select status from private.worker_runs where job = 'archive-sessions'"
                        ).fetchone()["status"] == "failed"


# ---------------------------------------------------------------- learning events
def add_events(conn, user_id, times):
    for at in times:
        conn.execute("insert into public.learning_events (user_id, event_type, mode, active_seconds, xp, occurred_at)"
                     " values (%s, 'session_completed', 'practice', 60, 5, %s)", [user_id, at])


def test_retire_learning_events_aggregates_archives_deletes_and_drops_old_partitions(conn, db_url, people,
                                                                                       archive_dir):
    conn.execute("select private.create_monthly_partitions('public.learning_events', '2026-06-01', 6)")
    old_month = [datetime(2026, 6, day, 12, tzinfo=timezone.utc) for day in (3, 4)]
    straddling = [datetime(2026, 8, 20, 12, tzinfo=timezone.utc), datetime(2026, 8, 28, 12, tzinfo=timezone.utc)]
    recent = [datetime(2026, 11, 1, 12, tzinfo=timezone.utc)]
    add_events(conn, people.student, old_month + straddling + recent)
    # cutoff = NOW - 90 days = 2026-08-25 03:00: June (and July) partitions are wholly past it.

    dry = run_job(db_url, "retire-learning-events", dry_run=True)
    assert conn.execute("select count(*) from public.learning_events").fetchone()["count"] == 5
    assert any("learning_events_y2026m06" in note for note in dry.notes) and not archive_dir.exists()

    outcome = run_job(db_url, "retire-learning-events")
    remaining = [row["occurred_at"] for row in conn.execute(
        "select occurred_at from public.learning_events order by occurred_at")]
    assert remaining == straddling[1:] + recent
    partitions = {row["relname"] for row in conn.execute(
        "select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid "
        "where i.inhparent = 'public.learning_events'::regclass")}
    assert "learning_events_y2026m06" not in partitions and "learning_events_y2026m07" not in partitions
    assert "learning_events_y2026m08" in partitions
    assert outcome.rows == 3 + 2  # three events archived, two partitions dropped
    archived = sorted(line["occurred_at"] for line in archive_lines(archive_dir))
    assert len(archived) == 3
    # Aggregated before being deleted: the daily rollups still count all five events.
    assert conn.execute("select sum(events) as events from analytics.user_daily where user_id = %s",
                        [people.student]).fetchone()["events"] == 5
    assert run_job(db_url, "retire-learning-events").rows == 0  # converged


def test_events_not_yet_aggregated_are_never_deleted(conn, db_url, people, archive_dir, second_conn):
    conn.execute("select private.create_monthly_partitions('public.learning_events', '2026-08-01', 1)")
    old_event = datetime(2026, 8, 1, 12, tzinfo=timezone.utc)
    # A transaction still open during the run: the refresh cannot fold its event in, so retention keeps it.
    with second_conn.transaction():
        add_events(second_conn, people.student, [old_event])
        assert run_job(db_url, "retire-learning-events").rows == 0
    assert conn.execute("select count(*) from public.learning_events").fetchone()["count"] == 1
    # The next run aggregates it first, then retires it.
    assert run_job(db_url, "retire-learning-events").rows == 1
    assert conn.execute("select count(*) from public.learning_events").fetchone()["count"] == 0
    assert conn.execute("select sum(events) as events from analytics.user_daily where user_id = %s",
                        [people.student]).fetchone()["events"] == 1


ROLLUPS = {
    "user_daily": "select user_id, day, events, active_seconds, xp_gained from analytics.user_daily",
    "user_mode_daily": "select user_id, day, mode, events, active_seconds from analytics.user_mode_daily",
}


def rollups(conn) -> dict[str, list[dict]]:
    return {name: conn.execute(query + " order by 1, 2, 3").fetchall() for name, query in ROLLUPS.items()}


def test_rebuild_rollups_after_retention_keeps_the_aggregates_of_retired_events(conn, db_url, people, archive_dir):
    conn.execute("select private.create_monthly_partitions('public.learning_events', '2026-06-01', 7)")
    retired = [datetime(2026, 6, 3, 12, tzinfo=timezone.utc), datetime(2026, 8, 20, 12, tzinfo=timezone.utc)]
    kept = [datetime(2026, 8, 28, 12, tzinfo=timezone.utc), datetime(2026, 11, 1, 12, tzinfo=timezone.utc)]
    add_events(conn, people.student, retired + kept)
    assert run_job(db_url, "retire-learning-events").rows == 2 + 2  # two events, the June and July partitions
    assert conn.execute("select count(*) from public.learning_events").fetchone()["count"] == 2
    before = rollups(conn)
    assert sum(row["events"] for row in before["user_daily"]) == 4

    # A rebuild over what is left changes nothing: the retired events' days keep their rollups.
    run_job(db_url, "rebuild-rollups")
    assert rollups(conn) == before

    # Inside the window a rebuild still repairs: a damaged day is recomputed from its events...
    conn.execute("update analytics.user_daily set events = 99 where day = '2026-11-01'")
    # ...and events ingested since the last refresh count once, on a retired day as on a rebuilt one.
    add_events(conn, people.student, [datetime(2026, 8, 20, 13, tzinfo=timezone.utc),
                                      datetime(2026, 11, 1, 13, tzinfo=timezone.utc)])
    run_job(db_url, "rebuild-rollups")
    after = {(row["day"].isoformat(), row["events"]) for row in rollups(conn)["user_daily"]}
    assert ("2026-06-03", 1) in after and ("2026-08-20", 2) in after
    assert ("2026-08-28", 1) in after and ("2026-11-01", 2) in after
    assert sum(events for _, events in after) == 6
    # A plain incremental refresh afterwards adds nothing twice.
    run_job(db_url, "refresh-rollups")
    assert {(row["day"].isoformat(), row["events"]) for row in rollups(conn)["user_daily"]} == after


def test_rebuild_rollups_without_retention_still_rebuilds_every_day(conn, db_url, people):
    conn.execute("select private.create_monthly_partitions('public.learning_events', '2026-06-01', 7)")
    add_events(conn, people.student, [datetime(2026, 6, 3, 12, tzinfo=timezone.utc)])
    run_job(db_url, "refresh-rollups")
    conn.execute("update analytics.user_daily set events = 99")
    run_job(db_url, "rebuild-rollups")
    assert [row["events"] for row in rollups(conn)["user_daily"]] == [1]


@pytest.fixture
def second_conn(db_url):
    from cli import connection
    with connection.connect(db_url) as second:
        yield second


def test_cli_dry_run_says_what_would_change_and_schedule_lists_the_jobs(conn, db_url, people, archive_dir):
    from tests.cli_helpers import invoke

    add_session(conn, people.student, NOW - timedelta(days=400))
    result = invoke("--db-url", db_url, "worker", "run", "archive-sessions", "--dry-run", "--now", NOW.isoformat())
    assert result.exit_code == 0, result.output
    assert "would archive 1 session(s)" in result.stdout and not archive_dir.exists()
    assert conn.execute("select count(*) from public.learning_sessions").fetchone()["count"] == 1
    crontab = invoke("worker", "schedule", "--crontab").stdout
    for line in ("20 3 * * *", "archive-sessions", "0 16 * * 1", "send-reengagement-nudges", "0 6 * * 1",
                 "build-progress-reports", "15 1 * * *", "snapshot-gamification", "retire-learning-events",
                 "anonymise-session-archives", "expire-chat-sessions", "strip-session-details"):
        assert line in crontab
