"""Requests as PostgREST sends them, recorded as SQL a person can replay with psql.

Each request is a transaction: `set_config('role', …, true)` and `set_config('request.jwt.claims', …, true)`,
then its statements, then commit (or rollback when refused). The statements are rendered with their
parameters as literals and executed exactly as recorded; an id the database generated is kept in a psql
variable (`\\gset`) so the replay refers to it by name (`:'q1_id'`).
"""

import json
import re
import threading
import time
import uuid
from importlib import resources
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql

from cli import queries

def _statements(text: str) -> dict[str, str]:
    """api.sql's named blocks, without the banner comments that close some of them."""
    blocks = queries.parse_named_blocks(text)
    for name, block in blocks.items():
        lines = block.splitlines()
        while lines and lines[-1].lstrip().startswith("--"):
            lines.pop()
        blocks[name] = "\n".join(lines).strip()
    return blocks


API = _statements(resources.files("tests.fuzz").joinpath("api.sql").read_text())
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")
_ABSENT_API = {"42883", "42P01", "42703", "3F000"}  # undefined function, table, column, schema: an older schema


@dataclass(frozen=True)
class Actor:
    role: str                      # authenticated, anon, service_role or owner (the database owner: setup, jobs)
    name: str = ""                 # the fuzzer's key for a user (u1…)
    user_id: uuid.UUID | None = None
    email: str | None = None

    def claims(self) -> dict[str, Any]:
        if self.user_id is None:
            return {"role": self.role}
        return {"sub": str(self.user_id), "role": self.role, "aud": "authenticated", "email": self.email}

    def label(self) -> str:
        return f"{self.name} ({self.role})" if self.name else self.role


OWNER = Actor("owner")
ANON = Actor("anon", "anon")
SERVICE_ROLE = Actor("service_role", "service_role")


@dataclass(frozen=True)
class Var:
    """A value the database generated, named in the replay by a psql variable."""
    name: str
    value: Any


@dataclass(frozen=True)
class Ref:
    """A value an earlier statement bound (`Statement.bind`), by its psql variable's name."""
    name: str


@dataclass
class Outcome:
    ok: bool
    rows: list[dict[str, Any]] = field(default_factory=list)
    rowcount: int = 0
    sqlstate: str | None = None
    message: str = ""

    @property
    def absent(self) -> bool:
        """The statement needs API this schema does not have (an older schema): the step does not apply."""
        return self.sqlstate in _ABSENT_API

    @property
    def changed_rows(self) -> bool:
        return self.ok and self.rowcount > 0


@dataclass
class Statement:
    name: str
    params: dict[str, Any] = field(default_factory=dict)
    bind: str | None = None  # keep the first row's `id` as psql variable `<bind>_id`


class Api:
    def __init__(self, conn: psycopg.Connection) -> None:
        self.conn = conn
        self.log: list[str] = []
        self.requests = 0
        self.vars: dict[str, Var] = {}
        self.last_rows: list[dict[str, Any]] = []

    # ------------------------------------------------------------------ rendering
    def _literal(self, value: Any, for_log: bool) -> str:
        if isinstance(value, Ref):
            value = self.vars[value.name]
        if isinstance(value, Var):
            return f":'{value.name}'" if for_log else self._literal(value.value, False)
        return sql.Literal(value).as_string(self.conn)

    def render(self, statement: Statement, for_log: bool) -> str:
        text = API[statement.name].rstrip().rstrip(";")
        return _PLACEHOLDER.sub(lambda m: self._literal(statement.params[m.group(1)], for_log), text)

    def _preamble(self, actor: Actor) -> str | None:
        if actor.role == "owner":
            return None
        return (f"select set_config('role', {self._literal(actor.role, False)}, true), "
                f"set_config('request.jwt.claims', {self._literal(json.dumps(actor.claims()), False)}, true)")

    # ------------------------------------------------------------------ requests
    def request(self, actor: Actor, *statements: Statement, note: str = "", record: bool = True) -> Outcome:
        """One API request (one transaction) as `actor`; refused requests roll back."""
        self.requests += 1
        lines = [f"-- {note or statements[0].name}: {actor.label()}", "begin;"]
        preamble = self._preamble(actor)
        if preamble:
            lines.append(preamble + ";")
        outcome = Outcome(ok=True)
        try:
            with self.conn.transaction():
                if preamble:
                    self.conn.execute(preamble)
                for statement in statements:
                    logged = self.render(statement, for_log=True)
                    lines.append(logged + (f" \\gset {statement.bind}_" if statement.bind else ";"))
                    cursor = self.conn.execute(self.render(statement, for_log=False))
                    outcome.rowcount = cursor.rowcount
                    outcome.rows = cursor.fetchall() if cursor.description else []
                    if statement.bind and outcome.rows:
                        name = f"{statement.bind}_id"
                        self.vars[name] = statement.params["_bound"] = Var(name, outcome.rows[0]["id"])
        except psycopg.Error as error:
            diag = error.diag
            outcome = Outcome(ok=False, sqlstate=error.sqlstate,
                              message=(diag.message_primary or str(error)).splitlines()[0])
            lines.append(f"rollback;  -- refused: {outcome.sqlstate} {outcome.message}")
        else:
            lines.append(f"commit;  -- ok, {outcome.rowcount} row(s)")
        if record:
            self.log.extend(lines)
        self.last_rows = outcome.rows
        return outcome

    def at_once(self, other: psycopg.Connection, monitor: psycopg.Connection, actor: Actor, first: Statement,
                second: Statement, note: str) -> tuple[Outcome, Outcome]:
        """Two devices of `actor`: `first` runs on this connection and, before it commits, `second` starts on
        `other`; the first commits once the second has finished or waits on a lock (`monitor` watches).
        Recorded in the order they took effect when serialized."""
        preamble = self._preamble(actor)
        outcomes: list[Outcome] = [Outcome(ok=False, message="device A did not run"),
                                   Outcome(ok=False, message="device B did not run")]

        def run(device: int, conn: psycopg.Connection, statement: Statement, before_commit=None) -> None:
            try:
                with conn.transaction():
                    if preamble:
                        conn.execute(preamble)
                    rows = conn.execute(self.render(statement, for_log=False)).fetchall()
                    if before_commit:
                        before_commit()
                outcomes[device] = Outcome(ok=True, rows=rows, rowcount=len(rows))
            except psycopg.Error as error:
                outcomes[device] = Outcome(ok=False, sqlstate=error.sqlstate, message=str(error).splitlines()[0])

        device_b = threading.Thread(target=run, args=(1, other, second))

        def start_b_and_wait() -> None:
            device_b.start()
            for _ in range(1000):
                waiting = monitor.execute(API["wait_event"], {"pid": other.info.backend_pid}).fetchone()
                if not device_b.is_alive() or (waiting and waiting["wait_event_type"] == "Lock"):
                    return
                time.sleep(0.005)

        run(0, self.conn, first, before_commit=start_b_and_wait)
        device_b.join()
        self.log.append(f"-- {note}: {actor.label()} (two devices at once; replayed in the order they took effect)")
        for statement, outcome in zip((first, second), outcomes):
            self.log += ["begin;", *([preamble + ";"] if preamble else []), self.render(statement, for_log=True) + ";",
                         "commit;" if outcome.ok else f"rollback;  -- refused: {outcome.sqlstate} {outcome.message}"]
        return outcomes[0], outcomes[1]

    def read_many(self, actor: Actor, reads: dict[str, Statement], fallible: frozenset[str] = frozenset()
                  ) -> dict[str, Outcome]:
        """Several reads in one request as `actor` (part of a check: rolled back, not recorded). Those named in
        `fallible` may be refused: each runs in a savepoint so that the others go on."""
        found: dict[str, Outcome] = {}
        preamble = self._preamble(actor)
        with self.conn.transaction(force_rollback=True):
            if preamble:
                self.conn.execute(preamble)
            for key, statement in reads.items():
                try:
                    if key in fallible:
                        with self.conn.transaction():
                            rows = self.conn.execute(self.render(statement, for_log=False)).fetchall()
                    else:
                        rows = self.conn.execute(self.render(statement, for_log=False)).fetchall()
                    found[key] = Outcome(ok=True, rows=rows, rowcount=len(rows))
                except psycopg.Error as error:
                    if key not in fallible:
                        raise
                    found[key] = Outcome(ok=False, sqlstate=error.sqlstate, message=str(error).splitlines()[0])
        return found

    def bound(self, statement: Statement) -> Var:
        return statement.params["_bound"]

    def read(self, actor: Actor, name: str, **params: Any) -> Outcome:
        """A read that is part of a check, not of the replayed steps (rolled back, not recorded)."""
        return self.request(actor, Statement(name, params), record=False)

    def owner_rows(self, name: str, **params: Any) -> list[dict[str, Any]]:
        return self.conn.execute(self.render(Statement(name, params), for_log=False)).fetchall()

    def replay(self, extra: str = "") -> str:
        """The recorded steps as a psql script (`psql -v ON_ERROR_STOP=0 -f`)."""
        return "\n".join(["-- replay with psql on a freshly migrated database", *self.log, extra])

    def check_sql(self, actor: Actor, statement: Statement) -> str:
        """A check's query as the actor would send it, for a failure message."""
        preamble = self._preamble(actor)
        body = self.render(statement, for_log=True) + ";"
        return "\n".join(["begin;", *( [preamble + ";"] if preamble else []), body, "rollback;"])
