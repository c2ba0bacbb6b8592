"""snapshot-gamification (nightly) and `learnkit worker restore-snapshot FILE`.

The snapshot is gzip-compressed JSON lines: a header line
`{"format": "learnkit.gamification-snapshot", "version": 1, "taken_at": ..., "tables": {name: rows}}`, then
one `{"table": ..., "row": {...}}` line per row of the PathIQ profiles and the ledgers (TABLES), each row as
PostgreSQL's own JSON of it, so numbers and times restore exactly. It goes to the archive store as
`snapshots/gamification/YYYY-MM-DD.jsonl.gz` (the day of the job's clock, UTC; a rerun that day replaces it).

restore() loads a snapshot into a database whose gamification tables are empty (the schema migrated, the
learners' accounts present, no XP yet): it refuses anything else, so it can never merge two histories.
"""

import gzip
import json
from dataclasses import dataclass
from datetime import timezone
from decimal import Decimal
from pathlib import Path

import psycopg
from psycopg import sql

from cli import connection, queries
from cli.errors import Failure, UsageError
from workers import lifecycle_store
from workers.jobs import JobContext
from workers.retention import lifecycle_settings

FORMAT = "learnkit.gamification-snapshot"
VERSION = 1
# In restore order (foreign keys: streak_freezes and user_achievements point at xp_transactions).
TABLES: dict[str, str] = {
    "public.xp_profiles": "user_id",
    "public.xp_transactions": "id",
    "public.xp_activity_days": "user_id, local_day",
    "public.streak_freezes": "id",
    "public.user_achievements": "user_id, achievement_id",
}


def _query(name: str) -> str:
    return queries.query("snapshots.sql", name, package="workers")


def _table(name: str) -> sql.Identifier:
    schema, table = name.split(".")
    return sql.Identifier(schema, table)


def _order_by(columns: str) -> sql.Composed:
    return sql.SQL(", ").join(sql.Identifier(column.strip()) for column in columns.split(","))


# ---------------------------------------------------------------- snapshot-gamification
def snapshot_gamification(context: JobContext) -> int:
    conn = context.conn
    counts = {name: conn.execute(sql.SQL(_query("count_rows")).format(table=_table(name))).fetchone()["row_count"]
              for name in TABLES}
    total = sum(counts.values())
    key = f"snapshots/gamification/{context.now.astimezone(timezone.utc):%Y-%m-%d}.jsonl.gz"
    if context.dry_run:
        context.note(f"would write {total} row(s) ({', '.join(f'{n}: {c}' for n, c in counts.items())}) to {key}")
        return total
    lines = [json.dumps({"format": FORMAT, "version": VERSION, "taken_at": context.now.isoformat(),
                         "tables": counts})]
    for index, (name, order_by) in enumerate(TABLES.items(), start=1):
        query = sql.SQL(_query("snapshot_lines")).format(table=_table(name), order_by=_order_by(order_by))
        lines.extend(row["line"] for row in conn.execute(query, {"table_name": name}))
        context.progress("tables", index, len(TABLES))
    data = lifecycle_store.gzip_lines(lines)
    store = lifecycle_store.archive_store(lifecycle_settings(conn)["archive_bucket"])
    stored = lifecycle_store.put_confirmed(store, key, data, "application/gzip")
    conn.execute(_query("record_snapshot"), {"target": store.target, "location": store.location,
                                             "object_key": stored.key, "row_count": total,
                                             "byte_size": stored.byte_size, "sha256": stored.sha256})
    context.note(f"wrote {total} row(s) to {store.location}/{stored.key}")
    return total


# ---------------------------------------------------------------- restore
@dataclass(frozen=True)
class Snapshot:
    taken_at: str
    rows: dict[str, list[dict]]  # parsed, to check references
    lines: dict[str, list[str]]  # as written: PostgreSQL parses these, so every value restores exactly


def read_snapshot(path: Path) -> Snapshot:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise UsageError(f"cannot read {path}: {error.strerror}") from None
    try:
        text = gzip.decompress(data).decode() if data[:2] == b"\x1f\x8b" else data.decode()
        raw_lines = [line for line in text.splitlines() if line.strip()]
        lines = [json.loads(line, parse_float=Decimal) for line in raw_lines]
    except (OSError, EOFError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise UsageError(f"{path} is not a learnkit gamification snapshot: {error}") from None
    header = lines[0] if lines else {}
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise UsageError(f"{path} is not a learnkit gamification snapshot (no {FORMAT} header line)")
    if header.get("version") != VERSION:
        raise UsageError(f"{path} is snapshot version {header.get('version')}; this learnkit reads version {VERSION}")
    rows: dict[str, list[dict]] = {name: [] for name in TABLES}
    raw: dict[str, list[str]] = {name: [] for name in TABLES}
    for number, (line, raw_line) in enumerate(zip(lines[1:], raw_lines[1:]), start=2):
        if not isinstance(line, dict) or line.get("table") not in rows or not isinstance(line.get("row"), dict):
            raise UsageError(f"{path}, line {number}: expected a table of the snapshot ({', '.join(TABLES)}) "
                             "and its row")
        rows[line["table"]].append(line["row"])
        raw[line["table"]].append(raw_line)
    for name, expected in header.get("tables", {}).items():
        if name in rows and len(rows[name]) != expected:
            raise UsageError(f"{path} is truncated: {name} has {len(rows[name])} row(s), the header says {expected}")
    return Snapshot(header.get("taken_at", "?"), rows, raw)


def restore(url: str, path: Path) -> dict[str, int]:
    """Restore a snapshot into an empty database, in one transaction; returns the rows restored per table."""
    snapshot = read_snapshot(path)
    with connection.connect(url) as conn, conn.transaction():
        _refuse_unless_empty(conn)
        _refuse_dangling_references(conn, snapshot)
        learners = [row["user_id"] for row in snapshot.rows["public.xp_profiles"]]
        conn.execute(_query("delete_fresh_xp_profiles"), {"ids": learners})
        restored = {}
        for name in TABLES:
            restored[name] = _insert(conn, name, snapshot.lines[name])
        conn.execute(_query("mirror_leaderboard_entries"))
    return restored


def _refuse_unless_empty(conn: psycopg.Connection) -> None:
    holding = []
    for name in TABLES:
        if name == "public.xp_profiles":
            used = conn.execute(_query("used_xp_profiles")).fetchone()["used"]
            if used:
                holding.append(f"{name}: {used} learner(s) with XP or streaks")
            continue
        count = conn.execute(sql.SQL(_query("count_rows")).format(table=_table(name))).fetchone()["row_count"]
        if count:
            holding.append(f"{name}: {count} row(s)")
    if holding:
        raise Failure("the database already holds gamification data (" + "; ".join(holding)
                      + "): restore-snapshot only restores into an empty database")


def _refuse_dangling_references(conn: psycopg.Connection, snapshot: Snapshot) -> None:
    learners = sorted({row["user_id"] for rows in snapshot.rows.values() for row in rows if row.get("user_id")})
    missing = [row["id"] for row in conn.execute(_query("missing_profiles"), {"ids": learners})]
    if missing:
        raise Failure(f"{len(missing)} learner(s) of the snapshot have no account in this database "
                      f"(first: {missing[0]}): restore the accounts (auth.users) first")
    achievements = sorted({row["achievement_id"] for row in snapshot.rows["public.user_achievements"]})
    missing = [row["id"] for row in conn.execute(_query("missing_achievements"), {"ids": achievements})]
    if missing:
        raise Failure(f"{len(missing)} achievement(s) of the snapshot are not in this database "
                      f"(first: {missing[0]}): restore the achievements catalogue first")


def _insert(conn: psycopg.Connection, name: str, lines: list[str]) -> int:
    if not lines:
        return 0
    columns = [row["column_name"] for row in conn.execute(_query("writable_columns"), {"table_name": name})]
    column_list = sql.SQL(", ").join(sql.Identifier(column) for column in columns)
    conn.execute(sql.SQL(_query("insert_rows")).format(table=_table(name), columns=column_list),
                 {"lines": lines})
    for identity in conn.execute(_query("identity_columns"), {"table_name": name}).fetchall():
        conn.execute(sql.SQL(_query("reset_identity")).format(table=_table(name),
                                                              column=sql.Identifier(identity["column_name"])),
                     {"table_name": name, "column_name": identity["column_name"]})
    return len(lines)
