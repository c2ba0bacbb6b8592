"""The policy matrix: every table in `public` × ten personas × select/insert/update/delete.

Expectations are declared in tests/policy_matrix/expectations.py (one entry per
table, by access class); the world (personas and one target row per table) is
built once in this module's database; each case runs as the persona's real role
with its JWT claims, in a transaction rolled back afterwards, and is judged by
its real outcome (see tests/policy_matrix/runner.py). The cases run in a loop
per operation, and a failure lists every mismatched case.
"""

import pytest
from psycopg import sql

from cli import connection
from tests.personas import ALL_PERSONAS
from tests.policy_matrix import runner, world
from tests.policy_matrix.expectations import (
    KNOWN_DEFECTS,
    OPERATIONS,
    OPTIONAL_TABLES,
    PARTITION_TARGETS,
    TARGETS,
    Target,
    partition_target,
)

MINIMUM_CASES = 1000


@pytest.fixture(scope="module")
def matrix_world(test_databases, migrated_template):
    url = test_databases.clone(migrated_template, prefix="policy_matrix")
    try:
        with connection.connect(url) as conn:
            yield world.build(conn)
    finally:
        test_databases.drop(connection.conninfo.conninfo_to_dict(url)["dbname"])


@pytest.fixture(scope="module")
def targets(matrix_world) -> list[Target]:
    parents = {target.table: target for target in TARGETS}
    present = {table["table_name"] for table in world.public_tables(matrix_world.conn)}
    found = [target for target in TARGETS if target.table not in OPTIONAL_TABLES or target.table in present]
    for name, bounds in matrix_world.partitions.items():
        if bounds["parent"] in PARTITION_TARGETS:
            holds_now = bounds["start"] <= matrix_world.conn.execute("select now() as t").fetchone()["t"] < bounds["end"]
            found.append(partition_target(name, parents[bounds["parent"]], holds_now,
                                          matrix_world.conn.info.server_version))
    return found


@pytest.fixture(scope="module")
def tally() -> dict[str, int]:
    return {}


def _key(case: runner.Case) -> tuple[str, str, str]:
    return (case.target.name, case.persona, case.operation)


def test_every_public_table_has_expectations(matrix_world, targets):
    """Tables added later (by any issue) fail here until the matrix says who may do what to them."""
    declared = {target.table for target in targets}
    tables = world.public_tables(matrix_world.conn)
    missing = [t["table_name"] + (f" (partition of {t['parent']})" if t["is_partition"] else "")
               for t in tables if t["table_name"] not in declared]
    assert missing == [], "public tables without an entry in tests/policy_matrix/expectations.py"
    stale = declared - {t["table_name"] for t in tables}
    assert stale == set(), "expectations for tables that no longer exist"


def test_every_target_is_one_row_the_update_would_change(matrix_world, targets):
    """Otherwise a HIDDEN outcome (zero rows) would prove nothing."""
    conn, problems = matrix_world.conn, []
    for target in targets:
        probe = runner.Case(target, "service_role", "update")
        with conn.transaction(force_rollback=True):
            rows = runner.count(conn, target, sql.SQL(target.where), matrix_world.refs)
            already = runner.count(conn, target, runner.updated(probe.target), matrix_world.refs)
        if rows != 1 or already != 0:
            problems.append(f"{target.name}: {rows} target rows, {already} already carry the update's value")
    assert problems == []


@pytest.mark.parametrize("operation", OPERATIONS)
def test_policy_matrix(matrix_world, targets, tally, operation):
    planned = [case for case in runner.cases(targets, ALL_PERSONAS, (operation,)) if _key(case) not in KNOWN_DEFECTS]
    results = [runner.run(matrix_world.conn, case, matrix_world.refs) for case in planned]
    tally[operation] = len(results)
    mismatches = [result.describe() for result in results if not result.ok]
    assert not mismatches, f"{len(mismatches)} of {len(results)} {operation} cases differ:\n" + "\n".join(mismatches)


@pytest.mark.parametrize("key", sorted(KNOWN_DEFECTS), ids=lambda key: "×".join(key))
@pytest.mark.xfail(strict=True, reason="a known defect (KNOWN_DEFECTS): remove its entry once fixed")
def test_known_defects(matrix_world, targets, tally, key):
    by_name = {target.name: target for target in targets}
    case = runner.Case(by_name[key[0]], key[1], key[2])
    tally[key] = 1
    result = runner.run(matrix_world.conn, case, matrix_world.refs)
    assert result.ok, f"{result.describe()}: {KNOWN_DEFECTS[key]}"


def test_policy_matrix_case_count(targets, tally, capsys, record_property):
    """Prints the count (shown directly with -n 0; under xdist it is in the report's user properties)."""
    planned = len(runner.cases(targets, ALL_PERSONAS))
    executed = sum(tally.values())
    record_property("policy_matrix_cases", executed)
    with capsys.disabled():
        print(f"\npolicy matrix: {executed} cases executed of {planned} "
              f"({len(targets)} targets × {len(ALL_PERSONAS)} personas × {len(OPERATIONS)} operations)")
    assert planned >= MINIMUM_CASES
