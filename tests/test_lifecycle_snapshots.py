"""Re-engagement nudges (once per lapse, preferences respected) and the nightly gamification snapshot, whose
round trip through `learnkit worker restore-snapshot` is exact."""

import gzip
import json
from datetime import datetime, timedelta, timezone

import pytest

from cli import connection, testing
from tests.cli_helpers import assert_one_line_error, invoke
from workers import runner, snapshots

NOW = datetime(2026, 11, 23, 16, 0, tzinfo=timezone.utc)


def make_learner(conn, nickname, last_active_days_ago, notifications=None):
    user = testing.create_user(conn, metadata={"nickname": nickname})
    conn.execute("update public.profiles set last_active_at = %s where id = %s",
                 [NOW - timedelta(days=last_active_days_ago), user])
    if notifications is not None:
        conn.execute("update public.user_settings set notifications = %s where user_id = %s",
                     [json.dumps(notifications), user])
    return user


def nudges(conn, user):
    return conn.execute("select title, message, created_at from public.notifications "
                        "where user_id = %s and type = 'reengagement_nudge'", [user]).fetchall()


def test_reengagement_nudges_once_per_lapse_respecting_preferences(conn, db_url):
    lapsed = make_learner(conn, "lapsed", 20)
    active = make_learner(conn, "active", 3)
    muted = make_learner(conn, "muted", 30, {"reengagement": False})
    no_in_app = make_learner(conn, "quiet", 30, {"in_app": False})
    guardian = make_learner(conn, "parent", 40)
    conn.execute("insert into public.guardianships (guardian_id, student_id) values (%s, %s)", [guardian, lapsed])

    assert runner.run(db_url, "send-reengagement-nudges", now=NOW, dry_run=True).rows == 1
    assert nudges(conn, lapsed) == []
    assert runner.run(db_url, "send-reengagement-nudges", now=NOW).rows == 1
    [nudge] = nudges(conn, lapsed)
    assert "20 days" in nudge["message"] and nudge["created_at"] == NOW
    for user in (active, muted, no_in_app, guardian):
        assert nudges(conn, user) == []

    # A week later: the same lapse, no second nudge.
    assert runner.run(db_url, "send-reengagement-nudges", now=NOW + timedelta(days=7)).rows == 0
    # The learner comes back, then lapses again: a new lapse, a new nudge.
    conn.execute("update public.profiles set last_active_at = %s where id = %s", [NOW + timedelta(days=8), lapsed])
    runner.run(db_url, "send-reengagement-nudges", now=NOW + timedelta(days=21))
    assert len(nudges(conn, lapsed)) == 1  # 13 days since they came back: not lapsed yet
    runner.run(db_url, "send-reengagement-nudges", now=NOW + timedelta(days=28))
    assert len(nudges(conn, lapsed)) == 2


def test_reengagement_nudges_run_from_pg_cron_under_the_same_lock(conn):
    make_learner(conn, "lapsed", 20)
    assert conn.execute("select private.run_lifecycle_job('send-reengagement-nudges') as sent").fetchone()["sent"] == 1
    run = conn.execute("select job, status, runner, rows_affected from private.worker_runs").fetchone()
    assert run == {"job": "send-reengagement-nudges", "status": "succeeded", "runner": "pg_cron", "rows_affected": 1}


# ---------------------------------------------------------------- snapshot and restore
GAMIFICATION_TABLES = {
    "public.xp_profiles": "user_id", "public.xp_transactions": "id", "public.xp_activity_days": "user_id, local_day",
    "public.streak_freezes": "id", "public.user_achievements": "user_id, achievement_id",
}


def table_contents(conn) -> dict[str, list]:
    return {table: [row["row"] for row in conn.execute(
        f"select to_jsonb(t)::text as row from {table} t order by {order}")]  # noqa: S608 - fixed names
            for table, order in GAMIFICATION_TABLES.items()}


def earn(conn, user, amount, key, at):
    conn.execute("select private.increment_xp(%s, %s, 'practice', 'learning', %s, at => %s)",
                 [user, amount, key, at])


@pytest.fixture
def learners_with_xp(conn):
    users = [testing.create_user(conn, metadata={"nickname": f"player{index}", "time_zone": "Asia/Kolkata"})
             for index in range(2)]
    for day in range(3):
        earn(conn, users[0], 40 + day, f"day-{day}", NOW - timedelta(days=3 - day))
    earn(conn, users[1], 15, "only", NOW - timedelta(days=1))
    conn.execute("select private.purchase_streak_freeze(%s, 'freeze-1', %s)", [users[0], NOW])
    return users


def test_snapshot_round_trip_is_exact(conn, db_url, learners_with_xp, test_databases, migrated_template,
                                      tmp_path, monkeypatch):
    monkeypatch.setenv("LEARNKIT_LIFECYCLE_DIR", str(tmp_path))
    monkeypatch.delenv("SUPABASE_URL", raising=False)
    assert runner.run(db_url, "snapshot-gamification", now=NOW, dry_run=True).rows > 0
    assert not (tmp_path / "archive").exists()
    outcome = runner.run(db_url, "snapshot-gamification", now=NOW)
    path = tmp_path / "archive" / "snapshots" / "gamification" / "2026-11-23.jsonl.gz"
    header = json.loads(gzip.decompress(path.read_bytes()).decode().splitlines()[0])
    assert header["format"] == snapshots.FORMAT and sum(header["tables"].values()) == outcome.rows
    assert header["tables"]["public.xp_transactions"] >= 4

    source = table_contents(conn)
    target_url = test_databases.clone(migrated_template, prefix="restore")
    try:
        with connection.connect(target_url) as target:
            refused = invoke("--db-url", target_url, "worker", "restore-snapshot", str(path))
            assert_one_line_error(refused, 1, "have no account in this database")
            for user in learners_with_xp:  # the accounts come back first (auth restore), then their XP
                testing.create_user(target, user_id=user, metadata={"nickname": "restored", "time_zone": "UTC"})
            result = invoke("--db-url", target_url, "worker", "restore-snapshot", str(path))
            assert result.exit_code == 0, result.output
            assert table_contents(target) == source
            # Identity sequences continue after the restored ids: the ledger keeps working.
            earn(target, learners_with_xp[1], 5, "after-restore", NOW)
            assert target.execute("select lifetime_xp from public.xp_profiles where user_id = %s",
                                  [learners_with_xp[1]]).fetchone()["lifetime_xp"] == 20

            again = invoke("--db-url", target_url, "worker", "restore-snapshot", str(path))
            assert_one_line_error(again, 1, "already holds gamification data")
    finally:
        test_databases.drop(connection.conninfo.conninfo_to_dict(target_url)["dbname"])


def test_restore_refuses_files_that_are_not_snapshots(db_url, tmp_path):
    not_a_snapshot = tmp_path / "notes.jsonl"
    not_a_snapshot.write_text('{"hello": 1}\n')
    assert_one_line_error(invoke("--db-url", db_url, "worker", "restore-snapshot", str(not_a_snapshot)), 2,
                          "not a learnkit gamification snapshot")
    assert_one_line_error(invoke("--db-url", db_url, "worker", "restore-snapshot", str(tmp_path / "missing.gz")),
                          2, "cannot read")


def test_restore_rebuilds_each_organizations_board_from_the_ledger(conn, db_url, test_databases, migrated_template,
                                                                   tmp_path, monkeypatch):
    """Boards count the XP earned in their organization (organization_xp), which inserting ledger rows does not
    maintain: the restore rebuilds it, so each board shows what was earned there, not the learner's total."""
    monkeypatch.setenv("LEARNKIT_LIFECYCLE_DIR", str(tmp_path))
    monkeypatch.delenv("SUPABASE_URL", raising=False)
    learner = testing.create_user(conn, metadata={"nickname": "two-schools", "time_zone": "UTC"})
    organizations = [conn.execute("insert into public.organizations (name, slug, kind) values (%s, %s, 'school') "
                                  "returning id", [f"School {index}", f"school-{index}"]).fetchone()["id"]
                     for index in range(2)]

    def join(db):
        for organization in organizations:
            db.execute("insert into public.organization_members (organization_id, user_id, role) "
                       "values (%s, %s, 'student')", [organization, learner])

    join(conn)
    for organization, amount in zip(organizations, (30, 12)):
        conn.execute("select private.increment_xp(%s, %s, 'practice', 'learning', %s, %s, at => %s)",
                     [learner, amount, f"earned-{amount}", organization, NOW - timedelta(days=1)])
    runner.run(db_url, "snapshot-gamification", now=NOW)
    path = tmp_path / "archive" / "snapshots" / "gamification" / "2026-11-23.jsonl.gz"
    board = ("select organization_id, lifetime_xp from private.leaderboard_entries where user_id = %s "
             "order by lifetime_xp")
    before = conn.execute(board, [learner]).fetchall()
    assert [row["lifetime_xp"] for row in before] == [12, 30]

    target_url = test_databases.clone(migrated_template, prefix="restore")
    try:
        with connection.connect(target_url) as target:
            testing.create_user(target, user_id=learner, metadata={"nickname": "two-schools", "time_zone": "UTC"})
            for index, organization in enumerate(organizations):
                target.execute("insert into public.organizations (id, name, slug, kind) "
                               "values (%s, %s, %s, 'school')", [organization, f"School {index}", f"school-{index}"])
            join(target)
            result = invoke("--db-url", target_url, "worker", "restore-snapshot", str(path))
            assert result.exit_code == 0, result.output
            assert target.execute(board, [learner]).fetchall() == before
    finally:
        test_databases.drop(connection.conninfo.conninfo_to_dict(target_url)["dbname"])
