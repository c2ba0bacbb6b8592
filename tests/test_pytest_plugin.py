"""learnkit's pytest plugin (cli/pytest_plugin.py) as an app team uses it: pytester runs a sample
project's own suite (tests/fixtures/plugin_sample_app: one migration adding a table with RLS, a seed,
a pgTAP file) in a new pytest process, which loads the plugin from learnkit's pytest11 entry point."""

import shutil
from pathlib import Path

import pytest

SAMPLE_APP = Path(__file__).parent / "fixtures" / "plugin_sample_app"
SAMPLE_TESTS = 6


@pytest.fixture
def sample(pytester):
    shutil.copytree(SAMPLE_APP, pytester.path, dirs_exist_ok=True)
    return pytester


def test_the_sample_app_tests_its_policies_on_a_given_server_with_xdist(sample, pg_server):
    result = sample.runpytest_subprocess("--learnkit-db-url", pg_server.url(), "-n", "2", timeout=600)
    result.assert_outcomes(passed=SAMPLE_TESTS)


def test_the_sample_app_tests_run_on_a_server_the_plugin_starts(sample):
    result = sample.runpytest_subprocess("--learnkit-server", "system", "-p", "no:xdist", timeout=600)
    result.assert_outcomes(passed=SAMPLE_TESTS)


def test_a_failing_pgtap_assertion_fails_the_test_and_is_named(sample, pg_server):
    (sample.path / "supabase/tests/database/anon.test.sql").write_text(
        "begin;\ncreate extension if not exists pgtap with schema extensions;\nselect plan(2);\n"
        "select ok(true, 'notes exist');\n"
        "select isnt_empty('select 1 from public.notes', 'anon reads notes');\n"
        "select * from finish();\nrollback;\n")
    sample.makepyfile(test_anon="def test_anon(learnkit_db):\n"
                                "    learnkit_db.run_pgtap('supabase/tests/database/anon.test.sql')\n")
    result = sample.runpytest_subprocess("--learnkit-db-url", pg_server.url(), "-p", "no:xdist", "test_anon.py",
                                         timeout=600)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*anon.test.sql: pgTAP failed*", "*2 - anon reads notes*"])


def test_a_failing_migration_is_reported_once_by_file(sample, pg_server):
    (sample.path / "supabase/migrations/20260102000000_broken.sql").write_text(
        "alter table public.no_such_table enable row level security;\n")
    result = sample.runpytest_subprocess("--learnkit-db-url", pg_server.url(), "-p", "no:xdist",
                                         "-k", "fresh_database", timeout=600)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*building the test template*20260102000000_broken.sql*no_such_table*"])
