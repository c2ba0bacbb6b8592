"""Running the CLI in-process and building throwaway projects for tests."""

from pathlib import Path

from typer.testing import CliRunner

from cli.main import app

runner = CliRunner()


def invoke(*args: str, env: dict | None = None):
    """Run `learnkit ARGS`; the result has exit_code, stdout and stderr."""
    return runner.invoke(app, list(args), env={"SUPABASE_DB_URL": None, "DATABASE_URL": None, **(env or {})})


def assert_one_line_error(result, exit_code: int, *fragments: str) -> None:
    assert result.exit_code == exit_code, (result.stdout, result.stderr)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, result.stderr
    assert result.stderr.rstrip().endswith(errors[0]), "the error must be the last line"
    for fragment in fragments:
        assert fragment in errors[0], errors[0]
    assert "Traceback" not in result.output


class Project:
    """A project folder with supabase/migrations, for push tests."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.migrations = root / "supabase" / "migrations"
        self.migrations.mkdir(parents=True)

    def migration(self, version: str, name: str, sql: str) -> Path:
        path = self.migrations / f"{version}_{name}.sql"
        path.write_text(sql)
        return path

    def seed(self, sql: str) -> Path:
        path = self.root / "supabase" / "seed.sql"
        path.write_text(sql)
        return path

    def run(self, db_url: str, *args: str):
        return invoke("--project-dir", str(self.root), "--db-url", db_url, *args)
