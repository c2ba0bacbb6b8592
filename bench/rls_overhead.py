"""Row level security's cost on the dashboards: the same queries as a signed-in user and as service_role.

Builds, on a throwaway PostgreSQL of its own (the system binaries), 100,000 students and 10,000,000
answer attempts at --scale 1 (organizations of 50, a guardian per two students, 20 sessions, 100
attempts and 3 tutor chats of 5 messages per student), generated set-based. Then times SignifyAI's
dashboard queries (§5.1 snapshot, §5.2 recent conversations, §5.3 practice history), the Math engine's
fact grid and a guardian's overview of their children, each for sampled users, in the same run: as
`authenticated` with the user's JWT claims (RLS applies) and as `service_role` with the same claims (RLS
bypassed, auth.uid() still the user). Prints p50 latencies and their ratio; the target is ≤ 1.25×.

    .venv/bin/python bench/rls_overhead.py --scale 0.01   # quick
    .venv/bin/python bench/rls_overhead.py                # the full 100k students / 10M attempts
"""

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cli import connection, queries, testing  # noqa: E402
from cli.local_server import LocalServer, ServerConfig, free_port  # noqa: E402
from cli.settings import Settings  # noqa: E402
from cli.testdb import TestDatabases  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SQL = queries.parse_named_blocks((Path(__file__).parent / "sql" / "rls_overhead.sql").read_text())
SET_REQUEST = queries.query("testing.sql", "set_request")
TARGET_RATIO = 1.25
QUERIES = (  # label, query, who runs it
    ("SignifyAI 5.1 dashboard snapshot", "dashboard_snapshot", "student"),
    ("SignifyAI 5.2 recent conversations", "recent_conversations", "student"),
    ("SignifyAI 5.3 practice history", "practice_history", "student"),
    ("Math engine fact grid", "fact_grid", "student"),
    ("Guardian's child overview", "guardian_overview", "guardian"),
)


def _statements(block: str):
    for statement in SQL[block].split(";\n"):
        code = "\n".join(line for line in statement.splitlines() if not line.lstrip().startswith("--"))
        if code.strip():
            yield code


def load(conn, sizes: dict) -> dict[str, float]:
    """Generate the population with triggers off (derived rows are built set-based); returns seconds per step."""
    timings = {}
    for block in ("load_people", "load_content", "load_activity", "derive_progress"):
        started = time.perf_counter()
        with conn.transaction():
            conn.execute("set local session_replication_role = replica")
            for statement in _statements(block):
                conn.execute(statement, sizes)
        timings[block] = time.perf_counter() - started
    started = time.perf_counter()
    conn.execute("vacuum analyze")
    timings["vacuum analyze"] = time.perf_counter() - started
    return timings


def _request(role: str, user_id) -> dict:
    return {"role": role, "claims": json.dumps(testing.claims_for(user_id, role=role)), "method": "GET",
            "path": "/rest/v1/bench", "headers": json.dumps({"accept": "application/json"})}


def timed(conn, query: str, role: str, user_id) -> tuple[float, int]:
    """One request as PostgREST serves it; times the query alone (not the role switch)."""
    with conn.transaction(force_rollback=True):
        conn.execute(SET_REQUEST, _request(role, user_id))
        started = time.perf_counter()
        rows = conn.execute(query).fetchall()
        return time.perf_counter() - started, len(rows)


def measure(conn, query: str, users: list, rounds: int) -> dict:
    """Alternating authenticated and service_role calls per user, after a warm-up round."""
    for user_id in users:
        timed(conn, query, "authenticated", user_id)
        timed(conn, query, "service_role", user_id)
    samples = {"authenticated": [], "service_role": []}
    mismatched = 0
    for round_number in range(rounds):
        order = ("authenticated", "service_role") if round_number % 2 == 0 else ("service_role", "authenticated")
        for user_id in users:
            counts = {}
            for role in order:
                seconds, counts[role] = timed(conn, query, role, user_id)
                samples[role].append(seconds)
            mismatched += counts["authenticated"] != counts["service_role"]
    auth, service = (statistics.median(samples[role]) * 1000 for role in ("authenticated", "service_role"))
    return {"authenticated_ms": auth, "service_role_ms": service, "ratio": auth / service, "mismatched": mismatched}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 100k students, 10M attempts")
    parser.add_argument("--samples", type=int, default=200, help="users sampled per query")
    parser.add_argument("--rounds", type=int, default=5, help="timed calls per user and role")
    args = parser.parse_args(argv)
    students = max(100, int(100_000 * args.scale))
    sizes = {"students": students, "organizations": (students + 49) // 50, "sessions": 20, "attempts": 100,
             "samples": args.samples}

    with tempfile.TemporaryDirectory(prefix="learnkit-bench-") as scratch:
        server = LocalServer(Path(scratch) / "db", ServerConfig(kind="system", port=free_port()), fast=True)
        server.start()
        try:
            databases = TestDatabases(server, Settings(project_dir=REPO))
            url = databases.clone(databases.build_template("bench_template"), prefix="bench")
            with connection.connect(url) as conn:
                print(f"loading {students:,} students, {students * sizes['attempts']:,} answer attempts "
                      f"(scale {args.scale}) ...", flush=True)
                for step, seconds in load(conn, sizes).items():
                    print(f"  {step:<16} {seconds:7.1f} s", flush=True)
                people = {"student": [row["user_id"] for row in conn.execute(SQL["sample_students"], sizes)],
                          "guardian": [row["user_id"] for row in conn.execute(SQL["sample_guardians"], sizes)]}
                results = [(label, measure(conn, SQL[name], people[who], args.rounds))
                           for label, name, who in QUERIES]
        finally:
            server.destroy()

    print(f"\nRLS overhead, scale {args.scale} ({students:,} students, {students * sizes['attempts']:,} attempts), "
          f"p50 of {args.samples} users × {args.rounds} calls")
    print(f"{'query':<36} {'authenticated':>14} {'service_role':>13} {'ratio':>7}  target ≤ {TARGET_RATIO}×")
    missed = 0
    for label, result in results:
        ok = result["ratio"] <= TARGET_RATIO
        missed += not ok
        note = "" if not result["mismatched"] else f"  ({result['mismatched']} calls saw different row counts)"
        print(f"{label:<36} {result['authenticated_ms']:>11.3f} ms {result['service_role_ms']:>10.3f} ms "
              f"{result['ratio']:>6.2f}×  {'ok' if ok else 'MISSED'}{note}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
