"""The policy matrix's world: the ten personas and a row to aim at in every table.

Built once, as the owner, into a database of the module's own (tests/personas.py
makes the people, the published content and the student's activity; world.sql
adds draft content, gamification rows and one event per partition). Every
case then runs in a transaction that is rolled back, so the world never changes.
"""

import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import psycopg
from psycopg import sql

from cli import queries, testing
from tests import personas as persona_data

_BLOCKS = queries.parse_named_blocks((Path(__file__).parent / "world.sql").read_text())
_PARTITION_BOUND = re.compile(r"FROM \('(?P<start>[^']+)'\) TO \('(?P<end>[^']+)'\)")

# Each partitioned table's event for the cases to aim at, inserted once per
# partition (triggers off: future months refuse events, and that is a case too).
_EVENT_ROWS = {
    "analytics_events": """
        insert into {table} (user_id, organization_id, event_type, occurred_at)
        values (%(student)s, %(org)s, 'matrix.target', %(at)s)""",
    "learning_events": """
        insert into {table} (user_id, organization_id, event_type, mode, occurred_at)
        values (%(student)s, %(org)s, 'fact_reviewed', 'matrix', %(at)s)""",
}


@dataclass
class World:
    conn: psycopg.Connection
    refs: dict[str, object]          # every id and value a case may name, as %(name)s
    partitions: dict[str, dict]      # partition name → {"parent", "start", "end"}

    def user(self, persona: str) -> uuid.UUID | None:
        return self.refs.get(persona)  # type: ignore[return-value]


def partition_bounds(conn: psycopg.Connection) -> dict[str, dict]:
    found = {}
    for row in conn.execute(_BLOCKS["partitions"]).fetchall():
        match = _PARTITION_BOUND.search(row["bound"])
        if match:
            found[row["partition"]] = {"parent": row["parent"], "start": datetime.fromisoformat(match["start"]),
                                       "end": datetime.fromisoformat(match["end"])}
    return found


def public_tables(conn: psycopg.Connection) -> list[dict]:
    return conn.execute(_BLOCKS["public_tables"]).fetchall()


def _run(conn: psycopg.Connection, block: str, refs: dict) -> None:
    for statement in _BLOCKS[block].split(";\n"):
        code = "\n".join(line for line in statement.splitlines() if not line.lstrip().startswith("--"))
        if code.strip():
            conn.execute(code, refs)


def build(conn: psycopg.Connection) -> World:
    """Create the world in `conn`'s database (committed: the database is the module's own)."""
    people = persona_data.create_personas(conn)
    activity = persona_data.create_activity(conn, people)
    tag = uuid.uuid4().hex[:8]
    refs: dict[str, object] = {**people.users, **people.content, **activity, "org": people.org,
                               "other_org": people.other_org}
    for name in ("subject_leaf", "course_pub", "course_draft", "lesson_pub", "lesson_draft", "note_pub",
                 "note_draft", "test_pub", "test_draft", "textbook_pub", "textbook_draft", "concept_pub",
                 "concept_draft", "concept_spare", "hook_pub", "hook_draft", "example_pub", "example_draft",
                 "question_pub", "question_draft", "chunk_pub", "chunk_draft", "media_own", "media_pub", "settings_org", "achievement_pub",
                 "achievement_secret", "challenge", "league_group"):
        refs[name] = uuid.uuid4()
    for name in ("subject_leaf", "course_pub", "course_draft", "concept_pub", "concept_draft", "concept_spare"):
        refs[f"{name}_slug" if "concept" not in name else f"{name}_code"] = f"matrix-{name.replace('_', '-')}-{tag}"
    refs["bucket"] = f"matrix-{tag}"
    refs["spare_bare"] = testing.create_user(conn, email=f"spare.bare.{tag}@personas.learnkit.dev")
    refs["spare_profile"] = testing.create_user(conn, email=f"spare.profile.{tag}@personas.learnkit.dev")
    _run(conn, "content", refs)
    if conn.execute("select to_regclass('public.content_chunks') is not null as present").fetchone()["present"]:
        _run(conn, "content_chunks", refs)  # only where pgvector exists (expectations.OPTIONAL_TABLES)
    _run(conn, "gamification", refs)
    _run(conn, "lifecycle", refs)
    _run(conn, "spare_users", refs)
    partitions = partition_bounds(conn)
    with conn.transaction():
        conn.execute("set local session_replication_role = replica")
        for name, bounds in partitions.items():
            if bounds["parent"] in _EVENT_ROWS:
                conn.execute(sql.SQL(_EVENT_ROWS[bounds["parent"]]).format(table=sql.Identifier("public", bounds["parent"])),
                             {**refs, "at": bounds["start"].replace(hour=1)})
        conn.execute("set local session_replication_role = origin")
    return World(conn=conn, refs=refs, partitions=partitions)
