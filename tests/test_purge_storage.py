"""Issue 17, item 4: the purge-storage job deletes the Storage objects account deletion queued.

Locally (no Storage API: learnkit's emulation) it deletes storage.objects rows; against hosted Supabase it sends
an HTTP DELETE to the Storage API with the service key. That path runs here against a tiny HTTP server on
127.0.0.1 that the test starts and that records every request: no other network.
"""

import json
import os
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from cli import testing
from tests.cli_helpers import invoke
from workers import runner

SERVICE_KEY = "header.payload.signature"  # shaped like the JWT supabase-py expects; never checked here
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def owned_objects(conn, names: dict[str, list[str]]) -> uuid.UUID:
    """A user owning Storage objects ({bucket: [names]}), then deleted: their objects are queued."""
    user = testing.create_user(conn, email=f"{uuid.uuid4().hex[:8]}@purge.learnkit.dev")
    for bucket, objects in names.items():
        conn.execute("insert into storage.buckets (id, name) values (%s, %s) on conflict do nothing", [bucket, bucket])
        for name in objects:
            conn.execute("insert into storage.objects (bucket_id, name, owner) values (%s, %s, %s)",
                         [bucket, f"{user}/{name}", user])
    conn.execute("delete from auth.users where id = %s", [user])
    return user


def queue(conn) -> list[tuple[str, str]]:
    return [(row["bucket_id"], row["object_name"]) for row in conn.execute(
        "select bucket_id, object_name from private.storage_purge_queue order by 1, 2")]


def last_runs(conn) -> list[dict]:
    return conn.execute("select status, rows_affected, error from private.worker_runs where job = 'purge-storage'"
                        " order by id").fetchall()


@pytest.fixture
def local_storage(monkeypatch):
    monkeypatch.delenv("SUPABASE_URL", raising=False)
    monkeypatch.delenv("SUPABASE_SERVICE_ROLE_KEY", raising=False)


def test_locally_the_job_deletes_the_queued_objects_and_is_recorded(conn, db_url, local_storage):
    user = owned_objects(conn, {"recordings": ["a.webm", "b.webm"], "avatars": ["me.png"]})
    kept = owned_objects(conn, {})  # nobody else's objects are touched
    conn.execute("insert into storage.objects (bucket_id, name) values ('avatars', 'someone-else.png')")
    assert len(queue(conn)) == 3 and kept

    dry = invoke("--db-url", db_url, "worker", "run", "purge-storage", "--dry-run")
    assert dry.exit_code == 0 and "would delete 3 queued Storage object(s) from storage.objects" in dry.stdout
    assert len(queue(conn)) == 3

    result = invoke("--db-url", db_url, "worker", "run", "purge-storage")
    assert result.exit_code == 0, result.output
    assert queue(conn) == []
    left = conn.execute("select bucket_id, name from storage.objects order by 1, 2").fetchall()
    assert left == [{"bucket_id": "avatars", "name": "someone-else.png"}], f"{user}'s objects are gone, only they"
    assert last_runs(conn) == [{"status": "succeeded", "rows_affected": 3, "error": None}]
    assert runner.run(db_url, "purge-storage").rows == 0  # converged


def test_a_database_behind_the_storage_api_is_never_purged_by_rows(conn, db_url, local_storage):
    owned_objects(conn, {"recordings": ["a.webm"]})
    conn.execute("create table storage.migrations (id integer primary key)")  # what Supabase's Storage service keeps
    result = invoke("--db-url", db_url, "worker", "run", "purge-storage")
    assert result.exit_code == 1 and "SUPABASE_SERVICE_ROLE_KEY" in result.stderr
    assert len(queue(conn)) == 1
    assert conn.execute("select count(*) as n from storage.objects").fetchone()["n"] == 1


# ---------------------------------------------------------------- through the Storage API
class StorageApi:
    """A stand-in for the Storage API's bulk delete (DELETE /storage/v1/object/{bucket}, {"prefixes": [...]}):
    records each request; answers with the objects it 'deleted' (each name once), or an error per bucket."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.deleted: set[tuple[str, str]] = set()
        self.failing_buckets: set[str] = set()
        self.on_request = lambda: None
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_DELETE(self) -> None:  # noqa: N802 - http.server's naming
                body = json.loads(self.rfile.read(int(self.headers["content-length"] or 0)) or b"{}")
                api.requests.append({"path": self.path, "body": body,
                                     "headers": {key.lower(): value for key, value in self.headers.items()}})
                api.on_request()
                bucket = self.path.removeprefix("/storage/v1/object/")
                if bucket in api.failing_buckets:
                    return self.reply(500, {"statusCode": "500", "error": "internal", "message": "disk on fire"})
                removed = [{"bucket_id": bucket, "name": name} for name in body["prefixes"]
                           if (bucket, name) not in api.deleted]
                api.deleted.update((bucket, name) for name in body["prefixes"])
                self.reply(200, removed)

            def reply(self, status: int, payload) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "StorageApi":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def storage_api(monkeypatch):
    with StorageApi() as api:
        monkeypatch.setenv("SUPABASE_URL", api.url)
        monkeypatch.setenv("SUPABASE_SERVICE_ROLE_KEY", SERVICE_KEY)
        yield api


def test_against_supabase_each_queued_object_is_deleted_through_the_storage_api(conn, db_url, storage_api):
    user = owned_objects(conn, {"recordings": ["a.webm", "b.webm"], "avatars": ["me.png"]})
    outcome = runner.run(db_url, "purge-storage")
    assert outcome.rows == 3 and queue(conn) == []
    assert sorted(storage_api.deleted) == [("avatars", f"{user}/me.png"), ("recordings", f"{user}/a.webm"),
                                           ("recordings", f"{user}/b.webm")]
    for request in storage_api.requests:
        assert request["path"] in ("/storage/v1/object/avatars", "/storage/v1/object/recordings")
        assert request["headers"]["authorization"] == f"Bearer {SERVICE_KEY}", request["headers"]
    # The Storage API deletes its own rows; learnkit did not touch storage.objects on that path.
    assert conn.execute("select count(*) as n from storage.objects").fetchone()["n"] == 3
    assert last_runs(conn) == [{"status": "succeeded", "rows_affected": 3, "error": None}]


def test_a_refused_deletion_keeps_its_queue_rows_for_the_next_run(conn, db_url, storage_api):
    owned_objects(conn, {"recordings": ["a.webm"], "avatars": ["me.png"]})
    storage_api.failing_buckets = {"recordings"}
    outcome = runner.run(db_url, "purge-storage")
    assert outcome.rows == 1 and any("stay queued" in note and "disk on fire" in note for note in outcome.notes)
    assert [bucket for bucket, _ in queue(conn)] == ["recordings"]

    storage_api.failing_buckets = {"recordings", "avatars"}
    owned_objects(conn, {"avatars": ["other.png"]})
    with pytest.raises(runner.JobFailed, match="deleted none of 2"):
        runner.run(db_url, "purge-storage")
    assert len(queue(conn)) == 2
    assert last_runs(conn)[-1]["status"] == "failed"

    storage_api.failing_buckets = set()
    assert runner.run(db_url, "purge-storage").rows == 2 and queue(conn) == []


KILLABLE_RUN = """
import sys
from workers import runner
runner.run(sys.argv[1], "purge-storage")
"""


def test_a_run_killed_after_the_storage_api_deleted_repeats_nothing_harmful(conn, db_url, storage_api):
    user = owned_objects(conn, {"recordings": ["a.webm", "b.webm"]})
    process = subprocess.Popen([sys.executable, "-c", KILLABLE_RUN, db_url], cwd=REPO_ROOT,
                               env={**os.environ, "PYTHONPATH": REPO_ROOT})
    # The Storage API has deleted the objects; the runner dies before it hears back, let alone commits.
    killed = threading.Event()

    def kill_the_runner() -> None:
        process.kill()
        killed.set()
    storage_api.on_request = kill_the_runner
    process.wait(timeout=60)
    assert killed.is_set(), "the run never reached the Storage API"
    storage_api.on_request = lambda: None
    for _ in range(100):  # its backend rolls back once it sees the socket closed
        if not conn.execute("select count(*) as n from pg_stat_activity where datname = current_database() "
                            "and state like 'idle in transaction%%'").fetchone()["n"]:
            break
        time.sleep(0.1)
    assert len(queue(conn)) == 2, "nothing is dequeued without a confirmed deletion"

    outcome = runner.run(db_url, "purge-storage")
    assert outcome.rows == 2 and queue(conn) == []
    # Asked twice for the same objects: the second time they were already gone, which confirms them too.
    assert [request["body"]["prefixes"] for request in storage_api.requests] == [
        [f"{user}/a.webm", f"{user}/b.webm"]] * 2
    assert [run["status"] for run in last_runs(conn)] == ["abandoned", "succeeded"]


def test_worker_schedule_lists_the_purge():
    crontab = invoke("worker", "schedule", "--crontab").stdout
    assert any(line.startswith("50 4 * * * ") and "worker run purge-storage" in line for line in crontab.splitlines())


def test_a_deleted_students_stored_reports_are_queued_too(conn):
    student = testing.create_user(conn, email=f"{uuid.uuid4().hex[:8]}@purge.learnkit.dev")
    for target, location, period, start in (("storage", "progress-reports", "2026-W47", "2026-11-16"),
                                            ("local", "/var/lib/reports", "2026-W48", "2026-11-23")):
        conn.execute("""insert into public.progress_reports (student_id, period, period_start, period_end, object_path,
                            target, location, byte_size, sha256, generated_at)
                        values (%(s)s::uuid, %(p)s, %(d)s::date, %(d)s::date + 6, %(path)s,
                                %(t)s, %(l)s, 100, repeat('a', 64), now())""",
                     {"s": str(student), "p": period, "d": start, "t": target, "l": location,
                      "path": f"{student}/{period}/summary.pdf"})
    conn.execute("delete from auth.users where id = %s", [student])
    assert queue(conn) == [("progress-reports", f"{student}/2026-W47/summary.pdf")]  # Storage only
