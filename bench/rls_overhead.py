"""Row level security's cost on the dashboards: the same queries as a signed-in user and as service_role.

Builds, on a throwaway PostgreSQL of its own (the system binaries), 100,000 students and 10,000,000
answer attempts at --scale 1 (organizations of 50, a guardian per two students, 20 sessions, 100
attempts and 3 tutor chats of 5 messages per student), generated set-based. Then times SignifyAI's
dashboard queries (§5.1 snapshot, §5.2 recent conversations, §5.3 practice history) and the Math
engine's fact grid for sampled students, in the same run: as `authenticated` with the user's JWT claims
(RLS applies) and as `service_role` with the same claims (RLS bypassed, auth.uid() still the user).
Prints p50 latencies and their ratio; the target is ≤ 1.25×.

The guardian's child overview is served as the product serves it, by an RPC: the row "Guardian's child
overview (RPC)" times public.get_child_overview(child) as the authenticated guardian (one guardianship
check, then the read as owner) against the bare overview statement for that child as service_role,
which checks nothing: the ratio is the whole cost of securing that read. The row below it, not held to
the target, reads a guardian's children straight from the five tables through RLS, for comparison.

Two tables, same data, same users: every call parsed and planned (psycopg's prepared statements are
dropped by the rollback ending each request; PostgREST without prepared statements, e.g. behind a
transaction pooler), then plans cached (a connection per role, requests committed: PostgREST's default,
prepared statements, as on Supabase where it connects to PostgreSQL directly). RLS costs planning time
in the first, execution time in both. Both modes are measured --repeats times, alternately, on the
same data: the ratio shown is the median repeat's, "each repeat" lists them all and "rounds" is the
range of the ratio over single rounds — the noise of the machine. A third table splits the planned
mode into planning and execution (EXPLAIN ANALYZE).

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

from psycopg import sql  # noqa: E402

from cli import connection, queries, testing  # noqa: E402
from cli.local_server import LocalServer, ServerConfig, free_port  # noqa: E402
from cli.settings import Settings  # noqa: E402
from tests.harness import TestDatabases  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SQL = queries.parse_named_blocks((Path(__file__).parent / "sql" / "rls_overhead.sql").read_text())
SET_REQUEST = queries.query("testing.sql", "set_request")
TARGET_RATIO = 1.25
EXPLAINED_USERS = 50
ROLES = ("authenticated", "service_role")
QUERIES = (  # label, query (or a query per role), who runs it, held to the target
    ("SignifyAI 5.1 dashboard snapshot", "dashboard_snapshot", "student", True),
    ("SignifyAI 5.2 recent conversations", "recent_conversations", "student", True),
    ("SignifyAI 5.3 practice history", "practice_history", "student", True),
    ("Math engine fact grid", "fact_grid", "student", True),
    # The product's guardian overview: the RPC as the guardian against the bare statement as service_role.
    ("Guardian's child overview (RPC)",
     {"authenticated": "child_overview_rpc", "service_role": "child_overview"}, "guardian", True),
    # The same kind of overview read from the five tables through RLS: shown, not what the product serves.
    ("  ref: children via tables + RLS", "guardian_overview", "guardian", False),
)


def _statements(block: str):
    for statement in SQL[block].split(";\n"):
        code = "\n".join(line for line in statement.splitlines() if not line.lstrip().startswith("--"))
        if code.strip():
            yield code


def _by_role(name: str | dict) -> dict:
    return {role: SQL[name if isinstance(name, str) else name[role]] for role in ROLES}


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


def timed(conn, query: str, role: str, person: dict, *, keep_plans: bool = False) -> tuple[float, int]:
    """One request as PostgREST serves it; times the query alone (not the role switch).

    The default rolls back, which also drops psycopg's prepared statements: every call is parsed and
    planned, RLS policies included (PostgREST without prepared statements, e.g. behind a transaction
    pooler). keep_plans commits instead (the statement only reads), so a prepared statement and its
    cached plan survive to the next call (PostgREST's default, on a connection serving one role).
    """
    with conn.transaction(force_rollback=not keep_plans):
        conn.execute(SET_REQUEST, _request(role, person["user_id"]))
        started = time.perf_counter()
        rows = conn.execute(query, person if "%(" in query else None).fetchall()
        return time.perf_counter() - started, len(rows)


def measure(connections: dict, queries_by_role: dict, users: list, rounds: int, *, keep_plans: bool = False) -> dict:
    """Alternating authenticated and service_role calls per user, after a warm-up round.

    users are dicts of the user's id and the query's parameters; queries_by_role is the statement each
    role runs (the same one, except for the RPC row).

    connections maps each role to its connection (the same one for both when plans are not kept: a
    role switch invalidates a plan that depends on RLS, so kept plans need a connection per role).
    The ratio is of the p50s over all rounds; the spread is the lowest and highest ratio of a single
    round, a measure of the noise.
    """
    for person in users:
        for role in ROLES:
            timed(connections[role], queries_by_role[role], role, person, keep_plans=keep_plans)
    rounds_samples = []
    mismatched = 0
    for round_number in range(rounds):
        samples = {role: [] for role in ROLES}
        order = ROLES if round_number % 2 == 0 else ROLES[::-1]
        for person in users:
            counts = {}
            for role in order:
                seconds, counts[role] = timed(connections[role], queries_by_role[role], role, person,
                                              keep_plans=keep_plans)
                samples[role].append(seconds)
            mismatched += counts["authenticated"] != counts["service_role"]
        rounds_samples.append(samples)
    auth, service = (statistics.median([s for samples in rounds_samples for s in samples[role]]) * 1000
                     for role in ROLES)
    per_round = [statistics.median(samples["authenticated"]) / statistics.median(samples["service_role"])
                 for samples in rounds_samples]
    return {"authenticated_ms": auth, "service_role_ms": service, "ratio": auth / service,
            "spread": (min(per_round), max(per_round)), "mismatched": mismatched}


def explained(conn, queries_by_role: dict, users: list) -> dict:
    """Median planning and execution time (µs) per role, from EXPLAIN ANALYZE of each user's request.

    Where the overhead of the planned mode goes. The instrumentation inflates execution times; compare
    the roles, not these with the timed tables.
    """
    times = {role: {"planning": [], "execution": []} for role in ROLES}
    for person in users:
        for role in ROLES:
            query = queries_by_role[role]
            with conn.transaction(force_rollback=True):
                conn.execute(SET_REQUEST, _request(role, person["user_id"]))
                row = conn.execute(sql.SQL(SQL["explain"]).format(sql.SQL(query.rstrip().rstrip(";"))),
                                   person if "%(" in query else None).fetchone()
            summary = next(iter(row.values()))[0]
            times[role]["planning"].append(summary["Planning Time"] * 1000)
            times[role]["execution"].append(summary["Execution Time"] * 1000)
    return {role: {phase: statistics.median(values) for phase, values in phases.items()}
            for role, phases in times.items()}


def report_explained(title: str, results: list) -> None:
    print(f"\n{title}")
    print(f"{'query':<36} {'planning: auth / service (diff)':>34} {'execution: auth / service (diff)':>35}")
    for label, times in results:
        auth, service = times["authenticated"], times["service_role"]
        cells = [f"{auth[phase]:>7.0f} / {service[phase]:>5.0f} µs ({auth[phase] - service[phase]:>+5.0f})"
                 for phase in ("planning", "execution")]
        print(f"{label:<36} {cells[0]:>34} {cells[1]:>35}")


def combined(repeats: list[dict]) -> dict:
    """One figure from the repeated measurements of a query: the median repeat, and every repeat's ratio."""
    ratios = [result["ratio"] for result in repeats]
    return {"authenticated_ms": statistics.median(result["authenticated_ms"] for result in repeats),
            "service_role_ms": statistics.median(result["service_role_ms"] for result in repeats),
            "ratio": statistics.median(ratios), "repeats": ratios,
            "spread": (min(result["spread"][0] for result in repeats), max(result["spread"][1] for result in repeats)),
            "mismatched": sum(result["mismatched"] for result in repeats)}


def report(title: str, results: list) -> int:
    """Prints one table of ratios; returns how many queries missed the target."""
    print(f"\n{title}")
    print(f"{'query':<36} {'authenticated':>14} {'service_role':>13} {'ratio':>7} {'rounds':>11}  "
          f"{'each repeat':<17} target ≤ {TARGET_RATIO}×")
    missed = 0
    for label, held, result in results:
        ok = result["ratio"] <= TARGET_RATIO
        missed += held and not ok
        low, high = result["spread"]
        verdict = ("ok" if ok else "MISSED") if held else "not a target"
        each = " ".join(f"{ratio:.2f}" for ratio in result["repeats"])
        note = "" if not result["mismatched"] else f"  ({result['mismatched']} calls saw different row counts)"
        print(f"{label:<36} {result['authenticated_ms']:>11.3f} ms {result['service_role_ms']:>10.3f} ms "
              f"{result['ratio']:>6.2f}× {low:>5.2f}–{high:<5.2f}  {each:<17} {verdict}{note}")
    return missed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 100k students, 10M attempts")
    parser.add_argument("--samples", type=int, default=200, help="users sampled per query")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds (each: every sampled user once per role)")
    parser.add_argument("--repeats", type=int, default=3,
                        help="measure both modes this many times on the same data; the ratio is the median repeat")
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
            with (connection.connect(url) as conn, connection.connect(url) as auth_conn,
                  connection.connect(url) as service_conn):
                print(f"loading {students:,} students, {students * sizes['attempts']:,} answer attempts "
                      f"(scale {args.scale}) ...", flush=True)
                for step, seconds in load(conn, sizes).items():
                    print(f"  {step:<16} {seconds:7.1f} s", flush=True)
                people = {"student": conn.execute(SQL["sample_students"], sizes).fetchall(),
                          "guardian": conn.execute(SQL["sample_guardians"], sizes).fetchall()}
                shared = {role: conn for role in ROLES}
                per_role = {"authenticated": auth_conn, "service_role": service_conn}
                for kept in per_role.values():
                    kept.prepare_threshold = 0  # prepared from the first call: the warm-up then caches the plan
                planned_runs = {label: [] for label, *_ in QUERIES}
                cached_runs = {label: [] for label, *_ in QUERIES}
                for repeat in range(args.repeats):  # the modes alternate, so a slow spell of the machine hits both
                    print(f"  measuring, repeat {repeat + 1} of {args.repeats} ...", flush=True)
                    for label, name, who, _ in QUERIES:
                        planned_runs[label].append(measure(shared, _by_role(name), people[who], args.rounds))
                    for label, name, who, _ in QUERIES:
                        cached_runs[label].append(
                            measure(per_role, _by_role(name), people[who], args.rounds, keep_plans=True))
                planned = [(label, held, combined(planned_runs[label])) for label, _, _, held in QUERIES]
                cached = [(label, held, combined(cached_runs[label])) for label, _, _, held in QUERIES]
                breakdown = [(label, explained(conn, _by_role(name), people[who][:EXPLAINED_USERS]))
                             for label, name, who, _ in QUERIES]
        finally:
            server.destroy()

    scope = (f"scale {args.scale} ({students:,} students, {students * sizes['attempts']:,} attempts), "
             f"p50 of {args.samples} users × {args.rounds} rounds, median of {args.repeats} repeats")
    missed = report(f"RLS overhead, every call planned (no prepared statements), {scope}", planned)
    missed += report(f"RLS overhead, plans cached (prepared statements, a connection per role), {scope}", cached)
    report_explained(f"Where the planned mode's time goes: EXPLAIN (ANALYZE, SUMMARY), median of "
                     f"{min(args.samples, EXPLAINED_USERS)} users", breakdown)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
