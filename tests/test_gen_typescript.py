"""`learnkit gen types --lang typescript`: supabase-js clients typed by the generated Database compile with
`tsc --strict`, and each misuse is refused by the compiler.

The compiler and supabase-js are the pinned ones scripts/setup.sh test installs in .learnkit/tools.
"""

import os
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from cli.codegen import introspect, shapes, typescript
from tests.cli_helpers import assert_one_line_error, invoke
from tests.test_gen_rules import SCHEMA, fixture_database

REPO = Path(__file__).resolve().parent.parent
COMMITTED = REPO / "types" / "database.ts"
NODE_MODULES = REPO / ".learnkit" / "tools" / "node_modules"
TSC = NODE_MODULES / ".bin" / "tsc"

HEADER = '''
import { createClient } from "@supabase/supabase-js"
import type { Database } from "./database"
import type { Database as Fixture } from "./fixture"

const supabase = createClient<Database>("http://localhost:54321", "anon-key")
const fixture = createClient<Fixture, "codegen_fixture">("http://localhost:54321", "anon-key",
                                                         { db: { schema: "codegen_fixture" } })
'''

USAGE = HEADER + '''
import type { Enums, Tables, TablesInsert } from "./database"

export async function use(): Promise<void> {
  // Tables: NOT NULL columns are not nullable, nullable ones are.
  const { data: profiles } = await supabase.from("profiles").select("id, nickname, avatar_url").limit(1)
  const id: string | undefined = profiles?.[0]?.id
  const avatar: string | null | undefined = profiles?.[0]?.avatar_url
  // Relationships: embedding a foreign key's row.
  const { data: members } = await supabase.from("organization_members").select("role, organizations(name)")
  const role: Enums<"organization_role"> | undefined = members?.[0]?.role
  const insert: TablesInsert<"xp_transactions"> | null = null
  // RPCs: declared JSON results, literal arguments, `returns table` rows as arrays.
  const { data: answer } = await supabase.rpc("submit_answer", {
    session_id: "s", question_id: "q", answer: { choice: 1 }, response_time_ms: 1200,
  })
  const xp: number | undefined = answer?.xp_awarded
  const correct: boolean | null | undefined = answer?.is_correct
  const { data: hint } = await supabase.rpc("use_hint", { question_id: "q", idempotency_key: "k" })
  const left: number | undefined = hint?.free_hints_left
  const { data: board } = await supabase.rpc("get_leaderboard", { organization_id: "o", metric: "streak" })
  const rank: number | null | undefined = board?.[0]?.rank
  const { data: invitation } = await supabase.rpc("create_invitation", { organization_id: "o", role: "student" })
  const token: string | undefined = invitation?.[0]?.token
  const row: Tables<"profiles"> | null = null
  // The fixture schema: overloads, composites, enums, set-returning functions of a table's rows.
  const { data: things } = await fixture.rpc("things_by_mood", { wanted: "so-so" })
  const price: number | undefined = things?.[0]?.price
  const { data: address } = await fixture.rpc("make_address", { street: "Elm" })
  const zip: string | null | undefined = address?.zip
  const { data: series } = await fixture.rpc("series", { n: 3 })
  const first: number | undefined = series?.[0]
  const { data: split } = await fixture.rpc("split_price", { x: 3.25 })
  const cents: number | null | undefined = split?.cents
  await fixture.from("things").insert({ name: "n", mood: "sad", home: { street: "s", zip: null, moods: ["happy"] } })
  console.log(id, avatar, role, insert, xp, correct, left, rank, token, row, price, zip, first, cents)
}
'''

MISUSE = {
    "unknown table": 'await supabase.from("no_such_table").select("*")',
    "unknown function": 'await supabase.rpc("no_such_function")',
    "nullable column used as string": (
        'const { data } = await supabase.from("profiles").select("avatar_url")\n'
        "const text: string | undefined = data?.[0]?.avatar_url"),
    "NOT NULL column set to null": 'await supabase.from("profiles").update({ nickname: null }).eq("id", "x")',
    "required argument missing": 'await supabase.rpc("submit_answer", { session_id: "s" })',
    "wrong argument type": (
        'await supabase.rpc("submit_answer", { session_id: "s", question_id: "q", answer: 1, response_time_ms: "1" })'),
    "value outside a literal set": 'await supabase.rpc("get_leaderboard", { organization_id: "o", metric: "points" })',
    "declared JSON field misread": (
        'const { data } = await supabase.rpc("submit_answer", '
        '{ session_id: "s", question_id: "q", answer: 1, response_time_ms: 1 })\n'
        "const text: string | undefined = data?.xp_awarded"),
    "undeclared JSON field": (
        'const { data } = await supabase.rpc("complete_lesson", { lesson_id: "l" })\n'
        "console.log(data?.no_such_key)"),
    "set-returning result used as one row": (
        'const { data } = await supabase.rpc("get_leaderboard", { organization_id: "o" })\n'
        "console.log(data?.rank)"),
    "not an enum label": 'await fixture.from("things").insert({ name: "n", mood: "angry" })',
    "identity always written": 'await fixture.from("things").insert({ name: "n", mood: "sad", id: 1 })',
    "generated column written": 'await fixture.from("things").update({ total: 2 }).eq("name", "n")',
    "composite field of the wrong type": (
        'await fixture.rpc("describe_place", { place: { label: 1, home: null, rating: null } })'),
}


@pytest.fixture(scope="module")
def tsc():
    if not TSC.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{TSC} is missing: scripts/setup.sh test installs it")
        pytest.skip("TypeScript is not installed: run scripts/setup.sh test")
    return str(TSC)


@pytest.fixture(scope="module")
def folder(pg_server, test_databases, tmp_path_factory):
    """The committed types, the fixture schema's, a client using them and one file per misuse."""
    with fixture_database(pg_server, test_databases, "codegen_typescript") as conn:
        fixture_text = typescript.render(introspect.introspect(conn, SCHEMA))
    folder = tmp_path_factory.mktemp("tsc")
    (folder / "node_modules").symlink_to(NODE_MODULES)
    shutil.copy(COMMITTED, folder / "database.ts")
    (folder / "fixture.ts").write_text(fixture_text)
    (folder / "usage.ts").write_text(USAGE)
    for index, line in enumerate(MISUSE.values()):
        body = textwrap.indent(line, "  ")
        (folder / f"misuse_{index}.ts").write_text(
            HEADER + f"\nexport async function misuse(): Promise<void> {{\n{body}\n}}\n")
    return folder


def run_tsc(tsc: str, folder: Path, files: list[str]) -> subprocess.CompletedProcess:
    config = folder / "tsconfig.json"
    config.write_text(
        '{"compilerOptions": {"strict": true, "noEmit": true, "target": "es2022", "module": "esnext",'
        ' "moduleResolution": "bundler", "skipLibCheck": true, "types": []},'
        f' "files": {[*files]!r}}}'.replace("'", '"'))
    return subprocess.run([tsc, "-p", str(config)], cwd=folder, capture_output=True, text=True, timeout=300)


def test_a_typed_client_compiles_with_strict(tsc, folder):
    result = run_tsc(tsc, folder, ["usage.ts"])
    assert result.returncode == 0, result.stdout + result.stderr


def test_tsc_rejects_each_misuse(tsc, folder):
    files = [f"misuse_{index}.ts" for index in range(len(MISUSE))]
    result = run_tsc(tsc, folder, files)
    failing = {line.split("(")[0] for line in result.stdout.splitlines() if ": error TS" in line}
    assert failing == set(files), (dict(zip(files, MISUSE)), result.stdout)


def test_writes_then_checks_and_names_the_language_when_stale(db_url, tmp_path):
    target = tmp_path / "database.ts"
    written = invoke("--project-dir", str(REPO), "--db-url", db_url, "gen", "types", "--lang", "typescript",
                     "--output", str(target))
    assert written.exit_code == 0, written.output
    assert "export type Database = {" in target.read_text()
    current = invoke("--project-dir", str(REPO), "--db-url", db_url, "gen", "types", "--lang", "typescript",
                     "--output", str(target), "--check")
    assert current.exit_code == 0 and "up to date" in current.stderr, current.output
    target.write_text(target.read_text().replace("Relationships", "Relations"))
    stale = invoke("--project-dir", str(REPO), "--db-url", db_url, "gen", "types", "--lang", "typescript",
                   "--output", str(target), "--check")
    assert_one_line_error(stale, 1, "stale", "--lang typescript --from-migrations")


def test_committed_types_are_current_for_the_migrated_schema(db_url):
    """What CI enforces: types/database.ts equals what the migrations generate."""
    result = invoke("--project-dir", str(REPO), "--db-url", db_url, "gen", "types", "--lang", "typescript",
                    "--check")
    assert result.exit_code == 0, result.stderr


def test_the_shape_follows_supabases_generator(db_url):
    from cli import connection

    with connection.connect(db_url) as conn:
        schema = introspect.introspect(conn, "public")
    text = typescript.render(schema, shapes.load(REPO / shapes.DEFAULT_PATH))
    for part in ("export type Json =", "export type Database = {", "  public: {", "    Tables: {", "    Views: {",
                 "    Functions: {", "    Enums: {", "    CompositeTypes: {", "export type Tables<",
                 "export type TablesInsert<", "export type TablesUpdate<", "export type Enums<",
                 "export type CompositeTypes<", "export const Constants = {"):
        assert part in text, part
