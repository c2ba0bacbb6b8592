"""Acting as Supabase's API does, for tests of row level security.

PostgREST serves each request in a transaction that starts with
`set local role <role>` and sets `request.jwt.claims` (plus the request's
method, path and headers) with `set_config(..., true)`. These helpers do the
same on a psycopg connection, so RLS is exercised by the real roles and the
real auth.uid(). Each context is a transaction, rolled back at its end unless
`commit=True`; inside it, wrap an attempt that may fail in
`conn.transaction()` (a savepoint) to go on after the error.
"""

import json
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg

from cli import queries

_SET_REQUEST = queries.query("testing.sql", "set_request")


def create_user(conn: psycopg.Connection, *, email: str | None = None, user_id: uuid.UUID | None = None,
                metadata: dict[str, Any] | None = None, is_anonymous: bool = False) -> uuid.UUID:
    """A row in auth.users, as Supabase Auth's sign-up makes it (run as the owner)."""
    user_id = user_id or uuid.uuid4()
    conn.execute(queries.query("testing.sql", "create_user"), {
        "id": user_id,
        "email": email if email is not None else f"{user_id}@test.learnkit.dev",
        "metadata": json.dumps(metadata or {}),
        "is_anonymous": is_anonymous,
    })
    return user_id


def claims_for(user_id: uuid.UUID | str | None, *, role: str = "authenticated", email: str | None = None,
               is_anonymous: bool = False, aal: str = "aal1", **extra: Any) -> dict[str, Any]:
    """The JWT claims Supabase Auth issues, as PostgREST passes them on."""
    now = int(time.time())
    claims: dict[str, Any] = {"role": role, "iat": now, "exp": now + 3600}
    if user_id is not None:
        claims |= {
            "sub": str(user_id), "aud": "authenticated", "email": email or "", "phone": "",
            "is_anonymous": is_anonymous, "aal": aal, "session_id": str(uuid.uuid4()),
            "app_metadata": {"provider": "email", "providers": ["email"]}, "user_metadata": {},
        }
    return claims | extra


@contextmanager
def as_role(conn: psycopg.Connection, role: str, claims: dict[str, Any], *, commit: bool = False,
            method: str = "POST", path: str = "/rest/v1/rpc") -> Iterator[psycopg.Connection]:
    with conn.transaction(force_rollback=not commit):
        conn.execute(_SET_REQUEST, {
            "role": role, "claims": json.dumps(claims), "method": method, "path": path,
            "headers": json.dumps({"accept": "application/json"}),
        })
        yield conn


@contextmanager
def as_user(conn: psycopg.Connection, user_id: uuid.UUID | str, *, email: str | None = None,
            commit: bool = False, **claims: Any) -> Iterator[psycopg.Connection]:
    """A signed-in user's request: role authenticated, claims with sub, role, email, is_anonymous, aal."""
    with as_role(conn, "authenticated", claims_for(user_id, email=email, **claims), commit=commit) as acting:
        yield acting


@contextmanager
def as_anon(conn: psycopg.Connection, *, commit: bool = False) -> Iterator[psycopg.Connection]:
    with as_role(conn, "anon", claims_for(None, role="anon"), commit=commit) as acting:
        yield acting


@contextmanager
def as_service_role(conn: psycopg.Connection, *, commit: bool = False) -> Iterator[psycopg.Connection]:
    with as_role(conn, "service_role", claims_for(None, role="service_role"), commit=commit) as acting:
        yield acting


def drain_awards(conn: psycopg.Connection) -> int:
    """Run the process-awards job's SQL until the queue is empty, as the database owner, in the caller's
    transaction (restoring the request's role after): what answers and awards queued (progress, achievements,
    challenges, organization XP, rank counts) becomes visible, as a second or so later in production.
    Returns the rows applied."""
    role = conn.execute("select current_user::text as role, session_user::text as owner").fetchone()
    if role["role"] != role["owner"]:
        conn.execute("select set_config('role', 'none', true)")
    applied = conn.execute("select private.drain_awards() as applied").fetchone()["applied"]
    if role["role"] != role["owner"]:
        conn.execute("select set_config('role', %(role)s, true)", {"role": role["role"]})
    return applied
