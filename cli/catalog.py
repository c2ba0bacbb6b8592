"""A normalized snapshot of a database's schema, and the differences between two.

Two databases built differently (one by the migrations, one from the declared
files) compare equal when their schemas are: every fact is keyed by what it is
("function private.x(uuid)", "grant select on table public.t to anon"), never by
oids or by the order statements ran in. The queries are in sql/catalog.sql.
"""

import re
from typing import Any

import psycopg

from cli import queries

# Category → its query in catalog.sql, in the order differences are reported.
CATEGORIES = (
    "schemas", "extensions", "types", "relations", "columns", "constraints", "indexes",
    "functions", "triggers", "policies", "grants", "default_privileges", "comments",
)
# A value longer than this is reported as "differs" without quoting both sides.
SHOWN_VALUE_LENGTH = 80

Snapshot = dict[str, dict[str, dict[str, Any]]]


def snapshot(conn: psycopg.Connection) -> Snapshot:
    """category → {key: detail}; see sql/catalog.sql for what each category holds."""
    taken: Snapshot = {}
    with conn.transaction():
        conn.execute(queries.query("catalog.sql", "qualify_names"))
        for category in CATEGORIES:
            rows = conn.execute(queries.query("catalog.sql", category)).fetchall()
            taken[category] = {row["key"]: row["detail"] for row in rows}
    return taken


def differences(a: Snapshot, b: Snapshot, a_name: str = "migrated", b_name: str = "declared") -> list[str]:
    """One readable line per difference, e.g. `function private.x(uuid): definition differs`."""
    lines = []
    for category in CATEGORIES:
        left, right = a.get(category, {}), b.get(category, {})
        for key in sorted(left.keys() | right.keys()):
            if key not in right:
                lines.append(f"{key}: only in {a_name}")
            elif key not in left:
                lines.append(f"{key}: only in {b_name}")
            else:
                lines.extend(f"{key}: {change}" for change in _changed_fields(left[key], right[key], a_name, b_name))
    return lines


def _changed_fields(left: dict, right: dict, a_name: str, b_name: str) -> list[str]:
    changes = []
    for field in sorted(left.keys() | right.keys()):
        before, after = left.get(field), right.get(field)
        if before == after:
            continue
        shown = f"{_show(before)} in {a_name}, {_show(after)} in {b_name}"
        changes.append(f"{field} differs" + (f" ({shown})" if len(shown) <= SHOWN_VALUE_LENGTH else ""))
    return changes


def _show(value: Any) -> str:
    return "none" if value is None else repr(value) if isinstance(value, str) else str(value)


def partitions(taken: Snapshot) -> set[str]:
    """The partitions in a snapshot (e.g. public.analytics_events_y2026m11), by qualified name."""
    return {detail["identity"] for detail in taken["relations"].values() if detail.get("partition of")}


def without_relations(taken: Snapshot, names: set[str]) -> Snapshot:
    """The snapshot less the named relations and everything on them (columns, constraints, indexes, triggers,
    policies, grants, comments)."""
    if not names:
        return taken
    named = re.compile(r"(?<![\w.])(" + "|".join(re.escape(name) for name in sorted(names)) + r")(?!\w)")
    return {category: {key: detail for key, detail in entries.items()
                       if not named.search(key)
                       and not (category == "indexes" and named.search(detail.get("definition") or ""))}
            for category, entries in taken.items()}


def only_owned(taken: Snapshot, managed_schemas: frozenset[str]) -> Snapshot:
    """The snapshot less what lives in schemas the platform manages (auth, storage, ...), but for the policies and
    triggers a project adds to their tables, and the extensions it installs there."""
    names = "|".join(sorted(managed_schemas))
    managed = re.compile(r"(?<![\w.\"])(" + names + r")\.|\bschema (" + names + r")\b")
    kept_categories = ("policies", "triggers", "extensions")
    return {category: entries if category in kept_categories else
            {key: detail for key, detail in entries.items()
             if not managed.search(key)}
            for category, entries in taken.items()}

