"""supabase/codegen.toml: its declarations name real functions, arguments and columns, and say what they do.

The declared JSON shapes are checked against what the functions really return, and the literal sets
against the values the function accepts and refuses.
"""

import uuid
from pathlib import Path

import psycopg
import pytest

from cli import testing
from cli.codegen import introspect, render, shapes, typescript
from cli.errors import Failure, UsageError
from tests.cli_helpers import assert_one_line_error, invoke
from tests.test_trust_award_path import session_for, submit, world  # noqa: F401 - the fixture

REPO = Path(__file__).resolve().parent.parent
DECLARED = REPO / shapes.DEFAULT_PATH


@pytest.fixture(scope="module")
def declarations():
    return shapes.load(DECLARED)


def test_every_declaration_names_a_function_argument_or_column_that_exists(conn, declarations):
    schema = introspect.introspect(conn, "public")
    assert declarations.check(schema) == []
    assert declarations.functions and declarations.shapes  # the file was read


STALE = '''
[shapes.Gone]
fields.id = "string"

[functions."public.no_such_function"]
returns = "Gone"

[functions."public.get_leaderboard"]
literals.no_such_argument = ["a"]
literals.organization_id = ["a"]
not_null = ["no_such_column"]

[functions."public.level_for_xp"]
returns = "Gone"
'''


def test_a_stale_declaration_stops_generation(conn, tmp_path):
    path = tmp_path / "codegen.toml"
    path.write_text(STALE)
    schema = introspect.introspect(conn, "public")
    problems = shapes.load(path).check(schema)
    assert [problem.split(": ", 1)[1] for problem in problems] == [
        "public.get_leaderboard(organization_id uuid, metric text, period text, scope text, scope_id text, "
        "top_n integer): no argument 'no_such_argument'",
        "public.get_leaderboard(organization_id uuid, metric text, period text, scope text, scope_id text, "
        "top_n integer): argument 'organization_id' is not text",
        "public.get_leaderboard(organization_id uuid, metric text, period text, scope text, scope_id text, "
        "top_n integer): no result column 'no_such_column'",
        "public.level_for_xp(xp bigint): returns integer, not one json value",
        "public.no_such_function: no such function",
    ]
    for renderer in (render.render, typescript.render):
        with pytest.raises(Failure, match="5 stale declaration"):
            renderer(schema, shapes.load(path))


def test_the_cli_reports_a_stale_declaration_in_one_line(db_url, tmp_path):
    project = tmp_path / "project"
    (project / "supabase").mkdir(parents=True)
    (project / "supabase" / "codegen.toml").write_text(STALE)
    result = invoke("--project-dir", str(project), "--db-url", db_url, "gen", "types", "--lang", "typescript",
                    "--output", str(tmp_path / "x.ts"))
    assert_one_line_error(result, 1, "stale declaration", "no such function")
    assert not (tmp_path / "x.ts").exists()


@pytest.mark.parametrize(("text", "message"), [
    ('[shapes.X]\nfields.a = "str"', "'str' is not one of string"),
    ('[functions.get_leaderboard]\nreturns = "X"', "write it schema-qualified"),
    ('[functions."public.f"]\nreturns = "Missing"', "'Missing', which is not in [shapes]"),
    ('[shapes.X]\nfields.a = "string"\noptional = ["b"]', "unknown fields ['b']"),
    ("[functions", "codegen.toml"),
])
def test_a_malformed_file_is_a_usage_error(tmp_path, text, message):
    path = tmp_path / "codegen.toml"
    path.write_text(text)
    with pytest.raises(UsageError, match=message.replace("[", r"\[").replace("]", r"\]")):
        shapes.load(path)


def test_no_file_declares_nothing(tmp_path):
    assert shapes.load(tmp_path / "absent.toml") == shapes.Declarations()


# ---------------------------------------------------------------- the declarations are true
def conforms(shape: shapes.Shape, value: object) -> list[str]:
    """How a returned JSON value differs from its declared shape (empty: it conforms)."""
    if not isinstance(value, dict):
        return [f"{value!r} is not an object"]
    fields = {field.name: field for field in shape.fields}
    problems = [f"undeclared key {key!r}" for key in value if key not in fields]
    problems += [f"missing key {f.name!r}" for f in shape.fields if f.required and f.name not in value]
    python = {"string": str, "integer": int, "number": (int, float), "boolean": bool}
    for key, item in value.items():
        field_type = fields[key].type if key in fields else None
        if field_type is None or (item is None and field_type.nullable) or field_type.base == "json":
            continue
        if field_type.base == "literal":
            ok = item in field_type.literals
        else:
            ok = isinstance(item, python[field_type.base]) and not (
                field_type.base == "integer" and isinstance(item, bool))
        if not ok:
            problems.append(f"{key}={item!r} is not {field_type}")
    return problems


def test_declared_shapes_match_what_the_functions_return(conn, world, declarations):  # noqa: F811
    question, answer = world.content["questions"][0]
    session = session_for(conn, world.student)
    returned = {}
    with testing.as_user(conn, world.student, commit=True) as acting:
        returned["serve_question"] = acting.execute("select public.serve_question(%s, %s) r",
                                                    (session, question)).fetchone()["r"]
        returned["submit_answer"] = submit(acting, session, question, answer)
        returned["finish_container"] = acting.execute("select public.finish_container(%s) r",
                                                      (session,)).fetchone()["r"]
        returned["buy_streak_freeze"] = acting.execute("select public.buy_streak_freeze('f1') r").fetchone()["r"]
    with testing.as_service_role(conn, commit=True) as acting:
        returned["increment_xp"] = acting.execute(
            "select public.increment_xp(%s, 5, 'test', 'bonus', 'k1') r", (world.student,)).fetchone()["r"]
    for name, value in returned.items():
        shape = declarations.shapes[declarations.functions[("public", name)].returns]
        assert conforms(shape, value) == [], (name, value)


LEADERBOARD_CALL = "select * from public.get_leaderboard(%(org)s, metric => %(metric)s, period => %(period)s, " \
                   "scope => %(scope)s, scope_id => %(scope_id)s)"


@pytest.mark.parametrize("function", ["get_leaderboard", "get_leaderboard_around_me"])
def test_leaderboard_literal_sets_are_the_values_the_function_accepts(conn, declarations, function):
    literals = declarations.functions[("public", function)].literals
    assert set(literals) == {"metric", "period", "scope"}
    call = LEADERBOARD_CALL.replace("get_leaderboard", function)
    defaults = {"org": uuid.uuid4(), "metric": "xp", "period": "all_time", "scope": "organization", "scope_id": None}
    with testing.as_service_role(conn) as acting:
        for argument, values in literals.items():
            for value in values:
                scope_id = {"grade": "5", "course": str(uuid.uuid4())}.get(value)
                with acting.transaction():
                    acting.execute(call, {**defaults, argument: value, "scope_id": scope_id}).fetchall()
            with pytest.raises(psycopg.errors.InvalidParameterValue, match=f"unknown leaderboard {argument}"):
                with acting.transaction():
                    acting.execute(call, {**defaults, argument: "not_a_" + argument})
