"""Supabase's own PL/pgSQL linter passes: `supabase db lint` (plpgsql_check) on the migrated database.

Runs the Supabase CLI that `make test` installs (scripts/setup.sh pins it) against a clone of the migrated
template. The CLI creates the plpgsql_check extension itself, in a transaction it rolls back, so the server
needs only Debian's postgresql-15-plpgsql-check package (scripts/setup.sh test installs it). The CLI checks
every plpgsql function of the schemas that is not a trigger function.
"""

import json
import os
import subprocess

import pytest

from cli import connection
from tests.test_supabase_cli_compat import SUPABASE_CLI

SCHEMAS = "public,private"

# Warnings accepted, each with its reason: {(function, message): why it is a false positive}. None today.
EXPLAINED_WARNINGS: dict[tuple[str, str], str] = {}


@pytest.fixture(scope="module")
def supabase_cli():
    if not SUPABASE_CLI.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{SUPABASE_CLI} is missing: scripts/setup.sh test installs it")
        pytest.skip("the Supabase CLI is not installed: run scripts/setup.sh test")
    return str(SUPABASE_CLI)


def supabase_db_lint(cli: str, url: str, workdir) -> subprocess.CompletedProcess:
    return subprocess.run(
        [cli, "db", "lint", f"--remote={url}", "--workdir", str(workdir), "--schema", SCHEMAS,
         "--level", "warning", "--fail-on", "error", "--output-format", "json"],
        capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
        env={**os.environ, "SUPABASE_TELEMETRY_DISABLED": "1", "DO_NOT_TRACK": "1", "PGSSLMODE": "disable"},
    )


def test_supabase_db_lint_finds_no_error_and_only_explained_warnings(supabase_cli, db_url, tmp_path):
    with connection.connect(db_url) as conn:
        available = conn.execute("select exists (select from pg_available_extensions where name = 'plpgsql_check') "
                                 "as found").fetchone()["found"]
    assert available, "the test server has no plpgsql_check: scripts/setup.sh test installs postgresql-15-plpgsql-check"

    completed = supabase_db_lint(supabase_cli, db_url, tmp_path)
    results = json.loads(completed.stdout)["results"] if completed.stdout.strip() else None
    assert results is not None, completed.stderr
    issues = [(result["function"], issue["level"], issue["message"], issue.get("detail", ""))
              for result in results for issue in result["issues"]]
    assert [issue for issue in issues if issue[1] == "error"] == []
    assert completed.returncode == 0, completed.stderr
    assert {(function, message) for function, _, message, _ in issues} == set(EXPLAINED_WARNINGS), issues

    with connection.connect(db_url) as conn:  # the CLI's extension went with its rolled-back transaction
        assert conn.execute("select count(*) as n from pg_extension where extname = 'plpgsql_check'").fetchone()["n"] == 0
