"""The pgTAP files in supabase/tests/database/ on PostgreSQL 15, the oldest version hosted Supabase runs, as
`learnkit test db` (and `supabase test db`) runs them: one database holding the migrations and the seed.
tests/test_embedded_target.py runs the same files on the embedded server."""

from tests.cli_helpers import invoke


def test_every_pgtap_file_passes_on_postgresql_15(seeded_db_url, settings):
    result = invoke("--project-dir", str(settings.project_dir), "--db-url", seeded_db_url, "test", "db")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert " 0 files failed" in result.stdout
