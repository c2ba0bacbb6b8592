"""The workers runner: one instance per job, recorded runs, and reruns that converge after a kill."""

import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from cli import connection, testing
from cli.errors import Failure
from tests.test_analytics_rollups import INSERT_LEARNING_EVENT, START, make_learners, rollups
from workers import runner

REPO_ROOT = Path(__file__).resolve().parent.parent
CLOCK = datetime(2026, 11, 22, 2, 0, tzinfo=timezone.utc)


def answer(user_id, xp=5):
    return {"user_id": user_id, "event_type": "answer", "mode": "quiz", "is_correct": True, "response_ms": 800,
            "active_seconds": 20, "score": None, "mastery_score": None, "xp": xp, "occurred_at": START}


def runs(conn, job):
    return conn.execute("select status, rows_affected, error from private.worker_runs where job = %s order by id",
                        [job]).fetchall()


def wait_for(predicate, what, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_run_is_recorded_with_its_rows(conn, db_url):
    learners = make_learners(conn, 2)
    conn.execute(INSERT_LEARNING_EVENT, answer(learners[0]))
    outcome = runner.run(db_url, "refresh-rollups", now=CLOCK)
    assert (outcome.status, outcome.rows, outcome.clock) == ("succeeded", 2, CLOCK)
    assert runs(conn, "refresh-rollups") == [{"status": "succeeded", "rows_affected": 2, "error": None}]
    row = conn.execute("select clock, finished_at >= started_at as ordered from private.worker_runs").fetchone()
    assert row == {"clock": CLOCK, "ordered": True}


def test_a_failing_job_is_rolled_back_and_recorded(conn, db_url):
    conn.execute("delete from analytics.rollup_watermarks")
    with pytest.raises(Failure, match=r"refresh-rollups failed and was rolled back: .*watermark row is missing"):
        runner.run(db_url, "refresh-rollups", now=CLOCK)
    [run] = runs(conn, "refresh-rollups")
    assert run["status"] == "failed" and "SQLSTATE P0002" in run["error"]


def test_a_dry_run_reports_and_changes_nothing(conn, db_url):
    learners = make_learners(conn, 1)
    conn.execute(INSERT_LEARNING_EVENT, answer(learners[0]))
    outcome = runner.run(db_url, "refresh-rollups", dry_run=True)
    assert (outcome.status, outcome.rows) == ("dry-run", 2)
    assert rollups(conn)["analytics.user_daily"] == []
    assert runs(conn, "refresh-rollups") == []


def test_maintain_partitions_creates_months_around_now_once(conn, db_url):
    later = datetime(2027, 6, 15, tzinfo=timezone.utc)
    assert runner.run(db_url, "maintain-partitions", now=later).rows == 10  # May..Sep 2027, two tables
    assert runner.run(db_url, "maintain-partitions", now=later).rows == 0
    partition = conn.execute("""
        select c.relrowsecurity as rls,
               (select array_agg(polname) from pg_policy where polrelid = c.oid) as policies,
               has_table_privilege('authenticated', c.oid, 'select') as can_select,
               has_table_privilege('authenticated', c.oid, 'insert') as can_insert
        from pg_class c where c.oid = 'public.learning_events_y2027m09'::regclass""").fetchone()
    assert partition == {"rls": True, "policies": ["Learners, guardians and staff can read learning events"],
                         "can_select": True, "can_insert": False}


def test_a_partition_read_directly_shows_only_what_the_parent_shows(conn):
    learners = make_learners(conn, 2)
    for user in learners:
        conn.execute(INSERT_LEARNING_EVENT, answer(user))
    with testing.as_user(conn, learners[0]) as acting:
        rows = acting.execute("select user_id from public.learning_events_y2026m06").fetchall()
        assert [row["user_id"] for row in rows] == [learners[0]]


def test_pg_cron_entry_runs_a_job_under_the_same_lock_and_records_it(conn, db_url):
    learners = make_learners(conn, 1)
    conn.execute(INSERT_LEARNING_EVENT, answer(learners[0]))
    assert conn.execute("select private.run_worker_job('refresh-rollups') as n").fetchone()["n"] == 2
    with connection.connect(db_url) as holder:
        holder.execute("select pg_advisory_lock(hashtext('learnkit.workers'), hashtext('refresh-rollups'))")
        assert conn.execute("select private.run_worker_job('refresh-rollups') as n").fetchone()["n"] == 0
    conn.execute("select private.run_worker_job('no-such-job')")
    statuses = conn.execute("select job, status, runner, error from private.worker_runs order by id").fetchall()
    assert [(r["job"], r["status"], r["runner"]) for r in statuses] == [
        ("refresh-rollups", "succeeded", "pg_cron"), ("refresh-rollups", "skipped", "pg_cron"),
        ("no-such-job", "failed", "pg_cron")]
    assert "unknown worker job" in statuses[2]["error"]


def test_a_killed_run_leaves_nothing_half_applied_and_a_second_run_is_refused(conn, db_url):
    """SIGKILL a runner mid-transaction: nothing it did stays, a concurrent run is refused, the rerun converges."""
    learners = make_learners(conn, 2)
    conn.execute(INSERT_LEARNING_EVENT, answer(learners[0]))
    runner.run(db_url, "refresh-rollups", now=CLOCK)
    before = rollups(conn)
    for user in learners:  # new activity for both: the refresh will update user_mode_daily, then user_daily
        conn.execute(INSERT_LEARNING_EVENT, answer(user, xp=7))

    blocker = connection.connect(db_url, autocommit=False)
    # Holding a user_daily row makes the job stop half-way: after its user_mode_daily upsert, before user_daily's.
    blocker.execute("select 1 from analytics.user_daily where user_id = %s for update", [learners[0]])
    worker = subprocess.Popen(
        [str(Path(sys.executable).with_name("learnkit")), "--db-url", db_url, "worker", "run", "refresh-rollups",
         "--now", CLOCK.isoformat()],
        cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "NO_COLOR": "1"})
    try:
        def job_backend():
            row = conn.execute("""select pid from pg_stat_activity
                                  where wait_event_type = 'Lock' and query like '%%refresh_rollups%%'""").fetchone()
            return row and row["pid"]
        wait_for(job_backend, "the job to block half-way")
        pid = job_backend()
        assert runs(conn, "refresh-rollups")[-1]["status"] == "running"

        second = runner.run(db_url, "refresh-rollups", now=CLOCK)
        assert second.status == "skipped" and f"held by backend {pid}" in second.message

        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
        blocker.rollback()
        blocker.close()
    wait_for(lambda: conn.execute("select count(*) as n from pg_stat_activity where pid = %s", [pid]).fetchone()["n"]
             == 0, "the killed runner's backend to end")
    assert rollups(conn) == before, "the killed run left part of its work behind"

    rerun = runner.run(db_url, "refresh-rollups", now=CLOCK)
    assert rerun.status == "succeeded"
    assert [r["status"] for r in runs(conn, "refresh-rollups")] == ["succeeded", "abandoned", "skipped", "succeeded"]
    converged = rollups(conn)
    runner.run(db_url, "rebuild-rollups", now=CLOCK)
    assert rollups(conn) == converged
    totals = conn.execute("select sum(events) as events, sum(xp_gained) as xp from analytics.user_daily").fetchone()
    assert totals == {"events": 3, "xp": 5 + 7 + 7}
