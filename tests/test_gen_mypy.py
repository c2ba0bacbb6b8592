"""The generated modules pass `mypy --strict`, and their types catch misuse."""

import subprocess
import sys
import textwrap

import pytest

from cli.codegen import introspect, render
from tests.test_gen_rules import REPO_ROOT_FILES, SCHEMA, fixture_database

USAGE = '''
import datetime
import decimal
import psycopg
from codegen_fixture_types import THINGS, Address, Rpc, ThingsInsert, ThingsRow, ThingsUpdate, row_factory

def use(conn: psycopg.Connection[object]) -> None:
    values: ThingsInsert = {"name": "n", "mood": "happy", "price": decimal.Decimal(1), "home": Address("s", None, [])}
    row: ThingsRow = THINGS.insert(conn, values)
    created: datetime.datetime = row.created_at
    total: decimal.Decimal | None = row.total
    change: ThingsUpdate = {"nickname": None}
    THINGS.update(conn, change, {"id": row.id})
    rpc = Rpc(conn)
    as_int: int | None = rpc.add(a=1)
    as_decimal: decimal.Decimal | None = rpc.add(a=decimal.Decimal(1), b=decimal.Decimal(2))
    greeting: str | None = rpc.greet(name="x")
    rows: list[ThingsRow] = rpc.things_by_mood(wanted="sad")
    with conn.cursor(row_factory=row_factory(ThingsRow)) as cursor:
        fetched: ThingsRow | None = cursor.execute("select 1").fetchone()
'''

# The learnkit module's RPCs: declared JSON results (supabase/codegen.toml), literal arguments, NOT NULL results.
LEARNKIT_USAGE = '''
import uuid
import psycopg
from learnkit_db_types import AnswerResult, HintUse, Rpc, XpChange

def use(conn: psycopg.Connection[object], session: uuid.UUID, question: uuid.UUID, org: uuid.UUID) -> None:
    rpc = Rpc(conn)
    answer: AnswerResult = rpc.submit_answer(session_id=session, question_id=question, answer={"value": 7},
                                             response_time_ms=1200)
    xp: int = answer["xp_awarded"] + answer["balance"]
    correct: bool | None = answer["is_correct"]
    hint: HintUse = rpc.use_hint(question_id=question, idempotency_key="k")
    left: int = hint.get("free_hints_left", 0)
    change: XpChange = rpc.increment_xp(user_id=uuid.uuid4(), delta=5, reason="r", category="bonus",
                                        idempotency_key="k")
    spent: bool = change["kind"] == "spent"
    board = rpc.get_leaderboard(organization_id=org, metric="streak", period="all_time", scope="grade")
    ranks = [row.rank for row in board]
    invitation = rpc.create_invitation(organization_id=org, role="student")[0]
    token: str = invitation.token
    served: str = rpc.serve_question(session_id=session, question_id=question)["served_at"]
'''
LEARNKIT_MISUSE = {
    "value outside a literal set": "rpc.get_leaderboard(organization_id=org, metric='points')",
    "declared JSON field misread": "text: str = rpc.complete_lesson(lesson_id=org)['xp_awarded']",
    "undeclared JSON field": "rpc.finish_container(session_id=org)['no_such_key']",
    "literal field compared as another type": "kind: int = rpc.buy_streak_freeze(idempotency_key='k')['kind']",
    "nullable JSON field used as bool": "ok: bool = rpc.submit_answer(session_id=org, question_id=org, answer=1, "
                                        "response_time_ms=1)['is_correct']",
    "nullable result column used as int": "rank: int = rpc.get_leaderboard(organization_id=org)[0].rank",
}
LEARNKIT_MISUSE_HEADER = '''
import uuid
import psycopg
from learnkit_db_types import Rpc

def misuse(conn: psycopg.Connection[object], org: uuid.UUID) -> None:
    rpc = Rpc(conn)
'''

MISUSE = {
    "generated column written": 'values: ThingsInsert = {"name": "n", "mood": "happy", "total": decimal.Decimal(1)}',
    "identity always written": 'values: ThingsUpdate = {"id": 1}',
    "required column missing": 'values: ThingsInsert = {"name": "n"}',
    "not an enum label": 'values: ThingsInsert = {"name": "n", "mood": "angry"}',
    "float for numeric": 'values: ThingsInsert = {"name": "n", "mood": "sad", "price": 1.5}',
    "null in a NOT NULL column": 'values: ThingsUpdate = {"name": None}',
    "required argument missing": "rpc.greet(greeting='hi')",
    "nullable column used as str": "text: str = row.nickname",
}
MISUSE_HEADER = '''
import decimal
import psycopg
from codegen_fixture_types import Rpc, ThingsInsert, ThingsRow, ThingsUpdate

def misuse(conn: psycopg.Connection[object], row: ThingsRow) -> None:
    rpc = Rpc(conn)
'''


@pytest.fixture(scope="module")
def checked_folder(pg_server, test_databases, tmp_path_factory):
    with fixture_database(pg_server, test_databases, "codegen_mypy") as conn:
        text = render.render(introspect.introspect(conn, SCHEMA))
    folder = tmp_path_factory.mktemp("mypy")
    (folder / "codegen_fixture_types.py").write_text(text)
    (folder / "usage.py").write_text(USAGE)
    for index, line in enumerate(MISUSE.values()):
        (folder / f"misuse_{index}.py").write_text(MISUSE_HEADER + textwrap.indent(line, "    ") + "\n")
    (folder / "learnkit_db_types.py").write_text(REPO_ROOT_FILES[0].read_text())
    (folder / "learnkit_usage.py").write_text(LEARNKIT_USAGE)
    for index, line in enumerate(LEARNKIT_MISUSE.values()):
        (folder / f"learnkit_misuse_{index}.py").write_text(
            LEARNKIT_MISUSE_HEADER + textwrap.indent(line, "    ") + "\n")
    return folder


def run_mypy(folder, *files):
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", "--cache-dir", str(folder / ".mypy_cache"),
         *map(str, files)],
        cwd=folder, capture_output=True, text=True, env={"MYPYPATH": str(folder), "PATH": ""},
    )


def test_generated_modules_pass_mypy_strict(checked_folder):
    # workers/db_types.py is checked as its copy learnkit_db_types.py, which the learnkit sample imports.
    result = run_mypy(checked_folder, checked_folder / "codegen_fixture_types.py", checked_folder / "usage.py",
                      checked_folder / "learnkit_db_types.py", checked_folder / "learnkit_usage.py")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_rejects_each_misuse(checked_folder):
    result = run_mypy(checked_folder, *sorted(checked_folder.glob("misuse_*.py")))
    failing = {line.split(":")[0] for line in result.stdout.splitlines() if ": error:" in line}
    expected = {f"misuse_{index}.py" for index in range(len(MISUSE))}
    assert failing == expected, (dict(zip(sorted(expected), MISUSE)), result.stdout)


def test_mypy_rejects_each_misuse_of_the_learnkit_rpcs(checked_folder):
    result = run_mypy(checked_folder, *sorted(checked_folder.glob("learnkit_misuse_*.py")))
    failing = {line.split(":")[0] for line in result.stdout.splitlines() if ": error:" in line}
    expected = {f"learnkit_misuse_{index}.py" for index in range(len(LEARNKIT_MISUSE))}
    assert failing == expected, (dict(zip(sorted(expected), LEARNKIT_MISUSE)), result.stdout)
