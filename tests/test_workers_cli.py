"""`learnkit worker`: list, run and schedule, through the CLI (exit codes and output)."""

import json

from tests.cli_helpers import assert_one_line_error, invoke
from tests.test_analytics_rollups import INSERT_LEARNING_EVENT, START, make_learners
from workers.registry import JOBS

CRON_STUB = """
create schema cron;
create table cron.job (jobid bigserial primary key, jobname text unique, schedule text, command text);
-- pg_cron's API: scheduling an existing job name updates it.
create function cron.schedule(job_name text, schedule text, command text) returns bigint
language sql as $$
  insert into cron.job (jobname, schedule, command) values (job_name, schedule, command)
  on conflict (jobname) do update set schedule = excluded.schedule, command = excluded.command
  returning jobid
$$;
"""


def json_lines(text):
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_worker_list_names_every_job_with_its_schedule():
    result = invoke("--json", "worker", "list")
    assert result.exit_code == 0, result.output
    jobs = {row["job"]: row for row in json_lines(result.stdout)}
    assert {"maintain-partitions", "refresh-rollups", "rebuild-rollups"} <= set(jobs)
    assert jobs["refresh-rollups"]["schedule"] == "*/15 * * * *" and jobs["refresh-rollups"]["next_run"]
    assert jobs["rebuild-rollups"]["schedule"] is None


def test_worker_list_with_a_database_shows_the_last_run(db_url):
    assert invoke("--db-url", db_url, "worker", "run", "maintain-partitions").exit_code == 0
    result = invoke("--json", "--db-url", db_url, "worker", "list")
    jobs = {row["job"]: row for row in json_lines(result.stdout)}
    assert jobs["maintain-partitions"]["last_status"] == "succeeded"
    assert jobs["refresh-rollups"]["last_status"] is None


def test_worker_run_prints_progress_and_a_result_as_json_lines(conn, db_url):
    learners = make_learners(conn, 1)
    conn.execute(INSERT_LEARNING_EVENT, {"user_id": learners[0], "event_type": "answer", "mode": "quiz",
                                         "is_correct": True, "response_ms": 1, "active_seconds": 1, "score": None,
                                         "mastery_score": None, "xp": 1, "occurred_at": START})
    result = invoke("--db-url", db_url, "worker", "run", "refresh-rollups", "--now", "2026-11-22T02:00:00Z")
    assert result.exit_code == 0, result.output
    progress, finished = json_lines(result.stdout)
    assert progress == {"event": "progress", "job": "refresh-rollups", "step": "rollups", "completed": 1, "total": 1}
    assert finished["status"] == "succeeded" and finished["rows"] == 2
    assert finished["clock"] == "2026-11-22T02:00:00+00:00"


def test_worker_run_dry_run_rolls_back(conn, db_url):
    result = invoke("--json", "--db-url", db_url, "worker", "run", "maintain-partitions", "--dry-run",
                    "--now", "2030-01-10")
    assert result.exit_code == 0, result.output
    assert json_lines(result.stdout)[-1]["status"] == "dry-run"
    assert json_lines(result.stdout)[-1]["rows"] == 10
    assert conn.execute("select to_regclass('public.learning_events_y2030m01') as t").fetchone()["t"] is None


def test_worker_run_skips_cleanly_when_another_instance_holds_the_lock(conn, db_url):
    conn.execute("select pg_advisory_lock(hashtext('learnkit.workers'), hashtext('refresh-rollups'))")
    result = invoke("--json", "--db-url", db_url, "worker", "run", "refresh-rollups")
    assert result.exit_code == 0
    assert "already running" in result.stderr
    assert json_lines(result.stdout)[-1]["status"] == "skipped"


def test_worker_run_failure_exits_1_with_one_line(conn, db_url):
    conn.execute("delete from analytics.rollup_watermarks")
    assert_one_line_error(invoke("--db-url", db_url, "worker", "run", "refresh-rollups"), 1,
                          "refresh-rollups failed and was rolled back", "P0002")


def test_worker_run_usage_errors_exit_2(db_url):
    assert_one_line_error(invoke("--db-url", db_url, "worker", "run", "nope"), 2, "unknown job 'nope'")
    assert_one_line_error(invoke("--db-url", db_url, "worker", "run", "refresh-rollups", "--now", "tuesday"), 2,
                          "invalid --now")
    assert_one_line_error(invoke("--db-url", "postgresql://nobody@127.0.0.1:1/x", "worker", "run",
                                 "refresh-rollups"), 2, "cannot connect")


def test_worker_schedule_crontab_prints_a_line_per_scheduled_job():
    result = invoke("worker", "schedule", "--crontab")
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line and not line.startswith("#")]
    assert lines[0] == "CRON_TZ=UTC"
    assert any(line.startswith("*/15 * * * * ") and line.endswith(
        "--json worker run refresh-rollups >> /var/log/learnkit-refresh-rollups.log 2>&1") for line in lines)
    assert not any("rebuild-rollups" in line for line in lines)


def test_worker_schedule_needs_exactly_one_target():
    assert_one_line_error(invoke("worker", "schedule"), 2, "--pg-cron or --crontab")
    assert_one_line_error(invoke("worker", "schedule", "--pg-cron", "--crontab"), 2, "--pg-cron or --crontab")


def test_worker_schedule_pg_cron_without_pg_cron_is_a_clear_error(db_url):
    assert_one_line_error(invoke("--db-url", db_url, "worker", "schedule", "--pg-cron"), 2,
                          "pg_cron is not enabled in this database")


def test_worker_schedule_pg_cron_is_idempotent(conn, db_url):
    conn.execute(CRON_STUB)  # pg_cron's schedule() API; the extension itself is not installed on the test server
    for _ in range(2):
        result = invoke("--json", "--db-url", db_url, "worker", "schedule", "--pg-cron")
        assert result.exit_code == 0, result.output
    jobs = {job["jobname"]: job for job in conn.execute("select jobname, schedule, command from cron.job")}
    expected = {"learnkit-" + job.name: job for job in JOBS.values() if job.schedule and job.sql_entry}
    assert set(jobs) == set(expected)  # scheduled twice, entered once
    assert {(jobs[name]["schedule"], jobs[name]["command"]) for name in expected} == {
        (job.pg_cron_schedule or job.schedule, job.sql_entry) for job in expected.values()}
    # process-awards runs every few seconds under pg_cron (its seconds syntax), each minute under cron.
    assert jobs["learnkit-process-awards"]["schedule"] == "5 seconds"
    assert jobs["learnkit-refresh-rollups"]["command"] == "select private.run_worker_job('refresh-rollups')"
    assert jobs["learnkit-close-league-weeks"]["schedule"] == "5 14 * * 1"
