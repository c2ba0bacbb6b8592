"""Running the matrix's cases as the API does: role and JWT claims, then the statement.

Each case is one transaction, rolled back: (as the owner) free a unique slot if the
target needs it, switch to the persona exactly as PostgREST does (`set local role`
plus `request.jwt.claims`, the query cli.testing uses), run the statement, then
switch back to the owner to prove what happened — the row really inserted,
changed or deleted, or really untouched.
"""

import json
import uuid
from dataclasses import dataclass

import psycopg
from psycopg import sql

from cli import queries, testing
from tests.policy_matrix.expectations import ALLOWED, HIDDEN, OPERATIONS, Target

_SET_REQUEST = queries.query("testing.sql", "set_request")
_ROLES = {"anon": "anon", "service_role": "service_role"}


@dataclass(frozen=True)
class Case:
    target: Target
    persona: str
    operation: str

    @property
    def expected(self) -> str:
        return self.target.expected(self.persona, self.operation)


@dataclass(frozen=True)
class Result:
    case: Case
    observed: str
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.observed == self.case.expected

    def describe(self) -> str:
        case = self.case
        return (f"{case.target.name} × {case.persona} × {case.operation}: expected {case.expected}, "
                f"observed {self.observed}{' — ' + self.detail if self.detail else ''} ({case.target.access.name})")


def cases(targets: list[Target], personas: tuple[str, ...], operations: tuple[str, ...] = OPERATIONS) -> list[Case]:
    return [Case(target, persona, operation) for target in targets for persona in personas for operation in operations]


def _table(target: Target) -> sql.Composable:
    return sql.Identifier("public", target.table)


def _statement(case: Case) -> sql.Composed:
    target, where = case.target, sql.SQL(case.target.where)
    if case.operation == "select":
        return sql.SQL("select count(*) as n from {} where {}").format(_table(target), where)
    if case.operation == "insert":
        values = {**target.insert, **(target.service_insert if case.persona == "service_role" else {})}
        return sql.SQL("insert into {} ({}) values ({})").format(
            _table(target), sql.SQL(", ").join(map(sql.Identifier, values)),
            sql.SQL(", ").join(sql.SQL(value) for value in values.values()))
    if case.operation == "update":
        column, value = target.update
        return sql.SQL("update {} set {} = {} where {}").format(
            _table(target), sql.Identifier(column), sql.SQL(value), where)
    return sql.SQL("delete from {} where {}").format(_table(target), where)


def count(conn: psycopg.Connection, target: Target, condition: sql.Composable, params: dict) -> int:
    query = sql.SQL("select count(*) as n from {} where {}").format(_table(target), condition)
    return conn.execute(query, params).fetchone()["n"]


def updated(target: Target) -> sql.Composable:
    """The target row, carrying the update's new value."""
    column, value = target.update
    return sql.SQL("({}) and {} is not distinct from {}").format(
        sql.SQL(target.where), sql.Identifier(column), sql.SQL(value))


def _request(persona: str, refs: dict) -> dict:
    role = _ROLES.get(persona, "authenticated")
    user_id = refs.get(persona) if role == "authenticated" else None
    return {"role": role, "claims": json.dumps(testing.claims_for(user_id, role=role)), "method": "POST",
            "path": "/rest/v1/policy-matrix", "headers": json.dumps({"accept": "application/json"})}


def run(conn: psycopg.Connection, case: Case, refs: dict) -> Result:
    target = case.target
    params = {**refs, "me": refs.get(case.persona), "fresh": f"m{uuid.uuid4().hex[:24]}"}
    statement = _statement(case)
    with conn.transaction(force_rollback=True):
        before = 0
        if case.operation == "insert":
            if target.prepare:
                conn.execute(target.prepare, params)
            before = count(conn, target, sql.SQL("true"), params)
        conn.execute(_SET_REQUEST, _request(case.persona, refs))
        try:
            cursor = conn.execute(statement, params)
        except psycopg.Error as error:
            return Result(case, error.sqlstate or "?", str(error).splitlines()[0][:160])
        affected = cursor.fetchone()["n"] if case.operation == "select" else cursor.rowcount
        conn.execute("reset role")
        if case.operation == "select":
            return Result(case, {1: ALLOWED, 0: HIDDEN}.get(affected, f"{affected} rows"))
        if case.operation == "insert":
            added = count(conn, target, sql.SQL("true"), params) - before
            return Result(case, ALLOWED if affected == 1 and added == 1 else f"{affected} inserted, {added} added")
        if case.operation == "update":
            changed = count(conn, target, updated(target), params)
            outcome = {(1, 1): ALLOWED, (0, 0): HIDDEN}.get((affected, changed))
            return Result(case, outcome or f"{affected} updated, {changed} changed")
        remaining = count(conn, target, sql.SQL(target.where), params)
        outcome = {(1, 0): ALLOWED, (0, 1): HIDDEN}.get((affected, remaining))
        return Result(case, outcome or f"{affected} deleted, {remaining} left")
