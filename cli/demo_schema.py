"""`learnkit demo` section: the declared schema (issue 15).

The database the demo just built from the migrations is compared with the declared files
(supabase/schemas/, supabase/policies/) the way `learnkit db diff` does: a scratch database built
from them, its catalog against the migrated one's. Equal means the files a reader opens are what
runs. Then one answer goes through submit_answer, whose steps read top-down in
private.record_answer: grade, judge, pay, record; progress is queued for process-awards.
"""

import psycopg

from cli import declared, migrations, output, queries, schema_diff, testing
from cli.settings import Settings


def show_declared_schema(conn: psycopg.Connection, settings: Settings) -> None:
    files = declared.declared_files(settings)
    applied = migrations.applied_migrations(conn)
    url = psycopg.conninfo.make_conninfo(conn.info.dsn, password=conn.info.password)
    result = schema_diff.diff(settings, url)
    output.table("Declared schema", ["What", "Value"], [
        ["declared files (schema_paths)", len(files)],
        ["migrations applied", len(applied)],
        ["learnkit db diff", "no difference" if not result.sql else f"{len(result.statements)} statement(s) to apply"],
    ])
    _show_answer_path(conn)


def _show_answer_path(conn: psycopg.Connection) -> None:
    learner = conn.execute(queries.query("demo_schema.sql", "a_seeded_learner_and_question")).fetchone()
    if learner is None:
        return
    with testing.as_user(conn, learner["user_id"], commit=True) as acting:
        params = {**learner, **acting.execute(queries.query("demo_schema.sql", "start_a_session"), learner).fetchone()}
        acting.execute(queries.query("demo_schema.sql", "serve_the_question"), params)
        answer = acting.execute(queries.query("demo_schema.sql", "submit_an_answer"), params).fetchone()["result"]
        refusal = _direct_insert(acting, params)
    output.table("One answer, top-down (private.record_answer: grade → judge → pay → record → queue the rest)",
                 ["Step", "Result"], [
                     ["graded against the hidden key", answer["is_correct"]],
                     ["XP awarded (rule)", f"{answer['xp_awarded']} ({answer['award_rule']})"],
                     ["balance / level", f"{answer['balance']} / {answer['level']}"],
                     ["a direct INSERT into answer_attempts", refusal],
                 ])


def _direct_insert(acting: psycopg.Connection, learner: dict) -> str:
    try:
        with acting.transaction():
            acting.execute(queries.query("demo_schema.sql", "insert_an_answer_directly"), learner)
    except psycopg.Error as error:
        return f"refused: {error.sqlstate} {str(error).splitlines()[0]}"
    return "ACCEPTED (a hole: answers must go through submit_answer)"
